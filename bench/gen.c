/* gen.c - dmpbench-gen: writes a synthetic full-memory minidump for the benchmarks.
 * SPDX-License-Identifier: MIT
 *
 * The dump looks like a full-memory dump of a Windows x64 process: SystemInfoStream,
 * ThreadListStream (one AMD64 context per thread), a MemoryListStream holding the thread
 * stacks, and a Memory64ListStream with N ranges sorted by address, whose bytes follow one
 * another from BaseRva to the end of the file. Range sizes are log-uniform between
 * --min-size and --max-size (4 KiB and 1 MiB by default, so most are small); a fraction
 * --adjacent of them abuts the previous range, the rest are separated by gaps sized so that
 * the whole spans about --span bytes of address space (--clusters splits that into clusters
 * spread over the 128 TiB user address space, as real processes' memory is).
 *
 * The Memory64 bytes are left as a hole (ftruncate), so a dump with terabytes of captured
 * memory costs only its metadata on disk; --fill writes real bytes instead. Either way the
 * 8-byte word at any captured address A (8-aligned) reads as expect_word(A) below: zero for a
 * hole, a pattern of A otherwise. Stacks always hold the pattern.
 *
 * Everything is a deterministic function of the options and --seed. On success one line of
 * key=value facts goes to stdout for scripts (ranges, file size, span, sample addresses).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "benchutil.h"

#define KIB ((uint64_t)1 << 10)
#define PAGE (4 * KIB)
#define HEADER_SIZE 32
#define DIR_ENTRY_SIZE 12
#define SYSINFO_SIZE 56
#define THREAD_SIZE 48
#define CONTEXT_AMD64_SIZE 1232
#define DESC_SIZE 16
#define STREAM_COUNT 5
#define MEMINFO_HEADER 16
#define MEMINFO_ENTRY 48
#define HIGH_STACKS ((uint64_t)0x7ff000000000) /* where --stacks-high puts them */
#define BASE_ADDR ((uint64_t)0x10000)
#define WRITE_CHUNK ((size_t)1 << 20)

struct options {
    uint64_t ranges;
    uint64_t span;
    uint64_t min_size;
    uint64_t max_size;
    double adjacent;
    uint64_t stacks;
    uint64_t stack_size;
    uint64_t clusters;
    bool overlap;
    bool stacks_high;
    bool meminfo;
    bool fill;
    uint64_t seed;
    const char *out;
};

static const char usage_text[] =
    "usage: dmpbench-gen [OPTIONS] OUT.dmp\n"
    "  -n, --ranges N      Memory64ListStream ranges (default 1000)\n"
    "  --span BYTES        address space to spread them over (default 1T)\n"
    "  --min-size BYTES    smallest range (default 4K); sizes are log-uniform, page multiples\n"
    "  --max-size BYTES    largest range (default 1M)\n"
    "  --adjacent FRAC     fraction of ranges abutting the previous one (default 0.3)\n"
    "  --stacks K          thread stacks in a MemoryListStream (default 16; 0: no list)\n"
    "  --stack-size BYTES  bytes per stack (default 64K)\n"
    "  --clusters C        spread the ranges over C clusters, each spanning --span / C,\n"
    "                      placed evenly across the 128 TiB user address space (default 1)\n"
    "  --overlap           put each stack over a Memory64 range instead of in a gap\n"
    "  --stacks-high       put the stacks at 0x7ff000000000 and up, above every range, as\n"
    "                      real processes' thread stacks often are\n"
    "  --meminfo           add a MemoryInfoListStream with one region per range and stack,\n"
    "                      as full-memory dumps carry\n"
    "  --fill              write real bytes for the Memory64 ranges (default: a sparse hole)\n"
    "  --seed S            random seed (default 1)\n"
    "BYTES take a K, M, G or T suffix (powers of 1024).\n";

static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "dmpbench-gen: %s '%s'\n%s", what, arg, usage_text);
    return 2;
}

