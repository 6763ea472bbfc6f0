/* test_elf.c - the ELF reader and DWARF CFI unwinder (src/image/elf.c, dwarf.c): the system's
 * libraries and this program's own file, a live unwind of this program's stack, and small ELF
 * files assembled here with one thing broken per case.
 * SPDX-License-Identifier: MIT */
#define _GNU_SOURCE /* dl_iterate_phdr */

#include "suite.h"

#include "image/elf.h"

#include <link.h>
#include <stdio.h>
#include <string.h>

/* ---- Files --------------------------------------------------------------------------------- */

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *const fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, fp);
        if (n < cap)
            break;
        uint8_t *const grown = realloc(buf, cap *= 2);
        if (!grown)
            free(buf);
        buf = grown;
    }
    fclose(fp);
    *len = n;
    return buf;
}

static struct dmpi_elf *open_ok(const uint8_t *data, size_t len)
{
    struct dmpi_elf *e = NULL;
    char why[160];
    const dmp_status st = dmpi_elf_open(data, len, &e, why, sizeof why);
    ck_assert_msg(st == DMP_OK, "open: %s (%s)", dmp_strerror(st), why);
    return e;
}

/* The build id of a loaded object, from its PT_NOTE segments in memory. */
struct loaded {
    const char *want; /* a substring of the object's path; "" for the program */
    uintptr_t addr;   /* or an address inside it */
    uint64_t bias;
    const uint8_t *id;
    size_t id_len;
    bool found;
};

static void note_build_id(struct loaded *l, const uint8_t *p, size_t n)
{
    for (size_t off = 0; off + 12 <= n;) {
        uint32_t namesz, descsz, type;
        memcpy(&namesz, p + off, 4);
        memcpy(&descsz, p + off + 4, 4);
        memcpy(&type, p + off + 8, 4);
        const size_t desc = off + 12 + ((namesz + 3) & ~3u);
        if (type == 3 && namesz == 4 && memcmp(p + off + 12, "GNU", 4) == 0) {
            l->id = p + desc;
            l->id_len = descsz;
        }
        off = desc + ((descsz + 3) & ~3u);
    }
}

static int find_loaded(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    struct loaded *const l = arg;
    bool match = l->want ? strstr(info->dlpi_name, l->want) != NULL : false;
    for (int i = 0; !match && i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        match = ph->p_type == PT_LOAD && l->addr - (info->dlpi_addr + ph->p_vaddr) < ph->p_memsz;
    }
    if (!match)
        return 0;
    l->bias = info->dlpi_addr;
    for (int i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_NOTE && !l->id)
            note_build_id(l, (const uint8_t *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr),
                          info->dlpi_phdr[i].p_filesz);
    l->found = true;
    return 1;
}

/* The file's build id equals the one in the loaded image's notes. */
static void check_file(const char *path, struct loaded *l)
{
    size_t len;
    uint8_t *const data = slurp(path, &len);
    if (!data)
        return; /* not on this system */
    struct dmpi_elf *const e = open_ok(data, len);
    ck_assert(dmpi_elf_has_cfi(e));
#if defined(__x86_64__)
    ck_assert_int_eq(dmpi_elf_cpu(e), DMP_CPU_AMD64);
#elif defined(__aarch64__)
    ck_assert_int_eq(dmpi_elf_cpu(e), DMP_CPU_ARM64);
#endif
    dl_iterate_phdr(find_loaded, l);
    const uint8_t *id;
    size_t id_len;
    if (l->found && l->id) {
        ck_assert(dmpi_elf_build_id(e, &id, &id_len));
        ck_assert_uint_eq(id_len, l->id_len);
        ck_assert(memcmp(id, l->id, id_len) == 0);
    }
    ck_assert_uint_gt(dmpi_elf_fde_count(e), 10);
    dmpi_elf_free(e);
    free(data);
}

START_TEST(system_files)
{
    struct loaded libc = {.want = "libc.so"};
    check_file("/lib/x86_64-linux-gnu/libc.so.6", &libc);
    struct loaded self = {.addr = (uintptr_t)&check_file};
    check_file("/proc/self/exe", &self);
    ck_assert(self.found);
}
END_TEST

struct elf_chain_regs {
    uint64_t rip, rsp, rbp, rbx, r12, r13, r14, r15;
};
extern struct elf_chain_regs elf_chain_ctx;
extern uint64_t elf_chain_ret[3];
int elf_chain_a(int (*hook)(void *), void *arg);
int elf_chain_b(int (*hook)(void *), void *arg);

START_TEST(own_symbols)
{
    size_t len;
    uint8_t *const data = slurp("/proc/self/exe", &len);
    ck_assert_ptr_nonnull(data);
    struct dmpi_elf *const e = open_ok(data, len);
    struct loaded self = {.addr = (uintptr_t)&elf_chain_b};
    dl_iterate_phdr(find_loaded, &self);
    const char *name;
    size_t name_len;
    uint64_t at;
    const uint64_t b = (uint64_t)(uintptr_t)&elf_chain_b - self.bias;
    ck_assert(dmpi_elf_symbol(e, b + 3, &name, &name_len, &at));
    ck_assert_uint_eq(at, b);
    ck_assert_int_eq((int)name_len, 11);
    ck_assert(memcmp(name, "elf_chain_b", 11) == 0);
    ck_assert(!dmpi_elf_symbol(e, 0, &name, &name_len, &at));
    dmpi_elf_free(e);
    free(data);
}
END_TEST

