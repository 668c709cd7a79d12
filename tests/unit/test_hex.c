/* Unit tests for src/common/rsp/hex.c: hex_digit_value over every byte value,
 * hex_encode/hex_decode (including bad digits and a full round trip),
 * hex_parse_u64 (limits, overflow, no digits, where parsing stops),
 * hex_parse_i64 (the "-1" form, INT64_MAX, pointer left alone on failure),
 * hex_format_u64 and hex_encode_le. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rsp/hex.h"

/* splitmix64: a fixed-seed generator so that every run checks the same values. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* ---- hex_digit_value ---- */

static void test_digit_value_of_every_byte(void **state)
{
    (void)state;
    for (int c = 0; c < 256; c++) {
        int expected = -1;
        if (c >= '0' && c <= '9')
            expected = c - '0';
        else if (c >= 'a' && c <= 'f')
            expected = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            expected = c - 'A' + 10;
        if (hex_digit_value(c) != expected)
            fail_msg("hex_digit_value(0x%02x) = %d, expected %d", c, hex_digit_value(c), expected);
    }
}

static void test_digit_value_rejects_neighbours_of_ranges(void **state)
{
    (void)state;
    /* The characters just outside each accepted range. */
    assert_int_equal(hex_digit_value('/'), -1);
    assert_int_equal(hex_digit_value(':'), -1);
    assert_int_equal(hex_digit_value('`'), -1);
    assert_int_equal(hex_digit_value('g'), -1);
    assert_int_equal(hex_digit_value('@'), -1);
    assert_int_equal(hex_digit_value('G'), -1);
    assert_int_equal(hex_digit_value('\0'), -1);
    assert_int_equal(hex_digit_value(-1), -1); /* EOF */
}

/* ---- hex_encode ---- */

static void test_encode_writes_lowercase_digits(void **state)
{
    (void)state;
    const uint8_t in[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xcd, 0xef, 0xff};
    char out[2 * sizeof in + 1];
    memset(out, '!', sizeof out);
    hex_encode(out, in, sizeof in);
    assert_memory_equal(out, "00017f80abcdefff", 2 * sizeof in);
    assert_int_equal(out[2 * sizeof in], '!'); /* no NUL, nothing past 2N */
}

static void test_encode_of_zero_bytes_writes_nothing(void **state)
{
    (void)state;
    char out[4] = "!!!";
    hex_encode(out, (const uint8_t *)"", 0);
    assert_string_equal(out, "!!!");
}

/* ---- hex_decode ---- */

static void test_decode_accepts_lower_upper_and_mixed_case(void **state)
{
    (void)state;
    uint8_t out[4];
    assert_true(hex_decode(out, "deadBEEF", 4));
    const uint8_t expected[] = {0xde, 0xad, 0xbe, 0xef};
    assert_memory_equal(out, expected, 4);
    assert_true(hex_decode(out, "aBcD", 2));
    assert_int_equal(out[0], 0xab);
    assert_int_equal(out[1], 0xcd);
}

static void test_decode_reads_exactly_2n_digits(void **state)
{
    (void)state;
    uint8_t out[3] = {0x11, 0x22, 0x33};
    /* What follows the 2N digits is not looked at, even if it is not hex. */
    assert_true(hex_decode(out, "0102zz", 2));
    assert_int_equal(out[0], 0x01);
    assert_int_equal(out[1], 0x02);
    assert_int_equal(out[2], 0x33);
}

static void test_decode_of_zero_bytes_succeeds(void **state)
{
    (void)state;
    uint8_t out[1] = {0x5a};
    assert_true(hex_decode(out, "zz", 0));
    assert_int_equal(out[0], 0x5a);
}

static void test_decode_rejects_bad_high_digit(void **state)
{
    (void)state;
    uint8_t out[2];
    assert_false(hex_decode(out, "g0", 1));
    assert_false(hex_decode(out, "00x1", 2));
    assert_false(hex_decode(out, " 1", 1));
    assert_false(hex_decode(out, "-1", 1));
}

