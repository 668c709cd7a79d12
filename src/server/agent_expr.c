/* The agent expression interpreter (agent_expr.h). Opcode values and
 * stack effects are those of the GDB manual's "Bytecode Descriptions";
 * multi-byte operands are big-endian whatever the target's byte order.
 *
 * Every read of the bytecode is bounds-checked, the stack is a fixed array
 * whose depth is checked on each push and pop, and the number of executed
 * instructions is bounded: the bytecode comes from the client, which may
 * send anything. */
#include "errmsg.h"
#include "agent_expr.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum {
    OP_FLOAT = 0x01,
    OP_ADD = 0x02,
    OP_SUB = 0x03,
    OP_MUL = 0x04,
    OP_DIV_SIGNED = 0x05,
    OP_DIV_UNSIGNED = 0x06,
    OP_REM_SIGNED = 0x07,
    OP_REM_UNSIGNED = 0x08,
    OP_LSH = 0x09,
    OP_RSH_SIGNED = 0x0a,
    OP_RSH_UNSIGNED = 0x0b,
    OP_TRACE = 0x0c,
    OP_TRACE_QUICK = 0x0d,
    OP_LOG_NOT = 0x0e,
    OP_BIT_AND = 0x0f,
    OP_BIT_OR = 0x10,
    OP_BIT_XOR = 0x11,
    OP_BIT_NOT = 0x12,
    OP_EQUAL = 0x13,
    OP_LESS_SIGNED = 0x14,
    OP_LESS_UNSIGNED = 0x15,
    OP_EXT = 0x16,
    OP_REF8 = 0x17,
    OP_REF16 = 0x18,
    OP_REF32 = 0x19,
    OP_REF64 = 0x1a,
    OP_REF_FLOAT = 0x1b,
    OP_REF_DOUBLE = 0x1c,
    OP_REF_LONG_DOUBLE = 0x1d,
    OP_L_TO_D = 0x1e,
    OP_D_TO_L = 0x1f,
    OP_IF_GOTO = 0x20,
    OP_GOTO = 0x21,
    OP_CONST8 = 0x22,
    OP_CONST16 = 0x23,
    OP_CONST32 = 0x24,
    OP_CONST64 = 0x25,
    OP_REG = 0x26,
    OP_END = 0x27,
    OP_DUP = 0x28,
    OP_POP = 0x29,
    OP_ZERO_EXT = 0x2a,
    OP_SWAP = 0x2b,
    OP_GETV = 0x2c,
    OP_SETV = 0x2d,
    OP_TRACEV = 0x2e,
    OP_TRACENZ = 0x2f,
    OP_TRACE16 = 0x30,
    OP_PICK = 0x32,
    OP_ROT = 0x33,
    OP_PRINTF = 0x34,
    OP_LAST = 0x34,
};

/* Bytes of operand after each opcode (printf's is variable); -1 for an
 * opcode that does not exist, -2 for one that exists but is refused: the
 * floating-point ones the manual calls unimplemented, and the trace state
 * variable ones (no trace run exists here to hold such variables). */
static int operand_size(uint8_t op)
{
    switch (op) {
    case OP_TRACE_QUICK:
    case OP_EXT:
    case OP_CONST8:
    case OP_ZERO_EXT:
    case OP_PICK:
        return 1;
    case OP_IF_GOTO:
    case OP_GOTO:
    case OP_CONST16:
    case OP_REG:
    case OP_TRACEV:
    case OP_TRACE16:
        return 2;
    case OP_CONST32:
        return 4;
    case OP_CONST64:
        return 8;
    case OP_FLOAT:
    case OP_REF_FLOAT:
    case OP_REF_DOUBLE:
    case OP_REF_LONG_DOUBLE:
    case OP_L_TO_D:
    case OP_D_TO_L:
    case OP_GETV:
    case OP_SETV:
        return -2;
    case OP_PRINTF:
        return 3;   /* nargs and the string's length; the string follows */
    default:
        return op >= OP_ADD && op <= OP_LAST && op != 0x31 ? 0 : -1;
    }
}

/* N big-endian bytes at CODE[AT], if they are inside the bytecode. */
static bool fetch(const uint8_t *code, size_t len, size_t at, size_t n, uint64_t *out)
{
    if (at > len || n > len - at)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = (v << 8) | code[at + i];
    *out = v;
    return true;
}

