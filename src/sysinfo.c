/* sysinfo.c - SystemInfoStream (the machine and OS that wrote the dump), MiscInfoStream,
 * ProcessVmCountersStream (process facts and memory use) and SystemMemoryInfoStream (the
 * machine's memory), decoded at open.
 * SPDX-License-Identifier: MIT
 *
 * All are single-record streams. When a dump holds several, the first sound one is used and
 * each other one gets a diagnostic, so a damaged copy never hides a good one.
 *
 * MINIDUMP_MISC_INFO grew by appending: _2 adds processor power, _3 integrity, execute
 * flags, protection and the time zone, _4 the build strings, _5 XSTATE and the process
 * cookie. The version decoded is the largest one that lies wholly inside both the stream's
 * DataSize and its own SizeOfInfo; fields of later versions stay 0 or "". Writers disagree
 * on SizeOfInfo: Breakpad's macOS writer pads _5 to 1368 bytes, LLVM's yaml2obj writes 0.
 */
#include "internal.h"

#include <string.h>

#define SYSTEM_INFO_SIZE 56 /* MINIDUMP_SYSTEM_INFO */
#define CPU_INFO_OFFSET 32  /* CPU_INFORMATION, a 24-byte union */
#define VENDOR_LEN 12       /* CPUID leaf 0: EBX, EDX, ECX */

static const char empty[] = "";

/* CPU_INFORMATION holds the x86 CPUID form for x86 and AMD64 writers. dbghelp on AMD64 and
 * Crashpad write ProcessorFeatures there instead, so the vendor is kept only when all twelve
 * bytes are printable ASCII; the raw union is always given as cpu_features. */
static bool is_x86_family(uint16_t arch)
{
    return arch == DMP_ARCH_X86 || arch == DMP_ARCH_AMD64 || arch == DMP_ARCH_X86_ON_WIN64;
}

static void decode_cpu_info(const uint8_t *p, dmp_system_info *out)
{
    out->cpu_features[0] = load_u64le(p);
    out->cpu_features[1] = load_u64le(p + 8);
    if (!is_x86_family(out->arch))
        return;
    bool printable = true;
    for (size_t i = 0; i < VENDOR_LEN; i++)
        printable = printable && p[i] >= 0x20 && p[i] < 0x7f;
    if (printable) {
        memcpy(out->cpu_vendor, p, VENDOR_LEN);
        out->cpu_vendor[VENDOR_LEN] = '\0';
    }
    out->cpu_version_info = load_u32le(p + 12);
    out->cpu_feature_info = load_u32le(p + 16);
    out->cpu_amd_extended_features = load_u32le(p + 20);
}

/* Decodes one SystemInfoStream into f->triage.system. */
static dmp_status decode_system_info(dmp_file *f, uint32_t index, bool *used)
{
    const struct dmpi_stream *const s = &f->streams[index];
    struct dmpi_triage *const t = &f->triage;
    if (s->bytes.len < SYSTEM_INFO_SIZE) {
        t->system_status = DMP_E_MALFORMED;
        return dmpi_malformed(f, index, s->rva, UINT64_MAX,
                              "SystemInfoStream is shorter than MINIDUMP_SYSTEM_INFO (56 bytes)");
    }
    const uint8_t *const p = s->bytes.data;
    dmp_system_info si;
    memset(&si, 0, sizeof si);
    si.arch = load_u16le(p);
    si.processor_level = load_u16le(p + 2);
    si.processor_revision = load_u16le(p + 4);
    si.cpu_count = p[6];
    si.product_type = p[7];
    si.os_major = load_u32le(p + 8);
    si.os_minor = load_u32le(p + 12);
    si.os_build = load_u32le(p + 16);
    si.platform = load_u32le(p + 20);
    si.suite_mask = load_u16le(p + 28);
    decode_cpu_info(p + CPU_INFO_OFFSET, &si);
    /* An RVA of 0 would point at the header: writers use it for "no service pack". */
    const uint32_t csd_rva = load_u32le(p + 24);
    si.csd_version = empty;
    if (csd_rva != 0) {
        const dmp_status st = dmpi_minidump_string(f, index, csd_rva, &si.csd_version);
        if (st != DMP_OK)
            return st;
    }
    t->system = si;
    t->system_status = DMP_OK;
    *used = true;
    return DMP_OK;
}

