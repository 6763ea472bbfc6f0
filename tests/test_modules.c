/* test_modules.c - ModuleListStream and UnloadedModuleListStream, field by field, broken one
 * field at a time, the address lookup against a brute-force oracle, and the shared dumps.
 * SPDX-License-Identifier: MIT */
#include "manifest.h"
#include "suite.h"

#include <stdio.h>
#include <string.h>

#define MODULE_SIZE 108

struct mod_spec {
    uint64_t base;
    uint32_t size;
    uint32_t checksum;
    uint32_t timestamp;
    uint32_t name_rva;
    uint32_t vs[13]; /* VS_FIXEDFILEINFO */
    uint32_t cv_size, cv_rva;
    uint32_t misc_size, misc_rva;
};

static void store_module(uint8_t *p, const struct mod_spec *m)
{
    memset(p, 0, MODULE_SIZE);
    mkd_store_u64(p, m->base);
    mkd_store_u32(p + 8, m->size);
    mkd_store_u32(p + 12, m->checksum);
    mkd_store_u32(p + 16, m->timestamp);
    mkd_store_u32(p + 20, m->name_rva);
    for (int i = 0; i < 13; i++)
        mkd_store_u32(p + 24 + 4 * i, m->vs[i]);
    mkd_store_u32(p + 76, m->cv_size);
    mkd_store_u32(p + 80, m->cv_rva);
    mkd_store_u32(p + 84, m->misc_size);
    mkd_store_u32(p + 88, m->misc_rva);
    mkd_store_u64(p + 92, 0x1111111111111111u); /* Reserved0/1: never read */
    mkd_store_u64(p + 100, 0x2222222222222222u);
}

/* A MINIDUMP_LIST of n modules (count padded to 8 when `padded`); returns its stream. */
static uint32_t add_module_list(struct mkdump *b, const struct mod_spec *m, size_t n, bool padded)
{
    const size_t head = padded ? 8 : 4;
    uint8_t *buf = calloc(1, head + n * MODULE_SIZE);
    mkd_store_u32(buf, (uint32_t)n);
    for (size_t i = 0; i < n; i++)
        store_module(buf + head + i * MODULE_SIZE, &m[i]);
    const uint32_t s = mkd_add_stream_data(b, DMP_STREAM_MODULE_LIST, buf, head + n * MODULE_SIZE);
    free(buf);
    return s;
}

/* A MINIDUMP_STRING of `n` UTF-16 units whose Length field says `len_bytes`. */
static uint32_t add_units(struct mkdump *b, const uint16_t *units, size_t n, uint32_t len_bytes)
{
    uint8_t *buf = calloc(1, 4 + 2 * n + 2);
    mkd_store_u32(buf, len_bytes);
    for (size_t i = 0; i < n; i++)
        mkd_store_u16(buf + 4 + 2 * i, units[i]);
    const uint64_t rva = mkd_append(b, buf, 4 + 2 * n + 2); /* with the NUL writers add */
    free(buf);
    return (uint32_t)rva;
}

static uint32_t add_name(struct mkdump *b, const char *ascii)
{
    uint16_t units[256] = {0};
    const size_t n = strlen(ascii);
    for (size_t i = 0; i < n; i++)
        units[i] = (uint8_t)ascii[i];
    return add_units(b, units, n, (uint32_t)(2 * n));
}

/* A CodeView record: the 4-byte signature as in the file, then `body`. */
static uint32_t add_cv(struct mkdump *b, const char sig[4], const void *body, size_t len)
{
    uint8_t buf[256];
    memcpy(buf, sig, 4);
    memcpy(buf + 4, body, len);
    return (uint32_t)mkd_append(b, buf, 4 + len);
}

static dmp_module module_at(const dmp_file *f, size_t i)
{
    dmp_module m;
    ck_assert_int_eq(dmp_module_get(f, i, &m), DMP_OK);
    return m;
}

/* The i-th DMP_DIAG_MALFORMED diagnostic. */
static dmp_diag malformed_at(const dmp_file *f, size_t i)
{
    for (size_t j = 0, n = 0; j < dmp_diag_count(f); j++) {
        dmp_diag d;
        ck_assert_int_eq(dmp_diag_get(f, j, &d), DMP_OK);
        if (d.kind == DMP_DIAG_MALFORMED && n++ == i)
            return d;
    }
    ck_abort_msg("no malformed diagnostic %zu", i);
    return (dmp_diag){0};
}

static void expect_diag(const dmp_file *f, size_t i, uint32_t stream, uint64_t offset,
                        const char *phrase)
{
    const dmp_diag d = malformed_at(f, i);
    ck_assert_uint_eq(d.stream_index, stream);
    ck_assert_uint_eq(d.offset, offset);
    ck_assert_ptr_nonnull(d.detail);
    ck_assert_msg(strstr(d.detail, phrase) != NULL, "detail '%s' lacks '%s'", d.detail, phrase);
}

