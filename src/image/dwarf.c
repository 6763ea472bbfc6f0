/* dwarf.c - DWARF call frame information: CIEs and FDEs of .eh_frame and .debug_frame, the
 * .eh_frame_hdr search table, the CFA program interpreter and the DWARF expression machine.
 * SPDX-License-Identifier: MIT
 *
 * Formats: DWARF 5 section 6.4 (call frame information) and 2.5 (expressions); the LSB's
 * "Exception Frames" for .eh_frame (augmentations, DW_EH_PE pointer encodings) and
 * .eh_frame_hdr. Everything is read through a cursor bounded by the entry's end; LEB128
 * numbers are cut at 16 bytes and augmentation strings at 16 characters, so decoding a CIE
 * costs a bounded number of steps however many FDEs point at it. The CFA program runs
 * forwards only, capped at DMPI_CFI_MAX_INSNS instructions, with at most DMPI_CFI_MAX_STATES
 * remembered rows; expressions can branch backwards (DW_OP_skip, DW_OP_bra), so they are
 * capped at DMPI_CFI_MAX_EXPR_STEPS steps and DMPI_CFI_MAX_STACK operands. No recursion.
 * Arithmetic on addresses is modular (the file's address size), as in the target machine.
 */
#include "elf.h"

#include <stdlib.h>
#include <string.h>

/* DW_EH_PE_* pointer encodings (LSB): the low nibble is the format, 0x70 the base. */
#define PE_ABSPTR 0x00
#define PE_ULEB128 0x01
#define PE_UDATA2 0x02
#define PE_UDATA4 0x03
#define PE_UDATA8 0x04
#define PE_SLEB128 0x09
#define PE_SDATA2 0x0a
#define PE_SDATA4 0x0b
#define PE_SDATA8 0x0c
#define PE_PCREL 0x10
#define PE_DATAREL 0x30
#define PE_INDIRECT 0x80
#define PE_OMIT 0xff

#define LEB_MAX_BYTES 16
#define AUG_MAX 16
#define EM_AARCH64 183

/* A read position in a view, bounded by `end` (at most the view's length). */
struct cursor {
    const struct view *v;
    uint64_t off;
    uint64_t end;
};

static bool cur_bytes(struct cursor *c, uint64_t n, const uint8_t **p)
{
    if (c->off > c->end || n > c->end - c->off)
        return false;
    *p = c->v->data + c->off;
    c->off += n;
    return true;
}

static bool cur_u8(struct cursor *c, uint8_t *out)
{
    const uint8_t *p;
    if (!cur_bytes(c, 1, &p))
        return false;
    *out = *p;
    return true;
}

/* An unsigned little-endian number of n bytes (1, 2, 4 or 8). */
static bool cur_uint(struct cursor *c, unsigned n, uint64_t *out)
{
    const uint8_t *p;
    if (!cur_bytes(c, n, &p))
        return false;
    *out = n == 1 ? p[0] : n == 2 ? load_u16le(p) : n == 4 ? load_u32le(p) : load_u64le(p);
    return true;
}

/* v's low `bits` bits, sign-extended. */
static uint64_t sext(uint64_t v, unsigned bits)
{
    if (bits >= 64)
        return v;
    const uint64_t sign = (uint64_t)1 << (bits - 1);
    v &= (sign << 1) - 1;
    return (v ^ sign) - sign;
}

static bool cur_leb(struct cursor *c, bool is_signed, uint64_t *out)
{
    uint64_t v = 0;
    unsigned shift = 0;
    for (unsigned i = 0; i < LEB_MAX_BYTES; i++) {
        uint8_t b;
        if (!cur_u8(c, &b))
            return false;
        if (shift < 64)
            v |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
        if (!(b & 0x80)) {
            if (is_signed && shift < 64 && (b & 0x40))
                v |= UINT64_MAX << shift;
            *out = v;
            return true;
        }
    }
    return false;
}

static bool cur_uleb(struct cursor *c, uint64_t *out)
{
    return cur_leb(c, false, out);
}

static bool cur_sleb(struct cursor *c, int64_t *out)
{
    uint64_t v;
    if (!cur_leb(c, true, &v))
        return false;
    *out = (int64_t)v;
    return true;
}

/* ---- Pointer encodings -------------------------------------------------------------------- */

/* What relative encodings are relative to: DW_EH_PE_pcrel to the field's own vaddr (the view's
 * first byte is at sec_vaddr), DW_EH_PE_datarel to data_base (.eh_frame_hdr's start). */
struct encbase {
    uint64_t sec_vaddr;
    uint64_t data_base;
    bool pcrel_ok;
    bool datarel_ok;
    unsigned addr_size;
    uint64_t mask;
};

/* A DW_EH_PE-encoded value. textrel, funcrel, aligned and indirect are refused: no toolchain
 * puts them in FDE addresses or the search table (personality pointers, which do use
 * indirect, are skipped by size with skip_encoded). */
static bool read_encoded(struct cursor *c, uint8_t enc, const struct encbase *b, uint64_t *out)
{
    const uint64_t field = b->sec_vaddr + c->off;
    const unsigned format = enc & 0x0f;
    uint64_t v = 0;
    int64_t s = 0;
    bool ok;
    switch (format) {
    case PE_ABSPTR:
        ok = cur_uint(c, b->addr_size, &v);
        break;
    case PE_ULEB128:
        ok = cur_uleb(c, &v);
        break;
    case PE_UDATA2:
    case PE_UDATA4:
    case PE_UDATA8:
        ok = cur_uint(c, 1u << (format - 1), &v);
        break;
    case PE_SLEB128:
        ok = cur_sleb(c, &s);
        v = (uint64_t)s;
        break;
    case PE_SDATA2:
    case PE_SDATA4:
    case PE_SDATA8:
        ok = cur_uint(c, 1u << (format - 9), &v);
        v = sext(v, 8u << (format - 9));
        break;
    default:
        return false;
    }
    if (!ok || (enc & PE_INDIRECT))
        return false;
    switch (enc & 0x70) {
    case 0:
        break;
    case PE_PCREL:
        if (!b->pcrel_ok)
            return false;
        v += field;
        break;
    case PE_DATAREL:
        if (!b->datarel_ok)
            return false;
        v += b->data_base;
        break;
    default:
        return false;
    }
    *out = v & b->mask;
    return true;
}

