/* oracle.c - the fuzz harness's independent model of a dump's captured memory (see oracle.h).
 * SPDX-License-Identifier: MIT
 *
 * Shares no code with src/ on purpose: a bug copied into both would agree with itself. Each
 * rule cites FORMAT.md ("The memory rules dmpread implements").
 */
#include "oracle.h"

#include <stdlib.h>
#include <string.h>

#define HEADER_LEN 32 /* MINIDUMP_HEADER */
#define ENTRY_LEN 12  /* MINIDUMP_DIRECTORY */
#define DESC_LEN 16   /* MINIDUMP_MEMORY_DESCRIPTOR and MINIDUMP_MEMORY_DESCRIPTOR64 */

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static uint64_t min64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static void read_header(struct oracle *o)
{
    const uint8_t *p = o->data;
    o->opens = o->len >= HEADER_LEN && memcmp(p, "MDMP", 4) == 0;
    if (!o->opens)
        return;
    o->version = get32(p + 4);
    o->stream_count = get32(p + 8);
    o->directory_rva = get32(p + 12);
    o->checksum = get32(p + 16);
    o->time_date_stamp = get32(p + 20);
    o->flags = get64(p + 24);
}

/* Rule 5: only entries lying wholly inside the file are listed. */
static bool read_directory(struct oracle *o)
{
    const uint64_t fit = o->directory_rva < o->len ? (o->len - o->directory_rva) / ENTRY_LEN : 0;
    const uint64_t n = min64(o->stream_count, fit);
    o->expect.directory_clipped = n < o->stream_count;
    if (n == 0)
        return true;
    o->streams = calloc((size_t)n, sizeof *o->streams);
    if (!o->streams)
        return false;
    o->streams_len = (size_t)n;
    for (size_t i = 0; i < o->streams_len; i++) {
        const uint8_t *e = o->data + o->directory_rva + i * ENTRY_LEN;
        struct oracle_stream *s = &o->streams[i];
        s->type = get32(e);
        s->data_size = get32(e + 4);
        s->rva = get32(e + 8);
        s->kept = s->rva < o->len ? min64(s->data_size, o->len - s->rva) : 0;
        s->past_eof = s->rva > o->len || (s->rva == o->len && s->data_size > 0);
        s->clipped = !s->past_eof && s->kept < s->data_size;
        o->expect.stream_past_eof += s->past_eof;
        o->expect.stream_clipped += s->clipped;
    }
    return true;
}

/* Where a memory list's descriptors are. */
struct list {
    uint64_t count;    /* as the list claims */
    uint64_t usable;   /* descriptors lying wholly inside the stream's bytes in the file */
    uint64_t first;    /* offset of descriptor 0 in the stream */
    uint64_t base_rva; /* Memory64List: file offset of range 0's bytes */
};

static bool is_memory_list(const struct oracle_stream *s)
{
    return (s->type == ORACLE_MEMORY_LIST || s->type == ORACLE_MEMORY64_LIST) && !s->past_eof;
}

/* False when the stream cannot hold the list's header: MINIDUMP_MEMORY_LIST's u32 count, or
 * MINIDUMP_MEMORY64_LIST's u64 count and u64 BaseRva. */
static bool list_layout(const struct oracle *o, const struct oracle_stream *s, struct list *l)
{
    memset(l, 0, sizeof *l);
    if (s->type == ORACLE_MEMORY_LIST) {
        if (s->kept < 4)
            return false;
        l->count = get32(o->data + s->rva);
        /* The padded count: DataSize exactly 8 + 16 * count puts descriptor 0 at 8. */
        l->first = s->data_size == 8 + DESC_LEN * l->count ? 8 : 4;
    } else {
        if (s->kept < 16)
            return false;
        l->count = get64(o->data + s->rva);
        l->base_rva = get64(o->data + s->rva + 8);
        l->first = 16;
    }
    const uint64_t fit = s->kept > l->first ? (s->kept - l->first) / DESC_LEN : 0;
    l->usable = min64(l->count, fit);
    return true;
}

/* Rule 3 for one descriptor whose claimed size is `size`: keeps it (clipped at EOF) or counts
 * why not. Several reasons can hold at once; the first in memindex.c's order is counted. */
