/* elf.h - ELF module files: headers, build id, symbols, and DWARF call frame information
 * (.eh_frame, .eh_frame_hdr, .debug_frame) with the unwinder that runs it.
 * SPDX-License-Identifier: MIT
 *
 * elf.c reads the file's structure; dwarf.c reads CIEs and FDEs, runs CFA programs and DWARF
 * expressions. Both read the caller's buffer through bytes.h and copy nothing it holds. What
 * open checks: the ELF header, the program and section header tables, and the placement of
 * every section and segment this code uses later (CFI, symbol and string tables, notes). CIEs
 * and FDEs are decoded when a lookup lands on them and checked then.
 */
#ifndef DMPREAD_IMAGE_ELF_H
#define DMPREAD_IMAGE_ELF_H

#include "../internal.h"

struct dmpi_elf;

/* Parses an ELF file held in data[0..len) (the caller keeps it alive). ELFCLASS64 and
 * ELFCLASS32, little-endian; EM_X86_64, EM_AARCH64, EM_386, EM_ARM (others open with
 * DMP_CPU_UNKNOWN: symbols and build id work, unwinding does not).
 * DMP_OK; DMP_E_MALFORMED with a one-line reason in why[] naming the file offset; DMP_E_NOMEM;
 * DMP_E_INVALID_ARG (NULL data or out). why may be NULL. */
dmp_status dmpi_elf_open(const uint8_t *data, size_t len, struct dmpi_elf **out, char *why,
                         size_t why_len);
void dmpi_elf_free(struct dmpi_elf *e);

/* DMP_CPU_AMD64, DMP_CPU_ARM64, DMP_CPU_X86, DMP_CPU_ARM, or DMP_CPU_UNKNOWN. */
dmp_cpu dmpi_elf_cpu(const struct dmpi_elf *e);
/* The NT_GNU_BUILD_ID note's descriptor (from a PT_NOTE segment, else a SHT_NOTE section),
 * pointing into the file; false when there is none. */
bool dmpi_elf_build_id(const struct dmpi_elf *e, const uint8_t **id, size_t *len);
/* The link-time address of the load base: the lowest PT_LOAD's p_vaddr rounded down to its
 * p_align (or 4 KiB when p_align is not a power of two above it). 0 for PIE and DSOs. A
 * process address A in a module loaded at B is the ELF vaddr A - B + load_vaddr. */
uint64_t dmpi_elf_load_vaddr(const struct dmpi_elf *e);
/* Whether the file has .eh_frame (found by section or by PT_GNU_EH_FRAME) or .debug_frame. */
bool dmpi_elf_has_cfi(const struct dmpi_elf *e);

/* ---- Call frame information -------------------------------------------------------------- */

/* Columns of the rule table kept; rules for higher DWARF registers are parsed and dropped.
 * 40 holds amd64's 0-16 (and xmm0-15), arm64's 0-34 (x0-x30, sp, pc, ELR, RA_SIGN_STATE). */
#define DMPI_CFI_COLUMNS 40
/* Limits on hostile programs: saved rows (DW_CFA_remember_state), DWARF expression operands,
 * expression steps (DW_OP_skip/bra can loop), CFA instructions run for one lookup. */
#define DMPI_CFI_MAX_STATES 16
#define DMPI_CFI_MAX_STACK 64
#define DMPI_CFI_MAX_EXPR_STEPS 10000
#define DMPI_CFI_MAX_INSNS 100000

enum dmpi_cfi_rule_kind {
    DMPI_CFI_NONE = 0,   /* no rule: the walker decides (callee-saved registers keep value) */
    DMPI_CFI_UNDEFINED,  /* DW_CFA_undefined: not recoverable; for the RA: the outermost frame */
    DMPI_CFI_SAME,       /* DW_CFA_same_value */
    DMPI_CFI_OFFSET,     /* saved at CFA + offset */
    DMPI_CFI_VAL_OFFSET, /* the value CFA + offset */
    DMPI_CFI_REGISTER,   /* in register `reg` */
    DMPI_CFI_EXPR,       /* saved at the address the expression yields (CFA pushed first) */
    DMPI_CFI_VAL_EXPR,   /* the value the expression yields (CFA pushed first) */
};

/* One column's rule. For expressions, expr_off/expr_len place the DW_OP bytes in the file. */
struct dmpi_cfi_rule {
    uint8_t kind; /* enum dmpi_cfi_rule_kind */
    uint32_t reg; /* DMPI_CFI_REGISTER: the DWARF register */
    int64_t offset;
    uint64_t expr_off;
    uint64_t expr_len;
};

