/* g, G, p, P: registers of the thread selected with Hg. */
#include <stdlib.h>

#include "handlers/handlers.h"
#include "rsp/hex.h"
#include "session.h"
#include "target/arch.h"

static struct thread *stopped_thread(struct session *s)
{
    struct thread *th = session_general_thread(s);
    if (!th)
        reply_error(s, "no thread selected");
    else if (th->running)
        reply_error(s, "thread %d is running", (int)th->tid);
    else
        return th;
    return NULL;
    return th;
}

HANDLER(handle_read_registers)
{
    (void)args, (void)len;
    struct thread *th = stopped_thread(s);
    if (!th)
        return;
    size_t size = arch_regs_size(&s->target);
    uint8_t *buf = malloc(size);
    if (buf && arch_read_all(&s->target, th, buf))
        reply_hex(s, buf, size);
    else
        reply_error(s, "cannot read the registers of thread %d", (int)th->tid);
    free(buf);
}

HANDLER(handle_write_registers)
{
    struct thread *th = stopped_thread(s);
    if (!th)
        return;
    size_t size = arch_regs_size(&s->target);
    uint8_t *buf = malloc(size);
    if (!buf || len != 2 * size || !hex_decode(buf, args, size))
        reply_error(s, "malformed G packet (expected %zu hex digits)", 2 * size);
    else if (!arch_write_all(&s->target, th, buf))
        reply_error(s, "cannot write the registers of thread %d", (int)th->tid);
    else
        reply_str(s, "OK");
    free(buf);
}

HANDLER(handle_read_register)
{
    (void)len;
    const char *p = args;
    uint64_t regno;
    if (!hex_parse_u64(&p, &regno) || *p) {
        reply_error(s, "malformed p packet");
        return;
    }
    struct thread *th = stopped_thread(s);
    if (!th)
        return;
    uint8_t val[ARCH_MAX_REG_SIZE];
    size_t size = arch_reg_size(&s->target, regno > 1000 ? -1 : (int)regno);
    if (!size)
        reply_error(s, "no register %llu", (unsigned long long)regno);
    else if (!arch_read_reg(&s->target, th, (int)regno, val))
        reply_error(s, "cannot read register %llu", (unsigned long long)regno);
    else
        reply_hex(s, val, size);
}

HANDLER(handle_write_register)
{
    const char *p = args;
    uint64_t regno;
    if (!hex_parse_u64(&p, &regno) || *p != '=') {
        reply_error(s, "malformed P packet");
        return;
    }
    p++;
    struct thread *th = stopped_thread(s);
    if (!th)
        return;
    uint8_t val[ARCH_MAX_REG_SIZE];
    size_t size = arch_reg_size(&s->target, regno > 1000 ? -1 : (int)regno);
    size_t digits = (size_t)(args + len - p);
    if (!size)
        reply_error(s, "no register %llu", (unsigned long long)regno);
    else if (digits != 2 * size || !hex_decode(val, p, size))
        reply_error(s, "malformed value for register %llu", (unsigned long long)regno);
    else if (!arch_write_reg(&s->target, th, (int)regno, val))
        reply_error(s, "cannot write register %llu", (unsigned long long)regno);
    else
        reply_str(s, "OK");
}
