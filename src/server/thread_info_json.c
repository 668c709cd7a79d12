#include "thread_info_json.h"

#include <stdio.h>
#include <stdlib.h>

#include "stop_reply.h"
#include "target/arch.h"
#include "target/proc_info.h"

/* lldb's names for the reasons of a stop (its StopReason as a string);
 * NULL: no reason, the thread was only stopped along with the others. */
static const char *reason_name(enum stop_kind kind)
{
    switch (kind) {
    case STOP_SWBREAK:
    case STOP_HWBREAK:
        return "breakpoint";
    case STOP_STEP:
        return "trace";
    case STOP_WATCH:
        return "watchpoint";
    case STOP_SIGNAL:
    case STOP_INTERRUPT:
    case STOP_ATTACHED:
        return "signal";
    case STOP_EXEC:
        return "exec";
    case STOP_FORK:
        return "fork";
    case STOP_VFORK:
        return "vfork";
    case STOP_VFORK_DONE:
        return "vforkdone";
    case STOP_SYSCALL_ENTRY:
    case STOP_SYSCALL_RETURN:
    case STOP_CREATE:
    case STOP_NONE:
        break;
    }
    return NULL;
}

/* A JSON string: quotes, backslashes and control characters escaped
 * (thread names are whatever the program set with prctl). */
static void json_string(FILE *f, const char *text)
{
    fputc('"', f);
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (*c == '"' || *c == '\\')
            fprintf(f, "\\%c", *c);
        else if (*c < 0x20 || *c == 0x7f)
            fprintf(f, "\\u%04x", *c);
        else
            fputc(*c, f);
    }
    fputc('"', f);
}

/* "registers": the frame registers gdb and lldb read first at every stop,
 * keyed by their number in decimal, valued in target byte order as in a
 * 'p' reply. */
static void json_registers(FILE *f, struct session *s, struct thread *th)
{
    struct arch_frame_regs fr = arch_frame_regs(th->proc);
    int regs[] = {fr.pc, fr.sp, fr.fp};
    const char *sep = "";
    fputs(",\"registers\":{", f);
    for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++) {
        uint8_t val[ARCH_MAX_REG_SIZE];
        size_t size = arch_reg_size(&s->target, th->proc, regs[i]);
        if (!size || !arch_read_reg(&s->target, th, regs[i], val))
            continue;
        fprintf(f, "%s\"%d\":\"", sep, regs[i]);
        for (size_t k = 0; k < size; k++)
            fprintf(f, "%02x", val[k]);
        fputc('"', f);
        sep = ",";
    }
    fputc('}', f);
}

static void json_thread(FILE *f, struct session *s, struct thread *th, const struct thread *stopped,
                        const struct stop_event *ev, bool registers)
{
    fprintf(f, "{\"tid\":%d", (int)th->tid);
    char name[64] = "";
    int core = -1;
    proc_info_read_task(th->tgid, th->tid, name, sizeof name, &core);
    if (name[0]) {
        fputs(",\"name\":", f);
        json_string(f, name);
    }
    /* Only the thread of the stop reply has a reason: the others were
     * stopped by the server to keep all-stop (as qThreadStopInfo says). */
    if (th == stopped && ev) {
        const char *reason = reason_name(ev->kind);
        int signo = stop_reply_signal(s, ev);
        if (signo)
            fprintf(f, ",\"signal\":%d", signo);
        if (reason)
            fprintf(f, ",\"reason\":\"%s\"", reason);
        /* lldb reads a watchpoint as "ADDRESS INDEX" in decimal and finds
         * its watchpoint by the address. */
        if (ev->kind == STOP_WATCH)
            fprintf(f, ",\"description\":\"%llu 0\"", (unsigned long long)ev->data_addr);
    }
    if (registers && !th->running && !th->zombie)
        json_registers(f, s, th);
    fputc('}', f);
}

char *thread_info_json(struct session *s, struct process *p, const struct thread *stopped,
                       const struct stop_event *ev, bool registers, size_t *len)
{
    char *text = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&text, &n);
    if (!f)
        return NULL;
    fputc('[', f);
    for (struct thread *t = p->threads; t; t = t->next) {
        if (t != p->threads)
            fputc(',', f);
        json_thread(f, s, t, stopped, ev, registers);
    }
    fputc(']', f);
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    *len = n;
    return text;
}
