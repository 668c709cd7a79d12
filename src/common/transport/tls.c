#include "transport/tls.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "io.h"
#include "rsp/hex.h"

#define HANDSHAKE_TIMEOUT_S 30

static void ssl_error(char *err, size_t errlen, const char *what)
{
    unsigned long e = ERR_get_error();
    char buf[256] = "";
    if (e)
        ERR_error_string_n(e, buf, sizeof buf);
    snprintf(err, errlen, "%s%s%s", what, e ? ": " : "", buf);
    ERR_clear_error();
}

static bool set_proto(SSL_CTX *ctx, const struct transport_spec *spec, char *err, size_t errlen)
{
    int version = TLS1_2_VERSION;
    if (strcmp(spec->proto, "tls1.3") == 0)
        version = TLS1_3_VERSION;
    if (!SSL_CTX_set_min_proto_version(ctx, version) ||
        (spec->proto[0] && !SSL_CTX_set_max_proto_version(ctx, version))) {
        ssl_error(err, errlen, "cannot set the TLS version");
        return false;
    }
    return true;
}

static bool load_identity(SSL_CTX *ctx, const struct transport_spec *spec, char *err, size_t errlen)
{
    if (SSL_CTX_use_certificate_chain_file(ctx, spec->cert) != 1) {
        char what[320];
        snprintf(what, sizeof what, "cannot load certificate '%s'", spec->cert);
        ssl_error(err, errlen, what);
        return false;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, spec->key, SSL_FILETYPE_PEM) != 1 || !SSL_CTX_check_private_key(ctx)) {
        char what[320];
        snprintf(what, sizeof what, "cannot load key '%s' (or it does not match the certificate)", spec->key);
        ssl_error(err, errlen, what);
        return false;
    }
    return true;
}

static bool load_ca(SSL_CTX *ctx, const char *ca, char *err, size_t errlen)
{
    if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
        char what[320];
        snprintf(what, sizeof what, "cannot load CA certificates '%s'", ca);
        ssl_error(err, errlen, what);
        return false;
    }
    return true;
}

bool tls_config_server(struct tls_config *tc, const struct transport_spec *spec, char *err, size_t errlen)
{
    memset(tc, 0, sizeof *tc);
    tc->server = true;
    if (!spec->cert[0] || !spec->key[0]) {
        snprintf(err, errlen, "%s: needs cert=FILE and key=FILE", transport_kind_name(spec->kind));
        return false;
    }
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) {
        ssl_error(err, errlen, "cannot create a TLS context");
        return false;
    }
    if (!set_proto(ctx, spec, err, errlen) || !load_identity(ctx, spec, err, errlen) ||
        (spec->ca[0] && !load_ca(ctx, spec->ca, err, errlen))) {
        SSL_CTX_free(ctx);
        return false;
    }
    if (spec->ca[0])
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    tc->ctx = ctx;
    return true;
}

bool tls_fingerprint_parse(const char *text, uint8_t out[32])
{
    if (strncasecmp(text, "SHA256:", 7) == 0)
        text += 7;
    char hex[65];
    size_t n = 0;
    for (; *text && n < 64; text++)
        if (*text != ':')
            hex[n++] = *text;
    hex[n] = '\0';
    return n == 64 && !*text && hex_decode(out, hex, 32);
}

bool tls_config_client(struct tls_config *tc, const struct transport_spec *spec, char *err, size_t errlen)
{
    memset(tc, 0, sizeof *tc);
    if (!spec->ca[0] && !spec->fingerprint[0]) {
        snprintf(err, errlen, "%s: the server must be verified: give ca=FILE or fingerprint=SHA256:...",
                 transport_kind_name(spec->kind));
        return false;
    }
    if (spec->fingerprint[0] && !tls_fingerprint_parse(spec->fingerprint, tc->fingerprint)) {
        snprintf(err, errlen, "bad fingerprint '%s' (expected SHA256: and 64 hex digits)", spec->fingerprint);
        return false;
    }
    tc->pin = spec->fingerprint[0] != '\0';
    if ((spec->cert[0] != '\0') != (spec->key[0] != '\0')) {
        snprintf(err, errlen, "cert= and key= go together");
        return false;
    }
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
        ssl_error(err, errlen, "cannot create a TLS context");
        return false;
    }
    if (!set_proto(ctx, spec, err, errlen) || (spec->cert[0] && !load_identity(ctx, spec, err, errlen)) ||
        (spec->ca[0] && !load_ca(ctx, spec->ca, err, errlen))) {
        SSL_CTX_free(ctx);
        return false;
    }
    if (spec->ca[0]) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
        /* The certificate must name the server we asked for (tcp); for a
         * local pipe the CA alone vouches for it. */
        if (spec->kind == TRANSPORT_SSL)
            snprintf(tc->verify_host, sizeof tc->verify_host, "%s", spec->host[0] ? spec->host : "127.0.0.1");
    }
    tc->ctx = ctx;
    return true;
}

static bool fingerprint_matches(SSL *ssl, const uint8_t want[32])
{
    X509 *cert = SSL_get1_peer_certificate(ssl);
    if (!cert)
        return false;
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    bool ok = X509_digest(cert, EVP_sha256(), md, &n) && n == 32 && CRYPTO_memcmp(md, want, 32) == 0;
    X509_free(cert);
    return ok;
}

