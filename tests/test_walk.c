/* test_walk.c - the stack walker on dumps built here with a stack the test lays out word by
 * word and serves through the dmp_memory callback: frame-pointer chains, scanning, STACK CFI
 * and STACK WIN from a symbol store, every end reason; and real dumps from ../shared.
 * SPDX-License-Identifier: MIT */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */

#include "suite.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define APP_BASE 0x400000u
#define APP_SIZE 0x10000u
#define STACK_BASE 0x7000u
#define STACK_WORDS 512

/* The stack: STACK_WORDS pointer-size words at STACK_BASE, read all or nothing. */
struct fake_stack {
    unsigned ptr;
    uint64_t word[STACK_WORDS];
    int reads;
};

static dmp_status stack_read(void *ctx, uint64_t addr, void *dst, size_t len, size_t *got)
{
    struct fake_stack *const s = ctx;
    const uint64_t size = (uint64_t)STACK_WORDS * s->ptr;
    s->reads++;
    if (addr < STACK_BASE || addr - STACK_BASE > size || len > size - (addr - STACK_BASE))
        return DMP_E_UNMAPPED;
    uint8_t bytes[STACK_WORDS * 8];
    for (size_t i = 0; i < STACK_WORDS; i++)
        for (unsigned b = 0; b < s->ptr; b++)
            bytes[i * s->ptr + b] = (uint8_t)(s->word[i] >> (8 * b));
    memcpy(dst, bytes + (addr - STACK_BASE), len);
    if (got)
        *got = len;
    return DMP_OK;
}

static uint64_t at(const struct fake_stack *s, size_t word)
{
    return STACK_BASE + (uint64_t)word * s->ptr;
}

/* A dump with SystemInfo (arch, platform) and one module "app.pdb"/app at APP_BASE. */
static struct mkdump *dump_with_module(uint16_t arch, uint32_t platform)
{
    struct mkdump *const b = mkd_new(0);
    uint8_t si[56] = {0};
    mkd_store_u16(si, arch);
    mkd_store_u32(si + 20, platform);
    mkd_add_stream_data(b, DMP_STREAM_SYSTEM_INFO, si, sizeof si);
    uint8_t name[4 + 2 * 3 + 2] = {6, 0, 0, 0, 'a', 0, 'p', 0, 'p', 0, 0, 0};
    const uint32_t name_rva = (uint32_t)mkd_append(b, name, sizeof name);
    uint8_t cv[4 + 16 + 4 + 8] = {'R', 'S', 'D', 'S'};
    for (int i = 0; i < 16; i++)
        cv[4 + i] = (uint8_t)(i + 1);
    cv[20] = 1;
    memcpy(cv + 24, "app.pdb", 8);
    const uint32_t cv_rva = (uint32_t)mkd_append(b, cv, sizeof cv);
    uint8_t list[4 + 108] = {1};
    uint8_t *const m = list + 4;
    mkd_store_u64(m, APP_BASE);
    mkd_store_u32(m + 8, APP_SIZE);
    mkd_store_u32(m + 20, name_rva);
    mkd_store_u32(m + 76, sizeof cv);
    mkd_store_u32(m + 80, cv_rva);
    mkd_add_stream_data(b, DMP_STREAM_MODULE_LIST, list, sizeof list);
    return b;
}

static dmp_context amd64_context(uint64_t rip, uint64_t rsp, uint64_t rbp)
{
    dmp_context c = {.cpu = DMP_CPU_AMD64, .ip = rip, .sp = rsp, .fp = rbp, .reg_count = 3};
    c.regs[0] = (dmp_reg){"rip", rip};
    c.regs[1] = (dmp_reg){"rsp", rsp};
    c.regs[2] = (dmp_reg){"rbp", rbp};
    return c;
}

static dmp_stack *walk(const dmp_file *f, const dmp_context *c, struct fake_stack *s,
                       dmp_symstore *store)
{
    dmp_walk_options o = {.memory = {stack_read, s}, .symbols = store};
    dmp_stack *st = NULL;
    ck_assert_int_eq(dmp_walk_context(f, c, 0, 0, &o, &st), DMP_OK);
    return st;
}

static dmp_frame frame_of(const dmp_stack *st, size_t i)
{
    dmp_frame fr;
    ck_assert_int_eq(dmp_stack_frame_get(st, i, &fr), DMP_OK);
    return fr;
}

