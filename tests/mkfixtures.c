/* mkfixtures.c - writes the small committed dumps of testdata/ (described in its README.md).
 * SPDX-License-Identifier: MIT
 *
 * usage: mkfixtures DIR               writes every fixture into DIR
 *        mkfixtures --inflate IN OUT  writes IN to OUT, inflated when it is gzip
 *
 * Every fixture is assembled with tests/mkdump, so its bytes depend on nothing but this file.
 * The ctest `testdata_fresh` (tests/fixtures.cmake) regenerates them and compares with the
 * committed copies; --inflate lets it compare gzip fixtures by content, since deflate output
 * may differ between zlib versions. Addresses, sizes and tags here are facts the tests and
 * testdata/README.md rely on: change them together.
 */
#include "mkdump.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define R(a, s, t)                                                                                 \
    {                                                                                              \
        (a), (s), (t), false, 0                                                                    \
    }
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

#define HEADER_FLAGS_OFF 24         /* MINIDUMP_HEADER.Flags */
#define HEADER_STREAM_COUNT_OFF 8   /* MINIDUMP_HEADER.NumberOfStreams */
#define HEADER_DIRECTORY_RVA_OFF 12 /* MINIDUMP_HEADER.StreamDirectoryRva */
#define MINIDUMP_WITH_FULL_MEMORY 0x2u

static const char *out_dir;

static FILE *open_out(const char *name)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", out_dir, name) >= (int)sizeof path) {
        fprintf(stderr, "mkfixtures: path too long: %s/%s\n", out_dir, name);
        return NULL;
    }
    FILE *const fp = fopen(path, "wb");
    if (!fp)
        perror(path);
    return fp;
}

static bool write_bytes(const char *name, const uint8_t *data, size_t len)
{
    FILE *const fp = open_out(name);
    if (!fp)
        return false;
    const bool ok = fwrite(data, 1, len, fp) == len;
    if (fclose(fp) != 0 || !ok) {
        fprintf(stderr, "mkfixtures: cannot write %s\n", name);
        return false;
    }
    return true;
}

/* A gzip member with zlib's minimal header: no file name, MTIME 0, so the bytes depend only
 * on the input and the zlib version. */
static bool write_gzip(const char *name, const uint8_t *data, size_t len)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 9, Z_DEFLATED, 16 + 15, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return false;
    const uLong cap = deflateBound(&zs, (uLong)len);
    uint8_t *const out = malloc(cap);
    if (!out) {
        deflateEnd(&zs);
        return false;
    }
    zs.next_in = (Bytef *)(uintptr_t)data; /* zlib's next_in is not const without ZLIB_CONST */
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    const int ret = deflate(&zs, Z_FINISH);
    const size_t out_len = zs.total_out;
    deflateEnd(&zs);
    const bool ok = ret == Z_STREAM_END && write_bytes(name, out, out_len);
    free(out);
    return ok;
}

/* Writes what the builder holds now (header and directory as last finished or poked). */
static bool write_dump(struct mkdump *b, const char *name, size_t len)
{
    size_t full;
    const uint8_t *const data = mkd_data(b, &full);
    const bool ok = len <= full && write_bytes(name, data, len);
    mkd_free(b);
    return ok;
}

static bool finish_and_write(struct mkdump *b, const char *name)
{
    size_t len;
    mkd_finish(b, &len);
    return write_dump(b, name, len);
}

/* MemoryList: two abutting ranges and one apart. Memory64List: three abutting ranges, one
 * apart, and one overlapping the MemoryList's second range, which keeps the shared bytes. */
static bool make_basic(void)
{
    struct mkdump *const b = mkd_new(2);
    const struct mkd_range list[] = {
        R(0x10000, 0x1000, 1),
        R(0x11000, 0x800, 1),
        R(0x20000, 0x100, 1),
    };
    const struct mkd_range list64[] = {
        R(0x30000, 0x400, 2), R(0x30400, 0x400, 2), R(0x30800, 0x400, 2),
        R(0x40000, 0x200, 2), R(0x11600, 0x400, 2),
    };
    mkd_add_memory_list(b, list, COUNT(list), false);
    mkd_add_memory64_list(b, list64, COUNT(list64));
    return finish_and_write(b, "basic.dmp");
}

/* A MINIDUMP_MEMORY_LIST whose count is padded to 8 bytes (DataSize == 8 + 16 * count). */
static bool make_padded(void)
{
    struct mkdump *const b = mkd_new(1);
    const struct mkd_range list[] = {
        R(0x1000000, 0x80, 9),
        R(0x1000080, 0x80, 9),
        R(0x2000000, 0x40, 9),
    };
    mkd_add_memory_list(b, list, COUNT(list), true);
    return finish_and_write(b, "padded.dmp");
}

/* The file ends 0x40 bytes into the Memory64List's second range; its third starts past EOF. */
static bool make_truncated(void)
{
    struct mkdump *const b = mkd_new(2);
    const struct mkd_range list[] = {R(0x50000, 0x100, 3), R(0x51000, 0x100, 3)};
    const struct mkd_range list64[] = {
        R(0x60000, 0x100, 4),
        R(0x61000, 0x100, 4),
        R(0x62000, 0x100, 4),
    };
    mkd_add_memory_list(b, list, COUNT(list), false);
    mkd_add_memory64_list(b, list64, COUNT(list64));
    size_t len;
    mkd_finish(b, &len);
    /* The payloads of ranges 1 and 2 (0x100 bytes each) end the file. */
    return write_dump(b, "truncated.dmp", len - 0x200 + 0x40);
}

/* Overlaps within and across lists, in three streams; the earlier descriptor keeps each
 * byte. Together the pieces cover 0xffe00..0x100580 without a gap. */
static bool make_overlap(void)
{
    struct mkdump *const b = mkd_new(3);
    const struct mkd_range first[] = {
        R(0x100000, 0x100, 0x11),
        R(0x100080, 0x100, 0x11), /* overlaps the one before: keeps 0x100100..0x10017f */
        R(0x100400, 0x100, 0x11),
    };
    const struct mkd_range second[] = {
        R(0xfff00, 0x600, 0x22),  /* fills 0xfff00..0xfffff and 0x100180..0x1003ff */
        R(0x100000, 0x80, 0x22),  /* wholly shadowed: owns nothing */
        R(0x100480, 0x100, 0x22), /* keeps 0x100500..0x10057f */
    };
    const struct mkd_range third[] = {
        R(0xffe00, 0x200, 0x33), /* a later MemoryList: keeps only 0xffe00..0xffeff */
    };
    mkd_add_memory_list(b, first, COUNT(first), false);
    mkd_add_memory64_list(b, second, COUNT(second));
    mkd_add_memory_list(b, third, COUNT(third), false);
    return finish_and_write(b, "overlap.dmp");
}

