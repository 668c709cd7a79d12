/* The multiplexer process: one event loop over the tty, the local socket,
 * the local connections and the sessions' sockets. All of its state is in
 * one struct linemux. */
#include "transport/linemux.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "io.h"
#include "log.h"
#include "runtime_dir.h"
#include "serial_mux.h"
#include "transport/serial.h"

#define MAX_CONNS 64
#define CHANNELS (SERIAL_MUX_MAX_CHANNEL + 1)
#define RESEND_MS 1000          /* an OPEN without answer is sent again */
#define IDLE_START_MS 10000     /* a multiplexer nobody joins ends */

enum conn_role { CONN_FREE, CONN_REQUEST, CONN_SERVER, CONN_CLIENT };

/* A local process connected to the socket. */
struct conn {
    int fd;
    enum conn_role role;
    int channel;
    char req[32];
    size_t reqlen;
};

/* One channel. On the server side it is served by a local dbgsrv and may
 * have a session (SESSION_FD, our end of the socket pair handed over); on
 * the client side it may have a local opener (CLIENT_CONN), waiting for
 * the far side's answer until ACCEPTED. */
struct channel {
    int server_conn;      /* index into conns, -1 */
    int session_fd;       /* -1 */
    int client_conn;      /* index into conns, -1 */
    bool accepted;
    uint8_t tag;          /* of the current session */
    long long deadline;   /* client side: give up at (ms) */
    long long resend;     /* client side: next OPEN at (ms) */
};

