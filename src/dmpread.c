/* dmpread.c - the public entry points: open/close, directory, memory reads, diagnostics.
 * SPDX-License-Identifier: MIT */
#include "internal.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define STR2(x) #x
#define STR(x) STR2(x)

const char *dmp_version_string(void)
{
    return STR(DMP_VERSION_MAJOR) "." STR(DMP_VERSION_MINOR) "." STR(DMP_VERSION_PATCH);
}

unsigned dmp_version_number(void)
{
    return DMP_VERSION_NUMBER;
}

const char *dmp_strerror(dmp_status status)
{
    switch (status) {
    case DMP_OK:
        return "success";
    case DMP_E_INVALID_ARG:
        return "invalid argument";
    case DMP_E_IO:
        return "input/output error";
    case DMP_E_NOMEM:
        return "out of memory";
    case DMP_E_TOO_SHORT:
        return "file too short for a minidump header";
    case DMP_E_BAD_SIGNATURE:
        return "not a minidump (bad signature)";
    case DMP_E_INFLATE:
        return "corrupt or truncated gzip data";
    case DMP_E_TOO_LARGE:
        return "input exceeds the size limit";
    case DMP_E_UNMAPPED:
        return "memory not captured in the dump";
    case DMP_E_WRAP:
        return "address range wraps past 2^64";
    case DMP_E_NOT_FOUND:
        return "not found";
    case DMP_E_ABSENT:
        return "the dump has no such stream";
    case DMP_E_MALFORMED:
        return "the stream is malformed";
    }
    return "unknown status";
}

/* ---- Opening ---------------------------------------------------------------------------- */

/* The heap input may take: max_heap_input, and the allocation budget when one is set. */
static uint64_t max_heap_of(const dmp_options *opts)
{
    const uint64_t input =
        opts && opts->max_heap_input ? opts->max_heap_input : DMP_DEFAULT_MAX_HEAP_INPUT;
    return opts && opts->max_alloc && opts->max_alloc < input ? opts->max_alloc : input;
}

static uint64_t budget_of(const dmp_options *opts, uint64_t size)
{
    if (opts && opts->max_alloc)
        return opts->max_alloc;
    if (size > (UINT64_MAX - DMP_DEFAULT_ALLOC_BASE) / DMP_DEFAULT_ALLOC_FACTOR)
        return UINT64_MAX;
    return size * DMP_DEFAULT_ALLOC_FACTOR + DMP_DEFAULT_ALLOC_BASE;
}

/* The part `what` was left out for the budget. Pushed after the fact, so never refused. */
static dmp_status note_budget(dmp_file *f, const char *what)
{
    const dmp_diag d = {.kind = DMP_DIAG_BUDGET,
                        .stream_index = DMP_DIAG_NO_STREAM,
                        .size = f->budget.limit,
                        .kept = f->budget.used,
                        .detail = what};
    return dmpi_diag_push(&f->diags, &d);
}

dmp_status dmpi_budget_refused(dmp_file *f, dmp_status st, const char *what, bool *left_out)
{
    *left_out = st == DMP_E_NOMEM && dmpi_budget_hit(&f->budget);
    return *left_out ? note_budget(f, what) : st;
}

static struct dmpi_progress progress_of(const dmp_options *opts)
{
    const struct dmpi_progress p = {opts ? opts->inflate_progress : NULL,
                                    opts ? opts->inflate_progress_ctx : NULL};
    return p;
}

/* A gzip input cut short was kept as far as it inflated: the first diagnostic says so. */
static dmp_status note_cut(dmp_file *f)
{
    if (!f->src.cut)
        return DMP_OK;
    const dmp_diag d = {.kind = DMP_DIAG_GZIP_CUT,
                        .stream_index = DMP_DIAG_NO_STREAM,
                        .offset = f->src.cut_at,
                        .kept = f->src.bytes.len};
    return dmpi_diag_push(&f->diags, &d);
}