static void keep(struct oracle *o, struct oracle_desc d, uint64_t size, bool off_ok)
{
    struct oracle_expect *x = &o->expect;
    if (size == 0) {
        x->zero_size++;
    } else if (size - 1 > UINT64_MAX - d.start) { /* the last byte would pass 2^64 - 1 */
        x->addr_overflow++;
    } else if (!off_ok) {
        x->offset_overflow++;
    } else if (d.off >= o->len) {
        x->range_past_eof++;
    } else {
        d.size = min64(size, o->len - d.off);
        d.truncated = d.size < size;
        x->range_truncated += d.truncated;
        o->descs[o->descs_len++] = d;
    }
}

/* Rule 1: descriptors in listed order. Memory64List ranges follow one another from BaseRva;
 * the running offset advances past every range, dropped or not, and once it has passed
 * 2^64 no later range has a valid offset. */
static void walk_list(struct oracle *o, size_t index, const struct list *l)
{
    const struct oracle_stream *s = &o->streams[index];
    const uint8_t *p = o->data + s->rva + l->first;
    uint64_t next_off = l->base_rva;
    bool off_ok = true;
    for (uint64_t k = 0; k < l->usable; k++, p += DESC_LEN) {
        struct oracle_desc d = {.start = get64(p),
                                .descriptor = k,
                                .stream_index = (uint32_t)index,
                                .stream_type = s->type};
        if (s->type == ORACLE_MEMORY_LIST) {
            d.off = get32(p + 12);
            keep(o, d, get32(p + 8), true);
            continue;
        }
        const uint64_t size = get64(p + 8);
        d.off = next_off;
        keep(o, d, size, off_ok);
        if (size > UINT64_MAX - next_off)
            off_ok = false;
        else
            next_off += size;
    }
}

/* All descriptors of all memory lists, streams in directory order. Leaves o->gathered false
 * when there are more than ORACLE_MAX_GATHER. */
static bool gather(struct oracle *o)
{
    uint64_t total = 0;
    for (size_t i = 0; i < o->streams_len && total <= ORACLE_MAX_GATHER; i++) {
        struct list l;
        if (is_memory_list(&o->streams[i]) && list_layout(o, &o->streams[i], &l))
            total += min64(l.usable, ORACLE_MAX_GATHER + 1);
    }
    if (total > ORACLE_MAX_GATHER)
        return true;
    if (total > 0 && !(o->descs = malloc((size_t)total * sizeof *o->descs)))
        return false;
    /* Rule 5: all lists together read at most len / 16 descriptor records. */
    uint64_t records_left = o->len / DESC_LEN;
    for (size_t i = 0; i < o->streams_len; i++) {
        struct list l;
        if (!is_memory_list(&o->streams[i]))
            continue;
        if (!list_layout(o, &o->streams[i], &l)) {
            o->expect.list_too_small++;
            continue;
        }
        o->expect.count_clipped += l.usable < l.count;
        if (l.usable > records_left) {
            o->expect.records_reused++;
            l.usable = records_left;
        }
        records_left -= l.usable;
        walk_list(o, i, &l);
    }
    o->gathered = true;
    return true;
}

/* Rule 2, byte by byte: the first descriptor in rank order holding addr owns it. */
static size_t owner_of(const struct oracle *o, uint64_t addr)
{
    for (size_t i = 0; i < o->descs_len; i++)
        if (addr - o->descs[i].start < o->descs[i].size)
            return i;
    return SIZE_MAX;
}