/* Most of what the reader must survive, in one file; testdata/README.md lists it. */
static bool make_malformed(void)
{
    struct mkdump *const b = mkd_new(5);
    const struct mkd_range list[] = {
        R(0x80000, 0x100, 0x55), R(0x81000, 0, 0x55), /* zero-size */
        R(0xfffffffffffff000u, 0x2000, 0x55),         /* start + size passes 2^64 */
    };
    const struct mkd_range list64[] = {
        R(0x90000, 0x100, 0x66),
        R(0xffffffffffffff00u, 0x200, 0x66), /* passes 2^64: dropped, its bytes skipped */
        R(0xffffffffffffff80u, 0x80, 0x66),  /* ends exactly at 2^64: kept */
    };
    const uint32_t s0 = mkd_add_memory_list(b, list, COUNT(list), false);
    mkd_poke_u32(b, mkd_stream_rva(b, s0), 1000); /* the count claims 1000 descriptors */
    mkd_add_memory64_list(b, list64, COUNT(list64));
    const uint64_t unknown = mkd_append(b, "UNKNOWN!", 8);
    mkd_add_stream(b, 0x7fff0001, (uint32_t)unknown, 0x10000); /* runs past EOF */
    mkd_add_stream_data(b, 5, "\x01\x00", 2); /* a MemoryList too small for its count */
    mkd_add_stream(b, 9, 0x7fff0000, 0x20);   /* a Memory64List starting past EOF */

    /* Move the directory to the end of the file and claim one entry more than it holds. */
    size_t len;
    const uint8_t *const data = mkd_finish(b, &len);
    uint8_t dir[5 * 12];
    memcpy(dir, data + mkd_dir_entry_offset(0), sizeof dir);
    const uint64_t dir_rva = mkd_append(b, dir, sizeof dir);
    mkd_finish(b, &len);
    mkd_poke_u32(b, HEADER_STREAM_COUNT_OFF, 6);
    mkd_poke_u32(b, HEADER_DIRECTORY_RVA_OFF, (uint32_t)dir_rva);
    return write_dump(b, "malformed.dmp", len);
}

/* A "full memory" style dump: only a Memory64List of whole pages, gzip-compressed. */
static bool make_full_gz(void)
{
    struct mkdump *const b = mkd_new(1);
    const struct mkd_range list64[] = {
        R(0x400000, 0x1000, 7),       R(0x401000, 0x1000, 7),       R(0x402000, 0x1000, 7),
        R(0x410000, 0x1000, 7),       R(0x7ffe0000, 0x1000, 7),     R(0x7ffe1000, 0x1000, 7),
        R(0x7ff612340000, 0x1000, 7), R(0x7ff612341000, 0x1000, 7), R(0x7ff612342000, 0x1000, 7),
        R(0x7ff612343000, 0x1000, 7),
    };
    mkd_add_memory64_list(b, list64, COUNT(list64));
    size_t len;
    const uint8_t *const data = mkd_finish(b, &len);
    mkd_poke_u64(b, HEADER_FLAGS_OFF, MINIDUMP_WITH_FULL_MEMORY);
    const bool ok = write_gzip("full.dmp.gz", data, len);
    mkd_free(b);
    return ok;
}

/* ---- triage.dmp: the streams a triage reads, as a Windows 10 x64 writer lays them out ---- */

/* A record built field by field, little-endian, then appended or added as a stream. */
struct rec {
    uint8_t bytes[2048];
    size_t len;
};

static void put(struct rec *r, uint64_t v, size_t n)
{
    if (r->len + n > sizeof r->bytes)
        abort();
    for (size_t i = 0; i < n; i++)
        r->bytes[r->len++] = (uint8_t)(v >> (8 * i));
}

static void put16(struct rec *r, uint64_t v)
{
    put(r, v, 2);
}
static void put32(struct rec *r, uint64_t v)
{
    put(r, v, 4);
}
static void put64(struct rec *r, uint64_t v)
{
    put(r, v, 8);
}

static void pad_to(struct rec *r, size_t len)
{
    while (r->len < len)
        put(r, 0, 1);
}

/* Pads the file to a multiple of 4 bytes, as dbghelp aligns what it writes. */
static void align4(struct mkdump *b)
{
    static const uint8_t zeros[4];
    const size_t pad = (4 - mkd_size(b) % 4) % 4;
    if (pad > 0)
        mkd_append(b, zeros, pad);
}

/* Adds the record as a stream of `type`, 4-byte aligned; returns the directory index. */
static uint32_t add_rec_stream(struct mkdump *b, uint32_t type, const struct rec *r)
{
    align4(b);
    return mkd_add_stream_data(b, type, r->bytes, r->len);
}

/* Appends the record, 4-byte aligned; returns its RVA. */
static uint32_t append_rec(struct mkdump *b, const struct rec *r)
{
    align4(b);
    return (uint32_t)mkd_append(b, r->bytes, r->len);
}

/* UTF-8 (well-formed, from this file) to UTF-16LE code units, into r; returns bytes put. */
static size_t put_utf16(struct rec *r, const char *s)
{
    const size_t start = r->len;
    const unsigned char *u = (const unsigned char *)s;
    while (*u) {
        const size_t n = *u < 0x80 ? 1 : *u < 0xe0 ? 2 : *u < 0xf0 ? 3 : 4;
        uint32_t cp = n == 1 ? *u : *u & (0x7fu >> n);
        for (size_t i = 1; i < n; i++)
            cp = cp << 6 | (u[i] & 0x3fu);
        u += n;
        if (cp >= 0x10000) {
            put16(r, 0xd800 + ((cp - 0x10000) >> 10));
            put16(r, 0xdc00 + ((cp - 0x10000) & 0x3ff));
        } else {
            put16(r, cp);
        }
    }
    return r->len - start;
}

/* Appends a MINIDUMP_STRING (byte length, UTF-16LE, a NUL unit not counted) and returns its
 * RVA. */
static uint32_t add_string(struct mkdump *b, const char *utf8)
{
    struct rec r = {.len = 4};
    const size_t n = put_utf16(&r, utf8);
    put16(&r, 0);
    mkd_store_u32(r.bytes, (uint32_t)n);
    return append_rec(b, &r);
}

/* A WCHAR[n] field (TIME_ZONE_INFORMATION names, BuildString), NUL-padded. */
static void put_wchars(struct rec *r, const char *utf8, size_t n)
{
    const size_t end = r->len + 2 * n;
    put_utf16(r, utf8);
    pad_to(r, end);
}

#define CONTEXT_AMD64_SIZE 1232
#define CONTEXT_AMD64_ALL 0x10001fu /* CONTEXT_AMD64 | control, integer, segments, FP, debug */

