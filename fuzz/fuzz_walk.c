/* fuzz_walk.c - libFuzzer harness for the stack walker: walks every thread of the input dump,
 * and a context cut from its tail, several ways, checking the API's promises on each stack.
 * SPDX-License-Identifier: MIT
 *
 * The input is a dump. Each of its first MAX_THREADS threads is walked (MAX_FRAMES frames,
 * MAX_SCANNED scanned) with
 *   (a) the default options, module images from the dump's memory included; then without
 *       images, twice: through the dump, and through a callback serving dmp_read_memory that
 *       counts the reads; those two stacks must be the same;
 *   (b) breakpad_compatible and stack_only, through the callback, which checks that every
 *       read lies in the thread's stack region;
 *   (c) a symbol store over a scratch folder ($TMPDIR/dmpread-fuzz-walk-<uid>, written at
 *       start-up) of small .sym files named after modules of the seeds (STACK CFI, STACK WIN
 *       programs and FPO data, FUNC, PUBLIC, INLINE, a corrupt file), twice with the same
 *       store: the second walk, from the store's cache, must give the same stack. The store is
 *       made per input: it remembers every module it is asked for, found or not, so one store
 *       for the run would grow with every fuzzed module name, and its answers could depend on
 *       earlier inputs.
 * Then (d): the input's tail is [context bytes][mode][u16le length of the context], decoded
 * with dmp_context_decode and walked with dmp_walk_context, with symbols, breakpad_compatible
 * and stack_only (the region of thread 0) as the mode's bits 0, 1 and 2 say; twice, alike.
 *
 * Each stack is checked: at most MAX_FRAMES frames, no frames exactly when the end is
 * DMP_WALK_NO_CONTEXT, a frame limit exactly at MAX_FRAMES; frame 0 is the context's; the
 * walker's stop rule (walk.c stops_walk): every caller's instruction pointer is at least 4096,
 * frame 1's stack pointer is not below frame 0's and each later one is above its callee's;
 * registers, modules, symbol states, inline frames and strings are as the header says (strings
 * must be bytes of the .sym file they came from, or static text); in Breakpad mode no walk
 * ends by dmpread's own checks. The callback's reads must stay within the bound derived below
 * from the walker's methods (read_bound): the "no walk may loop" check. Walks through the
 * callback use no module images: an image's unwind codes read as many words as the image
 * says (bounded in src/image, and fuzzed by fuzz_pe and fuzz_elf), which no per-frame bound
 * here could state.
 *
 * Any violation prints what differed and aborts, which libFuzzer reports as a crash.
 */
#define _POSIX_C_SOURCE 200809L /* mkdir, lstat, getuid: this program only, not the library */

#include "harness.h"

#include <dmpread.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_THREADS 16 /* threads walked per input */
#define MAX_FRAMES 64
#define MAX_SCANNED 32
#define MIN_IP 4096            /* walk.c: a caller below this ends the walk */
#define SCAN_WORDS 40          /* walk.c: words a scan reads past the first ... */
#define CONTEXT_SCAN_WORDS 160 /* ... and from the context frame */
#define FPO_DEREFS 2           /* x86.c: the most ^ in the programs it runs for FPO records */
#define TAIL_LEN_BYTES 2       /* the u16 length of the tail's context */
#define MODE_SYMBOLS 1         /* the tail's mode bits */
#define MODE_BREAKPAD 2
#define MODE_STACK_ONLY 4
#define GZIP_MAX_HEAP ((uint64_t)16 << 20) /* inflated bytes a gzip input may take */

/* ---- Symbol files ------------------------------------------------------------------------ */

/* One .sym file of the scratch store, at <folder>/<id>/<folder less .pdb>.sym. Each text starts
 * "MODULE <os> ", which is how a string handed out is traced back to its bytes. */
struct symdef {
    const char *folder; /* the debug file (or code file) the store looks the module up by */
    const char *id;
    const char *os;
    const char *text;
    size_t len; /* 0: strlen(text) */
};

static const char gzip_junk[] = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03not deflate data";