/* ---- Live unwind ----------------------------------------------------------------------------- */

/* Reads this process's stack above the captured rsp. */
static dmp_status read_stack(void *ctx, uint64_t addr, void *dst, size_t len, size_t *bytes_read)
{
    const uint64_t lo = *(const uint64_t *)ctx;
    if (addr < lo || addr - lo > 65536 || len > 65536 - (addr - lo))
        return DMP_E_UNMAPPED;
    memcpy(dst, (const void *)(uintptr_t)addr, len);
    if (bytes_read)
        *bytes_read = len;
    return DMP_OK;
}

struct live {
    struct dmpi_elf *e;
    uint64_t bias;
    int frames; /* unwound and checked */
};

static int unwind_live(void *arg)
{
    struct live *const lv = arg;
    const struct elf_chain_regs c = elf_chain_ctx;
    uint64_t lo = c.rsp;
    const dmp_memory mem = {read_stack, &lo};
    dmp_regs regs = {.cpu = DMP_CPU_AMD64};
    const uint64_t vals[] = {[3] = c.rbx,  [6] = c.rbp,  [7] = c.rsp,  [12] = c.r12,
                             [13] = c.r13, [14] = c.r14, [15] = c.r15, [16] = c.rip};
    for (unsigned i = 0; i < 17; i++)
        if (vals[i] || i == 7 || i == 16) {
            regs.value[i] = vals[i];
            regs.valid |= (uint64_t)1 << i;
        }
    const uint64_t callee_saved = 1u << 3 | 1u << 6 | 1u << 12 | 1u << 13 | 1u << 14 | 1u << 15;
    for (int f = 0; f < 3; f++) {
        /* The context frame's pc is exact; a caller's is inside its call. */
        const uint64_t pc = regs.value[16] - lv->bias - (f == 0 ? 0 : 1);
        dmp_regs caller;
        bool outermost = true;
        const dmp_status st = dmpi_elf_unwind(lv->e, pc, lv->bias, &regs, mem, &caller, &outermost);
        ck_assert_msg(st == DMP_OK, "frame %d: %s", f, dmp_strerror(st));
        ck_assert(!outermost);
        ck_assert_msg(caller.value[16] == elf_chain_ret[f], "frame %d: pc %llx, want %llx", f,
                      (unsigned long long)caller.value[16], (unsigned long long)elf_chain_ret[f]);
        ck_assert_uint_gt(caller.value[7], regs.value[7]);
        /* Callee-saved registers the CFI does not restore keep their value, as a walker does. */
        const uint64_t keep = callee_saved & regs.valid & ~caller.valid;
        for (unsigned i = 0; i < 17; i++)
            if (keep >> i & 1) {
                caller.value[i] = regs.value[i];
                caller.valid |= (uint64_t)1 << i;
            }
        regs = caller;
        lv->frames++;
    }
    return 0;
}

START_TEST(live_unwind)
{
#if defined(__x86_64__)
    size_t len;
    uint8_t *const data = slurp("/proc/self/exe", &len);
    ck_assert_ptr_nonnull(data);
    struct live lv = {open_ok(data, len), 0, 0};
    struct loaded self = {.addr = (uintptr_t)&elf_chain_a};
    dl_iterate_phdr(find_loaded, &self);
    ck_assert(self.found);
    lv.bias = self.bias;
    elf_chain_a(unwind_live, &lv);
    ck_assert_int_eq(lv.frames, 3);

    /* _start's CFI marks the return address undefined: the outermost frame. */
    uint64_t entry;
    memcpy(&entry, data + 24, 8);
    dmp_regs regs = {.cpu = DMP_CPU_AMD64, .valid = 1u << 7 | 1u << 16};
    regs.value[7] = elf_chain_ctx.rsp;
    regs.value[16] = entry + lv.bias;
    uint64_t lo = elf_chain_ctx.rsp;
    dmp_regs caller;
    bool outermost = false;
    ck_assert_int_eq(dmpi_elf_unwind(lv.e, entry, lv.bias, &regs, (dmp_memory){read_stack, &lo},
                                     &caller, &outermost),
                     DMP_OK);
    ck_assert(outermost);
    ck_assert(!(caller.valid >> 16 & 1));
    dmpi_elf_free(lv.e);
    free(data);
#endif
}
END_TEST

/* ---- Small ELF files assembled here ------------------------------------------------------ */

struct buf {
    uint8_t b[4096];
    size_t n;
};

static void put(struct buf *b, uint64_t v, unsigned size)
{
    ck_assert_uint_le(b->n + size, sizeof b->b);
    for (unsigned i = 0; i < size; i++)
        b->b[b->n++] = (uint8_t)(v >> (8 * i));
}

static void put_bytes(struct buf *b, const void *p, size_t n)
{
    ck_assert_uint_le(b->n + n, sizeof b->b);
    if (n) /* p may be NULL then */
        memcpy(b->b + b->n, p, n);
    b->n += n;
}

static void align(struct buf *b, unsigned a)
{
    while (b->n % a)
        b->b[b->n++] = 0;
}

/* A version 1 CIE with augmentation "zR" and absolute 8-byte FDE addresses (or `aug` as
 * given, with no data when it is not "zR"); returns its offset. */
