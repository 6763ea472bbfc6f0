/* budget.h - the output budget: how many bytes of strings one document may write in full.
 * SPDX-License-Identifier: MIT
 *
 * A dump can make many entries share one string (a thread name, a module name, an
 * annotation value: every entry's offset pointing at the same bytes), so writing each
 * entry's strings in full would make the output grow with entries times string length,
 * not with the dump. Every string from the dump that the command writes, as JSON or as
 * text, is charged here. Until BUDGET_FACTOR times the dump's size plus BUDGET_BASE bytes
 * are spent, strings come out whole; after that a string longer than BUDGET_KEEP bytes is
 * written as its first BUDGET_KEEP bytes (at a character boundary) and a marker,
 * "[...N bytes cut]", and the document counts it (docs/json.md, "Output bounded by the
 * input"). Strings up to BUDGET_KEEP bytes are always whole: an entry's own output is
 * bounded anyway. Outside a document (budget_begin .. budget_end) nothing is charged.
 */
#ifndef DMPREAD_CLI_BUDGET_H
#define DMPREAD_CLI_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BUDGET_FACTOR 4
#define BUDGET_BASE ((uint64_t)1 << 20)
#define BUDGET_KEEP 64
/* Room for the marker: "[..." and "bytes cut]", 20 digits and a space. */
#define BUDGET_MARKER 40

struct budget {
    bool on;
    uint64_t left; /* bytes of strings still written whole */
    uint64_t cuts; /* strings cut short so far */
};

/* Starts a document's budget for a dump of `dump_size` bytes. */
void budget_begin(uint64_t dump_size);
/* Ends it (nothing is charged until the next budget_begin); returns the strings cut. */
uint64_t budget_end(void);
/* The state, to run one pass of output twice alike (a table measured, then printed). */
struct budget budget_save(void);
void budget_restore(const struct budget *b);

/* Charges a string of n bytes: returns how many of its first bytes to write, n or, when the
 * budget is spent, BUDGET_KEEP (then counts a cut; the caller backs off to a character
 * boundary and writes budget_marker after them). */
size_t budget_charge(size_t n);
/* The marker for a string cut to `kept` of its n bytes: "[...N bytes cut]". */
void budget_marker(size_t n, size_t kept, char *buf, size_t cap);

#endif /* DMPREAD_CLI_BUDGET_H */
