/* test_sym.c - Breakpad symbol files: the open pass, lookups, CFI and STACK WIN records, the
 * postfix evaluator and the symbol store, on small texts written here and on the shared files.
 * SPDX-License-Identifier: MIT */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */

#include "suite.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static dmp_symfile *open_text(const char *text)
{
    dmp_symfile *s = NULL;
    ck_assert_int_eq(dmp_sym_open_mem(text, strlen(text), &s, NULL), DMP_OK);
    ck_assert_ptr_nonnull(s);
    return s;
}

static int str_is(dmp_sym_str s, const char *want)
{
    return s.len == strlen(want) && memcmp(s.ptr, want, s.len) == 0;
}

#define ck_assert_sym_str(s, want)                                                                 \
    ck_assert_msg(str_is((s), (want)), "got '%.*s', want '%s'", (int)(s).len, (s).ptr, (want))

static const char basic_sym[] = "MODULE Linux x86_64 0123456789ABCDEF0123456789ABCDEF0 libdemo.so\n"
                                "INFO CODE_ID 89674523AB01EFCD libdemo.so\n"
                                "FILE 0 demo.c\n"
                                "FILE 1 util.h\n"
                                "FUNC 1000 20 8 alpha\n"
                                "1000 10 10 0\n"
                                "1010 10 11 1\n"
                                "FUNC m 1040 10 0 beta(int)\n"
                                "1040 8 20 0\n"
                                "PUBLIC 1020 4 gap_public\n"
                                "PUBLIC m 1100 0 tail_public\n"
                                "PUBLIC 0 0 at_zero\n"
                                "STACK CFI INIT 1000 20 .cfa: $rsp 8 + .ra: .cfa -8 + ^\n"
                                "STACK CFI 1004 .cfa: $rsp 16 + $rbp: .cfa -16 + ^\n"
                                "STACK CFI 1008 .cfa: $rbp 16 +\n";

START_TEST(module_and_info)
{
    dmp_symfile *const s = open_text(basic_sym);
    dmp_sym_info in;
    dmp_sym_get_info(s, &in);
    ck_assert_sym_str(in.os, "Linux");
    ck_assert_sym_str(in.arch, "x86_64");
    ck_assert_sym_str(in.id, "0123456789ABCDEF0123456789ABCDEF0");
    ck_assert_sym_str(in.name, "libdemo.so");
    ck_assert_sym_str(in.code_id, "89674523AB01EFCD");
    ck_assert_sym_str(in.code_file, "libdemo.so");
    ck_assert_int_eq(in.cpu, DMP_CPU_AMD64);
    ck_assert_uint_eq(in.line_count, 15);
    ck_assert_uint_eq(in.func_count, 2);
    ck_assert_uint_eq(in.public_count, 2); /* the PUBLIC at 0 is left out, as Breakpad does */
    ck_assert_uint_eq(in.file_count, 2);
    ck_assert_uint_eq(in.cfi_count, 1);
    ck_assert_uint_eq(in.bad_lines, 0);
    ck_assert_uint_eq(dmp_sym_diag_count(s), 0);
    dmp_sym_close(s);
}
END_TEST

START_TEST(func_line_and_public)
{
    dmp_symfile *const s = open_text(basic_sym);
    dmp_sym_lookup r;
    ck_assert_int_eq(dmp_sym_lookup_addr(s, 0x1013, &r), DMP_OK);
    ck_assert_int_eq(r.kind, DMP_SYM_FUNC);
    ck_assert_sym_str(r.name, "alpha");
    ck_assert_uint_eq(r.start, 0x1000);
    ck_assert_uint_eq(r.size, 0x20);
    ck_assert_uint_eq(r.param_size, 8);
    ck_assert_int_eq(r.multiple, 0);
    ck_assert_int_eq(r.has_line, 1);
    ck_assert_sym_str(r.file, "util.h");
    ck_assert_uint_eq(r.line, 11);
    ck_assert_uint_eq(r.line_start, 0x1010);
    ck_assert_uint_eq(dmp_sym_line_of(s, r.sym_offset), 5);

    /* The `m` flag; an address in the FUNC but past its line records has no line. */
    ck_assert_int_eq(dmp_sym_lookup_addr(s, 0x104c, &r), DMP_OK);
    ck_assert_sym_str(r.name, "beta(int)");
    ck_assert_int_eq(r.multiple, 1);
    ck_assert_int_eq(r.has_line, 0);

    /* A PUBLIC covers from its address to the next FUNC or PUBLIC. */
    ck_assert_int_eq(dmp_sym_lookup_addr(s, 0x1030, &r), DMP_OK);
    ck_assert_int_eq(r.kind, DMP_SYM_PUBLIC);
    ck_assert_sym_str(r.name, "gap_public");
    ck_assert_uint_eq(r.size, 0x20);
    ck_assert_uint_eq(r.param_size, 4);
    /* ... but not past a FUNC that starts above it: beta ends at 0x1050 */
    ck_assert_int_eq(dmp_sym_lookup_addr(s, 0x1050, &r), DMP_E_NOT_FOUND);
    ck_assert_int_eq(dmp_sym_lookup_addr(s, 0x5000, &r), DMP_OK);
    ck_assert_sym_str(r.name, "tail_public");
    ck_assert_int_eq(r.multiple, 1);
    ck_assert_uint_eq(r.size, 0);
    /* Below everything; and the PUBLIC at 0 is not there. */
    r.kind = 99;
    ck_assert_int_eq(dmp_sym_lookup_addr(s, 0x10, &r), DMP_E_NOT_FOUND);
    ck_assert_int_eq(r.kind, 99); /* untouched on failure */
    dmp_sym_close(s);
}
END_TEST

