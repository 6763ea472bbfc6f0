/* test_sysinfo.c - SystemInfoStream, MiscInfoStream, ProcessVmCountersStream and
 * SystemMemoryInfoStream on built dumps: every field, every MINIDUMP_MISC_INFO and
 * _PROCESS_VM_COUNTERS version, and the damaged variants.
 * SPDX-License-Identifier: MIT */
#include "suite.h"

#include <string.h>

/* A MINIDUMP_STRING of ASCII text, appended; returns its RVA. */
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

/* The number of DMP_DIAG_MALFORMED diagnostics for `stream` at `offset`. */
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

/* ---- SystemInfo ---------------------------------------------------------------------- */

struct sys_fields {
    uint16_t arch;
    uint32_t platform;
    uint32_t csd_rva;
    const char *cpu; /* 24 bytes of CPU_INFORMATION */
};

static void fill_system_info(uint8_t *p, const struct sys_fields *s)
{
    memset(p, 0, 56);
    mkd_store_u16(p, s->arch);
    mkd_store_u16(p + 2, 6);      /* ProcessorLevel */
    mkd_store_u16(p + 4, 0x3a09); /* ProcessorRevision */
    p[6] = 8;                     /* NumberOfProcessors */
    p[7] = 3;                     /* ProductType: server */
    mkd_store_u32(p + 8, 10);
    mkd_store_u32(p + 12, 1);
    mkd_store_u32(p + 16, 22631);
    mkd_store_u32(p + 20, s->platform);
    mkd_store_u32(p + 24, s->csd_rva);
    mkd_store_u16(p + 28, 0x0110); /* SuiteMask */
    mkd_store_u16(p + 30, 0xbeef); /* Reserved2: not decoded */
    memcpy(p + 32, s->cpu, 24);
}

static const char x86_cpu[24] = "GenuineIntel\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\xcc";