dmp_status dmpi_parse_system_info(dmp_file *f)
{
    return dmpi_first_usable(f, DMP_STREAM_SYSTEM_INFO,
                             "a SystemInfoStream came earlier; this one is ignored",
                             decode_system_info);
}

/* ---- MiscInfoStream ------------------------------------------------------------------ */

/* Indices into misc_versions. */
enum { MISC_V1, MISC_V2, MISC_V3, MISC_V4, MISC_V5, MISC_VERSIONS };

/* The sizes of MINIDUMP_MISC_INFO through _5, and the Flags1 bits whose fields each adds. */
static const struct misc_version {
    uint32_t size;
    uint32_t flags;
} misc_versions[MISC_VERSIONS] = {
    {24, DMP_MISC_PROCESS_ID | DMP_MISC_PROCESS_TIMES},
    {44, DMP_MISC_PROCESSOR_POWER_INFO},
    {232, DMP_MISC_PROCESS_INTEGRITY | DMP_MISC_PROCESS_EXECUTE_FLAGS | DMP_MISC_TIMEZONE |
              DMP_MISC_PROTECTED_PROCESS},
    {832, DMP_MISC_BUILDSTRING},
    {1364, DMP_MISC_PROCESS_COOKIE},
};

#define TZ_OFFSET 60       /* TIME_ZONE_INFORMATION in _3 */
#define TZ_NAME_BYTES 64   /* WCHAR[32] */
#define BUILD_OFFSET 232   /* BuildString, WCHAR[MAX_PATH] */
#define DBG_BLD_OFFSET 752 /* DbgBldStr, WCHAR[40] */
#define COOKIE_OFFSET 1360

/* A fixed WCHAR array, NUL-terminated when shorter than the array. */
static const char *wchar_array(dmp_file *f, const uint8_t *p, size_t bytes)
{
    return dmpi_utf16_dup(&f->arena, p, bytes, true);
}

/* Fields of _3 and later; `version` is a MISC_V*. */
static dmp_status decode_misc3(dmp_file *f, const uint8_t *p, size_t version, dmp_misc_info *m)
{
    m->process_integrity_level = load_u32le(p + 44);
    m->process_execute_flags = load_u32le(p + 48);
    m->protected_process = load_u32le(p + 52);
    m->time_zone_id = load_u32le(p + 56);
    const uint8_t *const tz = p + TZ_OFFSET;
    m->tz_bias = (int32_t)load_u32le(tz);
    m->tz_standard_name = wchar_array(f, tz + 4, TZ_NAME_BYTES);
    m->tz_standard_bias = (int32_t)load_u32le(tz + 84); /* after the 16-byte SYSTEMTIME */
    m->tz_daylight_name = wchar_array(f, tz + 88, TZ_NAME_BYTES);
    m->tz_daylight_bias = (int32_t)load_u32le(tz + 168);
    if (version >= MISC_V4) {
        m->build_string = wchar_array(f, p + BUILD_OFFSET, DBG_BLD_OFFSET - BUILD_OFFSET);
        m->dbg_build_string = wchar_array(f, p + DBG_BLD_OFFSET, 80);
    }
    if (version >= MISC_V5)
        m->process_cookie = load_u32le(p + COOKIE_OFFSET);
    if (!m->tz_standard_name || !m->tz_daylight_name || !m->build_string || !m->dbg_build_string)
        return DMP_E_NOMEM;
    return DMP_OK;
}

