/* sym_bench.c - sym_bench: times dmp_sym_open and lookups on a .sym, and whole commands.
 * SPDX-License-Identifier: MIT
 *
 * `sym_bench [OPTIONS] FILE.sym` opens the file with dmp_sym_open, then looks up N random
 * module-relative addresses drawn uniformly from --range (dmp_sym_lookup_addr, then
 * dmp_sym_find_cfi and dmp_sym_find_win at the same address), and prints one line of
 * key=value facts: the file size, the wall time of the open and of the lookups, what the
 * lookups found, and the process's memory from /proc/self/status (RssAnon, RssFile, VmHWM)
 * before the open, after it and after the lookups. With --addrs it looks up the addresses
 * listed in a file instead and prints what each resolves to (the function, file and line and
 * the inline chain), like `dmpread symbolize`.
 *
 * `sym_bench time [--out FILE] [--err FILE] -- CMD ARG... [';;' CMD ARG...]` runs the
 * commands one after the other, as one sample, and prints "wall_ms=... maxrss_kb=...
 * status=..." (wall times summed, ru_maxrss the largest, status the first non-zero). The
 * commands' stdout goes to --out (default /dev/null), their stderr to --err (default ours).
 * bench/sym_run.sh uses it for every whole-process figure.
 *
 * `sym_bench floor mmap|read FILE` is the least any line-by-line pass over FILE does: find
 * each line's end with memchr and look at its first byte, over a read-only mapping (as
 * dmp_sym_open reads) or through read() into a 128 KiB buffer (as wc -l does). It prints the
 * line count; sym_run.sh times it as a whole process, beside wc -l.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* wait4 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dmpread.h>

#include "benchutil.h"

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
    fputs("sym_bench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

/* ---- memory ----------------------------------------------------------------------------- */

struct mem {
    uint64_t anon, file, hwm; /* kB, from /proc/self/status */
};

static struct mem read_mem(void)
{
    struct mem m = {0, 0, 0};
    char line[256];
    FILE *const fp = fopen("/proc/self/status", "r");
    if (!fp)
        return m;
    while (fgets(line, sizeof line, fp)) {
        uint64_t *const dst = strncmp(line, "RssAnon:", 8) == 0   ? &m.anon
                              : strncmp(line, "RssFile:", 8) == 0 ? &m.file
                              : strncmp(line, "VmHWM:", 6) == 0   ? &m.hwm
                                                                  : NULL;
        if (dst)
            *dst = strtoull(strchr(line, ':') + 1, NULL, 10);
    }
    fclose(fp);
    return m;
}

/* ---- lookups ---------------------------------------------------------------------------- */

struct tally {
    uint64_t func, pub, none, lines, inlines, cfi, win, errors;
    double addr_s, cfi_s, win_s; /* time in each of the three calls */
};

/* The three lookups at one address. dmp_sym_lookup is large (its inline array), so the caller
 * passes one in. */
static void look_up(const dmp_symfile *s, uint64_t addr, dmp_sym_lookup *lk, struct tally *t)
{
    static dmp_cfi_rules rules;
    static dmp_win_record win;
    const double t0 = bu_now();
    dmp_status st = dmp_sym_lookup_addr(s, addr, lk);
    const double t1 = bu_now();
    t->addr_s += t1 - t0;
    if (st == DMP_OK) {
        t->func += lk->kind == DMP_SYM_FUNC;
        t->pub += lk->kind == DMP_SYM_PUBLIC;
        t->lines += lk->has_line != 0;
        t->inlines += lk->inline_count;
    } else {
        t->none += st == DMP_E_NOT_FOUND;
        t->errors += st != DMP_E_NOT_FOUND;
    }
    st = dmp_sym_find_cfi(s, addr, &rules);
    const double t2 = bu_now();
    t->cfi_s += t2 - t1;
    t->cfi += st == DMP_OK;
    t->errors += st != DMP_OK && st != DMP_E_NOT_FOUND;
    st = dmp_sym_find_win(s, addr, &win);
    t->win_s += bu_now() - t2;
    t->win += st == DMP_OK;
    t->errors += st != DMP_OK && st != DMP_E_NOT_FOUND;
}

