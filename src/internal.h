/* internal.h - struct dmp_file and the prototypes shared between the library's source files.
 * SPDX-License-Identifier: MIT */
#ifndef DMPREAD_INTERNAL_H
#define DMPREAD_INTERNAL_H

#include "bytes.h"
#include "dmpread.h"

#include <stdbool.h>

/* Where the dump's bytes live. Only source.c creates or releases one. */
enum dmpi_source_kind { DMPI_SOURCE_BORROWED, DMPI_SOURCE_MAPPED, DMPI_SOURCE_HEAP };

struct dmpi_source {
    struct view bytes;
    enum dmpi_source_kind kind;
    bool compressed; /* bytes were inflated from gzip */
};

/* One MINIDUMP_DIRECTORY entry with its placement checked against the file. */
struct dmpi_stream {
    uint32_t type;
    uint32_t data_size;
    uint32_t rva;
    uint32_t flags;    /* DMP_STREAM_PAST_EOF, DMP_STREAM_CLIPPED */
    struct view bytes; /* the part inside the file */
};

/* A memory list that fed the index; descriptor `d` of it has global rank first_rank + d. */
struct dmpi_memlist {
    uint64_t first_rank;
    uint64_t desc_offset; /* file offset of descriptor 0 */
    uint32_t stream_index;
    uint32_t stream_type;
};

/* Bit 63 of a piece's origin: its descriptor was clipped at EOF. The rest is the rank. */
#define DMPI_ORIGIN_TRUNCATED ((uint64_t)1 << 63)

/* Per-piece data other than the start address, kept apart from the starts so that the
 * binary search touches only 8 bytes per probe. */
struct dmpi_piece {
    uint64_t size;
    uint64_t file_offset;
    uint64_t origin; /* rank | DMPI_ORIGIN_TRUNCATED */
};

/* The memory index: `count` disjoint pieces sorted by start address. */
struct dmpi_memindex {
    uint64_t *starts;
    struct dmpi_piece *pieces;
    size_t count;
    struct dmpi_memlist *lists;
    size_t list_count;
};

struct dmpi_diags {
    dmp_diag *items;
    size_t count;
    size_t cap;
};

struct dmp_file {
    struct dmpi_source src;
    dmp_header header;
    struct dmpi_stream *streams;
    size_t stream_count;
    struct dmpi_memindex mem;
    struct dmpi_diags diags;
};

/* source.c */
dmp_status dmpi_source_open_path(struct dmpi_source *src, const char *path, uint64_t max_heap,
                                 dmp_error *err);
dmp_status dmpi_source_open_mem(struct dmpi_source *src, const void *buf, size_t len,
                                uint64_t max_heap, dmp_error *err);
void dmpi_source_close(struct dmpi_source *src);

/* directory.c: decodes MINIDUMP_HEADER and the directory; fails only on a bad header. */
dmp_status dmpi_directory_parse(dmp_file *f, dmp_error *err);

/* memindex.c */
dmp_status dmpi_memindex_build(dmp_file *f);
void dmpi_memindex_free(struct dmpi_memindex *mem);
/* Position of the piece holding addr, or false. */
bool dmpi_memindex_find(const struct dmpi_memindex *mem, uint64_t addr, size_t *pos);
/* The memory list that descriptor rank `rank` came from. */
const struct dmpi_memlist *dmpi_memindex_list_of(const struct dmpi_memindex *mem, uint64_t rank);
/* Position of the first piece starting above addr (mem->count when none). */
size_t dmpi_memindex_upper(const struct dmpi_memindex *mem, uint64_t addr);

/* diag.c: appends a diagnostic, merging it into the previous one when it continues a run of
 * the same kind over consecutive descriptors. Fails only on allocation. */
dmp_status dmpi_diag_push(struct dmpi_diags *diags, const dmp_diag *d);
void dmpi_diag_free(struct dmpi_diags *diags);

/* Formats into buf as snprintf does, clamping the result; used for messages. */
void dmpi_set_error(dmp_error *err, dmp_status status, uint64_t offset, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

#endif /* DMPREAD_INTERNAL_H */
