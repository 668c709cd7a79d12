/* clone() without CLONE_THREAD makes a new process that shares memory but
 * is not a thread: the server must not take it for one. The child runs for
 * about a second and exits by itself. */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int child(void *arg)
{
    (void)arg;
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
