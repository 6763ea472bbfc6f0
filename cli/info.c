/* info.c - `dmpread info`: the crash at a glance.
 * SPDX-License-Identifier: MIT
 *
 * System, process, each exception with its thread, registers and faulting module, and how
 * much the dump holds. Every part says so when its stream is missing or unusable, since
 * writers leave out different streams.
 */
#include "cli.h"
#include "text.h"

#include <inttypes.h>
#include <string.h>

#define LABEL "%-13s"

/* EXCEPTION_ACCESS_VIOLATION and EXCEPTION_IN_PAGE_ERROR: parameter 0 says how the memory
 * was touched, parameter 1 where. */
#define CODE_ACCESS_VIOLATION 0xc0000005u
#define CODE_IN_PAGE_ERROR 0xc0000006u

/* The line for a part whose stream is missing (DMP_E_ABSENT) or unusable. */
static void print_unknown(const char *label, dmp_status st, const char *stream)
{
    if (st == DMP_E_ABSENT)
        printf(LABEL "unknown: the dump has no %s\n", label, stream);
    else
        printf(LABEL "unknown: its %s is unusable (see the diagnostics)\n", label, stream);
}

/* Addresses of 32-bit processes get 8 digits, the rest 16. */
static int dump_digits(const dmp_file *f)
{
    dmp_arch_info a;
    return dmp_get_arch(f, &a) == DMP_OK && a.pointer_size == 4 ? 8 : 16;
}

/* ---- System ----------------------------------------------------------------------------- */

/* Whether SystemInfo's CPU_INFORMATION holds the x86 form (CPUID vendor and features) rather
 * than ProcessorFeatures. */
static bool is_x86(uint16_t arch)
{
    return arch == DMP_ARCH_X86 || arch == DMP_ARCH_AMD64 || arch == DMP_ARCH_X86_ON_WIN64;
}

static void json_cpu_information(struct json *j, const dmp_system_info *s)
{
    const bool x86 = is_x86(s->arch);
    json_string(j, "cpu_vendor", x86 && *s->cpu_vendor ? s->cpu_vendor : NULL);
    if (x86) {
        json_hex(j, "cpu_version_info", s->cpu_version_info);
        json_hex(j, "cpu_feature_info", s->cpu_feature_info);
        json_hex(j, "cpu_amd_extended_features", s->cpu_amd_extended_features);
        json_empty_array(j, "cpu_features");
        return;
    }
    json_null(j, "cpu_version_info");
    json_null(j, "cpu_feature_info");
    json_null(j, "cpu_amd_extended_features");
    json_array_begin_compact(j, "cpu_features");
    json_hex(j, NULL, s->cpu_features[0]);
    json_hex(j, NULL, s->cpu_features[1]);
    json_array_end(j);
}

static void print_cpu(const dmp_system_info *s)
{
    const char *const arch = dmp_arch_name(s->arch);
    printf(LABEL, "cpu:");
    if (arch)
        printf("%s", arch);
    else
        printf("architecture 0x%" PRIx16, s->arch);
    printf(", %u processor%s", s->cpu_count, s->cpu_count == 1 ? "" : "s");
    const bool recorded = s->processor_level != 0 || s->processor_revision != 0;
    if (recorded && is_x86(s->arch))
        printf(", family %u model 0x%x stepping %u", s->processor_level,
               (unsigned)(s->processor_revision >> 8), (unsigned)(s->processor_revision & 0xff));
    else if (recorded)
        printf(", level %u revision 0x%x", s->processor_level, (unsigned)s->processor_revision);
    char vendor[64];
    text_printable(s->cpu_vendor, vendor, sizeof vendor);
    printf("%s%s\n", *vendor ? ", " : "", vendor);
}

static void print_system(const dmp_file *f)
{
    dmp_system_info s;
    const dmp_status st = dmp_get_system_info(f, &s);
    if (st != DMP_OK) {
        print_unknown("os:", st, "SystemInfoStream");
        return;
    }
    char csd[512];
    text_printable(s.csd_version, csd, sizeof csd);
    const char *const platform = dmp_platform_name(s.platform);
    printf(LABEL, "os:");
    if (platform)
        printf("%s", platform);
    else
        printf("platform 0x%" PRIx32, s.platform);
    /* Breakpad's Linux writer leaves the version 0.0.0 and puts uname in the CSD string. */
    const bool versioned = s.os_major || s.os_minor || s.os_build;
    if (versioned)
        printf(" %" PRIu32 ".%" PRIu32 ".%" PRIu32, s.os_major, s.os_minor, s.os_build);
    if (*csd)
        printf(versioned ? " %s" : " (%s)", csd);
    printf("\n");
    print_cpu(&s);
}

static void json_system(struct json *j, const dmp_file *f)
{
    dmp_system_info s;
    if (dmp_get_system_info(f, &s) != DMP_OK) {
        json_null(j, "system");
        return;
    }
    char version[48];
    snprintf(version, sizeof version, "%" PRIu32 ".%" PRIu32 ".%" PRIu32, s.os_major, s.os_minor,
             s.os_build);
    json_object_begin(j, "system");
    json_uint(j, "platform", s.platform);
    json_string(j, "platform_name", dmp_platform_name(s.platform));
    json_string(j, "os_version", version);
    json_uint(j, "os_major", s.os_major);
    json_uint(j, "os_minor", s.os_minor);
    json_uint(j, "os_build", s.os_build);
    json_string(j, "csd_version", s.csd_version);
    json_uint(j, "product_type", s.product_type);
    json_hex(j, "suite_mask", s.suite_mask);
    json_uint(j, "arch", s.arch);
    json_string(j, "arch_name", dmp_arch_name(s.arch));
    json_uint(j, "cpu_count", s.cpu_count);
    json_uint(j, "processor_level", s.processor_level);
    json_hex(j, "processor_revision", s.processor_revision);
    json_cpu_information(j, &s);
    json_object_end(j);
}

