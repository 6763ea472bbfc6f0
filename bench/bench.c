/* bench.c - dmpbench: measures dmpread on large dumps (see BENCHMARKS.md for what and why).
 * SPDX-License-Identifier: MIT
 *
 * For each dump given: dmp_open in a fresh process (`dmpbench probe`, spawned), which also
 * gives the index's resident memory; dmp_open repeated in this process against one bare pass
 * over the descriptors; lookup cost through the API and through search layouts built here
 * over the same starts; large-read throughput against memcpy of the same mapped bytes; and
 * the whole-process time of the dmpread CLI. Every figure is the median of --runs
 * repetitions; figures that are compared are measured in the same process, interleaved.
 *
 * `dmpbench exec` times whole commands round-robin (for dmpread against lldb and obj2yaml).
 */
#define _POSIX_C_SOURCE 200809L

#include <dmpread.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "benchutil.h"

#if defined(__GNUC__)
#define NOINLINE __attribute__((noinline))
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define NOINLINE
#define PREFETCH(p) ((void)(p))
#endif

extern char **environ;

static char self_path[4096] = "/proc/self/exe"; /* this program, for `dmpbench probe` */

struct config {
    size_t runs;
    size_t queries;      /* random lookups per pass */
    size_t read_queries; /* dmp_read_memory calls per pass (each may touch a new page) */
    const char *cli;
    const char *csv;
    const char *tput_csv;
    bool throughput;
    bool open_only; /* skip the lookups: for comparing builds of the library */
};

/* ---- small helpers ---------------------------------------------------------------------- */

