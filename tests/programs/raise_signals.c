/* Raises each signal given as an argument (host signal numbers, in order)
 * with a handler installed, and prints "got N" for each one the handler
 * saw, then "done". Used to check the translation of signal numbers both
 * ways (reported to the client, delivered by the client). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t last;

static void on_signal(int sig)
{
    last = sig;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        int sig = atoi(argv[i]);
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigaction(sig, &sa, NULL);
        last = 0;
        raise(sig);
        if (last == sig)
            printf("got %d\n", sig);
        else
            printf("missed %d\n", sig);
        fflush(stdout);
    }
    printf("done\n");
    fflush(stdout);
    return 0;
}
