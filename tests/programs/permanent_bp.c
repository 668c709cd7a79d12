/* An int3 in the program's own code (a "permanent breakpoint", at
 * permanent_insn), reached through a call that gdb nexts over. */
#include <stdio.h>

volatile int after;

void with_int3(void)
{
    __asm__ volatile(".globl permanent_insn\npermanent_insn:\n    int3");
    after++;
}

int main(void)
{
    with_int3();   /* the call */
    printf("after %d\n", after);   /* the line after */
    return 0;
}