START_TEST(cfi_rules_and_deltas)
{
    dmp_symfile *const s = open_text(basic_sym);
    dmp_cfi_rules c;
    ck_assert_int_eq(dmp_sym_find_cfi(s, 0x1002, &c), DMP_OK);
    ck_assert_uint_eq(c.init_start, 0x1000);
    ck_assert_uint_eq(c.init_size, 0x20);
    ck_assert_uint_eq(c.count, 2);
    ck_assert_sym_str(c.rules[0].reg, ".cfa");
    ck_assert_sym_str(c.rules[0].expr, "$rsp 8 +");
    ck_assert_sym_str(c.rules[1].reg, ".ra");
    ck_assert_sym_str(c.rules[1].expr, ".cfa -8 + ^");
    /* At 0x1004 the first delta applies; at 0x100f both, the later .cfa winning. */
    ck_assert_int_eq(dmp_sym_find_cfi(s, 0x1004, &c), DMP_OK);
    ck_assert_uint_eq(c.count, 3);
    ck_assert_sym_str(c.rules[0].expr, "$rsp 16 +");
    ck_assert_sym_str(c.rules[2].reg, "$rbp");
    ck_assert_int_eq(dmp_sym_find_cfi(s, 0x100f, &c), DMP_OK);
    ck_assert_uint_eq(c.count, 3);
    ck_assert_sym_str(c.rules[0].expr, "$rbp 16 +");
    ck_assert_int_eq(dmp_sym_find_cfi(s, 0x1020, &c), DMP_E_NOT_FOUND);
    ck_assert_int_eq(dmp_sym_find_cfi(s, 0xfff, &c), DMP_E_NOT_FOUND);
    dmp_sym_close(s);
}
END_TEST

/* Memory for the evaluator: 64 bytes at 0x7000, each 8-byte word i holding 0x1000 + i. */
static dmp_status fake_read(void *ctx, uint64_t addr, void *dst, size_t len, size_t *got)
{
    (void)ctx;
    uint8_t mem[64];
    for (int i = 0; i < 8; i++)
        for (int b = 0; b < 8; b++)
            mem[i * 8 + b] = (uint8_t)(((uint64_t)(0x1000 + i)) >> (8 * b));
    if (addr < 0x7000 || addr - 0x7000 > sizeof mem || len > sizeof mem - (addr - 0x7000))
        return DMP_E_UNMAPPED;
    memcpy(dst, mem + (addr - 0x7000), len);
    if (got)
        *got = len;
    return DMP_OK;
}

static const dmp_memory fake_mem = {fake_read, NULL};

START_TEST(cfi_apply_amd64)
{
    const char text[] = "MODULE Linux x86_64 00 m\n"
                        "STACK CFI INIT 10 10 .cfa: $rsp 16 + .ra: .cfa -8 + ^ $rbp: .cfa -16 + ^ "
                        "$rbx: $rbx $r12: $nosuch\n";
    dmp_symfile *const s = open_text(text);
    dmp_cfi_rules c;
    ck_assert_int_eq(dmp_sym_find_cfi(s, 0x12, &c), DMP_OK);
    dmp_regs callee = {.cpu = DMP_CPU_AMD64};
    const int rsp = dmp_reg_lookup(DMP_CPU_AMD64, "$rsp", 4);
    const int rbx = dmp_reg_lookup(DMP_CPU_AMD64, "rbx", 3);
    ck_assert_int_eq(rsp, (int)dmp_reg_sp(DMP_CPU_AMD64));
    callee.value[rsp] = 0x7000;
    callee.value[rbx] = 0x55;
    callee.valid = (uint64_t)1 << rsp | (uint64_t)1 << rbx;
    dmp_regs caller;
    uint64_t cfa, ra;
    ck_assert_int_eq(dmp_cfi_apply(&c, &callee, fake_mem, &caller, &cfa, &ra), DMP_OK);
    ck_assert_uint_eq(cfa, 0x7010);
    ck_assert_uint_eq(ra, 0x1001); /* the word at 0x7008 */
    ck_assert_uint_eq(caller.value[dmp_reg_ip(DMP_CPU_AMD64)], 0x1001);
    ck_assert_uint_eq(caller.value[rsp], 0x7010);
    const int rbp = dmp_reg_lookup(DMP_CPU_AMD64, "rbp", 3);
    ck_assert(caller.valid >> rbp & 1);
    ck_assert_uint_eq(caller.value[rbp], 0x1000);
    ck_assert(caller.valid >> rbx & 1);
    ck_assert_uint_eq(caller.value[rbx], 0x55);
    /* a rule that fails leaves its register invalid, and nothing else */
    ck_assert(!(caller.valid >> dmp_reg_lookup(DMP_CPU_AMD64, "r12", 3) & 1));
    /* .ra reading uncaptured memory fails the whole step */
    callee.value[rsp] = 0x9000;
    caller.cpu = DMP_CPU_UNKNOWN;
    ck_assert_int_eq(dmp_cfi_apply(&c, &callee, fake_mem, &caller, NULL, NULL), DMP_E_UNMAPPED);
    ck_assert_int_eq(caller.cpu, DMP_CPU_UNKNOWN);
    dmp_sym_close(s);
}
END_TEST

static dmp_status eval_str(dmp_eval *ev, const char *e, uint64_t *v)
{
    return dmp_eval_expr(ev, e, strlen(e), v);
}

