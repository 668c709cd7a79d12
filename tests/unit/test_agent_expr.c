/* Unit tests for src/server/agent_expr.c (the agent expression evaluator)
 * and src/server/bp_options.c (Z0's condition and command lists): every
 * opcode's effect, printf's output, and malformed bytecode of every kind,
 * which must end in an error with a message, never in a crash. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_expr.h"
#include "bp_options.h"

/* ---- a fake debuggee: 64 bytes of memory at 0x1000, 4 registers ---- */

#define MEM_BASE 0x1000u
static uint8_t memory[64];
static uint64_t registers[4] = {0x1122334455667788ull, 2, 0xffffffffffffffffull, MEM_BASE};
static char printed[20000];
static size_t printed_len;

static bool fake_read_memory(void *ctx, uint64_t addr, void *buf, size_t len)
{
    (void)ctx;
    if (addr < MEM_BASE || addr - MEM_BASE > sizeof memory || len > sizeof memory - (addr - MEM_BASE))
        return false;
    memcpy(buf, memory + (addr - MEM_BASE), len);
    return true;
}

static bool fake_read_register(void *ctx, int regno, uint64_t *value)
{
    (void)ctx;
    if (regno < 0 || regno >= 4)
        return false;
    *value = registers[regno];
    return true;
}

static void fake_output(void *ctx, const char *text, size_t len)
{
    (void)ctx;
    if (len > sizeof printed - 1 - printed_len)
        len = sizeof printed - 1 - printed_len;
    memcpy(printed + printed_len, text, len);
    printed_len += len;
    printed[printed_len] = '\0';
}

static const struct agent_expr_env env = {NULL, fake_read_memory, fake_read_register, fake_output};

static int setup(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof memory; i++)
        memory[i] = (uint8_t)(0x80 + i);
    memcpy(memory + 32, "hello\0", 6);
    printed_len = 0;
    printed[0] = '\0';
    return 0;
}

/* Runs CODE (validated first) and returns its value; fails the test on error. */
static uint64_t run_ok(const uint8_t *code, size_t len)
{
    char err[200] = "";
    uint64_t v;
    bool has;
    if (!agent_expr_validate(code, len, err, sizeof err))
        fail_msg("validate: %s", err);
    if (!agent_expr_eval(code, len, &env, &v, &has, err, sizeof err))
        fail_msg("eval: %s", err);
    assert_true(has);
    return v;
}
#define RUN(...) run_ok((const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}))

/* Evaluation fails with a message containing WANT (validation not asked). */
static void eval_fails(const uint8_t *code, size_t len, const char *want)
{
    char err[200] = "";
    uint64_t v;
    bool has;
    assert_false(agent_expr_eval(code, len, &env, &v, &has, err, sizeof err));
    if (!strstr(err, want))
        fail_msg("error '%s' does not say '%s'", err, want);
}
#define EVAL_FAILS(want, ...) \
    eval_fails((const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}), want)

static void validate_fails(const uint8_t *code, size_t len, const char *want)
{
    char err[200] = "";
    assert_false(agent_expr_validate(code, len, err, sizeof err));
    if (!strstr(err, want))
        fail_msg("error '%s' does not say '%s'", err, want);
}
#define VALIDATE_FAILS(want, ...) \
    validate_fails((const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}), want)

enum {
    ADD = 0x02, SUB, MUL, DIV_S, DIV_U, REM_S, REM_U, LSH, RSH_S, RSH_U, TRACE, TRACE_QUICK, LOG_NOT, BIT_AND,
    BIT_OR, BIT_XOR, BIT_NOT, EQUAL, LESS_S, LESS_U, EXT, REF8, REF16, REF32, REF64,
    IF_GOTO = 0x20, GOTO, C8, C16, C32, C64, REG, END, DUP, POP, ZERO_EXT, SWAP, GETV, SETV, TRACEV, TRACENZ,
    TRACE16, PICK = 0x32, ROT, PRINTF,
};

/* ---- arithmetic and logic ---- */

