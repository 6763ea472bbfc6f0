/* test_contract.c - what the header promises of a stream the dump lacks (single records
 * DMP_E_ABSENT, lists counted with DMP_E_NOT_FOUND past the count), on a built dump and on
 * rust-minidump's invalid-range.dmp (issue #13), and the crash helpers: dmp_get_arch,
 * dmp_exception_context, dmp_exception_name, dmp_get_crash.
 * SPDX-License-Identifier: MIT */
#include "suite.h"

#include <stdio.h>
#include <string.h>

/* x86 CONTEXT (716 bytes): ContextFlags at 0, Ebp at 0xb4, Eip at 0xb8, Esp at 0xc4. */
#define X86_CONTEXT_SIZE 716
#define X86_CONTEXT_ALL 0x1003fu
#define X86_EIP 0x401234u
#define X86_ESP 0x12fe80u

static uint32_t add_x86_context(struct mkdump *b, uint32_t eip)
{
    uint8_t rec[X86_CONTEXT_SIZE] = {0};
    mkd_store_u32(rec, X86_CONTEXT_ALL);
    mkd_store_u32(rec + 0xb4, X86_ESP + 8);
    mkd_store_u32(rec + 0xb8, eip);
    mkd_store_u32(rec + 0xc4, X86_ESP);
    return (uint32_t)mkd_append(b, rec, sizeof rec);
}

/* A ThreadListStream of one MINIDUMP_THREAD (48 bytes) with this context. */
static void add_thread(struct mkdump *b, uint32_t id, uint32_t ctx_size, uint32_t ctx_rva)
{
    uint8_t buf[4 + 48] = {0};
    mkd_store_u32(buf, 1);
    mkd_store_u32(buf + 4, id);
    mkd_store_u64(buf + 4 + 24, X86_ESP);
    mkd_store_u32(buf + 4 + 40, ctx_size);
    mkd_store_u32(buf + 4 + 44, ctx_rva);
    mkd_add_stream_data(b, DMP_STREAM_THREAD_LIST, buf, sizeof buf);
}

/* A MINIDUMP_EXCEPTION_STREAM (168 bytes) cut to `len`. */
static void add_exception(struct mkdump *b, uint32_t tid, uint32_t code, uint32_t ctx_size,
                          uint32_t ctx_rva, size_t len)
{
    uint8_t buf[168] = {0};
    mkd_store_u32(buf, tid);
    mkd_store_u32(buf + 8, code);
    mkd_store_u64(buf + 24, X86_EIP);
    mkd_store_u32(buf + 160, ctx_size);
    mkd_store_u32(buf + 164, ctx_rva);
    mkd_add_stream_data(b, DMP_STREAM_EXCEPTION, buf, len);
}

static void add_system_info(struct mkdump *b, uint16_t arch, uint32_t platform)
{
    uint8_t rec[56] = {0};
    mkd_store_u16(rec, arch);
    mkd_store_u32(rec + 20, platform);
    mkd_add_stream_data(b, DMP_STREAM_SYSTEM_INFO, rec, sizeof rec);
}

/* Every accessor on a dump that has none of the triage streams: single records are
 * DMP_E_ABSENT, lists have count 0 and DMP_E_NOT_FOUND at index 0, and out-parameters are
 * left alone. */