/* "512 bytes", "9.4 MiB": a size for reading; JSON has the exact byte counts. */
static void format_size(uint64_t bytes, char *buf, size_t cap)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (bytes < 1024) {
        snprintf(buf, cap, "%" PRIu64 " bytes", bytes);
        return;
    }
    double v = (double)bytes / 1024;
    size_t u = 0;
    while (v >= 1024 && u + 1 < sizeof units / sizeof units[0]) {
        v /= 1024;
        u++;
    }
    snprintf(buf, cap, "%.1f %s", v, units[u]);
}

/* "9.4 MiB (9,830,400 bytes)": a count of bytes for reading, with the exact figure; below
 * 1 KiB just "512 bytes". */
static void format_size_exact(uint64_t bytes, char *buf, size_t cap)
{
    if (bytes < 1024) {
        format_size(bytes, buf, cap);
        return;
    }
    char digits[24], grouped[32];
    const int n = snprintf(digits, sizeof digits, "%" PRIu64, bytes);
    size_t k = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            grouped[k++] = ',';
        grouped[k++] = digits[i];
    }
    grouped[k] = '\0';
    char size[32];
    format_size(bytes, size, sizeof size);
    if (snprintf(buf, cap, "%s (%s bytes)", size, grouped) >= (int)cap)
        snprintf(buf, cap, "%s", size); /* no room for the exact count: the short form */
}

/* "42 s", "5 min 3 s", "3 h 12 min", "2 d 4 h": a span of time for reading. */
static void format_duration(uint64_t secs, char *buf, size_t cap)
{
    if (secs < 60)
        snprintf(buf, cap, "%" PRIu64 " s", secs);
    else if (secs < 3600)
        snprintf(buf, cap, "%" PRIu64 " min %" PRIu64 " s", secs / 60, secs % 60);
    else if (secs < 86400)
        snprintf(buf, cap, "%" PRIu64 " h %" PRIu64 " min", secs / 3600, secs / 60 % 60);
    else
        snprintf(buf, cap, "%" PRIu64 " d %" PRIu64 " h", secs / 86400, secs / 3600 % 24);
}

/* Seconds from the process's start to the dump's writing, when both are recorded and in
 * that order. */
static bool process_uptime(const dmp_file *f, const dmp_misc_info *m, uint64_t *secs)
{
    dmp_header h;
    dmp_get_header(f, &h);
    if (!(m->flags & DMP_MISC_PROCESS_TIMES) || m->process_create_time == 0 ||
        h.time_date_stamp == 0 || h.time_date_stamp < m->process_create_time)
        return false;
    *secs = h.time_date_stamp - m->process_create_time;
    return true;
}

/* ---- Process (MiscInfo) ------------------------------------------------------------------ */

static void print_process(const dmp_file *f)
{
    dmp_misc_info m;
    const dmp_status st = dmp_get_misc_info(f, &m);
    if (st != DMP_OK) {
        print_unknown("process:", st, "MiscInfoStream");
        return;
    }
    printf(LABEL, "process:");
    if (m.flags & DMP_MISC_PROCESS_ID)
        printf("pid %" PRIu32, m.process_id);
    else
        printf("pid unknown");
    if (m.flags & DMP_MISC_PROCESS_TIMES) {
        char when[48];
        format_unix_time(m.process_create_time, false, when, sizeof when);
        printf(", started %s", when);
        uint64_t up;
        if (process_uptime(f, &m, &up)) {
            char span[48];
            format_duration(up, span, sizeof span);
            printf(", uptime %s", span);
        }
        printf(", %" PRIu32 " s user, %" PRIu32 " s kernel", m.process_user_time,
               m.process_kernel_time);
    }
    printf("\n");
    if ((m.flags & DMP_MISC_BUILDSTRING) && *m.build_string) {
        char build[600];
        text_printable(m.build_string, build, sizeof build);
        printf(LABEL "%s\n", "os build:", build);
    }
}

static void json_time_zone(struct json *j, const dmp_misc_info *m)
{
    if (!(m->flags & DMP_MISC_TIMEZONE)) {
        json_null(j, "time_zone");
        return;
    }
    json_object_begin(j, "time_zone");
    json_uint(j, "id", m->time_zone_id);
    json_int(j, "bias", m->tz_bias);
    json_string(j, "standard_name", m->tz_standard_name);
    json_int(j, "standard_bias", m->tz_standard_bias);
    json_string(j, "daylight_name", m->tz_daylight_name);
    json_int(j, "daylight_bias", m->tz_daylight_bias);
    json_object_end(j);
}

static void json_processor_power(struct json *j, const dmp_misc_info *m)
{
    if (!(m->flags & DMP_MISC_PROCESSOR_POWER_INFO)) {
        json_null(j, "processor_power");
        return;
    }
    json_object_begin_compact(j, "processor_power");
    json_uint(j, "max_mhz", m->processor_max_mhz);
    json_uint(j, "current_mhz", m->processor_current_mhz);
    json_uint(j, "mhz_limit", m->processor_mhz_limit);
    json_uint(j, "max_idle_state", m->processor_max_idle_state);
    json_uint(j, "current_idle_state", m->processor_current_idle_state);
    json_object_end(j);
}

