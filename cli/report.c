/* report.c - the list commands: threads, modules, memory-info, streams; and the registers
 * and module references that info shares.
 * SPDX-License-Identifier: MIT */
#include "cli.h"
#include "table.h"
#include "text.h"

#include <inttypes.h>
#include <string.h>

#define CELL 96
#define NAME_CELL 1024

/* ---- Shared pieces -------------------------------------------------------------------- */

void json_context(struct json *j, const char *key, const dmp_context *ctx)
{
    json_object_begin(j, key);
    json_string(j, "cpu", dmp_cpu_name(ctx->cpu));
    json_hex(j, "flags", ctx->flags);
    json_hex(j, "ip", ctx->ip);
    json_hex(j, "sp", ctx->sp);
    json_hex(j, "fp", ctx->fp);
    json_object_begin(j, "registers");
    for (size_t i = 0; i < ctx->reg_count && i < DMP_MAX_REGS; i++)
        json_hex(j, ctx->regs[i].name, ctx->regs[i].value);
    json_object_end(j);
    json_object_end(j);
}

void print_registers(FILE *out, const dmp_context *ctx, const char *indent)
{
    const size_t n = ctx->reg_count < DMP_MAX_REGS ? ctx->reg_count : DMP_MAX_REGS;
    size_t name_width = 0;
    uint64_t max = 0;
    for (size_t i = 0; i < n; i++) {
        const size_t w = strlen(ctx->regs[i].name);
        name_width = w > name_width ? w : name_width;
        max = ctx->regs[i].value > max ? ctx->regs[i].value : max;
    }
    /* 64-bit values three to a line, 32-bit ones four: lines stay within 80 columns. Names
     * are right-aligned, so one space parts the entries. */
    const int digits = addr_digits(max);
    const size_t per_line = digits > 8 ? 3 : 4;
    for (size_t i = 0; i < n; i++) {
        const bool first = i % per_line == 0;
        const bool last = i + 1 == n || (i + 1) % per_line == 0;
        fprintf(out, "%s%*s 0x%0*" PRIx64 "%s", first ? indent : " ", (int)name_width,
                ctx->regs[i].name, digits, ctx->regs[i].value, last ? "\n" : "");
    }
}

const char *path_base_name(const char *path)
{
    const char *name = path;
    for (const char *p = path; *p; p++)
        if (*p == '\\' || *p == '/')
            name = p + 1;
    return *name ? name : path;
}

/* The loaded module holding addr, else the unloaded one; false when neither does. */
static bool find_module(const dmp_file *f, uint64_t addr, size_t *index, const char **name,
                        uint64_t *base, bool *unloaded)
{
    uint64_t offset;
    dmp_module m;
    if (dmp_module_find(f, addr, index, &offset) == DMP_OK &&
        dmp_module_get(f, *index, &m) == DMP_OK) {
        *name = m.name, *base = m.base, *unloaded = false;
        return true;
    }
    dmp_unloaded_module u;
    if (dmp_unloaded_module_find(f, addr, index) == DMP_OK &&
        dmp_unloaded_module_get(f, *index, &u) == DMP_OK) {
        *name = u.name, *base = u.base, *unloaded = true;
        return true;
    }
    return false;
}

bool module_offset(const dmp_file *f, uint64_t addr, char *buf, size_t cap)
{
    size_t index;
    const char *name;
    uint64_t base;
    bool unloaded;
    if (!find_module(f, addr, &index, &name, &base, &unloaded))
        return false;
    char printable[NAME_CELL];
    text_printable(path_base_name(name), printable, sizeof printable);
    snprintf(buf, cap, "%s+0x%" PRIx64 "%s", printable, addr - base, unloaded ? " (unloaded)" : "");
    return true;
}

void json_module_ref(struct json *j, const char *key, const dmp_file *f, uint64_t addr)
{
    size_t index;
    const char *name;
    uint64_t base;
    bool unloaded;
    if (!find_module(f, addr, &index, &name, &base, &unloaded)) {
        json_null(j, key);
        return;
    }
    json_object_begin_compact(j, key);
    json_uint(j, "index", index);
    json_bool(j, "unloaded", unloaded);
    json_string(j, "name", name);
    json_hex(j, "base", base);
    json_hex(j, "offset", addr - base);
    json_object_end(j);
}

