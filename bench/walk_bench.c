/* walk_bench.c - walk_bench: the stack walker on a synthetic deep stack, and whole-process
 * sweeps of `dmpread stack --all` against Breakpad's minidump_stackwalk.
 * SPDX-License-Identifier: MIT
 *
 * `walk_bench [--mode fp|scan|cfi|cfi-func] [--frames N] [--reps R] FILE-LESS`
 * builds, in memory, an amd64 Linux dump with one module (app, 1 MiB at 0x400000; the
 * builder is tests/mkdump.c) and lays out a stack of N frames that a dmp_memory callback
 * serves from an array (all or nothing, like dmp_read_memory), then walks it with
 * dmp_walk_context, max_frames N + 1 and max_scanned N + 1. The modes:
 *   fp        an RBP chain: each frame a [saved rbp, return address] record, the outermost
 *             saved rbp 0 (the walk ends "frame-pointer chain ended");
 *   scan      no frame pointer (RBP 3): each return address lies 3, 4 or 5 words above the
 *             callee's stack pointer, under junk words that point nowhere; found by scanning;
 *   cfi       a symbol store with a scratch app.sym whose one STACK CFI INIT covers the
 *             module (.cfa: $rsp 16 + .ra: .cfa -8 + ^), each frame [junk, return address];
 *   cfi-func  the same plus a FUNC and a line record over the module: each frame named too.
 * Walk 0 runs in a fresh process: the memory it adds is read from /proc/self/status
 * (RssAnon and VmHWM before the walk and with the stack still held after it). Then R timed
 * walks (default 11) give the median and minimum wall time, per walk and per frame. One
 * line of key=value facts; exit 1 when a walk does not give N frames.
 *
 * `walk_bench sweep --runs N --csv OUT --dmpread CLI [--stackwalk SW] [--symbols DIR]...
 * LIST` times whole processes: LIST holds one dump path a line. Run 0 is a warm-up; in each
 * run, for each dump in turn, it spawns `true`, `dmpread --version`, `SW -h` (the process
 * starts), then `CLI stack --all DUMP`, `SW DUMP`, `CLI stack --all --symbols DIR... DUMP`
 * and `SW DUMP DIR...`, the last four in an order that rotates from run to run. Every child's
 * stdout and stderr go to /dev/null; each row of OUT is run,dump,label,wall_ms,maxrss_kb,
 * status,load1 (posix_spawn to wait4, ru_maxrss). bench/walk_run.sh sums and takes medians.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* wait4, mkdtemp */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dmpread.h>

#include "benchutil.h"
#include "mkdump.h"

extern char **environ;

