#include "transport/transport_client.h"

#include <errno.h>
#include <stdlib.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "transport/linemux.h"
#include "transport/serial.h"
#include "transport/tcp.h"
#include "transport/tls.h"
#include "transport/unix_socket.h"

bool transport_client_check(const struct transport_spec *spec, char *err, size_t errlen)
{
    if (spec->kind == TRANSPORT_STDIO) {
        snprintf(err, errlen, "stdio is a server transport; connect to such a server with a pipe command");
        return false;
    }
    if (spec->kind == TRANSPORT_SSL || spec->kind == TRANSPORT_SPIPE) {
        uint8_t fp[32];
        if (!spec->ca[0] && !spec->fingerprint[0]) {
            snprintf(err, errlen, "%s: the server must be verified: give ca=FILE or fingerprint=SHA256:...",
                     transport_kind_name(spec->kind));
            return false;
        }
        if (spec->fingerprint[0] && !tls_fingerprint_parse(spec->fingerprint, fp)) {
            snprintf(err, errlen, "bad fingerprint '%s' (expected SHA256: and 64 hex digits)", spec->fingerprint);
            return false;
        }
    }
    if (spec->given & TSPEC_BIND) {
        snprintf(err, errlen, "bind= is for the server; name the server with server=HOST");
        return false;
    }
    if (spec->given & (TSPEC_HIDDEN | TSPEC_ALLOW)) {
        snprintf(err, errlen, "%s is a server parameter", (spec->given & TSPEC_HIDDEN) ? "hidden" : "allow=");
        return false;
    }
    if (spec->kind == TRANSPORT_SPIPE && (spec->given & TSPEC_SERVER)) {
        snprintf(err, errlen, "spipe to another machine (server=) is not available in this version of dbg; "
                 "npipe:server=HOST,pipe=NAME reaches it over ssh, which encrypts already");
        return false;
    }
    if (spec->kind == TRANSPORT_NPIPE && (spec->given & TSPEC_SERVER) &&
        (spec->pipe[strspn(spec->pipe, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")] ||
         strchr(spec->pipe, '%'))) {
        snprintf(err, errlen, "a pipe on another machine must have a plain name (letters, digits, . _ -)");
        return false;
    }
    if ((spec->kind == TRANSPORT_TCP || spec->kind == TRANSPORT_SSL) && spec->port_range) {
        snprintf(err, errlen, "a client connects to one port, not a range");
        return false;
    }
    return true;
}

int transport_dial(const char *host, unsigned port, int ipversion, char *err, size_t errlen)
{
    char service[8];
    snprintf(service, sizeof service, "%u", port);
    struct addrinfo hints = {0};
    hints.ai_family = ipversion == 4 ? AF_INET : ipversion == 6 ? AF_INET6 : AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    struct addrinfo *res;
    int rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "cannot resolve '%s': %s", host, gai_strerror(rc));
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
        snprintf(err, errlen, "cannot connect to %s port %u: %s", host, port, strerror(last));
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static bool same_address(const struct sockaddr *a, const struct sockaddr *b)
{
    if (a->sa_family != b->sa_family)
        return false;
    if (a->sa_family == AF_INET)
        return ((const struct sockaddr_in *)a)->sin_addr.s_addr == ((const struct sockaddr_in *)b)->sin_addr.s_addr;
    if (a->sa_family == AF_INET6)
        return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr, &((const struct sockaddr_in6 *)b)->sin6_addr,
                      sizeof(struct in6_addr)) == 0;
    return false;
}

static bool is_loopback_addr(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    return sa->sa_family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr);
}

