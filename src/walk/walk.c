/* walk.c - the stack walker's one loop: the context frame, then the CPU's cascade of methods
 * for each caller, the checks that end a walk, and the symbols of each frame.
 * SPDX-License-Identifier: MIT
 *
 * Every CPU walks through this loop; a CPU file (amd64.c, x86.c, arm64.c) says only which
 * methods to try, in which order. Memory is read through the dmp_memory callback, all or
 * nothing, never through the mapping: the default source is dmp_read_memory, so stacks that
 * live only in a Memory64List are walked like the others.
 */
#include "walk.h"

#include "../image/elf.h"
#include "../image/image.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_FRAMES 1024
#define DEFAULT_MAX_SCANNED 1024
#define SCAN_WORDS 40 /* Breakpad's kRASearchWords; four times that from the context frame */
#define MIN_IP 4096   /* a caller below this ends the walk, as in Breakpad */

bool dmpi_walk_read_ptr(struct walker *w, uint64_t addr, uint64_t *out)
{
    uint8_t b[8];
    const unsigned n = w->cpu->ptr_size;
    if (w->mem.read(w->mem.ctx, addr, b, n, NULL) != DMP_OK)
        return false;
    *out = n == 4 ? load_u32le(b) : load_u64le(b);
    return true;
}

bool dmpi_walk_module(const struct walker *w, uint64_t addr, size_t *index)
{
    size_t i;
    if (dmp_module_find(w->f, addr, &i, NULL) == DMP_OK) {
        if (index)
            *index = i;
        return true;
    }
    size_t lo = 0, hi = w->code_count;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (w->code[mid].start <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || addr >= w->code[lo - 1].end)
        return false;
    if (index)
        *index = w->code[lo - 1].module;
    return true;
}

/* Module i's symbol file, asking the store the first time only. */
static const dmp_symfile *module_symfile(struct walker *w, size_t i, const dmp_module *m,
                                         dmp_sym_state *state)
{
    struct dmpi_modsyms *const c = i < w->sym_count ? &w->syms[i] : NULL;
    if (c && c->asked) {
        *state = c->state;
        return c->file;
    }
    const dmp_symfile *s = NULL;
    *state = DMP_SYM_MISSING;
    if (dmp_symstore_get_module(w->store, m, &s, NULL, state) != DMP_OK)
        s = NULL;
    if (c)
        *c = (struct dmpi_modsyms){true, *state, s};
    return s;
}

const dmp_symfile *dmpi_walk_symfile(struct walker *w, uint64_t addr, uint64_t *base)
{
    size_t i;
    dmp_module m;
    dmp_sym_state state;
    if (!w->store || !dmpi_walk_module(w, addr, &i) || dmp_module_get(w->f, i, &m) != DMP_OK)
        return NULL;
    const dmp_symfile *const s = module_symfile(w, i, &m, &state);
    if (s)
        *base = m.base;
    return s;
}

bool dmpi_walk_addr_valid(struct walker *w, uint64_t addr)
{
    if (!dmpi_walk_module(w, addr, NULL))
        return false;
    uint64_t base;
    const dmp_symfile *const s = dmpi_walk_symfile(w, addr, &base);
    if (!s)
        return true; /* no symbols to say otherwise */
    return dmp_sym_lookup_addr(s, addr - base, w->lookup) == DMP_OK;
}

unsigned dmpi_walk_scan_words(const struct walker *w)
{
    const struct wframe *const last = &w->recent[w->cur];
    return last->pub.trust == DMP_TRUST_CONTEXT ? 4 * SCAN_WORDS : SCAN_WORDS;
}

bool dmpi_walk_scan(struct walker *w, uint64_t start, unsigned words, uint64_t *location,
                    uint64_t *ip)
{
    const unsigned n = w->cpu->ptr_size;
    for (unsigned k = 0; k <= words; k++) {
        const uint64_t at = start + (uint64_t)k * n;
        uint64_t v;
        if (at < start || !dmpi_walk_read_ptr(w, at, &v))
            return false;
        if (n == 4)
            v &= UINT32_MAX;
        if (w->cpu->cpu == DMP_CPU_ARM64 && w->ptr_mask)
            v = (v & w->ptr_mask) != v && dmpi_walk_module(w, v & w->ptr_mask, NULL)
                    ? v & w->ptr_mask
                    : v;
        if (v >= w->cpu->ip_adjust && dmpi_walk_addr_valid(w, v - w->cpu->ip_adjust)) {
            *location = at;
            *ip = v;
            return true;
        }
    }
    return false;
}

