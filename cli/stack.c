/* stack.c - `dmpread stack`: each thread's backtrace, walked by the library, named with
 * Breakpad symbol files when --symbols folders are given; Breakpad-like text or JSON.
 * SPDX-License-Identifier: MIT */
#include "budget.h"
#include "cli.h"
#include "text.h"

#include <inttypes.h>
#include <string.h>

#define MAX_IMAGE_DIRS 64

struct stack_args {
    const char *path;
    dmp_symstore *store;
    const char *image_dirs[MAX_IMAGE_DIRS];
    size_t image_dir_count;
    bool json, all, registers, have_thread, quiet;
    uint32_t thread_id;
    dmp_walk_options opt;
    /* Frames the document may still print. Threads can share one context and stack, so
     * without it `--all` would print up to max_frames frames for every 48-byte thread entry:
     * the walks of a document together take at most FRAME_BUDGET_BASE frames and one more
     * per FRAME_BUDGET_BYTES of the dump. An honest walk's frames each take 16 bytes of
     * captured stack or more, most far more, so honest dumps stay well below. */
    uint64_t frames_left;
    size_t not_walked; /* threads left unwalked once it was spent */
};

#define FRAME_BUDGET_BASE 4096
#define FRAME_BUDGET_BYTES 64
static const char skipped_dumper[] = "the thread that wrote the dump (BreakpadInfo)";
static const char skipped_budget[] = "the document's frame budget is spent";

static const char *found_by(dmp_frame_trust t)
{
    switch (t) {
    case DMP_TRUST_CONTEXT:
        return "given as instruction pointer in context";
    case DMP_TRUST_CFI:
        return "call frame info";
    case DMP_TRUST_CFI_SCAN:
        return "call frame info with scanning";
    case DMP_TRUST_FP:
        return "previous frame's frame pointer";
    case DMP_TRUST_SCAN:
        return "stack scanning";
    case DMP_TRUST_LEAF:
        return "simulating a return from leaf function";
    case DMP_TRUST_UNWIND:
        return "unwind data in the module's image";
    default:
        return "unknown";
    }
}

static const char *module_name(const dmp_file *f, size_t i)
{
    dmp_module m;
    return dmp_module_get(f, i, &m) == DMP_OK ? path_base_name(m.name) : "?";
}

/* A name from a symbol file as it is, charged to the output budget: frames that share one
 * are as many as the dump's threads and stacks make. */
static void print_charged(const char *s, size_t n)
{
    const size_t keep = budget_charge(n);
    if (keep == n) {
        printf("%.*s", (int)n, s);
        return;
    }
    char marker[BUDGET_MARKER];
    const size_t kept = utf8_prefix(s, n, keep);
    budget_marker(n, kept, marker, sizeof marker);
    printf("%.*s%s", (int)kept, s, marker);
}

/* "module!function [file : line + 0xoff]", as Breakpad prints a frame. */
static void print_where(const dmp_file *f, const dmp_frame *fr, dmp_sym_str function,
                        uint64_t function_address)
{
    if (!fr->has_module) {
        printf("0x%" PRIx64, fr->ip);
        return;
    }
    char name[1024];
    printf("%s", text_printable(module_name(f, fr->module_index), name, sizeof name));
    if (!fr->has_function) {
        printf(" + 0x%" PRIx64, fr->module_offset);
        return;
    }
    printf("!");
    print_charged(function.ptr, function.len);
    if (fr->has_line && fr->file.len > 0) {
        const char *base = fr->file.ptr;
        for (size_t i = 0; i < fr->file.len; i++)
            if (fr->file.ptr[i] == '/' || fr->file.ptr[i] == '\\')
                base = fr->file.ptr + i + 1;
        printf(" [");
        print_charged(base, (size_t)(fr->file.ptr + fr->file.len - base));
        printf(" : %" PRIu32 " + 0x%" PRIx64 "]", fr->line, fr->ip - fr->line_address);
    } else {
        printf(" + 0x%" PRIx64, fr->ip - function_address);
    }
    if (fr->function_source == DMP_NAME_EXPORTS && function.ptr == fr->function.ptr)
        printf(" (nearest export)");
    else if (fr->function_source == DMP_NAME_SYMTAB && function.ptr == fr->function.ptr)
        printf(" (ELF .symtab)");
}

