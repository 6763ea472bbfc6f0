/* num.h - the command's number parsers (ADDR, LEN, --max-heap and the like), apart from the
 * rest of cli/ so that fuzz/fuzz_cli_num.c can drive them without the commands.
 * SPDX-License-Identifier: MIT */
#ifndef DMPREAD_CLI_NUM_H
#define DMPREAD_CLI_NUM_H

#include <stdbool.h>
#include <stdint.h>

enum num_result { NUM_OK, NUM_BAD, NUM_TOO_BIG };

/* Decimal, or hex after 0x/0X. The whole string must be the number; no sign, no overflow.
 * *out is written only on NUM_OK. */
enum num_result parse_u64_operand(const char *s, uint64_t *out);
/* The same, as a yes or no. */
bool parse_u64(const char *s, uint64_t *out);
/* A byte count: decimal with an optional K, M or G suffix (binary: 1K = 1024, either case),
 * or 0x hex without one. False when malformed or past 2^64 - 1. */
bool parse_size(const char *s, uint64_t *out);

#endif /* DMPREAD_CLI_NUM_H */
