/* libFuzzer target for src/server/thread_id.c and the hex number parsers it
 * uses (src/common/rsp/hex.c).
 *
 * The input (up to its first NUL) is parsed as a thread id: *P must stay
 * inside the text and not move on failure; parsed values must be in range;
 * ids without -1 must survive ptid_format and ptid_parse. The same text is
 * parsed with hex_parse_u64/hex_parse_i64, and the values round-trip through
 * hex_format_u64. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "rsp/hex.h"
#include "thread_id.h"


static void check_ptid(const char *text)
{
    size_t len = strlen(text);
    const char *p = text;
    struct ptid id;
    if (!ptid_parse(&p, &id)) {
        CHECK(p == text);
        return;
    }
    CHECK(p > text && p <= text + len);
    CHECK(id.pid >= -1 && id.tid >= -1);
    (void)ptid_matches(id, 1, 1);
    CHECK(ptid_matches(id, id.pid > 0 ? id.pid : 1, id.tid > 0 ? id.tid : 1));

    {
        char out[64];
        size_t n = ptid_format(out, sizeof out, id.pid, id.tid, true);
        CHECK(n == strlen(out));
        const char *q = out;
        struct ptid back;
        CHECK(ptid_parse(&q, &back));
        CHECK(q == out + n);
        CHECK(back.pid == id.pid && back.tid == id.tid);

        n = ptid_format(out, sizeof out, id.pid, id.tid, false);
        q = out;
        CHECK(ptid_parse(&q, &back));
        CHECK(back.tid == id.tid);
    }
}

static void check_hex(const char *text)
{
    size_t len = strlen(text);
    const char *p = text;
    uint64_t u;
    if (hex_parse_u64(&p, &u)) {
        CHECK(p > text && p <= text + len);
        char out[17];
        size_t n = hex_format_u64(out, u);
        CHECK(n >= 1 && n <= 16 && out[n] == '\0');
        const char *q = out;
        uint64_t back;
        CHECK(hex_parse_u64(&q, &back) && back == u && q == out + n);
    } else {
        CHECK(p == text);
    }

    p = text;
    int64_t s;
    if (hex_parse_i64(&p, &s)) {
        CHECK(p > text && p <= text + len);
        CHECK(s >= -1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    CHECK(text);
    memcpy(text, data, size);
    text[size] = '\0';
    check_ptid(text);
    check_hex(text);
    free(text);
    return 0;
}
