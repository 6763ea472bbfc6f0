/* dmpread.h - the public API of libdmpread, a reader for Windows minidump (.dmp) files.
 * SPDX-License-Identifier: MIT
 *
 * A dump is opened once (mapped read-only, taken from a caller's buffer, or inflated from gzip),
 * validated and indexed at open, and then never changes: every function taking a
 * `const dmp_file *` may be called from many threads at once.
 *
 * Memory is served with the contract of DbgEng's ReadMemory callback, made precise in
 * docs/FORMAT.md: a read succeeds only when every byte of [addr, addr+len) was captured by
 * MemoryListStream or Memory64ListStream; reads spanning adjacent captured ranges succeed.
 *
 * Conventions: functions that can fail return a dmp_status (DMP_OK is 0) and write their
 * out-parameters only on success. Pointers handed out by a dmp_file stay valid until
 * dmp_close(). Nothing here uses global state or errno. A NULL dmp_file or out-parameter is
 * DMP_E_INVALID_ARG where a status is returned; counts and sizes of a NULL dmp_file are 0,
 * and functions returning nothing do nothing.
 */
#ifndef DMPREAD_H
#define DMPREAD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DMP_VERSION_MAJOR 0
#define DMP_VERSION_MINOR 1
#define DMP_VERSION_PATCH 0
#define DMP_VERSION_NUMBER (DMP_VERSION_MAJOR * 10000 + DMP_VERSION_MINOR * 100 + DMP_VERSION_PATCH)

#if defined(_WIN32) && defined(DMPREAD_SHARED)
#ifdef DMPREAD_BUILDING
#define DMP_API __declspec(dllexport)
#else
#define DMP_API __declspec(dllimport)
#endif
#elif defined(__GNUC__)
#define DMP_API __attribute__((visibility("default")))
#else
#define DMP_API
#endif

/* The opened dump. Opaque; create with dmp_open*, destroy with dmp_close. */
typedef struct dmp_file dmp_file;

/* Result of every call that can fail. Values are stable: new ones are only appended. */
typedef enum dmp_status {
    DMP_OK = 0,
    DMP_E_INVALID_ARG = 1,   /* a NULL pointer or an argument out of its domain */
    DMP_E_IO = 2,            /* the file could not be opened, sized, mapped or read */
    DMP_E_NOMEM = 3,         /* an allocation failed */
    DMP_E_TOO_SHORT = 4,     /* shorter than the 32-byte MINIDUMP_HEADER */
    DMP_E_BAD_SIGNATURE = 5, /* the first four bytes are not "MDMP" */
    DMP_E_INFLATE = 6,       /* gzip input is corrupt or truncated */
    DMP_E_TOO_LARGE = 7,     /* inflated (or streamed) input exceeds the caller's limit */
    DMP_E_UNMAPPED = 8,      /* some byte of the requested range was not captured */
    DMP_E_WRAP = 9,          /* the requested range runs past address 2^64 */
    DMP_E_NOT_FOUND = 10,    /* no such item (index out of range, address not captured) */
    DMP_E_ABSENT = 11,       /* the dump has no such stream */
    DMP_E_MALFORMED = 12,    /* the stream is there but unusable; a diagnostic says why */
} dmp_status;

/* A static, never-NULL description of a status ("memory not captured in the dump", ...). Unknown
 * values give "unknown status". */
DMP_API const char *dmp_strerror(dmp_status status);

/* The library's version as "MAJOR.MINOR.PATCH", and as DMP_VERSION_NUMBER. */
DMP_API const char *dmp_version_string(void);
DMP_API unsigned dmp_version_number(void);

/* ---- Opening ---------------------------------------------------------------------------- */

/* Default ceiling on bytes held on the heap for gzip or non-seekable input: 4 GiB. */
#define DMP_DEFAULT_MAX_HEAP_INPUT ((uint64_t)4 << 30)

/* Options for dmp_open_ex / dmp_open_mem_ex. Zero-initialise; a zero field means its default.
 * Fields are only ever appended. */
typedef struct dmp_options {
    /* The most bytes dmpread will hold on the heap for one dump: the inflated size of a gzip
     * dump, or the size of a pipe or other non-seekable input (for gzip through a pipe, the
     * compressed and inflated copies together). 0 means
     * DMP_DEFAULT_MAX_HEAP_INPUT. Past it the open fails with DMP_E_TOO_LARGE before any
     * larger allocation is attempted. For gzip, the trailer's ISIZE (the size mod 2^32 of
     * the last member) is checked first: when it alone is over the limit, the open fails
     * before inflating anything. */
    uint64_t max_heap_input;
    /* Called while gzip input inflates, after about every 4 MiB of output: `in_done` of
     * `in_total` compressed bytes consumed, `out_done` bytes inflated so far. For a progress
     * display (the command shows one after a second on a terminal); NULL: never called. It
     * must not call into the library with this dump. */
    void (*inflate_progress)(void *ctx, uint64_t in_done, uint64_t in_total, uint64_t out_done);
    void *inflate_progress_ctx; /* passed to inflate_progress */
    /* The allocation budget: the most bytes the library holds on the heap for this dump,
     * counting together the heap copy of gzip or piped input, the directory, the memory
     * index, the decoded records and strings, and the diagnostics. 0 means the default,
     * DMP_DEFAULT_ALLOC_FACTOR times the dump's size plus DMP_DEFAULT_ALLOC_BASE, which
     * every honest dump stays far below. When set, gzip and piped input is also held to it
     * (as to max_heap_input). A part of the dump that does not fit is left out with a
     * DMP_DIAG_BUDGET diagnostic naming it, and everything decoded before it is served; only
     * a directory that does not fit fails the open (DMP_E_TOO_LARGE). dmp_get_heap_usage
     * tells what was used. */
    uint64_t max_alloc;
} dmp_options;

/* The default allocation budget (dmp_options.max_alloc): 8 times the dump's size plus 16 MiB.
 * Aliased structures are what could pass it: a dump whose directory or lists name one record
 * thousands of times. */
#define DMP_DEFAULT_ALLOC_FACTOR 8
#define DMP_DEFAULT_ALLOC_BASE ((uint64_t)16 << 20)

/* Why an open failed, filled by dmp_open_ex / dmp_open_mem_ex when they fail. */
typedef struct dmp_error {
    dmp_status status;
    uint64_t offset;   /* offset in the input where the failure was found, when meaningful */
    char message[256]; /* one line, NUL-terminated, no trailing newline */
} dmp_error;

/* Opens the dump at `path`. A regular file is mapped read-only and never copied; input that
 * starts with the gzip magic (1f 8b) is inflated onto the heap; a pipe or other non-seekable
 * file is read onto the heap. `opts` may be NULL; `err` may be NULL and is filled on failure.
 *
 * Opening fails only when the input cannot be read or inflated, is shorter than the
 * MINIDUMP_HEADER, or lacks the "MDMP" signature. Gzip input that ends early (a download or
 * copy cut short) is not a failure once the header has inflated: the bytes inflated so far
 * are the dump, and a DMP_DIAG_GZIP_CUT diagnostic names the compressed offset; corrupt gzip
 * data still fails with DMP_E_INFLATE. Everything after the header is validated
 * here and taken as far as it is sound; the rest becomes diagnostics (dmp_diag_*).
 *
 * Returns DMP_OK and sets *out, or DMP_E_INVALID_ARG, DMP_E_IO, DMP_E_NOMEM, DMP_E_TOO_SHORT,
 * DMP_E_BAD_SIGNATURE, DMP_E_INFLATE, DMP_E_TOO_LARGE. The mapping must not be truncated by
 * another process while open (the OS would raise SIGBUS on access). */
DMP_API dmp_status dmp_open_ex(const char *path, const dmp_options *opts, dmp_file **out,
                               dmp_error *err);
DMP_API dmp_status dmp_open(const char *path, dmp_file **out);

/* Opens a dump held in the caller's memory. Not copied: the buffer must stay alive and
 * unchanged until dmp_close(). Gzip input is inflated onto the heap, after which the
 * caller's buffer is no longer referenced. Statuses as for dmp_open_ex, less DMP_E_IO. */
DMP_API dmp_status dmp_open_mem_ex(const void *buf, size_t len, const dmp_options *opts,
                                   dmp_file **out, dmp_error *err);
DMP_API dmp_status dmp_open_mem(const void *buf, size_t len, dmp_file **out);

/* Releases the dump and everything it handed out. dmp_close(NULL) does nothing. */
DMP_API void dmp_close(dmp_file *f);

/* The dump's bytes (inflated if the input was gzip): its size, and whether it was gzip. */
DMP_API uint64_t dmp_file_size(const dmp_file *f);
DMP_API int dmp_was_compressed(const dmp_file *f);

/* What the library holds on the heap for a dump, counted against its allocation budget
 * (dmp_options.max_alloc). Not counted: the table of adjacent runs that the first coverage
 * question on a long run builds (dmp_readable_len and the like; 4 bytes a range). */
typedef struct dmp_heap_usage {
    uint64_t budget;  /* the limit */
    uint64_t used;    /* bytes held now */
    uint64_t peak;    /* the most held at once, during the open */
    uint64_t refused; /* allocations refused for the budget; each left a part out */
    uint64_t always;  /* of `used`, what is counted but never refused: the heap copy of the
                         input, the dump's handle and the diagnostics (at most
                         DMP_DIAG_MAX_PER_KIND a kind). peak <= budget + always. */
} dmp_heap_usage;

/* Fills *out (zeroes for a NULL f). */
DMP_API void dmp_get_heap_usage(const dmp_file *f, dmp_heap_usage *out);

/* ---- Header and stream directory ------------------------------------------------------ */

/* MINIDUMP_HEADER, decoded. */
typedef struct dmp_header {
    uint32_t signature; /* always 0x504d444d ("MDMP") */
    uint32_t version;   /* low 16 bits 0xa793 by convention; not checked */
    uint32_t stream_count;
    uint32_t directory_rva;
    uint32_t checksum;
    uint32_t time_date_stamp; /* Unix time */
    uint64_t flags;           /* MINIDUMP_TYPE bits */
} dmp_header;

DMP_API void dmp_get_header(const dmp_file *f, dmp_header *out);

/* Well-known stream types (MINIDUMP_STREAM_TYPE and the Breakpad/Crashpad extensions). */
enum {
    DMP_STREAM_UNUSED = 0,
    DMP_STREAM_THREAD_LIST = 3,
    DMP_STREAM_MODULE_LIST = 4,
    DMP_STREAM_MEMORY_LIST = 5,
    DMP_STREAM_EXCEPTION = 6,
    DMP_STREAM_SYSTEM_INFO = 7,
    DMP_STREAM_THREAD_EX_LIST = 8,
    DMP_STREAM_MEMORY64_LIST = 9,
    DMP_STREAM_COMMENT_A = 10,
    DMP_STREAM_COMMENT_W = 11,
    DMP_STREAM_HANDLE_DATA = 12,
    DMP_STREAM_FUNCTION_TABLE = 13,
    DMP_STREAM_UNLOADED_MODULE_LIST = 14,
    DMP_STREAM_MISC_INFO = 15,
    DMP_STREAM_MEMORY_INFO_LIST = 16,
    DMP_STREAM_THREAD_INFO_LIST = 17,
    DMP_STREAM_HANDLE_OPERATION_LIST = 18,
    DMP_STREAM_TOKEN = 19,
    DMP_STREAM_SYSTEM_MEMORY_INFO = 21,
    DMP_STREAM_PROCESS_VM_COUNTERS = 22,
    DMP_STREAM_THREAD_NAMES = 24,
    DMP_STREAM_BREAKPAD_INFO = 0x47670001,
    DMP_STREAM_BREAKPAD_ASSERTION_INFO = 0x47670002,
    DMP_STREAM_LINUX_CPU_INFO = 0x47670003,
    DMP_STREAM_LINUX_PROC_STATUS = 0x47670004,
    DMP_STREAM_LINUX_LSB_RELEASE = 0x47670005,
    DMP_STREAM_LINUX_CMD_LINE = 0x47670006,
    DMP_STREAM_LINUX_ENVIRON = 0x47670007,
    DMP_STREAM_LINUX_AUXV = 0x47670008,
    DMP_STREAM_LINUX_MAPS = 0x47670009,
    DMP_STREAM_LINUX_DSO_DEBUG = 0x4767000A,
    DMP_STREAM_CRASHPAD_INFO = 0x43500001
};

