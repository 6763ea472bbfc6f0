/* mkpe.c - a small PE32+ image, built byte by byte, for the tests of module images
 * (test_pe.c, test_images.c): see mkpe.h for what it holds.
 * SPDX-License-Identifier: MIT */
#include "mkpe.h"

#include <string.h>

/* Unwind codes: offset in the prolog, op, info; extra slots follow as raw u16s. */
#define CODE(off, op, info) (uint16_t)((off) | (op) << 8 | (info) << 12)

enum {
    UW_PUSH = 0,
    UW_ALLOC_LARGE,
    UW_ALLOC_SMALL,
    UW_SET_FPREG,
    UW_SAVE,
    UW_SAVE_FAR,
    UW_XMM = 8,
    UW_XMM_FAR,
    UW_MACHFRAME
};
/* Register numbers in unwind codes. */
enum { C_RBX = 3, C_RBP = 5, C_RSI = 6, C_R12 = 12 };

/* Sections: .text at 0x1000 (file 0x400, 0x1000 bytes), .rdata at 0x2000 (file 0x1400, 0x800
 * bytes on disk of 0x1000 in memory). */
static const struct {
    uint32_t va, vsize, raw, raw_size;
} sect[2] = {{0x1000, 0x1000, 0x400, 0x1000}, {0x2000, 0x1000, 0x1400, 0x800}};

static uint8_t *file_img; /* the file, MKPE_FILE_SIZE bytes */
static uint8_t *mem_img;  /* the same image as loaded, MKPE_IMAGE_SIZE bytes */

static void put(uint32_t rva, const void *p, size_t n)
{
    memcpy(mem_img + rva, p, n);
    if (rva < 0x400) {
        memcpy(file_img + rva, p, n);
        return;
    }
    for (int i = 0; i < 2; i++)
        if (rva >= sect[i].va && rva - sect[i].va < sect[i].raw_size)
            memcpy(file_img + sect[i].raw + (rva - sect[i].va), p, n);
}

static void put16(uint32_t rva, uint16_t v)
{
    const uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    put(rva, b, 2);
}

static void put32(uint32_t rva, uint32_t v)
{
    const uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(rva, b, 4);
}

/* An UNWIND_INFO at rva: version 1, flags, prolog size, frame register and offset, codes. */
static uint32_t put_info(uint32_t rva, unsigned flags, unsigned prolog, unsigned freg,
                         unsigned foff, const uint16_t *codes, unsigned count)
{
    const uint8_t h[4] = {(uint8_t)(1 | flags << 3), (uint8_t)prolog, (uint8_t)count,
                          (uint8_t)(freg | foff << 4)};
    put(rva, h, 4);
    for (unsigned i = 0; i < count; i++)
        put16(rva + 4 + 2 * i, codes[i]);
    return rva + 4 + 2 * ((count + 1) & ~1u); /* where a chained entry would go */
}

static void put_function(unsigned i, uint32_t begin, uint32_t end, uint32_t unwind)
{
    put32(MKPE_PDATA + 12 * i, begin);
    put32(MKPE_PDATA + 12 * i + 4, end);
    put32(MKPE_PDATA + 12 * i + 8, unwind);
}

