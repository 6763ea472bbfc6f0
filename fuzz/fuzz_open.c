/* fuzz_open.c - libFuzzer harness: opens the input, walks everything the API hands out, and
 * checks every memory answer against the independent oracle of oracle.h.
 * SPDX-License-Identifier: MIT
 *
 * Plain input: the open must fail exactly when the oracle finds no usable header; the
 * directory, the diagnostics' tallies and, when the oracle could model the input, the whole
 * index (coverage, owners, file offsets) must match it. Then reads, coverage queries and
 * lookups are probed at addresses taken from the input: every segment's edges, ±1 around
 * them, spans across neighbours, random spots from a PRNG seeded by the input's hash, and
 * pairs read from the input's tail. Each probe must agree with the oracle; a failed read
 * must leave the caller's buffer as it was. When the input has too many descriptors for the
 * oracle, probes are checked against the library's own ranges instead, once those have been
 * checked for order and bounds.
 *
 * Gzip input (1f 8b) is opened under a small heap limit and walked the same way, without
 * the oracle: the inflated bytes are not ours to model.
 *
 * Any disagreement prints what differed and aborts, which libFuzzer reports as a crash.
 */
#include "harness.h"
#include "oracle.h"

#include <dmpread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GZIP_MAX_HEAP ((uint64_t)16 << 20) /* inflated bytes a gzip input may take */
#define READ_MAX ((uint64_t)1 << 20)       /* longest read whose bytes are checked */
#define READ_BUDGET ((uint64_t)8 << 20)    /* bytes read per input, all probes together */
#define FAIL_ROOM 256                      /* buffer given to reads that must fail, however long */
#define GUARD 16                           /* canary bytes past the end of each read */
#define EDGE_SEGS 256                      /* segments whose edges are all probed */
#define RANDOM_PROBES 64
#define TAIL_PROBES 8
#define DIAG_FORMAT_MAX 4096 /* diagnostics formatted per input */
#define SENTINEL UINT64_C(0x5a5a5a5a5a5a5a5a)

/* One opened input and what its reads are checked against. */
struct run {
    const dmp_file *f;
    const uint8_t *data;    /* the input, when the dump borrows it; NULL for gzip */
    const struct oracle *o; /* NULL for gzip */
    dmp_range *ranges;      /* the library's index, fetched once */
    size_t range_count;
    struct cover cover;      /* the oracle's segments, or the ranges' when unmodelled */
    struct cover_seg *owned; /* storage for the latter */
    uint64_t rng;
    uint64_t budget; /* bytes left to read */
};

static bool all_equal(const uint8_t *p, size_t n, uint8_t v)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != v)
            return false;
    return true;
}

static uint64_t range_last(const dmp_range *g)
{
    return g->addr + (g->size - 1);
}

/* ---- Header, directory, diagnostics ----------------------------------------------------- */

static void check_header(const struct run *r)
{
    const struct oracle *o = r->o;
    dmp_header h;
    dmp_get_header(r->f, &h);
    CHECK(h.signature == 0x504d444du, "signature %#x", h.signature);
    CHECK(h.version == o->version && h.stream_count == o->stream_count &&
              h.directory_rva == o->directory_rva && h.checksum == o->checksum &&
              h.time_date_stamp == o->time_date_stamp && h.flags == o->flags,
          "header fields differ from the file's");
    CHECK(dmp_file_size(r->f) == o->len, "file size %llu, input %zu", (ull)dmp_file_size(r->f),
          o->len);
    CHECK(!dmp_was_compressed(r->f), "plain input reported as compressed");
}

static void check_stream_with_oracle(const struct run *r, size_t i, const dmp_stream *s)
{
    const struct oracle_stream *e = &r->o->streams[i];
    const uint32_t flags =
        (e->past_eof ? DMP_STREAM_PAST_EOF : 0u) | (e->clipped ? DMP_STREAM_CLIPPED : 0u);
    CHECK(s->type == e->type && s->data_size == e->data_size && s->rva == e->rva,
          "stream %zu: entry differs from the directory", i);
    CHECK(s->flags == flags, "stream %zu: flags %#x, oracle %#x", i, s->flags, flags);
    CHECK(s->size == e->kept, "stream %zu: size %llu, oracle %llu", i, (ull)s->size, (ull)e->kept);
    CHECK(s->size == 0 || s->data == r->data + e->rva, "stream %zu: data not at its rva", i);
}

