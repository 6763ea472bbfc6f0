/* test_triage_corpus.c - every real dump in ../shared/dumps through every triage accessor, and
 * what MANIFEST.tsv records about the system, threads, modules and exception.
 * SPDX-License-Identifier: MIT
 *
 * For each dump (one Check iteration per manifest row): every accessor of the "Streams beyond
 * memory" section is called over every index and one past it, every thread and exception
 * context is decoded, and the results are checked for internal consistency. Then the
 * manifest's columns are compared: os/arch/osver against SystemInfo (the manifest spells
 * platforms "windows", "linux", "macos", "ios" and architectures "x86", "amd64", "arm",
 * "arm64", "arm64(old-breakpad)"; "-" means the dump has no SystemInfo), threads and modules
 * against the counts ("-": no such list), exc_code against the first exception ("-": none).
 * ProcessVmCounters must decode where the manifest lists it, with sizes within their peaks;
 * the Crashpad dumps' module annotations are compared with what they are known to hold.
 * Exits 77 (skipped) when the folder is absent.
 */
#include "manifest.h"
#include "suite.h"

#include <stdio.h>
#include <string.h>

/* Whether the comma-separated directory listing names stream `name`. */
static bool lists_stream(const char *types, const char *name)
{
    const size_t n = strlen(name);
    for (const char *p = types; (p = strstr(p, name)) != NULL; p += n)
        if ((p == types || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return true;
    return false;
}

/* ---- Every accessor ------------------------------------------------------------------ */

/* Decodes a context and checks what any successful decode must satisfy. */
static dmp_status decode_context(const dmp_file *f, const char *file, const void *data, size_t size,
                                 dmp_context *ctx)
{
    const dmp_status st = dmp_context_decode(f, data, size, ctx);
    ck_assert_msg(st == DMP_OK || st == DMP_E_MALFORMED, "%s: context decode gave %s", file,
                  dmp_strerror(st));
    ck_assert_ptr_nonnull(dmp_cpu_name(ctx->cpu));
    if (st == DMP_OK) {
        ck_assert_msg(ctx->cpu != DMP_CPU_UNKNOWN, "%s: decoded context of unknown cpu", file);
        ck_assert_uint_le(ctx->reg_count, DMP_MAX_REGS);
        for (size_t r = 0; r < ctx->reg_count; r++)
            ck_assert_ptr_nonnull(ctx->regs[r].name);
    } else {
        ck_assert_int_eq(ctx->cpu, DMP_CPU_UNKNOWN);
    }
    return st;
}

/* The cpu a context of this SystemInfo architecture should decode as. */
static dmp_cpu cpu_of_arch(uint16_t arch)
{
    switch (arch) {
    case DMP_ARCH_X86:
        return DMP_CPU_X86;
    case DMP_ARCH_AMD64:
        return DMP_CPU_AMD64;
    case DMP_ARCH_ARM:
        return DMP_CPU_ARM;
    case DMP_ARCH_ARM64:
    case DMP_ARCH_ARM64_BREAKPAD:
        return DMP_CPU_ARM64;
    default:
        return DMP_CPU_UNKNOWN;
    }
}

struct walk {
    const dmp_file *f;
    const char *file;
    bool real;       /* kind "real": contexts must decode as SystemInfo's architecture */
    dmp_cpu want;    /* DMP_CPU_UNKNOWN: no expectation */
    size_t contexts; /* decoded successfully */
};

static void check_context(struct walk *w, const void *data, uint32_t size, const char *what,
                          size_t i)
{
    if (!data)
        return;
    dmp_context ctx;
    const dmp_status st = decode_context(w->f, w->file, data, size, &ctx);
    w->contexts += st == DMP_OK;
    if (w->real && w->want != DMP_CPU_UNKNOWN)
        ck_assert_msg(st == DMP_OK && ctx.cpu == w->want,
                      "%s: %s %zu context (%u bytes) decodes as %s, SystemInfo says %s", w->file,
                      what, i, size, st == DMP_OK ? dmp_cpu_name(ctx.cpu) : "nothing",
                      dmp_cpu_name(w->want));
}

static void walk_threads(struct walk *w)
{
    const dmp_file *const f = w->f;
    const size_t n = dmp_thread_count(f);
    for (size_t i = 0; i < n; i++) {
        dmp_thread t;
        ck_assert_int_eq(dmp_thread_get(f, i, &t), DMP_OK);
        size_t at = SIZE_MAX;
        ck_assert_int_eq(dmp_thread_find(f, t.id, &at), DMP_OK);
        ck_assert_uint_lt(at, n);
        check_context(w, t.context, t.context_size, "thread", i);
        if (t.name)
            (void)strlen(t.name);
    }
    dmp_thread t;
    ck_assert_int_eq(dmp_thread_get(f, n, &t), DMP_E_NOT_FOUND);
}

static void walk_modules(const dmp_file *f, const char *file)
{
    const size_t n = dmp_module_count(f);
    for (size_t i = 0; i < n; i++) {
        dmp_module m;
        ck_assert_int_eq(dmp_module_get(f, i, &m), DMP_OK);
        ck_assert_msg(m.name && m.pdb_name && m.debug_id && m.code_id, "%s: module %zu", file, i);
        ck_assert(m.build_id == NULL || m.build_id_len > 0);
        size_t at;
        uint64_t off;
        if (m.size > 0 && dmp_module_find(f, m.base, &at, &off) == DMP_OK) {
            dmp_module g;
            ck_assert_int_eq(dmp_module_get(f, at, &g), DMP_OK);
            ck_assert_msg(off == m.base - g.base && m.base - g.base < g.size,
                          "%s: module_find(0x%llx) gave a module not holding it", file,
                          (unsigned long long)m.base);
        }
    }
    dmp_module m;
    ck_assert_int_eq(dmp_module_get(f, n, &m), DMP_E_NOT_FOUND);
    const size_t u = dmp_unloaded_module_count(f);
    for (size_t i = 0; i < u; i++) {
        dmp_unloaded_module um;
        ck_assert_int_eq(dmp_unloaded_module_get(f, i, &um), DMP_OK);
        ck_assert_ptr_nonnull(um.name);
    }
    dmp_unloaded_module um;
    ck_assert_int_eq(dmp_unloaded_module_get(f, u, &um), DMP_E_NOT_FOUND);
}

static void walk_exceptions(struct walk *w, uint32_t platform)
{
    const size_t n = dmp_exception_count(w->f);
    for (size_t i = 0; i < n; i++) {
        dmp_exception e;
        ck_assert_int_eq(dmp_exception_get(w->f, i, &e), DMP_OK);
        ck_assert_uint_lt(e.stream_index, dmp_stream_count(w->f));
        (void)dmp_exception_code_name(e.code, platform);
        check_context(w, e.context, e.context_size, "exception", i);
    }
    dmp_exception e;
    ck_assert_int_eq(dmp_exception_get(w->f, n, &e), DMP_E_NOT_FOUND);
}

static void walk_memory_info(const dmp_file *f)
{
    const size_t n = dmp_memory_info_count(f);
    for (size_t i = 0; i < n; i++) {
        dmp_memory_info mi;
        ck_assert_int_eq(dmp_memory_info_get(f, i, &mi), DMP_OK);
        (void)dmp_mem_state_name(mi.state);
        (void)dmp_mem_type_name(mi.type);
        char buf[160];
        const size_t need = dmp_mem_protect_format(mi.protect, buf, sizeof buf);
        ck_assert_uint_eq(need, strlen(buf));
    }
    dmp_memory_info mi;
    ck_assert_int_eq(dmp_memory_info_get(f, n, &mi), DMP_E_NOT_FOUND);
    const size_t h = dmp_handle_count(f);
    for (size_t i = 0; i < h; i++) {
        dmp_handle hd;
        ck_assert_int_eq(dmp_handle_get(f, i, &hd), DMP_OK);
        ck_assert(hd.type_name && hd.object_name);
    }
    dmp_handle hd;
    ck_assert_int_eq(dmp_handle_get(f, h, &hd), DMP_E_NOT_FOUND);
}

static void walk_extras(const dmp_file *f)
{
    const char *comment;
    const dmp_status cs = dmp_get_comment(f, &comment);
    ck_assert(cs == DMP_OK || cs == DMP_E_ABSENT || cs == DMP_E_MALFORMED);
    dmp_breakpad_info bi;
    (void)dmp_get_breakpad_info(f, &bi);
    const size_t na = dmp_auxv_count(f);
    for (size_t i = 0; i < na; i++) {
        uint64_t type, value;
        ck_assert_int_eq(dmp_auxv_get(f, i, &type, &value), DMP_OK);
    }
    uint64_t type, value;
    ck_assert_int_eq(dmp_auxv_get(f, na, &type, &value), DMP_E_NOT_FOUND);
    const size_t nd = dmp_linux_dso_count(f);
    for (size_t i = 0; i < nd; i++) {
        dmp_linux_dso d;
        ck_assert_int_eq(dmp_linux_dso_get(f, i, &d), DMP_OK);
        ck_assert_ptr_nonnull(d.name);
    }
    dmp_linux_dso d;
    ck_assert_int_eq(dmp_linux_dso_get(f, nd, &d), DMP_E_NOT_FOUND);
    dmp_crashpad_info ci = {.annotation_count = 0};
    (void)dmp_get_crashpad_info(f, &ci);
    for (size_t i = 0; i < ci.annotation_count; i++) {
        const char *k, *v;
        ck_assert_int_eq(dmp_crashpad_annotation_get(f, i, &k, &v), DMP_OK);
        ck_assert(k && v);
    }
    const char *k, *v;
    ck_assert_int_eq(dmp_crashpad_annotation_get(f, ci.annotation_count, &k, &v), DMP_E_NOT_FOUND);
    const size_t nm = dmp_crashpad_module_count(f);
    for (size_t i = 0; i < nm; i++) {
        dmp_crashpad_module m;
        ck_assert_int_eq(dmp_crashpad_module_get(f, i, &m), DMP_OK);
        for (size_t a = 0; a < m.list_annotation_count; a++)
            ck_assert_int_eq(dmp_crashpad_module_list_annotation_get(f, i, a, &v), DMP_OK);
        for (size_t a = 0; a < m.simple_annotation_count; a++)
            ck_assert_int_eq(dmp_crashpad_module_simple_annotation_get(f, i, a, &k, &v), DMP_OK);
        dmp_crashpad_annotation o;
        for (size_t a = 0; a < m.annotation_object_count; a++) {
            ck_assert_int_eq(dmp_crashpad_module_annotation_object_get(f, i, a, &o), DMP_OK);
            ck_assert(o.name && (o.value != NULL) == (o.value_len > 0));
        }
        ck_assert_int_eq(
            dmp_crashpad_module_annotation_object_get(f, i, m.annotation_object_count, &o),
            DMP_E_NOT_FOUND);
    }
    dmp_crashpad_module m;
    ck_assert_int_eq(dmp_crashpad_module_get(f, nm, &m), DMP_E_NOT_FOUND);
}

/* ProcessVmCounters as a process reports it: current sizes within their peaks, and (for
 * every dump here) the figures Windows writes with flags MINIDUMP_PROCESS_VM_COUNTERS. */
static void check_vm_counters(const dmp_file *f, const char *file)
{
    dmp_vm_counters v;
    ck_assert_msg(dmp_get_vm_counters(f, &v) == DMP_OK, "%s: ProcessVmCounters unusable", file);
    ck_assert_msg(v.revision == 1 || v.revision == 2, "%s: revision %u", file, v.revision);
    ck_assert_msg(v.flags & DMP_VM_COUNTERS, "%s: flags 0x%x", file, v.flags);
    ck_assert_msg(v.working_set_size > 0 && v.working_set_size <= v.peak_working_set_size,
                  "%s: working set %llu, peak %llu", file, (unsigned long long)v.working_set_size,
                  (unsigned long long)v.peak_working_set_size);
    ck_assert_msg(v.quota_paged_pool_usage <= v.quota_peak_paged_pool_usage &&
                      v.quota_non_paged_pool_usage <= v.quota_peak_non_paged_pool_usage &&
                      v.pagefile_usage <= v.peak_pagefile_usage,
                  "%s: a quota or the commit charge above its peak", file);
    if (v.flags & DMP_VM_COUNTERS_VIRTUALSIZE)
        ck_assert_msg(v.virtual_size > 0 && v.virtual_size <= v.peak_virtual_size,
                      "%s: virtual size %llu, peak %llu", file, (unsigned long long)v.virtual_size,
                      (unsigned long long)v.peak_virtual_size);
    if (v.flags & DMP_VM_COUNTERS_EX2)
        ck_assert_msg(v.private_working_set_size <= v.working_set_size,
                      "%s: private working set above the working set", file);
    printf("test_triage_corpus: %s: ProcessVmCounters revision %u flags 0x%x, working set %llu "
           "(peak %llu)\n",
           file, v.revision, v.flags, (unsigned long long)v.working_set_size,
           (unsigned long long)v.peak_working_set_size);
}

/* SystemMemoryInfo as Windows fills it in (every dump here: revision 1, flags 0xf): 4 KiB
 * pages, SystemInfo's processor count with one affinity bit per processor, the user-mode
 * ceiling of 32- or 64-bit Windows, commit within its limit, and PerfInfo's 32-bit page counts
 * agreeing with BasicPerfInfo's. */
static void check_system_memory(const dmp_file *f, const char *file)
{
    dmp_system_memory_info m;
    dmp_system_info si;
    ck_assert_msg(dmp_get_system_memory_info(f, &m) == DMP_OK, "%s: SystemMemoryInfo unusable",
                  file);
    ck_assert_msg(m.revision == 1, "%s: revision %u", file, m.revision);
    ck_assert_msg(m.flags & DMP_SYSMEM_BASIC_PERF, "%s: flags 0x%x", file, m.flags);
    const dmp_sysmem_basic *const b = &m.basic;
    ck_assert_msg(b->page_size == 4096, "%s: PageSize %u", file, b->page_size);
    ck_assert_msg(b->allocation_granularity == 65536, "%s: AllocationGranularity %u", file,
                  b->allocation_granularity);
    ck_assert_int_eq(dmp_get_system_info(f, &si), DMP_OK);
    ck_assert_msg(b->number_of_processors == si.cpu_count, "%s: %u processors, SystemInfo %u", file,
                  b->number_of_processors, si.cpu_count);
    ck_assert_msg(b->number_of_processors < 64 && b->active_processors_affinity_mask ==
                                                      ((uint64_t)1 << b->number_of_processors) - 1,
                  "%s: affinity mask 0x%llx", file,
                  (unsigned long long)b->active_processors_affinity_mask);
    ck_assert_msg(
        b->minimum_user_mode_address == 0x10000 && (b->maximum_user_mode_address == 0x7ffeffff ||
                                                    b->maximum_user_mode_address == 0x7ffffffeffff),
        "%s: user mode 0x%llx-0x%llx", file, (unsigned long long)b->minimum_user_mode_address,
        (unsigned long long)b->maximum_user_mode_address);
    ck_assert_msg(b->number_of_physical_pages > 0 &&
                      b->number_of_physical_pages <= b->highest_physical_page_number,
                  "%s: %u physical pages", file, b->number_of_physical_pages);
    const dmp_sysmem_basic_perf *const bp = &m.basic_perf;
    ck_assert_msg(bp->committed_pages > 0 && bp->committed_pages <= bp->commit_limit &&
                      bp->available_pages <= b->number_of_physical_pages,
                  "%s: commit %llu of %llu, available %llu", file,
                  (unsigned long long)bp->committed_pages, (unsigned long long)bp->commit_limit,
                  (unsigned long long)bp->available_pages);
    /* Two snapshots taken moments apart: equal, or off by a page or so. */
    ck_assert_msg(m.perf.committed_pages == bp->committed_pages &&
                      m.perf.commit_limit == bp->commit_limit &&
                      m.perf.peak_commitment == bp->peak_commitment &&
                      m.perf.available_pages - bp->available_pages + 16 <= 32,
                  "%s: PerfInfo's page counts disagree with BasicPerfInfo's", file);
    ck_assert_msg(m.perf.cc_total_dirty_pages <= m.perf.cc_dirty_page_threshold &&
                      m.perf.resident_available_pages > 0 && m.perf.context_switches > 0,
                  "%s: implausible PerfInfo tail", file);
    printf("test_triage_corpus: %s: SystemMemoryInfo %u pages of %u bytes, commit %llu of %llu\n",
           file, b->number_of_physical_pages, b->page_size, (unsigned long long)bp->committed_pages,
           (unsigned long long)bp->commit_limit);
}

/* What some shared dumps' Crashpad module annotations hold (the first link's). */
static const struct {
    const char *file;
    size_t links;
    const char *module; /* the end of the first link's module path */
    size_t lists, simples, objects;
    const char *first; /* its first list annotation, simple key or object name */
} known_crashpad[] = {
    {"breakpad/linux_inline.dmp", 0, NULL, 0, 0, 0, NULL},
    {"breakpad/minidump_crashpad_annotation.dmp", 2, "ios_crash_xcuitests", 0, 0, 5,
     "exceptionReason"},
    {"rust-minidump/simple-crashpad.dmp", 2, "libsystem_c.dylib", 1, 0, 0, "abort() called"},
    {"rust-minidump/stability-report.dmp", 1, "electron.exe", 0, 0, 9, "renderer_foreground"},
    {"node-minidump/mac.dmp", 1, "Electron Framework", 0, 7, 0, "_companyName"},
};

static void check_known_crashpad(const dmp_file *f, const char *file)
{
    for (size_t i = 0; i < sizeof known_crashpad / sizeof known_crashpad[0]; i++) {
        if (strcmp(file, known_crashpad[i].file) != 0)
            continue;
        ck_assert_uint_eq(dmp_crashpad_module_count(f), known_crashpad[i].links);
        if (known_crashpad[i].links == 0)
            return;
        dmp_crashpad_module m;
        dmp_module mod;
        ck_assert_int_eq(dmp_crashpad_module_get(f, 0, &m), DMP_OK);
        ck_assert_int_eq(dmp_module_get(f, m.module_index, &mod), DMP_OK);
        const size_t n = strlen(mod.name), want = strlen(known_crashpad[i].module);
        ck_assert_msg(n >= want && strcmp(mod.name + n - want, known_crashpad[i].module) == 0,
                      "%s: first link names %s", file, mod.name);
        ck_assert_uint_eq(m.list_annotation_count, known_crashpad[i].lists);
        ck_assert_uint_eq(m.simple_annotation_count, known_crashpad[i].simples);
        ck_assert_uint_eq(m.annotation_object_count, known_crashpad[i].objects);
        const char *first = NULL, *value;
        dmp_crashpad_annotation o;
        if (m.list_annotation_count)
            ck_assert_int_eq(dmp_crashpad_module_list_annotation_get(f, 0, 0, &first), DMP_OK);
        else if (m.simple_annotation_count)
            ck_assert_int_eq(dmp_crashpad_module_simple_annotation_get(f, 0, 0, &first, &value),
                             DMP_OK);
        else if (dmp_crashpad_module_annotation_object_get(f, 0, 0, &o) == DMP_OK)
            first = o.name;
        ck_assert_msg(first && strcmp(first, known_crashpad[i].first) == 0, "%s: first is %s", file,
                      first ? first : "(none)");
        ck_assert_msg(dmp_diag_count(f) == 0, "%s: %zu diagnostics", file, dmp_diag_count(f));
    }
}

/* Every directory entry through dmp_stream_find and dmp_stream_data. */
static void walk_streams(const dmp_file *f)
{
    for (size_t i = 0; i < dmp_stream_count(f); i++) {
        dmp_stream s;
        ck_assert_int_eq(dmp_stream_get(f, i, &s), DMP_OK);
        size_t at;
        ck_assert_int_eq(dmp_stream_find(f, s.type, i, &at), DMP_OK);
        ck_assert_uint_eq(at, i);
        const void *data;
        size_t len;
        ck_assert_int_eq(dmp_stream_data(f, i, &data, &len), DMP_OK);
        ck_assert_uint_eq(len, s.size);
    }
    const void *data;
    size_t len;
    ck_assert_int_eq(dmp_stream_data(f, dmp_stream_count(f), &data, &len), DMP_E_NOT_FOUND);
}

/* ---- The manifest's columns ------------------------------------------------------------ */

static const char *manifest_os(uint32_t platform)
{
    switch (platform) {
    case DMP_PLATFORM_WINNT:
        return "windows";
    case DMP_PLATFORM_LINUX:
        return "linux";
    case DMP_PLATFORM_MACOS:
        return "macos";
    case DMP_PLATFORM_IOS:
        return "ios";
    case DMP_PLATFORM_ANDROID:
        return "android";
    default:
        return "?";
    }
}

static const char *manifest_arch(uint16_t arch)
{
    switch (arch) {
    case DMP_ARCH_X86:
        return "x86";
    case DMP_ARCH_AMD64:
        return "amd64";
    case DMP_ARCH_ARM:
        return "arm";
    case DMP_ARCH_ARM64:
        return "arm64";
    case DMP_ARCH_ARM64_BREAKPAD:
        return "arm64(old-breakpad)";
    default:
        return "?";
    }
}

static void check_system(const dmp_file *f, size_t r, dmp_system_info *si, bool *has_si)
{
    const char *const file = manifest_get(r, "file");
    const dmp_status st = dmp_get_system_info(f, si);
    *has_si = st == DMP_OK;
    if (strcmp(manifest_get(r, "os"), "-") == 0) {
        ck_assert_msg(st == DMP_E_ABSENT, "%s: manifest has no system, we have %s", file,
                      dmp_strerror(st));
        printf("test_triage_corpus: %s has no SystemInfoStream\n", file);
        return;
    }
    ck_assert_msg(st == DMP_OK, "%s: SystemInfo: %s", file, dmp_strerror(st));
    ck_assert_ptr_nonnull(si->csd_version);
    ck_assert_msg(strcmp(manifest_os(si->platform), manifest_get(r, "os")) == 0,
                  "%s: platform 0x%x, manifest os %s", file, si->platform, manifest_get(r, "os"));
    ck_assert_msg(strcmp(manifest_arch(si->arch), manifest_get(r, "arch")) == 0,
                  "%s: arch 0x%x, manifest arch %s", file, si->arch, manifest_get(r, "arch"));
    char ver[64];
    snprintf(ver, sizeof ver, "%u.%u.%u", si->os_major, si->os_minor, si->os_build);
    ck_assert_msg(strcmp(ver, manifest_get(r, "osver")) == 0, "%s: os version %s, manifest %s",
                  file, ver, manifest_get(r, "osver"));
    ck_assert_ptr_nonnull(dmp_arch_name(si->arch));
    ck_assert_ptr_nonnull(dmp_platform_name(si->platform));
}

/* A count column: "-" when the list is absent (count 0), else the number. */
static void check_count(const char *file, const char *what, const char *want, size_t got)
{
    const unsigned long long n = strcmp(want, "-") == 0 ? 0 : strtoull(want, NULL, 10);
    ck_assert_msg(got == n, "%s: %zu %s, manifest %s", file, got, what, want);
}

static void check_exception(const dmp_file *f, const char *file, const char *want)
{
    if (strcmp(want, "-") == 0) {
        ck_assert_msg(dmp_exception_count(f) == 0, "%s: %zu exceptions, manifest none", file,
                      dmp_exception_count(f));
        return;
    }
    dmp_exception e;
    ck_assert_msg(dmp_exception_get(f, 0, &e) == DMP_OK, "%s: no exception, manifest %s", file,
                  want);
    ck_assert_msg(e.code == strtoul(want, NULL, 16), "%s: exception code 0x%08x, manifest %s", file,
                  e.code, want);
}

static bool has_vm_counters(const dmp_file *f)
{
    dmp_vm_counters v;
    return dmp_get_vm_counters(f, &v) != DMP_E_ABSENT;
}

static bool has_system_memory(const dmp_file *f)
{
    dmp_system_memory_info m;
    return dmp_get_system_memory_info(f, &m) != DMP_E_ABSENT;
}

/* Streams the directory lists that must decode. Lists may legitimately be empty in a
 * hand-made dump, so only the single-record streams and the real dumps' lists are held to
 * it. */
static void check_presence(const dmp_file *f, size_t r, bool real)
{
    const char *const file = manifest_get(r, "file");
    const char *const types = manifest_get(r, "stream_types");
    dmp_misc_info m;
    dmp_breakpad_info bi;
    dmp_crashpad_info ci;
    if (lists_stream(types, "MiscInfo"))
        ck_assert_msg(dmp_get_misc_info(f, &m) == DMP_OK, "%s: MiscInfo unusable", file);
    if (lists_stream(types, "BreakpadInfo"))
        ck_assert_msg(dmp_get_breakpad_info(f, &bi) == DMP_OK, "%s: BreakpadInfo", file);
    if (lists_stream(types, "CrashpadInfo")) {
        ck_assert_msg(dmp_get_crashpad_info(f, &ci) == DMP_OK, "%s: CrashpadInfo", file);
        check_known_crashpad(f, file);
    }
    if (lists_stream(types, "ProcessVmCounters"))
        check_vm_counters(f, file);
    else
        ck_assert_msg(!has_vm_counters(f), "%s: ProcessVmCounters not in the manifest", file);
    if (lists_stream(types, "SystemMemoryInfo"))
        check_system_memory(f, file);
    else
        ck_assert_msg(!has_system_memory(f), "%s: SystemMemoryInfo not in the manifest", file);
    if (!real)
        return;
    if (lists_stream(types, "LinuxAuxv"))
        ck_assert_msg(dmp_auxv_count(f) > 0, "%s: LinuxAuxv empty", file);
    if (lists_stream(types, "MemoryInfoList"))
        ck_assert_msg(dmp_memory_info_count(f) > 0, "%s: MemoryInfoList empty", file);
    if (lists_stream(types, "HandleData"))
        ck_assert_msg(dmp_handle_count(f) > 0, "%s: HandleData empty", file);
    /* Breakpad's exploitability test hand-edited this dump's LinuxMaps text (33 bytes
     * longer) without moving the directory: LinuxDsoDebug's RVA now points into the maps
     * text, and its link-map RVA lies past the file. */
    const bool stale = strcmp(file, "breakpad/linux_executable_stack.dmp") == 0;
    if (lists_stream(types, "LinuxDsoDebug"))
        ck_assert_msg((dmp_linux_dso_count(f) > 0) != stale, "%s: %zu DSOs", file,
                      dmp_linux_dso_count(f));
}

START_TEST(dump_through_every_accessor)
{
    const size_t r = (size_t)_i;
    const char *const file = manifest_get(r, "file");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", DMPREAD_SHARED_DUMPS, file);
    dmp_file *f = NULL;
    dmp_error err;
    ck_assert_msg(dmp_open_ex(path, NULL, &f, &err) == DMP_OK, "%s: %s", file, err.message);
    const bool real = strcmp(manifest_get(r, "kind"), "real") == 0;
    dmp_system_info si;
    bool has_si;
    check_system(f, r, &si, &has_si);
    struct walk w = {f, file, real, has_si ? cpu_of_arch(si.arch) : DMP_CPU_UNKNOWN, 0};
    dmp_misc_info m;
    (void)dmp_get_misc_info(f, &m);
    walk_streams(f);
    walk_threads(&w);
    walk_modules(f, file);
    walk_exceptions(&w, has_si ? si.platform : DMP_PLATFORM_WINNT);
    walk_memory_info(f);
    walk_extras(f);
    check_count(file, "threads", manifest_get(r, "threads"), dmp_thread_count(f));
    check_count(file, "modules", manifest_get(r, "modules"), dmp_module_count(f));
    check_exception(f, file, manifest_get(r, "exc_code"));
    check_presence(f, r, real);
    if (real && w.want != DMP_CPU_UNKNOWN && dmp_thread_count(f) > 0)
        ck_assert_msg(w.contexts > 0, "%s: no thread context decoded", file);
    for (size_t i = 0; i < dmp_diag_count(f); i++) {
        dmp_diag d;
        ck_assert_int_eq(dmp_diag_get(f, i, &d), DMP_OK);
        char line[512];
        dmp_diag_format(&d, line, sizeof line);
    }
    dmp_close(f);
}
END_TEST

int main(void)
{
    if (!manifest_load(DMPREAD_SHARED_DUMPS)) {
        printf("test_triage_corpus: SKIPPED: %s/MANIFEST.tsv not found\n", DMPREAD_SHARED_DUMPS);
        return 77;
    }
    printf("test_triage_corpus: %zu dumps from %s\n", manifest_rows(), DMPREAD_SHARED_DUMPS);
    Suite *s = suite_create("triage-corpus");
    TCase *tc = tcase_create("shared-dumps");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, dump_through_every_accessor, 0, (int)manifest_rows());
    suite_add_tcase(s, tc);
    return run_suite(s);
}