static const struct symdef symdefs[] = {
    /* breakpad/minidump2.dmp (x86 Windows): STACK WIN 4 programs, FUNC and line records. */
    {"test_app.pdb", "5A9832E5287241C1838ED98914E9B7FF1", "windows",
     "MODULE windows x86 5A9832E5287241C1838ED98914E9B7FF1 test_app.pdb\n"
     "FILE 178 c:\\test_app.cc\n"
     "FILE 2608 f:\\sp\\vctools\\crt_bld\\self_x86\\crt\\src\\crt0.c\n"
     "FUNC 41b0 86 8 main\n"
     "41b0 13 63 178\n41c3 38 64 178\n41fb 5 65 178\n4200 d 66 178\n420d 1b 67 178\n"
     "4228 e 68 178\n"
     "FUNC 4290 18 0 `anonymous namespace'::CrashFunction\n"
     "4290 4 56 178\n4294 7 57 178\n429b 9 58 178\n42a4 4 59 178\n"
     "FUNC 528d 1b6 0 __tmainCRTStartup\n"
     "528d c 203 2608\n53d0 a 326 2608\n53da 18 327 2608\n53f2 6 330 2608\n"
     "PUBLIC 5200 4 _set_osver\n"
     "STACK WIN 4 41b0 86 13 0 8 0 e0 0 1 $T0 $ebp = $eip $T0 4 + ^ = $ebp $T0 ^ = $esp $T0 8 + "
     "= $L $T0 .cbSavedRegs - = $P $T0 8 + .cbParams + =\n"
     "STACK WIN 4 4290 18 4 0 0 0 4 0 1 $T0 $ebp = $eip $T0 4 + ^ = $ebp $T0 ^ = $esp $T0 8 + = "
     "$L $T0 .cbSavedRegs - = $P $T0 8 + .cbParams + =\n"
     "STACK WIN 4 528d 1b6 c 0 0 c 2c 0 1 $T0 $ebp = $eip $T0 4 + ^ = $ebp $T0 ^ = $esp $T0 8 + "
     "= $L $T0 .cbSavedRegs - = $P $T0 8 + .cbParams + =\n"
     "STACK WIN 4 5200 a 0 0 4 0 0 0 1 $T2 $esp .cbLocals + .cbSavedRegs + = $T0 .raSearchStart "
     "= $eip $T0 ^ = $esp $T0 4 + =\n",
     0},
    /* minidump2's kernel32: a PUBLIC with a program, and FPO data without one. */
    {"kernel32.pdb", "BCE8785C57B44245A669896B6A19B9542", "windows",
     "MODULE windows x86 BCE8785C57B44245A669896B6A19B9542 kernel32.pdb\n"
     "PUBLIC 16f83 0 GetCommandLineW\n"
     "PUBLIC 16fb4 4 BaseProcessStart\n"
     "STACK WIN 4 16fb4 4f c 0 4 8 1c 0 1 $T0 $ebp = $eip $T0 4 + ^ = $ebp $T0 ^ = $esp $T0 8 + "
     "= $L $T0 .cbSavedRegs - = $P $T0 4 + .cbParams + =\n"
     "STACK WIN 0 16f83 6 0 0 0 0 0 0 0 0\n",
     0},
    /* breakpad/ascii_read_av.dmp (x86 Windows 7): FPO data that allocates EBP, an aligning
     * program ('@'), and a FUNC without line records. */
    {"crashme.pdb", "1B5043085F174DA385521DD4740D173014", "windows",
     "MODULE windows x86 1B5043085F174DA385521DD4740D173014 crashme.pdb\n"
     "FILE 1 d:\\crashme\\crashme.cpp\n"
     "FUNC a600 100 4 crash_with_fpo\n"
     "a600 100 12 1\n"
     "FUNC 8300 100 0 aligned_caller\n"
     "PUBLIC 8200 0 start\n"
     "STACK WIN 0 a600 100 4 0 4 8 10 0 0 1\n"
     "STACK WIN 4 8300 100 4 0 0 4 8 0 1 $T1 .raSearch = $T0 $T1 4 - 8 @ = $ebp $T1 4 - ^ = "
     "$eip $T1 ^ = $esp $T1 4 + = $L $T0 .cbSavedRegs - = $P $T1 4 + .cbParams + =\n",
     0},
    /* breakpad/linux_inline.dmp (amd64 Linux): STACK CFI and nested INLINE records. */
    {"linux_inline", "BBA6FA10B8AAB33D00000000000000000", "Linux",
     "MODULE Linux x86_64 BBA6FA10B8AAB33D00000000000000000 linux_inline\n"
     "INFO CODE_ID 10FAA6BBAAB83DB3\n"
     "FILE 0 linux_inline.cpp\nFILE 1 a.cpp\nFILE 2 b.cpp\nFILE 3 c.cpp\n"
     "INLINE_ORIGIN 0 bar()\nINLINE_ORIGIN 1 foo()\nINLINE_ORIGIN 2 func()\n"
     "FUNC 15b30 6cf 0 main\n"
     "INLINE 0 42 1 1 15b45 6b1\nINLINE 1 39 2 0 15b72 684\nINLINE 2 32 3 2 15b83 673\n"
     "INLINE 3 10 0 7 161b6 2\n"
     "15b30 15 41 0\n15b45 11 36 0\n15b83 a 9 0\n16162 54 18 0\n161b6 2 27 0\n161b8 3e 28 0\n"
     "STACK CFI INIT 15b30 6cf .cfa: $rsp 8 + .ra: .cfa -8 + ^\n"
     "STACK CFI 15b31 $rbp: .cfa -16 + ^ .cfa: $rsp 16 +\n"
     "STACK CFI 15b34 .cfa: $rbp 16 +\n",
     0},
    /* linux_inline's libc.so.6: CFI that sends the walk on from frame 1. */
    {"libc.so.6", "03249E25E469D3A3D7D5C64107C6E7B00", "Linux",
     "MODULE Linux x86_64 03249E25E469D3A3D7D5C64107C6E7B00 libc.so.6\n"
     "FUNC 26c00 200 0 __libc_start_main\n"
     "STACK CFI INIT 26c00 200 .cfa: $rsp 8 + .ra: .cfa -8 + ^\n"
     "STACK CFI 26c10 .cfa: $rsp 160 + $rbx: .cfa -16 + ^ $rbp: .cfa -24 + ^\n",
     0},
    /* linux_inline's libstdc++ and minidump2's ole32 as arm64 and arm files: rules for a
     * context from the input's tail, which the dump's own CPU cannot use. */
    {"libstdc++.so.6", "178755DD8CAF0765454517F01B557DA20", "Linux",
     "MODULE Linux arm64 178755DD8CAF0765454517F01B557DA20 libstdc++.so.6\n"
     "PUBLIC 0 0 arm64_everything\n"
     "STACK CFI INIT 0 1000000 .cfa: sp 16 + .ra: .cfa -8 + ^ x29: .cfa -16 + ^\n"
     "STACK CFI 800 .cfa: x29 16 + x19: .cfa -24 + ^\n",
     0},
    {"ole32.pdb", "683B65B246F4418796D2EE6D4C55EB112", "windows",
     "MODULE windows arm 683B65B246F4418796D2EE6D4C55EB112 ole32.pdb\n"
     "PUBLIC 0 0 arm_everything\n"
     "STACK CFI INIT 0 1000000 .cfa: sp 8 + .ra: .cfa -4 + ^ r7: .cfa -8 + ^\n",
     0},
    /* breakpad/linux_stacksmash.dmp and linux_overflow.dmp: real CFI, cut down. */
    {"libgcc_s.so.1", "18B180F90887D8F8B5C35D185444AF4C0", "Linux",
     "MODULE Linux x86_64 18B180F90887D8F8B5C35D185444AF4C0 libgcc_s.so.1\n"
     "PUBLIC 10350 0 _Unwind_Backtrace\n"
     "STACK CFI INIT f3d0 64f .cfa: $rsp 8 + .ra: .cfa -8 + ^\n"
     "STACK CFI f3d2 $r15: .cfa -16 + ^ .cfa: $rsp 16 +\n"
     "STACK CFI f3e4 $rbp: .cfa -48 + ^ .cfa: $rsp 48 +\n"
     "STACK CFI f3e8 $rbx: .cfa -56 + ^ .cfa: $rsp 56 +\n"
     "STACK CFI f3ec .cfa: $rsp 96 +\n"
     "STACK CFI f91d .cfa: $rsp 56 +\n"
     "STACK CFI INIT 10350 99 .cfa: $rsp 8 + .ra: .cfa -8 + ^\n"
     "STACK CFI 10351 $rbp: .cfa -16 + ^ .cfa: $rsp 16 +\n"
     "STACK CFI 10354 .cfa: $rbp 16 +\n"
     "STACK CFI 1035a $r13: .cfa -40 + ^ $r14: .cfa -32 + ^ $r15: .cfa -24 + ^\n"
     "STACK CFI 10366 $r12: .cfa -48 + ^\n"
     "STACK CFI 10375 $rbx: .cfa -56 + ^\n"
     "STACK CFI 103e8 .cfa: $rsp 8 +\n",
     0},
    {"libc-2.13.so", "F4F8DFCD5A5FB5A7CE64717E9E6AE3890", "Linux",
     "MODULE Linux x86_64 F4F8DFCD5A5FB5A7CE64717E9E6AE3890 libc-2.13.so\n"
     "PUBLIC 35440 0 gsignal\n"
     "PUBLIC ef270 0 __fortify_fail\n"
     "PUBLIC ef3c0 0 backtrace\n"
     "STACK CFI INIT 6d1d0 412 .cfa: $rsp 8 + .ra: .cfa -8 + ^\n"
     "STACK CFI 6d1d1 .cfa: $rsp 16 +\n"
     "STACK CFI 6d1d7 $rbp: .cfa -16 + ^ .cfa: $rbp 16 +\n"
     "STACK CFI 6d2a3 $r12: .cfa -48 + ^ $r13: .cfa -40 + ^ $r14: .cfa -32 + ^ $r15: .cfa -24 "
     "+ ^ $rbx: .cfa -56 + ^\n"
     "STACK CFI INIT ef3c0 c1 .cfa: $rsp 8 + .ra: .cfa -8 + ^\n"
     "STACK CFI ef3c1 .cfa: $rsp 16 +\n"
     "STACK CFI ef3c4 $rbp: .cfa -16 + ^ .cfa: $rbp 16 +\n"
     "STACK CFI ef3c7 $rbx: .cfa -24 + ^\n",
     0},
    /* testdata/writers/wine-exception.dmp (amd64 Windows): found by code file and code id. */
    {"win_target.exe", "6B06CC891e000", "windows",
     "MODULE windows x86_64 0123456789ABCDEF0123456789ABCDEF1 win_target.pdb\n"
     "INFO CODE_ID 6B06CC891e000 win_target.exe\n"
     "FILE 7 z:\\tmp\\wine-writers\\win_target.c\n"
     "FUNC 14c00 200 0 thread_start\n14c00 200 90 7\n"
     "FUNC 19000 100 0 c\n19000 80 30 7\n19080 80 31 7\n"
     "FUNC 19100 100 0 b\n19100 100 40 7\n"
     "STACK CFI INIT 19000 200 .cfa: $rsp 8 + .ra: .cfa -8 + ^\n"
     "STACK CFI 19004 .cfa: $rsp 48 + $rbx: .cfa -16 + ^\n"
     "STACK CFI INIT 14c00 200 .cfa: $rsp 8 + .ra: .cfa -8 + ^\n",
     0},
    {"kernelbase.dll", "63F14E2B5e5000", "windows",
     "MODULE windows x86_64 00000000000000000000000000000000A kernelbase.pdb\n"
     "PUBLIC 13d00 0 RaiseException\n"
     "STACK CFI INIT 13d00 100 .cfa: $rsp 8 + .ra: .cfa -8 + ^\n"
     "STACK CFI 13d10 .cfa: $rsp 56 + $rbx: .cfa -16 + ^\n",
     0},
    /* testdata/triage.dmp (amd64 Windows): CFI, and a corrupt file for its ntdll. */
    {"crashme.pdb", "123456789ABCDEF010111213141516173", "windows",
     "MODULE windows x86_64 123456789ABCDEF010111213141516173 crashme.pdb\n"
     "FUNC 1200 100 0 crash\n"
     "STACK CFI INIT 1200 100 .cfa: $rsp 8 + .ra: .cfa -8 + ^\n",
     0},
    {"ntdll.pdb", "0BADF00D9ABCDEF0A0A1A2A3A4A5A6A71", "", gzip_junk, sizeof gzip_junk - 1},
    /* testdata/writers/lldb-one.dmp (amd64 Linux, LLDB). */
    {"pattern_target", "62F2C8D58B34AD2B410AF450596A687C0", "Linux",
     "MODULE Linux x86_64 62F2C8D58B34AD2B410AF450596A687C0 pattern_target\n"
     "FUNC 1c80 100 0 fault\n"
     "STACK CFI INIT 1c80 100 .cfa: $rsp 8 + .ra: .cfa -8 + ^\n"
     "STACK CFI 1c81 $rbp: .cfa -16 + ^ .cfa: $rsp 16 +\n"
     "STACK CFI 1c84 .cfa: $rbp 16 +\n",
     0},
};

