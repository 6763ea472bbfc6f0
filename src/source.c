/* source.c - gets a dump's bytes: maps a file, borrows a buffer, or inflates gzip to the heap.
 * SPDX-License-Identifier: MIT
 *
 * The only file that touches the OS or zlib. A regular file is mapped read-only and never
 * copied. Heap copies exist only where they cannot be avoided (gzip, pipes), and are bounded
 * by the caller's max_heap: the buffer grows geometrically and never past that limit, so a
 * gzip bomb or an endless pipe ends in DMP_E_TOO_LARGE, not in the OOM killer.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE 1 /* madvise and MADV_HUGEPAGE in <sys/mman.h> */

#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#define ZLIB_CONST 1 /* next_in is then const, as our input is */
#include <zlib.h>

#define GZIP_MAGIC0 0x1f
#define GZIP_MAGIC1 0x8b
#define MIN_HEAP_CAP ((size_t)64 << 10)
#define INFLATE_CHUNK ((uInt)1 << 30) /* zlib counts in uInt; feed it at most this at once */
#define HUGE_PAGE ((size_t)2 << 20)
#define PROGRESS_STEP ((size_t)4 << 20) /* inflated bytes between progress calls */
#define MIN_KEPT_CUT 32                 /* a cut gzip dump is kept once its header inflated */

static bool is_gzip(const uint8_t *p, uint64_t len)
{
    return len >= 2 && p[0] == GZIP_MAGIC0 && p[1] == GZIP_MAGIC1;
}

/* A heap buffer that grows by doubling up to a hard limit. */
struct growbuf {
    uint8_t *data;
    size_t len;
    size_t cap;
    size_t limit;
    const char *magic;                    /* the 4 bytes the content must start with, or NULL */
    const struct dmpi_progress *progress; /* may be NULL */
    size_t reported;                      /* len at the last progress call */
    bool ran_out;                         /* inflate stopped for want of input */
};

/* Makes room for at least one more byte. DMP_E_TOO_LARGE when already at the limit. */
static dmp_status growbuf_grow(struct growbuf *b)
{
    if (b->cap >= b->limit)
        return DMP_E_TOO_LARGE;
    size_t cap = b->cap < MIN_HEAP_CAP ? MIN_HEAP_CAP : b->cap;
    if (b->cap >= MIN_HEAP_CAP)
        cap = b->cap > b->limit / 2 ? b->limit : b->cap * 2;
    if (cap > b->limit)
        cap = b->limit;
    uint8_t *const data = realloc(b->data, cap);
    if (!data)
        return DMP_E_NOMEM;
    b->data = data;
    b->cap = cap;
    return DMP_OK;
}

static size_t heap_limit(uint64_t max_heap)
{
    return max_heap > SIZE_MAX ? SIZE_MAX : (size_t)max_heap;
}

/* Gives the buffer to src, trimmed to its length. */
static void growbuf_adopt(struct growbuf *b, struct dmpi_source *src)
{
    if (b->len > 0 && b->len < b->cap) {
        uint8_t *const data = realloc(b->data, b->len);
        if (data)
            b->data = data;
    }
    src->bytes.data = b->data;
    src->bytes.len = b->len;
    src->kind = DMPI_SOURCE_HEAP;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* Whether the first 4 inflated bytes are the content's magic ("MDMP" for a dump; symbol and
 * image files ask for no check). Checked as soon as they exist, so that a gzip stream of
 * anything else (a bomb of zeros) is rejected after a few bytes rather than after the whole
 * heap limit; read_stream does the same for raw input. */
static dmp_status check_start(const uint8_t *p, const char *magic, uint64_t at, dmp_error *err)
{
    if (!magic || memcmp(p, magic, 4) == 0)
        return DMP_OK;
    dmpi_set_error(err, DMP_E_BAD_SIGNATURE, at,
                   "not a minidump: the gzip data inflates to %02x %02x %02x %02x, not \"%.4s\"",
                   p[0], p[1], p[2], p[3], magic);
    return DMP_E_BAD_SIGNATURE;
}

/* Runs inflate until the current member ends or the input ends. Once the buffer has reached
 * the limit, inflate writes into a one-byte probe: any byte there means the limit is passed. */
