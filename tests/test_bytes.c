/* test_bytes.c - the bounds-checked byte view and checked arithmetic of src/bytes.h.
 * SPDX-License-Identifier: MIT */
#include "bytes.h"
#include "suite.h"

static const uint8_t sample[10] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a};

START_TEST(has_checks_without_wrapping)
{
    const struct view v = {sample, sizeof sample};
    ck_assert(view_has(&v, 0, 10));
    ck_assert(view_has(&v, 10, 0)); /* an empty range at the end is inside */
    ck_assert(!view_has(&v, 11, 0));
    ck_assert(!view_has(&v, 0, 11));
    ck_assert(!view_has(&v, 9, 2));
    ck_assert(!view_has(&v, 2, UINT64_MAX)); /* 2 + n wraps to 1: must still fail */
    ck_assert(!view_has(&v, UINT64_MAX, 2));
    ck_assert(!view_has(&v, UINT64_MAX, UINT64_MAX));
}
END_TEST

START_TEST(slice_and_clip)
{
    const struct view v = {sample, sizeof sample};
    struct view s;
    ck_assert(view_slice(&v, 4, 3, &s));
    ck_assert_ptr_eq(s.data, sample + 4);
    ck_assert_uint_eq(s.len, 3);
    ck_assert(!view_slice(&v, 8, 3, &s));
    struct view c = view_clip(&v, 8, 100);
    ck_assert_ptr_eq(c.data, sample + 8);
    ck_assert_uint_eq(c.len, 2);
    c = view_clip(&v, 2, 3);
    ck_assert_uint_eq(c.len, 3);
    c = view_clip(&v, 10, 1);
    ck_assert_uint_eq(c.len, 0);
    c = view_clip(&v, UINT64_MAX, UINT64_MAX);
    ck_assert_uint_eq(c.len, 0);
}
END_TEST

START_TEST(little_endian_loads)
{
    const struct view v = {sample, sizeof sample};
    uint16_t a;
    uint32_t b;
    uint64_t c;
    ck_assert(view_u16le(&v, 8, &a));
    ck_assert_uint_eq(a, 0x0a09);
    ck_assert(view_u32le(&v, 0, &b));
    ck_assert_uint_eq(b, 0x04030201);
    ck_assert(view_u64le(&v, 2, &c));
    ck_assert_uint_eq(c, 0x0a09080706050403u);
    b = 77;
    ck_assert(!view_u32le(&v, 7, &b));
    ck_assert_uint_eq(b, 77); /* untouched on failure */
    ck_assert(!view_u64le(&v, 3, &c));
    ck_assert(!view_u16le(&v, 9, &a));
    const uint8_t high[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x80};
    ck_assert_uint_eq(load_u64le(high), 0x80ffffffffffffffu);
    ck_assert_uint_eq(load_u32le(high + 4), 0x80ffffffu);
}
END_TEST

START_TEST(checked_add)
{
    uint64_t r = 5;
    ck_assert(add_u64(1, 2, &r));
    ck_assert_uint_eq(r, 3);
    ck_assert(add_u64(UINT64_MAX - 1, 1, &r));
    ck_assert_uint_eq(r, UINT64_MAX);
    r = 5;
    ck_assert(!add_u64(UINT64_MAX, 1, &r));
    ck_assert(!add_u64(1, UINT64_MAX, &r));
    ck_assert_uint_eq(r, 5);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("bytes");
    TCase *tc = tcase_create("view");
    tcase_add_test(tc, has_checks_without_wrapping);
    tcase_add_test(tc, slice_and_clip);
    tcase_add_test(tc, little_endian_loads);
    tcase_add_test(tc, checked_add);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
