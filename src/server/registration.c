#include "registration.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "transport/transport_server.h"

/* The address the listening socket is bound to, as text. */
static void bound_address(int fd, char *out, size_t len)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    snprintf(out, len, "127.0.0.1");
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
        return;
    if (ss.ss_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, out, (socklen_t)len);
    else if (ss.ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, out, (socklen_t)len);
}

void registration_entry(const struct transport_server *ts, struct registry_entry *e)
{
    const struct transport_spec *s = &ts->spec;
    memset(e, 0, sizeof *e);
    e->pid = getpid();
    const char *kind = transport_kind_name(s->kind);
    char proto[32] = "";
    if (s->proto[0])
        snprintf(proto, sizeof proto, "proto=%s,", s->proto);
    switch (s->kind) {
    case TRANSPORT_TCP:
    case TRANSPORT_SSL:
        /* A range shows the port in use first: "port=53:60". */
        if (s->port_range)
            snprintf(e->transport, sizeof e->transport, "%s:%sport=%u:%u", kind, proto, s->port, s->port_last);
        else
            snprintf(e->transport, sizeof e->transport, "%s:%sport=%u", kind, proto, s->port);
        bound_address(ts->fd, e->reach, sizeof e->reach);
        break;
    default:
        snprintf(e->transport, sizeof e->transport, "%s:%spipe=%s", kind, proto, s->pipe);
        snprintf(e->reach, sizeof e->reach, "local");
        break;
    }
}

void registration_add(struct registry_handle *h, const struct transport_spec *spec, const struct registry_entry *e)
{
    h->fd = -1;
    if (spec->hidden) {
        log_debug("hidden: not registered for searches");
        return;
    }
    char err[256];
    if (registry_add(h, e, err, sizeof err))
        log_debug("registered for searches: %s (%s)", e->transport, h->path);
    else
        log_warn("searches will not list this server: %s", err);
}
