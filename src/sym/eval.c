/* eval.c - register numbering per CPU, and the postfix evaluator of STACK CFI and STACK WIN.
 * SPDX-License-Identifier: MIT
 *
 * The language is Breakpad's: whitespace-separated tokens; signed decimal literals; variables
 * (registers, $T0-style temporaries, .cfa and the STACK WIN constants); binary + - * / % and
 * @ (align down: a & ~(b-1)); unary ^ (load a pointer-size value from memory); and = (assign
 * the value on top to the $variable under it). Operands stay on the stack as tokens until an
 * operator needs their value, so `$T0 $ebp =` can name its target. The stack is a fixed array,
 * the token count is capped, and there is no recursion: a hostile expression costs at most
 * DMP_EVAL_MAX_TOKENS steps and a few kilobytes of stack.
 */
#include "sym.h"

#include <string.h>

static const char *const x86_regs[] = {"eip", "esp", "ebp", "ebx", "esi",
                                       "edi", "eax", "ecx", "edx", "eflags"};
static const char *const amd64_regs[] = {"rax", "rdx", "rcx", "rbx", "rsi", "rdi",
                                         "rbp", "rsp", "r8",  "r9",  "r10", "r11",
                                         "r12", "r13", "r14", "r15", "rip"};
static const char *const arm64_regs[] = {
    "x0",  "x1",  "x2",  "x3",  "x4",  "x5",  "x6",  "x7",  "x8",  "x9",  "x10",
    "x11", "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20", "x21",
    "x22", "x23", "x24", "x25", "x26", "x27", "x28", "fp",  "lr",  "sp",  "pc"};
static const char *const arm_regs[] = {"r0", "r1", "r2",  "r3", "r4",  "r5", "r6", "r7",
                                       "r8", "r9", "r10", "fp", "r12", "sp", "lr", "pc"};

struct regmap {
    const char *const *names;
    unsigned count;
    unsigned ip, sp;
    bool narrow; /* 32-bit arithmetic and pointers */
};

static bool regmap_of(dmp_cpu cpu, struct regmap *m)
{
    switch (cpu) {
    case DMP_CPU_X86:
        *m = (struct regmap){x86_regs, 10, 0, 1, true};
        return true;
    case DMP_CPU_AMD64:
        *m = (struct regmap){amd64_regs, 17, 16, 7, false};
        return true;
    case DMP_CPU_ARM64:
        *m = (struct regmap){arm64_regs, 33, 32, 31, false};
        return true;
    case DMP_CPU_ARM:
        *m = (struct regmap){arm_regs, 16, 15, 13, true};
        return true;
    case DMP_CPU_UNKNOWN:
        break;
    }
    return false;
}

const char *dmp_reg_name(dmp_cpu cpu, unsigned i)
{
    struct regmap m;
    return regmap_of(cpu, &m) && i < m.count ? m.names[i] : NULL;
}

unsigned dmp_reg_ip(dmp_cpu cpu)
{
    struct regmap m;
    return regmap_of(cpu, &m) ? m.ip : 0;
}

unsigned dmp_reg_sp(dmp_cpu cpu)
{
    struct regmap m;
    return regmap_of(cpu, &m) ? m.sp : 0;
}

static bool name_eq(const char *name, size_t len, const char *word)
{
    return strlen(word) == len && memcmp(name, word, len) == 0;
}

int dmp_reg_lookup(dmp_cpu cpu, const char *name, size_t len)
{
    struct regmap m;
    if (!name || !regmap_of(cpu, &m))
        return -1;
    if (len > 0 && name[0] == '$') {
        name++;
        len--;
    }
    for (unsigned i = 0; i < m.count; i++)
        if (name_eq(name, len, m.names[i]))
            return (int)i;
    static const struct {
        dmp_cpu cpu;
        const char *alias;
        int reg;
    } aliases[] = {{DMP_CPU_ARM64, "x29", 29}, {DMP_CPU_ARM64, "x30", 30}, {DMP_CPU_ARM, "r11", 11},
                   {DMP_CPU_ARM, "ip", 12},    {DMP_CPU_ARM, "r13", 13},   {DMP_CPU_ARM, "r14", 14},
                   {DMP_CPU_ARM, "r15", 15},   {DMP_CPU_X86, "efl", 9}};
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (aliases[i].cpu == cpu && name_eq(name, len, aliases[i].alias))
            return aliases[i].reg;
    return -1;
}

