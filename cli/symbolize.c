/* symbolize.c - `dmpread symbolize [--json] SYMFILE ADDR...`: what a Breakpad symbol file says
 * of module-relative addresses, straight from the library's lookups; for checking symbol files.
 * SPDX-License-Identifier: MIT */
#include "cli.h"

#include <inttypes.h>
#include <string.h>

struct answer {
    uint64_t addr;
    dmp_status fn_st;
    dmp_sym_lookup fn;
    dmp_status cfi_st;
    dmp_cfi_rules cfi;
    dmp_status win_st;
    dmp_win_record win;
};

static void json_str(struct json *j, const char *key, dmp_sym_str s)
{
    json_string_n(j, key, s.ptr, s.len);
}

/* CFI rules in Breakpad's order: .cfa, .ra, then the registers sorted by name. */
static int cmp_rule(const void *a, const void *b)
{
    const dmp_cfi_rule *x = a, *y = b;
    const int rx = x->reg.len == 4 && memcmp(x->reg.ptr, ".cfa", 4) == 0  ? 0
                   : x->reg.len == 3 && memcmp(x->reg.ptr, ".ra", 3) == 0 ? 1
                                                                          : 2;
    const int ry = y->reg.len == 4 && memcmp(y->reg.ptr, ".cfa", 4) == 0  ? 0
                   : y->reg.len == 3 && memcmp(y->reg.ptr, ".ra", 3) == 0 ? 1
                                                                          : 2;
    if (rx != ry)
        return rx - ry;
    const size_t n = x->reg.len < y->reg.len ? x->reg.len : y->reg.len;
    const int c = memcmp(x->reg.ptr, y->reg.ptr, n);
    return c ? c : (x->reg.len > y->reg.len) - (x->reg.len < y->reg.len);
}

static void json_answer(struct json *j, struct answer *a)
{
    const dmp_sym_lookup *const fn = &a->fn;
    const bool found = a->fn_st == DMP_OK;
    json_object_begin(j, NULL);
    json_hex(j, "address", a->addr);
    if (found)
        json_string(j, "kind", fn->kind == DMP_SYM_FUNC ? "func" : "public");
    else
        json_null(j, "kind");
    if (found)
        json_str(j, "function", fn->name);
    else
        json_null(j, "function");
    json_hex_or_null(j, "function_start", found, fn->start);
    json_hex_or_null(j, "function_size", found, fn->size);
    json_uint_or_null(j, "param_size", found, fn->param_size);
    if (found)
        json_bool(j, "multiple", fn->multiple != 0);
    else
        json_null(j, "multiple");
    const bool line = found && fn->has_line;
    if (line)
        json_str(j, "file", fn->file);
    else
        json_null(j, "file");
    json_uint_or_null(j, "line", line, fn->line);
    json_hex_or_null(j, "line_start", found && fn->line_size, fn->line_start);
    json_array_begin(j, "inlines");
    for (size_t i = 0; found && i < fn->inline_count; i++) {
        const dmp_sym_inline *const in = &fn->inlines[i];
        json_object_begin_compact(j, NULL);
        json_str(j, "function", in->name);
        json_hex(j, "start", in->start);
        json_uint(j, "depth", in->depth);
        if (in->has_line)
            json_str(j, "file", in->file);
        else
            json_null(j, "file");
        json_uint_or_null(j, "line", in->has_line, in->line);
        json_object_end(j);
    }
    json_array_end(j);
    json_uint(j, "bad_records", found ? fn->bad_records : 0);
    if (a->cfi_st == DMP_OK) {
        json_object_begin(j, "cfi");
        json_hex(j, "start", a->cfi.init_start);
        json_hex(j, "size", a->cfi.init_size);
        qsort(a->cfi.rules, a->cfi.count, sizeof a->cfi.rules[0], cmp_rule);
        json_array_begin(j, "rules");
        for (size_t i = 0; i < a->cfi.count; i++) {
            json_object_begin_compact(j, NULL);
            json_str(j, "register", a->cfi.rules[i].reg);
            json_str(j, "expr", a->cfi.rules[i].expr);
            json_object_end(j);
        }
        json_array_end(j);
        json_object_end(j);
    } else {
        json_null(j, "cfi");
    }
    if (a->win_st == DMP_OK) {
        const dmp_win_record *const w = &a->win;
        json_object_begin(j, "win");
        json_uint(j, "type", w->type);
        json_hex(j, "start", w->start);
        json_hex(j, "size", w->size);
        json_uint(j, "prologue_size", w->prologue_size);
        json_uint(j, "epilogue_size", w->epilogue_size);
        json_uint(j, "param_size", w->param_size);
        json_uint(j, "saved_regs_size", w->saved_regs_size);
        json_uint(j, "locals_size", w->locals_size);
        json_uint(j, "max_stack_size", w->max_stack_size);
        if (w->has_program)
            json_str(j, "program", w->program);
        else
            json_null(j, "program");
        json_bool(j, "allocates_base_pointer", w->allocates_base_pointer != 0);
        json_object_end(j);
    } else {
        json_null(j, "win");
    }
    json_object_end(j);
}

