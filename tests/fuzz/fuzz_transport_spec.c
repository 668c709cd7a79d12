/* libFuzzer target for src/common/transport_spec.c.
 *
 * The input (up to its first NUL) is parsed as a transport string with a
 * large and a small error buffer; both must agree. A failure must leave a
 * message; a success must give values in range, and formatting the result
 * must give a string that parses back to the same port and address. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport_spec.h"

#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (!(cond)) {                                                              \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                \
        }                                                                           \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    /* The first byte is the small error buffer's size, the rest the text. */
    size_t small_len = data[0] % 24;
    char *text = malloc(size);
    CHECK(text);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';

    struct transport_spec spec, spec2;
    char err[1024];
    memset(err, 0, sizeof err);
    bool ok = transport_spec_parse(text, &spec, err, sizeof err);

    char small[32];
    memset(small, 0x7e, sizeof small);
    bool ok2 = transport_spec_parse(text, &spec2, small, small_len);
    CHECK(ok == ok2);
    for (size_t i = small_len; i < sizeof small; i++)
        CHECK(small[i] == 0x7e); /* nothing written past ERRLEN */
    if (small_len > 0 && !ok)
        CHECK(memchr(small, '\0', small_len) != NULL);

    if (!ok) {
        CHECK(err[0] != '\0');
        CHECK(memchr(err, '\0', sizeof err) != NULL);
    } else {
        CHECK(spec.kind == TRANSPORT_TCP);
        CHECK(spec.port <= 65535);
        CHECK(spec.ipversion == 0 || spec.ipversion == 4 || spec.ipversion == 6);
        CHECK(strlen(spec.bind) < sizeof spec.bind);
        CHECK(spec2.port == spec.port && strcmp(spec2.bind, spec.bind) == 0);

        char formatted[128];
        CHECK(transport_spec_format(&spec, formatted, sizeof formatted) == formatted);
        struct transport_spec back;
        char err2[1024];
        if (!transport_spec_parse(formatted, &back, err2, sizeof err2)) {
            fprintf(stderr, "\"%s\" formatted as \"%s\", which fails: %s\n", text, formatted, err2);
            abort();
        }
        CHECK(back.port == spec.port);
        if (spec.bind[0])
            CHECK(strcmp(back.bind, spec.bind) == 0);
    }
    free(text);
    return 0;
}