/* Decodes the fields of MISC_V1 up to `version`. */
static dmp_status decode_misc_fields(dmp_file *f, const uint8_t *p, size_t version,
                                     dmp_misc_info *m)
{
    uint32_t absent = 0;
    for (size_t v = version + 1; v < MISC_VERSIONS; v++)
        absent |= misc_versions[v].flags;
    m->size = misc_versions[version].size;
    m->flags = load_u32le(p + 4) & ~absent; /* no claim for fields that are not there */
    m->process_id = load_u32le(p + 8);
    m->process_create_time = load_u32le(p + 12);
    m->process_user_time = load_u32le(p + 16);
    m->process_kernel_time = load_u32le(p + 20);
    m->tz_standard_name = m->tz_daylight_name = empty;
    m->build_string = m->dbg_build_string = empty;
    if (version >= MISC_V2) {
        m->processor_max_mhz = load_u32le(p + 24);
        m->processor_current_mhz = load_u32le(p + 28);
        m->processor_mhz_limit = load_u32le(p + 32);
        m->processor_max_idle_state = load_u32le(p + 36);
        m->processor_current_idle_state = load_u32le(p + 40);
    }
    return version >= MISC_V3 ? decode_misc3(f, p, version, m) : DMP_OK;
}

/* The bytes to decode: the stream's, cut to SizeOfInfo when that is smaller and sane. */
static dmp_status misc_extent(dmp_file *f, uint32_t index, uint64_t *len)
{
    const struct dmpi_stream *const s = &f->streams[index];
    const uint32_t size_of_info = load_u32le(s->bytes.data);
    *len = s->bytes.len;
    if (size_of_info < misc_versions[MISC_V1].size)
        return dmpi_malformed(f, index, s->rva, UINT64_MAX,
                              "MiscInfo SizeOfInfo is smaller than MINIDUMP_MISC_INFO; "
                              "the stream's size is used");
    if (size_of_info > s->bytes.len)
        return dmpi_malformed(f, index, s->rva, UINT64_MAX,
                              "MiscInfo SizeOfInfo is larger than the stream; "
                              "the stream's size is used");
    *len = size_of_info;
    return DMP_OK;
}

static dmp_status decode_misc_info(dmp_file *f, uint32_t index, bool *used)
{
    const struct dmpi_stream *const s = &f->streams[index];
    struct dmpi_triage *const t = &f->triage;
    if (s->bytes.len < misc_versions[MISC_V1].size) {
        t->misc_status = DMP_E_MALFORMED;
        return dmpi_malformed(f, index, s->rva, UINT64_MAX,
                              "MiscInfoStream is shorter than MINIDUMP_MISC_INFO (24 bytes)");
    }
    uint64_t len;
    dmp_status st = misc_extent(f, index, &len);
    if (st != DMP_OK)
        return st;
    size_t version = MISC_V1;
    while (version + 1 < MISC_VERSIONS && misc_versions[version + 1].size <= len)
        version++;
    dmp_misc_info m;
    memset(&m, 0, sizeof m);
    st = decode_misc_fields(f, s->bytes.data, version, &m);
    if (st != DMP_OK)
        return st;
    t->misc = m;
    t->misc_status = DMP_OK;
    *used = true;
    return DMP_OK;
}

dmp_status dmpi_parse_misc_info(dmp_file *f)
{
    return dmpi_first_usable(f, DMP_STREAM_MISC_INFO,
                             "a MiscInfoStream came earlier; this one is ignored",
                             decode_misc_info);
}

/* ---- ProcessVmCounters ----------------------------------------------------------------- */

/* MINIDUMP_PROCESS_VM_COUNTERS_1 and _2 (4-byte packed): u16 Revision, then _2's u16 Flags
 * where _1 has padding, u32 PageFaultCount, and u64 sizes from offset 8. The first eight sizes
 * are common; then _1 has PrivateUsage, while _2 puts the virtual sizes before it. */
#define VM_COUNTERS_1_SIZE 80
#define VM_COUNTERS_2_SIZE 152
#define VM_SIZES_OFF 8
#define VM_COMMON_SIZES 8