#define SYMDEF_COUNT (sizeof symdefs / sizeof symdefs[0])

/* The scratch folder, written once per process, and what its files allow a walk to read. */
static struct {
    bool ready;
    char dir[4096];
    char *paths[SYMDEF_COUNT]; /* each file's path as the store builds it */
    unsigned cfi_derefs;       /* the most ^ in one STACK CFI INIT's records */
    unsigned win_derefs;       /* the most ^ in one STACK WIN program, or FPO's */
    uint64_t saved_regs;       /* the largest STACK WIN saved-register size */
} scratch;

static size_t symdef_len(const struct symdef *d)
{
    return d->len ? d->len : strlen(d->text);
}

static unsigned count_derefs(const char *p, size_t n)
{
    unsigned k = 0;
    for (size_t i = 0; i < n; i++)
        k += p[i] == '^';
    return k;
}

/* The 9th token of a STACK WIN line: the saved registers' size, hex. */
static uint64_t win_saved_regs(const char *line, size_t n)
{
    size_t i = 0;
    for (int token = 0; token < 8; token++) {
        while (i < n && line[i] != ' ')
            i++;
        while (i < n && line[i] == ' ')
            i++;
    }
    uint64_t v = 0;
    for (; i < n && line[i] != ' '; i++)
        v = v * 16 + (uint64_t)(line[i] <= '9' ? line[i] - '0' : (line[i] | 0x20) - 'a' + 10);
    return v;
}

/* Walks a text's lines into the read bounds: an INIT's rules are all its records' together. */
static void measure(const char *text, size_t len)
{
    unsigned group = 0;
    for (size_t at = 0; at < len;) {
        const char *const line = text + at;
        const char *const nl = memchr(line, '\n', len - at);
        const size_t n = nl ? (size_t)(nl - line) : len - at;
        at += n + 1;
        if (n >= 15 && memcmp(line, "STACK CFI INIT ", 15) == 0)
            group = 0;
        if (n >= 10 && memcmp(line, "STACK CFI ", 10) == 0) {
            group += count_derefs(line, n);
            if (group > scratch.cfi_derefs)
                scratch.cfi_derefs = group;
        } else if (n >= 10 && memcmp(line, "STACK WIN ", 10) == 0) {
            const unsigned d = count_derefs(line, n);
            const uint64_t saved = win_saved_regs(line, n);
            if (d > scratch.win_derefs)
                scratch.win_derefs = d;
            if (saved > scratch.saved_regs)
                scratch.saved_regs = saved;
        }
    }
}