/* Text mode: says on stdout that a list's stream is missing. */
static void print_absent(const char *what, const char *stream)
{
    printf("no %s: the dump has no %s\n", what, stream);
}

/* ---- threads -------------------------------------------------------------------------- */

/* The thread id the first exception names, for marking it. */
static bool crashed_thread_id(const dmp_file *f, uint32_t *id)
{
    dmp_exception e;
    if (dmp_exception_count(f) == 0 || dmp_exception_get(f, 0, &e) != DMP_OK)
        return false;
    *id = e.thread_id;
    return true;
}

static bool thread_context(const dmp_file *f, const dmp_thread *t, dmp_context *ctx)
{
    return t->context && dmp_context_decode(f, t->context, t->context_size, ctx) == DMP_OK;
}

/* The registers at the crash when the exception has its own context record: a thread that
 * handled the fault (or Breakpad's dumping thread) has moved on since, so its own context is
 * inside the handler, and the exception's is where it crashed. */
static bool crash_context(const dmp_file *f, dmp_context *ctx)
{
    dmp_context_source source;
    return dmp_exception_context(f, 0, ctx, &source) == DMP_OK && source == DMP_CONTEXT_EXCEPTION;
}

static void json_thread_info(struct json *j, const dmp_thread *t)
{
    char buf[64];
    if (!t->has_info) {
        json_null(j, "info");
        return;
    }
    json_object_begin(j, "info");
    json_hex(j, "dump_flags", t->dump_flags);
    json_hex(j, "dump_error", t->dump_error);
    json_hex(j, "exit_status", t->exit_status);
    format_filetime(t->create_time, buf, sizeof buf);
    json_string(j, "create_time", t->create_time ? buf : NULL);
    format_filetime(t->exit_time, buf, sizeof buf);
    json_string(j, "exit_time", t->exit_time ? buf : NULL);
    json_uint(j, "kernel_time", t->kernel_time);
    json_uint(j, "user_time", t->user_time);
    json_hex(j, "start_address", t->start_address);
    json_hex(j, "affinity", t->affinity);
    json_object_end(j);
}

static void json_thread(struct json *j, const dmp_file *f, const dmp_thread *t, bool crashed,
                        const dmp_context *exc)
{
    json_object_begin(j, NULL);
    json_uint(j, "id", t->id);
    json_string(j, "name", t->name);
    json_bool(j, "crashed", crashed);
    json_uint(j, "suspend_count", t->suspend_count);
    json_hex(j, "priority_class", t->priority_class);
    json_int(j, "priority", (int32_t)t->priority);
    json_hex(j, "teb", t->teb);
    json_object_begin_compact(j, "stack");
    json_hex(j, "start", t->stack_start);
    json_hex_end(j, "end", t->stack_start, t->stack_size);
    json_uint(j, "size", t->stack_size);
    json_uint(j, "rva", t->stack_rva);
    uint64_t missing;
    json_bool(j, "captured",
              dmp_find_uncovered(f, t->stack_start, t->stack_size, &missing) == DMP_OK);
    json_object_end(j);
    json_uint(j, "context_rva", t->context_rva);
    json_uint(j, "context_size", t->context_size);
    dmp_context ctx;
    const bool has_ctx = thread_context(f, t, &ctx);
    if (has_ctx) {
        json_context(j, "context", &ctx);
        json_module_ref(j, "ip_module", f, ctx.ip);
    } else {
        json_null(j, "context");
        json_null(j, "ip_module");
    }
    if (crashed && exc) {
        json_context(j, "exception_context", exc);
        json_module_ref(j, "exception_ip_module", f, exc->ip);
    } else {
        json_null(j, "exception_context");
        json_null(j, "exception_ip_module");
    }
    json_thread_info(j, t);
    json_object_end(j);
}

