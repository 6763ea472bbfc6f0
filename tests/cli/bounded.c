/* bounded.c - the dmpread command's output and memory bounded by its input (issue 12, parts
 * 4 and 5), on hostile dumps made here with tests/mkdump.
 * SPDX-License-Identifier: MIT
 *
 * usage: bounded DMPREAD SCRATCH_DIR [--no-rss] [--keep]
 *
 * The dumps are written into SCRATCH_DIR and removed after their case, unless --keep.
 *
 * Each case builds a small dump in which many entries share one long string (a thread name,
 * an annotation value, a module name), runs one command on it and counts what it prints:
 * stdout must stay within OUT_FACTOR times the dump's size plus OUT_BASE (the output budget,
 * cli/budget.h, is 4x plus 1 MiB of strings; the rest is each entry's own fields). Before
 * the budget these printed hundreds of times the dump; the count stops, and the command is
 * killed, as soon as the bound is passed, so a failure costs no more than the bound.
 *
 * `streams` on a directory of a million entries checks that a text table keeps no rows: the
 * command's peak RSS (wait4) must stay under RSS_FACTOR times the dump plus RSS_BASE; it
 * held every row as strings before (373 MB for 12 MB). --no-rss skips that check, for
 * sanitizer builds whose shadow memory says nothing about the command's own.
 */
#define _DEFAULT_SOURCE /* wait4, kill */
#include "mkdump.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define OUT_FACTOR 16
#define OUT_BASE ((uint64_t)2 << 20)
#define RSS_FACTOR 3
#define RSS_BASE ((uint64_t)48 << 20)

#define STREAM_THREAD_LIST 3
#define STREAM_MODULE_LIST 4
#define STREAM_MEMORY_LIST 5
#define STREAM_EXCEPTION 6
#define STREAM_SYSTEM_INFO 7
#define STREAM_THREAD_NAMES 24
#define STREAM_CRASHPAD_INFO 0x43500001u

static char *dmpread;
static const char *scratch;
static int failures;
static bool keep; /* --keep: leave the dumps for a look */

struct buf {
    uint8_t *p;
    size_t len, cap;
};

static void put(struct buf *b, const void *data, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort();
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void put16(struct buf *b, uint16_t v)
{
    uint8_t p[2];
    mkd_store_u16(p, v);
    put(b, p, 2);
}

static void put32(struct buf *b, uint32_t v)
{
    uint8_t p[4];
    mkd_store_u32(p, v);
    put(b, p, 4);
}

static void put64(struct buf *b, uint64_t v)
{
    uint8_t p[8];
    mkd_store_u64(p, v);
    put(b, p, 8);
}

static uint32_t append(struct mkdump *d, struct buf *b)
{
    const uint64_t rva = mkd_append(d, b->p, b->len);
    free(b->p);
    memset(b, 0, sizeof *b);
    return (uint32_t)rva;
}

static uint32_t add_stream(struct mkdump *d, uint32_t type, struct buf *b)
{
    const uint32_t index = mkd_add_stream_data(d, type, b->p, b->len);
    free(b->p);
    memset(b, 0, sizeof *b);
    return index;
}

/* A MINIDUMP_STRING of n UTF-16 units 'a'..'z' over and over; returns its RVA. */
static uint32_t add_long_utf16(struct mkdump *d, size_t n)
{
    struct buf b = {0};
    put32(&b, (uint32_t)(2 * n));
    for (size_t i = 0; i < n; i++)
        put16(&b, (uint16_t)('a' + i % 26));
    put16(&b, 0);
    return append(d, &b);
}

/* Crashpad's MinidumpUTF8String of n bytes; returns its RVA. */
static uint32_t add_long_utf8(struct mkdump *d, size_t n)
{
    struct buf b = {0};
    put32(&b, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        const uint8_t c = (uint8_t)('a' + i % 26);
        put(&b, &c, 1);
    }
    const uint8_t nul = 0;
    put(&b, &nul, 1);
    return append(d, &b);
}

/* n threads, ids 1..n, all with the context at `ctx` (none when 0). */
static void add_threads(struct mkdump *d, uint32_t n, uint32_t ctx)
{
    struct buf b = {0};
    put32(&b, n);
    for (uint32_t i = 0; i < n; i++) {
        put32(&b, i + 1), put32(&b, 0), put32(&b, 0), put32(&b, 0), put64(&b, 0);
        put64(&b, 0), put32(&b, 0), put32(&b, 0);  /* stack */
        put32(&b, ctx ? 1232 : 0), put32(&b, ctx); /* context */
    }
    add_stream(d, STREAM_THREAD_LIST, &b);
}

/* ThreadNamesStream: every thread 1..n named by the one string at `name`. */
static void add_thread_names(struct mkdump *d, uint32_t n, uint32_t name)
{
    struct buf b = {0};
    put32(&b, n);
    for (uint32_t i = 0; i < n; i++)
        put32(&b, i + 1), put64(&b, name);
    add_stream(d, STREAM_THREAD_NAMES, &b);
}

static char *write_dump(struct mkdump *d, const char *name, uint64_t *size)
{
    char *const path = malloc(strlen(scratch) + strlen(name) + 2);
    if (!path)
        abort();
    sprintf(path, "%s/%s", scratch, name);
    if (!mkd_write_file(d, path)) {
        fprintf(stderr, "bounded: cannot write %s\n", path);
        exit(2);
    }
    size_t len;
    mkd_finish(d, &len);
    *size = len;
    mkd_free(d);
    return path;
}

/* Runs dmpread with argv (NULL-terminated, argv[0] unused), counting stdout; stops and kills
 * it past `limit` bytes. Returns the bytes counted; *rss_kib gets the peak RSS. */
static uint64_t run(char **argv, uint64_t limit, long *rss_kib)
{
    int fds[2];
    if (pipe(fds) != 0)
        abort();
    const pid_t pid = fork();
    if (pid < 0)
        abort();
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        const int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, STDERR_FILENO);
        argv[0] = dmpread;
        execv(dmpread, argv);
        _exit(127);
    }
    close(fds[1]);
    uint64_t total = 0;
    static char chunk[1 << 16];
    for (;;) {
        const ssize_t n = read(fds[0], chunk, sizeof chunk);
        if (n <= 0)
            break;
        total += (uint64_t)n;
        if (total > limit) {
            kill(pid, SIGKILL);
            break;
        }
    }
    close(fds[0]);
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid)
        abort();
    *rss_kib = ru.ru_maxrss;
    return total;
}

