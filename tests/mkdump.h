/* mkdump.h - a test-only builder that assembles minidumps in memory, byte by byte.
 * SPDX-License-Identifier: MIT
 *
 * Layout of what it builds: the 32-byte MINIDUMP_HEADER, then room for the directory
 * (`max_streams` entries, sized when the builder is made), then every appended blob in the
 * order it was appended. Memory payloads are appended after their list, so cutting the
 * finished buffer short truncates memory, not the directory.
 *
 * Every function aborts on allocation failure or misuse: tests want bytes, not errors.
 */
#ifndef DMPREAD_MKDUMP_H
#define DMPREAD_MKDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mkdump;

/* One memory range to put in a list. Its payload bytes are mkd_byte(tag, addr + i). For
 * MemoryList, `rva` overrides where the descriptor points (payload then not written) when
 * `explicit_rva` is set; `size` over 2^32 is only meaningful in Memory64List. */
struct mkd_range {
    uint64_t addr;
    uint64_t size;
    uint8_t tag;
    bool explicit_rva;
    uint32_t rva;
};

#define MKD_DEFAULT_STREAMS 16

/* A builder with room for `max_streams` directory entries (0: MKD_DEFAULT_STREAMS). */
struct mkdump *mkd_new(uint32_t max_streams);
void mkd_free(struct mkdump *b);

/* The byte the builder writes at address `addr` of a range tagged `tag`. */
uint8_t mkd_byte(uint8_t tag, uint64_t addr);

/* Appends raw bytes (data may be NULL for zeros) and returns their file offset. */
uint64_t mkd_append(struct mkdump *b, const void *data, size_t len);
/* Appends `len` payload bytes for address `addr` with `tag` and returns their file offset. */
uint64_t mkd_append_payload(struct mkdump *b, uint8_t tag, uint64_t addr, size_t len);
/* The current end of the file, where the next append goes. */
uint64_t mkd_size(const struct mkdump *b);

/* Adds a directory entry and returns its index. */
uint32_t mkd_add_stream(struct mkdump *b, uint32_t type, uint32_t rva, uint32_t size);
/* Appends `data` as a stream of `type` and returns the entry's index. */
uint32_t mkd_add_stream_data(struct mkdump *b, uint32_t type, const void *data, size_t len);

/* A MINIDUMP_SYSTEM_INFO (56 bytes) naming only a platform (DMP_PLATFORM_*) and a
 * ProcessorArchitecture; returns the directory index. */
uint32_t mkd_add_system_info(struct mkdump *b, uint32_t platform, uint16_t arch);
/* Breakpad's MDRawAssertionInfo (776 bytes): the ASCII strings as UTF-16LE, cut to 127
 * units so each keeps its NUL; returns the directory index. */
uint32_t mkd_add_assertion(struct mkdump *b, const char *expression, const char *function,
                           const char *file, uint32_t line, uint32_t type);

/* A MINIDUMP_MEMORY_LIST of `n` ranges (count padded to 8 bytes when `padded`), then the
 * payloads. Returns the directory index. */
uint32_t mkd_add_memory_list(struct mkdump *b, const struct mkd_range *r, size_t n, bool padded);
/* A MINIDUMP_MEMORY64_LIST of `n` ranges with BaseRva right after it, then the payloads
 * back to back. Returns the directory index. */
uint32_t mkd_add_memory64_list(struct mkdump *b, const struct mkd_range *r, size_t n);

/* The file offset of a stream's bytes, and of its directory entry. */
uint64_t mkd_stream_rva(const struct mkdump *b, uint32_t index);
uint64_t mkd_dir_entry_offset(uint32_t index);

/* Overwrites bytes already written. The header and directory are (re)written by mkd_finish,
 * so poke those after it: the finished buffer is the builder's own and changes in place. */
void mkd_poke_u32(struct mkdump *b, uint64_t off, uint32_t v);
void mkd_poke_u64(struct mkdump *b, uint64_t off, uint64_t v);

/* Writes the header and directory and returns the whole file (the builder keeps owning it
 * until mkd_free); *len receives its size. The builder may be used again afterwards. */
const uint8_t *mkd_finish(struct mkdump *b, size_t *len);
/* The bytes as they are now, without rewriting header and directory (for pokes made
 * after mkd_finish). */
const uint8_t *mkd_data(const struct mkdump *b, size_t *len);
/* Like mkd_finish, but returns a malloc'd copy the caller frees. */
uint8_t *mkd_finish_copy(struct mkdump *b, size_t *len);

/* Writes the finished dump to `path`; false on I/O failure. */
bool mkd_write_file(struct mkdump *b, const char *path);

/* Little-endian stores for tests that build records by hand. */
void mkd_store_u16(uint8_t *p, uint16_t v);
void mkd_store_u32(uint8_t *p, uint32_t v);
void mkd_store_u64(uint8_t *p, uint64_t v);

#endif /* DMPREAD_MKDUMP_H */
