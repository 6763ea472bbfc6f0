/* test_writers.c - dumps written by real writers (LLDB, Wine's dbghelp), held against what the
 * dumped process reported about itself while it was alive: the sidecars of
 * tests/targets/SIDECAR.md.
 * SPDX-License-Identifier: MIT
 *
 * Every NAME.sidecar in testdata/writers, and in $DMPREAD_WRITERS_DIR when that is set (the
 * fresh captures of writers_lldb_fresh), is parsed strictly and its dump checked: patterns
 * (captured bytes exact, absent ones missing, spanning ones stitched across abutting
 * ranges), the coverage rule at both ends of every captured run holding a pattern, threads,
 * modules, exceptions, the process id and the architecture. Every disagreement is collected
 * and reported with the sidecar's file and line, so one run shows them all.
 *
 * The checker checks itself too: a dump built with tests/mkdump and a sidecar that matches it
 * must pass, and each one-line mutation of that sidecar must fail on the mutated line.
 */
#define _POSIX_C_SOURCE 200809L /* getline, scandir, mkdtemp, strncasecmp */
#include "suite.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Patterns longer than this are surely a broken sidecar; runs longer than this are checked
 * with dmp_find_uncovered instead of being copied out. */
#define MAX_PATTERN_LEN (16u << 20)
#define MAX_RUN_COPY ((uint64_t)64 << 20)
#define MAX_FIELDS 8

/* ---- The sidecar -------------------------------------------------------------------------- */

enum expect { EXPECT_CAPTURED, EXPECT_ABSENT, EXPECT_SPANS };

struct sc_pattern {
    char *name;
    uint64_t addr;
    size_t len;
    enum expect expect;
    uint8_t *bytes;
    unsigned line;
};

struct sc_module {
    uint64_t base;
    char *name;
    unsigned line;
};

/* A `thread` (id) or an `exception` (code, id) record. */
struct sc_ids {
    uint32_t code;
    uint32_t id;
    unsigned line;
};

struct sidecar {
    char *path;
    char *dump; /* the dump's path, resolved against the sidecar's folder */
    unsigned dump_line;
    char *writer;
    unsigned writer_line;
    char *arch;
    unsigned arch_line;
    uint32_t pid;
    unsigned pid_line; /* 0: no pid record */
    uint32_t threads;
    unsigned threads_line; /* 0: no threads record */
    struct sc_ids *thread;
    size_t thread_count;
    struct sc_ids *exception;
    size_t exception_count;
    struct sc_module *module;
    size_t module_count;
    struct sc_pattern *pattern;
    size_t pattern_count;
};

static void *xrealloc(void *p, size_t n)
{
    void *const q = realloc(p, n ? n : 1);
    if (!q) { /* also used outside tests (main), where Check's asserts cannot report */
        fputs("test_writers: out of memory\n", stderr);
        abort();
    }
    return q;
}

static char *xstrdup(const char *s)
{
    const size_t n = strlen(s) + 1;
    return memcpy(xrealloc(NULL, n), s, n);
}

/* Grows an array of `count` elements by one and returns the new, zeroed element. */
#define APPEND(arr, count)                                                                         \
    ((arr) = xrealloc((arr), ((count) + 1) * sizeof *(arr)),                                       \
     memset(&(arr)[(count)], 0, sizeof *(arr)), &(arr)[(count)++])

static void sidecar_free(struct sidecar *sc)
{
    for (size_t i = 0; i < sc->module_count; i++)
        free(sc->module[i].name);
    for (size_t i = 0; i < sc->pattern_count; i++) {
        free(sc->pattern[i].name);
        free(sc->pattern[i].bytes);
    }
    free(sc->module);
    free(sc->pattern);
    free(sc->thread);
    free(sc->exception);
    free(sc->path);
    free(sc->dump);
    free(sc->writer);
    free(sc->arch);
    memset(sc, 0, sizeof *sc);
}

/* ---- Parsing ------------------------------------------------------------------------------- */

struct parser {
    struct sidecar *sc;
    unsigned line;
    bool have_header;
    char *err; /* "PATH:LINE: what" */
    size_t cap;
};

static bool parse_error(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static bool parse_error(struct parser *p, const char *fmt, ...)
{
    const int n = snprintf(p->err, p->cap, "%s:%u: ", p->sc->path, p->line);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < p->cap)
        vsnprintf(p->err + n, p->cap - (size_t)n, fmt, ap);
    va_end(ap);
    return false;
}

/* "0x" and 1 to 16 hex digits, at most `max`. */
static bool parse_hex(const char *s, uint64_t max, uint64_t *out)
{
    if (s[0] != '0' || s[1] != 'x' || s[2] == '\0' || strlen(s + 2) > 16)
        return false;
    uint64_t v = 0;
    for (const char *c = s + 2; *c; c++) {
        const char *const digits = "0123456789abcdef";
        const char *const d = strchr(digits, *c >= 'A' && *c <= 'F' ? *c - 'A' + 'a' : *c);
        if (!d || !*c)
            return false;
        v = v << 4 | (uint64_t)(d - digits);
    }
    if (v > max)
        return false;
    *out = v;
    return true;
}

/* Decimal digits only, at most `max`. */
static bool parse_dec(const char *s, uint64_t max, uint64_t *out)
{
    if (!*s)
        return false;
    uint64_t v = 0;
    for (const char *c = s; *c; c++) {
        if (*c < '0' || *c > '9' || v > (max - (uint64_t)(*c - '0')) / 10)
            return false;
        v = v * 10 + (uint64_t)(*c - '0');
    }
    *out = v;
    return true;
}

/* Splits `rest` at single spaces into at most `max` fields; with `tail`, the last field is
 * the rest of the line, spaces included. Returns the count, max + 1 when there are more, or
 * -1 for an empty field. */
static int split_fields(char *rest, char **field, int max, bool tail)
{
    static char none[1]; /* unused slots point here, never at garbage */
    for (int i = 0; i < max; i++)
        field[i] = none;
    if (*rest == ' ')
        return -1;
    int n = 0;
    for (char *s = rest; *s != '\0';) {
        if (n == max)
            return max + 1;
        field[n++] = s;
        char *const sp = tail && n == max ? NULL : strchr(s, ' ');
        if (!sp)
            break;
        *sp = '\0';
        s = sp + 1;
        if (*s == '\0' || *s == ' ')
            return -1;
    }
    return n;
}

static bool fields_ok(struct parser *p, const char *kind, int got, int want)
{
    if (got < 0)
        return parse_error(p, "'%s': empty field (fields are separated by single spaces)", kind);
    if (got != want)
        return parse_error(p, "'%s' takes %d field%s, this line has %d", kind, want,
                           want == 1 ? "" : "s", got);
    return true;
}

