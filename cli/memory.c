/* memory.c - the commands over captured memory: reads (hexdump, raw bytes, JSON) and ranges.
 * SPDX-License-Identifier: MIT */
#include "cli.h"
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
static bool parse_operand(const char *what, const char *s, uint64_t *out)
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

/* One hexdump line: address, 16 bytes in two groups of 8, then the printable characters. */
void hexdump_line(uint64_t addr, const uint8_t *p, size_t n)
{
    char line[100];
    int at = snprintf(line, sizeof line, "0x%016" PRIx64 " ", addr);
    for (size_t i = 0; i < 16; i++) {
        if (i == 8)
            line[at++] = ' ';
        if (i < n)
            at += snprintf(line + at, sizeof line - (size_t)at, " %02x", p[i]);
        else
            at += snprintf(line + at, sizeof line - (size_t)at, "   ");
    }
    at += snprintf(line + at, sizeof line - (size_t)at, "  |");
    for (size_t i = 0; i < n; i++)
        line[at++] = isprint(p[i]) && p[i] < 0x7f ? (char)p[i] : '.';
    line[at++] = '|';
    line[at++] = '\n';
    fwrite(line, 1, (size_t)at, stdout);
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
            for (size_t i = 0; i < n; i += 16)
                hexdump_line(addr + done + i, buf + i, n - i < 16 ? n - i : 16);
        }
        done += n;
    }
    return EXIT_SUCCESS;
}

int cmd_read(struct run *r)
{
    uint64_t addr, len;
    if (!parse_operand("ADDR", r->a->positional[1], &addr) ||
        !parse_operand("LEN", r->a->positional[2], &len))
        return EXIT_ERROR;
    uint64_t missing;
    const dmp_status st = dmp_find_uncovered(r->f, addr, len, &missing);
    if (st == DMP_E_WRAP)
        return fail("0x%" PRIx64 "+0x%" PRIx64 " runs past the end of the address space", addr,
                    len);
    if (!r->a->json) {
        if (st == DMP_E_UNMAPPED) {
            print_uncaptured(r->f, addr, len, missing);
            return EXIT_UNCAPTURED;
        }
        return copy_out(r, addr, len);
    }
    doc_begin(r);
    json_hex(&r->j, "address", addr);
    json_uint(&r->j, "length", len);
    if (st == DMP_E_UNMAPPED) {
        json_null(&r->j, "bytes");
        json_uncaptured(&r->j, r->f, addr, missing);
        return doc_end(r, EXIT_UNCAPTURED, false);
    }
    json_string_begin(&r->j, "bytes");
    const int rc = copy_out(r, addr, len);
    json_string_end(&r->j);
    json_null(&r->j, "uncaptured");
    return doc_end(r, rc, false);
}
