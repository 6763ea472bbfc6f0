/* crashpad.c - Crashpad's CrashpadInfo stream: report and client ids, the process's simple
 * annotations, and each module's annotations.
 * SPDX-License-Identifier: MIT
 *
 * MinidumpCrashpadInfo (4-byte packed): u32 version, the report and client UUIDs, then the
 * MINIDUMP_LOCATION_DESCRIPTORs (u32 DataSize, u32 RVA) of simple_annotations and
 * module_list; later fields are not used. module_list locates a
 * MinidumpModuleCrashpadInfoList: u32 count, then 12-byte links {u32
 * minidump_module_list_index, location of a MinidumpModuleCrashpadInfo}. That record is a u32
 * version and the locations of list_annotations (a MinidumpRVAList: u32 count, RVAs of
 * MinidumpUTF8Strings), simple_annotations (a MinidumpSimpleStringDictionary: u32 count,
 * (key, value) RVA pairs) and annotation_objects (a MinidumpAnnotationList: u32 count,
 * 12-byte {RVA name, u16 type, u16 reserved, RVA value}, the value a MinidumpByteArray:
 * u32 length, then the bytes). Writers before annotation objects existed wrote the record's
 * first 20 bytes only.
 *
 * Each list is read as far as its entries lie wholly inside both its location and the file.
 * Links may all point at one long list, so the module annotation entries of a dump together
 * are capped at one per 4 bytes of file, which an honest writer (4 bytes or more for each
 * entry, written once) never reaches; strings count against the dump-wide string budget.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define CRASHPAD_INFO_SIZE 52 /* MinidumpCrashpadInfo up to module_list; later fields unused */
#define SIMPLE_ANNOTATIONS_OFF 36
#define MODULE_LIST_OFF 44
#define MODULE_LINK_SIZE 12 /* MinidumpModuleCrashpadInfoLink */
#define MODULE_INFO_MIN 20  /* MinidumpModuleCrashpadInfo without annotation_objects */
#define MODULE_INFO_SIZE 28 /* with them */
#define ANNOTATION_SIZE 12  /* MinidumpAnnotation */

/* A kind of counted list, and what its diagnostics say. */
struct list_kind {
    uint32_t entry_size;
    const char *outside; /* the location is not in the file or cannot hold the count */
    const char *cut;     /* the location runs past the end of the file */
    const char *clipped; /* the count claims more entries than the location holds */
};

static const struct list_kind simple_kind = {
    8,
    "Crashpad simple annotations lie outside the file or are too small for their count",
    "Crashpad simple annotations run past the end of the file; the part inside is used",
    "Crashpad annotation count claims more entries than its location holds; those inside are "
    "used",
};

static const struct list_kind rva_list_kind = {
    4,
    "Crashpad list annotations lie outside the file or are too small for their count",
    "Crashpad list annotations run past the end of the file; the part inside is used",
    "Crashpad list annotation count claims more entries than its location holds; those inside "
    "are used",
};

static const struct list_kind object_kind = {
    ANNOTATION_SIZE,
    "Crashpad annotation objects lie outside the file or are too small for their count",
    "Crashpad annotation objects run past the end of the file; the part inside is used",
    "Crashpad annotation object count claims more entries than its location holds; those "
    "inside are used",
};

static const struct list_kind module_kind = {
    MODULE_LINK_SIZE,
    "Crashpad module list lies outside the file or is too small for its count",
    "Crashpad module list runs past the end of the file; the part inside is used",
    "Crashpad module count claims more links than the module list holds; those inside are "
    "used",
};

/* What is left of the module annotation entries the dump may hold (see above). */
struct entry_budget {
    uint64_t left;
    bool refused;
};

/* The list at location (size, rva): *list gets its bytes inside the file and *count the
 * entries lying wholly inside both the location and the file. */
static dmp_status list_extent(dmp_file *f, uint32_t index, const struct list_kind *kind,
                              uint32_t size, uint32_t rva, struct view *list, uint64_t *count)
{
    uint32_t claimed;
    *list = view_clip(&f->src.bytes, rva, size);
    *count = 0;
    if (size == 0)
        return DMP_OK;
    if (rva == 0 || !view_u32le(list, 0, &claimed))
        return dmpi_malformed(f, index, rva, UINT64_MAX, kind->outside);
    dmp_status st = DMP_OK;
    if (list->len < size)
        st = dmpi_malformed(f, index, rva, UINT64_MAX, kind->cut);
    const uint64_t room = (list->len - 4) / kind->entry_size;
    *count = claimed < room ? claimed : room;
    if (st == DMP_OK && *count < claimed)
        st = dmpi_malformed(f, index, rva, UINT64_MAX, kind->clipped);
    return st;
}

