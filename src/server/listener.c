#include "listener.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "io.h"
#include "log.h"
#include "registry.h"
#include "search_responder.h"
#include "session.h"
#include "session_table.h"
#include "transport/transport_server.h"

struct session_child {
    pid_t pid;
    int id;
    int slot;        /* in the session table */
    char host[80];   /* the peer without its port: who failed, for slow-down */
};

/* Recent authentication failures of one peer host. */
struct auth_failures {
    char host[80];
    unsigned count;
    time_t last;
};

#define MAX_FAILURE_HOSTS 256
#define FAILURE_MEMORY_SECONDS 600

struct server {
    struct transport_server *transport;
    const struct session_config *base;
    struct registry_handle *registry;
    struct search_responder *search;
    struct session_table *table;
    const struct listener_options *opts;
    int first_sock;          /* the first session still waits for its client */
    bool first_ended;
    bool accepted;           /* --once: one connection taken */
    struct auth_failures failures[MAX_FAILURE_HOSTS];
    int sigfd;
    struct session_child *children;
    size_t nchildren;
    size_t cap;
    int next_id;
};

/* "1.2.3.4:5678" -> "1.2.3.4", "[::1]:5678" -> "[::1]", "uid 5 pid 6" -> "uid 5". */
static void peer_host(const char *peer, char *host, size_t len)
{
    snprintf(host, len, "%s", peer);
    char *cut = strncmp(host, "uid ", 4) == 0 ? strstr(host, " pid ") : strrchr(host, ':');
    if (cut)
        *cut = '\0';
}

static struct auth_failures *failures_of(struct server *srv, const char *host, bool create)
{
    time_t now = time(NULL);
    struct auth_failures *free_slot = NULL;
    for (size_t i = 0; i < MAX_FAILURE_HOSTS; i++) {
        struct auth_failures *f = &srv->failures[i];
        if (f->host[0] && now - f->last > FAILURE_MEMORY_SECONDS)
            f->host[0] = '\0';   /* forgiven */
        if (f->host[0] && strcmp(f->host, host) == 0)
            return f;
        if (!f->host[0] && !free_slot)
            free_slot = f;
    }
    if (!create)
        return NULL;
    if (!free_slot)
        free_slot = &srv->failures[now % MAX_FAILURE_HOSTS];
    memset(free_slot, 0, sizeof *free_slot);
    snprintf(free_slot->host, sizeof free_slot->host, "%s", host);
    return free_slot;
}

/* The extra delay before answering a wrong password from HOST: doubles with
 * each recent failure after the first, up to half a minute. */
static unsigned auth_delay_ms(struct server *srv, const char *host)
{
    struct auth_failures *f = failures_of(srv, host, false);
    if (!f || f->count < 2)
        return 0;
    unsigned shift = f->count - 2 < 6 ? f->count - 2 : 6;
    unsigned ms = 500u << shift;
    return ms > 30000 ? 30000 : ms;
}

static void session_finished(struct server *srv, const struct session_child *c, int status)
{
    if (WIFEXITED(status) && WEXITSTATUS(status) == SESSION_EXIT_AUTH_FAILED) {
        struct auth_failures *f = failures_of(srv, c->host, true);
        f->count++;
        f->last = time(NULL);
        log_warn("session %d: authentication failed for %s (%u recent failure%s)", c->id, c->host, f->count,
                 f->count == 1 ? "" : "s");
    } else if (WIFSIGNALED(status)) {
        log_warn("session %d (pid %d) died of signal %d", c->id, (int)c->pid, WTERMSIG(status));
    } else {
        log_debug("session %d (pid %d) finished", c->id, (int)c->pid);
    }
}

static void reap_children(struct server *srv, int flags)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, flags)) > 0) {
        for (size_t i = 0; i < srv->nchildren; i++)
            if (srv->children[i].pid == pid) {
                session_finished(srv, &srv->children[i], status);
                if (pid == srv->opts->first_pid)
                    srv->first_ended = true;
                session_table_free(srv->table, srv->children[i].slot);
                srv->children[i] = srv->children[--srv->nchildren];
                break;
            }
    }
}

/* gdbserver's "Remote debugging from host ADDR, port N" for PEER
 * ("1.2.3.4:5678" or "[::1]:5678"). */
