/* sym.h - struct dmp_symfile and the helpers shared by src/sym: the lazy record index, the
 * line tokenizer, the lookups.
 * SPDX-License-Identifier: MIT */
#ifndef DMPREAD_SYM_H
#define DMPREAD_SYM_H

#include "../internal.h"

/* Offsets of records of one kind, sorted by the record's key (address or id) and then by file
 * order. Stored as 32-bit offsets when the file is under 4 GiB, else 64-bit: the index is the
 * only per-record memory a symbol file costs. */
struct symidx {
    void *p;
    size_t n;
    size_t cap;
    bool wide;
};

static inline uint64_t symidx_get(const struct symidx *x, size_t i)
{
    return x->wide ? ((const uint64_t *)x->p)[i] : ((const uint32_t *)x->p)[i];
}

/* One line of the file: [p, end) without its line ending; `next` is the offset just past its
 * '\n' (the next line's), or the file's length (only lines from dmpi_sym_line_at have it). */
struct symline {
    const char *p;
    const char *end;
    uint64_t next;
};

struct dmp_symfile {
    struct dmpi_source src;
    const char *text;
    uint64_t len;
    dmp_sym_info info;
    struct symidx files;      /* FILE, by id */
    struct symidx origins;    /* INLINE_ORIGIN, by id */
    struct symidx funcs;      /* FUNC, by address, no overlaps, no size 0 */
    struct symidx publics;    /* PUBLIC, by address, one per address */
    struct symidx cfi;        /* STACK CFI INIT, by address, no overlaps */
    struct symidx win[2];     /* STACK WIN type 4 and type 0, by address, nesting allowed */
    uint64_t win_max_size[2]; /* the largest kept record of each: how far back a lookup looks */
    size_t diag_count;
    dmp_sym_diag diags[DMP_SYM_MAX_DIAGS];
};

/* The line starting at offset `off` (which must be < s->len). */
struct symline dmpi_sym_line_at(const dmp_symfile *s, uint64_t off);

/* Tokens: runs of non-blank bytes (blank: space, tab, '\r'). */
bool dmpi_sym_token(struct symline *l, dmp_sym_str *tok);
/* The rest of the line after leading blanks, trailing blanks removed. */
dmp_sym_str dmpi_sym_rest(struct symline *l);
/* Whole-token numbers: hex (no 0x prefix, as Breakpad writes) or unsigned decimal. */
bool dmpi_sym_hex(dmp_sym_str t, uint64_t *out);
bool dmpi_sym_dec(dmp_sym_str t, uint64_t *out);
bool dmpi_sym_is(dmp_sym_str t, const char *word);

/* Parsed record headers. Each returns false when the line is not that record. */
struct symfunc {
    bool multiple;
    uint64_t addr;
    uint64_t size; /* PUBLIC: 0 */
    uint64_t param;
    dmp_sym_str name;
};
bool dmpi_sym_parse_func(struct symline l, struct symfunc *out);   /* "FUNC ..." */
bool dmpi_sym_parse_public(struct symline l, struct symfunc *out); /* "PUBLIC ..." */
/* "STACK CFI INIT addr size rules" -> addr, size, rules. */
bool dmpi_sym_parse_cfi_init(struct symline l, uint64_t *addr, uint64_t *size, dmp_sym_str *rules);
/* "STACK WIN ..." */
bool dmpi_sym_parse_win(struct symline l, dmp_win_record *out);
/* "FILE id name" or "INLINE_ORIGIN id [file] name": the id, and the name. */
bool dmpi_sym_parse_named(struct symline l, size_t keyword_len, bool origin, uint64_t *id,
                          dmp_sym_str *name);

/* Index builder (index.c). */
/* The open pass: over the bytes in memory, or with fd >= 0 over the file read again. */
dmp_status dmpi_sym_index(dmp_symfile *s, int fd);
void dmpi_sym_index_free(dmp_symfile *s);

#endif /* DMPREAD_SYM_H */