static bool parse_pattern_bytes(struct parser *p, struct sc_pattern *pat, const char *hex)
{
    if (strlen(hex) != 2 * pat->len)
        return parse_error(p, "pattern '%s': %zu hex digits for LEN %zu (want %zu)", pat->name,
                           strlen(hex), pat->len, 2 * pat->len);
    pat->bytes = xrealloc(NULL, pat->len);
    for (size_t i = 0; i < pat->len; i++) {
        unsigned v = 0;
        for (int k = 0; k < 2; k++) {
            const char c = hex[2 * i + (size_t)k];
            const char *const d = c ? strchr("0123456789abcdef", c) : NULL;
            if (!d)
                return parse_error(p,
                                   "pattern '%s': '%c' at HEX position %zu is not a lower-case "
                                   "hex digit",
                                   pat->name, c, 2 * i + (size_t)k);
            v = v << 4 | (unsigned)(d - "0123456789abcdef");
        }
        pat->bytes[i] = (uint8_t)v;
    }
    return true;
}

static bool parse_pattern(struct parser *p, char **f, int n)
{
    if (!fields_ok(p, "pattern", n, 5))
        return false;
    struct sc_pattern *const pat = APPEND(p->sc->pattern, p->sc->pattern_count);
    pat->name = xstrdup(f[0]);
    pat->line = p->line;
    uint64_t len;
    if (!parse_hex(f[1], UINT64_MAX, &pat->addr))
        return parse_error(p, "pattern '%s': bad address '%s' (want 0x and hex digits)", f[0],
                           f[1]);
    if (!parse_dec(f[2], MAX_PATTERN_LEN, &len) || len == 0)
        return parse_error(p, "pattern '%s': bad LEN '%s' (want 1..%u, decimal)", f[0], f[2],
                           MAX_PATTERN_LEN);
    pat->len = (size_t)len;
    if (len - 1 > UINT64_MAX - pat->addr)
        return parse_error(p, "pattern '%s': 0x%" PRIx64 "+%zu runs past 2^64", f[0], pat->addr,
                           pat->len);
    if (strcmp(f[3], "captured") == 0)
        pat->expect = EXPECT_CAPTURED;
    else if (strcmp(f[3], "absent") == 0)
        pat->expect = EXPECT_ABSENT;
    else if (strcmp(f[3], "spans") == 0)
        pat->expect = EXPECT_SPANS;
    else
        return parse_error(p, "pattern '%s': EXPECT '%s' is not captured, absent or spans", f[0],
                           f[3]);
    return parse_pattern_bytes(p, pat, f[4]);
}

/* A record that may appear once: its line is still 0 when unseen. */
static bool once(struct parser *p, const char *kind, unsigned *line)
{
    if (*line)
        return parse_error(p, "second '%s' record (the first is on line %u)", kind, *line);
    *line = p->line;
    return true;
}

static bool parse_dump(struct parser *p, char **f, int n)
{
    if (!fields_ok(p, "dump", n, 1) || !once(p, "dump", &p->sc->dump_line))
        return false;
    if (f[0][0] == '/')
        return parse_error(p, "dump '%s' must be relative to the sidecar", f[0]);
    const char *const slash = strrchr(p->sc->path, '/');
    const size_t dir_len = slash ? (size_t)(slash - p->sc->path) + 1 : 0;
    p->sc->dump = xrealloc(NULL, dir_len + strlen(f[0]) + 1);
    memcpy(p->sc->dump, p->sc->path, dir_len);
    strcpy(p->sc->dump + dir_len, f[0]);
    return true;
}

static bool parse_u32_record(struct parser *p, const char *kind, char **f, int n, uint32_t *out,
                             unsigned *line)
{
    uint64_t v;
    if (!fields_ok(p, kind, n, 1) || (line && !once(p, kind, line)))
        return false;
    if (!parse_dec(f[0], UINT32_MAX, &v))
        return parse_error(p, "'%s': '%s' is not a decimal number below 2^32", kind, f[0]);
    *out = (uint32_t)v;
    return true;
}

static bool parse_simple(struct parser *p, const char *kind, char **f, int n)
{
    struct sidecar *const sc = p->sc;
    if (strcmp(kind, "dump") == 0)
        return parse_dump(p, f, n);
    if (strcmp(kind, "pid") == 0)
        return parse_u32_record(p, kind, f, n, &sc->pid, &sc->pid_line);
    if (strcmp(kind, "threads") == 0)
        return parse_u32_record(p, kind, f, n, &sc->threads, &sc->threads_line);
    if (strcmp(kind, "thread") == 0) {
        struct sc_ids *const t = APPEND(sc->thread, sc->thread_count);
        t->line = p->line;
        return parse_u32_record(p, kind, f, n, &t->id, NULL);
    }
    if (!fields_ok(p, "arch", n, 1) || !once(p, "arch", &sc->arch_line))
        return false;
    const char *const known[] = {"amd64", "x86", "arm64", "arm"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(f[0], known[i]) == 0) {
            sc->arch = xstrdup(f[0]);
            return true;
        }
    return parse_error(p, "arch '%s' is not amd64, x86, arm64 or arm", f[0]);
}

static bool parse_module_or_exception(struct parser *p, const char *kind, char **f, int n)
{
    struct sidecar *const sc = p->sc;
    if (!fields_ok(p, kind, n, 2))
        return false;
    uint64_t v;
    if (strcmp(kind, "module") == 0) {
        struct sc_module *const m = APPEND(sc->module, sc->module_count);
        m->line = p->line;
        m->name = xstrdup(f[1]);
        if (!parse_hex(f[0], UINT64_MAX, &m->base))
            return parse_error(p, "module: bad base '%s' (want 0x and hex digits)", f[0]);
        return true;
    }
    struct sc_ids *const e = APPEND(sc->exception, sc->exception_count);
    e->line = p->line;
    if (!parse_hex(f[0], UINT32_MAX, &v))
        return parse_error(p, "exception: bad code '%s' (want 0x and up to 8 hex digits)", f[0]);
    e->code = (uint32_t)v;
    if (!parse_dec(f[1], UINT32_MAX, &v))
        return parse_error(p, "exception: bad thread id '%s' (want decimal)", f[1]);
    e->id = (uint32_t)v;
    return true;
}

