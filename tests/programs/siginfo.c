/* Queues SIGUSR1 to itself with a value (sigqueue), and its SA_SIGINFO
 * handler prints what it got: for reading and writing a stopped signal's
 * siginfo ($_siginfo in gdb). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    printf("signo=%d code=%d errno=%d value=%d\n", sig, si->si_code, si->si_errno, si->si_value.sival_int);
    fflush(stdout);
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    union sigval v = {.sival_int = 1234};
    sigqueue(getpid(), SIGUSR1, v);
    return 0;
}
