#include "transport/transport_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "transport/tcp.h"

/* What this version of the server cannot do yet is refused by name rather
 * than parsed and ignored. */
bool transport_server_check(const struct transport_spec *spec, char *err, size_t errlen)
{
    static const struct {
        unsigned long bit;
        const char *name;
    } later[] = {
        {TSPEC_CLICON, "clicon (reverse connection)"}, {TSPEC_HIDDEN, "hidden"},
    };
    if (spec->kind != TRANSPORT_TCP && spec->kind != TRANSPORT_NPIPE && spec->kind != TRANSPORT_STDIO) {
        snprintf(err, errlen, "transport '%s' is not available in this version of dbgsrv "
                 "(available: tcp, npipe, stdio)", transport_kind_name(spec->kind));
        return false;
    }
    if (spec->given & TSPEC_SERVER) {
        snprintf(err, errlen, "server= names the server to a client; dbgsrv listens where bind= says");
        return false;
    }
    for (size_t i = 0; i < sizeof later / sizeof later[0]; i++)
        if (spec->given & later[i].bit) {
            snprintf(err, errlen, "%s is not available in this version of dbgsrv", later[i].name);
            return false;
        }
    return true;
}

static bool is_loopback(int fd)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
        return false;
    if (ss.ss_family == AF_INET)
        return (ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr) >> 24) == 127;
    if (ss.ss_family == AF_INET6)
        return IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)&ss)->sin6_addr);
    return false;
}

bool transport_server_open(struct transport_server *ts, const struct transport_spec *spec, bool insecure,
                           char *err, size_t errlen)
{
    memset(ts, 0, sizeof *ts);
    ts->spec = *spec;
    ts->fd = -1;
    ts->npipe.fd = -1;
    ts->npipe.lock_fd = -1;
    if (!transport_server_check(spec, err, errlen))
        return false;
    switch (spec->kind) {
    case TRANSPORT_TCP:
        ts->fd = tcp_listen(&ts->spec, err, errlen);
        if (ts->fd < 0)
            return false;
        if (!insecure && !is_loopback(ts->fd)) {
            snprintf(err, errlen, "refusing to listen on %s without a password or TLS: anyone who can reach "
                     "it could run programs here as this user. Use --insecure to do it anyway",
                     ts->spec.host);
            close(ts->fd);
            ts->fd = -1;
            return false;
        }
        break;
    case TRANSPORT_NPIPE:
        if (!npipe_listen(&ts->npipe, spec->pipe, spec->allow, err, errlen))
            return false;
        ts->fd = ts->npipe.fd;
        /* Describe it by the name clients use: %d / %x expanded. */
        snprintf(ts->spec.pipe, sizeof ts->spec.pipe, "%s", strrchr(ts->npipe.path, '/') + 1);
        break;
    default:
        snprintf(err, errlen, "transport '%s' has no listening side", transport_kind_name(spec->kind));
        return false;
    }
    transport_spec_format(&ts->spec, ts->description, sizeof ts->description);
    if (spec->kind == TRANSPORT_NPIPE) {
        size_t n = strlen(ts->description);
        snprintf(ts->description + n, sizeof ts->description - n, " (%s)", ts->npipe.path);
    }
    return true;
}

int transport_server_accept(struct transport_server *ts, char *peer, size_t peerlen)
{
    if (ts->spec.kind == TRANSPORT_NPIPE)
        return npipe_accept(&ts->npipe, peer, peerlen);
    return tcp_accept(ts->fd, peer, peerlen);
}

void transport_server_close(struct transport_server *ts)
{
    if (ts->spec.kind == TRANSPORT_NPIPE)
        npipe_close(&ts->npipe);
    else if (ts->fd >= 0)
        close(ts->fd);
    ts->fd = -1;
}

void transport_server_close_inherited(struct transport_server *ts)
{
    if (ts->spec.kind == TRANSPORT_NPIPE)
        npipe_close_inherited(&ts->npipe);
    else if (ts->fd >= 0)
        close(ts->fd);
    ts->fd = -1;
}