static void gdbserver_remote_message(const char *peer)
{
    char host[80];
    snprintf(host, sizeof host, "%s", peer);
    char *colon = strrchr(host, ':');
    if (!colon)
        return;
    *colon = '\0';
    const char *h = host;
    if (h[0] == '[' && colon[-1] == ']') {
        colon[-1] = '\0';
        h++;
    }
    fprintf(stderr, "Remote debugging from host %s, port %s\n", h, colon + 1);
    fflush(stderr);
}

bool listener_hand_over(int sock, int fd, const char *peer)
{
    return io_send_fd(sock, fd, peer, strlen(peer) + 1);
}

int listener_take_over(int sock, char *peer, size_t peerlen)
{
    ssize_t n;
    int fd = io_recv_fd(sock, peer, peerlen - 1, &n);
    if (n > 0)
        peer[n] = '\0';
    return fd >= 0 ? fd : -1;
}

static void accept_one(struct server *srv)
{
    char peer[80];
    int fd = transport_server_accept(srv->transport, peer, sizeof peer);
    if (fd == -2) {
        log_warn("refused a connection from %s: not allowed on %s", peer, srv->transport->description);
        return;
    }
    if (fd < 0) {
        if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
            log_warn("accept: %s", strerror(errno));
        return;
    }
    if (srv->nchildren == srv->cap) {
        size_t cap = srv->cap ? 2 * srv->cap : 16;
        struct session_child *c = realloc(srv->children, cap * sizeof *c);
        if (!c) {
            log_error("out of memory: connection from %s refused", peer);
            close(fd);
            return;
        }
        srv->children = c;
        srv->cap = cap;
    }
    if (srv->opts->gdbserver_messages)
        gdbserver_remote_message(peer);
    srv->accepted = true;
    if (srv->first_sock >= 0) {
        /* The session that already has the program takes this client. */
        if (!listener_hand_over(srv->first_sock, fd, peer))
            log_error("could not hand the connection from %s to session 1", peer);
        close(srv->first_sock);
        srv->first_sock = -1;
        close(fd);
        log_info("session 1: connection from %s", peer);
        return;
    }
    int id = ++srv->next_id;
    char host[80];
    peer_host(peer, host, sizeof host);
    struct session_config config = *srv->base;
    config.auth_delay_ms = auth_delay_ms(srv, host);
    config.server_pid = getpid();
    config.table = srv->table;
    config.slot = session_table_claim(srv->table, id, peer);
    const struct transport_spec *bound = &srv->transport->spec;
    if (bound->kind == TRANSPORT_TCP && !config.password && !(bound->given & TSPEC_CLICON))
        config.platform_port = bound->port;
    pid_t pid = fork();
    if (pid < 0) {
        log_error("cannot fork a session for %s: %s", peer, strerror(errno));
        session_table_free(srv->table, config.slot);
        close(fd);
        return;
    }
    if (pid == 0) {
        close(srv->sigfd);
        registry_close_inherited(srv->registry);
        search_responder_close(srv->search);
        /* The TLS handshake runs here, in the session's own process, so a
         * slow or hostile client cannot hold up the listener. */
        char info[256], err[512], who[400];
        transport_server_close_inherited(srv->transport);
        int conn = transport_server_secure(srv->transport, fd, info, sizeof info, err, sizeof err);
        if (conn < 0) {
            log_warn("session %d: %s: %s", id, peer, err);
            _exit(SESSION_EXIT_AUTH_FAILED);
        }
        snprintf(who, sizeof who, "%s%s%s%s", peer, info[0] ? " [" : "", info, info[0] ? "]" : "");
        config.secured = info;
        session_run(conn, conn, who, id, &config);
    }
    close(fd);
    struct session_child *c = &srv->children[srv->nchildren++];
    c->pid = pid;
    c->id = id;
    c->slot = config.slot;
    session_table_set_pid(srv->table, config.slot, pid);
    snprintf(c->host, sizeof c->host, "%s", host);
    log_info("session %d: connection from %s (pid %d)", id, peer, (int)pid);
}