static void die(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2), noreturn))
#endif
    ;

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("walk_bench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

/* ---- memory of the process ------------------------------------------------------------- */

struct mem {
    uint64_t anon, hwm; /* kB, from /proc/self/status */
};

static struct mem read_mem(void)
{
    struct mem m = {0, 0};
    char line[256];
    FILE *const fp = fopen("/proc/self/status", "r");
    if (!fp)
        return m;
    while (fgets(line, sizeof line, fp)) {
        if (strncmp(line, "RssAnon:", 8) == 0)
            m.anon = strtoull(line + 8, NULL, 10);
        else if (strncmp(line, "VmHWM:", 6) == 0)
            m.hwm = strtoull(line + 6, NULL, 10);
    }
    fclose(fp);
    return m;
}

/* ---- the synthetic stack ---------------------------------------------------------------- */

#define APP_BASE 0x400000u
#define APP_SIZE 0x100000u
#define STACK_BASE 0x7ffe00000000u /* canonical, far from the module */
#define TAIL_WORDS 256             /* zeros past the outermost frame: scans find nothing */

struct stack {
    uint64_t *word;
    size_t count;
    uint64_t reads;
};

static dmp_status stack_read(void *ctx, uint64_t addr, void *dst, size_t len, size_t *got)
{
    struct stack *const s = ctx;
    const uint64_t size = (uint64_t)s->count * 8;
    s->reads++;
    if (addr < STACK_BASE || addr - STACK_BASE > size || len > size - (addr - STACK_BASE))
        return DMP_E_UNMAPPED;
    memcpy(dst, (const unsigned char *)s->word + (addr - STACK_BASE), len);
    if (got)
        *got = len;
    return DMP_OK;
}

static uint64_t at(size_t word)
{
    return STACK_BASE + (uint64_t)word * 8;
}

/* The k-th return address: spread over the module, never its first page. */
static uint64_t ret_addr(size_t k)
{
    return APP_BASE + 0x1000 + ((uint64_t)k * 0x47) % (APP_SIZE - 0x2000);
}

/* A word that is no return address: a stack address or a small number, in turn. */
static uint64_t junk(size_t k)
{
    return k % 2 ? at(k) : (uint64_t)(k % 4093);
}

enum mode { MODE_FP, MODE_SCAN, MODE_CFI, MODE_CFI_FUNC };

/* Lays out `frames` frames (the context's and frames - 1 callers); returns the context's
 * stack and frame pointer in *sp and *fp. */
static void lay_out(struct stack *s, enum mode mode, size_t frames, uint64_t *sp, uint64_t *fp)
{
    const size_t callers = frames - 1;
    s->count = 2 + 6 * callers + TAIL_WORDS;
    s->word = calloc(s->count, sizeof *s->word);
    if (!s->word)
        die("%s", "out of memory");
    size_t w = 0;
    *sp = at(0);
    *fp = 3; /* no frame pointer */
    if (mode == MODE_FP) {
        w = 2;
        *fp = at(w);
        for (size_t k = 0; k < callers; k++, w += 2) {
            s->word[w] = k + 1 < callers ? at(w + 2) : 0;
            s->word[w + 1] = ret_addr(k);
        }
    } else if (mode == MODE_SCAN) {
        for (size_t k = 0; k < callers; k++) {
            const size_t gap = 3 + k % 3;
            for (size_t j = 0; j < gap; j++, w++)
                s->word[w] = junk(w);
            s->word[w++] = ret_addr(k);
        }
    } else {
        for (size_t k = 0; k < callers; k++, w += 2) {
            s->word[w] = junk(w);
            s->word[w + 1] = ret_addr(k);
        }
    }
    s->count = w + TAIL_WORDS;
}

/* A dump with SystemInfo (amd64, Linux) and one module "app" (debug file app.pdb). */
static struct mkdump *dump_with_module(void)
{
    struct mkdump *const b = mkd_new(0);
    uint8_t si[56] = {0};
    mkd_store_u16(si, 9);           /* PROCESSOR_ARCHITECTURE_AMD64 */
    mkd_store_u32(si + 20, 0x8201); /* Linux */
    mkd_add_stream_data(b, DMP_STREAM_SYSTEM_INFO, si, sizeof si);
    uint8_t name[4 + 2 * 3 + 2] = {6, 0, 0, 0, 'a', 0, 'p', 0, 'p', 0, 0, 0};
    const uint32_t name_rva = (uint32_t)mkd_append(b, name, sizeof name);
    uint8_t cv[4 + 16 + 4 + 8] = {'R', 'S', 'D', 'S'};
    for (int i = 0; i < 16; i++)
        cv[4 + i] = (uint8_t)(i + 1);
    cv[20] = 1;
    memcpy(cv + 24, "app.pdb", 8);
    const uint32_t cv_rva = (uint32_t)mkd_append(b, cv, sizeof cv);
    uint8_t list[4 + 108] = {1};
    uint8_t *const m = list + 4;
    mkd_store_u64(m, APP_BASE);
    mkd_store_u32(m + 8, APP_SIZE);
    mkd_store_u32(m + 20, name_rva);
    mkd_store_u32(m + 76, sizeof cv);
    mkd_store_u32(m + 80, cv_rva);
    mkd_add_stream_data(b, DMP_STREAM_MODULE_LIST, list, sizeof list);
    return b;
}

/* A scratch store: DIR/app.pdb/<debug id>/app.sym. */
static dmp_symstore *make_store(const dmp_file *f, enum mode mode, char *dir)
{
    dmp_module m;
    if (dmp_module_get(f, 0, &m) != DMP_OK || !mkdtemp(dir))
        die("%s", "cannot make the scratch store");
    char path[512];
    snprintf(path, sizeof path, "%s/app.pdb", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/app.pdb/%s", dir, m.debug_id);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/app.pdb/%s/app.sym", dir, m.debug_id);
    FILE *const out = fopen(path, "w");
    if (!out)
        die("%s: %s", path, strerror(errno));
    fprintf(out, "MODULE Linux x86_64 %s app\n", m.debug_id);
    if (mode == MODE_CFI_FUNC)
        fprintf(out, "FILE 0 deep.c\nFUNC 0 %x 0 deep_function\n0 %x 42 0\n", APP_SIZE, APP_SIZE);
    fprintf(out, "STACK CFI INIT 0 %x .cfa: $rsp 16 + .ra: .cfa -8 + ^\n", APP_SIZE);
    fclose(out);
    dmp_symstore *st;
    if (dmp_symstore_new(&st) != DMP_OK || dmp_symstore_add_dir(st, dir) != DMP_OK)
        die("%s", "cannot open the scratch store");
    return st;
}

/* Removes what make_store wrote: the file, then its two folders, then the store. */
static void remove_store(const dmp_file *f, const char *dir)
{
    dmp_module m;
    char path[512];
    if (dmp_module_get(f, 0, &m) != DMP_OK)
        return;
    snprintf(path, sizeof path, "%s/app.pdb/%s/app.sym", dir, m.debug_id);
    unlink(path);
    snprintf(path, sizeof path, "%s/app.pdb/%s", dir, m.debug_id);
    rmdir(path);
    snprintf(path, sizeof path, "%s/app.pdb", dir);
    rmdir(path);
    rmdir(dir);
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct walk_config {
    enum mode mode;
    size_t frames;
    int reps;
};

static const char *const mode_names[] = {"fp", "scan", "cfi", "cfi-func"};

static int cmd_walk(const struct walk_config *c)
{
    struct mkdump *const b = dump_with_module();
    size_t len;
    const uint8_t *const data = mkd_finish(b, &len);
    dmp_file *f = NULL;
    if (dmp_open_mem(data, len, &f) != DMP_OK)
        die("%s", "cannot open the built dump");
    char dir[] = "/tmp/dmpread-walkbench-XXXXXX";
    dmp_symstore *const store = c->mode >= MODE_CFI ? make_store(f, c->mode, dir) : NULL;
    struct stack s = {NULL, 0, 0};
    uint64_t sp, fp;
    lay_out(&s, c->mode, c->frames, &sp, &fp);
    const dmp_context ctx = {.cpu = DMP_CPU_AMD64,
                             .ip = APP_BASE + 0x50,
                             .sp = sp,
                             .fp = fp,
                             .reg_count = 3,
                             .regs = {{"rip", APP_BASE + 0x50}, {"rsp", sp}, {"rbp", fp}}};
    const dmp_walk_options o = {.memory = {stack_read, &s},
                                .symbols = store,
                                .max_frames = c->frames + 1,
                                .max_scanned = c->frames + 1};
    double *const t = malloc((size_t)(c->reps + 1) * sizeof *t);
    if (!t)
        die("%s", "out of memory");
    struct mem m0 = {0, 0}, m1 = {0, 0};
    size_t got = 0;
    dmp_walk_end end = DMP_WALK_NO_CALLER;
    bool named = true;
    uint64_t reads = 0;
    for (int r = 0; r <= c->reps; r++) {
        if (r == 0)
            m0 = read_mem();
        s.reads = 0;
        dmp_stack *st = NULL;
        const double t0 = bu_now();
        const dmp_status rc = dmp_walk_context(f, &ctx, 0, 0, &o, &st);
        t[r] = bu_now() - t0;
        if (rc != DMP_OK)
            die("walk: %s", dmp_strerror(rc));
        if (r == 0) {
            m1 = read_mem();
            got = dmp_stack_frame_count(st);
            end = dmp_stack_end(st);
            reads = s.reads;
            dmp_frame fr;
            if (c->mode == MODE_CFI_FUNC && got > 1)
                named = dmp_stack_frame_get(st, got - 1, &fr) == DMP_OK && fr.has_function;
        }
        dmp_stack_free(st);
    }
    const double first = t[0];
    qsort(t + 1, (size_t)c->reps, sizeof *t, cmp_double);
    const double med = t[1 + c->reps / 2], min = t[1];
    const double n = (double)(got ? got : 1);
    printf("mode=%s frames=%zu walked=%zu end=%s reps=%d median_ms=%.3f min_ms=%.3f"
           " first_ms=%.3f ns_per_frame=%.1f ns_per_frame_min=%.1f ns_per_frame_first=%.1f"
           " reads_per_frame=%.2f anon_before_kb=%" PRIu64 " anon_after_kb=%" PRIu64
           " hwm_before_kb=%" PRIu64 " hwm_after_kb=%" PRIu64 " grow_kb=%" PRIu64
           " bytes_per_frame=%.1f stack_kb=%zu\n",
           mode_names[c->mode], c->frames, got, dmp_walk_end_name(end), c->reps, med * 1e3,
           min * 1e3, first * 1e3, med * 1e9 / n, min * 1e9 / n, first * 1e9 / n, (double)reads / n,
           m0.anon, m1.anon, m0.hwm, m1.hwm, m1.anon > m0.anon ? m1.anon - m0.anon : 0,
           (double)(m1.anon > m0.anon ? m1.anon - m0.anon : 0) * 1024.0 / n, s.count * 8 / 1024);
    free(t);
    free(s.word);
    dmp_symstore_free(store);
    if (store)
        remove_store(f, dir);
    dmp_close(f);
    mkd_free(b);
    if (got != c->frames || !named) {
        fprintf(stderr, "walk_bench: walked %zu frames of %zu%s\n", got, c->frames,
                named ? "" : " (the last one without its name)");
        return 1;
    }
    return 0;
}

/* ---- walk_bench sweep -------------------------------------------------------------------- */

/* Runs argv to completion, stdout and stderr to /dev/null; wall seconds, ru_maxrss, status. */
static double run_one(char *const argv[], long *maxrss_kb, int *status)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    const double t0 = bu_now();
    const int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        die("%s: %s", argv[0], strerror(rc));
    int ws = 0;
    struct rusage ru;
    while (wait4(pid, &ws, 0, &ru) < 0)
        if (errno != EINTR)
            die("wait4: %s", strerror(errno));
    const double dt = bu_now() - t0;
    *maxrss_kb = ru.ru_maxrss;
    *status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    return dt;
}

static double load1(void)
{
    double v = -1;
    FILE *const fp = fopen("/proc/loadavg", "r");
    if (fp) {
        if (fscanf(fp, "%lf", &v) != 1)
            v = -1;
        fclose(fp);
    }
    return v;
}

#define MAX_SYMDIRS 8
#define MAX_ARGS (8 + MAX_SYMDIRS * 2)

struct sweep {
    int runs;
    const char *csv, *cli, *stackwalk, *list;
    const char *symdirs[MAX_SYMDIRS];
    int symdir_count;
};

/* The argv of one labelled command on `dump`, in `argv` (room for MAX_ARGS). */
static void command_of(const struct sweep *c, const char *label, const char *dump,
                       const char **argv)
{
    int n = 0;
    if (strcmp(label, "true") == 0) {
        argv[n++] = "true";
    } else if (strcmp(label, "floor_dmpread") == 0) {
        argv[n++] = c->cli;
        argv[n++] = "--version";
    } else if (strcmp(label, "floor_stackwalk") == 0) {
        argv[n++] = c->stackwalk;
        argv[n++] = "-h";
    } else if (strncmp(label, "dmpread", 7) == 0) {
        argv[n++] = c->cli;
        argv[n++] = "stack";
        argv[n++] = "--all";
        for (int i = 0; strcmp(label, "dmpread_sym") == 0 && i < c->symdir_count; i++) {
            argv[n++] = "--symbols";
            argv[n++] = c->symdirs[i];
        }
        argv[n++] = dump;
    } else {
        argv[n++] = c->stackwalk;
        argv[n++] = dump;
        for (int i = 0; strcmp(label, "stackwalk_sym") == 0 && i < c->symdir_count; i++)
            argv[n++] = c->symdirs[i];
    }
    argv[n] = NULL;
}

static int cmd_sweep(const struct sweep *c)
{
    FILE *const lf = fopen(c->list, "r");
    if (!lf)
        die("%s: %s", c->list, strerror(errno));
    char **dumps = NULL;
    size_t ndumps = 0;
    char line[4096];
    while (fgets(line, sizeof line, lf)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0])
            continue;
        char **const grown = realloc(dumps, (ndumps + 1) * sizeof *grown);
        if (!grown || !(grown[ndumps] = strdup(line)))
            die("%s", "out of memory");
        dumps = grown;
        ndumps++;
    }
    fclose(lf);
    FILE *const out = fopen(c->csv, "w");
    if (!out)
        die("%s: %s", c->csv, strerror(errno));
    fprintf(out, "run,dump,label,wall_ms,maxrss_kb,status,load1\n");
    static const char *const floors[] = {"true", "floor_dmpread", "floor_stackwalk"};
    static const char *const tools[] = {"dmpread_nosym", "stackwalk_nosym", "dmpread_sym",
                                        "stackwalk_sym"};
    const int nfloors = c->stackwalk ? 3 : 2;
    for (int r = 0; r <= c->runs; r++) {
        const double t0 = bu_now();
        for (size_t d = 0; d < ndumps; d++) {
            for (int k = 0; k < nfloors + 4; k++) {
                const char *const label =
                    k < nfloors ? floors[k] : tools[((size_t)(k - nfloors) + (size_t)r) % 4];
                if (!c->stackwalk && strncmp(label, "stackwalk", 9) == 0)
                    continue;
                const char *argv[MAX_ARGS + 1];
                command_of(c, label, dumps[d], argv);
                long rss;
                int st;
                const double dt = run_one((char *const *)(uintptr_t)argv, &rss, &st);
                fprintf(out, "%d,%s,%s,%.3f,%ld,%d,%.2f\n", r, dumps[d], label, dt * 1e3, rss, st,
                        load1());
            }
        }
        fflush(out);
        fprintf(stderr, "walk_bench sweep: run %d of %d: %.1f s (load %.2f)\n", r, c->runs,
                bu_now() - t0, load1());
    }
    fclose(out);
    for (size_t d = 0; d < ndumps; d++)
        free(dumps[d]);
    free(dumps);
    return 0;
}

