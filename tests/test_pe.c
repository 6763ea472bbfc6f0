/* test_pe.c - PE images and Windows x64 unwinding (src/image/pe.c): headers read from a file
 * and from memory, exports, every unwind code, prologs and epilogs under way, chained and
 * indirect entries, the leaf rule, damaged data; and Wine's own PE DLLs when installed.
 * SPDX-License-Identifier: MIT
 *
 * The synthetic image (tests/mkpe.h) is read both as a file, through its section table, and
 * as a loaded copy. Its functions' prologs are described by unwind codes the way a compiler
 * would write them; each test sets up the stack a function at a given instruction would
 * have, and checks the caller's registers the ABI says unwinding gives.
 */
#include "suite.h"

#include "image/image.h"
#include "mkpe.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>

/* ---- The image (tests/mkpe.h) ----------------------------------------------------------- */

#define BASE MKPE_BASE
#define IMAGE_SIZE MKPE_IMAGE_SIZE
#define FILE_SIZE MKPE_FILE_SIZE
#define STAMP MKPE_STAMP
#define PDATA MKPE_PDATA
#define NFUNC MKPE_NFUNC

/* dmpread's amd64 numbering. */
enum { R_RBX = 3, R_RSI = 4, R_RBP = 6, R_RSP = 7, R_R12 = 12, R_RIP = 16 };

static uint8_t file_img[FILE_SIZE]; /* the file */
static uint8_t mem_img[IMAGE_SIZE]; /* the same image as loaded */

static void build_image(void)
{
    mkpe_build(file_img, mem_img);
}

/* ---- Memory: the loaded image and a stack --------------------------------------------- */

#define STACK 0x10000ull
#define STACK_SIZE 0x40000u

static uint8_t stack_mem[STACK_SIZE];

static dmp_status read_mem(void *ctx, uint64_t addr, void *dst, size_t len, size_t *got)
{
    (void)ctx;
    if (got)
        *got = 0;
    if (addr >= STACK && addr - STACK <= STACK_SIZE && len <= STACK_SIZE - (addr - STACK)) {
        memcpy(dst, stack_mem + (addr - STACK), len);
    } else if (addr >= BASE && addr - BASE <= IMAGE_SIZE && len <= IMAGE_SIZE - (addr - BASE)) {
        memcpy(dst, mem_img + (addr - BASE), len);
    } else {
        return DMP_E_UNMAPPED;
    }
    if (got)
        *got = len;
    return DMP_OK;
}

static const dmp_memory memory = {read_mem, NULL};

static void poke(uint64_t addr, uint64_t v)
{
    ck_assert(addr >= STACK && addr + 8 <= STACK + STACK_SIZE);
    memcpy(stack_mem + (addr - STACK), &v, 8); /* little-endian host assumed by the suites */
}

/* A callee with every register valid and recognisable. */
static dmp_regs callee_at(uint64_t rip, uint64_t rsp)
{
    dmp_regs r = {.cpu = DMP_CPU_AMD64};
    for (unsigned i = 0; i <= R_RIP; i++) {
        r.value[i] = 0xdead0000 + i;
        r.valid |= (uint64_t)1 << i;
    }
    r.value[R_RIP] = rip;
    r.value[R_RSP] = rsp;
    return r;
}

static struct dmpi_pe pe_file, pe_mem;

static void setup(void)
{
    build_image();
    memset(stack_mem, 0, sizeof stack_mem);
    char why[160];
    ck_assert_int_eq(dmpi_pe_open_file(&pe_file, file_img, sizeof file_img, BASE, why, sizeof why),
                     DMP_OK);
    ck_assert_int_eq(dmpi_pe_open_dump(&pe_mem, memory, BASE, why, sizeof why), DMP_OK);
}

static void teardown(void)
{
    dmpi_pe_close(&pe_file);
    dmpi_pe_close(&pe_mem);
}

