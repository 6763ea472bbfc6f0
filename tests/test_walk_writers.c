/* test_walk_writers.c - the stack walker on dumps written by real writers of a program whose
 * call chain is known: tests/targets/chain_target.c (main -> a -> b -> c, c faults), dumped by
 * LLDB 16 on Linux (tests/targets/chain_lldb.sh) and by MiniDumpWriteDump under Wine
 * (tests/targets/chain_wine.sh).
 * SPDX-License-Identifier: MIT
 *
 * Every NAME.chain in testdata/writers, and in $DMPREAD_WALK_WRITERS_DIR when that is set (the
 * fresh captures of the walk_writers_* tests), is parsed strictly, its dump walked with
 * dmp_walk_thread (what `dmpread stack` prints) without symbols and, when the file names a
 * symbol store or a folder of module images, with each; each walk is scored against the chain and
 * the score held against the expectations table below. The committed dumps must score exactly what
 * the table says (a walker change that moves them shows up here, better or worse); fresh captures
 * must score at least that. The checker checks itself too: every committed chain, mutated (a return
 * address off by 16, two frames swapped, a wrong function, module base or stack pointer, the
 * wrong thread), must fail.
 *
 * A .chain file: plain text, one record per line, fields separated by single spaces, `#` lines
 * and empty lines ignored, unknown kinds an error. Addresses are 0x and hex, the rest decimal.
 *
 *   dmpread-chain 1                      first
 *   variant KEY                          the row of the expectations table (lldb-O2-nofp, ...)
 *   build TEXT...                        how the target was built, free text
 *   dump NAME                            the dump, relative to the .chain file
 *   symbols DIR                          optional: a Breakpad symbol store, relative; the walk
 *                                        is then also checked with it
 *   images DIR                           optional: a folder of the program's module files,
 *                                        relative; the walk is then also checked with module
 *                                        images from it and from the system's (Wine's PE DLLs,
 *                                        the C library), without symbols
 *   thread DECIMAL                       the thread whose walk is checked
 *   module 0xBASE NAME                   the module the chain runs in (NAME ends the dump's
 *                                        module name, compared case-insensitively)
 *   frame INDEX FUNCTION 0xENTRY 0xPC    the chain as the program recorded it, innermost first,
 *                                        INDEX 0, 1, ...: frame 0's PC is the faulting
 *                                        instruction, the others' the return address into
 *                                        FUNCTION, which starts at ENTRY
 *   live INDEX 0xPC 0xSP MODULE [FUNCTION]
 *                                        optional: the live debugger's backtrace of the thread
 *                                        (LLDB's `thread backtrace`); its frames 0..n-1 must
 *                                        agree with the `frame` records, and the walk's stack
 *                                        pointers are checked against its SP
 *
 * A walk's score, each a count of leading frames of the chain (so 4 of 4 is the exact chain,
 * with anything allowed after main):
 *   pcs        the instruction (and, with `live`, the stack pointer) is the chain's
 *   modules    ... and the frame is in the chain's module at the right offset
 *   functions  ... and the symbols name the chain's function at its entry (with symbols only)
 * and in_order, how many of the chain's instructions appear in the walk in order, junk frames
 * between them allowed.
 */
#define _POSIX_C_SOURCE 200809L /* getline, scandir, strncasecmp */
#include "suite.h"

#include <dirent.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define MAX_CHAIN 16
#define CHAIN_LEN 4 /* chain_target's main, a, b, c: what the table's rows count to */
#define MAX_LIVE 64
#define MAX_FIELDS 6

/* ---- The expectations ------------------------------------------------------------------------ */

/* BARE walks with no symbols and no image files (images in a full-memory dump's own memory
 * are still read); SYMBOLS with the chain's symbol store; IMAGES with its module files. */
enum mode { BARE, SYMBOLS, IMAGES };

static const char *mode_name(enum mode m)
{
    return m == SYMBOLS ? "with symbols" : m == IMAGES ? "with images" : "without symbols";
}

/* Where the system's module files are: Wine's PE DLLs, and the C library and loader. */
static const char *const system_image_dirs[] = {"/usr/lib/x86_64-linux-gnu/wine/x86_64-windows",
                                                "/lib/x86_64-linux-gnu", "/lib64"};

/* A walk with unwind data may go past main only into the frames that start a thread:
 * mingw's __tmainCRTStartup and mainCRTStartup, kernel32's BaseThreadInitThunk and ntdll's
 * RtlUserThreadStart; glibc's __libc_start_call_main, __libc_start_main and _start. */
#define START_FRAMES 4

struct expectation {
    const char *variant;
    enum mode mode;
    unsigned pcs, modules, functions, in_order;
    const char *why; /* when short of the whole chain */
};

/* Windows x64 code keeps no frame pointers, and a normal dump walked without image files has
 * no unwind data for it: frame 0's caller comes from the leaf rule (a return address in one of
 * the two words at RSP), every other caller from scanning, which takes any word pointing into
 * a module's code. Stale return addresses left in frames (the 32-byte home areas callers
 * reserve, -O0's unused slots) become frames; the chain's own return addresses still follow,
 * in order. With the exe and Wine's DLLs as images, or in a full-memory dump that holds them,
 * the exception directories give the chain exactly. */
#define WHY_WIN_SCAN_O0                                                                            \
    "no unwind data without images: scanning from b's frame takes stale return addresses "         \
    "(ntdll, msvcrt) in -O0's unused frame slots for callers before a's and main's"
#define WHY_WIN_SCAN_O2                                                                            \
    "no unwind data without images: b comes from the leaf rule and a from scanning, but "          \
    "then scanning takes stale return addresses (msvcrt, the program) left in the home area "      \
    "main reserves for its call to a, before main's own return address"