START_TEST(evaluator_operators)
{
    dmp_regs r = {.cpu = DMP_CPU_AMD64};
    dmp_eval ev;
    uint64_t v;
    dmp_eval_init(&ev, &r, fake_mem);
    ck_assert_int_eq(eval_str(&ev, "7 5 +", &v), DMP_OK);
    ck_assert_uint_eq(v, 12);
    ck_assert_int_eq(eval_str(&ev, "7 5 -", &v), DMP_OK);
    ck_assert_uint_eq(v, 2);
    ck_assert_int_eq(eval_str(&ev, "5 7 -", &v), DMP_OK);
    ck_assert_uint_eq(v, UINT64_MAX - 1);
    ck_assert_int_eq(eval_str(&ev, "-8 3 *", &v), DMP_OK);
    ck_assert_uint_eq(v, (uint64_t)-24);
    ck_assert_int_eq(eval_str(&ev, "17 5 /", &v), DMP_OK);
    ck_assert_uint_eq(v, 3);
    ck_assert_int_eq(eval_str(&ev, "17 5 %", &v), DMP_OK);
    ck_assert_uint_eq(v, 2);
    ck_assert_int_eq(eval_str(&ev, "0x", &v), DMP_E_MALFORMED); /* an unknown variable */
    ck_assert_int_eq(eval_str(&ev, "1023 16 @", &v), DMP_OK);
    ck_assert_uint_eq(v, 1008);
    ck_assert_int_eq(eval_str(&ev, "28680 ^", &v), DMP_OK); /* 0x7008 */
    ck_assert_uint_eq(v, 0x1001);
    ck_assert_int_eq(eval_str(&ev, "28674 ^", &v), DMP_OK); /* unaligned is fine */
    ck_assert_int_eq(eval_str(&ev, "4096 ^", &v), DMP_E_UNMAPPED);
    ck_assert_int_eq(eval_str(&ev, "1 0 /", &v), DMP_E_MALFORMED);
    ck_assert_int_eq(eval_str(&ev, "1 0 %", &v), DMP_E_MALFORMED);
    ck_assert_int_eq(eval_str(&ev, "1 +", &v), DMP_E_MALFORMED);
    ck_assert_int_eq(eval_str(&ev, "1 2", &v), DMP_E_MALFORMED);
    ck_assert_int_eq(eval_str(&ev, "", &v), DMP_E_MALFORMED);
    ck_assert_int_eq(eval_str(&ev, "$rax", &v), DMP_E_MALFORMED); /* not valid */
    ck_assert_int_eq(eval_str(&ev, "99999999999999999999", &v), DMP_E_MALFORMED);
    /* The stack is bounded: 65 literals overflow it. */
    char deep[65 * 2 + 1] = "";
    for (int i = 0; i < 65; i++)
        strcat(deep, "1 ");
    ck_assert_int_eq(eval_str(&ev, deep, &v), DMP_E_MALFORMED);
    /* So is the program: more than DMP_EVAL_MAX_TOKENS tokens fail. */
    static char longprog[4 * DMP_EVAL_MAX_TOKENS + 8];
    char *p = longprog;
    p += sprintf(p, "1 ");
    for (int i = 0; i < DMP_EVAL_MAX_TOKENS / 2; i++)
        p += sprintf(p, "1 + ");
    ck_assert_int_eq(eval_str(&ev, longprog, &v), DMP_E_MALFORMED); /* one token too many */
    p[-4] = '\0'; /* without the last "1 +", one token under the limit: it runs */
    ck_assert_int_eq(eval_str(&ev, longprog, &v), DMP_OK);
    ck_assert_uint_eq(v, DMP_EVAL_MAX_TOKENS / 2);
}
END_TEST

START_TEST(evaluator_x86_program)
{
    /* A STACK WIN program as kernel32.sym has them: 32-bit, with temporaries and '='. */
    dmp_regs r = {.cpu = DMP_CPU_X86};
    const int ebp = dmp_reg_lookup(DMP_CPU_X86, "$ebp", 4);
    const int esp = dmp_reg_lookup(DMP_CPU_X86, "esp", 3);
    const int eip = dmp_reg_lookup(DMP_CPU_X86, "$eip", 4);
    r.value[ebp] = 0x7000;
    r.value[esp] = 0x6ff0;
    r.valid = (uint64_t)1 << ebp | (uint64_t)1 << esp;
    dmp_eval ev;
    dmp_eval_init(&ev, &r, fake_mem);
    ck_assert_int_eq(dmp_eval_set(&ev, ".cbSavedRegs", 4), DMP_OK);
    ck_assert_int_eq(dmp_eval_set(&ev, ".cbParams", 8), DMP_OK);
    const char prog[] = "$T0 $ebp = $eip $T0 4 + ^ = $ebp $T0 ^ = $esp $T0 8 + = "
                        "$L $T0 .cbSavedRegs - = $P $T0 4 + .cbParams + =";
    ck_assert_int_eq(dmp_eval_program(&ev, prog, strlen(prog)), DMP_OK);
    uint64_t v;
    ck_assert_int_eq(dmp_eval_get(&ev, "$T0", &v), DMP_OK);
    ck_assert_uint_eq(v, 0x7000);
    ck_assert_uint_eq(ev.regs.value[eip], 0); /* the high half of the word 0x1000 at 0x7000 */
    ck_assert_uint_eq(ev.regs.value[ebp], 0x1000);
    ck_assert(ev.assigned >> eip & 1);
    ck_assert_uint_eq(ev.regs.value[esp], 0x7008);
    ck_assert_int_eq(dmp_eval_get(&ev, "$L", &v), DMP_OK);
    ck_assert_uint_eq(v, 0x6ffc);
    ck_assert_int_eq(dmp_eval_get(&ev, "$P", &v), DMP_OK);
    ck_assert_uint_eq(v, 0x700c);
    /* 32-bit arithmetic wraps at 2^32; "=$x" reads as "=" then "$x" */
    ck_assert_int_eq(eval_str(&ev, "0 4 -", &v), DMP_OK);
    ck_assert_uint_eq(v, 0xfffffffc);
    const char split[] = "$T1 5 =$T2 7 =";
    ck_assert_int_eq(dmp_eval_program(&ev, split, strlen(split)), DMP_OK);
    ck_assert_int_eq(dmp_eval_get(&ev, "$T2", &v), DMP_OK);
    ck_assert_uint_eq(v, 7);
    const char ok2[] = "$T1 5 = $T2 $T1 2 * =";
    ck_assert_int_eq(dmp_eval_program(&ev, ok2, strlen(ok2)), DMP_OK);
    ck_assert_int_eq(dmp_eval_get(&ev, "$T2", &v), DMP_OK);
    ck_assert_uint_eq(v, 10);
    /* assignments need a $name; a program must leave the stack empty */
    ck_assert_int_eq(dmp_eval_program(&ev, "T3 1 =", 6), DMP_E_MALFORMED);
    ck_assert_int_eq(dmp_eval_program(&ev, "5 1 =", 5), DMP_E_MALFORMED);
    ck_assert_int_eq(dmp_eval_program(&ev, "$T3 1 = 4", 9), DMP_E_MALFORMED);
    ck_assert_int_eq(dmp_eval_set(&ev, "a-name-longer-than-23-bytes", 1), DMP_E_INVALID_ARG);
}
END_TEST

