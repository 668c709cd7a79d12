/* The client side of the transports: connect to where a transport string
 * says a server is (tcp:server=HOST,port=P; npipe:pipe=NAME on this machine). */
#ifndef DBGSRV_TRANSPORT_CLIENT_H
#define DBGSRV_TRANSPORT_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "transport_spec.h"

/* Checks that SPEC is something this client can connect to; false with ERR. */
bool transport_client_check(const struct transport_spec *spec, char *err, size_t errlen);

/* Connects; returns the fd, or -1 with a message in ERR. */
int transport_client_connect(const struct transport_spec *spec, char *err, size_t errlen);

#endif
