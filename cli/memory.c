/* memory.c - the commands over captured memory: reads (hexdump, raw bytes, JSON) and ranges.
 * SPDX-License-Identifier: MIT */
#include "cli.h"
#include "budget.h"
#include "num.h"

#include <ctype.h>
#include <inttypes.h>
#include <string.h>

#define CHUNK ((size_t)1 << 16)

const char *dump_path(const char *arg)
{
    return strcmp(arg, "-") == 0 ? "/dev/stdin" : arg;
}

/* Parses ADDR or LEN; on failure says why in one line and returns false. */
bool parse_operand(const char *what, const char *s, uint64_t *out)
{
    switch (parse_u64_operand(s, out)) {
    case NUM_OK:
        return true;
    case NUM_TOO_BIG:
        fail("%s '%s' is too large: the largest is 0xffffffffffffffff", what, s);
        return false;
    case NUM_BAD:
        break;
    }
    if (s[0] == '-')
        fail("%s '%s' is negative: addresses and lengths are unsigned", what, s);
    else
        fail("%s '%s' is not a number (decimal, or hex with 0x)", what, s);
    return false;
}

/* The exclusive end of a range as "0x...", 16 digits when `pad`; an end of 2^64 needs 17. */
static void print_end(FILE *out, uint64_t addr, uint64_t size, bool pad)
{
    char buf[24];
    format_end(addr, size, pad ? 16 : 1, buf, sizeof buf);
    fputs(buf, out);
}

static void print_range(FILE *out, const dmp_range *r)
{
    const char *name = dmp_stream_type_name(r->stream_type);
    fprintf(out, "0x%016" PRIx64 " ", r->addr);
    print_end(out, r->addr, r->size, true);
    fprintf(out, " %12" PRIu64 "  stream %" PRIu32 " %-18s desc %" PRIu64 "%s\n", r->size,
            r->stream_index, name ? name : "?", r->descriptor,
            r->flags & DMP_RANGE_TRUNCATED ? "  truncated" : "");
}

static void json_range(struct json *j, const dmp_range *r)
{
    json_object_begin_compact(j, NULL);
    json_hex(j, "start", r->addr);
    json_hex_end(j, "end", r->addr, r->size);
    json_uint(j, "size", r->size);
    json_uint(j, "file_offset", r->file_offset);
    json_uint(j, "stream_index", r->stream_index);
    json_uint(j, "stream_type", r->stream_type);
    json_string(j, "stream_type_name", dmp_stream_type_name(r->stream_type));
    json_uint(j, "descriptor", r->descriptor);
    json_bool(j, "truncated", (r->flags & DMP_RANGE_TRUNCATED) != 0);
    json_object_end(j);
}

int cmd_ranges(struct run *r)
{
    doc_begin(r);
    if (r->a->json)
        json_array_begin(&r->j, "ranges");
    const size_t n = dmp_range_count(r->f);
    for (size_t i = 0; i < n; i++) {
        dmp_range range;
        if (dmp_range_get(r->f, i, &range) != DMP_OK)
            continue;
        if (r->a->json)
            json_range(&r->j, &range);
        else
            print_range(stdout, &range);
    }
    if (r->a->json)
        json_array_end(&r->j);
    return doc_end(r, EXIT_SUCCESS, true);
}

/* The readable runs around a gap, adjacent index entries joined, as a reader would retry
 * with them. An end is kept as base + size so that 2^64 stays representable. */
struct nearby {
    bool has_below;
    uint64_t below_start, below_end_base, below_end_size;
    bool has_above;
    uint64_t above_start, above_len;
};

