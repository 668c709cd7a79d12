#include "search_responder.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "registry.h"
#include "search_protocol.h"

#define MAX_ENTRIES 64

static int udp_socket(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    int one = 1, zero = 0;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
    /* Only the groups this socket joined, not every group of the host. */
    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, &zero, sizeof zero);
    return fd;
}

static int bind_udp(int fd, struct in_addr addr)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(SEARCH_PORT), .sin_addr = addr};
    return bind(fd, (struct sockaddr *)&sa, sizeof sa);
}

/* Joins the search group on the interfaces that can carry it: every
 * multicast-capable one for a wildcard server, else the one holding ONLY. */
static int join_group(int fd, const struct in_addr *only)
{
    struct ifaddrs *ifs;
    if (getifaddrs(&ifs) != 0)
        return 0;
    int joined = 0;
    for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || !(i->ifa_flags & IFF_UP) ||
            !(i->ifa_flags & IFF_MULTICAST) || (i->ifa_flags & IFF_LOOPBACK))
            continue;
        struct in_addr a = ((struct sockaddr_in *)i->ifa_addr)->sin_addr;
        if (only && a.s_addr != only->s_addr)
            continue;
        struct ip_mreqn m = {.imr_ifindex = (int)if_nametoindex(i->ifa_name)};
        inet_pton(AF_INET, SEARCH_GROUP, &m.imr_multiaddr);
        if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m) == 0)
            joined++;
    }
    freeifaddrs(ifs);
    return joined;
}

void search_responder_open(struct search_responder *r, const char *reach)
{
    r->fd[0] = r->fd[1] = -1;
    struct in_addr a4;
    struct in6_addr a6;
    bool local = strcmp(reach, "local") == 0, wildcard = false, specific = false;
    if (inet_pton(AF_INET, reach, &a4) == 1) {
        wildcard = a4.s_addr == htonl(INADDR_ANY);
        local = (ntohl(a4.s_addr) >> 24) == 127;
        specific = !wildcard && !local;
    } else if (inet_pton(AF_INET6, reach, &a6) == 1) {
        wildcard = IN6_IS_ADDR_UNSPECIFIED(&a6);
        local = IN6_IS_ADDR_LOOPBACK(&a6);
        if (!wildcard && !local) {
            log_info("searches are answered over IPv4 only: a server on %s is not listed", reach);
            return;
        }
    }
    struct in_addr unicast = {htonl(local ? INADDR_LOOPBACK : INADDR_ANY)};
    if (specific)
        unicast = a4;
    r->fd[0] = udp_socket();
    if (r->fd[0] < 0 || bind_udp(r->fd[0], unicast) != 0) {
        /* Another user's server holds the port: searches reach that one. */
        log_info("not answering searches (UDP port %d: %s)", SEARCH_PORT, strerror(errno));
        search_responder_close(r);
        return;
    }
    if (local)
        return;
    struct in_addr group;
    inet_pton(AF_INET, SEARCH_GROUP, &group);
    r->fd[1] = udp_socket();
    if (r->fd[1] < 0 || bind_udp(r->fd[1], group) != 0 || join_group(r->fd[1], specific ? &a4 : NULL) == 0) {
        log_info("not answering network-wide searches (no multicast-capable interface)");
        if (r->fd[1] >= 0)
            close(r->fd[1]);
        r->fd[1] = -1;
    }
}

void search_responder_close(struct search_responder *r)
{
    for (int i = 0; i < 2; i++) {
        if (r->fd[i] >= 0)
            close(r->fd[i]);
        r->fd[i] = -1;
    }
}

/* Is interface IFINDEX the loopback, and does it hold ADDR? */
static void interface_facts(int ifindex, const char *addr, bool *loopback, bool *holds)
{
    *loopback = *holds = false;
    struct ifaddrs *ifs;
    if (getifaddrs(&ifs) != 0)
        return;
    char text[INET6_ADDRSTRLEN];
    for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
        if (!i->ifa_addr || (int)if_nametoindex(i->ifa_name) != ifindex)
            continue;
        if (i->ifa_flags & IFF_LOOPBACK)
            *loopback = true;
        int fam = i->ifa_addr->sa_family;
        if (addr && (fam == AF_INET || fam == AF_INET6)) {
            const void *a = fam == AF_INET ? (const void *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr
                                           : (const void *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
            if (inet_ntop(fam, a, text, sizeof text) && strcmp(text, addr) == 0)
                *holds = true;
        }
    }
    freeifaddrs(ifs);
}

/* Can a client that reached us through interface IFINDEX reach a server
 * listening on REACH? */
static bool reachable(const char *reach, int ifindex)
{
    bool loopback, holds;
    if (strcmp(reach, "local") == 0 || strcmp(reach, "127.0.0.1") == 0 || strcmp(reach, "::1") == 0 ||
        strncmp(reach, "127.", 4) == 0) {
        interface_facts(ifindex, NULL, &loopback, &holds);
        return loopback;
    }
    if (strcmp(reach, "0.0.0.0") == 0 || strcmp(reach, "::") == 0)
        return true;
    interface_facts(ifindex, reach, &loopback, &holds);
    return holds;
}

void search_responder_answer(const struct search_responder *r, int fd)
{
    (void)r;
    char buf[256], cbuf[CMSG_SPACE(sizeof(struct in_pktinfo))];
    struct sockaddr_in from;
    struct iovec iov = {buf, sizeof buf};
    struct msghdr msg = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1,
                         .msg_control = cbuf, .msg_controllen = sizeof cbuf};
    ssize_t n = recvmsg(fd, &msg, 0);
    char nonce[SEARCH_NONCE_LEN + 1];
    if (n <= 0 || !search_query_parse(buf, (size_t)n, nonce))
        return;
    int ifindex = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO)
            ifindex = ((struct in_pktinfo *)CMSG_DATA(c))->ipi_ifindex;
    char host[128] = "unknown";
    gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = '\0';
    for (char *p = host; *p; p++)
        if (*p == ' ' || (unsigned char)*p < 0x20)
            *p = '_';
    static char reply[SEARCH_MAX_DATAGRAM];
    size_t used = search_reply_begin(reply, sizeof reply, nonce, host), listed = 0;
    char dirs[1][160];
    static struct registry_entry entries[MAX_ENTRIES];
    size_t count = registry_dirs(dirs, 1) ? registry_read(dirs[0], entries, MAX_ENTRIES) : 0;
    for (size_t i = 0; i < count; i++) {
        if (!reachable(entries[i].reach, ifindex))
            continue;
        size_t grown = search_reply_add(reply, sizeof reply, used, entries[i].transport, entries[i].stale);
        listed += grown != used;
        used = grown;
    }
    if (!used || !listed)
        return;   /* nothing the asker can reach: stay silent */
    /* Answer from the interface the query came in on. */
    char ocbuf[CMSG_SPACE(sizeof(struct in_pktinfo))] = {0};
    struct iovec oiov = {reply, used};
    struct msghdr out = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &oiov, .msg_iovlen = 1,
                         .msg_control = ocbuf, .msg_controllen = sizeof ocbuf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&out);
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
    ((struct in_pktinfo *)CMSG_DATA(c))->ipi_ifindex = ifindex;
    if (sendmsg(fd, &out, 0) < 0)
        log_debug("search reply to %s: %s", inet_ntoa(from.sin_addr), strerror(errno));
    else
        log_debug("answered a search from %s (%zu server(s))", inet_ntoa(from.sin_addr), listed);
}
