#include "transport/transport_client.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "transport/tls.h"
#include "transport/unix_socket.h"

bool transport_client_check(const struct transport_spec *spec, char *err, size_t errlen)
{
    if (spec->kind == TRANSPORT_COM || spec->kind == TRANSPORT_STDIO) {
        snprintf(err, errlen, "transport '%s' is not available in this version of dbg "
                 "(available: tcp, npipe, ssl, spipe)", transport_kind_name(spec->kind));
        return false;
    }
    if (spec->given & TSPEC_BIND) {
        snprintf(err, errlen, "bind= is for the server; name the server with server=HOST");
        return false;
    }
    if (spec->given & (TSPEC_CLICON | TSPEC_HIDDEN | TSPEC_ALLOW)) {
        snprintf(err, errlen, "%s is not available in this version of dbg",
                 (spec->given & TSPEC_CLICON) ? "clicon (reverse connection)"
                 : (spec->given & TSPEC_HIDDEN) ? "hidden" : "allow= (a server parameter)");
        return false;
    }
    if ((spec->kind == TRANSPORT_NPIPE || spec->kind == TRANSPORT_SPIPE) && (spec->given & TSPEC_SERVER)) {
        snprintf(err, errlen, "npipe to another machine (server=) is not available in this version of dbg");
        return false;
    }
    if ((spec->kind == TRANSPORT_TCP || spec->kind == TRANSPORT_SSL) && spec->port_range) {
        snprintf(err, errlen, "a client connects to one port, not a range");
        return false;
    }
    return true;
}

static int connect_tcp(const struct transport_spec *spec, char *err, size_t errlen)
{
    const char *host = spec->host[0] ? spec->host : "127.0.0.1";
    char port[8];
    snprintf(port, sizeof port, "%u", spec->port);
    struct addrinfo hints = {0};
    hints.ai_family = spec->ipversion == 4 ? AF_INET : spec->ipversion == 6 ? AF_INET6 : AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    struct addrinfo *res;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "cannot resolve server '%s': %s", host, gai_strerror(rc));
        return -1;
    }
    int fd = -1, last = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        last = errno;
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        snprintf(err, errlen, "cannot connect to %s port %u: %s", host, spec->port, strerror(last));
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static int connect_npipe(const struct transport_spec *spec, char *err, size_t errlen)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    char path[sizeof sa.sun_path];
    if (strchr(spec->pipe, '%')) {
        snprintf(err, errlen, "pipe name '%s': %%d and %%x are for the server; use the name it printed",
                 spec->pipe);
        return -1;
    }
    if (!npipe_path(spec->pipe, 0, path, sizeof path, err, errlen))
        return -1;
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        snprintf(err, errlen, "cannot connect to pipe '%s' (%s): %s", spec->pipe, path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

int transport_client_connect(const struct transport_spec *spec, char *err, size_t errlen)
{
    if (!transport_client_check(spec, err, errlen))
        return -1;
    bool tls = spec->kind == TRANSPORT_SSL || spec->kind == TRANSPORT_SPIPE;
    struct tls_config tc;
    if (tls && !tls_config_client(&tc, spec, err, errlen))
        return -1;
    bool pipe = spec->kind == TRANSPORT_NPIPE || spec->kind == TRANSPORT_SPIPE;
    int fd = pipe ? connect_npipe(spec, err, errlen) : connect_tcp(spec, err, errlen);
    if (fd < 0 || !tls)
        return fd;
    char info[256];
    return tls_wrap(&tc, fd, info, sizeof info, err, errlen);
}
