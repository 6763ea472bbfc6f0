/* extras.c - the comment streams and the Breakpad and Linux extension streams.
 * SPDX-License-Identifier: MIT
 *
 * CommentStreamA/W are text as written (W preferred when both are there). BreakpadInfo is a
 * fixed record. LinuxAuxv and LinuxDsoDebug hold native words of the crashed process:
 * Breakpad wrote them with the client's own `long` and pointer types, so their size is
 * the word size of SystemInfo's architecture (4 on 32-bit x86, ARM, MIPS, PPC, SPARC,
 * RISC-V; else 8). MDRawDebug64 and MDRawLinkMap64 have the natural alignment of an LP64
 * compiler: padding after dso_count and after the name RVA. (CrashpadInfo is crashpad.c's.)
 *
 * The first sound stream of each type is used; later ones are reported and ignored.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define BREAKPAD_INFO_SIZE 12 /* MDRawBreakpadInfo */
#define DEBUG32_SIZE 24       /* MDRawDebug32 */
#define DEBUG64_SIZE 40       /* MDRawDebug64 */
#define LINK_MAP32_SIZE 12    /* MDRawLinkMap32 */
#define LINK_MAP64_SIZE 24    /* MDRawLinkMap64 */

static bool stream_is_ignored(dmp_file *f, uint32_t index, bool done, dmp_status *st)
{
    if (!done)
        return false;
    *st = dmpi_malformed(f, index, f->streams[index].rva, UINT64_MAX,
                         "a stream of this type came earlier; this one is ignored");
    return true;
}

/* ---- Comments ---------------------------------------------------------------------------- */

static dmp_status decode_comment(dmp_file *f, uint32_t index, const char **out)
{
    const struct dmpi_stream *const s = &f->streams[index];
    const struct view *const v = &s->bytes;
    if (s->flags & DMP_STREAM_PAST_EOF)
        return dmpi_malformed(f, index, s->rva, UINT64_MAX,
                              "comment stream lies past the end of the file");
    const size_t len = (size_t)v->len; /* inside the mapping */
    if (s->type == DMP_STREAM_COMMENT_W) {
        *out = dmpi_utf16_dup(&f->arena, v->data, len, true);
        if (*out && len % 2 != 0)
            return dmpi_malformed(f, index, s->rva, UINT64_MAX,
                                  "CommentStreamW has an odd byte length; last byte dropped");
    } else {
        /* Text up to the first NUL: writers include the terminator in DataSize. */
        const uint8_t *const nul = len ? memchr(v->data, 0, len) : NULL;
        *out = dmpi_utf8_dup(&f->arena, v->data, nul ? (size_t)(nul - v->data) : len);
    }
    return *out ? DMP_OK : DMP_E_NOMEM;
}

static dmp_status parse_comments(dmp_file *f)
{
    const char *text[2] = {NULL, NULL}; /* A, W */
    bool seen = false;
    for (size_t i = 0; i < f->stream_count; i++) {
        const uint32_t type = f->streams[i].type;
        if (type != DMP_STREAM_COMMENT_A && type != DMP_STREAM_COMMENT_W)
            continue;
        const uint32_t index = (uint32_t)i; /* the directory's count is a u32 */
        const int w = type == DMP_STREAM_COMMENT_W;
        dmp_status st = DMP_OK;
        seen = true;
        if (!stream_is_ignored(f, index, text[w] != NULL, &st))
            st = decode_comment(f, index, &text[w]);
        if (st != DMP_OK)
            return st;
    }
    struct dmpi_triage *const t = &f->triage;
    t->comment = text[1] ? text[1] : text[0];
    t->comment_status = t->comment ? DMP_OK : seen ? DMP_E_MALFORMED : DMP_E_ABSENT;
    return DMP_OK;
}

dmp_status dmp_get_comment(const dmp_file *f, const char **utf8)
{
    if (!f || !utf8)
        return DMP_E_INVALID_ARG;
    if (f->triage.comment_status == DMP_OK)
        *utf8 = f->triage.comment;
    return f->triage.comment_status;
}

/* ---- BreakpadInfo -------------------------------------------------------------------- */

static dmp_status decode_breakpad_info(dmp_file *f, uint32_t index, bool *used)
{
    const struct dmpi_stream *const s = &f->streams[index];
    struct dmpi_triage *const t = &f->triage;
    if (s->bytes.len < BREAKPAD_INFO_SIZE) {
        t->breakpad_status = DMP_E_MALFORMED;
        return dmpi_malformed(f, index, s->rva, UINT64_MAX,
                              "BreakpadInfoStream is shorter than MDRawBreakpadInfo (12 bytes)");
    }
    t->breakpad.validity = load_u32le(s->bytes.data);
    t->breakpad.dump_thread_id = load_u32le(s->bytes.data + 4);
    t->breakpad.requesting_thread_id = load_u32le(s->bytes.data + 8);
    t->breakpad_status = DMP_OK;
    *used = true;
    return DMP_OK;
}

