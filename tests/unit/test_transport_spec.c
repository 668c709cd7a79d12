/* Unit tests for src/common/transport_spec.c, the transport strings of the
 * DbgSrv family: "KIND[:PARAM[=VALUE],...]".
 *
 * Accepted strings: the defaults of every kind (tcp, npipe, com, ssl, spipe,
 * stdio), each parameter of each kind with the fields and 'given' bits it
 * sets, port ranges "FIRST:LAST", the COMn / n / /dev forms of a serial port,
 * allow= lists ("allow=alice,bob" up to the next parameter), flags (hidden),
 * limits of every length and number.
 * Rejected strings, each with a check that the message names the culprit:
 * unknown kinds and parameters, parameters of another kind ("does not
 * apply"), repeated, empty and value-less parameters, values given to flags,
 * bad ports and ranges, ipversion, channel, baud, proto and serial ports,
 * bind with server, password with password-file, clicon with bind/server,
 * npipe/spipe without pipe=, com without port=, '/' in a pipe name,
 * ipversion/address mismatch; small error buffers.
 * transport_spec_format for every kind, and format-then-parse round trips. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "transport_spec.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Parses TEXT, which must be accepted as a transport of KIND. */
static struct transport_spec parse_kind(const char *text, enum transport_kind kind)
{
    struct transport_spec spec;
    char err[512] = "";
    if (!transport_spec_parse(text, &spec, err, sizeof err))
        fail_msg("\"%s\" was rejected: %s", text, err);
    if (spec.kind != kind)
        fail_msg("\"%s\" parsed as kind %d, expected %d", text, (int)spec.kind, (int)kind);
    return spec;
}

static struct transport_spec parse_ok(const char *text)
{
    return parse_kind(text, TRANSPORT_TCP);
}

/* Checks that TEXT is rejected with a message containing each of the
 * NULL-terminated NEEDLES. */
static void parse_fails(const char *text, ...) __attribute__((sentinel));
static void parse_fails(const char *text, ...)
{
    struct transport_spec spec;
    char err[512];
    memset(err, 0, sizeof err);
    if (transport_spec_parse(text, &spec, err, sizeof err))
        fail_msg("\"%s\" was accepted", text);
    if (err[0] == '\0')
        fail_msg("\"%s\" was rejected with an empty message", text);
    va_list ap;
    va_start(ap, text);
    for (const char *needle; (needle = va_arg(ap, const char *)) != NULL;)
        if (!strstr(err, needle))
            fail_msg("message for \"%s\" lacks \"%s\": %s", text, needle, err);
    va_end(ap);
}

static const char *format(const struct transport_spec *spec)
{
    static char out[1024];
    memset(out, '#', sizeof out);
    assert_ptr_equal(transport_spec_format(spec, out, sizeof out), out);
    return out;
}

/* Writes PREFIX, N copies of C and SUFFIX into OUT (SIZE bytes); returns OUT. */
static char *build(char *out, size_t size, const char *prefix, char c, size_t n, const char *suffix)
{
    size_t a = strlen(prefix), b = strlen(suffix);
    if (a + n + b >= size)
        fail_msg("build: %zu bytes do not fit in %zu", a + n + b, size);
    memcpy(out, prefix, a);
    memset(out + a, c, n);
    memcpy(out + a + n, suffix, b + 1);
    return out;
}

/* ==== tcp: accepted strings ==== */

static void assert_defaults(const struct transport_spec *spec)
{
    assert_int_equal(spec->port, TRANSPORT_DEFAULT_PORT);
    assert_int_equal(spec->port, 2159);
    assert_int_equal(spec->port_last, 2159);
    assert_string_equal(spec->host, "");
    assert_int_equal(spec->ipversion, 0);
    assert_false(spec->hidden);
    assert_string_equal(spec->password, "");
    assert_string_equal(spec->password_file, "");
    assert_string_equal(spec->clicon, "");
    assert_string_equal(spec->pipe, "");
    assert_string_equal(spec->allow, "");
    assert_string_equal(spec->device, "");
    assert_int_equal(spec->baud, 0);
    assert_int_equal(spec->channel, -1);
    assert_string_equal(spec->proto, "");
    assert_string_equal(spec->cert, "");
    assert_string_equal(spec->key, "");
    assert_string_equal(spec->ca, "");
    assert_string_equal(spec->fingerprint, "");
    assert_int_equal(spec->given, 0);
}

static void test_tcp_alone_gives_defaults(void **state)
{
    (void)state;
    struct transport_spec spec = parse_ok("tcp");
    assert_defaults(&spec);
}

static void test_tcp_colon_alone_gives_defaults(void **state)
{
    (void)state;
    struct transport_spec spec = parse_ok("tcp:");
    assert_defaults(&spec);
}

static void test_parse_clears_previous_contents(void **state)
{
    (void)state;
    struct transport_spec spec;
    char err[256];
    memset(&spec, 0x5a, sizeof spec);
    assert_true(transport_spec_parse("tcp", &spec, err, sizeof err));
    assert_defaults(&spec);
}

static void test_port_only(void **state)
{
    (void)state;
    struct transport_spec spec = parse_ok("tcp:port=1234");
    assert_int_equal(spec.port, 1234);
    assert_int_equal(spec.port_last, 1234);
    assert_string_equal(spec.host, "");
    assert_int_equal(spec.ipversion, 0);
    assert_int_equal(spec.given, TSPEC_PORT);
}

static void test_port_limits(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("tcp:port=0").port, 0);
    assert_int_equal(parse_ok("tcp:port=0").port_last, 0);
    assert_int_equal(parse_ok("tcp:port=1").port, 1);
    assert_int_equal(parse_ok("tcp:port=65535").port, 65535);
    assert_int_equal(parse_ok("tcp:port=65535").port_last, 65535);
    assert_int_equal(parse_ok("tcp:port=02159").port, 2159);
}

static void test_port_range(void **state)
{
    (void)state;
    struct transport_spec spec = parse_ok("tcp:port=53:60");
    assert_int_equal(spec.port, 53);
    assert_int_equal(spec.port_last, 60);
    assert_int_equal(spec.given, TSPEC_PORT);
    spec = parse_ok("tcp:port=1:65535");
    assert_int_equal(spec.port, 1);
    assert_int_equal(spec.port_last, 65535);
    spec = parse_ok("tcp:port=65535:65535");
    assert_int_equal(spec.port, 65535);
    assert_int_equal(spec.port_last, 65535);
    /* A range of one port is that port. */
    spec = parse_ok("tcp:port=7:7");
    assert_int_equal(spec.port, 7);
    assert_int_equal(spec.port_last, 7);
    /* With other parameters around it, and with colons in the address. */
    spec = parse_ok("tcp:bind=::1,port=4000:4010,ipversion=6");
    assert_int_equal(spec.port, 4000);
    assert_int_equal(spec.port_last, 4010);
    assert_string_equal(spec.host, "::1");
}

static void test_bind_only_keeps_default_port(void **state)
{
    (void)state;
    struct transport_spec spec = parse_ok("tcp:bind=0.0.0.0");
    assert_int_equal(spec.port, 2159);
    assert_int_equal(spec.port_last, 2159);
    assert_string_equal(spec.host, "0.0.0.0");
    assert_int_equal(spec.given, TSPEC_BIND);
}