static bool canonical(const struct walker *w, uint64_t ip)
{
    if (w->cpu->ptr_size == 4)
        return ip <= UINT32_MAX;
    const uint64_t top = ip >> 47;
    return top == 0 || top == 0x1ffff;
}

static bool executable(const dmp_file *f, uint64_t ip)
{
    const size_t n = dmp_memory_info_count(f);
    for (size_t i = 0; i < n; i++) {
        dmp_memory_info m;
        if (dmp_memory_info_get(f, i, &m) == DMP_OK && ip - m.base < m.region_size)
            return (m.protect & 0xf0) != 0 && m.state == 0x1000; /* PAGE_EXECUTE*, committed */
    }
    return false;
}

bool dmpi_walk_plausible_return(struct walker *w, uint64_t ip)
{
    if (!canonical(w, ip))
        return false;
    return dmpi_walk_module(w, ip, NULL) || executable(w->f, ip);
}

int dmpi_walk_checked_return(struct walker *w, uint64_t ip)
{
    if (!w->checks || dmpi_walk_plausible_return(w, ip))
        return 1;
    w->st->end = DMP_WALK_BAD_RETURN;
    w->st->bad_return = ip;
    return -1;
}

/* Callee-saved registers the unwind rules do not name keep the callee's value. */
static void keep_callee_saved(const struct walker *w, const struct wframe *callee, dmp_regs *regs)
{
    const uint64_t keep = w->cpu->callee_saved & callee->pub.regs.valid & ~regs->valid;
    for (unsigned r = 0; r < DMP_REGS_MAX; r++)
        if (keep >> r & 1)
            regs->value[r] = callee->pub.regs.value[r];
    regs->valid |= keep;
}

int dmpi_walk_by_cfi(struct walker *w, bool scan_allowed, struct wframe *caller)
{
    (void)scan_allowed;
    struct wframe *const callee = dmpi_walk_last(w);
    uint64_t base;
    const dmp_symfile *const s = dmpi_walk_symfile(w, callee->pub.lookup_ip, &base);
    if (!s)
        return 0;
    dmp_cfi_rules *const rules = w->rules;
    int found = 0;
    dmp_regs regs;
    if (dmp_sym_find_cfi(s, callee->pub.lookup_ip - base, rules) == DMP_OK &&
        dmp_cfi_apply(rules, &callee->pub.regs, w->mem, &regs, NULL, NULL) == DMP_OK) {
        keep_callee_saved(w, callee, &regs);
        caller->pub.regs = regs;
        caller->pub.trust = DMP_TRUST_CFI;
        found = 1;
    }
    return found;
}

int dmpi_walk_by_image(struct walker *w, bool scan_allowed, struct wframe *caller)
{
    (void)scan_allowed;
    const struct wframe *const callee = dmpi_walk_last(w);
    const uint64_t lookup = callee->pub.lookup_ip;
    size_t i;
    if (!w->images || !dmpi_walk_module(w, lookup, &i))
        return 0;
    const struct dmpi_modimage *const img = dmpi_images_get(w->images, i);
    if (!img)
        return 0;
    const bool exact = callee->pub.trust == DMP_TRUST_CONTEXT || callee->exact;
    const unsigned ip = dmp_reg_ip(w->cpu->cpu), sp = dmp_reg_sp(w->cpu->cpu);
    dmp_regs regs;
    if (img->is_pe) {
        bool leaf, interrupted;
        if (w->cpu->cpu != DMP_CPU_AMD64 || img->pe.machine != 0x8664 ||
            dmpi_pe_unwind_x64(&img->pe, callee->pub.ip, lookup, exact, &callee->pub.regs, w->mem,
                               &regs, &leaf, &interrupted) != DMP_OK)
            return 0;
        caller->exact = interrupted;
    } else {
        struct dmpi_elf_frame info;
        if (dmpi_elf_unwind_ex(img->elf, lookup - img->bias, img->bias, &callee->pub.regs, w->mem,
                               &regs, &info) != DMP_OK)
            return 0;
        if (info.outermost) {
            w->st->end = DMP_WALK_OUTERMOST;
            return -1;
        }
        if (!(regs.valid >> ip & 1) || !(regs.valid >> sp & 1))
            return 0;
        if (info.ra_signed && w->ptr_mask)
            regs.value[ip] &= w->ptr_mask;
        caller->exact = info.signal_frame;
        keep_callee_saved(w, callee, &regs);
    }
    if (!regs.value[sp])
        return 0;
    caller->pub.regs = regs;
    caller->pub.trust = DMP_TRUST_UNWIND;
    /* A return address of 0 is how a thread's first frame ends the stack (Windows'
     * RtlUserThreadStart): the loop ends the walk there, as below 4096. */
    return regs.value[ip] < 4096 ? 1 : dmpi_walk_checked_return(w, regs.value[ip]);
}

