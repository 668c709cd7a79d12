#include "search.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "registry.h"
#include "search_protocol.h"

#define MAX_SERVERS 64
#define MAX_HOSTS 64

/* One host that answered. */
struct answer {
    struct in_addr from;
    char host[128];
    struct search_server servers[MAX_SERVERS];
    size_t count;
};

static void print_server(const char *transport, bool stale)
{
    printf("Remote Process Server - %s%s\n", transport, stale ? " (stale: its server is gone)" : "");
}

static int search_this_machine(void)
{
    char host[128] = "localhost";
    gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = '\0';
    printf("Servers on %s:\n", host);
    char dirs[2][160];
    size_t ndirs = registry_dirs(dirs, 2), shown = 0;
    static struct registry_entry entries[MAX_SERVERS];
    pid_t seen[2 * MAX_SERVERS];
    size_t nseen = 0;
    for (size_t d = 0; d < ndirs; d++) {
        size_t n = registry_read(dirs[d], entries, MAX_SERVERS);
        for (size_t i = 0; i < n; i++) {
            bool dup = false;
            for (size_t j = 0; j < nseen; j++)
                dup |= seen[j] == entries[i].pid;
            if (dup)
                continue;   /* the same directory reached twice */
            seen[nseen++] = entries[i].pid;
            print_server(entries[i].transport, entries[i].stale);
            shown++;
        }
    }
    if (!shown)
        printf("(none)\n");
    return 0;
}

static void make_nonce(char *nonce)
{
    unsigned char r[SEARCH_NONCE_LEN / 2];
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
        unsigned long t = (unsigned long)time(NULL) ^ (unsigned long)getpid() * 2654435761ul;
        memcpy(r, &t, sizeof r < sizeof t ? sizeof r : sizeof t);
    }
    for (size_t i = 0; i < sizeof r; i++)
        sprintf(nonce + 2 * i, "%02x", r[i]);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Collects replies to NONCE on FD for WAIT_MS, calling RESEND (if any) to
 * repeat the query at intervals: datagrams get lost. Stops early after the
 * first answer when FIRST_ONLY. */
static size_t collect(int fd, const char *nonce, long wait_ms, bool first_only, void (*resend)(void *), void *arg,
                      struct answer *answers, size_t max)
{
    size_t n = 0;
    long long deadline = now_ms() + wait_ms, next_send = now_ms() + wait_ms / 3;
    static char buf[SEARCH_MAX_DATAGRAM + 1];
    for (;;) {
        long long now = now_ms();
        if (now >= deadline)
            break;
        if (resend && now >= next_send) {
            resend(arg);
            next_send = now + wait_ms / 3;
        }
        long long until = next_send < deadline ? next_send : deadline;
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, (int)(until - now > 0 ? until - now : 0)) <= 0)
            continue;
        struct sockaddr_in from;
        socklen_t fl = sizeof from;
        ssize_t got = recvfrom(fd, buf, SEARCH_MAX_DATAGRAM, 0, (struct sockaddr *)&from, &fl);
        if (got <= 0)
            continue;
        struct answer a = {.from = from.sin_addr};
        if (!search_reply_parse(buf, (size_t)got, nonce, a.host, sizeof a.host, a.servers, MAX_SERVERS, &a.count))
            continue;
        /* Several servers of one host may each answer a multicast query
         * with the same list: merge by host. */
        size_t h = 0;
        while (h < n && answers[h].from.s_addr != a.from.s_addr)
            h++;
        if (h == n) {
            if (n == max)
                continue;
            answers[n] = a;
            answers[n].count = 0;
            n++;
        }
        for (size_t i = 0; i < a.count; i++) {
            bool dup = false;
            for (size_t j = 0; j < answers[h].count; j++)
                dup |= strcmp(answers[h].servers[j].transport, a.servers[i].transport) == 0;
            if (!dup && answers[h].count < MAX_SERVERS)
                answers[h].servers[answers[h].count++] = a.servers[i];
        }
        if (first_only)
            break;
    }
    return n;
}

struct unicast {
    int fd;
    struct sockaddr_in to;
    char query[64];
    size_t len;
};

static void send_unicast(void *arg)
{
    struct unicast *u = arg;
    sendto(u->fd, u->query, u->len, 0, (struct sockaddr *)&u->to, sizeof u->to);
}

