/* arm64.c - the arm64 cascade: STACK CFI (x19-x29 kept when not named), the module image's
 * call frame information, the frame-pointer chain
 * (x29 links, the link register one frame behind), then scanning; return addresses lose their
 * pointer-authentication bits when the stripped value lands in a module.
 * SPDX-License-Identifier: MIT */
#include "walk.h"

enum { FP = 29, LR = 30, SP = 31, PC = 32 };

static uint64_t strip(const struct walker *w, uint64_t v)
{
    const uint64_t s = v & w->ptr_mask;
    return w->ptr_mask && dmpi_walk_module(w, s, NULL) ? s : v;
}

static int by_cfi(struct walker *w, bool scan_allowed, struct wframe *caller)
{
    const int r = dmpi_walk_by_cfi(w, scan_allowed, caller);
    if (r <= 0)
        return r;
    caller->pub.regs.value[PC] = strip(w, dmpi_reg(caller, PC));
    return dmpi_walk_checked_return(w, dmpi_reg(caller, PC));
}

/* A frame whose link register is unknown, found after its caller's frame record was read:
 * the record the callee's x29 points at holds it (Breakpad's CorrectRegLRByFramePointer). */
static void recover_lr(struct walker *w, struct wframe *last)
{
    const struct wframe *const prev = dmpi_walk_prev(w);
    if (!prev || dmpi_reg(last, FP) <= dmpi_reg(last, SP))
        return;
    const uint64_t fp2 = dmpi_reg(prev, FP);
    uint64_t fp = 0, lr = 0;
    if (fp2 && !dmpi_walk_read_ptr(w, fp2, &fp))
        return;
    if (dmpi_reg(last, FP) != fp)
        return;
    if (fp2 && !dmpi_walk_read_ptr(w, fp2 + 8, &lr))
        return;
    last->pub.regs.value[LR] = strip(w, lr);
}

static int by_frame_pointer(struct walker *w, bool scan_allowed, struct wframe *caller)
{
    (void)scan_allowed;
    struct wframe *const callee = dmpi_walk_last(w);
    if (!dmpi_reg_valid(callee, LR))
        recover_lr(w, callee);
    const uint64_t fp = dmpi_reg(callee, FP);
    if (w->checks && callee->pub.trust == DMP_TRUST_FP && fp == 0) {
        w->st->end = DMP_WALK_FP_END;
        return -1;
    }
    uint64_t caller_fp = 0, caller_lr = 0;
    if (fp &&
        (!dmpi_walk_read_ptr(w, fp, &caller_fp) || !dmpi_walk_read_ptr(w, fp + 8, &caller_lr)))
        return 0;
    caller->pub.regs = callee->pub.regs;
    caller->pub.regs.valid = 0;
    dmpi_reg_set(caller, FP, caller_fp);
    dmpi_reg_set(caller, SP, fp ? fp + 16 : dmpi_reg(callee, SP));
    dmpi_reg_set(caller, PC, dmpi_reg(callee, LR));
    dmpi_reg_set(caller, LR, strip(w, caller_lr));
    caller->pub.trust = DMP_TRUST_FP;
    return 1;
}

static const dmpi_walk_method arm64_methods[] = {by_cfi, dmpi_walk_by_image, by_frame_pointer,
                                                 dmpi_walk_by_scan};

const struct dmpi_walk_cpu dmpi_walk_arm64 = {
    DMP_CPU_ARM64,
    8,
    4,
    ((uint64_t)1 << 30) - ((uint64_t)1 << 19), /* x19-x29 */
    arm64_methods,
    sizeof arm64_methods / sizeof arm64_methods[0],
};
