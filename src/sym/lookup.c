/* lookup.c - answers from a symbol file's index: function, line and inline chain at an
 * address, the STACK CFI rules and the STACK WIN record in force there.
 * SPDX-License-Identifier: MIT
 *
 * A lookup binary-searches an offset array, parsing the key of each record it probes straight
 * from the mapping, then parses the records under the FUNC or INIT it landed on. Nothing is
 * written to the symbol file, so lookups from many threads need no lock.
 */
#include "sym.h"

#include <string.h>

/* How far back a STACK WIN lookup looks, at most, for a record that encloses records nested in
 * it; it stops sooner where no record is large enough to reach the address. */
#define WIN_NEST_SCAN 256
/* INLINE records covering one address that a lookup can order; deeper nests are cut. */
#define INLINE_CANDIDATES 256

enum keykind { KEY_ID, KEY_FUNC, KEY_PUBLIC, KEY_CFI, KEY_WIN };

/* The key of the indexed record at `off`; the pass checked that it parses. */
static uint64_t key_at(const dmp_symfile *s, uint64_t off, enum keykind kk)
{
    struct symline l = dmpi_sym_line_at(s, off);
    dmp_sym_str t = {"", 0};
    uint64_t v = 0;
    switch (kk) {
    case KEY_ID:
        dmpi_sym_token(&l, &t); /* FILE or INLINE_ORIGIN */
        dmpi_sym_token(&l, &t);
        dmpi_sym_dec(t, &v);
        return v;
    case KEY_FUNC:
    case KEY_PUBLIC:
        dmpi_sym_token(&l, &t);
        dmpi_sym_token(&l, &t);
        if (dmpi_sym_is(t, "m"))
            dmpi_sym_token(&l, &t);
        break;
    case KEY_CFI:
        for (int i = 0; i < 4; i++)
            dmpi_sym_token(&l, &t);
        break;
    case KEY_WIN:
        for (int i = 0; i < 4; i++)
            dmpi_sym_token(&l, &t);
        break;
    }
    dmpi_sym_hex(t, &v);
    return v;
}

/* The number of records whose key is <= k (so the last such is at the result minus one). */
static size_t count_le(const dmp_symfile *s, const struct symidx *x, enum keykind kk, uint64_t k)
{
    size_t lo = 0, hi = x->n;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (key_at(s, symidx_get(x, mid), kk) <= k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The name of FILE or INLINE_ORIGIN `id`; false when there is none. Of several records with
 * the id, the first in the file (the lowest offset, sorted first) wins. */
static bool name_of(const dmp_symfile *s, const struct symidx *x, bool origin, uint64_t id,
                    dmp_sym_str *name)
{
    size_t i = count_le(s, x, KEY_ID, id);
    if (i == 0 || key_at(s, symidx_get(x, i - 1), KEY_ID) != id)
        return false;
    while (i > 1 && key_at(s, symidx_get(x, i - 2), KEY_ID) == id)
        i--;
    uint64_t got;
    return dmpi_sym_parse_named(dmpi_sym_line_at(s, symidx_get(x, i - 1)), origin ? 13 : 4, origin,
                                &got, name);
}

/* What a line under a FUNC is. A FUNC's records run to the next FUNC, PUBLIC or STACK line;
 * FILE, INLINE_ORIGIN, MODULE and INFO lines among them are passed over, as Breakpad does.
 * (Breakpad would go on past STACK lines too; dump_syms puts them all at the end, so stopping
 * there keeps a lookup in the last FUNC from reading every STACK record of the file.) */
enum under { U_END, U_SKIP, U_INLINE, U_LINE };

static enum under classify_under(struct symline l)
{
    static const char *const ends[] = {"FUNC ", "PUBLIC ", "STACK "};
    static const char *const skips[] = {"FILE ", "INLINE_ORIGIN ", "MODULE ", "INFO "};
    const size_t n = (size_t)(l.end - l.p);
    if (n == 0)
        return U_SKIP;
    if (n >= 7 && memcmp(l.p, "INLINE ", 7) == 0)
        return U_INLINE;
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++)
        if (n >= strlen(ends[i]) && memcmp(l.p, ends[i], strlen(ends[i])) == 0)
            return U_END;
    for (size_t i = 0; i < sizeof skips / sizeof skips[0]; i++)
        if (n >= strlen(skips[i]) && memcmp(l.p, skips[i], strlen(skips[i])) == 0)
            return U_SKIP;
    return U_LINE;
}

struct inl {
    uint64_t depth;
    uint64_t call_line;
    int64_t call_file; /* -1: none given */
    uint64_t origin;
    uint64_t start;
    uint64_t order;
};

/* Parses an INLINE record; adds it to `c` when one of its ranges holds addr. */
static bool parse_inline(struct symline l, uint64_t addr, struct inl *c, size_t *n, size_t cap,
                         uint64_t order, bool *cut)
{
    struct symline count = l;
    dmp_sym_str t, tok[4];
    size_t ntok = 0;
    count.p += 7;
    while (dmpi_sym_token(&count, &t))
        ntok++;
    if (ntok < 5)
        return false;
    const bool has_file = ntok % 2 == 0; /* INLINE depth line [file] origin (addr size)+ */
    l.p += 7;
    const size_t head = has_file ? 4 : 3;
    uint64_t v[4];
    for (size_t i = 0; i < head; i++)
        if (!dmpi_sym_token(&l, &tok[i]) || !dmpi_sym_dec(tok[i], &v[i]))
            return false;
    struct inl in = {.depth = v[0], .call_line = v[1], .call_file = -1, .order = order};
    in.origin = v[head - 1];
    if (has_file)
        in.call_file = v[2] > INT64_MAX ? -1 : (int64_t)v[2];
    bool hit = false;
    for (size_t i = head; i + 1 < ntok; i += 2) {
        dmp_sym_str a, z;
        uint64_t start, size;
        if (!dmpi_sym_token(&l, &a) || !dmpi_sym_token(&l, &z) || !dmpi_sym_hex(a, &start) ||
            !dmpi_sym_hex(z, &size))
            return false;
        if (!hit && addr - start < size) {
            in.start = start;
            hit = true;
        }
    }
    if (hit) {
        if (*n < cap)
            c[(*n)++] = in;
        else
            *cut = true;
    }
    return true;
}

/* A line record: addr size line file. */
static bool parse_line_record(struct symline l, uint64_t *addr, uint64_t *size, uint64_t *line,
                              uint64_t *file)
{
    dmp_sym_str t[4];
    for (int i = 0; i < 4; i++)
        if (!dmpi_sym_token(&l, &t[i]))
            return false;
    return dmpi_sym_hex(t[0], addr) && dmpi_sym_hex(t[1], size) && dmpi_sym_dec(t[2], line) &&
           dmpi_sym_dec(t[3], file) && *line <= UINT32_MAX;
}

/* Innermost first: deeper nesting first, then later in the file. */
static void sort_inlines(struct inl *c, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        const struct inl x = c[i];
        size_t j = i;
        while (j > 0 && (c[j - 1].depth < x.depth ||
                         (c[j - 1].depth == x.depth && c[j - 1].order < x.order))) {
            c[j] = c[j - 1];
            j--;
        }
        c[j] = x;
    }
}

