/* Unit tests for src/common/rsp/packet.c.
 *
 * The streaming decoder (rsp_decoder_*): every input is decoded whole, byte by
 * byte, split in two at every position and in pseudo-random splits, and all
 * must give the same events. Covered: packets, acks, nacks, the interrupt
 * byte, garbage outside packets, bad and non-hex checksums, escapes
 * (including an escaped '#'), a dangling escape, '$' restarting a packet, NUL
 * bytes in payloads, the length limit (exactly at it, one over, recovery).
 *
 * The encoders: rsp_checksum, rsp_escape_binary, rsp_frame (escaping, the
 * run-length encoding and its forbidden '#'/'$' counts) and rsp_decode_reply
 * (escapes, repeats, malformed input, the CAP limit). A fixed-seed property
 * test frames thousands of random buffers and every run of every byte value
 * of length 1..200, checks the framed text and decodes it back: the decoder
 * must accept every frame (and, without RLE, return the data), and
 * rsp_decode_reply of the raw text between '$' and '#' must return the data.
 * (rsp_decode_reply is not applied to the decoder's output: that has its
 * escapes undone already, and undoing them twice is wrong for '}' and '*'.) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rsp/packet.h"

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */

static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static const char *kind_name(enum rsp_event_kind kind)
{
    switch (kind) {
    case RSP_EVENT_NONE: return "NONE";
    case RSP_EVENT_PACKET: return "PACKET";
    case RSP_EVENT_BAD_CHECKSUM: return "BAD_CHECKSUM";
    case RSP_EVENT_TOO_LONG: return "TOO_LONG";
    case RSP_EVENT_ACK: return "ACK";
    case RSP_EVENT_NACK: return "NACK";
    case RSP_EVENT_INTERRUPT: return "INTERRUPT";
    }
    return "?";
}

#define MAX_EVENTS 32

struct recorded_event {
    enum rsp_event_kind kind;
    uint8_t *data; /* a copy of the payload for RSP_EVENT_PACKET */
    size_t len;
};

struct recording {
    struct recorded_event ev[MAX_EVENTS];
    size_t count;
};

static void recording_free(struct recording *r)
{
    for (size_t i = 0; i < r->count; i++)
        free(r->ev[i].data);
    r->count = 0;
}

static void record(struct recording *r, const struct rsp_event *ev)
{
    assert_true(r->count < MAX_EVENTS);
    struct recorded_event *e = &r->ev[r->count++];
    e->kind = ev->kind;
    e->len = 0;
    e->data = NULL;
    if (ev->kind == RSP_EVENT_PACKET) {
        assert_non_null(ev->data);
        assert_int_equal(ev->data[ev->len], '\0'); /* documented NUL terminator */
        e->len = ev->len;
        e->data = malloc(ev->len + 1);
        assert_non_null(e->data);
        memcpy(e->data, ev->data, ev->len + 1);
    } else {
        assert_int_equal(ev->len, 0);
    }
}

/* Feeds N bytes as one chunk, checking the consumption contract: every call
 * consumes at least one byte, and a call that completes no event consumes
 * the whole chunk. */
static void feed_chunk(struct rsp_decoder *d, const uint8_t *in, size_t n, struct recording *r)
{
    while (n > 0) {
        struct rsp_event ev;
        memset(&ev, 0x5a, sizeof ev);
        size_t used = rsp_decoder_feed(d, in, n, &ev);
        assert_in_range(used, 1, n);
        if (ev.kind == RSP_EVENT_NONE)
            assert_int_equal(used, n);
        else
            record(r, &ev);
        in += used;
        n -= used;
    }
}

/* Decodes IN (N bytes) with a fresh decoder of limit LIMIT, feeding it in the
 * chunks whose sizes CHUNK returns. */
typedef size_t (*chunker)(size_t remaining, uint64_t *rng);

static size_t chunk_whole(size_t remaining, uint64_t *rng)
{
    (void)rng;
    return remaining;
}

static size_t chunk_bytewise(size_t remaining, uint64_t *rng)
{
    (void)remaining;
    (void)rng;
    return 1;
}

static size_t chunk_random(size_t remaining, uint64_t *rng)
{
    size_t c = 1 + (size_t)(next_random(rng) % 17);
    return c < remaining ? c : remaining;
}

static void decode_with(size_t limit, const uint8_t *in, size_t n, chunker chunk,
                        uint64_t rng, struct recording *r)
{
    struct rsp_decoder d;
    assert_true(rsp_decoder_init(&d, limit));
    r->count = 0;
    size_t off = 0;
    while (off < n) {
        size_t c = chunk(n - off, &rng);
        feed_chunk(&d, in + off, c, r);
        off += c;
    }
    rsp_decoder_free(&d);
}

static void decode_split_at(size_t limit, const uint8_t *in, size_t n, size_t at,
                            struct recording *r)
{
    struct rsp_decoder d;
    assert_true(rsp_decoder_init(&d, limit));
    r->count = 0;
    feed_chunk(&d, in, at, r);
    feed_chunk(&d, in + at, n - at, r);
    rsp_decoder_free(&d);
}

static void assert_same_recording(const struct recording *a, const struct recording *b,
                                  const char *how)
{
    if (a->count != b->count)
        fail_msg("%s: %zu events, but %zu when fed whole", how, b->count, a->count);
    for (size_t i = 0; i < a->count; i++) {
        if (a->ev[i].kind != b->ev[i].kind)
            fail_msg("%s: event %zu is %s, but %s when fed whole", how, i,
                     kind_name(b->ev[i].kind), kind_name(a->ev[i].kind));
        assert_int_equal(a->ev[i].len, b->ev[i].len);
        if (a->ev[i].len)
            assert_memory_equal(a->ev[i].data, b->ev[i].data, a->ev[i].len);
    }
}

