/* Framing for com:...,channel=N: several sessions sharing one serial line.
 *
 * Plain com: carries RSP bytes as they are, so that gdb's "target remote
 * /dev/ttyX" works; with channels the line carries frames instead, and each
 * frame says which channel's bytes it holds:
 *
 *   offset  size  field
 *   0       1     sync, 0xA5
 *   1       1     type: 1 DATA, 2 OPEN, 3 ACCEPT, 4 REFUSE, 5 CLOSE
 *   2       1     channel, 0..254 (255 never occurs)
 *   3       1     tag: which session of the channel (chosen by the opener)
 *   4       2     payload length, big-endian, at most SERIAL_MUX_MAX_PAYLOAD
 *   6       1     header check: CRC-8 (polynomial 0x07) of bytes 1..5
 *   7       len   payload
 *   7+len   4     CRC-32 (IEEE 802.3, as in zlib) of bytes 1..6+len, big-endian
 *
 * Why this shape:
 * - A serial line has no packet boundaries and may deliver noise (a gdb
 *   typed at the wrong port, a glitch, a far side that starts mid-frame).
 *   The receiver looks for the sync byte, so it finds the next frame after
 *   any garbage; 0xA5 is not ASCII, so stray RSP text never contains it.
 * - The header has its own check so that a false sync (0xA5 inside a
 *   payload or in noise) is rejected after 7 bytes. Without it a corrupt
 *   length could make the receiver wait for up to 1 KiB that never comes
 *   and hold back the real frames behind it.
 * - A frame that fails a check is dropped by giving up only its sync byte:
 *   the search resumes at the next byte, so a real frame that started
 *   inside the bad one is still found.
 * - The tag lets each side tell the current session of a channel from a
 *   finished one: a late CLOSE or DATA of a session that is over cannot
 *   end or feed its successor.
 * - Control frames: OPEN (the client side starts a session; payload empty),
 *   ACCEPT (the server side has given it to its process server), REFUSE
 *   (payload: why, printable text), CLOSE (either side ended it). So each
 *   side knows when a session starts and ends, as a connection would say.
 *
 * There is no retransmission: a corrupt frame is lost, as the bytes of a
 * corrupt plain com: line are; gdb's acknowledged mode recovers from that.
 *
 * The decoder is a pure function over a byte buffer: no state, no I/O. */
#ifndef DBGSRV_SERIAL_MUX_H
#define DBGSRV_SERIAL_MUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SERIAL_MUX_SYNC 0xA5
#define SERIAL_MUX_HEADER 7
#define SERIAL_MUX_TRAILER 4
#define SERIAL_MUX_MAX_PAYLOAD 1024
#define SERIAL_MUX_MAX_FRAME (SERIAL_MUX_HEADER + SERIAL_MUX_MAX_PAYLOAD + SERIAL_MUX_TRAILER)
#define SERIAL_MUX_MAX_CHANNEL 254
#define SERIAL_MUX_MAX_REASON 200   /* longest REFUSE text */

enum serial_mux_type {
    SERIAL_MUX_DATA = 1,
    SERIAL_MUX_OPEN = 2,
    SERIAL_MUX_ACCEPT = 3,
    SERIAL_MUX_REFUSE = 4,
    SERIAL_MUX_CLOSE = 5,
};

struct serial_mux_frame {
    enum serial_mux_type type;
    uint8_t channel;
    uint8_t tag;
    uint16_t len;
    const uint8_t *payload;   /* points into the decoded buffer */
};

enum serial_mux_status {
    SERIAL_MUX_FRAME,       /* *FRAME is a frame; drop *USED bytes */
    SERIAL_MUX_NEED_MORE,   /* no complete frame yet; drop *USED bytes (noise) and wait */
    SERIAL_MUX_BAD,         /* drop *USED bytes that are no frame (*WHY says why) */
};

/* CRC-32 (IEEE) of N bytes, continuing from CRC (0 to start). */
uint32_t serial_mux_crc32(uint32_t crc, const uint8_t *data, size_t n);
/* CRC-8 (polynomial 0x07, initial 0) of N bytes. */
uint8_t serial_mux_crc8(const uint8_t *data, size_t n);

/* Writes a frame into OUT (OUTLEN bytes). Returns its length, or 0 if the
 * frame would be invalid (type, channel, length, an unprintable REFUSE
 * reason, a payload on OPEN/ACCEPT/CLOSE) or does not fit. */
size_t serial_mux_encode(uint8_t *out, size_t outlen, enum serial_mux_type type, unsigned channel,
                         uint8_t tag, const void *payload, size_t len);

/* Looks for the first frame in BUF (LEN bytes). Always sets *USED: how many
 * bytes the caller drops from the front before calling again (never more
 * than LEN; more than 0 unless the result is NEED_MORE). On BAD, *WHY is a
 * static description for the log. */
enum serial_mux_status serial_mux_decode(const uint8_t *buf, size_t len, struct serial_mux_frame *frame,
                                         size_t *used, const char **why);

#endif