/* Flags of a dmp_stream. */
#define DMP_STREAM_PAST_EOF 0x1u /* starts past the end of the file (or at it, with bytes) */
#define DMP_STREAM_CLIPPED 0x2u  /* runs past the end of the file: `size` bytes usable */

/* One MINIDUMP_DIRECTORY entry. Entries are listed even when unusable (see flags). */
typedef struct dmp_stream {
    uint32_t type;
    uint32_t data_size; /* as the directory says */
    uint32_t rva;
    uint32_t flags;   /* DMP_STREAM_* */
    uint64_t size;    /* bytes of the stream inside the file (data_size clipped at EOF) */
    const void *data; /* those bytes, borrowed from the dump; NULL when size is 0 */
} dmp_stream;

/* The number of directory entries that lie inside the file (header.stream_count may claim
 * more; the difference is reported as a diagnostic). */
DMP_API size_t dmp_stream_count(const dmp_file *f);
/* Entry `i` in directory order. DMP_OK, or DMP_E_NOT_FOUND when i >= dmp_stream_count(). */
DMP_API dmp_status dmp_stream_get(const dmp_file *f, size_t i, dmp_stream *out);
/* The name of a stream type ("MemoryListStream", "LinuxMapsStream", ...), or NULL if unknown. */
DMP_API const char *dmp_stream_type_name(uint32_t type);

/* ---- Memory ---------------------------------------------------------------------------- */

/* Reads `len` bytes at virtual address `addr` into `dst`, all or nothing: DMP_OK only when
 * every byte of [addr, addr+len) was captured (ranges that abut are joined). On failure `dst`
 * is untouched and *bytes_read is 0; dmp_find_uncovered() tells which byte is missing.
 * `bytes_read` may be NULL. len 0 succeeds (with any addr, and dst may then be NULL).
 * Returns DMP_OK, DMP_E_UNMAPPED, DMP_E_WRAP (addr+len passes 2^64) or DMP_E_INVALID_ARG.
 * Cost: O(log n + ranges spanned) plus the copy. */
DMP_API dmp_status dmp_read_memory(const dmp_file *f, uint64_t addr, void *dst, size_t len,
                                   size_t *bytes_read);

/* Checks [addr, addr+len) without copying. DMP_OK when every byte is captured; otherwise
 * DMP_E_UNMAPPED with *first_missing set to the lowest uncaptured address in the range, or
 * DMP_E_WRAP when addr+len passes 2^64 (first_missing is then untouched). O(log n) in the
 * ranges, whatever len: the first question that meets a run of more than 16 adjacent ranges
 * builds a table of 4 bytes a range, kept until dmp_close (thread-safe). */
DMP_API dmp_status dmp_find_uncovered(const dmp_file *f, uint64_t addr, uint64_t len,
                                      uint64_t *first_missing);

/* How many bytes starting at `addr` can be read in one piece (adjacent ranges joined): 0 when
 * addr itself is not captured. Never fails. O(log n), as dmp_find_uncovered. */
DMP_API uint64_t dmp_readable_len(const dmp_file *f, uint64_t addr);

/* Flags of a dmp_range. */
#define DMP_RANGE_TRUNCATED 0x1u /* its descriptor ran past the end of the file and was clipped */

/* One entry of the memory index: `size` bytes at `addr`, stored at `file_offset`, coming
 * from descriptor `descriptor` of the memory list at directory entry `stream_index`.
 * Entries are sorted by address and disjoint. A descriptor that lost bytes to an earlier,
 * overlapping one may appear as several entries, or not at all. */
typedef struct dmp_range {
    uint64_t addr;
    uint64_t size;
    uint64_t file_offset;
    uint64_t descriptor;
    uint32_t stream_index;
    uint32_t stream_type; /* DMP_STREAM_MEMORY_LIST or DMP_STREAM_MEMORY64_LIST */
    uint32_t flags;       /* DMP_RANGE_* */
    const void *data;     /* the `size` bytes, borrowed from the dump */
} dmp_range;

DMP_API size_t dmp_range_count(const dmp_file *f);
/* Entry `i` in address order. DMP_OK, or DMP_E_NOT_FOUND when i >= dmp_range_count(). */
DMP_API dmp_status dmp_range_get(const dmp_file *f, size_t i, dmp_range *out);
/* The index entry holding `addr` (DMP_OK), or DMP_E_NOT_FOUND. `*index` receives the
 * position for dmp_range_get. O(log n). */
DMP_API dmp_status dmp_range_find(const dmp_file *f, uint64_t addr, size_t *index);
/* The first entry whose addr is above `addr` (the next captured range), or DMP_E_NOT_FOUND. */
DMP_API dmp_status dmp_range_next(const dmp_file *f, uint64_t addr, size_t *index);

/* ---- Diagnostics ----------------------------------------------------------------------- */

/* What was found unsound while opening. None of these fails the open. */
typedef enum dmp_diag_kind {
    DMP_DIAG_DIRECTORY_CLIPPED = 1, /* the directory claims more entries than the file holds */
    DMP_DIAG_STREAM_PAST_EOF = 2,   /* a stream starts at or past EOF: skipped */
    DMP_DIAG_STREAM_CLIPPED = 3,    /* a stream runs past EOF: its part inside is used */
    DMP_DIAG_LIST_TOO_SMALL = 4,    /* a memory list too small for its own count field */
    DMP_DIAG_COUNT_CLIPPED = 5,     /* a list's count claims more descriptors than fit */
    DMP_DIAG_RANGE_TRUNCATED = 6,   /* a descriptor's bytes run past EOF: clipped */
    DMP_DIAG_RANGE_PAST_EOF = 7,    /* descriptors whose bytes start at or past EOF: dropped */
    DMP_DIAG_ADDR_OVERFLOW = 8,     /* descriptors whose start + size passes 2^64: dropped */
    DMP_DIAG_OFFSET_OVERFLOW = 9,   /* descriptors whose file offset passes 2^64: dropped */
    DMP_DIAG_OVERLAP = 10,          /* a descriptor's bytes were already covered: shadowed */
    DMP_DIAG_ZERO_SIZE = 11,        /* zero-size descriptors: ignored */
    DMP_DIAG_RECORDS_REUSED = 12,   /* lists alias each other's records: the excess unused */
    DMP_DIAG_MALFORMED = 13,        /* a stream's content is unsound: `detail` says what */
    DMP_DIAG_SUPPRESSED = 14,       /* `count` more diagnostics of one kind (`detail` names it)
                                       than DMP_DIAG_MAX_PER_KIND were not kept */
    DMP_DIAG_GZIP_CUT = 15,         /* the gzip input ends early: the `kept` bytes inflated
                                       before `offset` (in the compressed input) are the dump */
    DMP_DIAG_BUDGET = 16,           /* the part `detail` names ("threads", "memory index")
                                       did not fit in the allocation budget (`size` bytes,
                                       dmp_options.max_alloc): left out */
} dmp_diag_kind;

/* At most this many diagnostics of a kind are kept per dump; past that one DMP_DIAG_SUPPRESSED
 * at the end counts the rest, so the list cannot outgrow what it describes. */
#define DMP_DIAG_MAX_PER_KIND 1000

#define DMP_DIAG_NO_STREAM UINT32_MAX

/* One diagnostic. Which fields mean something depends on the kind; unused ones are 0. */
typedef struct dmp_diag {
    dmp_diag_kind kind;
    uint32_t stream_index; /* directory entry, or DMP_DIAG_NO_STREAM for header/directory */
    uint32_t stream_type;
    uint64_t offset;      /* file offset of the offending structure (stream, descriptor) */
    uint64_t data_offset; /* file offset of the memory bytes a descriptor points to */
    uint64_t descriptor;  /* first descriptor concerned (memory lists) */
    uint64_t count;       /* descriptors concerned, or the count the file claims */
    uint64_t addr;        /* start of the memory range concerned */
    uint64_t size;        /* size claimed by the file */
    uint64_t kept;        /* what was kept: bytes, descriptors or entries */
    const char *detail;   /* DMP_DIAG_MALFORMED: a static phrase ("string runs past EOF");
                             DMP_DIAG_SUPPRESSED: the suppressed kind's name ("overlap") */
} dmp_diag;

DMP_API size_t dmp_diag_count(const dmp_file *f);
/* Diagnostic `i` in the order found. DMP_OK, or DMP_E_NOT_FOUND when i >= dmp_diag_count(). */
DMP_API dmp_status dmp_diag_get(const dmp_file *f, size_t i, dmp_diag *out);
/* Writes a one-line description ("stream 2 (MemoryListStream) at 0x1a0: ...") into buf,
 * snprintf-style: returns the length it needed, NUL-terminates when cap > 0. */
DMP_API size_t dmp_diag_format(const dmp_diag *d, char *buf, size_t cap);
/* A short stable name for the kind ("range-truncated", ...), never NULL. */
DMP_API const char *dmp_diag_kind_name(dmp_diag_kind kind);

/* ---- Streams beyond memory: what a triage tool asks ------------------------------------- *
 *
 * Every stream below is decoded once, at open, from the mapped bytes; the accessors copy
 * small fixed-size records out and never allocate. A single-record stream (dmp_get_*) the dump
 * lacks gives DMP_E_ABSENT; one too damaged to use gives DMP_E_MALFORMED and a
 * DMP_DIAG_MALFORMED diagnostic naming it and the file offset. Lists are counted instead:
 * dmp_*_count is 0 when the stream is absent or unusable, and dmp_*_get(f, i, ...) is
 * DMP_E_NOT_FOUND for every i at or past the count, whether or not the stream exists (ask
 * dmp_stream_find to tell a missing list from an empty one). A damaged entry inside a list is
 * dropped on its own (with a diagnostic); the rest of the list and of the dump stays usable.
 *
 * Strings: every `const char *` here is UTF-8, NUL-terminated and owned by the dump (valid
 * until dmp_close). MINIDUMP_STRINGs (UTF-16LE) are converted with unpaired surrogates
 * replaced by U+FFFD; a string whose length is odd or runs past its stream or the file is
 * cut to what is sound, with a diagnostic. A string the dump does not have is "", not NULL,
 * except where a field says "NULL when ...". Byte spans (`const void *`) point into the
 * dump's bytes. */

/* Finds the first directory entry of `type` at or after entry `from`: DMP_OK with *index,
 * or DMP_E_ABSENT. Use it to walk repeated streams (several ExceptionStreams are real). */
DMP_API dmp_status dmp_stream_find(const dmp_file *f, uint32_t type, size_t from, size_t *index);
/* The bytes of directory entry i that lie inside the file (see dmp_stream.size). For
 * text streams (Breakpad's /proc copies, CommentStreamA) this is the text as written. */
DMP_API dmp_status dmp_stream_data(const dmp_file *f, size_t i, const void **data, size_t *len);