static const struct expectation expectations[] = {
    /* LLDB on Linux, GNU ld's default layout: LLDB 16 lists each module with the size of its
     * first PT_LOAD (the ELF headers alone); the walker takes the code LinuxMapsStream maps
     * from the module's file as the module's. */
    {"lldb-O0-fp", BARE, 4, 4, 0, 4, NULL},
    {"lldb-O0-fp", SYMBOLS, 4, 4, 4, 4, NULL},
    {"lldb-O2-fp", BARE, 4, 4, 0, 4, NULL},
    {"lldb-O2-fp", SYMBOLS, 4, 4, 4, 4, NULL},
    {"lldb-O0-nofp", BARE, 4, 4, 0, 4, NULL},
    {"lldb-O0-nofp", SYMBOLS, 4, 4, 4, 4, NULL},
    {"lldb-O2-nofp", BARE, 4, 4, 0, 4, NULL},
    {"lldb-O2-nofp", SYMBOLS, 4, 4, 4, 4, NULL},
    /* LLDB on Linux, linked -z noseparate-code: the module's listed range holds its code. */
    {"lldb-nsc-O0-fp", BARE, 4, 4, 0, 4, NULL},
    {"lldb-nsc-O0-fp", SYMBOLS, 4, 4, 4, 4, NULL},
    {"lldb-nsc-O2-fp", BARE, 4, 4, 0, 4, NULL},
    {"lldb-nsc-O2-fp", SYMBOLS, 4, 4, 4, 4, NULL},
    {"lldb-nsc-O0-nofp", BARE, 4, 4, 0, 4, NULL},
    {"lldb-nsc-O0-nofp", SYMBOLS, 4, 4, 4, 4, NULL},
    {"lldb-nsc-O2-nofp", BARE, 4, 4, 0, 4, NULL},
    {"lldb-nsc-O2-nofp", SYMBOLS, 4, 4, 4, 4, NULL},
    /* LLDB on Linux with the program and the system's C library as images (fresh captures
     * only: no binaries are committed): .eh_frame gives each caller, .symtab the names, and
     * _start's undefined return address ends the walk where the live backtrace ends. */
    {"lldb-O0-fp", IMAGES, 4, 4, 4, 4, NULL},
    {"lldb-O0-nofp", IMAGES, 4, 4, 4, 4, NULL},
    {"lldb-O2-fp", IMAGES, 4, 4, 4, 4, NULL},
    {"lldb-O2-nofp", IMAGES, 4, 4, 4, 4, NULL},
    {"lldb-nsc-O0-fp", IMAGES, 4, 4, 4, 4, NULL},
    {"lldb-nsc-O0-nofp", IMAGES, 4, 4, 4, 4, NULL},
    {"lldb-nsc-O2-fp", IMAGES, 4, 4, 4, 4, NULL},
    {"lldb-nsc-O2-nofp", IMAGES, 4, 4, 4, 4, NULL},
    /* MiniDumpWriteDump under Wine, amd64, no symbols. */
    {"wine-normal-O0-fp", BARE, 2, 2, 0, 4, WHY_WIN_SCAN_O0},
    {"wine-normal-O0-nofp", BARE, 2, 2, 0, 4, WHY_WIN_SCAN_O0},
    {"wine-normal-O2-fp", BARE, 3, 3, 0, 4, WHY_WIN_SCAN_O2},
    {"wine-normal-O2-nofp", BARE, 3, 3, 0, 4, WHY_WIN_SCAN_O2},
    /* With the exe and Wine's DLLs on disk: their exception directories. */
    {"wine-normal-O0-fp", IMAGES, 4, 4, 0, 4, NULL},
    {"wine-normal-O0-nofp", IMAGES, 4, 4, 0, 4, NULL},
    {"wine-normal-O2-fp", IMAGES, 4, 4, 0, 4, NULL},
    {"wine-normal-O2-nofp", IMAGES, 4, 4, 0, 4, NULL},
    /* Full memory: every module's exception directory is in the dump itself. */
    {"wine-full-O0-fp", BARE, 4, 4, 0, 4, NULL},
    {"wine-full-O0-nofp", BARE, 4, 4, 0, 4, NULL},
    {"wine-full-O2-fp", BARE, 4, 4, 0, 4, NULL},
    {"wine-full-O2-nofp", BARE, 4, 4, 0, 4, NULL},
    {"wine-full-O0-fp", IMAGES, 4, 4, 0, 4, NULL},
    {"wine-full-O0-nofp", IMAGES, 4, 4, 0, 4, NULL},
    {"wine-full-O2-fp", IMAGES, 4, 4, 0, 4, NULL},
    {"wine-full-O2-nofp", IMAGES, 4, 4, 0, 4, NULL},
};

static const struct expectation *find_expectation(const char *variant, enum mode mode)
{
    for (size_t i = 0; i < sizeof expectations / sizeof expectations[0]; i++)
        if (strcmp(expectations[i].variant, variant) == 0 && expectations[i].mode == mode)
            return &expectations[i];
    return NULL;
}

/* ---- The .chain file ------------------------------------------------------------------------- */

struct truth_frame {
    char *function;
    uint64_t entry, pc;
    unsigned line;
};

struct live_frame {
    uint64_t pc, sp;
    char *module;
    char *function; /* "" when the debugger had no name */
    unsigned line;
};

struct chain_file {
    char *path;
    char *variant;
    unsigned variant_line;
    char *dump; /* resolved against the file's folder */
    unsigned dump_line;
    char *symbols; /* resolved; NULL without a `symbols` record */
    unsigned symbols_line;
    char *images; /* resolved; NULL without an `images` record */
    unsigned images_line;
    uint32_t thread;
    unsigned thread_line;
    uint64_t module_base;
    char *module_name;
    unsigned module_line;
    unsigned build_line;
    struct truth_frame frame[MAX_CHAIN];
    size_t frame_count;
    struct live_frame live[MAX_LIVE];
    size_t live_count;
};

static char *xstrdup(const char *s)
{
    const size_t n = strlen(s) + 1;
    char *const p = malloc(n);
    ck_assert_ptr_nonnull(p);
    return memcpy(p, s, n);
}