static const char *name_source(dmp_name_source s)
{
    switch (s) {
    case DMP_NAME_SYMBOLS:
        return "symbols";
    case DMP_NAME_EXPORTS:
        return "exports";
    case DMP_NAME_SYMTAB:
        return "symtab";
    }
    return "unknown";
}

static void print_regs(const dmp_frame *fr, bool all)
{
    int col = 0;
    const unsigned width = fr->regs.cpu == DMP_CPU_X86 || fr->regs.cpu == DMP_CPU_ARM ? 8 : 16;
    for (unsigned r = 0; r < DMP_REGS_MAX; r++) {
        const char *name = dmp_reg_name(fr->regs.cpu, r);
        if (!name)
            break;
        if (fr->regs.cpu == DMP_CPU_X86 && r == 9)
            name = "efl"; /* as Breakpad prints it */
        if (!(fr->regs.valid >> r & 1) ||
            (!all && r != dmp_reg_ip(fr->regs.cpu) && r != dmp_reg_sp(fr->regs.cpu)))
            continue;
        printf("%s%3s = 0x%0*" PRIx64, col == 0 ? "    " : "   ", name, (int)width,
               fr->regs.value[r]);
        if (++col == (width == 8 ? 4 : 3)) {
            printf("\n");
            col = 0;
        }
    }
    if (col)
        printf("\n");
}

static void print_stack(const dmp_file *f, const dmp_stack *st)
{
    dmp_frame fr;
    size_t n = 0;
    for (size_t i = 0; dmp_stack_frame_get(st, i, &fr) == DMP_OK; i++) {
        dmp_frame shown = fr;
        for (size_t k = 0; k < fr.inline_count; k++) {
            dmp_sym_inline in;
            dmp_stack_inline_get(st, i, k, &in);
            shown.has_line = in.has_line;
            shown.file = in.file;
            shown.line = in.line;
            printf("%2zu  ", n++);
            print_where(f, &shown, in.name, in.start);
            printf("\n    Found by: inline record\n");
        }
        printf("%2zu  ", n++);
        print_where(f, &fr, fr.function, fr.function_address);
        printf("\n");
        print_regs(&fr, true);
        printf("    Found by: %s\n", found_by(fr.trust));
    }
    if (dmp_stack_end(st) == DMP_WALK_BAD_RETURN)
        printf("    Stack ends: %s (0x%" PRIx64 ")\n", dmp_walk_end_name(dmp_stack_end(st)),
               dmp_stack_bad_return(st));
    else
        printf("    Stack ends: %s\n", dmp_walk_end_name(dmp_stack_end(st)));
}

static void json_str(struct json *j, const char *key, bool present, dmp_sym_str s)
{
    if (present)
        json_string_n(j, key, s.ptr, s.len);
    else
        json_null(j, key);
}

static void json_frame(struct json *j, const dmp_file *f, const dmp_stack *st, size_t i,
                       const dmp_frame *fr, bool registers)
{
    json_object_begin(j, NULL);
    json_uint(j, "frame", i);
    json_string(j, "trust", dmp_frame_trust_name(fr->trust));
    json_hex(j, "instruction", fr->ip);
    json_hex(j, "stack_pointer", fr->sp);
    if (fr->has_module)
        json_string(j, "module", module_name(f, fr->module_index));
    else
        json_null(j, "module");
    json_hex_or_null(j, "module_offset", fr->has_module, fr->module_offset);
    json_str(j, "function", fr->has_function, fr->function);
    json_hex_or_null(j, "function_offset", fr->has_function, fr->ip - fr->function_address);
    if (fr->has_function)
        json_string(j, "function_source", name_source(fr->function_source));
    else
        json_null(j, "function_source");
    json_str(j, "file", fr->has_line && fr->file.len, fr->file);
    json_uint_or_null(j, "line", fr->has_line, fr->line);
    json_bool(j, "missing_symbols", fr->has_module && fr->symbols != DMP_SYM_FOUND);
    json_array_begin(j, "inlines");
    for (size_t k = 0; k < fr->inline_count; k++) {
        dmp_sym_inline in;
        dmp_stack_inline_get(st, i, k, &in);
        json_object_begin_compact(j, NULL);
        json_string_n(j, "function", in.name.ptr, in.name.len);
        json_str(j, "file", in.has_line && in.file.len, in.file);
        json_uint_or_null(j, "line", in.has_line, in.line);
        json_object_end(j);
    }
    json_array_end(j);
    if (registers || i == 0) {
        json_object_begin_compact(j, "registers");
        for (unsigned r = 0; r < DMP_REGS_MAX && dmp_reg_name(fr->regs.cpu, r); r++)
            if (fr->regs.valid >> r & 1)
                json_hex(j, dmp_reg_name(fr->regs.cpu, r), fr->regs.value[r]);
        json_object_end(j);
    } else {
        json_null(j, "registers");
    }
    json_object_end(j);
}

