/* Unit tests for src/common/serial_mux.c, the frames of com:...,channel=N:
 * round trips, the CRCs against their published check values, frames the
 * encoder must refuse, and malformed input: partial frames, noise, damaged
 * headers and payloads, false syncs. After any of it the decoder must find
 * the next good frame. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "serial_mux.h"

/* Runs the receive loop of the multiplexer over BUF: collects the frames
 * found (their channels in CHANNELS, payload bytes in DATA) and counts the
 * bad stretches. Returns the number of frames. */
static size_t decode_all(const uint8_t *buf, size_t len, uint8_t *channels, size_t maxframes, size_t *bad,
                         size_t *left)
{
    size_t off = 0, n = 0;
    *bad = 0;
    for (;;) {
        struct serial_mux_frame f;
        size_t used;
        const char *why;
        enum serial_mux_status st = serial_mux_decode(buf + off, len - off, &f, &used, &why);
        assert_true(used <= len - off);
        off += used;
        if (st == SERIAL_MUX_NEED_MORE)
            break;
        assert_true(used > 0);
        if (st == SERIAL_MUX_BAD) {
            assert_true(why[0] != '\0');
            (*bad)++;
            continue;
        }
        if (n < maxframes)
            channels[n] = f.channel;
        n++;
    }
    *left = len - off;
    return n;
}

static void crc_check_values(void **state)
{
    (void)state;
    const uint8_t check[] = "123456789";
    assert_int_equal(serial_mux_crc32(0, check, 9), 0xCBF43926u);
    assert_int_equal(serial_mux_crc32(serial_mux_crc32(0, check, 4), check + 4, 5), 0xCBF43926u);
    assert_int_equal(serial_mux_crc8(check, 9), 0xF4);
}

