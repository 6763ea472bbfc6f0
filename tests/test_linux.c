/* test_linux.c - Breakpad's Linux text streams (linux.c) and LinuxDsoDebug's r_debug header on
 * built dumps: item splitting, fields, maps lines good and bad (diagnostics at their file
 * offsets), repeated streams; then the real Linux dumps of the shared corpus, checked against
 * their raw stream bytes.
 * SPDX-License-Identifier: MIT */
#include "manifest.h"
#include "suite.h"

#include <stdio.h>
#include <string.h>

static void text_is(const dmp_text *t, const char *want, size_t want_len)
{
    ck_assert_msg(t->len == want_len && memcmp(t->data, want, want_len) == 0,
                  "got '%.*s' (%zu bytes), want '%.*s'", (int)t->len, t->data, t->len,
                  (int)want_len, want);
}

#define TEXT_IS(t, lit) text_is((t), (lit), sizeof(lit) - 1)

static dmp_text item(const dmp_file *f, uint32_t type, size_t i)
{
    dmp_text t;
    ck_assert_int_eq(dmp_linux_item_get(f, type, i, &t), DMP_OK);
    return t;
}

static uint32_t add_text(struct mkdump *b, uint32_t type, const char *bytes, size_t len)
{
    return mkd_add_stream_data(b, type, bytes, len);
}

#define ADD_TEXT(b, type, lit) add_text((b), (type), (lit), sizeof(lit) - 1)

/* ---- Item splitting ------------------------------------------------------------------- */