static void check_streams(const struct run *r)
{
    const size_t n = dmp_stream_count(r->f);
    CHECK(!r->o || n == r->o->streams_len, "%zu streams, oracle %zu", n, r->o->streams_len);
    for (size_t i = 0; i < n; i++) {
        dmp_stream s;
        CHECK(dmp_stream_get(r->f, i, &s) == DMP_OK, "stream %zu of %zu not found", i, n);
        (void)dmp_stream_type_name(s.type);
        CHECK((s.size == 0) == (s.data == NULL), "stream %zu: size %llu, data %p", i, (ull)s.size,
              s.data);
        CHECK(s.size <= s.data_size, "stream %zu: more bytes than its DataSize", i);
        CHECK((s.flags & ~(DMP_STREAM_PAST_EOF | DMP_STREAM_CLIPPED)) == 0,
              "stream %zu: unknown flags %#x", i, s.flags);
        if (r->o)
            check_stream_with_oracle(r, i, &s);
    }
    dmp_stream s;
    CHECK(dmp_stream_get(r->f, n, &s) == DMP_E_NOT_FOUND, "stream %zu past the end found", n);
}

/* dmp_diag_format is snprintf-like: same length whatever the room, always NUL-terminated. */
static void check_diag_format(struct run *r, const dmp_diag *d)
{
    char full[1024], part[64];
    const size_t need = dmp_diag_format(d, full, sizeof full);
    const size_t shown = need < sizeof full ? need : sizeof full - 1;
    CHECK(strlen(full) == shown, "diag format: returned %zu, wrote %zu", need, strlen(full));
    CHECK(!strchr(full, '\n'), "diag format: not one line: %s", full);
    CHECK(dmp_diag_format(d, NULL, 0) == need, "diag format: length differs with no room");
    const size_t cap = 1 + (size_t)(fuzz_rand(&r->rng) % sizeof part);
    memset(part, 0x7f, sizeof part);
    CHECK(dmp_diag_format(d, part, cap) == need, "diag format: length differs with %zu", cap);
    const size_t cut = need < cap ? need : cap - 1;
    CHECK(strlen(part) == cut && memcmp(part, full, cut) == 0, "diag format: cut badly at %zu",
          cap);
    CHECK(all_equal((const uint8_t *)part + cap, sizeof part - cap, 0x7f),
          "diag format: wrote past its room");
    CHECK(dmp_diag_kind_name(d->kind) != NULL, "diag kind %d has no name", (int)d->kind);
}

static bool is_memory_list_type(uint32_t type)
{
    return type == DMP_STREAM_MEMORY_LIST || type == DMP_STREAM_MEMORY64_LIST;
}

/* Adds a memory diagnostic to the tallies the oracle predicts. Other kinds are ignored. */
static void tally_diag(struct oracle_expect *t, const dmp_diag *d)
{
    const bool list = d->stream_index != DMP_DIAG_NO_STREAM && is_memory_list_type(d->stream_type);
    switch ((int)d->kind) {
    case DMP_DIAG_DIRECTORY_CLIPPED:
        t->directory_clipped++;
        return;
    case DMP_DIAG_STREAM_PAST_EOF:
        t->stream_past_eof++;
        return;
    case DMP_DIAG_STREAM_CLIPPED:
        t->stream_clipped++;
        return;
    }
    if (!list)
        return;
    switch ((int)d->kind) {
    case DMP_DIAG_LIST_TOO_SMALL:
        t->list_too_small++;
        return;
    case DMP_DIAG_COUNT_CLIPPED:
        t->count_clipped++;
        return;
    case DMP_DIAG_RECORDS_REUSED:
        t->records_reused++;
        return;
    case DMP_DIAG_RANGE_TRUNCATED:
        t->range_truncated += d->count;
        return;
    case DMP_DIAG_RANGE_PAST_EOF:
        t->range_past_eof += d->count;
        return;
    case DMP_DIAG_ADDR_OVERFLOW:
        t->addr_overflow += d->count;
        return;
    case DMP_DIAG_OFFSET_OVERFLOW:
        t->offset_overflow += d->count;
        return;
    case DMP_DIAG_OVERLAP:
        t->overlap += d->count;
        return;
    case DMP_DIAG_ZERO_SIZE:
        t->zero_size += d->count;
        return;
    }
}

