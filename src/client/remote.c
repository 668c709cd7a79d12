#include "remote.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "rsp/hex.h"

/* How long a request may take. Attaching and launching are quick; the
 * server answers everything else at once. */
#define REQUEST_TIMEOUT_MS 60000

volatile int remote_interrupt_requested;

static void note_closed(struct remote *r)
{
    if (!r->closed)
        fprintf(stderr, "dbg: the process server ended the session (connection closed)\n");
    r->closed = true;
}

/* "O" + hex: console output of a monitor command. */
static bool print_console_output(struct remote *r, const char *reply, size_t len)
{
    if (len < 3 || reply[0] != 'O' || len % 2 == 0)
        return false;
    size_t n = (len - 1) / 2;
    char *text = malloc(n + 1);
    if (!text || !hex_decode((uint8_t *)text, reply + 1, n)) {
        free(text);
        return false;
    }
    fwrite(text, 1, n, stdout);
    fflush(stdout);
    size_t used = strlen(r->console);
    snprintf(r->console + used, sizeof r->console - used, "%.*s", (int)n, text);
    free(text);
    return true;
}

/* The next packet that is not console output; NULL on failure or after
 * TIMEOUT_MS (then r->closed is not set). */
static const char *receive(struct remote *r, size_t *len, int timeout_ms)
{
    for (;;) {
        const char *reply;
        if (!rsp_client_recv(&r->rsp, &reply, len, timeout_ms)) {
            if (r->rsp.eof || timeout_ms >= REQUEST_TIMEOUT_MS)
                note_closed(r);
            return NULL;
        }
        if (!(strcmp(reply, "OK") != 0 && print_console_output(r, reply, *len)))
            return reply;
    }
}

const char *remote_request(struct remote *r, const char *payload, size_t *len)
{
    if (r->closed)
        return NULL;
    r->console[0] = '\0';
    if (!rsp_client_send(&r->rsp, payload)) {
        note_closed(r);
        return NULL;
    }
    return receive(r, len, REQUEST_TIMEOUT_MS);
}

bool remote_reply_error(const char *reply, char *err, size_t errlen)
{
    if (reply[0] != 'E')
        return false;
    if (reply[1] == '.')
        snprintf(err, errlen, "%s", reply + 2);
    else
        snprintf(err, errlen, "the server replied with error %s", reply + 1);
    return true;
}

/* The reply to PAYLOAD, or NULL with ERR when the connection is gone or
 * the server replied with an error. */
static const char *checked_request(struct remote *r, const char *payload, size_t *len, char *err, size_t errlen)
{
    const char *reply = remote_request(r, payload, len);
    if (!reply) {
        snprintf(err, errlen, "the connection to the process server is gone");
        return NULL;
    }
    return remote_reply_error(reply, err, errlen) ? NULL : reply;
}

/* A request whose only good reply is OK. */
static bool request_ok(struct remote *r, const char *payload, char *err, size_t errlen)
{
    size_t len;
    const char *reply = checked_request(r, payload, &len, err, errlen);
    if (!reply)
        return false;
    if (strcmp(reply, "OK") != 0) {
        snprintf(err, errlen, "unexpected reply '%.40s' to '%.40s'", reply, payload);
        return false;
    }
    return true;
}

bool remote_open(struct remote *r, int fd, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    if (!rsp_client_init(&r->rsp, fd)) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    size_t len;
    const char *reply = remote_request(r, "qSupported:multiprocess+;swbreak+;no-resumed+", &len);
    if (!reply) {
        snprintf(err, errlen, "the process server closed the connection");
        return false;
    }
    if (remote_reply_error(reply, err, errlen))
        return false;
    return request_ok(r, "!", err, errlen);
}

void remote_close(struct remote *r)
{
    if (r->rsp.fd >= 0)
        close(r->rsp.fd);
    r->rsp.fd = -1;
    rsp_client_free(&r->rsp);
}

struct debuggee *remote_find_debuggee(struct remote *r, pid_t pid)
{
    for (size_t i = 0; i < r->ndebuggees; i++)
        if (r->debuggees[i].pid == pid)
            return &r->debuggees[i];
    return NULL;
}

