/* main.c - the dmpread command: a dump's memory, its index, and what a triage asks of it.
 * SPDX-License-Identifier: MIT
 *
 * Uses only the public API in <dmpread.h>. Exit status: 0 success, 1 the requested memory is
 * not (fully) captured, 2 bad arguments, unreadable or invalid dump, or an output error.
 * This file reads the arguments and opens the dump; memory.c, info.c and report.c hold the
 * commands, common.c the output document they share (docs/json.md for --json).
 */
#include "cli.h"
#include "num.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: dmpread [--raw] [OPTIONS] FILE ADDR LEN   print LEN bytes of memory at ADDR\n"
    "       dmpread COMMAND [OPTIONS] FILE...         describe dumps (commands below)\n"
    "       dmpread help | --help | --version\n"
    "\n"
    "commands:\n"
    "  info           the crash at a glance: system, process, exception, crashing thread\n"
    "                 and its registers, faulting module\n"
    "  threads        threads: id, suspend count, priority, TEB, stack, ip and sp, name\n"
    "  modules        loaded and unloaded modules: range, version, debug id, code id, PDB\n"
    "  memory-info    the process's memory regions: state, protection, type\n"
    "  streams        the stream directory\n"
    "  stream         one stream's bytes: dmpread stream [--raw | --hex] FILE TYPE|#INDEX;\n"
    "                 TYPE a number or a name as 'streams' prints it, #INDEX its directory\n"
    "                 index; raw bytes, or a hexdump (file offsets) when stdout is a terminal\n"
    "  linux          Breakpad's Linux streams: command line, environment, lsb-release,\n"
    "                 process status, cpu info, maps, auxv, loaded objects (r_debug)\n"
    "  ranges         the captured memory ranges\n"
    "  stack          each thread's backtrace: dmpread stack [--symbols DIR]... [--images DIR]...\n"
    "                 [--thread ID | --all] [--registers] [--breakpad | --no-images] FILE\n"
    "                 (the crashing thread by default); --images: folders of module files\n"
    "                 (exe, dll, so) whose unwind data and names are used without symbols\n"
    "  symbolize      dmpread symbolize [--json] SYMFILE ADDR...: what a Breakpad .sym says\n"
    "                 of module-relative addresses (function, line, inlines, CFI, STACK WIN)\n"
    "\n"
    "ADDR and LEN are decimal, or hex with a 0x prefix. ADDR may also be a register of the\n"
    "crash (rsp, rip, pc, sp, esp, x29, ... from the exception's context, else the first\n"
    "thread's) or a module by file name (crashme.exe, or crashme), either with +OFFSET:\n"
    "'dmpread crash.dmp rsp+0x20 64', 'dmpread crash.dmp crashme.exe+0x83d8 16'. A read\n"
    "succeeds only when every byte of [ADDR, ADDR+LEN) was captured in the dump; otherwise\n"
    "nothing is printed and stderr names the first missing byte and the nearest captured\n"
    "ranges.\n"
    "\n"
    "options:\n"
    "  --raw            write exactly the LEN bytes to stdout instead of a hexdump\n"
    "  -s, --squeeze    in a hexdump, show a run of equal lines as one '*' (the last line\n"
    "                   of the read is always shown)\n"
    "  --words          print the memory as pointer-size words, each with the module and\n"
    "                   offset it points into (LEN: a multiple of the pointer size)\n"
    "  --json           write one JSON document to stdout instead (schema: docs/json.md),\n"
    "                   with the diagnostics in it; a FILE that does not open gets a\n"
    "                   document with \"error\" (usage errors print nothing on stdout);\n"
    "                   with several FILEs, one document a line (JSON Lines)\n"
    "  -q, --quiet      do not print the dump's diagnostics on stderr; one line counts them\n"
    "  --max-heap=N     most bytes to hold in memory for the dump: its gzip or piped\n"
    "                   input (default 4 GiB) and what is decoded from it (default 8\n"
    "                   times the dump plus 16 MiB), together; N may end in K, M or G.\n"
    "                   FILE may be a .dmp or a gzip-compressed dump, or - for stdin\n"
    "  -h, --help       show this help\n"
    "  --version        show the version\n"
    "\n"
    "ranges prints one line per index entry: start, end (exclusive), size, the memory list\n"
    "it came from (directory index and type), its descriptor number, and 'truncated' when\n"
    "the descriptor ran past the end of the file. The commands print the diagnostics found\n"
    "while opening on stderr, after their output. Given several FILEs, a command reports\n"
    "on each in turn under a line '==> FILE <==', going on past any that does not open.\n"
    "\n"
    "exit status: 0 success, 1 memory not captured, 2 bad arguments or unreadable dump;\n"
    "with several FILEs, the highest status of any of them (2: at least one failed)\n";