static void round_trips(void **state)
{
    (void)state;
    uint8_t buf[SERIAL_MUX_MAX_FRAME], payload[SERIAL_MUX_MAX_PAYLOAD];
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)(i * 7);   /* includes the sync byte */
    struct {
        enum serial_mux_type type;
        const void *p;
        size_t len;
    } cases[] = {
        {SERIAL_MUX_DATA, payload, 1},          {SERIAL_MUX_DATA, payload, sizeof payload},
        {SERIAL_MUX_OPEN, NULL, 0},             {SERIAL_MUX_ACCEPT, NULL, 0},
        {SERIAL_MUX_REFUSE, "nobody serves it", 16}, {SERIAL_MUX_CLOSE, NULL, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (unsigned ch = 0; ch <= SERIAL_MUX_MAX_CHANNEL; ch += 127) {
            size_t n = serial_mux_encode(buf, sizeof buf, cases[i].type, ch, 0xA5, cases[i].p, cases[i].len);
            assert_int_equal(n, SERIAL_MUX_HEADER + cases[i].len + SERIAL_MUX_TRAILER);
            struct serial_mux_frame f;
            size_t used;
            const char *why;
            assert_int_equal(serial_mux_decode(buf, n, &f, &used, &why), SERIAL_MUX_FRAME);
            assert_int_equal(used, n);
            assert_int_equal(f.type, cases[i].type);
            assert_int_equal(f.channel, ch);
            assert_int_equal(f.tag, 0xA5);
            assert_int_equal(f.len, cases[i].len);
            if (cases[i].len)
                assert_memory_equal(f.payload, cases[i].p, cases[i].len);
        }
}

static void encoder_refuses_invalid_frames(void **state)
{
    (void)state;
    uint8_t buf[SERIAL_MUX_MAX_FRAME + 16], big[SERIAL_MUX_MAX_PAYLOAD + 1] = {0};
    assert_int_equal(serial_mux_encode(buf, sizeof buf, SERIAL_MUX_DATA, 255, 0, "x", 1), 0);
    assert_int_equal(serial_mux_encode(buf, sizeof buf, SERIAL_MUX_DATA, 1, 0, "", 0), 0);
    assert_int_equal(serial_mux_encode(buf, sizeof buf, SERIAL_MUX_DATA, 1, 0, big, sizeof big), 0);
    assert_int_equal(serial_mux_encode(buf, sizeof buf, SERIAL_MUX_OPEN, 1, 0, "x", 1), 0);
    assert_int_equal(serial_mux_encode(buf, sizeof buf, SERIAL_MUX_CLOSE, 1, 0, "x", 1), 0);
    assert_int_equal(serial_mux_encode(buf, sizeof buf, SERIAL_MUX_REFUSE, 1, 0, "a\nb", 3), 0);
    assert_int_equal(serial_mux_encode(buf, sizeof buf, SERIAL_MUX_REFUSE, 1, 0, "", 0), 0);
    assert_int_equal(serial_mux_encode(buf, sizeof buf, (enum serial_mux_type)0, 1, 0, NULL, 0), 0);
    assert_int_equal(serial_mux_encode(buf, sizeof buf, (enum serial_mux_type)6, 1, 0, NULL, 0), 0);
    assert_int_equal(serial_mux_encode(buf, 10, SERIAL_MUX_DATA, 1, 0, "abc", 3), 0);   /* no room */
    assert_int_equal(serial_mux_encode(buf, 14, SERIAL_MUX_DATA, 1, 0, "abc", 3), 14);  /* just fits */
}

static void partial_frames_wait(void **state)
{
    (void)state;
    uint8_t buf[64];
    size_t n = serial_mux_encode(buf, sizeof buf, SERIAL_MUX_DATA, 3, 1, "$g#67", 5);
    for (size_t cut = 0; cut < n; cut++) {
        struct serial_mux_frame f;
        size_t used = 99;
        const char *why;
        assert_int_equal(serial_mux_decode(buf, cut, &f, &used, &why), SERIAL_MUX_NEED_MORE);
        assert_int_equal(used, 0);
    }
}

static void noise_is_skipped(void **state)
{
    (void)state;
    uint8_t buf[128];
    const char *noise = "$qSupported#37+garbage";
    size_t k = strlen(noise);
    memcpy(buf, noise, k);
    size_t n = k + serial_mux_encode(buf + k, sizeof buf - k, SERIAL_MUX_DATA, 9, 0, "ok", 2);
    struct serial_mux_frame f;
    size_t used;
    const char *why;
    assert_int_equal(serial_mux_decode(buf, n, &f, &used, &why), SERIAL_MUX_BAD);
    assert_int_equal(used, k);
    assert_int_equal(serial_mux_decode(buf + k, n - k, &f, &used, &why), SERIAL_MUX_FRAME);
    assert_int_equal(f.channel, 9);
    /* Noise alone is all dropped; nothing at all is a wait. */
    assert_int_equal(serial_mux_decode(buf, k, &f, &used, &why), SERIAL_MUX_BAD);
    assert_int_equal(used, k);
    assert_int_equal(serial_mux_decode(buf, 0, &f, &used, &why), SERIAL_MUX_NEED_MORE);
    assert_int_equal(used, 0);
}

/* Each byte of a frame damaged in turn: the frame is never delivered
 * damaged, and the good frame after it always comes through. */
static void damaged_frames_are_dropped(void **state)
{
    (void)state;
    uint8_t good[64], buf[128];
    size_t g = serial_mux_encode(good, sizeof good, SERIAL_MUX_DATA, 1, 4, "$m0,4#fd", 8);
    for (size_t i = 0; i < g; i++)
        for (unsigned flip = 1; flip < 256; flip <<= 1) {
            memcpy(buf, good, g);
            buf[i] ^= (uint8_t)flip;
            size_t n = g + serial_mux_encode(buf + g, sizeof buf - g, SERIAL_MUX_CLOSE, 2, 4, NULL, 0);
            uint8_t ch[4];
            size_t bad, left;
            size_t frames = decode_all(buf, n, ch, 4, &bad, &left);
            assert_int_equal(frames, 1);
            assert_int_equal(ch[0], 2);
            assert_true(bad >= 1);
            assert_int_equal(left, 0);
        }
}

static void header_checks(void **state)
{
    (void)state;
    struct serial_mux_frame f;
    size_t used;
    const char *why;
    /* Well-formed headers (their CRC-8 right) that say what no frame may. */
    uint8_t h[][SERIAL_MUX_HEADER] = {
        {SERIAL_MUX_SYNC, SERIAL_MUX_DATA, 255, 0, 0, 1, 0},       /* channel 255 */
        {SERIAL_MUX_SYNC, SERIAL_MUX_DATA, 1, 0, 0x04, 0x01, 0},   /* 1025 bytes */
        {SERIAL_MUX_SYNC, SERIAL_MUX_DATA, 1, 0, 0, 0, 0},         /* empty data */
        {SERIAL_MUX_SYNC, SERIAL_MUX_OPEN, 1, 0, 0, 1, 0},         /* OPEN with a payload */
        {SERIAL_MUX_SYNC, 0, 1, 0, 0, 1, 0},                       /* no type */
        {SERIAL_MUX_SYNC, 9, 1, 0, 0, 1, 0},                       /* unknown type */
        {SERIAL_MUX_SYNC, SERIAL_MUX_REFUSE, 1, 0, 0, 201, 0},     /* reason too long */
        {SERIAL_MUX_SYNC, SERIAL_MUX_SYNC, SERIAL_MUX_SYNC, SERIAL_MUX_SYNC, SERIAL_MUX_SYNC, SERIAL_MUX_SYNC, 0},
    };
    for (size_t i = 0; i < sizeof h / sizeof h[0]; i++) {
        h[i][6] = serial_mux_crc8(h[i] + 1, 5);
        assert_int_equal(serial_mux_decode(h[i], sizeof h[i], &f, &used, &why), SERIAL_MUX_BAD);
        assert_int_equal(used, 1);
        assert_string_equal(why, "bad frame header");
    }
}

static void refusal_must_be_printable(void **state)
{
    (void)state;
    uint8_t buf[64];
    size_t n = serial_mux_encode(buf, sizeof buf, SERIAL_MUX_REFUSE, 1, 0, "abc", 3);
    buf[SERIAL_MUX_HEADER + 1] = '\033';
    uint32_t crc = serial_mux_crc32(0, buf + 1, SERIAL_MUX_HEADER - 1 + 3);
    uint8_t *t = buf + SERIAL_MUX_HEADER + 3;
    t[0] = (uint8_t)(crc >> 24), t[1] = (uint8_t)(crc >> 16), t[2] = (uint8_t)(crc >> 8), t[3] = (uint8_t)crc;
    struct serial_mux_frame f;
    size_t used;
    const char *why;
    assert_int_equal(serial_mux_decode(buf, n, &f, &used, &why), SERIAL_MUX_BAD);
    assert_int_equal(used, n);
}

/* A frame that begins inside the payload of a damaged one is found once
 * the damaged one is given up. */
static void frame_inside_damaged_frame(void **state)
{
    (void)state;
    uint8_t inner[32], buf[128];
    size_t in = serial_mux_encode(inner, sizeof inner, SERIAL_MUX_ACCEPT, 7, 3, NULL, 0);
    uint8_t payload[40] = {0};
    memcpy(payload + 5, inner, in);
    size_t n = serial_mux_encode(buf, sizeof buf, SERIAL_MUX_DATA, 1, 0, payload, sizeof payload);
    buf[n - 1] ^= 1;   /* outer checksum broken */
    uint8_t ch[4];
    size_t bad, left;
    assert_int_equal(decode_all(buf, n, ch, 4, &bad, &left), 1);
    assert_int_equal(ch[0], 7);
    assert_int_equal(left, 0);
}

/* Frames in random noise (which may hold sync bytes and false headers):
 * every frame is found, in order, and nothing crashes. */
static void frames_in_random_noise(void **state)
{
    (void)state;
    enum { FRAMES = 200 };
    static uint8_t buf[FRAMES * 80];
    size_t n = 0;
    srand(12345);
    for (int i = 0; i < FRAMES; i++) {
        size_t noise = (size_t)(rand() % 20);
        for (size_t k = 0; k < noise; k++)
            buf[n++] = (uint8_t)(rand() % 4 == 0 ? SERIAL_MUX_SYNC : rand());
        uint8_t data[16];
        for (size_t k = 0; k < sizeof data; k++)
            data[k] = (uint8_t)rand();
        n += serial_mux_encode(buf + n, sizeof buf - n, SERIAL_MUX_DATA, (unsigned)(i % 255), 0, data, sizeof data);
    }
    static uint8_t ch[FRAMES + 8];
    size_t bad, left;
    size_t frames = decode_all(buf, n, ch, FRAMES + 8, &bad, &left);
    /* Random noise could in principle forge a frame (CRC-8 and CRC-32 both
     * matching): with this seed it does not. */
    assert_int_equal(frames, FRAMES);
    for (int i = 0; i < FRAMES; i++)
        assert_int_equal(ch[i], i % 255);
    assert_int_equal(left, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crc_check_values),
        cmocka_unit_test(round_trips),
        cmocka_unit_test(encoder_refuses_invalid_frames),
        cmocka_unit_test(partial_frames_wait),
        cmocka_unit_test(noise_is_skipped),
        cmocka_unit_test(damaged_frames_are_dropped),
        cmocka_unit_test(header_checks),
        cmocka_unit_test(refusal_must_be_printable),
        cmocka_unit_test(frame_inside_damaged_frame),
        cmocka_unit_test(frames_in_random_noise),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