/* clicon=SERVER: wait for that server to connect to our port. */
static int accept_reverse(const struct transport_spec *spec, char *err, size_t errlen)
{
    struct addrinfo hints = {0};
    hints.ai_family = spec->ipversion == 4 ? AF_INET : spec->ipversion == 6 ? AF_INET6 : AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    struct addrinfo *res;
    int rc = getaddrinfo(spec->clicon, NULL, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "cannot resolve '%s': %s", spec->clicon, gai_strerror(rc));
        return -1;
    }
    /* Listen where that server can reach us: on loopback for a server on
     * this machine, else on every address of its family. */
    struct transport_spec ls = *spec;
    ls.kind = TRANSPORT_TCP;
    ls.port_range = false;
    ls.port_last = ls.port;
    ls.ipversion = res->ai_family == AF_INET6 ? 6 : 4;
    char host[64];
    if (is_loopback_addr(res->ai_addr))
        getnameinfo(res->ai_addr, res->ai_addrlen, host, sizeof host, NULL, 0, NI_NUMERICHOST);
    else
        snprintf(host, sizeof host, "%s", res->ai_family == AF_INET6 ? "::" : "0.0.0.0");
    snprintf(ls.host, sizeof ls.host, "%s", host);
    int lfd = tcp_listen(&ls, err, errlen);
    if (lfd < 0) {
        freeaddrinfo(res);
        return -1;
    }
    fprintf(stderr, "dbg: waiting for the process server %s to connect to %s port %u\n", spec->clicon, host,
            ls.port);
    int fd = -1;
    while (fd < 0) {
        struct sockaddr_storage peer;
        socklen_t pl = sizeof peer;
        fd = accept4(lfd, (struct sockaddr *)&peer, &pl, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            snprintf(err, errlen, "accept: %s", strerror(errno));
            break;
        }
        bool ok = false;
        for (struct addrinfo *ai = res; ai && !ok; ai = ai->ai_next)
            ok = same_address((struct sockaddr *)&peer, ai->ai_addr);
        if (!ok) {
            char who[64] = "?";
            getnameinfo((struct sockaddr *)&peer, pl, who, sizeof who, NULL, 0, NI_NUMERICHOST);
            fprintf(stderr, "dbg: refused a connection from %s (not the process server %s)\n", who, spec->clicon);
            close(fd);
            fd = -1;
        }
    }
    close(lfd);
    freeaddrinfo(res);
    if (fd >= 0) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    return fd;
}

static int connect_tcp(const struct transport_spec *spec, char *err, size_t errlen)
{
    if (spec->given & TSPEC_CLICON)
        return accept_reverse(spec, err, errlen);
    return transport_dial(spec->host[0] ? spec->host : "127.0.0.1", spec->port, spec->ipversion, err, errlen);
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

bool transport_client_prepare(const struct transport_spec *spec, char *err, size_t errlen)
{
    if (!transport_client_check(spec, err, errlen))
        return false;
    if (spec->kind != TRANSPORT_SSL && spec->kind != TRANSPORT_SPIPE)
        return true;
    struct tls_config tc;
    if (!tls_config_client(&tc, spec, err, errlen))
        return false;
    tls_config_free(&tc);
    return true;
}

/* npipe:server=HOST: the pipe is on another machine. ssh to it and run
 * "dbg pipe-relay NAME" there, which joins the pipe to ssh's channel; the
 * account on HOST is the authentication (as a Windows login is for a
 * remote named pipe). $DBG_SSH overrides the ssh command (options, port),
 * $DBG_REMOTE_DBG the path of dbg on HOST. */
static int connect_over_ssh(const struct transport_spec *spec, char *err, size_t errlen)
{
    const char *remote = getenv("DBG_REMOTE_DBG");
    char remote_cmd[400];
    snprintf(remote_cmd, sizeof remote_cmd, "%s pipe-relay %s", remote && *remote ? remote : "dbg", spec->pipe);
    int sp[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) != 0) {
        snprintf(err, errlen, "socketpair: %s", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        close(sp[0]);
        close(sp[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(sp[1], STDIN_FILENO);
        dup2(sp[1], STDOUT_FILENO);
        /* $DBG_SSH may carry options: let the shell split it. */
        execl("/bin/sh", "sh", "-c", "exec ${DBG_SSH:-ssh} -T -o BatchMode=yes \"$0\" \"$1\"",
              spec->host, remote_cmd, (char *)NULL);
        _exit(127);
    }
    close(sp[1]);
    return sp[0];
}

int transport_client_connect(const struct transport_spec *spec, char *err, size_t errlen)
{
    if (!transport_client_check(spec, err, errlen))
        return -1;
    bool tls = spec->kind == TRANSPORT_SSL || spec->kind == TRANSPORT_SPIPE;
    struct tls_config tc;
    if (tls && !tls_config_client(&tc, spec, err, errlen))
        return -1;
    if (spec->kind == TRANSPORT_COM && spec->channel >= 0)
        return linemux_open(spec->device, spec->baud, spec->channel, err, errlen);
    if (spec->kind == TRANSPORT_COM)
        return serial_open(spec->device, spec->baud, err, errlen);
    if (spec->kind == TRANSPORT_NPIPE && (spec->given & TSPEC_SERVER))
        return connect_over_ssh(spec, err, errlen);
    bool pipe = spec->kind == TRANSPORT_NPIPE || spec->kind == TRANSPORT_SPIPE;
    int fd = pipe ? connect_npipe(spec, err, errlen) : connect_tcp(spec, err, errlen);
    if (fd < 0 || !tls) {
        if (tls)
            tls_config_free(&tc);
        return fd;
    }
    char info[256];
    fd = tls_wrap(&tc, fd, info, sizeof info, err, errlen);
    tls_config_free(&tc);
    return fd;
}