static dmp_status parse_breakpad_info(dmp_file *f)
{
    return dmpi_first_usable(f, DMP_STREAM_BREAKPAD_INFO,
                             "a stream of this type came earlier; this one is ignored",
                             decode_breakpad_info);
}

dmp_status dmp_get_breakpad_info(const dmp_file *f, dmp_breakpad_info *out)
{
    if (!f || !out)
        return DMP_E_INVALID_ARG;
    if (f->triage.breakpad_status == DMP_OK)
        *out = f->triage.breakpad;
    return f->triage.breakpad_status;
}

/* ---- LinuxAuxv and LinuxDsoDebug ---------------------------------------------------------- */

/* The crashed process's word size, from SystemInfo; 8 when there is none. */
static uint32_t native_word(const dmp_file *f)
{
    if (f->triage.system_status != DMP_OK)
        return 8;
    switch (f->triage.system.arch) {
    case DMP_ARCH_X86:
    case DMP_ARCH_MIPS:
    case DMP_ARCH_PPC:
    case DMP_ARCH_ARM:
    case DMP_ARCH_X86_ON_WIN64:
    case DMP_ARCH_SPARC:
    case DMP_ARCH_RISCV:
        return 4;
    default:
        return 8;
    }
}

static uint64_t load_word(const uint8_t *p, uint32_t word)
{
    return word == 4 ? load_u32le(p) : load_u64le(p);
}

static dmp_status decode_auxv(dmp_file *f, uint32_t index, bool *used)
{
    const struct dmpi_stream *const s = &f->streams[index];
    struct dmpi_triage *const t = &f->triage;
    if (s->flags & DMP_STREAM_PAST_EOF)
        return DMP_OK; /* the directory reported it; the next one gets its turn */
    const uint32_t pair = 2 * native_word(f);
    t->auxv_word = pair / 2;
    t->auxv_count = (size_t)(s->bytes.len / pair);
    t->auxv = view_clip(&s->bytes, 0, (uint64_t)t->auxv_count * pair);
    *used = true;
    if (s->bytes.len % pair != 0)
        return dmpi_malformed(f, index, s->rva, UINT64_MAX,
                              "LinuxAuxv ends in a partial (type, value) pair; ignored");
    return DMP_OK;
}

static dmp_status parse_auxv(dmp_file *f)
{
    return dmpi_first_usable(f, DMP_STREAM_LINUX_AUXV,
                             "a stream of this type came earlier; this one is ignored",
                             decode_auxv);
}

size_t dmp_auxv_count(const dmp_file *f)
{
    return f ? f->triage.auxv_count : 0;
}

dmp_status dmp_auxv_get(const dmp_file *f, size_t i, uint64_t *type, uint64_t *value)
{
    if (!f || !type || !value)
        return DMP_E_INVALID_ARG;
    const struct dmpi_triage *const t = &f->triage;
    if (i >= t->auxv_count)
        return DMP_E_NOT_FOUND;
    const uint8_t *const p = t->auxv.data + (uint64_t)i * 2 * t->auxv_word;
    *type = load_word(p, t->auxv_word);
    *value = load_word(p + t->auxv_word, t->auxv_word);
    return DMP_OK;
}

/* A MINIDUMP_STRING referenced by an entry of a list (within the dump's string budget). An
 * RVA of 0 means the writer had none. */
static dmp_status list_string(dmp_file *f, uint32_t index, uint32_t rva, const char **out)
{
    *out = "";
    return rva == 0 ? DMP_OK : dmpi_minidump_string(f, index, rva, out);
}

/* Where MDRawDebug's link maps are, for the word size. */
struct dso_layout {
    uint32_t header_size;
    uint32_t entry_size;
    uint32_t word;
};

static dmp_status decode_dso_entries(dmp_file *f, uint32_t index, const struct dso_layout *l,
                                     uint32_t map, uint64_t count)
{
    struct dmpi_triage *const t = &f->triage;
    dmp_linux_dso *const dsos = dmpi_arena_calloc(&f->arena, (size_t)count, sizeof *dsos);
    if (!dsos)
        return DMP_E_NOMEM;
    t->dsos = dsos;
    for (uint64_t k = 0; k < count; k++) {
        const uint8_t *const p = f->src.bytes.data + map + k * l->entry_size;
        dmp_linux_dso *const d = &dsos[k];
        d->addr = load_word(p, l->word);
        /* MDRawLinkMap64 pads the u32 name RVA to 8 bytes before ld. */
        d->ld = load_word(p + (l->word == 4 ? 8 : 16), l->word);
        const dmp_status st = list_string(f, index, load_u32le(p + l->word), &d->name);
        if (st != DMP_OK)
            return st;
        t->dso_count++;
    }
    return DMP_OK;
}