/* Takes *count entries of the list at rva from the budget (NULL: no limit), fewer when it
 * runs out; the first shortfall is reported. */
static dmp_status take_entries(dmp_file *f, uint32_t index, uint32_t rva, struct entry_budget *b,
                               uint64_t *count)
{
    if (!b || *count <= b->left) {
        if (b)
            b->left -= *count;
        return DMP_OK;
    }
    *count = b->left;
    b->left = 0;
    if (b->refused)
        return DMP_OK;
    b->refused = true;
    return dmpi_malformed(f, index, rva, UINT64_MAX,
                          "Crashpad module annotations add up to more entries than the file "
                          "could hold; this list's excess and all later ones are dropped");
}

/* A MinidumpUTF8String named by a list entry; RVA 0 means the writer had none. */
static dmp_status entry_string(dmp_file *f, uint32_t index, uint32_t rva, const char **out)
{
    *out = "";
    return rva == 0 ? DMP_OK : dmpi_utf8_string(f, index, rva, out);
}

/* The MinidumpSimpleStringDictionary at (size, rva) as key, value, ... in the arena. */
static dmp_status decode_dictionary(dmp_file *f, uint32_t index, struct entry_budget *b,
                                    const uint32_t loc[2], const char ***pairs, size_t *count)
{
    struct view dict;
    uint64_t n;
    dmp_status st = list_extent(f, index, &simple_kind, loc[0], loc[1], &dict, &n);
    if (st == DMP_OK)
        st = take_entries(f, index, loc[1], b, &n);
    if (st != DMP_OK || n == 0)
        return st;
    /* n pairs lie inside the file: the allocation is bounded by its size. */
    const char **const s = dmpi_arena_alloc(&f->arena, (size_t)n * 2 * sizeof *s);
    if (!s)
        return DMP_E_NOMEM;
    for (uint64_t k = 0; k < 2 * n; k++)
        if ((st = entry_string(f, index, load_u32le(dict.data + 4 + 4 * k), &s[k])) != DMP_OK)
            return st;
    *pairs = s;
    *count = (size_t)n;
    return DMP_OK;
}

static dmp_status decode_list_annotations(dmp_file *f, uint32_t index, struct entry_budget *b,
                                          const uint32_t loc[2], struct dmpi_crashpad_module *m)
{
    struct view list;
    uint64_t n;
    dmp_status st = list_extent(f, index, &rva_list_kind, loc[0], loc[1], &list, &n);
    if (st == DMP_OK)
        st = take_entries(f, index, loc[1], b, &n);
    if (st != DMP_OK || n == 0)
        return st;
    const char **const s = dmpi_arena_alloc(&f->arena, (size_t)n * sizeof *s);
    if (!s)
        return DMP_E_NOMEM;
    for (uint64_t k = 0; k < n; k++)
        if ((st = entry_string(f, index, load_u32le(list.data + 4 + 4 * k), &s[k])) != DMP_OK)
            return st;
    m->list = s;
    m->info.list_annotation_count = (size_t)n;
    return DMP_OK;
}

/* The MinidumpByteArray at rva: a span of the file, cut at its end. */
static dmp_status byte_array(dmp_file *f, uint32_t index, uint32_t rva, const void **data,
                             size_t *len)
{
    uint32_t claimed;
    *data = NULL;
    *len = 0;
    if (rva == 0)
        return DMP_OK;
    if (!view_u32le(&f->src.bytes, rva, &claimed))
        return dmpi_malformed(f, index, rva, UINT64_MAX,
                              "Crashpad annotation value starts past the end of the file");
    const struct view v = view_clip(&f->src.bytes, (uint64_t)rva + 4, claimed);
    *data = v.len ? v.data : NULL;
    *len = (size_t)v.len; /* inside the mapping */
    if (v.len < claimed)
        return dmpi_malformed(f, index, rva, UINT64_MAX,
                              "Crashpad annotation value runs past the end of the file; cut there");
    return DMP_OK;
}

