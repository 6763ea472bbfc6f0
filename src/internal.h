/* internal.h - struct dmp_file and the prototypes shared between the library's source files.
 * SPDX-License-Identifier: MIT */
#ifndef DMPREAD_INTERNAL_H
#define DMPREAD_INTERNAL_H

#include "bytes.h"
#include "dmpread.h"

#include <stdatomic.h>
#include <stdbool.h>

/* Where the dump's bytes live. Only source.c creates or releases one. */
enum dmpi_source_kind { DMPI_SOURCE_BORROWED, DMPI_SOURCE_MAPPED, DMPI_SOURCE_HEAP };

struct dmpi_source {
    struct view bytes;
    enum dmpi_source_kind kind;
    bool compressed; /* bytes were inflated from gzip */
    bool cut;        /* the gzip input ended early: bytes are what inflated before cut_at */
    uint64_t cut_at; /* compressed bytes there were */
};

/* A caller's inflate progress callback (dmp_options), or none. */
struct dmpi_progress {
    void (*fn)(void *ctx, uint64_t in_done, uint64_t in_total, uint64_t out_done);
    void *ctx;
};

/* One MINIDUMP_DIRECTORY entry with its placement checked against the file. */
struct dmpi_stream {
    uint32_t type;
    uint32_t data_size;
    uint32_t rva;
    uint32_t flags;    /* DMP_STREAM_PAST_EOF, DMP_STREAM_CLIPPED */
    struct view bytes; /* the part inside the file */
};

/* A memory list that fed the index; descriptor `d` of it has global rank first_rank + d. */
struct dmpi_memlist {
    uint64_t first_rank;
    uint64_t desc_offset; /* file offset of descriptor 0 */
    uint32_t stream_index;
    uint32_t stream_type;
};

/* Bit 63 of a piece's origin: its descriptor was clipped at EOF. The rest is the rank. */
#define DMPI_ORIGIN_TRUNCATED ((uint64_t)1 << 63)

/* Per-piece data other than the start address, kept apart from the starts so that the
 * binary search touches only 8 bytes per probe. */
struct dmpi_piece {
    uint64_t size;
    uint64_t file_offset;
    uint64_t origin; /* rank | DMPI_ORIGIN_TRUNCATED */
};

/* The largest Memory64 list, when it is sorted and every descriptor before those past EOF
 * survives (the usual full-memory dump), is its own tier: piece k is descriptor k. Its pieces
 * are kept in blocks of 16: each block's first start and file offset, a radix table over
 * those starts, and, built once lookups have met the block a few times, each piece's start
 * and end as 32-bit deltas from the block's start and offset, so that later lookups read two
 * cache lines of deltas and never the descriptors (a piece's offset is where the one before
 * it ends: Memory64 data is contiguous). A block not built yet, being built by another
 * thread, or whose deltas do not fit in 32 bits (far) is read from the descriptors. */
#define DMPI_BIG_BLOCK 16
#define DMPI_BIG_PAD UINT32_MAX /* start delta of the slots past the last piece */
/* A block's state: below DMPI_BIG_MEETINGS, how many searches have met it, each reading the
 * descriptors; the search that finds DMPI_BIG_MEETINGS - 1 there builds it. */
#define DMPI_BIG_MEETINGS 4
enum { DMPI_BIG_UNBUILT = 0, DMPI_BIG_BUILDING = 0xfd, DMPI_BIG_NEAR = 0xfe, DMPI_BIG_FAR = 0xff };
struct dmpi_bigblock {
    uint64_t start; /* start of the block's first piece */
    uint64_t off;   /* its file offset */
};
struct dmpi_bigtier {
    const uint8_t *desc; /* descriptor 0, 16 bytes each: start, size */
    size_t count;        /* pieces: the descriptors kept (a dropped tail is not counted) */
    uint64_t first_rank; /* rank of descriptor 0 */
    uint64_t last_size;  /* size of piece count - 1 as kept (clipped at EOF if truncated) */
    bool last_truncated;
    size_t blocks;               /* blocks allocated (for the descriptors before the tail) */
    struct dmpi_bigblock *block; /* [blocks] */
    _Atomic(uint8_t) *state;     /* [blocks]: DMPI_BIG_UNBUILT ... DMPI_BIG_FAR */
    uint32_t *delta;  /* [blocks][32]: each piece's start less the block's, then where each
                       * piece's bytes end less the block's file offset (a piece's offset is
                       * the end of the one before it); written once, by the thread that
                       * moved the block to BUILDING */
    uint32_t *bucket; /* bucket_count + 1 entries: first block starting at or above
                       * bucket_base + (k << bucket_shift); NULL: search every block */
    size_t bucket_count;
    uint64_t bucket_base;
    unsigned bucket_shift;
};

