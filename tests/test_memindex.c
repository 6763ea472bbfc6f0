/* test_memindex.c - the memory rules of FORMAT.md, one case per rule, on built dumps.
 * SPDX-License-Identifier: MIT */
#include "suite.h"

#include <pthread.h>
#include <string.h>

#define R(a, s, t)                                                                                 \
    {                                                                                              \
        (a), (s), (t), false, 0                                                                    \
    }

/* Reads [addr, addr+len) and checks every byte came from a range tagged `tag`. */
static void expect_bytes(const dmp_file *f, uint64_t addr, size_t len, uint8_t tag)
{
    uint8_t *buf = malloc(len ? len : 1);
    size_t got = 12345;
    ck_assert_int_eq(dmp_read_memory(f, addr, buf, len, &got), DMP_OK);
    ck_assert_uint_eq(got, len);
    for (size_t i = 0; i < len; i++)
        ck_assert_msg(buf[i] == mkd_byte(tag, addr + i), "byte at 0x%llx: got %02x, want %02x",
                      (unsigned long long)(addr + i), buf[i], mkd_byte(tag, addr + i));
    free(buf);
}

/* Checks that a read of [addr, addr+len) fails, writes nothing, and names `missing`. */
static void expect_missing(const dmp_file *f, uint64_t addr, size_t len, uint64_t missing)
{
    uint8_t buf[64];
    ck_assert_uint_le(len, sizeof buf);
    memset(buf, 0xa5, sizeof buf);
    size_t got = 12345;
    ck_assert_int_eq(dmp_read_memory(f, addr, buf, len, &got), DMP_E_UNMAPPED);
    ck_assert_uint_eq(got, 0);
    for (size_t i = 0; i < sizeof buf; i++)
        ck_assert_uint_eq(buf[i], 0xa5);
    uint64_t m = 0;
    ck_assert_int_eq(dmp_find_uncovered(f, addr, len, &m), DMP_E_UNMAPPED);
    ck_assert_uint_eq(m, missing);
}

static dmp_range range_at(const dmp_file *f, size_t i)
{
    dmp_range r;
    ck_assert_int_eq(dmp_range_get(f, i, &r), DMP_OK);
    return r;
}

