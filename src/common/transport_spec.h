/* Transport strings in the DbgSrv style: "tcp:port=2159,bind=127.0.0.1".
 *
 * One parser serves dbgsrv's -t and dbg's -premote, so that both programs
 * accept and reject exactly the same strings. The grammar is
 *     KIND [':' [PARAM (',' PARAM)*]]      PARAM = NAME ['=' VALUE]
 * ("tcp" and "tcp:" alone mean the defaults). allow= takes a list that goes on
 * to the next NAME=VALUE parameter: "npipe:pipe=p,allow=alice,bob". Which parameters each kind
 * takes is a table in transport_spec.c; anything unknown, repeated, empty or
 * belonging to another kind is an error that names it. Whether a parameter
 * fits the side using it (bind= is the server's, server= the client's) is
 * checked by the program, which knows its side. */
#ifndef DBGSRV_TRANSPORT_SPEC_H
#define DBGSRV_TRANSPORT_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#define TRANSPORT_DEFAULT_PORT 2159 /* IANA "gdbremote" */

enum transport_kind {
    TRANSPORT_TCP,    /* tcp:port=P[:LAST],bind=|server=,ipversion= */
    TRANSPORT_NPIPE,  /* npipe:pipe=NAME - a Unix socket in the runtime directory */
    TRANSPORT_COM,    /* com:port=DEVICE,baud=RATE,channel=N - a serial line */
    TRANSPORT_SSL,    /* ssl: TLS over TCP */
    TRANSPORT_SPIPE,  /* spipe: TLS over a Unix socket pipe */
    TRANSPORT_STDIO,  /* stdio: the protocol on standard input and output */
};

/* Which parameters were given (bit per parameter id in transport_spec.c). */
struct transport_spec {
    enum transport_kind kind;
    unsigned long given;       /* bit set of TSPEC_* below */
    unsigned port;             /* tcp/ssl: the first port (0: any free one) */
    unsigned port_last;        /* the last port of a range; == port if none */
    bool port_range;           /* port= was FIRST:LAST */
    char host[256];            /* bind= (server) or server= (client) */
    int ipversion;             /* 0 (from the address), 4 or 6 */
    bool hidden;               /* not listed by searches */
    char password[256];
    char password_file[256];
    char clicon[256];          /* reverse connection: the client to dial */
    char pipe[96];             /* npipe/spipe name (may hold %d or %x) */
    char allow[256];           /* npipe: users besides the owner, "a,b" */
    char device[128];          /* com: the serial device */
    unsigned baud;
    int channel;               /* com: -1 for none, else 0..254 */
    char proto[16];            /* ssl/spipe: "tls1.2" or "tls1.3" */
    char cert[256], key[256], ca[256], fingerprint[128];
};

/* Bits of transport_spec.given. */
enum {
    TSPEC_PORT = 1ul << 0, TSPEC_BIND = 1ul << 1, TSPEC_SERVER = 1ul << 2,
    TSPEC_IPVERSION = 1ul << 3, TSPEC_HIDDEN = 1ul << 4, TSPEC_PASSWORD = 1ul << 5,
    TSPEC_PASSWORD_FILE = 1ul << 6, TSPEC_CLICON = 1ul << 7, TSPEC_PIPE = 1ul << 8,
    TSPEC_ALLOW = 1ul << 9, TSPEC_BAUD = 1ul << 10, TSPEC_CHANNEL = 1ul << 11,
    TSPEC_PROTO = 1ul << 12, TSPEC_CERT = 1ul << 13, TSPEC_KEY = 1ul << 14,
    TSPEC_CA = 1ul << 15, TSPEC_FINGERPRINT = 1ul << 16,
};

/* Parses TEXT into SPEC. On failure returns false and writes a message for
 * the user into ERR (ERRLEN bytes), e.g. "unknown parameter 'prot' in ...". */
bool transport_spec_parse(const char *text, struct transport_spec *spec,
                          char *err, size_t errlen);

/* The kind's name as written in transport strings ("tcp", "npipe", ...). */
const char *transport_kind_name(enum transport_kind kind);

/* Formats SPEC as the server describes itself once listening (the bound
 * port first in a range, as DbgSrv shows it: "port=53:60"); no secrets.
 * Returns OUT. */
char *transport_spec_format(const struct transport_spec *spec, char *out, size_t len);

#endif
