/* test_meminfo.c - MemoryInfoListStream and HandleDataStream on built dumps: every field, the
 * entry and header sizes the file gives, clipped counts and damaged strings; the names of the
 * memory constants.
 * SPDX-License-Identifier: MIT */
#include "suite.h"

#include <string.h>

static uint32_t add_string(struct mkdump *b, const char *text)
{
    const size_t n = strlen(text);
    uint8_t *const buf = calloc(1, 4 + 2 * n + 2);
    mkd_store_u32(buf, (uint32_t)(2 * n));
    for (size_t i = 0; i < n; i++)
        buf[4 + 2 * i] = (uint8_t)text[i];
    const uint64_t rva = mkd_append(b, buf, 4 + 2 * n + 2);
    free(buf);
    return (uint32_t)rva;
}

static size_t malformed_at(const dmp_file *f, uint32_t stream, uint64_t offset)
{
    size_t n = 0;
    for (size_t i = 0; i < dmp_diag_count(f); i++) {
        dmp_diag d;
        ck_assert_int_eq(dmp_diag_get(f, i, &d), DMP_OK);
        n += d.kind == DMP_DIAG_MALFORMED && d.stream_index == stream && d.offset == offset;
    }
    return n;
}

/* ---- MemoryInfoList -------------------------------------------------------------------- */

/* A MINIDUMP_MEMORY_INFO_LIST of `n` entries, each `entry` bytes after a `header`-byte
 * header, with NumberOfEntries `claimed`; `len` bytes of it become the stream. */
static uint32_t add_meminfo(struct mkdump *b, uint32_t header, uint32_t entry, uint64_t claimed,
                            size_t n, size_t len)
{
    const size_t full = header + n * entry;
    uint8_t *const buf = calloc(1, full > len ? full : len);
    mkd_store_u32(buf, header);
    mkd_store_u32(buf + 4, entry);
    mkd_store_u64(buf + 8, claimed);
    for (size_t k = 0; k < n; k++) {
        uint8_t *const p = buf + header + k * entry;
        mkd_store_u64(p, 0x10000 * (k + 1));
        mkd_store_u64(p + 8, 0x10000 * (k + 1) - 0x1000);
        mkd_store_u32(p + 16, 0x40);
        mkd_store_u32(p + 20, 0xdeadbeef); /* __alignment1 */
        mkd_store_u64(p + 24, 0x1000 * (k + 1));
        mkd_store_u32(p + 32, 0x1000);
        mkd_store_u32(p + 36, 0x104);
        mkd_store_u32(p + 40, 0x1000000);
        mkd_store_u32(p + 44, 0xfeedface); /* __alignment2 */
        if (entry > 48)
            memset(p + 48, 0xee, entry - 48);
    }
    const uint32_t s = mkd_add_stream_data(b, DMP_STREAM_MEMORY_INFO_LIST, buf, len);
    free(buf);
    return s;
}

static void expect_entry(const dmp_file *f, size_t k)
{
    dmp_memory_info mi;
    memset(&mi, 0, sizeof mi);
    ck_assert_int_eq(dmp_memory_info_get(f, k, &mi), DMP_OK);
    ck_assert_uint_eq(mi.base, 0x10000 * (k + 1));
    ck_assert_uint_eq(mi.allocation_base, 0x10000 * (k + 1) - 0x1000);
    ck_assert_uint_eq(mi.allocation_protect, 0x40);
    ck_assert_uint_eq(mi.region_size, 0x1000 * (k + 1));
    ck_assert_uint_eq(mi.state, 0x1000);
    ck_assert_uint_eq(mi.protect, 0x104);
    ck_assert_uint_eq(mi.type, 0x1000000);
}