/* The widest address the table shows decides its digits. */
static int thread_digits(const dmp_file *f, size_t n, const dmp_context *exc)
{
    uint64_t max = exc ? exc->ip | exc->sp : 0;
    for (size_t i = 0; i < n; i++) {
        dmp_thread t;
        dmp_context ctx;
        if (dmp_thread_get(f, i, &t) != DMP_OK)
            continue;
        const uint64_t end = t.stack_start + t.stack_size;
        max |= t.teb | t.stack_start | (end < t.stack_start ? UINT64_MAX : end);
        if (thread_context(f, &t, &ctx))
            max |= ctx.ip | ctx.sp;
    }
    return addr_digits(max);
}

/* A thread's row; the crashed one's IP, IP MODULE and SP are the exception's (exc) when the
 * exception has its own context, and its mark says so. */
static void thread_row(struct table *tb, const dmp_file *f, const dmp_thread *t, bool crashed,
                       const dmp_context *exc, int digits)
{
    char id[16], suspend[16], cls[16], prio[16], teb[24], stack[48], ip[24], sp[24];
    char where[320] = "-";
    char name[NAME_CELL];
    snprintf(id, sizeof id, "%" PRIu32, t->id);
    snprintf(suspend, sizeof suspend, "%" PRIu32, t->suspend_count);
    snprintf(cls, sizeof cls, "0x%" PRIx32, t->priority_class);
    snprintf(prio, sizeof prio, "%" PRId32, (int32_t)t->priority);
    format_addr(t->teb, digits, teb, sizeof teb);
    format_addr(t->stack_start, digits, stack, sizeof stack);
    strcat(stack, "-");
    format_end(t->stack_start, t->stack_size, digits, stack + strlen(stack),
               sizeof stack - strlen(stack));
    dmp_context ctx;
    const bool from_exception = crashed && exc;
    if (from_exception)
        ctx = *exc;
    if (from_exception || thread_context(f, t, &ctx)) {
        format_addr(ctx.ip, digits, ip, sizeof ip);
        format_addr(ctx.sp, digits, sp, sizeof sp);
        module_offset(f, ctx.ip, where, sizeof where);
    } else {
        strcpy(ip, "-");
        strcpy(sp, "-");
    }
    text_printable(t->name ? t->name : "", name, sizeof name);
    const char *const mark = from_exception ? "*E" : crashed ? "*" : "";
    const char *const cells[] = {mark, id, suspend, cls, prio, teb, stack, ip, where, sp, name};
    table_add(tb, cells);
}

/* What the threads table's rows are made from. */
struct thread_rows {
    const dmp_file *f;
    size_t n;
    bool has_crash;
    uint32_t crashed_id;
    const dmp_context *exc;
    int digits;
};

static void thread_rows(struct table *tb, const void *ctx)
{
    const struct thread_rows *const c = ctx;
    for (size_t i = 0; i < c->n; i++) {
        dmp_thread t;
        if (dmp_thread_get(c->f, i, &t) == DMP_OK)
            thread_row(tb, c->f, &t, c->has_crash && t.id == c->crashed_id, c->exc, c->digits);
    }
}

