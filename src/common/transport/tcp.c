#include "transport/tcp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Binds and listens on one port; returns the fd, or -1 with errno set. */
static int listen_port(const char *host, unsigned port, int family, char *err, size_t errlen)
{
    char service[8];
    snprintf(service, sizeof service, "%u", port);
    struct addrinfo hints = {0};
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    struct addrinfo *res;
    int rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "cannot resolve bind address '%s': %s", host, gai_strerror(rc));
        errno = EINVAL;
        return -1;
    }
    int fd = -1;
    int last_errno = EADDRNOTAVAIL;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            last_errno = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (ai->ai_family == AF_INET6)
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 64) == 0)
            break;
        last_errno = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        snprintf(err, errlen, "cannot listen on %s port %u: %s", host, port, strerror(last_errno));
        errno = last_errno;
    }
    return fd;
}

int tcp_listen(struct transport_spec *spec, char *err, size_t errlen)
{
    const char *host = spec->host[0] ? spec->host : (spec->ipversion == 6 ? "::1" : "127.0.0.1");
    int family = spec->ipversion == 4 ? AF_INET : spec->ipversion == 6 ? AF_INET6 : AF_UNSPEC;
    bool range = spec->port_range;
    int fd = -1;
    /* In a range the first free port is used, as DbgSrv does. */
    for (unsigned port = spec->port; port <= spec->port_last; port++) {
        fd = listen_port(host, port, family, err, errlen);
        if (fd >= 0 || errno != EADDRINUSE)
            break;
    }
    if (fd < 0) {
        if (errno == EADDRINUSE && range)
            snprintf(err, errlen, "every port from %u to %u on %s is already in use", spec->port,
                     spec->port_last, host);
        else if (errno == EADDRINUSE)
            snprintf(err, errlen, "port %u on %s is already in use (is another dbgsrv running? "
                     "choose another with -t tcp:port=N, or port=0 for any free port)", spec->port, host);
        return -1;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
        spec->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                    : ((struct sockaddr_in *)&ss)->sin_port);
    if (!range)
        spec->port_last = spec->port;
    if (!spec->host[0])
        snprintf(spec->host, sizeof spec->host, "%s", host);
    return fd;
}

int tcp_accept(int listen_fd, char *peer, size_t peerlen)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    int fd = accept4(listen_fd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    char host[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (ss.ss_family == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host);
        port = ntohs(sin->sin_port);
        snprintf(peer, peerlen, "%s:%u", host, port);
    } else if (ss.ss_family == AF_INET6) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof host);
        port = ntohs(sin6->sin6_port);
        snprintf(peer, peerlen, "[%s]:%u", host, port);
    } else {
        snprintf(peer, peerlen, "unknown");
    }
    return fd;
}