static void test_bind_may_contain_colons(void **state)
{
    (void)state;
    /* Only the first ':' separates the kind. */
    assert_string_equal(parse_ok("tcp:bind=::1").host, "::1");
    assert_string_equal(parse_ok("tcp:bind=fe80::1:2,port=5").host, "fe80::1:2");
}

static void test_bind_host_name(void **state)
{
    (void)state;
    assert_string_equal(parse_ok("tcp:bind=localhost").host, "localhost");
}

static void test_bind_longest_accepted(void **state)
{
    (void)state;
    char text[300];
    char name[256];
    build(name, sizeof name, "", 'h', 255, "");
    snprintf(text, sizeof text, "tcp:bind=%s", name);
    assert_string_equal(parse_ok(text).host, name);
}

static void test_server_sets_host(void **state)
{
    (void)state;
    struct transport_spec spec = parse_ok("tcp:server=debughost,port=2000");
    assert_string_equal(spec.host, "debughost");
    assert_int_equal(spec.port, 2000);
    assert_int_equal(spec.given, TSPEC_SERVER | TSPEC_PORT);
    assert_string_equal(parse_ok("tcp:server=fe80::2").host, "fe80::2");
}

static void test_all_tcp_parameters(void **state)
{
    (void)state;
    struct transport_spec spec = parse_ok("tcp:port=1,bind=127.0.0.1,ipversion=4");
    assert_int_equal(spec.port, 1);
    assert_string_equal(spec.host, "127.0.0.1");
    assert_int_equal(spec.ipversion, 4);
    assert_int_equal(spec.given, TSPEC_PORT | TSPEC_BIND | TSPEC_IPVERSION);

    spec = parse_ok("tcp:port=1:9,bind=::,ipversion=6,hidden,password=pw");
    assert_int_equal(spec.port, 1);
    assert_int_equal(spec.port_last, 9);
    assert_string_equal(spec.host, "::");
    assert_int_equal(spec.ipversion, 6);
    assert_true(spec.hidden);
    assert_string_equal(spec.password, "pw");
    assert_int_equal(spec.given, TSPEC_PORT | TSPEC_BIND | TSPEC_IPVERSION | TSPEC_HIDDEN | TSPEC_PASSWORD);
}

static void test_parameters_in_any_order(void **state)
{
    (void)state;
    struct transport_spec spec = parse_ok("tcp:ipversion=6,bind=::,port=2");
    assert_int_equal(spec.port, 2);
    assert_string_equal(spec.host, "::");
    assert_int_equal(spec.ipversion, 6);
}

static void test_ipversion_without_bind(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("tcp:ipversion=4").ipversion, 4);
    assert_int_equal(parse_ok("tcp:ipversion=6").ipversion, 6);
}

static void test_ipversion_with_host_name(void **state)
{
    (void)state;
    /* A name is neither form: the address family decides later. */
    assert_int_equal(parse_ok("tcp:bind=localhost,ipversion=6").ipversion, 6);
    assert_int_equal(parse_ok("tcp:bind=localhost,ipversion=4").ipversion, 4);
    assert_int_equal(parse_ok("tcp:server=localhost,ipversion=6").ipversion, 6);
}

static void test_matching_bind_and_ipversion(void **state)
{
    (void)state;
    parse_ok("tcp:bind=10.0.0.1,ipversion=4");
    parse_ok("tcp:bind=::1,ipversion=6");
    parse_ok("tcp:ipversion=6,bind=fe80::1");
    parse_ok("tcp:server=::ffff:10.0.0.1,ipversion=6");
}

static void test_hidden_flag(void **state)
{
    (void)state;
    struct transport_spec spec = parse_ok("tcp:hidden");
    assert_true(spec.hidden);
    assert_int_equal(spec.given, TSPEC_HIDDEN);
    spec = parse_ok("tcp:port=5,hidden,bind=::1");
    assert_true(spec.hidden);
    assert_int_equal(spec.port, 5);
    assert_string_equal(spec.host, "::1");
    assert_true(parse_kind("npipe:pipe=a,hidden", TRANSPORT_NPIPE).hidden);
    assert_true(parse_kind("ssl:hidden", TRANSPORT_SSL).hidden);
    assert_true(parse_kind("spipe:hidden,pipe=a", TRANSPORT_SPIPE).hidden);
}

static void test_password_and_password_file(void **state)
{
    (void)state;
    struct transport_spec spec = parse_ok("tcp:password=s3cret!");
    assert_string_equal(spec.password, "s3cret!");
    assert_int_equal(spec.given, TSPEC_PASSWORD);
    spec = parse_ok("tcp:password-file=/etc/dbgsrv.pw");
    assert_string_equal(spec.password_file, "/etc/dbgsrv.pw");
    assert_string_equal(spec.password, "");
    assert_int_equal(spec.given, TSPEC_PASSWORD_FILE);
    /* '=' and ':' in the value belong to it. */
    assert_string_equal(parse_ok("tcp:password=a=b:c").password, "a=b:c");
    /* Every kind takes a password. */
    assert_string_equal(parse_kind("npipe:pipe=p,password=x", TRANSPORT_NPIPE).password, "x");
    assert_string_equal(parse_kind("com:port=1,password=x", TRANSPORT_COM).password, "x");
    assert_string_equal(parse_kind("ssl:password=x", TRANSPORT_SSL).password, "x");
    assert_string_equal(parse_kind("spipe:pipe=p,password-file=f", TRANSPORT_SPIPE).password_file, "f");
    assert_string_equal(parse_kind("stdio:password=x", TRANSPORT_STDIO).password, "x");
    assert_string_equal(parse_kind("stdio:password-file=/f", TRANSPORT_STDIO).password_file, "/f");
}

static void test_clicon(void **state)
{
    (void)state;
    struct transport_spec spec = parse_ok("tcp:clicon=client.example,port=2000");
    assert_string_equal(spec.clicon, "client.example");
    assert_string_equal(spec.host, "");
    assert_int_equal(spec.port, 2000);
    assert_int_equal(spec.given, TSPEC_CLICON | TSPEC_PORT);
    assert_string_equal(parse_kind("ssl:clicon=10.1.1.1", TRANSPORT_SSL).clicon, "10.1.1.1");
}

/* ==== the other kinds: accepted strings ==== */

static void test_every_kind_is_known(void **state)
{
    (void)state;
    assert_int_equal(parse_kind("tcp", TRANSPORT_TCP).kind, TRANSPORT_TCP);
    assert_int_equal(parse_kind("npipe:pipe=x", TRANSPORT_NPIPE).kind, TRANSPORT_NPIPE);
    assert_int_equal(parse_kind("com:port=COM1", TRANSPORT_COM).kind, TRANSPORT_COM);
    assert_int_equal(parse_kind("ssl", TRANSPORT_SSL).kind, TRANSPORT_SSL);
    assert_int_equal(parse_kind("spipe:pipe=x", TRANSPORT_SPIPE).kind, TRANSPORT_SPIPE);
    assert_int_equal(parse_kind("stdio", TRANSPORT_STDIO).kind, TRANSPORT_STDIO);
}

