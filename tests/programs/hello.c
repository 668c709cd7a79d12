/* Prints its arguments and exits with a chosen status (the first argument,
 * if numeric). Used for launch, breakpoints and exit reports. */
#include <stdio.h>
#include <stdlib.h>

int add(int a, int b)
{
    return a + b;   /* a breakpoint target */
}

int main(int argc, char **argv)
{
    int sum = 0;
    for (int i = 0; i < 3; i++)
        sum = add(sum, i);
    printf("sum=%d argc=%d\n", sum, argc);
    for (int i = 1; i < argc; i++)
        printf("arg%d=%s\n", i, argv[i]);
    fflush(stdout);
    return argc > 1 ? atoi(argv[1]) : 0;
}