static size_t add_cie(struct buf *b, const char *aug, int daf, unsigned ra, const void *insns,
                      size_t n)
{
    const size_t at = b->n;
    put(b, 0, 4);
    put(b, 0, 4); /* CIE id */
    put(b, 1, 1);
    put_bytes(b, aug, strlen(aug) + 1);
    put(b, 1, 1);                     /* code alignment */
    put(b, (uint8_t)(daf & 0x7f), 1); /* a one-byte sleb */
    put(b, ra, 1);
    if (strcmp(aug, "zR") == 0) {
        put(b, 1, 1);
        put(b, 0, 1); /* DW_EH_PE_absptr */
    }
    put_bytes(b, insns, n);
    align(b, 8);
    const uint32_t len = (uint32_t)(b->n - at - 4);
    memcpy(b->b + at, &len, 4);
    return at;
}

static size_t add_fde(struct buf *b, size_t cie, uint64_t start, uint64_t len, const void *insns,
                      size_t n)
{
    const size_t at = b->n;
    put(b, 0, 4);
    put(b, at + 4 - cie, 4);
    put(b, start, 8);
    put(b, len, 8);
    put(b, 0, 1); /* augmentation data length */
    put_bytes(b, insns, n);
    align(b, 8);
    const uint32_t l = (uint32_t)(b->n - at - 4);
    memcpy(b->b + at, &l, 4);
    return at;
}

/* An .eh_frame_hdr search table entry: an FDE's start and its offset in .eh_frame. */
struct hdr_entry {
    uint64_t loc;
    size_t fde;
};

/* A 64-bit ELF whose one PT_LOAD maps the file at vaddr 0: header, program headers,
 * .shstrtab, .eh_frame (cfi), .eh_frame_hdr (when hdr_count), section headers. */
static size_t mk_elf(struct buf *out, uint16_t machine, const struct buf *cfi,
                     const struct hdr_entry *hdr, size_t hdr_count)
{
    static const char names[] = "\0.shstrtab\0.eh_frame\0.eh_frame_hdr";
    const size_t phnum = hdr_count ? 2 : 1, shnum = hdr_count ? 4 : 3;
    const size_t strtab = 64 + 56 * phnum;
    const size_t eh = (strtab + sizeof names + 7) & ~(size_t)7;
    const size_t hdr_at = eh + cfi->n + 8;
    const size_t hdr_len = hdr_count ? 12 + 8 * hdr_count : 0;
    const size_t shoff = (hdr_at + hdr_len + 7) & ~(size_t)7;
    const size_t total = shoff + 64 * shnum;
    memset(out, 0, sizeof *out);
    put_bytes(out,
              "\x7f"
              "ELF\x02\x01\x01",
              7);
    out->n = 16;
    put(out, 3, 2); /* ET_DYN */
    put(out, machine, 2);
    put(out, 1, 4);
    put(out, 0, 8);  /* entry */
    put(out, 64, 8); /* phoff */
    put(out, shoff, 8);
    put(out, 0, 4);
    put(out, 64, 2);
    put(out, 56, 2);
    put(out, phnum, 2);
    put(out, 64, 2);
    put(out, shnum, 2);
    put(out, 1, 2); /* shstrndx */
    const uint64_t ph[][2] = {{1, 0}, {0x6474e550, hdr_at}};
    for (size_t i = 0; i < phnum; i++) {
        put(out, ph[i][0], 4);
        put(out, 5, 4);
        put(out, ph[i][1], 8);            /* offset */
        put(out, ph[i][1], 8);            /* vaddr */
        put(out, ph[i][1], 8);            /* paddr */
        put(out, i ? hdr_len : total, 8); /* filesz */
        put(out, i ? hdr_len : total, 8); /* memsz */
        put(out, i ? 4 : 0x1000, 8);      /* align */
    }
    put_bytes(out, names, sizeof names);
    out->n = eh;
    put_bytes(out, cfi->b, cfi->n);
    put(out, 0, 4); /* the terminator */
    out->n = hdr_at;
    if (hdr_count) {
        put_bytes(out, "\x01\x1b\x03\x3b", 4);
        put(out, (uint32_t)(eh - (hdr_at + 4)), 4);
        put(out, hdr_count, 4);
        for (size_t i = 0; i < hdr_count; i++) {
            put(out, (uint32_t)(hdr[i].loc - hdr_at), 4);
            put(out, (uint32_t)(eh + hdr[i].fde - hdr_at), 4);
        }
    }
    out->n = shoff;
    const uint64_t sh[][4] = {{0, 0, 0, 0},
                              {1, 3, strtab, sizeof names},
                              {11, 1, eh, cfi->n + 4},
                              {21, 1, hdr_at, hdr_len}};
    for (size_t i = 0; i < shnum; i++) {
        put(out, sh[i][0], 4);
        put(out, sh[i][1], 4);
        put(out, i >= 2 ? 2 : 0, 8);        /* SHF_ALLOC */
        put(out, i >= 2 ? sh[i][2] : 0, 8); /* addr */
        put(out, sh[i][2], 8);
        put(out, sh[i][3], 8);
        put(out, 0, 8);
        put(out, 8, 8);
        put(out, 0, 8);
    }
    ck_assert_uint_eq(out->n, total);
    return total;
}

/* amd64's usual CIE: CFA = rsp + 8, return address at CFA - 8. */
static const uint8_t cie_amd64[] = {0x0c, 7, 8, 0x90, 1};

/* Memory for the synthetic unwinds: 256 bytes at 0x7000, byte i = i, and words poked in. */
struct fakemem {
    uint8_t bytes[256];
};

