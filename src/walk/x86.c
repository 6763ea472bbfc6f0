/* x86.c - the x86 cascade: STACK WIN (FRAME_DATA programs, or FPO data), STACK CFI, then the
 * EBP chain with a scan when the chain is broken. Arithmetic is 32-bit throughout.
 * SPDX-License-Identifier: MIT */
#include "walk.h"

#include <stdlib.h>
#include <string.h>

enum { EIP = 0, ESP = 1, EBP = 2, EBX = 3, ESI = 4, EDI = 5 };

/* Breakpad's limit on the gap between a scanned frame's saved EBP and its stack pointer. */
#define MAX_FRAME_GAP (128 * 1024)

static uint32_t u32(uint64_t v)
{
    return (uint32_t)v;
}

/* The parameter size of the callee's callee: what .cbCalleeParams means. Breakpad takes it
 * from the frame nearest frame 0 that has one, which is not the callee's callee once a walk
 * passes two such frames; dmpread takes the nearest, except in Breakpad mode. */
static uint32_t callee_params(const struct walker *w)
{
    const dmp_stack *const st = w->st;
    uint32_t size = 0;
    for (size_t i = st->count - 1; i-- > 0;) {
        if (!st->frames[i].has_param_size)
            continue;
        size = st->frames[i].param_size;
        if (w->checks)
            break;
    }
    return size;
}

struct win_eval {
    dmp_eval ev;
    uint32_t ra_search_start;
    bool recover_ebp;
    const char *program;
    size_t program_len;
};

/* The programs Breakpad runs for FPO records, which carry none. */
static const char fpo_allocates_bp[] = "$eip .raSearchStart ^ = $ebp $esp .cbCalleeParams + "
                                       ".cbSavedRegs + 8 - ^ = $esp .raSearchStart 4 + =";
static const char fpo_plain[] = "$eip .raSearchStart ^ = $esp .raSearchStart 4 + =";
static const char fpo_plain_ebx[] = "$eip .raSearchStart ^ = $esp .raSearchStart 4 + = $ebx $ebx =";

/* Sets up the evaluator for a STACK WIN record the way Breakpad's x86 walker does, with the
 * return-address search start found by a short scan. */
static void win_setup(struct walker *w, const dmp_win_record *rec, uint32_t cb_callee,
                      struct win_eval *we)
{
    const struct wframe *const callee = dmpi_walk_last(w);
    dmp_regs regs = {.cpu = DMP_CPU_X86};
    regs.value[EBP] = u32(dmpi_reg(callee, EBP));
    regs.value[ESP] = u32(dmpi_reg(callee, ESP));
    regs.valid = 1u << EBP | 1u << ESP;
    if (dmpi_reg_valid(callee, EBX)) {
        regs.value[EBX] = u32(dmpi_reg(callee, EBX));
        regs.valid |= 1u << EBX;
    }
    dmp_eval_init(&we->ev, &regs, w->mem);
    dmp_eval_set(&we->ev, ".cbCalleeParams", cb_callee);
    dmp_eval_set(&we->ev, ".cbSavedRegs", rec->saved_regs_size);
    dmp_eval_set(&we->ev, ".cbLocals", rec->locals_size);
    dmp_eval_set(&we->ev, ".cbParams", rec->param_size);
    uint32_t start = u32(regs.value[ESP] + cb_callee + rec->locals_size + rec->saved_regs_size);
    uint64_t loc, found;
    const uint32_t old = start;
    if (dmpi_walk_scan(w, start, 3, &loc, &found)) {
        start = u32(loc);
        /* FPO frame 0 whose own address sits there: that is not its return address */
        if (callee->pub.trust == DMP_TRUST_CONTEXT && rec->type == 0 && old == start &&
            found == dmpi_reg(callee, EIP)) {
            start += 4;
            if (dmpi_walk_scan(w, start, 3, &loc, &found))
                start = u32(loc);
        }
    }
    we->recover_ebp = true;
    if (rec->has_program) {
        we->program = rec->program.ptr;
        we->program_len = rec->program.len;
    } else if (rec->allocates_base_pointer) {
        we->program = fpo_allocates_bp;
        we->program_len = sizeof fpo_allocates_bp - 1;
    } else {
        const bool ebx = dmpi_reg_valid(callee, EBX);
        we->program = ebx ? fpo_plain_ebx : fpo_plain;
        we->program_len = ebx ? sizeof fpo_plain_ebx - 1 : sizeof fpo_plain - 1;
        we->recover_ebp = false;
    }
    const bool has_align = memchr(we->program, '@', we->program_len) != NULL;
    if (dmpi_reg_valid(callee, EBP) && has_align)
        start = u32(dmpi_reg(callee, EBP) + 4);
    we->ra_search_start = start;
    dmp_eval_set(&we->ev, ".raSearchStart", start);
    dmp_eval_set(&we->ev, ".raSearch", start);
}

/* When the program's EBP looks wrong, the nearest word under the saved registers that points
 * at readable memory (Breakpad's heuristic). */
static uint32_t search_ebp(struct walker *w, const dmp_win_record *rec, uint32_t cb_callee,
                           uint32_t offset, uint32_t ebp)
{
    const struct wframe *const callee = dmpi_walk_last(w);
    const uint32_t end = u32(dmpi_reg(callee, ESP) + cb_callee);
    const uint32_t bytes = rec->saved_regs_size + offset;
    uint64_t v, probe;
    for (uint64_t at = (uint64_t)end + bytes; at >= end; at -= 4) {
        if (!dmpi_walk_read_ptr(w, at, &v))
            break;
        if (dmpi_walk_read_ptr(w, u32(v), &probe))
            return u32(v);
        if (at < 4)
            break;
    }
    return ebp;
}

