/* gen_sym.c - gen_sym: writes a large Breakpad .sym for the benchmarks from real ones.
 * SPDX-License-Identifier: MIT
 *
 * Reads the source .sym files named on the command line (the shared ones in
 * ../shared/symbols; they are read at run time, never copied into the repository) and writes
 * copies of their records, round-robin over the sources, until the output reaches --size.
 * Each copy is shifted: every address (FUNC, PUBLIC, line, INLINE ranges, STACK CFI INIT and
 * delta, STACK WIN) gets the copy's base added, bases grow with the copies (each copy starts
 * --align above the end of the previous one), and FILE and INLINE_ORIGIN ids are renumbered
 * per copy, with the line and INLINE records that use them. Everything else in a record (names,
 * sizes, CFI and WIN programs) is copied byte for byte.
 *
 * The layout follows dump_syms, as seen in the shared files: MODULE and INFO, every FILE
 * record, every INLINE_ORIGIN record, then FUNC (each with its INLINE and line records) and
 * PUBLIC records together in address order, then STACK CFI INIT (each with its deltas), then
 * STACK WIN. By default each source's blocks are sorted by address within their kind once at
 * load (a few shared files, from older dump_syms, have unsorted PUBLIC, STACK CFI or STACK WIN
 * runs), so the whole output is sorted per kind; --keep-order keeps each source's own order.
 *
 * On success one line of key=value facts goes to stdout (bytes, copies, lo/hi address range,
 * record counts), then one "mix" line per source (its bytes and copies).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "benchutil.h"

enum piece_kind { P_LIT, P_ADDR, P_FILE, P_ORIGIN, P_NL };
enum section { S_FILE, S_ORIGIN, S_FUNC, S_CFI, S_WIN, S_COUNT };
enum counter {
    C_FUNC,
    C_PUBLIC,
    C_LINE,
    C_INLINE,
    C_CFI_INIT,
    C_CFI_DELTA,
    C_WIN,
    C_FILE,
    C_ORIGIN,
    C_SKIPPED,
    C_COUNT
};
static const char *const counter_names[C_COUNT] = {"func",     "public",    "line", "inline",
                                                   "cfi_init", "cfi_delta", "win",  "file",
                                                   "origin",   "skipped"};

/* A run of output: literal bytes of the source, a number to shift, or a line end. */
struct piece {
    uint32_t kind;
    uint32_t len; /* P_LIT */
    uint64_t val; /* P_LIT: offset in the source text; else the number as read */
};

/* A record and the records that belong to it (a FUNC's lines, an INIT's deltas). */
struct block {
    uint64_t key; /* its address, for sorting */
    size_t first; /* its pieces */
    size_t count;
};

struct vec {
    void *p;
    size_t n, cap;
};

struct source {
    const char *path;
    char *text;
    size_t text_len;
    struct vec pieces;             /* struct piece */
    struct vec blocks[S_COUNT];    /* struct block */
    uint64_t extent;               /* one past the highest address any record covers */
    uint64_t lo;                   /* the lowest address of any record */
    uint64_t file_ids, origin_ids; /* one past the highest id of each */
    uint64_t counts[C_COUNT];
    bool old_inline; /* INLINE without call-site file, INLINE_ORIGIN with a file id */
    uint64_t copies, bytes_out;
};

/* One copy of one source in the output. */
struct copy {
    struct source *src;
    uint64_t base, file_base, origin_base;
};

struct options {
    uint64_t size;
    uint64_t align;
    bool keep_order;
    const char *module;
    const char *out;
    const char **sources;
    size_t nsources;
};

static const char usage_text[] =
    "usage: gen_sym [OPTIONS] OUT.sym SOURCE.sym...\n"
    "  -s, --size BYTES   stop once the output reaches this size (default 500M)\n"
    "  --align BYTES      each copy's base is a multiple of this (default 64K)\n"
    "  --keep-order       keep each source's record order (default: sorted per kind)\n"
    "  --module TEXT      the MODULE line's fields (default \"Linux x86_64 "
    "5EB0000000000000000000000000000A0 dmpread-bench\")\n"
    "BYTES take a K, M, G or T suffix (powers of 1024).\n";