void mkpe_build(uint8_t *file, uint8_t *mem)
{
    file_img = file;
    mem_img = mem;
    memset(file_img, 0, MKPE_FILE_SIZE);
    memset(mem_img, 0, MKPE_IMAGE_SIZE);
    /* DOS, NT and optional headers, PE32+. */
    put(0, "MZ", 2);
    put32(0x3c, 0x40);
    put(0x40, "PE\0\0", 4);
    put16(0x44, 0x8664);
    put16(0x46, 2);
    put32(0x48, MKPE_STAMP);
    put16(0x54, 240);
    const uint32_t o = 0x58;
    put16(o, 0x20b);
    put32(o + 56, MKPE_IMAGE_SIZE);
    put32(o + 60, 0x400);
    put32(o + 108, 16);
    put32(o + 112, MKPE_EXPORTS); /* export directory */
    put32(o + 116, 0x100);
    put32(o + 112 + 24, MKPE_PDATA); /* exception directory */
    put32(o + 112 + 28, 12 * MKPE_NFUNC);
    for (int i = 0; i < 2; i++) {
        const uint32_t s = o + 240 + 40 * (uint32_t)i;
        put(s, i ? ".rdata" : ".text", i ? 6 : 5);
        put32(s + 8, sect[i].vsize);
        put32(s + 12, sect[i].va);
        put32(s + 16, sect[i].raw_size);
        put32(s + 20, sect[i].raw);
    }

    /* F1 */
    const uint16_t f1[] = {CODE(6, UW_ALLOC_SMALL, 4), CODE(2, UW_PUSH, C_RBX),
                           CODE(1, UW_PUSH, C_RBP)};
    put_info(MKPE_XDATA, 0, 6, 0, 0, f1, 3);
    put_function(0, 0x1000, 0x1040, MKPE_XDATA);
    const uint8_t epi1[] = {0x48, 0x83, 0xc4, 0x28, 0x5b, 0x5d, 0xc3};
    put(0x1030, epi1, sizeof epi1);
    const uint8_t body1[] = {0x5b, 0x5d, 0xeb, 0xc4}; /* pop; pop; jmp 0x1000 */
    put(0x1038, body1, sizeof body1);
    /* F2 */
    const uint16_t f2[] = {CODE(14, UW_SAVE, C_RSI), 3, CODE(10, UW_SET_FPREG, 0),
                           CODE(5, UW_ALLOC_SMALL, 3), CODE(1, UW_PUSH, C_RBP)};
    put_info(MKPE_XDATA + 0x20, 0, 14, C_RBP, 1, f2, 5);
    put_function(1, 0x1040, 0x1080, MKPE_XDATA + 0x20);
    const uint8_t epi2[] = {0x48, 0x8d, 0x65, 0xf0, 0x5d, 0xc3}; /* lea rsp, [rbp - 0x10] ... */
    put(0x1070, epi2, sizeof epi2);
    /* F3 */
    const uint16_t f3[] = {CODE(30, UW_XMM, 6),
                           2,
                           CODE(25, UW_SAVE_FAR, C_R12),
                           0,
                           3,
                           CODE(18, UW_ALLOC_LARGE, 1),
                           0,
                           2,
                           CODE(7, UW_ALLOC_LARGE, 0),
                           0x200};
    put_info(MKPE_XDATA + 0x40, 0, 30, 0, 0, f3, 10);
    put_function(2, 0x1080, 0x10a0, MKPE_XDATA + 0x40);
    /* F4: chained to F1 */
    const uint16_t f4[] = {CODE(4, UW_ALLOC_SMALL, 1)};
    const uint32_t chain = put_info(MKPE_XDATA + 0x80, 4, 4, 0, 0, f4, 1);
    put32(chain, 0x1000);
    put32(chain + 4, 0x1040);
    put32(chain + 8, MKPE_XDATA);
    put_function(3, 0x10a0, 0x10c0, MKPE_XDATA + 0x80);
    /* F5, F6 */
    const uint16_t f5[] = {CODE(0, UW_MACHFRAME, 0)};
    put_info(MKPE_XDATA + 0xa0, 0, 0, 0, 0, f5, 1);
    put_function(4, 0x10c0, 0x10d0, MKPE_XDATA + 0xa0);
    const uint16_t f6[] = {CODE(0, UW_MACHFRAME, 1)};
    put_info(MKPE_XDATA + 0xb0, 0, 0, 0, 0, f6, 1);
    put_function(5, 0x10d0, 0x10e0, MKPE_XDATA + 0xb0);
    /* F7: indirect to F1's entry */
    put_function(6, 0x10e0, 0x10f0, MKPE_PDATA | 1);
    /* F8: chained to itself */
    const uint32_t self = put_info(MKPE_XDATA + 0xc0, 4, 0, 0, 0, NULL, 0);
    put32(self, 0x1100);
    put32(self + 4, 0x1110);
    put32(self + 8, MKPE_XDATA + 0xc0);
    put_function(7, 0x1100, 0x1110, MKPE_XDATA + 0xc0);
    /* F9: version 3 */
    const uint8_t v3[4] = {3, 0, 0, 0};
    put(MKPE_XDATA + 0xe0, v3, 4);
    put_function(8, 0x1110, 0x1120, MKPE_XDATA + 0xe0);
    /* F10: an ALLOC_LARGE 1 as the last of two codes: its slots run past the count */
    const uint16_t f10[] = {CODE(2, UW_PUSH, C_RBX), CODE(1, UW_ALLOC_LARGE, 1)};
    put_info(MKPE_XDATA + 0xf0, 0, 2, 0, 0, f10, 2);
    put_function(9, 0x1120, 0x1130, MKPE_XDATA + 0xf0);

    /* Exports: Alpha 0x1000, Beta 0x1040, an unnamed one at 0x1080, a forwarder, Gamma
     * 0x10f0. Names in .rdata past the raw size test the zero fill? No: they must be on disk. */
    const uint32_t e = MKPE_EXPORTS;
    put32(e + 20, 5);        /* NumberOfFunctions */
    put32(e + 24, 4);        /* NumberOfNames */
    put32(e + 28, e + 0x40); /* AddressOfFunctions */
    put32(e + 32, e + 0x60); /* AddressOfNames */
    put32(e + 36, e + 0x80); /* AddressOfNameOrdinals */
    const uint32_t funcs[5] = {0x1040, 0x1000, 0x1080, e + 0xe0, 0x10f0};
    for (int i = 0; i < 5; i++)
        put32(e + 0x40 + 4 * (uint32_t)i, funcs[i]);
    const char *const names[4] = {"Alpha", "Beta", "Fwd", "Gamma"};
    const uint16_t ords[4] = {1, 0, 3, 4};
    for (uint32_t i = 0; i < 4; i++) {
        put32(e + 0x60 + 4 * i, e + 0xa0 + 0x10 * i);
        put(e + 0xa0 + 0x10 * i, names[i], strlen(names[i]) + 1);
        put16(e + 0x80 + 2 * i, ords[i]);
    }
    put(e + 0xe0, "OTHER.Func", 11);
}
