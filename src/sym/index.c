/* index.c - the one pass over a .sym that records where its records start.
 * SPDX-License-Identifier: MIT
 *
 * The pass looks at the first bytes of each line only. FUNC, PUBLIC, FILE, INLINE_ORIGIN,
 * STACK CFI INIT and STACK WIN headers are parsed (their address or id is the index's key)
 * and their offsets appended to one array per kind; line, INLINE and STACK CFI delta records
 * are skipped, to be parsed when a lookup lands on the FUNC or INIT above them. Nothing is
 * copied: the index is offsets into the mapping, 4 bytes a record for files under 4 GiB.
 *
 * dump_syms writes every kind in key order, so the arrays come out sorted and the overlap rule
 * (Breakpad's RangeMap: a FUNC or INIT overlapping an earlier one is dropped; a second PUBLIC at
 * an address or FILE/INLINE_ORIGIN with an id is ignored) is applied against the previous record
 * as the pass goes. A kind found out of order is sorted after the pass instead, by key and then
 * by file offset, and the same rule applied to the sorted array, where "earlier" is "lower
 * offset". This is safe on unsorted files because the records a lookup parses later are found
 * by position (the lines under their FUNC or INIT), never by address.
 */
#include "sym.h"

#include <stdlib.h>
#include <string.h>

enum kind { K_FILE, K_ORIGIN, K_FUNC, K_PUBLIC, K_CFI, K_WIN4, K_WIN0, K_COUNT };

/* Sort keys for a kind found out of order. */
struct keyed {
    uint64_t key;
    uint64_t end;
    uint64_t off;
    size_t rank; /* its place in file order */
};

/* What the pass remembers of the last record kept of each kind. */
struct kstate {
    bool any;
    bool sorted;
    uint64_t key;
    uint64_t end; /* FUNC, CFI: key + size */
};

/* STACK WIN nesting as the pass goes, while a type is in order: the enclosing ranges kept so
 * far, and a bit per record pushed saying it was dropped. */
struct winstream {
    struct keyed *stack;
    size_t depth;
    size_t cap;
    uint8_t *dropped;
    size_t dropped_bytes;
};

struct pass {
    dmp_symfile *s;
    struct kstate k[K_COUNT];
    struct winstream win[2];
    uint64_t line_no;
    bool in_func; /* line and INLINE records have a FUNC above them */
    bool in_cfi;  /* delta records have an INIT above them */
};

static struct symidx *idx_of(dmp_symfile *s, enum kind k)
{
    switch (k) {
    case K_FILE:
        return &s->files;
    case K_ORIGIN:
        return &s->origins;
    case K_FUNC:
        return &s->funcs;
    case K_PUBLIC:
        return &s->publics;
    case K_CFI:
        return &s->cfi;
    case K_WIN4:
        return &s->win[0];
    case K_WIN0:
    case K_COUNT:
        break;
    }
    return &s->win[1];
}

static dmp_status idx_push(struct symidx *x, uint64_t off)
{
    if (x->n == x->cap) {
        const size_t elem = x->wide ? 8 : 4;
        const size_t cap = x->cap ? x->cap * 2 : 256;
        if (cap > SIZE_MAX / elem)
            return DMP_E_NOMEM;
        void *const p = realloc(x->p, cap * elem);
        if (!p)
            return DMP_E_NOMEM;
        x->p = p;
        x->cap = cap;
    }
    if (x->wide)
        ((uint64_t *)x->p)[x->n++] = off;
    else
        ((uint32_t *)x->p)[x->n++] = (uint32_t)off;
    return DMP_OK;
}

static void idx_set(struct symidx *x, size_t i, uint64_t off)
{
    if (x->wide)
        ((uint64_t *)x->p)[i] = off;
    else
        ((uint32_t *)x->p)[i] = (uint32_t)off;
}

static void add_diag(dmp_symfile *s, dmp_sym_diag_kind kind, uint64_t line, uint64_t off)
{
    s->info.bad_lines++;
    if (s->diag_count == DMP_SYM_MAX_DIAGS)
        return;
    /* line 0: found after the pass, when sorting; dmp_sym_diag_get counts the lines up to it
     * if anyone asks, rather than reading the file for it here */
    s->diags[s->diag_count++] = (dmp_sym_diag){kind, line, off};
}