/* ProcessorArchitecture values (MINIDUMP_SYSTEM_INFO); Breakpad adds the 0x8000 range. */
enum {
    DMP_ARCH_X86 = 0,
    DMP_ARCH_MIPS = 1,
    DMP_ARCH_PPC = 3,
    DMP_ARCH_ARM = 5,
    DMP_ARCH_IA64 = 6,
    DMP_ARCH_AMD64 = 9,
    DMP_ARCH_X86_ON_WIN64 = 10,
    DMP_ARCH_ARM64 = 12,
    DMP_ARCH_SPARC = 0x8001,
    DMP_ARCH_PPC64 = 0x8002,
    DMP_ARCH_ARM64_BREAKPAD = 0x8003,
    DMP_ARCH_MIPS64 = 0x8004,
    DMP_ARCH_RISCV = 0x8005,
    DMP_ARCH_RISCV64 = 0x8006,
    DMP_ARCH_UNKNOWN = 0xffff,
};

/* PlatformId values: Windows' VER_PLATFORM_*, and Breakpad's for other systems. */
enum {
    DMP_PLATFORM_WIN32S = 0,
    DMP_PLATFORM_WIN9X = 1,
    DMP_PLATFORM_WINNT = 2,
    DMP_PLATFORM_WINCE = 3,
    DMP_PLATFORM_UNIX = 0x8000,
    DMP_PLATFORM_MACOS = 0x8101,
    DMP_PLATFORM_IOS = 0x8102,
    DMP_PLATFORM_LINUX = 0x8201,
    DMP_PLATFORM_SOLARIS = 0x8202,
    DMP_PLATFORM_ANDROID = 0x8203,
    DMP_PLATFORM_PS3 = 0x8204,
    DMP_PLATFORM_NACL = 0x8205,
    DMP_PLATFORM_FUCHSIA = 0x8206,
};

/* SystemInfoStream (7): MINIDUMP_SYSTEM_INFO. */
typedef struct dmp_system_info {
    uint16_t arch; /* DMP_ARCH_* */
    uint16_t processor_level;
    uint16_t processor_revision;
    uint8_t cpu_count;
    uint8_t product_type; /* 1 workstation, 2 domain controller, 3 server */
    uint32_t os_major;
    uint32_t os_minor;
    uint32_t os_build;
    uint32_t platform;       /* DMP_PLATFORM_* */
    const char *csd_version; /* service pack; Breakpad writes the kernel version here */
    uint16_t suite_mask;
    /* CPU_INFORMATION: the x86 form when arch is x86 or AMD64, else ProcessorFeatures. */
    char cpu_vendor[13]; /* CPUID vendor ("GenuineIntel"), "" when not x86 */
    uint32_t cpu_version_info;
    uint32_t cpu_feature_info;
    uint32_t cpu_amd_extended_features;
    uint64_t cpu_features[2];
} dmp_system_info;

DMP_API dmp_status dmp_get_system_info(const dmp_file *f, dmp_system_info *out);
/* "x86", "amd64", "arm", "arm64", ...: NULL when unknown. */
DMP_API const char *dmp_arch_name(uint32_t arch);
/* "Windows NT", "Linux", "macOS", "Android", ...: NULL when unknown. */
DMP_API const char *dmp_platform_name(uint32_t platform);

/* MiscInfoStream (15): MINIDUMP_MISC_INFO through _5. `size` says which version was written
 * (24, 44, 232, 832 or 1364 bytes) and `flags` (Flags1) which fields are valid. */
#define DMP_MISC_PROCESS_ID 0x1u
#define DMP_MISC_PROCESS_TIMES 0x2u
#define DMP_MISC_PROCESSOR_POWER_INFO 0x4u
#define DMP_MISC_PROCESS_INTEGRITY 0x10u
#define DMP_MISC_PROCESS_EXECUTE_FLAGS 0x20u
#define DMP_MISC_TIMEZONE 0x40u
#define DMP_MISC_PROTECTED_PROCESS 0x80u
#define DMP_MISC_BUILDSTRING 0x100u
#define DMP_MISC_PROCESS_COOKIE 0x200u

typedef struct dmp_misc_info {
    uint32_t size;  /* the MINIDUMP_MISC_INFO version decoded: 24 (v1), 44, 232, 832 or 1364
                       (v5); a stream with an unknown SizeOfInfo is decoded as the largest
                       version it holds */
    uint32_t flags; /* Flags1: DMP_MISC_* */
    uint32_t process_id;
    uint32_t process_create_time; /* Unix time */
    uint32_t process_user_time;   /* seconds */
    uint32_t process_kernel_time; /* seconds */
    uint32_t processor_max_mhz;
    uint32_t processor_current_mhz;
    uint32_t processor_mhz_limit;
    uint32_t processor_max_idle_state;
    uint32_t processor_current_idle_state;
    uint32_t process_integrity_level;
    uint32_t process_execute_flags;
    uint32_t protected_process;
    uint32_t time_zone_id;
    int32_t tz_bias; /* minutes, UTC = local + bias */
    const char *tz_standard_name;
    int32_t tz_standard_bias;
    const char *tz_daylight_name;
    int32_t tz_daylight_bias;
    const char *build_string;     /* the OS build ("15063.0.amd64fre.rs2_release.170317-1834") */
    const char *dbg_build_string; /* dbghelp's own build */
    uint32_t process_cookie;
} dmp_misc_info;

DMP_API dmp_status dmp_get_misc_info(const dmp_file *f, dmp_misc_info *out);

/* ProcessVmCountersStream (22): MINIDUMP_PROCESS_VM_COUNTERS_1 or _2, told by Revision.
 * Revision 1 is 80 bytes; 2 is 152 bytes and adds Flags, the virtual sizes, private
 * working set, shared commit and the job's commit figures (revisions above 2 are read as
 * _2). A stream shorter than its revision's record, or of revision 0, is DMP_E_MALFORMED.
 * Which fields the writer filled in is in `flags`: */
#define DMP_VM_COUNTERS 0x1u             /* page_fault_count through peak_pagefile_usage */
#define DMP_VM_COUNTERS_VIRTUALSIZE 0x2u /* peak_virtual_size, virtual_size */
#define DMP_VM_COUNTERS_EX 0x4u          /* private_usage */
#define DMP_VM_COUNTERS_EX2 0x8u         /* private_working_set_size, shared_commit_usage */
#define DMP_VM_COUNTERS_JOB 0x10u        /* the job_* fields: the process's job object */

typedef struct dmp_vm_counters {
    uint16_t revision; /* as written: 1, or 2 (and later) */
    uint16_t flags;    /* DMP_VM_COUNTERS_*: Flags as written for revision 2; revision 1 has no
                          Flags and gets DMP_VM_COUNTERS | DMP_VM_COUNTERS_EX, what it holds */
    uint32_t page_fault_count;
    uint64_t peak_working_set_size; /* bytes, as are all the sizes below */
    uint64_t working_set_size;
    uint64_t quota_peak_paged_pool_usage;
    uint64_t quota_paged_pool_usage;
    uint64_t quota_peak_non_paged_pool_usage;
    uint64_t quota_non_paged_pool_usage;
    uint64_t pagefile_usage; /* commit charge */
    uint64_t peak_pagefile_usage;
    /* Revision 2 only (0 for revision 1); each as written even when its flag is clear. */
    uint64_t peak_virtual_size;
    uint64_t virtual_size;
    uint64_t private_usage; /* both revisions */
    uint64_t private_working_set_size;
    uint64_t shared_commit_usage;
    uint64_t job_shared_commit_usage;
    uint64_t job_private_commit_usage;
    uint64_t job_peak_private_commit_usage;
    uint64_t job_private_commit_limit;
    uint64_t job_total_commit_limit;
} dmp_vm_counters;

/* DMP_OK, DMP_E_ABSENT, DMP_E_MALFORMED or DMP_E_INVALID_ARG. */
DMP_API dmp_status dmp_get_vm_counters(const dmp_file *f, dmp_vm_counters *out);

/* SystemMemoryInfoStream (21): MINIDUMP_SYSTEM_MEMORY_INFO_1, 492 bytes: the machine's memory
 * and paging figures when the dump was written, as Windows' kernel reported them. Revision 1
 * is the only layout documented; a later revision is decoded as 1 when the stream holds at
 * least 492 bytes (bytes past them are ignored). A stream shorter than that, or of revision 0,
 * is DMP_E_MALFORMED. Counts named *_pages are in pages of basic.page_size bytes. Which
 * optional fields the writer filled in is in `flags`: */
#define DMP_SYSMEM_FILECACHE_TRANSITION 0x1u /* file_cache.transition_repurpose_count, .flags */
#define DMP_SYSMEM_BASIC_PERF 0x2u           /* basic_perf */
#define DMP_SYSMEM_PERF_CC_DIRTY 0x4u /* perf.cc_total_dirty_pages, .cc_dirty_page_threshold */
#define DMP_SYSMEM_PERF_RESIDENT 0x8u /* perf.resident_available_pages, .shared_committed_pages */

/* MINIDUMP_SYSTEM_BASIC_INFORMATION. */
typedef struct dmp_sysmem_basic {
    uint32_t timer_resolution; /* in 100 ns units */
    uint32_t page_size;        /* bytes */
    uint32_t number_of_physical_pages;
    uint32_t lowest_physical_page_number;
    uint32_t highest_physical_page_number;
    uint32_t allocation_granularity; /* bytes */
    uint64_t minimum_user_mode_address;
    uint64_t maximum_user_mode_address;
    uint64_t active_processors_affinity_mask;
    uint32_t number_of_processors;
} dmp_sysmem_basic;

/* MINIDUMP_SYSTEM_FILECACHE_INFORMATION: the system file cache's working set. */
typedef struct dmp_sysmem_file_cache {
    uint64_t current_size; /* bytes */
    uint64_t peak_size;    /* bytes */
    uint32_t page_fault_count;
    uint64_t minimum_working_set;
    uint64_t maximum_working_set;
    uint64_t current_size_including_transition_in_pages;
    uint64_t peak_size_including_transition_in_pages;
    uint32_t transition_repurpose_count; /* DMP_SYSMEM_FILECACHE_TRANSITION */
    uint32_t flags;                      /* DMP_SYSMEM_FILECACHE_TRANSITION */
} dmp_sysmem_file_cache;

/* MINIDUMP_SYSTEM_BASIC_PERFORMANCE_INFORMATION (DMP_SYSMEM_BASIC_PERF): 64-bit page counts. */
typedef struct dmp_sysmem_basic_perf {
    uint64_t available_pages;
    uint64_t committed_pages;
    uint64_t commit_limit;    /* pages */
    uint64_t peak_commitment; /* pages */
} dmp_sysmem_basic_perf;

/* MINIDUMP_SYSTEM_PERFORMANCE_INFORMATION, the kernel's SYSTEM_PERFORMANCE_INFORMATION: every
 * member, in its order. Its page counts are 32-bit; basic_perf has the same four figures at
 * 64 bits. The last four are valid only under their flags. */