static const char *vm_counters_trouble(bool has_revision, uint16_t revision)
{
    if (!has_revision)
        return "ProcessVmCountersStream is too short for its Revision";
    if (revision == 0)
        return "ProcessVmCountersStream has Revision 0, which no layout has";
    return revision == 1 ? "ProcessVmCountersStream is shorter than "
                           "MINIDUMP_PROCESS_VM_COUNTERS_1 (80 bytes)"
                         : "ProcessVmCountersStream is shorter than "
                           "MINIDUMP_PROCESS_VM_COUNTERS_2 (152 bytes)";
}

static dmp_status decode_vm_counters(dmp_file *f, uint32_t index, bool *used)
{
    const struct dmpi_stream *const s = &f->streams[index];
    struct dmpi_triage *const t = &f->triage;
    uint16_t revision = 0;
    const bool has_revision = view_u16le(&s->bytes, 0, &revision);
    const uint64_t need = revision == 1 ? VM_COUNTERS_1_SIZE : VM_COUNTERS_2_SIZE;
    if (!has_revision || revision == 0 || s->bytes.len < need) {
        t->vm_status = DMP_E_MALFORMED;
        return dmpi_malformed(f, index, s->rva, UINT64_MAX,
                              vm_counters_trouble(has_revision, revision));
    }
    const uint8_t *const p = s->bytes.data;
    dmp_vm_counters v;
    memset(&v, 0, sizeof v);
    uint64_t *const common[VM_COMMON_SIZES] = {
        &v.peak_working_set_size,
        &v.working_set_size,
        &v.quota_peak_paged_pool_usage,
        &v.quota_paged_pool_usage,
        &v.quota_peak_non_paged_pool_usage,
        &v.quota_non_paged_pool_usage,
        &v.pagefile_usage,
        &v.peak_pagefile_usage,
    };
    uint64_t *const later[] = {
        &v.peak_virtual_size,
        &v.virtual_size,
        &v.private_usage,
        &v.private_working_set_size,
        &v.shared_commit_usage,
        &v.job_shared_commit_usage,
        &v.job_private_commit_usage,
        &v.job_peak_private_commit_usage,
        &v.job_private_commit_limit,
        &v.job_total_commit_limit,
    };
    v.revision = revision;
    v.page_fault_count = load_u32le(p + 4);
    for (size_t i = 0; i < VM_COMMON_SIZES; i++)
        *common[i] = load_u64le(p + VM_SIZES_OFF + 8 * i);
    const uint8_t *const rest = p + VM_SIZES_OFF + 8 * VM_COMMON_SIZES;
    if (revision == 1) {
        v.flags = DMP_VM_COUNTERS | DMP_VM_COUNTERS_EX; /* what _1 holds; it has no Flags */
        v.private_usage = load_u64le(rest);
    } else {
        v.flags = load_u16le(p + 2);
        for (size_t i = 0; i < sizeof later / sizeof later[0]; i++)
            *later[i] = load_u64le(rest + 8 * i);
    }
    t->vm = v;
    t->vm_status = DMP_OK;
    *used = true;
    return DMP_OK;
}

dmp_status dmpi_parse_vm_counters(dmp_file *f)
{
    return dmpi_first_usable(f, DMP_STREAM_PROCESS_VM_COUNTERS,
                             "a ProcessVmCountersStream came earlier; this one is ignored",
                             decode_vm_counters);
}

/* ---- SystemMemoryInfo ------------------------------------------------------------------ */

/* MINIDUMP_SYSTEM_MEMORY_INFO_1 (4-byte packed, so u64s sit at any multiple of 4): u16
 * Revision, u16 Flags, then MINIDUMP_SYSTEM_BASIC_INFORMATION (52 bytes),
 * _FILECACHE_INFORMATION (60), _BASIC_PERFORMANCE_INFORMATION (32) and
 * _PERFORMANCE_INFORMATION (344: four u64, seventy u32 counts, four u64). Checked against
 * real dumps: every one seen is 492 bytes of revision 1, its PageSize 4096, its processor
 * count SystemInfo's, and PerfInfo's 32-bit page counts equal BasicPerfInfo's. */