/* Steps over an encoded value whose bytes are all we need to know (a personality pointer). */
static bool skip_encoded(struct cursor *c, uint8_t enc, unsigned addr_size)
{
    const struct encbase raw = {0, 0, false, false, addr_size, UINT64_MAX};
    uint64_t v;
    return enc == PE_OMIT || read_encoded(c, (uint8_t)(enc & 0x0f), &raw, &v);
}

static struct encbase encbase_of(const struct dmpi_elf *e, const struct dmpi_cfi_sec *s,
                                 unsigned addr_size)
{
    return (struct encbase){s->vaddr, 0, !s->is_debug, false, addr_size, e->addr_mask};
}

/* ---- CIEs and FDEs ------------------------------------------------------------------------ */

/* An entry's framing: its length field at `off`, its id (CIE id or CIE pointer) at id_off,
 * the rest in [body, end). */
struct entry {
    uint64_t off;
    uint64_t id_off;
    uint64_t id;
    uint64_t body;
    uint64_t end;
    bool wide; /* the 64-bit DWARF format */
};

/* 1: an entry; 0: the zero terminator or the section's end; -1: a damaged length. */
static int read_entry(const struct dmpi_cfi_sec *s, uint64_t off, struct entry *en)
{
    const struct view *v = &s->bytes;
    uint32_t len32;
    if (!view_u32le(v, off, &len32))
        return 0; /* fewer than 4 bytes left: padding, not an entry */
    if (len32 == 0)
        return 0;
    uint64_t len = len32, at = off + 4;
    en->wide = len32 == 0xffffffffu;
    if (en->wide) {
        if (!view_u64le(v, at, &len))
            return -1;
        at += 8;
    } else if (len32 >= 0xfffffff0u) {
        return -1; /* reserved values */
    }
    /* .eh_frame keeps a 4-byte CIE id/pointer even in the 64-bit format (LSB). */
    const unsigned id_size = en->wide && s->is_debug ? 8 : 4;
    if (!view_has(v, at, len) || len < id_size)
        return -1;
    en->off = off;
    en->id_off = at;
    en->id = id_size == 8 ? load_u64le(v->data + at) : load_u32le(v->data + at);
    en->body = at + id_size;
    en->end = at + len;
    return 1;
}

static bool entry_is_cie(const struct dmpi_cfi_sec *s, const struct entry *en)
{
    if (!s->is_debug)
        return en->id == 0;
    return en->id == (en->wide ? UINT64_MAX : 0xffffffffu);
}

struct cie {
    uint64_t code_align;
    int64_t data_align;
    uint64_t ra_reg;
    uint64_t insn_off; /* the initial instructions, [insn_off, insn_end) in the section */
    uint64_t insn_end;
    unsigned addr_size;
    uint8_t fde_enc;
    bool has_z;
    bool signal;
};

struct fde {
    uint64_t start;
    uint64_t len;
    uint64_t insn_off;
    uint64_t insn_end;
    struct cie cie;
};

/* The augmentation data of a 'z' CIE: the letters after the 'z', in order. */
static bool parse_augmentation(struct cursor *c, const char *aug, struct cie *cie)
{
    uint64_t len;
    if (!cur_uleb(c, &len) || len > c->end - c->off)
        return false;
    const uint64_t data_end = c->off + len;
    struct cursor d = {c->v, c->off, data_end};
    for (const char *a = aug + 1; *a; a++) {
        uint8_t enc;
        switch (*a) {
        case 'R':
            if (!cur_u8(&d, &cie->fde_enc))
                return false;
            break;
        case 'L':
            if (!cur_u8(&d, &enc))
                return false;
            break;
        case 'P':
            if (!cur_u8(&d, &enc) || !skip_encoded(&d, enc, cie->addr_size))
                return false;
            break;
        case 'S':
            cie->signal = true;
            break;
        case 'B': /* AArch64 BTI, 'G' MTE-tagged frames: no data, nothing for unwinding */
        case 'G':
            break;
        default:
            return false;
        }
    }
    c->off = data_end;
    return true;
}

static dmp_status parse_cie(const struct dmpi_elf *e, const struct dmpi_cfi_sec *s, uint64_t off,
                            struct cie *cie)
{
    struct entry en;
    if (read_entry(s, off, &en) != 1 || !entry_is_cie(s, &en))
        return DMP_E_MALFORMED;
    struct cursor c = {&s->bytes, en.body, en.end};
    uint8_t version;
    if (!cur_u8(&c, &version))
        return DMP_E_MALFORMED;
    if (version != 1 && version != 3 && !(s->is_debug && version == 4))
        return DMP_E_MALFORMED;
    char aug[AUG_MAX + 1];
    size_t n = 0;
    for (;; n++) {
        uint8_t ch;
        if (n == AUG_MAX || !cur_u8(&c, &ch))
            return DMP_E_MALFORMED;
        aug[n] = (char)ch;
        if (ch == 0)
            break;
    }
    *cie = (struct cie){.addr_size = e->addr_size, .fde_enc = PE_ABSPTR};
    if (version == 4) {
        uint8_t addr_size, seg_size;
        if (!cur_u8(&c, &addr_size) || !cur_u8(&c, &seg_size) || seg_size != 0 ||
            (addr_size != 4 && addr_size != 8))
            return DMP_E_MALFORMED;
        cie->addr_size = addr_size;
    }
    uint8_t ra8;
    if (!cur_uleb(&c, &cie->code_align) || !cur_sleb(&c, &cie->data_align))
        return DMP_E_MALFORMED;
    if (version == 1 ? !cur_u8(&c, &ra8) : !cur_uleb(&c, &cie->ra_reg))
        return DMP_E_MALFORMED;
    if (version == 1)
        cie->ra_reg = ra8;
    cie->has_z = aug[0] == 'z';
    if (cie->has_z ? !parse_augmentation(&c, aug, cie) : aug[0] != '\0')
        return DMP_E_MALFORMED; /* "eh" (GCC 2) and unknown vendors' strings */
    cie->insn_off = c.off;
    cie->insn_end = en.end;
    return DMP_OK;
}

/* A one-entry cache of the last CIE parsed, for the pass over a whole section. */
struct cie_cache {
    bool valid;
    uint64_t off;
    struct cie cie;
};