static int compare_u64(const void *a, const void *b)
{
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Sorted, distinct addresses where some descriptor starts or ends (an end of 2^64 has no
 * address and needs none: nothing lies past it). Returns how many. */
static size_t collect_cuts(const struct oracle *o, uint64_t *cuts)
{
    size_t n = 0;
    for (size_t i = 0; i < o->descs_len; i++) {
        const struct oracle_desc *d = &o->descs[i];
        cuts[n++] = d->start;
        if (d->size - 1 < UINT64_MAX - d->start)
            cuts[n++] = d->start + d->size;
    }
    qsort(cuts, n, sizeof *cuts, compare_u64);
    size_t out = 0;
    for (size_t i = 0; i < n; i++)
        if (out == 0 || cuts[out - 1] != cuts[i])
            cuts[out++] = cuts[i];
    return out;
}

/* Between two neighbouring cuts no descriptor starts or ends, so the set of descriptors
 * holding an address is the same all the way across, and so is the owner: owner_of(cut)
 * answers for the whole piece. Past the last cut only descriptors ending at 2^64 remain. */
static bool model(struct oracle *o)
{
    const size_t n = o->descs_len;
    uint64_t *const cuts = malloc(2 * n * sizeof *cuts + 1);
    uint64_t *const owned = calloc(n + 1, sizeof *owned);
    o->segs = malloc(2 * n * sizeof *o->segs + 1);
    const bool ok = cuts && owned && o->segs;
    const size_t m = ok ? collect_cuts(o, cuts) : 0;
    for (size_t i = 0; i < m; i++) {
        const uint64_t lo = cuts[i], last = i + 1 < m ? cuts[i + 1] - 1 : UINT64_MAX;
        const size_t owner = owner_of(o, lo);
        if (owner == SIZE_MAX)
            continue;
        const struct oracle_desc *d = &o->descs[owner];
        o->segs[o->segs_len++] =
            (struct cover_seg){lo, last, o->data + d->off + (lo - d->start), owner};
        owned[owner] += last - lo + 1;
    }
    for (size_t i = 0; ok && i < n; i++)
        o->expect.overlap += owned[i] < o->descs[i].size;
    o->modelled = ok;
    free(cuts);
    free(owned);
    return ok;
}

bool oracle_build(struct oracle *o, const uint8_t *data, size_t len)
{
    memset(o, 0, sizeof *o);
    o->data = data;
    o->len = len;
    read_header(o);
    if (!o->opens)
        return true;
    if (!read_directory(o) || !gather(o))
        return false;
    return !o->gathered || o->descs_len > ORACLE_MAX_MODEL || model(o);
}

void oracle_free(struct oracle *o)
{
    free(o->streams);
    free(o->descs);
    free(o->segs);
    memset(o, 0, sizeof *o);
}

struct cover oracle_cover(const struct oracle *o)
{
    const struct cover c = {o->segs, o->segs_len};
    return c;
}

size_t cover_find(const struct cover *c, uint64_t addr)
{
    /* lo ends as the number of segments starting at or below addr. */
    size_t lo = 0, hi = c->count;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (c->segs[mid].lo <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 && addr <= c->segs[lo - 1].last ? lo - 1 : SIZE_MAX;
}

bool cover_check(const struct cover *c, uint64_t addr, uint64_t len, uint64_t *missing)
{
    const uint64_t last = addr + (len - 1);
    size_t i = cover_find(c, addr);
    if (i == SIZE_MAX) {
        *missing = addr;
        return false;
    }
    for (; c->segs[i].last < last; i++) {
        if (i + 1 == c->count || c->segs[i + 1].lo != c->segs[i].last + 1) {
            *missing = c->segs[i].last + 1;
            return false;
        }
    }
    return true;
}

uint64_t cover_run(const struct cover *c, uint64_t addr)
{
    size_t i = cover_find(c, addr);
    if (i == SIZE_MAX)
        return 0;
    uint64_t total = c->segs[i].last - addr + 1;
    for (; c->segs[i].last != UINT64_MAX && i + 1 < c->count; i++) {
        if (c->segs[i + 1].lo != c->segs[i].last + 1)
            break;
        total += c->segs[i + 1].last - c->segs[i + 1].lo + 1;
    }
    return total;
}

bool cover_equals(const struct cover *c, uint64_t addr, uint64_t len, const uint8_t *buf)
{
    size_t i = cover_find(c, addr);
    for (uint64_t at = addr, left = len; left > 0; i++) {
        const struct cover_seg *s = &c->segs[i];
        const uint64_t skip = at - s->lo;
        const uint64_t n = min64(s->last - at + 1, left);
        if (memcmp(s->bytes + skip, buf, (size_t)n) != 0)
            return false;
        buf += n;
        at += n;
        left -= n;
    }
    return true;
}