#define SYSMEM_SIZE 492
#define SYSMEM_BASIC_OFF 4
#define SYSMEM_CACHE_OFF 56
#define SYSMEM_BASIC_PERF_OFF 116
#define SYSMEM_PERF_OFF 148
#define SYSMEM_PERF_COUNTS 70 /* IoReadOperationCount through SystemCalls */

static void decode_sysmem_basic(const uint8_t *p, dmp_sysmem_basic *b)
{
    b->timer_resolution = load_u32le(p);
    b->page_size = load_u32le(p + 4);
    b->number_of_physical_pages = load_u32le(p + 8);
    b->lowest_physical_page_number = load_u32le(p + 12);
    b->highest_physical_page_number = load_u32le(p + 16);
    b->allocation_granularity = load_u32le(p + 20);
    b->minimum_user_mode_address = load_u64le(p + 24);
    b->maximum_user_mode_address = load_u64le(p + 32);
    b->active_processors_affinity_mask = load_u64le(p + 40);
    b->number_of_processors = load_u32le(p + 48);
}

static void decode_sysmem_cache(const uint8_t *p, dmp_sysmem_file_cache *c)
{
    c->current_size = load_u64le(p);
    c->peak_size = load_u64le(p + 8);
    c->page_fault_count = load_u32le(p + 16);
    c->minimum_working_set = load_u64le(p + 20);
    c->maximum_working_set = load_u64le(p + 28);
    c->current_size_including_transition_in_pages = load_u64le(p + 36);
    c->peak_size_including_transition_in_pages = load_u64le(p + 44);
    c->transition_repurpose_count = load_u32le(p + 52);
    c->flags = load_u32le(p + 56);
}

/* MINIDUMP_SYSTEM_PERFORMANCE_INFORMATION. Long only for its table: the seventy u32 counts,
 * listed in the record's order. */