static void test_kind_names(void **state)
{
    (void)state;
    assert_string_equal(transport_kind_name(TRANSPORT_TCP), "tcp");
    assert_string_equal(transport_kind_name(TRANSPORT_NPIPE), "npipe");
    assert_string_equal(transport_kind_name(TRANSPORT_COM), "com");
    assert_string_equal(transport_kind_name(TRANSPORT_SSL), "ssl");
    assert_string_equal(transport_kind_name(TRANSPORT_SPIPE), "spipe");
    assert_string_equal(transport_kind_name(TRANSPORT_STDIO), "stdio");
}

static void test_npipe(void **state)
{
    (void)state;
    struct transport_spec spec = parse_kind("npipe:pipe=dbgpipe", TRANSPORT_NPIPE);
    assert_string_equal(spec.pipe, "dbgpipe");
    assert_string_equal(spec.allow, "");
    assert_string_equal(spec.host, "");
    assert_int_equal(spec.given, TSPEC_PIPE);

    /* %d / %x are kept for the server to expand. */
    assert_string_equal(parse_kind("npipe:pipe=dbg-%d", TRANSPORT_NPIPE).pipe, "dbg-%d");
    assert_string_equal(parse_kind("npipe:pipe=x%x", TRANSPORT_NPIPE).pipe, "x%x");

    spec = parse_kind("npipe:allow=nobody,pipe=p", TRANSPORT_NPIPE);
    assert_string_equal(spec.allow, "nobody");
    assert_string_equal(spec.pipe, "p");
    assert_int_equal(spec.given, TSPEC_PIPE | TSPEC_ALLOW);
    assert_string_equal(parse_kind("npipe:pipe=p,allow=65534", TRANSPORT_NPIPE).allow, "65534");

    /* The client side names the machine with server=. */
    spec = parse_kind("npipe:server=box,pipe=p", TRANSPORT_NPIPE);
    assert_string_equal(spec.host, "box");
    assert_int_equal(spec.given, TSPEC_SERVER | TSPEC_PIPE);
}

static void test_npipe_pipe_name_limits(void **state)
{
    (void)state;
    char text[200];
    build(text, sizeof text, "npipe:pipe=", 'p', 95, "");
    assert_int_equal(strlen(parse_kind(text, TRANSPORT_NPIPE).pipe), 95);
    build(text, sizeof text, "npipe:pipe=", 'p', 96, "");
    parse_fails(text, "'pipe'", NULL);
}

static void test_npipe_allow_list(void **state)
{
    (void)state;
    /* allow= takes a list: it goes on to the next parameter. */
    struct transport_spec spec = parse_kind("npipe:pipe=p,allow=alice,bob", TRANSPORT_NPIPE);
    assert_string_equal(spec.allow, "alice,bob");
    assert_string_equal(spec.pipe, "p");
    assert_int_equal(spec.given, TSPEC_PIPE | TSPEC_ALLOW);

    spec = parse_kind("npipe:allow=alice,bob,1000,pipe=p", TRANSPORT_NPIPE);
    assert_string_equal(spec.allow, "alice,bob,1000");
    assert_string_equal(spec.pipe, "p");

    /* A known flag ends the list. */
    spec = parse_kind("npipe:allow=alice,bob,hidden,pipe=p", TRANSPORT_NPIPE);
    assert_string_equal(spec.allow, "alice,bob");
    assert_true(spec.hidden);

    spec = parse_kind("spipe:pipe=s,allow=a,b,c", TRANSPORT_SPIPE);
    assert_string_equal(spec.allow, "a,b,c");

    /* The longest list that fits, and one user more. */
    char text[400];
    build(text, sizeof text, "npipe:pipe=p,allow=", 'u', 253, ",v");
    assert_int_equal(strlen(parse_kind(text, TRANSPORT_NPIPE).allow), 255);
    build(text, sizeof text, "npipe:pipe=p,allow=", 'u', 253, ",vw");
    parse_fails(text, "allow", NULL);
}

static void test_npipe_allow_list_errors(void **state)
{
    (void)state;
    /* Only right after allow= does a bare word name a user. */
    parse_fails("npipe:allow=alice,pipe=p,bob", "unknown parameter", "'bob'", NULL);
    parse_fails("npipe:pipe=p,bob", "unknown parameter", "'bob'", NULL);
    /* A word with '=' is a parameter. */
    parse_fails("npipe:pipe=p,allow=alice,bob=1", "unknown parameter", "'bob'", NULL);
    /* Empty entries, a list given twice, known names of another kind. */
    parse_fails("npipe:pipe=p,allow=alice,,bob", "empty parameter", NULL);
    parse_fails("npipe:pipe=p,allow=alice,", "empty parameter", NULL);
    parse_fails("npipe:pipe=p,allow=a,b,allow=c", "'allow'", "twice", NULL);
    parse_fails("npipe:pipe=p,allow=alice,port", "'port'", "does not apply", NULL);
    parse_fails("tcp:allow=alice,bob", "'allow'", "does not apply", NULL);
}

static void test_com_port_forms(void **state)
{
    (void)state;
    struct transport_spec spec = parse_kind("com:port=COM2", TRANSPORT_COM);
    assert_string_equal(spec.device, "/dev/ttyS1");
    assert_int_equal(spec.channel, -1);
    assert_int_equal(spec.given, TSPEC_PORT);
    assert_string_equal(parse_kind("com:port=2", TRANSPORT_COM).device, "/dev/ttyS1");
    assert_string_equal(parse_kind("com:port=COM1", TRANSPORT_COM).device, "/dev/ttyS0");
    assert_string_equal(parse_kind("com:port=1", TRANSPORT_COM).device, "/dev/ttyS0");
    assert_string_equal(parse_kind("com:port=COM255", TRANSPORT_COM).device, "/dev/ttyS254");
    assert_string_equal(parse_kind("com:port=255", TRANSPORT_COM).device, "/dev/ttyS254");
    assert_string_equal(parse_kind("com:port=/dev/ttyUSB0", TRANSPORT_COM).device, "/dev/ttyUSB0");
    assert_string_equal(parse_kind("com:port=/dev/serial/by-id/usb-FTDI:1", TRANSPORT_COM).device,
                        "/dev/serial/by-id/usb-FTDI:1");
    /* The longest path that fits. */
    char text[300], path[128];
    build(path, sizeof path, "/", 'd', 126, "");
    snprintf(text, sizeof text, "com:port=%s", path);
    assert_string_equal(parse_kind(text, TRANSPORT_COM).device, path);
}

static void test_com_baud_and_channel(void **state)
{
    (void)state;
    struct transport_spec spec = parse_kind("com:port=COM3,baud=115200,channel=7", TRANSPORT_COM);
    assert_string_equal(spec.device, "/dev/ttyS2");
    assert_int_equal(spec.baud, 115200);
    assert_int_equal(spec.channel, 7);
    assert_int_equal(spec.given, TSPEC_PORT | TSPEC_BAUD | TSPEC_CHANNEL);
    assert_int_equal(parse_kind("com:channel=0,port=1", TRANSPORT_COM).channel, 0);
    assert_int_equal(parse_kind("com:port=1,channel=254", TRANSPORT_COM).channel, 254);
    assert_int_equal(parse_kind("com:port=1,baud=1", TRANSPORT_COM).baud, 1);
    assert_int_equal(parse_kind("com:port=1,baud=4000000", TRANSPORT_COM).baud, 4000000);
    assert_int_equal(parse_kind("com:baud=9600,port=1", TRANSPORT_COM).baud, 9600);
}