START_TEST(cmdline_nul_separated)
{
    struct mkdump *b = mkd_new(0);
    ADD_TEXT(b, DMP_STREAM_LINUX_CMD_LINE, "/bin/prog\0-x\0\0a b\0");
    ADD_TEXT(b, DMP_STREAM_LINUX_ENVIRON, "HOME=/root\0LANG=C"); /* no final NUL */
    dmp_file *f = open_built(b);
    const uint32_t cl = DMP_STREAM_LINUX_CMD_LINE, env = DMP_STREAM_LINUX_ENVIRON;
    ck_assert_uint_eq(dmp_linux_item_count(f, cl), 4);
    dmp_text t = item(f, cl, 0);
    TEXT_IS(&t, "/bin/prog");
    t = item(f, cl, 1);
    TEXT_IS(&t, "-x");
    t = item(f, cl, 2);
    ck_assert_uint_eq(t.len, 0); /* an empty argument between two NULs is kept */
    t = item(f, cl, 3);
    TEXT_IS(&t, "a b");
    ck_assert_int_eq(dmp_linux_item_get(f, cl, 4, &t), DMP_E_NOT_FOUND);
    ck_assert_uint_eq(dmp_linux_item_count(f, env), 2);
    t = item(f, env, 1);
    TEXT_IS(&t, "LANG=C");
    /* Not a text stream, NULL arguments. */
    ck_assert_uint_eq(dmp_linux_item_count(f, DMP_STREAM_LINUX_AUXV), 0);
    ck_assert_int_eq(dmp_linux_item_get(f, DMP_STREAM_LINUX_AUXV, 0, &t), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_linux_item_get(f, cl, 0, NULL), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_linux_item_get(NULL, cl, 0, &t), DMP_E_INVALID_ARG);
    ck_assert_uint_eq(dmp_linux_item_count(NULL, cl), 0);
    /* Absent streams. */
    ck_assert_uint_eq(dmp_linux_item_count(f, DMP_STREAM_LINUX_MAPS), 0);
    ck_assert_uint_eq(dmp_linux_map_count(f), 0);
    ck_assert_uint_eq(dmp_diag_count(f), 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(lines_keep_any_byte)
{
    struct mkdump *b = mkd_new(0);
    /* A NUL and a byte that is not UTF-8 inside a line; blank lines are not items. */
    ADD_TEXT(b, DMP_STREAM_LINUX_PROC_STATUS, "Name:\tdri\0ver\n\n\nState:\t\xff R\n");
    ADD_TEXT(b, DMP_STREAM_LINUX_CMD_LINE, "");
    dmp_file *f = open_built(b);
    const uint32_t ps = DMP_STREAM_LINUX_PROC_STATUS;
    ck_assert_uint_eq(dmp_linux_item_count(f, ps), 2);
    dmp_text t = item(f, ps, 0);
    TEXT_IS(&t, "Name:\tdri\0ver");
    dmp_text k, v;
    ck_assert_int_eq(dmp_linux_field_get(f, ps, 1, &k, &v), DMP_OK);
    TEXT_IS(&k, "State");
    TEXT_IS(&v, "\xff R");
    ck_assert_uint_eq(dmp_linux_item_count(f, DMP_STREAM_LINUX_CMD_LINE), 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* ---- Fields --------------------------------------------------------------------------- */

START_TEST(proc_status_fields)
{
    struct mkdump *b = mkd_new(0);
    ADD_TEXT(b, DMP_STREAM_LINUX_PROC_STATUS,
             "Name:\tdriver\nState:\tt (tracing stop)\nno separator here\nVmRSS:\t    1116 kB\n"
             "Uid:\t1\t2\t3\t4\nVmRSS:\t9 kB\n");
    dmp_file *f = open_built(b);
    const uint32_t ps = DMP_STREAM_LINUX_PROC_STATUS;
    ck_assert_uint_eq(dmp_linux_item_count(f, ps), 6);
    dmp_text k, v;
    ck_assert_int_eq(dmp_linux_field_get(f, ps, 1, &k, &v), DMP_OK);
    TEXT_IS(&k, "State");
    TEXT_IS(&v, "t (tracing stop)");
    ck_assert_int_eq(dmp_linux_field_get(f, ps, 2, &k, &v), DMP_E_NOT_FOUND);
    ck_assert_int_eq(dmp_linux_field_get(f, ps, 6, &k, &v), DMP_E_NOT_FOUND);
    /* The first of two fields with one key; inner tabs stay, outer blanks go. */
    ck_assert_int_eq(dmp_linux_field_find(f, ps, "VmRSS", &v), DMP_OK);
    TEXT_IS(&v, "1116 kB");
    ck_assert_int_eq(dmp_linux_field_find(f, ps, "Uid", &v), DMP_OK);
    TEXT_IS(&v, "1\t2\t3\t4");
    ck_assert_int_eq(dmp_linux_field_find(f, ps, "VmRS", &v), DMP_E_NOT_FOUND);
    ck_assert_int_eq(dmp_linux_field_find(f, ps, "no separator here", &v), DMP_E_NOT_FOUND);
    /* Fields exist only for the key-value streams. */
    ck_assert_int_eq(dmp_linux_field_get(f, DMP_STREAM_LINUX_CMD_LINE, 0, &k, &v),
                     DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_linux_field_find(f, DMP_STREAM_LINUX_MAPS, "x", &v), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_linux_field_find(f, ps, NULL, &v), DMP_E_INVALID_ARG);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(lsb_release_and_cpu_info_fields)
{
    struct mkdump *b = mkd_new(0);
    ADD_TEXT(b, DMP_STREAM_LINUX_LSB_RELEASE,
             "# comment\nDISTRIB_ID=Ubuntu\nDISTRIB_DESCRIPTION=\"Ubuntu 14.04 LTS\"\n"
             "PRETTY_NAME='Debian'\nODD=\"open\nURL=a=b\nEMPTY=\"\"\n");
    ADD_TEXT(b, DMP_STREAM_LINUX_CPU_INFO,
             "processor\t: 0\nmodel name\t: Intel(R) Xeon(R)\nflags\t\t: fpu vme\n\n"
             "processor\t: 1\n");
    dmp_file *f = open_built(b);
    const uint32_t lsb = DMP_STREAM_LINUX_LSB_RELEASE, cpu = DMP_STREAM_LINUX_CPU_INFO;
    dmp_text k, v;
    ck_assert_int_eq(dmp_linux_field_get(f, lsb, 0, &k, &v), DMP_E_NOT_FOUND); /* # comment */
    ck_assert_int_eq(dmp_linux_field_find(f, lsb, "DISTRIB_DESCRIPTION", &v), DMP_OK);
    TEXT_IS(&v, "Ubuntu 14.04 LTS");
    ck_assert_int_eq(dmp_linux_field_find(f, lsb, "PRETTY_NAME", &v), DMP_OK);
    TEXT_IS(&v, "Debian");
    ck_assert_int_eq(dmp_linux_field_find(f, lsb, "ODD", &v), DMP_OK);
    TEXT_IS(&v, "\"open"); /* unmatched quotes stay */
    ck_assert_int_eq(dmp_linux_field_find(f, lsb, "URL", &v), DMP_OK);
    TEXT_IS(&v, "a=b"); /* split at the first '=' */
    ck_assert_int_eq(dmp_linux_field_find(f, lsb, "EMPTY", &v), DMP_OK);
    ck_assert_uint_eq(v.len, 0);
    ck_assert_uint_eq(dmp_linux_item_count(f, cpu), 4);
    ck_assert_int_eq(dmp_linux_field_get(f, cpu, 1, &k, &v), DMP_OK);
    TEXT_IS(&k, "model name");
    TEXT_IS(&v, "Intel(R) Xeon(R)");
    ck_assert_int_eq(dmp_linux_field_get(f, cpu, 3, &k, &v), DMP_OK);
    TEXT_IS(&k, "processor");
    TEXT_IS(&v, "1");
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* ---- LinuxMaps ------------------------------------------------------------------------ */

static const char maps_text[] =
    "00400000-00417000 r-xp 00000000 fc:02 24648913                           /opt/my app\n"
    "zz400000-00417000 r-xp 00000000 fc:02 1 /bad/hex\n"
    "7f5aa11fd000-7f5aa1202000 rw-p 00000000 00:00 0 \n"
    "00500000-00400000 r--p 00000000 00:00 0 /end/below/start\n"
    "7ffcdb5f1000-7ffcdb5f3000 r-xp 00000000 00:00 0                          [vdso]\n"
    "00400000-00417000 r-x 00000000 fc:02 1 /bad/perms\n"
    "10000000000000000-10000000000000001 r--p 0 0:0 0 /seventeen/digits\n"
    "00600000-00601000 rw-p 0001a000 08:01 77 /lib/libc.so (deleted)\n"
    "00700000-00701000 rw-p 0 08:01\n"
    "ffffffffff600000-ffffffffff601000 r-xp 00000000 00:00 0                  [vsyscall]";

/* The file offset of line `k` of maps_text inside the stream at `rva`. */
static uint64_t line_offset(uint64_t rva, size_t k)
{
    const char *p = maps_text;
    for (size_t i = 0; i < k; i++)
        p = strchr(p, '\n') + 1;
    return rva + (uint64_t)(p - maps_text);
}

START_TEST(maps_lines_parsed_and_bad_ones_reported)
{
    struct mkdump *b = mkd_new(0);
    const uint32_t s = add_text(b, DMP_STREAM_LINUX_MAPS, maps_text, sizeof maps_text - 1);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_linux_item_count(f, DMP_STREAM_LINUX_MAPS), 10);
    ck_assert_uint_eq(dmp_linux_map_count(f), 5);
    dmp_linux_map m;
    ck_assert_int_eq(dmp_linux_map_get(f, 0, &m), DMP_OK);
    ck_assert_uint_eq(m.base, 0x400000);
    ck_assert_uint_eq(m.size, 0x17000);
    ck_assert_str_eq(m.perms, "r-xp");
    ck_assert_uint_eq(m.offset, 0);
    ck_assert_uint_eq(m.dev_major, 0xfc);
    ck_assert_uint_eq(m.dev_minor, 2);
    ck_assert_uint_eq(m.inode, 24648913);
    TEXT_IS(&m.path, "/opt/my app");
    ck_assert_int_eq(dmp_linux_map_get(f, 1, &m), DMP_OK);
    ck_assert_uint_eq(m.base, 0x7f5aa11fd000);
    ck_assert_uint_eq(m.path.len, 0); /* anonymous; the trailing blank is not a path */
    ck_assert_int_eq(dmp_linux_map_get(f, 3, &m), DMP_OK);
    ck_assert_uint_eq(m.offset, 0x1a000);
    ck_assert_uint_eq(m.dev_major, 8);
    TEXT_IS(&m.path, "/lib/libc.so (deleted)");
    ck_assert_int_eq(dmp_linux_map_get(f, 4, &m), DMP_OK);
    ck_assert_uint_eq(m.base, 0xffffffffff600000u);
    ck_assert_uint_eq(m.size, 0x1000);
    TEXT_IS(&m.path, "[vsyscall]"); /* last line, no newline */
    ck_assert_int_eq(dmp_linux_map_get(f, 5, &m), DMP_E_NOT_FOUND);
    ck_assert_int_eq(dmp_linux_map_get(f, 0, NULL), DMP_E_INVALID_ARG);
    /* One diagnostic per bad line (1, 3, 5, 6, 8), at the line's file offset. */
    static const size_t bad[] = {1, 3, 5, 6, 8};
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_MALFORMED, NULL), 5);
    size_t seen = 0;
    for (size_t i = 0; i < dmp_diag_count(f); i++) {
        dmp_diag d;
        ck_assert_int_eq(dmp_diag_get(f, i, &d), DMP_OK);
        ck_assert_uint_eq(d.stream_index, s);
        ck_assert_uint_eq(d.stream_type, DMP_STREAM_LINUX_MAPS);
        ck_assert_uint_eq(d.descriptor, bad[seen]);
        ck_assert_uint_eq(d.offset, line_offset(mkd_stream_rva(b, s), bad[seen]));
        seen++;
    }
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(repeated_and_past_eof_streams)
{
    struct mkdump *b = mkd_new(0);
    const uint32_t gone = mkd_add_stream(b, DMP_STREAM_LINUX_CMD_LINE, 0x7fffff00, 16);
    ADD_TEXT(b, DMP_STREAM_LINUX_CMD_LINE, "first\0");
    const uint32_t late = ADD_TEXT(b, DMP_STREAM_LINUX_CMD_LINE, "second\0");
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_linux_item_count(f, DMP_STREAM_LINUX_CMD_LINE), 1);
    dmp_text t = item(f, DMP_STREAM_LINUX_CMD_LINE, 0);
    TEXT_IS(&t, "first");
    dmp_diag d;
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_STREAM_PAST_EOF, &d), 1);
    ck_assert_uint_eq(d.stream_index, gone);
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_MALFORMED, &d), 1);
    ck_assert_uint_eq(d.stream_index, late);
    ck_assert_uint_eq(d.offset, mkd_stream_rva(b, late));
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(items_capped_with_a_diagnostic)
{
    const size_t cap = (size_t)1 << 20, len = cap + 5;
    char *const nuls = calloc(1, len); /* len empty arguments */
    struct mkdump *b = mkd_new(0);
    const uint32_t s = add_text(b, DMP_STREAM_LINUX_CMD_LINE, nuls, len);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_linux_item_count(f, DMP_STREAM_LINUX_CMD_LINE), cap);
    dmp_diag d;
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_MALFORMED, &d), 1);
    ck_assert_uint_eq(d.stream_index, s);
    ck_assert_uint_eq(d.offset, mkd_stream_rva(b, s) + cap); /* the first string left out */
    dmp_close(f);
    mkd_free(b);
    free(nuls);
}
END_TEST