static void die(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2), noreturn))
#endif
    ;

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("dmpbench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void *xmalloc(size_t n)
{
    void *const p = malloc(n ? n : 1);
    if (!p)
        die("out of memory (%s)", "malloc");
    return p;
}

static void *xaligned(size_t n)
{
    void *const p = aligned_alloc(64, (n + 63) / 64 * 64);
    if (!p)
        die("out of memory (%s)", "aligned_alloc");
    memset(p, 0, (n + 63) / 64 * 64);
    return p;
}

static uint64_t load_u32(const uint8_t *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24;
}

static uint64_t load_u64(const uint8_t *p)
{
    return load_u32(p) | load_u32(p + 4) << 32;
}

static double loadavg1(void)
{
    double v = -1;
    FILE *const fp = fopen("/proc/loadavg", "r");
    if (fp) {
        if (fscanf(fp, "%lf", &v) != 1)
            v = -1;
        fclose(fp);
    }
    return v;
}

/* One "Name:   123 kB" line of /proc/self/status, in bytes; -1 when absent. */
static double status_kb(const char *name)
{
    char line[256];
    double v = -1;
    FILE *const fp = fopen("/proc/self/status", "r");
    if (!fp)
        return v;
    const size_t n = strlen(name);
    while (fgets(line, sizeof line, fp))
        if (strncmp(line, name, n) == 0 && line[n] == ':')
            v = strtod(line + n + 1, NULL) * 1024.0;
    fclose(fp);
    return v;
}

/* ---- dmp_open in a fresh process -------------------------------------------------------- */

/* What one dmp_open costs in a process that has allocated nothing yet, as the CLI's does:
 * the allocator has no freed memory to reuse, so every page of the index is a new fault. */
struct probe {
    double open_ms;
    double anon; /* RssAnon growth over dmp_open: the index and its bookkeeping */
    double peak; /* VmHWM growth: the most resident at once, anonymous and file pages */
    double file; /* RssFile growth: pages of the dump touched by the open */
};

/* `dmpbench probe DUMP`: prints "open_ms anon peak file" for one dmp_open. */
static int cmd_probe(const char *path)
{
    const double a0 = status_kb("RssAnon"), f0 = status_kb("RssFile"), h0 = status_kb("VmHWM");
    dmp_file *f;
    const double t0 = bu_now();
    if (dmp_open(path, &f) != DMP_OK)
        return 1;
    const double t1 = bu_now();
    const double a1 = status_kb("RssAnon"), f1 = status_kb("RssFile"), h1 = status_kb("VmHWM");
    printf("%.6f %.0f %.0f %.0f\n", (t1 - t0) * 1e3, a1 - a0, h1 - h0, f1 - f0);
    dmp_close(f);
    return 0;
}

/* Runs `dmpbench probe` on the dump `runs` times (after one warm-up); medians of each figure. */
static struct probe measure_probe(const char *path, size_t runs)
{
    double *const v = xmalloc(4 * runs * sizeof *v);
    for (size_t r = 0; r <= runs; r++) {
        int fds[2];
        if (pipe(fds) != 0)
            die("%s", "pipe failed");
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
        posix_spawn_file_actions_addclose(&fa, fds[0]);
        char *const argv[] = {"dmpbench", "probe", (char *)(uintptr_t)path, NULL};
        pid_t pid;
        const int rc = posix_spawn(&pid, self_path, &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        close(fds[1]);
        char buf[256] = {0};
        size_t got = 0;
        for (ssize_t n;
             got < sizeof buf - 1 && (n = read(fds[0], buf + got, sizeof buf - 1 - got)) > 0;)
            got += (size_t)n;
        close(fds[0]);
        int ws = 0;
        if (rc == 0)
            waitpid(pid, &ws, 0);
        struct probe p;
        if (rc != 0 || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0 ||
            sscanf(buf, "%lf %lf %lf %lf", &p.open_ms, &p.anon, &p.peak, &p.file) != 4)
            die("%s: probe failed", path);
        if (r > 0) {
            v[0 * runs + r - 1] = p.open_ms;
            v[1 * runs + r - 1] = p.anon;
            v[2 * runs + r - 1] = p.peak;
            v[3 * runs + r - 1] = p.file;
        }
    }
    const struct probe m = {bu_median(v, runs), bu_median(v + runs, runs),
                            bu_median(v + 2 * runs, runs), bu_median(v + 3 * runs, runs)};
    free(v);
    return m;
}

/* ---- one bare pass over the descriptors: the floor for dmp_open -------------------------- */

/* Maps the file, decodes every memory descriptor of both lists (start and size, checking
 * that the ranks come in address order) and unmaps. Returns the descriptors seen, or 0. */
static NOINLINE uint64_t descriptor_pass(const char *path, bool *sorted, uint64_t *sink)
{
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < 32)
        die("%s: cannot open", path);
    const size_t len = (size_t)st.st_size;
    const uint8_t *const p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        die("%s: cannot map", path);
    const uint64_t streams = load_u32(p + 8), dir = load_u32(p + 12);
    uint64_t seen = 0, acc = 0, next_free = 0;
    bool in_order = true;
    for (uint64_t s = 0; s < streams && dir + 12 * (s + 1) <= len; s++) {
        const uint8_t *e = p + dir + 12 * s;
        const uint64_t type = load_u32(e), size = load_u32(e + 4), rva = load_u32(e + 8);
        if ((type != 5 && type != 9) || rva + size > len)
            continue;
        const uint64_t first = type == 5 ? 4 : 16,
                       count = type == 5 ? load_u32(p + rva) : load_u64(p + rva);
        for (uint64_t k = 0; k < count && first + 16 * (k + 1) <= size; k++) {
            const uint8_t *d = p + rva + first + 16 * k;
            const uint64_t start = load_u64(d);
            const uint64_t bytes = type == 5 ? load_u32(d + 8) : load_u64(d + 8);
            in_order = in_order && start >= next_free;
            next_free = start + bytes;
            acc += start ^ bytes;
            seen++;
        }
    }
    munmap((void *)(uintptr_t)p, len);
    *sorted = in_order;
    *sink += acc;
    return seen;
}

/* ---- the index as the benchmark sees it ------------------------------------------------- */

struct dump {
    const char *path;
    dmp_file *f;
    size_t n;
    uint64_t *starts; /* the same array the library searches, copied through the API */
    uint64_t *sizes;
    const uint8_t **data;
    size_t stacks; /* entries that came from a MemoryListStream */
};

static void load_index(struct dump *d)
{
    if (dmp_open(d->path, &d->f) != DMP_OK)
        die("%s: dmp_open failed", d->path);
    d->n = dmp_range_count(d->f);
    d->starts = xaligned(d->n * sizeof *d->starts);
    d->sizes = xmalloc(d->n * sizeof *d->sizes);
    d->data = xmalloc(d->n * sizeof *d->data);
    d->stacks = 0;
    for (size_t i = 0; i < d->n; i++) {
        dmp_range r;
        if (dmp_range_get(d->f, i, &r) != DMP_OK)
            die("%s: dmp_range_get failed", d->path);
        d->starts[i] = r.addr;
        d->sizes[i] = r.size;
        d->data[i] = r.data;
        d->stacks += r.stream_type == DMP_STREAM_MEMORY_LIST;
    }
}

static void free_index(struct dump *d)
{
    dmp_close(d->f);
    free(d->starts);
    free(d->sizes);
    free(d->data);
}

/* Random captured addresses with 8 readable bytes, and addresses no range covers. */
static uint64_t *captured_queries(const struct dump *d, size_t q, uint64_t seed)
{
    uint64_t *const out = xmalloc(q * sizeof *out);
    uint64_t rng = seed;
    for (size_t i = 0; i < q; i++) {
        size_t k = (size_t)bu_below(&rng, d->n);
        while (d->sizes[k] < 8)
            k = (k + 1) % d->n;
        out[i] = d->starts[k] + (bu_below(&rng, d->sizes[k] - 7) & ~(uint64_t)7);
    }
    return out;
}

static uint64_t *uncovered_queries(const struct dump *d, size_t q, uint64_t seed, size_t *got)
{
    uint64_t *const out = xmalloc(q * sizeof *out);
    uint64_t rng = seed;
    *got = 0;
    for (size_t i = 0, tries = 0; i < q && tries < 64 * q; tries++) {
        const size_t k = (size_t)bu_below(&rng, d->n);
        const uint64_t end = d->starts[k] + d->sizes[k];
        const uint64_t next = k + 1 < d->n ? d->starts[k + 1] : end + ((uint64_t)1 << 30);
        if (next - end >= 8)
            out[i++] = end + (bu_below(&rng, next - end - 7) & ~(uint64_t)7), (*got)++;
    }
    return out;
}

/* ---- search layouts to compare with the library's --------------------------------------- */

/* The index of the range holding x in sorted starts/sizes, or SIZE_MAX. Plain lower bound with
 * a branch per probe: what a textbook binary search does. */
static inline size_t find_branchy(const uint64_t *starts, const uint64_t *sizes, size_t n,
                                  uint64_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (starts[mid] <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 && x - starts[lo - 1] < sizes[lo - 1] ? lo - 1 : SIZE_MAX;
}

/* The same without a data-dependent branch: the compiler emits cmov. */
static inline size_t find_branchless(const uint64_t *starts, const uint64_t *sizes, size_t n,
                                     uint64_t x)
{
    if (n == 0 || starts[0] > x)
        return SIZE_MAX;
    const uint64_t *base = starts;
    size_t len = n;
    while (len > 1) {
        const size_t half = len / 2;
        base = base[half] <= x ? base + half : base;
        len -= half;
    }
    const size_t i = (size_t)(base - starts);
    return x - starts[i] < sizes[i] ? i : SIZE_MAX;
}

/* Eytzinger layout: keys in BFS order of the implicit search tree, 1-based, with sizes in
 * the same order, so a lookup touches one path of the tree and then one size. */
struct eytz {
    uint64_t *keys;
    uint64_t *sizes;
    size_t n;
};

static size_t eytz_fill(struct eytz *e, const struct dump *d, size_t at, size_t k)
{
    if (k <= e->n) {
        at = eytz_fill(e, d, at, 2 * k);
        e->keys[k] = d->starts[at];
        e->sizes[k] = d->sizes[at++];
        at = eytz_fill(e, d, at, 2 * k + 1);
    }
    return at;
}

static struct eytz eytz_build(const struct dump *d)
{
    struct eytz e = {xaligned((d->n + 1) * 8), xmalloc((d->n + 1) * 8), d->n};
    eytz_fill(&e, d, 0, 1);
    return e;
}

/* The Eytzinger position of the range holding x, or 0. Prefetches the 8 great-grandchildren
 * (one cache line) while it walks. */
static inline size_t find_eytz(const struct eytz *e, uint64_t x)
{
    size_t k = 1;
    while (k <= e->n) {
        PREFETCH(e->keys + 8 * k);
        k = 2 * k + (e->keys[k] <= x);
    }
    k >>= __builtin_ffsll((long long)k); /* back to the last step that went right */
    return k && x - e->keys[k] < e->sizes[k] ? k : 0;
}

/* A static B-tree (S-tree): nodes of B sorted keys, one cache line each, B + 1 children
 * at k * (B + 1) + i + 1; padding keys are UINT64_MAX. */
#define BT_B 8
struct btree {
    uint64_t (*keys)[BT_B];
    uint64_t *sizes; /* per slot */
    size_t nodes;
};

static size_t btree_fill(struct btree *t, const struct dump *d, size_t at, size_t k)
{
    if (k >= t->nodes)
        return at;
    for (size_t i = 0; i < BT_B; i++) {
        at = btree_fill(t, d, at, k * (BT_B + 1) + i + 1);
        t->keys[k][i] = at < d->n ? d->starts[at] : UINT64_MAX;
        t->sizes[k * BT_B + i] = at < d->n ? d->sizes[at] : 0;
        at += at < d->n;
    }
    return btree_fill(t, d, at, k * (BT_B + 1) + BT_B + 1);
}

static struct btree btree_build(const struct dump *d)
{
    struct btree t;
    t.nodes = (d->n + BT_B - 1) / BT_B;
    t.keys = xaligned((t.nodes ? t.nodes : 1) * sizeof *t.keys);
    t.sizes = xmalloc((t.nodes ? t.nodes : 1) * BT_B * sizeof *t.sizes);
    btree_fill(&t, d, 0, 0);
    return t;
}

/* The slot of the range holding x (+1), or 0. */
static inline size_t find_btree(const struct btree *t, uint64_t x)
{
    size_t k = 0, slot = 0;
    while (k < t->nodes) {
        unsigned le = 0;
        for (unsigned i = 0; i < BT_B; i++)
            le += t->keys[k][i] <= x;
        slot = le ? k * BT_B + le : slot;
        k = k * (BT_B + 1) + le + 1;
    }
    if (slot == 0)
        return 0;
    const uint64_t start = t->keys[(slot - 1) / BT_B][(slot - 1) % BT_B];
    return x - start < t->sizes[slot - 1] ? slot : 0;
}

/* A radix table over the address span: bucket b holds the index of the first range starting
 * at or above base + (b << shift), with shift chosen so there are at most n buckets (4 B per
 * range at most). A lookup reads two neighbouring entries and searches only between them. */
struct buckets {
    uint32_t *first; /* buckets + 1 entries */
    uint64_t base;
    unsigned shift;
    size_t count;
    const struct dump *d;
};

static struct buckets buckets_build(const struct dump *d)
{
    struct buckets b = {NULL, d->starts[0], 0, 0, d};
    const uint64_t span = d->starts[d->n - 1] + d->sizes[d->n - 1] - b.base;
    while ((span >> b.shift) + 1 > d->n && b.shift < 63)
        b.shift++;
    b.count = (size_t)(span >> b.shift) + 1;
    b.first = xaligned((b.count + 1) * sizeof *b.first);
    size_t i = 0;
    for (size_t k = 0; k <= b.count; k++) {
        const uint64_t at = k < b.count ? b.base + ((uint64_t)k << b.shift) : UINT64_MAX;
        while (i < d->n && d->starts[i] < at)
            i++;
        b.first[k] = (uint32_t)i;
    }
    return b;
}

static inline size_t find_buckets(const struct buckets *b, uint64_t x)
{
    if (x < b->base)
        return SIZE_MAX;
    const uint64_t k = (x - b->base) >> b->shift;
    if (k >= b->count)
        return SIZE_MAX;
    size_t lo = b->first[k], hi = b->first[k + 1];
    lo = lo > 0 ? lo - 1 : 0; /* the range before the bucket may reach into it */
    const uint64_t *const starts = b->d->starts;
    while (hi - lo > 1) { /* the last start <= x in [lo, hi) */
        const size_t mid = lo + (hi - lo) / 2;
        if (starts[mid] <= x)
            lo = mid;
        else
            hi = mid;
    }
    return x - starts[lo] < b->d->sizes[lo] ? lo : SIZE_MAX;
}

/* No index at all: search the Memory64ListStream's descriptors where they lie in the mapping
 * (16-byte stride), with the file offset of every 64th range kept so a range's offset is that
 * plus at most 63 sizes. Building it is one pass over the descriptors (like desc_pass_ms) and
 * 1/8 byte per range. Only for dumps whose one memory list is a Memory64ListStream. */
#define MAPPED_BLOCK 64
struct mapped {
    const uint8_t *descs; /* descriptor 0 */
    const uint8_t *base;  /* byte 0 of the file */
    uint64_t *block_off;  /* file offset of range MAPPED_BLOCK * b */
    size_t n;
};

static struct mapped mapped_build(const struct dump *d)
{
    struct mapped m = {NULL, NULL, NULL, 0};
    dmp_stream s;
    size_t lists = 0;
    for (size_t i = 0; dmp_stream_get(d->f, i, &s) == DMP_OK; i++) {
        if (s.type == DMP_STREAM_MEMORY_LIST || s.type == DMP_STREAM_MEMORY64_LIST)
            lists++;
        if (s.type == DMP_STREAM_MEMORY64_LIST && s.size >= 16 && m.descs == NULL) {
            const uint8_t *const p = s.data;
            m.n = (size_t)load_u64(p);
            m.descs = p + 16;
            m.base = p - s.rva;
            m.block_off = xmalloc((m.n / MAPPED_BLOCK + 1) * sizeof *m.block_off);
            uint64_t off = load_u64(p + 8);
            for (size_t k = 0; k < m.n; k++) {
                if (k % MAPPED_BLOCK == 0)
                    m.block_off[k / MAPPED_BLOCK] = off;
                off += load_u64(m.descs + 16 * k + 8);
            }
        }
    }
    if (lists != 1 || m.n != d->n) { /* stacks or drops: not this experiment's case */
        free(m.block_off);
        m = (struct mapped){NULL, NULL, NULL, 0};
    }
    return m;
}

/* The range holding x, or SIZE_MAX. */
static inline size_t find_mapped(const struct mapped *m, uint64_t x)
{
    size_t lo = 0, len = m->n;
    if (len == 0 || load_u64(m->descs) > x)
        return SIZE_MAX;
    while (len > 1) {
        const size_t half = len / 2;
        lo = load_u64(m->descs + 16 * (lo + half)) <= x ? lo + half : lo;
        len -= half;
    }
    const uint8_t *const e = m->descs + 16 * lo;
    return x - load_u64(e) < load_u64(e + 8) ? lo : SIZE_MAX;
}

/* ---- timed loops (not inlined, so callgrind can toggle on each) ------------------------- */

static NOINLINE size_t loop_lib_find(const dmp_file *f, const uint64_t *q, size_t nq)
{
    size_t hits = 0;
    for (size_t i = 0; i < nq; i++) {
        size_t idx;
        hits += dmp_range_find(f, q[i], &idx) == DMP_OK;
    }
    return hits;
}

/* Each address depends on the previous answer (idx >> 63 is always 0), so lookups cannot
 * overlap: this is latency, where the others are throughput. */
static NOINLINE size_t loop_lib_find_dep(const dmp_file *f, const uint64_t *q, size_t nq)
{
    size_t hits = 0, idx = 0;
    for (size_t i = 0; i < nq; i++)
        hits += dmp_range_find(f, q[i] + (idx >> 63), &idx) == DMP_OK;
    return hits;
}

static NOINLINE size_t loop_lib_read8(const dmp_file *f, const uint64_t *q, size_t nq,
                                      uint64_t *sink)
{
    size_t hits = 0;
    uint64_t acc = 0;
    for (size_t i = 0; i < nq; i++) {
        uint64_t v = 0;
        hits += dmp_read_memory(f, q[i], &v, 8, NULL) == DMP_OK;
        acc += v;
    }
    *sink += acc;
    return hits;
}

static NOINLINE size_t loop_branchy(const struct dump *d, const uint64_t *q, size_t nq)
{
    size_t hits = 0;
    for (size_t i = 0; i < nq; i++)
        hits += find_branchy(d->starts, d->sizes, d->n, q[i]) != SIZE_MAX;
    return hits;
}

static NOINLINE size_t loop_branchless(const struct dump *d, const uint64_t *q, size_t nq)
{
    size_t hits = 0;
    for (size_t i = 0; i < nq; i++)
        hits += find_branchless(d->starts, d->sizes, d->n, q[i]) != SIZE_MAX;
    return hits;
}

static NOINLINE size_t loop_eytz(const struct eytz *e, const uint64_t *q, size_t nq)
{
    size_t hits = 0;
    for (size_t i = 0; i < nq; i++)
        hits += find_eytz(e, q[i]) != 0;
    return hits;
}

static NOINLINE size_t loop_eytz_dep(const struct eytz *e, const uint64_t *q, size_t nq)
{
    size_t hits = 0, k = 0;
    for (size_t i = 0; i < nq; i++) {
        k = find_eytz(e, q[i] + (k >> 63));
        hits += k != 0;
    }
    return hits;
}

static NOINLINE size_t loop_buckets(const struct buckets *b, const uint64_t *q, size_t nq)
{
    size_t hits = 0;
    for (size_t i = 0; i < nq; i++)
        hits += find_buckets(b, q[i]) != SIZE_MAX;
    return hits;
}

/* What dmp_read_memory of 8 bytes could cost with the bucket table: find, then copy from the
 * range's mapped bytes (the data pointers stand in for the index's file offsets). */
static NOINLINE size_t loop_buckets_read8(const struct buckets *b, const uint64_t *q, size_t nq,
                                          uint64_t *sink)
{
    size_t hits = 0;
    uint64_t acc = 0;
    for (size_t i = 0; i < nq; i++) {
        const size_t k = find_buckets(b, q[i]);
        if (k == SIZE_MAX)
            continue;
        uint64_t v;
        memcpy(&v, b->d->data[k] + (q[i] - b->d->starts[k]), 8);
        acc += v;
        hits++;
    }
    *sink += acc;
    return hits;
}

static NOINLINE size_t loop_mapped(const struct mapped *m, const uint64_t *q, size_t nq)
{
    size_t hits = 0;
    for (size_t i = 0; i < nq; i++)
        hits += find_mapped(m, q[i]) != SIZE_MAX;
    return hits;
}

/* Find, then the offset from the block's and the sizes before it, then copy 8 bytes. */
static NOINLINE size_t loop_mapped_read8(const struct mapped *m, const uint64_t *q, size_t nq,
                                         uint64_t *sink)
{
    size_t hits = 0;
    uint64_t acc = 0;
    for (size_t i = 0; i < nq; i++) {
        const size_t k = find_mapped(m, q[i]);
        if (k == SIZE_MAX)
            continue;
        uint64_t off = m->block_off[k / MAPPED_BLOCK];
        for (size_t j = k - k % MAPPED_BLOCK; j < k; j++)
            off += load_u64(m->descs + 16 * j + 8);
        uint64_t v;
        memcpy(&v, m->base + off + (q[i] - load_u64(m->descs + 16 * k)), 8);
        acc += v;
        hits++;
    }
    *sink += acc;
    return hits;
}

/* 8-byte copies from precomputed pointers into the mapping: the same memory read8 touches,
 * without any lookup. The floor for read8. */
static NOINLINE size_t loop_raw8(const uint8_t *const *ptrs, size_t nq, uint64_t *sink)
{
    uint64_t acc = 0;
    for (size_t i = 0; i < nq; i++) {
        uint64_t v;
        memcpy(&v, ptrs[i], 8);
        acc += v;
    }
    *sink += acc;
    return nq;
}

/* The same loads, each address waiting for the value before it (`opaque_zero` is 0, which
 * the compiler cannot know): a load's latency, where loop_raw8 overlaps them. The floor for
 * read8 and find_dep, whose memory accesses wait for the lookup before them. */
static volatile uint64_t opaque_zero;

static NOINLINE size_t loop_raw8_dep(const uint8_t *const *ptrs, size_t nq, uint64_t *sink)
{
    const uint64_t zero = opaque_zero;
    uint64_t acc = 0, v = 0;
    for (size_t i = 0; i < nq; i++) {
        memcpy(&v, ptrs[i] + (v & zero), 8);
        acc += v;
    }
    *sink += acc;
    return nq;
}

static NOINLINE size_t loop_btree(const struct btree *t, const uint64_t *q, size_t nq)
{
    size_t hits = 0;
    for (size_t i = 0; i < nq; i++)
        hits += find_btree(t, q[i]) != 0;
    return hits;
}

static NOINLINE double time_open_once(const char *path, double *close_s)
{
    dmp_file *f;
    const double t0 = bu_now();
    if (dmp_open(path, &f) != DMP_OK)
        die("%s: dmp_open failed", path);
    const double t1 = bu_now();
    dmp_close(f);
    *close_s = bu_now() - t1;
    return t1 - t0;
}

/* ---- lookups ---------------------------------------------------------------------------- */

enum lookup_kind {
    LK_FIND,
    LK_FIND_DEP,
    LK_READ8,
    LK_MISS8,
    LK_BRANCHY,
    LK_BRANCHLESS,
    LK_EYTZ,
    LK_EYTZ_DEP,
    LK_BTREE,
    LK_BUCKETS,
    LK_BUCKETS_READ8,
    LK_MAPPED,
    LK_MAPPED_READ8,
    LK_RAW8,
    LK_RAW8_DEP,
    LK_COUNT
};

static const char *const lookup_names[LK_COUNT] = {
    "find_ns",       "find_dep_ns", "read8_ns",     "miss8_ns", "bsearch_ns",
    "branchless_ns", "eytz_ns",     "eytz_dep_ns",  "btree_ns", "buckets_ns",
    "bkt_read8_ns",  "mapped_ns",   "map_read8_ns", "raw8_ns",  "raw8_dep_ns"};

struct lookups {
    const struct dump *d;
    const struct eytz *e;
    const struct btree *t;
    const struct buckets *b;
    const struct mapped *m;
    const uint8_t *const *rd_ptrs;
    const uint64_t *hit, *miss, *rd;
    size_t nhit, nmiss, nrd;
};

/* One pass of kind k; returns hits and sets *count to the calls made. */
static size_t run_lookup(const struct lookups *L, enum lookup_kind k, size_t *count)
{
    uint64_t sink = 0;
    *count = L->nhit;
    switch (k) {
    case LK_FIND:
        return loop_lib_find(L->d->f, L->hit, L->nhit);
    case LK_FIND_DEP:
        return loop_lib_find_dep(L->d->f, L->hit, L->nhit);
    case LK_READ8:
        *count = L->nrd;
        return loop_lib_read8(L->d->f, L->rd, L->nrd, &sink);
    case LK_MISS8:
        *count = L->nmiss;
        return loop_lib_read8(L->d->f, L->miss, L->nmiss, &sink);
    case LK_BRANCHY:
        return loop_branchy(L->d, L->hit, L->nhit);
    case LK_BRANCHLESS:
        return loop_branchless(L->d, L->hit, L->nhit);
    case LK_EYTZ:
        return loop_eytz(L->e, L->hit, L->nhit);
    case LK_EYTZ_DEP:
        return loop_eytz_dep(L->e, L->hit, L->nhit);
    case LK_BTREE:
        return loop_btree(L->t, L->hit, L->nhit);
    case LK_BUCKETS:
        return loop_buckets(L->b, L->hit, L->nhit);
    case LK_BUCKETS_READ8:
        *count = L->nrd;
        return loop_buckets_read8(L->b, L->rd, L->nrd, &sink);
    case LK_MAPPED:
        if (!L->m->descs)
            return *count = 0, 0;
        return loop_mapped(L->m, L->hit, L->nhit);
    case LK_MAPPED_READ8:
        *count = L->m->descs ? L->nrd : 0;
        return L->m->descs ? loop_mapped_read8(L->m, L->rd, L->nrd, &sink) : 0;
    case LK_RAW8:
        *count = L->nrd;
        return loop_raw8(L->rd_ptrs, L->nrd, &sink);
    case LK_RAW8_DEP:
        *count = L->nrd;
        return loop_raw8_dep(L->rd_ptrs, L->nrd, &sink);
    case LK_COUNT:
        break;
    }
    return 0;
}

/* Sweeps a buffer larger than the caches, so that each kind starts with none of its data
 * cached: otherwise a kind run just after another that read the same bytes (raw8 after the
 * reads) would be measured warm, and the library's reads cold. */
#define EVICT_BYTES ((size_t)64 << 20)

static void evict_caches(uint8_t *buf)
{
    for (size_t i = 0; i < EVICT_BYTES; i += 64)
        buf[i]++;
}

/* Medians in ns per call. The kinds are interleaved pass by pass, so noise from other load
 * falls on all of them alike, and each starts with cold caches. Checks every pass's hit
 * count. */
static void measure_lookups(const struct lookups *L, size_t runs, double *ns)
{
    double *const t = xmalloc(runs * LK_COUNT * sizeof *t);
    uint8_t *const evict = xmalloc(EVICT_BYTES);
    memset(evict, 1, EVICT_BYTES);
    for (size_t r = 0; r <= runs; r++) { /* pass 0 warms pages, untimed */
        for (int k = 0; k < LK_COUNT; k++) {
            size_t count;
            evict_caches(evict);
            const double t0 = bu_now();
            const size_t hits = run_lookup(L, (enum lookup_kind)k, &count);
            const double dt = bu_now() - t0;
            const size_t want = k == LK_MISS8 ? 0 : count;
            if (hits != want) {
                fprintf(stderr, "dmpbench: %s: %s: %zu of %zu lookups hit, expected %zu\n",
                        L->d->path, lookup_names[k], hits, count, want);
                exit(1);
            }
            if (r > 0)
                t[(size_t)k * runs + r - 1] = count ? dt * 1e9 / (double)count : 0;
        }
    }
    for (int k = 0; k < LK_COUNT; k++)
        ns[k] = bu_median(t + (size_t)k * runs, runs);
    free(evict);
    free(t);
}

/* Checks some reads against the generator's contents: zeros for holes, else its pattern. */
static void verify_contents(const struct dump *d, const uint64_t *q, size_t nq)
{
    for (size_t i = 0; i < nq && i < 4096; i++) {
        uint64_t v;
        if (dmp_read_memory(d->f, q[i], &v, 8, NULL) != DMP_OK)
            die("%s: a captured address did not read", d->path);
        if (v != 0 && v != bu_pattern(q[i]))
            die("%s: read bytes differ from what the generator wrote", d->path);
    }
}

/* ---- large reads ------------------------------------------------------------------------ */

struct tput {
    uint64_t bytes;
    size_t spanned;
    double lib_gbs, memcpy_gbs;
};

/* The longest run of ranges that abut both in memory and in the file. */
static size_t longest_run(const struct dump *d, size_t *first)
{
    size_t best = 0, best_first = 0;
    for (size_t i = 0; i < d->n;) {
        size_t j = i + 1;
        while (j < d->n && d->starts[j - 1] + d->sizes[j - 1] == d->starts[j] &&
               d->data[j - 1] + d->sizes[j - 1] == d->data[j])
            j++;
        uint64_t bytes = 0;
        for (size_t k = i; k < j; k++)
            bytes += d->sizes[k];
        if (bytes > best) {
            best = (size_t)bytes;
            best_first = i;
        }
        i = j;
    }
    *first = best_first;
    return best;
}

/* dmp_read_memory of `len` bytes from the start of the longest run, against memcpy of the
 * same mapped bytes; alternated within each repetition. Both sources are resident. */
static struct tput measure_tput(const struct dump *d, uint64_t len, size_t first, size_t runs)
{
    struct tput r = {len, 0, 0, 0};
    uint64_t covered = 0;
    for (size_t i = first; covered < len; i++, r.spanned++)
        covered += d->sizes[i];
    uint8_t *const dst = xaligned((size_t)len);
    const uint8_t *const src = d->data[first];
    const size_t iters = len >= ((uint64_t)64 << 20) ? 1 : (size_t)(((uint64_t)64 << 20) / len);
    double *const tl = xmalloc(2 * runs * sizeof *tl), *const tm = xmalloc(2 * runs * sizeof *tm);
    memcpy(dst, src, (size_t)len);
    for (size_t rep = 0; rep <= 2 * runs; rep++) { /* odd reps copy first, even reps read */
        for (int which = 0; which < 2; which++) {
            const bool lib = (which == 0) == (rep % 2 == 0);
            const double t0 = bu_now();
            for (size_t it = 0; it < iters; it++) {
                if (!lib)
                    memcpy(dst, src, (size_t)len);
                else if (dmp_read_memory(d->f, d->starts[first], dst, (size_t)len, NULL) != DMP_OK)
                    die("%s: large read failed", d->path);
#if defined(__GNUC__)
                __asm__ volatile("" : : "r"(dst) : "memory"); /* keep every copy */
#endif
            }
            const double dt = (bu_now() - t0) / (double)iters;
            if (rep > 0)
                (lib ? tl : tm)[rep - 1] = dt;
        }
    }
    r.lib_gbs = (double)len / bu_median(tl, 2 * runs) / 1e9;
    r.memcpy_gbs = (double)len / bu_median(tm, 2 * runs) / 1e9;
    free(tl);
    free(tm);
    free(dst);
    return r;
}

/* ---- whole processes -------------------------------------------------------------------- */

static volatile pid_t timed_child;

static void on_alarm(int sig)
{
    (void)sig;
    if (timed_child > 0)
        kill(timed_child, SIGKILL);
}

/* Runs argv with stdout and stderr on /dev/null; seconds of wall time, or < 0 on failure
 * (exit status in *status). A run past timeout_s is killed. */
static double time_process(char *const argv[], unsigned timeout_s, int *status)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    const double t0 = bu_now();
    const int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        *status = -1;
        return -1;
    }
    timed_child = pid;
    if (timeout_s)
        alarm(timeout_s);
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
        ;
    const double dt = bu_now() - t0;
    alarm(0);
    timed_child = 0;
    *status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    return *status == 0 ? dt : -dt;
}

