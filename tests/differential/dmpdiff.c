/* dmpdiff.c - holds dmpread's memory index against two independent readers, LLDB and Breakpad.
 * SPDX-License-Identifier: MIT
 *
 * usage:
 *   dmpdiff ranges DUMP               dmpread's index: start, size, file offset, origin, flags,
 *                                     first and last bytes (tab-separated)
 *   dmpdiff lldb-plan DUMP DIR        writes DIR/lldb.cmd, to be run as `lldb -b -O 'settings set
 *                                     interpreter.stop-command-source-on-error false' -c DUMP
 *                                     -s DIR/lldb.cmd` (reads are appended to DIR/reads.bin)
 *   dmpdiff lldb DUMP DIR LOG         compares that run (LOG: LLDB's stdout and stderr)
 *   dmpdiff breakpad DUMP OUT ERR     compares `minidump_dump DUMP` (stdout OUT, stderr ERR)
 *
 * DUMP is what dmpread opens (it may be gzip); the peers are given an inflated copy.
 * tests/differential/run.sh drives this and applies allow.tsv; README.md there has the rules.
 *
 * A comparison prints one line `stat RANGES AGREE BYTES AGREE PEER AGREE PROBES AGREE` and then
 * one line `kind NAME RANGES PEER PROBES EXAMPLE` per kind of difference (tab-separated):
 * - RANGES: entries of dmpread's index (dmp_range_get). An entry agrees when the peer lists
 *   memory holding it and the peer's first and last (up to 16) bytes of it equal dmpread's.
 * - BYTES: distinct bytes compared (at most 32 per entry) and how many were equal.
 * - PEER: ranges the peer lists (Breakpad's descriptors, LLDB's `r??` regions, which it builds
 *   from the memory lists). One agrees when dmpread's index holds exactly it, from the same
 *   descriptor (and, for Breakpad, the same file offset). Notes about a whole dump (the peer
 *   refused it; its regions are not the captured ones) are counted here too.
 * - PROBES (LLDB): a read of the byte just outside each run of abutting entries (dmpread has
 *   none, so the peer must fail) and a read across each boundary between abutting entries
 *   (dmpread stitches; the peer must return the same bytes, or the part before the boundary).
 * A difference is never resolved here: it is named by a kind, with the evidence that picked
 * the kind (dmpread's diagnostics, descriptor origins, truncated flags), and run.sh decides
 * from the allow-list whether that kind is explained for that dump.
 *
 * With DMPDIFF_CORRUPT=1 in the environment, one byte of dmpread's answer is flipped: run.sh
 * uses it to check that the comparison can fail.
 */
#include <dmpread.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EDGE 16      /* bytes compared at each end of an entry */
#define CROSS_HALF 8 /* bytes read on each side of a boundary between abutting entries */
#define MAX_KINDS 40

/* ---- The dump as dmpread sees it -------------------------------------------------------- */

struct dump {
    dmp_file *f;
    dmp_range *r; /* the index, in address order */
    size_t n;
    dmp_diag *diag;
    size_t ndiag;
    int corrupt; /* DMPDIFF_CORRUPT: flip the first byte dmpread answers */
};

static int load_dump(const char *path, struct dump *d)
{
    dmp_error err;
    memset(d, 0, sizeof *d);
    if (dmp_open_ex(path, NULL, &d->f, &err) != DMP_OK) {
        fprintf(stderr, "dmpdiff: %s: %s\n", path, err.message);
        return -1;
    }
    d->n = dmp_range_count(d->f);
    d->ndiag = dmp_diag_count(d->f);
    d->r = calloc(d->n ? d->n : 1, sizeof *d->r);
    d->diag = calloc(d->ndiag ? d->ndiag : 1, sizeof *d->diag);
    if (!d->r || !d->diag) {
        fputs("dmpdiff: out of memory\n", stderr);
        return -1;
    }
    for (size_t i = 0; i < d->n; i++)
        dmp_range_get(d->f, i, &d->r[i]);
    for (size_t i = 0; i < d->ndiag; i++)
        dmp_diag_get(d->f, i, &d->diag[i]);
    const char *c = getenv("DMPDIFF_CORRUPT");
    d->corrupt = c && *c && strcmp(c, "0") != 0;
    return 0;
}

static void free_dump(struct dump *d)
{
    dmp_close(d->f);
    free(d->r);
    free(d->diag);
}

/* Whether [a, a+n) and [b, b+m) share a byte (n, m > 0; ends may be 2^64). */
static int intersects(uint64_t a, uint64_t n, uint64_t b, uint64_t m)
{
    return a >= b ? a - b < m : b - a < n;
}

/* End of entry i is 2^64: nothing lies above it. */
static int ends_at_top(const dmp_range *e)
{
    return e->size - 1 == UINT64_MAX - e->addr;
}

static int abuts_next(const struct dump *d, size_t i)
{
    return i + 1 < d->n && !ends_at_top(&d->r[i]) &&
           d->r[i].addr + d->r[i].size == d->r[i + 1].addr;
}

/* dmpread's bytes through the public read path; 0 when the read fails. */
static int dmp_bytes(struct dump *d, uint64_t addr, uint8_t *buf, size_t len)
{
    size_t got = 0;
    if (dmp_read_memory(d->f, addr, buf, len, &got) != DMP_OK || got != len)
        return 0;
    if (d->corrupt && len > 0) {
        buf[0] ^= 0x01;
        d->corrupt = 0;
    }
    return 1;
}

/* The diagnostic saying descriptor k of stream s lost bytes to the end of the file, or one
 * whose claimed range meets [a, a+n) (n may be 0: then only the descriptor is matched). */
static const dmp_diag *find_trunc(const struct dump *d, uint32_t s, uint64_t k, uint64_t a,
                                  uint64_t n)
{
    for (size_t i = 0; i < d->ndiag; i++) {
        const dmp_diag *g = &d->diag[i];
        if (g->kind != DMP_DIAG_RANGE_TRUNCATED && g->kind != DMP_DIAG_RANGE_PAST_EOF &&
            g->kind != DMP_DIAG_OFFSET_OVERFLOW)
            continue;
        const uint64_t cnt = g->count ? g->count : 1;
        if (g->stream_index == s && k - g->descriptor < cnt)
            return g;
        if (n && g->size && intersects(a, n, g->addr, g->size))
            return g;
    }
    return NULL;
}

