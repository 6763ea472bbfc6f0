/* seeded.h - random test rounds: a small seedable generator, and the loop that runs a suite's
 * rounds from seeds taken from the clock (printed) or from the one DMPREAD_SEED names.
 * SPDX-License-Identifier: MIT */
#ifndef DMPREAD_SEEDED_H
#define DMPREAD_SEEDED_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* xorshift64*: small, seedable, good enough for test data. One stream per suite. */
static uint64_t rng_state;

static inline uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1du;
}

static inline uint64_t below(uint64_t n)
{
    return rnd() % n;
}

/* Runs round(seed, arg) with the generator seeded from `seed`, for `rounds` seeds from the
 * clock (printed first, so a failure can be rerun), or once for DMPREAD_SEED=N. True when
 * the rounds ran, false when only the named seed did. */
static inline bool run_seeded(const char *suite, uint64_t rounds,
                              void (*round)(uint64_t seed, void *arg), void *arg)
{
    const char *env = getenv("DMPREAD_SEED");
    if (env) {
        const uint64_t seed = strtoull(env, NULL, 0);
        printf("%s: DMPREAD_SEED=%llu\n", suite, (unsigned long long)seed);
        rng_state = seed * 0x9e3779b97f4a7c15u + 1;
        round(seed, arg);
        return false;
    }
    const uint64_t first = (uint64_t)time(NULL) * 1000;
    printf("%s: seeds %llu..%llu (rerun one with DMPREAD_SEED=N)\n", suite,
           (unsigned long long)first, (unsigned long long)(first + rounds - 1));
    fflush(stdout);
    for (uint64_t s = first; s < first + rounds; s++) {
        rng_state = s * 0x9e3779b97f4a7c15u + 1;
        round(s, arg);
    }
    return true;
}

#endif /* DMPREAD_SEEDED_H */
