/* threads.c - ThreadList or ThreadExList, joined by thread id with ThreadInfoList and ThreadNames.
 * SPDX-License-Identifier: MIT
 *
 * The thread list gives the threads and their order; ThreadInfoListStream (17) and
 * ThreadNamesStream (24) only add to threads it has. An info or name entry for a thread the
 * list lacks, or a second one for the same thread, is reported and otherwise ignored. The
 * first stream of each type is used; later ones are reported. ThreadExListStream (8) is read
 * only when there is no ThreadListStream.
 *
 * dmp_thread_find is O(log n): the threads array is followed, in the same allocation, by
 * the keys (id << 32 | position) sorted, so that dmpi_triage_free needs no new field.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define THREAD_SIZE 48     /* MINIDUMP_THREAD */
#define THREAD_EX_SIZE 64  /* MINIDUMP_THREAD_EX: MINIDUMP_THREAD + BackingStore */
#define INFO_HEADER_MIN 12 /* MINIDUMP_THREAD_INFO_LIST: SizeOfHeader, SizeOfEntry, count */
#define INFO_ENTRY_MIN 64  /* MINIDUMP_THREAD_INFO */
#define NAME_SIZE 12       /* MINIDUMP_THREAD_NAME: u32 id, RVA64 (packed to 4) */

_Static_assert(sizeof(dmp_thread) % _Alignof(uint64_t) == 0,
               "the id keys follow the thread array in one allocation");

/* The sorted keys behind the thread array; NULL when there are no threads. */
static const uint64_t *thread_keys(const struct dmpi_triage *t)
{
    if (t->thread_count == 0)
        return NULL;
    return (const uint64_t *)(const void *)(t->threads + t->thread_count);
}

/* The position of the first of the n keys whose id is `id`, or n when there is none. */
static size_t key_lower_bound(const uint64_t *keys, size_t n, uint32_t id)
{
    const uint64_t want = (uint64_t)id << 32;
    size_t lo = 0, hi = n;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (keys[mid] < want)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && keys[lo] >> 32 == id ? lo : n;
}