START_TEST(memory_list_reads_back)
{
    struct mkdump *b = mkd_new(0);
    const struct mkd_range r[] = {R(0x3000, 0x100, 1), R(0x1000, 0x40, 2)};
    mkd_add_memory_list(b, r, 2, false);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_range_count(f), 2);
    const dmp_range r0 = range_at(f, 0), r1 = range_at(f, 1);
    ck_assert_uint_eq(r0.addr, 0x1000); /* sorted by address, not by list order */
    ck_assert_uint_eq(r0.descriptor, 1);
    ck_assert_uint_eq(r1.addr, 0x3000);
    ck_assert_uint_eq(r1.stream_type, DMP_STREAM_MEMORY_LIST);
    ck_assert_uint_eq(r1.flags, 0);
    expect_bytes(f, 0x3000, 0x100, 1);
    expect_bytes(f, 0x1000, 0x40, 2);
    expect_bytes(f, 0x30ff, 1, 1);
    expect_missing(f, 0x2fff, 2, 0x2fff);
    expect_missing(f, 0x30ff, 2, 0x3100);
    ck_assert_uint_eq(dmp_diag_count(f), 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Rule 1: both lists feed one index; reads stitch across them. */
START_TEST(both_lists_merge)
{
    struct mkdump *b = mkd_new(0);
    const struct mkd_range stacks[] = {R(0x7000, 0x1000, 1)};
    const struct mkd_range full[] = {R(0x5000, 0x1000, 2), R(0x6000, 0x1000, 3),
                                     R(0x8000, 0x800, 4)};
    const uint32_t s5 = mkd_add_memory_list(b, stacks, 1, false);
    const uint32_t s9 = mkd_add_memory64_list(b, full, 3);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_range_count(f), 4);
    ck_assert_uint_eq(range_at(f, 2).stream_index, s5);
    ck_assert_uint_eq(range_at(f, 3).stream_index, s9);
    ck_assert_uint_eq(range_at(f, 3).descriptor, 2);
    ck_assert_uint_eq(range_at(f, 3).stream_type, DMP_STREAM_MEMORY64_LIST);
    /* 0x5000..0x8800 is one run over four descriptors from two lists. */
    uint8_t *buf = malloc(0x3800);
    ck_assert_int_eq(dmp_read_memory(f, 0x5000, buf, 0x3800, NULL), DMP_OK);
    for (uint64_t a = 0x5000; a < 0x8800; a++) {
        const uint8_t tag = a < 0x6000 ? 2 : a < 0x7000 ? 3 : a < 0x8000 ? 1 : 4;
        ck_assert_uint_eq(buf[a - 0x5000], mkd_byte(tag, a));
    }
    free(buf);
    ck_assert_uint_eq(dmp_readable_len(f, 0x5000), 0x3800);
    ck_assert_uint_eq(dmp_readable_len(f, 0x87ff), 1);
    ck_assert_uint_eq(dmp_readable_len(f, 0x8800), 0);
    expect_missing(f, 0x4fff, 2, 0x4fff);
    expect_missing(f, 0x87f0, 0x20, 0x8800);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Rule 2: on overlap, the earlier descriptor (directory order, then list order) wins. */
START_TEST(earlier_stream_wins)
{
    struct mkdump *b = mkd_new(0);
    const struct mkd_range a[] = {R(0x1000, 0x1000, 1)};
    const struct mkd_range c[] = {R(0x1800, 0x1000, 2)};
    mkd_add_memory_list(b, a, 1, false);
    const uint32_t s9 = mkd_add_memory64_list(b, c, 1);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_range_count(f), 2);
    expect_bytes(f, 0x1000, 0x1000, 1);
    expect_bytes(f, 0x2000, 0x800, 2);
    const dmp_range r1 = range_at(f, 1);
    ck_assert_uint_eq(r1.addr, 0x2000);
    ck_assert_uint_eq(r1.size, 0x800);
    ck_assert_uint_eq(r1.stream_index, s9);
    ck_assert_uint_eq(r1.file_offset, mkd_stream_rva(b, s9) + 32 + 0x800);
    dmp_diag d;
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_OVERLAP, &d), 1);
    ck_assert_uint_eq(d.stream_index, s9);
    ck_assert_uint_eq(d.descriptor, 0);
    ck_assert_uint_eq(d.addr, 0x1800);
    ck_assert_uint_eq(d.size, 0x1000);
    ck_assert_uint_eq(d.kept, 0x800);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(directory_order_decides)
{
    /* The same two ranges with Memory64List first in the directory: now it wins. */
    struct mkdump *b = mkd_new(0);
    const struct mkd_range a[] = {R(0x1000, 0x1000, 1)};
    const struct mkd_range c[] = {R(0x1800, 0x1000, 2)};
    mkd_add_memory64_list(b, c, 1);
    mkd_add_memory_list(b, a, 1, false);
    dmp_file *f = open_built(b);
    expect_bytes(f, 0x1000, 0x800, 1);
    expect_bytes(f, 0x1800, 0x1000, 2);
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_OVERLAP, NULL), 1);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(later_descriptor_fills_gaps_only)
{
    /* d1 spans d0 and more: it keeps only what d0 left. d2 lies inside d1 and d3 repeats
     * d0: both are listed later, so both lose every byte. */
    struct mkdump *b = mkd_new(0);
    const struct mkd_range r[] = {R(0x0, 0x1000, 1), R(0x0, 0x3000, 2), R(0x2000, 0x800, 3),
                                  R(0x0, 0x1000, 4)};
    mkd_add_memory_list(b, r, 4, false);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_range_count(f), 2);
    ck_assert_uint_eq(range_at(f, 0).descriptor, 0);
    ck_assert_uint_eq(range_at(f, 1).descriptor, 1);
    ck_assert_uint_eq(range_at(f, 1).addr, 0x1000);
    ck_assert_uint_eq(range_at(f, 1).size, 0x2000);
    expect_bytes(f, 0x0, 0x1000, 1);
    expect_bytes(f, 0x1000, 0x2000, 2);
    dmp_diag d;
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_OVERLAP, &d), 3);
    ck_assert_uint_eq(d.descriptor, 1);
    ck_assert_uint_eq(d.kept, 0x2000);
    ck_assert_uint_eq(dmp_diag_get(f, 2, &d), DMP_OK);
    ck_assert_uint_eq(d.descriptor, 3);
    ck_assert_uint_eq(d.kept, 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(rank_not_size_decides)
{
    struct mkdump *b = mkd_new(0);
    const struct mkd_range r[] = {R(0x2000, 0x800, 1), R(0x0, 0x4000, 2), R(0x0, 0x1000, 3)};
    mkd_add_memory_list(b, r, 3, false);
    dmp_file *f = open_built(b);
    /* d0 wins its 0x800 bytes; d1 owns the rest; d2 is entirely shadowed by d1. */
    ck_assert_uint_eq(dmp_range_count(f), 3);
    expect_bytes(f, 0x0, 0x2000, 2);
    expect_bytes(f, 0x2000, 0x800, 1);
    expect_bytes(f, 0x2800, 0x1800, 2);
    ck_assert_uint_eq(dmp_readable_len(f, 0), 0x4000);
    dmp_diag d;
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_OVERLAP, &d), 2);
    ck_assert_uint_eq(d.descriptor, 1);
    ck_assert_uint_eq(d.kept, 0x3800);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Rule 3: zero-size descriptors are ignored, and reported once per run. */
START_TEST(zero_size_ignored)
{
    struct mkdump *b = mkd_new(0);
    const struct mkd_range r[] = {R(0x1000, 0, 1), R(0x1000, 0, 1), R(0x1000, 0x10, 2)};
    mkd_add_memory_list(b, r, 3, false);
    const struct mkd_range r64[] = {R(0x5000, 0, 1), R(0x5000, 0x10, 3)};
    mkd_add_memory64_list(b, r64, 2);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_range_count(f), 2);
    expect_bytes(f, 0x1000, 0x10, 2);
    expect_bytes(f, 0x5000, 0x10, 3);
    dmp_diag d;
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_ZERO_SIZE, &d), 2);
    ck_assert_uint_eq(d.descriptor, 0);
    ck_assert_uint_eq(d.count, 2);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Rule 3: a range running past EOF keeps its part inside the file. */