static const struct {
    const char *name;
    enum command command;
} commands[] = {
    {"ranges", CMD_RANGES},
    {"info", CMD_INFO},
    {"threads", CMD_THREADS},
    {"modules", CMD_MODULES},
    {"memory-info", CMD_MEMORY_INFO},
    {"streams", CMD_STREAMS},
    {"linux", CMD_LINUX},
};

/* Sets the command when `arg` names one. */
static bool take_command(struct args *a, const char *arg)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(arg, commands[i].name) == 0) {
            a->command = commands[i].command;
            a->command_name = commands[i].name;
            return true;
        }
    }
    return false;
}

static int take_max_heap(struct args *a, const char *value)
{
    if (!parse_size(value, &a->max_heap) || a->max_heap == 0)
        return fail("--max-heap: '%s' is not a positive size (N, NK, NM or NG)", value);
    return -1;
}

/* One option: -1 to go on, else the exit status. */
static int take_option(struct args *a, const char *arg)
{
    if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
        fputs(usage_text, stdout);
        return EXIT_SUCCESS;
    } else if (strcmp(arg, "--version") == 0) {
        printf("dmpread %s\n", dmp_version_string());
        return EXIT_SUCCESS;
    } else if (strcmp(arg, "--raw") == 0) {
        a->raw = true;
    } else if (strcmp(arg, "--json") == 0) {
        a->json = true;
    } else if (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0) {
        a->quiet = true;
    } else if (strcmp(arg, "-s") == 0 || strcmp(arg, "--squeeze") == 0) {
        a->squeeze = true;
    } else if (strcmp(arg, "--words") == 0) {
        a->words = true;

    } else if (strncmp(arg, "--max-heap=", 11) == 0) {
        return take_max_heap(a, arg + 11);
    } else if (strcmp(arg, "--max-heap") == 0) {
        return fail("--max-heap needs a value: --max-heap=N or --max-heap N");
    } else {
        return fail("unknown option '%s' (try --help)", arg);
    }
    return -1;
}