/* Median and minimum wall time of `cli FILE ADDR 8`, after one warm-up run. */
static void measure_cli(const char *cli, const struct dump *d, size_t runs, double *med,
                        double *min)
{
    char addr[32];
    snprintf(addr, sizeof addr, "0x%" PRIx64, d->starts[d->n / 2] + 8);
    char *const argv[] = {(char *)(uintptr_t)cli, (char *)(uintptr_t)d->path, addr, "8", NULL};
    double *const t = xmalloc(runs * sizeof *t);
    int status;
    for (size_t r = 0; r <= runs; r++) {
        const double dt = time_process(argv, 600, &status);
        if (dt < 0)
            die("the CLI failed on %s", d->path);
        if (r > 0)
            t[r - 1] = dt * 1e3;
    }
    *min = bu_min(t, runs);
    *med = bu_median(t, runs);
    free(t);
}

/* ---- one dump --------------------------------------------------------------------------- */

struct row {
    const char *label;
    size_t ranges, stacks;
    uint64_t descriptors, file_bytes;
    bool fast_order;
    double open_ms, reopen_ms, close_ms, pass_ms;
    double ns[LK_COUNT];
    struct probe mem;
    double cli_ms, cli_min_ms, load;
};

static const char csv_header[] =
    "label,ranges,descriptors,stacks,file_bytes,sorted_input,open_ms,open_ns_per_range,"
    "reopen_ms,desc_pass_ms,open_over_pass,close_ms,find_ns,find_dep_ns,read8_ns,miss8_ns,bsearch_"
    "ns,"
    "branchless_ns,eytz_ns,eytz_dep_ns,btree_ns,buckets_ns,bkt_read8_ns,mapped_ns,map_read8_ns,"
    "raw8_ns,raw8_dep_ns,"
    "anon_B_per_range,"
    "peak_anon_B_per_range,"
    "peak_B_per_range,file_B_per_range,cli_ms,cli_min_ms,runs,load1\n";