static bool crashed_thread(const dmp_file *f, uint32_t *tid)
{
    dmp_exception e;
    if (dmp_exception_get(f, 0, &e) != DMP_OK)
        return false;
    *tid = e.thread_id;
    return true;
}

/* One thread: walks it, within what is left of the frame budget, and prints it. `skipped`:
 * why it is not walked, or NULL. False on a walk failure (out of memory). */
static bool do_thread(const dmp_file *f, struct stack_args *sa, struct json *j, size_t index,
                      bool crashed, const char *skipped)
{
    dmp_thread t;
    dmp_thread_get(f, index, &t);
    dmp_stack *st = NULL;
    if (!skipped && sa->frames_left == 0) {
        skipped = skipped_budget;
        sa->not_walked++;
    }
    if (!skipped) {
        dmp_walk_options opt = sa->opt;
        const size_t max = opt.max_frames ? opt.max_frames : 1024;
        opt.max_frames = sa->frames_left < max ? (size_t)sa->frames_left : max;
        if (dmp_walk_thread(f, index, &opt, &st) != DMP_OK)
            return false;
        sa->frames_left -= dmp_stack_frame_count(st);
    }
    if (sa->json) {
        json_object_begin(j, NULL);
        json_uint(j, "thread_id", t.id);
        json_bool(j, "crashed", crashed);
        if (skipped)
            json_string(j, "skipped", skipped);
        else
            json_null(j, "skipped");
        json_string(j, "context", st && dmp_stack_from_exception(st) ? "exception" : "thread");
        if (st)
            json_string(j, "end", dmp_walk_end_name(dmp_stack_end(st)));
        else
            json_null(j, "end");
        json_hex_or_null(j, "bad_return", st && dmp_stack_end(st) == DMP_WALK_BAD_RETURN,
                         dmp_stack_bad_return(st));
        json_array_begin(j, "frames");
        dmp_frame fr;
        for (size_t i = 0; st && dmp_stack_frame_get(st, i, &fr) == DMP_OK; i++)
            json_frame(j, f, st, i, &fr, sa->registers);
        json_array_end(j);
        json_object_end(j);
    } else {
        printf("Thread %zu (id %" PRIu32 ")%s%s%s\n", index, t.id, crashed ? " (crashed)" : "",
               skipped ? ": skipped, " : "",
               skipped == skipped_dumper ? "the thread that wrote the dump"
               : skipped                 ? skipped
                                         : "");
        if (st)
            print_stack(f, st);
        printf("\n");
    }
    dmp_stack_free(st);
    return true;
}

