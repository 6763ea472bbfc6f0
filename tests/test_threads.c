/* test_threads.c - ThreadList/ThreadExList with ThreadInfoList and ThreadNames joined, on built
 * dumps (every field, each variant, each malformed case) and on the shared real dumps.
 * SPDX-License-Identifier: MIT */
#include "manifest.h"
#include "suite.h"

#include <stdio.h>
#include <string.h>

/* One MINIDUMP_THREAD(_EX) as the tests write it. */
struct th {
    uint32_t id, suspend, pclass, prio;
    uint64_t teb, stack_start;
    uint32_t stack_size, stack_rva, ctx_size, ctx_rva;
    uint64_t bs_start;
    uint32_t bs_size, bs_rva;
};

static void put_thread(uint8_t *p, const struct th *t, bool ex)
{
    mkd_store_u32(p, t->id);
    mkd_store_u32(p + 4, t->suspend);
    mkd_store_u32(p + 8, t->pclass);
    mkd_store_u32(p + 12, t->prio);
    mkd_store_u64(p + 16, t->teb);
    mkd_store_u64(p + 24, t->stack_start);
    mkd_store_u32(p + 32, t->stack_size);
    mkd_store_u32(p + 36, t->stack_rva);
    mkd_store_u32(p + 40, t->ctx_size);
    mkd_store_u32(p + 44, t->ctx_rva);
    if (ex) {
        mkd_store_u64(p + 48, t->bs_start);
        mkd_store_u32(p + 56, t->bs_size);
        mkd_store_u32(p + 60, t->bs_rva);
    }
}

/* A thread list of n threads whose count field says `claimed`; padded puts the entries at 8. */
static uint32_t add_threads(struct mkdump *b, uint32_t type, const struct th *t, size_t n,
                            uint32_t claimed, bool padded)
{
    const bool ex = type == DMP_STREAM_THREAD_EX_LIST;
    const size_t es = ex ? 64 : 48, first = padded ? 8 : 4;
    uint8_t *buf = calloc(1, first + n * es);
    mkd_store_u32(buf, claimed);
    for (size_t i = 0; i < n; i++)
        put_thread(buf + first + i * es, &t[i], ex);
    const uint32_t idx = mkd_add_stream_data(b, type, buf, first + n * es);
    free(buf);
    return idx;
}

/* A context-like blob of `size` bytes appended to the file; returns its rva. */
static uint32_t add_blob(struct mkdump *b, size_t size, uint8_t fill)
{
    uint8_t *buf = malloc(size);
    memset(buf, fill, size);
    const uint32_t rva = (uint32_t)mkd_append(b, buf, size);
    free(buf);
    return rva;
}

/* A MINIDUMP_STRING of UTF-16LE `units`; returns its rva. */
static uint32_t add_string(struct mkdump *b, const uint16_t *units, size_t n, uint32_t len)
{
    uint8_t *buf = calloc(1, 4 + 2 * n + 2);
    mkd_store_u32(buf, len);
    for (size_t i = 0; i < n; i++)
        mkd_store_u16(buf + 4 + 2 * i, units[i]);
    const uint32_t rva = (uint32_t)mkd_append(b, buf, 4 + 2 * n + 2);
    free(buf);
    return rva;
}

static uint32_t add_ascii(struct mkdump *b, const char *s)
{
    uint16_t u[64];
    const size_t n = strlen(s);
    for (size_t i = 0; i < n; i++)
        u[i] = (uint8_t)s[i];
    return add_string(b, u, n, (uint32_t)(2 * n));
}

/* MINIDUMP_THREAD_INFO values for thread `id`, each field distinct. */
static void put_info(uint8_t *p, uint32_t id, uint32_t seed)
{
    mkd_store_u32(p, id);
    for (uint32_t k = 1; k < 4; k++)
        mkd_store_u32(p + 4 * k, seed + k);
    for (uint32_t k = 0; k < 6; k++)
        mkd_store_u64(p + 16 + 8 * k, ((uint64_t)seed << 32) + 0x100 + k);
}

/* A ThreadInfoList: header of header_size bytes, n entries of entry_size, count `claimed`. */
static uint32_t add_info(struct mkdump *b, const uint32_t *ids, size_t n, uint32_t header_size,
                         uint32_t entry_size, uint32_t claimed)
{
    const size_t len = header_size + n * entry_size;
    uint8_t *buf = calloc(1, len < 12 ? 12 : len);
    mkd_store_u32(buf, header_size);
    mkd_store_u32(buf + 4, entry_size);
    mkd_store_u32(buf + 8, claimed);
    for (size_t i = 0; i < n; i++)
        put_info(buf + header_size + i * entry_size, ids[i], ids[i] * 16);
    const uint32_t idx = mkd_add_stream_data(b, DMP_STREAM_THREAD_INFO_LIST, buf, len);
    free(buf);
    return idx;
}

/* A ThreadNames stream of n 12-byte entries, count `claimed`. */
static uint32_t add_names(struct mkdump *b, const uint32_t *ids, const uint64_t *rvas, size_t n,
                          uint32_t claimed)
{
    uint8_t *buf = calloc(1, 4 + 12 * n);
    mkd_store_u32(buf, claimed);
    for (size_t i = 0; i < n; i++) {
        mkd_store_u32(buf + 4 + 12 * i, ids[i]);
        mkd_store_u64(buf + 8 + 12 * i, rvas[i]);
    }
    const uint32_t idx = mkd_add_stream_data(b, DMP_STREAM_THREAD_NAMES, buf, 4 + 12 * n);
    free(buf);
    return idx;
}

static dmp_thread thread_at(const dmp_file *f, size_t i)
{
    dmp_thread t;
    ck_assert_int_eq(dmp_thread_get(f, i, &t), DMP_OK);
    return t;
}

/* The malformed diagnostics of stream `stream`: how many, and the first in *out. */
static size_t stream_diags(const dmp_file *f, uint32_t stream, dmp_diag *out)
{
    size_t n = 0;
    for (size_t i = 0; i < dmp_diag_count(f); i++) {
        dmp_diag d;
        ck_assert_int_eq(dmp_diag_get(f, i, &d), DMP_OK);
        if (d.kind != DMP_DIAG_MALFORMED || d.stream_index != stream)
            continue;
        if (n++ == 0 && out)
            *out = d;
    }
    return n;
}