static void chain_free(struct chain_file *c)
{
    for (size_t i = 0; i < c->frame_count; i++)
        free(c->frame[i].function);
    for (size_t i = 0; i < c->live_count; i++) {
        free(c->live[i].module);
        free(c->live[i].function);
    }
    free(c->path);
    free(c->variant);
    free(c->dump);
    free(c->symbols);
    free(c->images);
    free(c->module_name);
    memset(c, 0, sizeof *c);
}

struct parser {
    struct chain_file *c;
    unsigned line;
    bool have_header;
    char *err;
    size_t cap;
};

static bool parse_error(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static bool parse_error(struct parser *p, const char *fmt, ...)
{
    const int n = snprintf(p->err, p->cap, "%s:%u: ", p->c->path, p->line);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < p->cap)
        vsnprintf(p->err + n, p->cap - (size_t)n, fmt, ap);
    va_end(ap);
    return false;
}

/* "0x" and 1 to 16 lower- or upper-case hex digits. */
static bool parse_hex(const char *s, uint64_t *out)
{
    if (s[0] != '0' || s[1] != 'x' || s[2] == '\0' || strlen(s + 2) > 16)
        return false;
    uint64_t v = 0;
    for (const char *c = s + 2; *c; c++) {
        const char *const d = strchr("0123456789abcdef", *c >= 'A' && *c <= 'F' ? *c + 32 : *c);
        if (!d)
            return false;
        v = v << 4 | (uint64_t)(d - "0123456789abcdef");
    }
    *out = v;
    return true;
}

static bool parse_dec(const char *s, uint64_t max, uint64_t *out)
{
    if (!*s)
        return false;
    uint64_t v = 0;
    for (const char *c = s; *c; c++) {
        if (*c < '0' || *c > '9' || v > (max - (uint64_t)(*c - '0')) / 10)
            return false;
        v = v * 10 + (uint64_t)(*c - '0');
    }
    *out = v;
    return true;
}

/* Splits at single spaces into at most `max` fields; -1 for an empty field (other than a
 * trailing one when `trailing_empty`), max + 1 when there are more. */
static int split(char *rest, char **field, int max, bool trailing_empty)
{
    static char none[1];
    for (int i = 0; i < max; i++)
        field[i] = none;
    int n = 0;
    for (char *s = rest; *s;) {
        if (n == max)
            return max + 1;
        if (*s == ' ')
            return -1;
        field[n++] = s;
        char *const sp = strchr(s, ' ');
        if (!sp)
            break;
        *sp = '\0';
        s = sp + 1;
        if (*s == '\0') {
            if (!trailing_empty || n == max)
                return -1;
            field[n++] = s;
        }
    }
    return n;
}

static bool once(struct parser *p, const char *kind, unsigned *line)
{
    if (*line)
        return parse_error(p, "second '%s' record (the first is on line %u)", kind, *line);
    *line = p->line;
    return true;
}

/* PATH's folder joined with the relative NAME. */
static char *resolve(const char *path, const char *name)
{
    const char *const slash = strrchr(path, '/');
    const size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
    char *const out = malloc(dir_len + strlen(name) + 1);
    ck_assert_ptr_nonnull(out);
    memcpy(out, path, dir_len);
    strcpy(out + dir_len, name);
    return out;
}

static bool parse_frame(struct parser *p, char **f, int n)
{
    struct chain_file *const c = p->c;
    uint64_t index;
    if (n != 4)
        return parse_error(p, "'frame' takes INDEX FUNCTION 0xENTRY 0xPC");
    if (c->frame_count == MAX_CHAIN)
        return parse_error(p, "more than %d 'frame' records", MAX_CHAIN);
    if (!parse_dec(f[0], MAX_CHAIN, &index) || index != c->frame_count)
        return parse_error(p, "frame INDEX '%s': want %zu (frames come in order from 0)", f[0],
                           c->frame_count);
    struct truth_frame *const t = &c->frame[c->frame_count];
    if (!parse_hex(f[2], &t->entry) || !parse_hex(f[3], &t->pc))
        return parse_error(p, "frame %s: bad address (want 0x and hex digits)", f[0]);
    t->function = xstrdup(f[1]);
    t->line = p->line;
    c->frame_count++;
    return true;
}

static bool parse_live(struct parser *p, char **f, int n)
{
    struct chain_file *const c = p->c;
    uint64_t index;
    if (n != 4 && n != 5)
        return parse_error(p, "'live' takes INDEX 0xPC 0xSP MODULE [FUNCTION]");
    if (c->live_count == MAX_LIVE)
        return parse_error(p, "more than %d 'live' records", MAX_LIVE);
    if (!parse_dec(f[0], MAX_LIVE, &index) || index != c->live_count)
        return parse_error(p, "live INDEX '%s': want %zu (frames come in order from 0)", f[0],
                           c->live_count);
    struct live_frame *const l = &c->live[c->live_count];
    if (!parse_hex(f[1], &l->pc) || !parse_hex(f[2], &l->sp))
        return parse_error(p, "live %s: bad address (want 0x and hex digits)", f[0]);
    l->module = xstrdup(f[3]);
    l->function = xstrdup(n == 5 ? f[4] : "");
    l->line = p->line;
    c->live_count++;
    return true;
}

