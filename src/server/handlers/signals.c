/* QPassSignals and QProgramSignals: which signals the client wants passed
 * to the program without a stop report, and which the program may get at
 * all from the server on its own. Lists of signal numbers in the client's
 * numbering, hex, separated by ';'. And qXfer:siginfo: the siginfo of the
 * signal a thread stopped with ($_siginfo in gdb), read and written. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ptrace.h>

#include "handlers/handlers.h"
#include "rsp/hex.h"
#include "session.h"

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
    } else if (th->proc->abi != ABI_X86_64) {
        /* The kernel hands a 64-bit tracer the 64-bit layout; a 32-bit
         * program's client expects its own, which is not converted (yet):
         * an error rather than fields in the wrong places. */
        reply_error(s, "the siginfo of a 32-bit process is not available");
        th = NULL;
    }
    return th;
}

/* qXfer:siginfo:read::OFFSET,LENGTH - the kernel's siginfo_t, as it is. */
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
    siginfo_t si;
    if (annex[0]) {
        reply_error(s, "siginfo takes no annex");
        return;
    }
    if (ptrace(PTRACE_GETSIGINFO, th->tid, NULL, &si) != 0) {
        reply_error(s, "no signal information: %s", strerror(errno));
        return;
    }
    xfer_reply_window(s, &si, sizeof si, off, want);
}

/* qXfer:siginfo:write::OFFSET:DATA - changes part of it (the program's
 * handler then sees the change). Replies with the bytes written, hex. */
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
    siginfo_t si;
    size_t n = (size_t)(end - p);
    if (off > sizeof si || n > sizeof si - off) {
        reply_error(s, "write past the end of siginfo (%zu bytes)", sizeof si);
        return;
    }
    if (ptrace(PTRACE_GETSIGINFO, th->tid, NULL, &si) != 0) {
        reply_error(s, "no signal information: %s", strerror(errno));
        return;
    }
    memcpy((char *)&si + off, p, n);
    if (ptrace(PTRACE_SETSIGINFO, th->tid, NULL, &si) != 0)
        reply_error(s, "cannot change the signal information: %s", strerror(errno));
    else
        reply_printf(s, "%zx", n);
}
