/* Starting, attaching, killing and detaching processes, and '?'. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/handlers.h"
#include "log.h"
#include "nonstop.h"
#include "rsp/hex.h"
#include "session.h"
#include "stop_reply.h"

#define MAX_ARGS 1024

static void reply_initial_stop(struct session *s, struct process *p)
{
    struct thread *th = p->threads;
    s->general = (struct ptid){p->pid, th->tid};
    s->last_stop_tid = th->tid;
    stop_reply_thread(s, th, &th->last);
}

/* vAttach in non-stop mode: the reply is OK, and each thread's stop a
 * notification (signal 0: the client did not ask for a signal). */
static void reply_attached_nonstop(struct session *s, struct process *p)
{
    s->general = (struct ptid){p->pid, p->threads->tid};
    s->last_stop_tid = p->threads->tid;
    for (struct thread *th = p->threads; th; th = th->next) {
        th->resumed = true;   /* reported as an event, then stopped */
        th->has_pending = true;
        th->pending = (struct stop_event){.kind = STOP_SIGNAL, .signo = 0};
        th->pending_seq = ++s->target.event_seq;
    }
    reply_str(s, "OK");
    nonstop_collect_events(s);
}

/* lldb asks qLaunchSuccess after vRun: keep why the launch failed. */
static void launch_failed(struct session *s, const char *why)
{
    free(s->launch_error);
    s->launch_error = strdup(why);
    reply_error(s, "%s", why);
}

/* Remembers ARGV (NULL-terminated) as what 'R' runs again. */
void session_remember_run(struct session *s, char *const *argv)
{
    size_t n = 0;
    while (argv[n])
        n++;
    char **copy = calloc(n + 1, sizeof *copy);
    if (!copy)
        return;
    for (size_t i = 0; i < n; i++) {
        copy[i] = strdup(argv[i]);
        if (!copy[i]) {
            while (i--)
                free(copy[i]);
            free(copy);
            return;
        }
    }
    for (size_t i = 0; s->last_run && s->last_run[i]; i++)
        free(s->last_run[i]);
    free(s->last_run);
    s->last_run = copy;
}

/* vRun;PROGRAM-HEX[;ARG-HEX]... */
HANDLER(handle_vRun)
{
    free(s->launch_error);
    s->launch_error = NULL;
    char **argv = calloc(MAX_ARGS + 1, sizeof *argv);
    size_t argc = 0;
    bool ok = argv != NULL;
    const char *p = args;
    while (ok) {
        const char *end = memchr(p, ';', (size_t)(args + len - p));
        size_t n = end ? (size_t)(end - p) : (size_t)(args + len - p);
        if (n % 2 || argc == MAX_ARGS) {
            ok = false;
            break;
        }
        argv[argc] = malloc(n / 2 + 1);
        if (!argv[argc] || !hex_decode((uint8_t *)argv[argc], p, n / 2)) {
            free(argv[argc]);
            ok = false;
            break;
        }
        argv[argc][n / 2] = '\0';
        argc++;
        if (!end)
            break;
        p = end + 1;
    }
    if (!ok) {
        launch_failed(s, "malformed vRun packet");
    } else if (argv[0][0] == '\0' && !s->last_program && !s->config.implicit) {
        launch_failed(s, "no program to run: set one with 'set remote exec-file PROGRAM' "
                         "(or start dbgsrv with -pc COMMAND LINE)");
    } else if (argv[0][0] == '\0' && !s->last_program) {
        /* -pc: the server's implicit command line; arguments given with
         * "run" replace its own. */
        char *const *run = s->config.implicit;
        char **use = argc > 1 ? argv : (char **)run;
        char *saved = argv[0];
        if (argc > 1)
            argv[0] = run[0];
        char err[512];
        struct process *proc = target_launch(&s->target, use, err, sizeof err);
        if (proc)
            session_remember_run(s, use);
        argv[0] = saved;
        if (proc)
            reply_initial_stop(s, proc);
        else
            launch_failed(s, err);
    } else {
        if (argv[0][0] == '\0') {
            free(argv[0]);
            argv[0] = strdup(s->last_program);
        } else {
            free(s->last_program);
            s->last_program = strdup(argv[0]);
        }
        char err[512];
        struct process *proc = target_launch(&s->target, argv, err, sizeof err);
        if (proc) {
            session_remember_run(s, argv);
            reply_initial_stop(s, proc);
        } else {
            launch_failed(s, err);
        }
    }
    for (size_t i = 0; argv && i < argc; i++)
        free(argv[i]);
    free(argv);
}

