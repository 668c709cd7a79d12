#include "rsp/hex.h"

#include <stdlib.h>
#include <string.h>

static const char hex_chars[] = "0123456789abcdef";

int hex_digit_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void hex_encode(char *out, const uint8_t *in, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex_chars[in[i] >> 4];
        out[2 * i + 1] = hex_chars[in[i] & 0xf];
    }
}

char *hex_decode_string(const char *in, size_t digits)
{
    if (digits % 2)
        return NULL;
    size_t n = digits / 2;
    char *out = malloc(n + 1);
    if (!out || !hex_decode((uint8_t *)out, in, n) || memchr(out, '\0', n)) {
        free(out);
        return NULL;
    }
    out[n] = '\0';
    return out;
}

bool hex_decode(uint8_t *out, const char *in, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int hi = hex_digit_value((unsigned char)in[2 * i]);
        if (hi < 0)
            return false;
        int lo = hex_digit_value((unsigned char)in[2 * i + 1]);
        if (lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

bool hex_parse_u64(const char **p, uint64_t *value)
{
    const char *s = *p;
    uint64_t v = 0;
    int digits = 0;
    int d;
    while ((d = hex_digit_value((unsigned char)*s)) >= 0) {
        if (v >> 60)
            return false; /* would overflow 64 bits */
        v = v << 4 | (uint64_t)d;
        s++;
        digits++;
    }
    if (digits == 0)
        return false;
    *value = v;
    *p = s;
    return true;
}

bool hex_parse_i64(const char **p, int64_t *value)
{
    if ((*p)[0] == '-' && (*p)[1] == '1' && hex_digit_value((unsigned char)(*p)[2]) < 0) {
        *value = -1;
        *p += 2;
        return true;
    }
    const char *s = *p;
    uint64_t v;
    if (!hex_parse_u64(&s, &v) || v > INT64_MAX)
        return false;
    *value = (int64_t)v;
    *p = s;
    return true;
}

size_t hex_format_u64(char *out, uint64_t value)
{
    char tmp[16];
    size_t n = 0;
    do {
        tmp[n++] = hex_chars[value & 0xf];
        value >>= 4;
    } while (value);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
    return n;
}

void hex_encode_le(char *out, uint64_t value, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t b = (uint8_t)(value >> (8 * i));
        out[2 * i] = hex_chars[b >> 4];
        out[2 * i + 1] = hex_chars[b & 0xf];
    }
}