/* Unwinds from rip/rsp in both images; both must agree. */
static dmp_status unwind(uint64_t rip, bool exact, const dmp_regs *callee, dmp_regs *out,
                         bool *leaf, bool *interrupted)
{
    dmp_regs a, b;
    bool la, lb, ia, ib;
    const uint64_t lookup = exact ? rip : rip - 1;
    const dmp_status ra =
        dmpi_pe_unwind_x64(&pe_file, rip, lookup, exact, callee, memory, &a, &la, &ia);
    const dmp_status rb =
        dmpi_pe_unwind_x64(&pe_mem, rip, lookup, exact, callee, memory, &b, &lb, &ib);
    ck_assert_int_eq(ra, rb);
    if (ra == DMP_OK) {
        ck_assert_uint_eq(a.valid, b.valid);
        for (unsigned i = 0; i <= R_RIP; i++)
            if (a.valid >> i & 1)
                ck_assert_uint_eq(a.value[i], b.value[i]);
        ck_assert(la == lb && ia == ib);
    }
    if (out)
        *out = a;
    if (leaf)
        *leaf = la;
    if (interrupted)
        *interrupted = ia;
    return ra;
}

static void expect_reg(const dmp_regs *r, unsigned i, uint64_t v)
{
    ck_assert_msg(r->valid >> i & 1, "register %u not valid", i);
    ck_assert_msg(r->value[i] == v, "register %u: 0x%llx, want 0x%llx", i,
                  (unsigned long long)r->value[i], (unsigned long long)v);
}

/* ---- Headers and exports ---------------------------------------------------------------- */

START_TEST(headers)
{
    for (int k = 0; k < 2; k++) {
        const struct dmpi_pe *const pe = k ? &pe_mem : &pe_file;
        ck_assert_uint_eq(pe->machine, 0x8664);
        ck_assert(pe->pe32plus);
        ck_assert_uint_eq(pe->timestamp, STAMP);
        ck_assert_uint_eq(pe->image_size, IMAGE_SIZE);
        ck_assert_uint_eq(pe->pdata_rva, PDATA);
        ck_assert_uint_eq(pe->pdata_size, 12 * NFUNC);
        ck_assert_uint_eq(pe->section_count, 2);
        uint8_t b[4];
        /* .text's first bytes are F1's epilog's neighbours; through the section table. */
        ck_assert(dmpi_pe_read(pe, 0x1030, b, 4));
        ck_assert_int_eq(b[0], 0x48);
        ck_assert_int_eq(b[3], 0x28);
        /* .rdata past its raw size reads as zeros from the file. */
        memset(b, 0xff, 4);
        ck_assert(dmpi_pe_read(pe, 0x2900, b, 4));
        ck_assert_int_eq(b[0] | b[1] | b[2] | b[3], 0);
        ck_assert(!dmpi_pe_read(pe, IMAGE_SIZE - 2, b, 4));
        ck_assert(!dmpi_pe_read(pe, UINT64_MAX - 1, b, 4));
    }
}
END_TEST

START_TEST(exports)
{
    char name[64];
    size_t len;
    uint32_t start;
    for (int k = 0; k < 2; k++) {
        const struct dmpi_pe *const pe = k ? &pe_mem : &pe_file;
        ck_assert_uint_eq(pe->export_count, 4); /* the forwarder is no code */
        ck_assert(dmpi_pe_export_name(pe, 0x1020, name, sizeof name, &len, &start));
        ck_assert_str_eq(name, "Alpha");
        ck_assert_uint_eq(start, 0x1000);
        ck_assert_uint_eq(len, 5);
        ck_assert(dmpi_pe_export_name(pe, 0x1040, name, sizeof name, &len, &start));
        ck_assert_str_eq(name, "Beta");
        ck_assert_uint_eq(start, 0x1040);
        /* Nearest is the ordinal-only export: no name rather than Alpha's. */
        ck_assert(!dmpi_pe_export_name(pe, 0x1090, name, sizeof name, &len, &start));
        ck_assert(dmpi_pe_export_name(pe, 0x10ff, name, sizeof name, &len, &start));
        ck_assert_str_eq(name, "Gamma");
        /* .rdata is another section than Gamma's. */
        ck_assert(!dmpi_pe_export_name(pe, 0x2010, name, sizeof name, &len, &start));
        ck_assert(!dmpi_pe_export_name(pe, 0xfff, name, sizeof name, &len, &start));
        /* A short buffer cuts the name. */
        ck_assert(dmpi_pe_export_name(pe, 0x1000, name, 3, &len, &start));
        ck_assert_str_eq(name, "Al");
    }
}
END_TEST

