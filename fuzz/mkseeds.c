/* mkseeds.c - writes the fuzz seed corpus: small dumps, each aimed at one memory rule.
 * SPDX-License-Identifier: MIT
 *
 * usage: mkseeds DIR   (DIR must exist; files in it with the same names are replaced)
 *
 * Built on tests/mkdump, so every seed is well formed except for the one field it breaks.
 * testdata/ and ../shared/dumps join these in the corpus; the seeds add the shapes those
 * lack: overflow at 2^64, Memory64List offsets past 2^64, counts and directories that claim
 * too much, streams past EOF, many overlapping descriptors, and gzip.
 *
 * usage: mkseeds DIR GZDIR   also writes each seed gzipped into GZDIR, for fuzz_gzip: as one
 * member (NAME.gz), as two members split in the middle (NAME.2m.gz) and followed by zero
 * padding (NAME.pad.gz); seeds that are gzip already are copied there as they are.
 */
#include "mkdump.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define R(a, s, t)                                                                                 \
    {                                                                                              \
        (a), (s), (t), false, 0                                                                    \
    }
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

#define HEADER_STREAM_COUNT_OFF 8 /* MINIDUMP_HEADER.NumberOfStreams */
#define SYSTEM_INFO_LEN 56        /* MINIDUMP_SYSTEM_INFO */
#define AMD64 9

static const char *out_dir;
static const char *gz_dir; /* NULL: no gzipped copies */
static int failures;

static void write_file(const char *dir, const char *name, const uint8_t *data, size_t len);

/* Appends one gzip member holding `len` bytes to *out (grown with realloc); false on failure. */
static bool add_member(uint8_t **out, size_t *out_len, const uint8_t *data, size_t len)
{
    const size_t room = compressBound((uLong)len) + 64;
    uint8_t *const grown = realloc(*out, *out_len + room);
    if (!grown)
        return false;
    *out = grown;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return false;
    zs.next_in = (Bytef *)(uintptr_t)data;
    zs.avail_in = (uInt)len;
    zs.next_out = grown + *out_len;
    zs.avail_out = (uInt)room;
    const bool ok = deflate(&zs, Z_FINISH) == Z_STREAM_END;
    *out_len += zs.total_out;
    deflateEnd(&zs);
    return ok;
}

/* The gzipped copies of one seed in gz_dir. */
static void write_gzipped(const char *name, const uint8_t *data, size_t len)
{
    const size_t n = strlen(name);
    if (n > 3 && strcmp(name + n - 3, ".gz") == 0) {
        write_file(gz_dir, name, data, len);
        return;
    }
    static const uint8_t zeros[64];
    char gz_name[256];
    uint8_t *out = NULL;
    size_t out_len = 0;
    bool ok = add_member(&out, &out_len, data, len);
    snprintf(gz_name, sizeof gz_name, "%s.gz", name);
    if (ok)
        write_file(gz_dir, gz_name, out, out_len);
    uint8_t *const padded = ok ? realloc(out, out_len + sizeof zeros) : NULL;
    if (padded) {
        out = padded;
        memcpy(out + out_len, zeros, sizeof zeros);
        snprintf(gz_name, sizeof gz_name, "%s.pad.gz", name);
        write_file(gz_dir, gz_name, out, out_len + sizeof zeros);
    }
    out_len = 0;
    ok = padded && add_member(&out, &out_len, data, len / 2) &&
         add_member(&out, &out_len, data + len / 2, len - len / 2);
    snprintf(gz_name, sizeof gz_name, "%s.2m.gz", name);
    if (ok)
        write_file(gz_dir, gz_name, out, out_len);
    if (!ok) {
        fprintf(stderr, "mkseeds: cannot gzip %s\n", name);
        failures++;
    }
    free(out);
}

static void write_bytes(const char *name, const uint8_t *data, size_t len)
{
    write_file(out_dir, name, data, len);
    if (gz_dir)
        write_gzipped(name, data, len);
}

static void write_file(const char *dir, const char *name, const uint8_t *data, size_t len)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
        fprintf(stderr, "mkseeds: path too long: %s/%s\n", dir, name);
        failures++;
        return;
    }
    FILE *const fp = fopen(path, "wb");
    const bool ok = fp && fwrite(data, 1, len, fp) == len;
    if (!fp || fclose(fp) != 0 || !ok) {
        perror(path);
        failures++;
    }
}

/* Writes the finished dump, or only its first `len` bytes when len is not 0. */
static void write_dump(struct mkdump *b, const char *name, size_t len)
{
    size_t full;
    const uint8_t *const data = mkd_finish(b, &full);
    write_bytes(name, data, len && len < full ? len : full);
}

/* A builder with a SystemInfo stream first, as real writers put one. */
static struct mkdump *new_dump(uint32_t max_streams)
{
    struct mkdump *const b = mkd_new(max_streams);
    uint8_t info[SYSTEM_INFO_LEN] = {0};
    mkd_store_u16(info, AMD64);
    mkd_add_stream_data(b, 7, info, sizeof info);
    return b;
}

