/* test_model.c - random range sets checked against a naive byte-by-byte oracle.
 * SPDX-License-Identifier: MIT
 *
 * Each round builds a dump of one to three memory lists with random ranges (overlapping,
 * adjacent, gapped, zero-size, some wrapping past 2^64, the last list sometimes cut short by
 * EOF) in a small window of the address space, then checks reads, coverage queries and the
 * index against an oracle that knows only how the dump was built: the owner of a byte is the
 * first descriptor, in directory then list order, whose bytes cover it and lie in the file.
 * Two thirds of the rounds make every list sorted and disjoint on its own, so the lists
 * interleave cleanly (the library's merge path) or collide somewhere in the merge.
 * The seed is printed on failure; DMPREAD_SEED=N reruns one.
 */
#include "seeded.h"
#include "suite.h"

#include <string.h>

#define SPACE 2048 /* bytes of address space each round works in */
#define MAX_DESCS 48
#define ROUNDS 300
#define READS 200

struct model_desc {
    uint64_t addr;
    uint64_t size;
    uint64_t off; /* where the builder put its payload */
    uint32_t stream;
    uint32_t index;
    uint8_t tag;
};

struct model {
    uint64_t base; /* the window is [base, base + SPACE) */
    struct model_desc d[MAX_DESCS];
    size_t n;
    uint64_t file_len;
};

/* The oracle: the descriptor owning addr, or NULL. */
static const struct model_desc *owner(const struct model *m, uint64_t addr)
{
    for (size_t i = 0; i < m->n; i++) {
        const struct model_desc *d = &m->d[i];
        if (d->size == 0 || d->size - 1 > UINT64_MAX - d->addr || d->off >= m->file_len)
            continue;
        const uint64_t kept = d->size < m->file_len - d->off ? d->size : m->file_len - d->off;
        if (addr - d->addr < kept)
            return d;
    }
    return NULL;
}

static uint64_t pick_addr(const struct model *m)
{
    return m->base + below(SPACE);
}

/* How a round lays out its lists. */
enum layout {
    LAYOUT_RANDOM, /* anything: overlaps, zero sizes, wrapping, abutting */
    LAYOUT_SORTED, /* each list sorted and disjoint; lists may abut, interleave or overlap */
    LAYOUT_GRID,   /* list L uses slots L, L + lists, ...: sorted lists that interleave
                      without touching, except one range in some rounds moved a slot up */
};

#define SLOT 40 /* bytes per slot in the sorted layouts */

/* Adds list number `which` of `lists`; records the descriptors in the model. In the sorted
 * layouts each range is 1 to SLOT bytes inside one slot and the next range starts a slot or
 * more later, so the list is sorted and disjoint. */
static void add_list(struct model *m, struct mkdump *b, bool mem64, enum layout layout,
                     uint64_t which, uint64_t lists)
{
    struct mkd_range r[16];
    size_t n = 1 + below(16); /* three lists of at most 16 fit MAX_DESCS */
    const uint64_t step = layout == LAYOUT_GRID ? lists : 1;
    uint64_t slot = layout == LAYOUT_GRID ? which : below(4);
    /* the last slot used stays below SPACE / SLOT = 51: at most slot + 4 * step * (n - 1) */
    while (layout != LAYOUT_RANDOM && n > 1 && slot + 4 * step * (n - 1) >= SPACE / SLOT - 1)
        n--;
    const size_t moved = layout == LAYOUT_GRID && below(3) == 0 ? below(n) : n;
    const uint64_t list_off = mkd_size(b);
    const uint64_t head = mem64 ? 16 : 4;
    uint64_t payload = list_off + head + 16 * n;
    const uint32_t stream = (uint32_t)(m->n ? m->d[m->n - 1].stream + 1 : 0);
    for (size_t i = 0; i < n; i++) {
        const unsigned shape = (unsigned)below(8);
        uint64_t addr = pick_addr(m), size = below(200);
        if (layout != LAYOUT_RANDOM) {
            const uint64_t at = slot + (i == moved); /* a moved range may meet another list */
            addr = m->base + at * SLOT + (below(2) ? 0 : below(SLOT / 2));
            size = 1 + below(SLOT - (addr - m->base) % SLOT);
            slot += step * (1 + below(4));
        } else if (shape == 0)
            size = 0;
        else if (shape == 1 && m->n > 0) { /* abut an earlier range */
            const struct model_desc *prev = &m->d[below(m->n)];
            addr = prev->addr + prev->size;
        } else if (shape == 2)
            size = 1 + below(8);
        r[i] = (struct mkd_range){addr, size, (uint8_t)m->n, false, 0};
        m->d[m->n] = (struct model_desc){addr, size, payload, stream, (uint32_t)i, (uint8_t)m->n};
        payload += size;
        m->n++;
    }
    if (mem64)
        mkd_add_memory64_list(b, r, n);
    else
        mkd_add_memory_list(b, r, n, false);
}

