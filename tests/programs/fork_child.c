/* A debuggee that forks: the child (not followed) runs through code that
 * has a breakpoint in the parent's memory and must not die of it. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int work(int x)
{
    return x * 2 + 1;
}

int main(void)
{
    pid_t c = fork();
    if (c == 0)
        _exit(work(3));
    int st;
    waitpid(c, &st, 0);
    printf("child exited=%d status=%d signaled=%d\n", WIFEXITED(st), WEXITSTATUS(st), WIFSIGNALED(st));
    fflush(stdout);
    return work(1);
}