/* The integer registers of an AMD64 CONTEXT, in its field order from Rax (offset 0x78). */
enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15, RIP };
#define AMD64_REGS (RIP + 1)

/* Appends a 1232-byte AMD64 CONTEXT and returns its RVA. */
static uint32_t add_context_amd64(struct mkdump *b, const uint64_t regs[AMD64_REGS])
{
    struct rec r = {.len = 0};
    pad_to(&r, 0x30); /* P1Home..P6Home */
    put32(&r, CONTEXT_AMD64_ALL);
    put32(&r, 0x1f80);                /* MxCsr */
    put16(&r, 0x33), put16(&r, 0x2b); /* SegCs, SegDs */
    put16(&r, 0x2b), put16(&r, 0x53); /* SegEs, SegFs */
    put16(&r, 0x2b), put16(&r, 0x2b); /* SegGs, SegSs */
    put32(&r, 0x10246);               /* EFlags */
    pad_to(&r, 0x78);                 /* Dr0..Dr3, Dr6, Dr7 */
    for (size_t i = 0; i < AMD64_REGS; i++)
        put64(&r, regs[i]);
    pad_to(&r, CONTEXT_AMD64_SIZE); /* FltSave, vector registers, debug control */
    return append_rec(b, &r);
}

#define T_MAIN 0x1a10u   /* thread ids */
#define T_WORKER 0x1a14u /* the crashing thread */
#define T_IDLE 0x1a18u
#define CRASH_BASE 0x7ff6a1b20000u /* crashme.exe */
#define CRASH_IP (CRASH_BASE + 0x1234)
#define NTDLL_BASE 0x7ffe2c800000u
#define PLUGIN_BASE 0x7ffe1a000000u
#define STACK_MAIN 0xa1b27ffe00u /* 0x200 bytes each, ending at the stack base */
#define STACK_WORKER 0xa1b2cffe00u
#define STACK_IDLE 0xa1b33ffe00u
#define UNIX_CREATED 1714564740u /* 2024-05-01 11:59:00 UTC */
#define FILETIME_OF(unix) (((uint64_t)(unix) + 11644473600u) * 10000000u)

/* MINIDUMP_THREAD_LIST of three; the stack RVAs are poked in once the MemoryList is laid
 * out. Returns the directory index. */
static uint32_t add_thread_list(struct mkdump *b)
{
    uint64_t main_regs[AMD64_REGS] = {0}, worker_regs[AMD64_REGS] = {0};
    main_regs[RAX] = 0x4, main_regs[RCX] = 0x88, main_regs[RBX] = 0x1d2e4a53f20;
    main_regs[RSP] = STACK_MAIN + 0x48, main_regs[RSI] = 0x1, main_regs[RDI] = 0x88;
    main_regs[R8] = 0xa1b27ffe38, main_regs[R9] = 0x7ffe2c8a1000, main_regs[R11] = 0x246;
    main_regs[RIP] = NTDLL_BASE + 0x9d3f4; /* waiting in the kernel */
    worker_regs[RCX] = 0xa1b2cffe40, worker_regs[RDX] = 0xa1b2cffe90;
    worker_regs[RSP] = STACK_WORKER + 0x10;
    worker_regs[RIP] = NTDLL_BASE + 0xa0f10; /* dispatching the exception */
    const uint32_t ctx_main = add_context_amd64(b, main_regs);
    const uint32_t ctx_worker = add_context_amd64(b, worker_regs);
    const struct {
        uint32_t id, suspend, prio_class, prio;
        uint64_t teb, stack;
        uint32_t ctx_size, ctx_rva;
    } t[] = {
        {T_MAIN, 0, 0x20, 0, 0xa1b2e13000, STACK_MAIN, CONTEXT_AMD64_SIZE, ctx_main},
        {T_WORKER, 0, 0x20, 1, 0xa1b2e15000, STACK_WORKER, CONTEXT_AMD64_SIZE, ctx_worker},
        /* Suspended, THREAD_PRIORITY_LOWEST (-2), and written without a context. */
        {T_IDLE, 1, 0x20, 0xfffffffe, 0xa1b2e17000, STACK_IDLE, 0, 0},
    };
    struct rec r = {.len = 0};
    put32(&r, COUNT(t));
    for (size_t i = 0; i < COUNT(t); i++) {
        put32(&r, t[i].id), put32(&r, t[i].suspend), put32(&r, t[i].prio_class);
        put32(&r, t[i].prio), put64(&r, t[i].teb);
        put64(&r, t[i].stack), put32(&r, 0x200), put32(&r, 0); /* Stack: RVA poked later */
        put32(&r, t[i].ctx_size), put32(&r, t[i].ctx_rva);
    }
    return add_rec_stream(b, 3, &r);
}

/* MINIDUMP_THREAD_NAME_LIST: names for two threads of three. The worker's name holds a
 * quote, a tab and a character outside the BMP (a surrogate pair in UTF-16). */
static void add_thread_names(struct mkdump *b)
{
    const uint32_t main_name = add_string(b, "main");
    const uint32_t worker_name = add_string(b, "worker \"1\"\t\xf0\x9f\xa7\xb5");
    struct rec r = {.len = 0};
    put32(&r, 2);
    put32(&r, T_MAIN), put64(&r, main_name); /* MINIDUMP_THREAD_NAME: 12 bytes, pack(4) */
    put32(&r, T_WORKER), put64(&r, worker_name);
    add_rec_stream(b, 24, &r);
}

/* MINIDUMP_THREAD_INFO_LIST: entries for the main and worker threads only. */
static void add_thread_info(struct mkdump *b)
{
    struct rec r = {.len = 0};
    put32(&r, 12), put32(&r, 64), put32(&r, 2); /* SizeOfHeader, SizeOfEntry, count */
    put32(&r, T_MAIN), put32(&r, 0), put32(&r, 0), put32(&r, 0x103); /* STILL_ACTIVE */
    put64(&r, FILETIME_OF(UNIX_CREATED)), put64(&r, 0);
    put64(&r, 156250), put64(&r, 312500); /* kernel, user: 100 ns units */
    put64(&r, CRASH_BASE + 0x2000), put64(&r, 0xff);
    put32(&r, T_WORKER), put32(&r, 0), put32(&r, 0), put32(&r, 0x103);
    put64(&r, FILETIME_OF(UNIX_CREATED + 2) + 1234567), put64(&r, 0);
    put64(&r, 0), put64(&r, 20000);
    put64(&r, CRASH_BASE + 0x3450), put64(&r, 0xf0);
    add_rec_stream(b, 17, &r);
}

