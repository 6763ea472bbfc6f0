/* manifest.c - loads the shared dumps' MANIFEST.tsv (tab-separated, one header row).
 * SPDX-License-Identifier: MIT */
#include "manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROWS 1024
#define MAX_FIELDS 64
#define LINE_MAX_LEN 8192

struct row {
    char *line; /* owns the fields' storage */
    char *field[MAX_FIELDS];
};

static struct row header;
static int header_fields;
static struct row rows[MAX_ROWS];
static size_t row_count;
static int loaded; /* 0 not tried, 1 loaded, -1 absent */

/* Splits a copy of line at tabs into r; returns the field count. */
static int split(const char *line, struct row *r)
{
    r->line = malloc(strlen(line) + 1);
    if (!r->line) {
        fputs("manifest: out of memory\n", stderr);
        exit(EXIT_FAILURE);
    }
    strcpy(r->line, line);
    r->line[strcspn(r->line, "\r\n")] = '\0';
    int n = 0;
    for (char *p = r->line; p && n < MAX_FIELDS;) {
        r->field[n++] = p;
        p = strchr(p, '\t');
        if (p)
            *p++ = '\0';
    }
    return n;
}

bool manifest_load(const char *dir)
{
    if (loaded)
        return loaded > 0;
    char path[4096];
    snprintf(path, sizeof path, "%s/MANIFEST.tsv", dir);
    FILE *fp = fopen(path, "r");
    loaded = -1;
    if (!fp)
        return false;
    char buf[LINE_MAX_LEN];
    if (fgets(buf, sizeof buf, fp))
        header_fields = split(buf, &header);
    while (row_count < MAX_ROWS && fgets(buf, sizeof buf, fp)) {
        if (split(buf, &rows[row_count]) >= header_fields)
            row_count++;
        else
            free(rows[row_count].line);
    }
    fclose(fp);
    loaded = 1;
    return true;
}

size_t manifest_rows(void)
{
    return row_count;
}

const char *manifest_get(size_t row, const char *column)
{
    for (int i = 0; i < header_fields; i++)
        if (strcmp(header.field[i], column) == 0 && row < row_count)
            return rows[row].field[i];
    fprintf(stderr, "manifest: no column '%s' (or no row %zu) in MANIFEST.tsv\n", column, row);
    exit(EXIT_FAILURE);
}