static void print_place(dmp_sym_str file, uint32_t line, int has_line)
{
    if (has_line)
        printf(" [%.*s : %" PRIu32 "]", (int)file.len, file.ptr, line);
}

static void print_answer(const dmp_symfile *s, struct answer *a)
{
    const dmp_sym_lookup *const fn = &a->fn;
    printf("0x%" PRIx64 "\n", a->addr);
    if (a->fn_st != DMP_OK) {
        printf("  no FUNC or PUBLIC covers it\n");
    } else {
        for (size_t i = 0; i < fn->inline_count; i++) {
            const dmp_sym_inline *const in = &fn->inlines[i];
            printf("  inline %.*s", (int)in->name.len, in->name.ptr);
            print_place(in->file, in->line, in->has_line);
            printf(" (depth %" PRIu32 ", range at 0x%" PRIx64 ")\n", in->depth, in->start);
        }
        printf("  %.*s + 0x%" PRIx64, (int)fn->name.len, fn->name.ptr, a->addr - fn->start);
        print_place(fn->file, fn->line, fn->has_line);
        printf(" (%s 0x%" PRIx64 " size 0x%" PRIx64 ", params 0x%" PRIx32 "%s, line %" PRIu64 ")\n",
               fn->kind == DMP_SYM_FUNC ? "FUNC" : "PUBLIC", fn->start, fn->size, fn->param_size,
               fn->multiple ? ", multiple" : "", dmp_sym_line_of(s, fn->sym_offset));
        if (fn->bad_records)
            printf("  records of this FUNC that do not parse: %" PRIu64
                   ", the first at line %" PRIu64 "\n",
                   fn->bad_records, dmp_sym_line_of(s, fn->bad_offset));
    }
    if (a->cfi_st == DMP_OK) {
        printf("  STACK CFI (INIT 0x%" PRIx64 " size 0x%" PRIx64 "):", a->cfi.init_start,
               a->cfi.init_size);
        qsort(a->cfi.rules, a->cfi.count, sizeof a->cfi.rules[0], cmp_rule);
        for (size_t i = 0; i < a->cfi.count; i++)
            printf(" %.*s: %.*s", (int)a->cfi.rules[i].reg.len, a->cfi.rules[i].reg.ptr,
                   (int)a->cfi.rules[i].expr.len, a->cfi.rules[i].expr.ptr);
        printf("\n");
    } else if (a->cfi_st == DMP_E_MALFORMED) {
        printf("  STACK CFI: the rules covering it do not parse\n");
    }
    if (a->win_st == DMP_OK) {
        const dmp_win_record *const w = &a->win;
        printf("  STACK WIN %" PRIu32 " 0x%" PRIx64 " size 0x%" PRIx64 " prologue 0x%" PRIx32
               " epilogue 0x%" PRIx32 " params 0x%" PRIx32 " saved 0x%" PRIx32 " locals 0x%" PRIx32
               " max stack 0x%" PRIx32 ": ",
               w->type, w->start, w->size, w->prologue_size, w->epilogue_size, w->param_size,
               w->saved_regs_size, w->locals_size, w->max_stack_size);
        if (w->has_program)
            printf("%.*s\n", (int)w->program.len, w->program.ptr);
        else
            printf("%s\n", w->allocates_base_pointer ? "allocates base pointer" : "no program");
    }
}

