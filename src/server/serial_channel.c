#include "serial_channel.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "listener.h"
#include "log.h"
#include "transport/linemux.h"

/* More than one session of a channel at once only while a stale one is
 * replaced; the bound keeps a confused far side from piling up processes. */
#define MAX_SESSIONS 8

struct channel_server {
    const struct transport_spec *spec;
    struct session_config config;
    char desc[200];
    int sigfd;
    int serve_fd;
    pid_t sessions[MAX_SESSIONS];   /* 0: free */
    int next_id;
};

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

static int running(const struct channel_server *cs)
{
    int n = 0;
    for (int i = 0; i < MAX_SESSIONS; i++)
        n += cs->sessions[i] > 0;
    return n;
}

/* Reaps every child that ended: sessions, and the multiplexer if we
 * started it (it is our child until it ends). */
static void reap(struct channel_server *cs)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
        for (int i = 0; i < MAX_SESSIONS; i++)
            if (cs->sessions[i] == pid) {
                cs->sessions[i] = 0;
                if (WIFSIGNALED(status))
                    log_warn("session (pid %d) died of signal %d", (int)pid, WTERMSIG(status));
                else
                    log_debug("session (pid %d) finished", (int)pid);
            }
}

/* As the listener does: each session ends by its own rules, within a
 * bounded time; one that does not is killed. */
static void end_sessions(struct channel_server *cs)
{
    for (int i = 0; i < MAX_SESSIONS; i++)
        if (cs->sessions[i] > 0)
            kill(cs->sessions[i], SIGTERM);
    for (int waited = 0; running(cs) && waited < 100; waited++) {
        pause_ms(100);
        reap(cs);
    }
    for (int i = 0; i < MAX_SESSIONS; i++)
        if (cs->sessions[i] > 0) {
            log_warn("session (pid %d) did not end in time; killing it", (int)cs->sessions[i]);
            kill(cs->sessions[i], SIGKILL);
            waitpid(cs->sessions[i], NULL, 0);
            cs->sessions[i] = 0;
        }
}

static void start_session(struct channel_server *cs, int fd)
{
    int slot = -1;
    for (int i = 0; i < MAX_SESSIONS && slot < 0; i++)
        if (cs->sessions[i] == 0)
            slot = i;
    if (slot < 0) {
        log_warn("too many sessions on %s: refused one", cs->desc);
        close(fd);
        return;
    }
    int id = ++cs->next_id;
    pid_t pid = fork();
    if (pid < 0) {
        log_error("cannot fork a session: %s", strerror(errno));
        close(fd);
        return;
    }
    if (pid == 0) {
        /* Without the server's fds: the multiplexer must see the server
         * go when it goes, whatever its sessions do. */
        close(cs->sigfd);
        close(cs->serve_fd);
        session_run(fd, fd, cs->desc, id, &cs->config);
    }
    close(fd);
    cs->sessions[slot] = pid;
    log_info("session %d: connection from %s (pid %d)", id, cs->desc, (int)pid);
}

/* Serves sessions until told to stop (returns true) or the multiplexer
 * goes (false). */
static bool serve_line(struct channel_server *cs)
{
    for (;;) {
        struct pollfd p[2] = {{cs->serve_fd, POLLIN, 0}, {cs->sigfd, POLLIN, 0}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            log_error("poll: %s", strerror(errno));
            return true;
        }
        if (p[1].revents & POLLIN) {
            struct signalfd_siginfo si;
            bool stop = false;
            while (read(cs->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
                if (si.ssi_signo == SIGCHLD)
                    reap(cs);
                else if (si.ssi_signo == SIGHUP)
                    log_info("SIGHUP ignored (use SIGTERM to stop the server)");
                else
                    stop = true;
            }
            if (stop)
                return true;
        }
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            int fd = linemux_take_session(cs->serve_fd);
            if (fd == -1)
                return false;
            if (fd >= 0)
                start_session(cs, fd);
        }
    }
}

int serial_channel_run(const struct transport_spec *spec, const struct session_config *base)
{
    static struct channel_server cs;
    memset(&cs, 0, sizeof cs);
    cs.spec = spec;
    cs.config = *base;
    cs.config.server_pid = getpid();
    cs.config.flags |= SESSION_UNRELIABLE_LINE;   /* frames can be lost on the line */
    transport_spec_format(spec, cs.desc, sizeof cs.desc);
    sigset_t set;
    server_signal_set(&set);
    cs.sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (cs.sigfd < 0) {
        fprintf(stderr, "dbgsrv: signalfd: %s\n", strerror(errno));
        return 1;
    }
    bool announced = false;
    for (;;) {
        char err[400];
        cs.serve_fd = linemux_serve(spec->device, spec->baud, spec->channel, err, sizeof err);
        if (cs.serve_fd < 0) {
            fprintf(stderr, "dbgsrv: %s\n", err);
            log_error("%s", err);
            end_sessions(&cs);
            return 1;
        }
        if (!announced) {
            printf("Listening on %s\n", cs.desc);
            fflush(stdout);
            log_info("dbgsrv %s listening on %s", DBGSRV_VERSION, cs.desc);
            announced = true;
        }
        bool stop = serve_line(&cs);
        close(cs.serve_fd);
        cs.serve_fd = -1;
        if (stop) {
            log_info("shutting down: ending %d session(s)", running(&cs));
            end_sessions(&cs);
            reap(&cs);
            log_info("stopped");
            return 0;
        }
        /* The line hung up and its multiplexer ended; the sessions on it
         * see their ends and finish by their rules. Join the line again
         * (pausing, so that a line that keeps hanging up cannot spin). */
        log_warn("%s: the line multiplexer ended; joining the line again", cs.desc);
        pause_ms(200);
    }
}
