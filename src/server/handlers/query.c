/* Connection set-up and general queries. */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>

#include "handlers/handlers.h"
#include "packet_table.h"
#include "rsp/packet.h"
#include "rsp/hex.h"
#include "session.h"
#include "target/arch.h"

static bool has_feature(const char *args, size_t len, const char *feature)
{
    size_t n = strlen(feature);
    for (const char *p = args; p && p < args + len;) {
        if (*p == ':' || *p == ';')
            p++;
        if ((size_t)(args + len - p) >= n && memcmp(p, feature, n) == 0 &&
            (p[n] == ';' || p[n] == '\0'))
            return true;
        p = memchr(p, ';', (size_t)(args + len - p));
    }
    return false;
}

HANDLER(handle_qSupported)
{
    s->client_multiprocess = has_feature(args, len, "multiprocess+");
    s->client_swbreak = has_feature(args, len, "swbreak+");
    s->target.report_any_int3 = s->client_swbreak;
    s->client_hwbreak = has_feature(args, len, "hwbreak+");
    s->client_binary_upload = has_feature(args, len, "binary-upload+");
    s->client_no_resumed = has_feature(args, len, "no-resumed+");
    s->target.report_fork = has_feature(args, len, "fork-events+");
    s->target.report_vfork = has_feature(args, len, "vfork-events+");
    s->target.report_exec = has_feature(args, len, "exec-events+");
    packet_append_features(s);
}

HANDLER(handle_QStartNoAckMode)
{
    (void)args, (void)len;
    reply_str(s, "OK");
    s->ack_mode = false;
}

HANDLER(handle_extended_mode)
{
    (void)args, (void)len;
    s->extended = true;
    reply_str(s, "OK");
}

/* qXfer:features:read:ANNEX:OFFSET,LENGTH */
HANDLER(handle_qXfer_features)
{
    (void)len;
    char annex[64];
    uint64_t off, want;
    if (!xfer_parse_request(s, args, annex, sizeof annex, &off, &want))
        return;
    if (strcmp(annex, "target.xml") != 0) {
        reply_error(s, "no such target description '%s'", annex);
        return;
    }
    /* The current process's own: gdb reads it again after each launch
     * and attach, and on switching to a process of another kind. Without
     * a process there is none, as with gdbserver: gdb then goes by its
     * file or by "set architecture" (an x86-64 description would forbid
     * "set architecture i386"). */
    struct process *p = session_general_process(s);
    if (!p) {
        reply_error(s, "no process: no target description");
        return;
    }
    size_t total;
    const char *xml = arch_target_xml(&s->target, p, &total);
    xfer_reply_window(s, xml, total, off, want);
}

/* qXfer:auxv:read::OFFSET,LENGTH - the auxiliary vector of the current
 * process, from which gdb learns where a PIE program and ld.so are loaded. */
HANDLER(handle_qXfer_auxv)
{
    (void)len;
    char annex[8];
    uint64_t off, want;
    if (!xfer_parse_request(s, args, annex, sizeof annex, &off, &want))
        return;
    struct process *p = session_general_process(s);
    if (annex[0] || !p) {
        reply_error(s, annex[0] ? "auxv takes no annex" : "no process");
        return;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/auxv", (int)p->pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    uint8_t buf[4096];
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf) : -1;
    if (fd >= 0)
        close(fd);
    if (n < 0)
        reply_error(s, "cannot read %s: %s", path, strerror(errno));
    else
        xfer_reply_window(s, buf, (size_t)n, off, want);
}

/* qXfer:exec-file:read:PID:OFFSET,LENGTH - the program file of process PID
 * (hex; empty: the current process), so that gdb needs no local copy. */
HANDLER(handle_qXfer_exec_file)
{
    (void)len;
    char annex[24];
    uint64_t off, want;
    if (!xfer_parse_request(s, args, annex, sizeof annex, &off, &want))
        return;
    pid_t pid = 0;
    if (annex[0]) {
        const char *p = annex;
        uint64_t v;
        if (!hex_parse_u64(&p, &v) || *p || v == 0 || v > 0x7fffffff) {
            reply_error(s, "malformed process id '%s'", annex);
            return;
        }
        pid = (pid_t)v;
    } else {
        struct process *cur = session_general_process(s);
        if (!cur) {
            reply_error(s, "no process");
            return;
        }
        pid = cur->pid;
    }
    /* Reading a link in /proc touches no process: any pid will do. */
    char path[64], exe[4096];
    snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
    ssize_t n = readlink(path, exe, sizeof exe);
    if (n < 0)
        reply_error(s, "cannot read %s: %s", path, strerror(errno));
    else
        xfer_reply_window(s, exe, (size_t)n, off, want);
}

/* gdb offers symbol values for the server's use; a ptrace-only server needs
 * none (no libthread_db), so it answers at once. */
HANDLER(handle_qSymbol)
{
    (void)args, (void)len;
    reply_str(s, "OK");
}

HANDLER(handle_qAttached)
{
    (void)len;
    struct process *p = NULL;
    if (*args == ':') {
        const char *q = args + 1;
        uint64_t pid;
        if (!hex_parse_u64(&q, &pid) || *q) {
            reply_error(s, "malformed qAttached");
            return;
        }
        p = target_find_process(&s->target, (pid_t)pid);
    } else if (*args == '\0') {
        p = session_general_process(s);
    }
    if (!p) {
        reply_error(s, "no such process");
        return;
    }
    reply_str(s, p->attached ? "1" : "0");
}
