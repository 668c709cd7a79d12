/* TLS for the ssl: and spipe: transports, through OpenSSL.
 *
 * After the handshake (run by the caller, so errors are reported where they
 * happen), a small relay process carries the bytes between the TLS
 * connection and a socketpair; the session or bridge uses the plain end like
 * any other connection. This keeps OpenSSL out of the session's event loop
 * (no buffered-record subtleties under poll) at the cost of one local hop. */
#ifndef DBGSRV_TRANSPORT_TLS_H
#define DBGSRV_TRANSPORT_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "transport_spec.h"

struct tls_config {
    void *ctx;                 /* SSL_CTX */
    bool server;
    char verify_host[256];     /* client: the name or address the certificate must carry */
    bool pin;                  /* client: fingerprint= given */
    uint8_t fingerprint[32];   /* SHA-256 of the server certificate (DER) */
};

/* Loads certificates and keys for SPEC. Server: cert= and key= required;
 * ca= makes client certificates mandatory. Client: ca= or fingerprint=
 * required (a server must be verified); cert=/key= offered when asked.
 * proto= pins the TLS version. Returns false with ERR. */
bool tls_config_server(struct tls_config *tc, const struct transport_spec *spec, char *err, size_t errlen);
bool tls_config_client(struct tls_config *tc, const struct transport_spec *spec, char *err, size_t errlen);

/* Runs the TLS handshake on NET_FD (closed in any case), then starts the
 * relay. Returns the plain fd, or -1 with ERR. INFO describes the session
 * ("TLSv1.3", plus the client certificate's subject if any). */
void tls_config_free(struct tls_config *tc);

/* Parses "SHA256:AB:CD:..." (colons and case free) into 32 bytes. */
bool tls_fingerprint_parse(const char *text, uint8_t out[32]);

int tls_wrap(struct tls_config *tc, int net_fd, char *info, size_t infolen, char *err, size_t errlen);

#endif