static double per(double v, size_t n)
{
    return n ? v / (double)n : 0;
}

static void write_csv_row(FILE *fp, const struct row *w, size_t runs)
{
    fprintf(fp, "%s,%zu,%" PRIu64 ",%zu,%" PRIu64 ",%d,%.4f,%.2f,%.4f,%.4f,%.3f,%.4f", w->label,
            w->ranges, w->descriptors, w->stacks, w->file_bytes, w->fast_order, w->open_ms,
            per(w->open_ms * 1e6, w->ranges), w->reopen_ms, w->pass_ms, w->open_ms / w->pass_ms,
            w->close_ms);
    for (int k = 0; k < LK_COUNT; k++)
        fprintf(fp, ",%.2f", w->ns[k]);
    fprintf(fp, ",%.2f,%.2f,%.2f,%.2f,%.3f,%.3f,%zu,%.2f\n", per(w->mem.anon, w->ranges),
            per(w->mem.peak - w->mem.file, w->ranges), per(w->mem.peak, w->ranges),
            per(w->mem.file, w->ranges), w->cli_ms, w->cli_min_ms, runs, w->load);
}

static void print_table_header(void)
{
    printf("%9s %4s %4s %9s %9s %6s %6s %7s %7s %7s %7s %7s %7s %6s %6s %8s\n", "ranges", "stk",
           "srt", "open_ms", "reopen_ms", "ns/rng", "x_pass", "find", "dep", "read8", "miss8",
           "bsearch", "eytz", "B/rng", "pk_B", "cli_ms");
}

