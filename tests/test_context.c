/* test_context.c - context records of every layout decoded register by register, and the records
 * no layout explains.
 * SPDX-License-Identifier: MIT
 *
 * Each record is built with every register field holding a value that encodes its own offset,
 * so a register read from the wrong place shows up by name. The offsets below restate the
 * layouts from Microsoft's CONTEXT definitions and Breakpad's minidump_cpu_*.h. */
#include "suite.h"

#include <stdio.h>
#include <string.h>

/* One register as the test expects it: name, offset in the record, width in bytes. */
struct want_reg {
    const char *name;
    unsigned off;
    unsigned width;
};

static const struct want_reg x86_want[] = {
    {"eax", 0xb0, 4}, {"ebx", 0xa4, 4},    {"ecx", 0xac, 4}, {"edx", 0xa8, 4},
    {"esi", 0xa0, 4}, {"edi", 0x9c, 4},    {"ebp", 0xb4, 4}, {"esp", 0xc4, 4},
    {"eip", 0xb8, 4}, {"eflags", 0xc0, 4}, {"cs", 0xbc, 4},  {"ds", 0x98, 4},
    {"es", 0x94, 4},  {"fs", 0x90, 4},     {"gs", 0x8c, 4},  {"ss", 0xc8, 4},
};

static const struct want_reg amd64_want[] = {
    {"rax", 0x78, 8}, {"rbx", 0x90, 8}, {"rcx", 0x80, 8},    {"rdx", 0x88, 8}, {"rsi", 0xa8, 8},
    {"rdi", 0xb0, 8}, {"rbp", 0xa0, 8}, {"rsp", 0x98, 8},    {"r8", 0xb8, 8},  {"r9", 0xc0, 8},
    {"r10", 0xc8, 8}, {"r11", 0xd0, 8}, {"r12", 0xd8, 8},    {"r13", 0xe0, 8}, {"r14", 0xe8, 8},
    {"r15", 0xf0, 8}, {"rip", 0xf8, 8}, {"eflags", 0x44, 4},
};

static const struct want_reg arm_want[] = {
    {"r0", 0x04, 4},  {"r1", 0x08, 4},   {"r2", 0x0c, 4},  {"r3", 0x10, 4}, {"r4", 0x14, 4},
    {"r5", 0x18, 4},  {"r6", 0x1c, 4},   {"r7", 0x20, 4},  {"r8", 0x24, 4}, {"r9", 0x28, 4},
    {"r10", 0x2c, 4}, {"r11", 0x30, 4},  {"r12", 0x34, 4}, {"sp", 0x38, 4}, {"lr", 0x3c, 4},
    {"pc", 0x40, 4},  {"cpsr", 0x44, 4},
};

/* x0..x28 at 8 + 8n, then fp, lr, sp, pc; cpsr at 4 (ARM64 CONTEXT) or 0x110 (ARM64_Old). */
static struct want_reg arm64_want[34];

