/* text.h - UTF-8 decoding, and strings from a dump made safe to print on a terminal.
 * SPDX-License-Identifier: MIT */
#ifndef DMPREAD_CLI_TEXT_H
#define DMPREAD_CLI_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* The length of the well-formed UTF-8 sequence at s (n > 0 bytes available), with its code
 * point in *cp; 0 when s does not start one (stray continuation byte, overlong form,
 * surrogate, past U+10FFFF, cut short). */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);

/* Code points in s, each invalid byte counting one: the columns it takes on a terminal for
 * the scripts dump strings hold (wide CJK characters are not measured). */
size_t text_width(const char *s);

/* The longest start of s's n bytes, at most `keep` long, that ends between UTF-8
 * sequences (an invalid byte counts as one). */
size_t utf8_prefix(const char *s, size_t n, size_t keep);

/* Copies s into buf (cap > 0) for a terminal: printable UTF-8 as is; control characters
 * (C0, DEL, C1) and bytes that are not UTF-8 as \xNN, so a name in a dump can neither
 * break a line nor send escape sequences. Cut at cap - 1 bytes, between characters.
 * What it copies is charged to the output budget (budget.h): once that is spent, a long s
 * gives its first BUDGET_KEEP bytes and "[...N bytes cut]". Returns buf. */
char *text_printable(const char *s, char *buf, size_t cap);

#endif /* DMPREAD_CLI_TEXT_H */
