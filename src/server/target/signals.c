/* Host (Linux x86-64) signal numbers <-> the numbers of the remote protocol,
 * which are GDB's own fixed enumeration, not any host's. */
#include <signal.h>

#include "target/target.h"

enum {
    GDB_SIGNAL_UNKNOWN = 143,
    GDB_SIGNAL_REALTIME_32 = 77,
    GDB_SIGNAL_REALTIME_33 = 45,   /* 33..63 are consecutive from here */
    GDB_SIGNAL_REALTIME_64 = 78,
};

/* Index: host signal 0..31; value: protocol number. */
static const unsigned char host_to_gdb[32] = {
    [0] = 0, [SIGHUP] = 1, [SIGINT] = 2, [SIGQUIT] = 3, [SIGILL] = 4, [SIGTRAP] = 5,
    [SIGABRT] = 6, [SIGBUS] = 10, [SIGFPE] = 8, [SIGKILL] = 9, [SIGUSR1] = 30,
    [SIGSEGV] = 11, [SIGUSR2] = 31, [SIGPIPE] = 13, [SIGALRM] = 14, [SIGTERM] = 15,
    [SIGSTKFLT] = GDB_SIGNAL_UNKNOWN, [SIGCHLD] = 20, [SIGCONT] = 19, [SIGSTOP] = 17,
    [SIGTSTP] = 18, [SIGTTIN] = 21, [SIGTTOU] = 22, [SIGURG] = 16, [SIGXCPU] = 24,
    [SIGXFSZ] = 25, [SIGVTALRM] = 26, [SIGPROF] = 27, [SIGWINCH] = 28, [SIGIO] = 23,
    [SIGPWR] = 32, [SIGSYS] = 12,
};

int signal_to_gdb(int host)
{
    if (host >= 0 && host < 32)
        return host_to_gdb[host];
    if (host == 32)
        return GDB_SIGNAL_REALTIME_32;
    if (host >= 33 && host <= 63)
        return GDB_SIGNAL_REALTIME_33 + (host - 33);
    if (host == 64)
        return GDB_SIGNAL_REALTIME_64;
    return GDB_SIGNAL_UNKNOWN;
}

int signal_from_gdb(int gdb)
{
    if (gdb <= 0)
        return 0;
    for (int h = 1; h < 32; h++)
        if (host_to_gdb[h] == gdb && gdb != GDB_SIGNAL_UNKNOWN)
            return h;
    if (gdb == GDB_SIGNAL_REALTIME_32)
        return 32;
    if (gdb >= GDB_SIGNAL_REALTIME_33 && gdb < GDB_SIGNAL_REALTIME_33 + 31)
        return 33 + (gdb - GDB_SIGNAL_REALTIME_33);
    if (gdb == GDB_SIGNAL_REALTIME_64)
        return 64;
    return 0;
}