typedef struct dmp_sysmem_perf {
    uint64_t idle_process_time;       /* 100 ns units */
    uint64_t io_read_transfer_count;  /* bytes */
    uint64_t io_write_transfer_count; /* bytes */
    uint64_t io_other_transfer_count; /* bytes */
    uint32_t io_read_operation_count;
    uint32_t io_write_operation_count;
    uint32_t io_other_operation_count;
    uint32_t available_pages;
    uint32_t committed_pages;
    uint32_t commit_limit;
    uint32_t peak_commitment;
    uint32_t page_fault_count;
    uint32_t copy_on_write_count;
    uint32_t transition_count;
    uint32_t cache_transition_count;
    uint32_t demand_zero_count;
    uint32_t page_read_count;
    uint32_t page_read_io_count;
    uint32_t cache_read_count;
    uint32_t cache_io_count;
    uint32_t dirty_pages_write_count;
    uint32_t dirty_write_io_count;
    uint32_t mapped_pages_write_count;
    uint32_t mapped_write_io_count;
    uint32_t paged_pool_pages;
    uint32_t non_paged_pool_pages;
    uint32_t paged_pool_allocs;
    uint32_t paged_pool_frees;
    uint32_t non_paged_pool_allocs;
    uint32_t non_paged_pool_frees;
    uint32_t free_system_ptes;
    uint32_t resident_system_code_page;
    uint32_t total_system_driver_pages;
    uint32_t total_system_code_pages;
    uint32_t non_paged_pool_lookaside_hits;
    uint32_t paged_pool_lookaside_hits;
    uint32_t available_paged_pool_pages;
    uint32_t resident_system_cache_page;
    uint32_t resident_paged_pool_page;
    uint32_t resident_system_driver_page;
    uint32_t cc_fast_read_no_wait;
    uint32_t cc_fast_read_wait;
    uint32_t cc_fast_read_resource_miss;
    uint32_t cc_fast_read_not_possible;
    uint32_t cc_fast_mdl_read_no_wait;
    uint32_t cc_fast_mdl_read_wait;
    uint32_t cc_fast_mdl_read_resource_miss;
    uint32_t cc_fast_mdl_read_not_possible;
    uint32_t cc_map_data_no_wait;
    uint32_t cc_map_data_wait;
    uint32_t cc_map_data_no_wait_miss;
    uint32_t cc_map_data_wait_miss;
    uint32_t cc_pin_mapped_data_count;
    uint32_t cc_pin_read_no_wait;
    uint32_t cc_pin_read_wait;
    uint32_t cc_pin_read_no_wait_miss;
    uint32_t cc_pin_read_wait_miss;
    uint32_t cc_copy_read_no_wait;
    uint32_t cc_copy_read_wait;
    uint32_t cc_copy_read_no_wait_miss;
    uint32_t cc_copy_read_wait_miss;
    uint32_t cc_mdl_read_no_wait;
    uint32_t cc_mdl_read_wait;
    uint32_t cc_mdl_read_no_wait_miss;
    uint32_t cc_mdl_read_wait_miss;
    uint32_t cc_read_ahead_ios;
    uint32_t cc_lazy_write_ios;
    uint32_t cc_lazy_write_pages;
    uint32_t cc_data_flushes;
    uint32_t cc_data_pages;
    uint32_t context_switches;
    uint32_t first_level_tb_fills;
    uint32_t second_level_tb_fills;
    uint32_t system_calls;
    uint64_t cc_total_dirty_pages;    /* DMP_SYSMEM_PERF_CC_DIRTY */
    uint64_t cc_dirty_page_threshold; /* DMP_SYSMEM_PERF_CC_DIRTY */
    int64_t resident_available_pages; /* DMP_SYSMEM_PERF_RESIDENT (signed, as written) */
    uint64_t shared_committed_pages;  /* DMP_SYSMEM_PERF_RESIDENT */
} dmp_sysmem_perf;

/* Every part is decoded as written, whatever `flags` says. */
typedef struct dmp_system_memory_info {
    uint16_t revision; /* as written: 1 (or later) */
    uint16_t flags;    /* DMP_SYSMEM_*, as written */
    dmp_sysmem_basic basic;
    dmp_sysmem_file_cache file_cache;
    dmp_sysmem_basic_perf basic_perf;
    dmp_sysmem_perf perf;
} dmp_system_memory_info;

/* DMP_OK, DMP_E_ABSENT, DMP_E_MALFORMED or DMP_E_INVALID_ARG. When the dump holds several
 * SystemMemoryInfoStreams, the first sound one is used (the others get diagnostics). */
DMP_API dmp_status dmp_get_system_memory_info(const dmp_file *f, dmp_system_memory_info *out);

/* Thread contexts. The layout is told by the record's size and flags, cross-checked with
 * SystemInfo: Windows x86 (CONTEXT, 716 or 204 bytes), AMD64 (1232, or cut short after Rip
 * when the flags say AMD64, as LLDB 16 writes), ARM (416), ARM64
 * (912), and Breakpad/Crashpad's ARM (MDRawContextARM) and old ARM64 layouts. */
typedef enum dmp_cpu {
    DMP_CPU_UNKNOWN = 0,
    DMP_CPU_X86 = 1,
    DMP_CPU_AMD64 = 2,
    DMP_CPU_ARM = 3,
    DMP_CPU_ARM64 = 4,
} dmp_cpu;

#define DMP_MAX_REGS 48

typedef struct dmp_reg {
    const char *name; /* static: "rax", "x0", "pc" */
    uint64_t value;
} dmp_reg;

/* The integer register set of one context, with the three every unwinder starts from. */
typedef struct dmp_context {
    dmp_cpu cpu;
    uint32_t flags; /* ContextFlags as written */
    uint64_t ip;    /* eip, rip, pc */
    uint64_t sp;    /* esp, rsp, sp (r13 on ARM) */
    uint64_t fp;    /* ebp, rbp, x29, r11 */
    size_t reg_count;
    dmp_reg regs[DMP_MAX_REGS]; /* in the architecture's conventional order */
} dmp_context;

/* Decodes a context record (a thread's or an exception's): DMP_OK, DMP_E_INVALID_ARG, or
 * DMP_E_MALFORMED when no known layout has that size and flags (out->cpu is then
 * DMP_CPU_UNKNOWN). The dump's SystemInfo breaks ties. */
DMP_API dmp_status dmp_context_decode(const dmp_file *f, const void *data, size_t size,
                                      dmp_context *out);
/* "x86", "amd64", "arm", "arm64", or "unknown". */
DMP_API const char *dmp_cpu_name(dmp_cpu cpu);

/* ThreadListStream (3) or, when there is none, ThreadExListStream (8), joined by thread id
 * with ThreadInfoListStream (17) and ThreadNamesStream (24). */
typedef struct dmp_thread {
    uint32_t id;
    uint32_t suspend_count;
    uint32_t priority_class;
    uint32_t priority;
    uint64_t teb;
    uint64_t stack_start; /* read the stack with dmp_read_memory */
    uint64_t stack_size;
    uint64_t stack_rva;
    const void *context; /* the CONTEXT record, NULL when outside the file */
    uint32_t context_size;
    uint32_t context_rva;
    uint64_t backing_store_start; /* ThreadExList (IA-64) only */
    uint64_t backing_store_size;
    const char *name; /* ThreadNamesStream; NULL when the thread has none */
    int has_info;     /* the fields below come from a ThreadInfoList entry */
    uint32_t dump_flags;
    uint32_t dump_error;
    uint32_t exit_status;
    uint64_t create_time; /* FILETIME: 100 ns since 1601 */
    uint64_t exit_time;
    uint64_t kernel_time; /* 100 ns units */
    uint64_t user_time;
    uint64_t start_address;
    uint64_t affinity;
} dmp_thread;

/* Thread i in list order: DMP_OK, DMP_E_NOT_FOUND (i >= dmp_thread_count: every i when the dump
 * has no thread list), DMP_E_INVALID_ARG. */
DMP_API size_t dmp_thread_count(const dmp_file *f);
DMP_API dmp_status dmp_thread_get(const dmp_file *f, size_t i, dmp_thread *out);
/* The thread with this id: DMP_OK with *index, or DMP_E_NOT_FOUND. */
DMP_API dmp_status dmp_thread_find(const dmp_file *f, uint32_t id, size_t *index);

/* CodeView record signatures (the first four bytes, as a little-endian u32). */
#define DMP_CV_PDB70 0x53445352u /* "RSDS" */
#define DMP_CV_PDB20 0x3031424eu /* "NB10" */
/* Breakpad's and Crashpad's ELF build id: MD_CVINFOELF_SIGNATURE 'BpEL' as a u32, so the file
 * holds the bytes "LEpB". The other order ("BpEL" in the file) is accepted too. */
#define DMP_CV_ELF 0x4270454cu
#define DMP_CV_ELF_SWAPPED 0x4c457042u

/* ModuleListStream (4): MINIDUMP_MODULE with its name, version and debug identifiers. */
typedef struct dmp_module {
    uint64_t base;
    uint64_t size;
    uint32_t checksum;
    uint32_t timestamp;       /* TimeDateStamp of the PE header */
    const char *name;         /* the path as the writer saw it */
    int has_version;          /* VS_FIXEDFILEINFO carries its 0xfeef04bd signature */
    uint16_t file_version[4]; /* major, minor, build, revision */
    uint16_t product_version[4];
    uint32_t file_flags;
    uint32_t file_os;
    uint32_t file_type;
    uint32_t cv_signature;   /* DMP_CV_*, 0 when there is no CodeView record */
    uint8_t pdb_guid[16];    /* PDB70: the GUID as its bytes appear in the file */
    uint32_t pdb_age;        /* PDB70, PDB20 */
    uint32_t pdb_signature;  /* PDB20 */
    const char *pdb_name;    /* PDB70, PDB20: "" else */
    const uint8_t *build_id; /* ELF build id bytes, NULL when none */
    size_t build_id_len;
    const char *debug_id;  /* what a symbol server wants: the GUID in 32 upper-case hex
                              digits, then the age in lower-case hex, as Breakpad and
                              SymSrv print it (PDB70, and ELF ids folded Breakpad's way);
                              "" when none */
    const char *code_id;   /* PE: "TIMESTAMPSIZE" hex; ELF: the build id in hex */
    const void *cv_record; /* the raw CodeView record, NULL when none */
    uint32_t cv_size;
    const void *misc_record; /* IMAGE_DEBUG_MISC, NULL when none */
    uint32_t misc_size;
} dmp_module;

/* Module i in list order: DMP_OK, DMP_E_NOT_FOUND (i >= dmp_module_count: every i when the dump
 * has no module list), DMP_E_INVALID_ARG. */
DMP_API size_t dmp_module_count(const dmp_file *f);
DMP_API dmp_status dmp_module_get(const dmp_file *f, size_t i, dmp_module *out);
/* The module whose [base, base+size) holds addr: DMP_OK with *index and *offset (addr - base;
 * either may be NULL), or DMP_E_NOT_FOUND. O(log n). */
DMP_API dmp_status dmp_module_find(const dmp_file *f, uint64_t addr, size_t *index,
                                   uint64_t *offset);

/* UnloadedModuleListStream (14): MINIDUMP_UNLOADED_MODULE. */
typedef struct dmp_unloaded_module {
    uint64_t base;
    uint64_t size;
    uint32_t checksum;
    uint32_t timestamp;
    const char *name;
} dmp_unloaded_module;

DMP_API size_t dmp_unloaded_module_count(const dmp_file *f);
DMP_API dmp_status dmp_unloaded_module_get(const dmp_file *f, size_t i, dmp_unloaded_module *out);
/* The unloaded module whose [base, base+size) holds addr: DMP_OK with *index (may be NULL),
 * or DMP_E_NOT_FOUND. Of several (a DLL unloaded more than once), the lowest-based, then the
 * first listed. O(log n). */
DMP_API dmp_status dmp_unloaded_module_find(const dmp_file *f, uint64_t addr, size_t *index);

/* ExceptionStream (6): MINIDUMP_EXCEPTION_STREAM. A dump may hold several. On Linux and
 * Android, Breakpad and Crashpad write the signal number as the code and si_code as the
 * flags; on macOS the Mach exception type and code. */
typedef struct dmp_exception {
    uint32_t stream_index; /* its directory entry */
    uint32_t thread_id;
    uint32_t code;
    uint32_t flags;
    uint64_t record; /* address of a nested EXCEPTION_RECORD */
    uint64_t address;
    uint32_t param_count; /* NumberParameters as written; params holds the first 15 */
    uint64_t params[15];
    const void *context; /* the faulting thread's context, NULL when outside the file */
    uint32_t context_size;
    uint32_t context_rva;
} dmp_exception;

