/* directory.c - decodes MINIDUMP_HEADER and the MINIDUMP_DIRECTORY it points to.
 * SPDX-License-Identifier: MIT
 *
 * Only the header can fail an open: fewer than 32 bytes, or no "MDMP" signature. The version
 * field is not checked (its high half varies by writer). Directory entries that do not fit
 * in the file are left out, and streams that start or end past EOF are flagged; each case
 * becomes a diagnostic.
 */
#include "internal.h"

#include <stdlib.h>

#define HEADER_SIZE 32
#define DIRECTORY_ENTRY_SIZE 12
#define MDMP_SIGNATURE 0x504d444du /* "MDMP" read little-endian */

static dmp_status parse_header(dmp_file *f, dmp_error *err)
{
    const struct view *v = &f->src.bytes;
    if (v->len < HEADER_SIZE) {
        dmpi_set_error(err, DMP_E_TOO_SHORT, 0,
                       "%llu bytes is shorter than the %d-byte MINIDUMP_HEADER",
                       (unsigned long long)v->len, HEADER_SIZE);
        return DMP_E_TOO_SHORT;
    }
    const uint8_t *p = v->data;
    dmp_header *h = &f->header;
    h->signature = load_u32le(p);
    if (h->signature != MDMP_SIGNATURE) {
        dmpi_set_error(err, DMP_E_BAD_SIGNATURE, 0,
                       "not a minidump: signature %02x %02x %02x %02x is not \"MDMP\"", p[0], p[1],
                       p[2], p[3]);
        return DMP_E_BAD_SIGNATURE;
    }
    h->version = load_u32le(p + 4);
    h->stream_count = load_u32le(p + 8);
    h->directory_rva = load_u32le(p + 12);
    h->checksum = load_u32le(p + 16);
    h->time_date_stamp = load_u32le(p + 20);
    h->flags = load_u64le(p + 24);
    return DMP_OK;
}

/* Checks one entry's bytes against the file; a stream past EOF or clipped is reported. */
static dmp_status place_stream(dmp_file *f, uint32_t index, struct dmpi_stream *s)
{
    const struct view *v = &f->src.bytes;
    s->bytes = view_clip(v, s->rva, s->data_size);
    /* An empty stream may sit at EOF, but not beyond it. */
    const bool past = s->rva > v->len || (s->rva == v->len && s->data_size > 0);
    if (s->bytes.len == s->data_size && !past)
        return DMP_OK;
    s->flags = past ? DMP_STREAM_PAST_EOF : DMP_STREAM_CLIPPED;
    const dmp_diag d = {
        .kind = past ? DMP_DIAG_STREAM_PAST_EOF : DMP_DIAG_STREAM_CLIPPED,
        .stream_index = index,
        .stream_type = s->type,
        .offset = s->rva,
        .size = s->data_size,
        .kept = s->bytes.len,
    };
    return dmpi_diag_push(&f->diags, &d);
}

dmp_status dmpi_directory_parse(dmp_file *f, dmp_error *err)
{
    dmp_status st = parse_header(f, err);
    if (st != DMP_OK)
        return st;
    const struct view *v = &f->src.bytes;
    const uint64_t rva = f->header.directory_rva;
    const uint64_t room = rva < v->len ? (v->len - rva) / DIRECTORY_ENTRY_SIZE : 0;
    const uint64_t count = f->header.stream_count < room ? f->header.stream_count : room;
    if (count < f->header.stream_count) {
        const dmp_diag d = {
            .kind = DMP_DIAG_DIRECTORY_CLIPPED,
            .stream_index = DMP_DIAG_NO_STREAM,
            .offset = rva,
            .count = f->header.stream_count,
            .kept = count,
        };
        if ((st = dmpi_diag_push(&f->diags, &d)) != DMP_OK)
            return st;
    }
    if (count == 0)
        return DMP_OK;
    /* count entries of 12 bytes fit in the file, so this allocation is bounded by its size. */
    f->streams = dmpi_budget_calloc(&f->budget, (size_t)count, sizeof *f->streams);
    if (!f->streams)
        return dmpi_budget_hit(&f->budget) ? DMP_E_TOO_LARGE : DMP_E_NOMEM;
    f->stream_count = (size_t)count;
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *e = v->data + rva + (uint64_t)i * DIRECTORY_ENTRY_SIZE;
        struct dmpi_stream *s = &f->streams[i];
        s->type = load_u32le(e);
        s->data_size = load_u32le(e + 4);
        s->rva = load_u32le(e + 8);
        if ((st = place_stream(f, i, s)) != DMP_OK)
            return st;
    }
    return DMP_OK;
}