/* The length of the instruction at PC, or 0 if it is unknown, refused or
 * runs past the end (with a message). */
static size_t insn_length(const uint8_t *code, size_t len, size_t pc, char *err, size_t errlen)
{
    uint8_t op = code[pc];
    int size = operand_size(op);
    if (size == -1)
        return errmsg_set(err, errlen, "unknown bytecode %#x at %zu", op, pc), 0;
    if (size == -2)
        return errmsg_set(err, errlen, "unsupported bytecode %#x at %zu (floating point or trace state variable)", op,
                    pc),
               0;
    uint64_t extra = 0;
    if (op == OP_PRINTF && !fetch(code, len, pc + 2, 2, &extra))
        return errmsg_set(err, errlen, "printf at %zu runs past the end of the bytecode", pc), 0;
    uint64_t total = 1 + (uint64_t)size + extra;
    if (total > len - pc)
        return errmsg_set(err, errlen, "bytecode %#x at %zu runs past the end", op, pc), 0;
    return (size_t)total;
}

/* ---- printf ---- */

struct text {
    char buf[16384];
    size_t len;
    bool overflow;
};

static void text_add(struct text *t, const char *s, size_t n)
{
    if (n > sizeof t->buf - 1 - t->len) {
        t->overflow = true;
        n = sizeof t->buf - 1 - t->len;
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = '\0';
}

static void text_printf(struct text *t, const char *fmt, ...)
{
    char piece[2200];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(piece, sizeof piece, fmt, ap);
    va_end(ap);
    if (n < 0)
        t->overflow = true;
    else
        text_add(t, piece, (size_t)n < sizeof piece ? (size_t)n : sizeof piece - 1);
}

/* The character a C escape stands for, as gdb's format strings have them
 * (the bytecode carries the format as it was typed), or -1. */
static int escape_value(char c)
{
    switch (c) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case 'a': return '\a';
    case 'b': return '\b';
    case 'e': return 0x1b;
    case 'f': return '\f';
    case 'v': return '\v';
    case '\\': return '\\';
    case '"': return '"';
    case '\'': return '\'';
    default: return -1;
    }
}

/* Reads a NUL-terminated string of the debuggee, at most MAX bytes. */
static bool read_string(const struct agent_expr_env *env, uint64_t addr, size_t max, struct text *t, char *err,
                        size_t errlen)
{
    for (size_t i = 0; i < max; i++) {
        char c;
        if (!env->read_memory || !env->read_memory(env->ctx, addr + i, &c, 1))
            return errmsg_set(err, errlen, "cannot read the string at %#llx for printf", (unsigned long long)addr);
        if (c == '\0')
            break;
        text_add(t, &c, 1);
    }
    return true;
}

/* Walks the format FMT (N bytes, no NUL). With ARGS NULL only checks it
 * and counts the arguments it takes into *USED; otherwise renders it into
 * T with NARGS arguments. */
