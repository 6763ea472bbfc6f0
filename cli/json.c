/* json.c - a small streaming JSON writer for the dmpread command's --json output.
 * SPDX-License-Identifier: MIT */
#include "json.h"

#include "budget.h"
#include "text.h"

#include <assert.h>
#include <inttypes.h>
#include <string.h>

void json_init(struct json *j, FILE *out)
{
    memset(j, 0, sizeof *j);
    j->out = out;
}

void json_finish(struct json *j)
{
    assert(j->depth == 0);
    fputc('\n', j->out);
}

/* Whatever goes before a value at the current depth: the separator, the line break and
 * indent (none inside a compact container), and the key. */
static void begin_value(struct json *j, const char *key)
{
    const unsigned d = j->depth;
    if (d > 0) {
        if (j->has_members[d])
            fputc(',', j->out);
        if (j->compact[d]) {
            if (j->has_members[d])
                fputc(' ', j->out);
        } else {
            fprintf(j->out, "\n%*s", (int)(2 * d), "");
        }
    }
    j->has_members[d] = true;
    if (key) {
        fputc('"', j->out);
        json_string_chunk(j, key, strlen(key));
        fputs("\": ", j->out);
    }
}

static void open_container(struct json *j, const char *key, char bracket, bool compact)
{
    begin_value(j, key);
    fputc(bracket, j->out);
    assert(j->depth + 1 < JSON_MAX_DEPTH);
    j->depth++;
    j->has_members[j->depth] = false;
    /* Inside a compact container everything stays on its line. */
    j->compact[j->depth] = compact || j->compact[j->depth - 1];
}

static void close_container(struct json *j, char bracket)
{
    assert(j->depth > 0);
    const unsigned d = j->depth--;
    if (j->has_members[d] && !j->compact[d])
        fprintf(j->out, "\n%*s", (int)(2 * j->depth), "");
    fputc(bracket, j->out);
}

void json_object_begin(struct json *j, const char *key)
{
    open_container(j, key, '{', false);
}

void json_object_begin_compact(struct json *j, const char *key)
{
    open_container(j, key, '{', true);
}

void json_object_end(struct json *j)
{
    close_container(j, '}');
}

void json_array_begin(struct json *j, const char *key)
{
    open_container(j, key, '[', false);
}

void json_array_begin_compact(struct json *j, const char *key)
{
    open_container(j, key, '[', true);
}

void json_array_end(struct json *j)
{
    close_container(j, ']');
}

/* The escape for a character JSON does not allow raw, or that some consumers mishandle
 * (U+2028 and U+2029 end lines in older JavaScript); NULL for the rest. */
static const char *escape_of(uint32_t cp, char *buf, size_t cap)
{
    switch (cp) {
    case '"':
        return "\\\"";
    case '\\':
        return "\\\\";
    case '\n':
        return "\\n";
    case '\r':
        return "\\r";
    case '\t':
        return "\\t";
    case '\b':
        return "\\b";
    case '\f':
        return "\\f";
    default:
        break;
    }
    if (cp < 0x20 || cp == 0x2028 || cp == 0x2029) {
        snprintf(buf, cap, "\\u%04" PRIx32, cp);
        return buf;
    }
    return NULL;
}

void json_string_chunk(struct json *j, const char *s, size_t len)
{
    const char *run = s; /* bytes to copy as they are */
    while (len > 0) {
        uint32_t cp;
        const size_t n = utf8_decode(s, len, &cp);
        char buf[8];
        const char *const esc = n ? escape_of(cp, buf, sizeof buf) : "\\ufffd";
        if (esc) {
            fwrite(run, 1, (size_t)(s - run), j->out);
            fputs(esc, j->out);
        }
        s += n ? n : 1;
        len -= n ? n : 1;
        if (esc)
            run = s;
    }
    fwrite(run, 1, (size_t)(s - run), j->out);
}

void json_string_begin(struct json *j, const char *key)
{
    begin_value(j, key);
    fputc('"', j->out);
}

void json_string_end(struct json *j)
{
    fputc('"', j->out);
}

void json_string_n(struct json *j, const char *key, const char *s, size_t len)
{
    const size_t keep = budget_charge(len);
    json_string_begin(j, key);
    if (keep == len) {
        json_string_chunk(j, s, len);
    } else {
        char marker[BUDGET_MARKER];
        const size_t kept = utf8_prefix(s, len, keep);
        budget_marker(len, kept, marker, sizeof marker);
        json_string_chunk(j, s, kept);
        json_string_chunk(j, marker, strlen(marker));
    }
    json_string_end(j);
}

void json_string(struct json *j, const char *key, const char *s)
{
    if (s)
        json_string_n(j, key, s, strlen(s));
    else
        json_null(j, key);
}

void json_uint(struct json *j, const char *key, uint64_t v)
{
    begin_value(j, key);
    fprintf(j->out, v <= JSON_MAX_SAFE_INTEGER ? "%" PRIu64 : "\"%" PRIu64 "\"", v);
}

void json_int(struct json *j, const char *key, int64_t v)
{
    const uint64_t magnitude = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    begin_value(j, key);
    fprintf(j->out, magnitude <= JSON_MAX_SAFE_INTEGER ? "%" PRId64 : "\"%" PRId64 "\"", v);
}

void json_hex(struct json *j, const char *key, uint64_t v)
{
    begin_value(j, key);
    fprintf(j->out, "\"0x%" PRIx64 "\"", v);
}

void json_hex_end(struct json *j, const char *key, uint64_t base, uint64_t size)
{
    const uint64_t low = base + size;
    begin_value(j, key);
    if (low < base) /* carried into bit 64 */
        fprintf(j->out, "\"0x1%016" PRIx64 "\"", low);
    else
        fprintf(j->out, "\"0x%" PRIx64 "\"", low);
}

void json_bool(struct json *j, const char *key, bool v)
{
    begin_value(j, key);
    fputs(v ? "true" : "false", j->out);
}

void json_empty_array(struct json *j, const char *key)
{
    json_array_begin_compact(j, key);
    json_array_end(j);
}

void json_null(struct json *j, const char *key)
{
    begin_value(j, key);
    fputs("null", j->out);
}

void json_uint_or_null(struct json *j, const char *key, bool present, uint64_t v)
{
    if (present)
        json_uint(j, key, v);
    else
        json_null(j, key);
}

void json_hex_or_null(struct json *j, const char *key, bool present, uint64_t v)
{
    if (present)
        json_hex(j, key, v);
    else
        json_null(j, key);
}
