/* table.c - text output in aligned columns, sized to what they hold.
 * SPDX-License-Identifier: MIT */
#include "table.h"

#include "budget.h"
#include "text.h"

#include <assert.h>
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

static void print_row(const struct table *t, const char *const *cells)
{
    /* Empty left-aligned cells at the end of a row print nothing, not even their padding. */
    size_t ncols = t->ncols;
    while (ncols > 1 && t->align[ncols - 1] == 'l' && *cells[ncols - 1] == '\0')
        ncols--;
    fputs(t->indent, t->out);
    for (size_t c = 0; c < ncols; c++) {
        const size_t pad = t->width[c] - text_width(cells[c]);
        if (c > 0)
            fputs("  ", t->out);
        if (t->align[c] == 'r')
            fprintf(t->out, "%*s", (int)pad, "");
        fputs(cells[c], t->out);
        if (t->align[c] == 'l' && c + 1 < ncols)
            fprintf(t->out, "%*s", (int)pad, "");
    }
    fputc('\n', t->out);
}

void table_add(struct table *t, const char *const *cells)
{
    if (t->printing) {
        print_row(t, cells);
        return;
    }
    for (size_t c = 0; c < t->ncols; c++) {
        const size_t w = text_width(cells[c]);
        if (w > t->width[c])
            t->width[c] = w;
    }
}

void table_print(struct table *t, FILE *out, const char *indent, table_rows_fn *rows,
                 const void *ctx)
{
    t->out = out;
    t->indent = indent;
    t->printing = false;
    for (size_t c = 0; c < t->ncols; c++)
        t->width[c] = text_width(t->headers[c]);
    const struct budget before = budget_save();
    rows(t, ctx);
    budget_restore(&before);
    t->printing = true;
    print_row(t, (const char *const *)t->headers);
    rows(t, ctx);
}