/* One line without its newline. */
static bool parse_line(struct parser *p, char *text)
{
    if (text[0] == '#' || text[0] == '\0')
        return true;
    char *const sp = strchr(text, ' ');
    const char *const kind = text;
    char *const rest = sp ? sp + 1 : text + strlen(text);
    if (sp)
        *sp = '\0';
    if (!p->have_header) {
        if (strcmp(kind, "dmpread-sidecar") != 0)
            return parse_error(p, "expected 'dmpread-sidecar 1' first, found '%s'", kind);
        if (strcmp(rest, "1") != 0)
            return parse_error(p, "unsupported sidecar version '%s' (this checker reads 1)", rest);
        p->have_header = true;
        return true;
    }
    char *f[MAX_FIELDS];
    if (strcmp(kind, "writer") == 0) {
        if (!rest[0])
            return parse_error(p, "'writer' needs a text");
        if (!once(p, "writer", &p->sc->writer_line))
            return false;
        p->sc->writer = xstrdup(rest);
        return true;
    }
    if (strcmp(kind, "pattern") == 0)
        return parse_pattern(p, f, split_fields(rest, f, MAX_FIELDS, false));
    if (strcmp(kind, "module") == 0 || strcmp(kind, "exception") == 0)
        return parse_module_or_exception(p, kind, f,
                                         split_fields(rest, f, 2, strcmp(kind, "module") == 0));
    if (strcmp(kind, "dump") == 0 || strcmp(kind, "pid") == 0 || strcmp(kind, "threads") == 0 ||
        strcmp(kind, "thread") == 0 || strcmp(kind, "arch") == 0)
        return parse_simple(p, kind, f, split_fields(rest, f, MAX_FIELDS, false));
    if (strcmp(kind, "dmpread-sidecar") == 0)
        return parse_error(p, "second 'dmpread-sidecar' record");
    return parse_error(p, "unknown record kind '%s'", kind);
}

/* Parses the sidecar at `path` into *sc (freed by sidecar_free, also after a failure).
 * False with "PATH:LINE: what" in err when the file breaks SIDECAR.md's rules. */
static bool sidecar_parse(const char *path, struct sidecar *sc, char *err, size_t cap)
{
    memset(sc, 0, sizeof *sc);
    sc->path = xstrdup(path);
    struct parser p = {sc, 0, false, err, cap};
    FILE *const fp = fopen(path, "r");
    if (!fp)
        return parse_error(&p, "cannot open: %s", strerror(errno));
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t got;
    bool ok = true;
    while (ok && (got = getline(&line, &line_cap, fp)) >= 0) {
        p.line++;
        if (got > 0 && line[got - 1] == '\n')
            line[got - 1] = '\0';
        ok = parse_line(&p, line);
    }
    free(line);
    fclose(fp);
    if (!ok)
        return false;
    p.line++; /* what is missing is missing at the end of the file */
    if (!p.have_header)
        return parse_error(&p, "no 'dmpread-sidecar 1' record (end of file)");
    if (!sc->dump_line)
        return parse_error(&p, "no 'dump' record (end of file)");
    if (sc->pattern_count == 0)
        return parse_error(&p, "no 'pattern' record (end of file): nothing to check");
    return true;
}

/* ---- Checking a dump against its sidecar --------------------------------------------------- */

/* Every disagreement found, one "PATH:LINE: what" per line. */
struct problems {
    const struct sidecar *sc;
    char text[16384];
    size_t len;
    unsigned count;
};

static void problem(struct problems *pr, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(struct problems *pr, unsigned line, const char *fmt, ...)
{
    pr->count++;
    if (pr->len >= sizeof pr->text - 1)
        return;
    char *const at = pr->text + pr->len;
    const size_t room = sizeof pr->text - pr->len;
    int n = snprintf(at, room, "%s:%u: ", pr->sc->path, line);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < room)
        n += vsnprintf(at + n, room - (size_t)n, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n + 1 < room)
        at[n++] = '\n';
    pr->len += n < 0 ? 0 : ((size_t)n < room ? (size_t)n : room - 1);
    pr->text[pr->len] = '\0';
}

static const char *expect_name(enum expect e)
{
    return e == EXPECT_ABSENT ? "absent" : e == EXPECT_SPANS ? "spans" : "captured";
}

/* Reads [addr, addr+len) (len > 0) and compares `cmp_len` bytes at offset `cmp_off` of it
 * with `want`. */
static void expect_read(const dmp_file *f, struct problems *pr, const struct sc_pattern *pat,
                        uint64_t addr, uint64_t len, uint64_t cmp_off)
{
    if (len > MAX_RUN_COPY) {
        uint64_t missing = 0;
        if (dmp_find_uncovered(f, addr, len, &missing) != DMP_OK)
            problem(pr, pat->line,
                    "pattern '%s': 0x%" PRIx64 "+0x%" PRIx64 " lies in a captured "
                    "run but is reported uncovered at 0x%" PRIx64,
                    pat->name, addr, len, missing);
        return;
    }
    uint8_t *const buf = xrealloc(NULL, (size_t)len);
    size_t got = 0;
    const dmp_status st = dmp_read_memory(f, addr, buf, (size_t)len, &got);
    if (st != DMP_OK || got != len) {
        problem(pr, pat->line,
                "pattern '%s': reading 0x%" PRIx64 "+0x%" PRIx64 " inside its "
                "captured run gave %s, %zu bytes",
                pat->name, addr, len, dmp_strerror(st), got);
    } else if (memcmp(buf + cmp_off, pat->bytes, pat->len) != 0) {
        problem(pr, pat->line,
                "pattern '%s': its bytes differ when read as part of 0x%" PRIx64 "+0x%" PRIx64,
                pat->name, addr, len);
    }
    free(buf);
}

/* A read of [addr, addr+len) must fail with `missing` as its first uncovered byte, leaving
 * the buffer alone. */
static void expect_fail_at(const dmp_file *f, struct problems *pr, const struct sc_pattern *pat,
                           uint64_t addr, uint64_t len, uint64_t missing)
{
    uint64_t first = 0;
    const dmp_status st = dmp_find_uncovered(f, addr, len, &first);
    if (st != DMP_E_UNMAPPED || first != missing)
        problem(pr, pat->line,
                "pattern '%s': 0x%" PRIx64 "+0x%" PRIx64 " should miss 0x%" PRIx64
                " first, got %s (first missing 0x%" PRIx64 ")",
                pat->name, addr, len, missing, dmp_strerror(st), first);
    if (len > MAX_RUN_COPY)
        return;
    uint8_t *const buf = xrealloc(NULL, (size_t)len);
    memset(buf, 0xa5, (size_t)len);
    size_t got = 1;
    const dmp_status rst = dmp_read_memory(f, addr, buf, (size_t)len, &got);
    size_t touched = 0;
    while (touched < len && buf[touched] == 0xa5)
        touched++;
    if (rst != DMP_E_UNMAPPED || got != 0 || touched != len)
        problem(pr, pat->line,
                "pattern '%s': the read of 0x%" PRIx64 "+0x%" PRIx64 " past its "
                "run gave %s with %zu bytes read%s",
                pat->name, addr, len, dmp_strerror(rst), got,
                touched != len ? " and wrote the buffer" : "");
    free(buf);
}

/* The captured run holding addr: index entries joined while they abut. *end is 0 when the
 * run reaches 2^64. */