static void decode_sysmem_perf(const uint8_t *q, dmp_sysmem_perf *p)
{
    uint32_t *const counts[] = {
        &p->io_read_operation_count,
        &p->io_write_operation_count,
        &p->io_other_operation_count,
        &p->available_pages,
        &p->committed_pages,
        &p->commit_limit,
        &p->peak_commitment,
        &p->page_fault_count,
        &p->copy_on_write_count,
        &p->transition_count,
        &p->cache_transition_count,
        &p->demand_zero_count,
        &p->page_read_count,
        &p->page_read_io_count,
        &p->cache_read_count,
        &p->cache_io_count,
        &p->dirty_pages_write_count,
        &p->dirty_write_io_count,
        &p->mapped_pages_write_count,
        &p->mapped_write_io_count,
        &p->paged_pool_pages,
        &p->non_paged_pool_pages,
        &p->paged_pool_allocs,
        &p->paged_pool_frees,
        &p->non_paged_pool_allocs,
        &p->non_paged_pool_frees,
        &p->free_system_ptes,
        &p->resident_system_code_page,
        &p->total_system_driver_pages,
        &p->total_system_code_pages,
        &p->non_paged_pool_lookaside_hits,
        &p->paged_pool_lookaside_hits,
        &p->available_paged_pool_pages,
        &p->resident_system_cache_page,
        &p->resident_paged_pool_page,
        &p->resident_system_driver_page,
        &p->cc_fast_read_no_wait,
        &p->cc_fast_read_wait,
        &p->cc_fast_read_resource_miss,
        &p->cc_fast_read_not_possible,
        &p->cc_fast_mdl_read_no_wait,
        &p->cc_fast_mdl_read_wait,
        &p->cc_fast_mdl_read_resource_miss,
        &p->cc_fast_mdl_read_not_possible,
        &p->cc_map_data_no_wait,
        &p->cc_map_data_wait,
        &p->cc_map_data_no_wait_miss,
        &p->cc_map_data_wait_miss,
        &p->cc_pin_mapped_data_count,
        &p->cc_pin_read_no_wait,
        &p->cc_pin_read_wait,
        &p->cc_pin_read_no_wait_miss,
        &p->cc_pin_read_wait_miss,
        &p->cc_copy_read_no_wait,
        &p->cc_copy_read_wait,
        &p->cc_copy_read_no_wait_miss,
        &p->cc_copy_read_wait_miss,
        &p->cc_mdl_read_no_wait,
        &p->cc_mdl_read_wait,
        &p->cc_mdl_read_no_wait_miss,
        &p->cc_mdl_read_wait_miss,
        &p->cc_read_ahead_ios,
        &p->cc_lazy_write_ios,
        &p->cc_lazy_write_pages,
        &p->cc_data_flushes,
        &p->cc_data_pages,
        &p->context_switches,
        &p->first_level_tb_fills,
        &p->second_level_tb_fills,
        &p->system_calls,
    };
    _Static_assert(sizeof counts / sizeof counts[0] == SYSMEM_PERF_COUNTS, "70 counts");
    p->idle_process_time = load_u64le(q);
    p->io_read_transfer_count = load_u64le(q + 8);
    p->io_write_transfer_count = load_u64le(q + 16);
    p->io_other_transfer_count = load_u64le(q + 24);
    for (size_t i = 0; i < SYSMEM_PERF_COUNTS; i++)
        *counts[i] = load_u32le(q + 32 + 4 * i);
    const uint8_t *const tail = q + 32 + 4 * SYSMEM_PERF_COUNTS;
    p->cc_total_dirty_pages = load_u64le(tail);
    p->cc_dirty_page_threshold = load_u64le(tail + 8);
    p->resident_available_pages = (int64_t)load_u64le(tail + 16);
    p->shared_committed_pages = load_u64le(tail + 24);
}

static dmp_status decode_system_memory(dmp_file *f, uint32_t index, bool *used)
{
    const struct dmpi_stream *const s = &f->streams[index];
    struct dmpi_triage *const t = &f->triage;
    uint16_t revision = 0;
    const bool has_revision = view_u16le(&s->bytes, 0, &revision);
    if (!has_revision || revision == 0 || s->bytes.len < SYSMEM_SIZE) {
        t->sysmem_status = DMP_E_MALFORMED;
        return dmpi_malformed(f, index, s->rva, UINT64_MAX,
                              has_revision && revision == 0
                                  ? "SystemMemoryInfoStream has Revision 0, which no layout has"
                                  : "SystemMemoryInfoStream is shorter than "
                                    "MINIDUMP_SYSTEM_MEMORY_INFO_1 (492 bytes)");
    }
    const uint8_t *const p = s->bytes.data;
    dmp_system_memory_info m;
    memset(&m, 0, sizeof m);
    m.revision = revision;
    m.flags = load_u16le(p + 2);
    decode_sysmem_basic(p + SYSMEM_BASIC_OFF, &m.basic);
    decode_sysmem_cache(p + SYSMEM_CACHE_OFF, &m.file_cache);
    const uint8_t *const bp = p + SYSMEM_BASIC_PERF_OFF;
    m.basic_perf.available_pages = load_u64le(bp);
    m.basic_perf.committed_pages = load_u64le(bp + 8);
    m.basic_perf.commit_limit = load_u64le(bp + 16);
    m.basic_perf.peak_commitment = load_u64le(bp + 24);
    decode_sysmem_perf(p + SYSMEM_PERF_OFF, &m.perf);
    t->sysmem = m;
    t->sysmem_status = DMP_OK;
    *used = true;
    return DMP_OK;
}