/* `dmpread ARGS... DUMP [MORE...]` prints at most OUT_FACTOR * size + OUT_BASE bytes. */
static void check_output(const char *what, char **argv, uint64_t size)
{
    const uint64_t limit = OUT_FACTOR * size + OUT_BASE;
    long rss;
    const uint64_t out = run(argv, limit, &rss);
    const bool ok = out <= limit;
    printf("%s %s: a %llu-byte dump printed %s%llu bytes (bound %llu), peak RSS %ld KiB\n",
           ok ? "ok  " : "FAIL", what, (unsigned long long)size, ok ? "" : "more than ",
           (unsigned long long)out, (unsigned long long)limit, rss);
    failures += !ok;
}

/* A MINIDUMP_MODULE_LIST of one module at `base`, 64 KiB, named by the string at `name`. */
static void add_module(struct mkdump *d, uint64_t base, uint32_t name)
{
    struct buf b = {0};
    put32(&b, 1);
    put64(&b, base), put32(&b, 0x10000), put32(&b, 0), put32(&b, 0), put32(&b, name);
    for (int i = 0; i < 52 + 8 + 8 + 16; i++) {
        const uint8_t z = 0;
        put(&b, &z, 1);
    }
    add_stream(d, STREAM_MODULE_LIST, &b);
}

/* A 1232-byte AMD64 CONTEXT with only rsp and rip set; returns its RVA. */
static uint32_t add_context_amd64(struct mkdump *d, uint64_t rsp, uint64_t rip)
{
    uint8_t ctx[1232] = {0};
    mkd_store_u32(ctx + 0x30, 0x10001f); /* ContextFlags: CONTEXT_AMD64 and all parts */
    mkd_store_u64(ctx + 0x98, rsp);
    mkd_store_u64(ctx + 0xf8, rip);
    return (uint32_t)mkd_append(d, ctx, sizeof ctx);
}

/* Finding 4: one module name shared by every thread's IP (all threads share one context):
 * `threads --json` names each thread's IP module, `stack --all` each frame's. (One thread
 * name shared by every thread is bounded by the library already: its strings add up to at
 * most twice the file.) */
static void threads_sharing_a_module(void)
{
    const uint64_t base = 0x10000000;
    const uint32_t n = 500;
    struct mkdump *const d = mkd_new(4);
    add_module(d, base, add_long_utf16(d, 262144));
    add_threads(d, n, add_context_amd64(d, 0x30000000, base + 0x100));
    uint64_t size;
    char *const path = write_dump(d, "thread-modules.dmp", &size);
    char *json[] = {NULL, "threads", "--json", path, NULL};
    check_output("threads --json, one IP module for every thread", json, size);
    char *stack[] = {NULL, "stack", "--all", path, NULL};
    check_output("stack --all, one module for every frame", stack, size);
    char *stack_json[] = {NULL, "stack", "--all", "--json", path, NULL};
    check_output("stack --all --json, one module for every frame", stack_json, size);
    char *text[] = {NULL, "threads", path, NULL};
    check_output("threads, one IP module for every thread (cells were cut at 320 bytes)", text,
                 size);
    if (!keep)
        remove(path);
    free(path);
}