/* The distance between two short words (insertions, deletions, substitutions), capped. */
static unsigned edit_distance(const char *x, const char *y)
{
    enum { MAX = 32 };
    const size_t n = strlen(x), m = strlen(y);
    if (n >= MAX || m >= MAX)
        return MAX;
    unsigned row[MAX + 1];
    for (size_t j = 0; j <= m; j++)
        row[j] = (unsigned)j;
    for (size_t i = 1; i <= n; i++) {
        unsigned diag = row[0];
        row[0] = (unsigned)i;
        for (size_t j = 1; j <= m; j++) {
            const unsigned up = row[j];
            unsigned best = diag + (x[i - 1] != y[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[m];
}

/* A first operand that is no file and reads like a word was meant as a command: say so
 * rather than "missing LEN". -1 to go on, else the exit status. */
static int check_command_word(const struct args *a)
{
    const char *const w = a->positional[0];
    struct stat st;
    if (!w || stat(w, &st) == 0 || strcmp(w, "-") == 0)
        return -1;
    for (const char *c = w; *c; c++)
        if (!islower((unsigned char)*c) && *c != '-')
            return -1;
    static const char *const names[] = {"ranges",      "info",    "threads", "modules",
                                        "memory-info", "streams", "stack",   "symbolize",
                                        "help",        "linux",   "stream"};
    const char *best = NULL;
    unsigned best_d = 3;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const unsigned d = edit_distance(w, names[i]);
        if (d < best_d || (strncmp(w, names[i], strlen(w)) == 0 && !best)) {
            best = names[i];
            best_d = d < best_d ? d : best_d;
        }
    }
    if (best)
        return fail("unknown command '%s'; did you mean '%s'? (try --help)", w, best);
    return fail("unknown command '%s', and no file of that name (try --help)", w);
}

/* Whether the operands fit the command: -1 to go on, else the exit status. */
static int check_operands(const struct args *a)
{
    if (a->command == CMD_READ && a->npositional > 0 && a->npositional < 3) {
        const int rc = check_command_word(a);
        if (rc >= 0)
            return rc;
    }
    if (a->command != CMD_READ) {
        if (a->npositional == 0)
            return fail("missing FILE: usage is 'dmpread %s FILE...' (try --help)",
                        a->command_name);
        if (a->raw)
            return fail("--raw applies to reads only");
        if (a->squeeze || a->words)
            return fail("%s applies to reads only", a->squeeze ? "--squeeze" : "--words");
        return -1;
    }
    if (a->npositional < 3)
        return fail("missing %s: usage is 'dmpread [--raw] FILE ADDR LEN' (try --help)",
                    a->npositional == 0   ? "FILE ADDR LEN"
                    : a->npositional == 1 ? "ADDR LEN"
                                          : "LEN");
    if (a->npositional > 3)
        return fail("too many arguments (try --help)");
    if (a->raw && a->json)
        return fail("--raw and --json exclude each other");
    if ((a->json || a->words) && a->squeeze)
        return fail("--squeeze applies to hexdumps, not %s", a->json ? "--json" : "--words");
    if (a->raw && (a->squeeze || a->words))
        return fail("--raw and %s exclude each other", a->squeeze ? "--squeeze" : "--words");
    return -1;
}

/* Returns -1 to go on, else the exit status. `a->positional` must hold argc pointers. */
static int parse_args(int argc, char **argv, struct args *a)
{
    a->command = CMD_READ;
    a->command_name = "read";
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        /* "-1" is a (negative, so rejected) number, not an option: say so as ADDR or LEN.
         * "-" alone is standard input. */
        if (!options_done && arg[0] == '-' && arg[1] != '\0' && !isdigit((unsigned char)arg[1])) {
            int rc;
            if (strcmp(arg, "--") == 0)
                options_done = true;
            else if (strcmp(arg, "--max-heap") == 0 && i + 1 < argc) {
                if ((rc = take_max_heap(a, argv[++i])) >= 0)
                    return rc;
            } else if ((rc = take_option(a, arg)) >= 0)
                return rc;
            continue;
        }
        if (a->npositional == 0 && a->command == CMD_READ && !options_done && take_command(a, arg))
            continue;
        a->positional[a->npositional++] = arg;
    }
    a->many = a->command != CMD_READ && a->npositional > 1;
    return check_operands(a);
}

/* Inflating a large gzip dump takes a while: after a second, a line on a terminal's stderr
 * says how far it is, rewritten in place and cleared when done. */
struct progress {
    const char *path;
    struct timespec start;
    bool tty, shown;
};

static void show_progress(void *ctx, uint64_t in_done, uint64_t in_total, uint64_t out_done)
{
    struct progress *const p = ctx;
    struct timespec now;
    if (!p->tty || timespec_get(&now, TIME_UTC) != TIME_UTC)
        return;
    const double elapsed =
        (double)(now.tv_sec - p->start.tv_sec) + (double)(now.tv_nsec - p->start.tv_nsec) / 1e9;
    if (elapsed < 1.0)
        return;
    const unsigned pct = in_total ? (unsigned)(in_done * 100 / in_total) : 0;
    fprintf(stderr, "\rdmpread: %s: inflating, %u%% of the input read, %.0f MiB out", p->path, pct,
            (double)out_done / (1 << 20));
    p->shown = true;
}

/* Opens one FILE; on failure says why (on stderr, and as an error document with --json) and
 * returns EXIT_ERROR, else -1. */
static int open_dump(const struct args *a, const char *path, dmp_file **f)
{
    assert(path); /* the argument parser never leaves a FILE out */
    struct progress p = {.path = path, .tty = isatty(STDERR_FILENO) == 1};
    if (timespec_get(&p.start, TIME_UTC) != TIME_UTC)
        p.tty = false;
    /* --max-heap bounds everything held for the dump: the input's copy and what is built. */
    const dmp_options opts = {.max_heap_input = a->max_heap,
                              .inflate_progress = show_progress,
                              .inflate_progress_ctx = &p,
                              .max_alloc = a->max_heap};
    dmp_error err;
    const dmp_status st = dmp_open_ex(dump_path(path), &opts, f, &err);
    if (p.shown)
        fputs("\r\033[K", stderr); /* clear the progress line */
    if (st != DMP_OK) {
        /* I/O messages already start with the path; do not print it twice. */
        const size_t n = strlen(path);
        const char *msg = err.message;
        if (strncmp(msg, path, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ')
            msg += n + 2;
        const char *const hint =
            err.status == DMP_E_TOO_LARGE ? " (raise it with --max-heap=N)" : "";
        if (a->json) {
            char line[400];
            snprintf(line, sizeof line, "%s%s", msg, hint);
            doc_error(a, path, err.status, line);
        }
        fflush(stdout);
        fprintf(stderr, "dmpread: %s: %s%s\n", path, msg, hint);
        return EXIT_ERROR;
    }
    return -1;
}

static int run_command(struct run *r)
{
    switch (r->a->command) {
    case CMD_READ:
        return cmd_read(r);
    case CMD_RANGES:
        return cmd_ranges(r);
    case CMD_INFO:
        return cmd_info(r);
    case CMD_THREADS:
        return cmd_threads(r);
    case CMD_MODULES:
        return cmd_modules(r);
    case CMD_MEMORY_INFO:
        return cmd_memory_info(r);
    case CMD_STREAMS:
        return cmd_streams(r);
    case CMD_LINUX:
        return cmd_linux(r);
    }
    return EXIT_ERROR;
}

/* One FILE: its header line when there are several (text mode), then the command. */
static int run_file(const struct args *a, const char *path, bool first, size_t *hidden)
{
    if (a->many && !a->json)
        printf("%s==> %s <==\n", first ? "" : "\n", path);
    dmp_file *f = NULL;
    int rc = open_dump(a, path, &f);
    if (rc >= 0)
        return rc;
    struct run r = {.f = f, .path = path, .a = a, .hidden = hidden};
    rc = run_command(&r);
    dmp_close(f);
    return rc;
}

/* Every FILE in turn, going on past one that fails: the status is the highest of theirs. */
static int run_files(const struct args *a)
{
    const int nfiles = a->command == CMD_READ ? 1 : a->npositional;
    size_t hidden = 0;
    int rc = EXIT_SUCCESS;
    for (int i = 0; i < nfiles && !ferror(stdout); i++) {
        const int file_rc = run_file(a, a->positional[i], i == 0, &hidden);
        if (file_rc > rc)
            rc = file_rc;
    }
    if (hidden > 0)
        fprintf(stderr, "dmpread: %zu diagnostic%s not shown (-q)\n", hidden,
                hidden == 1 ? "" : "s");
    return rc;
}

/* The commands that read their own options: the first operand names one of them. */
static int (*own_command(int argc, char **argv))(int, char **)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return NULL;
        if (argv[i][0] != '-' || argv[i][1] == '\0')
            return strcmp(argv[i], "symbolize") == 0 ? cmd_symbolize
                   : strcmp(argv[i], "stack") == 0   ? cmd_stack
                   : strcmp(argv[i], "stream") == 0  ? cmd_stream
                                                     : NULL;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "help") == 0) {
        fputs(usage_text, stdout);
        return EXIT_SUCCESS;
    }
    int (*const own)(int, char **) = own_command(argc, argv);
    if (own) {
        const int rc = own(argc, argv);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fprintf(stderr, "dmpread: error writing output: %s\n", strerror(errno));
            return EXIT_ERROR;
        }
        return rc;
    }
    struct args a = {0};
    a.positional = calloc((size_t)argc, sizeof *a.positional);
    if (!a.positional)
        return fail("out of memory");
    int rc = parse_args(argc, argv, &a);
    if (rc < 0)
        rc = run_files(&a);
    free(a.positional);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "dmpread: error writing output: %s\n", strerror(errno));
        return EXIT_ERROR;
    }
    return rc;
}
