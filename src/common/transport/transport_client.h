/* The client side of the transports: connect to where a transport string
 * says a server is (tcp:server=HOST,port=P; npipe:pipe=NAME on this machine). */
#ifndef DBGSRV_TRANSPORT_CLIENT_H
#define DBGSRV_TRANSPORT_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "transport_spec.h"

/* Checks that SPEC is something this client can connect to; false with ERR. */
bool transport_client_check(const struct transport_spec *spec, char *err, size_t errlen);

/* transport_client_check, and for TLS also loads the files it names, so
 * that a bad ca=, cert= or key= is reported at once. */
bool transport_client_prepare(const struct transport_spec *spec, char *err, size_t errlen);

/* Connects to HOST:PORT over TCP (IPVERSION 0, 4 or 6) with TCP_NODELAY;
 * returns the fd or -1 with ERR. */
int transport_dial(const char *host, unsigned port, int ipversion, char *err, size_t errlen);

/* Connects; returns the fd, or -1 with a message in ERR. With clicon= it
 * is the server that connects: this listens on the port and accepts the
 * connection of the named server only. */
int transport_client_connect(const struct transport_spec *spec, char *err, size_t errlen);

#endif
