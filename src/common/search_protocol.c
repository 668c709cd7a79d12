#include "search_protocol.h"

#include <stdio.h>
#include <string.h>

static bool printable(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

static bool valid_nonce(const char *s, size_t n)
{
    if (n != SEARCH_NONCE_LEN)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!strchr("0123456789abcdef", s[i]) || !s[i])
            return false;
    return true;
}

size_t search_query_format(char *out, size_t len, const char *nonce)
{
    int n = snprintf(out, len, "DBGSRV-SEARCH 1 %s\n", nonce);
    return n > 0 && (size_t)n < len ? (size_t)n : 0;
}

bool search_query_parse(const char *buf, size_t n, char *nonce)
{
    static const char head[] = "DBGSRV-SEARCH 1 ";
    size_t h = sizeof head - 1;
    if (n != h + SEARCH_NONCE_LEN + 1 || memcmp(buf, head, h) != 0 || buf[n - 1] != '\n' ||
        !valid_nonce(buf + h, SEARCH_NONCE_LEN))
        return false;
    memcpy(nonce, buf + h, SEARCH_NONCE_LEN);
    nonce[SEARCH_NONCE_LEN] = '\0';
    return true;
}

size_t search_reply_begin(char *out, size_t len, const char *nonce, const char *hostname)
{
    int n = snprintf(out, len, "DBGSRV-SERVERS 1 %s %s\n", nonce, hostname);
    return n > 0 && (size_t)n < len ? (size_t)n : 0;
}

size_t search_reply_add(char *out, size_t len, size_t used, const char *transport, bool stale)
{
    if (used >= len || !printable(transport, strlen(transport)) || strchr(transport, '\t'))
        return used;
    int n = snprintf(out + used, len - used, "%s\t%s\n", transport, stale ? "stale" : "running");
    return n > 0 && (size_t)n < len - used ? used + (size_t)n : used;
}

bool search_reply_parse(const char *buf, size_t n, const char *nonce, char *host, size_t hostlen,
                        struct search_server *out, size_t max, size_t *count)
{
    static const char head[] = "DBGSRV-SERVERS 1 ";
    size_t h = sizeof head - 1;
    *count = 0;
    const char *end = buf + n;
    const char *eol = memchr(buf, '\n', n);
    if (!eol || n < h + SEARCH_NONCE_LEN + 2 || memcmp(buf, head, h) != 0 ||
        memcmp(buf + h, nonce, SEARCH_NONCE_LEN) != 0 || buf[h + SEARCH_NONCE_LEN] != ' ')
        return false;
    const char *name = buf + h + SEARCH_NONCE_LEN + 1;
    size_t namelen = (size_t)(eol - name);
    if (namelen == 0 || namelen >= hostlen || !printable(name, namelen) || memchr(name, ' ', namelen))
        return false;
    memcpy(host, name, namelen);
    host[namelen] = '\0';
    for (const char *line = eol + 1; line < end; line = eol + 1) {
        eol = memchr(line, '\n', (size_t)(end - line));
        if (!eol)
            return false;
        const char *tab = memchr(line, '\t', (size_t)(eol - line));
        if (!tab || tab == line || (size_t)(tab - line) >= sizeof out->transport ||
            !printable(line, (size_t)(tab - line)))
            return false;
        size_t slen = (size_t)(eol - tab - 1);
        bool stale = slen == 5 && memcmp(tab + 1, "stale", 5) == 0;
        if (!stale && !(slen == 7 && memcmp(tab + 1, "running", 7) == 0))
            return false;
        if (*count < max) {
            memcpy(out[*count].transport, line, (size_t)(tab - line));
            out[*count].transport[tab - line] = '\0';
            out[*count].stale = stale;
            (*count)++;
        }
    }
    return true;
}