static void set_inline_frames(const dmp_symfile *s, struct inl *c, size_t n, dmp_sym_lookup *out)
{
    static const char omitted[] = "<name omitted>";
    sort_inlines(c, n);
    if (n > DMP_SYM_MAX_INLINES) {
        n = DMP_SYM_MAX_INLINES;
        out->inlines_truncated = 1;
    }
    /* Frame i shows the call site of frame i-1 (its child); the innermost shows the line
     * table's; the function itself the outermost call site. A call site without a file (the
     * old INLINE syntax, or an unknown id) shows the line table's file, as Breakpad does. */
    dmp_sym_str file = out->file;
    uint32_t line = out->line;
    int has_line = out->has_line;
    for (size_t i = 0; i < n; i++) {
        dmp_sym_inline *const f = &out->inlines[i];
        f->depth = c[i].depth > UINT32_MAX ? UINT32_MAX : (uint32_t)c[i].depth;
        f->start = c[i].start;
        if (!name_of(s, &s->origins, true, c[i].origin, &f->name))
            f->name = (dmp_sym_str){omitted, sizeof omitted - 1};
        f->file = file;
        f->line = line;
        f->has_line = has_line;
        file = out->file;
        if (c[i].call_file >= 0) {
            dmp_sym_str named;
            if (name_of(s, &s->files, false, (uint64_t)c[i].call_file, &named))
                file = named;
        }
        line = c[i].call_line > UINT32_MAX ? UINT32_MAX : (uint32_t)c[i].call_line;
        has_line = 1;
    }
    out->inline_count = n;
    if (n > 0) {
        out->file = file;
        out->line = line;
        out->has_line = 1;
    }
}