static bool parse_record(struct parser *p, const char *kind, char *rest)
{
    struct chain_file *const c = p->c;
    char *f[MAX_FIELDS];
    uint64_t v;
    if (strcmp(kind, "build") == 0)
        return rest[0] ? once(p, kind, &c->build_line) : parse_error(p, "'build' needs a text");
    if (strcmp(kind, "module") == 0) {
        /* The name is the rest of the line: Windows paths hold spaces. */
        char *const sp = strchr(rest, ' ');
        if (!sp || !sp[1])
            return parse_error(p, "'module' takes 0xBASE NAME");
        if (!once(p, kind, &c->module_line))
            return false;
        *sp = '\0';
        if (!parse_hex(rest, &c->module_base))
            return parse_error(p, "module: bad base '%s'", rest);
        c->module_name = xstrdup(sp + 1);
        return true;
    }
    const int n = split(rest, f, MAX_FIELDS, strcmp(kind, "live") == 0);
    if (n < 0)
        return parse_error(p, "'%s': empty field (fields are separated by single spaces)", kind);
    if (strcmp(kind, "frame") == 0)
        return parse_frame(p, f, n);
    if (strcmp(kind, "live") == 0)
        return parse_live(p, f, n);
    if (n != 1)
        return parse_error(p, "'%s' takes one field, this line has %d", kind, n);
    if (strcmp(kind, "variant") == 0) {
        if (!once(p, kind, &c->variant_line))
            return false;
        c->variant = xstrdup(f[0]);
        return true;
    }
    if (strcmp(kind, "dump") == 0 || strcmp(kind, "symbols") == 0 || strcmp(kind, "images") == 0) {
        char **const slot = kind[0] == 'd' ? &c->dump : kind[0] == 's' ? &c->symbols : &c->images;
        unsigned *const line = kind[0] == 'd'   ? &c->dump_line
                               : kind[0] == 's' ? &c->symbols_line
                                                : &c->images_line;
        if (!once(p, kind, line))
            return false;
        if (f[0][0] == '/')
            return parse_error(p, "%s '%s' must be relative to the .chain file", kind, f[0]);
        *slot = resolve(c->path, f[0]);
        return true;
    }
    if (strcmp(kind, "thread") == 0) {
        if (!once(p, kind, &c->thread_line))
            return false;
        if (!parse_dec(f[0], UINT32_MAX, &v))
            return parse_error(p, "thread: '%s' is not a decimal number below 2^32", f[0]);
        c->thread = (uint32_t)v;
        return true;
    }
    return parse_error(p, "unknown record kind '%s'", kind);
}

static bool parse_line(struct parser *p, char *text)
{
    if (strchr(text, '\r'))
        return parse_error(p, "a carriage return (lines end with LF alone)");
    if (text[0] == '#' || text[0] == '\0')
        return true;
    char *const sp = strchr(text, ' ');
    char *const rest = sp ? sp + 1 : text + strlen(text);
    if (sp)
        *sp = '\0';
    if (!p->have_header) {
        if (strcmp(text, "dmpread-chain") != 0 || strcmp(rest, "1") != 0)
            return parse_error(p, "expected 'dmpread-chain 1' first");
        p->have_header = true;
        return true;
    }
    if (strcmp(text, "dmpread-chain") == 0)
        return parse_error(p, "second 'dmpread-chain' record");
    return parse_record(p, text, rest);
}

/* Parses `path` into *c (free with chain_free, also after a failure); false with
 * "PATH:LINE: what" in err. */
static bool chain_parse(const char *path, struct chain_file *c, char *err, size_t cap)
{
    memset(c, 0, sizeof *c);
    c->path = xstrdup(path);
    struct parser p = {c, 0, false, err, cap};
    FILE *const fp = fopen(path, "r");
    if (!fp)
        return parse_error(&p, "cannot open");
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t got;
    bool ok = true;
    while (ok && (got = getline(&line, &line_cap, fp)) >= 0) {
        p.line++;
        if (got > 0 && line[got - 1] == '\n')
            line[got - 1] = '\0';
        ok = parse_line(&p, line);
    }
    free(line);
    fclose(fp);
    if (!ok)
        return false;
    p.line++;
    if (!p.have_header)
        return parse_error(&p, "no 'dmpread-chain 1' record (end of file)");
    if (!c->variant_line || !c->dump_line || !c->thread_line || !c->module_line)
        return parse_error(&p, "'variant', 'dump', 'thread' and 'module' are required");
    if (c->frame_count == 0)
        return parse_error(&p, "no 'frame' record: nothing to check");
    return true;
}

/* ---- Problems -------------------------------------------------------------------------------- */

struct problems {
    const char *path;
    char text[16384];
    size_t len;
    unsigned count;
};

static void problem(struct problems *pr, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(struct problems *pr, unsigned line, const char *fmt, ...)
{
    pr->count++;
    if (pr->len + 2 >= sizeof pr->text)
        return;
    char *const at = pr->text + pr->len;
    const size_t room = sizeof pr->text - pr->len;
    int n = snprintf(at, room, "%s:%u: ", pr->path, line);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < room)
        n += vsnprintf(at + n, room - (size_t)n, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n + 2 > room)
        n = (int)room - 2;
    at[n++] = '\n';
    at[n] = '\0';
    pr->len += (size_t)n;
}

/* ---- Scoring a walk -------------------------------------------------------------------------- */

struct score {
    unsigned pcs, modules, functions, in_order;
    unsigned live; /* leading frames whose instruction and stack pointer are the live trace's */
    size_t frames;
    dmp_walk_end end;
};

static bool name_ends_with(const char *name, const char *tail)
{
    const size_t n = strlen(name), t = strlen(tail);
    return n >= t && strncasecmp(name + n - t, tail, t) == 0 &&
           (n == t || name[n - t - 1] == '/' || name[n - t - 1] == '\\');
}

static bool sym_is(dmp_sym_str s, const char *want)
{
    return s.len == strlen(want) && memcmp(s.ptr, want, s.len) == 0;
}

/* Where frame i of the walk stands against frame i of the chain: 0 the instruction (or, with a
 * live backtrace, the stack pointer) is wrong, 1 right, 2 ... in the module at the right offset,
 * 3 ... named with the chain's function. */
static unsigned frame_grade(const dmp_file *f, const struct chain_file *c, const dmp_frame *fr,
                            size_t i)
{
    const struct truth_frame *const t = &c->frame[i];
    if (fr->ip != t->pc || (i < c->live_count && fr->sp != c->live[i].sp))
        return 0;
    dmp_module m;
    if (!fr->has_module || dmp_module_get(f, fr->module_index, &m) != DMP_OK ||
        !name_ends_with(m.name, c->module_name) || m.base != c->module_base ||
        fr->module_offset != t->pc - c->module_base)
        return 1;
    if (!fr->has_function || !sym_is(fr->function, t->function) || fr->function_address != t->entry)
        return 2;
    return 3;
}

