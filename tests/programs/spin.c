/* Runs until killed, touching a counter. Used to attach, interrupt and
 * detach. With the argument "busy" it never sleeps (interrupting a thread
 * that is never in a system call). Prints "ready PID" once running. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

volatile unsigned long counter;

void tick(void)
{
    counter++;
}

int main(int argc, char **argv)
{
    int busy = argc > 1 && strcmp(argv[1], "busy") == 0;
    printf("ready %d\n", (int)getpid());
    fflush(stdout);
    for (;;) {
        tick();
        if (!busy)
            usleep(1000);
    }
}