/* Reads the line and INLINE records under the FUNC at `off` for the address. */
static void func_details(const dmp_symfile *s, uint64_t off, uint64_t addr, dmp_sym_lookup *out)
{
    struct inl cand[INLINE_CANDIDATES];
    size_t n = 0;
    bool cut = false, have = false;
    uint64_t order = 0, file_id = 0;
    for (uint64_t o = dmpi_sym_line_at(s, off).next, next; o < s->len; o = next) {
        const struct symline l = dmpi_sym_line_at(s, o);
        next = l.next;
        const enum under u = classify_under(l);
        if (u == U_END)
            break;
        if (u == U_SKIP)
            continue;
        bool ok;
        if (u == U_INLINE) {
            ok = parse_inline(l, addr, cand, &n, INLINE_CANDIDATES, order++, &cut);
        } else {
            uint64_t a, z, line, file;
            ok = parse_line_record(l, &a, &z, &line, &file);
            if (ok && !have && addr - a < z) {
                have = true;
                out->has_line = 1;
                out->line = (uint32_t)line;
                out->line_start = a;
                out->line_size = z;
                file_id = file;
            }
        }
        if (!ok && out->bad_records++ == 0)
            out->bad_offset = o;
    }
    if (have && !name_of(s, &s->files, false, file_id, &out->file))
        out->file = (dmp_sym_str){"", 0};
    if (cut)
        out->inlines_truncated = 1;
    set_inline_frames(s, cand, n, out);
}

static void clear_lookup(dmp_sym_lookup *out)
{
    out->kind = DMP_SYM_NONE;
    out->name = out->file = (dmp_sym_str){"", 0};
    out->start = out->size = out->line_start = out->line_size = out->sym_offset = 0;
    out->param_size = 0;
    out->multiple = out->has_line = out->inlines_truncated = 0;
    out->line = 0;
    out->inline_count = 0;
    out->bad_records = out->bad_offset = 0;
}

static dmp_status lookup_addr(const dmp_symfile *s, uint64_t addr, dmp_sym_lookup *out)
{
    struct symfunc fn = {0}, pub;
    const size_t fi = count_le(s, &s->funcs, KEY_FUNC, addr);
    const bool below =
        fi > 0 && dmpi_sym_parse_func(dmpi_sym_line_at(s, symidx_get(&s->funcs, fi - 1)), &fn);
    clear_lookup(out);
    if (below && addr - fn.addr < fn.size) {
        const uint64_t off = symidx_get(&s->funcs, fi - 1);
        out->kind = DMP_SYM_FUNC;
        out->name = fn.name;
        out->start = fn.addr;
        out->size = fn.size;
        out->param_size = (uint32_t)(fn.param > UINT32_MAX ? UINT32_MAX : fn.param);
        out->multiple = fn.multiple;
        out->sym_offset = off;
        func_details(s, off, addr, out);
        return DMP_OK;
    }
    /* A PUBLIC covers from its address to the next FUNC or PUBLIC (Breakpad's rule: it applies
     * when it lies above the nearest FUNC below the address). */
    const size_t pi = count_le(s, &s->publics, KEY_PUBLIC, addr);
    if (pi == 0)
        return DMP_E_NOT_FOUND;
    const uint64_t poff = symidx_get(&s->publics, pi - 1);
    if (!dmpi_sym_parse_public(dmpi_sym_line_at(s, poff), &pub) || (below && pub.addr <= fn.addr))
        return DMP_E_NOT_FOUND;
    uint64_t next = 0;
    if (pi < s->publics.n)
        next = key_at(s, symidx_get(&s->publics, pi), KEY_PUBLIC);
    if (fi < s->funcs.n) {
        const uint64_t f = key_at(s, symidx_get(&s->funcs, fi), KEY_FUNC);
        if (next == 0 || f < next)
            next = f;
    }
    out->kind = DMP_SYM_PUBLIC;
    out->name = pub.name;
    out->start = pub.addr;
    out->size = next > pub.addr ? next - pub.addr : 0;
    out->param_size = (uint32_t)(pub.param > UINT32_MAX ? UINT32_MAX : pub.param);
    out->multiple = pub.multiple;
    out->sym_offset = poff;
    return DMP_OK;
}

dmp_status dmp_sym_lookup_addr(const dmp_symfile *s, uint64_t addr, dmp_sym_lookup *out)
{
    if (!s || !out)
        return DMP_E_INVALID_ARG;
    dmp_sym_lookup tmp;
    const dmp_status st = lookup_addr(s, addr, &tmp);
    if (st == DMP_OK)
        *out = tmp;
    return st;
}

/* Adds the "REG: expr" rules of one INIT or delta record, later ones replacing earlier rules
 * for the same register. False on a syntax error; the rules before it stay applied, as in
 * Breakpad. */