/* Exactly one malformed diagnostic for `stream`, at `offset`, about `entry` (or the whole
 * stream when entry is UINT64_MAX), whose detail contains `phrase`. */
static void expect_one_diag(const dmp_file *f, uint32_t stream, uint64_t offset, uint64_t entry,
                            const char *phrase)
{
    dmp_diag d;
    ck_assert_uint_eq(stream_diags(f, stream, &d), 1);
    ck_assert_uint_eq(d.offset, offset);
    if (entry == UINT64_MAX) {
        ck_assert_uint_eq(d.count, 0);
    } else {
        ck_assert_uint_eq(d.count, 1);
        ck_assert_uint_eq(d.descriptor, entry);
    }
    ck_assert_msg(strstr(d.detail, phrase) != NULL, "detail '%s' lacks '%s'", d.detail, phrase);
}

static const struct th T0 = {0x1111, 1, 0x20, 8, 0x7ffde000, 0x12f000, 0x1000, 0, 0, 0, 0, 0, 0};
static const struct th T1 = {0x2222, 0, 0x40, 15, 0x7ffdd000, 0x22f000, 0x2000, 0, 0, 0, 0, 0, 0};

START_TEST(thread_list_fields)
{
    struct mkdump *b = mkd_new(0);
    struct th t[2] = {T0, T1};
    t[0].ctx_size = 716;
    t[0].ctx_rva = add_blob(b, 716, 0x5a);
    t[0].stack_rva = 0x1234;
    t[1].ctx_size = 1232;
    t[1].ctx_rva = add_blob(b, 1232, 0x6b);
    add_threads(b, DMP_STREAM_THREAD_LIST, t, 2, 2, false);
    dmp_file *f = open_built(b);
    size_t len;
    const uint8_t *file = mkd_data(b, &len);
    ck_assert_uint_eq(dmp_thread_count(f), 2);
    const dmp_thread a = thread_at(f, 0), c = thread_at(f, 1);
    ck_assert_uint_eq(a.id, 0x1111);
    ck_assert_uint_eq(a.suspend_count, 1);
    ck_assert_uint_eq(a.priority_class, 0x20);
    ck_assert_uint_eq(a.priority, 8);
    ck_assert_uint_eq(a.teb, 0x7ffde000);
    ck_assert_uint_eq(a.stack_start, 0x12f000);
    ck_assert_uint_eq(a.stack_size, 0x1000);
    ck_assert_uint_eq(a.stack_rva, 0x1234);
    ck_assert_uint_eq(a.context_size, 716);
    ck_assert_uint_eq(a.context_rva, t[0].ctx_rva);
    ck_assert_ptr_eq(a.context, file + t[0].ctx_rva);
    ck_assert_ptr_null(a.name);
    ck_assert_int_eq(a.has_info, 0);
    ck_assert_uint_eq(a.backing_store_start, 0);
    ck_assert_uint_eq(c.id, 0x2222);
    ck_assert_uint_eq(c.priority, 15);
    ck_assert_ptr_eq(c.context, file + t[1].ctx_rva);
    ck_assert_uint_eq(dmp_diag_count(f), 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(thread_list_padded_count)
{
    struct mkdump *b = mkd_new(0);
    const struct th t[2] = {T0, T1};
    add_threads(b, DMP_STREAM_THREAD_LIST, t, 2, 2, true);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_thread_count(f), 2);
    ck_assert_uint_eq(thread_at(f, 0).id, 0x1111);
    ck_assert_uint_eq(thread_at(f, 1).teb, 0x7ffdd000);
    ck_assert_uint_eq(dmp_diag_count(f), 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(thread_ex_list_without_thread_list)
{
    struct mkdump *b = mkd_new(0);
    struct th t[2] = {T0, T1};
    t[1].bs_start = 0x6000000000001000;
    t[1].bs_size = 0x800;
    t[1].bs_rva = 0x40;
    add_threads(b, DMP_STREAM_THREAD_EX_LIST, t, 2, 2, false);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_thread_count(f), 2);
    const dmp_thread c = thread_at(f, 1);
    ck_assert_uint_eq(c.id, 0x2222);
    ck_assert_uint_eq(c.stack_size, 0x2000);
    ck_assert_uint_eq(c.backing_store_start, 0x6000000000001000);
    ck_assert_uint_eq(c.backing_store_size, 0x800);
    ck_assert_uint_eq(dmp_diag_count(f), 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(thread_ex_list_padded_count)
{
    struct mkdump *b = mkd_new(0);
    const struct th t[1] = {T1};
    add_threads(b, DMP_STREAM_THREAD_EX_LIST, t, 1, 1, true);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_thread_count(f), 1);
    ck_assert_uint_eq(thread_at(f, 0).id, 0x2222);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(thread_ex_list_ignored_beside_thread_list)
{
    struct mkdump *b = mkd_new(0);
    const struct th t[2] = {T0, T1};
    const uint32_t ex = add_threads(b, DMP_STREAM_THREAD_EX_LIST, t + 1, 1, 1, false);
    add_threads(b, DMP_STREAM_THREAD_LIST, t, 1, 1, false);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_thread_count(f), 1);
    ck_assert_uint_eq(thread_at(f, 0).id, 0x1111);
    expect_one_diag(f, ex, mkd_stream_rva(b, ex), UINT64_MAX, "ThreadExListStream ignored");
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(second_thread_list_ignored)
{
    struct mkdump *b = mkd_new(0);
    const struct th t[2] = {T0, T1};
    add_threads(b, DMP_STREAM_THREAD_LIST, t, 2, 2, false);
    const uint32_t dup = add_threads(b, DMP_STREAM_THREAD_LIST, t + 1, 1, 1, false);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_thread_count(f), 2);
    expect_one_diag(f, dup, mkd_stream_rva(b, dup), UINT64_MAX, "second ThreadListStream");
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(count_past_stream)
{
    struct mkdump *b = mkd_new(0);
    const struct th t[2] = {T0, T1};
    const uint32_t s = add_threads(b, DMP_STREAM_THREAD_LIST, t, 2, 5, false);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_thread_count(f), 2);
    ck_assert_uint_eq(thread_at(f, 1).id, 0x2222);
    expect_one_diag(f, s, mkd_stream_rva(b, s), UINT64_MAX, "count claims more");
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(count_huge_allocates_nothing_more)
{
    /* A count of 2^32-1 in a 52-byte stream: one thread, no giant allocation. */
    struct mkdump *b = mkd_new(0);
    const struct th t[1] = {T0};
    const uint32_t s = add_threads(b, DMP_STREAM_THREAD_LIST, t, 1, UINT32_MAX, false);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_thread_count(f), 1);
    expect_one_diag(f, s, mkd_stream_rva(b, s), UINT64_MAX, "count claims more");
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(entry_cut_by_eof)
{
    /* The second thread runs past the end of the file: only the first is used. */
    struct mkdump *b = mkd_new(0);
    const struct th t[2] = {T0, T1};
    const uint32_t s = add_threads(b, DMP_STREAM_THREAD_LIST, t, 2, 2, false);
    size_t len;
    mkd_finish(b, &len);
    dmp_file *f = open_prefix(b, len - 10);
    ck_assert_uint_eq(dmp_thread_count(f), 1);
    expect_one_diag(f, s, mkd_stream_rva(b, s), UINT64_MAX, "count claims more");
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(list_too_small_for_count)
{
    struct mkdump *b = mkd_new(0);
    const uint8_t two[2] = {1, 0};
    const uint32_t s = mkd_add_stream_data(b, DMP_STREAM_THREAD_LIST, two, sizeof two);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_thread_count(f), 0);
    expect_one_diag(f, s, mkd_stream_rva(b, s), UINT64_MAX, "too small");
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(empty_list)
{
    struct mkdump *b = mkd_new(0);
    add_threads(b, DMP_STREAM_THREAD_LIST, NULL, 0, 0, false);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_thread_count(f), 0);
    size_t i = 99;
    ck_assert_int_eq(dmp_thread_find(f, 0, &i), DMP_E_NOT_FOUND);
    ck_assert_uint_eq(i, 99);
    ck_assert_uint_eq(dmp_diag_count(f), 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(stream_past_eof_left_to_directory)
{
    struct mkdump *b = mkd_new(0);
    mkd_add_stream(b, DMP_STREAM_THREAD_LIST, 0x100000, 52);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_thread_count(f), 0);
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_STREAM_PAST_EOF, NULL), 1);
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_MALFORMED, NULL), 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(context_outside_file)
{
    struct mkdump *b = mkd_new(0);
    struct th t[3] = {T0, T1, T0};
    t[0].ctx_size = 716;
    t[0].ctx_rva = 0x7fff0000; /* past EOF */
    t[1].ctx_size = 716;       /* its rva is set below to run past EOF by 16 bytes */
    t[2].id = 0x3333;
    t[2].ctx_size = 0; /* no context at all: not an error */
    t[2].ctx_rva = 0xffffffff;
    const uint32_t s = add_threads(b, DMP_STREAM_THREAD_LIST, t, 3, 3, false);
    const uint32_t tail = add_blob(b, 700, 0x77); /* the file's last bytes */
    size_t len;
    mkd_finish(b, &len);
    ck_assert_uint_eq(tail, len - 700);
    const uint64_t e1 = mkd_stream_rva(b, s) + 4 + 48;
    mkd_poke_u32(b, e1 + 44, tail);
    dmp_file *f = open_prefix(b, len);
    ck_assert_uint_eq(dmp_thread_count(f), 3);
    const dmp_thread a = thread_at(f, 0), m = thread_at(f, 1), z = thread_at(f, 2);
    ck_assert_ptr_null(a.context);
    ck_assert_uint_eq(a.context_size, 716);
    ck_assert_uint_eq(a.context_rva, 0x7fff0000);
    ck_assert_ptr_null(m.context);
    ck_assert_uint_eq(m.context_rva, len - 700);
    ck_assert_ptr_null(z.context);
    ck_assert_uint_eq(stream_diags(f, s, NULL), 2);
    dmp_diag d;
    ck_assert_int_eq(dmp_diag_get(f, 0, &d), DMP_OK);
    ck_assert_int_eq(d.kind, DMP_DIAG_MALFORMED);
    ck_assert_uint_eq(d.stream_index, s);
    ck_assert_uint_eq(d.stream_type, DMP_STREAM_THREAD_LIST);
    ck_assert_uint_eq(d.offset, mkd_stream_rva(b, s) + 4);
    ck_assert_uint_eq(d.descriptor, 0);
    ck_assert_ptr_nonnull(strstr(d.detail, "context lies outside the file"));
    ck_assert_int_eq(dmp_diag_get(f, 1, &d), DMP_OK);
    ck_assert_uint_eq(d.offset, e1);
    ck_assert_uint_eq(d.descriptor, 1);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(thread_info_joined)
{
    struct mkdump *b = mkd_new(0);
    const struct th t[3] = {T0, T1, {.id = 0x3333}};
    add_threads(b, DMP_STREAM_THREAD_LIST, t, 3, 3, false);
    const uint32_t ids[2] = {0x2222, 0x1111}; /* not in list order; 0x3333 has none */
    add_info(b, ids, 2, 12, 64, 2);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_diag_count(f), 0);
    const dmp_thread a = thread_at(f, 0), c = thread_at(f, 1), z = thread_at(f, 2);
    ck_assert_int_eq(a.has_info, 1);
    ck_assert_int_eq(c.has_info, 1);
    ck_assert_int_eq(z.has_info, 0);
    const uint32_t seed = 0x1111 * 16;
    ck_assert_uint_eq(a.dump_flags, seed + 1);
    ck_assert_uint_eq(a.dump_error, seed + 2);
    ck_assert_uint_eq(a.exit_status, seed + 3);
    ck_assert_uint_eq(a.create_time, ((uint64_t)seed << 32) + 0x100);
    ck_assert_uint_eq(a.exit_time, ((uint64_t)seed << 32) + 0x101);
    ck_assert_uint_eq(a.kernel_time, ((uint64_t)seed << 32) + 0x102);
    ck_assert_uint_eq(a.user_time, ((uint64_t)seed << 32) + 0x103);
    ck_assert_uint_eq(a.start_address, ((uint64_t)seed << 32) + 0x104);
    ck_assert_uint_eq(a.affinity, ((uint64_t)seed << 32) + 0x105);
    ck_assert_uint_eq(c.dump_flags, 0x2222 * 16 + 1);
    ck_assert_uint_eq(c.affinity, ((uint64_t)(0x2222 * 16) << 32) + 0x105);
    ck_assert_uint_eq(z.dump_flags, 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(thread_info_sizes_from_header)
{
    /* A longer header and longer entries (a future version): the known prefix is read. */
    struct mkdump *b = mkd_new(0);
    const struct th t[2] = {T0, T1};
    add_threads(b, DMP_STREAM_THREAD_LIST, t, 2, 2, false);
    const uint32_t ids[2] = {0x1111, 0x2222};
    add_info(b, ids, 2, 16, 80, 2);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_diag_count(f), 0);
    ck_assert_uint_eq(thread_at(f, 1).dump_flags, 0x2222 * 16 + 1);
    ck_assert_uint_eq(thread_at(f, 1).affinity, ((uint64_t)(0x2222 * 16) << 32) + 0x105);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* A ThreadInfoList that cannot be used: every thread keeps has_info 0, one diagnostic. */
static void expect_info_rejected(uint32_t header_size, uint32_t entry_size, size_t stream_len,
                                 const char *phrase)
{
    struct mkdump *b = mkd_new(0);
    const struct th t[1] = {T0};
    add_threads(b, DMP_STREAM_THREAD_LIST, t, 1, 1, false);
    uint8_t buf[12 + 64] = {0};
    mkd_store_u32(buf, header_size);
    mkd_store_u32(buf + 4, entry_size);
    mkd_store_u32(buf + 8, 1);
    put_info(buf + 12, 0x1111, 1);
    const uint32_t s = mkd_add_stream_data(b, DMP_STREAM_THREAD_INFO_LIST, buf, stream_len);
    dmp_file *f = open_built(b);
    ck_assert_int_eq(thread_at(f, 0).has_info, 0);
    expect_one_diag(f, s, mkd_stream_rva(b, s), UINT64_MAX, phrase);
    dmp_close(f);
    mkd_free(b);
}

START_TEST(thread_info_malformed_headers)
{
    expect_info_rejected(12, 64, 8, "too small for its header");
    expect_info_rejected(8, 64, 76, "SizeOfHeader");
    expect_info_rejected(12, 60, 76, "SizeOfEntry");
    expect_info_rejected(12, 0, 76, "SizeOfEntry");
    expect_info_rejected(200, 64, 76, "count claims more");
}
END_TEST

START_TEST(thread_info_count_past_stream)
{
    struct mkdump *b = mkd_new(0);
    const struct th t[2] = {T0, T1};
    add_threads(b, DMP_STREAM_THREAD_LIST, t, 2, 2, false);
    const uint32_t ids[1] = {0x2222};
    const uint32_t s = add_info(b, ids, 1, 12, 64, 1000);
    dmp_file *f = open_built(b);
    ck_assert_int_eq(thread_at(f, 1).has_info, 1);
    expect_one_diag(f, s, mkd_stream_rva(b, s), UINT64_MAX, "count claims more");
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(thread_info_for_unknown_and_repeated_threads)
{
    struct mkdump *b = mkd_new(0);
    const struct th t[1] = {T0};
    add_threads(b, DMP_STREAM_THREAD_LIST, t, 1, 1, false);
    const uint32_t ids[3] = {0x1111, 0x9999, 0x1111};
    const uint32_t s = add_info(b, ids, 3, 12, 64, 3);
    dmp_file *f = open_built(b);
    const dmp_thread a = thread_at(f, 0);
    ck_assert_int_eq(a.has_info, 1);
    ck_assert_uint_eq(a.dump_flags, 0x1111 * 16 + 1); /* the first entry, not the repeat */
    ck_assert_uint_eq(stream_diags(f, s, NULL), 2);
    dmp_diag d;
    ck_assert_int_eq(dmp_diag_get(f, 0, &d), DMP_OK);
    ck_assert_uint_eq(d.offset, mkd_stream_rva(b, s) + 12 + 64);
    ck_assert_uint_eq(d.descriptor, 1);
    ck_assert_ptr_nonnull(strstr(d.detail, "thread info for a thread not in the thread list"));
    ck_assert_int_eq(dmp_diag_get(f, 1, &d), DMP_OK);
    ck_assert_uint_eq(d.offset, mkd_stream_rva(b, s) + 12 + 128);
    ck_assert_uint_eq(d.descriptor, 2);
    ck_assert_ptr_nonnull(strstr(d.detail, "second thread info"));
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(thread_info_without_thread_list)
{
    struct mkdump *b = mkd_new(0);
    const uint32_t ids[2] = {1, 2};
    const uint32_t s = add_info(b, ids, 2, 12, 64, 2);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_thread_count(f), 0);
    ck_assert_uint_eq(stream_diags(f, s, NULL), 2); /* each entry accounted for */
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(thread_names_joined)
{
    struct mkdump *b = mkd_new(0);
    const struct th t[3] = {T0, T1, {.id = 0x3333}};
    add_threads(b, DMP_STREAM_THREAD_LIST, t, 3, 3, false);
    /* "Ünï 😀": a BMP letter and a surrogate pair. */
    const uint16_t fancy[] = {0x00dc, 'n', 0x00ef, ' ', 0xd83d, 0xde00};
    const uint64_t rvas[3] = {add_ascii(b, "main"), add_string(b, fancy, 6, 12),
                              add_string(b, NULL, 0, 0)};
    const uint32_t ids[3] = {0x3333, 0x1111, 0x2222};
    add_names(b, ids, rvas, 3, 3);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_diag_count(f), 0);
    ck_assert_str_eq(thread_at(f, 2).name, "main");
    ck_assert_str_eq(thread_at(f, 0).name, "\xc3\x9cn\xc3\xaf \xf0\x9f\x98\x80");
    ck_assert_str_eq(thread_at(f, 1).name, ""); /* an entry with an empty name */
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Thread names share the dump-wide string budget: thousands of entries naming one large
 * string decode it only while the budget lasts, with one diagnostic for the stream. */
START_TEST(thread_names_string_budget)
{
    struct mkdump *b = mkd_new(0);
    enum { N = 3000, CHARS = 20000 };
    uint16_t *units = malloc(CHARS * sizeof *units);
    for (size_t i = 0; i < CHARS; i++)
        units[i] = (uint16_t)('a' + i % 26);
    const uint64_t big = add_string(b, units, CHARS, 2 * CHARS);
    free(units);
    struct th *t = calloc(N, sizeof *t);
    uint32_t *ids = malloc(N * sizeof *ids);
    uint64_t *rvas = malloc(N * sizeof *rvas);
    for (size_t i = 0; i < N; i++) {
        t[i].id = ids[i] = (uint32_t)(i + 1);
        rvas[i] = big;
    }
    add_threads(b, DMP_STREAM_THREAD_LIST, t, N, N, false);
    const uint32_t s = add_names(b, ids, rvas, N, N);
    free(t);
    free(ids);
    free(rvas);
    size_t len;
    mkd_finish(b, &len);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_thread_count(f), N);
    size_t named = 0;
    for (size_t i = 0; i < N; i++)
        named += strlen(thread_at(f, i).name) == CHARS;
    ck_assert_uint_eq(named, (2 * len + 65536) / (2 * CHARS));
    ck_assert_uint_lt(named, N);
    dmp_diag d = {0};
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_MALFORMED, &d), 1);
    ck_assert_uint_eq(d.stream_index, s);
    ck_assert_uint_eq(d.offset, big);
    ck_assert_ptr_nonnull(strstr(d.detail, "twice the file"));
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(thread_names_damaged)
{
    struct mkdump *b = mkd_new(0);
    const struct th t[4] = {T0, T1, {.id = 0x3333}, {.id = 0x4444}};
    add_threads(b, DMP_STREAM_THREAD_LIST, t, 4, 4, false);
    const uint16_t odd[] = {'a', 'b'};
    const uint64_t rvas[5] = {
        0x7fff0000,               /* past EOF */
        (uint64_t)1 << 40,        /* RVA64 past 4 GiB */
        add_string(b, odd, 2, 3), /* odd length */
        add_ascii(b, "ghost"),    /* a thread the list lacks */
        add_ascii(b, "again"),    /* second name for 0x1111 */
    };
    const uint32_t ids[5] = {0x1111, 0x2222, 0x3333, 0x9999, 0x1111};
    const uint32_t s = add_names(b, ids, rvas, 5, 5);
    dmp_file *f = open_built(b);
    ck_assert_str_eq(thread_at(f, 0).name, "");
    ck_assert_str_eq(thread_at(f, 1).name, "");
    ck_assert_str_eq(thread_at(f, 2).name, "a");
    ck_assert_ptr_null(thread_at(f, 3).name);
    ck_assert_uint_eq(stream_diags(f, s, NULL), 5);
    const uint64_t entries = mkd_stream_rva(b, s) + 4;
    dmp_diag d;
    ck_assert_int_eq(dmp_diag_get(f, 0, &d), DMP_OK);
    ck_assert_uint_eq(d.offset, 0x7fff0000); /* the string's own offset */
    ck_assert_int_eq(dmp_diag_get(f, 1, &d), DMP_OK);
    ck_assert_uint_eq(d.offset, (uint64_t)1 << 40);
    ck_assert_int_eq(dmp_diag_get(f, 2, &d), DMP_OK);
    ck_assert_uint_eq(d.offset, rvas[2]);
    ck_assert_ptr_nonnull(strstr(d.detail, "odd"));
    ck_assert_int_eq(dmp_diag_get(f, 3, &d), DMP_OK);
    ck_assert_uint_eq(d.offset, entries + 3 * 12);
    ck_assert_uint_eq(d.descriptor, 3);
    ck_assert_ptr_nonnull(strstr(d.detail, "thread name for a thread not in the thread list"));
    ck_assert_int_eq(dmp_diag_get(f, 4, &d), DMP_OK);
    ck_assert_uint_eq(d.offset, entries + 4 * 12);
    ck_assert_ptr_nonnull(strstr(d.detail, "second thread name"));
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Many threads sharing one id and many name entries for it (issue 12: the join was
 * quadratic, each entry scanning every thread of the id): the first entry names them all, each
 * repeat is one diagnostic; an id that falls between the list's ids is not in the list. */
START_TEST(thread_names_shared_id)
{
    enum { THREADS = 64, ENTRIES = 200 };
    struct mkdump *b = mkd_new(0);
    struct th t[THREADS + 2];
    memset(t, 0, sizeof t);
    t[0].id = 0x10;
    for (size_t i = 1; i <= THREADS; i++)
        t[i].id = 0x20;
    t[THREADS + 1].id = 0x40;
    add_threads(b, DMP_STREAM_THREAD_LIST, t, THREADS + 2, THREADS + 2, false);
    uint32_t ids[ENTRIES + 1];
    uint64_t rvas[ENTRIES + 1];
    const uint64_t first = add_ascii(b, "worker"), other = add_ascii(b, "other");
    for (size_t i = 0; i < ENTRIES; i++) {
        ids[i] = 0x20;
        rvas[i] = i == 0 ? first : other;
    }
    ids[ENTRIES] = 0x30; /* between 0x20 and 0x40 */
    rvas[ENTRIES] = other;
    const uint32_t s = add_names(b, ids, rvas, ENTRIES + 1, ENTRIES + 1);
    dmp_file *f = open_built(b);
    for (size_t i = 1; i <= THREADS; i++)
        ck_assert_str_eq(thread_at(f, i).name, "worker");
    ck_assert_ptr_null(thread_at(f, 0).name);
    ck_assert_ptr_null(thread_at(f, THREADS + 1).name);
    size_t second = 0, missing = 0;
    for (size_t i = 0; i < dmp_diag_count(f); i++) {
        dmp_diag d;
        ck_assert_int_eq(dmp_diag_get(f, i, &d), DMP_OK);
        second += strstr(d.detail, "second thread name") != NULL;
        missing += strstr(d.detail, "not in the thread list") != NULL;
    }
    ck_assert_uint_eq(second + missing, stream_diags(f, s, NULL));
    ck_assert_uint_eq(second, ENTRIES - 1);
    ck_assert_uint_eq(missing, 1);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Diagnostics are capped per kind (DMP_DIAG_MAX_PER_KIND): 1,501 repeated names and one for a
 * missing thread keep 1,000 "malformed" diagnostics and end with one summary of the other 502. */
START_TEST(diagnostics_capped_per_kind)
{
    enum { ENTRIES = 1502 };
    struct mkdump *b = mkd_new(0);
    const struct th t[2] = {{.id = 0x20}, {.id = 0x40}};
    add_threads(b, DMP_STREAM_THREAD_LIST, t, 2, 2, false);
    static uint32_t ids[ENTRIES + 1];
    static uint64_t rvas[ENTRIES + 1];
    const uint64_t name = add_ascii(b, "worker");
    for (size_t i = 0; i < ENTRIES; i++) {
        ids[i] = 0x20;
        rvas[i] = name;
    }
    ids[ENTRIES] = 0x30;
    rvas[ENTRIES] = name;
    add_names(b, ids, rvas, ENTRIES + 1, ENTRIES + 1);
    dmp_file *f = open_built(b);
    ck_assert_str_eq(thread_at(f, 0).name, "worker");
    ck_assert_uint_eq(dmp_diag_count(f), DMP_DIAG_MAX_PER_KIND + 1);
    dmp_diag d;
    ck_assert_int_eq(dmp_diag_get(f, DMP_DIAG_MAX_PER_KIND - 1, &d), DMP_OK);
    ck_assert_int_eq(d.kind, DMP_DIAG_MALFORMED);
    ck_assert_int_eq(dmp_diag_get(f, DMP_DIAG_MAX_PER_KIND, &d), DMP_OK);
    ck_assert_int_eq(d.kind, DMP_DIAG_SUPPRESSED);
    ck_assert_uint_eq(d.count, ENTRIES - DMP_DIAG_MAX_PER_KIND);
    ck_assert_uint_eq(d.kept, DMP_DIAG_MAX_PER_KIND);
    ck_assert_str_eq(d.detail, "malformed");
    char line[200];
    dmp_diag_format(&d, line, sizeof line);
    ck_assert_str_eq(line, "502 more malformed diagnostics not kept (the first 1000 are)");
    ck_assert_str_eq(dmp_diag_kind_name(DMP_DIAG_SUPPRESSED), "suppressed");
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(thread_names_count_past_stream)
{
    struct mkdump *b = mkd_new(0);
    const struct th t[1] = {T0};
    add_threads(b, DMP_STREAM_THREAD_LIST, t, 1, 1, false);
    const uint64_t rvas[1] = {add_ascii(b, "only")};
    const uint32_t ids[1] = {0x1111};
    const uint32_t s = add_names(b, ids, rvas, 1, 7);
    dmp_file *f = open_built(b);
    ck_assert_str_eq(thread_at(f, 0).name, "only");
    expect_one_diag(f, s, mkd_stream_rva(b, s), UINT64_MAX, "count claims more");
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(thread_names_too_small)
{
    struct mkdump *b = mkd_new(0);
    const uint8_t three[3] = {0};
    const uint32_t s = mkd_add_stream_data(b, DMP_STREAM_THREAD_NAMES, three, sizeof three);
    dmp_file *f = open_built(b);
    expect_one_diag(f, s, mkd_stream_rva(b, s), UINT64_MAX, "too small");
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(find_by_id)
{
    struct mkdump *b = mkd_new(0);
    struct th t[6] = {{.id = 50}, {.id = 7}, {.id = 0xffffffff}, {.id = 7}, {.id = 0}, {.id = 8}};
    t[3].prio = 99;
    add_threads(b, DMP_STREAM_THREAD_LIST, t, 6, 6, false);
    const uint64_t rvas[1] = {add_ascii(b, "seven")};
    const uint32_t ids[1] = {7};
    add_names(b, ids, rvas, 1, 1);
    dmp_file *f = open_built(b);
    size_t i = 99;
    static const struct {
        uint32_t id;
        size_t at;
    } want[] = {{50, 0}, {7, 1}, {0xffffffff, 2}, {0, 4}, {8, 5}};
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        ck_assert_int_eq(dmp_thread_find(f, want[k].id, &i), DMP_OK);
        ck_assert_uint_eq(i, want[k].at);
    }
    i = 99;
    ck_assert_int_eq(dmp_thread_find(f, 6, &i), DMP_E_NOT_FOUND);
    ck_assert_int_eq(dmp_thread_find(f, 9, &i), DMP_E_NOT_FOUND);
    ck_assert_uint_eq(i, 99);
    /* One name entry names every thread with that id. */
    ck_assert_str_eq(thread_at(f, 1).name, "seven");
    ck_assert_str_eq(thread_at(f, 3).name, "seven");
    ck_assert_uint_eq(thread_at(f, 3).priority, 99);
    ck_assert_uint_eq(dmp_diag_count(f), 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(accessor_arguments)
{
    struct mkdump *b = mkd_new(0);
    const struct th t[1] = {T0};
    add_threads(b, DMP_STREAM_THREAD_LIST, t, 1, 1, false);
    dmp_file *f = open_built(b);
    dmp_thread out;
    memset(&out, 0xa5, sizeof out);
    size_t i = 99;
    ck_assert_uint_eq(dmp_thread_count(NULL), 0);
    ck_assert_int_eq(dmp_thread_get(NULL, 0, &out), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_thread_get(f, 0, NULL), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_thread_get(f, 1, &out), DMP_E_NOT_FOUND);
    ck_assert_int_eq(dmp_thread_get(f, SIZE_MAX, &out), DMP_E_NOT_FOUND);
    ck_assert_uint_eq(out.id, 0xa5a5a5a5); /* untouched */
    ck_assert_int_eq(dmp_thread_find(NULL, 0x1111, &i), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_thread_find(f, 0x1111, NULL), DMP_E_INVALID_ARG);
    ck_assert_uint_eq(i, 99);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* ---- The shared real dumps ------------------------------------------------------------- */

/* The manifest columns this suite reads. */
struct row {
    const char *file, *kind, *arch, *threads;
};

static struct row row_at(size_t i)
{
    return (struct row){manifest_get(i, "file"), manifest_get(i, "kind"), manifest_get(i, "arch"),
                        manifest_get(i, "threads")};
}

/* The CPU the manifest's arch column names ("arm64(old-breakpad)" is arm64), or unknown. */
static dmp_cpu manifest_cpu(const char *arch)
{
    static const char *const names[] = {"x86", "amd64", "arm", "arm64"};
    static const dmp_cpu cpus[] = {DMP_CPU_X86, DMP_CPU_AMD64, DMP_CPU_ARM, DMP_CPU_ARM64};
    const size_t len = strcspn(arch, "(");
    for (size_t i = 0; i < 4; i++)
        if (strlen(names[i]) == len && strncmp(arch, names[i], len) == 0)
            return cpus[i];
    return DMP_CPU_UNKNOWN;
}

static uint32_t le32(const void *v)
{
    const uint8_t *p = v;
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Malformed diagnostics about the thread streams (other parsers may report other streams). */
static size_t thread_diags(const dmp_file *f)
{
    size_t n = 0;
    for (size_t i = 0; i < dmp_diag_count(f); i++) {
        dmp_diag d;
        ck_assert_int_eq(dmp_diag_get(f, i, &d), DMP_OK);
        n += d.kind == DMP_DIAG_MALFORMED && (d.stream_type == DMP_STREAM_THREAD_LIST ||
                                              d.stream_type == DMP_STREAM_THREAD_EX_LIST ||
                                              d.stream_type == DMP_STREAM_THREAD_INFO_LIST ||
                                              d.stream_type == DMP_STREAM_THREAD_NAMES);
    }
    return n;
}

/* Whether sp lies in the stack the writer captured for the thread. */
static bool sp_in_stack(const dmp_thread *t, const dmp_context *c)
{
    return t->stack_size > 0 && c->sp >= t->stack_start && c->sp - t->stack_start <= t->stack_size;
}

/* Dumps whose thread has sp outside its captured stack although the context is sound.
 * linux_inline.dmp (Crashpad, Linux): rcx == rip and r11 == eflags as a syscall leaves them,
 * so the registers are read right; the stack captured lies elsewhere (0x7fff1669d120). */
static bool stack_elsewhere(const char *file)
{
    return strcmp(file, "breakpad/linux_inline.dmp") == 0;
}

/* Dumps made by jumping outside every module (Breakpad's exploitability tests): their one
 * thread's ip lies in no module. In every other real dump each thread's ip is in one. */
static bool ip_elsewhere(const char *file)
{
    static const char *const files[] = {"breakpad/linux_jmp_to_0.dmp",
                                        "breakpad/linux_jmp_to_module_not_exe_region.dmp",
                                        "breakpad/linux_outside_module.dmp"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        if (strcmp(file, files[i]) == 0)
            return true;
    return false;
}

/* Decodes every thread's context: all must decode, to the manifest's CPU. Returns how many
 * had sp inside their captured stack, and how many had ip inside a module in *in_module. */
static size_t check_thread_contexts(const dmp_file *f, const char *file, dmp_cpu want,
                                    size_t *in_module)
{
    size_t in_stack = 0;
    *in_module = 0;
    for (size_t i = 0; i < dmp_thread_count(f); i++) {
        const dmp_thread t = thread_at(f, i);
        ck_assert_msg(t.context != NULL, "%s: thread %zu has no context", file, i);
        dmp_context c;
        const dmp_status st = dmp_context_decode(f, t.context, t.context_size, &c);
        ck_assert_msg(st == DMP_OK, "%s: thread %zu context (%u bytes, first u32 %#x) fails: %s",
                      file, i, t.context_size, t.context_size >= 4 ? le32(t.context) : 0,
                      dmp_strerror(st));
        ck_assert_msg(c.cpu == want, "%s: thread %zu decodes as %s", file, i, dmp_cpu_name(c.cpu));
        in_stack += sp_in_stack(&t, &c);
        *in_module += dmp_module_find(f, c.ip, NULL, NULL) == DMP_OK;
    }
    return in_stack;
}

/* Every ExceptionStream's context decodes to the same CPU (read from the raw stream). */
static void check_exception_contexts(const dmp_file *f, const char *file, dmp_cpu want,
                                     const uint8_t *data, size_t len)
{
    size_t at = 0;
    for (size_t i = 0; dmp_stream_find(f, DMP_STREAM_EXCEPTION, at, &i) == DMP_OK; at = i + 1) {
        const void *s;
        size_t n;
        ck_assert_int_eq(dmp_stream_data(f, i, &s, &n), DMP_OK);
        if (n < 168)
            continue;
        const uint32_t size = le32((const uint8_t *)s + 160), rva = le32((const uint8_t *)s + 164);
        if (rva > len || size > len - rva)
            continue;
        dmp_context c;
        ck_assert_msg(dmp_context_decode(f, data + rva, size, &c) == DMP_OK,
                      "%s: exception context (%u bytes) fails", file, size);
        ck_assert_msg(c.cpu == want, "%s: exception context decodes as %s", file,
                      dmp_cpu_name(c.cpu));
    }
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    ck_assert_msg(fp != NULL, "cannot open %s", path);
    fseek(fp, 0, SEEK_END);
    const long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    uint8_t *data = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(data, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *len = (size_t)n;
    return data;
}

START_TEST(real_dump)
{
    const struct row row = row_at((size_t)_i), *r = &row;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", DMPREAD_SHARED_DUMPS, r->file);
    size_t len;
    uint8_t *data = slurp(path, &len);
    dmp_file *f = NULL;
    ck_assert_int_eq(dmp_open_mem(data, len, &f), DMP_OK);
    if (strcmp(r->threads, "-") != 0)
        ck_assert_msg(dmp_thread_count(f) == strtoul(r->threads, NULL, 10),
                      "%s: %zu threads, manifest %s", r->file, dmp_thread_count(f), r->threads);
    for (size_t i = 0; i < dmp_thread_count(f); i++) {
        size_t at;
        ck_assert_int_eq(dmp_thread_find(f, thread_at(f, i).id, &at), DMP_OK);
        ck_assert_uint_eq(thread_at(f, at).id, thread_at(f, i).id);
    }
    if (strcmp(r->kind, "real") == 0)
        ck_assert_msg(thread_diags(f) == 0, "%s: thread streams reported malformed", r->file);
    const dmp_cpu want = manifest_cpu(r->arch);
    if (want != DMP_CPU_UNKNOWN) {
        size_t in_module;
        const size_t in_stack = check_thread_contexts(f, r->file, want, &in_module);
        check_exception_contexts(f, r->file, want, data, len);
        const bool real = strcmp(r->kind, "real") == 0;
        if (real && dmp_thread_count(f) > 0 && !stack_elsewhere(r->file))
            ck_assert_msg(in_stack == dmp_thread_count(f),
                          "%s: %zu of %zu threads have sp in stack", r->file, in_stack,
                          dmp_thread_count(f));
        if (real && dmp_module_count(f) > 0 && !ip_elsewhere(r->file))
            ck_assert_msg(in_module == dmp_thread_count(f),
                          "%s: %zu of %zu threads have ip in a module", r->file, in_module,
                          dmp_thread_count(f));
    }
    dmp_close(f);
    free(data);
}
END_TEST

/* Names and info that the real dumps carry, spot-checked against their bytes. */
START_TEST(real_names_and_info)
{
    static const struct {
        const char *file;
        uint32_t id;
        const char *name;
    } named[] = {
        {"breakpad/thread_name_list.dmp", 6564, "main thread"},
        {"breakpad/thread_name_list.dmp", 10976, "overflow thread"},
        {"sentry-native/minidump.dmp", 31424, "sentry-http"},
        {"rust-minidump/stability-report.dmp", 12580, "CrRendererMain"},
        {"breakpad/minidump_crashpad_annotation.dmp", 4779406, "com.apple.uikit.eventfetch-thread"},
    };
    for (size_t k = 0; k < sizeof named / sizeof named[0]; k++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", DMPREAD_SHARED_DUMPS, named[k].file);
        dmp_file *f;
        ck_assert_int_eq(dmp_open(path, &f), DMP_OK);
        size_t i;
        ck_assert_int_eq(dmp_thread_find(f, named[k].id, &i), DMP_OK);
        ck_assert_str_eq(thread_at(f, i).name, named[k].name);
        ck_assert_uint_eq(thread_diags(f), 0);
        dmp_close(f);
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/lldb/fizzbuzz_no_heap.dmp", DMPREAD_SHARED_DUMPS);
    dmp_file *f;
    ck_assert_int_eq(dmp_open(path, &f), DMP_OK);
    const dmp_thread t = thread_at(f, 0);
    ck_assert_int_eq(t.has_info, 1);
    ck_assert_uint_eq(t.id, 8992);
    ck_assert_uint_eq(t.exit_status, 259); /* STILL_ACTIVE */
    ck_assert_uint_eq(t.create_time, 130868266052699170ull);
    ck_assert_uint_eq(t.start_address, 1446718);
    ck_assert_uint_eq(t.affinity, 0xffffffff);
    dmp_close(f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("threads");
    TCase *tc = tcase_create("lists");
    tcase_add_test(tc, thread_list_fields);
    tcase_add_test(tc, thread_list_padded_count);
    tcase_add_test(tc, thread_ex_list_without_thread_list);
    tcase_add_test(tc, thread_ex_list_padded_count);
    tcase_add_test(tc, thread_ex_list_ignored_beside_thread_list);
    tcase_add_test(tc, second_thread_list_ignored);
    tcase_add_test(tc, count_past_stream);
    tcase_add_test(tc, count_huge_allocates_nothing_more);
    tcase_add_test(tc, entry_cut_by_eof);
    tcase_add_test(tc, list_too_small_for_count);
    tcase_add_test(tc, empty_list);
    tcase_add_test(tc, stream_past_eof_left_to_directory);
    tcase_add_test(tc, context_outside_file);
    tcase_add_test(tc, find_by_id);
    tcase_add_test(tc, accessor_arguments);
    suite_add_tcase(s, tc);
    TCase *join = tcase_create("joined");
    tcase_add_test(join, thread_info_joined);
    tcase_add_test(join, thread_info_sizes_from_header);
    tcase_add_test(join, thread_info_malformed_headers);
    tcase_add_test(join, thread_info_count_past_stream);
    tcase_add_test(join, thread_info_for_unknown_and_repeated_threads);
    tcase_add_test(join, thread_info_without_thread_list);
    tcase_add_test(join, thread_names_joined);
    tcase_add_test(join, thread_names_damaged);
    tcase_add_test(join, thread_names_shared_id);
    tcase_add_test(join, diagnostics_capped_per_kind);
    tcase_add_test(join, thread_names_string_budget);
    tcase_add_test(join, thread_names_count_past_stream);
    tcase_add_test(join, thread_names_too_small);
    suite_add_tcase(s, join);
    if (manifest_load(DMPREAD_SHARED_DUMPS)) {
        printf("test_threads: %zu dumps from %s\n", manifest_rows(), DMPREAD_SHARED_DUMPS);
        TCase *real = tcase_create("shared-dumps");
        tcase_add_loop_test(real, real_dump, 0, (int)manifest_rows());
        tcase_add_test(real, real_names_and_info);
        suite_add_tcase(s, real);
    } else {
        printf("test_threads: shared dumps absent; their cases are skipped\n");
    }
    return run_suite(s);
}