dmp_status dmp_regs_from_context(const dmp_context *ctx, dmp_regs *out)
{
    struct regmap m;
    if (!ctx || !out || !regmap_of(ctx->cpu, &m))
        return DMP_E_INVALID_ARG;
    memset(out, 0, sizeof *out);
    out->cpu = ctx->cpu;
    const size_t n = ctx->reg_count < DMP_MAX_REGS ? ctx->reg_count : DMP_MAX_REGS;
    for (size_t i = 0; i < n; i++) {
        const char *const name = ctx->regs[i].name;
        const int r = name ? dmp_reg_lookup(ctx->cpu, name, strlen(name)) : -1;
        if (r >= 0) {
            out->value[r] = ctx->regs[i].value;
            out->valid |= (uint64_t)1 << r;
        }
    }
    return DMP_OK;
}

static dmp_status read_from_dump(void *ctx, uint64_t addr, void *dst, size_t len,
                                 size_t *bytes_read)
{
    return dmp_read_memory(ctx, addr, dst, len, bytes_read);
}

dmp_memory dmp_memory_of(const dmp_file *f)
{
    /* The callback only reads through ctx; the cast keeps the dmp_read_fn shape. */
    return (dmp_memory){read_from_dump, (void *)(uintptr_t)f};
}

void dmp_eval_init(dmp_eval *ev, const dmp_regs *regs, dmp_memory mem)
{
    if (!ev)
        return;
    memset(ev, 0, sizeof *ev);
    if (regs)
        ev->regs = *regs;
    ev->mem = mem;
}

static uint64_t width_mask(const dmp_eval *ev)
{
    struct regmap m;
    return regmap_of(ev->regs.cpu, &m) && m.narrow ? UINT32_MAX : UINT64_MAX;
}

/* A variable's slot, or -1. */
static int var_find(const dmp_eval *ev, const char *name, size_t len)
{
    for (size_t i = 0; i < ev->var_count; i++)
        if (strlen(ev->vars[i].name) == len && memcmp(ev->vars[i].name, name, len) == 0)
            return (int)i;
    return -1;
}

static dmp_status set_named(dmp_eval *ev, const char *name, size_t len, uint64_t value)
{
    /* Names are stored NUL-terminated: one holding a NUL byte could never be found again. */
    if (len == 0 || len >= sizeof ev->vars[0].name || memchr(name, '\0', len))
        return DMP_E_INVALID_ARG;
    value &= width_mask(ev);
    const int r = dmp_reg_lookup(ev->regs.cpu, name, len);
    if (r >= 0) {
        ev->regs.value[r] = value;
        ev->regs.valid |= (uint64_t)1 << r;
        ev->assigned |= (uint64_t)1 << r;
        return DMP_OK;
    }
    int i = var_find(ev, name, len);
    if (i < 0) {
        if (ev->var_count == DMP_EVAL_MAX_VARS)
            return DMP_E_NOMEM;
        i = (int)ev->var_count++;
        memcpy(ev->vars[i].name, name, len);
        ev->vars[i].name[len] = '\0';
    }
    ev->vars[i].value = value;
    return DMP_OK;
}

static bool get_named(const dmp_eval *ev, const char *name, size_t len, uint64_t *value)
{
    if (memchr(name, '\0', len))
        return false;
    const int r = dmp_reg_lookup(ev->regs.cpu, name, len);
    if (r >= 0) {
        if (!(ev->regs.valid >> r & 1))
            return false;
        *value = ev->regs.value[r];
        return true;
    }
    const int i = var_find(ev, name, len);
    if (i < 0)
        return false;
    *value = ev->vars[i].value;
    return true;
}

dmp_status dmp_eval_set(dmp_eval *ev, const char *name, uint64_t value)
{
    if (!ev || !name)
        return DMP_E_INVALID_ARG;
    return set_named(ev, name, strlen(name), value);
}

dmp_status dmp_eval_get(const dmp_eval *ev, const char *name, uint64_t *value)
{
    if (!ev || !name || !value)
        return DMP_E_INVALID_ARG;
    return get_named(ev, name, strlen(name), value) ? DMP_OK : DMP_E_NOT_FOUND;
}

