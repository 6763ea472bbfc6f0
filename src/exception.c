/* exception.c - every ExceptionStream, and the names of exception codes per platform.
 * SPDX-License-Identifier: MIT
 *
 * A dump may carry several ExceptionStreams (one per crashed thread, or a writer's extra
 * record); each becomes one dmp_exception, in directory order. One too short for
 * MINIDUMP_EXCEPTION_STREAM is reported and skipped; the others are still served.
 */
#include "internal.h"

#include <stdlib.h>

#define EXCEPTION_STREAM_SIZE 168 /* MINIDUMP_EXCEPTION_STREAM */
#define MAX_PARAMS 15             /* EXCEPTION_MAXIMUM_PARAMETERS */
#define PARAMS_OFF 40             /* ExceptionInformation[] inside the stream */
#define CONTEXT_OFF 160           /* ThreadContext location descriptor */

/* Decodes the stream at directory entry si into *e; false when it is unusable. */
static dmp_status decode_exception(dmp_file *f, uint32_t si, dmp_exception *e, bool *ok)
{
    const struct dmpi_stream *const s = &f->streams[si];
    *ok = false;
    if (s->flags & DMP_STREAM_PAST_EOF)
        return DMP_OK; /* the directory reported it */
    if (s->bytes.len < EXCEPTION_STREAM_SIZE)
        return dmpi_malformed(f, si, s->rva, UINT64_MAX,
                              "ExceptionStream shorter than MINIDUMP_EXCEPTION_STREAM");
    const uint8_t *const p = s->bytes.data;
    /* ThreadId, alignment, then MINIDUMP_EXCEPTION at offset 8. */
    e->stream_index = si;
    e->thread_id = load_u32le(p);
    e->code = load_u32le(p + 8);
    e->flags = load_u32le(p + 12);
    e->record = load_u64le(p + 16);
    e->address = load_u64le(p + 24);
    e->param_count = load_u32le(p + 32);
    for (size_t i = 0; i < MAX_PARAMS; i++)
        e->params[i] = load_u64le(p + PARAMS_OFF + 8 * i);
    e->context_size = load_u32le(p + CONTEXT_OFF);
    e->context_rva = load_u32le(p + CONTEXT_OFF + 4);
    *ok = true;
    dmp_status st = DMP_OK;
    if (e->param_count > MAX_PARAMS)
        st = dmpi_malformed(f, si, s->rva + 32, UINT64_MAX,
                            "NumberParameters above 15; the first 15 are kept");
    struct view ctx;
    if (st == DMP_OK && e->context_size != 0) {
        if (view_slice(&f->src.bytes, e->context_rva, e->context_size, &ctx))
            e->context = ctx.data;
        else
            st = dmpi_malformed(f, si, s->rva + CONTEXT_OFF, UINT64_MAX,
                                "exception context lies outside the file");
    }
    return st;
}

dmp_status dmpi_parse_exceptions(dmp_file *f)
{
    size_t n = 0;
    for (size_t i = 0; dmp_stream_find(f, DMP_STREAM_EXCEPTION, i, &i) == DMP_OK; i++)
        n++;
    if (n == 0)
        return DMP_OK;
    dmp_exception *const list = dmpi_arena_calloc(&f->arena, n, sizeof *list);
    if (!list)
        return DMP_E_NOMEM;
    f->triage.exceptions = list;
    for (size_t i = 0; dmp_stream_find(f, DMP_STREAM_EXCEPTION, i, &i) == DMP_OK; i++) {
        bool ok;
        const dmp_status st =
            decode_exception(f, (uint32_t)i, &list[f->triage.exception_count], &ok);
        if (st != DMP_OK)
            return st;
        f->triage.exception_count += ok;
    }
    return DMP_OK;
}

size_t dmp_exception_count(const dmp_file *f)
{
    return f ? f->triage.exception_count : 0;
}

dmp_status dmp_exception_get(const dmp_file *f, size_t i, dmp_exception *out)
{
    if (!f || !out)
        return DMP_E_INVALID_ARG;
    if (i >= f->triage.exception_count)
        return DMP_E_NOT_FOUND;
    *out = f->triage.exceptions[i];
    return DMP_OK;
}

/* ---- Code names ------------------------------------------------------------------------ */

struct code_name {
    uint32_t code;
    const char *name;
};

/* NTSTATUS values seen as exception codes: winnt.h's EXCEPTION_* names where there is one,
 * else ntstatus.h's, plus the codes compilers, runtimes and crash reporters raise. */
