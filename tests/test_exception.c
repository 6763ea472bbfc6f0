/* test_exception.c - ExceptionStreams field by field, several per dump, broken one field at a
 * time; exception code names per platform; the shared dumps' codes against MANIFEST.tsv.
 * SPDX-License-Identifier: MIT */
#include "manifest.h"
#include "suite.h"

#include <stdio.h>
#include <string.h>

#define EXC_SIZE 168

struct exc_spec {
    uint32_t thread_id;
    uint32_t code;
    uint32_t flags;
    uint64_t record;
    uint64_t address;
    uint32_t nparams;
    uint32_t context_size;
    uint32_t context_rva;
};

/* A MINIDUMP_EXCEPTION_STREAM of `len` bytes (the rest zero); parameter i is 0x1000 + i. */
static uint32_t add_exception(struct mkdump *b, const struct exc_spec *e, size_t len)
{
    uint8_t buf[EXC_SIZE + 16] = {0};
    mkd_store_u32(buf, e->thread_id);
    mkd_store_u32(buf + 4, 0xdddddddd); /* __alignment: never read */
    mkd_store_u32(buf + 8, e->code);
    mkd_store_u32(buf + 12, e->flags);
    mkd_store_u64(buf + 16, e->record);
    mkd_store_u64(buf + 24, e->address);
    mkd_store_u32(buf + 32, e->nparams);
    mkd_store_u32(buf + 36, 0xdddddddd);
    for (int i = 0; i < 15; i++)
        mkd_store_u64(buf + 40 + 8 * i, 0x1000u + (uint64_t)i);
    mkd_store_u32(buf + 160, e->context_size);
    mkd_store_u32(buf + 164, e->context_rva);
    return mkd_add_stream_data(b, DMP_STREAM_EXCEPTION, buf, len);
}

static dmp_exception exception_at(const dmp_file *f, size_t i)
{
    dmp_exception e;
    ck_assert_int_eq(dmp_exception_get(f, i, &e), DMP_OK);
    return e;
}

/* The i-th DMP_DIAG_MALFORMED diagnostic names stream s at offset off, with `phrase`. */
static void expect_diag(const dmp_file *f, size_t i, uint32_t s, uint64_t off, const char *phrase)
{
    for (size_t j = 0, n = 0; j < dmp_diag_count(f); j++) {
        dmp_diag d;
        ck_assert_int_eq(dmp_diag_get(f, j, &d), DMP_OK);
        if (d.kind != DMP_DIAG_MALFORMED || n++ != i)
            continue;
        ck_assert_uint_eq(d.stream_index, s);
        ck_assert_uint_eq(d.stream_type, DMP_STREAM_EXCEPTION);
        ck_assert_uint_eq(d.offset, off);
        ck_assert_msg(strstr(d.detail, phrase) != NULL, "detail '%s' lacks '%s'", d.detail, phrase);
        return;
    }
    ck_abort_msg("no malformed diagnostic %zu", i);
}