/* An operand: a literal's value, or an identifier still to be looked up. */
struct operand {
    bool ident;
    uint64_t value;
    const char *name;
    size_t len;
};

struct machine {
    dmp_eval *ev;
    uint64_t mask;
    size_t depth;
    struct operand stack[DMP_EVAL_MAX_STACK];
};

/* A literal: optional '-' then decimal digits, the whole token. */
static bool parse_literal(const char *t, size_t len, uint64_t mask, uint64_t *out)
{
    const bool neg = len > 1 && t[0] == '-';
    uint64_t v;
    if (!dmpi_sym_dec((dmp_sym_str){t + neg, len - neg}, &v))
        return false;
    *out = (neg ? (uint64_t)0 - v : v) & mask;
    return true;
}

static dmp_status pop_value(struct machine *m, uint64_t *out)
{
    if (m->depth == 0)
        return DMP_E_MALFORMED;
    const struct operand *const o = &m->stack[--m->depth];
    if (!o->ident) {
        *out = o->value;
        return DMP_OK;
    }
    return get_named(m->ev, o->name, o->len, out) ? DMP_OK : DMP_E_MALFORMED;
}

static dmp_status binary(struct machine *m, char op)
{
    uint64_t a, b, r;
    dmp_status st = pop_value(m, &b);
    if (st == DMP_OK)
        st = pop_value(m, &a);
    if (st != DMP_OK)
        return st;
    switch (op) {
    case '+':
        r = a + b;
        break;
    case '-':
        r = a - b;
        break;
    case '*':
        r = a * b;
        break;
    case '/':
    case '%':
        if (b == 0)
            return DMP_E_MALFORMED;
        r = op == '/' ? a / b : a % b;
        break;
    default: /* '@': align down to a multiple of b */
        r = a & ~(b - 1);
        break;
    }
    m->stack[m->depth++] = (struct operand){false, r & m->mask, NULL, 0};
    return DMP_OK;
}

static dmp_status deref(struct machine *m)
{
    uint64_t addr;
    const dmp_status st = pop_value(m, &addr);
    if (st != DMP_OK)
        return st;
    const size_t n = m->mask == UINT32_MAX ? 4 : 8;
    uint8_t b[8];
    if (!m->ev->mem.read || m->ev->mem.read(m->ev->mem.ctx, addr, b, n, NULL) != DMP_OK)
        return DMP_E_UNMAPPED;
    m->stack[m->depth++] = (struct operand){false, n == 4 ? load_u32le(b) : load_u64le(b), NULL, 0};
    return DMP_OK;
}

static dmp_status assign(struct machine *m)
{
    uint64_t v;
    const dmp_status st = pop_value(m, &v);
    if (st != DMP_OK)
        return st;
    if (m->depth == 0)
        return DMP_E_MALFORMED;
    const struct operand *const o = &m->stack[--m->depth];
    if (!o->ident || o->len == 0 || o->name[0] != '$')
        return DMP_E_MALFORMED;
    return set_named(m->ev, o->name, o->len, v) == DMP_OK ? DMP_OK : DMP_E_MALFORMED;
}

static dmp_status step(struct machine *m, const char *t, size_t len)
{
    if (len == 1 && strchr("+-*/%@", t[0]))
        return binary(m, t[0]);
    if (len == 1 && t[0] == '^')
        return deref(m);
    if (len == 1 && t[0] == '=')
        return assign(m);
    if (m->depth == DMP_EVAL_MAX_STACK)
        return DMP_E_MALFORMED;
    struct operand o = {true, 0, t, len};
    if (parse_literal(t, len, m->mask, &o.value))
        o.ident = false;
    m->stack[m->depth++] = o;
    return DMP_OK;
}

/* Runs the tokens; leaves the stack for the caller to judge. */
static dmp_status run(struct machine *m, const char *text, size_t len)
{
    struct symline l = {text, text + len, 0};
    dmp_sym_str t;
    size_t tokens = 0;
    while (dmpi_sym_token(&l, &t)) {
        if (++tokens > DMP_EVAL_MAX_TOKENS)
            return DMP_E_MALFORMED;
        dmp_status st;
        if (t.len > 1 && t.ptr[0] == '=') { /* "=$eip" is "=" then "$eip", as Breakpad reads it */
            st = step(m, t.ptr, 1);
            if (st == DMP_OK)
                st = step(m, t.ptr + 1, t.len - 1);
        } else {
            st = step(m, t.ptr, t.len);
        }
        if (st != DMP_OK)
            return st;
    }
    return DMP_OK;
}

