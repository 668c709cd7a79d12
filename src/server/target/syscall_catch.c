/* The set of system calls a process stops at (QCatchSyscalls). */
#include <string.h>

#include "target/target.h"

void syscall_catch_clear(struct syscall_catch *c)
{
    memset(c, 0, sizeof *c);
}

bool syscall_catch_add(struct syscall_catch *c, uint64_t nr)
{
    if (nr >= SYSCALL_CATCH_MAX)
        return false;
    c->set[nr / 8] |= (uint8_t)(1u << (nr % 8));
    return true;
}

bool syscall_catch_wants(const struct syscall_catch *c, long nr)
{
    if (!c->on)
        return false;
    if (c->all)
        return true;
    return nr >= 0 && nr < SYSCALL_CATCH_MAX && (c->set[nr / 8] & (1u << (nr % 8)));
}