static void expect_no_triage_streams(const dmp_file *f)
{
    dmp_system_info si;
    dmp_misc_info mi;
    dmp_vm_counters vm;
    dmp_system_memory_info sm;
    dmp_breakpad_info bi;
    dmp_crashpad_info ci;
    const char *s = NULL;
    ck_assert_int_eq(dmp_get_system_info(f, &si), DMP_E_ABSENT);
    ck_assert_int_eq(dmp_get_misc_info(f, &mi), DMP_E_ABSENT);
    ck_assert_int_eq(dmp_get_vm_counters(f, &vm), DMP_E_ABSENT);
    ck_assert_int_eq(dmp_get_system_memory_info(f, &sm), DMP_E_ABSENT);
    ck_assert_int_eq(dmp_get_comment(f, &s), DMP_E_ABSENT);
    ck_assert_int_eq(dmp_get_breakpad_info(f, &bi), DMP_E_ABSENT);
    ck_assert_int_eq(dmp_get_crashpad_info(f, &ci), DMP_E_ABSENT);
    ck_assert_ptr_null(s);

    dmp_thread t;
    dmp_module m;
    dmp_unloaded_module u;
    dmp_exception e;
    dmp_memory_info r;
    dmp_handle h;
    dmp_linux_dso d;
    dmp_crashpad_module cm;
    uint64_t type, value;
    memset(&e, 0xa5, sizeof e);
    ck_assert_uint_eq(dmp_thread_count(f), 0);
    ck_assert_int_eq(dmp_thread_get(f, 0, &t), DMP_E_NOT_FOUND);
    ck_assert_uint_eq(dmp_module_count(f), 0);
    ck_assert_int_eq(dmp_module_get(f, 0, &m), DMP_E_NOT_FOUND);
    ck_assert_uint_eq(dmp_unloaded_module_count(f), 0);
    ck_assert_int_eq(dmp_unloaded_module_get(f, 0, &u), DMP_E_NOT_FOUND);
    ck_assert_uint_eq(dmp_exception_count(f), 0);
    ck_assert_int_eq(dmp_exception_get(f, 0, &e), DMP_E_NOT_FOUND);
    ck_assert_uint_eq(e.code, 0xa5a5a5a5u);
    ck_assert_uint_eq(dmp_memory_info_count(f), 0);
    ck_assert_int_eq(dmp_memory_info_get(f, 0, &r), DMP_E_NOT_FOUND);
    ck_assert_uint_eq(dmp_handle_count(f), 0);
    ck_assert_int_eq(dmp_handle_get(f, 0, &h), DMP_E_NOT_FOUND);
    ck_assert_uint_eq(dmp_auxv_count(f), 0);
    ck_assert_int_eq(dmp_auxv_get(f, 0, &type, &value), DMP_E_NOT_FOUND);
    ck_assert_uint_eq(dmp_linux_dso_count(f), 0);
    ck_assert_int_eq(dmp_linux_dso_get(f, 0, &d), DMP_E_NOT_FOUND);
    ck_assert_uint_eq(dmp_crashpad_module_count(f), 0);
    ck_assert_int_eq(dmp_crashpad_module_get(f, 0, &cm), DMP_E_NOT_FOUND);

    /* The missing list itself is told by the directory. */
    size_t index;
    ck_assert_int_eq(dmp_stream_find(f, DMP_STREAM_EXCEPTION, 0, &index), DMP_E_ABSENT);
    ck_assert_int_eq(dmp_stream_find(f, DMP_STREAM_THREAD_LIST, 0, &index), DMP_E_ABSENT);

    /* The crash helpers say the same. */
    dmp_crash c;
    dmp_arch_info a;
    dmp_context ctx;
    ck_assert_int_eq(dmp_get_crash(f, &c), DMP_E_ABSENT);
    ck_assert_int_eq(dmp_get_arch(f, &a), DMP_E_NOT_FOUND);
    ck_assert_int_eq(dmp_exception_context(f, 0, &ctx, NULL), DMP_E_NOT_FOUND);
    ck_assert_str_eq(dmp_exception_name(f, 0xc0000005u), "EXCEPTION_ACCESS_VIOLATION");
}

START_TEST(absent_streams_on_a_built_dump)
{
    struct mkdump *b = mkd_new(0);
    dmp_file *f = open_built(b);
    expect_no_triage_streams(f);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* The dump of the issue: four directory entries, three starting past the end of the file and
 * a LinuxMaps stream. Before the header said how lists report absence, its thread, module and
 * exception accessors looked like they broke the "missing stream is DMP_E_ABSENT" rule. */
START_TEST(absent_streams_on_invalid_range_dmp)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/rust-minidump/invalid-range.dmp", DMPREAD_SHARED_DUMPS);
    FILE *probe = fopen(path, "rb");
    if (!probe) {
        printf("test_contract: %s not found: this test checks nothing\n", path);
        return;
    }
    fclose(probe);
    dmp_file *f = NULL;
    ck_assert_int_eq(dmp_open(path, &f), DMP_OK);
    ck_assert_uint_eq(dmp_stream_count(f), 4);
    expect_no_triage_streams(f);
    dmp_close(f);
}
END_TEST

/* testdata/triage.dmp (tests/mkfixtures.c): an amd64 Windows access violation on thread 6676,
 * with the exception's own context. */