int dmpi_walk_by_scan(struct walker *w, bool scan_allowed, struct wframe *caller)
{
    const struct wframe *const callee = dmpi_walk_last(w);
    const unsigned sp = dmp_reg_sp(w->cpu->cpu), ip = dmp_reg_ip(w->cpu->cpu);
    uint64_t at, ra;
    if (!scan_allowed ||
        !dmpi_walk_scan(w, dmpi_reg(callee, sp), dmpi_walk_scan_words(w), &at, &ra))
        return 0;
    /* The callee's values stay in the set (later methods read them, as Breakpad's do), but
     * only the two the scan found are valid. */
    caller->pub.regs = callee->pub.regs;
    caller->pub.regs.valid = 0;
    dmpi_reg_set(caller, ip, ra);
    dmpi_reg_set(caller, sp, at + w->cpu->ptr_size);
    caller->pub.trust = DMP_TRUST_SCAN;
    return 1;
}

/* ---- the frames -------------------------------------------------------------------------- */

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    size_t cap2 = *cap ? *cap : 32;
    while (cap2 < need && cap2 <= SIZE_MAX / 2 / elem)
        cap2 *= 2;
    if (cap2 < need)
        return false;
    /* Large arrays go on huge pages: first touches of fresh pages are most of a deep walk's
     * cost otherwise. */
    void *const q = dmpi_alloc_large(cap2 * elem);
    if (!q)
        return false;
    if (*cap)
        memcpy(q, *p, *cap * elem);
    free(*p);
    *p = q;
    *cap = cap2;
    return true;
}

/* Keeps a frame: packed in the stack, and in full as the next callee. */
static bool push_frame(struct walker *w, const struct wframe *fr)
{
    dmp_stack *const st = w->st;
    const dmp_frame *const p = &fr->pub;
    /* room for every register the set can hold, so no count of its bits is needed here */
    if (!grow((void **)&st->frames, &st->cap, st->count + 1, sizeof *st->frames) ||
        !grow((void **)&st->regs, &st->reg_cap, st->reg_count + DMP_REGS_MAX, sizeof *st->regs))
        return false;
    struct cframe *const c = &st->frames[st->count++];
    *c = (struct cframe){.ip = p->ip,
                         .lookup_ip = p->lookup_ip,
                         .sp = p->sp,
                         .valid = p->regs.valid,
                         .reg_first = st->reg_count,
                         .module_index = p->module_index,
                         .module_offset = p->module_offset,
                         .function = p->function,
                         .function_address = p->function_address,
                         .file = p->file,
                         .line_address = p->line_address,
                         .inline_first = fr->inline_first,
                         .inline_count = (uint32_t)p->inline_count,
                         .line = p->line,
                         .param_size = fr->param_size,
                         .trust = (uint8_t)p->trust,
                         .symbols = (uint8_t)p->symbols,
                         .function_source = (uint8_t)p->function_source,
                         .has_module = p->has_module != 0,
                         .has_function = p->has_function != 0,
                         .has_line = p->has_line != 0,
                         .has_param_size = fr->has_param_size};
    for (uint64_t v = p->regs.valid; v; v &= v - 1)
        st->regs[st->reg_count++] = p->regs.value[__builtin_ctzll(v)];
    w->cur ^= 1;
    w->recent[w->cur] = *fr;
    return true;
}