static void test_ssl(void **state)
{
    (void)state;
    struct transport_spec spec = parse_kind("ssl", TRANSPORT_SSL);
    assert_defaults(&spec);
    spec = parse_kind("ssl:port=443:450,bind=::1,ipversion=6,proto=tls1.3,cert=/c.pem,key=/k.pem,"
                      "ca=/ca.pem,fingerprint=AB:CD:EF",
                      TRANSPORT_SSL);
    assert_int_equal(spec.port, 443);
    assert_int_equal(spec.port_last, 450);
    assert_string_equal(spec.host, "::1");
    assert_int_equal(spec.ipversion, 6);
    assert_string_equal(spec.proto, "tls1.3");
    assert_string_equal(spec.cert, "/c.pem");
    assert_string_equal(spec.key, "/k.pem");
    assert_string_equal(spec.ca, "/ca.pem");
    assert_string_equal(spec.fingerprint, "AB:CD:EF");
    assert_int_equal(spec.given, TSPEC_PORT | TSPEC_BIND | TSPEC_IPVERSION | TSPEC_PROTO | TSPEC_CERT |
                                     TSPEC_KEY | TSPEC_CA | TSPEC_FINGERPRINT);
    assert_string_equal(parse_kind("ssl:proto=tls1.2", TRANSPORT_SSL).proto, "tls1.2");
    assert_string_equal(parse_kind("ssl:server=h,port=1", TRANSPORT_SSL).host, "h");
}

static void test_spipe(void **state)
{
    (void)state;
    struct transport_spec spec =
        parse_kind("spipe:pipe=sec,proto=tls1.2,cert=c,key=k,ca=a,fingerprint=f,allow=root", TRANSPORT_SPIPE);
    assert_string_equal(spec.pipe, "sec");
    assert_string_equal(spec.proto, "tls1.2");
    assert_string_equal(spec.cert, "c");
    assert_string_equal(spec.key, "k");
    assert_string_equal(spec.ca, "a");
    assert_string_equal(spec.fingerprint, "f");
    assert_string_equal(spec.allow, "root");
    assert_int_equal(spec.given, TSPEC_PIPE | TSPEC_PROTO | TSPEC_CERT | TSPEC_KEY | TSPEC_CA |
                                     TSPEC_FINGERPRINT | TSPEC_ALLOW);
}

static void test_stdio(void **state)
{
    (void)state;
    struct transport_spec spec = parse_kind("stdio", TRANSPORT_STDIO);
    assert_defaults(&spec);
    spec = parse_kind("stdio:", TRANSPORT_STDIO);
    assert_defaults(&spec);
}

/* ==== rejected strings ==== */

static void test_unknown_transport(void **state)
{
    (void)state;
    parse_fails("udp:port=1", "unknown transport", "'udp'", NULL);
    parse_fails("foo", "unknown transport", "'foo'", NULL);
    parse_fails("tcpx", "'tcpx'", NULL);
    parse_fails("tc:port=1", "'tc'", NULL);
    parse_fails("tcp6:port=1", "'tcp6'", NULL);
    parse_fails("pipe:pipe=x", "unknown transport", "'pipe'", NULL);
    parse_fails("serial:port=1", "unknown transport", "'serial'", NULL);
    parse_fails("stdiox", "unknown transport", "'stdiox'", NULL);
    parse_fails("npip:pipe=x", "unknown transport", "'npip'", NULL);
    /* The message lists the kinds there are. */
    parse_fails("udp", "tcp", "npipe", "com", "ssl", "spipe", "stdio", NULL);
}

static void test_empty_or_missing_kind(void **state)
{
    (void)state;
    parse_fails("", "bad transport", NULL);
    parse_fails(":port=1", "':port=1'", NULL);
}

static void test_overlong_kind(void **state)
{
    (void)state;
    parse_fails("averyveryverylongtransportname:port=1", "averyveryverylongtransportname", NULL);
    char text[300];
    build(text, sizeof text, "", 'k', 200, ":port=1");
    parse_fails(text, "unknown transport", NULL);
}

static void test_unknown_parameter(void **state)
{
    (void)state;
    parse_fails("tcp:prot=2159", "unknown parameter", "'prot'", "tcp:prot=2159", NULL);
    parse_fails("tcp:PORT=1", "'PORT'", NULL);
    parse_fails("tcp:port=1,bogus", "unknown parameter", "'bogus'", NULL);
    parse_fails("npipe:pipe=x,name=y", "unknown parameter", "'name'", NULL);
    parse_fails("com:port=1,speed=9600", "unknown parameter", "'speed'", NULL);
    parse_fails("stdio:verbose", "unknown parameter", "'verbose'", NULL);
    parse_fails("tcp:=1", "unknown parameter", "''", NULL);
    parse_fails("tcp:password_file=x", "unknown parameter", "'password_file'", NULL);
}