static void json_process(struct json *j, const dmp_file *f)
{
    dmp_misc_info m;
    if (dmp_get_misc_info(f, &m) != DMP_OK) {
        json_null(j, "process");
        return;
    }
    const bool times = (m.flags & DMP_MISC_PROCESS_TIMES) != 0;
    const bool build = (m.flags & DMP_MISC_BUILDSTRING) != 0;
    json_object_begin(j, "process");
    json_uint(j, "misc_info_size", m.size);
    json_hex(j, "flags", m.flags);
    json_uint_or_null(j, "process_id", m.flags & DMP_MISC_PROCESS_ID, m.process_id);
    if (times)
        json_unix_time(j, "create_time", m.process_create_time);
    else
        json_null(j, "create_time");
    uint64_t up;
    const bool has_up = process_uptime(f, &m, &up);
    json_uint_or_null(j, "user_time", m.flags & DMP_MISC_PROCESS_TIMES, m.process_user_time);
    json_uint_or_null(j, "kernel_time", m.flags & DMP_MISC_PROCESS_TIMES, m.process_kernel_time);
    json_uint_or_null(j, "uptime", has_up, has_up ? up : 0);
    json_processor_power(j, &m);
    json_hex_or_null(j, "integrity_level", m.flags & DMP_MISC_PROCESS_INTEGRITY,
                     m.process_integrity_level);
    json_hex_or_null(j, "execute_flags", m.flags & DMP_MISC_PROCESS_EXECUTE_FLAGS,
                     m.process_execute_flags);
    json_uint_or_null(j, "protected_process", m.flags & DMP_MISC_PROTECTED_PROCESS,
                      m.protected_process);
    json_time_zone(j, &m);
    json_string(j, "build_string", build ? m.build_string : NULL);
    json_string(j, "dbg_build_string", build ? m.dbg_build_string : NULL);
    json_hex_or_null(j, "process_cookie", m.flags & DMP_MISC_PROCESS_COOKIE, m.process_cookie);
    json_object_end(j);
}

/* ---- Memory use (ProcessVmCounters) ------------------------------------------------------ */

/* Appends ", " (unless first), label, the size and, when peak is given, "(peak ...)". */
static void print_size_pair(const char *label, uint64_t v, const uint64_t *peak, bool *first)
{
    char size[32], peak_size[32];
    format_size(v, size, sizeof size);
    printf("%s%s %s", *first ? "" : ", ", label, size);
    if (peak) {
        format_size(*peak, peak_size, sizeof peak_size);
        printf(" (peak %s)", peak_size);
    }
    *first = false;
}

static void print_vm_counters(const dmp_file *f)
{
    dmp_vm_counters v;
    const dmp_status st = dmp_get_vm_counters(f, &v);
    if (st == DMP_E_ABSENT)
        return; /* only Windows writers record it */
    if (st != DMP_OK) {
        print_unknown("memory:", st, "ProcessVmCountersStream");
        return;
    }
    bool first = true;
    printf(LABEL, "memory:");
    if (v.flags & DMP_VM_COUNTERS)
        print_size_pair("working set", v.working_set_size, &v.peak_working_set_size, &first);
    if (v.flags & DMP_VM_COUNTERS_EX)
        print_size_pair("private", v.private_usage, NULL, &first);
    if (v.flags & DMP_VM_COUNTERS_VIRTUALSIZE)
        print_size_pair("virtual", v.virtual_size, &v.peak_virtual_size, &first);
    if (first)
        printf("no counters recorded (flags 0x%x)", (unsigned)v.flags);
    printf("\n");
}

static void json_vm_counters(struct json *j, const dmp_file *f)
{
    dmp_vm_counters v;
    if (dmp_get_vm_counters(f, &v) != DMP_OK) {
        json_null(j, "vm_counters");
        return;
    }
    const struct {
        const char *key;
        uint32_t flag;
        uint64_t value;
    } fields[] = {
        {"page_fault_count", DMP_VM_COUNTERS, v.page_fault_count},
        {"peak_working_set_size", DMP_VM_COUNTERS, v.peak_working_set_size},
        {"working_set_size", DMP_VM_COUNTERS, v.working_set_size},
        {"quota_peak_paged_pool_usage", DMP_VM_COUNTERS, v.quota_peak_paged_pool_usage},
        {"quota_paged_pool_usage", DMP_VM_COUNTERS, v.quota_paged_pool_usage},
        {"quota_peak_non_paged_pool_usage", DMP_VM_COUNTERS, v.quota_peak_non_paged_pool_usage},
        {"quota_non_paged_pool_usage", DMP_VM_COUNTERS, v.quota_non_paged_pool_usage},
        {"pagefile_usage", DMP_VM_COUNTERS, v.pagefile_usage},
        {"peak_pagefile_usage", DMP_VM_COUNTERS, v.peak_pagefile_usage},
        {"peak_virtual_size", DMP_VM_COUNTERS_VIRTUALSIZE, v.peak_virtual_size},
        {"virtual_size", DMP_VM_COUNTERS_VIRTUALSIZE, v.virtual_size},
        {"private_usage", DMP_VM_COUNTERS_EX, v.private_usage},
        {"private_working_set_size", DMP_VM_COUNTERS_EX2, v.private_working_set_size},
        {"shared_commit_usage", DMP_VM_COUNTERS_EX2, v.shared_commit_usage},
        {"job_shared_commit_usage", DMP_VM_COUNTERS_JOB, v.job_shared_commit_usage},
        {"job_private_commit_usage", DMP_VM_COUNTERS_JOB, v.job_private_commit_usage},
        {"job_peak_private_commit_usage", DMP_VM_COUNTERS_JOB, v.job_peak_private_commit_usage},
        {"job_private_commit_limit", DMP_VM_COUNTERS_JOB, v.job_private_commit_limit},
        {"job_total_commit_limit", DMP_VM_COUNTERS_JOB, v.job_total_commit_limit},
    };
    json_object_begin(j, "vm_counters");
    json_uint(j, "revision", v.revision);
    json_hex(j, "flags", v.flags);
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        json_uint_or_null(j, fields[i].key, v.flags & fields[i].flag, fields[i].value);
    json_object_end(j);
}

