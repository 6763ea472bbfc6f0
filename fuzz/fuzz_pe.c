/* fuzz_pe.c - libFuzzer harness for PE images (src/image/pe.c): headers, exports and Windows
 * x64 unwinding, over a file and over an image loaded in a dump's memory.
 * SPDX-License-Identifier: MIT
 *
 * Input: the PE file itself. The PRNG is seeded from it. The same bytes are also the "loaded"
 * image at BASE (as a dump would hold it) and the stack at STACK, so unwind codes read words
 * the fuzzer controls; reads elsewhere fail.
 *
 * For both the file and the loaded image: open; look up export names at addresses near every
 * export and at random (a name is NUL-terminated, within the buffer, ASCII, and starts at or
 * before the address); unwind from every RUNTIME_FUNCTION's start, end and middle and from
 * random addresses, as the context frame and as a caller, with all registers valid and with
 * some invalid. Each unwind runs twice and must answer the same; on success the caller's
 * registers are only RIP, RSP and the non-volatile ones, RSP is valid, and *leaf and
 * *interrupted are never both set.
 */
#include "harness.h"

#include "image/image.h"

#include <string.h>

#define BASE UINT64_C(0x140000000)
#define STACK UINT64_C(0x7ff000000000)
#define MAX_PROBES 256

struct input {
    const uint8_t *data;
    size_t size;
};

static dmp_status read_input(void *ctx, uint64_t addr, void *dst, size_t len, size_t *got)
{
    const struct input *const in = ctx;
    if (got)
        *got = 0;
    uint64_t off;
    if (addr >= BASE && addr - BASE < in->size)
        off = addr - BASE;
    else if (addr >= STACK && addr - STACK < in->size)
        off = addr - STACK;
    else
        return DMP_E_UNMAPPED;
    if (len > in->size - off)
        return DMP_E_UNMAPPED;
    memcpy(dst, in->data + off, len);
    if (got)
        *got = len;
    return DMP_OK;
}

enum { RBX = 3, RSI = 4, RDI = 5, RBP = 6, RSP = 7, R12 = 12, RIP = 16 };

static const uint64_t allowed = (uint64_t)1 << RBX | (uint64_t)1 << RSI | (uint64_t)1 << RDI |
                                (uint64_t)1 << RBP | (uint64_t)0xf << R12 | (uint64_t)1 << RSP |
                                (uint64_t)1 << RIP;

static void check_unwind(const struct dmpi_pe *pe, dmp_memory mem, uint64_t ip, bool exact,
                         uint64_t *rng)
{
    dmp_regs callee = {.cpu = DMP_CPU_AMD64};
    for (unsigned r = 0; r <= RIP; r++) {
        callee.value[r] = fuzz_rand(rng) & 1 ? STACK + (fuzz_rand(rng) & 0xfff8) : fuzz_rand(rng);
        callee.valid |= (uint64_t)1 << r;
    }
    if (fuzz_rand(rng) % 4 == 0)
        callee.valid &= fuzz_rand(rng);
    callee.value[RIP] = ip;
    callee.value[RSP] = STACK + (fuzz_rand(rng) & 0xff8);
    const uint64_t lookup = exact ? ip : ip - 1;
    dmp_regs a, b;
    bool leaf_a, leaf_b, int_a, int_b;
    memset(&a, 0x5a, sizeof a);
    memset(&b, 0x5a, sizeof b);
    const dmp_status ra =
        dmpi_pe_unwind_x64(pe, ip, lookup, exact, &callee, mem, &a, &leaf_a, &int_a);
    const dmp_status rb =
        dmpi_pe_unwind_x64(pe, ip, lookup, exact, &callee, mem, &b, &leaf_b, &int_b);
    CHECK(ra == rb, "unwind at 0x%llx: status %d then %d", (ull)ip, (int)ra, (int)rb);
    CHECK(ra == DMP_OK || ra == DMP_E_NOT_FOUND || ra == DMP_E_MALFORMED || ra == DMP_E_UNMAPPED,
          "unwind at 0x%llx: undocumented status %d", (ull)ip, (int)ra);
    if (ra != DMP_OK)
        return;
    CHECK(a.valid == b.valid && memcmp(a.value, b.value, sizeof a.value) == 0,
          "unwind at 0x%llx: two answers", (ull)ip);
    CHECK((a.valid & ~allowed) == 0, "unwind at 0x%llx: volatile registers 0x%llx valid", (ull)ip,
          (ull)(a.valid & ~allowed));
    CHECK(a.valid >> RSP & 1 && a.valid >> RIP & 1, "unwind at 0x%llx: no RSP or RIP", (ull)ip);
    CHECK(!(leaf_a && int_a), "unwind at 0x%llx: a leaf and interrupted", (ull)ip);
    CHECK(leaf_a == leaf_b && int_a == int_b, "unwind at 0x%llx: flags differ", (ull)ip);
}

