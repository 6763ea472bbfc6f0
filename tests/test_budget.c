/* test_budget.c - issue 12's findings as regression tests that count work, not seconds: the
 * allocation budget (dmp_options.max_alloc, dmp_get_heap_usage) against dumps whose
 * structures alias each other, the heap the open really takes (glibc's mallinfo2, which the
 * library cannot see), and the steps of the loops a dump controls (dmpi_work).
 * SPDX-License-Identifier: MIT */
#include "internal.h"
#include "manifest.h"
#include "suite.h"

#include <stdio.h>
#include <string.h>
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
#include <malloc.h>
#define HAVE_MALLINFO2 1
#endif

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#endif

enum { THREAD_SIZE = 48, EXCEPTION_STREAM_SIZE = 168, UNLOADED_SIZE = 24 };

/* Bytes the C heap holds now, as glibc counts them: an independent check of what the
 * library charges itself. -1 where that count is not available (another C library, or ASan,
 * whose allocator glibc does not see). */
static long long heap_in_use(void)
{
#if defined(HAVE_MALLINFO2) && !defined(UNDER_ASAN)
    const struct mallinfo2 mi = mallinfo2();
    return (long long)(mi.uordblks + mi.hblkhd);
#else
    return -1;
#endif
}

static uint64_t default_budget(uint64_t size)
{
    return size * DMP_DEFAULT_ALLOC_FACTOR + DMP_DEFAULT_ALLOC_BASE;
}

/* A ThreadList of n threads with ids 1..n and no stack or context. */
static uint32_t add_thread_list(struct mkdump *b, uint32_t n)
{
    const size_t len = 4 + (size_t)n * THREAD_SIZE;
    uint8_t *buf = calloc(1, len);
    ck_assert_ptr_nonnull(buf);
    mkd_store_u32(buf, n);
    for (uint32_t i = 0; i < n; i++)
        mkd_store_u32(buf + 4 + (size_t)i * THREAD_SIZE, i + 1);
    const uint32_t s = mkd_add_stream_data(b, DMP_STREAM_THREAD_LIST, buf, len);
    free(buf);
    return s;
}

/* Opens a built dump and checks that it holds no more than its budget (and the part never
 * refused), by the library's count and, where there is one, by glibc's. */
static dmp_file *open_within_budget(const uint8_t *data, size_t len, const dmp_options *opts,
                                    dmp_heap_usage *u)
{
    const long long before = heap_in_use();
    dmp_file *f = NULL;
    dmp_error err;
    ck_assert_int_eq(dmp_open_mem_ex(data, len, opts, &f, &err), DMP_OK);
    const long long after = heap_in_use();
    dmp_get_heap_usage(f, u);
    ck_assert_uint_le(u->used, u->peak);
    ck_assert_uint_le(u->peak, u->budget + u->always);
    if (before >= 0 && after >= 0)
        ck_assert_msg((uint64_t)(after - before) <= u->budget + u->always,
                      "the open holds %lld bytes, budget %llu (+%llu always)", after - before,
                      (unsigned long long)u->budget, (unsigned long long)u->always);
    else
        printf("no mallinfo2 here (ASan or not glibc): the library's own count is checked\n");
    return f;
}

static size_t budget_diags(const dmp_file *f, const char *part)
{
    size_t n = 0;
    for (size_t i = 0; i < dmp_diag_count(f); i++) {
        dmp_diag d;
        ck_assert_int_eq(dmp_diag_get(f, i, &d), DMP_OK);
        if (d.kind == DMP_DIAG_BUDGET && (!part || strcmp(d.detail, part) == 0))
            n++;
    }
    return n;
}

/* Finding 2: 200,000 directory entries naming one ExceptionStream (2.4 MB). Decoded one
 * record per entry, they took about 38 times the file. Now the open holds at most the
 * default budget (8 times the file plus 16 MiB) by glibc's own count, the exceptions that do
 * not fit are left out with a diagnostic naming them, and the threads are still served. */