/* One piece as the index serves it, whichever tier holds it. */
struct dmpi_range {
    uint64_t start;
    uint64_t size;
    uint64_t file_offset;
    uint64_t origin; /* rank | DMPI_ORIGIN_TRUNCATED */
};

/* The memory index: `total` disjoint pieces sorted by start address, in two tiers: the big
 * tier (above; may be empty) and `count` pieces in the arrays (every other list's, or all of
 * them when the big tier could not be used). merged[j] is array piece j's position among all
 * pieces; NULL when one tier is empty. Pieces are read through dmpi_memindex_get. */
struct dmpi_memindex {
    uint64_t *starts;
    struct dmpi_piece *pieces;
    size_t count;
    struct dmpi_bigtier big;
    size_t *merged;
    size_t total;
    struct dmpi_memlist *lists;
    size_t list_count;
    size_t cap;                 /* pieces the arrays have room for */
    struct dmpi_budget *budget; /* the dump's (budget.c) */
    uint64_t charged;           /* bytes charged to it for the index */
    /* For each piece, the last piece of its run of adjacent pieces: built the first time a
     * coverage question meets a long run (dmpi_memindex_run_last), so that questions about
     * long runs cost O(log n), not the run's length. NULL until then. */
    _Atomic(uint32_t *) run_last;
};

/* The dump's allocation budget (budget.c): bytes held for it now, at most, and the limit. */
struct dmpi_budget {
    uint64_t limit;
    uint64_t used;
    uint64_t peak;
    uint64_t refused; /* charges refused */
    uint64_t always;  /* bytes counted by dmpi_budget_force */
    bool hit;         /* a charge was refused since dmpi_budget_hit last looked */
};

/* Takes `bytes` from the budget, or refuses (false, and `hit` is set) when they would pass
 * the limit. A NULL budget grants everything. */
bool dmpi_budget_take(struct dmpi_budget *b, uint64_t bytes);
/* Counts bytes that are held whatever the limit (the input's heap copy, diagnostics). */
void dmpi_budget_force(struct dmpi_budget *b, uint64_t bytes);
void dmpi_budget_give(struct dmpi_budget *b, uint64_t bytes);
/* What a heap block of `size` bytes is charged: with the allocator's overhead. */
uint64_t dmpi_budget_cost(uint64_t size);
/* malloc, calloc and free charged to the budget; NULL when refused or out of memory
 * (dmpi_budget_hit tells which). free needs the block's size. */
void *dmpi_budget_malloc(struct dmpi_budget *b, size_t size);
void *dmpi_budget_calloc(struct dmpi_budget *b, size_t n, size_t size);
void dmpi_budget_free(struct dmpi_budget *b, void *p, size_t size);
/* Whether a charge was refused since the last call; clears the mark. */
bool dmpi_budget_hit(struct dmpi_budget *b);

#define DMPI_DIAG_KINDS 24 /* above the highest dmp_diag_kind */

struct dmpi_diags {
    dmp_diag *items;
    size_t count;
    size_t cap;
    uint64_t kept[DMPI_DIAG_KINDS];       /* kept of each kind */
    uint64_t suppressed[DMPI_DIAG_KINDS]; /* and not kept, past DMP_DIAG_MAX_PER_KIND */
    struct dmpi_budget *budget;           /* charged, never refused (budget.c) */
};

/* Steps taken by the loops whose length a dump controls (the thread joins, the module
 * lookups, the walks along runs of adjacent ranges), counted per thread and never reset, so
 * that tests can check the work stays linear in the input (tests/test_budget.c). */
extern _Thread_local uint64_t dmpi_work;

/* Storage for the strings and records a dump hands out: chunks freed together at close,
 * charged to `budget` (NULL: not charged). */