static const uint8_t guid_bytes[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

START_TEST(module_fields_decoded)
{
    struct mkdump *b = mkd_new(0);
    uint8_t rsds[64];
    memcpy(rsds, guid_bytes, 16);
    mkd_store_u32(rsds + 16, 0x2a);
    memcpy(rsds + 20, "C:\\build\\app.pdb", 17);
    const uint8_t misc[] = {1,   0,   0,   0,   24,  0,   0,   0, 0, 0, 0, 0,
                            'a', 'p', 'p', '.', 'd', 'b', 'g', 0, 0, 0, 0, 0};
    struct mod_spec m = {
        .base = 0x7ff600000000u,
        .size = 0x2d000,
        .checksum = 0xc0ffee,
        .timestamp = 0x5f3e1a2b,
        .name_rva = add_name(b, "C:\\app.exe"),
        .vs = {0xfeef04bd, 0x10000, 0x00020001, 0x00040003, 0x00060005, 0x00080007, 0x3f, 0x2,
               0x40004, 0x1, 0, 0, 0},
        .cv_size = 4 + 20 + 17,
        .cv_rva = add_cv(b, "RSDS", rsds, 20 + 17),
        .misc_size = sizeof misc,
        .misc_rva = (uint32_t)mkd_append(b, misc, sizeof misc),
    };
    add_module_list(b, &m, 1, false);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_module_count(f), 1);
    const dmp_module d = module_at(f, 0);
    ck_assert_uint_eq(d.base, 0x7ff600000000u);
    ck_assert_uint_eq(d.size, 0x2d000);
    ck_assert_uint_eq(d.checksum, 0xc0ffee);
    ck_assert_uint_eq(d.timestamp, 0x5f3e1a2b);
    ck_assert_str_eq(d.name, "C:\\app.exe");
    ck_assert_int_eq(d.has_version, 1);
    ck_assert_uint_eq(d.file_version[0], 2);
    ck_assert_uint_eq(d.file_version[1], 1);
    ck_assert_uint_eq(d.file_version[2], 4);
    ck_assert_uint_eq(d.file_version[3], 3);
    ck_assert_uint_eq(d.product_version[0], 6);
    ck_assert_uint_eq(d.product_version[3], 7);
    ck_assert_uint_eq(d.file_flags, 0x2);
    ck_assert_uint_eq(d.file_os, 0x40004);
    ck_assert_uint_eq(d.file_type, 0x1);
    ck_assert_uint_eq(d.cv_signature, DMP_CV_PDB70);
    ck_assert_mem_eq(d.pdb_guid, guid_bytes, 16);
    ck_assert_uint_eq(d.pdb_age, 0x2a);
    ck_assert_str_eq(d.pdb_name, "C:\\build\\app.pdb");
    ck_assert_ptr_null(d.build_id);
    /* Data1 04030201, Data2 0605, Data3 0807 (little-endian), Data4 as bytes, age 2A. */
    ck_assert_str_eq(d.debug_id, "0403020106050807090A0B0C0D0E0F102a");
    /* TimeDateStamp upper-case, 8 digits; SizeOfImage lower-case. */
    ck_assert_str_eq(d.code_id, "5F3E1A2B2d000");
    ck_assert_uint_eq(d.cv_size, 41);
    ck_assert_mem_eq(d.cv_record, "RSDS", 4);
    ck_assert_uint_eq(d.misc_size, sizeof misc);
    ck_assert_mem_eq(d.misc_record, misc, sizeof misc);
    ck_assert_uint_eq(dmp_diag_count(f), 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* A count padded to 8 bytes (DataSize == 8 + 108 * count) and one that is not. */
START_TEST(padded_and_unpadded_counts)
{
    for (int padded = 0; padded <= 1; padded++) {
        struct mkdump *b = mkd_new(0);
        struct mod_spec m[2] = {{.base = 0x1000, .size = 0x2000, .name_rva = add_name(b, "a")},
                                {.base = 0x5000, .size = 0x3000, .name_rva = add_name(b, "b")}};
        add_module_list(b, m, 2, padded);
        dmp_file *f = open_built(b);
        ck_assert_uint_eq(dmp_module_count(f), 2);
        ck_assert_str_eq(module_at(f, 0).name, "a");
        ck_assert_uint_eq(module_at(f, 1).base, 0x5000);
        ck_assert_uint_eq(module_at(f, 1).size, 0x3000);
        ck_assert_int_eq(module_at(f, 1).has_version, 0);
        ck_assert_uint_eq(module_at(f, 1).cv_signature, 0);
        ck_assert_str_eq(module_at(f, 1).debug_id, "");
        ck_assert_str_eq(module_at(f, 1).pdb_name, "");
        ck_assert_str_eq(module_at(f, 1).code_id, "000000003000");
        ck_assert_uint_eq(dmp_diag_count(f), 0);
        dmp_close(f);
        mkd_free(b);
    }
}
END_TEST

START_TEST(name_non_bmp_and_unpaired_surrogates)
{
    struct mkdump *b = mkd_new(0);
    /* U+1F600 as a pair, a lone high surrogate before 'A', a lone low one, U+00E9. */
    const uint16_t units[] = {0xd83d, 0xde00, 0xd800, 'A', 0xdc00, 0x00e9};
    struct mod_spec m = {.base = 0x1000, .size = 1, .name_rva = add_units(b, units, 6, 12)};
    add_module_list(b, &m, 1, false);
    dmp_file *f = open_built(b);
    ck_assert_str_eq(module_at(f, 0).name, "\xf0\x9f\x98\x80\xef\xbf\xbd"
                                           "A\xef\xbf\xbd\xc3\xa9");
    ck_assert_uint_eq(dmp_diag_count(f), 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(name_odd_length_cut)
{
    struct mkdump *b = mkd_new(0);
    const uint16_t units[] = {'a', 'b', 'c'};
    const uint32_t rva = add_units(b, units, 3, 5);
    struct mod_spec m = {.base = 0x1000, .size = 1, .name_rva = rva};
    const uint32_t s = add_module_list(b, &m, 1, false);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_module_count(f), 1);
    ck_assert_str_eq(module_at(f, 0).name, "ab");
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_MALFORMED, NULL), 1);
    expect_diag(f, 0, s, rva, "odd");
    ck_assert_uint_eq(malformed_at(f, 0).stream_type, DMP_STREAM_MODULE_LIST);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* One name starts past EOF, another's length runs past it: "" and a cut name, each reported;
 * both modules are kept. */
START_TEST(names_past_eof)
{
    struct mkdump *b = mkd_new(0);
    struct mod_spec m[2] = {{.base = 0x1000, .size = 1, .name_rva = 0x7fffffff},
                            {.base = 0x2000, .size = 1}};
    const uint32_t s = add_module_list(b, m, 2, false);
    const uint16_t units[] = {'x', 'y'};
    const uint32_t rva = add_units(b, units, 2, 400); /* last in the file */
    size_t len;
    mkd_finish(b, &len);
    mkd_poke_u32(b, mkd_stream_rva(b, s) + 4 + MODULE_SIZE + 20, rva);
    dmp_file *f = open_prefix(b, len);
    ck_assert_uint_eq(dmp_module_count(f), 2);
    ck_assert_str_eq(module_at(f, 0).name, "");
    ck_assert_str_eq(module_at(f, 1).name, "xy"); /* and the NUL after them */
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_MALFORMED, NULL), 2);
    expect_diag(f, 0, s, 0x7fffffff, "past the end");
    expect_diag(f, 1, s, rva, "past the end");
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(codeview_pdb20)
{
    struct mkdump *b = mkd_new(0);
    uint8_t nb10[32];
    mkd_store_u32(nb10, 0);              /* offset */
    mkd_store_u32(nb10 + 4, 0x3a2b1c0d); /* signature */
    mkd_store_u32(nb10 + 8, 0xb);        /* age */
    memcpy(nb10 + 12, "caf\xe9.pdb", 9); /* Latin-1, not UTF-8 */
    struct mod_spec m = {.base = 0x400000,
                         .size = 0x1000,
                         .timestamp = 0x1234,
                         .cv_size = 25,
                         .cv_rva = add_cv(b, "NB10", nb10, 21)};
    m.name_rva = add_name(b, "old.exe");
    add_module_list(b, &m, 1, false);
    dmp_file *f = open_built(b);
    const dmp_module d = module_at(f, 0);
    ck_assert_uint_eq(d.cv_signature, DMP_CV_PDB20);
    ck_assert_uint_eq(d.pdb_signature, 0x3a2b1c0d);
    ck_assert_uint_eq(d.pdb_age, 0xb);
    ck_assert_str_eq(d.pdb_name, "caf\xef\xbf\xbd.pdb");
    ck_assert_str_eq(d.debug_id, "3A2B1C0DB");
    ck_assert_str_eq(d.code_id, "000012341000");
    ck_assert_uint_eq(dmp_diag_count(f), 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Breakpad's ELF record, as written ("LEpB" in the file: MD_CVINFOELF_SIGNATURE) with a
 * 20-byte build id, and byte-swapped ("BpEL") with an 8-byte one, zero-padded to a GUID. */
START_TEST(codeview_elf_build_ids)
{
    struct mkdump *b = mkd_new(0);
    uint8_t id20[20], id8[8] = {0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07, 0x18};
    for (int i = 0; i < 20; i++)
        id20[i] = (uint8_t)(i + 1);
    struct mod_spec m[2] = {
        {.base = 0x1000, .size = 0x1000, .cv_size = 24, .cv_rva = add_cv(b, "LEpB", id20, 20)},
        {.base = 0x2000, .size = 0x1000, .cv_size = 12, .cv_rva = add_cv(b, "BpEL", id8, 8)},
    };
    m[0].name_rva = m[1].name_rva = add_name(b, "/lib/libc.so.6");
    add_module_list(b, m, 2, false);
    dmp_file *f = open_built(b);
    dmp_module d = module_at(f, 0);
    ck_assert_uint_eq(d.cv_signature, 0x4270454c);
    ck_assert_uint_eq(d.build_id_len, 20);
    ck_assert_mem_eq(d.build_id, id20, 20);
    ck_assert_str_eq(d.debug_id, "0403020106050807090A0B0C0D0E0F100");
    ck_assert_str_eq(d.code_id, "0102030405060708090a0b0c0d0e0f1011121314");
    ck_assert_str_eq(d.pdb_name, "");
    d = module_at(f, 1);
    ck_assert_uint_eq(d.cv_signature, 0x4c457042);
    ck_assert_uint_eq(d.build_id_len, 8);
    ck_assert_str_eq(d.debug_id, "D4C3B2A1F6E5180700000000000000000");
    ck_assert_str_eq(d.code_id, "a1b2c3d4e5f60718");
    ck_assert_uint_eq(dmp_diag_count(f), 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Records too short for what their signature promises keep the raw record and signature but
 * give no ids; an unknown kind is served raw without complaint. */
START_TEST(codeview_too_short)
{
    struct mkdump *b = mkd_new(0);
    const uint8_t zeros[32] = {0};
    const uint32_t rsds = add_cv(b, "RSDS", zeros, 16);     /* 20 < 24 */
    const uint32_t nb10 = add_cv(b, "NB10", zeros, 8);      /* 12 < 16 */
    const uint32_t tiny = (uint32_t)mkd_append(b, "RS", 2); /* no room for a signature */
    const uint32_t elf = add_cv(b, "LEpB", zeros, 0);       /* an empty build id */
    const uint32_t nb09 = add_cv(b, "NB09", zeros, 8);
    struct mod_spec m[5] = {
        {.base = 0x1000, .size = 1, .cv_size = 20, .cv_rva = rsds},
        {.base = 0x2000, .size = 1, .cv_size = 12, .cv_rva = nb10},
        {.base = 0x3000, .size = 1, .cv_size = 2, .cv_rva = tiny},
        {.base = 0x4000, .size = 1, .cv_size = 4, .cv_rva = elf},
        {.base = 0x5000, .size = 1, .cv_size = 12, .cv_rva = nb09},
    };
    const uint32_t name = add_name(b, "m");
    for (int i = 0; i < 5; i++)
        m[i].name_rva = name;
    const uint32_t s = add_module_list(b, m, 5, false);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_module_count(f), 5);
    for (size_t i = 0; i < 5; i++) {
        const dmp_module d = module_at(f, i);
        ck_assert_ptr_nonnull(d.cv_record);
        ck_assert_str_eq(d.debug_id, "");
        ck_assert_str_eq(d.pdb_name, "");
        ck_assert_ptr_null(d.build_id);
    }
    ck_assert_uint_eq(module_at(f, 0).cv_signature, DMP_CV_PDB70);
    ck_assert_uint_eq(module_at(f, 1).cv_signature, DMP_CV_PDB20);
    ck_assert_uint_eq(module_at(f, 2).cv_signature, 0);
    ck_assert_uint_eq(module_at(f, 3).cv_signature, DMP_CV_ELF);
    ck_assert_str_eq(module_at(f, 3).code_id, ""); /* an ELF module has no PE code id */
    ck_assert_uint_eq(module_at(f, 4).cv_signature, 0x3930424e);
    ck_assert_str_eq(module_at(f, 4).code_id, "000000001");
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_MALFORMED, NULL), 3);
    expect_diag(f, 0, s, rsds, "too short");
    expect_diag(f, 1, s, nb10, "too short");
    expect_diag(f, 2, s, tiny, "too short");
    ck_assert_uint_eq(malformed_at(f, 1).descriptor, 1);
    ck_assert_uint_eq(malformed_at(f, 2).descriptor, 2);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* CodeView and misc records outside the file cost those fields only; the diagnostic names
 * the module entry. */
START_TEST(records_outside_file)
{
    struct mkdump *b = mkd_new(0);
    struct mod_spec m[2] = {
        {.base = 0x1000, .size = 1, .cv_size = 40, .cv_rva = 0x7ffffff0},
        {.base = 0x2000, .size = 1, .misc_size = 0xffffffff, .misc_rva = 64},
    };
    m[0].name_rva = m[1].name_rva = add_name(b, "m");
    const uint32_t s = add_module_list(b, m, 2, false);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_module_count(f), 2);
    ck_assert_ptr_null(module_at(f, 0).cv_record);
    ck_assert_uint_eq(module_at(f, 0).cv_signature, 0);
    ck_assert_ptr_null(module_at(f, 1).misc_record);
    ck_assert_uint_eq(module_at(f, 1).misc_size, 0);
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_MALFORMED, NULL), 2);
    const uint64_t list = mkd_stream_rva(b, s);
    expect_diag(f, 0, s, list + 4, "CodeView record lies outside");
    expect_diag(f, 1, s, list + 4 + MODULE_SIZE, "misc debug record lies outside");
    ck_assert_uint_eq(malformed_at(f, 1).descriptor, 1);
    ck_assert_uint_eq(malformed_at(f, 1).count, 1);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* A count claiming more than the stream holds: the entries that fit are served. A stream too
 * small for its count gives nothing. Both reported at the stream's offset. */
START_TEST(count_past_stream)
{
    struct mkdump *b = mkd_new(0);
    struct mod_spec m[2] = {{.base = 0x1000, .size = 1}, {.base = 0x2000, .size = 1}};
    m[0].name_rva = m[1].name_rva = add_name(b, "m");
    const uint32_t s = add_module_list(b, m, 2, false);
    size_t len;
    mkd_finish(b, &len);
    mkd_poke_u32(b, mkd_stream_rva(b, s), 1000);
    dmp_file *f = open_prefix(b, len);
    ck_assert_uint_eq(dmp_module_count(f), 2);
    ck_assert_uint_eq(module_at(f, 1).base, 0x2000);
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_MALFORMED, NULL), 1);
    expect_diag(f, 0, s, mkd_stream_rva(b, s), "count claims more");
    dmp_close(f);
    /* The directory now says the stream is 3 bytes long. */
    mkd_poke_u32(b, mkd_dir_entry_offset(s) + 4, 3);
    f = open_prefix(b, len);
    ck_assert_uint_eq(dmp_module_count(f), 0);
    expect_diag(f, 0, s, mkd_stream_rva(b, s), "too small");
    size_t idx;
    ck_assert_int_eq(dmp_module_find(f, 0x1000, &idx, NULL), DMP_E_NOT_FOUND);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* A range passing 2^64 is dropped; one ending exactly at 2^64 is kept and found. */