START_TEST(exception_fields_decoded)
{
    struct mkdump *b = mkd_new(0);
    const uint8_t ctx[64] = {0x10, 0x00, 0x01, 0x00};
    struct exc_spec e = {.thread_id = 0xbf4,
                         .code = 0xc0000005,
                         .flags = 1,
                         .record = 0x12345678abcdu,
                         .address = 0x40429e,
                         .nparams = 2,
                         .context_size = sizeof ctx,
                         .context_rva = (uint32_t)mkd_append(b, ctx, sizeof ctx)};
    const uint32_t s = add_exception(b, &e, EXC_SIZE);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_exception_count(f), 1);
    const dmp_exception x = exception_at(f, 0);
    ck_assert_uint_eq(x.stream_index, s);
    ck_assert_uint_eq(x.thread_id, 0xbf4);
    ck_assert_uint_eq(x.code, 0xc0000005);
    ck_assert_uint_eq(x.flags, 1);
    ck_assert_uint_eq(x.record, 0x12345678abcdu);
    ck_assert_uint_eq(x.address, 0x40429e);
    ck_assert_uint_eq(x.param_count, 2);
    for (int i = 0; i < 15; i++) /* all 15 as written, whatever the count */
        ck_assert_uint_eq(x.params[i], 0x1000u + (uint64_t)i);
    ck_assert_uint_eq(x.context_size, sizeof ctx);
    ck_assert_uint_eq(x.context_rva, e.context_rva);
    ck_assert_ptr_nonnull(x.context);
    ck_assert_mem_eq(x.context, ctx, sizeof ctx);
    ck_assert_uint_eq(dmp_diag_count(f), 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Several ExceptionStreams, in directory order; a longer stream is read for its known part;
 * one too short is reported and skipped, and the rest still served. */
START_TEST(several_streams)
{
    struct mkdump *b = mkd_new(0);
    struct exc_spec e1 = {.thread_id = 1, .code = 0x80000003};
    struct exc_spec e2 = {.thread_id = 2, .code = 0xc0000409};
    struct exc_spec e3 = {.thread_id = 3, .code = 11};
    const uint32_t s1 = add_exception(b, &e1, EXC_SIZE);
    mkd_add_stream_data(b, DMP_STREAM_SYSTEM_INFO, NULL, 56);
    const uint32_t s2 = add_exception(b, &e2, EXC_SIZE - 1);
    const uint32_t s3 = add_exception(b, &e3, EXC_SIZE + 16);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_exception_count(f), 2);
    ck_assert_uint_eq(exception_at(f, 0).stream_index, s1);
    ck_assert_uint_eq(exception_at(f, 0).code, 0x80000003);
    ck_assert_ptr_null(exception_at(f, 0).context); /* DataSize 0: no context, no complaint */
    ck_assert_uint_eq(exception_at(f, 1).stream_index, s3);
    ck_assert_uint_eq(exception_at(f, 1).thread_id, 3);
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_MALFORMED, NULL), 1);
    expect_diag(f, 0, s2, mkd_stream_rva(b, s2), "shorter");
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(too_many_parameters)
{
    struct mkdump *b = mkd_new(0);
    struct exc_spec e = {.thread_id = 7, .code = 0xe06d7363, .nparams = 20};
    const uint32_t s = add_exception(b, &e, EXC_SIZE);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_exception_count(f), 1);
    const dmp_exception x = exception_at(f, 0);
    ck_assert_uint_eq(x.param_count, 20);
    ck_assert_uint_eq(x.params[14], 0x100e);
    expect_diag(f, 0, s, mkd_stream_rva(b, s) + 32, "NumberParameters");
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* A context outside the file: NULL, with its size and rva as written, and a diagnostic at
 * the ThreadContext descriptor. One running past EOF by a byte counts as outside. */
START_TEST(context_outside_file)
{
    struct mkdump *b = mkd_new(0);
    struct exc_spec e1 = {.code = 1, .context_size = 1232, .context_rva = 0x7ffffff0};
    const uint32_t s1 = add_exception(b, &e1, EXC_SIZE);
    const uint64_t tail = mkd_append(b, NULL, 16);
    struct exc_spec e2 = {.code = 2, .context_size = 17, .context_rva = (uint32_t)tail};
    const uint32_t s2 = add_exception(b, &e2, EXC_SIZE);
    size_t len;
    mkd_finish(b, &len);
    mkd_poke_u32(b, mkd_stream_rva(b, s2) + 164, (uint32_t)(len - 16));
    dmp_file *f = open_prefix(b, len);
    ck_assert_uint_eq(dmp_exception_count(f), 2);
    dmp_exception x = exception_at(f, 0);
    ck_assert_ptr_null(x.context);
    ck_assert_uint_eq(x.context_size, 1232);
    ck_assert_uint_eq(x.context_rva, 0x7ffffff0);
    x = exception_at(f, 1);
    ck_assert_ptr_null(x.context);
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_MALFORMED, NULL), 2);
    expect_diag(f, 0, s1, mkd_stream_rva(b, s1) + 160, "outside the file");
    expect_diag(f, 1, s2, mkd_stream_rva(b, s2) + 160, "outside the file");
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* A stream past EOF was reported by the directory: no exception, no second diagnostic. A
 * stream clipped at EOF below 168 bytes is malformed. */