/* The oracle's counts against the diagnostics'. A kind the library capped (one
 * DMP_DIAG_SUPPRESSED names it; DMP_DIAG_MAX_PER_KIND of its entries were kept) can only be
 * held to at most the oracle's count: the kept entries are the first ones found. */
static void compare_tallies(const struct oracle *o, const struct oracle_expect *t,
                            const bool *capped)
{
    const struct oracle_expect *x = &o->expect;
#define SAME(field, kind)                                                                          \
    CHECK(capped[kind] ? t->field <= x->field : t->field == x->field,                              \
          "diagnostics: %llu " #field ", oracle %llu%s", (ull)t->field, (ull)x->field,             \
          capped[kind] ? " (capped)" : "")
    SAME(directory_clipped, DMP_DIAG_DIRECTORY_CLIPPED);
    SAME(stream_past_eof, DMP_DIAG_STREAM_PAST_EOF);
    SAME(stream_clipped, DMP_DIAG_STREAM_CLIPPED);
    if (!o->gathered)
        return;
    SAME(list_too_small, DMP_DIAG_LIST_TOO_SMALL);
    SAME(count_clipped, DMP_DIAG_COUNT_CLIPPED);
    SAME(records_reused, DMP_DIAG_RECORDS_REUSED);
    SAME(range_truncated, DMP_DIAG_RANGE_TRUNCATED);
    SAME(range_past_eof, DMP_DIAG_RANGE_PAST_EOF);
    SAME(addr_overflow, DMP_DIAG_ADDR_OVERFLOW);
    SAME(offset_overflow, DMP_DIAG_OFFSET_OVERFLOW);
    SAME(zero_size, DMP_DIAG_ZERO_SIZE);
    if (o->modelled)
        SAME(overlap, DMP_DIAG_OVERLAP);
#undef SAME
}

static void check_diags(struct run *r)
{
    struct oracle_expect tally;
    memset(&tally, 0, sizeof tally);
    enum { KINDS = 32 };
    uint64_t entries[KINDS] = {0};
    bool capped[KINDS] = {false};
    const size_t n = dmp_diag_count(r->f), streams = dmp_stream_count(r->f);
    for (size_t i = 0; i < n; i++) {
        dmp_diag d;
        CHECK(dmp_diag_get(r->f, i, &d) == DMP_OK, "diag %zu of %zu not found", i, n);
        CHECK(d.stream_index == DMP_DIAG_NO_STREAM || d.stream_index < streams,
              "diag %zu names stream %u of %zu", i, d.stream_index, streams);
        if (i < DIAG_FORMAT_MAX)
            check_diag_format(r, &d);
        if (d.kind == DMP_DIAG_SUPPRESSED) {
            /* It names a kind, comes after every kept one, and counts at least one. */
            int k = 0;
            while (k < KINDS && strcmp(dmp_diag_kind_name((dmp_diag_kind)k), d.detail) != 0)
                k++;
            CHECK(k < KINDS && d.count > 0 && entries[k] == DMP_DIAG_MAX_PER_KIND && !capped[k],
                  "diag %zu: suppressed '%s' (%llu) after %llu kept", i, d.detail, (ull)d.count,
                  (ull)(k < KINDS ? entries[k] : 0));
            capped[k] = true;
            continue;
        }
        CHECK((unsigned)d.kind < KINDS, "diag %zu: kind %d", i, (int)d.kind);
        entries[d.kind]++;
        CHECK(entries[d.kind] <= DMP_DIAG_MAX_PER_KIND, "diag %zu: more than %d of kind %d", i,
              DMP_DIAG_MAX_PER_KIND, (int)d.kind);
        tally_diag(&tally, &d);
    }
    dmp_diag d;
    CHECK(dmp_diag_get(r->f, n, &d) == DMP_E_NOT_FOUND, "diag %zu past the end found", n);
    if (r->o)
        compare_tallies(r->o, &tally, capped);
}

