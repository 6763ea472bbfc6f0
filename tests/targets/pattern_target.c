/* pattern_target.c - a Linux process that writes known byte patterns into its own memory,
 * reports where they are, and waits to be dumped (by tests/targets/lldb_capture.sh).
 * SPDX-License-Identifier: MIT
 *
 * Usage: pattern_target [--threads N] [--adjacent] [--out FILE] [--timeout SECONDS]
 *
 * Patterns live on the main thread's stack (one of them across a page boundary), on the heap,
 * in a global, on the stack of each of N extra threads, and, with --adjacent, across the
 * boundary between two mappings that each hold a thread's stack: a MAP_PRIVATE and a
 * MAP_SHARED anonymous mapping placed back to back, which the kernel keeps as two lines of
 * /proc/PID/maps, so a writer that captures "the mapping holding a thread's stack pointer"
 * writes two abutting ranges.
 *
 * The report (sidecar records without the writer's expectations; see SIDECAR.md) is written
 * to FILE.tmp and renamed to FILE once every thread is asleep, so FILE appearing means "ready
 * to attach". Every thread then sleeps in a system call made from this program's own code
 * (not libc's), so a writer that saves the mapping holding each thread's instruction pointer
 * saves this program's small text mapping rather than all of libc's. The process ends itself
 * after --timeout seconds (default 60) in case whoever started it has gone.
 */
#define _GNU_SOURCE /* gettid, dl_iterate_phdr, MAP_ANONYMOUS */
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_THREADS 16
#define MAX_PATTERNS (8 + MAX_THREADS)
#define PATTERN_LEN 64
#define STRADDLE_LEN 96
#define ADJACENT_LEN 128
#define WORKER_STACK (64 * 1024)
/* Each of the two abutting mappings of --adjacent; its thread's stack leaves one page free
 * at the shared boundary for the pattern. */
#define ADJ_REGION (32 * 1024)

struct pattern {
    char name[32];
    const uint8_t *addr;
    size_t len;
};

static struct pattern patterns[MAX_PATTERNS];
static atomic_int pattern_count;
static pid_t thread_ids[MAX_THREADS + 1];
static atomic_int thread_count;

/* The global pattern's home: in the executable's writable data, which stack-only writers skip. */
static uint8_t global_area[256];

static void die(const char *what)
{
    fprintf(stderr, "pattern_target: %s: %s\n", what, strerror(errno));
    exit(EXIT_FAILURE);
}

/* FNV-1a of the name seeds a xorshift64 stream, so every location has its own bytes and the
 * capture script never has to invent them. */
static void fill_pattern(const char *name, uint8_t *dst, size_t len)
{
    uint64_t x = 0xcbf29ce484222325u;
    for (const char *p = name; *p; p++)
        x = (x ^ (uint8_t)*p) * 0x100000001b3u;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        dst[i] = (uint8_t)(x >> 24);
    }
}

/* Fills and records a pattern. Threads call this concurrently: slots are claimed atomically. */
static void add_pattern(const char *name, uint8_t *dst, size_t len)
{
    const int slot = atomic_fetch_add(&pattern_count, 1);
    if (slot >= MAX_PATTERNS) {
        fputs("pattern_target: too many patterns\n", stderr);
        exit(EXIT_FAILURE);
    }
    fill_pattern(name, dst, len);
    snprintf(patterns[slot].name, sizeof patterns[slot].name, "%s", name);
    patterns[slot].addr = dst;
    patterns[slot].len = len;
}

static void add_thread_id(void)
{
    const int slot = atomic_fetch_add(&thread_count, 1);
    thread_ids[slot] = gettid();
}

/* Sleeps until a signal ends the process, in a system call issued from this file's code, so
 * the instruction pointer a debugger sees lies in this executable's text. */
static _Noreturn void sleep_here(void)
{
    for (;;) {
#if defined(__x86_64__)
        long ret = SYS_pause;
        __asm__ volatile("syscall" : "+a"(ret) : : "rcx", "r11", "memory");
#elif defined(__aarch64__)
        /* ppoll(NULL, 0, NULL, NULL, 0): no fds, no timeout; aarch64 has no pause. */
        register long x8 __asm__("x8") = SYS_ppoll;
        register long x0 __asm__("x0") = 0;
        register long x1 __asm__("x1") = 0;
        register long x2 __asm__("x2") = 0;
        register long x3 __asm__("x3") = 0;
        register long x4 __asm__("x4") = 0;
        __asm__ volatile("svc #0"
                         : "+r"(x0)
                         : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4)
                         : "memory");
#else
        pause(); /* the writer may then also save libc's text */
#endif
    }
}

