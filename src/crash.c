/* crash.c - the crash at a glance: the dump's CPU, the crashing exception, its name, thread
 * and registers, from the decoded streams.
 * SPDX-License-Identifier: MIT
 *
 * Nothing here reads the file: these are the joins every embedder (and `dmpread info`) would
 * otherwise write over the public accessors, kept to their contracts.
 */
#include "internal.h"

#include <string.h>

/* What a ProcessorArchitecture says of the process's memory. */
struct arch_fact {
    uint16_t arch;
    dmp_cpu cpu;
    uint8_t pointer_size;
    uint8_t big_endian;
};

/* SPARC is left out: Breakpad's context for it has 64-bit registers, but says nothing of the
 * process's address width. MIPS dumps come from Linux and Android on mipsel. */
static const struct arch_fact arch_facts[] = {
    {DMP_ARCH_X86, DMP_CPU_X86, 4, 0},
    {DMP_ARCH_MIPS, DMP_CPU_UNKNOWN, 4, 0},
    {DMP_ARCH_PPC, DMP_CPU_UNKNOWN, 4, 1},
    {DMP_ARCH_ARM, DMP_CPU_ARM, 4, 0},
    {DMP_ARCH_IA64, DMP_CPU_UNKNOWN, 8, 0},
    {DMP_ARCH_AMD64, DMP_CPU_AMD64, 8, 0},
    {DMP_ARCH_X86_ON_WIN64, DMP_CPU_X86, 4, 0}, /* a 32-bit process under WOW64 */
    {DMP_ARCH_ARM64, DMP_CPU_ARM64, 8, 0},
    {DMP_ARCH_PPC64, DMP_CPU_UNKNOWN, 8, 1},
    {DMP_ARCH_ARM64_BREAKPAD, DMP_CPU_ARM64, 8, 0},
    {DMP_ARCH_MIPS64, DMP_CPU_UNKNOWN, 8, 0},
    {DMP_ARCH_RISCV, DMP_CPU_UNKNOWN, 4, 0},
    {DMP_ARCH_RISCV64, DMP_CPU_UNKNOWN, 8, 0},
};

/* Decodes a context record into *ctx only when it decodes (dmp_context_decode writes its
 * output even when it fails). */
static bool decode_into(const dmp_file *f, const void *data, uint32_t size, dmp_context *ctx)
{
    dmp_context c;
    if (!data || dmp_context_decode(f, data, size, &c) != DMP_OK)
        return false;
    *ctx = c;
    return true;
}

static dmp_context_source fault_context(const dmp_file *f, const dmp_exception *e, dmp_context *ctx)
{
    if (decode_into(f, e->context, e->context_size, ctx))
        return DMP_CONTEXT_EXCEPTION;
    size_t index;
    dmp_thread t;
    if (dmp_thread_find(f, e->thread_id, &index) == DMP_OK &&
        dmp_thread_get(f, index, &t) == DMP_OK && decode_into(f, t.context, t.context_size, ctx))
        return DMP_CONTEXT_THREAD;
    return DMP_CONTEXT_NONE;
}

/* The CPU of the first context that decodes: the crash's, then each thread's. */
static dmp_cpu context_cpu(const dmp_file *f)
{
    dmp_exception e;
    dmp_context ctx;
    if (dmp_exception_get(f, 0, &e) == DMP_OK && fault_context(f, &e, &ctx) != DMP_CONTEXT_NONE)
        return ctx.cpu;
    dmp_thread t;
    for (size_t i = 0; dmp_thread_get(f, i, &t) == DMP_OK; i++)
        if (decode_into(f, t.context, t.context_size, &ctx))
            return ctx.cpu;
    return DMP_CPU_UNKNOWN;
}

dmp_status dmp_get_arch(const dmp_file *f, dmp_arch_info *out)
{
    if (!f || !out)
        return DMP_E_INVALID_ARG;
    dmp_system_info si;
    const uint32_t arch = dmp_get_system_info(f, &si) == DMP_OK ? si.arch : DMP_ARCH_UNKNOWN;
    for (size_t i = 0; i < sizeof arch_facts / sizeof arch_facts[0]; i++) {
        if (arch_facts[i].arch == arch) {
            *out = (dmp_arch_info){.arch = arch,
                                   .cpu = arch_facts[i].cpu,
                                   .pointer_size = arch_facts[i].pointer_size,
                                   .big_endian = arch_facts[i].big_endian};
            return DMP_OK;
        }
    }
    /* Every context layout we decode is of a little-endian CPU. */
    const dmp_cpu cpu = context_cpu(f);
    if (cpu == DMP_CPU_UNKNOWN)
        return DMP_E_NOT_FOUND;
    *out = (dmp_arch_info){.arch = arch,
                           .cpu = cpu,
                           .pointer_size = cpu == DMP_CPU_X86 || cpu == DMP_CPU_ARM ? 4 : 8,
                           .from_context = 1};
    return DMP_OK;
}

const char *dmp_context_source_name(dmp_context_source source)
{
    switch (source) {
    case DMP_CONTEXT_EXCEPTION:
        return "exception";
    case DMP_CONTEXT_THREAD:
        return "thread";
    case DMP_CONTEXT_NONE:
        break;
    }
    return "none";
}

dmp_status dmp_exception_context(const dmp_file *f, size_t i, dmp_context *ctx,
                                 dmp_context_source *source)
{
    if (!f || !ctx)
        return DMP_E_INVALID_ARG;
    dmp_exception e;
    if (dmp_exception_get(f, i, &e) != DMP_OK)
        return DMP_E_NOT_FOUND;
    const dmp_context_source src = fault_context(f, &e, ctx);
    if (src == DMP_CONTEXT_NONE)
        return DMP_E_NOT_FOUND;
    if (source)
        *source = src;
    return DMP_OK;
}

const char *dmp_exception_name(const dmp_file *f, uint32_t code)
{
    dmp_system_info si;
    /* An unknown platform gets the NTSTATUS names, which no signal number collides with. */
    const uint32_t platform = f && dmp_get_system_info(f, &si) == DMP_OK ? si.platform : UINT32_MAX;
    return dmp_exception_code_name(code, platform);
}

dmp_status dmp_get_crash(const dmp_file *f, dmp_crash *out)
{
    if (!f || !out)
        return DMP_E_INVALID_ARG;
    dmp_exception e;
    if (dmp_exception_get(f, 0, &e) != DMP_OK) {
        size_t index;
        return dmp_stream_find(f, DMP_STREAM_EXCEPTION, 0, &index) == DMP_OK ? DMP_E_MALFORMED
                                                                             : DMP_E_ABSENT;
    }
    memset(out, 0, sizeof *out);
    out->exception = e;
    out->name = dmp_exception_name(f, e.code);
    out->has_thread = dmp_thread_find(f, e.thread_id, &out->thread_index) == DMP_OK;
    out->context_source = fault_context(f, &e, &out->context);
    return DMP_OK;
}