/* ExceptionStream i in directory order: DMP_OK, DMP_E_NOT_FOUND (i >= dmp_exception_count:
 * every i when the dump has none, or none usable), DMP_E_INVALID_ARG. */
DMP_API size_t dmp_exception_count(const dmp_file *f);
DMP_API dmp_status dmp_exception_get(const dmp_file *f, size_t i, dmp_exception *out);
/* "EXCEPTION_ACCESS_VIOLATION", "SIGSEGV", "EXC_BAD_ACCESS": the name of a code on a
 * platform (DMP_PLATFORM_*), NULL when unknown. */
DMP_API const char *dmp_exception_code_name(uint32_t code, uint32_t platform);

/* MemoryInfoListStream (16): MINIDUMP_MEMORY_INFO, decoded on each call (lists can be
 * long). Entries use the entry size the stream gives, so longer future entries parse. */
typedef struct dmp_memory_info {
    uint64_t base;
    uint64_t allocation_base;
    uint32_t allocation_protect;
    uint64_t region_size;
    uint32_t state;   /* MEM_COMMIT 0x1000, MEM_RESERVE 0x2000, MEM_FREE 0x10000 */
    uint32_t protect; /* PAGE_* */
    uint32_t type;    /* MEM_PRIVATE 0x20000, MEM_MAPPED 0x40000, MEM_IMAGE 0x1000000 */
} dmp_memory_info;

DMP_API size_t dmp_memory_info_count(const dmp_file *f);
DMP_API dmp_status dmp_memory_info_get(const dmp_file *f, size_t i, dmp_memory_info *out);
/* "MEM_COMMIT", "MEM_RESERVE", "MEM_FREE": NULL when not one of them. */
DMP_API const char *dmp_mem_state_name(uint32_t state);
/* "MEM_PRIVATE", "MEM_MAPPED", "MEM_IMAGE": NULL when not one of them. */
DMP_API const char *dmp_mem_type_name(uint32_t type);
/* "PAGE_READWRITE|PAGE_GUARD" into buf, snprintf-style; unknown bits as hex. */
DMP_API size_t dmp_mem_protect_format(uint32_t protect, char *buf, size_t cap);

/* HandleDataStream (12): MINIDUMP_HANDLE_DESCRIPTOR(_2). */
typedef struct dmp_handle {
    uint64_t handle;
    const char *type_name; /* "File", "Event", ... */
    const char *object_name;
    uint32_t attributes;
    uint32_t granted_access;
    uint32_t handle_count;
    uint32_t pointer_count;
    uint32_t object_info_rva; /* _2 only: MINIDUMP_HANDLE_OBJECT_INFORMATION chain */
} dmp_handle;

DMP_API size_t dmp_handle_count(const dmp_file *f);
DMP_API dmp_status dmp_handle_get(const dmp_file *f, size_t i, dmp_handle *out);

/* CommentStreamA (10) and CommentStreamW (11), as UTF-8 (A: bytes that are not UTF-8 are
 * replaced by U+FFFD). DMP_E_ABSENT when the dump has neither. */
DMP_API dmp_status dmp_get_comment(const dmp_file *f, const char **utf8);

/* Breakpad's BreakpadInfoStream (0x47670001). Ids are valid per the validity bits. */
typedef struct dmp_breakpad_info {
    uint32_t validity; /* 1: dump_thread_id valid, 2: requesting_thread_id valid */
    uint32_t dump_thread_id;
    uint32_t requesting_thread_id;
} dmp_breakpad_info;

DMP_API dmp_status dmp_get_breakpad_info(const dmp_file *f, dmp_breakpad_info *out);

/* Breakpad's LinuxAuxv (0x47670008): (type, value) pairs, word size from SystemInfo. */
DMP_API size_t dmp_auxv_count(const dmp_file *f);
DMP_API dmp_status dmp_auxv_get(const dmp_file *f, size_t i, uint64_t *type, uint64_t *value);

/* Breakpad's LinuxDsoDebug (0x4767000A): r_debug and its link_map entries. */
typedef struct dmp_linux_dso {
    uint64_t addr; /* l_addr: load bias */
    uint64_t ld;   /* l_ld: the DSO's dynamic section */
    const char *name;
} dmp_linux_dso;

DMP_API size_t dmp_linux_dso_count(const dmp_file *f);
DMP_API dmp_status dmp_linux_dso_get(const dmp_file *f, size_t i, dmp_linux_dso *out);

/* LinuxDsoDebug's MDRawDebug header (r_debug as the crashed process had it). DMP_OK,
 * DMP_E_ABSENT, DMP_E_MALFORMED (shorter than MDRawDebug for the word size) or
 * DMP_E_INVALID_ARG. dso_count is as written; dmp_linux_dso_count gives the entries read. */
typedef struct dmp_linux_debug {
    uint32_t version;   /* r_version */
    uint32_t map_rva;   /* file offset of the first MDRawLinkMap */
    uint32_t dso_count; /* link maps the writer says it wrote */
    uint64_t brk;       /* r_brk */
    uint64_t ldbase;    /* r_ldbase: the dynamic linker's load address */
    uint64_t dynamic;   /* the executable's _DYNAMIC */
} dmp_linux_debug;

DMP_API dmp_status dmp_get_linux_debug(const dmp_file *f, dmp_linux_debug *out);
/* "AT_PHDR", "AT_RANDOM", ... for an auxv type (Linux's elf.h numbering), NULL if unknown. */
DMP_API const char *dmp_auxv_type_name(uint64_t type);

/* Bytes of the dump as written: `len` bytes at `data`, not NUL-terminated, and they may hold
 * any byte (NULs and invalid UTF-8 included). Valid until dmp_close. */
typedef struct dmp_text {
    const char *data;
    size_t len;
} dmp_text;

/* Breakpad's Linux text streams, read as items. `type` is one of
 *   DMP_STREAM_LINUX_CMD_LINE, DMP_STREAM_LINUX_ENVIRON: NUL-separated strings (the argv of
 *     /proc/self/cmdline, the NAME=value entries of /proc/self/environ); the NUL ending the
 *     last one is not an item, empty strings between two NULs are;
 *   DMP_STREAM_LINUX_CPU_INFO, DMP_STREAM_LINUX_PROC_STATUS, DMP_STREAM_LINUX_LSB_RELEASE,
 *     DMP_STREAM_LINUX_MAPS: the non-empty lines, without their '\n' (NULs ending the
 *     stream, a C string's terminator, are not part of the last line).
 * The first stream of the type in directory order is read (later ones get a diagnostic); at
 * most 1048576 items of it are kept (past that, a diagnostic at the first one left out).
 * Count 0 for an absent stream or any other type; get: DMP_OK, DMP_E_NOT_FOUND (i at or past
 * the count) or DMP_E_INVALID_ARG. */
DMP_API size_t dmp_linux_item_count(const dmp_file *f, uint32_t type);
DMP_API dmp_status dmp_linux_item_get(const dmp_file *f, uint32_t type, size_t i, dmp_text *out);
/* Item i of LinuxProcStatus ("Key:\tvalue"), LinuxCpuInfo ("key\t: value") or LinuxLsbRelease
 * (KEY=value; one pair of enclosing double or single quotes is removed from the value) split
 * at its first ':' (or '=' for LsbRelease), spaces and tabs trimmed around both parts.
 * DMP_OK, DMP_E_NOT_FOUND (no such item, or the item has no separator: it is then not a
 * field), DMP_E_INVALID_ARG (NULL, or another stream type). */
DMP_API dmp_status dmp_linux_field_get(const dmp_file *f, uint32_t type, size_t i, dmp_text *key,
                                       dmp_text *value);
/* The value of the first field whose key is `key` (compared exactly): DMP_OK, DMP_E_NOT_FOUND,
 * DMP_E_INVALID_ARG. */
DMP_API dmp_status dmp_linux_field_find(const dmp_file *f, uint32_t type, const char *key,
                                        dmp_text *value);

/* A line of LinuxMaps (/proc/self/maps): "start-end perms offset major:minor inode path". */
typedef struct dmp_linux_map {
    uint64_t base;   /* start */
    uint64_t size;   /* end - start */
    uint64_t offset; /* file offset of the mapping */
    uint64_t inode;
    uint32_t dev_major;
    uint32_t dev_minor;
    char perms[5]; /* "r-xp" as written, NUL-terminated */
    dmp_text path; /* the rest of the line ("" for anonymous; "[stack]", "... (deleted)") */
} dmp_linux_map;

/* The lines of LinuxMaps that parse, in stream order; a line that does not (bad number,
 * missing field, end below start) is dropped with a diagnostic at its file offset. */
DMP_API size_t dmp_linux_map_count(const dmp_file *f);
DMP_API dmp_status dmp_linux_map_get(const dmp_file *f, size_t i, dmp_linux_map *out);

/* Crashpad's CrashpadInfoStream (0x43500001): ids and the process's simple annotations. */
typedef struct dmp_crashpad_info {
    uint8_t report_id[16]; /* UUIDs as their bytes appear in the file */
    uint8_t client_id[16];
    size_t annotation_count; /* process-level simple annotations */
} dmp_crashpad_info;

DMP_API dmp_status dmp_get_crashpad_info(const dmp_file *f, dmp_crashpad_info *out);
DMP_API dmp_status dmp_crashpad_annotation_get(const dmp_file *f, size_t i, const char **key,
                                               const char **value);

/* Crashpad's per-module annotations: CrashpadInfo's module_list, a
 * MinidumpModuleCrashpadInfoList whose links each name a module and its
 * MinidumpModuleCrashpadInfo. A link whose record is unusable is dropped (with a diagnostic);
 * an annotation list that is damaged keeps the entries that lie wholly inside its location
 * and the file. Counts are 0 when the dump has no CrashpadInfo. */
typedef struct dmp_crashpad_module {
    uint32_t module_index;        /* minidump_module_list_index: for dmp_module_get; a damaged dump
                                     may name a module the list lacks */
    uint32_t version;             /* MinidumpModuleCrashpadInfo.version, 1 so far */
    size_t list_annotation_count; /* list_annotations: strings */
    size_t simple_annotation_count; /* simple_annotations: key/value strings */
    size_t annotation_object_count; /* annotation_objects: typed annotations (20-byte records
                                       predate them: 0) */
} dmp_crashpad_module;

/* Crashpad's Annotation::Type: a string, or a type the client defined (0x8000 and up). */
#define DMP_CRASHPAD_ANNOTATION_INVALID 0u
#define DMP_CRASHPAD_ANNOTATION_STRING 1u
#define DMP_CRASHPAD_ANNOTATION_USER_DEFINED 0x8000u

/* One MinidumpAnnotation. */
typedef struct dmp_crashpad_annotation {
    const char *name;
    uint16_t type;     /* DMP_CRASHPAD_ANNOTATION_* or a client's own */
    const void *value; /* the MinidumpByteArray's bytes, borrowed from the dump (for STRING:
                          UTF-8 as written, not NUL-terminated); NULL when value_len is 0 */
    size_t value_len;  /* cut to what lies inside the file */
} dmp_crashpad_annotation;

DMP_API size_t dmp_crashpad_module_count(const dmp_file *f);
/* Module link `i` in list order. DMP_OK, DMP_E_NOT_FOUND or DMP_E_INVALID_ARG. */
DMP_API dmp_status dmp_crashpad_module_get(const dmp_file *f, size_t i, dmp_crashpad_module *out);
/* Annotation `k` of module link `i`, each kind in the order written: DMP_OK, or
 * DMP_E_NOT_FOUND when either index is out of range, or DMP_E_INVALID_ARG. */
DMP_API dmp_status dmp_crashpad_module_list_annotation_get(const dmp_file *f, size_t i, size_t k,
                                                           const char **value);