static char *path_join(const char *a, const char *b)
{
    const size_t n = strlen(a) + strlen(b) + 2;
    char *const p = malloc(n);
    CHECK(p != NULL, "out of memory");
    snprintf(p, n, "%s/%s", a, b);
    return p;
}

static void make_dir(const char *path)
{
    struct stat st;
    CHECK(mkdir(path, 0700) == 0 || errno == EEXIST, "cannot make %s: %s", path, strerror(errno));
    CHECK(lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == getuid(),
          "%s is not a folder of ours", path);
}

/* <dir>/<folder>/<id>/<stem>.sym, with the folders on the way. Written beside and renamed into
 * place, so that a process reading the file (libFuzzer's -jobs share the folder) sees the
 * whole of it, old or new, which are the same bytes. */
static void write_symdef(size_t k)
{
    const struct symdef *const d = &symdefs[k];
    char *const folder = path_join(scratch.dir, d->folder);
    char *const idir = path_join(folder, d->id);
    make_dir(folder);
    make_dir(idir);
    size_t stem = strlen(d->folder);
    if (stem > 4 && strcmp(d->folder + stem - 4, ".pdb") == 0)
        stem -= 4;
    char name[256], suffix[sizeof name + 32];
    snprintf(name, sizeof name, "%.*s.sym", (int)stem, d->folder);
    snprintf(suffix, sizeof suffix, "%s.%ld.part", name, (long)getpid());
    scratch.paths[k] = path_join(idir, name);
    char *const part = path_join(idir, suffix);
    FILE *const fp = fopen(part, "wb");
    const size_t len = symdef_len(d);
    CHECK(fp && fwrite(d->text, 1, len, fp) == len && fclose(fp) == 0 &&
              rename(part, scratch.paths[k]) == 0,
          "cannot write %s", scratch.paths[k]);
    free(part);
    free(idir);
    free(folder);
}

/* The folder is fixed, $TMPDIR/dmpread-fuzz-walk-<uid>, and left in place: a crash (abort)
 * runs no clean-up, and a fixed folder is not left behind once per crash. */
static void setup(void)
{
    if (scratch.ready)
        return;
    const char *const tmp = getenv("TMPDIR");
    const int n = snprintf(scratch.dir, sizeof scratch.dir, "%s/dmpread-fuzz-walk-%lu",
                           tmp && *tmp ? tmp : "/tmp", (unsigned long)getuid());
    CHECK(n > 0 && (size_t)n < sizeof scratch.dir, "TMPDIR is too long");
    make_dir(scratch.dir);
    scratch.win_derefs = FPO_DEREFS;
    for (size_t k = 0; k < SYMDEF_COUNT; k++) {
        write_symdef(k);
        measure(symdefs[k].text, symdef_len(&symdefs[k]));
    }
    scratch.ready = true;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    setup();
    return 0;
}

/* ---- Memory ------------------------------------------------------------------------------ */

/* dmp_read_memory behind a dmp_memory that counts its reads and, when `bounded`, checks that
 * each lies inside [start, start+size) (stack_only). */
struct counted {
    const dmp_file *f;
    uint64_t reads;
    unsigned lens; /* bit n: a read of n bytes (n <= 8), bit 0: any other length */
    bool bounded;
    uint64_t start;
    uint64_t size;
};

static dmp_status read_counted(void *ctx, uint64_t addr, void *dst, size_t len, size_t *bytes_read)
{
    struct counted *const m = ctx;
    CHECK(dst != NULL, "memory read of %zu bytes at %#llx into NULL", len, (ull)addr);
    m->reads++;
    m->lens |= len <= 8 ? 1u << len : 1u;
    if (m->bounded)
        CHECK(addr - m->start < m->size && len <= m->size - (addr - m->start),
              "stack_only: read of %zu bytes at %#llx, outside the stack [%#llx, +%#llx)", len,
              (ull)addr, (ull)m->start, (ull)m->size);
    return dmp_read_memory(m->f, addr, dst, len, bytes_read);
}

static dmp_memory counting(struct counted *m, const dmp_file *f, bool bounded, uint64_t start,
                           uint64_t size)
{
    *m = (struct counted){f, 0, 0, bounded, start, size};
    const dmp_memory mem = {read_counted, m};
    return mem;
}

/* ---- The read bound ---------------------------------------------------------------------- */

/* The most reads one search for a caller (walk.c find_caller) can make, each method of the
 * CPU's cascade doing the most it can and then declining, with `words` the scan length. A scan
 * reads words+1 words; dmp_cfi_apply one per ^ of the rules in force; find_caller the word at
 * the stack pointer when every method declined. */
static uint64_t caller_reads(dmp_cpu cpu, uint64_t words)
{
    const uint64_t scan = words + 1, cfi = scratch.cfi_derefs, none = 1;
    switch (cpu) {
    case DMP_CPU_AMD64: /* CFI; the leaf's 2 words; RBP chain: [rbp+8], [rbp], [caller rbp];
                           scan, then [rbp] for the caller's RBP */
        return cfi + 2 + 3 + scan + 1 + none;
    case DMP_CPU_ARM64: /* CFI; the LR from the callee's record, 2; the frame record, 2; scan */
        return cfi + 2 + 2 + scan + none;
    case DMP_CPU_ARM: /* CFI; scan */
        return cfi + scan + none;
    case DMP_CPU_X86: {
        /* STACK WIN: two 3-word searches for .raSearchStart (4 reads each), the program, a
         * scan when it fails, a scan when EIP is in no module, the probe of EBP, and
         * search_ebp: 2 reads a word over the saved registers and the offset the scan moved
         * (at most `words` words). Then CFI; then the EBP chain's 2 reads, or a scan and the
         * saved EBP. */
        const uint64_t ebp_words = scratch.saved_regs / 4 + words + 1;
        const uint64_t win = 8 + scratch.win_derefs + 2 * scan + 1 + 2 * ebp_words;
        return win + cfi + 2 + scan + 1 + none;
    }
    default:
        return 0;
    }
}

/* find_caller runs once after each frame is pushed, 160 words from the context frame and 40
 * from every later one. */
static uint64_t read_bound(dmp_cpu cpu, size_t frames)
{
    if (frames == 0)
        return 0;
    return caller_reads(cpu, CONTEXT_SCAN_WORDS) +
           (uint64_t)(frames - 1) * caller_reads(cpu, SCAN_WORDS);
}

/* ---- Per-CPU facts ----------------------------------------------------------------------- */

static unsigned ptr_size(dmp_cpu cpu)
{
    return cpu == DMP_CPU_X86 || cpu == DMP_CPU_ARM ? 4 : 8;
}

