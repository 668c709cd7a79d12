#include "target/debug_regs.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>

#include "log.h"
#include "target/target.h"

#define DR_OFFSET(i) (offsetof(struct user, u_debugreg) + (size_t)(i) * sizeof(unsigned long))
#define DR6_HIT_MASK 0xfu

/* [ADDR, ADDR+LEN) as aligned blocks of 1, 2, 4 or 8 bytes; false if it
 * needs more than MAX. */
struct block {
    uint64_t addr;
    unsigned len;
};

static size_t split(uint64_t addr, uint64_t len, struct block *out, size_t max)
{
    size_t n = 0;
    while (len > 0) {
        unsigned size = 8;
        while (size > 1 && (addr % size != 0 || size > len))
            size /= 2;
        if (n == max)
            return max + 1;
        out[n++] = (struct block){addr, size};
        addr += size;
        len -= size;
    }
    return n;
}

static struct hw_slot *find(struct debug_regs *d, enum hw_point type, uint64_t addr, unsigned len)
{
    for (int i = 0; i < DEBUG_REG_SLOTS; i++) {
        struct hw_slot *s = &d->slot[i];
        if (s->refs && s->type == type && s->addr == addr && s->len == len)
            return s;
    }
    return NULL;
}

static int free_slots(const struct debug_regs *d)
{
    int n = 0;
    for (int i = 0; i < DEBUG_REG_SLOTS; i++)
        n += d->slot[i].refs == 0;
    return n;
}

int debug_regs_insert(struct process *p, enum hw_point type, uint64_t addr, uint64_t len)
{
    struct debug_regs *d = &p->dregs;
    if (len == 0 || len > 8 * DEBUG_REG_SLOTS || addr + len < addr)
        return len == 0 ? EINVAL : ENOSPC;
    struct block blocks[DEBUG_REG_SLOTS];
    size_t n = type == HW_EXECUTE ? 1 : split(addr, len, blocks, DEBUG_REG_SLOTS);
    if (type == HW_EXECUTE)
        blocks[0] = (struct block){addr, 1};
    if (n > DEBUG_REG_SLOTS)
        return ENOSPC;
    /* gdb re-sends Z1 when the breakpoint's conditions change; one z1
     * still removes it. */
    if (type == HW_EXECUTE && find(d, type, addr, 1))
        return 0;
    int needed = 0;
    for (size_t i = 0; i < n; i++)
        needed += find(d, type, blocks[i].addr, blocks[i].len) == NULL;
    if (needed > free_slots(d))
        return ENOSPC;
    for (size_t i = 0; i < n; i++) {
        struct hw_slot *s = find(d, type, blocks[i].addr, blocks[i].len);
        if (!s) {
            for (s = d->slot; s->refs; s++)
                ;
            *s = (struct hw_slot){0, blocks[i].addr, blocks[i].len, type};
        }
        s->refs++;
    }
    d->generation++;
    return 0;
}

int debug_regs_remove(struct process *p, enum hw_point type, uint64_t addr, uint64_t len)
{
    struct debug_regs *d = &p->dregs;
    struct block blocks[DEBUG_REG_SLOTS];
    size_t n = type == HW_EXECUTE ? 1 : split(addr, len, blocks, DEBUG_REG_SLOTS);
    if (type == HW_EXECUTE)
        blocks[0] = (struct block){addr, 1};
    if (len == 0 || n > DEBUG_REG_SLOTS)
        return ENOENT;
    for (size_t i = 0; i < n; i++)
        if (!find(d, type, blocks[i].addr, blocks[i].len))
            return ENOENT;
    for (size_t i = 0; i < n; i++)
        find(d, type, blocks[i].addr, blocks[i].len)->refs--;
    d->generation++;
    return 0;
}

void debug_regs_reset(struct process *p)
{
    memset(p->dregs.slot, 0, sizeof p->dregs.slot);
    p->dregs.generation++;
}

/* DR7: enable bit L<i> (bit 2i), and for each slot its condition (RW,
 * bits 16+4i: 00 execute, 01 write, 11 read or write) and length (LEN,
 * bits 18+4i: 00 one byte, 01 two, 11 four, 10 eight). */
static unsigned long dr7_of(const struct debug_regs *d)
{
    unsigned long dr7 = 0;
    for (int i = 0; i < DEBUG_REG_SLOTS; i++) {
        const struct hw_slot *s = &d->slot[i];
        if (!s->refs)
            continue;
        unsigned long rw = s->type == HW_EXECUTE ? 0 : s->type == HW_WRITE ? 1 : 3;
        unsigned long ln = s->len == 1 ? 0 : s->len == 2 ? 1 : s->len == 8 ? 2 : 3;
        if (s->type == HW_EXECUTE)
            ln = 0;
        dr7 |= (1ul << (2 * i)) | (rw << (16 + 4 * i)) | (ln << (18 + 4 * i));
    }
    return dr7;
}

static bool poke_dr(pid_t tid, int i, unsigned long value)
{
    if (ptrace(PTRACE_POKEUSER, tid, (void *)DR_OFFSET(i), (void *)value) == 0)
        return true;
    log_debug("debug register %d of thread %d: %s", i, (int)tid, strerror(errno));
    return false;
}

bool debug_regs_apply(struct thread *th)
{
    const struct debug_regs *d = &th->proc->dregs;
    if (th->dregs_generation == d->generation)
        return true;
    /* Disable first: the kernel checks each address against the DR7 in
     * force, and an address may move from one slot's use to another's. */
    bool ok = poke_dr(th->tid, 7, 0);
    for (int i = 0; i < DEBUG_REG_SLOTS && ok; i++)
        if (d->slot[i].refs)
            ok = poke_dr(th->tid, i, (unsigned long)d->slot[i].addr);
    unsigned long dr7 = dr7_of(d);
    if (ok && dr7)
        ok = poke_dr(th->tid, 7, dr7);
    if (ok)
        th->dregs_generation = d->generation;
    return ok;
}

void debug_regs_clear_thread(struct thread *th)
{
    if (dr7_of(&th->proc->dregs) || th->dregs_generation != 0)
        poke_dr(th->tid, 7, 0);
}

const struct hw_slot *debug_regs_hit(struct thread *th)
{
    errno = 0;
    long dr6 = ptrace(PTRACE_PEEKUSER, th->tid, (void *)DR_OFFSET(6), NULL);
    if (errno != 0 || !(dr6 & DR6_HIT_MASK))
        return NULL;
    poke_dr(th->tid, 6, 0);
    for (int i = 0; i < DEBUG_REG_SLOTS; i++)
        if ((dr6 & (1l << i)) && th->proc->dregs.slot[i].refs)
            return &th->proc->dregs.slot[i];
    return NULL;
}

bool debug_regs_has(const struct process *p, enum hw_point type, uint64_t addr)
{
    for (int i = 0; i < DEBUG_REG_SLOTS; i++)
        if (p->dregs.slot[i].refs && p->dregs.slot[i].type == type && p->dregs.slot[i].addr == addr)
            return true;
    return false;
}

bool debug_regs_in_use(const struct process *p)
{
    return free_slots(&p->dregs) < DEBUG_REG_SLOTS;
}