/* Each parameter with a kind that does not take it. */
static void test_parameter_of_another_kind(void **state)
{
    (void)state;
    static const struct {
        const char *text, *param, *kind;
    } cases[] = {
        {"tcp:port=1,pipe=foo", "'pipe'", "'tcp'"},
        {"tcp:allow=root", "'allow'", "'tcp'"},
        {"tcp:baud=9600", "'baud'", "'tcp'"},
        {"tcp:channel=1", "'channel'", "'tcp'"},
        {"tcp:proto=tls1.2", "'proto'", "'tcp'"},
        {"tcp:cert=c", "'cert'", "'tcp'"},
        {"tcp:key=k", "'key'", "'tcp'"},
        {"tcp:ca=a", "'ca'", "'tcp'"},
        {"tcp:fingerprint=f", "'fingerprint'", "'tcp'"},
        {"npipe:pipe=x,port=1", "'port'", "'npipe'"},
        {"npipe:pipe=x,bind=h", "'bind'", "'npipe'"},
        {"npipe:pipe=x,ipversion=4", "'ipversion'", "'npipe'"},
        {"npipe:pipe=x,clicon=h", "'clicon'", "'npipe'"},
        {"npipe:pipe=x,baud=1", "'baud'", "'npipe'"},
        {"npipe:pipe=x,proto=tls1.2", "'proto'", "'npipe'"},
        {"npipe:pipe=x,cert=c", "'cert'", "'npipe'"},
        {"com:port=1,bind=h", "'bind'", "'com'"},
        {"com:port=1,server=h", "'server'", "'com'"},
        {"com:port=1,ipversion=4", "'ipversion'", "'com'"},
        {"com:port=1,hidden", "'hidden'", "'com'"},
        {"com:port=1,clicon=h", "'clicon'", "'com'"},
        {"com:port=1,pipe=p", "'pipe'", "'com'"},
        {"com:port=1,allow=root", "'allow'", "'com'"},
        {"com:port=1,proto=tls1.2", "'proto'", "'com'"},
        {"com:port=1,fingerprint=f", "'fingerprint'", "'com'"},
        {"ssl:pipe=p", "'pipe'", "'ssl'"},
        {"ssl:allow=root", "'allow'", "'ssl'"},
        {"ssl:baud=1", "'baud'", "'ssl'"},
        {"ssl:channel=1", "'channel'", "'ssl'"},
        {"spipe:pipe=p,port=1", "'port'", "'spipe'"},
        {"spipe:pipe=p,bind=h", "'bind'", "'spipe'"},
        {"spipe:pipe=p,ipversion=6", "'ipversion'", "'spipe'"},
        {"spipe:pipe=p,clicon=h", "'clicon'", "'spipe'"},
        {"spipe:pipe=p,baud=1", "'baud'", "'spipe'"},
        {"stdio:port=1", "'port'", "'stdio'"},
        {"stdio:bind=h", "'bind'", "'stdio'"},
        {"stdio:server=h", "'server'", "'stdio'"},
        {"stdio:ipversion=4", "'ipversion'", "'stdio'"},
        {"stdio:hidden", "'hidden'", "'stdio'"},
        {"stdio:clicon=h", "'clicon'", "'stdio'"},
        {"stdio:pipe=p", "'pipe'", "'stdio'"},
        {"stdio:allow=root", "'allow'", "'stdio'"},
        {"stdio:baud=1", "'baud'", "'stdio'"},
        {"stdio:channel=1", "'channel'", "'stdio'"},
        {"stdio:proto=tls1.3", "'proto'", "'stdio'"},
        {"stdio:cert=c", "'cert'", "'stdio'"},
        {"stdio:key=k", "'key'", "'stdio'"},
        {"stdio:ca=a", "'ca'", "'stdio'"},
        {"stdio:fingerprint=f", "'fingerprint'", "'stdio'"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
        parse_fails(cases[i].text, "does not apply to transport", cases[i].param, cases[i].kind, NULL);
}

static void test_repeated_parameter(void **state)
{
    (void)state;
    parse_fails("tcp:port=1,port=2", "'port'", "twice", NULL);
    parse_fails("tcp:port=1,port=1", "'port'", "twice", NULL);
    parse_fails("tcp:bind=a,port=1,bind=b", "'bind'", "twice", NULL);
    parse_fails("tcp:ipversion=4,ipversion=6", "'ipversion'", "twice", NULL);
    parse_fails("tcp:server=a,server=b", "'server'", "twice", NULL);
    parse_fails("tcp:hidden,hidden", "'hidden'", "twice", NULL);
    parse_fails("tcp:password=a,password=a", "'password'", "twice", NULL);
    parse_fails("npipe:pipe=a,pipe=b", "'pipe'", "twice", NULL);
    parse_fails("npipe:pipe=a,allow=root,allow=nobody", "'allow'", "twice", NULL);
    parse_fails("com:port=1,port=2", "'port'", "twice", NULL);
    parse_fails("com:port=1,baud=1,baud=2", "'baud'", "twice", NULL);
    parse_fails("com:port=1,channel=1,channel=1", "'channel'", "twice", NULL);
    parse_fails("ssl:proto=tls1.2,proto=tls1.3", "'proto'", "twice", NULL);
    parse_fails("ssl:cert=a,cert=b", "'cert'", "twice", NULL);
    parse_fails("spipe:pipe=p,fingerprint=a,fingerprint=b", "'fingerprint'", "twice", NULL);
}

static void test_empty_parameter(void **state)
{
    (void)state;
    parse_fails("tcp:port=1,", "empty parameter", NULL);
    parse_fails("tcp:,port=1", "empty parameter", NULL);
    parse_fails("tcp:port=1,,bind=x", "empty parameter", NULL);
    parse_fails("tcp:,", "empty parameter", NULL);
    parse_fails("npipe:pipe=x,", "empty parameter", NULL);
    parse_fails("stdio:,", "empty parameter", NULL);
}

static void test_parameter_without_value(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"tcp:port", "'port'"},
        {"tcp:bind", "'bind'"},
        {"tcp:port=1,ipversion", "'ipversion'"},
        {"tcp:server", "'server'"},
        {"tcp:password", "'password'"},
        {"tcp:password-file", "'password-file'"},
        {"tcp:clicon", "'clicon'"},
        {"npipe:pipe", "'pipe'"},
        {"npipe:pipe=x,allow", "'allow'"},
        {"com:port", "'port'"},
        {"com:port=1,baud", "'baud'"},
        {"com:port=1,channel", "'channel'"},
        {"ssl:proto", "'proto'"},
        {"ssl:cert", "'cert'"},
        {"ssl:key", "'key'"},
        {"ssl:ca", "'ca'"},
        {"ssl:fingerprint", "'fingerprint'"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
        parse_fails(cases[i][0], cases[i][1], "needs a value", NULL);
}

static void test_empty_string_value(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"tcp:bind=", "'bind'"},
        {"tcp:server=", "'server'"},
        {"tcp:password=", "'password'"},
        {"tcp:password-file=", "'password-file'"},
        {"tcp:clicon=", "'clicon'"},
        {"npipe:pipe=", "'pipe'"},
        {"npipe:pipe=x,allow=", "'allow'"},
        {"ssl:cert=", "'cert'"},
        {"ssl:key=", "'key'"},
        {"ssl:ca=", "'ca'"},
        {"ssl:fingerprint=", "'fingerprint'"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
        parse_fails(cases[i][0], "bad value", cases[i][1], NULL);
}

static void test_flag_with_value(void **state)
{
    (void)state;
    parse_fails("tcp:hidden=1", "'hidden'", "takes no value", NULL);
    parse_fails("tcp:hidden=", "'hidden'", "takes no value", NULL);
    parse_fails("tcp:port=1,hidden=yes,bind=::1", "'hidden'", "takes no value", NULL);
    parse_fails("npipe:pipe=x,hidden=true", "'hidden'", "takes no value", NULL);
}

static void test_bad_port(void **state)
{
    (void)state;
    const char *bad[] = {"tcp:port=", "tcp:port=abc", "tcp:port=65536", "tcp:port=99999",
                         "tcp:port=123456", "tcp:port=-1", "tcp:port=+1", "tcp:port= 1",
                         "tcp:port=1 ", "tcp:port=0x10", "tcp:port=12a", "tcp:port=4294967297",
                         "tcp:port=18446744073709551617", "ssl:port=70000"};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        const char *value = strchr(bad[i], '=') + 1;
        char quoted[40];
        snprintf(quoted, sizeof quoted, "'%s'", value);
        parse_fails(bad[i], "bad port", quoted, NULL);
    }
}

static void test_bad_port_range(void **state)
{
    (void)state;
    const char *bad[] = {
        "tcp:port=60:53",      /* first > last */
        "tcp:port=2:1",
        "tcp:port=0:5",        /* 0 means any port: not a range start */
        "tcp:port=0:0",
        "tcp:port=1:65536",    /* out of range */
        "tcp:port=65536:65537",
        "tcp:port=100000:100001",
        "tcp:port=:5",         /* a side missing */
        "tcp:port=5:",
        "tcp:port=:",
        "tcp:port=1:2:3",      /* more than two */
        "tcp:port=a:5",
        "tcp:port=5:b",
        "tcp:port=5 :6",
        "tcp:port=5:-6",
        "tcp:port=5-6",        /* not the range syntax */
        "ssl:port=9:8",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        const char *value = strchr(bad[i], '=') + 1;
        char quoted[40];
        snprintf(quoted, sizeof quoted, "'%s'", value);
        parse_fails(bad[i], "bad port", quoted, NULL);
    }
}

static void test_bad_bind(void **state)
{
    (void)state;
    parse_fails("tcp:bind=", "bad value", "'bind'", NULL);
    char text[300];
    build(text, sizeof text, "tcp:bind=", 'h', 256, "");
    parse_fails(text, "bad value", "'bind'", NULL);
    build(text, sizeof text, "tcp:server=", 'h', 256, "");
    parse_fails(text, "bad value", "'server'", NULL);
}

static void test_bad_ipversion(void **state)
{
    (void)state;
    parse_fails("tcp:ipversion=5", "bad ipversion", "'5'", NULL);
    parse_fails("tcp:ipversion=", "bad ipversion", "''", NULL);
    parse_fails("tcp:ipversion=46", "bad ipversion", "'46'", NULL);
    parse_fails("tcp:ipversion=v4", "bad ipversion", "'v4'", NULL);
    parse_fails("tcp:ipversion=04", "bad ipversion", NULL);
    parse_fails("ssl:ipversion=0", "bad ipversion", "'0'", NULL);
}

static void test_bad_channel(void **state)
{
    (void)state;
    const char *bad[] = {"255", "256", "1000", "-1", "", "x", "1x", " 1", "99999999999"};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        char text[64], quoted[40];
        snprintf(text, sizeof text, "com:port=1,channel=%s", bad[i]);
        snprintf(quoted, sizeof quoted, "'%s'", bad[i]);
        parse_fails(text, "bad channel", quoted, NULL);
    }
}