static struct nearby find_nearby(const dmp_file *f, uint64_t missing)
{
    struct nearby nb = {0};
    size_t next;
    const bool has_next = dmp_range_next(f, missing, &next) == DMP_OK;
    size_t below = has_next ? next : dmp_range_count(f);
    dmp_range r;
    if (below > 0 && dmp_range_get(f, --below, &r) == DMP_OK) {
        nb.has_below = true;
        nb.below_end_base = r.addr;
        nb.below_end_size = r.size;
        dmp_range prev;
        while (below > 0 && dmp_range_get(f, below - 1, &prev) == DMP_OK &&
               prev.addr + prev.size == r.addr) {
            r = prev;
            below--;
        }
        nb.below_start = r.addr;
    }
    if (has_next && dmp_range_get(f, next, &r) == DMP_OK) {
        nb.has_above = true;
        nb.above_start = r.addr;
        nb.above_len = dmp_readable_len(f, r.addr);
    }
    return nb;
}

/* Says which bytes of [addr, addr+len) are missing, and what is captured around them. */
static void print_uncaptured(const dmp_file *f, uint64_t addr, uint64_t len, uint64_t missing)
{
    fprintf(stderr,
            "dmpread: 0x%" PRIx64 "+0x%" PRIx64 " is not fully captured: first missing byte at "
            "0x%" PRIx64 " (%" PRIu64 " of %" PRIu64 " bytes readable from 0x%" PRIx64 ")\n",
            addr, len, missing, missing - addr, len, addr);
    const struct nearby nb = find_nearby(f, missing);
    if (nb.has_below) {
        fprintf(stderr, "dmpread: nearest captured memory below: 0x%" PRIx64 "-", nb.below_start);
        print_end(stderr, nb.below_end_base, nb.below_end_size, false);
        fputc('\n', stderr);
    }
    if (nb.has_above) {
        fprintf(stderr, "dmpread: nearest captured memory above: 0x%" PRIx64 "-", nb.above_start);
        print_end(stderr, nb.above_start, nb.above_len, false);
        fputc('\n', stderr);
    }
    if (dmp_range_count(f) == 0)
        fputs("dmpread: the dump captured no memory\n", stderr);
}

static void json_uncaptured(struct json *j, const dmp_file *f, uint64_t addr, uint64_t missing)
{
    const struct nearby nb = find_nearby(f, missing);
    json_object_begin(j, "uncaptured");
    json_hex(j, "first_missing", missing);
    json_uint(j, "readable", missing - addr);
    if (nb.has_below) {
        json_object_begin_compact(j, "nearest_below");
        json_hex(j, "start", nb.below_start);
        json_hex_end(j, "end", nb.below_end_base, nb.below_end_size);
        json_object_end(j);
    } else {
        json_null(j, "nearest_below");
    }
    if (nb.has_above) {
        json_object_begin_compact(j, "nearest_above");
        json_hex(j, "start", nb.above_start);
        json_hex_end(j, "end", nb.above_start, nb.above_len);
        json_object_end(j);
    } else {
        json_null(j, "nearest_above");
    }
    json_object_end(j);
}

/* The hexdump's state across chunks: the previous full line, for --squeeze. */
struct hexdump {
    bool squeeze;
    bool has_prev, in_run; /* in_run: the "*" for a run of repeats is out */
    uint8_t prev[16];
};

static const char hex_digits[] = "0123456789abcdef";

/* One hexdump line into `line` (at least HEXDUMP_LINE bytes): the address, 16 bytes in two
 * groups of 8, then the printable characters. Returns its length. Built by hand rather than
 * with printf: 64 MiB are four million lines, and this is what makes it as fast as xxd. */
#define HEXDUMP_LINE 96 /* 89: 18 + 1 + 49 + 3 + 16 + 2 */
static size_t format_hexdump_line(char *line, uint64_t addr, const uint8_t *p, size_t n)
{
    char *o = line;
    *o++ = '0';
    *o++ = 'x';
    for (int shift = 60; shift >= 0; shift -= 4)
        *o++ = hex_digits[(addr >> shift) & 0xf];
    *o++ = ' ';
    for (size_t i = 0; i < 16; i++) {
        if (i == 8)
            *o++ = ' ';
        *o++ = ' ';
        *o++ = i < n ? hex_digits[p[i] >> 4] : ' ';
        *o++ = i < n ? hex_digits[p[i] & 0xf] : ' ';
    }
    *o++ = ' ';
    *o++ = ' ';
    *o++ = '|';
    for (size_t i = 0; i < n; i++)
        *o++ = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.';
    *o++ = '|';
    *o++ = '\n';
    return (size_t)(o - line);
}

