/* linux.c - Breakpad's Linux text streams: /proc copies split into items, maps parsed, auxv names.
 * SPDX-License-Identifier: MIT
 *
 * Breakpad's Linux writer copies files of the crashed process verbatim: /proc/cpuinfo,
 * /proc/PID/status, /etc/lsb-release, /proc/PID/cmdline, /proc/PID/environ and
 * /proc/PID/maps. The bytes are whatever the kernel or the file held, so nothing is assumed
 * of them: items are (offset, length) spans into the stream, found once at open, and an
 * item may hold any byte. Streams are at most 2^32 - 1 bytes (DataSize is a u32), so the
 * spans fit u32s; the index costs 8 bytes per item, and at most DMPI_LINUX_MAX_ITEMS items
 * are kept per stream.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* Items kept per stream: far above real files (the kernel's default vm.max_map_count is
 * 65530 maps; environments run to thousands), and it bounds what a hostile stream of
 * separators costs: 8 bytes an item, plus 64 a maps line. */
#define DMPI_LINUX_MAX_ITEMS ((size_t)1 << 20)

/* The slot in dmpi_triage.linux_text for a stream type, or -1. */
static int text_slot(uint32_t type)
{
    switch (type) {
    case DMP_STREAM_LINUX_CPU_INFO:
        return 0;
    case DMP_STREAM_LINUX_PROC_STATUS:
        return 1;
    case DMP_STREAM_LINUX_LSB_RELEASE:
        return 2;
    case DMP_STREAM_LINUX_CMD_LINE:
        return 3;
    case DMP_STREAM_LINUX_ENVIRON:
        return 4;
    case DMP_STREAM_LINUX_MAPS:
        return 5;
    default:
        return -1;
    }
}

static bool nul_separated(uint32_t type)
{
    return type == DMP_STREAM_LINUX_CMD_LINE || type == DMP_STREAM_LINUX_ENVIRON;
}

/* The number of items in `v`, at most `max`; their (offset, length) pairs go to `spans`
 * unless NULL. *more is set when items past `max` were left out. */
static size_t split_items(const struct view *v, bool nul, uint32_t *spans, size_t max, bool *more)
{
    const uint8_t sep = nul ? 0 : '\n';
    size_t len = (size_t)v->len; /* inside the mapping */
    /* Some writers store a text file as a C string: its terminating NULs are not text. */
    while (!nul && len > 0 && v->data[len - 1] == 0)
        len--;
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && v->data[i] != sep)
            continue;
        /* The end of the bytes closes an item only when one was started: the separator
         * after the last string is a terminator, not the start of an empty item. */
        const bool item = nul ? (i < len || i > start) : i > start;
        if (item && n == max) {
            *more = true;
            break;
        }
        if (item) {
            if (spans) {
                spans[2 * n] = (uint32_t)start;
                spans[2 * n + 1] = (uint32_t)(i - start);
            }
            n++;
        }
        start = i + 1;
    }
    return n;
}

static dmp_status decode_text(dmp_file *f, uint32_t index, bool *used)
{
    const struct dmpi_stream *const s = &f->streams[index];
    if (s->flags & DMP_STREAM_PAST_EOF)
        return DMP_OK; /* the directory reported it; the next one gets its turn */
    struct dmpi_linux_text *const t = &f->triage.linux_text[text_slot(s->type)];
    const bool nul = nul_separated(s->type);
    bool more = false;
    const size_t n = split_items(&s->bytes, nul, NULL, DMPI_LINUX_MAX_ITEMS, &more);
    *used = true;
    t->base = s->bytes.data;
    if (n == 0)
        return DMP_OK;
    t->spans = dmpi_arena_alloc(&f->arena, n * 2 * sizeof *t->spans); /* n is capped */
    if (!t->spans)
        return DMP_E_NOMEM;
    t->count = split_items(&s->bytes, nul, t->spans, n, &more);
    if (!more)
        return DMP_OK;
    return dmpi_malformed(f, index, s->rva + t->spans[2 * n - 2] + t->spans[2 * n - 1] + 1,
                          UINT64_MAX,
                          "Linux text stream has more than 1048576 lines or strings; the "
                          "rest are ignored");
}