static void score_walk(const dmp_file *f, const struct chain_file *c, const dmp_stack *st,
                       struct score *s)
{
    memset(s, 0, sizeof *s);
    s->frames = dmp_stack_frame_count(st);
    s->end = dmp_stack_end(st);
    bool pcs = true, modules = true, functions = true;
    dmp_frame fr;
    for (size_t i = 0; i < c->frame_count; i++) {
        const unsigned g =
            dmp_stack_frame_get(st, i, &fr) == DMP_OK ? frame_grade(f, c, &fr, i) : 0;
        pcs = pcs && g >= 1;
        modules = modules && g >= 2;
        functions = functions && g >= 3;
        s->pcs += pcs;
        s->modules += modules;
        s->functions += functions;
    }
    for (size_t i = 0; i < c->live_count && dmp_stack_frame_get(st, i, &fr) == DMP_OK &&
                       fr.ip == c->live[i].pc && fr.sp == c->live[i].sp;
         i++)
        s->live++;
    size_t next = 0;
    for (size_t i = 0; i < s->frames && next < c->frame_count; i++)
        if (dmp_stack_frame_get(st, i, &fr) == DMP_OK && fr.ip == c->frame[next].pc)
            next++;
    s->in_order = (unsigned)next;
}

/* The walk as one line per frame, next to the chain, for the log. */
static void print_walk(const dmp_file *f, const struct chain_file *c, const dmp_stack *st)
{
    dmp_frame fr;
    for (size_t i = 0; i < 12 && dmp_stack_frame_get(st, i, &fr) == DMP_OK; i++) {
        dmp_module m;
        char where[160] = "?";
        if (fr.has_module && dmp_module_get(f, fr.module_index, &m) == DMP_OK) {
            const char *base = m.name;
            for (const char *p = m.name; *p; p++)
                if (*p == '/' || *p == '\\')
                    base = p + 1;
            snprintf(where, sizeof where, "%s+0x%" PRIx64 "%s%.*s", base, fr.module_offset,
                     fr.has_function ? " " : "", fr.has_function ? (int)fr.function.len : 0,
                     fr.function.ptr);
        }
        printf("    #%-2zu %-13s 0x%-14" PRIx64 " sp 0x%-14" PRIx64 " %s", i,
               dmp_frame_trust_name(fr.trust), fr.ip, fr.sp, where);
        if (i < c->frame_count)
            printf("   (chain: %s 0x%" PRIx64 ")", c->frame[i].function, c->frame[i].pc);
        printf("\n");
    }
    if (dmp_stack_frame_count(st) > 12)
        printf("    ... %zu frames in all\n", dmp_stack_frame_count(st));
}

/* ---- Checking -------------------------------------------------------------------------------- */

/* The chain against the live backtrace and against itself. */
static void check_truth(const struct chain_file *c, struct problems *pr)
{
    for (size_t i = 0; i < c->frame_count; i++) {
        const struct truth_frame *const t = &c->frame[i];
        if (t->pc < t->entry || t->pc - t->entry >= 0x10000)
            problem(pr, t->line,
                    "frame %zu: pc 0x%" PRIx64 " is not just after %s's entry 0x%" PRIx64, i, t->pc,
                    t->function, t->entry);
        if (c->live_count == 0)
            continue;
        if (i >= c->live_count) {
            problem(pr, t->line, "frame %zu: the live backtrace has only %zu frames", i,
                    c->live_count);
            continue;
        }
        const struct live_frame *const l = &c->live[i];
        if (l->pc != t->pc || strcmp(l->function, t->function) != 0 ||
            !name_ends_with(c->module_name, l->module))
            problem(pr, l->line,
                    "the live backtrace's frame %zu (%s %s 0x%" PRIx64 ") is not the program's "
                    "(%s 0x%" PRIx64 ", line %u)",
                    i, l->module, l->function, l->pc, t->function, t->pc, t->line);
    }
}

static void check_score(const struct chain_file *c, enum mode mode, const struct score *s,
                        bool exact, struct problems *pr)
{
    const char *const how = mode_name(mode);
    const struct expectation *const e = find_expectation(c->variant, mode);
    if (!e && exact) {
        problem(pr, c->variant_line,
                "variant %s %s: no row in the expectations table of test_walk_writers.c "
                "(it scored pcs %u, modules %u, functions %u, in order %u)",
                c->variant, how, s->pcs, s->modules, s->functions, s->in_order);
        return;
    }
    if (!e) { /* a fresh capture of a variant nobody has seen yet (x86 under Wine): say it */
        printf("  NOTE: variant %s %s has no row in the expectations table: nothing required\n",
               c->variant, how);
        return;
    }
    const unsigned got[4] = {s->pcs, s->modules, s->functions, s->in_order};
    const unsigned want[4] = {e->pcs, e->modules, e->functions, e->in_order};
    static const char *const facet[4] = {"pcs", "modules", "functions", "in order"};
    for (int k = 0; k < 4; k++) {
        if (got[k] < want[k])
            problem(pr, c->variant_line, "%s %s: %s %u of %zu, the table wants %u%s%s", c->variant,
                    how, facet[k], got[k], c->frame_count, want[k], e->why ? " (known: " : "",
                    e->why ? e->why : "");
        else if (got[k] > want[k] && exact)
            problem(pr, c->variant_line,
                    "%s %s: %s %u of %zu, better than the table's %u: the walker improved, "
                    "update the expectations table in tests/test_walk_writers.c",
                    c->variant, how, facet[k], got[k], c->frame_count, want[k]);
        else if (got[k] > want[k])
            printf("  NOTE: %s %s: %s %u, better than the table's %u\n", c->variant, how, facet[k],
                   got[k], want[k]);
    }
}

