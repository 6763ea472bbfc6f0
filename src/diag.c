/* diag.c - the list of diagnostics found while opening, and their one-line descriptions.
 * SPDX-License-Identifier: MIT */
#include "internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* Kinds that describe a run of descriptors dropped or ignored for the same reason; a run of
 * millions (a Memory64List past EOF) is one diagnostic, not millions. */
static bool kind_merges(dmp_diag_kind kind)
{
    return kind == DMP_DIAG_RANGE_PAST_EOF || kind == DMP_DIAG_ADDR_OVERFLOW ||
           kind == DMP_DIAG_OFFSET_OVERFLOW || kind == DMP_DIAG_ZERO_SIZE;
}

dmp_status dmpi_diag_push(struct dmpi_diags *diags, const dmp_diag *d)
{
    if (diags->count > 0 && kind_merges(d->kind)) {
        dmp_diag *const last = &diags->items[diags->count - 1];
        if (last->kind == d->kind && last->stream_index == d->stream_index &&
            last->descriptor + last->count == d->descriptor) {
            last->count++;
            return DMP_OK;
        }
    }
    const unsigned k = (unsigned)d->kind < DMPI_DIAG_KINDS ? (unsigned)d->kind : 0;
    if (diags->kept[k] >= DMP_DIAG_MAX_PER_KIND) {
        diags->suppressed[k]++;
        return DMP_OK;
    }
    if (diags->count == diags->cap) {
        const size_t cap = diags->cap ? diags->cap * 2 : 8;
        dmp_diag *const items = realloc(diags->items, cap * sizeof *items);
        if (!items)
            return DMP_E_NOMEM;
        dmpi_budget_force(diags->budget,
                          dmpi_budget_cost(cap * sizeof *items) -
                              (diags->cap ? dmpi_budget_cost(diags->cap * sizeof *items) : 0));
        diags->items = items;
        diags->cap = cap;
    }
    diags->items[diags->count] = *d;
    if (kind_merges(d->kind))
        diags->items[diags->count].count = 1;
    diags->count++;
    diags->kept[k]++;
    return DMP_OK;
}

dmp_status dmpi_diag_finish(struct dmpi_diags *diags)
{
    for (unsigned k = 0; k < DMPI_DIAG_KINDS; k++) {
        if (!diags->suppressed[k])
            continue;
        const dmp_diag d = {.kind = DMP_DIAG_SUPPRESSED,
                            .stream_index = DMP_DIAG_NO_STREAM,
                            .count = diags->suppressed[k],
                            .kept = diags->kept[k],
                            .detail = dmp_diag_kind_name((dmp_diag_kind)k)};
        diags->kept[DMP_DIAG_SUPPRESSED] = 0; /* the summaries themselves are never capped */
        const dmp_status st = dmpi_diag_push(diags, &d);
        if (st != DMP_OK)
            return st;
    }
    return DMP_OK;
}

void dmpi_diag_free(struct dmpi_diags *diags)
{
    dmpi_budget_free(diags->budget, diags->items, diags->cap * sizeof *diags->items);
    diags->items = NULL;
    diags->count = diags->cap = 0;
}