static void print_table_row(const struct row *w)
{
    printf("%9zu %4zu %4s %9.3f %9.3f %6.1f %6.2f %7.1f %7.1f %7.1f %7.1f %7.1f %7.1f %6.1f %6.1f "
           "%8.2f\n",
           w->ranges, w->stacks, w->fast_order ? "yes" : "no", w->open_ms, w->reopen_ms,
           per(w->open_ms * 1e6, w->ranges), w->open_ms / w->pass_ms, w->ns[LK_FIND],
           w->ns[LK_FIND_DEP], w->ns[LK_READ8], w->ns[LK_MISS8], w->ns[LK_BRANCHY], w->ns[LK_EYTZ],
           per(w->mem.anon, w->ranges), per(w->mem.peak - w->mem.file, w->ranges), w->cli_ms);
    fflush(stdout);
}

/* dmp_open (and close) against the bare descriptor pass, alternated, after a warm-up. */
static void measure_open(struct row *w, const char *path, size_t runs)
{
    double *const to = xmalloc(runs * sizeof *to), *const tc = xmalloc(runs * sizeof *tc),
                  *const tp = xmalloc(runs * sizeof *tp);
    uint64_t sink = 0;
    for (size_t r = 0; r <= runs; r++) {
        double close_s;
        const double open_s = time_open_once(path, &close_s);
        const double t0 = bu_now();
        w->descriptors = descriptor_pass(path, &w->fast_order, &sink);
        const double pass_s = bu_now() - t0;
        if (r > 0) {
            to[r - 1] = open_s * 1e3;
            tc[r - 1] = close_s * 1e3;
            tp[r - 1] = pass_s * 1e3;
        }
    }
    w->reopen_ms = bu_median(to, runs);
    w->close_ms = bu_median(tc, runs);
    w->pass_ms = bu_median(tp, runs);
    free(to);
    free(tc);
    free(tp);
}