static void test_arithmetic(void **state)
{
    (void)state;
    assert_int_equal(RUN(C8, 5, C8, 3, ADD, END), 8);
    assert_int_equal(RUN(C8, 5, C8, 3, SUB, END), 2);
    assert_int_equal(RUN(C8, 3, C8, 5, SUB, END), (uint64_t)-2);
    assert_int_equal(RUN(C8, 6, C8, 7, MUL, END), 42);
    assert_int_equal(RUN(C8, 0xf9, EXT, 8, C8, 2, DIV_S, END), (uint64_t)-3);   /* -7 / 2 */
    assert_int_equal(RUN(C8, 0xf9, EXT, 8, C8, 2, REM_S, END), (uint64_t)-1);
    assert_int_equal(RUN(C8, 7, C8, 2, DIV_U, END), 3);
    assert_int_equal(RUN(C8, 7, C8, 2, REM_U, END), 1);
    assert_int_equal(RUN(C8, 1, C8, 4, LSH, END), 16);
    assert_int_equal(RUN(C8, 1, C8, 64, LSH, END), 0);
    assert_int_equal(RUN(C8, 0x80, EXT, 8, C8, 4, RSH_S, END), (uint64_t)-8);
    assert_int_equal(RUN(C8, 0x80, EXT, 8, C8, 70, RSH_S, END), UINT64_MAX);
    assert_int_equal(RUN(C8, 0x80, C8, 4, RSH_U, END), 8);
    assert_int_equal(RUN(C8, 0x80, C8, 64, RSH_U, END), 0);
    /* INT64_MIN / -1 overflows in C: defined here as the wrapped result. */
    assert_int_equal(RUN(C64, 0x80, 0, 0, 0, 0, 0, 0, 0, C8, 0xff, EXT, 8, DIV_S, END), 0x8000000000000000ull);
    assert_int_equal(RUN(C64, 0x80, 0, 0, 0, 0, 0, 0, 0, C8, 0xff, EXT, 8, REM_S, END), 0);
}

static void test_logic_and_comparisons(void **state)
{
    (void)state;
    assert_int_equal(RUN(C8, 0, LOG_NOT, END), 1);
    assert_int_equal(RUN(C8, 9, LOG_NOT, END), 0);
    assert_int_equal(RUN(C8, 0x0c, C8, 0x0a, BIT_AND, END), 0x08);
    assert_int_equal(RUN(C8, 0x0c, C8, 0x0a, BIT_OR, END), 0x0e);
    assert_int_equal(RUN(C8, 0x0c, C8, 0x0a, BIT_XOR, END), 0x06);
    assert_int_equal(RUN(C8, 0, BIT_NOT, END), UINT64_MAX);
    assert_int_equal(RUN(C8, 2, C8, 2, EQUAL, END), 1);
    assert_int_equal(RUN(C8, 2, C8, 3, EQUAL, END), 0);
    assert_int_equal(RUN(C8, 0xff, EXT, 8, C8, 1, LESS_S, END), 1);   /* -1 < 1 */
    assert_int_equal(RUN(C8, 0xff, EXT, 8, C8, 1, LESS_U, END), 0);   /* 2^64-1 < 1 */
    assert_int_equal(RUN(C8, 1, C8, 2, LESS_S, END), 1);
    assert_int_equal(RUN(C8, 2, C8, 1, LESS_U, END), 0);
}

static void test_extensions_and_constants(void **state)
{
    (void)state;
    assert_int_equal(RUN(C8, 0xff, EXT, 8, END), UINT64_MAX);
    assert_int_equal(RUN(C8, 0x7f, EXT, 8, END), 0x7f);
    assert_int_equal(RUN(C16, 0x80, 0x00, EXT, 16, END), 0xffffffffffff8000ull);
    assert_int_equal(RUN(C8, 0xff, EXT, 8, ZERO_EXT, 16, END), 0xffff);
    assert_int_equal(RUN(C8, 0xff, EXT, 8, ZERO_EXT, 64, END), UINT64_MAX);
    assert_int_equal(RUN(C8, 0xff, EXT, 64, END), 0xff);
    /* Constants are big-endian and not sign-extended. */
    assert_int_equal(RUN(C16, 0x12, 0x34, END), 0x1234);
    assert_int_equal(RUN(C32, 0xde, 0xad, 0xbe, 0xef, END), 0xdeadbeef);
    assert_int_equal(RUN(C64, 1, 2, 3, 4, 5, 6, 7, 8, END), 0x0102030405060708ull);
    assert_int_equal(RUN(C8, 0x80, END), 0x80);
    EVAL_FAILS("extension to 0 bits", C8, 1, EXT, 0, END);
    EVAL_FAILS("extension to 65 bits", C8, 1, ZERO_EXT, 65, END);
}