/* ---- r_debug and auxv names ----------------------------------------------------------- */

static void add_system_info(struct mkdump *b, uint16_t arch)
{
    uint8_t rec[56] = {0};
    mkd_store_u16(rec, arch);
    mkd_store_u32(rec + 20, DMP_PLATFORM_LINUX);
    mkd_add_stream_data(b, DMP_STREAM_SYSTEM_INFO, rec, sizeof rec);
}

START_TEST(r_debug_both_word_sizes)
{
    for (int word = 4; word <= 8; word += 4) {
        struct mkdump *b = mkd_new(0);
        add_system_info(b, word == 4 ? DMP_ARCH_X86 : DMP_ARCH_AMD64);
        uint8_t rec[40] = {0};
        mkd_store_u32(rec, 1);
        mkd_store_u32(rec + 4, 0); /* no link maps */
        mkd_store_u32(rec + 8, 0);
        uint8_t *const w = rec + (word == 4 ? 12 : 16);
        for (int k = 0; k < 3; k++) {
            if (word == 4)
                mkd_store_u32(w + 4 * k, 0x1000u * (unsigned)(k + 1) + 1);
            else
                mkd_store_u64(w + 8 * k, 0x7f0000000000u + 0x1000u * (unsigned)(k + 1) + 1);
        }
        mkd_add_stream_data(b, DMP_STREAM_LINUX_DSO_DEBUG, rec, word == 4 ? 24 : 40);
        dmp_file *f = open_built(b);
        dmp_linux_debug d;
        ck_assert_int_eq(dmp_get_linux_debug(f, &d), DMP_OK);
        ck_assert_uint_eq(d.version, 1);
        ck_assert_uint_eq(d.dso_count, 0);
        const uint64_t high = word == 8 ? 0x7f0000000000u : 0;
        ck_assert_uint_eq(d.brk, high + 0x1001);
        ck_assert_uint_eq(d.ldbase, high + 0x2001);
        ck_assert_uint_eq(d.dynamic, high + 0x3001);
        ck_assert_uint_eq(dmp_diag_count(f), 0);
        dmp_close(f);
        mkd_free(b);
    }
}
END_TEST