static bool format_walk(const char *fmt, size_t n, const uint64_t *args, size_t nargs, size_t *used,
                        const struct agent_expr_env *env, struct text *t, char *err, size_t errlen)
{
    size_t argi = 0;
    for (size_t i = 0; i < n;) {
        char c = fmt[i];
        if (c == '\\') {
            int v = i + 1 < n ? escape_value(fmt[i + 1]) : -1;
            if (v < 0)
                return errmsg_set(err, errlen, "bad escape in printf format");
            if (t) {
                char ch = (char)v;
                text_add(t, &ch, 1);
            }
            i += 2;
            continue;
        }
        if (c != '%') {
            if (t)
                text_add(t, &c, 1);
            i++;
            continue;
        }
        /* A directive: %[flags][width][.precision][length]conversion. */
        i++;
        char flags[8];
        size_t nflags = 0;
        while (i < n && strchr("-+ #0", fmt[i]) && fmt[i]) {
            if (nflags == sizeof flags - 1)
                return errmsg_set(err, errlen, "too many flags in a printf directive");
            flags[nflags++] = fmt[i++];
        }
        flags[nflags] = '\0';
        int width = -1, precision = -1;
        if (i < n && fmt[i] >= '0' && fmt[i] <= '9') {
            width = 0;
            while (i < n && fmt[i] >= '0' && fmt[i] <= '9') {
                width = width * 10 + (fmt[i++] - '0');
                if (width > 1024)
                    return errmsg_set(err, errlen, "printf width too large");
            }
        }
        if (i < n && fmt[i] == '.') {
            i++;
            precision = 0;
            while (i < n && fmt[i] >= '0' && fmt[i] <= '9') {
                precision = precision * 10 + (fmt[i++] - '0');
                if (precision > 1024)
                    return errmsg_set(err, errlen, "printf precision too large");
            }
        }
        /* Length: none is C's int; the 64-bit ones (l, ll, z, j, t) take
         * the whole value, which gdb pushed sign- or zero-extended from
         * the debuggee's type, whatever that type's size. */
        int bits = 32;
        if (i < n && fmt[i] == 'h') {
            bits = 16;
            i++;
            if (i < n && fmt[i] == 'h') {
                bits = 8;
                i++;
            }
        } else if (i < n && strchr("lzjt", fmt[i]) && fmt[i]) {
            bits = 64;
            i++;
            if (fmt[i - 1] == 'l' && i < n && fmt[i] == 'l')
                i++;
        }
        if (i >= n)
            return errmsg_set(err, errlen, "printf directive without a conversion");
        char conv = fmt[i++];
        bool plain = bits == 32 && !nflags && width < 0 && precision < 0;
        if (conv == '%') {
            if (!plain)
                return errmsg_set(err, errlen, "bad %%%% directive in printf format");
            if (t)
                text_add(t, "%", 1);
            continue;
        }
        bool integer = strchr("diouxX", conv) != NULL;
        if (!integer && !strchr("csp", conv))
            return errmsg_set(err, errlen, "unsupported printf conversion '%c'", conv);
        if (!integer && (bits != 32 || strspn(flags, "-") != nflags || (conv != 's' && precision >= 0)))
            return errmsg_set(err, errlen, "unsupported flags or length for printf %%%c", conv);
        if (!t) {
            argi++;
            continue;
        }
        if (argi >= nargs)
            return errmsg_set(err, errlen, "printf format wants more arguments than it has");
        uint64_t v = args[argi++];
        char spec[32];
        int w = width < 0 ? 0 : width;
        if (conv == 's') {
            struct text s = {.len = 0};
            size_t max = precision >= 0 ? (size_t)precision : AGENT_EXPR_STRING_MAX;
            if (!read_string(env, v, max < AGENT_EXPR_STRING_MAX ? max : AGENT_EXPR_STRING_MAX, &s, err, errlen))
                return false;
            /* By hand: the string may be longer than text_printf's piece. */
            size_t pad = (size_t)w > s.len ? (size_t)w - s.len : 0;
            bool left = nflags != 0;   /* '-' is the only flag %s takes */
            for (size_t k = 0; !left && k < pad; k++)
                text_add(t, " ", 1);
            text_add(t, s.buf, s.len);
            for (size_t k = 0; left && k < pad; k++)
                text_add(t, " ", 1);
        } else if (conv == 'c') {
            snprintf(spec, sizeof spec, "%%%s*c", flags);
            text_printf(t, spec, w, (int)(unsigned char)v);
        } else if (conv == 'p') {
            snprintf(spec, sizeof spec, "%%%s*p", flags);
            text_printf(t, spec, w, (void *)(uintptr_t)v);
        } else {
            bool is_signed = conv == 'd' || conv == 'i';
            if (bits < 64) {
                uint64_t mask = (UINT64_C(1) << bits) - 1;
                v &= mask;
                if (is_signed && (v >> (bits - 1)))
                    v |= ~mask;
            }
            snprintf(spec, sizeof spec, "%%%s*.*ll%c", flags, conv);
            if (is_signed)
                text_printf(t, spec, w, precision, (long long)v);
            else
                text_printf(t, spec, w, precision, (unsigned long long)v);
        }
    }
    if (used)
        *used = argi;
    if (t && argi != nargs)
        return errmsg_set(err, errlen, "printf has %zu arguments for %zu directives", nargs, argi);
    return true;
}

/* The printf at PC: its argument count and format (without its NUL). */
static bool printf_operands(const uint8_t *code, size_t len, size_t pc, size_t *nargs, const char **fmt,
                            size_t *fmtlen, char *err, size_t errlen)
{
    uint64_t n, slen;
    if (!fetch(code, len, pc + 1, 1, &n) || !fetch(code, len, pc + 2, 2, &slen) || slen > len - pc - 4)
        return errmsg_set(err, errlen, "printf at %zu runs past the end of the bytecode", pc);
    const char *s = (const char *)code + pc + 4;
    if (slen == 0 || s[slen - 1] != '\0' || memchr(s, '\0', slen) != s + slen - 1)
        return errmsg_set(err, errlen, "printf format at %zu is not a NUL-terminated string", pc);
    *nargs = (size_t)n;
    *fmt = s;
    *fmtlen = (size_t)slen - 1;
    return true;
}

