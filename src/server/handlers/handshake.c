/* The dbg <-> dbgsrv handshake: version check and password authentication
 * (see common/auth.h for the exchange). */
#include <string.h>
#include <time.h>

#include "auth.h"
#include "handlers/handlers.h"
#include "log.h"
#include "rsp/hex.h"
#include "session.h"

HANDLER(handle_hello)
{
    (void)len;
    unsigned major, minor;
    if (!auth_parse_version(args, &major, &minor)) {
        reply_error(s, "malformed hello");
        return;
    }
    if (major != AUTH_PROTOCOL_MAJOR) {
        char msg[200];
        auth_version_mismatch(msg, sizeof msg, major, minor, AUTH_PROTOCOL_MAJOR, AUTH_PROTOCOL_MINOR);
        log_warn("client %s: %s", s->peer, msg);
        reply_error(s, "%s", msg);
        s->ending = true;
        return;
    }
    reply_printf(s, "DbgsrvHello:%u.%u;auth=", AUTH_PROTOCOL_MAJOR, AUTH_PROTOCOL_MINOR);
    if (!s->config.password) {
        reply_str(s, "none");
        return;
    }
    if (!auth_random(s->server_nonce, AUTH_NONCE_SIZE)) {
        reply_error(s, "no random numbers available");
        s->ending = true;
        return;
    }
    s->nonce_sent = true;
    reply_str(s, "hmac-sha256;nonce=");
    reply_hex(s, s->server_nonce, AUTH_NONCE_SIZE);
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* qDbgsrvAuth:CNONCE;MAC */
HANDLER(handle_auth)
{
    uint8_t cnonce[AUTH_NONCE_SIZE], mac[AUTH_MAC_SIZE], expect[AUTH_MAC_SIZE];
    bool ok = s->config.password && s->nonce_sent && !s->authenticated &&
              len == 2 * AUTH_NONCE_SIZE + 1 + 2 * AUTH_MAC_SIZE && args[2 * AUTH_NONCE_SIZE] == ';' &&
              hex_decode(cnonce, args, AUTH_NONCE_SIZE) &&
              hex_decode(mac, args + 2 * AUTH_NONCE_SIZE + 1, AUTH_MAC_SIZE) &&
              auth_mac(s->config.password, "client", s->server_nonce, cnonce, expect) &&
              auth_mac_equal(mac, expect);
    s->nonce_sent = false;   /* one try per nonce */
    if (!ok) {
        /* Every failure costs the peer time; repeated ones from the same
         * peer cost more (the listener sets auth_delay_ms). */
        sleep_ms(1000 + s->config.auth_delay_ms);
        log_warn("password rejected for %s", s->peer);
        reply_error(s, "password rejected");
        s->auth_failed = true;
        s->ending = true;
        return;
    }
    uint8_t smac[AUTH_MAC_SIZE];
    auth_mac(s->config.password, "server", s->server_nonce, cnonce, smac);
    s->authenticated = true;
    log_info("authenticated by password");
    reply_str(s, "OK;");
    reply_hex(s, smac, AUTH_MAC_SIZE);
}