static bool captured_run(const dmp_file *f, uint64_t addr, uint64_t *lo, uint64_t *end)
{
    size_t i;
    dmp_range r;
    if (dmp_range_find(f, addr, &i) != DMP_OK || dmp_range_get(f, i, &r) != DMP_OK)
        return false;
    *lo = r.addr;
    *end = r.addr + r.size;
    for (size_t k = i; k > 0 && dmp_range_get(f, k - 1, &r) == DMP_OK; k--) {
        if (r.addr + r.size != *lo)
            break;
        *lo = r.addr;
    }
    for (size_t k = i + 1; *end != 0 && dmp_range_get(f, k, &r) == DMP_OK; k++) {
        if (r.addr != *end)
            break;
        *end += r.size;
    }
    return true;
}

/* SIDECAR.md's coverage rule at both ends of the run holding a captured pattern. */
static void check_run_ends(const dmp_file *f, struct problems *pr, const struct sc_pattern *pat)
{
    uint64_t lo, end;
    if (!captured_run(f, pat->addr, &lo, &end)) {
        problem(pr, pat->line, "pattern '%s': no index entry holds 0x%" PRIx64, pat->name,
                pat->addr);
        return;
    }
    const uint64_t pat_end = pat->addr + pat->len; /* parse checked it does not wrap... */
    const uint64_t up_len = end - pat->addr;       /* ...and 0 - addr is 2^64 - addr */
    expect_read(f, pr, pat, pat->addr, up_len, 0);
    if (end != 0)
        expect_fail_at(f, pr, pat, pat->addr, up_len + 1, end);
    expect_read(f, pr, pat, lo, pat_end - lo, pat->addr - lo);
    if (lo != 0)
        expect_fail_at(f, pr, pat, lo - 1, pat_end - lo + 1, lo - 1);
}

/* `spans`: two abutting index entries from different descriptors meet inside the pattern. */
static void check_spans(const dmp_file *f, struct problems *pr, const struct sc_pattern *pat)
{
    size_t i;
    dmp_range a, b;
    if (dmp_range_find(f, pat->addr, &i) != DMP_OK || dmp_range_get(f, i, &a) != DMP_OK)
        return; /* the read already failed */
    for (; dmp_range_get(f, i + 1, &b) == DMP_OK && b.addr < pat->addr + pat->len; i++, a = b) {
        const bool same = a.stream_index == b.stream_index && a.descriptor == b.descriptor;
        if (a.addr + a.size == b.addr && !same)
            return;
    }
    problem(pr, pat->line,
            "pattern '%s' (spans): no two abutting captured ranges meet inside "
            "0x%" PRIx64 "+%zu",
            pat->name, pat->addr, pat->len);
}

static void check_captured(const dmp_file *f, struct problems *pr, const struct sc_pattern *pat)
{
    uint8_t *const buf = xrealloc(NULL, pat->len);
    size_t got = 0;
    uint64_t missing = 0;
    const dmp_status st = dmp_read_memory(f, pat->addr, buf, pat->len, &got);
    if (st != DMP_OK) {
        dmp_find_uncovered(f, pat->addr, pat->len, &missing);
        problem(pr, pat->line,
                "pattern '%s' (%s) at 0x%" PRIx64 "+%zu is not captured: %s, "
                "first missing byte 0x%" PRIx64,
                pat->name, expect_name(pat->expect), pat->addr, pat->len, dmp_strerror(st),
                missing);
        free(buf);
        return;
    }
    for (size_t k = 0; k < pat->len; k++)
        if (buf[k] != pat->bytes[k]) {
            problem(pr, pat->line,
                    "pattern '%s': byte %zu (0x%" PRIx64 ") is 0x%02x in the "
                    "dump, 0x%02x in the sidecar",
                    pat->name, k, pat->addr + k, buf[k], pat->bytes[k]);
            break;
        }
    free(buf);
    if (got != pat->len)
        problem(pr, pat->line, "pattern '%s': %zu bytes read, not %zu", pat->name, got, pat->len);
    if (pat->expect == EXPECT_SPANS)
        check_spans(f, pr, pat);
    check_run_ends(f, pr, pat);
}

static void check_absent(const dmp_file *f, struct problems *pr, const struct sc_pattern *pat)
{
    uint8_t *const buf = xrealloc(NULL, pat->len);
    memset(buf, 0xa5, pat->len);
    size_t got = 1;
    const dmp_status st = dmp_read_memory(f, pat->addr, buf, pat->len, &got);
    if (st == DMP_OK)
        problem(pr, pat->line, "pattern '%s' (absent) at 0x%" PRIx64 "+%zu is captured%s",
                pat->name, pat->addr, pat->len,
                memcmp(buf, pat->bytes, pat->len) == 0 ? ", with the target's bytes" : "");
    else if (st != DMP_E_UNMAPPED || got != 0)
        problem(pr, pat->line, "pattern '%s' (absent): the read gave %s with %zu bytes read",
                pat->name, dmp_strerror(st), got);
    free(buf);
    uint64_t missing = 0;
    const dmp_status ust = dmp_find_uncovered(f, pat->addr, pat->len, &missing);
    if (st != DMP_OK && (ust != DMP_E_UNMAPPED || missing - pat->addr >= pat->len))
        problem(pr, pat->line,
                "pattern '%s' (absent): dmp_find_uncovered gave %s, 0x%" PRIx64
                ", not a byte inside the pattern",
                pat->name, dmp_strerror(ust), missing);
}

/* True when `path` ends with the file name `name`, case-insensitively, at a separator. */
static bool name_matches(const char *path, const char *name)
{
    const size_t n = strlen(path), k = strlen(name);
    if (k > n || strcasecmp(path + n - k, name) != 0)
        return false;
    return k == n || path[n - k - 1] == '/' || path[n - k - 1] == '\\';
}

static void check_modules(const dmp_file *f, struct problems *pr)
{
    for (size_t i = 0; i < pr->sc->module_count; i++) {
        const struct sc_module *const want = &pr->sc->module[i];
        const char *at_base = NULL;
        bool found = false;
        dmp_module m;
        for (size_t k = 0; !found && dmp_module_get(f, k, &m) == DMP_OK; k++) {
            if (m.base == want->base) {
                at_base = m.name;
                found = name_matches(m.name, want->name);
            }
        }
        if (!found)
            problem(pr, want->line, "module %s at 0x%" PRIx64 ": %s%s%s", want->name, want->base,
                    at_base ? "the module there is named '" : "no module has that base",
                    at_base ? at_base : "", at_base ? "'" : "");
    }
}

static void check_threads(const dmp_file *f, struct problems *pr)
{
    const struct sidecar *const sc = pr->sc;
    if (sc->threads_line && dmp_thread_count(f) != sc->threads)
        problem(pr, sc->threads_line, "threads %" PRIu32 ": the dump lists %zu", sc->threads,
                dmp_thread_count(f));
    for (size_t i = 0; i < sc->thread_count; i++) {
        size_t index;
        if (dmp_thread_find(f, sc->thread[i].id, &index) != DMP_OK)
            problem(pr, sc->thread[i].line, "thread %" PRIu32 " is not in the dump's thread list",
                    sc->thread[i].id);
    }
}

