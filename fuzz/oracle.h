/* oracle.h - an independent model of a minidump's captured memory, for the fuzz harness.
 * SPDX-License-Identifier: MIT
 *
 * The oracle reads the raw bytes itself, sharing no code with src/: header, directory, then
 * every MemoryListStream and Memory64ListStream, applying the memory rules of FORMAT.md (and
 * the per-descriptor order of the policy atop src/memindex.c). It is written to be obviously
 * right rather than fast: the owner of an address is found by scanning the descriptors in
 * rank order, and the address line is cut at every descriptor boundary so that each cut
 * holds one owner. Work is capped so one input cannot make it slow.
 */
#ifndef DMPREAD_FUZZ_ORACLE_H
#define DMPREAD_FUZZ_ORACLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ORACLE_MEMORY_LIST 5
#define ORACLE_MEMORY64_LIST 9

/* Descriptors the oracle classifies at most (all lists together), and kept descriptors it
 * models address by address at most (the model costs O(n^2)). Past either, it says so. */
#define ORACLE_MAX_GATHER ((uint64_t)1 << 16)
#define ORACLE_MAX_MODEL 1024

/* One MINIDUMP_DIRECTORY entry that lies inside the file. */
struct oracle_stream {
    uint32_t type;
    uint32_t data_size;
    uint32_t rva;
    bool past_eof; /* starts past EOF, or at EOF with a nonzero size */
    bool clipped;  /* runs past EOF */
    uint64_t kept; /* its bytes inside the file */
};

/* A memory descriptor that survived the drop rules, in rank order (directory, then list). */
struct oracle_desc {
    uint64_t start;
    uint64_t size; /* bytes kept: clipped at EOF */
    uint64_t off;  /* file offset of its first byte */
    uint64_t descriptor;
    uint32_t stream_index;
    uint32_t stream_type;
    bool truncated;
};

/* [lo, last] is captured and the byte at lo is bytes[0]. `owner` indexes oracle.descs, or is
 * SIZE_MAX when the segment was built from something else (the library's own ranges). */
struct cover_seg {
    uint64_t lo;
    uint64_t last;
    const uint8_t *bytes;
    size_t owner;
};

/* Captured memory as disjoint segments sorted by address. */
struct cover {
    const struct cover_seg *segs;
    size_t count;
};

/* How many of each memory diagnostic the library must report. Kinds about runs of
 * descriptors count descriptors; the others count diagnostics. */
struct oracle_expect {
    uint64_t directory_clipped;
    uint64_t stream_past_eof;
    uint64_t stream_clipped;
    uint64_t list_too_small;
    uint64_t count_clipped;
    uint64_t records_reused;
    uint64_t range_truncated;
    uint64_t range_past_eof;
    uint64_t addr_overflow;
    uint64_t offset_overflow;
    uint64_t zero_size;
    uint64_t overlap; /* only when modelled */
};

struct oracle {
    const uint8_t *data;
    size_t len;
    bool opens; /* at least a MINIDUMP_HEADER, signed "MDMP" */
    uint32_t version, stream_count, directory_rva, checksum, time_date_stamp;
    uint64_t flags;
    struct oracle_stream *streams; /* the entries inside the file */
    size_t streams_len;
    bool gathered; /* descriptors classified: descs and expect are valid */
    struct oracle_desc *descs;
    size_t descs_len;
    struct oracle_expect expect;
    bool modelled; /* segs are valid */
    struct cover_seg *segs;
    size_t segs_len;
};

/* Builds the oracle for data[0..len). False only when memory runs out. */
bool oracle_build(struct oracle *o, const uint8_t *data, size_t len);
void oracle_free(struct oracle *o);
struct cover oracle_cover(const struct oracle *o);

/* The segment holding addr, or SIZE_MAX. */
size_t cover_find(const struct cover *c, uint64_t addr);
/* len > 0 and addr + len <= 2^64: true when every byte of [addr, addr+len) is covered;
 * else false with *missing the lowest uncovered address. */
bool cover_check(const struct cover *c, uint64_t addr, uint64_t len, uint64_t *missing);
/* Bytes readable in one piece from addr: 0 when addr is not covered. */
uint64_t cover_run(const struct cover *c, uint64_t addr);
/* [addr, addr+len) is covered: true when buf holds exactly its bytes. */
bool cover_equals(const struct cover *c, uint64_t addr, uint64_t len, const uint8_t *buf);

#endif /* DMPREAD_FUZZ_ORACLE_H */