static bool push_inline(dmp_stack *st, const dmp_sym_inline *in)
{
    if (st->inline_count == st->inline_cap) {
        const size_t cap = st->inline_cap ? st->inline_cap * 2 : 16;
        dmp_sym_inline *const p = realloc(st->inlines, cap * sizeof *p);
        if (!p)
            return false;
        st->inlines = p;
        st->inline_cap = cap;
    }
    st->inlines[st->inline_count++] = *in;
    return true;
}

/* A copy of a name in the stack's own pool: image names live only as long as the images. */
static const char *keep_name(dmp_stack *st, const char *s, size_t len)
{
    struct dmpi_names *c = st->names;
    if (!c || c->cap - c->used < len + 1) {
        const size_t cap = len + 1 > 16384 ? len + 1 : 16384;
        c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        *c = (struct dmpi_names){st->names, 0, cap};
        st->names = c;
    }
    char *const out = c->text + c->used;
    memcpy(out, s, len);
    out[len] = '\0';
    c->used += len + 1;
    return out;
}

/* The name the module's image gives: the nearest PE export, or the ELF symbol covering it,
 * copied into the stack. False when there is none, or (with *oom set) when the copy could not
 * be made. */
static bool image_name(struct walker *w, struct wframe *fr, size_t module, uint64_t base, bool *oom)
{
    const struct dmpi_modimage *const img = w->images ? dmpi_images_get(w->images, module) : NULL;
    dmp_frame *const p = &fr->pub;
    const char *name;
    size_t len;
    uint64_t start;
    dmp_name_source source = DMP_NAME_EXPORTS;
    char buf[256];
    if (!img)
        return false;
    if (img->is_pe) {
        uint32_t rva;
        if (p->lookup_ip - base > UINT32_MAX ||
            !dmpi_pe_export_name(&img->pe, (uint32_t)(p->lookup_ip - base), buf, sizeof buf, &len,
                                 &rva))
            return false;
        name = buf;
        start = base + rva;
    } else {
        uint64_t at;
        if (!img->elf || !dmpi_elf_symbol(img->elf, p->lookup_ip - img->bias, &name, &len, &at))
            return false;
        const struct view *const strs = &img->elf->symtab.strs;
        if (strs->data && (const uint8_t *)name >= strs->data &&
            (const uint8_t *)name < strs->data + strs->len)
            source = DMP_NAME_SYMTAB;
        start = at + img->bias;
    }
    const char *const copy = keep_name(w->st, name, len);
    if (!copy) {
        *oom = true;
        return false;
    }
    p->has_function = 1;
    p->function = (dmp_sym_str){copy, len};
    p->function_address = start;
    p->function_source = source;
    return true;
}

/* Module, function, line and inline frames of a frame. */
static bool symbolize(struct walker *w, struct wframe *fr)
{
    dmp_frame *const p = &fr->pub;
    dmp_module m;
    size_t i;
    fr->inline_first = w->st->inline_count;
    p->symbols = DMP_SYM_MISSING;
    if (!dmpi_walk_module(w, p->lookup_ip, &i) || dmp_module_get(w->f, i, &m) != DMP_OK)
        return true;
    p->has_module = 1;
    p->module_index = i;
    p->module_offset = p->ip - m.base;
    dmp_sym_state state = DMP_SYM_MISSING;
    const dmp_symfile *const s = w->store ? module_symfile(w, i, &m, &state) : NULL;
    p->symbols = state;
    dmp_sym_lookup *const r = w->lookup;
    if (!s || dmp_sym_lookup_addr(s, p->lookup_ip - m.base, r) != DMP_OK) {
        bool oom = false;
        image_name(w, fr, i, m.base, &oom);
        return !oom;
    }
    p->has_function = 1;
    p->function = r->name;
    p->function_address = m.base + r->start;
    p->has_line = r->has_line;
    p->file = r->file;
    p->line = r->line;
    p->line_address = r->line_size ? m.base + r->line_start : 0;
    fr->has_param_size = r->kind == DMP_SYM_FUNC;
    fr->param_size = r->param_size;
    bool ok = true;
    for (size_t k = 0; k < r->inline_count && ok; k++) {
        dmp_sym_inline in = r->inlines[k];
        in.start += m.base;
        ok = push_inline(w->st, &in);
    }
    p->inline_count = r->inline_count;
    return ok;
}

/* Whether the caller ends the walk (Breakpad's TerminateWalk): an instruction pointer below
 * 4096, or a stack pointer that does not go up (it may stay equal after the context frame). */
