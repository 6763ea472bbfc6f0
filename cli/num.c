/* num.c - the command's number parsers: ADDR and LEN operands, and byte counts.
 * SPDX-License-Identifier: MIT */
#include "num.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

enum num_result parse_u64_operand(const char *s, uint64_t *out)
{
    unsigned base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (*s == '\0')
        return NUM_BAD;
    uint64_t v = 0;
    bool too_big = false;
    for (; *s; s++) {
        const int c = tolower((unsigned char)*s);
        unsigned digit;
        if (c >= '0' && c <= '9')
            digit = (unsigned)(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            digit = (unsigned)(c - 'a' + 10);
        else
            return NUM_BAD;
        /* Keep scanning after an overflow so "99x" is still reported as not a number. */
        if (too_big || v > (UINT64_MAX - digit) / base)
            too_big = true;
        else
            v = v * base + digit;
    }
    if (too_big)
        return NUM_TOO_BIG;
    *out = v;
    return NUM_OK;
}

bool parse_u64(const char *s, uint64_t *out)
{
    return parse_u64_operand(s, out) == NUM_OK;
}

bool parse_size(const char *s, uint64_t *out)
{
    const size_t n = strlen(s);
    if (n == 0 || !strchr("KkMmGg", s[n - 1]) || (n > 2 && (s[1] == 'x' || s[1] == 'X')))
        return parse_u64(s, out);
    const unsigned shift = strchr("Kk", s[n - 1]) ? 10 : strchr("Mm", s[n - 1]) ? 20 : 30;
    /* The digits without the suffix, however many leading zeros they have. */
    char *const digits = malloc(n);
    if (!digits)
        return false;
    memcpy(digits, s, n - 1);
    digits[n - 1] = '\0';
    uint64_t v;
    const bool ok = parse_u64(digits, &v) && v <= UINT64_MAX >> shift;
    free(digits);
    if (ok)
        *out = v << shift;
    return ok;
}
