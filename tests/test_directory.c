/* test_directory.c - MINIDUMP_HEADER and directory parsing: what fails an open, what only
 * becomes a diagnostic.
 * SPDX-License-Identifier: MIT */
#include "suite.h"

#include <string.h>

static struct mkdump *two_streams(void)
{
    struct mkdump *b = mkd_new(4);
    const uint8_t a[56] = {1, 2, 3}; /* MINIDUMP_SYSTEM_INFO is 56 bytes */
    mkd_add_stream_data(b, DMP_STREAM_SYSTEM_INFO, a, sizeof a);
    mkd_add_stream_data(b, 0x47670006, "maps", 4); /* LinuxCmdLine: any bytes are sound */
    return b;
}

START_TEST(header_fields_decoded)
{
    struct mkdump *b = two_streams();
    size_t len;
    mkd_finish(b, &len);
    mkd_poke_u32(b, 4, 0x1234a793); /* writer-specific high half */
    mkd_poke_u32(b, 16, 0xdeadbeef);
    mkd_poke_u64(b, 24, 0x0000000100000821u);
    dmp_file *f = open_prefix(b, len);
    dmp_header h;
    dmp_get_header(f, &h);
    ck_assert_uint_eq(h.signature, 0x504d444d);
    ck_assert_uint_eq(h.version, 0x1234a793);
    ck_assert_uint_eq(h.stream_count, 2);
    ck_assert_uint_eq(h.directory_rva, 32);
    ck_assert_uint_eq(h.checksum, 0xdeadbeef);
    ck_assert_uint_eq(h.time_date_stamp, 0x5f5e1000);
    ck_assert_uint_eq(h.flags, 0x0000000100000821u);
    ck_assert_uint_eq(dmp_stream_count(f), 2);
    ck_assert_uint_eq(dmp_file_size(f), len);
    ck_assert_int_eq(dmp_was_compressed(f), 0);
    ck_assert_uint_eq(dmp_diag_count(f), 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(streams_listed_with_bytes)
{
    struct mkdump *b = two_streams();
    mkd_add_stream(b, DMP_STREAM_UNUSED, 0, 0);
    mkd_add_stream(b, 0x7777, 40, 0); /* unknown type, empty: listed, not rejected */
    dmp_file *f = open_built(b);
    ck_assert_uint_eq(dmp_stream_count(f), 4);
    dmp_stream s;
    ck_assert_int_eq(dmp_stream_get(f, 1, &s), DMP_OK);
    ck_assert_uint_eq(s.type, DMP_STREAM_LINUX_CMD_LINE);
    ck_assert_uint_eq(s.size, 4);
    ck_assert_uint_eq(s.flags, 0);
    ck_assert_mem_eq(s.data, "maps", 4);
    ck_assert_int_eq(dmp_stream_get(f, 3, &s), DMP_OK);
    ck_assert_uint_eq(s.type, 0x7777);
    ck_assert_ptr_null(s.data);
    ck_assert_int_eq(dmp_stream_get(f, 4, &s), DMP_E_NOT_FOUND);
    ck_assert_str_eq(dmp_stream_type_name(DMP_STREAM_LINUX_MAPS), "LinuxMapsStream");
    ck_assert_ptr_null(dmp_stream_type_name(0x7777));
    ck_assert_uint_eq(dmp_diag_count(f), 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(empty_input_fails)
{
    dmp_file *f = (dmp_file *)&f; /* untouched on failure */
    dmp_error err;
    ck_assert_int_eq(dmp_open_mem_ex("", 0, NULL, &f, &err), DMP_E_TOO_SHORT);
    ck_assert_ptr_eq(f, (dmp_file *)&f);
    ck_assert_int_eq(err.status, DMP_E_TOO_SHORT);
    ck_assert_ptr_nonnull(strstr(err.message, "MINIDUMP_HEADER"));
    ck_assert_int_eq(dmp_open_mem(NULL, 0, &f), DMP_E_TOO_SHORT);
}
END_TEST

START_TEST(short_header_fails)
{
    struct mkdump *b = two_streams();
    size_t len;
    const uint8_t *data = mkd_finish(b, &len);
    dmp_file *f = NULL;
    ck_assert_int_eq(dmp_open_mem(data, 31, &f), DMP_E_TOO_SHORT);
    ck_assert_ptr_null(f);
    ck_assert_int_eq(dmp_open_mem(data, 32, &f), DMP_OK); /* a bare header opens */
    ck_assert_uint_eq(dmp_stream_count(f), 0);
    dmp_diag d;
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_DIRECTORY_CLIPPED, &d), 1);
    ck_assert_uint_eq(d.count, 2);
    ck_assert_uint_eq(d.kept, 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(bad_signature_fails)
{
    struct mkdump *b = two_streams();
    size_t len;
    mkd_finish(b, &len);
    mkd_poke_u32(b, 0, 0x504d444e);
    size_t n;
    const uint8_t *data = mkd_data(b, &n);
    dmp_file *f = NULL;
    dmp_error err;
    ck_assert_int_eq(dmp_open_mem_ex(data, n, NULL, &f, &err), DMP_E_BAD_SIGNATURE);
    ck_assert_ptr_null(f);
    ck_assert_ptr_nonnull(strstr(err.message, "MDMP"));
    mkd_free(b);
}
END_TEST

START_TEST(directory_past_eof)
{
    struct mkdump *b = two_streams();
    size_t len;
    mkd_finish(b, &len);
    mkd_poke_u32(b, 12, 0xfffffff0); /* StreamDirectoryRva */
    dmp_file *f = open_prefix(b, len);
    ck_assert_uint_eq(dmp_stream_count(f), 0);
    dmp_diag d;
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_DIRECTORY_CLIPPED, &d), 1);
    ck_assert_uint_eq(d.stream_index, DMP_DIAG_NO_STREAM);
    ck_assert_uint_eq(d.offset, 0xfffffff0);
    char text[200];
    dmp_diag_format(&d, text, sizeof text);
    ck_assert_str_eq(text, "directory at 0xfffffff0: directory of 2 entries holds only 0 inside "
                           "the file");
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(directory_count_huge)
{
    struct mkdump *b = two_streams();
    size_t len;
    mkd_finish(b, &len);
    mkd_poke_u32(b, 8, 0xffffffff); /* NumberOfStreams */
    dmp_file *f = open_prefix(b, len);
    /* Entries are read while they fit in the file; the ones after the two real entries
     * are zero bytes (unused) and stream bytes read as entries. Nothing is allocated for
     * 4 billion entries. */
    ck_assert_uint_eq(dmp_stream_count(f), (len - 32) / 12);
    dmp_stream s;
    ck_assert_int_eq(dmp_stream_get(f, 1, &s), DMP_OK);
    ck_assert_uint_eq(s.type, DMP_STREAM_LINUX_CMD_LINE);
    dmp_diag d;
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_DIRECTORY_CLIPPED, &d), 1);
    ck_assert_uint_eq(d.count, 0xffffffff);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(stream_past_eof_and_clipped)
{
    struct mkdump *b = two_streams();
    mkd_add_stream(b, DMP_STREAM_COMMENT_A, 0x7fff0000, 10);
    size_t len;
    mkd_finish(b, &len);
    mkd_poke_u32(b, mkd_dir_entry_offset(1) + 4, 1000); /* stream 1 now runs past EOF */
    dmp_file *f = open_prefix(b, len);
    ck_assert_uint_eq(dmp_stream_count(f), 3);
    dmp_stream s;
    ck_assert_int_eq(dmp_stream_get(f, 1, &s), DMP_OK);
    ck_assert_uint_eq(s.flags, DMP_STREAM_CLIPPED);
    ck_assert_uint_eq(s.data_size, 1000);
    ck_assert_uint_eq(s.size, len - s.rva);
    const uint64_t clipped_size = s.size;
    ck_assert_int_eq(dmp_stream_get(f, 2, &s), DMP_OK);
    ck_assert_uint_eq(s.flags, DMP_STREAM_PAST_EOF);
    ck_assert_uint_eq(s.size, 0);
    ck_assert_ptr_null(s.data);
    dmp_diag d;
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_STREAM_CLIPPED, &d), 1);
    ck_assert_uint_eq(d.stream_index, 1);
    ck_assert_uint_eq(d.size, 1000);
    ck_assert_uint_eq(d.kept, clipped_size);
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_STREAM_PAST_EOF, &d), 1);
    ck_assert_uint_eq(d.stream_index, 2);
    ck_assert_uint_eq(d.stream_type, DMP_STREAM_COMMENT_A);
    ck_assert_uint_eq(d.offset, 0x7fff0000);
    char text[200];
    dmp_diag_format(&d, text, sizeof text);
    ck_assert_str_eq(text, "stream 2 (CommentStreamA) at 0x7fff0000: 10-byte stream starts past "
                           "the end of the file; skipped");
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(rva_plus_size_wraps)
{
    /* Rva + DataSize passes 2^32 (and the file): the stream is past EOF, nothing wraps. */
    struct mkdump *b = two_streams();
    size_t len;
    mkd_finish(b, &len);
    mkd_poke_u32(b, mkd_dir_entry_offset(0) + 4, 0xffffffff);
    mkd_poke_u32(b, mkd_dir_entry_offset(0) + 8, 0xffffff00);
    dmp_file *f = open_prefix(b, len);
    dmp_stream s;
    ck_assert_int_eq(dmp_stream_get(f, 0, &s), DMP_OK);
    ck_assert_uint_eq(s.flags, DMP_STREAM_PAST_EOF);
    ck_assert_uint_eq(s.size, 0);
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_STREAM_PAST_EOF, NULL), 1);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("directory");
    TCase *tc = tcase_create("header");
    tcase_add_test(tc, header_fields_decoded);
    tcase_add_test(tc, streams_listed_with_bytes);
    tcase_add_test(tc, empty_input_fails);
    tcase_add_test(tc, short_header_fails);
    tcase_add_test(tc, bad_signature_fails);
    tcase_add_test(tc, directory_past_eof);
    tcase_add_test(tc, directory_count_huge);
    tcase_add_test(tc, stream_past_eof_and_clipped);
    tcase_add_test(tc, rva_plus_size_wraps);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
