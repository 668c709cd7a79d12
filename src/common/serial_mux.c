#include "serial_mux.h"

#include <string.h>

uint32_t serial_mux_crc32(uint32_t crc, const uint8_t *data, size_t n)
{
    /* Bitwise: a serial line is slow enough that a table buys nothing. */
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= data[i];
        for (int b = 0; b < 8; b++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

uint8_t serial_mux_crc8(const uint8_t *data, size_t n)
{
    uint8_t crc = 0;
    for (size_t i = 0; i < n; i++) {
        crc ^= data[i];
        for (int b = 0; b < 8; b++)
            crc = (uint8_t)((crc & 0x80) ? (crc << 1) ^ 0x07 : crc << 1);
    }
    return crc;
}

/* The payload lengths each type allows. */
static bool length_fits(unsigned type, size_t len)
{
    switch (type) {
    case SERIAL_MUX_DATA:
        return len >= 1 && len <= SERIAL_MUX_MAX_PAYLOAD;
    case SERIAL_MUX_REFUSE:
        return len >= 1 && len <= SERIAL_MUX_MAX_REASON;
    case SERIAL_MUX_OPEN:
    case SERIAL_MUX_ACCEPT:
    case SERIAL_MUX_CLOSE:
        return len == 0;
    default:
        return false;
    }
}

static bool printable(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < 0x20 || p[i] >= 0x7f)
            return false;
    return true;
}

size_t serial_mux_encode(uint8_t *out, size_t outlen, enum serial_mux_type type, unsigned channel,
                         uint8_t tag, const void *payload, size_t len)
{
    size_t total = SERIAL_MUX_HEADER + len + SERIAL_MUX_TRAILER;
    if (channel > SERIAL_MUX_MAX_CHANNEL || !length_fits(type, len) || total > outlen ||
        (len && !payload) || (type == SERIAL_MUX_REFUSE && !printable(payload, len)))
        return 0;
    out[0] = SERIAL_MUX_SYNC;
    out[1] = (uint8_t)type;
    out[2] = (uint8_t)channel;
    out[3] = tag;
    out[4] = (uint8_t)(len >> 8);
    out[5] = (uint8_t)len;
    out[6] = serial_mux_crc8(out + 1, 5);
    if (len)
        memcpy(out + SERIAL_MUX_HEADER, payload, len);
    uint32_t crc = serial_mux_crc32(0, out + 1, SERIAL_MUX_HEADER - 1 + len);
    uint8_t *t = out + SERIAL_MUX_HEADER + len;
    t[0] = (uint8_t)(crc >> 24);
    t[1] = (uint8_t)(crc >> 16);
    t[2] = (uint8_t)(crc >> 8);
    t[3] = (uint8_t)crc;
    return total;
}

enum serial_mux_status serial_mux_decode(const uint8_t *buf, size_t len, struct serial_mux_frame *frame,
                                         size_t *used, const char **why)
{
    *why = "";
    if (len == 0) {
        *used = 0;
        return SERIAL_MUX_NEED_MORE;
    }
    if (buf[0] != SERIAL_MUX_SYNC) {
        /* Noise up to the next possible frame start. */
        const uint8_t *sync = memchr(buf, SERIAL_MUX_SYNC, len);
        *used = sync ? (size_t)(sync - buf) : len;
        *why = "bytes outside any frame";
        return SERIAL_MUX_BAD;
    }
    *used = 0;
    if (len < SERIAL_MUX_HEADER)
        return SERIAL_MUX_NEED_MORE;
    size_t plen = (size_t)buf[4] << 8 | buf[5];
    if (serial_mux_crc8(buf + 1, 5) != buf[6] || buf[2] > SERIAL_MUX_MAX_CHANNEL || !length_fits(buf[1], plen)) {
        *used = 1;   /* a false sync or a damaged header: look again from the next byte */
        *why = "bad frame header";
        return SERIAL_MUX_BAD;
    }
    size_t total = SERIAL_MUX_HEADER + plen + SERIAL_MUX_TRAILER;
    if (len < total)
        return SERIAL_MUX_NEED_MORE;
    const uint8_t *t = buf + SERIAL_MUX_HEADER + plen;
    uint32_t want = (uint32_t)t[0] << 24 | (uint32_t)t[1] << 16 | (uint32_t)t[2] << 8 | t[3];
    if (serial_mux_crc32(0, buf + 1, SERIAL_MUX_HEADER - 1 + plen) != want) {
        *used = 1;   /* a frame may start inside this damaged one */
        *why = "bad frame checksum";
        return SERIAL_MUX_BAD;
    }
    if (buf[1] == SERIAL_MUX_REFUSE && !printable(buf + SERIAL_MUX_HEADER, plen)) {
        *used = total;   /* intact but not something we will show */
        *why = "refusal with an unprintable reason";
        return SERIAL_MUX_BAD;
    }
    frame->type = (enum serial_mux_type)buf[1];
    frame->channel = buf[2];
    frame->tag = buf[3];
    frame->len = (uint16_t)plen;
    frame->payload = buf + SERIAL_MUX_HEADER;
    *used = total;
    return SERIAL_MUX_FRAME;
}
