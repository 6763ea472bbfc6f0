/* modules.c - ModuleListStream and UnloadedModuleListStream: names, versions, CodeView ids, lookup.
 * SPDX-License-Identifier: MIT
 *
 * Policy (the tests in test_modules.c mirror it):
 *  - The first ModuleListStream (4) and the first UnloadedModuleListStream (14) are decoded;
 *    a later one of the same type is reported and ignored.
 *  - MINIDUMP_MODULE is 108 bytes, packed. Its count may be padded to 8 bytes like
 *    MemoryList's: entries start at offset 8 when DataSize is exactly 8 + 108 * count.
 *    Only entries lying wholly inside the stream are used; a count claiming more is reported.
 *  - An entry whose [base, base + size) passes 2^64 is dropped with a diagnostic. Everything
 *    else is kept: a damaged name, CodeView or misc record costs that field only.
 *  - debug_id and code_id follow Breakpad and the symbol servers: see format_debug_id and
 *    set_code_id. code_id of a module without an ELF build id is the PE form, except in a
 *    dump whose SystemInfo (decoded before this file runs) names a non-Windows platform.
 *  - Lookup: among the modules whose range holds an address, the one with the lowest base
 *    wins; on equal bases, the one listed first. Overlaps (hostile or not) stay correct.
 */
#include "internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MODULE_SIZE 108 /* MINIDUMP_MODULE */
#define VERSION_OFF 24  /* its VS_FIXEDFILEINFO (13 u32) */
#define CV_OFF 76       /* its CvRecord location descriptor */
#define MISC_OFF 84     /* its MiscRecord location descriptor */
#define VS_SIGNATURE 0xfeef04bdu
#define PDB70_MIN 24           /* 'RSDS', GUID, age; the PDB path follows */
#define PDB20_MIN 16           /* 'NB10', offset, signature, age; the PDB name follows */
#define UNLOADED_HEADER_MIN 12 /* MINIDUMP_UNLOADED_MODULE_LIST */
#define UNLOADED_ENTRY_MIN 24  /* MINIDUMP_UNLOADED_MODULE */

/* ---- Strings -------------------------------------------------------------------------- */

static const char *arena_copy(dmp_file *f, const char *s, size_t len)
{
    char *const out = dmpi_arena_alloc(&f->arena, len + 1);
    if (!out)
        return NULL;
    memcpy(out, s, len);
    out[len] = '\0';
    return out;
}

/* A GUID and an age the way Breakpad and the symbol servers print them: Data1, Data2 and
 * Data3 read little-endian, Data4 byte by byte, upper-case hex without separators, then the
 * age in lower-case hex. */
static const char *format_debug_id(dmp_file *f, const uint8_t guid[16], uint32_t age)
{
    char buf[48];
    int n = snprintf(buf, sizeof buf, "%08" PRIX32 "%04X%04X", load_u32le(guid),
                     (unsigned)load_u16le(guid + 4), (unsigned)load_u16le(guid + 6));
    for (size_t i = 8; i < 16; i++)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "%02X", (unsigned)guid[i]);
    n += snprintf(buf + n, sizeof buf - (size_t)n, "%" PRIx32, age);
    return arena_copy(f, buf, (size_t)n);
}

/* The bytes up to the first NUL (or the end) as UTF-8; anything else becomes U+FFFD. */
static const char *record_text(dmp_file *f, const uint8_t *s, size_t len)
{
    const uint8_t *const nul = memchr(s, 0, len);
    return dmpi_utf8_dup(&f->arena, s, nul ? (size_t)(nul - s) : len);
}

static const char *lower_hex(dmp_file *f, const uint8_t *s, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    if (len > (SIZE_MAX - 1) / 2)
        return NULL;
    char *const out = dmpi_arena_alloc(&f->arena, 2 * len + 1);
    if (!out)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[s[i] >> 4];
        out[2 * i + 1] = digits[s[i] & 0xf];
    }
    out[2 * len] = '\0';
    return out;
}

/* ---- CodeView records ------------------------------------------------------------------- */