/* The row of the CFI table that applies at a pc, in DWARF numbering. */
struct dmpi_cfi_row {
    uint64_t fde_start; /* the FDE's [start, start + len), ELF vaddrs */
    uint64_t fde_len;
    uint64_t loc; /* where this row starts */
    bool has_cfa; /* some instruction defined the CFA */
    bool cfa_is_expr;
    uint32_t cfa_reg; /* when !cfa_is_expr: CFA = reg + cfa_offset */
    int64_t cfa_offset;
    uint64_t cfa_expr_off; /* when cfa_is_expr: DW_CFA_def_cfa_expression's bytes */
    uint64_t cfa_expr_len;
    uint32_t ra_column;    /* the CIE's return address register */
    bool signal_frame;     /* augmentation 'S': pc is not a return address, don't subtract 1 */
    bool ra_signed;        /* AArch64 DW_CFA_AARCH64_negate_ra_state toggled on: PAC in RA */
    bool from_debug_frame; /* found in .debug_frame, not .eh_frame */
    struct dmpi_cfi_rule rules[DMPI_CFI_COLUMNS];
};

/* The row covering ELF vaddr pc: .eh_frame first (through .eh_frame_hdr's table when it is
 * sound, else a table built at open), then .debug_frame. DMP_OK; DMP_E_NOT_FOUND (no FDE
 * covers pc); DMP_E_MALFORMED (the CIE, FDE or CFA program is bad). */
dmp_status dmpi_elf_cfi_row(const struct dmpi_elf *e, uint64_t pc, struct dmpi_cfi_row *row);

/* What dmpi_elf_unwind_ex reports besides the registers. */
struct dmpi_elf_frame {
    uint64_t cfa;
    bool outermost;    /* the RA column is undefined: the end of the stack (_start, clone) */
    bool signal_frame; /* the FDE is a signal trampoline's: the caller's pc is exact */
    bool ra_signed;    /* arm64: the RA carries a pointer authentication code; strip it */
};

/* Unwinds one frame. pc is the ELF vaddr to look up (return address - 1 for callers, exact for
 * the context frame and after a signal frame). callee holds the callee's registers in
 * dmpread's numbering (see dmp_regs) as process addresses; bias = load base - load_vaddr turns
 * ELF vaddrs into process addresses (only DW_OP_addr needs it). mem reads process memory.
 * *caller: cpu = callee->cpu; sp = the CFA unless a rule names sp (signal frames do); pc = the
 * value of the RA column (a column without a rule keeps the callee's value, as in an arm64
 * leaf); registers with a rule get its value, DW_CFA_same_value ones the callee's; undefined,
 * rule-less and unrecoverable ones (their rule needs a register or memory we lack) are
 * invalid. On an undefined RA column the result is DMP_OK with outermost set and pc invalid.
 * DMP_OK; DMP_E_NOT_FOUND (no FDE covers pc, callee->cpu is not the file's, or the file's CPU
 * has no register map); DMP_E_MALFORMED (bad CIE, FDE, program or expression, or the CFA
 * names a register dmpread does not number); DMP_E_UNMAPPED (the CFA or RA needs memory not
 * captured, or a register not valid in callee); DMP_E_INVALID_ARG (NULL e, callee or caller).
 * *caller and *info are written only on DMP_OK; info may be NULL. */
dmp_status dmpi_elf_unwind_ex(const struct dmpi_elf *e, uint64_t pc, uint64_t bias,
                              const dmp_regs *callee, dmp_memory mem, dmp_regs *caller,
                              struct dmpi_elf_frame *info);
/* dmpi_elf_unwind_ex reporting only whether the frame is the outermost (may be NULL). */
dmp_status dmpi_elf_unwind(const struct dmpi_elf *e, uint64_t pc, uint64_t bias,
                           const dmp_regs *callee, dmp_memory mem, dmp_regs *caller,
                           bool *outermost);

/* The FDEs' address ranges in address order (from .eh_frame_hdr's table or the table built at
 * open; .debug_frame's after them), for tests and the fuzz harness: entry i's start and length,
 * false past the last. An entry from .eh_frame_hdr is decoded here, so its length is 0 when
 * its FDE is unreadable. */
size_t dmpi_elf_fde_count(const struct dmpi_elf *e);
bool dmpi_elf_fde_get(const struct dmpi_elf *e, size_t i, uint64_t *start, uint64_t *len);

/* ---- Symbols ----------------------------------------------------------------------------- */