/* VS_FIXEDFILEINFO with its signature, or 13 zero words when `v` is NULL (no version). */
static void put_version(struct rec *r, const uint16_t *v, uint32_t file_type)
{
    if (!v) {
        pad_to(r, r->len + 52);
        return;
    }
    put32(r, 0xfeef04bd), put32(r, 0x10000); /* signature, StrucVersion */
    put32(r, (uint32_t)v[0] << 16 | v[1]), put32(r, (uint32_t)v[2] << 16 | v[3]); /* file */
    put32(r, (uint32_t)v[0] << 16 | v[1]), put32(r, 0); /* product: major.minor.0.0 */
    put32(r, 0x3f), put32(r, 0), put32(r, 0x40004);     /* FlagsMask, Flags, VOS_NT_WINDOWS32 */
    put32(r, file_type), put32(r, 0), put32(r, 0), put32(r, 0); /* type, subtype, date */
}

/* A PDB 7.0 CodeView record ("RSDS", GUID, age, UTF-8 path); returns its RVA, *size its
 * length. */
static uint32_t add_rsds(struct mkdump *b, uint32_t guid1, uint8_t guid_tail, uint32_t age,
                         const char *pdb, uint32_t *size)
{
    struct rec r = {.len = 0};
    put32(&r, 0x53445352);                                  /* "RSDS" */
    put32(&r, guid1), put16(&r, 0x9abc), put16(&r, 0xdef0); /* Data1, Data2, Data3 */
    for (int i = 0; i < 8; i++)                             /* Data4 */
        put(&r, (uint64_t)(guid_tail + i), 1);
    put32(&r, age);
    for (const char *c = pdb; *c; c++)
        put(&r, (uint8_t)*c, 1);
    put(&r, 0, 1);
    *size = (uint32_t)r.len;
    return append_rec(b, &r);
}

/* MINIDUMP_MODULE_LIST: the program, ntdll, and a plugin with a non-ASCII path and neither
 * version information nor a CodeView record. */
static void add_module_list(struct mkdump *b)
{
    static const uint16_t crash_version[4] = {1, 2, 3, 4};
    static const uint16_t ntdll_version[4] = {10, 0, 19041, 3636};
    uint32_t cv_size[2];
    const uint32_t cv[2] = {
        add_rsds(b, 0x12345678, 0x10, 3, "C:\\build\\crashme\\x64\\Release\\crashme.pdb",
                 &cv_size[0]),
        add_rsds(b, 0x0badf00d, 0xa0, 1, "ntdll.pdb", &cv_size[1]),
    };
    const struct {
        uint64_t base;
        uint32_t size, checksum, stamp, name;
        const uint16_t *version;
        uint32_t file_type, cv_size, cv_rva;
    } m[] = {
        {CRASH_BASE, 0x25000, 0x3a1f2, 0x65f1a2b3, add_string(b, "C:\\crash\\crashme.exe"),
         crash_version, 1, cv_size[0], cv[0]},
        {NTDLL_BASE, 0x1f8000, 0x1f6d2a, 0x6c8e1b1e,
         add_string(b, "C:\\Windows\\System32\\ntdll.dll"), ntdll_version, 2, cv_size[1], cv[1]},
        {PLUGIN_BASE, 0x12000, 0, 0x5e0f3c2d,
         add_string(b, "C:\\Users\\Zo\xc3\xab\\plugins\\pl\xc3\xbcgin.dll"), NULL, 0, 0, 0},
    };
    struct rec r = {.len = 0};
    put32(&r, COUNT(m));
    for (size_t i = 0; i < COUNT(m); i++) {
        put64(&r, m[i].base), put32(&r, m[i].size), put32(&r, m[i].checksum);
        put32(&r, m[i].stamp), put32(&r, m[i].name);
        put_version(&r, m[i].version, m[i].file_type);
        put32(&r, m[i].cv_size), put32(&r, m[i].cv_rva);
        put32(&r, 0), put32(&r, 0); /* MiscRecord */
        put64(&r, 0), put64(&r, 0); /* Reserved0, Reserved1 */
    }
    add_rec_stream(b, 4, &r);
}

/* MINIDUMP_UNLOADED_MODULE_LIST of two. */
static void add_unloaded_modules(struct mkdump *b)
{
    const uint32_t hook = add_string(b, "C:\\Windows\\System32\\oldhook.dll");
    const uint32_t gone = add_string(b, "C:\\Temp\\gone.dll");
    struct rec r = {.len = 0};
    put32(&r, 12), put32(&r, 24), put32(&r, 2); /* SizeOfHeader, SizeOfEntry, count */
    put64(&r, 0x7ffe19000000), put32(&r, 0x8000), put32(&r, 0x1234), put32(&r, 0x5a5a5a5a);
    put32(&r, hook);
    put64(&r, 0x7ffe18000000), put32(&r, 0x3000), put32(&r, 0), put32(&r, 0x600dcafe);
    put32(&r, gone);
    add_rec_stream(b, 14, &r);
}

/* MINIDUMP_EXCEPTION_STREAM: the worker wrote to 0x10 at crashme.exe+0x1234. */
static void add_exception(struct mkdump *b)
{
    /* rax holds the address written; rsp and rbp are in the worker's stack. */
    uint64_t regs[AMD64_REGS] = {0};
    regs[RAX] = 0x10, regs[RCX] = 0x7ff6a1b3c000, regs[RDX] = 0x2a, regs[RBX] = 0xa1b2cffef0;
    regs[RSP] = STACK_WORKER + 0x80, regs[RBP] = STACK_WORKER + 0x100, regs[RDI] = 0x1;
    regs[R8] = 0xffffffffffffffff, regs[R9] = 0x8000000000000000, regs[R11] = 0x246;
    regs[RIP] = CRASH_IP;
    const uint32_t ctx = add_context_amd64(b, regs);
    struct rec r = {.len = 0};
    put32(&r, T_WORKER), put32(&r, 0);   /* ThreadId, alignment */
    put32(&r, 0xc0000005), put32(&r, 0); /* EXCEPTION_ACCESS_VIOLATION, flags */
    put64(&r, 0), put64(&r, CRASH_IP);   /* ExceptionRecord, ExceptionAddress */
    put32(&r, 2), put32(&r, 0);          /* NumberParameters, alignment */
    put64(&r, 1), put64(&r, 0x10);       /* a write, at 0x10 */
    pad_to(&r, 8 + 152);                 /* the other 13 parameters */
    put32(&r, CONTEXT_AMD64_SIZE), put32(&r, ctx);
    add_rec_stream(b, 6, &r);
}

