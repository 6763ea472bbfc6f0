/* table.h - text output in aligned columns, sized to what they hold.
 * SPDX-License-Identifier: MIT */
#ifndef DMPREAD_CLI_TABLE_H
#define DMPREAD_CLI_TABLE_H

#include <stddef.h>
#include <stdio.h>

#define TABLE_MAX_COLS 12

/* Rows are kept until printed, since a column is as wide as its widest cell. */
struct table {
    size_t ncols;
    char spec[TABLE_MAX_COLS * 32]; /* the spec, split into the headers */
    const char *headers[TABLE_MAX_COLS];
    char align[TABLE_MAX_COLS]; /* 'l' or 'r' */
    char **cells;               /* nrows * ncols copies */
    size_t nrows;
    size_t cap;
};

/* `spec` lists the columns as "HEADER:l" or "HEADER:r" separated by '|'. */
void table_init(struct table *t, const char *spec);
/* Adds a row of ncols cells, copied; they should be printable already (text_printable).
 * Exits the program with status 2 when memory runs out. */
void table_add(struct table *t, const char *const *cells);
/* The header line and the rows, columns two spaces apart, each line after `indent`; the
 * last column is not padded. */
void table_print(const struct table *t, FILE *out, const char *indent);
void table_free(struct table *t);

#endif /* DMPREAD_CLI_TABLE_H */
