/* meminfo.c - MemoryInfoListStream (the process's address-space regions) and HandleDataStream
 * (its open handles), and names for the Win32 memory constants.
 * SPDX-License-Identifier: MIT
 *
 * Both lists start with a header giving its own size, the entry size and the count, so that
 * newer writers can lengthen entries: entries are read at the stride the file gives and only
 * their known prefix is decoded. An entry shorter than the known minimum makes the list
 * unusable. A count claiming more entries than the stream holds is cut to those that fit.
 * The first usable stream of each type is used; later ones are reported and ignored.
 *
 * MemoryInfoList entries are decoded on each call (full-memory dumps list tens of thousands);
 * handles are decoded at open because their names are strings elsewhere in the file.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MEMINFO_HEADER_SIZE 16 /* MINIDUMP_MEMORY_INFO_LIST */
#define MEMINFO_ENTRY_SIZE 48  /* MINIDUMP_MEMORY_INFO */
#define HANDLE_HEADER_SIZE 16  /* MINIDUMP_HANDLE_DATA_STREAM */
#define HANDLE_ENTRY_SIZE 32   /* MINIDUMP_HANDLE_DESCRIPTOR */
#define HANDLE_ENTRY2_SIZE 40  /* MINIDUMP_HANDLE_DESCRIPTOR_2 adds ObjectInfoRva, Reserved0 */

/* A list's header, decoded and checked against its stream. */
struct list_shape {
    uint32_t header_size;
    uint32_t entry_size;
    uint64_t claimed;
    uint64_t usable; /* entries wholly inside the stream */
};

/* Checks a list header against the stream; false when the list cannot be used. *st is the
 * status of pushing the diagnostic, if any. */
static bool check_list_shape(dmp_file *f, uint32_t index, struct list_shape *l, uint32_t min_header,
                             uint32_t min_entry, dmp_status *st)
{
    const struct dmpi_stream *const s = &f->streams[index];
    const uint64_t len = s->bytes.len;
    const char *why = NULL;
    if (l->header_size < min_header)
        why = "list header gives a SizeOfHeader smaller than the header";
    else if (l->header_size > len)
        why = "list header gives a SizeOfHeader larger than the stream";
    else if (l->entry_size < min_entry)
        why = "list header gives an entry size smaller than the smallest known entry";
    if (why) {
        *st = dmpi_malformed(f, index, s->rva, UINT64_MAX, why);
        return false;
    }
    const uint64_t room = (len - l->header_size) / l->entry_size;
    l->usable = l->claimed < room ? l->claimed : room;
    *st = DMP_OK;
    if (l->usable < l->claimed)
        *st = dmpi_malformed(f, index, s->rva, UINT64_MAX,
                             "list count claims more entries than the stream holds; "
                             "the entries that fit are used");
    return true;
}

/* ---- MemoryInfoListStream ------------------------------------------------------------- */

static dmp_status decode_memory_info_list(dmp_file *f, uint32_t index, bool *used)
{
    const struct dmpi_stream *const s = &f->streams[index];
    struct dmpi_triage *const t = &f->triage;
    const struct view *const v = &s->bytes;
    struct list_shape l = {0, 0, 0, 0};
    *used = false;
    if (!view_u32le(v, 0, &l.header_size) || !view_u32le(v, 4, &l.entry_size) ||
        !view_u64le(v, 8, &l.claimed))
        return dmpi_malformed(f, index, s->rva, UINT64_MAX,
                              "MemoryInfoListStream is shorter than its 16-byte header");
    dmp_status st;
    if (!check_list_shape(f, index, &l, MEMINFO_HEADER_SIZE, MEMINFO_ENTRY_SIZE, &st))
        return st;
    /* usable * entry_size fits: it is at most the stream's length. */
    t->meminfo = view_clip(v, l.header_size, l.usable * l.entry_size);
    t->meminfo_entry_size = l.entry_size;
    t->meminfo_count = (size_t)l.usable;
    *used = true;
    return st;
}

dmp_status dmpi_parse_memory_info(dmp_file *f)
{
    return dmpi_first_usable(f, DMP_STREAM_MEMORY_INFO_LIST,
                             "a MemoryInfoListStream came earlier; this one is ignored",
                             decode_memory_info_list);
}

size_t dmp_memory_info_count(const dmp_file *f)
{
    return f ? f->triage.meminfo_count : 0;
}

dmp_status dmp_memory_info_get(const dmp_file *f, size_t i, dmp_memory_info *out)
{
    if (!f || !out)
        return DMP_E_INVALID_ARG;
    const struct dmpi_triage *const t = &f->triage;
    if (i >= t->meminfo_count)
        return DMP_E_NOT_FOUND;
    /* MINIDUMP_MEMORY_INFO; the parser checked that every entry lies inside the view. */
    const uint8_t *const p = t->meminfo.data + (uint64_t)i * t->meminfo_entry_size;
    out->base = load_u64le(p);
    out->allocation_base = load_u64le(p + 8);
    out->allocation_protect = load_u32le(p + 16);
    out->region_size = load_u64le(p + 24);
    out->state = load_u32le(p + 32);
    out->protect = load_u32le(p + 36);
    out->type = load_u32le(p + 40);
    return DMP_OK;
}

const char *dmp_mem_state_name(uint32_t state)
{
    switch (state) {
    case 0x1000:
        return "MEM_COMMIT";
    case 0x2000:
        return "MEM_RESERVE";
    case 0x10000:
        return "MEM_FREE";
    default:
        return NULL;
    }
}

