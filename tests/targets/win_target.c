/* win_target.c - a Windows program that dumps itself and a child with dbghelp's MiniDumpWriteDump.
 * SPDX-License-Identifier: MIT
 *
 * Built with mingw-w64 and run under Wine by wine_capture.sh. For each dump it writes a sidecar
 * (tests/targets/SIDECAR.md) holding what the live process reported about itself: its pid,
 * threads (Toolhelp), modules (GetModuleHandle), and byte patterns it wrote on its stacks, heap,
 * a global, across a page boundary, and across two abutting regions of different protection.
 * Every pattern is checked again after the dump, so a sidecar never claims bytes that changed
 * while the writer ran.
 *
 *   win_target.exe OUTDIR    writes into OUTDIR (a Windows path) the dumps
 *       wine-normal       MiniDumpNormal of itself, called from its only thread
 *       wine-self-full    MiniDumpWithFullMemory of itself (about 100 MB)
 *       wine-threads      MiniDumpNormal of itself with three more threads parked
 *       wine-exception    MiniDumpNormal from a vectored handler, with exception information
 *       wine-child        MiniDumpNormal of a running child (OpenProcess), two threads parked
 *       wine-child-full   MiniDumpWithFullMemory of that child (about 27 MB)
 *       wine-full         MiniDumpWithFullMemory of a bare child: created suspended, its
 *                         ntdll.dll unmapped, patterns written into it (under 4 MB, small
 *                         gzipped)
 *                         each NAME.dmp with its NAME.sidecar
 *   win_target.exe --child   (internal) fills its patterns, reports them on stdout, waits for
 *                            EOF on stdin, then checks them and exits
 *
 * Expectations encode what Wine's dbghelp does (dlls/dbghelp/minidump.c, Wine 8.0):
 * MiniDumpNormal writes the stacks of the threads it suspends, 256 bytes around each of their
 * instruction pointers and the modules' unwind tables, but nothing of the thread that calls it
 * unless exception information is given; MiniDumpWithFullMemory writes every MEM_COMMIT region
 * as its own Memory64ListStream descriptor, so two regions that differ only in protection give
 * two abutting descriptors.
 */
#define __USE_MINGW_ANSI_STDIO 1
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <dbghelp.h>
#include <tlhelp32.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#define TARGET_ARCH "amd64"
#elif defined(__i386__)
#define TARGET_ARCH "x86"
#elif defined(__aarch64__)
#define TARGET_ARCH "arm64"
#else
#error "unsupported architecture"
#endif

#define PAGE 4096u
#define PATTERN_LEN 256u
#define STRADDLE_LEN 128u
#define STRADDLE_AREA (PAGE + 256u) /* always holds a page boundary with 64 bytes either side */
#define MAX_PATTERNS 24
#define MAX_WORKERS 3
#define MAX_THREADS 256
#define TARGET_EXCEPTION 0xE0000001u
#define CHILD_TIMEOUT_MS 60000u

typedef BOOL(WINAPI *write_dump_fn)(HANDLE, DWORD, HANDLE, MINIDUMP_TYPE,
                                    PMINIDUMP_EXCEPTION_INFORMATION,
                                    PMINIDUMP_USER_STREAM_INFORMATION,
                                    PMINIDUMP_CALLBACK_INFORMATION);

/* Where a pattern lives, as the report names it; the sidecar turns it into an expectation. */
enum where { WHERE_STACK, WHERE_HEAP, WHERE_GLOBAL, WHERE_ADJACENT };

struct pattern {
    char name[40];
    enum where where;
    DWORD tid; /* WHERE_STACK: the thread whose stack holds it */
    uintptr_t addr;
    size_t len;
    uint32_t seed;
};

struct report {
    struct pattern pats[MAX_PATTERNS];
    size_t count;
};

/* A thread parked in WaitForSingleObject with patterns in its own frame. */
struct worker {
    HANDLE thread;
    HANDLE ready;
    unsigned index;
    uint32_t seed;
    struct pattern stack;
    struct pattern straddle;
};

struct scenario {
    const char *name; /* file stem: NAME.dmp, NAME.sidecar */
    const char *how;  /* the rest of the writer line */
    MINIDUMP_TYPE type;
    unsigned workers;
    int exception; /* written from a vectored handler, with MINIDUMP_EXCEPTION_INFORMATION */
    uint32_t id;   /* seeds the patterns, so every dump holds different bytes */
};

struct text {
    char *buf;
    size_t len;
    size_t cap;
};

static write_dump_fn write_dump_ptr;
static const char *g_outdir;
static HANDLE g_stop; /* manual-reset: releases the workers */
static volatile uint8_t g_global[PATTERN_LEN];
static volatile uint8_t *g_heap;
static uintptr_t g_adjacent; /* two pages: read-write, then read-only */