START_TEST(truncated_final_range)
{
    struct mkdump *b = mkd_new(0);
    const struct mkd_range r[] = {R(0x1000, 0x100, 1), R(0x4000, 0x100, 2)};
    const uint32_t s = mkd_add_memory_list(b, r, 2, false);
    size_t len;
    mkd_finish(b, &len);
    dmp_file *f = open_prefix(b, len - 0x40); /* the last 0x40 bytes of range 1 are gone */
    ck_assert_uint_eq(dmp_range_count(f), 2);
    const dmp_range r1 = range_at(f, 1);
    ck_assert_uint_eq(r1.size, 0xc0);
    ck_assert_uint_eq(r1.flags, DMP_RANGE_TRUNCATED);
    ck_assert_uint_eq(range_at(f, 0).flags, 0);
    expect_bytes(f, 0x4000, 0xc0, 2);
    expect_missing(f, 0x40b0, 0x20, 0x40c0);
    dmp_diag d;
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_RANGE_TRUNCATED, &d), 1);
    ck_assert_uint_eq(d.stream_index, s);
    ck_assert_uint_eq(d.descriptor, 1);
    ck_assert_uint_eq(d.offset, mkd_stream_rva(b, s) + 4 + 16);
    ck_assert_uint_eq(d.size, 0x100);
    ck_assert_uint_eq(d.kept, 0xc0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Rule 3: a descriptor whose bytes start at or past EOF is dropped. */
START_TEST(descriptor_past_eof_dropped)
{
    struct mkdump *b = mkd_new(0);
    struct mkd_range r[] = {R(0x1000, 0x10, 1), R(0x2000, 0x10, 2)};
    r[1].explicit_rva = true;
    r[1].rva = 0x7fff0000;
    mkd_add_memory_list(b, r, 2, false);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_range_count(f), 1);
    expect_missing(f, 0x2000, 1, 0x2000);
    dmp_diag d;
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_RANGE_PAST_EOF, &d), 1);
    ck_assert_uint_eq(d.descriptor, 1);
    ck_assert_uint_eq(d.data_offset, 0x7fff0000);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(memory64_past_eof_is_one_diagnostic)
{
    /* A full-memory dump cut short: the first range is clipped, the other 99 are gone. */
    struct mkdump *b = mkd_new(0);
    struct mkd_range r[100];
    for (int i = 0; i < 100; i++)
        r[i] = (struct mkd_range)R(0x10000 + 0x1000 * (uint64_t)i, 0x100, (uint8_t)i);
    const uint32_t s = mkd_add_memory64_list(b, r, 100);
    const uint64_t base = mkd_stream_rva(b, s) + 16 + 16 * 100;
    size_t len;
    mkd_finish(b, &len);
    dmp_file *f = open_prefix(b, (size_t)base + 0x80);
    ck_assert_uint_eq(dmp_range_count(f), 1);
    ck_assert_uint_eq(range_at(f, 0).size, 0x80);
    expect_bytes(f, 0x10000, 0x80, 0);
    dmp_diag d;
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_RANGE_PAST_EOF, &d), 1);
    ck_assert_uint_eq(d.descriptor, 1);
    ck_assert_uint_eq(d.count, 99);
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_RANGE_TRUNCATED, NULL), 1);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* The big tier cut short inside a range, past two 16-piece blocks: every kept range has its
 * own size and file offset (its block's offset plus the sizes before it in the block), the
 * one cut is clipped and marked truncated, and the rest are one past-EOF diagnostic. */
START_TEST(memory64_cut_inside_keeps_every_size)
{
    enum { N = 100, CUT = 40 };
    struct mkdump *b = mkd_new(0);
    struct mkd_range r[N];
    uint64_t at = 0x10000;
    for (int i = 0; i < N; i++) {
        const uint64_t size = 0x40 + 0x10 * (uint64_t)(i % 13);
        r[i] = (struct mkd_range)R(at, size, (uint8_t)(1 + i % 60));
        at += size + (i % 4 == 0 ? 0 : 0x1000); /* every fourth abuts the next */
    }
    const uint32_t s = mkd_add_memory64_list(b, r, N);
    uint64_t off = mkd_stream_rva(b, s) + 16 + 16 * N;
    for (int i = 0; i < CUT; i++)
        off += r[i].size;
    size_t len;
    mkd_finish(b, &len);
    dmp_file *f = open_prefix(b, (size_t)off + 0x20); /* 0x20 bytes of range CUT remain */
    ck_assert_uint_eq(dmp_range_count(f), CUT + 1);
    for (int i = 0; i <= CUT; i++) {
        const dmp_range got = range_at(f, (size_t)i);
        ck_assert_uint_eq(got.addr, r[i].addr);
        ck_assert_uint_eq(got.size, i == CUT ? 0x20 : r[i].size);
        ck_assert_uint_eq(got.flags, i == CUT ? DMP_RANGE_TRUNCATED : 0);
        ck_assert_uint_eq(got.descriptor, (uint64_t)i);
        expect_bytes(f, r[i].addr, (size_t)got.size, r[i].tag);
    }
    ck_assert_uint_eq(range_at(f, CUT).file_offset, off);
    expect_missing(f, r[CUT].addr + 0x10, 0x20, r[CUT].addr + 0x20);
    dmp_diag d;
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_RANGE_PAST_EOF, &d), 1);
    ck_assert_uint_eq(d.descriptor, CUT + 1);
    ck_assert_uint_eq(d.count, N - CUT - 1);
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_RANGE_TRUNCATED, &d), 1);
    ck_assert_uint_eq(d.descriptor, CUT);
    ck_assert_uint_eq(d.kept, 0x20);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Rule 3: Memory64List's running offset advances past dropped descriptors. */
