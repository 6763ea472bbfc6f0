/* stream.c - `dmpread stream FILE TYPE|#INDEX`: one stream's bytes, raw or as a hexdump.
 * SPDX-License-Identifier: MIT
 *
 * The stream is picked by directory index (#N, as `streams` numbers them) or by type: a number
 * (decimal or 0x hex) or a name as `streams` prints it, with or without its "Stream" suffix,
 * any case. A type the directory holds more than once is ambiguous: the error lists the
 * indices to pick from.
 */
#include "cli.h"

#include <assert.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static const char stream_usage[] =
    "usage: dmpread stream [--raw | --hex] [--max-heap=N] FILE TYPE|#INDEX";

/* Whether `name` names `type`: "LinuxMapsStream", "linuxmaps", ... */
static bool name_matches(const char *name, uint32_t type)
{
    const char *const full = dmp_stream_type_name(type);
    if (!full)
        return false;
    const size_t n = strlen(full), k = strlen(name);
    return strcasecmp(name, full) == 0 ||
           (n > 6 && k == n - 6 && strcasecmp(full + k, "Stream") == 0 &&
            strncasecmp(name, full, k) == 0);
}

/* The type a name stands for, among the dump's streams and then every type the library
 * names. */
static bool type_of_name(const dmp_file *f, const char *name, uint32_t *type)
{
    dmp_stream s;
    for (size_t i = 0; dmp_stream_get(f, i, &s) == DMP_OK; i++) {
        if (name_matches(name, s.type)) {
            *type = s.type;
            return true;
        }
    }
    static const uint32_t first[] = {0, 0x47670001, 0x43500001};
    for (size_t r = 0; r < sizeof first / sizeof first[0]; r++) {
        for (uint32_t t = first[r]; t < first[r] + 64; t++) {
            if (name_matches(name, t)) {
                *type = t;
                return true;
            }
        }
    }
    return false;
}

/* Finds the one stream `sel` means: -1 with *index set, else the exit status. */
static int select_stream(const dmp_file *f, const char *path, const char *sel, size_t *index)
{
    uint64_t v;
    if (sel[0] == '#') {
        if (!parse_u64(sel + 1, &v))
            return fail("stream: '%s' is not an index (#N, as 'streams' numbers them)", sel);
        if (v >= dmp_stream_count(f))
            return fail("stream: %s: no stream %s (the directory has %zu)", path, sel,
                        dmp_stream_count(f));
        *index = (size_t)v;
        return -1;
    }
    uint32_t type;
    if (parse_u64(sel, &v)) {
        if (v > UINT32_MAX)
            return fail("stream: type '%s' is past 0xffffffff", sel);
        type = (uint32_t)v;
    } else if (!type_of_name(f, sel, &type)) {
        return fail("stream: '%s' is no stream type (a number, a name as 'streams' prints "
                    "it, or #INDEX)",
                    sel);
    }
    const char *const name = dmp_stream_type_name(type);
    size_t at, next;
    if (dmp_stream_find(f, type, 0, &at) != DMP_OK)
        return fail("stream: %s: the dump has no %s (type 0x%" PRIx32 ")", path,
                    name ? name : "stream of that type", type);
    if (dmp_stream_find(f, type, at + 1, &next) == DMP_OK) {
        fprintf(stderr,
                "dmpread: stream: %s: %s%stype 0x%" PRIx32 "%s is there more than once:", path,
                name ? name : "", name ? " (" : "stream ", type, name ? ")" : "");
        for (size_t i = at; dmp_stream_find(f, type, i, &i) == DMP_OK; i++)
            fprintf(stderr, " #%zu", i);
        fprintf(stderr, "; pick one by index\n");
        return EXIT_ERROR;
    }
    *index = at;
    return -1;
}

struct stream_args {
    const char *operands[2];
    int count;
    int mode; /* 0: hexdump on a terminal, else raw; 'r': raw; 'h': hexdump */
    uint64_t max_heap;
};

