/* TCP listening sockets for the server side of the tcp transport. */
#ifndef DBGSRV_TRANSPORT_TCP_H
#define DBGSRV_TRANSPORT_TCP_H

#include <stddef.h>

#include "transport_spec.h"

/* Creates a listening socket as SPEC says (loopback by default). On success
 * returns the fd and stores the bound port in SPEC->port (useful for port=0).
 * On failure returns -1 with a message in ERR. */
int tcp_listen(struct transport_spec *spec, char *err, size_t errlen);

/* Accepts a connection, sets TCP_NODELAY and SO_KEEPALIVE (interactive
 * debugging is latency-bound), and describes the peer as "ADDR:PORT".
 * Returns the fd or -1. */
int tcp_accept(int listen_fd, char *peer, size_t peerlen);

#endif
