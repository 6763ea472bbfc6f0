/* image.h - module images: their bytes (from the dump's memory or a file on disk), and what
 * the walker reads from them: PE unwind data and exports (pe.c), ELF call frame information and
 * symbols (elf.c, dwarf.c), and the per-dump set that finds and checks them (images.c).
 * SPDX-License-Identifier: MIT
 *
 * Nothing here knows the walker. Every byte read is hostile: an image in a crashed process may
 * be half paged out or overwritten, and a file on disk may be anything with the right name.
 */
#ifndef DMPREAD_IMAGE_H
#define DMPREAD_IMAGE_H

#include "../internal.h"

struct dmpi_elf; /* elf.h */

/* ---- PE (pe.c) ------------------------------------------------------------------------- */

#define DMPI_PE_MAX_SECTIONS 96 /* the loader's own limit */

struct dmpi_pe_section {
    uint32_t va;
    uint32_t vsize;
    uint32_t raw_off;
    uint32_t raw_size;
};

/* An exported function: its address, and where its name is (0: exported by ordinal only). */
struct dmpi_pe_export {
    uint32_t rva;
    uint32_t name_rva;
};

struct dmpi_pe {
    /* The bytes: from the dump, at base + rva through `mem`; from a file, through the section
     * table (file != NULL). */
    dmp_memory mem;
    uint64_t base;
    const uint8_t *file;
    size_t file_len;
    uint32_t header_size;
    struct dmpi_pe_section sections[DMPI_PE_MAX_SECTIONS];
    size_t section_count;
    /* The headers. */
    uint16_t machine; /* IMAGE_FILE_MACHINE_*: 0x8664 amd64, 0x14c x86, 0xaa64 arm64 */
    bool pe32plus;
    uint32_t timestamp;
    uint32_t image_size;
    uint32_t pdata_rva; /* the exception directory: RUNTIME_FUNCTION entries */
    uint32_t pdata_size;
    uint32_t export_rva;
    uint32_t export_size;
    /* Exports sorted by address, built at open (bounded by the export directory's counts). */
    struct dmpi_pe_export *exports;
    size_t export_count;
};

/* Parses an image's headers and its export table. From the dump: the image loaded at `base`,
 * read through `mem`; from a file: `data`, `len`, for the module loaded at `base`. DMP_OK;
 * DMP_E_MALFORMED or DMP_E_UNMAPPED with a one-line reason in why[]; DMP_E_NOMEM. */
dmp_status dmpi_pe_open_dump(struct dmpi_pe *pe, dmp_memory mem, uint64_t base, char *why,
                             size_t why_len);
dmp_status dmpi_pe_open_file(struct dmpi_pe *pe, const uint8_t *data, size_t len, uint64_t base,
                             char *why, size_t why_len);
void dmpi_pe_close(struct dmpi_pe *pe);
/* len bytes at rva, all or nothing. In a file, bytes a section has in memory but not on disk
 * read as zeros, as the loader fills them. */
bool dmpi_pe_read(const struct dmpi_pe *pe, uint64_t rva, void *dst, size_t len);

/* One Windows x64 unwind: the caller of the frame at `ip` (whose symbols are looked up at
 * `lookup_ip`, ip - 1 in callers) in the image loaded at `base`. `exact` says ip is where the
 * thread stopped (the context frame, or a frame a trap interrupted): only then can it be in a
 * prolog or an epilog. The caller gets rip and rsp, and the callee's non-volatile registers
 * (rbx rbp rsi rdi r12-r15) as restored or kept; volatile ones are invalid. *leaf is set when
 * no RUNTIME_FUNCTION covers the address and the ABI's leaf rule gave the caller;
 * *interrupted when a machine frame (PUSH_MACHFRAME) gave it: its rip is exact then.
 * DMP_OK; DMP_E_NOT_FOUND (the image has no exception directory); DMP_E_MALFORMED (the unwind
 * data is unusable, or a register it needs is not valid); DMP_E_UNMAPPED (stack memory it
 * needed was not captured). */
dmp_status dmpi_pe_unwind_x64(const struct dmpi_pe *pe, uint64_t ip, uint64_t lookup_ip, bool exact,
                              const dmp_regs *callee, dmp_memory mem, dmp_regs *caller, bool *leaf,
                              bool *interrupted);

/* The export at or before rva in the same section: its name (at most cap-1 bytes, NUL
 * terminated; *name_len its length) and address. False when none, or when the name cannot be
 * read. */
bool dmpi_pe_export_name(const struct dmpi_pe *pe, uint32_t rva, char *name, size_t cap,
                         size_t *name_len, uint32_t *start);

/* ---- The per-dump set (images.c) -------------------------------------------------------- */

/* A module's image as the walker sees it, immutable once found. */
struct dmpi_modimage {
    dmp_image_source source;
    bool is_pe;
    struct dmpi_pe pe;
    struct dmpi_elf *elf;
    uint64_t bias; /* ELF: the module's base less the file's load address */
};

/* Module i's image, looked for the first time it is asked (under the set's lock); NULL when
 * it has none. */
const struct dmpi_modimage *dmpi_images_get(dmp_images *im, size_t module);

#endif /* DMPREAD_IMAGE_H */