static void forget_debuggee(struct remote *r, pid_t pid)
{
    struct debuggee *d = remote_find_debuggee(r, pid);
    if (!d)
        return;
    *d = r->debuggees[--r->ndebuggees];
    if (r->pid == pid) {
        r->pid = r->ndebuggees ? r->debuggees[0].pid : 0;
        r->tid = r->pid;
    }
}

/* The reply to vAttach/vRun: the initial stop of the new debuggee. */
static bool take_initial_stop(struct remote *r, const char *reply, size_t len, bool launched, pid_t *pid,
                              char *err, size_t errlen)
{
    struct stop_event ev;
    if (!stop_event_parse(reply, len, &ev) || ev.kind != STOP_SIGNAL || ev.pid <= 0) {
        snprintf(err, errlen, "unexpected reply '%.40s'", reply);
        return false;
    }
    if (r->ndebuggees == REMOTE_MAX_DEBUGGEES) {
        snprintf(err, errlen, "too many debuggees in one session");
        return false;
    }
    r->debuggees[r->ndebuggees++] = (struct debuggee){ev.pid, launched};
    r->pid = ev.pid;
    r->tid = ev.tid ? ev.tid : ev.pid;
    *pid = ev.pid;
    return true;
}

bool remote_attach(struct remote *r, pid_t pid, char *err, size_t errlen)
{
    if (pid <= 0) {
        snprintf(err, errlen, "%d is not a process id", (int)pid);
        return false;
    }
    if (remote_find_debuggee(r, pid)) {
        snprintf(err, errlen, "this session already debugs process 0n%d", (int)pid);
        return false;
    }
    char payload[32];
    snprintf(payload, sizeof payload, "vAttach;%x", (unsigned)pid);
    size_t len;
    const char *reply = checked_request(r, payload, &len, err, errlen);
    if (!reply)
        return false;
    pid_t got;
    return take_initial_stop(r, reply, len, false, &got, err, errlen);
}

bool remote_create(struct remote *r, char *const *argv, size_t argc, pid_t *pid, char *err, size_t errlen)
{
    size_t size = 8;
    for (size_t i = 0; i < argc; i++)
        size += 2 * strlen(argv[i]) + 1;
    char *payload = malloc(size);
    if (!payload) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    /* "vRun;" alone asks for the server's implicit command line (-pc). */
    size_t o = (size_t)snprintf(payload, size, "vRun;");
    for (size_t i = 0; i < argc; i++) {
        if (i)
            payload[o++] = ';';
        hex_encode(payload + o, (const uint8_t *)argv[i], strlen(argv[i]));
        o += 2 * strlen(argv[i]);
    }
    payload[o] = '\0';
    size_t len;
    const char *reply = checked_request(r, payload, &len, err, errlen);
    free(payload);
    if (!reply)
        return false;
    return take_initial_stop(r, reply, len, true, pid, err, errlen);
}

bool remote_detach(struct remote *r, pid_t pid, char *err, size_t errlen)
{
    char payload[32];
    snprintf(payload, sizeof payload, "D;%x", (unsigned)pid);
    if (!request_ok(r, payload, err, errlen))
        return false;
    forget_debuggee(r, pid);
    return true;
}

bool remote_kill(struct remote *r, pid_t pid, char *err, size_t errlen)
{
    char payload[32];
    snprintf(payload, sizeof payload, "vKill;%x", (unsigned)pid);
    if (!request_ok(r, payload, err, errlen))
        return false;
    forget_debuggee(r, pid);
    return true;
}

static void print_event(const struct stop_event *ev)
{
    const char *name = stop_signal_name(ev->code);
    switch (ev->kind) {
    case STOP_EXITED:
        printf("Process 0n%d exited with status %d\n", (int)ev->pid, ev->code);
        break;
    case STOP_KILLED:
        printf("Process 0n%d was ended by signal %s (%d)\n", (int)ev->pid, name ? name : "?", ev->code);
        break;
    case STOP_NO_RESUMED:
        printf("No thread is left running\n");
        break;
    case STOP_SIGNAL:
        if (ev->breakpoint)
            printf("Breakpoint hit in process 0n%d, thread 0n%d\n", (int)ev->pid, (int)ev->tid);
        else
            printf("Process 0n%d, thread 0n%d stopped by signal %s (%d)\n", (int)ev->pid, (int)ev->tid,
                   name ? name : "?", ev->code);
        break;
    }
    fflush(stdout);
}

