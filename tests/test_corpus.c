/* test_corpus.c - every real dump in ../shared/dumps opens, and reads back what the file holds.
 * SPDX-License-Identifier: MIT
 *
 * Driven by the folder's MANIFEST.tsv, one Check iteration per dump. For every dump: it opens
 * both mapped and from a buffer with identical results; every index entry reads back equal to
 * the file's bytes at its offset; the directory matches the manifest's stream types. Where the
 * manifest calls a dump intact (not "malformed"), the MemoryList/Memory64List counts and byte
 * totals and the captured bytes agree with it; for malformed dumps, the streams it lists as
 * out of the file are the ones reported. Exits 77 (skipped) when the folder is absent.
 */
#include "manifest.h"
#include "suite.h"

#include <stdio.h>
#include <string.h>

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    ck_assert_msg(fp != NULL, "cannot open %s", path);
    fseek(fp, 0, SEEK_END);
    const long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    uint8_t *data = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(data, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *len = (size_t)n;
    return data;
}

/* The manifest's name for a stream type: ours without "Stream", or 0x%08x when unknown. */
static void manifest_name(uint32_t type, char *out, size_t cap)
{
    const char *name = dmp_stream_type_name(type);
    if (!name) {
        snprintf(out, cap, "0x%08x", type);
        return;
    }
    snprintf(out, cap, "%s", name);
    char *suffix = strstr(out, "Stream");
    if (suffix && suffix[6] == '\0')
        *suffix = '\0';
}

/* The manifest lists each stream by our name or, for types it has no name for (LLDB's
 * 0x4767000b-d, which we name after LLVM), by the hex form: either matches. */
static void check_stream_types(const dmp_file *f, const char *file, const char *types)
{
    char want[2048], got[2048] = "";
    snprintf(want, sizeof want, "%s", types);
    bool same = true;
    char *save = NULL, *tok = strtok_r(want, ",", &save);
    for (size_t i = 0; i < dmp_stream_count(f); i++) {
        dmp_stream s;
        ck_assert_int_eq(dmp_stream_get(f, i, &s), DMP_OK);
        char name[64], hex[16];
        manifest_name(s.type, name, sizeof name);
        snprintf(hex, sizeof hex, "0x%08x", s.type);
        same = same && tok && (strcmp(tok, name) == 0 || strcmp(tok, hex) == 0);
        tok = tok ? strtok_r(NULL, ",", &save) : NULL;
        const size_t at = strlen(got);
        snprintf(got + at, sizeof got - at, "%s%s", i ? "," : "", name);
    }
    ck_assert_msg(same && !tok, "%s: stream types\n  got  %s\n  want %s", file, got, types);
}

/* Every index entry reads back as the file's bytes at its offset, and the two opens agree. */
static void check_ranges(const dmp_file *f, const dmp_file *g, const char *file,
                         const uint8_t *data, size_t len)
{
    ck_assert_uint_eq(dmp_range_count(f), dmp_range_count(g));
    uint64_t prev_end = 0;
    for (size_t i = 0; i < dmp_range_count(f); i++) {
        dmp_range r, q;
        ck_assert_int_eq(dmp_range_get(f, i, &r), DMP_OK);
        ck_assert_int_eq(dmp_range_get(g, i, &q), DMP_OK);
        ck_assert_msg(r.addr == q.addr && r.size == q.size && r.file_offset == q.file_offset &&
                          r.descriptor == q.descriptor && r.flags == q.flags,
                      "%s: entry %zu differs between mapped and buffer opens", file, i);
        ck_assert_msg(i == 0 || r.addr >= prev_end, "%s: entries unsorted", file);
        prev_end = r.addr + r.size;
        ck_assert_msg(r.file_offset <= len && r.size <= len - r.file_offset,
                      "%s: entry %zu outside the file", file, i);
        uint8_t *buf = malloc((size_t)r.size);
        size_t got = 0;
        ck_assert_int_eq(dmp_read_memory(f, r.addr, buf, (size_t)r.size, &got), DMP_OK);
        ck_assert_uint_eq(got, r.size);
        ck_assert_msg(memcmp(buf, data + r.file_offset, (size_t)r.size) == 0,
                      "%s: entry %zu at 0x%llx does not read back", file, i,
                      (unsigned long long)r.addr);
        free(buf);
    }
}

