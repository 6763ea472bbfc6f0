/* walk.h - what the walker's driver (walk.c) shares with the per-CPU files (amd64.c, x86.c,
 * arm64.c): the frame being built, the walker's state, the helpers every method uses, and the
 * shape of a CPU's cascade.
 * SPDX-License-Identifier: MIT */
#ifndef DMPREAD_WALK_H
#define DMPREAD_WALK_H

#include "../internal.h"

/* A frame as the walker builds it: the public frame plus what later unwinds need. */
struct wframe {
    dmp_frame pub;
    size_t inline_first; /* index of its first inline frame in dmp_stack.inlines */
    bool fp_end;         /* found by a frame pointer whose saved value links no further */
    bool has_param_size; /* x86: the STACK WIN record's or FUNC's parameter size */
    uint32_t param_size;
    bool exact; /* its ip is where it was interrupted (a signal or trap frame's caller), not a
                   return address: symbols are looked up at ip itself */
};

/* A frame as the stack keeps it: the public frame less its register array, whose valid values
 * are packed in dmp_stack.regs (a walk of 100,000 frames found by frame pointer then costs 20
 * MB, not 70). */
struct cframe {
    uint64_t ip;
    uint64_t lookup_ip;
    uint64_t sp;
    uint64_t valid;   /* dmp_regs.valid */
    size_t reg_first; /* its valid registers' values, in register order, in regs[] */
    size_t module_index;
    uint64_t module_offset;
    dmp_sym_str function;
    uint64_t function_address;
    dmp_sym_str file;
    uint64_t line_address;
    size_t inline_first;
    uint32_t inline_count;
    uint32_t line;
    uint32_t param_size;
    uint8_t trust;           /* dmp_frame_trust */
    uint8_t symbols;         /* dmp_sym_state */
    uint8_t function_source; /* dmp_name_source */
    bool has_module;
    bool has_function;
    bool has_line;
    bool has_param_size;
};

struct dmp_stack {
    uint32_t thread_id;
    int from_exception;
    dmp_cpu cpu;
    dmp_walk_end end;
    uint64_t bad_return;
    struct cframe *frames;
    size_t count;
    size_t cap;
    uint64_t *regs;
    size_t reg_count;
    size_t reg_cap;
    dmp_sym_inline *inlines;
    size_t inline_count;
    size_t inline_cap;
    struct dmpi_names *names; /* names taken from module images, copied: chunks, newest first */
};

struct dmpi_names {
    struct dmpi_names *next;
    size_t used;
    size_t cap;
    char text[];
};

struct walker;

/* One method of a CPU's cascade. Returns 1 with *caller filled, 0 when it does not apply (the
 * next method is tried), or -1 to end the walk (w->st->end says why). */
typedef int (*dmpi_walk_method)(struct walker *w, bool scan_allowed, struct wframe *caller);

struct dmpi_walk_cpu {
    dmp_cpu cpu;
    unsigned ptr_size;
    unsigned ip_adjust;              /* a return address less this is inside the call */
    uint64_t callee_saved;           /* registers CFI leaves as they were when it names them not */
    const dmpi_walk_method *methods; /* tried in order */
    size_t method_count;
};

extern const struct dmpi_walk_cpu dmpi_walk_amd64;
extern const struct dmpi_walk_cpu dmpi_walk_x86;
extern const struct dmpi_walk_cpu dmpi_walk_arm64;
extern const struct dmpi_walk_cpu dmpi_walk_arm;

struct walker {
    const dmp_file *f;
    const struct dmpi_walk_cpu *cpu;
    dmp_memory mem;
    dmp_symstore *store;
    dmp_images *images; /* NULL: no module images */
    dmp_walk_options opt;
    bool windows;      /* the dump's platform is Windows */
    bool checks;       /* dmpread's return-address checks and chain end (not Breakpad mode) */
    uint64_t ptr_mask; /* arm64: the pointer-authentication strip mask */
    dmp_stack *st;
    struct dmpi_xrange *code; /* executable mappings of modules beyond their ModuleList size */
    size_t code_count;
    struct wframe recent[2]; /* the last two frames in full: recent[cur] is the callee */
    unsigned cur;
    struct dmpi_modsyms *syms; /* per module, its symbol file once asked: the store's lock and
                                  search are paid once a module, not once a scanned word */
    dmp_sym_lookup *lookup;    /* scratch for lookups and rules, allocated once a walk */
    dmp_cfi_rules *rules;
    size_t sym_count;
};