struct dmpi_arena {
    struct dmpi_chunk *head;
    struct dmpi_budget *budget;
};

/* What is left of the bytes the whole dump may turn into strings (see strings.c), and the
 * last stream told that it ran out. */
struct dmpi_string_budget {
    uint64_t left;
    uint32_t refused_stream;
    bool refused;
};

/* One of Breakpad's Linux text streams, split into items (linux.c). */
#define DMPI_LINUX_TEXT_STREAMS 6 /* CpuInfo, ProcStatus, LsbRelease, CmdLine, Environ, Maps */
struct dmpi_linux_text {
    const uint8_t *base; /* the stream's bytes */
    uint32_t *spans;     /* item k: offset spans[2k], length spans[2k+1] from base */
    size_t count;
};

/* The triage streams, decoded at open (issue #3). A single-record stream has a status:
 * DMP_E_ABSENT until found, DMP_OK, or DMP_E_MALFORMED. Lists are arrays (count 0 when the
 * stream is absent or unusable), except MemoryInfoList and auxv, decoded per call. */
struct dmpi_triage {
    dmp_status system_status;
    dmp_system_info system;
    dmp_status misc_status;
    dmp_misc_info misc;
    dmp_status vm_status;
    dmp_vm_counters vm;
    dmp_status sysmem_status;
    dmp_system_memory_info sysmem;
    dmp_thread *threads;
    size_t thread_count;
    dmp_module *modules;
    size_t module_count;
    size_t *module_by_base; /* module indices sorted by base, for dmp_module_find */
    dmp_unloaded_module *unloaded;
    size_t unloaded_count;
    size_t *unloaded_by_base; /* as module_by_base, for dmp_unloaded_module_find */
    dmp_exception *exceptions;
    size_t exception_count;
    struct view meminfo; /* the entries of MemoryInfoList */
    uint32_t meminfo_entry_size;
    size_t meminfo_count;
    dmp_handle *handles;
    size_t handle_count;
    dmp_status comment_status;
    const char *comment;
    dmp_status breakpad_status;
    dmp_breakpad_info breakpad;
    struct view auxv;   /* LinuxAuxv pairs */
    uint32_t auxv_word; /* 4 or 8 */
    size_t auxv_count;
    dmp_linux_dso *dsos;
    size_t dso_count;
    dmp_status linux_debug_status;
    dmp_linux_debug linux_debug;
    struct dmpi_linux_text linux_text[DMPI_LINUX_TEXT_STREAMS]; /* linux.c */
    dmp_linux_map *linux_maps;
    size_t linux_map_count;
    dmp_status crashpad_status;
    dmp_crashpad_info crashpad;
    const char **annotations;                      /* key, value, key, value, ... (in the arena) */
    struct dmpi_crashpad_module *crashpad_modules; /* in the arena */
    size_t crashpad_module_count;
    dmp_status assertion_status;
    dmp_assertion assertion; /* strings in the arena */
};

/* One MinidumpModuleCrashpadInfo, its arrays in the arena. */
struct dmpi_crashpad_module {
    dmp_crashpad_module info;
    const char **list;                /* info.list_annotation_count strings */
    const char **simple;              /* key, value, key, value, ... */
    dmp_crashpad_annotation *objects; /* info.annotation_object_count */
};

struct dmp_file {
    struct dmpi_source src;
    dmp_header header;
    struct dmpi_stream *streams;
    size_t stream_count;
    struct dmpi_memindex mem;
    struct dmpi_budget budget;
    struct dmpi_diags diags;
    struct dmpi_arena arena;
    struct dmpi_string_budget strings;
    struct dmpi_triage triage;
};

/* source.c */
/* Opens a file (mapped; a pipe or gzip onto the heap, within max_heap) or a buffer. `magic`:
 * the 4 bytes the content must start with ("MDMP"), checked as soon as they are read or
 * inflated so that anything else is refused without reading it all; NULL for no check.
 * With a magic, gzip cut short after at least 32 bytes inflated is kept (src->cut); without
 * one (symbol files, images) it fails, as a cut file would silently lose records.
 * `progress` may be NULL. */
dmp_status dmpi_source_open_path(struct dmpi_source *src, const char *path, uint64_t max_heap,
                                 const char *magic, const struct dmpi_progress *progress,
                                 dmp_error *err);