/* The pending exception dump, written by on_exception. */
static struct {
    char path[MAX_PATH];
    MINIDUMP_TYPE type;
    DWORD tid;
    int written;
} g_exc;

static void die(const char *fmt, ...) __attribute__((noreturn, format(gnu_printf, 1, 2)));

static void die(const char *fmt, ...)
{
    const DWORD err = GetLastError(); /* before stdio can change it */
    va_list ap;
    va_start(ap, fmt);
    fputs("win_target: ", stderr);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (GetLastError %lu)\n", err);
    va_end(ap);
    fflush(stderr);
    ExitProcess(2);
}

static void text_add(struct text *t, const char *fmt, ...)
    __attribute__((format(gnu_printf, 2, 3)));

static void text_add(struct text *t, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        const size_t room = t->cap - t->len;
        va_start(ap, fmt);
        const int n = vsnprintf(t->buf ? t->buf + t->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0)
            die("vsnprintf failed");
        if ((size_t)n < room) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = t->cap ? t->cap * 2 : 4096;
        while (cap - t->len <= (size_t)n)
            cap *= 2;
        char *const buf = realloc(t->buf, cap);
        if (!buf)
            die("out of memory");
        t->buf = buf;
        t->cap = cap;
    }
}

static void write_all(HANDLE h, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        const DWORD chunk = len > 65536 ? 65536 : (DWORD)len;
        DWORD done = 0;
        if (!WriteFile(h, p, chunk, &done, NULL) || done == 0)
            die("WriteFile failed");
        p += done;
        len -= done;
    }
}

static void out_path(char *buf, size_t cap, const char *stem, const char *ext)
{
    const int n = snprintf(buf, cap, "%s\\%s%s", g_outdir, stem, ext);
    if (n < 0 || (size_t)n >= cap)
        die("path too long: %s\\%s%s", g_outdir, stem, ext);
}

/* ---- Patterns ------------------------------------------------------------------------------ */

/* The byte at `addr` of a pattern: a 64-bit mix of seed and address, so every location of
 * every dump holds its own value. */
static uint8_t pattern_byte(uint32_t seed, uint64_t addr)
{
    uint64_t x = addr * 0x9e3779b97f4a7c15u + (uint64_t)seed * 0xbf58476d1ce4e5b9u;
    x ^= x >> 31;
    x *= 0x94d049bb133111ebu;
    x ^= x >> 29;
    return (uint8_t)x;
}

/* Volatile accesses: the compiler may not drop stores to frames it sees no reads of. */
static void pattern_fill(const struct pattern *p)
{
    volatile uint8_t *const b = (volatile uint8_t *)p->addr;
    for (size_t i = 0; i < p->len; i++)
        b[i] = pattern_byte(p->seed, p->addr + i);
}

/* Reads a pattern's bytes as they are now: from this process when `process` is NULL, else
 * from that process with ReadProcessMemory. */
static void pattern_read(HANDLE process, const struct pattern *p, uint8_t *out)
{
    SIZE_T done = 0;
    if (process) {
        if (!ReadProcessMemory(process, (const void *)p->addr, out, p->len, &done) ||
            done != p->len)
            die("ReadProcessMemory(%s) failed", p->name);
        return;
    }
    const volatile uint8_t *const b = (const volatile uint8_t *)p->addr;
    for (size_t i = 0; i < p->len; i++)
        out[i] = b[i];
}

static int pattern_intact(HANDLE process, const struct pattern *p)
{
    uint8_t bytes[PATTERN_LEN];
    pattern_read(process, p, bytes);
    for (size_t i = 0; i < p->len; i++)
        if (bytes[i] != pattern_byte(p->seed, p->addr + i))
            return 0;
    return 1;
}

/* Writes a pattern into another process. */
static void pattern_inject(HANDLE process, const struct pattern *p)
{
    uint8_t bytes[PATTERN_LEN];
    SIZE_T done = 0;
    for (size_t i = 0; i < p->len; i++)
        bytes[i] = pattern_byte(p->seed, p->addr + i);
    if (!WriteProcessMemory(process, (void *)p->addr, bytes, p->len, &done) || done != p->len)
        die("WriteProcessMemory(%s) failed", p->name);
}

static void pattern_set(struct pattern *p, const char *name, enum where where, volatile void *addr,
                        size_t len, uint32_t seed)
{
    snprintf(p->name, sizeof p->name, "%s", name);
    p->where = where;
    p->tid = where == WHERE_STACK ? GetCurrentThreadId() : 0;
    p->addr = (uintptr_t)addr;
    p->len = len;
    p->seed = seed;
}

static struct pattern *report_add(struct report *r)
{
    if (r->count == MAX_PATTERNS)
        die("too many patterns");
    return &r->pats[r->count++];
}