bool agent_expr_validate(const uint8_t *code, size_t len, char *err, size_t errlen)
{
    if (len == 0)
        return errmsg_set(err, errlen, "empty bytecode");
    /* First pass: where instructions start, so that jumps can be checked
     * to land on one. */
    uint8_t starts[(65536 + 7) / 8];
    if (len > 65536)
        return errmsg_set(err, errlen, "bytecode longer than 65536 bytes (jumps cannot reach past that)");
    memset(starts, 0, (len + 7) / 8);
    for (size_t pc = 0; pc < len;) {
        size_t n = insn_length(code, len, pc, err, errlen);
        if (!n)
            return false;
        starts[pc / 8] |= (uint8_t)(1u << (pc % 8));
        if (code[pc] == OP_PRINTF) {
            size_t nargs, fmtlen, used;
            const char *fmt;
            if (!printf_operands(code, len, pc, &nargs, &fmt, &fmtlen, err, errlen) ||
                !format_walk(fmt, fmtlen, NULL, 0, &used, NULL, NULL, err, errlen))
                return false;
            if (used != nargs)
                return errmsg_set(err, errlen, "printf at %zu has %zu arguments for %zu directives", pc, nargs, used);
        }
        pc += n;
    }
    bool has_end = false;
    for (size_t pc = 0; pc < len; pc += insn_length(code, len, pc, NULL, 0)) {
        if (code[pc] == OP_END)
            has_end = true;
        if (code[pc] == OP_GOTO || code[pc] == OP_IF_GOTO) {
            uint64_t to = 0;
            fetch(code, len, pc + 1, 2, &to);
            if (to >= len || !(starts[to / 8] & (1u << (to % 8))))
                return errmsg_set(err, errlen, "jump at %zu to %llu, which is not an instruction", pc,
                            (unsigned long long)to);
        }
    }
    if (!has_end)
        return errmsg_set(err, errlen, "bytecode without an end");
    return true;
}

/* ---- evaluation ---- */

struct machine {
    uint64_t stack[AGENT_EXPR_STACK_MAX];
    size_t sp;   /* number of values on the stack */
    char *err;
    size_t errlen;
};

static bool need(struct machine *m, size_t n, size_t pc)
{
    if (m->sp < n)
        return errmsg_set(m->err, m->errlen, "stack underflow at %zu", pc);
    return true;
}

static bool push(struct machine *m, uint64_t v, size_t pc)
{
    if (m->sp == AGENT_EXPR_STACK_MAX)
        return errmsg_set(m->err, m->errlen, "stack overflow at %zu (more than %d values)", pc, AGENT_EXPR_STACK_MAX);
    m->stack[m->sp++] = v;
    return true;
}

static uint64_t sign_extend(uint64_t v, unsigned bits)
{
    if (bits >= 64)
        return v;
    uint64_t mask = (UINT64_C(1) << bits) - 1;
    v &= mask;
    return (v >> (bits - 1)) ? v | ~mask : v;
}

