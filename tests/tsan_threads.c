/* tsan_threads.c - one dump, four threads at once: every accessor, memory reads and stack
 * walks through one shared symbol store, for ThreadSanitizer to watch.
 * SPDX-License-Identifier: MIT
 *
 * usage: tsan_threads [--symbols DIR] DUMP...
 * A dump built here first (tests/mkdump), whose memory is a Memory64 list of 200 adjacent
 * ranges, then each DUMP.
 * The header promises that every function taking a `const dmp_file *` may be called from many
 * threads at once, and that walks may share a dump and a store. For each DUMP this opens it
 * once, then THREADS threads, released together by a barrier, each call every accessor
 * (fuzz/touch.c, seeded per thread so the reads differ), ask dmp_find_uncovered and
 * dmp_readable_len across the whole index (the first such question builds a lazy table: the
 * race to build it is the point), and walk the dump's first MAX_WALKED threads with the store
 * over DIR (its cache fills from several threads at once) and with module images. Each
 * thread's stacks must equal thread 0's: a walk is a function of the dump and the store.
 *
 * scripts/check.sh builds this with clang -fsanitize=thread (build-check/clang-tsan) and runs
 * it with TSAN_OPTIONS=halt_on_error=1, so any report fails the step; the ordinary builds run
 * it as the ctest tsan_threads, a plain concurrency test.
 */
#define _POSIX_C_SOURCE 200809L /* pthread_barrier_t: this program only, not the library */

#include "mkdump.h"
#include "touch.h"

#include <dmpread.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 4
#define MAX_WALKED 8 /* threads of the dump walked by each thread */
#define MAX_FRAMES 64
#define ADJACENT 200 /* ranges of the built dump, end to end */

struct shared {
    const dmp_file *f;
    dmp_symstore *symbols; /* NULL without --symbols */
    pthread_barrier_t start;
};

struct worker {
    struct shared *sh;
    unsigned index;
    uint64_t digest; /* of every stack walked: frame ips, sps and the end reason */
    bool failed;
};

static uint64_t mix(uint64_t h, uint64_t v)
{
    return (h ^ v) * UINT64_C(0x100000001b3);
}

/* The whole index, asked from its first address: forces the lazy table. */
static void ask_coverage(struct worker *w)
{
    const dmp_file *const f = w->sh->f;
    const size_t n = dmp_range_count(f);
    dmp_range first, last;
    if (n == 0 || dmp_range_get(f, 0, &first) != DMP_OK || dmp_range_get(f, n - 1, &last) != DMP_OK)
        return;
    uint64_t missing = 0;
    const dmp_status st = dmp_find_uncovered(f, first.addr, last.addr - first.addr, &missing);
    if (st != DMP_OK && st != DMP_E_UNMAPPED) {
        fprintf(stderr, "tsan_threads: find_uncovered: %s\n", dmp_strerror(st));
        w->failed = true;
    }
    for (size_t i = 0; i < n; i += 1 + n / 64)
        if (dmp_range_get(f, i, &first) == DMP_OK && dmp_readable_len(f, first.addr) < first.size) {
            fprintf(stderr, "tsan_threads: range %zu reads short\n", i);
            w->failed = true;
        }
}

static void walk_all(struct worker *w)
{
    const dmp_file *const f = w->sh->f;
    dmp_walk_options opts;
    memset(&opts, 0, sizeof opts);
    opts.symbols = w->sh->symbols;
    opts.max_frames = MAX_FRAMES;
    const size_t n = dmp_thread_count(f);
    for (size_t t = 0; t < n && t < MAX_WALKED; t++) {
        dmp_stack *st = NULL;
        if (dmp_walk_thread(f, t, &opts, &st) != DMP_OK) {
            fprintf(stderr, "tsan_threads: thread %zu did not walk\n", t);
            w->failed = true;
            continue;
        }
        const size_t frames = dmp_stack_frame_count(st);
        for (size_t i = 0; i < frames; i++) {
            dmp_frame fr;
            if (dmp_stack_frame_get(st, i, &fr) == DMP_OK)
                w->digest = mix(mix(mix(w->digest, fr.ip), fr.sp), fr.has_function);
        }
        w->digest = mix(w->digest, (uint64_t)dmp_stack_end(st));
        dmp_stack_free(st);
    }
}