START_TEST(crash_of_the_triage_fixture)
{
    dmp_file *f = NULL;
    ck_assert_int_eq(dmp_open(DMPREAD_TESTDATA "/triage.dmp", &f), DMP_OK);
    dmp_arch_info a;
    ck_assert_int_eq(dmp_get_arch(f, &a), DMP_OK);
    ck_assert_uint_eq(a.arch, DMP_ARCH_AMD64);
    ck_assert_int_eq(a.cpu, DMP_CPU_AMD64);
    ck_assert_uint_eq(a.pointer_size, 8);
    ck_assert_int_eq(a.big_endian, 0);
    ck_assert_int_eq(a.from_context, 0);

    dmp_crash c;
    ck_assert_int_eq(dmp_get_crash(f, &c), DMP_OK);
    ck_assert_uint_eq(c.exception_index, 0);
    ck_assert_uint_eq(c.exception.code, 0xc0000005u);
    ck_assert_str_eq(c.name, "EXCEPTION_ACCESS_VIOLATION");
    ck_assert_int_eq(c.has_thread, 1);
    dmp_thread t;
    ck_assert_int_eq(dmp_thread_get(f, c.thread_index, &t), DMP_OK);
    ck_assert_uint_eq(t.id, 6676);
    ck_assert_int_eq(c.context_source, DMP_CONTEXT_EXCEPTION);
    ck_assert_int_eq(c.context.cpu, DMP_CPU_AMD64);
    ck_assert_uint_eq(c.context.ip, 0x7ff6a1b21234u);

    dmp_context ctx;
    dmp_context_source src = DMP_CONTEXT_NONE;
    ck_assert_int_eq(dmp_exception_context(f, 0, &ctx, &src), DMP_OK);
    ck_assert_int_eq(src, DMP_CONTEXT_EXCEPTION);
    ck_assert_uint_eq(ctx.sp, c.context.sp);
    ck_assert_int_eq(dmp_exception_context(f, 1, &ctx, &src), DMP_E_NOT_FOUND);
    ck_assert_str_eq(dmp_exception_name(f, 0xc0000005u), "EXCEPTION_ACCESS_VIOLATION");
    dmp_close(f);
}
END_TEST

/* No context in the exception: the thread's is used, and without SystemInfo the CPU comes
 * from that context. */