static void init_arm64_want(unsigned cpsr_off)
{
    static char names[29][4];
    for (unsigned n = 0; n < 29; n++) {
        snprintf(names[n], sizeof names[n], "x%u", n);
        arm64_want[n] = (struct want_reg){names[n], 8 + 8 * n, 8};
    }
    arm64_want[29] = (struct want_reg){"fp", 0xf0, 8};
    arm64_want[30] = (struct want_reg){"lr", 0xf8, 8};
    arm64_want[31] = (struct want_reg){"sp", 0x100, 8};
    arm64_want[32] = (struct want_reg){"pc", 0x108, 8};
    arm64_want[33] = (struct want_reg){"cpsr", cpsr_off, 4};
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The value a register at `off` holds in the records built here. */
static uint64_t value_at(unsigned off, unsigned width)
{
    return width == 8 ? 0x1122334400000000ull | (0xa000u + off) : 0xc0000000u | off;
}

/* A record of `size` bytes, its registers filled and its flags written at flags_off. */
static uint8_t *make_record(size_t size, unsigned flags_off, uint32_t flags,
                            const struct want_reg *regs, size_t n)
{
    uint8_t *p = calloc(1, size);
    for (size_t i = 0; i < n; i++) {
        if (regs[i].width == 8)
            mkd_store_u64(p + regs[i].off, value_at(regs[i].off, 8));
        else
            mkd_store_u32(p + regs[i].off, (uint32_t)value_at(regs[i].off, 4));
    }
    mkd_store_u32(p + flags_off, flags);
    return p;
}

/* A dump with nothing but (optionally) a SystemInfo naming `arch`. */
static dmp_file *open_with_arch(struct mkdump *b, int arch)
{
    if (arch >= 0) {
        uint8_t si[56] = {0};
        mkd_store_u16(si, (uint16_t)arch);
        mkd_add_stream_data(b, DMP_STREAM_SYSTEM_INFO, si, sizeof si);
    }
    return open_built(b);
}

static const dmp_reg *reg_named(const dmp_context *c, const char *name)
{
    for (size_t i = 0; i < c->reg_count; i++)
        if (strcmp(c->regs[i].name, name) == 0)
            return &c->regs[i];
    return NULL;
}

/* Decodes rec and checks cpu, flags, every register by name and in order, and ip/sp/fp. */
static void expect_decoded(const uint8_t *rec, size_t size, int arch, dmp_cpu cpu, uint32_t flags,
                           const struct want_reg *regs, size_t n, const char *ip, const char *sp,
                           const char *fp)
{
    struct mkdump *b = mkd_new(0);
    dmp_file *f = open_with_arch(b, arch);
    dmp_context c;
    memset(&c, 0xa5, sizeof c);
    ck_assert_int_eq(dmp_context_decode(f, rec, size, &c), DMP_OK);
    ck_assert_int_eq(c.cpu, cpu);
    ck_assert_uint_eq(c.flags, flags);
    ck_assert_uint_eq(c.reg_count, n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_str_eq(c.regs[i].name, regs[i].name);
        ck_assert_msg(c.regs[i].value == value_at(regs[i].off, regs[i].width), "%s: got %#llx",
                      regs[i].name, (unsigned long long)c.regs[i].value);
    }
    ck_assert_uint_eq(c.ip, reg_named(&c, ip)->value);
    ck_assert_uint_eq(c.sp, reg_named(&c, sp)->value);
    ck_assert_uint_eq(c.fp, reg_named(&c, fp)->value);
    dmp_close(f);
    mkd_free(b);
}

/* Decoding fails as malformed and leaves out->cpu unknown. */
static void expect_malformed(const uint8_t *rec, size_t size, int arch)
{
    struct mkdump *b = mkd_new(0);
    dmp_file *f = open_with_arch(b, arch);
    dmp_context c;
    memset(&c, 0xa5, sizeof c);
    ck_assert_int_eq(dmp_context_decode(f, rec, size, &c), DMP_E_MALFORMED);
    ck_assert_int_eq(c.cpu, DMP_CPU_UNKNOWN);
    ck_assert_uint_eq(c.reg_count, 0);
    dmp_close(f);
    mkd_free(b);
}

START_TEST(x86_full)
{
    uint8_t *rec = make_record(716, 0, 0x1003f, x86_want, N(x86_want));
    expect_decoded(rec, 716, -1, DMP_CPU_X86, 0x1003f, x86_want, N(x86_want), "eip", "esp", "ebp");
    free(rec);
}
END_TEST

START_TEST(x86_without_extended_registers)
{
    uint8_t *rec = make_record(204, 0, 0x10007, x86_want, N(x86_want));
    expect_decoded(rec, 204, -1, DMP_CPU_X86, 0x10007, x86_want, N(x86_want), "eip", "esp", "ebp");
    free(rec);
}
END_TEST

START_TEST(x86_xstate_longer)
{
    /* Windows with CONTEXT_XSTATE: CONTEXT_EX and the XSAVE area follow the 716 bytes. */
    uint8_t *rec = make_record(1147, 0, 0x1007f, x86_want, N(x86_want));
    expect_decoded(rec, 1147, -1, DMP_CPU_X86, 0x1007f, x86_want, N(x86_want), "eip", "esp", "ebp");
    mkd_store_u32(rec, 0x1003f); /* the same length without the XSTATE bit: unexplained */
    expect_malformed(rec, 1147, -1);
    free(rec);
}
END_TEST

START_TEST(amd64_full)
{
    /* P1Home..P6Home are scratch: garbage there must not matter; the flags are at 0x30. */
    uint8_t *rec = make_record(1232, 0x30, 0x10001f, amd64_want, N(amd64_want));
    memset(rec, 0x43, 0x30);
    expect_decoded(rec, 1232, -1, DMP_CPU_AMD64, 0x10001f, amd64_want, N(amd64_want), "rip", "rsp",
                   "rbp");
    /* SystemInfo agreeing changes nothing. */
    expect_decoded(rec, 1232, DMP_ARCH_AMD64, DMP_CPU_AMD64, 0x10001f, amd64_want, N(amd64_want),
                   "rip", "rsp", "rbp");
    free(rec);
}
END_TEST

START_TEST(amd64_xstate_longer)
{
    uint8_t *rec = make_record(1663, 0x30, 0x10005f, amd64_want, N(amd64_want));
    expect_decoded(rec, 1663, -1, DMP_CPU_AMD64, 0x10005f, amd64_want, N(amd64_want), "rip", "rsp",
                   "rbp");
    mkd_store_u32(rec + 0x30, 0x10001f);
    expect_malformed(rec, 1663, -1);
    free(rec);
}
END_TEST

START_TEST(amd64_cut_short)
{
    /* LLDB 16's record: 720 bytes, AMD64 | CONTROL | INTEGER | SEGMENTS, no FPU area. */
    uint8_t *rec = make_record(720, 0x30, 0x100007, amd64_want, N(amd64_want));
    expect_decoded(rec, 720, -1, DMP_CPU_AMD64, 0x100007, amd64_want, N(amd64_want), "rip", "rsp",
                   "rbp");
    expect_decoded(rec, 0x100, -1, DMP_CPU_AMD64, 0x100007, amd64_want, N(amd64_want), "rip", "rsp",
                   "rbp");           /* down to the end of Rip */
    expect_malformed(rec, 0xff, -1); /* Rip cut */
    mkd_store_u32(rec + 0x30, 0x7);  /* no CPU bits: a short record must say what it is */
    expect_malformed(rec, 720, DMP_ARCH_AMD64);
    free(rec);
}
END_TEST

START_TEST(arm_windows)
{
    uint8_t *rec = make_record(416, 0, 0x200007, arm_want, N(arm_want));
    expect_decoded(rec, 416, -1, DMP_CPU_ARM, 0x200007, arm_want, N(arm_want), "pc", "sp", "r11");
    free(rec);
}
END_TEST

START_TEST(arm_breakpad)
{
    uint8_t *rec = make_record(368, 0, 0x40000006, arm_want, N(arm_want));
    expect_decoded(rec, 368, -1, DMP_CPU_ARM, 0x40000006, arm_want, N(arm_want), "pc", "sp", "r11");
    /* Breakpad's first ARM value, 0x40, is still read in a 368-byte record. */
    mkd_store_u32(rec, 0x46);
    expect_decoded(rec, 368, -1, DMP_CPU_ARM, 0x46, arm_want, N(arm_want), "pc", "sp", "r11");
    free(rec);
}
END_TEST

START_TEST(arm64_windows_and_breakpad)
{
    init_arm64_want(0x04);
    uint8_t *rec = make_record(912, 0, 0x400007, arm64_want, N(arm64_want));
    expect_decoded(rec, 912, -1, DMP_CPU_ARM64, 0x400007, arm64_want, N(arm64_want), "pc", "sp",
                   "fp");
    expect_decoded(rec, 912, DMP_ARCH_ARM64_BREAKPAD, DMP_CPU_ARM64, 0x400007, arm64_want,
                   N(arm64_want), "pc", "sp", "fp");
    free(rec);
}
END_TEST

START_TEST(arm64_breakpad_old)
{
    /* MDRawContextARM64_Old: u64 flags, iregs[33] from 8, cpsr after pc, packed to 4: 796. */
    init_arm64_want(0x110);
    uint8_t *rec = make_record(796, 0, 0x80000006, arm64_want, N(arm64_want));
    expect_decoded(rec, 796, -1, DMP_CPU_ARM64, 0x80000006, arm64_want, N(arm64_want), "pc", "sp",
                   "fp");
    free(rec);
}
END_TEST

START_TEST(sizes_no_layout_has)
{
    static const size_t sizes[] = {0,   4,   100, 203, 205, 367,  415,  417,
                                   715, 717, 795, 911, 913, 1231, 1233, 4096};
    for (size_t i = 0; i < N(sizes); i++) {
        uint8_t *rec = calloc(1, sizes[i] + 1);
        if (sizes[i] >= 4)
            mkd_store_u32(rec, 0x1003f); /* x86 flags, but no x86 size */
        expect_malformed(rec, sizes[i], -1);
        free(rec);
    }
}
END_TEST

START_TEST(flags_naming_another_cpu)
{
    uint8_t *rec = make_record(716, 0, 0x10003f, x86_want, N(x86_want)); /* AMD64 bits */
    expect_malformed(rec, 716, -1);
    mkd_store_u32(rec, 0x4000003f); /* Breakpad ARM bits in an x86-sized record */
    expect_malformed(rec, 716, -1);
    free(rec);
    rec = make_record(1232, 0x30, 0x1001f, amd64_want, N(amd64_want)); /* x86 bits at 0x30 */
    expect_malformed(rec, 1232, -1);
    free(rec);
}
END_TEST

/* Flags without CPU bits: the size decides, unless SystemInfo names another CPU. */
START_TEST(flags_without_cpu_bits)
{
    uint8_t *rec = make_record(1232, 0x30, 0x1f, amd64_want, N(amd64_want));
    expect_decoded(rec, 1232, -1, DMP_CPU_AMD64, 0x1f, amd64_want, N(amd64_want), "rip", "rsp",
                   "rbp");
    expect_decoded(rec, 1232, DMP_ARCH_AMD64, DMP_CPU_AMD64, 0x1f, amd64_want, N(amd64_want), "rip",
                   "rsp", "rbp");
    expect_malformed(rec, 1232, DMP_ARCH_X86);
    free(rec);
    rec = make_record(716, 0, 0, x86_want, N(x86_want));
    expect_decoded(rec, 716, DMP_ARCH_X86_ON_WIN64, DMP_CPU_X86, 0, x86_want, N(x86_want), "eip",
                   "esp", "ebp");
    expect_malformed(rec, 716, DMP_ARCH_ARM);
    free(rec);
}
END_TEST

/* A 1232-byte record could be an x86 CONTEXT with XSTATE data behind it, or an AMD64
 * CONTEXT: flags naming a CPU win, then SystemInfo, then the exact size. */
START_TEST(ties_broken_by_system_info)
{
    uint8_t *rec = make_record(1232, 0x30, 0x10001f, amd64_want, N(amd64_want));
    for (size_t i = 0; i < N(x86_want); i++)
        mkd_store_u32(rec + x86_want[i].off, (uint32_t)value_at(x86_want[i].off, 4));
    mkd_store_u32(rec, 0x1007f); /* also reads as x86 flags with CONTEXT_XSTATE */
    /* The x86 fields overlap AMD64 ones: only check which CPU wins. */
    struct mkdump *b = mkd_new(0);
    dmp_file *f = open_with_arch(b, -1);
    dmp_context c;
    ck_assert_int_eq(dmp_context_decode(f, rec, 1232, &c), DMP_OK);
    ck_assert_int_eq(c.cpu, DMP_CPU_AMD64); /* exact size */
    dmp_close(f);
    mkd_free(b);
    b = mkd_new(0);
    f = open_with_arch(b, DMP_ARCH_X86);
    ck_assert_int_eq(dmp_context_decode(f, rec, 1232, &c), DMP_OK);
    ck_assert_int_eq(c.cpu, DMP_CPU_X86);
    ck_assert_uint_eq(c.flags, 0x1007f);
    ck_assert_uint_eq(c.ip, value_at(0xb8, 4));
    dmp_close(f);
    mkd_free(b);
    /* With no CPU bits at 0x30, the flags naming x86 win over the exact size. */
    mkd_store_u32(rec + 0x30, 0x1f);
    b = mkd_new(0);
    f = open_with_arch(b, -1);
    ck_assert_int_eq(dmp_context_decode(f, rec, 1232, &c), DMP_OK);
    ck_assert_int_eq(c.cpu, DMP_CPU_X86);
    dmp_close(f);
    mkd_free(b);
    free(rec);
}
END_TEST

START_TEST(invalid_args)
{
    struct mkdump *b = mkd_new(0);
    dmp_file *f = open_built(b);
    uint8_t rec[716] = {0};
    dmp_context c;
    c.cpu = (dmp_cpu)77;
    ck_assert_int_eq(dmp_context_decode(NULL, rec, sizeof rec, &c), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_context_decode(f, NULL, sizeof rec, &c), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_context_decode(f, rec, sizeof rec, NULL), DMP_E_INVALID_ARG);
    ck_assert_int_eq(c.cpu, 77); /* untouched */
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(cpu_names)
{
    ck_assert_str_eq(dmp_cpu_name(DMP_CPU_UNKNOWN), "unknown");
    ck_assert_str_eq(dmp_cpu_name(DMP_CPU_X86), "x86");
    ck_assert_str_eq(dmp_cpu_name(DMP_CPU_AMD64), "amd64");
    ck_assert_str_eq(dmp_cpu_name(DMP_CPU_ARM), "arm");
    ck_assert_str_eq(dmp_cpu_name(DMP_CPU_ARM64), "arm64");
    ck_assert_str_eq(dmp_cpu_name((dmp_cpu)99), "unknown");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("context");
    TCase *tc = tcase_create("layouts");
    tcase_add_test(tc, x86_full);
    tcase_add_test(tc, x86_without_extended_registers);
    tcase_add_test(tc, x86_xstate_longer);
    tcase_add_test(tc, amd64_full);
    tcase_add_test(tc, amd64_xstate_longer);
    tcase_add_test(tc, amd64_cut_short);
    tcase_add_test(tc, arm_windows);
    tcase_add_test(tc, arm_breakpad);
    tcase_add_test(tc, arm64_windows_and_breakpad);
    tcase_add_test(tc, arm64_breakpad_old);
    suite_add_tcase(s, tc);
    TCase *bad = tcase_create("unexplained");
    tcase_add_test(bad, sizes_no_layout_has);
    tcase_add_test(bad, flags_naming_another_cpu);
    tcase_add_test(bad, flags_without_cpu_bits);
    tcase_add_test(bad, ties_broken_by_system_info);
    tcase_add_test(bad, invalid_args);
    tcase_add_test(bad, cpu_names);
    suite_add_tcase(s, bad);
    return run_suite(s);
}
