/* Unit tests for src/server/thread_id.c: ptid_parse of every form
 * ("pPID.TID", "pPID", bare "TID", "-1", "0", "p-1.-1"), where parsing stops,
 * malformed ids (and that *P is left alone for them), ptid_format in both
 * modes with a format/parse round trip, and ptid_matches for specific,
 * "all" (-1) and "any" (0) ids. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "thread_id.h"

static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Parses TEXT, expecting success with PID and TID and CONSUMED characters. */
static void parse_ok(const char *text, int64_t pid, int64_t tid, size_t consumed)
{
    const char *p = text;
    struct ptid id = {12345, 12345};
    if (!ptid_parse(&p, &id))
        fail_msg("ptid_parse rejected \"%s\"", text);
    if (id.pid != pid || id.tid != tid)
        fail_msg("ptid_parse(\"%s\") = {%lld, %lld}, expected {%lld, %lld}", text,
                 (long long)id.pid, (long long)id.tid, (long long)pid, (long long)tid);
    if ((size_t)(p - text) != consumed)
        fail_msg("ptid_parse(\"%s\") consumed %td characters, expected %zu", text, p - text, consumed);
}

static void parse_fails(const char *text)
{
    const char *p = text;
    struct ptid id;
    if (ptid_parse(&p, &id))
        fail_msg("ptid_parse accepted \"%s\" as {%lld, %lld}", text, (long long)id.pid,
                 (long long)id.tid);
    assert_ptr_equal(p, text);
}

/* ---- ptid_parse ---- */

static void test_parse_multiprocess_form(void **state)
{
    (void)state;
    parse_ok("p1.2", 1, 2, 4);
    parse_ok("p1a2b.3c4d", 0x1a2b, 0x3c4d, 10);
    parse_ok("pAB.cd", 0xab, 0xcd, 6);
}

static void test_parse_pid_alone_means_all_its_threads(void **state)
{
    (void)state;
    parse_ok("p1234", 0x1234, -1, 5);
}

static void test_parse_bare_tid(void **state)
{
    (void)state;
    parse_ok("1f", 0, 0x1f, 2);
    parse_ok("1", 0, 1, 1);
}

static void test_parse_all_and_any(void **state)
{
    (void)state;
    parse_ok("-1", -1, -1, 2);
    parse_ok("0", 0, 0, 1);
    parse_ok("p-1.-1", -1, -1, 6);
    parse_ok("p-1", -1, -1, 3);
    parse_ok("p0.0", 0, 0, 4);
    parse_ok("p1.-1", 1, -1, 5);
    parse_ok("p1.0", 1, 0, 4);
}

static void test_parse_largest_values(void **state)
{
    (void)state;
    parse_ok("p7fffffffffffffff.7fffffffffffffff", INT64_MAX, INT64_MAX, 34);
    parse_ok("7fffffffffffffff", 0, INT64_MAX, 16);
}

static void test_parse_stops_at_following_text(void **state)
{
    (void)state;
    /* As in "vCont;c:p1.2;s:p1.3" and "T05thread:p1.2;". */
    parse_ok("p1.2;s:p1.3", 1, 2, 4);
    parse_ok("p1;c", 1, -1, 2);
    parse_ok("-1;", -1, -1, 2);
    parse_ok("2a:", 0, 0x2a, 2);
    parse_ok("p1.2.3", 1, 2, 4);
}

