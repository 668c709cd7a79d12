/* Unit tests for src/common/transport_spec.c: parsing "tcp:port=N,bind=ADDR,
 * ipversion=4|6" (defaults, every parameter, any order, limits of port and
 * bind), every error class with a check that the message names the culprit
 * (unknown and planned-but-unavailable kinds, unknown, repeated, empty and
 * value-less parameters, bad port, bad ipversion, bind/ipversion mismatch),
 * small error buffers, and transport_spec_format including a round trip. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "transport_spec.h"

static struct transport_spec parse_ok(const char *text)
{
    struct transport_spec spec;
    char err[256] = "";
    if (!transport_spec_parse(text, &spec, err, sizeof err))
        fail_msg("\"%s\" was rejected: %s", text, err);
    assert_int_equal(spec.kind, TRANSPORT_TCP);
    return spec;
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

/* ---- accepted strings ---- */

static void test_tcp_alone_gives_defaults(void **state)
{
    (void)state;
    struct transport_spec spec = parse_ok("tcp");
    assert_int_equal(spec.port, TRANSPORT_DEFAULT_PORT);
    assert_int_equal(spec.port, 2159);
    assert_string_equal(spec.bind, "");
    assert_int_equal(spec.ipversion, 0);
}

static void test_port_only(void **state)
{
    (void)state;
    struct transport_spec spec = parse_ok("tcp:port=1234");
    assert_int_equal(spec.port, 1234);
    assert_string_equal(spec.bind, "");
    assert_int_equal(spec.ipversion, 0);
}

static void test_port_limits(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("tcp:port=0").port, 0);
    assert_int_equal(parse_ok("tcp:port=1").port, 1);
    assert_int_equal(parse_ok("tcp:port=65535").port, 65535);
    assert_int_equal(parse_ok("tcp:port=02159").port, 2159);
}

static void test_bind_only_keeps_default_port(void **state)
{
    (void)state;
    struct transport_spec spec = parse_ok("tcp:bind=0.0.0.0");
    assert_int_equal(spec.port, 2159);
    assert_string_equal(spec.bind, "0.0.0.0");
}

static void test_bind_may_contain_colons(void **state)
{
    (void)state;
    /* Only the first ':' separates the kind. */
    assert_string_equal(parse_ok("tcp:bind=::1").bind, "::1");
    assert_string_equal(parse_ok("tcp:bind=fe80::1:2,port=5").bind, "fe80::1:2");
}

static void test_bind_host_name(void **state)
{
    (void)state;
    assert_string_equal(parse_ok("tcp:bind=localhost").bind, "localhost");
}

static void test_bind_longest_accepted(void **state)
{
    (void)state;
    char text[128];
    char name[64];
    memset(name, 'h', 63);
    name[63] = '\0';
    snprintf(text, sizeof text, "tcp:bind=%s", name);
    assert_string_equal(parse_ok(text).bind, name);
}

static void test_all_parameters(void **state)
{
    (void)state;
    struct transport_spec spec = parse_ok("tcp:port=1,bind=127.0.0.1,ipversion=4");
    assert_int_equal(spec.port, 1);
    assert_string_equal(spec.bind, "127.0.0.1");
    assert_int_equal(spec.ipversion, 4);
}

static void test_parameters_in_any_order(void **state)
{
    (void)state;
    struct transport_spec spec = parse_ok("tcp:ipversion=6,bind=::,port=2");
    assert_int_equal(spec.port, 2);
    assert_string_equal(spec.bind, "::");
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
}

static void test_matching_bind_and_ipversion(void **state)
{
    (void)state;
    parse_ok("tcp:bind=10.0.0.1,ipversion=4");
    parse_ok("tcp:bind=::1,ipversion=6");
    parse_ok("tcp:ipversion=6,bind=fe80::1");
}

/* ---- rejected strings ---- */

static void test_unknown_transport(void **state)
{
    (void)state;
    parse_fails("udp:port=1", "unknown transport", "'udp'", NULL);
    parse_fails("foo", "unknown transport", "'foo'", NULL);
    parse_fails("tcpx", "'tcpx'", NULL);
    parse_fails("tc:port=1", "'tc'", NULL);
    parse_fails("tcp6:port=1", "'tcp6'", NULL);
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
}