static void check_exceptions(const dmp_file *f, struct problems *pr)
{
    for (size_t i = 0; i < pr->sc->exception_count; i++) {
        const struct sc_ids *const want = &pr->sc->exception[i];
        bool found = false;
        dmp_exception e = {0};
        for (size_t k = 0; !found && dmp_exception_get(f, k, &e) == DMP_OK; k++)
            found = e.code == want->code && e.thread_id == want->id;
        if (!found)
            problem(pr, want->line,
                    "exception 0x%08" PRIx32 " in thread %" PRIu32 ": the dump "
                    "has %zu exception stream(s)%s",
                    want->code, want->id, dmp_exception_count(f),
                    dmp_exception_count(f) ? ", none with that code and thread" : "");
    }
}

static void check_process(const dmp_file *f, struct problems *pr)
{
    const struct sidecar *const sc = pr->sc;
    dmp_misc_info mi;
    if (sc->pid_line && dmp_get_misc_info(f, &mi) == DMP_OK && (mi.flags & DMP_MISC_PROCESS_ID) &&
        mi.process_id != sc->pid)
        problem(pr, sc->pid_line, "pid %" PRIu32 ": MiscInfoStream says %" PRIu32, sc->pid,
                mi.process_id);
    dmp_system_info si;
    if (sc->arch && dmp_get_system_info(f, &si) == DMP_OK) {
        const char *const name = dmp_arch_name(si.arch);
        if (!name || strcmp(name, sc->arch) != 0)
            problem(pr, sc->arch_line, "arch %s: SystemInfoStream says %s (%u)", sc->arch,
                    name ? name : "unknown", (unsigned)si.arch);
    }
}

/* Checks an open dump against its sidecar, collecting every disagreement in *pr. */
static void check_dump(const dmp_file *f, const struct sidecar *sc, struct problems *pr)
{
    memset(pr, 0, sizeof *pr);
    pr->sc = sc;
    check_process(f, pr);
    check_threads(f, pr);
    check_modules(f, pr);
    check_exceptions(f, pr);
    for (size_t i = 0; i < sc->pattern_count; i++) {
        if (sc->pattern[i].expect == EXPECT_ABSENT)
            check_absent(f, pr, &sc->pattern[i]);
        else
            check_captured(f, pr, &sc->pattern[i]);
    }
}

/* Parses a sidecar, opens its dump and checks it: the test fails listing every problem. */
static void check_sidecar_file(const char *path)
{
    struct sidecar sc;
    char err[1024];
    const bool parsed = sidecar_parse(path, &sc, err, sizeof err);
    ck_assert_msg(parsed, "%s", err);
    dmp_file *f = NULL;
    dmp_error e;
    const dmp_status st = dmp_open_ex(sc.dump, NULL, &f, &e);
    ck_assert_msg(st == DMP_OK, "%s:%u: cannot open %s: %s", path, sc.dump_line, sc.dump,
                  e.message);
    struct problems pr;
    check_dump(f, &sc, &pr);
    printf("%s: %zu patterns, %zu threads, %zu modules, %zu exceptions: %u problem(s)\n", path,
           sc.pattern_count, sc.thread_count, sc.module_count, sc.exception_count, pr.count);
    if (pr.count)
        fprintf(stderr, "%s", pr.text);
    ck_assert_msg(pr.count == 0, "%u problem(s):\n%s", pr.count, pr.text);
    dmp_close(f);
    sidecar_free(&sc);
}

/* ---- The dumps ----------------------------------------------------------------------------- */

struct sidecar_list {
    char **path;
    size_t count;
    const char *dir;
};

static struct sidecar_list committed, fresh;

static int is_sidecar(const struct dirent *d)
{
    const size_t n = strlen(d->d_name);
    return n > 8 && strcmp(d->d_name + n - 8, ".sidecar") == 0;
}

/* Every *.sidecar in dir, sorted; false when the folder cannot be read. */
static bool collect(const char *dir, struct sidecar_list *out)
{
    struct dirent **names = NULL;
    const int n = scandir(dir, &names, is_sidecar, alphasort);
    out->dir = dir;
    if (n < 0)
        return false;
    out->path = xrealloc(NULL, (size_t)n * sizeof *out->path);
    for (int i = 0; i < n; i++) {
        out->path[i] = xrealloc(NULL, strlen(dir) + strlen(names[i]->d_name) + 2);
        sprintf(out->path[i], "%s/%s", dir, names[i]->d_name);
        free(names[i]);
    }
    free(names);
    out->count = (size_t)n;
    return true;
}

START_TEST(committed_dump)
{
    check_sidecar_file(committed.path[_i]);
}
END_TEST

START_TEST(fresh_dump)
{
    check_sidecar_file(fresh.path[_i]);
}
END_TEST

START_TEST(no_committed_sidecars)
{
    ck_abort_msg("no *.sidecar in %s: the committed writer dumps are missing", committed.dir);
}
END_TEST

START_TEST(no_fresh_sidecars)
{
    ck_abort_msg("DMPREAD_WRITERS_DIR=%s holds no readable *.sidecar: the capture wrote nothing",
                 fresh.dir);
}
END_TEST

/* ---- Temp files for the parser and checker cases ------------------------------------------- */

struct tmp {
    char dir[512];
    char path[600];
};

static void tmp_text(struct tmp *t, const char *name, const char *text)
{
    if (!t->dir[0]) {
        const char *const base = getenv("TMPDIR");
        snprintf(t->dir, sizeof t->dir, "%s/dmpread-writers-XXXXXX", base && *base ? base : "/tmp");
        ck_assert_ptr_nonnull(mkdtemp(t->dir));
    }
    snprintf(t->path, sizeof t->path, "%s/%s", t->dir, name);
    FILE *const fp = fopen(t->path, "w");
    ck_assert_ptr_nonnull(fp);
    ck_assert_int_eq(fputs(text, fp) >= 0, 1);
    ck_assert_int_eq(fclose(fp), 0);
}

static void tmp_cleanup(struct tmp *t, const char *const *names, size_t n)
{
    char path[700];
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", t->dir, names[i]);
        unlink(path);
    }
    rmdir(t->dir);
}

/* ---- Parser cases -------------------------------------------------------------------------- */

#define HEAD "dmpread-sidecar 1\ndump x.dmp\n"
#define PAT4 "pattern p 0x1000 4 captured 0a1b2c3d\n"