const char *dmp_mem_type_name(uint32_t type)
{
    switch (type) {
    case 0x20000:
        return "MEM_PRIVATE";
    case 0x40000:
        return "MEM_MAPPED";
    case 0x1000000:
        return "MEM_IMAGE";
    default:
        return NULL;
    }
}

/* PAGE_* bits in ascending order: the access values, then the modifiers. */
static const char *const protect_names[] = {
    "PAGE_NOACCESS", "PAGE_READONLY",     "PAGE_READWRITE",         "PAGE_WRITECOPY",
    "PAGE_EXECUTE",  "PAGE_EXECUTE_READ", "PAGE_EXECUTE_READWRITE", "PAGE_EXECUTE_WRITECOPY",
    "PAGE_GUARD",    "PAGE_NOCACHE",      "PAGE_WRITECOMBINE",
};

#define PROTECT_KNOWN_BITS (sizeof protect_names / sizeof protect_names[0])

size_t dmp_mem_protect_format(uint32_t protect, char *buf, size_t cap)
{
    size_t len = 0;
    if (cap > 0)
        buf[0] = '\0';
    if (protect == 0) {
        const int n = snprintf(buf, cap, "0");
        return n > 0 ? (size_t)n : 0;
    }
    for (uint32_t bit = 0; bit < 32; bit++) {
        if (!(protect & (UINT32_C(1) << bit)) || bit >= PROTECT_KNOWN_BITS)
            continue;
        char *const at = len < cap ? buf + len : NULL;
        const int n =
            snprintf(at, len < cap ? cap - len : 0, "%s%s", len ? "|" : "", protect_names[bit]);
        len += n > 0 ? (size_t)n : 0;
    }
    const uint32_t unknown = protect & ~((UINT32_C(1) << PROTECT_KNOWN_BITS) - 1);
    if (unknown) {
        char *const at = len < cap ? buf + len : NULL;
        const int n =
            snprintf(at, len < cap ? cap - len : 0, "%s0x%x", len ? "|" : "", (unsigned)unknown);
        len += n > 0 ? (size_t)n : 0;
    }
    return len;
}

/* ---- HandleDataStream ------------------------------------------------------------------ */

/* A MINIDUMP_STRING named by an RVA (within the dump's string budget); RVA 0: the writer had
 * none. */
static dmp_status handle_string(dmp_file *f, uint32_t index, uint32_t rva, const char **out)
{
    *out = "";
    return rva == 0 ? DMP_OK : dmpi_minidump_string(f, index, rva, out);
}

/* MINIDUMP_HANDLE_DESCRIPTOR, and ObjectInfoRva when the entries are _2 or longer. */
static dmp_status decode_handle(dmp_file *f, uint32_t index, const uint8_t *p, uint32_t entry_size,
                                dmp_handle *h)
{
    memset(h, 0, sizeof *h);
    h->handle = load_u64le(p);
    h->attributes = load_u32le(p + 16);
    h->granted_access = load_u32le(p + 20);
    h->handle_count = load_u32le(p + 24);
    h->pointer_count = load_u32le(p + 28);
    if (entry_size >= HANDLE_ENTRY2_SIZE)
        h->object_info_rva = load_u32le(p + 32);
    const dmp_status st = handle_string(f, index, load_u32le(p + 8), &h->type_name);
    if (st != DMP_OK)
        return st;
    return handle_string(f, index, load_u32le(p + 12), &h->object_name);
}

static dmp_status decode_handle_list(dmp_file *f, uint32_t index, bool *used)
{
    const struct dmpi_stream *const s = &f->streams[index];
    struct dmpi_triage *const t = &f->triage;
    const struct view *const v = &s->bytes;
    struct list_shape l = {0, 0, 0, 0};
    uint32_t count;
    *used = false;
    if (!view_u32le(v, 0, &l.header_size) || !view_u32le(v, 4, &l.entry_size) ||
        !view_u32le(v, 8, &count) || !view_has(v, 12, 4))
        return dmpi_malformed(f, index, s->rva, UINT64_MAX,
                              "HandleDataStream is shorter than its 16-byte header");
    l.claimed = count;
    dmp_status st;
    if (!check_list_shape(f, index, &l, HANDLE_HEADER_SIZE, HANDLE_ENTRY_SIZE, &st))
        return st;
    *used = true;
    if (st != DMP_OK || l.usable == 0)
        return st;
    /* usable entries lie inside the stream, so this is bounded by the file's size. */
    dmp_handle *const handles = dmpi_arena_calloc(&f->arena, (size_t)l.usable, sizeof *handles);
    if (!handles)
        return DMP_E_NOMEM;
    t->handles = handles;
    for (uint64_t k = 0; k < l.usable; k++) {
        const uint8_t *const p = v->data + l.header_size + k * l.entry_size;
        st = decode_handle(f, index, p, l.entry_size, &handles[k]);
        if (st != DMP_OK)
            return st;
        t->handle_count++;
    }
    return DMP_OK;
}

dmp_status dmpi_parse_handles(dmp_file *f)
{
    return dmpi_first_usable(f, DMP_STREAM_HANDLE_DATA,
                             "a HandleDataStream came earlier; this one is ignored",
                             decode_handle_list);
}

size_t dmp_handle_count(const dmp_file *f)
{
    return f ? f->triage.handle_count : 0;
}

dmp_status dmp_handle_get(const dmp_file *f, size_t i, dmp_handle *out)
{
    if (!f || !out)
        return DMP_E_INVALID_ARG;
    if (i >= f->triage.handle_count)
        return DMP_E_NOT_FOUND;
    *out = f->triage.handles[i];
    return DMP_OK;
}