/* Decodes IN fed whole into R, then checks that byte-by-byte feeding, every
 * two-way split (for short inputs) and random splits all agree with it. */
static void decode_all_ways(size_t limit, const void *bytes, size_t n, struct recording *r)
{
    const uint8_t *in = bytes;
    struct recording other;
    decode_with(limit, in, n, chunk_whole, 0, r);

    decode_with(limit, in, n, chunk_bytewise, 0, &other);
    assert_same_recording(r, &other, "byte by byte");
    recording_free(&other);

    if (n <= 512) {
        for (size_t at = 0; at <= n; at++) {
            decode_split_at(limit, in, n, at, &other);
            char how[64];
            snprintf(how, sizeof how, "split at %zu", at);
            assert_same_recording(r, &other, how);
            recording_free(&other);
        }
    }
    for (uint64_t seed = 1; seed <= 8; seed++) {
        decode_with(limit, in, n, chunk_random, seed, &other);
        assert_same_recording(r, &other, "random chunks");
        recording_free(&other);
    }
}

/* Shorthand for a text input with a generous limit. */
static void decode_text(const char *text, struct recording *r)
{
    decode_all_ways(RSP_PACKET_SIZE, text, strlen(text), r);
}

static void assert_packet(const struct recording *r, size_t i, const void *data, size_t len)
{
    assert_true(i < r->count);
    if (r->ev[i].kind != RSP_EVENT_PACKET)
        fail_msg("event %zu is %s, expected PACKET", i, kind_name(r->ev[i].kind));
    assert_int_equal(r->ev[i].len, len);
    if (len)
        assert_memory_equal(r->ev[i].data, data, len);
}

static void assert_kind(const struct recording *r, size_t i, enum rsp_event_kind kind)
{
    assert_true(i < r->count);
    if (r->ev[i].kind != kind)
        fail_msg("event %zu is %s, expected %s", i, kind_name(r->ev[i].kind), kind_name(kind));
}

/* Writes "$RAW#cs" into OUT (with the checksum computed here, independently
 * of rsp_checksum) and returns its length. RAW is sent as is: escapes must
 * already be in it. */
static size_t make_packet(uint8_t *out, const void *raw, size_t n)
{
    unsigned sum = 0;
    out[0] = '$';
    memcpy(out + 1, raw, n);
    for (size_t i = 0; i < n; i++)
        sum += ((const uint8_t *)raw)[i];
    char cs[3];
    snprintf(cs, sizeof cs, "%02x", sum & 0xff);
    out[n + 1] = '#';
    out[n + 2] = (uint8_t)cs[0];
    out[n + 3] = (uint8_t)cs[1];
    return n + 4;
}

/* ------------------------------------------------------------------------ */
/* Decoder: basic events                                                    */

static void test_decoder_known_gdb_packets(void **state)
{
    (void)state;
    struct recording r;
    decode_text("$g#67$?#3f$OK#9a", &r);
    assert_int_equal(r.count, 3);
    assert_packet(&r, 0, "g", 1);
    assert_packet(&r, 1, "?", 1);
    assert_packet(&r, 2, "OK", 2);
    recording_free(&r);
}

static void test_decoder_empty_packet(void **state)
{
    (void)state;
    struct recording r;
    decode_text("$#00", &r);
    assert_int_equal(r.count, 1);
    assert_packet(&r, 0, "", 0);
    recording_free(&r);
}

static void test_decoder_accepts_uppercase_checksum(void **state)
{
    (void)state;
    struct recording r;
    decode_text("$OK#9A", &r);
    assert_int_equal(r.count, 1);
    assert_packet(&r, 0, "OK", 2);
    recording_free(&r);
}

static void test_decoder_ack_nack_interrupt(void **state)
{
    (void)state;
    struct recording r;
    decode_text("+-\x03+", &r);
    assert_int_equal(r.count, 4);
    assert_kind(&r, 0, RSP_EVENT_ACK);
    assert_kind(&r, 1, RSP_EVENT_NACK);
    assert_kind(&r, 2, RSP_EVENT_INTERRUPT);
    assert_kind(&r, 3, RSP_EVENT_ACK);
    recording_free(&r);
}

static void test_decoder_interrupt_between_packets(void **state)
{
    (void)state;
    struct recording r;
    decode_text("$c#63\x03+$?#3f", &r);
    assert_int_equal(r.count, 4);
    assert_packet(&r, 0, "c", 1);
    assert_kind(&r, 1, RSP_EVENT_INTERRUPT);
    assert_kind(&r, 2, RSP_EVENT_ACK);
    assert_packet(&r, 3, "?", 1);
    recording_free(&r);
}

static void test_decoder_feed_stops_after_each_event(void **state)
{
    (void)state;
    struct rsp_decoder d;
    struct rsp_event ev;
    const uint8_t in[] = "+$g#67-\x03xyz";
    size_t n = sizeof in - 1;
    assert_true(rsp_decoder_init(&d, 64));

    assert_int_equal(rsp_decoder_feed(&d, in, n, &ev), 1);
    assert_int_equal(ev.kind, RSP_EVENT_ACK);
    assert_int_equal(rsp_decoder_feed(&d, in + 1, n - 1, &ev), 5);
    assert_int_equal(ev.kind, RSP_EVENT_PACKET);
    assert_int_equal(ev.len, 1);
    assert_int_equal(ev.data[0], 'g');
    assert_int_equal(rsp_decoder_feed(&d, in + 6, n - 6, &ev), 1);
    assert_int_equal(ev.kind, RSP_EVENT_NACK);
    assert_int_equal(rsp_decoder_feed(&d, in + 7, n - 7, &ev), 1);
    assert_int_equal(ev.kind, RSP_EVENT_INTERRUPT);
    assert_int_equal(rsp_decoder_feed(&d, in + 8, n - 8, &ev), 3);
    assert_int_equal(ev.kind, RSP_EVENT_NONE);
    rsp_decoder_free(&d);
}

