/* Z0/z0: software breakpoints, kept by the server (target/breakpoint.c). */
#include <errno.h>
#include <string.h>

#include "handlers/handlers.h"
#include "rsp/hex.h"
#include "session.h"

/* "ADDR,KIND" (the "Z0," is already consumed). KIND is the breakpoint
 * length, 1 on x86. Conditions (";X...") are not accepted: the
 * ConditionalBreakpoints feature is not advertised. */
static bool parse_z(struct session *s, const char *args, uint64_t *addr)
{
    const char *p = args;
    uint64_t kind;
    if (!hex_parse_u64(&p, addr) || *p++ != ',' || !hex_parse_u64(&p, &kind) || *p) {
        reply_error(s, "malformed breakpoint packet");
        return false;
    }
    return true;
}

static struct process *bp_process(struct session *s)
{
    struct process *p = session_general_process(s);
    if (!p)
        reply_error(s, "no process for the breakpoint");
    return p;
}

HANDLER(handle_insert_breakpoint)
{
    (void)len;
    uint64_t addr;
    struct process *p;
    if (!parse_z(s, args, &addr) || !(p = bp_process(s)))
        return;
    int e = breakpoint_insert(p, addr);
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
    int e = breakpoint_remove(p, addr);
    /* Removing one that is not there is not an error: the goal is reached. */
    if (e && e != ENOENT)
        reply_error(s, "cannot remove the breakpoint at %#llx: %s", (unsigned long long)addr, strerror(e));
    else
        reply_str(s, "OK");
}