int cmd_threads(struct run *r)
{
    const dmp_file *const f = r->f;
    const bool present =
        has_stream(f, DMP_STREAM_THREAD_LIST) || has_stream(f, DMP_STREAM_THREAD_EX_LIST);
    const size_t n = dmp_thread_count(f);
    uint32_t crashed_id = 0;
    const bool has_crash = crashed_thread_id(f, &crashed_id);
    dmp_context exc_ctx;
    const dmp_context *const exc = has_crash && crash_context(f, &exc_ctx) ? &exc_ctx : NULL;
    doc_begin(r);
    if (r->a->json) {
        if (!present) {
            json_empty_array(&r->j, "threads");
            return doc_end(r, EXIT_SUCCESS, true);
        }
        json_array_begin(&r->j, "threads");
        for (size_t i = 0; i < n; i++) {
            dmp_thread t;
            if (dmp_thread_get(f, i, &t) == DMP_OK)
                json_thread(&r->j, f, &t, has_crash && t.id == crashed_id, exc);
        }
        json_array_end(&r->j);
        return doc_end(r, EXIT_SUCCESS, true);
    }
    if (!present) {
        print_absent("threads", "ThreadListStream");
        return doc_end(r, EXIT_SUCCESS, true);
    }
    struct table tb;
    table_init(&tb, ":l|ID:r|SUSPEND:r|CLASS:r|PRIO:r|TEB:l|STACK:l|IP:l|IP MODULE:l|SP:l|NAME:l");
    const struct thread_rows rows = {f, n, has_crash, crashed_id, exc, thread_digits(f, n, exc)};
    table_print(&tb, stdout, "", thread_rows, &rows);
    bool marked = false;
    for (size_t i = 0; i < n && has_crash && exc && !marked; i++) {
        dmp_thread t;
        marked = dmp_thread_get(f, i, &t) == DMP_OK && t.id == crashed_id;
    }
    if (marked)
        printf("*E: the crashed thread; its IP and SP are the exception's context, not the "
               "thread's own (`dmpread threads --json` has both)\n");
    return doc_end(r, EXIT_SUCCESS, true);
}

/* ---- modules -------------------------------------------------------------------------- */

static const char *cv_kind(uint32_t signature)
{
    switch (signature) {
    case DMP_CV_PDB70:
        return "RSDS";
    case DMP_CV_PDB20:
        return "NB10";
    case DMP_CV_ELF:
    case DMP_CV_ELF_SWAPPED:
        return "ELF";
    case 0:
        return NULL;
    default:
        return "unknown";
    }
}

static void format_version(const uint16_t v[4], char *buf, size_t cap)
{
    snprintf(buf, cap, "%u.%u.%u.%u", v[0], v[1], v[2], v[3]);
}

/* A string the library gives as "" when the dump has none, as null. */
static void json_string_or_null(struct json *j, const char *key, const char *s)
{
    json_string(j, key, s && *s ? s : NULL);
}

static void json_module(struct json *j, const dmp_module *m)
{
    char buf[64];
    json_object_begin(j, NULL);
    json_hex(j, "base", m->base);
    json_hex_end(j, "end", m->base, m->size);
    json_uint(j, "size", m->size);
    json_string(j, "name", m->name);
    format_version(m->file_version, buf, sizeof buf);
    json_string(j, "version", m->has_version ? buf : NULL);
    format_version(m->product_version, buf, sizeof buf);
    json_string(j, "product_version", m->has_version ? buf : NULL);
    json_string_or_null(j, "debug_id", m->debug_id);
    json_string_or_null(j, "code_id", m->code_id);
    json_string_or_null(j, "pdb_name", m->pdb_name);
    json_string(j, "cv_kind", cv_kind(m->cv_signature));
    json_hex(j, "checksum", m->checksum);
    json_uint(j, "timestamp", m->timestamp);
    json_object_end(j);
}

static void json_unloaded(struct json *j, const dmp_unloaded_module *u)
{
    json_object_begin_compact(j, NULL);
    json_hex(j, "base", u->base);
    json_hex_end(j, "end", u->base, u->size);
    json_uint(j, "size", u->size);
    json_string(j, "name", u->name);
    json_hex(j, "checksum", u->checksum);
    json_uint(j, "timestamp", u->timestamp);
    json_object_end(j);
}

static void json_modules(struct json *j, const dmp_file *f)
{
    if (has_stream(f, DMP_STREAM_MODULE_LIST)) {
        json_array_begin(j, "modules");
        dmp_module m;
        for (size_t i = 0; dmp_module_get(f, i, &m) == DMP_OK; i++)
            json_module(j, &m);
        json_array_end(j);
    } else {
        json_empty_array(j, "modules");
    }
    if (has_stream(f, DMP_STREAM_UNLOADED_MODULE_LIST)) {
        json_array_begin(j, "unloaded_modules");
        dmp_unloaded_module u;
        for (size_t i = 0; dmp_unloaded_module_get(f, i, &u) == DMP_OK; i++)
            json_unloaded(j, &u);
        json_array_end(j);
    } else {
        json_empty_array(j, "unloaded_modules");
    }
}

