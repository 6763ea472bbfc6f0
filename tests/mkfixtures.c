/* mkfixtures.c - writes the small committed dumps of testdata/ (described in its README.md).
 * SPDX-License-Identifier: MIT
 *
 * usage: mkfixtures DIR               writes every fixture into DIR
 *        mkfixtures --inflate IN OUT  writes IN to OUT, inflated when it is gzip
 *
 * Every fixture is assembled with tests/mkdump, so its bytes depend on nothing but this file.
 * The ctest `testdata_fresh` (tests/fixtures.cmake) regenerates them and compares with the
 * committed copies; --inflate lets it compare gzip fixtures by content, since deflate output
 * may differ between zlib versions. Addresses, sizes and tags here are facts the tests and
 * testdata/README.md rely on: change them together.
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

#define HEADER_FLAGS_OFF 24         /* MINIDUMP_HEADER.Flags */
#define HEADER_STREAM_COUNT_OFF 8   /* MINIDUMP_HEADER.NumberOfStreams */
#define HEADER_DIRECTORY_RVA_OFF 12 /* MINIDUMP_HEADER.StreamDirectoryRva */
#define MINIDUMP_WITH_FULL_MEMORY 0x2u

static const char *out_dir;

static FILE *open_out(const char *name)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", out_dir, name) >= (int)sizeof path) {
        fprintf(stderr, "mkfixtures: path too long: %s/%s\n", out_dir, name);
        return NULL;
    }
    FILE *const fp = fopen(path, "wb");
    if (!fp)
        perror(path);
    return fp;
}

static bool write_bytes(const char *name, const uint8_t *data, size_t len)
{
    FILE *const fp = open_out(name);
    if (!fp)
        return false;
    const bool ok = fwrite(data, 1, len, fp) == len;
    if (fclose(fp) != 0 || !ok) {
        fprintf(stderr, "mkfixtures: cannot write %s\n", name);
        return false;
    }
    return true;
}

/* A gzip member with zlib's minimal header: no file name, MTIME 0, so the bytes depend only
 * on the input and the zlib version. */
static bool write_gzip(const char *name, const uint8_t *data, size_t len)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 9, Z_DEFLATED, 16 + 15, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return false;
    const uLong cap = deflateBound(&zs, (uLong)len);
    uint8_t *const out = malloc(cap);
    if (!out) {
        deflateEnd(&zs);
        return false;
    }
    zs.next_in = (Bytef *)(uintptr_t)data; /* zlib's next_in is not const without ZLIB_CONST */
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    const int ret = deflate(&zs, Z_FINISH);
    const size_t out_len = zs.total_out;
    deflateEnd(&zs);
    const bool ok = ret == Z_STREAM_END && write_bytes(name, out, out_len);
    free(out);
    return ok;
}

/* Writes what the builder holds now (header and directory as last finished or poked). */
static bool write_dump(struct mkdump *b, const char *name, size_t len)
{
    size_t full;
    const uint8_t *const data = mkd_data(b, &full);
    const bool ok = len <= full && write_bytes(name, data, len);
    mkd_free(b);
    return ok;
}

static bool finish_and_write(struct mkdump *b, const char *name)
{
    size_t len;
    mkd_finish(b, &len);
    return write_dump(b, name, len);
}

/* MemoryList: two abutting ranges and one apart. Memory64List: three abutting ranges, one
 * apart, and one overlapping the MemoryList's second range, which keeps the shared bytes. */
static bool make_basic(void)
{
    struct mkdump *const b = mkd_new(2);
    const struct mkd_range list[] = {
        R(0x10000, 0x1000, 1),
        R(0x11000, 0x800, 1),
        R(0x20000, 0x100, 1),
    };
    const struct mkd_range list64[] = {
        R(0x30000, 0x400, 2), R(0x30400, 0x400, 2), R(0x30800, 0x400, 2),
        R(0x40000, 0x200, 2), R(0x11600, 0x400, 2),
    };
    mkd_add_memory_list(b, list, COUNT(list), false);
    mkd_add_memory64_list(b, list64, COUNT(list64));
    return finish_and_write(b, "basic.dmp");
}

/* A MINIDUMP_MEMORY_LIST whose count is padded to 8 bytes (DataSize == 8 + 16 * count). */
static bool make_padded(void)
{
    struct mkdump *const b = mkd_new(1);
    const struct mkd_range list[] = {
        R(0x1000000, 0x80, 9),
        R(0x1000080, 0x80, 9),
        R(0x2000000, 0x40, 9),
    };
    mkd_add_memory_list(b, list, COUNT(list), true);
    return finish_and_write(b, "padded.dmp");
}

/* The file ends 0x40 bytes into the Memory64List's second range; its third starts past EOF. */
static bool make_truncated(void)
{
    struct mkdump *const b = mkd_new(2);
    const struct mkd_range list[] = {R(0x50000, 0x100, 3), R(0x51000, 0x100, 3)};
    const struct mkd_range list64[] = {
        R(0x60000, 0x100, 4),
        R(0x61000, 0x100, 4),
        R(0x62000, 0x100, 4),
    };
    mkd_add_memory_list(b, list, COUNT(list), false);
    mkd_add_memory64_list(b, list64, COUNT(list64));
    size_t len;
    mkd_finish(b, &len);
    /* The payloads of ranges 1 and 2 (0x100 bytes each) end the file. */
    return write_dump(b, "truncated.dmp", len - 0x200 + 0x40);
}

/* Overlaps within and across lists, in three streams; the earlier descriptor keeps each
 * byte. Together the pieces cover 0xffe00..0x100580 without a gap. */