/* ---- The index ------------------------------------------------------------------------ */

/* What a range must satisfy on its own: inside the file, after its predecessor, from a
 * memory list the directory has. */
static void check_range_alone(const struct run *r, size_t i)
{
    const dmp_range *g = &r->ranges[i];
    const uint64_t file_size = dmp_file_size(r->f);
    CHECK(g->size > 0 && g->size - 1 <= UINT64_MAX - g->addr, "range %zu: [%#llx, +%#llx)", i,
          (ull)g->addr, (ull)g->size);
    CHECK(i == 0 || range_last(&r->ranges[i - 1]) < g->addr,
          "range %zu at %#llx overlaps or precedes range %zu", i, (ull)g->addr, i - 1);
    CHECK(g->file_offset <= file_size && g->size <= file_size - g->file_offset,
          "range %zu: bytes [%llu, +%llu) outside the %llu-byte file", i, (ull)g->file_offset,
          (ull)g->size, (ull)file_size);
    CHECK(g->data != NULL && (!r->data || g->data == r->data + g->file_offset),
          "range %zu: data is not the input at its file offset", i);
    CHECK(is_memory_list_type(g->stream_type), "range %zu: stream type %u", i, g->stream_type);
    CHECK((g->flags & ~DMP_RANGE_TRUNCATED) == 0, "range %zu: flags %#x", i, g->flags);
    dmp_stream s;
    CHECK(dmp_stream_get(r->f, g->stream_index, &s) == DMP_OK && s.type == g->stream_type,
          "range %zu: from stream %u, which is not a memory list", i, g->stream_index);
}

static bool fetch_ranges(struct run *r)
{
    const size_t n = dmp_range_count(r->f);
    r->ranges = n ? malloc(n * sizeof *r->ranges) : NULL;
    if (n && !r->ranges)
        return false;
    r->range_count = n;
    for (size_t i = 0; i < n; i++) {
        CHECK(dmp_range_get(r->f, i, &r->ranges[i]) == DMP_OK, "range %zu of %zu", i, n);
        check_range_alone(r, i);
    }
    dmp_range g;
    CHECK(dmp_range_get(r->f, n, &g) == DMP_E_NOT_FOUND, "range %zu past the end found", n);
    return true;
}

/* Without a model, reads are checked against the ranges (already checked alone). */
static bool cover_from_ranges(struct run *r)
{
    r->owned = malloc(r->range_count * sizeof *r->owned + 1);
    if (!r->owned)
        return false;
    for (size_t i = 0; i < r->range_count; i++) {
        const dmp_range *g = &r->ranges[i];
        r->owned[i] = (struct cover_seg){g->addr, range_last(g), g->data, SIZE_MAX};
    }
    r->cover = (struct cover){r->owned, r->range_count};
    return true;
}

/* A range must lie in captured memory, all of it owned by the descriptor it names, at the
 * file offsets that descriptor gives. */