/* Finding 4: one thread, with a long name, named by many exceptions (directory entries that
 * all point at one exception record). */
static void exceptions_sharing_a_thread(void)
{
    const uint32_t n = 2000;
    struct mkdump *const d = mkd_new(n + 4);
    add_threads(d, 1, 0);
    add_thread_names(d, 1, add_long_utf16(d, 262144));
    struct buf b = {0};
    put32(&b, 1), put32(&b, 0);                        /* thread 1, alignment */
    put32(&b, 0xc0000005), put32(&b, 0), put64(&b, 0); /* code, flags, record */
    put64(&b, 0x1000), put32(&b, 0), put32(&b, 0);     /* address, no parameters */
    for (int i = 0; i < 15; i++)
        put64(&b, 0);
    put32(&b, 0), put32(&b, 0); /* no context */
    const uint32_t len = (uint32_t)b.len;
    const uint32_t rva = append(d, &b);
    for (uint32_t i = 0; i < n; i++)
        mkd_add_stream(d, STREAM_EXCEPTION, rva, len);
    uint64_t size;
    char *const path = write_dump(d, "exception-names.dmp", &size);
    char *json[] = {NULL, "info", "--json", path, NULL};
    check_output("info --json, one thread name for every exception", json, size);
    char *text[] = {NULL, "info", path, NULL};
    check_output("info, one thread name for every exception (cut at 1 KiB before)", text, size);
    if (!keep)
        remove(path);
    free(path);
}

/* Finding 4: Crashpad annotations sharing one value: the process's simple annotations and a
 * module's typed ones (value and value_hex). */
static void crashpad_sharing_a_value(void)
{
    const uint32_t n = 1000, len = 262144;
    struct mkdump *const d = mkd_new(4);
    const uint32_t key = add_long_utf8(d, 8), value = add_long_utf8(d, len);
    struct buf b = {0};
    put32(&b, n);
    for (uint32_t i = 0; i < n; i++)
        put32(&b, key), put32(&b, value);
    const uint32_t dict_size = (uint32_t)b.len, dict = append(d, &b);
    /* The typed annotations: u32 length and the bytes, shared. */
    put32(&b, len);
    for (uint32_t i = 0; i < len; i++) {
        const uint8_t c = (uint8_t)('A' + i % 26);
        put(&b, &c, 1);
    }
    const uint32_t object_value = append(d, &b);
    put32(&b, n);
    for (uint32_t i = 0; i < n; i++)
        put32(&b, key), put16(&b, 1), put16(&b, 0), put32(&b, object_value);
    const uint32_t objects_size = (uint32_t)b.len, objects = append(d, &b);
    put32(&b, 1); /* MinidumpModuleCrashpadInfo: version, three locations */
    put32(&b, 0), put32(&b, 0), put32(&b, 0), put32(&b, 0);
    put32(&b, objects_size), put32(&b, objects);
    const uint32_t module_info = append(d, &b);
    put32(&b, 1), put32(&b, 0), put32(&b, 28), put32(&b, module_info);
    const uint32_t links_size = (uint32_t)b.len, links = append(d, &b);
    put32(&b, 1);
    for (int i = 0; i < 32; i++) {
        const uint8_t c = (uint8_t)i;
        put(&b, &c, 1);
    }
    put32(&b, dict_size), put32(&b, dict), put32(&b, links_size), put32(&b, links);
    add_stream(d, STREAM_CRASHPAD_INFO, &b);
    uint64_t size;
    char *const path = write_dump(d, "crashpad-values.dmp", &size);
    char *json[] = {NULL, "info", "--json", path, NULL};
    check_output("info --json, one Crashpad value for every annotation", json, size);
    char *text[] = {NULL, "info", path, NULL};
    check_output("info, one Crashpad value for every annotation (cut at 1 KiB before)", text, size);
    if (!keep)
        remove(path);
    free(path);
}

/* Finding 4: --words names the module each word points into; one module with a long name,
 * and memory full of pointers into it. */
