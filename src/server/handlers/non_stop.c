/* Non-stop mode's packets: QNonStop, vStopped, vCtrlC, and QThreadEvents
 * (thread creation and exit reported as events). */
#include "handlers/handlers.h"
#include "nonstop.h"
#include "session.h"

/* True if some thread runs, in either mode: the mode must not change then. */
static bool target_any_running(const struct target *t)
{
    if (t->running)
        return true;
    for (const struct process *p = t->processes; p; p = p->next)
        for (const struct thread *th = p->threads; th; th = th->next)
            if (th->running)
                return true;
    return false;
}

/* "1" or "0", nothing else; -1 for anything else. */
static int parse_switch(const char *args, size_t len)
{
    if (len == 1 && (args[0] == '0' || args[0] == '1'))
        return args[0] - '0';
    return -1;
}

HANDLER(handle_QNonStop)
{
    int on = parse_switch(args, len);
    if (on < 0) {
        reply_error(s, "malformed QNonStop packet (QNonStop:0 or QNonStop:1)");
        return;
    }
    struct target *t = &s->target;
    if ((bool)on != t->non_stop && target_any_running(t)) {
        reply_error(s, "cannot change the non-stop mode while threads run");
        return;
    }
    if (!on)
        nonstop_clear_queue(s);
    /* Threads stopped now are stopped as the client knows them in either mode. */
    for (struct process *p = t->processes; p; p = p->next)
        for (struct thread *th = p->threads; th; th = th->next)
            th->resumed = false;
    t->non_stop = on;
    if (!on)
        t->report_thread_events = false;   /* they come with non-stop mode */
    reply_str(s, "OK");
}

HANDLER(handle_vStopped)
{
    (void)args;
    if (len) {
        reply_error(s, "malformed vStopped packet");
        return;
    }
    if (!s->target.non_stop) {
        reply_error(s, "vStopped is for non-stop mode");
        return;
    }
    nonstop_reply_vstopped(s);
}

HANDLER(handle_vCtrlC)
{
    (void)args;
    if (len) {
        reply_error(s, "malformed vCtrlC packet");
        return;
    }
    if (!s->target.non_stop) {
        /* All-stop clients send the ^C byte, which has no reply. */
        reply_error(s, "vCtrlC is for non-stop mode");
        return;
    }
    /* One thread stops with SIGINT, reported as a notification; the
     * client stops the others itself if it wants them stopped. */
    target_interrupt(&s->target);
    reply_str(s, "OK");
}

HANDLER(handle_QThreadEvents)
{
    int on = parse_switch(args, len);
    if (on < 0) {
        reply_error(s, "malformed QThreadEvents packet (QThreadEvents:0 or QThreadEvents:1)");
        return;
    }
    /* Reported in non-stop mode only (where gdb asks for them): in all-stop
     * the request is refused rather than accepted and not acted on. */
    if (on && !s->target.non_stop) {
        reply_error(s, "thread events are reported in non-stop mode only (QNonStop:1 first)");
        return;
    }
    s->target.report_thread_events = on;
    reply_str(s, "OK");
}