/* MINIDUMP_SYSTEM_INFO: Windows 10 22H2 on an 8-way Intel CPU. */
static void add_system_info(struct mkdump *b)
{
    const uint32_t csd = add_string(b, "Service Pack 1");
    struct rec r = {.len = 0};
    put16(&r, 9), put16(&r, 6), put16(&r, 0x9e0a); /* AMD64, family 6, model 0x9e step 10 */
    put(&r, 8, 1), put(&r, 1, 1);                  /* processors, VER_NT_WORKSTATION */
    put32(&r, 10), put32(&r, 0), put32(&r, 19045), put32(&r, 2); /* 10.0.19045, NT */
    put32(&r, csd), put16(&r, 0x100), put16(&r, 0); /* CSDVersionRva, SuiteMask, reserved */
    put32(&r, 0x756e6547), put32(&r, 0x49656e69), put32(&r, 0x6c65746e); /* GenuineIntel */
    put32(&r, 0x906ea), put32(&r, 0xbfebfbff), put32(&r, 0); /* CPUID 1 eax, edx; AMD ext */
    add_rec_stream(b, 7, &r);
}

/* MINIDUMP_MISC_INFO_5, every Flags1 bit but protected-process set. */
static void add_misc_info(struct mkdump *b)
{
    struct rec r = {.len = 0};
    put32(&r, 1364), put32(&r, 0x377);
    put32(&r, 4242), put32(&r, UNIX_CREATED), put32(&r, 12), put32(&r, 3);
    put32(&r, 3600), put32(&r, 2900), put32(&r, 3600), put32(&r, 1), put32(&r, 0);
    put32(&r, 0x2000), put32(&r, 0x4d), put32(&r, 0), put32(&r, 2); /* ..., TimeZoneId */
    put32(&r, (uint32_t)-60);                                       /* Bias: UTC+1 */
    put_wchars(&r, "W. Europe Standard Time", 32);
    pad_to(&r, r.len + 16), put32(&r, 0); /* StandardDate, StandardBias */
    put_wchars(&r, "W. Europe Daylight Time", 32);
    pad_to(&r, r.len + 16), put32(&r, (uint32_t)-60); /* DaylightDate, DaylightBias */
    put_wchars(&r, "19041.1.amd64fre.vb_release.191206-1406", 260);
    put_wchars(&r, "dbgcore.amd64,10.0.19041.3636", 40);
    put32(&r, 528); /* XSTATE_CONFIG_FEATURE_MSC_INFO */
    pad_to(&r, 1360);
    put32(&r, 0xa5a5c3c3); /* ProcessCookie */
    add_rec_stream(b, 15, &r);
}

/* MINIDUMP_MEMORY_INFO_LIST: free space, crashme.exe's image, the worker's stack
 * (reserved, guard, committed) and a mapped view. */
static void add_memory_info(struct mkdump *b)
{
    const struct {
        uint64_t base, alloc_base;
        uint32_t alloc_protect;
        uint64_t size;
        uint32_t state, protect, type;
    } m[] = {
        {0, 0, 0, 0xa1b2c00000, 0x10000, 0x01, 0},
        {0xa1b2c00000, 0xa1b2c00000, 0x04, 0xfd000, 0x2000, 0, 0x20000},
        {0xa1b2cfd000, 0xa1b2c00000, 0x04, 0x2000, 0x1000, 0x104, 0x20000},
        {0xa1b2cff000, 0xa1b2c00000, 0x04, 0x1000, 0x1000, 0x04, 0x20000},
        {0x1d2e4a50000, 0x1d2e4a50000, 0x02, 0x4000, 0x1000, 0x02, 0x40000},
        {CRASH_BASE, CRASH_BASE, 0x80, 0x1000, 0x1000, 0x02, 0x1000000},
        {CRASH_BASE + 0x1000, CRASH_BASE, 0x80, 0x10000, 0x1000, 0x20, 0x1000000},
    };
    struct rec r = {.len = 0};
    put32(&r, 16), put32(&r, 48), put64(&r, COUNT(m)); /* SizeOfHeader, SizeOfEntry, count */
    for (size_t i = 0; i < COUNT(m); i++) {
        put64(&r, m[i].base), put64(&r, m[i].alloc_base);
        put32(&r, m[i].alloc_protect), put32(&r, 0), put64(&r, m[i].size);
        put32(&r, m[i].state), put32(&r, m[i].protect), put32(&r, m[i].type), put32(&r, 0);
    }
    add_rec_stream(b, 16, &r);
}

/* MINIDUMP_HANDLE_DATA_STREAM of three MINIDUMP_HANDLE_DESCRIPTOR_2 (40 bytes). */
static void add_handles(struct mkdump *b)
{
    const struct {
        uint64_t handle;
        uint32_t type, name, access, handles, pointers;
    } h[] = {
        {0x4, add_string(b, "Event"), 0, 0x1f0003, 1, 32769},
        {0x40, add_string(b, "File"), add_string(b, "\\Device\\HarddiskVolume3\\crash\\log.txt"),
         0x12019f, 1, 32768},
        {0x88, add_string(b, "Key"), add_string(b, "\\REGISTRY\\MACHINE\\SOFTWARE\\Crashme"),
         0x20019, 1, 32767},
    };
    struct rec r = {.len = 0};
    put32(&r, 16), put32(&r, 40), put32(&r, COUNT(h)), put32(&r, 0);
    for (size_t i = 0; i < COUNT(h); i++) {
        put64(&r, h[i].handle), put32(&r, h[i].type), put32(&r, h[i].name);
        put32(&r, 0), put32(&r, h[i].access), put32(&r, h[i].handles), put32(&r, h[i].pointers);
        put32(&r, 0), put32(&r, 0); /* ObjectInfoRva, Reserved0 */
    }
    add_rec_stream(b, 12, &r);
}

/* CommentStreamW: UTF-16LE with a terminating NUL; a line break and a non-ASCII name. */
static void add_comment(struct mkdump *b)
{
    struct rec r = {.len = 0};
    put_utf16(&r, "Triage fixture for dmpread.\nWritten by tests/mkfixtures.c for Zo\xc3\xab.");
    put16(&r, 0);
    add_rec_stream(b, 11, &r);
}

static uint32_t load_u32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The stacks and the code around the faulting instruction, in a MemoryList; then the
 * ThreadList's Stack descriptors are pointed at their bytes. */
static void add_memory(struct mkdump *b, uint32_t thread_list)
{
    const struct mkd_range list[] = {
        R(STACK_MAIN, 0x200, 0x71),
        R(STACK_WORKER, 0x200, 0x72),
        R(STACK_IDLE, 0x200, 0x73),
        R(CRASH_IP - 0x80, 0x100, 0x74),
    };
    align4(b);
    const uint64_t list_rva = mkd_stream_rva(b, mkd_add_memory_list(b, list, COUNT(list), false));
    const uint64_t threads_rva = mkd_stream_rva(b, thread_list);
    size_t len;
    const uint8_t *const data = mkd_data(b, &len);
    for (size_t i = 0; i < 3; i++) {
        /* MINIDUMP_MEMORY_DESCRIPTOR.Memory.Rva at +12; MINIDUMP_THREAD.Stack.Memory.Rva
         * at +36. */
        const uint32_t rva = load_u32(data + list_rva + 4 + 16 * i + 12);
        mkd_poke_u32(b, threads_rva + 4 + 48 * i + 36, rva);
    }
}