static void test_bad_baud(void **state)
{
    (void)state;
    const char *bad[] = {"0", "", "x", "-9600", "9600x", "4000001", "99999999999"};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        char text[64], quoted[40];
        snprintf(text, sizeof text, "com:port=1,baud=%s", bad[i]);
        snprintf(quoted, sizeof quoted, "'%s'", bad[i]);
        parse_fails(text, "bad baud", quoted, NULL);
    }
}

static void test_bad_serial_port(void **state)
{
    (void)state;
    const char *bad[] = {"COM0", "0", "COM256", "256", "COM", "", "ttyS0", "COMx", "com1", "COM-1", "dev/ttyS0"};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        char text[64], quoted[40];
        snprintf(text, sizeof text, "com:port=%s", bad[i]);
        snprintf(quoted, sizeof quoted, "'%s'", bad[i]);
        parse_fails(text, "bad serial port", quoted, NULL);
    }
    /* A path too long for the device field. */
    char text[300];
    build(text, sizeof text, "com:port=/", 'd', 127, "");
    parse_fails(text, "bad serial port", NULL);
}

static void test_bad_proto(void **state)
{
    (void)state;
    const char *bad[] = {"tls1.1", "tls1.0", "ssl3", "TLS1.2", "tls1.2 ", "tls13", "", "tls1.3x"};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        char text[64], quoted[40];
        snprintf(text, sizeof text, "ssl:proto=%s", bad[i]);
        snprintf(quoted, sizeof quoted, "'%s'", bad[i]);
        parse_fails(text, "bad proto", quoted, NULL);
        snprintf(text, sizeof text, "spipe:pipe=p,proto=%s", bad[i]);
        parse_fails(text, "bad proto", quoted, NULL);
    }
}

static void test_bind_and_server_together(void **state)
{
    (void)state;
    parse_fails("tcp:bind=a,server=b", "'bind'", "'server'", "together", NULL);
    parse_fails("tcp:server=b,port=1,bind=a", "'bind'", "'server'", "together", NULL);
    parse_fails("ssl:bind=a,server=b", "'bind'", "'server'", "together", NULL);
}

static void test_password_and_password_file_together(void **state)
{
    (void)state;
    parse_fails("tcp:password=a,password-file=b", "'password'", "'password-file'", "together", NULL);
    parse_fails("npipe:password-file=b,pipe=p,password=a", "'password'", "'password-file'", "together", NULL);
    parse_fails("stdio:password=a,password-file=b", "'password'", "'password-file'", "together", NULL);
}

static void test_clicon_with_bind_or_server(void **state)
{
    (void)state;
    parse_fails("tcp:clicon=a,bind=b", "'clicon'", "'bind'", NULL);
    parse_fails("tcp:server=b,clicon=a", "'clicon'", "'server'", NULL);
    parse_fails("ssl:clicon=a,bind=b", "'clicon'", NULL);
}

static void test_pipe_kinds_need_pipe(void **state)
{
    (void)state;
    parse_fails("npipe", "'npipe'", "needs pipe=", NULL);
    parse_fails("npipe:", "'npipe'", "needs pipe=", NULL);
    parse_fails("npipe:allow=root", "'npipe'", "needs pipe=", NULL);
    parse_fails("npipe:server=box", "'npipe'", "needs pipe=", NULL);
    parse_fails("spipe", "'spipe'", "needs pipe=", NULL);
    parse_fails("spipe:proto=tls1.3", "'spipe'", "needs pipe=", NULL);
}

static void test_com_needs_port(void **state)
{
    (void)state;
    parse_fails("com", "'com'", "needs port=", NULL);
    parse_fails("com:", "'com'", "needs port=", NULL);
    parse_fails("com:baud=9600", "'com'", "needs port=", NULL);
    parse_fails("com:baud=9600,channel=1", "'com'", "needs port=", NULL);
}

static void test_pipe_name_with_slash(void **state)
{
    (void)state;
    parse_fails("npipe:pipe=a/b", "'a/b'", "'/'", NULL);
    parse_fails("npipe:pipe=/tmp/x", "'/tmp/x'", "'/'", NULL);
    parse_fails("npipe:pipe=../x", "'../x'", "'/'", NULL);
    parse_fails("npipe:pipe=x/", "'x/'", NULL);
    parse_fails("spipe:pipe=a/b", "'a/b'", "'/'", NULL);
}

static void test_bind_ipversion_mismatch(void **state)
{
    (void)state;
    parse_fails("tcp:bind=127.0.0.1,ipversion=6", "'127.0.0.1'", "does not match", NULL);
    parse_fails("tcp:bind=::1,ipversion=4", "'::1'", "does not match", NULL);
    /* Checked after all parameters, whatever their order. */
    parse_fails("tcp:ipversion=4,bind=::1", "'::1'", "does not match", NULL);
    parse_fails("tcp:ipversion=6,port=5,bind=0.0.0.0", "'0.0.0.0'", "does not match", NULL);
    /* The same for server= and for ssl. */
    parse_fails("tcp:server=10.0.0.1,ipversion=6", "'10.0.0.1'", "does not match", NULL);
    parse_fails("ssl:ipversion=4,server=fe80::1", "'fe80::1'", "does not match", NULL);
}

static void test_overlong_parameter(void **state)
{
    (void)state;
    char text[700];
    build(text, sizeof text, "tcp:bind=", 'x', 300, "");
    parse_fails(text, (const char *)NULL); /* rejected, whatever the message */
    build(text, sizeof text, "tcp:bind=", 'x', 600, "");
    parse_fails(text, (const char *)NULL);
    build(text, sizeof text, "tcp:password=", 'x', 256, "");
    parse_fails(text, "'password'", NULL);
    build(text, sizeof text, "ssl:fingerprint=", 'f', 128, "");
    parse_fails(text, "'fingerprint'", NULL);
    build(text, sizeof text, "ssl:fingerprint=", 'f', 127, "");
    assert_int_equal(strlen(parse_kind(text, TRANSPORT_SSL).fingerprint), 127);
    build(text, sizeof text, "", 'x', 550, ":port=1");
    parse_fails(text, (const char *)NULL);
}