static int compare_u64(const void *a, const void *b)
{
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The manifest counts descriptors and their declared bytes ("N/BYTES", or "-" when the list is
 * absent); the index holds the bytes each descriptor kept. A descriptor is either in the index
 * (possibly split into several entries by an earlier one) or wholly shadowed, and every
 * shadowed byte has an overlap diagnostic: the two together must give back the manifest's
 * figures. Returns the list's declared bytes. */
static unsigned long long check_list(const dmp_file *f, const char *file, const char *want,
                                     uint32_t type)
{
    unsigned long long count = 0, bytes = 0;
    if (strcmp(want, "-") != 0)
        ck_assert_int_eq(sscanf(want, "%llu/%llu", &count, &bytes), 2);
    /* A descriptor split into several entries counts once: sort the (stream, descriptor)
     * keys and count the distinct ones. */
    unsigned long long got_count = 0, got_bytes = 0;
    uint64_t *keys = malloc((dmp_range_count(f) + 1) * sizeof *keys);
    size_t nkeys = 0;
    for (size_t i = 0; i < dmp_range_count(f); i++) {
        dmp_range r;
        ck_assert_int_eq(dmp_range_get(f, i, &r), DMP_OK);
        if (r.stream_type != type)
            continue;
        got_bytes += r.size;
        keys[nkeys++] = (uint64_t)r.stream_index << 40 | r.descriptor;
    }
    qsort(keys, nkeys, sizeof *keys, compare_u64);
    for (size_t i = 0; i < nkeys; i++)
        got_count += i == 0 || keys[i] != keys[i - 1];
    free(keys);
    for (size_t i = 0; i < dmp_diag_count(f); i++) {
        dmp_diag d;
        ck_assert_int_eq(dmp_diag_get(f, i, &d), DMP_OK);
        if (d.kind != DMP_DIAG_OVERLAP || d.stream_type != type)
            continue;
        got_bytes += d.size - d.kept;
        got_count += d.kept == 0;
    }
    ck_assert_msg(got_count == count && got_bytes == bytes,
                  "%s: %s has %llu descriptors/%llu bytes, manifest %s", file,
                  dmp_stream_type_name(type), got_count, got_bytes, want);
    return bytes;
}

static size_t count_substr(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

START_TEST(dump_matches_manifest)
{
    const size_t row = (size_t)_i;
    const char *file = manifest_get(row, "file");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", DMPREAD_SHARED_DUMPS, file);
    size_t len;
    uint8_t *data = slurp(path, &len);
    dmp_file *f = NULL, *g = NULL;
    dmp_error err;
    ck_assert_msg(dmp_open_ex(path, NULL, &f, &err) == DMP_OK, "%s: %s", file, err.message);
    ck_assert_int_eq(dmp_open_mem(data, len, &g), DMP_OK);
    ck_assert_uint_eq(dmp_diag_count(f), dmp_diag_count(g));
    check_ranges(f, g, file, data, len);
    check_stream_types(f, file, manifest_get(row, "stream_types"));
    ck_assert_uint_eq(dmp_stream_count(f), strtoul(manifest_get(row, "nstreams"), NULL, 10));
    const bool malformed = strncmp(manifest_get(row, "kind"), "malformed", 9) == 0;
    if (!malformed) {
        const unsigned long long declared =
            check_list(f, file, manifest_get(row, "memlist"), DMP_STREAM_MEMORY_LIST) +
            check_list(f, file, manifest_get(row, "mem64list"), DMP_STREAM_MEMORY64_LIST);
        ck_assert_uint_eq(declared, strtoull(manifest_get(row, "captured_bytes"), NULL, 10));
    }
    const size_t out_of_file = count_substr(manifest_get(row, "anomalies"), "out-of-file");
    const size_t reported = count_diags(f, DMP_DIAG_STREAM_PAST_EOF, NULL) +
                            count_diags(f, DMP_DIAG_STREAM_CLIPPED, NULL);
    ck_assert_msg(reported == out_of_file, "%s: %zu streams reported out of the file, manifest %zu",
                  file, reported, out_of_file);
    dmp_close(g);
    dmp_close(f);
    free(data);
}
END_TEST

int main(void)
{
    if (!manifest_load(DMPREAD_SHARED_DUMPS)) {
        printf("test_corpus: SKIPPED: %s/MANIFEST.tsv not found (the shared dumps are absent)\n",
               DMPREAD_SHARED_DUMPS);
        return 77;
    }
    printf("test_corpus: %zu dumps from %s\n", manifest_rows(), DMPREAD_SHARED_DUMPS);
    Suite *s = suite_create("corpus");
    TCase *tc = tcase_create("shared-dumps");
    tcase_add_loop_test(tc, dump_matches_manifest, 0, (int)manifest_rows());
    suite_add_tcase(s, tc);
    return run_suite(s);
}
