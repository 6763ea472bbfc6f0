/* text.c - UTF-8 decoding, and strings from a dump made safe to print on a terminal.
 * SPDX-License-Identifier: MIT */
#include "text.h"

#include "budget.h"

#include <stdio.h>
#include <string.h>

size_t utf8_decode(const char *s, size_t n, uint32_t *cp)
{
    const unsigned char *const u = (const unsigned char *)s;
    size_t len;
    uint32_t v;
    uint32_t min;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    if (u[0] >= 0xc2 && u[0] <= 0xdf) {
        len = 2, v = u[0] & 0x1fu, min = 0x80;
    } else if (u[0] >= 0xe0 && u[0] <= 0xef) {
        len = 3, v = u[0] & 0x0fu, min = 0x800;
    } else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
        len = 4, v = u[0] & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((u[i] & 0xc0) != 0x80)
            return 0;
        v = v << 6 | (u[i] & 0x3fu);
    }
    /* Overlong forms would let one character hide as another; surrogates are not
     * characters in UTF-8. */
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return len;
}

size_t text_width(const char *s)
{
    size_t width = 0;
    for (size_t left = strlen(s); left > 0; width++) {
        uint32_t cp;
        const size_t n = utf8_decode(s, left, &cp);
        const size_t step = n ? n : 1;
        s += step;
        left -= step;
    }
    return width;
}

static int is_control(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

size_t utf8_prefix(const char *s, size_t n, size_t keep)
{
    size_t at = 0;
    while (at < n) {
        uint32_t cp;
        const size_t k = utf8_decode(s + at, n - at, &cp);
        const size_t step = k ? k : 1;
        if (step > keep - at)
            break;
        at += step;
    }
    return at;
}

/* The first n bytes of s into buf for a terminal (text_printable); returns the length. */
static size_t printable_n(const char *s, size_t left, char *buf, size_t cap)
{
    size_t at = 0;
    while (left > 0) {
        uint32_t cp;
        const size_t n = utf8_decode(s, left, &cp);
        if (n > 0 && !is_control(cp)) {
            if (n >= cap - at)
                break;
            memcpy(buf + at, s, n);
            at += n;
        } else {
            /* One escape per byte: a C1 control's two bytes, or an invalid byte. */
            const size_t bytes = n ? n : 1;
            if (4 * bytes >= cap - at)
                break;
            for (size_t i = 0; i < bytes; i++)
                at += (size_t)snprintf(buf + at, cap - at, "\\x%02x", (unsigned char)s[i]);
        }
        s += n ? n : 1;
        left -= n ? n : 1;
    }
    buf[at] = '\0';
    return at;
}

char *text_printable(const char *s, char *buf, size_t cap)
{
    const size_t n = strlen(s);
    /* Charged what can show: at most cap - 1 bytes of s. */
    const size_t shown = n < cap - 1 ? n : cap - 1;
    const size_t keep = budget_charge(shown);
    if (keep == shown) {
        printable_n(s, n, buf, cap);
        return buf;
    }
    char marker[BUDGET_MARKER];
    budget_marker(n, utf8_prefix(s, n, keep), marker, sizeof marker);
    const size_t room = strlen(marker) < cap ? cap - strlen(marker) : 1;
    const size_t at = printable_n(s, utf8_prefix(s, n, keep), buf, room);
    snprintf(buf + at, cap - at, "%s", marker);
    return buf;
}