static dmp_status decode_objects(dmp_file *f, uint32_t index, struct entry_budget *b,
                                 const uint32_t loc[2], struct dmpi_crashpad_module *m)
{
    struct view list;
    uint64_t n;
    dmp_status st = list_extent(f, index, &object_kind, loc[0], loc[1], &list, &n);
    if (st == DMP_OK)
        st = take_entries(f, index, loc[1], b, &n);
    if (st != DMP_OK || n == 0)
        return st;
    dmp_crashpad_annotation *const objects =
        dmpi_arena_alloc(&f->arena, (size_t)n * sizeof *objects);
    if (!objects)
        return DMP_E_NOMEM;
    for (uint64_t k = 0; k < n && st == DMP_OK; k++) {
        const uint8_t *const p = list.data + 4 + ANNOTATION_SIZE * k;
        dmp_crashpad_annotation *const o = &objects[k];
        o->type = load_u16le(p + 4);
        st = entry_string(f, index, load_u32le(p), &o->name);
        if (st == DMP_OK)
            st = byte_array(f, index, load_u32le(p + 8), &o->value, &o->value_len);
    }
    if (st != DMP_OK)
        return st;
    m->objects = objects;
    m->info.annotation_object_count = (size_t)n;
    return DMP_OK;
}

/* The MinidumpModuleCrashpadInfo of link k (at file offset `at`); *ok is false when the
 * record is unusable and the link dropped. */
static dmp_status decode_module(dmp_file *f, uint32_t index, struct entry_budget *b, uint64_t at,
                                uint64_t k, struct dmpi_crashpad_module *m, bool *ok)
{
    const uint8_t *const link = f->src.bytes.data + at;
    const uint32_t size = load_u32le(link + 4);
    const uint32_t rva = load_u32le(link + 8);
    struct view rec;
    *ok = false;
    memset(m, 0, sizeof *m);
    if (size < MODULE_INFO_MIN || rva == 0 ||
        !view_slice(&f->src.bytes, rva, size < MODULE_INFO_SIZE ? size : MODULE_INFO_SIZE, &rec))
        return dmpi_malformed(f, index, at, k,
                              "Crashpad module info is smaller than 20 bytes or lies outside the "
                              "file; this module's annotations are dropped");
    *ok = true;
    m->info.module_index = load_u32le(link);
    m->info.version = load_u32le(rec.data);
    uint32_t loc[3][2];
    for (size_t i = 0; i < 3; i++) {
        const bool present = rec.len >= 4 + 8 * (i + 1);
        loc[i][0] = present ? load_u32le(rec.data + 4 + 8 * i) : 0;
        loc[i][1] = present ? load_u32le(rec.data + 8 + 8 * i) : 0;
    }
    dmp_status st = decode_list_annotations(f, index, b, loc[0], m);
    if (st == DMP_OK)
        st = decode_dictionary(f, index, b, loc[1], &m->simple, &m->info.simple_annotation_count);
    if (st == DMP_OK)
        st = decode_objects(f, index, b, loc[2], m);
    return st;
}

static dmp_status decode_modules(dmp_file *f, uint32_t index, uint32_t size, uint32_t rva)
{
    struct dmpi_triage *const t = &f->triage;
    struct view list;
    uint64_t n;
    dmp_status st = list_extent(f, index, &module_kind, size, rva, &list, &n);
    if (st != DMP_OK || n == 0)
        return st;
    struct dmpi_crashpad_module *const mods = dmpi_arena_alloc(&f->arena, (size_t)n * sizeof *mods);
    if (!mods)
        return DMP_E_NOMEM;
    t->crashpad_modules = mods;
    struct entry_budget b = {f->src.bytes.len / 4, false};
    for (uint64_t k = 0; k < n; k++) {
        bool ok;
        const uint64_t at = (uint64_t)rva + 4 + MODULE_LINK_SIZE * k;
        st = decode_module(f, index, &b, at, k, &mods[t->crashpad_module_count], &ok);
        if (st != DMP_OK)
            return st;
        t->crashpad_module_count += ok;
    }
    return DMP_OK;
}