/* Parses what the source holds; takes ownership of src whatever happens. */
static dmp_status finish_open(struct dmpi_source *src, const dmp_options *opts, dmp_file **out,
                              dmp_error *err)
{
    dmp_file *const f = calloc(1, sizeof *f);
    if (!f) {
        dmpi_source_close(src);
        dmpi_set_error(err, DMP_E_NOMEM, 0, "out of memory");
        return DMP_E_NOMEM;
    }
    f->src = *src;
    f->budget.limit = budget_of(opts, f->src.bytes.len);
    dmpi_budget_force(&f->budget, dmpi_budget_cost(sizeof *f));
    if (f->src.kind == DMPI_SOURCE_HEAP)
        dmpi_budget_force(&f->budget, dmpi_budget_cost(f->src.bytes.len));
    f->diags.budget = &f->budget;
    f->arena.budget = &f->budget;
    dmp_status st = note_cut(f);
    if (st == DMP_OK)
        st = dmpi_directory_parse(f, err);
    if (st == DMP_OK) {
        /* Without its index the dump still has every other stream to give. */
        bool left_out;
        st = dmpi_budget_refused(f, dmpi_memindex_build(f), "memory index", &left_out);
        if (left_out)
            dmpi_memindex_free(&f->mem);
    }
    if (st == DMP_OK)
        st = dmpi_triage_parse(f);
    if (st == DMP_OK)
        st = dmpi_diag_finish(&f->diags);
    if (st != DMP_OK) {
        if (st == DMP_E_NOMEM)
            dmpi_set_error(err, st, 0, "out of memory while indexing the dump");
        else if (st == DMP_E_TOO_LARGE)
            dmpi_set_error(err, st, f->header.directory_rva,
                           "the directory needs more than the allocation budget of %" PRIu64
                           " bytes",
                           f->budget.limit);
        dmp_close(f);
        return st;
    }
    *out = f;
    return DMP_OK;
}

dmp_status dmp_open_ex(const char *path, const dmp_options *opts, dmp_file **out, dmp_error *err)
{
    if (!path || !out) {
        dmpi_set_error(err, DMP_E_INVALID_ARG, 0, "no path or no out-parameter");
        return DMP_E_INVALID_ARG;
    }
    struct dmpi_source src;
    const struct dmpi_progress progress = progress_of(opts);
    const dmp_status st =
        dmpi_source_open_path(&src, path, max_heap_of(opts), "MDMP", &progress, err);
    if (st != DMP_OK)
        return st;
    return finish_open(&src, opts, out, err);
}

dmp_status dmp_open(const char *path, dmp_file **out)
{
    return dmp_open_ex(path, NULL, out, NULL);
}

dmp_status dmp_open_mem_ex(const void *buf, size_t len, const dmp_options *opts, dmp_file **out,
                           dmp_error *err)
{
    if ((!buf && len > 0) || !out) {
        dmpi_set_error(err, DMP_E_INVALID_ARG, 0, "no buffer or no out-parameter");
        return DMP_E_INVALID_ARG;
    }
    struct dmpi_source src;
    const struct dmpi_progress progress = progress_of(opts);
    const dmp_status st =
        dmpi_source_open_mem(&src, buf, len, max_heap_of(opts), "MDMP", &progress, err);
    if (st != DMP_OK)
        return st;
    return finish_open(&src, opts, out, err);
}

dmp_status dmp_open_mem(const void *buf, size_t len, dmp_file **out)
{
    return dmp_open_mem_ex(buf, len, NULL, out, NULL);
}

void dmp_close(dmp_file *f)
{
    if (!f)
        return;
    dmpi_triage_free(&f->triage);
    dmpi_arena_free(&f->arena);
    dmpi_memindex_free(&f->mem);
    dmpi_diag_free(&f->diags);
    free(f->streams);
    dmpi_source_close(&f->src);
    free(f);
}

uint64_t dmp_file_size(const dmp_file *f)
{
    return f ? f->src.bytes.len : 0;
}