static void check_export(const struct dmpi_pe *pe, const struct input *in, uint32_t rva)
{
    char name[64];
    memset(name, 0x5a, sizeof name);
    size_t len = SIZE_MAX;
    uint32_t start = 0;
    if (!dmpi_pe_export_name(pe, rva, name, sizeof name, &len, &start))
        return;
    CHECK(len > 0 && len < sizeof name && name[len] == '\0' && strlen(name) == len,
          "export at 0x%x: length %zu", rva, len);
    for (size_t i = 0; i < len; i++)
        CHECK(name[i] >= 0x20 && name[i] <= 0x7e, "export at 0x%x: byte 0x%02x", rva,
              (unsigned)(unsigned char)name[i]);
    CHECK(start <= rva, "export at 0x%x starts after it, at 0x%x", rva, start);
    (void)in;
}

static void exercise(const struct dmpi_pe *pe, const struct input *in, dmp_memory mem,
                     uint64_t *rng)
{
    CHECK(pe->section_count <= DMPI_PE_MAX_SECTIONS, "%zu sections", pe->section_count);
    CHECK(pe->pdata_size <= pe->image_size && pe->pdata_rva <= pe->image_size - pe->pdata_size,
          "exception directory 0x%x+0x%x outside the image 0x%x", pe->pdata_rva, pe->pdata_size,
          pe->image_size);
    for (size_t i = 1; i < pe->export_count; i++)
        CHECK(pe->exports[i - 1].rva < pe->exports[i].rva, "exports unsorted at %zu", i);
    for (size_t i = 0; i < pe->export_count && i < MAX_PROBES; i++) {
        check_export(pe, in, pe->exports[i].rva);
        check_export(pe, in, pe->exports[i].rva + (uint32_t)(fuzz_rand(rng) & 0xff));
    }
    for (int i = 0; i < 16; i++)
        check_export(pe, in, (uint32_t)fuzz_rand(rng));
    /* Unwinds at each RUNTIME_FUNCTION's edges and middle. */
    const size_t n = pe->pdata_size / 12;
    for (size_t i = 0; i < n && i < MAX_PROBES; i++) {
        uint8_t f[12];
        if (!dmpi_pe_read(pe, pe->pdata_rva + 12 * (uint64_t)i, f, sizeof f))
            break;
        const uint32_t begin = load_u32le(f), end = load_u32le(f + 4);
        const uint64_t at[3] = {begin, end - 1, begin + (end - begin) / 2};
        for (int k = 0; k < 3; k++) {
            check_unwind(pe, mem, BASE + at[k], true, rng);
            check_unwind(pe, mem, BASE + at[k] + 1, false, rng);
        }
    }
    for (int i = 0; i < 16; i++) {
        const uint64_t ip = BASE + (pe->image_size ? fuzz_rand(rng) % pe->image_size : 0);
        check_unwind(pe, mem, ip, fuzz_rand(rng) & 1, rng);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = {data, size};
    const dmp_memory mem = {read_input, &in};
    uint64_t rng = fuzz_hash(data, size < 64 ? size : 64);
    struct dmpi_pe pe;
    char why[160];
    memset(why, 0x5a, sizeof why);
    dmp_status rc = dmpi_pe_open_file(&pe, data, size, BASE, why, sizeof why);
    CHECK(rc == DMP_OK || rc == DMP_E_MALFORMED || rc == DMP_E_UNMAPPED || rc == DMP_E_NOMEM,
          "open file: status %d", (int)rc);
    if (rc == DMP_OK) {
        exercise(&pe, &in, mem, &rng);
        dmpi_pe_close(&pe);
    } else {
        CHECK(memchr(why, '\0', sizeof why) != NULL, "open file: the reason is not terminated");
    }
    rc = dmpi_pe_open_dump(&pe, mem, BASE, why, sizeof why);
    CHECK(rc == DMP_OK || rc == DMP_E_MALFORMED || rc == DMP_E_UNMAPPED || rc == DMP_E_NOMEM,
          "open loaded: status %d", (int)rc);
    if (rc == DMP_OK) {
        exercise(&pe, &in, mem, &rng);
        dmpi_pe_close(&pe);
    }
    return 0;
}