/* Sleeping threads announce themselves here (a tid of 0: not yet); main waits until all of
 * them are in the kernel. */
static atomic_int sleeping_count;
static atomic_int sleeping_tids[MAX_THREADS];

static _Noreturn void announce_and_sleep(void)
{
    const int slot = atomic_fetch_add(&sleeping_count, 1);
    atomic_store(&sleeping_tids[slot], (int)gettid());
    sleep_here();
}

static void *worker_main(void *arg)
{
    const char *name = arg;
    uint8_t area[PATTERN_LEN * 2];
    add_pattern(name, area + PATTERN_LEN / 2, PATTERN_LEN);
    add_thread_id();
    announce_and_sleep();
}

/* True when thread `tid` of this process is asleep (state S in /proc/self/task/TID/stat). */
static int thread_sleeps(int tid)
{
    if (tid == 0)
        return 0;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
    FILE *const fp = fopen(path, "r");
    if (!fp)
        return 0;
    char line[512];
    const char *const got = fgets(line, sizeof line, fp);
    fclose(fp);
    const char *const paren = got ? strrchr(line, ')') : NULL;
    return paren && paren[1] == ' ' && paren[2] == 'S';
}

static void wait_for_sleepers(int expected)
{
    for (int tries = 0; tries < 10000; tries++) {
        int asleep = 0;
        if (atomic_load(&sleeping_count) == expected) {
            for (int i = 0; i < expected; i++)
                asleep += thread_sleeps(atomic_load(&sleeping_tids[i]));
        }
        if (asleep == expected)
            return;
        usleep(1000);
    }
    fputs("pattern_target: threads did not fall asleep\n", stderr);
    exit(EXIT_FAILURE);
}

/* Starts a worker named `name` on `stack` (or on a stack of stack_len bytes from pthreads). */
static void start_thread(void *stack, size_t stack_len, const char *name)
{
    static char names[MAX_THREADS][32];
    static int started;
    char *const own = names[started++];
    snprintf(own, sizeof names[0], "%s", name);
    pthread_attr_t attr;
    pthread_t t;
    int err = pthread_attr_init(&attr);
    if (!err && stack)
        err = pthread_attr_setstack(&attr, stack, stack_len);
    else if (!err)
        err = pthread_attr_setstacksize(&attr, stack_len);
    if (!err)
        err = pthread_create(&t, &attr, worker_main, own);
    pthread_attr_destroy(&attr);
    if (err) {
        errno = err;
        die("pthread_create");
    }
}

/* Two abutting anonymous mappings, private below and shared above, between PROT_NONE guard
 * pages; one thread's stack in each. Returns the boundary. */
static uint8_t *start_adjacent_threads(void)
{
    const size_t page = (size_t)sysconf(_SC_PAGESIZE);
    uint8_t *const res = mmap(NULL, 2 * ADJ_REGION + 2 * page, PROT_NONE,
                              MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (res == MAP_FAILED)
        die("mmap");
    uint8_t *const lo = res + page;
    uint8_t *const hi = lo + ADJ_REGION;
    if (mmap(lo, ADJ_REGION, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
             0) == MAP_FAILED ||
        mmap(hi, ADJ_REGION, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1,
             0) == MAP_FAILED)
        die("mmap");
    start_thread(lo, ADJ_REGION - page, "stack-adj-lo");
    start_thread(hi + page, ADJ_REGION - page, "stack-adj-hi");
    return hi;
}

struct exe_base {
    uintptr_t base;
    int found;
};

/* The main program comes first in dl_iterate_phdr's walk; its base is its lowest PT_LOAD. */
static int find_exe_base(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct exe_base *const out = data;
    uintptr_t low = UINTPTR_MAX;
    for (int i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_LOAD && info->dlpi_phdr[i].p_vaddr < low)
            low = (uintptr_t)info->dlpi_phdr[i].p_vaddr;
    if (low != UINTPTR_MAX) {
        const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
        out->base = (info->dlpi_addr + low) & ~(page - 1);
        out->found = 1;
    }
    return 1;
}

static const char *arch_name(void)
{
#if defined(__x86_64__)
    return "amd64";
#elif defined(__i386__)
    return "x86";
#elif defined(__aarch64__)
    return "arm64";
#elif defined(__arm__)
    return "arm";
#else
    return "unknown";
#endif
}

static void write_report(FILE *out)
{
    char exe[4096];
    const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n < 0)
        die("readlink /proc/self/exe");
    exe[n] = '\0';
    const char *const slash = strrchr(exe, '/');
    struct exe_base eb = {0, 0};
    dl_iterate_phdr(find_exe_base, &eb);
    if (!eb.found) {
        fputs("pattern_target: no base for the executable\n", stderr);
        exit(EXIT_FAILURE);
    }
    fprintf(out, "arch %s\npid %d\nthreads %d\n", arch_name(), (int)getpid(),
            atomic_load(&thread_count));
    for (int i = 0; i < atomic_load(&thread_count); i++)
        fprintf(out, "thread %d\n", (int)thread_ids[i]);
    fprintf(out, "module 0x%jx %s\n", (uintmax_t)eb.base, slash ? slash + 1 : exe);
    for (int i = 0; i < atomic_load(&pattern_count); i++) {
        const struct pattern *const p = &patterns[i];
        fprintf(out, "pattern %s 0x%jx %zu ", p->name, (uintmax_t)(uintptr_t)p->addr, p->len);
        for (size_t k = 0; k < p->len; k++)
            fprintf(out, "%02x", p->addr[k]);
        fputc('\n', out);
    }
}

