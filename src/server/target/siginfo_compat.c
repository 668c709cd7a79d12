#include "target/siginfo_compat.h"

#include <stddef.h>
#include <string.h>

_Static_assert(sizeof(struct siginfo32) == SIGINFO32_SIZE, "the i386 siginfo is 128 bytes");
_Static_assert(sizeof(siginfo_t) == SIGINFO32_SIZE, "so is the x86-64 one");
_Static_assert(offsetof(struct siginfo32, fields) == 12, "the i386 union follows the three ints");
_Static_assert(offsetof(struct siginfo32, fields.sigchld.stime) == 28, "i386 SIGCHLD layout");
_Static_assert(offsetof(struct siginfo32, fields.sigfault.u.addr_lsb) == 16, "i386 fault layout");
_Static_assert(offsetof(struct siginfo32, fields.sigfault.u.bnd.lower) == 20, "i386 bounds layout");
_Static_assert(offsetof(struct siginfo32, fields.sigfault.u.bnd.upper) == 24, "i386 bounds layout");
_Static_assert(offsetof(struct siginfo32, fields.sigfault.u.pkey.pkey) == 20, "i386 pkey layout");
_Static_assert(offsetof(struct siginfo32, fields.sigfault.u.perf.flags) == 24, "i386 perf layout");
_Static_assert(offsetof(struct siginfo32, fields.sigsys.arch) == 20, "i386 SIGSYS layout");

/* The perf event member of the 64-bit fault union (TRAP_PERF), which
 * glibc's siginfo_t does not name: the address, then an unsigned long
 * where si_addr_lsb is, then two 32-bit words where the bounds are. */
struct perf64 {
    uint64_t addr;
    uint64_t data;
    uint32_t type;
    uint32_t flags;
};
_Static_assert(offsetof(struct perf64, data) == offsetof(siginfo_t, si_addr_lsb) - offsetof(siginfo_t, si_addr),
               "the perf data is where si_addr_lsb is");
_Static_assert(offsetof(struct perf64, type) == offsetof(siginfo_t, si_lower) - offsetof(siginfo_t, si_addr),
               "the perf type is where the lower bound is");

#ifndef TRAP_PERF
#define TRAP_PERF 6
#endif

/* The highest si_code with a meaning of its own, per signal (the kernel's
 * NSIGILL, NSIGFPE... at their newest), and the union member those codes
 * use; above it, and for other signals, a positive code below SI_KERNEL
 * is taken for a SIGPOLL one. */
static const struct {
    int signo, last_code;
    enum siginfo_layout layout;
} signal_codes[] = {
    {SIGILL, 11, SIGINFO_FAULT}, {SIGFPE, 15, SIGINFO_FAULT}, {SIGSEGV, 10, SIGINFO_FAULT},
    {SIGBUS, 5, SIGINFO_FAULT},  {SIGTRAP, 6, SIGINFO_FAULT}, {SIGCHLD, 6, SIGINFO_CHLD},
    {SIGSYS, 2, SIGINFO_SYS},
};
#define CODES_POLL 6

/* The fault codes whose union member has more than the address. */
static enum siginfo_layout fault_variant(int signo, int code)
{
    if (signo == SIGSEGV && code == SEGV_BNDERR)
        return SIGINFO_FAULT_BNDERR;
    if (signo == SIGSEGV && code == SEGV_PKUERR)
        return SIGINFO_FAULT_PKUERR;
    if (signo == SIGBUS && (code == BUS_MCEERR_AR || code == BUS_MCEERR_AO))
        return SIGINFO_FAULT_MCEERR;
    if (signo == SIGTRAP && code == TRAP_PERF)
        return SIGINFO_FAULT_PERF;
    return SIGINFO_FAULT;
}

enum siginfo_layout siginfo_layout(int signo, int code)
{
    if (code <= SI_USER || code >= SI_KERNEL) {
        if (code == SI_TIMER)
            return SIGINFO_TIMER;
        if (code == SI_SIGIO)
            return SIGINFO_POLL;
        return code < 0 ? SIGINFO_RT : SIGINFO_KILL;
    }
    for (size_t i = 0; i < sizeof signal_codes / sizeof signal_codes[0]; i++)
        if (signal_codes[i].signo == signo && code <= signal_codes[i].last_code)
            return signal_codes[i].layout == SIGINFO_FAULT ? fault_variant(signo, code) : signal_codes[i].layout;
    return code <= CODES_POLL ? SIGINFO_POLL : SIGINFO_KILL;
}

static uint32_t ptr32(const void *p)
{
    return (uint32_t)(uintptr_t)p;
}

static void *ptr64(uint32_t p)
{
    return (void *)(uintptr_t)p;
}

