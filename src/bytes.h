/* bytes.h - bounds-checked little-endian loads from a byte view: how src/ reads file bytes.
 * SPDX-License-Identifier: MIT */
#ifndef DMPREAD_BYTES_H
#define DMPREAD_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A borrowed run of bytes. Offsets into it are uint64_t because RVA64s are. */
struct view {
    const uint8_t *data;
    uint64_t len;
};

/* True when [off, off+n) lies inside v. Written so that nothing can wrap. */
static inline bool view_has(const struct view *v, uint64_t off, uint64_t n)
{
    return off <= v->len && n <= v->len - off;
}

/* The sub-view [off, off+n), or false when it does not fit. */
static inline bool view_slice(const struct view *v, uint64_t off, uint64_t n, struct view *out)
{
    if (!view_has(v, off, n))
        return false;
    out->data = v->data + off;
    out->len = n;
    return true;
}

/* The part of [off, off+n) that lies inside v (possibly empty). */
static inline struct view view_clip(const struct view *v, uint64_t off, uint64_t n)
{
    struct view out = {v->data, 0};
    if (off >= v->len)
        return out;
    out.data = v->data + off;
    out.len = n < v->len - off ? n : v->len - off;
    return out;
}

static inline uint16_t load_u16le(const uint8_t *p)
{
    return (uint16_t)(p[0] | (uint16_t)(p[1] << 8));
}

static inline uint32_t load_u32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t load_u64le(const uint8_t *p)
{
    return (uint64_t)load_u32le(p) | (uint64_t)load_u32le(p + 4) << 32;
}

static inline bool view_u16le(const struct view *v, uint64_t off, uint16_t *out)
{
    if (!view_has(v, off, 2))
        return false;
    *out = load_u16le(v->data + off);
    return true;
}

static inline bool view_u32le(const struct view *v, uint64_t off, uint32_t *out)
{
    if (!view_has(v, off, 4))
        return false;
    *out = load_u32le(v->data + off);
    return true;
}

static inline bool view_u64le(const struct view *v, uint64_t off, uint64_t *out)
{
    if (!view_has(v, off, 8))
        return false;
    *out = load_u64le(v->data + off);
    return true;
}

/* *out = a + b, or false when the sum passes 2^64 - 1. */
static inline bool add_u64(uint64_t a, uint64_t b, uint64_t *out)
{
    if (b > UINT64_MAX - a)
        return false;
    *out = a + b;
    return true;
}

#endif /* DMPREAD_BYTES_H */