START_TEST(aliased_exception_streams_bounded)
{
    enum { ENTRIES = 200000, THREADS = 8 };
    struct mkdump *b = mkd_new(ENTRIES + 2);
    mkd_add_system_info(b, DMP_PLATFORM_WINNT, DMP_ARCH_AMD64);
    add_thread_list(b, THREADS);
    uint8_t rec[EXCEPTION_STREAM_SIZE] = {0};
    mkd_store_u32(rec, 1);              /* thread id */
    mkd_store_u32(rec + 8, 0xc0000005); /* access violation */
    const uint32_t first = mkd_add_stream_data(b, DMP_STREAM_EXCEPTION, rec, sizeof rec);
    const uint64_t rva = mkd_stream_rva(b, first);
    for (uint32_t i = 1; i < ENTRIES; i++)
        mkd_add_stream(b, DMP_STREAM_EXCEPTION, (uint32_t)rva, sizeof rec);
    size_t len;
    const uint8_t *data = mkd_finish(b, &len);
    dmp_heap_usage u;
    dmp_file *f = open_within_budget(data, len, NULL, &u);
    ck_assert_uint_eq(u.budget, default_budget(len));
    ck_assert_uint_eq(dmp_thread_count(f), THREADS);
    ck_assert_uint_ge(u.refused, 1);
    ck_assert_uint_eq(budget_diags(f, "exceptions"), 1);
    ck_assert_uint_eq(dmp_exception_count(f), 0);
    dmp_system_info si;
    ck_assert_int_eq(dmp_get_system_info(f, &si), DMP_OK);
    dmp_close(f);

    /* A budget of the caller's, with room for the directory and 1 MiB more, leaves out what
     * does not fit the same way, and says so. */
    const dmp_options small = {.max_alloc = ENTRIES * sizeof(struct dmpi_stream) + (1 << 20)};
    f = open_within_budget(data, len, &small, &u);
    ck_assert_uint_eq(u.budget, small.max_alloc);
    ck_assert_uint_eq(dmp_thread_count(f), THREADS);
    ck_assert_uint_eq(budget_diags(f, "exceptions"), 1);
    char text[256];
    dmp_diag d;
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_BUDGET, &d), 1);
    dmp_diag_format(&d, text, sizeof text);
    char want[64];
    snprintf(want, sizeof want, "allocation budget of %llu bytes",
             (unsigned long long)small.max_alloc);
    ck_assert_msg(strstr(text, want) && strstr(text, "exceptions; left out"), "%s", text);
    ck_assert_str_eq(dmp_diag_kind_name(DMP_DIAG_BUDGET), "budget");
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Finding 2, the memory lists: 4,000 directory entries naming one MemoryListStream of 256
 * ranges. The index is charged like everything else: under a budget too small for it, the
 * dump opens without its memory and says so; the default holds it by glibc's count. */