struct linemux {
    const char *device;
    int tty;
    int listen_fd;
    int sigfd;
    char path[108];
    struct conn conns[MAX_CONNS];
    struct channel ch[CHANNELS];
    uint8_t rx[4 * SERIAL_MUX_MAX_FRAME];
    size_t rxlen;
    uint8_t next_tag;
    bool hung_up;
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool linemux_socket_path(const char *device, char *out, size_t len, char *err, size_t errlen)
{
    char dir[108], real[4096], name[160];
    if (!realpath(device, real))
        snprintf(real, sizeof real, "%s", device);   /* opening it will say what is wrong */
    size_t o = (size_t)snprintf(name, sizeof name, "linemux-");
    for (const char *p = real[0] == '/' ? real + 1 : real; *p && o + 1 < sizeof name; p++) {
        bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                     *p == '.' || *p == '-';
        name[o++] = plain ? *p : '_';
    }
    name[o] = '\0';
    if (!runtime_dir(dir, sizeof dir)) {
        snprintf(err, errlen, "the runtime directory's name is too long");
        return false;
    }
    /* Room for ".lock" beside it; a long device name becomes a hash. */
    if (strlen(dir) + 1 + strlen(name) + 5 >= 108 || strlen(real) + 9 > sizeof name) {
        uint32_t h = 2166136261u;   /* FNV-1a */
        for (const char *p = real; *p; p++)
            h = (h ^ (uint8_t)*p) * 16777619u;
        snprintf(name, sizeof name, "linemux-%08x", h);
    }
    int n = snprintf(out, len, "%s/%s", dir, name);
    if (n < 0 || (size_t)n + 5 >= len || (size_t)n + 5 >= 108) {
        snprintf(err, errlen, "the runtime directory's name is too long");
        return false;
    }
    return true;
}

/* --- sending on the line --- */

static void line_send(struct linemux *mx, enum serial_mux_type type, unsigned channel, uint8_t tag,
                      const void *payload, size_t len)
{
    uint8_t frame[SERIAL_MUX_MAX_FRAME];
    size_t n = serial_mux_encode(frame, sizeof frame, type, channel, tag, payload, len);
    if (n == 0) {
        log_error("line %s: cannot encode a frame of type %d", mx->device, (int)type);
        return;
    }
    if (!mx->hung_up && !io_write_all(mx->tty, frame, n)) {
        log_warn("line %s: write failed: %s", mx->device, strerror(errno));
        mx->hung_up = true;
    }
}

static void line_send_data(struct linemux *mx, unsigned channel, uint8_t tag, const uint8_t *data, size_t n)
{
    for (size_t off = 0; off < n; off += SERIAL_MUX_MAX_PAYLOAD) {
        size_t k = n - off < SERIAL_MUX_MAX_PAYLOAD ? n - off : SERIAL_MUX_MAX_PAYLOAD;
        line_send(mx, SERIAL_MUX_DATA, channel, tag, data + off, k);
    }
}

/* --- local connections --- */

static void conn_reply(struct conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void conn_reply(struct conn *c, const char *fmt, ...)
{
    char line[400];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n > sizeof line - 2)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    if (!io_write_all(c->fd, line, (size_t)n))
        log_debug("a local process left before its answer: %s", strerror(errno));
}

static void conn_close(struct linemux *mx, int idx)
{
    struct conn *c = &mx->conns[idx];
    if (c->role == CONN_FREE)
        return;
    close(c->fd);
    c->fd = -1;
    c->role = CONN_FREE;
    for (int i = 0; i < CHANNELS; i++) {
        if (mx->ch[i].server_conn == idx)
            mx->ch[i].server_conn = -1;
        if (mx->ch[i].client_conn == idx)
            mx->ch[i].client_conn = -1;
    }
}

/* Ends the current session of channel N (either side) without telling the far side. */
static void channel_drop(struct linemux *mx, int n)
{
    struct channel *ch = &mx->ch[n];
    if (ch->session_fd >= 0) {
        close(ch->session_fd);   /* the session process reads the end of its connection */
        ch->session_fd = -1;
    }
    if (ch->client_conn >= 0)
        conn_close(mx, ch->client_conn);
    ch->accepted = false;
}

/* ... and tells the far side. */
static void channel_end(struct linemux *mx, int n)
{
    line_send(mx, SERIAL_MUX_CLOSE, (unsigned)n, mx->ch[n].tag, NULL, 0);
    channel_drop(mx, n);
}

static bool send_session_fd(int sock, int fd)
{
    return io_send_fd(sock, fd, "S", 1);
}

/* A request line from a local process. */
static void conn_request(struct linemux *mx, int idx, const char *line)
{
    struct conn *c = &mx->conns[idx];
    char verb[8], extra;
    unsigned n;
    if (sscanf(line, "%7s %u%c", verb, &n, &extra) != 2 || n > SERIAL_MUX_MAX_CHANNEL ||
        (strcmp(verb, "SERVE") != 0 && strcmp(verb, "OPEN") != 0)) {
        conn_reply(c, "ERR bad request to the line multiplexer of %s", mx->device);
        conn_close(mx, idx);
        return;
    }
    struct channel *ch = &mx->ch[n];
    if (strcmp(verb, "SERVE") == 0) {
        if (ch->server_conn >= 0 || ch->client_conn >= 0) {
            conn_reply(c, "ERR channel %u of %s is %s", n, mx->device,
                       ch->server_conn >= 0 ? "already served by another process server on this side"
                                            : "open from this side to a process server on the other side");
            conn_close(mx, idx);
            return;
        }
        ch->server_conn = idx;
        c->role = CONN_SERVER;
        c->channel = (int)n;
        conn_reply(c, "OK");
        log_info("line %s: channel %u served here", mx->device, n);
        return;
    }
    if (ch->server_conn >= 0 || ch->client_conn >= 0 || ch->session_fd >= 0) {
        conn_reply(c, "ERR channel %u of %s is %s", n, mx->device,
                   ch->client_conn >= 0 ? "in use by another session from this side"
                                        : "served on this side of the line; open it from the other end");
        conn_close(mx, idx);
        return;
    }
    c->role = CONN_CLIENT;
    c->channel = (int)n;
    ch->client_conn = idx;
    ch->accepted = false;
    ch->tag = mx->next_tag++;
    long long now = now_ms();
    ch->deadline = now + LINEMUX_OPEN_TIMEOUT_MS;
    ch->resend = now + RESEND_MS;
    line_send(mx, SERIAL_MUX_OPEN, n, ch->tag, NULL, 0);
    log_debug("line %s: opening channel %u (tag %u)", mx->device, n, ch->tag);
}

static void conn_readable(struct linemux *mx, int idx)
{
    struct conn *c = &mx->conns[idx];
    uint8_t buf[SERIAL_MUX_MAX_PAYLOAD * 4];
    if (c->role == CONN_REQUEST) {
        ssize_t r = read(c->fd, c->req + c->reqlen, sizeof c->req - 1 - c->reqlen);
        if (r <= 0) {
            conn_close(mx, idx);
            return;
        }
        c->reqlen += (size_t)r;
        c->req[c->reqlen] = '\0';
        char *nl = strchr(c->req, '\n');
        if (nl) {
            *nl = '\0';
            conn_request(mx, idx, c->req);
        } else if (c->reqlen == sizeof c->req - 1) {
            conn_reply(c, "ERR request too long");
            conn_close(mx, idx);
        }
        return;
    }
    ssize_t r = read(c->fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR)
        return;
    if (c->role == CONN_SERVER) {
        /* A process server says nothing after its request: this is its end. */
        if (r <= 0) {
            log_info("line %s: channel %d no longer served here", mx->device, c->channel);
            conn_close(mx, idx);
        }
        return;
    }
    int n = c->channel;
    if (r <= 0) {
        log_debug("line %s: channel %d: the local client closed it", mx->device, n);
        channel_end(mx, n);
        return;
    }
    if (mx->ch[n].accepted)
        line_send_data(mx, (unsigned)n, mx->ch[n].tag, buf, (size_t)r);
}

static void session_readable(struct linemux *mx, int n)
{
    uint8_t buf[SERIAL_MUX_MAX_PAYLOAD * 4];
    ssize_t r = read(mx->ch[n].session_fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR)
        return;
    if (r <= 0) {
        log_debug("line %s: channel %d: the session ended", mx->device, n);
        channel_end(mx, n);
        return;
    }
    line_send_data(mx, (unsigned)n, mx->ch[n].tag, buf, (size_t)r);
}

/* --- frames from the line --- */

static void frame_open(struct linemux *mx, const struct serial_mux_frame *f)
{
    struct channel *ch = &mx->ch[f->channel];
    if (ch->server_conn < 0) {
        char why[80];
        snprintf(why, sizeof why, "%s", ch->client_conn >= 0 ? "the channel is opened from both sides"
                                                             : "no process server on this channel");
        line_send(mx, SERIAL_MUX_REFUSE, f->channel, f->tag, why, strlen(why));
        return;
    }
    if (ch->session_fd >= 0 && ch->tag == f->tag) {
        line_send(mx, SERIAL_MUX_ACCEPT, f->channel, f->tag, NULL, 0);   /* our ACCEPT was lost */
        return;
    }
    if (ch->session_fd >= 0) {
        /* The opener only opens a channel it has no session on: ours is
         * one it has forgotten (its multiplexer ended without a word). */
        log_warn("line %s: channel %u opened again: ending its stale session", mx->device, f->channel);
        channel_drop(mx, f->channel);
    }
    int sp[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) != 0 ||
        !send_session_fd(mx->conns[ch->server_conn].fd, sp[1])) {
        log_warn("line %s: channel %u: cannot hand the session over: %s", mx->device, f->channel, strerror(errno));
        const char *why = "the process server could not take the session";
        line_send(mx, SERIAL_MUX_REFUSE, f->channel, f->tag, why, strlen(why));
        return;
    }
    close(sp[1]);
    ch->session_fd = sp[0];
    ch->tag = f->tag;
    line_send(mx, SERIAL_MUX_ACCEPT, f->channel, f->tag, NULL, 0);
    log_info("line %s: channel %u: session opened by the far side", mx->device, f->channel);
}