static void test_parse_rejects_malformed(void **state)
{
    (void)state;
    const char *bad[] = {"", "p", "p.", "p.2", "p1.", "p1.x", "x", "P1.2", ".1", "-", "-2",
                         "--1", "-1a", "p-2.1", "p1.-2", "p-1a.1", ";", " 1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        parse_fails(bad[i]);
}

static void test_parse_rejects_out_of_range(void **state)
{
    (void)state;
    parse_fails("8000000000000000");
    parse_fails("ffffffffffffffff");
    parse_fails("p8000000000000000.1");
    parse_fails("p1.8000000000000000");
    parse_fails("p1.10000000000000000");
}

/* ---- ptid_format ---- */

static void test_format_multiprocess(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(ptid_format(out, sizeof out, 0x1234, 0x1235, true), 10);
    assert_string_equal(out, "p1234.1235");
    assert_int_equal(ptid_format(out, sizeof out, 1, 1, true), 4);
    assert_string_equal(out, "p1.1");
}

static void test_format_single_process(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(ptid_format(out, sizeof out, 0x1234, 0xabcd, false), 4);
    assert_string_equal(out, "abcd");
}

static void test_format_largest_values(void **state)
{
    (void)state;
    char out[64];
    ptid_format(out, sizeof out, INT64_MAX, INT64_MAX, true);
    assert_string_equal(out, "p7fffffffffffffff.7fffffffffffffff");
}

static void test_format_small_buffer_stays_in_bounds(void **state)
{
    (void)state;
    char out[16];
    memset(out, '#', sizeof out);
    ptid_format(out, 5, 0x1234, 0x1235, true);
    assert_string_equal(out, "p123");
    for (size_t i = 5; i < sizeof out; i++)
        assert_int_equal(out[i], '#');
}

static void test_format_then_parse_round_trip(void **state)
{
    (void)state;
    uint64_t rng = 3;
    for (int i = 0; i < 5000; i++) {
        int64_t pid = (int64_t)(next_random(&rng) >> (1 + next_random(&rng) % 63));
        int64_t tid = (int64_t)(next_random(&rng) >> (1 + next_random(&rng) % 63));
        if (pid == 0)
            pid = 1;
        char text[64];
        size_t n = ptid_format(text, sizeof text, pid, tid, true);
        const char *p = text;
        struct ptid id;
        assert_true(ptid_parse(&p, &id));
        assert_true(id.pid == pid && id.tid == tid);
        assert_ptr_equal(p, text + n);

        n = ptid_format(text, sizeof text, pid, tid, false);
        p = text;
        assert_true(ptid_parse(&p, &id));
        assert_true(id.tid == tid);
        assert_ptr_equal(p, text + n);
    }
}

/* -1 ("all") is a valid thread id in both directions of the protocol; gdb
 * and gdbserver write it as "-1" ("p-1.-1"). What ptid_format writes must be
 * something ptid_parse reads back. */
static void test_format_minus_one_round_trips(void **state)
{
    (void)state;
    char out[64];
    ptid_format(out, sizeof out, -1, -1, true);
    const char *p = out;
    struct ptid id;
    if (!ptid_parse(&p, &id) || id.pid != -1 || id.tid != -1)
        fail_msg("ptid_format(-1, -1, multiprocess) wrote \"%s\", which does not parse back as p-1.-1", out);
    assert_string_equal(out, "p-1.-1");

    ptid_format(out, sizeof out, 1234, -1, false);
    assert_string_equal(out, "-1");
}

/* ---- ptid_matches ---- */

static void test_matches_specific_thread(void **state)
{
    (void)state;
    struct ptid id = {100, 101};
    assert_true(ptid_matches(id, 100, 101));
    assert_false(ptid_matches(id, 100, 102));
    assert_false(ptid_matches(id, 99, 101));
    assert_false(ptid_matches(id, 99, 102));
}

static void test_matches_all(void **state)
{
    (void)state;
    assert_true(ptid_matches(PTID_ALL, 100, 101));
    assert_true(ptid_matches(PTID_ALL, 1, 1));
}

static void test_matches_any(void **state)
{
    (void)state;
    assert_true(ptid_matches(PTID_ANY, 100, 101));
    assert_true(ptid_matches(PTID_ANY, 7, 8));
}

static void test_matches_all_threads_of_one_process(void **state)
{
    (void)state;
    const char *p = "p64";
    struct ptid id;
    assert_true(ptid_parse(&p, &id));
    assert_true(ptid_matches(id, 100, 100));
    assert_true(ptid_matches(id, 100, 105));
    assert_false(ptid_matches(id, 101, 101));
}

static void test_matches_bare_tid_in_any_process(void **state)
{
    (void)state;
    const char *p = "65";
    struct ptid id;
    assert_true(ptid_parse(&p, &id));
    assert_true(ptid_matches(id, 100, 101));
    assert_true(ptid_matches(id, 200, 101));
    assert_false(ptid_matches(id, 100, 100));
}

static void test_matches_any_thread_of_one_process(void **state)
{
    (void)state;
    struct ptid id = {100, 0};
    assert_true(ptid_matches(id, 100, 100));
    assert_true(ptid_matches(id, 100, 123));
    assert_false(ptid_matches(id, 101, 101));
}

static void test_suffix_found_and_cut(void **state)
{
    (void)state;
    const char pkt[] = "10;thread:1a2b;";
    size_t len = strlen(pkt);
    struct ptid id = PTID_ANY;
    assert_int_equal(ptid_strip_suffix(pkt, &len, &id), 1);
    assert_int_equal(len, 2);
    assert_int_equal(id.tid, 0x1a2b);
}

static void test_suffix_without_final_semicolon_and_multiprocess(void **state)
{
    (void)state;
    const char pkt[] = ";thread:p10.11";
    size_t len = strlen(pkt);
    struct ptid id = PTID_ANY;
    assert_int_equal(ptid_strip_suffix(pkt, &len, &id), 1);
    assert_int_equal(len, 0);
    assert_int_equal(id.pid, 0x10);
    assert_int_equal(id.tid, 0x11);
}

static void test_suffix_absent(void **state)
{
    (void)state;
    const char pkt[] = "10=00ff";
    size_t len = strlen(pkt);
    struct ptid id = PTID_ANY;
    assert_int_equal(ptid_strip_suffix(pkt, &len, &id), 0);
    assert_int_equal(len, strlen(pkt));
}

static void test_suffix_malformed(void **state)
{
    (void)state;
    const char *bad[] = {";thread:", ";thread:zz;", ";thread:12;x", ";thread:12;;", ";thread:;"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t len = strlen(bad[i]);
        struct ptid id = PTID_ANY;
        assert_int_equal(ptid_strip_suffix(bad[i], &len, &id), -1);
        assert_int_equal(len, strlen(bad[i]));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_multiprocess_form),
        cmocka_unit_test(test_parse_pid_alone_means_all_its_threads),
        cmocka_unit_test(test_parse_bare_tid),
        cmocka_unit_test(test_parse_all_and_any),
        cmocka_unit_test(test_parse_largest_values),
        cmocka_unit_test(test_parse_stops_at_following_text),
        cmocka_unit_test(test_parse_rejects_malformed),
        cmocka_unit_test(test_parse_rejects_out_of_range),
        cmocka_unit_test(test_format_multiprocess),
        cmocka_unit_test(test_format_single_process),
        cmocka_unit_test(test_format_largest_values),
        cmocka_unit_test(test_format_small_buffer_stays_in_bounds),
        cmocka_unit_test(test_format_then_parse_round_trip),
        cmocka_unit_test(test_format_minus_one_round_trips),
        cmocka_unit_test(test_matches_specific_thread),
        cmocka_unit_test(test_matches_all),
        cmocka_unit_test(test_matches_any),
        cmocka_unit_test(test_matches_all_threads_of_one_process),
        cmocka_unit_test(test_matches_bare_tid_in_any_process),
        cmocka_unit_test(test_matches_any_thread_of_one_process),
        cmocka_unit_test(test_suffix_found_and_cut),
        cmocka_unit_test(test_suffix_without_final_semicolon_and_multiprocess),
        cmocka_unit_test(test_suffix_absent),
        cmocka_unit_test(test_suffix_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