static void die(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2), noreturn))
#endif
    ;

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("gen_sym: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void *vec_push(struct vec *v, size_t elem)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 1024;
        v->p = realloc(v->p, v->cap * elem);
        if (!v->p)
            die("%s", "out of memory");
    }
    return (char *)v->p + elem * v->n++;
}

/* ---- reading a source ------------------------------------------------------------------- */

/* The tokens of one line: offsets in the source text. */
#define MAX_TOKENS 4096
struct tokens {
    size_t n;
    size_t start[MAX_TOKENS], end[MAX_TOKENS];
};

static void tokenize(const char *t, size_t from, size_t to, struct tokens *tk)
{
    tk->n = 0;
    size_t i = from;
    while (i < to && tk->n < MAX_TOKENS) {
        while (i < to && t[i] == ' ')
            i++;
        if (i == to)
            break;
        tk->start[tk->n] = i;
        while (i < to && t[i] != ' ')
            i++;
        tk->end[tk->n++] = i;
    }
}

static bool parse_hex(const char *t, size_t from, size_t to, uint64_t *out)
{
    uint64_t v = 0;
    if (from == to || to - from > 16)
        return false;
    for (size_t i = from; i < to; i++) {
        const char c = t[i];
        const int d = c >= '0' && c <= '9'   ? c - '0'
                      : c >= 'a' && c <= 'f' ? c - 'a' + 10
                      : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                             : -1;
        if (d < 0)
            return false;
        v = v << 4 | (uint64_t)d;
    }
    *out = v;
    return true;
}