static dmp_status decode_pdb70(dmp_file *f, dmp_module *m, const uint8_t *r, size_t len)
{
    memcpy(m->pdb_guid, r + 4, 16);
    m->pdb_age = load_u32le(r + 20);
    m->pdb_name = record_text(f, r + PDB70_MIN, len - PDB70_MIN);
    m->debug_id = format_debug_id(f, m->pdb_guid, m->pdb_age);
    return m->pdb_name && m->debug_id ? DMP_OK : DMP_E_NOMEM;
}

static dmp_status decode_pdb20(dmp_file *f, dmp_module *m, const uint8_t *r, size_t len)
{
    char buf[24];
    m->pdb_signature = load_u32le(r + 8);
    m->pdb_age = load_u32le(r + 12);
    /* The name is in the ANSI code page of the writer: what is not UTF-8 becomes U+FFFD. */
    m->pdb_name = record_text(f, r + PDB20_MIN, len - PDB20_MIN);
    const int n = snprintf(buf, sizeof buf, "%08" PRIX32 "%" PRIX32, m->pdb_signature, m->pdb_age);
    m->debug_id = arena_copy(f, buf, (size_t)n);
    return m->pdb_name && m->debug_id ? DMP_OK : DMP_E_NOMEM;
}

/* Breakpad's ELF record: the signature, then the whole build id. The debug id folds its first
 * 16 bytes (zero-padded) into a GUID with age 0, as Breakpad's processor and dump_syms do. */
static dmp_status decode_elf(dmp_file *f, dmp_module *m, const uint8_t *r, size_t len)
{
    if (len == 4)
        return DMP_OK; /* an empty build id: nothing to name the module by */
    m->build_id = r + 4;
    m->build_id_len = len - 4;
    uint8_t guid[16] = {0};
    memcpy(guid, m->build_id, m->build_id_len < 16 ? m->build_id_len : 16);
    m->debug_id = format_debug_id(f, guid, 0);
    return m->debug_id ? DMP_OK : DMP_E_NOMEM;
}

/* Where the walk over a list is, for diagnostics. */
struct walk {
    dmp_file *f;
    uint32_t si;  /* the stream's directory index */
    uint64_t off; /* file offset of the current entry */
    uint64_t k;   /* its index in the list */
};

/* The MINIDUMP_STRING at rva for the current entry (within the dump's string budget). */
static dmp_status entry_name(struct walk *w, uint32_t rva, const char **out)
{
    return dmpi_minidump_string(w->f, w->si, rva, out);
}

/* Fills the CodeView fields of the current module from its record at [rva, rva + size). A
 * record outside the file or too short for its kind is reported. */
static dmp_status decode_cv(struct walk *w, dmp_module *m, uint32_t size, uint32_t rva)
{
    dmp_file *const f = w->f;
    struct view rec;
    if (size == 0)
        return DMP_OK;
    if (!view_slice(&f->src.bytes, rva, size, &rec))
        return dmpi_malformed(f, w->si, w->off, w->k, "CodeView record lies outside the file");
    m->cv_record = rec.data;
    m->cv_size = size;
    if (size < 4)
        return dmpi_malformed(f, w->si, rva, w->k, "CodeView record too short for its signature");
    m->cv_signature = load_u32le(rec.data);
    size_t min = 4;
    if (m->cv_signature == DMP_CV_PDB70)
        min = PDB70_MIN;
    else if (m->cv_signature == DMP_CV_PDB20)
        min = PDB20_MIN;
    if (size < min)
        return dmpi_malformed(f, w->si, rva, w->k, "CodeView record too short for its kind");
    if (m->cv_signature != DMP_CV_PDB70 && m->cv_signature != DMP_CV_PDB20 &&
        m->cv_signature != DMP_CV_ELF && m->cv_signature != DMP_CV_ELF_SWAPPED)
        return DMP_OK; /* another kind (NB09, NB11...): served raw */
    /* The decoded forms are strings made from the record: they count against the budget. */
    bool granted;
    const dmp_status st = dmpi_string_charge(f, w->si, rva, size, &granted);
    if (st != DMP_OK || !granted)
        return st;
    switch (m->cv_signature) {
    case DMP_CV_PDB70:
        return decode_pdb70(f, m, rec.data, size);
    case DMP_CV_PDB20:
        return decode_pdb20(f, m, rec.data, size);
    default:
        return decode_elf(f, m, rec.data, size);
    }
}

