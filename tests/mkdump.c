/* mkdump.c - the test-only minidump builder (see mkdump.h).
 * SPDX-License-Identifier: MIT */
#include "mkdump.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEADER_SIZE 32
#define DIR_ENTRY_SIZE 12

struct entry {
    uint32_t type;
    uint32_t size;
    uint32_t rva;
};

struct mkdump {
    uint8_t *data;
    size_t len;
    size_t cap;
    struct entry *entries;
    uint32_t count;
    uint32_t max_streams;
};

static void *xrealloc(void *p, size_t n)
{
    void *const q = realloc(p, n ? n : 1);
    if (!q) {
        fputs("mkdump: out of memory\n", stderr);
        abort();
    }
    return q;
}

static void reserve(struct mkdump *b, size_t more)
{
    if (more <= b->cap - b->len)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < more)
        cap *= 2;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
}

struct mkdump *mkd_new(uint32_t max_streams)
{
    struct mkdump *const b = xrealloc(NULL, sizeof *b);
    memset(b, 0, sizeof *b);
    b->max_streams = max_streams ? max_streams : MKD_DEFAULT_STREAMS;
    b->entries = xrealloc(NULL, b->max_streams * sizeof *b->entries);
    mkd_append(b, NULL, HEADER_SIZE + (size_t)b->max_streams * DIR_ENTRY_SIZE);
    return b;
}

void mkd_free(struct mkdump *b)
{
    if (!b)
        return;
    free(b->data);
    free(b->entries);
    free(b);
}

uint8_t mkd_byte(uint8_t tag, uint64_t addr)
{
    /* Mixes the address so that neighbouring bytes and different tags differ. */
    uint64_t x = addr * 0x9e3779b97f4a7c15u + tag * 0xbf58476d1ce4e5b9u;
    x ^= x >> 31;
    x *= 0x94d049bb133111ebu;
    x ^= x >> 29;
    return (uint8_t)x;
}

uint64_t mkd_append(struct mkdump *b, const void *data, size_t len)
{
    reserve(b, len);
    const uint64_t off = b->len;
    if (data)
        memcpy(b->data + b->len, data, len);
    else
        memset(b->data + b->len, 0, len);
    b->len += len;
    return off;
}

uint64_t mkd_append_payload(struct mkdump *b, uint8_t tag, uint64_t addr, size_t len)
{
    reserve(b, len);
    const uint64_t off = b->len;
    for (size_t i = 0; i < len; i++)
        b->data[b->len + i] = mkd_byte(tag, addr + i);
    b->len += len;
    return off;
}

uint64_t mkd_size(const struct mkdump *b)
{
    return b->len;
}

uint32_t mkd_add_stream(struct mkdump *b, uint32_t type, uint32_t rva, uint32_t size)
{
    if (b->count == b->max_streams) {
        fputs("mkdump: more streams than the builder has room for\n", stderr);
        abort();
    }
    b->entries[b->count] = (struct entry){type, size, rva};
    return b->count++;
}

uint32_t mkd_add_stream_data(struct mkdump *b, uint32_t type, const void *data, size_t len)
{
    const uint64_t rva = mkd_append(b, data, len);
    return mkd_add_stream(b, type, (uint32_t)rva, (uint32_t)len);
}

uint32_t mkd_add_system_info(struct mkdump *b, uint32_t platform, uint16_t arch)
{
    uint8_t rec[56] = {0};
    mkd_store_u16(rec, arch);          /* ProcessorArchitecture */
    mkd_store_u32(rec + 20, platform); /* PlatformId */
    return mkd_add_stream_data(b, 7 /* SystemInfoStream */, rec, sizeof rec);
}

uint32_t mkd_add_assertion(struct mkdump *b, const char *expression, const char *function,
                           const char *file, uint32_t line, uint32_t type)
{
    uint8_t rec[776] = {0};
    const char *const text[] = {expression, function, file};
    for (size_t i = 0; i < 3; i++)
        for (size_t k = 0; k < 127 && text[i][k]; k++)
            mkd_store_u16(rec + 256 * i + 2 * k, (uint8_t)text[i][k]);
    mkd_store_u32(rec + 768, line);
    mkd_store_u32(rec + 772, type);
    return mkd_add_stream_data(b, 0x47670002 /* MD_ASSERTION_INFO_STREAM */, rec, sizeof rec);
}