static bool add_rules(dmp_sym_str text, dmp_cfi_rules *out)
{
    struct symline l = {text.ptr, text.ptr + text.len, 0};
    dmp_sym_str t, reg = {"", 0};
    const char *expr_start = NULL, *expr_end = NULL;
    bool have_reg = false;
    for (;;) {
        const bool more = dmpi_sym_token(&l, &t);
        if (!more || t.ptr[t.len - 1] == ':') {
            if (have_reg) {
                if (!expr_start)
                    return false;
                size_t i = 0;
                while (i < out->count && !(out->rules[i].reg.len == reg.len &&
                                           memcmp(out->rules[i].reg.ptr, reg.ptr, reg.len) == 0))
                    i++;
                if (i == out->count) {
                    if (out->count == DMP_CFI_MAX_RULES)
                        return false;
                    out->count++;
                }
                out->rules[i].reg = reg;
                out->rules[i].expr = (dmp_sym_str){expr_start, (size_t)(expr_end - expr_start)};
            }
            if (!more)
                return true;
            if (t.len == 1)
                return false; /* a bare ':' names nothing */
            reg = (dmp_sym_str){t.ptr, t.len - 1};
            have_reg = true;
            expr_start = expr_end = NULL;
        } else {
            if (!have_reg)
                return false; /* an expression before any register name */
            if (!expr_start)
                expr_start = t.ptr;
            expr_end = t.ptr + t.len;
        }
    }
}

static dmp_status find_cfi(const dmp_symfile *s, uint64_t addr, dmp_cfi_rules *out)
{
    const size_t i = count_le(s, &s->cfi, KEY_CFI, addr);
    if (i == 0)
        return DMP_E_NOT_FOUND;
    const uint64_t off = symidx_get(&s->cfi, i - 1);
    uint64_t start, size;
    dmp_sym_str rules;
    if (!dmpi_sym_parse_cfi_init(dmpi_sym_line_at(s, off), &start, &size, &rules) ||
        addr - start >= size)
        return DMP_E_NOT_FOUND;
    out->init_start = start;
    out->init_size = size;
    out->sym_offset = off;
    out->count = 0;
    if (!add_rules(rules, out))
        return DMP_E_MALFORMED;
    /* The deltas are the STACK CFI lines right under the INIT; those up to addr apply. */
    for (uint64_t o = dmpi_sym_line_at(s, off).next, next; o < s->len; o = next) {
        struct symline l = dmpi_sym_line_at(s, o);
        next = l.next;
        dmp_sym_str kw1, kw2, a;
        uint64_t at;
        if ((size_t)(l.end - l.p) < 10 || memcmp(l.p, "STACK CFI ", 10) != 0 ||
            ((size_t)(l.end - l.p) >= 15 && memcmp(l.p, "STACK CFI INIT ", 15) == 0))
            break;
        dmpi_sym_token(&l, &kw1);
        dmpi_sym_token(&l, &kw2);
        if (!dmpi_sym_token(&l, &a) || !dmpi_sym_hex(a, &at))
            continue;
        if (at < start || at > addr)
            continue;
        add_rules(dmpi_sym_rest(&l), out);
    }
    return DMP_OK;
}

dmp_status dmp_sym_find_cfi(const dmp_symfile *s, uint64_t addr, dmp_cfi_rules *out)
{
    if (!s || !out)
        return DMP_E_INVALID_ARG;
    dmp_cfi_rules tmp;
    const dmp_status st = find_cfi(s, addr, &tmp);
    if (st == DMP_OK)
        *out = tmp;
    return st;
}

/* The innermost record of one STACK WIN type covering addr. The index holds properly nested
 * ranges sorted by start (larger first at one start), so going back from the last record that
 * starts at or below addr, the first that covers it is the innermost. Siblings nested in the
 * same parent lie between; at most WIN_NEST_SCAN records are looked at. */
static bool find_win_type(const dmp_symfile *s, const struct symidx *x, uint64_t max_size,
                          uint64_t addr, dmp_win_record *out)
{
    size_t i = count_le(s, x, KEY_WIN, addr);
    for (size_t steps = 0; i > 0 && steps < WIN_NEST_SCAN; steps++, i--) {
        dmp_win_record w;
        const uint64_t off = symidx_get(x, i - 1);
        if (!dmpi_sym_parse_win(dmpi_sym_line_at(s, off), &w))
            continue;
        if (addr - w.start >= max_size)
            break; /* this and every record before it end below addr */
        if (addr - w.start < w.size) {
            *out = w;
            out->sym_offset = off;
            return true;
        }
    }
    return false;
}

dmp_status dmp_sym_find_win(const dmp_symfile *s, uint64_t addr, dmp_win_record *out)
{
    if (!s || !out)
        return DMP_E_INVALID_ARG;
    if (find_win_type(s, &s->win[0], s->win_max_size[0], addr, out) ||
        find_win_type(s, &s->win[1], s->win_max_size[1], addr, out))
        return DMP_OK;
    return DMP_E_NOT_FOUND;
}