static dmp_status inflate_member(z_stream *zs, struct growbuf *out, const uint8_t *in,
                                 size_t in_len, dmp_error *err)
{
    for (;;) {
        uint8_t probe;
        bool probing = false;
        if (out->len == out->cap) {
            const dmp_status st = growbuf_grow(out);
            probing = st == DMP_E_TOO_LARGE;
            if (st != DMP_OK && !probing) {
                dmpi_set_error(err, st, 0, "cannot allocate memory for the inflated dump");
                return st;
            }
        }
        /* With a progress callback, inflate a step at a time so that it runs that often. */
        const size_t step = out->progress && out->progress->fn ? PROGRESS_STEP : INFLATE_CHUNK;
        const size_t room = out->cap - out->len;
        zs->next_out = probing ? &probe : out->data + out->len;
        zs->avail_out = probing ? 1 : room > step ? (uInt)step : (uInt)room;
        const size_t consumed = (size_t)(zs->next_in - in);
        if (zs->avail_in == 0 && consumed < in_len) {
            const size_t left = in_len - consumed;
            zs->avail_in = left > INFLATE_CHUNK ? INFLATE_CHUNK : (uInt)left;
        }
        const uInt avail_before = zs->avail_out;
        const int ret = inflate(zs, Z_NO_FLUSH);
        const size_t produced = avail_before - zs->avail_out;
        if (probing && produced > 0) {
            dmpi_set_error(err, DMP_E_TOO_LARGE, (uint64_t)(zs->next_in - in),
                           "inflated dump exceeds the limit of %zu bytes", out->limit);
            return DMP_E_TOO_LARGE;
        }
        if (!probing)
            out->len += produced;
        if (out->progress && out->progress->fn && out->len - out->reported >= PROGRESS_STEP) {
            out->reported = out->len;
            out->progress->fn(out->progress->ctx, (uint64_t)(zs->next_in - in), in_len, out->len);
        }
        if (!probing && out->len >= 4 && out->len - produced < 4) {
            const dmp_status st =
                check_start(out->data, out->magic, (uint64_t)(zs->next_in - in), err);
            if (st != DMP_OK)
                return st;
        }
        if (ret == Z_STREAM_END)
            return DMP_OK;
        if (ret == Z_OK)
            continue;
        if (ret == Z_BUF_ERROR && (size_t)(zs->next_in - in) == in_len) {
            out->ran_out = true;
            dmpi_set_error(err, DMP_E_INFLATE, in_len,
                           "gzip data ends early (after %zu compressed bytes)", in_len);
            return DMP_E_INFLATE;
        }
        if (ret == Z_MEM_ERROR) {
            dmpi_set_error(err, DMP_E_NOMEM, 0, "zlib could not allocate its state");
            return DMP_E_NOMEM;
        }
        dmpi_set_error(err, DMP_E_INFLATE, (uint64_t)(zs->next_in - in), "corrupt gzip data: %s",
                       zs->msg ? zs->msg : "inflate failed");
        return DMP_E_INFLATE;
    }
}

/* The gzip trailer's ISIZE: the last member's inflated size mod 2^32, in the input's last
 * four bytes. Only a lower bound on what the input inflates to (a bigger member wraps; other
 * members add to it), so it can only ever refuse early, never accept. A cut-short input
 * ends in compressed data instead, whose last four bytes mean nothing: against a low limit
 * such an input may be refused here that would have inflated partly within it. */
static dmp_status check_isize(const uint8_t *in, size_t in_len, size_t limit, dmp_error *err)
{
    enum { MIN_MEMBER = 18 }; /* a 10-byte header and an 8-byte trailer */
    if (in_len < MIN_MEMBER)
        return DMP_OK;
    const uint8_t *const t = in + in_len - 4;
    const uint32_t isize =
        (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 | (uint32_t)t[3] << 24;
    if (isize <= limit)
        return DMP_OK;
    dmpi_set_error(err, DMP_E_TOO_LARGE, in_len - 4,
                   "inflated dump exceeds the limit of %zu bytes: the gzip trailer says at "
                   "least %" PRIu32 " bytes",
                   limit, isize);
    return DMP_E_TOO_LARGE;
}

/* Inflates every gzip member of `in` onto the heap. Trailing zero bytes (tape padding) are
 * accepted; anything else after the last member is an error. Input that ends early is kept
 * as far as it inflated when the content has a magic and its header is there (src->cut). */
static dmp_status inflate_all(const uint8_t *in, size_t in_len, size_t limit, const char *magic,
                              const struct dmpi_progress *progress, struct dmpi_source *src,
                              dmp_error *err)
{
    dmp_status st = check_isize(in, in_len, limit, err);
    if (st != DMP_OK)
        return st;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
        dmpi_set_error(err, DMP_E_NOMEM, 0, "zlib could not initialise");
        return DMP_E_NOMEM;
    }
    struct growbuf out = {NULL, 0, 0, limit, magic, progress, 0, false};
    zs.next_in = in;
    bool cut = false;
    for (;;) {
        st = inflate_member(&zs, &out, in, in_len, err);
        /* Ran out of input (not corrupt data): keep what inflated, once it holds a header. */
        cut = st == DMP_E_INFLATE && out.ran_out && magic && out.len >= MIN_KEPT_CUT;
        if (cut)
            st = DMP_OK;
        if (st != DMP_OK || cut)
            break;
        const size_t used = (size_t)(zs.next_in - in);
        if (used == in_len || all_zero(in + used, in_len - used))
            break;
        if (!is_gzip(in + used, in_len - used)) {
            dmpi_set_error(err, DMP_E_INFLATE, used, "unexpected bytes after the gzip data");
            st = DMP_E_INFLATE;
            break;
        }
        inflateReset(&zs);
    }
    inflateEnd(&zs);
    if (st != DMP_OK) {
        free(out.data);
        return st;
    }
    growbuf_adopt(&out, src);
    src->compressed = true;
    src->cut = cut;
    src->cut_at = cut ? in_len : 0;
    return DMP_OK;
}

