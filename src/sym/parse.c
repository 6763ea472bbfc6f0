/* parse.c - tokens and record headers of Breakpad .sym lines, bounded by the line's end.
 * SPDX-License-Identifier: MIT
 *
 * Every parser here works on one line, [p, end), never past it: the file is not
 * NUL-terminated, and a token's bytes are handed out as dmp_sym_str spans into the mapping.
 * Numbers follow Breakpad's writers: addresses and sizes in hex without a 0x prefix, ids and
 * line numbers in decimal. A number that does not fit 64 bits is a syntax error.
 */
#include "sym.h"

#include <string.h>

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

struct symline dmpi_sym_line_at(const dmp_symfile *s, uint64_t off)
{
    const char *const p = s->text + off;
    const char *nl = memchr(p, '\n', (size_t)(s->len - off));
    const char *end = nl ? nl : s->text + s->len;
    const uint64_t next = nl ? (uint64_t)(nl - s->text) + 1 : s->len;
    while (end > p && end[-1] == '\r')
        end--;
    return (struct symline){p, end, next};
}

bool dmpi_sym_token(struct symline *l, dmp_sym_str *tok)
{
    const char *p = l->p;
    while (p < l->end && is_blank(*p))
        p++;
    const char *const start = p;
    while (p < l->end && !is_blank(*p))
        p++;
    l->p = p;
    if (p == start)
        return false;
    tok->ptr = start;
    tok->len = (size_t)(p - start);
    return true;
}

dmp_sym_str dmpi_sym_rest(struct symline *l)
{
    const char *p = l->p;
    const char *end = l->end;
    while (p < end && is_blank(*p))
        p++;
    while (end > p && is_blank(end[-1]))
        end--;
    l->p = l->end;
    return (dmp_sym_str){p, (size_t)(end - p)};
}

bool dmpi_sym_hex(dmp_sym_str t, uint64_t *out)
{
    if (t.len == 0 || t.len > 16)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < t.len; i++) {
        const char c = t.ptr[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return false;
        v = v << 4 | d;
    }
    *out = v;
    return true;
}

bool dmpi_sym_dec(dmp_sym_str t, uint64_t *out)
{
    if (t.len == 0 || t.len > 19) /* 19 digits always fit in 64 bits */
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < t.len; i++) {
        if (t.ptr[i] < '0' || t.ptr[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(t.ptr[i] - '0');
    }
    *out = v;
    return true;
}

bool dmpi_sym_is(dmp_sym_str t, const char *word)
{
    const size_t n = strlen(word);
    return t.len == n && memcmp(t.ptr, word, n) == 0;
}

/* Skips a keyword already recognised by its first bytes. */
static void skip_keyword(struct symline *l, size_t n)
{
    l->p = (size_t)(l->end - l->p) < n ? l->end : l->p + n;
}

/* The optional `m` flag of FUNC and PUBLIC, then the first number. */
static bool parse_multiple(struct symline *l, bool *multiple, dmp_sym_str *first)
{
    if (!dmpi_sym_token(l, first))
        return false;
    *multiple = dmpi_sym_is(*first, "m");
    return !*multiple || dmpi_sym_token(l, first);
}

bool dmpi_sym_parse_func(struct symline l, struct symfunc *out)
{
    dmp_sym_str a, n, p;
    skip_keyword(&l, 4);
    if (!parse_multiple(&l, &out->multiple, &a) || !dmpi_sym_token(&l, &n) ||
        !dmpi_sym_token(&l, &p))
        return false;
    if (!dmpi_sym_hex(a, &out->addr) || !dmpi_sym_hex(n, &out->size) ||
        !dmpi_sym_hex(p, &out->param))
        return false;
    out->name = dmpi_sym_rest(&l);
    return out->name.len > 0;
}

bool dmpi_sym_parse_public(struct symline l, struct symfunc *out)
{
    dmp_sym_str a, p;
    skip_keyword(&l, 6);
    if (!parse_multiple(&l, &out->multiple, &a) || !dmpi_sym_token(&l, &p))
        return false;
    if (!dmpi_sym_hex(a, &out->addr) || !dmpi_sym_hex(p, &out->param))
        return false;
    out->size = 0;
    out->name = dmpi_sym_rest(&l);
    return out->name.len > 0;
}

bool dmpi_sym_parse_cfi_init(struct symline l, uint64_t *addr, uint64_t *size, dmp_sym_str *rules)
{
    dmp_sym_str a, n;
    skip_keyword(&l, 15); /* "STACK CFI INIT " */
    if (!dmpi_sym_token(&l, &a) || !dmpi_sym_token(&l, &n) || !dmpi_sym_hex(a, addr) ||
        !dmpi_sym_hex(n, size))
        return false;
    *rules = dmpi_sym_rest(&l);
    return true;
}

/* STACK WIN type rva code_size prologue epilogue params saved_regs locals max_stack
 * has_program (program | allocates_base_pointer), all numbers in hex. */
bool dmpi_sym_parse_win(struct symline l, dmp_win_record *out)
{
    uint64_t v[10];
    skip_keyword(&l, 10); /* "STACK WIN " */
    for (int i = 0; i < 10; i++) {
        dmp_sym_str t;
        if (!dmpi_sym_token(&l, &t) || !dmpi_sym_hex(t, &v[i]))
            return false;
    }
    for (int i = 3; i < 9; i++)
        if (v[i] > UINT32_MAX)
            return false;
    if (v[0] > 4 || v[9] > 1)
        return false;
    out->type = (uint32_t)v[0];
    out->start = v[1];
    out->size = v[2];
    out->prologue_size = (uint32_t)v[3];
    out->epilogue_size = (uint32_t)v[4];
    out->param_size = (uint32_t)v[5];
    out->saved_regs_size = (uint32_t)v[6];
    out->locals_size = (uint32_t)v[7];
    out->max_stack_size = (uint32_t)v[8];
    out->has_program = v[9] != 0;
    out->allocates_base_pointer = 0;
    if (out->has_program) {
        out->program = dmpi_sym_rest(&l);
        return true;
    }
    dmp_sym_str t;
    uint64_t abp;
    out->program = (dmp_sym_str){"", 0};
    if (!dmpi_sym_token(&l, &t) || !dmpi_sym_hex(t, &abp))
        return false;
    out->allocates_base_pointer = abp != 0;
    return true;
}

/* True when the token is an optional '-' then digits, as Breakpad tells the old
 * INLINE_ORIGIN syntax (which has a file id) from the new. */
static bool looks_numeric(dmp_sym_str t)
{
    size_t i = t.len > 1 && t.ptr[0] == '-' ? 1 : 0;
    if (i >= t.len)
        return false;
    for (; i < t.len; i++)
        if (t.ptr[i] < '0' || t.ptr[i] > '9')
            return false;
    return true;
}

bool dmpi_sym_parse_named(struct symline l, size_t keyword_len, bool origin, uint64_t *id,
                          dmp_sym_str *name)
{
    dmp_sym_str t;
    skip_keyword(&l, keyword_len);
    if (!dmpi_sym_token(&l, &t) || !dmpi_sym_dec(t, id))
        return false;
    if (origin) {
        /* INLINE_ORIGIN id [file_id] name: the old syntax's file id is all digits. */
        struct symline peek = l;
        dmp_sym_str f;
        if (dmpi_sym_token(&peek, &f) && looks_numeric(f))
            l = peek;
    }
    *name = dmpi_sym_rest(&l);
    return name->len > 0;
}