static void test_decode_rejects_bad_low_digit(void **state)
{
    (void)state;
    uint8_t out[2];
    assert_false(hex_decode(out, "0g", 1));
    assert_false(hex_decode(out, "001G", 2));
    assert_false(hex_decode(out, "1", 1)); /* the NUL is the bad digit */
}

static void test_decode_rejects_bytes_with_high_bit(void **state)
{
    (void)state;
    uint8_t out[1];
    /* A signed char would give a negative value here: it must not index
     * anything or be taken as a digit. */
    assert_false(hex_decode(out, "\xb0" "0", 1));
    assert_false(hex_decode(out, "0\xe6", 1));
}

static void test_encode_decode_round_trip_of_every_byte(void **state)
{
    (void)state;
    uint8_t in[256], back[256];
    char text[512];
    for (int i = 0; i < 256; i++)
        in[i] = (uint8_t)i;
    hex_encode(text, in, sizeof in);
    memset(back, 0, sizeof back);
    assert_true(hex_decode(back, text, sizeof back));
    assert_memory_equal(back, in, sizeof in);
}

/* ---- hex_parse_u64 ---- */

static void test_parse_u64_single_zero(void **state)
{
    (void)state;
    const char *s = "0";
    uint64_t v = 99;
    assert_true(hex_parse_u64(&s, &v));
    assert_int_equal(v, 0);
    assert_int_equal(*s, '\0');
}

static void test_parse_u64_mixed_case(void **state)
{
    (void)state;
    const char *s = "1a2B3c";
    uint64_t v = 0;
    assert_true(hex_parse_u64(&s, &v));
    assert_int_equal(v, 0x1a2b3c);
}

static void test_parse_u64_stops_at_first_non_digit(void **state)
{
    (void)state;
    const char *text = "12ab,34";
    const char *s = text;
    uint64_t v = 0;
    assert_true(hex_parse_u64(&s, &v));
    assert_int_equal(v, 0x12ab);
    assert_ptr_equal(s, text + 4);

    text = "0x10"; /* no C prefix: parses the "0" and stops at 'x' */
    s = text;
    assert_true(hex_parse_u64(&s, &v));
    assert_int_equal(v, 0);
    assert_ptr_equal(s, text + 1);
}

static void test_parse_u64_sixteen_digits_max_value(void **state)
{
    (void)state;
    const char *text = "ffffffffffffffff;";
    const char *s = text;
    uint64_t v = 0;
    assert_true(hex_parse_u64(&s, &v));
    assert_true(v == UINT64_MAX);
    assert_ptr_equal(s, text + 16);

    text = "8000000000000000";
    s = text;
    assert_true(hex_parse_u64(&s, &v));
    assert_true(v == 0x8000000000000000ull);
}

static void test_parse_u64_fails_on_overflow(void **state)
{
    (void)state;
    const char *bad[] = {
        "10000000000000000",      /* 2^64 */
        "fffffffffffffffff",      /* 17 f */
        "123456789abcdef012345",  /* far too long */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *s = bad[i];
        uint64_t v = 42;
        if (hex_parse_u64(&s, &v))
            fail_msg("hex_parse_u64 accepted \"%s\"", bad[i]);
        assert_ptr_equal(s, bad[i]); /* not advanced on failure */
        assert_int_equal(v, 42);     /* not written on failure */
    }
}

static void test_parse_u64_fails_without_digits(void **state)
{
    (void)state;
    const char *bad[] = {"", ",1", "-1", "g", " 1", "x10"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *s = bad[i];
        uint64_t v = 42;
        if (hex_parse_u64(&s, &v))
            fail_msg("hex_parse_u64 accepted \"%s\"", bad[i]);
        assert_ptr_equal(s, bad[i]);
        assert_int_equal(v, 42);
    }
}

/* ---- hex_parse_i64 ---- */

