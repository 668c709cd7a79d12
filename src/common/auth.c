#include "auth.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#include "transport_spec.h"

static bool printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
            return false;
    return true;
}

bool auth_load_password(const struct transport_spec *spec, char *out, size_t outlen, bool *have,
                        char *err, size_t errlen)
{
    *have = false;
    if (spec->given & TSPEC_PASSWORD) {
        snprintf(out, outlen, "%s", spec->password);
    } else if (spec->given & TSPEC_PASSWORD_FILE) {
        FILE *f = fopen(spec->password_file, "re");
        if (!f) {
            snprintf(err, errlen, "cannot read password-file '%s': %s", spec->password_file, strerror(errno));
            return false;
        }
        if (!fgets(out, (int)outlen, f))
            out[0] = '\0';
        /* A line that does not fit is refused, never silently cut short. */
        bool whole = strchr(out, '\n') || feof(f) || fgetc(f) == EOF;
        fclose(f);
        if (!whole) {
            snprintf(err, errlen, "the password in '%s' is too long (at most %zu characters)",
                     spec->password_file, outlen - 2);
            return false;
        }
        out[strcspn(out, "\r\n")] = '\0';
    } else {
        return true;
    }
    if (!out[0] || !printable(out)) {
        snprintf(err, errlen, "the password must be one line of printable characters%s",
                 (spec->given & TSPEC_PASSWORD_FILE) ? " (password-file is empty or binary)" : "");
        return false;
    }
    *have = true;
    return true;
}

bool auth_random(uint8_t *out, size_t n)
{
    return RAND_bytes(out, (int)n) == 1;
}

bool auth_mac(const char *password, const char *role, const uint8_t snonce[AUTH_NONCE_SIZE],
              const uint8_t cnonce[AUTH_NONCE_SIZE], uint8_t mac[AUTH_MAC_SIZE])
{
    uint8_t msg[16 + 2 * AUTH_NONCE_SIZE];
    size_t rl = strlen(role);
    if (rl > 16)
        return false;
    memcpy(msg, role, rl);
    memcpy(msg + rl, snonce, AUTH_NONCE_SIZE);
    memcpy(msg + rl + AUTH_NONCE_SIZE, cnonce, AUTH_NONCE_SIZE);
    unsigned len = 0;
    return HMAC(EVP_sha256(), password, (int)strlen(password), msg, rl + 2 * AUTH_NONCE_SIZE, mac, &len) &&
           len == AUTH_MAC_SIZE;
}

bool auth_mac_equal(const uint8_t a[AUTH_MAC_SIZE], const uint8_t b[AUTH_MAC_SIZE])
{
    return CRYPTO_memcmp(a, b, AUTH_MAC_SIZE) == 0;
}

bool auth_parse_version(const char *text, unsigned *major, unsigned *minor)
{
    char tail;
    return sscanf(text, "%u.%u%c", major, minor, &tail) == 2;
}

void auth_version_mismatch(char *out, size_t len, unsigned cmaj, unsigned cmin, unsigned smaj, unsigned smin)
{
    snprintf(out, len, "The client is not using the same version of the remoting protocol as the server "
             "(client %u.%u, server %u.%u)", cmaj, cmin, smaj, smin);
}