/* The relay process: TLS on NET, plain on PLAIN, until either side ends. */
static void relay(SSL *ssl, int net, int plain) __attribute__((noreturn));
static void relay(SSL *ssl, int net, int plain)
{
    char buf[16384];
    for (;;) {
        if (SSL_pending(ssl) == 0) {
            struct pollfd fds[2] = {{net, POLLIN, 0}, {plain, POLLIN, 0}};
            if (poll(fds, 2, -1) < 0) {
                if (errno == EINTR)
                    continue;
                break;
            }
            if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
                ssize_t n = read(plain, buf, sizeof buf);
                if (n <= 0 || SSL_write(ssl, buf, (int)n) <= 0)
                    break;
            }
            if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
        }
        int n = SSL_read(ssl, buf, sizeof buf);
        if (n <= 0) {
            if (SSL_get_error(ssl, n) == SSL_ERROR_WANT_READ)
                continue;
            break;
        }
        if (!io_write_all(plain, buf, (size_t)n))
            break;
    }
    SSL_shutdown(ssl);
    _exit(0);
}

int tls_wrap(struct tls_config *tc, int net_fd, char *info, size_t infolen, char *err, size_t errlen)
{
    struct timeval tv = {HANDSHAKE_TIMEOUT_S, 0};
    setsockopt(net_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    SSL *ssl = SSL_new(tc->ctx);
    /* Without this, SSL_read on a record that carries no data (a TLS 1.3
     * session ticket) blocks for the next one, and the relay stops
     * forwarding the other way meanwhile. */
    if (ssl)
        SSL_clear_mode(ssl, SSL_MODE_AUTO_RETRY);
    if (!ssl || !SSL_set_fd(ssl, net_fd)) {
        ssl_error(err, errlen, "cannot start TLS");
        SSL_free(ssl);
        close(net_fd);
        return -1;
    }
    if (!tc->server && tc->verify_host[0]) {
        X509_VERIFY_PARAM *param = SSL_get0_param(ssl);
        if (strspn(tc->verify_host, "0123456789.:abcdefABCDEF") == strlen(tc->verify_host) &&
            strpbrk(tc->verify_host, ".:"))
            X509_VERIFY_PARAM_set1_ip_asc(param, tc->verify_host);
        else
            X509_VERIFY_PARAM_set1_host(param, tc->verify_host, 0);
        SSL_set_tlsext_host_name(ssl, tc->verify_host);
    }
    int rc = tc->server ? SSL_accept(ssl) : SSL_connect(ssl);
    if (rc != 1) {
        long v = SSL_get_verify_result(ssl);
        if (v != X509_V_OK) {
            snprintf(err, errlen, "TLS handshake failed: %s certificate not accepted: %s",
                     tc->server ? "client" : "server", X509_verify_cert_error_string(v));
            ERR_clear_error();
        } else {
            int reason = ERR_GET_REASON(ERR_peek_error());
            bool cert = reason == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE ||
                        reason == SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED ||
                        reason == SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE || reason == SSL_R_TLSV1_ALERT_UNKNOWN_CA ||
                        reason == SSL_R_SSLV3_ALERT_BAD_CERTIFICATE ||
                        reason == SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN;
            bool not_tls = reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_HTTP_REQUEST ||
                           reason == SSL_R_PACKET_LENGTH_TOO_LONG || reason == SSL_R_RECORD_LENGTH_MISMATCH;
            ssl_error(err, errlen, cert ? "TLS handshake failed: the client certificate was missing or not accepted"
                                   : not_tls ? "TLS handshake failed (is the other side speaking TLS?)"
                                             : "TLS handshake failed");
        }
        SSL_free(ssl);
        close(net_fd);
        return -1;
    }
    if (tc->pin && !fingerprint_matches(ssl, tc->fingerprint)) {
        snprintf(err, errlen, "the server's certificate does not have the expected fingerprint");
        SSL_free(ssl);
        close(net_fd);
        return -1;
    }
    tv.tv_sec = 0;
    setsockopt(net_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int n = snprintf(info, infolen, "%s", SSL_get_version(ssl));
    X509 *peer = tc->server ? SSL_get1_peer_certificate(ssl) : NULL;
    if (peer) {
        char subject[200];
        X509_NAME_oneline(X509_get_subject_name(peer), subject, sizeof subject);
        if (n > 0 && (size_t)n < infolen)
            snprintf(info + n, infolen - (size_t)n, ", client certificate %s", subject);
        X509_free(peer);
    }
    int sp[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) != 0) {
        snprintf(err, errlen, "socketpair: %s", strerror(errno));
        SSL_free(ssl);
        close(net_fd);
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        SSL_free(ssl);
        close(net_fd);
        close(sp[0]);
        close(sp[1]);
        return -1;
    }
    if (pid == 0) {
        /* The relay ends when either side closes, not on the session's
         * signals (the session closing its end is the signal). */
        signal(SIGINT, SIG_IGN);
        signal(SIGTERM, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        close(sp[0]);
        relay(ssl, net_fd, sp[1]);
    }
    SSL_free(ssl);   /* the parent's copy; the relay has its own */
    close(net_fd);
    close(sp[1]);
    return sp[0];
}

void tls_config_free(struct tls_config *tc)
{
    SSL_CTX_free(tc->ctx);
    tc->ctx = NULL;
}
