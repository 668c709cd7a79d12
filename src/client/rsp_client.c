#include "rsp_client.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "io.h"
#include "rsp/hex.h"

#define HANDSHAKE_TIMEOUT_MS 60000   /* a wrong password is answered slowly on purpose */

bool rsp_client_init(struct rsp_client *c, int fd)
{
    memset(c, 0, sizeof *c);
    c->fd = fd;
    if (!rsp_decoder_init(&c->decoder, RSP_PACKET_SIZE))
        return false;
    c->decoder.expand_rle = true;   /* replies may be run-length encoded */
    return true;
}

void rsp_client_free(struct rsp_client *c)
{
    rsp_decoder_free(&c->decoder);
}

bool rsp_client_send(struct rsp_client *c, const char *payload)
{
    size_t n = strlen(payload);
    char small[1024];
    size_t bound = rsp_frame_bound(n);
    char *frame = bound <= sizeof small ? small : malloc(bound);
    if (!frame)
        return false;
    size_t len = rsp_frame(frame, (const uint8_t *)payload, n, false);
    bool ok = io_write_all(c->fd, frame, len);
    if (frame != small)
        free(frame);
    return ok;
}

bool rsp_client_recv(struct rsp_client *c, const char **payload, size_t *len, int timeout_ms)
{
    for (;;) {
        while (c->pos < c->len) {
            struct rsp_event ev;
            c->pos += rsp_decoder_feed(&c->decoder, c->buf + c->pos, c->len - c->pos, &ev);
            if (ev.kind == RSP_EVENT_PACKET) {
                io_write_all(c->fd, "+", 1);
                *payload = ev.data;
                *len = ev.len;
                return true;
            }
            if (ev.kind == RSP_EVENT_BAD_CHECKSUM)
                io_write_all(c->fd, "-", 1);
        }
        struct pollfd p = {c->fd, POLLIN, 0};
        int r = poll(&p, 1, timeout_ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            c->eof = r < 0;
            return false;
        }
        ssize_t n = read(c->fd, c->buf, sizeof c->buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            c->eof = true;
            return false;
        }
        c->len = (size_t)n;
        c->pos = 0;
    }
}

static bool request(struct rsp_client *c, const char *payload, const char **reply, size_t *len,
                    char *err, size_t errlen)
{
    if (!rsp_client_send(c, payload) || !rsp_client_recv(c, reply, len, HANDSHAKE_TIMEOUT_MS)) {
        snprintf(err, errlen, "the server closed the connection during the handshake");
        return false;
    }
    if ((*reply)[0] == 'E' && (*reply)[1] == '.') {
        snprintf(err, errlen, "%s", *reply + 2);
        return false;
    }
    return true;
}

bool rsp_client_handshake(struct rsp_client *c, const char *password, unsigned major, unsigned minor,
                          char *err, size_t errlen)
{
    char msg[256];
    snprintf(msg, sizeof msg, "qDbgsrvHello:%u.%u", major, minor);
    const char *reply;
    size_t len;
    if (!request(c, msg, &reply, &len, err, errlen))
        return false;
    unsigned smaj, smin;
    char auth[32] = "", nonce_hex[2 * AUTH_NONCE_SIZE + 1] = "";
    if (sscanf(reply, "DbgsrvHello:%u.%u;auth=%31[^;];nonce=%64s", &smaj, &smin, auth, nonce_hex) < 3) {
        snprintf(err, errlen, "the server did not answer the handshake (is it a dbgsrv process server?)");
        return false;
    }
    if (smaj != major) {
        auth_version_mismatch(err, errlen, major, minor, smaj, smin);
        return false;
    }
    if (strcmp(auth, "none") == 0)
        return true;
    uint8_t snonce[AUTH_NONCE_SIZE], cnonce[AUTH_NONCE_SIZE], mac[AUTH_MAC_SIZE];
    if (strcmp(auth, "hmac-sha256") != 0 || strlen(nonce_hex) != 2 * AUTH_NONCE_SIZE ||
        !hex_decode(snonce, nonce_hex, AUTH_NONCE_SIZE)) {
        snprintf(err, errlen, "the server asks for an authentication this dbg does not know ('%s')", auth);
        return false;
    }
    if (!password) {
        snprintf(err, errlen, "the server requires a password: add password-file=FILE (or password=...) "
                 "to the transport");
        return false;
    }
    if (!auth_random(cnonce, sizeof cnonce) || !auth_mac(password, "client", snonce, cnonce, mac)) {
        snprintf(err, errlen, "cannot compute the authentication");
        return false;
    }
    char out[16 + 4 * AUTH_NONCE_SIZE + 4];
    size_t o = (size_t)snprintf(out, sizeof out, "qDbgsrvAuth:");
    hex_encode(out + o, cnonce, AUTH_NONCE_SIZE);
    o += 2 * AUTH_NONCE_SIZE;
    out[o++] = ';';
    hex_encode(out + o, mac, AUTH_MAC_SIZE);
    o += 2 * AUTH_MAC_SIZE;
    out[o] = '\0';
    if (!request(c, out, &reply, &len, err, errlen))
        return false;
    uint8_t smac[AUTH_MAC_SIZE], expect[AUTH_MAC_SIZE];
    if (len != 3 + 2 * AUTH_MAC_SIZE || strncmp(reply, "OK;", 3) != 0 ||
        !hex_decode(smac, reply + 3, AUTH_MAC_SIZE) || !auth_mac(password, "server", snonce, cnonce, expect) ||
        !auth_mac_equal(smac, expect)) {
        snprintf(err, errlen, "the server could not prove it knows the password: not connecting");
        return false;
    }
    return true;
}