static bool stops_walk(struct walker *w, const struct wframe *callee, const struct wframe *caller)
{
    const unsigned ip = dmp_reg_ip(w->cpu->cpu), sp = dmp_reg_sp(w->cpu->cpu);
    if (dmpi_reg(caller, ip) < MIN_IP) {
        w->st->end = DMP_WALK_IP_LOW;
        return true;
    }
    const uint64_t csp = dmpi_reg(caller, sp), esp = dmpi_reg(callee, sp);
    if (callee->pub.trust == DMP_TRUST_CONTEXT ? csp < esp : csp <= esp) {
        w->st->end = DMP_WALK_SP_NOT_UP;
        return true;
    }
    return false;
}

/* The caller of the last frame by the first method that finds one, or false. */
static bool find_caller(struct walker *w, bool scan_allowed, struct wframe *caller)
{
    for (size_t i = 0; i < w->cpu->method_count; i++) {
        memset(caller, 0, sizeof *caller);
        const int r = w->cpu->methods[i](w, scan_allowed, caller);
        if (r < 0)
            return false;
        if (r > 0)
            return true;
    }
    /* Nothing: say whether the stack itself was out of reach. */
    const struct wframe *const callee = dmpi_walk_last(w);
    uint64_t word;
    if (!dmpi_walk_read_ptr(w, dmpi_reg(callee, dmp_reg_sp(w->cpu->cpu)), &word))
        w->st->end = DMP_WALK_UNCAPTURED;
    else if (!scan_allowed)
        w->st->end = DMP_WALK_SCAN_LIMIT;
    else
        w->st->end = DMP_WALK_NO_CALLER;
    return false;
}

static bool is_scanned(dmp_frame_trust t)
{
    return t == DMP_TRUST_SCAN || t == DMP_TRUST_CFI_SCAN || t == DMP_TRUST_NONE;
}

static dmp_status run_walk(struct walker *w, const dmp_context *ctx)
{
    struct wframe fr = {0};
    const unsigned ip = dmp_reg_ip(w->cpu->cpu), sp = dmp_reg_sp(w->cpu->cpu);
    dmp_regs_from_context(ctx, &fr.pub.regs);
    fr.pub.trust = DMP_TRUST_CONTEXT;
    fr.pub.ip = fr.pub.lookup_ip = dmpi_reg(&fr, ip);
    fr.pub.sp = dmpi_reg(&fr, sp);
    if (w->cpu->cpu == DMP_CPU_ARM64 && w->ptr_mask) {
        const unsigned lr = 30;
        const uint64_t v = dmpi_reg(&fr, lr) & w->ptr_mask;
        if (dmpi_walk_module(w, v, NULL))
            fr.pub.regs.value[lr] = v;
    }
    size_t scanned = 0;
    for (;;) {
        if (!symbolize(w, &fr) || !push_frame(w, &fr))
            return DMP_E_NOMEM;
        scanned += is_scanned(fr.pub.trust);
        if (w->st->count >= w->opt.max_frames) {
            w->st->end = DMP_WALK_FRAME_LIMIT;
            return DMP_OK;
        }
        struct wframe caller;
        if (!find_caller(w, scanned < w->opt.max_scanned, &caller))
            return DMP_OK;
        if (stops_walk(w, dmpi_walk_last(w), &caller))
            return DMP_OK;
        caller.pub.ip = dmpi_reg(&caller, ip);
        caller.pub.sp = dmpi_reg(&caller, sp);
        caller.pub.lookup_ip = caller.exact ? caller.pub.ip : caller.pub.ip - w->cpu->ip_adjust;
        fr = caller;
    }
}

/* ---- memory sources ------------------------------------------------------------------- */

struct stack_only {
    dmp_memory inner;
    uint64_t start;
    uint64_t size;
};

static dmp_status read_stack_only(void *ctx, uint64_t addr, void *dst, size_t len, size_t *got)
{
    const struct stack_only *const so = ctx;
    if (addr - so->start >= so->size || len > so->size - (addr - so->start))
        return DMP_E_UNMAPPED;
    return so->inner.read(so->inner.ctx, addr, dst, len, got);
}