/* ---- Unwinding ------------------------------------------------------------------------- */

/* F1's frame in the body: locals 0x28, saved rbx, saved rbp, return address. */
static uint64_t frame_f1(uint64_t rsp)
{
    poke(rsp + 0x28, 0xb0b0);
    poke(rsp + 0x30, 0xbb00);
    poke(rsp + 0x38, BASE + 0x1555);
    return rsp + 0x40;
}

START_TEST(body)
{
    const uint64_t rsp = STACK + 0x1000;
    const uint64_t caller_sp = frame_f1(rsp);
    dmp_regs c = callee_at(BASE + 0x1020, rsp), r;
    bool leaf, intr;
    ck_assert_int_eq(unwind(BASE + 0x1020, true, &c, &r, &leaf, &intr), DMP_OK);
    ck_assert(!leaf && !intr);
    expect_reg(&r, R_RIP, BASE + 0x1555);
    expect_reg(&r, R_RSP, caller_sp);
    expect_reg(&r, R_RBX, 0xb0b0);
    expect_reg(&r, R_RBP, 0xbb00);
    expect_reg(&r, R_RSI, 0xdead0000 + R_RSI); /* non-volatile, untouched: kept */
    ck_assert(!(r.valid & 1));                 /* rax is volatile */
    /* A caller's return address in the prolog's range is not in a prolog: a call is made
     * from the body. */
    const uint64_t rsp2 = STACK + 0x2000;
    frame_f1(rsp2);
    c = callee_at(BASE + 0x1003, rsp2);
    ck_assert_int_eq(unwind(BASE + 0x1003, false, &c, &r, NULL, NULL), DMP_OK);
    expect_reg(&r, R_RSP, rsp2 + 0x40);
}
END_TEST

START_TEST(prolog)
{
    /* At 0x1002 (push rbp, push rbx done; sub rsp not yet): [rsp] rbx, [rsp+8] rbp. */
    const uint64_t rsp = STACK + 0x1000;
    poke(rsp, 0xb0b0);
    poke(rsp + 8, 0xbb00);
    poke(rsp + 16, BASE + 0x1777);
    dmp_regs c = callee_at(BASE + 0x1002, rsp), r;
    ck_assert_int_eq(unwind(BASE + 0x1002, true, &c, &r, NULL, NULL), DMP_OK);
    expect_reg(&r, R_RIP, BASE + 0x1777);
    expect_reg(&r, R_RSP, rsp + 24);
    expect_reg(&r, R_RBX, 0xb0b0);
    expect_reg(&r, R_RBP, 0xbb00);
    /* At 0x1001: only push rbp done. */
    poke(rsp, 0xbb01);
    poke(rsp + 8, BASE + 0x1778);
    c = callee_at(BASE + 0x1001, rsp);
    ck_assert_int_eq(unwind(BASE + 0x1001, true, &c, &r, NULL, NULL), DMP_OK);
    expect_reg(&r, R_RIP, BASE + 0x1778);
    expect_reg(&r, R_RSP, rsp + 16);
    expect_reg(&r, R_RBP, 0xbb01);
    expect_reg(&r, R_RBX, 0xdead0000 + R_RBX);
    /* At the entry: nothing done, the return address at rsp. */
    poke(rsp, BASE + 0x1779);
    c = callee_at(BASE + 0x1000, rsp);
    ck_assert_int_eq(unwind(BASE + 0x1000, true, &c, &r, NULL, NULL), DMP_OK);
    expect_reg(&r, R_RIP, BASE + 0x1779);
    expect_reg(&r, R_RSP, rsp + 8);
}
END_TEST

