/* table.h - text output in aligned columns, sized to what they hold.
 * SPDX-License-Identifier: MIT */
#ifndef DMPREAD_CLI_TABLE_H
#define DMPREAD_CLI_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define TABLE_MAX_COLS 12

/* No row is kept: a column is as wide as its widest cell, so the rows are made twice, once
 * to measure the columns and once to print them (table_print), and memory stays the same
 * however many rows there are. */
struct table {
    size_t ncols;
    char spec[TABLE_MAX_COLS * 32]; /* the spec, split into the headers */
    const char *headers[TABLE_MAX_COLS];
    char align[TABLE_MAX_COLS]; /* 'l' or 'r' */
    size_t width[TABLE_MAX_COLS];
    bool printing; /* false while measuring */
    FILE *out;
    const char *indent;
};

/* Makes the rows: calls table_add once a row, and makes the same rows every time. */
typedef void table_rows_fn(struct table *t, const void *ctx);

/* `spec` lists the columns as "HEADER:l" or "HEADER:r" separated by '|'. */
void table_init(struct table *t, const char *spec);
/* A row of ncols cells; they should be printable already (text_printable). Measured in the
 * first pass, printed in the second. */
void table_add(struct table *t, const char *const *cells);
/* The header line and the rows `rows` makes with ctx, columns two spaces apart, each line
 * after `indent`; the last column is not padded. `rows` runs twice, with the output budget
 * (budget.h) as it was before the first run both times, so both runs cut the same strings. */
void table_print(struct table *t, FILE *out, const char *indent, table_rows_fn *rows,
                 const void *ctx);

#endif /* DMPREAD_CLI_TABLE_H */
