/* memindex.c - walks the memory lists into one sorted, disjoint index, and looks addresses up.
 * SPDX-License-Identifier: MIT
 *
 * The tolerance policy, written once (docs/FORMAT.md has the user's version; the tests in
 * test_memindex.c mirror it rule by rule):
 *
 *  1. Every MemoryListStream (5) and Memory64ListStream (9) contributes, streams in directory
 *     order, descriptors in listed order. That order gives each descriptor its rank.
 *  2. Where descriptors overlap, the lower rank owns the byte. Later descriptors only fill
 *     bytes nobody before them covered; each that lost bytes gets an overlap diagnostic.
 *  3. Per descriptor, first match wins: size 0 is ignored; start + size past 2^64 is
 *     dropped; a file offset past 2^64 (Memory64List's running sum) is dropped; bytes
 *     starting at or past EOF are dropped; bytes running past EOF are clipped there and the
 *     piece is marked truncated. Memory64List's running offset advances past every one of
 *     them. A range may end exactly at 2^64.
 *  4. A list uses only the descriptors lying wholly inside its stream (DataSize clipped at
 *     EOF); a count claiming more is reported. A MINIDUMP_MEMORY_LIST whose DataSize is
 *     exactly 8 + 16 * count has its descriptors at offset 8 (padded count), else at 4.
 *  5. All lists together use at most (file size / 16) descriptor records, in rank order: a
 *     file whose lists do not share bytes never reaches that, while directory entries that
 *     alias one list would otherwise cost (entries x records) work from a small file.
 *
 * Build: the largest Memory64 list is tried first as the big tier (internal.h): when its
 * descriptors up to those past EOF all survive rule 3 and are sorted and disjoint (what a
 * full-memory dump writes), it is indexed where it lies in the dump, with one start and one
 * file offset kept per block of 16 descriptors and a radix table over those starts: one
 * pass, about 1 byte per range, nothing copied. Lookups then write each block's pieces as
 * 32-bit deltas once they have met it a few times (8 bytes per range, in memory taken only
 * as blocks are met), so that later lookups never read the descriptors.
 * The other lists' descriptors that survive rule 3 are written into the index arrays
 * (32 bytes per range), in rank order. When they come sorted and disjoint, list after list,
 * that is the array tier: O(n). When each list is sorted and disjoint on its own but the
 * lists interleave, the smaller lists are sorted aside and merged into the largest in place:
 * O(n + m log m) for m descriptors outside the largest list. When the two tiers share no
 * byte, each array piece's position among all pieces is recorded and lookups search both.
 * Anything else (overlaps, unsorted lists, a big tier that shares bytes with another list)
 * moves the big tier into the arrays and takes the general path: a sort and a sweep with a
 * heap keyed by rank, O(n log n). Nothing is allocated beyond what the descriptors that fit
 * in the file need.
 */
#include "internal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch(p)
#define NOINLINE __attribute__((noinline))
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define PREFETCH(p) ((void)(p))
#define NOINLINE
#define ALWAYS_INLINE inline
#endif

#define DESCRIPTOR_SIZE 16 /* MINIDUMP_MEMORY_DESCRIPTOR and MINIDUMP_MEMORY_DESCRIPTOR64 */
#define RANK_MASK (~DMPI_ORIGIN_TRUNCATED)

/* A descriptor that survived the checks: [start, start + size) at file offset off. The
 * general path works on these; the others work on the index arrays directly. */
struct desc {
    uint64_t start;
    uint64_t size;
    uint64_t off;
    uint64_t origin; /* rank | DMPI_ORIGIN_TRUNCATED */
};

static uint64_t desc_last(const struct desc *d)
{
    return d->start + (d->size - 1); /* cannot wrap: start + size <= 2^64 was checked */
}

static uint64_t piece_last(const struct dmpi_memindex *mem, size_t i)
{
    return mem->starts[i] + (mem->pieces[i].size - 1); /* start + size <= 2^64 was checked */
}

/* Where a memory list's descriptors are, decoded from its header. */
struct list_layout {
    uint64_t claimed;   /* the count field */
    uint64_t usable;    /* descriptors wholly inside the stream */
    uint64_t first_off; /* offset of descriptor 0 in the stream */
    uint64_t base_rva;  /* Memory64List: where the bytes of range 0 are */
    uint64_t reused;    /* descriptors past the file-wide record budget (rule 5) */
};

/* False when the stream is too small for its own header. */
static bool read_layout(const struct dmpi_stream *s, struct list_layout *l)
{
    memset(l, 0, sizeof *l);
    const struct view *v = &s->bytes;
    if (s->type == DMP_STREAM_MEMORY_LIST) {
        uint32_t count;
        if (!view_u32le(v, 0, &count))
            return false;
        l->claimed = count;
        l->first_off = s->data_size == 8 + (uint64_t)count * DESCRIPTOR_SIZE ? 8 : 4;
    } else {
        if (!view_u64le(v, 0, &l->claimed) || !view_u64le(v, 8, &l->base_rva))
            return false;
        l->first_off = 16;
    }
    const uint64_t room = v->len > l->first_off ? (v->len - l->first_off) / DESCRIPTOR_SIZE : 0;
    l->usable = l->claimed < room ? l->claimed : room;
    return true;
}

static bool is_memory_list(const struct dmpi_stream *s)
{
    return (s->type == DMP_STREAM_MEMORY_LIST || s->type == DMP_STREAM_MEMORY64_LIST) &&
           !(s->flags & DMP_STREAM_PAST_EOF);
}

/* State while the descriptors are gathered into mem->starts / mem->pieces. */
struct gather {
    dmp_file *f;
    const struct dmpi_memlist *list; /* the list being walked */
    size_t list_begin;               /* where its pieces begin */
    bool lists_sorted;               /* every list so far is sorted and disjoint on its own */
    size_t big_stream;               /* the Memory64 list tried as the big tier, or SIZE_MAX */
};

static dmp_status push_diag(struct gather *g, dmp_diag_kind kind, uint64_t k, uint64_t start,
                            uint64_t size, uint64_t data_off)
{
    const dmp_diag d = {
        .kind = kind,
        .stream_index = g->list->stream_index,
        .stream_type = g->list->stream_type,
        .offset = g->list->desc_offset + k * DESCRIPTOR_SIZE,
        .data_offset = data_off,
        .descriptor = k,
        .count = 1,
        .addr = start,
        .size = size,
    };
    return dmpi_diag_push(&g->f->diags, &d);
}

/* Applies rule 3 to descriptor k of the current list. off_ok is false when the descriptor's
 * file offset could not be computed without passing 2^64. */