static void test_parse_i64_minus_one(void **state)
{
    (void)state;
    const char *text = "-1";
    const char *s = text;
    int64_t v = 0;
    assert_true(hex_parse_i64(&s, &v));
    assert_true(v == -1);
    assert_ptr_equal(s, text + 2);

    text = "-1.5"; /* followed by a separator, as in "p-1.5" */
    s = text;
    assert_true(hex_parse_i64(&s, &v));
    assert_true(v == -1);
    assert_ptr_equal(s, text + 2);
}

static void test_parse_i64_plain_hex(void **state)
{
    (void)state;
    const char *text = "7fffffffffffffff;";
    const char *s = text;
    int64_t v = 0;
    assert_true(hex_parse_i64(&s, &v));
    assert_true(v == INT64_MAX);
    assert_ptr_equal(s, text + 16);

    s = "0";
    assert_true(hex_parse_i64(&s, &v));
    assert_true(v == 0);

    s = "1f";
    assert_true(hex_parse_i64(&s, &v));
    assert_true(v == 0x1f);
}

static void test_parse_i64_rejects_other_negatives(void **state)
{
    (void)state;
    /* "-1a" is not "-1" followed by 'a': it would be -0x1a, which is not
     * a valid thread id form. */
    const char *bad[] = {"-", "-0", "-2", "-10", "-1a", "-1F", "--1", "", "x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *s = bad[i];
        int64_t v = 42;
        if (hex_parse_i64(&s, &v))
            fail_msg("hex_parse_i64 accepted \"%s\" as %lld", bad[i], (long long)v);
        assert_ptr_equal(s, bad[i]);
    }
}

static void test_parse_i64_rejects_values_above_int64_max(void **state)
{
    (void)state;
    const char *bad[] = {"8000000000000000", "ffffffffffffffff", "10000000000000000"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *s = bad[i];
        int64_t v = 42;
        if (hex_parse_i64(&s, &v))
            fail_msg("hex_parse_i64 accepted \"%s\"", bad[i]);
        assert_true(v == 42);
    }
}

/* "Like hex_parse_u64": on failure *P must stay where it was, so that a
 * caller can report the position or try another form. */
static void test_parse_i64_leaves_pointer_alone_when_value_too_big(void **state)
{
    (void)state;
    const char *text = "8000000000000000";
    const char *s = text;
    int64_t v = 42;
    assert_false(hex_parse_i64(&s, &v));
    if (s != text)
        fail_msg("hex_parse_i64 failed on \"%s\" but advanced the pointer by %td characters",
                 text, s - text);
}

/* ---- hex_format_u64 ---- */

static void check_format(uint64_t value, const char *expected)
{
    char out[17];
    memset(out, '!', sizeof out);
    size_t n = hex_format_u64(out, value);
    assert_string_equal(out, expected);
    assert_int_equal(n, strlen(expected));
}

static void test_format_u64_known_values(void **state)
{
    (void)state;
    check_format(0, "0");
    check_format(1, "1");
    check_format(0xf, "f");
    check_format(0x10, "10");
    check_format(0xabcdef, "abcdef");
    check_format(0x8000000000000000ull, "8000000000000000");
    check_format(UINT64_MAX, "ffffffffffffffff");
}

static void test_format_then_parse_u64_round_trip(void **state)
{
    (void)state;
    uint64_t rng = 1;
    for (int i = 0; i < 5000; i++) {
        uint64_t value = next_random(&rng) >> (next_random(&rng) % 64);
        char text[17];
        size_t n = hex_format_u64(text, value);
        const char *s = text;
        uint64_t back = ~value;
        assert_true(hex_parse_u64(&s, &back));
        assert_true(back == value);
        assert_ptr_equal(s, text + n);
    }
}

/* ---- hex_encode_le ---- */

static void test_encode_le_full_width(void **state)
{
    (void)state;
    char out[17];
    memset(out, '!', sizeof out);
    hex_encode_le(out, 0x0123456789abcdefull, 8);
    assert_memory_equal(out, "efcdab8967452301", 16);
    assert_int_equal(out[16], '!');
}

