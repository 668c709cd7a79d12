/* Software breakpoints kept by the server: an int3 (0xcc) over the first
 * byte of the instruction, the original byte saved. Keeping them here (not
 * only in the client) lets memory reads hide them and lets the event code
 * recognise a hit from any thread. A vfork child sharing its parent's
 * memory uses its parent's list (process_breakpoint_owner). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent_expr.h"
#include "io.h"
#include "log.h"
#include "target/arch.h"
#include "target/target.h"

struct sw_breakpoint *breakpoint_find(struct process *p, uint64_t addr)
{
    p = process_breakpoint_owner(p);
    for (struct sw_breakpoint *bp = p->breakpoints; bp; bp = bp->next)
        if (bp->addr == addr)
            return bp;
    return NULL;
}

/* Moves OPTS into BP (the old ones freed). */
static void take_options(struct sw_breakpoint *bp, struct bp_options *opts)
{
    bp_options_free(&bp->opts);
    if (opts) {
        bp->opts = *opts;
        memset(opts, 0, sizeof *opts);
    }
}

int breakpoint_insert(struct process *p, uint64_t addr, struct bp_options *opts)
{
    p = process_breakpoint_owner(p);
    struct sw_breakpoint *bp = breakpoint_find(p, addr);
    uint8_t saved, int3 = INT3;
    if (bp) {
        /* Idempotent, as gdb expects (one z0 removes it); what it carries
         * is the newest: gdb re-sends Z0 when a condition changes. Unless
         * the int3 is gone: the library it was in was unloaded and another
         * one is there now (gdb inserts its breakpoint at the same
         * address), whose own byte is the one to keep. */
        if (process_peek(p, addr, &saved, 1) && saved != INT3 && process_poke(p, addr, &int3, 1))
            bp->saved = saved;
        take_options(bp, opts);
        return 0;
    }
    if (!process_peek(p, addr, &saved, 1) || !process_poke(p, addr, &int3, 1)) {
        if (opts)
            bp_options_free(opts);
        return EFAULT;
    }
    bp = calloc(1, sizeof *bp);
    if (!bp) {
        process_poke(p, addr, &saved, 1);
        if (opts)
            bp_options_free(opts);
        return ENOMEM;
    }
    bp->addr = addr;
    bp->saved = saved;
    take_options(bp, opts);
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
    bp_options_free(&bp->opts);
    free(bp);
}

/* Puts the original byte back if our int3 is still there. One that is
 * gone went with its library: another library's code may be there now,
 * whose bytes are not ours to change. Unmapped memory is an error, as
 * with gdbserver (gdb warns that the breakpoint could not be removed). */
static bool restore_byte(struct process *p, const struct sw_breakpoint *bp)
{
    uint8_t now;
    if (!process_peek(p, bp->addr, &now, 1))
        return false;
    return now != INT3 || process_poke(p, bp->addr, &bp->saved, 1);
}

int breakpoint_remove(struct process *p, uint64_t addr)
{
    p = process_breakpoint_owner(p);
    struct sw_breakpoint *bp = breakpoint_find(p, addr);
    if (!bp)
        return ENOENT;
    bool ok = restore_byte(p, bp);
    unlink_bp(p, bp);
    return ok ? 0 : EFAULT;
}

void breakpoint_remove_all(struct process *p)
{
    while (p->breakpoints) {
        restore_byte(p, p->breakpoints);
        unlink_bp(p, p->breakpoints);
    }
}

void breakpoint_free_all(struct process *p)
{
    while (p->breakpoints)
        unlink_bp(p, p->breakpoints);
    while (p->hw_conditions)
        breakpoint_set_hw_options(p, p->hw_conditions->addr, NULL);
}

int breakpoint_set_hw_options(struct process *p, uint64_t addr, struct bp_options *opts)
{
    struct hw_condition **pp = &p->hw_conditions;
    while (*pp && (*pp)->addr != addr)
        pp = &(*pp)->next;
    if (!opts || !bp_options_any(opts)) {
        if (*pp) {
            struct hw_condition *c = *pp;
            *pp = c->next;
            bp_options_free(&c->opts);
            free(c);
        }
        return 0;
    }
    if (!*pp) {
        *pp = calloc(1, sizeof **pp);
        if (!*pp) {
            bp_options_free(opts);
            return ENOMEM;
        }
        (*pp)->addr = addr;
    }
    bp_options_free(&(*pp)->opts);
    (*pp)->opts = *opts;
    memset(opts, 0, sizeof *opts);
    return 0;
}

const struct bp_options *breakpoint_hw_options(const struct process *p, uint64_t addr)
{
    for (const struct hw_condition *c = p->hw_conditions; c; c = c->next)
        if (c->addr == addr)
            return &c->opts;
    return NULL;
}

/* ---- conditions and commands ---- */

struct hit_ctx {
    struct target *t;
    struct thread *th;
};

static bool hit_read_memory(void *ctx, uint64_t addr, void *buf, size_t len)
{
    struct hit_ctx *h = ctx;
    return process_read_memory(h->th->proc, addr, buf, len) == len;
}

/* Registers in the numbering of the thread's own process (i386 or x86-64),
 * which is the one gdb compiled the expression with. */
static bool hit_read_register(void *ctx, int regno, uint64_t *value)
{
    struct hit_ctx *h = ctx;
    size_t size = arch_reg_size(h->t, h->th->proc, regno);
    uint8_t buf[ARCH_MAX_REG_SIZE];
    if (size == 0 || size > 8 || !arch_read_reg(h->t, h->th, regno, buf))
        return false;
    uint64_t v = 0;
    for (size_t i = size; i-- > 0;)
        v = (v << 8) | buf[i];
    *value = v;
    return true;
}

/* dprintf's output goes where gdbserver's goes: the server's standard
 * output, or its standard error when standard output carries the protocol. */
static void hit_output(void *ctx, const char *text, size_t len)
{
    struct hit_ctx *h = ctx;
    if (!io_write_all(h->t->stdio_taken ? STDERR_FILENO : STDOUT_FILENO, text, len))
        log_debug("breakpoint command output lost");
}

bool breakpoint_check_hit(struct target *t, struct thread *th, uint64_t addr, const struct bp_options *opts)
{
    if (!opts || !bp_options_any(opts))
        return true;
    struct hit_ctx h = {t, th};
    struct agent_expr_env env = {&h, hit_read_memory, hit_read_register, hit_output};
    char err[160];
    bool holds = opts->ncond == 0;
    for (size_t i = 0; i < opts->ncond && !holds; i++) {
        uint64_t v;
        bool has;
        if (!agent_expr_eval(opts->conds[i].code, opts->conds[i].len, &env, &v, &has, err, sizeof err)) {
            log_debug("condition %zu at %#llx: %s (reported as true)", i, (unsigned long long)addr, err);
            holds = true;
        } else if (!has) {
            log_debug("condition %zu at %#llx left no value (reported as true)", i, (unsigned long long)addr);
            holds = true;
        } else {
            holds = v != 0;
        }
    }
    log_debug("thread %d at %#llx: condition %s", (int)th->tid, (unsigned long long)addr,
              holds ? "true" : "false");
    if (!holds)
        return false;
    if (opts->ncmd == 0)
        return true;
    /* As in gdbserver, a failing command ends the list. */
    for (size_t i = 0; i < opts->ncmd; i++) {
        uint64_t v;
        bool has;
        if (!agent_expr_eval(opts->cmds[i].code, opts->cmds[i].len, &env, &v, &has, err, sizeof err)) {
            log_info("breakpoint command at %#llx failed: %s", (unsigned long long)addr, err);
            break;
        }
    }
    return false;
}