/* ---- Machine memory (SystemMemoryInfo) -------------------------------------------------- */

/* pages * page_size in bytes, saturating: the figures are the writer's, not checked. */
static uint64_t pages_bytes(uint64_t pages, uint32_t page_size)
{
    if (page_size != 0 && pages > UINT64_MAX / page_size)
        return UINT64_MAX;
    return pages * page_size;
}

static void print_system_memory(const dmp_file *f)
{
    dmp_system_memory_info m;
    const dmp_status st = dmp_get_system_memory_info(f, &m);
    if (st == DMP_E_ABSENT)
        return; /* only Windows writers record it */
    if (st != DMP_OK) {
        print_unknown("sys memory:", st, "SystemMemoryInfoStream");
        return;
    }
    /* BasicPerfInfo's 64-bit counts when present, else PerfInfo's 32-bit ones. */
    const bool basic = m.flags & DMP_SYSMEM_BASIC_PERF;
    const uint64_t pages[] = {
        m.basic.number_of_physical_pages,
        basic ? m.basic_perf.available_pages : m.perf.available_pages,
        basic ? m.basic_perf.committed_pages : m.perf.committed_pages,
        basic ? m.basic_perf.commit_limit : m.perf.commit_limit,
    };
    char size[4][32];
    for (size_t i = 0; i < 4; i++)
        format_size(pages_bytes(pages[i], m.basic.page_size), size[i], sizeof size[i]);
    printf(LABEL "%s physical, %s available, commit %s of %s\n", "sys memory:", size[0], size[1],
           size[2], size[3]);
}

static void json_sysmem_basic(struct json *j, const dmp_sysmem_basic *b)
{
    json_object_begin(j, "basic");
    json_uint(j, "timer_resolution", b->timer_resolution);
    json_uint(j, "page_size", b->page_size);
    json_uint(j, "number_of_physical_pages", b->number_of_physical_pages);
    json_uint(j, "lowest_physical_page_number", b->lowest_physical_page_number);
    json_uint(j, "highest_physical_page_number", b->highest_physical_page_number);
    json_uint(j, "allocation_granularity", b->allocation_granularity);
    json_hex(j, "minimum_user_mode_address", b->minimum_user_mode_address);
    json_hex(j, "maximum_user_mode_address", b->maximum_user_mode_address);
    json_hex(j, "active_processors_affinity_mask", b->active_processors_affinity_mask);
    json_uint(j, "number_of_processors", b->number_of_processors);
    json_object_end(j);
}

static void json_sysmem_cache(struct json *j, const dmp_system_memory_info *m)
{
    const dmp_sysmem_file_cache *const c = &m->file_cache;
    json_object_begin(j, "file_cache");
    json_uint(j, "current_size", c->current_size);
    json_uint(j, "peak_size", c->peak_size);
    json_uint(j, "page_fault_count", c->page_fault_count);
    json_uint(j, "minimum_working_set", c->minimum_working_set);
    json_uint(j, "maximum_working_set", c->maximum_working_set);
    json_uint(j, "current_size_including_transition_in_pages",
              c->current_size_including_transition_in_pages);
    json_uint(j, "peak_size_including_transition_in_pages",
              c->peak_size_including_transition_in_pages);
    json_uint_or_null(j, "transition_repurpose_count", m->flags & DMP_SYSMEM_FILECACHE_TRANSITION,
                      c->transition_repurpose_count);
    json_hex_or_null(j, "flags", m->flags & DMP_SYSMEM_FILECACHE_TRANSITION, c->flags);
    json_object_end(j);
}

static void json_sysmem_basic_perf(struct json *j, const dmp_system_memory_info *m)
{
    if (!(m->flags & DMP_SYSMEM_BASIC_PERF)) {
        json_null(j, "basic_performance");
        return;
    }
    json_object_begin(j, "basic_performance");
    json_uint(j, "available_pages", m->basic_perf.available_pages);
    json_uint(j, "committed_pages", m->basic_perf.committed_pages);
    json_uint(j, "commit_limit", m->basic_perf.commit_limit);
    json_uint(j, "peak_commitment", m->basic_perf.peak_commitment);
    json_object_end(j);
}

