/* For reading and writing a stopped signal's siginfo ($_siginfo in gdb):
 * its SA_SIGINFO handlers print what they got. Modes (argument 1):
 *   (none)  queue SIGUSR1 to itself with a value (sigqueue)
 *   segv    store to FAULT_ADDR, which is not mapped: SIGSEGV there (the
 *           handler prints the address it was given, then exits 0) */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define FAULT_ADDR 0x1234

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    printf("signo=%d code=%d errno=%d value=%d\n", sig, si->si_code, si->si_errno, si->si_value.sival_int);
    fflush(stdout);
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    printf("signo=%d code=%d addr=%#lx\n", sig, si->si_code, (unsigned long)(uintptr_t)si->si_addr);
    fflush(stdout);
    _exit(0);
}

static void handle(int sig, void (*fn)(int, siginfo_t *, void *))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO;
    sigaction(sig, &sa, NULL);
}

int main(int argc, char **argv)
{
    handle(SIGUSR1, on_usr1);
    handle(SIGSEGV, on_segv);
    if (argc > 1 && strcmp(argv[1], "segv") == 0) {
        *(volatile int *)FAULT_ADDR = 1;
        return 1;
    }
    union sigval v = {.sival_int = 1234};
    sigqueue(getpid(), SIGUSR1, v);
    return 0;
}