static void test_planned_transports_are_not_available(void **state)
{
    (void)state;
    const char *kinds[] = {"npipe", "com", "ssl", "spipe", "stdio"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        char quoted[32], with_params[64];
        snprintf(quoted, sizeof quoted, "'%s'", kinds[i]);
        parse_fails(kinds[i], quoted, "not available", NULL);
        snprintf(with_params, sizeof with_params, "%s:port=1,pipe=x", kinds[i]);
        parse_fails(with_params, quoted, "not available", NULL);
    }
}

static void test_unknown_parameter(void **state)
{
    (void)state;
    parse_fails("tcp:prot=2159", "unknown parameter", "'prot'", "tcp:prot=2159", NULL);
    parse_fails("tcp:port=1,pipe=foo", "unknown parameter", "'pipe'", NULL);
    parse_fails("tcp:PORT=1", "'PORT'", NULL);
    parse_fails("tcp:port=1,server=x", "'server'", NULL);
}

static void test_repeated_parameter(void **state)
{
    (void)state;
    parse_fails("tcp:port=1,port=2", "'port'", "twice", NULL);
    parse_fails("tcp:port=1,port=1", "'port'", "twice", NULL);
    parse_fails("tcp:bind=a,port=1,bind=b", "'bind'", "twice", NULL);
    parse_fails("tcp:ipversion=4,ipversion=6", "'ipversion'", "twice", NULL);
}

static void test_empty_parameter(void **state)
{
    (void)state;
    parse_fails("tcp:port=1,", "empty parameter", NULL);
    parse_fails("tcp:,port=1", "empty parameter", NULL);
    parse_fails("tcp:port=1,,bind=x", "empty parameter", NULL);
    parse_fails("tcp:,", "empty parameter", NULL);
}

static void test_parameter_without_value(void **state)
{
    (void)state;
    parse_fails("tcp:port", "'port'", "needs a value", NULL);
    parse_fails("tcp:bind", "'bind'", "needs a value", NULL);
    parse_fails("tcp:port=1,ipversion", "'ipversion'", "needs a value", NULL);
}

static void test_bad_port(void **state)
{
    (void)state;
    const char *bad[] = {"tcp:port=", "tcp:port=abc", "tcp:port=65536", "tcp:port=99999",
                         "tcp:port=123456", "tcp:port=-1", "tcp:port=+1", "tcp:port= 1",
                         "tcp:port=1 ", "tcp:port=0x10", "tcp:port=12a", "tcp:port=4294967297"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *value = strchr(bad[i], '=') + 1;
        char quoted[32];
        snprintf(quoted, sizeof quoted, "'%s'", value);
        parse_fails(bad[i], "bad port", quoted, NULL);
    }
}

static void test_bad_bind(void **state)
{
    (void)state;
    parse_fails("tcp:bind=", "bad bind address", NULL);
    char text[128];
    char name[65];
    memset(name, 'h', 64);
    name[64] = '\0';
    snprintf(text, sizeof text, "tcp:bind=%s", name);
    parse_fails(text, "bad bind address", name, NULL);
}

static void test_bad_ipversion(void **state)
{
    (void)state;
    parse_fails("tcp:ipversion=5", "bad ipversion", "'5'", NULL);
    parse_fails("tcp:ipversion=", "bad ipversion", "''", NULL);
    parse_fails("tcp:ipversion=46", "bad ipversion", "'46'", NULL);
    parse_fails("tcp:ipversion=v4", "bad ipversion", "'v4'", NULL);
    parse_fails("tcp:ipversion=04", "bad ipversion", NULL);
}

static void test_bind_ipversion_mismatch(void **state)
{
    (void)state;
    parse_fails("tcp:bind=127.0.0.1,ipversion=6", "'127.0.0.1'", "does not match", NULL);
    parse_fails("tcp:bind=::1,ipversion=4", "'::1'", "does not match", NULL);
    /* Checked after all parameters, whatever their order. */
    parse_fails("tcp:ipversion=4,bind=::1", "'::1'", "does not match", NULL);
    parse_fails("tcp:ipversion=6,port=5,bind=0.0.0.0", "'0.0.0.0'", "does not match", NULL);
}

static void test_overlong_parameter(void **state)
{
    (void)state;
    char text[400] = "tcp:bind=";
    memset(text + strlen(text), 'x', 300);
    text[9 + 300] = '\0';
    parse_fails(text, (const char *)NULL); /* rejected, whatever the message */
}

static void test_first_error_is_reported(void **state)
{
    (void)state;
    /* The unknown parameter comes before the bad port. */
    parse_fails("tcp:prot=1,port=x", "'prot'", NULL);
    parse_fails("tcp:port=x,prot=1", "bad port", "'x'", NULL);
}