START_TEST(crash_falls_back_to_the_thread_context)
{
    struct mkdump *b = mkd_new(0);
    const uint32_t rva = add_x86_context(b, X86_EIP);
    add_thread(b, 77, X86_CONTEXT_SIZE, rva);
    add_exception(b, 77, 0xc0000005u, 0, 0, 168);
    dmp_file *f = open_built(b);

    dmp_crash c;
    ck_assert_int_eq(dmp_get_crash(f, &c), DMP_OK);
    ck_assert_str_eq(c.name, "EXCEPTION_ACCESS_VIOLATION"); /* NTSTATUS without SystemInfo */
    ck_assert_int_eq(c.has_thread, 1);
    ck_assert_uint_eq(c.thread_index, 0);
    ck_assert_int_eq(c.context_source, DMP_CONTEXT_THREAD);
    ck_assert_int_eq(c.context.cpu, DMP_CPU_X86);
    ck_assert_uint_eq(c.context.ip, X86_EIP);
    ck_assert_uint_eq(c.context.sp, X86_ESP);
    ck_assert_str_eq(dmp_context_source_name(c.context_source), "thread");

    dmp_arch_info a;
    ck_assert_int_eq(dmp_get_arch(f, &a), DMP_OK);
    ck_assert_uint_eq(a.arch, DMP_ARCH_UNKNOWN);
    ck_assert_int_eq(a.cpu, DMP_CPU_X86);
    ck_assert_uint_eq(a.pointer_size, 4);
    ck_assert_int_eq(a.from_context, 1);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* The exception names a thread the list lacks and has no context: still a crash, without
 * thread or registers. */
START_TEST(crash_without_thread_or_context)
{
    struct mkdump *b = mkd_new(0);
    add_system_info(b, DMP_ARCH_ARM64, DMP_PLATFORM_LINUX);
    add_exception(b, 5, 11, 0, 0, 168);
    dmp_file *f = open_built(b);
    dmp_crash c;
    ck_assert_int_eq(dmp_get_crash(f, &c), DMP_OK);
    ck_assert_str_eq(c.name, "SIGSEGV"); /* the dump's platform, not Windows */
    ck_assert_int_eq(c.has_thread, 0);
    ck_assert_int_eq(c.context_source, DMP_CONTEXT_NONE);
    dmp_context ctx;
    memset(&ctx, 0xa5, sizeof ctx);
    ck_assert_int_eq(dmp_exception_context(f, 0, &ctx, NULL), DMP_E_NOT_FOUND);
    ck_assert_uint_eq(ctx.ip, 0xa5a5a5a5a5a5a5a5u);
    ck_assert_ptr_null(dmp_exception_name(f, 0xc0000005u)); /* not a Linux signal */
    dmp_arch_info a;
    ck_assert_int_eq(dmp_get_arch(f, &a), DMP_OK);
    ck_assert_int_eq(a.cpu, DMP_CPU_ARM64);
    ck_assert_uint_eq(a.pointer_size, 8);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* An ExceptionStream too short to use: the crash is DMP_E_MALFORMED, not absent. */
START_TEST(crash_of_a_malformed_exception_stream)
{
    struct mkdump *b = mkd_new(0);
    add_exception(b, 5, 11, 0, 0, 20);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_exception_count(f), 0);
    dmp_crash c;
    ck_assert_int_eq(dmp_get_crash(f, &c), DMP_E_MALFORMED);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(arch_of_each_processor_architecture)
{
    static const struct {
        uint16_t arch;
        dmp_cpu cpu;
        unsigned pointer_size;
        int big_endian;
    } cases[] = {
        {DMP_ARCH_X86, DMP_CPU_X86, 4, 0},          {DMP_ARCH_AMD64, DMP_CPU_AMD64, 8, 0},
        {DMP_ARCH_X86_ON_WIN64, DMP_CPU_X86, 4, 0}, {DMP_ARCH_ARM, DMP_CPU_ARM, 4, 0},
        {DMP_ARCH_ARM64, DMP_CPU_ARM64, 8, 0},      {DMP_ARCH_ARM64_BREAKPAD, DMP_CPU_ARM64, 8, 0},
        {DMP_ARCH_PPC, DMP_CPU_UNKNOWN, 4, 1},      {DMP_ARCH_PPC64, DMP_CPU_UNKNOWN, 8, 1},
        {DMP_ARCH_MIPS, DMP_CPU_UNKNOWN, 4, 0},     {DMP_ARCH_MIPS64, DMP_CPU_UNKNOWN, 8, 0},
        {DMP_ARCH_RISCV, DMP_CPU_UNKNOWN, 4, 0},    {DMP_ARCH_RISCV64, DMP_CPU_UNKNOWN, 8, 0},
        {DMP_ARCH_IA64, DMP_CPU_UNKNOWN, 8, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct mkdump *b = mkd_new(0);
        add_system_info(b, cases[i].arch, DMP_PLATFORM_WINNT);
        dmp_file *f = open_built(b);
        dmp_arch_info a;
        ck_assert_int_eq(dmp_get_arch(f, &a), DMP_OK);
        ck_assert_uint_eq(a.arch, cases[i].arch);
        ck_assert_int_eq(a.cpu, cases[i].cpu);
        ck_assert_uint_eq(a.pointer_size, cases[i].pointer_size);
        ck_assert_int_eq(a.big_endian, cases[i].big_endian);
        ck_assert_int_eq(a.from_context, 0);
        dmp_close(f);
        mkd_free(b);
    }
    /* An architecture we know nothing of, and no context to tell: not found. */
    struct mkdump *b = mkd_new(0);
    add_system_info(b, DMP_ARCH_SPARC, DMP_PLATFORM_SOLARIS);
    dmp_file *f = open_built(b);
    dmp_arch_info a;
    ck_assert_int_eq(dmp_get_arch(f, &a), DMP_E_NOT_FOUND);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(crash_helper_arguments)
{
    struct mkdump *b = mkd_new(0);
    dmp_file *f = open_built(b);
    dmp_crash c;
    dmp_arch_info a;
    dmp_context ctx;
    ck_assert_int_eq(dmp_get_crash(NULL, &c), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_get_crash(f, NULL), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_get_arch(NULL, &a), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_get_arch(f, NULL), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_exception_context(NULL, 0, &ctx, NULL), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_exception_context(f, 0, NULL, NULL), DMP_E_INVALID_ARG);
    ck_assert_str_eq(dmp_exception_name(NULL, 0x80000003u), "EXCEPTION_BREAKPOINT");
    ck_assert_ptr_null(dmp_exception_name(NULL, 0x1234u));
    ck_assert_str_eq(dmp_context_source_name(DMP_CONTEXT_NONE), "none");
    ck_assert_str_eq(dmp_context_source_name(DMP_CONTEXT_EXCEPTION), "exception");
    ck_assert_str_eq(dmp_context_source_name((dmp_context_source)99), "none");
    dmp_close(f);
    mkd_free(b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("contract");
    TCase *tc = tcase_create("absent");
    tcase_add_test(tc, absent_streams_on_a_built_dump);
    tcase_add_test(tc, absent_streams_on_invalid_range_dmp);
    suite_add_tcase(s, tc);
    tc = tcase_create("crash");
    tcase_add_test(tc, crash_of_the_triage_fixture);
    tcase_add_test(tc, crash_falls_back_to_the_thread_context);
    tcase_add_test(tc, crash_without_thread_or_context);
    tcase_add_test(tc, crash_of_a_malformed_exception_stream);
    tcase_add_test(tc, arch_of_each_processor_architecture);
    tcase_add_test(tc, crash_helper_arguments);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