static void frame_answer(struct linemux *mx, const struct serial_mux_frame *f)
{
    struct channel *ch = &mx->ch[f->channel];
    bool ours = ch->client_conn >= 0 && ch->tag == f->tag;
    if (f->type == SERIAL_MUX_ACCEPT) {
        if (!ours) {
            /* An answer to an OPEN nobody waits for: end that session. */
            line_send(mx, SERIAL_MUX_CLOSE, f->channel, f->tag, NULL, 0);
            return;
        }
        if (!ch->accepted) {
            ch->accepted = true;
            conn_reply(&mx->conns[ch->client_conn], "OK");
            log_info("line %s: channel %u: session open", mx->device, f->channel);
        }
        return;
    }
    if (!ours || ch->accepted)
        return;
    char reason[SERIAL_MUX_MAX_REASON + 1];
    memcpy(reason, f->payload, f->len);
    reason[f->len] = '\0';
    if (strcmp(reason, "no process server on this channel") == 0)
        conn_reply(&mx->conns[ch->client_conn], "ERR no process server on channel %u of %s", f->channel,
                   mx->device);
    else
        conn_reply(&mx->conns[ch->client_conn], "ERR channel %u of %s refused by the far side: %s", f->channel,
                   mx->device, reason);
    channel_drop(mx, f->channel);
}