static void seed_basic(void)
{
    const struct mkd_range r[] = {R(0x1000, 64, 1), R(0x2000, 32, 2), R(0x7ffe0000, 16, 3)};
    struct mkdump *const b = new_dump(0);
    mkd_add_memory_list(b, r, COUNT(r), false);
    mkd_add_stream_data(b, 10, "comment", 8);
    write_dump(b, "basic.dmp", 0);

    size_t len;
    const uint8_t *const data = mkd_finish(b, &len);
    uLongf room = compressBound((uLong)len) + 32;
    uint8_t *const gz = malloc(room);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (!gz || deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        fputs("mkseeds: cannot set up zlib\n", stderr);
        failures++;
        free(gz);
        mkd_free(b);
        return;
    }
    zs.next_in = (Bytef *)(uintptr_t)data;
    zs.avail_in = (uInt)len;
    zs.next_out = gz;
    zs.avail_out = (uInt)room;
    const bool ok = deflate(&zs, Z_FINISH) == Z_STREAM_END;
    deflateEnd(&zs);
    if (ok) {
        write_bytes("basic.dmp.gz", gz, zs.total_out);
        write_bytes("cut.dmp.gz", gz, zs.total_out / 2);
    } else {
        fputs("mkseeds: deflate failed\n", stderr);
        failures++;
    }
    free(gz);
    mkd_free(b);
}

static void seed_padded(void)
{
    const struct mkd_range r[] = {R(0x10000, 48, 4), R(0x10030, 16, 5)};
    struct mkdump *const b = new_dump(0);
    mkd_add_memory_list(b, r, COUNT(r), true);
    write_dump(b, "padded.dmp", 0);
    mkd_free(b);
}

/* Abutting Memory64List ranges that reads must stitch, then a gap. */
static void seed_memory64(void)
{
    const struct mkd_range r[] = {R(0x400000, 0x100, 6), R(0x400100, 0x80, 7), R(0x400180, 0x10, 8),
                                  R(0x500000, 0x40, 9)};
    struct mkdump *const b = new_dump(0);
    mkd_add_memory64_list(b, r, COUNT(r));
    write_dump(b, "memory64.dmp", 0);
    mkd_free(b);
}

/* LLDB's layout: stacks in MemoryList, everything in Memory64List; and the reverse order. */
static void seed_both_lists(void)
{
    const struct mkd_range stack[] = {R(0x7000, 0x40, 10), R(0x9ff0, 0x20, 11)};
    const struct mkd_range all[] = {R(0x6000, 0x2000, 12), R(0x8000, 0x2000, 13)};
    struct mkdump *b = new_dump(0);
    mkd_add_memory_list(b, stack, COUNT(stack), false);
    mkd_add_memory64_list(b, all, COUNT(all));
    write_dump(b, "lists-mem-first.dmp", 0);
    mkd_free(b);
    b = new_dump(0);
    mkd_add_memory64_list(b, all, COUNT(all));
    mkd_add_memory_list(b, stack, COUNT(stack), false);
    write_dump(b, "lists-mem64-first.dmp", 0);
    mkd_free(b);
}

/* Unsorted and overlapping within a list and across two lists. */
static void seed_overlap(void)
{
    const struct mkd_range a[] = {R(0x3000, 0x100, 14), R(0x2f80, 0x100, 15), R(0x3040, 0x20, 16),
                                  R(0x3000, 0x200, 17)};
    const struct mkd_range c[] = {R(0x2f00, 0x400, 18), R(0x3050, 0x10, 19)};
    struct mkdump *const b = new_dump(0);
    mkd_add_memory_list(b, a, COUNT(a), false);
    mkd_add_memory_list(b, c, COUNT(c), false);
    write_dump(b, "overlap.dmp", 0);
    mkd_free(b);
}

/* Cut inside the second range's bytes: it is clipped and the third is past EOF. Cut where
 * the third range's bytes begin: they start exactly at EOF. */
static void seed_truncated(void)
{
    const struct mkd_range r[] = {R(0xa000, 0x40, 20), R(0xb000, 0x40, 21), R(0xc000, 0x40, 22)};
    struct mkdump *const b = new_dump(0);
    mkd_add_memory64_list(b, r, COUNT(r));
    write_dump(b, "truncated.dmp", (size_t)mkd_size(b) - 0x40 - 0x20);
    write_dump(b, "truncated-at-range.dmp", (size_t)mkd_size(b) - 0x40);
    mkd_free(b);
}

/* MemoryList descriptors whose bytes start exactly at EOF and one byte before it. */
static void seed_at_eof(void)
{
    struct mkd_range r[] = {R(0xd000, 16, 35), R(0xe000, 16, 36), R(0xf000, 16, 37)};
    r[1].explicit_rva = r[2].explicit_rva = true;
    struct mkdump *const b = new_dump(0);
    const uint32_t s = mkd_add_memory_list(b, r, COUNT(r), false);
    size_t len;
    mkd_finish(b, &len);
    const uint64_t desc1 = mkd_stream_rva(b, s) + 4 + 16;
    mkd_poke_u32(b, desc1 + 12, (uint32_t)len);
    mkd_poke_u32(b, desc1 + 16 + 12, (uint32_t)len - 1);
    write_bytes("at-eof.dmp", mkd_data(b, &len), len);
    mkd_free(b);
}