START_TEST(range_past_2_64_dropped)
{
    struct mkdump *b = mkd_new(0);
    struct mod_spec m[3] = {{.base = 0xfffffffffffff000u, .size = 0x2000},
                            {.base = 0xfffffffffffff000u, .size = 0x1000},
                            {.base = 0x1000, .size = 0x10}};
    m[0].name_rva = add_name(b, "bad");
    m[1].name_rva = add_name(b, "top");
    m[2].name_rva = add_name(b, "low");
    const uint32_t s = add_module_list(b, m, 3, false);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_module_count(f), 2);
    ck_assert_str_eq(module_at(f, 0).name, "top");
    ck_assert_str_eq(module_at(f, 1).name, "low");
    expect_diag(f, 0, s, mkd_stream_rva(b, s) + 4, "2^64");
    ck_assert_uint_eq(malformed_at(f, 0).descriptor, 0);
    size_t idx = 99;
    uint64_t off = 0;
    ck_assert_int_eq(dmp_module_find(f, UINT64_MAX, &idx, &off), DMP_OK);
    ck_assert_uint_eq(idx, 0);
    ck_assert_uint_eq(off, 0xfff);
    ck_assert_int_eq(dmp_module_find(f, 0x80, &idx, &off), DMP_E_NOT_FOUND);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

