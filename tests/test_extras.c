/* test_extras.c - comment streams, BreakpadInfo, LinuxAuxv, LinuxDsoDebug and CrashpadInfo
 * (process and module annotations) on built dumps: every field, both word sizes, and the
 * damaged variants.
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

/* Crashpad's MinidumpUTF8String: u32 length, the bytes, a NUL. */
static uint32_t add_utf8(struct mkdump *b, const char *text)
{
    const size_t n = strlen(text);
    uint8_t *const buf = calloc(1, 4 + n + 1);
    mkd_store_u32(buf, (uint32_t)n);
    memcpy(buf + 4, text, n);
    const uint64_t rva = mkd_append(b, buf, 4 + n + 1);
    free(buf);
    return (uint32_t)rva;
}

static void add_system_info(struct mkdump *b, uint16_t arch)
{
    uint8_t rec[56] = {0};
    mkd_store_u16(rec, arch);
    mkd_store_u32(rec + 20, DMP_PLATFORM_LINUX);
    mkd_add_stream_data(b, DMP_STREAM_SYSTEM_INFO, rec, sizeof rec);
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

static const char *comment_of(const dmp_file *f)
{
    const char *c = NULL;
    ck_assert_int_eq(dmp_get_comment(f, &c), DMP_OK);
    ck_assert_ptr_nonnull(c);
    return c;
}

/* ---- Comments -------------------------------------------------------------------------- */

START_TEST(comment_a_as_utf8)
{
    struct mkdump *b = mkd_new(0);
    const char text[] = "crash in \xff module \xc3\xa9\0\0";
    mkd_add_stream_data(b, DMP_STREAM_COMMENT_A, text, sizeof text);
    dmp_file *f = open_built(b);
    ck_assert_str_eq(comment_of(f), "crash in \xef\xbf\xbd module \xc3\xa9");
    ck_assert_uint_eq(dmp_diag_count(f), 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(comment_w_preferred)
{
    struct mkdump *b = mkd_new(0);
    mkd_add_stream_data(b, DMP_STREAM_COMMENT_A, "narrow", 6);
    const uint16_t w[] = {'h', 0xe9, 0xd83d, 0xde00, 0, 'x'};
    uint8_t bytes[sizeof w];
    for (size_t i = 0; i < sizeof w / 2; i++)
        mkd_store_u16(bytes + 2 * i, w[i]);
    mkd_add_stream_data(b, DMP_STREAM_COMMENT_W, bytes, sizeof bytes);
    dmp_file *f = open_built(b);
    ck_assert_str_eq(comment_of(f), "h\xc3\xa9\xf0\x9f\x98\x80");
    ck_assert_uint_eq(dmp_diag_count(f), 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(comment_w_odd_length)
{
    struct mkdump *b = mkd_new(0);
    const uint8_t bytes[] = {'a', 0, 'b', 0, 'c', 0, 'd'};
    const uint32_t s = mkd_add_stream_data(b, DMP_STREAM_COMMENT_W, bytes, sizeof bytes);
    dmp_file *f = open_built(b);
    ck_assert_str_eq(comment_of(f), "abc");
    ck_assert_uint_eq(malformed_at(f, s, mkd_stream_rva(b, s)), 1);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* A W stream past the end of the file is reported (once, by the directory) and the A one
 * used; alone, it makes the comment malformed. A second stream of a kind is reported and
 * ignored. */
START_TEST(comment_damaged_and_duplicates)
{
    struct mkdump *b = mkd_new(0);
    const uint32_t w = mkd_add_stream(b, DMP_STREAM_COMMENT_W, 0x100000, 8);
    mkd_add_stream_data(b, DMP_STREAM_COMMENT_A, "first", 5);
    const uint32_t a2 = mkd_add_stream_data(b, DMP_STREAM_COMMENT_A, "second", 6);
    dmp_file *f = open_built(b);
    ck_assert_str_eq(comment_of(f), "first");
    ck_assert_uint_eq(malformed_at(f, w, 0x100000), 0);
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_STREAM_PAST_EOF, NULL), 1);
    ck_assert_uint_eq(malformed_at(f, a2, mkd_stream_rva(b, a2)), 1);
    dmp_close(f);
    mkd_free(b);

    b = mkd_new(0);
    mkd_add_stream(b, DMP_STREAM_COMMENT_W, 0x100000, 8);
    f = open_built(b);
    const char *c = "untouched";
    ck_assert_int_eq(dmp_get_comment(f, &c), DMP_E_MALFORMED);
    ck_assert_str_eq(c, "untouched");
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(comment_empty_and_absent)
{
    struct mkdump *b = mkd_new(0);
    mkd_add_stream_data(b, DMP_STREAM_COMMENT_A, "", 0);
    dmp_file *f = open_built(b);
    ck_assert_str_eq(comment_of(f), "");
    dmp_close(f);
    mkd_free(b);

    b = mkd_new(0);
    f = open_built(b);
    const char *c;
    ck_assert_int_eq(dmp_get_comment(f, &c), DMP_E_ABSENT);
    ck_assert_int_eq(dmp_get_comment(f, NULL), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_get_comment(NULL, &c), DMP_E_INVALID_ARG);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* ---- BreakpadInfo ---------------------------------------------------------------------- */

START_TEST(breakpad_info_sizes)
{
    for (size_t len = 10; len <= 16; len++) {
        struct mkdump *b = mkd_new(0);
        uint8_t rec[16] = {0};
        mkd_store_u32(rec, 3);
        mkd_store_u32(rec + 4, 0x1234);
        mkd_store_u32(rec + 8, 0x5678);
        const uint32_t s = mkd_add_stream_data(b, DMP_STREAM_BREAKPAD_INFO, rec, len);
        dmp_file *f = open_built(b);
        dmp_breakpad_info bi;
        if (len < 12) {
            ck_assert_int_eq(dmp_get_breakpad_info(f, &bi), DMP_E_MALFORMED);
            ck_assert_uint_eq(malformed_at(f, s, mkd_stream_rva(b, s)), 1);
        } else {
            ck_assert_int_eq(dmp_get_breakpad_info(f, &bi), DMP_OK);
            ck_assert_uint_eq(bi.validity, 3);
            ck_assert_uint_eq(bi.dump_thread_id, 0x1234);
            ck_assert_uint_eq(bi.requesting_thread_id, 0x5678);
            ck_assert_uint_eq(dmp_diag_count(f), 0);
        }
        dmp_close(f);
        mkd_free(b);
    }
    struct mkdump *b = mkd_new(0);
    dmp_file *f = open_built(b);
    dmp_breakpad_info bi;
    ck_assert_int_eq(dmp_get_breakpad_info(f, &bi), DMP_E_ABSENT);
    ck_assert_int_eq(dmp_get_breakpad_info(f, NULL), DMP_E_INVALID_ARG);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* ---- LinuxAuxv ------------------------------------------------------------------------- */

/* Pairs (k, 0x1000 * k + 7) for k = 1..n in words of `word` bytes, plus `extra` bytes. */
static uint32_t add_auxv(struct mkdump *b, uint32_t word, size_t n, size_t extra)
{
    const size_t len = 2 * word * n + extra;
    uint8_t *const buf = calloc(1, len + 1);
    for (size_t k = 0; k < n; k++) {
        uint8_t *const p = buf + 2 * word * k;
        if (word == 4) {
            mkd_store_u32(p, (uint32_t)(k + 1));
            mkd_store_u32(p + 4, (uint32_t)(0x1000 * (k + 1) + 7));
        } else {
            mkd_store_u64(p, k + 1);
            mkd_store_u64(p + 8, 0xffff000000000000u + 0x1000 * (k + 1) + 7);
        }
    }
    const uint32_t s = mkd_add_stream_data(b, DMP_STREAM_LINUX_AUXV, buf, len);
    free(buf);
    return s;
}

START_TEST(auxv_word_sizes)
{
    static const struct {
        int arch; /* -1: no SystemInfo */
        uint32_t word;
    } cases[] = {
        {-1, 8},
        {DMP_ARCH_AMD64, 8},
        {DMP_ARCH_ARM64, 8},
        {DMP_ARCH_ARM64_BREAKPAD, 8},
        {DMP_ARCH_X86, 4},
        {DMP_ARCH_ARM, 4},
        {DMP_ARCH_MIPS, 4},
        {DMP_ARCH_PPC, 4},
        {DMP_ARCH_MIPS64, 8},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct mkdump *b = mkd_new(0);
        if (cases[i].arch >= 0)
            add_system_info(b, (uint16_t)cases[i].arch);
        add_auxv(b, cases[i].word, 5, 0);
        dmp_file *f = open_built(b);
        ck_assert_msg(dmp_auxv_count(f) == 5, "case %zu: %zu pairs", i, dmp_auxv_count(f));
        for (size_t k = 0; k < 5; k++) {
            uint64_t type, value;
            ck_assert_int_eq(dmp_auxv_get(f, k, &type, &value), DMP_OK);
            ck_assert_uint_eq(type, k + 1);
            const uint64_t high = cases[i].word == 8 ? 0xffff000000000000u : 0;
            ck_assert_uint_eq(value, high + 0x1000 * (k + 1) + 7);
        }
        uint64_t type = 99, value = 99;
        ck_assert_int_eq(dmp_auxv_get(f, 5, &type, &value), DMP_E_NOT_FOUND);
        ck_assert_uint_eq(type, 99);
        ck_assert_int_eq(dmp_auxv_get(f, 0, NULL, &value), DMP_E_INVALID_ARG);
        ck_assert_int_eq(dmp_auxv_get(f, 0, &type, NULL), DMP_E_INVALID_ARG);
        ck_assert_uint_eq(dmp_diag_count(f), 0);
        dmp_close(f);
        mkd_free(b);
    }
}
END_TEST

START_TEST(auxv_partial_pair_and_duplicates)
{
    struct mkdump *b = mkd_new(0);
    const uint32_t s = add_auxv(b, 8, 3, 9);
    const uint32_t late = add_auxv(b, 8, 1, 0);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_auxv_count(f), 3);
    ck_assert_uint_eq(malformed_at(f, s, mkd_stream_rva(b, s)), 1);
    ck_assert_uint_eq(malformed_at(f, late, mkd_stream_rva(b, late)), 1);
    dmp_close(f);
    mkd_free(b);
    ck_assert_uint_eq(dmp_auxv_count(NULL), 0);
}
END_TEST

/* ---- LinuxDsoDebug --------------------------------------------------------------------- */

/* MDRawDebug for `word`, its link maps at `map`, claiming `count`. */
static uint32_t add_debug(struct mkdump *b, uint32_t word, uint32_t map, uint32_t count, size_t len)
{
    uint8_t rec[64];
    memset(rec, 0xdd, sizeof rec); /* padding must not be read */
    mkd_store_u32(rec, 1);
    mkd_store_u32(rec + 4, map);
    mkd_store_u32(rec + 8, count);
    if (word == 8) {
        mkd_store_u64(rec + 16, 0x7f0000001000); /* brk, ldbase, dynamic */
        mkd_store_u64(rec + 24, 0x7f0000000000);
        mkd_store_u64(rec + 32, 0x600e28);
    }
    return mkd_add_stream_data(b, DMP_STREAM_LINUX_DSO_DEBUG, rec, len);
}

/* `n` link maps with names[k] (RVAs), padding filled with 0xdd. */
static uint32_t add_link_maps(struct mkdump *b, uint32_t word, const uint32_t *names, size_t n)
{
    const size_t entry = word == 8 ? 24 : 12;
    uint8_t *const buf = malloc(n * entry + 1);
    memset(buf, 0xdd, n * entry + 1);
    for (size_t k = 0; k < n; k++) {
        uint8_t *const p = buf + k * entry;
        if (word == 8) {
            mkd_store_u64(p, 0x7f0000000000 + 0x100000 * k);
            mkd_store_u32(p + 8, names[k]);
            mkd_store_u64(p + 16, 0x7f0000000e00 + 0x100000 * k);
        } else {
            mkd_store_u32(p, (uint32_t)(0xf7000000 + 0x10000 * k));
            mkd_store_u32(p + 4, names[k]);
            mkd_store_u32(p + 8, (uint32_t)(0xf7000e00 + 0x10000 * k));
        }
    }
    const uint32_t rva = (uint32_t)mkd_append(b, buf, n * entry);
    free(buf);
    return rva;
}

static dmp_linux_dso dso_at(const dmp_file *f, size_t i)
{
    dmp_linux_dso d;
    ck_assert_int_eq(dmp_linux_dso_get(f, i, &d), DMP_OK);
    return d;
}

START_TEST(dso_debug_both_word_sizes)
{
    for (uint32_t word = 4; word <= 8; word += 4) {
        struct mkdump *b = mkd_new(0);
        add_system_info(b, word == 4 ? DMP_ARCH_X86 : DMP_ARCH_AMD64);
        const uint32_t names[] = {add_string(b, ""), 0, add_string(b, "/lib/libc.so.6")};
        const uint32_t map = add_link_maps(b, word, names, 3);
        add_debug(b, word, map, 3, word == 8 ? 40 : 24);
        dmp_file *f = open_built(b);
        ck_assert_uint_eq(dmp_linux_dso_count(f), 3);
        const dmp_linux_dso d0 = dso_at(f, 0), d1 = dso_at(f, 1), d2 = dso_at(f, 2);
        ck_assert_str_eq(d0.name, "");
        ck_assert_str_eq(d1.name, "");
        ck_assert_str_eq(d2.name, "/lib/libc.so.6");
        if (word == 8) {
            ck_assert_uint_eq(d0.addr, 0x7f0000000000);
            ck_assert_uint_eq(d2.addr, 0x7f0000200000);
            ck_assert_uint_eq(d2.ld, 0x7f0000200e00);
        } else {
            ck_assert_uint_eq(d0.addr, 0xf7000000);
            ck_assert_uint_eq(d2.addr, 0xf7020000);
            ck_assert_uint_eq(d2.ld, 0xf7020e00);
        }
        ck_assert_uint_eq(dmp_diag_count(f), 0);
        dmp_linux_dso d;
        ck_assert_int_eq(dmp_linux_dso_get(f, 3, &d), DMP_E_NOT_FOUND);
        ck_assert_int_eq(dmp_linux_dso_get(f, 0, NULL), DMP_E_INVALID_ARG);
        dmp_close(f);
        mkd_free(b);
    }
}
END_TEST

START_TEST(dso_debug_damaged)
{
    /* Shorter than MDRawDebug64. */
    struct mkdump *b = mkd_new(0);
    uint32_t names[3] = {0, 0, 0};
    uint32_t map = add_link_maps(b, 8, names, 1);
    uint32_t s = add_debug(b, 8, map, 1, 39);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_linux_dso_count(f), 0);
    ck_assert_uint_eq(malformed_at(f, s, mkd_stream_rva(b, s)), 1);
    dmp_close(f);
    mkd_free(b);

    /* Link maps past the end of the file, and at RVA 0. */
    const uint32_t maps[] = {0x10000000, 0};
    for (size_t i = 0; i < 2; i++) {
        b = mkd_new(0);
        s = add_debug(b, 8, maps[i], 4, 40);
        f = open_built(b);
        ck_assert_uint_eq(dmp_linux_dso_count(f), 0);
        ck_assert_uint_eq(malformed_at(f, s, mkd_stream_rva(b, s) + 4), 1);
        dmp_close(f);
        mkd_free(b);
    }

    /* The file ends inside the third link map; a name lies past the end of the file. */
    b = mkd_new(0);
    s = add_debug(b, 8, 0, 5, 40);
    names[1] = 0x7fffff00;
    map = add_link_maps(b, 8, names, 3);
    mkd_poke_u32(b, mkd_stream_rva(b, s) + 4, map);
    size_t len;
    mkd_finish(b, &len);
    f = open_prefix(b, len - 1);
    ck_assert_uint_eq(dmp_linux_dso_count(f), 2);
    ck_assert_str_eq(dso_at(f, 1).name, "");
    ck_assert_uint_eq(malformed_at(f, s, mkd_stream_rva(b, s) + 4), 1);
    ck_assert_uint_eq(malformed_at(f, s, 0x7fffff00), 1);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* A stream too short for MDRawDebug does not count: the next one is used, and any after
 * that is reported as ignored. */
START_TEST(dso_debug_first_usable)
{
    struct mkdump *b = mkd_new(0);
    add_system_info(b, DMP_ARCH_AMD64);
    const uint32_t names[] = {add_string(b, "/lib/ld.so")};
    const uint32_t map = add_link_maps(b, 8, names, 1);
    const uint32_t s_short = add_debug(b, 8, map, 1, 39);
    add_debug(b, 8, map, 1, 40);
    const uint32_t s_late = add_debug(b, 8, 0, 0, 40);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_linux_dso_count(f), 1);
    ck_assert_str_eq(dso_at(f, 0).name, "/lib/ld.so");
    ck_assert_uint_eq(malformed_at(f, s_short, mkd_stream_rva(b, s_short)), 1);
    ck_assert_uint_eq(malformed_at(f, s_late, mkd_stream_rva(b, s_late)), 1);
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_MALFORMED, NULL), 2);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* ---- CrashpadInfo ---------------------------------------------------------------------- */

/* MinidumpCrashpadInfo (`len` bytes of it) with its simple annotations at (size, rva) and
 * its module list at (mods_size, mods_rva). */
static uint32_t add_crashpad_mods(struct mkdump *b, uint32_t dict_size, uint32_t dict_rva,
                                  uint32_t mods_size, uint32_t mods_rva, size_t len)
{
    uint8_t rec[64] = {0};
    mkd_store_u32(rec, 1);
    for (size_t i = 0; i < 16; i++) {
        rec[4 + i] = (uint8_t)(0xa0 + i);
        rec[20 + i] = (uint8_t)(0xc0 + i);
    }
    mkd_store_u32(rec + 36, dict_size);
    mkd_store_u32(rec + 40, dict_rva);
    mkd_store_u32(rec + 44, mods_size);
    mkd_store_u32(rec + 48, mods_rva);
    mkd_store_u64(rec + 56, 0xffffffffffff); /* address_mask in the 64-byte form */
    return mkd_add_stream_data(b, DMP_STREAM_CRASHPAD_INFO, rec, len);
}

/* MinidumpCrashpadInfo without a module list. */
static uint32_t add_crashpad(struct mkdump *b, uint32_t dict_size, uint32_t dict_rva, size_t len)
{
    return add_crashpad_mods(b, dict_size, dict_rva, 0, 0, len);
}

/* A MinidumpSimpleStringDictionary of `n` (key, value) RVA pairs claiming `count`. */
static uint32_t add_dict(struct mkdump *b, uint32_t count, const uint32_t *rvas, size_t n)
{
    uint8_t *const buf = calloc(1, 4 + 8 * n);
    mkd_store_u32(buf, count);
    for (size_t k = 0; k < 2 * n; k++)
        mkd_store_u32(buf + 4 + 4 * k, rvas[k]);
    const uint32_t rva = (uint32_t)mkd_append(b, buf, 4 + 8 * n);
    free(buf);
    return rva;
}

static void expect_annotation(const dmp_file *f, size_t i, const char *key, const char *value)
{
    const char *k = NULL, *v = NULL;
    ck_assert_int_eq(dmp_crashpad_annotation_get(f, i, &k, &v), DMP_OK);
    ck_assert_str_eq(k, key);
    ck_assert_str_eq(v, value);
}

START_TEST(crashpad_info_every_field)
{
    for (size_t len = 52; len <= 64; len += 12) {
        struct mkdump *b = mkd_new(0);
        const uint32_t rvas[] = {add_utf8(b, "prod"), add_utf8(b, "Electron"),
                                 add_utf8(b, "bad\xff"), add_utf8(b, "")};
        const uint32_t dict = add_dict(b, 2, rvas, 2);
        add_crashpad(b, 4 + 2 * 8, dict, len);
        dmp_file *f = open_built(b);
        dmp_crashpad_info ci;
        ck_assert_int_eq(dmp_get_crashpad_info(f, &ci), DMP_OK);
        for (size_t i = 0; i < 16; i++) {
            ck_assert_uint_eq(ci.report_id[i], 0xa0 + i);
            ck_assert_uint_eq(ci.client_id[i], 0xc0 + i);
        }
        ck_assert_uint_eq(ci.annotation_count, 2);
        expect_annotation(f, 0, "prod", "Electron");
        expect_annotation(f, 1, "bad\xef\xbf\xbd", "");
        const char *k = "k", *v = "v";
        ck_assert_int_eq(dmp_crashpad_annotation_get(f, 2, &k, &v), DMP_E_NOT_FOUND);
        ck_assert_str_eq(k, "k");
        ck_assert_int_eq(dmp_crashpad_annotation_get(f, 0, NULL, &v), DMP_E_INVALID_ARG);
        ck_assert_uint_eq(dmp_diag_count(f), 0);
        dmp_close(f);
        mkd_free(b);
    }
}
END_TEST

START_TEST(crashpad_info_too_short_or_absent)
{
    struct mkdump *b = mkd_new(0);
    const uint32_t s = add_crashpad(b, 0, 0, 51);
    dmp_file *f = open_built(b);
    dmp_crashpad_info ci;
    ck_assert_int_eq(dmp_get_crashpad_info(f, &ci), DMP_E_MALFORMED);
    ck_assert_uint_eq(malformed_at(f, s, mkd_stream_rva(b, s)), 1);
    const char *k, *v;
    ck_assert_int_eq(dmp_crashpad_annotation_get(f, 0, &k, &v), DMP_E_NOT_FOUND);
    dmp_close(f);
    mkd_free(b);

    b = mkd_new(0);
    f = open_built(b);
    ck_assert_int_eq(dmp_get_crashpad_info(f, &ci), DMP_E_ABSENT);
    ck_assert_int_eq(dmp_get_crashpad_info(f, NULL), DMP_E_INVALID_ARG);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* The dictionary's location: size 0 means none; RVA 0 or past the file is reported; a count
 * past the location keeps the entries inside it. The stream itself stays usable. */
START_TEST(crashpad_dictionary_damaged)
{
    static const struct {
        uint32_t size, rva; /* rva 1: the real dictionary */
        uint32_t count;
        size_t want, diags;
    } cases[] = {
        {0, 1, 2, 0, 0},           /* no annotations */
        {20, 0, 2, 0, 1},          /* RVA 0 */
        {20, 0x7fff0000, 2, 0, 1}, /* past EOF */
        {2, 1, 2, 0, 1},           /* too small for the count */
        {12, 1, 2, 1, 1},          /* count claims 2, location holds 1 */
        {20, 1, 9, 2, 1},          /* count claims 9 */
        {20, 1, 1, 1, 0},          /* fewer claimed than the location holds */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct mkdump *b = mkd_new(0);
        const uint32_t rvas[] = {add_utf8(b, "a"), add_utf8(b, "1"), add_utf8(b, "b"),
                                 add_utf8(b, "2")};
        const uint32_t dict = add_dict(b, cases[i].count, rvas, 2);
        const uint32_t rva = cases[i].rva == 1 ? dict : cases[i].rva;
        add_crashpad(b, cases[i].size, rva, 52);
        dmp_file *f = open_built(b);
        dmp_crashpad_info ci;
        ck_assert_int_eq(dmp_get_crashpad_info(f, &ci), DMP_OK);
        ck_assert_msg(ci.annotation_count == cases[i].want, "case %zu: %zu annotations", i,
                      ci.annotation_count);
        ck_assert_msg(dmp_diag_count(f) == cases[i].diags, "case %zu: %zu diagnostics", i,
                      dmp_diag_count(f));
        if (cases[i].diags)
            ck_assert_uint_eq(malformed_at(f, 0, rva), 1);
        if (cases[i].want)
            expect_annotation(f, 0, "a", "1");
        dmp_close(f);
        mkd_free(b);
    }
}
END_TEST

/* A key past the file is "", a value running past it is cut; both reported. */
START_TEST(crashpad_strings_damaged)
{
    struct mkdump *b = mkd_new(0);
    const uint32_t rvas[] = {0x7ffffff0, add_utf8(b, "v"), add_utf8(b, "k"), 0};
    const uint32_t dict = add_dict(b, 2, rvas, 2);
    add_crashpad(b, 20, dict, 52);
    const uint8_t cut[] = {100, 0, 0, 0, 'p', 'a', 'r', 't'};
    const uint32_t tail = (uint32_t)mkd_append(b, cut, sizeof cut);
    mkd_poke_u32(b, dict + 16, tail);
    dmp_file *f = open_built(b);
    dmp_crashpad_info ci;
    ck_assert_int_eq(dmp_get_crashpad_info(f, &ci), DMP_OK);
    ck_assert_uint_eq(ci.annotation_count, 2);
    expect_annotation(f, 0, "", "v");
    expect_annotation(f, 1, "k", "part");
    ck_assert_uint_eq(malformed_at(f, 0, 0x7ffffff0), 1);
    ck_assert_uint_eq(malformed_at(f, 0, tail), 1);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Many annotations naming one large string stop copying it at the dump-wide budget. */
START_TEST(crashpad_string_budget)
{
    struct mkdump *b = mkd_new(0);
    const size_t n = 40000;
    char *big = malloc(n + 1);
    memset(big, 'z', n);
    big[n] = '\0';
    const uint32_t rva = add_utf8(b, big);
    free(big);
    enum { PAIRS = 500 };
    uint32_t *rvas = malloc(2 * PAIRS * sizeof *rvas);
    for (size_t k = 0; k < 2 * PAIRS; k++)
        rvas[k] = rva;
    const uint32_t dict = add_dict(b, PAIRS, rvas, PAIRS);
    free(rvas);
    add_crashpad(b, 4 + 8 * PAIRS, dict, 52);
    size_t len;
    mkd_finish(b, &len);
    dmp_file *f = open_built(b);
    size_t full = 0;
    for (size_t i = 0; i < PAIRS; i++) {
        const char *k, *v;
        ck_assert_int_eq(dmp_crashpad_annotation_get(f, i, &k, &v), DMP_OK);
        full += (strlen(k) == n) + (strlen(v) == n);
    }
    ck_assert_uint_eq(full, (2 * len + 65536) / n);
    ck_assert_uint_eq(malformed_at(f, 0, rva), 1);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* ---- Crashpad module annotations ------------------------------------------------------- */

/* A counted list of u32 words: count, then the words (RVA lists, dictionaries, links). */
static uint32_t add_words(struct mkdump *b, uint32_t count, const uint32_t *words, size_t n)
{
    uint8_t *const buf = calloc(1, 4 + 4 * n);
    mkd_store_u32(buf, count);
    for (size_t k = 0; k < n; k++)
        mkd_store_u32(buf + 4 + 4 * k, words[k]);
    const uint32_t rva = (uint32_t)mkd_append(b, buf, 4 + 4 * n);
    free(buf);
    return rva;
}

/* A MinidumpByteArray. */
static uint32_t add_bytes(struct mkdump *b, const void *data, uint32_t len)
{
    uint8_t *const buf = calloc(1, 4 + (size_t)len);
    mkd_store_u32(buf, len);
    if (len)
        memcpy(buf + 4, data, len);
    const uint32_t rva = (uint32_t)mkd_append(b, buf, 4 + (size_t)len);
    free(buf);
    return rva;
}

/* A MinidumpAnnotationList of n (name, type, value) entries claiming `count`. */
static uint32_t add_objects(struct mkdump *b, uint32_t count, const uint32_t (*e)[3], size_t n)
{
    uint8_t *const buf = calloc(1, 4 + 12 * n);
    mkd_store_u32(buf, count);
    for (size_t k = 0; k < n; k++) {
        mkd_store_u32(buf + 4 + 12 * k, e[k][0]);
        mkd_store_u16(buf + 8 + 12 * k, (uint16_t)e[k][1]);
        mkd_store_u16(buf + 10 + 12 * k, 0xeeee); /* reserved: not read */
        mkd_store_u32(buf + 12 + 12 * k, e[k][2]);
    }
    const uint32_t rva = (uint32_t)mkd_append(b, buf, 4 + 12 * n);
    free(buf);
    return rva;
}

/* A MinidumpModuleCrashpadInfo of `len` bytes: version 1, then locations (size, rva) of the
 * list annotations, simple annotations and annotation objects. */
static uint32_t add_module_info(struct mkdump *b, const uint32_t loc[6], size_t len)
{
    uint8_t rec[40];
    memset(rec, 0xcc, sizeof rec); /* past `len`: must not be read */
    mkd_store_u32(rec, 1);
    for (size_t k = 0; k < 6; k++)
        mkd_store_u32(rec + 4 + 4 * k, loc[k]);
    return (uint32_t)mkd_append(b, rec, len);
}

static const char *list_annotation(const dmp_file *f, size_t i, size_t k)
{
    const char *v = NULL;
    ck_assert_int_eq(dmp_crashpad_module_list_annotation_get(f, i, k, &v), DMP_OK);
    return v;
}

static dmp_crashpad_module crashpad_module_at(const dmp_file *f, size_t i)
{
    dmp_crashpad_module m;
    ck_assert_int_eq(dmp_crashpad_module_get(f, i, &m), DMP_OK);
    return m;
}

/* Three links: a full 28-byte record, an old 20-byte one, and a longer future one naming a
 * module the dump lacks. Values point into the dump. */
START_TEST(crashpad_modules_every_field)
{
    struct mkdump *b = mkd_new(0);
    const uint32_t list0[] = {add_utf8(b, "abort message: boom"), 0, add_utf8(b, "x\xff")};
    const uint32_t list = add_words(b, 3, list0, 3);
    const uint32_t pairs[] = {add_utf8(b, "k"), add_utf8(b, "v"), add_utf8(b, "a"),
                              add_utf8(b, "b")};
    const uint32_t simple0 = add_words(b, 1, pairs, 2);
    const uint32_t simple1 = add_words(b, 1, pairs + 2, 2);
    const uint8_t blob[] = {1, 2, 0, 3};
    const uint32_t blob_rva = add_bytes(b, blob, sizeof blob);
    const uint32_t objs[][3] = {
        {add_utf8(b, "text"), DMP_CRASHPAD_ANNOTATION_STRING, add_bytes(b, "hi\0x", 4)},
        {add_utf8(b, "blob"), 0x8001, blob_rva},
        {0, DMP_CRASHPAD_ANNOTATION_STRING, 0},
        {add_utf8(b, "empty"), DMP_CRASHPAD_ANNOTATION_STRING, add_bytes(b, NULL, 0)},
    };
    const uint32_t objects = add_objects(b, 4, objs, 4);
    const uint32_t info0[] = {4 + 12, list, 4 + 8, simple0, 4 + 4 * 12, objects};
    const uint32_t info1[] = {0, 0, 4 + 8, simple1, 4 + 12, list};
    const uint32_t info2[] = {0, 0, 0, 0, 4 + 4 * 12, objects};
    const uint32_t links[] = {2, 28, add_module_info(b, info0, 28),
                              0, 20, add_module_info(b, info1, 20),
                              7, 36, add_module_info(b, info2, 36)};
    const uint32_t mods = add_words(b, 3, links, 9);
    add_crashpad_mods(b, 0, 0, 4 + 3 * 12, mods, 52);
    size_t len;
    const uint8_t *const data = mkd_finish(b, &len);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_crashpad_module_count(f), 3);
    const dmp_crashpad_module m0 = crashpad_module_at(f, 0), m1 = crashpad_module_at(f, 1),
                              m2 = crashpad_module_at(f, 2);
    ck_assert_uint_eq(m0.module_index, 2);
    ck_assert_uint_eq(m0.version, 1);
    ck_assert_uint_eq(m0.list_annotation_count, 3);
    ck_assert_uint_eq(m0.simple_annotation_count, 1);
    ck_assert_uint_eq(m0.annotation_object_count, 4);
    ck_assert_str_eq(list_annotation(f, 0, 0), "abort message: boom");
    ck_assert_str_eq(list_annotation(f, 0, 1), "");
    ck_assert_str_eq(list_annotation(f, 0, 2), "x\xef\xbf\xbd");
    const char *k = NULL, *v = NULL;
    ck_assert_int_eq(dmp_crashpad_module_simple_annotation_get(f, 0, 0, &k, &v), DMP_OK);
    ck_assert_str_eq(k, "k");
    ck_assert_str_eq(v, "v");
    dmp_crashpad_annotation a;
    ck_assert_int_eq(dmp_crashpad_module_annotation_object_get(f, 0, 0, &a), DMP_OK);
    ck_assert_str_eq(a.name, "text");
    ck_assert_uint_eq(a.type, DMP_CRASHPAD_ANNOTATION_STRING);
    ck_assert_uint_eq(a.value_len, 4);
    ck_assert_mem_eq(a.value, "hi\0x", 4);
    ck_assert_int_eq(dmp_crashpad_module_annotation_object_get(f, 0, 1, &a), DMP_OK);
    ck_assert_str_eq(a.name, "blob");
    ck_assert_uint_eq(a.type, 0x8001);
    ck_assert_ptr_eq(a.value, data + blob_rva + 4);
    ck_assert_uint_eq(a.value_len, 4);
    ck_assert_int_eq(dmp_crashpad_module_annotation_object_get(f, 0, 2, &a), DMP_OK);
    ck_assert_str_eq(a.name, "");
    ck_assert_ptr_null(a.value);
    ck_assert_uint_eq(a.value_len, 0);
    ck_assert_int_eq(dmp_crashpad_module_annotation_object_get(f, 0, 3, &a), DMP_OK);
    ck_assert_str_eq(a.name, "empty");
    ck_assert_ptr_null(a.value);
    /* The 20-byte record has no annotation objects, whatever follows it in the file. */
    ck_assert_uint_eq(m1.module_index, 0);
    ck_assert_uint_eq(m1.list_annotation_count, 0);
    ck_assert_uint_eq(m1.simple_annotation_count, 1);
    ck_assert_uint_eq(m1.annotation_object_count, 0);
    ck_assert_int_eq(dmp_crashpad_module_simple_annotation_get(f, 1, 0, &k, &v), DMP_OK);
    ck_assert_str_eq(k, "a");
    ck_assert_str_eq(v, "b");
    ck_assert_uint_eq(m2.module_index, 7);
    ck_assert_uint_eq(m2.annotation_object_count, 4);
    ck_assert_uint_eq(dmp_diag_count(f), 0);
    /* Past the counts, and bad arguments. */
    ck_assert_int_eq(dmp_crashpad_module_list_annotation_get(f, 0, 3, &v), DMP_E_NOT_FOUND);
    ck_assert_int_eq(dmp_crashpad_module_list_annotation_get(f, 3, 0, &v), DMP_E_NOT_FOUND);
    ck_assert_int_eq(dmp_crashpad_module_simple_annotation_get(f, 0, 1, &k, &v), DMP_E_NOT_FOUND);
    ck_assert_int_eq(dmp_crashpad_module_annotation_object_get(f, 1, 0, &a), DMP_E_NOT_FOUND);
    dmp_crashpad_module m;
    ck_assert_int_eq(dmp_crashpad_module_get(f, 3, &m), DMP_E_NOT_FOUND);
    ck_assert_int_eq(dmp_crashpad_module_get(f, 0, NULL), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_crashpad_module_get(NULL, 0, &m), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_crashpad_module_list_annotation_get(f, 0, 0, NULL), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_crashpad_module_simple_annotation_get(f, 0, 0, NULL, &v),
                     DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_crashpad_module_simple_annotation_get(f, 0, 0, &k, NULL),
                     DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_crashpad_module_annotation_object_get(f, 0, 0, NULL), DMP_E_INVALID_ARG);
    ck_assert_uint_eq(dmp_crashpad_module_count(NULL), 0);
    dmp_close(f);
    mkd_free(b);

    /* No CrashpadInfo: no modules. */
    b = mkd_new(0);
    f = open_built(b);
    ck_assert_uint_eq(dmp_crashpad_module_count(f), 0);
    ck_assert_int_eq(dmp_crashpad_module_get(f, 0, &m), DMP_E_NOT_FOUND);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* The module list's location: size 0 means none; RVA 0, past the file or too small for its
 * count is reported; a count past the location keeps the links inside it. */
START_TEST(crashpad_module_list_damaged)
{
    static const struct {
        uint32_t size, rva; /* rva 1: the real list */
        uint32_t count;
        size_t want, diags;
    } cases[] = {
        {0, 1, 2, 0, 0},           /* none */
        {28, 0, 2, 0, 1},          /* RVA 0 */
        {28, 0x7fff0000, 2, 0, 1}, /* past EOF */
        {3, 1, 2, 0, 1},           /* too small for the count */
        {16, 1, 2, 1, 1},          /* count claims 2, location holds 1 */
        {28, 1, 5, 2, 1},          /* count claims 5 */
        {28, 1, 1, 1, 0},          /* fewer claimed than the location holds */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct mkdump *b = mkd_new(0);
        const uint32_t list0[] = {add_utf8(b, "x")};
        const uint32_t info[] = {8, add_words(b, 1, list0, 1), 0, 0, 0, 0};
        const uint32_t rec = add_module_info(b, info, 28);
        const uint32_t links[] = {4, 28, rec, 5, 28, rec};
        const uint32_t mods = add_words(b, cases[i].count, links, 6);
        const uint32_t rva = cases[i].rva == 1 ? mods : cases[i].rva;
        add_crashpad_mods(b, 0, 0, cases[i].size, rva, 52);
        dmp_file *f = open_built(b);
        dmp_crashpad_info ci;
        ck_assert_int_eq(dmp_get_crashpad_info(f, &ci), DMP_OK);
        ck_assert_msg(dmp_crashpad_module_count(f) == cases[i].want, "case %zu: %zu modules", i,
                      dmp_crashpad_module_count(f));
        ck_assert_msg(dmp_diag_count(f) == cases[i].diags, "case %zu: %zu diagnostics", i,
                      dmp_diag_count(f));
        if (cases[i].diags)
            ck_assert_uint_eq(malformed_at(f, 0, rva), 1);
        if (cases[i].want) {
            ck_assert_uint_eq(crashpad_module_at(f, 0).module_index, 4);
            ck_assert_str_eq(list_annotation(f, 0, 0), "x");
        }
        dmp_close(f);
        mkd_free(b);
    }
}
END_TEST

/* A link whose record is too small, at RVA 0 or outside the file is dropped with a diagnostic
 * naming the link; the other links stay. */
START_TEST(crashpad_module_record_damaged)
{
    struct mkdump *b = mkd_new(0);
    const uint32_t list0[] = {add_utf8(b, "kept")};
    const uint32_t info[] = {8, add_words(b, 1, list0, 1), 0, 0, 0, 0};
    const uint32_t rec = add_module_info(b, info, 28);
    const uint32_t links[] = {
        1, 19, rec,        /* smaller than 20 bytes */
        2, 28, 0,          /* RVA 0 */
        3, 28, 0x7fff0000, /* past the file */
        4, 28, rec,        /* sound */
        5, 28, 0,          /* poked below: the record's last bytes past the file */
    };
    const uint32_t mods = add_words(b, 5, links, 15);
    const uint32_t s = add_crashpad_mods(b, 0, 0, 4 + 5 * 12, mods, 52);
    const uint32_t tail_info[] = {0, 0, 0, 0, 0, 0};
    const uint32_t tail = add_module_info(b, tail_info, 28);
    mkd_poke_u32(b, mods + 4 + 4 * 12 + 8, tail);
    size_t len;
    mkd_finish(b, &len);
    dmp_file *f = open_prefix(b, len - 1);
    ck_assert_uint_eq(dmp_crashpad_module_count(f), 1);
    ck_assert_uint_eq(crashpad_module_at(f, 0).module_index, 4);
    ck_assert_str_eq(list_annotation(f, 0, 0), "kept");
    for (uint64_t k = 0; k < 5; k++) {
        const uint64_t at = mods + 4 + 12 * k;
        size_t n = 0;
        for (size_t i = 0; i < dmp_diag_count(f); i++) {
            dmp_diag d;
            ck_assert_int_eq(dmp_diag_get(f, i, &d), DMP_OK);
            n += d.kind == DMP_DIAG_MALFORMED && d.stream_index == s && d.offset == at &&
                 d.count == 1 && d.descriptor == k;
        }
        ck_assert_msg(n == (k == 3 ? 0 : 1), "link %llu: %zu diagnostics", (unsigned long long)k,
                      n);
    }
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Inside a sound record: lists past the file or clipped by their location, names past the
 * file, values past it or cut by its end. The module stays, with what is sound. */
START_TEST(crashpad_module_lists_damaged)
{
    struct mkdump *b = mkd_new(0);
    const uint32_t list0[] = {add_utf8(b, "one"), add_utf8(b, "two")};
    const uint32_t list = add_words(b, 9, list0, 2); /* claims 9 */
    const uint32_t pairs[] = {add_utf8(b, "k"), add_utf8(b, "v")};
    const uint32_t simple = add_words(b, 1, pairs, 2);
    const uint32_t objs[][3] = {
        {0x7ffffff0, 1, add_bytes(b, "ok", 2)}, /* name past the file */
        {add_utf8(b, "far"), 1, 0x7fffff00},    /* value past the file */
        {add_utf8(b, "cut"), 0x8000, 0},        /* value poked below: cut by the end */
    };
    const uint32_t objects = add_objects(b, 3, objs, 3);
    const uint32_t info0[] = {4 + 8, list, 4 + 8, 0x7fff0000, 4 + 3 * 12, objects};
    const uint32_t info1[] = {4 + 8, 0, 4 + 8, simple, 4 + 3 * 12 + 6, objects};
    const uint32_t links[] = {0, 28, add_module_info(b, info0, 28),
                              1, 28, add_module_info(b, info1, 28)};
    const uint32_t mods = add_words(b, 2, links, 6);
    add_crashpad_mods(b, 0, 0, 4 + 2 * 12, mods, 52);
    const uint8_t cut[] = {100, 0, 0, 0, 0xaa, 0xbb};
    const uint32_t tail = (uint32_t)mkd_append(b, cut, sizeof cut);
    mkd_poke_u32(b, objects + 4 + 2 * 12 + 8, tail);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_crashpad_module_count(f), 2);
    const dmp_crashpad_module m0 = crashpad_module_at(f, 0), m1 = crashpad_module_at(f, 1);
    ck_assert_uint_eq(m0.list_annotation_count, 2);
    ck_assert_str_eq(list_annotation(f, 0, 1), "two");
    ck_assert_uint_eq(m0.simple_annotation_count, 0);
    ck_assert_uint_eq(m0.annotation_object_count, 3);
    dmp_crashpad_annotation a;
    ck_assert_int_eq(dmp_crashpad_module_annotation_object_get(f, 0, 0, &a), DMP_OK);
    ck_assert_str_eq(a.name, "");
    ck_assert_uint_eq(a.value_len, 2);
    ck_assert_int_eq(dmp_crashpad_module_annotation_object_get(f, 0, 1, &a), DMP_OK);
    ck_assert_str_eq(a.name, "far");
    ck_assert_ptr_null(a.value);
    ck_assert_uint_eq(a.value_len, 0);
    ck_assert_int_eq(dmp_crashpad_module_annotation_object_get(f, 0, 2, &a), DMP_OK);
    ck_assert_str_eq(a.name, "cut");
    ck_assert_uint_eq(a.value_len, 2);
    ck_assert_mem_eq(a.value, "\xaa\xbb", 2);
    ck_assert_uint_eq(malformed_at(f, 0, list), 1);       /* count past the location */
    ck_assert_uint_eq(malformed_at(f, 0, 0x7fff0000), 1); /* simple annotations past EOF */
    /* Both modules list the same objects: each bad one is reported for each. */
    ck_assert_uint_eq(malformed_at(f, 0, 0x7ffffff0), 2); /* name */
    ck_assert_uint_eq(malformed_at(f, 0, 0x7fffff00), 2); /* value */
    ck_assert_uint_eq(malformed_at(f, 0, tail), 2);       /* value cut */
    /* Module 1: the list at RVA 0 is reported; the objects' location holds 3 entries and a
     * part of a fourth, but the count says 3: no diagnostic of its own. */
    ck_assert_uint_eq(m1.list_annotation_count, 0);
    ck_assert_uint_eq(m1.simple_annotation_count, 1);
    ck_assert_uint_eq(m1.annotation_object_count, 3);
    ck_assert_uint_eq(malformed_at(f, 0, 0), 1);
    ck_assert_uint_eq(dmp_diag_count(f), 5 + 4);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Links that all name one long list stop at one entry per 4 bytes of file, reported once. */
START_TEST(crashpad_module_entry_budget)
{
    struct mkdump *b = mkd_new(0);
    enum { ENTRIES = 1000, LINKS = 2000 };
    uint32_t *const words = calloc(3 * LINKS, sizeof *words); /* RVA 0 entries: "" */
    const uint32_t list = add_words(b, ENTRIES, words, ENTRIES);
    const uint32_t info[] = {4 + 4 * ENTRIES, list, 0, 0, 0, 0};
    const uint32_t rec = add_module_info(b, info, 28);
    for (size_t k = 0; k < LINKS; k++)
        words[3 * k] = (uint32_t)k, words[3 * k + 1] = 28, words[3 * k + 2] = rec;
    const uint32_t mods = add_words(b, LINKS, words, 3 * LINKS);
    free(words);
    add_crashpad_mods(b, 0, 0, 4 + 12 * LINKS, mods, 52);
    size_t len;
    mkd_finish(b, &len);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_crashpad_module_count(f), LINKS);
    size_t total = 0;
    for (size_t i = 0; i < LINKS; i++)
        total += crashpad_module_at(f, i).list_annotation_count;
    ck_assert_uint_eq(total, len / 4);
    ck_assert_uint_eq(malformed_at(f, 0, list), 1);
    ck_assert_uint_eq(dmp_diag_count(f), 1);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

int main(void)

{
    Suite *s = suite_create("extras");
    TCase *tc = tcase_create("comments");
    tcase_add_test(tc, comment_a_as_utf8);
    tcase_add_test(tc, comment_w_preferred);
    tcase_add_test(tc, comment_w_odd_length);
    tcase_add_test(tc, comment_damaged_and_duplicates);
    tcase_add_test(tc, comment_empty_and_absent);
    suite_add_tcase(s, tc);
    tc = tcase_create("breakpad-linux");
    tcase_add_test(tc, breakpad_info_sizes);
    tcase_add_test(tc, auxv_word_sizes);
    tcase_add_test(tc, auxv_partial_pair_and_duplicates);
    tcase_add_test(tc, dso_debug_first_usable);
    tcase_add_test(tc, dso_debug_both_word_sizes);
    tcase_add_test(tc, dso_debug_damaged);
    suite_add_tcase(s, tc);
    tc = tcase_create("crashpad");
    tcase_add_test(tc, crashpad_info_every_field);
    tcase_add_test(tc, crashpad_info_too_short_or_absent);
    tcase_add_test(tc, crashpad_dictionary_damaged);
    tcase_add_test(tc, crashpad_strings_damaged);
    tcase_add_test(tc, crashpad_string_budget);
    tcase_add_test(tc, crashpad_modules_every_field);
    tcase_add_test(tc, crashpad_module_list_damaged);
    tcase_add_test(tc, crashpad_module_record_damaged);
    tcase_add_test(tc, crashpad_module_lists_damaged);
    tcase_add_test(tc, crashpad_module_entry_budget);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