/* MINIDUMP_PROCESS_VM_COUNTERS_2 with Flags 0xf (all but the job's figures), as Windows 10
 * writes it. */
static void add_vm_counters(struct mkdump *b)
{
    static const uint64_t sizes[18] = {
        0x960000, 0x958000, 0xa3c0,    0xa300,    0x3240, 0x31a0, /* working set, quotas */
        0x677000, 0x6a1000, 0x2688000, 0x2680000,                 /* commit, virtual */
        0x677000, 0x44b000, 0x58000,   0,         0,      0,      /* private, shared, job */
        0,        0,
    };
    struct rec r = {.len = 0};
    put16(&r, 2), put16(&r, 0xf), put32(&r, 2872); /* Revision, Flags, PageFaultCount */
    for (size_t i = 0; i < COUNT(sizes); i++)
        put64(&r, sizes[i]);
    add_rec_stream(b, 22, &r);
}

#define MINIDUMP_TRIAGE_FLAGS                                                                      \
    0x1925u /* data segs, handles, unloaded modules, process/thread data, full memory info, thread \
               info */
#define HEADER_TIME_OFF 20

static bool make_triage(void)
{
    struct mkdump *const b = mkd_new(13);
    const uint32_t threads = add_thread_list(b);
    add_thread_names(b);
    add_thread_info(b);
    add_module_list(b);
    add_unloaded_modules(b);
    add_memory(b, threads);
    add_exception(b);
    add_system_info(b);
    add_misc_info(b);
    add_memory_info(b);
    add_handles(b);
    add_comment(b);
    add_vm_counters(b);
    size_t len;
    mkd_finish(b, &len);
    mkd_poke_u32(b, HEADER_TIME_OFF, UNIX_CREATED + 60); /* 2024-05-01 12:00:00 UTC */
    mkd_poke_u64(b, HEADER_FLAGS_OFF, MINIDUMP_TRIAGE_FLAGS);
    return write_dump(b, "triage.dmp", len);
}

/* ---- crashpad.dmp: a Crashpad report from Linux with process and module annotations ---- */

#define LIBC_BASE 0x7f3a10000000u
#define CRASHY_BASE 0x55d0c0000000u
#define LIBFOO_BASE 0x7f3a20000000u

/* Crashpad's MinidumpUTF8String (length, bytes, a NUL not counted); returns its RVA. */
static uint32_t add_utf8(struct mkdump *b, const char *s)
{
    struct rec r = {.len = 0};
    put32(&r, strlen(s));
    for (const char *c = s; *c; c++)
        put(&r, (uint8_t)*c, 1);
    put(&r, 0, 1);
    return append_rec(b, &r);
}

/* A u32 count and then `n` u32 words (RVA lists, dictionaries, link lists); returns its RVA
 * and sets *size to its length. */
static uint32_t add_counted(struct mkdump *b, uint32_t count, const uint32_t *w, size_t n,
                            uint32_t *size)
{
    struct rec r = {.len = 0};
    put32(&r, count);
    for (size_t i = 0; i < n; i++)
        put32(&r, w[i]);
    *size = (uint32_t)r.len;
    return append_rec(b, &r);
}

/* MINIDUMP_SYSTEM_INFO as Crashpad writes it on Linux: the kernel in the CSD string. */
static void add_linux_system_info(struct mkdump *b)
{
    const uint32_t csd = add_string(b, "Linux 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC x86_64");
    struct rec r = {.len = 0};
    put16(&r, 9), put16(&r, 6), put16(&r, 0x9e0a), put(&r, 4, 1), put(&r, 0, 1);
    put32(&r, 0), put32(&r, 0), put32(&r, 0), put32(&r, 0x8201); /* Linux */
    put32(&r, csd), put16(&r, 0), put16(&r, 0);
    put32(&r, 0x756e6547), put32(&r, 0x49656e69), put32(&r, 0x6c65746e); /* GenuineIntel */
    put32(&r, 0x906ea), put32(&r, 0xbfebfbff), put32(&r, 0);
    add_rec_stream(b, 7, &r);
}

/* Three modules with names only (no version, no CodeView). */
static void add_linux_modules(struct mkdump *b)
{
    const struct {
        uint64_t base;
        uint32_t size, name;
    } m[] = {
        {CRASHY_BASE, 0x5000, add_string(b, "/usr/bin/crashy")},
        {LIBC_BASE, 0x1d6000, add_string(b, "/lib/x86_64-linux-gnu/libc.so.6")},
        {LIBFOO_BASE, 0x3000, add_string(b, "/opt/crashy/lib/libfoo.so")},
    };
    struct rec r = {.len = 0};
    put32(&r, COUNT(m));
    for (size_t i = 0; i < COUNT(m); i++) {
        put64(&r, m[i].base), put32(&r, m[i].size), put32(&r, 0), put32(&r, 0);
        put32(&r, m[i].name);
        pad_to(&r, r.len + 52 + 8 + 8 + 16); /* no version, CodeView or misc record */
    }
    add_rec_stream(b, 4, &r);
}

#define CP_THREAD 4321u
#define CP_STACK 0x7ffd4a3ffe00u /* 0x100 bytes captured */
#define CP_IP (LIBC_BASE + 0x8eb2c)

/* The crashed thread, its stack in a MemoryList, and SIGABRT raised in it (the exception
 * sharing the thread's context). */
static void add_linux_thread(struct mkdump *b)
{
    uint64_t regs[AMD64_REGS] = {0};
    regs[RAX] = 0, regs[RDI] = CP_THREAD, regs[RSI] = 6, regs[RSP] = CP_STACK + 0x40;
    regs[RIP] = CP_IP;
    const uint32_t ctx = add_context_amd64(b, regs);
    const struct mkd_range stack[] = {R(CP_STACK, 0x100, 0x75)};
    align4(b);
    const uint64_t list = mkd_stream_rva(b, mkd_add_memory_list(b, stack, 1, false));
    size_t len;
    const uint32_t stack_rva = load_u32(mkd_data(b, &len) + list + 4 + 12);
    struct rec t = {.len = 0};
    put32(&t, 1), put32(&t, CP_THREAD), put32(&t, 0), put32(&t, 0), put32(&t, 0), put64(&t, 0);
    put64(&t, CP_STACK), put32(&t, 0x100), put32(&t, stack_rva);
    put32(&t, CONTEXT_AMD64_SIZE), put32(&t, ctx);
    add_rec_stream(b, 3, &t);
    struct rec r = {.len = 0};
    put32(&r, CP_THREAD), put32(&r, 0), put32(&r, 6), put32(&r, 0xfffffffa); /* SI_TKILL */
    put64(&r, 0), put64(&r, CP_IP), put32(&r, 0), put32(&r, 0);
    pad_to(&r, 8 + 152);
    put32(&r, CONTEXT_AMD64_SIZE), put32(&r, ctx);
    add_rec_stream(b, 6, &r);
}