static bool starts_with(struct symline l, const char *word)
{
    const size_t n = strlen(word);
    return (size_t)(l.end - l.p) >= n && memcmp(l.p, word, n) == 0;
}

/* The key (and for ranges the end) of the record of kind k at l. False: it does not parse. */
static bool record_key(struct symline l, enum kind k, uint64_t *key, uint64_t *end)
{
    struct symfunc fn;
    dmp_win_record w;
    dmp_sym_str name;
    uint64_t size = 0;
    bool ok;
    switch (k) {
    case K_FILE:
    case K_ORIGIN:
        ok = dmpi_sym_parse_named(l, k == K_FILE ? 4 : 13, k == K_ORIGIN, key, &name);
        break;
    case K_FUNC:
        ok = dmpi_sym_parse_func(l, &fn);
        *key = fn.addr;
        size = fn.size;
        break;
    case K_PUBLIC:
        ok = dmpi_sym_parse_public(l, &fn);
        *key = fn.addr;
        break;
    case K_CFI:
        ok = dmpi_sym_parse_cfi_init(l, key, &size, &name);
        break;
    default:
        ok = dmpi_sym_parse_win(l, &w);
        *key = w.start;
        size = w.size;
        break;
    }
    *end = *key + size;
    return ok && *end >= *key; /* a range running past 2^64 is refused, as Breakpad does */
}

static bool is_range(enum kind k)
{
    return k == K_FUNC || k == K_CFI;
}

/* Adds one indexed record, applying the overlap rule while the kind is still in order. */
static dmp_status add_record(struct pass *ps, enum kind k, struct symline l, uint64_t off)
{
    uint64_t key, end;
    if (!record_key(l, k, &key, &end)) {
        add_diag(ps->s, DMP_SYM_DIAG_SYNTAX, ps->line_no, off);
        return DMP_OK;
    }
    if ((k == K_FUNC || k == K_CFI || k == K_WIN4 || k == K_WIN0) && end == key)
        return DMP_OK; /* size 0 covers nothing; Breakpad stores none either */
    if (k == K_PUBLIC && key == 0)
        return DMP_OK; /* PUBLICs at 0 are placeholders (ntdll's _CIlog...); Breakpad skips them */
    struct kstate *const st = &ps->k[k];
    if (st->any && st->sorted) {
        if (key < st->key) {
            st->sorted = false;
        } else if (is_range(k) ? key < st->end : (k <= K_PUBLIC && key == st->key)) {
            add_diag(ps->s, k <= K_ORIGIN ? DMP_SYM_DIAG_DUPLICATE : DMP_SYM_DIAG_OVERLAP,
                     ps->line_no, off);
            return DMP_OK;
        }
    }
    if (!st->any || st->sorted) {
        st->any = true;
        st->key = key;
        st->end = end;
    }
    return idx_push(idx_of(ps->s, k), off);
}

/* A span of a line the pass read into its own buffer, moved onto the same bytes of the file's
 * mapping (where lookups and the caller find them). */
static dmp_sym_str rebase(const dmp_symfile *s, struct symline l, uint64_t off, dmp_sym_str t)
{
    const uint64_t at = off + (uint64_t)(t.ptr - l.p);
    if (at > s->len || t.len > s->len - at)
        return (dmp_sym_str){"", 0};
    return (dmp_sym_str){s->text + at, t.len};
}

static void note_win_size(dmp_symfile *s, enum kind k, uint64_t size)
{
    uint64_t *const max = &s->win_max_size[k == K_WIN4 ? 0 : 1];
    if (size > *max)
        *max = size;
}

/* Whether b clashes with a, as Breakpad's ContainedRangeMap sees it: they overlap without
 * one holding the other, or they are the same range. */
static bool win_clash(const struct keyed *a, const struct keyed *b)
{
    if (a->key == b->key && a->end == b->end)
        return true;
    const bool disjoint = a->end <= b->key || b->end <= a->key;
    const bool nested =
        (a->key <= b->key && b->end <= a->end) || (b->key <= a->key && a->end <= b->end);
    return !disjoint && !nested;
}

/* A STACK WIN record of type 4 or 0, parsed once. It always goes into the index; while its
 * type is in order (by start, the larger range first at one start) the nesting rule is
 * applied here, against the stack of ranges enclosing it, and a record that clashes is
 * marked dropped. Out of order, nest_win_unsorted decides after the pass. */
