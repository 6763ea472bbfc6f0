/* context.c - decodes thread context records (CONTEXT, Breakpad's MDRawContext*) by size and flags.
 * SPDX-License-Identifier: MIT
 *
 * A context record does not say which processor wrote it except through its size and its
 * ContextFlags, whose CPU bits sit in different places per family:
 *
 *   layout                        size  ContextFlags             CPU bits
 *   Windows x86 CONTEXT           716   u32 at 0                 0x00010000 (204: no
 *                                                                ExtendedRegisters)
 *   Windows AMD64 CONTEXT         1232  u32 at 0x30 (after       0x00100000
 *                                       P1Home..P6Home)
 *   Windows ARM CONTEXT           416   u32 at 0                 0x00200000
 *   ARM64 CONTEXT                 912   u32 at 0                 0x00400000 (Windows, and
 *                                                                Breakpad's MDRawContextARM64)
 *   Breakpad MDRawContextARM      368   u32 at 0                 0x40000000 (0x40 in old dumps)
 *   Breakpad MDRawContextARM64_Old 796  u64 at 0 (pack 4)        0x80000000
 *
 * The sizes are all distinct, so the size picks the layout and the flags confirm it. Two
 * things blur that: Windows writes x86 and AMD64 records with CONTEXT_XSTATE (0x40) longer
 * than the classic CONTEXT (CONTEXT_EX and the XSAVE area follow it; the classic part keeps
 * its layout), and some writers leave the CPU bits out. So each layout that could fit is
 * scored: the flags naming its CPU outrank SystemInfo agreeing, which outranks an exact size.
 * SystemInfo thus breaks ties only; a record whose flags carry no CPU bits is taken on its
 * size alone when SystemInfo is absent, and refused when SystemInfo names another CPU.
 * AMD64 records may also be shorter than 1232 bytes when their flags say AMD64 and they hold
 * every register decoded (through Rip): LLDB 16 writes 720-byte records, cut inside the FPU
 * area, with CONTROL | INTEGER | SEGMENTS.
 */
#include "internal.h"

#include <string.h>

#define CONTEXT_XSTATE 0x40u
#define WINDOWS_CPU_MASK 0x00ff0000u /* Windows keeps status bits above these */
#define BREAKPAD_CPU_MASK 0xffffff00u
#define BREAKPAD_ARM_OLD 0x40u

/* One register: its name and where it lies in the record. */
struct reg_field {
    const char *name;
    uint16_t off;
    uint8_t width; /* 2, 4 or 8 bytes */
};

/* One record layout: how to recognise it and which registers to take out. */
struct layout {
    dmp_cpu cpu;
    uint32_t size;
    uint16_t flags_off;
    uint32_t cpu_mask; /* (flags & cpu_mask) == cpu_bits: the flags name this layout */
    uint32_t cpu_bits;
    bool xstate; /* may be longer than `size` when CONTEXT_XSTATE is set */
    bool cut;    /* may be shorter, down to its last register, when the flags name the CPU */
    const struct reg_field *regs;
    size_t reg_count;
    uint8_t ip, sp, fp; /* indices into regs */
};

static const struct reg_field x86_regs[] = {
    {"eax", 0xb0, 4}, {"ebx", 0xa4, 4},    {"ecx", 0xac, 4}, {"edx", 0xa8, 4},
    {"esi", 0xa0, 4}, {"edi", 0x9c, 4},    {"ebp", 0xb4, 4}, {"esp", 0xc4, 4},
    {"eip", 0xb8, 4}, {"eflags", 0xc0, 4}, {"cs", 0xbc, 4},  {"ds", 0x98, 4},
    {"es", 0x94, 4},  {"fs", 0x90, 4},     {"gs", 0x8c, 4},  {"ss", 0xc8, 4},
};

static const struct reg_field amd64_regs[] = {
    {"rax", 0x78, 8}, {"rbx", 0x90, 8}, {"rcx", 0x80, 8},    {"rdx", 0x88, 8}, {"rsi", 0xa8, 8},
    {"rdi", 0xb0, 8}, {"rbp", 0xa0, 8}, {"rsp", 0x98, 8},    {"r8", 0xb8, 8},  {"r9", 0xc0, 8},
    {"r10", 0xc8, 8}, {"r11", 0xd0, 8}, {"r12", 0xd8, 8},    {"r13", 0xe0, 8}, {"r14", 0xe8, 8},
    {"r15", 0xf0, 8}, {"rip", 0xf8, 8}, {"eflags", 0x44, 4},
};