/* Tells the kernel not to read around faults in the dump's mapping: random 8-byte reads over
 * a sparse multi-TiB file would otherwise fill the page cache with read-ahead zeros. */
static void advise_random(const struct dump *d)
{
    if (d->n == 0)
        return;
    dmp_range r;
    if (dmp_range_get(d->f, 0, &r) != DMP_OK)
        return;
    const uint8_t *const base = (const uint8_t *)r.data - r.file_offset;
    if (((uintptr_t)base & 4095) == 0)
        posix_madvise((void *)(uintptr_t)base, (size_t)dmp_file_size(d->f), POSIX_MADV_RANDOM);
}

static void measure_tputs(const struct dump *d, const struct config *c, FILE *csv)
{
    size_t first;
    const size_t run_bytes = longest_run(d, &first);
    size_t spanned_all = 0;
    for (uint64_t b = 0; b < run_bytes; spanned_all++)
        b += d->sizes[first + spanned_all];
    printf("  large reads: longest adjacent run %zu ranges, %.1f MiB\n", spanned_all,
           (double)run_bytes / 1048576.0);
    printf("  %12s %8s %10s %12s %7s\n", "bytes", "ranges", "lib_GB/s", "memcpy_GB/s", "ratio");
    for (uint64_t len = (uint64_t)64 << 10; len <= run_bytes && len <= ((uint64_t)1 << 30);
         len *= 16) {
        const struct tput t = measure_tput(d, len, first, c->runs);
        printf("  %12" PRIu64 " %8zu %10.2f %12.2f %7.3f\n", t.bytes, t.spanned, t.lib_gbs,
               t.memcpy_gbs, t.lib_gbs / t.memcpy_gbs);
        if (csv)
            fprintf(csv, "%s,%" PRIu64 ",%zu,%.3f,%.3f,%.4f,%zu,%.2f\n", d->path, t.bytes,
                    t.spanned, t.lib_gbs, t.memcpy_gbs, t.lib_gbs / t.memcpy_gbs, c->runs,
                    loadavg1());
    }
}

