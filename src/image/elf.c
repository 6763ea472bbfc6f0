/* elf.c - ELF files: the header, program and section headers, the build id note, and
 * function symbols from .symtab and .dynsym.
 * SPDX-License-Identifier: MIT
 *
 * The file is hostile: every table is placed with view_has() before it is read, counts are
 * bounded by the bytes that hold them before anything is allocated, and a section or segment
 * this code uses later must lie in the file or the open fails naming it. Sections and segments
 * it does not use are not checked. Section headers may be absent (a stripped or sstrip'ed
 * file): CFI is then found through PT_GNU_EH_FRAME and PT_LOAD alone, and there are no symbols.
 * Only little-endian files are read; a big-endian one fails as malformed.
 */
#include "elf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ELF constants (System V gABI). */
#define ELFCLASS32 1
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EM_386 3
#define EM_ARM 40
#define EM_X86_64 62
#define EM_AARCH64 183
#define PT_LOAD 1
#define PT_NOTE 4
#define PT_GNU_EH_FRAME 0x6474e550u
#define PN_XNUM 0xffffu
#define SHN_UNDEF 0
#define SHN_LORESERVE 0xff00u
#define SHN_XINDEX 0xffffu
#define SHT_PROGBITS 1
#define SHT_SYMTAB 2
#define SHT_NOTE 7
#define SHT_NOBITS 8
#define SHT_DYNSYM 11
#define SHT_X86_64_UNWIND 0x70000001u
#define SHF_EXECINSTR 0x4u
#define SHF_COMPRESSED 0x800u
#define STT_NOTYPE 0
#define STT_FUNC 2
#define STT_GNU_IFUNC 10
#define NT_GNU_BUILD_ID 3

/* How far a symbol lookup scans back for an enclosing sized symbol. */
#define SYM_SCAN_MAX 256

/* A program or section header decoded from either class. */
struct phdr {
    uint32_t type;
    uint64_t offset, vaddr, filesz, memsz, align;
};

struct shdr {
    uint32_t name, type, link;
    uint64_t flags, addr, offset, size, addralign;
};