static const struct code_name windows_codes[] = {
    {0x0517a7edu, "SIMULATED"}, /* Crashpad's DumpWithoutCrash */
    {0x40000015u, "STATUS_FATAL_APP_EXIT"},
    {0x4000001fu, "STATUS_WX86_BREAKPOINT"},
    {0x40010005u, "DBG_CONTROL_C"},
    {0x40010006u, "DBG_PRINTEXCEPTION_C"},
    {0x40010008u, "DBG_CONTROL_BREAK"},
    {0x4001000au, "DBG_PRINTEXCEPTION_WIDE_C"},
    {0x406d1388u, "MS_VC_EXCEPTION"}, /* SetThreadName's debugger notification */
    {0x80000001u, "EXCEPTION_GUARD_PAGE"},
    {0x80000002u, "EXCEPTION_DATATYPE_MISALIGNMENT"},
    {0x80000003u, "EXCEPTION_BREAKPOINT"},
    {0x80000004u, "EXCEPTION_SINGLE_STEP"},
    {0x80000029u, "STATUS_UNWIND_CONSOLIDATE"},
    {0xc0000005u, "EXCEPTION_ACCESS_VIOLATION"},
    {0xc0000006u, "EXCEPTION_IN_PAGE_ERROR"},
    {0xc0000008u, "EXCEPTION_INVALID_HANDLE"},
    {0xc000000du, "STATUS_INVALID_PARAMETER"},
    {0xc0000017u, "STATUS_NO_MEMORY"},
    {0xc000001du, "EXCEPTION_ILLEGAL_INSTRUCTION"},
    {0xc0000025u, "EXCEPTION_NONCONTINUABLE_EXCEPTION"},
    {0xc0000026u, "EXCEPTION_INVALID_DISPOSITION"},
    {0xc000008cu, "EXCEPTION_ARRAY_BOUNDS_EXCEEDED"},
    {0xc000008du, "EXCEPTION_FLT_DENORMAL_OPERAND"},
    {0xc000008eu, "EXCEPTION_FLT_DIVIDE_BY_ZERO"},
    {0xc000008fu, "EXCEPTION_FLT_INEXACT_RESULT"},
    {0xc0000090u, "EXCEPTION_FLT_INVALID_OPERATION"},
    {0xc0000091u, "EXCEPTION_FLT_OVERFLOW"},
    {0xc0000092u, "EXCEPTION_FLT_STACK_CHECK"},
    {0xc0000093u, "EXCEPTION_FLT_UNDERFLOW"},
    {0xc0000094u, "EXCEPTION_INT_DIVIDE_BY_ZERO"},
    {0xc0000095u, "EXCEPTION_INT_OVERFLOW"},
    {0xc0000096u, "EXCEPTION_PRIV_INSTRUCTION"},
    {0xc00000fdu, "EXCEPTION_STACK_OVERFLOW"},
    {0xc00000ffu, "STATUS_BAD_FUNCTION_TABLE"},
    {0xc0000135u, "STATUS_DLL_NOT_FOUND"},
    {0xc0000138u, "STATUS_ORDINAL_NOT_FOUND"},
    {0xc0000139u, "STATUS_ENTRYPOINT_NOT_FOUND"},
    {0xc000013au, "STATUS_CONTROL_C_EXIT"},
    {0xc0000142u, "STATUS_DLL_INIT_FAILED"},
    {0xc0000194u, "EXCEPTION_POSSIBLE_DEADLOCK"},
    {0xc000027bu, "STATUS_STOWED_EXCEPTION"},
    {0xc00002b4u, "STATUS_FLOAT_MULTIPLE_FAULTS"},
    {0xc00002b5u, "STATUS_FLOAT_MULTIPLE_TRAPS"},
    {0xc00002c9u, "STATUS_REG_NAT_CONSUMPTION"},
    {0xc0000374u, "STATUS_HEAP_CORRUPTION"},
    {0xc0000409u, "STATUS_STACK_BUFFER_OVERRUN"}, /* also __fastfail */
    {0xc0000417u, "STATUS_INVALID_CRUNTIME_PARAMETER"},
    {0xc0000420u, "STATUS_ASSERTION_FAILURE"},
    {0xc0000602u, "STATUS_FAIL_FAST_EXCEPTION"},
    {0xe0000008u, "OUT_OF_MEMORY"},     /* Chromium's allocators */
    {0xe0434352u, "CLR_EXCEPTION"},     /* .NET, "CCR" */
    {0xe0434f4du, "COMPLUS_EXCEPTION"}, /* .NET 1.x, "COM" */
    {0xe06d7363u, "CPP_EH_EXCEPTION"},  /* MSVC's throw, "msc" */
};

