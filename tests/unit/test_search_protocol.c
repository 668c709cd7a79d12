/* Unit tests for src/common/search_protocol.c (the datagrams of dbg -QR) and
 * registry_parse/registry_format (src/common/registry.c): round trips,
 * nonces that must match, and malformed input of every kind refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "registry.h"
#include "search_protocol.h"

static const char NONCE[] = "0123456789abcdef";

static void query_round_trip(void **state)
{
    (void)state;
    char q[64], nonce[SEARCH_NONCE_LEN + 1];
    size_t n = search_query_format(q, sizeof q, NONCE);
    assert_int_equal(n, strlen("DBGSRV-SEARCH 1 ") + 16 + 1);
    assert_true(search_query_parse(q, n, nonce));
    assert_string_equal(nonce, NONCE);
    assert_int_equal(search_query_format(q, 10, NONCE), 0);   /* no room */
}

static void bad_queries(void **state)
{
    (void)state;
    static const char *bad[] = {
        "", "DBGSRV-SEARCH 1 \n", "DBGSRV-SEARCH 1 0123456789ABCDEF\n", "DBGSRV-SEARCH 2 0123456789abcdef\n",
        "DBGSRV-SEARCH 1 0123456789abcdef", "DBGSRV-SEARCH 1 0123456789abcdef\n\n",
        "DBGSRV-SEARCH 1 0123456789abcdeg\n", "dbgsrv-search 1 0123456789abcdef\n",
        "DBGSRV-SEARCH 1 0123456789abcde\n",
    };
    char nonce[SEARCH_NONCE_LEN + 1];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(search_query_parse(bad[i], strlen(bad[i]), nonce));
    char nul[] = "DBGSRV-SEARCH 1 01234567\0009abcdef\n";
    assert_false(search_query_parse(nul, sizeof nul - 1, nonce));
}

static void reply_round_trip(void **state)
{
    (void)state;
    char r[512], host[64];
    size_t n = search_reply_begin(r, sizeof r, NONCE, "box17");
    n = search_reply_add(r, sizeof r, n, "tcp:port=2159", false);
    n = search_reply_add(r, sizeof r, n, "ssl:proto=tls1.3,port=53:60", true);
    size_t before = n;
    n = search_reply_add(r, sizeof r, n, "bad\tentry", false);     /* refused: would break the format */
    n = search_reply_add(r, sizeof r, n, "bad\x1b[0m", false);
    assert_int_equal(n, before);
    struct search_server s[4];
    size_t count;
    assert_true(search_reply_parse(r, n, NONCE, host, sizeof host, s, 4, &count));
    assert_string_equal(host, "box17");
    assert_int_equal(count, 2);
    assert_string_equal(s[0].transport, "tcp:port=2159");
    assert_false(s[0].stale);
    assert_string_equal(s[1].transport, "ssl:proto=tls1.3,port=53:60");
    assert_true(s[1].stale);
    /* Only the first MAX are stored, the rest still parsed. */
    assert_true(search_reply_parse(r, n, NONCE, host, sizeof host, s, 1, &count));
    assert_int_equal(count, 1);
    /* Another query's reply is not ours. */
    assert_false(search_reply_parse(r, n, "fedcba9876543210", host, sizeof host, s, 4, &count));
    /* A full buffer leaves the reply as it was. */
    char small[64];
    size_t m = search_reply_begin(small, sizeof small, NONCE, "h");
    assert_int_equal(search_reply_add(small, sizeof small, m, "tcp:port=1234567890123456789012345678901234567890", false), m);
}

static void bad_replies(void **state)
{
    (void)state;
    static const char *bad[] = {
        "",
        "DBGSRV-SERVERS 1 0123456789abcdef\n",
        "DBGSRV-SERVERS 1 0123456789abcdef box\ntcp:port=1\n",
        "DBGSRV-SERVERS 1 0123456789abcdef box\ntcp:port=1\tmaybe\n",
        "DBGSRV-SERVERS 1 0123456789abcdef box\ntcp:port=1\trunning",
        "DBGSRV-SERVERS 1 0123456789abcdef box\n\trunning\n",
        "DBGSRV-SERVERS 1 0123456789abcdef b x\n",
        "DBGSRV-SERVERS 1 0123456789abcdef box\ntcp:\x01\trunning\n",
        "DBGSRV-SERVERS 2 0123456789abcdef box\n",
        "DBGSRV-SERVERS 1 0123456789abcdef \n",
    };
    char host[64];
    struct search_server s[4];
    size_t count;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(search_reply_parse(bad[i], strlen(bad[i]), NONCE, host, sizeof host, s, 4, &count));
    const char *ok = "DBGSRV-SERVERS 1 0123456789abcdef box\n";
    assert_true(search_reply_parse(ok, strlen(ok), NONCE, host, sizeof host, s, 4, &count));
    assert_int_equal(count, 0);
    /* A host name longer than the caller's room is refused, not cut. */
    assert_false(search_reply_parse(ok, strlen(ok), NONCE, host, 3, s, 4, &count));
}

static void registry_round_trip(void **state)
{
    (void)state;
    struct registry_entry e = {.pid = 1234}, back;
    snprintf(e.transport, sizeof e.transport, "npipe:pipe=AnotherPipe");
    snprintf(e.reach, sizeof e.reach, "local");
    char text[512];
    assert_true(registry_format(&e, text, sizeof text));
    assert_true(registry_parse(text, &back));
    assert_int_equal(back.pid, 1234);
    assert_string_equal(back.transport, "npipe:pipe=AnotherPipe");
    assert_string_equal(back.reach, "local");
    assert_false(back.stale);
    assert_false(registry_format(&e, text, 20));
}

static void bad_registry_entries(void **state)
{
    (void)state;
    static const char *bad[] = {
        "", "pid=12\n", "pid=12\ntransport=tcp:port=1\n", "pid=x\ntransport=t\nreach=local\n",
        "pid=0\ntransport=t\nreach=local\n", "pid=-5\ntransport=t\nreach=local\n",
        "pid=99999999999\ntransport=t\nreach=local\n", "pid=12\ntransport=\nreach=local\n",
        "pid=12\ntransport=a\x1b[31m\nreach=local\n", "pid=12\ntransport=a\treach=local\n",
    };
    struct registry_entry e;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(registry_parse(bad[i], &e));
    assert_true(registry_parse("reach=::1\npid=7\ntransport=tcp:port=9\n", &e));   /* any order */
    assert_string_equal(e.reach, "::1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(query_round_trip),     cmocka_unit_test(bad_queries),
        cmocka_unit_test(reply_round_trip),     cmocka_unit_test(bad_replies),
        cmocka_unit_test(registry_round_trip),  cmocka_unit_test(bad_registry_entries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