/* Long only for its table: the seventy 32-bit counts, in the record's order. */
static void json_sysmem_perf(struct json *j, const dmp_system_memory_info *m)
{
    const dmp_sysmem_perf *const p = &m->perf;
    const struct {
        const char *key;
        uint32_t value;
    } counts[] = {
        {"io_read_operation_count", p->io_read_operation_count},
        {"io_write_operation_count", p->io_write_operation_count},
        {"io_other_operation_count", p->io_other_operation_count},
        {"available_pages", p->available_pages},
        {"committed_pages", p->committed_pages},
        {"commit_limit", p->commit_limit},
        {"peak_commitment", p->peak_commitment},
        {"page_fault_count", p->page_fault_count},
        {"copy_on_write_count", p->copy_on_write_count},
        {"transition_count", p->transition_count},
        {"cache_transition_count", p->cache_transition_count},
        {"demand_zero_count", p->demand_zero_count},
        {"page_read_count", p->page_read_count},
        {"page_read_io_count", p->page_read_io_count},
        {"cache_read_count", p->cache_read_count},
        {"cache_io_count", p->cache_io_count},
        {"dirty_pages_write_count", p->dirty_pages_write_count},
        {"dirty_write_io_count", p->dirty_write_io_count},
        {"mapped_pages_write_count", p->mapped_pages_write_count},
        {"mapped_write_io_count", p->mapped_write_io_count},
        {"paged_pool_pages", p->paged_pool_pages},
        {"non_paged_pool_pages", p->non_paged_pool_pages},
        {"paged_pool_allocs", p->paged_pool_allocs},
        {"paged_pool_frees", p->paged_pool_frees},
        {"non_paged_pool_allocs", p->non_paged_pool_allocs},
        {"non_paged_pool_frees", p->non_paged_pool_frees},
        {"free_system_ptes", p->free_system_ptes},
        {"resident_system_code_page", p->resident_system_code_page},
        {"total_system_driver_pages", p->total_system_driver_pages},
        {"total_system_code_pages", p->total_system_code_pages},
        {"non_paged_pool_lookaside_hits", p->non_paged_pool_lookaside_hits},
        {"paged_pool_lookaside_hits", p->paged_pool_lookaside_hits},
        {"available_paged_pool_pages", p->available_paged_pool_pages},
        {"resident_system_cache_page", p->resident_system_cache_page},
        {"resident_paged_pool_page", p->resident_paged_pool_page},
        {"resident_system_driver_page", p->resident_system_driver_page},
        {"cc_fast_read_no_wait", p->cc_fast_read_no_wait},
        {"cc_fast_read_wait", p->cc_fast_read_wait},
        {"cc_fast_read_resource_miss", p->cc_fast_read_resource_miss},
        {"cc_fast_read_not_possible", p->cc_fast_read_not_possible},
        {"cc_fast_mdl_read_no_wait", p->cc_fast_mdl_read_no_wait},
        {"cc_fast_mdl_read_wait", p->cc_fast_mdl_read_wait},
        {"cc_fast_mdl_read_resource_miss", p->cc_fast_mdl_read_resource_miss},
        {"cc_fast_mdl_read_not_possible", p->cc_fast_mdl_read_not_possible},
        {"cc_map_data_no_wait", p->cc_map_data_no_wait},
        {"cc_map_data_wait", p->cc_map_data_wait},
        {"cc_map_data_no_wait_miss", p->cc_map_data_no_wait_miss},
        {"cc_map_data_wait_miss", p->cc_map_data_wait_miss},
        {"cc_pin_mapped_data_count", p->cc_pin_mapped_data_count},
        {"cc_pin_read_no_wait", p->cc_pin_read_no_wait},
        {"cc_pin_read_wait", p->cc_pin_read_wait},
        {"cc_pin_read_no_wait_miss", p->cc_pin_read_no_wait_miss},
        {"cc_pin_read_wait_miss", p->cc_pin_read_wait_miss},
        {"cc_copy_read_no_wait", p->cc_copy_read_no_wait},
        {"cc_copy_read_wait", p->cc_copy_read_wait},
        {"cc_copy_read_no_wait_miss", p->cc_copy_read_no_wait_miss},
        {"cc_copy_read_wait_miss", p->cc_copy_read_wait_miss},
        {"cc_mdl_read_no_wait", p->cc_mdl_read_no_wait},
        {"cc_mdl_read_wait", p->cc_mdl_read_wait},
        {"cc_mdl_read_no_wait_miss", p->cc_mdl_read_no_wait_miss},
        {"cc_mdl_read_wait_miss", p->cc_mdl_read_wait_miss},
        {"cc_read_ahead_ios", p->cc_read_ahead_ios},
        {"cc_lazy_write_ios", p->cc_lazy_write_ios},
        {"cc_lazy_write_pages", p->cc_lazy_write_pages},
        {"cc_data_flushes", p->cc_data_flushes},
        {"cc_data_pages", p->cc_data_pages},
        {"context_switches", p->context_switches},
        {"first_level_tb_fills", p->first_level_tb_fills},
        {"second_level_tb_fills", p->second_level_tb_fills},
        {"system_calls", p->system_calls},
    };
    json_object_begin(j, "performance");
    json_uint(j, "idle_process_time", p->idle_process_time);
    json_uint(j, "io_read_transfer_count", p->io_read_transfer_count);
    json_uint(j, "io_write_transfer_count", p->io_write_transfer_count);
    json_uint(j, "io_other_transfer_count", p->io_other_transfer_count);
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
        json_uint(j, counts[i].key, counts[i].value);
    json_uint_or_null(j, "cc_total_dirty_pages", m->flags & DMP_SYSMEM_PERF_CC_DIRTY,
                      p->cc_total_dirty_pages);
    json_uint_or_null(j, "cc_dirty_page_threshold", m->flags & DMP_SYSMEM_PERF_CC_DIRTY,
                      p->cc_dirty_page_threshold);
    if (m->flags & DMP_SYSMEM_PERF_RESIDENT)
        json_int(j, "resident_available_pages", p->resident_available_pages);
    else
        json_null(j, "resident_available_pages");
    json_uint_or_null(j, "shared_committed_pages", m->flags & DMP_SYSMEM_PERF_RESIDENT,
                      p->shared_committed_pages);
    json_object_end(j);
}

static void json_system_memory(struct json *j, const dmp_file *f)
{
    dmp_system_memory_info m;
    if (dmp_get_system_memory_info(f, &m) != DMP_OK) {
        json_null(j, "system_memory");
        return;
    }
    json_object_begin(j, "system_memory");
    json_uint(j, "revision", m.revision);
    json_hex(j, "flags", m.flags);
    json_sysmem_basic(j, &m.basic);
    json_sysmem_cache(j, &m);
    json_sysmem_basic_perf(j, &m);
    json_sysmem_perf(j, &m);
    json_object_end(j);
}