static void module_row(struct table *tb, const dmp_module *m, int digits)
{
    char base[24], end[24], size[24], version[48], debug_id[CELL], code_id[CELL];
    char pdb[NAME_CELL], name[NAME_CELL];
    format_addr(m->base, digits, base, sizeof base);
    format_end(m->base, m->size, digits, end, sizeof end);
    snprintf(size, sizeof size, "%" PRIu64, m->size);
    if (m->has_version)
        format_version(m->file_version, version, sizeof version);
    else
        strcpy(version, "-");
    text_printable(*m->debug_id ? m->debug_id : "-", debug_id, sizeof debug_id);
    text_printable(*m->code_id ? m->code_id : "-", code_id, sizeof code_id);
    /* The PDB's file name is what a symbol server wants; the path is in --json. */
    text_printable(*m->pdb_name ? path_base_name(m->pdb_name) : "-", pdb, sizeof pdb);
    text_printable(m->name, name, sizeof name);
    const char *const cells[] = {base, end, size, version, debug_id, code_id, pdb, name};
    table_add(tb, cells);
}

/* What the module tables' rows are made from. */
struct module_rows {
    const dmp_file *f;
    int digits;
};

static void module_rows(struct table *tb, const void *ctx)
{
    const struct module_rows *const c = ctx;
    dmp_module m;
    for (size_t i = 0; dmp_module_get(c->f, i, &m) == DMP_OK; i++)
        module_row(tb, &m, c->digits);
}

static void print_modules(const dmp_file *f, int digits)
{
    struct table tb;
    table_init(&tb, "BASE:l|END:l|SIZE:r|VERSION:l|DEBUG ID:l|CODE ID:l|PDB:l|NAME:l");
    const struct module_rows rows = {f, digits};
    table_print(&tb, stdout, "", module_rows, &rows);
}

static void unloaded_rows(struct table *tb, const void *ctx)
{
    const struct module_rows *const c = ctx;
    const int digits = c->digits;
    dmp_unloaded_module u;
    for (size_t i = 0; dmp_unloaded_module_get(c->f, i, &u) == DMP_OK; i++) {
        char base[24], end[24], size[24], stamp[16], name[NAME_CELL];
        format_addr(u.base, digits, base, sizeof base);
        format_end(u.base, u.size, digits, end, sizeof end);
        snprintf(size, sizeof size, "%" PRIu64, u.size);
        snprintf(stamp, sizeof stamp, "0x%08" PRIx32, u.timestamp);
        text_printable(u.name, name, sizeof name);
        const char *const cells[] = {base, end, size, stamp, name};
        table_add(tb, cells);
    }
}

static void print_unloaded(const dmp_file *f, int digits)
{
    struct table tb;
    table_init(&tb, "BASE:l|END:l|SIZE:r|TIMESTAMP:l|NAME:l");
    const struct module_rows rows = {f, digits};
    table_print(&tb, stdout, "", unloaded_rows, &rows);
}

/* One digit count for both tables, so their columns read alike. */
static int module_digits(const dmp_file *f)
{
    uint64_t max = 0;
    dmp_module m;
    for (size_t i = 0; dmp_module_get(f, i, &m) == DMP_OK; i++)
        max |= m.base + m.size < m.base ? UINT64_MAX : m.base + m.size;
    dmp_unloaded_module u;
    for (size_t i = 0; dmp_unloaded_module_get(f, i, &u) == DMP_OK; i++)
        max |= u.base + u.size < u.base ? UINT64_MAX : u.base + u.size;
    return addr_digits(max);
}

int cmd_modules(struct run *r)
{
    const dmp_file *const f = r->f;
    doc_begin(r);
    if (r->a->json) {
        json_modules(&r->j, f);
        return doc_end(r, EXIT_SUCCESS, true);
    }
    const int digits = module_digits(f);
    if (has_stream(f, DMP_STREAM_MODULE_LIST))
        print_modules(f, digits);
    else
        print_absent("modules", "ModuleListStream");
    if (has_stream(f, DMP_STREAM_UNLOADED_MODULE_LIST)) {
        printf("\nunloaded modules:\n");
        print_unloaded(f, digits);
    }
    return doc_end(r, EXIT_SUCCESS, true);
}

