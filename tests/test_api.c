/* test_api.c - the public API's contract: arguments, statuses and their strings, open
 * failures and their messages, the read contract, lookups, diagnostics text, borrowing, and
 * concurrent reads of one open dump.
 * SPDX-License-Identifier: MIT
 *
 * The memory rules themselves (precedence, clipping, lists) are test_memindex's; header and
 * directory parsing are test_directory's. Here each case pins what include/dmpread.h promises
 * to a caller.
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, mkstemp, strnlen, pthread_barrier_t */
#include "suite.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define R(a, s, t)                                                                                 \
    {                                                                                              \
        (a), (s), (t), false, 0                                                                    \
    }

/* ---- Helpers ---------------------------------------------------------------------------- */

/* A private temp folder, and optionally one file in it. */
struct tmp {
    char dir[512];
    char path[600];
};

static void tmp_dir(struct tmp *t)
{
    const char *base = getenv("TMPDIR");
    snprintf(t->dir, sizeof t->dir, "%s/dmpread-api-XXXXXX", base && *base ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(t->dir));
    t->path[0] = '\0';
}

static void tmp_write(struct tmp *t, const void *data, size_t len)
{
    tmp_dir(t);
    snprintf(t->path, sizeof t->path, "%s/dumpXXXXXX", t->dir);
    const int fd = mkstemp(t->path);
    ck_assert_int_ge(fd, 0);
    const uint8_t *p = data;
    while (len > 0) {
        const ssize_t n = write(fd, p, len);
        ck_assert_int_gt(n, 0);
        p += n;
        len -= (size_t)n;
    }
    ck_assert_int_eq(close(fd), 0);
}

static void tmp_remove(const struct tmp *t)
{
    if (t->path[0])
        unlink(t->path);
    rmdir(t->dir);
}

/* Writes `data` to a temp file, opens it with dmp_open_ex and removes it again. */
static dmp_status open_as_file(const void *data, size_t len, dmp_file **out, dmp_error *err)
{
    struct tmp t;
    tmp_write(&t, data, len);
    const dmp_status st = dmp_open_ex(t.path, NULL, out, err);
    tmp_remove(&t);
    return st;
}

/* Checks a failed open's dmp_error: status, a one-line message holding `needle`. */
static void expect_error(const dmp_error *err, dmp_status st, const char *needle)
{
    ck_assert_int_eq(err->status, st);
    const size_t n = strnlen(err->message, sizeof err->message);
    ck_assert_uint_lt(n, sizeof err->message);
    ck_assert_uint_gt(n, 0);
    ck_assert_ptr_null(strchr(err->message, '\n'));
    ck_assert_msg(strstr(err->message, needle), "message \"%s\" lacks \"%s\"", err->message,
                  needle);
}

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != v)
            return false;
    return true;
}

/* Five ranges of 0x100 bytes: A at 0x1000 (MemoryList) and B at 0x1100 (Memory64List) abut;
 * a gap; C at 0x1300 (MemoryList); far above, E (Memory64List) and then D (MemoryList),
 * which ends at 2^64. In address order: A B C E D. */
static struct mkdump *small_dump(void)
{
    struct mkdump *b = mkd_new(4);
    const struct mkd_range ml[] = {R(0x1000, 0x100, 1), R(0x1300, 0x100, 3),
                                   R(0xffffffffffffff00u, 0x100, 4)};
    const struct mkd_range m64[] = {R(0x1100, 0x100, 2), R(0xfffffffffffffe00u, 0x100, 5)};
    mkd_add_memory_list(b, ml, 3, false);
    mkd_add_memory64_list(b, m64, 2);
    return b;
}

/* ---- Arguments -------------------------------------------------------------------------- */

START_TEST(open_rejects_null_arguments)
{
    struct mkdump *b = small_dump();
    size_t len;
    const uint8_t *data = mkd_finish(b, &len);
    dmp_file *f = (dmp_file *)&f;
    dmp_error err;
    ck_assert_int_eq(dmp_open(NULL, &f), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_open("/nonexistent", NULL), DMP_E_INVALID_ARG);
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(dmp_open_ex(NULL, NULL, &f, &err), DMP_E_INVALID_ARG);
    expect_error(&err, DMP_E_INVALID_ARG, "path");
    ck_assert_int_eq(dmp_open_mem(NULL, 64, &f), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_open_mem(data, len, NULL), DMP_E_INVALID_ARG);
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(dmp_open_mem_ex(NULL, 64, NULL, &f, &err), DMP_E_INVALID_ARG);
    expect_error(&err, DMP_E_INVALID_ARG, "buffer");
    ck_assert_ptr_eq(f, (dmp_file *)&f); /* never written by a failed open */
    dmp_close(NULL);
    mkd_free(b);
}
END_TEST