START_TEST(register_names)
{
    ck_assert_str_eq(dmp_reg_name(DMP_CPU_AMD64, 16), "rip");
    ck_assert_str_eq(dmp_reg_name(DMP_CPU_AMD64, 7), "rsp");
    ck_assert_ptr_null(dmp_reg_name(DMP_CPU_AMD64, 17));
    ck_assert_str_eq(dmp_reg_name(DMP_CPU_X86, 0), "eip");
    ck_assert_int_eq(dmp_reg_lookup(DMP_CPU_ARM64, "x29", 3), 29);
    ck_assert_int_eq(dmp_reg_lookup(DMP_CPU_ARM64, "$x29", 4), 29);
    ck_assert_int_eq(dmp_reg_lookup(DMP_CPU_ARM64, "fp", 2), 29);
    ck_assert_int_eq(dmp_reg_lookup(DMP_CPU_ARM64, "lr", 2), 30);
    ck_assert_int_eq(dmp_reg_lookup(DMP_CPU_ARM64, "sp", 2), 31);
    ck_assert_int_eq(dmp_reg_lookup(DMP_CPU_ARM64, "pc", 2), 32);
    ck_assert_int_eq(dmp_reg_lookup(DMP_CPU_ARM, "sp", 2), 13);
    ck_assert_int_eq(dmp_reg_lookup(DMP_CPU_ARM, "pc", 2), 15);
    ck_assert_int_eq(dmp_reg_lookup(DMP_CPU_ARM, "fp", 2), 11);
    ck_assert_int_eq(dmp_reg_lookup(DMP_CPU_X86, "rip", 3), -1);
    ck_assert_int_eq(dmp_reg_lookup(DMP_CPU_UNKNOWN, "eip", 3), -1);
    ck_assert_uint_eq(dmp_reg_ip(DMP_CPU_ARM64), 32);
    ck_assert_uint_eq(dmp_reg_sp(DMP_CPU_X86), 1);
    /* arm64 arithmetic is 64-bit; arm's 32 */
    dmp_regs r = {.cpu = DMP_CPU_ARM};
    dmp_eval ev;
    uint64_t v;
    dmp_eval_init(&ev, &r, fake_mem);
    ck_assert_int_eq(eval_str(&ev, "-1", &v), DMP_OK);
    ck_assert_uint_eq(v, 0xffffffff);
    r.cpu = DMP_CPU_ARM64;
    dmp_eval_init(&ev, &r, fake_mem);
    ck_assert_int_eq(eval_str(&ev, "-1", &v), DMP_OK);
    ck_assert_uint_eq(v, UINT64_MAX);
}
END_TEST

START_TEST(inline_both_syntaxes)
{
    /* The new syntax names the call site's file; the old one does not and its INLINE_ORIGIN
     * carries a file id instead. Innermost frame: the line table's line; each outer frame:
     * its child's call site; the FUNC: the outermost call site. */
    const char new_sym[] = "MODULE Linux x86_64 00 m\r\n"
                           "FILE 0 main.c\r\nFILE 1 a.h\r\nFILE 2 b.h\r\n"
                           "INLINE_ORIGIN 0 outer\r\nINLINE_ORIGIN 1 inner\r\n"
                           "FUNC 100 100 0 main\r\n"
                           "INLINE 0 10 0 0 110 40\r\n"
                           "INLINE 1 20 1 1 120 10 140 8\r\n"
                           "120 10 30 2\r\n"
                           "140 8 31 2\r\n";
    const char old_sym[] = "MODULE Linux x86_64 00 m\n"
                           "FILE 0 main.c\nFILE 2 b.h\n"
                           "INLINE_ORIGIN 0 0 outer\nINLINE_ORIGIN 1 0 inner\n"
                           "FUNC 100 100 0 main\n"
                           "INLINE 0 10 0 110 40\n"
                           "INLINE 1 20 1 120 10 140 8\n"
                           "120 10 30 2\n";
    dmp_symfile *s = open_text(new_sym);
    dmp_sym_lookup r;
    ck_assert_int_eq(dmp_sym_lookup_addr(s, 0x142, &r), DMP_OK);
    ck_assert_uint_eq(r.inline_count, 2);
    ck_assert_sym_str(r.inlines[0].name, "inner");
    ck_assert_uint_eq(r.inlines[0].start, 0x140); /* the range holding the address */
    ck_assert_uint_eq(r.inlines[0].depth, 1);
    ck_assert_sym_str(r.inlines[0].file, "b.h");
    ck_assert_uint_eq(r.inlines[0].line, 31);
    ck_assert_sym_str(r.inlines[1].name, "outer");
    ck_assert_sym_str(r.inlines[1].file, "a.h");
    ck_assert_uint_eq(r.inlines[1].line, 20);
    ck_assert_sym_str(r.name, "main");
    ck_assert_sym_str(r.file, "main.c");
    ck_assert_uint_eq(r.line, 10);
    ck_assert_uint_eq(r.line_start, 0x140);
    /* outside every INLINE range: no inlines, the line table's line */
    ck_assert_int_eq(dmp_sym_lookup_addr(s, 0x100, &r), DMP_OK);
    ck_assert_uint_eq(r.inline_count, 0);
    ck_assert_int_eq(r.has_line, 0);
    dmp_sym_close(s);

    s = open_text(old_sym);
    ck_assert_int_eq(dmp_sym_lookup_addr(s, 0x125, &r), DMP_OK);
    ck_assert_uint_eq(r.inline_count, 2);
    ck_assert_sym_str(r.inlines[0].name, "inner");
    ck_assert_sym_str(r.inlines[0].file, "b.h");
    ck_assert_uint_eq(r.inlines[0].line, 30);
    /* no call-site file in the old syntax: the line table's file */
    ck_assert_sym_str(r.inlines[1].name, "outer");
    ck_assert_sym_str(r.inlines[1].file, "b.h");
    ck_assert_uint_eq(r.inlines[1].line, 20);
    ck_assert_sym_str(r.file, "b.h");
    ck_assert_uint_eq(r.line, 10);
    dmp_sym_close(s);
}
END_TEST