static void frame_dispatch(struct linemux *mx, const struct serial_mux_frame *f)
{
    struct channel *ch = &mx->ch[f->channel];
    bool session_here = ch->session_fd >= 0 && ch->tag == f->tag;
    bool client_here = ch->client_conn >= 0 && ch->tag == f->tag;
    switch (f->type) {
    case SERIAL_MUX_OPEN:
        frame_open(mx, f);
        break;
    case SERIAL_MUX_ACCEPT:
    case SERIAL_MUX_REFUSE:
        frame_answer(mx, f);
        break;
    case SERIAL_MUX_CLOSE:
        if (session_here || client_here) {
            log_info("line %s: channel %u: the far side closed the session", mx->device, f->channel);
            channel_drop(mx, f->channel);
        }
        break;
    case SERIAL_MUX_DATA: {
        int to = session_here ? ch->session_fd
                 : client_here && ch->accepted ? mx->conns[ch->client_conn].fd : -1;
        if (to < 0) {
            /* Bytes for a session that is not (or no longer) here. */
            log_debug("line %s: channel %u: data for no session", mx->device, f->channel);
            if (!client_here)
                line_send(mx, SERIAL_MUX_CLOSE, f->channel, f->tag, NULL, 0);
            break;
        }
        if (!io_write_all(to, f->payload, f->len)) {
            log_warn("line %s: channel %u: the local end is gone: %s", mx->device, f->channel, strerror(errno));
            channel_end(mx, f->channel);
        }
        break;
    }
    }
}

