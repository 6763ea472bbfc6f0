/* main.c - the dmpread command: hexdumps or raw bytes of a dump's memory, and its index.
 * SPDX-License-Identifier: MIT
 *
 * Uses only the public API in <dmpread.h>. Exit status: 0 success, 1 the requested memory is
 * not (fully) captured, 2 bad arguments, unreadable or invalid dump, or an output error.
 */
#include <dmpread.h>

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { EXIT_UNCAPTURED = 1, EXIT_ERROR = 2 };

#define CHUNK ((size_t)1 << 16)

static const char usage_text[] =
    "usage: dmpread [--raw] [OPTIONS] FILE ADDR LEN   print LEN bytes of memory at ADDR\n"
    "       dmpread ranges [OPTIONS] FILE             list the captured memory ranges\n"
    "       dmpread --help | --version\n"
    "\n"
    "ADDR and LEN are decimal, or hex with a 0x prefix. A read succeeds only when every\n"
    "byte of [ADDR, ADDR+LEN) was captured in the dump; otherwise nothing is printed and\n"
    "stderr names the first missing byte and the nearest captured ranges.\n"
    "\n"
    "options:\n"
    "  --raw            write exactly the LEN bytes to stdout instead of a hexdump\n"
    "  --max-heap=N     most bytes to hold in memory for gzip or piped input\n"
    "                   (default 4 GiB); FILE may be a .dmp or a gzip-compressed dump\n"
    "  -h, --help       show this help\n"
    "  --version        show the version\n"
    "\n"
    "ranges prints one line per index entry: start, end (exclusive), size, the memory list\n"
    "it came from (directory index and type), its descriptor number, and 'truncated' when\n"
    "the descriptor ran past the end of the file. Diagnostics found while opening follow\n"
    "on stderr.\n"
    "\n"
    "exit status: 0 success, 1 memory not captured, 2 bad arguments or unreadable dump\n";

struct args {
    const char *command; /* "read" or "ranges" */
    const char *positional[3];
    int npositional;
    bool raw;
    uint64_t max_heap;
};

static int fail(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("dmpread: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return EXIT_ERROR;
}

enum num_result { NUM_OK, NUM_BAD, NUM_TOO_BIG };

/* Decimal, or hex after 0x/0X. The whole string must be the number; no sign, no overflow. */
static enum num_result parse_u64(const char *s, uint64_t *out)
{
    unsigned base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (*s == '\0')
        return NUM_BAD;
    uint64_t v = 0;
    bool too_big = false;
    for (; *s; s++) {
        const int c = tolower((unsigned char)*s);
        unsigned digit;
        if (c >= '0' && c <= '9')
            digit = (unsigned)(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            digit = (unsigned)(c - 'a' + 10);
        else
            return NUM_BAD;
        /* Keep scanning after an overflow so "99x" is still reported as not a number. */
        if (too_big || v > (UINT64_MAX - digit) / base)
            too_big = true;
        else
            v = v * base + digit;
    }
    if (too_big)
        return NUM_TOO_BIG;
    *out = v;
    return NUM_OK;
}

/* Parses ADDR or LEN; on failure says why in one line and returns false. */
static bool parse_operand(const char *what, const char *s, uint64_t *out)
{
    switch (parse_u64(s, out)) {
    case NUM_OK:
        return true;
    case NUM_TOO_BIG:
        fail("%s '%s' is too large: the largest is 0xffffffffffffffff", what, s);
        return false;
    case NUM_BAD:
        break;
    }
    if (s[0] == '-')
        fail("%s '%s' is negative: addresses and lengths are unsigned", what, s);
    else
        fail("%s '%s' is not a number (decimal, or hex with 0x)", what, s);
    return false;
}

/* Returns -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, struct args *a)
{
    memset(a, 0, sizeof *a);
    a->command = "read";
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        /* "-1" is a (negative, so rejected) number, not an option: say so as ADDR or LEN. */
        if (!options_done && arg[0] == '-' && arg[1] != '\0' && !isdigit((unsigned char)arg[1])) {
            if (strcmp(arg, "--") == 0) {
                options_done = true;
            } else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
                fputs(usage_text, stdout);
                return EXIT_SUCCESS;
            } else if (strcmp(arg, "--version") == 0) {
                printf("dmpread %s\n", dmp_version_string());
                return EXIT_SUCCESS;
            } else if (strcmp(arg, "--raw") == 0) {
                a->raw = true;
            } else if (strncmp(arg, "--max-heap=", 11) == 0) {
                if (parse_u64(arg + 11, &a->max_heap) != NUM_OK || a->max_heap == 0)
                    return fail("--max-heap: '%s' is not a positive number", arg + 11);
            } else if (strcmp(arg, "--max-heap") == 0) {
                return fail("--max-heap needs a value: --max-heap=N");
            } else {
                return fail("unknown option '%s' (try --help)", arg);
            }
            continue;
        }
        if (a->npositional == 0 && strcmp(a->command, "read") == 0 && strcmp(arg, "ranges") == 0 &&
            !options_done) {
            a->command = "ranges";
            continue;
        }
        if (a->npositional == 3)
            return fail("too many arguments (try --help)");
        a->positional[a->npositional++] = arg;
    }
    const bool ranges = strcmp(a->command, "ranges") == 0;
    if (ranges && a->npositional > 1)
        return fail("too many arguments: ranges takes one FILE (try --help)");
    if (ranges && a->npositional == 0)
        return fail("missing FILE: usage is 'dmpread ranges FILE' (try --help)");
    if (!ranges && a->npositional < 3)
        return fail("missing %s: usage is 'dmpread [--raw] FILE ADDR LEN' (try --help)",
                    a->npositional == 0   ? "FILE ADDR LEN"
                    : a->npositional == 1 ? "ADDR LEN"
                                          : "LEN");
    if (a->raw && ranges)
        return fail("--raw applies to reads only");
    return -1;
}

