#include "stop_reply.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gdbserver_cli.h"
#include "rsp/hex.h"
#include "target/arch.h"
#include "thread_info_json.h"

int stop_reply_signal(const struct session *s, const struct stop_event *ev)
{
    switch (ev->kind) {
    case STOP_SWBREAK:
    case STOP_STEP:
    case STOP_HWBREAK:
    case STOP_WATCH:
    case STOP_FORK:
    case STOP_VFORK:
    case STOP_VFORK_DONE:
    case STOP_EXEC:
    case STOP_SYSCALL_ENTRY:
    case STOP_SYSCALL_RETURN:
    case STOP_CREATE:
        return session_signal_to_client(s, SIGTRAP);
    case STOP_INTERRUPT:
        return session_signal_to_client(s, SIGINT);
    case STOP_ATTACHED:
        return session_signal_to_client(s, SIGSTOP);
    case STOP_SIGNAL:
        return session_signal_to_client(s, ev->signo);
    case STOP_NONE:
        break;
    }
    return 0;
}

static void expedite(struct session *s, struct thread *th, int regno)
{
    uint8_t val[ARCH_MAX_REG_SIZE];
    size_t size = arch_reg_size(&s->target, th->proc, regno);
    if (size && arch_read_reg(&s->target, th, regno, val)) {
        reply_printf(s, "%02x:", regno);
        reply_hex(s, val, size);
        reply_str(s, ";");
    }
}

/* lldb's QListThreadsInStopReply: every thread of the process and its PC,
 * which spares lldb a qfThreadInfo and a register read per thread. */
static void list_threads(struct session *s, struct thread *th, const struct stop_event *ev)
{
    struct process *p = th->proc;
    reply_str(s, "threads:");
    for (struct thread *t = p->threads; t; t = t->next)
        reply_printf(s, "%s%x", t == p->threads ? "" : ",", (unsigned)t->tid);
    reply_str(s, ";thread-pcs:");
    for (struct thread *t = p->threads; t; t = t->next) {
        uint64_t pc = 0;
        if (t->zombie || !arch_get_pc(t, &pc))
            pc = 0;   /* a leader that exited before its threads has no PC */
        reply_printf(s, "%s%016llx", t == p->threads ? "" : ",", (unsigned long long)pc);
    }
    reply_str(s, ";");
    /* Which threads have a stop reason: without it lldb asks each thread
     * with qThreadStopInfo. One thread needs none, the reply is about it. */
    if (p->threads && p->threads->next) {
        size_t n;
        char *json = thread_info_json(s, p, th, ev, false, &n);
        if (json) {
            reply_str(s, "jstopinfo:");
            reply_hex(s, (const uint8_t *)json, n);
            reply_str(s, ";");
            free(json);
        }
    }
}

/* The new program of a process that exec'd, for "exec:" (hex). */
static void reply_exec_path(struct session *s, pid_t pid)
{
    char path[64], exe[4096];
    snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
    ssize_t n = readlink(path, exe, sizeof exe);
    if (n < 0)
        n = 0;   /* gone already: an empty name, the client keeps its own */
    reply_str(s, "exec:");
    reply_hex(s, (const uint8_t *)exe, (size_t)n);
    reply_str(s, ";");
}

/* The stop reasons of fork, vfork, exec and system call events, first in
 * the reply as gdbserver puts them. */
static void reply_event_reason(struct session *s, struct thread *th, const struct stop_event *ev)
{
    char id[48];
    switch (ev->kind) {
    case STOP_FORK:
    case STOP_VFORK:
        ptid_format(id, sizeof id, ev->child, ev->child, s->client_multiprocess);
        reply_printf(s, "%s:%s;", ev->kind == STOP_FORK ? "fork" : "vfork", id);
        break;
    case STOP_VFORK_DONE:
        reply_str(s, "vforkdone:;");
        break;
    case STOP_CREATE:
        reply_str(s, "create:;");
        break;
    case STOP_EXEC:
        reply_exec_path(s, th->proc->pid);
        break;
    case STOP_SYSCALL_ENTRY:
    case STOP_SYSCALL_RETURN:
        reply_printf(s, "%s:%lx;", ev->kind == STOP_SYSCALL_ENTRY ? "syscall_entry" : "syscall_return",
                     (unsigned long)ev->syscall_nr);
        break;
    default:
        break;
    }
}

void stop_reply_thread(struct session *s, struct thread *th, const struct stop_event *ev)
{
    if (s->config.disabled & DISABLE_T) {
        reply_printf(s, "S%02x", stop_reply_signal(s, ev));   /* --disable-packet=T */
        return;
    }
    reply_printf(s, "T%02x", stop_reply_signal(s, ev));
    reply_event_reason(s, th, ev);
    /* PC, SP and FP: what gdb reads first at every stop to find the frame. */
    struct arch_frame_regs fr = arch_frame_regs(th->proc);
    expedite(s, th, fr.fp);
    expedite(s, th, fr.sp);
    expedite(s, th, fr.pc);
    char id[48];
    ptid_format(id, sizeof id, th->proc->pid, th->tid, s->client_multiprocess);
    if (!(s->config.disabled & DISABLE_TTHREAD))
        reply_printf(s, "thread:%s;", id);
    if (ev->kind == STOP_SWBREAK && s->client_swbreak)
        reply_str(s, "swbreak:;");
    if (ev->kind == STOP_HWBREAK && s->client_hwbreak)
        reply_str(s, "hwbreak:;");
    if (ev->kind == STOP_WATCH)
        reply_printf(s, "%s:%llx;", ev->watch_type == HW_WRITE ? "watch" : "awatch",
                     (unsigned long long)ev->data_addr);
    if (s->threads_in_stop_reply)
        list_threads(s, th, ev);
}

void stop_reply_exit(struct session *s, const struct process *p)
{
    int st = p->exit_status;
    if (s->config.flags & SESSION_GDBSERVER_MESSAGES) {
        /* gdbserver's words, which tools and testsuites wait for. */
        if (WIFSIGNALED(st))
            fprintf(stderr, "\nChild terminated with signal = 0x%x (SIG%s)\n", (unsigned)signal_to_gdb(WTERMSIG(st)),
                    sigabbrev_np(WTERMSIG(st)) ? sigabbrev_np(WTERMSIG(st)) : "?");
        else
            fprintf(stderr, "\nChild exited with status %d\n", WEXITSTATUS(st));
        fflush(stderr);
    }
    if (WIFSIGNALED(st))
        reply_printf(s, "X%02x", session_signal_to_client(s, WTERMSIG(st)));
    else
        reply_printf(s, "W%02x", WEXITSTATUS(st));
    if (s->client_multiprocess)
        reply_printf(s, ";process:%x", (unsigned)p->pid);
}