/* One hexdump line on standard output (for the stream command). */
void hexdump_line(uint64_t addr, const uint8_t *p, size_t n)
{
    char line[HEXDUMP_LINE];
    fwrite(line, 1, format_hexdump_line(line, addr, p, n), stdout);
}

/* The lines of n bytes at addr, written with one fwrite. `last`: these bytes end the read,
 * so their final line is shown even when it repeats (the reader sees where the read ends). */
static void hexdump_chunk(struct hexdump *h, uint64_t addr, const uint8_t *p, size_t n, bool last)
{
    static char out[(CHUNK / 16 + 1) * HEXDUMP_LINE];
    size_t at = 0;
    for (size_t i = 0; i < n; i += 16) {
        const size_t k = n - i < 16 ? n - i : 16;
        const bool final = last && i + k == n;
        if (h->squeeze && k == 16 && h->has_prev && !final && memcmp(h->prev, p + i, 16) == 0) {
            if (!h->in_run) {
                out[at++] = '*';
                out[at++] = '\n';
                h->in_run = true;
            }
            continue;
        }
        h->in_run = false;
        h->has_prev = k == 16;
        if (k == 16)
            memcpy(h->prev, p + i, 16);
        at += format_hexdump_line(out + at, addr + i, p + i, k);
    }
    fwrite(out, 1, at, stdout);
}

static void json_hex_bytes(struct json *j, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char buf[512];
    for (size_t i = 0; i < n;) {
        size_t at = 0;
        for (; i < n && at < sizeof buf; i++) {
            buf[at++] = digits[p[i] >> 4];
            buf[at++] = digits[p[i] & 0xf];
        }
        json_string_chunk(j, buf, at);
    }
}

/* All of [addr, addr+len) is captured: copy it in chunks so LEN is never one allocation. */
static int copy_out(struct run *r, uint64_t addr, uint64_t len)
{
    static uint8_t buf[CHUNK];
    struct hexdump h = {.squeeze = r->a->squeeze};
    for (uint64_t done = 0; done < len;) {
        const size_t n = len - done < CHUNK ? (size_t)(len - done) : CHUNK;
        if (dmp_read_memory(r->f, addr + done, buf, n, NULL) != DMP_OK)
            return fail("internal error: captured memory at 0x%" PRIx64 " did not read",
                        addr + done);
        if (r->a->json) {
            json_hex_bytes(&r->j, buf, n);
        } else if (r->a->raw) {
            if (fwrite(buf, 1, n, stdout) != n)
                break;
        } else {
            hexdump_chunk(&h, addr + done, buf, n, done + n == len);
        }
        done += n;
    }
    return EXIT_SUCCESS;
}

/* --words: the pointer size and byte order of the dump's CPU; false (said) when unknown. */
static bool word_shape(const dmp_file *f, unsigned *size, bool *big_endian)
{
    dmp_arch_info arch;
    if (dmp_get_arch(f, &arch) != DMP_OK || (arch.pointer_size != 4 && arch.pointer_size != 8)) {
        fail("--words: the dump does not tell its CPU, so neither its pointer size");
        return false;
    }
    *size = arch.pointer_size;
    *big_endian = arch.big_endian != 0;
    return true;
}

static uint64_t load_word(const uint8_t *p, unsigned size, bool big_endian)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)p[big_endian ? size - 1 - i : i] << (8 * i);
    return v;
}

/* One word: its address, its value and the module it points into, as a text line or a JSON
 * object. */