/* Windows' CONTEXT_ARM and Breakpad's MDRawContextARM agree up to cpsr. */
static const struct reg_field arm_regs[] = {
    {"r0", 0x04, 4},  {"r1", 0x08, 4},   {"r2", 0x0c, 4},  {"r3", 0x10, 4}, {"r4", 0x14, 4},
    {"r5", 0x18, 4},  {"r6", 0x1c, 4},   {"r7", 0x20, 4},  {"r8", 0x24, 4}, {"r9", 0x28, 4},
    {"r10", 0x2c, 4}, {"r11", 0x30, 4},  {"r12", 0x34, 4}, {"sp", 0x38, 4}, {"lr", 0x3c, 4},
    {"pc", 0x40, 4},  {"cpsr", 0x44, 4},
};

/* ARM64 CONTEXT and MDRawContextARM64_Old agree on x0..pc; cpsr moved to after pc. */
#define ARM64_X(n)                                                                                 \
    {                                                                                              \
        "x" #n, 8 + 8 * (n), 8                                                                     \
    }
#define ARM64_REGS(cpsr_off)                                                                       \
    {                                                                                              \
        ARM64_X(0), ARM64_X(1), ARM64_X(2), ARM64_X(3), ARM64_X(4), ARM64_X(5), ARM64_X(6),        \
            ARM64_X(7), ARM64_X(8), ARM64_X(9), ARM64_X(10), ARM64_X(11), ARM64_X(12),             \
            ARM64_X(13), ARM64_X(14), ARM64_X(15), ARM64_X(16), ARM64_X(17), ARM64_X(18),          \
            ARM64_X(19), ARM64_X(20), ARM64_X(21), ARM64_X(22), ARM64_X(23), ARM64_X(24),          \
            ARM64_X(25), ARM64_X(26), ARM64_X(27), ARM64_X(28), {"fp", 0xf0, 8}, {"lr", 0xf8, 8},  \
            {"sp", 0x100, 8}, {"pc", 0x108, 8}, {"cpsr", (cpsr_off), 4},                           \
    }
static const struct reg_field arm64_regs[] = ARM64_REGS(0x04);
static const struct reg_field arm64_old_regs[] = ARM64_REGS(0x110);

#define REGS(a) (a), sizeof(a) / sizeof((a)[0])

static const struct layout layouts[] = {
    {DMP_CPU_X86, 716, 0, WINDOWS_CPU_MASK, 0x00010000, true, false, REGS(x86_regs), 8, 7, 6},
    {DMP_CPU_X86, 204, 0, WINDOWS_CPU_MASK, 0x00010000, false, false, REGS(x86_regs), 8, 7, 6},
    {DMP_CPU_AMD64, 1232, 0x30, WINDOWS_CPU_MASK, 0x00100000, true, true, REGS(amd64_regs), 16, 7,
     6},
    {DMP_CPU_ARM, 416, 0, WINDOWS_CPU_MASK, 0x00200000, false, false, REGS(arm_regs), 15, 13, 11},
    {DMP_CPU_ARM64, 912, 0, WINDOWS_CPU_MASK, 0x00400000, false, false, REGS(arm64_regs), 32, 31,
     29},
    {DMP_CPU_ARM, 368, 0, BREAKPAD_CPU_MASK, 0x40000000, false, false, REGS(arm_regs), 15, 13, 11},
    {DMP_CPU_ARM64, 796, 0, BREAKPAD_CPU_MASK, 0x80000000, false, false, REGS(arm64_old_regs), 32,
     31, 29},
};

/* The CPU SystemInfo names, or DMP_CPU_UNKNOWN when there is none (or none we decode). */
static dmp_cpu system_cpu(const dmp_file *f)
{
    if (f->triage.system_status != DMP_OK)
        return DMP_CPU_UNKNOWN;
    switch (f->triage.system.arch) {
    case DMP_ARCH_X86:
    case DMP_ARCH_X86_ON_WIN64:
        return DMP_CPU_X86;
    case DMP_ARCH_AMD64:
        return DMP_CPU_AMD64;
    case DMP_ARCH_ARM:
        return DMP_CPU_ARM;
    case DMP_ARCH_ARM64:
    case DMP_ARCH_ARM64_BREAKPAD:
        return DMP_CPU_ARM64;
    default:
        return DMP_CPU_UNKNOWN;
    }
}