static void test_decoder_feed_of_nothing(void **state)
{
    (void)state;
    struct rsp_decoder d;
    struct rsp_event ev;
    assert_true(rsp_decoder_init(&d, 16));
    ev.kind = RSP_EVENT_ACK;
    assert_int_equal(rsp_decoder_feed(&d, (const uint8_t *)"", 0, &ev), 0);
    assert_int_equal(ev.kind, RSP_EVENT_NONE);
    rsp_decoder_free(&d);
}

static void test_decoder_incomplete_packet_gives_no_event(void **state)
{
    (void)state;
    struct recording r;
    const char *prefixes[] = {"$", "$g", "$g#", "$g#6", "$}", "$a}\x03"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        decode_text(prefixes[i], &r);
        assert_int_equal(r.count, 0);
    }
}

static void test_decoder_ignores_garbage_outside_packets(void **state)
{
    (void)state;
    struct recording r;
    /* Everything except '+', '-', 0x03 and '$' is dropped between packets,
     * including '#', '}' and stray checksum-like digits. */
    decode_text("xyz\r\n#00}*\x7f\xff$g#67abc#12\n$?#3f", &r);
    assert_int_equal(r.count, 2);
    assert_packet(&r, 0, "g", 1);
    assert_packet(&r, 1, "?", 1);
    recording_free(&r);
}

static void test_decoder_every_garbage_byte_before_packet(void **state)
{
    (void)state;
    for (int c = 0; c < 256; c++) {
        if (c == '$' || c == '+' || c == '-' || c == 0x03)
            continue;
        uint8_t in[8] = {(uint8_t)c, '$', 'g', '#', '6', '7'};
        struct recording r;
        decode_all_ways(64, in, 6, &r);
        if (r.count != 1)
            fail_msg("byte 0x%02x before a packet gave %zu events", c, r.count);
        assert_packet(&r, 0, "g", 1);
        recording_free(&r);
    }
}

static void test_decoder_control_bytes_inside_packet_are_data(void **state)
{
    (void)state;
    /* '+', '-' and 0x03 only mean something between packets. */
    uint8_t in[32];
    size_t n = make_packet(in, "a+b-c\x03", 6);
    struct recording r;
    decode_all_ways(64, in, n, &r);
    assert_int_equal(r.count, 1);
    assert_packet(&r, 0, "a+b-c\x03", 6);
    recording_free(&r);
}

/* ------------------------------------------------------------------------ */
/* Decoder: checksums                                                       */

static void test_decoder_bad_checksum(void **state)
{
    (void)state;
    struct recording r;
    decode_text("$g#68$g#76$g#67", &r);
    assert_int_equal(r.count, 3);
    assert_kind(&r, 0, RSP_EVENT_BAD_CHECKSUM);
    assert_kind(&r, 1, RSP_EVENT_BAD_CHECKSUM);
    assert_packet(&r, 2, "g", 1); /* the decoder carries on */
    recording_free(&r);
}

static void test_decoder_non_hex_checksum(void **state)
{
    (void)state;
    const char *bad[] = {"$g#6z", "$g#z7", "$g#zz", "$g#-7", "$g# 67", "$#0g", "$g#6\x03"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct recording r;
        decode_text(bad[i], &r);
        if (r.count < 1 || r.ev[0].kind != RSP_EVENT_BAD_CHECKSUM)
            fail_msg("\"%s\" did not give BAD_CHECKSUM first", bad[i]);
        recording_free(&r);
    }
}

static void test_decoder_checksum_of_every_single_byte_payload(void **state)
{
    (void)state;
    /* For each payload byte that needs no escape, only the right checksum
     * is accepted. */
    for (int c = 0; c < 256; c++) {
        if (c == '$' || c == '#' || c == '}')
            continue;
        uint8_t raw = (uint8_t)c;
        uint8_t in[8];
        size_t n = make_packet(in, &raw, 1);
        struct recording r;
        decode_with(64, in, n, chunk_whole, 0, &r);
        assert_int_equal(r.count, 1);
        assert_packet(&r, 0, &raw, 1);
        recording_free(&r);

        in[n - 1] = (uint8_t)(in[n - 1] == '0' ? '1' : '0'); /* wrong low digit */
        decode_with(64, in, n, chunk_whole, 0, &r);
        assert_int_equal(r.count, 1);
        assert_kind(&r, 0, RSP_EVENT_BAD_CHECKSUM);
        recording_free(&r);
    }
}

/* ------------------------------------------------------------------------ */
/* Decoder: escapes, restarts, binary data                                  */

static void test_decoder_undoes_escapes(void **state)
{
    (void)state;
    uint8_t in[32];
    /* } 0x03 -> '#', } 0x04 -> '$', } ']' -> '}', } 0x0a -> '*', } 'a' -> 'A' */
    size_t n = make_packet(in, "x}\x03}\x04}]}\x0a}ay", 12);
    struct recording r;
    decode_all_ways(64, in, n, &r);
    assert_int_equal(r.count, 1);
    assert_packet(&r, 0, "x#$}*Ay", 7);
    recording_free(&r);
}

static void test_decoder_escaped_hash_does_not_end_packet(void **state)
{
    (void)state;
    uint8_t in[32];
    size_t n = make_packet(in, "m}\x03" "00", 5);
    struct recording r;
    decode_all_ways(64, in, n, &r);
    assert_int_equal(r.count, 1);
    assert_packet(&r, 0, "m#00", 4);
    recording_free(&r);
}

static void test_decoder_checksum_covers_escape_bytes(void **state)
{
    (void)state;
    /* The checksum is over the bytes on the wire ("a}\x03": 0xe1), not over
     * the unescaped payload ("a#": 0x84). */
    struct recording r;
    decode_text("$a}\x03#84$a}\x03#e1", &r);
    assert_int_equal(r.count, 2);
    assert_kind(&r, 0, RSP_EVENT_BAD_CHECKSUM);
    assert_packet(&r, 1, "a#", 2);
    recording_free(&r);
}