static void test_encode_le_narrow_widths_take_low_bytes(void **state)
{
    (void)state;
    char out[9];
    memset(out, '!', sizeof out);
    hex_encode_le(out, 0x0123456789abcdefull, 4);
    assert_memory_equal(out, "efcdab89!", 9);

    memset(out, '!', sizeof out);
    hex_encode_le(out, 0x1234, 1);
    assert_memory_equal(out, "34!", 3);

    memset(out, '!', sizeof out);
    hex_encode_le(out, 0x1234, 0);
    assert_int_equal(out[0], '!');
}

static void test_encode_le_matches_hex_of_memory_bytes(void **state)
{
    (void)state;
    uint64_t rng = 7;
    for (int i = 0; i < 1000; i++) {
        uint64_t value = next_random(&rng);
        uint8_t bytes[8];
        for (int k = 0; k < 8; k++)
            bytes[k] = (uint8_t)(value >> (8 * k));
        char expected[16], got[16];
        hex_encode(expected, bytes, 8);
        hex_encode_le(got, value, 8);
        assert_memory_equal(got, expected, 16);
    }
}

static void test_decode_string_round_trip(void **state)
{
    (void)state;
    char *s = hex_decode_string("2f6465762f6e756c6c", 18);
    assert_non_null(s);
    assert_string_equal(s, "/dev/null");
    free(s);
    s = hex_decode_string("", 0);
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);
}

static void test_decode_string_rejects_odd_bad_and_nul(void **state)
{
    (void)state;
    assert_null(hex_decode_string("2f6", 3));
    assert_null(hex_decode_string("2g", 2));
    assert_null(hex_decode_string("410042", 6));   /* a NUL would cut it short */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_digit_value_of_every_byte),
        cmocka_unit_test(test_digit_value_rejects_neighbours_of_ranges),
        cmocka_unit_test(test_encode_writes_lowercase_digits),
        cmocka_unit_test(test_encode_of_zero_bytes_writes_nothing),
        cmocka_unit_test(test_decode_accepts_lower_upper_and_mixed_case),
        cmocka_unit_test(test_decode_string_round_trip),
        cmocka_unit_test(test_decode_string_rejects_odd_bad_and_nul),
        cmocka_unit_test(test_decode_reads_exactly_2n_digits),
        cmocka_unit_test(test_decode_of_zero_bytes_succeeds),
        cmocka_unit_test(test_decode_rejects_bad_high_digit),
        cmocka_unit_test(test_decode_rejects_bad_low_digit),
        cmocka_unit_test(test_decode_rejects_bytes_with_high_bit),
        cmocka_unit_test(test_encode_decode_round_trip_of_every_byte),
        cmocka_unit_test(test_parse_u64_single_zero),
        cmocka_unit_test(test_parse_u64_mixed_case),
        cmocka_unit_test(test_parse_u64_stops_at_first_non_digit),
        cmocka_unit_test(test_parse_u64_sixteen_digits_max_value),
        cmocka_unit_test(test_parse_u64_fails_on_overflow),
        cmocka_unit_test(test_parse_u64_fails_without_digits),
        cmocka_unit_test(test_parse_i64_minus_one),
        cmocka_unit_test(test_parse_i64_plain_hex),
        cmocka_unit_test(test_parse_i64_rejects_other_negatives),
        cmocka_unit_test(test_parse_i64_rejects_values_above_int64_max),
        cmocka_unit_test(test_parse_i64_leaves_pointer_alone_when_value_too_big),
        cmocka_unit_test(test_format_u64_known_values),
        cmocka_unit_test(test_format_then_parse_u64_round_trip),
        cmocka_unit_test(test_encode_le_full_width),
        cmocka_unit_test(test_encode_le_narrow_widths_take_low_bytes),
        cmocka_unit_test(test_encode_le_matches_hex_of_memory_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
