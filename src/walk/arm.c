/* arm.c - the 32-bit ARM cascade: STACK CFI (r4-r11 kept when not named), then scanning.
 * Breakpad's iOS-only r7 frame-pointer step is not here.
 * SPDX-License-Identifier: MIT */
#include "walk.h"

enum { PC = 15 };

static int by_cfi(struct walker *w, bool scan_allowed, struct wframe *caller)
{
    const int r = dmpi_walk_by_cfi(w, scan_allowed, caller);
    if (r <= 0)
        return r;
    return dmpi_walk_checked_return(w, dmpi_reg(caller, PC));
}

static const dmpi_walk_method arm_methods[] = {by_cfi, dmpi_walk_by_scan};

const struct dmpi_walk_cpu dmpi_walk_arm = {
    DMP_CPU_ARM,
    4,
    2, /* Breakpad looks a caller up two bytes back: a Thumb call's size */
    ((uint64_t)1 << 12) - ((uint64_t)1 << 4), /* r4-r11 */
    arm_methods,
    sizeof arm_methods / sizeof arm_methods[0],
};
