/* harness.h - the libFuzzer entry point, declared for the harness and the replay driver.
 * SPDX-License-Identifier: MIT */
#ifndef DMPREAD_FUZZ_HARNESS_H
#define DMPREAD_FUZZ_HARNESS_H

#include <dmpread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* A broken promise: prints where and why, then aborts (libFuzzer keeps the input). */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static inline _Noreturn void
fuzz_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fuzz_fail(__FILE__, __LINE__, __VA_ARGS__);                                            \
    } while (0)

typedef unsigned long long ull; /* for printf */

/* splitmix64 over *state: the harnesses' PRNG, seeded from the input so a crash replays. */
static inline uint64_t fuzz_rand(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* FNV-1a of some bytes: the PRNG's seed. */
static inline uint64_t fuzz_hash(const uint8_t *p, size_t n)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * UINT64_C(0x100000001b3);
    return h;
}

/* Runs one input; returns 0. A failed check aborts the process after printing why. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* triage.c: every triage accessor over an opened dump; spans must lie in [base, base+len)
 * when base is not NULL (the dump borrows the input). */
void fuzz_triage(const dmp_file *f, const uint8_t *base, uint64_t len);

#endif /* DMPREAD_FUZZ_HARNESS_H */