/* MinidumpModuleCrashpadInfo: version 1, then `n` locations (20 or 28 bytes in all). */
static uint32_t add_module_crashpad_info(struct mkdump *b, uint32_t (*loc)[2], size_t n)
{
    struct rec r = {.len = 0};
    put32(&r, 1);
    for (size_t i = 0; i < n; i++)
        put32(&r, loc[i][0]), put32(&r, loc[i][1]);
    return append_rec(b, &r);
}

/* libc's abort message as a list annotation; libfoo's simple annotations and typed ones (a
 * string and a client-defined binary value). */
static void add_module_annotations(struct mkdump *b, uint32_t *size, uint32_t *rva)
{
    uint32_t loc[3][2] = {{0, 0}, {0, 0}, {0, 0}};
    const uint32_t abort_msg[] = {add_utf8(b, "abort message: assertion \"len <= cap\" failed")};
    loc[0][1] = add_counted(b, 1, abort_msg, 1, &loc[0][0]);
    const uint32_t libc = add_module_crashpad_info(b, loc, 3);
    const uint32_t simple[] = {add_utf8(b, "plugin"), add_utf8(b, "zstd"), add_utf8(b, "build"),
                               add_utf8(b, "release")};
    const uint8_t blob[] = {0xde, 0xad, 0xbe, 0xef, 0x00, 0x01};
    struct rec value = {.len = 0};
    put32(&value, sizeof blob);
    for (size_t i = 0; i < sizeof blob; i++)
        put(&value, blob[i], 1);
    const uint32_t text_name = add_utf8(b, "last_request");
    struct rec text = {.len = 0};
    put32(&text, 9);
    for (const char *c = "GET /ping"; *c; c++)
        put(&text, (uint8_t)*c, 1);
    const uint32_t text_rva = append_rec(b, &text);
    const uint32_t blob_name = add_utf8(b, "crash_key_blob");
    const uint32_t blob_rva = append_rec(b, &value);
    struct rec objects = {.len = 0};
    put32(&objects, 2);
    put32(&objects, text_name), put16(&objects, 1), put16(&objects, 0), put32(&objects, text_rva);
    put32(&objects, blob_name), put16(&objects, 0x8001), put16(&objects, 0);
    put32(&objects, blob_rva);
    loc[0][0] = loc[0][1] = 0;
    loc[1][1] = add_counted(b, 2, simple, 4, &loc[1][0]);
    loc[2][0] = (uint32_t)objects.len;
    loc[2][1] = append_rec(b, &objects);
    const uint32_t libfoo = add_module_crashpad_info(b, loc, 3);
    const uint32_t links[] = {1, 28, libc, 2, 28, libfoo};
    *rva = add_counted(b, 2, links, COUNT(links), size);
}

/* MinidumpCrashpadInfo: ids, two process annotations, the module list. */
static void add_crashpad_info(struct mkdump *b)
{
    const uint32_t pairs[] = {add_utf8(b, "prod"), add_utf8(b, "crashy"), add_utf8(b, "ver"),
                              add_utf8(b, "2.4.1")};
    uint32_t dict_size, mods_size, mods_rva;
    const uint32_t dict = add_counted(b, 2, pairs, 4, &dict_size);
    add_module_annotations(b, &mods_size, &mods_rva);
    struct rec r = {.len = 0};
    put32(&r, 1);
    for (int i = 0; i < 32; i++) /* report_id, client_id */
        put(&r, (uint64_t)(i < 16 ? 0x10 + i : 0xa0 + i), 1);
    put32(&r, dict_size), put32(&r, dict), put32(&r, mods_size), put32(&r, mods_rva);
    add_rec_stream(b, 0x43500001, &r);
}

static bool make_crashpad(void)
{
    struct mkdump *const b = mkd_new(6);
    add_linux_system_info(b);
    add_linux_modules(b);
    add_linux_thread(b);
    add_crashpad_info(b);
    size_t len;
    mkd_finish(b, &len);
    mkd_poke_u32(b, HEADER_TIME_OFF, UNIX_CREATED + 60);
    return write_dump(b, "crashpad.dmp", len);
}

/* ---- linux.dmp: a Breakpad report from Linux with all eight Linux streams ---------------- */

#define LD_BASE 0x7f3a30000000u

/* A text stream as Breakpad copies it from /proc or /etc: the bytes, NULs included. */
#define ADD_TEXT(b, type, lit) (align4(b), mkd_add_stream_data((b), (type), (lit), sizeof(lit) - 1))

static void add_linux_text(struct mkdump *b)
{
    ADD_TEXT(b, 0x47670006, "/usr/bin/crashy\0--mode=fast\0it's here\0");
    ADD_TEXT(b, 0x47670007, "HOME=/home/dev\0LANG=C.UTF-8\0TERM=xterm\0");
    ADD_TEXT(b, 0x47670005,
             "DISTRIB_ID=Debian\nDISTRIB_RELEASE=12\n"
             "DISTRIB_DESCRIPTION=\"Debian GNU/Linux 12 (bookworm)\"\n");
    ADD_TEXT(b, 0x47670004,
             "Name:\tcrashy\nState:\tS (sleeping)\nPid:\t4321\nPPid:\t1\n"
             "VmRSS:\t    5120 kB\nThreads:\t1\n");
    ADD_TEXT(b, 0x47670003,
             "processor\t: 0\nvendor_id\t: GenuineIntel\n"
             "model name\t: Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz\n\n"
             "processor\t: 1\nvendor_id\t: GenuineIntel\n"
             "model name\t: Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz\n");
    /* The fifth line is damaged: a diagnostic, the others parse. */
    ADD_TEXT(b, 0x47670009,
             "55d0c0000000-55d0c0003000 r-xp 00000000 08:01 1311 /usr/bin/crashy\n"
             "55d0c0003000-55d0c0005000 rw-p 00003000 08:01 1311 /usr/bin/crashy\n"
             "7f3a10000000-7f3a101d6000 r-xp 00000000 08:01 2621 /lib/x86_64-linux-gnu/libc.so.6\n"
             "7f3a20000000-7f3a20003000 r-xp 00000000 08:01 4242 /opt/crashy/lib/libfoo.so\n"
             "7f3a2000zzzz-7f3a20004000 rw-p 00000000 00:00 0\n"
             "7f3a30000000-7f3a3002a000 r-xp 00000000 08:01 2600 /lib64/ld-linux-x86-64.so.2\n"
             "7ffd4a3e0000-7ffd4a401000 rw-p 00000000 00:00 0 [stack]\n"
             "7ffd4a5f0000-7ffd4a5f2000 r-xp 00000000 00:00 0 [vdso]\n");
}

