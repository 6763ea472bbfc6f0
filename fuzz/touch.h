/* touch.h - every accessor of an opened dump, called once (touch.c).
 * SPDX-License-Identifier: MIT */
#ifndef DMPREAD_FUZZ_TOUCH_H
#define DMPREAD_FUZZ_TOUCH_H

#include <dmpread.h>
#include <stdint.h>

/* Calls every accessor of `f` once (lists up to a cap), reads a few memory ranges chosen by
 * `seed`, and aborts when a call breaks a promise of the header. Thread-safe as the API is. */
void fuzz_touch(const dmp_file *f, uint64_t seed);

#endif /* DMPREAD_FUZZ_TOUCH_H */