static dmp_status add_descriptor(struct gather *g, uint64_t k, uint64_t start, uint64_t size,
                                 uint64_t off, bool off_ok)
{
    const uint64_t file_len = g->f->src.bytes.len;
    if (size == 0)
        return push_diag(g, DMP_DIAG_ZERO_SIZE, k, start, size, off);
    if (size - 1 > UINT64_MAX - start)
        return push_diag(g, DMP_DIAG_ADDR_OVERFLOW, k, start, size, off);
    if (!off_ok)
        return push_diag(g, DMP_DIAG_OFFSET_OVERFLOW, k, start, size, off);
    if (off >= file_len)
        return push_diag(g, DMP_DIAG_RANGE_PAST_EOF, k, start, size, off);
    struct dmpi_memindex *const mem = &g->f->mem;
    assert(mem->starts && mem->count < mem->cap);
    const size_t i = mem->count;
    if (i > g->list_begin && piece_last(mem, i - 1) >= start)
        g->lists_sorted = false; /* checked while the previous piece is still in cache */
    struct dmpi_piece *const p = &mem->pieces[mem->count];
    mem->starts[mem->count++] = start;
    p->size = size < file_len - off ? size : file_len - off;
    p->file_offset = off;
    p->origin = g->list->first_rank + k;
    if (p->size == size)
        return DMP_OK;
    p->origin |= DMPI_ORIGIN_TRUNCATED;
    const dmp_diag diag = {
        .kind = DMP_DIAG_RANGE_TRUNCATED,
        .stream_index = g->list->stream_index,
        .stream_type = g->list->stream_type,
        .offset = g->list->desc_offset + k * DESCRIPTOR_SIZE,
        .data_offset = off,
        .descriptor = k,
        .count = 1,
        .addr = start,
        .size = size,
        .kept = p->size,
    };
    return dmpi_diag_push(&g->f->diags, &diag);
}

/* MINIDUMP_MEMORY_LIST: u32 count, then {u64 start, u32 size, u32 rva} per descriptor. */
static dmp_status walk_memory_list(struct gather *g, const struct view *v,
                                   const struct list_layout *l)
{
    for (uint64_t k = 0; k < l->usable; k++) {
        const uint8_t *p = v->data + l->first_off + k * DESCRIPTOR_SIZE;
        const dmp_status st =
            add_descriptor(g, k, load_u64le(p), load_u32le(p + 8), load_u32le(p + 12), true);
        if (st != DMP_OK)
            return st;
    }
    return DMP_OK;
}

/* MINIDUMP_MEMORY64_LIST: u64 count, u64 BaseRva, then {u64 start, u64 size}; range k's bytes
 * follow range k-1's. Once the running offset passes 2^64 it stays invalid. */
static dmp_status walk_memory64_list(struct gather *g, const struct view *v,
                                     const struct list_layout *l)
{
    uint64_t off = l->base_rva;
    bool off_ok = true;
    for (uint64_t k = 0; k < l->usable; k++) {
        const uint8_t *p = v->data + l->first_off + k * DESCRIPTOR_SIZE;
        const uint64_t size = load_u64le(p + 8);
        const dmp_status st = add_descriptor(g, k, load_u64le(p), size, off, off_ok);
        if (st != DMP_OK)
            return st;
        off_ok = off_ok && add_u64(off, size, &off);
    }
    return DMP_OK;
}

/* Every allocation of the build is charged to the dump's budget as it is made, and nothing
 * is given back until the build is done (true_up): the charge is never below what is held. */
static void *index_charge(struct dmpi_memindex *mem, void *p, uint64_t cost)
{
    if (!p)
        dmpi_budget_give(mem->budget, cost);
    else
        mem->charged += cost;
    return p;
}

static void *index_alloc(struct dmpi_memindex *mem, size_t size)
{
    const uint64_t cost = dmpi_budget_cost(size);
    if (!dmpi_budget_take(mem->budget, cost))
        return NULL;
    return index_charge(mem, dmpi_alloc_large(size), cost);
}

static void *index_calloc(struct dmpi_memindex *mem, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    const uint64_t cost = dmpi_budget_cost((uint64_t)n * size);
    if (!dmpi_budget_take(mem->budget, cost))
        return NULL;
    return index_charge(mem, dmpi_calloc_large(n, size), cost);
}

/* Replaces the arrays by ones with room for `n` pieces, keeping the `count` already there. */
static dmp_status resize_arrays(struct dmpi_memindex *mem, size_t n)
{
    uint64_t *const starts = index_alloc(mem, n * sizeof *starts);
    struct dmpi_piece *const pieces = starts ? index_alloc(mem, n * sizeof *pieces) : NULL;
    if (!starts || !pieces) {
        free(starts);
        free(pieces);
        return DMP_E_NOMEM;
    }
    if (mem->count) {
        memcpy(starts, mem->starts, mem->count * sizeof *starts);
        memcpy(pieces, mem->pieces, mem->count * sizeof *pieces);
    }
    free(mem->starts);
    free(mem->pieces);
    mem->starts = starts;
    mem->pieces = pieces;
    mem->cap = n;
    return DMP_OK;
}

/* Makes room in the arrays for `need` pieces in all, keeping those gathered so far. */
static dmp_status reserve_pieces(struct gather *g, size_t need)
{
    return need <= g->f->mem.cap ? DMP_OK : resize_arrays(&g->f->mem, need);
}

static dmp_status big_buckets(struct dmpi_memindex *mem);

/* The big tier: a Memory64 list indexed where it lies. It qualifies when its descriptors,
 * up to the first whose bytes start at or past EOF (or whose offset passed 2^64), all
 * survive rule 3 and are sorted and disjoint; those past EOF are then the dropped tail.
 * Builds the block tables and pushes the diagnostics rule 3 gives (the last kept piece
 * clipped at EOF, every descriptor of the tail), exactly as add_descriptor would. Sets
 * *used false, with nothing pushed, when the list does not qualify. */