static int parse_stack_args(int argc, char **argv, struct stack_args *sa)
{
    for (int i = 1; i < argc; i++) {
        const char *const a = argv[i];
        uint64_t v;
        if (strcmp(a, "stack") == 0 && !sa->path) {
            continue;
        } else if (strcmp(a, "--json") == 0) {
            sa->json = true;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            sa->quiet = true;
        } else if (strcmp(a, "--all") == 0) {
            sa->all = true;
        } else if (strcmp(a, "--registers") == 0) {
            sa->registers = true;
        } else if (strcmp(a, "--breakpad") == 0) {
            sa->opt.breakpad_compatible = 1;
            sa->opt.stack_only = 1;
        } else if (strcmp(a, "--stack-only") == 0) {
            sa->opt.stack_only = 1;
        } else if (strcmp(a, "--no-images") == 0) {
            sa->opt.no_images = 1;
        } else if ((strcmp(a, "--symbols") == 0 || strcmp(a, "--thread") == 0 ||
                    strcmp(a, "--max-frames") == 0 || strcmp(a, "--images") == 0) &&
                   i + 1 >= argc) {
            return fail("%s needs a value (try --help)", a);
        } else if (strcmp(a, "--symbols") == 0) {
            if (dmp_symstore_add_dir(sa->store, argv[++i]) != DMP_OK)
                return fail("--symbols: cannot add '%s'", argv[i]);
        } else if (strcmp(a, "--images") == 0) {
            if (sa->image_dir_count == MAX_IMAGE_DIRS)
                return fail("--images: at most %d folders", MAX_IMAGE_DIRS);
            sa->image_dirs[sa->image_dir_count++] = argv[++i];
        } else if (strcmp(a, "--thread") == 0) {
            if (!parse_u64(argv[++i], &v) || v > UINT32_MAX)
                return fail("--thread: '%s' is not a thread id", argv[i]);
            sa->have_thread = true;
            sa->thread_id = (uint32_t)v;
        } else if (strcmp(a, "--max-frames") == 0) {
            if (!parse_u64(argv[++i], &v) || v == 0 || v > 1000000)
                return fail("--max-frames: '%s' is not a count from 1 to 1000000", argv[i]);
            sa->opt.max_frames = (size_t)v;
        } else if (a[0] == '-' && a[1] != '\0') {
            return fail("stack: unknown option '%s' (try --help)", a);
        } else if (sa->path) {
            return fail("stack: one FILE only (try --help)");
        } else {
            sa->path = a;
        }
    }
    if (!sa->path)
        return fail("usage: dmpread stack [--symbols DIR]... [--images DIR]... [--thread ID | "
                    "--all] [--registers] [--breakpad | --no-images] [--json] [-q] FILE");
    if ((sa->opt.no_images || sa->opt.breakpad_compatible) && sa->image_dir_count)
        return fail("--images: module images are not used with %s",
                    sa->opt.no_images ? "--no-images" : "--breakpad");
    if (sa->all && sa->have_thread)
        return fail("--thread and --all exclude each other");
    return -1;
}

static int walk_threads(const dmp_file *f, struct stack_args *sa, struct json *j)
{
    uint32_t crash_tid = 0;
    const bool has_crash = crashed_thread(f, &crash_tid);
    dmp_breakpad_info bi;
    const bool has_dumper = dmp_get_breakpad_info(f, &bi) == DMP_OK && (bi.validity & 1);
    size_t shown = 0;
    const uint64_t budget = FRAME_BUDGET_BASE + dmp_file_size(f) / FRAME_BUDGET_BYTES;
    sa->frames_left = budget;
    for (size_t i = 0; i < dmp_thread_count(f); i++) {
        dmp_thread t;
        dmp_thread_get(f, i, &t);
        const bool crashed = has_crash && t.id == crash_tid;
        if (sa->have_thread ? t.id != sa->thread_id : !sa->all && (has_crash ? !crashed : i != 0))
            continue;
        const bool dumper = has_dumper && t.id == bi.dump_thread_id && !crashed;
        if (!do_thread(f, sa, j, i, crashed, dumper ? skipped_dumper : NULL))
            return fail("out of memory walking thread %" PRIu32, t.id);
        shown++;
    }
    if (sa->not_walked)
        fprintf(stderr,
                "dmpread: %s: %zu threads not walked: the walks before them took the "
                "document's budget of %" PRIu64 " frames\n",
                sa->path, sa->not_walked, budget);
    if (shown == 0 && sa->have_thread)
        return fail("%s: no thread with id %" PRIu32, sa->path, sa->thread_id);
    return -1;
}

/* Which modules' images the walks asked for, and where each came from. The text lists them
 * when some image was used or --images was given: a normal dump walked without --images has
 * none to report. */