static const struct dmpi_walk_cpu *cpu_of(dmp_cpu cpu)
{
    switch (cpu) {
    case DMP_CPU_AMD64:
        return &dmpi_walk_amd64;
    case DMP_CPU_X86:
        return &dmpi_walk_x86;
    case DMP_CPU_ARM64:
        return &dmpi_walk_arm64;
    case DMP_CPU_ARM:
        return &dmpi_walk_arm;
    default:
        return NULL;
    }
}

/* ---- module extents from LinuxMapsStream ------------------------------------------------ */

/* Parses "start-end perms offset dev inode path" lines; keeps executable mappings whose path is
 * a module's name. */
#define MAX_CODE_RANGES 65536

static bool parse_hex_field(const char **p, const char *end, char stop, uint64_t *out)
{
    uint64_t v = 0;
    int digits = 0;
    for (; *p < end && **p != stop; (*p)++, digits++) {
        const char c = **p;
        const int d = c >= '0' && c <= '9'   ? c - '0'
                      : c >= 'a' && c <= 'f' ? c - 'a' + 10
                      : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                             : -1;
        if (d < 0 || digits == 16)
            return false;
        v = v << 4 | (uint64_t)d;
    }
    if (*p == end || digits == 0)
        return false;
    (*p)++;
    *out = v;
    return true;
}

/* The file a run of mappings belongs to, and its module: the module whose base is where the
 * file's offset-0 mapping starts (LLDB may name a module by another path to the same file,
 * /lib/... for /usr/lib/..., so names are not compared). */
struct maps_file {
    const char *path;
    size_t len;
    size_t module;
};

static void add_maps_line(struct walker *w, struct maps_file *cur, const char *p, const char *end)
{
    uint64_t start, stop, offset;
    if (!parse_hex_field(&p, end, '-', &start) || !parse_hex_field(&p, end, ' ', &stop) ||
        end - p < 5 || stop <= start)
        return;
    const bool exec = p[2] == 'x';
    p += 4;
    while (p < end && *p == ' ')
        p++;
    if (!parse_hex_field(&p, end, ' ', &offset))
        return;
    for (int field = 0; field < 2 && p < end; field++) { /* dev, inode */
        while (p < end && *p == ' ')
            p++;
        while (p < end && *p != ' ')
            p++;
    }
    while (p < end && *p == ' ')
        p++;
    if (p == end || *p != '/')
        return;
    const size_t len = (size_t)(end - p);
    if (offset == 0) {
        size_t m;
        dmp_module mod;
        const bool based = dmp_module_find(w->f, start, &m, NULL) == DMP_OK &&
                           dmp_module_get(w->f, m, &mod) == DMP_OK && mod.base == start;
        *cur = (struct maps_file){p, len, based ? m : SIZE_MAX};
    } else if (!(cur->path && cur->len == len && memcmp(cur->path, p, len) == 0)) {
        *cur = (struct maps_file){NULL, 0, SIZE_MAX};
    }
    if (!exec || cur->module == SIZE_MAX || w->code_count == MAX_CODE_RANGES)
        return;
    struct dmpi_xrange *const grown = realloc(w->code, (w->code_count + 1) * sizeof *grown);
    if (!grown)
        return;
    w->code = grown;
    w->code[w->code_count++] = (struct dmpi_xrange){start, stop, cur->module};
}

static int cmp_xrange(const void *a, const void *b)
{
    const struct dmpi_xrange *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static void load_code_ranges(struct walker *w)
{
    size_t si;
    const void *data;
    size_t len;
    if (dmp_stream_find(w->f, DMP_STREAM_LINUX_MAPS, 0, &si) != DMP_OK ||
        dmp_stream_data(w->f, si, &data, &len) != DMP_OK || !data || len == 0)
        return;
    const char *p = data;
    const char *const end = p + len;
    struct maps_file cur = {NULL, 0, SIZE_MAX};
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *const line_end = nl ? nl : end;
        add_maps_line(w, &cur, p, line_end);
        p = nl ? nl + 1 : end;
    }
    if (w->code_count > 1)
        qsort(w->code, w->code_count, sizeof *w->code, cmp_xrange);
}

/* arm64's pointer-authentication mask: every bit up to the highest module's end. */
static uint64_t module_mask(const dmp_file *f)
{
    uint64_t top = 0;
    dmp_module m;
    for (size_t i = 0; dmp_module_get(f, i, &m) == DMP_OK; i++)
        if (m.base + m.size > top)
            top = m.base + m.size;
    for (int s = 1; s < 64; s *= 2)
        top |= top >> s;
    return top;
}

