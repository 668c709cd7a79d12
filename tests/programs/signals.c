/* Signal handling under the debugger. Modes (argument 1):
 *   usr1   raise SIGUSR1 with a handler installed; print "handled=N" after
 *   abort  die of SIGABRT
 *   wait   print "ready PID", then wait for signals forever, printing each
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

volatile sig_atomic_t handled;
volatile sig_atomic_t last_signal;

static void on_signal(int sig)
{
    handled++;
    last_signal = sig;
}

void after_raise(void)
{
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "usr1";
    signal(SIGUSR1, on_signal);
    signal(SIGUSR2, on_signal);
    if (strcmp(mode, "abort") == 0)
        abort();
    if (strcmp(mode, "wait") == 0) {
        printf("ready %d\n", (int)getpid());
        fflush(stdout);
        for (;;) {
            pause();
            printf("got %d\n", (int)last_signal);
            fflush(stdout);
        }
    }
    raise(SIGUSR1);
    after_raise();
    printf("handled=%d last=%d\n", (int)handled, (int)last_signal);
    fflush(stdout);
    return 0;
}
