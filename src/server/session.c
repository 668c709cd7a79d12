/* The session process: one client, one single-threaded event loop.
 *
 * The loop waits on two things at once: the client socket and a signalfd
 * that says a debuggee changed state (SIGCHLD) or that the session must end
 * (SIGTERM/SIGINT/SIGHUP from the listener). Nothing blocks on one side while
 * the other has something to say: a ^C from the client interrupts a running
 * debuggee at once, and a debuggee's stop is reported while the client is
 * idle. */
#include "session.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "io.h"
#include "listener.h"
#include "log.h"
#include "packet_table.h"
#include "rsp/hex.h"
#include "stop_reply.h"

/* ---- buffers and replies ---- */

static void buffer_reserve(struct buffer *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) {
        log_error("out of memory");
        exit(1);
    }
    b->data = d;
    b->cap = cap;
}

void reply_append(struct session *s, const void *data, size_t n)
{
    buffer_reserve(&s->reply, n);
    memcpy(s->reply.data + s->reply.len, data, n);
    s->reply.len += n;
    s->reply.data[s->reply.len] = '\0';
}

void reply_str(struct session *s, const char *text)
{
    reply_append(s, text, strlen(text));
}

static void reply_vprintf(struct session *s, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return;
    buffer_reserve(&s->reply, (size_t)n);
    vsnprintf(s->reply.data + s->reply.len, (size_t)n + 1, fmt, ap);
    s->reply.len += (size_t)n;
}

void reply_printf(struct session *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    reply_vprintf(s, fmt, ap);
    va_end(ap);
}

void reply_hex(struct session *s, const uint8_t *data, size_t n)
{
    buffer_reserve(&s->reply, 2 * n);
    hex_encode(s->reply.data + s->reply.len, data, n);
    s->reply.len += 2 * n;
    s->reply.data[s->reply.len] = '\0';
}

void reply_error(struct session *s, const char *fmt, ...)
{
    s->reply.len = 0;
    reply_str(s, "E.");
    size_t start = s->reply.len;
    va_list ap;
    va_start(ap, fmt);
    reply_vprintf(s, fmt, ap);
    va_end(ap);
    log_info("error reply: %s", s->reply.data + start);
    if (s->error_strings) {
        /* lldb takes only "Enn" or "Enn;HEX" for an error: "E.text"
         * would be read as a successful reply. */
        size_t n = s->reply.len - start;
        char *msg = malloc(n + 1);
        if (!msg) {
            reply_errno(s, 1);
            return;
        }
        memcpy(msg, s->reply.data + start, n + 1);
        s->reply.len = 0;
        reply_str(s, "E01;");
        reply_hex(s, (const uint8_t *)msg, n);
        free(msg);
    }
}

void reply_errno(struct session *s, int code)
{
    s->reply.len = 0;
    reply_printf(s, "E%02x", code & 0xff);
}

/* ---- sending ---- */

/* Traces a packet: its first 200 bytes, non-printable ones as \xNN so
 * that binary payloads (X, vFile) keep the log a text file. */
static void trace_packet(const char *direction, const char *data, size_t len)
{
    if (log_get_level() < LOG_TRACE)
        return;
    char text[4 * 200 + 1];
    size_t o = 0;
    for (size_t i = 0; i < len && i < 200; i++) {
        unsigned char c = (unsigned char)data[i];
        if (c >= 0x20 && c < 0x7f && c != '\\')
            text[o++] = (char)c;
        else
            o += (size_t)snprintf(text + o, sizeof text - o, "\\x%02x", c);
    }
    text[o] = '\0';
    log_trace("%s %s%s", direction, text, len > 200 ? "..." : "");
}

static void send_packet(struct session *s, const char *payload, size_t len)
{
    struct buffer *out = &s->last_sent;
    out->len = 0;
    buffer_reserve(out, rsp_frame_bound(len));
    out->len = rsp_frame(out->data, (const uint8_t *)payload, len, true);
    trace_packet("->", out->data, out->len);
    if (!io_write_all(s->out_fd, out->data, out->len))
        s->ending = true;
}

void session_send_notification(struct session *s, const char *name, const char *text)
{
    size_t len = strlen(name) + 1 + strlen(text);
    char *payload = malloc(len + 1);
    char *framed = malloc(rsp_frame_bound(len));
    if (payload && framed) {
        snprintf(payload, len + 1, "%s:%s", name, text);
        /* Framed like a packet, '%' for '$'; never acknowledged, so never
         * the one to resend on '-'. */
        size_t n = rsp_frame(framed, (const uint8_t *)payload, len, false);
        framed[0] = '%';
        trace_packet("->", framed, n);
        if (!io_write_all(s->out_fd, framed, n))
            s->ending = true;
    }
    free(payload);
    free(framed);
}

