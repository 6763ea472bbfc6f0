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
     * larger allocation is attempted. */
    uint64_t max_heap_input;
} dmp_options;

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
 * MINIDUMP_HEADER, or lacks the "MDMP" signature. Everything after the header is validated
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
 * DMP_E_WRAP when addr+len passes 2^64 (first_missing is then untouched). */
DMP_API dmp_status dmp_find_uncovered(const dmp_file *f, uint64_t addr, uint64_t len,
                                      uint64_t *first_missing);

/* How many bytes starting at `addr` can be read in one piece: 0 when addr itself is not
 * captured. Never fails. */
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
} dmp_diag_kind;

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
} dmp_diag;

DMP_API size_t dmp_diag_count(const dmp_file *f);
/* Diagnostic `i` in the order found. DMP_OK, or DMP_E_NOT_FOUND when i >= dmp_diag_count(). */
DMP_API dmp_status dmp_diag_get(const dmp_file *f, size_t i, dmp_diag *out);
/* Writes a one-line description ("stream 2 (MemoryListStream) at 0x1a0: ...") into buf,
 * snprintf-style: returns the length it needed, NUL-terminates when cap > 0. */
DMP_API size_t dmp_diag_format(const dmp_diag *d, char *buf, size_t cap);
/* A short stable name for the kind ("range-truncated", ...), never NULL. */
DMP_API const char *dmp_diag_kind_name(dmp_diag_kind kind);

#ifdef __cplusplus
}
#endif

#endif /* DMPREAD_H */