static void check_range_owner(const struct run *r, size_t i)
{
    const dmp_range *g = &r->ranges[i];
    const struct cover *c = &r->cover;
    size_t j = cover_find(c, g->addr);
    CHECK(j != SIZE_MAX, "range %zu at %#llx: the oracle has nothing there", i, (ull)g->addr);
    for (;;) {
        const struct cover_seg *s = &c->segs[j];
        const struct oracle_desc *d = &r->o->descs[s->owner];
        const uint64_t at = s->lo > g->addr ? s->lo : g->addr;
        CHECK(d->stream_index == g->stream_index && d->descriptor == g->descriptor &&
                  d->stream_type == g->stream_type,
              "range %zu: %#llx belongs to stream %u descriptor %llu, not stream %u descriptor "
              "%llu",
              i, (ull)at, d->stream_index, (ull)d->descriptor, g->stream_index, (ull)g->descriptor);
        CHECK(d->truncated == ((g->flags & DMP_RANGE_TRUNCATED) != 0),
              "range %zu: truncated flag %#x, oracle %d", i, g->flags, d->truncated);
        CHECK(g->file_offset + (at - g->addr) == d->off + (at - d->start),
              "range %zu: %#llx at file offset %llu, oracle %llu", i, (ull)at,
              (ull)(g->file_offset + (at - g->addr)), (ull)(d->off + (at - d->start)));
        if (s->last >= range_last(g))
            return;
        CHECK(j + 1 < c->count && c->segs[j + 1].lo == s->last + 1,
              "range %zu: %#llx is not captured", i, (ull)(s->last + 1));
        j++;
    }
}

/* Every range inside the oracle's memory and as many bytes in both: the same memory. */
static void check_ranges_with_oracle(const struct run *r)
{
    uint64_t in_ranges = 0, in_oracle = 0;
    for (size_t i = 0; i < r->range_count; i++) {
        check_range_owner(r, i);
        in_ranges += r->ranges[i].size;
    }
    for (size_t j = 0; j < r->cover.count; j++)
        in_oracle += r->cover.segs[j].last - r->cover.segs[j].lo + 1;
    CHECK(in_ranges == in_oracle, "the index holds %llu bytes, the oracle %llu", (ull)in_ranges,
          (ull)in_oracle);
}

/* ---- Probes ----------------------------------------------------------------------------- */

/* The status a request for [addr, addr+len) must get, and its first missing byte. */
static dmp_status expected(const struct run *r, uint64_t addr, uint64_t len, uint64_t *missing)
{
    if (len == 0)
        return DMP_OK;
    if (len - 1 > UINT64_MAX - addr)
        return DMP_E_WRAP;
    return cover_check(&r->cover, addr, len, missing) ? DMP_OK : DMP_E_UNMAPPED;
}

static void probe_uncovered(const struct run *r, uint64_t addr, uint64_t len)
{
    uint64_t want_missing = 0, missing = SENTINEL;
    const dmp_status want = expected(r, addr, len, &want_missing);
    const dmp_status st = dmp_find_uncovered(r->f, addr, len, &missing);
    CHECK(st == want, "find_uncovered(%#llx, %llu) = %d, oracle %d", (ull)addr, (ull)len, st, want);
    CHECK(st != DMP_E_UNMAPPED || missing == want_missing,
          "find_uncovered(%#llx, %llu): first missing %#llx, oracle %#llx", (ull)addr, (ull)len,
          (ull)missing, (ull)want_missing);
    CHECK(st != DMP_E_WRAP || missing == SENTINEL, "find_uncovered(%#llx, %llu) wrote on wrap",
          (ull)addr, (ull)len);
}

/* A read into a buffer filled with a canary: on success exactly the oracle's bytes and
 * nothing past them; on failure not a byte touched. A read that must fail gets at most
 * FAIL_ROOM bytes of buffer whatever its length: the library must fail before writing, and
 * ASan sees it if it does not. */