START_TEST(damaged_and_unsorted)
{
    const char text[] = "FUNC 300 10 0 third\n" /* no MODULE line */
                        "300 10 3 0\n"
                        "FUNC 100 10 0 first\n"
                        "zz not a record\n"
                        "100 8 1 0\n"
                        "FUNC 104 10 0 overlaps_first\n" /* dropped: first wins */
                        "FUNC 200 0 0 empty\n"           /* size 0 covers nothing */
                        "FUNC 100 10 0 again_first\n"    /* same start: dropped */
                        "FUNC zz 10 0 bad_addr\n"
                        "WHATEVER 1 2 3\n"
                        "FILE 0 x.c\n"
                        "FILE 0 y.c\n"
                        "PUBLIC 250 0 pub\n"
                        "109 4 5 0\n"; /* a line with no FUNC above it */
    dmp_symfile *const s = open_text(text);
    dmp_sym_info in;
    dmp_sym_get_info(s, &in);
    ck_assert_uint_eq(in.func_count, 2);
    ck_assert_uint_eq(in.file_count, 1);
    ck_assert_uint_eq(in.os.len, 0);
    int seen[8] = {0};
    uint64_t line_of[8] = {0};
    for (size_t i = 0; i < dmp_sym_diag_count(s); i++) {
        dmp_sym_diag d;
        ck_assert_int_eq(dmp_sym_diag_get(s, i, &d), DMP_OK);
        ck_assert_int_lt(d.kind, 8);
        seen[d.kind]++;
        line_of[d.kind] = d.line;
        ck_assert_uint_eq(dmp_sym_line_of(s, d.offset), d.line);
    }
    ck_assert_int_eq(seen[DMP_SYM_DIAG_MODULE], 1);
    ck_assert_int_eq(seen[DMP_SYM_DIAG_SYNTAX], 1);
    ck_assert_uint_eq(line_of[DMP_SYM_DIAG_SYNTAX], 9);
    ck_assert_int_eq(seen[DMP_SYM_DIAG_UNKNOWN], 2); /* "zz ..." and "WHATEVER ..." */
    ck_assert_uint_eq(line_of[DMP_SYM_DIAG_UNKNOWN], 10);
    ck_assert_int_eq(seen[DMP_SYM_DIAG_OVERLAP], 2);
    ck_assert_int_eq(seen[DMP_SYM_DIAG_DUPLICATE], 1);
    ck_assert_int_eq(seen[DMP_SYM_DIAG_ORPHAN], 1);
    ck_assert_uint_eq(in.bad_lines, 8);

    dmp_sym_lookup r;
    ck_assert_int_eq(dmp_sym_lookup_addr(s, 0x106, &r), DMP_OK);
    ck_assert_sym_str(r.name, "first");
    ck_assert_uint_eq(r.line, 1);
    ck_assert_sym_str(r.file, "x.c");    /* the first FILE 0 wins */
    ck_assert_uint_eq(r.bad_records, 1); /* "zz not a record" is under first */
    ck_assert_uint_eq(dmp_sym_line_of(s, r.bad_offset), 4);
    ck_assert_int_eq(dmp_sym_lookup_addr(s, 0x30f, &r), DMP_OK);
    ck_assert_sym_str(r.name, "third");
    ck_assert_uint_eq(r.line, 3);
    ck_assert_int_eq(dmp_sym_lookup_addr(s, 0x260, &r), DMP_OK);
    ck_assert_sym_str(r.name, "pub");
    ck_assert_uint_eq(r.size, 0xb0); /* up to third */
    ck_assert_int_eq(dmp_sym_lookup_addr(s, 0x200, &r), DMP_E_NOT_FOUND);
    dmp_sym_close(s);
}
END_TEST

START_TEST(stack_win_nesting)
{
    /* Type 4 over type 0; nested records answer with the innermost; a record partly
     * overlapping an earlier one is dropped even when it comes later at a lower address. */
    const char text[] = "MODULE windows x86 00 t.pdb\n"
                        "STACK WIN 0 1000 100 1 2 3 4 5 6 0 1\n"
                        "STACK WIN 4 1000 100 0 0 0 0 0 0 1 $T0 $ebp =\n"
                        "STACK WIN 4 1010 20 0 0 8 0 0 0 1 $T1 $ebp =\n"
                        "STACK WIN 4 2000 100 0 0 0 0 0 0 0 1\n"
                        "STACK WIN 4 1f80 100 0 0 0 0 0 0 1 dropped\n"
                        "STACK WIN 4 1000 100 0 0 0 0 0 0 1 duplicate\n"
                        "STACK WIN 2 3000 100 0 0 0 0 0 0 0 0\n";
    dmp_symfile *const s = open_text(text);
    dmp_win_record w;
    ck_assert_int_eq(dmp_sym_find_win(s, 0x1015, &w), DMP_OK);
    ck_assert_uint_eq(w.type, 4);
    ck_assert_uint_eq(w.start, 0x1010);
    ck_assert_uint_eq(w.param_size, 8);
    ck_assert_sym_str(w.program, "$T1 $ebp =");
    ck_assert_int_eq(dmp_sym_find_win(s, 0x1030, &w), DMP_OK);
    ck_assert_uint_eq(w.start, 0x1000);
    ck_assert_sym_str(w.program, "$T0 $ebp =");
    ck_assert_int_eq(dmp_sym_find_win(s, 0x1fa0, &w), DMP_E_NOT_FOUND);
    ck_assert_int_eq(dmp_sym_find_win(s, 0x2010, &w), DMP_OK);
    ck_assert_int_eq(w.has_program, 0);
    ck_assert_int_eq(w.allocates_base_pointer, 1);
    ck_assert_int_eq(dmp_sym_find_win(s, 0x3010, &w), DMP_E_NOT_FOUND); /* type 2 */
    dmp_sym_info in;
    dmp_sym_get_info(s, &in);
    ck_assert_uint_eq(in.win_count, 4);
    dmp_sym_close(s);
    /* Type 0 answers where no type 4 covers. */
    const char fpo[] = "MODULE windows x86 00 t.pdb\nSTACK WIN 0 10 10 1 2 3 4 5 6 0 0\n";
    dmp_symfile *const s2 = open_text(fpo);
    ck_assert_int_eq(dmp_sym_find_win(s2, 0x15, &w), DMP_OK);
    ck_assert_uint_eq(w.type, 0);
    ck_assert_uint_eq(w.prologue_size, 1);
    ck_assert_uint_eq(w.max_stack_size, 6);
    dmp_sym_close(s2);
}
END_TEST