static int parse_stream_args(int argc, char **argv, struct stream_args *a)
{
    bool seen_command = false, options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *const arg = argv[i];
        if (!seen_command && strcmp(arg, "stream") == 0) {
            seen_command = true;
        } else if (!options_done && strcmp(arg, "--") == 0) {
            options_done = true;
        } else if (!options_done && (strcmp(arg, "--raw") == 0 || strcmp(arg, "--hex") == 0)) {
            if (a->mode && a->mode != arg[2])
                return fail("stream: --raw and --hex exclude each other");
            a->mode = arg[2];
        } else if (!options_done && strncmp(arg, "--max-heap=", 11) == 0) {
            if (!parse_u64(arg + 11, &a->max_heap) || a->max_heap == 0)
                return fail("stream: --max-heap: '%s' is not a positive byte count", arg + 11);
        } else if (!options_done && arg[0] == '-' && arg[1] != '\0') {
            return fail("stream: unknown option '%s' (%s)", arg, stream_usage);
        } else if (a->count == 2) {
            return fail("stream: too many arguments (%s)", stream_usage);
        } else {
            a->operands[a->count++] = arg;
        }
    }
    if (a->count < 2)
        return fail("stream: missing %s (%s)", a->count == 0 ? "FILE and TYPE" : "TYPE",
                    stream_usage);
    return -1;
}

static int write_stream(const dmp_stream *s, size_t index, bool hex)
{
    if (!hex)
        return fwrite(s->data ? s->data : "", 1, (size_t)s->size, stdout) == s->size ? EXIT_SUCCESS
                                                                                     : EXIT_ERROR;
    const uint8_t *const p = s->data;
    printf("stream #%zu, %s (type 0x%" PRIx32 "), %" PRIu64 " bytes at file offset 0x%" PRIx32 "\n",
           index, dmp_stream_type_name(s->type) ? dmp_stream_type_name(s->type) : "unknown",
           s->type, s->size, s->rva);
    for (uint64_t off = 0; off < s->size; off += 16)
        hexdump_line(s->rva + off, p + off, s->size - off < 16 ? (size_t)(s->size - off) : 16);
    return EXIT_SUCCESS;
}

int cmd_stream(int argc, char **argv)
{
    struct stream_args a = {{NULL, NULL}, 0, 0, 0};
    int rc = parse_stream_args(argc, argv, &a);
    if (rc >= 0)
        return rc;
    assert(a.operands[0] && a.operands[1]); /* parse_stream_args returns -1 with both */
    const dmp_options opts = {.max_heap_input = a.max_heap, .max_alloc = a.max_heap};
    dmp_file *f;
    dmp_error err;
    if (dmp_open_ex(dump_path(a.operands[0]), &opts, &f, &err) != DMP_OK) {
        /* I/O messages already start with the path, as in main.c. */
        const size_t n = strlen(a.operands[0]);
        const bool named = strncmp(err.message, a.operands[0], n) == 0 && err.message[n] == ':';
        return named ? fail("%s", err.message) : fail("%s: %s", a.operands[0], err.message);
    }
    size_t index = 0;
    rc = select_stream(f, a.operands[0], a.operands[1], &index);
    if (rc < 0) {
        dmp_stream s;
        rc = EXIT_ERROR;
        if (dmp_stream_get(f, index, &s) == DMP_OK) {
            if (s.flags & (DMP_STREAM_PAST_EOF | DMP_STREAM_CLIPPED))
                fprintf(stderr,
                        "dmpread: stream: #%zu: %" PRIu32
                        " bytes written in the directory, %" PRIu64 " inside the file\n",
                        index, s.data_size, s.size);
            const bool hex = a.mode == 'h' || (a.mode == 0 && isatty(STDOUT_FILENO));
            rc = write_stream(&s, index, hex);
        }
    }
    dmp_close(f);
    return rc;
}