START_TEST(memory64_offset_advances_past_dropped)
{
    struct mkdump *b = mkd_new(0);
    const struct mkd_range r[] = {R(0x1000, 0x10, 1), R(0xfffffffffffffff8u, 0x10, 2),
                                  R(0x3000, 0x10, 3)};
    const uint32_t s = mkd_add_memory64_list(b, r, 3);
    dmp_file *f = open_built(b);
    /* Descriptor 1 wraps the address space and is dropped; descriptor 2's bytes are still
     * found after descriptor 1's 16 bytes. */
    ck_assert_uint_eq(dmp_range_count(f), 2);
    expect_bytes(f, 0x1000, 0x10, 1);
    expect_bytes(f, 0x3000, 0x10, 3);
    ck_assert_uint_eq(range_at(f, 1).file_offset, mkd_stream_rva(b, s) + 16 + 48 + 32);
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_ADDR_OVERFLOW, NULL), 1);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(memory64_offset_overflow)
{
    struct mkdump *b = mkd_new(0);
    const struct mkd_range r[] = {R(0x1000, 0x10, 1), R(0x2000, 0x10, 2), R(0x3000, 0x10, 3)};
    const uint32_t s = mkd_add_memory64_list(b, r, 3);
    size_t len;
    mkd_finish(b, &len);
    /* BaseRva near 2^64 and descriptor 0 of size 0x20: offset of descriptor 1 passes 2^64. */
    const uint64_t list = mkd_stream_rva(b, s);
    mkd_poke_u64(b, list + 8, UINT64_MAX - 0x10);
    mkd_poke_u64(b, list + 16 + 8, 0x20);
    dmp_file *f = open_prefix(b, len);
    ck_assert_uint_eq(dmp_range_count(f), 0);
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_RANGE_PAST_EOF, NULL), 1);
    dmp_diag d;
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_OFFSET_OVERFLOW, &d), 1);
    ck_assert_uint_eq(d.descriptor, 1);
    ck_assert_uint_eq(d.count, 2);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Rule 3: start + size past 2^64 is dropped; ending exactly at 2^64 is fine. */
START_TEST(range_at_top_of_address_space)
{
    struct mkdump *b = mkd_new(0);
    const struct mkd_range r[] = {R(0xffffffffffffff00u, 0x100, 1),
                                  R(0xffffffffffff0000u, 0x20000, 2)};
    mkd_add_memory_list(b, r, 2, false);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_range_count(f), 1);
    expect_bytes(f, 0xffffffffffffff00u, 0x100, 1);
    expect_bytes(f, UINT64_MAX, 1, 1);
    ck_assert_uint_eq(dmp_readable_len(f, 0xffffffffffffff80u), 0x80);
    uint8_t buf[2];
    size_t got = 99;
    ck_assert_int_eq(dmp_read_memory(f, UINT64_MAX, buf, 2, &got), DMP_E_WRAP);
    ck_assert_uint_eq(got, 0);
    uint64_t m = 7;
    ck_assert_int_eq(dmp_find_uncovered(f, UINT64_MAX, 2, &m), DMP_E_WRAP);
    ck_assert_uint_eq(m, 7);
    dmp_diag d;
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_ADDR_OVERFLOW, &d), 1);
    ck_assert_uint_eq(d.descriptor, 1);
    ck_assert_uint_eq(d.addr, 0xffffffffffff0000u);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(read_wrap_and_empty)
{
    struct mkdump *b = mkd_new(0);
    const struct mkd_range r[] = {R(0x1000, 0x10, 1)};
    mkd_add_memory_list(b, r, 1, false);
    dmp_file *f = open_built(b);
    uint8_t buf[4] = {1, 2, 3, 4};
    size_t got = 99;
    ck_assert_int_eq(dmp_read_memory(f, 0xfffffffffffffffeu, buf, 4, &got), DMP_E_WRAP);
    ck_assert_uint_eq(got, 0);
    ck_assert_uint_eq(buf[0], 1);
    got = 99;
    ck_assert_int_eq(dmp_read_memory(f, 0x9999, buf, 0, &got), DMP_OK);
    ck_assert_uint_eq(got, 0);
    ck_assert_int_eq(dmp_read_memory(f, UINT64_MAX, NULL, 0, NULL), DMP_OK);
    uint64_t m = 7;
    ck_assert_int_eq(dmp_find_uncovered(f, 0x9999, 0, &m), DMP_OK);
    ck_assert_uint_eq(m, 7);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Rule 3 (lists): a count claiming more descriptors than the stream holds. */
START_TEST(count_larger_than_stream)
{
    struct mkdump *b = mkd_new(0);
    const struct mkd_range r[] = {R(0x1000, 0x10, 1), R(0x2000, 0x10, 2)};
    const uint32_t s = mkd_add_memory_list(b, r, 2, false);
    size_t len;
    mkd_finish(b, &len);
    mkd_poke_u32(b, mkd_stream_rva(b, s), 4000000);
    dmp_file *f = open_prefix(b, len);
    ck_assert_uint_eq(dmp_range_count(f), 2);
    expect_bytes(f, 0x2000, 0x10, 2);
    dmp_diag d;
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_COUNT_CLIPPED, &d), 1);
    ck_assert_uint_eq(d.count, 4000000);
    ck_assert_uint_eq(d.kept, 2);
    ck_assert_uint_eq(d.size, 4 + 32);
    ck_assert_uint_eq(d.offset, mkd_stream_rva(b, s));
    char text[256];
    dmp_diag_format(&d, text, sizeof text);
    ck_assert_msg(strstr(text, "MemoryListStream") && strstr(text, "4000000 descriptors"),
                  "diagnostic text: %s", text);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Rule 5: directory entries aliasing one list cannot multiply the work. All lists together
 * read at most (file size / 16) records; the excess is reported, per list, never used. */