static dmp_status parse_fde(const struct dmpi_elf *e, const struct dmpi_cfi_sec *s, uint64_t off,
                            struct cie_cache *cache, struct fde *fde)
{
    struct entry en;
    if (read_entry(s, off, &en) != 1 || entry_is_cie(s, &en))
        return DMP_E_MALFORMED;
    uint64_t cie_off;
    if (s->is_debug) {
        cie_off = en.id;
    } else {
        if (en.id > en.id_off)
            return DMP_E_MALFORMED;
        cie_off = en.id_off - en.id; /* the pointer counts back from its own field */
    }
    if (cache && cache->valid && cache->off == cie_off) {
        fde->cie = cache->cie;
    } else {
        const dmp_status st = parse_cie(e, s, cie_off, &fde->cie);
        if (st != DMP_OK)
            return st;
        if (cache)
            *cache = (struct cie_cache){true, cie_off, fde->cie};
    }
    const struct encbase b = encbase_of(e, s, fde->cie.addr_size);
    struct cursor c = {&s->bytes, en.body, en.end};
    const uint8_t enc = fde->cie.fde_enc;
    if (!read_encoded(&c, enc, &b, &fde->start) ||
        !read_encoded(&c, (uint8_t)(enc & 0x0f), &b, &fde->len))
        return DMP_E_MALFORMED;
    fde->len &= e->addr_mask;
    uint64_t aug_len;
    if (fde->cie.has_z && (!cur_uleb(&c, &aug_len) || aug_len > c.end - c.off))
        return DMP_E_MALFORMED;
    if (fde->cie.has_z)
        c.off += aug_len; /* the LSDA pointer: not needed to unwind */
    fde->insn_off = c.off;
    fde->insn_end = en.end;
    return DMP_OK;
}

static int compare_fde(const void *a, const void *b)
{
    const struct dmpi_fde_ref *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->off < y->off ? -1 : x->off > y->off;
}

dmp_status dmpi_cfi_index(const struct dmpi_elf *e, const struct dmpi_cfi_sec *sec,
                          struct dmpi_fde_ref **out, size_t *count)
{
    struct dmpi_fde_ref *refs = NULL;
    size_t n = 0, cap = 0;
    struct cie_cache cache = {0};
    struct entry en;
    /* Each entry takes at least 8 bytes, so this visits at most len / 8 of them. */
    for (uint64_t off = 0; read_entry(sec, off, &en) == 1; off = en.end) {
        struct fde fde;
        if (entry_is_cie(sec, &en) || parse_fde(e, sec, off, &cache, &fde) != DMP_OK ||
            fde.len == 0)
            continue;
        if (n == cap) {
            const size_t ncap = cap ? 2 * cap : 64;
            struct dmpi_fde_ref *const grown = realloc(refs, ncap * sizeof *refs);
            if (!grown) {
                free(refs);
                return DMP_E_NOMEM;
            }
            refs = grown;
            cap = ncap;
        }
        refs[n++] = (struct dmpi_fde_ref){fde.start, fde.len, off};
    }
    if (n)
        qsort(refs, n, sizeof *refs, compare_fde);
    *out = refs;
    *count = n;
    return DMP_OK;
}

/* ---- .eh_frame_hdr ------------------------------------------------------------------------ */

/* Entry i of the checked search table: its initial location and FDE vaddr. */
static void hdr_entry(const struct dmpi_elf *e, size_t i, uint64_t *loc, uint64_t *fde)
{
    const uint8_t *const p = e->hdr_table.data + 8 * (uint64_t)i;
    *loc = (e->hdr_vaddr + sext(load_u32le(p), 32)) & e->addr_mask;
    *fde = (e->hdr_vaddr + sext(load_u32le(p + 4), 32)) & e->addr_mask;
}

bool dmpi_cfi_hdr_check(struct dmpi_elf *e, uint64_t *eh_vaddr)
{
    const struct view *v = &e->hdr;
    e->hdr_count = 0;
    if (v->len < 4 || v->data[0] != 1)
        return false;
    const struct encbase b = {e->hdr_vaddr, e->hdr_vaddr, true, true, e->addr_size, e->addr_mask};
    struct cursor c = {v, 4, v->len};
    if (!read_encoded(&c, v->data[1], &b, eh_vaddr))
        return false;
    /* Only the fixed-size datarel sdata4 table, which every linker writes, is searched. */
    uint64_t count;
    if (v->data[2] == PE_OMIT || v->data[3] != (PE_DATAREL | PE_SDATA4) ||
        !read_encoded(&c, v->data[2], &b, &count) || count == 0 || count > (v->len - c.off) / 8)
        return true;
    e->hdr_table = (struct view){v->data + c.off, count * 8};
    e->hdr_count = (size_t)count;
    uint64_t prev = 0, loc, fde;
    for (size_t i = 0; i < e->hdr_count; i++, prev = loc) {
        hdr_entry(e, i, &loc, &fde);
        if (i > 0 && loc < prev) {
            e->hdr_count = 0; /* unsorted: the caller builds its own table */
            break;
        }
    }
    return true;
}

/* The FDE at vaddr fde_vaddr in .eh_frame, if it covers pc. */
static dmp_status fde_at_vaddr(const struct dmpi_elf *e, uint64_t fde_vaddr, uint64_t pc,
                               struct fde *out)
{
    const uint64_t off = fde_vaddr - e->eh.vaddr;
    if (fde_vaddr < e->eh.vaddr || off >= e->eh.bytes.len)
        return DMP_E_MALFORMED;
    const dmp_status st = parse_fde(e, &e->eh, off, NULL, out);
    if (st != DMP_OK)
        return st;
    return pc - out->start < out->len && pc >= out->start ? DMP_OK : DMP_E_NOT_FOUND;
}

static dmp_status find_in_hdr(const struct dmpi_elf *e, uint64_t pc, struct fde *out)
{
    size_t lo = 0, hi = e->hdr_count;
    uint64_t loc, fde;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        hdr_entry(e, mid, &loc, &fde);
        if (loc <= pc)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return DMP_E_NOT_FOUND;
    hdr_entry(e, lo - 1, &loc, &fde);
    return fde_at_vaddr(e, fde, pc, out);
}

