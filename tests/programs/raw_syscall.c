/* A system call instruction at a known address (syscall_insn), made three
 * times, then after_syscalls(): a breakpoint on the instruction whose
 * condition is false must be stepped over by the server, and x86 ends
 * such a step with TRAP_BRKPT (the system call's exit), not TRAP_TRACE. */
#include <stdio.h>
#include <sys/syscall.h>

long raw_getpid(void);
__asm__(".text\n"
        ".globl raw_getpid\n"
        "raw_getpid:\n"
        "    mov $" "39" ", %eax\n"   /* SYS_getpid on x86-64 */
        ".globl syscall_insn\n"
        "syscall_insn:\n"
        "    syscall\n"
        "    ret\n");

void after_syscalls(void)
{
}

int main(void)
{
    long pid = 0;
    for (int i = 0; i < 3; i++)
        pid = raw_getpid();
    after_syscalls();
    printf("getpid %ld\n", pid);
    return 0;
}