static bool platform_is_windows(const dmp_file *f)
{
    /* Unknown (no SystemInfo) counts as Windows: minidumps are Windows' format. */
    return f->triage.system_status != DMP_OK || f->triage.system.platform < DMP_PLATFORM_UNIX;
}

/* PE modules: "%08X%x" of TimeDateStamp and SizeOfImage, the symbol servers' key for the
 * binary itself. ELF modules: the build id in lower-case hex. */
static dmp_status set_code_id(dmp_file *f, dmp_module *m)
{
    const bool elf = m->cv_signature == DMP_CV_ELF || m->cv_signature == DMP_CV_ELF_SWAPPED;
    if (m->build_id) {
        m->code_id = lower_hex(f, m->build_id, m->build_id_len);
    } else if (!elf && platform_is_windows(f)) {
        char buf[24];
        const int n = snprintf(buf, sizeof buf, "%08" PRIX32 "%" PRIx64, m->timestamp, m->size);
        m->code_id = arena_copy(f, buf, (size_t)n);
    }
    return m->code_id ? DMP_OK : DMP_E_NOMEM;
}

/* ---- MINIDUMP_MODULE ------------------------------------------------------------------- */

static void decode_version(dmp_module *m, const uint8_t *vs)
{
    if (load_u32le(vs) != VS_SIGNATURE)
        return;
    const uint32_t file_ms = load_u32le(vs + 8), file_ls = load_u32le(vs + 12);
    const uint32_t prod_ms = load_u32le(vs + 16), prod_ls = load_u32le(vs + 20);
    m->has_version = 1;
    m->file_version[0] = (uint16_t)(file_ms >> 16);
    m->file_version[1] = (uint16_t)file_ms;
    m->file_version[2] = (uint16_t)(file_ls >> 16);
    m->file_version[3] = (uint16_t)file_ls;
    m->product_version[0] = (uint16_t)(prod_ms >> 16);
    m->product_version[1] = (uint16_t)prod_ms;
    m->product_version[2] = (uint16_t)(prod_ls >> 16);
    m->product_version[3] = (uint16_t)prod_ls;
    m->file_flags = load_u32le(vs + 28);
    m->file_os = load_u32le(vs + 32);
    m->file_type = load_u32le(vs + 36);
}

/* IMAGE_DEBUG_MISC is served raw: only its place is checked. */
static dmp_status decode_misc(struct walk *w, dmp_module *m, uint32_t size, uint32_t rva)
{
    struct view misc;
    if (size == 0)
        return DMP_OK;
    if (!view_slice(&w->f->src.bytes, rva, size, &misc))
        return dmpi_malformed(w->f, w->si, w->off, w->k, "misc debug record lies outside the file");
    m->misc_record = misc.data;
    m->misc_size = size;
    return DMP_OK;
}

/* Decodes the current entry, at p, into *m. *keep is false when it was dropped. */
static dmp_status decode_module(struct walk *w, const uint8_t *p, dmp_module *m, bool *keep)
{
    dmp_file *const f = w->f;
    memset(m, 0, sizeof *m);
    m->base = load_u64le(p);
    m->size = load_u32le(p + 8);
    *keep = m->size == 0 || m->size - 1 <= UINT64_MAX - m->base;
    if (!*keep)
        return dmpi_malformed(f, w->si, w->off, w->k, "module range runs past 2^64; entry dropped");
    m->checksum = load_u32le(p + 12);
    m->timestamp = load_u32le(p + 16);
    m->pdb_name = m->debug_id = m->code_id = "";
    dmp_status st = entry_name(w, load_u32le(p + 20), &m->name);
    if (st != DMP_OK)
        return st;
    decode_version(m, p + VERSION_OFF);
    st = decode_cv(w, m, load_u32le(p + CV_OFF), load_u32le(p + CV_OFF + 4));
    if (st != DMP_OK)
        return st;
    st = decode_misc(w, m, load_u32le(p + MISC_OFF), load_u32le(p + MISC_OFF + 4));
    return st == DMP_OK ? set_code_id(f, m) : st;
}

