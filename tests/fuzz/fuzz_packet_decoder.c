/* libFuzzer target for src/common/rsp/packet.c.
 *
 * Input: byte 0 picks the decoder's limit, byte 1 seeds how the stream is
 * split, the rest is the byte stream. The stream is decoded fed whole and fed
 * in arbitrary chunks; both must give the same events, and every event must
 * keep the decoder's contract (consumption, NUL terminator, limit). Every
 * packet payload is framed again (with and without RLE) and must decode back.
 * The stream is also given to rsp_decode_reply and rsp_escape_binary. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "rsp/packet.h"


struct events {
    size_t count;
    enum rsp_event_kind *kind;
    size_t *len;
    uint8_t *bytes; /* payloads, concatenated */
    size_t nbytes;
};

static void events_init(struct events *e, size_t max_events, size_t max_bytes)
{
    e->count = 0;
    e->nbytes = 0;
    e->kind = malloc((max_events + 1) * sizeof *e->kind);
    e->len = malloc((max_events + 1) * sizeof *e->len);
    e->bytes = malloc(max_bytes + 1);
    CHECK(e->kind && e->len && e->bytes);
}

static void events_free(struct events *e)
{
    free(e->kind);
    free(e->len);
    free(e->bytes);
}

static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Decodes IN with a new decoder of LIMIT, in chunks of random sizes (SEED),
 * or whole if SEED is 0. */
static void decode(size_t limit, const uint8_t *in, size_t n, uint64_t seed, struct events *e)
{
    struct rsp_decoder d;
    CHECK(rsp_decoder_init(&d, limit));
    size_t off = 0;
    while (off < n) {
        size_t chunk = n - off;
        if (seed) {
            size_t c = 1 + (size_t)(next_random(&seed) % 9);
            if (c < chunk)
                chunk = c;
        }
        const uint8_t *p = in + off;
        size_t left = chunk;
        while (left > 0) {
            struct rsp_event ev;
            size_t used = rsp_decoder_feed(&d, p, left, &ev);
            CHECK(used >= 1 && used <= left);
            if (ev.kind == RSP_EVENT_NONE) {
                CHECK(used == left);
            } else {
                e->kind[e->count] = ev.kind;
                e->len[e->count] = ev.len;
                if (ev.kind == RSP_EVENT_PACKET) {
                    CHECK(ev.data != NULL);
                    CHECK(ev.len <= limit);
                    CHECK(ev.data[ev.len] == '\0');
                    CHECK(e->nbytes + ev.len <= n);
                    memcpy(e->bytes + e->nbytes, ev.data, ev.len);
                    e->nbytes += ev.len;
                } else {
                    CHECK(ev.len == 0);
                }
                e->count++;
                CHECK(e->count <= n);
            }
            p += used;
            left -= used;
        }
        off += chunk;
    }
    rsp_decoder_free(&d);
}

/* Frames PAYLOAD and checks that it decodes back: through the decoder when
 * not run-length encoded, through rsp_decode_reply in both modes. */
static void check_reframe(const uint8_t *payload, size_t n)
{
    for (int rle = 0; rle < 2; rle++) {
        char *framed = malloc(rsp_frame_bound(n));
        uint8_t *back = malloc(n + 1);
        CHECK(framed && back);
        size_t len = rsp_frame(framed, payload, n, rle);
        CHECK(len >= 4 && len <= rsp_frame_bound(n));
        CHECK(framed[0] == '$' && framed[len - 3] == '#');
        for (size_t i = 1; i < len - 3; i++)
            CHECK(framed[i] != '$' && framed[i] != '#');
        CHECK(rsp_decode_reply(back, n, framed + 1, len - 4) == n);
        CHECK(n == 0 || memcmp(back, payload, n) == 0);
        /* The decoder accepts every frame; without RLE it also gives back
         * the payload (it undoes escapes, not run lengths). */
        struct events e;
        events_init(&e, len, len);
        decode(n, (const uint8_t *)framed, len, 0, &e);
        CHECK(e.count == 1 && e.kind[0] == RSP_EVENT_PACKET);
        if (!rle)
            CHECK(e.len[0] == n && (n == 0 || memcmp(e.bytes, payload, n) == 0));
        events_free(&e);
        free(framed);
        free(back);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    static const size_t limits[] = {0, 1, 2, 3, 4, 8, 16, 64, 255, RSP_PACKET_SIZE};
    size_t limit = limits[data[0] % (sizeof limits / sizeof limits[0])];
    uint64_t seed = (uint64_t)data[1] + 1;
    const uint8_t *in = data + 2;
    size_t n = size - 2;

    struct events whole, split;
    events_init(&whole, n, n);
    events_init(&split, n, n);
    decode(limit, in, n, 0, &whole);
    decode(limit, in, n, seed, &split);
    CHECK(whole.count == split.count);
    CHECK(whole.nbytes == split.nbytes);
    for (size_t i = 0; i < whole.count; i++)
        CHECK(whole.kind[i] == split.kind[i] && whole.len[i] == split.len[i]);
    CHECK(whole.nbytes == 0 || memcmp(whole.bytes, split.bytes, whole.nbytes) == 0);

    size_t off = 0;
    for (size_t i = 0; i < whole.count; i++) {
        if (whole.kind[i] == RSP_EVENT_PACKET) {
            check_reframe(whole.bytes + off, whole.len[i]);
            off += whole.len[i];
        }
    }
    events_free(&whole);
    events_free(&split);

    /* The stream as a reply payload: must fail cleanly or fit in CAP. */
    size_t cap = data[0] < 128 ? data[0] : 4 * n + 100;
    uint8_t *out = malloc(cap + 1);
    CHECK(out);
    size_t m = rsp_decode_reply(out, cap, (const char *)in, n);
    CHECK(m == (size_t)-1 || m <= cap);
    free(out);

    char *esc = malloc(2 * n + 1);
    CHECK(esc);
    size_t e = rsp_escape_binary(esc, in, n);
    CHECK(e >= n && e <= 2 * n);
    uint8_t *back = malloc(n + 1);
    CHECK(back);
    CHECK(rsp_decode_reply(back, n, esc, e) == n);
    CHECK(n == 0 || memcmp(back, in, n) == 0);
    free(back);
    free(esc);
    return 0;
}
