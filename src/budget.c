/* budget.c - the allocation budget of one dump: what its open may allocate, counted.
 * SPDX-License-Identifier: MIT
 *
 * Every byte an open allocates for a dump is charged here: the heap copy of gzip or piped
 * input, the directory, the memory index, the decoded records and strings, the diagnostics.
 * A dump can make structures alias each other (a thousand directory entries naming one
 * stream, lists whose entries share one record), so what is built from it is not bounded by
 * its size unless something counts; this does. A charge past the limit is refused and
 * remembered in `hit`: the caller gives up on the part it was building (triage.c and
 * dmpread.c turn that into a DMP_DIAG_BUDGET diagnostic) and the open goes on.
 *
 * Some charges are never refused: the dump's handle, the input's own heap copy (already
 * made, and limited by dmp_options.max_heap_input) and the diagnostics (at most
 * DMP_DIAG_MAX_PER_KIND a kind, so bounded by a constant), as refusing them would leave
 * nothing to say why.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

_Thread_local uint64_t dmpi_work;

/* What a block of `size` bytes costs the C heap: the allocator's header and alignment (16
 * bytes on glibc), and whole pages for blocks large enough to be mapped on their own. The
 * budget counts that, not the bare size, so that the heap as the allocator sees it stays
 * within the budget too (tests/test_budget.c checks it against glibc's count). */
uint64_t dmpi_budget_cost(uint64_t size)
{
    enum { HEADER = 16, PAGE = 4096, MAPPED = 128 << 10 };
    if (size >= MAPPED)
        return size > UINT64_MAX - 2 * PAGE ? UINT64_MAX : (size + HEADER + PAGE - 1) / PAGE * PAGE;
    return (size + HEADER + 15) / 16 * 16;
}

static void note_use(struct dmpi_budget *b)
{
    if (b->used > b->peak)
        b->peak = b->used;
}

bool dmpi_budget_take(struct dmpi_budget *b, uint64_t bytes)
{
    if (!b)
        return true;
    if (b->used > b->limit || bytes > b->limit - b->used) {
        b->refused++;
        b->hit = true;
        return false;
    }
    b->used += bytes;
    note_use(b);
    return true;
}

void dmpi_budget_force(struct dmpi_budget *b, uint64_t bytes)
{
    if (!b)
        return;
    b->used = bytes > UINT64_MAX - b->used ? UINT64_MAX : b->used + bytes;
    b->always = bytes > UINT64_MAX - b->always ? UINT64_MAX : b->always + bytes;
    note_use(b);
}

void dmpi_budget_give(struct dmpi_budget *b, uint64_t bytes)
{
    if (b)
        b->used = bytes < b->used ? b->used - bytes : 0;
}

void *dmpi_budget_malloc(struct dmpi_budget *b, size_t size)
{
    if (!dmpi_budget_take(b, dmpi_budget_cost(size)))
        return NULL;
    void *const p = malloc(size ? size : 1);
    if (!p)
        dmpi_budget_give(b, dmpi_budget_cost(size));
    return p;
}

void *dmpi_budget_calloc(struct dmpi_budget *b, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    void *const p = dmpi_budget_malloc(b, n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

void dmpi_budget_free(struct dmpi_budget *b, void *p, size_t size)
{
    if (!p)
        return;
    free(p);
    dmpi_budget_give(b, dmpi_budget_cost(size));
}

bool dmpi_budget_hit(struct dmpi_budget *b)
{
    const bool hit = b->hit;
    b->hit = false;
    return hit;
}
