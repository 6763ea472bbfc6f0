/* harness.h - the libFuzzer entry point, declared for the harness and the replay driver.
 * SPDX-License-Identifier: MIT */
#ifndef DMPREAD_FUZZ_HARNESS_H
#define DMPREAD_FUZZ_HARNESS_H

#include <dmpread.h>
#include <stddef.h>
#include <stdint.h>

/* Runs one input; returns 0. A failed check aborts the process after printing why. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* triage.c: every triage accessor over an opened dump; spans must lie in [base, base+len)
 * when base is not NULL (the dump borrows the input). */
void fuzz_triage(const dmp_file *f, const uint8_t *base, uint64_t len);

#endif /* DMPREAD_FUZZ_HARNESS_H */