static dmp_status decode_crashpad_info(dmp_file *f, uint32_t index, bool *used)
{
    const struct dmpi_stream *const s = &f->streams[index];
    struct dmpi_triage *const t = &f->triage;
    if (s->bytes.len < CRASHPAD_INFO_SIZE) {
        t->crashpad_status = DMP_E_MALFORMED;
        return dmpi_malformed(f, index, s->rva, UINT64_MAX,
                              "CrashpadInfo is shorter than MinidumpCrashpadInfo (52 bytes)");
    }
    const uint8_t *const p = s->bytes.data;
    memcpy(t->crashpad.report_id, p + 4, 16);
    memcpy(t->crashpad.client_id, p + 20, 16);
    t->crashpad_status = DMP_OK;
    *used = true;
    const uint32_t simple[2] = {load_u32le(p + SIMPLE_ANNOTATIONS_OFF),
                                load_u32le(p + SIMPLE_ANNOTATIONS_OFF + 4)};
    const dmp_status st =
        decode_dictionary(f, index, NULL, simple, &t->annotations, &t->crashpad.annotation_count);
    if (st != DMP_OK)
        return st;
    return decode_modules(f, index, load_u32le(p + MODULE_LIST_OFF),
                          load_u32le(p + MODULE_LIST_OFF + 4));
}

dmp_status dmpi_parse_crashpad(dmp_file *f)
{
    return dmpi_first_usable(f, DMP_STREAM_CRASHPAD_INFO,
                             "a stream of this type came earlier; this one is ignored",
                             decode_crashpad_info);
}

/* ---- Accessors --------------------------------------------------------------------------- */

dmp_status dmp_get_crashpad_info(const dmp_file *f, dmp_crashpad_info *out)
{
    if (!f || !out)
        return DMP_E_INVALID_ARG;
    if (f->triage.crashpad_status == DMP_OK)
        *out = f->triage.crashpad;
    return f->triage.crashpad_status;
}

dmp_status dmp_crashpad_annotation_get(const dmp_file *f, size_t i, const char **key,
                                       const char **value)
{
    if (!f || !key || !value)
        return DMP_E_INVALID_ARG;
    if (f->triage.crashpad_status != DMP_OK || i >= f->triage.crashpad.annotation_count)
        return DMP_E_NOT_FOUND;
    *key = f->triage.annotations[2 * i];
    *value = f->triage.annotations[2 * i + 1];
    return DMP_OK;
}

size_t dmp_crashpad_module_count(const dmp_file *f)
{
    return f ? f->triage.crashpad_module_count : 0;
}

/* Module link i, or NULL when there is none. */
static const struct dmpi_crashpad_module *crashpad_module(const dmp_file *f, size_t i)
{
    return i < f->triage.crashpad_module_count ? &f->triage.crashpad_modules[i] : NULL;
}

dmp_status dmp_crashpad_module_get(const dmp_file *f, size_t i, dmp_crashpad_module *out)
{
    if (!f || !out)
        return DMP_E_INVALID_ARG;
    const struct dmpi_crashpad_module *const m = crashpad_module(f, i);
    if (!m)
        return DMP_E_NOT_FOUND;
    *out = m->info;
    return DMP_OK;
}

dmp_status dmp_crashpad_module_list_annotation_get(const dmp_file *f, size_t i, size_t k,
                                                   const char **value)
{
    if (!f || !value)
        return DMP_E_INVALID_ARG;
    const struct dmpi_crashpad_module *const m = crashpad_module(f, i);
    if (!m || k >= m->info.list_annotation_count)
        return DMP_E_NOT_FOUND;
    *value = m->list[k];
    return DMP_OK;
}

dmp_status dmp_crashpad_module_simple_annotation_get(const dmp_file *f, size_t i, size_t k,
                                                     const char **key, const char **value)
{
    if (!f || !key || !value)
        return DMP_E_INVALID_ARG;
    const struct dmpi_crashpad_module *const m = crashpad_module(f, i);
    if (!m || k >= m->info.simple_annotation_count)
        return DMP_E_NOT_FOUND;
    *key = m->simple[2 * k];
    *value = m->simple[2 * k + 1];
    return DMP_OK;
}

dmp_status dmp_crashpad_module_annotation_object_get(const dmp_file *f, size_t i, size_t k,
                                                     dmp_crashpad_annotation *out)
{
    if (!f || !out)
        return DMP_E_INVALID_ARG;
    const struct dmpi_crashpad_module *const m = crashpad_module(f, i);
    if (!m || k >= m->info.annotation_object_count)
        return DMP_E_NOT_FOUND;
    *out = m->objects[k];
    return DMP_OK;
}
