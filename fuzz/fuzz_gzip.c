/* fuzz_gzip.c - libFuzzer harness for gzip input (src/source.c): the buffer path and the pipe
 * path, against zlib driven here as the oracle.
 * SPDX-License-Identifier: MIT
 *
 * The input is opened with dmp_open_mem_ex under a heap limit picked from the input's hash:
 * the default ceiling of this harness, exactly the inflated size, one byte less, or anything.
 * The oracle inflates the input here by the rule docs/FORMAT.md states for gzip (every
 * member in turn; after the last only zero bytes may follow) and says whether the open must
 * succeed: all members inflate (or the input ends inside one: a cut dump is kept as far as it
 * inflated), at most `limit` bytes come out, they start with "MDMP" and hold a
 * MINIDUMP_HEADER, and the trailer's ISIZE (the last four bytes) is not over the limit. Either way
 * round a disagreement aborts; on success the dump must have the oracle's size, say it was
 * compressed (or not, for plain input), and every stream's bytes must be the oracle's bytes at its
 * RVA. Then every accessor is called once (touch.c).
 *
 * Inputs that fit a pipe's buffer are written into one and opened again through
 * /dev/fd/N with dmp_open_ex, the non-seekable path, whose limit counts the compressed
 * copy as well: with the limit raised by the input's size the verdict must be the same.
 */
#define _POSIX_C_SOURCE 200809L /* pipe, fcntl: this program only, not the library */

#include "harness.h"
#include "touch.h"

#include <dmpread.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define MAX_HEAP ((size_t)1 << 20) /* the largest limit used, and the oracle's ceiling */
#define HEADER_LEN 32              /* MINIDUMP_HEADER */
#define PIPE_MAX ((size_t)65536)   /* a Linux pipe's default buffer: written without blocking */

/* What zlib makes of the input: ok when every member inflated and only zeros follow. */
struct oracle {
    uint8_t *data;
    size_t len;
    bool ok;
    bool over;    /* more than MAX_HEAP bytes came out: len stops there */
    bool ran_out; /* the input ended inside a member (cut short, not corrupt) */
};

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* One member from zs->next_in into o, up to MAX_HEAP bytes. */
static bool inflate_one(z_stream *zs, struct oracle *o)
{
    for (;;) {
        zs->next_out = o->data + o->len;
        zs->avail_out = (uInt)(MAX_HEAP + 1 - o->len);
        const int rc = inflate(zs, Z_NO_FLUSH);
        o->len = (size_t)(zs->next_out - o->data);
        if (rc == Z_STREAM_END)
            return true;
        if (o->len > MAX_HEAP) {
            o->over = true;
            return false;
        }
        if ((rc == Z_OK || rc == Z_BUF_ERROR) && zs->avail_in == 0) {
            o->ran_out = true; /* the input ends inside the member */
            return false;
        }
        if (rc != Z_OK)
            return false; /* corrupt */
    }
}

static void oracle_inflate(struct oracle *o, const uint8_t *in, size_t len)
{
    /* One buffer for the whole run rather than a fresh one per input. */
    static uint8_t *buf;
    if (!buf)
        buf = malloc(MAX_HEAP + 1);
    CHECK(buf != NULL, "oracle: out of memory");
    memset(o, 0, sizeof *o);
    o->data = buf;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    CHECK(inflateInit2(&zs, 16 + MAX_WBITS) == Z_OK, "oracle: zlib init");
    size_t used = 0;
    for (;;) {
        zs.next_in = (Bytef *)(uintptr_t)(in + used);
        zs.avail_in = (uInt)(len - used);
        if (!inflate_one(&zs, o))
            break;
        used = len - zs.avail_in;
        if (used == len || all_zero(in + used, len - used)) {
            o->ok = true;
            break;
        }
        if (len - used < 2 || in[used] != 0x1f || in[used + 1] != 0x8b)
            break;
        inflateReset(&zs);
    }
    inflateEnd(&zs);
}

/* The gzip trailer's ISIZE as the library reads it before inflating: the input's last four
 * bytes, once it is long enough for one member. Over the limit, the open is refused. */