bool remote_go(struct remote *r, struct stop_event *ev)
{
    if (r->closed || !rsp_client_send(&r->rsp, "vCont;c")) {
        note_closed(r);
        return false;
    }
    remote_interrupt_requested = 0;
    bool interrupted = false;
    for (;;) {
        /* Wait in short steps so that a ^C is passed on promptly. */
        size_t len;
        const char *reply = receive(r, &len, 200);
        if (!reply && r->closed)
            return false;
        if (!reply) {
            if (remote_interrupt_requested && !interrupted) {
                /* One interrupt is enough: the server stops everything. */
                interrupted = io_write_all(r->rsp.fd, "\x03", 1);
                remote_interrupt_requested = 0;
            }
            continue;
        }
        if (!stop_event_parse(reply, len, ev)) {
            char err[200];
            if (remote_reply_error(reply, err, sizeof err))
                fprintf(stderr, "dbg: cannot resume: %s\n", err);
            else
                fprintf(stderr, "dbg: unexpected reply '%.40s' while running\n", reply);
            return false;
        }
        print_event(ev);
        if (ev->kind == STOP_EXITED || ev->kind == STOP_KILLED) {
            forget_debuggee(r, ev->pid ? ev->pid : r->pid);
        } else if (ev->kind == STOP_SIGNAL && ev->pid > 0) {
            r->pid = ev->pid;
            r->tid = ev->tid;
        }
        return true;
    }
}

int remote_thread_index(struct remote *r)
{
    int index = 0, found = 0;
    const char *q = "qfThreadInfo";
    for (int round = 0; round < 1000 && !r->closed; round++, q = "qsThreadInfo") {
        size_t len;
        const char *reply = remote_request(r, q, &len);
        if (!reply || reply[0] != 'm')
            break;
        for (const char *p = reply + 1; *p;) {
            const char *dot = strchr(p, '.');
            const char *comma = strchr(p, ',');
            const char *t = dot && (!comma || dot < comma) ? dot + 1 : p;
            uint64_t tid;
            if (!hex_parse_u64(&t, &tid))
                return found;
            if ((pid_t)tid == r->tid)
                found = index;
            index++;
            p = comma ? comma + 1 : p + strlen(p);
        }
    }
    return found;
}

bool remote_monitor(struct remote *r, const char *command, char *err, size_t errlen)
{
    size_t n = strlen(command);
    char *payload = malloc(6 + 2 * n + 1);
    if (!payload) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    memcpy(payload, "qRcmd,", 6);
    hex_encode(payload + 6, (const uint8_t *)command, n);
    payload[6 + 2 * n] = '\0';
    bool ok = request_ok(r, payload, err, errlen);
    free(payload);
    return ok;
}

bool remote_wait_closed(struct remote *r, int timeout_ms)
{
    size_t len;
    while (!r->closed && receive(r, &len, timeout_ms))
        ;   /* nothing is expected: whatever comes is dropped */
    return r->closed;
}

bool remote_list_processes(struct remote *r, struct process_list *out, char *err, size_t errlen)
{
    char *doc = NULL;
    size_t total = 0;
    for (;;) {
        char payload[80];
        snprintf(payload, sizeof payload, "qXfer:osdata:read:processes:%zx,%x", total, 0x8000);
        size_t len;
        const char *reply = remote_request(r, payload, &len);
        if (!reply || remote_reply_error(reply, err, errlen) || len == 0 ||
            (reply[0] != 'm' && reply[0] != 'l')) {
            if (!reply)
                snprintf(err, errlen, "the connection to the process server is gone");
            else if (len == 0)
                snprintf(err, errlen, "this process server cannot list processes");
            else if (reply[0] != 'E')
                snprintf(err, errlen, "unexpected reply '%.40s'", reply);
            free(doc);
            return false;
        }
        char *bigger = realloc(doc, total + len);
        if (!bigger) {
            free(doc);
            snprintf(err, errlen, "out of memory");
            return false;
        }
        doc = bigger;
        memcpy(doc + total, reply + 1, len - 1);
        total += len - 1;
        if (reply[0] == 'l' || len == 1)
            break;
    }
    bool ok = process_list_parse(doc ? doc : "", total, out);
    free(doc);
    if (!ok)
        snprintf(err, errlen, "the server's process list is not well formed");
    return ok;
}
