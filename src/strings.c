/* strings.c - the dump's string arena, and UTF-16LE, MINIDUMP_STRING and MinidumpUTF8String to
 * UTF-8.
 * SPDX-License-Identifier: MIT
 *
 * Strings are converted once, at open, and handed out as const char * into chunks that live
 * until dmp_close: an open dump never changes, so readers on many threads need no locks.
 *
 * The budget: list entries name their strings by RVA, so a hostile dump can point thousands
 * of entries at one large string and make the arena grow with the square of the file's size.
 * All the strings of a dump together may therefore take at most twice the file's size (plus
 * 64 KiB) of source bytes. Honest writers store each string once, far below that; past it a
 * string is left empty, and the first refusal in each stream is reported.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define CHUNK_MIN 4096
#define ALIGN 8
#define REPLACEMENT 0xfffdu
#define BUDGET_SLACK ((uint64_t)64 << 10)

struct dmpi_chunk {
    struct dmpi_chunk *next;
    size_t used;
    size_t cap;
    _Alignas(ALIGN) unsigned char data[];
};

void *dmpi_arena_alloc(struct dmpi_arena *a, size_t size)
{
    if (size > SIZE_MAX / 2)
        return NULL;
    size = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    struct dmpi_chunk *const head = a->head;
    if (head && head->cap - head->used >= size) {
        void *const p = head->data + head->used;
        head->used += size;
        return p;
    }
    const size_t cap = size > CHUNK_MIN ? size : CHUNK_MIN;
    struct dmpi_chunk *const c = dmpi_budget_malloc(a->budget, sizeof *c + cap);
    if (!c)
        return NULL;
    c->used = size;
    c->cap = cap;
    /* A block larger than a chunk fills its own, which goes behind the head so that the
     * head's room stays in use for the small strings after it. */
    if (head && cap > CHUNK_MIN) {
        c->next = head->next;
        head->next = c;
    } else {
        c->next = head;
        a->head = c;
    }
    return c->data;
}

void *dmpi_arena_calloc(struct dmpi_arena *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / 2 / size)
        return NULL;
    void *const p = dmpi_arena_alloc(a, n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

void dmpi_arena_free(struct dmpi_arena *a)
{
    for (struct dmpi_chunk *c = a->head, *next; c; c = next) {
        next = c->next;
        dmpi_budget_free(a->budget, c, sizeof *c + c->cap);
    }
    a->head = NULL;
}

static size_t put_utf8(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes) and its code point, or 0. */
static size_t utf8_sequence(const uint8_t *s, size_t n, uint32_t *cp)
{
    const uint8_t b = s[0];
    size_t len;
    uint32_t min;
    if (b < 0x80) {
        *cp = b;
        return 1;
    } else if ((b & 0xe0) == 0xc0) {
        len = 2, min = 0x80, *cp = b & 0x1fu;
    } else if ((b & 0xf0) == 0xe0) {
        len = 3, min = 0x800, *cp = b & 0x0fu;
    } else if ((b & 0xf8) == 0xf0) {
        len = 4, min = 0x10000, *cp = b & 0x07u;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        *cp = *cp << 6 | (s[i] & 0x3fu);
    }
    /* Overlong forms, surrogates and code points past U+10FFFF are not UTF-8. */
    if (*cp < min || (*cp >= 0xd800 && *cp <= 0xdfff) || *cp > 0x10ffff)
        return 0;
    return len;
}

const char *dmpi_utf8_dup(struct dmpi_arena *a, const uint8_t *s, size_t len)
{
    /* Each input byte yields at most 3 output bytes (a lone bad byte becomes U+FFFD). */
    if (len > (SIZE_MAX - 1) / 3)
        return NULL;
    char *const out = dmpi_arena_alloc(a, 3 * len + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        const size_t n = utf8_sequence(s + i, len - i, &cp);
        if (n == 0) {
            o += put_utf8(out + o, REPLACEMENT);
            i++;
        } else {
            memcpy(out + o, s + i, n);
            o += n;
            i += n;
        }
    }
    out[o] = '\0';
    return out;
}

const char *dmpi_utf16_dup(struct dmpi_arena *a, const uint8_t *s, size_t len, bool stop_at_nul)
{
    const size_t units = len / 2;
    /* A unit yields at most 3 bytes; a surrogate pair (2 units) yields 4. */
    if (units > (SIZE_MAX - 1) / 3)
        return NULL;
    char *const out = dmpi_arena_alloc(a, 3 * units + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < units; i++) {
        uint32_t cp = load_u16le(s + 2 * i);
        if (cp == 0 && stop_at_nul)
            break;
        if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < units) {
            const uint32_t lo = load_u16le(s + 2 * (i + 1));
            if (lo >= 0xdc00 && lo <= 0xdfff) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                i++;
            }
        }
        if (cp >= 0xd800 && cp <= 0xdfff)
            cp = REPLACEMENT; /* unpaired */
        o += put_utf8(out + o, cp);
    }
    out[o] = '\0';
    return out;
}