static void test_decoder_dangling_escape_is_bad(void **state)
{
    (void)state;
    uint8_t in[32];
    size_t n = make_packet(in, "ab}", 3); /* checksum right, escape unfinished */
    struct recording r;
    decode_all_ways(64, in, n, &r);
    assert_int_equal(r.count, 1);
    assert_kind(&r, 0, RSP_EVENT_BAD_CHECKSUM);
    recording_free(&r);
}

static void test_decoder_dollar_restarts_packet(void **state)
{
    (void)state;
    struct recording r;
    decode_text("$qSupp$g#67", &r);
    assert_int_equal(r.count, 1);
    assert_packet(&r, 0, "g", 1);
    recording_free(&r);
}

static void test_decoder_dollar_restart_clears_pending_escape(void **state)
{
    (void)state;
    struct recording r;
    decode_text("$ab}$g#67", &r);
    assert_int_equal(r.count, 1);
    assert_packet(&r, 0, "g", 1);
    recording_free(&r);
}

static void test_decoder_dollar_restart_clears_overflow(void **state)
{
    (void)state;
    struct recording r;
    const char *in = "$0123456789abcdef$g#67";
    decode_all_ways(8, in, strlen(in), &r);
    assert_int_equal(r.count, 1);
    assert_packet(&r, 0, "g", 1);
    recording_free(&r);
}

static void test_decoder_nul_bytes_in_payload(void **state)
{
    (void)state;
    const uint8_t raw[] = {0, 'a', 0, 0, 'b', 0};
    uint8_t in[32];
    size_t n = make_packet(in, raw, sizeof raw);
    struct recording r;
    decode_all_ways(64, in, n, &r);
    assert_int_equal(r.count, 1);
    assert_packet(&r, 0, raw, sizeof raw);
    recording_free(&r);
}

static void test_decoder_all_byte_values_escaped_binary(void **state)
{
    (void)state;
    uint8_t payload[256];
    for (int i = 0; i < 256; i++)
        payload[i] = (uint8_t)i;
    char escaped[512];
    size_t elen = rsp_escape_binary(escaped, payload, sizeof payload);
    uint8_t in[600];
    size_t n = make_packet(in, escaped, elen);
    struct recording r;
    decode_all_ways(256, in, n, &r);
    assert_int_equal(r.count, 1);
    assert_packet(&r, 0, payload, sizeof payload);
    recording_free(&r);
}

/* ------------------------------------------------------------------------ */
/* Decoder: the length limit                                                */

static void test_decoder_payload_exactly_at_limit(void **state)
{
    (void)state;
    struct recording r;
    const char *in = "$01234567#9c";
    decode_all_ways(8, in, strlen(in), &r);
    assert_int_equal(r.count, 1);
    assert_packet(&r, 0, "01234567", 8);
    recording_free(&r);
}

static void test_decoder_payload_one_over_limit_then_recovers(void **state)
{
    (void)state;
    struct recording r;
    const char *in = "$012345678#d4+$g#67";
    decode_all_ways(8, in, strlen(in), &r);
    assert_int_equal(r.count, 3);
    assert_kind(&r, 0, RSP_EVENT_TOO_LONG);
    assert_kind(&r, 1, RSP_EVENT_ACK);
    assert_packet(&r, 2, "g", 1);
    recording_free(&r);
}

static void test_decoder_limit_counts_unescaped_bytes(void **state)
{
    (void)state;
    /* 8 escaped bytes are 16 on the wire but only 8 of payload. */
    uint8_t in[64];
    size_t n = make_packet(in, "}\x03}\x03}\x03}\x03}\x04}\x04}]}]", 16);
    struct recording r;
    decode_all_ways(8, in, n, &r);
    assert_int_equal(r.count, 1);
    assert_packet(&r, 0, "####$$}}", 8);
    recording_free(&r);

    n = make_packet(in, "}\x03}\x03}\x03}\x03}\x04}\x04}]}]}\x0a", 18);
    decode_all_ways(8, in, n, &r);
    assert_int_equal(r.count, 1);
    assert_kind(&r, 0, RSP_EVENT_TOO_LONG);
    recording_free(&r);
}

static void test_decoder_limit_zero(void **state)
{
    (void)state;
    struct recording r;
    const char *in = "$#00$a#61$#00";
    decode_all_ways(0, in, strlen(in), &r);
    assert_int_equal(r.count, 3);
    assert_packet(&r, 0, "", 0);
    assert_kind(&r, 1, RSP_EVENT_TOO_LONG);
    assert_packet(&r, 2, "", 0);
    recording_free(&r);
}

static void check_full_size(size_t payload_len, enum rsp_event_kind expected)
{
    uint8_t *raw = malloc(payload_len);
    uint8_t *in = malloc(payload_len + 16);
    assert_non_null(raw);
    assert_non_null(in);
    for (size_t i = 0; i < payload_len; i++)
        raw[i] = (uint8_t)"0123456789abcdef"[i % 16];
    size_t n = make_packet(in, raw, payload_len);
    memcpy(in + n, "$g#67", 5); /* and the next packet must still decode */
    n += 5;
    struct recording r;
    decode_all_ways(RSP_PACKET_SIZE, in, n, &r);
    assert_int_equal(r.count, 2);
    if (expected == RSP_EVENT_PACKET)
        assert_packet(&r, 0, raw, payload_len);
    else
        assert_kind(&r, 0, expected);
    assert_packet(&r, 1, "g", 1);
    recording_free(&r);
    free(raw);
    free(in);
}

static void test_decoder_rsp_packet_size_exactly(void **state)
{
    (void)state;
    check_full_size(RSP_PACKET_SIZE, RSP_EVENT_PACKET);
}