static dmp_status read_fake(void *ctx, uint64_t addr, void *dst, size_t len, size_t *bytes_read)
{
    const struct fakemem *m = ctx;
    if (addr < 0x7000 || addr - 0x7000 > sizeof m->bytes || len > sizeof m->bytes - (addr - 0x7000))
        return DMP_E_UNMAPPED;
    memcpy(dst, m->bytes + (addr - 0x7000), len);
    if (bytes_read)
        *bytes_read = len;
    return DMP_OK;
}

static void fake_init(struct fakemem *m)
{
    for (size_t i = 0; i < sizeof m->bytes; i++)
        m->bytes[i] = (uint8_t)i;
}

static void fake_word(struct fakemem *m, uint64_t addr, uint64_t v)
{
    memcpy(m->bytes + (addr - 0x7000), &v, 8);
}

/* One FDE over [0x1000, 0x1100) with the amd64 CIE and `insns`; unwinds at pc from rsp 0x7040,
 * rbp 0x7080, rip 0x1000 + pc. */
static dmp_status unwind_one(const void *insns, size_t n, uint64_t pc, struct fakemem *m,
                             dmp_regs *caller, struct dmpi_elf_frame *info)
{
    struct buf cfi = {0}, file;
    const size_t cie = add_cie(&cfi, "zR", -8, 16, cie_amd64, sizeof cie_amd64);
    add_fde(&cfi, cie, 0x1000, 0x100, insns, n);
    const size_t len = mk_elf(&file, 62, &cfi, NULL, 0);
    struct dmpi_elf *const e = open_ok(file.b, len);
    dmp_regs regs = {.cpu = DMP_CPU_AMD64, .valid = 1u << 7 | 1u << 6 | 1u << 16 | 1u << 3};
    regs.value[7] = 0x7040;
    regs.value[6] = 0x7080;
    regs.value[3] = 0x3333;
    regs.value[16] = pc;
    const dmp_status st =
        dmpi_elf_unwind_ex(e, pc, 0, &regs, (dmp_memory){read_fake, m}, caller, info);
    dmpi_elf_free(e);
    return st;
}

START_TEST(synthetic_rows)
{
    /* push rbp; mov rbp, rsp: advance 1, CFA rsp+16, rbp at CFA-16; advance 3, CFA rbp. */
    static const uint8_t insns[] = {0x41, 0x0e, 16, 0x86, 2, 0x43, 0x0d, 6};
    struct fakemem m;
    fake_init(&m);
    fake_word(&m, 0x7048, 0x4444); /* return address at CFA - 8 for CFA 0x7050 */
    fake_word(&m, 0x7040, 0x7100); /* saved rbp */
    fake_word(&m, 0x7088, 0x5555); /* return address for CFA = rbp + 16 */
    dmp_regs caller;
    struct dmpi_elf_frame info;
    ck_assert_int_eq(unwind_one(insns, sizeof insns, 0x1000, &m, &caller, &info), DMP_OK);
    ck_assert_uint_eq(info.cfa, 0x7048);
    ck_assert_uint_eq(caller.value[7], 0x7048);
    ck_assert_uint_eq(caller.value[16], 0x7100); /* the word at CFA - 8 */
    ck_assert(!(caller.valid >> 3 & 1));         /* no rule for rbx */
    ck_assert_int_eq(unwind_one(insns, sizeof insns, 0x1001, &m, &caller, &info), DMP_OK);
    ck_assert_uint_eq(info.cfa, 0x7050);
    ck_assert_uint_eq(caller.value[16], 0x4444);
    ck_assert_uint_eq(caller.value[6], 0x7100);
    ck_assert_int_eq(unwind_one(insns, sizeof insns, 0x1004, &m, &caller, &info), DMP_OK);
    ck_assert_uint_eq(info.cfa, 0x7090);
    ck_assert_uint_eq(caller.value[16], 0x5555);
    ck_assert_int_eq(unwind_one(insns, sizeof insns, 0x1100, &m, &caller, &info), DMP_E_NOT_FOUND);
    ck_assert_int_eq(unwind_one(insns, sizeof insns, 0xfff, &m, &caller, &info), DMP_E_NOT_FOUND);
    /* Memory the rule needs is not there. */
    static const uint8_t far[] = {0x0e, 0x80, 0x02};
    ck_assert_int_eq(unwind_one(far, sizeof far, 0x1000, &m, &caller, &info), DMP_E_UNMAPPED);
}
END_TEST

START_TEST(rules_of_every_kind)
{
    static const uint8_t insns[] = {
        0x08, 3,                    /* same_value rbx */
        0x09, 12,   6,              /* r12 in rbp */
        0x14, 13,   2,              /* r13 = CFA - 16 (val_offset, factored) */
        0x16, 14,   2,  0x31, 0x22, /* r14 = CFA + 1 (val_expression) */
        0x10, 15,   2,  0x38, 0x1c, /* r15 at CFA - 8 (expression) */
        0x07, 5,                    /* rdi undefined */
        0x0a, 0x0e, 32, 0x0b,       /* remember, CFA rsp+32, restore: CFA back to rsp+8 */
    };
    struct fakemem m;
    fake_init(&m);
    dmp_regs caller;
    struct dmpi_elf_frame info;
    ck_assert_int_eq(unwind_one(insns, sizeof insns, 0x1000, &m, &caller, &info), DMP_OK);
    ck_assert_uint_eq(info.cfa, 0x7048);
    ck_assert_uint_eq(caller.value[3], 0x3333);
    ck_assert_uint_eq(caller.value[12], 0x7080);
    ck_assert_uint_eq(caller.value[13], 0x7038);
    ck_assert_uint_eq(caller.value[14], 0x7049);
    ck_assert_uint_eq(caller.value[15], 0x4746454443424140); /* byte i = i at 0x7000 + i */
    ck_assert(!(caller.valid >> 5 & 1));
    ck_assert(!info.outermost);
    /* An undefined return address is the end of the stack. */
    static const uint8_t end[] = {0x07, 16};
    ck_assert_int_eq(unwind_one(end, sizeof end, 0x1000, &m, &caller, &info), DMP_OK);
    ck_assert(info.outermost);
    ck_assert(!(caller.valid >> 16 & 1));
}
END_TEST

