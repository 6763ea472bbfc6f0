/* table.c - text output in aligned columns, sized to what they hold.
 * SPDX-License-Identifier: MIT */
#include "table.h"

#include "cli.h"
#include "text.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

void table_init(struct table *t, const char *spec)
{
    memset(t, 0, sizeof *t);
    assert(strlen(spec) < sizeof t->spec);
    strcpy(t->spec, spec);
    for (char *col = t->spec; col; t->ncols++) {
        assert(t->ncols < TABLE_MAX_COLS);
        char *const next = strchr(col, '|');
        if (next)
            *next = '\0';
        char *const colon = strrchr(col, ':');
        assert(colon && (colon[1] == 'l' || colon[1] == 'r'));
        *colon = '\0';
        t->headers[t->ncols] = col;
        t->align[t->ncols] = colon[1];
        col = next ? next + 1 : NULL;
    }
}

static void out_of_memory(void)
{
    fputs("dmpread: out of memory\n", stderr);
    exit(EXIT_ERROR);
}

void table_add(struct table *t, const char *const *cells)
{
    if (t->nrows == t->cap) {
        const size_t cap = t->cap ? 2 * t->cap : 64;
        if (cap > SIZE_MAX / sizeof(char *) / t->ncols)
            out_of_memory();
        char **const grown = realloc(t->cells, cap * t->ncols * sizeof(char *));
        if (!grown)
            out_of_memory();
        t->cells = grown;
        t->cap = cap;
    }
    char **const row = t->cells + t->nrows * t->ncols;
    for (size_t c = 0; c < t->ncols; c++) {
        const size_t n = strlen(cells[c]) + 1;
        row[c] = malloc(n);
        if (!row[c])
            out_of_memory();
        memcpy(row[c], cells[c], n);
    }
    t->nrows++;
}

static void print_row(const struct table *t, FILE *out, const char *indent,
                      const char *const *cells, const size_t *width)
{
    /* Empty left-aligned cells at the end of a row print nothing, not even their padding. */
    size_t ncols = t->ncols;
    while (ncols > 1 && t->align[ncols - 1] == 'l' && *cells[ncols - 1] == '\0')
        ncols--;
    fputs(indent, out);
    for (size_t c = 0; c < ncols; c++) {
        const size_t pad = width[c] - text_width(cells[c]);
        if (c > 0)
            fputs("  ", out);
        if (t->align[c] == 'r')
            fprintf(out, "%*s", (int)pad, "");
        fputs(cells[c], out);
        if (t->align[c] == 'l' && c + 1 < ncols)
            fprintf(out, "%*s", (int)pad, "");
    }
    fputc('\n', out);
}

void table_print(const struct table *t, FILE *out, const char *indent)
{
    size_t width[TABLE_MAX_COLS];
    for (size_t c = 0; c < t->ncols; c++) {
        width[c] = text_width(t->headers[c]);
        for (size_t r = 0; r < t->nrows; r++) {
            const size_t w = text_width(t->cells[r * t->ncols + c]);
            if (w > width[c])
                width[c] = w;
        }
    }
    print_row(t, out, indent, t->headers, width);
    for (size_t r = 0; r < t->nrows; r++)
        print_row(t, out, indent, (const char *const *)(t->cells + r * t->ncols), width);
}

void table_free(struct table *t)
{
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    memset(t, 0, sizeof *t);
}