START_TEST(parser_accepts)
{
    struct tmp t = {{0}, {0}};
    tmp_text(&t, "ok.sidecar",
             "# a comment\n\ndmpread-sidecar 1\ndump sub/x.dmp.gz\nwriter some tool  --flag x\n"
             "arch arm64\npid 4242\nthreads 3\nthread 7\nthread 4294967295\n"
             "module 0x7ff600000000 My Program.EXE\nexception 0xc0000005 7\n" PAT4
             "pattern q 0xfffffffffffffffe 2 absent ff00\n");
    struct sidecar sc;
    char err[512] = "";
    ck_assert_msg(sidecar_parse(t.path, &sc, err, sizeof err), "%s", err);
    char want_dump[700];
    snprintf(want_dump, sizeof want_dump, "%s/sub/x.dmp.gz", t.dir);
    ck_assert_str_eq(sc.dump, want_dump);
    ck_assert_uint_eq(sc.dump_line, 4);
    ck_assert_str_eq(sc.writer, "some tool  --flag x");
    ck_assert_str_eq(sc.arch, "arm64");
    ck_assert_uint_eq(sc.pid, 4242);
    ck_assert_uint_eq(sc.threads, 3);
    ck_assert_uint_eq(sc.thread_count, 2);
    ck_assert_uint_eq(sc.thread[1].id, UINT32_MAX);
    ck_assert_uint_eq(sc.module_count, 1);
    ck_assert_uint_eq(sc.module[0].base, 0x7ff600000000u);
    ck_assert_str_eq(sc.module[0].name, "My Program.EXE");
    ck_assert_uint_eq(sc.exception[0].code, 0xc0000005u);
    ck_assert_uint_eq(sc.exception[0].id, 7);
    ck_assert_uint_eq(sc.pattern_count, 2);
    ck_assert_uint_eq(sc.pattern[0].addr, 0x1000);
    ck_assert_uint_eq(sc.pattern[0].len, 4);
    ck_assert_int_eq(sc.pattern[0].expect, EXPECT_CAPTURED);
    ck_assert_int_eq(memcmp(sc.pattern[0].bytes, "\x0a\x1b\x2c\x3d", 4), 0);
    ck_assert_uint_eq(sc.pattern[0].line, 13);
    ck_assert_int_eq(sc.pattern[1].expect, EXPECT_ABSENT);
    ck_assert_uint_eq(sc.pattern[1].bytes[0], 0xff);
    sidecar_free(&sc);
    tmp_cleanup(&t, (const char *const[]){"ok.sidecar"}, 1);
}
END_TEST

struct reject_case {
    const char *text;
    unsigned line;      /* the line the error must name */
    const char *needle; /* and a phrase it must hold */
};

static const struct reject_case rejects[] = {
    {"", 1, "no 'dmpread-sidecar 1'"},
    {"# only a comment\n", 2, "no 'dmpread-sidecar 1'"},
    {"dump x.dmp\n" PAT4, 1, "expected 'dmpread-sidecar 1' first"},
    {"dmpread-sidecar 2\ndump x.dmp\n" PAT4, 1, "unsupported sidecar version '2'"},
    {"dmpread-sidecar\n", 1, "unsupported sidecar version ''"},
    {HEAD "dmpread-sidecar 1\n", 3, "second 'dmpread-sidecar'"},
    {HEAD "colour blue\n" PAT4, 3, "unknown record kind 'colour'"},
    {HEAD "Pattern p 0x1000 4 captured 0a1b2c3d\n", 3, "unknown record kind 'Pattern'"},
    {HEAD "pattern p 0x1000 4 captured 0a1b2c3g\n", 3, "'g' at HEX position 7"},
    {HEAD "pattern p 0x1000 4 captured 0A1B2C3D\n", 3, "'A' at HEX position 1"},
    {HEAD "pattern p 0x1000 4 captured 0a1b2c\n", 3, "6 hex digits for LEN 4"},
    {HEAD "pattern p 0x1000 4 captured 0a1b2c3d4e\n", 3, "10 hex digits for LEN 4"},
    {HEAD "pattern p 0x1000 0 captured \n", 3, "empty field"},
    {HEAD "pattern p 0x1000 0 captured 00\n", 3, "bad LEN '0'"},
    {HEAD "pattern p 0x1000 4x captured 0a1b2c3d\n", 3, "bad LEN '4x'"},
    {HEAD "pattern p 1000 4 captured 0a1b2c3d\n", 3, "bad address '1000'"},
    {HEAD "pattern p 0x 4 captured 0a1b2c3d\n", 3, "bad address '0x'"},
    {HEAD "pattern p 0x10000000000000000 1 captured 00\n", 3, "bad address"},
    {HEAD "pattern p 0xffffffffffffffff 2 captured 0000\n", 3, "runs past 2^64"},
    {HEAD "pattern p 0x1000 4 kept 0a1b2c3d\n", 3, "EXPECT 'kept'"},
    {HEAD "pattern p 0x1000 4 captured\n", 3, "takes 5 fields, this line has 4"},
    {HEAD "pattern p 0x1000 4 captured 0a1b2c3d extra\n", 3, "takes 5 fields, this line has 6"},
    {HEAD "pattern p  0x1000 4 captured 0a1b2c3d\n", 3, "empty field"},
    {HEAD "pattern p 0x1000 4 captured 0a1b2c3d \n", 3, "empty field"},
    {HEAD "pattern p 0x1000 4 captured 0a1b2c3d\r\n", 3, "9 hex digits for LEN 4"},
    {HEAD PAT4 "dump y.dmp\n", 4, "second 'dump' record (the first is on line 2)"},
    {"dmpread-sidecar 1\n" PAT4, 3, "no 'dump' record"},
    {HEAD "# no patterns\n", 4, "no 'pattern' record"},
    {"dmpread-sidecar 1\ndump /abs/x.dmp\n" PAT4, 2, "must be relative"},
    {HEAD "dump\n" PAT4, 3, "'dump' takes 1 field, this line has 0"},
    {HEAD "pid -1\n" PAT4, 3, "'pid': '-1' is not a decimal"},
    {HEAD "pid 4294967296\n" PAT4, 3, "'pid': '4294967296' is not a decimal"},
    {HEAD "pid 1\npid 1\n" PAT4, 4, "second 'pid' record"},
    {HEAD "threads 0x3\n" PAT4, 3, "'threads': '0x3'"},
    {HEAD "thread 7 8\n" PAT4, 3, "'thread' takes 1 field, this line has 2"},
    {HEAD "arch mips\n" PAT4, 3, "arch 'mips'"},
    {HEAD "arch amd64\narch amd64\n" PAT4, 4, "second 'arch' record"},
    {HEAD "writer\n" PAT4, 3, "'writer' needs a text"},
    {HEAD "writer a\nwriter b\n" PAT4, 4, "second 'writer' record"},
    {HEAD "module 7ff6 a.exe\n" PAT4, 3, "module: bad base '7ff6'"},
    {HEAD "module 0x7ff6\n" PAT4, 3, "'module' takes 2 fields, this line has 1"},
    {HEAD "exception 0x100000000 7\n" PAT4, 3, "exception: bad code"},
    {HEAD "exception 0xc0000005 0x7\n" PAT4, 3, "exception: bad thread id '0x7'"},
    {HEAD "exception 0xc0000005\n" PAT4, 3, "'exception' takes 2 fields, this line has 1"},
};

