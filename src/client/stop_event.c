#include "stop_event.h"

#include <string.h>

#include "rsp/hex.h"

/* "pPID.TID", "PID.TID" or "TID" (hex); -1 and 0 are not thread ids. */
static bool parse_thread(const char *p, const char *end, pid_t *pid, pid_t *tid)
{
    uint64_t a, b;
    if (p < end && *p == 'p') {
        p++;
        const char *q = p;
        if (!hex_parse_u64(&q, &a) || q >= end || *q != '.')
            return false;
        q++;
        if (!hex_parse_u64(&q, &b) || q != end)
            return false;
        if (a == 0 || a > 0x7fffffff || b == 0 || b > 0x7fffffff)
            return false;
        *pid = (pid_t)a;
        *tid = (pid_t)b;
        return true;
    }
    const char *q = p;
    if (!hex_parse_u64(&q, &b) || q != end || b == 0 || b > 0x7fffffff)
        return false;
    *tid = (pid_t)b;
    return true;
}

/* The two hex digits at P (a signal or an exit status). */
static bool parse_code(const char *p, size_t avail, int *code)
{
    if (avail < 2)
        return false;
    int hi = hex_digit_value(p[0]), lo = hex_digit_value(p[1]);
    if (hi < 0 || lo < 0)
        return false;
    *code = hi * 16 + lo;
    return true;
}

bool stop_event_parse(const char *reply, size_t len, struct stop_event *ev)
{
    memset(ev, 0, sizeof *ev);
    if (len == 0)
        return false;
    const char *end = reply + len;
    switch (reply[0]) {
    case 'N':
        ev->kind = STOP_NO_RESUMED;
        return len == 1;
    case 'S':
        ev->kind = STOP_SIGNAL;
        return len == 3 && parse_code(reply + 1, 2, &ev->code);
    case 'W':
    case 'X': {
        ev->kind = reply[0] == 'W' ? STOP_EXITED : STOP_KILLED;
        if (!parse_code(reply + 1, len - 1, &ev->code))
            return false;
        const char *p = reply + 3;
        if (p == end)
            return true;
        static const char tag[] = ";process:";
        size_t n = sizeof tag - 1;
        if ((size_t)(end - p) <= n || memcmp(p, tag, n) != 0)
            return false;
        p += n;
        uint64_t pid;
        if (!hex_parse_u64(&p, &pid) || p != end || pid == 0 || pid > 0x7fffffff)
            return false;
        ev->pid = (pid_t)pid;
        return true;
    }
    case 'T': {
        ev->kind = STOP_SIGNAL;
        if (!parse_code(reply + 1, len - 1, &ev->code))
            return false;
        /* NAME:VALUE; pairs; only thread: and swbreak: matter here. */
        for (const char *p = reply + 3; p < end;) {
            const char *semi = memchr(p, ';', (size_t)(end - p));
            const char *stop = semi ? semi : end;
            const char *colon = memchr(p, ':', (size_t)(stop - p));
            if (!colon)
                return false;
            size_t n = (size_t)(colon - p);
            if (n == 6 && memcmp(p, "thread", 6) == 0) {
                if (!parse_thread(colon + 1, stop, &ev->pid, &ev->tid))
                    return false;
            } else if (n == 7 && memcmp(p, "swbreak", 7) == 0) {
                ev->breakpoint = true;
            }
            p = semi ? semi + 1 : end;
        }
        return true;
    }
    default:
        return false;
    }
}

const char *stop_signal_name(int sig)
{
    /* GDB's own numbering (gdb/signals.def), which the protocol uses. */
    static const char *const names[] = {
        [1] = "SIGHUP",   [2] = "SIGINT",   [3] = "SIGQUIT",  [4] = "SIGILL",   [5] = "SIGTRAP",
        [6] = "SIGABRT",  [7] = "SIGEMT",   [8] = "SIGFPE",   [9] = "SIGKILL",  [10] = "SIGBUS",
        [11] = "SIGSEGV", [12] = "SIGSYS",  [13] = "SIGPIPE", [14] = "SIGALRM", [15] = "SIGTERM",
        [16] = "SIGURG",  [17] = "SIGSTOP", [18] = "SIGTSTP", [19] = "SIGCONT", [20] = "SIGCHLD",
        [21] = "SIGTTIN", [22] = "SIGTTOU", [23] = "SIGIO",   [24] = "SIGXCPU", [25] = "SIGXFSZ",
        [26] = "SIGVTALRM", [27] = "SIGPROF", [28] = "SIGWINCH", [30] = "SIGUSR1", [31] = "SIGUSR2",
    };
    if (sig <= 0 || (size_t)sig >= sizeof names / sizeof names[0])
        return NULL;
    return names[sig];
}
