/* mkpe.h - a small PE32+ image built byte by byte for the tests of module images: headers, an
 * exception directory whose functions use every unwind code (and some damage), code bytes for
 * epilogs, and an export table. Its sections lie at file offsets other than their addresses,
 * and .rdata is shorter on disk than in memory, so a file and a loaded copy differ as they do
 * for real images.
 * SPDX-License-Identifier: MIT */
#ifndef DMPREAD_TESTS_MKPE_H
#define DMPREAD_TESTS_MKPE_H

#include <stdint.h>

#define MKPE_BASE 0x140000000ull /* where the tests load it */
#define MKPE_IMAGE_SIZE 0x3000u  /* SizeOfImage */
#define MKPE_FILE_SIZE 0x1c00u
#define MKPE_STAMP 0x5f5e1234u /* TimeDateStamp */
#define MKPE_PDATA 0x2000u     /* the exception directory */
#define MKPE_XDATA 0x2100u     /* the UNWIND_INFOs */
#define MKPE_EXPORTS 0x2400u   /* the export directory */
#define MKPE_NFUNC 10          /* RUNTIME_FUNCTIONs */

/* Functions (RVAs in .text):
 *   F1 0x1000-0x1040  push rbp; push rbx; sub rsp, 0x28 (prolog 6 bytes); epilogs at 0x1030
 *                     (add rsp, 0x28; pop rbx; pop rbp; ret) and 0x1038 (pop rbx; pop rbp;
 *                     jmp 0x1000, inside: no epilog)
 *   F2 0x1040-0x1080  push rbp; sub rsp, 0x20; lea rbp, [rsp + 0x10]; mov [rsp + 0x18], rsi
 *                     (frame register rbp, offset 1 = 16 bytes); epilog at 0x1070
 *                     (lea rsp, [rbp - 0x10]; pop rbp; ret)
 *   F3 0x1080-0x10a0  sub rsp, 0x1000 (ALLOC_LARGE 0); sub rsp, 0x20000 (ALLOC_LARGE 1);
 *                     r12 saved at frame + 0x30000 (SAVE_NONVOL_FAR); xmm6 saved (ignored);
 *                     a 30-byte prolog
 *   F4 0x10a0-0x10c0  a part of F1 chained to it: its own sub rsp, 0x10
 *   F5 0x10c0-0x10d0  an interrupt handler: PUSH_MACHFRAME
 *   F6 0x10d0-0x10e0  PUSH_MACHFRAME with an error code
 *   F7 0x10e0-0x10f0  an indirect entry: UnwindData names F1's RUNTIME_FUNCTION | 1
 *   0x10f0-0x1100     no entry: a leaf
 *   F8 0x1100-0x1110  chained to itself (damaged)
 *   F9 0x1110-0x1120  version 3 (unknown)
 *   F10 0x1120-0x1130 codes that run past their count
 * Exports: Alpha 0x1000, Beta 0x1040, one by ordinal only at 0x1080, a forwarder
 * (OTHER.Func), Gamma 0x10f0. */

/* Writes the file (MKPE_FILE_SIZE bytes) and the loaded image (MKPE_IMAGE_SIZE bytes). */
void mkpe_build(uint8_t *file, uint8_t *mem);

#endif /* DMPREAD_TESTS_MKPE_H */