struct dmpi_modsyms {
    bool asked;
    dmp_sym_state state;
    const dmp_symfile *file;
};

/* An executable mapping (LinuxMapsStream) of the file a module was loaded from. */
struct dmpi_xrange {
    uint64_t start;
    uint64_t end;
    size_t module;
};

/* The module holding addr: the ModuleList's, or (not in Breakpad mode) one whose file has an
 * executable mapping there in LinuxMapsStream. LLDB gives a module the size of its first
 * mapping only, so its code lies past the listed end. */
bool dmpi_walk_module(const struct walker *w, uint64_t addr, size_t *index);

/* The callee: the last frame found; and the one before it (NULL for frame 0). */
static inline struct wframe *dmpi_walk_last(struct walker *w)
{
    return &w->recent[w->cur];
}

static inline const struct wframe *dmpi_walk_prev(const struct walker *w)
{
    return w->st->count >= 2 ? &w->recent[w->cur ^ 1] : NULL;
}

/* Records the callee's parameter size (x86), where later frames look for it. */
static inline void dmpi_walk_note_param_size(struct walker *w, uint32_t size)
{
    struct wframe *const last = dmpi_walk_last(w);
    last->has_param_size = true;
    last->param_size = size;
    w->st->frames[w->st->count - 1].has_param_size = true;
    w->st->frames[w->st->count - 1].param_size = size;
}

static inline uint64_t dmpi_reg(const struct wframe *fr, unsigned r)
{
    return fr->pub.regs.value[r];
}

static inline bool dmpi_reg_valid(const struct wframe *fr, unsigned r)
{
    return fr->pub.regs.valid >> r & 1;
}

static inline void dmpi_reg_set(struct wframe *fr, unsigned r, uint64_t v)
{
    fr->pub.regs.value[r] = v;
    fr->pub.regs.valid |= (uint64_t)1 << r;
}

/* A pointer-size little-endian word from the walk's memory. */
bool dmpi_walk_read_ptr(struct walker *w, uint64_t addr, uint64_t *out);
/* Breakpad's return-address scan: from `start`, `words`+1 pointer-size words up, the first
 * whose value less ip_adjust... lies in a loaded module (and, where that module has symbols,
 * in a FUNC or PUBLIC). */
bool dmpi_walk_scan(struct walker *w, uint64_t start, unsigned words, uint64_t *location,
                    uint64_t *ip);
/* The scan's words: 40, or 160 when the callee is the context frame. */
unsigned dmpi_walk_scan_words(const struct walker *w);
/* Whether addr could be an instruction: in a loaded module and, when that module's symbols are
 * known, covered by a FUNC or PUBLIC. */
bool dmpi_walk_addr_valid(struct walker *w, uint64_t addr);
/* The symbol file of the module holding addr, with the module's base; NULL when none. */
const dmp_symfile *dmpi_walk_symfile(struct walker *w, uint64_t addr, uint64_t *base);
/* The CFI method, shared by every CPU: the caller from STACK CFI, callee-saved registers kept. */
int dmpi_walk_by_cfi(struct walker *w, bool scan_allowed, struct wframe *caller);
/* The module-image method (amd64, arm64): the caller from the image's unwind data, the
 * Windows x64 exception directory or ELF call frame information. */
int dmpi_walk_by_image(struct walker *w, bool scan_allowed, struct wframe *caller);
/* The scanning method, shared by every CPU (x86 scans inside its own methods instead). */
int dmpi_walk_by_scan(struct walker *w, bool scan_allowed, struct wframe *caller);
/* dmpread's check of a return address unwind rules produced: in a loaded module or executable
 * memory, and canonical. */
bool dmpi_walk_plausible_return(struct walker *w, uint64_t ip);
/* For a method that found a caller by unwind rules: 1, or (not in Breakpad mode) -1 when the
 * return address is no code, the walk then ending DMP_WALK_BAD_RETURN with that address. */
int dmpi_walk_checked_return(struct walker *w, uint64_t ip);

#endif /* DMPREAD_WALK_H */