static bool make_overlap(void)
{
    struct mkdump *const b = mkd_new(3);
    const struct mkd_range first[] = {
        R(0x100000, 0x100, 0x11),
        R(0x100080, 0x100, 0x11), /* overlaps the one before: keeps 0x100100..0x10017f */
        R(0x100400, 0x100, 0x11),
    };
    const struct mkd_range second[] = {
        R(0xfff00, 0x600, 0x22),  /* fills 0xfff00..0xfffff and 0x100180..0x1003ff */
        R(0x100000, 0x80, 0x22),  /* wholly shadowed: owns nothing */
        R(0x100480, 0x100, 0x22), /* keeps 0x100500..0x10057f */
    };
    const struct mkd_range third[] = {
        R(0xffe00, 0x200, 0x33), /* a later MemoryList: keeps only 0xffe00..0xffeff */
    };
    mkd_add_memory_list(b, first, COUNT(first), false);
    mkd_add_memory64_list(b, second, COUNT(second));
    mkd_add_memory_list(b, third, COUNT(third), false);
    return finish_and_write(b, "overlap.dmp");
}

/* Most of what the reader must survive, in one file; testdata/README.md lists it. */
static bool make_malformed(void)
{
    struct mkdump *const b = mkd_new(5);
    const struct mkd_range list[] = {
        R(0x80000, 0x100, 0x55), R(0x81000, 0, 0x55), /* zero-size */
        R(0xfffffffffffff000u, 0x2000, 0x55),         /* start + size passes 2^64 */
    };
    const struct mkd_range list64[] = {
        R(0x90000, 0x100, 0x66),
        R(0xffffffffffffff00u, 0x200, 0x66), /* passes 2^64: dropped, its bytes skipped */
        R(0xffffffffffffff80u, 0x80, 0x66),  /* ends exactly at 2^64: kept */
    };
    const uint32_t s0 = mkd_add_memory_list(b, list, COUNT(list), false);
    mkd_poke_u32(b, mkd_stream_rva(b, s0), 1000); /* the count claims 1000 descriptors */
    mkd_add_memory64_list(b, list64, COUNT(list64));
    const uint64_t unknown = mkd_append(b, "UNKNOWN!", 8);
    mkd_add_stream(b, 0x7fff0001, (uint32_t)unknown, 0x10000); /* runs past EOF */
    mkd_add_stream_data(b, 5, "\x01\x00", 2); /* a MemoryList too small for its count */
    mkd_add_stream(b, 9, 0x7fff0000, 0x20);   /* a Memory64List starting past EOF */

    /* Move the directory to the end of the file and claim one entry more than it holds. */
    size_t len;
    const uint8_t *const data = mkd_finish(b, &len);
    uint8_t dir[5 * 12];
    memcpy(dir, data + mkd_dir_entry_offset(0), sizeof dir);
    const uint64_t dir_rva = mkd_append(b, dir, sizeof dir);
    mkd_finish(b, &len);
    mkd_poke_u32(b, HEADER_STREAM_COUNT_OFF, 6);
    mkd_poke_u32(b, HEADER_DIRECTORY_RVA_OFF, (uint32_t)dir_rva);
    return write_dump(b, "malformed.dmp", len);
}

/* A "full memory" style dump: only a Memory64List of whole pages, gzip-compressed. */
static bool make_full_gz(void)
{
    struct mkdump *const b = mkd_new(1);
    const struct mkd_range list64[] = {
        R(0x400000, 0x1000, 7),       R(0x401000, 0x1000, 7),       R(0x402000, 0x1000, 7),
        R(0x410000, 0x1000, 7),       R(0x7ffe0000, 0x1000, 7),     R(0x7ffe1000, 0x1000, 7),
        R(0x7ff612340000, 0x1000, 7), R(0x7ff612341000, 0x1000, 7), R(0x7ff612342000, 0x1000, 7),
        R(0x7ff612343000, 0x1000, 7),
    };
    mkd_add_memory64_list(b, list64, COUNT(list64));
    size_t len;
    const uint8_t *const data = mkd_finish(b, &len);
    mkd_poke_u64(b, HEADER_FLAGS_OFF, MINIDUMP_WITH_FULL_MEMORY);
    const bool ok = write_gzip("full.dmp.gz", data, len);
    mkd_free(b);
    return ok;
}

/* gzread passes input that is not gzip through unchanged, and reads every member. */
static int inflate_file(const char *in, const char *out)
{
    gzFile gz = gzopen(in, "rb");
    FILE *const fp = fopen(out, "wb");
    int rc = EXIT_FAILURE;
    if (!gz || !fp)
        goto done;
    uint8_t buf[1 << 14];
    int n;
    while ((n = gzread(gz, buf, sizeof buf)) > 0)
        if (fwrite(buf, 1, (size_t)n, fp) != (size_t)n)
            goto done;
    if (n == 0)
        rc = EXIT_SUCCESS;
done:
    if (rc != EXIT_SUCCESS)
        fprintf(stderr, "mkfixtures: cannot inflate %s to %s\n", in, out);
    if (gz)
        gzclose(gz);
    if (fp && fclose(fp) != 0)
        rc = EXIT_FAILURE;
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--inflate") == 0)
        return inflate_file(argv[2], argv[3]);
    if (argc != 2 || argv[1][0] == '-') {
        fputs("usage: mkfixtures DIR | mkfixtures --inflate IN OUT\n", stderr);
        return EXIT_FAILURE;
    }
    out_dir = argv[1];
    const bool ok = make_basic() && make_padded() && make_truncated() && make_overlap() &&
                    make_malformed() && make_full_gz();
    return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