static void test_memory_and_registers(void **state)
{
    (void)state;
    /* Little-endian fetches, zero-extended. */
    assert_int_equal(RUN(C16, 0x10, 0x00, REF8, END), 0x80);
    assert_int_equal(RUN(C16, 0x10, 0x00, REF16, END), 0x8180);
    assert_int_equal(RUN(C16, 0x10, 0x00, REF32, END), 0x83828180);
    assert_int_equal(RUN(C16, 0x10, 0x01, REF64, END), 0x8887868584838281ull);
    assert_int_equal(RUN(C16, 0x10, 0x00, REF8, EXT, 8, END), (uint64_t)(int64_t)(int8_t)0x80);
    assert_int_equal(RUN(REG, 0, 0, END), 0x1122334455667788ull);
    assert_int_equal(RUN(REG, 0, 1, C8, 2, EQUAL, END), 1);
    assert_int_equal(RUN(REG, 0, 3, REF8, END), 0x80);   /* a pointer in a register */
    /* An unreadable address or register is an error, not a crash. */
    EVAL_FAILS("cannot read 1 bytes at 0", C8, 0, REF8, END);
    EVAL_FAILS("cannot read 8 bytes at 0x103c", C16, 0x10, 0x3c, REF64, END);
    EVAL_FAILS("cannot read 4 bytes", C64, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, REF32, END);
    EVAL_FAILS("cannot read register 4", REG, 0, 4, END);
    EVAL_FAILS("cannot read register 65535", REG, 0xff, 0xff, END);
    struct agent_expr_env none = {NULL, NULL, NULL, NULL};
    char err[200];
    uint64_t v;
    bool has;
    assert_false(agent_expr_eval((const uint8_t[]){C8, 0, REF8, END}, 4, &none, &v, &has, err, sizeof err));
    assert_false(agent_expr_eval((const uint8_t[]){REG, 0, 0, END}, 4, &none, &v, &has, err, sizeof err));
}

static void test_stack_operations(void **state)
{
    (void)state;
    assert_int_equal(RUN(C8, 4, DUP, MUL, END), 16);
    assert_int_equal(RUN(C8, 4, C8, 5, POP, END), 4);
    assert_int_equal(RUN(C8, 4, C8, 1, SWAP, SUB, END), (uint64_t)-3);
    /* rot: a b c => c a b: the top is then b. */
    assert_int_equal(RUN(C8, 1, C8, 2, C8, 3, ROT, END), 2);
    assert_int_equal(RUN(C8, 1, C8, 2, C8, 3, ROT, POP, END), 1);
    assert_int_equal(RUN(C8, 1, C8, 2, C8, 3, ROT, POP, POP, END), 3);
    assert_int_equal(RUN(C8, 7, C8, 8, C8, 9, PICK, 2, END), 7);
    assert_int_equal(RUN(C8, 7, C8, 8, PICK, 0, END), 8);
    /* Trace collection has no trace frame here: only its stack effect. */
    assert_int_equal(RUN(C8, 9, C8, 0x10, C8, 4, TRACE, END), 9);
    assert_int_equal(RUN(C8, 9, C8, 0x10, C8, 4, TRACENZ, END), 9);
    assert_int_equal(RUN(C8, 9, TRACE_QUICK, 4, END), 9);
    assert_int_equal(RUN(C8, 9, TRACE16, 0, 4, END), 9);
    assert_int_equal(RUN(C8, 9, TRACEV, 0, 1, END), 9);
}

