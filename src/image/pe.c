/* pe.c - PE images: the headers, the export table, and Windows x64 unwinding from the
 * exception directory (RUNTIME_FUNCTION, UNWIND_INFO and its unwind codes).
 * SPDX-License-Identifier: MIT
 *
 * An image is read by RVA, either from the dump's memory (a full-memory dump holds every
 * module as it was loaded) or from a file on disk through its section table. Every read is
 * all or nothing and bounded by SizeOfImage; counts from the headers are capped before
 * anything is sized by them.
 *
 * The unwinder follows the x64 ABI's procedure. With no RUNTIME_FUNCTION the function is a
 * leaf: the return address is at RSP. At the point where the thread stopped, an epilog under
 * way is finished by simulating its remaining instructions, and a prolog under way is undone
 * only as far as it has run (codes whose offset is past the stop are skipped). Otherwise every
 * code is undone in order, then chained entries, then the return pops RIP.
 */
#include "image.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EXPORTS (1u << 20) /* ntdll has about 2,500 */
#define MAX_CHAIN 32           /* chained UNWIND_INFO links followed */
#define MAX_PDATA (1u << 24)   /* RUNTIME_FUNCTION entries searched */
#define EPILOG_BYTES 32        /* enough for an add, eight pops and a ret */

static void set_why(char *why, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_why(char *why, size_t len, const char *fmt, ...)
{
    if (!why || !len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, len, fmt, ap);
    va_end(ap);
}

bool dmpi_pe_read(const struct dmpi_pe *pe, uint64_t rva, void *dst, size_t len)
{
    if (rva > pe->image_size || len > pe->image_size - rva)
        return false;
    if (!pe->file)
        return pe->mem.read(pe->mem.ctx, pe->base + rva, dst, len, NULL) == DMP_OK;
    if (rva < pe->header_size) {
        if (len > pe->header_size - rva || rva + len > pe->file_len)
            return false;
        memcpy(dst, pe->file + rva, len);
        return true;
    }
    for (size_t i = 0; i < pe->section_count; i++) {
        const struct dmpi_pe_section *const s = &pe->sections[i];
        const uint32_t span = s->vsize > s->raw_size ? s->vsize : s->raw_size;
        if (rva < s->va || rva - s->va >= span)
            continue;
        const uint64_t off = rva - s->va;
        if (len > span - off)
            return false; /* a read across sections: no caller needs one */
        uint8_t *const d = dst;
        size_t from_file = 0;
        if (off < s->raw_size) {
            from_file = len < s->raw_size - off ? len : (size_t)(s->raw_size - off);
            const uint64_t at = (uint64_t)s->raw_off + off;
            if (at > pe->file_len || from_file > pe->file_len - at)
                return false;
            memcpy(d, pe->file + at, from_file);
        }
        memset(d + from_file, 0, len - from_file);
        return true;
    }
    return false;
}

/* ---- headers ----------------------------------------------------------------------------- */

/* The headers, read before SizeOfImage is known: every read here is bounded by the 64 KiB a
 * DOS stub and NT headers could take, then checked against the image's stated size. */
static bool read_head(struct dmpi_pe *pe, uint64_t off, void *dst, size_t len)
{
    if (!pe->file)
        return pe->mem.read(pe->mem.ctx, pe->base + off, dst, len, NULL) == DMP_OK;
    if (off > pe->file_len || len > pe->file_len - off)
        return false;
    memcpy(dst, pe->file + off, len);
    return true;
}

static int cmp_export(const void *a, const void *b)
{
    const struct dmpi_pe_export *x = a, *y = b;
    if (x->rva != y->rva)
        return x->rva < y->rva ? -1 : 1;
    return (x->name_rva == 0) - (y->name_rva == 0); /* a named one first */
}

/* The export table, sorted by address. Forwarders (addresses inside the export directory,
 * naming a function of another DLL) are no code and are left out. */
static dmp_status load_exports(struct dmpi_pe *pe)
{
    uint8_t d[40];
    if (pe->export_size < sizeof d || !dmpi_pe_read(pe, pe->export_rva, d, sizeof d))
        return DMP_OK; /* no usable exports: names are a bonus */
    const uint32_t nfunc = load_u32le(d + 20), nname = load_u32le(d + 24);
    const uint32_t funcs = load_u32le(d + 28), names = load_u32le(d + 32),
                   ords = load_u32le(d + 36);
    if (nfunc == 0 || nfunc > MAX_EXPORTS || nname > nfunc)
        return DMP_OK;
    uint32_t *const addr = malloc((size_t)nfunc * 4);
    uint32_t *const name_of = calloc(nfunc, 4);
    uint8_t *const raw = malloc((size_t)(nname ? nname : 1) * 6);
    dmp_status rc = DMP_E_NOMEM;
    if (!addr || !name_of || !raw)
        goto done;
    rc = DMP_OK;
    if (!dmpi_pe_read(pe, funcs, addr, (size_t)nfunc * 4))
        goto done;
    /* Names and their ordinals: both arrays must be there, or no names are given at all. */
    if (nname && dmpi_pe_read(pe, names, raw, (size_t)nname * 4) &&
        dmpi_pe_read(pe, ords, raw + (size_t)nname * 4, (size_t)nname * 2)) {
        for (uint32_t i = 0; i < nname; i++) {
            const uint16_t ord = load_u16le(raw + (size_t)nname * 4 + (size_t)i * 2);
            if (ord < nfunc && !name_of[ord])
                name_of[ord] = load_u32le(raw + (size_t)i * 4);
        }
    }
    size_t n = 0;
    for (uint32_t i = 0; i < nfunc; i++) {
        const uint32_t rva = load_u32le((const uint8_t *)&addr[i]);
        if (rva == 0 || rva >= pe->image_size ||
            (rva >= pe->export_rva && rva - pe->export_rva < pe->export_size))
            continue;
        addr[n] = rva;
        name_of[n] = name_of[i];
        n++;
    }
    if (n == 0)
        goto done;
    pe->exports = malloc(n * sizeof *pe->exports);
    if (!pe->exports) {
        rc = DMP_E_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        pe->exports[i] = (struct dmpi_pe_export){addr[i], name_of[i]};
    qsort(pe->exports, n, sizeof *pe->exports, cmp_export);
    /* One entry per address: the first, which is a named one when there is any. */
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || pe->exports[k - 1].rva != pe->exports[i].rva)
            pe->exports[k++] = pe->exports[i];
    pe->export_count = k;
done:
    free(addr);
    free(name_of);
    free(raw);
    return rc;
}

static dmp_status open_common(struct dmpi_pe *pe, char *why, size_t why_len)
{
    uint8_t dos[64];
    if (!read_head(pe, 0, dos, sizeof dos)) {
        set_why(why, why_len, "no DOS header at offset 0");
        return DMP_E_UNMAPPED;
    }
    if (dos[0] != 'M' || dos[1] != 'Z') {
        set_why(why, why_len, "no MZ signature at offset 0");
        return DMP_E_MALFORMED;
    }
    const uint32_t nt = load_u32le(dos + 0x3c);
    uint8_t h[24 + 240];
    if (nt > 0x10000 || !read_head(pe, nt, h, 24)) {
        set_why(why, why_len, "NT headers at 0x%x out of reach", (unsigned)nt);
        return nt > 0x10000 ? DMP_E_MALFORMED : DMP_E_UNMAPPED;
    }
    if (memcmp(h, "PE\0\0", 4) != 0) {
        set_why(why, why_len, "no PE signature at 0x%x", (unsigned)nt);
        return DMP_E_MALFORMED;
    }
    pe->machine = load_u16le(h + 4);
    const uint16_t nsect = load_u16le(h + 6);
    pe->timestamp = load_u32le(h + 8);
    const uint16_t opt_size = load_u16le(h + 20);
    const size_t opt_read = opt_size < 240 ? opt_size : 240;
    if (opt_read < 2 || !read_head(pe, (uint64_t)nt + 24, h + 24, opt_read)) {
        set_why(why, why_len, "optional header at 0x%x out of reach", (unsigned)nt + 24);
        return DMP_E_MALFORMED;
    }
    const uint8_t *const o = h + 24;
    const uint16_t magic = load_u16le(o);
    size_t count_at, dirs_at;
    if (magic == 0x20b) {
        pe->pe32plus = true;
        count_at = 108;
        dirs_at = 112;
    } else if (magic == 0x10b) {
        count_at = 92;
        dirs_at = 96;
    } else {
        set_why(why, why_len, "optional header magic 0x%x at 0x%x is neither PE32 nor PE32+",
                (unsigned)magic, (unsigned)nt + 24);
        return DMP_E_MALFORMED;
    }
    if (opt_read < count_at + 4) {
        set_why(why, why_len, "optional header of %u bytes at 0x%x is too short",
                (unsigned)opt_size, (unsigned)nt + 24);
        return DMP_E_MALFORMED;
    }
    pe->image_size = load_u32le(o + 56);
    pe->header_size = load_u32le(o + 60);
    uint32_t ndirs = load_u32le(o + count_at);
    if (ndirs > (opt_read - dirs_at) / 8)
        ndirs = (uint32_t)((opt_read - dirs_at) / 8);
    if (ndirs > 0) {
        pe->export_rva = load_u32le(o + dirs_at);
        pe->export_size = load_u32le(o + dirs_at + 4);
    }
    if (ndirs > 3) {
        pe->pdata_rva = load_u32le(o + dirs_at + 24);
        pe->pdata_size = load_u32le(o + dirs_at + 28);
    }
    if (nsect > DMPI_PE_MAX_SECTIONS) {
        set_why(why, why_len, "%u sections at 0x%x: more than the loader takes", (unsigned)nsect,
                (unsigned)nt + 6);
        return DMP_E_MALFORMED;
    }
    const uint64_t sect_at = (uint64_t)nt + 24 + opt_size;
    for (uint16_t i = 0; i < nsect; i++) {
        uint8_t s[40];
        if (!read_head(pe, sect_at + (uint64_t)i * 40, s, sizeof s)) {
            set_why(why, why_len, "section header %u at 0x%llx out of reach", (unsigned)i,
                    (unsigned long long)(sect_at + (uint64_t)i * 40));
            return DMP_E_MALFORMED;
        }
        pe->sections[pe->section_count++] = (struct dmpi_pe_section){
            load_u32le(s + 12), load_u32le(s + 8), load_u32le(s + 20), load_u32le(s + 16)};
    }
    if (pe->header_size > pe->image_size)
        pe->header_size = pe->image_size;
    /* A directory that does not fit the image is as good as none. */
    if (pe->pdata_rva > pe->image_size || pe->pdata_size > pe->image_size - pe->pdata_rva)
        pe->pdata_rva = pe->pdata_size = 0;
    if (pe->export_rva > pe->image_size || pe->export_size > pe->image_size - pe->export_rva)
        pe->export_rva = pe->export_size = 0;
    return load_exports(pe);
}

dmp_status dmpi_pe_open_dump(struct dmpi_pe *pe, dmp_memory mem, uint64_t base, char *why,
                             size_t why_len)
{
    memset(pe, 0, sizeof *pe);
    pe->mem = mem;
    pe->base = base;
    const dmp_status rc = open_common(pe, why, why_len);
    if (rc != DMP_OK)
        dmpi_pe_close(pe);
    return rc;
}

dmp_status dmpi_pe_open_file(struct dmpi_pe *pe, const uint8_t *data, size_t len, uint64_t base,
                             char *why, size_t why_len)
{
    memset(pe, 0, sizeof *pe);
    pe->base = base;
    pe->file = data;
    pe->file_len = len;
    const dmp_status rc = open_common(pe, why, why_len);
    if (rc != DMP_OK)
        dmpi_pe_close(pe);
    return rc;
}

void dmpi_pe_close(struct dmpi_pe *pe)
{
    free(pe->exports);
    pe->exports = NULL;
    pe->export_count = 0;
}

bool dmpi_pe_export_name(const struct dmpi_pe *pe, uint32_t rva, char *name, size_t cap,
                         size_t *name_len, uint32_t *start)
{
    size_t lo = 0, hi = pe->export_count;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (pe->exports[mid].rva <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || cap == 0)
        return false;
    const struct dmpi_pe_export *const e = &pe->exports[lo - 1];
    if (!e->name_rva)
        return false; /* the nearest export has no name: another one's would be a lie */
    /* An export covers up to the next one, within its section. */
    for (size_t i = 0; i < pe->section_count; i++) {
        const struct dmpi_pe_section *const s = &pe->sections[i];
        const bool has_e = e->rva >= s->va && e->rva - s->va < s->vsize;
        const bool has_r = rva >= s->va && rva - s->va < s->vsize;
        if (has_e != has_r)
            return false;
    }
    /* The name is read in pieces: it may end just before the image does. */
    size_t n = 0;
    while (n + 1 < cap) {
        char piece[16];
        size_t want = sizeof piece;
        while (want > 0 && !dmpi_pe_read(pe, (uint64_t)e->name_rva + n, piece, want))
            want /= 2;
        if (want == 0)
            return false;
        for (size_t k = 0; k < want && n + 1 < cap; k++) {
            if (piece[k] == '\0')
                goto end;
            if ((unsigned char)piece[k] < 0x20 || (unsigned char)piece[k] > 0x7e)
                return false; /* export names are ASCII identifiers */
            name[n++] = piece[k];
        }
    }
end:
    if (n == 0)
        return false;
    name[n] = '\0';
    *name_len = n;
    *start = e->rva;
    return true;
}

/* ---- x64 unwinding ----------------------------------------------------------------------- */

enum {
    UWOP_PUSH_NONVOL = 0,
    UWOP_ALLOC_LARGE = 1,
    UWOP_ALLOC_SMALL = 2,
    UWOP_SET_FPREG = 3,
    UWOP_SAVE_NONVOL = 4,
    UWOP_SAVE_NONVOL_FAR = 5,
    UWOP_EPILOG = 6, /* version 2: epilog descriptions, nothing to undo */
    UWOP_SPARE = 7,
    UWOP_SAVE_XMM128 = 8,
    UWOP_SAVE_XMM128_FAR = 9,
    UWOP_PUSH_MACHFRAME = 10,
};

enum { UNW_FLAG_CHAININFO = 4 };

/* The unwind codes' register numbers (the instruction encoding's) in dmpread's amd64
 * numbering (DWARF's). */
static const uint8_t x64_reg[16] = {0, 2, 1, 3, 7, 6, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15};

enum { RBX = 3, RSI = 4, RDI = 5, RBP = 6, RSP = 7, R12 = 12, R15 = 15, RIP = 16 };

static const uint64_t nonvolatile = (uint64_t)1 << RBX | (uint64_t)1 << RSI | (uint64_t)1 << RDI |
                                    (uint64_t)1 << RBP | (uint64_t)0xf << R12;

/* Slots an unwind code takes, from its op and info; 0 for an op with no defined size. */
static unsigned code_slots(unsigned op, unsigned info)
{
    switch (op) {
    case UWOP_PUSH_NONVOL:
    case UWOP_ALLOC_SMALL:
    case UWOP_SET_FPREG:
    case UWOP_PUSH_MACHFRAME:
        return 1;
    case UWOP_ALLOC_LARGE:
        return info == 0 ? 2 : info == 1 ? 3 : 0;
    case UWOP_SAVE_NONVOL:
    case UWOP_SAVE_XMM128:
    case UWOP_EPILOG:
        return 2;
    case UWOP_SAVE_NONVOL_FAR:
    case UWOP_SAVE_XMM128_FAR:
    case UWOP_SPARE:
        return 3;
    default:
        return 0;
    }
}

struct unwinder {
    const struct dmpi_pe *pe;
    dmp_memory mem;
    dmp_regs r;
    bool machframe;   /* RIP is known: PUSH_MACHFRAME or a simulated epilog gave it */
    bool interrupted; /* PUSH_MACHFRAME: RIP is where a trap interrupted the caller */
};

static bool stack_read(struct unwinder *u, uint64_t addr, uint64_t *out)
{
    uint8_t b[8];
    if (u->mem.read(u->mem.ctx, addr, b, 8, NULL) != DMP_OK)
        return false;
    *out = load_u64le(b);
    return true;
}

static bool reg_get(const struct unwinder *u, unsigned r, uint64_t *v)
{
    if (!(u->r.valid >> r & 1))
        return false;
    *v = u->r.value[r];
    return true;
}

static void reg_set(struct unwinder *u, unsigned r, uint64_t v)
{
    u->r.value[r] = v;
    u->r.valid |= (uint64_t)1 << r;
}

/* A pop into register r (dmpread numbering). */
static dmp_status pop(struct unwinder *u, unsigned r)
{
    uint64_t v;
    if (r == RSP)
        return DMP_E_MALFORMED;
    if (!stack_read(u, u->r.value[RSP], &v))
        return DMP_E_UNMAPPED;
    reg_set(u, r, v);
    u->r.value[RSP] += 8;
    return DMP_OK;
}

static bool read_function(const struct dmpi_pe *pe, uint64_t rva, uint32_t fn[3])
{
    uint8_t b[12];
    if (!dmpi_pe_read(pe, rva, b, sizeof b))
        return false;
    fn[0] = load_u32le(b);
    fn[1] = load_u32le(b + 4);
    fn[2] = load_u32le(b + 8);
    return true;
}

/* The RUNTIME_FUNCTION covering rva, by binary search of the sorted exception directory.
 * 1 found, 0 none, -1 the directory could not be read. */
static int find_function(const struct dmpi_pe *pe, uint32_t rva, uint32_t fn[3])
{
    size_t lo = 0, hi = pe->pdata_size / 12;
    if (hi > MAX_PDATA)
        hi = MAX_PDATA;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        uint32_t f[3];
        if (!read_function(pe, pe->pdata_rva + (uint64_t)mid * 12, f))
            return -1;
        if (rva < f[0]) {
            hi = mid;
        } else if (rva >= f[1]) {
            lo = mid + 1;
        } else {
            memcpy(fn, f, sizeof f);
            /* UnwindData with bit 0 set names another RUNTIME_FUNCTION whose unwind data
             * serves this range. */
            for (int k = 0; k < MAX_CHAIN && (fn[2] & 1); k++)
                if (!read_function(pe, fn[2] & ~(uint32_t)1, f))
                    return -1;
                else
                    fn[2] = f[2];
            return (fn[2] & 1) ? -1 : 1;
        }
    }
    return 0;
}