static void send_reply(struct session *s)
{
    send_packet(s, s->reply.data ? s->reply.data : "", s->reply.len);
    s->reply.len = 0;
}

/* ---- signals ---- */

int session_signal_to_client(const struct session *s, int host_signo)
{
    return s->client_lldb ? host_signo : signal_to_gdb(host_signo);
}

int session_signal_from_client(const struct session *s, int number)
{
    if (s->client_lldb)
        return number > 0 && number < NSIG ? number : 0;
    return signal_from_gdb(number);
}

/* ---- threads ---- */

struct thread *session_general_thread(struct session *s)
{
    struct target *t = &s->target;
    if (s->general.tid > 0) {
        struct thread *th = target_find_thread(t, (pid_t)s->general.tid);
        if (th)
            return th;
    }
    if (s->general.pid > 0) {
        struct process *p = target_find_process(t, (pid_t)s->general.pid);
        struct thread *th = p ? process_live_thread(p) : NULL;
        if (th)
            return th;
    }
    struct thread *th = target_find_thread(t, s->last_stop_tid);
    if (th && !th->zombie)
        return th;
    for (struct process *p = t->processes; p; p = p->next)
        if (!p->unreported && (th = process_live_thread(p)))
            return th;
    return NULL;
}

struct process *session_general_process(struct session *s)
{
    struct thread *th = session_general_thread(s);
    return th ? th->proc : NULL;
}

/* ---- stops and resumes ---- */

void session_report_stop(struct session *s)
{
    struct target *t = &s->target;
    struct stop_event ev;
    struct process *exited;
    struct thread *th = target_take_event(t, &ev, &exited);
    s->reply.len = 0;
    if (exited) {
        stop_reply_exit(s, exited);
        target_free_process(t, exited);
        if (!s->extended && !t->processes)
            s->ending = true;   /* plain "target remote": the program is over */
    } else if (th) {
        if (ev.kind == STOP_INTERRUPT || (ev.kind == STOP_SIGNAL && ev.signo == SIGINT))
            t->interrupt_pid = 0;   /* the ^C has its answer */
        stop_reply_thread(s, th, &ev);
        s->general = (struct ptid){th->proc->pid, th->tid};
        s->last_stop_tid = th->tid;
    } else if (s->client_no_resumed || !(th = session_general_thread(s))) {
        reply_str(s, "N");
    } else {
        stop_reply_thread(s, th, &(struct stop_event){.kind = STOP_SIGNAL});
    }
    target_clear_resumed(t);
}

/* No thread runs this time: an event is reported first. The signals the
 * client gave for the threads it resumed are kept for their next resume. */
static void owe_signals(struct target *t)
{
    for (struct process *p = t->processes; p; p = p->next)
        for (struct thread *th = p->threads; th; th = th->next)
            if (th->resumed && !th->running)
                thread_keep_resume_signal(th);
}

void session_resume(struct session *s)
{
    struct target *t = &s->target;
    target_take_interrupt(t);
    /* An event kept from before is reported first, or one that a step
     * over a breakpoint brought. */
    bool event = target_pending_event_ready(t);
    if (!event) {
        target_step_over_resumed(t);
        event = target_pending_event_ready(t);
    }
    if (event) {
        owe_signals(t);
        session_report_stop(s);
        return;
    }
    target_continue_job_stopped(t);
    bool any = false;
    for (struct process *p = t->processes; p; p = p->next)
        for (struct thread *th = p->threads; th; th = th->next)
            if (th->resumed && th->running && th->vfork_wait) {
                any = true;   /* still asleep in its vfork: running already */
            } else if (th->resumed && !th->zombie) {
                if (thread_resume(th, th->resume_step, th->resume_signo))
                    any = true;
                th->resume_signo = 0;
            }
    if (!any) {
        target_clear_resumed(t);
        if (s->client_no_resumed)
            reply_str(s, "N");
        else
            reply_error(s, "no thread to resume");
        return;
    }
    t->running = true;
    s->no_reply = true;
    if (t->interrupt_pid)
        target_interrupt(t);   /* a ^C not yet answered by its stop */
}

/* ---- the loop ---- */

/* Keeps our slot of the session table current (monitor sessions). */
static void publish(struct session *s)
{
    char auth[96];
    const char *tls = s->config.secured ? s->config.secured : "";
    if (!s->config.password)
        snprintf(auth, sizeof auth, "%s", tls[0] ? tls : "none");
    else
        snprintf(auth, sizeof auth, "%s%s%s", s->authenticated ? "password" : "not yet (password required)",
                 tls[0] ? ", " : "", tls);
    if (strcmp(auth, s->published_auth) != 0) {
        snprintf(s->published_auth, sizeof s->published_auth, "%s", auth);
        session_table_set_auth(s->config.table, s->config.slot, auth);
    }
    pid_t pids[SESSION_TABLE_DEBUGGEES];
    bool attached[SESSION_TABLE_DEBUGGEES];
    int n = 0;
    for (struct process *p = s->target.processes; p; p = p->next, n++)
        if (n < SESSION_TABLE_DEBUGGEES) {
            pids[n] = p->pid;
            attached[n] = p->attached;
        }
    session_table_set_debuggees(s->config.table, s->config.slot, pids, attached, n);
}