dmp_status dmpi_parse_system_memory(dmp_file *f)
{
    return dmpi_first_usable(f, DMP_STREAM_SYSTEM_MEMORY_INFO,
                             "a SystemMemoryInfoStream came earlier; this one is ignored",
                             decode_system_memory);
}

/* ---- Accessors ------------------------------------------------------------------------ */

dmp_status dmp_get_system_info(const dmp_file *f, dmp_system_info *out)
{
    if (!f || !out)
        return DMP_E_INVALID_ARG;
    if (f->triage.system_status == DMP_OK)
        *out = f->triage.system;
    return f->triage.system_status;
}

dmp_status dmp_get_misc_info(const dmp_file *f, dmp_misc_info *out)
{
    if (!f || !out)
        return DMP_E_INVALID_ARG;
    if (f->triage.misc_status == DMP_OK)
        *out = f->triage.misc;
    return f->triage.misc_status;
}

dmp_status dmp_get_vm_counters(const dmp_file *f, dmp_vm_counters *out)
{
    if (!f || !out)
        return DMP_E_INVALID_ARG;
    if (f->triage.vm_status == DMP_OK)
        *out = f->triage.vm;
    return f->triage.vm_status;
}

dmp_status dmp_get_system_memory_info(const dmp_file *f, dmp_system_memory_info *out)
{
    if (!f || !out)
        return DMP_E_INVALID_ARG;
    if (f->triage.sysmem_status == DMP_OK)
        *out = f->triage.sysmem;
    return f->triage.sysmem_status;
}

const char *dmp_arch_name(uint32_t arch)
{
    /* PROCESSOR_ARCHITECTURE_* from winnt.h, then Breakpad's MD_CPU_ARCHITECTURE_*. */
    switch (arch) {
    case DMP_ARCH_X86:
        return "x86";
    case DMP_ARCH_MIPS:
        return "mips";
    case 2:
        return "alpha";
    case DMP_ARCH_PPC:
        return "ppc";
    case 4:
        return "shx";
    case DMP_ARCH_ARM:
        return "arm";
    case DMP_ARCH_IA64:
        return "ia64";
    case 7:
        return "alpha64";
    case 8:
        return "msil";
    case DMP_ARCH_AMD64:
        return "amd64";
    case DMP_ARCH_X86_ON_WIN64:
        return "x86-on-win64";
    case 11:
        return "neutral";
    case DMP_ARCH_ARM64:
    case DMP_ARCH_ARM64_BREAKPAD: /* Breakpad's number from before Windows had one */
        return "arm64";
    case 13:
        return "arm-on-win64";
    case 14:
        return "x86-on-arm64";
    case DMP_ARCH_SPARC:
        return "sparc";
    case DMP_ARCH_PPC64:
        return "ppc64";
    case DMP_ARCH_MIPS64:
        return "mips64";
    case DMP_ARCH_RISCV:
        return "riscv";
    case DMP_ARCH_RISCV64:
        return "riscv64";
    default:
        return NULL;
    }
}

const char *dmp_platform_name(uint32_t platform)
{
    switch (platform) {
    case DMP_PLATFORM_WIN32S:
        return "Win32s";
    case DMP_PLATFORM_WIN9X:
        return "Windows 9x";
    case DMP_PLATFORM_WINNT:
        return "Windows NT";
    case DMP_PLATFORM_WINCE:
        return "Windows CE";
    case DMP_PLATFORM_UNIX:
        return "Unix";
    case DMP_PLATFORM_MACOS:
        return "macOS";
    case DMP_PLATFORM_IOS:
        return "iOS";
    case DMP_PLATFORM_LINUX:
        return "Linux";
    case DMP_PLATFORM_SOLARIS:
        return "Solaris";
    case DMP_PLATFORM_ANDROID:
        return "Android";
    case DMP_PLATFORM_PS3:
        return "PS3";
    case DMP_PLATFORM_NACL:
        return "Native Client";
    case DMP_PLATFORM_FUCHSIA:
        return "Fuchsia";
    default:
        return NULL;
    }
}
