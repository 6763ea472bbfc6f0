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

/* Runs one input; returns 0. A failed check aborts the process after printing why. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* triage.c: every triage accessor over an opened dump; spans must lie in [base, base+len)
 * when base is not NULL (the dump borrows the input). */
void fuzz_triage(const dmp_file *f, const uint8_t *base, uint64_t len);

#endif /* DMPREAD_FUZZ_HARNESS_H */