static void words_into_a_long_name(void)
{
    const uint64_t base = 0x10000000, addr = 0x20000000;
    const size_t words = 1024;
    struct mkdump *const d = mkd_new(4);
    add_module(d, base, add_long_utf16(d, 131072));
    struct buf b = {0};
    put16(&b, 9), put16(&b, 6), put16(&b, 0), put16(&b, 0x0400); /* AMD64 */
    put32(&b, 0), put32(&b, 0), put32(&b, 0), put32(&b, 2), put32(&b, 0);
    put16(&b, 0), put16(&b, 0);
    for (int i = 0; i < 6; i++)
        put32(&b, 0);
    add_stream(d, STREAM_SYSTEM_INFO, &b);
    for (size_t i = 0; i < words; i++)
        put64(&b, base + 8 * i);
    const uint32_t mem_size = (uint32_t)b.len, mem = append(d, &b);
    const struct mkd_range r = {.addr = addr, .size = mem_size, .explicit_rva = true, .rva = mem};
    mkd_add_memory_list(d, &r, 1, false);
    uint64_t size;
    char *const path = write_dump(d, "words-names.dmp", &size);
    char hex_addr[32], len[32];
    snprintf(hex_addr, sizeof hex_addr, "0x%llx", (unsigned long long)addr);
    snprintf(len, sizeof len, "%u", mem_size);
    char *json[] = {NULL, "--words", "--json", path, hex_addr, len, NULL};
    check_output("--words --json, one module name for every word", json, size);
    char *text[] = {NULL, "--words", path, hex_addr, len, NULL};
    check_output("--words, one module name for every word (cut at 320 bytes before)", text, size);
    if (!keep)
        remove(path);
    free(path);
}

/* Finding 5: `streams` on a million-entry directory keeps no rows. */
static void streams_table_memory(bool rss)
{
    const uint32_t n = 1000000;
    struct mkdump *const d = mkd_new(n);
    for (uint32_t i = 0; i < n; i++)
        mkd_add_stream(d, 0x7000 + i % 16, 32, 0);
    uint64_t size;
    char *const path = write_dump(d, "many-streams.dmp", &size);
    char *argv[] = {NULL, "streams", path, NULL};
    long rss_kib;
    const uint64_t out = run(argv, UINT64_MAX, &rss_kib);
    const uint64_t limit = RSS_FACTOR * size + RSS_BASE;
    const bool ok = !rss || (uint64_t)rss_kib * 1024 <= limit;
    printf("%s streams, %u entries: a %llu-byte dump printed %llu bytes, peak RSS %ld KiB"
           " (bound %llu KiB%s)\n",
           ok ? "ok  " : "FAIL", n, (unsigned long long)size, (unsigned long long)out, rss_kib,
           (unsigned long long)(limit / 1024), rss ? "" : ", not checked: --no-rss");
    failures += !ok;
    if (!keep)
        remove(path);
    free(path);
}

/* Threads that share one context and one stack full of return addresses: each walk scans
 * up to its cap, so `stack --all` printed about 1,000 frames for every 48-byte thread entry
 * (100 MB for 260 KB). The walks of a document now share a frame budget (cli/stack.c). */
static void threads_sharing_a_deep_stack(void)
{
    const uint64_t base = 0x10000000, stack = 0x30000000;
    const uint32_t n = 5000, words = 2048;
    struct mkdump *const d = mkd_new(4);
    add_module(d, base, add_long_utf16(d, 8));
    struct buf b = {0};
    put32(&b, 1);
    put64(&b, stack), put32(&b, words * 8), put32(&b, 0); /* the RVA, patched below */
    const uint32_t list = add_stream(d, STREAM_MEMORY_LIST, &b);
    struct buf mem = {0};
    for (uint32_t i = 0; i < words; i++)
        put64(&mem, base + 0x100 + i);
    const uint32_t at = append(d, &mem);
    mkd_poke_u32(d, mkd_stream_rva(d, list) + 16, at);
    add_threads(d, n, add_context_amd64(d, stack, base + 0x100));
    uint64_t size;
    char *const path = write_dump(d, "deep-stacks.dmp", &size);
    char *text[] = {NULL, "stack", "--all", path, NULL};
    check_output("stack --all, threads sharing one deep stack", text, size);
    char *json[] = {NULL, "stack", "--all", "--json", path, NULL};
    check_output("stack --all --json, threads sharing one deep stack", json, size);
    if (!keep)
        remove(path);
    free(path);
}

int main(int argc, char **argv)
{
    bool rss = true;
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--no-rss") == 0)
            rss = false;
        else if (strcmp(argv[i], "--keep") == 0)
            keep = true;
        else
            argc = 0;
    }
    if (argc < 3) {
        fputs("usage: bounded DMPREAD SCRATCH_DIR [--no-rss] [--keep]\n", stderr);
        return 2;
    }
    dmpread = argv[1];
    scratch = argv[2];
    threads_sharing_a_module();
    exceptions_sharing_a_thread();
    crashpad_sharing_a_value();
    words_into_a_long_name();
    threads_sharing_a_deep_stack();
    streams_table_memory(rss);
    return failures ? 1 : 0;
}