START_TEST(r_debug_short_or_absent)
{
    struct mkdump *b = mkd_new(0);
    add_system_info(b, DMP_ARCH_AMD64);
    dmp_file *f = open_built(b);
    dmp_linux_debug d = {.version = 77};
    ck_assert_int_eq(dmp_get_linux_debug(f, &d), DMP_E_ABSENT);
    ck_assert_int_eq(dmp_get_linux_debug(f, NULL), DMP_E_INVALID_ARG);
    dmp_close(f);
    const uint8_t short_rec[24] = {1};
    const uint32_t s = mkd_add_stream_data(b, DMP_STREAM_LINUX_DSO_DEBUG, short_rec, 24);
    f = open_built(b);
    ck_assert_int_eq(dmp_get_linux_debug(f, &d), DMP_E_MALFORMED);
    ck_assert_uint_eq(d.version, 77); /* untouched */
    dmp_diag diag;
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_MALFORMED, &diag), 1);
    ck_assert_uint_eq(diag.stream_index, s);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(auxv_type_names)
{
    ck_assert_str_eq(dmp_auxv_type_name(0), "AT_NULL");
    ck_assert_str_eq(dmp_auxv_type_name(3), "AT_PHDR");
    ck_assert_str_eq(dmp_auxv_type_name(25), "AT_RANDOM");
    ck_assert_str_eq(dmp_auxv_type_name(33), "AT_SYSINFO_EHDR");
    ck_assert_str_eq(dmp_auxv_type_name(51), "AT_MINSIGSTKSZ");
    ck_assert_ptr_null(dmp_auxv_type_name(38)); /* a hole in the numbering */
    ck_assert_ptr_null(dmp_auxv_type_name(52));
    ck_assert_ptr_null(dmp_auxv_type_name(UINT64_MAX));
}
END_TEST