START_TEST(aliased_lists_bounded_by_file_size)
{
    enum { RANGES = 64, ALIASES = 200 };
    struct mkdump *b = mkd_new(ALIASES + 1);
    struct mkd_range r[RANGES];
    for (size_t i = 0; i < RANGES; i++)
        r[i] = (struct mkd_range)R(0x100000 + 0x100 * i, 0x10, 7);
    const uint32_t s = mkd_add_memory_list(b, r, RANGES, false);
    const uint32_t rva = (uint32_t)mkd_stream_rva(b, s);
    for (size_t i = 0; i < ALIASES; i++)
        mkd_add_stream(b, DMP_STREAM_MEMORY_LIST, rva, 4 + 16 * RANGES);
    dmp_file *f = open_built(b);
    size_t len;
    mkd_data(b, &len);
    ck_assert_uint_eq(dmp_range_count(f), RANGES);
    for (size_t i = 0; i < RANGES; i++)
        expect_bytes(f, r[i].addr, r[i].size, 7);
    /* The first list owns every byte; aliases only shadow it, within the budget. */
    const size_t shadowed = count_diags(f, DMP_DIAG_OVERLAP, NULL);
    ck_assert_uint_le(RANGES + shadowed, len / 16);
    ck_assert_uint_ge(shadowed, RANGES); /* at least one alias fitted */
    dmp_diag d;
    const size_t reused = count_diags(f, DMP_DIAG_RECORDS_REUSED, &d);
    ck_assert_uint_ge(reused, 1);
    ck_assert_uint_le(reused, ALIASES);
    ck_assert_uint_eq(d.count, RANGES);
    ck_assert_uint_lt(d.kept, RANGES);
    char text[256];
    dmp_diag_format(&d, text, sizeof text);
    ck_assert_msg(strstr(text, "reuse bytes of earlier lists"), "diagnostic text: %s", text);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(memory64_count_huge)
{
    struct mkdump *b = mkd_new(0);
    const struct mkd_range r[] = {R(0x1000, 0x10, 1)};
    const uint32_t s = mkd_add_memory64_list(b, r, 1);
    size_t len;
    mkd_finish(b, &len);
    mkd_poke_u64(b, mkd_stream_rva(b, s), UINT64_MAX);
    dmp_file *f = open_prefix(b, len);
    ck_assert_uint_eq(dmp_range_count(f), 1);
    expect_bytes(f, 0x1000, 0x10, 1);
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_COUNT_CLIPPED, NULL), 1);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(list_too_small_for_count)
{
    struct mkdump *b = mkd_new(0);
    const uint8_t two[2] = {1, 0};
    mkd_add_stream_data(b, DMP_STREAM_MEMORY_LIST, two, sizeof two);
    const uint8_t eight[8] = {1, 0, 0, 0, 0, 0, 0, 0};
    mkd_add_stream_data(b, DMP_STREAM_MEMORY64_LIST, eight, sizeof eight);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_range_count(f), 0);
    dmp_diag d;
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_LIST_TOO_SMALL, &d), 2);
    ck_assert_uint_eq(d.stream_index, 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Rule 4: a count padded to 8 bytes is recognised from DataSize == 8 + 16 * count. */
START_TEST(padded_memory_list)
{
    struct mkdump *b = mkd_new(0);
    const struct mkd_range r[] = {R(0x1000, 0x10, 1), R(0x2000, 0x20, 2)};
    mkd_add_memory_list(b, r, 2, true);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_range_count(f), 2);
    expect_bytes(f, 0x1000, 0x10, 1);
    expect_bytes(f, 0x2000, 0x20, 2);
    ck_assert_uint_eq(dmp_diag_count(f), 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(unpadded_list_with_slack)
{
    /* DataSize is 4 + 16n + 8 (not 8 + 16n): descriptors stay at offset 4. */
    struct mkdump *b = mkd_new(0);
    const struct mkd_range r[] = {R(0x1000, 0x10, 1)};
    const uint32_t s = mkd_add_memory_list(b, r, 1, false);
    size_t len;
    mkd_finish(b, &len);
    mkd_poke_u32(b, mkd_dir_entry_offset(s) + 4, 4 + 16 + 8);
    dmp_file *f = open_prefix(b, len);
    ck_assert_uint_eq(dmp_range_count(f), 1);
    expect_bytes(f, 0x1000, 0x10, 1);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Directory entries for memory lists that lie past EOF are skipped; clipped ones are used
 * as far as they go. */
START_TEST(memory_stream_past_eof)
{
    struct mkdump *b = mkd_new(0);
    const struct mkd_range r[] = {R(0x1000, 0x10, 1)};
    mkd_add_memory_list(b, r, 1, false);
    mkd_add_stream(b, DMP_STREAM_MEMORY64_LIST, 0x7ffffff0, 0x100);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_range_count(f), 1);
    dmp_diag d;
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_STREAM_PAST_EOF, &d), 1);
    ck_assert_uint_eq(d.stream_index, 1);
    ck_assert_uint_eq(d.offset, 0x7ffffff0);
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_LIST_TOO_SMALL, NULL), 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(memory_stream_clipped)
{
    /* The list's DataSize claims 1000 descriptors; the file ends after 2 and their bytes. */
    struct mkdump *b = mkd_new(0);
    const struct mkd_range r[] = {R(0x1000, 0x10, 1), R(0x2000, 0x10, 2)};
    const uint32_t s = mkd_add_memory64_list(b, r, 2);
    size_t len;
    mkd_finish(b, &len);
    mkd_poke_u64(b, mkd_stream_rva(b, s), 1000);
    mkd_poke_u32(b, mkd_dir_entry_offset(s) + 4, 16 + 16 * 1000);
    dmp_file *f = open_prefix(b, len);
    /* The clipped stream reaches EOF: 2 real descriptors, then their payload read as
     * descriptors 2 and 3, whose bytes would start at EOF or beyond: dropped. */
    ck_assert_uint_eq(dmp_range_count(f), 2);
    expect_bytes(f, 0x1000, 0x10, 1);
    expect_bytes(f, 0x2000, 0x10, 2);
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_STREAM_CLIPPED, NULL), 1);
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_COUNT_CLIPPED, NULL), 1);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(unsorted_disjoint_descriptors)
{
    struct mkdump *b = mkd_new(0);
    struct mkd_range r[64];
    for (int i = 0; i < 64; i++) {
        const uint64_t slot = (uint64_t)((i * 37) % 64); /* a permutation of 0..63 */
        r[i] = (struct mkd_range)R(0x100000 + slot * 0x100, 0x100, (uint8_t)i);
    }
    mkd_add_memory64_list(b, r, 64);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_range_count(f), 64);
    for (size_t i = 1; i < 64; i++)
        ck_assert_uint_eq(range_at(f, i).addr, range_at(f, i - 1).addr + 0x100);
    ck_assert_uint_eq(dmp_readable_len(f, 0x100000), 0x4000);
    for (int i = 0; i < 64; i++)
        expect_bytes(f, r[i].addr, 0x100, r[i].tag);
    ck_assert_uint_eq(dmp_diag_count(f), 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(no_memory_streams)
{
    struct mkdump *b = mkd_new(0);
    const uint8_t junk[16] = {0};
    mkd_add_stream_data(b, DMP_STREAM_SYSTEM_INFO, junk, sizeof junk);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_range_count(f), 0);
    expect_missing(f, 0, 1, 0);
    ck_assert_uint_eq(dmp_readable_len(f, 0), 0);
    size_t i;
    ck_assert_int_eq(dmp_range_find(f, 0, &i), DMP_E_NOT_FOUND);
    ck_assert_int_eq(dmp_range_next(f, 0, &i), DMP_E_NOT_FOUND);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(sorted_lists_interleave)
{
    /* A stacks list before a larger Memory64 list, each sorted and disjoint on its own: the
     * index holds every range in address order with its own descriptor and no overlap. */
    struct mkdump *b = mkd_new(0);
    const struct mkd_range stacks[] = {R(0x1800, 0x100, 1), R(0x5000, 0x800, 2)};
    const struct mkd_range all[] = {R(0x1000, 0x800, 3), R(0x2000, 0x1000, 4), R(0x4000, 0x1000, 5),
                                    R(0x6000, 0x100, 6)};
    mkd_add_memory_list(b, stacks, 2, false);
    mkd_add_memory64_list(b, all, 4);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_range_count(f), 6);
    const uint64_t want[] = {0x1000, 0x1800, 0x2000, 0x4000, 0x5000, 0x6000};
    const uint64_t desc[] = {0, 0, 1, 2, 1, 3};
    for (size_t i = 0; i < 6; i++) {
        const dmp_range r = range_at(f, i);
        ck_assert_uint_eq(r.addr, want[i]);
        ck_assert_uint_eq(r.descriptor, desc[i]);
    }
    expect_bytes(f, 0x1000, 0x800, 3);
    expect_bytes(f, 0x1800, 0x100, 1);
    uint8_t buf[0x900]; /* ranges 3 and 1 abut: one read stitches them */
    ck_assert_int_eq(dmp_read_memory(f, 0x1000, buf, sizeof buf, NULL), DMP_OK);
    expect_bytes(f, 0x4000, 0x1000, 5);
    expect_bytes(f, 0x5000, 0x800, 2);
    expect_missing(f, 0x18f0, 0x20, 0x1900);
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_OVERLAP, NULL), 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Runs of adjacent ranges of every length around the point where the run table takes over
 * from walking (16 pieces): dmp_readable_len and dmp_find_uncovered must answer as a walk of
 * the run does, from every piece of every run, and from several threads at once (the table
 * is built on first need and published by whichever thread gets there first). */
