/* test_bigtier.c - the big tier (a large sorted Memory64 list indexed where it lies: blocks of
 * 16 pieces kept as 32-bit deltas, a radix table over the block starts) against the list it
 * was built from.
 * SPDX-License-Identifier: MIT
 *
 * Each round writes one sorted, disjoint Memory64 list of many blocks whose gaps mix every
 * scale: abutting pieces, small gaps, gaps of 4 GiB and more (a block's start deltas no longer
 * fit: the block is read from the descriptors), and clumps far apart (radix buckets from
 * empty to crowded). Some rounds add a stacks list beside it, in a gap or above everything;
 * some cut the file inside the last piece or drop a tail of descriptors past EOF. Every piece
 * is then asked for by position, by its first, last and a middle byte, by the bytes around
 * it, and read. A sparse file of more than 4 GiB covers the other far case: a block whose
 * file offsets run past 32 bits. The seed is printed; DMPREAD_SEED=N reruns one.
 */
#define _DEFAULT_SOURCE 1 /* mkstemp, pwrite, ftruncate */
#include "internal.h"
#include "seeded.h"
#include "suite.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define ROUNDS 60
#define MAX_PIECES 1200
#define STACKS 4

/* The gap before a piece: mostly small, sometimes none, sometimes past 32 bits, and now and
 * then a jump to a far clump. */
static uint64_t draw_gap(void)
{
    const uint64_t kind = below(100);
    if (kind < 30)
        return 0;
    if (kind < 97)
        return 1 + below(0x3000);
    if (kind < 99)
        return 0x100000000u + below(0x100000000u); /* a block holding it is far */
    return (uint64_t)1 << (36 + below(6));         /* another clump */
}

struct expect {
    uint64_t addr, size, off;
    uint8_t tag;
    bool stack;
    size_t descriptor;
};

static void expect_piece(const dmp_file *f, size_t pos, const struct expect *e, uint64_t seed)
{
    dmp_range r;
    ck_assert_int_eq(dmp_range_get(f, pos, &r), DMP_OK);
    ck_assert_msg(r.addr == e->addr && r.size == e->size && r.descriptor == e->descriptor,
                  "seed %llu piece %zu: got 0x%llx+0x%llx (descriptor %llu), want 0x%llx+0x%llx",
                  (unsigned long long)seed, pos, (unsigned long long)r.addr,
                  (unsigned long long)r.size, (unsigned long long)r.descriptor,
                  (unsigned long long)e->addr, (unsigned long long)e->size);
    ck_assert_uint_eq(r.stream_type, e->stack ? DMP_STREAM_MEMORY_LIST : DMP_STREAM_MEMORY64_LIST);
    if (!e->stack)
        ck_assert_uint_eq(r.file_offset, e->off);
    const uint64_t probes[3] = {e->addr, e->addr + e->size - 1, e->addr + e->size / 2};
    for (int p = 0; p < 3; p++) {
        size_t at = SIZE_MAX;
        ck_assert_msg(dmp_range_find(f, probes[p], &at) == DMP_OK && at == pos,
                      "seed %llu: 0x%llx found at %zu, want %zu", (unsigned long long)seed,
                      (unsigned long long)probes[p], at, pos);
        uint8_t byte = 0;
        ck_assert_int_eq(dmp_read_memory(f, probes[p], &byte, 1, NULL), DMP_OK);
        ck_assert_uint_eq(byte, mkd_byte(e->tag, probes[p]));
    }
    size_t at = SIZE_MAX;
    ck_assert_int_eq(dmp_range_next(f, e->addr - 1, &at), DMP_OK);
    ck_assert_uint_eq(at, pos);
}

/* What the rounds built, so the test can tell that they reached every path. A lookup weighs
 * the blocks of its bucket and the one before without a branch when they are at most five
 * (memindex.c's CANDIDATES): a bucket of one to four blocks; it searches them when there are
 * more (a crowded bucket). */
struct reach {
    size_t far_blocks, near_blocks, empty_buckets, few_buckets, crowded_buckets;
};