static int open_dump(const struct args *a, dmp_file **f)
{
    const dmp_options opts = {a->max_heap};
    dmp_error err;
    if (dmp_open_ex(a->positional[0], &opts, f, &err) != DMP_OK) {
        /* I/O messages already start with the path; do not print it twice. */
        const char *const path = a->positional[0];
        const size_t n = strlen(path);
        const char *msg = err.message;
        if (strncmp(msg, path, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ')
            msg += n + 2;
        fprintf(stderr, "dmpread: %s: %s%s\n", path, msg,
                err.status == DMP_E_TOO_LARGE ? " (raise it with --max-heap=N)" : "");
        return EXIT_ERROR;
    }
    return -1;
}

static void print_diagnostics(const dmp_file *f, const char *path)
{
    char line[512];
    for (size_t i = 0;; i++) {
        dmp_diag d;
        if (dmp_diag_get(f, i, &d) != DMP_OK)
            break;
        dmp_diag_format(&d, line, sizeof line);
        fprintf(stderr, "dmpread: %s: %s\n", path, line);
    }
}

/* The exclusive end of a range as "0x...", 16 digits when `pad`; an end of 2^64 needs 17. */
static void print_end(FILE *out, uint64_t addr, uint64_t size, bool pad)
{
    if (size > 0 && addr + size == 0)
        fputs("0x10000000000000000", out);
    else
        fprintf(out, pad ? "0x%016" PRIx64 : "0x%" PRIx64, addr + size);
}

static void print_range(FILE *out, const dmp_range *r)
{
    const char *name = dmp_stream_type_name(r->stream_type);
    fprintf(out, "0x%016" PRIx64 " ", r->addr);
    print_end(out, r->addr, r->size, true);
    fprintf(out, " %12" PRIu64 "  stream %" PRIu32 " %-18s desc %" PRIu64 "%s\n", r->size,
            r->stream_index, name ? name : "?", r->descriptor,
            r->flags & DMP_RANGE_TRUNCATED ? "  truncated" : "");
}

static int cmd_ranges(const dmp_file *f, const char *path)
{
    const size_t n = dmp_range_count(f);
    for (size_t i = 0; i < n; i++) {
        dmp_range r;
        if (dmp_range_get(f, i, &r) == DMP_OK)
            print_range(stdout, &r);
    }
    print_diagnostics(f, path);
    return EXIT_SUCCESS;
}

/* Says which bytes of [addr, addr+len) are missing, and what is captured around them. */
static int report_uncaptured(const dmp_file *f, uint64_t addr, uint64_t len, uint64_t missing)
{
    fprintf(stderr,
            "dmpread: 0x%" PRIx64 "+0x%" PRIx64 " is not fully captured: first missing byte at "
            "0x%" PRIx64 " (%" PRIu64 " of %" PRIu64 " bytes readable from 0x%" PRIx64 ")\n",
            addr, len, missing, missing - addr, len, addr);
    /* Name the readable runs around the gap, adjacent index entries joined, as a reader
     * would retry with them. */
    size_t next;
    const bool has_next = dmp_range_next(f, missing, &next) == DMP_OK;
    size_t below = has_next ? next : dmp_range_count(f);
    dmp_range r;
    if (below > 0 && dmp_range_get(f, --below, &r) == DMP_OK) {
        const uint64_t end_addr = r.addr;
        const uint64_t end_size = r.size;
        dmp_range prev;
        while (below > 0 && dmp_range_get(f, below - 1, &prev) == DMP_OK &&
               prev.addr + prev.size == r.addr) {
            r = prev;
            below--;
        }
        fprintf(stderr, "dmpread: nearest captured memory below: 0x%" PRIx64 "-", r.addr);
        print_end(stderr, end_addr, end_size, false);
        fputc('\n', stderr);
    }
    if (has_next && dmp_range_get(f, next, &r) == DMP_OK) {
        fprintf(stderr, "dmpread: nearest captured memory above: 0x%" PRIx64 "-", r.addr);
        const uint64_t run = dmp_readable_len(f, r.addr);
        print_end(stderr, r.addr, run, false);
        fputc('\n', stderr);
    }
    if (dmp_range_count(f) == 0)
        fputs("dmpread: the dump captured no memory\n", stderr);
    return EXIT_UNCAPTURED;
}

/* One hexdump line: address, 16 bytes in two groups of 8, then the printable characters. */
static void hexdump_line(uint64_t addr, const uint8_t *p, size_t n)
{
    char line[100];
    int at = snprintf(line, sizeof line, "0x%016" PRIx64 " ", addr);
    for (size_t i = 0; i < 16; i++) {
        if (i == 8)
            line[at++] = ' ';
        if (i < n)
            at += snprintf(line + at, sizeof line - (size_t)at, " %02x", p[i]);
        else
            at += snprintf(line + at, sizeof line - (size_t)at, "   ");
    }
    at += snprintf(line + at, sizeof line - (size_t)at, "  |");
    for (size_t i = 0; i < n; i++)
        line[at++] = isprint(p[i]) && p[i] < 0x7f ? (char)p[i] : '.';
    line[at++] = '|';
    line[at++] = '\n';
    fwrite(line, 1, (size_t)at, stdout);
}

static int cmd_read(const dmp_file *f, const struct args *a)
{
    assert(a->positional[1] && a->positional[2]);
    uint64_t addr, len;
    if (!parse_operand("ADDR", a->positional[1], &addr) ||
        !parse_operand("LEN", a->positional[2], &len))
        return EXIT_ERROR;
    uint64_t missing;
    const dmp_status st = dmp_find_uncovered(f, addr, len, &missing);
    if (st == DMP_E_WRAP)
        return fail("0x%" PRIx64 "+0x%" PRIx64 " runs past the end of the address space", addr,
                    len);
    if (st == DMP_E_UNMAPPED)
        return report_uncaptured(f, addr, len, missing);
    /* All captured: copy in chunks so LEN is never one allocation. */
    static uint8_t buf[CHUNK];
    for (uint64_t done = 0; done < len;) {
        const size_t n = len - done < CHUNK ? (size_t)(len - done) : CHUNK;
        if (dmp_read_memory(f, addr + done, buf, n, NULL) != DMP_OK)
            return fail("internal error: captured memory at 0x%" PRIx64 " did not read",
                        addr + done);
        if (a->raw) {
            if (fwrite(buf, 1, n, stdout) != n)
                break;
        } else {
            for (size_t i = 0; i < n; i += 16)
                hexdump_line(addr + done + i, buf + i, n - i < 16 ? n - i : 16);
        }
        done += n;
    }
    return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
    struct args a;
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0)
        return rc;
    dmp_file *f = NULL;
    /* parse_args returned -1: the command's operands are all there. */
    assert(a.positional[0] && (strcmp(a.command, "ranges") == 0 || a.positional[2]));
    if ((rc = open_dump(&a, &f)) >= 0)
        return rc;
    if (strcmp(a.command, "ranges") == 0)
        rc = cmd_ranges(f, a.positional[0]);
    else
        rc = cmd_read(f, &a);
    dmp_close(f);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "dmpread: error writing output: %s\n", strerror(errno));
        return EXIT_ERROR;
    }
    return rc;
}