/* Whether the code at `at` (the bytes `b`, n of them) is what remains of an epilog; if so the
 * remaining instructions are simulated. 1 simulated, 0 not an epilog, <0 a failed read. */
static int try_epilog(struct unwinder *u, const uint8_t *b, size_t n, uint64_t rip,
                      uint64_t fn_start, uint64_t fn_end)
{
    size_t i = 0;
    bool have_rsp = false;
    uint64_t rsp = 0;
    /* First, optionally: add rsp, imm or lea rsp, [reg + disp], REX.W prefixed. */
    if (n >= 4 && (b[0] & 0xf8) == 0x48) {
        if (b[0] == 0x48 && b[1] == 0x83 && b[2] == 0xc4) {
            rsp = u->r.value[RSP] + (uint64_t)(int64_t)(int8_t)b[3];
            have_rsp = true;
            i = 4;
        } else if (b[0] == 0x48 && b[1] == 0x81 && b[2] == 0xc4 && n >= 7) {
            rsp = u->r.value[RSP] + (uint64_t)(int64_t)(int32_t)load_u32le(b + 3);
            have_rsp = true;
            i = 7;
        } else if (b[1] == 0x8d && (b[0] & 0x06) == 0 && (b[2] >> 3 & 7) == 4 && (b[2] & 7) != 4 &&
                   (b[2] >> 6 == 1 || (b[2] >> 6 == 2 && n >= 7))) {
            const unsigned base = x64_reg[(b[2] & 7) | (b[0] & 1) << 3];
            uint64_t v;
            if (!reg_get(u, base, &v))
                return 0; /* cannot be simulated: not taken for an epilog */
            const int64_t disp = b[2] >> 6 == 1 ? (int8_t)b[3] : (int32_t)load_u32le(b + 3);
            rsp = v + (uint64_t)disp;
            have_rsp = true;
            i = b[2] >> 6 == 1 ? 4 : 7;
        }
    }
    /* Then pops, then the end: ret, ret imm16, rep ret, or a jump out of the function. */
    unsigned pops[16];
    unsigned npop = 0;
    int ret_extra = -1;
    while (i < n) {
        unsigned rex = 0;
        if ((b[i] & 0xf0) == 0x40) {
            rex = b[i];
            if (++i >= n)
                return 0;
        }
        const uint8_t op = b[i];
        if (op >= 0x58 && op <= 0x5f) {
            if (npop == 16 || (rex & ~0x41u & 0x0f))
                return 0;
            pops[npop++] = x64_reg[(op - 0x58) | (rex & 1) << 3];
            i++;
            continue;
        }
        if (rex && op != 0xff)
            return 0;
        if (op == 0xc3) {
            ret_extra = 0;
        } else if (op == 0xc2 && i + 3 <= n) {
            ret_extra = load_u16le(b + i + 1);
        } else if (op == 0xf3 && i + 1 < n && b[i + 1] == 0xc3) {
            ret_extra = 0;
        } else if ((op == 0xe9 && i + 5 <= n) || (op == 0xeb && i + 2 <= n)) {
            const int64_t rel = op == 0xe9 ? (int32_t)load_u32le(b + i + 1) : (int8_t)b[i + 1];
            const uint64_t target = rip + i + (op == 0xe9 ? 5 : 2) + (uint64_t)rel;
            if (target >= fn_start && target < fn_end)
                return 0; /* a jump inside the function: body code */
            ret_extra = 0;
        } else if (op == 0xff && i + 2 <= n && b[i + 1] == 0x25 && (rex == 0 || rex == 0x48)) {
            ret_extra = 0; /* jmp [rip + disp32]: a tail call through the import table */
        }
        break;
    }
    if (ret_extra < 0)
        return 0;
    if (have_rsp)
        u->r.value[RSP] = rsp;
    for (unsigned k = 0; k < npop; k++) {
        const dmp_status rc = pop(u, pops[k]);
        if (rc != DMP_OK)
            return rc == DMP_E_UNMAPPED ? -2 : -1;
    }
    uint64_t ra;
    if (!stack_read(u, u->r.value[RSP], &ra))
        return -2;
    reg_set(u, RIP, ra);
    u->r.value[RSP] += 8 + (uint64_t)ret_extra;
    u->machframe = true; /* RIP is set: no return to pop afterwards */
    return 1;
}

