/* chain_target.c - a program whose call chain is known: main -> a -> b -> c, and c faults.
 * SPDX-License-Identifier: MIT
 *
 * The truth for the walker tests (tests/test_walk_writers.c). Every function of the chain is
 * its own frame: noipa (no inlining, cloning or interprocedural tricks) and each call is
 * followed by work on its result, so no call becomes a tail jump, at -O0 and -O2, with and
 * without frame pointers. Each function records its own address and the address it will
 * return to (__builtin_return_address(0)), so the chain is known without any unwinder; c's
 * own instruction is the faulting one, a global label in inline assembly, so frame 0 is known
 * to the byte as well. Before faulting, c writes the report:
 *
 *   arch amd64|x86|arm64
 *   pid DECIMAL
 *   threads DECIMAL                  (Linux: the process has this one thread)
 *   thread DECIMAL                   the faulting thread
 *   module 0xBASE NAME               the executable first, then (Windows) ntdll.dll,
 *                                    kernel32.dll, kernelbase.dll
 *   exception 0xCODE DECIMAL         (Windows: the access violation and its thread)
 *   pattern stack-main 0xADDR 64 HEX  bytes main keeps on its stack, above the whole chain
 *   chain INDEX FUNCTION 0xENTRY 0xPC
 *                                    innermost first: 0 c (PC the faulting instruction),
 *                                    1 b, 2 a, 3 main (PC the return address into them)
 *
 * Linux:   chain_target REPORT
 *     writes REPORT.tmp, renames it to REPORT, and faults (null write). Run under lldb-16 by
 *     tests/targets/chain_lldb.sh, which stops at the SIGSEGV and saves the minidump there.
 * Windows: chain_target.exe OUTDIR STEM
 *     a vectored exception handler catches the access violation and writes, with
 *     MINIDUMP_EXCEPTION_INFORMATION for it, OUTDIR\STEM-normal.dmp (MiniDumpNormal) and
 *     OUTDIR\STEM-full.dmp (MiniDumpWithFullMemory), then OUTDIR\STEM.report, and exits 0.
 *     Run under Wine by tests/targets/chain_wine.sh.
 * Both scripts turn the report into sidecars (tests/targets/SIDECAR.md) and .chain files.
 */
#if defined(_WIN32)
#define __USE_MINGW_ANSI_STDIO 1
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <dbghelp.h>
#else
#define _GNU_SOURCE /* dl_iterate_phdr, gettid */
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <unistd.h>
#endif

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#define TARGET_ARCH "amd64"
#define FAULT_INSN "movl $0x2a, (%0)"
#elif defined(__i386__)
#define TARGET_ARCH "x86"
#define FAULT_INSN "movl $0x2a, (%0)"
#elif defined(__aarch64__)
#define TARGET_ARCH "arm64"
#define FAULT_INSN "str wzr, [%0]"
#else
#error "unsupported architecture"
#endif

/* noipa keeps each function a function of its own that callers reach with a real call. */
#if defined(__clang__)
#define CHAIN_FN __attribute__((noinline, used))
#else
#define CHAIN_FN __attribute__((noipa, used))
#endif

#define CHAIN_DEPTH 4

struct link {
    const char *name;
    uintptr_t entry; /* the function's address */
    uintptr_t pc;    /* frame 0: the faulting instruction; callers: the return address */
};

#define MARKS_LEN 64

static struct link chain[CHAIN_DEPTH];
static int *volatile null_target;     /* stays NULL: the fault's address */
static volatile int sink;             /* results land here, so calls are never tail calls */
static volatile unsigned char *marks; /* main's stack pattern, for the sidecar */

/* The faulting instruction, labelled in the assembly below. */
extern const char chain_fault[] __asm__("chain_fault");