int dmp_was_compressed(const dmp_file *f)
{
    return f && f->src.compressed;
}

void dmp_get_heap_usage(const dmp_file *f, dmp_heap_usage *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof *out);
    if (!f)
        return;
    out->budget = f->budget.limit;
    out->used = f->budget.used;
    out->peak = f->budget.peak;
    out->refused = f->budget.refused;
    out->always = f->budget.always;
}

/* ---- Header and directory --------------------------------------------------------------- */

void dmp_get_header(const dmp_file *f, dmp_header *out)
{
    if (f && out)
        *out = f->header;
}

size_t dmp_stream_count(const dmp_file *f)
{
    return f ? f->stream_count : 0;
}

dmp_status dmp_stream_get(const dmp_file *f, size_t i, dmp_stream *out)
{
    if (!f || !out)
        return DMP_E_INVALID_ARG;
    if (i >= f->stream_count)
        return DMP_E_NOT_FOUND;
    const struct dmpi_stream *s = &f->streams[i];
    out->type = s->type;
    out->data_size = s->data_size;
    out->rva = s->rva;
    out->flags = s->flags;
    out->size = s->bytes.len;
    out->data = s->bytes.len ? s->bytes.data : NULL;
    return DMP_OK;
}

/* Stream type names: Microsoft's MINIDUMP_STREAM_TYPE, then writers' extensions (Breakpad
 * 0x4767..., Crashpad 0x4350..., Mozilla 0x4d7a..., Chromium 0x4b6b..., Facebook 0xface...). */
static const struct {
    uint32_t type;
    const char *name;
} stream_names[] = {
    {DMP_STREAM_UNUSED, "UnusedStream"},
    {DMP_STREAM_THREAD_LIST, "ThreadListStream"},
    {DMP_STREAM_MODULE_LIST, "ModuleListStream"},
    {DMP_STREAM_MEMORY_LIST, "MemoryListStream"},
    {DMP_STREAM_EXCEPTION, "ExceptionStream"},
    {DMP_STREAM_SYSTEM_INFO, "SystemInfoStream"},
    {DMP_STREAM_THREAD_EX_LIST, "ThreadExListStream"},
    {DMP_STREAM_MEMORY64_LIST, "Memory64ListStream"},
    {DMP_STREAM_COMMENT_A, "CommentStreamA"},
    {DMP_STREAM_COMMENT_W, "CommentStreamW"},
    {DMP_STREAM_HANDLE_DATA, "HandleDataStream"},
    {DMP_STREAM_FUNCTION_TABLE, "FunctionTableStream"},
    {DMP_STREAM_UNLOADED_MODULE_LIST, "UnloadedModuleListStream"},
    {DMP_STREAM_MISC_INFO, "MiscInfoStream"},
    {DMP_STREAM_MEMORY_INFO_LIST, "MemoryInfoListStream"},
    {DMP_STREAM_THREAD_INFO_LIST, "ThreadInfoListStream"},
    {DMP_STREAM_HANDLE_OPERATION_LIST, "HandleOperationListStream"},
    {DMP_STREAM_TOKEN, "TokenStream"},
    {20, "JavaScriptDataStream"},
    {DMP_STREAM_SYSTEM_MEMORY_INFO, "SystemMemoryInfoStream"},
    {DMP_STREAM_PROCESS_VM_COUNTERS, "ProcessVmCountersStream"},
    {23, "IptTraceStream"},
    {DMP_STREAM_THREAD_NAMES, "ThreadNamesStream"},
    {DMP_STREAM_BREAKPAD_INFO, "BreakpadInfoStream"},
    {DMP_STREAM_BREAKPAD_ASSERTION_INFO, "BreakpadAssertionInfoStream"},
    {DMP_STREAM_LINUX_CPU_INFO, "LinuxCpuInfoStream"},
    {DMP_STREAM_LINUX_PROC_STATUS, "LinuxProcStatusStream"},
    {DMP_STREAM_LINUX_LSB_RELEASE, "LinuxLsbReleaseStream"},
    {DMP_STREAM_LINUX_CMD_LINE, "LinuxCmdLineStream"},
    {DMP_STREAM_LINUX_ENVIRON, "LinuxEnvironStream"},
    {DMP_STREAM_LINUX_AUXV, "LinuxAuxvStream"},
    {DMP_STREAM_LINUX_MAPS, "LinuxMapsStream"},
    {DMP_STREAM_LINUX_DSO_DEBUG, "LinuxDsoDebugStream"},
    {0x4767000b, "LinuxProcStatStream"}, /* LLVM's names for LLDB's /proc copies */
    {0x4767000c, "LinuxProcUptimeStream"},
    {0x4767000d, "LinuxProcFdStream"},
    {DMP_STREAM_CRASHPAD_INFO, "CrashpadInfoStream"},
    {0x4b6b0002, "ChromiumStabilityReportStream"},
    {0x4d7a0001, "MozMacosCrashInfoStream"},
    {0x4d7a0004, "MozSoftErrorsStream"},
    {0xface1ca7, "FbLogcatStream"},
    {0xfacecafa, "FbAppCustomDataStream"},
    {0xfacecafb, "FbBuildIDStream"},
    {0xfacecafc, "FbAppVersionNameStream"},
    {0xfacecafd, "FbJavaStackStream"},
    {0xfacecafe, "FbDalvikInfoStream"},
    {0xfacecaff, "FbUnwindSymbolsStream"},
    {0xfacecb00, "FbDumpErrorLogStream"},
    {0xfacecccc, "FbAppStateLogStream"},
    {0xfacedead, "FbAbortReasonStream"},
    {0xfacee000, "FbThreadNameStream"},
};