static void expect_find(const dmp_file *f, uint64_t addr, size_t want, uint64_t want_off)
{
    size_t idx = 12345;
    uint64_t off = 12345;
    ck_assert_msg(dmp_module_find(f, addr, &idx, &off) == DMP_OK, "0x%llx not found",
                  (unsigned long long)addr);
    ck_assert_msg(idx == want, "0x%llx: module %zu, want %zu", (unsigned long long)addr, idx, want);
    ck_assert_uint_eq(off, want_off);
}

static void expect_no_module(const dmp_file *f, uint64_t addr)
{
    size_t idx = 12345;
    uint64_t off = 12345;
    ck_assert_int_eq(dmp_module_find(f, addr, &idx, &off), DMP_E_NOT_FOUND);
    ck_assert_uint_eq(idx, 12345);
    ck_assert_uint_eq(off, 12345);
}

static dmp_file *open_modules(struct mkdump *b, struct mod_spec *m, size_t n)
{
    const uint32_t name = add_name(b, "m");
    for (size_t i = 0; i < n; i++)
        m[i].name_rva = name;
    add_module_list(b, m, n, false);
    return open_built(b);
}

/* Gaps, adjacent modules and both ends of each range, listed out of address order. */
START_TEST(lookup_gaps_and_boundaries)
{
    struct mkdump *b = mkd_new(0);
    struct mod_spec m[3] = {{.base = 0x3000, .size = 0x800},
                            {.base = 0x1000, .size = 0x1000},
                            {.base = 0x2000, .size = 0x100}};
    dmp_file *f = open_modules(b, m, 3);
    expect_no_module(f, 0);
    expect_no_module(f, 0xfff);
    expect_find(f, 0x1000, 1, 0);
    expect_find(f, 0x1fff, 1, 0xfff);
    expect_find(f, 0x2000, 2, 0);
    expect_find(f, 0x20ff, 2, 0xff);
    expect_no_module(f, 0x2100);
    expect_no_module(f, 0x2fff);
    expect_find(f, 0x3000, 0, 0);
    expect_find(f, 0x37ff, 0, 0x7ff);
    expect_no_module(f, 0x3800);
    expect_no_module(f, UINT64_MAX);
    ck_assert_int_eq(dmp_module_find(f, 0x1000, NULL, NULL), DMP_OK);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Overlaps: the lowest base holding the address wins; on equal bases the module listed first.
 * An empty module holds nothing. */
START_TEST(lookup_overlaps)
{
    struct mkdump *b = mkd_new(0);
    struct mod_spec m[5] = {
        {.base = 0x1000, .size = 0},      /* 0: empty, listed first */
        {.base = 0x1000, .size = 0x5000}, /* 1: X */
        {.base = 0x2000, .size = 0x1000}, /* 2: inside X */
        {.base = 0x1000, .size = 0x100},  /* 3: same base as X, listed after it */
        {.base = 0x5800, .size = 0x3800}, /* 4: overlaps X's end */
    };
    dmp_file *f = open_modules(b, m, 5);
    expect_find(f, 0x1000, 1, 0);
    expect_find(f, 0x1050, 1, 0x50);
    expect_find(f, 0x2500, 1, 0x1500);
    expect_find(f, 0x5900, 1, 0x4900);
    expect_find(f, 0x5fff, 1, 0x4fff);
    expect_find(f, 0x6000, 4, 0x800);
    expect_find(f, 0x8fff, 4, 0x37ff);
    expect_no_module(f, 0x9000);
    expect_no_module(f, 0xfff);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Lowest base holding addr, then lowest index: what dmp_module_find must return. */
static bool oracle(const struct mod_spec *m, size_t n, uint64_t addr, size_t *want)
{
    bool found = false;
    for (size_t i = 0; i < n; i++) {
        if (addr < m[i].base || addr - m[i].base >= m[i].size)
            continue;
        if (!found || m[i].base < m[*want].base)
            *want = i;
        found = true;
    }
    return found;
}

START_TEST(lookup_matches_oracle)
{
    uint64_t seed = 0x9e3779b97f4a7c15u + (uint64_t)_i;
    struct mod_spec m[300];
    const size_t n = 1 + (size_t)_i * 37 % 300;
    for (size_t i = 0; i < n; i++) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        m[i] =
            (struct mod_spec){.base = (seed >> 33) % 0x40000 * 0x10,
                              .size = (uint32_t)((seed >> 20) % 5 == 0 ? 0 : (seed >> 8) % 0x8000)};
    }
    struct mkdump *b = mkd_new(0);
    dmp_file *f = open_modules(b, m, n);
    ck_assert_uint_eq(dmp_module_count(f), n);
    for (int k = 0; k < 20000; k++) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        const uint64_t addr = (seed >> 30) % 0x420000;
        size_t want = 0, got = 0;
        uint64_t off;
        const bool found = oracle(m, n, addr, &want);
        const dmp_status st = dmp_module_find(f, addr, &got, &off);
        expect(st == (found ? DMP_OK : DMP_E_NOT_FOUND), "0x%llx: status %d",
               (unsigned long long)addr, st);
        expect(!found || (got == want && off == addr - m[want].base),
               "0x%llx: module %zu, want %zu", (unsigned long long)addr, got, want);
    }
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Many modules naming one long string: decoding stops at twice the file's size (and 64 KiB),
 * so hostile overlaps cannot make the arena grow with the square of the file. */
START_TEST(string_budget)
{
    struct mkdump *b = mkd_new(0);
    static uint16_t units[20000];
    for (size_t i = 0; i < 20000; i++)
        units[i] = (uint16_t)('a' + i % 26);
    struct mod_spec m[100];
    const uint32_t name = add_units(b, units, 20000, 40000);
    for (size_t i = 0; i < 100; i++)
        m[i] = (struct mod_spec){.base = 0x10000 * (i + 1), .size = 0x1000, .name_rva = name};
    const uint32_t s = add_module_list(b, m, 100, false);
    size_t len;
    mkd_finish(b, &len);
    dmp_file *f = open_prefix(b, len);
    const size_t named = (2 * len + 65536) / 40000;
    ck_assert_uint_eq(dmp_module_count(f), 100);
    for (size_t i = 0; i < 100; i++)
        ck_assert_uint_eq(strlen(module_at(f, i).name), i < named ? 20000 : 0);
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_MALFORMED, NULL), 1);
    expect_diag(f, 0, s, name, "twice the file");
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* The PE code id needs a Windows dump (or one without SystemInfo); on Linux, a module with a
 * PDB70 record (old Breakpad) has none, and an ELF build id is its code id everywhere. */
