#include "rsp/packet.h"

#include <stdlib.h>
#include <string.h>

#include "rsp/hex.h"

enum { ST_IDLE, ST_DATA, ST_RLE_COUNT, ST_CSUM1, ST_CSUM2 };

bool rsp_decoder_init(struct rsp_decoder *d, size_t limit)
{
    memset(d, 0, sizeof *d);
    d->buf = malloc(limit + 1);
    if (!d->buf)
        return false;
    d->limit = limit;
    d->state = ST_IDLE;
    return true;
}

void rsp_decoder_free(struct rsp_decoder *d)
{
    free(d->buf);
    d->buf = NULL;
}

static void start_packet(struct rsp_decoder *d)
{
    d->state = ST_DATA;
    d->len = 0;
    d->sum = 0;
    d->escape = false;
    d->overflow = false;
    d->malformed = false;
}

static void append(struct rsp_decoder *d, char c)
{
    if (d->len >= d->limit) {
        d->overflow = true;
        return;
    }
    d->buf[d->len++] = c;
}

size_t rsp_decoder_feed(struct rsp_decoder *d, const uint8_t *in, size_t n,
                        struct rsp_event *ev)
{
    ev->kind = RSP_EVENT_NONE;
    ev->data = NULL;
    ev->len = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = in[i];
        switch (d->state) {
        case ST_IDLE:
            if (c == '$') {
                start_packet(d);
            } else if (c == '+' || c == '-' || c == 0x03) {
                ev->kind = c == '+' ? RSP_EVENT_ACK
                         : c == '-' ? RSP_EVENT_NACK : RSP_EVENT_INTERRUPT;
                return i + 1;
            }
            break;
        case ST_DATA:
            if (c == '#') {
                d->state = ST_CSUM1;
                break;
            }
            if (c == '$') {
                /* A new start inside a packet: the previous one was cut off
                 * (line noise or a restarted client). Resynchronise on it. */
                start_packet(d);
                break;
            }
            d->sum = (uint8_t)(d->sum + c);
            if (c == '*' && d->expand_rle && !d->escape) {
                d->state = ST_RLE_COUNT;
            } else if (d->escape) {
                append(d, (char)(c ^ 0x20));
                d->escape = false;
            } else if (c == '}') {
                d->escape = true;
            } else {
                append(d, (char)c);
            }
            break;
        case ST_RLE_COUNT: {
            /* The count byte is literal (never an escape): N-29 repeats of
             * the previous byte. */
            d->sum = (uint8_t)(d->sum + c);
            d->state = ST_DATA;
            int count = (int)c - 29;
            if (d->len == 0 || count < 0 || c == '#' || c == '$') {
                d->malformed = true;
                if (c == '#')
                    d->state = ST_CSUM1;
                break;
            }
            char prev = d->buf[d->len - 1];
            for (int k = 0; k < count; k++)
                append(d, prev);
            break;
        }
        case ST_CSUM1:
            d->csum_hi = hex_digit_value(c);
            d->state = ST_CSUM2;
            break;
        case ST_CSUM2: {
            int lo = hex_digit_value(c);
            d->state = ST_IDLE;
            d->buf[d->len] = '\0';
            if (d->overflow)
                ev->kind = RSP_EVENT_TOO_LONG;
            else if (d->csum_hi < 0 || lo < 0 || d->escape || d->malformed ||
                     (uint8_t)(d->csum_hi << 4 | lo) != d->sum)
                ev->kind = RSP_EVENT_BAD_CHECKSUM;
            else {
                ev->kind = RSP_EVENT_PACKET;
                ev->data = d->buf;
                ev->len = d->len;
            }
            return i + 1;
        }
        }
    }
    return n;
}

uint8_t rsp_checksum(const uint8_t *data, size_t n)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum = (uint8_t)(sum + data[i]);
    return sum;
}

static bool needs_escape(uint8_t c)
{
    return c == '$' || c == '#' || c == '}' || c == '*';
}

size_t rsp_frame_bound(size_t n)
{
    return 2 * n + 4;
}

size_t rsp_frame(char *out, const uint8_t *data, size_t n, bool rle)
{
    size_t o = 0;
    out[o++] = '$';
    for (size_t i = 0; i < n;) {
        uint8_t c = data[i];
        if (needs_escape(c)) {
            out[o++] = '}';
            out[o++] = (char)(c ^ 0x20);
            i++;
            continue;
        }
        /* At most 95 extra copies: 96 would be sent as '}' (96+29), which a
         * reader that undoes escapes before run lengths would misread. */
        size_t run = 1;
        while (i + run < n && data[i + run] == c && run < 96)
            run++;
        out[o++] = (char)c;
        size_t extra = run - 1;
        /* A repeat count is sent as the character extra+29. Runs of 6 and 7
         * extra copies would give '#' and '$', which cannot appear in a
         * packet, so they are shortened by one or two (sent literally). */
        if (rle && extra >= 3) {
            while (extra == 6 || extra == 7) {
                out[o++] = (char)c;
                extra--;
            }
            out[o++] = '*';
            out[o++] = (char)(extra + 29);
        } else {
            for (size_t k = 0; k < extra; k++)
                out[o++] = (char)c;
        }
        i += run;
    }
    uint8_t sum = rsp_checksum((const uint8_t *)out + 1, o - 1);
    out[o++] = '#';
    hex_encode(out + o, &sum, 1);
    o += 2;
    return o;
}

size_t rsp_escape_binary(char *out, const uint8_t *in, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (needs_escape(in[i])) {
            out[o++] = '}';
            out[o++] = (char)(in[i] ^ 0x20);
        } else {
            out[o++] = (char)in[i];
        }
    }
    return o;
}

size_t rsp_decode_reply(uint8_t *out, size_t cap, const char *in, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = (uint8_t)in[i];
        if (c == '}') {
            if (++i >= n || o >= cap)
                return (size_t)-1;
            out[o++] = (uint8_t)(in[i] ^ 0x20);
        } else if (c == '*') {
            if (o == 0 || ++i >= n)
                return (size_t)-1;
            int count = (uint8_t)in[i] - 29;
            if (count < 0 || count > 97 || o + (size_t)count > cap)
                return (size_t)-1;
            uint8_t prev = out[o - 1];
            for (int k = 0; k < count; k++)
                out[o++] = prev;
        } else {
            if (o >= cap)
                return (size_t)-1;
            out[o++] = c;
        }
    }
    return o;
}