static void test_jumps(void **state)
{
    (void)state;
    /* 0: const8 1; 2: if_goto 8; 5: const8 10; 7: end; 8: const8 20; 10: end */
    assert_int_equal(RUN(C8, 1, IF_GOTO, 0, 8, C8, 10, END, C8, 20, END), 20);
    assert_int_equal(RUN(C8, 0, IF_GOTO, 0, 8, C8, 10, END, C8, 20, END), 10);
    assert_int_equal(RUN(GOTO, 0, 5, C8, 1, C8, 2, END), 2);
    /* A bounded loop: count 5 down to 0 (0: c8 5; 2: c8 1; 4: sub; 5: dup; 6: if_goto 2; 9: end). */
    assert_int_equal(RUN(C8, 5, C8, 1, SUB, DUP, IF_GOTO, 0, 2, END), 0);
}

static void test_end_without_value(void **state)
{
    (void)state;
    char err[200];
    uint64_t v = 99;
    bool has = true;
    assert_true(agent_expr_eval((const uint8_t[]){END}, 1, &env, &v, &has, err, sizeof err));
    assert_false(has);
    assert_int_equal(v, 0);
}

/* ---- printf ---- */

/* printf NARGS FORMAT after the given pushes; FMT without its NUL. */
static size_t build_printf(uint8_t *out, const uint8_t *pushes, size_t npush, unsigned nargs, const char *fmt)
{
    size_t n = 0;
    if (npush)
        memcpy(out, pushes, npush);
    n += npush;
    out[n++] = C8, out[n++] = 0;   /* channel */
    out[n++] = C8, out[n++] = 0;   /* function */
    out[n++] = PRINTF;
    out[n++] = (uint8_t)nargs;
    size_t flen = strlen(fmt) + 1;
    out[n++] = (uint8_t)(flen >> 8);
    out[n++] = (uint8_t)flen;
    memcpy(out + n, fmt, flen);
    n += flen;
    out[n++] = END;
    return n;
}

static void printf_gives(const uint8_t *pushes, size_t npush, unsigned nargs, const char *fmt, const char *want)
{
    uint8_t code[512];
    size_t n = build_printf(code, pushes, npush, nargs, fmt);
    char err[200] = "";
    uint64_t v;
    bool has;
    printed_len = 0;
    printed[0] = '\0';
    if (!agent_expr_validate(code, n, err, sizeof err))
        fail_msg("validate '%s': %s", fmt, err);
    if (!agent_expr_eval(code, n, &env, &v, &has, err, sizeof err))
        fail_msg("eval '%s': %s", fmt, err);
    assert_false(has);   /* printf pops everything it used */
    assert_string_equal(printed, want);
}
#define PRINTF_GIVES(fmt, want, nargs, ...) \
    printf_gives((const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}), nargs, fmt, want)

static void test_printf(void **state)
{
    (void)state;
    /* gdb pushes the last argument first. */
    PRINTF_GIVES("a=%d b=%d\\n", "a=1 b=2\n", 2, C8, 2, C8, 1);
    PRINTF_GIVES("%d %u %x %X %o", "-1 4294967295 ff FF 10", 5, C8, 8, C8, 0xff, C8, 0xff, C8, 0xff, EXT, 8,
                 C8, 0xff, EXT, 8);
    PRINTF_GIVES("%ld %lu %lld %zu", "-1 18446744073709551615 -1 7", 4, C8, 7, C8, 0xff, EXT, 8, C8, 0xff, EXT,
                 8, C8, 0xff, EXT, 8);
    PRINTF_GIVES("%hd %hhd %hhu", "-1 -128 255", 3, C8, 0xff, C8, 0x80, C16, 0xff, 0xff);
    PRINTF_GIVES("[%5d|%-5d|%05d|%+d|% d|%.3d|%#x]", "[   42|42   |00042|+42| 42|042|0x2a]", 7, C8, 42, C8,
                 42, C8, 42, C8, 42, C8, 42, C8, 42, C8, 42);
    PRINTF_GIVES("%c%c", "hi", 2, C8, 'i', C8, 'h');
    PRINTF_GIVES("<%s> <%.3s> <%7s> <%-7s>", "<hello> <hel> <  hello> <hello  >", 4, C16, 0x10, 0x20, C16,
                 0x10, 0x20, C16, 0x10, 0x20, C16, 0x10, 0x20);
    PRINTF_GIVES("%p", "0x1000", 1, C16, 0x10, 0x00);
    PRINTF_GIVES("100%%\\t\\\\\\\"", "100%\t\\\"", 0, C8, 0, POP);
    PRINTF_GIVES("no args", "no args", 0, C8, 0, POP);
}

