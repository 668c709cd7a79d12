/* QPassSignals and QProgramSignals: which signals the client wants passed
 * to the program without a stop report, and which the program may get at
 * all from the server on its own. Lists of signal numbers in the client's
 * numbering, hex, separated by ';'. And qXfer:siginfo: the siginfo of the
 * signal a thread stopped with ($_siginfo in gdb), read and written, in
 * the layout of the thread's program (64-bit or i386). */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ptrace.h>

#include "handlers/handlers.h"
#include "rsp/hex.h"
#include "session.h"
#include "target/siginfo_compat.h"

/* Parses ARGS into SET (host numbers); false on a malformed list. Signals
 * without a host equivalent are left out. */
static bool parse_signal_list(const struct session *s, const char *args, size_t len, bool set[TARGET_NSIG])
{
    bool parsed[TARGET_NSIG] = {false};
    const char *p = args, *end = args + len;
    while (p < end) {
        uint64_t v;
        if (!hex_parse_u64(&p, &v) || v > 255 || (p < end && *p != ';'))
            return false;
        int host = session_signal_from_client(s, (int)v);
        if (host > 0 && host < TARGET_NSIG)
            parsed[host] = true;
        if (p < end)
            p++;
    }
    memcpy(set, parsed, sizeof parsed);
    return true;
}

HANDLER(handle_QPassSignals)
{
    if (!parse_signal_list(s, args, len, s->target.pass_signals))
        reply_error(s, "malformed QPassSignals list");
    else
        reply_str(s, "OK");
}

HANDLER(handle_QProgramSignals)
{
    if (!parse_signal_list(s, args, len, s->target.program_signals)) {
        reply_error(s, "malformed QProgramSignals list");
        return;
    }
    s->target.program_signals_set = true;
    reply_str(s, "OK");
}

/* The stopped thread whose siginfo is meant (Hg). */
static struct thread *siginfo_thread(struct session *s)
{
    struct thread *th = session_general_thread(s);
    if (!th) {
        reply_error(s, "no thread");
    } else if (th->running) {
        reply_error(s, "the thread is running");
        th = NULL;
    }
    return th;
}

/* A siginfo in the layout of the thread's program: the kernel's siginfo_t
 * for a 64-bit one, the i386 layout for a 32-bit one. 128 bytes both. */
union siginfo_image {
    siginfo_t native;
    struct siginfo32 compat;
    unsigned char bytes[SIGINFO32_SIZE];
};
_Static_assert(sizeof(union siginfo_image) == SIGINFO32_SIZE, "both layouts are 128 bytes");

/* TH's siginfo as its client sees it into IMG; replies with an error and
 * returns false if it has none. A 64-bit tracer is given the 64-bit
 * siginfo_t whatever the tracee runs: a 32-bit program's is converted. */
static bool siginfo_get(struct session *s, const struct thread *th, union siginfo_image *img)
{
    siginfo_t si;
    if (ptrace(PTRACE_GETSIGINFO, th->tid, NULL, &si) != 0) {
        reply_error(s, "no signal information: %s", strerror(errno));
        return false;
    }
    if (th->proc->abi == ABI_I386)
        siginfo_to_32(&si, &img->compat);
    else
        img->native = si;
    return true;
}

/* Gives TH the siginfo IMG (in its client's layout); replies with an
 * error and returns false if the kernel refuses. */
static bool siginfo_set(struct session *s, const struct thread *th, const union siginfo_image *img)
{
    siginfo_t si;
    if (th->proc->abi == ABI_I386)
        siginfo_from_32(&img->compat, &si);
    else
        si = img->native;
    if (ptrace(PTRACE_SETSIGINFO, th->tid, NULL, &si) != 0) {
        reply_error(s, "cannot change the signal information: %s", strerror(errno));
        return false;
    }
    return true;
}

/* qXfer:siginfo:read::OFFSET,LENGTH - the siginfo in the program's layout
 * (the kernel's siginfo_t as it is for a 64-bit program). */
HANDLER(handle_qXfer_siginfo_read)
{
    (void)len;
    char annex[8];
    uint64_t off, want;
    if (!xfer_parse_request(s, args, annex, sizeof annex, &off, &want))
        return;
    struct thread *th = siginfo_thread(s);
    if (!th)
        return;
    if (annex[0]) {
        reply_error(s, "siginfo takes no annex");
        return;
    }
    union siginfo_image img;
    if (siginfo_get(s, th, &img))
        xfer_reply_window(s, img.bytes, sizeof img.bytes, off, want);
}

/* qXfer:siginfo:write::OFFSET:DATA - changes part of it (the program's
 * handler then sees the change). Replies with the bytes written, hex. For
 * a 32-bit program the bytes land in its layout, which is converted back
 * as its new si_signo and si_code say. */
HANDLER(handle_qXfer_siginfo_write)
{
    const char *end = args + len;
    const char *p = args;
    uint64_t off;
    if (*p++ != ':' || !hex_parse_u64(&p, &off) || p >= end || *p++ != ':') {
        reply_error(s, "malformed qXfer:siginfo:write");
        return;
    }
    struct thread *th = siginfo_thread(s);
    if (!th)
        return;
    union siginfo_image img;
    size_t n = (size_t)(end - p);
    if (off > sizeof img.bytes || n > sizeof img.bytes - off) {
        reply_error(s, "write past the end of siginfo (%zu bytes)", sizeof img.bytes);
        return;
    }
    if (!siginfo_get(s, th, &img))
        return;
    memcpy(img.bytes + off, p, n);
    if (siginfo_set(s, th, &img))
        reply_printf(s, "%zx", n);
}
