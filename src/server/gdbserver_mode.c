#include "gdbserver_mode.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "handlers/handlers.h"
#include "listener.h"
#include "log.h"
#include "registration.h"
#include "search_responder.h"
#include "serial_line.h"
#include "session.h"
#include "session_table.h"
#include "transport/serial.h"
#include "transport/transport_server.h"

/* Creates or attaches to the program the command line names, as gdbserver
 * does before it listens, with its messages. False (message printed) if
 * that failed. */
static bool make_debuggee(struct session *s, const struct gdbserver_options *o)
{
    char err[512];
    if (o->mode == GDBSERVER_ATTACH) {
        if (!target_attach(&s->target, o->attach_pid, err, sizeof err)) {
            fprintf(stderr, "Cannot attach to process %d: %s\n", (int)o->attach_pid, err);
            return false;
        }
        fprintf(stderr, "Attached; pid = %d\n", (int)o->attach_pid);
    } else {
        struct process *p = target_launch(&s->target, o->program, err, sizeof err);
        if (!p) {
            fprintf(stderr, "%s\n", err);
            return false;
        }
        fprintf(stderr, "Process %s created; pid = %d\n", o->program[0], (int)p->pid);
        session_remember_run(s, o->program);
    }
    fflush(stderr);
    return true;
}

static bool has_debuggee(const struct gdbserver_options *o)
{
    return o->mode != GDBSERVER_MULTI;
}

/* stdio and a serial line carry one session: this process is it. */
static int run_single(const struct gdbserver_options *o, struct session_config *config)
{
    int in = STDIN_FILENO, out = STDOUT_FILENO;
    const char *peer = "stdio";
    if (o->spec.kind == TRANSPORT_STDIO) {
        config->flags |= SESSION_ON_STDIO;
    } else {
        char err[300];
        in = out = serial_open(o->spec.device, o->spec.baud, err, sizeof err);
        if (in < 0) {
            fprintf(stderr, "%s\nExiting\n", err);
            return 1;
        }
        peer = o->spec.device;
        config->flags |= SESSION_UNRELIABLE_LINE;
    }
    struct session *s = session_create(peer, 1, config);
    if (has_debuggee(o) && !make_debuggee(s, o)) {
        fprintf(stderr, "Exiting\n");
        session_free(s);
        return 1;
    }
    if (o->spec.kind == TRANSPORT_COM)
        fprintf(stderr, "Remote debugging using %s\n", o->spec.device);
    else
        fprintf(stderr, "Remote debugging using stdio\n");
    fflush(stderr);
    session_serve(s, in, out, peer);
}

/* The first session: has the debuggee before any client, and gets the
 * first connection from the listener over SOCK. Never returns. */
static void first_session(const struct gdbserver_options *o, const struct session_config *config, int sock,
                          int ready)
{
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    struct session *s = session_create("(waiting for a client)", 1, config);
    char ok = make_debuggee(s, o) ? 1 : 0;
    if (write(ready, &ok, 1) != 1 || !ok)
        _exit(1);
    close(ready);
    sigset_t set;
    server_signal_set(&set);
    int sigfd = signalfd(-1, &set, SFD_CLOEXEC);
    for (;;) {
        struct pollfd fds[2] = {{sock, POLLIN, 0}, {sigfd, POLLIN, 0}};
        if (poll(fds, 2, -1) < 0 && errno != EINTR)
            break;
        if (fds[1].revents & POLLIN) {
            struct signalfd_siginfo si;
            if (read(sigfd, &si, sizeof si) == (ssize_t)sizeof si &&
                (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT))
                break;   /* the server ends before any client came */
        }
        if (fds[0].revents & (POLLIN | POLLHUP)) {
            char peer[96];
            int fd = listener_take_over(sock, peer, sizeof peer);
            if (fd < 0)
                break;
            close(sock);
            close(sigfd);
            session_serve(s, fd, fd, peer);
        }
    }
    target_end_all(&s->target);
    _exit(0);
}