static dmp_status decode_dso_debug(dmp_file *f, uint32_t index)
{
    const struct dmpi_stream *const s = &f->streams[index];
    const uint32_t word = native_word(f);
    const struct dso_layout l = {word == 4 ? DEBUG32_SIZE : DEBUG64_SIZE,
                                 word == 4 ? LINK_MAP32_SIZE : LINK_MAP64_SIZE, word};
    if (s->bytes.len < l.header_size) {
        if (f->triage.linux_debug_status == DMP_E_ABSENT)
            f->triage.linux_debug_status = DMP_E_MALFORMED;
        return dmpi_malformed(f, index, s->rva, UINT64_MAX,
                              "LinuxDsoDebug is shorter than MDRawDebug for its word size");
    }
    const uint32_t map = load_u32le(s->bytes.data + 4);
    const uint32_t claimed = load_u32le(s->bytes.data + 8);
    /* MDRawDebug: version, map, dso_count (u32 each; padded to 8 in the 64-bit form), then
     * brk, ldbase and dynamic as native words. */
    struct dmpi_triage *const t = &f->triage;
    const uint8_t *const w = s->bytes.data + (word == 4 ? 12 : 16);
    dmp_linux_debug *const d = &t->linux_debug;
    d->version = load_u32le(s->bytes.data);
    d->map_rva = map;
    d->dso_count = claimed;
    d->brk = load_word(w, word);
    d->ldbase = load_word(w + word, word);
    d->dynamic = load_word(w + 2 * word, word);
    t->linux_debug_status = DMP_OK;
    const uint64_t file_len = f->src.bytes.len;
    /* The link maps lie elsewhere in the file; RVA 0 would be the header. */
    const uint64_t room = map != 0 && map <= file_len ? (file_len - map) / l.entry_size : 0;
    const uint64_t count = claimed < room ? claimed : room;
    if (count < claimed) {
        const dmp_status st = dmpi_malformed(f, index, s->rva + 4, UINT64_MAX,
                                             "LinuxDsoDebug's link maps run past the end of "
                                             "the file; those inside are used");
        if (st != DMP_OK)
            return st;
    }
    return count ? decode_dso_entries(f, index, &l, map, count) : DMP_OK;
}

/* The first stream long enough for MDRawDebug is used, even if its link maps are damaged. */
static dmp_status dso_debug_stream(dmp_file *f, uint32_t index, bool *used)
{
    *used = f->streams[index].bytes.len >= (native_word(f) == 4 ? DEBUG32_SIZE : DEBUG64_SIZE);
    return decode_dso_debug(f, index);
}

static dmp_status parse_dso_debug(dmp_file *f)
{
    return dmpi_first_usable(f, DMP_STREAM_LINUX_DSO_DEBUG,
                             "a stream of this type came earlier; this one is ignored",
                             dso_debug_stream);
}

dmp_status dmp_get_linux_debug(const dmp_file *f, dmp_linux_debug *out)
{
    if (!f || !out)
        return DMP_E_INVALID_ARG;
    if (f->triage.linux_debug_status == DMP_OK)
        *out = f->triage.linux_debug;
    return f->triage.linux_debug_status;
}

size_t dmp_linux_dso_count(const dmp_file *f)
{
    return f ? f->triage.dso_count : 0;
}

dmp_status dmp_linux_dso_get(const dmp_file *f, size_t i, dmp_linux_dso *out)
{
    if (!f || !out)
        return DMP_E_INVALID_ARG;
    if (i >= f->triage.dso_count)
        return DMP_E_NOT_FOUND;
    *out = f->triage.dsos[i];
    return DMP_OK;
}

/* ---- All of them --------------------------------------------------------------------- */

dmp_status dmpi_parse_extras(dmp_file *f)
{
    dmp_status (*const parsers[])(dmp_file *) = {
        parse_comments,
        parse_breakpad_info,
        parse_auxv,
        parse_dso_debug,
    };
    for (size_t i = 0; i < sizeof parsers / sizeof parsers[0]; i++) {
        const dmp_status st = parsers[i](f);
        if (st != DMP_OK)
            return st;
    }
    return DMP_OK;
}