static void lookup_all(const dmp_symfile *s, struct answer *a)
{
    a->fn_st = dmp_sym_lookup_addr(s, a->addr, &a->fn);
    a->cfi_st = dmp_sym_find_cfi(s, a->addr, &a->cfi);
    a->win_st = dmp_sym_find_win(s, a->addr, &a->win);
}

static void json_module(struct json *j, const dmp_sym_info *in)
{
    json_object_begin(j, "module");
    json_str(j, "os", in->os);
    json_str(j, "arch", in->arch);
    json_str(j, "id", in->id);
    json_str(j, "name", in->name);
    json_str(j, "code_id", in->code_id);
    json_str(j, "code_file", in->code_file);
    json_uint(j, "lines", in->line_count);
    json_uint(j, "funcs", in->func_count);
    json_uint(j, "publics", in->public_count);
    json_uint(j, "cfi_inits", in->cfi_count);
    json_uint(j, "stack_wins", in->win_count);
    json_uint(j, "files", in->file_count);
    json_uint(j, "inline_origins", in->origin_count);
    json_uint(j, "bad_lines", in->bad_lines);
    json_object_end(j);
}

int cmd_symbolize(int argc, char **argv)
{
    bool json = false;
    const char *path = NULL;
    int first_addr = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (strcmp(argv[i], "symbolize") == 0 && !path && first_addr == 0)
            continue;
        else if (argv[i][0] == '-' && argv[i][1] != '\0')
            return fail("symbolize: unknown option '%s' (usage: dmpread symbolize [--json] "
                        "SYMFILE ADDR...)",
                        argv[i]);
        else if (!path)
            path = argv[i];
        else if (first_addr == 0)
            first_addr = i;
    }
    if (!path || first_addr == 0)
        return fail("usage: dmpread symbolize [--json] SYMFILE ADDR... (module-relative "
                    "addresses)");
    uint64_t addr;
    for (int i = first_addr; i < argc; i++)
        if (strcmp(argv[i], "--json") != 0 && !parse_u64(argv[i], &addr))
            return fail("symbolize: '%s' is not an address (decimal, or hex with 0x)", argv[i]);
    dmp_symfile *s;
    dmp_error err;
    if (dmp_sym_open(path, &s, &err) != DMP_OK)
        return fail("%s", err.message);
    dmp_sym_info info;
    dmp_sym_get_info(s, &info);
    struct answer *const a = malloc(sizeof *a);
    if (!a) {
        dmp_sym_close(s);
        return fail("out of memory");
    }
    struct json j;
    if (json) {
        json_init(&j, stdout);
        json_object_begin(&j, NULL);
        json_uint(&j, "dmpread_json", DMPREAD_JSON_VERSION);
        json_string(&j, "command", "symbolize");
        json_string(&j, "symfile", path);
        json_module(&j, &info);
        json_array_begin(&j, "results");
    }
    for (int i = first_addr; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            continue;
        parse_u64(argv[i], &a->addr);
        lookup_all(s, a);
        if (json)
            json_answer(&j, a);
        else
            print_answer(s, a);
    }
    dmp_sym_diag d;
    if (json) {
        json_array_end(&j);
        json_array_begin(&j, "diagnostics");
        for (size_t i = 0; dmp_sym_diag_get(s, i, &d) == DMP_OK; i++) {
            json_object_begin_compact(&j, NULL);
            json_string(&j, "kind", dmp_sym_diag_kind_name(d.kind));
            json_uint(&j, "line", d.line);
            json_uint(&j, "offset", d.offset);
            json_object_end(&j);
        }
        json_array_end(&j);
        json_object_end(&j);
        json_finish(&j);
    } else {
        for (size_t i = 0; dmp_sym_diag_get(s, i, &d) == DMP_OK; i++)
            fprintf(stderr, "dmpread: %s:%" PRIu64 ": %s\n", path, d.line,
                    dmp_sym_diag_kind_name(d.kind));
        if (info.bad_lines > dmp_sym_diag_count(s))
            fprintf(stderr, "dmpread: %s: %" PRIu64 " bad lines in all\n", path, info.bad_lines);
    }
    free(a);
    dmp_sym_close(s);
    return EXIT_SUCCESS;
}
