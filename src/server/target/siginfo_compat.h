/* The siginfo of a 32-bit (i386) program as it and its client see it, and
 * its conversion from and to the 64-bit siginfo_t.
 *
 * PTRACE_GETSIGINFO and PTRACE_SETSIGINFO speak the tracer's layout: a
 * 64-bit server gets and gives the 64-bit siginfo_t whatever mode the
 * tracee runs in. A client debugging an i386 program (gdb's $_siginfo)
 * reads and writes the 128-byte i386 layout, where longs and pointers are
 * 32 bits and the union starts at byte 12, not 16. Which member of the
 * union is meaningful follows from si_signo and si_code, chosen here as
 * the kernel chooses it when it gives a 32-bit program its siginfo.
 *
 * Pure conversions: no ptrace, no process. */
#ifndef DBGSRV_SIGINFO_COMPAT_H
#define DBGSRV_SIGINFO_COMPAT_H

#include <signal.h>
#include <stdint.h>

#define SIGINFO32_SIZE 128

union sigval32 {
    int32_t sival_int;
    uint32_t sival_ptr;
};

/* The i386 siginfo, byte for byte (all members 4-byte aligned at most, so
 * the x86-64 compiler lays it out as an i386 one would). */
struct siginfo32 {
    int32_t si_signo;
    int32_t si_errno;
    int32_t si_code;
    union {
        int32_t pad[(SIGINFO32_SIZE - 12) / 4];
        struct {                        /* kill(), SI_USER, SI_KERNEL */
            int32_t pid;
            uint32_t uid;
        } kill;
        struct {                        /* POSIX timers, SI_TIMER */
            int32_t tid;
            int32_t overrun;
            union sigval32 sigval;
        } timer;
        struct {                        /* sigqueue(), tgkill(), SI_QUEUE... */
            int32_t pid;
            uint32_t uid;
            union sigval32 sigval;
        } rt;
        struct {                        /* SIGCHLD */
            int32_t pid;
            uint32_t uid;
            int32_t status;
            int32_t utime;              /* clock_t, 32 bits */
            int32_t stime;
        } sigchld;
        struct {                        /* SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP */
            uint32_t addr;
            union {
                int16_t addr_lsb;       /* BUS_MCEERR_AR, BUS_MCEERR_AO */
                struct {                /* SEGV_BNDERR */
                    int16_t dummy;
                    uint32_t lower;
                    uint32_t upper;
                } bnd;
                struct {                /* SEGV_PKUERR */
                    int16_t dummy;
                    uint32_t pkey;
                } pkey;
                struct {                /* TRAP_PERF */
                    uint32_t data;
                    uint32_t type;
                    uint32_t flags;
                } perf;
            } u;
        } sigfault;
        struct {                        /* SIGPOLL, SI_SIGIO */
            int32_t band;               /* long, 32 bits */
            int32_t fd;
        } sigpoll;
        struct {                        /* SIGSYS */
            uint32_t call_addr;
            int32_t syscall;
            uint32_t arch;
        } sigsys;
    } fields;
};

/* Which union member a siginfo carries. */
enum siginfo_layout {
    SIGINFO_KILL,
    SIGINFO_TIMER,
    SIGINFO_RT,
    SIGINFO_CHLD,
    SIGINFO_FAULT,          /* the address only */
    SIGINFO_FAULT_MCEERR,   /* and addr_lsb */
    SIGINFO_FAULT_BNDERR,   /* and the bounds */
    SIGINFO_FAULT_PKUERR,   /* and the protection key */
    SIGINFO_FAULT_PERF,     /* and the perf event's data, type, flags */
    SIGINFO_POLL,
    SIGINFO_SYS,
};

/* The layout of a siginfo with SIGNO and CODE. */
enum siginfo_layout siginfo_layout(int signo, int code);

/* FROM (the kernel's 64-bit siginfo_t) in the i386 layout: si_signo,
 * si_errno, si_code and the member its layout names, pointers and longs
 * cut to 32 bits; every other byte zero. */
void siginfo_to_32(const siginfo_t *from, struct siginfo32 *to);

/* The other way, with the layout FROM's own si_signo and si_code name:
 * pointers widened with zeros, longs and clock_t with their sign; every
 * other byte zero. */
void siginfo_from_32(const struct siginfo32 *from, siginfo_t *to);

#endif