/* One walk of the chain's thread, scored and checked. `quiet`: no log (the self-test). */
static void check_walk(const dmp_file *f, const struct chain_file *c, enum mode mode, bool exact,
                       bool quiet, struct problems *pr)
{
    size_t index;
    if (dmp_thread_find(f, c->thread, &index) != DMP_OK) {
        problem(pr, c->thread_line, "thread %" PRIu32 ": not in the dump", c->thread);
        return;
    }
    dmp_walk_options opt;
    memset(&opt, 0, sizeof opt);
    dmp_symstore *store = NULL;
    dmp_images *images = NULL;
    if (mode == SYMBOLS) {
        ck_assert_int_eq(dmp_symstore_new(&store), DMP_OK);
        ck_assert_int_eq(dmp_symstore_add_dir(store, c->symbols), DMP_OK);
        opt.symbols = store;
    } else if (mode == IMAGES) {
        /* A normal dump holds no image: its unwind data is in Wine's DLLs on this machine. */
        if (strncmp(c->variant, "wine-normal", 11) == 0 && access(system_image_dirs[0], R_OK)) {
            printf("%s %s: SKIPPED: Wine's PE DLLs are not in %s (install wine64; CI does)\n",
                   c->variant, mode_name(mode), system_image_dirs[0]);
            return;
        }
        ck_assert_int_eq(dmp_images_new(f, &images), DMP_OK);
        ck_assert_int_eq(dmp_images_add_dir(images, c->images), DMP_OK);
        for (size_t i = 0; i < sizeof system_image_dirs / sizeof system_image_dirs[0]; i++)
            ck_assert_int_eq(dmp_images_add_dir(images, system_image_dirs[i]), DMP_OK);
        opt.images = images;
    }
    dmp_stack *st = NULL;
    ck_assert_int_eq(dmp_walk_thread(f, index, &opt, &st), DMP_OK);
    struct score s;
    score_walk(f, c, st, &s);
    /* Unwind data makes no junk: past the chain only a thread's start frames. A full-memory
     * dump holds its images: its bare walk has the unwind data too. */
    const bool unwound =
        mode == IMAGES || (mode == BARE && strncmp(c->variant, "wine-full", 9) == 0);
    if (unwound && s.frames > c->frame_count + START_FRAMES)
        problem(pr, c->images_line,
                "%s %s: %zu frames, more than the chain's %zu and %d start frames", c->variant,
                mode_name(mode), s.frames, c->frame_count, START_FRAMES);
    if (!quiet) {
        printf("%s %s: pcs %u, modules %u, functions %u, in order %u of %zu; %zu frames, "
               "ends: %s",
               c->variant, mode_name(mode), s.pcs, s.modules, s.functions, s.in_order,
               c->frame_count, s.frames, dmp_walk_end_name(s.end));
        if (c->live_count)
            printf("; as the live trace for %u of its %zu frames", s.live, c->live_count);
        printf("\n");
        if ((mode == SYMBOLS ? s.functions : s.modules) < c->frame_count)
            print_walk(f, c, st);
    }
    check_score(c, mode, &s, exact, pr);
    dmp_stack_free(st);
    dmp_images_free(images);
    dmp_symstore_free(store);
}

/* The dump's side: the module where the chain says. */
static void check_module(const dmp_file *f, const struct chain_file *c, struct problems *pr)
{
    for (size_t i = 0; i < dmp_module_count(f); i++) {
        dmp_module m;
        if (dmp_module_get(f, i, &m) == DMP_OK && name_ends_with(m.name, c->module_name) &&
            m.base == c->module_base)
            return;
    }
    problem(pr, c->module_line, "module %s at 0x%" PRIx64 ": not in the dump's module list",
            c->module_name, c->module_base);
}

static void check_chain(const dmp_file *f, const struct chain_file *c, bool exact, bool quiet,
                        struct problems *pr)
{
    check_truth(c, pr);
    check_module(f, c, pr);
    check_walk(f, c, BARE, exact, quiet, pr);
    if (c->symbols)
        check_walk(f, c, SYMBOLS, exact, quiet, pr);
    if (c->images)
        check_walk(f, c, IMAGES, exact, quiet, pr);
}

static dmp_file *open_chain_dump(const struct chain_file *c)
{
    dmp_file *f = NULL;
    dmp_error e;
    const dmp_status st = dmp_open_ex(c->dump, NULL, &f, &e);
    ck_assert_msg(st == DMP_OK, "%s:%u: cannot open %s: %s", c->path, c->dump_line, c->dump,
                  e.message);
    return f;
}

static void check_chain_file(const char *path, bool exact)
{
    struct chain_file c;
    char err[1024] = "";
    const bool parsed = chain_parse(path, &c, err, sizeof err);
    ck_assert_msg(parsed, "%s", err);
    dmp_file *const f = open_chain_dump(&c);
    struct problems pr;
    memset(&pr, 0, sizeof pr);
    pr.path = path;
    printf("%s (%s)\n", path, exact ? "must match the table" : "must reach the table");
    check_chain(f, &c, exact, false, &pr);
    if (pr.count)
        fprintf(stderr, "%s", pr.text);
    ck_assert_msg(pr.count == 0, "%u problem(s):\n%s", pr.count, pr.text);
    dmp_close(f);
    chain_free(&c);
}

/* ---- The self-test: a wrong chain must fail -------------------------------------------------- */

struct mutation {
    const char *what;
    /* Changes *c (a shallow copy: only numbers, or pointers to literals); false when the
     * mutation says nothing for this chain and expectation. */
    bool (*apply)(struct chain_file *c, const struct expectation *e);
};

/* The last frame the table says is right gets a wrong instruction (in the live trace too). */
static bool mutate_pc(struct chain_file *c, const struct expectation *e)
{
    const unsigned k = e->pcs ? e->pcs - 1 : 0;
    c->frame[k].pc += 16;
    c->frame[k].entry += 16;
    if (k < c->live_count)
        c->live[k].pc += 16;
    return true;
}