/* The expression GCC and binutils emit for amd64 PLT entries (16-byte slots whose last 5
 * bytes follow the push): CFA = rsp + 8, plus 8 when (rip & 15) >= 11. */
START_TEST(plt_expression)
{
    static const uint8_t insns[] = {0x0f, 11,   0x77, 8,    0x80, 0,   0x3f,
                                    0x1a, 0x3b, 0x2a, 0x33, 0x24, 0x22};
    struct fakemem m;
    fake_init(&m);
    dmp_regs caller;
    struct dmpi_elf_frame info;
    ck_assert_int_eq(unwind_one(insns, sizeof insns, 0x1006, &m, &caller, &info), DMP_OK);
    ck_assert_uint_eq(info.cfa, 0x7048);
    ck_assert_int_eq(unwind_one(insns, sizeof insns, 0x100b, &m, &caller, &info), DMP_OK);
    ck_assert_uint_eq(info.cfa, 0x7050);
}
END_TEST

/* Each expression runs as a val_expression of rax over CFA 0x7048; the result is rax. */
START_TEST(expression_ops)
{
    static const struct {
        uint8_t code[16];
        uint8_t len;
        uint64_t want;
    } cases[] = {
        {{0x13, 0x08, 0xff}, 3, 0xff},                                 /* drop; const1u */
        {{0x09, 0xff}, 2, UINT64_MAX},                                 /* const1s -1 */
        {{0x0b, 0x00, 0x80}, 3, (uint64_t)-32768},                     /* const2s */
        {{0x0c, 1, 2, 3, 4}, 5, 0x04030201},                           /* const4u */
        {{0x10, 0x80, 0x01}, 3, 0x80},                                 /* constu 128 */
        {{0x11, 0x7f, 0x22}, 3, 0x7047},                               /* consts -1; plus */
        {{0x12, 0x22}, 2, 0xe090},                                     /* dup; plus */
        {{0x32, 0x14, 0x1c, 0x13}, 4, 0x7048},                         /* lit2 over minus drop */
        {{0x32, 0x35, 0x15, 2}, 4, 0x7048},                            /* pick 2 */
        {{0x32, 0x16, 0x1c}, 3, 0x2 - 0x7048},                         /* swap minus */
        {{0x31, 0x32, 0x17, 0x13, 0x13}, 5, 0x32 - 0x30},              /* rot: 2 1 cfa -> cfa 2 1 */
        {{0x09, 0xf0, 0x19}, 3, 16},                                   /* abs */
        {{0x09, 0xf0, 0x33, 0x1b}, 4, (uint64_t)-5 - 0},               /* -16 / 3 = -5 */
        {{0x3a, 0x33, 0x1d}, 3, 1},                                    /* 10 mod 3 */
        {{0x3a, 0x33, 0x1e}, 3, 30},                                   /* mul */
        {{0x3a, 0x1f}, 2, (uint64_t)-10},                              /* neg */
        {{0x30, 0x20}, 2, UINT64_MAX},                                 /* not */
        {{0x3a, 0x35, 0x21}, 3, 15},                                   /* or */
        {{0x3a, 0x35, 0x27}, 3, 15},                                   /* xor */
        {{0x3a, 0x23, 5}, 3, 15},                                      /* plus_uconst */
        {{0x31, 0x34, 0x24}, 3, 16},                                   /* shl */
        {{0x09, 0xf0, 0x32, 0x25}, 4, UINT64_MAX >> 2 & ~(uint64_t)3}, /* shr */
        {{0x09, 0xf0, 0x32, 0x26}, 4, (uint64_t)-4},                   /* shra */
        {{0x31, 0x31, 0x29}, 3, 1},                                    /* eq */
        {{0x09, 0xff, 0x30, 0x2d}, 4, 1},                              /* -1 lt 0 (signed) */
        {{0x09, 0xff, 0x30, 0x2b}, 4, 0},                              /* -1 gt 0 */
        {{0x31, 0x30, 0x2a}, 3, 1},                                    /* ge */
        {{0x31, 0x30, 0x2c}, 3, 0},                                    /* le */
        {{0x31, 0x30, 0x2e}, 3, 1},                                    /* ne */
        {{0x2f, 1, 0, 0x13, 0x96}, 5, 0x7048},                         /* skip over a drop; nop */
        {{0x31, 0x28, 1, 0, 0x13}, 5, 0x7048},                         /* bra taken */
        {{0x30, 0x28, 1, 0, 0x13, 0x33}, 6, 3},                        /* bra not taken */
        {{0x13, 0x76, 0x08}, 3, 0x7088},                               /* breg6 (rbp) + 8 */
        {{0x13, 0x92, 6, 0x78}, 4, 0x7078},                            /* bregx rbp - 8 */
        {{0x13, 0x56}, 2, 0x7080},                                     /* reg6 as a value */
        {{0x13, 0x90, 3}, 3, 0x3333},                                  /* regx rbx */
        {{0x06}, 1, 0x4f4e4d4c4b4a4948},                               /* deref */
        {{0x94, 2}, 2, 0x4948},                                        /* deref_size 2 */
        {{0x13, 0x03, 1, 0, 0, 0, 0, 0, 0, 0}, 10, 1},                 /* addr (bias 0) */
    };
    struct fakemem m;
    fake_init(&m);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t insns[24] = {0x16, 0, cases[i].len};
        memcpy(insns + 3, cases[i].code, cases[i].len);
        dmp_regs caller;
        struct dmpi_elf_frame info;
        const dmp_status st = unwind_one(insns, 3u + cases[i].len, 0x1000, &m, &caller, &info);
        expect(st == DMP_OK, "case %zu: %s", i, dmp_strerror(st));
        expect(caller.valid & 1, "case %zu: rax not recovered", i);
        expect(caller.value[0] == cases[i].want, "case %zu: %llx, want %llx", i,
               (unsigned long long)caller.value[0], (unsigned long long)cases[i].want);
    }
}
END_TEST

