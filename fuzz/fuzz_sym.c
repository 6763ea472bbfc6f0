/* fuzz_sym.c - libFuzzer harness for Breakpad .sym files: opens the input, looks addresses up
 * in it and applies the CFI rules and STACK WIN programs found, checking the API's promises.
 * SPDX-License-Identifier: MIT
 *
 * The input is the symbol file. Addresses to look up come from the input itself: a few fixed
 * ones (0, 1, 2^64-1, ...), 8-byte values from its tail, a sample of the hex tokens in its text
 * (so that the fuzzer's own FUNC, PUBLIC, INIT and WIN addresses get looked up), and then,
 * while the budget lasts, the edges of every range an answer reveals (start, start-1, the last
 * byte, one past it). At each address FUNC/PUBLIC, STACK CFI and STACK WIN are looked up twice
 * and must answer the same; a failed call must leave its out-parameter untouched; every string
 * handed out must lie inside the input (or be one of the library's static strings); every
 * range returned must hold the address asked for. Each CFI rule set found is applied with a
 * register set pointing into the input, which also serves as the memory that `^` reads
 * (all or nothing, at MEM_BASE); each STACK WIN program is run the same way. For x86 and arm,
 * whose arithmetic is 32-bit, every value out of the evaluator must fit in 32 bits. The summary
 * and the diagnostics are checked against the text too: its line count, each diagnostic's line
 * and offset, and every record offset handed out starting a line that holds that record.
 * Work per input is bounded (PROBE_MAX lookups, APPLY_MAX and PROGRAM_MAX evaluations).
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

#define PROBE_MAX 64    /* addresses looked up per input */
#define TAIL_ADDRS 4    /* 8-byte addresses read from the input's end */
#define HARVEST_MAX 24  /* hex tokens of the text looked up */
#define APPLY_MAX 24    /* CFI rule sets applied per input */
#define PROGRAM_MAX 24  /* STACK WIN programs run per input */
#define READ_MAX 100000 /* memory reads one evaluation may make before it is a runaway */
#define MEM_BASE UINT64_C(0x100000) /* where the input sits as memory */
#define FILL 0xa5                   /* what out-parameters hold before a call */
#define SENTINEL UINT64_C(0xa5a5a5a5a5a5a5a5)

/* The input as memory for `^`: reads inside it succeed whole, all others fail. */
struct memory {
    const uint8_t *data;
    size_t size;
    uint64_t base;
    size_t width; /* the only read length the evaluator may ask for: the CPU's pointer */
    unsigned reads;
};

/* One opened input. */
struct run {
    const dmp_symfile *s;
    const uint8_t *data;
    size_t size;
    bool borrowed; /* strings point into data (false when the input was gzip) */
    dmp_sym_info info;
    dmp_cpu cpu; /* the register set's CPU: the file's, or one picked by the input */
    uint64_t rng;
    uint64_t queue[PROBE_MAX];
    size_t queued;
    unsigned applied, programs;
};

static bool all_equal(const void *p, size_t n, uint8_t v)
{
    const uint8_t *const b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != v)
            return false;
    return true;
}

static bool is_32bit(dmp_cpu cpu)
{
    return cpu == DMP_CPU_X86 || cpu == DMP_CPU_ARM;
}

static bool fits(dmp_cpu cpu, uint64_t v)
{
    return !is_32bit(cpu) || v <= UINT32_MAX;
}

static unsigned reg_count(dmp_cpu cpu)
{
    unsigned n = 0;
    while (n < DMP_REGS_MAX && dmp_reg_name(cpu, n) != NULL)
        n++;
    return n;
}

static uint64_t reg_mask(unsigned n)
{
    return n >= 64 ? UINT64_MAX : ((uint64_t)1 << n) - 1;
}

/* ---- Strings ----------------------------------------------------------------------------- */

/* Strings the library may hand out that are not in the file. */
static const char *const static_strings[] = {"<name omitted>"};

static bool inside(const struct run *r, const char *p, size_t len)
{
    const uintptr_t at = (uintptr_t)p, base = (uintptr_t)r->data;
    return at >= base && at - base <= r->size && len <= r->size - (at - base);
}

static void check_str(const struct run *r, dmp_sym_str s, const char *what)
{
    CHECK(s.ptr != NULL, "%s: NULL string", what);
    if (s.len == 0)
        return;
    for (size_t i = 0; i < sizeof static_strings / sizeof *static_strings; i++)
        if (s.len == strlen(static_strings[i]) && memcmp(s.ptr, static_strings[i], s.len) == 0)
            return;
    if (r->borrowed)
        CHECK(inside(r, s.ptr, s.len), "%s: %zu bytes at %p, outside the input [%p, +%zu)", what,
              s.len, (const void *)s.ptr, (const void *)r->data, r->size);
    /* Within one line: touching every byte also lets ASan check strings of inflated input. */
    CHECK(memchr(s.ptr, '\n', s.len) == NULL, "%s: holds a line break: %.*s", what, (int)s.len,
          s.ptr);
}