dmp_status dmp_walk_context(const dmp_file *f, const dmp_context *ctx, uint64_t stack_start,
                            uint64_t stack_size, const dmp_walk_options *opts, dmp_stack **out)
{
    if (!f || !ctx || !out)
        return DMP_E_INVALID_ARG;
    dmp_stack *const st = calloc(1, sizeof *st);
    if (!st)
        return DMP_E_NOMEM;
    struct walker w = {.f = f, .st = st, .cpu = cpu_of(ctx->cpu)};
    st->cpu = ctx->cpu;
    if (opts)
        w.opt = *opts;
    if (!w.opt.max_frames)
        w.opt.max_frames = DEFAULT_MAX_FRAMES;
    if (!w.opt.max_scanned)
        w.opt.max_scanned = DEFAULT_MAX_SCANNED;
    w.mem = w.opt.memory.read ? w.opt.memory : dmp_memory_of(f);
    struct stack_only so = {w.mem, stack_start, stack_size};
    if (w.opt.stack_only)
        w.mem = (dmp_memory){read_stack_only, &so};
    w.store = w.opt.symbols;
    w.checks = !w.opt.breakpad_compatible;
    dmp_images *own_images = NULL;
    if (w.checks && !w.opt.no_images) {
        w.images = w.opt.images;
        if (!w.images && dmp_images_new(f, &own_images) == DMP_OK)
            w.images = own_images;
    }
    dmp_system_info si;
    w.windows = dmp_get_system_info(f, &si) == DMP_OK && (si.platform == 2 || si.platform == 1);
    if (ctx->cpu == DMP_CPU_ARM64)
        w.ptr_mask = module_mask(f);
    if (!w.cpu) {
        st->end = DMP_WALK_NO_CONTEXT;
        *out = st;
        return DMP_OK;
    }
    if (w.checks)
        load_code_ranges(&w);
    dmp_status rc = DMP_OK;
    if (w.store) {
        w.sym_count = dmp_module_count(f);
        w.syms = calloc(w.sym_count ? w.sym_count : 1, sizeof *w.syms);
        w.lookup = malloc(sizeof *w.lookup);
        w.rules = malloc(sizeof *w.rules);
        if (!w.syms || !w.lookup || !w.rules)
            rc = DMP_E_NOMEM;
    }
    if (rc == DMP_OK)
        rc = run_walk(&w, ctx);
    dmp_images_free(own_images);
    free(w.code);
    free(w.syms);
    free(w.lookup);
    free(w.rules);
    if (rc != DMP_OK) {
        dmp_stack_free(st);
        return rc;
    }
    *out = st;
    return DMP_OK;
}

/* The exception's context when the exception is this thread's. */
static bool exception_context(const dmp_file *f, uint32_t tid, dmp_context *ctx)
{
    dmp_exception e;
    for (size_t i = 0; dmp_exception_get(f, i, &e) == DMP_OK; i++)
        if (e.thread_id == tid && e.context &&
            dmp_context_decode(f, e.context, e.context_size, ctx) == DMP_OK)
            return true;
    return false;
}

dmp_status dmp_walk_thread(const dmp_file *f, size_t thread_index, const dmp_walk_options *opts,
                           dmp_stack **out)
{
    dmp_thread t;
    if (!f || !out)
        return DMP_E_INVALID_ARG;
    if (dmp_thread_get(f, thread_index, &t) != DMP_OK)
        return DMP_E_NOT_FOUND;
    dmp_context *const ctx = malloc(sizeof *ctx);
    if (!ctx)
        return DMP_E_NOMEM;
    const bool from_exception = exception_context(f, t.id, ctx);
    dmp_status rc;
    if (from_exception ||
        (t.context && dmp_context_decode(f, t.context, t.context_size, ctx) == DMP_OK)) {
        rc = dmp_walk_context(f, ctx, t.stack_start, t.stack_size, opts, out);
    } else {
        *out = calloc(1, sizeof **out);
        rc = *out ? DMP_OK : DMP_E_NOMEM;
        if (*out)
            (*out)->end = DMP_WALK_NO_CONTEXT;
    }
    free(ctx);
    if (rc == DMP_OK) {
        (*out)->thread_id = t.id;
        (*out)->from_exception = from_exception;
    }
    return rc;
}