START_TEST(streams_at_eof)
{
    struct mkdump *b = mkd_new(0);
    struct exc_spec e = {.code = 6};
    mkd_add_stream(b, DMP_STREAM_EXCEPTION, 0x7fff0000, EXC_SIZE);
    const uint32_t s = add_exception(b, &e, EXC_SIZE);
    size_t len;
    mkd_finish(b, &len);
    dmp_file *f = open_prefix(b, len - 40);
    ck_assert_uint_eq(dmp_exception_count(f), 0);
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_STREAM_PAST_EOF, NULL), 1);
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_STREAM_CLIPPED, NULL), 1);
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_MALFORMED, NULL), 1);
    expect_diag(f, 0, s, mkd_stream_rva(b, s), "shorter");
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(exception_accessor_arguments)
{
    struct mkdump *b = mkd_new(0);
    struct exc_spec e = {.code = 6};
    add_exception(b, &e, EXC_SIZE);
    dmp_file *f = open_built(b);
    dmp_exception x;
    memset(&x, 0xa5, sizeof x);
    ck_assert_int_eq(dmp_exception_get(NULL, 0, &x), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_exception_get(f, 0, NULL), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_exception_get(f, 1, &x), DMP_E_NOT_FOUND);
    ck_assert_uint_eq(x.code, 0xa5a5a5a5);
    ck_assert_uint_eq(dmp_exception_count(NULL), 0);
    dmp_close(f);
    mkd_free(b);
    /* A dump without any. */
    b = mkd_new(0);
    f = open_built(b);
    ck_assert_uint_eq(dmp_exception_count(f), 0);
    ck_assert_int_eq(dmp_exception_get(f, 0, &x), DMP_E_NOT_FOUND);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(code_names)
{
    const struct {
        uint32_t code, platform;
        const char *name;
    } cases[] = {
        {0xc0000005, DMP_PLATFORM_WINNT, "EXCEPTION_ACCESS_VIOLATION"},
        {0xc0000409, DMP_PLATFORM_WINNT, "STATUS_STACK_BUFFER_OVERRUN"},
        {0xc0000374, DMP_PLATFORM_WINNT, "STATUS_HEAP_CORRUPTION"},
        {0x80000003, DMP_PLATFORM_WINNT, "EXCEPTION_BREAKPOINT"},
        {0xc00000fd, DMP_PLATFORM_WINNT, "EXCEPTION_STACK_OVERFLOW"},
        {0xc000000d, DMP_PLATFORM_WINNT, "STATUS_INVALID_PARAMETER"},
        {0x40000015, DMP_PLATFORM_WINNT, "STATUS_FATAL_APP_EXIT"},
        {0xe06d7363, DMP_PLATFORM_WINNT, "CPP_EH_EXCEPTION"},
        {0xe0434352, DMP_PLATFORM_WINNT, "CLR_EXCEPTION"},
        {0xc0000094, DMP_PLATFORM_WIN9X, "EXCEPTION_INT_DIVIDE_BY_ZERO"},
        {0xc0000096, DMP_PLATFORM_WINCE, "EXCEPTION_PRIV_INSTRUCTION"},
        {0x80000001, DMP_PLATFORM_WIN32S, "EXCEPTION_GUARD_PAGE"},
        {0xc0000005, 0x1234, "EXCEPTION_ACCESS_VIOLATION"}, /* unknown: Windows' names */
        {0xc0000005, DMP_PLATFORM_UNIX, "EXCEPTION_ACCESS_VIOLATION"},
        {0x12345678, DMP_PLATFORM_WINNT, NULL},
        {11, DMP_PLATFORM_WINNT, NULL},
        {11, DMP_PLATFORM_LINUX, "SIGSEGV"},
        {6, DMP_PLATFORM_ANDROID, "SIGABRT"},
        {7, DMP_PLATFORM_LINUX, "SIGBUS"},
        {8, DMP_PLATFORM_LINUX, "SIGFPE"},
        {4, DMP_PLATFORM_LINUX, "SIGILL"},
        {5, DMP_PLATFORM_LINUX, "SIGTRAP"},
        {9, DMP_PLATFORM_LINUX, "SIGKILL"},
        {31, DMP_PLATFORM_LINUX, "SIGSYS"},
        {0xffffffff, DMP_PLATFORM_LINUX, "DUMP_REQUESTED"},
        {0, DMP_PLATFORM_LINUX, NULL},
        {32, DMP_PLATFORM_LINUX, NULL},
        {0xc0000005, DMP_PLATFORM_LINUX, NULL},
        {10, DMP_PLATFORM_SOLARIS, "SIGBUS"},
        {12, DMP_PLATFORM_SOLARIS, "SIGSYS"},
        {40, DMP_PLATFORM_SOLARIS, "SIGJVM2"},
        {41, DMP_PLATFORM_SOLARIS, NULL},
        {1, DMP_PLATFORM_MACOS, "EXC_BAD_ACCESS"},
        {2, DMP_PLATFORM_MACOS, "EXC_BAD_INSTRUCTION"},
        {3, DMP_PLATFORM_IOS, "EXC_ARITHMETIC"},
        {6, DMP_PLATFORM_MACOS, "EXC_BREAKPOINT"},
        {10, DMP_PLATFORM_MACOS, "EXC_CRASH"},
        {12, DMP_PLATFORM_MACOS, "EXC_GUARD"},
        {0x43507378, DMP_PLATFORM_MACOS, "SIMULATED"},
        {0x43506e78, DMP_PLATFORM_IOS, "UNCAUGHT_NS_EXCEPTION"},
        {0, DMP_PLATFORM_MACOS, NULL},
        {11, DMP_PLATFORM_MACOS, "EXC_RESOURCE"},
        {0x108, DMP_PLATFORM_FUCHSIA, "ZX_EXCP_FATAL_PAGE_FAULT"},
        {0x8208, DMP_PLATFORM_FUCHSIA, "ZX_EXCP_POLICY_ERROR"},
        {11, DMP_PLATFORM_FUCHSIA, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = dmp_exception_code_name(cases[i].code, cases[i].platform);
        if (!cases[i].name)
            ck_assert_msg(got == NULL, "0x%x on 0x%x: %s", cases[i].code, cases[i].platform, got);
        else
            ck_assert_msg(got && strcmp(got, cases[i].name) == 0, "0x%x on 0x%x: %s, want %s",
                          cases[i].code, cases[i].platform, got ? got : "NULL", cases[i].name);
    }
}
END_TEST

/* ---- The shared dumps ------------------------------------------------------------------ */

static uint32_t platform_of(const char *os)
{
    if (strcmp(os, "linux") == 0)
        return DMP_PLATFORM_LINUX;
    if (strcmp(os, "macos") == 0)
        return DMP_PLATFORM_MACOS;
    if (strcmp(os, "ios") == 0)
        return DMP_PLATFORM_IOS;
    if (strcmp(os, "android") == 0)
        return DMP_PLATFORM_ANDROID;
    return DMP_PLATFORM_WINNT;
}

/* The first exception's code is the manifest's exc_code (0x%08x), or there is none ('-').
 * Every exception's context, when there, lies inside the file. */
START_TEST(shared_dump_exceptions)
{
    const char *file = manifest_get((size_t)_i, "file");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", DMPREAD_SHARED_DUMPS, file);
    dmp_file *f = NULL;
    ck_assert_int_eq(dmp_open(path, &f), DMP_OK);
    const char *want = manifest_get((size_t)_i, "exc_code");
    const size_t n = dmp_exception_count(f);
    if (strcmp(want, "-") == 0) {
        ck_assert_msg(n == 0, "%s: %zu exceptions, manifest none", file, n);
    } else {
        ck_assert_msg(n >= 1, "%s: no exception, manifest %s", file, want);
        char got[16];
        snprintf(got, sizeof got, "0x%08x", exception_at(f, 0).code);
        ck_assert_msg(strcmp(got, want) == 0, "%s: code %s, manifest %s", file, got, want);
        const char *name = dmp_exception_code_name(exception_at(f, 0).code,
                                                   platform_of(manifest_get((size_t)_i, "os")));
        printf("test_exception: %-50s %s %s\n", file, got, name ? name : "(unnamed)");
    }
    for (size_t i = 0; i < n; i++) {
        const dmp_exception x = exception_at(f, i);
        const uint8_t *base = NULL;
        size_t len = 0;
        const void *data;
        if (dmp_stream_data(f, x.stream_index, &data, &len) == DMP_OK)
            base = data;
        ck_assert_ptr_nonnull(base);
        ck_assert_uint_ge(len, 168);
        ck_assert_uint_eq(x.thread_id, (uint32_t)base[0] | (uint32_t)base[1] << 8 |
                                           (uint32_t)base[2] << 16 | (uint32_t)base[3] << 24);
        ck_assert(x.context == NULL ||
                  x.context_rva + (uint64_t)x.context_size <= dmp_file_size(f));
    }
    dmp_close(f);
}
END_TEST

/* breakpad/minidump2.dmp is rust-minidump's test.dmp: thread 0xbf4, access violation. */
START_TEST(shared_dump_known_exception)
{
    dmp_file *f = NULL;
    ck_assert_int_eq(dmp_open(DMPREAD_SHARED_DUMPS "/breakpad/minidump2.dmp", &f), DMP_OK);
    ck_assert_uint_eq(dmp_exception_count(f), 1);
    const dmp_exception x = exception_at(f, 0);
    ck_assert_uint_eq(x.thread_id, 0xbf4);
    ck_assert_uint_eq(x.code, 0xc0000005);
    ck_assert_ptr_nonnull(x.context);
    ck_assert_uint_eq(x.context_size, 716); /* the x86 CONTEXT */
    ck_assert_str_eq(dmp_exception_code_name(x.code, DMP_PLATFORM_WINNT),
                     "EXCEPTION_ACCESS_VIOLATION");
    dmp_close(f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("exception");
    TCase *tc = tcase_create("built");
    tcase_add_test(tc, exception_fields_decoded);
    tcase_add_test(tc, several_streams);
    tcase_add_test(tc, too_many_parameters);
    tcase_add_test(tc, context_outside_file);
    tcase_add_test(tc, streams_at_eof);
    tcase_add_test(tc, exception_accessor_arguments);
    tcase_add_test(tc, code_names);
    suite_add_tcase(s, tc);
    if (manifest_load(DMPREAD_SHARED_DUMPS)) {
        TCase *shared = tcase_create("shared-dumps");
        tcase_add_loop_test(shared, shared_dump_exceptions, 0, (int)manifest_rows());
        tcase_add_test(shared, shared_dump_known_exception);
        suite_add_tcase(s, shared);
    } else {
        printf("test_exception: shared dumps absent (%s): those cases skipped\n",
               DMPREAD_SHARED_DUMPS);
    }
    return run_suite(s);
}