/* ---- The shared corpus ---------------------------------------------------------------- */

/* The raw bytes of the first stream of `type`, or false. */
static bool raw_stream(const dmp_file *f, uint32_t type, const char **data, size_t *len)
{
    size_t index;
    const void *p;
    if (dmp_stream_find(f, type, 0, &index) != DMP_OK ||
        dmp_stream_data(f, index, &p, len) != DMP_OK)
        return false;
    *data = p;
    return true;
}

/* The items joined again with their separator must give back the stream's bytes, less a
 * final separator and (for lines) blank lines. */
static void check_rejoin(const dmp_file *f, uint32_t type, const char *file)
{
    const char *raw;
    size_t len;
    if (!raw_stream(f, type, &raw, &len))
        return;
    const char sep =
        type == DMP_STREAM_LINUX_CMD_LINE || type == DMP_STREAM_LINUX_ENVIRON ? 0 : '\n';
    while (sep == '\n' && len > 0 && raw[len - 1] == 0)
        len--; /* a C string's terminator */
    size_t at = 0;
    for (size_t i = 0; i < dmp_linux_item_count(f, type); i++) {
        const dmp_text t = item(f, type, i);
        while (sep == '\n' && at < len && raw[at] == '\n')
            at++;
        ck_assert_msg(t.len <= len - at && memcmp(raw + at, t.data, t.len) == 0,
                      "%s: item %zu of 0x%x differs from the stream's bytes", file, i, type);
        at += t.len;
        ck_assert_msg(at == len || raw[at] == sep, "%s: item %zu not ended by its separator", file,
                      i);
        at += at < len;
    }
    while (sep == '\n' && at < len && raw[at] == '\n')
        at++;
    ck_assert_msg(at == len, "%s: %zu bytes of 0x%x not in any item", file, len - at, type);
}