const char *dmp_stream_type_name(uint32_t type)
{
    for (size_t i = 0; i < sizeof stream_names / sizeof stream_names[0]; i++)
        if (stream_names[i].type == type)
            return stream_names[i].name;
    return NULL;
}

/* ---- Memory ----------------------------------------------------------------------------- */

/* Walks [addr, addr + len) (len > 0, no wrap) through abutting pieces. True when all of it
 * is captured, with *first the position of the piece holding addr and *r that piece; else
 * *missing is the first gap. */
static bool cover(const struct dmpi_memindex *mem, uint64_t addr, uint64_t len, size_t *first,
                  struct dmpi_range *r, uint64_t *missing)
{
    if (!dmpi_memindex_find(mem, addr, first, r)) {
        *missing = addr;
        return false;
    }
    if (len - 1 <= r->size - 1 - (addr - r->start))
        return true; /* the piece holds it all: the usual read */
    /* The run of adjacent pieces from the first covers up to its last piece's last byte. */
    struct dmpi_range last;
    dmpi_memindex_get(mem, dmpi_memindex_run_last(mem, *first), &last);
    const uint64_t run_last = last.start + (last.size - 1);
    if (run_last >= addr + (len - 1))
        return true;
    *missing = run_last + 1;
    return false;
}

static bool wraps(uint64_t addr, uint64_t len)
{
    return len > 0 && len - 1 > UINT64_MAX - addr;
}

dmp_status dmp_read_memory(const dmp_file *f, uint64_t addr, void *dst, size_t len,
                           size_t *bytes_read)
{
    if (bytes_read)
        *bytes_read = 0;
    if (!f || (!dst && len > 0))
        return DMP_E_INVALID_ARG;
    if (len == 0)
        return DMP_OK;
    if (wraps(addr, len))
        return DMP_E_WRAP;
    const struct dmpi_memindex *mem = &f->mem;
    size_t i;
    struct dmpi_range p;
    uint64_t missing;
    if (!cover(mem, addr, len, &i, &p, &missing))
        return DMP_E_UNMAPPED;
    uint8_t *out = dst;
    size_t left = len;
    for (uint64_t at = addr;;) {
        const uint64_t skip = at - p.start;
        const uint64_t avail = p.size - skip;
        const size_t n = avail < left ? (size_t)avail : left;
        assert(p.file_offset + skip + n <= f->src.bytes.len);
        memcpy(out, f->src.bytes.data + p.file_offset + skip, n);
        out += n;
        left -= n;
        at += n;
        if (left == 0)
            break;
        dmpi_memindex_get(mem, ++i, &p);
    }
    if (bytes_read)
        *bytes_read = len;
    return DMP_OK;
}

