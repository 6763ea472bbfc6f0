/* triage.c - a small crash triage built on libdmpread alone: why the process crashed, where
 * (module + offset), the top of the crashing thread's stack, and its backtrace.
 * SPDX-License-Identifier: MIT
 *
 *   triage [--symbols DIR]... [--images DIR]... FILE
 *
 * --symbols: folders of Breakpad .sym files (DIR/<debug file>/<debug id>/...); --images:
 * folders of the modules' files (exe, dll, so) for their unwind data and names. Without
 * either, the walk uses what the dump holds. Exit status: 0 a crash was reported, 1 the dump
 * holds no exception, 2 bad arguments or an unreadable dump.
 * Build it against an installed dmpread (examples/CMakeLists.txt, or pkg-config:
 * cc triage.c $(pkg-config --cflags --libs dmpread)).
 */
#include <dmpread.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define STACK_WORDS 8
#define MAX_FRAMES 32

/* "name+0xOFFSET" for the module holding addr (its file name only), else the address. */
static const char *where(const dmp_file *f, uint64_t addr, char *buf, size_t cap)
{
    size_t index;
    uint64_t offset;
    dmp_module m;
    if (dmp_module_find(f, addr, &index, &offset) != DMP_OK ||
        dmp_module_get(f, index, &m) != DMP_OK) {
        snprintf(buf, cap, "0x%" PRIx64, addr);
        return buf;
    }
    const char *base = m.name;
    for (const char *p = m.name; *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    snprintf(buf, cap, "%s+0x%" PRIx64, base, offset);
    return buf;
}

/* A word of the process's memory, in its CPU's width and byte order. */
static uint64_t load_word(const uint8_t *p, const dmp_arch_info *a)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < a->pointer_size; i++) {
        const unsigned k = a->big_endian ? i : a->pointer_size - 1 - i;
        v = v << 8 | p[k];
    }
    return v;
}

static void print_reason(const dmp_file *f, const dmp_crash *c)
{
    char buf[512];
    const dmp_exception *e = &c->exception;
    printf("crash:    %s (0x%08" PRIx32 ") at %s\n", c->name ? c->name : "unknown exception",
           e->code, where(f, e->address, buf, sizeof buf));
    /* EXCEPTION_ACCESS_VIOLATION: parameter 0 is how the memory was touched, 1 where. */
    if (e->code == 0xc0000005u && e->param_count >= 2)
        printf("access:   %s at 0x%" PRIx64 "\n",
               e->params[0] == 0   ? "read"
               : e->params[0] == 1 ? "write"
                                   : "execute",
               e->params[1]);
    if (c->context_source != DMP_CONTEXT_NONE)
        printf("at:       %s (registers from the %s's context)\n",
               where(f, c->context.ip, buf, sizeof buf),
               dmp_context_source_name(c->context_source));
}

/* The words at the stack pointer, read through dmp_read_memory: all or nothing. */
static void print_stack_words(const dmp_file *f, const dmp_crash *c, const dmp_arch_info *a)
{
    uint8_t bytes[STACK_WORDS * 8];
    const size_t len = STACK_WORDS * (size_t)a->pointer_size;
    const uint64_t sp = c->context.sp;
    if (dmp_read_memory(f, sp, bytes, len, NULL) != DMP_OK) {
        uint64_t missing = sp;
        dmp_find_uncovered(f, sp, len, &missing);
        printf("stack:    0x%" PRIx64 " is not captured (first missing byte 0x%" PRIx64 ")\n", sp,
               missing);
        return;
    }
    for (size_t i = 0; i < STACK_WORDS; i++) {
        char buf[512];
        const uint64_t w = load_word(bytes + i * a->pointer_size, a);
        size_t index;
        const int in_module = dmp_module_find(f, w, &index, NULL) == DMP_OK;
        printf("%s0x%0*" PRIx64 "  0x%0*" PRIx64 "%s%s\n", i == 0 ? "stack:    " : "          ",
               (int)a->pointer_size * 2, sp + i * a->pointer_size, (int)a->pointer_size * 2, w,
               in_module ? "  " : "", in_module ? where(f, w, buf, sizeof buf) : "");
    }
}