/* ---- Exceptions ------------------------------------------------------------------------ */

/* The registers at exception i's fault: the exception's own context, else its thread's.
 * "exception" or "thread", NULL when neither. */
static const char *exception_context(const dmp_file *f, size_t i, dmp_context *ctx)
{
    dmp_context_source source;
    if (dmp_exception_context(f, i, ctx, &source) != DMP_OK)
        return NULL;
    return dmp_context_source_name(source);
}

/* "read", "write", "execute" for an access violation's parameter 0, else NULL. */
static const char *access_kind(const dmp_exception *e)
{
    if ((e->code != CODE_ACCESS_VIOLATION && e->code != CODE_IN_PAGE_ERROR) || e->param_count < 2)
        return NULL;
    switch (e->params[0]) {
    case 0:
        return "read";
    case 1:
        return "write";
    case 8:
        return "execute";
    default:
        return "access";
    }
}

static void print_address(const char *label, const dmp_file *f, uint64_t addr, int digits)
{
    char where[1200];
    printf(LABEL "0x%0*" PRIx64, label, digits, addr);
    if (module_offset(f, addr, where, sizeof where))
        printf("  %s", where);
    printf("\n");
}

static void print_thread_line(const dmp_file *f, uint32_t id)
{
    size_t index;
    dmp_thread t;
    printf(LABEL "%" PRIu32, "thread:", id);
    if (dmp_thread_find(f, id, &index) != DMP_OK || dmp_thread_get(f, index, &t) != DMP_OK) {
        printf(" (not in the thread list)\n");
        return;
    }
    if (t.name && *t.name) {
        char name[1024];
        printf(" \"%s\"", text_printable(t.name, name, sizeof name));
    }
    printf("\n");
}

/* "reason:      SEGV_MAPERR at 0x0000000000000045": the sub-code, its address, an in-page
 * error's status and the signal a Mach EXC_CRASH carried. Nothing when none is known. */
static void print_reason(const dmp_file *f, size_t i, int digits)
{
    dmp_exception_reason r;
    if (dmp_exception_reason_get(f, i, &r) != DMP_OK ||
        !(r.detail || (r.has_subcode && r.subcode) || r.has_address || r.has_status ||
          r.has_signal))
        return;
    printf(LABEL, "reason:");
    const char *sep = "";
    if (r.detail)
        printf("%s", r.detail);
    else if (r.has_subcode)
        printf("sub-code 0x%" PRIx64, r.subcode);
    if (r.detail || r.has_subcode)
        sep = ", ";
    if (r.has_address) {
        printf("%sat 0x%0*" PRIx64, *sep ? " " : "", digits, r.address);
        sep = ", ";
    }
    if (r.has_status) {
        const char *const status = dmp_exception_code_name(r.status, DMP_PLATFORM_WINNT);
        printf("%sstatus 0x%08" PRIx32 "%s%s%s", sep, r.status, status ? " (" : "",
               status ? status : "", status ? ")" : "");
        sep = ", ";
    }
    if (r.has_signal)
        printf("%ssignal %" PRIu32 "%s%s%s", sep, r.signal, r.signal_name ? " (" : "",
               r.signal_name ? r.signal_name : "", r.signal_name ? ")" : "");
    printf("\n");
}

static void print_exception_params(const dmp_exception *e)
{
    if (access_kind(e))
        return; /* the reason line says it */
    if (e->param_count == 0)
        return;
    printf(LABEL, "parameters:");
    for (uint32_t i = 0; i < e->param_count && i < 15; i++)
        printf("%s0x%" PRIx64, i ? " " : "", e->params[i]);
    printf("%s\n", e->param_count > 15 ? " ..." : "");
}

/* The first frames of the crashing thread's walk, without symbols (`dmpread stack` names
 * them). */
#define TOP_FRAMES 5

static void print_top_frames(const dmp_file *f, const dmp_context *ctx)
{
    dmp_stack *st;
    if (dmp_walk_context(f, ctx, 0, 0, NULL, &st) != DMP_OK)
        return;
    dmp_frame fr;
    for (size_t i = 0; i < TOP_FRAMES && dmp_stack_frame_get(st, i, &fr) == DMP_OK; i++) {
        char where[320];
        if (!module_offset(f, fr.ip, where, sizeof where))
            snprintf(where, sizeof where, "0x%" PRIx64, fr.ip);
        printf(LABEL "%2zu  %s (%s)\n", i == 0 ? "stack:" : "", i, where,
               dmp_frame_trust_name(fr.trust));
    }
    if (dmp_stack_frame_count(st) > TOP_FRAMES)
        printf(LABEL "... %zu frames in all; `dmpread stack` shows them with symbols\n", "",
               dmp_stack_frame_count(st));
    else
        printf(LABEL "the walk ends: %s\n", "", dmp_walk_end_name(dmp_stack_end(st)));
    dmp_stack_free(st);
}

static void json_top_frames(struct json *j, const dmp_file *f, const dmp_context *ctx)
{
    dmp_stack *st;
    if (dmp_walk_context(f, ctx, 0, 0, NULL, &st) != DMP_OK) {
        json_empty_array(j, "stack");
        return;
    }
    json_array_begin(j, "stack");
    dmp_frame fr;
    for (size_t i = 0; i < TOP_FRAMES && dmp_stack_frame_get(st, i, &fr) == DMP_OK; i++) {
        json_object_begin_compact(j, NULL);
        json_hex(j, "instruction", fr.ip);
        json_string(j, "trust", dmp_frame_trust_name(fr.trust));
        json_module_ref(j, "module", f, fr.ip);
        json_object_end(j);
    }
    json_array_end(j);
    dmp_stack_free(st);
}