static int parse_sweep(int argc, char **argv)
{
    struct sweep c = {7, NULL, NULL, NULL, NULL, {NULL}, 0};
    for (int i = 0; i < argc; i++) {
        const char *const a = argv[i], *const v = i + 1 < argc ? argv[i + 1] : NULL;
        if (a[0] != '-') {
            c.list = a;
            continue;
        }
        if (!v)
            die("%s needs a value", a);
        i++;
        if (strcmp(a, "--runs") == 0)
            c.runs = atoi(v);
        else if (strcmp(a, "--csv") == 0)
            c.csv = v;
        else if (strcmp(a, "--dmpread") == 0)
            c.cli = v;
        else if (strcmp(a, "--stackwalk") == 0)
            c.stackwalk = v;
        else if (strcmp(a, "--symbols") == 0 && c.symdir_count < MAX_SYMDIRS)
            c.symdirs[c.symdir_count++] = v;
        else
            die("sweep: unknown option %s", a);
    }
    if (!c.csv || !c.cli || !c.list || c.runs < 1)
        die("%s", "usage: walk_bench sweep --runs N --csv OUT --dmpread CLI [--stackwalk SW]"
                  " [--symbols DIR]... LIST");
    return cmd_sweep(&c);
}

/* ---- main ------------------------------------------------------------------------------- */