/* The parts of the ELF header open needs after checking it. */
struct ehdr {
    uint64_t phoff, shoff;
    uint32_t phnum, shnum;
    uint16_t phentsize, shentsize;
    uint32_t shstrndx;
};

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static dmp_status
malformed(char *why, size_t why_len, uint64_t off, const char *fmt, ...)
{
    if (!why || why_len == 0)
        return DMP_E_MALFORMED;
    char text[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    snprintf(why, why_len, "%s at 0x%llx", text, (unsigned long long)off);
    return DMP_E_MALFORMED;
}

/* An address-sized field of a checked table entry. */
static uint64_t load_word(const struct dmpi_elf *e, const uint8_t *p)
{
    return e->is64 ? load_u64le(p) : load_u32le(p);
}

static void decode_phdr(const struct dmpi_elf *e, const uint8_t *p, struct phdr *h)
{
    h->type = load_u32le(p);
    if (e->is64) {
        h->offset = load_u64le(p + 8);
        h->vaddr = load_u64le(p + 16);
        h->filesz = load_u64le(p + 32);
        h->memsz = load_u64le(p + 40);
        h->align = load_u64le(p + 48);
    } else {
        h->offset = load_u32le(p + 4);
        h->vaddr = load_u32le(p + 8);
        h->filesz = load_u32le(p + 16);
        h->memsz = load_u32le(p + 20);
        h->align = load_u32le(p + 28);
    }
}

static void decode_shdr(const struct dmpi_elf *e, const uint8_t *p, struct shdr *h)
{
    const unsigned w = e->addr_size;
    h->name = load_u32le(p);
    h->type = load_u32le(p + 4);
    h->flags = load_word(e, p + 8);
    h->addr = load_word(e, p + 8 + w);
    h->offset = load_word(e, p + 8 + 2 * w);
    h->size = load_word(e, p + 8 + 3 * w);
    h->link = load_u32le(p + 8 + 4 * w);
    h->addralign = load_word(e, p + 16 + 4 * w);
}

static dmp_cpu cpu_of(uint16_t machine)
{
    switch (machine) {
    case EM_X86_64:
        return DMP_CPU_AMD64;
    case EM_AARCH64:
        return DMP_CPU_ARM64;
    case EM_386:
        return DMP_CPU_X86;
    case EM_ARM:
        return DMP_CPU_ARM;
    default:
        return DMP_CPU_UNKNOWN;
    }
}

/* e_ident and the fixed part of the ELF header (Elf32_Ehdr / Elf64_Ehdr). */
static dmp_status read_ehdr(struct dmpi_elf *e, struct ehdr *h, char *why, size_t why_len)
{
    const struct view *v = &e->file;
    static const uint8_t magic[4] = {0x7f, 'E', 'L', 'F'};
    if (!view_has(v, 0, 16) || memcmp(v->data, magic, 4) != 0)
        return malformed(why, why_len, 0, "not an ELF file");
    if (v->data[4] != ELFCLASS32 && v->data[4] != ELFCLASS64)
        return malformed(why, why_len, 4, "ELF class %u unknown", v->data[4]);
    if (v->data[5] != ELFDATA2LSB)
        return malformed(why, why_len, 5, "not a little-endian ELF file");
    e->is64 = v->data[4] == ELFCLASS64;
    e->addr_size = e->is64 ? 8 : 4;
    e->addr_mask = e->is64 ? UINT64_MAX : UINT32_MAX;
    if (!view_has(v, 0, e->is64 ? 64 : 52))
        return malformed(why, why_len, 0, "ELF header cut short");
    const uint8_t *const p = v->data;
    e->machine = load_u16le(p + 18);
    e->cpu = cpu_of(e->machine);
    const unsigned w = e->addr_size;
    h->phoff = load_word(e, p + 24 + w);
    h->shoff = load_word(e, p + 24 + 2 * w);
    const uint8_t *const q = p + 28 + 3 * w; /* e_ehsize */
    h->phentsize = load_u16le(q + 2);
    h->phnum = load_u16le(q + 4);
    h->shentsize = load_u16le(q + 6);
    h->shnum = load_u16le(q + 8);
    h->shstrndx = load_u16le(q + 10);
    return DMP_OK;
}

/* Places a table of count entries of entsize bytes (at least min) at off. */
static dmp_status check_table(const struct dmpi_elf *e, const char *what, uint64_t off,
                              uint64_t count, uint64_t entsize, uint64_t min, char *why,
                              size_t why_len)
{
    if (count == 0)
        return DMP_OK;
    if (entsize < min)
        return malformed(why, why_len, off, "%s entry size %llu too small", what,
                         (unsigned long long)entsize);
    if (off > e->file.len || count > (e->file.len - off) / entsize)
        return malformed(why, why_len, off, "%s table (%llu entries) past the end", what,
                         (unsigned long long)count);
    return DMP_OK;
}

/* The extended counts of the gABI: e_shnum 0 puts the count in section 0's sh_size,
 * e_shstrndx SHN_XINDEX puts the index in its sh_link, e_phnum PN_XNUM in its sh_info. */
static dmp_status read_extended(const struct dmpi_elf *e, struct ehdr *h, char *why, size_t why_len)
{
    const uint64_t shsz = e->is64 ? 64 : 40;
    const bool wants =
        (h->shnum == 0 && h->shoff != 0) || h->shstrndx == SHN_XINDEX || h->phnum == PN_XNUM;
    if (!wants)
        return DMP_OK;
    if (h->shoff == 0 || h->shentsize < shsz || !view_has(&e->file, h->shoff, shsz))
        return malformed(why, why_len, h->shoff, "section header 0 (extended counts) missing");
    struct shdr s0;
    decode_shdr(e, e->file.data + h->shoff, &s0);
    if (h->shnum == 0)
        h->shnum = s0.size > UINT32_MAX ? UINT32_MAX : (uint32_t)s0.size;
    if (h->shstrndx == SHN_XINDEX)
        h->shstrndx = s0.link;
    if (h->phnum == PN_XNUM)
        h->phnum = load_u32le(e->file.data + h->shoff + 12 + 4 * (uint64_t)e->addr_size);
    return DMP_OK;
}

/* Note entries (Elf_Nhdr, name, desc, each padded to align): the first NT_GNU_BUILD_ID
 * owned by "GNU" sets the build id. Damaged notes end the scan, they do not fail the open. */
static void scan_notes(struct dmpi_elf *e, struct view notes, uint64_t align)
{
    const uint64_t pad = align == 8 ? 8 : 4;
    uint64_t off = 0;
    while (!e->build_id && view_has(&notes, off, 12)) {
        const uint32_t namesz = load_u32le(notes.data + off);
        const uint32_t descsz = load_u32le(notes.data + off + 4);
        const uint32_t type = load_u32le(notes.data + off + 8);
        const uint64_t name_off = off + 12;
        const uint64_t desc_off = name_off + ((namesz + pad - 1) & ~(pad - 1));
        if (!view_has(&notes, name_off, namesz) || !view_has(&notes, desc_off, descsz))
            return;
        if (type == NT_GNU_BUILD_ID && namesz == 4 &&
            memcmp(notes.data + name_off, "GNU", 4) == 0 && descsz > 0) {
            e->build_id = notes.data + desc_off;
            e->build_id_len = descsz;
        }
        off = desc_off + ((descsz + pad - 1) & ~(pad - 1));
    }
}

static uint64_t round_down_load(uint64_t vaddr, uint64_t align)
{
    if (align < 2 || (align & (align - 1)) != 0 || align > vaddr)
        align = 4096;
    return vaddr & ~(align - 1);
}

/* The program headers: PT_LOAD segments, PT_NOTE build id, PT_GNU_EH_FRAME. */
static dmp_status read_phdrs(struct dmpi_elf *e, const struct ehdr *h, char *why, size_t why_len)
{
    dmp_status st = check_table(e, "program header", h->phoff, h->phnum, h->phentsize,
                                e->is64 ? 56 : 32, why, why_len);
    if (st != DMP_OK || h->phnum == 0)
        return st;
    e->loads = calloc(h->phnum, sizeof *e->loads);
    if (!e->loads)
        return DMP_E_NOMEM;
    bool have_low = false;
    uint64_t low = 0, low_align = 0;
    for (uint32_t i = 0; i < h->phnum; i++) {
        const uint64_t at = h->phoff + (uint64_t)i * h->phentsize;
        struct phdr ph;
        decode_phdr(e, e->file.data + at, &ph);
        if (ph.type != PT_LOAD && ph.type != PT_NOTE && ph.type != PT_GNU_EH_FRAME)
            continue;
        struct view bytes;
        if (!view_slice(&e->file, ph.offset, ph.filesz, &bytes))
            return malformed(why, why_len, at, "program header %u: segment past the end", i);
        if (ph.type == PT_NOTE) {
            scan_notes(e, bytes, ph.align);
        } else if (ph.type == PT_GNU_EH_FRAME) {
            e->hdr = bytes;
            e->hdr_vaddr = ph.vaddr;
        } else {
            e->loads[e->load_count++] =
                (struct dmpi_elf_load){ph.vaddr, ph.memsz, ph.offset, ph.filesz};
            if (!have_low || ph.vaddr < low) {
                low = ph.vaddr;
                low_align = ph.align;
                have_low = true;
            }
        }
    }
    e->load_vaddr = have_low ? round_down_load(low, low_align) : 0;
    return DMP_OK;
}

bool dmpi_elf_vaddr_to_off(const struct dmpi_elf *e, uint64_t vaddr, uint64_t n, uint64_t *off)
{
    for (size_t i = 0; i < e->load_count; i++) {
        const struct dmpi_elf_load *l = &e->loads[i];
        const uint64_t rel = vaddr - l->vaddr;
        if (vaddr >= l->vaddr && rel < l->filesz && n <= l->filesz - rel) {
            *off = l->offset + rel;
            return true;
        }
    }
    return false;
}

/* A section's name, or "" when the string table lacks it. */
static struct view section_name(const struct view *shstr, uint32_t name)
{
    struct view out = {(const uint8_t *)"", 0};
    if (name >= shstr->len)
        return out;
    const uint8_t *const p = shstr->data + name;
    const uint8_t *const nul = memchr(p, 0, (size_t)(shstr->len - name));
    if (nul) {
        out.data = p;
        out.len = (uint64_t)(nul - p);
    }
    return out;
}

static bool name_is(struct view name, const char *want)
{
    const size_t n = strlen(want);
    return name.len == n && memcmp(name.data, want, n) == 0;
}

/* The file bytes of section i, whose header is at `at`; NOBITS sections have none. */
static dmp_status section_bytes(const struct dmpi_elf *e, const struct shdr *s, uint32_t i,
                                uint64_t at, struct view *out, char *why, size_t why_len)
{
    if (s->type == SHT_NOBITS) {
        *out = (struct view){e->file.data, 0};
        return DMP_OK;
    }
    if (!view_slice(&e->file, s->offset, s->size, out))
        return malformed(why, why_len, at, "section header %u: offset past the end", i);
    return DMP_OK;
}

/* One of .symtab / .dynsym with its linked string table. */
static dmp_status take_symtab(struct dmpi_elf *e, const struct ehdr *h, const struct shdr *s,
                              uint32_t i, uint64_t at, struct dmpi_elf_symtab *t, char *why,
                              size_t why_len)
{
    if (t->syms.len != 0)
        return DMP_OK; /* the first of each kind */
    struct view syms = {e->file.data, 0}, strs = {e->file.data, 0};
    dmp_status st = section_bytes(e, s, i, at, &syms, why, why_len);
    if (st != DMP_OK)
        return st;
    if (s->link >= h->shnum || s->link == 0)
        return malformed(why, why_len, at, "section header %u: string table %u not a section", i,
                         s->link);
    const uint64_t str_at = h->shoff + (uint64_t)s->link * h->shentsize;
    struct shdr str;
    decode_shdr(e, e->file.data + str_at, &str);
    st = section_bytes(e, &str, s->link, str_at, &strs, why, why_len);
    if (st != DMP_OK)
        return st;
    t->syms = syms;
    t->strs = strs;
    return DMP_OK;
}

static dmp_status add_xsec(struct dmpi_elf *e, const struct shdr *s, uint32_t i, uint32_t cap)
{
    if (!e->xsecs) {
        e->xsecs = calloc(cap, sizeof *e->xsecs);
        if (!e->xsecs)
            return DMP_E_NOMEM;
    }
    e->xsecs[e->xsec_count++] = (struct dmpi_elf_xsec){s->addr, s->size, i};
    return DMP_OK;
}

/* What section i is to us: CFI, a symbol table, a note, executable code, or nothing. */
static dmp_status take_section(struct dmpi_elf *e, const struct ehdr *h, const struct view *shstr,
                               uint32_t i, char *why, size_t why_len)
{
    const uint64_t at = h->shoff + (uint64_t)i * h->shentsize;
    struct shdr s;
    decode_shdr(e, e->file.data + at, &s);
    if (s.type == SHT_SYMTAB)
        return take_symtab(e, h, &s, i, at, &e->symtab, why, why_len);
    if (s.type == SHT_DYNSYM)
        return take_symtab(e, h, &s, i, at, &e->dynsym, why, why_len);
    if ((s.flags & SHF_EXECINSTR) && s.type != SHT_NOBITS)
        return add_xsec(e, &s, i, h->shnum);
    struct view bytes = {e->file.data, 0};
    const struct view name = section_name(shstr, s.name);
    if (s.type == SHT_NOTE && !e->build_id) {
        dmp_status st = section_bytes(e, &s, i, at, &bytes, why, why_len);
        if (st == DMP_OK)
            scan_notes(e, bytes, s.addralign);
        return st;
    }
    const bool progbits = s.type == SHT_PROGBITS || s.type == SHT_X86_64_UNWIND;
    if (!progbits || (s.flags & SHF_COMPRESSED))
        return DMP_OK; /* .debug_frame in a separate debug file may be compressed: unused */
    const bool eh = name_is(name, ".eh_frame") && !e->eh.present;
    const bool debug = name_is(name, ".debug_frame") && !e->debug.present;
    const bool hdr = name_is(name, ".eh_frame_hdr") && e->hdr.len == 0;
    if (!eh && !debug && !hdr)
        return DMP_OK;
    dmp_status st = section_bytes(e, &s, i, at, &bytes, why, why_len);
    if (st != DMP_OK)
        return st;
    if (hdr) {
        e->hdr = bytes;
        e->hdr_vaddr = s.addr;
    } else {
        struct dmpi_cfi_sec *const c = eh ? &e->eh : &e->debug;
        *c = (struct dmpi_cfi_sec){bytes, debug ? 0 : s.addr, s.offset, true, debug};
    }
    return DMP_OK;
}

static dmp_status read_shdrs(struct dmpi_elf *e, const struct ehdr *h, char *why, size_t why_len)
{
    if (h->shoff == 0 || h->shnum == 0)
        return DMP_OK;
    dmp_status st = check_table(e, "section header", h->shoff, h->shnum, h->shentsize,
                                e->is64 ? 64 : 40, why, why_len);
    if (st != DMP_OK)
        return st;
    /* Without names, sections are still found by type (symbols, notes), not CFI. */
    struct view shstr = {e->file.data, 0};
    if (h->shstrndx != SHN_UNDEF && h->shstrndx < h->shnum) {
        const uint64_t at = h->shoff + (uint64_t)h->shstrndx * h->shentsize;
        struct shdr s;
        decode_shdr(e, e->file.data + at, &s);
        st = section_bytes(e, &s, h->shstrndx, at, &shstr, why, why_len);
        if (st != DMP_OK)
            return st;
    }
    for (uint32_t i = 1; i < h->shnum && st == DMP_OK; i++)
        st = take_section(e, h, &shstr, i, why, why_len);
    return st;
}

/* ---- Symbols ------------------------------------------------------------------------------ */

static int compare_sym(const void *a, const void *b)
{
    const struct dmpi_elf_sym *x = a, *y = b;
    if (x->value != y->value)
        return x->value < y->value ? -1 : 1;
    if (x->size != y->size)
        return x->size < y->size ? -1 : 1;
    return x->index > y->index ? -1 : x->index < y->index;
}

/* Whether a symbol is one of ARM's mapping symbols ($a, $t, $d, $x, with optional suffix),
 * which mark code and data runs, not functions. */
static bool is_mapping_symbol(const struct dmpi_elf *e, const struct view *strs, uint32_t name)
{
    return (e->machine == EM_ARM || e->machine == EM_AARCH64) && name < strs->len &&
           strs->data[name] == '$';
}

/* Decodes symbol i into a candidate; false when it is not a defined function-like symbol. */
static bool sym_candidate(const struct dmpi_elf *e, const struct dmpi_elf_symtab *t, uint64_t i,
                          struct dmpi_elf_sym *out)
{
    const uint64_t size = e->is64 ? 24 : 16;
    const uint8_t *const p = t->syms.data + i * size;
    const uint32_t name = load_u32le(p);
    const uint8_t info = p[e->is64 ? 4 : 12];
    const uint16_t shndx = load_u16le(p + (e->is64 ? 6 : 14));
    uint64_t value = e->is64 ? load_u64le(p + 8) : load_u32le(p + 4);
    const uint64_t sz = e->is64 ? load_u64le(p + 16) : load_u32le(p + 8);
    const unsigned type = info & 0xf;
    if (type != STT_FUNC && type != STT_GNU_IFUNC && type != STT_NOTYPE)
        return false;
    if (shndx == SHN_UNDEF || (shndx >= SHN_LORESERVE && shndx != SHN_XINDEX))
        return false;
    if (name == 0 || name >= t->strs.len || is_mapping_symbol(e, &t->strs, name))
        return false;
    if (e->machine == EM_ARM && type == STT_FUNC)
        value &= ~(uint64_t)1; /* the Thumb bit */
    if (value == 0)
        return false;
    *out = (struct dmpi_elf_sym){value, sz, (uint32_t)i, shndx};
    return true;
}

/* The sorted candidate list of one table. Its size is bounded by the table's bytes. */
static dmp_status index_symtab(const struct dmpi_elf *e, struct dmpi_elf_symtab *t)
{
    const uint64_t size = e->is64 ? 24 : 16;
    const uint64_t n = t->syms.len / size;
    if (n < 2)
        return DMP_OK;
    if (n > UINT32_MAX)
        return DMP_E_NOMEM;
    t->sorted = malloc((size_t)n * sizeof *t->sorted);
    if (!t->sorted)
        return DMP_E_NOMEM;
    for (uint64_t i = 1; i < n; i++) {
        struct dmpi_elf_sym s;
        if (!sym_candidate(e, t, i, &s))
            continue;
        t->sorted[t->count++] = s;
        if (s.size > t->max_size)
            t->max_size = s.size;
    }
    qsort(t->sorted, t->count, sizeof *t->sorted, compare_sym);
    return DMP_OK;
}

/* The executable section holding vaddr, or UINT32_MAX. */
static uint32_t xsec_of(const struct dmpi_elf *e, uint64_t vaddr)
{
    for (size_t i = 0; i < e->xsec_count; i++)
        if (vaddr >= e->xsecs[i].addr && vaddr - e->xsecs[i].addr < e->xsecs[i].size)
            return e->xsecs[i].index;
    return UINT32_MAX;
}

static const struct dmpi_elf_sym *find_sym(const struct dmpi_elf *e,
                                           const struct dmpi_elf_symtab *t, uint64_t vaddr)
{
    size_t lo = 0, hi = t->count; /* first entry above vaddr */
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (t->sorted[mid].value <= vaddr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    size_t steps = 0;
    for (size_t i = lo; i-- > 0 && steps++ < SYM_SCAN_MAX;) {
        const struct dmpi_elf_sym *s = &t->sorted[i];
        if (vaddr - s->value > t->max_size)
            break; /* nothing further back is large enough to reach vaddr */
        if (vaddr - s->value < s->size)
            return s;
    }
    /* The nearest start's largest symbol is unsized: take it within its own section. */
    const struct dmpi_elf_sym *near = &t->sorted[lo - 1];
    if (near->size == 0 && near->shndx == xsec_of(e, vaddr))
        return near;
    return NULL;
}

bool dmpi_elf_symbol(const struct dmpi_elf *e, uint64_t vaddr, const char **name, size_t *name_len,
                     uint64_t *sym_vaddr)
{
    const struct dmpi_elf_symtab *t = &e->symtab;
    const struct dmpi_elf_sym *s = find_sym(e, t, vaddr);
    if (!s) {
        t = &e->dynsym;
        s = find_sym(e, t, vaddr);
    }
    if (!s)
        return false;
    const uint64_t size = e->is64 ? 24 : 16;
    const uint32_t off = load_u32le(t->syms.data + (uint64_t)s->index * size);
    const uint8_t *const p = t->strs.data + off;
    const uint8_t *const nul = memchr(p, 0, (size_t)(t->strs.len - off));
    *name = (const char *)p;
    *name_len = nul ? (size_t)(nul - p) : (size_t)(t->strs.len - off);
    *sym_vaddr = s->value;
    return true;
}

/* ---- Open --------------------------------------------------------------------------------- */

/* Finds .eh_frame from .eh_frame_hdr when no section names it (a stripped file): it runs from
 * the hdr's eh_frame_ptr to the end of the PT_LOAD bytes holding it, and its zero terminator
 * ends it in practice. */
static void find_cfi(struct dmpi_elf *e)
{
    uint64_t eh_vaddr;
    const bool hdr_ok = e->hdr.len != 0 && dmpi_cfi_hdr_check(e, &eh_vaddr);
    if (e->eh.present && hdr_ok && eh_vaddr != e->eh.vaddr)
        e->hdr_count = 0; /* the table indexes some other bytes: build our own */
    if (e->eh.present || !hdr_ok)
        return;
    for (size_t i = 0; i < e->load_count; i++) {
        const struct dmpi_elf_load *l = &e->loads[i];
        const uint64_t rel = eh_vaddr - l->vaddr;
        if (eh_vaddr >= l->vaddr && rel < l->filesz) {
            const uint64_t off = l->offset + rel;
            e->eh = (struct dmpi_cfi_sec){
                {e->file.data + off, l->filesz - rel}, eh_vaddr, off, true, false};
            return;
        }
    }
}

static dmp_status build_indexes(struct dmpi_elf *e)
{
    dmp_status st = DMP_OK;
    if (e->eh.present && e->hdr_count == 0)
        st = dmpi_cfi_index(e, &e->eh, &e->eh_fdes, &e->eh_fde_count);
    if (st == DMP_OK && e->debug.present)
        st = dmpi_cfi_index(e, &e->debug, &e->debug_fdes, &e->debug_fde_count);
    if (st == DMP_OK)
        st = index_symtab(e, &e->symtab);
    if (st == DMP_OK)
        st = index_symtab(e, &e->dynsym);
    return st;
}

dmp_status dmpi_elf_open(const uint8_t *data, size_t len, struct dmpi_elf **out, char *why,
                         size_t why_len)
{
    if (!out || (!data && len != 0))
        return DMP_E_INVALID_ARG;
    if (why && why_len)
        why[0] = '\0';
    struct dmpi_elf *const e = calloc(1, sizeof *e);
    if (!e)
        return DMP_E_NOMEM;
    e->file = (struct view){data, len};
    struct ehdr h = {0};
    dmp_status st = read_ehdr(e, &h, why, why_len);
    if (st == DMP_OK)
        st = read_extended(e, &h, why, why_len);
    if (st == DMP_OK)
        st = read_phdrs(e, &h, why, why_len);
    if (st == DMP_OK)
        st = read_shdrs(e, &h, why, why_len);
    if (st == DMP_OK) {
        find_cfi(e);
        st = build_indexes(e);
    }
    if (st != DMP_OK) {
        dmpi_elf_free(e);
        return st;
    }
    *out = e;
    return DMP_OK;
}

void dmpi_elf_free(struct dmpi_elf *e)
{
    if (!e)
        return;
    free(e->loads);
    free(e->eh_fdes);
    free(e->debug_fdes);
    free(e->symtab.sorted);
    free(e->dynsym.sorted);
    free(e->xsecs);
    free(e);
}

dmp_cpu dmpi_elf_cpu(const struct dmpi_elf *e)
{
    return e->cpu;
}

bool dmpi_elf_build_id(const struct dmpi_elf *e, const uint8_t **id, size_t *len)
{
    if (!e->build_id)
        return false;
    *id = e->build_id;
    *len = e->build_id_len;
    return true;
}

uint64_t dmpi_elf_load_vaddr(const struct dmpi_elf *e)
{
    return e->load_vaddr;
}

bool dmpi_elf_has_cfi(const struct dmpi_elf *e)
{
    return e->eh.present || e->debug.present;
}
