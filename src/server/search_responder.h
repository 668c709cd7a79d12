/* Answers searches for process servers (search_protocol.h) on UDP port 2159:
 * unicast queries on the address the server listens on, and for servers
 * reachable from the network also the multicast group on their interfaces
 * (dbg -QR --lan). The answer lists the machine's registered servers that
 * the asker can reach through the interface the query came in on, so a
 * loopback-only server is never shown to the network. Hidden servers do not
 * answer at all. Several servers share the port (SO_REUSEPORT): whichever
 * gets a unicast query answers for all of them from the registry. */
#ifndef DBGSRV_SEARCH_RESPONDER_H
#define DBGSRV_SEARCH_RESPONDER_H

#include <stdbool.h>
#include <stddef.h>

struct search_responder {
    int fd[2];     /* unicast, multicast; -1 when not open */
};

/* Opens the sockets for a server listening on REACH (its registry entry's
 * reach: an address or "local"). Failures are logged: the server runs on,
 * unlisted. */
void search_responder_open(struct search_responder *r, const char *reach);

/* Reads one datagram from FD (one of r->fd) and answers it if it is a query. */
void search_responder_answer(const struct search_responder *r, int fd);

/* Closes the sockets (also what a forked session does with them). */
void search_responder_close(struct search_responder *r);

#endif