static dmp_status find_in_table(const struct dmpi_elf *e, const struct dmpi_cfi_sec *s,
                                const struct dmpi_fde_ref *refs, size_t n, uint64_t pc,
                                struct fde *out)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (refs[mid].start <= pc)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || pc - refs[lo - 1].start >= refs[lo - 1].len)
        return DMP_E_NOT_FOUND;
    return parse_fde(e, s, refs[lo - 1].off, NULL, out);
}

/* The FDE covering pc: .eh_frame, then .debug_frame. A damaged .eh_frame FDE is reported only
 * when .debug_frame has nothing either. */
static dmp_status find_fde(const struct dmpi_elf *e, uint64_t pc, const struct dmpi_cfi_sec **sec,
                           struct fde *out)
{
    dmp_status eh = DMP_E_NOT_FOUND;
    if (e->eh.present) {
        eh = e->hdr_count ? find_in_hdr(e, pc, out)
                          : find_in_table(e, &e->eh, e->eh_fdes, e->eh_fde_count, pc, out);
        *sec = &e->eh;
        if (eh == DMP_OK)
            return eh;
    }
    if (!e->debug.present)
        return eh;
    const dmp_status dbg = find_in_table(e, &e->debug, e->debug_fdes, e->debug_fde_count, pc, out);
    *sec = &e->debug;
    return dbg == DMP_E_NOT_FOUND && eh != DMP_E_NOT_FOUND ? eh : dbg;
}

size_t dmpi_elf_fde_count(const struct dmpi_elf *e)
{
    return (e->hdr_count ? e->hdr_count : e->eh_fde_count) + e->debug_fde_count;
}

bool dmpi_elf_fde_get(const struct dmpi_elf *e, size_t i, uint64_t *start, uint64_t *len)
{
    const size_t eh_count = e->hdr_count ? e->hdr_count : e->eh_fde_count;
    if (i >= eh_count) {
        i -= eh_count;
        if (i >= e->debug_fde_count)
            return false;
        *start = e->debug_fdes[i].start;
        *len = e->debug_fdes[i].len;
        return true;
    }
    if (!e->hdr_count) {
        *start = e->eh_fdes[i].start;
        *len = e->eh_fdes[i].len;
        return true;
    }
    uint64_t loc, fde_vaddr;
    struct fde fde;
    hdr_entry(e, i, &loc, &fde_vaddr);
    *start = loc;
    *len = fde_at_vaddr(e, fde_vaddr, loc, &fde) == DMP_OK ? fde.len : 0;
    return true;
}

/* ---- The CFA program ---------------------------------------------------------------------- */

/* One run of CIE or FDE instructions. */
struct cfa_run {
    const struct dmpi_elf *e;
    const struct dmpi_cfi_sec *s;
    const struct cie *cie;
    struct encbase base;
    uint64_t pc;
    const struct dmpi_cfi_row *initial; /* the CIE's row; NULL while running the CIE */
    struct dmpi_cfi_row *saved;         /* DMPI_CFI_MAX_STATES rows */
    unsigned depth;
    unsigned long insns;
    bool stop; /* the next row starts past pc */
};

static void set_rule(struct dmpi_cfi_row *row, uint64_t reg, uint8_t kind, int64_t offset)
{
    if (reg < DMPI_CFI_COLUMNS)
        row->rules[reg] = (struct dmpi_cfi_rule){.kind = kind, .offset = offset};
}

/* n * factor, modulo 2^64 like the address arithmetic it feeds. */
static int64_t factored(uint64_t n, int64_t factor)
{
    return (int64_t)(n * (uint64_t)factor);
}

/* Moves the location to `to`; rows past pc are not needed, so that ends the run. */
static void move_to(struct cfa_run *r, struct dmpi_cfi_row *row, uint64_t to, bool ok)
{
    if (!r->initial)
        return; /* location changes in a CIE mean nothing */
    if (!ok || to > r->pc)
        r->stop = true;
    else
        row->loc = to;
}

static void advance(struct cfa_run *r, struct dmpi_cfi_row *row, uint64_t delta)
{
    const uint64_t align = r->cie->code_align;
    uint64_t to = 0;
    const bool ok =
        (align == 0 || delta <= UINT64_MAX / align) && add_u64(row->loc, delta * align, &to);
    move_to(r, row, to, ok);
}

static void restore_rule(const struct cfa_run *r, struct dmpi_cfi_row *row, uint64_t reg)
{
    if (reg >= DMPI_CFI_COLUMNS)
        return;
    if (r->initial)
        row->rules[reg] = r->initial->rules[reg];
    else
        row->rules[reg] = (struct dmpi_cfi_rule){0};
}

/* A DW_FORM_block operand: its length, then the bytes, recorded as a file range. */
static bool read_block(struct cfa_run *r, struct cursor *c, uint64_t *off, uint64_t *len)
{
    const uint8_t *p;
    if (!cur_uleb(c, len) || !cur_bytes(c, *len, &p))
        return false;
    *off = r->s->file_off + (c->off - *len);
    return true;
}

static bool remember(struct cfa_run *r, const struct dmpi_cfi_row *row)
{
    if (r->depth == DMPI_CFI_MAX_STATES)
        return false;
    r->saved[r->depth++] = *row;
    return true;
}

/* DW_CFA_restore_state brings back the rules and the CFA, not the location. */
static bool restore_state(struct cfa_run *r, struct dmpi_cfi_row *row)
{
    if (r->depth == 0)
        return false;
    const uint64_t loc = row->loc;
    *row = r->saved[--r->depth];
    row->loc = loc;
    return true;
}

static void def_cfa(struct dmpi_cfi_row *row, uint64_t reg, int64_t offset)
{
    row->has_cfa = true;
    row->cfa_is_expr = false;
    row->cfa_reg = reg > UINT32_MAX ? UINT32_MAX : (uint32_t)reg;
    row->cfa_offset = offset;
}

