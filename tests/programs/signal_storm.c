/* Mostly with a signal on its way: over and over, the program vforks a
 * child that sends it SIGALRM and takes 200 ms to exit. Until then the
 * program sleeps in vfork, where no signal reaches it, so a debugger
 * attaching now finds the SIGALRM ahead of its own SIGSTOP. A handler
 * counts the SIGALRMs; should one be lost (a debugger that swallows it),
 * the program says "lost" and exits 1. Prints "ready PID" first; ends by
 * itself after two minutes. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

volatile unsigned long handled;

static void on_alarm(int sig)
{
    (void)sig;
    handled++;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    printf("ready %d\n", (int)getpid());
    fflush(stdout);
    pid_t parent = getpid();
    time_t start = time(NULL);
    for (unsigned long cycles = 1; time(NULL) - start < 120; cycles++) {
        if (vfork() == 0) {
            /* Only system calls here: the child runs on its parent's stack.
             * Sent to the thread (as raise() does), not to the process: a
             * debugger's SIGSTOP is sent to the thread too, and of the
             * signals sent to a thread the lowest-numbered comes first. */
            struct timespec ts = {0, 200 * 1000 * 1000};
            syscall(SYS_tgkill, parent, parent, SIGALRM);
            nanosleep(&ts, NULL);
            _exit(0);
        }
        /* The SIGALRM was delivered as vfork returned. */
        if (handled != cycles) {
            printf("lost\n");
            fflush(stdout);
            return 1;
        }
    }
    return 0;
}