dmp_status dmpi_source_open_mem(struct dmpi_source *src, const void *buf, size_t len,
                                uint64_t max_heap, const char *magic,
                                const struct dmpi_progress *progress, dmp_error *err)
{
    memset(src, 0, sizeof *src);
    if (is_gzip(buf, len))
        return inflate_all(buf, len, heap_limit(max_heap), magic, progress, src, err);
    src->bytes.data = buf;
    src->bytes.len = len;
    src->kind = DMPI_SOURCE_BORROWED;
    return DMP_OK;
}

/* Reads a non-seekable file (a pipe, a terminal) to its end onto the heap. */
static dmp_status read_stream(int fd, const char *path, size_t limit, const char *magic,
                              struct growbuf *out, dmp_error *err)
{
    out->limit = limit;
    for (;;) {
        if (out->len == out->cap) {
            const dmp_status st = growbuf_grow(out);
            if (st != DMP_OK) {
                uint8_t probe;
                if (st == DMP_E_TOO_LARGE && read(fd, &probe, 1) == 0)
                    return DMP_OK;
                if (st == DMP_E_TOO_LARGE)
                    dmpi_set_error(err, st, out->len, "%s: input exceeds the limit of %zu bytes",
                                   path, limit);
                else
                    dmpi_set_error(err, st, out->len, "%s: out of memory after %zu bytes", path,
                                   out->len);
                return st;
            }
        }
        const ssize_t n = read(fd, out->data + out->len, out->cap - out->len);
        if (n == 0)
            return DMP_OK;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            dmpi_set_error(err, DMP_E_IO, out->len, "%s: %s", path, strerror(errno));
            return DMP_E_IO;
        }
        const size_t before = out->len;
        out->len += (size_t)n;
        /* Neither what it must be nor gzip: no need to read the rest. */
        const uint8_t *const p = out->data;
        if (magic && before < 4 && out->len >= 4 && !is_gzip(p, out->len) &&
            memcmp(p, magic, 4) != 0) {
            dmpi_set_error(err, DMP_E_BAD_SIGNATURE, 0,
                           "%s: not a minidump: the input starts with %02x %02x %02x %02x, "
                           "neither \"%.4s\" nor gzip",
                           path, p[0], p[1], p[2], p[3], magic);
            return DMP_E_BAD_SIGNATURE;
        }
    }
}

static dmp_status open_pipe(struct dmpi_source *src, int fd, const char *path, size_t limit,
                            const char *magic, const struct dmpi_progress *progress, dmp_error *err)
{
    struct growbuf raw = {NULL, 0, 0, 0, NULL, NULL, 0, false};
    dmp_status st = read_stream(fd, path, limit, magic, &raw, err);
    if (st == DMP_OK && is_gzip(raw.data, raw.len)) {
        /* The compressed copy is held while inflating: both count against the limit. */
        st = inflate_all(raw.data, raw.len, limit - raw.len, magic, progress, src, err);
        if (st == DMP_E_TOO_LARGE)
            dmpi_set_error(err, st, raw.len,
                           "%s: %zu compressed bytes and the inflated dump exceed the limit of "
                           "%zu bytes together",
                           path, raw.len, limit);
        free(raw.data);
        return st;
    }
    if (st != DMP_OK) {
        free(raw.data);
        return st;
    }
    growbuf_adopt(&raw, src);
    return DMP_OK;
}