/* The spot in an area of STRADDLE_AREA bytes where a pattern crosses a page boundary. */
static volatile uint8_t *straddle_spot(volatile uint8_t *area)
{
    const uintptr_t a = (uintptr_t)area;
    const uintptr_t boundary = (a + 128 + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
    return area + (boundary - STRADDLE_LEN / 2 - a);
}

/* Patterns in the calling thread's frame: `stack`, and `straddle-page` across a page boundary.
 * The arrays belong to the caller, whose frame stays alive while the dump is written. */
static void add_stack_patterns(struct report *r, const char *prefix, volatile uint8_t *bytes,
                               volatile uint8_t *area, uint32_t seed)
{
    char name[40];
    struct pattern *p = report_add(r);
    snprintf(name, sizeof name, "%sstack", prefix);
    pattern_set(p, name, WHERE_STACK, bytes, PATTERN_LEN, seed);
    pattern_fill(p);
    p = report_add(r);
    snprintf(name, sizeof name, "%sstraddle-page", prefix);
    pattern_set(p, name, WHERE_STACK, straddle_spot(area), STRADDLE_LEN, seed + 1);
    pattern_fill(p);
}

/* Checks that the live process `process` sees [RW page][RO page] at base: two committed
 * regions, abutting. */
static void check_two_regions(HANDLE process, uintptr_t base)
{
    MEMORY_BASIC_INFORMATION lo, hi;
    if (!VirtualQueryEx(process, (const void *)base, &lo, sizeof lo) ||
        !VirtualQueryEx(process, (const void *)(base + PAGE), &hi, sizeof hi))
        die("VirtualQueryEx failed");
    if (lo.RegionSize != PAGE || lo.State != MEM_COMMIT || lo.Protect != PAGE_READWRITE ||
        hi.BaseAddress != (void *)(base + PAGE) || hi.State != MEM_COMMIT ||
        hi.Protect != PAGE_READONLY)
        die("the two pages at 0x%" PRIxPTR " did not become two abutting regions", base);
}

/* Refills the adjacent pattern, whose second page is read-only, and splits the pages again. */
static void adjacent_fill(const struct pattern *p)
{
    DWORD old;
    if (!VirtualProtect((void *)(g_adjacent + PAGE), PAGE, PAGE_READWRITE, &old))
        die("VirtualProtect(read-write) failed");
    pattern_fill(p);
    if (!VirtualProtect((void *)(g_adjacent + PAGE), PAGE, PAGE_READONLY, &old))
        die("VirtualProtect(read-only) failed");
    check_two_regions(GetCurrentProcess(), g_adjacent);
}

static void setup_process_memory(void)
{
    g_heap = HeapAlloc(GetProcessHeap(), 0, PATTERN_LEN);
    g_adjacent = (uintptr_t)VirtualAlloc(NULL, 2 * PAGE, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    if (!g_heap || !g_adjacent)
        die("cannot allocate the heap or adjacent patterns");
}

/* `heap`, `global` and `adjacent`, refilled with this scenario's seeds. */
static void add_process_patterns(struct report *r, uint32_t seed)
{
    struct pattern *p = report_add(r);
    pattern_set(p, "heap", WHERE_HEAP, g_heap, PATTERN_LEN, seed);
    pattern_fill(p);
    p = report_add(r);
    pattern_set(p, "global", WHERE_GLOBAL, g_global, PATTERN_LEN, seed + 1);
    pattern_fill(p);
    p = report_add(r);
    pattern_set(p, "adjacent", WHERE_ADJACENT,
                (volatile void *)(g_adjacent + PAGE - STRADDLE_LEN / 2), STRADDLE_LEN, seed + 2);
    adjacent_fill(p);
}

static int report_intact(HANDLE process, const struct report *r)
{
    for (size_t i = 0; i < r->count; i++)
        if (!pattern_intact(process, &r->pats[i]))
            return 0;
    return 1;
}

/* ---- Workers ------------------------------------------------------------------------------ */

static DWORD WINAPI worker_main(void *arg)
{
    struct worker *const w = arg;
    volatile uint8_t bytes[PATTERN_LEN];
    volatile uint8_t area[STRADDLE_AREA];
    char name[40];

    snprintf(name, sizeof name, "worker%u-stack", w->index);
    pattern_set(&w->stack, name, WHERE_STACK, bytes, PATTERN_LEN, w->seed);
    pattern_fill(&w->stack);
    snprintf(name, sizeof name, "worker%u-straddle-page", w->index);
    pattern_set(&w->straddle, name, WHERE_STACK, straddle_spot(area), STRADDLE_LEN, w->seed + 1);
    pattern_fill(&w->straddle);
    SetEvent(w->ready);
    WaitForSingleObject(g_stop, INFINITE);
    return pattern_intact(NULL, &w->stack) && pattern_intact(NULL, &w->straddle) ? 0 : 1;
}

static void start_workers(struct worker *ws, unsigned count, struct report *r, uint32_t seed)
{
    ResetEvent(g_stop);
    for (unsigned i = 0; i < count; i++) {
        struct worker *const w = &ws[i];
        w->index = i + 1;
        w->seed = seed + 16 + 2 * i;
        w->ready = CreateEventA(NULL, TRUE, FALSE, NULL);
        w->thread = w->ready ? CreateThread(NULL, 0, worker_main, w, 0, NULL) : NULL;
        if (!w->thread || WaitForSingleObject(w->ready, 10000) != WAIT_OBJECT_0)
            die("worker %u did not start", w->index);
        *report_add(r) = w->stack;
        *report_add(r) = w->straddle;
    }
}

/* Releases the workers; fails when one saw its patterns change. */
static void stop_workers(struct worker *ws, unsigned count)
{
    SetEvent(g_stop);
    for (unsigned i = 0; i < count; i++) {
        DWORD code = 1;
        if (WaitForSingleObject(ws[i].thread, 10000) != WAIT_OBJECT_0 ||
            !GetExitCodeThread(ws[i].thread, &code) || code != 0)
            die("worker %u's patterns changed or it did not stop", ws[i].index);
        CloseHandle(ws[i].thread);
        CloseHandle(ws[i].ready);
    }
}

/* ---- What the live process reports -------------------------------------------------------- */

/* The threads of process `pid` as Toolhelp lists them now. */
static void describe_threads(struct text *t, DWORD pid)
{
    DWORD ids[MAX_THREADS];
    size_t count = 0;
    THREADENTRY32 te;
    const HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
    if (snap == INVALID_HANDLE_VALUE)
        die("CreateToolhelp32Snapshot failed");
    te.dwSize = sizeof te;
    for (BOOL ok = Thread32First(snap, &te); ok; ok = Thread32Next(snap, &te)) {
        if (te.th32OwnerProcessID != pid)
            continue;
        if (count == MAX_THREADS)
            die("more than %d threads", MAX_THREADS);
        ids[count++] = te.th32ThreadID;
    }
    CloseHandle(snap);
    text_add(t, "threads %zu\n", count);
    for (size_t i = 0; i < count; i++)
        text_add(t, "thread %lu\n", ids[i]);
}

static void describe_module(struct text *t, HMODULE h)
{
    char path[MAX_PATH];
    const DWORD n = GetModuleFileNameA(h, path, sizeof path);
    if (n == 0 || n >= sizeof path)
        die("GetModuleFileName failed");
    const char *base = path;
    for (const char *c = path; *c; c++)
        if (*c == '\\' || *c == '/')
            base = c + 1;
    text_add(t, "module 0x%" PRIxPTR " %s\n", (uintptr_t)h, base);
}

/* Pattern lines carry where the bytes live in place of the expectation, as one word:
 * stack-writer (the stack of the thread that calls the writer), stack, heap, global,
 * adjacent. add_pattern_line() turns it into EXPECT. `process` is NULL for this process. */
static void describe_patterns(struct text *t, const struct report *r, DWORD writer_tid,
                              HANDLE process)
{
    static const char *const words[] = {"stack", "heap", "global", "adjacent"};
    uint8_t bytes[PATTERN_LEN];
    for (size_t i = 0; i < r->count; i++) {
        const struct pattern *const p = &r->pats[i];
        const int mine = p->where == WHERE_STACK && p->tid == writer_tid;
        if (!pattern_intact(process, p))
            die("pattern %s changed before the dump", p->name);
        pattern_read(process, p, bytes);
        text_add(t, "pattern %s 0x%" PRIxPTR " %zu %s ", p->name, p->addr, p->len,
                 mine ? "stack-writer" : words[p->where]);
        for (size_t k = 0; k < p->len; k++)
            text_add(t, "%02x", bytes[k]);
        text_add(t, "\n");
    }
}

/* pid, threads, modules and patterns of this process, as sidecar lines. `writer_tid` is the
 * thread that will call MiniDumpWriteDump on this process, 0 when another process does. */
static void describe_process(struct text *t, const struct report *r, DWORD writer_tid)
{
    static const char *const dlls[] = {"ntdll.dll", "kernel32.dll", "kernelbase.dll"};
    text_add(t, "pid %lu\n", GetCurrentProcessId());
    describe_threads(t, GetCurrentProcessId());
    describe_module(t, GetModuleHandleA(NULL));
    for (size_t i = 0; i < sizeof dlls / sizeof dlls[0]; i++) {
        const HMODULE h = GetModuleHandleA(dlls[i]);
        if (h)
            describe_module(t, h);
    }
    describe_patterns(t, r, writer_tid, NULL);
}

/* ---- Sidecars ---------------------------------------------------------------------------- */

static const char *host_name(void)
{
    typedef const char *(CDECL * version_fn)(void);
    static char name[64];
    const HMODULE ntdll = GetModuleHandleA("ntdll.dll");
    const FARPROC proc = ntdll ? GetProcAddress(ntdll, "wine_get_version") : NULL;
    if (proc) {
        const version_fn version = (version_fn)(void (*)(void))proc;
        snprintf(name, sizeof name, "Wine %s", version());
    } else {
        snprintf(name, sizeof name, "Windows");
    }
    return name;
}

static int on_wine(void)
{
    return strncmp(host_name(), "Wine", 4) == 0;
}

/* What the writer does with bytes living at `where`; NULL when not known for this host. */
static const char *expectation(const char *where, const struct scenario *sc)
{
    if (sc->type & MiniDumpWithFullMemory)
        return strcmp(where, "adjacent") == 0 ? "spans" : "captured";
    if (strcmp(where, "stack") == 0)
        return "captured";
    if (strcmp(where, "stack-writer") == 0) {
        if (sc->exception)
            return "captured";
        /* Wine writes neither context nor stack for the calling thread without exception
         * information; Windows' dbghelp records the calling thread too. */
        return on_wine() ? "absent" : NULL;
    }
    return "absent";
}

/* Copies a pattern line, its where-word replaced by the expectation. */
static void add_pattern_line(struct text *t, const char *line, size_t len,
                             const struct scenario *sc)
{
    char name[40], addr[24], count[24], where[24];
    int used = 0;
    if (sscanf(line, "pattern %39s %23s %23s %23s %n", name, addr, count, where, &used) != 4 ||
        used <= 0 || (size_t)used >= len)
        die("malformed pattern line: %.*s", (int)len, line);
    const char *const expect = expectation(where, sc);
    if (!expect) {
        text_add(t, "# pattern %s: what this host's writer does with it is not known\n", name);
        return;
    }
    text_add(t, "pattern %s %s %s %s %.*s\n", name, addr, count, expect, (int)(len - (size_t)used),
             line + used);
}

static void add_report(struct text *t, const char *report, const struct scenario *sc)
{
    const char *line = report;
    while (*line) {
        const char *const nl = strchr(line, '\n');
        const size_t len = nl ? (size_t)(nl - line) : strlen(line);
        if (strncmp(line, "pattern ", 8) == 0)
            add_pattern_line(t, line, len, sc);
        else if (len > 0)
            text_add(t, "%.*s\n", (int)len, line);
        line += nl ? len + 1 : len;
    }
}

static void write_sidecar(const struct scenario *sc, const char *dump_name, const char *report,
                          DWORD exc_tid)
{
    char path[MAX_PATH];
    struct text t = {0};
    text_add(&t, "dmpread-sidecar 1\n");
    text_add(&t, "# written by tests/targets/win_target.c while the process was alive\n");
    text_add(&t, "dump %s\n", dump_name);
    text_add(&t, "writer %s dbghelp MiniDumpWriteDump %s\n", host_name(), sc->how);
    text_add(&t, "arch %s\n", TARGET_ARCH);
    if (strstr(report, " stack-writer ") && !(sc->type & MiniDumpWithFullMemory) &&
        !sc->exception && on_wine())
        text_add(&t, "# Wine writes no context or stack for the thread calling MiniDumpWriteDump "
                     "without exception information (Windows' dbghelp does): stack-writer "
                     "patterns are absent\n");
    add_report(&t, report, sc);
    if (sc->exception)
        text_add(&t, "exception 0x%08x %lu\n", TARGET_EXCEPTION, exc_tid);
    out_path(path, sizeof path, sc->name, ".sidecar");
    const HANDLE h = CreateFileA(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    if (h == INVALID_HANDLE_VALUE)
        die("cannot create %s", path);
    write_all(h, t.buf, t.len);
    CloseHandle(h);
    free(t.buf);
}

/* ---- Writing dumps ------------------------------------------------------------------------ */

static void write_dump(const char *path, HANDLE process, DWORD pid, MINIDUMP_TYPE type,
                       MINIDUMP_EXCEPTION_INFORMATION *exc)
{
    const HANDLE h = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
                                 FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE)
        die("cannot create %s", path);
    if (!write_dump_ptr(process, pid, h, type, exc, NULL, NULL))
        die("MiniDumpWriteDump(%s) failed", path);
    CloseHandle(h);
}

/* Writes the pending dump from inside the exception, as a crash handler would. */
static LONG CALLBACK on_exception(EXCEPTION_POINTERS *ep)
{
    MINIDUMP_EXCEPTION_INFORMATION mei;
    if (ep->ExceptionRecord->ExceptionCode != TARGET_EXCEPTION || g_exc.written)
        return EXCEPTION_CONTINUE_SEARCH;
    mei.ThreadId = GetCurrentThreadId();
    mei.ExceptionPointers = ep;
    mei.ClientPointers = FALSE;
    write_dump(g_exc.path, GetCurrentProcess(), GetCurrentProcessId(), g_exc.type, &mei);
    g_exc.tid = mei.ThreadId;
    g_exc.written = 1;
    return EXCEPTION_CONTINUE_EXECUTION;
}

static DWORD dump_via_exception(const char *path, MINIDUMP_TYPE type)
{
    const ULONG_PTR params[2] = {0x1234, (ULONG_PTR)&g_global};
    snprintf(g_exc.path, sizeof g_exc.path, "%s", path);
    g_exc.type = type;
    g_exc.written = 0;
    void *const veh = AddVectoredExceptionHandler(1, on_exception);
    if (!veh)
        die("AddVectoredExceptionHandler failed");
    RaiseException(TARGET_EXCEPTION, 0, 2, params);
    RemoveVectoredExceptionHandler(veh);
    if (!g_exc.written)
        die("the vectored handler did not run");
    return g_exc.tid;
}

/* One dump of this process. The stack patterns live in this frame, above the stack pointer of
 * whatever MiniDumpWriteDump (or the exception) records for this thread. */
static void self_dump(const struct scenario *sc)
{
    volatile uint8_t bytes[PATTERN_LEN];
    volatile uint8_t area[STRADDLE_AREA];
    struct report rep = {0};
    struct worker workers[MAX_WORKERS];
    struct text live = {0};
    char path[MAX_PATH], dump_name[MAX_PATH];
    DWORD exc_tid = 0;

    add_stack_patterns(&rep, "", bytes, area, sc->id * 64);
    add_process_patterns(&rep, sc->id * 64 + 4);
    start_workers(workers, sc->workers, &rep, sc->id * 64);
    describe_process(&live, &rep, GetCurrentThreadId());
    out_path(path, sizeof path, sc->name, ".dmp");
    if (sc->exception)
        exc_tid = dump_via_exception(path, sc->type);
    else
        write_dump(path, GetCurrentProcess(), GetCurrentProcessId(), sc->type, NULL);
    if (!report_intact(NULL, &rep))
        die("a pattern changed while %s was written", path);
    stop_workers(workers, sc->workers);
    snprintf(dump_name, sizeof dump_name, "%s.dmp", sc->name);
    write_sidecar(sc, dump_name, live.buf, exc_tid);
    free(live.buf);
}

/* ---- The child ---------------------------------------------------------------------------- */

static int child_main(void)
{
    volatile uint8_t bytes[PATTERN_LEN];
    volatile uint8_t area[STRADDLE_AREA];
    struct report rep = {0};
    struct worker workers[1];
    struct text live = {0};
    char c;
    DWORD got;
    const uint32_t seed = 7 * 64;

    g_stop = CreateEventA(NULL, TRUE, FALSE, NULL);
    if (!g_stop)
        die("CreateEvent failed");
    setup_process_memory();
    add_stack_patterns(&rep, "", bytes, area, seed);
    add_process_patterns(&rep, seed + 4);
    start_workers(workers, 1, &rep, seed);
    describe_process(&live, &rep, 0);
    text_add(&live, "ready\n");
    write_all(GetStdHandle(STD_OUTPUT_HANDLE), live.buf, live.len);
    /* Parked here while the parent writes its dumps; EOF releases us. */
    while (ReadFile(GetStdHandle(STD_INPUT_HANDLE), &c, 1, &got, NULL) && got == 1)
        continue;
    const int intact = report_intact(NULL, &rep);
    stop_workers(workers, 1);
    return intact ? 0 : 3;
}

/* A command line that runs this program again with `arg`. */
static void self_command(char *cmd, size_t cap, const char *arg)
{
    char exe[MAX_PATH];
    const DWORD n = GetModuleFileNameA(NULL, exe, sizeof exe);
    if (n == 0 || n >= sizeof exe)
        die("GetModuleFileName failed");
    const int len = snprintf(cmd, cap, "\"%s\" %s", exe, arg);
    if (len < 0 || (size_t)len >= cap)
        die("command line too long");
}

struct child {
    PROCESS_INFORMATION pi;
    HANDLE to_child;   /* its stdin: closing it releases the child */
    HANDLE from_child; /* its stdout: the report */
};

static void spawn_child(struct child *ch)
{
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    STARTUPINFOA si;
    HANDLE in_r, out_w;
    char cmd[MAX_PATH + 32];
    self_command(cmd, sizeof cmd, "--child");
    if (!CreatePipe(&in_r, &ch->to_child, &sa, 0) || !CreatePipe(&ch->from_child, &out_w, &sa, 0))
        die("CreatePipe failed");
    SetHandleInformation(ch->to_child, HANDLE_FLAG_INHERIT, 0);
    SetHandleInformation(ch->from_child, HANDLE_FLAG_INHERIT, 0);
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = in_r;
    si.hStdOutput = out_w;
    si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    if (!CreateProcessA(NULL, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &ch->pi))
        die("cannot start %s", cmd);
    CloseHandle(in_r);
    CloseHandle(out_w);
}

/* Reads the child's report up to its "ready" line, which is dropped. */
static void read_child_report(struct child *ch, struct text *t)
{
    for (;;) {
        char buf[4096];
        DWORD got = 0;
        if (!ReadFile(ch->from_child, buf, sizeof buf, &got, NULL) || got == 0)
            die("the child ended before reporting");
        text_add(t, "%.*s", (int)got, buf);
        if (t->len >= 6 && memcmp(t->buf + t->len - 6, "ready\n", 6) == 0) {
            t->len -= 6;
            t->buf[t->len] = '\0';
            return;
        }
    }
}

static void child_dumps(const struct scenario *normal, const struct scenario *full)
{
    struct child ch;
    struct text report = {0};
    char path[MAX_PATH], dump_name[MAX_PATH];
    DWORD code = 1;

    spawn_child(&ch);
    read_child_report(&ch, &report);
    const DWORD access = PROCESS_QUERY_INFORMATION | PROCESS_VM_READ | PROCESS_DUP_HANDLE;
    const HANDLE process = OpenProcess(access, FALSE, ch.pi.dwProcessId);
    if (!process)
        die("OpenProcess(%lu) failed", ch.pi.dwProcessId);
    out_path(path, sizeof path, normal->name, ".dmp");
    write_dump(path, process, ch.pi.dwProcessId, normal->type, NULL);
    out_path(path, sizeof path, full->name, ".dmp");
    write_dump(path, process, ch.pi.dwProcessId, full->type, NULL);
    CloseHandle(process);
    CloseHandle(ch.to_child);
    if (WaitForSingleObject(ch.pi.hProcess, CHILD_TIMEOUT_MS) != WAIT_OBJECT_0) {
        TerminateProcess(ch.pi.hProcess, 1);
        die("the child did not exit");
    }
    if (!GetExitCodeProcess(ch.pi.hProcess, &code) || code != 0)
        die("the child exited with %lu: its patterns changed", code);
    CloseHandle(ch.pi.hProcess);
    CloseHandle(ch.pi.hThread);
    CloseHandle(ch.from_child);
    snprintf(dump_name, sizeof dump_name, "%s.dmp", normal->name);
    write_sidecar(normal, dump_name, report.buf, 0);
    snprintf(dump_name, sizeof dump_name, "%s.dmp", full->name);
    write_sidecar(full, dump_name, report.buf, 0);
    free(report.buf);
}

/* ---- The bare child ----------------------------------------------------------------------- */

/* A full-memory dump of any running Wine process holds ntdll, kernel32 and kernelbase with their
 * DWARF sections mapped: over 20 MiB, several MiB gzipped. A child created suspended has only
 * its image, ntdll, a stack and a few pages; with its ntdll unmapped (it never runs) its dump is
 * small enough to commit. Its loader never ran, so the dump lists no modules. */

typedef LONG(NTAPI *unmap_view_fn)(HANDLE, PVOID);

static void unmap_ntdll(HANDLE process)
{
    const HMODULE ntdll = GetModuleHandleA("ntdll.dll");
    const FARPROC proc = ntdll ? GetProcAddress(ntdll, "NtUnmapViewOfSection") : NULL;
    MEMORY_BASIC_INFORMATION m;
    if (!proc)
        die("no ntdll.dll!NtUnmapViewOfSection");
    /* ntdll.dll is mapped at the same address in every process. */
    if (!VirtualQueryEx(process, ntdll, &m, sizeof m) || m.Type != MEM_IMAGE ||
        m.AllocationBase != (void *)ntdll)
        die("the child's ntdll.dll is not at %p", (void *)ntdll);
    const LONG status = ((unmap_view_fn)(void (*)(void))proc)(process, (void *)ntdll);
    if (status != 0)
        die("NtUnmapViewOfSection failed: 0x%08lx", (unsigned long)status);
}

static uintptr_t remote_alloc(HANDLE process)
{
    void *const p =
        VirtualAllocEx(process, NULL, 2 * PAGE, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    if (!p)
        die("VirtualAllocEx failed");
    return (uintptr_t)p;
}

/* Patterns the parent writes into the suspended child: in a private allocation (one across its
 * page boundary), across two abutting regions, and in the child's copy of g_global when its
 * image sits where ours does. */
static void bare_patterns(HANDLE process, struct report *r, uint32_t seed)
{
    const uintptr_t priv = remote_alloc(process);
    const uintptr_t adj = remote_alloc(process);
    MEMORY_BASIC_INFORMATION m;
    DWORD old;
    pattern_set(report_add(r), "heap", WHERE_HEAP, (volatile void *)(priv + 256), PATTERN_LEN,
                seed);
    pattern_set(report_add(r), "straddle-page", WHERE_HEAP,
                (volatile void *)(priv + PAGE - STRADDLE_LEN / 2), STRADDLE_LEN, seed + 1);
    pattern_set(report_add(r), "adjacent", WHERE_ADJACENT,
                (volatile void *)(adj + PAGE - STRADDLE_LEN / 2), STRADDLE_LEN, seed + 2);
    if (VirtualQueryEx(process, (const void *)(uintptr_t)g_global, &m, sizeof m) &&
        m.Type == MEM_IMAGE && m.AllocationBase == (void *)GetModuleHandleA(NULL))
        pattern_set(report_add(r), "global", WHERE_GLOBAL, g_global, PATTERN_LEN, seed + 3);
    for (size_t i = 0; i < r->count; i++)
        pattern_inject(process, &r->pats[i]);
    if (!VirtualProtectEx(process, (void *)(adj + PAGE), PAGE, PAGE_READONLY, &old))
        die("VirtualProtectEx failed");
    check_two_regions(process, adj);
}

static void bare_dump(const struct scenario *sc)
{
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    struct report rep = {0};
    struct text live = {0};
    char cmd[MAX_PATH + 32], path[MAX_PATH], dump_name[MAX_PATH];

    self_command(cmd, sizeof cmd, "--never-runs");
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    if (!CreateProcessA(NULL, cmd, NULL, NULL, FALSE, CREATE_SUSPENDED, NULL, NULL, &si, &pi))
        die("cannot start %s", cmd);
    unmap_ntdll(pi.hProcess);
    bare_patterns(pi.hProcess, &rep, sc->id * 64);
    text_add(&live, "pid %lu\n", pi.dwProcessId);
    describe_threads(&live, pi.dwProcessId);
    text_add(&live, "# no module lines: the child's loader never ran, the dump lists no modules\n");
    describe_patterns(&live, &rep, 0, pi.hProcess);
    out_path(path, sizeof path, sc->name, ".dmp");
    write_dump(path, pi.hProcess, pi.dwProcessId, sc->type, NULL);
    if (!report_intact(pi.hProcess, &rep))
        die("a pattern changed while %s was written", path);
    TerminateProcess(pi.hProcess, 0);
    WaitForSingleObject(pi.hProcess, CHILD_TIMEOUT_MS);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    snprintf(dump_name, sizeof dump_name, "%s.dmp", sc->name);
    write_sidecar(sc, dump_name, live.buf, 0);
    free(live.buf);
}

/* ---- main --------------------------------------------------------------------------------- */

static const struct scenario self_scenarios[] = {
    {"wine-normal", "MiniDumpNormal on itself, from its only thread", MiniDumpNormal, 0, 0, 1},
    {"wine-self-full", "MiniDumpWithFullMemory on itself, from its only thread",
     MiniDumpWithFullMemory, 0, 0, 2},
    {"wine-threads", "MiniDumpNormal on itself, from its main thread, 3 more threads parked",
     MiniDumpNormal, 3, 0, 3},
    {"wine-exception",
     "MiniDumpNormal on itself from a vectored exception handler, with "
     "MINIDUMP_EXCEPTION_INFORMATION for RaiseException(0xE0000001)",
     MiniDumpNormal, 0, 1, 4},
};

static const struct scenario child_normal = {
    "wine-child",
    "MiniDumpNormal on a child process (OpenProcess), 2 threads parked",
    MiniDumpNormal,
    0,
    0,
    7};
static const struct scenario bare_full = {
    "wine-full",
    "MiniDumpWithFullMemory on a child created suspended, its ntdll.dll unmapped to keep the "
    "dump small, patterns written into it by the parent",
    MiniDumpWithFullMemory,
    0,
    0,
    8};
static const struct scenario child_full = {
    "wine-child-full",
    "MiniDumpWithFullMemory on a child process (OpenProcess), 2 threads parked",
    MiniDumpWithFullMemory,
    0,
    0,
    7};

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--child") == 0)
        return child_main();
    if (argc == 2 && strcmp(argv[1], "--never-runs") == 0)
        return 0; /* the bare child is never resumed */
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: win_target.exe OUTDIR\n");
        return 2;
    }
    g_outdir = argv[1];
    /* Loaded at run time so the child, which never writes a dump, maps no dbghelp. */
    const HMODULE dbghelp = LoadLibraryA("dbghelp.dll");
    const FARPROC proc = dbghelp ? GetProcAddress(dbghelp, "MiniDumpWriteDump") : NULL;
    if (!proc)
        die("cannot load dbghelp.dll!MiniDumpWriteDump");
    write_dump_ptr = (write_dump_fn)(void (*)(void))proc;
    g_stop = CreateEventA(NULL, TRUE, FALSE, NULL);
    if (!g_stop)
        die("CreateEvent failed");
    setup_process_memory();
    for (size_t i = 0; i < sizeof self_scenarios / sizeof self_scenarios[0]; i++)
        self_dump(&self_scenarios[i]);
    child_dumps(&child_normal, &child_full);
    bare_dump(&bare_full);
    printf("win_target: dumps and sidecars written to %s (%s)\n", g_outdir, host_name());
    return 0;
}