static dmp_status compact_memory64_list(struct gather *g, const struct view *v,
                                        const struct list_layout *l, bool *used)
{
    struct dmpi_bigtier *const big = &g->f->mem.big;
    const uint64_t file_len = g->f->src.bytes.len;
    const uint8_t *const desc = v->data + l->first_off;
    const size_t blocks = (size_t)((l->usable + DMPI_BIG_BLOCK - 1) / DMPI_BIG_BLOCK);
    *used = false;
    if (blocks == 0)
        return DMP_OK;
    /* The deltas are written block by block as lookups meet them (big_deltas), so their
     * pages cost nothing until then; the states start UNBUILT (zero). */
    struct dmpi_bigblock *const block = index_alloc(&g->f->mem, blocks * sizeof *block);
    _Atomic(uint8_t) *const state = block ? index_calloc(&g->f->mem, blocks, sizeof *state) : NULL;
    uint32_t *const delta =
        state ? index_alloc(&g->f->mem, blocks * (2 * DMPI_BIG_BLOCK * sizeof *delta)) : NULL;
    if (!block || !state || !delta) {
        free(block);
        free((void *)(uintptr_t)state);
        free(delta);
        return DMP_E_NOMEM;
    }
    uint64_t off = l->base_rva, last_off = 0, last_size = 0, prev_last = 0, k = 0;
    bool off_ok = true;
    for (; k < l->usable; k++) {
        const uint64_t start = load_u64le(desc + k * DESCRIPTOR_SIZE);
        const uint64_t size = load_u64le(desc + k * DESCRIPTOR_SIZE + 8);
        if (!off_ok || off >= file_len)
            break; /* the tail: nothing from here on lies in the file */
        if (size == 0 || size - 1 > UINT64_MAX - start || (k > 0 && start <= prev_last)) {
            free(block);
            free((void *)(uintptr_t)state);
            free(delta);
            return DMP_OK;
        }
        if (k % DMPI_BIG_BLOCK == 0)
            block[k / DMPI_BIG_BLOCK] = (struct dmpi_bigblock){start, off};
        prev_last = start + (size - 1);
        last_off = off;
        last_size = size;
        off_ok = add_u64(off, size, &off);
    }
    *big = (struct dmpi_bigtier){.desc = desc,
                                 .count = (size_t)k,
                                 .first_rank = g->list->first_rank,
                                 .last_size = last_size,
                                 .blocks = blocks,
                                 .block = block,
                                 .state = state,
                                 .delta = delta};
    *used = true;
    dmp_status st = DMP_OK;
    if (k > 0 && last_size > file_len - last_off) {
        big->last_size = file_len - last_off;
        big->last_truncated = true;
        const dmp_diag d = {
            .kind = DMP_DIAG_RANGE_TRUNCATED,
            .stream_index = g->list->stream_index,
            .stream_type = g->list->stream_type,
            .offset = g->list->desc_offset + (k - 1) * DESCRIPTOR_SIZE,
            .data_offset = last_off,
            .descriptor = k - 1,
            .count = 1,
            .addr = load_u64le(desc + (k - 1) * DESCRIPTOR_SIZE),
            .size = last_size,
            .kept = big->last_size,
        };
        st = dmpi_diag_push(&g->f->diags, &d);
    }
    /* The tail: add_descriptor drops each one before it reaches the arrays. */
    for (; k < l->usable && st == DMP_OK; k++) {
        const uint8_t *const p = desc + k * DESCRIPTOR_SIZE;
        const uint64_t size = load_u64le(p + 8);
        st = add_descriptor(g, k, load_u64le(p), size, off, off_ok);
        off_ok = off_ok && add_u64(off, size, &off);
    }
    return st == DMP_OK ? big_buckets(&g->f->mem) : st;
}

static dmp_status list_diag(struct gather *g, dmp_diag_kind kind, const struct dmpi_stream *s,
                            const struct list_layout *l)
{
    const dmp_diag d = {
        .kind = kind,
        .stream_index = g->list->stream_index,
        .stream_type = s->type,
        .offset = s->rva,
        .count = l->claimed,
        .size = s->bytes.len,
        .kept = l->usable,
    };
    return dmpi_diag_push(&g->f->diags, &d);
}

/* read_layout, then rule 5: lists whose directory entries alias the same bytes could make
 * a small file yield (entries x records) descriptors, so all lists together may use at most
 * as many records as the file has room for; *budget is what is left. */
static bool take_layout(const struct dmpi_stream *s, struct list_layout *l, uint64_t *budget)
{
    if (!read_layout(s, l))
        return false;
    l->reused = l->usable > *budget ? l->usable - *budget : 0;
    l->usable -= l->reused;
    *budget -= l->usable;
    return true;
}

/* Rules 1, 3, 4 and 5: every descriptor of every memory list, in rank order, into the index
 * arrays. seg[j] is where list j's pieces begin; seg[mem->list_count] is mem->count. */
static dmp_status gather_descriptors(struct gather *g, struct dmpi_memindex *mem, size_t **seg)
{
    const dmp_file *f = g->f;
    uint64_t total = 0;
    size_t lists = 0;
    uint64_t budget = f->src.bytes.len / DESCRIPTOR_SIZE, big_usable = 0;
    for (size_t i = 0; i < f->stream_count; i++) {
        struct list_layout l;
        if (!is_memory_list(&f->streams[i]))
            continue;
        lists++; /* counts lists too small for a header too: they still get a diagnostic */
        if (!take_layout(&f->streams[i], &l, &budget))
            continue;
        total += l.usable; /* at most file size / 16 in all: no overflow */
        if (f->streams[i].type == DMP_STREAM_MEMORY64_LIST && l.usable > big_usable) {
            big_usable = l.usable;
            g->big_stream = i;
        }
    }
    budget = f->src.bytes.len / DESCRIPTOR_SIZE;
    if (lists == 0)
        return DMP_OK;
    mem->lists = index_calloc(mem, lists, sizeof *mem->lists);
    *seg = mem->lists ? index_calloc(mem, lists + 1, sizeof **seg) : NULL;
    if (!mem->lists || !*seg)
        return DMP_E_NOMEM;
    /* Room for every list but the big tier's; reserve_pieces adds its share if it does not
     * qualify. */
    dmp_status st = reserve_pieces(g, (size_t)(total - big_usable));
    if (st != DMP_OK)
        return st;
    uint64_t rank = 0;
    for (size_t i = 0; i < f->stream_count; i++) {
        const struct dmpi_stream *s = &f->streams[i];
        if (!is_memory_list(s))
            continue;
        struct list_layout l;
        struct dmpi_memlist tmp = {rank, s->rva, (uint32_t)i, s->type};
        g->list = &tmp;
        st = DMP_OK;
        if (!take_layout(s, &l, &budget)) {
            l.claimed = 0;
            st = list_diag(g, DMP_DIAG_LIST_TOO_SMALL, s, &l);
        } else {
            (*seg)[mem->list_count] = mem->count;
            g->list_begin = mem->count;
            struct dmpi_memlist *const list = &mem->lists[mem->list_count++];
            *list = tmp;
            list->desc_offset = s->rva + l.first_off;
            g->list = list;
            if (l.usable + l.reused < l.claimed)
                st = list_diag(g, DMP_DIAG_COUNT_CLIPPED, s, &l);
            if (st == DMP_OK && l.reused > 0)
                st = list_diag(g, DMP_DIAG_RECORDS_REUSED, s, &l);
            bool big = false;
            if (st == DMP_OK && i == g->big_stream)
                st = compact_memory64_list(g, &s->bytes, &l, &big);
            if (st == DMP_OK && !big && i == g->big_stream)
                st = reserve_pieces(g, (size_t)total);
            if (st == DMP_OK && !big && s->type == DMP_STREAM_MEMORY_LIST)
                st = walk_memory_list(g, &s->bytes, &l);
            else if (st == DMP_OK && !big)
                st = walk_memory64_list(g, &s->bytes, &l);
            rank += l.usable;
        }
        g->list = NULL; /* tmp goes out of scope */
        if (st != DMP_OK)
            return st;
    }
    (*seg)[mem->list_count] = mem->count;
    return DMP_OK;
}