static void probe_read(struct run *r, uint64_t addr, uint64_t len)
{
    uint64_t missing;
    const dmp_status want = expected(r, addr, len, &missing);
    const uint64_t room = want != DMP_OK && len > FAIL_ROOM ? FAIL_ROOM : len;
    if (room > READ_MAX || room > r->budget || len > SIZE_MAX)
        return;
    r->budget -= room;
    uint8_t *const buf = malloc((size_t)room + GUARD);
    if (!buf)
        return;
    const uint8_t canary = (uint8_t)fuzz_rand(&r->rng);
    const bool counted = fuzz_rand(&r->rng) & 1;
    memset(buf, canary, (size_t)room + GUARD);
    size_t got = (size_t)SENTINEL;
    const dmp_status st = dmp_read_memory(r->f, addr, buf, (size_t)len, counted ? &got : NULL);
    CHECK(st == want, "read(%#llx, %llu) = %d, oracle %d", (ull)addr, (ull)len, st, want);
    if (st == DMP_OK) {
        CHECK(!counted || got == len, "read(%#llx, %llu): %zu bytes read", (ull)addr, (ull)len,
              got);
        CHECK(cover_equals(&r->cover, addr, len, buf), "read(%#llx, %llu): wrong bytes", (ull)addr,
              (ull)len);
        CHECK(all_equal(buf + room, GUARD, canary), "read(%#llx, %llu) wrote past its end",
              (ull)addr, (ull)len);
    } else {
        CHECK(!counted || got == 0, "failed read(%#llx, %llu): %zu bytes read", (ull)addr, (ull)len,
              got);
        CHECK(all_equal(buf, (size_t)room + GUARD, canary),
              "failed read(%#llx, %llu) wrote into the buffer", (ull)addr, (ull)len);
    }
    free(buf);
}

