/* test_json.c - the CLI's JSON writer (cli/json.c) and terminal-safe text (cli/text.c).
 * SPDX-License-Identifier: MIT
 *
 * The CLI tests check whole documents with jsoncheck; these pin the writer's edge cases
 * byte for byte: escaping of every kind of string a dump can hold, the 2^53 boundary,
 * addresses at 2^64, and the layout of nested and compact containers.
 */
#include "budget.h"
#include "json.h"
#include "text.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static FILE *out;
static char got[4096];

/* A writer on a fresh temporary file. */
static void start(struct json *j)
{
    out = tmpfile();
    ck_assert_ptr_nonnull(out);
    json_init(j, out);
}

/* What was written, NUL-terminated, in `got`. */
static const char *written(void)
{
    fflush(out);
    rewind(out);
    const size_t n = fread(got, 1, sizeof got - 1, out);
    got[n] = '\0';
    fclose(out);
    return got;
}

/* One string value at the top level, as the writer escapes it. */
static const char *escaped(const char *s, size_t len)
{
    struct json j;
    start(&j);
    json_string_n(&j, NULL, s, len);
    return written();
}

#define ESCAPED(lit) escaped(lit, sizeof(lit) - 1)

START_TEST(escapes_what_json_requires)
{
    ck_assert_str_eq(ESCAPED("plain"), "\"plain\"");
    ck_assert_str_eq(ESCAPED("a\"b\\c"), "\"a\\\"b\\\\c\"");
    ck_assert_str_eq(ESCAPED("\n\r\t\b\f"), "\"\\n\\r\\t\\b\\f\"");
    ck_assert_str_eq(ESCAPED("\x01\x1f"), "\"\\u0001\\u001f\"");
    ck_assert_str_eq(ESCAPED("a\0b"), "\"a\\u0000b\"");
    /* DEL and '/' need no escape. */
    ck_assert_str_eq(ESCAPED("\x7f/"), "\"\x7f/\"");
}
END_TEST