/* A file opened by path is indexed by reading it in 64 KiB chunks: lines across chunk ends,
 * a line longer than a chunk, CRLF and no final newline must come out as from memory. */
START_TEST(file_pass_matches_memory_pass)
{
    char path[] = "/tmp/dmpread-sym-XXXXXX";
    const int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *const out = fdopen(fd, "wb");
    ck_assert_ptr_nonnull(out);
    fputs("MODULE Linux x86_64 ABCD long\r\nFILE 0 a.c\r\n", out);
    for (unsigned i = 0; i < 5000; i++)
        fprintf(out, "FUNC %x 10 0 function_number_%u\r\n%x 10 %u 0\r\n", 0x1000 + 0x10 * i, i,
                0x1000 + 0x10 * i, i + 1);
    fputs("FUNC 100000 10 0 ", out);
    for (int i = 0; i < 200000; i++)
        fputc('n', out);
    fputs("\r\n100000 10 77 0\r\nPUBLIC 200000 0 last_without_newline", out);
    fclose(out);
    dmp_symfile *f, *m;
    ck_assert_int_eq(dmp_sym_open(path, &f, NULL), DMP_OK);
    FILE *const in = fopen(path, "rb");
    static char buf[1 << 20];
    const size_t n = fread(buf, 1, sizeof buf, in);
    fclose(in);
    ck_assert_int_eq(dmp_sym_open_mem(buf, n, &m, NULL), DMP_OK);
    dmp_sym_info fi, mi;
    dmp_sym_get_info(f, &fi);
    dmp_sym_get_info(m, &mi);
    ck_assert_uint_eq(fi.func_count, 5001);
    ck_assert_uint_eq(fi.func_count, mi.func_count);
    ck_assert_uint_eq(fi.public_count, 1);
    ck_assert_uint_eq(fi.line_count, mi.line_count);
    ck_assert_uint_eq(fi.bad_lines, 0);
    ck_assert_sym_str(fi.name, "long");
    ck_assert_sym_str(fi.id, "ABCD");
    for (unsigned i = 0; i < 5000; i += 7) {
        dmp_sym_lookup a, b;
        ck_assert_int_eq(dmp_sym_lookup_addr(f, 0x1000 + 0x10 * i + 3, &a), DMP_OK);
        ck_assert_int_eq(dmp_sym_lookup_addr(m, 0x1000 + 0x10 * i + 3, &b), DMP_OK);
        ck_assert_uint_eq(a.line, i + 1);
        ck_assert_uint_eq(a.sym_offset, b.sym_offset);
        ck_assert_int_eq(a.name.len, b.name.len);
    }
    dmp_sym_lookup r;
    ck_assert_int_eq(dmp_sym_lookup_addr(f, 0x100004, &r), DMP_OK);
    ck_assert_uint_eq(r.name.len, 200000);
    ck_assert_uint_eq(r.line, 77);
    ck_assert_int_eq(dmp_sym_lookup_addr(f, 0x200004, &r), DMP_OK);
    ck_assert_sym_str(r.name, "last_without_newline");
    dmp_sym_close(f);
    dmp_sym_close(m);
    unlink(path);
}
END_TEST

/* A scratch symbol folder: <root>/<file>/<id>/<stem>.sym holding `text`. */
static void put_sym(const char *root, const char *file, const char *id, const char *stem,
                    const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, file);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/%s/%s", root, file, id);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/%s/%s/%s.sym", root, file, id, stem);
    FILE *const f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