/* walk.c / the CPU files' ip_adjust: what a caller's lookup address is below its ip. */
static uint64_t ip_adjust(dmp_cpu cpu)
{
    return cpu == DMP_CPU_ARM64 ? 4 : cpu == DMP_CPU_ARM ? 2 : 1;
}

static uint64_t reg_mask(dmp_cpu cpu)
{
    unsigned n = 0;
    while (n < DMP_REGS_MAX && dmp_reg_name(cpu, n) != NULL)
        n++;
    return n >= 64 ? UINT64_MAX : ((uint64_t)1 << n) - 1;
}

/* ---- One opened input -------------------------------------------------------------------- */

struct run {
    const dmp_file *f;
    dmp_symstore *store;
};

/* What a stack must start from and say of itself. */
struct expect {
    bool has_context;
    dmp_context ctx;
    uint32_t thread_id;
    int from_exception;
    bool breakpad;
    dmp_symstore *store; /* the walk's, or NULL */
};

/* A symbol file of the store and the text it was written from. */
struct symtext {
    const char *base; /* where the store holds the file's bytes */
    const char *text;
    size_t len;
};

static const char *const static_strings[] = {"<name omitted>"};

/* The text behind the frame's module's symbol file, found by its path. */
static struct symtext symtext_of(const struct run *r, size_t module_index)
{
    dmp_module m;
    const dmp_symfile *s = NULL;
    const char *path = NULL;
    CHECK(dmp_module_get(r->f, module_index, &m) == DMP_OK, "module %zu vanished", module_index);
    CHECK(dmp_symstore_get_module(r->store, &m, &s, &path, NULL) == DMP_OK && s && path,
          "a frame has a function but the store has no file for module %zu", module_index);
    for (size_t k = 0; k < SYMDEF_COUNT; k++) {
        if (strcmp(path, scratch.paths[k]) != 0)
            continue;
        const struct symdef *const d = &symdefs[k];
        dmp_sym_info info;
        dmp_sym_get_info(s, &info);
        const size_t os_len = strlen(d->os);
        CHECK(info.os.len == os_len && memcmp(info.os.ptr, d->os, os_len) == 0,
              "%s: MODULE os is \"%.*s\"", path, (int)info.os.len, info.os.ptr);
        const struct symtext t = {info.os.ptr - 7, d->text, symdef_len(d)}; /* "MODULE " */
        return t;
    }
    fuzz_fail(__FILE__, __LINE__, "the store opened %s, which is none of the scratch files", path);
}

static void check_sym_str(const struct symtext *t, dmp_sym_str s, const char *what)
{
    CHECK(s.ptr != NULL, "%s: NULL string", what);
    if (s.len == 0)
        return;
    for (size_t i = 0; i < sizeof static_strings / sizeof *static_strings; i++)
        if (s.len == strlen(static_strings[i]) && memcmp(s.ptr, static_strings[i], s.len) == 0)
            return;
    const uintptr_t at = (uintptr_t)s.ptr, base = (uintptr_t)t->base;
    CHECK(at >= base && at - base <= t->len && s.len <= t->len - (at - base),
          "%s: %zu bytes at %p, outside the symbol file [%p, +%zu)", what, s.len,
          (const void *)s.ptr, (const void *)t->base, t->len);
    CHECK(memcmp(s.ptr, t->text + (at - base), s.len) == 0, "%s: not the file's bytes", what);
    CHECK(memchr(s.ptr, '\n', s.len) == NULL, "%s: holds a line break", what);
}

/* ---- Stack checks ------------------------------------------------------------------------ */

static bool valid_trust(int t)
{
    return t == DMP_TRUST_SCAN || t == DMP_TRUST_CFI_SCAN || t == DMP_TRUST_FP ||
           t == DMP_TRUST_CFI || t == DMP_TRUST_LEAF || t == DMP_TRUST_UNWIND;
}

/* Registers: the CPU's, ip and sp valid and the frame's, 32-bit values on 32-bit CPUs. */
static void check_regs(const dmp_frame *fr, size_t i, dmp_cpu cpu)
{
    const unsigned ip = dmp_reg_ip(cpu), sp = dmp_reg_sp(cpu);
    const dmp_regs *const g = &fr->regs;
    CHECK(g->cpu == cpu, "frame %zu: cpu %d, the walk's %d", i, (int)g->cpu, (int)cpu);
    CHECK((g->valid >> ip & 1) && (g->valid >> sp & 1), "frame %zu: ip or sp not valid (%#llx)", i,
          (ull)g->valid);
    CHECK((g->valid & ~reg_mask(cpu)) == 0, "frame %zu: valid bits %#llx past the CPU's", i,
          (ull)g->valid);
    CHECK(fr->ip == g->value[ip] && fr->sp == g->value[sp], "frame %zu: ip/sp differ from regs", i);
    if (ptr_size(cpu) == 4)
        for (unsigned k = 0; k < DMP_REGS_MAX; k++)
            CHECK(!(g->valid >> k & 1) || g->value[k] <= UINT32_MAX,
                  "frame %zu: %s = %#llx on a 32-bit cpu", i, dmp_reg_name(cpu, k),
                  (ull)g->value[k]);
}

/* The walker's own rule (walk.c stops_walk): a caller's ip is at least 4096 and its sp above
 * its callee's, or equal when the callee is the context frame. */
static void check_order(const dmp_frame *fr, const dmp_frame *callee, size_t i, dmp_cpu cpu)
{
    CHECK(fr->trust != DMP_TRUST_CONTEXT && valid_trust((int)fr->trust), "frame %zu: trust %d", i,
          (int)fr->trust);
    CHECK(fr->trust != DMP_TRUST_LEAF || (i == 1 && cpu == DMP_CPU_AMD64),
          "frame %zu: a leaf return on cpu %d", i, (int)cpu);
    CHECK(fr->ip >= MIN_IP, "frame %zu: ip %#llx below 4096", i, (ull)fr->ip);
    /* A frame an image's unwind data found may have been interrupted (a signal or trap
     * frame's caller): then it is looked up at its ip itself. */
    CHECK(fr->lookup_ip == fr->ip - ip_adjust(cpu) ||
              (fr->trust == DMP_TRUST_UNWIND && fr->lookup_ip == fr->ip),
          "frame %zu: lookup %#llx for ip %#llx", i, (ull)fr->lookup_ip, (ull)fr->ip);
    if (i == 1)
        CHECK(fr->sp >= callee->sp, "frame 1: sp %#llx below frame 0's %#llx", (ull)fr->sp,
              (ull)callee->sp);
    else
        CHECK(fr->sp > callee->sp, "frame %zu: sp %#llx not above %#llx", i, (ull)fr->sp,
              (ull)callee->sp);
}

