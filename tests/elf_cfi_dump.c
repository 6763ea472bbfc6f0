/* elf_cfi_dump.c - prints what src/image/elf.c and dwarf.c make of an ELF file, in a plain
 * form tests/differential/elf_cfi_diff.py compares with readelf's.
 * SPDX-License-Identifier: MIT
 *
 * usage: elf_cfi_dump FILE info       cpu, load vaddr, build id, whether there is CFI
 *        elf_cfi_dump FILE fdes       every FDE range: "START LEN" in hex
 *        elf_cfi_dump FILE rows       for each hex pc on stdin, the row covering it:
 *            "PC ok LOC cfa=rN+OFF|exp ra=N [COL=RULE ...]" or "PC STATUS"
 *        elf_cfi_dump FILE syms       for each hex vaddr on stdin: "VADDR SYMVADDR NAME" or
 *            "VADDR -"
 * Rules are readelf's notation: u (undefined), s (same value), c+N (saved at CFA+N), v+N
 * (value CFA+N), rN (in register N), exp, vexp; columns without a rule are left out.
 */
#define _POSIX_C_SOURCE 200809L

#include "image/elf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *const fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    size_t cap = 1 << 20, n = 0;
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

static void print_rule(unsigned col, const struct dmpi_cfi_rule *r)
{
    switch (r->kind) {
    case DMPI_CFI_UNDEFINED:
        printf(" %u=u", col);
        break;
    case DMPI_CFI_SAME:
        printf(" %u=s", col);
        break;
    case DMPI_CFI_OFFSET:
        printf(" %u=c%+" PRId64, col, r->offset);
        break;
    case DMPI_CFI_VAL_OFFSET:
        printf(" %u=v%+" PRId64, col, r->offset);
        break;
    case DMPI_CFI_REGISTER:
        printf(" %u=r%u", col, (unsigned)r->reg);
        break;
    case DMPI_CFI_EXPR:
        printf(" %u=exp", col);
        break;
    case DMPI_CFI_VAL_EXPR:
        printf(" %u=vexp", col);
        break;
    default:
        break;
    }
}

static void rows(const struct dmpi_elf *e)
{
    char line[64];
    while (fgets(line, sizeof line, stdin)) {
        const uint64_t pc = strtoull(line, NULL, 16);
        struct dmpi_cfi_row row;
        const dmp_status st = dmpi_elf_cfi_row(e, pc, &row);
        if (st != DMP_OK) {
            printf("%" PRIx64 " %s\n", pc, st == DMP_E_NOT_FOUND ? "none" : "bad");
            continue;
        }
        printf("%" PRIx64 " ok %" PRIx64, pc, row.loc);
        if (!row.has_cfa)
            printf(" cfa=none");
        else if (row.cfa_is_expr)
            printf(" cfa=exp");
        else
            printf(" cfa=r%u%+" PRId64, (unsigned)row.cfa_reg, row.cfa_offset);
        printf(" ra=%u", (unsigned)row.ra_column);
        for (unsigned col = 0; col < DMPI_CFI_COLUMNS; col++)
            print_rule(col, &row.rules[col]);
        printf("\n");
    }
}

static void syms(const struct dmpi_elf *e)
{
    char line[64];
    while (fgets(line, sizeof line, stdin)) {
        const uint64_t vaddr = strtoull(line, NULL, 16);
        const char *name;
        size_t len;
        uint64_t at;
        if (dmpi_elf_symbol(e, vaddr, &name, &len, &at))
            printf("%" PRIx64 " %" PRIx64 " %.*s\n", vaddr, at, (int)len, name);
        else
            printf("%" PRIx64 " -\n", vaddr);
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: elf_cfi_dump FILE info|fdes|rows|syms\n");
        return 2;
    }
    size_t len = 0;
    uint8_t *const data = read_all(argv[1], &len);
    if (!data) {
        fprintf(stderr, "elf_cfi_dump: cannot read %s\n", argv[1]);
        return 1;
    }
    struct dmpi_elf *e = NULL;
    char why[200];
    const dmp_status st = dmpi_elf_open(data, len, &e, why, sizeof why);
    if (st != DMP_OK) {
        fprintf(stderr, "elf_cfi_dump: %s: %s (%s)\n", argv[1], dmp_strerror(st), why);
        free(data);
        return 1;
    }
    if (strcmp(argv[2], "info") == 0) {
        const uint8_t *id;
        size_t id_len;
        printf("cpu %s\nload_vaddr %" PRIx64 "\ncfi %d\nbuild_id ", dmp_cpu_name(dmpi_elf_cpu(e)),
               dmpi_elf_load_vaddr(e), dmpi_elf_has_cfi(e));
        if (dmpi_elf_build_id(e, &id, &id_len))
            for (size_t i = 0; i < id_len; i++)
                printf("%02x", id[i]);
        printf("\n");
    } else if (strcmp(argv[2], "fdes") == 0) {
        uint64_t start, n;
        for (size_t i = 0; dmpi_elf_fde_get(e, i, &start, &n); i++)
            printf("%" PRIx64 " %" PRIx64 "\n", start, n);
    } else if (strcmp(argv[2], "rows") == 0) {
        rows(e);
    } else if (strcmp(argv[2], "syms") == 0) {
        syms(e);
    }
    dmpi_elf_free(e);
    free(data);
    return 0;
}