static void print_str(const dmp_sym_str *x)
{
    printf("%.*s", (int)x->len, x->ptr);
}

/* One address as `dmpread symbolize` would show it: inline frames innermost first, then the
 * function, each with its file and line. */
static void print_lookup(uint64_t addr, dmp_status st, const dmp_sym_lookup *lk)
{
    printf("0x%" PRIx64 ":", addr);
    if (st != DMP_OK) {
        printf(" %s\n", dmp_strerror(st));
        return;
    }
    for (size_t i = 0; i < lk->inline_count; i++) {
        const dmp_sym_inline *const in = &lk->inlines[i];
        printf("\n  inline ");
        print_str(&in->name);
        if (in->has_line) {
            printf(" [");
            print_str(&in->file);
            printf(" : %" PRIu32 "]", in->line);
        }
    }
    printf("\n  %s ", lk->kind == DMP_SYM_FUNC ? "func" : "public");
    print_str(&lk->name);
    printf(" + 0x%" PRIx64, addr - lk->start);
    if (lk->has_line) {
        printf(" [");
        print_str(&lk->file);
        printf(" : %" PRIu32 "]", lk->line);
    }
    printf("\n");
}

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (!*s || *s == '-')
        return false;
    errno = 0;
    const unsigned long long v = strtoull(s, &end, 16);
    if (*end || errno)
        return false;
    *out = v;
    return true;
}

/* Looks up every hex address in `list` (whitespace-separated, with or without 0x). */
static int lookup_listed(const dmp_symfile *s, const char *list)
{
    FILE *const fp = strcmp(list, "-") == 0 ? stdin : fopen(list, "r");
    if (!fp)
        die("%s: %s", list, strerror(errno));
    dmp_sym_lookup *const lk = malloc(sizeof *lk);
    if (!lk)
        die("%s", "out of memory");
    char word[64];
    struct tally t = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    uint64_t addr;
    while (fscanf(fp, "%63s", word) == 1) {
        if (!parse_u64(word, &addr))
            die("%s: not a hex address: %s", list, word);
        print_lookup(addr, dmp_sym_lookup_addr(s, addr, lk), lk);
        look_up(s, addr, lk, &t);
    }
    if (fp != stdin)
        fclose(fp);
    free(lk);
    return t.errors ? 1 : 0;
}

static double per_call_us(double seconds, uint64_t calls)
{
    return calls ? seconds * 1e6 / (double)calls : 0.0;
}

struct config {
    uint64_t lookups, lo, hi, seed;
    const char *addrs;
};