START_TEST(aliased_memory_lists_bounded)
{
    enum { ENTRIES = 4000, RANGES = 256 };
    struct mkdump *b = mkd_new(ENTRIES + 2);
    mkd_add_system_info(b, DMP_PLATFORM_WINNT, DMP_ARCH_AMD64);
    add_thread_list(b, 2);
    struct mkd_range r[RANGES];
    for (size_t i = 0; i < RANGES; i++)
        r[i] = (struct mkd_range){.addr = 0x10000 + i * 0x100, .size = 16, .tag = 1};
    const uint32_t list = mkd_add_memory_list(b, r, RANGES, false);
    const uint64_t rva = mkd_stream_rva(b, list);
    for (uint32_t i = 1; i < ENTRIES; i++)
        mkd_add_stream(b, DMP_STREAM_MEMORY_LIST, (uint32_t)rva, 4 + RANGES * 16);
    size_t len;
    const uint8_t *data = mkd_finish(b, &len);
    dmp_heap_usage u;
    dmp_file *f = open_within_budget(data, len, NULL, &u);
    ck_assert_uint_eq(dmp_range_count(f), RANGES);
    ck_assert_uint_eq(budget_diags(f, NULL), 0);
    dmp_close(f);

    /* Room for the directory and 16 KiB: not for the index. */
    const dmp_options tight = {.max_alloc = ENTRIES * sizeof(struct dmpi_stream) + (16 << 10)};
    f = open_within_budget(data, len, &tight, &u);
    ck_assert_uint_eq(budget_diags(f, "memory index"), 1);
    ck_assert_uint_eq(dmp_range_count(f), 0);
    uint8_t byte;
    ck_assert_int_eq(dmp_read_memory(f, 0x10000, &byte, 1, NULL), DMP_E_UNMAPPED);
    ck_assert_uint_eq(dmp_thread_count(f), 2); /* the rest is served */
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Finding 2, Crashpad: 400,000 module links (4.8 MB) naming one MinidumpModuleCrashpadInfo
 * whose 64 annotation objects all name one string. A record a link and the objects up to
 * the entry cap took 100 MB, 21 times the file; by glibc's count the open now holds at most
 * the default budget, and what does not fit is left out with a diagnostic. */
START_TEST(aliased_crashpad_links_bounded)
{
    enum { LINKS = 400000, OBJECTS = 64, OBJECT_SIZE = 12, LINK_SIZE = 12 };
    struct mkdump *b = mkd_new(0);
    mkd_add_system_info(b, DMP_PLATFORM_LINUX, DMP_ARCH_AMD64);
    add_thread_list(b, 4);
    const uint8_t name[] = {1, 0, 0, 0, 'n', 0}; /* MinidumpUTF8String "n" */
    const uint64_t name_rva = mkd_append(b, name, sizeof name);
    uint8_t objects[4 + OBJECTS * OBJECT_SIZE] = {0};
    mkd_store_u32(objects, OBJECTS);
    for (size_t i = 0; i < OBJECTS; i++)
        mkd_store_u32(objects + 4 + i * OBJECT_SIZE, (uint32_t)name_rva);
    const uint64_t objects_rva = mkd_append(b, objects, sizeof objects);
    uint8_t info[28] = {0}; /* version, list and simple annotations absent, the objects */
    mkd_store_u32(info, 1);
    mkd_store_u32(info + 20, sizeof objects);
    mkd_store_u32(info + 24, (uint32_t)objects_rva);
    const uint64_t info_rva = mkd_append(b, info, sizeof info);
    const size_t list_len = 4 + (size_t)LINKS * LINK_SIZE;
    uint8_t *list = calloc(1, list_len);
    ck_assert_ptr_nonnull(list);
    mkd_store_u32(list, LINKS);
    for (size_t i = 0; i < LINKS; i++) {
        mkd_store_u32(list + 4 + i * LINK_SIZE + 4, sizeof info);
        mkd_store_u32(list + 4 + i * LINK_SIZE + 8, (uint32_t)info_rva);
    }
    const uint64_t list_rva = mkd_append(b, list, list_len);
    free(list);
    uint8_t rec[52] = {0};
    mkd_store_u32(rec, 1);
    mkd_store_u32(rec + 44, (uint32_t)list_len);
    mkd_store_u32(rec + 48, (uint32_t)list_rva);
    mkd_add_stream_data(b, DMP_STREAM_CRASHPAD_INFO, rec, sizeof rec);
    size_t len;
    const uint8_t *data = mkd_finish(b, &len);
    dmp_heap_usage u;
    dmp_file *f = open_within_budget(data, len, NULL, &u);
    ck_assert_uint_eq(dmp_thread_count(f), 4);
    ck_assert_uint_eq(budget_diags(f, "Crashpad info"), 1);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* A directory that alone does not fit the caller's budget fails the open with a message. */
START_TEST(directory_over_budget_fails)
{
    enum { ENTRIES = 1000 };
    struct mkdump *b = mkd_new(ENTRIES);
    for (uint32_t i = 0; i < ENTRIES; i++)
        mkd_add_stream(b, 0xffff0000u + i, 0, 0);
    size_t len;
    const uint8_t *data = mkd_finish(b, &len);
    const dmp_options opts = {.max_alloc = 4096};
    dmp_file *f = NULL;
    dmp_error err;
    ck_assert_int_eq(dmp_open_mem_ex(data, len, &opts, &f, &err), DMP_E_TOO_LARGE);
    ck_assert_ptr_null(f);
    ck_assert_msg(strstr(err.message, "allocation budget of 4096 bytes"), "%s", err.message);
    mkd_free(b);
}
END_TEST

/* The default opens every shared dump whole: nothing refused, and the most any of them
 * takes is printed against its size. */
START_TEST(default_budget_opens_shared_dumps)
{
    double worst = 0; /* peak over budget */
    const char *worst_name = "";
    size_t opened = 0;
    for (size_t i = 0; i < manifest_rows(); i++) {
        const char *const name = manifest_get(i, "file");
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", DMPREAD_SHARED_DUMPS, name);
        dmp_file *f = NULL;
        if (dmp_open(path, &f) != DMP_OK)
            continue; /* a dump that is not one (test_corpus checks each) */
        opened++;
        dmp_heap_usage u;
        dmp_get_heap_usage(f, &u);
        ck_assert_msg(u.refused == 0 && budget_diags(f, NULL) == 0, "%s: %llu refused", name,
                      (unsigned long long)u.refused);
        const double ratio = (double)u.peak / (double)u.budget;
        if (ratio > worst) {
            worst = ratio;
            worst_name = name;
        }
        dmp_close(f);
    }
    ck_assert_uint_gt(opened, 0);
    printf("default_budget_opens_shared_dumps: %zu dumps, none refused; the most held at once "
           "is %.1f%% of the budget (%s)\n",
           opened, 100 * worst, worst_name);
}
END_TEST

/* Finding 1: 3,000 threads sharing one id and 3,000 ThreadNames entries for it. The join
 * once filled every thread of the id for every entry (9,000,000 steps); now the first entry
 * fills them and the others are refused at the id's first thread. */
START_TEST(thread_name_join_is_linear)
{
    enum { THREADS = 3000, NAMES = 3000 };
    struct mkdump *b = mkd_new(0);
    const size_t tlen = 4 + (size_t)THREADS * THREAD_SIZE;
    uint8_t *tl = calloc(1, tlen);
    ck_assert_ptr_nonnull(tl);
    mkd_store_u32(tl, THREADS);
    for (size_t i = 0; i < THREADS; i++)
        mkd_store_u32(tl + 4 + i * THREAD_SIZE, 7);
    mkd_add_stream_data(b, DMP_STREAM_THREAD_LIST, tl, tlen);
    free(tl);
    const uint8_t name[] = {2, 0, 0, 0, 'w', 0}; /* MINIDUMP_STRING "w" */
    const uint64_t name_rva = mkd_append(b, name, sizeof name);
    const size_t nlen = 4 + (size_t)NAMES * 12;
    uint8_t *nl = calloc(1, nlen);
    ck_assert_ptr_nonnull(nl);
    mkd_store_u32(nl, NAMES);
    for (size_t i = 0; i < NAMES; i++) {
        mkd_store_u32(nl + 4 + i * 12, 7);
        mkd_store_u64(nl + 8 + i * 12, name_rva);
    }
    mkd_add_stream_data(b, DMP_STREAM_THREAD_NAMES, nl, nlen);
    free(nl);
    const uint64_t before = dmpi_work;
    dmp_file *f = open_built(b);
    const uint64_t work = dmpi_work - before;
    ck_assert_msg(work <= 2 * (THREADS + NAMES), "the join took %llu steps",
                  (unsigned long long)work);
    dmp_thread t;
    ck_assert_int_eq(dmp_thread_get(f, THREADS - 1, &t), DMP_OK);
    ck_assert_str_eq(t.name, "w");
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Finding 3a: `info` looked each exception's address up in the unloaded-module list entry by
 * entry. dmp_unloaded_module_find, which it uses now, takes at most log2(n) + 1 steps. */
START_TEST(unloaded_lookup_is_logarithmic)
{
    enum { MODULES = 20000 };
    struct mkdump *b = mkd_new(0);
    const size_t len = 12 + (size_t)MODULES * UNLOADED_SIZE;
    uint8_t *buf = calloc(1, len);
    ck_assert_ptr_nonnull(buf);
    mkd_store_u32(buf, 12);
    mkd_store_u32(buf + 4, UNLOADED_SIZE);
    mkd_store_u32(buf + 8, MODULES);
    for (size_t i = 0; i < MODULES; i++) {
        uint8_t *const e = buf + 12 + i * UNLOADED_SIZE;
        mkd_store_u64(e, 0x10000000 + (uint64_t)i * 0x10000);
        mkd_store_u32(e + 8, 0x1000);
    }
    mkd_add_stream_data(b, DMP_STREAM_UNLOADED_MODULE_LIST, buf, len);
    free(buf);
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_unloaded_module_count(f), MODULES);
    const uint64_t before = dmpi_work;
    for (size_t i = 0; i < MODULES; i++) {
        size_t index;
        const uint64_t addr = 0x10000000 + (uint64_t)i * 0x10000 + 0x800;
        expect(dmp_unloaded_module_find(f, addr, &index) == DMP_OK && index == i,
               "module %zu not found", i);
    }
    const uint64_t work = dmpi_work - before;
    ck_assert_msg(work <= (uint64_t)MODULES * 16, "%d lookups took %llu steps", MODULES,
                  (unsigned long long)work);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Findings 3b and 7: 20,000 adjacent ranges, and a coverage question at each. Each question
 * walked the run to its end (200,000,000 steps); the run table makes the whole linear. */
START_TEST(run_questions_are_linear)
{
    enum { RANGES = 20000 };
    struct mkd_range *r = calloc(RANGES, sizeof *r);
    ck_assert_ptr_nonnull(r);
    for (size_t i = 0; i < RANGES; i++)
        r[i] = (struct mkd_range){.addr = 0x100000 + i * 16, .size = 16, .tag = 3};
    struct mkdump *b = mkd_new(0);
    mkd_add_memory_list(b, r, RANGES, false);
    free(r);
    dmp_file *f = open_built(b);
    const uint64_t before = dmpi_work;
    for (size_t i = 0; i < RANGES; i++) {
        const uint64_t addr = 0x100000 + i * 16;
        expect(dmp_readable_len(f, addr) == (uint64_t)(RANGES - i) * 16, "range %zu", i);
        uint64_t missing;
        expect(dmp_find_uncovered(f, addr, (RANGES - i) * 16, &missing) == DMP_OK,
               "range %zu not covered", i);
    }
    const uint64_t work = dmpi_work - before;
    ck_assert_msg(work <= (uint64_t)RANGES * 48, "%d questions took %llu steps", 2 * RANGES,
                  (unsigned long long)work);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("budget");
    TCase *tc = tcase_create("memory");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, aliased_exception_streams_bounded);
    tcase_add_test(tc, aliased_memory_lists_bounded);
    tcase_add_test(tc, aliased_crashpad_links_bounded);
    tcase_add_test(tc, directory_over_budget_fails);
    suite_add_tcase(s, tc);
    tc = tcase_create("work");
    tcase_add_test(tc, thread_name_join_is_linear);
    tcase_add_test(tc, unloaded_lookup_is_logarithmic);
    tcase_add_test(tc, run_questions_are_linear);
    suite_add_tcase(s, tc);
    if (manifest_load(DMPREAD_SHARED_DUMPS)) {
        tc = tcase_create("shared-dumps");
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, default_budget_opens_shared_dumps);
        suite_add_tcase(s, tc);
    } else {
        printf("test_budget: shared dumps absent; default_budget_opens_shared_dumps skipped\n");
    }
    return run_suite(s);
}