/* The rules that take a register and a second operand. */
static bool reg_op(struct cfa_run *r, struct cursor *c, uint8_t op, struct dmpi_cfi_row *row)
{
    uint64_t reg, u, off, len;
    int64_t s;
    const int64_t daf = r->cie->data_align;
    if (!cur_uleb(c, &reg))
        return false;
    switch (op) {
    case 0x05: /* DW_CFA_offset_extended */
    case 0x14: /* DW_CFA_val_offset */
    case 0x2f: /* DW_CFA_GNU_negative_offset_extended */
        if (!cur_uleb(c, &u))
            return false;
        s = factored(u, daf);
        set_rule(row, reg, op == 0x14 ? DMPI_CFI_VAL_OFFSET : DMPI_CFI_OFFSET,
                 op == 0x2f ? (int64_t)(0 - (uint64_t)s) : s);
        return true;
    case 0x11: /* DW_CFA_offset_extended_sf */
    case 0x15: /* DW_CFA_val_offset_sf */
        if (!cur_sleb(c, &s))
            return false;
        set_rule(row, reg, op == 0x15 ? DMPI_CFI_VAL_OFFSET : DMPI_CFI_OFFSET,
                 factored((uint64_t)s, daf));
        return true;
    case 0x09: /* DW_CFA_register */
        if (!cur_uleb(c, &u))
            return false;
        set_rule(row, reg, DMPI_CFI_REGISTER, 0);
        if (reg < DMPI_CFI_COLUMNS)
            row->rules[reg].reg = u > UINT32_MAX ? UINT32_MAX : (uint32_t)u;
        return true;
    case 0x10: /* DW_CFA_expression */
    case 0x16: /* DW_CFA_val_expression */
        if (!read_block(r, c, &off, &len))
            return false;
        set_rule(row, reg, op == 0x10 ? DMPI_CFI_EXPR : DMPI_CFI_VAL_EXPR, 0);
        if (reg < DMPI_CFI_COLUMNS) {
            row->rules[reg].expr_off = off;
            row->rules[reg].expr_len = len;
        }
        return true;
    case 0x0c: /* DW_CFA_def_cfa */
        if (!cur_uleb(c, &u))
            return false;
        def_cfa(row, reg, (int64_t)u);
        return true;
    case 0x12: /* DW_CFA_def_cfa_sf */
        if (!cur_sleb(c, &s))
            return false;
        def_cfa(row, reg, factored((uint64_t)s, daf));
        return true;
    default:
        return false;
    }
}

/* Instructions with one operand or none, other than the rules of reg_op. */
static bool other_op(struct cfa_run *r, struct cursor *c, uint8_t op, struct dmpi_cfi_row *row)
{
    uint64_t u;
    int64_t s;
    switch (op) {
    case 0x00: /* DW_CFA_nop */
        return true;
    case 0x01: /* DW_CFA_set_loc */
        /* DWARF 5 6.4.2.1: the new location must be greater than the current one. */
        if (!read_encoded(c, r->cie->fde_enc, &r->base, &u) || (r->initial && u < row->loc))
            return false;
        move_to(r, row, u, true);
        return true;
    case 0x02: /* DW_CFA_advance_loc1, 2, 4; DW_CFA_MIPS_advance_loc8 */
    case 0x03:
    case 0x04:
    case 0x1d:
        if (!cur_uint(c, op == 0x1d ? 8 : 1u << (op - 2), &u))
            return false;
        advance(r, row, u);
        return true;
    case 0x06: /* DW_CFA_restore_extended, undefined, same_value */
    case 0x07:
    case 0x08:
        if (!cur_uleb(c, &u))
            return false;
        if (op == 0x06)
            restore_rule(r, row, u);
        else
            set_rule(row, u, op == 0x07 ? DMPI_CFI_UNDEFINED : DMPI_CFI_SAME, 0);
        return true;
    case 0x0a: /* DW_CFA_remember_state */
        return remember(r, row);
    case 0x0b: /* DW_CFA_restore_state */
        return restore_state(r, row);
    case 0x0d: /* DW_CFA_def_cfa_register: keeps the offset */
        if (!cur_uleb(c, &u))
            return false;
        def_cfa(row, u, row->cfa_offset);
        return true;
    case 0x0e: /* DW_CFA_def_cfa_offset */
    case 0x13: /* DW_CFA_def_cfa_offset_sf */
        if (op == 0x0e ? !cur_uleb(c, &u) : !cur_sleb(c, &s))
            return false;
        def_cfa(row, row->cfa_reg,
                op == 0x0e ? (int64_t)u : factored((uint64_t)s, r->cie->data_align));
        return true;
    case 0x0f: /* DW_CFA_def_cfa_expression */
        if (!read_block(r, c, &row->cfa_expr_off, &row->cfa_expr_len))
            return false;
        row->has_cfa = true;
        row->cfa_is_expr = true;
        return true;
    case 0x2d: /* DW_CFA_AARCH64_negate_ra_state (DW_CFA_GNU_window_save elsewhere) */
        if (r->e->machine != EM_AARCH64)
            return false;
        row->ra_signed = !row->ra_signed;
        return true;
    case 0x2e: /* DW_CFA_GNU_args_size */
        return cur_uleb(c, &u);
    default:
        return reg_op(r, c, op, row);
    }
}

/* Runs [off, end) of the section until the program ends or the next row starts past pc. */
static dmp_status run_program(struct cfa_run *r, uint64_t off, uint64_t end,
                              struct dmpi_cfi_row *row)
{
    struct cursor c = {&r->s->bytes, off, end};
    while (c.off < end && !r->stop) {
        if (++r->insns > DMPI_CFI_MAX_INSNS)
            return DMP_E_MALFORMED;
        uint8_t op = 0;
        uint64_t u;
        (void)cur_u8(&c, &op);
        const uint8_t low = op & 0x3f;
        switch (op & 0xc0) {
        case 0x40: /* DW_CFA_advance_loc */
            advance(r, row, low);
            break;
        case 0x80: /* DW_CFA_offset */
            if (!cur_uleb(&c, &u))
                return DMP_E_MALFORMED;
            set_rule(row, low, DMPI_CFI_OFFSET, factored(u, r->cie->data_align));
            break;
        case 0xc0: /* DW_CFA_restore */
            restore_rule(r, row, low);
            break;
        default:
            if (!other_op(r, &c, op, row))
                return DMP_E_MALFORMED;
        }
    }
    return DMP_OK;
}