static void handle_packet(struct session *s, const char *pkt, size_t len)
{
    trace_packet("<-", pkt, len);
    s->reply.len = 0;
    s->no_reply = false;
    bool was_ack_mode = s->ack_mode;
    packet_dispatch(s, pkt, len);
    if (!s->no_reply)
        send_reply(s);
    if (s->target.non_stop)
        nonstop_notify(s);   /* after the reply: events the packet brought */
    publish(s);
    /* QStartNoAckMode's own reply is still acknowledged; after it, nothing. */
    if (was_ack_mode && !s->ack_mode)
        log_debug("no-ack mode");
}

static void handle_input(struct session *s, const uint8_t *data, size_t n)
{
    while (n && !s->ending) {
        struct rsp_event ev;
        size_t used = rsp_decoder_feed(&s->decoder, data, n, &ev);
        data += used;
        n -= used;
        switch (ev.kind) {
        case RSP_EVENT_NONE:
        case RSP_EVENT_ACK:
            break;
        case RSP_EVENT_NACK:
            /* In no-ack mode a '-' asks for nothing: gdb still sends one
             * each time it waits longer than its remote timeout for a
             * reply (a slow vAttach of many threads), and resending the
             * previous reply then would answer its next packet with it.
             * gdbserver ignores them too. */
            if (s->ack_mode && s->last_sent.len &&
                !io_write_all(s->out_fd, s->last_sent.data, s->last_sent.len))
                s->ending = true;
            break;
        case RSP_EVENT_INTERRUPT:
            /* All-stop: gdb sends its ^C whatever the state, also between
             * a stop reply and its next resume (while it steps the program
             * over a breakpoint whose condition is false, say), and then
             * waits for a SIGINT stop, however many other stops come
             * first. gdbserver sends the newest process a SIGINT, which
             * stays queued until it stops the program: the request stays
             * here until its stop is reported, and every resume renews it. */
            if (!s->target.non_stop && s->target.processes)
                s->target.interrupt_pid = s->target.processes->pid;
            if (s->target.running || s->target.non_stop) {
                log_debug("interrupt requested");
                target_interrupt(&s->target);
            } else if (s->target.processes) {
                log_debug("interrupt requested while stopped: for the next resume");
            }
            break;
        case RSP_EVENT_BAD_CHECKSUM:
            log_warn("packet with a bad checksum from %s", s->peer);
            if (s->ack_mode && !io_write_all(s->out_fd, "-", 1))
                s->ending = true;
            break;
        case RSP_EVENT_TOO_LONG:
            log_warn("packet longer than %#x bytes from %s dropped", RSP_PACKET_SIZE, s->peer);
            if (s->ack_mode)
                io_write_all(s->out_fd, "+", 1);
            s->reply.len = 0;
            reply_error(s, "packet too long (PacketSize is %#x)", RSP_PACKET_SIZE);
            send_reply(s);
            break;
        case RSP_EVENT_PACKET:
            if (s->ack_mode && !io_write_all(s->out_fd, "+", 1)) {
                s->ending = true;
                break;
            }
            handle_packet(s, ev.data, ev.len);
            break;
        }
    }
}

static void handle_debuggee_change(struct session *s)
{
    struct target *t = &s->target;
    bool event = target_poll(t);
    if (t->non_stop) {
        /* Only the threads with events stop; each is a notification. */
        nonstop_collect_events(s);
        nonstop_notify(s);
        return;
    }
    if (!t->running)
        return;   /* not running: kept pending, reported at the next resume */
    /* Statuses left for the next batch may be that news: wait for them. */
    if (!event && (t->poll_again || !target_nothing_resumed(t) || target_exit_coming(t)))
        return;
    /* With no event, every thread the client resumed is gone: the client
     * still waits for a stop reply ("N" if it understands it). When it
     * called exit (exit_group), the others are dying too: then the news is
     * the process's exit, which comes once they are reaped. */
    target_stop_all(t);
    session_report_stop(s);
    send_reply(s);
}