#define RUNS 6
static const unsigned run_len[RUNS] = {1, 15, 16, 17, 40, 1000};

struct run_oracle {
    const dmp_file *f;
    uint64_t run_start[RUNS];
    unsigned bad;
};

static void *check_runs(void *arg)
{
    struct run_oracle *const o = arg;
    for (int r = 0; r < RUNS; r++) {
        const uint64_t end = o->run_start[r] + 0x10 * (uint64_t)run_len[r];
        for (uint64_t a = o->run_start[r]; a < end; a += 0x8) {
            uint64_t missing = 0;
            o->bad += dmp_readable_len(o->f, a) != end - a;
            o->bad += dmp_find_uncovered(o->f, a, end - a, &missing) != DMP_OK;
            o->bad += dmp_find_uncovered(o->f, a, end - a + 1, &missing) != DMP_E_UNMAPPED ||
                      missing != end;
        }
        o->bad += dmp_readable_len(o->f, end) != 0;
    }
    return NULL;
}

START_TEST(long_runs_of_adjacent_ranges)
{
    size_t n = 0;
    for (int r = 0; r < RUNS; r++)
        n += run_len[r];
    struct mkd_range *const rs = calloc(n, sizeof *rs);
    ck_assert_ptr_nonnull(rs);
    struct run_oracle o = {0};
    size_t k = 0;
    uint64_t at = 0x100000;
    for (int r = 0; r < RUNS; r++) {
        o.run_start[r] = at;
        for (unsigned i = 0; i < run_len[r]; i++, k++, at += 0x10)
            rs[k] = (struct mkd_range)R(at, 0x10, (uint8_t)(r + 1));
        at += 0x1000; /* a gap between runs */
    }
    struct mkdump *b = mkd_new(0);
    mkd_add_memory64_list(b, rs, n);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_range_count(f), n);
    o.f = f;
    struct run_oracle each[4];
    pthread_t th[4];
    for (int t = 0; t < 4; t++) {
        each[t] = o;
        ck_assert_int_eq(pthread_create(&th[t], NULL, check_runs, &each[t]), 0);
    }
    for (int t = 0; t < 4; t++) {
        pthread_join(th[t], NULL);
        ck_assert_msg(each[t].bad == 0, "thread %d: %u wrong answers", t, each[t].bad);
    }
    /* And a read across the whole long run. */
    expect_bytes(f, o.run_start[RUNS - 1], 0x10 * 1000, RUNS);
    dmp_close(f);
    mkd_free(b);
    free(rs);
}
END_TEST

