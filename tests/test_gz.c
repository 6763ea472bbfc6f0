/* test_gz.c - gzip input: inflated onto the heap within max_heap_input, and read back exactly
 * as the same dump uncompressed.
 * SPDX-License-Identifier: MIT
 *
 * Every gzip stream is made here with zlib from a dump built by mkdump, so each case breaks
 * one thing only: cut the stream short, corrupt one byte, add members or padding, or put the
 * heap limit just around the inflated size. Files live in a private temp folder that is
 * removed right after the open, before any assertion can leave it behind.
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, mkstemp, mkfifo, sigaction, strnlen */
#include "suite.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#define ZLIB_CONST 1
#include <zlib.h>

#define R(a, s, t)                                                                                 \
    {                                                                                              \
        (a), (s), (t), false, 0                                                                    \
    }

/* ---- Helpers ---------------------------------------------------------------------------- */

/* A growable byte buffer for compressed streams. */
struct buf {
    uint8_t *data;
    size_t len;
    size_t cap;
};

/* Appends `len` bytes of `data`, or zeros when data is NULL. */
static void buf_put(struct buf *b, const void *data, size_t len)
{
    if (len > b->cap - b->len) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap - b->len < len)
            cap *= 2;
        b->data = realloc(b->data, cap);
        ck_assert_ptr_nonnull(b->data);
        b->cap = cap;
    }
    if (data)
        memcpy(b->data + b->len, data, len);
    else
        memset(b->data + b->len, 0, len);
    b->len += len;
}

/* Appends one gzip member holding `chunk` repeated `repeat` times, deflated at `level`.
 * `head` (may be NULL) supplies the optional gzip header fields. */