static dmp_status open_mapped(struct dmpi_source *src, int fd, const char *path, uint64_t size,
                              size_t limit, const char *magic, const struct dmpi_progress *progress,
                              dmp_error *err)
{
    if (size > SIZE_MAX) {
        dmpi_set_error(err, DMP_E_IO, 0, "%s: too large to map", path);
        return DMP_E_IO;
    }
    if (size == 0) {
        src->kind = DMPI_SOURCE_BORROWED; /* mmap cannot map nothing; the header check fails */
        return DMP_OK;
    }
    void *const map = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
        dmpi_set_error(err, DMP_E_IO, 0, "%s: cannot map: %s", path, strerror(errno));
        return DMP_E_IO;
    }
    if (is_gzip(map, size)) {
        const dmp_status st = inflate_all(map, (size_t)size, limit, magic, progress, src, err);
        munmap(map, (size_t)size);
        return st;
    }
    src->bytes.data = map;
    src->bytes.len = size;
    src->kind = DMPI_SOURCE_MAPPED;
    return DMP_OK;
}

dmp_status dmpi_source_open_path(struct dmpi_source *src, const char *path, uint64_t max_heap,
                                 const char *magic, const struct dmpi_progress *progress,
                                 dmp_error *err)
{
    memset(src, 0, sizeof *src);
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        dmpi_set_error(err, DMP_E_IO, 0, "%s: %s", path, strerror(errno));
        return DMP_E_IO;
    }
    struct stat st;
    dmp_status status;
    if (fstat(fd, &st) != 0) {
        dmpi_set_error(err, DMP_E_IO, 0, "%s: %s", path, strerror(errno));
        status = DMP_E_IO;
    } else if (S_ISDIR(st.st_mode)) {
        dmpi_set_error(err, DMP_E_IO, 0, "%s: is a directory", path);
        status = DMP_E_IO;
    } else if (S_ISREG(st.st_mode)) {
        status = open_mapped(src, fd, path, (uint64_t)st.st_size, heap_limit(max_heap), magic,
                             progress, err);
    } else {
        status = open_pipe(src, fd, path, heap_limit(max_heap), magic, progress, err);
    }
    close(fd); /* a mapping outlives its descriptor */
    return status;
}

void dmpi_source_close(struct dmpi_source *src)
{
    /* The mapping's address is stored const; munmap and free take it back as writable. */
    void *const p = (void *)(uintptr_t)src->bytes.data;
    if (src->kind == DMPI_SOURCE_MAPPED && p)
        munmap(p, (size_t)src->bytes.len);
    else if (src->kind == DMPI_SOURCE_HEAP)
        free(p);
    memset(src, 0, sizeof *src);
}

/* The memory index of a full-memory dump is tens to hundreds of MB, written once in order
 * and then searched at random. On 4 KiB pages the open spends most of its time in page
 * faults and the search in TLB misses, so arrays of a huge page or more are aligned to one
 * and offered to transparent huge pages. Where THP is off or absent this is plain malloc
 * with a little alignment slack; the result is freed with free(). */
void *dmpi_alloc_large(size_t size)
{
    if (size < HUGE_PAGE || size > SIZE_MAX - HUGE_PAGE)
        return malloc(size);
    const size_t rounded = (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    void *p = NULL;
    if (posix_memalign(&p, HUGE_PAGE, rounded) != 0)
        return NULL;
#ifdef MADV_HUGEPAGE
    (void)madvise(p, rounded, MADV_HUGEPAGE); /* advice only: failure changes nothing */
#endif
    return p;
}

void *dmpi_calloc_large(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    const size_t bytes = n * size;
    if (bytes < HUGE_PAGE) /* calloc leaves pages fresh from the system untouched */
        return calloc(bytes ? bytes : 1, 1);
    void *const p = dmpi_alloc_large(bytes);
    if (p)
        memset(p, 0, bytes);
    return p;
}

int dmpi_file_open(const char *path)
{
    return open(path, O_RDONLY | O_CLOEXEC);
}

long dmpi_file_read(int fd, void *buf, size_t len)
{
    for (;;) {
        const ssize_t n = read(fd, buf, len);
        if (n >= 0 || errno != EINTR)
            return (long)n;
    }
}

void dmpi_file_close(int fd)
{
    close(fd);
}