/* ---- LinuxMaps ------------------------------------------------------------------------ */

struct cursor {
    const uint8_t *p;
    size_t n;
};

/* A hex number of 1 to 16 digits. */
static bool take_hex(struct cursor *c, uint64_t *out)
{
    uint64_t v = 0;
    size_t k = 0;
    for (; k < c->n && k < 17; k++) {
        const uint8_t ch = c->p[k];
        const int d = ch >= '0' && ch <= '9'   ? ch - '0'
                      : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                      : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                               : -1;
        if (d < 0)
            break;
        v = v << 4 | (uint64_t)d;
    }
    if (k == 0 || k > 16)
        return false;
    c->p += k;
    c->n -= k;
    *out = v;
    return true;
}

static bool take_dec(struct cursor *c, uint64_t *out)
{
    uint64_t v = 0;
    size_t k = 0;
    for (; k < c->n && c->p[k] >= '0' && c->p[k] <= '9'; k++) {
        const uint64_t d = (uint64_t)(c->p[k] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    c->p += k;
    c->n -= k;
    *out = v;
    return k > 0;
}

static bool take_char(struct cursor *c, uint8_t ch)
{
    if (c->n == 0 || c->p[0] != ch)
        return false;
    c->p++;
    c->n--;
    return true;
}

/* One or more spaces (the kernel pads the inode column with several). */
static bool take_spaces(struct cursor *c)
{
    size_t k = 0;
    while (k < c->n && (c->p[k] == ' ' || c->p[k] == '\t'))
        k++;
    c->p += k;
    c->n -= k;
    return k > 0;
}

static bool take_perms(struct cursor *c, char perms[5])
{
    if (c->n < 4)
        return false;
    for (size_t k = 0; k < 4; k++) {
        if (c->p[k] == 0 || !strchr("rwxps-", c->p[k]))
            return false;
        perms[k] = (char)c->p[k];
    }
    perms[4] = '\0';
    c->p += 4;
    c->n -= 4;
    return true;
}

/* "start-end perms offset major:minor inode[ path]"; false when the line is not that. */
static bool parse_map_line(const uint8_t *line, size_t len, dmp_linux_map *m)
{
    struct cursor c = {line, len};
    uint64_t end, major, minor;
    if (!take_hex(&c, &m->base) || !take_char(&c, '-') || !take_hex(&c, &end) || end < m->base)
        return false;
    if (!take_spaces(&c) || !take_perms(&c, m->perms) || !take_spaces(&c))
        return false;
    if (!take_hex(&c, &m->offset) || !take_spaces(&c) || !take_hex(&c, &major))
        return false;
    if (!take_char(&c, ':') || !take_hex(&c, &minor) || !take_spaces(&c))
        return false;
    if (major > UINT32_MAX || minor > UINT32_MAX || !take_dec(&c, &m->inode))
        return false;
    if (c.n > 0 && !take_spaces(&c))
        return false;
    while (c.n > 0 && (c.p[c.n - 1] == ' ' || c.p[c.n - 1] == '\r'))
        c.n--;
    m->size = end - m->base;
    m->dev_major = (uint32_t)major;
    m->dev_minor = (uint32_t)minor;
    m->path = (dmp_text){(const char *)c.p, c.n};
    return true;
}

static dmp_status parse_maps(dmp_file *f)
{
    const struct dmpi_linux_text *const t = &f->triage.linux_text[text_slot(DMP_STREAM_LINUX_MAPS)];
    if (t->count == 0)
        return DMP_OK;
    size_t index = 0;
    if (dmp_stream_find(f, DMP_STREAM_LINUX_MAPS, 0, &index) != DMP_OK)
        return DMP_OK;
    /* The first stream not past EOF is the one split (decode_text). */
    while (f->streams[index].flags & DMP_STREAM_PAST_EOF)
        if (dmp_stream_find(f, DMP_STREAM_LINUX_MAPS, index + 1, &index) != DMP_OK)
            return DMP_OK;
    dmp_linux_map *const maps = dmpi_arena_calloc(&f->arena, t->count, sizeof *maps);
    if (!maps)
        return DMP_E_NOMEM;
    f->triage.linux_maps = maps;
    for (size_t k = 0; k < t->count; k++) {
        const uint32_t off = t->spans[2 * k], len = t->spans[2 * k + 1];
        if (parse_map_line(t->base + off, len, &maps[f->triage.linux_map_count])) {
            f->triage.linux_map_count++;
            continue;
        }
        const dmp_status st = dmpi_malformed(f, (uint32_t)index, f->streams[index].rva + off, k,
                                             "LinuxMaps line is not 'start-end perms offset "
                                             "dev inode [path]'; dropped");
        if (st != DMP_OK)
            return st;
    }
    return DMP_OK;
}

dmp_status dmpi_parse_linux(dmp_file *f)
{
    static const uint32_t types[] = {
        DMP_STREAM_LINUX_CPU_INFO, DMP_STREAM_LINUX_PROC_STATUS, DMP_STREAM_LINUX_LSB_RELEASE,
        DMP_STREAM_LINUX_CMD_LINE, DMP_STREAM_LINUX_ENVIRON,     DMP_STREAM_LINUX_MAPS,
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        const dmp_status st = dmpi_first_usable(
            f, types[i], "a stream of this type came earlier; this one is ignored", decode_text);
        if (st != DMP_OK)
            return st;
    }
    return parse_maps(f);
}

/* ---- Accessors ------------------------------------------------------------------------ */

size_t dmp_linux_item_count(const dmp_file *f, uint32_t type)
{
    const int slot = text_slot(type);
    return f && slot >= 0 ? f->triage.linux_text[slot].count : 0;
}

dmp_status dmp_linux_item_get(const dmp_file *f, uint32_t type, size_t i, dmp_text *out)
{
    const int slot = text_slot(type);
    if (!f || !out || slot < 0)
        return DMP_E_INVALID_ARG;
    const struct dmpi_linux_text *const t = &f->triage.linux_text[slot];
    if (i >= t->count)
        return DMP_E_NOT_FOUND;
    *out = (dmp_text){(const char *)t->base + t->spans[2 * i], t->spans[2 * i + 1]};
    return DMP_OK;
}

static dmp_text trim(const char *p, size_t n)
{
    while (n > 0 && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
        n--;
    return (dmp_text){p, n};
}

dmp_status dmp_linux_field_get(const dmp_file *f, uint32_t type, size_t i, dmp_text *key,
                               dmp_text *value)
{
    const bool lsb = type == DMP_STREAM_LINUX_LSB_RELEASE;
    if (!key || !value ||
        (!lsb && type != DMP_STREAM_LINUX_PROC_STATUS && type != DMP_STREAM_LINUX_CPU_INFO))
        return DMP_E_INVALID_ARG;
    dmp_text item;
    const dmp_status st = dmp_linux_item_get(f, type, i, &item);
    if (st != DMP_OK)
        return st;
    const char *const sep = item.len ? memchr(item.data, lsb ? '=' : ':', item.len) : NULL;
    if (!sep)
        return DMP_E_NOT_FOUND;
    const size_t at = (size_t)(sep - item.data);
    dmp_text v = trim(sep + 1, item.len - at - 1);
    if (lsb && v.len >= 2 && (v.data[0] == '"' || v.data[0] == '\'') &&
        v.data[v.len - 1] == v.data[0])
        v = (dmp_text){v.data + 1, v.len - 2};
    *key = trim(item.data, at);
    *value = v;
    return DMP_OK;
}

dmp_status dmp_linux_field_find(const dmp_file *f, uint32_t type, const char *key, dmp_text *value)
{
    if (!f || !key || !value)
        return DMP_E_INVALID_ARG;
    const size_t n = dmp_linux_item_count(f, type);
    const size_t klen = strlen(key);
    for (size_t i = 0; i < n; i++) {
        dmp_text k, v;
        const dmp_status st = dmp_linux_field_get(f, type, i, &k, &v);
        if (st == DMP_E_INVALID_ARG)
            return st;
        if (st == DMP_OK && k.len == klen && memcmp(k.data, key, klen) == 0) {
            *value = v;
            return DMP_OK;
        }
    }
    dmp_text k, v;
    return dmp_linux_field_get(f, type, 0, &k, &v) == DMP_E_INVALID_ARG ? DMP_E_INVALID_ARG
                                                                        : DMP_E_NOT_FOUND;
}

size_t dmp_linux_map_count(const dmp_file *f)
{
    return f ? f->triage.linux_map_count : 0;
}

dmp_status dmp_linux_map_get(const dmp_file *f, size_t i, dmp_linux_map *out)
{
    if (!f || !out)
        return DMP_E_INVALID_ARG;
    if (i >= f->triage.linux_map_count)
        return DMP_E_NOT_FOUND;
    *out = f->triage.linux_maps[i];
    return DMP_OK;
}

const char *dmp_auxv_type_name(uint64_t type)
{
    /* Linux's include/uapi/linux/auxvec.h and the arch headers' AT_* numbers. */
    static const char *const names[] = {
        [0] = "AT_NULL",
        [1] = "AT_IGNORE",
        [2] = "AT_EXECFD",
        [3] = "AT_PHDR",
        [4] = "AT_PHENT",
        [5] = "AT_PHNUM",
        [6] = "AT_PAGESZ",
        [7] = "AT_BASE",
        [8] = "AT_FLAGS",
        [9] = "AT_ENTRY",
        [10] = "AT_NOTELF",
        [11] = "AT_UID",
        [12] = "AT_EUID",
        [13] = "AT_GID",
        [14] = "AT_EGID",
        [15] = "AT_PLATFORM",
        [16] = "AT_HWCAP",
        [17] = "AT_CLKTCK",
        [18] = "AT_FPUCW",
        [19] = "AT_DCACHEBSIZE",
        [20] = "AT_ICACHEBSIZE",
        [21] = "AT_UCACHEBSIZE",
        [22] = "AT_IGNOREPPC",
        [23] = "AT_SECURE",
        [24] = "AT_BASE_PLATFORM",
        [25] = "AT_RANDOM",
        [26] = "AT_HWCAP2",
        [27] = "AT_RSEQ_FEATURE_SIZE",
        [28] = "AT_RSEQ_ALIGN",
        [29] = "AT_HWCAP3",
        [30] = "AT_HWCAP4",
        [31] = "AT_EXECFN",
        [32] = "AT_SYSINFO",
        [33] = "AT_SYSINFO_EHDR",
        [34] = "AT_L1I_CACHESHAPE",
        [35] = "AT_L1D_CACHESHAPE",
        [36] = "AT_L2_CACHESHAPE",
        [37] = "AT_L3_CACHESHAPE",
        [40] = "AT_L1I_CACHESIZE",
        [41] = "AT_L1I_CACHEGEOMETRY",
        [42] = "AT_L1D_CACHESIZE",
        [43] = "AT_L1D_CACHEGEOMETRY",
        [44] = "AT_L2_CACHESIZE",
        [45] = "AT_L2_CACHEGEOMETRY",
        [46] = "AT_L3_CACHESIZE",
        [47] = "AT_L3_CACHEGEOMETRY",
        [51] = "AT_MINSIGSTKSZ",
    };
    return type < sizeof names / sizeof names[0] ? names[type] : NULL;
}
