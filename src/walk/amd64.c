/* amd64.c - the amd64 cascade: STACK CFI; the module image's unwind data (the exception
 * directory of a PE, an ELF's call frame information); on Windows, frame 0 without either as
 * a leaf (a simulated return); elsewhere the RBP chain with Breakpad's checks; then scanning.
 * SPDX-License-Identifier: MIT */
#include "walk.h"

/* DWARF numbering, as dmp_reg_name gives it. */
enum { RBX = 3, RBP = 6, RSP = 7, R12 = 12, R13, R14, R15, RIP = 16 };

static bool non_canonical(uint64_t v)
{
    const uint64_t top = v >> 47;
    return top != 0 && top != 0x1ffff;
}

static int by_cfi(struct walker *w, bool scan_allowed, struct wframe *caller)
{
    const int r = dmpi_walk_by_cfi(w, scan_allowed, caller);
    if (r <= 0)
        return r;
    if (!dmpi_reg(caller, RIP) || !dmpi_reg(caller, RSP))
        return 0; /* Breakpad's check */
    return dmpi_walk_checked_return(w, dmpi_reg(caller, RIP));
}

/* Windows frame 0 without unwind data is taken for a leaf: its return address is one of the
 * two words at RSP. */
static int by_leaf(struct walker *w, bool scan_allowed, struct wframe *caller)
{
    (void)scan_allowed;
    const struct wframe *const callee = dmpi_walk_last(w);
    uint64_t at, ra;
    if (!w->windows || callee->pub.trust != DMP_TRUST_CONTEXT ||
        !dmpi_walk_scan(w, dmpi_reg(callee, RSP), 1, &at, &ra))
        return 0;
    caller->pub.regs = callee->pub.regs;
    caller->pub.regs.value[RIP] = ra;
    caller->pub.regs.value[RSP] = at + 8;
    caller->pub.trust = DMP_TRUST_LEAF;
    return 1;
}

/* The RBP chain: [rbp] the caller's RBP, [rbp+8] the return address. */
static int by_frame_pointer(struct walker *w, bool scan_allowed, struct wframe *caller)
{
    (void)scan_allowed;
    const struct wframe *const callee = dmpi_walk_last(w);
    const uint64_t rbp = dmpi_reg(callee, RBP);
    if (w->windows)
        return 0; /* RBP is no frame pointer in Windows x64 code */
    if (callee->fp_end) {
        w->st->end = DMP_WALK_FP_END;
        return -1;
    }
    uint64_t rip, caller_rbp, probe;
    if (rbp % 8 != 0 || !dmpi_walk_read_ptr(w, rbp + 8, &rip) ||
        !dmpi_walk_read_ptr(w, rbp, &caller_rbp))
        return 0;
    const uint64_t rsp = rbp + 16;
    if (non_canonical(rip) || rsp <= rbp)
        return 0;
    const bool links = caller_rbp >= rsp && dmpi_walk_read_ptr(w, caller_rbp, &probe);
    if (!w->checks) {
        if (!links)
            return 0; /* Breakpad's rule */
    } else if (!links) {
        /* An RBP that unwinding recovered is a frame pointer. A [0, below 4096] record
         * there is the outermost one (_start's, thread_start's): the walk ends. A saved RBP
         * that links no further (0, or a value the caller keeps in RBP for its own use)
         * still comes with the return address, when that is code: the frame is kept and the
         * chain ends after it, where Breakpad rejects the frame and scans on into junk. The
         * context's RBP proves nothing (code without frame pointers uses it freely, and
         * the record it points at may be several frames up): scan instead, as Breakpad. A
         * chain that links is followed as Breakpad follows it, into JIT code too. */
        const bool recovered =
            callee->pub.trust == DMP_TRUST_FP || callee->pub.trust == DMP_TRUST_CFI;
        if (recovered && caller_rbp == 0 && rip < 4096) {
            w->st->end = DMP_WALK_FP_END;
            return -1;
        }
        if (!recovered || !dmpi_walk_plausible_return(w, rip))
            return 0;
    }
    caller->pub.regs = callee->pub.regs;
    caller->pub.regs.valid = 0;
    dmpi_reg_set(caller, RIP, rip);
    dmpi_reg_set(caller, RSP, rsp);
    dmpi_reg_set(caller, RBP, caller_rbp);
    caller->pub.trust = DMP_TRUST_FP;
    caller->fp_end = !links;
    return 1;
}

/* Scanning, keeping RBP where Breakpad can tell it is still good. */
static int by_scan(struct walker *w, bool scan_allowed, struct wframe *caller)
{
    const int r = dmpi_walk_by_scan(w, scan_allowed, caller);
    if (r <= 0)
        return r;
    const struct wframe *const callee = dmpi_walk_last(w);
    const uint64_t at = dmpi_reg(caller, RSP) - 8; /* where the return address was */
    if (dmpi_reg_valid(callee, RBP)) {
        const uint64_t rbp = dmpi_reg(callee, RBP);
        uint64_t saved;
        if (at - 8 == rbp) {
            if (dmpi_walk_read_ptr(w, rbp, &saved) && saved > at)
                dmpi_reg_set(caller, RBP, saved);
        } else if (rbp >= at + 8) {
            dmpi_reg_set(caller, RBP, rbp);
        }
    }
    return 1;
}

static const dmpi_walk_method amd64_methods[] = {by_cfi, dmpi_walk_by_image, by_leaf,
                                                 by_frame_pointer, by_scan};

const struct dmpi_walk_cpu dmpi_walk_amd64 = {
    DMP_CPU_AMD64,
    8,
    1,
    (uint64_t)1 << RBX | (uint64_t)1 << RBP | (uint64_t)1 << R12 | (uint64_t)1 << R13 |
        (uint64_t)1 << R14 | (uint64_t)1 << R15,
    amd64_methods,
    sizeof amd64_methods / sizeof amd64_methods[0],
};