dmp_status dmpi_source_open_mem(struct dmpi_source *src, const void *buf, size_t len,
                                uint64_t max_heap, const char *magic,
                                const struct dmpi_progress *progress, dmp_error *err);
void dmpi_source_close(struct dmpi_source *src);
/* malloc for large arrays: huge-page aligned and advised when `size` is 2 MiB or more. */
void *dmpi_alloc_large(size_t size);
/* Zeroed, as dmpi_alloc_large places it; below a huge page it is calloc's, which leaves pages
 * fresh from the system untouched (a table filled sparsely costs nothing up front). */
void *dmpi_calloc_large(size_t n, size_t size);
/* A file opened again for a pass with read() instead of through its mapping (symbol files:
 * a mapping's first touches cost more than reading); -1 when it cannot be opened. */
int dmpi_file_open(const char *path);
/* read(), retried on EINTR: bytes read, 0 at the end, -1 on error. */
long dmpi_file_read(int fd, void *buf, size_t len);
void dmpi_file_close(int fd);

/* directory.c: decodes MINIDUMP_HEADER and the directory; fails only on a bad header. */
dmp_status dmpi_directory_parse(dmp_file *f, dmp_error *err);

/* memindex.c */
dmp_status dmpi_memindex_build(dmp_file *f);
void dmpi_memindex_free(struct dmpi_memindex *mem);
/* Position of the piece holding addr and the piece (out may be NULL), or false. */
bool dmpi_memindex_find(const struct dmpi_memindex *mem, uint64_t addr, size_t *pos,
                        struct dmpi_range *out);
/* The memory list that descriptor rank `rank` came from. */
const struct dmpi_memlist *dmpi_memindex_list_of(const struct dmpi_memindex *mem, uint64_t rank);
/* Position of the first piece starting above addr (mem->total when none). */
size_t dmpi_memindex_upper(const struct dmpi_memindex *mem, uint64_t addr);
/* Piece i < mem->total. */
void dmpi_memindex_get(const struct dmpi_memindex *mem, size_t i, struct dmpi_range *out);
/* The last piece of the run of adjacent pieces that piece i starts or continues. */
size_t dmpi_memindex_run_last(const struct dmpi_memindex *mem, size_t i);

/* diag.c: appends a diagnostic, merging it into the previous one when it continues a run of
 * the same kind over consecutive descriptors. Fails only on allocation. */
dmp_status dmpi_diag_push(struct dmpi_diags *diags, const dmp_diag *d);
void dmpi_diag_free(struct dmpi_diags *diags);
/* Appends the DMP_DIAG_SUPPRESSED summaries: called once, when the open is done. */
dmp_status dmpi_diag_finish(struct dmpi_diags *diags);

/* strings.c: the arena, and MINIDUMP_STRING / UTF-16 / UTF-8 conversion into it. */
void *dmpi_arena_alloc(struct dmpi_arena *a, size_t size);
/* n zeroed items of `size` bytes; NULL when n * size overflows or the allocation fails. */
void *dmpi_arena_calloc(struct dmpi_arena *a, size_t n, size_t size);
void dmpi_arena_free(struct dmpi_arena *a);
/* Copies s (len bytes, any content) into the arena as UTF-8: invalid sequences become
 * U+FFFD. NULL only when out of memory. */
const char *dmpi_utf8_dup(struct dmpi_arena *a, const uint8_t *s, size_t len);
/* Converts len bytes of UTF-16LE (an odd last byte is dropped); unpaired surrogates become
 * U+FFFD; stops at the first NUL unit when stop_at_nul. NULL only when out of memory. */
const char *dmpi_utf16_dup(struct dmpi_arena *a, const uint8_t *s, size_t len, bool stop_at_nul);
/* Decodes the MINIDUMP_STRING at rva for an entry of stream `stream`: its u32 byte length,
 * then UTF-16LE. A length that is odd or runs past the file is cut to what is there, with a
 * DMP_DIAG_MALFORMED diagnostic; an rva past the file gives "" and a diagnostic. *out is
 * never NULL on DMP_OK; fails only with DMP_E_NOMEM. */
