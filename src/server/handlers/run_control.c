/* Resuming threads: vCont (and the legacy c, C, s, S). The reply, a stop
 * reply, comes when something happens (see session_report_stop). */
#include <string.h>

#include "handlers/handlers.h"
#include "nonstop.h"
#include "rsp/hex.h"
#include "session.h"
#include "target/arch.h"

#define MAX_ACTIONS 64

struct action {
    char kind;        /* 'c', 's', 'r' or 't' */
    int signo;        /* host signal to deliver, 0 for none */
    uint64_t start, end;   /* 'r': step while the PC is in [start, end) */
    struct ptid ptid;
};

HANDLER(handle_vCont_query)
{
    (void)args, (void)len;
    reply_str(s, "vCont;c;C;s;S;t;r");
}

static bool parse_signal(const struct session *s, const char **p, int *signo)
{
    uint64_t gdb_sig;
    if (!hex_parse_u64(p, &gdb_sig) || gdb_sig > 255)
        return false;
    *signo = session_signal_from_client(s, (int)gdb_sig);
    return true;
}

/* The first of the N ACTIONS that names thread TH, or NULL. */
static const struct action *action_for(const struct action *actions, size_t n, const struct thread *th)
{
    for (size_t i = 0; i < n; i++)
        if (ptid_matches(actions[i].ptid, th->proc->pid, th->tid))
            return &actions[i];
    return NULL;
}

/* Non-stop: only the threads named change; a running thread named by a
 * resume action keeps running, a stopped one named by 't' stays stopped
 * (its stop is reported already). The reply is OK at once. */
static void apply_actions_nonstop(struct session *s, const struct action *actions, size_t n)
{
    struct target *t = &s->target;
    if (!t->processes) {
        reply_error(s, "no process is running");
        return;
    }
    for (struct process *p = t->processes; p; p = p->next) {
        if (p->unreported)
            continue;   /* the client does not know it yet */
        for (struct thread *th = p->threads; th; th = th->next) {
            const struct action *a = action_for(actions, n, th);
            if (!a || th->zombie)
                continue;
            if (a->ptid.tid <= 0 && nonstop_stop_queued(s, th))
                continue;   /* a wildcard: gdb has not seen its stop yet */
            if (a->kind == 't') {
                if (th->resumed)
                    target_request_stop(t, th);
                continue;
            }
            if (th->resumed || th->running)
                continue;
            th->resumed = true;
            th->resume_step = a->kind == 's' || a->kind == 'r';
            thread_set_resume_signal(th, a->signo);
            th->range_start = a->kind == 'r' ? a->start : 0;
            th->range_end = a->kind == 'r' ? a->end : 0;
        }
    }
    reply_str(s, "OK");
    nonstop_start_resumed(s);
}

/* Marks each thread with the first action that names it, as the protocol
 * says, and resumes. */
static void apply_actions(struct session *s, const struct action *actions, size_t n)
{
    struct target *t = &s->target;
    if (t->non_stop) {
        apply_actions_nonstop(s, actions, n);
        return;
    }
    if (t->running) {
        reply_error(s, "the target is already running");
        return;
    }
    if (!t->processes) {
        reply_error(s, "no process is running");
        return;
    }
    for (struct process *p = t->processes; p; p = p->next)
        for (struct thread *th = p->threads; th; th = th->next) {
            th->resumed = false;
            th->range_start = th->range_end = 0;
            for (size_t i = 0; i < n; i++) {
                if (!ptid_matches(actions[i].ptid, p->pid, th->tid))
                    continue;
                if (actions[i].kind != 't') {
                    th->resumed = true;
                    th->resume_step = actions[i].kind == 's' || actions[i].kind == 'r';
                    thread_set_resume_signal(th, actions[i].signo);
                }
                if (actions[i].kind == 'r') {
                    th->range_start = actions[i].start;
                    th->range_end = actions[i].end;
                }
                break;
            }
        }
    session_resume(s);
}

HANDLER(handle_vCont)
{
    struct action actions[MAX_ACTIONS];
    size_t n = 0;
    const char *p = args;
    const char *end = args + len;
    while (p < end) {
        if (n == MAX_ACTIONS) {
            reply_error(s, "too many vCont actions");
            return;
        }
        struct action *a = &actions[n];
        a->signo = 0;
        a->ptid = PTID_ALL;
        char k = *p++;
        switch (k) {
        case 'c':
        case 's':
        case 't':
            a->kind = k;
            break;
        case 'r':
            /* Range stepping: gdb's next/step in one round trip per line. */
            a->kind = k;
            if (!hex_parse_u64(&p, &a->start) || p >= end || *p++ != ',' || !hex_parse_u64(&p, &a->end) ||
                a->end <= a->start) {
                reply_error(s, "malformed range in vCont");
                return;
            }
            break;
        case 'C':
        case 'S':
            a->kind = (char)(k - 'A' + 'a');
            if (!parse_signal(s, &p, &a->signo)) {
                reply_error(s, "malformed signal in vCont");
                return;
            }
            break;
        default:
            reply_error(s, "unsupported vCont action '%c'", k);
            return;
        }
        if (*p == ':') {
            p++;
            if (!ptid_parse(&p, &a->ptid)) {
                reply_error(s, "malformed thread id in vCont");
                return;
            }
        }
        n++;
        if (*p == ';')
            p++;
        else if (p != end) {
            reply_error(s, "malformed vCont packet");
            return;
        }
    }
    if (n == 0) {
        reply_error(s, "vCont without actions");
        return;
    }
    apply_actions(s, actions, n);
}

/* Legacy resume packets: an optional address to resume at, in the thread
 * selected with Hc. */
static void legacy_resume(struct session *s, const char *p, char kind, int signo)
{
    if (*p) {
        uint64_t addr;
        struct thread *th = session_general_thread(s);
        if (!hex_parse_u64(&p, &addr) || *p || !th || !arch_set_pc(th, addr)) {
            reply_error(s, "malformed or impossible resume address");
            return;
        }
    }
    struct action a[2];
    size_t n = 0;
    if (kind == 's') {
        /* Step only the selected thread; the others stay stopped. */
        struct thread *th = session_general_thread(s);
        if (!th) {
            reply_error(s, "no process is running");
            return;
        }
        a[n++] = (struct action){.kind = 's', .signo = signo, .ptid = {th->proc->pid, th->tid}};
    } else {
        a[n++] = (struct action){.kind = 'c', .signo = signo, .ptid = s->cont};
        if (s->cont.tid > 0)
            a[n++] = (struct action){.kind = 'c', .ptid = PTID_ALL};
    }
    apply_actions(s, a, n);
}

HANDLER(handle_continue)
{
    (void)len;
    legacy_resume(s, args, 'c', 0);
}

HANDLER(handle_step)
{
    (void)len;
    legacy_resume(s, args, 's', 0);
}

static void legacy_resume_signal(struct session *s, const char *p, char kind)
{
    int signo;
    if (!parse_signal(s, &p, &signo) || (*p && *p != ';')) {
        reply_error(s, "malformed signal");
        return;
    }
    legacy_resume(s, *p == ';' ? p + 1 : p, kind, signo);
}

HANDLER(handle_continue_signal)
{
    (void)len;
    legacy_resume_signal(s, args, 'c');
}

HANDLER(handle_step_signal)
{
    (void)len;
    legacy_resume_signal(s, args, 's');
}