/* The chain and main's stack pattern, as report lines. */
static void report_chain(FILE *out)
{
    fprintf(out, "pattern stack-main 0x%" PRIxPTR " %d ", (uintptr_t)marks, MARKS_LEN);
    for (int i = 0; i < MARKS_LEN; i++)
        fprintf(out, "%02x", marks[i]);
    fputc('\n', out);
    for (int i = 0; i < CHAIN_DEPTH; i++)
        fprintf(out, "chain %d %s 0x%" PRIxPTR " 0x%" PRIxPTR "\n", i, chain[i].name,
                chain[i].entry, chain[i].pc);
}

/* ---- Linux: the report, written before the fault ----------------------------------------- */

#if !defined(_WIN32)
static const char *report_path;

static void die(const char *what)
{
    fprintf(stderr, "chain_target: %s: %s\n", what, strerror(errno));
    fflush(stderr);
    exit(2);
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
    if (!eb.found)
        die("no base for the executable");
    fprintf(out, "arch %s\npid %d\nthreads 1\nthread %d\n", TARGET_ARCH, (int)getpid(),
            (int)gettid());
    fprintf(out, "module 0x%" PRIxPTR " %s\n", eb.base, slash ? slash + 1 : exe);
    report_chain(out);
}

/* Called by c just before it faults: REPORT appearing means the chain is complete. */
static void publish(void)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", report_path);
    FILE *const fp = fopen(tmp, "w");
    if (!fp)
        die(tmp);
    write_report(fp);
    if (fclose(fp) != 0)
        die(tmp);
    if (rename(tmp, report_path) != 0)
        die(report_path);
}
#else
static void publish(void)
{
    /* Windows: the exception handler writes the report after the dumps. */
}
#endif

/* ---- The chain ------------------------------------------------------------------------------ */

/* The address this function will return to, written into its caller's link. */
#define RECORD_CALLER(index) (chain[(index)].pc = (uintptr_t)__builtin_return_address(0))

CHAIN_FN int c(int x);
CHAIN_FN int b(int x);
CHAIN_FN int a(int x);

CHAIN_FN int c(int x)
{
    chain[0].name = "c";
    chain[0].entry = (uintptr_t)c;
    chain[0].pc = (uintptr_t)chain_fault;
    RECORD_CALLER(1);
    publish();
    /* The null write, at a known address. */
    __asm__ volatile(".globl chain_fault\nchain_fault:\n\t" FAULT_INSN "\n"
                     :
                     : "r"(null_target)
                     : "memory");
    return x + sink;
}

CHAIN_FN int b(int x)
{
    chain[1].name = "b";
    chain[1].entry = (uintptr_t)b;
    RECORD_CALLER(2);
    const int r = c(x + 1);
    sink += r;
    return r + 1;
}

CHAIN_FN int a(int x)
{
    chain[2].name = "a";
    chain[2].entry = (uintptr_t)a;
    RECORD_CALLER(3);
    const int r = b(x + 1);
    sink += r;
    return r + 1;
}

/* ---- Windows: the dumps, written from the exception ----------------------------------------- */

#if defined(_WIN32)
typedef BOOL(WINAPI *write_dump_fn)(HANDLE, DWORD, HANDLE, MINIDUMP_TYPE,
                                    PMINIDUMP_EXCEPTION_INFORMATION,
                                    PMINIDUMP_USER_STREAM_INFORMATION,
                                    PMINIDUMP_CALLBACK_INFORMATION);

static write_dump_fn write_dump_ptr;
static const char *g_outdir;
static const char *g_stem;

static void win_die(const char *what)
{
    fprintf(stderr, "chain_target: %s (GetLastError %lu)\n", what, GetLastError());
    fflush(stderr);
    ExitProcess(2);
}

static void out_path(char *buf, size_t cap, const char *suffix)
{
    const int n = snprintf(buf, cap, "%s\\%s%s", g_outdir, g_stem, suffix);
    if (n < 0 || (size_t)n >= cap)
        win_die("path too long");
}