/* Programs and expressions that must fail cleanly. The CFA is an expression in most, as only
 * the CFA and the return address fail an unwind. */
START_TEST(hostile_programs)
{
    static const struct {
        uint8_t code[24];
        uint8_t len;
        dmp_status want;
    } cases[] = {
        {{0x0f, 3, 0x31, 0x28, 0xfd, 0xff}, 6, DMP_E_MALFORMED}, /* an endless bra loop */
        {{0x0f, 3, 0x2f, 0xfd, 0xff}, 5, DMP_E_MALFORMED},       /* an endless skip loop */
        {{0x0f, 3, 0x2f, 0x10, 0x00}, 5, DMP_E_MALFORMED},       /* skip past the end */
        {{0x0f, 1, 0x22}, 3, DMP_E_MALFORMED},                   /* plus on an empty stack */
        {{0x0f, 1, 0x13}, 3, DMP_E_MALFORMED},                   /* drop on an empty stack */
        {{0x0f, 0}, 2, DMP_E_MALFORMED},                         /* an empty CFA expression */
        {{0x0f, 3, 0x30, 0x30, 0x1b}, 5, DMP_E_MALFORMED},       /* division by zero */
        {{0x0f, 2, 0x30, 0xff}, 4, DMP_E_MALFORMED},             /* an unknown op */
        {{0x0f, 3, 0x30, 0x15, 5}, 5, DMP_E_MALFORMED},          /* pick too deep */
        {{0x0f, 2, 0x94, 9}, 4, DMP_E_MALFORMED},                /* deref_size 9 */
        {{0x0f, 1, 0x06}, 3, DMP_E_MALFORMED},                   /* deref of nothing */
        {{0x0f, 3, 0x10, 0x80, 0x80}, 5, DMP_E_MALFORMED},       /* a cut uleb */
        {{0x0f, 9, 0x30}, 3, DMP_E_MALFORMED},                   /* a block past the end */
        {{0x0f, 2, 0x30, 0x06}, 4, DMP_E_UNMAPPED},              /* deref of address 0 */
        {{0x0f, 1, 0x51}, 3, DMP_E_UNMAPPED},                    /* reg1 not in the callee */
        {{0x0f, 2, 0x90, 90}, 4, DMP_E_MALFORMED},               /* a register dmpread lacks */
        {{0x0c, 40, 8}, 3, DMP_E_MALFORMED},                     /* CFA in such a register */
        {{0x0b}, 1, DMP_E_MALFORMED},                            /* restore_state, none saved */
        {{0x2d}, 1, DMP_E_MALFORMED},                            /* window_save on amd64 */
        {{0x3f}, 1, DMP_E_MALFORMED},                            /* an unknown CFA op */
        {{0x05, 3, 0x80, 0x80, 0x80, 0x80, 0x80},
         7,
         DMP_E_MALFORMED}, /* a cut operand (7 bytes: no padding after) */
    };
    struct fakemem m;
    fake_init(&m);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dmp_regs caller;
        struct dmpi_elf_frame info;
        const dmp_status st = unwind_one(cases[i].code, cases[i].len, 0x1000, &m, &caller, &info);
        expect(st == cases[i].want, "case %zu: %s", i, dmp_strerror(st));
    }
    /* More remembered rows than the cap. */
    uint8_t deep[DMPI_CFI_MAX_STATES + 1];
    memset(deep, 0x0a, sizeof deep);
    dmp_regs caller;
    struct dmpi_elf_frame info;
    ck_assert_int_eq(unwind_one(deep, sizeof deep, 0x1000, &m, &caller, &info), DMP_E_MALFORMED);
    ck_assert_int_eq(unwind_one(deep, sizeof deep - 1, 0x1000, &m, &caller, &info), DMP_OK);
}
END_TEST

/* Two FDEs found through .eh_frame_hdr, then the same file with the table unsorted (the
 * lookup falls back to a table of its own) and with bad entries. */