/* Whether the flags name this layout's CPU. Breakpad's first ARM value, 0x40, was taken from
 * Windows CE and collides with CONTEXT_XSTATE; it is only read that way in a 368-byte record. */
static bool flags_name(const struct layout *l, uint32_t flags)
{
    if ((flags & l->cpu_mask) == l->cpu_bits)
        return true;
    return l->cpu_bits == 0x40000000 && (flags & BREAKPAD_CPU_MASK) == 0 &&
           (flags & BREAKPAD_ARM_OLD) != 0;
}

/* Where the last register the layout decodes ends. */
static size_t regs_end(const struct layout *l)
{
    size_t end = 0;
    for (size_t i = 0; i < l->reg_count; i++)
        if (l->regs[i].off + (size_t)l->regs[i].width > end)
            end = l->regs[i].off + (size_t)l->regs[i].width;
    return end;
}

/* How well a layout explains the record: -1 when it cannot, else higher is better. */
static int score(const struct layout *l, const uint8_t *p, size_t size, dmp_cpu sys)
{
    const bool exact = size == l->size;
    if (size < (l->cut ? regs_end(l) : l->size) || (size > l->size && !l->xstate))
        return -1;
    const uint32_t flags = load_u32le(p + l->flags_off);
    const bool named = flags_name(l, flags);
    if (size > l->size && !(named && (flags & CONTEXT_XSTATE)))
        return -1; /* only a record that says it carries XSAVE data may be longer */
    if (size < l->size && !named)
        return -1; /* a record cut short (LLDB's 720-byte AMD64) must say what it is */
    if (!named && (flags & BREAKPAD_CPU_MASK) != 0)
        return -1; /* the flags name some other CPU */
    if (!named && sys != DMP_CPU_UNKNOWN && sys != l->cpu)
        return -1;
    return (named ? 4 : 0) + (sys == l->cpu ? 2 : 0) + (exact ? 1 : 0);
}

static void decode_with(const struct layout *l, const uint8_t *p, dmp_context *out)
{
    memset(out, 0, sizeof *out);
    out->cpu = l->cpu;
    out->flags = load_u32le(p + l->flags_off); /* the low half of ARM64_Old's u64 */
    out->reg_count = l->reg_count;
    for (size_t i = 0; i < l->reg_count; i++) {
        const struct reg_field *r = &l->regs[i];
        out->regs[i].name = r->name;
        out->regs[i].value = r->width == 8   ? load_u64le(p + r->off)
                             : r->width == 4 ? load_u32le(p + r->off)
                                             : load_u16le(p + r->off);
    }
    out->ip = out->regs[l->ip].value;
    out->sp = out->regs[l->sp].value;
    out->fp = out->regs[l->fp].value;
}

dmp_status dmp_context_decode(const dmp_file *f, const void *data, size_t size, dmp_context *out)
{
    if (!f || !data || !out)
        return DMP_E_INVALID_ARG;
    const uint8_t *const p = data;
    const dmp_cpu sys = system_cpu(f);
    const struct layout *best = NULL;
    int best_score = -1;
    for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++) {
        const int s = score(&layouts[i], p, size, sys);
        if (s > best_score) {
            best = &layouts[i];
            best_score = s;
        }
    }
    if (!best) {
        memset(out, 0, sizeof *out);
        out->cpu = DMP_CPU_UNKNOWN;
        return DMP_E_MALFORMED;
    }
    decode_with(best, p, out);
    return DMP_OK;
}

const char *dmp_cpu_name(dmp_cpu cpu)
{
    switch (cpu) {
    case DMP_CPU_X86:
        return "x86";
    case DMP_CPU_AMD64:
        return "amd64";
    case DMP_CPU_ARM:
        return "arm";
    case DMP_CPU_ARM64:
        return "arm64";
    default:
        return "unknown";
    }
}