/* ---- memory-info ---------------------------------------------------------------------- */

static void format_protect(uint32_t protect, char *buf, size_t cap)
{
    if (protect == 0)
        snprintf(buf, cap, "-");
    else if (dmp_mem_protect_format(protect, buf, cap) == 0)
        snprintf(buf, cap, "0x%" PRIx32, protect);
}

static void format_named(const char *name, uint32_t v, char *buf, size_t cap)
{
    if (name)
        snprintf(buf, cap, "%s", name);
    else if (v == 0)
        snprintf(buf, cap, "-");
    else
        snprintf(buf, cap, "0x%" PRIx32, v);
}

/* The PAGE_* names of a protection, null for 0 (free and reserved regions have none). */
static void json_protect_name(struct json *j, const char *key, uint32_t protect)
{
    char buf[256];
    if (protect == 0) {
        json_null(j, key);
        return;
    }
    dmp_mem_protect_format(protect, buf, sizeof buf);
    json_string(j, key, buf);
}

static void json_region(struct json *j, const dmp_memory_info *m)
{
    json_object_begin_compact(j, NULL);
    json_hex(j, "base", m->base);
    json_hex_end(j, "end", m->base, m->region_size);
    json_uint(j, "size", m->region_size);
    json_hex(j, "state", m->state);
    json_string(j, "state_name", dmp_mem_state_name(m->state));
    json_hex(j, "protect", m->protect);
    json_protect_name(j, "protect_name", m->protect);
    json_hex(j, "type", m->type);
    json_string(j, "type_name", dmp_mem_type_name(m->type));
    json_hex(j, "allocation_base", m->allocation_base);
    json_hex(j, "allocation_protect", m->allocation_protect);
    json_protect_name(j, "allocation_protect_name", m->allocation_protect);
    json_object_end(j);
}

static void region_row(struct table *tb, const dmp_memory_info *m, int digits)
{
    char base[24], end[24], size[24], state[24], protect[256], type[24], abase[24];
    char aprotect[256];
    format_addr(m->base, digits, base, sizeof base);
    format_end(m->base, m->region_size, digits, end, sizeof end);
    snprintf(size, sizeof size, "%" PRIu64, m->region_size);
    format_named(dmp_mem_state_name(m->state), m->state, state, sizeof state);
    format_protect(m->protect, protect, sizeof protect);
    format_named(dmp_mem_type_name(m->type), m->type, type, sizeof type);
    format_addr(m->allocation_base, digits, abase, sizeof abase);
    format_protect(m->allocation_protect, aprotect, sizeof aprotect);
    const char *const cells[] = {base, end, size, state, protect, type, abase, aprotect};
    table_add(tb, cells);
}

/* What the regions table's rows are made from. */
struct region_rows {
    const dmp_file *f;
    size_t n;
    int digits;
};

static void region_rows(struct table *tb, const void *ctx)
{
    const struct region_rows *const c = ctx;
    dmp_memory_info m;
    for (size_t i = 0; i < c->n; i++)
        if (dmp_memory_info_get(c->f, i, &m) == DMP_OK)
            region_row(tb, &m, c->digits);
}