START_TEST(parser_rejects)
{
    const struct reject_case *const c = &rejects[_i];
    struct tmp t = {{0}, {0}};
    tmp_text(&t, "bad.sidecar", c->text);
    struct sidecar sc;
    char err[512] = "";
    const bool ok = sidecar_parse(t.path, &sc, err, sizeof err);
    sidecar_free(&sc);
    char where[700];
    snprintf(where, sizeof where, "%s:%u: ", t.path, c->line);
    tmp_cleanup(&t, (const char *const[]){"bad.sidecar"}, 1);
    ck_assert_msg(!ok, "case %d was accepted", _i);
    ck_assert_msg(strncmp(err, where, strlen(where)) == 0, "case %d: '%s' does not start with '%s'",
                  _i, err, where);
    ck_assert_msg(strstr(err, c->needle) != NULL, "case %d: '%s' lacks '%s'", _i, err, c->needle);
}
END_TEST

START_TEST(parser_missing_file)
{
    struct sidecar sc;
    char err[512] = "";
    ck_assert(!sidecar_parse("/nonexistent/dir/none.sidecar", &sc, err, sizeof err));
    sidecar_free(&sc);
    ck_assert_msg(strstr(err, "/nonexistent/dir/none.sidecar:0: cannot open") == err, "%s", err);
}
END_TEST

/* ---- The checker checks itself ------------------------------------------------------------- *
 * A dump built here: memory [0x10000,0x11000) tag 1 abutting [0x11000,0x12000) tag 2 (two
 * descriptors), [0x20000,0x20100) tag 3; thread 77; module pattern_target.exe at 0x400000;
 * an access violation in thread 77; pid 4242; amd64. */

static uint8_t built_byte(uint64_t addr)
{
    if (addr >= 0x10000 && addr < 0x11000)
        return mkd_byte(1, addr);
    if (addr >= 0x11000 && addr < 0x12000)
        return mkd_byte(2, addr);
    if (addr >= 0x20000 && addr < 0x20100)
        return mkd_byte(3, addr);
    return 0;
}

static uint32_t add_utf16_string(struct mkdump *b, const char *ascii)
{
    uint8_t buf[256];
    const size_t n = strlen(ascii);
    ck_assert_uint_lt(4 + 2 * n + 2, sizeof buf);
    memset(buf, 0, sizeof buf);
    mkd_store_u32(buf, (uint32_t)(2 * n));
    for (size_t i = 0; i < n; i++)
        buf[4 + 2 * i] = (uint8_t)ascii[i];
    return (uint32_t)mkd_append(b, buf, 4 + 2 * n + 2);
}

static void add_triage_streams(struct mkdump *b)
{
    uint8_t sys[56] = {0}, misc[24] = {0}, threads[4 + 48] = {0}, mods[4 + 108] = {0};
    uint8_t exc[168] = {0};
    mkd_store_u16(sys, DMP_ARCH_AMD64);
    mkd_store_u32(sys + 20, DMP_PLATFORM_WINNT);
    mkd_store_u32(sys + 24, add_utf16_string(b, ""));
    mkd_add_stream_data(b, DMP_STREAM_SYSTEM_INFO, sys, sizeof sys);
    mkd_store_u32(misc, sizeof misc);
    mkd_store_u32(misc + 4, DMP_MISC_PROCESS_ID);
    mkd_store_u32(misc + 8, 4242);
    mkd_add_stream_data(b, DMP_STREAM_MISC_INFO, misc, sizeof misc);
    mkd_store_u32(threads, 1);
    mkd_store_u32(threads + 4, 77);
    mkd_add_stream_data(b, DMP_STREAM_THREAD_LIST, threads, sizeof threads);
    mkd_store_u32(mods, 1);
    mkd_store_u64(mods + 4, 0x400000);
    mkd_store_u32(mods + 4 + 8, 0x1000);
    mkd_store_u32(mods + 4 + 20, add_utf16_string(b, "C:\\app\\Pattern_Target.exe"));
    mkd_add_stream_data(b, DMP_STREAM_MODULE_LIST, mods, sizeof mods);
    mkd_store_u32(exc, 77);
    mkd_store_u32(exc + 8, 0xc0000005);
    mkd_add_stream_data(b, DMP_STREAM_EXCEPTION, exc, sizeof exc);
}

static void build_dump(struct tmp *t)
{
    struct mkdump *const b = mkd_new(0);
    add_triage_streams(b);
    const struct mkd_range r[] = {{0x10000, 0x1000, 1, false, 0},
                                  {0x11000, 0x1000, 2, false, 0},
                                  {0x20000, 0x100, 3, false, 0}};
    mkd_add_memory_list(b, r, 3, false);
    snprintf(t->path, sizeof t->path, "%s/built.dmp", t->dir);
    ck_assert(mkd_write_file(b, t->path));
    mkd_free(b);
}

/* "pattern NAME 0xADDR LEN EXPECT HEX" with the built dump's bytes (0 where uncaptured),
 * the byte at `flip` (an offset, or -1) inverted. */
static void pattern_line(char *out, size_t cap, const char *name, uint64_t addr, size_t len,
                         const char *expect, long flip)
{
    int n = snprintf(out, cap, "pattern %s 0x%" PRIx64 " %zu %s ", name, addr, len, expect);
    for (size_t i = 0; i < len && n > 0 && (size_t)n < cap; i++) {
        const uint8_t v = (uint8_t)(built_byte(addr + i) ^ ((long)i == flip ? 0xff : 0));
        n += snprintf(out + n, cap - (size_t)n, "%02x", v);
    }
}

#define GOOD_LINES 14

/* The sidecar that matches the built dump, one record per line (line k is good[k - 1]). */
static void good_sidecar(char good[GOOD_LINES][160])
{
    const char *const fixed[] = {"dmpread-sidecar 1",
                                 "dump built.dmp",
                                 "writer tests/test_writers.c",
                                 "arch amd64",
                                 "pid 4242",
                                 "threads 1",
                                 "thread 77",
                                 "module 0x400000 PATTERN_TARGET.EXE",
                                 "exception 0xc0000005 77"};
    for (size_t i = 0; i < 9; i++)
        snprintf(good[i], 160, "%s", fixed[i]);
    pattern_line(good[9], 160, "inside", 0x10100, 16, "captured", -1);
    pattern_line(good[10], 160, "across", 0x10ff8, 16, "spans", -1);
    pattern_line(good[11], 160, "alone", 0x20000, 0x20, "captured", -1);
    pattern_line(good[12], 160, "nowhere", 0x30000, 8, "absent", -1);
    pattern_line(good[13], 160, "half", 0x200f8, 16, "absent", -1);
}

/* Writes the good sidecar with line `line` (1-based; 0: none) replaced, checks the dump
 * against it and returns the problems. */