DMP_API dmp_status dmp_crashpad_module_simple_annotation_get(const dmp_file *f, size_t i, size_t k,
                                                             const char **key, const char **value);
DMP_API dmp_status dmp_crashpad_module_annotation_object_get(const dmp_file *f, size_t i, size_t k,
                                                             dmp_crashpad_annotation *out);

/* ---- Symbol files (Breakpad .sym) ------------------------------------------------------ */

/* A Breakpad text symbol file, opened lazily: the file is mapped (or borrowed, or inflated
 * from gzip) and read once at open to note where its FUNC, PUBLIC, FILE, INLINE_ORIGIN,
 * STACK CFI INIT and STACK WIN records start, in compact sorted arrays of offsets. Line,
 * INLINE and STACK CFI delta records are parsed only when a lookup lands in their function or
 * INIT, and nothing is cached, so an opened file never changes: any number of threads may look
 * up in it at once. Strings handed out point into the file (see dmp_sym_str) and stay valid
 * until dmp_sym_close().
 *
 * Records belong to the FUNC or STACK CFI INIT line above them in the file, as every writer
 * emits them; the records themselves may come in any address order (dump_syms writes them
 * sorted; the index is sorted at open when they are not). Where records overlap, Breakpad's
 * rule is kept: the one earlier in the file wins. */
typedef struct dmp_symfile dmp_symfile;

/* A run of bytes inside a symbol file: not NUL-terminated (print with "%.*s"). */
typedef struct dmp_sym_str {
    const char *ptr; /* never NULL; "" when len is 0 */
    size_t len;
} dmp_sym_str;

/* How much of a symbol file the open pass found, and what it could not use. */
typedef struct dmp_sym_info {
    dmp_sym_str os;        /* MODULE line: "windows", "Linux", "mac", ... ("" when absent) */
    dmp_sym_str arch;      /* "x86", "x86_64", "arm64", ... */
    dmp_sym_str id;        /* the debug id, e.g. 5A9832E5287241C1838ED98914E9B7FF1 */
    dmp_sym_str name;      /* the debug file, e.g. test_app.pdb */
    dmp_sym_str code_id;   /* INFO CODE_ID, "" when absent */
    dmp_sym_str code_file; /* INFO CODE_ID's optional second token */
    dmp_cpu cpu;           /* from arch: the register names and arithmetic width it implies */
    uint64_t line_count;   /* lines in the file */
    size_t file_count;     /* FILE records */
    size_t origin_count;   /* INLINE_ORIGIN records */
    size_t func_count;     /* FUNC records in the index (size 0 and overlapping ones left out) */
    size_t public_count;
    size_t cfi_count;     /* STACK CFI INIT records in the index */
    size_t win_count;     /* STACK WIN records of types 4 and 0 in the index */
    uint64_t bad_lines;   /* problems the open pass found (dmp_sym_diag_get), one or more a
                             line: unparseable, unknown, orphaned, overlapping records */
    uint64_t index_bytes; /* heap held by the index */
} dmp_sym_info;

/* Opens the .sym at `path` (mapped read-only; gzip is inflated onto the heap up to
 * DMP_DEFAULT_MAX_HEAP_INPUT). Anything that reads is accepted: a missing or odd MODULE line
 * and unparseable lines become diagnostics, and the rest of the file stays usable. `err` may
 * be NULL. Returns DMP_OK, DMP_E_INVALID_ARG, DMP_E_IO, DMP_E_NOMEM, DMP_E_INFLATE,
 * DMP_E_TOO_LARGE. */
DMP_API dmp_status dmp_sym_open(const char *path, dmp_symfile **out, dmp_error *err);
/* The same over a caller's buffer, which is not copied and must outlive the handle. */
DMP_API dmp_status dmp_sym_open_mem(const void *buf, size_t len, dmp_symfile **out, dmp_error *err);
/* dmp_sym_close(NULL) does nothing. */
DMP_API void dmp_sym_close(dmp_symfile *s);
DMP_API void dmp_sym_get_info(const dmp_symfile *s, dmp_sym_info *out);

/* Problems the open pass found, each naming its line: kinds are DMP_SYM_DIAG_*. Only the
 * first DMP_SYM_MAX_DIAGS are kept; dmp_sym_info.bad_lines counts them all. */
#define DMP_SYM_MAX_DIAGS 64
typedef enum dmp_sym_diag_kind {
    DMP_SYM_DIAG_MODULE = 1,   /* no MODULE line first, or one that is not 4 tokens */
    DMP_SYM_DIAG_SYNTAX = 2,   /* a record that does not parse; it is left out */
    DMP_SYM_DIAG_UNKNOWN = 3,  /* a line that is no known record (left out) */
    DMP_SYM_DIAG_OVERLAP = 4,  /* a FUNC or STACK CFI INIT overlapping an earlier one (left out) */
    DMP_SYM_DIAG_ORPHAN = 5,   /* a line, INLINE or delta record with no FUNC/INIT above it */
    DMP_SYM_DIAG_DUPLICATE = 6 /* a FILE or INLINE_ORIGIN id given twice (the first wins) */
} dmp_sym_diag_kind;
typedef struct dmp_sym_diag {
    dmp_sym_diag_kind kind;
    uint64_t line;   /* 1-based line number in the symbol file */
    uint64_t offset; /* byte offset of that line */
} dmp_sym_diag;
DMP_API size_t dmp_sym_diag_count(const dmp_symfile *s);
DMP_API dmp_status dmp_sym_diag_get(const dmp_symfile *s, size_t i, dmp_sym_diag *out);
DMP_API const char *dmp_sym_diag_kind_name(dmp_sym_diag_kind kind);
/* The 1-based line number of a byte offset in the file (counts newlines up to it: O(offset),
 * for messages). */
DMP_API uint64_t dmp_sym_line_of(const dmp_symfile *s, uint64_t offset);

/* One inlined call covering the address, innermost first. By Breakpad's rule, the file and
 * line an inline frame shows are where the call inside it was made: the innermost frame shows
 * the line table's line, each outer frame its child's call site, and the function itself
 * (dmp_sym_lookup.file/line) the outermost call site. */
typedef struct dmp_sym_inline {
    dmp_sym_str name; /* the INLINE_ORIGIN's name; "<name omitted>" when its id is unknown */
    uint64_t start;   /* start of the INLINE range holding the address */
    uint32_t depth;   /* the record's nesting level, 0 outermost */
    int has_line;
    dmp_sym_str file; /* what this frame shows, see above */
    uint32_t line;
} dmp_sym_inline;

#define DMP_SYM_MAX_INLINES 64

typedef enum dmp_sym_kind {
    DMP_SYM_NONE = 0,
    DMP_SYM_FUNC = 1,
    DMP_SYM_PUBLIC = 2,
} dmp_sym_kind;

/* What a symbol file says of a module-relative address. */
typedef struct dmp_sym_lookup {
    dmp_sym_kind kind;
    dmp_sym_str name;    /* the FUNC's or PUBLIC's name */
    uint64_t start;      /* its address */
    uint64_t size;       /* FUNC: its size; PUBLIC: up to the next FUNC or PUBLIC (0: to
                            the end of the module) */
    uint32_t param_size; /* bytes of stack parameters (x86) */
    int multiple;        /* the `m` flag: several functions were folded at this address */
    uint64_t sym_offset; /* the record's byte offset in the symbol file */
    int has_line;        /* file and line are set (FUNC only): the line record's covering the
                            address (line_size > 0), or with inlines the outermost call site */
    dmp_sym_str file;    /* the source file shown for the function (see dmp_sym_inline) */
    uint32_t line;
    uint64_t line_start; /* the line record's address and size */
    uint64_t line_size;
    size_t inline_count;   /* entries in inlines[] */
    int inlines_truncated; /* more than DMP_SYM_MAX_INLINES were nested here */
    dmp_sym_inline inlines[DMP_SYM_MAX_INLINES];
    uint64_t bad_records; /* line and INLINE records of this FUNC that did not parse and */
    uint64_t bad_offset;  /* were skipped, and the byte offset of the first */
} dmp_sym_lookup;

/* Looks up `addr` (relative to the module's base): DMP_OK with *out filled (kind FUNC or
 * PUBLIC), DMP_E_NOT_FOUND when neither covers it, DMP_E_INVALID_ARG. A FUNC covers
 * [start, start+size); a PUBLIC from its address to the next FUNC or PUBLIC. O(log n) plus
 * one pass over the FUNC's own line and INLINE records. */
DMP_API dmp_status dmp_sym_lookup_addr(const dmp_symfile *s, uint64_t addr, dmp_sym_lookup *out);

/* The STACK CFI rules in force at an address: the INIT record's, then every delta record up to
 * the address, later ones replacing earlier rules for the same register. */
#define DMP_CFI_MAX_RULES 72
typedef struct dmp_cfi_rule {
    dmp_sym_str reg;  /* ".cfa", ".ra", "$rbp", "x29", ... as written, without the colon */
    dmp_sym_str expr; /* its postfix expression */
} dmp_cfi_rule;
typedef struct dmp_cfi_rules {
    uint64_t init_start; /* the INIT record's range */
    uint64_t init_size;
    uint64_t sym_offset; /* the INIT record's byte offset */
    size_t count;
    dmp_cfi_rule rules[DMP_CFI_MAX_RULES];
} dmp_cfi_rules;

/* DMP_OK with *out, DMP_E_NOT_FOUND when no INIT covers addr, DMP_E_MALFORMED when the rules
 * do not parse (a register without an expression, more than DMP_CFI_MAX_RULES registers),
 * DMP_E_INVALID_ARG. */
DMP_API dmp_status dmp_sym_find_cfi(const dmp_symfile *s, uint64_t addr, dmp_cfi_rules *out);

/* A STACK WIN record (Windows x86 frame data). */
typedef struct dmp_win_record {
    uint32_t type; /* 4 (FRAME_DATA) or 0 (FPO) */
    uint64_t start;
    uint64_t size;
    uint32_t prologue_size;
    uint32_t epilogue_size;
    uint32_t param_size;
    uint32_t saved_regs_size;
    uint32_t locals_size;
    uint32_t max_stack_size;
    int has_program; /* the last field is a program string ... */
    dmp_sym_str program;
    int allocates_base_pointer; /* ... or this flag */
    uint64_t sym_offset;        /* the record's byte offset */
} dmp_win_record;

/* The STACK WIN record covering addr: type 4 over type 0; within a type, the innermost of
 * nested records (an enclosing record more than 256 records before the address, all nested
 * in it, is not found). DMP_OK, DMP_E_NOT_FOUND, DMP_E_INVALID_ARG. */
DMP_API dmp_status dmp_sym_find_win(const dmp_symfile *s, uint64_t addr, dmp_win_record *out);

/* ---- Registers and the postfix evaluator ---------------------------------------------- */

/* Memory for the evaluator (and the walker), with the shape of DbgEng's ReadMemory: DMP_OK only
 * when all `len` bytes were read into dst; anything else is a failure. `bytes_read` may be NULL.
 * dmp_read_memory fits it with `ctx` the dmp_file (see dmp_memory_of). */
typedef dmp_status (*dmp_read_fn)(void *ctx, uint64_t addr, void *dst, size_t len,
                                  size_t *bytes_read);
typedef struct dmp_memory {
    dmp_read_fn read;
    void *ctx;
} dmp_memory;
/* A dmp_memory reading the dump's captured memory with dmp_read_memory. */
DMP_API dmp_memory dmp_memory_of(const dmp_file *f);

/* An unwinding register set: value[i] holds register i of the CPU's numbering (see
 * dmp_reg_name), valid when bit i of `valid` is set. Numberings: x86 eip esp ebp ebx esi edi
 * eax ecx edx eflags; amd64 in DWARF order rax rdx rcx rbx rsi rdi rbp rsp r8-r15 rip; arm64
 * x0-x28 fp lr sp pc; arm r0-r10 fp r12 sp lr pc (as Breakpad prints them). */