START_TEST(meminfo_every_field)
{
    struct mkdump *b = mkd_new(0);
    add_meminfo(b, 16, 48, 3, 3, 16 + 3 * 48);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_memory_info_count(f), 3);
    for (size_t k = 0; k < 3; k++)
        expect_entry(f, k);
    dmp_memory_info mi;
    memset(&mi, 0x5a, sizeof mi);
    ck_assert_int_eq(dmp_memory_info_get(f, 3, &mi), DMP_E_NOT_FOUND);
    ck_assert_uint_eq(mi.base, 0x5a5a5a5a5a5a5a5au);
    ck_assert_int_eq(dmp_memory_info_get(f, 0, NULL), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_memory_info_get(NULL, 0, &mi), DMP_E_INVALID_ARG);
    ck_assert_uint_eq(dmp_memory_info_count(NULL), 0);
    ck_assert_uint_eq(dmp_diag_count(f), 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Longer entries and headers (a future writer) parse at the stride the file gives. */
START_TEST(meminfo_longer_entries_and_header)
{
    struct mkdump *b = mkd_new(0);
    add_meminfo(b, 24, 64, 4, 4, 24 + 4 * 64);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_memory_info_count(f), 4);
    for (size_t k = 0; k < 4; k++)
        expect_entry(f, k);
    ck_assert_uint_eq(dmp_diag_count(f), 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Headers that cannot be used: the list is empty and the stream reported. */
START_TEST(meminfo_unusable_headers)
{
    static const struct {
        uint32_t header, entry;
        size_t len;
    } cases[] = {
        {16, 47, 16 + 2 * 48},  /* entries shorter than MINIDUMP_MEMORY_INFO */
        {16, 0, 16 + 2 * 48},   /* entry size 0 */
        {8, 48, 16 + 2 * 48},   /* SizeOfHeader below the header */
        {500, 48, 16 + 2 * 48}, /* SizeOfHeader past the stream */
        {16, 48, 15},           /* stream shorter than the header */
        {16, 48, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct mkdump *b = mkd_new(0);
        const uint32_t s = add_meminfo(b, cases[i].header, cases[i].entry, 2, 2, cases[i].len);
        dmp_file *f = open_built(b);
        ck_assert_msg(dmp_memory_info_count(f) == 0, "case %zu", i);
        ck_assert_msg(malformed_at(f, s, mkd_stream_rva(b, s)) == 1, "case %zu", i);
        dmp_close(f);
        mkd_free(b);
    }
}
END_TEST

/* A count past the stream keeps the entries that fit wholly; a partial one is dropped. */
START_TEST(meminfo_count_clipped)
{
    const uint64_t claims[] = {10, UINT32_MAX, (uint64_t)1 << 62, UINT64_MAX};
    for (size_t i = 0; i < sizeof claims / sizeof claims[0]; i++) {
        struct mkdump *b = mkd_new(0);
        const uint32_t s = add_meminfo(b, 16, 48, claims[i], 3, 16 + 2 * 48 + 47);
        dmp_file *f = open_built(b);
        ck_assert_uint_eq(dmp_memory_info_count(f), 2);
        expect_entry(f, 1);
        ck_assert_uint_eq(malformed_at(f, s, mkd_stream_rva(b, s)), 1);
        dmp_close(f);
        mkd_free(b);
    }
}
END_TEST

/* A stream cut by the end of the file: the entries inside it are used. */
START_TEST(meminfo_clipped_at_eof)
{
    struct mkdump *b = mkd_new(0);
    const uint32_t s = add_meminfo(b, 16, 48, 3, 3, 16 + 3 * 48);
    size_t len;
    mkd_finish(b, &len);
    dmp_file *f = open_prefix(b, len - 20);
    ck_assert_uint_eq(dmp_memory_info_count(f), 2);
    expect_entry(f, 1);
    ck_assert_uint_eq(malformed_at(f, s, mkd_stream_rva(b, s)), 1);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(meminfo_duplicates)
{
    struct mkdump *b = mkd_new(0);
    const uint32_t bad = add_meminfo(b, 16, 40, 1, 1, 16 + 48);
    add_meminfo(b, 16, 48, 2, 2, 16 + 2 * 48);
    const uint32_t late = add_meminfo(b, 16, 48, 1, 1, 16 + 48);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_memory_info_count(f), 2);
    ck_assert_uint_eq(malformed_at(f, bad, mkd_stream_rva(b, bad)), 1);
    ck_assert_uint_eq(malformed_at(f, late, mkd_stream_rva(b, late)), 1);
    ck_assert_uint_eq(dmp_diag_count(f), 2);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(memory_constant_names)
{
    ck_assert_str_eq(dmp_mem_state_name(0x1000), "MEM_COMMIT");
    ck_assert_str_eq(dmp_mem_state_name(0x2000), "MEM_RESERVE");
    ck_assert_str_eq(dmp_mem_state_name(0x10000), "MEM_FREE");
    ck_assert_ptr_null(dmp_mem_state_name(0x3000));
    ck_assert_str_eq(dmp_mem_type_name(0x20000), "MEM_PRIVATE");
    ck_assert_str_eq(dmp_mem_type_name(0x40000), "MEM_MAPPED");
    ck_assert_str_eq(dmp_mem_type_name(0x1000000), "MEM_IMAGE");
    ck_assert_ptr_null(dmp_mem_type_name(0));
}
END_TEST

START_TEST(protect_format)
{
    static const struct {
        uint32_t protect;
        const char *text;
    } cases[] = {
        {0, "0"},
        {0x01, "PAGE_NOACCESS"},
        {0x02, "PAGE_READONLY"},
        {0x04, "PAGE_READWRITE"},
        {0x08, "PAGE_WRITECOPY"},
        {0x10, "PAGE_EXECUTE"},
        {0x20, "PAGE_EXECUTE_READ"},
        {0x40, "PAGE_EXECUTE_READWRITE"},
        {0x80, "PAGE_EXECUTE_WRITECOPY"},
        {0x104, "PAGE_READWRITE|PAGE_GUARD"},
        {0x220, "PAGE_EXECUTE_READ|PAGE_NOCACHE"},
        {0x404, "PAGE_READWRITE|PAGE_WRITECOMBINE"},
        {0x40000020, "PAGE_EXECUTE_READ|0x40000000"},
        {0x06, "PAGE_READONLY|PAGE_READWRITE"}, /* not one value: each bit named */
        {0xfffff800, "0xfffff800"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[128];
        const size_t n = dmp_mem_protect_format(cases[i].protect, buf, sizeof buf);
        ck_assert_str_eq(buf, cases[i].text);
        ck_assert_uint_eq(n, strlen(cases[i].text));
    }
    /* snprintf-style: the length needed, the buffer cut and terminated. */
    char small[8];
    ck_assert_uint_eq(dmp_mem_protect_format(0x104, small, sizeof small), 25);
    ck_assert_str_eq(small, "PAGE_RE");
    ck_assert_uint_eq(dmp_mem_protect_format(0x104, NULL, 0), 25);
    ck_assert_uint_eq(dmp_mem_protect_format(0, NULL, 0), 1);
}
END_TEST

/* ---- HandleData ------------------------------------------------------------------------ */

struct handle_spec {
    uint32_t type_rva, name_rva, info_rva;
};

/* A MINIDUMP_HANDLE_DATA_STREAM of `n` descriptors of `entry` bytes, count `claimed`. */
static uint32_t add_handles(struct mkdump *b, uint32_t header, uint32_t entry, uint32_t claimed,
                            const struct handle_spec *h, size_t n, size_t len)
{
    const size_t full = header + n * entry;
    uint8_t *const buf = calloc(1, full > len ? full : len);
    mkd_store_u32(buf, header);
    mkd_store_u32(buf + 4, entry);
    mkd_store_u32(buf + 8, claimed);
    mkd_store_u32(buf + 12, 0xabcdef); /* Reserved */
    for (size_t k = 0; k < n; k++) {
        uint8_t *const p = buf + header + k * entry;
        mkd_store_u64(p, 4 * (k + 1));
        mkd_store_u32(p + 8, h[k].type_rva);
        mkd_store_u32(p + 12, h[k].name_rva);
        mkd_store_u32(p + 16, 2);
        mkd_store_u32(p + 20, 0x1f0003);
        mkd_store_u32(p + 24, 10 + (uint32_t)k);
        mkd_store_u32(p + 28, 20 + (uint32_t)k);
        if (entry >= 40)
            mkd_store_u32(p + 32, h[k].info_rva);
    }
    const uint32_t s = mkd_add_stream_data(b, DMP_STREAM_HANDLE_DATA, buf, len);
    free(buf);
    return s;
}

static dmp_handle handle_at(const dmp_file *f, size_t i)
{
    dmp_handle h;
    ck_assert_int_eq(dmp_handle_get(f, i, &h), DMP_OK);
    return h;
}

START_TEST(handles_every_field)
{
    for (uint32_t entry = 32; entry <= 48; entry += 8) {
        struct mkdump *b = mkd_new(0);
        const uint32_t event = add_string(b, "Event");
        const uint32_t file = add_string(b, "File");
        const uint32_t path = add_string(b, "\\Device\\HarddiskVolume3\\x.log");
        const struct handle_spec h[] = {{event, 0, 0x1234}, {file, path, 0}, {0, 0, 0}};
        add_handles(b, 16, entry, 3, h, 3, 16 + 3 * entry);
        dmp_file *f = open_built(b);
        ck_assert_uint_eq(dmp_handle_count(f), 3);
        const dmp_handle h0 = handle_at(f, 0), h1 = handle_at(f, 1), h2 = handle_at(f, 2);
        ck_assert_uint_eq(h0.handle, 4);
        ck_assert_str_eq(h0.type_name, "Event");
        ck_assert_str_eq(h0.object_name, ""); /* RVA 0: none */
        ck_assert_uint_eq(h0.attributes, 2);
        ck_assert_uint_eq(h0.granted_access, 0x1f0003);
        ck_assert_uint_eq(h0.handle_count, 10);
        ck_assert_uint_eq(h0.pointer_count, 20);
        ck_assert_uint_eq(h0.object_info_rva, entry >= 40 ? 0x1234 : 0);
        ck_assert_uint_eq(h1.handle, 8);
        ck_assert_str_eq(h1.type_name, "File");
        ck_assert_str_eq(h1.object_name, "\\Device\\HarddiskVolume3\\x.log");
        ck_assert_uint_eq(h1.pointer_count, 21);
        ck_assert_str_eq(h2.type_name, "");
        ck_assert_uint_eq(dmp_diag_count(f), 0);
        dmp_handle out;
        ck_assert_int_eq(dmp_handle_get(f, 3, &out), DMP_E_NOT_FOUND);
        ck_assert_int_eq(dmp_handle_get(f, 0, NULL), DMP_E_INVALID_ARG);
        dmp_close(f);
        mkd_free(b);
    }
}
END_TEST

/* Names past the file are "", names running past it are cut; the handle stays. */
START_TEST(handles_damaged_strings)
{
    struct mkdump *b = mkd_new(0);
    const struct handle_spec h[] = {{0x7ffffff0, 0, 0}, {0, 0, 0}};
    const uint32_t s = add_handles(b, 16, 32, 2, h, 2, 16 + 2 * 32);
    const uint8_t str[] = {0x40, 0, 0, 0, 'K', 0, 'e', 0, 'y', 0};
    const uint32_t cut = (uint32_t)mkd_append(b, str, sizeof str);
    mkd_poke_u32(b, mkd_stream_rva(b, s) + 16 + 32 + 12, cut);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_handle_count(f), 2);
    ck_assert_str_eq(handle_at(f, 0).type_name, "");
    ck_assert_str_eq(handle_at(f, 1).object_name, "Key");
    ck_assert_uint_eq(malformed_at(f, s, 0x7ffffff0), 1);
    ck_assert_uint_eq(malformed_at(f, s, cut), 1);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(handles_unusable_headers)
{
    static const struct {
        uint32_t header, entry;
        size_t len;
    } cases[] = {
        {16, 24, 16 + 64},  /* descriptors shorter than MINIDUMP_HANDLE_DESCRIPTOR */
        {12, 32, 16 + 64},  /* SizeOfHeader below the header */
        {100, 32, 16 + 64}, /* SizeOfHeader past the stream */
        {16, 32, 12},       /* stream shorter than the header */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct mkdump *b = mkd_new(0);
        const struct handle_spec h[2] = {{0, 0, 0}, {0, 0, 0}};
        const uint32_t s = add_handles(b, cases[i].header, cases[i].entry, 2, h, 2, cases[i].len);
        dmp_file *f = open_built(b);
        ck_assert_msg(dmp_handle_count(f) == 0, "case %zu", i);
        ck_assert_msg(malformed_at(f, s, mkd_stream_rva(b, s)) == 1, "case %zu", i);
        dmp_close(f);
        mkd_free(b);
    }
}
END_TEST

START_TEST(handles_count_clipped)
{
    struct mkdump *b = mkd_new(0);
    const struct handle_spec h[3] = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
    const uint32_t s = add_handles(b, 16, 32, UINT32_MAX, h, 3, 16 + 2 * 32 + 31);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_handle_count(f), 2);
    ck_assert_uint_eq(handle_at(f, 1).handle, 8);
    ck_assert_uint_eq(malformed_at(f, s, mkd_stream_rva(b, s)), 1);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Thousands of descriptors naming one large string: decoding stops at the dump-wide string
 * budget (twice the file's size plus 64 KiB) instead of copying it thousands of times; the
 * first string refused in the stream is reported. */
START_TEST(handles_string_budget)
{
    struct mkdump *b = mkd_new(0);
    const size_t chars = 32768;
    uint8_t *big = calloc(1, 4 + 2 * chars);
    mkd_store_u32(big, (uint32_t)(2 * chars));
    for (size_t i = 0; i < chars; i++)
        big[4 + 2 * i] = 'x';
    const uint32_t rva = (uint32_t)mkd_append(b, big, 4 + 2 * chars);
    free(big);
    enum { N = 2000 };
    struct handle_spec *h = calloc(N, sizeof *h);
    for (size_t k = 0; k < N; k++)
        h[k].type_rva = rva;
    const uint32_t s = add_handles(b, 16, 32, N, h, N, 16 + N * 32);
    free(h);
    size_t len;
    mkd_finish(b, &len);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_handle_count(f), N);
    size_t full = 0;
    for (size_t k = 0; k < N; k++)
        full += strlen(handle_at(f, k).type_name) == chars;
    const size_t fit = (2 * len + 65536) / (2 * chars);
    ck_assert_uint_eq(full, fit);
    ck_assert_uint_eq(malformed_at(f, s, rva), 1);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("meminfo");
    TCase *tc = tcase_create("memory-info");
    tcase_add_test(tc, meminfo_every_field);
    tcase_add_test(tc, meminfo_longer_entries_and_header);
    tcase_add_test(tc, meminfo_unusable_headers);
    tcase_add_test(tc, meminfo_count_clipped);
    tcase_add_test(tc, meminfo_clipped_at_eof);
    tcase_add_test(tc, meminfo_duplicates);
    tcase_add_test(tc, memory_constant_names);
    tcase_add_test(tc, protect_format);
    suite_add_tcase(s, tc);
    tc = tcase_create("handles");
    tcase_add_test(tc, handles_every_field);
    tcase_add_test(tc, handles_damaged_strings);
    tcase_add_test(tc, handles_unusable_headers);
    tcase_add_test(tc, handles_count_clipped);
    tcase_add_test(tc, handles_string_budget);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
