/* json.h - a small streaming JSON writer for the dmpread command's --json output.
 * SPDX-License-Identifier: MIT
 *
 * Writes one RFC 8259 document as it goes, indented by two spaces per level; a container
 * opened "compact" keeps its members on one line (list entries such as ranges). Members of
 * an object are written with a key, elements of an array and the top-level value with key
 * NULL. Strings are taken as UTF-8: bytes that are not valid UTF-8 come out as U+FFFD,
 * control characters, quote and backslash are escaped, so any C string gives valid JSON.
 * Write errors are left to the stream's error indicator (main checks it at exit).
 */
#ifndef DMPREAD_CLI_JSON_H
#define DMPREAD_CLI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

/* Integers above this are written as strings of decimal digits (docs/json.md): 2^53 - 1 is
 * the largest that every consumer, JavaScript's doubles included, holds exactly. */
#define JSON_MAX_SAFE_INTEGER ((uint64_t)9007199254740991)

struct json {
    FILE *out;
    unsigned depth;
    bool has_members[JSON_MAX_DEPTH]; /* at each depth: a value was written already */
    bool compact[JSON_MAX_DEPTH];
};

void json_init(struct json *j, FILE *out);
/* Ends the document with a newline. */
void json_finish(struct json *j);

void json_object_begin(struct json *j, const char *key);
void json_object_begin_compact(struct json *j, const char *key);
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
/* The schema version every document starts with (docs/json.md, "Version and stability"). */
#define DMPREAD_JSON_VERSION 2

void json_array_begin_compact(struct json *j, const char *key);
void json_array_end(struct json *j);
/* `"key": []`: a list the dump does not have (schema version 2: never null). */
void json_empty_array(struct json *j, const char *key);

/* A string; s NULL writes null. Both charge the output budget (budget.h): once it is
 * spent, a long string is written as its first BUDGET_KEEP bytes and "[...N bytes cut]". */
void json_string(struct json *j, const char *key, const char *s);
void json_string_n(struct json *j, const char *key, const char *s, size_t len);
/* A number when at most JSON_MAX_SAFE_INTEGER, else a string of its decimal digits. */
void json_uint(struct json *j, const char *key, uint64_t v);
void json_int(struct json *j, const char *key, int64_t v);
/* "0x" and lowercase hex digits, no padding: addresses, bitmasks, codes. */
void json_hex(struct json *j, const char *key, uint64_t v);
/* base + size as "0x..." even when it reaches or passes 2^64 (then 17 digits). */
void json_hex_end(struct json *j, const char *key, uint64_t base, uint64_t size);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
/* json_uint / json_hex when `present` (a field whose validity flag is set), else null. */
void json_uint_or_null(struct json *j, const char *key, bool present, uint64_t v);
void json_hex_or_null(struct json *j, const char *key, bool present, uint64_t v);

/* A string written in pieces, for long values (the bytes of a read as hex): begin, any
 * number of chunks (escaped like json_string's; split only between UTF-8 sequences), end.
 * Not charged to the output budget: a caller writing the dump's bytes charges them. */
void json_string_begin(struct json *j, const char *key);
void json_string_chunk(struct json *j, const char *s, size_t len);
void json_string_end(struct json *j);

#endif /* DMPREAD_CLI_JSON_H */