static void check_inlines(const dmp_stack *st, size_t i, const dmp_frame *fr,
                          const struct symtext *t)
{
    dmp_sym_inline in;
    CHECK(fr->inline_count <= DMP_SYM_MAX_INLINES, "frame %zu: %zu inlines", i, fr->inline_count);
    for (size_t k = 0; k < fr->inline_count; k++) {
        CHECK(dmp_stack_inline_get(st, i, k, &in) == DMP_OK, "frame %zu: inline %zu of %zu", i, k,
              fr->inline_count);
        check_sym_str(t, in.name, "inline name");
        check_sym_str(t, in.file, "inline file");
        CHECK(in.has_line == 0 || in.has_line == 1, "inline has_line %d", in.has_line);
    }
    CHECK(dmp_stack_inline_get(st, i, fr->inline_count, &in) == DMP_E_NOT_FOUND,
          "frame %zu: inline past the count", i);
}

/* Module and symbols: what dmp_module_get and the store say of the same module. */
static void check_symbols(const struct run *r, const struct expect *e, const dmp_stack *st,
                          size_t i, const dmp_frame *fr)
{
    dmp_module m;
    if (!fr->has_module) {
        CHECK(fr->symbols == DMP_SYM_MISSING && !fr->has_function && fr->inline_count == 0,
              "frame %zu: no module, yet symbols", i);
        CHECK(!e->breakpad || dmp_module_find(r->f, fr->lookup_ip, NULL, NULL) != DMP_OK,
              "frame %zu: no module, but one holds %#llx", i, (ull)fr->lookup_ip);
        return;
    }
    CHECK(dmp_module_get(r->f, fr->module_index, &m) == DMP_OK, "frame %zu: module %zu of %zu", i,
          fr->module_index, dmp_module_count(r->f));
    CHECK(fr->module_offset == fr->ip - m.base, "frame %zu: module offset", i);
    CHECK(!e->breakpad || fr->lookup_ip - m.base < m.size,
          "frame %zu: module %zu does not hold %#llx", i, fr->module_index, (ull)fr->lookup_ip);
    if (fr->has_function && fr->function_source != DMP_NAME_SYMBOLS) {
        /* A name from the module's image: the stack's own copy of a name, no line. */
        CHECK(fr->function_source == DMP_NAME_EXPORTS || fr->function_source == DMP_NAME_SYMTAB,
              "frame %zu: function source %d", i, (int)fr->function_source);
        CHECK(fr->function.ptr && fr->function.len > 0 && !fr->has_line && fr->inline_count == 0 &&
                  fr->function.ptr[fr->function.len] == '\0' &&
                  memchr(fr->function.ptr, '\0', fr->function.len) == NULL,
              "frame %zu: an image name of %zu bytes", i, fr->function.len);
        CHECK(fr->lookup_ip < m.base || fr->function_address <= fr->lookup_ip,
              "frame %zu: image function at %#llx", i, (ull)fr->function_address);
        CHECK(fr->symbols != DMP_SYM_FOUND || e->store, "frame %zu: symbols found", i);
        return;
    }
    if (!e->store) {
        CHECK(fr->symbols == DMP_SYM_MISSING && !fr->has_function && fr->inline_count == 0,
              "frame %zu: symbols without a store", i);
        return;
    }
    dmp_sym_state state = (dmp_sym_state)-1;
    const dmp_symfile *s;
    (void)dmp_symstore_get_module(e->store, &m, &s, NULL, &state);
    CHECK(fr->symbols == state, "frame %zu: symbols %d, the store says %d", i, (int)fr->symbols,
          (int)state);
    CHECK(fr->has_function || (!fr->has_line && fr->inline_count == 0),
          "frame %zu: a line or inlines without a function", i);
    if (!fr->has_function)
        return;
    CHECK(fr->symbols == DMP_SYM_FOUND, "frame %zu: a function from no file", i);
    const bool above = fr->lookup_ip >= m.base; /* LinuxMaps code may lie below the base */
    CHECK(!above || fr->function_address <= fr->lookup_ip, "frame %zu: function at %#llx", i,
          (ull)fr->function_address);
    const struct symtext t = symtext_of(r, fr->module_index);
    check_sym_str(&t, fr->function, "function");
    check_sym_str(&t, fr->file, "file");
    check_inlines(st, i, fr, &t);
}

static void check_frames(const struct run *r, const struct expect *e, const dmp_stack *st, size_t n)
{
    const dmp_cpu cpu = e->ctx.cpu;
    dmp_frame prev = {0}, fr; /* prev is read from frame 1 on; zeroed for gcc -O2 */
    size_t scanned = 0;
    for (size_t i = 0; i < n; i++) {
        CHECK(dmp_stack_frame_get(st, i, &fr) == DMP_OK, "frame %zu of %zu", i, n);
        check_regs(&fr, i, cpu);
        if (i == 0)
            CHECK(fr.trust == DMP_TRUST_CONTEXT && fr.ip == e->ctx.ip && fr.sp == e->ctx.sp &&
                      fr.lookup_ip == fr.ip,
                  "frame 0: trust %d ip %#llx sp %#llx, context ip %#llx sp %#llx", (int)fr.trust,
                  (ull)fr.ip, (ull)fr.sp, (ull)e->ctx.ip, (ull)e->ctx.sp);
        else
            check_order(&fr, &prev, i, cpu);
        scanned += fr.trust == DMP_TRUST_SCAN || fr.trust == DMP_TRUST_CFI_SCAN;
        check_symbols(r, e, st, i, &fr);
        prev = fr;
    }
    CHECK(scanned <= MAX_SCANNED, "%zu scanned frames", scanned);
    CHECK(dmp_stack_frame_get(st, n, &fr) == DMP_E_NOT_FOUND, "frame past the count");
}