uint32_t mkd_add_memory_list(struct mkdump *b, const struct mkd_range *r, size_t n, bool padded)
{
    const size_t head = padded ? 8 : 4;
    const size_t list_len = head + 16 * n;
    const uint64_t list_off = mkd_append(b, NULL, list_len);
    mkd_poke_u32(b, list_off, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        uint64_t rva = r[i].rva;
        if (!r[i].explicit_rva)
            rva = mkd_append_payload(b, r[i].tag, r[i].addr, (size_t)r[i].size);
        const uint64_t d = list_off + head + 16 * i;
        mkd_poke_u64(b, d, r[i].addr);
        mkd_poke_u32(b, d + 8, (uint32_t)r[i].size);
        mkd_poke_u32(b, d + 12, (uint32_t)rva);
    }
    return mkd_add_stream(b, 5, (uint32_t)list_off, (uint32_t)list_len);
}

uint32_t mkd_add_memory64_list(struct mkdump *b, const struct mkd_range *r, size_t n)
{
    const size_t list_len = 16 + 16 * n;
    const uint64_t list_off = mkd_append(b, NULL, list_len);
    mkd_poke_u64(b, list_off, n);
    mkd_poke_u64(b, list_off + 8, list_off + list_len);
    for (size_t i = 0; i < n; i++) {
        mkd_poke_u64(b, list_off + 16 + 16 * i, r[i].addr);
        mkd_poke_u64(b, list_off + 24 + 16 * i, r[i].size);
        mkd_append_payload(b, r[i].tag, r[i].addr, (size_t)r[i].size);
    }
    return mkd_add_stream(b, 9, (uint32_t)list_off, (uint32_t)list_len);
}

uint64_t mkd_stream_rva(const struct mkdump *b, uint32_t index)
{
    return b->entries[index].rva;
}

uint64_t mkd_dir_entry_offset(uint32_t index)
{
    return HEADER_SIZE + (uint64_t)index * DIR_ENTRY_SIZE;
}

void mkd_store_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

void mkd_store_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

void mkd_store_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

void mkd_poke_u32(struct mkdump *b, uint64_t off, uint32_t v)
{
    if (off + 4 > b->len)
        abort();
    mkd_store_u32(b->data + off, v);
}

void mkd_poke_u64(struct mkdump *b, uint64_t off, uint64_t v)
{
    if (off + 8 > b->len)
        abort();
    mkd_store_u64(b->data + off, v);
}

const uint8_t *mkd_finish(struct mkdump *b, size_t *len)
{
    uint8_t *const h = b->data;
    mkd_store_u32(h, 0x504d444du); /* "MDMP" */
    mkd_store_u32(h + 4, 0xa793);
    mkd_store_u32(h + 8, b->count);
    mkd_store_u32(h + 12, HEADER_SIZE);
    mkd_store_u32(h + 16, 0);
    mkd_store_u32(h + 20, 0x5f5e1000); /* a fixed TimeDateStamp keeps outputs reproducible */
    mkd_store_u64(h + 24, 0);
    for (uint32_t i = 0; i < b->count; i++) {
        uint8_t *const e = h + mkd_dir_entry_offset(i);
        mkd_store_u32(e, b->entries[i].type);
        mkd_store_u32(e + 4, b->entries[i].size);
        mkd_store_u32(e + 8, b->entries[i].rva);
    }
    *len = b->len;
    return b->data;
}

const uint8_t *mkd_data(const struct mkdump *b, size_t *len)
{
    *len = b->len;
    return b->data;
}

uint8_t *mkd_finish_copy(struct mkdump *b, size_t *len)
{
    const uint8_t *const data = mkd_finish(b, len);
    uint8_t *const copy = xrealloc(NULL, *len);
    memcpy(copy, data, *len);
    return copy;
}

bool mkd_write_file(struct mkdump *b, const char *path)
{
    size_t len;
    const uint8_t *const data = mkd_finish(b, &len);
    FILE *const fp = fopen(path, "wb");
    if (!fp)
        return false;
    const bool ok = fwrite(data, 1, len, fp) == len;
    return fclose(fp) == 0 && ok;
}