static int parse_args(int argc, char **argv, struct options *o)
{
    *o = (struct options){1000,     (uint64_t)1 << 40,
                          4 * KIB,  1024 * KIB,
                          0.3,      16,
                          64 * KIB, 1,
                          false,    false,
                          false,    false,
                          1,        NULL};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool ok = true, takes = true;
        if (strcmp(a, "-n") == 0 || strcmp(a, "--ranges") == 0)
            ok = v && bu_parse_size(v, &o->ranges);
        else if (strcmp(a, "--span") == 0)
            ok = v && bu_parse_size(v, &o->span);
        else if (strcmp(a, "--min-size") == 0)
            ok = v && bu_parse_size(v, &o->min_size);
        else if (strcmp(a, "--max-size") == 0)
            ok = v && bu_parse_size(v, &o->max_size);
        else if (strcmp(a, "--stacks") == 0)
            ok = v && bu_parse_size(v, &o->stacks);
        else if (strcmp(a, "--stack-size") == 0)
            ok = v && bu_parse_size(v, &o->stack_size);
        else if (strcmp(a, "--clusters") == 0)
            ok = v && bu_parse_size(v, &o->clusters) && o->clusters > 0;
        else if (strcmp(a, "--seed") == 0)
            ok = v && bu_parse_size(v, &o->seed);
        else if (strcmp(a, "--adjacent") == 0)
            ok = v && bu_parse_fraction(v, &o->adjacent);
        else if ((takes = false, strcmp(a, "--overlap") == 0))
            o->overlap = true;
        else if (strcmp(a, "--stacks-high") == 0)
            o->stacks_high = true;
        else if (strcmp(a, "--meminfo") == 0)
            o->meminfo = true;
        else if (strcmp(a, "--fill") == 0)
            o->fill = true;
        else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
            return fputs(usage_text, stdout), 0;
        else if (a[0] == '-' || o->out)
            return usage_error("unexpected argument", a);
        else
            o->out = a;
        if (!ok)
            return usage_error("bad value for", a);
        i += takes;
    }
    if (!o->out)
        return usage_error("missing", "OUT.dmp");
    if (o->ranges == 0 || o->ranges > ((uint64_t)UINT32_MAX - 16) / DESC_SIZE)
        return usage_error("--ranges must be 1 to 268435454, not", "that");
    if (o->min_size < PAGE || o->max_size < o->min_size || o->stack_size < PAGE ||
        o->stack_size > UINT32_MAX / 2 || o->stacks > 4096)
        return usage_error("inconsistent sizes: see", "--help");
    return -1;
}

/* A range of the Memory64 list, and where a stack goes. */
struct range {
    uint64_t start;
    uint64_t size;
};

static uint64_t round_page(uint64_t v)
{
    return (v + PAGE - 1) / PAGE * PAGE;
}

/* Log-uniform in [min, max], rounded down to whole pages. */
static uint64_t draw_size(uint64_t *rng, const struct options *o)
{
    const double lo = log((double)o->min_size), hi = log((double)o->max_size);
    const double s = exp(lo + (hi - lo) * bu_unit(rng));
    uint64_t v = (uint64_t)s / PAGE * PAGE;
    return v < o->min_size ? o->min_size : v > o->max_size ? o->max_size : v;
}

/* Places the ranges and the stacks. Stack k sits in a gap forced after range
 * (k + 1) * N / (K + 1), or over that range with --overlap. */
