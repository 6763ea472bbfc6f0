/* cli.h - what the dmpread command's source files share: arguments, the output document,
 * and formatting helpers.
 * SPDX-License-Identifier: MIT */
#ifndef DMPREAD_CLI_H
#define DMPREAD_CLI_H

#include "json.h"

#include <dmpread.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { EXIT_UNCAPTURED = 1, EXIT_ERROR = 2 };

enum command {
    CMD_READ,
    CMD_RANGES,
    CMD_INFO,
    CMD_THREADS,
    CMD_MODULES,
    CMD_MEMORY_INFO,
    CMD_STREAMS,
    CMD_LINUX,
};

struct args {
    enum command command;
    const char *command_name; /* as typed: "read" for reads */
    const char **positional;  /* the operands, in order (argv's storage) */
    int npositional;
    bool raw;
    bool json;
    bool quiet;   /* -q: diagnostics about the dump are counted, not printed */
    bool squeeze; /* -s: a hexdump shows repeated lines as one "*" */
    bool words;   /* --words: a read as pointer-size words with the module each points into */
    bool many;    /* several FILEs: a header (text) or one JSON line per dump */
    uint64_t max_heap;
};

/* What a command works with. In JSON mode `j` writes the document on stdout. */
struct run {
    const dmp_file *f;
    const char *path;
    const struct args *a;
    struct json j;
    size_t *hidden; /* -q: diagnostics not printed, summed over the run */
};