static void count_reach(const struct dmpi_bigtier *bt, struct reach *r)
{
    const size_t blocks = (bt->count + DMPI_BIG_BLOCK - 1) / DMPI_BIG_BLOCK;
    for (size_t b = 0; b < blocks; b++) {
        const uint8_t s = atomic_load(&bt->state[b]);
        ck_assert_msg(s == DMPI_BIG_NEAR || s == DMPI_BIG_FAR, "block %zu: state %u", b, s);
        s == DMPI_BIG_FAR ? r->far_blocks++ : r->near_blocks++;
    }
    for (size_t k = 0; k < bt->bucket_count; k++) {
        const uint32_t in = bt->bucket[k + 1] - bt->bucket[k];
        r->empty_buckets += in == 0;
        r->few_buckets += in >= 1 && in <= 4;
        r->crowded_buckets += in >= 5;
    }
}

static void run_round(uint64_t seed, void *arg)
{
    struct reach *const reach = arg;
    static struct mkd_range big[MAX_PIECES];
    static struct expect all[MAX_PIECES + STACKS];
    const size_t n = 17 + (size_t)below(MAX_PIECES - 17);
    uint64_t at = 0x10000 + below(0x10000);
    for (size_t k = 0; k < n; k++) {
        if (k > 0)
            at += draw_gap();
        const uint64_t size = 1 + below(48);
        big[k] = (struct mkd_range){at, size, (uint8_t)(1 + k % 200), false, 0};
        at += size;
    }
    /* Stacks: none, in the gap after a random piece, or above everything. */
    const unsigned stacks_where = (unsigned)below(3);
    struct mkd_range stacks[STACKS];
    size_t nstacks = 0;
    if (stacks_where > 0) {
        for (size_t s = 0; s < STACKS; s++) {
            uint64_t base = at + 0x1000 + s * 0x100;
            if (stacks_where == 1) {
                const size_t k = (size_t)below(n - 1);
                if (big[k + 1].addr - (big[k].addr + big[k].size) < 0x10 * (STACKS + 1))
                    continue; /* no room in that gap */
                base = big[k].addr + big[k].size + 0x10 * s;
            }
            stacks[nstacks++] = (struct mkd_range){base, 0x8, (uint8_t)(201 + s), false, 0};
        }
        /* The gap rule above can pick one gap twice: keep the stacks sorted and disjoint. */
        for (size_t i = 1; i < nstacks; i++)
            for (size_t j = i; j > 0 && stacks[j - 1].addr > stacks[j].addr; j--) {
                const struct mkd_range t = stacks[j];
                stacks[j] = stacks[j - 1];
                stacks[j - 1] = t;
            }
        size_t w = 0;
        for (size_t i = 0; i < nstacks; i++)
            if (w == 0 || stacks[i].addr >= stacks[w - 1].addr + stacks[w - 1].size)
                stacks[w++] = stacks[i];
        nstacks = w;
    }
    struct mkdump *b = mkd_new(0);
    if (nstacks > 0)
        mkd_add_memory_list(b, stacks, nstacks, false);
    const uint32_t s64 = mkd_add_memory64_list(b, big, n);
    size_t len;
    mkd_finish(b, &len);
    /* A third of the rounds cut the file: inside some piece (keeping at least 17), so the
     * pieces after it are the dropped tail. */
    size_t kept = n;
    uint64_t cut_len = len, off = mkd_stream_rva(b, s64) + 16 + 16 * (uint64_t)n;
    uint64_t offs[MAX_PIECES];
    for (size_t k = 0; k < n; k++) {
        offs[k] = off;
        off += big[k].size;
    }
    if (below(3) == 0) {
        kept = 17 + (size_t)below(n - 16); /* pieces 0 .. kept - 1 stay, the last maybe cut */
        cut_len = offs[kept - 1] + 1 + below(big[kept - 1].size);
    }
    dmp_file *f = open_prefix(b, (size_t)cut_len);
    /* The expected pieces, merged by address. */
    size_t total = 0, j = 0;
    for (size_t k = 0; k < kept || j < nstacks;) {
        const bool take_stack = j < nstacks && (k == kept || stacks[j].addr < big[k].addr);
        if (take_stack) {
            all[total++] =
                (struct expect){stacks[j].addr, stacks[j].size, 0, stacks[j].tag, true, j};
            j++;
        } else {
            const uint64_t size =
                k + 1 == kept && cut_len < offs[k] + big[k].size ? cut_len - offs[k] : big[k].size;
            all[total++] = (struct expect){big[k].addr, size, offs[k], big[k].tag, false, k};
            k++;
        }
    }
    ck_assert_msg(dmp_range_count(f) == total, "seed %llu: %zu ranges, want %zu",
                  (unsigned long long)seed, dmp_range_count(f), total);
    /* The round is the big tier's: it was used, and its far blocks and buckets are as built. */
    const struct dmpi_bigtier *const bt = &f->mem.big;
    ck_assert_msg(bt->count == kept, "seed %llu: big tier of %zu, want %zu",
                  (unsigned long long)seed, bt->count, kept);
    ck_assert_ptr_nonnull(bt->bucket);
    /* Walking the index by position builds no block (a listing adds no memory); checked in
     * the rounds without stacks. */
    for (size_t pos = 0; pos < total; pos++) {
        dmp_range r;
        ck_assert_int_eq(dmp_range_get(f, pos, &r), DMP_OK);
        ck_assert_uint_eq(r.addr, all[pos].addr);
    }
    for (size_t blk = 0; nstacks == 0 && blk < (kept + DMPI_BIG_BLOCK - 1) / DMPI_BIG_BLOCK; blk++)
        ck_assert_uint_eq(atomic_load(&bt->state[blk]), DMPI_BIG_UNBUILT);
    /* The first searches to meet a block read the descriptors and count; the next builds it
     * (so a few reads write no deltas). */
    if (nstacks == 0) {
        size_t pos0 = SIZE_MAX;
        for (unsigned m = 1; m < DMPI_BIG_MEETINGS; m++) {
            ck_assert_int_eq(dmp_range_find(f, all[0].addr, &pos0), DMP_OK);
            ck_assert_uint_eq(pos0, 0);
            ck_assert_uint_eq(atomic_load(&bt->state[0]), m);
        }
        ck_assert_int_eq(dmp_range_find(f, all[0].addr, &pos0), DMP_OK);
        const uint8_t s0 = atomic_load(&bt->state[0]);
        ck_assert_msg(s0 == DMPI_BIG_NEAR || s0 == DMPI_BIG_FAR, "block 0: state %u", s0);
    }
    for (size_t pos = 0; pos < total; pos++) {
        const struct expect *const e = &all[pos];
        expect_piece(f, pos, e, seed);
        /* The byte before (when in a gap) and after (likewise) are not found. */
        const bool gap_before = pos == 0 || all[pos - 1].addr + all[pos - 1].size < e->addr;
        const bool gap_after = pos + 1 == total || e->addr + e->size < all[pos + 1].addr;
        size_t ignored;
        if (gap_before)
            ck_assert_int_eq(dmp_range_find(f, e->addr - 1, &ignored), DMP_E_NOT_FOUND);
        if (gap_after)
            ck_assert_int_eq(dmp_range_find(f, e->addr + e->size, &ignored), DMP_E_NOT_FOUND);
        /* A read of the piece and what abuts it: as far as the run goes, then the gap. */
        uint64_t run_end = e->addr + e->size;
        for (size_t q = pos + 1; q < total && all[q].addr == run_end; q++)
            run_end = all[q].addr + all[q].size;
        ck_assert_uint_eq(dmp_readable_len(f, e->addr), run_end - e->addr);
        uint64_t missing = 0;
        ck_assert_int_eq(dmp_find_uncovered(f, e->addr, run_end - e->addr + 1, &missing),
                         DMP_E_UNMAPPED);
        ck_assert_uint_eq(missing, run_end);
    }
    count_reach(bt, reach); /* every block has met a lookup, so each is built */
    /* Addresses beyond every piece and below the first. */
    size_t ignored;
    ck_assert_int_eq(
        dmp_range_find(f, all[total - 1].addr + all[total - 1].size + 0x1000000, &ignored),
        DMP_E_NOT_FOUND);
    ck_assert_int_eq(dmp_range_find(f, all[0].addr - 1, &ignored), DMP_E_NOT_FOUND);
    dmp_close(f);
    mkd_free(b);
}