static void test_decoder_rsp_packet_size_plus_one(void **state)
{
    (void)state;
    check_full_size(RSP_PACKET_SIZE + 1, RSP_EVENT_TOO_LONG);
}

static void test_decoder_much_too_long_packet(void **state)
{
    (void)state;
    check_full_size(3 * RSP_PACKET_SIZE + 7, RSP_EVENT_TOO_LONG);
}

/* ------------------------------------------------------------------------ */
/* rsp_checksum, rsp_escape_binary                                          */

static void test_checksum_values(void **state)
{
    (void)state;
    assert_int_equal(rsp_checksum((const uint8_t *)"", 0), 0);
    assert_int_equal(rsp_checksum((const uint8_t *)"g", 1), 0x67);
    assert_int_equal(rsp_checksum((const uint8_t *)"OK", 2), 0x9a);
    const uint8_t wrap[] = {0xff, 0x02};
    assert_int_equal(rsp_checksum(wrap, 2), 0x01);
    uint8_t ones[256];
    memset(ones, 1, sizeof ones);
    assert_int_equal(rsp_checksum(ones, sizeof ones), 0);
    assert_int_equal(rsp_checksum(ones, 255), 255);
}

static void test_escape_binary_escapes_the_four_specials(void **state)
{
    (void)state;
    char out[32];
    size_t n = rsp_escape_binary(out, (const uint8_t *)"a$b#c}d*e", 9);
    assert_int_equal(n, 13);
    assert_memory_equal(out, "a}\x04" "b}\x03" "c}]d}\x0a" "e", 13);
}

static void test_escape_binary_leaves_other_bytes(void **state)
{
    (void)state;
    for (int c = 0; c < 256; c++) {
        if (c == '$' || c == '#' || c == '}' || c == '*')
            continue;
        uint8_t in = (uint8_t)c;
        char out[2] = {'!', '!'};
        assert_int_equal(rsp_escape_binary(out, &in, 1), 1);
        assert_int_equal((uint8_t)out[0], c);
        assert_int_equal(out[1], '!');
    }
    char out[1] = {'!'};
    assert_int_equal(rsp_escape_binary(out, (const uint8_t *)"", 0), 0);
    assert_int_equal(out[0], '!');
}

/* ------------------------------------------------------------------------ */
/* rsp_frame                                                                */

static size_t frame(char *out, size_t outsize, const char *data, size_t n, bool rle)
{
    assert_true(rsp_frame_bound(n) <= outsize);
    return rsp_frame(out, (const uint8_t *)data, n, rle);
}

static void assert_framed(const char *data, size_t n, bool rle, const char *expected, size_t elen)
{
    char out[512];
    size_t len = frame(out, sizeof out, data, n, rle);
    if (len != elen || memcmp(out, expected, elen) != 0)
        fail_msg("rsp_frame of %zu bytes (rle=%d) gave %zu bytes \"%.*s\", expected \"%.*s\"",
                 n, rle, len, (int)len, out, (int)elen, expected);
}

#define ASSERT_FRAMED(data, rle, expected) \
    assert_framed(data, sizeof(data) - 1, rle, expected, sizeof(expected) - 1)

static void test_frame_empty(void **state)
{
    (void)state;
    ASSERT_FRAMED("", false, "$#00");
    ASSERT_FRAMED("", true, "$#00");
}

static void test_frame_plain_text(void **state)
{
    (void)state;
    ASSERT_FRAMED("OK", false, "$OK#9a");
    ASSERT_FRAMED("OK", true, "$OK#9a");
    ASSERT_FRAMED("E01", true, "$E01#a6");
}

static void test_frame_escapes_specials(void **state)
{
    (void)state;
    /* sum = 4*0x7d + 0x04 + 0x03 + 0x5d + 0x0a = 0x262 -> 62 */
    ASSERT_FRAMED("$#}*", false, "$}\x04}\x03}]}\x0a#62");
    ASSERT_FRAMED("$#}*", true, "$}\x04}\x03}]}\x0a#62");
}

static void test_frame_does_not_run_length_encode_escaped_bytes(void **state)
{
    (void)state;
    ASSERT_FRAMED("*****", true, "$}\x0a}\x0a}\x0a}\x0a}\x0a#a3");
}

static void test_frame_rle_short_runs_stay_literal(void **state)
{
    (void)state;
    ASSERT_FRAMED("000", true, "$000#90");
    ASSERT_FRAMED("00x00", true, "$00x00#38");
}

static void test_frame_rle_run_of_four(void **state)
{
    (void)state;
    /* 3 extra copies: count char 3+29 = ' ' */
    ASSERT_FRAMED("0000", true, "$0* #7a");
    ASSERT_FRAMED("0000", false, "$0000#c0");
}

static void test_frame_rle_avoids_hash_and_dollar_counts(void **state)
{
    (void)state;
    /* 6 extra would be '#' and 7 extra '$': sent as literal copies plus
     * a count of 5 ('"'). */
    ASSERT_FRAMED("0000000", true, "$00*\"#ac");
    ASSERT_FRAMED("00000000", true, "$000*\"#dc");
    ASSERT_FRAMED("000000", true, "$0*\"#7c");    /* 5 extra: '"' */
    ASSERT_FRAMED("000000000", true, "$0*%#7f"); /* 8 extra: '%' */
}

static void test_frame_rle_longest_run(void **state)
{
    (void)state;
    char data[110];
    memset(data, 'x', sizeof data);
    char out[512];
    /* 96 copies: 95 extra, count '|' (124), the largest used: 96 extra
     * would be '}', which a reader could take for an escape. */
    size_t len = frame(out, sizeof out, data, 96, true);
    assert_int_equal(len, 7);
    assert_memory_equal(out, "$x*|#", 5);
    /* 97 copies: a full run and a single literal. */
    len = frame(out, sizeof out, data, 97, true);
    assert_int_equal(len, 8);
    assert_memory_equal(out, "$x*|x#", 6);
    /* 100 copies: a full run, then a run of 4. */
    len = frame(out, sizeof out, data, 100, true);
    assert_int_equal(len, 10);
    assert_memory_equal(out, "$x*|x* #", 8);
}