/* Any descriptor of the dump lost bytes to the end of the file. */
static const dmp_diag *any_trunc(const struct dump *d)
{
    for (size_t i = 0; i < d->ndiag; i++)
        if (d->diag[i].kind == DMP_DIAG_RANGE_TRUNCATED ||
            d->diag[i].kind == DMP_DIAG_RANGE_PAST_EOF)
            return &d->diag[i];
    return NULL;
}

/* A diagnostic of two descriptors claiming a byte of [a, a+n). */
static const dmp_diag *find_overlap(const struct dump *d, uint64_t a, uint64_t n)
{
    for (size_t i = 0; i < d->ndiag; i++) {
        const dmp_diag *g = &d->diag[i];
        if (g->kind == DMP_DIAG_OVERLAP && g->size && intersects(a, n, g->addr, g->size))
            return g;
    }
    return NULL;
}

/* Directory entry of the first MemoryListStream, or -1. */
static long first_stream_of(const struct dump *d, uint32_t type)
{
    for (size_t i = 0; i < dmp_stream_count(d->f); i++) {
        dmp_stream s;
        if (dmp_stream_get(d->f, i, &s) == DMP_OK && s.type == type)
            return (long)i;
    }
    return -1;
}

/* ---- Results ---------------------------------------------------------------------------- */

enum unit { U_RANGE, U_PEER, U_PROBE };

struct tally {
    const char *name;
    uint64_t count[3]; /* by enum unit */
    char example[200];
};

struct result {
    uint64_t ranges, ranges_agree, bytes, bytes_agree, peer, peer_agree, probes, probes_agree;
    uint64_t noted[3]; /* differences noted so far, by unit: a unit agrees when it adds none */
    struct tally kinds[MAX_KINDS];
    size_t nkinds;
};

#ifdef __GNUC__
__attribute__((format(printf, 4, 5)))
#endif
static void
note(struct result *res, enum unit u, const char *kind, const char *fmt, ...)
{
    size_t i = 0;
    while (i < res->nkinds && strcmp(res->kinds[i].name, kind) != 0)
        i++;
    if (i == res->nkinds) {
        if (res->nkinds == MAX_KINDS) {
            fprintf(stderr, "dmpdiff: too many kinds (%s)\n", kind);
            exit(2);
        }
        res->nkinds++;
        res->kinds[i].name = kind;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(res->kinds[i].example, sizeof res->kinds[i].example, fmt, ap);
        va_end(ap);
        for (char *p = res->kinds[i].example; *p; p++)
            if (*p == '\t' || *p == '\n' || *p == '\r')
                *p = ' ';
    }
    res->kinds[i].count[u]++;
    res->noted[u]++;
}

static void print_result(const struct result *res)
{
    printf("stat\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64
           "\t%" PRIu64 "\t%" PRIu64 "\n",
           res->ranges, res->ranges_agree, res->bytes, res->bytes_agree, res->peer, res->peer_agree,
           res->probes, res->probes_agree);
    for (size_t i = 0; i < res->nkinds; i++) {
        const struct tally *t = &res->kinds[i];
        printf("kind\t%s\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%s\n", t->name, t->count[U_RANGE],
               t->count[U_PEER], t->count[U_PROBE], t->example);
    }
}

/* ---- Walking a peer's range through dmpread's index ---------------------------------------- */

/* What owns the bytes of [start, start+size) in dmpread's index, relative to an expected owner
 * (descriptor k of stream s) or, when none is given, to the owner of the first captured byte. */
struct walk {
    int have_owner;
    uint32_t s;
    uint64_t k;
    uint64_t own;        /* bytes owned by (s, k) */
    uint64_t earlier;    /* owned by a descriptor before (s, k): the first one wins (rule 2) */
    uint64_t later;      /* owned by a descriptor after it */
    uint64_t uncovered;  /* in no entry */
    int offset_bad;      /* an owned byte is not stored at rva + its offset in the range */
    int spills;          /* (s, k) continues right below or above the range */
    uint64_t first_miss; /* first byte not owned by (s, k) */
    int missed;
};

static void walk_miss(struct walk *w, uint64_t pos)
{
    if (!w->missed) {
        w->missed = 1;
        w->first_miss = pos;
    }
}

static int is_owner(const struct walk *w, const dmp_range *e)
{
    return e->stream_index == w->s && e->descriptor == w->k;
}

/* size > 0 and start + size - 1 must not pass 2^64 - 1. has_rva: check file offsets. */
static void walk_range(const struct dump *d, uint64_t start, uint64_t size, int has_rva,
                       uint64_t rva, struct walk *w)
{
    uint64_t done = 0;
    while (done < size) {
        const uint64_t pos = start + done, left = size - done;
        size_t i;
        if (dmp_range_find(d->f, pos, &i) != DMP_OK) {
            uint64_t gap = left;
            if (dmp_range_next(d->f, pos, &i) == DMP_OK && d->r[i].addr - pos < gap)
                gap = d->r[i].addr - pos;
            w->uncovered += gap;
            walk_miss(w, pos);
            done += gap;
            continue;
        }
        const dmp_range *e = &d->r[i];
        uint64_t in = e->size - (pos - e->addr);
        if (in > left)
            in = left;
        if (!w->have_owner) {
            w->have_owner = 1;
            w->s = e->stream_index;
            w->k = e->descriptor;
        }
        if (is_owner(w, e)) {
            w->own += in;
            if (has_rva && e->file_offset + (pos - e->addr) != rva + done)
                w->offset_bad = 1;
            if ((done == 0 && pos != e->addr) || (in == left && pos + in - e->addr != e->size))
                w->spills = 1; /* the entry runs past the range's ends */
        } else {
            if (e->stream_index < w->s || (e->stream_index == w->s && e->descriptor < w->k))
                w->earlier += in;
            else
                w->later += in;
            walk_miss(w, pos);
        }
        done += in;
    }
}

/* The owner's entries go on right below start or at start + size. */
static void walk_neighbours(const struct dump *d, uint64_t start, uint64_t size, struct walk *w)
{
    size_t i;
    if (start > 0 && dmp_range_find(d->f, start - 1, &i) == DMP_OK && is_owner(w, &d->r[i]))
        w->spills = 1;
    if (size - 1 < UINT64_MAX - start && dmp_range_find(d->f, start + size, &i) == DMP_OK &&
        is_owner(w, &d->r[i]))
        w->spills = 1;
}