static dmp_status add_win(struct pass *ps, enum kind k, const dmp_win_record *w, uint64_t off)
{
    const struct keyed r = {w->start, w->start + w->size, off, 0};
    if (r.end < r.key) {
        add_diag(ps->s, DMP_SYM_DIAG_SYNTAX, ps->line_no, off);
        return DMP_OK; /* past 2^64: refused, as Breakpad does */
    }
    if (r.end == r.key)
        return DMP_OK;
    struct kstate *const st = &ps->k[k];
    struct winstream *const ws = &ps->win[k == K_WIN4 ? 0 : 1];
    struct symidx *const x = idx_of(ps->s, k);
    if (st->any && st->sorted && (r.key < st->key || (r.key == st->key && r.end > st->end)))
        st->sorted = false;
    st->any = true;
    st->key = r.key;
    st->end = r.end;
    const dmp_status rc = idx_push(x, off);
    if (rc != DMP_OK || !st->sorted)
        return rc;
    while (ws->depth > 0 && ws->stack[ws->depth - 1].end <= r.key)
        ws->depth--;
    if (ws->depth > 0 && win_clash(&ws->stack[ws->depth - 1], &r)) {
        const size_t i = x->n - 1;
        if (i / 8 >= ws->dropped_bytes) {
            const size_t bytes = x->cap / 8 + 1;
            uint8_t *const d = realloc(ws->dropped, bytes);
            if (!d)
                return DMP_E_NOMEM;
            memset(d + ws->dropped_bytes, 0, bytes - ws->dropped_bytes);
            ws->dropped = d;
            ws->dropped_bytes = bytes;
        }
        ws->dropped[i / 8] |= (uint8_t)(1u << (i % 8));
        add_diag(ps->s, DMP_SYM_DIAG_OVERLAP, ps->line_no, off);
        return DMP_OK;
    }
    if (ws->depth == ws->cap) {
        const size_t cap = ws->cap ? ws->cap * 2 : 16;
        struct keyed *const grown = realloc(ws->stack, cap * sizeof *grown);
        if (!grown)
            return DMP_E_NOMEM;
        ws->stack = grown;
        ws->cap = cap;
    }
    ws->stack[ws->depth++] = r;
    note_win_size(ps->s, k, w->size);
    return DMP_OK;
}

static bool is_dropped(const struct winstream *ws, size_t i)
{
    return i / 8 < ws->dropped_bytes && (ws->dropped[i / 8] >> (i % 8) & 1);
}

static void set_module(dmp_symfile *s, struct symline l, uint64_t line_no, uint64_t off)
{
    dmp_sym_info *const in = &s->info;
    const struct symline whole = l;
    l.p += 6;
    if (!dmpi_sym_token(&l, &in->os) || !dmpi_sym_token(&l, &in->arch) ||
        !dmpi_sym_token(&l, &in->id) || (in->name = dmpi_sym_rest(&l)).len == 0)
        add_diag(s, DMP_SYM_DIAG_MODULE, line_no, off);
    in->os = rebase(s, whole, off, in->os);
    in->arch = rebase(s, whole, off, in->arch);
    in->id = rebase(s, whole, off, in->id);
    in->name = rebase(s, whole, off, in->name);
    static const struct {
        const char *arch;
        dmp_cpu cpu;
    } arches[] = {{"x86", DMP_CPU_X86},      {"i386", DMP_CPU_X86},    {"x86_64", DMP_CPU_AMD64},
                  {"amd64", DMP_CPU_AMD64},  {"arm64", DMP_CPU_ARM64}, {"aarch64", DMP_CPU_ARM64},
                  {"arm64e", DMP_CPU_ARM64}, {"arm", DMP_CPU_ARM},     {"armv7", DMP_CPU_ARM}};
    for (size_t i = 0; i < sizeof arches / sizeof arches[0]; i++)
        if (dmpi_sym_is(in->arch, arches[i].arch))
            in->cpu = arches[i].cpu;
}

static void set_info(dmp_symfile *s, struct symline l, uint64_t off)
{
    dmp_sym_str t, id;
    const struct symline whole = l;
    l.p += 5;
    if (dmpi_sym_token(&l, &t) && dmpi_sym_is(t, "CODE_ID") && dmpi_sym_token(&l, &id)) {
        s->info.code_id = rebase(s, whole, off, id);
        s->info.code_file = rebase(s, whole, off, dmpi_sym_rest(&l));
    }
}

