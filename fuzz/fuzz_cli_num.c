/* fuzz_cli_num.c - libFuzzer harness for the command's number parsers (cli/num.c): ADDR and
 * LEN operands, and --max-heap's byte counts, against a reading written here from their
 * documented grammar.
 * SPDX-License-Identifier: MIT
 *
 * The input, cut at its first NUL and at MAX_TEXT bytes, is the argument. The grammar:
 *   operand  := "0" ("x"|"X") hexdigit+ | digit+          value below 2^64, no sign, no space
 *   size     := digit+ [K|k|M|m|G|g] | "0" ("x"|"X") hexdigit+
 *               a suffix multiplies by 2^10, 2^20 or 2^30; the product must stay below 2^64
 * parse_u64_operand must answer NUM_OK with the value exactly for an operand, NUM_TOO_BIG for
 * one whose value does not fit, NUM_BAD otherwise, and leave *out alone unless NUM_OK;
 * parse_u64 must agree with it; parse_size must accept exactly the sizes, with their value.
 */
#include "harness.h"
#include "num.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TEXT 80 /* longer than any 64-bit number, with room for junk around one */
#define UNTOUCHED UINT64_C(0xa5a5a5a5a5a5a5a5)

static bool is_dec(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
    return is_dec(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The oracle for an operand: NUM_OK with *value, NUM_TOO_BIG, or NUM_BAD. Whether the value
 * fits is told from its digits (leading zeros dropped, compared with 2^64 - 1's), and the
 * value of one that fits comes from strtoull. */
static enum num_result expect_operand(const char *s, uint64_t *value)
{
    const bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    const char *p = hex ? s + 2 : s;
    if (*p == '\0')
        return NUM_BAD;
    char digits[MAX_TEXT + 1];
    size_t n = 0;
    for (const char *q = p; *q; q++) {
        if (!(hex ? is_hex(*q) : is_dec(*q)))
            return NUM_BAD;
        if (n > 0 || *q != '0')
            digits[n++] = (char)(*q | 0x20); /* lower case; digits are unchanged */
    }
    digits[n] = '\0';
    const char *const max = hex ? "ffffffffffffffff" : "18446744073709551615";
    if (n > strlen(max) || (n == strlen(max) && strcmp(digits, max) > 0))
        return NUM_TOO_BIG;
    *value = n ? (uint64_t)strtoull(digits, NULL, hex ? 16 : 10) : 0;
    return NUM_OK;
}

/* The oracle for a size: true with *value, or false. */
static bool expect_size(const char *s, uint64_t *value)
{
    const size_t n = strlen(s);
    const char last = n ? s[n - 1] : '\0';
    const unsigned shift = (last == 'K' || last == 'k')   ? 10
                           : (last == 'M' || last == 'm') ? 20
                           : (last == 'G' || last == 'g') ? 30
                                                          : 0;
    if (shift == 0)
        return expect_operand(s, value) == NUM_OK;
    char digits[MAX_TEXT + 1];
    memcpy(digits, s, n - 1);
    digits[n - 1] = '\0';
    for (size_t i = 0; i < n - 1; i++)
        if (!is_dec(digits[i]))
            return false; /* a suffix follows decimal digits only */
    uint64_t v;
    if (expect_operand(digits, &v) != NUM_OK || v > UINT64_MAX >> shift)
        return false;
    *value = v << shift;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char s[MAX_TEXT + 1];
    const size_t n = size < MAX_TEXT ? size : MAX_TEXT;
    memcpy(s, data, n);
    s[n] = '\0';

    uint64_t want = 0, got = UNTOUCHED;
    const enum num_result expect = expect_operand(s, &want);
    const enum num_result r = parse_u64_operand(s, &got);
    CHECK(r == expect, "operand '%s': %d, expected %d", s, (int)r, (int)expect);
    CHECK(r == NUM_OK ? got == want : got == UNTOUCHED, "operand '%s': %llu, expected %llu", s,
          (ull)got, (ull)(r == NUM_OK ? want : UNTOUCHED));
    uint64_t again = UNTOUCHED;
    CHECK(parse_u64(s, &again) == (r == NUM_OK) && (r != NUM_OK || again == want),
          "parse_u64 '%s' disagrees with parse_u64_operand", s);

    got = UNTOUCHED;
    const bool size_ok = expect_size(s, &want);
    const bool parsed = parse_size(s, &got);
    CHECK(parsed == size_ok, "size '%s': %s, expected %s", s, parsed ? "accepted" : "rejected",
          size_ok ? "accepted" : "rejected");
    CHECK(!parsed || got == want, "size '%s': %llu, expected %llu", s, (ull)got, (ull)want);
    return 0;
}