static int compare_keys(const void *a, const void *b)
{
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The first directory entry of `type`; later ones are reported. UINT32_MAX when none. */
static dmp_status first_stream(dmp_file *f, uint32_t type, const char *dup, uint32_t *index)
{
    *index = UINT32_MAX;
    for (size_t i = 0; i < f->stream_count; i++) {
        if (f->streams[i].type != type)
            continue;
        if (*index == UINT32_MAX) {
            *index = (uint32_t)i; /* the directory count is a u32 */
            continue;
        }
        const dmp_status st = dmpi_malformed(f, (uint32_t)i, f->streams[i].rva, UINT64_MAX, dup);
        if (st != DMP_OK)
            return st;
    }
    return DMP_OK;
}

/* How many whole entries of `entry_size` fit after offset `first` of stream `index`, capped
 * by `claimed`; a count claiming more than fit is reported. */
static dmp_status fit_entries(dmp_file *f, uint32_t index, uint64_t first, uint64_t entry_size,
                              uint64_t claimed, uint64_t *usable)
{
    const struct dmpi_stream *const s = &f->streams[index];
    const uint64_t fit = s->bytes.len > first ? (s->bytes.len - first) / entry_size : 0;
    *usable = claimed < fit ? claimed : fit;
    if (claimed <= fit)
        return DMP_OK;
    return dmpi_malformed(f, index, s->rva, UINT64_MAX,
                          "count claims more entries than the stream holds; those inside are used");
}

/* Decodes MINIDUMP_THREAD(_EX) `k` at p (whole inside the stream) into t. */
static dmp_status decode_thread(dmp_file *f, uint32_t index, uint64_t k, const uint8_t *p, bool ex,
                                dmp_thread *t)
{
    memset(t, 0, sizeof *t);
    t->id = load_u32le(p);
    t->suspend_count = load_u32le(p + 4);
    t->priority_class = load_u32le(p + 8);
    t->priority = load_u32le(p + 12);
    t->teb = load_u64le(p + 16);
    t->stack_start = load_u64le(p + 24);
    t->stack_size = load_u32le(p + 32);
    t->stack_rva = load_u32le(p + 36);
    t->context_size = load_u32le(p + 40);
    t->context_rva = load_u32le(p + 44);
    if (ex) {
        t->backing_store_start = load_u64le(p + 48);
        t->backing_store_size = load_u32le(p + 56);
    }
    struct view ctx;
    if (t->context_size == 0)
        return DMP_OK; /* no context written: nothing to point at */
    if (view_slice(&f->src.bytes, t->context_rva, t->context_size, &ctx)) {
        t->context = ctx.data;
        return DMP_OK;
    }
    const uint64_t off = (uint64_t)(p - f->src.bytes.data);
    return dmpi_malformed(f, index, off, k, "thread context lies outside the file");
}

/* Fills f->triage.threads from ThreadList (ex false) or ThreadExList stream `index`. */
static dmp_status parse_list(dmp_file *f, uint32_t index, bool ex)
{
    const struct dmpi_stream *const s = &f->streams[index];
    const uint64_t entry_size = ex ? THREAD_EX_SIZE : THREAD_SIZE;
    uint32_t count;
    if (!view_u32le(&s->bytes, 0, &count))
        return dmpi_malformed(f, index, s->rva, UINT64_MAX, "thread list too small for its count");
    /* Some writers pad the count to 8 bytes, as in MINIDUMP_MEMORY_LIST. */
    const uint64_t first = s->data_size == 8 + count * entry_size ? 8 : 4;
    uint64_t n;
    dmp_status st = fit_entries(f, index, first, entry_size, count, &n);
    if (st != DMP_OK || n == 0)
        return st;
    const size_t per = sizeof(dmp_thread) + sizeof(uint64_t);
    if (n > SIZE_MAX / per)
        return DMP_E_NOMEM;
    struct dmpi_triage *const t = &f->triage;
    t->threads = dmpi_arena_alloc(&f->arena, (size_t)n * per);
    if (!t->threads)
        return DMP_E_NOMEM;
    t->thread_count = (size_t)n;
    uint64_t *const keys = (uint64_t *)(void *)(t->threads + t->thread_count);
    for (uint64_t k = 0; k < n; k++) {
        st = decode_thread(f, index, k, s->bytes.data + first + k * entry_size, ex, &t->threads[k]);
        if (st != DMP_OK)
            return st;
        keys[k] = (uint64_t)t->threads[k].id << 32 | k; /* k < 2^32: count is a u32 */
    }
    qsort(keys, (size_t)n, sizeof *keys, compare_keys);
    return DMP_OK;
}

/* Copies MINIDUMP_THREAD_INFO `k` (at p) into every thread with its id, unless an earlier
 * entry has. */
static dmp_status join_info(dmp_file *f, uint32_t index, uint64_t k, const uint8_t *p)
{
    struct dmpi_triage *const t = &f->triage;
    const uint64_t *const keys = thread_keys(t);
    const uint32_t id = load_u32le(p);
    const uint64_t off = (uint64_t)(p - f->src.bytes.data);
    size_t i = key_lower_bound(keys, t->thread_count, id);
    if (i == t->thread_count || keys[i] >> 32 != id)
        return dmpi_malformed(f, index, off, k, "thread info for a thread not in the thread list");
    /* The first entry for an id fills every thread of the id at once: when the id's first
     * thread has its info, they all do, and this entry is a repeat. Checking that one thread
     * keeps the join linear however many threads share an id (issue 12). */
    if (t->threads[keys[i] & UINT32_MAX].has_info)
        return dmpi_malformed(f, index, off, k, "second thread info entry for a thread; ignored");
    for (; i < t->thread_count && keys[i] >> 32 == id; i++) {
        dmpi_work++;
        dmp_thread *const th = &t->threads[keys[i] & UINT32_MAX];
        th->has_info = 1;
        th->dump_flags = load_u32le(p + 4);
        th->dump_error = load_u32le(p + 8);
        th->exit_status = load_u32le(p + 12);
        th->create_time = load_u64le(p + 16);
        th->exit_time = load_u64le(p + 24);
        th->kernel_time = load_u64le(p + 32);
        th->user_time = load_u64le(p + 40);
        th->start_address = load_u64le(p + 48);
        th->affinity = load_u64le(p + 56);
    }
    return DMP_OK;
}

/* ThreadInfoListStream: entries of the size its header gives, the known prefix decoded. */
static dmp_status parse_info(dmp_file *f, uint32_t index)
{
    const struct dmpi_stream *const s = &f->streams[index];
    uint32_t header_size, entry_size, count;
    if (!view_u32le(&s->bytes, 0, &header_size) || !view_u32le(&s->bytes, 4, &entry_size) ||
        !view_u32le(&s->bytes, 8, &count))
        return dmpi_malformed(f, index, s->rva, UINT64_MAX,
                              "thread info list too small for its header");
    if (header_size < INFO_HEADER_MIN)
        return dmpi_malformed(f, index, s->rva, UINT64_MAX,
                              "thread info list SizeOfHeader is below 12");
    if (entry_size < INFO_ENTRY_MIN)
        return dmpi_malformed(f, index, s->rva, UINT64_MAX,
                              "thread info list SizeOfEntry is below 64");
    uint64_t n;
    dmp_status st = fit_entries(f, index, header_size, entry_size, count, &n);
    for (uint64_t k = 0; k < n && st == DMP_OK; k++)
        st = join_info(f, index, k, s->bytes.data + header_size + k * entry_size);
    return st;
}

/* Names every thread with the id of MINIDUMP_THREAD_NAME `k` (at p), unless an earlier entry
 * has. */
static dmp_status join_name(dmp_file *f, uint32_t index, uint64_t k, const uint8_t *p)
{
    struct dmpi_triage *const t = &f->triage;
    const uint64_t *const keys = thread_keys(t);
    const uint32_t id = load_u32le(p);
    const uint64_t off = (uint64_t)(p - f->src.bytes.data);
    size_t i = key_lower_bound(keys, t->thread_count, id);
    if (i == t->thread_count || keys[i] >> 32 != id)
        return dmpi_malformed(f, index, off, k, "thread name for a thread not in the thread list");
    /* As for thread info: the first entry names every thread of the id. */
    if (t->threads[keys[i] & UINT32_MAX].name)
        return dmpi_malformed(f, index, off, k, "second thread name entry for a thread; ignored");
    const char *name = NULL;
    for (; i < t->thread_count && keys[i] >> 32 == id; i++) {
        dmpi_work++;
        dmp_thread *const th = &t->threads[keys[i] & UINT32_MAX];
        if (!name) {
            const dmp_status st = dmpi_minidump_string(f, index, load_u64le(p + 4), &name);
            if (st != DMP_OK)
                return st;
        }
        th->name = name;
    }
    return DMP_OK;
}

/* ThreadNamesStream: u32 count, then 12-byte MINIDUMP_THREAD_NAMEs. */
static dmp_status parse_names(dmp_file *f, uint32_t index)
{
    const struct dmpi_stream *const s = &f->streams[index];
    uint32_t count;
    if (!view_u32le(&s->bytes, 0, &count))
        return dmpi_malformed(f, index, s->rva, UINT64_MAX,
                              "thread name list too small for its count");
    uint64_t n;
    dmp_status st = fit_entries(f, index, 4, NAME_SIZE, count, &n);
    for (uint64_t k = 0; k < n && st == DMP_OK; k++)
        st = join_name(f, index, k, s->bytes.data + 4 + k * NAME_SIZE);
    return st;
}

/* A stream that starts past EOF was reported by the directory and has nothing to give. */
static bool usable(const dmp_file *f, uint32_t index)
{
    return index != UINT32_MAX && !(f->streams[index].flags & DMP_STREAM_PAST_EOF);
}

dmp_status dmpi_parse_threads(dmp_file *f)
{
    uint32_t list, ex, info, names;
    dmp_status st =
        first_stream(f, DMP_STREAM_THREAD_LIST, "second ThreadListStream ignored", &list);
    if (st == DMP_OK)
        st = first_stream(f, DMP_STREAM_THREAD_EX_LIST, "second ThreadExListStream ignored", &ex);
    if (st == DMP_OK)
        st = first_stream(f, DMP_STREAM_THREAD_INFO_LIST, "second ThreadInfoListStream ignored",
                          &info);
    if (st == DMP_OK)
        st = first_stream(f, DMP_STREAM_THREAD_NAMES, "second ThreadNamesStream ignored", &names);
    if (st == DMP_OK && list != UINT32_MAX && ex != UINT32_MAX)
        st = dmpi_malformed(f, ex, f->streams[ex].rva, UINT64_MAX,
                            "ThreadExListStream ignored: the dump has a ThreadListStream");
    if (st == DMP_OK && usable(f, list))
        st = parse_list(f, list, false);
    else if (st == DMP_OK && list == UINT32_MAX && usable(f, ex))
        st = parse_list(f, ex, true);
    if (st == DMP_OK && usable(f, info))
        st = parse_info(f, info);
    if (st == DMP_OK && usable(f, names))
        st = parse_names(f, names);
    return st;
}

size_t dmp_thread_count(const dmp_file *f)
{
    return f ? f->triage.thread_count : 0;
}

dmp_status dmp_thread_get(const dmp_file *f, size_t i, dmp_thread *out)
{
    if (!f || !out)
        return DMP_E_INVALID_ARG;
    if (i >= f->triage.thread_count)
        return DMP_E_NOT_FOUND;
    *out = f->triage.threads[i];
    return DMP_OK;
}

dmp_status dmp_thread_find(const dmp_file *f, uint32_t id, size_t *index)
{
    if (!f || !index)
        return DMP_E_INVALID_ARG;
    const struct dmpi_triage *const t = &f->triage;
    const size_t i = key_lower_bound(thread_keys(t), t->thread_count, id);
    if (i == t->thread_count)
        return DMP_E_NOT_FOUND;
    *index = (size_t)(thread_keys(t)[i] & UINT32_MAX);
    return DMP_OK;
}
