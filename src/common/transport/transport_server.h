/* The server side of every transport behind one interface: open from a
 * transport string, accept connections, close. The listener only sees this. */
#ifndef DBGSRV_TRANSPORT_SERVER_H
#define DBGSRV_TRANSPORT_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "transport/tls.h"
#include "transport/unix_socket.h"
#include "transport_spec.h"

struct transport_server {
    struct transport_spec spec;   /* as bound: the actual port, the pipe path */
    int fd;                       /* listening fd, to poll for connections */
    struct npipe_server npipe;
    bool tls;                     /* ssl: and spipe: */
    struct tls_config tls_config;
    char description[300];        /* for "Listening on ..." and logs */
};

/* Checks that this version of the server can serve SPEC (no feature parsed
 * and then ignored). On failure returns false with ERR. */
bool transport_server_check(const struct transport_spec *spec, char *err, size_t errlen);

/* Opens the server side of SPEC (checked with transport_server_check). INSECURE allows a TCP address that is not
 * loopback without password or TLS. On failure returns false with ERR. */
bool transport_server_open(struct transport_server *ts, const struct transport_spec *spec, bool insecure,
                           char *err, size_t errlen);

/* Accepts one connection: returns its fd; -1 on error (errno); -2 when the
 * peer was refused (already closed). PEER describes the peer either way. */
int transport_server_accept(struct transport_server *ts, char *peer, size_t peerlen);

/* Makes an accepted connection ready for a session: for TLS transports runs
 * the handshake and returns the plain fd (INFO says how it is secured);
 * otherwise returns FD as it is. -1 with ERR if the handshake failed. */
int transport_server_secure(struct transport_server *ts, int fd, char *info, size_t infolen,
                            char *err, size_t errlen);

void transport_server_close(struct transport_server *ts);
/* In a forked child (a session): closes what it inherited, touching nothing
 * the server still uses (the pipe's socket file and lock stay). */
void transport_server_close_inherited(struct transport_server *ts);

#endif