/* Classifies one line and records it. */
static dmp_status pass_line(struct pass *ps, struct symline l, uint64_t off)
{
    dmp_symfile *const s = ps->s;
    const char c = l.p < l.end ? *l.p : '\0';
    enum kind k = K_COUNT;
    bool func = false, cfi = false;
    if (c == '\0')
        return DMP_OK; /* an empty line */
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) {
        if (!ps->in_func)
            add_diag(s, DMP_SYM_DIAG_ORPHAN, ps->line_no, off);
        return DMP_OK; /* a line record, parsed when a lookup lands in its FUNC */
    }
    if (starts_with(l, "FUNC ")) {
        k = K_FUNC;
        func = true;
    } else if (starts_with(l, "FILE ")) {
        k = K_FILE;
    } else if (starts_with(l, "PUBLIC ")) {
        k = K_PUBLIC;
    } else if (starts_with(l, "STACK CFI INIT ")) {
        k = K_CFI;
        cfi = true;
    } else if (starts_with(l, "STACK CFI ")) {
        if (!ps->in_cfi)
            add_diag(s, DMP_SYM_DIAG_ORPHAN, ps->line_no, off);
        ps->in_func = false;
        return DMP_OK;
    } else if (starts_with(l, "STACK WIN ")) {
        dmp_win_record w;
        if (!dmpi_sym_parse_win(l, &w)) {
            add_diag(s, DMP_SYM_DIAG_SYNTAX, ps->line_no, off);
            return DMP_OK;
        }
        ps->in_func = ps->in_cfi = false;
        if (w.type != 4 && w.type != 0)
            return DMP_OK; /* types 1-3 are valid but never looked up, as in Breakpad */
        return add_win(ps, w.type == 4 ? K_WIN4 : K_WIN0, &w, off);
    } else if (starts_with(l, "INLINE_ORIGIN ")) {
        k = K_ORIGIN;
    } else if (starts_with(l, "INLINE ")) {
        if (!ps->in_func)
            add_diag(s, DMP_SYM_DIAG_ORPHAN, ps->line_no, off);
        return DMP_OK;
    } else if (starts_with(l, "MODULE ")) {
        if (ps->line_no != 1)
            add_diag(s, DMP_SYM_DIAG_MODULE, ps->line_no, off);
        else
            set_module(s, l, ps->line_no, off);
        return DMP_OK;
    } else if (starts_with(l, "INFO ")) {
        set_info(s, l, off);
        return DMP_OK;
    } else if (c >= 'A' && c <= 'F') {
        if (!ps->in_func)
            add_diag(s, DMP_SYM_DIAG_ORPHAN, ps->line_no, off);
        return DMP_OK; /* a line record, parsed when a lookup lands in its FUNC */
    } else {
        add_diag(s, DMP_SYM_DIAG_UNKNOWN, ps->line_no, off);
        return DMP_OK;
    }
    /* Line records belong to the FUNC above them until a PUBLIC or STACK line, as in
     * Breakpad; FILE and INLINE_ORIGIN lines among them change nothing. */
    if (k != K_FILE && k != K_ORIGIN)
        ps->in_func = func;
    ps->in_cfi = cfi;
    return add_record(ps, k, l, off);
}

static int cmp_keyed(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->off < y->off ? -1 : x->off > y->off;
}

/* STACK WIN order: by start, the larger range first at one start, then file order. */
static int cmp_nested(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    if (x->end != y->end)
        return x->end > y->end ? -1 : 1;
    return x->off < y->off ? -1 : x->off > y->off;
}

/* Sorts kind k's offsets by key, then applies the overlap rule with "earlier" meaning lower
 * offset: of two overlapping records the one with the lower offset stays. */