static void publish_report(const char *path)
{
    if (!path) {
        write_report(stdout);
        if (fflush(stdout) != 0)
            die("stdout");
        return;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *const fp = fopen(tmp, "w");
    if (!fp)
        die(tmp);
    write_report(fp);
    if (fclose(fp) != 0)
        die(tmp);
    if (rename(tmp, path) != 0)
        die(path);
}

struct options {
    int threads;
    int adjacent;
    unsigned timeout;
    const char *out;
};

static _Noreturn void usage(void)
{
    fputs("usage: pattern_target [--threads N] [--adjacent] [--out FILE] [--timeout SECONDS]\n",
          stderr);
    exit(2);
}

/* A whole decimal argument in [0, max], or the usage message. */
static long number_arg(const char *v, long max)
{
    char *end = NULL;
    errno = 0;
    const long n = v ? strtol(v, &end, 10) : -1;
    if (!v || errno || end == v || *end != '\0' || n < 0 || n > max)
        usage();
    return n;
}

static void parse_args(int argc, char **argv, struct options *o)
{
    for (int i = 1; i < argc; i++) {
        const char *const a = argv[i];
        const char *const v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--adjacent") == 0)
            o->adjacent = 1;
        else if (strcmp(a, "--threads") == 0)
            o->threads = (int)number_arg(v, MAX_THREADS - 2), i++;
        else if (strcmp(a, "--timeout") == 0)
            o->timeout = (unsigned)number_arg(v, 86400), i++;
        else if (strcmp(a, "--out") == 0 && v)
            o->out = v, i++;
        else
            usage();
    }
}

int main(int argc, char **argv)
{
    struct options o = {0, 0, 60, NULL};
    parse_args(argc, argv, &o);
    alarm(o.timeout);
    /* Lets a debugger that is not our parent attach under Yama's ptrace_scope 1. */
    prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);

    const size_t page = (size_t)sysconf(_SC_PAGESIZE);
    uint8_t stack_area[PATTERN_LEN * 2];
    uint8_t straddle_area[3 * 4096];
    add_thread_id();
    add_pattern("stack", stack_area + PATTERN_LEN / 2, PATTERN_LEN);
    /* Across the first page boundary inside the array: half below, half above. */
    uint8_t *const boundary =
        (uint8_t *)(((uintptr_t)straddle_area + page) & ~(uintptr_t)(page - 1));
    add_pattern("straddle-page", boundary - STRADDLE_LEN / 2, STRADDLE_LEN);
    uint8_t *const heap = malloc(4096);
    if (!heap)
        die("malloc");
    add_pattern("heap", heap + 128, PATTERN_LEN);
    add_pattern("global", global_area + 64, PATTERN_LEN);

    int workers = o.threads;
    for (int i = 0; i < o.threads; i++) {
        char name[32];
        snprintf(name, sizeof name, "stack-t%d", i + 1);
        start_thread(NULL, WORKER_STACK, name);
    }
    if (o.adjacent) {
        uint8_t *const b = start_adjacent_threads();
        add_pattern("adjacent", b - ADJACENT_LEN / 2, ADJACENT_LEN);
        workers += 2;
    }
    wait_for_sleepers(workers);
    publish_report(o.out);
    sleep_here();
}
