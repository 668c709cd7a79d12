#include "listener.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "session.h"
#include "transport/tcp.h"

struct session_child {
    pid_t pid;
    int id;
};

struct server {
    int listen_fd;
    int sigfd;
    struct session_child *children;
    size_t nchildren;
    size_t cap;
    int next_id;
};

static void reap_children(struct server *srv, int flags)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, flags)) > 0) {
        for (size_t i = 0; i < srv->nchildren; i++)
            if (srv->children[i].pid == pid) {
                if (WIFSIGNALED(status))
                    log_warn("session %d (pid %d) died of signal %d", srv->children[i].id, (int)pid,
                             WTERMSIG(status));
                else
                    log_debug("session %d (pid %d) finished", srv->children[i].id, (int)pid);
                srv->children[i] = srv->children[--srv->nchildren];
                break;
            }
        if (flags == 0 && srv->nchildren == 0)
            break;
    }
}

static void accept_one(struct server *srv)
{
    char peer[80];
    int fd = tcp_accept(srv->listen_fd, peer, sizeof peer);
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
    int id = ++srv->next_id;
    pid_t pid = fork();
    if (pid < 0) {
        log_error("cannot fork a session for %s: %s", peer, strerror(errno));
        close(fd);
        return;
    }
    if (pid == 0) {
        close(srv->listen_fd);
        close(srv->sigfd);
        session_run(fd, fd, peer, id);
    }
    close(fd);
    srv->children[srv->nchildren++] = (struct session_child){pid, id};
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
        if (srv->children[i].pid > 0)
            kill(srv->children[i].pid, SIGKILL);
    }
    reap_children(srv, 0);
}

static void handled_signals(sigset_t *set)
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
    handled_signals(&set);
    sigprocmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int listener_run(int listen_fd)
{
    struct server srv = {.listen_fd = listen_fd};
    sigset_t set;
    handled_signals(&set);
    listener_block_signals();
    srv.sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (srv.sigfd < 0) {
        log_error("signalfd: %s", strerror(errno));
        return 1;
    }
    for (;;) {
        struct pollfd fds[2] = {{listen_fd, POLLIN, 0}, {srv.sigfd, POLLIN, 0}};
        if (poll(fds, 2, -1) < 0) {
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
                else if (si.ssi_signo == SIGHUP)
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
    }
    close(listen_fd);
    end_sessions(&srv);
    free(srv.children);
    log_info("stopped");
    return 0;
}