START_TEST(system_info_x86_every_field)
{
    struct mkdump *b = mkd_new(0);
    const uint32_t csd = add_string(b, "Service Pack 2");
    uint8_t rec[56];
    fill_system_info(rec, &(struct sys_fields){DMP_ARCH_X86, DMP_PLATFORM_WINNT, csd, x86_cpu});
    mkd_add_stream_data(b, DMP_STREAM_SYSTEM_INFO, rec, sizeof rec);
    dmp_file *f = open_built(b);
    dmp_system_info si;
    ck_assert_int_eq(dmp_get_system_info(f, &si), DMP_OK);
    ck_assert_uint_eq(si.arch, DMP_ARCH_X86);
    ck_assert_uint_eq(si.processor_level, 6);
    ck_assert_uint_eq(si.processor_revision, 0x3a09);
    ck_assert_uint_eq(si.cpu_count, 8);
    ck_assert_uint_eq(si.product_type, 3);
    ck_assert_uint_eq(si.os_major, 10);
    ck_assert_uint_eq(si.os_minor, 1);
    ck_assert_uint_eq(si.os_build, 22631);
    ck_assert_uint_eq(si.platform, DMP_PLATFORM_WINNT);
    ck_assert_str_eq(si.csd_version, "Service Pack 2");
    ck_assert_uint_eq(si.suite_mask, 0x0110);
    ck_assert_str_eq(si.cpu_vendor, "GenuineIntel");
    ck_assert_uint_eq(si.cpu_version_info, 0x44332211);
    ck_assert_uint_eq(si.cpu_feature_info, 0x88776655);
    ck_assert_uint_eq(si.cpu_amd_extended_features, 0xccbbaa99);
    /* The union's other view is given too. */
    ck_assert_uint_eq(si.cpu_features[0], 0x49656e69756e6547u);
    ck_assert_uint_eq(dmp_diag_count(f), 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* dbghelp on AMD64 and Crashpad write ProcessorFeatures where the vendor would be. */
START_TEST(system_info_amd64_processor_features)
{
    struct mkdump *b = mkd_new(0);
    const char cpu[24] = "\x4c\x7f\x42\x10\x01\x00\x00\x00\x00\x00\x00\x00\x01\x02";
    uint8_t rec[56];
    fill_system_info(rec, &(struct sys_fields){DMP_ARCH_AMD64, DMP_PLATFORM_WINNT, 0, cpu});
    mkd_add_stream_data(b, DMP_STREAM_SYSTEM_INFO, rec, sizeof rec);
    dmp_file *f = open_built(b);
    dmp_system_info si;
    ck_assert_int_eq(dmp_get_system_info(f, &si), DMP_OK);
    ck_assert_str_eq(si.cpu_vendor, "");
    ck_assert_uint_eq(si.cpu_features[0], 0x0000000110427f4cu);
    ck_assert_uint_eq(si.cpu_features[1], 0x0000020100000000u);
    ck_assert_str_eq(si.csd_version, ""); /* CSDVersionRva 0: no string, no diagnostic */
    ck_assert_uint_eq(dmp_diag_count(f), 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Other architectures never get a vendor, even when the bytes look like one. */
START_TEST(system_info_arm_has_no_vendor)
{
    struct mkdump *b = mkd_new(0);
    uint8_t rec[56];
    fill_system_info(rec, &(struct sys_fields){DMP_ARCH_ARM64, DMP_PLATFORM_ANDROID, 0, x86_cpu});
    mkd_add_stream_data(b, DMP_STREAM_SYSTEM_INFO, rec, sizeof rec);
    dmp_file *f = open_built(b);
    dmp_system_info si;
    ck_assert_int_eq(dmp_get_system_info(f, &si), DMP_OK);
    ck_assert_str_eq(si.cpu_vendor, "");
    ck_assert_uint_eq(si.cpu_version_info, 0);
    ck_assert_uint_eq(si.cpu_feature_info, 0);
    ck_assert_uint_eq(si.cpu_amd_extended_features, 0);
    ck_assert_uint_eq(si.cpu_features[1], 0x443322116c65746eu);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(system_info_absent)
{
    struct mkdump *b = mkd_new(0);
    dmp_file *f = open_built(b);
    dmp_system_info si;
    memset(&si, 0x5a, sizeof si);
    ck_assert_int_eq(dmp_get_system_info(f, &si), DMP_E_ABSENT);
    ck_assert_uint_eq(si.arch, 0x5a5a); /* untouched */
    ck_assert_int_eq(dmp_get_system_info(NULL, &si), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_get_system_info(f, NULL), DMP_E_INVALID_ARG);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Shorter than 56 bytes: malformed. Longer: the known prefix is used. */
START_TEST(system_info_sizes)
{
    for (size_t len = 54; len <= 64; len += 2) {
        struct mkdump *b = mkd_new(0);
        uint8_t rec[64] = {0};
        fill_system_info(rec, &(struct sys_fields){DMP_ARCH_AMD64, DMP_PLATFORM_LINUX, 0, x86_cpu});
        const uint32_t s = mkd_add_stream_data(b, DMP_STREAM_SYSTEM_INFO, rec, len);
        dmp_file *f = open_built(b);
        dmp_system_info si;
        if (len < 56) {
            ck_assert_int_eq(dmp_get_system_info(f, &si), DMP_E_MALFORMED);
            ck_assert_uint_eq(malformed_at(f, s, mkd_stream_rva(b, s)), 1);
        } else {
            ck_assert_int_eq(dmp_get_system_info(f, &si), DMP_OK);
            ck_assert_uint_eq(si.platform, DMP_PLATFORM_LINUX);
            ck_assert_uint_eq(dmp_diag_count(f), 0);
        }
        dmp_close(f);
        mkd_free(b);
    }
}
END_TEST

/* A stream cut by the end of the file below 56 bytes is malformed too. */
START_TEST(system_info_clipped_at_eof)
{
    struct mkdump *b = mkd_new(0);
    uint8_t rec[56];
    fill_system_info(rec, &(struct sys_fields){DMP_ARCH_X86, DMP_PLATFORM_WINNT, 0, x86_cpu});
    const uint32_t s = mkd_add_stream_data(b, DMP_STREAM_SYSTEM_INFO, rec, sizeof rec);
    size_t len;
    mkd_finish(b, &len);
    dmp_file *f = open_prefix(b, len - 10);
    dmp_system_info si;
    ck_assert_int_eq(dmp_get_system_info(f, &si), DMP_E_MALFORMED);
    ck_assert_uint_eq(malformed_at(f, s, mkd_stream_rva(b, s)), 1);
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_STREAM_CLIPPED, NULL), 1);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(system_info_csd_damaged)
{
    /* Past EOF: "" and a diagnostic at the RVA. */
    struct mkdump *b = mkd_new(0);
    uint8_t rec[56];
    fill_system_info(rec,
                     &(struct sys_fields){DMP_ARCH_X86, DMP_PLATFORM_WINNT, 0x7fff0000, x86_cpu});
    uint32_t s = mkd_add_stream_data(b, DMP_STREAM_SYSTEM_INFO, rec, sizeof rec);
    dmp_file *f = open_built(b);
    dmp_system_info si;
    ck_assert_int_eq(dmp_get_system_info(f, &si), DMP_OK);
    ck_assert_str_eq(si.csd_version, "");
    ck_assert_uint_eq(malformed_at(f, s, 0x7fff0000), 1);
    dmp_close(f);
    mkd_free(b);

    /* Length past EOF: cut there. The string is the last thing in the file. */
    b = mkd_new(0);
    fill_system_info(rec, &(struct sys_fields){DMP_ARCH_X86, DMP_PLATFORM_WINNT, 0, x86_cpu});
    s = mkd_add_stream_data(b, DMP_STREAM_SYSTEM_INFO, rec, sizeof rec);
    const uint8_t str[] = {0x00, 0x01, 0, 0, 'S', 0, 'P', 0, '3', 0};
    mkd_poke_u32(b, mkd_stream_rva(b, s) + 24, (uint32_t)mkd_append(b, str, sizeof str));
    f = open_built(b);
    ck_assert_int_eq(dmp_get_system_info(f, &si), DMP_OK);
    ck_assert_str_eq(si.csd_version, "SP3");
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_MALFORMED, NULL), 1);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* The first sound SystemInfo wins; later ones are reported. A damaged first one does not
 * hide a good second. */
START_TEST(system_info_duplicates)
{
    struct mkdump *b = mkd_new(0);
    uint8_t rec[56];
    fill_system_info(rec, &(struct sys_fields){DMP_ARCH_ARM, DMP_PLATFORM_LINUX, 0, x86_cpu});
    const uint32_t bad = mkd_add_stream_data(b, DMP_STREAM_SYSTEM_INFO, rec, 40);
    mkd_add_stream_data(b, DMP_STREAM_SYSTEM_INFO, rec, sizeof rec);
    fill_system_info(rec, &(struct sys_fields){DMP_ARCH_X86, DMP_PLATFORM_WINNT, 0, x86_cpu});
    const uint32_t third = mkd_add_stream_data(b, DMP_STREAM_SYSTEM_INFO, rec, sizeof rec);
    dmp_file *f = open_built(b);
    dmp_system_info si;
    ck_assert_int_eq(dmp_get_system_info(f, &si), DMP_OK);
    ck_assert_uint_eq(si.arch, DMP_ARCH_ARM);
    ck_assert_uint_eq(malformed_at(f, bad, mkd_stream_rva(b, bad)), 1);
    ck_assert_uint_eq(malformed_at(f, third, mkd_stream_rva(b, third)), 1);
    ck_assert_uint_eq(dmp_diag_count(f), 2);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(arch_and_platform_names)
{
    const uint32_t archs[] = {
        DMP_ARCH_X86,          DMP_ARCH_MIPS,           DMP_ARCH_PPC,
        DMP_ARCH_ARM,          DMP_ARCH_IA64,           DMP_ARCH_AMD64,
        DMP_ARCH_X86_ON_WIN64, DMP_ARCH_ARM64,          DMP_ARCH_SPARC,
        DMP_ARCH_PPC64,        DMP_ARCH_ARM64_BREAKPAD, DMP_ARCH_MIPS64,
        DMP_ARCH_RISCV,        DMP_ARCH_RISCV64,
    };
    for (size_t i = 0; i < sizeof archs / sizeof archs[0]; i++)
        ck_assert_msg(dmp_arch_name(archs[i]) != NULL, "arch 0x%x has no name", archs[i]);
    ck_assert_str_eq(dmp_arch_name(DMP_ARCH_X86), "x86");
    ck_assert_str_eq(dmp_arch_name(DMP_ARCH_AMD64), "amd64");
    ck_assert_str_eq(dmp_arch_name(DMP_ARCH_ARM), "arm");
    ck_assert_str_eq(dmp_arch_name(DMP_ARCH_ARM64), "arm64");
    ck_assert_str_eq(dmp_arch_name(DMP_ARCH_ARM64_BREAKPAD), "arm64");
    ck_assert_ptr_null(dmp_arch_name(DMP_ARCH_UNKNOWN));
    ck_assert_ptr_null(dmp_arch_name(0x7777));
    const uint32_t platforms[] = {
        DMP_PLATFORM_WIN32S,  DMP_PLATFORM_WIN9X,   DMP_PLATFORM_WINNT, DMP_PLATFORM_WINCE,
        DMP_PLATFORM_UNIX,    DMP_PLATFORM_MACOS,   DMP_PLATFORM_IOS,   DMP_PLATFORM_LINUX,
        DMP_PLATFORM_SOLARIS, DMP_PLATFORM_ANDROID, DMP_PLATFORM_PS3,   DMP_PLATFORM_NACL,
        DMP_PLATFORM_FUCHSIA,
    };
    for (size_t i = 0; i < sizeof platforms / sizeof platforms[0]; i++)
        ck_assert_msg(dmp_platform_name(platforms[i]) != NULL, "platform 0x%x has no name",
                      platforms[i]);
    ck_assert_str_eq(dmp_platform_name(DMP_PLATFORM_WINNT), "Windows NT");
    ck_assert_str_eq(dmp_platform_name(DMP_PLATFORM_LINUX), "Linux");
    ck_assert_str_eq(dmp_platform_name(DMP_PLATFORM_MACOS), "macOS");
    ck_assert_str_eq(dmp_platform_name(DMP_PLATFORM_ANDROID), "Android");
    ck_assert_ptr_null(dmp_platform_name(0x9999));
}
END_TEST

/* ---- MiscInfo ------------------------------------------------------------------------ */

#define MISC_MAX 1400

static void put_wide(uint8_t *p, const char *text)
{
    for (size_t i = 0; text[i]; i++)
        mkd_store_u16(p + 2 * i, (uint8_t)text[i]);
}

/* A MINIDUMP_MISC_INFO_5 with every field set, SizeOfInfo `size_of_info`. */
static void fill_misc(uint8_t *p, uint32_t size_of_info, uint32_t flags)
{
    memset(p, 0, MISC_MAX);
    mkd_store_u32(p, size_of_info);
    mkd_store_u32(p + 4, flags);
    for (uint32_t k = 2; k < 15; k++)
        mkd_store_u32(p + 4 * k, 1000 + k); /* ProcessId .. TimeZoneId */
    mkd_store_u32(p + 60, (uint32_t)-60);   /* Bias */
    put_wide(p + 64, "W. Europe Standard Time");
    mkd_store_u32(p + 144, 0); /* StandardBias */
    put_wide(p + 148, "W. Europe Summer Time");
    mkd_store_u32(p + 228, (uint32_t)-60); /* DaylightBias */
    put_wide(p + 232, "10.0.22631.4751 (WinBuild.160101.0800)");
    put_wide(p + 752, "dbgcore.amd64,10.0.22621.1");
    mkd_store_u32(p + 832, 528); /* XSTATE_CONFIG_FEATURE_MSC_INFO.SizeOfInfo: not decoded */
    mkd_store_u32(p + 1360, 0x7c045215);
}

static dmp_file *open_misc(struct mkdump *b, const uint8_t *rec, size_t len)
{
    mkd_add_stream_data(b, DMP_STREAM_MISC_INFO, rec, len);
    return open_built(b);
}

/* Each version decodes its own fields; later ones stay 0 or "", and their flag bits are
 * cleared. */
START_TEST(misc_info_every_version)
{
    static const uint32_t sizes[] = {24, 44, 232, 832, 1364};
    const uint32_t size = sizes[_i];
    uint8_t rec[MISC_MAX];
    fill_misc(rec, size, 0x3f7 | 0x8);
    struct mkdump *b = mkd_new(0);
    dmp_file *f = open_misc(b, rec, size);
    dmp_misc_info m;
    ck_assert_int_eq(dmp_get_misc_info(f, &m), DMP_OK);
    ck_assert_uint_eq(dmp_diag_count(f), 0);
    ck_assert_uint_eq(m.size, size);
    static const uint32_t flags[] = {0xb, 0xf, 0xff, 0x1ff, 0x3ff};
    ck_assert_uint_eq(m.flags, flags[_i]); /* 0x8 is no known bit: kept as written */
    ck_assert_uint_eq(m.process_id, 1002);
    ck_assert_uint_eq(m.process_create_time, 1003);
    ck_assert_uint_eq(m.process_user_time, 1004);
    ck_assert_uint_eq(m.process_kernel_time, 1005);
    const bool v2 = size >= 44, v3 = size >= 232, v4 = size >= 832, v5 = size >= 1364;
    ck_assert_uint_eq(m.processor_max_mhz, v2 ? 1006 : 0);
    ck_assert_uint_eq(m.processor_current_mhz, v2 ? 1007 : 0);
    ck_assert_uint_eq(m.processor_mhz_limit, v2 ? 1008 : 0);
    ck_assert_uint_eq(m.processor_max_idle_state, v2 ? 1009 : 0);
    ck_assert_uint_eq(m.processor_current_idle_state, v2 ? 1010 : 0);
    ck_assert_uint_eq(m.process_integrity_level, v3 ? 1011 : 0);
    ck_assert_uint_eq(m.process_execute_flags, v3 ? 1012 : 0);
    ck_assert_uint_eq(m.protected_process, v3 ? 1013 : 0);
    ck_assert_uint_eq(m.time_zone_id, v3 ? 1014 : 0);
    ck_assert_int_eq(m.tz_bias, v3 ? -60 : 0);
    ck_assert_str_eq(m.tz_standard_name, v3 ? "W. Europe Standard Time" : "");
    ck_assert_int_eq(m.tz_standard_bias, 0);
    ck_assert_str_eq(m.tz_daylight_name, v3 ? "W. Europe Summer Time" : "");
    ck_assert_int_eq(m.tz_daylight_bias, v3 ? -60 : 0);
    ck_assert_str_eq(m.build_string, v4 ? "10.0.22631.4751 (WinBuild.160101.0800)" : "");
    ck_assert_str_eq(m.dbg_build_string, v4 ? "dbgcore.amd64,10.0.22621.1" : "");
    ck_assert_uint_eq(m.process_cookie, v5 ? 0x7c045215 : 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* The smaller of DataSize and SizeOfInfo decides, rounded down to a known version. */
START_TEST(misc_info_size_disagreements)
{
    static const struct {
        uint32_t size_of_info, data_size, want_size;
        size_t diags;
    } cases[] = {
        {232, 1364, 232, 0},   /* SizeOfInfo smaller: trusted */
        {1364, 832, 832, 1},   /* SizeOfInfo past the stream: the stream's bytes */
        {0, 24, 24, 1},        /* LLVM yaml2obj writes 0 */
        {12, 232, 232, 1},     /* below any version: the stream's bytes */
        {1368, 1368, 1364, 0}, /* Breakpad's macOS writer pads _5 */
        {100, 100, 44, 0},     /* between versions */
        {1364, 1000, 832, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t rec[MISC_MAX];
        fill_misc(rec, cases[i].size_of_info, 0x3f7);
        struct mkdump *b = mkd_new(0);
        dmp_file *f = open_misc(b, rec, cases[i].data_size);
        dmp_misc_info m;
        ck_assert_int_eq(dmp_get_misc_info(f, &m), DMP_OK);
        ck_assert_msg(m.size == cases[i].want_size, "case %zu: size %u", i, m.size);
        ck_assert_msg(dmp_diag_count(f) == cases[i].diags, "case %zu: %zu diagnostics", i,
                      dmp_diag_count(f));
        if (cases[i].diags)
            ck_assert_uint_eq(malformed_at(f, 0, mkd_stream_rva(b, 0)), 1);
        dmp_close(f);
        mkd_free(b);
    }
}
END_TEST

START_TEST(misc_info_too_short)
{
    uint8_t rec[MISC_MAX];
    fill_misc(rec, 24, 3);
    struct mkdump *b = mkd_new(0);
    dmp_file *f = open_misc(b, rec, 23);
    dmp_misc_info m;
    ck_assert_int_eq(dmp_get_misc_info(f, &m), DMP_E_MALFORMED);
    ck_assert_uint_eq(malformed_at(f, 0, mkd_stream_rva(b, 0)), 1);
    dmp_close(f);
    mkd_free(b);

    b = mkd_new(0);
    f = open_built(b);
    ck_assert_int_eq(dmp_get_misc_info(f, &m), DMP_E_ABSENT);
    ck_assert_int_eq(dmp_get_misc_info(f, NULL), DMP_E_INVALID_ARG);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* WCHAR arrays that fill their field have no terminator; unpaired surrogates become U+FFFD,
 * pairs become one code point. */
START_TEST(misc_info_wide_arrays)
{
    uint8_t rec[MISC_MAX];
    fill_misc(rec, 832, 0x1f7);
    for (size_t i = 0; i < 32; i++)
        mkd_store_u16(rec + 64 + 2 * i, (uint16_t)('A' + i % 26));
    mkd_store_u16(rec + 148, 0xd83d); /* U+1F600 */
    mkd_store_u16(rec + 150, 0xde00);
    mkd_store_u16(rec + 152, 0xdc00); /* lone low surrogate */
    mkd_store_u16(rec + 154, 0);
    mkd_store_u16(rec + 156, 'x'); /* after the terminator: not part of the name */
    for (size_t i = 0; i < 260; i++)
        mkd_store_u16(rec + 232 + 2 * i, 'b');
    struct mkdump *b = mkd_new(0);
    dmp_file *f = open_misc(b, rec, 832);
    dmp_misc_info m;
    ck_assert_int_eq(dmp_get_misc_info(f, &m), DMP_OK);
    ck_assert_str_eq(m.tz_standard_name, "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEF");
    ck_assert_str_eq(m.tz_daylight_name, "\xf0\x9f\x98\x80\xef\xbf\xbd");
    ck_assert_uint_eq(strlen(m.build_string), 260);
    ck_assert_str_eq(m.dbg_build_string, "dbgcore.amd64,10.0.22621.1");
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(misc_info_duplicates)
{
    uint8_t rec[MISC_MAX];
    struct mkdump *b = mkd_new(0);
    fill_misc(rec, 24, 1);
    mkd_add_stream_data(b, DMP_STREAM_MISC_INFO, rec, 20); /* too short */
    mkd_store_u32(rec + 8, 42);
    mkd_add_stream_data(b, DMP_STREAM_MISC_INFO, rec, 24);
    mkd_store_u32(rec + 8, 43);
    mkd_add_stream_data(b, DMP_STREAM_MISC_INFO, rec, 24);
    dmp_file *f = open_built(b);
    dmp_misc_info m;
    ck_assert_int_eq(dmp_get_misc_info(f, &m), DMP_OK);
    ck_assert_uint_eq(m.process_id, 42);
    ck_assert_uint_eq(malformed_at(f, 0, mkd_stream_rva(b, 0)), 1);
    ck_assert_uint_eq(malformed_at(f, 2, mkd_stream_rva(b, 2)), 1);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* ---- ProcessVmCounters ----------------------------------------------------------------- */

#define VM1_SIZE 80
#define VM2_SIZE 152

/* The value the tests store in u64 size number k (from offset 8). */
static uint64_t vm_value(size_t k)
{
    return 0x0100000000000000u * (k + 1) + 0x1000 * k + 7;
}

/* A MINIDUMP_PROCESS_VM_COUNTERS_1 or _2 record of `len` bytes (the rest of rec filled). */
static void fill_vm(uint8_t *rec, size_t len, uint16_t revision, uint16_t flags)
{
    memset(rec, 0, len);
    mkd_store_u16(rec, revision);
    mkd_store_u16(rec + 2, flags); /* _1: padding, never read */
    mkd_store_u32(rec + 4, 0x1234);
    for (size_t k = 0; 8 + 8 * k + 8 <= len; k++)
        mkd_store_u64(rec + 8 + 8 * k, vm_value(k));
}

static void expect_vm_common(const dmp_vm_counters *v)
{
    ck_assert_uint_eq(v->page_fault_count, 0x1234);
    ck_assert_uint_eq(v->peak_working_set_size, vm_value(0));
    ck_assert_uint_eq(v->working_set_size, vm_value(1));
    ck_assert_uint_eq(v->quota_peak_paged_pool_usage, vm_value(2));
    ck_assert_uint_eq(v->quota_paged_pool_usage, vm_value(3));
    ck_assert_uint_eq(v->quota_peak_non_paged_pool_usage, vm_value(4));
    ck_assert_uint_eq(v->quota_non_paged_pool_usage, vm_value(5));
    ck_assert_uint_eq(v->pagefile_usage, vm_value(6));
    ck_assert_uint_eq(v->peak_pagefile_usage, vm_value(7));
}

START_TEST(vm_counters_revision_1)
{
    uint8_t rec[VM1_SIZE];
    fill_vm(rec, sizeof rec, 1, 0xeeee);
    struct mkdump *b = mkd_new(0);
    mkd_add_stream_data(b, DMP_STREAM_PROCESS_VM_COUNTERS, rec, sizeof rec);
    dmp_file *f = open_built(b);
    dmp_vm_counters v;
    ck_assert_int_eq(dmp_get_vm_counters(f, &v), DMP_OK);
    ck_assert_uint_eq(v.revision, 1);
    ck_assert_uint_eq(v.flags, DMP_VM_COUNTERS | DMP_VM_COUNTERS_EX);
    expect_vm_common(&v);
    ck_assert_uint_eq(v.private_usage, vm_value(8));
    ck_assert_uint_eq(v.peak_virtual_size, 0);
    ck_assert_uint_eq(v.virtual_size, 0);
    ck_assert_uint_eq(v.private_working_set_size, 0);
    ck_assert_uint_eq(v.job_total_commit_limit, 0);
    ck_assert_uint_eq(dmp_diag_count(f), 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Revision 2 and, read the same way, a later revision with a longer record. */
START_TEST(vm_counters_revision_2)
{
    for (uint16_t revision = 2; revision <= 3; revision++) {
        uint8_t rec[VM2_SIZE + 16];
        const size_t len = revision == 2 ? VM2_SIZE : sizeof rec;
        fill_vm(rec, len, revision, 0x1f);
        struct mkdump *b = mkd_new(0);
        mkd_add_stream_data(b, DMP_STREAM_PROCESS_VM_COUNTERS, rec, len);
        dmp_file *f = open_built(b);
        dmp_vm_counters v;
        ck_assert_int_eq(dmp_get_vm_counters(f, &v), DMP_OK);
        ck_assert_uint_eq(v.revision, revision);
        ck_assert_uint_eq(v.flags, 0x1f);
        expect_vm_common(&v);
        ck_assert_uint_eq(v.peak_virtual_size, vm_value(8));
        ck_assert_uint_eq(v.virtual_size, vm_value(9));
        ck_assert_uint_eq(v.private_usage, vm_value(10));
        ck_assert_uint_eq(v.private_working_set_size, vm_value(11));
        ck_assert_uint_eq(v.shared_commit_usage, vm_value(12));
        ck_assert_uint_eq(v.job_shared_commit_usage, vm_value(13));
        ck_assert_uint_eq(v.job_private_commit_usage, vm_value(14));
        ck_assert_uint_eq(v.job_peak_private_commit_usage, vm_value(15));
        ck_assert_uint_eq(v.job_private_commit_limit, vm_value(16));
        ck_assert_uint_eq(v.job_total_commit_limit, vm_value(17));
        ck_assert_uint_eq(dmp_diag_count(f), 0);
        dmp_close(f);
        mkd_free(b);
    }
}
END_TEST

/* A stream too short for its revision's record, or of revision 0, is malformed. */
START_TEST(vm_counters_sizes)
{
    static const struct {
        uint16_t revision;
        size_t len;
        dmp_status want;
    } cases[] = {
        {1, 0, DMP_E_MALFORMED},   {1, 1, DMP_E_MALFORMED},   {1, 2, DMP_E_MALFORMED},
        {1, 79, DMP_E_MALFORMED},  {1, 80, DMP_OK},           {1, 81, DMP_OK},
        {2, 80, DMP_E_MALFORMED},  {2, 151, DMP_E_MALFORMED}, {2, 152, DMP_OK},
        {0, 152, DMP_E_MALFORMED}, {9, 151, DMP_E_MALFORMED}, {0xffff, 160, DMP_OK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t rec[VM2_SIZE + 8];
        fill_vm(rec, sizeof rec, cases[i].revision, 0xf);
        struct mkdump *b = mkd_new(0);
        const uint32_t s =
            mkd_add_stream_data(b, DMP_STREAM_PROCESS_VM_COUNTERS, rec, cases[i].len);
        dmp_file *f = open_built(b);
        dmp_vm_counters v;
        v.revision = 77;
        const dmp_status st = dmp_get_vm_counters(f, &v);
        ck_assert_msg(st == cases[i].want, "case %zu: %s", i, dmp_strerror(st));
        const size_t diags = cases[i].want == DMP_OK ? 0 : 1;
        ck_assert_uint_eq(malformed_at(f, s, mkd_stream_rva(b, s)), diags);
        ck_assert_uint_eq(dmp_diag_count(f), diags);
        if (st != DMP_OK)
            ck_assert_uint_eq(v.revision, 77);
        dmp_close(f);
        mkd_free(b);
    }
}
END_TEST

START_TEST(vm_counters_clipped_absent_duplicates)
{
    /* Clipped at the end of the file: too short for _2. */
    uint8_t rec[VM2_SIZE];
    fill_vm(rec, sizeof rec, 2, 0xf);
    struct mkdump *b = mkd_new(0);
    uint32_t s = mkd_add_stream_data(b, DMP_STREAM_PROCESS_VM_COUNTERS, rec, sizeof rec);
    size_t len;
    mkd_finish(b, &len);
    dmp_file *f = open_prefix(b, len - 1);
    dmp_vm_counters v;
    ck_assert_int_eq(dmp_get_vm_counters(f, &v), DMP_E_MALFORMED);
    ck_assert_uint_eq(malformed_at(f, s, mkd_stream_rva(b, s)), 1);
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_STREAM_CLIPPED, NULL), 1);
    dmp_close(f);
    mkd_free(b);

    /* A damaged copy does not hide a good one; a later copy is ignored. */
    b = mkd_new(0);
    const uint32_t bad = mkd_add_stream_data(b, DMP_STREAM_PROCESS_VM_COUNTERS, rec, 100);
    mkd_store_u32(rec + 4, 7);
    mkd_add_stream_data(b, DMP_STREAM_PROCESS_VM_COUNTERS, rec, sizeof rec);
    mkd_store_u32(rec + 4, 8);
    s = mkd_add_stream_data(b, DMP_STREAM_PROCESS_VM_COUNTERS, rec, sizeof rec);
    f = open_built(b);
    ck_assert_int_eq(dmp_get_vm_counters(f, &v), DMP_OK);
    ck_assert_uint_eq(v.page_fault_count, 7);
    ck_assert_uint_eq(malformed_at(f, bad, mkd_stream_rva(b, bad)), 1);
    ck_assert_uint_eq(malformed_at(f, s, mkd_stream_rva(b, s)), 1);
    dmp_close(f);
    mkd_free(b);

    b = mkd_new(0);
    f = open_built(b);
    ck_assert_int_eq(dmp_get_vm_counters(f, &v), DMP_E_ABSENT);
    ck_assert_int_eq(dmp_get_vm_counters(f, NULL), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_get_vm_counters(NULL, &v), DMP_E_INVALID_ARG);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* ---- SystemMemoryInfo ------------------------------------------------------------------ */

/* MINIDUMP_SYSTEM_MEMORY_INFO_1, 4-byte packed: Revision and Flags, then BasicInfo at 4,
 * FileCacheInfo at 56, BasicPerfInfo at 116 and PerfInfo at 148, whose seventy u32 counts
 * start at 180 and whose last four u64 at 460. */
#define SYSMEM_SIZE 492
#define SYSMEM_COUNTS_OFF 180
#define SYSMEM_TAIL_OFF 460

/* The value the tests store in PerfInfo's u32 count number k. */
static uint32_t sysmem_count(size_t k)
{
    return 0x51000000u + 0x101u * (uint32_t)k;
}

/* A MINIDUMP_SYSTEM_MEMORY_INFO_1 of `len` bytes (at least SYSMEM_SIZE) with every field set. */
static void fill_sysmem(uint8_t *rec, size_t len, uint16_t revision, uint16_t flags)
{
    memset(rec, 0xa5, len);
    mkd_store_u16(rec, revision);
    mkd_store_u16(rec + 2, flags);
    static const uint32_t basic[6] = {156250, 4096, 0x3f0000, 1, 0x43ffff, 65536};
    for (size_t i = 0; i < 6; i++)
        mkd_store_u32(rec + 4 + 4 * i, basic[i]);
    mkd_store_u64(rec + 28, 0x10000);
    mkd_store_u64(rec + 36, 0x7ffffffeffff);
    mkd_store_u64(rec + 44, 0xffff);
    mkd_store_u32(rec + 52, 16);
    mkd_store_u64(rec + 56, 0x1122334455667788u); /* FileCacheInfo */
    mkd_store_u64(rec + 64, 0x2122334455667788u);
    mkd_store_u32(rec + 72, 0x31323334);
    mkd_store_u64(rec + 76, 0x4142434445464748u);
    mkd_store_u64(rec + 84, 0x5152535455565758u);
    mkd_store_u64(rec + 92, 0x6162636465666768u);
    mkd_store_u64(rec + 100, 0x7172737475767778u);
    mkd_store_u32(rec + 108, 0x81828384);
    mkd_store_u32(rec + 112, 0x91929394);
    for (size_t i = 0; i < 4; i++) /* BasicPerfInfo */
        mkd_store_u64(rec + 116 + 8 * i, 0x0b00000000000000u + i);
    for (size_t i = 0; i < 4; i++) /* PerfInfo's first four */
        mkd_store_u64(rec + 148 + 8 * i, 0x0c00000000000000u + i);
    for (size_t k = 0; k < 70; k++)
        mkd_store_u32(rec + SYSMEM_COUNTS_OFF + 4 * k, sysmem_count(k));
    mkd_store_u64(rec + SYSMEM_TAIL_OFF, 0x0d00000000000001u);
    mkd_store_u64(rec + SYSMEM_TAIL_OFF + 8, 0x0d00000000000002u);
    mkd_store_u64(rec + SYSMEM_TAIL_OFF + 16, (uint64_t)-5);
    mkd_store_u64(rec + SYSMEM_TAIL_OFF + 24, 0x0d00000000000004u);
}

static void expect_sysmem(const dmp_system_memory_info *m)
{
    const dmp_sysmem_basic *const b = &m->basic;
    ck_assert_uint_eq(b->timer_resolution, 156250);
    ck_assert_uint_eq(b->page_size, 4096);
    ck_assert_uint_eq(b->number_of_physical_pages, 0x3f0000);
    ck_assert_uint_eq(b->lowest_physical_page_number, 1);
    ck_assert_uint_eq(b->highest_physical_page_number, 0x43ffff);
    ck_assert_uint_eq(b->allocation_granularity, 65536);
    ck_assert_uint_eq(b->minimum_user_mode_address, 0x10000);
    ck_assert_uint_eq(b->maximum_user_mode_address, 0x7ffffffeffff);
    ck_assert_uint_eq(b->active_processors_affinity_mask, 0xffff);
    ck_assert_uint_eq(b->number_of_processors, 16);
    const dmp_sysmem_file_cache *const c = &m->file_cache;
    ck_assert_uint_eq(c->current_size, 0x1122334455667788u);
    ck_assert_uint_eq(c->peak_size, 0x2122334455667788u);
    ck_assert_uint_eq(c->page_fault_count, 0x31323334);
    ck_assert_uint_eq(c->minimum_working_set, 0x4142434445464748u);
    ck_assert_uint_eq(c->maximum_working_set, 0x5152535455565758u);
    ck_assert_uint_eq(c->current_size_including_transition_in_pages, 0x6162636465666768u);
    ck_assert_uint_eq(c->peak_size_including_transition_in_pages, 0x7172737475767778u);
    ck_assert_uint_eq(c->transition_repurpose_count, 0x81828384);
    ck_assert_uint_eq(c->flags, 0x91929394);
    ck_assert_uint_eq(m->basic_perf.available_pages, 0x0b00000000000000u);
    ck_assert_uint_eq(m->basic_perf.committed_pages, 0x0b00000000000001u);
    ck_assert_uint_eq(m->basic_perf.commit_limit, 0x0b00000000000002u);
    ck_assert_uint_eq(m->basic_perf.peak_commitment, 0x0b00000000000003u);
    const dmp_sysmem_perf *const p = &m->perf;
    ck_assert_uint_eq(p->idle_process_time, 0x0c00000000000000u);
    ck_assert_uint_eq(p->io_read_transfer_count, 0x0c00000000000001u);
    ck_assert_uint_eq(p->io_write_transfer_count, 0x0c00000000000002u);
    ck_assert_uint_eq(p->io_other_transfer_count, 0x0c00000000000003u);
    ck_assert_uint_eq(p->io_read_operation_count, sysmem_count(0));
    ck_assert_uint_eq(p->available_pages, sysmem_count(3));
    ck_assert_uint_eq(p->committed_pages, sysmem_count(4));
    ck_assert_uint_eq(p->commit_limit, sysmem_count(5));
    ck_assert_uint_eq(p->peak_commitment, sysmem_count(6));
    ck_assert_uint_eq(p->page_fault_count, sysmem_count(7));
    ck_assert_uint_eq(p->paged_pool_pages, sysmem_count(20));
    ck_assert_uint_eq(p->free_system_ptes, sysmem_count(26));
    ck_assert_uint_eq(p->resident_system_driver_page, sysmem_count(35));
    ck_assert_uint_eq(p->cc_fast_read_no_wait, sysmem_count(36));
    ck_assert_uint_eq(p->cc_map_data_no_wait, sysmem_count(44));
    ck_assert_uint_eq(p->cc_mdl_read_wait_miss, sysmem_count(60));
    ck_assert_uint_eq(p->cc_data_pages, sysmem_count(65));
    ck_assert_uint_eq(p->context_switches, sysmem_count(66));
    ck_assert_uint_eq(p->system_calls, sysmem_count(69));
    ck_assert_uint_eq(p->cc_total_dirty_pages, 0x0d00000000000001u);
    ck_assert_uint_eq(p->cc_dirty_page_threshold, 0x0d00000000000002u);
    ck_assert_int_eq(p->resident_available_pages, -5);
    ck_assert_uint_eq(p->shared_committed_pages, 0x0d00000000000004u);
}

START_TEST(system_memory_every_field)
{
    uint8_t rec[SYSMEM_SIZE];
    fill_sysmem(rec, sizeof rec, 1, 0xf);
    struct mkdump *b = mkd_new(0);
    mkd_add_stream_data(b, DMP_STREAM_SYSTEM_MEMORY_INFO, rec, sizeof rec);
    dmp_file *f = open_built(b);
    dmp_system_memory_info m;
    ck_assert_int_eq(dmp_get_system_memory_info(f, &m), DMP_OK);
    ck_assert_uint_eq(m.revision, 1);
    ck_assert_uint_eq(m.flags, DMP_SYSMEM_FILECACHE_TRANSITION | DMP_SYSMEM_BASIC_PERF |
                                   DMP_SYSMEM_PERF_CC_DIRTY | DMP_SYSMEM_PERF_RESIDENT);
    expect_sysmem(&m);
    ck_assert_uint_eq(dmp_diag_count(f), 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* A later revision is read as revision 1 (the SDK's _2 appends to _1); flags as written. */
START_TEST(system_memory_later_revision)
{
    for (uint16_t revision = 2; revision <= 3; revision++) {
        uint8_t rec[SYSMEM_SIZE + 32];
        const size_t len = revision == 2 ? sizeof rec : SYSMEM_SIZE;
        fill_sysmem(rec, len, revision, 0x3f);
        struct mkdump *b = mkd_new(0);
        mkd_add_stream_data(b, DMP_STREAM_SYSTEM_MEMORY_INFO, rec, len);
        dmp_file *f = open_built(b);
        dmp_system_memory_info m;
        ck_assert_int_eq(dmp_get_system_memory_info(f, &m), DMP_OK);
        ck_assert_uint_eq(m.revision, revision);
        ck_assert_uint_eq(m.flags, 0x3f);
        expect_sysmem(&m);
        ck_assert_uint_eq(dmp_diag_count(f), 0);
        dmp_close(f);
        mkd_free(b);
    }
}
END_TEST

/* A stream shorter than MINIDUMP_SYSTEM_MEMORY_INFO_1, or of revision 0, is malformed. */
START_TEST(system_memory_sizes)
{
    static const struct {
        uint16_t revision;
        size_t len;
        dmp_status want;
    } cases[] = {
        {1, 0, DMP_E_MALFORMED},   {1, 1, DMP_E_MALFORMED},   {1, 2, DMP_E_MALFORMED},
        {1, 148, DMP_E_MALFORMED}, {1, 491, DMP_E_MALFORMED}, {1, 492, DMP_OK},
        {1, 493, DMP_OK},          {2, 491, DMP_E_MALFORMED}, {0, 492, DMP_E_MALFORMED},
        {0xffff, 500, DMP_OK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t rec[SYSMEM_SIZE + 8];
        fill_sysmem(rec, sizeof rec, cases[i].revision, 0xf);
        struct mkdump *b = mkd_new(0);
        const uint32_t s = mkd_add_stream_data(b, DMP_STREAM_SYSTEM_MEMORY_INFO, rec, cases[i].len);
        dmp_file *f = open_built(b);
        dmp_system_memory_info m;
        m.revision = 77;
        const dmp_status st = dmp_get_system_memory_info(f, &m);
        ck_assert_msg(st == cases[i].want, "case %zu: %s", i, dmp_strerror(st));
        const size_t diags = cases[i].want == DMP_OK ? 0 : 1;
        ck_assert_uint_eq(malformed_at(f, s, mkd_stream_rva(b, s)), diags);
        ck_assert_uint_eq(dmp_diag_count(f), diags);
        if (st != DMP_OK)
            ck_assert_uint_eq(m.revision, 77);
        dmp_close(f);
        mkd_free(b);
    }
}
END_TEST

START_TEST(system_memory_clipped_absent_duplicates)
{
    /* Clipped at the end of the file: too short. */
    uint8_t rec[SYSMEM_SIZE];
    fill_sysmem(rec, sizeof rec, 1, 0xf);
    struct mkdump *b = mkd_new(0);
    uint32_t s = mkd_add_stream_data(b, DMP_STREAM_SYSTEM_MEMORY_INFO, rec, sizeof rec);
    size_t len;
    mkd_finish(b, &len);
    dmp_file *f = open_prefix(b, len - 1);
    dmp_system_memory_info m;
    ck_assert_int_eq(dmp_get_system_memory_info(f, &m), DMP_E_MALFORMED);
    ck_assert_uint_eq(malformed_at(f, s, mkd_stream_rva(b, s)), 1);
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_STREAM_CLIPPED, NULL), 1);
    dmp_close(f);
    mkd_free(b);

    /* A damaged copy does not hide a good one; a later copy is ignored. */
    b = mkd_new(0);
    const uint32_t bad = mkd_add_stream_data(b, DMP_STREAM_SYSTEM_MEMORY_INFO, rec, 100);
    mkd_store_u32(rec + 8, 8192); /* PageSize */
    mkd_add_stream_data(b, DMP_STREAM_SYSTEM_MEMORY_INFO, rec, sizeof rec);
    mkd_store_u32(rec + 8, 16384);
    s = mkd_add_stream_data(b, DMP_STREAM_SYSTEM_MEMORY_INFO, rec, sizeof rec);
    f = open_built(b);
    ck_assert_int_eq(dmp_get_system_memory_info(f, &m), DMP_OK);
    ck_assert_uint_eq(m.basic.page_size, 8192);
    ck_assert_uint_eq(malformed_at(f, bad, mkd_stream_rva(b, bad)), 1);
    ck_assert_uint_eq(malformed_at(f, s, mkd_stream_rva(b, s)), 1);
    ck_assert_uint_eq(dmp_diag_count(f), 2);
    dmp_close(f);
    mkd_free(b);

    b = mkd_new(0);
    f = open_built(b);
    ck_assert_int_eq(dmp_get_system_memory_info(f, &m), DMP_E_ABSENT);
    ck_assert_int_eq(dmp_get_system_memory_info(f, NULL), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_get_system_memory_info(NULL, &m), DMP_E_INVALID_ARG);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sysinfo");
    TCase *tc = tcase_create("system-info");
    tcase_add_test(tc, system_info_x86_every_field);
    tcase_add_test(tc, system_info_amd64_processor_features);
    tcase_add_test(tc, system_info_arm_has_no_vendor);
    tcase_add_test(tc, system_info_absent);
    tcase_add_test(tc, system_info_sizes);
    tcase_add_test(tc, system_info_clipped_at_eof);
    tcase_add_test(tc, system_info_csd_damaged);
    tcase_add_test(tc, system_info_duplicates);
    tcase_add_test(tc, arch_and_platform_names);
    suite_add_tcase(s, tc);
    tc = tcase_create("misc-info");
    tcase_add_loop_test(tc, misc_info_every_version, 0, 5);
    tcase_add_test(tc, misc_info_size_disagreements);
    tcase_add_test(tc, misc_info_too_short);
    tcase_add_test(tc, misc_info_wide_arrays);
    tcase_add_test(tc, misc_info_duplicates);
    suite_add_tcase(s, tc);
    tc = tcase_create("vm-counters");
    tcase_add_test(tc, vm_counters_revision_1);
    tcase_add_test(tc, vm_counters_revision_2);
    tcase_add_test(tc, vm_counters_sizes);
    tcase_add_test(tc, vm_counters_clipped_absent_duplicates);
    suite_add_tcase(s, tc);
    tc = tcase_create("system-memory");
    tcase_add_test(tc, system_memory_every_field);
    tcase_add_test(tc, system_memory_later_revision);
    tcase_add_test(tc, system_memory_sizes);
    tcase_add_test(tc, system_memory_clipped_absent_duplicates);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
