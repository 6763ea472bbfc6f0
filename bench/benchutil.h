/* benchutil.h - small helpers shared by the benchmark programs: numbers, randomness, clocks.
 * SPDX-License-Identifier: MIT */
#ifndef DMPREAD_BENCHUTIL_H
#define DMPREAD_BENCHUTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The word the generator stores at 8-aligned captured address a when it writes real bytes. */
static inline uint64_t bu_pattern(uint64_t a)
{
    return a ^ 0xa5a5a5a55a5a5a5au;
}

/* splitmix64: a fast, well-mixed generator; the state is any uint64_t. */
static inline uint64_t bu_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static inline double bu_unit(uint64_t *state)
{
    return (double)(bu_next(state) >> 11) * (1.0 / 9007199254740992.0);
}

/* Uniform in [0, n), n > 0 (the bias is below 2^-40 for the n used here). */
static inline uint64_t bu_below(uint64_t *state, uint64_t n)
{
    return bu_next(state) % n;
}

/* Decimal, or hex with 0x, with an optional K/M/G/T suffix (powers of 1024). */
static inline bool bu_parse_size(const char *s, uint64_t *out)
{
    char *end;
    if (!s || !*s || *s == '-')
        return false;
    const unsigned long long v = strtoull(s, &end, 0);
    int shift = 0;
    if (*end == 'K' || *end == 'k')
        shift = 10;
    else if (*end == 'M' || *end == 'm')
        shift = 20;
    else if (*end == 'G' || *end == 'g')
        shift = 30;
    else if (*end == 'T' || *end == 't')
        shift = 40;
    if (shift)
        end++;
    if (*end != '\0' || end == s || (shift && v > (UINT64_MAX >> shift)))
        return false;
    *out = (uint64_t)v << shift;
    return true;
}

static inline bool bu_parse_fraction(const char *s, double *out)
{
    char *end;
    const double v = strtod(s, &end);
    if (*end != '\0' || end == s || !(v >= 0.0 && v <= 1.0))
        return false;
    *out = v;
    return true;
}

/* Monotonic seconds. */
static inline double bu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline int bu_cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The median of v[0..n) (sorts v). n > 0. */
static inline double bu_median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, bu_cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The smallest of v[0..n). n > 0. */
static inline double bu_min(const double *v, size_t n)
{
    double m = v[0];
    for (size_t i = 1; i < n; i++)
        m = v[i] < m ? v[i] : m;
    return m;
}

#endif /* DMPREAD_BENCHUTIL_H */
