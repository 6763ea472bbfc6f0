/* symfile.c - opening and closing a Breakpad symbol file, its summary and its diagnostics.
 * SPDX-License-Identifier: MIT */
#include "sym.h"

#include <stdlib.h>
#include <string.h>

static dmp_status sym_finish_open(dmp_symfile *s, const char *path, dmp_symfile **out,
                                  dmp_error *err)
{
    s->text = (const char *)s->src.bytes.data;
    s->len = s->src.bytes.len;
    const dmp_sym_str empty = {"", 0};
    s->info.os = s->info.arch = s->info.id = s->info.name = empty;
    s->info.code_id = s->info.code_file = empty;
    if (s->len == 0)
        s->text = "";
    /* A mapped file is read again for the pass, sparing the mapping's pages; a buffer or
     * inflated gzip is already in memory. */
    const int fd = path && s->src.kind == DMPI_SOURCE_MAPPED ? dmpi_file_open(path) : -1;
    const dmp_status st = dmpi_sym_index(s, fd);
    if (fd >= 0)
        dmpi_file_close(fd);
    if (st != DMP_OK) {
        dmpi_set_error(err, st, 0, "symbol file: %s while indexing", dmp_strerror(st));
        dmp_sym_close(s);
        return st;
    }
    *out = s;
    return DMP_OK;
}

dmp_status dmp_sym_open(const char *path, dmp_symfile **out, dmp_error *err)
{
    if (!path || !out) {
        dmpi_set_error(err, DMP_E_INVALID_ARG, 0, "no path or no out-parameter");
        return DMP_E_INVALID_ARG;
    }
    dmp_symfile *const s = calloc(1, sizeof *s);
    if (!s) {
        dmpi_set_error(err, DMP_E_NOMEM, 0, "out of memory");
        return DMP_E_NOMEM;
    }
    const dmp_status st =
        dmpi_source_open_path(&s->src, path, DMP_DEFAULT_MAX_HEAP_INPUT, NULL, NULL, err);
    if (st != DMP_OK) {
        free(s);
        return st;
    }
    return sym_finish_open(s, path, out, err);
}

dmp_status dmp_sym_open_mem(const void *buf, size_t len, dmp_symfile **out, dmp_error *err)
{
    if ((!buf && len > 0) || !out) {
        dmpi_set_error(err, DMP_E_INVALID_ARG, 0, "no buffer or no out-parameter");
        return DMP_E_INVALID_ARG;
    }
    dmp_symfile *const s = calloc(1, sizeof *s);
    if (!s) {
        dmpi_set_error(err, DMP_E_NOMEM, 0, "out of memory");
        return DMP_E_NOMEM;
    }
    const dmp_status st = dmpi_source_open_mem(&s->src, buf ? buf : "", len,
                                               DMP_DEFAULT_MAX_HEAP_INPUT, NULL, NULL, err);
    if (st != DMP_OK) {
        free(s);
        return st;
    }
    return sym_finish_open(s, NULL, out, err);
}

void dmp_sym_close(dmp_symfile *s)
{
    if (!s)
        return;
    dmpi_sym_index_free(s);
    dmpi_source_close(&s->src);
    free(s);
}

void dmp_sym_get_info(const dmp_symfile *s, dmp_sym_info *out)
{
    if (s && out)
        *out = s->info;
}

size_t dmp_sym_diag_count(const dmp_symfile *s)
{
    return s ? s->diag_count : 0;
}

dmp_status dmp_sym_diag_get(const dmp_symfile *s, size_t i, dmp_sym_diag *out)
{
    if (!s || !out)
        return DMP_E_INVALID_ARG;
    if (i >= s->diag_count)
        return DMP_E_NOT_FOUND;
    *out = s->diags[i];
    if (out->line == 0)
        out->line = dmp_sym_line_of(s, out->offset);
    return DMP_OK;
}

const char *dmp_sym_diag_kind_name(dmp_sym_diag_kind kind)
{
    switch (kind) {
    case DMP_SYM_DIAG_MODULE:
        return "module-line";
    case DMP_SYM_DIAG_SYNTAX:
        return "syntax";
    case DMP_SYM_DIAG_UNKNOWN:
        return "unknown-record";
    case DMP_SYM_DIAG_OVERLAP:
        return "overlap";
    case DMP_SYM_DIAG_ORPHAN:
        return "orphan";
    case DMP_SYM_DIAG_DUPLICATE:
        return "duplicate-id";
    }
    return "unknown";
}

uint64_t dmp_sym_line_of(const dmp_symfile *s, uint64_t offset)
{
    if (!s)
        return 0;
    if (offset > s->len)
        offset = s->len;
    uint64_t n = 1;
    const char *p = s->text;
    const char *const end = s->text + offset;
    while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        n++;
        p++;
    }
    return n;
}