/* main -> a -> b -> c with RBP frames; _start's saved RBP is 0. */
START_TEST(amd64_frame_pointer_chain)
{
    struct mkdump *const b = dump_with_module(9 /* AMD64 */, 0x8201 /* Linux */);
    dmp_file *const f = open_built(b);
    struct fake_stack s = {.ptr = 8};
    /* frame records at words 10, 20, 30, 40: [saved rbp, return address] */
    const size_t rec[4] = {10, 20, 30, 40};
    for (int i = 0; i < 4; i++) {
        s.word[rec[i]] = i < 3 ? at(&s, rec[i + 1]) : 0;
        s.word[rec[i] + 1] = APP_BASE + 0x100 * (uint64_t)(i + 2);
    }
    const dmp_context c = amd64_context(APP_BASE + 0x50, at(&s, 2), at(&s, 10));
    dmp_stack *const st = walk(f, &c, &s, NULL);
    ck_assert_uint_eq(dmp_stack_frame_count(st), 5);
    ck_assert_int_eq(frame_of(st, 0).trust, DMP_TRUST_CONTEXT);
    for (size_t i = 1; i < 5; i++) {
        const dmp_frame fr = frame_of(st, i);
        ck_assert_int_eq(fr.trust, DMP_TRUST_FP);
        ck_assert_uint_eq(fr.ip, APP_BASE + 0x100 * (i + 1));
        ck_assert_uint_eq(fr.lookup_ip, fr.ip - 1);
        ck_assert_uint_eq(fr.sp, at(&s, rec[i - 1] + 2));
        ck_assert_int_eq(fr.has_module, 1);
        ck_assert_uint_eq(fr.module_offset, 0x100 * (i + 1));
    }
    ck_assert_int_eq(dmp_stack_end(st), DMP_WALK_FP_END);
    dmp_stack_free(st);

    /* Breakpad's rules reject the last frame (its saved RBP is 0) and go on scanning. */
    dmp_walk_options o = {.memory = {stack_read, &s}, .breakpad_compatible = 1};
    dmp_stack *st2;
    ck_assert_int_eq(dmp_walk_context(f, &c, 0, 0, &o, &st2), DMP_OK);
    ck_assert_int_eq(frame_of(st2, 4).trust, DMP_TRUST_SCAN);
    ck_assert_int_ne(dmp_stack_end(st2), DMP_WALK_FP_END);
    dmp_stack_free(st2);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* No frame pointer: the scan finds the word that points into the module; the context frame
 * scans 160 words, later frames 40. */
START_TEST(amd64_scan_and_limits)
{
    struct mkdump *const b = dump_with_module(9, 0x8201);
    dmp_file *const f = open_built(b);
    struct fake_stack s = {.ptr = 8};
    s.word[100] = APP_BASE + 0x1234; /* found from the context frame (word 100 - 0 < 160) */
    s.word[160] = APP_BASE + 0x2000; /* 59 words further: past a scanned frame's 40 */
    s.word[300] = 0x12345;           /* not in a module */
    const dmp_context c = amd64_context(APP_BASE + 0x10, at(&s, 0), 0x3);
    dmp_stack *st = walk(f, &c, &s, NULL);
    ck_assert_uint_eq(dmp_stack_frame_count(st), 2);
    ck_assert_int_eq(frame_of(st, 1).trust, DMP_TRUST_SCAN);
    ck_assert_uint_eq(frame_of(st, 1).ip, APP_BASE + 0x1234);
    ck_assert_uint_eq(frame_of(st, 1).sp, at(&s, 101));
    ck_assert_int_eq(dmp_stack_end(st), DMP_WALK_NO_CALLER);
    dmp_stack_free(st);

    /* A return address below 4096 ends the walk; so does a stack pointer that does not rise */
    s.word[100] = 0;
    s.word[160] = 0;
    dmp_context low = amd64_context(APP_BASE + 0x10, at(&s, 4), at(&s, 4));
    s.word[4] = at(&s, 8);
    s.word[5] = 0x800;
    dmp_walk_options bp = {.memory = {stack_read, &s}, .breakpad_compatible = 1};
    ck_assert_int_eq(dmp_walk_context(f, &low, 0, 0, &bp, &st), DMP_OK);
    ck_assert_int_eq(dmp_stack_end(st), DMP_WALK_IP_LOW);
    ck_assert_uint_eq(dmp_stack_frame_count(st), 1);
    dmp_stack_free(st);
    /* a record that links is followed as Breakpad follows it: the same end */
    st = walk(f, &low, &s, NULL);
    ck_assert_int_eq(dmp_stack_end(st), DMP_WALK_IP_LOW);
    dmp_stack_free(st);
    /* one that does not link is not taken from the context's RBP: the walk scans */
    s.word[4] = 0;
    st = walk(f, &low, &s, NULL);
    ck_assert_int_eq(dmp_stack_end(st), DMP_WALK_NO_CALLER);
    dmp_stack_free(st);

    /* A stack pointer outside the captured memory */
    const dmp_context gone = amd64_context(APP_BASE + 0x10, 0x100000, 0x100000);
    st = walk(f, &gone, &s, NULL);
    ck_assert_int_eq(dmp_stack_end(st), DMP_WALK_UNCAPTURED);
    dmp_stack_free(st);

    /* The frame cap: a chain of 200 frame records, walked to 50 frames */
    memset(s.word, 0, sizeof s.word);
    for (size_t i = 0; i < 200; i++) {
        s.word[2 * i + 2] = at(&s, 2 * i + 4);
        s.word[2 * i + 3] = APP_BASE + 0x10 + i;
    }
    const dmp_context deep = amd64_context(APP_BASE + 0x10, at(&s, 0), at(&s, 2));
    dmp_walk_options o = {.memory = {stack_read, &s}, .max_frames = 50};
    ck_assert_int_eq(dmp_walk_context(f, &deep, 0, 0, &o, &st), DMP_OK);
    ck_assert_uint_eq(dmp_stack_frame_count(st), 50);
    ck_assert_int_eq(dmp_stack_end(st), DMP_WALK_FRAME_LIMIT);
    dmp_stack_free(st);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* A scratch store holding app's symbols. */
static dmp_symstore *store_with(const dmp_file *f, const char *text, char *dir)
{
    dmp_module m;
    ck_assert_int_eq(dmp_module_get(f, 0, &m), DMP_OK);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[512];
    snprintf(path, sizeof path, "%s/app.pdb", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/app.pdb/%s", dir, m.debug_id);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/app.pdb/%s/app.sym", dir, m.debug_id);
    FILE *const out = fopen(path, "w");
    ck_assert_ptr_nonnull(out);
    fputs(text, out);
    fclose(out);
    dmp_symstore *st;
    ck_assert_int_eq(dmp_symstore_new(&st), DMP_OK);
    ck_assert_int_eq(dmp_symstore_add_dir(st, dir), DMP_OK);
    return st;
}

static void remove_dir(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* STACK CFI: the caller from the rules, names from FUNC and line records, and a return
 * address outside any code reported, not walked through. */
START_TEST(amd64_cfi_and_symbols)
{
    struct mkdump *const b = dump_with_module(9, 0x8201);
    dmp_file *const f = open_built(b);
    char dir[] = "/tmp/dmpread-walk-XXXXXX";
    dmp_symstore *const store =
        store_with(f,
                   "MODULE Linux x86_64 0 app\n"
                   "FILE 0 app.c\n"
                   "FUNC 0 100 0 leaf\n"
                   "0 100 7 0\n"
                   "FUNC 100 100 0 caller\n"
                   "100 100 12 0\n"
                   "STACK CFI INIT 0 100 .cfa: $rsp 24 + .ra: .cfa -8 + ^ "
                   "$rbx: .cfa -24 + ^\n"
                   "STACK CFI INIT 100 100 .cfa: $rsp 8 + .ra: .cfa -8 + ^\n",
                   dir);
    struct fake_stack s = {.ptr = 8};
    s.word[0] = 0x5555;             /* saved rbx */
    s.word[2] = APP_BASE + 0x180;   /* return into caller */
    s.word[3] = 0x6172747320746f6e; /* caller's return address: ASCII text */
    dmp_context c = amd64_context(APP_BASE + 0x20, at(&s, 0), 0x1);
    c.regs[3] = (dmp_reg){"r12", 0x77};
    c.reg_count = 4;
    dmp_stack *const st = walk(f, &c, &s, store);
    ck_assert_uint_eq(dmp_stack_frame_count(st), 2);
    dmp_frame fr = frame_of(st, 0);
    ck_assert_int_eq(fr.symbols, DMP_SYM_FOUND);
    ck_assert_int_eq(fr.has_function, 1);
    ck_assert_int_eq(fr.function.len, 4);
    ck_assert_int_eq(memcmp(fr.function.ptr, "leaf", 4), 0);
    ck_assert_uint_eq(fr.line, 7);
    fr = frame_of(st, 1);
    ck_assert_int_eq(fr.trust, DMP_TRUST_CFI);
    ck_assert_uint_eq(fr.ip, APP_BASE + 0x180);
    ck_assert_uint_eq(fr.sp, at(&s, 3));
    ck_assert_int_eq(memcmp(fr.function.ptr, "caller", 6), 0);
    ck_assert_uint_eq(fr.line, 12);
    const int rbx = dmp_reg_lookup(DMP_CPU_AMD64, "rbx", 3);
    const int r12 = dmp_reg_lookup(DMP_CPU_AMD64, "r12", 3);
    ck_assert(fr.regs.valid >> rbx & 1);
    ck_assert_uint_eq(fr.regs.value[rbx], 0x5555);
    ck_assert(fr.regs.valid >> r12 & 1); /* callee-saved, not named: kept */
    ck_assert_uint_eq(fr.regs.value[r12], 0x77);
    ck_assert_int_eq(dmp_stack_end(st), DMP_WALK_BAD_RETURN);
    ck_assert_uint_eq(dmp_stack_bad_return(st), 0x6172747320746f6e);
    dmp_stack_free(st);
    dmp_symstore_free(store);
    remove_dir(dir);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* x86 STACK WIN: a FRAME_DATA program gives the caller; 32-bit words. */
START_TEST(x86_stack_win)
{
    struct mkdump *const b = dump_with_module(0 /* x86 */, 2 /* Windows NT */);
    dmp_file *const f = open_built(b);
    char dir[] = "/tmp/dmpread-walk-XXXXXX";
    dmp_symstore *const store =
        store_with(f,
                   "MODULE windows x86 0 app.pdb\n"
                   "FUNC 1000 100 8 callee\n"
                   "FUNC 2000 100 0 caller\n"
                   "STACK WIN 4 1000 100 0 0 8 0 0 0 1 $T0 $ebp = $eip $T0 4 + ^ = $ebp $T0 ^ = "
                   "$esp $T0 8 + =\n",
                   dir);
    struct fake_stack s = {.ptr = 4};
    s.word[10] = (uint32_t)at(&s, 30); /* saved ebp */
    s.word[11] = APP_BASE + 0x2010;    /* return address */
    dmp_context c = {.cpu = DMP_CPU_X86, .reg_count = 3};
    c.regs[0] = (dmp_reg){"eip", APP_BASE + 0x1010};
    c.regs[1] = (dmp_reg){"esp", at(&s, 4)};
    c.regs[2] = (dmp_reg){"ebp", at(&s, 10)};
    dmp_stack *const st = walk(f, &c, &s, store);
    ck_assert_uint_ge(dmp_stack_frame_count(st), 2);
    const dmp_frame fr = frame_of(st, 1);
    ck_assert_int_eq(fr.trust, DMP_TRUST_CFI);
    ck_assert_uint_eq(fr.ip, APP_BASE + 0x2010);
    ck_assert_uint_eq(fr.sp, at(&s, 12));
    ck_assert_uint_eq(fr.regs.value[2], at(&s, 30));
    ck_assert_int_eq(memcmp(fr.function.ptr, "caller", 6), 0);
    dmp_stack_free(st);
    dmp_symstore_free(store);
    remove_dir(dir);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* arm64: x29 frame records, the link register one frame behind, authentication bits
 * stripped from return addresses. */
START_TEST(arm64_frame_records)
{
    struct mkdump *const b = dump_with_module(12 /* ARM64 */, 0x8201);
    dmp_file *const f = open_built(b);
    struct fake_stack s = {.ptr = 8};
    s.word[10] = at(&s, 20);
    s.word[11] = (APP_BASE + 0x300) | 0x00ab000000000000u; /* signed return address */
    s.word[20] = 0;
    s.word[21] = APP_BASE + 0x400;
    dmp_context c = {.cpu = DMP_CPU_ARM64, .reg_count = 4};
    c.regs[0] = (dmp_reg){"pc", APP_BASE + 0x100};
    c.regs[1] = (dmp_reg){"sp", at(&s, 2)};
    c.regs[2] = (dmp_reg){"fp", at(&s, 10)};
    c.regs[3] = (dmp_reg){"lr", APP_BASE + 0x200};
    dmp_stack *const st = walk(f, &c, &s, NULL);
    ck_assert_uint_eq(frame_of(st, 1).ip, APP_BASE + 0x200); /* from lr */
    ck_assert_uint_eq(frame_of(st, 1).lookup_ip, APP_BASE + 0x200 - 4);
    ck_assert_uint_eq(frame_of(st, 2).ip, APP_BASE + 0x300); /* stripped */
    ck_assert_int_eq(frame_of(st, 2).trust, DMP_TRUST_FP);
    dmp_stack_free(st);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* A full-memory dump keeps its stacks in the Memory64List only: the default memory source
 * (dmp_read_memory) walks them. Breakpad reads thread stacks from the thread list's memory
 * descriptors alone and gets one frame on such dumps. */
START_TEST(stack_in_memory64_list)
{
    struct mkdump *const b = dump_with_module(9, 0x8201);
    const struct mkd_range r = {.addr = STACK_BASE, .size = 0x400, .tag = 7};
    const uint32_t list = mkd_add_memory64_list(b, &r, 1);
    size_t len;
    mkd_finish(b, &len);
    const uint8_t *data = mkd_data(b, &len);
    uint64_t payload = 0;
    for (int i = 0; i < 8; i++) /* BaseRva of the MINIDUMP_MEMORY64_LIST */
        payload |= (uint64_t)data[mkd_stream_rva(b, list) + 8 + i] << (8 * i);
    /* frame records at 0x7040 -> 0x7080 -> [0, return] */
    mkd_poke_u64(b, payload + 0x40, STACK_BASE + 0x80);
    mkd_poke_u64(b, payload + 0x48, APP_BASE + 0x222);
    mkd_poke_u64(b, payload + 0x80, 0);
    mkd_poke_u64(b, payload + 0x88, APP_BASE + 0x333);
    dmp_file *f;
    data = mkd_data(b, &len);
    ck_assert_int_eq(dmp_open_mem(data, len, &f), DMP_OK);
    const dmp_context c = amd64_context(APP_BASE + 0x10, STACK_BASE + 0x10, STACK_BASE + 0x40);
    dmp_stack *st;
    ck_assert_int_eq(dmp_walk_context(f, &c, 0, 0, NULL, &st), DMP_OK);
    ck_assert_uint_eq(dmp_stack_frame_count(st), 3);
    ck_assert_uint_eq(frame_of(st, 1).ip, APP_BASE + 0x222);
    ck_assert_uint_eq(frame_of(st, 2).ip, APP_BASE + 0x333);
    ck_assert_int_eq(dmp_stack_end(st), DMP_WALK_FP_END);
    dmp_stack_free(st);
    /* Read the way Breakpad reads, only the thread's stack region: here none is known */
    dmp_walk_options o = {.stack_only = 1};
    ck_assert_int_eq(dmp_walk_context(f, &c, 0, 0, &o, &st), DMP_OK);
    ck_assert_uint_eq(dmp_stack_frame_count(st), 1);
    ck_assert_int_eq(dmp_stack_end(st), DMP_WALK_UNCAPTURED);
    dmp_stack_free(st);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

#define SHARED DMPREAD_SHARED_DUMPS

static size_t walked_frames(const char *rel, dmp_walk_end *end)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", SHARED, rel);
    dmp_file *f;
    ck_assert_int_eq(dmp_open(path, &f), DMP_OK);
    dmp_exception e;
    ck_assert_int_eq(dmp_exception_get(f, 0, &e), DMP_OK);
    size_t ti;
    ck_assert_int_eq(dmp_thread_find(f, e.thread_id, &ti), DMP_OK);
    dmp_stack *st;
    ck_assert_int_eq(dmp_walk_thread(f, ti, NULL, &st), DMP_OK);
    ck_assert_int_eq(dmp_stack_from_exception(st), 1);
    const size_t n = dmp_stack_frame_count(st);
    *end = dmp_stack_end(st);
    dmp_stack_free(st);
    dmp_close(f);
    return n;
}

/* Breakpad's minidump_stackwalk and LLDB's bt give six frames for ascii_read_av's crash. */
START_TEST(shared_ascii_read_av)
{
    dmp_walk_end end;
    ck_assert_uint_eq(walked_frames("breakpad/ascii_read_av.dmp", &end), 6);
    ck_assert_int_eq(end, DMP_WALK_IP_LOW);
}
END_TEST

int main(void)
{
    Suite *const s = suite_create("walk");
    TCase *tc = tcase_create("built");
    tcase_add_test(tc, amd64_frame_pointer_chain);
    tcase_add_test(tc, amd64_scan_and_limits);
    tcase_add_test(tc, amd64_cfi_and_symbols);
    tcase_add_test(tc, x86_stack_win);
    tcase_add_test(tc, arm64_frame_records);
    tcase_add_test(tc, stack_in_memory64_list);
    suite_add_tcase(s, tc);
    if (access(SHARED "/MANIFEST.tsv", R_OK) == 0) {
        tc = tcase_create("shared");
        tcase_add_test(tc, shared_ascii_read_av);
        suite_add_tcase(s, tc);
    } else {
        printf("test_walk: %s is absent: the shared-dump cases are skipped\n", SHARED);
    }
    return run_suite(s);
}