START_TEST(epilog)
{
    /* At the epilog's start the frame is whole: as in the body. */
    const uint64_t rsp = STACK + 0x1000;
    frame_f1(rsp);
    dmp_regs c = callee_at(BASE + 0x1030, rsp), r;
    ck_assert_int_eq(unwind(BASE + 0x1030, true, &c, &r, NULL, NULL), DMP_OK);
    expect_reg(&r, R_RIP, BASE + 0x1555);
    expect_reg(&r, R_RSP, rsp + 0x40);
    expect_reg(&r, R_RBX, 0xb0b0);
    /* After add rsp: pops and ret remain, from rsp as it is now. */
    c = callee_at(BASE + 0x1034, rsp + 0x28);
    ck_assert_int_eq(unwind(BASE + 0x1034, true, &c, &r, NULL, NULL), DMP_OK);
    expect_reg(&r, R_RIP, BASE + 0x1555);
    expect_reg(&r, R_RSP, rsp + 0x40);
    expect_reg(&r, R_RBX, 0xb0b0);
    expect_reg(&r, R_RBP, 0xbb00);
    /* At the ret. */
    c = callee_at(BASE + 0x1036, rsp + 0x38);
    ck_assert_int_eq(unwind(BASE + 0x1036, true, &c, &r, NULL, NULL), DMP_OK);
    expect_reg(&r, R_RIP, BASE + 0x1555);
    expect_reg(&r, R_RBX, 0xdead0000 + R_RBX);
    /* pop; pop; jmp back into the function is body code: the whole prolog is undone from
     * rsp, so rbx comes from rsp + 0x28. */
    const uint64_t rsp2 = STACK + 0x3000;
    frame_f1(rsp2);
    c = callee_at(BASE + 0x1038, rsp2);
    ck_assert_int_eq(unwind(BASE + 0x1038, true, &c, &r, NULL, NULL), DMP_OK);
    expect_reg(&r, R_RSP, rsp2 + 0x40);
    expect_reg(&r, R_RBX, 0xb0b0);
    /* In a caller, the same bytes are never taken for an epilog. */
    c = callee_at(BASE + 0x1034, rsp);
    ck_assert_int_eq(unwind(BASE + 0x1034, false, &c, &r, NULL, NULL), DMP_OK);
    expect_reg(&r, R_RSP, rsp + 0x40);
    /* lea rsp, [rbp - 0x10]; pop rbp; ret in F2. */
    const uint64_t base = STACK + 0x5000;
    poke(base, 0xbb02);
    poke(base + 8, BASE + 0x1999);
    c = callee_at(BASE + 0x1070, STACK + 0x4000);
    c.value[R_RBP] = base + 0x10;
    ck_assert_int_eq(unwind(BASE + 0x1070, true, &c, &r, NULL, NULL), DMP_OK);
    expect_reg(&r, R_RIP, BASE + 0x1999);
    expect_reg(&r, R_RSP, base + 16);
    expect_reg(&r, R_RBP, 0xbb02);
}
END_TEST

START_TEST(frame_register)
{
    /* F2 after its prolog, then 0x100 of alloca below: rsp moved, rbp did not. The prolog's
     * RSP (post) is rbp - 0x10; rsi was saved at post + 0x18; rbp pushed at post + 0x20. */
    const uint64_t post = STACK + 0x2000;
    poke(post + 0x18, 0x5151);
    poke(post + 0x20, 0xbb03);
    poke(post + 0x28, BASE + 0x1aaa);
    dmp_regs c = callee_at(BASE + 0x1060, post - 0x100), r;
    c.value[R_RBP] = post + 0x10;
    ck_assert_int_eq(unwind(BASE + 0x1060, true, &c, &r, NULL, NULL), DMP_OK);
    expect_reg(&r, R_RIP, BASE + 0x1aaa);
    expect_reg(&r, R_RSP, post + 0x30);
    expect_reg(&r, R_RSI, 0x5151);
    expect_reg(&r, R_RBP, 0xbb03);
    /* In the prolog before lea rbp: RSP is the frame, the frame register not yet used. */
    const uint64_t rsp = STACK + 0x3000;
    poke(rsp + 0x20, 0xbb04);
    poke(rsp + 0x28, BASE + 0x1bbb);
    c = callee_at(BASE + 0x1045, rsp);
    c.valid &= ~((uint64_t)1 << R_RBP); /* not even known */
    ck_assert_int_eq(unwind(BASE + 0x1045, true, &c, &r, NULL, NULL), DMP_OK);
    expect_reg(&r, R_RIP, BASE + 0x1bbb);
    expect_reg(&r, R_RSP, rsp + 0x30);
    expect_reg(&r, R_RBP, 0xbb04);
    /* In the body without a valid frame register: no unwind. */
    c = callee_at(BASE + 0x1060, rsp);
    c.valid &= ~((uint64_t)1 << R_RBP);
    ck_assert_int_eq(unwind(BASE + 0x1060, true, &c, &r, NULL, NULL), DMP_E_MALFORMED);
}
END_TEST