/* ---- The lookup tables ----------------------------------------------------------------- *
 * One for the modules, one for the unloaded modules (both structs start with base and size).
 * module_by_base holds the n module indices, non-empty modules sorted by (base, index) first,
 * then the empty ones. The same allocation continues (8-aligned) with reach[n]: reach[k] is
 * the highest last address among sorted positions 0..k (carried over the empty tail). reach
 * never decreases, so the first position whose reach attains addr is found by binary search,
 * and that module is the lowest-based one that can hold addr: every one before it ends below
 * addr, every one after it starts at or above its base. One allocation in the dump's arena. */

struct sort_key {
    uint64_t base;
    size_t index;
    bool empty;
};

static int compare_keys(const void *a, const void *b)
{
    const struct sort_key *x = a, *y = b;
    if (x->empty != y->empty)
        return x->empty ? 1 : -1;
    if (x->base != y->base)
        return x->base < y->base ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

static size_t reach_offset(size_t n)
{
    return (n * sizeof(size_t) + 7) & ~(size_t)7;
}

static const uint64_t *reach_of(const size_t *by_base, size_t n)
{
    const unsigned char *const p = (const unsigned char *)by_base;
    return (const uint64_t *)(const void *)(p + reach_offset(n));
}

_Static_assert(offsetof(dmp_module, base) == offsetof(dmp_unloaded_module, base) &&
                   offsetof(dmp_module, size) == offsetof(dmp_unloaded_module, size),
               "the lookup reads both kinds of module through the same offsets");

/* Item i's base and size, in an array of dmp_module or dmp_unloaded_module. */
static void range_at(const void *items, size_t stride, size_t i, uint64_t *base, uint64_t *size)
{
    const unsigned char *const p = (const unsigned char *)items + i * stride;
    memcpy(base, p + offsetof(dmp_module, base), sizeof *base);
    memcpy(size, p + offsetof(dmp_module, size), sizeof *size);
}

/* The table of n items (dmp_module or dmp_unloaded_module, `stride` bytes apart). */
static dmp_status build_lookup(dmp_file *f, const void *items, size_t stride, size_t n,
                               size_t **out)
{
    if (n == 0)
        return DMP_OK;
    unsigned char *const block =
        dmpi_arena_alloc(&f->arena, reach_offset(n) + n * sizeof(uint64_t));
    struct sort_key *const keys = block ? dmpi_budget_malloc(&f->budget, n * sizeof *keys) : NULL;
    if (!keys)
        return DMP_E_NOMEM;
    for (size_t i = 0; i < n; i++) {
        uint64_t base, size;
        range_at(items, stride, i, &base, &size);
        keys[i] = (struct sort_key){base, i, size == 0};
    }
    qsort(keys, n, sizeof *keys, compare_keys);
    size_t *const by_base = (size_t *)(void *)block;
    uint64_t *const reach = (uint64_t *)(void *)(block + reach_offset(n));
    uint64_t high = 0;
    for (size_t k = 0; k < n; k++) {
        uint64_t base, size;
        range_at(items, stride, keys[k].index, &base, &size);
        by_base[k] = keys[k].index;
        /* base + size - 1 cannot wrap: such entries are refused when decoding */
        if (size != 0 && (k == 0 || base + (size - 1) > high))
            high = base + (size - 1);
        reach[k] = high;
    }
    dmpi_budget_free(&f->budget, keys, n * sizeof *keys);
    *out = by_base;
    return DMP_OK;
}

/* The item holding addr through its table: the lowest-based one that can (DMP_OK with *index),
 * or DMP_E_NOT_FOUND. */
static dmp_status find_in(const size_t *by_base, const void *items, size_t stride, size_t n,
                          uint64_t addr, size_t *index)
{
    if (n == 0 || !by_base)
        return DMP_E_NOT_FOUND;
    const uint64_t *const reach = reach_of(by_base, n);
    size_t lo = 0, hi = n;
    while (lo < hi) {
        dmpi_work++;
        const size_t mid = lo + (hi - lo) / 2;
        if (reach[mid] >= addr)
            hi = mid;
        else
            lo = mid + 1;
    }
    if (lo == n)
        return DMP_E_NOT_FOUND;
    uint64_t base, size;
    range_at(items, stride, by_base[lo], &base, &size);
    if (addr < base || addr - base >= size)
        return DMP_E_NOT_FOUND;
    *index = by_base[lo];
    return DMP_OK;
}

/* ---- Streams --------------------------------------------------------------------------- */

/* Reports every stream of `type` after the first: only the first is decoded. */
static dmp_status report_duplicates(dmp_file *f, uint32_t type, size_t first, const char *detail)
{
    size_t i = first;
    while (dmp_stream_find(f, type, i + 1, &i) == DMP_OK) {
        const dmp_status st = dmpi_malformed(f, (uint32_t)i, f->streams[i].rva, UINT64_MAX, detail);
        if (st != DMP_OK)
            return st;
    }
    return DMP_OK;
}

/* Where a list's entries are: count entries of `size` bytes from `first`, `usable` of which
 * lie inside the stream. */
struct list_span {
    uint64_t first;
    uint64_t size;
    uint64_t usable;
};

static dmp_status check_count(dmp_file *f, uint32_t si, uint64_t count, struct list_span *l,
                              const char *detail)
{
    const struct dmpi_stream *const s = &f->streams[si];
    const uint64_t room = s->bytes.len > l->first ? (s->bytes.len - l->first) / l->size : 0;
    l->usable = count < room ? count : room;
    return count > room ? dmpi_malformed(f, si, s->rva, UINT64_MAX, detail) : DMP_OK;
}

static dmp_status parse_module_list(struct walk *w)
{
    dmp_file *const f = w->f;
    const struct dmpi_stream *const s = &f->streams[w->si];
    uint32_t count;
    if (!view_u32le(&s->bytes, 0, &count))
        return dmpi_malformed(f, w->si, s->rva, UINT64_MAX,
                              "ModuleListStream too small for its count field");
    struct list_span l = {4, MODULE_SIZE, 0};
    if (s->data_size == 8 + (uint64_t)count * MODULE_SIZE)
        l.first = 8; /* the count padded to 8 bytes */
    dmp_status st =
        check_count(f, w->si, count, &l, "module count claims more than the stream holds");
    if (st != DMP_OK || l.usable == 0)
        return st;
    dmp_module *const mods = dmpi_arena_calloc(&f->arena, (size_t)l.usable, sizeof *mods);
    if (!mods)
        return DMP_E_NOMEM;
    f->triage.modules = mods;
    for (w->k = 0; w->k < l.usable; w->k++) {
        const uint64_t at = l.first + w->k * MODULE_SIZE;
        bool keep;
        w->off = s->rva + at;
        st = decode_module(w, s->bytes.data + at, &mods[f->triage.module_count], &keep);
        if (st != DMP_OK)
            return st;
        f->triage.module_count += keep;
    }
    return build_lookup(f, f->triage.modules, sizeof(dmp_module), f->triage.module_count,
                        &f->triage.module_by_base);
}

static dmp_status decode_unloaded(struct walk *w, const uint8_t *p, dmp_unloaded_module *u,
                                  bool *keep)
{
    u->base = load_u64le(p);
    u->size = load_u32le(p + 8);
    *keep = u->size == 0 || u->size - 1 <= UINT64_MAX - u->base;
    if (!*keep)
        return dmpi_malformed(w->f, w->si, w->off, w->k,
                              "module range runs past 2^64; entry dropped");
    u->checksum = load_u32le(p + 12);
    u->timestamp = load_u32le(p + 16);
    return entry_name(w, load_u32le(p + 20), &u->name);
}

/* MINIDUMP_UNLOADED_MODULE_LIST gives its own header and entry sizes: entries longer than
 * MINIDUMP_UNLOADED_MODULE are read for their known prefix. */
static dmp_status parse_unloaded_list(struct walk *w)
{
    dmp_file *const f = w->f;
    const struct dmpi_stream *const s = &f->streams[w->si];
    uint32_t header_size, entry_size, count;
    if (!view_u32le(&s->bytes, 0, &header_size) || !view_u32le(&s->bytes, 4, &entry_size) ||
        !view_u32le(&s->bytes, 8, &count))
        return dmpi_malformed(f, w->si, s->rva, UINT64_MAX,
                              "UnloadedModuleListStream too small for its header");
    if (header_size < UNLOADED_HEADER_MIN || entry_size < UNLOADED_ENTRY_MIN)
        return dmpi_malformed(f, w->si, s->rva, UINT64_MAX,
                              "SizeOfHeader or SizeOfEntry below MINIDUMP_UNLOADED_MODULE's");
    struct list_span l = {header_size, entry_size, 0};
    dmp_status st =
        check_count(f, w->si, count, &l, "unloaded module count claims more than the stream holds");
    if (st != DMP_OK || l.usable == 0)
        return st;
    dmp_unloaded_module *const mods = dmpi_arena_calloc(&f->arena, (size_t)l.usable, sizeof *mods);
    if (!mods)
        return DMP_E_NOMEM;
    f->triage.unloaded = mods;
    for (w->k = 0; w->k < l.usable; w->k++) {
        const uint64_t at = l.first + w->k * l.size;
        bool keep;
        w->off = s->rva + at;
        st = decode_unloaded(w, s->bytes.data + at, &mods[f->triage.unloaded_count], &keep);
        if (st != DMP_OK)
            return st;
        f->triage.unloaded_count += keep;
    }
    return build_lookup(f, mods, sizeof *mods, f->triage.unloaded_count,
                        &f->triage.unloaded_by_base);
}

/* Decodes the first stream of `type` with `parse`, and reports any later one. A stream that
 * starts past EOF was reported by the directory and has no bytes to read. */
static dmp_status parse_first(struct walk *w, uint32_t type, dmp_status (*parse)(struct walk *),
                              const char *duplicate)
{
    size_t i;
    if (dmp_stream_find(w->f, type, 0, &i) != DMP_OK)
        return DMP_OK;
    w->si = (uint32_t)i;
    const dmp_status st = w->f->streams[i].flags & DMP_STREAM_PAST_EOF ? DMP_OK : parse(w);
    return st == DMP_OK ? report_duplicates(w->f, type, i, duplicate) : st;
}

dmp_status dmpi_parse_modules(dmp_file *f)
{
    struct walk w = {.f = f};
    const dmp_status st = parse_first(&w, DMP_STREAM_MODULE_LIST, parse_module_list,
                                      "another ModuleListStream; only the first is used");
    if (st != DMP_OK)
        return st;
    return parse_first(&w, DMP_STREAM_UNLOADED_MODULE_LIST, parse_unloaded_list,
                       "another UnloadedModuleListStream; only the first is used");
}

/* ---- Accessors ------------------------------------------------------------------------- */

size_t dmp_module_count(const dmp_file *f)
{
    return f ? f->triage.module_count : 0;
}

dmp_status dmp_module_get(const dmp_file *f, size_t i, dmp_module *out)
{
    if (!f || !out)
        return DMP_E_INVALID_ARG;
    if (i >= f->triage.module_count)
        return DMP_E_NOT_FOUND;
    *out = f->triage.modules[i];
    return DMP_OK;
}

dmp_status dmp_module_find(const dmp_file *f, uint64_t addr, size_t *index, uint64_t *offset)
{
    if (!f)
        return DMP_E_INVALID_ARG;
    const struct dmpi_triage *const t = &f->triage;
    size_t i;
    if (find_in(t->module_by_base, t->modules, sizeof *t->modules, t->module_count, addr, &i) !=
        DMP_OK)
        return DMP_E_NOT_FOUND;
    if (index)
        *index = i;
    if (offset)
        *offset = addr - t->modules[i].base;
    return DMP_OK;
}

size_t dmp_unloaded_module_count(const dmp_file *f)
{
    return f ? f->triage.unloaded_count : 0;
}

dmp_status dmp_unloaded_module_get(const dmp_file *f, size_t i, dmp_unloaded_module *out)
{
    if (!f || !out)
        return DMP_E_INVALID_ARG;
    if (i >= f->triage.unloaded_count)
        return DMP_E_NOT_FOUND;
    *out = f->triage.unloaded[i];
    return DMP_OK;
}

dmp_status dmp_unloaded_module_find(const dmp_file *f, uint64_t addr, size_t *index)
{
    if (!f)
        return DMP_E_INVALID_ARG;
    const struct dmpi_triage *const t = &f->triage;
    size_t i;
    if (find_in(t->unloaded_by_base, t->unloaded, sizeof *t->unloaded, t->unloaded_count, addr,
                &i) != DMP_OK)
        return DMP_E_NOT_FOUND;
    if (index)
        *index = i;
    return DMP_OK;
}
