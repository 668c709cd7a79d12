/* libFuzzer target for the frames of com:...,channel=N
 * (src/common/serial_mux.c): what arrives on a serial line, where anything
 * may. The receive loop runs over the input as the multiplexer runs it;
 * every step must consume what it says and stay inside the buffer, every
 * frame delivered must be valid and encode back to the same bytes. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "serial_mux.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t off = 0;
    for (;;) {
        struct serial_mux_frame f;
        size_t used = (size_t)-1;
        const char *why = NULL;
        enum serial_mux_status st = serial_mux_decode(data + off, size - off, &f, &used, &why);
        CHECK(used <= size - off);
        CHECK(why != NULL);
        if (st == SERIAL_MUX_NEED_MORE) {
            /* Waiting is only allowed on what may still become a frame. */
            CHECK(off + used == size || data[off + used] == SERIAL_MUX_SYNC);
            break;
        }
        CHECK(st == SERIAL_MUX_BAD || st == SERIAL_MUX_FRAME);
        CHECK(used > 0);
        if (st == SERIAL_MUX_FRAME) {
            CHECK(f.channel <= SERIAL_MUX_MAX_CHANNEL && f.len <= SERIAL_MUX_MAX_PAYLOAD);
            CHECK(f.payload == data + off + SERIAL_MUX_HEADER);
            uint8_t back[SERIAL_MUX_MAX_FRAME];
            size_t n = serial_mux_encode(back, sizeof back, f.type, f.channel, f.tag, f.payload, f.len);
            CHECK(n == used && memcmp(back, data + off, n) == 0);
        } else {
            CHECK(why[0] != '\0');
        }
        off += used;
    }
    return 0;
}