/* With every list sorted and disjoint on its own: whether each list also ends below the
 * next one's start, so that the pieces as gathered are already the index. */
static bool lists_follow(const struct dmpi_memindex *mem, const size_t *seg)
{
    for (size_t j = 1; j < mem->list_count; j++) {
        const size_t i = seg[j];
        if (i > 0 && i < mem->count && piece_last(mem, i - 1) >= mem->starts[i])
            return false;
    }
    return true;
}

static int compare_start_then_rank(const void *a, const void *b)
{
    const struct desc *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    const uint64_t rx = x->origin & RANK_MASK, ry = y->origin & RANK_MASK;
    return rx < ry ? -1 : rx > ry;
}

static int compare_rank(const void *a, const void *b)
{
    const uint64_t rx = ((const struct desc *)a)->origin & RANK_MASK;
    const uint64_t ry = ((const struct desc *)b)->origin & RANK_MASK;
    return rx < ry ? -1 : rx > ry;
}

static struct desc desc_of(const struct dmpi_memindex *mem, size_t i)
{
    const struct dmpi_piece *const p = &mem->pieces[i];
    return (struct desc){mem->starts[i], p->size, p->file_offset, p->origin};
}

static void put_desc(struct dmpi_memindex *mem, size_t i, const struct desc *d)
{
    mem->starts[i] = d->start;
    mem->pieces[i] = (struct dmpi_piece){d->size, d->off, d->origin};
}

/* Lists that are each sorted and disjoint but interleave: the pieces outside the largest
 * list (m of them) are copied aside and sorted, the largest list is moved to the top of the
 * arrays, and the two are merged upwards from index 0 (the write position never passes the
 * largest list's read position). Returns false, with the arrays holding the same pieces in
 * some order, if two pieces share a byte; rule 2 then needs the general path. */
static dmp_status merge_lists(struct dmpi_memindex *mem, const size_t *seg, bool *merged)
{
    const size_t n = mem->count;
    size_t big = 0;
    for (size_t j = 1; j < mem->list_count; j++)
        if (seg[j + 1] - seg[j] > seg[big + 1] - seg[big])
            big = j;
    const size_t big_len = seg[big + 1] - seg[big], m = n - big_len;
    assert(m > 0); /* else the one list holding everything was sorted: no merge needed */
    struct desc *const aside = index_alloc(mem, m * sizeof *aside);
    if (!aside)
        return DMP_E_NOMEM;
    size_t j = 0;
    for (size_t i = 0; i < n; i++)
        if (i < seg[big] || i >= seg[big + 1])
            aside[j++] = desc_of(mem, i);
    qsort(aside, m, sizeof *aside, compare_start_then_rank);
    bool disjoint = true;
    for (j = 1; j < m && disjoint; j++)
        disjoint = desc_last(&aside[j - 1]) < aside[j].start;
    if (!disjoint) {
        free(aside); /* the arrays are untouched */
        *merged = false;
        return DMP_OK;
    }
    if (seg[big] != m) {
        memmove(mem->starts + m, mem->starts + seg[big], big_len * sizeof *mem->starts);
        memmove(mem->pieces + m, mem->pieces + seg[big], big_len * sizeof *mem->pieces);
    }
    size_t w = 0, i = m;
    bool have_prev = false;
    uint64_t prev_last = 0;
    for (j = 0; j < m;) {
        const bool from_big = i < n && mem->starts[i] < aside[j].start;
        const uint64_t start = from_big ? mem->starts[i] : aside[j].start;
        if (have_prev && prev_last >= start) {
            /* The free slots [w, i) are exactly as many as the pieces left aside. */
            for (; j < m; j++)
                put_desc(mem, w++, &aside[j]);
            assert(w == i);
            free(aside);
            *merged = false;
            return DMP_OK;
        }
        if (from_big) {
            mem->starts[w] = mem->starts[i];
            mem->pieces[w] = mem->pieces[i];
            i++;
        } else {
            put_desc(mem, w, &aside[j++]);
        }
        prev_last = piece_last(mem, w++);
        have_prev = true;
    }
    /* The rest of the largest list is in place; only its first piece can touch the last one
     * merged. */
    free(aside);
    *merged = !(i < n && have_prev && prev_last >= mem->starts[i]);
    return DMP_OK;
}

/* Appends [start, last] of d, or extends the previous piece when it is d's and abuts. */
static void emit_piece(struct dmpi_memindex *mem, const struct desc *d, uint64_t start,
                       uint64_t last)
{
    if (mem->count > 0) {
        struct dmpi_piece *const prev = &mem->pieces[mem->count - 1];
        if (prev->origin == d->origin && mem->starts[mem->count - 1] + prev->size == start) {
            prev->size += last - start + 1;
            return;
        }
    }
    mem->starts[mem->count] = start;
    mem->pieces[mem->count].size = last - start + 1;
    mem->pieces[mem->count].file_offset = d->off + (start - d->start);
    mem->pieces[mem->count].origin = d->origin;
    mem->count++;
}

/* A binary min-heap of positions in the sorted descriptor array, keyed by rank. */
struct heap {
    size_t *items;
    size_t len;
    const struct desc *descs;
};

static bool heap_less(const struct heap *h, size_t a, size_t b)
{
    return (h->descs[h->items[a]].origin & RANK_MASK) < (h->descs[h->items[b]].origin & RANK_MASK);
}

static void heap_swap(struct heap *h, size_t a, size_t b)
{
    const size_t t = h->items[a];
    h->items[a] = h->items[b];
    h->items[b] = t;
}