void dmpi_strings_init(dmp_file *f)
{
    const uint64_t len = f->src.bytes.len;
    f->strings.left = len > (UINT64_MAX - BUDGET_SLACK) / 2 ? UINT64_MAX : 2 * len + BUDGET_SLACK;
    f->strings.refused = false;
}

dmp_status dmpi_string_charge(dmp_file *f, uint32_t stream, uint64_t offset, uint64_t bytes,
                              bool *granted)
{
    struct dmpi_string_budget *const b = &f->strings;
    *granted = bytes <= b->left;
    if (*granted) {
        b->left -= bytes;
        return DMP_OK;
    }
    if (b->refused && b->refused_stream == stream)
        return DMP_OK;
    b->refused = true;
    b->refused_stream = stream;
    return dmpi_malformed(f, stream, offset, UINT64_MAX,
                          "the dump's strings add up to more than twice the file's size; "
                          "this string and the stream's later ones are left empty");
}

dmp_status dmpi_minidump_string(dmp_file *f, uint32_t stream, uint64_t rva, const char **out)
{
    const struct view *v = &f->src.bytes;
    uint32_t len;
    dmp_status st = DMP_OK;
    *out = "";
    if (!view_u32le(v, rva, &len))
        return dmpi_malformed(f, stream, rva, UINT64_MAX,
                              "MINIDUMP_STRING starts past the end of the file");
    uint64_t have = v->len - (rva + 4);
    if (len > have)
        st = dmpi_malformed(f, stream, rva, UINT64_MAX,
                            "MINIDUMP_STRING runs past the end of the file; cut there");
    else if (len % 2 != 0)
        st = dmpi_malformed(f, stream, rva, UINT64_MAX,
                            "MINIDUMP_STRING has an odd byte length; last byte dropped");
    if (st != DMP_OK)
        return st;
    if (len < have)
        have = len;
    bool granted;
    if ((st = dmpi_string_charge(f, stream, rva, have, &granted)) != DMP_OK || !granted)
        return st;
    *out = dmpi_utf16_dup(&f->arena, v->data + rva + 4, (size_t)have, false);
    return *out ? DMP_OK : DMP_E_NOMEM;
}

dmp_status dmpi_utf8_string(dmp_file *f, uint32_t stream, uint64_t rva, const char **out)
{
    const struct view *const file = &f->src.bytes;
    uint32_t len;
    *out = "";
    if (!view_u32le(file, rva, &len))
        return dmpi_malformed(f, stream, rva, UINT64_MAX,
                              "MinidumpUTF8String starts past the end of the file");
    const struct view text = view_clip(file, rva + 4, len);
    if (text.len < len) {
        const dmp_status st =
            dmpi_malformed(f, stream, rva, UINT64_MAX,
                           "MinidumpUTF8String runs past the end of the file; cut there");
        if (st != DMP_OK)
            return st;
    }
    bool granted;
    const dmp_status st = dmpi_string_charge(f, stream, rva, text.len, &granted);
    if (st != DMP_OK || !granted)
        return st;
    *out = dmpi_utf8_dup(&f->arena, text.data, (size_t)text.len);
    return *out ? DMP_OK : DMP_E_NOMEM;
}