dmp_status dmpi_elf_cfi_row(const struct dmpi_elf *e, uint64_t pc, struct dmpi_cfi_row *row)
{
    const struct dmpi_cfi_sec *sec = NULL;
    struct fde fde;
    dmp_status st = find_fde(e, pc, &sec, &fde);
    if (st != DMP_OK)
        return st;
    struct dmpi_cfi_row saved[DMPI_CFI_MAX_STATES];
    struct dmpi_cfi_row initial;
    memset(&initial, 0, sizeof initial);
    struct cfa_run r = {e, sec, &fde.cie, encbase_of(e, sec, fde.cie.addr_size), pc, NULL, saved,
                        0, 0,   false};
    initial.fde_start = fde.start;
    initial.fde_len = fde.len;
    initial.loc = fde.start;
    initial.ra_column = fde.cie.ra_reg > UINT32_MAX ? UINT32_MAX : (uint32_t)fde.cie.ra_reg;
    initial.signal_frame = fde.cie.signal;
    initial.from_debug_frame = sec->is_debug;
    st = run_program(&r, fde.cie.insn_off, fde.cie.insn_end, &initial);
    if (st != DMP_OK)
        return st;
    /* The CIE's remembered rows do not carry into the FDE. */
    r.initial = &initial;
    r.depth = 0;
    *row = initial;
    return run_program(&r, fde.insn_off, fde.insn_end, row);
}

/* ---- Applying a row ----------------------------------------------------------------------- */

struct unwinder {
    const struct dmpi_elf *e;
    const dmp_regs *callee;
    dmp_memory mem;
    uint64_t bias;
};

/* x86 DWARF numbers eax ecx edx ebx esp ebp esi edi eip eflags; dmpread numbers eip esp ebp
 * ebx esi edi eax ecx edx eflags. The other CPUs number their registers as DWARF does. */
static const uint8_t x86_from_dwarf[] = {6, 7, 8, 3, 1, 2, 4, 5, 0, 9};

/* dmpread's number for DWARF register `reg`, false when dmpread has none. */
static bool map_reg(dmp_cpu cpu, uint64_t reg, unsigned *out)
{
    switch (cpu) {
    case DMP_CPU_AMD64:
    case DMP_CPU_ARM64:
    case DMP_CPU_ARM:
        if (reg > (cpu == DMP_CPU_AMD64 ? 16u : cpu == DMP_CPU_ARM64 ? 32u : 15u))
            return false;
        *out = (unsigned)reg;
        return true;
    case DMP_CPU_X86:
        if (reg >= sizeof x86_from_dwarf)
            return false;
        *out = x86_from_dwarf[reg];
        return true;
    default:
        return false;
    }
}

/* The callee's value of DWARF register reg: MALFORMED when dmpread has no such register,
 * UNMAPPED when the callee's set does not hold it. */
static dmp_status get_reg(const struct unwinder *u, uint64_t reg, uint64_t *out)
{
    unsigned i;
    if (!map_reg(u->e->cpu, reg, &i))
        return DMP_E_MALFORMED;
    if (!(u->callee->valid >> i & 1))
        return DMP_E_UNMAPPED;
    *out = u->callee->value[i] & u->e->addr_mask;
    return DMP_OK;
}

/* n bytes (1..8) at addr, little-endian, zero-extended. */
static dmp_status read_mem(const struct unwinder *u, uint64_t addr, unsigned n, uint64_t *out)
{
    uint8_t buf[8];
    if (!u->mem.read || u->mem.read(u->mem.ctx, addr, buf, n, NULL) != DMP_OK)
        return DMP_E_UNMAPPED;
    uint64_t v = 0;
    for (unsigned i = n; i-- > 0;)
        v = v << 8 | buf[i];
    *out = v;
    return DMP_OK;
}

/* The expression machine's state. */
struct expr {
    const struct unwinder *u;
    uint64_t stack[DMPI_CFI_MAX_STACK];
    size_t n;
    unsigned bits; /* address size in bits */
    uint64_t mask;
};

static bool push(struct expr *x, uint64_t v)
{
    if (x->n == DMPI_CFI_MAX_STACK)
        return false;
    x->stack[x->n++] = v & x->mask;
    return true;
}

static int64_t as_signed(const struct expr *x, uint64_t v)
{
    return (int64_t)sext(v, x->bits);
}

/* The binary operators DW_OP_and .. DW_OP_xor and the comparisons: pops b then a, pushes
 * a op b. Division by zero is an error, not a trap. */
static dmp_status binary_op(struct expr *x, uint8_t op)
{
    if (x->n < 2)
        return DMP_E_MALFORMED;
    const uint64_t b = x->stack[--x->n], a = x->stack[x->n - 1];
    const int64_t sa = as_signed(x, a), sb = as_signed(x, b);
    uint64_t r;
    switch (op) {
    case 0x1a:
        r = a & b;
        break; /* and */
    case 0x1b: /* div (signed) */
        if (b == 0)
            return DMP_E_MALFORMED;
        r = sb == -1 ? 0 - a : (uint64_t)(sa / sb);
        break;
    case 0x1c:
        r = a - b;
        break; /* minus */
    case 0x1d: /* mod */
        if (b == 0)
            return DMP_E_MALFORMED;
        r = a % b;
        break;
    case 0x1e:
        r = a * b;
        break; /* mul */
    case 0x21:
        r = a | b;
        break; /* or */
    case 0x22:
        r = a + b;
        break; /* plus */
    case 0x24:
        r = b >= x->bits ? 0 : a << b;
        break; /* shl */
    case 0x25:
        r = b >= x->bits ? 0 : a >> b;
        break; /* shr */
    case 0x26: /* shra */
        r = b >= x->bits ? (sa < 0 ? UINT64_MAX : 0) : (uint64_t)(sa >> b);
        break;
    case 0x27:
        r = a ^ b;
        break; /* xor */
    case 0x29:
        r = sa == sb;
        break; /* eq */
    case 0x2a:
        r = sa >= sb;
        break; /* ge */
    case 0x2b:
        r = sa > sb;
        break; /* gt */
    case 0x2c:
        r = sa <= sb;
        break; /* le */
    case 0x2d:
        r = sa < sb;
        break; /* lt */
    case 0x2e:
        r = sa != sb;
        break; /* ne */
    default:
        return DMP_E_MALFORMED;
    }
    x->stack[x->n - 1] = r & x->mask;
    return DMP_OK;
}