/* Undoes one UNWIND_INFO's codes, those at or before prolog_off (UINT32_MAX: all). Sets
 * *chained to the next RUNTIME_FUNCTION when the info chains to one. */
static dmp_status undo_codes(struct unwinder *u, uint32_t info_rva, uint32_t prolog_off,
                             bool *chained, uint32_t next[3])
{
    const struct dmpi_pe *const pe = u->pe;
    uint8_t h[4];
    if (!dmpi_pe_read(pe, info_rva, h, 4))
        return DMP_E_MALFORMED;
    const unsigned version = h[0] & 7, flags = h[0] >> 3, count = h[2];
    const unsigned frame_reg = h[3] & 15, frame_off = h[3] >> 4;
    if (version != 1 && version != 2)
        return DMP_E_MALFORMED;
    uint8_t codes[2 * 256];
    if (count && !dmpi_pe_read(pe, (uint64_t)info_rva + 4, codes, 2 * (size_t)count))
        return DMP_E_MALFORMED;
    /* The frame the save codes are relative to: the frame register less its offset once the
     * prolog has set it (the body may have moved RSP since: alloca), else RSP. */
    uint64_t frame = u->r.value[RSP];
    if (frame_reg) {
        bool set = prolog_off == UINT32_MAX;
        for (unsigned i = 0; i < count && !set;) {
            const unsigned op = codes[2 * i + 1] & 15,
                           slots = code_slots(op, codes[2 * i + 1] >> 4);
            if (!slots)
                return DMP_E_MALFORMED;
            set = op == UWOP_SET_FPREG && codes[2 * i] <= prolog_off;
            i += slots;
        }
        uint64_t v;
        if (set) {
            if (!reg_get(u, x64_reg[frame_reg], &v))
                return DMP_E_MALFORMED;
            frame = v - 16 * (uint64_t)frame_off;
        }
    }
    for (unsigned i = 0; i < count;) {
        const uint8_t at = codes[2 * i], op = codes[2 * i + 1] & 15, info = codes[2 * i + 1] >> 4;
        const unsigned slots = code_slots(op, info);
        if (!slots || i + slots > count)
            return DMP_E_MALFORMED;
        const uint8_t *const arg = codes + 2 * (i + 1);
        const bool run = op != UWOP_EPILOG && op != UWOP_SPARE && at <= prolog_off;
        i += slots;
        if (!run)
            continue;
        uint64_t v;
        dmp_status rc = DMP_OK;
        switch (op) {
        case UWOP_PUSH_NONVOL:
            rc = pop(u, x64_reg[info]);
            break;
        case UWOP_ALLOC_LARGE:
            u->r.value[RSP] += info == 0 ? 8 * (uint64_t)load_u16le(arg) : load_u32le(arg);
            break;
        case UWOP_ALLOC_SMALL:
            u->r.value[RSP] += 8 * (uint64_t)info + 8;
            break;
        case UWOP_SET_FPREG:
            u->r.value[RSP] = frame;
            break;
        case UWOP_SAVE_NONVOL:
        case UWOP_SAVE_NONVOL_FAR: {
            const uint64_t off =
                op == UWOP_SAVE_NONVOL ? 8 * (uint64_t)load_u16le(arg) : load_u32le(arg);
            if (x64_reg[info] == RSP)
                return DMP_E_MALFORMED;
            if (!stack_read(u, frame + off, &v))
                return DMP_E_UNMAPPED;
            reg_set(u, x64_reg[info], v);
            break;
        }
        case UWOP_SAVE_XMM128:
        case UWOP_SAVE_XMM128_FAR:
            break; /* XMM registers are not walked */
        case UWOP_PUSH_MACHFRAME: {
            /* The CPU pushed SS, RSP, EFLAGS, CS, RIP (and an error code first when info is
             * 1): the interrupted frame's RIP and RSP come from there. */
            const uint64_t at_rip = u->r.value[RSP] + (info ? 8 : 0);
            uint64_t sp;
            if (!stack_read(u, at_rip, &v) || !stack_read(u, at_rip + 24, &sp))
                return DMP_E_UNMAPPED;
            reg_set(u, RIP, v);
            u->r.value[RSP] = sp;
            u->machframe = u->interrupted = true;
            break;
        }
        default:
            return DMP_E_MALFORMED;
        }
        if (rc != DMP_OK)
            return rc;
    }
    *chained = (flags & UNW_FLAG_CHAININFO) != 0;
    if (*chained) {
        const uint64_t at = (uint64_t)info_rva + 4 + 2 * (uint64_t)((count + 1) & ~1u);
        if (!read_function(pe, at, next))
            return DMP_E_MALFORMED;
    }
    return DMP_OK;
}