START_TEST(keeps_valid_utf8)
{
    ck_assert_str_eq(ESCAPED("Zo\xc3\xab \xe2\x82\xac \xf0\x9f\xa7\xb5"),
                     "\"Zo\xc3\xab \xe2\x82\xac \xf0\x9f\xa7\xb5\"");
    ck_assert_str_eq(ESCAPED("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\""); /* U+10FFFF */
    /* Line and paragraph separators end lines in older JavaScript: escaped. */
    ck_assert_str_eq(ESCAPED("\xe2\x80\xa8\xe2\x80\xa9"), "\"\\u2028\\u2029\"");
}
END_TEST

START_TEST(replaces_invalid_utf8_byte_by_byte)
{
    ck_assert_str_eq(ESCAPED("\x80"), "\"\\ufffd\"");            /* stray continuation */
    ck_assert_str_eq(ESCAPED("\xc0\xaf"), "\"\\ufffd\\ufffd\""); /* overlong '/' */
    ck_assert_str_eq(ESCAPED("\xe0\x80\xaf"), "\"\\ufffd\\ufffd\\ufffd\"");
    ck_assert_str_eq(ESCAPED("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\""); /* surrogate */
    ck_assert_str_eq(ESCAPED("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
    ck_assert_str_eq(ESCAPED("\xff\xfe"), "\"\\ufffd\\ufffd\"");
    ck_assert_str_eq(ESCAPED("a\xe2\x82"), "\"a\\ufffd\\ufffd\""); /* cut short at the end */
    ck_assert_str_eq(ESCAPED("\xe2\x82z"), "\"\\ufffd\\ufffdz\""); /* cut short by 'z' */
}
END_TEST

START_TEST(keys_are_escaped_too)
{
    struct json j;
    start(&j);
    json_object_begin_compact(&j, NULL);
    json_uint(&j, "a\"\n\xff", 1);
    json_object_end(&j);
    ck_assert_str_eq(written(), "{\"a\\\"\\n\\ufffd\": 1}");
}
END_TEST

START_TEST(numbers_past_2_53_become_strings)
{
    struct json j;
    start(&j);
    json_array_begin_compact(&j, NULL);
    json_uint(&j, NULL, 0);
    json_uint(&j, NULL, 9007199254740991u);
    json_uint(&j, NULL, 9007199254740992u);
    json_uint(&j, NULL, UINT64_MAX);
    json_int(&j, NULL, -60);
    json_int(&j, NULL, -9007199254740991);
    json_int(&j, NULL, -9007199254740992);
    json_int(&j, NULL, INT64_MIN);
    json_array_end(&j);
    ck_assert_str_eq(written(), "[0, 9007199254740991, \"9007199254740992\", "
                                "\"18446744073709551615\", -60, -9007199254740991, "
                                "\"-9007199254740992\", \"-9223372036854775808\"]");
}
END_TEST

START_TEST(hex_and_ends_at_2_64)
{
    struct json j;
    start(&j);
    json_array_begin_compact(&j, NULL);
    json_hex(&j, NULL, 0);
    json_hex(&j, NULL, UINT64_MAX);
    json_hex_end(&j, NULL, 0x1000, 0x10);
    json_hex_end(&j, NULL, 0xffffffffffffff80u, 0x80);  /* exactly 2^64 */
    json_hex_end(&j, NULL, 0xffffffffffffff80u, 0x100); /* past it: 65 bits */
    json_hex_end(&j, NULL, UINT64_MAX, UINT64_MAX);     /* the largest sum */
    json_array_end(&j);
    ck_assert_str_eq(written(), "[\"0x0\", \"0xffffffffffffffff\", \"0x1010\", "
                                "\"0x10000000000000000\", \"0x10000000000000080\", "
                                "\"0x1fffffffffffffffe\"]");
}
END_TEST

START_TEST(layout_of_nested_and_compact_containers)
{
    struct json j;
    start(&j);
    json_object_begin(&j, NULL);
    json_uint(&j, "n", 1);
    json_object_begin(&j, "empty_object");
    json_object_end(&j);
    json_array_begin(&j, "empty_array");
    json_array_end(&j);
    json_array_begin(&j, "list");
    json_object_begin_compact(&j, NULL);
    json_string(&j, "s", NULL);
    json_array_begin(&j, "inner"); /* inside a compact one: stays on the line */
    json_bool(&j, NULL, true);
    json_bool(&j, NULL, false);
    json_array_end(&j);
    json_object_end(&j);
    json_array_end(&j);
    json_object_end(&j);
    json_finish(&j);
    ck_assert_str_eq(written(), "{\n"
                                "  \"n\": 1,\n"
                                "  \"empty_object\": {},\n"
                                "  \"empty_array\": [],\n"
                                "  \"list\": [\n"
                                "    {\"s\": null, \"inner\": [true, false]}\n"
                                "  ]\n"
                                "}\n");
}
END_TEST

START_TEST(string_in_chunks)
{
    struct json j;
    start(&j);
    json_string_begin(&j, NULL);
    json_string_chunk(&j, "ab", 2);
    json_string_chunk(&j, "", 0);
    json_string_chunk(&j, "\"c", 2);
    json_string_end(&j);
    ck_assert_str_eq(written(), "\"ab\\\"c\"");
}
END_TEST

START_TEST(printable_text_for_terminals)
{
    char buf[64];
    ck_assert_str_eq(text_printable("C:\\Users\\Zo\xc3\xab", buf, sizeof buf),
                     "C:\\Users\\Zo\xc3\xab");
    ck_assert_str_eq(text_printable("a\tb\nc\x1b[31m", buf, sizeof buf), "a\\x09b\\x0ac\\x1b[31m");
    ck_assert_str_eq(text_printable("\x7f\xc2\x85", buf, sizeof buf), "\\x7f\\xc2\\x85");
    ck_assert_str_eq(text_printable("\xff"
                                    "ok",
                                    buf, sizeof buf),
                     "\\xffok");
    /* Cut between characters, never inside one or an escape. */
    ck_assert_str_eq(text_printable("abc\xc3\xab", buf, 5), "abc");
    ck_assert_str_eq(text_printable("ab\n", buf, 5), "ab");
    ck_assert_str_eq(text_printable("", buf, 1), "");
}
END_TEST

START_TEST(width_counts_characters)
{
    ck_assert_uint_eq(text_width(""), 0);
    ck_assert_uint_eq(text_width("abc"), 3);
    ck_assert_uint_eq(text_width("Zo\xc3\xab"), 3);
    ck_assert_uint_eq(text_width("\xf0\x9f\xa7\xb5"), 1);
    ck_assert_uint_eq(text_width("\xff\xfe"), 2);
}
END_TEST

/* The output budget (cli/budget.h): whole strings while it lasts, then a long string is its
 * first BUDGET_KEEP bytes, cut between characters, and the marker; short ones stay whole. */
START_TEST(budget_cuts_long_strings_once_spent)
{
    static char big[BUDGET_BASE + 200];
    memset(big, 'a', sizeof big - 1);
    struct json j;
    budget_begin(0); /* BUDGET_BASE bytes of strings */
    start(&j);
    json_string_n(&j, NULL, big, BUDGET_BASE - 10); /* whole: 10 bytes left */
    fclose(out);
    start(&j);
    json_string_n(&j, NULL, "short", 5); /* 5 left */
    ck_assert_str_eq(written(), "\"short\"");
    /* 62 ASCII bytes and a 3-byte character across byte 64: cut before the character. */
    memcpy(big + 62, "\xe2\x82\xac", 3);
    start(&j);
    json_string_n(&j, NULL, big, 100);
    char want[128];
    snprintf(want, sizeof want, "\"%.62s[...38 bytes cut]\"", big);
    ck_assert_str_eq(written(), want);
    start(&j);
    memset(big + 62, 'a', 3);
    json_string_n(&j, NULL, big, BUDGET_KEEP); /* at most BUDGET_KEEP: whole */
    ck_assert_uint_eq(strlen(written()), BUDGET_KEEP + 2);
    char buf[1024];
    ck_assert_str_eq(text_printable("tiny", buf, sizeof buf), "tiny");
    memset(big, 'b', 200);
    big[200] = '\0';
    snprintf(want, sizeof want, "%.64s[...136 bytes cut]", big);
    ck_assert_str_eq(text_printable(big, buf, sizeof buf), want);
    ck_assert_uint_eq(budget_end(), 2);
    /* Ended: nothing is charged or cut. */
    ck_assert_str_eq(text_printable(big, buf, sizeof buf), big);
}
END_TEST

/* A table measured and then printed makes its rows with the same budget both times. */
START_TEST(budget_restores_a_saved_state)
{
    budget_begin(0);
    ck_assert_uint_eq(budget_charge(BUDGET_BASE), BUDGET_BASE);
    const struct budget spent = budget_save();
    ck_assert_uint_eq(budget_charge(1000), BUDGET_KEEP);
    budget_restore(&spent);
    ck_assert_uint_eq(budget_charge(1000), BUDGET_KEEP);
    ck_assert_uint_eq(budget_end(), 1);
}
END_TEST

int main(void)
{
    Suite *const s = suite_create("cli_json");
    TCase *const tc = tcase_create("json");
    tcase_add_test(tc, escapes_what_json_requires);
    tcase_add_test(tc, keeps_valid_utf8);
    tcase_add_test(tc, replaces_invalid_utf8_byte_by_byte);
    tcase_add_test(tc, keys_are_escaped_too);
    tcase_add_test(tc, numbers_past_2_53_become_strings);
    tcase_add_test(tc, hex_and_ends_at_2_64);
    tcase_add_test(tc, layout_of_nested_and_compact_containers);
    tcase_add_test(tc, string_in_chunks);
    tcase_add_test(tc, printable_text_for_terminals);
    tcase_add_test(tc, width_counts_characters);
    tcase_add_test(tc, budget_cuts_long_strings_once_spent);
    tcase_add_test(tc, budget_restores_a_saved_state);
    suite_add_tcase(s, tc);
    SRunner *const sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    const int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