static void write_dump(const char *suffix, MINIDUMP_TYPE type, EXCEPTION_POINTERS *ep)
{
    char path[MAX_PATH];
    MINIDUMP_EXCEPTION_INFORMATION mei;
    out_path(path, sizeof path, suffix);
    const HANDLE h = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
                                 FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE)
        win_die("cannot create a dump file");
    mei.ThreadId = GetCurrentThreadId();
    mei.ExceptionPointers = ep;
    mei.ClientPointers = FALSE;
    if (!write_dump_ptr(GetCurrentProcess(), GetCurrentProcessId(), h, type, &mei, NULL, NULL))
        win_die("MiniDumpWriteDump failed");
    CloseHandle(h);
}

static void report_module(FILE *out, HMODULE h)
{
    char path[MAX_PATH];
    const DWORD n = GetModuleFileNameA(h, path, sizeof path);
    if (n == 0 || n >= sizeof path)
        win_die("GetModuleFileName failed");
    const char *base = path;
    for (const char *p = path; *p; p++)
        if (*p == '\\' || *p == '/')
            base = p + 1;
    fprintf(out, "module 0x%" PRIxPTR " %s\n", (uintptr_t)h, base);
}

static void write_report(DWORD code)
{
    static const char *const dlls[] = {"ntdll.dll", "kernel32.dll", "kernelbase.dll"};
    char path[MAX_PATH];
    out_path(path, sizeof path, ".report");
    FILE *const out = fopen(path, "wb"); /* "w" would end lines with CR LF */
    if (!out)
        win_die("cannot create the report");
    fprintf(out, "arch %s\npid %lu\nthread %lu\n", TARGET_ARCH, GetCurrentProcessId(),
            GetCurrentThreadId());
    report_module(out, GetModuleHandleA(NULL));
    for (size_t i = 0; i < sizeof dlls / sizeof dlls[0]; i++)
        if (GetModuleHandleA(dlls[i]))
            report_module(out, GetModuleHandleA(dlls[i]));
    fprintf(out, "exception 0x%08lx %lu\n", code, GetCurrentThreadId());
    report_chain(out);
    if (fclose(out) != 0)
        win_die("cannot write the report");
}

/* The crash handler: both dumps from inside the exception, then the report, then the end. */
static LONG CALLBACK on_fault(EXCEPTION_POINTERS *ep)
{
    const DWORD code = ep->ExceptionRecord->ExceptionCode;
    if (code != EXCEPTION_ACCESS_VIOLATION ||
        (uintptr_t)ep->ExceptionRecord->ExceptionAddress != (uintptr_t)chain_fault)
        return EXCEPTION_CONTINUE_SEARCH;
    write_dump("-normal.dmp", MiniDumpNormal, ep);
    write_dump("-full.dmp", MiniDumpWithFullMemory, ep);
    write_report(code);
    ExitProcess(0);
}

static void setup(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: chain_target.exe OUTDIR STEM\n");
        exit(2);
    }
    g_outdir = argv[1];
    g_stem = argv[2];
    const HMODULE dbghelp = LoadLibraryA("dbghelp.dll");
    const FARPROC proc = dbghelp ? GetProcAddress(dbghelp, "MiniDumpWriteDump") : NULL;
    if (!proc)
        win_die("cannot load dbghelp.dll!MiniDumpWriteDump");
    write_dump_ptr = (write_dump_fn)(void (*)(void))proc;
    if (!AddVectoredExceptionHandler(1, on_fault))
        win_die("AddVectoredExceptionHandler failed");
}
#else
static void setup(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: chain_target REPORT\n");
        exit(2);
    }
    report_path = argv[1];
}
#endif

int main(int argc, char **argv)
{
    /* Bytes on main's stack, above every frame of the chain: every writer here captures them. */
    volatile unsigned char bytes[MARKS_LEN];
    uint32_t x = 0x9e3779b9u;
    for (int i = 0; i < MARKS_LEN; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        bytes[i] = (unsigned char)(x >> 24);
    }
    marks = bytes;
    setup(argc, argv);
    chain[3].name = "main";
    chain[3].entry = (uintptr_t)main;
    const int r = a(argc);
    sink += r;
    fprintf(stderr, "chain_target: c returned %d: the fault did not happen\n", r);
    return 1;
}