START_TEST(random_lists_match_their_descriptors)
{
    struct reach reach = {0, 0, 0, 0, 0};
    if (!run_seeded("test_bigtier", ROUNDS, run_round, &reach))
        return; /* one round need not reach every path */
    printf("test_bigtier: blocks %zu near, %zu far; buckets %zu empty, %zu with 1 to 4 blocks, "
           "%zu with 5 or more\n",
           reach.near_blocks, reach.far_blocks, reach.empty_buckets, reach.few_buckets,
           reach.crowded_buckets);
    ck_assert_uint_gt(reach.far_blocks, 0);
    ck_assert_uint_gt(reach.near_blocks, 0);
    ck_assert_uint_gt(reach.empty_buckets, 0);
    ck_assert_uint_gt(reach.few_buckets, 0);
    ck_assert_uint_gt(reach.crowded_buckets, 0);
}
END_TEST

/* The rounds above reach far blocks through start gaps; this one reaches them through file
 * offsets: a sparse file of 5 GiB whose block 1 holds a piece of 4 GiB, so the offsets of the
 * pieces after it in that block are 4 GiB past the block's. */
START_TEST(far_offsets_in_a_sparse_file)
{
    enum { N = 48, HUGE_AT = 20 };
    const uint64_t huge = (uint64_t)4 << 30;
    char path[] = "/tmp/dmpread-bigtier-XXXXXX";
    const int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    unlink(path);
    /* Header, a directory of one Memory64 list, the list, then the payloads. */
    const uint64_t list_rva = 32 + 12, base_rva = list_rva + 16 + 16 * N;
    uint8_t head[32 + 12 + 16 + 16 * N];
    memset(head, 0, sizeof head);
    mkd_store_u32(head, 0x504d444d); /* "MDMP" */
    mkd_store_u32(head + 4, 0xa793);
    mkd_store_u32(head + 8, 1);
    mkd_store_u32(head + 12, 32);
    mkd_store_u32(head + 32, DMP_STREAM_MEMORY64_LIST);
    mkd_store_u32(head + 36, 16 + 16 * N);
    mkd_store_u32(head + 40, (uint32_t)list_rva);
    mkd_store_u64(head + list_rva, N);
    mkd_store_u64(head + list_rva + 8, base_rva);
    uint64_t addr[N], size[N], off[N], o = base_rva, a = 0x10000;
    for (int k = 0; k < N; k++) {
        size[k] = k == HUGE_AT ? huge : 0x100;
        addr[k] = a;
        off[k] = o;
        a += size[k] + 0x1000;
        o += size[k];
        mkd_store_u64(head + list_rva + 16 + 16 * k, addr[k]);
        mkd_store_u64(head + list_rva + 16 + 16 * k + 8, size[k]);
    }
    ck_assert_int_eq(pwrite(fd, head, sizeof head, 0), (ssize_t)sizeof head);
    ck_assert_int_eq(ftruncate(fd, (off_t)o), 0); /* holes read as zeros */
    uint8_t mark[8];
    for (int k = 0; k < N; k++) { /* each piece's first 8 bytes say which piece it is */
        mkd_store_u64(mark, 0x5a5a000000000000u + (uint64_t)k);
        ck_assert_int_eq(pwrite(fd, mark, sizeof mark, (off_t)off[k]), (ssize_t)sizeof mark);
    }
    char fdpath[64];
    snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd);
    dmp_file *f = NULL;
    ck_assert_int_eq(dmp_open(fdpath, &f), DMP_OK);
    close(fd);
    const struct dmpi_bigtier *const bt = &f->mem.big;
    ck_assert_uint_eq(bt->count, N);
    for (size_t k = 0; k < N; k++) {
        dmp_range r;
        ck_assert_int_eq(dmp_range_get(f, k, &r), DMP_OK);
        ck_assert_uint_eq(r.addr, addr[k]);
        ck_assert_uint_eq(r.size, size[k]);
        ck_assert_uint_eq(r.file_offset, off[k]);
        size_t at = SIZE_MAX;
        ck_assert_int_eq(dmp_range_find(f, addr[k] + size[k] - 1, &at), DMP_OK);
        ck_assert_uint_eq(at, k);
        uint8_t got[8];
        ck_assert_int_eq(dmp_read_memory(f, addr[k], got, sizeof got, NULL), DMP_OK);
        mkd_store_u64(mark, 0x5a5a000000000000u + (uint64_t)k);
        ck_assert_mem_eq(got, mark, sizeof mark);
        ck_assert_int_eq(dmp_range_find(f, addr[k] + size[k], &at), DMP_E_NOT_FOUND);
    }
    ck_assert_uint_eq(atomic_load(&bt->state[0]), DMPI_BIG_NEAR);
    ck_assert_uint_eq(atomic_load(&bt->state[1]), DMPI_BIG_FAR); /* holds the 4 GiB piece */
    ck_assert_uint_eq(atomic_load(&bt->state[2]), DMPI_BIG_NEAR);
    dmp_close(f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("bigtier");
    TCase *tc = tcase_create("descriptors");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, random_lists_match_their_descriptors);
    tcase_add_test(tc, far_offsets_in_a_sparse_file);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