dmp_status dmpi_pe_unwind_x64(const struct dmpi_pe *pe, uint64_t ip, uint64_t lookup_ip, bool exact,
                              const dmp_regs *callee, dmp_memory mem, dmp_regs *caller, bool *leaf,
                              bool *interrupted)
{
    *leaf = *interrupted = false;
    if (!pe->pdata_size)
        return DMP_E_NOT_FOUND;
    if (!(callee->valid >> RSP & 1) || lookup_ip - pe->base >= pe->image_size)
        return DMP_E_MALFORMED;
    struct unwinder u = {pe, mem, *callee, false, false};
    u.r.valid &= nonvolatile | (uint64_t)1 << RSP;
    uint32_t fn[3];
    const int found = find_function(pe, (uint32_t)(lookup_ip - pe->base), fn);
    if (found < 0)
        return DMP_E_MALFORMED;
    dmp_status rc = DMP_OK;
    if (found == 0) {
        *leaf = true; /* no RUNTIME_FUNCTION: a leaf, which moves no RSP and saves nothing */
    } else {
        uint32_t prolog_off = UINT32_MAX;
        if (exact) {
            const uint64_t off = ip - pe->base - fn[0];
            uint8_t h[4];
            if (!dmpi_pe_read(pe, fn[2], h, 4))
                return DMP_E_MALFORMED;
            if (off < h[1]) {
                prolog_off = (uint32_t)off;
            } else {
                uint8_t b[EPILOG_BYTES];
                size_t n = sizeof b;
                while (n >= 4 && !dmpi_pe_read(pe, ip - pe->base, b, n))
                    n /= 2;
                if (n >= 4) {
                    const int e = try_epilog(&u, b, n, ip, pe->base + fn[0], pe->base + fn[1]);
                    if (e < 0)
                        return e == -2 ? DMP_E_UNMAPPED : DMP_E_MALFORMED;
                }
            }
        }
        for (int depth = 0; !u.machframe; depth++) {
            bool chained = false;
            uint32_t next[3];
            if (depth == MAX_CHAIN)
                return DMP_E_MALFORMED;
            rc = undo_codes(&u, fn[2], prolog_off, &chained, next);
            if (rc != DMP_OK)
                return rc;
            if (!chained)
                break;
            memcpy(fn, next, sizeof next);
            prolog_off = UINT32_MAX; /* a chained parent's prolog has run in full */
        }
    }
    if (!u.machframe) {
        uint64_t ra;
        if (!stack_read(&u, u.r.value[RSP], &ra))
            return DMP_E_UNMAPPED;
        reg_set(&u, RIP, ra);
        u.r.value[RSP] += 8;
    }
    /* A volatile register a prolog happened to push is the caller's no longer after the
     * call: only the non-volatile ones (and RIP, RSP) are the caller's. */
    u.r.valid &= nonvolatile | (uint64_t)1 << RSP | (uint64_t)1 << RIP;
    *caller = u.r;
    *interrupted = u.interrupted;
    return rc;
}