START_TEST(code_id_follows_platform)
{
    const uint32_t platforms[2] = {DMP_PLATFORM_WINNT, DMP_PLATFORM_LINUX};
    for (int i = 0; i < 2; i++) {
        struct mkdump *b = mkd_new(0);
        uint8_t sys[56] = {0};
        mkd_store_u16(sys, 9); /* AMD64 */
        mkd_store_u32(sys + 20, platforms[i]);
        mkd_store_u32(sys + 24, add_name(b, ""));
        mkd_add_stream_data(b, DMP_STREAM_SYSTEM_INFO, sys, sizeof sys);
        uint8_t rsds[20] = {0}, id[4] = {0xde, 0xad, 0xbe, 0xef};
        struct mod_spec m[2] = {
            {.base = 0x1000,
             .size = 0x1000,
             .timestamp = 0xabcdef01,
             .cv_size = 24,
             .cv_rva = add_cv(b, "RSDS", rsds, 20)},
            {.base = 0x2000, .size = 0x1000, .cv_size = 8, .cv_rva = add_cv(b, "LEpB", id, 4)},
        };
        m[0].name_rva = m[1].name_rva = add_name(b, "m");
        add_module_list(b, m, 2, false);
        dmp_file *f = open_built(b);
        dmp_system_info si;
        ck_assert_int_eq(dmp_get_system_info(f, &si), DMP_OK);
        ck_assert_uint_eq(si.platform, platforms[i]);
        ck_assert_str_eq(module_at(f, 0).code_id, i == 0 ? "ABCDEF011000" : "");
        ck_assert_str_eq(module_at(f, 0).debug_id, "000000000000000000000000000000000");
        ck_assert_str_eq(module_at(f, 1).code_id, "deadbeef");
        ck_assert_str_eq(module_at(f, 1).debug_id, "EFBEADDE0000000000000000000000000");
        dmp_close(f);
        mkd_free(b);
    }
}
END_TEST

