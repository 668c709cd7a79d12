/* The handshake between dbg and dbgsrv: protocol version, then (if the
 * server has a password) challenge-response authentication.
 *
 * It runs as ordinary RSP packets before anything else on the connection:
 *   dbg    -> qDbgsrvHello:MAJOR.MINOR
 *   dbgsrv <- DbgsrvHello:MAJOR.MINOR;auth=none
 *           | DbgsrvHello:MAJOR.MINOR;auth=hmac-sha256;nonce=SNONCE
 *           | E.The client is not using the same version ... (major differs)
 *   dbg    -> qDbgsrvAuth:CNONCE;MAC     MAC = HMAC-SHA256(password,
 *                                              "client" SNONCE CNONCE)
 *   dbgsrv <- OK;SMAC                    SMAC = HMAC-SHA256(password,
 *           | E.password rejected               "server" SNONCE CNONCE)
 * Both nonces are 32 fresh random bytes, so the password never crosses the
 * wire and a recorded exchange cannot be replayed; SMAC lets the client
 * check that the server knows the password too. Stock gdb and lldb skip the
 * handshake: they are served only by a server without a password. */
#ifndef DBGSRV_AUTH_H
#define DBGSRV_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUTH_PROTOCOL_MAJOR 1
#define AUTH_PROTOCOL_MINOR 0
#define AUTH_NONCE_SIZE 32
#define AUTH_MAC_SIZE 32
#define AUTH_PASSWORD_MAX 1024

struct transport_spec;

/* The password of SPEC: password= itself, or the first line of
 * password-file=. Returns false with ERR if the file cannot be read or the
 * password is empty or not printable. *HAVE is false if SPEC has none. */
bool auth_load_password(const struct transport_spec *spec, char *out, size_t outlen, bool *have,
                        char *err, size_t errlen);

/* Fresh random bytes from OpenSSL's generator. */
bool auth_random(uint8_t *out, size_t n);

/* MAC for ROLE ("client" or "server") over the two nonces. */
bool auth_mac(const char *password, const char *role, const uint8_t snonce[AUTH_NONCE_SIZE],
              const uint8_t cnonce[AUTH_NONCE_SIZE], uint8_t mac[AUTH_MAC_SIZE]);

/* Constant-time comparison of two MACs. */
bool auth_mac_equal(const uint8_t a[AUTH_MAC_SIZE], const uint8_t b[AUTH_MAC_SIZE]);

/* Parses "MAJOR.MINOR". */
bool auth_parse_version(const char *text, unsigned *major, unsigned *minor);

/* The message for a major-version mismatch. */
void auth_version_mismatch(char *out, size_t len, unsigned cmaj, unsigned cmin, unsigned smaj, unsigned smin);

#endif
