/* harness.h - the libFuzzer entry point, declared for the harness and the replay driver.
 * SPDX-License-Identifier: MIT */
#ifndef DMPREAD_FUZZ_HARNESS_H
#define DMPREAD_FUZZ_HARNESS_H

#include <stddef.h>
#include <stdint.h>

/* Runs one input; returns 0. A failed check aborts the process after printing why. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* DMPREAD_FUZZ_HARNESS_H */