START_TEST(store_layout_and_memory)
{
    char a[] = "/tmp/dmpread-store-a-XXXXXX", b[] = "/tmp/dmpread-store-b-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(a));
    ck_assert_ptr_nonnull(mkdtemp(b));
    put_sym(b, "app.pdb", "AAAA1", "app", "MODULE windows x86 AAAA1 app.pdb\nPUBLIC 10 0 in_b\n");
    put_sym(a, "app.pdb", "AAAA1", "app", "MODULE windows x86 AAAA1 app.pdb\nPUBLIC 10 0 in_a\n");
    put_sym(b, "libx.so", "BBBB0", "libx.so", "MODULE Linux x86_64 BBBB0 libx.so\n");
    put_sym(a, "code.dll", "5F00AA1000", "code.dll", "MODULE windows x86 00 code.pdb\n");
    dmp_symstore *st;
    ck_assert_int_eq(dmp_symstore_new(&st), DMP_OK);
    ck_assert_int_eq(dmp_symstore_add_dir(st, a), DMP_OK);
    ck_assert_int_eq(dmp_symstore_add_dir(st, b), DMP_OK);
    const dmp_symfile *s1, *s2;
    const char *path;
    dmp_sym_state state;
    /* a Windows path: its last component; the first folder that has it wins */
    ck_assert_int_eq(
        dmp_symstore_get(st, "c:\\build\\app.pdb", "AAAA1", NULL, NULL, &s1, &path, &state),
        DMP_OK);
    ck_assert_int_eq(state, DMP_SYM_FOUND);
    ck_assert_ptr_nonnull(strstr(path, a));
    dmp_sym_lookup r;
    ck_assert_int_eq(dmp_sym_lookup_addr(s1, 0x10, &r), DMP_OK);
    ck_assert_sym_str(r.name, "in_a");
    /* asked again: the same file, remembered */
    ck_assert_int_eq(dmp_symstore_get(st, "/x/app.pdb", "AAAA1", NULL, NULL, &s2, NULL, NULL),
                     DMP_OK);
    ck_assert_ptr_eq(s1, s2);
    /* ELF: the file keeps its name; missing ids; the code file and id as a fallback */
    ck_assert_int_eq(
        dmp_symstore_get(st, "/usr/lib/libx.so", "BBBB0", NULL, NULL, &s1, NULL, &state), DMP_OK);
    ck_assert_int_eq(dmp_symstore_get(st, "app.pdb", "CCCC1", NULL, NULL, &s1, NULL, &state),
                     DMP_E_NOT_FOUND);
    ck_assert_int_eq(state, DMP_SYM_MISSING);
    ck_assert_int_eq(
        dmp_symstore_get(st, "none.pdb", "0", "C:\\code.dll", "5F00AA1000", &s1, NULL, &state),
        DMP_OK);
    ck_assert_int_eq(dmp_symstore_get(st, NULL, NULL, NULL, NULL, &s1, NULL, &state),
                     DMP_E_NOT_FOUND);
    ck_assert_int_eq(state, DMP_SYM_NO_ID);
    /* names from a dump never leave the folders */
    ck_assert_int_eq(dmp_symstore_get(st, "..", "AAAA1", NULL, NULL, &s1, NULL, &state),
                     DMP_E_NOT_FOUND);
    ck_assert_int_eq(dmp_symstore_get(st, "app.pdb", "../app.pdb", NULL, NULL, &s1, NULL, &state),
                     DMP_E_NOT_FOUND);
    /* a directory where the file should be is unreadable, not missing */
    put_sym(a, "dir.pdb", "D1", "x", "");
    char dirpath[512];
    snprintf(dirpath, sizeof dirpath, "%s/dir.pdb/D1/dir.sym", a);
    ck_assert_int_eq(mkdir(dirpath, 0700), 0);
    ck_assert_int_eq(dmp_symstore_get(st, "dir.pdb", "D1", NULL, NULL, &s1, NULL, &state),
                     DMP_E_NOT_FOUND);
    ck_assert_int_eq(state, DMP_SYM_MISSING); /* a directory is an I/O error: not there */
    ck_assert_str_eq(dmp_sym_state_name(DMP_SYM_CORRUPT), "corrupt");
    dmp_symstore_free(st);
    dmp_symstore_free(NULL);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", a, b);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

struct race {
    dmp_symstore *st;
    int found;
};

static void *race_worker(void *arg)
{
    struct race *const r = arg;
    for (int i = 0; i < 2000; i++) {
        const dmp_symfile *s;
        char id[16];
        snprintf(id, sizeof id, "ID%d", i % 40);
        if (dmp_symstore_get(r->st, "t.pdb", id, NULL, NULL, &s, NULL, NULL) == DMP_OK) {
            dmp_sym_lookup l;
            if (dmp_sym_lookup_addr(s, 0x10, &l) == DMP_OK && str_is(l.name, "f"))
                r->found++;
        }
    }
    return NULL;
}

START_TEST(store_shared_by_threads)
{
    char a[] = "/tmp/dmpread-store-t-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(a));
    for (int i = 0; i < 40; i += 2) {
        char id[16];
        snprintf(id, sizeof id, "ID%d", i);
        put_sym(a, "t.pdb", id, "t", "MODULE windows x86 00 t.pdb\nFUNC 0 100 0 f\n");
    }
    dmp_symstore *st;
    ck_assert_int_eq(dmp_symstore_new(&st), DMP_OK);
    ck_assert_int_eq(dmp_symstore_add_dir(st, a), DMP_OK);
    struct race r[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        r[i] = (struct race){st, 0};
        ck_assert_int_eq(pthread_create(&t[i], NULL, race_worker, &r[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        ck_assert_int_eq(r[i].found, 1000); /* half the ids exist */
    }
    dmp_symstore_free(st);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", a);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* The shared files: every record type, read from ../shared/symbols. */
#define SHARED_SYMBOLS DMPREAD_SHARED_DUMPS "/../symbols"

static dmp_symfile *open_shared(const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", SHARED_SYMBOLS, rel);
    dmp_symfile *s = NULL;
    dmp_error err;
    ck_assert_msg(dmp_sym_open(path, &s, &err) == DMP_OK, "%s", err.message);
    return s;
}

START_TEST(shared_files_counts)
{
    /* Counts of the records the index keeps, each checked by hand against the file:
     * overlapping CFI INITs (5 in crash-client, 118968-118972) and STACK WIN records (2 in
     * test_app, 503 in kernel32) are left out and reported, as Breakpad leaves them out (the
     * sym_differential test compares every answer with Breakpad's), and so is the PUBLIC at
     * address 0 of crash-client. */
    static const struct {
        const char *rel;
        size_t funcs, publics, cfi, win, files, origins;
        uint64_t bad;
    } want[] = {
        {"breakpad/test_app.pdb/5A9832E5287241C1838ED98914E9B7FF1/test_app.sym", 1065, 5, 0, 1813,
         6661, 0, 2},
        {"breakpad/kernel32.pdb/BCE8785C57B44245A669896B6A19B9542/kernel32.sym", 0, 1576, 0, 3707,
         0, 0, 503},
        {"breakpad/libc-2.13.so/F4F8DFCD5A5FB5A7CE64717E9E6AE3890/libc-2.13.so.sym", 0, 1710, 3330,
         0, 0, 0, 0},
        {"rust-minidump/crash-client/509C0610949836F7B70BD88BCF03E5400/crash-client.sym", 1996, 40,
         1292, 0, 350, 9898, 5},
        {"breakpad/linux_inline/BBA6FA10B8AAB33D00000000000000000/linux_inline.new.sym", 1, 0, 0, 0,
         4, 3, 0},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        dmp_symfile *const s = open_shared(want[i].rel);
        dmp_sym_info in;
        dmp_sym_get_info(s, &in);
        ck_assert_uint_eq(in.func_count, want[i].funcs);
        ck_assert_uint_eq(in.public_count, want[i].publics);
        ck_assert_uint_eq(in.cfi_count, want[i].cfi);
        ck_assert_uint_eq(in.win_count, want[i].win);
        ck_assert_uint_eq(in.file_count, want[i].files);
        ck_assert_uint_eq(in.origin_count, want[i].origins);
        ck_assert_uint_eq(in.bad_lines, want[i].bad);
        /* the index is 4 bytes a record (with doubling slack), nothing per record else */
        const size_t records = in.func_count + in.public_count + in.cfi_count + in.win_count +
                               in.file_count + in.origin_count;
        ck_assert_uint_le(in.index_bytes, 8 * records + 7 * 256 * 4);
        dmp_sym_close(s);
    }
}
END_TEST

/* What Breakpad's minidump_stackwalk prints for minidump2.dmp's crashing thread with these
 * symbols (../shared/expected/breakpad/minidump2.stackwalk.out): "test_app.exe!main
 * [test_app.cc : 65 + 0x5]" and so on. Frames above the first are looked up at the return
 * address minus one, as Breakpad does, and their offset is the return address's from the
 * line record's start (or the function's, without one); test_app.exe is at 0x400000,
 * kernel32.dll at 0x7c800000. */
START_TEST(shared_minidump2_frames)
{
    static const struct {
        const char *sym;
        uint64_t rva;
        const char *function;
        const char *file;
        uint32_t line;
        uint64_t offset;
    } frames[] = {
        {"test_app", 0x40429e - 0x400000, "`anonymous namespace'::CrashFunction", "c:\\test_app.cc",
         58, 0x3},
        {"test_app", 0x404200 - 0x400000, "main", "c:\\test_app.cc", 65, 0x5},
        {"test_app", 0x4053ec - 0x400000, "__tmainCRTStartup",
         "f:\\sp\\vctools\\crt_bld\\self_x86\\crt\\src\\crt0.c", 327, 0x12},
        {"kernel32", 0x7c816fd7 - 0x7c800000, "BaseProcessStart", NULL, 0, 0x23},
    };
    dmp_symfile *const app =
        open_shared("breakpad/test_app.pdb/5A9832E5287241C1838ED98914E9B7FF1/test_app.sym");
    dmp_symfile *const k32 =
        open_shared("breakpad/kernel32.pdb/BCE8785C57B44245A669896B6A19B9542/kernel32.sym");
    for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++) {
        dmp_sym_lookup r;
        const dmp_symfile *const s = frames[i].sym[0] == 't' ? app : k32;
        const uint64_t at = i == 0 ? frames[i].rva : frames[i].rva - 1;
        ck_assert_int_eq(dmp_sym_lookup_addr(s, at, &r), DMP_OK);
        ck_assert_sym_str(r.name, frames[i].function);
        if (frames[i].file) {
            ck_assert_int_eq(r.has_line, 1);
            ck_assert_sym_str(r.file, frames[i].file);
            ck_assert_uint_eq(r.line, frames[i].line);
            ck_assert_uint_eq(frames[i].rva - r.line_start, frames[i].offset);
        } else {
            ck_assert_int_eq(r.kind, DMP_SYM_PUBLIC);
            ck_assert_uint_eq(frames[i].rva - r.start, frames[i].offset);
        }
    }
    /* and the STACK WIN record Breakpad unwinds CrashFunction's caller with */
    dmp_win_record w;
    ck_assert_int_eq(dmp_sym_find_win(app, 0x429e, &w), DMP_OK);
    ck_assert_uint_eq(w.type, 4);
    ck_assert_int_eq(w.has_program, 1);
    dmp_sym_close(app);
    dmp_sym_close(k32);
}
END_TEST

int main(void)
{
    Suite *const s = suite_create("sym");
    TCase *tc = tcase_create("records");
    tcase_add_test(tc, module_and_info);
    tcase_add_test(tc, func_line_and_public);
    tcase_add_test(tc, cfi_rules_and_deltas);
    tcase_add_test(tc, inline_both_syntaxes);
    tcase_add_test(tc, damaged_and_unsorted);
    tcase_add_test(tc, stack_win_nesting);
    tcase_add_test(tc, file_pass_matches_memory_pass);
    suite_add_tcase(s, tc);
    tc = tcase_create("evaluator");
    tcase_add_test(tc, cfi_apply_amd64);
    tcase_add_test(tc, evaluator_operators);
    tcase_add_test(tc, evaluator_x86_program);
    tcase_add_test(tc, register_names);
    suite_add_tcase(s, tc);
    tc = tcase_create("store");
    tcase_add_test(tc, store_layout_and_memory);
    tcase_add_test(tc, store_shared_by_threads);
    suite_add_tcase(s, tc);
    if (access(SHARED_SYMBOLS, R_OK) == 0) {
        tc = tcase_create("shared");
        tcase_add_test(tc, shared_files_counts);
        tcase_add_test(tc, shared_minidump2_frames);
        suite_add_tcase(s, tc);
    } else {
        printf("test_sym: %s is absent: the shared-file cases are skipped\n", SHARED_SYMBOLS);
    }
    return run_suite(s);
}