static void print_exception(const dmp_file *f, size_t i, const dmp_exception *e, int digits)
{
    const char *const name = dmp_exception_name(f, e->code);
    printf(LABEL "%s%s0x%" PRIx32 "%s", "exception:", name ? name : "", name ? " (" : "", e->code,
           name ? ")" : "");
    if (e->flags)
        printf(", flags 0x%" PRIx32, e->flags);
    printf("\n");
    print_address("address:", f, e->address, digits);
    print_reason(f, i, digits);
    print_exception_params(e);
    print_thread_line(f, e->thread_id);
    dmp_context ctx;
    const char *const source = exception_context(f, i, &ctx);
    if (!source) {
        printf(LABEL "unknown: no usable context\n", "registers:");
        return;
    }
    /* On Windows the exception address is the faulting instruction; elsewhere it is often
     * the faulting data address, and the instruction is the context's. */
    if (ctx.ip != e->address)
        print_address("crashed at:", f, ctx.ip, digits);
    printf(LABEL "%s, from the %s's context\n", "registers:", dmp_cpu_name(ctx.cpu), source);
    print_registers(stdout, &ctx, "  ");
    print_top_frames(f, &ctx);
}

static void print_exceptions(const dmp_file *f)
{
    const size_t n = dmp_exception_count(f);
    if (!has_stream(f, DMP_STREAM_EXCEPTION)) {
        printf(LABEL "none: the dump has no ExceptionStream\n", "exception:");
        return;
    }
    if (n == 0) {
        print_unknown("exception:", DMP_E_MALFORMED, "ExceptionStream");
        return;
    }
    const int digits = dump_digits(f);
    dmp_exception e;
    for (size_t i = 0; dmp_exception_get(f, i, &e) == DMP_OK; i++)
        print_exception(f, i, &e, digits);
}

static void json_access(struct json *j, const dmp_exception *e)
{
    const char *const kind = access_kind(e);
    if (!kind) {
        json_null(j, "access");
        return;
    }
    json_object_begin_compact(j, "access");
    json_string(j, "kind", kind);
    json_hex(j, "address", e->params[1]);
    json_object_end(j);
}

static void json_reason(struct json *j, const dmp_file *f, size_t i)
{
    dmp_exception_reason r;
    if (dmp_exception_reason_get(f, i, &r) != DMP_OK) {
        json_null(j, "reason");
        return;
    }
    json_object_begin_compact(j, "reason");
    json_string(j, "name", r.name);
    json_string(j, "detail", r.detail);
    json_hex_or_null(j, "subcode", r.has_subcode, r.subcode);
    json_string(j, "access", r.access);
    json_hex_or_null(j, "address", r.has_address, r.address);
    json_hex_or_null(j, "status", r.has_status, r.status);
    json_string(j, "status_name",
                r.has_status ? dmp_exception_code_name(r.status, DMP_PLATFORM_WINNT) : NULL);
    json_uint_or_null(j, "signal", r.has_signal, r.signal);
    json_string(j, "signal_name", r.signal_name);
    json_object_end(j);
}

static void json_exception(struct json *j, const dmp_file *f, size_t i, const dmp_exception *e)
{
    json_object_begin(j, NULL);
    json_uint(j, "stream_index", e->stream_index);
    json_hex(j, "code", e->code);
    json_string(j, "code_name", dmp_exception_name(f, e->code));
    json_hex(j, "flags", e->flags);
    json_hex(j, "record", e->record);
    json_hex(j, "address", e->address);
    json_module_ref(j, "address_module", f, e->address);
    json_uint(j, "parameter_count", e->param_count);
    json_array_begin_compact(j, "parameters");
    for (uint32_t k = 0; k < e->param_count && k < 15; k++)
        json_hex(j, NULL, e->params[k]);
    json_array_end(j);
    json_access(j, e);
    json_reason(j, f, i);
    json_uint(j, "thread_id", e->thread_id);
    size_t index;
    dmp_thread t;
    const bool found = dmp_thread_find(f, e->thread_id, &index) == DMP_OK &&
                       dmp_thread_get(f, index, &t) == DMP_OK;
    if (found)
        json_uint(j, "thread_index", index);
    else
        json_null(j, "thread_index");
    json_string(j, "thread_name", found ? t.name : NULL);
    dmp_context ctx;
    const char *const source = exception_context(f, i, &ctx);
    json_string(j, "context_source", source);
    if (source) {
        json_context(j, "context", &ctx);
        json_module_ref(j, "ip_module", f, ctx.ip);
        json_top_frames(j, f, &ctx);
    } else {
        json_null(j, "context");
        json_null(j, "ip_module");
        json_empty_array(j, "stack");
    }
    json_object_end(j);
}

static void json_exceptions(struct json *j, const dmp_file *f)
{
    if (!has_stream(f, DMP_STREAM_EXCEPTION)) {
        json_empty_array(j, "exceptions");
        return;
    }
    json_array_begin(j, "exceptions");
    dmp_exception e;
    for (size_t i = 0; dmp_exception_get(f, i, &e) == DMP_OK; i++)
        json_exception(j, f, i, &e);
    json_array_end(j);
}

/* ---- Breakpad's assertion stream ------------------------------------------------------ */