/* Stack manipulation: dup, drop, over, pick, swap, rot. */
static dmp_status stack_op(struct expr *x, struct cursor *c, uint8_t op)
{
    uint64_t *const s = x->stack;
    uint8_t idx = 0;
    const size_t need = op == 0x12 || op == 0x13 ? 1 : op == 0x17 ? 3 : 2;
    if (op == 0x15 && !cur_u8(c, &idx))
        return DMP_E_MALFORMED;
    if (x->n < (op == 0x15 ? (size_t)idx + 1 : need))
        return DMP_E_MALFORMED;
    const size_t n = x->n;
    uint64_t t;
    switch (op) {
    case 0x12: /* dup */
        return push(x, s[n - 1]) ? DMP_OK : DMP_E_MALFORMED;
    case 0x13: /* drop */
        x->n--;
        return DMP_OK;
    case 0x14: /* over */
        return push(x, s[n - 2]) ? DMP_OK : DMP_E_MALFORMED;
    case 0x15: /* pick */
        return push(x, s[n - 1 - idx]) ? DMP_OK : DMP_E_MALFORMED;
    case 0x16: /* swap */
        t = s[n - 1];
        s[n - 1] = s[n - 2];
        s[n - 2] = t;
        return DMP_OK;
    default: /* rot: the top becomes third, the second the top, the third the second */
        t = s[n - 1];
        s[n - 1] = s[n - 2];
        s[n - 2] = s[n - 3];
        s[n - 3] = t;
        return DMP_OK;
    }
}

/* Constants: DW_OP_addr, const1u .. const8s, constu, consts. */
static dmp_status const_op(struct expr *x, struct cursor *c, uint8_t op)
{
    uint64_t v = 0;
    int64_t s = 0;
    bool ok;
    const unsigned size = op == 0x03 ? x->bits / 8 : 1u << ((op - 0x08) / 2);
    if (op == 0x10) {
        ok = cur_uleb(c, &v);
    } else if (op == 0x11) {
        ok = cur_sleb(c, &s);
        v = (uint64_t)s;
    } else {
        ok = cur_uint(c, size, &v);
        if (op != 0x03 && (op & 1)) /* the odd const*s are signed */
            v = sext(v, 8 * size);
        if (op == 0x03)
            v += x->u->bias; /* an ELF vaddr: make it a process address */
    }
    return ok && push(x, v) ? DMP_OK : DMP_E_MALFORMED;
}

/* Registers: DW_OP_reg0-31 and regx (the value, as CFI uses them), breg0-31 and bregx. */
static dmp_status reg_expr_op(struct expr *x, struct cursor *c, uint8_t op)
{
    uint64_t reg, v;
    int64_t off = 0;
    if (op >= 0x50 && op <= 0x8f) {
        reg = (uint64_t)(op - (op < 0x70 ? 0x50 : 0x70));
    } else if (!cur_uleb(c, &reg)) {
        return DMP_E_MALFORMED;
    }
    const bool based = (op >= 0x70 && op <= 0x8f) || op == 0x92;
    if (based && !cur_sleb(c, &off))
        return DMP_E_MALFORMED;
    const dmp_status st = get_reg(x->u, reg, &v);
    if (st != DMP_OK)
        return st;
    return push(x, v + (uint64_t)off) ? DMP_OK : DMP_E_MALFORMED;
}

/* deref and deref_size: replaces the top with what it points at. */
static dmp_status deref_op(struct expr *x, struct cursor *c, uint8_t op)
{
    uint8_t size = (uint8_t)(x->bits / 8);
    if (op == 0x94 && (!cur_u8(c, &size) || size == 0 || size > x->bits / 8))
        return DMP_E_MALFORMED;
    if (x->n < 1)
        return DMP_E_MALFORMED;
    uint64_t v;
    const dmp_status st = read_mem(x->u, x->stack[x->n - 1], size, &v);
    if (st == DMP_OK)
        x->stack[x->n - 1] = v & x->mask;
    return st;
}

/* DW_OP_skip and DW_OP_bra: a signed 2-byte offset from the end of the operand, which must
 * land inside the expression or just past its end. */
static dmp_status branch_op(struct expr *x, struct cursor *c, uint8_t op)
{
    uint64_t raw;
    if (!cur_uint(c, 2, &raw))
        return DMP_E_MALFORMED;
    if (op == 0x28) {
        if (x->n < 1)
            return DMP_E_MALFORMED;
        if (x->stack[--x->n] == 0)
            return DMP_OK;
    }
    const int64_t delta = (int64_t)sext(raw, 16);
    if (delta < 0 ? (uint64_t)-delta > c->off : (uint64_t)delta > c->end - c->off)
        return DMP_E_MALFORMED;
    c->off = (uint64_t)((int64_t)c->off + delta);
    return DMP_OK;
}

static dmp_status unary_op(struct expr *x, struct cursor *c, uint8_t op)
{
    if (x->n < 1)
        return DMP_E_MALFORMED;
    uint64_t *const top = &x->stack[x->n - 1];
    uint64_t u;
    switch (op) {
    case 0x19: /* abs */
        if (as_signed(x, *top) < 0)
            *top = (0 - *top) & x->mask;
        return DMP_OK;
    case 0x1f: /* neg */
        *top = (0 - *top) & x->mask;
        return DMP_OK;
    case 0x20: /* not */
        *top = ~*top & x->mask;
        return DMP_OK;
    default: /* plus_uconst */
        if (!cur_uleb(c, &u))
            return DMP_E_MALFORMED;
        *top = (*top + u) & x->mask;
        return DMP_OK;
    }
}

static dmp_status expr_step(struct expr *x, struct cursor *c, uint8_t op)
{
    if (op >= 0x30 && op <= 0x4f) /* lit0-31 */
        return push(x, op - 0x30u) ? DMP_OK : DMP_E_MALFORMED;
    if ((op >= 0x50 && op <= 0x8f) || op == 0x90 || op == 0x92)
        return reg_expr_op(x, c, op);
    if (op == 0x03 || (op >= 0x08 && op <= 0x11))
        return const_op(x, c, op);
    if (op >= 0x12 && op <= 0x17)
        return stack_op(x, c, op);
    if (op == 0x06 || op == 0x94)
        return deref_op(x, c, op);
    if (op == 0x28 || op == 0x2f)
        return branch_op(x, c, op);
    if (op == 0x19 || op == 0x1f || op == 0x20 || op == 0x23)
        return unary_op(x, c, op);
    if (op == 0x96) /* nop */
        return DMP_OK;
    return binary_op(x, op);
}

