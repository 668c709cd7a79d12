/* clone() with CLONE_VM but without CLONE_THREAD makes a new process that
 * shares the memory: gdb and gdbserver take it for a thread of the process
 * (it runs the process's code, breakpoints included), and so does the
 * server. The child calls clone_child_mark(), then runs for about a second
 * and exits by itself. */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void clone_child_mark(void)
{
}

static int child(void *arg)
{
    (void)arg;
    clone_child_mark();
    usleep(1000000);
    _exit(0);
}

void bp(void)
{
}

int main(void)
{
    char *stack = malloc(65536);
    if (clone(child, stack + 65536, CLONE_VM, NULL) < 0)
        return 1;
    usleep(100000);
    bp();
    printf("clone_process done\n");
    fflush(stdout);
    return 0;
}