/* "assertion:   invalid parameter: format != nullptr in common_vfprintf, output.cpp:32". */
static void print_assertion(const dmp_file *f)
{
    dmp_assertion a;
    const dmp_status st = dmp_get_assertion(f, &a);
    if (st == DMP_E_ABSENT)
        return; /* only Breakpad's Windows handlers write one */
    if (st != DMP_OK) {
        print_unknown("assertion:", st, "assertion stream");
        return;
    }
    char text[3][1200];
    text_printable(a.expression, text[0], sizeof text[0]);
    text_printable(a.function, text[1], sizeof text[1]);
    text_printable(a.file, text[2], sizeof text[2]);
    const char *const type = dmp_assertion_type_name(a.type);
    printf(LABEL, "assertion:");
    if (type)
        printf("%s", type);
    else
        printf("type %" PRIu32, a.type);
    printf(": %s", *text[0] ? text[0] : "(no expression)");
    if (*text[1])
        printf(" in %s", text[1]);
    if (*text[2])
        printf(", %s:%" PRIu32, text[2], a.line);
    printf("\n");
}

static void json_assertion(struct json *j, const dmp_file *f)
{
    dmp_assertion a;
    if (dmp_get_assertion(f, &a) != DMP_OK) {
        json_null(j, "assertion");
        return;
    }
    json_object_begin(j, "assertion");
    json_string(j, "expression", a.expression);
    json_string(j, "function", a.function);
    json_string(j, "file", a.file);
    json_uint(j, "line", a.line);
    json_uint(j, "type", a.type);
    json_string(j, "type_name", dmp_assertion_type_name(a.type));
    json_object_end(j);
}

/* ---- What the dump holds ------------------------------------------------------------------ */

static uint64_t captured_bytes(const dmp_file *f)
{
    uint64_t total = 0;
    dmp_range r;
    for (size_t i = 0; dmp_range_get(f, i, &r) == DMP_OK; i++)
        total += r.size; /* disjoint ranges: at most 2^64 - 1 bytes in all */
    return total;
}

static void print_count(size_t n, const char *what, bool *first)
{
    printf("%s%zu %s%s", *first ? "" : ", ", n, what, n == 1 ? "" : "s");
    *first = false;
}

static void print_contents(const dmp_file *f)
{
    bool first = true;
    printf(LABEL, "contents:");
    print_count(dmp_thread_count(f), "thread", &first);
    print_count(dmp_module_count(f), "module", &first);
    if (has_stream(f, DMP_STREAM_UNLOADED_MODULE_LIST))
        print_count(dmp_unloaded_module_count(f), "unloaded module", &first);
    if (has_stream(f, DMP_STREAM_HANDLE_DATA))
        print_count(dmp_handle_count(f), "handle", &first);
    if (has_stream(f, DMP_STREAM_MEMORY_INFO_LIST))
        print_count(dmp_memory_info_count(f), "memory region", &first);
    printf("\n");
    const size_t ranges = dmp_range_count(f);
    char size[64];
    format_size_exact(captured_bytes(f), size, sizeof size);
    printf(LABEL "%s in %zu range%s\n", "captured:", size, ranges, ranges == 1 ? "" : "s");
}

static void json_counts(struct json *j, const dmp_file *f)
{
    json_object_begin(j, "counts");
    json_uint(j, "streams", dmp_stream_count(f));
    json_uint(j, "threads", dmp_thread_count(f));
    json_uint(j, "modules", dmp_module_count(f));
    json_uint(j, "unloaded_modules", dmp_unloaded_module_count(f));
    json_uint(j, "handles", dmp_handle_count(f));
    json_uint(j, "memory_regions", dmp_memory_info_count(f));
    json_uint(j, "memory_ranges", dmp_range_count(f));
    json_uint(j, "captured_bytes", captured_bytes(f));
    json_object_end(j);
}

static void print_dump(const struct run *r)
{
    dmp_header h;
    dmp_get_header(r->f, &h);
    const size_t streams = dmp_stream_count(r->f);
    char size[64];
    format_size_exact(dmp_file_size(r->f), size, sizeof size);
    printf(LABEL "%s, %s%s, %zu stream%s\n", "dump:", r->path, size,
           dmp_was_compressed(r->f) ? ", inflated from gzip" : "", streams,
           streams == 1 ? "" : "s");
    if (h.time_date_stamp != 0) {
        char when[48];
        format_unix_time(h.time_date_stamp, false, when, sizeof when);
        printf(LABEL "%s\n", "written:", when);
    }
}

int cmd_info(struct run *r)
{
    const dmp_file *const f = r->f;
    const char *comment = NULL;
    const bool has_comment = dmp_get_comment(f, &comment) == DMP_OK;
    doc_begin(r);
    if (r->a->json) {
        json_header(&r->j, f);
        json_system(&r->j, f);
        json_process(&r->j, f);
        json_vm_counters(&r->j, f);
        json_system_memory(&r->j, f);
        json_exceptions(&r->j, f);
        json_assertion(&r->j, f);
        json_counts(&r->j, f);
        json_string(&r->j, "comment", has_comment ? comment : NULL);
        json_crashpad(&r->j, f);
        json_linux_summary(&r->j, f);
        return doc_end(r, EXIT_SUCCESS, true);
    }
    print_dump(r);
    print_system(f);
    print_linux_summary(f);
    print_process(f);
    print_vm_counters(f);
    print_system_memory(f);
    print_exceptions(f);
    print_assertion(f);
    print_contents(f);
    if (has_comment) {
        char text[2048];
        printf(LABEL "%s\n", "comment:", text_printable(comment, text, sizeof text));
    }
    print_crashpad(f);
    return doc_end(r, EXIT_SUCCESS, true);
}