int gdbserver_mode_run(struct gdbserver_options *o)
{
    log_init("dbgsrv", o->level);
    log_set_timestamps(o->timestamps);
    if (o->debug_file && !log_set_file(o->debug_file)) {
        fprintf(stderr, "dbgsrv: cannot open debug file %s: %s\n", o->debug_file, strerror(errno));
        return 2;
    }
    listener_block_signals();
    static struct launch_options launch;
    launch = (struct launch_options){.wrapper = o->wrapper, .startup_with_shell = o->startup_with_shell,
                                     .disable_randomization = o->disable_randomization};
    struct session_config config = {
        .flags = SESSION_GDBSERVER_MESSAGES,
        .launch = &launch,
        .disabled = o->disabled,
    };
    char err[512];
    if (!transport_server_check(&o->spec, err, sizeof err)) {
        fprintf(stderr, "dbgsrv: %s\n", err);
        return 2;
    }
    if (o->spec.kind == TRANSPORT_STDIO || (o->spec.kind == TRANSPORT_COM && has_debuggee(o)))
        return run_single(o, &config);
    if (o->spec.kind == TRANSPORT_COM)
        return serial_line_run(&o->spec, &config);

    struct transport_server server;
    if (!transport_server_open(&server, &o->spec, o->insecure, err, sizeof err)) {
        const char *reason = strstr(err, "': ");
        if (strstr(err, "already in use"))
            fprintf(stderr, "Can't bind address: Address already in use.\nExiting\n");
        else if (strncmp(err, "cannot resolve", 14) == 0 && reason)   /* gdbserver's words */
            fprintf(stderr, "%s: cannot resolve name: %s\nExiting\n", o->comm, reason + 3);
        else
            fprintf(stderr, "dbgsrv: %s\nExiting\n", err);
        return 1;
    }
    struct session_table *table = session_table_create();
    struct listener_options lo = {.table = table, .once = o->once, .gdbserver_messages = true,
                                  .end_with_first = !o->multi, .first_sock = -1, .hup_stops = true};
    if (has_debuggee(o)) {
        int sv[2], ready[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0 || pipe2(ready, O_CLOEXEC) != 0) {
            fprintf(stderr, "dbgsrv: %s\n", strerror(errno));
            return 1;
        }
        config.server_pid = getpid();
        config.table = table;
        config.slot = session_table_claim(table, 1, "(waiting for a client)");
        pid_t pid = fork();
        if (pid < 0) {
            fprintf(stderr, "dbgsrv: cannot fork: %s\n", strerror(errno));
            return 1;
        }
        if (pid == 0) {
            close(sv[0]);
            close(ready[0]);
            transport_server_close_inherited(&server);
            first_session(o, &config, sv[1], ready[1]);
        }
        close(sv[1]);
        close(ready[1]);
        session_table_set_pid(table, config.slot, pid);
        char ok = 0;
        ssize_t n;
        do
            n = read(ready[0], &ok, 1);
        while (n < 0 && errno == EINTR);
        close(ready[0]);
        if (n != 1 || !ok) {
            fprintf(stderr, "Exiting\n");
            transport_server_close(&server);
            return 1;
        }
        lo.first_pid = pid;
        lo.first_sock = sv[0];
        lo.first_slot = config.slot;
        config.table = NULL;   /* later sessions: the listener fills these in */
        config.slot = 0;
    }
    struct registry_entry entry;
    struct registry_handle registry = {.fd = -1};
    struct search_responder search = {{-1, -1}};
    registration_entry(&server, &entry);
    registration_add(&registry, &o->spec, &entry);
    search_responder_open(&search, entry.reach);
    lo.registry = &registry;
    lo.search = &search;
    fprintf(stderr, "Listening on port %u\n", server.spec.port);
    fflush(stderr);
    log_info("dbgsrv %s listening on %s (gdbserver command line)", DBGSRV_VERSION, server.description);
    return listener_run(&server, &config, &lo);
}
