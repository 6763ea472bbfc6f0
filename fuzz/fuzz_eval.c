/* fuzz_eval.c - libFuzzer harness for the postfix evaluator of STACK CFI and STACK WIN rules.
 * SPDX-License-Identifier: MIT
 *
 * Input: one selector byte, the expression up to the first '\n', then parameters.
 *   selector & 3        the CPU: x86, amd64, arm64, arm (text seeds use '0'..'3')
 *   selector & 4        leave some registers invalid
 *   parameters          whitespace-separated pairs `NAME VALUE` (VALUE decimal, or hex with
 *                       0x), each set with dmp_eval_set before evaluating
 * The whole input is also the memory `^` reads, twice: at MEM_BASE and ending at the top of
 * the CPU's address space (to reach reads that would wrap); reads elsewhere fail.
 *
 * The expression is run with dmp_eval_expr and with dmp_eval_program, each twice from the
 * same state, and must answer the same both times with a documented status. Checked as well:
 * nothing is written on failure; for x86 and arm (32-bit arithmetic) every value out of the
 * evaluator fits in 32 bits; `^` reads exactly a pointer's width; the state's variables and
 * registers agree with dmp_eval_get; a variable set is read back; register names map to
 * numbers and back. The expression is handed over in a buffer of exactly its length, so ASan
 * catches any read past it.
 *
 * Any violation prints what differed and aborts, which libFuzzer reports as a crash.
 */
#include "harness.h"

#include <dmpread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MEM_BASE UINT64_C(0x10000) /* where the input sits as memory, the first time */
#define PARAM_MAX 40               /* NAME VALUE pairs set per input (DMP_EVAL_MAX_VARS + 8) */
#define LOOKUP_MAX 64              /* tokens tried as register names per input */
#define NAME_MAX_LEN 63            /* longer names are cut: they are invalid anyway */
#define READ_MAX 100000            /* reads one evaluation may make (tokens are capped) */
#define FILL 0xa5
#define SENTINEL UINT64_C(0xa5a5a5a5a5a5a5a5)

/* The input as memory, at two places; reads are all or nothing. */
struct memory {
    const uint8_t *data;
    size_t size;
    uint64_t base[2];
    size_t width; /* the pointer width: the only length `^` may read */
    unsigned reads;
};

/* One input: its parts and the state every evaluation starts from. */
struct run {
    const uint8_t *data;
    size_t size;
    dmp_cpu cpu;
    unsigned reg_count;
    char *expr; /* an exact-length copy of the expression */
    size_t expr_len;
    const uint8_t *params;
    size_t params_len;
    dmp_regs regs;
    struct memory mem;
    uint64_t rng;
};

static bool is_32bit(dmp_cpu cpu)
{
    return cpu == DMP_CPU_X86 || cpu == DMP_CPU_ARM;
}

static uint64_t value_mask(dmp_cpu cpu)
{
    return is_32bit(cpu) ? UINT32_MAX : UINT64_MAX;
}

static bool fits(dmp_cpu cpu, uint64_t v)
{
    return (v & ~value_mask(cpu)) == 0;
}

static bool eval_status_ok(dmp_status st)
{
    return st == DMP_OK || st == DMP_E_MALFORMED || st == DMP_E_UNMAPPED;
}

/* ---- Memory and registers ---------------------------------------------------------------- */

static dmp_status read_input(void *ctx, uint64_t addr, void *dst, size_t len, size_t *bytes_read)
{
    struct memory *const m = ctx;
    CHECK(dst != NULL, "memory read of %zu bytes at %#llx into NULL", len, (ull)addr);
    CHECK(len == m->width, "memory read of %zu bytes at %#llx: not pointer-sized (%zu)", len,
          (ull)addr, m->width);
    CHECK(++m->reads <= READ_MAX, "more than %d memory reads in one evaluation", READ_MAX);
    for (int k = 0; k < 2; k++) {
        const uint64_t off = addr - m->base[k];
        if (addr >= m->base[k] && off <= m->size && len <= m->size - off) {
            memcpy(dst, m->data + off, len);
            if (bytes_read)
                *bytes_read = len;
            return DMP_OK;
        }
    }
    if (bytes_read)
        *bytes_read = 0;
    /* Any failure must do: the evaluator may not rely on DMP_E_UNMAPPED. */
    return addr & 1 ? DMP_E_IO : DMP_E_UNMAPPED;
}

static dmp_memory memory(struct run *r)
{
    r->mem.reads = 0;
    const dmp_memory mem = {read_input, &r->mem};
    return mem;
}