static dmp_status sort_kind(dmp_symfile *s, enum kind k)
{
    struct symidx *const x = idx_of(s, k);
    struct keyed *const t = malloc(x->n * sizeof *t);
    if (!t)
        return DMP_E_NOMEM;
    for (size_t i = 0; i < x->n; i++) {
        t[i].off = symidx_get(x, i);
        record_key(dmpi_sym_line_at(s, t[i].off), k, &t[i].key, &t[i].end);
    }
    qsort(t, x->n, sizeof *t, k == K_WIN4 || k == K_WIN0 ? cmp_nested : cmp_keyed);
    size_t kept = 0;
    for (size_t i = 0; i < x->n; i++) {
        if (kept > 0 && k != K_WIN4 && k != K_WIN0) {
            struct keyed *const top = &t[kept - 1];
            const bool clash = is_range(k) ? t[i].key < top->end : t[i].key == top->key;
            if (clash) {
                if (t[i].off < top->off)
                    *top = t[i];
                add_diag(s, k <= K_ORIGIN ? DMP_SYM_DIAG_DUPLICATE : DMP_SYM_DIAG_OVERLAP, 0,
                         t[i].off > top->off ? t[i].off : top->off);
                continue;
            }
        }
        t[kept++] = t[i];
    }
    for (size_t i = 0; i < kept; i++)
        idx_set(x, i, t[i].off);
    x->n = kept;
    free(t);
    return DMP_OK;
}

/* A type kept in order to the end: the records the pass marked dropped leave the index. */
static void compact_win(dmp_symfile *s, enum kind k, const struct winstream *ws)
{
    struct symidx *const x = idx_of(s, k);
    size_t kept = 0;
    for (size_t i = 0; i < x->n; i++)
        if (!is_dropped(ws, i))
            idx_set(x, kept++, symidx_get(x, i));
    x->n = kept;
}

/* How many neighbours, in address order, an out-of-order STACK WIN record is checked
 * against. Real files (kernel32's, say) clash only with records a few places away. */
#define WIN_CLASH_WINDOW 64

/* STACK WIN records out of order, as in kernel32.sym: Breakpad's rule taken literally, in file
 * order, each record kept unless it clashes with one kept before it; the clash check looks at
 * WIN_CLASH_WINDOW neighbours on each side in address order. */
static dmp_status nest_win_unsorted(dmp_symfile *s, enum kind k, const struct winstream *ws)
{
    struct symidx *const x = idx_of(s, k);
    const size_t n = x->n;
    struct keyed *const t = malloc(n * sizeof *t);
    size_t *const pos = calloc(n ? n : 1, sizeof *pos);
    unsigned char *const kept = calloc(n, 1);
    if (!t || !pos || !kept) {
        free(t);
        free(pos);
        free(kept);
        return DMP_E_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        t[i].off = symidx_get(x, i);
        t[i].rank = i;
        record_key(dmpi_sym_line_at(s, t[i].off), k, &t[i].key, &t[i].end);
    }
    qsort(t, n, sizeof *t, cmp_nested);
    for (size_t p = 0; p < n; p++)
        pos[t[p].rank] = p;
    for (size_t i = 0; i < n; i++) {
        const size_t p = pos[i];
        const size_t from = p > WIN_CLASH_WINDOW ? p - WIN_CLASH_WINDOW : 0;
        const size_t to = n - p > WIN_CLASH_WINDOW ? p + WIN_CLASH_WINDOW : n - 1;
        bool clash = false;
        for (size_t q = from; q <= to && !clash; q++)
            clash = q != p && kept[q] && win_clash(&t[p], &t[q]);
        if (clash && !is_dropped(ws, i)) /* the pass reported those it dropped in order */
            add_diag(s, DMP_SYM_DIAG_OVERLAP, 0, t[p].off);
        else if (!clash)
            kept[p] = 1;
    }
    size_t m = 0;
    for (size_t p = 0; p < n; p++) {
        if (kept[p]) {
            idx_set(x, m++, t[p].off);
            note_win_size(s, k, t[p].end - t[p].key);
        }
    }
    x->n = m;
    free(t);
    free(pos);
    free(kept);
    return DMP_OK;
}

static dmp_status first_line(struct pass *ps, struct symline l, uint64_t off)
{
    ps->line_no++;
    if (ps->line_no == 1 && !starts_with(l, "MODULE "))
        add_diag(ps->s, DMP_SYM_DIAG_MODULE, 1, 0);
    return pass_line(ps, l, off);
}