static void tty_readable(struct linemux *mx)
{
    ssize_t r = read(mx->tty, mx->rx + mx->rxlen, sizeof mx->rx - mx->rxlen);
    if (r < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (r <= 0) {
        log_warn("line %s hung up%s%s", mx->device, r < 0 ? ": " : "", r < 0 ? strerror(errno) : "");
        mx->hung_up = true;
        return;
    }
    mx->rxlen += (size_t)r;
    size_t off = 0;
    for (;;) {
        struct serial_mux_frame f;
        size_t used;
        const char *why;
        enum serial_mux_status st = serial_mux_decode(mx->rx + off, mx->rxlen - off, &f, &used, &why);
        if (st == SERIAL_MUX_FRAME)
            frame_dispatch(mx, &f);
        else if (st == SERIAL_MUX_BAD)
            log_warn("line %s: dropped %zu byte%s: %s", mx->device, used, used == 1 ? "" : "s", why);
        off += used;
        if (st == SERIAL_MUX_NEED_MORE)
            break;
    }
    memmove(mx->rx, mx->rx + off, mx->rxlen - off);
    mx->rxlen -= off;
}

/* --- the loop --- */

static void accept_conn(struct linemux *mx)
{
    int fd = accept4(mx->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        return;
    for (int i = 0; i < MAX_CONNS; i++)
        if (mx->conns[i].role == CONN_FREE) {
            /* A local process that stops reading must not stall the line. */
            struct timeval tv = {5, 0};
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
            mx->conns[i] = (struct conn){.fd = fd, .role = CONN_REQUEST, .channel = -1};
            return;
        }
    log_warn("line %s: too many local connections", mx->device);
    close(fd);
}

static void check_timeouts(struct linemux *mx, long long now)
{
    for (int n = 0; n < CHANNELS; n++) {
        struct channel *ch = &mx->ch[n];
        if (ch->client_conn < 0 || ch->accepted)
            continue;
        if (now >= ch->deadline) {
            conn_reply(&mx->conns[ch->client_conn],
                       "ERR no process server on channel %d of %s (no answer from the other end of the line "
                       "in %d s)", n, mx->device, LINEMUX_OPEN_TIMEOUT_MS / 1000);
            channel_end(mx, n);   /* in case an answer is still on its way */
        } else if (now >= ch->resend) {
            line_send(mx, SERIAL_MUX_OPEN, (unsigned)n, ch->tag, NULL, 0);
            ch->resend = now + RESEND_MS;
        }
    }
}

static bool has_users(const struct linemux *mx)
{
    for (int i = 0; i < MAX_CONNS; i++)
        if (mx->conns[i].role != CONN_FREE)
            return true;
    for (int n = 0; n < CHANNELS; n++)
        if (mx->ch[n].session_fd >= 0)
            return true;
    return false;
}

static void linemux_loop(struct linemux *mx)
{
    long long idle_until = now_ms() + IDLE_START_MS;
    bool had_user = false;
    while (!mx->hung_up) {
        struct pollfd p[3 + MAX_CONNS + CHANNELS];
        int who[3 + MAX_CONNS + CHANNELS];   /* conn index, or -1 - channel */
        nfds_t np = 0;
        p[np++] = (struct pollfd){mx->tty, POLLIN, 0};
        p[np++] = (struct pollfd){mx->listen_fd, POLLIN, 0};
        p[np++] = (struct pollfd){mx->sigfd, POLLIN, 0};
        for (int i = 0; i < MAX_CONNS; i++)
            if (mx->conns[i].role != CONN_FREE) {
                bool waiting = mx->conns[i].role == CONN_CLIENT && !mx->ch[mx->conns[i].channel].accepted;
                /* Before the far side accepts, only a hang-up is of interest. */
                who[np] = i;
                p[np++] = (struct pollfd){mx->conns[i].fd, waiting ? 0 : POLLIN, 0};
            }
        for (int n = 0; n < CHANNELS; n++)
            if (mx->ch[n].session_fd >= 0) {
                who[np] = -1 - n;
                p[np++] = (struct pollfd){mx->ch[n].session_fd, POLLIN, 0};
            }
        if (poll(p, np, 200) < 0 && errno != EINTR) {
            log_error("line %s: poll: %s", mx->device, strerror(errno));
            return;
        }
        if (p[2].revents & POLLIN) {
            struct signalfd_siginfo si;
            while (read(mx->sigfd, &si, sizeof si) == (ssize_t)sizeof si)
                if (si.ssi_signo == SIGTERM) {
                    log_info("line %s: multiplexer told to stop", mx->device);
                    return;
                }
        }
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
            tty_readable(mx);
        /* Sockets that a frame above closed are skipped: their fd is gone. */
        for (nfds_t k = 3; k < np; k++) {
            if (!p[k].revents)
                continue;
            if (who[k] >= 0) {
                struct conn *c = &mx->conns[who[k]];
                if (c->role == CONN_FREE || c->fd != p[k].fd)
                    continue;
                if (c->role == CONN_CLIENT && !mx->ch[c->channel].accepted) {
                    log_debug("line %s: channel %d: the client gave up waiting", mx->device, c->channel);
                    channel_end(mx, c->channel);
                } else {
                    conn_readable(mx, who[k]);
                }
            } else if (mx->ch[-1 - who[k]].session_fd == p[k].fd) {
                session_readable(mx, -1 - who[k]);
            }
        }
        if (p[1].revents & POLLIN)
            accept_conn(mx);
        long long now = now_ms();
        check_timeouts(mx, now);
        bool users = has_users(mx);
        had_user = had_user || users;
        if (!users && (had_user || now >= idle_until)) {
            log_debug("line %s: no users left", mx->device);
            return;
        }
    }
}

/* Reports to the starter and closes the pipe. */
static void tell_starter(int *ready_fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tell_starter(int *ready_fd, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n > 0 && !io_write_all(*ready_fd, msg, strlen(msg)))
        log_debug("the starter of the multiplexer is gone");
    close(*ready_fd);
    *ready_fd = -1;
}

void linemux_main(const char *device, unsigned baud, int ready_fd)
{
    static struct linemux mx;   /* large (buffers, tables): not on the stack */
    memset(&mx, 0, sizeof mx);
    mx.device = device;
    mx.tty = mx.listen_fd = mx.sigfd = -1;
    mx.next_tag = (uint8_t)(getpid() ^ now_ms());   /* unlike a predecessor's tags */
    for (int n = 0; n < CHANNELS; n++)
        mx.ch[n] = (struct channel){.server_conn = -1, .session_fd = -1, .client_conn = -1};
    for (int i = 0; i < MAX_CONNS; i++)
        mx.conns[i].fd = -1;
    prctl(PR_SET_NAME, "dbgsrv-linemux");
    /* Its own process group: a ^C or a group kill aimed at the process
     * that started it must not take the line from the others using it. */
    setpgid(0, 0);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_SETMASK, &set, NULL);
    signal(SIGINT, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGCHLD, SIG_DFL);
    mx.sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    char err[300], dir[108], lock[120];
    if (!linemux_socket_path(device, mx.path, sizeof mx.path, err, sizeof err) || !runtime_dir(dir, sizeof dir) ||
        !runtime_dir_make(dir, 0711, err, sizeof err)) {
        tell_starter(&ready_fd, "ERR %s", err);
        _exit(1);
    }
    snprintf(lock, sizeof lock, "%s.lock", mx.path);
    int lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (lock_fd < 0) {
        tell_starter(&ready_fd, "ERR cannot create %s: %s", lock, strerror(errno));
        _exit(1);
    }
    if (flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
        tell_starter(&ready_fd, "BUSY");   /* another multiplexer owns the line */
        _exit(0);
    }
    mx.tty = serial_open(device, baud, err, sizeof err);
    if (mx.tty < 0) {
        tell_starter(&ready_fd, "ERR %s", err);
        _exit(1);
    }
    unlink(mx.path);   /* left by a multiplexer that died: the lock says none runs */
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", mx.path);
    mx.listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    mode_t old = umask(077);   /* this user (and root) only */
    bool bound = mx.listen_fd >= 0 && bind(mx.listen_fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    umask(old);
    if (!bound || listen(mx.listen_fd, 16) != 0) {
        tell_starter(&ready_fd, "ERR cannot listen on %s: %s", mx.path, strerror(errno));
        _exit(1);
    }
    log_set_context(device);
    log_info("line multiplexer for %s started (%s)", device, mx.path);
    tell_starter(&ready_fd, "OK");
    linemux_loop(&mx);
    /* Gone from the directory first, so that nobody joins an ending
     * multiplexer; then every session on the line is ended. */
    unlink(mx.path);
    close(mx.listen_fd);
    for (int n = 0; n < CHANNELS; n++)
        if (mx.ch[n].session_fd >= 0 || mx.ch[n].client_conn >= 0)
            channel_end(&mx, n);
    for (int i = 0; i < MAX_CONNS; i++)
        conn_close(&mx, i);
    log_info("line multiplexer for %s stopped", device);
    _exit(0);
}