START_TEST(eh_frame_hdr)
{
    struct buf cfi = {0}, file;
    static const uint8_t cfa16[] = {0x0e, 16};
    const size_t cie = add_cie(&cfi, "zR", -8, 16, cie_amd64, sizeof cie_amd64);
    const size_t f1 = add_fde(&cfi, cie, 0x1000, 0x100, NULL, 0);
    const size_t f2 = add_fde(&cfi, cie, 0x2000, 0x100, cfa16, sizeof cfa16);
    struct hdr_entry hdr[] = {{0x1000, f1}, {0x2000, f2}};
    for (int round = 0; round < 3; round++) {
        const size_t len = mk_elf(&file, 62, &cfi, hdr, 2);
        struct dmpi_elf *const e = open_ok(file.b, len);
        struct dmpi_cfi_row row;
        ck_assert_uint_eq(dmpi_elf_fde_count(e), 2);
        const dmp_status st = dmpi_elf_cfi_row(e, 0x2010, &row);
        if (round < 2) {
            ck_assert_int_eq(st, DMP_OK);
            ck_assert_int_eq(row.cfa_offset, 16);
            ck_assert_int_eq(dmpi_elf_cfi_row(e, 0x1010, &row), DMP_OK);
            ck_assert_int_eq(row.cfa_offset, 8);
        } else {
            ck_assert_int_eq(st, DMP_E_MALFORMED); /* the entry points outside .eh_frame */
        }
        ck_assert_int_eq(dmpi_elf_cfi_row(e, 0x1100, &row), DMP_E_NOT_FOUND);
        ck_assert_int_eq(dmpi_elf_cfi_row(e, 0x500, &row), DMP_E_NOT_FOUND);
        dmpi_elf_free(e);
        if (round == 0) { /* unsorted */
            hdr[0] = (struct hdr_entry){0x2000, f2};
            hdr[1] = (struct hdr_entry){0x1000, f1};
        } else { /* sorted, the second entry's FDE far away */
            hdr[0] = (struct hdr_entry){0x1000, f1};
            hdr[1] = (struct hdr_entry){0x2000, 0x10000};
        }
    }
}
END_TEST

/* Broken framing: CIE pointers and lengths that point outside, a CIE with an unknown
 * augmentation. Open succeeds; the bad FDEs are not found. */
START_TEST(hostile_cfi)
{
    struct buf cfi = {0}, file;
    const size_t cie = add_cie(&cfi, "zR", -8, 16, cie_amd64, sizeof cie_amd64);
    const size_t bad_cie = add_cie(&cfi, "zX", -8, 16, NULL, 0);
    add_fde(&cfi, bad_cie, 0x1000, 0x100, NULL, 0);
    const size_t f2 = add_fde(&cfi, cie, 0x2000, 0x100, NULL, 0);
    const size_t f3 = add_fde(&cfi, cie, 0x3000, 0x100, NULL, 0);
    const size_t f4 = add_fde(&cfi, cie, 0x4000, 0x100, NULL, 0);
    uint32_t v = 0x7fffffff; /* f2's CIE pointer far before the section */
    memcpy(cfi.b + f2 + 4, &v, 4);
    v = (uint32_t)(f3 + 4 - f4); /* f3 "points" at an FDE as its CIE: negative distance */
    memcpy(cfi.b + f3 + 4, &v, 4);
    struct buf copy = cfi;
    v = 0xfffffff0; /* f4's length: reserved, which ends the section */
    memcpy(copy.b + f4, &v, 4);
    size_t len = mk_elf(&file, 62, &copy, NULL, 0);
    struct dmpi_elf *e = open_ok(file.b, len);
    struct dmpi_cfi_row row;
    for (uint64_t pc = 0x1000; pc <= 0x4000; pc += 0x1000)
        ck_assert_int_eq(dmpi_elf_cfi_row(e, pc, &row), DMP_E_NOT_FOUND);
    dmpi_elf_free(e);
    /* A 64-bit length running past the end. */
    copy = cfi;
    v = 0xffffffff;
    memcpy(copy.b + f4, &v, 4);
    len = mk_elf(&file, 62, &copy, NULL, 0);
    e = open_ok(file.b, len);
    ck_assert_int_eq(dmpi_elf_cfi_row(e, 0x4000, &row), DMP_E_NOT_FOUND);
    dmpi_elf_free(e);
    /* Intact, f4 is found. */
    len = mk_elf(&file, 62, &cfi, NULL, 0);
    e = open_ok(file.b, len);
    ck_assert_int_eq(dmpi_elf_cfi_row(e, 0x4000, &row), DMP_OK);
    dmpi_elf_free(e);
}
END_TEST

