/* libFuzzer target for what a search reads from outside: queries and
 * replies (src/common/search_protocol.c, datagrams from the network) and
 * registry entry files (src/common/registry.c, files any local user may
 * have planted). Accepted input must be printable where it is shown, and
 * accepted entries must survive a format/parse round trip. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "registry.h"
#include "search_protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    char nonce[SEARCH_NONCE_LEN + 1];
    if (search_query_parse(buf, size, nonce))
        CHECK(strlen(nonce) == SEARCH_NONCE_LEN);

    char host[64];
    struct search_server s[4];
    size_t count = 99;
    if (search_reply_parse(buf, size, "0123456789abcdef", host, sizeof host, s, 4, &count)) {
        CHECK(count <= 4 && strlen(host) > 0);
        for (size_t i = 0; i < count; i++)
            for (const char *p = s[i].transport; *p; p++)
                CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
    }

    char *text = malloc(size + 1);
    CHECK(text);
    memcpy(text, data, size);
    text[size] = '\0';
    struct registry_entry e, back;
    if (registry_parse(text, &e)) {
        CHECK(e.pid > 0);
        char out[512];
        if (registry_format(&e, out, sizeof out)) {
            CHECK(registry_parse(out, &back));
            CHECK(back.pid == e.pid && strcmp(back.transport, e.transport) == 0);
        }
    }
    free(text);
    return 0;
}
