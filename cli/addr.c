/* addr.c - ADDR operands of a read that are not numbers: a register of the crashing thread
 * (`rsp`, `pc`, `x29`) or a module and an offset (`crashme.exe+0x83d8`).
 * SPDX-License-Identifier: MIT */
#include "cli.h"

#include <ctype.h>
#include <inttypes.h>
#include <string.h>

/* Whether the first len bytes of a and b are the same, ignoring ASCII case. */
static bool same_prefix(const char *a, const char *b, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
            return false;
    return true;
}

/* Whether `a` (len bytes) and the C string `b` are the same, ignoring ASCII case. */
static bool same_name(const char *a, size_t len, const char *b)
{
    return strlen(b) == len && same_prefix(a, b, len);
}

/* The registers at the crash: the exception's (its own context record, else its thread's),
 * else the first thread whose context decodes (a writer may leave one out, as Wine does for
 * the thread that writes the dump). Says which in e. */
static bool crash_registers(const dmp_file *f, dmp_context *ctx, struct addr_expr *e)
{
    dmp_crash c;
    if (dmp_get_crash(f, &c) == DMP_OK && c.context_source != DMP_CONTEXT_NONE) {
        *ctx = c.context;
        e->context = c.context_source == DMP_CONTEXT_EXCEPTION ? "exception" : "thread";
        e->has_thread = true;
        e->thread_id = c.exception.thread_id;
        return true;
    }
    const size_t n = dmp_thread_count(f);
    for (size_t i = 0; i < n; i++) {
        dmp_thread t;
        if (dmp_thread_get(f, i, &t) == DMP_OK && t.context &&
            dmp_context_decode(f, t.context, t.context_size, ctx) == DMP_OK) {
            e->context = "first-thread";
            e->has_thread = true;
            e->thread_id = t.id;
            return true;
        }
    }
    return false;
}

/* Names each CPU's register list does not spell that way: the generic pc, sp and fp, and the
 * numbered forms of ARM's and ARM64's named registers. */
static bool register_alias(const dmp_context *ctx, const char *s, size_t len, uint64_t *v)
{
    static const struct {
        dmp_cpu cpu; /* DMP_CPU_UNKNOWN: any */
        const char *alias, *name;
    } aliases[] = {
        {DMP_CPU_ARM64, "x29", "fp"}, {DMP_CPU_ARM64, "x30", "lr"}, {DMP_CPU_ARM, "r13", "sp"},
        {DMP_CPU_ARM, "r14", "lr"},   {DMP_CPU_ARM, "r15", "pc"},
    };
    if (same_name(s, len, "pc") || same_name(s, len, "ip")) {
        *v = ctx->ip;
        return true;
    }
    if (same_name(s, len, "sp")) {
        *v = ctx->sp;
        return true;
    }
    if (same_name(s, len, "fp")) {
        *v = ctx->fp;
        return true;
    }
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
        if (aliases[i].cpu != ctx->cpu || !same_name(s, len, aliases[i].alias))
            continue;
        for (size_t r = 0; r < ctx->reg_count; r++)
            if (strcmp(ctx->regs[r].name, aliases[i].name) == 0) {
                *v = ctx->regs[r].value;
                return true;
            }
    }
    return false;
}

/* A register of the crash context by name: true with *v, else false (no such register, or
 * no context, which *no_context tells). */
static bool find_register(const dmp_file *f, const char *s, size_t len, uint64_t *v,
                          struct addr_expr *e, bool *no_context)
{
    dmp_context ctx;
    *no_context = !crash_registers(f, &ctx, e);
    if (*no_context)
        return false;
    e->cpu = dmp_cpu_name(ctx.cpu);
    for (size_t r = 0; r < ctx.reg_count; r++)
        if (same_name(s, len, ctx.regs[r].name)) {
            *v = ctx.regs[r].value;
            return true;
        }
    return register_alias(&ctx, s, len, v);
}

/* A loaded module by the file-name part of its path, ignoring case: the first that matches
 * wholly, else the first whose name before its extension does ("crashme" for crashme.exe). */