START_TEST(large_and_far)
{
    /* F3 past its 30-byte prolog: 0x1000 + 0x20000 allocated; r12 at frame + 0x30000. */
    const uint64_t rsp = STACK + 0x100;
    poke(rsp + 0x30000, 0x1212);
    poke(rsp + 0x21000, BASE + 0x1ccc);
    dmp_regs c = callee_at(BASE + 0x109f, rsp), r;
    ck_assert_int_eq(unwind(BASE + 0x109f, true, &c, &r, NULL, NULL), DMP_OK);
    expect_reg(&r, R_RIP, BASE + 0x1ccc);
    expect_reg(&r, R_RSP, rsp + 0x21008);
    expect_reg(&r, R_R12, 0x1212);
    /* Stack that is not there: a status, not a guess. */
    c = callee_at(BASE + 0x109f, STACK + STACK_SIZE - 0x100);
    ck_assert_int_eq(unwind(BASE + 0x109f, true, &c, &r, NULL, NULL), DMP_E_UNMAPPED);
    /* In that prolog after the first allocation only: only it is undone. */
    poke(rsp + 0x1000, BASE + 0x1ddd);
    c = callee_at(BASE + 0x1088, rsp);
    ck_assert_int_eq(unwind(BASE + 0x1088, true, &c, &r, NULL, NULL), DMP_OK);
    expect_reg(&r, R_RIP, BASE + 0x1ddd);
    expect_reg(&r, R_RSP, rsp + 0x1008);
    expect_reg(&r, R_R12, 0xdead0000 + R_R12);
}
END_TEST

START_TEST(chained)
{
    /* F4's own 0x10, then F1's whole frame. */
    const uint64_t rsp = STACK + 0x1000;
    frame_f1(rsp + 0x10);
    dmp_regs c = callee_at(BASE + 0x10b0, rsp), r;
    ck_assert_int_eq(unwind(BASE + 0x10b0, false, &c, &r, NULL, NULL), DMP_OK);
    expect_reg(&r, R_RIP, BASE + 0x1555);
    expect_reg(&r, R_RSP, rsp + 0x50);
    expect_reg(&r, R_RBX, 0xb0b0);
    /* Indirect: F7's entry uses F1's unwind data. */
    frame_f1(rsp);
    c = callee_at(BASE + 0x10e8, rsp);
    ck_assert_int_eq(unwind(BASE + 0x10e8, false, &c, &r, NULL, NULL), DMP_OK);
    expect_reg(&r, R_RSP, rsp + 0x40);
    /* A chain that loops ends as damage. */
    c = callee_at(BASE + 0x1104, rsp);
    ck_assert_int_eq(unwind(BASE + 0x1104, false, &c, &r, NULL, NULL), DMP_E_MALFORMED);
}
END_TEST

START_TEST(machine_frame)
{
    const uint64_t rsp = STACK + 0x1000;
    poke(rsp, BASE + 0x1234); /* RIP, CS, EFLAGS, RSP, SS */
    poke(rsp + 24, STACK + 0x8000);
    dmp_regs c = callee_at(BASE + 0x10c4, rsp), r;
    bool intr;
    ck_assert_int_eq(unwind(BASE + 0x10c4, true, &c, &r, NULL, &intr), DMP_OK);
    ck_assert(intr);
    expect_reg(&r, R_RIP, BASE + 0x1234);
    expect_reg(&r, R_RSP, STACK + 0x8000);
    /* With an error code below. */
    poke(rsp, 0xe);
    poke(rsp + 8, BASE + 0x1235);
    poke(rsp + 32, STACK + 0x9000);
    c = callee_at(BASE + 0x10d4, rsp);
    ck_assert_int_eq(unwind(BASE + 0x10d4, true, &c, &r, NULL, &intr), DMP_OK);
    expect_reg(&r, R_RIP, BASE + 0x1235);
    expect_reg(&r, R_RSP, STACK + 0x9000);
}
END_TEST