static void layout(const struct options *o, struct range *r, struct range *stacks)
{
    uint64_t rng = o->seed * 0x9e3779b97f4a7c15u + 1;
    uint64_t total = 0;
    for (uint64_t i = 0; i < o->ranges; i++) {
        r[i].size = draw_size(&rng, o);
        total += r[i].size;
    }
    const uint64_t stack_gap =
        o->overlap || o->stacks_high ? 0 : round_page(o->stack_size) + 128 * KIB;
    const double gaps = (1.0 - o->adjacent) * (double)(o->ranges > 1 ? o->ranges - 1 : 1);
    const uint64_t room =
        total + o->stacks * stack_gap < o->span ? o->span - total - o->stacks * stack_gap : 0;
    double mean_gap = gaps > 0 ? (double)room / gaps : 0;
    if (mean_gap < 64.0 * KIB)
        mean_gap = 64.0 * KIB;
    uint64_t addr = BASE_ADDR, k = 0, c = 0;
    for (uint64_t i = 0; i < o->ranges; i++) {
        if (o->clusters > 1 && i == c * o->ranges / o->clusters) {
            const uint64_t at = BASE_ADDR + c++ * (((uint64_t)1 << 47) / o->clusters);
            addr = at > addr ? at : addr;
            mean_gap /= c == 1 ? (double)o->clusters : 1.0;
        } else if (i > 0 && bu_unit(&rng) >= o->adjacent)
            addr += round_page((uint64_t)(2.0 * mean_gap * bu_unit(&rng)) + 1);
        r[i].start = addr;
        addr += r[i].size;
        if (!o->stacks_high && k < o->stacks && i + 1 == (k + 1) * o->ranges / (o->stacks + 1)) {
            if (o->overlap) {
                stacks[k].start = r[i].start;
            } else {
                stacks[k].start = addr + 64 * KIB;
                addr += stack_gap;
            }
            stacks[k++].size = o->stack_size;
        }
    }
    if (o->stacks_high && addr < HIGH_STACKS)
        addr = HIGH_STACKS - 64 * KIB;
    for (; k < o->stacks; k++) { /* tiny N or --stacks-high: the rest go above everything */
        stacks[k].start = addr + 64 * KIB;
        stacks[k].size = o->stack_size;
        addr += round_page(o->stack_size) + 128 * KIB;
    }
}