static void test_first_error_is_reported(void **state)
{
    (void)state;
    /* The unknown parameter comes before the bad port. */
    parse_fails("tcp:prot=1,port=x", "'prot'", NULL);
    parse_fails("tcp:port=x,prot=1", "bad port", "'x'", NULL);
    parse_fails("tcp:pipe=x,port=x", "'pipe'", "does not apply", NULL);
    parse_fails("com:channel=999,bind=x", "bad channel", NULL);
}

static void test_small_error_buffer_is_truncated_safely(void **state)
{
    (void)state;
    const char *bad[] = {"tcp:prot=2159", "npipe", "com:port=1,bind=x", "tcp:bind=a,server=b", "x"};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        struct transport_spec spec;
        char err[16];
        memset(err, '#', sizeof err);
        assert_false(transport_spec_parse(bad[i], &spec, err, 8));
        assert_int_equal(strlen(err), 7);
        for (size_t j = 8; j < sizeof err; j++)
            assert_int_equal(err[j], '#');
    }
}

/* ==== transport_spec_format ==== */

static void test_format_defaults(void **state)
{
    (void)state;
    struct transport_spec spec = parse_ok("tcp");
    assert_string_equal(format(&spec), "tcp:port=2159,bind=127.0.0.1");
}

static void test_format_ipv6_default_bind(void **state)
{
    (void)state;
    struct transport_spec spec = parse_ok("tcp:ipversion=6,port=0");
    assert_string_equal(format(&spec), "tcp:port=0,bind=::1");
}

static void test_format_given_bind_and_port(void **state)
{
    (void)state;
    struct transport_spec spec = parse_ok("tcp:bind=0.0.0.0,port=65535");
    assert_string_equal(format(&spec), "tcp:port=65535,bind=0.0.0.0");
    spec = parse_ok("tcp:bind=::,ipversion=6");
    assert_string_equal(format(&spec), "tcp:port=2159,bind=::");
}

static void test_format_reports_chosen_port(void **state)
{
    (void)state;
    struct transport_spec spec = parse_ok("tcp:port=0");
    spec.port = spec.port_last = 40123; /* what the kernel picked */
    assert_string_equal(format(&spec), "tcp:port=40123,bind=127.0.0.1");
}

static void test_format_range(void **state)
{
    (void)state;
    struct transport_spec spec = parse_ok("tcp:port=53:60");
    assert_string_equal(format(&spec), "tcp:port=53:60,bind=127.0.0.1");
    spec.port = 55; /* the first free port of the range, as bound */
    assert_string_equal(format(&spec), "tcp:port=55:60,bind=127.0.0.1");
    spec = parse_ok("tcp:port=2000:2001,bind=::1");
    assert_string_equal(format(&spec), "tcp:port=2000:2001,bind=::1");
}

static void test_format_secrets_and_flags_left_out(void **state)
{
    (void)state;
    struct transport_spec spec = parse_ok("tcp:port=5,password=topsecret,hidden");
    assert_string_equal(format(&spec), "tcp:port=5,bind=127.0.0.1");
    spec = parse_kind("npipe:pipe=p,password=topsecret", TRANSPORT_NPIPE);
    assert_null(strstr(format(&spec), "topsecret"));
    spec = parse_kind("stdio:password=topsecret", TRANSPORT_STDIO);
    assert_string_equal(format(&spec), "stdio");
}

static void test_format_server_host(void **state)
{
    (void)state;
    struct transport_spec spec = parse_ok("tcp:server=box,port=7");
    assert_string_equal(format(&spec), "tcp:port=7,bind=box");
}

static void test_format_npipe(void **state)
{
    (void)state;
    struct transport_spec spec = parse_kind("npipe:pipe=dbgpipe", TRANSPORT_NPIPE);
    assert_string_equal(format(&spec), "npipe:pipe=dbgpipe");
    spec = parse_kind("npipe:allow=nobody,pipe=p%d", TRANSPORT_NPIPE);
    assert_string_equal(format(&spec), "npipe:pipe=p%d");
    spec = parse_kind("spipe:pipe=sec,proto=tls1.3", TRANSPORT_SPIPE);
    assert_string_equal(format(&spec), "spipe:pipe=sec");
}

static void test_format_com(void **state)
{
    (void)state;
    struct transport_spec spec = parse_kind("com:port=COM2,baud=9600", TRANSPORT_COM);
    assert_string_equal(format(&spec), "com:port=/dev/ttyS1,baud=9600");
    spec = parse_kind("com:port=/dev/ttyUSB0,baud=115200,channel=3", TRANSPORT_COM);
    assert_string_equal(format(&spec), "com:port=/dev/ttyUSB0,baud=115200,channel=3");
    spec = parse_kind("com:channel=0,baud=9600,port=1", TRANSPORT_COM);
    assert_string_equal(format(&spec), "com:port=/dev/ttyS0,baud=9600,channel=0");
    /* Without baud= none is shown (baud=0 would not parse). */
    spec = parse_kind("com:port=COM2", TRANSPORT_COM);
    assert_string_equal(format(&spec), "com:port=/dev/ttyS1");
    spec = parse_kind("com:port=COM1,channel=254", TRANSPORT_COM);
    assert_string_equal(format(&spec), "com:port=/dev/ttyS0,channel=254");
}

static void test_format_com_truncates_to_len(void **state)
{
    (void)state;
    struct transport_spec spec = parse_kind("com:port=/dev/ttyUSB0,baud=115200,channel=3", TRANSPORT_COM);
    const char *full = "com:port=/dev/ttyUSB0,baud=115200,channel=3";
    for (size_t len = 1; len <= strlen(full) + 1; len++) {
        char out[64];
        memset(out, '#', sizeof out);
        transport_spec_format(&spec, out, len);
        assert_int_equal(strlen(out), len - 1);
        assert_memory_equal(out, full, len - 1);
        for (size_t i = len; i < sizeof out; i++)
            assert_int_equal(out[i], '#');
    }
}

static void test_format_ssl_and_stdio(void **state)
{
    (void)state;
    struct transport_spec spec = parse_kind("ssl:port=443,bind=::1,cert=c,key=k", TRANSPORT_SSL);
    assert_string_equal(format(&spec), "ssl:port=443,bind=::1");
    spec = parse_kind("ssl:port=10:20", TRANSPORT_SSL);
    assert_string_equal(format(&spec), "ssl:port=10:20,bind=127.0.0.1");
    spec = parse_kind("stdio", TRANSPORT_STDIO);
    assert_string_equal(format(&spec), "stdio");
}

static void test_format_truncates_to_len(void **state)
{
    (void)state;
    char out[16];
    memset(out, '#', sizeof out);
    struct transport_spec spec = parse_ok("tcp");
    transport_spec_format(&spec, out, 9);
    assert_string_equal(out, "tcp:port");
    for (size_t i = 9; i < sizeof out; i++)
        assert_int_equal(out[i], '#');
    memset(out, '#', sizeof out);
    spec = parse_kind("npipe:pipe=averylongname", TRANSPORT_NPIPE);
    transport_spec_format(&spec, out, 4);
    assert_string_equal(out, "npi");
    for (size_t i = 4; i < sizeof out; i++)
        assert_int_equal(out[i], '#');
}