static void check_stack(const struct run *r, const struct expect *e, const dmp_stack *st,
                        const struct counted *mem)
{
    const size_t n = dmp_stack_frame_count(st);
    const int end = (int)dmp_stack_end(st);
    CHECK(end >= DMP_WALK_NO_CALLER && end <= DMP_WALK_OUTERMOST, "end %d", end);
    CHECK(n <= MAX_FRAMES, "%zu frames", n);
    CHECK((n == MAX_FRAMES) == (end == DMP_WALK_FRAME_LIMIT), "%zu frames, end %d", n, end);
    CHECK((n == 0) == (end == DMP_WALK_NO_CONTEXT), "%zu frames, end %d", n, end);
    CHECK(e->has_context == (n > 0), "context %d, %zu frames", e->has_context, n);
    CHECK(!e->breakpad || (end != DMP_WALK_FP_END && end != DMP_WALK_BAD_RETURN),
          "breakpad_compatible walk ended by dmpread's check %d", end);
    CHECK(dmp_stack_thread_id(st) == e->thread_id &&
              dmp_stack_from_exception(st) == e->from_exception,
          "thread %u (exception %d), expected %u (%d)", dmp_stack_thread_id(st),
          dmp_stack_from_exception(st), e->thread_id, e->from_exception);
    (void)dmp_walk_end_name((dmp_walk_end)end);
    check_frames(r, e, st, n);
    if (!mem)
        return;
    const uint64_t bound = n ? read_bound(e->ctx.cpu, n) : 0;
    CHECK(mem->reads <= bound, "%llu reads for %zu frames on cpu %d, bound %llu", (ull)mem->reads,
          n, (int)e->ctx.cpu, (ull)bound);
    CHECK(mem->reads == 0 || mem->lens == 1u << ptr_size(e->ctx.cpu), "read lengths %#x on cpu %d",
          mem->lens, (int)e->ctx.cpu);
}

/* ---- Comparing two walks ----------------------------------------------------------------- */

static bool same_str(dmp_sym_str a, dmp_sym_str b)
{
    return a.ptr == b.ptr && a.len == b.len;
}

static bool same_regs(const dmp_regs *a, const dmp_regs *b)
{
    if (a->cpu != b->cpu || a->valid != b->valid)
        return false;
    for (unsigned k = 0; k < DMP_REGS_MAX; k++)
        if ((a->valid >> k & 1) && a->value[k] != b->value[k])
            return false;
    return true;
}

static bool same_frame(const dmp_frame *a, const dmp_frame *b)
{
    return a->ip == b->ip && a->lookup_ip == b->lookup_ip && a->sp == b->sp &&
           a->trust == b->trust && same_regs(&a->regs, &b->regs) &&
           a->has_module == b->has_module &&
           (!a->has_module ||
            (a->module_index == b->module_index && a->module_offset == b->module_offset)) &&
           a->symbols == b->symbols && a->has_function == b->has_function &&
           (!a->has_function ||
            (same_str(a->function, b->function) && a->function_address == b->function_address &&
             same_str(a->file, b->file))) &&
           a->has_line == b->has_line && a->line == b->line && a->line_address == b->line_address &&
           a->inline_count == b->inline_count;
}

static bool same_inline(const dmp_sym_inline *a, const dmp_sym_inline *b)
{
    return same_str(a->name, b->name) && a->start == b->start && a->depth == b->depth &&
           a->has_line == b->has_line && same_str(a->file, b->file) && a->line == b->line;
}

static void check_same(const dmp_stack *a, const dmp_stack *b, const char *what)
{
    const size_t n = dmp_stack_frame_count(a);
    CHECK(n == dmp_stack_frame_count(b) && dmp_stack_end(a) == dmp_stack_end(b) &&
              dmp_stack_bad_return(a) == dmp_stack_bad_return(b),
          "%s: %zu frames ending %d, then %zu ending %d", what, n, (int)dmp_stack_end(a),
          dmp_stack_frame_count(b), (int)dmp_stack_end(b));
    for (size_t i = 0; i < n; i++) {
        dmp_frame fa, fb;
        memset(&fa, 0, sizeof fa);
        memset(&fb, 0, sizeof fb);
        CHECK(dmp_stack_frame_get(a, i, &fa) == DMP_OK &&
                  dmp_stack_frame_get(b, i, &fb) == DMP_OK && same_frame(&fa, &fb),
              "%s: frame %zu differs (ip %#llx sp %#llx, then ip %#llx sp %#llx)", what, i,
              (ull)fa.ip, (ull)fa.sp, (ull)fb.ip, (ull)fb.sp);
        for (size_t k = 0; k < fa.inline_count; k++) {
            dmp_sym_inline ia, ib;
            CHECK(dmp_stack_inline_get(a, i, k, &ia) == DMP_OK &&
                      dmp_stack_inline_get(b, i, k, &ib) == DMP_OK && same_inline(&ia, &ib),
                  "%s: frame %zu, inline %zu differs", what, i, k);
        }
    }
}

/* ---- Walks ------------------------------------------------------------------------------- */

static dmp_walk_options base_options(void)
{
    dmp_walk_options o;
    memset(&o, 0, sizeof o);
    o.max_frames = MAX_FRAMES;
    o.max_scanned = MAX_SCANNED;
    return o;
}

/* The context a thread's walk starts from, as dmp_walk_thread documents it: the exception's
 * when the exception is this thread's (the first such with a decodable context), else its own. */
static void thread_expect(const dmp_file *f, const dmp_thread *t, struct expect *e)
{
    dmp_exception x;
    memset(e, 0, sizeof *e);
    e->thread_id = t->id;
    for (size_t i = 0; dmp_exception_get(f, i, &x) == DMP_OK; i++)
        if (x.thread_id == t->id && x.context &&
            dmp_context_decode(f, x.context, x.context_size, &e->ctx) == DMP_OK) {
            e->has_context = true;
            e->from_exception = 1;
            return;
        }
    e->has_context =
        t->context && dmp_context_decode(f, t->context, t->context_size, &e->ctx) == DMP_OK;
}

static dmp_stack *walk_thread(const struct run *r, size_t i, const dmp_walk_options *o)
{
    dmp_stack *st = NULL;
    const dmp_status rc = dmp_walk_thread(r->f, i, o, &st);
    CHECK((rc == DMP_OK && st) || (rc == DMP_E_NOMEM && !st), "walk thread %zu = %d", i, (int)rc);
    return st;
}

/* (a) default options; then without images through the dump and the counting callback. */
static void walk_default(const struct run *r, size_t i, struct expect *e)
{
    dmp_walk_options o = base_options();
    struct counted mem;
    e->breakpad = false;
    e->store = NULL;
    dmp_stack *const d = walk_thread(r, i, &o);
    if (d)
        check_stack(r, e, d, NULL);
    dmp_stack_free(d);
    o.no_images = 1;
    dmp_stack *const a = walk_thread(r, i, &o);
    o.memory = counting(&mem, r->f, false, 0, 0);
    dmp_stack *const b = walk_thread(r, i, &o);
    if (a)
        check_stack(r, e, a, NULL);
    if (b)
        check_stack(r, e, b, &mem);
    if (a && b)
        check_same(a, b, "default memory, then the callback");
    dmp_stack_free(a);
    dmp_stack_free(b);
}