static bool mutate_swap(struct chain_file *c, const struct expectation *e)
{
    if (e->pcs < 3 || c->frame_count < 3)
        return false;
    const struct truth_frame t = c->frame[1];
    c->frame[1] = c->frame[2];
    c->frame[2] = t;
    if (c->live_count >= 3) {
        const struct live_frame l = c->live[1];
        c->live[1] = c->live[2];
        c->live[2] = l;
    }
    return true;
}

static bool mutate_function(struct chain_file *c, const struct expectation *e)
{
    if (e->functions == 0)
        return false;
    static char wrong[] = "not_the_function";
    c->frame[e->functions - 1].function = wrong;
    if (e->functions - 1 < c->live_count)
        c->live[e->functions - 1].function = wrong;
    return true;
}

static bool mutate_module(struct chain_file *c, const struct expectation *e)
{
    if (e->modules == 0)
        return false;
    c->module_base += 0x1000;
    return true;
}

static bool mutate_sp(struct chain_file *c, const struct expectation *e)
{
    if (e->pcs < 2 || c->live_count < 2)
        return false;
    c->live[e->pcs - 1].sp += 8;
    return true;
}

static bool mutate_thread(struct chain_file *c, const struct expectation *e)
{
    (void)e;
    c->thread ^= 0x40000000u;
    return true;
}

static const struct mutation mutations[] = {
    {"a return address off by 16", mutate_pc},    {"frames 1 and 2 swapped", mutate_swap},
    {"a wrong function name", mutate_function},   {"a module base off by a page", mutate_module},
    {"a live stack pointer off by 8", mutate_sp}, {"the wrong thread", mutate_thread},
};

/* Every mutation that applies to a committed chain must make the lenient check fail. */
static void self_test_file(const char *path)
{
    struct chain_file c;
    char err[1024] = "";
    ck_assert_msg(chain_parse(path, &c, err, sizeof err), "%s", err);
    dmp_file *const f = open_chain_dump(&c);
    unsigned applied = 0, rows = 0;
    for (int mode = BARE; mode <= IMAGES; mode++)
        rows += find_expectation(c.variant, (enum mode)mode) != NULL;
    if (rows == 0) /* a fresh variant without rows (committed ones fail in committed_chain) */
        printf("%s: variant %s has no rows: no wrong chains to try\n", path, c.variant);
    for (int mode = BARE; rows && mode <= IMAGES; mode++) {
        const struct expectation *const e = find_expectation(c.variant, (enum mode)mode);
        if (!e || (mode == SYMBOLS && !c.symbols) || (mode == IMAGES && !c.images))
            continue;
        for (size_t k = 0; k < sizeof mutations / sizeof mutations[0]; k++) {
            struct chain_file m = c; /* shallow: the mutations never free */
            /* this mode's walk (and the bare one) alone, held against its row */
            if (mode != SYMBOLS)
                m.symbols = NULL;
            if (mode != IMAGES)
                m.images = NULL;
            if (!mutations[k].apply(&m, e))
                continue;
            struct problems pr;
            memset(&pr, 0, sizeof pr);
            pr.path = path;
            check_chain(f, &m, false, true, &pr);
            ck_assert_msg(pr.count > 0, "%s: %s (%s) was not caught", path, mutations[k].what,
                          mode_name((enum mode)mode));
            applied++;
        }
    }
    ck_assert_msg(rows == 0 || applied >= 3, "%s: only %u mutations apply", path, applied);
    if (rows)
        printf("%s: %u wrong chains caught\n", path, applied);
    dmp_close(f);
    chain_free(&c);
}

/* ---- The chain files ------------------------------------------------------------------------- */

struct chain_list {
    char **path;
    size_t count;
    const char *dir;
};

static struct chain_list committed, fresh;

static int is_chain(const struct dirent *d)
{
    const size_t n = strlen(d->d_name);
    return n > 6 && strcmp(d->d_name + n - 6, ".chain") == 0;
}

static bool collect(const char *dir, struct chain_list *out)
{
    struct dirent **names = NULL;
    const int n = scandir(dir, &names, is_chain, alphasort);
    out->dir = dir;
    if (n < 0)
        return false;
    out->path = malloc(((size_t)n + 1) * sizeof *out->path);
    if (!out->path)
        abort();
    for (int i = 0; i < n; i++) {
        out->path[i] = malloc(strlen(dir) + strlen(names[i]->d_name) + 2);
        if (!out->path[i])
            abort();
        sprintf(out->path[i], "%s/%s", dir, names[i]->d_name);
        free(names[i]);
    }
    free(names);
    out->count = (size_t)n;
    return true;
}

START_TEST(committed_chain)
{
    check_chain_file(committed.path[_i], true);
}
END_TEST

START_TEST(committed_wrong_chains)
{
    self_test_file(committed.path[_i]);
}
END_TEST

START_TEST(fresh_chain)
{
    check_chain_file(fresh.path[_i], false);
}
END_TEST

START_TEST(fresh_wrong_chains)
{
    self_test_file(fresh.path[_i]);
}
END_TEST

START_TEST(no_committed_chains)
{
    ck_abort_msg("no *.chain in %s: the committed chain dumps are missing", committed.dir);
}
END_TEST

START_TEST(no_fresh_chains)
{
    ck_abort_msg("DMPREAD_WALK_WRITERS_DIR=%s holds no readable *.chain: the capture wrote "
                 "nothing",
                 fresh.dir);
}
END_TEST

/* ---- Parser cases ---------------------------------------------------------------------------- */

static const char *const good_chain =
    "# comment\n\ndmpread-chain 1\nvariant v\nbuild cc -O2 x\ndump d.dmp.gz\nsymbols s\nimages i\n"
    "thread 7\nmodule 0x1000 My App.exe\nframe 0 c 0x1010 0x1015\nframe 1 b 0x1020 0x1030\n"
    "live 0 0x1015 0x7f00 app c\nlive 1 0x1030 0x7f10 app \n";