/* ---- Probes: the reads asked of LLDB, derived from the index alone ----------------------- */

enum probe_kind { P_FIRST, P_LAST, P_BELOW, P_ABOVE, P_CROSS };

struct probe {
    enum probe_kind kind;
    size_t entry;
    uint64_t addr;
    uint64_t len;
    uint64_t before; /* P_CROSS: bytes below the boundary */
};

struct probes {
    struct probe *p;
    size_t n, cap;
};

static void add_probe(struct probes *ps, enum probe_kind kind, size_t entry, uint64_t addr,
                      uint64_t len, uint64_t before)
{
    if (ps->n == ps->cap) {
        ps->cap = ps->cap ? ps->cap * 2 : 64;
        ps->p = realloc(ps->p, ps->cap * sizeof *ps->p);
        if (!ps->p) {
            fputs("dmpdiff: out of memory\n", stderr);
            exit(2);
        }
    }
    ps->p[ps->n++] = (struct probe){kind, entry, addr, len, before};
}

/* First EDGE bytes; then the last bytes not already compared, at most EDGE. */
static uint64_t first_len(const dmp_range *e)
{
    return e->size < EDGE ? e->size : EDGE;
}

static uint64_t last_len(const dmp_range *e)
{
    const uint64_t rest = e->size - first_len(e);
    return rest < EDGE ? rest : EDGE;
}

static void plan_probes(const struct dump *d, struct probes *ps)
{
    memset(ps, 0, sizeof *ps);
    for (size_t i = 0; i < d->n; i++) {
        const dmp_range *e = &d->r[i];
        if ((i == 0 || !abuts_next(d, i - 1)) && e->addr > 0)
            add_probe(ps, P_BELOW, i, e->addr - 1, 1, 0);
        add_probe(ps, P_FIRST, i, e->addr, first_len(e), 0);
        if (last_len(e))
            add_probe(ps, P_LAST, i, e->addr + e->size - last_len(e), last_len(e), 0);
        if (abuts_next(d, i)) {
            const dmp_range *nx = &d->r[i + 1];
            const uint64_t lo = e->size < CROSS_HALF ? e->size : CROSS_HALF;
            const uint64_t hi = nx->size < CROSS_HALF ? nx->size : CROSS_HALF;
            add_probe(ps, P_CROSS, i, nx->addr - lo, lo + hi, lo);
        } else if (!ends_at_top(e)) {
            add_probe(ps, P_ABOVE, i, e->addr + e->size, 1, 0);
        }
    }
}

/* ---- Reading peer output ---------------------------------------------------------------- */

/* The whole file, NUL-terminated. NULL when it cannot be read. */
static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    size_t cap = (size_t)1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n - 1, fp);
        if (n < cap - 1)
            break;
        cap *= 2;
        char *const grown = realloc(buf, cap);
        if (!grown)
            free(buf);
        buf = grown;
    }
    const int bad = ferror(fp);
    fclose(fp);
    if (!buf || bad) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

/* Next line of a slurped buffer: NUL-terminates it in place. NULL at the end. */
static char *next_line(char **cursor)
{
    char *line = *cursor;
    if (!line || !*line)
        return NULL;
    char *nl = strchr(line, '\n');
    if (nl) {
        *nl = '\0';
        *cursor = nl + 1;
    } else {
        *cursor = line + strlen(line);
    }
    return line;
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* "0x..." (after optional spaces); 0 on failure. */
static int parse_hex(const char *s, uint64_t *out)
{
    while (*s == ' ')
        s++;
    if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || hexval((unsigned char)s[2]) < 0)
        return 0;
    uint64_t v = 0;
    for (s += 2; hexval((unsigned char)*s) >= 0; s++) {
        if (v >> 60)
            return 0;
        v = v << 4 | (uint64_t)hexval((unsigned char)*s);
    }
    *out = v;
    return *s == '\0' || *s == ' ' || *s == '-' || *s == ')';
}

/* Index of the first differing byte, or len. */
static size_t first_diff(const uint8_t *a, const uint8_t *b, size_t len)
{
    size_t i = 0;
    while (i < len && a[i] == b[i])
        i++;
    return i;
}

static size_t count_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += a[i] == b[i];
    return n;
}

/* ---- `ranges` ---------------------------------------------------------------------------- */

static void print_hex(const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("%02x", b[i]);
}

static int cmd_ranges(struct dump *d)
{
    for (size_t i = 0; i < d->n; i++) {
        const dmp_range *e = &d->r[i];
        uint8_t buf[2 * EDGE];
        const size_t a = (size_t)first_len(e), b = (size_t)last_len(e);
        printf("0x%" PRIx64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu32 "\t%s\t%" PRIu64 "\t%s\t",
               e->addr, e->size, e->file_offset, e->stream_index,
               e->stream_type == DMP_STREAM_MEMORY_LIST ? "ML" : "M64", e->descriptor,
               e->flags & DMP_RANGE_TRUNCATED ? "truncated" : "-");
        if (dmp_bytes(d, e->addr, buf, a))
            print_hex(buf, a);
        putchar('\t');
        if (b && dmp_bytes(d, e->addr + e->size - b, buf, b))
            print_hex(buf, b);
        putchar('\n');
    }
    return 0;
}

/* ---- LLDB ---------------------------------------------------------------------------------- */