/* Pointers into the input, small numbers and noise; the stack pointer in the input's middle. */
static void fill_regs(struct run *r, bool some_invalid)
{
    dmp_regs *const regs = &r->regs;
    memset(regs, 0, sizeof *regs);
    regs->cpu = r->cpu;
    const uint64_t mask = value_mask(r->cpu);
    for (unsigned i = 0; i < r->reg_count; i++) {
        const uint64_t x = fuzz_rand(&r->rng);
        uint64_t v;
        switch (x % 4) {
        case 0:
            v = MEM_BASE + (x >> 8) % (r->size + 16);
            break;
        case 1:
            v = x >> 58;
            break;
        case 2:
            v = r->mem.base[1] + (x >> 8) % (r->size + 1);
            break;
        default:
            v = fuzz_rand(&r->rng);
            break;
        }
        regs->value[i] = v & mask;
        if (!some_invalid || (x >> 4) % 4 != 0)
            regs->valid |= (uint64_t)1 << i;
    }
    const unsigned sp = dmp_reg_sp(r->cpu), ip = dmp_reg_ip(r->cpu);
    CHECK(sp < r->reg_count && ip < r->reg_count, "cpu %d: sp %u, ip %u of %u registers",
          (int)r->cpu, sp, ip, r->reg_count);
    regs->value[sp] = (MEM_BASE + r->size / 2) & mask;
    regs->valid |= (uint64_t)1 << sp | (uint64_t)1 << ip;
}

/* Every register's name maps back to its number, with and without '$'. */
static void check_reg_names(const struct run *r)
{
    for (unsigned i = 0; i < r->reg_count; i++) {
        const char *const name = dmp_reg_name(r->cpu, i);
        char dollar[32];
        const size_t len = strlen(name);
        CHECK(len > 0 && len < sizeof dollar - 1, "register %u's name is %zu long", i, len);
        CHECK(dmp_reg_lookup(r->cpu, name, len) == (int)i, "register %s is not %u", name, i);
        dollar[0] = '$';
        memcpy(dollar + 1, name, len + 1);
        CHECK(dmp_reg_lookup(r->cpu, dollar, len + 1) == (int)i, "register %s is not %u", dollar,
              i);
    }
}

/* ---- Parameters -------------------------------------------------------------------------- */

static bool is_space(uint8_t c)
{
    return c <= ' ';
}

/* The next whitespace-separated token of the parameters from *pos, or false at their end. */
static bool next_token(const struct run *r, size_t *pos, size_t *start, size_t *len)
{
    size_t i = *pos;
    while (i < r->params_len && is_space(r->params[i]))
        i++;
    *start = i;
    while (i < r->params_len && !is_space(r->params[i]))
        i++;
    *len = i - *start;
    *pos = i;
    return *len > 0;
}

/* Decimal, or hex after 0x; anything else is hashed into a value. */
static uint64_t parse_value(const uint8_t *p, size_t len)
{
    uint64_t v = 0;
    if (len > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        for (size_t i = 2; i < len; i++) {
            const uint8_t c = p[i];
            const int d = c >= '0' && c <= '9'   ? c - '0'
                          : c >= 'a' && c <= 'f' ? c - 'a' + 10
                          : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                 : -1;
            if (d < 0)
                return fuzz_hash(p, len);
            v = v << 4 | (uint64_t)d;
        }
        return v;
    }
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9')
            return fuzz_hash(p, len);
        v = v * 10 + (uint64_t)(p[i] - '0');
    }
    return v;
}

static void copy_name(char *dst, const uint8_t *p, size_t len)
{
    const size_t n = len < NAME_MAX_LEN ? len : NAME_MAX_LEN;
    memcpy(dst, p, n);
    dst[n] = '\0';
}

static bool known_name(const dmp_eval *ev, const char *name)
{
    if (dmp_reg_lookup(ev->regs.cpu, name, strlen(name)) >= 0)
        return true;
    for (size_t i = 0; i < ev->var_count; i++)
        if (strcmp(ev->vars[i].name, name) == 0)
            return true;
    return false;
}