void dmpi_set_error(dmp_error *err, dmp_status status, uint64_t offset, const char *fmt, ...)
{
    if (!err)
        return;
    err->status = status;
    err->offset = offset;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

const char *dmp_diag_kind_name(dmp_diag_kind kind)
{
    switch (kind) {
    case DMP_DIAG_DIRECTORY_CLIPPED:
        return "directory-clipped";
    case DMP_DIAG_STREAM_PAST_EOF:
        return "stream-past-eof";
    case DMP_DIAG_STREAM_CLIPPED:
        return "stream-clipped";
    case DMP_DIAG_LIST_TOO_SMALL:
        return "list-too-small";
    case DMP_DIAG_COUNT_CLIPPED:
        return "count-clipped";
    case DMP_DIAG_RANGE_TRUNCATED:
        return "range-truncated";
    case DMP_DIAG_RANGE_PAST_EOF:
        return "range-past-eof";
    case DMP_DIAG_ADDR_OVERFLOW:
        return "address-overflow";
    case DMP_DIAG_OFFSET_OVERFLOW:
        return "offset-overflow";
    case DMP_DIAG_OVERLAP:
        return "overlap";
    case DMP_DIAG_ZERO_SIZE:
        return "zero-size";
    case DMP_DIAG_RECORDS_REUSED:
        return "records-reused";
    case DMP_DIAG_MALFORMED:
        return "malformed";
    case DMP_DIAG_SUPPRESSED:
        return "suppressed";
    case DMP_DIAG_GZIP_CUT:
        return "gzip-cut";
    case DMP_DIAG_BUDGET:
        return "budget";
    }
    return "unknown";
}

/* A bounded appender over snprintf that keeps the total length it would have needed. */
struct out {
    char *buf;
    size_t cap;
    size_t len;
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
put(struct out *o, const char *fmt, ...)
{
    char *const at = o->len < o->cap ? o->buf + o->len : NULL;
    const size_t room = o->len < o->cap ? o->cap - o->len : 0;
    va_list ap;
    va_start(ap, fmt);
    const int n = vsnprintf(at, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n;
}

/* "descriptor 3" or "descriptors 3..9" */
static void put_descriptors(struct out *o, const dmp_diag *d)
{
    if (d->count > 1)
        put(o, "descriptors %" PRIu64 "..%" PRIu64, d->descriptor, d->descriptor + d->count - 1);
    else
        put(o, "descriptor %" PRIu64, d->descriptor);
}

static void put_body(struct out *o, const dmp_diag *d)
{
    switch (d->kind) {
    case DMP_DIAG_DIRECTORY_CLIPPED:
        put(o, "directory of %" PRIu64 " entries holds only %" PRIu64 " inside the file", d->count,
            d->kept);
        return;
    case DMP_DIAG_STREAM_PAST_EOF:
        put(o, "%" PRIu64 "-byte stream starts past the end of the file; skipped", d->size);
        return;
    case DMP_DIAG_STREAM_CLIPPED:
        put(o, "%" PRIu64 "-byte stream runs past the end of the file; %" PRIu64 " bytes used",
            d->size, d->kept);
        return;
    case DMP_DIAG_LIST_TOO_SMALL:
        put(o, "%" PRIu64 " bytes cannot hold the list's header; no memory taken", d->size);
        return;
    case DMP_DIAG_RECORDS_REUSED:
        put(o,
            "descriptor records reuse bytes of earlier lists: the file has room for no more; "
            "%" PRIu64 " of %" PRIu64 " used",
            d->kept, d->count);
        return;
    case DMP_DIAG_COUNT_CLIPPED:
        put(o, "%" PRIu64 " descriptors do not fit in %" PRIu64 " bytes; %" PRIu64 " used",
            d->count, d->size, d->kept);
        return;
    case DMP_DIAG_MALFORMED:
        put(o, "%s", d->detail ? d->detail : "malformed");
        if (d->count > 0)
            put(o, " (entry %" PRIu64 ")", d->descriptor);
        return;
    case DMP_DIAG_OVERLAP:
    case DMP_DIAG_RANGE_TRUNCATED:
        put_descriptors(o, d);
        put(o, " [0x%" PRIx64 ", +0x%" PRIx64 ")", d->addr, d->size);
        if (d->kind == DMP_DIAG_OVERLAP && d->kept == 0)
            put(o, " is wholly covered by earlier descriptors; none of its bytes used");
        else if (d->kind == DMP_DIAG_OVERLAP)
            put(o, " overlaps earlier descriptors; the %" PRIu64 " bytes they lack used", d->kept);
        else
            put(o, " runs past the end of the file; %" PRIu64 " bytes kept", d->kept);
        return;
    default:
        break;
    }
    put_descriptors(o, d);
    const bool one = d->count <= 1;
    switch (d->kind) {
    case DMP_DIAG_RANGE_PAST_EOF:
        put(o, " %s at or past the end of the file; dropped", one ? "starts" : "start");
        break;
    case DMP_DIAG_ADDR_OVERFLOW:
        put(o, " %s past address 2^64 (%s0x%" PRIx64 " +0x%" PRIx64 "); dropped",
            one ? "ends" : "end", one ? "" : "first at ", d->addr, d->size);
        break;
    case DMP_DIAG_OFFSET_OVERFLOW:
        put(o, " %s past 2^64; dropped", one ? "has a file offset" : "have file offsets");
        break;
    case DMP_DIAG_ZERO_SIZE:
        put(o, " %s size 0; ignored", one ? "has" : "have");
        break;
    default:
        put(o, " (unknown diagnostic)");
        break;
    }
}

size_t dmp_diag_format(const dmp_diag *d, char *buf, size_t cap)
{
    struct out o = {buf, cap, 0};
    if (cap > 0)
        buf[0] = '\0';
    if (!d)
        return 0;
    if (d->kind == DMP_DIAG_GZIP_CUT) {
        put(&o,
            "gzip input at 0x%" PRIx64 ": the compressed data ends early; the %" PRIu64
            " bytes inflated before it are the dump, the rest of it is missing",
            d->offset, d->kept);
        return o.len;
    }
    if (d->kind == DMP_DIAG_BUDGET) {
        put(&o,
            "the allocation budget of %" PRIu64 " bytes (%" PRIu64
            " in use) has no room for the %s; left out",
            d->size, d->kept, d->detail ? d->detail : "?");
        return o.len;
    }
    if (d->kind == DMP_DIAG_SUPPRESSED) {
        put(&o, "%" PRIu64 " more %s diagnostics not kept (the first %" PRIu64 " are)", d->count,
            d->detail ? d->detail : "?", d->kept);
        return o.len;
    }
    if (d->stream_index == DMP_DIAG_NO_STREAM) {
        put(&o, "directory at 0x%" PRIx64 ": ", d->offset);
    } else {
        const char *const name = dmp_stream_type_name(d->stream_type);
        put(&o, "stream %" PRIu32 " (", d->stream_index);
        if (name)
            put(&o, "%s", name);
        else
            put(&o, "type 0x%" PRIx32, d->stream_type);
        put(&o, ") at 0x%" PRIx64 ": ", d->offset);
    }
    put_body(&o, d);
    return o.len;
}