static bool find_module_named(const dmp_file *f, const char *s, size_t len, uint64_t *base)
{
    const size_t n = dmp_module_count(f);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < n; i++) {
            dmp_module m;
            if (dmp_module_get(f, i, &m) != DMP_OK)
                continue;
            const char *const name = path_base_name(m.name);
            const char *const dot = strrchr(name, '.');
            if (pass == 1 && !dot)
                continue;
            const size_t name_len = pass == 0 ? strlen(name) : (size_t)(dot - name);
            if (name_len == len && same_prefix(s, name, len)) {
                *base = m.base;
                return true;
            }
        }
    }
    return false;
}

bool resolve_addr(const dmp_file *f, const char *s, uint64_t *addr, struct addr_expr *e)
{
    memset(e, 0, sizeof *e);
    if (isdigit((unsigned char)s[0]) || s[0] == '\0' || s[0] == '-')
        return parse_operand("ADDR", s, addr);
    /* NAME or NAME+OFFSET: the offset after the last '+', as names may hold none. */
    const char *const plus = strrchr(s, '+');
    const size_t len = plus ? (size_t)(plus - s) : strlen(s);
    uint64_t offset = 0;
    if (plus && !parse_operand("ADDR's offset", plus + 1, &offset))
        return false;
    if (len == 0 || len >= sizeof e->name) {
        fail("ADDR '%s' is not a number, a register or a module name", s);
        return false;
    }
    memcpy(e->name, s, len);
    e->name[len] = '\0';
    e->offset = offset;
    bool no_context;
    uint64_t base;
    if (find_register(f, s, len, &base, e, &no_context)) {
        e->kind = "register";
    } else if (find_module_named(f, s, len, &base)) {
        e->kind = "module";
        e->context = NULL;
        e->has_thread = false;
    } else {
        if (no_context)
            fail("ADDR '%s': no module of that name, and no thread context whose registers "
                 "could be meant (try 'dmpread modules')",
                 s);
        else
            fail("ADDR '%s' is not a number, a register of the %s CPU, nor a module's file name "
                 "(try 'dmpread modules')",
                 s, e->cpu);
        return false;
    }
    if (base > UINT64_MAX - offset) {
        fail("ADDR '%s' is 0x%" PRIx64 "+0x%" PRIx64 ", past the end of the address space", s, base,
             offset);
        return false;
    }
    e->is_expr = true;
    e->base = base;
    *addr = base + offset;
    return true;
}

void describe_addr(const struct addr_expr *e, uint64_t addr)
{
    if (!e->is_expr)
        return;
    if (strcmp(e->kind, "module") == 0) {
        fprintf(stderr, "dmpread: %s+0x%" PRIx64 " is 0x%" PRIx64 " (module base 0x%" PRIx64 ")\n",
                e->name, e->offset, addr, e->base);
        return;
    }
    char from[160];
    if (strcmp(e->context, "exception") == 0)
        snprintf(from, sizeof from, "from the exception's context, thread %" PRIu32, e->thread_id);
    else if (strcmp(e->context, "thread") == 0)
        snprintf(from, sizeof from,
                 "from the crashing thread %" PRIu32 "'s context; the exception has none",
                 e->thread_id);
    else
        snprintf(from, sizeof from,
                 "from thread %" PRIu32 ", the first with a context; the dump has no exception",
                 e->thread_id);
    if (e->offset)
        fprintf(stderr, "dmpread: %s+0x%" PRIx64 " = 0x%" PRIx64 " (%s = 0x%" PRIx64 " %s)\n",
                e->name, e->offset, addr, e->name, e->base, from);
    else
        fprintf(stderr, "dmpread: %s = 0x%" PRIx64 " (%s)\n", e->name, addr, from);
}

void json_addr_expr(struct json *j, const struct addr_expr *e)
{
    if (!e->is_expr) {
        json_null(j, "address_from");
        return;
    }
    json_object_begin_compact(j, "address_from");
    json_string(j, "kind", e->kind);
    json_string(j, "name", e->name);
    json_hex(j, "value", e->base);
    json_hex(j, "offset", e->offset);
    json_string(j, "context", e->context);
    json_uint_or_null(j, "thread_id", e->has_thread, e->thread_id);
    json_object_end(j);
}