static void heap_push(struct heap *h, size_t pos)
{
    size_t i = h->len++;
    h->items[i] = pos;
    while (i > 0 && heap_less(h, i, (i - 1) / 2)) {
        heap_swap(h, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void heap_pop(struct heap *h)
{
    assert(h->len > 0);
    h->items[0] = h->items[--h->len];
    for (size_t i = 0;;) {
        size_t m = i;
        const size_t l = 2 * i + 1, r = l + 1;
        if (l < h->len && heap_less(h, l, m))
            m = l;
        if (r < h->len && heap_less(h, r, m))
            m = r;
        if (m == i)
            return;
        heap_swap(h, i, m);
        i = m;
    }
}

/* Rule 2 over descriptors sorted by (start, rank): walk the address line from event to event;
 * at each point the lowest-ranked active descriptor owns the bytes up to the next start or
 * its own end, whichever comes first. Every event emits at most one piece: at most 2n. */
static void sweep(struct dmpi_memindex *mem, const struct desc *d, size_t n, struct heap *h)
{
    assert(mem->count == 0 && h->len == 0);
    size_t next = 0;
    uint64_t pos = 0;
    for (;;) {
        while (h->len > 0 && desc_last(&d[h->items[0]]) < pos)
            heap_pop(h);
        if (h->len == 0) {
            if (next == n)
                return;
            pos = d[next].start;
        }
        while (next < n && d[next].start <= pos)
            heap_push(h, next++);
        while (desc_last(&d[h->items[0]]) < pos)
            heap_pop(h); /* the heap keeps at least the descriptor that starts at pos */
        const struct desc *const owner = &d[h->items[0]];
        uint64_t last = desc_last(owner);
        if (next < n && d[next].start - 1 < last)
            last = d[next].start - 1;
        emit_piece(mem, owner, pos, last);
        if (last == UINT64_MAX)
            return;
        pos = last + 1;
    }
}

static size_t find_rank(const struct desc *d, size_t n, uint64_t rank)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if ((d[mid].origin & RANK_MASK) < rank)
            lo = mid + 1;
        else
            hi = mid;
    }
    assert(lo < n && (d[lo].origin & RANK_MASK) == rank);
    return lo;
}

/* Reports every descriptor (in rank order) that owns fewer bytes than it brought. */
static dmp_status report_overlaps(dmp_file *f, const struct desc *ranked, size_t n)
{
    struct dmpi_memindex *const mem = &f->mem;
    if (n == 0)
        return DMP_OK; /* no descriptor, nothing lost */
    uint64_t *const owned = index_calloc(mem, n, sizeof *owned);
    if (!owned)
        return DMP_E_NOMEM;
    for (size_t i = 0; i < mem->count; i++)
        owned[find_rank(ranked, n, mem->pieces[i].origin & RANK_MASK)] += mem->pieces[i].size;
    dmp_status st = DMP_OK;
    for (size_t i = 0; i < n && st == DMP_OK; i++) {
        if (owned[i] == ranked[i].size)
            continue;
        const uint64_t rank = ranked[i].origin & RANK_MASK;
        const struct dmpi_memlist *l = dmpi_memindex_list_of(mem, rank);
        const dmp_diag d = {
            .kind = DMP_DIAG_OVERLAP,
            .stream_index = l->stream_index,
            .stream_type = l->stream_type,
            .offset = l->desc_offset + (rank - l->first_rank) * DESCRIPTOR_SIZE,
            .data_offset = ranked[i].off,
            .descriptor = rank - l->first_rank,
            .count = 1,
            .addr = ranked[i].start,
            .size = ranked[i].size,
            .kept = owned[i],
        };
        st = dmpi_diag_push(&f->diags, &d);
    }
    free(owned);
    return st;
}

/* The general case: overlapping or unsorted descriptors. The gathered pieces (in any order)
 * become descriptors again, and the index arrays are rebuilt with room for the sweep's
 * worst case of 2n pieces. */
static dmp_status build_overlapping(dmp_file *f)
{
    struct dmpi_memindex *const mem = &f->mem;
    const size_t n = mem->count;
    if (n > SIZE_MAX / 2 / sizeof(struct dmpi_piece))
        return DMP_E_NOMEM;
    struct desc *const d = index_alloc(mem, n * sizeof *d);
    struct desc *const ranked = d ? index_alloc(mem, n * sizeof *ranked) : NULL;
    struct heap h = {ranked ? index_alloc(mem, n * sizeof *h.items) : NULL, 0, d};
    dmp_status st = DMP_E_NOMEM;
    if (!d || !ranked || !h.items)
        goto done;
    for (size_t i = 0; i < n; i++)
        d[i] = desc_of(mem, i);
    free(mem->starts);
    free(mem->pieces);
    mem->count = 0;
    mem->cap = 0;
    mem->starts = index_alloc(mem, 2 * n * sizeof *mem->starts);
    mem->pieces = mem->starts ? index_alloc(mem, 2 * n * sizeof *mem->pieces) : NULL;
    if (!mem->starts || !mem->pieces)
        goto done;
    mem->cap = 2 * n;
    memcpy(ranked, d, n * sizeof *d);
    qsort(ranked, n, sizeof *ranked, compare_rank);
    qsort(d, n, sizeof *d, compare_start_then_rank);
    sweep(mem, d, n, &h);
    st = report_overlaps(f, ranked, n);
done:
    free(h.items);
    free(ranked);
    free(d);
    return st;
}

/* Gives back the slack of the 2n-piece worst case. Failure keeps the larger arrays. */
static void shrink_pieces(struct dmpi_memindex *mem)
{
    if (mem->count == 0)
        return;
    uint64_t *const starts = realloc(mem->starts, mem->count * sizeof *starts);
    if (starts)
        mem->starts = starts;
    struct dmpi_piece *const pieces = realloc(mem->pieces, mem->count * sizeof *pieces);
    if (pieces)
        mem->pieces = pieces;
    if (starts && pieces)
        mem->cap = mem->count;
}

/* ---- The big tier ---------------------------------------------------------------------- */

static size_t big_block_count(const struct dmpi_bigtier *b)
{
    return (b->count + DMPI_BIG_BLOCK - 1) / DMPI_BIG_BLOCK;
}

/* Writes block blk's deltas from its descriptors (the layout is internal.h's); false when
 * one does not fit (far). The tier's last piece ends where it was clipped. */
static bool big_build_block(const struct dmpi_bigtier *b, size_t blk, uint32_t *d)
{
    const size_t first = blk * DMPI_BIG_BLOCK;
    const size_t n = b->count - first < DMPI_BIG_BLOCK ? b->count - first : DMPI_BIG_BLOCK;
    const uint64_t start0 = b->block[blk].start;
    uint64_t end = 0;
    for (size_t t = 0; t < DMPI_BIG_BLOCK; t++) {
        if (t >= n) {
            d[t] = DMPI_BIG_PAD; /* above every rel a lookup compares */
            d[DMPI_BIG_BLOCK + t] = (uint32_t)end;
            continue;
        }
        const uint8_t *const p = b->desc + (first + t) * DESCRIPTOR_SIZE;
        const uint64_t ds = load_u64le(p) - start0;
        const uint64_t size = first + t + 1 == b->count ? b->last_size : load_u64le(p + 8);
        if (ds >= DMPI_BIG_PAD || size >= DMPI_BIG_PAD - end)
            return false;
        end += size;
        d[t] = (uint32_t)ds;
        d[DMPI_BIG_BLOCK + t] = (uint32_t)end;
    }
    return true;
}

/* Block blk's deltas, built here when `build` is set, searches have met the block before
 * (DMPI_BIG_MEETINGS) and no thread has started them; NULL when the block is to be read from
 * the descriptors (far, not built, or being built by another thread right now). Searches
 * build; reading a piece by position does not, so that walking the whole index in order (a
 * listing) reads the descriptors and adds no memory. */
static NOINLINE const uint32_t *big_deltas_slow(const struct dmpi_bigtier *b, size_t blk,
                                                bool build)
{
    _Atomic(uint8_t) *const st = &b->state[blk];
    uint8_t s = atomic_load_explicit(st, memory_order_acquire);
    uint32_t *const d = b->delta + blk * 2 * DMPI_BIG_BLOCK;
    if (s == DMPI_BIG_NEAR)
        return d;
    if (!build)
        return NULL;
    if (s < DMPI_BIG_MEETINGS - 1) {
        /* The first few searches to meet a block read the descriptors (a count lost to a race
         * only delays the build): a dump asked a few questions (the CLI's one read asks two)
         * writes no deltas and faults in no page for them. */
        atomic_compare_exchange_strong_explicit(st, &s, (uint8_t)(s + 1), memory_order_relaxed,
                                                memory_order_relaxed);
        return NULL;
    }
    if (s != DMPI_BIG_MEETINGS - 1 ||
        !atomic_compare_exchange_strong_explicit(st, &s, DMPI_BIG_BUILDING, memory_order_relaxed,
                                                 memory_order_relaxed))
        return NULL;
    const bool near = big_build_block(b, blk, d);
    atomic_store_explicit(st, near ? DMPI_BIG_NEAR : DMPI_BIG_FAR, memory_order_release);
    return near ? d : NULL;
}

static inline const uint32_t *big_deltas(const struct dmpi_bigtier *b, size_t blk, bool build)
{
    if (atomic_load_explicit(&b->state[blk], memory_order_acquire) == DMPI_BIG_NEAR)
        return b->delta + blk * 2 * DMPI_BIG_BLOCK;
    return big_deltas_slow(b, blk, build);
}

static uint64_t big_start(const struct dmpi_bigtier *b, size_t k)
{
    const uint32_t *const d = big_deltas(b, k / DMPI_BIG_BLOCK, false);
    if (!d)
        return load_u64le(b->desc + k * DESCRIPTOR_SIZE);
    return b->block[k / DMPI_BIG_BLOCK].start + d[k % DMPI_BIG_BLOCK];
}

/* Piece k's origin: its rank, and whether it is the last piece, clipped at EOF. */
static inline uint64_t big_origin(const struct dmpi_bigtier *b, size_t k)
{
    return (b->first_rank + k) |
           (k + 1 == b->count && b->last_truncated ? DMPI_ORIGIN_TRUNCATED : 0);
}

/* Piece t of block blk from its deltas d. */
static ALWAYS_INLINE void big_piece(const struct dmpi_bigtier *b, size_t blk, size_t t,
                                    const uint32_t *d, struct dmpi_range *out)
{
    const size_t k = blk * DMPI_BIG_BLOCK + t;
    /* The end of the piece before, or 0 for the first: no branch, as t comes from a search. */
    const uint32_t off = d[DMPI_BIG_BLOCK + t - (t > 0)] & (0u - (uint32_t)(t > 0));
    out->start = b->block[blk].start + d[t];
    out->size = d[DMPI_BIG_BLOCK + t] - off;
    out->file_offset = b->block[blk].off + off;
    out->origin = big_origin(b, k);
}

static void big_get(const struct dmpi_bigtier *b, size_t k, struct dmpi_range *out)
{
    const size_t blk = k / DMPI_BIG_BLOCK, t = k % DMPI_BIG_BLOCK;
    const uint32_t *const d = big_deltas(b, blk, false);
    if (d) {
        big_piece(b, blk, t, d, out);
        return;
    }
    const bool last = k + 1 == b->count;
    uint64_t off = b->block[blk].off;
    for (size_t u = k - t; u < k; u++)
        off += load_u64le(b->desc + u * DESCRIPTOR_SIZE + 8); /* sums fit: see the build */
    out->start = load_u64le(b->desc + k * DESCRIPTOR_SIZE);
    out->size = last ? b->last_size : load_u64le(b->desc + k * DESCRIPTOR_SIZE + 8);
    out->file_offset = off;
    out->origin = big_origin(b, k);
}

/* The radix table over the block starts: a bucket for every BUCKET_BLOCKS blocks at most (4
 * bytes per 64 pieces; a bucket's blocks share a cache line or two of block starts), each as
 * wide as the smallest power of two that spreads the span over them, so a bucket holds 4 to 8
 * blocks on evenly spread starts. */
#define BUCKET_BLOCKS 4

static dmp_status big_buckets(struct dmpi_memindex *mem)
{
    struct dmpi_bigtier *const b = &mem->big;
    const size_t nb = big_block_count(b);
    if (nb < 2 || nb >= UINT32_MAX)
        return DMP_OK; /* one block, or more than the table's entries can count: search */
    const uint64_t base = b->block[0].start, span = b->block[nb - 1].start - base;
    const size_t most = nb / BUCKET_BLOCKS + 1;
    unsigned shift = 0;
    while ((span >> shift) >= most)
        shift++;
    const size_t n = (size_t)(span >> shift) + 1;
    uint32_t *const bucket = index_alloc(mem, (n + 1) * sizeof *bucket);
    if (!bucket)
        return DMP_E_NOMEM;
    size_t i = 0;
    for (size_t k = 0; k < n; k++) {
        const uint64_t at = base + ((uint64_t)k << shift); /* at most the last block start */
        while (b->block[i].start < at)
            i++; /* stops at the last block at the latest */
        bucket[k] = (uint32_t)i;
    }
    bucket[n] = (uint32_t)nb;
    b->bucket = bucket;
    b->bucket_count = n;
    b->bucket_base = base;
    b->bucket_shift = shift;
    return DMP_OK;
}

/* Candidate blocks whose deltas a lookup fetches while it chooses among them: the block
 * before the bucket's and the bucket's first four. Session 9 measured a bucket per block with
 * 2 candidates and per 2 blocks with 3 and 5 (BENCHMARKS.md): fewer instructions, but slower
 * dependent lookups, as the block chosen was fetched late more often. */
#define CANDIDATES 5

/* The block holding the last big-tier piece that starts at or below addr (which block 0's
 * first start is not above): the last block whose first start is not above addr, among those
 * of addr's bucket and the one before them. Fetches their deltas meanwhile. */
static ALWAYS_INLINE size_t big_block_of(const struct dmpi_bigtier *b, uint64_t addr)
{
    size_t lo = 0, n = big_block_count(b);
    if (b->bucket) {
        const uint64_t k = (addr - b->bucket_base) >> b->bucket_shift;
        if (k >= b->bucket_count)
            return n - 1;
        /* Block bucket[k] - 1 starts below the bucket, so at or below addr. */
        const size_t first = b->bucket[k], end = b->bucket[k + 1];
        lo = first > 0 ? first - 1 : 0;
        n = end - lo;
        /* A fixed count of fetches (the last candidate repeated), so no branch waits. */
        for (size_t i = 0; i < CANDIDATES; i++) {
            const size_t p = lo + (i < n ? i : n - 1);
            PREFETCH(&b->state[p]);
            PREFETCH(b->delta + p * 2 * DMPI_BIG_BLOCK);                  /* start deltas */
            PREFETCH(b->delta + p * 2 * DMPI_BIG_BLOCK + DMPI_BIG_BLOCK); /* end deltas */
        }
        if (n <= CANDIDATES) {
            /* Block starts are sorted: the answer is lo plus the candidates not above addr. */
            size_t c = lo;
            for (size_t i = 1; i < CANDIDATES; i++)
                c += (i < n) & (b->block[lo + (i < n ? i : 0)].start <= addr);
            return c;
        }
    }
    while (n > 1) {
        const size_t half = n / 2;
        lo = b->block[lo + half].start <= addr ? lo + half : lo;
        n -= half;
    }
    return lo;
}

/* Big-tier pieces starting at or below addr, and when there are any, the last of them in
 * *out (if not NULL). `build`: as for big_deltas (the open's own questions build nothing, so
 * an open followed by no lookup writes no deltas). */
static ALWAYS_INLINE size_t big_find(const struct dmpi_bigtier *b, uint64_t addr, bool build,
                                     struct dmpi_range *out)
{
    if (b->count == 0 || b->block[0].start > addr)
        return 0;
    const size_t blk = big_block_of(b, addr), first = blk * DMPI_BIG_BLOCK;
    const uint32_t *const d = big_deltas(b, blk, build);
    if (d) {
        /* The last of the block's sorted start deltas not above rel, in four halvings: d[0]
         * is zero, and the pads past the block's last piece are above every rel. */
        const uint64_t diff = addr - b->block[blk].start;
        const uint32_t rel = diff < DMPI_BIG_PAD ? (uint32_t)diff : DMPI_BIG_PAD - 1;
        size_t t = 0;
        for (size_t half = DMPI_BIG_BLOCK / 2; half > 0; half /= 2)
            t += (size_t)(d[t + half] <= rel) * half; /* arithmetic: no branch to mispredict */
        if (out)
            big_piece(b, blk, t, d, out);
        return first + t + 1;
    }
    const size_t end = b->count - first < DMPI_BIG_BLOCK ? b->count : first + DMPI_BIG_BLOCK;
    size_t k = first + 1;
    for (size_t t = first + 1; t < end; t++)
        k += load_u64le(b->desc + t * DESCRIPTOR_SIZE) <= addr;
    if (out)
        big_get(b, k - 1, out);
    return k;
}

static size_t array_upper(const struct dmpi_memindex *mem, uint64_t addr)
{
    size_t lo = 0, n = mem->count;
    while (n > 0) {
        const size_t half = n / 2;
        if (mem->starts[lo + half] <= addr) {
            lo += half + 1;
            n -= half + 1;
        } else {
            n = half;
        }
    }
    return lo;
}

static void big_free(struct dmpi_bigtier *b)
{
    free(b->block);
    free((void *)(uintptr_t)b->state);
    free(b->delta);
    free(b->bucket);
    memset(b, 0, sizeof *b);
}

/* Moves the big tier's pieces into the arrays (after the others), for the general path. */
static dmp_status unpack_big(struct dmpi_memindex *mem)
{
    struct dmpi_bigtier *const b = &mem->big;
    const dmp_status st = resize_arrays(mem, mem->count + b->count);
    if (st != DMP_OK)
        return st;
    for (size_t k = 0; k < b->count; k++) {
        struct dmpi_range r;
        big_get(b, k, &r);
        mem->starts[mem->count + k] = r.start;
        mem->pieces[mem->count + k] = (struct dmpi_piece){r.size, r.file_offset, r.origin};
    }
    mem->count += b->count;
    big_free(b);
    return DMP_OK;
}

/* With both tiers sorted and disjoint on their own: whether no array piece shares a byte
 * with a big-tier piece, and if so each array piece's position among all pieces. */
static dmp_status link_tiers(struct dmpi_memindex *mem, bool *disjoint)
{
    const struct dmpi_bigtier *const b = &mem->big;
    *disjoint = true;
    if (mem->count == 0 || b->count == 0)
        return DMP_OK;
    size_t *const merged = index_alloc(mem, mem->count * sizeof *merged);
    if (!merged)
        return DMP_E_NOMEM;
    for (size_t j = 0; j < mem->count && *disjoint; j++) {
        const uint64_t start = mem->starts[j], last = piece_last(mem, j);
        /* Big pieces starting at or below start. */
        const size_t k = big_find(b, start, false, NULL);
        struct dmpi_range r;
        if (k > 0) {
            big_get(b, k - 1, &r);
            *disjoint = r.start + (r.size - 1) < start;
        }
        if (*disjoint && k < b->count)
            *disjoint = big_start(b, k) > last;
        merged[j] = k + j;
    }
    if (!*disjoint) {
        free(merged);
        return DMP_OK;
    }
    mem->merged = merged;
    return DMP_OK;
}

/* ---- Build -------------------------------------------------------------------------------- */

/* Up to this many lists are merged; more (a hostile directory) go to the general path. */
#define MERGE_MAX_LISTS 64

/* Orders the array tier: as gathered when every list is sorted and they follow one another,
 * by merging lists that are each sorted, else (or on a collision) by the general path. The
 * big tier joins the general path when the arrays need it or share bytes with it. */
static dmp_status arrange(dmp_file *f, const struct gather *g, const size_t *seg)
{
    struct dmpi_memindex *const mem = &f->mem;
    bool ordered = mem->count == 0 || (g->lists_sorted && lists_follow(mem, seg));
    dmp_status st;
    if (!ordered && g->lists_sorted && mem->list_count <= MERGE_MAX_LISTS &&
        (st = merge_lists(mem, seg, &ordered)) != DMP_OK)
        return st;
    bool disjoint = false;
    if (ordered && (st = link_tiers(mem, &disjoint)) != DMP_OK)
        return st;
    if (ordered && disjoint)
        return DMP_OK;
    if (mem->big.count > 0 && (st = unpack_big(mem)) != DMP_OK)
        return st;
    st = build_overlapping(f);
    shrink_pieces(mem);
    return st;
}

/* After the build: the charge becomes what the index holds. */
static void true_up(struct dmpi_memindex *mem)
{
    const struct dmpi_bigtier *const b = &mem->big;
    const uint64_t held =
        dmpi_budget_cost((uint64_t)mem->cap * sizeof *mem->starts) +
        dmpi_budget_cost((uint64_t)mem->cap * sizeof *mem->pieces) +
        (mem->merged ? dmpi_budget_cost((uint64_t)mem->count * sizeof *mem->merged) : 0) +
        (b->block
             ? dmpi_budget_cost((uint64_t)b->blocks * sizeof *b->block) +
                   dmpi_budget_cost((uint64_t)b->blocks * sizeof *b->state) +
                   dmpi_budget_cost((uint64_t)b->blocks * 2 * DMPI_BIG_BLOCK * sizeof *b->delta)
             : 0) +
        (b->bucket ? dmpi_budget_cost(((uint64_t)b->bucket_count + 1) * sizeof *b->bucket) : 0) +
        dmpi_budget_cost((uint64_t)mem->list_count * sizeof *mem->lists);
    if (held >= mem->charged)
        return; /* every block is counted at least once already */
    dmpi_budget_give(mem->budget, mem->charged - held);
    mem->charged = held;
}

dmp_status dmpi_memindex_build(dmp_file *f)
{
    struct dmpi_memindex *const mem = &f->mem;
    mem->budget = &f->budget;
    struct gather g = {f, NULL, 0, true, SIZE_MAX};
    size_t *seg = NULL;
    dmp_status st = gather_descriptors(&g, mem, &seg);
    if (st == DMP_OK && mem->big.count == 0)
        big_free(&mem->big); /* a list whose every descriptor lies past EOF */
    if (st == DMP_OK && mem->count > 0) {
        assert(seg); /* pieces came from some list, so the segment table was allocated */
        st = arrange(f, &g, seg);
    }
    mem->total = mem->count + mem->big.count;
    free(seg);
    true_up(mem);
    return st;
}

/* ---- Lookups ------------------------------------------------------------------------------ */

void dmpi_memindex_get(const struct dmpi_memindex *mem, size_t i, struct dmpi_range *out)
{
    assert(i < mem->total);
    size_t j = i; /* array pieces before position i, when both tiers are in use */
    if (mem->merged) {
        size_t lo = 0, n = mem->count;
        while (n > 0) {
            const size_t half = n / 2;
            if (mem->merged[lo + half] < i) {
                lo += half + 1;
                n -= half + 1;
            } else {
                n = half;
            }
        }
        if (lo == mem->count || mem->merged[lo] != i) {
            big_get(&mem->big, i - lo, out);
            return;
        }
        j = lo;
    } else if (mem->big.count > 0) {
        big_get(&mem->big, i, out);
        return;
    }
    const struct dmpi_piece *const p = &mem->pieces[j];
    *out = (struct dmpi_range){mem->starts[j], p->size, p->file_offset, p->origin};
}

size_t dmpi_memindex_upper(const struct dmpi_memindex *mem, uint64_t addr)
{
    return big_find(&mem->big, addr, true, NULL) + array_upper(mem, addr);
}

bool dmpi_memindex_find(const struct dmpi_memindex *mem, uint64_t addr, size_t *pos,
                        struct dmpi_range *out)
{
    /* The last piece starting at or below addr is the later of each tier's last such piece
     * (the tiers share no byte when both are in use), so no position needs translating. */
    struct dmpi_range r = {0, 0, 0, 0};
    const size_t kb = big_find(&mem->big, addr, true, &r);
    const size_t ka = mem->count > 0 ? array_upper(mem, addr) : 0;
    if (kb + ka == 0)
        return false;
    if (ka > 0 && (kb == 0 || mem->starts[ka - 1] > r.start)) {
        const struct dmpi_piece *const p = &mem->pieces[ka - 1];
        r = (struct dmpi_range){mem->starts[ka - 1], p->size, p->file_offset, p->origin};
    }
    if (addr - r.start >= r.size)
        return false;
    *pos = ka + kb - 1;
    if (out)
        *out = r;
    return true;
}

/* Pieces a run is followed through one at a time before the run table is built: reads and
 * coverage questions over a few adjacent pieces (the usual case) never pay for it. */
#define RUN_WALK 16

static bool adjacent(const struct dmpi_memindex *mem, size_t i)
{
    dmpi_work++;
    if (i + 1 >= mem->total)
        return false;
    struct dmpi_range a, b;
    dmpi_memindex_get(mem, i, &a);
    const uint64_t end = a.start + a.size; /* 0 if the piece ends at 2^64 */
    if (end == 0)
        return false;
    dmpi_memindex_get(mem, i + 1, &b);
    return b.start == end;
}

/* The run table, built once: the first caller that needs it builds one and publishes it; a
 * caller that loses the race frees its own. Without memory for it, runs are walked. */
static const uint32_t *run_table(const struct dmpi_memindex *mem)
{
    struct dmpi_memindex *const m = (struct dmpi_memindex *)(uintptr_t)mem;
    uint32_t *t = atomic_load_explicit(&m->run_last, memory_order_acquire);
    if (t || mem->total > UINT32_MAX)
        return t;
    uint32_t *const built = malloc(mem->total * sizeof *built);
    if (!built)
        return NULL;
    for (size_t i = mem->total; i-- > 0;)
        built[i] = adjacent(mem, i) ? built[i + 1] : (uint32_t)i;
    uint32_t *expected = NULL;
    if (atomic_compare_exchange_strong_explicit(&m->run_last, &expected, built,
                                                memory_order_acq_rel, memory_order_acquire))
        return built;
    free(built);
    return expected;
}

size_t dmpi_memindex_run_last(const struct dmpi_memindex *mem, size_t i)
{
    for (unsigned k = 0; k < RUN_WALK; k++, i++)
        if (!adjacent(mem, i))
            return i;
    const uint32_t *const t = run_table(mem);
    if (t)
        return t[i];
    while (adjacent(mem, i))
        i++;
    return i;
}

void dmpi_memindex_free(struct dmpi_memindex *mem)
{
    free(atomic_load(&mem->run_last));
    free(mem->starts);
    free(mem->pieces);
    free(mem->merged);
    big_free(&mem->big);
    free(mem->lists);
    dmpi_budget_give(mem->budget, mem->charged);
    memset(mem, 0, sizeof *mem);
}

const struct dmpi_memlist *dmpi_memindex_list_of(const struct dmpi_memindex *mem, uint64_t rank)
{
    /* The last list whose first rank is not above `rank`: lists that kept no descriptor share
     * their first rank with the next one, which is the owner. */
    size_t lo = 0, hi = mem->list_count;
    while (hi - lo > 1) {
        const size_t mid = lo + (hi - lo) / 2;
        if (mem->lists[mid].first_rank <= rank)
            lo = mid;
        else
            hi = mid;
    }
    assert(mem->list_count > 0);
    return &mem->lists[lo];
}