/* The function symbol covering vaddr, from .symtab, else .dynsym. Candidates are defined
 * symbols of type STT_FUNC, STT_GNU_IFUNC or STT_NOTYPE with a nonzero value. A sized
 * candidate whose [value, value + size) holds vaddr wins, the one starting nearest below vaddr
 * (among those of one start, the largest, then the first in the table). Failing that, a
 * size-0 candidate is taken when it is the nearest candidate at or below vaddr, in the same
 * section, and no sized candidate between it and vaddr ended before vaddr (hand-written
 * assembly often has no .size). name points into the string table and is name_len bytes
 * (no NUL within). false when none. */
bool dmpi_elf_symbol(const struct dmpi_elf *e, uint64_t vaddr, const char **name, size_t *name_len,
                     uint64_t *sym_vaddr);

/* ---- Shared between elf.c and dwarf.c ---------------------------------------------------- */

/* A CFI section: its bytes in the file, the vaddr of its first byte (sh_addr; 0 for
 * .debug_frame, whose addresses are absolute), and where its bytes start in the file. */
struct dmpi_cfi_sec {
    struct view bytes;
    uint64_t vaddr;
    uint64_t file_off;
    bool present;
    bool is_debug; /* .debug_frame: CIE ids are all ones, CIE pointers are section offsets */
};

/* An FDE's range and where it starts in its section. */
struct dmpi_fde_ref {
    uint64_t start;
    uint64_t len;
    uint64_t off;
};

/* A function symbol as the index keeps it. */
struct dmpi_elf_sym {
    uint64_t value;
    uint64_t size;
    uint32_t index; /* in the symbol table */
    uint32_t shndx;
};

/* A symbol table with its candidates sorted by (value, size, index descending), so that
 * scanning back from a vaddr meets, within one start, the largest and then the first. */
struct dmpi_elf_symtab {
    struct view syms; /* the Elf32_Sym / Elf64_Sym array */
    struct view strs; /* its string table */
    struct dmpi_elf_sym *sorted;
    size_t count;
    uint64_t max_size; /* the largest candidate's size: how far back a lookup looks */
};

/* A PT_LOAD segment. */
struct dmpi_elf_load {
    uint64_t vaddr;
    uint64_t memsz;
    uint64_t offset;
    uint64_t filesz;
};

/* An executable section's place, for the same-section rule of size-0 symbols. */
struct dmpi_elf_xsec {
    uint64_t addr;
    uint64_t size;
    uint32_t index;
};

struct dmpi_elf {
    struct view file;
    bool is64;
    unsigned addr_size; /* 4 or 8 */
    uint64_t addr_mask;
    uint16_t machine;
    dmp_cpu cpu;
    uint64_t load_vaddr;
    struct dmpi_elf_load *loads; /* PT_LOAD segments in table order */
    size_t load_count;
    const uint8_t *build_id;
    size_t build_id_len;
    struct dmpi_cfi_sec eh;
    struct dmpi_cfi_sec debug;
    struct view hdr; /* .eh_frame_hdr */
    uint64_t hdr_vaddr;
    struct view hdr_table; /* its sorted table, when usable (datarel sdata4 pairs) */
    size_t hdr_count;
    struct dmpi_fde_ref *eh_fdes; /* built when the hdr table is not usable */
    size_t eh_fde_count;
    struct dmpi_fde_ref *debug_fdes;
    size_t debug_fde_count;
    struct dmpi_elf_symtab symtab;
    struct dmpi_elf_symtab dynsym;
    struct dmpi_elf_xsec *xsecs;
    size_t xsec_count;
};

/* elf.c: the file offset of ELF vaddr `vaddr` with n bytes there in the file, through PT_LOAD. */
bool dmpi_elf_vaddr_to_off(const struct dmpi_elf *e, uint64_t vaddr, uint64_t n, uint64_t *off);

/* dwarf.c: the FDE table of a CFI section, built once at open: every readable FDE with a
 * nonzero range, sorted by start. An FDE whose CIE or fields are bad is left out; entries
 * past a damaged length field are dropped (the damaged section keeps what came before).
 * DMP_OK or DMP_E_NOMEM; *out NULL when none. */
dmp_status dmpi_cfi_index(const struct dmpi_elf *e, const struct dmpi_cfi_sec *sec,
                          struct dmpi_fde_ref **out, size_t *count);
/* dwarf.c: checks .eh_frame_hdr and sets e->hdr_table/hdr_count when its table is usable:
 * version 1, table encoding DW_EH_PE_datarel|sdata4, the count within the bytes, entries
 * sorted. Returns the vaddr its eh_frame_ptr gives in *eh_vaddr (false when unreadable). */
bool dmpi_cfi_hdr_check(struct dmpi_elf *e, uint64_t *eh_vaddr);

#endif /* DMPREAD_IMAGE_ELF_H */
