/* g, G, p, P: registers of the thread selected with Hg. */
#include <stdlib.h>

#include "handlers/handlers.h"
#include "rsp/hex.h"
#include "session.h"
#include "target/arch.h"

/* Which thread a register packet is about: lldb's thread suffix, cut off
 * *LEN, names one; without it the thread is the one Hg selected. */
struct which {
    bool malformed;
    bool named;
    struct ptid id;
};

static struct which which_thread(struct session *s, const char *args, size_t *len)
{
    struct which w = {false, false, PTID_ANY};
    int r = s->thread_suffix ? ptid_strip_suffix(args, len, &w.id) : 0;
    w.malformed = r < 0;
    w.named = r > 0;
    return w;
}

/* The thread W names, stopped; NULL with an error reply otherwise. */
static struct thread *stopped_thread(struct session *s, struct which w)
{
    struct thread *th;
    if (w.malformed) {
        reply_error(s, "malformed thread suffix");
        return NULL;
    }
    if (w.named) {
        th = w.id.tid > 0 ? target_find_thread(&s->target, (pid_t)w.id.tid) : NULL;
        if (!th || (w.id.pid > 0 && th->proc->pid != w.id.pid)) {
            reply_error(s, "no such thread in this session");
            return NULL;
        }
    } else {
        th = session_general_thread(s);
    }
    if (!th)
        reply_error(s, "no thread selected");
    else if (th->running)
        reply_error(s, "thread %d is running", (int)th->tid);
    else
        return th;
    return NULL;
}

HANDLER(handle_read_registers)
{
    struct which w = which_thread(s, args, &len);
    if (len) {
        reply_error(s, "malformed g packet");
        return;
    }
    struct thread *th = stopped_thread(s, w);
    if (!th)
        return;
    size_t size = arch_regs_size(&s->target, th->proc);
    uint8_t *buf = malloc(size);
    if (buf && arch_read_all(&s->target, th, buf))
        reply_hex(s, buf, size);
    else
        reply_error(s, "cannot read the registers of thread %d", (int)th->tid);
    free(buf);
}

HANDLER(handle_write_registers)
{
    struct which w = which_thread(s, args, &len);
    struct thread *th = stopped_thread(s, w);
    if (!th)
        return;
    size_t size = arch_regs_size(&s->target, th->proc);
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
    struct which w = which_thread(s, args, &len);
    const char *p = args;
    uint64_t regno;
    if (!hex_parse_u64(&p, &regno) || p != args + len) {
        reply_error(s, "malformed p packet");
        return;
    }
    struct thread *th = stopped_thread(s, w);
    if (!th)
        return;
    uint8_t val[ARCH_MAX_REG_SIZE];
    size_t size = arch_reg_size(&s->target, th->proc, regno > 1000 ? -1 : (int)regno);
    if (!size)
        reply_error(s, "no register %llu", (unsigned long long)regno);
    else if (!arch_read_reg(&s->target, th, (int)regno, val))
        reply_error(s, "cannot read register %llu", (unsigned long long)regno);
    else
        reply_hex(s, val, size);
}

HANDLER(handle_write_register)
{
    struct which w = which_thread(s, args, &len);
    const char *p = args;
    uint64_t regno;
    if (!hex_parse_u64(&p, &regno) || p >= args + len || *p != '=') {
        reply_error(s, "malformed P packet");
        return;
    }
    p++;
    struct thread *th = stopped_thread(s, w);
    if (!th)
        return;
    uint8_t val[ARCH_MAX_REG_SIZE];
    size_t size = arch_reg_size(&s->target, th->proc, regno > 1000 ? -1 : (int)regno);
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