static bool isize_refuses(const uint8_t *in, size_t len, size_t limit)
{
    if (len < 18)
        return false;
    const uint8_t *t = in + len - 4;
    const uint32_t isize =
        (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 | (uint32_t)t[3] << 24;
    return isize > limit;
}

/* Whole, or cut short (kept as far as it inflated): at most `limit` bytes, with a header. */
static bool opens(const struct oracle *o, const uint8_t *in, size_t len, size_t limit)
{
    return !isize_refuses(in, len, limit) && (o->ok || o->ran_out) && o->len <= limit &&
           o->len >= HEADER_LEN && memcmp(o->data, "MDMP", 4) == 0;
}

/* The limit for this input: the harness's ceiling, the inflated size, one less, or any. */
static size_t pick_limit(const struct oracle *o, uint64_t hash)
{
    switch (hash & 3) {
    case 1:
        return o->len ? o->len : 1;
    case 2:
        return o->len > 1 ? o->len - 1 : 1;
    case 3:
        return 1 + (size_t)((hash >> 2) % MAX_HEAP);
    default:
        return MAX_HEAP;
    }
}

static void check_dump(const dmp_file *f, const struct oracle *o, const char *how)
{
    CHECK(dmp_file_size(f) == o->len, "%s: %llu bytes, zlib made %zu", how, (ull)dmp_file_size(f),
          o->len);
    CHECK(dmp_was_compressed(f), "%s: gzip input not reported as compressed", how);
    const size_t n = dmp_stream_count(f);
    for (size_t i = 0; i < n; i++) {
        dmp_stream s;
        CHECK(dmp_stream_get(f, i, &s) == DMP_OK, "%s: stream %zu", how, i);
        CHECK(s.size == 0 || (s.rva <= o->len && s.size <= o->len - s.rva &&
                              memcmp(s.data, o->data + s.rva, (size_t)s.size) == 0),
              "%s: stream %zu differs from zlib's bytes at 0x%x", how, i, s.rva);
    }
}

/* The same input through a pipe: the verdict of the buffer path, and the same dump. */
static void check_pipe(const uint8_t *data, size_t size, size_t limit, dmp_status want,
                       const struct oracle *o)
{
    int fds[2];
    if (size > PIPE_MAX || pipe(fds) != 0)
        return;
    (void)fcntl(fds[1], F_SETFL, O_NONBLOCK);
    const bool written = size == 0 || write(fds[1], data, size) == (ssize_t)size;
    close(fds[1]);
    if (written) {
        char path[32];
        snprintf(path, sizeof path, "/dev/fd/%d", fds[0]);
        dmp_options opts = {.max_heap_input = (uint64_t)limit + size};
        dmp_file *f = NULL;
        dmp_error err;
        const dmp_status st = dmp_open_ex(path, &opts, &f, &err);
        CHECK((st == DMP_OK) == (want == DMP_OK), "pipe: status %d (%s), buffer %d", (int)st,
              st == DMP_OK ? "" : err.message, (int)want);
        if (st == DMP_OK) {
            check_dump(f, o, "pipe");
            dmp_close(f);
        }
    }
    close(fds[0]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const bool gzip = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
    if (!gzip)
        return 0; /* plain dumps are fuzz_open's and fuzz_open_fast's */
    struct oracle o;
    oracle_inflate(&o, data, size);
    const uint64_t hash = fuzz_hash(data, size);
    const size_t limit = pick_limit(&o, hash);
    dmp_options opts = {.max_heap_input = limit};
    dmp_file *f = NULL;
    dmp_error err;
    const dmp_status st = dmp_open_mem_ex(data, size, &opts, &f, &err);
    CHECK((st == DMP_OK) == opens(&o, data, size, limit),
          "buffer: status %d (%s) with a limit of %zu; zlib: %s, %zu bytes%s", (int)st,
          st == DMP_OK ? "" : err.message, limit,
          o.ok        ? "whole"
          : o.ran_out ? "cut short"
                      : "failed",
          o.len, o.over ? " and more" : "");
    if (st == DMP_E_TOO_LARGE)
        CHECK(!o.ok || o.len > limit || isize_refuses(data, size, limit),
              "too large at %zu bytes under a limit of %zu", o.len, limit);
    if (st == DMP_OK) {
        check_dump(f, &o, "buffer");
        fuzz_touch(f, hash);
        dmp_close(f);
    }
    check_pipe(data, size, limit, st, &o);
    return 0;
}