/* Ends every session by its own rules, waiting a bounded time; a session
 * that does not end by then is killed (its launched debuggees die with it
 * through PTRACE_O_EXITKILL; attached ones are detached by the kernel). */
static void end_sessions(struct server *srv)
{
    for (size_t i = 0; i < srv->nchildren; i++)
        if (srv->children[i].pid > 0)
            kill(srv->children[i].pid, SIGTERM);
    for (int waited = 0; srv->nchildren && waited < 100; waited++) {
        reap_children(srv, WNOHANG);
        if (!srv->nchildren)
            break;
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    for (size_t i = 0; i < srv->nchildren; i++) {
        log_warn("session %d did not end in time; killing it", srv->children[i].id);
        if (srv->children[i].pid > 0) {
            kill(srv->children[i].pid, SIGKILL);
            waitpid(srv->children[i].pid, NULL, 0);
        }
        session_table_free(srv->table, srv->children[i].slot);
    }
    srv->nchildren = 0;
}

void server_signal_set(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGCHLD);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGHUP);
}

void listener_block_signals(void)
{
    sigset_t set;
    server_signal_set(&set);
    sigprocmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int listener_run(struct transport_server *transport, const struct session_config *base,
                 const struct listener_options *opts)
{
    static struct server srv;   /* large (the failure table): not on the stack */
    struct registry_handle *registry = opts->registry;
    struct search_responder *search = opts->search;
    srv.transport = transport;
    srv.base = base;
    srv.registry = registry;
    srv.search = search;
    srv.opts = opts;
    srv.table = opts->table ? opts->table : session_table_create();
    srv.first_sock = -1;
    if (opts->first_pid > 0) {
        /* Already running: known to the table and the reaper from now. */
        srv.children = calloc(16, sizeof *srv.children);
        if (!srv.children)
            return 1;
        srv.cap = 16;
        srv.children[0] = (struct session_child){.pid = opts->first_pid, .id = 1, .slot = opts->first_slot};
        snprintf(srv.children[0].host, sizeof srv.children[0].host, "(first client)");
        srv.nchildren = 1;
        srv.next_id = 1;
        srv.first_sock = opts->first_sock;
    }
    int listen_fd = transport->fd;
    sigset_t set;
    server_signal_set(&set);
    listener_block_signals();
    srv.sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (srv.sigfd < 0) {
        log_error("signalfd: %s", strerror(errno));
        return 1;
    }
    for (;;) {
        if (opts->once && srv.accepted && listen_fd >= 0) {
            /* --once: nobody else gets in; end with the sessions there are. */
            transport_server_close(transport);
            listen_fd = -1;
        }
        if ((srv.first_ended && opts->end_with_first) || (listen_fd < 0 && srv.nchildren == 0)) {
            log_info("the debugging session is over: exiting");
            break;
        }
        struct pollfd fds[4] = {{listen_fd, POLLIN, 0}, {srv.sigfd, POLLIN, 0},
                                {search->fd[0], POLLIN, 0}, {search->fd[1], POLLIN, 0}};
        if (poll(fds, 4, -1) < 0) {
            if (errno == EINTR)
                continue;
            log_error("poll: %s", strerror(errno));
            break;
        }
        if (fds[1].revents & POLLIN) {
            struct signalfd_siginfo si;
            bool stop = false;
            while (read(srv.sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
                if (si.ssi_signo == SIGCHLD)
                    reap_children(&srv, WNOHANG);
                else if (si.ssi_signo == SIGHUP && !srv.opts->hup_stops)
                    log_info("SIGHUP ignored (use SIGTERM to stop the server)");
                else
                    stop = true;
            }
            if (stop) {
                log_info("shutting down: ending %zu session(s)", srv.nchildren);
                break;
            }
        }
        if (fds[0].revents & POLLIN)
            accept_one(&srv);
        for (int i = 2; i < 4; i++)
            if (fds[i].revents & POLLIN)
                search_responder_answer(search, fds[i].fd);
    }
    registry_remove(registry);
    search_responder_close(search);
    if (listen_fd >= 0)
        transport_server_close(transport);
    if (srv.first_sock >= 0)
        close(srv.first_sock);
    end_sessions(&srv);
    free(srv.children);
    srv.children = NULL;
    log_info("stopped");
    return 0;
}
