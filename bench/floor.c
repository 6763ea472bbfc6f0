/* floor.c - dmpbench-floor: the least a program can do to answer "LEN bytes at ADDR" from a
 * full-memory dump, the floor every whole-process read by dmpread is compared with.
 * SPDX-License-Identifier: MIT
 *
 * It maps the file, finds the Memory64ListStream through the directory, walks every
 * descriptor once (as any reader that indexes the dump must: it sums the offsets and checks
 * the order, which is what building an index of a sorted list costs at the least), copies the
 * LEN bytes out of the one range that holds them, and prints them in hex. No other stream is
 * read, nothing is allocated for the ranges, and a range list that is not sorted is an error.
 *
 *     dmpbench-floor FILE ADDR LEN        (LEN at most 4096; ADDR and LEN in hex or decimal)
 */
#define _POSIX_C_SOURCE 200809L

#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static uint32_t u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t u64(const uint8_t *p)
{
    return u32(p) | (uint64_t)u32(p + 4) << 32;
}

static int fail(const char *what)
{
    fprintf(stderr, "dmpbench-floor: %s\n", what);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 4)
        return fail("usage: dmpbench-floor FILE ADDR LEN");
    char *end;
    const uint64_t addr = strtoull(argv[2], &end, 0);
    const uint64_t len = strtoull(argv[3], &end, 0);
    if (len == 0 || len > 4096)
        return fail("LEN must be 1 to 4096");
    const int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < 32)
        return fail("cannot open the file, or it is too short");
    const uint64_t size = (uint64_t)st.st_size;
    const uint8_t *const m = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED)
        return fail("cannot map the file");
    const uint64_t count = u32(m + 8), dir = u32(m + 12);
    if (u32(m) != 0x504d444d || dir > size || count > (size - dir) / 12)
        return fail("not a minidump");
    uint64_t list = 0, list_len = 0;
    for (uint64_t i = 0; i < count; i++) {
        const uint8_t *const e = m + dir + 12 * i;
        if (u32(e) == 9) {
            list_len = u32(e + 4);
            list = u32(e + 8);
        }
    }
    if (list_len < 16 || list > size || list_len > size - list)
        return fail("no usable Memory64ListStream");
    const uint64_t n = u64(m + list);
    if (n > (list_len - 16) / 16)
        return fail("Memory64ListStream count runs past the stream");
    uint64_t off = u64(m + list + 8), prev_end = 0, found = UINT64_MAX;
    const uint8_t *d = m + list + 16;
    for (uint64_t i = 0; i < n; i++, d += 16) {
        const uint64_t start = u64(d), rsize = u64(d + 8);
        if (start < prev_end)
            return fail("the ranges are not sorted");
        if (addr >= start && addr - start < rsize && rsize - (addr - start) >= len)
            found = off + (addr - start);
        prev_end = start + rsize;
        off += rsize;
    }
    if (found == UINT64_MAX || found > size || len > size - found)
        return fail("those bytes are not in one captured range");
    uint8_t buf[4096];
    memcpy(buf, m + found, (size_t)len);
    for (uint64_t i = 0; i < len; i++)
        printf("%02x%s", buf[i], i + 1 == len ? "\n" : " ");
    return 0;
}