static int search_host(const char *host, long wait_ms)
{
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_DGRAM}, *res;
    int rc = getaddrinfo(host, NULL, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "dbg: cannot resolve '%s' (an IPv4 name or address): %s\n", host, gai_strerror(rc));
        return 2;
    }
    struct unicast u = {.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
    u.to = *(struct sockaddr_in *)res->ai_addr;
    u.to.sin_port = htons(SEARCH_PORT);
    freeaddrinfo(res);
    char nonce[SEARCH_NONCE_LEN + 1];
    make_nonce(nonce);
    u.len = search_query_format(u.query, sizeof u.query, nonce);
    if (u.fd < 0) {
        fprintf(stderr, "dbg: socket: %s\n", strerror(errno));
        return 1;
    }
    send_unicast(&u);
    static struct answer answers[1];
    size_t n = collect(u.fd, nonce, wait_ms, true, send_unicast, &u, answers, 1);
    close(u.fd);
    printf("Servers on %s:\n", host);
    if (!n) {
        printf("(no answer: no visible process server there, or UDP port %d is blocked)\n", SEARCH_PORT);
        return 1;
    }
    for (size_t i = 0; i < answers[0].count; i++)
        print_server(answers[0].servers[i].transport, answers[0].servers[i].stale);
    return 0;
}

struct multicast {
    int fd;
    char query[64];
    size_t len;
    int sent_on;     /* interfaces the last round reached */
};

/* Sends the query on every interface that carries multicast: a host with
 * no default route still reaches its local networks. */
static void send_multicast(void *arg)
{
    struct multicast *m = arg;
    struct ifaddrs *ifs;
    m->sent_on = 0;
    if (getifaddrs(&ifs) != 0)
        return;
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(SEARCH_PORT)};
    inet_pton(AF_INET, SEARCH_GROUP, &to.sin_addr);
    for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || !(i->ifa_flags & IFF_UP) ||
            !(i->ifa_flags & IFF_MULTICAST) || (i->ifa_flags & IFF_LOOPBACK))
            continue;
        struct ip_mreqn via = {.imr_address = ((struct sockaddr_in *)i->ifa_addr)->sin_addr,
                               .imr_ifindex = (int)if_nametoindex(i->ifa_name)};
        if (setsockopt(m->fd, IPPROTO_IP, IP_MULTICAST_IF, &via, sizeof via) == 0 &&
            sendto(m->fd, m->query, m->len, 0, (struct sockaddr *)&to, sizeof to) >= 0)
            m->sent_on++;
    }
    freeifaddrs(ifs);
}

static int by_address(const void *a, const void *b)
{
    uint32_t x = ntohl(((const struct answer *)a)->from.s_addr), y = ntohl(((const struct answer *)b)->from.s_addr);
    return (x > y) - (x < y);
}

static int search_lan(long wait_ms)
{
    struct multicast m = {.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
    if (m.fd < 0) {
        fprintf(stderr, "dbg: socket: %s\n", strerror(errno));
        return 1;
    }
    int ttl = 1;   /* this network only */
    setsockopt(m.fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl);
    char nonce[SEARCH_NONCE_LEN + 1];
    make_nonce(nonce);
    m.len = search_query_format(m.query, sizeof m.query, nonce);
    send_multicast(&m);
    if (!m.sent_on) {
        fprintf(stderr, "dbg: no network interface here carries multicast: nothing to search\n");
        close(m.fd);
        return 1;
    }
    static struct answer answers[MAX_HOSTS];
    size_t n = collect(m.fd, nonce, wait_ms, false, send_multicast, &m, answers, MAX_HOSTS);
    close(m.fd);
    if (!n) {
        printf("No process server answered on the local network.\n");
        return 1;
    }
    qsort(answers, n, sizeof answers[0], by_address);
    for (size_t h = 0; h < n; h++) {
        printf("%sServers on %s (%s):\n", h ? "\n" : "", answers[h].host, inet_ntoa(answers[h].from));
        for (size_t i = 0; i < answers[h].count; i++)
            print_server(answers[h].servers[i].transport, answers[h].servers[i].stale);
    }
    return 0;
}

int search_main(int argc, char **argv)
{
    const char *host = NULL;
    bool lan = false;
    long wait_ms = 1500;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--lan") == 0) {
            lan = true;
        } else if (strcmp(argv[i], "--wait") == 0 && i + 1 < argc) {
            char *end;
            double s = strtod(argv[++i], &end);
            if (*end || !(s > 0 && s <= 60)) {
                fprintf(stderr, "dbg: --wait takes seconds, more than 0 and at most 60\n");
                return 2;
            }
            wait_ms = (long)(s * 1000);
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "dbg: -QR: unknown option '%s'\nTry 'dbg --help'.\n", argv[i]);
            return 2;
        } else if (!host) {
            host = argv[i];
            while (*host == '\\')
                host++;   /* DbgSrv's \\HOST */
            if (!*host) {
                fprintf(stderr, "dbg: -QR: empty host name\n");
                return 2;
            }
        } else {
            fprintf(stderr, "dbg: -QR takes one host\nTry 'dbg --help'.\n");
            return 2;
        }
    }
    if (lan && host) {
        fprintf(stderr, "dbg: -QR: either a HOST or --lan\n");
        return 2;
    }
    if (lan)
        return search_lan(wait_ms);
    if (host)
        return search_host(host, wait_ms);
    return search_this_machine();
}
