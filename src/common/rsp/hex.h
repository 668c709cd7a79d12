/* Hexadecimal codecs used by every RSP packet: register values, memory
 * contents, addresses, thread ids and hex-encoded strings. */
#ifndef DBGSRV_RSP_HEX_H
#define DBGSRV_RSP_HEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Value of one hex digit, or -1 if C is not a hex digit. */
int hex_digit_value(int c);

/* Writes 2*N lowercase hex digits for the N bytes of IN into OUT (no NUL). */
void hex_encode(char *out, const uint8_t *in, size_t n);

/* Decodes exactly 2*N hex digits from IN into N bytes of OUT.
 * Returns false (OUT partly written) if any digit is not hex. */
bool hex_decode(uint8_t *out, const char *in, size_t n);

/* Decodes DIGITS hex digits of IN into a new NUL-terminated string (free()
 * it). NULL if DIGITS is odd, a digit is not hex, a byte is NUL (it would
 * cut the string short), or memory runs out. */
char *hex_decode_string(const char *in, size_t digits);

/* Parses a hex number starting at *P; on success advances *P past it and
 * returns true. Fails (leaving *P alone) on no digits or on a value that does
 * not fit 64 bits; leading zeros are fine. */
bool hex_parse_u64(const char **p, uint64_t *value);

/* Like hex_parse_u64 but for the signed forms used in thread ids: "-1", or
 * hex digits up to INT64_MAX. Leaves *P alone on failure. */
bool hex_parse_i64(const char **p, int64_t *value);

/* Writes VALUE as lowercase hex without leading zeros ("0" for zero).
 * Returns the number of characters written; OUT needs 17 bytes. */
size_t hex_format_u64(char *out, uint64_t value);

/* Writes the N bytes of a little-endian VALUE as 2*N hex digits (target
 * byte order for x86). */
void hex_encode_le(char *out, uint64_t value, size_t n);

#endif
