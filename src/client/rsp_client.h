/* A minimal RSP client: send a packet, read a reply, and the dbg <-> dbgsrv
 * handshake (version, password). Used by the bridge. */
#ifndef DBG_RSP_CLIENT_H
#define DBG_RSP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rsp/packet.h"

struct rsp_client {
    int fd;
    struct rsp_decoder decoder;
    uint8_t buf[4096];
    size_t len, pos;          /* bytes read from fd not yet decoded */
    bool eof;                 /* the connection closed or failed (not a time-out) */
};

bool rsp_client_init(struct rsp_client *c, int fd);
void rsp_client_free(struct rsp_client *c);
bool rsp_client_send(struct rsp_client *c, const char *payload);
/* Reads the next packet (acknowledging it); false on EOF, error (both set
 * eof) or timeout.
 * The payload is valid until the next call. */
bool rsp_client_recv(struct rsp_client *c, const char **payload, size_t *len, int timeout_ms);

/* Version check and, if the server asks, authentication with PASSWORD (NULL
 * if none was given). On failure returns false with a message for the user. */
bool rsp_client_handshake(struct rsp_client *c, const char *password, unsigned major, unsigned minor,
                          char *err, size_t errlen);

#endif