START_TEST(sorted_lists_collide)
{
    /* Each list sorted, but one byte shared between them: in the middle of the merge, and
     * again where the merge ends. The earlier list owns the byte each time. */
    for (int at_end = 0; at_end < 2; at_end++) {
        struct mkdump *b = mkd_new(0);
        const struct mkd_range mid[] = {R(0x1800, 0x100, 1), R(0x2fff, 0x10, 2)};
        const struct mkd_range end[] = {R(0x1800, 0x100, 1), R(0x3fff, 0x2, 2)};
        const struct mkd_range all[] = {R(0x1000, 0x800, 3), R(0x2000, 0x1000, 4),
                                        R(0x3010, 0x10, 5), R(0x4000, 0x1000, 6)};
        mkd_add_memory_list(b, at_end ? end : mid, 2, false);
        mkd_add_memory64_list(b, all, 4);
        dmp_file *f = open_built(b);
        dmp_diag d;
        ck_assert_uint_eq(count_diags(f, DMP_DIAG_OVERLAP, &d), 1);
        ck_assert_uint_eq(d.descriptor, at_end ? 3 : 1);
        ck_assert_uint_eq(d.kept, 0xfff);
        if (at_end) {
            expect_bytes(f, 0x3fff, 2, 2);
            expect_bytes(f, 0x4001, 0xfff, 6);
        } else {
            expect_bytes(f, 0x2000, 0xfff, 4);
            expect_bytes(f, 0x2fff, 0x10, 2);
            expect_bytes(f, 0x3010, 0x10, 5);
        }
        expect_bytes(f, 0x1000, 0x800, 3);
        expect_bytes(f, 0x1800, 0x100, 1);
        dmp_close(f);
        mkd_free(b);
    }
}
END_TEST

/* A Memory64 list long enough for several of the big tier's 16-piece blocks, with a
 * MemoryList whose ranges fall between its ranges, abut them on either side, or lie below
 * and above them all; listed before and after it. Every position, read, stitched read and
 * readable length must be what one sorted list of all of them gives. */
