/* Parsing the conditions and commands of a Z0 packet (bp_options.h). */
#include "errmsg.h"
#include "bp_options.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_expr.h"
#include "rsp/hex.h"

void bp_options_free(struct bp_options *o)
{
    for (size_t i = 0; i < o->ncond; i++)
        free(o->conds[i].code);
    for (size_t i = 0; i < o->ncmd; i++)
        free(o->cmds[i].code);
    memset(o, 0, sizeof *o);
}

bool bp_options_any(const struct bp_options *o)
{
    return o->ncond || o->ncmd;
}

/* "X LEN,HEX" at *P (before END): one expression, decoded and checked. */
static bool parse_expr(const char **p, const char *end, struct bp_expr *out, const char *what, char *err,
                       size_t errlen)
{
    const char *q = *p + 1;   /* after the 'X' */
    uint64_t n;
    if (!hex_parse_u64(&q, &n) || q >= end || *q != ',')
        return errmsg_set(err, errlen, "malformed %s: expected X LEN,BYTECODE", what);
    q++;
    if (n == 0 || n > BP_OPTIONS_MAX_EXPR_LEN)
        return errmsg_set(err, errlen, "%s of %llu bytes (1 to %d allowed)", what, (unsigned long long)n,
                    BP_OPTIONS_MAX_EXPR_LEN);
    if ((size_t)(end - q) < 2 * n)
        return errmsg_set(err, errlen, "%s shorter than its length %llu", what, (unsigned long long)n);
    uint8_t *code = malloc((size_t)n);
    if (!code)
        return errmsg_set(err, errlen, "out of memory");
    if (!hex_decode(code, q, (size_t)n)) {
        free(code);
        return errmsg_set(err, errlen, "%s: bytecode is not hex", what);
    }
    char why[160];
    if (!agent_expr_validate(code, (size_t)n, why, sizeof why)) {
        free(code);
        return errmsg_set(err, errlen, "bad %s bytecode: %s", what, why);
    }
    out->code = code;
    out->len = (size_t)n;
    *p = q + 2 * n;
    return true;
}

bool bp_options_parse(const char *text, size_t len, struct bp_options *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    const char *p = text, *end = text + len;
    if (p < end && *p != ';')
        return errmsg_set(err, errlen, "breakpoint options must follow a ';'");
    bool in_cmds = false;
    while (p < end) {
        if (*p == ';') {
            p++;
            if (p == end || *p == ';')
                return bp_options_free(out), errmsg_set(err, errlen, "empty breakpoint option");
            continue;
        }
        if (*p == 'X') {
            size_t *count = in_cmds ? &out->ncmd : &out->ncond;
            struct bp_expr *list = in_cmds ? out->cmds : out->conds;
            if (*count == BP_OPTIONS_MAX_EXPRS)
                return bp_options_free(out), errmsg_set(err, errlen, "more than %d %s", BP_OPTIONS_MAX_EXPRS,
                                                  in_cmds ? "commands" : "conditions");
            if (!parse_expr(&p, end, &list[*count], in_cmds ? "command" : "condition", err, errlen))
                return bp_options_free(out), false;
            ++*count;
            continue;
        }
        if (!in_cmds && (size_t)(end - p) >= 5 && memcmp(p, "cmds:", 5) == 0) {
            p += 5;
            if (end - p < 3 || (p[0] != '0' && p[0] != '1') || p[1] != ',' || p[2] != 'X')
                return bp_options_free(out), errmsg_set(err, errlen, "malformed cmds: expected cmds:0|1,X LEN,BYTECODE");
            out->persist = p[0] == '1';
            p += 2;
            in_cmds = true;
            continue;
        }
        return bp_options_free(out), errmsg_set(err, errlen, "unknown breakpoint option '%.16s'", p);
    }
    return true;
}