static void test_frame_without_rle_keeps_runs(void **state)
{
    (void)state;
    char data[200];
    memset(data, 'x', sizeof data);
    char out[512];
    size_t len = frame(out, sizeof out, data, sizeof data, false);
    assert_int_equal(len, sizeof data + 4);
    assert_memory_equal(out + 1, data, sizeof data);
}

static void test_frame_bound_is_reached_by_all_escapes(void **state)
{
    (void)state;
    char data[64];
    memset(data, '}', sizeof data);
    char out[256];
    size_t len = frame(out, sizeof out, data, sizeof data, true);
    assert_int_equal(len, rsp_frame_bound(sizeof data));
}

/* ------------------------------------------------------------------------ */
/* rsp_decode_reply                                                         */

static size_t decode_reply(uint8_t *out, size_t cap, const char *in)
{
    return rsp_decode_reply(out, cap, in, strlen(in));
}

static void test_decode_reply_plain(void **state)
{
    (void)state;
    uint8_t out[16];
    assert_int_equal(decode_reply(out, sizeof out, "abc"), 3);
    assert_memory_equal(out, "abc", 3);
    assert_int_equal(decode_reply(out, sizeof out, ""), 0);
}

static void test_decode_reply_escapes(void **state)
{
    (void)state;
    uint8_t out[16];
    assert_int_equal(decode_reply(out, sizeof out, "a}\x03}\x04}]}\x0a" "b"), 6);
    assert_memory_equal(out, "a#$}*b", 6);
}

static void test_decode_reply_repeats(void **state)
{
    (void)state;
    uint8_t out[128];
    uint8_t expect[128];
    memset(expect, '0', sizeof expect);

    assert_int_equal(decode_reply(out, sizeof out, "0* "), 4);
    assert_memory_equal(out, expect, 4);
    assert_int_equal(decode_reply(out, sizeof out, "0*~"), 98);
    assert_memory_equal(out, expect, 98);
    /* A count character is taken as is, even '}' or '*'. */
    assert_int_equal(decode_reply(out, sizeof out, "0*}"), 97);
    assert_memory_equal(out, expect, 97);
    assert_int_equal(decode_reply(out, sizeof out, "0**"), 14);
    assert_memory_equal(out, expect, 14);
    /* Repeats of an escaped byte, and two repeats in a row. */
    assert_int_equal(decode_reply(out, sizeof out, "}]* x"), 5);
    assert_memory_equal(out, "}}}}x", 5);
    assert_int_equal(decode_reply(out, sizeof out, "0* * "), 7);
    assert_memory_equal(out, expect, 7);
}

static void test_decode_reply_malformed(void **state)
{
    (void)state;
    uint8_t out[256];
    const char *bad[] = {
        "*",      /* nothing to repeat */
        "* a",    /* nothing to repeat */
        "a*",     /* count missing */
        "}",      /* escaped byte missing */
        "ab}",    /* escaped byte missing */
        "a*\x1c", /* count below zero */
        "a*\x7f", /* count above 97 */
        "a*\xff",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (decode_reply(out, sizeof out, bad[i]) != (size_t)-1)
            fail_msg("rsp_decode_reply accepted bad input #%zu", i);
}

static void test_decode_reply_respects_cap(void **state)
{
    (void)state;
    uint8_t out[8];
    assert_int_equal(decode_reply(out, 3, "abc"), 3);
    assert_int_equal(decode_reply(out, 2, "abc"), (size_t)-1);
    assert_int_equal(decode_reply(out, 4, "0* "), 4);
    assert_int_equal(decode_reply(out, 3, "0* "), (size_t)-1);
    assert_int_equal(decode_reply(out, 1, "}\x03"), 1);
    assert_int_equal(decode_reply(out, 1, "a}\x03"), (size_t)-1);
    assert_int_equal(decode_reply(out, 0, ""), 0);
    assert_int_equal(decode_reply(out, 0, "a"), (size_t)-1);
}

static void test_decode_reply_never_writes_past_cap(void **state)
{
    (void)state;
    uint8_t out[128];
    memset(out, 0xee, sizeof out);
    assert_int_equal(decode_reply(out, 10, "0*~"), (size_t)-1);
    for (size_t i = 10; i < sizeof out; i++)
        assert_int_equal(out[i], 0xee);
}

/* ------------------------------------------------------------------------ */
/* Property tests: rsp_frame round trips                                    */

enum { GUARD = 16 };

/* Frames DATA, checks the framed text, and decodes it back with
 * rsp_decode_reply. Returns the framed text (caller frees), length in *LEN. */
static char *frame_and_check(const uint8_t *data, size_t n, bool rle, size_t *len)
{
    size_t bound = rsp_frame_bound(n);
    char *out = malloc(bound + GUARD);
    assert_non_null(out);
    memset(out, 0xa5, bound + GUARD);
    size_t o = rsp_frame(out, data, n, rle);
    assert_in_range(o, 4, bound);
    for (size_t i = o; i < bound + GUARD; i++)
        if ((uint8_t)out[i] != 0xa5)
            fail_msg("rsp_frame wrote past its %zu-byte result at %zu", o, i);

    assert_int_equal(out[0], '$');
    assert_int_equal(out[o - 3], '#');
    for (size_t i = 1; i < o - 3; i++)
        if (out[i] == '#' || out[i] == '$')
            fail_msg("rsp_frame (rle=%d) of %zu bytes put '%c' at %zu of %zu", rle, n, out[i], i, o);
    unsigned sum = 0;
    for (size_t i = 1; i < o - 3; i++)
        sum += (uint8_t)out[i];
    char cs[3];
    snprintf(cs, sizeof cs, "%02x", sum & 0xff);
    assert_memory_equal(out + o - 2, cs, 2);

    /* The payload as a client sees it decodes to DATA, with CAP exactly N. */
    uint8_t *back = malloc(n + 1);
    assert_non_null(back);
    size_t m = rsp_decode_reply(back, n, out + 1, o - 4);
    if (m != n || memcmp(back, data, n) != 0)
        fail_msg("rsp_decode_reply of rsp_frame (rle=%d) of %zu bytes gave %zu bytes", rle, n, m);
    free(back);

    if (!rle) {
        /* Without RLE the payload is exactly the binary escaping. */
        char *esc = malloc(2 * n + 1);
        assert_non_null(esc);
        size_t e = rsp_escape_binary(esc, data, n);
        assert_int_equal(e, o - 4);
        assert_memory_equal(esc, out + 1, e);
        free(esc);
    }
    *len = o;
    return out;
}

/* Writes TEXT (N bytes, at most 40 shown) into OUT with non-printable bytes
 * as \xNN, for failure messages. */
static const char *printable(char *out, size_t outsize, const char *text, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 8 < outsize; i++) {
        uint8_t c = (uint8_t)text[i];
        if (i == 40) {
            o += (size_t)snprintf(out + o, outsize - o, "...");
            break;
        }
        if (c >= 0x20 && c < 0x7f && c != '\\')
            out[o++] = (char)c;
        else
            o += (size_t)snprintf(out + o, outsize - o, "\\x%02x", c);
    }
    out[o] = '\0';
    return out;
}

