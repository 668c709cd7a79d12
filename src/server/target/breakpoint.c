/* Software breakpoints kept by the server: an int3 (0xcc) over the first
 * byte of the instruction, the original byte saved. Keeping them here (not
 * only in the client) lets memory reads hide them and lets the event code
 * recognise a hit from any thread. A vfork child sharing its parent's
 * memory uses its parent's list (process_breakpoint_owner). */
#include <errno.h>
#include <stdlib.h>

#include "target/target.h"

#define INT3 0xcc

struct sw_breakpoint *breakpoint_find(struct process *p, uint64_t addr)
{
    p = process_breakpoint_owner(p);
    for (struct sw_breakpoint *bp = p->breakpoints; bp; bp = bp->next)
        if (bp->addr == addr)
            return bp;
    return NULL;
}

int breakpoint_insert(struct process *p, uint64_t addr)
{
    p = process_breakpoint_owner(p);
    struct sw_breakpoint *bp = breakpoint_find(p, addr);
    if (bp)
        return 0;   /* idempotent, as gdb expects: one z0 removes it */
    uint8_t saved, int3 = INT3;
    if (!process_peek(p, addr, &saved, 1))
        return EFAULT;
    if (!process_poke(p, addr, &int3, 1))
        return EFAULT;
    bp = calloc(1, sizeof *bp);
    if (!bp) {
        process_poke(p, addr, &saved, 1);
        return ENOMEM;
    }
    bp->addr = addr;
    bp->saved = saved;
    bp->next = p->breakpoints;
    p->breakpoints = bp;
    return 0;
}

static void unlink_bp(struct process *p, struct sw_breakpoint *bp)
{
    for (struct sw_breakpoint **pp = &p->breakpoints; *pp; pp = &(*pp)->next)
        if (*pp == bp) {
            *pp = bp->next;
            break;
        }
    free(bp);
}

int breakpoint_remove(struct process *p, uint64_t addr)
{
    p = process_breakpoint_owner(p);
    struct sw_breakpoint *bp = breakpoint_find(p, addr);
    if (!bp)
        return ENOENT;
    bool ok = process_poke(p, addr, &bp->saved, 1);
    unlink_bp(p, bp);
    return ok ? 0 : EFAULT;
}

void breakpoint_remove_all(struct process *p)
{
    while (p->breakpoints) {
        process_poke(p, p->breakpoints->addr, &p->breakpoints->saved, 1);
        unlink_bp(p, p->breakpoints);
    }
}

void breakpoint_free_all(struct process *p)
{
    while (p->breakpoints)
        unlink_bp(p, p->breakpoints);
}