dmp_status dmp_find_uncovered(const dmp_file *f, uint64_t addr, uint64_t len,
                              uint64_t *first_missing)
{
    if (!f || !first_missing)
        return DMP_E_INVALID_ARG;
    if (len == 0)
        return DMP_OK;
    if (wraps(addr, len))
        return DMP_E_WRAP;
    size_t i;
    struct dmpi_range r;
    uint64_t missing;
    if (cover(&f->mem, addr, len, &i, &r, &missing))
        return DMP_OK;
    *first_missing = missing;
    return DMP_E_UNMAPPED;
}

uint64_t dmp_readable_len(const dmp_file *f, uint64_t addr)
{
    size_t i;
    if (!f || !dmpi_memindex_find(&f->mem, addr, &i, NULL))
        return 0;
    const struct dmpi_memindex *mem = &f->mem;
    /* Captured bytes all lie in the file, so the run's bytes from addr cannot reach 2^64. */
    struct dmpi_range r;
    dmpi_memindex_get(mem, dmpi_memindex_run_last(mem, i), &r);
    return (r.start - addr) + r.size;
}

size_t dmp_range_count(const dmp_file *f)
{
    return f ? f->mem.total : 0;
}

dmp_status dmp_range_get(const dmp_file *f, size_t i, dmp_range *out)
{
    if (!f || !out)
        return DMP_E_INVALID_ARG;
    const struct dmpi_memindex *mem = &f->mem;
    if (i >= mem->total)
        return DMP_E_NOT_FOUND;
    struct dmpi_range p;
    dmpi_memindex_get(mem, i, &p);
    const uint64_t rank = p.origin & ~DMPI_ORIGIN_TRUNCATED;
    const struct dmpi_memlist *l = dmpi_memindex_list_of(mem, rank);
    out->addr = p.start;
    out->size = p.size;
    out->file_offset = p.file_offset;
    out->descriptor = rank - l->first_rank;
    out->stream_index = l->stream_index;
    out->stream_type = l->stream_type;
    out->flags = p.origin & DMPI_ORIGIN_TRUNCATED ? DMP_RANGE_TRUNCATED : 0;
    out->data = f->src.bytes.data + p.file_offset;
    return DMP_OK;
}

dmp_status dmp_range_find(const dmp_file *f, uint64_t addr, size_t *index)
{
    if (!f || !index)
        return DMP_E_INVALID_ARG;
    return dmpi_memindex_find(&f->mem, addr, index, NULL) ? DMP_OK : DMP_E_NOT_FOUND;
}

dmp_status dmp_range_next(const dmp_file *f, uint64_t addr, size_t *index)
{
    if (!f || !index)
        return DMP_E_INVALID_ARG;
    const size_t i = dmpi_memindex_upper(&f->mem, addr);
    if (i == f->mem.total)
        return DMP_E_NOT_FOUND;
    *index = i;
    return DMP_OK;
}

/* ---- Diagnostics ------------------------------------------------------------------------ */

size_t dmp_diag_count(const dmp_file *f)
{
    return f ? f->diags.count : 0;
}

dmp_status dmp_diag_get(const dmp_file *f, size_t i, dmp_diag *out)
{
    if (!f || !out)
        return DMP_E_INVALID_ARG;
    if (i >= f->diags.count)
        return DMP_E_NOT_FOUND;
    *out = f->diags.items[i];
    return DMP_OK;
}