static void write_text(const char *path, const char *text)
{
    FILE *const fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    ck_assert_int_ge(fputs(text, fp), 0);
    ck_assert_int_eq(fclose(fp), 0);
}

static const char *tmp_path(void)
{
    static char path[512];
    const char *const base = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/dmpread-walk-writers-%ld.chain", base && *base ? base : "/tmp",
             (long)getpid());
    return path;
}

START_TEST(parser_accepts)
{
    const char *const path = tmp_path();
    write_text(path, good_chain);
    struct chain_file c;
    char err[1024] = "";
    ck_assert_msg(chain_parse(path, &c, err, sizeof err), "%s", err);
    ck_assert_str_eq(c.variant, "v");
    ck_assert_uint_eq(c.thread, 7);
    ck_assert_uint_eq(c.module_base, 0x1000);
    ck_assert_str_eq(c.module_name, "My App.exe");
    ck_assert_uint_eq(c.frame_count, 2);
    ck_assert_str_eq(c.frame[1].function, "b");
    ck_assert_uint_eq(c.frame[1].pc, 0x1030);
    ck_assert_uint_eq(c.live_count, 2);
    ck_assert_str_eq(c.live[1].function, "");
    ck_assert_ptr_nonnull(strstr(c.dump, "/d.dmp.gz"));
    ck_assert_ptr_nonnull(strstr(c.symbols, "/s"));
    ck_assert_ptr_nonnull(strstr(c.images, "/i"));
    chain_free(&c);
    remove(path);
}
END_TEST

struct reject_case {
    const char *text;
    const char *needle;
};

static const struct reject_case rejects[] = {
    {"", "no 'dmpread-chain 1'"},
    {"dmpread-chain 2\n", "expected 'dmpread-chain 1'"},
    {"dmpread-chain 1\nvariant v\ndump d\nthread 1\nmodule 0x1 m\n", "no 'frame'"},
    {"dmpread-chain 1\nvariant v\ndump d\nthread 1\nframe 0 c 0x1 0x2\n", "are required"},
    {"dmpread-chain 1\nframe 1 c 0x1 0x2\n", "want 0"},
    {"dmpread-chain 1\nframe 0 c 0x1 2\n", "bad address"},
    {"dmpread-chain 1\nframe 0 c 0x1\n", "'frame' takes"},
    {"dmpread-chain 1\nthread 1\nthread 2\n", "second 'thread'"},
    {"dmpread-chain 1\ndump /abs\n", "must be relative"},
    {"dmpread-chain 1\nimages /abs\n", "must be relative"},
    {"dmpread-chain 1\nimages a\nimages b\n", "second 'images'"},
    {"dmpread-chain 1\nstack 1\n", "unknown record kind 'stack'"},
    {"dmpread-chain 1\nvariant a  b\n", "empty field"},
    {"dmpread-chain 1\nvariant a\r\n", "carriage return"},
    {"dmpread-chain 1\nlive 0 0x1 0x2\n", "'live' takes"},
};

START_TEST(parser_rejects)
{
    const char *const path = tmp_path();
    write_text(path, rejects[_i].text);
    struct chain_file c;
    char err[1024] = "";
    ck_assert_msg(!chain_parse(path, &c, err, sizeof err), "case %d accepted", _i);
    ck_assert_msg(strstr(err, rejects[_i].needle), "case %d: '%s' lacks '%s'", _i, err,
                  rejects[_i].needle);
    chain_free(&c);
    remove(path);
}
END_TEST

/* Every row of the table is at most the chain's length and internally ordered. */
START_TEST(table_is_sane)
{
    for (size_t i = 0; i < sizeof expectations / sizeof expectations[0]; i++) {
        const struct expectation *const e = &expectations[i];
        ck_assert_msg(e->pcs >= e->modules && e->modules >= e->functions && e->in_order >= e->pcs,
                      "row %zu (%s)", i, e->variant);
        ck_assert_msg(e->mode != BARE || e->functions == 0, "row %zu (%s)", i, e->variant);
        ck_assert_msg(e->pcs <= MAX_CHAIN && e->in_order <= MAX_CHAIN, "row %zu", i);
        const bool short_of_chain = e->pcs < CHAIN_LEN || e->modules < CHAIN_LEN ||
                                    e->in_order < CHAIN_LEN ||
                                    (e->mode == SYMBOLS && e->functions < CHAIN_LEN);
        ck_assert_msg(short_of_chain == (e->why != NULL),
                      "row %zu (%s): a row short of the chain gives its reason, and only such a "
                      "row",
                      i, e->variant);
    }
}
END_TEST

int main(void)
{
    Suite *const s = suite_create("walk_writers");
    TCase *const tc = tcase_create("chains");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, parser_accepts);
    tcase_add_loop_test(tc, parser_rejects, 0, (int)(sizeof rejects / sizeof rejects[0]));
    tcase_add_test(tc, table_is_sane);
    if (collect(DMPREAD_TESTDATA "/writers", &committed) && committed.count > 0) {
        tcase_add_loop_test(tc, committed_chain, 0, (int)committed.count);
        tcase_add_loop_test(tc, committed_wrong_chains, 0, (int)committed.count);
    } else {
        tcase_add_test(tc, no_committed_chains);
    }
    const char *const dir = getenv("DMPREAD_WALK_WRITERS_DIR");
    if (dir && *dir) {
        if (collect(dir, &fresh) && fresh.count > 0) {
            tcase_add_loop_test(tc, fresh_chain, 0, (int)fresh.count);
            tcase_add_loop_test(tc, fresh_wrong_chains, 0, (int)fresh.count);
        } else
            tcase_add_test(tc, no_fresh_chains);
    }
    suite_add_tcase(s, tc);
    const int rc = run_suite(s);
    for (size_t i = 0; i < committed.count; i++)
        free(committed.path[i]);
    for (size_t i = 0; i < fresh.count; i++)
        free(fresh.path[i]);
    free(committed.path);
    free(fresh.path);
    return rc;
}