static void put_word(struct run *r, uint64_t addr, uint64_t v, unsigned size)
{
    if (r->a->json) {
        json_object_begin_compact(&r->j, NULL);
        json_hex(&r->j, "address", addr);
        json_hex(&r->j, "value", v);
        json_module_ref(&r->j, "module", r->f, v);
        json_object_end(&r->j);
        return;
    }
    char where[320] = "";
    if (!module_offset(r->f, v, where + 2, sizeof where - 2))
        where[2] = '\0';
    else
        where[0] = where[1] = ' ';
    printf("0x%0*" PRIx64 "  0x%0*" PRIx64 "%s\n", (int)(2 * size), addr, (int)(2 * size), v,
           where[2] ? where : "");
}

/* All of [addr, addr+len) is captured and len is a multiple of `size`: the words. */
static int words_out(struct run *r, uint64_t addr, uint64_t len, unsigned size, bool big_endian)
{
    static uint8_t buf[CHUNK];
    for (uint64_t done = 0; done < len;) {
        const size_t n = len - done < CHUNK ? (size_t)(len - done) : CHUNK;
        if (dmp_read_memory(r->f, addr + done, buf, n, NULL) != DMP_OK)
            return fail("internal error: captured memory at 0x%" PRIx64 " did not read",
                        addr + done);
        for (size_t i = 0; i < n; i += size)
            put_word(r, addr + done + i, load_word(buf + i, size, big_endian), size);
        done += n;
    }
    return EXIT_SUCCESS;
}

/* The whole read in JSON: one document, the bytes (and words) streamed into it. */
static int json_read(struct run *r, uint64_t addr, uint64_t len, dmp_status st, uint64_t missing,
                     const struct addr_expr *e, unsigned word_size, bool big_endian)
{
    doc_begin(r);
    json_hex(&r->j, "address", addr);
    json_uint(&r->j, "length", len);
    json_addr_expr(&r->j, e);
    if (st == DMP_E_UNMAPPED) {
        json_null(&r->j, "bytes");
        json_array_begin(&r->j, "words");
        json_array_end(&r->j);
        json_uncaptured(&r->j, r->f, addr, missing);
        return doc_end(r, EXIT_UNCAPTURED, false);
    }
    json_string_begin(&r->j, "bytes");
    int rc = copy_out(r, addr, len);
    json_string_end(&r->j);
    if (r->a->words && rc == EXIT_SUCCESS) {
        json_array_begin(&r->j, "words");
        rc = words_out(r, addr, len, word_size, big_endian);
        json_array_end(&r->j);
    } else {
        json_array_begin(&r->j, "words");
        json_array_end(&r->j);
    }
    json_null(&r->j, "uncaptured");
    return doc_end(r, rc, false);
}

int cmd_read(struct run *r)
{
    uint64_t addr, len;
    struct addr_expr e;
    if (!resolve_addr(r->f, r->a->positional[1], &addr, &e) ||
        !parse_operand("LEN", r->a->positional[2], &len))
        return EXIT_ERROR;
    unsigned word_size = 0;
    bool big_endian = false;
    if (r->a->words) {
        if (!word_shape(r->f, &word_size, &big_endian))
            return EXIT_ERROR;
        if (len % word_size != 0)
            return fail("--words: LEN 0x%" PRIx64 " is not a multiple of the pointer size (%u)",
                        len, word_size);
    }
    if (!r->a->json && !r->a->quiet)
        describe_addr(&e, addr);
    uint64_t missing;
    const dmp_status st = dmp_find_uncovered(r->f, addr, len, &missing);
    if (st == DMP_E_WRAP)
        return fail("0x%" PRIx64 "+0x%" PRIx64 " runs past the end of the address space", addr,
                    len);
    if (r->a->json)
        return json_read(r, addr, len, st, missing, &e, word_size, big_endian);
    if (st == DMP_E_UNMAPPED) {
        print_uncaptured(r->f, addr, len, missing);
        return EXIT_UNCAPTURED;
    }
    if (r->a->words) {
        /* Each word may name a module: the names are charged to the output budget. */
        budget_begin(dmp_file_size(r->f));
        const int rc = words_out(r, addr, len, word_size, big_endian);
        note_cuts(r, budget_end());
        return rc;
    }
    return copy_out(r, addr, len);
}