START_TEST(read_memory_arguments)
{
    struct mkdump *b = small_dump();
    dmp_file *f = open_built(b);
    uint8_t buf[16];
    size_t got = 99;
    ck_assert_int_eq(dmp_read_memory(NULL, 0x1000, buf, 4, &got), DMP_E_INVALID_ARG);
    ck_assert_uint_eq(got, 0);
    got = 99;
    ck_assert_int_eq(dmp_read_memory(f, 0x1000, NULL, 4, &got), DMP_E_INVALID_ARG);
    ck_assert_uint_eq(got, 0);
    /* len 0 succeeds anywhere, with or without a buffer. */
    got = 99;
    ck_assert_int_eq(dmp_read_memory(f, 0x5000, NULL, 0, &got), DMP_OK);
    ck_assert_uint_eq(got, 0);
    ck_assert_int_eq(dmp_read_memory(f, 0, buf, 0, NULL), DMP_OK);
    /* bytes_read may be NULL, on success and on failure. */
    ck_assert_int_eq(dmp_read_memory(f, 0x1000, buf, 4, NULL), DMP_OK);
    ck_assert_uint_eq(buf[3], mkd_byte(1, 0x1003));
    ck_assert_int_eq(dmp_read_memory(f, 0x5000, buf, 4, NULL), DMP_E_UNMAPPED);
    uint64_t m = 7;
    ck_assert_int_eq(dmp_find_uncovered(NULL, 0x1000, 4, &m), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_find_uncovered(f, 0x5000, 4, NULL), DMP_E_INVALID_ARG);
    ck_assert_uint_eq(m, 7);
    ck_assert_uint_eq(dmp_readable_len(NULL, 0x1000), 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(accessor_arguments)
{
    struct mkdump *b = small_dump();
    mkd_add_stream(b, DMP_STREAM_COMMENT_A, 0x7fff0000, 4); /* one diagnostic */
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_diag_count(f), 1);
    dmp_stream s;
    dmp_range r;
    dmp_diag d;
    size_t i = 12345;
    ck_assert_int_eq(dmp_stream_get(NULL, 0, &s), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_stream_get(f, 0, NULL), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_range_get(NULL, 0, &r), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_range_get(f, 0, NULL), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_range_find(NULL, 0x1000, &i), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_range_find(f, 0x1000, NULL), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_range_next(NULL, 0, &i), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_range_next(f, 0, NULL), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_diag_get(NULL, 0, &d), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_diag_get(f, 0, NULL), DMP_E_INVALID_ARG);
    ck_assert_uint_eq(i, 12345);
    /* Out of range: DMP_E_NOT_FOUND, and the out-parameter keeps what it held. */
    memset(&s, 0xa5, sizeof s);
    memset(&r, 0xa5, sizeof r);
    memset(&d, 0xa5, sizeof d);
    const size_t bad[] = {dmp_stream_count(f), dmp_range_count(f), dmp_diag_count(f)};
    for (size_t k = 0; k < 2; k++) {
        ck_assert_int_eq(dmp_stream_get(f, k ? SIZE_MAX : bad[0], &s), DMP_E_NOT_FOUND);
        ck_assert_int_eq(dmp_range_get(f, k ? SIZE_MAX : bad[1], &r), DMP_E_NOT_FOUND);
        ck_assert_int_eq(dmp_diag_get(f, k ? SIZE_MAX : bad[2], &d), DMP_E_NOT_FOUND);
    }
    ck_assert(all_bytes((const uint8_t *)&s, sizeof s, 0xa5));
    ck_assert(all_bytes((const uint8_t *)&r, sizeof r, 0xa5));
    ck_assert(all_bytes((const uint8_t *)&d, sizeof d, 0xa5));
    ck_assert_int_eq(dmp_stream_get(f, bad[0] - 1, &s), DMP_OK);
    ck_assert_uint_eq(s.type, DMP_STREAM_COMMENT_A);
    dmp_get_header(f, NULL); /* nothing to fill: must not crash */
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(null_handle_queries_are_empty)
{
    /* Not promised by the header, but what the accessors that cannot fail do today. */
    ck_assert_uint_eq(dmp_file_size(NULL), 0);
    ck_assert_int_eq(dmp_was_compressed(NULL), 0);
    ck_assert_uint_eq(dmp_stream_count(NULL), 0);
    ck_assert_uint_eq(dmp_range_count(NULL), 0);
    ck_assert_uint_eq(dmp_diag_count(NULL), 0);
    dmp_header h;
    memset(&h, 0xa5, sizeof h);
    dmp_get_header(NULL, &h);
    ck_assert(all_bytes((const uint8_t *)&h, sizeof h, 0xa5));
}
END_TEST

/* ---- Strings ---------------------------------------------------------------------------- */

START_TEST(status_strings)
{
    const char *seen[DMP_E_MALFORMED + 1];
    for (int v = DMP_OK; v <= DMP_E_MALFORMED; v++) {
        const char *s = dmp_strerror((dmp_status)v);
        ck_assert_ptr_nonnull(s);
        ck_assert_uint_gt(strlen(s), 0);
        ck_assert_ptr_null(strchr(s, '\n'));
        ck_assert_ptr_eq(s, dmp_strerror((dmp_status)v)); /* static, the same every time */
        ck_assert_str_ne(s, "unknown status");
        for (int w = 0; w < v; w++)
            ck_assert_msg(strcmp(seen[w], s) != 0, "statuses %d and %d both read \"%s\"", w, v, s);
        seen[v] = s;
    }
    const int unknown[] = {DMP_E_MALFORMED + 1, 100, 0x7fffffff, -1};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        ck_assert_str_eq(dmp_strerror((dmp_status)unknown[i]), "unknown status");
}
END_TEST

START_TEST(diag_kind_names)
{
    const char *seen[DMP_DIAG_ZERO_SIZE + 1];
    for (int k = DMP_DIAG_DIRECTORY_CLIPPED; k <= DMP_DIAG_ZERO_SIZE; k++) {
        const char *s = dmp_diag_kind_name((dmp_diag_kind)k);
        ck_assert_ptr_nonnull(s);
        ck_assert_uint_gt(strlen(s), 0);
        ck_assert_ptr_null(strchr(s, ' ')); /* a short name, usable as a key */
        for (int w = DMP_DIAG_DIRECTORY_CLIPPED; w < k; w++)
            ck_assert_str_ne(seen[w], s);
        seen[k] = s;
    }
    ck_assert_str_eq(dmp_diag_kind_name(DMP_DIAG_RANGE_TRUNCATED), "range-truncated");
    const int unknown[] = {0, DMP_DIAG_ZERO_SIZE + 1, -1};
    for (size_t i = 0; i < 3; i++) {
        const char *s = dmp_diag_kind_name((dmp_diag_kind)unknown[i]);
        ck_assert_ptr_nonnull(s);
        for (int k = DMP_DIAG_DIRECTORY_CLIPPED; k <= DMP_DIAG_ZERO_SIZE; k++)
            ck_assert_str_ne(seen[k], s);
    }
}
END_TEST

START_TEST(stream_type_names)
{
    const uint32_t known[] = {DMP_STREAM_UNUSED,
                              DMP_STREAM_THREAD_LIST,
                              DMP_STREAM_MODULE_LIST,
                              DMP_STREAM_MEMORY_LIST,
                              DMP_STREAM_EXCEPTION,
                              DMP_STREAM_SYSTEM_INFO,
                              DMP_STREAM_THREAD_EX_LIST,
                              DMP_STREAM_MEMORY64_LIST,
                              DMP_STREAM_COMMENT_A,
                              DMP_STREAM_COMMENT_W,
                              DMP_STREAM_HANDLE_DATA,
                              DMP_STREAM_FUNCTION_TABLE,
                              DMP_STREAM_UNLOADED_MODULE_LIST,
                              DMP_STREAM_MISC_INFO,
                              DMP_STREAM_MEMORY_INFO_LIST,
                              DMP_STREAM_THREAD_INFO_LIST,
                              DMP_STREAM_HANDLE_OPERATION_LIST,
                              DMP_STREAM_TOKEN,
                              DMP_STREAM_SYSTEM_MEMORY_INFO,
                              DMP_STREAM_PROCESS_VM_COUNTERS,
                              DMP_STREAM_THREAD_NAMES,
                              DMP_STREAM_BREAKPAD_INFO,
                              DMP_STREAM_BREAKPAD_ASSERTION_INFO,
                              DMP_STREAM_LINUX_CPU_INFO,
                              DMP_STREAM_LINUX_PROC_STATUS,
                              DMP_STREAM_LINUX_LSB_RELEASE,
                              DMP_STREAM_LINUX_CMD_LINE,
                              DMP_STREAM_LINUX_ENVIRON,
                              DMP_STREAM_LINUX_AUXV,
                              DMP_STREAM_LINUX_MAPS,
                              DMP_STREAM_LINUX_DSO_DEBUG,
                              DMP_STREAM_CRASHPAD_INFO};
    const size_t n = sizeof known / sizeof known[0];
    for (size_t i = 0; i < n; i++) {
        const char *s = dmp_stream_type_name(known[i]);
        ck_assert_msg(s && *s, "type 0x%" PRIx32 " has no name", known[i]);
        for (size_t j = 0; j < i; j++)
            ck_assert_str_ne(dmp_stream_type_name(known[j]), s);
    }
    ck_assert_str_eq(dmp_stream_type_name(DMP_STREAM_MEMORY_LIST), "MemoryListStream");
    ck_assert_str_eq(dmp_stream_type_name(DMP_STREAM_MEMORY64_LIST), "Memory64ListStream");
    ck_assert_str_eq(dmp_stream_type_name(DMP_STREAM_LINUX_MAPS), "LinuxMapsStream");
    ck_assert_str_eq(dmp_stream_type_name(0x4767000b), "LinuxProcStatStream"); /* LLDB's */
    /* Microsoft's two reserved types, the gap after the Linux ones, and nonsense. */
    const uint32_t unknown[] = {1, 2, 0x47670000, 0x4767000e, 0x43500000, 0xffffffff, 1000};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        ck_assert_msg(dmp_stream_type_name(unknown[i]) == NULL, "type 0x%" PRIx32 " named %s",
                      unknown[i], dmp_stream_type_name(unknown[i]));
}
END_TEST

START_TEST(version)
{
    char want[32];
    snprintf(want, sizeof want, "%d.%d.%d", DMP_VERSION_MAJOR, DMP_VERSION_MINOR,
             DMP_VERSION_PATCH);
    ck_assert_str_eq(dmp_version_string(), want);
    ck_assert_uint_eq(dmp_version_number(), DMP_VERSION_NUMBER);
    ck_assert_uint_eq(DMP_VERSION_NUMBER,
                      DMP_VERSION_MAJOR * 10000 + DMP_VERSION_MINOR * 100 + DMP_VERSION_PATCH);
}
END_TEST

/* ---- Opening files ---------------------------------------------------------------------- */

START_TEST(open_missing_file)
{
    struct tmp t;
    tmp_dir(&t);
    char path[700];
    snprintf(path, sizeof path, "%s/no-such.dmp", t.dir);
    dmp_file *f = (dmp_file *)&f;
    dmp_error err;
    const dmp_status st = dmp_open_ex(path, NULL, &f, &err);
    tmp_remove(&t);
    ck_assert_int_eq(st, DMP_E_IO);
    ck_assert_ptr_eq(f, (dmp_file *)&f);
    expect_error(&err, DMP_E_IO, path);
    expect_error(&err, DMP_E_IO, strerror(ENOENT));
    ck_assert_uint_eq(err.offset, 0);
    ck_assert_int_eq(dmp_open(path, &f), DMP_E_IO);
}
END_TEST

START_TEST(open_directory)
{
    struct tmp t;
    tmp_dir(&t);
    dmp_file *f = NULL;
    dmp_error err;
    const dmp_status st = dmp_open_ex(t.dir, NULL, &f, &err);
    tmp_remove(&t);
    ck_assert_int_eq(st, DMP_E_IO);
    ck_assert_ptr_null(f);
    expect_error(&err, DMP_E_IO, t.dir);
    expect_error(&err, DMP_E_IO, "directory");
}
END_TEST

START_TEST(open_short_files)
{
    struct mkdump *b = small_dump();
    size_t len;
    const uint8_t *data = mkd_finish(b, &len);
    dmp_file *f = NULL;
    dmp_error err;
    ck_assert_int_eq(open_as_file("", 0, &f, &err), DMP_E_TOO_SHORT);
    ck_assert_ptr_null(f);
    expect_error(&err, DMP_E_TOO_SHORT, "MINIDUMP_HEADER");
    ck_assert_int_eq(open_as_file(data, 31, &f, &err), DMP_E_TOO_SHORT);
    expect_error(&err, DMP_E_TOO_SHORT, "31 bytes");
    ck_assert_int_eq(open_as_file(data, 32, &f, &err), DMP_OK); /* a bare header opens */
    ck_assert_uint_eq(dmp_file_size(f), 32);
    ck_assert_uint_eq(dmp_range_count(f), 0);
    dmp_close(f);
    f = NULL;
    /* A character device is read like a pipe: /dev/null is an empty input. */
    if (access("/dev/null", R_OK) == 0) {
        ck_assert_int_eq(dmp_open_ex("/dev/null", NULL, &f, &err), DMP_E_TOO_SHORT);
        ck_assert_ptr_null(f);
        expect_error(&err, DMP_E_TOO_SHORT, "0 bytes");
    }
    mkd_free(b);
}
END_TEST

START_TEST(open_bad_signature_file)
{
    struct mkdump *b = small_dump();
    size_t len;
    mkd_finish(b, &len);
    mkd_poke_u32(b, 0, 0x464c457f); /* "\x7f" "ELF" */
    const uint8_t *data = mkd_data(b, &len);
    dmp_file *f = NULL;
    dmp_error err;
    memset(&err, 0xff, sizeof err);
    ck_assert_int_eq(open_as_file(data, len, &f, &err), DMP_E_BAD_SIGNATURE);
    ck_assert_ptr_null(f);
    expect_error(&err, DMP_E_BAD_SIGNATURE, "7f 45 4c 46");
    ck_assert_uint_eq(err.offset, 0);
    mkd_free(b);
}
END_TEST

START_TEST(open_error_message_is_bounded)
{
    /* The message embeds the path; a path longer than the message is cut, not overflowed. */
    char path[1024] = "/nonexistent-dmpread-dir/";
    size_t n = strlen(path);
    while (n < 600) {
        memcpy(path + n, "abcdefghijklmnopqrstuvwxyz/", 27);
        n += 27;
    }
    path[n] = '\0';
    dmp_file *f = NULL;
    dmp_error err;
    memset(&err, 'x', sizeof err);
    ck_assert_int_eq(dmp_open_ex(path, NULL, &f, &err), DMP_E_IO);
    ck_assert_int_eq(err.status, DMP_E_IO);
    const size_t mlen = strnlen(err.message, sizeof err.message);
    ck_assert_uint_eq(mlen, sizeof err.message - 1);
    ck_assert_int_eq(strncmp(err.message, path, mlen), 0);
}
END_TEST

START_TEST(open_file_reads_like_memory)
{
    struct mkdump *b = small_dump();
    size_t len;
    const uint8_t *data = mkd_finish(b, &len);
    dmp_file *f = NULL;
    ck_assert_int_eq(open_as_file(data, len, &f, NULL), DMP_OK);
    ck_assert_uint_eq(dmp_file_size(f), len);
    ck_assert_int_eq(dmp_was_compressed(f), 0);
    dmp_header h;
    memset(&h, 0, sizeof h);
    dmp_get_header(f, &h);
    ck_assert_uint_eq(h.signature, 0x504d444d);
    ck_assert_uint_eq(h.version, 0xa793);
    ck_assert_uint_eq(h.stream_count, 2);
    ck_assert_uint_eq(h.directory_rva, 32);
    ck_assert_uint_eq(h.time_date_stamp, 0x5f5e1000);
    ck_assert_uint_eq(dmp_range_count(f), 5);
    uint8_t buf[0x200];
    ck_assert_int_eq(dmp_read_memory(f, 0x1000, buf, sizeof buf, NULL), DMP_OK);
    for (size_t i = 0; i < sizeof buf; i++)
        ck_assert_uint_eq(buf[i], mkd_byte(i < 0x100 ? 1 : 2, 0x1000 + i));
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* ---- The read contract ------------------------------------------------------------------ */

START_TEST(failed_read_writes_nothing)
{
    struct mkdump *b = small_dump();
    dmp_file *f = open_built(b);
    uint8_t buf[1024];
    /* A and B are captured, then the gap at 0x1200: a read copying piece by piece before
     * checking would have written 0x200 bytes by the time it met it. */
    const struct {
        uint64_t addr;
        size_t len;
        uint64_t missing;
    } cases[] = {
        {0x1000, 0x380, 0x1200},
        {0x11ff, 2, 0x1200},
        {0x1300, 0x101, 0x1400},
        {0x0fff, 0x10, 0x0fff},
        {0x1000, SIZE_MAX - 0xfff, 0x1200}, /* to 2^64 exactly: far more than buf holds */
        {0, SIZE_MAX, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(buf, 0xa5, sizeof buf);
        size_t got = 99;
        ck_assert_int_eq(dmp_read_memory(f, cases[i].addr, buf, cases[i].len, &got),
                         DMP_E_UNMAPPED);
        ck_assert_uint_eq(got, 0);
        ck_assert_msg(all_bytes(buf, sizeof buf, 0xa5), "case %zu wrote to the buffer", i);
        uint64_t m = 7;
        ck_assert_int_eq(dmp_find_uncovered(f, cases[i].addr, cases[i].len, &m), DMP_E_UNMAPPED);
        ck_assert_uint_eq(m, cases[i].missing);
    }
    /* A wrapping request fails the same way, and leaves first_missing alone. */
    memset(buf, 0xa5, sizeof buf);
    size_t got = 99;
    ck_assert_int_eq(dmp_read_memory(f, UINT64_MAX - 1, buf, 3, &got), DMP_E_WRAP);
    ck_assert_uint_eq(got, 0);
    ck_assert(all_bytes(buf, sizeof buf, 0xa5));
    ck_assert_int_eq(dmp_read_memory(f, 0x1000, buf, SIZE_MAX - 0xffe, &got), DMP_E_WRAP);
    ck_assert_int_eq(dmp_read_memory(f, 2, buf, SIZE_MAX, &got), DMP_E_WRAP);
    ck_assert(all_bytes(buf, sizeof buf, 0xa5));
    uint64_t m = 7;
    ck_assert_int_eq(dmp_find_uncovered(f, 2, UINT64_MAX, &m), DMP_E_WRAP);
    ck_assert_uint_eq(m, 7);
    /* The last byte of the address space is not a wrap. */
    ck_assert_int_eq(dmp_read_memory(f, UINT64_MAX, buf, 1, &got), DMP_OK);
    ck_assert_uint_eq(got, 1);
    ck_assert_uint_eq(buf[0], mkd_byte(4, UINT64_MAX));
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(successful_read_writes_exactly_len)
{
    struct mkdump *b = small_dump();
    dmp_file *f = open_built(b);
    uint8_t buf[0x220];
    memset(buf, 0xa5, sizeof buf);
    size_t got = 0;
    ck_assert_int_eq(dmp_read_memory(f, 0x1010, buf, 0x1e0, &got), DMP_OK);
    ck_assert_uint_eq(got, 0x1e0);
    for (size_t i = 0; i < 0x1e0; i++)
        ck_assert_uint_eq(buf[i], mkd_byte(0x1010 + i < 0x1100 ? 1 : 2, 0x1010 + i));
    ck_assert(all_bytes(buf + 0x1e0, sizeof buf - 0x1e0, 0xa5));
    /* Across D and E at the top of the address space, to its very last byte. */
    ck_assert_int_eq(dmp_read_memory(f, 0xfffffffffffffe80u, buf, 0x180, &got), DMP_OK);
    ck_assert_uint_eq(got, 0x180);
    ck_assert_uint_eq(buf[0], mkd_byte(5, 0xfffffffffffffe80u));
    ck_assert_uint_eq(buf[0x17f], mkd_byte(4, UINT64_MAX));
    uint64_t m = 7;
    ck_assert_int_eq(dmp_find_uncovered(f, 0xfffffffffffffe00u, 0x200, &m), DMP_OK);
    ck_assert_uint_eq(m, 7);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(readable_len_semantics)
{
    struct mkdump *b = small_dump();
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_readable_len(f, 0x1000), 0x200); /* A then B, across lists */
    ck_assert_uint_eq(dmp_readable_len(f, 0x10ff), 0x101);
    ck_assert_uint_eq(dmp_readable_len(f, 0x1100), 0x100);
    ck_assert_uint_eq(dmp_readable_len(f, 0x11ff), 1);
    ck_assert_uint_eq(dmp_readable_len(f, 0x1200), 0);
    ck_assert_uint_eq(dmp_readable_len(f, 0x0fff), 0);
    ck_assert_uint_eq(dmp_readable_len(f, 0x1350), 0xb0);
    ck_assert_uint_eq(dmp_readable_len(f, 0), 0);
    /* A run that ends at 2^64: its length still fits. */
    ck_assert_uint_eq(dmp_readable_len(f, 0xfffffffffffffe00u), 0x200);
    ck_assert_uint_eq(dmp_readable_len(f, UINT64_MAX), 1);
    ck_assert_uint_eq(dmp_readable_len(f, 0xfffffffffffffdffu), 0);
    /* What it promises: a read of exactly that length succeeds, one more byte fails. */
    uint8_t buf[0x201];
    ck_assert_int_eq(dmp_read_memory(f, 0x1080, buf, 0x180, NULL), DMP_OK);
    ck_assert_int_eq(dmp_read_memory(f, 0x1080, buf, 0x181, NULL), DMP_E_UNMAPPED);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(range_find_and_next)
{
    struct mkdump *b = small_dump();
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_range_count(f), 5);
    const uint64_t starts[] = {0x1000, 0x1100, 0x1300, 0xfffffffffffffe00u, 0xffffffffffffff00u};
    for (size_t k = 0; k < 5; k++) {
        dmp_range r;
        ck_assert_int_eq(dmp_range_get(f, k, &r), DMP_OK);
        ck_assert_uint_eq(r.addr, starts[k]);
        ck_assert_uint_eq(r.size, 0x100);
        /* Its first, middle and last byte all find it. */
        const uint64_t probes[] = {r.addr, r.addr + 0x80, r.addr + r.size - 1};
        for (size_t p = 0; p < 3; p++) {
            size_t i = 99;
            ck_assert_int_eq(dmp_range_find(f, probes[p], &i), DMP_OK);
            ck_assert_uint_eq(i, k);
        }
        /* next() is strictly above: from anywhere inside range k, it is k + 1. */
        size_t i = 99;
        const dmp_status st = dmp_range_next(f, r.addr, &i);
        if (k + 1 < 5) {
            ck_assert_int_eq(st, DMP_OK);
            ck_assert_uint_eq(i, k + 1);
            i = 99;
            ck_assert_int_eq(dmp_range_next(f, r.addr + r.size - 1, &i), DMP_OK);
            ck_assert_uint_eq(i, k + 1);
        } else {
            ck_assert_int_eq(st, DMP_E_NOT_FOUND);
            ck_assert_uint_eq(i, 99);
        }
    }
    dmp_range r0;
    ck_assert_int_eq(dmp_range_get(f, 0, &r0), DMP_OK);
    ck_assert_uint_eq(r0.stream_type, DMP_STREAM_MEMORY_LIST);
    dmp_range r1;
    ck_assert_int_eq(dmp_range_get(f, 1, &r1), DMP_OK);
    ck_assert_uint_eq(r1.stream_type, DMP_STREAM_MEMORY64_LIST);
    ck_assert_uint_eq(r1.stream_index, 1);
    /* Gaps: find fails and leaves *index alone; next gives the range after the gap. */
    const struct {
        uint64_t addr;
        size_t next; /* 5: none */
    } gaps[] = {{0, 0}, {0xfff, 0}, {0x1200, 2}, {0x12ff, 2}, {0x1400, 3}, {0xfffffffffffffdff, 3}};
    for (size_t g = 0; g < sizeof gaps / sizeof gaps[0]; g++) {
        size_t i = 99;
        ck_assert_int_eq(dmp_range_find(f, gaps[g].addr, &i), DMP_E_NOT_FOUND);
        ck_assert_uint_eq(i, 99);
        ck_assert_int_eq(dmp_range_next(f, gaps[g].addr, &i), DMP_OK);
        ck_assert_uint_eq(i, gaps[g].next);
    }
    size_t i = 99;
    ck_assert_int_eq(dmp_range_next(f, UINT64_MAX, &i), DMP_E_NOT_FOUND);
    ck_assert_uint_eq(i, 99);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(open_mem_does_not_copy)
{
    struct mkdump *b = small_dump();
    const uint8_t comment[] = "borrowed";
    mkd_add_stream_data(b, DMP_STREAM_COMMENT_A, comment, sizeof comment);
    size_t len;
    const uint8_t *data = mkd_finish(b, &len);
    dmp_file *f = NULL;
    ck_assert_int_eq(dmp_open_mem(data, len, &f), DMP_OK);
    ck_assert_int_eq(dmp_was_compressed(f), 0);
    ck_assert_uint_eq(dmp_file_size(f), len);
    for (size_t i = 0; i < dmp_range_count(f); i++) {
        dmp_range r;
        ck_assert_int_eq(dmp_range_get(f, i, &r), DMP_OK);
        ck_assert_ptr_eq(r.data, data + r.file_offset);
    }
    for (size_t i = 0; i < dmp_stream_count(f); i++) {
        dmp_stream s;
        ck_assert_int_eq(dmp_stream_get(f, i, &s), DMP_OK);
        ck_assert_ptr_eq(s.data, data + s.rva);
    }
    dmp_stream s;
    ck_assert_int_eq(dmp_stream_get(f, 2, &s), DMP_OK);
    ck_assert_str_eq(s.data, "borrowed");
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* ---- Diagnostics as text ---------------------------------------------------------------- */

/* Finds the diagnostic of `kind` and checks its text: the exact "stream N (Name) at 0x..: "
 * prefix, then `body` somewhere after it. */
static void expect_diag_text(const dmp_file *f, dmp_diag_kind kind, uint32_t stream,
                             const char *name, uint64_t offset, const char *body)
{
    dmp_diag d;
    ck_assert_uint_eq(count_diags(f, kind, &d), 1);
    ck_assert_uint_eq(d.stream_index, stream);
    ck_assert_uint_eq(d.offset, offset);
    char want[128], text[256];
    snprintf(want, sizeof want, "stream %" PRIu32 " (%s) at 0x%" PRIx64 ": ", stream, name, offset);
    const size_t n = dmp_diag_format(&d, text, sizeof text);
    ck_assert_uint_eq(n, strlen(text));
    ck_assert_ptr_null(strchr(text, '\n'));
    ck_assert_msg(strncmp(text, want, strlen(want)) == 0, "\"%s\" does not start with \"%s\"", text,
                  want);
    ck_assert_msg(strstr(text + strlen(want), body), "\"%s\" lacks \"%s\"", text, body);
}

START_TEST(malformed_lists_open_with_diagnostics)
{
    /* Stream 1: a MemoryList whose count claims 1000. Stream 2: an unknown type past EOF.
     * Stream 3: a Memory64List cut short in descriptor 1, so 2 and 3 start past EOF. */
    struct mkdump *b = mkd_new(4);
    const uint8_t info[56] = {9};
    mkd_add_stream_data(b, DMP_STREAM_SYSTEM_INFO, info, sizeof info);
    const struct mkd_range ml[] = {R(0x1000, 0x10, 1), R(0x2000, 0x10, 2)};
    const uint32_t s1 = mkd_add_memory_list(b, ml, 2, false);
    mkd_add_stream(b, 0x12345678, 0x7fff0000, 10);
    const struct mkd_range m64[] = {R(0x5000, 0x100, 3), R(0x6000, 0x100, 4), R(0x7000, 0x100, 5),
                                    R(0x8000, 0x100, 6)};
    const uint32_t s3 = mkd_add_memory64_list(b, m64, 4);
    size_t len;
    mkd_finish(b, &len);
    mkd_poke_u32(b, mkd_stream_rva(b, s1), 1000);
    const uint8_t *data = mkd_data(b, &len);
    /* Opening does not fail over any of it: dmp_open_ex reports success. */
    dmp_file *f = NULL;
    dmp_error err;
    ck_assert_int_eq(open_as_file(data, len - 0x240, &f, &err), DMP_OK);
    ck_assert_uint_eq(dmp_range_count(f), 4);
    const uint64_t rva1 = mkd_stream_rva(b, s1), rva3 = mkd_stream_rva(b, s3);
    expect_diag_text(f, DMP_DIAG_COUNT_CLIPPED, s1, "MemoryListStream", rva1,
                     "1000 descriptors do not fit in 36 bytes; 2 used");
    expect_diag_text(f, DMP_DIAG_STREAM_PAST_EOF, 2, "type 0x12345678", 0x7fff0000,
                     "10-byte stream starts past the end of the file");
    expect_diag_text(f, DMP_DIAG_RANGE_TRUNCATED, s3, "Memory64ListStream", rva3 + 16 + 16,
                     "descriptor 1 [0x6000, +0x100) runs past the end of the file; 192 bytes");
    expect_diag_text(f, DMP_DIAG_RANGE_PAST_EOF, s3, "Memory64ListStream", rva3 + 16 + 32,
                     "descriptors 2..3 start at or past the end of the file");
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(diag_format_is_snprintf_like)
{
    struct mkdump *b = small_dump();
    mkd_add_stream(b, DMP_STREAM_COMMENT_W, 0x7fff0000, 4);
    dmp_file *f = open_built(b);
    dmp_diag d;
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_STREAM_PAST_EOF, &d), 1);
    char full[256];
    const size_t n = dmp_diag_format(&d, full, sizeof full);
    ck_assert_uint_gt(n, 20);
    ck_assert_uint_eq(strlen(full), n);
    ck_assert_ptr_nonnull(strstr(full, "stream 2 (CommentStreamW) at 0x7fff0000: "));
    ck_assert_uint_eq(dmp_diag_format(&d, NULL, 0), n); /* only the length it needs */
    char small[11];
    memset(small, 'x', sizeof small);
    ck_assert_uint_eq(dmp_diag_format(&d, small, sizeof small), n);
    ck_assert_uint_eq(strlen(small), sizeof small - 1);
    ck_assert_int_eq(strncmp(small, full, sizeof small - 1), 0);
    char one[1] = {'x'};
    ck_assert_uint_eq(dmp_diag_format(&d, one, 1), n);
    ck_assert_int_eq(one[0], '\0');
    char exact[256];
    ck_assert_uint_eq(dmp_diag_format(&d, exact, n + 1), n);
    ck_assert_str_eq(exact, full);
    char empty[4] = "xyz";
    ck_assert_uint_eq(dmp_diag_format(NULL, empty, sizeof empty), 0);
    ck_assert_str_eq(empty, "");
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* ---- Concurrency ------------------------------------------------------------------------ */

/* 96 slots of 0x400 bytes from CC_BASE. Slot i holds a range tagged i + 1, from MemoryList
 * when i is even and Memory64List when odd; it fills its slot (abutting the next) except
 * every fourth, which leaves a 0x100 gap, and every eleventh from 5, which is empty. */
#define CC_BASE 0x7f0000000000u
#define CC_SLOTS 96u
#define CC_SLOT 0x400u
#define CC_THREADS 4
#define CC_ITERATIONS 20000

static uint64_t cc_size(unsigned i)
{
    return i % 11 == 5 ? 0 : i % 4 == 3 ? 0x300 : CC_SLOT;
}

/* True when addr is captured, with the tag of its range in *tag. */
static bool cc_owner(uint64_t addr, uint8_t *tag)
{
    if (addr < CC_BASE || addr - CC_BASE >= (uint64_t)CC_SLOTS * CC_SLOT)
        return false;
    const unsigned i = (unsigned)((addr - CC_BASE) / CC_SLOT);
    if ((addr - CC_BASE) % CC_SLOT >= cc_size(i))
        return false;
    *tag = (uint8_t)(i + 1);
    return true;
}

static struct mkdump *cc_dump(void)
{
    struct mkd_range even[CC_SLOTS], odd[CC_SLOTS];
    size_t ne = 0, no = 0;
    for (unsigned i = 0; i < CC_SLOTS; i++) {
        if (cc_size(i) == 0)
            continue;
        const struct mkd_range r = R(CC_BASE + (uint64_t)i * CC_SLOT, cc_size(i), (uint8_t)(i + 1));
        if (i % 2)
            odd[no++] = r;
        else
            even[ne++] = r;
    }
    struct mkdump *b = mkd_new(2);
    mkd_add_memory_list(b, even, ne, false);
    mkd_add_memory64_list(b, odd, no);
    return b;
}

struct worker {
    const dmp_file *f;
    pthread_barrier_t *start;
    uint64_t rng;
    unsigned long reads_ok, reads_failed, errors;
    char first_error[256];
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
/* Counts an error, keeping the text of the first; returns false for the caller to return. */
static bool
worker_error(struct worker *w, const char *fmt, ...)
{
    if (w->errors++ > 0)
        return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->first_error, sizeof w->first_error, fmt, ap);
    va_end(ap);
    return false;
}

static uint64_t worker_rnd(struct worker *w)
{
    w->rng ^= w->rng >> 12;
    w->rng ^= w->rng << 25;
    w->rng ^= w->rng >> 27;
    return w->rng * 0x2545f4914f6cdd1du;
}

/* One random read checked against the layout: bytes on success; on failure, nothing
 * written, 0 bytes read and the right first missing address. */
static bool worker_read(struct worker *w, uint8_t *buf, size_t cap)
{
    const uint64_t span = (uint64_t)CC_SLOTS * CC_SLOT;
    const uint64_t addr = CC_BASE - 0x100 + worker_rnd(w) % (span + 0x200);
    const bool long_read = worker_rnd(w) % 8 == 0;
    const size_t len = (size_t)(worker_rnd(w) % (long_read ? cap : 0x200));
    uint64_t missing = 0;
    bool whole = true;
    uint8_t tag;
    for (size_t i = 0; i < len && whole; i++)
        if (!cc_owner(addr + i, &tag)) {
            whole = false;
            missing = addr + i;
        }
    memset(buf, 0xc3, cap);
    size_t got = 12345;
    const dmp_status st = dmp_read_memory(w->f, addr, buf, len, &got);
    if (whole) {
        w->reads_ok++;
        if (st != DMP_OK || got != len)
            return worker_error(w, "read 0x%" PRIx64 "+%zu: status %d, %zu bytes", addr, len, st,
                                got);
        for (size_t i = 0; i < len; i++)
            if (!cc_owner(addr + i, &tag) || buf[i] != mkd_byte(tag, addr + i))
                return worker_error(w, "read 0x%" PRIx64 "+%zu: wrong byte at +%zu", addr, len, i);
        if (!all_bytes(buf + len, cap - len, 0xc3))
            return worker_error(w, "read 0x%" PRIx64 "+%zu wrote past len", addr, len);
        return true;
    }
    w->reads_failed++;
    uint64_t m = 0;
    const dmp_status fst = dmp_find_uncovered(w->f, addr, len, &m);
    if (st != DMP_E_UNMAPPED || got != 0 || !all_bytes(buf, cap, 0xc3))
        return worker_error(w, "read 0x%" PRIx64 "+%zu: status %d, %zu bytes, buffer %s", addr, len,
                            st, got, all_bytes(buf, cap, 0xc3) ? "intact" : "written");
    if (fst != DMP_E_UNMAPPED || m != missing)
        return worker_error(
            w, "find_uncovered 0x%" PRIx64 "+%zu: status %d, 0x%" PRIx64 " for 0x%" PRIx64, addr,
            len, fst, m, missing);
    return true;
}

/* readable_len and range_find at one random address, against the layout. */
static bool worker_lookup(struct worker *w)
{
    const uint64_t addr = CC_BASE - 0x100 + worker_rnd(w) % ((uint64_t)CC_SLOTS * CC_SLOT + 0x200);
    uint64_t want = 0;
    uint8_t tag;
    while (cc_owner(addr + want, &tag))
        want++;
    const uint64_t have = dmp_readable_len(w->f, addr);
    if (have != want)
        return worker_error(w, "readable_len 0x%" PRIx64 ": %" PRIu64 ", want %" PRIu64, addr, have,
                            want);
    size_t i = SIZE_MAX;
    const dmp_status st = dmp_range_find(w->f, addr, &i);
    dmp_range r;
    if (want == 0 ? st != DMP_E_NOT_FOUND : st != DMP_OK)
        return worker_error(w, "range_find 0x%" PRIx64 ": status %d", addr, st);
    if (want && (dmp_range_get(w->f, i, &r) != DMP_OK || addr - r.addr >= r.size))
        return worker_error(w, "range_find 0x%" PRIx64 ": entry %zu does not hold it", addr, i);
    return true;
}

static void *worker_run(void *arg)
{
    struct worker *w = arg;
    const size_t cap = 0x1400; /* up to five slots: across gaps and list boundaries */
    uint8_t *buf = malloc(cap);
    if (!buf) {
        worker_error(w, "out of memory");
        pthread_barrier_wait(w->start);
        return NULL;
    }
    pthread_barrier_wait(w->start);
    for (int n = 0; n < CC_ITERATIONS && w->errors == 0; n++) {
        worker_read(w, buf, cap);
        if (n % 8 == 0)
            worker_lookup(w);
    }
    free(buf);
    return NULL;
}

/* Runs CC_THREADS workers on one open dump at once and checks every one of them. */
static void run_workers(const dmp_file *f)
{
    pthread_barrier_t start;
    ck_assert_int_eq(pthread_barrier_init(&start, NULL, CC_THREADS), 0);
    struct worker w[CC_THREADS];
    pthread_t tid[CC_THREADS];
    for (int i = 0; i < CC_THREADS; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].f = f;
        w[i].start = &start;
        w[i].rng = 0x9e3779b97f4a7c15u * (uint64_t)(i + 1);
        ck_assert_int_eq(pthread_create(&tid[i], NULL, worker_run, &w[i]), 0);
    }
    for (int i = 0; i < CC_THREADS; i++)
        ck_assert_int_eq(pthread_join(tid[i], NULL), 0);
    pthread_barrier_destroy(&start);
    for (int i = 0; i < CC_THREADS; i++) {
        ck_assert_msg(w[i].errors == 0, "thread %d: %lu errors, first: %s", i, w[i].errors,
                      w[i].first_error);
        /* The mix must exercise both outcomes for the test to mean anything. */
        ck_assert_uint_gt(w[i].reads_ok, CC_ITERATIONS / 10);
        ck_assert_uint_gt(w[i].reads_failed, CC_ITERATIONS / 10);
    }
}

START_TEST(concurrent_reads_borrowed)
{
    struct mkdump *b = cc_dump();
    dmp_file *f = open_built(b);
    run_workers(f);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(concurrent_reads_mapped)
{
    struct mkdump *b = cc_dump();
    size_t len;
    const uint8_t *data = mkd_finish(b, &len);
    dmp_file *f = NULL;
    ck_assert_int_eq(open_as_file(data, len, &f, NULL), DMP_OK);
    run_workers(f);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("arguments");
    tcase_add_test(tc, open_rejects_null_arguments);
    tcase_add_test(tc, read_memory_arguments);
    tcase_add_test(tc, accessor_arguments);
    tcase_add_test(tc, null_handle_queries_are_empty);
    suite_add_tcase(s, tc);
    tc = tcase_create("strings");
    tcase_add_test(tc, status_strings);
    tcase_add_test(tc, diag_kind_names);
    tcase_add_test(tc, stream_type_names);
    tcase_add_test(tc, version);
    suite_add_tcase(s, tc);
    tc = tcase_create("open");
    tcase_add_test(tc, open_missing_file);
    tcase_add_test(tc, open_directory);
    tcase_add_test(tc, open_short_files);
    tcase_add_test(tc, open_bad_signature_file);
    tcase_add_test(tc, open_error_message_is_bounded);
    tcase_add_test(tc, open_file_reads_like_memory);
    suite_add_tcase(s, tc);
    tc = tcase_create("memory");
    tcase_add_test(tc, failed_read_writes_nothing);
    tcase_add_test(tc, successful_read_writes_exactly_len);
    tcase_add_test(tc, readable_len_semantics);
    tcase_add_test(tc, range_find_and_next);
    tcase_add_test(tc, open_mem_does_not_copy);
    suite_add_tcase(s, tc);
    tc = tcase_create("diagnostics");
    tcase_add_test(tc, malformed_lists_open_with_diagnostics);
    tcase_add_test(tc, diag_format_is_snprintf_like);
    suite_add_tcase(s, tc);
    tc = tcase_create("threads");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, concurrent_reads_borrowed);
    tcase_add_test(tc, concurrent_reads_mapped);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