/* dmp_eval_set with its documented outcomes, then the value read back. */
static void set_param(dmp_eval *ev, const char *name, uint64_t value)
{
    const size_t len = strlen(name);
    const bool full = ev->var_count == DMP_EVAL_MAX_VARS && !known_name(ev, name);
    const dmp_status st = dmp_eval_set(ev, name, value);
    if (len == 0 || len > 23) {
        CHECK(st == DMP_E_INVALID_ARG, "eval set of a %zu-byte name = %d", len, (int)st);
        return;
    }
    CHECK(st == DMP_OK || (st == DMP_E_NOMEM && full), "eval set %s = %d (%zu variables)", name,
          (int)st, ev->var_count);
    if (st != DMP_OK)
        return;
    uint64_t got = SENTINEL;
    CHECK(dmp_eval_get(ev, name, &got) == DMP_OK && got == value,
          "eval set %s to %#llx, got %#llx back", name, (ull)value, (ull)got);
}

/* Every NAME VALUE pair of the parameters, with the value cut to the CPU's width. */
static void set_params(const struct run *r, dmp_eval *ev)
{
    size_t pos = 0, a, alen, b, blen;
    for (int k = 0; k < PARAM_MAX && next_token(r, &pos, &a, &alen); k++) {
        char name[NAME_MAX_LEN + 1];
        copy_name(name, r->params + a, alen);
        const uint64_t value = next_token(r, &pos, &b, &blen) ? parse_value(r->params + b, blen)
                                                              : fuzz_hash(r->params + a, alen);
        set_param(ev, name, value & value_mask(r->cpu));
    }
}

/* Tokens of the whole input as register names, through an exact-length copy. */
static void lookup_names(struct run *r)
{
    const struct run whole = {.params = r->data, .params_len = r->size};
    size_t pos = 0, start, len;
    for (int k = 0; k < LOOKUP_MAX && next_token(&whole, &pos, &start, &len); k++) {
        char *const name = malloc(len);
        if (!name)
            return;
        memcpy(name, r->data + start, len);
        const int i = dmp_reg_lookup(r->cpu, name, len);
        CHECK(i == -1 || (i >= 0 && (unsigned)i < r->reg_count), "register %.*s is %d of %u",
              (int)len, name, i, r->reg_count);
        free(name);
    }
}

/* ---- State checks ------------------------------------------------------------------------ */

static void check_state(const struct run *r, const dmp_eval *ev, const char *what)
{
    const dmp_cpu cpu = r->cpu;
    const uint64_t all = r->reg_count >= 64 ? UINT64_MAX : ((uint64_t)1 << r->reg_count) - 1;
    CHECK(ev->regs.cpu == cpu, "%s: cpu became %d", what, (int)ev->regs.cpu);
    CHECK((ev->regs.valid & ~all) == 0, "%s: valid bits %#llx past %u registers", what,
          (ull)ev->regs.valid, r->reg_count);
    CHECK((ev->assigned & ~ev->regs.valid) == 0, "%s: assigned %#llx, valid %#llx", what,
          (ull)ev->assigned, (ull)ev->regs.valid);
    CHECK(ev->var_count <= DMP_EVAL_MAX_VARS, "%s: %zu variables", what, ev->var_count);
    for (size_t i = 0; i < ev->var_count; i++) {
        const char *const name = ev->vars[i].name;
        CHECK(memchr(name, 0, sizeof ev->vars[i].name) != NULL && name[0] != '\0',
              "%s: variable %zu's name is empty or not terminated", what, i);
        CHECK(fits(cpu, ev->vars[i].value), "%s: %s = %#llx on a 32-bit cpu", what, name,
              (ull)ev->vars[i].value);
        uint64_t v = SENTINEL;
        CHECK(dmp_eval_get(ev, name, &v) == DMP_OK && v == ev->vars[i].value,
              "%s: get %s = %#llx, the state holds %#llx", what, name, (ull)v,
              (ull)ev->vars[i].value);
    }
    for (unsigned i = 0; i < r->reg_count; i++) {
        if (!(ev->regs.valid >> i & 1))
            continue;
        const char *const name = dmp_reg_name(cpu, i);
        CHECK(fits(cpu, ev->regs.value[i]), "%s: %s = %#llx on a 32-bit cpu", what, name,
              (ull)ev->regs.value[i]);
        uint64_t v = SENTINEL;
        CHECK(dmp_eval_get(ev, name, &v) == DMP_OK && v == ev->regs.value[i],
              "%s: get %s = %#llx, the register holds %#llx", what, name, (ull)v,
              (ull)ev->regs.value[i]);
    }
}

