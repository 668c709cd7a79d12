/* Reaching a process server: connect over the transport, then the dbg
 * handshake (protocol version, password). Shared by the bridge and the
 * smart client. */
#ifndef DBG_SERVER_CONNECTION_H
#define DBG_SERVER_CONNECTION_H

#include "transport_spec.h"

/* Returns the connected fd, ready for RSP, or -1 after telling the user
 * why on stderr. PASSWORD is NULL if none was given. */
int server_connect(const struct transport_spec *spec, const char *password, unsigned major, unsigned minor);

#endif
