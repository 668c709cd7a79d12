/* libFuzzer target for src/common/transport_spec.c.
 *
 * The input (up to its first NUL) is parsed as a transport string with a
 * large and a small error buffer; both must agree. A failure must leave a
 * message; a success must give values in range for its kind, every string
 * field terminated, and 'given' bits that match the fields. Formatting the
 * result must give a string that parses back to the same kind, port range,
 * address, pipe name or serial line, and formats the same again. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "transport_spec.h"


#define TERMINATED(field) CHECK(memchr((field), '\0', sizeof(field)) != NULL)

/* A successful parse: values in range, strings terminated, given bits. */
static void check_spec(const struct transport_spec *spec)
{
    CHECK(spec->kind <= TRANSPORT_STDIO);
    CHECK(strcmp(transport_kind_name(spec->kind), "") != 0);
    CHECK(spec->port <= 65535 && spec->port_last <= 65535);
    CHECK(spec->port <= spec->port_last);
    if (spec->port != spec->port_last)
        CHECK(spec->port >= 1); /* a range does not start at 0 */
    CHECK(spec->ipversion == 0 || spec->ipversion == 4 || spec->ipversion == 6);
    CHECK(spec->channel >= -1 && spec->channel <= 254);
    CHECK(spec->baud <= 4000000);
    TERMINATED(spec->host);
    TERMINATED(spec->password);
    TERMINATED(spec->password_file);
    TERMINATED(spec->clicon);
    TERMINATED(spec->pipe);
    TERMINATED(spec->allow);
    TERMINATED(spec->device);
    TERMINATED(spec->proto);
    TERMINATED(spec->cert);
    TERMINATED(spec->key);
    TERMINATED(spec->ca);
    TERMINATED(spec->fingerprint);

    unsigned long g = spec->given;
    CHECK((g >> 17) == 0);
    CHECK(!(g & TSPEC_BIND) || !(g & TSPEC_SERVER));
    CHECK(!(g & TSPEC_PASSWORD) || !(g & TSPEC_PASSWORD_FILE));
    CHECK(!(g & TSPEC_CLICON) || !(g & (TSPEC_BIND | TSPEC_SERVER)));
    CHECK(spec->hidden == ((g & TSPEC_HIDDEN) != 0));
    CHECK((spec->host[0] != '\0') == ((g & (TSPEC_BIND | TSPEC_SERVER)) != 0));
    CHECK((spec->password[0] != '\0') == ((g & TSPEC_PASSWORD) != 0));
    CHECK((spec->password_file[0] != '\0') == ((g & TSPEC_PASSWORD_FILE) != 0));
    CHECK((spec->clicon[0] != '\0') == ((g & TSPEC_CLICON) != 0));
    CHECK((spec->pipe[0] != '\0') == ((g & TSPEC_PIPE) != 0));
    CHECK((spec->allow[0] != '\0') == ((g & TSPEC_ALLOW) != 0));
    CHECK((spec->ipversion != 0) == ((g & TSPEC_IPVERSION) != 0));
    CHECK((spec->baud != 0) == ((g & TSPEC_BAUD) != 0));
    CHECK((spec->channel >= 0) == ((g & TSPEC_CHANNEL) != 0));
    CHECK((spec->proto[0] != '\0') == ((g & TSPEC_PROTO) != 0));
    CHECK(!spec->pipe[0] || !strchr(spec->pipe, '/'));

    switch (spec->kind) {
    case TRANSPORT_NPIPE:
    case TRANSPORT_SPIPE:
        CHECK(g & TSPEC_PIPE);
        break;
    case TRANSPORT_COM:
        CHECK(g & TSPEC_PORT);
        CHECK(spec->device[0] == '/');
        break;
    case TRANSPORT_STDIO:
        CHECK((g & ~(unsigned long)(TSPEC_PASSWORD | TSPEC_PASSWORD_FILE)) == 0);
        break;
    default:
        break;
    }
    if (spec->kind != TRANSPORT_COM)
        CHECK(spec->device[0] == '\0');
}

/* Formats SPEC (parsed from TEXT) and checks that it parses back. */
static void check_round_trip(const char *text, const struct transport_spec *spec)
{
    char formatted[1024];
    memset(formatted, 0x7e, sizeof formatted);
    CHECK(transport_spec_format(spec, formatted, sizeof formatted) == formatted);
    size_t len = strlen(formatted);
    CHECK(len > 0 && len < sizeof formatted - 1); /* never near truncation */
    /* No secrets in the description (no value can hold a ','). */
    CHECK(strstr(formatted, ",password") == NULL);

    struct transport_spec back;
    char err2[1024];
    if (!transport_spec_parse(formatted, &back, err2, sizeof err2)) {
        fprintf(stderr, "\"%s\" formatted as \"%s\", which fails: %s\n", text, formatted, err2);
        abort();
    }
    CHECK(back.kind == spec->kind);
    switch (spec->kind) {
    case TRANSPORT_TCP:
    case TRANSPORT_SSL:
        CHECK(back.port == spec->port);
        CHECK(back.port_last == spec->port_last);
        if (spec->host[0])
            CHECK(strcmp(back.host, spec->host) == 0);
        break;
    case TRANSPORT_NPIPE:
    case TRANSPORT_SPIPE:
        CHECK(strcmp(back.pipe, spec->pipe) == 0);
        break;
    case TRANSPORT_COM:
        CHECK(strcmp(back.device, spec->device) == 0);
        CHECK(back.channel == spec->channel);
        if (spec->given & TSPEC_BAUD)
            CHECK(back.baud == spec->baud);
        break;
    case TRANSPORT_STDIO:
        break;
    }
    char again[1024];
    transport_spec_format(&back, again, sizeof again);
    CHECK(strcmp(again, formatted) == 0);
}

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
        check_spec(&spec);
        CHECK(memcmp(&spec, &spec2, sizeof spec) == 0); /* the same result both times */
        check_round_trip(text, &spec);
    }
    free(text);
    return 0;
}