/* The binary operations: A is the deeper operand, B the top. */
static bool binary(struct machine *m, uint8_t op, uint64_t a, uint64_t b, uint64_t *r, size_t pc)
{
    int64_t sa = (int64_t)a, sb = (int64_t)b;
    switch (op) {
    case OP_ADD: *r = a + b; return true;
    case OP_SUB: *r = a - b; return true;
    case OP_MUL: *r = a * b; return true;
    case OP_DIV_SIGNED:
    case OP_REM_SIGNED:
        if (b == 0)
            return errmsg_set(m->err, m->errlen, "division by zero at %zu", pc);
        if (sa == INT64_MIN && sb == -1)   /* overflows in C: wrap as the hardware's 64-bit result would */
            *r = op == OP_DIV_SIGNED ? a : 0;
        else
            *r = (uint64_t)(op == OP_DIV_SIGNED ? sa / sb : sa % sb);
        return true;
    case OP_DIV_UNSIGNED:
    case OP_REM_UNSIGNED:
        if (b == 0)
            return errmsg_set(m->err, m->errlen, "division by zero at %zu", pc);
        *r = op == OP_DIV_UNSIGNED ? a / b : a % b;
        return true;
    /* Shifts of 64 or more are undefined in C: give what a wide shifter would. */
    case OP_LSH: *r = b >= 64 ? 0 : a << b; return true;
    case OP_RSH_UNSIGNED: *r = b >= 64 ? 0 : a >> b; return true;
    case OP_RSH_SIGNED:
        if (b >= 64)
            *r = sa < 0 ? UINT64_MAX : 0;
        else
            *r = sa < 0 ? ~(~a >> b) : a >> b;
        return true;
    case OP_BIT_AND: *r = a & b; return true;
    case OP_BIT_OR: *r = a | b; return true;
    case OP_BIT_XOR: *r = a ^ b; return true;
    case OP_EQUAL: *r = a == b; return true;
    case OP_LESS_SIGNED: *r = sa < sb; return true;
    case OP_LESS_UNSIGNED: *r = a < b; return true;
    default: return errmsg_set(m->err, m->errlen, "internal: %#x is not binary", op);
    }
}

static bool do_printf(struct machine *m, const uint8_t *code, size_t len, size_t pc,
                      const struct agent_expr_env *env)
{
    size_t nargs, fmtlen;
    const char *fmt;
    if (!printf_operands(code, len, pc, &nargs, &fmt, &fmtlen, m->err, m->errlen) || !need(m, 2 + nargs, pc))
        return false;
    /* The top is the function to print with, then the channel; gdb's
     * dprintf sends 0 for both (the agent's own printf). Calling a
     * function of the debuggee is not something a ptrace server can do
     * safely at a breakpoint. */
    uint64_t fn = m->stack[--m->sp];
    m->sp--;   /* the channel: meaningful only with a function */
    if (fn != 0)
        return errmsg_set(m->err, m->errlen, "printf through a function of the debuggee is not supported");
    uint64_t args[AGENT_EXPR_STACK_MAX];
    for (size_t i = 0; i < nargs; i++)
        args[i] = m->stack[--m->sp];   /* gdb pushes them last first */
    if (!env->output)
        return errmsg_set(m->err, m->errlen, "printf has nowhere to print");
    static struct text t;
    t.len = 0;
    t.overflow = false;
    t.buf[0] = '\0';
    if (!format_walk(fmt, fmtlen, args, nargs, NULL, env, &t, m->err, m->errlen))
        return false;
    if (t.overflow)
        return errmsg_set(m->err, m->errlen, "printf output longer than %zu bytes", sizeof t.buf - 1);
    env->output(env->ctx, t.buf, t.len);
    return true;
}