static bool same_str(dmp_sym_str a, dmp_sym_str b)
{
    return a.ptr == b.ptr && a.len == b.len;
}

static bool str_equal(dmp_sym_str a, dmp_sym_str b)
{
    return a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0;
}

/* ---- The address queue ------------------------------------------------------------------- */

static void push(struct run *r, uint64_t addr)
{
    if (r->queued == PROBE_MAX)
        return;
    for (size_t i = 0; i < r->queued; i++)
        if (r->queue[i] == addr)
            return;
    r->queue[r->queued++] = addr;
}

/* The first, the one before, the last and the one after [start, start+size). */
static void push_edges(struct run *r, uint64_t start, uint64_t size)
{
    push(r, start);
    push(r, start - 1);
    if (size > 0)
        push(r, start + (size - 1));
    push(r, start + size);
}

static void push_tail(struct run *r)
{
    for (size_t k = 1; k <= TAIL_ADDRS && 8 * k <= r->size; k++) {
        const uint8_t *const p = r->data + r->size - 8 * k;
        uint64_t v = 0;
        for (int b = 7; b >= 0; b--)
            v = v << 8 | p[b];
        push(r, v);
    }
}

static int hex_digit(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool is_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A sample (reservoir, seeded by the input) of the tokens of 1 to 16 hex digits in the text:
 * the addresses of its records, and their neighbours' sizes. */
static void push_harvest(struct run *r)
{
    uint64_t picks[HARVEST_MAX];
    size_t seen = 0;
    size_t i = 0;
    while (i < r->size) {
        while (i < r->size && is_space(r->data[i]))
            i++;
        const size_t start = i;
        uint64_t v = 0;
        bool hex = true;
        for (; i < r->size && !is_space(r->data[i]); i++) {
            const int d = hex_digit(r->data[i]);
            hex = hex && d >= 0;
            v = v << 4 | (uint64_t)(d & 15);
        }
        if (!hex || i == start || i - start > 16)
            continue;
        if (seen < HARVEST_MAX) {
            picks[seen] = v;
        } else {
            const uint64_t k = fuzz_rand(&r->rng) % (seen + 1);
            if (k < HARVEST_MAX)
                picks[k] = v;
        }
        seen++;
    }
    for (size_t k = 0; k < seen && k < HARVEST_MAX; k++)
        push(r, picks[k]);
}

/* ---- Memory and registers ---------------------------------------------------------------- */

static dmp_status read_input(void *ctx, uint64_t addr, void *dst, size_t len, size_t *bytes_read)
{
    struct memory *const m = ctx;
    CHECK(dst != NULL, "memory read of %zu bytes at %#llx into NULL", len, (ull)addr);
    CHECK(len == m->width, "memory read of %zu bytes at %#llx: not pointer-sized (%zu)", len,
          (ull)addr, m->width);
    CHECK(++m->reads <= READ_MAX, "more than %d memory reads in one evaluation", READ_MAX);
    const uint64_t off = addr - m->base;
    if (addr >= m->base && off <= m->size && len <= m->size - off) {
        memcpy(dst, m->data + off, len);
        if (bytes_read)
            *bytes_read = len;
        return DMP_OK;
    }
    if (bytes_read)
        *bytes_read = 0;
    /* Any failure must do: the evaluator may not rely on DMP_E_UNMAPPED. */
    return addr < m->base ? DMP_E_NOT_FOUND : DMP_E_UNMAPPED;
}

static dmp_memory memory_of(struct memory *m, const struct run *r, dmp_cpu cpu)
{
    m->data = r->data;
    m->size = r->size;
    m->base = MEM_BASE;
    m->width = is_32bit(cpu) ? 4 : 8;
    m->reads = 0;
    const dmp_memory mem = {read_input, m};
    return mem;
}

/* Plausible values: pointers into the input, small numbers, noise; a few left invalid. The
 * stack pointer points into the input's middle and the instruction pointer at `ip`. */
static void fill_regs(struct run *r, dmp_cpu cpu, uint64_t ip, dmp_regs *regs)
{
    memset(regs, 0, sizeof *regs);
    regs->cpu = cpu;
    const unsigned n = reg_count(cpu);
    const uint64_t mask = is_32bit(cpu) ? UINT32_MAX : UINT64_MAX;
    const uint64_t middle = MEM_BASE + (r->size / 2 & ~(uint64_t)7);
    for (unsigned i = 0; i < n; i++) {
        const uint64_t x = fuzz_rand(&r->rng);
        uint64_t v;
        switch (x % 4) {
        case 0:
            v = MEM_BASE + ((x >> 8) % (r->size + 16) & ~(uint64_t)3);
            break;
        case 1:
            v = x >> 56;
            break;
        case 2:
            v = middle;
            break;
        default:
            v = fuzz_rand(&r->rng);
            break;
        }
        regs->value[i] = v & mask;
        if ((x >> 4) % 16 != 0)
            regs->valid |= (uint64_t)1 << i;
    }
    if (n > 0) {
        const unsigned sp = dmp_reg_sp(cpu), pc = dmp_reg_ip(cpu);
        CHECK(sp < n && pc < n, "cpu %d: sp %u, ip %u of %u registers", (int)cpu, sp, pc, n);
        regs->value[sp] = middle & mask;
        regs->value[pc] = ip & mask;
        regs->valid |= (uint64_t)1 << sp | (uint64_t)1 << pc;
    }
}

/* ---- FUNC and PUBLIC --------------------------------------------------------------------- */

static bool same_inline(const dmp_sym_inline *a, const dmp_sym_inline *b)
{
    return same_str(a->name, b->name) && a->start == b->start && a->depth == b->depth &&
           a->has_line == b->has_line && same_str(a->file, b->file) && a->line == b->line;
}

static bool same_lookup(const dmp_sym_lookup *a, const dmp_sym_lookup *b)
{
    if (a->kind != b->kind || !same_str(a->name, b->name) || a->start != b->start ||
        a->size != b->size || a->param_size != b->param_size || a->multiple != b->multiple ||
        a->sym_offset != b->sym_offset || a->has_line != b->has_line ||
        !same_str(a->file, b->file) || a->line != b->line || a->line_start != b->line_start ||
        a->line_size != b->line_size || a->inline_count != b->inline_count ||
        a->inlines_truncated != b->inlines_truncated || a->bad_records != b->bad_records ||
        (a->bad_records != 0 && a->bad_offset != b->bad_offset))
        return false;
    for (size_t i = 0; i < a->inline_count && i < DMP_SYM_MAX_INLINES; i++)
        if (!same_inline(&a->inlines[i], &b->inlines[i]))
            return false;
    return true;
}

static bool is_flag(int v)
{
    return v == 0 || v == 1;
}

/* A record's offset: the start of a line of the input, which begins with `keyword`. */
static void check_sym_offset(const struct run *r, uint64_t off, const char *keyword,
                             const char *what)
{
    if (!r->borrowed) /* offsets into the inflated text */
        return;
    CHECK(off < r->size, "%s: record at offset %llu of %zu", what, (ull)off, r->size);
    CHECK(off == 0 || r->data[off - 1] == '\n', "%s: offset %llu is not a line start", what,
          (ull)off);
    const size_t len = strlen(keyword);
    CHECK(len <= r->size - off && memcmp(r->data + off, keyword, len) == 0,
          "%s: the line at offset %llu is no %s record", what, (ull)off, keyword);
}

static void check_func(const struct run *r, uint64_t addr, const dmp_sym_lookup *l)
{
    CHECK(addr - l->start < l->size, "lookup(%#llx): FUNC [%#llx, +%#llx) does not hold it",
          (ull)addr, (ull)l->start, (ull)l->size);
    if (l->bad_records > 0) {
        CHECK(l->bad_offset > l->sym_offset && (!r->borrowed || l->bad_offset < r->size),
              "lookup(%#llx): bad record at %llu for a FUNC at %llu", (ull)addr, (ull)l->bad_offset,
              (ull)l->sym_offset);
        CHECK(!r->borrowed || r->data[l->bad_offset - 1] == '\n',
              "lookup(%#llx): bad record at %llu, not a line start", (ull)addr, (ull)l->bad_offset);
    }
    /* With inlines, has_line may stand for the outermost call site alone. */
    if (l->line_size > 0 || (l->has_line && l->inline_count == 0))
        CHECK(addr - l->line_start < l->line_size,
              "lookup(%#llx): line record [%#llx, +%#llx) does not hold it", (ull)addr,
              (ull)l->line_start, (ull)l->line_size);
    for (size_t i = 0; i < l->inline_count; i++) {
        const dmp_sym_inline *const in = &l->inlines[i];
        check_str(r, in->name, "inline name");
        check_str(r, in->file, "inline file");
        CHECK(is_flag(in->has_line), "lookup(%#llx): inline %zu has_line %d", (ull)addr, i,
              in->has_line);
        CHECK(in->start <= addr, "lookup(%#llx): inline %zu starts above it, at %#llx", (ull)addr,
              i, (ull)in->start);
    }
}

static void check_lookup(const struct run *r, uint64_t addr, const dmp_sym_lookup *l)
{
    CHECK(l->kind == DMP_SYM_FUNC || l->kind == DMP_SYM_PUBLIC, "lookup(%#llx): kind %d", (ull)addr,
          (int)l->kind);
    check_str(r, l->name, "function name");
    check_str(r, l->file, "function file");
    check_sym_offset(r, l->sym_offset, l->kind == DMP_SYM_FUNC ? "FUNC" : "PUBLIC", "lookup");
    CHECK(is_flag(l->multiple) && is_flag(l->has_line) && is_flag(l->inlines_truncated),
          "lookup(%#llx): flags %d %d %d", (ull)addr, l->multiple, l->has_line,
          l->inlines_truncated);
    CHECK(l->inline_count <= DMP_SYM_MAX_INLINES, "lookup(%#llx): %zu inlines", (ull)addr,
          l->inline_count);
    CHECK(!l->inlines_truncated || l->inline_count == DMP_SYM_MAX_INLINES,
          "lookup(%#llx): truncated at %zu inlines", (ull)addr, l->inline_count);
    if (l->kind == DMP_SYM_FUNC) {
        check_func(r, addr, l);
        return;
    }
    CHECK(l->start <= addr && (l->size == 0 || addr - l->start < l->size),
          "lookup(%#llx): PUBLIC [%#llx, +%#llx) does not hold it", (ull)addr, (ull)l->start,
          (ull)l->size);
    CHECK(l->inline_count == 0 && !l->has_line, "lookup(%#llx): PUBLIC with lines or inlines",
          (ull)addr);
}

/* One lookup, with the out-parameter untouched on failure. */
static dmp_status lookup(const struct run *r, uint64_t addr, dmp_sym_lookup *l)
{
    memset(l, FILL, sizeof *l);
    const dmp_status st = dmp_sym_lookup_addr(r->s, addr, l);
    CHECK(st == DMP_OK || st == DMP_E_NOT_FOUND, "lookup(%#llx) = %d", (ull)addr, (int)st);
    CHECK(st == DMP_OK || all_equal(l, sizeof *l, FILL), "failed lookup(%#llx) wrote its output",
          (ull)addr);
    return st;
}

/* FUNCs in the index do not overlap, so the one holding addr is found from its own ends. */
static void check_func_ends(const struct run *r, const dmp_sym_lookup *l)
{
    const uint64_t ends[2] = {l->start, l->start + (l->size - 1)};
    for (int k = 0; k < 2; k++) {
        dmp_sym_lookup m;
        const dmp_status st = lookup(r, ends[k], &m);
        CHECK(st == DMP_OK && m.kind == DMP_SYM_FUNC && m.start == l->start && m.size == l->size &&
                  same_str(m.name, l->name),
              "lookup(%#llx) = %d, not the FUNC at %#llx that holds it", (ull)ends[k], (int)st,
              (ull)l->start);
    }
}

static void probe_lookup(struct run *r, uint64_t addr)
{
    dmp_sym_lookup a, b;
    const dmp_status st = lookup(r, addr, &a);
    CHECK(lookup(r, addr, &b) == st && (st != DMP_OK || same_lookup(&a, &b)),
          "lookup(%#llx): a second lookup answered differently", (ull)addr);
    if (st != DMP_OK)
        return;
    check_lookup(r, addr, &a);
    if (a.kind == DMP_SYM_FUNC)
        check_func_ends(r, &a);
    push_edges(r, a.start, a.size);
    if (a.line_size > 0)
        push_edges(r, a.line_start, a.line_size);
    for (size_t i = 0; i < a.inline_count; i++)
        push(r, a.inlines[i].start);
}

/* ---- STACK CFI --------------------------------------------------------------------------- */

static bool same_rules(const dmp_cfi_rules *a, const dmp_cfi_rules *b)
{
    if (a->init_start != b->init_start || a->init_size != b->init_size ||
        a->sym_offset != b->sym_offset || a->count != b->count)
        return false;
    for (size_t i = 0; i < a->count && i < DMP_CFI_MAX_RULES; i++)
        if (!same_str(a->rules[i].reg, b->rules[i].reg) ||
            !same_str(a->rules[i].expr, b->rules[i].expr))
            return false;
    return true;
}

static void check_rules(const struct run *r, uint64_t addr, const dmp_cfi_rules *c)
{
    CHECK(addr - c->init_start < c->init_size, "cfi(%#llx): INIT [%#llx, +%#llx) does not hold it",
          (ull)addr, (ull)c->init_start, (ull)c->init_size);
    check_sym_offset(r, c->sym_offset, "STACK CFI INIT", "cfi");
    CHECK(c->count <= DMP_CFI_MAX_RULES, "cfi(%#llx): %zu rules", (ull)addr, c->count);
    for (size_t i = 0; i < c->count; i++) {
        const dmp_cfi_rule *const rule = &c->rules[i];
        check_str(r, rule->reg, "cfi register");
        check_str(r, rule->expr, "cfi expression");
        CHECK(rule->reg.len > 0 && rule->expr.len > 0, "cfi(%#llx): rule %zu is empty", (ull)addr,
              i);
        CHECK(!r->borrowed || (inside(r, rule->reg.ptr, rule->reg.len + 1) &&
                               rule->reg.ptr[rule->reg.len] == ':'),
              "cfi(%#llx): rule %zu's register is not followed by its colon", (ull)addr, i);
        for (size_t j = 0; j < i; j++)
            CHECK(!str_equal(c->rules[j].reg, rule->reg), "cfi(%#llx): %.*s has two rules",
                  (ull)addr, (int)rule->reg.len, rule->reg.ptr);
    }
}

/* The registers named by a rule set, as a mask of the CPU's numbers. */
static uint64_t ruled_regs(dmp_cpu cpu, const dmp_cfi_rules *rules)
{
    uint64_t mask = 0;
    for (size_t i = 0; i < rules->count && i < DMP_CFI_MAX_RULES; i++) {
        const int reg = dmp_reg_lookup(cpu, rules->rules[i].reg.ptr, rules->rules[i].reg.len);
        if (reg >= 0 && reg < 64)
            mask |= (uint64_t)1 << reg;
    }
    return mask;
}

/* Only sp, ip and registers with a rule are valid; sp and ip are the CFA and the return
 * address unless a rule names them. */
static void check_caller(dmp_cpu cpu, const dmp_cfi_rules *rules, const dmp_regs *caller,
                         uint64_t cfa, uint64_t ra)
{
    const unsigned n = reg_count(cpu), sp = dmp_reg_sp(cpu), ip = dmp_reg_ip(cpu);
    const uint64_t ruled = ruled_regs(cpu, rules);
    CHECK(caller->cpu == cpu, "cfi apply: caller cpu %d, callee %d", (int)caller->cpu, (int)cpu);
    CHECK((caller->valid & ~reg_mask(n)) == 0, "cfi apply: valid bits %#llx past %u registers",
          (ull)caller->valid, n);
    CHECK((caller->valid & ~(ruled | (uint64_t)1 << sp | (uint64_t)1 << ip)) == 0,
          "cfi apply: valid %#llx, but only %#llx have rules", (ull)caller->valid, (ull)ruled);
    CHECK(fits(cpu, cfa) && fits(cpu, ra), "cfi apply: cfa %#llx, ra %#llx on a 32-bit cpu",
          (ull)cfa, (ull)ra);
    for (unsigned i = 0; i < n; i++)
        CHECK(!(caller->valid >> i & 1) || fits(cpu, caller->value[i]),
              "cfi apply: %s = %#llx on a 32-bit cpu", dmp_reg_name(cpu, i), (ull)caller->value[i]);
    CHECK((ruled >> sp & 1) || ((caller->valid >> sp & 1) && caller->value[sp] == cfa),
          "cfi apply: no rule for sp, yet it is not the cfa %#llx", (ull)cfa);
    CHECK((ruled >> ip & 1) || ((caller->valid >> ip & 1) && caller->value[ip] == ra),
          "cfi apply: no rule for ip, yet it is not the ra %#llx", (ull)ra);
}

/* The caller's registers from the callee's: a status the header names, nothing written on
 * failure, and the same answer without cfa and ra asked for. */
static void apply_rules(struct run *r, const dmp_cfi_rules *rules, uint64_t addr)
{
    if (r->applied++ >= APPLY_MAX)
        return;
    dmp_regs callee, caller, again;
    fill_regs(r, r->cpu, addr, &callee);
    struct memory m;
    const dmp_memory mem = memory_of(&m, r, r->cpu);
    uint64_t cfa = SENTINEL, ra = SENTINEL;
    memset(&caller, FILL, sizeof caller);
    const dmp_status st = dmp_cfi_apply(rules, &callee, mem, &caller, &cfa, &ra);
    CHECK(st == DMP_OK || st == DMP_E_NOT_FOUND || st == DMP_E_MALFORMED || st == DMP_E_UNMAPPED,
          "cfi apply at %#llx = %d", (ull)addr, (int)st);
    if (st == DMP_OK) {
        check_caller(r->cpu, rules, &caller, cfa, ra);
    } else {
        CHECK(all_equal(&caller, sizeof caller, FILL) && cfa == SENTINEL && ra == SENTINEL,
              "cfi apply at %#llx failed (%d) but wrote its output", (ull)addr, (int)st);
    }
    memset(&again, FILL, sizeof again);
    m.reads = 0;
    const dmp_status st2 = dmp_cfi_apply(rules, &callee, mem, &again, NULL, NULL);
    CHECK(st2 == st, "cfi apply at %#llx = %d, then %d", (ull)addr, (int)st, (int)st2);
    CHECK(st != DMP_OK || (again.valid == caller.valid &&
                           memcmp(again.value, caller.value, sizeof caller.value) == 0),
          "cfi apply at %#llx: a second run gave other registers", (ull)addr);
}

static void probe_cfi(struct run *r, uint64_t addr)
{
    dmp_cfi_rules a, b;
    memset(&a, FILL, sizeof a);
    memset(&b, FILL, sizeof b);
    const dmp_status st = dmp_sym_find_cfi(r->s, addr, &a);
    CHECK(st == DMP_OK || st == DMP_E_NOT_FOUND || st == DMP_E_MALFORMED, "cfi(%#llx) = %d",
          (ull)addr, (int)st);
    CHECK(st == DMP_OK || all_equal(&a, sizeof a, FILL), "failed cfi(%#llx) wrote its output",
          (ull)addr);
    CHECK(dmp_sym_find_cfi(r->s, addr, &b) == st && (st != DMP_OK || same_rules(&a, &b)),
          "cfi(%#llx): a second lookup answered differently", (ull)addr);
    if (st != DMP_OK)
        return;
    check_rules(r, addr, &a);
    /* INITs in the index do not overlap: the one holding addr is found from its start. */
    CHECK(dmp_sym_find_cfi(r->s, a.init_start, &b) == DMP_OK && b.init_start == a.init_start &&
              b.init_size == a.init_size,
          "cfi(%#llx) is not the INIT at %#llx that holds it", (ull)a.init_start,
          (ull)a.init_start);
    push_edges(r, a.init_start, a.init_size);
    apply_rules(r, &a, addr);
}

/* ---- STACK WIN --------------------------------------------------------------------------- */

static bool same_win(const dmp_win_record *a, const dmp_win_record *b)
{
    return a->type == b->type && a->start == b->start && a->size == b->size &&
           a->prologue_size == b->prologue_size && a->epilogue_size == b->epilogue_size &&
           a->param_size == b->param_size && a->saved_regs_size == b->saved_regs_size &&
           a->locals_size == b->locals_size && a->max_stack_size == b->max_stack_size &&
           a->has_program == b->has_program && same_str(a->program, b->program) &&
           a->allocates_base_pointer == b->allocates_base_pointer && a->sym_offset == b->sym_offset;
}

static void check_eval_state(const dmp_eval *ev, const char *what)
{
    const dmp_cpu cpu = ev->regs.cpu;
    CHECK(ev->var_count <= DMP_EVAL_MAX_VARS, "%s: %zu variables", what, ev->var_count);
    for (size_t i = 0; i < ev->var_count; i++) {
        CHECK(memchr(ev->vars[i].name, 0, sizeof ev->vars[i].name) != NULL,
              "%s: variable %zu's name is not terminated", what, i);
        CHECK(fits(cpu, ev->vars[i].value), "%s: %s = %#llx on a 32-bit cpu", what,
              ev->vars[i].name, (ull)ev->vars[i].value);
    }
    for (unsigned i = 0; i < DMP_REGS_MAX; i++)
        CHECK(!(ev->regs.valid >> i & 1) || fits(cpu, ev->regs.value[i]),
              "%s: register %u = %#llx on a 32-bit cpu", what, i, (ull)ev->regs.value[i]);
}

/* What a walker does with a FRAME_DATA record: the x86 registers, the record's sizes as
 * variables, then the program. The program is copied so that ASan sees a read past it. */
static void run_program(struct run *r, const dmp_win_record *w, uint64_t addr)
{
    if (!w->has_program || r->programs++ >= PROGRAM_MAX)
        return;
    char *const prog = malloc(w->program.len ? w->program.len : 1);
    if (!prog)
        return;
    memcpy(prog, w->program.ptr, w->program.len);
    dmp_regs regs;
    fill_regs(r, DMP_CPU_X86, addr, &regs);
    struct memory m;
    dmp_eval ev;
    dmp_eval_init(&ev, &regs, memory_of(&m, r, DMP_CPU_X86));
    const uint64_t esp = regs.value[dmp_reg_sp(DMP_CPU_X86)];
    const struct {
        const char *name;
        uint64_t value;
    } vars[] = {{".cbParams", w->param_size},
                {".cbCalleeParams", 0},
                {".cbSavedRegs", w->saved_regs_size},
                {".cbLocals", w->locals_size},
                {".raSearchStart", esp},
                {".raSearch", esp}};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
        CHECK(dmp_eval_set(&ev, vars[i].name, vars[i].value) == DMP_OK, "eval set %s failed",
              vars[i].name);
    const dmp_status st = dmp_eval_program(&ev, prog, w->program.len);
    CHECK(st == DMP_OK || st == DMP_E_MALFORMED || st == DMP_E_UNMAPPED,
          "STACK WIN program at %#llx = %d", (ull)addr, (int)st);
    check_eval_state(&ev, "STACK WIN program");
    free(prog);
}

static void check_win(const struct run *r, uint64_t addr, const dmp_win_record *w)
{
    CHECK(w->type == 4 || w->type == 0, "win(%#llx): type %u", (ull)addr, w->type);
    CHECK(addr - w->start < w->size, "win(%#llx): [%#llx, +%#llx) does not hold it", (ull)addr,
          (ull)w->start, (ull)w->size);
    check_sym_offset(r, w->sym_offset, "STACK WIN", "win");
    CHECK(is_flag(w->has_program) && is_flag(w->allocates_base_pointer), "win(%#llx): flags %d %d",
          (ull)addr, w->has_program, w->allocates_base_pointer);
    check_str(r, w->program, "STACK WIN program");
}

static void probe_win(struct run *r, uint64_t addr)
{
    dmp_win_record a, b;
    memset(&a, FILL, sizeof a);
    memset(&b, FILL, sizeof b);
    const dmp_status st = dmp_sym_find_win(r->s, addr, &a);
    CHECK(st == DMP_OK || st == DMP_E_NOT_FOUND, "win(%#llx) = %d", (ull)addr, (int)st);
    CHECK(st == DMP_OK || all_equal(&a, sizeof a, FILL), "failed win(%#llx) wrote its output",
          (ull)addr);
    CHECK(dmp_sym_find_win(r->s, addr, &b) == st && (st != DMP_OK || same_win(&a, &b)),
          "win(%#llx): a second lookup answered differently", (ull)addr);
    if (st != DMP_OK)
        return;
    check_win(r, addr, &a);
    push_edges(r, a.start, a.size);
    run_program(r, &a, addr);
}

/* ---- Open, info, diagnostics ------------------------------------------------------------- */

/* Lines as the open pass counts them: every '\n' ends one, and a last line need not. */
static uint64_t count_lines(const uint8_t *data, size_t size)
{
    uint64_t n = 0;
    for (const uint8_t *p = data, *end = data + size; p < end; p++) {
        const uint8_t *const nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return n + 1;
        n++;
        p = nl;
    }
    return n;
}

static void check_info(const struct run *r)
{
    const dmp_sym_info *const i = &r->info;
    check_str(r, i->os, "MODULE os");
    check_str(r, i->arch, "MODULE arch");
    check_str(r, i->id, "MODULE id");
    check_str(r, i->name, "MODULE name");
    check_str(r, i->code_id, "INFO CODE_ID");
    check_str(r, i->code_file, "INFO CODE_ID file");
    CHECK(i->cpu >= DMP_CPU_UNKNOWN && i->cpu <= DMP_CPU_ARM64, "info: cpu %d", (int)i->cpu);
    if (r->borrowed)
        CHECK(i->line_count == count_lines(r->data, r->size),
              "info: %llu lines, the input has %llu", (ull)i->line_count,
              (ull)count_lines(r->data, r->size));
    const uint64_t records = (uint64_t)i->file_count + i->origin_count + i->func_count +
                             i->public_count + i->cfi_count + i->win_count;
    CHECK(records <= i->line_count, "info: %llu records on %llu lines", (ull)records,
          (ull)i->line_count);
}

static void check_diags(const struct run *r)
{
    const size_t n = dmp_sym_diag_count(r->s);
    const uint64_t all = r->info.bad_lines;
    CHECK(n == (all < DMP_SYM_MAX_DIAGS ? all : DMP_SYM_MAX_DIAGS),
          "%zu diagnostics kept of %llu counted", n, (ull)all);
    for (size_t i = 0; i < n; i++) {
        dmp_sym_diag d;
        CHECK(dmp_sym_diag_get(r->s, i, &d) == DMP_OK, "diag %zu of %zu not found", i, n);
        CHECK(d.kind >= DMP_SYM_DIAG_MODULE && d.kind <= DMP_SYM_DIAG_DUPLICATE,
              "diag %zu: kind %d", i, (int)d.kind);
        const char *const name = dmp_sym_diag_kind_name(d.kind);
        CHECK(name != NULL && name[0] != '\0', "diag %zu: kind %d has no name", i, (int)d.kind);
        CHECK(d.line >= 1 && d.line <= (r->info.line_count > 0 ? r->info.line_count : 1),
              "diag %zu: line %llu of %llu", i, (ull)d.line, (ull)r->info.line_count);
        if (r->borrowed) {
            CHECK(d.offset <= r->size, "diag %zu: offset %llu past the input's %zu bytes", i,
                  (ull)d.offset, r->size);
            CHECK(d.offset == 0 || r->data[d.offset - 1] == '\n',
                  "diag %zu: offset %llu is not a line start", i, (ull)d.offset);
        }
        const uint64_t line = dmp_sym_line_of(r->s, d.offset);
        CHECK(line == d.line, "diag %zu: line %llu, but offset %llu is on line %llu", i,
              (ull)d.line, (ull)d.offset, (ull)line);
    }
    dmp_sym_diag d;
    memset(&d, FILL, sizeof d);
    CHECK(dmp_sym_diag_get(r->s, n, &d) != DMP_OK && all_equal(&d, sizeof d, FILL),
          "diag %zu of %zu found", n, n);
}

/* Arguments the API must refuse whatever the file. */
static void probe_arguments(const struct run *r)
{
    dmp_sym_lookup l;
    dmp_cfi_rules c;
    dmp_win_record w;
    CHECK(dmp_sym_lookup_addr(NULL, 0, &l) == DMP_E_INVALID_ARG, "lookup: NULL file");
    CHECK(dmp_sym_find_cfi(NULL, 0, &c) == DMP_E_INVALID_ARG, "cfi: NULL file");
    CHECK(dmp_sym_find_win(NULL, 0, &w) == DMP_E_INVALID_ARG, "win: NULL file");
    CHECK(dmp_sym_lookup_addr(r->s, 0, NULL) == DMP_E_INVALID_ARG, "lookup: NULL out");
    CHECK(dmp_sym_find_cfi(r->s, 0, NULL) == DMP_E_INVALID_ARG, "cfi: NULL out");
    CHECK(dmp_sym_find_win(r->s, 0, NULL) == DMP_E_INVALID_ARG, "win: NULL out");
}

static void probe_all(struct run *r)
{
    static const uint64_t fixed[] = {0, 1, UINT64_MAX, UINT32_MAX, (uint64_t)INT64_MAX + 1};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        push(r, fixed[i]);
    push_tail(r);
    push_harvest(r);
    for (size_t i = 0; i < r->queued; i++) { /* probes push the edges they find */
        const uint64_t addr = r->queue[i];
        probe_lookup(r, addr);
        probe_cfi(r, addr);
        probe_win(r, addr);
    }
}

static bool open_ok(dmp_status st, size_t size)
{
    return st == DMP_OK || st == DMP_E_NOMEM || st == DMP_E_INFLATE || st == DMP_E_TOO_LARGE ||
           (st == DMP_E_INVALID_ARG && size == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const dmp_cpu cpus[] = {DMP_CPU_X86, DMP_CPU_AMD64, DMP_CPU_ARM64, DMP_CPU_ARM};
    dmp_symfile *s = (dmp_symfile *)SENTINEL;
    dmp_error err;
    memset(&err, FILL, sizeof err);
    const dmp_status st = dmp_sym_open_mem(data, size, &s, &err);
    CHECK(open_ok(st, size), "open = %d", (int)st);
    if (st != DMP_OK) {
        CHECK(s == (dmp_symfile *)SENTINEL, "failed open wrote its handle");
        CHECK(err.status == st && memchr(err.message, 0, sizeof err.message) != NULL,
              "failed open: error %d, message not terminated", (int)err.status);
        return 0;
    }
    struct run r;
    memset(&r, 0, sizeof r);
    r.s = s;
    r.data = data;
    r.size = size;
    r.borrowed = !(size >= 2 && data[0] == 0x1f && data[1] == 0x8b);
    r.rng = fuzz_hash(data, size);
    dmp_sym_get_info(s, &r.info);
    r.cpu = r.info.cpu != DMP_CPU_UNKNOWN ? r.info.cpu : cpus[fuzz_rand(&r.rng) % 4];
    check_info(&r);
    check_diags(&r);
    probe_arguments(&r);
    probe_all(&r);
    dmp_sym_close(s);
    return 0;
}
