/* The search for process servers (dbg -QR) on the wire: one UDP datagram
 * asks, each host's servers answer with one datagram listing those of the
 * machine's registered servers that the asker can reach.
 *
 *   query:  "DBGSRV-SEARCH 1 NONCE\n"
 *   reply:  "DBGSRV-SERVERS 1 NONCE HOSTNAME\n" then per server
 *           "TRANSPORT\tSTATE\n"   (STATE: "running" or "stale")
 *
 * NONCE (16 hex digits) ties replies to the query. A query is answered only
 * when it is well formed, so stray datagrams on the port get nothing. */
#ifndef DBGSRV_SEARCH_PROTOCOL_H
#define DBGSRV_SEARCH_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>

#define SEARCH_PORT 2159                  /* the servers' own default port, over UDP */
#define SEARCH_GROUP "239.255.21.59"      /* organization-local multicast, for --lan */
#define SEARCH_NONCE_LEN 16
#define SEARCH_MAX_DATAGRAM 8192

struct search_server {
    char transport[160];
    bool stale;
};

/* Writes the query for NONCE into OUT; returns its length (0: no room). */
size_t search_query_format(char *out, size_t len, const char *nonce);

/* Parses a query; on success NONCE (SEARCH_NONCE_LEN + 1 bytes) gets its nonce. */
bool search_query_parse(const char *buf, size_t n, char *nonce);

/* Starts a reply in OUT; returns its length (0: no room). */
size_t search_reply_begin(char *out, size_t len, const char *nonce, const char *hostname);

/* Appends one server to the reply of length USED; returns the new length,
 * or USED unchanged when it does not fit. */
size_t search_reply_add(char *out, size_t len, size_t used, const char *transport, bool stale);

/* Parses a reply to the query with NONCE: HOST gets the hostname, OUT up to
 * MAX servers, *COUNT how many. False if it is not such a reply. */
bool search_reply_parse(const char *buf, size_t n, const char *nonce, char *host, size_t hostlen,
                        struct search_server *out, size_t max, size_t *count);

#endif