/* Breakpad and Crashpad on Linux and Android write the signal number (bits/signum.h). */
static const char *const linux_signals[] = {
    NULL,        "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",   "SIGTRAP", "SIGABRT", "SIGBUS",
    "SIGFPE",    "SIGKILL", "SIGUSR1",   "SIGSEGV", "SIGUSR2",  "SIGPIPE", "SIGALRM", "SIGTERM",
    "SIGSTKFLT", "SIGCHLD", "SIGCONT",   "SIGSTOP", "SIGTSTP",  "SIGTTIN", "SIGTTOU", "SIGURG",
    "SIGXCPU",   "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO",   "SIGPWR",  "SIGSYS",
};

/* Solaris numbers its signals differently from Linux past SIGKILL (sys/iso/signal_iso.h). */
static const char *const solaris_signals[] = {
    NULL,        "SIGHUP",    "SIGINT",  "SIGQUIT", "SIGILL",     "SIGTRAP", "SIGABRT",
    "SIGEMT",    "SIGFPE",    "SIGKILL", "SIGBUS",  "SIGSEGV",    "SIGSYS",  "SIGPIPE",
    "SIGALRM",   "SIGTERM",   "SIGUSR1", "SIGUSR2", "SIGCHLD",    "SIGPWR",  "SIGWINCH",
    "SIGURG",    "SIGPOLL",   "SIGSTOP", "SIGTSTP", "SIGCONT",    "SIGTTIN", "SIGTTOU",
    "SIGVTALRM", "SIGPROF",   "SIGXCPU", "SIGXFSZ", "SIGWAITING", "SIGLWP",  "SIGFREEZE",
    "SIGTHAW",   "SIGCANCEL", "SIGLOST", "SIGXRES", "SIGJVM1",    "SIGJVM2",
};

/* macOS and iOS: the Mach exception type (mach/exception_types.h), and Crashpad's own. */
static const struct code_name mach_codes[] = {
    {1, "EXC_BAD_ACCESS"},
    {2, "EXC_BAD_INSTRUCTION"},
    {3, "EXC_ARITHMETIC"},
    {4, "EXC_EMULATION"},
    {5, "EXC_SOFTWARE"},
    {6, "EXC_BREAKPOINT"},
    {7, "EXC_SYSCALL"},
    {8, "EXC_MACH_SYSCALL"},
    {9, "EXC_RPC_ALERT"},
    {10, "EXC_CRASH"},
    {11, "EXC_RESOURCE"},
    {12, "EXC_GUARD"},
    {13, "EXC_CORPSE_NOTIFY"},
    {0x43506e78u, "UNCAUGHT_NS_EXCEPTION"}, /* Crashpad on iOS, "CPnx" */
    {0x43507378u, "SIMULATED"},             /* Crashpad's SimulateCrash, "CPsx" */
};

/* Fuchsia: zircon's ZX_EXCP_* types (zircon/syscalls/exception.h). */
static const struct code_name fuchsia_codes[] = {
    {0x8, "ZX_EXCP_GENERAL"},
    {0x108, "ZX_EXCP_FATAL_PAGE_FAULT"},
    {0x208, "ZX_EXCP_UNDEFINED_INSTRUCTION"},
    {0x308, "ZX_EXCP_SW_BREAKPOINT"},
    {0x408, "ZX_EXCP_HW_BREAKPOINT"},
    {0x508, "ZX_EXCP_UNALIGNED_ACCESS"},
    {0x8008, "ZX_EXCP_THREAD_STARTING"},
    {0x8108, "ZX_EXCP_THREAD_EXITING"},
    {0x8208, "ZX_EXCP_POLICY_ERROR"},
    {0x8308, "ZX_EXCP_PROCESS_STARTING"},
};

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *find_code(const struct code_name *table, size_t n, uint32_t code)
{
    for (size_t i = 0; i < n; i++)
        if (table[i].code == code)
            return table[i].name;
    return NULL;
}

static const char *signal_name(const char *const *table, size_t n, uint32_t code)
{
    /* Breakpad writes 0xFFFFFFFF when a dump was asked for without a crash. */
    if (code == UINT32_MAX)
        return "DUMP_REQUESTED";
    return code < n ? table[code] : NULL;
}

const char *dmp_exception_code_name(uint32_t code, uint32_t platform)
{
    switch (platform) {
    case DMP_PLATFORM_LINUX:
    case DMP_PLATFORM_ANDROID:
        return signal_name(linux_signals, LEN(linux_signals), code);
    case DMP_PLATFORM_SOLARIS:
        return signal_name(solaris_signals, LEN(solaris_signals), code);
    case DMP_PLATFORM_MACOS:
    case DMP_PLATFORM_IOS:
        return find_code(mach_codes, LEN(mach_codes), code);
    case DMP_PLATFORM_FUCHSIA:
        return find_code(fuchsia_codes, LEN(fuchsia_codes), code);
    default:
        /* Windows, and any platform we cannot tell: NTSTATUS codes are unmistakable. */
        return find_code(windows_codes, LEN(windows_codes), code);
    }
}
