/* libFuzzer target for src/server/agent_expr.c and src/server/bp_options.c.
 *
 * The input is run two ways. Raw, as bytecode: agent_expr_validate and
 * agent_expr_eval against a fake debuggee (64 readable bytes, 8
 * registers), which must return, whatever the bytes, with a message on
 * failure; what validation accepts must fail at run time only for reasons
 * that depend on the run (stack depth, memory, registers, steps, division,
 * extension widths, printf's arguments). As text (up to its first NUL):
 * bp_options_parse, whose every accepted expression is then evaluated. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_expr.h"
#include "bp_options.h"
#include "fuzz_check.h"

static uint8_t memory[64];
static size_t output_total;

static bool fake_read_memory(void *ctx, uint64_t addr, void *buf, size_t len)
{
    (void)ctx;
    if (addr < 0x1000 || addr - 0x1000 > sizeof memory || len > sizeof memory - (addr - 0x1000))
        return false;
    memcpy(buf, memory + (addr - 0x1000), len);
    return true;
}

static bool fake_read_register(void *ctx, int regno, uint64_t *value)
{
    (void)ctx;
    if (regno < 0 || regno >= 8)
        return false;
    *value = regno == 7 ? 0x1000 : (uint64_t)regno * 0x0101010101010101ull;
    return true;
}

static void fake_output(void *ctx, const char *text, size_t len)
{
    (void)ctx;
    CHECK(text[len] == '\0' || len == 0 || text);
    CHECK(len < 16384);
    output_total += len;
}

static const struct agent_expr_env env = {NULL, fake_read_memory, fake_read_register, fake_output};

static bool runtime_reason(const char *err)
{
    static const char *const reasons[] = {"underflow", "overflow", "executed", "ran past", "cannot read",
                                          "extension", "division", "printf", "string"};
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
        if (strstr(err, reasons[i]))
            return true;
    return false;
}

static void run(const uint8_t *code, size_t len, bool validated)
{
    char err[200] = "";
    uint64_t v;
    bool has;
    bool ok = agent_expr_eval(code, len, &env, &v, &has, err, sizeof err);
    CHECK(ok || err[0]);
    if (validated && !ok)
        CHECK(runtime_reason(err));
    if (ok && !has)
        CHECK(v == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (size_t i = 0; i < sizeof memory; i++)
        memory[i] = (uint8_t)i;
    memcpy(memory + 40, "str\0", 4);

    char err[200] = "";
    bool valid = agent_expr_validate(data, size, err, sizeof err);
    CHECK(valid || err[0]);
    run(data, size, valid);

    char *text = malloc(size + 1);
    CHECK(text);
    memcpy(text, data, size);
    text[size] = '\0';
    struct bp_options o;
    if (bp_options_parse(text, strlen(text), &o, err, sizeof err)) {
        CHECK(o.ncond <= BP_OPTIONS_MAX_EXPRS && o.ncmd <= BP_OPTIONS_MAX_EXPRS);
        for (size_t i = 0; i < o.ncond; i++)
            run(o.conds[i].code, o.conds[i].len, true);
        for (size_t i = 0; i < o.ncmd; i++)
            run(o.cmds[i].code, o.cmds[i].len, true);
        bp_options_free(&o);
    } else {
        CHECK(err[0] && !bp_options_any(&o));
    }
    free(text);
    return 0;
}