static void gz_member(struct buf *out, const void *chunk, size_t chunk_len, size_t repeat,
                      int level, gz_header *head)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    ck_assert_int_eq(deflateInit2(&zs, level, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    if (head)
        ck_assert_int_eq(deflateSetHeader(&zs, head), Z_OK);
    static uint8_t tmp[1 << 16];
    size_t fed = 0;
    int ret = Z_OK;
    while (ret != Z_STREAM_END) {
        if (zs.avail_in == 0 && fed < repeat) {
            zs.next_in = chunk;
            zs.avail_in = (uInt)chunk_len;
            fed++;
        }
        zs.next_out = tmp;
        zs.avail_out = sizeof tmp;
        ret = deflate(&zs, fed == repeat ? Z_FINISH : Z_NO_FLUSH);
        ck_assert_msg(ret == Z_OK || ret == Z_STREAM_END, "deflate: %d", ret);
        buf_put(out, tmp, sizeof tmp - zs.avail_out);
    }
    ck_assert_int_eq(deflateEnd(&zs), Z_OK);
}

/* A gzip stream of one member holding `data`. */
static struct buf gzip_of(const void *data, size_t len)
{
    struct buf out = {NULL, 0, 0};
    gz_member(&out, data, len, 1, Z_DEFAULT_COMPRESSION, NULL);
    return out;
}

/* A dump of about 200 KiB, so the heap buffer has to grow several times while inflating:
 * both memory lists, two ranges that abut, one that overlaps an earlier one (a diagnostic
 * to compare), and a comment stream. */
static struct mkdump *reference_dump(void)
{
    struct mkdump *b = mkd_new(0);
    mkd_add_stream_data(b, DMP_STREAM_COMMENT_A, "made for test_gz", 16);
    const struct mkd_range stacks[] = {R(0x7ff0000, 0x3000, 1), R(0x10000, 0x800, 2)};
    const struct mkd_range full[] = {R(0x400000, 0x20000, 3), R(0x420000, 0x8123, 4),
                                     R(0x10400, 0x1000, 5), R(0x500000, 0x4000, 6)};
    mkd_add_memory_list(b, stacks, 2, false);
    mkd_add_memory64_list(b, full, 4);
    return b;
}

/* Checks that the reference dump's stitched run at 0x400000 holds the builder's bytes. */
static void expect_reference_bytes(const dmp_file *f)
{
    const size_t len = 0x28123;
    ck_assert_uint_eq(dmp_readable_len(f, 0x400000), len);
    uint8_t *got = malloc(len);
    ck_assert_int_eq(dmp_read_memory(f, 0x400000, got, len, NULL), DMP_OK);
    for (size_t i = 0; i < len; i++) {
        const uint64_t a = 0x400000 + i;
        expect(got[i] == mkd_byte(a < 0x420000 ? 3 : 4, a), "byte at 0x%llx",
               (unsigned long long)a);
    }
    free(got);
}

/* Checks that two open dumps have the same bytes, header, directory, index and diagnostics. */
static void expect_same_dump(const dmp_file *a, const dmp_file *b)
{
    ck_assert_uint_eq(dmp_file_size(a), dmp_file_size(b));
    dmp_header ha, hb;
    dmp_get_header(a, &ha);
    dmp_get_header(b, &hb);
    ck_assert_uint_eq(ha.stream_count, hb.stream_count);
    ck_assert_uint_eq(ha.directory_rva, hb.directory_rva);
    ck_assert_uint_eq(ha.time_date_stamp, hb.time_date_stamp);
    ck_assert_uint_eq(ha.flags, hb.flags);
    ck_assert_uint_eq(dmp_stream_count(a), dmp_stream_count(b));
    for (size_t i = 0; i < dmp_stream_count(a); i++) {
        dmp_stream sa, sb;
        ck_assert_int_eq(dmp_stream_get(a, i, &sa), DMP_OK);
        ck_assert_int_eq(dmp_stream_get(b, i, &sb), DMP_OK);
        ck_assert_uint_eq(sa.type, sb.type);
        ck_assert_uint_eq(sa.rva, sb.rva);
        ck_assert_uint_eq(sa.flags, sb.flags);
        ck_assert_uint_eq(sa.size, sb.size);
        if (sa.size)
            ck_assert_int_eq(memcmp(sa.data, sb.data, (size_t)sa.size), 0);
    }
    ck_assert_uint_eq(dmp_range_count(a), dmp_range_count(b));
    for (size_t i = 0; i < dmp_range_count(a); i++) {
        dmp_range ra, rb;
        ck_assert_int_eq(dmp_range_get(a, i, &ra), DMP_OK);
        ck_assert_int_eq(dmp_range_get(b, i, &rb), DMP_OK);
        ck_assert_uint_eq(ra.addr, rb.addr);
        ck_assert_uint_eq(ra.size, rb.size);
        ck_assert_uint_eq(ra.file_offset, rb.file_offset);
        ck_assert_uint_eq(ra.descriptor, rb.descriptor);
        ck_assert_uint_eq(ra.stream_index, rb.stream_index);
        ck_assert_uint_eq(ra.flags, rb.flags);
        ck_assert_int_eq(memcmp(ra.data, rb.data, (size_t)ra.size), 0);
        /* The same bytes through the read path, stitched as far as the range runs on. */
        const size_t run = (size_t)dmp_readable_len(a, ra.addr);
        ck_assert_uint_eq(run, dmp_readable_len(b, ra.addr));
        uint8_t *const xa = malloc(run), *const xb = malloc(run);
        ck_assert_int_eq(dmp_read_memory(a, ra.addr, xa, run, NULL), DMP_OK);
        ck_assert_int_eq(dmp_read_memory(b, ra.addr, xb, run, NULL), DMP_OK);
        ck_assert_int_eq(memcmp(xa, xb, run), 0);
        free(xa);
        free(xb);
    }
    ck_assert_uint_eq(dmp_diag_count(a), dmp_diag_count(b));
    for (size_t i = 0; i < dmp_diag_count(a); i++) {
        dmp_diag da, db;
        ck_assert_int_eq(dmp_diag_get(a, i, &da), DMP_OK);
        ck_assert_int_eq(dmp_diag_get(b, i, &db), DMP_OK);
        ck_assert_int_eq(da.kind, db.kind);
        ck_assert_uint_eq(da.stream_index, db.stream_index);
        ck_assert_uint_eq(da.offset, db.offset);
        ck_assert_uint_eq(da.addr, db.addr);
        ck_assert_uint_eq(da.kept, db.kept);
    }
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

/* A private temp folder holding one file. */
struct tmp {
    char dir[512];
    char path[600];
};

static void tmp_dir(struct tmp *t)
{
    const char *base = getenv("TMPDIR");
    snprintf(t->dir, sizeof t->dir, "%s/dmpread-gz-XXXXXX", base && *base ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(t->dir));
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
    unlink(t->path);
    rmdir(t->dir);
}

/* Writes `data` to a temp file, opens it (with dmp_open when opts and err are both NULL),
 * and removes the file again: an open dump no longer needs it. */
static dmp_status open_as_file(const void *data, size_t len, const dmp_options *opts,
                               dmp_file **out, dmp_error *err)
{
    struct tmp t;
    tmp_write(&t, data, len);
    const dmp_status st = opts || err ? dmp_open_ex(t.path, opts, out, err) : dmp_open(t.path, out);
    tmp_remove(&t);
    return st;
}

/* Feeds bytes into a FIFO from a thread, as another process would through a pipe. */
struct fifo_writer {
    char path[600];
    const uint8_t *data;
    size_t len;
    pthread_t thread;
    size_t written; /* what the reader took before it closed its end */
};

static size_t last_pipe_written; /* the last open_as_pipe's fifo_writer.written */

static void *fifo_write_all(void *arg)
{
    const struct fifo_writer *w = arg;
    const int fd = open(w->path, O_WRONLY);
    if (fd < 0)
        return NULL;
    size_t done = 0;
    while (done < w->len) {
        /* 64 KiB at a time, so that what the reader took is counted to within that. */
        const size_t chunk = w->len - done < 65536 ? w->len - done : 65536;
        const ssize_t n = write(fd, w->data + done, chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* the reader gave up (EPIPE): it has seen enough */
        done += (size_t)n;
    }
    ((struct fifo_writer *)arg)->written = done;
    close(fd);
    return NULL;
}

/* Opens `data` as it comes out of a pipe: non-seekable, read onto the heap. */
static dmp_status open_as_pipe(const void *data, size_t len, const dmp_options *opts,
                               dmp_file **out, dmp_error *err)
{
    struct sigaction ign;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    ck_assert_int_eq(sigaction(SIGPIPE, &ign, NULL), 0);
    struct tmp t;
    tmp_dir(&t);
    struct fifo_writer w;
    snprintf(w.path, sizeof w.path, "%s/fifo", t.dir);
    snprintf(t.path, sizeof t.path, "%s", w.path);
    ck_assert_int_eq(mkfifo(w.path, 0600), 0);
    w.data = data;
    w.len = len;
    w.written = 0;
    ck_assert_int_eq(pthread_create(&w.thread, NULL, fifo_write_all, &w), 0);
    const dmp_status st = dmp_open_ex(w.path, opts, out, err);
    pthread_join(w.thread, NULL);
    last_pipe_written = w.written;
    tmp_remove(&t);
    return st;
}

static long max_rss_kib(void)
{
    struct rusage ru;
    ck_assert_int_eq(getrusage(RUSAGE_SELF, &ru), 0);
    return ru.ru_maxrss;
}

/* ---- Reading gzip ----------------------------------------------------------------------- */

START_TEST(gz_from_memory_matches_plain)
{
    struct mkdump *b = reference_dump();
    dmp_file *plain = open_built(b);
    size_t len;
    const uint8_t *data = mkd_data(b, &len);
    const int levels[] = {0, 1, 9};
    for (size_t i = 0; i < 3; i++) {
        struct buf gz = {NULL, 0, 0};
        gz_member(&gz, data, len, 1, levels[i], NULL);
        ck_assert_uint_ne(gz.len, len);
        dmp_file *f = NULL;
        ck_assert_int_eq(dmp_open_mem(gz.data, gz.len, &f), DMP_OK);
        ck_assert_int_ne(dmp_was_compressed(f), 0);
        ck_assert_uint_eq(dmp_file_size(f), len);
        expect_same_dump(plain, f);
        expect_reference_bytes(f);
        dmp_close(f);
        free(gz.data);
    }
    ck_assert_int_eq(dmp_was_compressed(plain), 0);
    ck_assert_uint_eq(count_diags(plain, DMP_DIAG_OVERLAP, NULL), 1);
    dmp_close(plain);
    mkd_free(b);
}
END_TEST

START_TEST(gz_input_buffer_not_kept)
{
    struct mkdump *b = reference_dump();
    dmp_file *plain = open_built(b);
    size_t len;
    const uint8_t *data = mkd_data(b, &len);
    struct buf gz = gzip_of(data, len);
    dmp_file *f = NULL;
    ck_assert_int_eq(dmp_open_mem(gz.data, gz.len, &f), DMP_OK);
    /* What the dump hands out lives in its own heap copy, not in the compressed input. */
    const uintptr_t lo = (uintptr_t)gz.data, hi = lo + gz.len;
    for (size_t i = 0; i < dmp_range_count(f); i++) {
        dmp_range r;
        ck_assert_int_eq(dmp_range_get(f, i, &r), DMP_OK);
        ck_assert(!((uintptr_t)r.data >= lo && (uintptr_t)r.data < hi));
    }
    dmp_stream s;
    ck_assert_int_eq(dmp_stream_get(f, 0, &s), DMP_OK);
    ck_assert(!((uintptr_t)s.data >= lo && (uintptr_t)s.data < hi));
    /* Scribbled on and freed: under ASan any later use of it is a reported error. */
    memset(gz.data, 0x55, gz.len);
    free(gz.data);
    expect_same_dump(plain, f);
    dmp_close(f);
    dmp_close(plain);
    mkd_free(b);
}
END_TEST

START_TEST(gz_file_matches_plain)
{
    struct mkdump *b = reference_dump();
    dmp_file *plain = open_built(b);
    size_t len;
    const uint8_t *data = mkd_data(b, &len);
    struct buf gz = gzip_of(data, len);
    dmp_file *f = NULL;
    ck_assert_int_eq(open_as_file(gz.data, gz.len, NULL, &f, NULL), DMP_OK);
    ck_assert_int_ne(dmp_was_compressed(f), 0);
    ck_assert_uint_eq(dmp_file_size(f), len);
    expect_same_dump(plain, f);
    expect_reference_bytes(f);
    dmp_close(f);
    /* A zeroed dmp_options means the default limit, which 200 KiB is far below. */
    const dmp_options opts = {0};
    dmp_error err;
    f = NULL;
    ck_assert_int_eq(open_as_file(gz.data, gz.len, &opts, &f, &err), DMP_OK);
    expect_same_dump(plain, f);
    dmp_close(f);
    free(gz.data);
    dmp_close(plain);
    mkd_free(b);
}
END_TEST

START_TEST(plain_file_not_compressed)
{
    struct mkdump *b = reference_dump();
    dmp_file *plain = open_built(b);
    size_t len;
    const uint8_t *data = mkd_data(b, &len);
    dmp_file *f = NULL;
    ck_assert_int_eq(open_as_file(data, len, NULL, &f, NULL), DMP_OK);
    ck_assert_int_eq(dmp_was_compressed(f), 0);
    ck_assert_uint_eq(dmp_file_size(f), len);
    expect_same_dump(plain, f);
    expect_reference_bytes(f);
    dmp_close(f);
    dmp_close(plain);
    mkd_free(b);
}
END_TEST

START_TEST(gz_header_with_optional_fields)
{
    /* What `gzip dump.dmp` and other tools write: a file name, a comment, an extra field and
     * a header CRC. */
    struct mkdump *b = reference_dump();
    dmp_file *plain = open_built(b);
    size_t len;
    const uint8_t *data = mkd_data(b, &len);
    static uint8_t name[] = "crash-2024.dmp", comment[] = "from a test", extra[] = "AB\4\0xyzw";
    gz_header head;
    memset(&head, 0, sizeof head);
    head.time = 1700000000;
    head.os = 3;
    head.name = name;
    head.comment = comment;
    head.extra = extra;
    head.extra_len = 8;
    head.hcrc = 1;
    struct buf gz = {NULL, 0, 0};
    gz_member(&gz, data, len, 1, 6, &head);
    ck_assert_uint_eq(gz.data[3], 0x1e); /* FHCRC | FEXTRA | FNAME | FCOMMENT */
    dmp_file *f = NULL;
    ck_assert_int_eq(dmp_open_mem(gz.data, gz.len, &f), DMP_OK);
    expect_same_dump(plain, f);
    dmp_close(f);
    free(gz.data);
    dmp_close(plain);
    mkd_free(b);
}
END_TEST

START_TEST(multi_member_gzip)
{
    /* Members are concatenated the way `cat a.gz b.gz` does; an empty member in between. */
    struct mkdump *b = reference_dump();
    dmp_file *plain = open_built(b);
    size_t len;
    const uint8_t *data = mkd_data(b, &len);
    const size_t cut = len / 3 + 7;
    struct buf gz = {NULL, 0, 0};
    gz_member(&gz, data, cut, 1, 6, NULL);
    gz_member(&gz, "", 0, 1, 6, NULL);
    gz_member(&gz, data + cut, len - cut, 1, 1, NULL);
    dmp_file *f = NULL;
    ck_assert_int_eq(dmp_open_mem(gz.data, gz.len, &f), DMP_OK);
    ck_assert_int_ne(dmp_was_compressed(f), 0);
    ck_assert_uint_eq(dmp_file_size(f), len);
    expect_same_dump(plain, f);
    expect_reference_bytes(f);
    dmp_close(f);
    f = NULL;
    ck_assert_int_eq(open_as_file(gz.data, gz.len, NULL, &f, NULL), DMP_OK);
    expect_same_dump(plain, f);
    dmp_close(f);
    /* The limit counts all members together: the first one alone fits. */
    const dmp_options opts = {.max_heap_input = cut};
    dmp_error err;
    f = NULL;
    ck_assert_int_eq(dmp_open_mem_ex(gz.data, gz.len, &opts, &f, &err), DMP_E_TOO_LARGE);
    ck_assert_ptr_null(f);
    expect_error(&err, DMP_E_TOO_LARGE, "limit");
    free(gz.data);
    dmp_close(plain);
    mkd_free(b);
}
END_TEST

START_TEST(trailing_zero_padding)
{
    struct mkdump *b = reference_dump();
    dmp_file *plain = open_built(b);
    size_t len;
    const uint8_t *data = mkd_data(b, &len);
    struct buf gz = gzip_of(data, len);
    const size_t member = gz.len;
    buf_put(&gz, NULL, 1000); /* a tape block's worth of zeros */
    dmp_file *f = NULL;
    ck_assert_int_eq(dmp_open_mem(gz.data, gz.len, &f), DMP_OK);
    expect_same_dump(plain, f);
    dmp_close(f);
    f = NULL;
    ck_assert_int_eq(open_as_file(gz.data, gz.len, NULL, &f, NULL), DMP_OK);
    expect_same_dump(plain, f);
    dmp_close(f);
    /* Padding with anything else in it is not padding. */
    gz.data[gz.len - 1] = 1;
    dmp_error err;
    f = NULL;
    ck_assert_int_eq(dmp_open_mem_ex(gz.data, gz.len, NULL, &f, &err), DMP_E_INFLATE);
    ck_assert_ptr_null(f);
    expect_error(&err, DMP_E_INFLATE, "after the gzip data");
    ck_assert_uint_eq(err.offset, member);
    free(gz.data);
    dmp_close(plain);
    mkd_free(b);
}
END_TEST

/* ---- Broken gzip ------------------------------------------------------------------------ */

/* A cut-short dump's memory is the plain dump's, as far as it goes: every index entry of
 * `cut` reads the same bytes from `plain`, and its first diagnostic names the cut. */
static void expect_cut_prefix(const dmp_file *plain, const dmp_file *cut, uint64_t cut_at)
{
    ck_assert_int_ne(dmp_was_compressed(cut), 0);
    ck_assert_uint_le(dmp_file_size(cut), dmp_file_size(plain));
    dmp_diag d;
    ck_assert_int_eq(dmp_diag_get(cut, 0, &d), DMP_OK);
    ck_assert_int_eq(d.kind, DMP_DIAG_GZIP_CUT);
    ck_assert_str_eq(dmp_diag_kind_name(d.kind), "gzip-cut");
    ck_assert_uint_eq(d.stream_index, DMP_DIAG_NO_STREAM);
    ck_assert_uint_eq(d.offset, cut_at);
    ck_assert_uint_eq(d.kept, dmp_file_size(cut));
    char line[256];
    dmp_diag_format(&d, line, sizeof line);
    char want[64];
    snprintf(want, sizeof want, "gzip input at 0x%llx:", (unsigned long long)cut_at);
    expect(strstr(line, want) != NULL && strstr(line, "ends early") != NULL, "message: %s", line);
    for (size_t i = 0; i < dmp_range_count(cut); i++) {
        dmp_range r;
        ck_assert_int_eq(dmp_range_get(cut, i, &r), DMP_OK);
        uint8_t *const got = malloc(r.size), *const want_bytes = malloc(r.size);
        ck_assert_ptr_nonnull(got);
        ck_assert_ptr_nonnull(want_bytes);
        ck_assert_int_eq(dmp_read_memory(cut, r.addr, got, r.size, NULL), DMP_OK);
        ck_assert_int_eq(dmp_read_memory(plain, r.addr, want_bytes, r.size, NULL), DMP_OK);
        ck_assert_mem_eq(got, want_bytes, r.size);
        free(got);
        free(want_bytes);
    }
}

START_TEST(truncated_gzip_kept_as_far_as_it_inflated)
{
    struct mkdump *b = reference_dump();
    dmp_file *plain = open_built(b);
    size_t len;
    const uint8_t *data = mkd_data(b, &len);
    struct buf gz = gzip_of(data, len);
    /* Mid-data, before the trailer, inside the trailer: kept, from memory, a file and a pipe. */
    const size_t cuts[] = {gz.len / 4, gz.len / 2, gz.len - 8, gz.len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        for (int how = 0; how < 3; how++) {
            dmp_file *f = NULL;
            dmp_error err;
            const dmp_status st = how == 0   ? dmp_open_mem_ex(gz.data, cuts[i], NULL, &f, &err)
                                  : how == 1 ? open_as_file(gz.data, cuts[i], NULL, &f, &err)
                                             : open_as_pipe(gz.data, cuts[i], NULL, &f, &err);
            expect(st == DMP_OK, "cut at %zu, way %d: %d %s", cuts[i], how, st, err.message);
            expect_cut_prefix(plain, f, cuts[i]);
            if (cuts[i] >= gz.len - 8) {
                /* Every byte had inflated: only the trailer was missing. */
                ck_assert_uint_eq(dmp_file_size(f), len);
                expect_reference_bytes(f);
            } else {
                ck_assert_uint_lt(dmp_file_size(f), len);
            }
            dmp_close(f);
        }
    }
    free(gz.data);
    dmp_close(plain);
    mkd_free(b);
}
END_TEST

START_TEST(truncated_gzip_without_header_fails)
{
    struct mkdump *b = reference_dump();
    size_t len;
    const uint8_t *data = mkd_finish(b, &len);
    struct buf gz = gzip_of(data, len);
    /* Inside the gzip header, right after it, and before 32 bytes have inflated. */
    const size_t cuts[] = {2, 10, 11, 12};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        dmp_file *f = (dmp_file *)&f;
        dmp_error err;
        ck_assert_int_eq(dmp_open_mem_ex(gz.data, cuts[i], NULL, &f, &err), DMP_E_INFLATE);
        ck_assert_ptr_eq(f, (dmp_file *)&f);
        expect_error(&err, DMP_E_INFLATE, "ends early");
        ck_assert_uint_eq(err.offset, cuts[i]);
        f = NULL;
        ck_assert_int_eq(dmp_open_mem(gz.data, cuts[i], &f), DMP_E_INFLATE);
        ck_assert_ptr_null(f);
    }
    free(gz.data);
    mkd_free(b);
}
END_TEST

START_TEST(corrupt_gzip_fails)
{
    struct mkdump *b = reference_dump();
    size_t len;
    const uint8_t *data = mkd_finish(b, &len);
    struct buf gz = gzip_of(data, len);
    ck_assert_uint_eq(gz.data[3], 0); /* no optional fields: deflate data starts at byte 10 */
    const struct {
        size_t off;
        uint8_t value;
        const char *zlib_says;
    } cases[] = {
        {2, 7, "unknown compression method"},
        {10, 0x07, "invalid block type"}, /* BFINAL, then BTYPE 3 */
        {gz.len - 8, (uint8_t)(gz.data[gz.len - 8] ^ 0x40), "incorrect data check"},
        {gz.len - 4, (uint8_t)(gz.data[gz.len - 4] ^ 0x01), "incorrect length check"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const uint8_t saved = gz.data[cases[i].off];
        gz.data[cases[i].off] = cases[i].value;
        dmp_file *f = NULL;
        dmp_error err;
        ck_assert_int_eq(dmp_open_mem_ex(gz.data, gz.len, NULL, &f, &err), DMP_E_INFLATE);
        ck_assert_ptr_null(f);
        expect_error(&err, DMP_E_INFLATE, "corrupt gzip data");
        expect_error(&err, DMP_E_INFLATE, cases[i].zlib_says);
        ck_assert_uint_le(err.offset, gz.len);
        if (i == 1) {
            ck_assert_int_eq(open_as_file(gz.data, gz.len, NULL, &f, &err), DMP_E_INFLATE);
            expect_error(&err, DMP_E_INFLATE, cases[i].zlib_says);
        }
        gz.data[cases[i].off] = saved;
    }
    dmp_file *f = NULL;
    ck_assert_int_eq(dmp_open_mem(gz.data, gz.len, &f), DMP_OK); /* all restored */
    dmp_close(f);
    free(gz.data);
    mkd_free(b);
}
END_TEST

START_TEST(gzip_of_not_a_minidump)
{
    const char text[] = "This text is long enough for a header, but it is not a minidump.";
    struct buf gz = gzip_of(text, sizeof text);
    dmp_file *f = NULL;
    dmp_error err;
    ck_assert_int_eq(dmp_open_mem_ex(gz.data, gz.len, NULL, &f, &err), DMP_E_BAD_SIGNATURE);
    ck_assert_ptr_null(f);
    expect_error(&err, DMP_E_BAD_SIGNATURE, "MDMP");
    ck_assert_int_eq(open_as_file(gz.data, gz.len, NULL, &f, NULL), DMP_E_BAD_SIGNATURE);
    free(gz.data);
    /* Too short once inflated, and nothing at all inflated. */
    const char mdmp[] = "MDMP and then too little for the header";
    gz = gzip_of(mdmp, 31);
    ck_assert_int_eq(dmp_open_mem_ex(gz.data, gz.len, NULL, &f, &err), DMP_E_TOO_SHORT);
    expect_error(&err, DMP_E_TOO_SHORT, "31 bytes");
    free(gz.data);
    /* Short text is not a minidump: its first bytes say so before its length does. */
    gz = gzip_of(text, 31);
    ck_assert_int_eq(dmp_open_mem_ex(gz.data, gz.len, NULL, &f, &err), DMP_E_BAD_SIGNATURE);
    expect_error(&err, DMP_E_BAD_SIGNATURE, "inflates to 54 68 69 73");
    free(gz.data);
    gz = gzip_of("", 0);
    ck_assert_int_eq(dmp_open_mem(gz.data, gz.len, &f), DMP_E_TOO_SHORT);
    ck_assert_ptr_null(f);
    free(gz.data);
}
END_TEST

START_TEST(gzip_is_inflated_once)
{
    /* A .gz of a .gz inflates to gzip bytes, which are not "MDMP". */
    struct mkdump *b = reference_dump();
    size_t len;
    const uint8_t *data = mkd_finish(b, &len);
    struct buf inner = gzip_of(data, len);
    struct buf outer = gzip_of(inner.data, inner.len);
    dmp_file *f = NULL;
    dmp_error err;
    ck_assert_int_eq(dmp_open_mem_ex(outer.data, outer.len, NULL, &f, &err), DMP_E_BAD_SIGNATURE);
    ck_assert_ptr_null(f);
    expect_error(&err, DMP_E_BAD_SIGNATURE, "1f 8b");
    free(inner.data);
    free(outer.data);
    mkd_free(b);
}
END_TEST

/* ---- The heap limit --------------------------------------------------------------------- */

/* Opens `gz` with max_heap_input `limit` from memory and from a file; both give `want`. */
static void expect_limit(const struct buf *gz, uint64_t limit, dmp_status want)
{
    const dmp_options opts = {.max_heap_input = limit};
    char needle[64];
    snprintf(needle, sizeof needle, "limit of %llu bytes", (unsigned long long)limit);
    for (int as_file = 0; as_file < 2; as_file++) {
        dmp_file *f = (dmp_file *)&f;
        dmp_error err;
        const dmp_status st = as_file ? open_as_file(gz->data, gz->len, &opts, &f, &err)
                                      : dmp_open_mem_ex(gz->data, gz->len, &opts, &f, &err);
        ck_assert_msg(st == want, "limit %llu, %s: status %d, want %d", (unsigned long long)limit,
                      as_file ? "file" : "memory", st, want);
        if (want != DMP_OK) {
            ck_assert_ptr_eq(f, (dmp_file *)&f);
            expect_error(&err, want, needle);
            ck_assert_uint_le(err.offset, gz->len);
            continue;
        }
        ck_assert_uint_eq(dmp_file_size(f), limit);
        expect_reference_bytes(f);
        dmp_close(f);
    }
}

START_TEST(limit_exact_and_one_below)
{
    struct mkdump *b = reference_dump();
    size_t len;
    const uint8_t *data = mkd_finish(b, &len);
    ck_assert_uint_gt(len, 3 * 65536); /* the buffer grows through several doublings */
    struct buf gz = gzip_of(data, len);
    expect_limit(&gz, len, DMP_OK);
    expect_limit(&gz, len - 1, DMP_E_TOO_LARGE);
    expect_limit(&gz, 65536, DMP_E_TOO_LARGE);
    expect_limit(&gz, 1, DMP_E_TOO_LARGE);
    free(gz.data);
    mkd_free(b);
}
END_TEST

START_TEST(limit_on_small_dump)
{
    /* Below the first heap allocation's size: the limit itself caps it. */
    struct mkdump *b = mkd_new(2);
    const struct mkd_range r[] = {R(0x1000, 0x1234, 7)};
    mkd_add_memory_list(b, r, 1, false);
    size_t len;
    const uint8_t *data = mkd_finish(b, &len);
    struct buf gz = gzip_of(data, len);
    for (uint64_t limit = len - 1; limit <= len + 1; limit++) {
        const dmp_options opts = {.max_heap_input = limit};
        dmp_file *f = NULL;
        dmp_error err;
        const dmp_status st = dmp_open_mem_ex(gz.data, gz.len, &opts, &f, &err);
        if (limit < len) {
            ck_assert_int_eq(st, DMP_E_TOO_LARGE);
            expect_error(&err, DMP_E_TOO_LARGE, "limit");
            continue;
        }
        ck_assert_int_eq(st, DMP_OK);
        uint8_t got[0x1234];
        ck_assert_int_eq(dmp_read_memory(f, 0x1000, got, sizeof got, NULL), DMP_OK);
        ck_assert_uint_eq(got[0x1233], mkd_byte(7, 0x1000 + 0x1233));
        dmp_close(f);
    }
    free(gz.data);
    mkd_free(b);
}
END_TEST

START_TEST(gzip_bomb_stops_at_limit)
{
    /* 64 MiB of "MDMP" and zeros deflate to about 64 KiB. With a 1 MiB limit the open must stop
     * after about 1 MiB of output: it consumes little of the input and never holds 64 MiB. */
    const size_t chunk = (size_t)1 << 20;
    uint8_t *zeros = calloc(1, chunk);
    ck_assert_ptr_nonnull(zeros);
    struct buf gz = {NULL, 0, 0};
    gz_member(&gz, zeros, chunk, 64, Z_BEST_SPEED, NULL);
    /* Zeros alone are no minidump: rejected once 4 bytes are out, whatever the limit. */
    dmp_file *f0 = NULL;
    dmp_error err0;
    ck_assert_int_eq(dmp_open_mem_ex(gz.data, gz.len, NULL, &f0, &err0), DMP_E_BAD_SIGNATURE);
    expect_error(&err0, DMP_E_BAD_SIGNATURE, "inflates to 00 00 00 00");
    ck_assert_msg(err0.offset < 4096, "consumed %llu compressed bytes",
                  (unsigned long long)err0.offset);
    free(gz.data);
    memcpy(zeros, "MDMP", 4);
    gz = (struct buf){NULL, 0, 0};
    gz_member(&gz, zeros, chunk, 64, Z_BEST_SPEED, NULL);
    free(zeros);
    ck_assert_uint_lt(gz.len, (size_t)1 << 20);
    const dmp_options opts = {.max_heap_input = (uint64_t)1 << 20};
    dmp_file *f = NULL;
    dmp_error err;
    /* Its trailer tells 64 MiB: refused before inflating a byte. */
    ck_assert_int_eq(dmp_open_mem_ex(gz.data, gz.len, &opts, &f, &err), DMP_E_TOO_LARGE);
    expect_error(&err, DMP_E_TOO_LARGE, "the gzip trailer says at least 67108864 bytes");
    ck_assert_uint_eq(err.offset, gz.len - 4);
    /* A trailer that tells nothing (ISIZE 0, as a wrapped 4 GiB member would): the inflate
     * itself must stop at the limit. */
    memset(gz.data + gz.len - 4, 0, 4);
    const long rss_before = max_rss_kib();
    ck_assert_int_eq(dmp_open_mem_ex(gz.data, gz.len, &opts, &f, &err), DMP_E_TOO_LARGE);
    const long grown_kib = max_rss_kib() - rss_before;
    ck_assert_ptr_null(f);
    expect_error(&err, DMP_E_TOO_LARGE, "limit of 1048576 bytes");
    ck_assert_msg(err.offset < gz.len / 8, "consumed %llu of %zu compressed bytes",
                  (unsigned long long)err.offset, gz.len);
    ck_assert_msg(grown_kib < 16 * 1024, "peak memory grew by %ld KiB", grown_kib);
    ck_assert_int_eq(open_as_file(gz.data, gz.len, &opts, &f, &err), DMP_E_TOO_LARGE);
    expect_error(&err, DMP_E_TOO_LARGE, "limit of 1048576 bytes");
    free(gz.data);
}
END_TEST

/* ---- Pipes ------------------------------------------------------------------------------ */

START_TEST(isize_over_limit_fails_before_inflating)
{
    struct mkdump *b = reference_dump();
    size_t len;
    const uint8_t *data = mkd_finish(b, &len);
    struct buf gz = gzip_of(data, len);
    /* The real trailer: over a limit below the size, refused by it (its offset says so). */
    const dmp_options low = {.max_heap_input = len - 1};
    dmp_file *f = NULL;
    dmp_error err;
    ck_assert_int_eq(dmp_open_mem_ex(gz.data, gz.len, &low, &f, &err), DMP_E_TOO_LARGE);
    expect_error(&err, DMP_E_TOO_LARGE, "the gzip trailer says at least");
    ck_assert_uint_eq(err.offset, gz.len - 4);
    /* A forged ISIZE decides alone: the data would fit, the trailer says it does not. */
    const uint32_t forged = (uint32_t)len + 1000000;
    for (int k = 0; k < 4; k++)
        gz.data[gz.len - 4 + (size_t)k] = (uint8_t)(forged >> (8 * k));
    const dmp_options roomy = {.max_heap_input = len + 10};
    ck_assert_int_eq(dmp_open_mem_ex(gz.data, gz.len, &roomy, &f, &err), DMP_E_TOO_LARGE);
    expect_error(&err, DMP_E_TOO_LARGE, "limit of");
    ck_assert_int_eq(open_as_file(gz.data, gz.len, &roomy, &f, &err), DMP_E_TOO_LARGE);
    ck_assert_ptr_null(f);
    /* ISIZE is only a lower bound: one below the real size refuses nothing. */
    const uint32_t small = (uint32_t)len - 1;
    for (int k = 0; k < 4; k++)
        gz.data[gz.len - 4 + (size_t)k] = (uint8_t)(small >> (8 * k));
    const dmp_options exact = {.max_heap_input = len - 1};
    ck_assert_int_eq(dmp_open_mem_ex(gz.data, gz.len, &exact, &f, &err), DMP_E_TOO_LARGE);
    expect_error(&err, DMP_E_TOO_LARGE, "inflated dump exceeds the limit");
    ck_assert_ptr_null(strstr(err.message, "trailer"));
    free(gz.data);
    mkd_free(b);
}
END_TEST

struct progress_log {
    size_t calls;
    uint64_t last_in, last_out, in_total;
    bool ordered;
};

static void log_progress(void *ctx, uint64_t in_done, uint64_t in_total, uint64_t out_done)
{
    struct progress_log *const p = ctx;
    if (in_done < p->last_in || out_done < p->last_out + ((uint64_t)4 << 20) || in_done > in_total)
        p->ordered = false;
    p->calls++;
    p->last_in = in_done;
    p->last_out = out_done;
    p->in_total = in_total;
}

START_TEST(inflate_progress_reported)
{
    /* 9 MiB of memory (deflating more costs the test seconds): the callback runs about every
     * 4 MiB of output, in order. */
    struct mkdump *b = mkd_new(3);
    const struct mkd_range r[] = {R(0x1000000, 9 << 20, 9)};
    mkd_add_memory64_list(b, r, 1);
    size_t len;
    const uint8_t *data = mkd_finish(b, &len);
    struct buf gz = gzip_of(data, len);
    struct progress_log log = {.ordered = true};
    const dmp_options opts = {.inflate_progress = log_progress, .inflate_progress_ctx = &log};
    dmp_file *f = NULL;
    ck_assert_int_eq(dmp_open_mem_ex(gz.data, gz.len, &opts, &f, NULL), DMP_OK);
    /* Between 4 and 8 MiB apart (one inflate step at most past the mark), so: */
    ck_assert_uint_ge(log.calls, len / ((size_t)8 << 20));
    ck_assert_uint_le(log.calls, len / ((size_t)4 << 20));
    ck_assert_uint_ge(log.calls, 1);
    ck_assert(log.ordered);
    ck_assert_uint_eq(log.in_total, gz.len);
    dmp_close(f);
    /* Plain input is not inflated: no calls. */
    struct progress_log none = {.ordered = true};
    const dmp_options opts2 = {.inflate_progress = log_progress, .inflate_progress_ctx = &none};
    ck_assert_int_eq(dmp_open_mem_ex(data, len, &opts2, &f, NULL), DMP_OK);
    ck_assert_uint_eq(none.calls, 0);
    dmp_close(f);
    free(gz.data);
    mkd_free(b);
}
END_TEST

START_TEST(gz_through_pipe)
{
    struct mkdump *b = reference_dump();
    dmp_file *plain = open_built(b);
    size_t len;
    const uint8_t *data = mkd_data(b, &len);
    struct buf gz = gzip_of(data, len);
    dmp_file *f = NULL;
    dmp_error err;
    ck_assert_int_eq(open_as_pipe(gz.data, gz.len, NULL, &f, &err), DMP_OK);
    ck_assert_int_ne(dmp_was_compressed(f), 0);
    expect_same_dump(plain, f);
    dmp_close(f);
    free(gz.data);
    dmp_close(plain);
    mkd_free(b);
}
END_TEST

START_TEST(pipe_limit)
{
    struct mkdump *b = reference_dump();
    dmp_file *plain = open_built(b);
    size_t len;
    const uint8_t *data = mkd_data(b, &len);
    dmp_options opts = {.max_heap_input = len};
    dmp_file *f = NULL;
    dmp_error err;
    ck_assert_int_eq(open_as_pipe(data, len, &opts, &f, &err), DMP_OK);
    ck_assert_int_eq(dmp_was_compressed(f), 0);
    expect_same_dump(plain, f);
    dmp_close(f);
    opts.max_heap_input = len - 1;
    f = NULL;
    ck_assert_int_eq(open_as_pipe(data, len, &opts, &f, &err), DMP_E_TOO_LARGE);
    ck_assert_ptr_null(f);
    expect_error(&err, DMP_E_TOO_LARGE, "fifo");
    char needle[64];
    snprintf(needle, sizeof needle, "limit of %zu bytes", len - 1);
    expect_error(&err, DMP_E_TOO_LARGE, needle);
    /* An endless stream that is no dump ends after its first bytes, whatever the limit (the
     * default 4 GiB here: reading it all would take long enough to time the test out). */
    if (access("/dev/zero", R_OK) == 0) {
        ck_assert_int_eq(dmp_open_ex("/dev/zero", NULL, &f, &err), DMP_E_BAD_SIGNATURE);
        expect_error(&err, DMP_E_BAD_SIGNATURE, "/dev/zero: not a minidump");
    }
    /* Issue 12, finding 6, counted: 64 MiB of zeros through a pipe are refused once their
     * first bytes are read. The writer counts what the reader took: the pipe's buffer and a
     * read or two, not the stream (it once read all of it, up to the 4 GiB default). */
    uint8_t *const zeros = calloc(1, 64 << 20);
    ck_assert_ptr_nonnull(zeros);
    ck_assert_int_eq(open_as_pipe(zeros, 64 << 20, NULL, &f, &err), DMP_E_BAD_SIGNATURE);
    expect_error(&err, DMP_E_BAD_SIGNATURE, "not a minidump");
    ck_assert_msg(last_pipe_written <= (4 << 20), "the reader took %zu bytes of 64 MiB",
                  last_pipe_written);
    free(zeros);
    /* An endless stream that starts like a dump ends at the limit. */
    uint8_t *const endless = calloc(1, 4 << 20);
    ck_assert_ptr_nonnull(endless);
    memcpy(endless, "MDMP", 4);
    opts.max_heap_input = (uint64_t)1 << 20;
    ck_assert_int_eq(open_as_pipe(endless, 4 << 20, &opts, &f, &err), DMP_E_TOO_LARGE);
    expect_error(&err, DMP_E_TOO_LARGE, "limit of 1048576 bytes");
    free(endless);
    dmp_close(plain);
    mkd_free(b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("gz");
    TCase *tc = tcase_create("read");
    tcase_add_test(tc, gz_from_memory_matches_plain);
    tcase_add_test(tc, gz_input_buffer_not_kept);
    tcase_add_test(tc, gz_file_matches_plain);
    tcase_add_test(tc, plain_file_not_compressed);
    tcase_add_test(tc, gz_header_with_optional_fields);
    tcase_add_test(tc, multi_member_gzip);
    tcase_add_test(tc, trailing_zero_padding);
    tcase_add_test(tc, gz_through_pipe);
    tcase_add_test(tc, inflate_progress_reported);
    suite_add_tcase(s, tc);
    tc = tcase_create("broken");
    tcase_add_test(tc, truncated_gzip_kept_as_far_as_it_inflated);
    tcase_add_test(tc, truncated_gzip_without_header_fails);
    tcase_add_test(tc, corrupt_gzip_fails);
    tcase_add_test(tc, gzip_of_not_a_minidump);
    tcase_add_test(tc, gzip_is_inflated_once);
    suite_add_tcase(s, tc);
    tc = tcase_create("limit");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, limit_exact_and_one_below);
    tcase_add_test(tc, limit_on_small_dump);
    tcase_add_test(tc, gzip_bomb_stops_at_limit);
    tcase_add_test(tc, pipe_limit);
    tcase_add_test(tc, isize_over_limit_fails_before_inflating);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