/* Decodes FRAMED with the streaming decoder (random splits). True if it gives
 * exactly one PACKET and, when KNOWN is not NULL, that payload (N bytes);
 * otherwise describes what happened in WHY. */
static bool decoder_accepts(const char *framed, size_t len, const uint8_t *known, size_t n,
                            uint64_t seed, char *why, size_t whylen)
{
    struct recording r;
    decode_with(RSP_PACKET_SIZE, (const uint8_t *)framed, len, chunk_random, seed, &r);
    char shown[256];
    bool ok = r.count == 1 && r.ev[0].kind == RSP_EVENT_PACKET;
    if (!ok)
        snprintf(why, whylen, "%zu events, first %s, for \"%s\"", r.count,
                 r.count ? kind_name(r.ev[0].kind) : "-",
                 printable(shown, sizeof shown, framed, len));
    else if (known && (r.ev[0].len != n || (n && memcmp(r.ev[0].data, known, n) != 0))) {
        ok = false;
        snprintf(why, whylen, "a payload of %zu bytes that differs from the %zu framed, for \"%s\"",
                 r.ev[0].len, n, printable(shown, sizeof shown, framed, len));
    }
    recording_free(&r);
    return ok;
}

static void check_decoder_accepts(const char *framed, size_t len, const uint8_t *known,
                                  size_t n, uint64_t seed, const char *what)
{
    char why[512];
    if (!decoder_accepts(framed, len, known, n, seed, why, sizeof why))
        fail_msg("%s: the decoder gave %s", what, why);
}

/* Fills DATA with one of several shapes of pseudo-random content. */
static size_t random_buffer(uint8_t *data, size_t cap, uint64_t *rng)
{
    static const uint8_t alphabet[] = {'0', 'a', '$', '#', '}', '*', 0x00, 0x03, 0xff, ' ', '~'};
    size_t n = (size_t)(next_random(rng) % (cap + 1));
    switch (next_random(rng) % 3) {
    case 0: /* uniform bytes */
        for (size_t i = 0; i < n; i++)
            data[i] = (uint8_t)next_random(rng);
        break;
    case 1: /* a small alphabet rich in specials */
        for (size_t i = 0; i < n; i++)
            data[i] = alphabet[next_random(rng) % sizeof alphabet];
        break;
    default: /* runs of random lengths */
        for (size_t i = 0; i < n;) {
            uint8_t c = (uint8_t)next_random(rng);
            size_t run = 1 + (size_t)(next_random(rng) % 120);
            for (size_t k = 0; k < run && i < n; k++)
                data[i++] = c;
        }
        break;
    }
    return n;
}

static void test_frame_round_trip_random_buffers(void **state)
{
    (void)state;
    uint64_t rng = 0x5eed;
    uint8_t data[400];
    for (int iter = 0; iter < 4000; iter++) {
        size_t n = random_buffer(data, sizeof data, &rng);
        size_t plain_len, rle_len;
        char *plain = frame_and_check(data, n, false, &plain_len);
        char *rle = frame_and_check(data, n, true, &rle_len);
        assert_true(rle_len <= plain_len); /* RLE never makes a frame longer */
        check_decoder_accepts(plain, plain_len, data, n, (uint64_t)iter, "random buffer, no RLE");
        free(plain);
        free(rle);
    }
}

static void test_frame_round_trip_runs_of_every_byte(void **state)
{
    (void)state;
    uint8_t data[202];
    for (int v = 0; v < 256; v++) {
        for (size_t len = 1; len <= 200; len++) {
            /* The run alone, and between two bytes that differ from it. */
            for (int framed_by_others = 0; framed_by_others < 2; framed_by_others++) {
                size_t n = 0;
                uint8_t other = (uint8_t)(v == 'q' ? 'r' : 'q');
                if (framed_by_others)
                    data[n++] = other;
                memset(data + n, v, len);
                n += len;
                if (framed_by_others)
                    data[n++] = other;
                size_t plain_len, rle_len;
                char *plain = frame_and_check(data, n, false, &plain_len);
                char *rle = frame_and_check(data, n, true, &rle_len);
                assert_true(rle_len <= plain_len);
                check_decoder_accepts(plain, plain_len, data, n, len, "run, no RLE");
                free(plain);
                free(rle);
            }
        }
    }
}

