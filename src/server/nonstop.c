/* Non-stop mode: the queue of stop notifications and the per-thread
 * resume. The target's state machine (events.c) already records one event
 * per thread; here each is turned into a stop reply as soon as it is ready
 * and the thread is left stopped, while every other thread runs on. */
#include "nonstop.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "log.h"
#include "session.h"
#include "stop_reply.h"

/* Builds a stop reply with the usual reply functions, into its own buffer,
 * leaving the reply in progress (say vCont's "OK") untouched. */
struct saved_reply {
    struct buffer reply;
};

static void note_begin(struct session *s, struct saved_reply *saved)
{
    saved->reply = s->reply;
    s->reply = (struct buffer){0};
}

static void note_end(struct session *s, struct saved_reply *saved, pid_t tid, pid_t child)
{
    char *text = s->reply.data ? s->reply.data : strdup("");
    s->reply = saved->reply;
    struct stop_note *n = calloc(1, sizeof *n);
    if (!n || !text) {
        free(n);
        free(text);
        log_error("out of memory: a stop notification is lost");
        return;
    }
    n->text = text;
    n->tid = tid;
    n->child = child;
    struct stop_note **pp = &s->stop_queue;
    while (*pp)
        pp = &(*pp)->next;
    *pp = n;
}

static void queue_thread_stop(struct session *s, struct thread *th, const struct stop_event *ev)
{
    struct saved_reply saved;
    note_begin(s, &saved);
    stop_reply_thread(s, th, ev);
    note_end(s, &saved, th->tid, ev->kind == STOP_FORK || ev->kind == STOP_VFORK ? ev->child : 0);
}

void nonstop_clear_queue(struct session *s)
{
    while (s->stop_queue) {
        struct stop_note *n = s->stop_queue;
        s->stop_queue = n->next;
        free(n->text);
        free(n);
    }
    s->stop_notified = false;
}

void nonstop_collect_events(struct session *s)
{
    struct target *t = &s->target;
    struct saved_reply saved;
    /* Stale events (a breakpoint since removed) are dropped here. */
    target_pending_event_ready(t);
    for (;;) {
        struct stop_event ev;
        struct process *exited;
        struct thread *th = target_take_event(t, &ev, &exited);
        if (exited) {
            note_begin(s, &saved);
            stop_reply_exit(s, exited);
            note_end(s, &saved, 0, 0);
            target_free_process(t, exited);
            continue;
        }
        if (!th)
            break;
        /* Stopped now as far as the client knows: it stays so until a
         * vCont names it. A signal it was to be resumed with, if its
         * event came first, is still owed to it. */
        thread_keep_resume_signal(th);
        th->resumed = false;
        th->stop_requested = false;
        th->interrupt_requested = false;
        s->last_stop_tid = th->tid;
        queue_thread_stop(s, th, &ev);
    }
    struct thread_exit e;
    while (target_take_thread_exit(t, &e)) {
        char id[48];
        ptid_format(id, sizeof id, e.pid, e.tid, s->client_multiprocess);
        note_begin(s, &saved);
        reply_printf(s, "w%02x;%s", WIFEXITED(e.status) ? WEXITSTATUS(e.status) : 0, id);
        note_end(s, &saved, 0, 0);
    }
    if (!s->extended && !t->processes)
        s->ending = true;   /* plain "target remote": the program is over */
}

bool nonstop_stop_queued(const struct session *s, const struct thread *th)
{
    for (const struct stop_note *n = s->stop_queue; n; n = n->next)
        if (n->tid == th->tid || (n->child && n->child == th->proc->pid))
            return true;
    return false;
}

void nonstop_notify(struct session *s)
{
    if (s->stop_notified || !s->stop_queue)
        return;
    s->stop_notified = true;
    session_send_notification(s, "Stop", s->stop_queue->text);
}

void nonstop_reply_vstopped(struct session *s)
{
    if (s->stop_notified && s->stop_queue) {
        /* The head is the one the client has: it is done with it. */
        struct stop_note *n = s->stop_queue;
        s->stop_queue = n->next;
        free(n->text);
        free(n);
    }
    if (!s->stop_queue) {
        s->stop_notified = false;
        reply_str(s, "OK");
        return;
    }
    s->stop_notified = true;   /* this reply delivers the new head */
    reply_str(s, s->stop_queue->text);
}

/* A thread of P other than TH that has an event of its own to report. */
static bool other_has_event(const struct process *p, const struct thread *th)
{
    for (const struct thread *o = p->threads; o; o = o->next)
        if (o != th && !o->resumed && !o->running && !o->zombie && o->last.kind != STOP_NONE)
            return true;
    return false;
}

void nonstop_reply_status(struct session *s)
{
    struct target *t = &s->target;
    nonstop_clear_queue(s);
    bool start = false;
    for (struct process *p = t->processes; p; p = p->next) {
        if (p->unreported)
            continue;
        bool told = false;
        for (struct thread *th = p->threads; th; th = th->next) {
            if (th->resumed || th->running || th->zombie)
                continue;   /* running, as the client knows */
            struct stop_event ev = th->last;
            if (ev.kind == STOP_NONE) {
                /* Stopped only because the server stopped the process
                 * (an attach): as with gdbserver, one thread is reported
                 * and the others run on. gdb 13 cannot take more than one
                 * stop in its first "?" (it fails an assertion in
                 * remote_target::wait); in all-stop on top of non-stop it
                 * stops the others itself with vCont;t. */
                if (told || other_has_event(p, th)) {
                    th->resumed = true;
                    start = true;
                    continue;
                }
                ev = (struct stop_event){.kind = STOP_SIGNAL, .signo = 0};
            }
            queue_thread_stop(s, th, &ev);
            told = true;
        }
    }
    if (start) {
        /* Their events, if any come at once, follow the reply as %Stop
         * notifications. */
        target_continue_job_stopped(t);
        for (struct process *p = t->processes; p; p = p->next)
            for (struct thread *th = p->threads; th; th = th->next)
                if (th->resumed && !th->running && !th->zombie && !thread_resume(th, false, 0))
                    th->resumed = false;
    }
    if (!s->stop_queue) {
        reply_str(s, "OK");
        return;
    }
    s->stop_notified = true;   /* vStopped takes it from here */
    reply_str(s, s->stop_queue->text);
}

/* The next thread the client resumed that is still stopped and has no
 * event to report first. */
static struct thread *next_to_start(struct target *t)
{
    for (struct process *p = t->processes; p; p = p->next)
        for (struct thread *th = p->threads; th; th = th->next) {
            if (!th->resumed || th->running || th->zombie)
                continue;
            if (th->has_pending) {
                if (target_pending_valid(t, th))
                    continue;   /* reported instead of run */
                th->has_pending = false;
            }
            return th;
        }
    return NULL;
}

void nonstop_start_resumed(struct session *s)
{
    struct target *t = &s->target;
    target_continue_job_stopped(t);
    struct thread *th;
    /* From the start each time: a step-over may end threads. */
    while ((th = next_to_start(t))) {
        if (th->step_over && !th->resume_signo) {
            target_step_over_thread(t, th);
            if (target_find_thread(t, th->tid) != th || th->running || th->has_pending)
                continue;
        }
        th->step_over = false;   /* with a signal: the handler runs first */
        if (!thread_resume(th, th->resume_step, th->resume_signo))
            th->resumed = false;   /* gone: its exit is on the way */
        th->resume_signo = 0;
    }
    nonstop_collect_events(s);
}