static bool parse_pid(const char *args, pid_t *pid)
{
    uint64_t v;
    if (!hex_parse_u64(&args, &v) || *args || v == 0 || v > 0x7fffffff)
        return false;
    *pid = (pid_t)v;
    return true;
}

HANDLER(handle_vAttach)
{
    (void)len;
    pid_t pid;
    if (!parse_pid(args, &pid)) {
        reply_error(s, "malformed vAttach packet");
        return;
    }
    char err[512];
    struct process *p = target_attach(&s->target, pid, err, sizeof err);
    if (p && s->target.non_stop)
        reply_attached_nonstop(s, p);
    else if (p)
        reply_initial_stop(s, p);
    else
        reply_error(s, "%s", err);
}

HANDLER(handle_vKill)
{
    (void)len;
    pid_t pid;
    if (!parse_pid(args, &pid)) {
        reply_error(s, "malformed vKill packet");
        return;
    }
    struct process *p = target_find_process(&s->target, pid);
    if (!p) {
        reply_error(s, "no process %d in this session", (int)pid);
        return;
    }
    target_kill(&s->target, p);
    reply_str(s, "OK");
}

static void detach_one(struct session *s, struct process *p)
{
    if (s->config.flags & SESSION_GDBSERVER_MESSAGES) {
        fprintf(stderr, "Detaching from process %d\n", (int)p->pid);
        fflush(stderr);
    }
    target_detach(&s->target, p);
}

/* D, or D;PID in multiprocess mode. */
HANDLER(handle_detach)
{
    (void)len;
    struct target *t = &s->target;
    if (*args == ';') {
        pid_t pid;
        if (!parse_pid(args + 1, &pid)) {
            reply_error(s, "malformed detach packet");
            return;
        }
        struct process *p = target_find_process(t, pid);
        if (!p) {
            reply_error(s, "no process %d in this session", (int)pid);
            return;
        }
        detach_one(s, p);
    } else if (*args == '\0') {
        if (!t->processes) {
            reply_error(s, "no process to detach from");
            return;
        }
        while (t->processes)
            detach_one(s, t->processes);
    } else {
        reply_error(s, "malformed detach packet");
        return;
    }
    reply_str(s, "OK");
    if (!s->extended && !t->processes)
        s->ending = true;
}

/* 'k' has no reply for gdb, which does not wait for one; lldb waits for
 * the exit report (killed: signal 9). */
HANDLER(handle_kill)
{
    (void)args, (void)len;
    struct target *t = &s->target;
    while (t->processes)
        target_kill(t, t->processes);
    if (s->client_lldb)
        reply_printf(s, "X%02x", session_signal_to_client(s, SIGKILL));
    else
        s->no_reply = true;
    if (!s->extended)
        s->ending = true;
}

/* R XX: extended mode's restart: every process is killed and the last
 * program run starts again, stopped at its first instruction. There is no
 * reply (gdb asks '?' next). Outside extended mode: not supported. */
HANDLER(handle_restart)
{
    /* gdb sends "R0" (older ones "R00"); anything else is no packet of ours. */
    bool hex = len > 0;
    for (size_t i = 0; i < len; i++)
        hex = hex && hex_digit_value(args[i]) >= 0;
    if (!s->extended || !hex) {
        reply_str(s, "");
        return;
    }
    s->no_reply = true;
    struct target *t = &s->target;
    while (t->processes)
        target_kill(t, t->processes);
    s->general = (struct ptid){0, 0};
    s->last_stop_tid = 0;
    if (!s->last_run)
        return;   /* '?' then says W00: nothing runs */
    char err[512];
    struct process *p = target_launch(t, s->last_run, err, sizeof err);
    if (!p) {
        log_warn("restart: %s", err);
        return;
    }
    s->general = (struct ptid){p->pid, p->threads->tid};
    s->last_stop_tid = p->threads->tid;
}

HANDLER(handle_status_query)
{
    (void)args, (void)len;
    if (s->target.non_stop) {
        nonstop_reply_status(s);
        return;
    }
    struct thread *th = target_find_thread(&s->target, s->last_stop_tid);
    if (!th)
        th = session_general_thread(s);
    if (!th) {
        reply_str(s, "W00");   /* nothing running: what gdb expects then */
        return;
    }
    stop_reply_thread(s, th, &th->last);
}
