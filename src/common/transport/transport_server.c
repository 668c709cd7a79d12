#include "transport/transport_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "transport/serial.h"
#include "transport/tcp.h"

/* What this version of the server cannot do yet is refused by name rather
 * than parsed and ignored. */
bool transport_server_check(const struct transport_spec *spec, char *err, size_t errlen)
{
    if (spec->kind == TRANSPORT_COM && !serial_baud_supported(spec->baud)) {
        snprintf(err, errlen, "unsupported baud rate %u", spec->baud);
        return false;
    }
    if ((spec->kind == TRANSPORT_SSL || spec->kind == TRANSPORT_SPIPE) && (!spec->cert[0] || !spec->key[0])) {
        snprintf(err, errlen, "%s: needs cert=FILE and key=FILE", transport_kind_name(spec->kind));
        return false;
    }
    if ((spec->kind == TRANSPORT_SSL || spec->kind == TRANSPORT_SPIPE) && spec->fingerprint[0]) {
        snprintf(err, errlen, "fingerprint= is how a client checks a server; the server uses ca= to "
                 "check clients");
        return false;
    }
    if ((spec->given & TSPEC_CLICON) && (spec->port_range || spec->port == 0)) {
        snprintf(err, errlen, "clicon= connects to the one port the client listens on: not a range, not 0");
        return false;
    }
    if (spec->given & TSPEC_SERVER) {
        snprintf(err, errlen, "server= names the server to a client; dbgsrv listens where bind= says");
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
    ts->tls = spec->kind == TRANSPORT_SSL || spec->kind == TRANSPORT_SPIPE;
    if (ts->tls && !tls_config_server(&ts->tls_config, spec, err, errlen))
        return false;
    switch (spec->kind) {
    case TRANSPORT_TCP:
    case TRANSPORT_SSL:
        ts->fd = tcp_listen(&ts->spec, err, errlen);
        if (ts->fd < 0)
            return false;
        if (!insecure && !ts->tls && !is_loopback(ts->fd)) {
            snprintf(err, errlen, "refusing to listen on %s without a password or TLS: anyone who can reach "
                     "it could run programs here as this user. Use --insecure to do it anyway",
                     ts->spec.host);
            close(ts->fd);
            ts->fd = -1;
            return false;
        }
        break;
    case TRANSPORT_NPIPE:
    case TRANSPORT_SPIPE:
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
    if (spec->kind == TRANSPORT_NPIPE || spec->kind == TRANSPORT_SPIPE) {
        size_t n = strlen(ts->description);
        snprintf(ts->description + n, sizeof ts->description - n, " (%s)", ts->npipe.path);
    }
    return true;
}

int transport_server_accept(struct transport_server *ts, char *peer, size_t peerlen)
{
    if (ts->npipe.fd >= 0)
        return npipe_accept(&ts->npipe, peer, peerlen);
    return tcp_accept(ts->fd, peer, peerlen);
}

int transport_server_secure(struct transport_server *ts, int fd, char *info, size_t infolen,
                            char *err, size_t errlen)
{
    info[0] = '\0';
    if (!ts->tls)
        return fd;
    return tls_wrap(&ts->tls_config, fd, info, infolen, err, errlen);
}

void transport_server_close(struct transport_server *ts)
{
    if (ts->tls)
        tls_config_free(&ts->tls_config);
    if (ts->npipe.fd >= 0 || ts->npipe.lock_fd >= 0)
        npipe_close(&ts->npipe);
    else if (ts->fd >= 0)
        close(ts->fd);
    ts->fd = -1;
}

void transport_server_close_inherited(struct transport_server *ts)
{
    if (ts->npipe.fd >= 0 || ts->npipe.lock_fd >= 0)
        npipe_close_inherited(&ts->npipe);
    else if (ts->fd >= 0)
        close(ts->fd);
    ts->fd = -1;
}
