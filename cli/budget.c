/* budget.c - the output budget: how many bytes of strings one document may write in full.
 * SPDX-License-Identifier: MIT */
#include "budget.h"

#include <stdio.h>

/* One document at a time: the command writes them one after another. */
static struct budget budget;

void budget_begin(uint64_t dump_size)
{
    const uint64_t most = (UINT64_MAX - BUDGET_BASE) / BUDGET_FACTOR;
    budget.on = true;
    budget.left = (dump_size < most ? dump_size : most) * BUDGET_FACTOR + BUDGET_BASE;
    budget.cuts = 0;
}

uint64_t budget_end(void)
{
    const uint64_t cuts = budget.cuts;
    budget.on = false;
    budget.cuts = 0;
    return cuts;
}

struct budget budget_save(void)
{
    return budget;
}

void budget_restore(const struct budget *b)
{
    budget = *b;
}

size_t budget_charge(size_t n)
{
    if (!budget.on)
        return n;
    if (n <= budget.left) {
        budget.left -= n;
        return n;
    }
    budget.left = 0;
    if (n <= BUDGET_KEEP)
        return n;
    budget.cuts++;
    return BUDGET_KEEP;
}

void budget_marker(size_t n, size_t kept, char *buf, size_t cap)
{
    snprintf(buf, cap, "[...%zu bytes cut]", n - kept);
}
