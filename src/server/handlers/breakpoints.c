/* Z0/z0: software breakpoints, kept by the server (target/breakpoint.c);
 * Z1/Z2/Z4: hardware breakpoints and watchpoints (target/debug_regs.c). */
#include <errno.h>
#include <string.h>

#include "bp_options.h"
#include "handlers/handlers.h"
#include "nonstop.h"
#include "log.h"
#include "rsp/hex.h"
#include "session.h"

/* "ADDR,KIND" (the "Z0," is already consumed). KIND is the breakpoint
 * length, 1 on x86. What follows, if anything, is for the caller: *REST
 * points at it (NULL: nothing may follow). */
static bool parse_z_kind_rest(struct session *s, const char *args, uint64_t *addr, uint64_t *kind,
                              const char **rest)
{
    const char *p = args;
    if (!hex_parse_u64(&p, addr) || *p++ != ',' || !hex_parse_u64(&p, kind) || (*p && (!rest || *p != ';'))) {
        reply_error(s, "malformed breakpoint packet");
        return false;
    }
    if (rest)
        *rest = p;
    return true;
}

static bool parse_z_kind(struct session *s, const char *args, uint64_t *addr, uint64_t *kind)
{
    return parse_z_kind_rest(s, args, addr, kind, NULL);
}

static bool parse_z(struct session *s, const char *args, uint64_t *addr)
{
    uint64_t kind;
    return parse_z_kind(s, args, addr, &kind);
}

static struct process *bp_process(struct session *s)
{
    struct process *p = session_general_process(s);
    if (!p)
        reply_error(s, "no process for the breakpoint");
    return p;
}

/* Z0 may carry target-side conditions and commands (ConditionalBreakpoints,
 * BreakpointCommands): ";X LEN,BYTECODE...;cmds:PERSIST,X LEN,BYTECODE...". */
HANDLER(handle_insert_breakpoint)
{
    uint64_t addr, kind;
    const char *rest;
    struct process *p;
    if (!parse_z_kind_rest(s, args, &addr, &kind, &rest) || !(p = bp_process(s)))
        return;
    struct bp_options opts;
    char err[200];
    if (!bp_options_parse(rest, len - (size_t)(rest - args), &opts, err, sizeof err)) {
        reply_error(s, "breakpoint at %#llx: %s", (unsigned long long)addr, err);
        return;
    }
    if (bp_options_any(&opts))
        log_debug("breakpoint at %#llx: %zu condition(s), %zu command(s)%s", (unsigned long long)addr, opts.ncond,
                  opts.ncmd, opts.persist ? " (persist asked: they end with the session)" : "");
    int e = breakpoint_insert(p, addr, &opts);
    if (e)
        reply_error(s, "cannot insert a breakpoint at %#llx: %s", (unsigned long long)addr, strerror(e));
    else
        reply_str(s, "OK");
}

HANDLER(handle_remove_breakpoint)
{
    (void)len;
    uint64_t addr;
    struct process *p;
    if (!parse_z(s, args, &addr) || !(p = bp_process(s)))
        return;
    bool hold = s->target.non_stop;
    if (hold)
        target_hold_process(&s->target, p);
    int e = breakpoint_remove(p, addr);
    if (hold) {
        target_release_process(&s->target, p);
        nonstop_collect_events(s);   /* hits seen while holding them */
    }
    /* Removing one that is not there is not an error: the goal is reached. */
    if (e && e != ENOENT)
        reply_error(s, "cannot remove the breakpoint at %#llx: %s", (unsigned long long)addr, strerror(e));
    else
        reply_str(s, "OK");
}

/* Z1 may carry conditions and commands as Z0 does; watchpoints may not
 * (gdb sends none for them). */
static void insert_hw(struct session *s, const char *args, size_t args_len, enum hw_point type)
{
    uint64_t addr, len;
    const char *rest;
    struct process *p;
    if (!parse_z_kind_rest(s, args, &addr, &len, &rest))
        return;
    if (*rest && type != HW_EXECUTE) {
        reply_error(s, "watchpoints take no conditions or commands");
        return;
    }
    struct bp_options opts;
    char err[200];
    if (!bp_options_parse(rest, args_len - (size_t)(rest - args), &opts, err, sizeof err)) {
        reply_error(s, "hardware breakpoint at %#llx: %s", (unsigned long long)addr, err);
        return;
    }
    if (!(p = bp_process(s))) {
        bp_options_free(&opts);
        return;
    }
    int e = debug_regs_insert(p, type, addr, len);
    if (!e && type == HW_EXECUTE)
        e = breakpoint_set_hw_options(p, addr, &opts);
    bp_options_free(&opts);   /* left over on failure */
    if (e == ENOSPC)
        reply_error(s, "no free hardware debug register for %#llx (%llu bytes): x86 has four, "
                       "each watching an aligned 1, 2, 4 or 8 bytes", (unsigned long long)addr,
                    (unsigned long long)len);
    else if (e)
        reply_error(s, "cannot watch %#llx (%llu bytes): %s", (unsigned long long)addr, (unsigned long long)len,
                    strerror(e));
    else
        reply_str(s, "OK");
}

static void remove_hw(struct session *s, const char *args, enum hw_point type)
{
    uint64_t addr, len;
    struct process *p;
    if (!parse_z_kind(s, args, &addr, &len) || !(p = bp_process(s)))
        return;
    debug_regs_remove(p, type, addr, len);   /* not there: the goal is reached */
    if (type == HW_EXECUTE && !debug_regs_has(p, HW_EXECUTE, addr))
        breakpoint_set_hw_options(p, addr, NULL);
    reply_str(s, "OK");
}

HANDLER(handle_insert_hw_break) { insert_hw(s, args, len, HW_EXECUTE); }
HANDLER(handle_remove_hw_break) { (void)len; remove_hw(s, args, HW_EXECUTE); }
HANDLER(handle_insert_write_watch) { insert_hw(s, args, len, HW_WRITE); }
HANDLER(handle_remove_write_watch) { (void)len; remove_hw(s, args, HW_WRITE); }
HANDLER(handle_insert_access_watch) { insert_hw(s, args, len, HW_ACCESS); }
HANDLER(handle_remove_access_watch) { (void)len; remove_hw(s, args, HW_ACCESS); }