dmp_status dmp_eval_expr(dmp_eval *ev, const char *expr, size_t len, uint64_t *value)
{
    if (!ev || (!expr && len > 0) || !value)
        return DMP_E_INVALID_ARG;
    struct machine m = {.ev = ev, .mask = width_mask(ev)};
    dmp_status st = run(&m, expr ? expr : "", len);
    if (st != DMP_OK)
        return st;
    if (m.depth != 1)
        return DMP_E_MALFORMED;
    uint64_t v;
    st = pop_value(&m, &v);
    if (st == DMP_OK)
        *value = v;
    return st;
}

dmp_status dmp_eval_program(dmp_eval *ev, const char *prog, size_t len)
{
    if (!ev || (!prog && len > 0))
        return DMP_E_INVALID_ARG;
    struct machine m = {.ev = ev, .mask = width_mask(ev)};
    const dmp_status st = run(&m, prog ? prog : "", len);
    if (st != DMP_OK)
        return st;
    return m.depth == 0 ? DMP_OK : DMP_E_MALFORMED;
}

static const dmp_cfi_rule *rule_for(const dmp_cfi_rules *rules, const char *reg)
{
    for (size_t i = 0; i < rules->count; i++)
        if (name_eq(rules->rules[i].reg.ptr, rules->rules[i].reg.len, reg))
            return &rules->rules[i];
    return NULL;
}

dmp_status dmp_cfi_apply(const dmp_cfi_rules *rules, const dmp_regs *callee, dmp_memory mem,
                         dmp_regs *caller, uint64_t *cfa_out, uint64_t *ra_out)
{
    struct regmap map;
    if (!rules || !callee || !caller || rules->count > DMP_CFI_MAX_RULES ||
        !regmap_of(callee->cpu, &map))
        return DMP_E_INVALID_ARG;
    const dmp_cfi_rule *const cfa_rule = rule_for(rules, ".cfa");
    const dmp_cfi_rule *const ra_rule = rule_for(rules, ".ra");
    if (!cfa_rule || !ra_rule)
        return DMP_E_NOT_FOUND;
    dmp_eval ev;
    uint64_t cfa, ra;
    dmp_eval_init(&ev, callee, mem);
    dmp_status st = dmp_eval_expr(&ev, cfa_rule->expr.ptr, cfa_rule->expr.len, &cfa);
    if (st != DMP_OK)
        return st;
    /* Each rule starts from the callee's registers and the CFA, as in Breakpad. */
    dmp_eval_init(&ev, callee, mem);
    dmp_eval_set(&ev, ".cfa", cfa);
    const dmp_eval base = ev;
    st = dmp_eval_expr(&ev, ra_rule->expr.ptr, ra_rule->expr.len, &ra);
    if (st != DMP_OK)
        return st;
    /* The CFA and return address stand for the stack and instruction pointers unless a rule
     * names those registers itself (Breakpad's "alternate names"). */
    dmp_regs out = {.cpu = callee->cpu};
    out.value[map.sp] = cfa;
    out.value[map.ip] = ra;
    out.valid = (uint64_t)1 << map.sp | (uint64_t)1 << map.ip;
    for (size_t i = 0; i < rules->count; i++) {
        const dmp_cfi_rule *const r = &rules->rules[i];
        const int reg = dmp_reg_lookup(callee->cpu, r->reg.ptr, r->reg.len);
        uint64_t v;
        if (reg < 0)
            continue; /* .cfa, .ra, or a register this CPU does not unwind */
        ev = base;
        if (dmp_eval_expr(&ev, r->expr.ptr, r->expr.len, &v) != DMP_OK)
            continue;
        out.value[reg] = v;
        out.valid |= (uint64_t)1 << reg;
    }
    *caller = out;
    if (cfa_out)
        *cfa_out = cfa;
    if (ra_out)
        *ra_out = ra;
    return DMP_OK;
}