static size_t diags_of(const dmp_file *f, uint32_t type)
{
    size_t n = 0;
    for (size_t i = 0; i < dmp_diag_count(f); i++) {
        dmp_diag d;
        ck_assert_int_eq(dmp_diag_get(f, i, &d), DMP_OK);
        n += d.kind == DMP_DIAG_MALFORMED && d.stream_type == type;
    }
    return n;
}

START_TEST(shared_linux_dumps)
{
    const char *const file = manifest_get((size_t)_i, "file");
    if (!strstr(manifest_get((size_t)_i, "stream_types"), "LinuxMaps"))
        return;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", DMPREAD_SHARED_DUMPS, file);
    dmp_file *f = NULL;
    ck_assert_int_eq(dmp_open(path, &f), DMP_OK);
    static const uint32_t types[] = {DMP_STREAM_LINUX_CPU_INFO,    DMP_STREAM_LINUX_PROC_STATUS,
                                     DMP_STREAM_LINUX_LSB_RELEASE, DMP_STREAM_LINUX_CMD_LINE,
                                     DMP_STREAM_LINUX_ENVIRON,     DMP_STREAM_LINUX_MAPS};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        check_rejoin(f, types[i], file);
    /* Every maps line of a real kernel parses, but for a last line the writer cut short
     * (linux_executable_stack.dmp's ends in "00:"): that one alone is reported. Fuzzed
     * dumps are excluded; each mapping lies above the previous. */
    const char *raw;
    size_t len;
    const size_t lines = dmp_linux_item_count(f, DMP_STREAM_LINUX_MAPS);
    const bool cut = raw_stream(f, DMP_STREAM_LINUX_MAPS, &raw, &len) && len > 0 &&
                     raw[len - 1] != '\n' && raw[len - 1] != 0;
    if (strncmp(manifest_get((size_t)_i, "kind"), "malformed", 9) != 0) {
        ck_assert_msg(dmp_linux_map_count(f) == lines ||
                          (cut && dmp_linux_map_count(f) + 1 == lines),
                      "%s: %zu of %zu maps lines parse", file, dmp_linux_map_count(f), lines);
        ck_assert_uint_eq(diags_of(f, DMP_STREAM_LINUX_MAPS), lines - dmp_linux_map_count(f));
    }
    uint64_t end = 0;
    for (size_t i = 0; i < dmp_linux_map_count(f); i++) {
        dmp_linux_map m;
        ck_assert_int_eq(dmp_linux_map_get(f, i, &m), DMP_OK);
        ck_assert_msg(m.base >= end && m.size > 0, "%s: map %zu out of order", file, i);
        end = m.base + m.size;
    }
    /* r_debug's count is the number of link maps read when they are all in the file
     * (linux_executable_stack.dmp's DsoDebug is damaged, and reported). */
    dmp_linux_debug d;
    if (dmp_get_linux_debug(f, &d) == DMP_OK && diags_of(f, DMP_STREAM_LINUX_DSO_DEBUG) == 0)
        ck_assert_uint_eq(d.dso_count, dmp_linux_dso_count(f));
    printf("test_linux: %-50s %zu maps, %zu args, %zu env\n", file, dmp_linux_map_count(f),
           dmp_linux_item_count(f, DMP_STREAM_LINUX_CMD_LINE),
           dmp_linux_item_count(f, DMP_STREAM_LINUX_ENVIRON));
    dmp_close(f);
}
END_TEST