START_TEST(hostile_headers)
{
    struct buf cfi = {0}, file;
    const size_t cie = add_cie(&cfi, "zR", -8, 16, cie_amd64, sizeof cie_amd64);
    add_fde(&cfi, cie, 0x1000, 0x100, NULL, 0);
    const size_t len = mk_elf(&file, 62, &cfi, NULL, 0);
    struct dmpi_elf *e = NULL;
    char why[160];
    /* Every prefix of the file opens or fails cleanly (ASan checks the reads). */
    for (size_t n = 0; n < len; n++) {
        uint8_t *const copy = malloc(n ? n : 1);
        memcpy(copy, file.b, n);
        const dmp_status st = dmpi_elf_open(copy, n, &e, why, sizeof why);
        expect(st == DMP_OK || st == DMP_E_MALFORMED, "prefix %zu: %s", n, dmp_strerror(st));
        if (st == DMP_OK)
            dmpi_elf_free(e);
        free(copy);
    }
    ck_assert_int_eq(dmpi_elf_open(file.b, 63, &e, why, sizeof why), DMP_E_MALFORMED);
    ck_assert_str_eq(why, "ELF header cut short at 0x0");
    /* .eh_frame's sh_offset past the end. */
    struct buf bad = file;
    const uint64_t shoff = load_u64le(bad.b + 40);
    const uint64_t past = 0x100000;
    memcpy(bad.b + shoff + 2 * 64 + 24, &past, 8);
    ck_assert_int_eq(dmpi_elf_open(bad.b, len, &e, why, sizeof why), DMP_E_MALFORMED);
    char want[80];
    snprintf(want, sizeof want, "section header 2: offset past the end at 0x%llx",
             (unsigned long long)(shoff + 128));
    ck_assert_str_eq(why, want);
    /* The section header table past the end. */
    bad = file;
    memcpy(bad.b + 40, &past, 8);
    ck_assert_int_eq(dmpi_elf_open(bad.b, len, &e, NULL, 0), DMP_E_MALFORMED);
    /* A count of program headers past the end. */
    bad = file;
    bad.b[56] = 0xff;
    bad.b[57] = 0x00;
    ck_assert_int_eq(dmpi_elf_open(bad.b, len, &e, why, sizeof why), DMP_E_MALFORMED);
    /* e_phnum PN_XNUM: the count is in section 0's sh_info. */
    bad = file;
    bad.b[56] = 0xff;
    bad.b[57] = 0xff;
    bad.b[shoff + 44] = 1;
    e = open_ok(bad.b, len);
    ck_assert(dmpi_elf_has_cfi(e));
    dmpi_elf_free(e);
    bad.b[shoff + 44] = 0xff; /* 255 program headers do not fit */
    ck_assert_int_eq(dmpi_elf_open(bad.b, len, &e, NULL, 0), DMP_E_MALFORMED);
    /* Big-endian and unknown classes. */
    bad = file;
    bad.b[5] = 2;
    ck_assert_int_eq(dmpi_elf_open(bad.b, len, &e, NULL, 0), DMP_E_MALFORMED);
    bad = file;
    bad.b[4] = 3;
    ck_assert_int_eq(dmpi_elf_open(bad.b, len, &e, NULL, 0), DMP_E_MALFORMED);
    /* Without section headers, and without .eh_frame_hdr: no CFI is found, nothing fails. */
    bad = file;
    memset(bad.b + 40, 0, 8);
    memset(bad.b + 60, 0, 4);
    e = open_ok(bad.b, len);
    ck_assert(!dmpi_elf_has_cfi(e));
    dmpi_elf_free(e);
}
END_TEST

/* arm64: a leaf whose CIE leaves lr without a rule (the return address is still in lr), and
 * pointer authentication toggled by DW_CFA_AARCH64_negate_ra_state. */
START_TEST(arm64_rules)
{
    static const uint8_t cie_arm64[] = {0x0c, 31, 0}; /* CFA = sp */
    static const uint8_t insns[] = {0x2d, 0x41, 0x0e, 16, 0x9e, 2, 0x9d, 4};
    struct buf cfi = {0}, file;
    const size_t cie = add_cie(&cfi, "zR", -4, 30, cie_arm64, sizeof cie_arm64);
    add_fde(&cfi, cie, 0x1000, 0x100, insns, sizeof insns);
    const size_t len = mk_elf(&file, 183, &cfi, NULL, 0);
    struct dmpi_elf *const e = open_ok(file.b, len);
    ck_assert_int_eq(dmpi_elf_cpu(e), DMP_CPU_ARM64);
    struct fakemem m;
    fake_init(&m);
    fake_word(&m, 0x7048, 0x8888); /* lr at CFA - 8 */
    dmp_regs regs = {.cpu = DMP_CPU_ARM64, .valid = 1u << 31 | 1u << 30 | (uint64_t)1 << 32};
    regs.value[31] = 0x7040;
    regs.value[30] = 0x123456;
    regs.value[32] = 0x1000;
    dmp_regs caller;
    struct dmpi_elf_frame info;
    const dmp_memory mem = {read_fake, &m};
    ck_assert_int_eq(dmpi_elf_unwind_ex(e, 0x1000, 0, &regs, mem, &caller, &info), DMP_OK);
    ck_assert_uint_eq(caller.value[32], 0x123456);
    ck_assert_uint_eq(caller.value[31], 0x7040);
    ck_assert(info.ra_signed);
    ck_assert_int_eq(dmpi_elf_unwind_ex(e, 0x1001, 0, &regs, mem, &caller, &info), DMP_OK);
    ck_assert_uint_eq(info.cfa, 0x7050);
    ck_assert_uint_eq(caller.value[32], 0x8888);
    ck_assert_uint_eq(caller.value[30], 0x8888);
    ck_assert_uint_eq(caller.value[29], 0x4746454443424140); /* fp at CFA - 16 */
    ck_assert(info.ra_signed);
    dmpi_elf_free(e);
}
END_TEST

int main(void)
{
    Suite *const s = suite_create("elf");
    TCase *tc = tcase_create("files");
    tcase_add_test(tc, system_files);
    tcase_add_test(tc, own_symbols);
    tcase_add_test(tc, live_unwind);
    suite_add_tcase(s, tc);
    tc = tcase_create("cfi");
    tcase_add_test(tc, synthetic_rows);
    tcase_add_test(tc, rules_of_every_kind);
    tcase_add_test(tc, plt_expression);
    tcase_add_test(tc, expression_ops);
    tcase_add_test(tc, hostile_programs);
    tcase_add_test(tc, eh_frame_hdr);
    tcase_add_test(tc, hostile_cfi);
    tcase_add_test(tc, hostile_headers);
    tcase_add_test(tc, arm64_rules);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