/* (b) Breakpad's methods over the thread's stack alone. */
static void walk_breakpad(const struct run *r, size_t i, const dmp_thread *t, struct expect *e)
{
    dmp_walk_options o = base_options();
    struct counted mem;
    o.memory = counting(&mem, r->f, true, t->stack_start, t->stack_size);
    o.breakpad_compatible = 1;
    o.stack_only = 1;
    dmp_stack *const st = walk_thread(r, i, &o);
    e->breakpad = true;
    e->store = NULL;
    if (st)
        check_stack(r, e, st, &mem);
    dmp_stack_free(st);
}

/* (c) with the store, twice: the second walk reads the store's cache. */
static void walk_symbols(const struct run *r, size_t i, struct expect *e)
{
    dmp_walk_options o = base_options();
    struct counted mem;
    o.symbols = r->store;
    o.no_images = 1;
    o.memory = counting(&mem, r->f, false, 0, 0);
    dmp_stack *const a = walk_thread(r, i, &o);
    e->breakpad = false;
    e->store = r->store;
    if (a)
        check_stack(r, e, a, &mem);
    o.memory = counting(&mem, r->f, false, 0, 0);
    dmp_stack *const b = walk_thread(r, i, &o);
    if (b)
        check_stack(r, e, b, &mem);
    if (a && b)
        check_same(a, b, "with symbols, twice");
    dmp_stack_free(a);
    dmp_stack_free(b);
}

static void walk_threads(const struct run *r)
{
    const size_t n = dmp_thread_count(r->f);
    for (size_t i = 0; i < n && i < MAX_THREADS; i++) {
        dmp_thread t;
        CHECK(dmp_thread_get(r->f, i, &t) == DMP_OK, "thread %zu of %zu", i, n);
        struct expect e;
        thread_expect(r->f, &t, &e);
        walk_default(r, i, &e);
        walk_breakpad(r, i, &t, &e);
        walk_symbols(r, i, &e);
    }
    dmp_stack *st = (dmp_stack *)&st; /* a failed call must leave it as it was */
    const dmp_walk_options o = base_options();
    CHECK(dmp_walk_thread(r->f, n, &o, &st) == DMP_E_NOT_FOUND && st == (dmp_stack *)&st,
          "walk of thread %zu of %zu", n, n);
}

/* (d) [context][mode][u16le context length] at the input's end. */
static void walk_tail(const struct run *r, const uint8_t *data, size_t size)
{
    if (size < TAIL_LEN_BYTES + 1)
        return;
    const size_t len = (size_t)data[size - 2] | (size_t)data[size - 1] << 8;
    if (len > size - TAIL_LEN_BYTES - 1)
        return;
    const uint8_t mode = data[size - TAIL_LEN_BYTES - 1];
    struct expect e;
    memset(&e, 0, sizeof e);
    const dmp_status rc = dmp_context_decode(r->f, data + size - 3 - len, len, &e.ctx);
    CHECK(rc == DMP_OK || (rc == DMP_E_MALFORMED && e.ctx.cpu == DMP_CPU_UNKNOWN),
          "context decode = %d, cpu %d", (int)rc, (int)e.ctx.cpu);
    CHECK(e.ctx.reg_count <= DMP_MAX_REGS, "%zu registers", e.ctx.reg_count);
    e.has_context = rc == DMP_OK;
    e.breakpad = mode & MODE_BREAKPAD;
    e.store = mode & MODE_SYMBOLS ? r->store : NULL;
    dmp_thread t;
    const bool region = (mode & MODE_STACK_ONLY) && dmp_thread_get(r->f, 0, &t) == DMP_OK;
    dmp_walk_options o = base_options();
    o.symbols = e.store;
    o.breakpad_compatible = e.breakpad;
    o.stack_only = (mode & MODE_STACK_ONLY) != 0;
    o.no_images = 1;
    dmp_stack *st[2] = {NULL, NULL};
    for (int k = 0; k < 2; k++) {
        struct counted mem;
        o.memory = counting(&mem, r->f, o.stack_only, region ? t.stack_start : 0,
                            region ? t.stack_size : 0);
        const dmp_status ws = dmp_walk_context(r->f, &e.ctx, region ? t.stack_start : 0,
                                               region ? t.stack_size : 0, &o, &st[k]);
        CHECK((ws == DMP_OK && st[k]) || (ws == DMP_E_NOMEM && !st[k]), "walk context = %d",
              (int)ws);
        if (st[k])
            check_stack(r, &e, st[k], &mem);
    }
    if (st[0] && st[1])
        check_same(st[0], st[1], "context from the tail, twice");
    dmp_stack_free(st[0]);
    dmp_stack_free(st[1]);
}

/* Arguments the walker must refuse, and the NULL stack's answers. */
static void check_arguments(const dmp_file *f)
{
    dmp_stack *st = NULL;
    dmp_context ctx;
    memset(&ctx, 0, sizeof ctx);
    CHECK(dmp_walk_thread(NULL, 0, NULL, &st) == DMP_E_INVALID_ARG && !st, "walk of no dump");
    CHECK(dmp_walk_thread(f, 0, NULL, NULL) == DMP_E_INVALID_ARG, "walk into NULL");
    CHECK(dmp_walk_context(f, NULL, 0, 0, NULL, &st) == DMP_E_INVALID_ARG && !st,
          "walk of no context");
    CHECK(dmp_walk_context(NULL, &ctx, 0, 0, NULL, &st) == DMP_E_INVALID_ARG && !st,
          "walk context of no dump");
    dmp_frame fr;
    dmp_sym_inline in;
    CHECK(dmp_stack_frame_count(NULL) == 0 && dmp_stack_end(NULL) == DMP_WALK_NO_CONTEXT &&
              dmp_stack_frame_get(NULL, 0, &fr) == DMP_E_INVALID_ARG &&
              dmp_stack_inline_get(NULL, 0, 0, &in) == DMP_E_INVALID_ARG,
          "NULL stack");
    dmp_stack_free(NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    /* Gzip input is inflated under a small limit; a borrowed buffer is no copy. */
    const bool gzip = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
    const dmp_options opts = {.max_heap_input = gzip ? GZIP_MAX_HEAP : 1};
    dmp_file *f = NULL;
    if (dmp_open_mem_ex(data, size, &opts, &f, NULL) != DMP_OK)
        return 0;
    struct run r = {f, NULL};
    CHECK(dmp_symstore_new(&r.store) == DMP_OK &&
              dmp_symstore_add_dir(r.store, scratch.dir) == DMP_OK,
          "symbol store");
    check_arguments(f);
    walk_threads(&r);
    walk_tail(&r, data, size);
    dmp_symstore_free(r.store);
    dmp_close(f);
    return 0;
}