static int by_stack_win(struct walker *w, bool scan_allowed, struct wframe *caller)
{
    struct wframe *const callee = dmpi_walk_last(w);
    uint64_t base;
    const dmp_symfile *const s = dmpi_walk_symfile(w, callee->pub.lookup_ip, &base);
    dmp_win_record rec;
    if (!s || dmp_sym_find_win(s, callee->pub.lookup_ip - base, &rec) != DMP_OK)
        return 0;
    dmpi_walk_note_param_size(w, rec.param_size);
    const uint32_t cb_callee = callee_params(w);
    struct win_eval *const we = malloc(sizeof *we);
    if (!we)
        return 0;
    win_setup(w, &rec, cb_callee, we);
    dmp_frame_trust trust = DMP_TRUST_CFI;
    const bool ran = dmp_eval_program(&we->ev, we->program, we->program_len) == DMP_OK;
    dmp_regs *const r = &we->ev.regs;
    const uint64_t assigned = we->ev.assigned;
    if (!ran || !(assigned >> EIP & 1) || !(assigned >> ESP & 1)) {
        uint64_t loc, ra;
        if (!scan_allowed ||
            !dmpi_walk_scan(w, dmpi_reg(callee, ESP), dmpi_walk_scan_words(w), &loc, &ra)) {
            free(we);
            return 0;
        }
        r->value[EIP] = ra;
        r->value[ESP] = u32(loc + 4);
        trust = DMP_TRUST_SCAN;
    }
    uint32_t eip = u32(r->value[EIP]), ebp = u32(r->value[EBP]);
    if (eip != 0 || ebp != 0) {
        uint32_t offset = 0;
        if (!dmpi_walk_module(w, eip, NULL) && scan_allowed) {
            const uint32_t from = we->ra_search_start + 4;
            uint64_t loc, ra;
            if (dmpi_walk_scan(w, from, dmpi_walk_scan_words(w), &loc, &ra)) {
                eip = u32(ra);
                r->value[ESP] = u32(loc + 4);
                offset = u32(loc - from);
                trust = DMP_TRUST_CFI_SCAN;
            }
        }
        uint64_t probe;
        const bool skipped = trust != DMP_TRUST_CFI && ebp <= u32(we->ra_search_start + offset);
        if (we->recover_ebp && (skipped || !dmpi_walk_read_ptr(w, ebp, &probe)))
            ebp = search_ebp(w, &rec, cb_callee, offset, ebp);
    }
    caller->pub.regs = callee->pub.regs;
    caller->pub.regs.valid = 0;
    dmpi_reg_set(caller, EIP, eip);
    dmpi_reg_set(caller, ESP, u32(r->value[ESP]));
    dmpi_reg_set(caller, EBP, ebp);
    for (unsigned reg = EBX; reg <= EDI; reg++)
        if (assigned >> reg & 1)
            dmpi_reg_set(caller, reg, u32(r->value[reg]));
    caller->pub.trust = trust;
    free(we);
    return 1;
}

static int by_cfi(struct walker *w, bool scan_allowed, struct wframe *caller)
{
    const int r = dmpi_walk_by_cfi(w, scan_allowed, caller);
    if (r <= 0)
        return r;
    const uint64_t need = 1u << EIP | 1u << ESP | 1u << EBP;
    if ((caller->pub.regs.valid & need) != need)
        return 0;
    return dmpi_walk_checked_return(w, dmpi_reg(caller, EIP));
}

/* The EBP chain, or a scan when [ebp] cannot be read. */
static int by_ebp(struct walker *w, bool scan_allowed, struct wframe *caller)
{
    const struct wframe *const callee = dmpi_walk_last(w);
    const uint32_t ebp = u32(dmpi_reg(callee, EBP)), esp = u32(dmpi_reg(callee, ESP));
    /* No chain end at EBP 0 here: x86 code without frame pointers uses EBP freely, and
     * Windows' thread start (BaseThreadInitThunk) is found again by scanning past it. */
    uint64_t eip, caller_ebp, caller_esp;
    dmp_frame_trust trust = DMP_TRUST_FP;
    if (dmpi_walk_read_ptr(w, u32(ebp + 4), &eip) && dmpi_walk_read_ptr(w, ebp, &caller_ebp)) {
        caller_esp = u32(ebp + 8);
    } else {
        uint64_t loc;
        if (!scan_allowed || !dmpi_walk_scan(w, esp, dmpi_walk_scan_words(w), &loc, &eip))
            return 0;
        caller_esp = u32(loc + 4);
        const uint32_t chain = u32(caller_esp - 8);
        if (!dmpi_walk_read_ptr(w, chain, &caller_ebp) || u32(caller_ebp) <= chain ||
            u32(caller_ebp) - chain > MAX_FRAME_GAP)
            caller_ebp = ebp;
        trust = DMP_TRUST_SCAN;
    }
    caller->pub.regs = callee->pub.regs;
    caller->pub.regs.valid = 0;
    dmpi_reg_set(caller, EIP, u32(eip));
    dmpi_reg_set(caller, ESP, caller_esp);
    dmpi_reg_set(caller, EBP, u32(caller_ebp));
    caller->pub.trust = trust;
    return 1;
}

static const dmpi_walk_method x86_methods[] = {by_stack_win, by_cfi, by_ebp};

const struct dmpi_walk_cpu dmpi_walk_x86 = {
    DMP_CPU_X86, 4,
    1,           1u << EBP | 1u << EBX | 1u << ESI | 1u << EDI,
    x86_methods, sizeof x86_methods / sizeof x86_methods[0],
};
