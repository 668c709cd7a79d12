/* GDB agent expressions: the bytecode gdb compiles breakpoint conditions
 * and dprintf commands into (GDB manual, appendix "Agent Expressions"),
 * evaluated here so that a false condition costs no round trip.
 *
 * Pure: the debuggee is reached only through the callbacks of an
 * agent_expr_env, so the module is unit tested and fuzzed without one.
 * Nothing a client sends can make it read outside the bytecode, overflow
 * its stack or run for ever: every such case is an error, reported with a
 * message. */
#ifndef DBGSRV_AGENT_EXPR_H
#define DBGSRV_AGENT_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The stack depth gdbserver allows; deeper is an error. */
#define AGENT_EXPR_STACK_MAX 100
/* Executed bytecodes per evaluation: a loop (a backward goto) ends in an
 * error instead of hanging the session. */
#define AGENT_EXPR_STEPS_MAX 100000
/* Longest string a printf "%s" reads from the debuggee. */
#define AGENT_EXPR_STRING_MAX 4096

struct agent_expr_env {
    void *ctx;
    /* Reads exactly LEN bytes at ADDR; false if any of them is unreadable. */
    bool (*read_memory)(void *ctx, uint64_t addr, void *buf, size_t len);
    /* Reads register REGNO (the client's numbering); false if there is no
     * such register or it is wider than 8 bytes. */
    bool (*read_register)(void *ctx, int regno, uint64_t *value);
    /* Where printf's text goes (may be NULL: printf is then an error). */
    void (*output)(void *ctx, const char *text, size_t len);
};

/* Checks what can be checked without running: every opcode known and
 * supported, operands inside the bytecode, jumps onto instructions,
 * printf's format string terminated and made of supported directives.
 * False with a message in ERR otherwise. */
bool agent_expr_validate(const uint8_t *code, size_t len, char *err, size_t errlen);

/* Runs CODE. True when it reached "end": *HAS_VALUE says whether the stack
 * held a value then, and *VALUE is it. False with a message in ERR on any
 * error (bad bytecode, stack overflow or underflow, division by zero, an
 * unreadable address or register, too many steps). */
bool agent_expr_eval(const uint8_t *code, size_t len, const struct agent_expr_env *env, uint64_t *value,
                     bool *has_value, char *err, size_t errlen);

#endif