static void test_small_error_buffer_is_truncated_safely(void **state)
{
    (void)state;
    struct transport_spec spec;
    char err[16];
    memset(err, '#', sizeof err);
    assert_false(transport_spec_parse("tcp:prot=2159", &spec, err, 8));
    assert_int_equal(strlen(err), 7);
    for (size_t i = 8; i < sizeof err; i++)
        assert_int_equal(err[i], '#');
}

/* ---- transport_spec_format ---- */

static void test_format_defaults(void **state)
{
    (void)state;
    char out[128];
    struct transport_spec spec = parse_ok("tcp");
    assert_ptr_equal(transport_spec_format(&spec, out, sizeof out), out);
    assert_string_equal(out, "tcp:port=2159,bind=127.0.0.1");
}

static void test_format_ipv6_default_bind(void **state)
{
    (void)state;
    char out[128];
    struct transport_spec spec = parse_ok("tcp:ipversion=6,port=0");
    assert_string_equal(transport_spec_format(&spec, out, sizeof out), "tcp:port=0,bind=::1");
}

static void test_format_given_bind_and_port(void **state)
{
    (void)state;
    char out[128];
    struct transport_spec spec = parse_ok("tcp:bind=0.0.0.0,port=65535");
    assert_string_equal(transport_spec_format(&spec, out, sizeof out), "tcp:port=65535,bind=0.0.0.0");
    spec = parse_ok("tcp:bind=::,ipversion=6");
    assert_string_equal(transport_spec_format(&spec, out, sizeof out), "tcp:port=2159,bind=::");
}

static void test_format_reports_chosen_port(void **state)
{
    (void)state;
    char out[128];
    struct transport_spec spec = parse_ok("tcp:port=0");
    spec.port = 40123; /* what the kernel picked */
    assert_string_equal(transport_spec_format(&spec, out, sizeof out), "tcp:port=40123,bind=127.0.0.1");
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
}

static void test_format_then_parse_round_trip(void **state)
{
    (void)state;
    const char *inputs[] = {"tcp", "tcp:port=0", "tcp:port=65535,bind=::1,ipversion=6",
                            "tcp:bind=localhost", "tcp:ipversion=6", "tcp:bind=10.1.2.3,ipversion=4"};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        struct transport_spec a = parse_ok(inputs[i]);
        char text[128];
        transport_spec_format(&a, text, sizeof text);
        struct transport_spec b = parse_ok(text);
        assert_int_equal(b.port, a.port);
        if (a.bind[0])
            assert_string_equal(b.bind, a.bind);
        char again[128];
        assert_string_equal(transport_spec_format(&b, again, sizeof again), text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcp_alone_gives_defaults),
        cmocka_unit_test(test_port_only),
        cmocka_unit_test(test_port_limits),
        cmocka_unit_test(test_bind_only_keeps_default_port),
        cmocka_unit_test(test_bind_may_contain_colons),
        cmocka_unit_test(test_bind_host_name),
        cmocka_unit_test(test_bind_longest_accepted),
        cmocka_unit_test(test_all_parameters),
        cmocka_unit_test(test_parameters_in_any_order),
        cmocka_unit_test(test_ipversion_without_bind),
        cmocka_unit_test(test_ipversion_with_host_name),
        cmocka_unit_test(test_matching_bind_and_ipversion),
        cmocka_unit_test(test_unknown_transport),
        cmocka_unit_test(test_empty_or_missing_kind),
        cmocka_unit_test(test_overlong_kind),
        cmocka_unit_test(test_planned_transports_are_not_available),
        cmocka_unit_test(test_unknown_parameter),
        cmocka_unit_test(test_repeated_parameter),
        cmocka_unit_test(test_empty_parameter),
        cmocka_unit_test(test_parameter_without_value),
        cmocka_unit_test(test_bad_port),
        cmocka_unit_test(test_bad_bind),
        cmocka_unit_test(test_bad_ipversion),
        cmocka_unit_test(test_bind_ipversion_mismatch),
        cmocka_unit_test(test_overlong_parameter),
        cmocka_unit_test(test_first_error_is_reported),
        cmocka_unit_test(test_small_error_buffer_is_truncated_safely),
        cmocka_unit_test(test_format_defaults),
        cmocka_unit_test(test_format_ipv6_default_bind),
        cmocka_unit_test(test_format_given_bind_and_port),
        cmocka_unit_test(test_format_reports_chosen_port),
        cmocka_unit_test(test_format_truncates_to_len),
        cmocka_unit_test(test_format_then_parse_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