static FILE *open_csv(const char *path, const char *header)
{
    if (!path)
        return NULL;
    FILE *const fp = fopen(path, "a");
    if (!fp)
        die("%s: cannot open for appending", path);
    fseek(fp, 0, SEEK_END);
    if (ftell(fp) == 0)
        fputs(header, fp);
    return fp;
}

static const char *base_name(const char *path)
{
    const char *const s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static void bench_dump(const char *path, const struct config *c, FILE *csv, FILE *tcsv)
{
    struct row w;
    memset(&w, 0, sizeof w);
    w.label = base_name(path);
    w.load = loadavg1();
    w.mem = measure_probe(path, c->runs);
    w.open_ms = w.mem.open_ms;
    measure_open(&w, path, c->runs);
    struct stat st;
    w.file_bytes = stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
    struct dump d = {path, NULL, 0, NULL, NULL, NULL, 0};
    load_index(&d);
    w.ranges = d.n;
    w.stacks = d.stacks;
    if (d.n > 0 && !c->open_only) {
        advise_random(&d);
        struct eytz e = eytz_build(&d);
        struct btree t = btree_build(&d);
        struct buckets b = buckets_build(&d);
        struct mapped m = mapped_build(&d);
        struct lookups L = {&d,   &e,   &t,   &b,         &m, NULL,
                            NULL, NULL, NULL, c->queries, 0,  c->read_queries};
        L.hit = captured_queries(&d, c->queries, 42);
        L.rd = captured_queries(&d, c->read_queries, 43);
        const uint8_t **const ptrs = xmalloc(c->read_queries * sizeof *ptrs);
        for (size_t k = 0; k < c->read_queries; k++) {
            const size_t at = find_branchy(d.starts, d.sizes, d.n, L.rd[k]);
            ptrs[k] = d.data[at] + (L.rd[k] - d.starts[at]);
        }
        L.rd_ptrs = ptrs;
        uint64_t *const miss = uncovered_queries(&d, c->queries, 44, &L.nmiss);
        L.miss = miss;
        verify_contents(&d, L.rd, L.nrd);
        measure_lookups(&L, c->runs, w.ns);
        free((void *)(uintptr_t)L.hit);
        free((void *)(uintptr_t)L.rd);
        free(miss);
        free(ptrs);
        free(m.block_off);
        free(b.first);
        free(e.keys);
        free(e.sizes);
        free(t.keys);
        free(t.sizes);
    }
    if (d.n > 0 && c->cli)
        measure_cli(c->cli, &d, c->runs, &w.cli_ms, &w.cli_min_ms);
    print_table_row(&w);
    if (csv) {
        write_csv_row(csv, &w, c->runs);
        fflush(csv);
    }
    if (c->throughput)
        measure_tputs(&d, c, tcsv);
    free_index(&d);
}

/* ---- dmpbench exec ---------------------------------------------------------------------- */

/* Times commands separated by ':::' round-robin; prints median, minimum and ratio to the
 * first, and appends "label,median_ms,min_ms,ratio,failures" rows to --csv. */
static int cmd_exec(int argc, char **argv, const struct config *c, unsigned timeout_s)
{
    char **cmds[16];
    size_t ncmd = 0;
    for (int i = 0; i < argc && ncmd < 16; i++) {
        if (strcmp(argv[i], ":::") == 0) {
            argv[i] = NULL; /* ends the previous command's argv */
            continue;
        }
        if (i == 0 || argv[i - 1] == NULL)
            cmds[ncmd++] = &argv[i];
    }
    if (ncmd == 0)
        die("exec: %s", "no command");
    double *const t = xmalloc(ncmd * c->runs * sizeof *t);
    int fails[16] = {0};
    for (size_t r = 0; r <= c->runs; r++) {
        for (size_t k = 0; k < ncmd; k++) {
            int status;
            const double dt = time_process(cmds[k], timeout_s, &status);
            fails[k] += dt < 0 && r > 0;
            if (r > 0)
                t[k * c->runs + r - 1] = (dt < 0 ? -dt : dt) * 1e3;
        }
    }
    char labels[16][96];
    for (size_t k = 0; k < ncmd; k++) { /* the words of the command, paths cut to their names */
        size_t at = 0;
        labels[k][0] = '\0';
        for (char **w = cmds[k]; *w && at + 2 < sizeof labels[k]; w++)
            at += (size_t)snprintf(labels[k] + at, sizeof labels[k] - at, "%s%s", at ? " " : "",
                                   base_name(*w));
        for (char *p = labels[k]; *p; p++)
            *p = *p == ',' ? ';' : *p; /* keep the CSV parsable */
    }
    FILE *const csv = open_csv(c->csv, "label,median_ms,min_ms,ratio_to_first,failures,load1\n");
    double first = 0;
    for (size_t k = 0; k < ncmd; k++) {
        const double mn = bu_min(t + k * c->runs, c->runs);
        const double med = bu_median(t + k * c->runs, c->runs);
        first = k == 0 ? med : first;
        printf("%-64.64s median %10.2f ms  min %10.2f ms  x%7.3f  failed %d\n", labels[k], med, mn,
               med / first, fails[k]);
        if (csv)
            fprintf(csv, "%s,%.3f,%.3f,%.3f,%d,%.2f\n", labels[k], med, mn, med / first, fails[k],
                    loadavg1());
    }
    if (csv)
        fclose(csv);
    free(t);
    return 0;
}

/* ---- main ------------------------------------------------------------------------------- */

static const char usage_text[] =
    "usage: dmpbench [OPTIONS] DUMP...          measure each dump (dumps from dmpbench-gen)\n"
    "       dmpbench exec [OPTIONS] -- CMD ARG... [::: CMD ARG...]   time whole commands\n"
    "  -r, --runs R         repetitions per median (default 11)\n"
    "  -q, --queries Q      random lookups per pass (default 1M)\n"
    "  --read-queries Q     dmp_read_memory calls per pass (default 256K)\n"
    "  --cli PATH           also time 'PATH DUMP ADDR 8' as a whole process\n"
    "  --csv FILE           append one row per dump (or per command for exec)\n"
    "  --throughput         large reads against memcpy (use a dump written with --fill)\n"
    "  --open-only          skip the lookups (open, memory and CLI figures only)\n"
    "  --tput-csv FILE      append those rows here\n"
    "  --timeout S          exec: kill a command after S seconds (counted as failed)\n";

int main(int argc, char **argv)
{
    struct config c = {11, (size_t)1 << 20, (size_t)1 << 18, NULL, NULL, NULL, false, false};
    unsigned timeout_s = 0;
    int i = 1;
    if (argc == 3 && strcmp(argv[1], "probe") == 0)
        return cmd_probe(argv[2]);
    const ssize_t self_len = readlink("/proc/self/exe", self_path, sizeof self_path - 1);
    if (self_len > 0) /* valgrind answers with the program it runs, not itself */
        self_path[self_len] = '\0';
    const bool exec = argc > 1 && strcmp(argv[1], "exec") == 0;
    for (i += exec; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t num = 0;
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(a, "--throughput") == 0 || strcmp(a, "--open-only") == 0) {
            c.throughput = c.throughput || strcmp(a, "--throughput") == 0;
            c.open_only = c.open_only || strcmp(a, "--open-only") == 0;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
            return fputs(usage_text, stdout), 0;
        if (!v)
            die("%s needs a value", a);
        i++;
        if (strcmp(a, "--cli") == 0)
            c.cli = v;
        else if (strcmp(a, "--csv") == 0)
            c.csv = v;
        else if (strcmp(a, "--tput-csv") == 0)
            c.tput_csv = v;
        else if (!bu_parse_size(v, &num) || num == 0)
            die("bad number for %s", a);
        else if (strcmp(a, "-r") == 0 || strcmp(a, "--runs") == 0)
            c.runs = (size_t)num;
        else if (strcmp(a, "-q") == 0 || strcmp(a, "--queries") == 0)
            c.queries = (size_t)num;
        else if (strcmp(a, "--read-queries") == 0)
            c.read_queries = (size_t)num;
        else if (strcmp(a, "--timeout") == 0)
            timeout_s = (unsigned)num;
        else
            die("unknown option %s (try --help)", a);
    }
    signal(SIGALRM, on_alarm);
    if (exec)
        return cmd_exec(argc - i, argv + i, &c, timeout_s);
    if (i == argc)
        die("%s", "no dump given (try --help)");
    FILE *const csv = open_csv(c.csv, csv_header);
    FILE *const tcsv =
        open_csv(c.tput_csv, "label,bytes,ranges_spanned,lib_GBps,memcpy_GBps,ratio,runs,load1\n");
    print_table_header();
    for (; i < argc; i++)
        bench_dump(argv[i], &c, csv, tcsv);
    if (csv)
        fclose(csv);
    if (tcsv)
        fclose(tcsv);
    return 0;
}