static int make_signalfd(void)
{
    sigset_t set;
    server_signal_set(&set);
    sigprocmask(SIG_BLOCK, &set, NULL);
    return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

void session_output(struct session *s, const char *text)
{
    size_t n = strlen(text);
    char *pkt = malloc(1 + 2 * n + 1);
    if (!pkt)
        return;
    pkt[0] = 'O';
    hex_encode(pkt + 1, (const uint8_t *)text, n);
    send_packet(s, pkt, 1 + 2 * n);
    free(pkt);
}

bool session_authenticated(const struct session *s)
{
    return s->authenticated;
}

void session_run(int in_fd, int out_fd, const char *peer, int id, const struct session_config *config)
{
    session_serve(session_create(peer, id, config), in_fd, out_fd, peer);
}

struct session *session_create(const char *peer, int id, const struct session_config *config)
{
    struct session *s = calloc(1, sizeof *s);
    if (!s || !rsp_decoder_init(&s->decoder, RSP_PACKET_SIZE))
        _exit(1);
    s->config = *config;
    /* If the server that forked us dies (even by SIGKILL), end by the
     * session rules rather than live on as an orphan. */
    if (config->server_pid > 1) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != config->server_pid)
            s->ending = true;   /* it died before the line above */
    }
    s->authenticated = config->password == NULL;
    s->target.stdio_taken = (config->flags & SESSION_ON_STDIO) != 0;
    s->target.launch = config->launch;
    hostio_init(&s->hostio);
    launch_settings_init(&s->target.settings);
    s->in_fd = s->out_fd = -1;
    s->id = id;
    s->ack_mode = true;
    s->general = PTID_ANY;
    s->cont = PTID_ALL;
    snprintf(s->peer, sizeof s->peer, "%s", peer);
    if (!s->config.table) {
        /* On stdio, a serial line or a reverse connection the session is
         * the server: a table of its own, with itself in it. */
        s->config.table = session_table_create();
        s->config.slot = session_table_claim(s->config.table, id, peer);
        session_table_set_pid(s->config.table, s->config.slot, getpid());
    }
    char ctx[128];
    snprintf(ctx, sizeof ctx, "session %d (%s)", id, peer);
    log_set_context(ctx);
    return s;
}

void session_free(struct session *s)
{
    rsp_decoder_free(&s->decoder);
    free(s->reply.data);
    free(s->last_sent.data);
    free(s->xfer_doc.data);
    free(s->last_program);
    free(s->launch_error);
    for (size_t i = 0; s->last_run && s->last_run[i]; i++)
        free(s->last_run[i]);
    free(s->last_run);
    hostio_close_all(&s->hostio);
    launch_settings_free(&s->target.settings);
    free(s);
}

void session_serve(struct session *s, int in_fd, int out_fd, const char *peer)
{
    s->in_fd = in_fd;
    s->out_fd = out_fd;
    if (strcmp(peer, s->peer) != 0) {
        /* Created before its client came: now we know who it is. */
        snprintf(s->peer, sizeof s->peer, "%s", peer);
        char ctx[128];
        snprintf(ctx, sizeof ctx, "session %d (%s)", s->id, peer);
        log_set_context(ctx);
        session_table_set_peer(s->config.table, s->config.slot, peer);
    }
    publish(s);

    int sigfd = make_signalfd();
    if (sigfd < 0) {
        log_error("signalfd: %s", strerror(errno));
        _exit(1);
    }
    log_info("connected");
    const char *why = "client disconnected";
    static uint8_t buf[65536];
    while (!s->ending) {
        struct pollfd fds[2] = {{in_fd, POLLIN, 0}, {sigfd, POLLIN, 0}};
        /* Wait statuses left over from the last batch: no SIGCHLD will
         * announce them again, so look at the client without waiting and
         * then go on with them. */
        bool more = s->target.poll_again;
        if (poll(fds, 2, more ? 0 : -1) < 0) {
            if (errno == EINTR)
                continue;
            why = "poll failed";
            break;
        }
        if (more && !s->ending)
            handle_debuggee_change(s);
        if (fds[1].revents & POLLIN) {
            struct signalfd_siginfo si;
            bool child = false;
            while (read(sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
                if (si.ssi_signo == SIGCHLD) {
                    child = true;
                } else if (si.ssi_signo != SIGHUP) {   /* the listener ignores it too */
                    why = "server shutting down";
                    s->ending = true;
                }
            }
            if (child && !s->ending)
                handle_debuggee_change(s);
        }
        if (!s->ending && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t n = read(in_fd, buf, sizeof buf);
            if (n > 0)
                handle_input(s, buf, (size_t)n);
            else if (n == 0 || (errno != EINTR && errno != EAGAIN))
                break;
        }
    }
    if (s->ending && strcmp(why, "client disconnected") == 0)
        why = "session over";
    log_info("ending (%s)", why);
    target_end_all(&s->target);
    close(in_fd);
    if (out_fd != in_fd)
        close(out_fd);
    log_info("ended");
    _exit(s->auth_failed ? SESSION_EXIT_AUTH_FAILED : 0);
}