/* Only the first ModuleListStream is used; the next is reported. */
START_TEST(second_module_list_reported)
{
    struct mkdump *b = mkd_new(0);
    struct mod_spec a = {.base = 0x1000, .size = 1}, c = {.base = 0x9000, .size = 1};
    a.name_rva = c.name_rva = add_name(b, "m");
    add_module_list(b, &a, 1, false);
    const uint32_t s2 = add_module_list(b, &c, 1, false);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_module_count(f), 1);
    ck_assert_uint_eq(module_at(f, 0).base, 0x1000);
    expect_diag(f, 0, s2, mkd_stream_rva(b, s2), "only the first");
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(module_accessor_arguments)
{
    struct mkdump *b = mkd_new(0);
    struct mod_spec m = {.base = 0x1000, .size = 1};
    dmp_file *f = open_modules(b, &m, 1);
    dmp_module out;
    memset(&out, 0xa5, sizeof out);
    ck_assert_int_eq(dmp_module_get(NULL, 0, &out), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_module_get(f, 0, NULL), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_module_get(f, 1, &out), DMP_E_NOT_FOUND);
    ck_assert_uint_eq(out.base, 0xa5a5a5a5a5a5a5a5u);
    ck_assert_int_eq(dmp_module_find(NULL, 0x1000, NULL, NULL), DMP_E_INVALID_ARG);
    ck_assert_uint_eq(dmp_module_count(NULL), 0);
    dmp_unloaded_module u;
    ck_assert_int_eq(dmp_unloaded_module_get(f, 0, &u), DMP_E_NOT_FOUND);
    ck_assert_int_eq(dmp_unloaded_module_get(f, 0, NULL), DMP_E_INVALID_ARG);
    ck_assert_uint_eq(dmp_unloaded_module_count(f), 0);
    ck_assert_uint_eq(dmp_unloaded_module_count(NULL), 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* MINIDUMP_UNLOADED_MODULE_LIST with the given header and entry sizes; entries' extra bytes
 * are filled with 0xee. */
static uint32_t add_unloaded(struct mkdump *b, uint32_t header_size, uint32_t entry_size,
                             uint32_t count, const struct mod_spec *m, size_t n)
{
    const size_t len = header_size + n * entry_size;
    uint8_t *buf = malloc(len + 24); /* room for a whole entry even when entry_size is short */
    memset(buf, 0xee, len + 24);
    mkd_store_u32(buf, header_size);
    mkd_store_u32(buf + 4, entry_size);
    mkd_store_u32(buf + 8, count);
    for (size_t i = 0; i < n; i++) {
        uint8_t *p = buf + header_size + i * entry_size;
        mkd_store_u64(p, m[i].base);
        mkd_store_u32(p + 8, m[i].size);
        mkd_store_u32(p + 12, m[i].checksum);
        mkd_store_u32(p + 16, m[i].timestamp);
        mkd_store_u32(p + 20, m[i].name_rva);
    }
    const uint32_t s = mkd_add_stream_data(b, DMP_STREAM_UNLOADED_MODULE_LIST, buf, len);
    free(buf);
    return s;
}

static const struct mod_spec unloaded_specs[2] = {
    {.base = 0x10000, .size = 0x3000, .checksum = 7, .timestamp = 0x11223344},
    {.base = 0x7ffe0000, .size = 0x100, .checksum = 8, .timestamp = 0x55667788},
};

START_TEST(unloaded_list_sizes)
{
    /* The 24-byte entries of today, and longer ones behind a longer header. */
    const uint32_t shapes[2][2] = {{12, 24}, {16, 40}};
    for (int i = 0; i < 2; i++) {
        struct mkdump *b = mkd_new(0);
        struct mod_spec m[2] = {unloaded_specs[0], unloaded_specs[1]};
        m[0].name_rva = add_name(b, "gone.dll");
        m[1].name_rva = add_name(b, "also.dll");
        add_unloaded(b, shapes[i][0], shapes[i][1], 2, m, 2);
        dmp_file *f = open_built(b);
        ck_assert_uint_eq(dmp_unloaded_module_count(f), 2);
        dmp_unloaded_module u;
        ck_assert_int_eq(dmp_unloaded_module_get(f, 1, &u), DMP_OK);
        ck_assert_uint_eq(u.base, 0x7ffe0000);
        ck_assert_uint_eq(u.size, 0x100);
        ck_assert_uint_eq(u.checksum, 8);
        ck_assert_uint_eq(u.timestamp, 0x55667788);
        ck_assert_str_eq(u.name, "also.dll");
        ck_assert_int_eq(dmp_unloaded_module_get(f, 0, &u), DMP_OK);
        ck_assert_str_eq(u.name, "gone.dll");
        ck_assert_uint_eq(u.base, 0x10000);
        ck_assert_uint_eq(dmp_diag_count(f), 0);
        ck_assert_uint_eq(dmp_module_count(f), 0);
        dmp_close(f);
        mkd_free(b);
    }
}
END_TEST

/* dmp_unloaded_module_find against a linear scan, over a list a DLL was unloaded from many
 * times (the same range repeated), with nested, adjacent and empty entries around it. */
START_TEST(unloaded_find)
{
    enum { N = 40 };
    struct mod_spec m[N];
    memset(m, 0, sizeof m);
    for (size_t i = 0; i < N; i++) {
        switch (i % 4) {
        case 0: /* the same DLL, again and again */
            m[i].base = 0x70000000, m[i].size = 0x10000;
            break;
        case 1: /* nested inside it */
            m[i].base = 0x70000000 + 0x1000 * i, m[i].size = 0x800;
            break;
        case 2: /* adjacent ones, past it */
            m[i].base = 0x70010000 + 0x100 * i, m[i].size = 0x100;
            break;
        default: /* empty */
            m[i].base = 0x70000010, m[i].size = 0;
        }
    }
    struct mkdump *b = mkd_new(0);
    add_unloaded(b, 12, 24, N, m, N);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_unloaded_module_count(f), N);
    for (uint64_t addr = 0x6ffff000; addr < 0x70014000; addr += 0x80) {
        size_t want = SIZE_MAX, got = SIZE_MAX;
        uint64_t want_base = 0;
        for (size_t i = 0; i < N; i++)
            if (m[i].size && addr - m[i].base < m[i].size &&
                (want == SIZE_MAX || m[i].base < want_base)) {
                want = i;
                want_base = m[i].base;
            }
        const dmp_status st = dmp_unloaded_module_find(f, addr, &got);
        ck_assert_msg(want == SIZE_MAX ? st == DMP_E_NOT_FOUND : st == DMP_OK && got == want,
                      "0x%llx: %zu, want %zu", (unsigned long long)addr, got, want);
    }
    ck_assert_int_eq(dmp_unloaded_module_find(f, 0x70000000, NULL), DMP_OK);
    ck_assert_int_eq(dmp_unloaded_module_find(NULL, 0x70000000, NULL), DMP_E_INVALID_ARG);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(unloaded_list_malformed)
{
    /* header size, entry size, count, entries written, stream length override (0: none),
     * entries expected, diagnostic phrase */
    const struct {
        uint32_t header, entry, count, written, stream_len;
        size_t want;
        const char *phrase;
    } cases[] = {
        {12, 20, 2, 2, 0, 0, "below"},                     /* entries shorter than the minimum */
        {8, 24, 2, 2, 0, 0, "below"},                      /* header shorter than the minimum */
        {12, 24, 2, 2, 8, 0, "too small"},                 /* no room for the header */
        {12, 24, 9, 2, 0, 2, "count claims more"},         /* count past the stream */
        {0x7fffffff, 24, 1, 0, 0, 0, "count claims more"}, /* entries past the stream */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct mkdump *b = mkd_new(0);
        struct mod_spec m[2] = {unloaded_specs[0], unloaded_specs[1]};
        m[0].name_rva = m[1].name_rva = add_name(b, "x");
        const uint32_t header = cases[i].header > 64 ? 12 : cases[i].header;
        const uint32_t s =
            add_unloaded(b, header, cases[i].entry, cases[i].count, m, cases[i].written);
        size_t len;
        mkd_finish(b, &len);
        mkd_poke_u32(b, mkd_stream_rva(b, s), cases[i].header);
        if (cases[i].stream_len)
            mkd_poke_u32(b, mkd_dir_entry_offset(s) + 4, cases[i].stream_len);
        dmp_file *f = open_prefix(b, len);
        ck_assert_msg(dmp_unloaded_module_count(f) == cases[i].want, "case %zu: %zu entries", i,
                      dmp_unloaded_module_count(f));
        ck_assert_uint_eq(count_diags(f, DMP_DIAG_MALFORMED, NULL), 1);
        expect_diag(f, 0, s, mkd_stream_rva(b, s), cases[i].phrase);
        dmp_close(f);
        mkd_free(b);
    }
}
END_TEST

/* ---- The shared dumps ------------------------------------------------------------------ */

static dmp_file *open_shared(const char *file)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", DMPREAD_SHARED_DUMPS, file);
    dmp_file *f = NULL;
    ck_assert_msg(dmp_open(path, &f) == DMP_OK, "%s does not open", path);
    return f;
}

/* The module count agrees with the manifest ('-': no ModuleListStream), every module's
 * strings are there, and each module is found at its own base. */
START_TEST(shared_dump_modules)
{
    const char *const file = manifest_get((size_t)_i, "file");
    dmp_file *f = open_shared(file);
    const char *want = manifest_get((size_t)_i, "modules");
    const size_t n = dmp_module_count(f);
    if (strcmp(want, "-") == 0)
        ck_assert_msg(n == 0, "%s: %zu modules, manifest none", file, n);
    else
        ck_assert_msg(n == strtoul(want, NULL, 10), "%s: %zu modules, manifest %s", file, n, want);
    for (size_t i = 0; i < n; i++) {
        const dmp_module m = module_at(f, i);
        expect(m.name && m.pdb_name && m.debug_id && m.code_id, "%s: module %zu has a NULL", file,
               i);
        size_t idx;
        uint64_t off;
        if (m.size != 0) {
            expect(dmp_module_find(f, m.base, &idx, &off) == DMP_OK, "%s: module %zu not found",
                   file, i);
            expect(module_at(f, idx).base <= m.base, "%s: lookup found a higher base", file);
        }
    }
    dmp_close(f);
}
END_TEST

/* Facts about these dumps published by other readers' tests (rust-minidump's test.dmp is
 * breakpad's minidump2.dmp; its processor tests; lldb's TestMiniDumpUUID). */
START_TEST(shared_dump_known_ids)
{
    dmp_file *f = open_shared("breakpad/minidump2.dmp");
    ck_assert_uint_eq(dmp_module_count(f), 13);
    dmp_module m = module_at(f, 0);
    ck_assert_uint_eq(m.base, 0x400000);
    ck_assert_uint_eq(m.size, 0x2d000);
    ck_assert_str_eq(m.name, "c:\\test_app.exe");
    ck_assert_str_eq(m.code_id, "45D35F6C2d000");
    ck_assert_str_eq(m.pdb_name, "c:\\test_app.pdb");
    ck_assert_str_eq(m.debug_id, "5A9832E5287241C1838ED98914E9B7FF1");
    ck_assert_int_eq(m.has_version, 0);
    m = module_at(f, 12);
    ck_assert_uint_eq(m.base, 0x76bf0000);
    ck_assert_uint_eq(m.size, 0xb000);
    ck_assert_str_eq(m.name, "C:\\WINDOWS\\system32\\psapi.dll");
    ck_assert_str_eq(m.code_id, "411096CAb000");
    ck_assert_str_eq(m.pdb_name, "psapi.pdb");
    ck_assert_str_eq(m.debug_id, "A5C3A1F9689F43D8AD228A09293889702");
    ck_assert_int_eq(m.has_version, 1);
    const uint16_t v[4] = {5, 1, 2600, 2180};
    ck_assert_mem_eq(m.file_version, v, sizeof v);
    size_t idx;
    uint64_t off;
    ck_assert_int_eq(dmp_module_find(f, 0x40429e, &idx, &off), DMP_OK);
    ck_assert_uint_eq(idx, 0);
    ck_assert_uint_eq(off, 0x429e);
    dmp_close(f);

    /* rust-minidump's processor tests: an ELF build id folded into a debug id, and in full. */
    f = open_shared("rust-minidump/linux-mini.dmp");
    m = module_at(f, 0);
    ck_assert_str_eq(m.debug_id, "C0BCC3F19827FE653058404B2831D9E60");
    ck_assert_str_eq(m.code_id, "f1c3bcc0279865fe3058404b2831d9e64135386c");
    m = module_at(f, 1);
    ck_assert_str_eq(m.debug_id, "E45DB8DFAF2D09FD640C8FE377D572DE0");
    ck_assert_str_eq(m.code_id, "dfb85de42daffd09640c8fe377d572de3e168920");
    dmp_close(f);

    /* lldb reads these ids as 01020304-0506-... (the bytes in file order). */
    f = open_shared("lldb/linux-arm-uuids-elf-build-id-16.dmp");
    m = module_at(f, 0);
    ck_assert_str_eq(m.name, "/tmp/a");
    ck_assert_uint_eq(m.cv_signature, DMP_CV_ELF);
    ck_assert_str_eq(m.code_id, "0102030405060708090a0b0c0d0e0f10");
    ck_assert_str_eq(m.debug_id, "0403020106050807090A0B0C0D0E0F100");
    dmp_close(f);
    f = open_shared("lldb/linux-arm-uuids-with-age.dmp");
    m = module_at(f, 1);
    ck_assert_str_eq(m.name, "/tmp/b");
    ck_assert_uint_eq(m.cv_signature, DMP_CV_PDB70);
    ck_assert_uint_eq(m.pdb_age, 0x20202020);
    ck_assert_str_eq(m.debug_id, "281E140A3C3250465A646E78828C96A020202020");
    dmp_close(f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("modules");
    TCase *tc = tcase_create("built");
    tcase_add_test(tc, module_fields_decoded);
    tcase_add_test(tc, padded_and_unpadded_counts);
    tcase_add_test(tc, name_non_bmp_and_unpaired_surrogates);
    tcase_add_test(tc, name_odd_length_cut);
    tcase_add_test(tc, names_past_eof);
    tcase_add_test(tc, codeview_pdb20);
    tcase_add_test(tc, codeview_elf_build_ids);
    tcase_add_test(tc, codeview_too_short);
    tcase_add_test(tc, records_outside_file);
    tcase_add_test(tc, count_past_stream);
    tcase_add_test(tc, range_past_2_64_dropped);
    tcase_add_test(tc, lookup_gaps_and_boundaries);
    tcase_add_test(tc, lookup_overlaps);
    tcase_add_loop_test(tc, lookup_matches_oracle, 0, 16);
    tcase_add_test(tc, string_budget);
    tcase_add_test(tc, code_id_follows_platform);
    tcase_add_test(tc, second_module_list_reported);
    tcase_add_test(tc, module_accessor_arguments);
    tcase_add_test(tc, unloaded_list_sizes);
    tcase_add_test(tc, unloaded_find);
    tcase_add_test(tc, unloaded_list_malformed);
    suite_add_tcase(s, tc);
    if (manifest_load(DMPREAD_SHARED_DUMPS)) {
        printf("test_modules: %zu dumps from %s\n", manifest_rows(), DMPREAD_SHARED_DUMPS);
        TCase *shared = tcase_create("shared-dumps");
        tcase_add_loop_test(shared, shared_dump_modules, 0, (int)manifest_rows());
        tcase_add_test(shared, shared_dump_known_ids);
        suite_add_tcase(s, shared);
    } else {
        printf("test_modules: shared dumps absent (%s): those cases skipped\n",
               DMPREAD_SHARED_DUMPS);
    }
    return run_suite(s);
}