/* Prints "dmpread: MESSAGE" on stderr and returns EXIT_ERROR. */
int fail(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* ---- common.c ------------------------------------------------------------------------- */

/* Starts the output budget (budget.h) for the dump. JSON mode: opens the document,
 * {"dmpread_json": 2, "command": ..., "file": {...}. Text mode: nothing more. */
void doc_begin(struct run *r);
/* Ends the output budget, saying on stderr when it cut strings (note_cuts). JSON mode: adds
 * "strings_cut" when it did, then "diagnostics", and closes the document. Text mode: prints
 * the diagnostics on stderr when `text_diagnostics` (counts them in *r->hidden instead under
 * -q). Returns rc. */
int doc_end(struct run *r, int rc, bool text_diagnostics);
/* One line on stderr when the output budget cut `cuts` > 0 strings. */
void note_cuts(const struct run *r, uint64_t cuts);
/* JSON mode, for a FILE that did not open: the envelope with "file": {path, size: null,
 * compressed: null}, "error": {status, message} and an empty "diagnostics". */
void doc_error(const struct args *a, const char *path, dmp_status status, const char *message);

/* The MINIDUMP_HEADER as the JSON object "header", or as one line of text and a blank one. */
void json_header(struct json *j, const dmp_file *f);
void print_header(const dmp_file *f);

/* "2024-05-01 12:00:00 UTC" (text) or "2024-05-01T12:00:00Z" (iso) for Unix seconds. */
void format_unix_time(int64_t secs, bool iso, char *buf, size_t cap);
/* A FILETIME (100 ns since 1601) as ISO 8601 UTC with 7 fractional digits. */
void format_filetime(uint64_t ft, char *buf, size_t cap);
/* A Unix time as ISO 8601 into JSON, or null when 0 (not recorded). */
void json_unix_time(struct json *j, const char *key, uint64_t secs);

/* Hex digits to show addresses up to `max` with: 8 when it fits 32 bits, else 16. */
int addr_digits(uint64_t max);
/* "0x" and `digits` zero-padded hex digits. */
void format_addr(uint64_t v, int digits, char *buf, size_t cap);
/* base + size the same way; an end at or past 2^64 gets its 17th digit. */
void format_end(uint64_t base, uint64_t size, int digits, char *buf, size_t cap);

/* Whether the directory holds a stream of this type. */
bool has_stream(const dmp_file *f, uint32_t type);

/* ---- memory.c: reads and the memory index --------------------------------------------- */
/* Decimal, or hex after 0x; the whole string, no sign, no overflow. */
bool parse_u64(const char *s, uint64_t *out);
/* The path to open for a FILE operand: "-" is standard input. */
const char *dump_path(const char *arg);
int cmd_read(struct run *r);
int cmd_ranges(struct run *r);

/* Parses ADDR or LEN (`what` names it); on failure says why in one line, returns false. */
bool parse_operand(const char *what, const char *s, uint64_t *out);

/* ---- addr.c: ADDR as a register or module+offset -------------------------------------- */
struct addr_expr {
    bool is_expr;        /* false: ADDR was a plain number, the rest is unset */
    const char *kind;    /* "register" or "module" */
    char name[128];      /* the register or module as typed */
    uint64_t base;       /* the register's value, or the module's base */
    uint64_t offset;     /* after '+', 0 when none */
    const char *context; /* registers: "exception", "thread" or "first-thread" */
    const char *cpu;     /* the context's CPU name, when there is one */
    bool has_thread;
    uint32_t thread_id; /* registers: the thread whose they are */
};
/* ADDR: a number, REGISTER[+OFFSET] of the crash context (the exception's, else the first
 * thread's), or MODULE[+OFFSET], the module by its file name, ignoring case. On failure
 * says why in one line (fail) and returns false. */
bool resolve_addr(const dmp_file *f, const char *s, uint64_t *addr, struct addr_expr *e);
/* Text mode: what a register or module ADDR came to, one line on stderr. */
void describe_addr(const struct addr_expr *e, uint64_t addr);
/* JSON: "address_from", null for a plain number. */
void json_addr_expr(struct json *j, const struct addr_expr *e);

/* ---- info.c --------------------------------------------------------------------------- */
int cmd_info(struct run *r);

/* ---- crashpad.c: info's Crashpad section ---------------------------------------------- */
/* The ids, process annotations and module annotations of CrashpadInfo, as text lines (none
 * when the dump has no CrashpadInfo) or as the JSON member "crashpad" (null then). */
void print_crashpad(const dmp_file *f);
void json_crashpad(struct json *j, const dmp_file *f);

/* ---- report.c: the list commands ------------------------------------------------------ */
int cmd_threads(struct run *r);
int cmd_modules(struct run *r);
int cmd_memory_info(struct run *r);
int cmd_streams(struct run *r);
/* symbolize.c: takes the whole command line, as it opens a symbol file, not a dump. */
int cmd_symbolize(int argc, char **argv);
/* stack.c: the same, for its own options (--symbols DIR, --thread ID, ...). */
int cmd_stack(int argc, char **argv);

/* ---- platform.c: Breakpad's Linux streams -------------------------------------------- */
int cmd_linux(struct run *r);
/* info's lines "cmdline:" and "distro:" (each only when the dump has it), and its
 * JSON member "linux". */
void print_linux_summary(const dmp_file *f);
void json_linux_summary(struct json *j, const dmp_file *f);
/* LinuxMaps as a table, and as a JSON array under `key` (null without the stream). */
void print_linux_maps(const dmp_file *f, const char *indent);
void json_linux_maps(struct json *j, const char *key, const dmp_file *f);
/* Bytes with every byte that is not printable ASCII as \xNN, and '\' as "\\". */
void print_text_escaped(FILE *out, const char *s, size_t n);
/* stream.c: takes the whole command line, for its own operands (FILE TYPE|#INDEX). */
int cmd_stream(int argc, char **argv);
/* memory.c: one hexdump line of n <= 16 bytes labelled with addr. */
void hexdump_line(uint64_t addr, const uint8_t *p, size_t n);

/* Shared by info and threads: a decoded context as JSON, and as aligned text lines. */
void json_context(struct json *j, const char *key, const dmp_context *ctx);
void print_registers(FILE *out, const dmp_context *ctx, const char *indent);
/* The last component of a path, Windows or POSIX (the path itself when that is empty). */
const char *path_base_name(const char *path);
/* The module holding addr as "name+0xOFFSET" into buf (the path's last component); false
 * when no module holds it. */
bool module_offset(const dmp_file *f, uint64_t addr, char *buf, size_t cap);
/* JSON object {index, name, base, offset} for the module holding addr, or null. */
void json_module_ref(struct json *j, const char *key, const dmp_file *f, uint64_t addr);

#endif /* DMPREAD_CLI_H */
