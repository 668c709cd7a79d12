/* The program forks execs: prints its argument and exits with status 5. */
#include <stdio.h>

int target_mark(const char *arg)
{
    printf("exec_target running: %s\n", arg);   /* a breakpoint target */
    fflush(stdout);
    return 5;
}

int main(int argc, char **argv)
{
    return target_mark(argc > 1 ? argv[1] : "");
}