bool agent_expr_eval(const uint8_t *code, size_t len, const struct agent_expr_env *env, uint64_t *value,
                     bool *has_value, char *err, size_t errlen)
{
    struct machine m = {.sp = 0, .err = err, .errlen = errlen};
    *has_value = false;
    *value = 0;
    size_t pc = 0;
    for (unsigned long steps = 0;; steps++) {
        if (steps == AGENT_EXPR_STEPS_MAX)
            return errmsg_set(err, errlen, "more than %d bytecodes executed (a loop?)", AGENT_EXPR_STEPS_MAX);
        if (pc >= len)
            return errmsg_set(err, errlen, "ran past the end of the bytecode without an end");
        size_t n = insn_length(code, len, pc, err, errlen);
        if (!n)
            return false;
        uint8_t op = code[pc];
        uint64_t arg = 0;
        int osize = operand_size(op);
        if (osize > 0 && op != OP_PRINTF)
            fetch(code, len, pc + 1, (size_t)osize, &arg);
        size_t next = pc + n;
        switch (op) {
        case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV_SIGNED: case OP_DIV_UNSIGNED:
        case OP_REM_SIGNED: case OP_REM_UNSIGNED: case OP_LSH: case OP_RSH_SIGNED: case OP_RSH_UNSIGNED:
        case OP_BIT_AND: case OP_BIT_OR: case OP_BIT_XOR: case OP_EQUAL: case OP_LESS_SIGNED:
        case OP_LESS_UNSIGNED: {
            if (!need(&m, 2, pc))
                return false;
            uint64_t b = m.stack[--m.sp], a = m.stack[m.sp - 1], r = 0;
            if (!binary(&m, op, a, b, &r, pc))
                return false;
            m.stack[m.sp - 1] = r;
            break;
        }
        case OP_LOG_NOT:
        case OP_BIT_NOT:
            if (!need(&m, 1, pc))
                return false;
            m.stack[m.sp - 1] = op == OP_LOG_NOT ? !m.stack[m.sp - 1] : ~m.stack[m.sp - 1];
            break;
        case OP_EXT:
        case OP_ZERO_EXT:
            if (arg == 0 || arg > 64)
                return errmsg_set(err, errlen, "extension to %llu bits at %zu", (unsigned long long)arg, pc);
            if (!need(&m, 1, pc))
                return false;
            if (op == OP_EXT)
                m.stack[m.sp - 1] = sign_extend(m.stack[m.sp - 1], (unsigned)arg);
            else if (arg < 64)
                m.stack[m.sp - 1] &= (UINT64_C(1) << arg) - 1;
            break;
        case OP_REF8: case OP_REF16: case OP_REF32: case OP_REF64: {
            if (!need(&m, 1, pc))
                return false;
            size_t size = (size_t)1 << (op - OP_REF8);
            uint64_t addr = m.stack[m.sp - 1];
            uint8_t bytes[8];
            if (!env->read_memory || !env->read_memory(env->ctx, addr, bytes, size))
                return errmsg_set(err, errlen, "cannot read %zu bytes at %#llx", size, (unsigned long long)addr);
            uint64_t v = 0;
            for (size_t i = size; i-- > 0;)   /* x86 is little-endian */
                v = (v << 8) | bytes[i];
            m.stack[m.sp - 1] = v;
            break;
        }
        case OP_IF_GOTO:
            if (!need(&m, 1, pc))
                return false;
            if (m.stack[--m.sp])
                next = (size_t)arg;
            break;
        case OP_GOTO:
            next = (size_t)arg;
            break;
        case OP_CONST8: case OP_CONST16: case OP_CONST32: case OP_CONST64:
            if (!push(&m, arg, pc))
                return false;
            break;
        case OP_REG: {
            uint64_t v;
            if (!env->read_register || !env->read_register(env->ctx, (int)arg, &v))
                return errmsg_set(err, errlen, "cannot read register %llu", (unsigned long long)arg);
            if (!push(&m, v, pc))
                return false;
            break;
        }
        case OP_END:
            if (m.sp) {
                *has_value = true;
                *value = m.stack[m.sp - 1];
            }
            return true;
        case OP_DUP:
        case OP_PICK: {   /* dup is pick 0 */
            size_t depth = op == OP_DUP ? 0 : (size_t)arg;
            if (!need(&m, depth + 1, pc) || m.sp == 0)
                return false;
            uint64_t v = m.stack[m.sp - 1 - depth];
            if (!push(&m, v, pc))
                return false;
            break;
        }
        case OP_POP:
            if (!need(&m, 1, pc))
                return false;
            m.sp--;
            break;
        case OP_SWAP: {
            if (!need(&m, 2, pc))
                return false;
            uint64_t tmp = m.stack[m.sp - 1];
            m.stack[m.sp - 1] = m.stack[m.sp - 2];
            m.stack[m.sp - 2] = tmp;
            break;
        }
        case OP_ROT: {   /* a b c => c a b */
            if (!need(&m, 3, pc))
                return false;
            uint64_t a = m.stack[m.sp - 3], b = m.stack[m.sp - 2], c = m.stack[m.sp - 1];
            m.stack[m.sp - 3] = c;
            m.stack[m.sp - 2] = a;
            m.stack[m.sp - 1] = b;
            break;
        }
        /* Trace collection: a condition runs outside any trace frame, so
         * there is nothing to record into; only the stack effect is kept
         * (as gdbserver does when a condition holds these). */
        case OP_TRACE:
        case OP_TRACENZ:
            if (!need(&m, 2, pc))
                return false;
            m.sp -= 2;
            break;
        case OP_TRACE_QUICK:
        case OP_TRACE16:
            if (!need(&m, 1, pc))
                return false;
            break;
        case OP_TRACEV:
            break;
        case OP_PRINTF:
            if (!do_printf(&m, code, len, pc, env))
                return false;
            break;
        default:
            return errmsg_set(err, errlen, "unsupported bytecode %#x at %zu", op, pc);
        }
        pc = next;
    }
}