/* The pass over bytes already in memory (a caller's buffer, inflated gzip). */
static dmp_status pass_memory(struct pass *ps)
{
    const dmp_symfile *const s = ps->s;
    uint64_t off = 0;
    while (off < s->len) {
        const struct symline l = dmpi_sym_line_at(s, off);
        const dmp_status st = first_line(ps, l, off);
        if (st != DMP_OK)
            return st;
        off = l.next;
    }
    return DMP_OK;
}

#define READ_CHUNK ((size_t)64 << 10) /* grows for a longer line */

/* The pass over a mapped file, read again with read() in chunks: the mapping's pages are then
 * touched only by lookups. Lines are whole in the buffer (it grows for a longer one); nothing
 * past the mapping's length is taken, should the file have changed. */
static dmp_status pass_file(struct pass *ps, int fd)
{
    const dmp_symfile *const s = ps->s;
    size_t cap = READ_CHUNK, have = 0;
    char *buf = malloc(cap);
    uint64_t base = 0; /* file offset of buf[0] */
    bool eof = false;
    dmp_status st = buf ? DMP_OK : DMP_E_NOMEM;
    while (st == DMP_OK && !(eof && have == 0) && base < s->len) {
        if (!eof && have == cap) { /* one line longer than the buffer */
            char *const grown = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
            if (!grown) {
                st = DMP_E_NOMEM;
                break;
            }
            buf = grown;
            cap *= 2;
        }
        if (!eof) {
            const long n = dmpi_file_read(fd, buf + have, cap - have);
            if (n < 0) {
                st = DMP_E_IO;
                break;
            }
            eof = n == 0;
            have += (size_t)n;
        }
        size_t used = 0;
        for (;;) {
            const char *const p = buf + used;
            const char *nl = memchr(p, '\n', have - used);
            if (!nl && !eof)
                break;
            const char *end = nl ? nl : buf + have;
            const uint64_t off = base + used;
            if (off >= s->len)
                break;
            if ((uint64_t)(end - p) > s->len - off)
                end = p + (s->len - off);
            struct symline l = {p, end, 0};
            while (l.end > l.p && l.end[-1] == '\r')
                l.end--;
            st = first_line(ps, l, off);
            used = nl ? (size_t)(nl - buf) + 1 : have;
            if (st != DMP_OK || used == have)
                break;
        }
        memmove(buf, buf + used, have - used);
        base += used;
        have -= used;
        if (eof && used == 0)
            break;
    }
    free(buf);
    return st;
}

dmp_status dmpi_sym_index(dmp_symfile *s, int fd)
{
    struct pass ps = {.s = s};
    const bool wide = s->len > UINT32_MAX;
    for (int k = 0; k < K_COUNT; k++) {
        ps.k[k].sorted = true;
        idx_of(s, (enum kind)k)->wide = wide;
    }
    const dmp_status pst = fd >= 0 ? pass_file(&ps, fd) : pass_memory(&ps);
    if (pst != DMP_OK) {
        for (int w = 0; w < 2; w++) {
            free(ps.win[w].stack);
            free(ps.win[w].dropped);
        }
        return pst;
    }
    s->info.line_count = ps.line_no;
    dmp_status st = DMP_OK;
    for (int k = 0; k < K_WIN4 && st == DMP_OK; k++)
        if (!ps.k[k].sorted)
            st = sort_kind(s, (enum kind)k);
    for (int k = K_WIN4; k <= K_WIN0; k++) {
        struct winstream *const ws = &ps.win[k - K_WIN4];
        if (ps.k[k].sorted)
            compact_win(s, (enum kind)k, ws);
        else if (st == DMP_OK)
            st = nest_win_unsorted(s, (enum kind)k, ws);
        free(ws->stack);
        free(ws->dropped);
    }
    if (st != DMP_OK)
        return st;
    s->info.file_count = s->files.n;
    s->info.origin_count = s->origins.n;
    s->info.func_count = s->funcs.n;
    s->info.public_count = s->publics.n;
    s->info.cfi_count = s->cfi.n;
    s->info.win_count = s->win[0].n + s->win[1].n;
    for (int k = 0; k < K_COUNT; k++) {
        const struct symidx *const x = idx_of(s, (enum kind)k);
        s->info.index_bytes += x->cap * (x->wide ? 8 : 4);
    }
    return DMP_OK;
}

void dmpi_sym_index_free(dmp_symfile *s)
{
    for (int k = 0; k < K_COUNT; k++)
        free(idx_of(s, (enum kind)k)->p);
}