/* The server frames replies with RLE, and a client that reads them with
 * rsp_decoder must at least get a PACKET event (the payload it gets is
 * still RLE text). Checked over random buffers and over every run of every
 * byte value; all rejected frames are counted and the first few shown. */
static void test_decoder_accepts_every_rle_frame(void **state)
{
    (void)state;
    uint64_t rng = 0xfeed;
    uint8_t data[400];
    size_t frames = 0, rejected = 0;
    char why[512];
    for (int iter = 0; iter < 4000 + 256 * 200; iter++) {
        size_t n;
        if (iter < 4000) {
            n = random_buffer(data, sizeof data, &rng);
        } else {
            n = 1 + (size_t)(iter - 4000) % 200; /* a run of N copies of a byte */
            memset(data, (iter - 4000) / 200, n);
        }
        size_t len;
        char *framed = frame_and_check(data, n, true, &len);
        frames++;
        if (!decoder_accepts(framed, len, NULL, n, (uint64_t)iter, why, sizeof why)) {
            if (rejected++ < 3)
                print_error("rejected: %zu bytes framed with RLE: %s\n", n, why);
        }
        free(framed);
    }
    if (rejected)
        fail_msg("the decoder rejected %zu of %zu frames made by rsp_frame with RLE", rejected, frames);
}

/* Minimal case of the above: 97 copies of a byte must not be sent as
 * c '*' '}' (96 extra, 96+29 = '}'): the count '}' would be taken for an
 * escape by the decoder. They go as a run of 96 and one literal. */
static void test_decoder_accepts_rle_count_brace_at_end(void **state)
{
    (void)state;
    uint8_t data[97];
    memset(data, '0', sizeof data);
    char framed[256];
    size_t len = rsp_frame(framed, data, sizeof data, true);
    assert_int_equal(len, 8);
    assert_memory_equal(framed, "$0*|0#", 6);
    check_decoder_accepts(framed, len, NULL, 0, 1, "97 x '0' framed with RLE");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decoder_known_gdb_packets),
        cmocka_unit_test(test_decoder_empty_packet),
        cmocka_unit_test(test_decoder_accepts_uppercase_checksum),
        cmocka_unit_test(test_decoder_ack_nack_interrupt),
        cmocka_unit_test(test_decoder_interrupt_between_packets),
        cmocka_unit_test(test_decoder_feed_stops_after_each_event),
        cmocka_unit_test(test_decoder_feed_of_nothing),
        cmocka_unit_test(test_decoder_incomplete_packet_gives_no_event),
        cmocka_unit_test(test_decoder_ignores_garbage_outside_packets),
        cmocka_unit_test(test_decoder_every_garbage_byte_before_packet),
        cmocka_unit_test(test_decoder_control_bytes_inside_packet_are_data),
        cmocka_unit_test(test_decoder_bad_checksum),
        cmocka_unit_test(test_decoder_non_hex_checksum),
        cmocka_unit_test(test_decoder_checksum_of_every_single_byte_payload),
        cmocka_unit_test(test_decoder_undoes_escapes),
        cmocka_unit_test(test_decoder_escaped_hash_does_not_end_packet),
        cmocka_unit_test(test_decoder_checksum_covers_escape_bytes),
        cmocka_unit_test(test_decoder_dangling_escape_is_bad),
        cmocka_unit_test(test_decoder_dollar_restarts_packet),
        cmocka_unit_test(test_decoder_dollar_restart_clears_pending_escape),
        cmocka_unit_test(test_decoder_dollar_restart_clears_overflow),
        cmocka_unit_test(test_decoder_nul_bytes_in_payload),
        cmocka_unit_test(test_decoder_all_byte_values_escaped_binary),
        cmocka_unit_test(test_decoder_payload_exactly_at_limit),
        cmocka_unit_test(test_decoder_payload_one_over_limit_then_recovers),
        cmocka_unit_test(test_decoder_limit_counts_unescaped_bytes),
        cmocka_unit_test(test_decoder_limit_zero),
        cmocka_unit_test(test_decoder_rsp_packet_size_exactly),
        cmocka_unit_test(test_decoder_rsp_packet_size_plus_one),
        cmocka_unit_test(test_decoder_much_too_long_packet),
        cmocka_unit_test(test_checksum_values),
        cmocka_unit_test(test_escape_binary_escapes_the_four_specials),
        cmocka_unit_test(test_escape_binary_leaves_other_bytes),
        cmocka_unit_test(test_frame_empty),
        cmocka_unit_test(test_frame_plain_text),
        cmocka_unit_test(test_frame_escapes_specials),
        cmocka_unit_test(test_frame_does_not_run_length_encode_escaped_bytes),
        cmocka_unit_test(test_frame_rle_short_runs_stay_literal),
        cmocka_unit_test(test_frame_rle_run_of_four),
        cmocka_unit_test(test_frame_rle_avoids_hash_and_dollar_counts),
        cmocka_unit_test(test_frame_rle_longest_run),
        cmocka_unit_test(test_frame_without_rle_keeps_runs),
        cmocka_unit_test(test_frame_bound_is_reached_by_all_escapes),
        cmocka_unit_test(test_decode_reply_plain),
        cmocka_unit_test(test_decode_reply_escapes),
        cmocka_unit_test(test_decode_reply_repeats),
        cmocka_unit_test(test_decode_reply_malformed),
        cmocka_unit_test(test_decode_reply_respects_cap),
        cmocka_unit_test(test_decode_reply_never_writes_past_cap),
        cmocka_unit_test(test_frame_round_trip_random_buffers),
        cmocka_unit_test(test_frame_round_trip_runs_of_every_byte),
        cmocka_unit_test(test_decoder_accepts_every_rle_frame),
        cmocka_unit_test(test_decoder_accepts_rle_count_brace_at_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
