/* fuzz_elf.c - libFuzzer harness for the ELF reader and the DWARF CFI unwinder
 * (src/image/elf.c, dwarf.c): opens the input as an ELF file, then looks up rows, unwinds and
 * looks up symbols at PCs taken from its FDEs and from the input.
 * SPDX-License-Identifier: MIT
 *
 * After a successful open: the build id and every symbol name must lie inside the input (the
 * reader copies nothing); each FDE (the first MAX_FDES) is unwound at its start, middle and last
 * byte, and MAX_RANDOM_PCS more PCs come from a PRNG seeded with the input. The registers are
 * all valid, with values near MEM_BASE, where the memory callback serves the input's own bytes;
 * reads elsewhere fail. Each unwind must return a documented status; on DMP_OK the caller's
 * set has the callee's CPU, a valid stack pointer, and a valid pc unless it is the outermost
 * frame; the memory reads of one unwind stay under the bound the CFI caps allow (no unwind may
 * loop). A failed open must explain itself in why[].
 */
#include "harness.h"

#include "image/elf.h"

#include <stdbool.h>
#include <string.h>

#define MAX_FDES 64
#define MAX_RANDOM_PCS 16
#define MEM_BASE UINT64_C(0x10000)
/* Reads one unwind may make: each column's rule, the CFA and the RA, each an expression of at
 * most DMPI_CFI_MAX_EXPR_STEPS steps (one read each) plus a final read. */
#define MAX_READS ((uint64_t)(DMPI_CFI_COLUMNS + 2) * (DMPI_CFI_MAX_EXPR_STEPS + 1))

struct mem {
    const uint8_t *data;
    size_t len;
    uint64_t reads;
};

static dmp_status read_input(void *ctx, uint64_t addr, void *dst, size_t len, size_t *bytes_read)
{
    struct mem *const m = ctx;
    m->reads++;
    const uint64_t off = addr - MEM_BASE;
    if (addr < MEM_BASE || off > m->len || len > m->len - off)
        return DMP_E_UNMAPPED;
    memcpy(dst, m->data + off, len);
    if (bytes_read)
        *bytes_read = len;
    return DMP_OK;
}

static bool inside(const void *p, size_t n, const uint8_t *data, size_t len)
{
    const uint8_t *const q = p;
    return q >= data && (size_t)(q - data) <= len && n <= len - (size_t)(q - data);
}

static void check_symbol(const struct dmpi_elf *e, uint64_t vaddr, const uint8_t *data, size_t len)
{
    const char *name;
    size_t name_len;
    uint64_t at;
    if (!dmpi_elf_symbol(e, vaddr, &name, &name_len, &at))
        return;
    CHECK(inside(name, name_len, data, len), "symbol name outside the input");
    CHECK(memchr(name, 0, name_len) == NULL, "symbol name holds a NUL");
    CHECK(at <= vaddr, "symbol at %llx above %llx", (ull)at, (ull)vaddr);
}

static void unwind_at(const struct dmpi_elf *e, uint64_t pc, uint64_t *rng, struct mem *m)
{
    struct dmpi_cfi_row row;
    const dmp_status rs = dmpi_elf_cfi_row(e, pc, &row);
    CHECK(rs == DMP_OK || rs == DMP_E_NOT_FOUND || rs == DMP_E_MALFORMED, "row: status %d",
          (int)rs);
    if (rs == DMP_OK)
        CHECK(pc - row.fde_start < row.fde_len && row.loc - row.fde_start <= pc - row.fde_start,
              "row at %llx for pc %llx outside its FDE", (ull)row.loc, (ull)pc);
    const dmp_cpu cpu = dmpi_elf_cpu(e) == DMP_CPU_UNKNOWN ? DMP_CPU_AMD64 : dmpi_elf_cpu(e);
    dmp_regs callee = {.cpu = cpu, .valid = UINT64_MAX};
    for (unsigned i = 0; i < DMP_REGS_MAX; i++)
        callee.value[i] = MEM_BASE + fuzz_rand(rng) % (m->len + 64);
    callee.value[dmp_reg_ip(cpu)] = pc;
    dmp_regs caller;
    struct dmpi_elf_frame info;
    m->reads = 0;
    const uint64_t bias = fuzz_rand(rng) & 0xffff;
    const dmp_memory mem = {read_input, m};
    const dmp_status st = dmpi_elf_unwind_ex(e, pc, bias, &callee, mem, &caller, &info);
    CHECK(st == DMP_OK || st == DMP_E_NOT_FOUND || st == DMP_E_MALFORMED || st == DMP_E_UNMAPPED,
          "unwind: status %d", (int)st);
    CHECK(m->reads <= MAX_READS, "unwind made %llu reads", (ull)m->reads);
    if (st != DMP_OK)
        return;
    CHECK(caller.cpu == cpu, "caller cpu %d", (int)caller.cpu);
    CHECK(caller.valid >> dmp_reg_sp(cpu) & 1, "caller without sp");
    CHECK(info.outermost == !(caller.valid >> dmp_reg_ip(cpu) & 1), "pc validity vs outermost");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dmpi_elf *e = NULL;
    char why[128];
    memset(why, 'x', sizeof why);
    const dmp_status st = dmpi_elf_open(data, size, &e, why, sizeof why);
    if (st != DMP_OK) {
        CHECK(st == DMP_E_MALFORMED || st == DMP_E_NOMEM, "open: status %d", (int)st);
        CHECK(st != DMP_E_MALFORMED || (memchr(why, 0, sizeof why) && why[0] != '\0'),
              "no reason given");
        return 0;
    }
    const uint8_t *id;
    size_t id_len;
    if (dmpi_elf_build_id(e, &id, &id_len))
        CHECK(inside(id, id_len, data, size) && id_len > 0, "build id outside the input");
    uint64_t rng = fuzz_hash(data, size);
    struct mem m = {data, size, 0};
    const size_t n = dmpi_elf_fde_count(e);
    for (size_t i = 0; i < n && i < MAX_FDES; i++) {
        uint64_t start, len;
        CHECK(dmpi_elf_fde_get(e, i, &start, &len), "FDE %zu of %zu missing", i, n);
        unwind_at(e, start, &rng, &m);
        unwind_at(e, start + len / 2, &rng, &m);
        unwind_at(e, start + len - 1, &rng, &m);
        check_symbol(e, start, data, size);
    }
    uint64_t start, len;
    CHECK(!dmpi_elf_fde_get(e, n, &start, &len), "an FDE past the count");
    for (int i = 0; i < MAX_RANDOM_PCS; i++) {
        const uint64_t pc = dmpi_elf_load_vaddr(e) + fuzz_rand(&rng) % (size + 1);
        unwind_at(e, pc, &rng, &m);
        check_symbol(e, pc, data, size);
    }
    dmpi_elf_free(e);
    return 0;
}
