/* Transport strings in the DbgSrv style: "tcp:port=2159,bind=127.0.0.1".
 *
 * One parser serves dbgsrv's -t and (later) dbg's -premote, so that both
 * programs accept and reject exactly the same strings. The grammar is
 *     KIND [':' [PARAM (',' PARAM)*]]      PARAM = NAME ['=' VALUE]
 * ("tcp" and "tcp:" alone mean the defaults).
 * Which parameters a kind takes is a table in transport_spec.c; anything
 * unknown, repeated, empty or belonging to another kind is an error that
 * names it. */
#ifndef DBGSRV_TRANSPORT_SPEC_H
#define DBGSRV_TRANSPORT_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#define TRANSPORT_DEFAULT_PORT 2159 /* IANA "gdbremote" */

enum transport_kind {
    TRANSPORT_TCP,
};

struct transport_spec {
    enum transport_kind kind;
    unsigned port;        /* 0: the kernel picks one */
    char bind[64];        /* numeric address or host name; "" = loopback */
    int ipversion;        /* 0 (from the address), 4 or 6 */
};

/* Parses TEXT into SPEC. On failure returns false and writes a message for
 * the user into ERR (ERRLEN bytes), e.g. "unknown parameter 'prot' in ...". */
bool transport_spec_parse(const char *text, struct transport_spec *spec,
                          char *err, size_t errlen);

/* Formats SPEC back into the canonical string (e.g. to report the port that
 * was chosen for port=0). Returns OUT. */
char *transport_spec_format(const struct transport_spec *spec, char *out, size_t len);

#endif