#define DMP_REGS_MAX 64
typedef struct dmp_regs {
    dmp_cpu cpu;
    uint64_t valid;
    uint64_t value[DMP_REGS_MAX];
} dmp_regs;

/* Register i's canonical name ("eip", "rax", "fp", "sp", "r11"), NULL past the last. */
DMP_API const char *dmp_reg_name(dmp_cpu cpu, unsigned i);
/* The number of a register named as symbol files do: with or without '$'; arm64 also takes
 * x29 and x30 for fp and lr; arm takes r11, ip (r12), r13-r15; x86 efl for eflags. -1
 * when unknown. */
DMP_API int dmp_reg_lookup(dmp_cpu cpu, const char *name, size_t len);
/* The index of the instruction pointer and stack pointer. */
DMP_API unsigned dmp_reg_ip(dmp_cpu cpu);
DMP_API unsigned dmp_reg_sp(dmp_cpu cpu);
/* Fills a register set from a decoded context. DMP_OK, DMP_E_INVALID_ARG (unknown cpu). */
DMP_API dmp_status dmp_regs_from_context(const dmp_context *ctx, dmp_regs *out);

/* The evaluator's state: the registers, up to DMP_EVAL_MAX_VARS other variables ($T0, $L,
 * .cfa, .raSearchStart, ...), and the memory `^` reads. Arithmetic is 32-bit for x86 and arm,
 * 64-bit otherwise. Initialise with dmp_eval_init. */
#define DMP_EVAL_MAX_VARS 32
#define DMP_EVAL_MAX_STACK 64 /* operands held at once */
#define DMP_EVAL_MAX_TOKENS 4096
typedef struct dmp_eval {
    dmp_regs regs;
    uint64_t assigned; /* registers set by '=' since dmp_eval_init */
    dmp_memory mem;
    size_t var_count;
    struct {
        char name[24];
        uint64_t value;
    } vars[DMP_EVAL_MAX_VARS];
} dmp_eval;

DMP_API void dmp_eval_init(dmp_eval *ev, const dmp_regs *regs, dmp_memory mem);
/* Sets a variable or, when `name` is a register, that register. DMP_OK, DMP_E_INVALID_ARG
 * (name longer than 23 bytes or empty), DMP_E_NOMEM (no room for another variable). */
DMP_API dmp_status dmp_eval_set(dmp_eval *ev, const char *name, uint64_t value);
DMP_API dmp_status dmp_eval_get(const dmp_eval *ev, const char *name, uint64_t *value);

/* Evaluates an expression that leaves one value (a CFI rule): DMP_OK with *value; else
 * DMP_E_MALFORMED (syntax, stack underflow or overflow, a value left over, division by zero,
 * an unknown variable, too many tokens) or DMP_E_UNMAPPED (`^` could not read its address). */
DMP_API dmp_status dmp_eval_expr(dmp_eval *ev, const char *expr, size_t len, uint64_t *value);
/* Runs a STACK WIN program: a sequence of `$name value =` assignments leaving the stack empty.
 * Statuses as dmp_eval_expr. Variables assigned before a failure keep their values. */
DMP_API dmp_status dmp_eval_program(dmp_eval *ev, const char *prog, size_t len);

/* Applies CFI rules: the caller's registers from the callee's. .cfa is evaluated first, then
 * .ra with .cfa known, then each register rule; the caller's stack pointer is the CFA and its
 * instruction pointer the return address, unless a rule names them itself. Only registers with
 * a rule are valid in *caller (keeping callee-saved ones is the walker's business); a register
 * whose rule fails is left invalid.
 * DMP_OK, DMP_E_NOT_FOUND (no .cfa or no .ra rule), or the status of the failing .cfa/.ra
 * expression. `cfa` and `ra` may be NULL. */
DMP_API dmp_status dmp_cfi_apply(const dmp_cfi_rules *rules, const dmp_regs *callee, dmp_memory mem,
                                 dmp_regs *caller, uint64_t *cfa, uint64_t *ra);

/* ---- Symbol store ---------------------------------------------------------------------- */

/* Folders of symbol files in Breakpad's layout,
 * <debug file>/<debug id>/<debug file less .pdb>.sym, searched in order; failing the debug
 * file and id, the code file and code id are tried the same way. A module's file is opened
 * the first time it is asked for and remembered, found or not, until dmp_symstore_free. The
 * store may be shared by threads: lookups are serialised by a mutex held only while a file is
 * being searched for and opened. */
typedef struct dmp_symstore dmp_symstore;

typedef enum dmp_sym_state {
    DMP_SYM_FOUND = 0,
    DMP_SYM_MISSING = 1, /* no folder has it */
    DMP_SYM_CORRUPT = 2, /* a file is there but could not be read */
    DMP_SYM_NO_ID = 3,   /* the module has no debug file and id to look up */
} dmp_sym_state;

DMP_API dmp_status dmp_symstore_new(dmp_symstore **out);
/* Appends a folder. DMP_OK, DMP_E_INVALID_ARG, DMP_E_NOMEM. */
DMP_API dmp_status dmp_symstore_add_dir(dmp_symstore *st, const char *dir);
DMP_API void dmp_symstore_free(dmp_symstore *st);
/* The symbol file for a module identified by its debug file (a path; its last component is
 * used, '\\' or '/') and debug id, or failing that its code file and code id (either pair may
 * be NULL). DMP_OK with *out (owned by the store) and, when `path` is not NULL, the file's
 * path (owned by the store); DMP_E_NOT_FOUND with *state saying why; DMP_E_INVALID_ARG,
 * DMP_E_NOMEM. `state` may be NULL. */
DMP_API dmp_status dmp_symstore_get(dmp_symstore *st, const char *debug_file, const char *debug_id,
                                    const char *code_file, const char *code_id,
                                    const dmp_symfile **out, const char **path,
                                    dmp_sym_state *state);
/* The same for a module of a dump: its CodeView debug file and id (for ELF modules, the
 * module's file name and Breakpad's debug id), else its name and code id. */
DMP_API dmp_status dmp_symstore_get_module(dmp_symstore *st, const dmp_module *m,
                                           const dmp_symfile **out, const char **path,
                                           dmp_sym_state *state);
DMP_API const char *dmp_sym_state_name(dmp_sym_state state);

/* ---- Module images ---------------------------------------------------------------------- */

/* A dump's module images: where the walker finds unwind data (Windows x64 exception
 * directories, ELF .eh_frame and .debug_frame) and names (PE exports, ELF symbol tables) when
 * no symbol file gives them. A module's image is read from the dump's own memory when the dump
 * captured it (full-memory dumps hold every module as loaded), else from a file in one of the
 * folders added: <dir>/<name> (matched case-insensitively) or <dir>/<name>/<code id>/<name>, a
 * symbol server's layout. A file is used only when its id is the module's: a PE's
 * TimeDateStamp and SizeOfImage, an ELF's build id; one that is not is named in the reason.
 * Each module is looked for the first time a walk asks, then remembered until
 * dmp_images_free, which must come after the dump's walks are done (stacks copy the names
 * they take). The set may be shared by threads: searching is serialised by a mutex. */
typedef struct dmp_images dmp_images;

typedef enum dmp_image_source {
    DMP_IMAGE_UNSEARCHED = 0, /* no walk has asked for it yet */
    DMP_IMAGE_NONE = 1,       /* not found: dmp_image_info.why says why */
    DMP_IMAGE_DUMP = 2,       /* the dump's memory */
    DMP_IMAGE_FILE = 3,       /* a file: dmp_image_info.path */
} dmp_image_source;

typedef struct dmp_image_info {
    dmp_image_source source;
    const char *path;   /* DMP_IMAGE_FILE: the file, else "" */
    const char *format; /* "PE32+", "PE32", "ELF64", "ELF32", or "" */
    const char *why;    /* what was tried and rejected ("libc.so.6: build id 1a2b... is not
                           the module's 3c4d..."), "" when nothing was */
    int has_unwind;     /* holds unwind data the walker reads */
    int has_names;      /* holds exports or symbols */
} dmp_image_info;

/* A set for dump f, reading images from its memory; f must outlive it. DMP_OK,
 * DMP_E_INVALID_ARG, DMP_E_NOMEM. */
DMP_API dmp_status dmp_images_new(const dmp_file *f, dmp_images **out);
/* Appends a folder of module files. DMP_OK, DMP_E_INVALID_ARG, DMP_E_NOMEM. */
DMP_API dmp_status dmp_images_add_dir(dmp_images *im, const char *dir);
/* Whether images are read from the dump's memory (on by default); off, only files are used. */
DMP_API void dmp_images_use_dump(dmp_images *im, int on);
/* Reads images from `mem` instead of the dump's memory (a live process, another capture):
 * the memory a walk's dmp_walk_options.memory reads. Call before any walk uses the set. */
DMP_API void dmp_images_set_memory(dmp_images *im, dmp_memory mem);
DMP_API void dmp_images_free(dmp_images *im);
/* Module i's image. With `search`, looks for it now if no walk has; without, reports
 * DMP_IMAGE_UNSEARCHED for a module not asked for yet. Strings are owned by the set.
 * DMP_OK, DMP_E_NOT_FOUND (no module i), DMP_E_INVALID_ARG, DMP_E_NOMEM. */
DMP_API dmp_status dmp_images_module(dmp_images *im, size_t module_index, int search,
                                     dmp_image_info *out);
/* "unsearched", "none", "dump", "file". */
DMP_API const char *dmp_image_source_name(dmp_image_source source);

/* ---- Stack walking ---------------------------------------------------------------------- */

/* How a frame was found, in Breakpad's terms (and rust-minidump's JSON "trust" strings). */
typedef enum dmp_frame_trust {
    DMP_TRUST_NONE = 0,
    DMP_TRUST_SCAN = 1,     /* a return address found by scanning the stack */
    DMP_TRUST_CFI_SCAN = 2, /* STACK WIN rules, then a scan for a plausible return address */
    DMP_TRUST_FP = 3,       /* the frame-pointer chain */
    DMP_TRUST_CFI = 4,      /* STACK CFI or STACK WIN rules */
    DMP_TRUST_CONTEXT = 6,  /* the thread's (or the exception's) context */
    DMP_TRUST_LEAF = 8,     /* Windows amd64 frame 0 without unwind data: a simulated return */
    DMP_TRUST_UNWIND = 9,   /* unwind data from the module's image (see dmp_images) */
} dmp_frame_trust;

/* "none", "scan", "cfi_scan", "frame_pointer", "cfi", "context", "leaf", "unwind_info". */
DMP_API const char *dmp_frame_trust_name(dmp_frame_trust trust);

/* Why a walk stopped: every walk says. */
typedef enum dmp_walk_end {
    DMP_WALK_NO_CALLER = 0,   /* no method found a caller */
    DMP_WALK_IP_LOW = 1,      /* the caller's instruction pointer is below 4096 */
    DMP_WALK_SP_NOT_UP = 2,   /* the caller's stack pointer does not increase */
    DMP_WALK_UNCAPTURED = 3,  /* the memory a method needed was not captured */
    DMP_WALK_FRAME_LIMIT = 4, /* dmp_walk_options.max_frames reached */
    DMP_WALK_SCAN_LIMIT = 5,  /* dmp_walk_options.max_scanned frames were scanned */
    DMP_WALK_FP_END = 6,      /* the frame-pointer chain ended with a zero frame pointer */
    DMP_WALK_BAD_RETURN = 7,  /* unwind rules gave a return address outside any code: a smashed
                                 stack or bad rules; dmp_stack_bad_return says which */
    DMP_WALK_NO_CONTEXT = 8,  /* the thread has no usable context */
    DMP_WALK_OUTERMOST = 9,   /* the image's unwind data marks the last frame as the outermost
                                 (an undefined return address: _start, a thread's start) */
} dmp_walk_end;