static void put_u16(uint8_t *p, uint64_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_u32(uint8_t *p, uint64_t v)
{
    put_u16(p, v);
    put_u16(p + 2, v >> 16);
}

static void put_u64(uint8_t *p, uint64_t v)
{
    put_u32(p, v);
    put_u32(p + 4, v >> 32);
}

static bool write_all(int fd, const void *buf, size_t len, uint64_t off)
{
    const uint8_t *p = buf;
    while (len > 0) {
        const ssize_t n = pwrite(fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return true;
}

/* Writes the pattern of [addr, addr + len) (page-aligned addr) at file offset off. */
static bool write_pattern(int fd, uint8_t *buf, uint64_t addr, uint64_t len, uint64_t off)
{
    while (len > 0) {
        const size_t n = len < WRITE_CHUNK ? (size_t)len : WRITE_CHUNK;
        for (size_t i = 0; i < n; i += 8)
            put_u64(buf + i, bu_pattern(addr + i));
        if (!write_all(fd, buf, n, off))
            return false;
        addr += n;
        off += n;
        len -= n;
    }
    return true;
}

/* Offsets of everything before the Memory64 bytes. */
struct plan {
    uint64_t dir, sysinfo, csd, threads, contexts, memlist, mem64, meminfo, stack_bytes, base_rva;
    uint64_t memlist_size, mem64_size, meminfo_size, threads_size;
};

static struct plan make_plan(const struct options *o)
{
    struct plan p;
    p.dir = HEADER_SIZE;
    p.sysinfo = p.dir + STREAM_COUNT * DIR_ENTRY_SIZE;
    p.csd = p.sysinfo + SYSINFO_SIZE;
    p.threads = p.csd + 8; /* an empty MINIDUMP_STRING: length 0 and a NUL */
    p.threads_size = 4 + o->stacks * THREAD_SIZE;
    p.contexts = (p.threads + p.threads_size + 15) / 16 * 16;
    p.memlist = p.contexts + o->stacks * CONTEXT_AMD64_SIZE;
    p.memlist_size = 4 + o->stacks * DESC_SIZE;
    p.mem64 = (p.memlist + p.memlist_size + 7) / 8 * 8;
    p.mem64_size = 16 + o->ranges * DESC_SIZE;
    p.meminfo = p.mem64 + p.mem64_size;
    p.meminfo_size = o->meminfo ? MEMINFO_HEADER + (o->ranges + o->stacks) * MEMINFO_ENTRY : 0;
    p.stack_bytes = round_page(p.meminfo + p.meminfo_size);
    p.base_rva = p.stack_bytes + o->stacks * round_page(o->stack_size);
    return p;
}

/* Header, directory, SystemInfo, threads with their contexts, and the MemoryList. */
static uint8_t *build_head(const struct options *o, const struct plan *p,
                           const struct range *stacks)
{
    uint8_t *const h = calloc(1, (size_t)p->mem64);
    if (!h)
        return NULL;
    put_u32(h, 0x504d444d); /* "MDMP" */
    put_u32(h + 4, 0xa793);
    put_u32(h + 8, STREAM_COUNT);
    put_u32(h + 12, p->dir);
    put_u32(h + 20, 1700000000);
    put_u64(h + 24, 0x2); /* MiniDumpWithFullMemory */
    const uint64_t dir[STREAM_COUNT][3] = {
        {7, SYSINFO_SIZE, p->sysinfo},
        {3, p->threads_size, p->threads},
        {o->stacks ? 5 : 0, o->stacks ? p->memlist_size : 0, o->stacks ? p->memlist : 0},
        {9, p->mem64_size, p->mem64},
        {o->meminfo ? 16 : 0, p->meminfo_size, o->meminfo ? p->meminfo : 0},
    };
    for (int i = 0; i < STREAM_COUNT; i++)
        for (int j = 0; j < 3; j++)
            put_u32(h + p->dir + (uint64_t)i * DIR_ENTRY_SIZE + 4 * (uint64_t)j, dir[i][j]);
    uint8_t *const si = h + p->sysinfo;
    put_u16(si, 9); /* PROCESSOR_ARCHITECTURE_AMD64 */
    put_u16(si + 2, 6);
    si[6] = 2; /* processors */
    si[7] = 1; /* VER_NT_WORKSTATION */
    put_u32(si + 8, 10);
    put_u32(si + 16, 19045);
    put_u32(si + 20, 2); /* VER_PLATFORM_WIN32_NT */
    put_u32(si + 24, p->csd);
    put_u32(h + p->threads, o->stacks);
    for (uint64_t k = 0; k < o->stacks; k++) {
        uint8_t *const t = h + p->threads + 4 + k * THREAD_SIZE;
        const uint64_t ctx = p->contexts + k * CONTEXT_AMD64_SIZE;
        const uint64_t bytes = p->stack_bytes + k * round_page(o->stack_size);
        put_u32(t, 0x1000 + 4 * k);
        put_u32(t + 8, 0x20);
        put_u64(t + 16, stacks[k].start);
        put_u64(t + 24, stacks[k].start);
        put_u32(t + 32, o->stack_size);
        put_u32(t + 36, bytes);
        put_u32(t + 40, CONTEXT_AMD64_SIZE);
        put_u32(t + 44, ctx);
        put_u32(h + ctx + 0x30, 0x10000b);                            /* CONTEXT_FULL */
        put_u64(h + ctx + 0x98, stacks[k].start + o->stack_size / 2); /* Rsp */
        put_u64(h + ctx + 0xf8, 0x7ff700001000 + 0x10 * k);           /* Rip */
        put_u64(h + p->memlist + 4 + k * DESC_SIZE, stacks[k].start);
        put_u32(h + p->memlist + 4 + k * DESC_SIZE + 8, o->stack_size);
        put_u32(h + p->memlist + 4 + k * DESC_SIZE + 12, bytes);
    }
    put_u32(h + p->memlist, o->stacks);
    return h;
}

/* The Memory64 list: count, BaseRva, then {start, size} per range, written in chunks. */
static bool write_mem64(int fd, const struct options *o, const struct plan *p,
                        const struct range *r, uint8_t *buf)
{
    uint8_t head[16];
    put_u64(head, o->ranges);
    put_u64(head + 8, p->base_rva);
    if (!write_all(fd, head, sizeof head, p->mem64))
        return false;
    const uint64_t per_chunk = WRITE_CHUNK / DESC_SIZE;
    for (uint64_t i = 0; i < o->ranges; i += per_chunk) {
        const uint64_t n = o->ranges - i < per_chunk ? o->ranges - i : per_chunk;
        for (uint64_t j = 0; j < n; j++) {
            put_u64(buf + j * DESC_SIZE, r[i + j].start);
            put_u64(buf + j * DESC_SIZE + 8, r[i + j].size);
        }
        if (!write_all(fd, buf, (size_t)(n * DESC_SIZE), p->mem64 + 16 + i * DESC_SIZE))
            return false;
    }
    return true;
}

/* The MemoryInfoList: one committed read-write private region per range, then per stack. */
static bool write_meminfo(int fd, const struct options *o, const struct plan *p,
                          const struct range *r, const struct range *stacks, uint8_t *buf)
{
    uint8_t head[MEMINFO_HEADER];
    put_u32(head, MEMINFO_HEADER);
    put_u32(head + 4, MEMINFO_ENTRY);
    put_u64(head + 8, o->ranges + o->stacks);
    if (!write_all(fd, head, sizeof head, p->meminfo))
        return false;
    const uint64_t per_chunk = WRITE_CHUNK / MEMINFO_ENTRY, total = o->ranges + o->stacks;
    for (uint64_t i = 0; i < total; i += per_chunk) {
        const uint64_t n = total - i < per_chunk ? total - i : per_chunk;
        memset(buf, 0, (size_t)(n * MEMINFO_ENTRY));
        for (uint64_t j = 0; j < n; j++) {
            const struct range *const g =
                i + j < o->ranges ? &r[i + j] : &stacks[i + j - o->ranges];
            uint8_t *const e = buf + j * MEMINFO_ENTRY;
            put_u64(e, g->start);     /* BaseAddress */
            put_u64(e + 8, g->start); /* AllocationBase */
            put_u32(e + 16, 0x04);    /* AllocationProtect: PAGE_READWRITE */
            put_u64(e + 24, g->size); /* RegionSize */
            put_u32(e + 32, 0x1000);  /* State: MEM_COMMIT */
            put_u32(e + 36, 0x04);    /* Protect */
            put_u32(e + 40, 0x20000); /* Type: MEM_PRIVATE */
        }
        if (!write_all(fd, buf, (size_t)(n * MEMINFO_ENTRY),
                       p->meminfo + MEMINFO_HEADER + i * MEMINFO_ENTRY))
            return false;
    }
    return true;
}

static bool write_dump(int fd, const struct options *o, const struct range *r,
                       const struct range *stacks, uint64_t *file_size)
{
    const struct plan p = make_plan(o);
    uint8_t *const head = build_head(o, &p, stacks);
    uint8_t *const buf = malloc(WRITE_CHUNK);
    bool ok = head && buf && write_all(fd, head, (size_t)p.mem64, 0) &&
              write_mem64(fd, o, &p, r, buf) &&
              (!o->meminfo || write_meminfo(fd, o, &p, r, stacks, buf));
    for (uint64_t k = 0; ok && k < o->stacks; k++)
        ok = write_pattern(fd, buf, stacks[k].start, o->stack_size,
                           p.stack_bytes + k * round_page(o->stack_size));
    uint64_t off = p.base_rva;
    for (uint64_t i = 0; i < o->ranges; i++) {
        if (ok && o->fill)
            ok = write_pattern(fd, buf, r[i].start, r[i].size, off);
        off += r[i].size;
    }
    free(buf);
    free(head);
    *file_size = off;
    return ok && ftruncate(fd, (off_t)off) == 0;
}

int main(int argc, char **argv)
{
    struct options o;
    const int rc = parse_args(argc, argv, &o);
    if (rc >= 0)
        return rc;
    struct range *const r = malloc((size_t)o.ranges * sizeof *r);
    struct range *const stacks = malloc((size_t)(o.stacks + 1) * sizeof *stacks);
    if (!r || !stacks) {
        fputs("dmpbench-gen: out of memory\n", stderr);
        return 1;
    }
    layout(&o, r, stacks);
    const int fd = open(o.out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    uint64_t file_size = 0;
    if (fd < 0 || !write_dump(fd, &o, r, stacks, &file_size) || close(fd) != 0) {
        fprintf(stderr, "dmpbench-gen: %s: %s\n", o.out, strerror(errno));
        return 1;
    }
    const struct range *mid = &r[o.ranges / 2], *last = &r[o.ranges - 1];
    printf("ranges=%" PRIu64 " stacks=%" PRIu64 " file_bytes=%" PRIu64 " span=%" PRIu64
           " first=0x%" PRIx64 " mid=0x%" PRIx64 " last=0x%" PRIx64 " end=0x%" PRIx64 "\n",
           o.ranges, o.stacks, file_size, last->start + last->size - r[0].start, r[0].start,
           mid->start + mid->size / 2, last->start + last->size / 2, last->start + last->size);
    free(stacks);
    free(r);
    return 0;
}