/* Runs the expression at file range [off, off+len); `initial` (the CFA) is pushed first
 * when not NULL. The result is the top of the stack. */
static dmp_status eval_expr(const struct unwinder *u, uint64_t off, uint64_t len,
                            const uint64_t *initial, uint64_t *out)
{
    struct view code;
    if (!view_slice(&u->e->file, off, len, &code))
        return DMP_E_MALFORMED;
    struct expr x = {.u = u, .bits = 8 * u->e->addr_size, .mask = u->e->addr_mask};
    if (initial)
        (void)push(&x, *initial);
    struct cursor c = {&code, 0, code.len};
    for (unsigned steps = 0; c.off < code.len; steps++) {
        uint8_t op;
        if (steps == DMPI_CFI_MAX_EXPR_STEPS || !cur_u8(&c, &op))
            return DMP_E_MALFORMED;
        const dmp_status st = expr_step(&x, &c, op);
        if (st != DMP_OK)
            return st;
    }
    if (x.n == 0)
        return DMP_E_MALFORMED;
    *out = x.stack[x.n - 1];
    return DMP_OK;
}

/* The caller's value of column col under rule r. A rule-less column keeps the callee's value
 * here; the caller of this decides whether that is wanted. */
static dmp_status rule_value(const struct unwinder *u, const struct dmpi_cfi_rule *r, uint64_t col,
                             uint64_t cfa, uint64_t *out)
{
    const uint64_t mask = u->e->addr_mask;
    uint64_t v;
    dmp_status st;
    switch (r->kind) {
    case DMPI_CFI_NONE:
    case DMPI_CFI_SAME:
        return get_reg(u, col, out);
    case DMPI_CFI_OFFSET:
        return read_mem(u, (cfa + (uint64_t)r->offset) & mask, u->e->addr_size, out);
    case DMPI_CFI_VAL_OFFSET:
        *out = (cfa + (uint64_t)r->offset) & mask;
        return DMP_OK;
    case DMPI_CFI_REGISTER:
        return get_reg(u, r->reg, out);
    case DMPI_CFI_EXPR:
    case DMPI_CFI_VAL_EXPR:
        st = eval_expr(u, r->expr_off, r->expr_len, &cfa, &v);
        if (st != DMP_OK)
            return st;
        if (r->kind == DMPI_CFI_EXPR)
            return read_mem(u, v, u->e->addr_size, out);
        *out = v;
        return DMP_OK;
    default:
        return DMP_E_NOT_FOUND; /* DMPI_CFI_UNDEFINED */
    }
}

static dmp_status compute_cfa(const struct unwinder *u, const struct dmpi_cfi_row *row,
                              uint64_t *cfa)
{
    if (!row->has_cfa)
        return DMP_E_MALFORMED;
    if (row->cfa_is_expr)
        return eval_expr(u, row->cfa_expr_off, row->cfa_expr_len, NULL, cfa);
    uint64_t v;
    const dmp_status st = get_reg(u, row->cfa_reg, &v);
    if (st == DMP_OK)
        *cfa = (v + (uint64_t)row->cfa_offset) & u->e->addr_mask;
    return st;
}

/* Every column with a rule dmpread can hold: recovered values become valid in *out. */
static void apply_rules(const struct unwinder *u, const struct dmpi_cfi_row *row, uint64_t cfa,
                        dmp_regs *out)
{
    for (unsigned col = 0; col < DMPI_CFI_COLUMNS; col++) {
        const struct dmpi_cfi_rule *r = &row->rules[col];
        unsigned i;
        uint64_t v;
        if (r->kind == DMPI_CFI_NONE || r->kind == DMPI_CFI_UNDEFINED ||
            !map_reg(u->e->cpu, col, &i))
            continue;
        if (rule_value(u, r, col, cfa, &v) == DMP_OK) {
            out->value[i] = v;
            out->valid |= (uint64_t)1 << i;
        }
    }
}

dmp_status dmpi_elf_unwind_ex(const struct dmpi_elf *e, uint64_t pc, uint64_t bias,
                              const dmp_regs *callee, dmp_memory mem, dmp_regs *caller,
                              struct dmpi_elf_frame *info)
{
    unsigned ip, sp;
    if (!e || !callee || !caller)
        return DMP_E_INVALID_ARG;
    if (callee->cpu != e->cpu || !map_reg(e->cpu, 0, &ip))
        return DMP_E_NOT_FOUND;
    struct dmpi_cfi_row row;
    dmp_status st = dmpi_elf_cfi_row(e, pc, &row);
    if (st != DMP_OK)
        return st;
    if (row.ra_column >= DMPI_CFI_COLUMNS)
        return DMP_E_MALFORMED;
    const struct unwinder u = {e, callee, mem, bias};
    uint64_t cfa, ra = 0;
    st = compute_cfa(&u, &row, &cfa);
    if (st != DMP_OK)
        return st;
    const struct dmpi_cfi_rule *ra_rule = &row.rules[row.ra_column];
    const bool outermost = ra_rule->kind == DMPI_CFI_UNDEFINED;
    if (!outermost && (st = rule_value(&u, ra_rule, row.ra_column, cfa, &ra)) != DMP_OK)
        return st;
    dmp_regs out = {.cpu = callee->cpu};
    apply_rules(&u, &row, cfa, &out);
    ip = dmp_reg_ip(e->cpu);
    sp = dmp_reg_sp(e->cpu);
    if (!(out.valid >> sp & 1)) {
        out.value[sp] = cfa;
        out.valid |= (uint64_t)1 << sp;
    }
    out.value[ip] = outermost ? 0 : ra;
    out.valid = outermost ? out.valid & ~((uint64_t)1 << ip) : out.valid | (uint64_t)1 << ip;
    *caller = out;
    if (info)
        *info = (struct dmpi_elf_frame){cfa, outermost, row.signal_frame, row.ra_signed};
    return DMP_OK;
}

dmp_status dmpi_elf_unwind(const struct dmpi_elf *e, uint64_t pc, uint64_t bias,
                           const dmp_regs *callee, dmp_memory mem, dmp_regs *caller,
                           bool *outermost)
{
    struct dmpi_elf_frame info;
    const dmp_status st = dmpi_elf_unwind_ex(e, pc, bias, callee, mem, caller, &info);
    if (st == DMP_OK && outermost)
        *outermost = info.outermost;
    return st;
}