/* The position of the first range starting above addr (range_count when none). */
static size_t next_range(const struct run *r, uint64_t addr)
{
    size_t lo = 0, hi = r->range_count;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (r->ranges[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void probe_lookup(const struct run *r, uint64_t addr)
{
    const bool covered = cover_find(&r->cover, addr) != SIZE_MAX;
    size_t i = (size_t)SENTINEL;
    dmp_status st = dmp_range_find(r->f, addr, &i);
    CHECK(st == (covered ? DMP_OK : DMP_E_NOT_FOUND), "range_find(%#llx) = %d, covered %d",
          (ull)addr, st, covered);
    CHECK(st == DMP_OK ? i < r->range_count && addr - r->ranges[i].addr < r->ranges[i].size
                       : i == (size_t)SENTINEL,
          "range_find(%#llx): index %zu", (ull)addr, i);
    const size_t want = next_range(r, addr);
    i = (size_t)SENTINEL;
    st = dmp_range_next(r->f, addr, &i);
    CHECK(st == (want < r->range_count ? DMP_OK : DMP_E_NOT_FOUND),
          "range_next(%#llx) = %d with %zu of %zu ranges above", (ull)addr, st, want,
          r->range_count);
    CHECK(st != DMP_OK || i == want, "range_next(%#llx) = %zu, want %zu", (ull)addr, i, want);
    const uint64_t run = cover_run(&r->cover, addr), len = dmp_readable_len(r->f, addr);
    CHECK(len == run, "readable_len(%#llx) = %llu, oracle %llu", (ull)addr, (ull)len, (ull)run);
}

static void probe(struct run *r, uint64_t addr, uint64_t len)
{
    probe_uncovered(r, addr, len);
    probe_read(r, addr, len);
    probe_lookup(r, addr);
}

/* Both ends of segment i, one byte either side, and spans into the next segment. */
static void probe_edges(struct run *r, size_t i)
{
    const struct cover_seg *s = &r->cover.segs[i];
    const uint64_t size = s->last - s->lo + 1;
    probe(r, s->lo, 1);
    probe(r, s->lo, size);
    probe(r, s->lo, size + 1);
    probe(r, s->lo - 1, 1);
    probe(r, s->lo - 1, 2);
    probe(r, s->lo + size / 2, size - size / 2);
    probe(r, s->last, 1);
    probe(r, s->last, 2);
    probe(r, s->last + 1, 1);
    if (i + 1 < r->cover.count) {
        const struct cover_seg *t = &r->cover.segs[i + 1];
        probe(r, s->lo, t->last - s->lo + 1); /* both whole, and the gap if any */
        probe(r, s->last, t->lo - s->last + 1);
    }
}

static void probe_random(struct run *r)
{
    const struct cover *c = &r->cover;
    for (int k = 0; k < RANDOM_PROBES; k++) {
        const uint64_t x = fuzz_rand(&r->rng), y = fuzz_rand(&r->rng);
        switch (x % 4) {
        case 0: /* around a segment */
            if (c->count > 0) {
                const struct cover_seg *s = &c->segs[fuzz_rand(&r->rng) % c->count];
                const uint64_t size = s->last - s->lo + 1;
                probe(r, s->lo + y % (size + 32) - 16, fuzz_rand(&r->rng) % (2 * size + 32));
            }
            break;
        case 1:
            probe(r, y, x >> 52);
            break;
        case 2: /* near 2^64 */
            probe(r, UINT64_MAX - y % 64, (x >> 8) % 128);
            break;
        default:
            probe(r, y, fuzz_rand(&r->rng));
            break;
        }
    }
}

/* Addresses and lengths the fuzzer controls directly: 16-byte pairs from the input's end. */
static void probe_tail(struct run *r, const uint8_t *data, size_t len)
{
    for (size_t k = 1; k <= TAIL_PROBES && 16 * k <= len; k++) {
        const uint8_t *p = data + len - 16 * k;
        uint64_t addr = 0, n = 0;
        for (int b = 7; b >= 0; b--) {
            addr = addr << 8 | p[b];
            n = n << 8 | p[8 + b];
        }
        probe(r, addr, n & 0xfffff);
        probe_uncovered(r, addr, n);
    }
}

/* Arguments the API must refuse or accept whatever the dump. */
static void probe_arguments(const struct run *r)
{
    size_t got = 1, i;
    uint64_t missing;
    uint8_t byte;
    CHECK(dmp_read_memory(r->f, 0, NULL, 0, &got) == DMP_OK && got == 0, "empty read");
    CHECK(dmp_read_memory(r->f, UINT64_MAX, NULL, 0, NULL) == DMP_OK, "empty read at the top");
    CHECK(dmp_read_memory(r->f, 0, NULL, 1, &got) == DMP_E_INVALID_ARG && got == 0, "NULL dst");
    CHECK(dmp_read_memory(NULL, 0, &byte, 1, NULL) == DMP_E_INVALID_ARG, "NULL dump");
    CHECK(dmp_find_uncovered(r->f, 0, 1, NULL) == DMP_E_INVALID_ARG, "NULL first_missing");
    CHECK(dmp_find_uncovered(NULL, 0, 1, &missing) == DMP_E_INVALID_ARG, "NULL dump");
    CHECK(dmp_range_find(r->f, 0, NULL) == DMP_E_INVALID_ARG, "range_find: NULL index");
    CHECK(dmp_range_next(NULL, 0, &i) == DMP_E_INVALID_ARG, "range_next: NULL dump");
    CHECK(dmp_readable_len(NULL, 0) == 0, "readable_len: NULL dump");
}

static void probe_all(struct run *r, const uint8_t *input, size_t input_len)
{
    const size_t n = r->cover.count;
    probe_arguments(r);
    for (size_t i = 0; i < n; i++)
        if (i < EDGE_SEGS / 2 || n - i <= EDGE_SEGS / 4)
            probe_edges(r, i);
    for (size_t k = 0; n > EDGE_SEGS && k < EDGE_SEGS / 4; k++)
        probe_edges(r, (size_t)(fuzz_rand(&r->rng) % n));
    probe(r, 0, 1);
    probe(r, UINT64_MAX, 1);
    probe(r, UINT64_MAX, 2);
    probe(r, 0, UINT64_MAX);
    probe_random(r);
    probe_tail(r, input, input_len);
}

/* ---- Driving ---------------------------------------------------------------------------- */

/* The default allocation budget held, and it has room for the index of any input this
 * harness takes (at most len / 16 descriptors, a few dozen bytes each), so the oracle's
 * comparisons all apply. */
static void check_budget(const dmp_file *f, size_t len)
{
    dmp_heap_usage u;
    dmp_get_heap_usage(f, &u);
    CHECK(u.used <= u.peak && u.peak <= u.budget, "heap: %llu used, %llu peak, budget %llu",
          (ull)u.used, (ull)u.peak, (ull)u.budget);
    CHECK(u.budget == (uint64_t)len * DMP_DEFAULT_ALLOC_FACTOR + DMP_DEFAULT_ALLOC_BASE,
          "default budget %llu for %zu bytes", (ull)u.budget, len);
    for (size_t i = 0; i < dmp_diag_count(f); i++) {
        dmp_diag d;
        CHECK(dmp_diag_get(f, i, &d) == DMP_OK, "diag %zu", i);
        CHECK(d.kind != DMP_DIAG_BUDGET || strcmp(d.detail, "memory index") != 0,
              "the default budget left the index of a %zu-byte input out", len);
    }
}

/* Everything after a successful open, for plain and gzip input alike. */
static void walk(struct run *r, const uint8_t *input, size_t input_len)
{
    r->rng = fuzz_hash(input, input_len);
    r->budget = READ_BUDGET;
    check_streams(r);
    check_diags(r);
    fuzz_triage(r->f, r->data, r->data ? input_len : 0);
    if (!fetch_ranges(r))
        goto done;
    if (r->o && r->o->modelled) {
        r->cover = oracle_cover(r->o);
        check_ranges_with_oracle(r);
    } else if (!cover_from_ranges(r)) {
        goto done;
    }
    probe_all(r, input, input_len);
done:
    free(r->ranges);
    free(r->owned);
}

static void check_failed_open(dmp_status st, const dmp_file *f, const dmp_error *err)
{
    CHECK(f == NULL, "failed open (%d) wrote its out-parameter", st);
    CHECK(err->status == st, "failed open: status %d, error says %d", st, err->status);
    CHECK(memchr(err->message, '\0', sizeof err->message) != NULL, "error message unterminated");
}

static void fuzz_plain(const uint8_t *data, size_t len)
{
    struct oracle o;
    if (!oracle_build(&o, data, len))
        return;
    /* The heap limit is for copies (gzip, pipes); a borrowed buffer is not one. */
    const dmp_options opts = {.max_heap_input = 1};
    dmp_file *f = NULL;
    dmp_error err;
    memset(&err, 0, sizeof err);
    const dmp_status st = dmp_open_mem_ex(data, len, &opts, &f, &err);
    const dmp_status want = o.opens ? DMP_OK : len < 32 ? DMP_E_TOO_SHORT : DMP_E_BAD_SIGNATURE;
    CHECK(st == want, "open = %d (%s), oracle %d", st, err.message, want);
    if (st != DMP_OK) {
        check_failed_open(st, f, &err);
    } else {
        struct run r = {.f = f, .data = data, .o = &o};
        check_budget(f, len);
        check_header(&r);
        walk(&r, data, len);
        dmp_close(f);
    }
    oracle_free(&o);
}

/* Gzip: once under a limit that nearly everything passes, once with a tiny one. */
static void fuzz_gzip(const uint8_t *data, size_t len)
{
    dmp_options opts = {.max_heap_input = 64};
    dmp_file *f = NULL;
    dmp_error err;
    memset(&err, 0, sizeof err);
    dmp_status st = dmp_open_mem_ex(data, len, &opts, &f, &err);
    if (st == DMP_OK)
        CHECK(dmp_file_size(f) <= 64, "inflated %llu bytes under a 64-byte limit",
              (ull)dmp_file_size(f));
    else
        check_failed_open(st, f, &err);
    dmp_close(f);
    f = NULL;
    opts.max_heap_input = GZIP_MAX_HEAP;
    st = dmp_open_mem_ex(data, len, &opts, &f, &err);
    if (st != DMP_OK) {
        CHECK(st == DMP_E_INFLATE || st == DMP_E_TOO_LARGE || st == DMP_E_TOO_SHORT ||
                  st == DMP_E_BAD_SIGNATURE || st == DMP_E_NOMEM,
              "gzip open = %d", st);
        check_failed_open(st, f, &err);
        return;
    }
    CHECK(dmp_was_compressed(f) && dmp_file_size(f) <= GZIP_MAX_HEAP, "gzip input: %llu bytes",
          (ull)dmp_file_size(f));
    struct run r = {.f = f};
    walk(&r, data, len);
    dmp_close(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b)
        fuzz_gzip(data, size);
    else
        fuzz_plain(data, size);
    return 0;
}