static void test_format_longest_fits(void **state)
{
    (void)state;
    char text[400], want[400];
    build(text, sizeof text, "tcp:port=65534:65535,bind=", 'h', 255, "");
    struct transport_spec spec = parse_ok(text);
    build(want, sizeof want, "tcp:port=65534:65535,bind=", 'h', 255, "");
    assert_string_equal(format(&spec), want);
}

/* Formats the result of parsing TEXT, parses that back and checks that the
 * two describe the same transport. */
static void check_round_trip(const char *text)
{
    struct transport_spec a, b;
    char err[512] = "";
    if (!transport_spec_parse(text, &a, err, sizeof err))
        fail_msg("\"%s\" was rejected: %s", text, err);
    char formatted[1024];
    transport_spec_format(&a, formatted, sizeof formatted);
    if (!transport_spec_parse(formatted, &b, err, sizeof err))
        fail_msg("\"%s\" formats as \"%s\", which is rejected: %s", text, formatted, err);
    assert_int_equal(b.kind, a.kind);
    switch (a.kind) {
    case TRANSPORT_TCP:
    case TRANSPORT_SSL:
        assert_int_equal(b.port, a.port);
        assert_int_equal(b.port_last, a.port_last);
        if (a.host[0])
            assert_string_equal(b.host, a.host);
        break;
    case TRANSPORT_NPIPE:
    case TRANSPORT_SPIPE:
        assert_string_equal(b.pipe, a.pipe);
        break;
    case TRANSPORT_COM:
        assert_string_equal(b.device, a.device);
        assert_int_equal(b.channel, a.channel);
        if (a.given & TSPEC_BAUD)
            assert_int_equal(b.baud, a.baud);
        break;
    case TRANSPORT_STDIO:
        break;
    }
    char again[1024];
    transport_spec_format(&b, again, sizeof again);
    assert_string_equal(again, formatted);
}

static void test_format_then_parse_round_trip(void **state)
{
    (void)state;
    const char *inputs[] = {"tcp", "tcp:port=0", "tcp:port=65535,bind=::1,ipversion=6",
                            "tcp:bind=localhost", "tcp:ipversion=6", "tcp:bind=10.1.2.3,ipversion=4",
                            "tcp:port=53:60", "tcp:port=1:65535,bind=::", "tcp:server=h,port=9",
                            "tcp:hidden,password=x", "tcp:clicon=c", "npipe:pipe=x", "npipe:pipe=p%d%x,allow=0",
                            "ssl:port=443:444,cert=c", "spipe:pipe=s", "stdio", "stdio:password=p",
                            "com:port=COM2,baud=9600", "com:port=/dev/ttyUSB0,baud=1,channel=254",
                            "npipe:pipe=p,allow=a,b,c"};
    for (size_t i = 0; i < ARRAY_SIZE(inputs); i++)
        check_round_trip(inputs[i]);
}

static void test_format_com_without_baud_parses_back(void **state)
{
    (void)state;
    /* baud= is optional when parsing, so what is formatted for a com
     * transport without one must parse back too. */
    check_round_trip("com:port=COM2");
    check_round_trip("com:port=/dev/ttyS0,channel=1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* tcp, accepted */
        cmocka_unit_test(test_tcp_alone_gives_defaults),
        cmocka_unit_test(test_tcp_colon_alone_gives_defaults),
        cmocka_unit_test(test_parse_clears_previous_contents),
        cmocka_unit_test(test_port_only),
        cmocka_unit_test(test_port_limits),
        cmocka_unit_test(test_port_range),
        cmocka_unit_test(test_bind_only_keeps_default_port),
        cmocka_unit_test(test_bind_may_contain_colons),
        cmocka_unit_test(test_bind_host_name),
        cmocka_unit_test(test_bind_longest_accepted),
        cmocka_unit_test(test_server_sets_host),
        cmocka_unit_test(test_all_tcp_parameters),
        cmocka_unit_test(test_parameters_in_any_order),
        cmocka_unit_test(test_ipversion_without_bind),
        cmocka_unit_test(test_ipversion_with_host_name),
        cmocka_unit_test(test_matching_bind_and_ipversion),
        cmocka_unit_test(test_hidden_flag),
        cmocka_unit_test(test_password_and_password_file),
        cmocka_unit_test(test_clicon),
        /* other kinds, accepted */
        cmocka_unit_test(test_every_kind_is_known),
        cmocka_unit_test(test_kind_names),
        cmocka_unit_test(test_npipe),
        cmocka_unit_test(test_npipe_pipe_name_limits),
        cmocka_unit_test(test_npipe_allow_list),
        cmocka_unit_test(test_npipe_allow_list_errors),
        cmocka_unit_test(test_com_port_forms),
        cmocka_unit_test(test_com_baud_and_channel),
        cmocka_unit_test(test_ssl),
        cmocka_unit_test(test_spipe),
        cmocka_unit_test(test_stdio),
        /* rejected */
        cmocka_unit_test(test_unknown_transport),
        cmocka_unit_test(test_empty_or_missing_kind),
        cmocka_unit_test(test_overlong_kind),
        cmocka_unit_test(test_unknown_parameter),
        cmocka_unit_test(test_parameter_of_another_kind),
        cmocka_unit_test(test_repeated_parameter),
        cmocka_unit_test(test_empty_parameter),
        cmocka_unit_test(test_parameter_without_value),
        cmocka_unit_test(test_empty_string_value),
        cmocka_unit_test(test_flag_with_value),
        cmocka_unit_test(test_bad_port),
        cmocka_unit_test(test_bad_port_range),
        cmocka_unit_test(test_bad_bind),
        cmocka_unit_test(test_bad_ipversion),
        cmocka_unit_test(test_bad_channel),
        cmocka_unit_test(test_bad_baud),
        cmocka_unit_test(test_bad_serial_port),
        cmocka_unit_test(test_bad_proto),
        cmocka_unit_test(test_bind_and_server_together),
        cmocka_unit_test(test_password_and_password_file_together),
        cmocka_unit_test(test_clicon_with_bind_or_server),
        cmocka_unit_test(test_pipe_kinds_need_pipe),
        cmocka_unit_test(test_com_needs_port),
        cmocka_unit_test(test_pipe_name_with_slash),
        cmocka_unit_test(test_bind_ipversion_mismatch),
        cmocka_unit_test(test_overlong_parameter),
        cmocka_unit_test(test_first_error_is_reported),
        cmocka_unit_test(test_small_error_buffer_is_truncated_safely),
        /* format */
        cmocka_unit_test(test_format_defaults),
        cmocka_unit_test(test_format_ipv6_default_bind),
        cmocka_unit_test(test_format_given_bind_and_port),
        cmocka_unit_test(test_format_reports_chosen_port),
        cmocka_unit_test(test_format_range),
        cmocka_unit_test(test_format_secrets_and_flags_left_out),
        cmocka_unit_test(test_format_server_host),
        cmocka_unit_test(test_format_npipe),
        cmocka_unit_test(test_format_com),
        cmocka_unit_test(test_format_com_truncates_to_len),
        cmocka_unit_test(test_format_ssl_and_stdio),
        cmocka_unit_test(test_format_truncates_to_len),
        cmocka_unit_test(test_format_longest_fits),
        cmocka_unit_test(test_format_then_parse_round_trip),
        cmocka_unit_test(test_format_com_without_baud_parses_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
