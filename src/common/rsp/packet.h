/* RSP framing: "$data#cs" packets, acknowledgements, the 0x03 interrupt byte,
 * binary escaping and run-length encoding.
 *
 * The decoder is a byte-driven state machine so that the session's event loop
 * can feed it whatever read() returned, in any split, and never block waiting
 * for the rest of a packet. */
#ifndef DBGSRV_RSP_PACKET_H
#define DBGSRV_RSP_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest packet (payload, before escaping) we accept or send; advertised
 * as PacketSize in qSupported. Large enough that a 64 KiB memory read fits
 * one 'm' reply. */
#define RSP_PACKET_SIZE 0x20000

enum rsp_event_kind {
    RSP_EVENT_NONE,         /* need more bytes */
    RSP_EVENT_PACKET,       /* a complete packet with a good checksum */
    RSP_EVENT_BAD_CHECKSUM, /* a complete packet whose checksum is wrong */
    RSP_EVENT_TOO_LONG,     /* a complete packet longer than the limit, dropped */
    RSP_EVENT_ACK,          /* '+' */
    RSP_EVENT_NACK,         /* '-' */
    RSP_EVENT_INTERRUPT,    /* 0x03 outside a packet */
};

struct rsp_event {
    enum rsp_event_kind kind;
    /* For RSP_EVENT_PACKET: the unescaped payload, NUL-terminated (payloads
     * may contain NULs after unescaping; use len). Valid until the next feed. */
    const char *data;
    size_t len;
};

struct rsp_decoder {
    int state;
    char *buf;       /* unescaped payload */
    size_t len;
    size_t limit;    /* maximum payload length */
    uint8_t sum;     /* running checksum of the raw bytes */
    int csum_hi;     /* first checksum digit, -1 if bad */
    bool escape;     /* previous raw byte was '}' */
    bool overflow;   /* payload exceeded limit: consume, then report */
    bool malformed;  /* a bad run-length count: report as a bad packet */
    /* Expand run-length encoding ("c*N"): on for a client reading replies,
     * off for the server (requests are never run-length encoded). */
    bool expand_rle;
};

/* LIMIT is the largest payload accepted. Returns false on allocation failure. */
bool rsp_decoder_init(struct rsp_decoder *d, size_t limit);
void rsp_decoder_free(struct rsp_decoder *d);

/* Consumes bytes from IN up to and including the first byte that completes an
 * event, stores the event in EV (RSP_EVENT_NONE if none) and returns how many
 * bytes were consumed. Bytes outside a packet other than '+', '-' and 0x03 are
 * ignored, as gdbserver does. */
size_t rsp_decoder_feed(struct rsp_decoder *d, const uint8_t *in, size_t n,
                        struct rsp_event *ev);

/* Modulo-256 sum of N bytes. */
uint8_t rsp_checksum(const uint8_t *data, size_t n);

/* Frames DATA (N bytes) as "$...#cs" into OUT, escaping '$', '#', '}' and '*'
 * and, if RLE, run-length encoding repeats. OUT must hold
 * rsp_frame_bound(N) bytes. Returns the framed length. */
size_t rsp_frame(char *out, const uint8_t *data, size_t n, bool rle);
size_t rsp_frame_bound(size_t n);

/* Escapes N binary bytes for a packet payload ('}' x^0x20 for $ # } *).
 * OUT must hold 2*N bytes; returns the escaped length. */
size_t rsp_escape_binary(char *out, const uint8_t *in, size_t n);

/* Unescapes and run-length expands a received reply payload (as a client
 * sees it). Returns the decoded length, or (size_t)-1 if the encoding is bad
 * or the result would exceed CAP. Used by clients and tests. */
size_t rsp_decode_reply(uint8_t *out, size_t cap, const char *in, size_t n);

#endif