static bool parse_dec(const char *t, size_t from, size_t to, uint64_t *out)
{
    uint64_t v = 0;
    if (from == to || to - from > 18)
        return false;
    for (size_t i = from; i < to; i++) {
        if (t[i] < '0' || t[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(t[i] - '0');
    }
    *out = v;
    return true;
}

/* Builds a line's pieces: literal text up to each number, the number, and so on. */
struct builder {
    struct source *s;
    size_t lit_from; /* where the pending literal starts */
    bool ok;
};

static void push_lit(struct builder *b, size_t to)
{
    if (to > b->lit_from) {
        struct piece *const p = vec_push(&b->s->pieces, sizeof *p);
        *p = (struct piece){P_LIT, (uint32_t)(to - b->lit_from), b->lit_from};
    }
}

/* Token k of the line as a number of `kind` (hex for addresses, decimal for ids). */
static uint64_t push_num(struct builder *b, const struct tokens *tk, size_t k, uint32_t kind)
{
    uint64_t v = 0;
    if (k >= tk->n) {
        b->ok = false;
        return 0;
    }
    const bool ok = kind == P_ADDR ? parse_hex(b->s->text, tk->start[k], tk->end[k], &v)
                                   : parse_dec(b->s->text, tk->start[k], tk->end[k], &v);
    if (!ok) {
        b->ok = false;
        return 0;
    }
    push_lit(b, tk->start[k]);
    struct piece *const p = vec_push(&b->s->pieces, sizeof *p);
    *p = (struct piece){kind, 0, v};
    b->lit_from = tk->end[k];
    return v;
}

static uint64_t tok_hex(const struct source *s, const struct tokens *tk, size_t k)
{
    uint64_t v = 0;
    if (k < tk->n)
        parse_hex(s->text, tk->start[k], tk->end[k], &v);
    return v;
}

static bool tok_is(const struct source *s, const struct tokens *tk, size_t k, const char *word)
{
    const size_t n = strlen(word);
    return k < tk->n && tk->end[k] - tk->start[k] == n &&
           memcmp(s->text + tk->start[k], word, n) == 0;
}

static void cover(struct source *s, uint64_t addr, uint64_t size)
{
    const uint64_t end = addr + (size ? size : 1);
    s->extent = end > s->extent ? end : s->extent;
    s->lo = addr < s->lo ? addr : s->lo;
}

/* The record's section, or -1 for one that belongs to the block above (line, INLINE, delta),
 * or -2 for one that is not copied. Pushes the record's pieces. */
static int parse_record(struct builder *b, const struct tokens *tk, uint64_t *key)
{
    struct source *const s = b->s;
    if (tok_is(s, tk, 0, "FILE")) {
        const uint64_t id = push_num(b, tk, 1, P_FILE);
        s->file_ids = id + 1 > s->file_ids ? id + 1 : s->file_ids;
        s->counts[C_FILE]++;
        return S_FILE;
    }
    if (tok_is(s, tk, 0, "INLINE_ORIGIN")) {
        const uint64_t id = push_num(b, tk, 1, P_ORIGIN);
        s->origin_ids = id + 1 > s->origin_ids ? id + 1 : s->origin_ids;
        if (s->old_inline)
            push_num(b, tk, 2, P_FILE);
        s->counts[C_ORIGIN]++;
        return S_ORIGIN;
    }
    if (tok_is(s, tk, 0, "FUNC") || tok_is(s, tk, 0, "PUBLIC")) {
        const bool func = tok_is(s, tk, 0, "FUNC");
        const size_t at = tok_is(s, tk, 1, "m") ? 2 : 1;
        *key = push_num(b, tk, at, P_ADDR);
        cover(s, *key, func ? tok_hex(s, tk, at + 1) : 0);
        s->counts[func ? C_FUNC : C_PUBLIC]++;
        return S_FUNC;
    }
    if (tok_is(s, tk, 0, "INLINE")) {
        const bool old = tk->n % 2 == 0; /* INLINE depth line [file] origin (addr size)+ */
        if (!old)
            push_num(b, tk, 3, P_FILE);
        push_num(b, tk, old ? 3 : 4, P_ORIGIN);
        for (size_t k = old ? 4 : 5; k + 1 < tk->n; k += 2)
            cover(s, push_num(b, tk, k, P_ADDR), tok_hex(s, tk, k + 1));
        s->counts[C_INLINE]++;
        return -1;
    }
    if (tok_is(s, tk, 0, "STACK") && tok_is(s, tk, 1, "CFI")) {
        const bool init = tok_is(s, tk, 2, "INIT");
        *key = push_num(b, tk, init ? 3 : 2, P_ADDR);
        cover(s, *key, init ? tok_hex(s, tk, 4) : 0);
        s->counts[init ? C_CFI_INIT : C_CFI_DELTA]++;
        return init ? S_CFI : -1;
    }
    if (tok_is(s, tk, 0, "STACK") && tok_is(s, tk, 1, "WIN")) {
        *key = push_num(b, tk, 3, P_ADDR);
        cover(s, *key, tok_hex(s, tk, 4));
        s->counts[C_WIN]++;
        return S_WIN;
    }
    uint64_t addr;
    if (tk->n == 4 && parse_hex(s->text, tk->start[0], tk->end[0], &addr)) { /* a line record */
        push_num(b, tk, 0, P_ADDR);
        push_num(b, tk, 3, P_FILE);
        cover(s, addr, tok_hex(s, tk, 1));
        s->counts[C_LINE]++;
        return -1;
    }
    return -2; /* MODULE and INFO are written afresh; anything else is dropped */
}

/* Whether the file's INLINE records are the older syntax (no call-site file: even count). */
static bool detect_old_inline(const struct source *s)
{
    const char *p = s->text, *const end = s->text + s->text_len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        nl = nl ? nl : end;
        if ((size_t)(nl - p) > 7 && memcmp(p, "INLINE ", 7) == 0) {
            struct tokens *const tk = malloc(sizeof *tk);
            if (!tk)
                die("%s", "out of memory");
            tokenize(s->text, (size_t)(p - s->text), (size_t)(nl - s->text), tk);
            const bool old = tk->n % 2 == 0;
            free(tk);
            return old;
        }
        p = nl + 1;
    }
    return false;
}

static void read_text(struct source *s)
{
    FILE *const fp = fopen(s->path, "rb");
    struct stat st;
    if (!fp || fstat(fileno(fp), &st) != 0)
        die("%s: %s", s->path, strerror(errno));
    s->text = malloc((size_t)st.st_size + 1);
    if (!s->text)
        die("%s", "out of memory");
    s->text_len = fread(s->text, 1, (size_t)st.st_size, fp);
    fclose(fp);
    s->text[s->text_len] = '\0';
}

static int cmp_block(const void *a, const void *b)
{
    const struct block *const x = a, *const y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->first < y->first ? -1 : x->first > y->first; /* stable: file order on ties */
}

static void load_source(struct source *s, bool keep_order)
{
    read_text(s);
    s->lo = UINT64_MAX;
    s->old_inline = detect_old_inline(s);
    struct tokens *const tk = malloc(sizeof *tk);
    if (!tk)
        die("%s", "out of memory");
    struct block *cur = NULL; /* the FUNC or INIT block later records join */
    int cur_section = -2;
    for (size_t at = 0; at < s->text_len;) {
        const char *const nl = memchr(s->text + at, '\n', s->text_len - at);
        const size_t eol = nl ? (size_t)(nl - s->text) : s->text_len;
        size_t end = eol;
        while (end > at && (s->text[end - 1] == '\r' || s->text[end - 1] == ' '))
            end--;
        tokenize(s->text, at, end, tk);
        struct builder b = {s, at, true};
        const size_t first = s->pieces.n;
        uint64_t key = 0;
        const int section = tk->n ? parse_record(&b, tk, &key) : -2;
        const bool delta = tok_is(s, tk, 0, "STACK");
        const bool joins = section == -1 && cur && cur_section == (delta ? S_CFI : S_FUNC);
        b.ok = b.ok && tk->n < MAX_TOKENS;
        if (!b.ok || section == -2 || (section == -1 && !joins)) {
            s->pieces.n = first; /* not copied */
            s->counts[C_SKIPPED] +=
                tk->n > 0 && !tok_is(s, tk, 0, "MODULE") && !tok_is(s, tk, 0, "INFO");
        } else {
            push_lit(&b, end);
            struct piece *const p = vec_push(&s->pieces, sizeof *p);
            *p = (struct piece){P_NL, 0, 0};
            if (section >= 0) {
                cur = vec_push(&s->blocks[section], sizeof *cur);
                *cur = (struct block){key, first, 0};
                cur_section = section;
            }
            cur->count = s->pieces.n - cur->first;
        }
        if (section == S_FILE || section == S_ORIGIN || section == S_WIN)
            cur = NULL; /* nothing joins these */
        at = eol + 1;
    }
    free(tk);
    if (s->lo == UINT64_MAX)
        die("%s: no addressed records", s->path);
    for (int k = S_FUNC; k < S_COUNT && !keep_order; k++)
        qsort(s->blocks[k].p, s->blocks[k].n, sizeof(struct block), cmp_block);
}

/* ---- writing ---------------------------------------------------------------------------- */

struct out {
    int fd;
    char buf[1 << 20];
    size_t n;
    uint64_t total;
};

static void out_flush(struct out *o)
{
    for (size_t done = 0; done < o->n;) {
        const ssize_t w = write(o->fd, o->buf + done, o->n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            die("write: %s", strerror(errno));
        done += (size_t)w;
    }
    o->total += o->n;
    o->n = 0;
}

static void out_bytes(struct out *o, const char *p, size_t n)
{
    if (o->n + n > sizeof o->buf)
        out_flush(o);
    if (n > sizeof o->buf) {
        for (size_t done = 0; done < n; done += sizeof o->buf)
            out_bytes(o, p + done, n - done < sizeof o->buf ? n - done : sizeof o->buf);
        return;
    }
    memcpy(o->buf + o->n, p, n);
    o->n += n;
}

static size_t fmt_num(char *dst, uint64_t v, unsigned radix)
{
    char tmp[24];
    size_t n = 0;
    do {
        const unsigned d = (unsigned)(v % radix);
        tmp[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= radix;
    } while (v);
    for (size_t i = 0; i < n; i++)
        dst[i] = tmp[n - 1 - i];
    return n;
}

static size_t num_len(uint64_t v, unsigned radix)
{
    size_t n = 1;
    while (v >= radix) {
        v /= radix;
        n++;
    }
    return n;
}

static uint64_t shifted(const struct piece *p, const struct copy *c)
{
    return p->val + (p->kind == P_ADDR   ? c->base
                     : p->kind == P_FILE ? c->file_base
                                         : c->origin_base);
}

/* The bytes one copy adds to the output, without writing them. */
static uint64_t copy_bytes(const struct copy *c)
{
    const struct piece *const pc = c->src->pieces.p;
    uint64_t n = 0;
    for (size_t i = 0; i < c->src->pieces.n; i++)
        n += pc[i].kind == P_LIT  ? pc[i].len
             : pc[i].kind == P_NL ? 1
                                  : num_len(shifted(&pc[i], c), pc[i].kind == P_ADDR ? 16 : 10);
    return n;
}

static void write_blocks(struct out *o, const struct copy *c, int section)
{
    const struct source *const s = c->src;
    const struct piece *const pc = s->pieces.p;
    const struct block *const bl = s->blocks[section].p;
    for (size_t k = 0; k < s->blocks[section].n; k++) {
        for (size_t i = bl[k].first; i < bl[k].first + bl[k].count; i++) {
            if (o->n + 64 > sizeof o->buf)
                out_flush(o);
            if (pc[i].kind == P_LIT)
                out_bytes(o, s->text + pc[i].val, pc[i].len);
            else if (pc[i].kind == P_NL)
                o->buf[o->n++] = '\n';
            else
                o->n += fmt_num(o->buf + o->n, shifted(&pc[i], c), pc[i].kind == P_ADDR ? 16 : 10);
        }
    }
}

/* ---- main ------------------------------------------------------------------------------- */

static int parse_args(int argc, char **argv, struct options *o)
{
    *o = (struct options){(uint64_t)500 << 20,
                          (uint64_t)64 << 10,
                          false,
                          "Linux x86_64 5EB0000000000000000000000000000A0 dmpread-bench",
                          NULL,
                          NULL,
                          0};
    o->sources = calloc((size_t)argc, sizeof *o->sources);
    if (!o->sources)
        die("%s", "out of memory");
    for (int i = 1; i < argc && argv[i]; i++) {
        const char *const a = argv[i], *const v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
            return fputs(usage_text, stdout), 0;
        if (strcmp(a, "--keep-order") == 0) {
            o->keep_order = true;
            continue;
        }
        if (strcmp(a, "-s") == 0 || strcmp(a, "--size") == 0 || strcmp(a, "--align") == 0) {
            uint64_t *const dst = strcmp(a, "--align") == 0 ? &o->align : &o->size;
            if (!v || !bu_parse_size(v, dst) || *dst == 0)
                return fprintf(stderr, "gen_sym: bad value for %s\n%s", a, usage_text), 2;
            i++;
        } else if (strcmp(a, "--module") == 0 && v) {
            o->module = v;
            i++;
        } else if (a[0] == '-') {
            return fprintf(stderr, "gen_sym: unknown option %s\n%s", a, usage_text), 2;
        } else if (!o->out) {
            o->out = a;
        } else {
            o->sources[o->nsources++] = a;
        }
    }
    if (!o->out || o->nsources == 0)
        return fprintf(stderr, "gen_sym: need OUT.sym and at least one SOURCE.sym\n%s", usage_text),
               2;
    return -1;
}

/* Lays copies out round-robin until the output reaches the size asked for. */
static struct copy *plan(const struct options *o, struct source *src, uint64_t header,
                         size_t *ncopies, uint64_t *total)
{
    struct vec v = {NULL, 0, 0};
    uint64_t base = 0, file_base = 0, origin_base = 0;
    *total = header;
    for (size_t k = 0; v.n == 0 || *total < o->size; k = (k + 1) % o->nsources) {
        struct source *const s = &src[k];
        struct copy *const c = vec_push(&v, sizeof *c);
        *c = (struct copy){s, base, file_base, origin_base};
        const uint64_t bytes = copy_bytes(c);
        *total += bytes;
        s->copies++;
        s->bytes_out += bytes;
        base = (base + s->extent + o->align - 1) / o->align * o->align;
        file_base += s->file_ids;
        origin_base += s->origin_ids;
    }
    *ncopies = v.n;
    return v.p;
}

int main(int argc, char **argv)
{
    struct options o;
    const int rc = parse_args(argc, argv, &o);
    if (rc >= 0) {
        free(o.sources);
        return rc;
    }
    struct source *const src = calloc(o.nsources, sizeof *src);
    if (!src)
        die("%s", "out of memory");
    for (size_t k = 0; k < o.nsources; k++) {
        src[k].path = o.sources[k];
        load_source(&src[k], o.keep_order);
    }
    char header[512];
    const int hn =
        snprintf(header, sizeof header, "MODULE %s\nINFO CODE_ID 5EB00000000000A0\n", o.module);
    if (hn < 0 || (size_t)hn >= sizeof header)
        die("%s", "--module too long");
    size_t ncopies;
    uint64_t planned;
    const struct copy *const copies = plan(&o, src, (uint64_t)hn, &ncopies, &planned);

    static struct out out;
    out.fd = open(o.out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out.fd < 0)
        die("%s: %s", o.out, strerror(errno));
    out_bytes(&out, header, (size_t)hn);
    for (int section = 0; section < S_COUNT; section++)
        for (size_t c = 0; c < ncopies; c++)
            write_blocks(&out, &copies[c], section);
    out_flush(&out);
    if (close(out.fd) != 0)
        die("%s: %s", o.out, strerror(errno));
    if (out.total != planned)
        die("wrote %" PRIu64 " bytes, planned %" PRIu64, out.total, planned);

    uint64_t counts[C_COUNT] = {0};
    for (size_t k = 0; k < o.nsources; k++)
        for (int i = 0; i < C_COUNT; i++)
            counts[i] += src[k].counts[i] * src[k].copies;
    const struct copy *const last = &copies[ncopies - 1];
    printf("bytes=%" PRIu64 " copies=%zu sources=%zu lo=0x%" PRIx64 " hi=0x%" PRIx64, out.total,
           ncopies, o.nsources, src[0].lo, last->base + last->src->extent);
    for (int i = 0; i < C_COUNT; i++)
        printf(" %s=%" PRIu64, counter_names[i], counts[i]);
    printf(" sorted=%s\n", o.keep_order ? "no" : "yes");
    for (size_t k = 0; k < o.nsources; k++)
        printf("mix source=%s in_bytes=%zu copies=%" PRIu64 " out_bytes=%" PRIu64
               " share=%.1f%% skipped_lines=%" PRIu64 "\n",
               src[k].path, src[k].text_len, src[k].copies, src[k].bytes_out,
               100.0 * (double)src[k].bytes_out / (double)out.total, src[k].counts[C_SKIPPED]);
    return 0;
}