static void check_variant(struct tmp *t, unsigned line, const char *replacement,
                          struct problems *pr, struct sidecar *sc)
{
    char good[GOOD_LINES][160];
    good_sidecar(good);
    char text[GOOD_LINES * 161 + 1] = "";
    for (unsigned i = 0; i < GOOD_LINES; i++) {
        strcat(text, i + 1 == line ? replacement : good[i]);
        strcat(text, "\n");
    }
    tmp_text(t, "built.sidecar", text);
    char err[512];
    ck_assert_msg(sidecar_parse(t->path, sc, err, sizeof err), "%s", err);
    dmp_file *f = NULL;
    ck_assert_int_eq(dmp_open(sc->dump, &f), DMP_OK);
    check_dump(f, sc, pr);
    dmp_close(f);
}

START_TEST(checker_passes_good_sidecar)
{
    struct tmp t = {{0}, {0}};
    tmp_text(&t, "built.sidecar", "");
    build_dump(&t);
    struct problems pr;
    struct sidecar sc;
    check_variant(&t, 0, NULL, &pr, &sc);
    sidecar_free(&sc);
    tmp_cleanup(&t, (const char *const[]){"built.sidecar", "built.dmp"}, 2);
    ck_assert_msg(pr.count == 0, "%s", pr.text);
}
END_TEST

struct mutation {
    unsigned line; /* of the good sidecar */
    const char *text;
    const char *needle;
};

static const struct mutation mutations[] = {
    {4, "arch x86", "SystemInfoStream says amd64"},
    {5, "pid 4243", "MiscInfoStream says 4242"},
    {6, "threads 2", "the dump lists 1"},
    {7, "thread 78", "thread 78 is not in the dump's thread list"},
    {8, "module 0x400000 other.exe", "the module there is named"},
    {8, "module 0x400000 Target.exe", "the module there is named"},
    {8, "module 0x401000 pattern_target.exe", "no module has that base"},
    {9, "exception 0xc0000006 77", "none with that code and thread"},
    {9, "exception 0xc0000005 78", "none with that code and thread"},
    {10, NULL, "byte 5 (0x10105) is"}, /* inside, one byte flipped */
    {10, NULL, "is captured"},         /* inside, marked absent */
    {11, NULL, "no two abutting"},     /* a spans pattern within one range */
    {12, NULL, "is not captured"},     /* alone, running past its range */
    {13, NULL, "is not captured"},     /* nowhere, marked captured */
    {14, NULL, "is not captured"},     /* half, marked captured */
};

/* The pattern lines of the mutations above that need computed bytes. */
static void mutated_pattern(int i, char *out, size_t cap)
{
    switch (i) {
    case 9:
        pattern_line(out, cap, "inside", 0x10100, 16, "captured", 5);
        break;
    case 10:
        pattern_line(out, cap, "inside", 0x10100, 16, "absent", -1);
        break;
    case 11:
        pattern_line(out, cap, "across", 0x10f00, 16, "spans", -1);
        break;
    case 12:
        pattern_line(out, cap, "alone", 0x200f0, 0x20, "captured", -1);
        break;
    case 13:
        pattern_line(out, cap, "nowhere", 0x30000, 8, "captured", -1);
        break;
    default:
        pattern_line(out, cap, "half", 0x200f8, 16, "captured", -1);
        break;
    }
}

START_TEST(checker_catches_mutation)
{
    const struct mutation *const m = &mutations[_i];
    char line[160];
    if (m->text)
        snprintf(line, sizeof line, "%s", m->text);
    else
        mutated_pattern(_i, line, sizeof line);
    struct tmp t = {{0}, {0}};
    tmp_text(&t, "built.sidecar", "");
    build_dump(&t);
    struct problems pr;
    struct sidecar sc;
    check_variant(&t, m->line, line, &pr, &sc);
    char where[700];
    snprintf(where, sizeof where, "%s/built.sidecar:%u: ", t.dir, m->line);
    sidecar_free(&sc);
    tmp_cleanup(&t, (const char *const[]){"built.sidecar", "built.dmp"}, 2);
    ck_assert_msg(pr.count > 0, "mutation %d (line %u: %s) went unnoticed", _i, m->line, line);
    ck_assert_msg(strstr(pr.text, where) != NULL, "mutation %d: no problem on line %u:\n%s", _i,
                  m->line, pr.text);
    ck_assert_msg(strstr(pr.text, m->needle) != NULL, "mutation %d: '%s' not in:\n%s", _i,
                  m->needle, pr.text);
}
END_TEST

/* The module-name rule on its own: a suffix only at a path separator, any case. */
START_TEST(module_names)
{
    ck_assert(name_matches("/usr/bin/pattern_target", "pattern_target"));
    ck_assert(name_matches("C:\\t\\PATTERN_TARGET.EXE", "pattern_target.exe"));
    ck_assert(name_matches("pattern_target.exe", "pattern_target.exe"));
    ck_assert(!name_matches("/usr/bin/my_pattern_target", "pattern_target"));
    ck_assert(!name_matches("target", "pattern_target"));
}
END_TEST

/* ---- Suite --------------------------------------------------------------------------------- */

static void add_dump_cases(Suite *s, const char *name, const struct sidecar_list *l,
                           const TTest *each, const TTest *none)
{
    TCase *const tc = tcase_create(name);
    tcase_set_timeout(tc, 300);
    if (l->count)
        tcase_add_loop_test(tc, each, 0, (int)l->count);
    else
        tcase_add_test(tc, none);
    suite_add_tcase(s, tc);
}

int main(void)
{
    collect(DMPREAD_TESTDATA "/writers", &committed);
    const char *const fresh_dir = getenv("DMPREAD_WRITERS_DIR");
    if (fresh_dir && *fresh_dir)
        collect(fresh_dir, &fresh);
    printf("test_writers: %zu sidecar(s) in %s", committed.count, committed.dir);
    if (fresh.dir)
        printf(", %zu in DMPREAD_WRITERS_DIR=%s", fresh.count, fresh.dir);
    printf("\n");

    Suite *const s = suite_create("writers");
    TCase *const parser = tcase_create("sidecar-parser");
    tcase_add_test(parser, parser_accepts);
    tcase_add_loop_test(parser, parser_rejects, 0, (int)(sizeof rejects / sizeof rejects[0]));
    tcase_add_test(parser, parser_missing_file);
    suite_add_tcase(s, parser);
    TCase *const checker = tcase_create("checker");
    tcase_add_test(checker, checker_passes_good_sidecar);
    tcase_add_loop_test(checker, checker_catches_mutation, 0,
                        (int)(sizeof mutations / sizeof mutations[0]));
    tcase_add_test(checker, module_names);
    suite_add_tcase(s, checker);
    add_dump_cases(s, "committed", &committed, committed_dump, no_committed_sidecars);
    if (fresh.dir)
        add_dump_cases(s, "fresh", &fresh, fresh_dump, no_fresh_sidecars);
    return run_suite(s);
}