START_TEST(leaf_rule)
{
    const uint64_t rsp = STACK + 0x1000;
    poke(rsp, BASE + 0x1444);
    dmp_regs c = callee_at(BASE + 0x10f4, rsp), r;
    bool leaf;
    ck_assert_int_eq(unwind(BASE + 0x10f4, true, &c, &r, &leaf, NULL), DMP_OK);
    ck_assert(leaf);
    expect_reg(&r, R_RIP, BASE + 0x1444);
    expect_reg(&r, R_RSP, rsp + 8);
    expect_reg(&r, R_RBX, 0xdead0000 + R_RBX);
}
END_TEST

START_TEST(damaged)
{
    const uint64_t rsp = STACK + 0x1000;
    dmp_regs c = callee_at(BASE + 0x1114, rsp), r;
    ck_assert_int_eq(unwind(BASE + 0x1114, true, &c, &r, NULL, NULL), DMP_E_MALFORMED);
    c = callee_at(BASE + 0x1128, rsp);
    ck_assert_int_eq(unwind(BASE + 0x1128, false, &c, &r, NULL, NULL), DMP_E_MALFORMED);
    /* Outside the image, and without a stack pointer. */
    c = callee_at(BASE + IMAGE_SIZE + 4, rsp);
    ck_assert_int_eq(unwind(BASE + IMAGE_SIZE + 4, true, &c, &r, NULL, NULL), DMP_E_MALFORMED);
    c = callee_at(BASE + 0x1020, rsp);
    c.valid &= ~((uint64_t)1 << R_RSP);
    ck_assert_int_eq(unwind(BASE + 0x1020, true, &c, &r, NULL, NULL), DMP_E_MALFORMED);
}
END_TEST

/* Header damage: each edit must give a status and a reason, never a crash. */
START_TEST(bad_headers)
{
    static const struct {
        uint32_t at;
        uint32_t value;
        unsigned size;
        dmp_status want;
    } edits[] = {
        {0, 'X', 1, DMP_E_MALFORMED},             /* no MZ */
        {0x3c, 0x20000, 4, DMP_E_MALFORMED},      /* e_lfanew far away */
        {0x3c, FILE_SIZE - 8, 4, DMP_E_UNMAPPED}, /* NT headers past the end */
        {0x40, 'X', 1, DMP_E_MALFORMED},          /* no PE signature */
        {0x58, 0x30b, 2, DMP_E_MALFORMED},        /* unknown optional header magic */
        {0x54, 40, 2, DMP_E_MALFORMED},           /* optional header too short */
        {0x46, 200, 2, DMP_E_MALFORMED},          /* too many sections */
    };
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        build_image();
        for (unsigned k = 0; k < edits[i].size; k++)
            file_img[edits[i].at + k] = (uint8_t)(edits[i].value >> 8 * k);
        struct dmpi_pe pe;
        char why[160] = "";
        const dmp_status rc =
            dmpi_pe_open_file(&pe, file_img, sizeof file_img, BASE, why, sizeof why);
        ck_assert_msg(rc == edits[i].want, "edit %zu: status %d", i, (int)rc);
        ck_assert_msg(why[0] != '\0', "edit %zu: no reason", i);
    }
    /* Directories that do not fit the image are dropped, not followed. */
    build_image();
    file_img[0x58 + 112 + 28] = 0xff;
    file_img[0x58 + 112 + 29] = 0xff;
    file_img[0x58 + 112 + 30] = 0xff;
    struct dmpi_pe pe;
    ck_assert_int_eq(dmpi_pe_open_file(&pe, file_img, sizeof file_img, BASE, NULL, 0), DMP_OK);
    ck_assert_uint_eq(pe.pdata_size, 0);
    dmp_regs c = callee_at(BASE + 0x1020, STACK + 0x1000), r;
    bool leaf, intr;
    ck_assert_int_eq(
        dmpi_pe_unwind_x64(&pe, BASE + 0x1020, BASE + 0x1020, true, &c, memory, &r, &leaf, &intr),
        DMP_E_NOT_FOUND);
    dmpi_pe_close(&pe);
    /* Every truncation of the file opens or fails cleanly. */
    build_image();
    for (size_t len = 0; len < sizeof file_img; len += 7) {
        if (dmpi_pe_open_file(&pe, file_img, len, BASE, NULL, 0) == DMP_OK)
            dmpi_pe_close(&pe);
    }
}
END_TEST