static int cmd_lldb_plan(const struct dump *d, const char *dir)
{
    if (strpbrk(dir, "\"\\\n")) {
        fprintf(stderr, "dmpdiff: %s: quotes, backslashes and newlines are not supported\n", dir);
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/lldb.cmd", dir);
    FILE *fp = fopen(path, "w");
    if (!fp) {
        fprintf(stderr, "dmpdiff: cannot write %s\n", path);
        return 2;
    }
    struct probes ps;
    plan_probes(d, &ps);
    fputs("memory region --all\n", fp);
    for (size_t j = 0; j < ps.n; j++) {
        fprintf(
            fp,
            "memory read --force --binary --outfile \"%s/reads.bin\" --append-outfile -c %" PRIu64
            " 0x%" PRIx64 "\n",
            dir, ps.p[j].len, ps.p[j].addr);
        /* Where LLDB would take an uncaptured byte from, should it read one. */
        if (ps.p[j].kind == P_BELOW || ps.p[j].kind == P_ABOVE)
            fprintf(fp, "image lookup -a 0x%" PRIx64 "\n", ps.p[j].addr);
    }
    free(ps.p);
    return fclose(fp) == 0 ? 0 : 2;
}

/* What LLDB printed: whether it loaded the dump, and its `memory region --all` lines that
 * carry the permissions `r??`, which it gives only to regions built from the memory lists. */
struct lldb_log {
    int loaded;
    char error[160];
    uint64_t *start, *end; /* the r?? regions, in LLDB's order (ascending) */
    size_t n, cap;
    struct lookup *lookups; /* `image lookup -a` answers that name a module's section */
    size_t nlookups, lookups_cap;
    struct lldb_read *reads; /* each `memory read`, in order, and how many bytes it appended */
    size_t nreads, reads_cap;
    uint8_t *bytes; /* reads.bin: what they appended, one after the other */
    size_t nbytes;
};

struct lldb_read {
    uint64_t addr;
    size_t got, off; /* bytes appended, and where they start in reads.bin */
};

struct lookup {
    uint64_t addr;
    char where[120];
};

static void lldb_add_region(struct lldb_log *lg, uint64_t a, uint64_t b)
{
    if (lg->n == lg->cap) {
        lg->cap = lg->cap ? lg->cap * 2 : 64;
        lg->start = realloc(lg->start, lg->cap * sizeof *lg->start);
        lg->end = realloc(lg->end, lg->cap * sizeof *lg->end);
        if (!lg->start || !lg->end) {
            fputs("dmpdiff: out of memory\n", stderr);
            exit(2);
        }
    }
    lg->start[lg->n] = a;
    lg->end[lg->n] = b;
    lg->n++;
}

/* "[0xA-0xB) r?? ..." */
static void lldb_region_line(struct lldb_log *lg, const char *line)
{
    uint64_t a, b;
    const char *dash = strchr(line, '-'), *paren = strchr(line, ')');
    if (line[0] != '[' || !dash || !paren || !parse_hex(line + 1, &a) || !parse_hex(dash + 1, &b))
        return;
    if (strncmp(paren, ") r??", 5) == 0 && b > a)
        lldb_add_region(lg, a, b);
}

/* "      Address: pattern_target[0x2000] (pattern_target.PT_LOAD[2]..rodata + 0)" */
static void lldb_lookup_line(struct lldb_log *lg, uint64_t addr, const char *line)
{
    const char *a = strstr(line, "Address: ");
    if (!a)
        return;
    if (lg->nlookups == lg->lookups_cap) {
        lg->lookups_cap = lg->lookups_cap ? lg->lookups_cap * 2 : 16;
        lg->lookups = realloc(lg->lookups, lg->lookups_cap * sizeof *lg->lookups);
        if (!lg->lookups) {
            fputs("dmpdiff: out of memory\n", stderr);
            exit(2);
        }
    }
    struct lookup *lk = &lg->lookups[lg->nlookups++];
    lk->addr = addr;
    snprintf(lk->where, sizeof lk->where, "%s", a + 9);
}

/* "(lldb) memory read ... -c N 0xADDR": a read, nothing appended yet. */
static void lldb_read_line(struct lldb_log *lg, const char *line)
{
    const char *last = strrchr(line, ' ');
    if (lg->nreads == lg->reads_cap) {
        lg->reads_cap = lg->reads_cap ? lg->reads_cap * 2 : 256;
        lg->reads = realloc(lg->reads, lg->reads_cap * sizeof *lg->reads);
        if (!lg->reads) {
            fputs("dmpdiff: out of memory\n", stderr);
            exit(2);
        }
    }
    struct lldb_read *rd = &lg->reads[lg->nreads++];
    rd->got = 0;
    rd->off = 0;
    if (!last || !parse_hex(last + 1, &rd->addr))
        rd->addr = UINT64_MAX;
}

static const char *lldb_lookup(const struct lldb_log *lg, uint64_t addr)
{
    for (size_t i = 0; i < lg->nlookups; i++)
        if (lg->lookups[i].addr == addr)
            return lg->lookups[i].where;
    return NULL;
}

static int parse_lldb_log(const char *path, const char *dir, struct lldb_log *lg)
{
    memset(lg, 0, sizeof *lg);
    char *buf = slurp(path), *cur = buf, *line;
    if (!buf)
        return -1;
    int in_regions = 0, sourcing = 0, in_lookup = 0, in_read = 0;
    uint64_t lookup_addr = 0;
    while ((line = next_line(&cur))) {
        if (starts_with(line, "Core file '") && strstr(line, " was loaded"))
            lg->loaded = 1;
        if (starts_with(line, "error: ") && !lg->error[0] && !sourcing)
            snprintf(lg->error, sizeof lg->error, "%s", line + 7);
        if (starts_with(line, "(lldb) command source "))
            sourcing = 1;
        if (starts_with(line, "(lldb) ")) {
            in_regions = strcmp(line, "(lldb) memory region --all") == 0;
            in_lookup =
                starts_with(line, "(lldb) image lookup -a ") && parse_hex(line + 23, &lookup_addr);
            in_read = starts_with(line, "(lldb) memory read ");
            if (in_read)
                lldb_read_line(lg, line);
            continue;
        }
        size_t got;
        char tail[32];
        if (in_read && sscanf(line, "%zu bytes %31s to '", &got, tail) == 2 &&
            (strcmp(tail, "appended") == 0 || strcmp(tail, "written") == 0))
            lg->reads[lg->nreads - 1].got = got;
        if (in_regions)
            lldb_region_line(lg, line);
        if (in_lookup)
            lldb_lookup_line(lg, lookup_addr, line);
    }
    free(buf);
    /* What the reads appended, in order: each read's bytes follow the previous read's. */
    char bin[4096];
    snprintf(bin, sizeof bin, "%s/reads.bin", dir);
    FILE *fp = fopen(bin, "rb");
    size_t total = 0;
    for (size_t k = 0; k < lg->nreads; k++) {
        lg->reads[k].off = total;
        total += lg->reads[k].got;
    }
    lg->bytes = malloc(total ? total : 1);
    if (!lg->bytes || (total && (!fp || fread(lg->bytes, 1, total, fp) != total))) {
        fprintf(stderr, "dmpdiff: %s does not hold the %zu bytes LLDB says it wrote\n", bin, total);
        if (fp)
            fclose(fp);
        return -1;
    }
    lg->nbytes = total;
    if (fp)
        fclose(fp);
    return 0;
}

/* LLDB builds regions from the memory lists only without LinuxMaps and MemoryInfoList. */
static int has_region_streams(const struct dump *d)
{
    return first_stream_of(d, DMP_STREAM_LINUX_MAPS) >= 0 ||
           first_stream_of(d, DMP_STREAM_MEMORY_INFO_LIST) >= 0;
}

static void lldb_check_region(const struct dump *d, struct result *res, uint64_t a, uint64_t b)
{
    struct walk w = {0};
    walk_range(d, a, b - a, 0, 0, &w);
    if (w.have_owner)
        walk_neighbours(d, a, b - a, &w);
    res->peer++;
    if (w.have_owner && w.own == b - a && !w.spills) {
        res->peer_agree++;
        return;
    }
    const char *what = w.uncovered ? "bytes dmpread does not hold" : "another descriptor's bytes";
    if (!w.have_owner)
        w.first_miss = a;
    if (!w.uncovered && !w.spills && find_overlap(d, a, b - a))
        note(res, U_PEER, "overlap",
             "LLDB region [0x%" PRIx64 ",0x%" PRIx64 ") holds %s from 0x%" PRIx64
             " (descriptors overlap; dmpread: the first one wins)",
             a, b, what, w.first_miss);
    else if (w.uncovered && find_trunc(d, DMP_DIAG_NO_STREAM, UINT64_MAX, a, b - a))
        note(res, U_PEER, "truncated",
             "LLDB region [0x%" PRIx64 ",0x%" PRIx64
             ") runs past EOF; dmpread clips it at 0x%" PRIx64,
             a, b, w.first_miss);
    else
        note(res, U_PEER, "region-mismatch",
             "LLDB region [0x%" PRIx64 ",0x%" PRIx64
             ") is not one dmpread descriptor: %s at 0x%" PRIx64 "%s",
             a, b, what, w.first_miss, w.spills ? " (or dmpread's descriptor is larger)" : "");
}

/* Whether some r?? region holds all of entry e (regions are sorted and disjoint). */
static int lldb_lists(const struct lldb_log *lg, const dmp_range *e)
{
    size_t lo = 0, hi = lg->n;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (lg->start[mid] <= e->addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 && e->addr - lg->start[lo - 1] < lg->end[lo - 1] - lg->start[lo - 1] &&
           e->size <= lg->end[lo - 1] - e->addr;
}

/* The bytes LLDB read for probe j (at most cap): their count, 0 when it read none. */
static size_t lldb_probe_bytes(const struct lldb_log *lg, size_t j, uint8_t *buf, size_t cap)
{
    const struct lldb_read *rd = &lg->reads[j];
    const size_t n = rd->got < cap ? rd->got : cap;
    memcpy(buf, lg->bytes + rd->off, n);
    return n;
}

/* Why LLDB's m bytes differ from dmpread's len bytes at addr. */
static void lldb_explain(const struct dump *d, struct result *res, enum unit u, uint64_t addr,
                         size_t len, size_t m, size_t same_prefix)
{
    const dmp_diag *t = any_trunc(d);
    if (m == len && find_overlap(d, addr, len)) {
        note(res, u, "overlap",
             "0x%" PRIx64 "+%zu: byte %zu differs where descriptors overlap (LLDB: MemoryList "
             "first, in list order; dmpread: directory order)",
             addr, len, same_prefix);
    } else if (m < len && same_prefix == m && t) {
        note(res, u, "truncated",
             "0x%" PRIx64 "+%zu: LLDB read %zu bytes; descriptor %" PRIu64 " of stream %" PRIu32
             " runs past EOF and LLDB stops its lookup there",
             addr, len, m, t->descriptor, t->stream_index);
    } else if (m < len && same_prefix == m && find_overlap(d, addr, len)) {
        note(res, u, "overlap",
             "0x%" PRIx64 "+%zu: LLDB read %zu bytes from an overlapping descriptor", addr, len, m);
    } else if (m == 0) {
        note(res, u, "read-failed", "0x%" PRIx64 "+%zu: LLDB read nothing", addr, len);
    } else if (m < len && same_prefix == m) {
        note(res, u, "short-read", "0x%" PRIx64 "+%zu: LLDB read only %zu bytes", addr, len, m);
    } else {
        note(res, u, "byte-mismatch", "0x%" PRIx64 "+%zu: LLDB and dmpread differ at byte %zu",
             addr, len, same_prefix);
    }
}

/* A probe of bytes dmpread holds: P_FIRST, P_LAST (bytes counted) or P_CROSS. */
static void lldb_probe_held(struct dump *d, struct result *res, const struct lldb_log *lg,
                            const struct probe *p, size_t j)
{
    uint8_t want[2 * EDGE], got[2 * EDGE + 1];
    const size_t len = (size_t)p->len;
    if (!dmp_bytes(d, p->addr, want, len)) {
        note(res, p->kind == P_CROSS ? U_PROBE : U_RANGE, "dmpread-read-failed",
             "dmpread cannot read 0x%" PRIx64 "+%zu inside its own index", p->addr, len);
        return;
    }
    const size_t m = lldb_probe_bytes(lg, j, got, sizeof got);
    const size_t cmp = m < len ? m : len, same = first_diff(want, got, cmp);
    if (p->kind != P_CROSS) {
        res->bytes += len;
        res->bytes_agree += count_equal(want, got, cmp);
    }
    if (m == len && same == len)
        return;
    if (p->kind == P_CROSS && m == p->before && same == m) {
        note(res, U_PROBE, "no-stitch",
             "0x%" PRIx64 "+%zu spans two abutting ranges: LLDB read the %zu bytes below "
             "0x%" PRIx64 " only",
             p->addr, len, m, p->addr + p->before);
        return;
    }
    lldb_explain(d, res, p->kind == P_CROSS ? U_PROBE : U_RANGE, p->addr, len, m, same);
}

/* A probe of the byte just outside a run: dmpread holds none, LLDB should read none. */
static void lldb_probe_outside(struct dump *d, struct result *res, const struct lldb_log *lg,
                               const struct probe *p, size_t j)
{
    uint8_t b[2];
    if (dmp_read_memory(d->f, p->addr, b, 1, NULL) == DMP_OK) {
        note(res, U_PROBE, "dmpread-index-gap",
             "dmpread reads 0x%" PRIx64 " outside the runs of its index", p->addr);
        return;
    }
    if (lldb_probe_bytes(lg, j, b, sizeof b) == 0)
        return;
    size_t mod;
    uint64_t off;
    const char *where = lldb_lookup(lg, p->addr);
    if (where)
        note(res, U_PROBE, "module-file",
             "LLDB reads 0x%" PRIx64 ", which no memory list holds, from a module's file: %s",
             p->addr, where);
    else if (dmp_module_find(d->f, p->addr, &mod, &off) == DMP_OK)
        note(res, U_PROBE, "module-file",
             "LLDB reads 0x%" PRIx64 ", which no memory list holds, inside module %zu (+0x%" PRIx64
             "): from the module's file",
             p->addr, mod, off);
    else
        note(res, U_PROBE, "reads-uncaptured",
             "LLDB reads 0x%" PRIx64 ", which no memory list of the dump holds (per dmpread)",
             p->addr);
}

static void lldb_check_entry(const struct dump *d, struct result *res, const struct lldb_log *lg,
                             int regions_from_lists, int ml_ranges, size_t i)
{
    const dmp_range *e = &d->r[i];
    if (!regions_from_lists || lldb_lists(lg, e))
        return;
    if (e->stream_type == DMP_STREAM_MEMORY64_LIST && ml_ranges)
        note(res, U_RANGE, "regions-omit-memory64",
             "0x%" PRIx64 "+%" PRIu64 " (Memory64List): LLDB builds regions from MemoryList "
             "alone when it has one",
             e->addr, e->size);
    else if (find_overlap(d, e->addr, e->size))
        note(res, U_RANGE, "overlap",
             "0x%" PRIx64 "+%" PRIu64 " (descriptor %" PRIu64 ") lies in another, overlapping "
             "descriptor's LLDB region",
             e->addr, e->size, e->descriptor);
    else
        note(res, U_RANGE, "region-missing",
             "0x%" PRIx64 "+%" PRIu64 " (stream %" PRIu32 " descriptor %" PRIu64
             ") is in no LLDB region",
             e->addr, e->size, e->stream_index, e->descriptor);
}

/* The kind for a peer that refused the whole dump, from its message. */
static const char *rejected_kind(const char *why)
{
    if (strstr(why, "architecture"))
        return "dump-rejected-arch";
    if (strstr(why, "Duplicate stream") || strstr(why, "multiple streams"))
        return "dump-rejected-duplicate";
    if (strstr(why, "Unexpected EOF") || strstr(why, "ReadBytes"))
        return "dump-rejected-eof";
    return "dump-rejected";
}

static void free_lldb_log(struct lldb_log *lg)
{
    free(lg->start);
    free(lg->end);
    free(lg->lookups);
    free(lg->reads);
    free(lg->bytes);
}

/* Every entry: listed by LLDB? Its probes: same bytes? */
static void lldb_check_entries(struct dump *d, struct result *res, const struct lldb_log *lg,
                               const struct probes *ps)
{
    const int regions_from_lists = lg->n > 0 || !has_region_streams(d);
    if (!regions_from_lists && d->n > 0)
        note(res, U_PEER, "regions-not-captured",
             "LLDB lists LinuxMaps/MemoryInfoList regions: reads compared, range list not");
    int ml_ranges = 0; /* LLDB then builds its regions from MemoryList alone */
    for (size_t i = 0; i < d->n && !ml_ranges; i++)
        ml_ranges = d->r[i].stream_type == DMP_STREAM_MEMORY_LIST;
    size_t j = 0;
    for (size_t i = 0; i < d->n; i++) {
        const uint64_t before = res->noted[U_RANGE];
        lldb_check_entry(d, res, lg, regions_from_lists, ml_ranges, i);
        for (; j < ps->n && ps->p[j].entry == i; j++) {
            const struct probe *p = &ps->p[j];
            if (p->kind == P_FIRST || p->kind == P_LAST) {
                lldb_probe_held(d, res, lg, p, j);
                continue;
            }
            const uint64_t probe_before = res->noted[U_PROBE];
            res->probes++;
            if (p->kind == P_CROSS)
                lldb_probe_held(d, res, lg, p, j);
            else
                lldb_probe_outside(d, res, lg, p, j);
            res->probes_agree += res->noted[U_PROBE] == probe_before;
        }
        res->ranges_agree += res->noted[U_RANGE] == before;
    }
}

/* The reads LLDB ran are the ones planned, in order. */
static int lldb_ran_plan(const struct lldb_log *lg, const struct probes *ps, const char *log)
{
    if (lg->nreads != ps->n) {
        fprintf(stderr, "dmpdiff: %s: LLDB ran %zu reads of the %zu planned\n", log, lg->nreads,
                ps->n);
        return 0;
    }
    for (size_t j = 0; j < ps->n; j++)
        if (lg->reads[j].addr != ps->p[j].addr) {
            fprintf(stderr, "dmpdiff: %s: read %zu is not at 0x%" PRIx64 "\n", log, j,
                    ps->p[j].addr);
            return 0;
        }
    return 1;
}

static int cmd_lldb(struct dump *d, const char *dir, const char *log)
{
    struct lldb_log lg;
    struct result res = {0};
    struct probes ps;
    int rc = 0;
    plan_probes(d, &ps);
    if (parse_lldb_log(log, dir, &lg) != 0) {
        fprintf(stderr, "dmpdiff: cannot read %s\n", log);
        rc = 2;
    } else if (!lg.loaded) {
        const char *why = lg.error[0] ? lg.error : "the core was not loaded";
        res.ranges = d->n;
        for (size_t i = 0; i < d->n; i++)
            note(&res, U_RANGE, rejected_kind(why), "LLDB: %s", why);
        if (d->n == 0)
            note(&res, U_PEER, rejected_kind(why), "LLDB: %s (the dump holds no memory)", why);
        print_result(&res);
    } else if (!lldb_ran_plan(&lg, &ps, log)) {
        rc = 2;
    } else {
        res.ranges = d->n;
        for (size_t j = 0; j < lg.n; j++)
            lldb_check_region(d, &res, lg.start[j], lg.end[j]);
        lldb_check_entries(d, &res, &lg, &ps);
        print_result(&res);
    }
    free(ps.p);
    free_lldb_log(&lg);
    return rc;
}

/* ---- Breakpad's minidump_dump ---------------------------------------------------------------- */

struct bp_region {
    uint64_t start, size, rva;
    const char *hex; /* the region's bytes as hex digits, NULL when it printed none */
    size_t hex_len;
};

struct bp_list {
    int read_ok;  /* the dump was read (the header was printed) */
    int has_list; /* a valid MinidumpMemoryList was printed */
    struct bp_region *r;
    size_t n;
};

/* "  NAME   = 0x..." */
static int bp_field(const char *line, const char *name, uint64_t *out)
{
    if (!line || !starts_with(line, "  ") || !starts_with(line + 2, name))
        return 0;
    const char *eq = strstr(line, "= ");
    return eq && parse_hex(eq + 2, out);
}

/* Parses the region blocks that follow "MinidumpMemoryList" and "  region_count = N". */
static int bp_parse_regions(char **cur, struct bp_list *bl)
{
    char *line;
    uint64_t count = 0;
    if (!(line = next_line(cur)) || sscanf(line, "  region_count = %" SCNu64, &count) != 1 ||
        count > (1u << 24))
        return -1;
    bl->r = calloc(count ? count : 1, sizeof *bl->r);
    if (!bl->r)
        return -1;
    while (bl->n < count && (line = next_line(cur))) {
        if (!starts_with(line, "region["))
            continue;
        struct bp_region *r = &bl->r[bl->n++];
        if (!(line = next_line(cur)) || strcmp(line, "MDMemoryDescriptor") != 0 ||
            !bp_field(next_line(cur), "start_of_memory_range", &r->start) ||
            !bp_field(next_line(cur), "memory.data_size", &r->size) ||
            !bp_field(next_line(cur), "memory.rva", &r->rva))
            return -1;
        char *mem = next_line(cur);
        if (mem && strcmp(mem, "Memory") == 0)
            mem = next_line(cur);
        if (mem && starts_with(mem, "0x")) {
            r->hex = mem + 2;
            r->hex_len = strlen(r->hex);
        }
    }
    return bl->n == count ? 0 : -1;
}

static int parse_breakpad(char *out, struct bp_list *bl)
{
    memset(bl, 0, sizeof *bl);
    char *cur = out, *line;
    while ((line = next_line(&cur))) {
        if (strcmp(line, "MDRawHeader") == 0)
            bl->read_ok = 1;
        if (strcmp(line, "MinidumpMemoryList") == 0) {
            bl->has_list = 1;
            return bp_parse_regions(&cur, bl);
        }
    }
    return 0;
}

/* Breakpad's reason, from its stderr (consumed): the first error about its memory list (by name
 * or stream type 5), else the first error. */
static void bp_reason(char *err, char *buf, size_t cap)
{
    const char *best = NULL, *any = NULL, *line;
    while ((line = next_line(&err))) {
        const char *e = strstr(line, "ERROR: ");
        if (!e)
            continue;
        if (!any)
            any = e;
        if (!best && (strstr(e, "MinidumpMemoryList") || strstr(e, "stream type 5")))
            best = e;
    }
    snprintf(buf, cap, "%.150s", best ? best : any ? any : "no reason given");
}

/* The kind for Breakpad dropping its MemoryList, from its reason. */
static const char *list_rejected_kind(const char *reason)
{
    if (strstr(reason, "could not store memory region"))
        return "list-rejected-overlap";
    if (strstr(reason, "exceeds maximum"))
        return "list-rejected-limit";
    if (strstr(reason, "could not seek"))
        return "list-rejected-seek";
    return "list-rejected";
}

/* Breakpad's bytes [off, off+len) of region r into buf; 0 when it printed too few. */
static int bp_bytes(const struct bp_region *r, uint64_t off, uint8_t *buf, size_t len)
{
    if (!r->hex || off > r->hex_len / 2 || len > r->hex_len / 2 - off)
        return 0;
    for (size_t i = 0; i < len; i++) {
        const int hi = hexval((unsigned char)r->hex[2 * (off + i)]);
        const int lo = hexval((unsigned char)r->hex[2 * (off + i) + 1]);
        if (hi < 0 || lo < 0)
            return 0;
        buf[i] = (uint8_t)(hi << 4 | lo);
    }
    return 1;
}

static void bp_check_region(const struct dump *d, struct result *res, long ml, size_t k,
                            const struct bp_region *r)
{
    res->peer++;
    if (r->size == 0 || r->size - 1 > UINT64_MAX - r->start) {
        note(res, U_PEER, "range-mismatch",
             "Breakpad region %zu [0x%" PRIx64 ",+0x%" PRIx64 ") is empty or wraps", k, r->start,
             r->size);
        return;
    }
    struct walk w = {.have_owner = 1, .s = (uint32_t)ml, .k = k};
    walk_range(d, r->start, r->size, 1, r->rva, &w);
    const uint64_t before = res->noted[U_PEER];
    if (w.earlier)
        note(res, U_PEER, "overlap",
             "Breakpad region %zu [0x%" PRIx64 ",+0x%" PRIx64 "): %" PRIu64
             " bytes belong to an earlier descriptor in dmpread (the first one wins)",
             k, r->start, r->size, w.earlier);
    if (w.uncovered && find_trunc(d, (uint32_t)ml, k, 0, 0))
        note(res, U_PEER, "truncated",
             "Breakpad region %zu [0x%" PRIx64 ",+0x%" PRIx64
             ") runs past EOF: dmpread keeps %" PRIu64 " bytes",
             k, r->start, r->size, w.own);
    else if (w.uncovered || w.later)
        note(res, U_PEER, "range-mismatch",
             "Breakpad region %zu [0x%" PRIx64 ",+0x%" PRIx64 "): dmpread's descriptor %zu holds "
             "%" PRIu64 " of its bytes, first miss 0x%" PRIx64,
             k, r->start, r->size, k, w.own, w.first_miss);
    if (w.offset_bad)
        note(res, U_PEER, "rva-mismatch",
             "Breakpad region %zu: rva 0x%" PRIx64 " is not where dmpread reads its bytes", k,
             r->rva);
    if (!r->hex && !find_trunc(d, (uint32_t)ml, k, 0, 0))
        note(res, U_PEER, "no-bytes", "Breakpad printed no bytes for region %zu", k);
    res->peer_agree += res->noted[U_PEER] == before;
}

/* Compares entry e's first and last bytes with Breakpad's region r. */
static void bp_check_bytes(struct dump *d, struct result *res, const dmp_range *e,
                           const struct bp_region *r)
{
    const uint64_t parts[2][2] = {{e->addr, first_len(e)},
                                  {e->addr + e->size - last_len(e), last_len(e)}};
    for (int p = 0; p < 2; p++) {
        uint8_t want[EDGE], got[EDGE];
        const size_t len = (size_t)parts[p][1];
        if (len == 0)
            continue;
        if (!dmp_bytes(d, parts[p][0], want, len)) {
            note(res, U_RANGE, "dmpread-read-failed",
                 "dmpread cannot read 0x%" PRIx64 "+%zu inside its own index", parts[p][0], len);
            continue;
        }
        if (!bp_bytes(r, parts[p][0] - r->start, got, len)) {
            if (e->flags & DMP_RANGE_TRUNCATED)
                note(res, U_RANGE, "truncated",
                     "0x%" PRIx64 ": Breakpad prints no bytes for a descriptor running past EOF; "
                     "dmpread clips it",
                     e->addr);
            else
                note(res, U_RANGE, "no-bytes", "0x%" PRIx64 ": Breakpad printed no bytes", e->addr);
            return;
        }
        res->bytes += len;
        res->bytes_agree += count_equal(want, got, len);
        if (first_diff(want, got, len) != len)
            note(res, U_RANGE, "byte-mismatch",
                 "0x%" PRIx64 "+%zu: Breakpad and dmpread differ at byte %zu", parts[p][0], len,
                 first_diff(want, got, len));
    }
}

static void bp_check_entry(struct dump *d, struct result *res, const struct bp_list *bl, long ml,
                           const char *reason, const dmp_range *e)
{
    if (e->stream_type == DMP_STREAM_MEMORY64_LIST) {
        note(res, U_RANGE, "no-memory64",
             "0x%" PRIx64 "+%" PRIu64 " comes from Memory64List, which Breakpad does not read",
             e->addr, e->size);
        return;
    }
    if (!bl->read_ok || !bl->has_list) {
        note(res, U_RANGE, bl->read_ok ? list_rejected_kind(reason) : rejected_kind(reason),
             "Breakpad: %s", reason);
        return;
    }
    if ((long)e->stream_index != ml) {
        note(res, U_RANGE, "second-memory-list",
             "0x%" PRIx64 " comes from MemoryListStream %" PRIu32 "; Breakpad reads one", e->addr,
             e->stream_index);
        return;
    }
    if (e->descriptor >= bl->n) {
        note(res, U_RANGE, "missing-in-peer",
             "descriptor %" PRIu64 " (0x%" PRIx64 ") is past Breakpad's %zu regions", e->descriptor,
             e->addr, bl->n);
        return;
    }
    const struct bp_region *r = &bl->r[e->descriptor];
    const uint64_t off = e->addr - r->start;
    if (e->addr < r->start || off >= r->size || e->size > r->size - off ||
        e->file_offset != r->rva + off) {
        note(res, U_RANGE, "range-mismatch",
             "0x%" PRIx64 "+%" PRIu64 " (descriptor %" PRIu64 ") is not inside Breakpad's region "
             "[0x%" PRIx64 ",+0x%" PRIx64 ") at rva 0x%" PRIx64,
             e->addr, e->size, e->descriptor, r->start, r->size, r->rva);
        return;
    }
    bp_check_bytes(d, res, e, r);
}

static int cmd_breakpad(struct dump *d, const char *out_path, const char *err_path)
{
    char *out = slurp(out_path), *err = slurp(err_path);
    struct bp_list bl = {0};
    struct result res = {0};
    if (!out || !err || parse_breakpad(out, &bl) != 0) {
        fprintf(stderr, "dmpdiff: cannot read or parse %s\n", out_path);
        free(bl.r);
        free(out);
        free(err);
        return 2;
    }
    char reason[200];
    bp_reason(err, reason, sizeof reason); /* consumes err */
    const long ml = first_stream_of(d, DMP_STREAM_MEMORY_LIST);
    if (!bl.read_ok && d->n == 0)
        note(&res, U_PEER, rejected_kind(reason), "Breakpad: %s (the dump holds no memory)",
             reason);
    if (ml < 0 && bl.n > 0)
        note(&res, U_PEER, "range-mismatch",
             "Breakpad lists %zu regions; dmpread sees no MemoryListStream", bl.n);
    for (size_t k = 0; ml >= 0 && k < bl.n; k++)
        bp_check_region(d, &res, ml, k, &bl.r[k]);
    res.ranges = d->n;
    for (size_t i = 0; i < d->n; i++) {
        const uint64_t before = res.noted[U_RANGE];
        bp_check_entry(d, &res, &bl, ml, reason, &d->r[i]);
        res.ranges_agree += res.noted[U_RANGE] == before;
    }
    print_result(&res);
    free(bl.r);
    free(out);
    free(err);
    return 0;
}

/* ---- main ---------------------------------------------------------------------------------- */

static int usage(void)
{
    fputs("usage: dmpdiff ranges DUMP\n"
          "       dmpdiff lldb-plan DUMP DIR\n"
          "       dmpdiff lldb DUMP DIR LOG\n"
          "       dmpdiff breakpad DUMP STDOUT STDERR\n",
          stderr);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return usage();
    const char *cmd = argv[1];
    const int want = strcmp(cmd, "ranges") == 0      ? 3
                     : strcmp(cmd, "lldb-plan") == 0 ? 4
                     : strcmp(cmd, "lldb") == 0      ? 5
                     : strcmp(cmd, "breakpad") == 0  ? 5
                                                     : 0;
    if (!want || argc != want)
        return usage();
    struct dump d;
    if (load_dump(argv[2], &d) != 0)
        return 2;
    int rc;
    if (strcmp(cmd, "ranges") == 0)
        rc = cmd_ranges(&d);
    else if (strcmp(cmd, "lldb-plan") == 0)
        rc = cmd_lldb_plan(&d, argv[3]);
    else if (strcmp(cmd, "lldb") == 0)
        rc = cmd_lldb(&d, argv[3], argv[4]);
    else
        rc = cmd_breakpad(&d, argv[3], argv[4]);
    free_dump(&d);
    if (fflush(stdout) != 0)
        rc = 2;
    return rc;
}