static void print_frame(const dmp_file *f, size_t i, const dmp_frame *fr)
{
    char buf[512];
    printf("%3zu  %s", i, where(f, fr->ip, buf, sizeof buf));
    if (fr->has_function)
        printf("  %.*s+0x%" PRIx64, (int)fr->function.len, fr->function.ptr,
               fr->lookup_ip - fr->function_address);
    if (fr->has_line)
        printf("  [%.*s:%" PRIu32 "]", (int)fr->file.len, fr->file.ptr, fr->line);
    printf("  (%s)\n", dmp_frame_trust_name(fr->trust));
}

/* The crashing thread's backtrace, from the exception's context when it has one. */
static int print_backtrace(const dmp_file *f, const dmp_crash *c, dmp_walk_options *opt)
{
    dmp_stack *st = NULL;
    const dmp_status rc = c->has_thread ? dmp_walk_thread(f, c->thread_index, opt, &st)
                                        : dmp_walk_context(f, &c->context, 0, 0, opt, &st);
    if (rc != DMP_OK) {
        fprintf(stderr, "triage: walk: %s\n", dmp_strerror(rc));
        return 2;
    }
    printf("backtrace of thread %" PRIu32 ":\n", c->exception.thread_id);
    dmp_frame fr;
    for (size_t i = 0; dmp_stack_frame_get(st, i, &fr) == DMP_OK; i++)
        print_frame(f, i, &fr);
    printf("     the walk ends: %s\n", dmp_walk_end_name(dmp_stack_end(st)));
    dmp_stack_free(st);
    return 0;
}

static int triage(const dmp_file *f, dmp_walk_options *opt)
{
    dmp_crash c;
    const dmp_status st = dmp_get_crash(f, &c);
    if (st != DMP_OK) {
        printf("no crash: %s\n",
               st == DMP_E_ABSENT ? "the dump has no exception record" : dmp_strerror(st));
        return 1;
    }
    print_reason(f, &c);
    if (c.context_source == DMP_CONTEXT_NONE) {
        printf("registers: none in the dump\n");
        return 0;
    }
    dmp_arch_info a;
    if (dmp_get_arch(f, &a) == DMP_OK)
        print_stack_words(f, &c, &a);
    return print_backtrace(f, &c, opt);
}

int main(int argc, char **argv)
{
    dmp_symstore *syms = NULL;
    dmp_images *images = NULL;
    const char *path = NULL, *image_dirs[16];
    size_t n_images = 0;
    int usage = 0;
    if (dmp_symstore_new(&syms) != DMP_OK)
        return 2;
    for (int i = 1; i < argc && !usage; i++) {
        if (strcmp(argv[i], "--symbols") == 0 && i + 1 < argc)
            dmp_symstore_add_dir(syms, argv[++i]);
        else if (strcmp(argv[i], "--images") == 0 && i + 1 < argc && n_images < 16)
            image_dirs[n_images++] = argv[++i];
        else if (argv[i][0] != '-' && !path)
            path = argv[i];
        else
            usage = 1;
    }
    if (usage || !path) {
        fprintf(stderr, "usage: triage [--symbols DIR]... [--images DIR]... FILE\n");
        dmp_symstore_free(syms);
        return 2;
    }
    dmp_file *f = NULL;
    dmp_error err;
    if (dmp_open_ex(path, NULL, &f, &err) != DMP_OK) {
        fprintf(stderr, "triage: %s\n", err.message);
        dmp_symstore_free(syms);
        return 2;
    }
    printf("dump:     %s (libdmpread %s)\n", path, dmp_version_string());
    dmp_walk_options opt = {.symbols = syms, .max_frames = MAX_FRAMES};
    if (dmp_images_new(f, &images) == DMP_OK) {
        for (size_t i = 0; i < n_images; i++)
            dmp_images_add_dir(images, image_dirs[i]);
        opt.images = images;
    }
    const int rc = triage(f, &opt);
    dmp_images_free(images); /* after the walks, before the dump */
    dmp_close(f);
    dmp_symstore_free(syms);
    return rc;
}