/* Facts minidump_dump (Breakpad) prints for this dump: its MD_LINUX_CMD_LINE is "./driver\0"
 * and its MD_LINUX_LSB_RELEASE says DISTRIB_DESCRIPTION="Ubuntu 14.04 LTS". */
START_TEST(shared_dump_known_linux_facts)
{
    dmp_file *f = NULL;
    ck_assert_int_eq(dmp_open(DMPREAD_SHARED_DUMPS "/breakpad/linux_raise_sigabrt.dmp", &f),
                     DMP_OK);
    ck_assert_uint_eq(dmp_linux_item_count(f, DMP_STREAM_LINUX_CMD_LINE), 1);
    dmp_text t = item(f, DMP_STREAM_LINUX_CMD_LINE, 0);
    TEXT_IS(&t, "./driver");
    ck_assert_int_eq(
        dmp_linux_field_find(f, DMP_STREAM_LINUX_LSB_RELEASE, "DISTRIB_DESCRIPTION", &t), DMP_OK);
    TEXT_IS(&t, "Ubuntu 14.04 LTS");
    ck_assert_int_eq(dmp_linux_field_find(f, DMP_STREAM_LINUX_PROC_STATUS, "Name", &t), DMP_OK);
    TEXT_IS(&t, "driver");
    dmp_close(f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("linux");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, cmdline_nul_separated);
    tcase_add_test(tc, lines_keep_any_byte);
    tcase_add_test(tc, proc_status_fields);
    tcase_add_test(tc, lsb_release_and_cpu_info_fields);
    tcase_add_test(tc, maps_lines_parsed_and_bad_ones_reported);
    tcase_add_test(tc, repeated_and_past_eof_streams);
    tcase_add_test(tc, items_capped_with_a_diagnostic);
    tcase_add_test(tc, r_debug_both_word_sizes);
    tcase_add_test(tc, r_debug_short_or_absent);
    tcase_add_test(tc, auxv_type_names);
    suite_add_tcase(s, tc);
    if (manifest_load(DMPREAD_SHARED_DUMPS)) {
        TCase *shared = tcase_create("shared-dumps");
        tcase_add_loop_test(shared, shared_linux_dumps, 0, (int)manifest_rows());
        tcase_add_test(shared, shared_dump_known_linux_facts);
        suite_add_tcase(s, shared);
    } else {
        printf("test_linux: shared dumps absent (%s): those cases skipped\n", DMPREAD_SHARED_DUMPS);
    }
    return run_suite(s);
}