dmp_status dmpi_minidump_string(dmp_file *f, uint32_t stream, uint64_t rva, const char **out);
/* Decodes Crashpad's MinidumpUTF8String at rva (u32 byte length, then the bytes) the same
 * way: cut at the end of the file, "" past it, both with a diagnostic; invalid UTF-8 becomes
 * U+FFFD. Fails only with DMP_E_NOMEM. */
dmp_status dmpi_utf8_string(dmp_file *f, uint32_t stream, uint64_t rva, const char **out);
/* Sets the dump-wide string budget from the file's size; dmpi_triage_parse calls it first. */
void dmpi_strings_init(dmp_file *f);
/* Takes `bytes` of source text for a string of stream `stream` found at file offset `offset`
 * from the dump-wide budget. *granted is false when the budget cannot cover it: the string is
 * then to be left empty; the first refusal in each stream is reported. Fails only with
 * DMP_E_NOMEM (from the diagnostic). */
dmp_status dmpi_string_charge(dmp_file *f, uint32_t stream, uint64_t offset, uint64_t bytes,
                              bool *granted);

/* dmpread.c: when `st` is a refusal of the budget (DMP_E_NOMEM with the budget hit), sets
 * *left_out, records a DMP_DIAG_BUDGET diagnostic naming `what` and returns its status;
 * otherwise returns st. */
dmp_status dmpi_budget_refused(dmp_file *f, dmp_status st, const char *what, bool *left_out);

/* triage.c */
/* Decodes every triage stream; a damaged one gets diagnostics, never an error. Fails only
 * with DMP_E_NOMEM. */
dmp_status dmpi_triage_parse(dmp_file *f);
void dmpi_triage_free(struct dmpi_triage *t);
/* The rule for single-record streams and lists a dump should have once: runs decode on each
 * stream of `type` in directory order until one sets *used (a damaged one does not, so the
 * next gets its turn); each stream of the type after that gets a DMP_DIAG_MALFORMED
 * diagnostic with the text `ignored`. Fails only with DMP_E_NOMEM. */
dmp_status dmpi_first_usable(dmp_file *f, uint32_t type, const char *ignored,
                             dmp_status (*decode)(dmp_file *f, uint32_t index, bool *used));
/* Records a DMP_DIAG_MALFORMED diagnostic for stream `stream` (a directory index) at file
 * offset `offset`; `entry` names a list entry, or is UINT64_MAX for the whole stream. */
dmp_status dmpi_malformed(dmp_file *f, uint32_t stream, uint64_t offset, uint64_t entry,
                          const char *detail);

/* One parser per stream family, each in its own file; each fails only with DMP_E_NOMEM and
 * leaves its part of f->triage empty or marked malformed when the stream is unsound. */
dmp_status dmpi_parse_system_info(dmp_file *f); /* sysinfo.c: SystemInfo, MiscInfo */
dmp_status dmpi_parse_misc_info(dmp_file *f);
dmp_status dmpi_parse_vm_counters(dmp_file *f);   /* sysinfo.c: ProcessVmCounters */
dmp_status dmpi_parse_system_memory(dmp_file *f); /* sysinfo.c: SystemMemoryInfo */
dmp_status dmpi_parse_threads(dmp_file *f);       /* threads.c: Thread(Ex)List, ThreadInfo, names */
dmp_status dmpi_parse_modules(dmp_file *f);       /* modules.c: ModuleList, UnloadedModuleList */
dmp_status dmpi_parse_exceptions(dmp_file *f);    /* exception.c */
dmp_status dmpi_parse_memory_info(dmp_file *f);   /* meminfo.c: MemoryInfoList, HandleData */
dmp_status dmpi_parse_handles(dmp_file *f);
dmp_status dmpi_parse_extras(dmp_file *f);    /* extras.c: comments, Breakpad, Linux */
dmp_status dmpi_parse_crashpad(dmp_file *f);  /* crashpad.c: CrashpadInfo, module annotations */
dmp_status dmpi_parse_assertion(dmp_file *f); /* assertion.c: Breakpad's assertion stream */
dmp_status dmpi_parse_linux(dmp_file *f);     /* linux.c: Breakpad's Linux text streams */

/* Formats into buf as snprintf does, clamping the result; used for messages. */
void dmpi_set_error(dmp_error *err, dmp_status status, uint64_t offset, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

#endif /* DMPREAD_INTERNAL_H */