/* Checks one read against the oracle. */
static void check_read(const dmp_file *f, const struct model *m, uint64_t addr, size_t len,
                       uint64_t seed)
{
    uint8_t buf[320], want[320];
    memset(buf, 0xee, sizeof buf);
    bool ok = true;
    uint64_t missing = 0;
    for (size_t i = 0; i < len; i++) {
        const struct model_desc *d = owner(m, addr + i);
        if (!d) {
            ok = false;
            missing = addr + i;
            break;
        }
        want[i] = mkd_byte(d->tag, addr + i);
    }
    size_t got = 999;
    const dmp_status st = dmp_read_memory(f, addr, buf, len, &got);
    uint64_t m2 = 0;
    const dmp_status st2 = dmp_find_uncovered(f, addr, len, &m2);
    if (len > 0 && len - 1 > UINT64_MAX - addr) {
        expect(st == DMP_E_WRAP && st2 == DMP_E_WRAP, "seed %llu: wrap at 0x%llx+%zu",
               (unsigned long long)seed, (unsigned long long)addr, len);
        return;
    }
    expect(st == (ok ? DMP_OK : DMP_E_UNMAPPED),
           "seed %llu: read 0x%llx+%zu gave %d, oracle says %s", (unsigned long long)seed,
           (unsigned long long)addr, len, st, ok ? "covered" : "not covered");
    expect(got == (ok ? len : 0), "seed %llu: bytes_read", (unsigned long long)seed);
    if (ok) {
        expect(memcmp(buf, want, len) == 0, "seed %llu: bytes of 0x%llx+%zu differ",
               (unsigned long long)seed, (unsigned long long)addr, len);
        expect(st2 == DMP_OK, "seed %llu: find_uncovered on a covered range",
               (unsigned long long)seed);
        return;
    }
    for (size_t i = 0; i < sizeof buf; i++)
        expect(buf[i] == 0xee, "seed %llu: failed read wrote", (unsigned long long)seed);
    expect(st2 == DMP_E_UNMAPPED, "seed %llu: find_uncovered status %d", (unsigned long long)seed,
           st2);
    expect(m2 == missing, "seed %llu: first missing 0x%llx, oracle 0x%llx",
           (unsigned long long)seed, (unsigned long long)m2, (unsigned long long)missing);
}

/* Every index entry's bytes belong to the descriptor it names; entries are sorted and
 * disjoint; every owned byte of the window is in some entry. */
static void check_index(const dmp_file *f, const struct model *m, uint64_t seed)
{
    uint64_t covered = 0, prev_end = 0;
    for (size_t i = 0; i < dmp_range_count(f); i++) {
        dmp_range r;
        expect(dmp_range_get(f, i, &r) == DMP_OK, "range_get");
        expect(r.size > 0, "seed %llu: empty entry", (unsigned long long)seed);
        expect(i == 0 || r.addr >= prev_end, "seed %llu: entries overlap or unsorted",
               (unsigned long long)seed);
        prev_end = r.addr + r.size;
        for (uint64_t k = 0; k < r.size; k++) {
            const struct model_desc *d = owner(m, r.addr + k);
            expect(d && d->stream == r.stream_index && d->index == r.descriptor,
                   "seed %llu: byte 0x%llx attributed to the wrong descriptor",
                   (unsigned long long)seed, (unsigned long long)(r.addr + k));
            expect(((const uint8_t *)r.data)[k] == mkd_byte(d->tag, r.addr + k),
                   "seed %llu: data pointer of entry %zu", (unsigned long long)seed, i);
        }
        covered += r.size;
    }
    /* Abutting ranges can chain past the window, so count per descriptor what it owns. */
    uint64_t owned = 0;
    for (size_t i = 0; i < m->n; i++)
        for (uint64_t k = 0; k < m->d[i].size; k++)
            owned += owner(m, m->d[i].addr + k) == &m->d[i];
    expect(covered == owned, "seed %llu: index covers %llu bytes, oracle %llu",
           (unsigned long long)seed, (unsigned long long)covered, (unsigned long long)owned);
}

static void check_readable_len(const dmp_file *f, const struct model *m, uint64_t addr,
                               uint64_t seed)
{
    uint64_t want = 0;
    /* The run stops at 2^64: addr + want must not wrap round to the bottom ranges. */
    while (want < 4 * SPACE && !(want > 0 && addr + want == 0) && owner(m, addr + want))
        want++;
    expect(dmp_readable_len(f, addr) == want, "seed %llu: readable_len(0x%llx) %llu vs %llu",
           (unsigned long long)seed, (unsigned long long)addr,
           (unsigned long long)dmp_readable_len(f, addr), (unsigned long long)want);
}

static void run_round(uint64_t seed, void *arg)
{
    (void)arg;
    struct model m = {0};
    /* Half the rounds work at the top of the address space, where ranges end at 2^64. */
    m.base = below(2) ? 0x10000 : (uint64_t)0 - SPACE;
    struct mkdump *b = mkd_new(0);
    const size_t lists = 1 + below(3);
    const enum layout layout = (enum layout)below(3);
    for (size_t i = 0; i < lists; i++)
        add_list(&m, b, below(2) == 1, layout, i, lists);
    size_t len;
    mkd_finish(b, &len);
    m.file_len = len;
    /* Sometimes cut into the payload of the last list. */
    const uint64_t last_payload = m.d[m.n - 1].off + m.d[m.n - 1].size;
    if (below(3) == 0 && m.n > 0) {
        const struct model_desc *d = &m.d[m.n - 1 - below(m.n < 4 ? m.n : 4)];
        if (d->stream == m.d[m.n - 1].stream && d->off < last_payload)
            m.file_len = d->off + below(last_payload - d->off);
    }
    dmp_file *f = open_prefix(b, (size_t)m.file_len);
    check_index(f, &m, seed);
    for (int i = 0; i < READS; i++) {
        const uint64_t addr = below(4) == 0 ? m.d[below(m.n)].addr : pick_addr(&m) - 64;
        check_read(f, &m, addr, (size_t)below(300), seed);
        check_readable_len(f, &m, addr, seed);
    }
    dmp_close(f);
    mkd_free(b);
}

START_TEST(random_ranges_match_oracle)
{
    run_seeded("test_model", ROUNDS, run_round, NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("oracle");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, random_ranges_match_oracle);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