int cmd_memory_info(struct run *r)
{
    const dmp_file *const f = r->f;
    const bool present = has_stream(f, DMP_STREAM_MEMORY_INFO_LIST);
    const size_t n = dmp_memory_info_count(f);
    dmp_memory_info m;
    const bool maps = !present && has_stream(f, DMP_STREAM_LINUX_MAPS);
    doc_begin(r);
    if (r->a->json) {
        json_string(&r->j, "source", present ? "MemoryInfoList" : maps ? "LinuxMaps" : NULL);
        if (maps)
            json_linux_maps(&r->j, "linux_maps", f);
        else
            json_null(&r->j, "linux_maps");
        if (present) {
            json_array_begin(&r->j, "regions");
            for (size_t i = 0; i < n; i++)
                if (dmp_memory_info_get(f, i, &m) == DMP_OK)
                    json_region(&r->j, &m);
            json_array_end(&r->j);
        } else {
            json_empty_array(&r->j, "regions");
        }
        return doc_end(r, EXIT_SUCCESS, true);
    }
    if (maps) {
        printf("regions from LinuxMapsStream (the dump has no MemoryInfoListStream):\n");
        print_linux_maps(f, "");
        return doc_end(r, EXIT_SUCCESS, true);
    }
    if (!present) {
        print_absent("memory regions", "MemoryInfoListStream");
        return doc_end(r, EXIT_SUCCESS, true);
    }
    uint64_t max = 0;
    for (size_t i = 0; i < n; i++)
        if (dmp_memory_info_get(f, i, &m) == DMP_OK)
            max |= m.base + m.region_size < m.base ? UINT64_MAX : m.base + m.region_size;
    const int digits = addr_digits(max);
    struct table tb;
    table_init(&tb, "BASE:l|END:l|SIZE:r|STATE:l|PROTECT:l|TYPE:l|ALLOC BASE:l|ALLOC PROTECT:l");
    const struct region_rows rows = {f, n, digits};
    table_print(&tb, stdout, "", region_rows, &rows);
    return doc_end(r, EXIT_SUCCESS, true);
}

/* ---- streams -------------------------------------------------------------------------- */

static void json_stream(struct json *j, size_t index, const dmp_stream *s)
{
    json_object_begin_compact(j, NULL);
    json_uint(j, "index", index);
    json_uint(j, "type", s->type);
    json_string(j, "type_name", dmp_stream_type_name(s->type));
    json_uint(j, "offset", s->rva);
    json_uint(j, "data_size", s->data_size);
    json_uint(j, "size_in_file", s->size);
    json_bool(j, "past_eof", (s->flags & DMP_STREAM_PAST_EOF) != 0);
    json_bool(j, "clipped", (s->flags & DMP_STREAM_CLIPPED) != 0);
    json_object_end(j);
}

static void stream_row(struct table *tb, size_t index, const dmp_stream *s)
{
    char idx[24], type[24], offset[24], size[24], flags[64];
    const char *const name = dmp_stream_type_name(s->type);
    snprintf(idx, sizeof idx, "%zu", index);
    snprintf(type, sizeof type, "0x%" PRIx32, s->type);
    snprintf(offset, sizeof offset, "0x%" PRIx32, s->rva);
    snprintf(size, sizeof size, "%" PRIu32, s->data_size);
    if (s->flags & DMP_STREAM_PAST_EOF)
        snprintf(flags, sizeof flags, "past the end of the file");
    else if (s->flags & DMP_STREAM_CLIPPED)
        snprintf(flags, sizeof flags, "clipped: %" PRIu64 " bytes in the file", s->size);
    else
        flags[0] = '\0';
    const char *const cells[] = {idx, type, name ? name : "?", offset, size, flags};
    table_add(tb, cells);
}

static void stream_rows(struct table *tb, const void *ctx)
{
    const dmp_file *const f = ctx;
    dmp_stream s;
    for (size_t i = 0; i < dmp_stream_count(f); i++)
        if (dmp_stream_get(f, i, &s) == DMP_OK)
            stream_row(tb, i, &s);
}

int cmd_streams(struct run *r)
{
    const dmp_file *const f = r->f;
    const size_t n = dmp_stream_count(f);
    dmp_stream s;
    doc_begin(r);
    if (r->a->json) {
        json_header(&r->j, f);
        json_array_begin(&r->j, "streams");
        for (size_t i = 0; i < n; i++)
            if (dmp_stream_get(f, i, &s) == DMP_OK)
                json_stream(&r->j, i, &s);
        json_array_end(&r->j);
        return doc_end(r, EXIT_SUCCESS, true);
    }
    print_header(f);
    struct table tb;
    table_init(&tb, "INDEX:r|TYPE:r|NAME:l|OFFSET:r|SIZE:r|NOTE:l");
    table_print(&tb, stdout, "", stream_rows, f);
    return doc_end(r, EXIT_SUCCESS, true);
}