void dmp_stack_free(dmp_stack *st)
{
    if (!st)
        return;
    free(st->frames);
    free(st->regs);
    free(st->inlines);
    for (struct dmpi_names *c = st->names, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(st);
}

size_t dmp_stack_frame_count(const dmp_stack *st)
{
    return st ? st->count : 0;
}

dmp_status dmp_stack_frame_get(const dmp_stack *st, size_t i, dmp_frame *out)
{
    if (!st || !out)
        return DMP_E_INVALID_ARG;
    if (i >= st->count)
        return DMP_E_NOT_FOUND;
    const struct cframe *const c = &st->frames[i];
    memset(out, 0, sizeof *out);
    out->ip = c->ip;
    out->lookup_ip = c->lookup_ip;
    out->sp = c->sp;
    out->trust = (dmp_frame_trust)c->trust;
    out->regs.cpu = st->cpu;
    out->regs.valid = c->valid;
    size_t k = c->reg_first;
    for (unsigned r = 0; r < DMP_REGS_MAX; r++)
        if (c->valid >> r & 1)
            out->regs.value[r] = st->regs[k++];
    out->has_module = c->has_module;
    out->module_index = c->module_index;
    out->module_offset = c->module_offset;
    out->symbols = (dmp_sym_state)c->symbols;
    out->has_function = c->has_function;
    out->function = c->has_function ? c->function : (dmp_sym_str){"", 0};
    out->function_address = c->function_address;
    out->function_source = (dmp_name_source)c->function_source;
    out->has_line = c->has_line;
    out->file = c->has_line ? c->file : (dmp_sym_str){"", 0};
    out->line = c->line;
    out->line_address = c->line_address;
    out->inline_count = c->inline_count;
    return DMP_OK;
}

dmp_status dmp_stack_inline_get(const dmp_stack *st, size_t i, size_t k, dmp_sym_inline *out)
{
    if (!st || !out)
        return DMP_E_INVALID_ARG;
    if (i >= st->count || k >= st->frames[i].inline_count)
        return DMP_E_NOT_FOUND;
    *out = st->inlines[st->frames[i].inline_first + k];
    return DMP_OK;
}

dmp_walk_end dmp_stack_end(const dmp_stack *st)
{
    return st ? st->end : DMP_WALK_NO_CONTEXT;
}

uint64_t dmp_stack_bad_return(const dmp_stack *st)
{
    return st ? st->bad_return : 0;
}

uint32_t dmp_stack_thread_id(const dmp_stack *st)
{
    return st ? st->thread_id : 0;
}

int dmp_stack_from_exception(const dmp_stack *st)
{
    return st ? st->from_exception : 0;
}

const char *dmp_frame_trust_name(dmp_frame_trust trust)
{
    switch (trust) {
    case DMP_TRUST_NONE:
        return "none";
    case DMP_TRUST_SCAN:
        return "scan";
    case DMP_TRUST_CFI_SCAN:
        return "cfi_scan";
    case DMP_TRUST_FP:
        return "frame_pointer";
    case DMP_TRUST_CFI:
        return "cfi";
    case DMP_TRUST_CONTEXT:
        return "context";
    case DMP_TRUST_LEAF:
        return "leaf";
    case DMP_TRUST_UNWIND:
        return "unwind_info";
    }
    return "unknown";
}

const char *dmp_walk_end_name(dmp_walk_end end)
{
    switch (end) {
    case DMP_WALK_NO_CALLER:
        return "no caller found";
    case DMP_WALK_IP_LOW:
        return "instruction pointer below 4096";
    case DMP_WALK_SP_NOT_UP:
        return "stack pointer not increasing";
    case DMP_WALK_UNCAPTURED:
        return "stack memory not captured";
    case DMP_WALK_FRAME_LIMIT:
        return "frame limit";
    case DMP_WALK_SCAN_LIMIT:
        return "scan limit";
    case DMP_WALK_FP_END:
        return "end of the frame-pointer chain";
    case DMP_WALK_BAD_RETURN:
        return "return address outside any code";
    case DMP_WALK_NO_CONTEXT:
        return "no usable context";
    case DMP_WALK_OUTERMOST:
        return "outermost frame per unwind data";
    }
    return "unknown";
}