static int bench_file(const char *path, const struct config *c)
{
    struct stat st;
    if (stat(path, &st) != 0)
        die("%s: %s", path, strerror(errno));
    const struct mem m0 = read_mem();
    dmp_symfile *s;
    dmp_error err;
    const double t0 = bu_now();
    const dmp_status os = dmp_sym_open(path, &s, &err);
    const double t1 = bu_now();
    if (os != DMP_OK)
        die("%s: %s", path, err.message);
    const struct mem m1 = read_mem();
    if (c->addrs) {
        const int rc = lookup_listed(s, c->addrs);
        dmp_sym_close(s);
        return rc;
    }
    uint64_t *const addrs = malloc(c->lookups * sizeof *addrs);
    dmp_sym_lookup *const lk = malloc(sizeof *lk);
    if (!addrs || !lk)
        die("%s", "out of memory");
    uint64_t state = c->seed;
    for (uint64_t k = 0; k < c->lookups; k++)
        addrs[k] = c->lo + bu_below(&state, c->hi - c->lo);
    struct tally t = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    const double t2 = bu_now();
    for (uint64_t k = 0; k < c->lookups; k++)
        look_up(s, addrs[k], lk, &t);
    const double t3 = bu_now();
    const struct mem m2 = read_mem();
    dmp_sym_info info;
    dmp_sym_get_info(s, &info);
    printf("file_bytes=%" PRIu64 " open_ms=%.3f lookups=%" PRIu64 " lookup_ms=%.3f"
           " us_per_lookup=%.2f func=%" PRIu64 " public=%" PRIu64 " none=%" PRIu64
           " with_line=%" PRIu64 " inline_frames=%" PRIu64 " cfi=%" PRIu64 " win=%" PRIu64
           " errors=%" PRIu64 " addr_us=%.2f cfi_us=%.2f win_us=%.2f",
           (uint64_t)st.st_size, (t1 - t0) * 1e3, c->lookups, (t3 - t2) * 1e3,
           per_call_us(t3 - t2, c->lookups), t.func, t.pub, t.none, t.lines, t.inlines, t.cfi,
           t.win, t.errors, per_call_us(t.addr_s, c->lookups), per_call_us(t.cfi_s, c->lookups),
           per_call_us(t.win_s, c->lookups));
    printf(" index_bytes=%" PRIu64 " funcs=%zu publics=%zu cfi_inits=%zu wins=%zu"
           " lines=%" PRIu64 " bad_lines=%" PRIu64,
           info.index_bytes, info.func_count, info.public_count, info.cfi_count, info.win_count,
           info.line_count, info.bad_lines);
    /* peak anonymous: the high-water mark less the file pages still mapped (they only grow) */
    const uint64_t peak_anon = m2.hwm > m2.file ? m2.hwm - m2.file : 0;
    printf(" anon_start_kb=%" PRIu64 " anon_open_kb=%" PRIu64 " anon_kb=%" PRIu64
           " file_kb=%" PRIu64 " hwm_kb=%" PRIu64 " peak_anon_kb=%" PRIu64
           " anon_pct_of_file=%.3f peak_anon_pct_of_file=%.3f\n",
           m0.anon, m1.anon, m2.anon, m2.file, m2.hwm, peak_anon,
           100.0 * (double)m2.anon * 1024.0 / (double)st.st_size,
           100.0 * (double)peak_anon * 1024.0 / (double)st.st_size);
    free(lk);
    free(addrs);
    dmp_sym_close(s);
    return t.errors ? 1 : 0;
}

/* ---- sym_bench floor ------------------------------------------------------------------- */

/* Lines of [p, end) and how many start with an upper-case letter (a keyword record). */
static void count_lines(const char *p, const char *const end, uint64_t *lines, uint64_t *words)
{
    while (p < end) {
        const char *const nl = memchr(p, '\n', (size_t)(end - p));
        *words += *p >= 'A' && *p <= 'Z';
        ++*lines;
        p = nl ? nl + 1 : end;
    }
}

static int cmd_floor(int argc, char **argv)
{
    if (argc != 2 || (strcmp(argv[0], "mmap") != 0 && strcmp(argv[0], "read") != 0))
        die("%s", "usage: sym_bench floor mmap|read FILE");
    const int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0)
        die("%s: %s", argv[1], strerror(errno));
    uint64_t lines = 0, words = 0;
    if (strcmp(argv[0], "mmap") == 0) {
        const size_t len = (size_t)st.st_size;
        const char *const p = len ? mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0) : "";
        if (p == MAP_FAILED)
            die("mmap: %s", strerror(errno));
        count_lines(p, p + len, &lines, &words);
    } else {
        static char buf[(size_t)128 << 10];
        size_t keep = 0; /* a line cut by the buffer's end, moved to its start */
        for (;;) {
            const ssize_t got = read(fd, buf + keep, sizeof buf - keep);
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0)
                die("read: %s", strerror(errno));
            const char *const end = buf + keep + (size_t)got;
            const char *cut = end;
            while (got > 0 && cut > buf && cut[-1] != '\n')
                cut--;
            if (got == 0 || cut == buf)
                cut = end; /* the last line, or one longer than the buffer */
            count_lines(buf, cut, &lines, &words);
            if (got == 0)
                break;
            keep = (size_t)(end - cut);
            memmove(buf, cut, keep);
        }
    }
    printf("lines=%" PRIu64 " keyword_lines=%" PRIu64 "\n", lines, words);
    close(fd);
    return 0;
}