START_TEST(two_tiers_agree_with_one_sorted_list)
{
    enum { BIG = 100, SMALL = 6 };
    for (int small_first = 0; small_first < 2; small_first++) {
        struct mkd_range big[BIG], small[SMALL];
        uint64_t at = 0x100000;
        for (size_t k = 0; k < BIG; k++) {
            const uint64_t size = 0x100 + 0x10 * (k % 7);
            big[k] = (struct mkd_range)R(at, size, (uint8_t)(1 + k % 50));
            at += size + (k % 3 == 0 ? 0 : 0x200); /* every third abuts the next */
        }
        /* Below everything; abutting big[16]'s end (a block boundary) and big[17]'s start
         * is impossible when they abut, so big[17] (gap 0x200 after it): fill the gap
         * exactly; inside the gap after big[40]; abutting big[99]'s end; far above. */
        const uint64_t end17 = big[17].addr + big[17].size, end40 = big[40].addr + big[40].size;
        small[0] = (struct mkd_range)R(0x1000, 0x100, 101);
        small[1] = (struct mkd_range)R(end17, 0x200, 102);
        small[2] = (struct mkd_range)R(end40 + 0x80, 0x40, 103);
        small[3] = (struct mkd_range)R(big[BIG - 1].addr + big[BIG - 1].size, 0x80, 104);
        small[4] = (struct mkd_range)R(0x7ff000000000, 0x1000, 105);
        small[5] = (struct mkd_range)R(0x7ff000010000, 0x1000, 106);
        ck_assert_uint_eq(big[18].addr, end17 + 0x200); /* so small[1] fills the gap */
        struct mkdump *b = mkd_new(0);
        if (small_first)
            mkd_add_memory_list(b, small, SMALL, false);
        mkd_add_memory64_list(b, big, BIG);
        if (!small_first)
            mkd_add_memory_list(b, small, SMALL, false);
        dmp_file *f = open_built(b);
        ck_assert_uint_eq(dmp_range_count(f), BIG + SMALL);
        ck_assert_uint_eq(dmp_diag_count(f), 0);
        /* Expected order: merge the two sorted arrays. */
        struct mkd_range all[BIG + SMALL];
        size_t i = 0, j = 0;
        for (size_t pos = 0; pos < BIG + SMALL; pos++) {
            const bool from_small = j < SMALL && (i == BIG || small[j].addr < big[i].addr);
            const struct mkd_range *want = from_small ? &small[j] : &big[i];
            all[pos] = *want;
            const dmp_range r = range_at(f, pos);
            ck_assert_uint_eq(r.addr, want->addr);
            ck_assert_uint_eq(r.size, want->size);
            ck_assert_uint_eq(r.descriptor, from_small ? j : i);
            ck_assert_uint_eq(r.stream_type,
                              from_small ? DMP_STREAM_MEMORY_LIST : DMP_STREAM_MEMORY64_LIST);
            expect_bytes(f, want->addr, (size_t)want->size, want->tag);
            size_t found = 99999;
            ck_assert_int_eq(dmp_range_find(f, want->addr + want->size - 1, &found), DMP_OK);
            ck_assert_uint_eq(found, pos);
            ck_assert_int_eq(dmp_range_next(f, want->addr - 1, &found), DMP_OK);
            ck_assert_uint_eq(found, pos);
            from_small ? j++ : i++;
        }
        /* Readable lengths run through abutting ranges of either tier. */
        for (size_t pos = BIG + SMALL; pos-- > 0;) {
            uint64_t run_end = all[pos].addr + all[pos].size;
            for (size_t q = pos + 1; q < BIG + SMALL && all[q].addr == run_end; q++)
                run_end = all[q].addr + all[q].size;
            ck_assert_uint_eq(dmp_readable_len(f, all[pos].addr), run_end - all[pos].addr);
        }
        /* Reads stitched across the tiers: big[17] + small[1] + big[18]. */
        const uint64_t run17 = big[18].addr + big[18].size - big[17].addr;
        uint8_t buf[0x1000];
        ck_assert_uint_le(run17, sizeof buf);
        ck_assert_int_eq(dmp_read_memory(f, big[17].addr, buf, (size_t)run17, NULL), DMP_OK);
        ck_assert_uint_eq(dmp_readable_len(f, big[BIG - 1].addr), big[BIG - 1].size + 0x80);
        expect_missing(f, end40 + 0x40, 0x10, end40 + 0x40);
        expect_missing(f, end40 + 0x80 + 0x30, 0x20, end40 + 0x80 + 0x40);
        dmp_close(f);
        mkd_free(b);
    }
}
END_TEST

static Suite *memindex_suite(void)
{
    Suite *s = suite_create("memindex");
    TCase *tc = tcase_create("rules");
    tcase_add_test(tc, memory_list_reads_back);
    tcase_add_test(tc, two_tiers_agree_with_one_sorted_list);
    tcase_add_test(tc, both_lists_merge);
    tcase_add_test(tc, earlier_stream_wins);
    tcase_add_test(tc, directory_order_decides);
    tcase_add_test(tc, later_descriptor_fills_gaps_only);
    tcase_add_test(tc, rank_not_size_decides);
    tcase_add_test(tc, zero_size_ignored);
    tcase_add_test(tc, truncated_final_range);
    tcase_add_test(tc, descriptor_past_eof_dropped);
    tcase_add_test(tc, memory64_past_eof_is_one_diagnostic);
    tcase_add_test(tc, memory64_cut_inside_keeps_every_size);
    tcase_add_test(tc, memory64_offset_advances_past_dropped);
    tcase_add_test(tc, memory64_offset_overflow);
    tcase_add_test(tc, range_at_top_of_address_space);
    tcase_add_test(tc, read_wrap_and_empty);
    tcase_add_test(tc, count_larger_than_stream);
    tcase_add_test(tc, memory64_count_huge);
    tcase_add_test(tc, list_too_small_for_count);
    tcase_add_test(tc, padded_memory_list);
    tcase_add_test(tc, unpadded_list_with_slack);
    tcase_add_test(tc, memory_stream_past_eof);
    tcase_add_test(tc, memory_stream_clipped);
    tcase_add_test(tc, unsorted_disjoint_descriptors);
    tcase_add_test(tc, no_memory_streams);
    tcase_add_test(tc, aliased_lists_bounded_by_file_size);
    tcase_add_test(tc, sorted_lists_interleave);
    tcase_add_test(tc, sorted_lists_collide);
    tcase_add_test(tc, long_runs_of_adjacent_ranges);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(memindex_suite());
}
