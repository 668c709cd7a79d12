/* What a Z0 packet may carry after "ADDR,KIND": target-side conditions
 * and commands (the ConditionalBreakpoints and BreakpointCommands
 * features), each an agent expression (agent_expr.h):
 *
 *     ;X LEN,HEX X LEN,HEX ... ;cmds:PERSIST,X LEN,HEX X LEN,HEX ...
 *
 * gdb writes the conditions one after another after a single ';' and the
 * commands likewise after "cmds:"; a ';' between two is accepted too. */
#ifndef DBGSRV_BP_OPTIONS_H
#define DBGSRV_BP_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds on what one breakpoint keeps: a client cannot make the session
 * allocate without limit. */
#define BP_OPTIONS_MAX_EXPRS 32
#define BP_OPTIONS_MAX_EXPR_LEN 65536

struct bp_expr {
    uint8_t *code;
    size_t len;
};

struct bp_options {
    struct bp_expr conds[BP_OPTIONS_MAX_EXPRS];
    size_t ncond;
    struct bp_expr cmds[BP_OPTIONS_MAX_EXPRS];
    size_t ncmd;
    /* gdb's "set disconnected-dprintf": the commands should outlive the
     * connection. Kept to be honest in logs; a session's breakpoints end
     * with it (its debuggees are detached or killed), see README.md. */
    bool persist;
};

/* Parses TEXT (LEN bytes, TEXT[LEN] must be NUL): empty, or starting with
 * ';'. Every expression is checked with agent_expr_validate. On failure
 * OUT is left empty and ERR says why. */
bool bp_options_parse(const char *text, size_t len, struct bp_options *out, char *err, size_t errlen);
/* True if OUT holds a condition or a command. */
bool bp_options_any(const struct bp_options *o);
void bp_options_free(struct bp_options *o);

#endif