/* ---- sym_bench time --------------------------------------------------------------------- */

/* Runs argv to completion; its wall time in seconds, *maxrss_kb and *status. */
static double run_one(char *const argv[], const char *out, const char *err, long *maxrss_kb,
                      int *status)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (err)
        posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_APPEND, 0644);
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

static int cmd_time(int argc, char **argv)
{
    const char *out = "/dev/null", *err = NULL;
    int i = 0;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strcmp(argv[i], "--err") == 0 && i + 1 < argc)
            err = argv[++i];
        else
            die("time: unknown option %s", argv[i]);
    }
    if (i + 1 >= argc)
        die("%s", "time: no command after --");
    double wall = 0;
    long maxrss = 0;
    int status = 0;
    for (int first = ++i; first < argc; first = i) {
        while (i < argc && strcmp(argv[i], ";;") != 0)
            i++;
        if (i == first)
            die("%s", "time: empty command");
        argv[i < argc ? i++ : i] = NULL; /* ends this command's argv */
        long rss;
        int st;
        wall += run_one(argv + first, out, err, &rss, &st);
        maxrss = rss > maxrss ? rss : maxrss;
        status = status ? status : st;
    }
    printf("wall_ms=%.3f maxrss_kb=%ld status=%d\n", wall * 1e3, maxrss, status);
    return status ? 1 : 0;
}

/* ---- main ------------------------------------------------------------------------------- */

static const char usage_text[] =
    "usage: sym_bench [OPTIONS] FILE.sym\n"
    "       sym_bench time [--out FILE] [--err FILE] -- CMD ARG... [';;' CMD ARG...]\n"
    "       sym_bench floor mmap|read FILE\n"
    "  -n, --lookups N    random addresses to look up (default 1000)\n"
    "  --range LO:HI      draw them from [LO, HI), hex (gen_sym prints lo= and hi=)\n"
    "  --seed S           random seed (default 1)\n"
    "  --addrs FILE       look up the hex addresses in FILE ('-': stdin) and print them\n";

static bool parse_range(const char *v, uint64_t *lo, uint64_t *hi)
{
    char buf[80];
    if (strlen(v) >= sizeof buf)
        return false;
    strcpy(buf, v);
    char *const colon = strchr(buf, ':');
    if (!colon)
        return false;
    *colon = '\0';
    return parse_u64(buf, lo) && parse_u64(colon + 1, hi) && *hi > *lo;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "time") == 0)
        return cmd_time(argc - 2, argv + 2);
    if (argc > 1 && strcmp(argv[1], "floor") == 0)
        return cmd_floor(argc - 2, argv + 2);
    struct config c = {1000, 0, 0, 1, NULL};
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        const char *const a = argv[i], *const v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
            return fputs(usage_text, stdout), 0;
        if (a[0] != '-') {
            if (path)
                die("%s", "one FILE.sym only");
            path = a;
            continue;
        }
        if (!v)
            die("%s needs a value", a);
        i++;
        if (strcmp(a, "--range") == 0) {
            if (!parse_range(v, &c.lo, &c.hi))
                die("bad --range %s (want LO:HI in hex, LO < HI)", v);
        } else if (strcmp(a, "--addrs") == 0) {
            c.addrs = v;
        } else if (strcmp(a, "-n") == 0 || strcmp(a, "--lookups") == 0) {
            if (!bu_parse_size(v, &c.lookups))
                die("bad number for %s", a);
        } else if (strcmp(a, "--seed") == 0) {
            if (!bu_parse_size(v, &c.seed))
                die("bad number for %s", a);
        } else {
            die("unknown option %s (try --help)", a);
        }
    }
    if (!path)
        die("%s", "no FILE.sym given (try --help)");
    if (!c.addrs && c.hi == 0)
        die("%s", "--range LO:HI is needed for random lookups");
    return bench_file(path, &c);
}