static void add_linux_auxv(struct mkdump *b)
{
    static const uint64_t pairs[][2] = {
        {33, 0x7ffd4a5f0000u},
        {16, 0xbfebfbff},
        {6, 0x1000},
        {3, CRASHY_BASE + 0x40},
        {4, 0x38},
        {5, 11},
        {7, LD_BASE},
        {9, CRASHY_BASE + 0x1040},
        {25, 0x7ffd4a400b39u},
        {31, 0x7ffd4a400fe0u},
        {99, 5},
        {0, 0},
    };
    struct rec r = {.len = 0};
    for (size_t i = 0; i < COUNT(pairs); i++)
        put64(&r, pairs[i][0]), put64(&r, pairs[i][1]);
    add_rec_stream(b, 0x47670008, &r);
}

/* MDRawDebug64 and three MDRawLinkMap64 (l_addr, name RVA, padding, l_ld). */
static void add_linux_dso_debug(struct mkdump *b)
{
    const struct {
        uint64_t addr, ld;
        uint32_t name;
    } maps[] = {
        {0, CRASHY_BASE + 0x3de8, 0},
        {LIBC_BASE, LIBC_BASE + 0x1d2bc0, add_string(b, "/lib/x86_64-linux-gnu/libc.so.6")},
        {LD_BASE, LD_BASE + 0x28e68, add_string(b, "/lib64/ld-linux-x86-64.so.2")},
    };
    struct rec m = {.len = 0};
    for (size_t i = 0; i < COUNT(maps); i++)
        put64(&m, maps[i].addr), put32(&m, maps[i].name), put32(&m, 0), put64(&m, maps[i].ld);
    const uint32_t map_rva = append_rec(b, &m);
    struct rec r = {.len = 0};
    put32(&r, 1), put32(&r, map_rva), put32(&r, COUNT(maps)), put32(&r, 0);
    put64(&r, LD_BASE + 0x1234), put64(&r, LD_BASE), put64(&r, CRASHY_BASE + 0x3de8);
    add_rec_stream(b, 0x4767000a, &r);
}

static bool make_linux(void)
{
    struct mkdump *const b = mkd_new(18);
    add_linux_system_info(b);
    add_linux_modules(b);
    add_linux_thread(b);
    add_linux_text(b);
    add_linux_auxv(b);
    add_linux_dso_debug(b);
    /* An unknown type twice: `dmpread stream` must ask for an index. */
    ADD_TEXT(b, 0x7777, "one");
    ADD_TEXT(b, 0x7777, "two");
    size_t len;
    mkd_finish(b, &len);
    mkd_poke_u32(b, HEADER_TIME_OFF, UNIX_CREATED + 120);
    return write_dump(b, "linux.dmp", len);
}

/* demo.sym: a Breakpad symbol file with one record of every kind `dmpread symbolize` shows
 * (FUNC with line and both INLINE syntaxes' newer one, PUBLIC, STACK CFI with a delta, STACK
 * WIN) and one damaged line, for the CLI tests. */
static bool make_demo_sym(void)
{
    static const char text[] = "MODULE windows x86_64 0123456789ABCDEF0123456789ABCDEF1 demo.pdb\n"
                               "INFO CODE_ID 5F00AA1000 demo.exe\n"
                               "FILE 0 c:\\src\\demo.c\n"
                               "FILE 1 c:\\src\\util.h\n"
                               "INLINE_ORIGIN 0 util_step\n"
                               "FUNC 1000 40 8 main\n"
                               "INLINE 0 12 0 0 1010 10\n"
                               "1000 10 10 0\n"
                               "1010 10 4 1\n"
                               "1020 20 14 0\n"
                               "FUNC m 1040 20 0 helper\n"
                               "1040 20 zz 0\n"
                               "PUBLIC 1100 0 exported_thing\n"
                               "STACK CFI INIT 1000 40 .cfa: $rsp 8 + .ra: .cfa -8 + ^\n"
                               "STACK CFI 1004 .cfa: $rsp 16 + $rbp: .cfa -16 + ^\n"
                               "STACK WIN 4 1040 20 4 0 0 0 0 0 1 $T0 $ebp = $eip $T0 4 + ^ = $ebp "
                               "$T0 ^ = $esp $T0 8 + =\n"
                               "GARBAGE line\n";
    char path[4096];
    if (snprintf(path, sizeof path, "%s/demo.sym", out_dir) >= (int)sizeof path)
        return false;
    FILE *const fp = fopen(path, "wb");
    if (!fp || fwrite(text, 1, sizeof text - 1, fp) != sizeof text - 1) {
        fprintf(stderr, "mkfixtures: cannot write %s\n", path);
        if (fp)
            fclose(fp);
        return false;
    }
    return fclose(fp) == 0;
}

/* gzread passes input that is not gzip through unchanged, and reads every member. */
static int inflate_file(const char *in, const char *out)
{
    gzFile gz = gzopen(in, "rb");
    FILE *const fp = fopen(out, "wb");
    int rc = EXIT_FAILURE;
    if (!gz || !fp)
        goto done;
    uint8_t buf[1 << 14];
    int n;
    while ((n = gzread(gz, buf, sizeof buf)) > 0)
        if (fwrite(buf, 1, (size_t)n, fp) != (size_t)n)
            goto done;
    if (n == 0)
        rc = EXIT_SUCCESS;
done:
    if (rc != EXIT_SUCCESS)
        fprintf(stderr, "mkfixtures: cannot inflate %s to %s\n", in, out);
    if (gz)
        gzclose(gz);
    if (fp && fclose(fp) != 0)
        rc = EXIT_FAILURE;
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--inflate") == 0)
        return inflate_file(argv[2], argv[3]);
    if (argc != 2 || argv[1][0] == '-') {
        fputs("usage: mkfixtures DIR | mkfixtures --inflate IN OUT\n", stderr);
        return EXIT_FAILURE;
    }
    out_dir = argv[1];
    const bool ok = make_basic() && make_padded() && make_truncated() && make_overlap() &&
                    make_malformed() && make_full_gz() && make_triage() && make_crashpad() &&
                    make_linux() && make_demo_sym();
    return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