static void report_images(const dmp_file *f, dmp_images *im, bool json, bool dirs_given,
                          struct json *j)
{
    bool any = dirs_given;
    dmp_image_info info;
    for (size_t i = 0; !any && i < dmp_module_count(f); i++)
        any = dmp_images_module(im, i, 0, &info) == DMP_OK &&
              (info.source == DMP_IMAGE_DUMP || info.source == DMP_IMAGE_FILE);
    if (json)
        json_array_begin(j, "images");
    else if (!any)
        return;
    bool header = false;
    for (size_t i = 0; i < dmp_module_count(f); i++) {
        if (dmp_images_module(im, i, 0, &info) != DMP_OK || info.source == DMP_IMAGE_UNSEARCHED)
            continue;
        const bool found = info.source == DMP_IMAGE_DUMP || info.source == DMP_IMAGE_FILE;
        if (json) {
            json_object_begin_compact(j, NULL);
            json_string(j, "module", module_name(f, i));
            json_uint(j, "module_index", i);
            json_string(j, "source", dmp_image_source_name(info.source));
            if (info.source == DMP_IMAGE_FILE)
                json_string(j, "path", info.path);
            else
                json_null(j, "path");
            if (found)
                json_string(j, "format", info.format);
            else
                json_null(j, "format");
            json_bool(j, "unwind", info.has_unwind);
            json_bool(j, "names", info.has_names);
            if (*info.why)
                json_string(j, "why", info.why);
            else
                json_null(j, "why");
            json_object_end(j);
            continue;
        }
        if (!header)
            printf("Module images (unwind data and names without symbol files):\n");
        header = true;
        printf("  %s: ", module_name(f, i));
        if (info.source == DMP_IMAGE_DUMP)
            printf("the dump's memory");
        else if (info.source == DMP_IMAGE_FILE)
            printf("%s", info.path);
        else
            printf("none");
        if (found)
            printf(" (%s%s%s)", info.format, info.has_unwind ? ", unwind data" : "",
                   info.has_names ? ", names" : "");
        if (*info.why)
            printf("%s%s", found ? "; tried before: " : ": ", info.why);
        printf("\n");
    }
    if (json)
        json_array_end(j);
}

int cmd_stack(int argc, char **argv)
{
    struct stack_args sa = {0};
    if (dmp_symstore_new(&sa.store) != DMP_OK)
        return fail("out of memory");
    int rc = parse_stack_args(argc, argv, &sa);
    dmp_file *f = NULL;
    dmp_error err;
    if (rc < 0 && dmp_open_ex(dump_path(sa.path), NULL, &f, &err) != DMP_OK) {
        /* I/O messages already start with the path */
        const size_t n = strlen(sa.path);
        const bool named = strncmp(err.message, sa.path, n) == 0 && err.message[n] == ':';
        const char *const msg = named ? err.message + n + 2 : err.message;
        if (sa.json) {
            const struct args a = {.command_name = "stack"};
            doc_error(&a, sa.path, err.status, msg);
        }
        rc = fail("%s: %s", sa.path, msg);
    }
    if (rc >= 0) {
        dmp_symstore_free(sa.store);
        return rc;
    }
    sa.opt.symbols = sa.store;
    dmp_images *images = NULL;
    if (!sa.opt.no_images && !sa.opt.breakpad_compatible) {
        if (dmp_images_new(f, &images) != DMP_OK) {
            dmp_close(f);
            dmp_symstore_free(sa.store);
            return fail("out of memory");
        }
        for (size_t i = 0; i < sa.image_dir_count; i++)
            if (dmp_images_add_dir(images, sa.image_dirs[i]) != DMP_OK) {
                dmp_images_free(images);
                dmp_close(f);
                dmp_symstore_free(sa.store);
                return fail("--images: cannot add '%s'", sa.image_dirs[i]);
            }
        sa.opt.images = images;
    }
    struct args a = {.command_name = "stack", .json = sa.json, .quiet = sa.quiet};
    size_t hidden = 0;
    struct run r = {.f = f, .path = sa.path, .a = &a, .hidden = &hidden};
    doc_begin(&r);
    if (sa.json)
        json_array_begin(&r.j, "threads");
    rc = walk_threads(f, &sa, &r.j);
    if (sa.json)
        json_array_end(&r.j);
    if (images)
        report_images(f, images, sa.json, sa.image_dir_count > 0, &r.j);
    rc = doc_end(&r, rc >= 0 ? rc : EXIT_SUCCESS, true);
    if (hidden > 0)
        fprintf(stderr, "dmpread: %zu diagnostic%s not shown (-q)\n", hidden,
                hidden == 1 ? "" : "s");
    dmp_images_free(images);
    dmp_close(f);
    dmp_symstore_free(sa.store);
    return rc;
}
