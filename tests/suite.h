/* suite.h - helpers shared by the Check suites: open a built dump, run a suite.
 * SPDX-License-Identifier: MIT */
#ifndef DMPREAD_SUITE_H
#define DMPREAD_SUITE_H

#include "mkdump.h"

#include <check.h>
#include <dmpread.h>
#include <stdlib.h>

/* An assertion for hot loops: Check's ck_assert_* records a checkpoint through a pipe on
 * every call, which dominates loops of millions of checks. This reaches Check only on
 * failure. */
#define expect(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ck_abort_msg(__VA_ARGS__);                                                             \
    } while (0)

/* Finishes the builder and opens its bytes (borrowed: keep the builder alive). */
static inline dmp_file *open_built(struct mkdump *b)
{
    size_t len;
    const uint8_t *data = mkd_finish(b, &len);
    dmp_file *f = NULL;
    ck_assert_int_eq(dmp_open_mem(data, len, &f), DMP_OK);
    ck_assert_ptr_nonnull(f);
    return f;
}

/* Opens the first `len` bytes of what the builder holds now: call mkd_finish first, then
 * poke; this does not rewrite the header or directory. */
static inline dmp_file *open_prefix(const struct mkdump *b, size_t len)
{
    size_t full;
    const uint8_t *data = mkd_data(b, &full);
    ck_assert_uint_le(len, full);
    dmp_file *f = NULL;
    ck_assert_int_eq(dmp_open_mem(data, len, &f), DMP_OK);
    return f;
}

/* The number of diagnostics of one kind, and the first of them in *out (if any). */
static inline size_t count_diags(const dmp_file *f, dmp_diag_kind kind, dmp_diag *out)
{
    size_t n = 0;
    for (size_t i = 0; i < dmp_diag_count(f); i++) {
        dmp_diag d;
        ck_assert_int_eq(dmp_diag_get(f, i, &d), DMP_OK);
        if (d.kind != kind)
            continue;
        if (n++ == 0 && out)
            *out = d;
    }
    return n;
}

static inline int run_suite(Suite *s)
{
    SRunner *const sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    const int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif /* DMPREAD_SUITE_H */