static const char usage_text[] =
    "usage: walk_bench [--mode fp|scan|cfi|cfi-func] [--frames N] [--reps R]\n"
    "       walk_bench sweep --runs N --csv OUT --dmpread CLI [--stackwalk SW]"
    " [--symbols DIR]... LIST\n"
    "  --mode M      how each caller is found (default fp)\n"
    "  --frames N    frames in the synthetic stack (default 100000)\n"
    "  --reps R      timed walks after the first (default 11)\n";

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "sweep") == 0)
        return parse_sweep(argc - 2, argv + 2);
    struct walk_config c = {MODE_FP, 100000, 11};
    for (int i = 1; i < argc; i++) {
        const char *const a = argv[i], *const v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
            return fputs(usage_text, stdout), 0;
        if (!v)
            die("%s needs a value (try --help)", a);
        i++;
        uint64_t n;
        if (strcmp(a, "--mode") == 0) {
            size_t k = 0;
            while (k < 4 && strcmp(v, mode_names[k]) != 0)
                k++;
            if (k == 4)
                die("unknown mode %s", v);
            c.mode = (enum mode)k;
        } else if (strcmp(a, "--frames") == 0 && bu_parse_size(v, &n) && n >= 2) {
            c.frames = (size_t)n;
        } else if (strcmp(a, "--reps") == 0 && bu_parse_size(v, &n) && n >= 1 && n < 10000) {
            c.reps = (int)n;
        } else {
            die("bad option %s %s (try --help)", a, v);
        }
    }
    return cmd_walk(&c);
}