/* ---- Wine's PE DLLs ----------------------------------------------------------------------- */

#define WINE_DLLS "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows"

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *const fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    const long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    uint8_t *const p = n > 0 ? malloc((size_t)n) : NULL;
    if (p && fread(p, 1, (size_t)n, fp) != (size_t)n) {
        free(p);
        fclose(fp);
        return NULL;
    }
    fclose(fp);
    *len = (size_t)n;
    return p;
}

/* ntdll.dll, kernel32.dll and msvcrt.dll as Wine ships them: the exception directory is
 * sorted, every function's unwind data is sound from its last instruction (a stack too small
 * for a huge allocation may make it unreadable, never malformed), and every named export is
 * found at its own address. */
START_TEST(wine_dlls)
{
    const char *const names[] = {"ntdll.dll", "kernel32.dll", "msvcrt.dll"};
    size_t checked = 0;
    for (size_t n = 0; n < sizeof names / sizeof names[0]; n++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", WINE_DLLS, names[n]);
        size_t len;
        uint8_t *const data = slurp(path, &len);
        if (!data)
            continue;
        struct dmpi_pe pe;
        char why[160];
        ck_assert_msg(dmpi_pe_open_file(&pe, data, len, BASE, why, sizeof why) == DMP_OK, "%s: %s",
                      path, why);
        ck_assert_uint_eq(pe.machine, 0x8664);
        ck_assert_uint_gt(pe.pdata_size, 12 * 100);
        ck_assert_uint_gt(pe.export_count, 100);
        size_t ok = 0, total = pe.pdata_size / 12, prev_end = 0;
        /* A stack of recognisable words: the unwinds read what they like. */
        for (size_t k = 0; k < 0x400; k += 8)
            poke(STACK + 0x1000 + k, BASE + 0x1000 + k);
        for (size_t i = 0; i < total; i++) {
            uint8_t f[12];
            ck_assert(dmpi_pe_read(&pe, pe.pdata_rva + 12 * i, f, sizeof f));
            const uint32_t begin = load_u32le(f), end = load_u32le(f + 4);
            expect(begin >= prev_end && end > begin, "%s: entry %zu unsorted", path, i);
            prev_end = end;
            dmp_regs c = callee_at(BASE + end - 1, STACK + 0x1000), r;
            bool leaf, intr;
            const dmp_status rc = dmpi_pe_unwind_x64(&pe, BASE + end - 1, BASE + end - 1, false, &c,
                                                     memory, &r, &leaf, &intr);
            ok += (rc == DMP_OK && !leaf && (r.valid >> R_RIP & 1)) || rc == DMP_E_UNMAPPED;
        }
        ck_assert_msg(ok == total, "%s: %zu of %zu functions unwind", path, ok, total);
        char name[256];
        size_t nlen;
        uint32_t start;
        size_t named = 0;
        for (size_t i = 0; i < pe.export_count; i++) {
            if (!pe.exports[i].name_rva)
                continue;
            expect(dmpi_pe_export_name(&pe, pe.exports[i].rva, name, sizeof name, &nlen, &start) &&
                       start == pe.exports[i].rva,
                   "%s: export %zu not found at its address", path, i);
            named++;
        }
        ck_assert_uint_gt(named, 100);
        dmpi_pe_close(&pe);
        free(data);
        checked++;
    }
    if (checked == 0) {
        printf("test_pe: wine_dlls SKIPPED: no Wine PE DLLs in %s (Debian: apt-get install "
               "wine64)\n",
               WINE_DLLS);
        return;
    }
}
END_TEST

int main(void)
{
    Suite *const s = suite_create("pe");
    TCase *const tc = tcase_create("pe");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, headers);
    tcase_add_test(tc, exports);
    tcase_add_test(tc, body);
    tcase_add_test(tc, prolog);
    tcase_add_test(tc, epilog);
    tcase_add_test(tc, frame_register);
    tcase_add_test(tc, large_and_far);
    tcase_add_test(tc, chained);
    tcase_add_test(tc, machine_frame);
    tcase_add_test(tc, leaf_rule);
    tcase_add_test(tc, damaged);
    tcase_add_test(tc, bad_headers);
    tcase_add_test(tc, wine_dlls);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