void siginfo_to_32(const siginfo_t *from, struct siginfo32 *to)
{
    memset(to, 0, sizeof *to);
    to->si_signo = from->si_signo;
    to->si_errno = from->si_errno;
    to->si_code = from->si_code;
    switch (siginfo_layout(from->si_signo, from->si_code)) {
    case SIGINFO_KILL:
        to->fields.kill.pid = from->si_pid;
        to->fields.kill.uid = from->si_uid;
        break;
    case SIGINFO_TIMER:
        to->fields.timer.tid = from->si_timerid;
        to->fields.timer.overrun = from->si_overrun;
        to->fields.timer.sigval.sival_int = from->si_int;
        break;
    case SIGINFO_RT:
        to->fields.rt.pid = from->si_pid;
        to->fields.rt.uid = from->si_uid;
        to->fields.rt.sigval.sival_int = from->si_int;
        break;
    case SIGINFO_CHLD:
        to->fields.sigchld.pid = from->si_pid;
        to->fields.sigchld.uid = from->si_uid;
        to->fields.sigchld.status = from->si_status;
        to->fields.sigchld.utime = (int32_t)from->si_utime;
        to->fields.sigchld.stime = (int32_t)from->si_stime;
        break;
    case SIGINFO_FAULT:
        to->fields.sigfault.addr = ptr32(from->si_addr);
        break;
    case SIGINFO_FAULT_MCEERR:
        to->fields.sigfault.addr = ptr32(from->si_addr);
        to->fields.sigfault.u.addr_lsb = from->si_addr_lsb;
        break;
    case SIGINFO_FAULT_BNDERR:
        to->fields.sigfault.addr = ptr32(from->si_addr);
        to->fields.sigfault.u.bnd.lower = ptr32(from->si_lower);
        to->fields.sigfault.u.bnd.upper = ptr32(from->si_upper);
        break;
    case SIGINFO_FAULT_PKUERR:
        to->fields.sigfault.addr = ptr32(from->si_addr);
        to->fields.sigfault.u.pkey.pkey = from->si_pkey;
        break;
    case SIGINFO_FAULT_PERF: {
        struct perf64 perf;
        memcpy(&perf, &from->_sifields, sizeof perf);
        to->fields.sigfault.addr = (uint32_t)perf.addr;
        to->fields.sigfault.u.perf.data = (uint32_t)perf.data;
        to->fields.sigfault.u.perf.type = perf.type;
        to->fields.sigfault.u.perf.flags = perf.flags;
        break;
    }
    case SIGINFO_POLL:
        to->fields.sigpoll.band = (int32_t)from->si_band;
        to->fields.sigpoll.fd = from->si_fd;
        break;
    case SIGINFO_SYS:
        to->fields.sigsys.call_addr = ptr32(from->si_call_addr);
        to->fields.sigsys.syscall = from->si_syscall;
        to->fields.sigsys.arch = from->si_arch;
        break;
    }
}

void siginfo_from_32(const struct siginfo32 *from, siginfo_t *to)
{
    memset(to, 0, sizeof *to);
    to->si_signo = from->si_signo;
    to->si_errno = from->si_errno;
    to->si_code = from->si_code;
    switch (siginfo_layout(from->si_signo, from->si_code)) {
    case SIGINFO_KILL:
        to->si_pid = from->fields.kill.pid;
        to->si_uid = from->fields.kill.uid;
        break;
    case SIGINFO_TIMER:
        to->si_timerid = from->fields.timer.tid;
        to->si_overrun = from->fields.timer.overrun;
        to->si_int = from->fields.timer.sigval.sival_int;
        break;
    case SIGINFO_RT:
        to->si_pid = from->fields.rt.pid;
        to->si_uid = from->fields.rt.uid;
        to->si_int = from->fields.rt.sigval.sival_int;
        break;
    case SIGINFO_CHLD:
        to->si_pid = from->fields.sigchld.pid;
        to->si_uid = from->fields.sigchld.uid;
        to->si_status = from->fields.sigchld.status;
        to->si_utime = from->fields.sigchld.utime;
        to->si_stime = from->fields.sigchld.stime;
        break;
    case SIGINFO_FAULT:
        to->si_addr = ptr64(from->fields.sigfault.addr);
        break;
    case SIGINFO_FAULT_MCEERR:
        to->si_addr = ptr64(from->fields.sigfault.addr);
        to->si_addr_lsb = from->fields.sigfault.u.addr_lsb;
        break;
    case SIGINFO_FAULT_BNDERR:
        to->si_addr = ptr64(from->fields.sigfault.addr);
        to->si_lower = ptr64(from->fields.sigfault.u.bnd.lower);
        to->si_upper = ptr64(from->fields.sigfault.u.bnd.upper);
        break;
    case SIGINFO_FAULT_PKUERR:
        to->si_addr = ptr64(from->fields.sigfault.addr);
        to->si_pkey = from->fields.sigfault.u.pkey.pkey;
        break;
    case SIGINFO_FAULT_PERF: {
        struct perf64 perf = {
            .addr = from->fields.sigfault.addr,
            .data = from->fields.sigfault.u.perf.data,
            .type = from->fields.sigfault.u.perf.type,
            .flags = from->fields.sigfault.u.perf.flags,
        };
        memcpy(&to->_sifields, &perf, sizeof perf);
        break;
    }
    case SIGINFO_POLL:
        to->si_band = from->fields.sigpoll.band;
        to->si_fd = from->fields.sigpoll.fd;
        break;
    case SIGINFO_SYS:
        to->si_call_addr = ptr64(from->fields.sigsys.call_addr);
        to->si_syscall = from->fields.sigsys.syscall;
        to->si_arch = from->fields.sigsys.arch;
        break;
    }
}