static void *work(void *arg)
{
    struct worker *const w = arg;
    pthread_barrier_wait(&w->sh->start);
    fuzz_touch(w->sh->f, UINT64_C(0x5eed) + w->index);
    ask_coverage(w);
    walk_all(w);
    fuzz_touch(w->sh->f, UINT64_C(0x5eed) * 3 + w->index);
    return NULL;
}

/* Runs the workers over one opened dump, which it closes. */
static bool run_dump(dmp_file *f, const char *path, const char *symbols_dir)
{
    struct shared sh;
    memset(&sh, 0, sizeof sh);
    sh.f = f;
    bool ok = true;
    if (symbols_dir && (dmp_symstore_new(&sh.symbols) != DMP_OK ||
                        dmp_symstore_add_dir(sh.symbols, symbols_dir) != DMP_OK)) {
        fprintf(stderr, "tsan_threads: cannot use %s as a symbol store\n", symbols_dir);
        ok = false;
    }
    pthread_barrier_init(&sh.start, NULL, THREADS);
    struct worker workers[THREADS];
    pthread_t ids[THREADS];
    unsigned started = 0;
    for (unsigned i = 0; ok && i < THREADS; i++) {
        workers[i] = (struct worker){&sh, i, UINT64_C(0xcbf29ce484222325), false};
        if (pthread_create(&ids[i], NULL, work, &workers[i]) != 0) {
            fprintf(stderr, "tsan_threads: cannot start thread %u\n", i);
            exit(1); /* the barrier would never release the others */
        }
        started++;
    }
    for (unsigned i = 0; i < started; i++) {
        pthread_join(ids[i], NULL);
        ok = ok && !workers[i].failed;
        if (workers[i].digest != workers[0].digest) {
            fprintf(stderr, "tsan_threads: %s: thread %u walked other stacks than thread 0\n", path,
                    i);
            ok = false;
        }
    }
    pthread_barrier_destroy(&sh.start);
    dmp_symstore_free(sh.symbols);
    printf("%s: %zu threads walked, %zu ranges, %s\n", path,
           dmp_thread_count(f) < MAX_WALKED ? dmp_thread_count(f) : MAX_WALKED, dmp_range_count(f),
           ok ? "ok" : "FAILED");
    dmp_close(f);
    return ok;
}

/* A dump built here whose memory is one run of ADJACENT ranges in a Memory64 list, so that the
 * first coverage question builds the lazy table (dmpread.h: past 16 adjacent ranges) from
 * every thread, and every thread's first lookups in a block of the big tier race to build
 * its deltas (memindex.c). */
static bool run_adjacent(void)
{
    struct mkd_range r[ADJACENT];
    for (size_t i = 0; i < ADJACENT; i++)
        r[i] = (struct mkd_range){0x10000 + 0x100 * i, 0x100, (uint8_t)(1 + i % 7), false, 0};
    struct mkdump *const b = mkd_new(0);
    mkd_add_memory64_list(b, r, ADJACENT);
    size_t len;
    const uint8_t *const data = mkd_finish(b, &len);
    dmp_file *f = NULL;
    bool ok = dmp_open_mem(data, len, &f) == DMP_OK;
    if (ok)
        ok = run_dump(f, "(adjacent ranges)", NULL);
    else
        fputs("tsan_threads: the built dump does not open\n", stderr);
    mkd_free(b);
    return ok;
}

int main(int argc, char **argv)
{
    const char *symbols_dir = NULL;
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "--symbols") == 0) {
        symbols_dir = argv[2];
        first = 3;
    }
    if (first >= argc) {
        fputs("usage: tsan_threads [--symbols DIR] DUMP...\n", stderr);
        return 2;
    }
    bool ok = run_adjacent();
    for (int i = first; i < argc; i++) {
        dmp_file *f = NULL;
        dmp_error err;
        if (dmp_open_ex(argv[i], NULL, &f, &err) != DMP_OK) {
            fprintf(stderr, "tsan_threads: %s: %s\n", argv[i], err.message);
            ok = false;
            continue;
        }
        ok = run_dump(f, argv[i], symbols_dir) && ok;
    }
    return ok ? 0 : 1;
}