static void test_printf_errors(void **state)
{
    (void)state;
    uint8_t code[512];
    char err[200];
    uint64_t v;
    bool has;
    /* Static checks on the format. */
    static const struct {
        const char *fmt;
        unsigned nargs;
        const char *want;
    } bad[] = {
        {"%f", 1, "unsupported printf conversion 'f'"},
        {"%n", 1, "unsupported printf conversion 'n'"},
        {"%lc", 1, "unsupported flags or length"},
        {"%ls", 1, "unsupported flags or length"},
        {"%05s", 1, "unsupported flags or length"},
        {"%.2c", 1, "unsupported flags or length"},
        {"%5%", 0, "bad %% directive"},
        {"%", 0, "without a conversion"},
        {"%99999d", 1, "width too large"},
        {"%.99999d", 1, "precision too large"},
        {"\\q", 0, "bad escape"},
        {"\\", 0, "bad escape"},
        {"%d %d", 1, "has 1 arguments for 2 directives"},
        {"%d", 2, "has 2 arguments for 1 directives"},
        {"%*d", 1, "unsupported printf conversion '*'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t pushes[8] = {C8, 0, C8, 0, C8, 0, C8, 0};
        size_t n = build_printf(code, pushes, 2 * bad[i].nargs, bad[i].nargs, bad[i].fmt);
        assert_false(agent_expr_validate(code, n, err, sizeof err));
        if (!strstr(err, bad[i].want))
            fail_msg("'%s': '%s' does not say '%s'", bad[i].fmt, err, bad[i].want);
        /* and evaluation, which does not rely on validation, fails too */
        assert_false(agent_expr_eval(code, n, &env, &v, &has, err, sizeof err));
    }
    /* A string that cannot be read, a function to call, too few values. */
    size_t n = build_printf(code, (const uint8_t[]){C8, 8}, 2, 1, "%s");
    assert_true(agent_expr_validate(code, n, err, sizeof err));
    assert_false(agent_expr_eval(code, n, &env, &v, &has, err, sizeof err));
    assert_non_null(strstr(err, "cannot read the string at 0x8"));
    n = build_printf(code, NULL, 0, 1, "%d");
    assert_false(agent_expr_eval(code, n, &env, &v, &has, err, sizeof err));
    assert_non_null(strstr(err, "stack underflow"));
    n = build_printf(code, NULL, 0, 0, "x");
    code[3] = 1;   /* the function: nonzero */
    assert_false(agent_expr_eval(code, n, &env, &v, &has, err, sizeof err));
    assert_non_null(strstr(err, "through a function"));
    /* The format not NUL-terminated, or with a NUL inside, or running out. */
    VALIDATE_FAILS("not a NUL-terminated string", PRINTF, 0, 0, 2, 'a', 'b', END);
    VALIDATE_FAILS("not a NUL-terminated string", PRINTF, 0, 0, 3, 'a', 0, 0, END);
    VALIDATE_FAILS("not a NUL-terminated string", PRINTF, 0, 0, 0, END);
    VALIDATE_FAILS("runs past the end", PRINTF, 0, 0, 9, 'a', 0);
    VALIDATE_FAILS("runs past the end", PRINTF, 0, 0);
    VALIDATE_FAILS("runs past the end", PRINTF);
    EVAL_FAILS("not a NUL-terminated string", C8, 0, C8, 0, PRINTF, 0, 0, 2, 'a', 'b', END);
    EVAL_FAILS("runs past the end", C8, 0, C8, 0, PRINTF, 0, 0, 9, 'a', 0);
    /* No output callback. */
    struct agent_expr_env silent = env;
    silent.output = NULL;
    n = build_printf(code, NULL, 0, 0, "x");
    assert_false(agent_expr_eval(code, n, &silent, &v, &has, err, sizeof err));
    assert_non_null(strstr(err, "nowhere to print"));
}

/* ---- malformed bytecode ---- */

static void test_unknown_and_refused_opcodes(void **state)
{
    (void)state;
    VALIDATE_FAILS("unknown bytecode 0", 0x00, END);
    VALIDATE_FAILS("unknown bytecode 0x31", 0x31, END);
    VALIDATE_FAILS("unknown bytecode 0x35", 0x35, END);
    VALIDATE_FAILS("unknown bytecode 0xff", C8, 1, 0xff, END);
    EVAL_FAILS("unknown bytecode 0x31", 0x31, END);
    EVAL_FAILS("unknown bytecode 0", C8, 1, 0x00);
    /* Floating point (unimplemented in the manual) and trace state variables. */
    static const uint8_t refused[] = {0x01, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, GETV, SETV};
    for (size_t i = 0; i < sizeof refused; i++) {
        uint8_t code[] = {C8, 0x10, refused[i], 0, 0, END};
        validate_fails(code, sizeof code, "unsupported bytecode");
        eval_fails(code, sizeof code, "unsupported bytecode");
    }
}

static void test_truncated_operands(void **state)
{
    (void)state;
    static const uint8_t with_operands[] = {TRACE_QUICK, EXT, C8, ZERO_EXT, PICK, IF_GOTO, GOTO, C16,
                                            REG, TRACEV, TRACE16, C32, C64};
    for (size_t i = 0; i < sizeof with_operands; i++) {
        uint8_t code[] = {with_operands[i]};
        validate_fails(code, 1, "runs past the end");
        eval_fails(code, 1, "runs past the end");
    }
    VALIDATE_FAILS("runs past the end", C64, 1, 2, 3, 4, 5, 6, 7);
    EVAL_FAILS("runs past the end", C8, 0, C32, 1, 2, 3);
}

static void test_structure(void **state)
{
    (void)state;
    char err[200];
    uint64_t v;
    bool has;
    assert_false(agent_expr_validate(NULL, 0, err, sizeof err));
    assert_non_null(strstr(err, "empty bytecode"));
    assert_false(agent_expr_eval((const uint8_t *)"", 0, &env, &v, &has, err, sizeof err));
    VALIDATE_FAILS("without an end", C8, 1);
    EVAL_FAILS("ran past the end", C8, 1);
    EVAL_FAILS("ran past the end", GOTO, 0, 3);
    VALIDATE_FAILS("jump at 0 to 9", GOTO, 0, 9, END);
    VALIDATE_FAILS("jump at 2 to 1", C8, 1, IF_GOTO, 0, 1, END);   /* into const8's operand */
    VALIDATE_FAILS("jump at 0 to 65535", GOTO, 0xff, 0xff, END);
    EVAL_FAILS("ran past the end", GOTO, 0xff, 0xff, END);
    EVAL_FAILS("unsupported bytecode 0x1 at 1", C8, 1, IF_GOTO, 0, 1, END);   /* const8's operand: float */
}

static void test_stack_limits(void **state)
{
    (void)state;
    /* Underflow, for every operation that pops. */
    static const uint8_t pops[] = {ADD, SUB, MUL, DIV_S, DIV_U, REM_S, REM_U, LSH, RSH_S, RSH_U, BIT_AND,
                                   BIT_OR, BIT_XOR, EQUAL, LESS_S, LESS_U, TRACE, TRACENZ, SWAP};
    for (size_t i = 0; i < sizeof pops; i++) {
        uint8_t code[] = {C8, 1, pops[i], END};
        eval_fails(code, sizeof code, "stack underflow");
    }
    static const uint8_t pops_one[] = {LOG_NOT, BIT_NOT, REF8, REF16, REF32, REF64, DUP, POP};
    for (size_t i = 0; i < sizeof pops_one; i++) {
        uint8_t code[] = {pops_one[i], END};
        eval_fails(code, sizeof code, "stack underflow");
    }
    EVAL_FAILS("stack underflow", IF_GOTO, 0, 0, END);
    EVAL_FAILS("stack underflow", EXT, 8, END);
    EVAL_FAILS("stack underflow", ZERO_EXT, 8, END);
    EVAL_FAILS("stack underflow", TRACE_QUICK, 1, END);
    EVAL_FAILS("stack underflow", TRACE16, 0, 1, END);
    EVAL_FAILS("stack underflow", C8, 1, C8, 2, ROT, END);
    EVAL_FAILS("stack underflow", C8, 1, PICK, 1, END);
    EVAL_FAILS("stack underflow", PICK, 255, END);
    /* Overflow: a loop that pushes for ever (0: const8 1; 2: goto 0). */
    EVAL_FAILS("stack overflow", C8, 1, GOTO, 0, 0, END);
    EVAL_FAILS("stack overflow", REG, 0, 0, GOTO, 0, 0, END);
    EVAL_FAILS("stack overflow", C8, 1, DUP, GOTO, 0, 2, END);
    /* Exactly the limit is fine. */
    uint8_t code[2 * AGENT_EXPR_STACK_MAX + 1];
    for (int i = 0; i < AGENT_EXPR_STACK_MAX; i++)
        code[2 * i] = C8, code[2 * i + 1] = (uint8_t)i;
    code[2 * AGENT_EXPR_STACK_MAX] = END;
    assert_int_equal(run_ok(code, sizeof code), AGENT_EXPR_STACK_MAX - 1);
}

static void test_step_limit(void **state)
{
    (void)state;
    EVAL_FAILS("bytecodes executed", GOTO, 0, 0, END);
    EVAL_FAILS("bytecodes executed", C8, 1, IF_GOTO, 0, 0, END);
    EVAL_FAILS("bytecodes executed", C8, 1, POP, GOTO, 0, 0, END);
}

static void test_division_by_zero(void **state)
{
    (void)state;
    EVAL_FAILS("division by zero", C8, 1, C8, 0, DIV_S, END);
    EVAL_FAILS("division by zero", C8, 1, C8, 0, DIV_U, END);
    EVAL_FAILS("division by zero", C8, 1, C8, 0, REM_S, END);
    EVAL_FAILS("division by zero", C8, 1, C8, 0, REM_U, END);
}

/* Every byte string of up to 3 bytes, and random longer ones: no crash,
 * and validation never accepts what evaluation then calls malformed. */
static void test_every_short_bytecode(void **state)
{
    (void)state;
    char err[200];
    uint64_t v;
    bool has;
    uint8_t code[3];
    for (unsigned a = 0; a < 256; a++)
        for (unsigned b = 0; b < 256; b++) {
            code[0] = (uint8_t)a, code[1] = (uint8_t)b, code[2] = END;
            for (size_t len = 1; len <= 3; len++) {
                bool valid = agent_expr_validate(code, len, err, sizeof err);
                bool ok = agent_expr_eval(code, len, &env, &v, &has, err, sizeof err);
                if (valid && !ok)
                    assert_true(strstr(err, "underflow") || strstr(err, "executed") || strstr(err, "ran past") ||
                                strstr(err, "cannot read") || strstr(err, "extension") || strstr(err, "division"));
            }
        }
}

/* ---- bp_options ---- */

static void test_options_as_gdb_sends_them(void **state)
{
    (void)state;
    struct bp_options o;
    char err[200];
    const char *none = "";
    assert_true(bp_options_parse(none, 0, &o, err, sizeof err));
    assert_false(bp_options_any(&o));
    /* gdb: ";X" conditions back to back, then ";cmds:P," commands back to back. */
    const char *text = ";X3,220127X2,2827;cmds:1,X4,22012927X1,27";
    assert_true(bp_options_parse(text, strlen(text), &o, err, sizeof err));
    assert_int_equal(o.ncond, 2);
    assert_int_equal(o.ncmd, 2);
    assert_true(o.persist);
    assert_int_equal(o.conds[0].len, 3);
    assert_memory_equal(o.conds[0].code, ((uint8_t[]){0x22, 0x01, 0x27}), 3);
    assert_int_equal(o.cmds[1].len, 1);
    bp_options_free(&o);
    assert_false(bp_options_any(&o));
    /* ';' between expressions, and commands only (dprintf). */
    text = ";X3,220127;X2,2827";
    assert_true(bp_options_parse(text, strlen(text), &o, err, sizeof err));
    assert_int_equal(o.ncond, 2);
    bp_options_free(&o);
    text = ";cmds:0,X1,27";
    assert_true(bp_options_parse(text, strlen(text), &o, err, sizeof err));
    assert_int_equal(o.ncond, 0);
    assert_int_equal(o.ncmd, 1);
    assert_false(o.persist);
    bp_options_free(&o);
}

static void test_malformed_options(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *want;
    } bad[] = {
        {"X1,27", "must follow a ';'"},
        {";", "empty breakpoint option"},
        {";X1,27;", "empty breakpoint option"},
        {";;X1,27", "empty breakpoint option"},
        {";Y1,27", "unknown breakpoint option"},
        {";X", "malformed condition"},
        {";X1", "malformed condition"},
        {";Xg,27", "malformed condition"},
        {";X0,", "condition of 0 bytes"},
        {";X10001,27", "condition of 65537 bytes"},
        {";Xffffffffffffffff,27", "condition of"},
        {";X2,27", "shorter than its length"},
        {";X1,zz", "not hex"},
        {";X1,00", "bad condition bytecode: unknown bytecode 0"},
        {";X1,22", "bad condition bytecode"},
        {";X2,2201", "bad condition bytecode"},
        {";X1,2727", "unknown breakpoint option '27'"},
        {";cmds:", "malformed cmds"},
        {";cmds:2,X1,27", "malformed cmds"},
        {";cmds:1X1,27", "malformed cmds"},
        {";cmds:1,", "malformed cmds"},
        {";cmds:1,X1,00", "bad command bytecode"},
        {";cmds:1,X1,27;cmds:1,X1,27", "unknown breakpoint option 'cmds"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct bp_options o;
        char err[200] = "";
        assert_false(bp_options_parse(bad[i].text, strlen(bad[i].text), &o, err, sizeof err));
        if (!strstr(err, bad[i].want))
            fail_msg("'%s': '%s' does not say '%s'", bad[i].text, err, bad[i].want);
        assert_false(bp_options_any(&o));
    }
    /* At most BP_OPTIONS_MAX_EXPRS of each. */
    char text[16 * (BP_OPTIONS_MAX_EXPRS + 2)];
    size_t n = 0;
    text[n++] = ';';
    for (int i = 0; i <= BP_OPTIONS_MAX_EXPRS; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "X1,27");
    struct bp_options o;
    char err[200] = "";
    assert_false(bp_options_parse(text, n, &o, err, sizeof err));
    assert_non_null(strstr(err, "more than 32 conditions"));
    /* One fewer fits. */
    assert_true(bp_options_parse(text, n - 5, &o, err, sizeof err));
    assert_int_equal(o.ncond, BP_OPTIONS_MAX_EXPRS);
    bp_options_free(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_arithmetic, setup),
        cmocka_unit_test_setup(test_logic_and_comparisons, setup),
        cmocka_unit_test_setup(test_extensions_and_constants, setup),
        cmocka_unit_test_setup(test_memory_and_registers, setup),
        cmocka_unit_test_setup(test_stack_operations, setup),
        cmocka_unit_test_setup(test_jumps, setup),
        cmocka_unit_test_setup(test_end_without_value, setup),
        cmocka_unit_test_setup(test_printf, setup),
        cmocka_unit_test_setup(test_printf_errors, setup),
        cmocka_unit_test_setup(test_unknown_and_refused_opcodes, setup),
        cmocka_unit_test_setup(test_truncated_operands, setup),
        cmocka_unit_test_setup(test_structure, setup),
        cmocka_unit_test_setup(test_stack_limits, setup),
        cmocka_unit_test_setup(test_step_limit, setup),
        cmocka_unit_test_setup(test_division_by_zero, setup),
        cmocka_unit_test_setup(test_every_short_bytecode, setup),
        cmocka_unit_test(test_options_as_gdb_sends_them),
        cmocka_unit_test(test_malformed_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