/* "no caller found", "instruction pointer below 4096", ... */
DMP_API const char *dmp_walk_end_name(dmp_walk_end end);

/* Options of a walk; zero-initialise. Fields are only ever appended. */
typedef struct dmp_walk_options {
    dmp_memory memory;       /* where stack memory is read; read == NULL: dmp_memory_of(f) */
    dmp_symstore *symbols;   /* CFI, STACK WIN and names; NULL: walk without symbols */
    size_t max_frames;       /* 0: 1024 */
    size_t max_scanned;      /* most frames found by scanning; 0: 1024 */
    int stack_only;          /* read only the thread's own stack region, as Breakpad does */
    int breakpad_compatible; /* Breakpad's rules alone (for comparison): no return-address
                                checks, no frame-pointer chain end, no module extents from
                                LinuxMaps, Breakpad's .cbCalleeParams, no module images
                                (docs/WALK.md) */
    dmp_images *images;      /* unwind data and names from module images; NULL: a set reading
                                the dump's own memory (not `memory`) is made for the walk */
    int no_images;           /* use no module images at all */
} dmp_walk_options;

/* Where a frame's function name came from. */
typedef enum dmp_name_source {
    DMP_NAME_SYMBOLS = 0, /* a symbol file */
    DMP_NAME_EXPORTS = 1, /* the nearest export of the PE image, or the ELF image's .dynsym */
    DMP_NAME_SYMTAB = 2,  /* the ELF image's .symtab */
} dmp_name_source;

/* One frame. Registers are the unwinder's numbering (dmp_reg_name), valid where `regs.valid`
 * says. Symbol strings point into symbol files held by the store. */
typedef struct dmp_frame {
    uint64_t ip;        /* the instruction pointer: the return address in callers */
    uint64_t lookup_ip; /* the address symbols are looked up at: ip, or in callers the
                           return address less 1 (x86, amd64), 2 (arm) or 4 (arm64) */
    uint64_t sp;
    dmp_frame_trust trust;
    dmp_regs regs;
    int has_module;
    size_t module_index;    /* dmp_module_get */
    uint64_t module_offset; /* ip - module base */
    dmp_sym_state symbols;  /* whether the module's symbol file was found */
    int has_function;
    dmp_sym_str function;
    uint64_t function_address; /* absolute */
    int has_line;
    dmp_sym_str file;
    uint32_t line;
    uint64_t line_address;           /* absolute start of the line record */
    size_t inline_count;             /* inline frames, see dmp_stack_inline_get */
    dmp_name_source function_source; /* with has_function: symbols, or the image's names (then
                                        function points into the stack's own copy) */
} dmp_frame;

typedef struct dmp_stack dmp_stack;

/* Walks thread `thread_index` (dmp_thread_get). The crashing thread starts from the exception's
 * context. DMP_OK with *out (free with dmp_stack_free) even when the walk stops early: the
 * reason is dmp_stack_end; DMP_E_NOT_FOUND (no such thread), DMP_E_NOMEM, DMP_E_INVALID_ARG.
 * A thread without a decodable context gives a stack of no frames ending DMP_WALK_NO_CONTEXT.
 * Safe to call from several threads at once on one dump and one store. */
DMP_API dmp_status dmp_walk_thread(const dmp_file *f, size_t thread_index,
                                   const dmp_walk_options *opts, dmp_stack **out);
/* Walks from a context the caller supplies, with `stack_start`/`stack_size` the stack region
 * (used by stack_only; 0 and 0 when unknown). */
DMP_API dmp_status dmp_walk_context(const dmp_file *f, const dmp_context *ctx, uint64_t stack_start,
                                    uint64_t stack_size, const dmp_walk_options *opts,
                                    dmp_stack **out);
DMP_API void dmp_stack_free(dmp_stack *st);
DMP_API size_t dmp_stack_frame_count(const dmp_stack *st);
DMP_API dmp_status dmp_stack_frame_get(const dmp_stack *st, size_t i, dmp_frame *out);
/* Inline frame k of frame i, innermost first (see dmp_sym_inline for the file/line rule). */
DMP_API dmp_status dmp_stack_inline_get(const dmp_stack *st, size_t i, size_t k,
                                        dmp_sym_inline *out);
DMP_API dmp_walk_end dmp_stack_end(const dmp_stack *st);
/* With DMP_WALK_BAD_RETURN: the rejected return address. */
DMP_API uint64_t dmp_stack_bad_return(const dmp_stack *st);
/* The thread the stack belongs to (0 for dmp_walk_context), and whether it started from the
 * exception's context. */
DMP_API uint32_t dmp_stack_thread_id(const dmp_stack *st);
DMP_API int dmp_stack_from_exception(const dmp_stack *st);

/* ---- The crash at a glance ------------------------------------------------------------ */

/* What every triage tool works out before anything else, done once here: the dump's CPU
 * with its pointer size and byte order, and the crash: which exception, its name, which
 * thread, and the registers at the fault. */

/* The CPU of the dumped process. */
typedef struct dmp_arch_info {
    uint32_t arch;         /* SystemInfo's DMP_ARCH_*; DMP_ARCH_UNKNOWN without SystemInfo */
    dmp_cpu cpu;           /* the register set the walker knows, DMP_CPU_UNKNOWN for others */
    unsigned pointer_size; /* 4 or 8 bytes: the width of an address in the process's memory */
    int big_endian;        /* memory holds words most significant byte first (PPC, PPC64);
                              0 for every CPU Windows, Linux and macOS dumps come from today */
    int from_context;      /* SystemInfo was missing or named no known CPU: told from a
                              thread's context record (the crashing one's first) */
} dmp_arch_info;

/* The dump's CPU, from SystemInfo's ProcessorArchitecture, else from the layout of a context
 * record (the exception's, then each thread's). DMP_OK with *out; DMP_E_NOT_FOUND when
 * neither tells it; DMP_E_INVALID_ARG. Cheap: no walking, no allocation. */
DMP_API dmp_status dmp_get_arch(const dmp_file *f, dmp_arch_info *out);

/* Where the registers at a fault came from. */
typedef enum dmp_context_source {
    DMP_CONTEXT_NONE = 0,      /* neither record below is there and decodes */
    DMP_CONTEXT_EXCEPTION = 1, /* the ExceptionStream's own context record */
    DMP_CONTEXT_THREAD = 2,    /* the faulting thread's context in the thread list */
} dmp_context_source;

/* "none", "exception", "thread". */
DMP_API const char *dmp_context_source_name(dmp_context_source source);

/* The registers at exception i's fault: its own context record when that decodes, else the
 * context of the thread it names (as debuggers and Breakpad do). DMP_OK with *ctx and, when
 * `source` is not NULL, where they came from; DMP_E_NOT_FOUND (no exception i, or neither
 * record is there and decodes), DMP_E_INVALID_ARG. */
DMP_API dmp_status dmp_exception_context(const dmp_file *f, size_t i, dmp_context *ctx,
                                         dmp_context_source *source);

/* The name of an exception code on the dump's own platform (SystemInfo's PlatformId;
 * NTSTATUS names when the dump has no SystemInfo): dmp_exception_code_name without the
 * system-info call. NULL when unknown; a NULL f reads as a dump without SystemInfo. */
DMP_API const char *dmp_exception_name(const dmp_file *f, uint32_t code);

/* The crash: the first usable ExceptionStream (the one Breakpad, LLDB and WinDbg report when a
 * dump holds several), its name, its thread and the registers at the fault. */
typedef struct dmp_crash {
    size_t exception_index; /* for dmp_exception_get: 0 */
    dmp_exception exception;
    const char *name;                  /* dmp_exception_name of its code; NULL when unknown */
    int has_thread;                    /* the exception's thread is in the thread list ... */
    size_t thread_index;               /* ... at this index (dmp_thread_get, dmp_walk_thread) */
    dmp_context_source context_source; /* DMP_CONTEXT_NONE: `context` is not set */
    dmp_context context; /* as dmp_exception_context: the exception's, else the thread's */
} dmp_crash;

/* Fills *out for the dump's crash. DMP_OK even when the thread or the context is missing
 * (see has_thread, context_source); DMP_E_ABSENT when the dump has no ExceptionStream (a dump
 * written on request, or by a writer without one); DMP_E_MALFORMED when it has one but none is
 * usable (see the diagnostics); DMP_E_INVALID_ARG. */
DMP_API dmp_status dmp_get_crash(const dmp_file *f, dmp_crash *out);

/* Why exception i happened, as far as its code's sub-code says: an access violation's kind
 * and address, a fast-fail code, a signal's si_code, a Mach exception's code, the signal a
 * macOS EXC_CRASH carries. Strings are static; NULL when not known. */
typedef struct dmp_exception_reason {
    const char *name;   /* dmp_exception_name of the code (for macOS's signal-only records,
                           Crashpad's code 0, the carried signal's name) */
    const char *detail; /* the sub-code's name: "EXCEPTION_ACCESS_VIOLATION_WRITE",
                           "FAST_FAIL_FATAL_APP_EXIT", "SEGV_MAPERR", "SI_TKILL",
                           "KERN_INVALID_ADDRESS", "EXC_I386_INVOP"; NULL when unknown */
    int has_subcode;    /* the code has a sub-code, `subcode` (detail names it when known) */
    uint64_t subcode;   /* parameter 0 on Windows, the exception flags elsewhere */
    const char *access; /* "read", "write", "execute": how an access violation or an
                           in-page error touched memory; NULL otherwise */
    int has_address;    /* `address` is the data address the fault was about ... */
    uint64_t address;   /* ... (parameter 1 on Windows; si_addr or the Mach code 1) */
    int has_status;     /* `status` is EXCEPTION_IN_PAGE_ERROR's NTSTATUS (parameter 2) */
    uint32_t status;
    int has_signal; /* macOS: the BSD signal an EXC_CRASH carries (Crashpad and Breakpad) */
    uint32_t signal;
    const char *signal_name; /* "SIGSEGV", macOS's numbering; NULL when unknown */
} dmp_exception_reason;

/* Decodes exception i's sub-codes on the dump's own platform (SystemInfo's PlatformId and,
 * for Mach codes, its CPU; Windows without SystemInfo). Reads only the decoded exception's
 * fields, so any values are safe. DMP_OK with *out; DMP_E_NOT_FOUND (no exception i),
 * DMP_E_INVALID_ARG. */
DMP_API dmp_status dmp_exception_reason_get(const dmp_file *f, size_t i, dmp_exception_reason *out);

/* Breakpad's assertion stream (0x47670002, MDRawAssertionInfo): an invalid-parameter or
 * pure-virtual-call handler's report, its UTF-16 fields as UTF-8 (up to the first NUL). */
typedef struct dmp_assertion {
    const char *expression; /* empty strings when the writer did not know them */
    const char *function;
    const char *file;
    uint32_t line;
    uint32_t type; /* 1: invalid parameter, 2: pure virtual call; others as written */
} dmp_assertion;

/* "invalid parameter", "pure virtual call": NULL for other types. */
DMP_API const char *dmp_assertion_type_name(uint32_t type);
/* The first usable assertion stream (later ones get a diagnostic). DMP_OK with *out (strings
 * owned by f); DMP_E_ABSENT when there is none; DMP_E_MALFORMED when every one is shorter
 * than MDRawAssertionInfo's 776 bytes (a diagnostic names each); DMP_E_INVALID_ARG. */
DMP_API dmp_status dmp_get_assertion(const dmp_file *f, dmp_assertion *out);

#ifdef __cplusplus
}
#endif

#endif /* DMPREAD_H */