/* Address 0, a range ending exactly at 2^64, one passing it, and a zero-size one. */
static void seed_edges(void)
{
    struct mkd_range r[] = {R(0, 16, 23), R(UINT64_MAX - 31, 32, 24), R(UINT64_MAX - 7, 16, 25),
                            R(0x5000, 0, 26)};
    struct mkdump *const b = new_dump(0);
    const uint64_t spare = mkd_append_payload(b, 27, 0, 16);
    r[2].explicit_rva = true;
    r[2].rva = (uint32_t)spare;
    mkd_add_memory_list(b, r, COUNT(r), false);
    write_dump(b, "edges.dmp", 0);
    mkd_free(b);
}

/* Memory64List sizes whose running sum passes 2^64: later ranges have no valid offset. */
static void seed_offset_overflow(void)
{
    const struct mkd_range r[] = {R(0x1000, 16, 28), R(0x2000, 16, 29), R(0x3000, 16, 30),
                                  R(0x4000, 16, 31)};
    struct mkdump *const b = new_dump(0);
    const uint32_t s = mkd_add_memory64_list(b, r, COUNT(r));
    const uint64_t list = mkd_stream_rva(b, s);
    mkd_poke_u64(b, list + 16 + 16 * 1 + 8, UINT64_C(1) << 63);
    mkd_poke_u64(b, list + 16 + 16 * 2 + 8, UINT64_C(1) << 63);
    write_dump(b, "offset-overflow.dmp", 0);
    mkd_free(b);
}

/* A count claiming more than the stream holds, and lists too small for their header. */
static void seed_counts(void)
{
    const struct mkd_range r[] = {R(0x20000, 32, 32), R(0x21000, 32, 33)};
    struct mkdump *const b = new_dump(0);
    const uint32_t s = mkd_add_memory_list(b, r, COUNT(r), false);
    mkd_poke_u32(b, mkd_stream_rva(b, s), 1000);
    const uint8_t tiny[12] = {1};
    mkd_add_stream_data(b, 5, tiny, 2);
    mkd_add_stream_data(b, 9, tiny, sizeof tiny);
    write_dump(b, "counts.dmp", 0);
    mkd_free(b);
}

/* A directory claiming more entries than the file holds, streams at and past EOF, and one
 * memory list listed twice. */
static void seed_directory(void)
{
    const struct mkd_range r[] = {R(0x30000, 64, 34)};
    struct mkdump *const b = new_dump(0);
    const uint32_t s = mkd_add_memory_list(b, r, COUNT(r), false);
    mkd_add_stream(b, 5, (uint32_t)mkd_stream_rva(b, s), 4 + 16);
    mkd_add_stream(b, 9, (uint32_t)mkd_size(b) + 100, 32);
    mkd_add_stream(b, 6, (uint32_t)mkd_size(b), 0);
    mkd_add_stream(b, 4, (uint32_t)mkd_size(b) - 8, 64);
    size_t len;
    mkd_finish(b, &len);
    mkd_poke_u32(b, HEADER_STREAM_COUNT_OFF, 100000);
    write_bytes("directory.dmp", mkd_data(b, &len), len);
    mkd_free(b);
}

/* Many small ranges, overlapping at random, in two lists: the general index build. */
static void seed_many(void)
{
    struct mkd_range r[300];
    uint64_t x = 0x2545f4914f6cdd1du;
    for (size_t i = 0; i < COUNT(r); i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        r[i] = (struct mkd_range)R(0x100000 + (x % 0x1000), 1 + (x >> 40) % 48, (uint8_t)i);
    }
    struct mkdump *const b = new_dump(0);
    mkd_add_memory_list(b, r, 200, false);
    mkd_add_memory64_list(b, r + 200, COUNT(r) - 200);
    write_dump(b, "many.dmp", 0);
    mkd_free(b);
}

static void seed_headers(void)
{
    struct mkdump *const b = mkd_new(1);
    write_dump(b, "empty.dmp", 0);
    size_t len;
    const uint8_t *const data = mkd_finish(b, &len);
    write_bytes("short.bin", data, 31);
    write_bytes("not-a-dump.bin", (const uint8_t *)"PMDM not a minidump header, 32+ bytes", 38);
    mkd_free(b);
}

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 3) {
        fputs("usage: mkseeds DIR [GZDIR]\n", stderr);
        return 2;
    }
    out_dir = argv[1];
    gz_dir = argc == 3 ? argv[2] : NULL;
    seed_basic();
    seed_padded();
    seed_memory64();
    seed_both_lists();
    seed_overlap();
    seed_truncated();
    seed_at_eof();
    seed_edges();
    seed_offset_overflow();
    seed_counts();
    seed_directory();
    seed_many();
    seed_headers();
    return failures ? 1 : 0;
}