static bool same_state(const dmp_eval *a, const dmp_eval *b)
{
    if (a->regs.valid != b->regs.valid || a->assigned != b->assigned ||
        a->var_count != b->var_count)
        return false;
    for (unsigned i = 0; i < DMP_REGS_MAX; i++)
        if ((a->regs.valid >> i & 1) && a->regs.value[i] != b->regs.value[i])
            return false;
    for (size_t i = 0; i < a->var_count && i < DMP_EVAL_MAX_VARS; i++)
        if (strcmp(a->vars[i].name, b->vars[i].name) != 0 || a->vars[i].value != b->vars[i].value)
            return false;
    return true;
}

/* ---- Evaluations ------------------------------------------------------------------------- */

/* A fresh state: the registers, then the parameters. */
static void start(struct run *r, dmp_eval *ev)
{
    dmp_eval_init(ev, &r->regs, memory(r));
    CHECK(ev->var_count == 0 && ev->assigned == 0 && ev->regs.valid == r->regs.valid,
          "eval init: %zu variables, assigned %#llx", ev->var_count, (ull)ev->assigned);
    set_params(r, ev);
    r->mem.reads = 0;
}

static dmp_status run_expr(struct run *r, dmp_eval *ev, uint64_t *value)
{
    start(r, ev);
    *value = SENTINEL;
    const dmp_status st = dmp_eval_expr(ev, r->expr, r->expr_len, value);
    CHECK(eval_status_ok(st), "eval expr = %d", (int)st);
    CHECK(st == DMP_OK || *value == SENTINEL, "failed eval expr (%d) wrote its value", (int)st);
    CHECK(st != DMP_OK || fits(r->cpu, *value), "eval expr = %#llx on a 32-bit cpu", (ull)*value);
    check_state(r, ev, "eval expr");
    return st;
}

static dmp_status run_program(struct run *r, dmp_eval *ev)
{
    start(r, ev);
    const dmp_status st = dmp_eval_program(ev, r->expr, r->expr_len);
    CHECK(eval_status_ok(st), "eval program = %d", (int)st);
    check_state(r, ev, "eval program");
    return st;
}

static void evaluate(struct run *r)
{
    dmp_eval *const a = malloc(sizeof *a), *const b = malloc(sizeof *b);
    if (!a || !b)
        goto done;
    uint64_t va, vb;
    const dmp_status ea = run_expr(r, a, &va);
    const dmp_status eb = run_expr(r, b, &vb);
    CHECK(ea == eb && (ea != DMP_OK || va == vb) && same_state(a, b),
          "eval expr twice: %d %#llx, then %d %#llx", (int)ea, (ull)va, (int)eb, (ull)vb);
    const dmp_status pa = run_program(r, a);
    const dmp_status pb = run_program(r, b);
    CHECK(pa == pb && same_state(a, b), "eval program twice: %d, then %d", (int)pa, (int)pb);
    uint64_t v = SENTINEL;
    CHECK(dmp_eval_expr(a, NULL, 1, &v) == DMP_E_INVALID_ARG && v == SENTINEL, "eval expr of NULL");
    CHECK(dmp_eval_expr(a, r->expr, r->expr_len, NULL) == DMP_E_INVALID_ARG, "eval expr into NULL");
done:
    free(a);
    free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const dmp_cpu cpus[] = {DMP_CPU_X86, DMP_CPU_AMD64, DMP_CPU_ARM64, DMP_CPU_ARM};
    if (size == 0)
        return 0;
    struct run r;
    memset(&r, 0, sizeof r);
    r.data = data;
    r.size = size;
    r.cpu = cpus[data[0] & 3];
    while (r.reg_count < DMP_REGS_MAX && dmp_reg_name(r.cpu, r.reg_count) != NULL)
        r.reg_count++;
    const uint8_t *const nl = memchr(data + 1, '\n', size - 1);
    r.expr_len = nl ? (size_t)(nl - (data + 1)) : size - 1;
    r.params = data + 1 + r.expr_len + (nl != NULL);
    r.params_len = size - 1 - r.expr_len - (nl != NULL);
    r.expr = malloc(r.expr_len ? r.expr_len : 1);
    if (!r.expr)
        return 0;
    memcpy(r.expr, data + 1, r.expr_len);
    r.rng = fuzz_hash(data, size);
    r.mem.data = data;
    r.mem.size = size;
    r.mem.width = is_32bit(r.cpu) ? 4 : 8;
    r.mem.base[0] = MEM_BASE;
    r.mem.base[1] = value_mask(r.cpu) - size + 1; /* the last byte at the top */
    fill_regs(&r, data[0] & 4);
    check_reg_names(&r);
    lookup_names(&r);
    evaluate(&r);
    free(r.expr);
    return 0;
}
