/* manifest.h - the shared dumps' MANIFEST.tsv, for the suites that check real dumps.
 * SPDX-License-Identifier: MIT */
#ifndef DMPREAD_MANIFEST_H
#define DMPREAD_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>

/* Loads DIR/MANIFEST.tsv (once; later calls return the first answer). False when the file
 * is absent: the suites then skip. Rows with fewer fields than the header are ignored. */
bool manifest_load(const char *dir);
/* The number of dump rows. */
size_t manifest_rows(void);
/* Field `column` (a header name) of row `row`. A column the manifest lacks ends the
 * process with a message naming it: the suite's assumptions no longer hold. */
const char *manifest_get(size_t row, const char *column);

#endif /* DMPREAD_MANIFEST_H */
