/* reason.c - why an exception happened: the sub-codes of Windows, Linux and macOS crashes.
 * SPDX-License-Identifier: MIT
 *
 * Nothing here reads the file: the decoded dmp_exception and SystemInfo say it all. Every
 * table below is indexed by values the dump gives, so each lookup is a bounded search.
 *
 * Windows: EXCEPTION_ACCESS_VIOLATION and EXCEPTION_IN_PAGE_ERROR carry how memory was
 * touched in parameter 0 (0 read, 1 write, 8 execute: a DEP fault) and where in parameter 1;
 * an in-page error adds the NTSTATUS of the failed paging I/O in parameter 2.
 * STATUS_STACK_BUFFER_OVERRUN is also what __fastfail raises, its FAST_FAIL_* code in
 * parameter 0.
 *
 * Linux and Android (Breakpad, Crashpad): the code is the signal number, the flags si_code,
 * and the exception address si_addr for the signals that fault on an address.
 *
 * macOS and iOS: the code is the Mach exception type and the flags its code[0] (Crashpad
 * writes all codes as parameters: type, code[0], code[1]). When the process died of EXC_CRASH
 * (a signal, delivered after the fact), code[0] packs what happened (xnu's
 * bsd/uxkern/ux_exception.c, Crashpad's ExcCrashRecoverOriginalException):
 *     bits 24..31  the BSD signal number
 *     bits 20..23  the original Mach exception type (0: the signal had no Mach cause)
 *     bits  0..19  the original code[0]
 * Breakpad writes EXC_CRASH (10) as the code with that word as the flags. Crashpad unwraps it:
 * the code becomes the original type and the flags its code; for a signal without a Mach
 * cause (abort(), kill) that leaves code 0, and the wrapping survives only in the parameters:
 * parameter 0 is 10 (EXC_CRASH) and parameter 1 the packed word, so "code 0, parameters 0xa
 * 0xb000000" is SIGSEGV (0x0b) raised without a Mach exception.
 */
#include "internal.h"

#include <string.h>

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

struct sub_name {
    int64_t value;
    const char *name;
};

static const char *find_sub(const struct sub_name *table, size_t n, int64_t value)
{
    for (size_t i = 0; i < n; i++)
        if (table[i].value == value)
            return table[i].name;
    return NULL;
}

/* ---- Windows ---------------------------------------------------------------------------- */

#define CODE_ACCESS_VIOLATION 0xc0000005u
#define CODE_IN_PAGE_ERROR 0xc0000006u
#define CODE_STACK_BUFFER_OVERRUN 0xc0000409u

/* winnt.h's FAST_FAIL_* codes, as __fastfail passes them. */
static const char *const fast_fail_names[] = {
    "FAST_FAIL_LEGACY_GS_VIOLATION",
    "FAST_FAIL_VTGUARD_CHECK_FAILURE",
    "FAST_FAIL_STACK_COOKIE_CHECK_FAILURE",
    "FAST_FAIL_CORRUPT_LIST_ENTRY",
    "FAST_FAIL_INCORRECT_STACK",
    "FAST_FAIL_INVALID_ARG",
    "FAST_FAIL_GS_COOKIE_INIT",
    "FAST_FAIL_FATAL_APP_EXIT",
    "FAST_FAIL_RANGE_CHECK_FAILURE",
    "FAST_FAIL_UNSAFE_REGISTRY_ACCESS",
    "FAST_FAIL_GUARD_ICALL_CHECK_FAILURE",
    "FAST_FAIL_GUARD_WRITE_CHECK_FAILURE",
    "FAST_FAIL_INVALID_FIBER_SWITCH",
    "FAST_FAIL_INVALID_SET_OF_CONTEXT",
    "FAST_FAIL_INVALID_REFERENCE_COUNT",
    NULL,
    NULL,
    NULL,
    "FAST_FAIL_INVALID_JUMP_BUFFER",
    "FAST_FAIL_MRDATA_MODIFIED",
    "FAST_FAIL_CERTIFICATION_FAILURE",
    "FAST_FAIL_INVALID_EXCEPTION_CHAIN",
    "FAST_FAIL_CRYPTO_LIBRARY",
    "FAST_FAIL_INVALID_CALL_IN_DLL_CALLOUT",
    "FAST_FAIL_INVALID_IMAGE_BASE",
    "FAST_FAIL_DLOAD_PROTECTION_FAILURE",
    "FAST_FAIL_UNSAFE_EXTENSION_CALL",
    "FAST_FAIL_DEPRECATED_SERVICE_INVOKED",
    "FAST_FAIL_INVALID_BUFFER_ACCESS",
    "FAST_FAIL_INVALID_BALANCED_TREE",
    "FAST_FAIL_INVALID_NEXT_THREAD",
    "FAST_FAIL_GUARD_ICALL_CHECK_SUPPRESSED",
    "FAST_FAIL_APCS_DISABLED",
    "FAST_FAIL_INVALID_IDLE_STATE",
    "FAST_FAIL_MRDATA_PROTECTION_FAILURE",
    "FAST_FAIL_UNEXPECTED_HEAP_EXCEPTION",
    "FAST_FAIL_INVALID_LOCK_STATE",
    "FAST_FAIL_GUARD_JUMPTABLE",
    "FAST_FAIL_INVALID_LONGJUMP_TARGET",
    "FAST_FAIL_INVALID_DISPATCH_CONTEXT",
    "FAST_FAIL_INVALID_THREAD",
    "FAST_FAIL_INVALID_SYSCALL_NUMBER",
    "FAST_FAIL_INVALID_FILE_OPERATION",
    "FAST_FAIL_LPAC_ACCESS_DENIED",
    "FAST_FAIL_GUARD_SS_FAILURE",
    "FAST_FAIL_LOADER_CONTINUITY_FAILURE",
    "FAST_FAIL_GUARD_EXPORT_SUPPRESSION_FAILURE",
    "FAST_FAIL_INVALID_CONTROL_STACK",
    "FAST_FAIL_SET_CONTEXT_DENIED",
    "FAST_FAIL_INVALID_IAT",
    "FAST_FAIL_HEAP_METADATA_CORRUPTION",
    "FAST_FAIL_PAYLOAD_RESTRICTION_VIOLATION",
    "FAST_FAIL_LOW_LABEL_ACCESS_DENIED",
    "FAST_FAIL_ENCLAVE_CALL_FAILURE",
    "FAST_FAIL_UNHANDLED_LSS_EXCEPTON",
    "FAST_FAIL_ADMINLESS_ACCESS_DENIED",
    "FAST_FAIL_UNEXPECTED_CALL",
    "FAST_FAIL_CONTROL_INVALID_RETURN_ADDRESS",
    "FAST_FAIL_UNEXPECTED_HOST_BEHAVIOR",
    "FAST_FAIL_FLAGS_CORRUPTION",
    "FAST_FAIL_VEH_CORRUPTION",
    "FAST_FAIL_ETW_CORRUPTION",
    "FAST_FAIL_RIO_ABORT",
    "FAST_FAIL_INVALID_PFN",
    "FAST_FAIL_GUARD_ICALL_CHECK_FAILURE_XFG",
    "FAST_FAIL_CAST_GUARD",
    "FAST_FAIL_HOST_VISIBILITY_CHANGE",
    "FAST_FAIL_KERNEL_CET_SHADOW_STACK_ASSIST",
    "FAST_FAIL_PATCH_CALLBACK_FAILED",
    "FAST_FAIL_NTDLL_PATCH_FAILED",
    "FAST_FAIL_INVALID_FLS_DATA",
};

static void windows_reason(const dmp_exception *e, dmp_exception_reason *r)
{
    const bool memory = e->code == CODE_ACCESS_VIOLATION || e->code == CODE_IN_PAGE_ERROR;
    if (memory && e->param_count >= 2) {
        static const char *const names[2][3] = {
            {"EXCEPTION_ACCESS_VIOLATION_READ", "EXCEPTION_ACCESS_VIOLATION_WRITE",
             "EXCEPTION_ACCESS_VIOLATION_EXEC"},
            {"EXCEPTION_IN_PAGE_ERROR_READ", "EXCEPTION_IN_PAGE_ERROR_WRITE",
             "EXCEPTION_IN_PAGE_ERROR_EXEC"},
        };
        const int page = e->code == CODE_IN_PAGE_ERROR;
        const uint64_t kind = e->params[0];
        const int k = kind == 0 ? 0 : kind == 1 ? 1 : kind == 8 ? 2 : -1;
        r->has_subcode = 1;
        r->subcode = kind;
        if (k >= 0) {
            static const char *const access[] = {"read", "write", "execute"};
            r->detail = names[page][k];
            r->access = access[k];
        }
        r->has_address = 1;
        r->address = e->params[1];
        if (page && e->param_count >= 3) {
            r->has_status = 1;
            r->status = (uint32_t)e->params[2];
        }
    } else if (e->code == CODE_STACK_BUFFER_OVERRUN && e->param_count >= 1) {
        r->has_subcode = 1;
        r->subcode = e->params[0];
        if (e->params[0] < LEN(fast_fail_names))
            r->detail = fast_fail_names[e->params[0]];
        else if (e->params[0] == UINT32_MAX)
            r->detail = "FAST_FAIL_INVALID_FAST_FAIL_CODE";
    }
}

/* ---- Linux and Android: si_code ------------------------------------------------------------ */

#define LINUX_SIGILL 4
#define LINUX_SIGTRAP 5
#define LINUX_SIGBUS 7
#define LINUX_SIGFPE 8
#define LINUX_SIGSEGV 11
#define LINUX_SIGSYS 31

/* asm-generic/siginfo.h: the codes any signal may carry (si_code <= 0, and SI_KERNEL). */
static const struct sub_name si_generic[] = {
    {0, "SI_USER"},      {0x80, "SI_KERNEL"}, {-1, "SI_QUEUE"}, {-2, "SI_TIMER"},
    {-3, "SI_MESGQ"},    {-4, "SI_ASYNCIO"},  {-5, "SI_SIGIO"}, {-6, "SI_TKILL"},
    {-7, "SI_DETHREAD"}, {-60, "SI_ASYNCNL"},
};

/* The per-signal codes, numbered from 1. */
static const char *const si_ill[] = {NULL,         "ILL_ILLOPC",  "ILL_ILLOPN", "ILL_ILLADR",
                                     "ILL_ILLTRP", "ILL_PRVOPC",  "ILL_PRVREG", "ILL_COPROC",
                                     "ILL_BADSTK", "ILL_BADIADDR"};
static const char *const si_fpe[] = {NULL,         "FPE_INTDIV", "FPE_INTOVF", "FPE_FLTDIV",
                                     "FPE_FLTOVF", "FPE_FLTUND", "FPE_FLTRES", "FPE_FLTINV",
                                     "FPE_FLTSUB", NULL,         NULL,         NULL,
                                     NULL,         NULL,         "FPE_FLTUNK", "FPE_CONDTRAP"};
static const char *const si_segv[] = {
    NULL,           "SEGV_MAPERR",  "SEGV_ACCERR",  "SEGV_BNDERR",  "SEGV_PKUERR", "SEGV_ACCADI",
    "SEGV_ADIDERR", "SEGV_ADIPERR", "SEGV_MTEAERR", "SEGV_MTESERR", "SEGV_CPERR"};
static const char *const si_bus[] = {NULL,         "BUS_ADRALN",    "BUS_ADRERR",
                                     "BUS_OBJERR", "BUS_MCEERR_AR", "BUS_MCEERR_AO"};
static const char *const si_trap[] = {NULL,          "TRAP_BRKPT", "TRAP_TRACE", "TRAP_BRANCH",
                                      "TRAP_HWBKPT", "TRAP_UNK",   "TRAP_PERF"};
static const char *const si_sys[] = {NULL, "SYS_SECCOMP", "SYS_USER_DISPATCH"};

static void linux_reason(const dmp_exception *e, dmp_exception_reason *r)
{
    const int32_t si_code = (int32_t)e->flags;
    r->has_subcode = 1;
    r->subcode = e->flags;
    const bool fault_signal = e->code == LINUX_SIGILL || e->code == LINUX_SIGTRAP ||
                              e->code == LINUX_SIGBUS || e->code == LINUX_SIGFPE ||
                              e->code == LINUX_SIGSEGV;
    if (si_code == 0 && fault_signal)
        return; /* Breakpad's older Linux writers left the flags 0 for every signal, and a
                 * fault signal sent by kill() is rare: SI_USER would mislead more than it
                 * tells. The raw sub-code stays. */
    if (si_code <= 0 || si_code == 0x80) {
        r->detail = find_sub(si_generic, LEN(si_generic), si_code);
        return; /* sent, not faulted: si_addr means nothing */
    }
    const char *const *table = NULL;
    size_t n = 0;
    switch (e->code) {
#define USE(t) (table = (t), n = LEN(t))
    case LINUX_SIGILL:
        USE(si_ill);
        break;
    case LINUX_SIGTRAP:
        USE(si_trap);
        break;
    case LINUX_SIGBUS:
        USE(si_bus);
        break;
    case LINUX_SIGFPE:
        USE(si_fpe);
        break;
    case LINUX_SIGSEGV:
        USE(si_segv);
        break;
    case LINUX_SIGSYS:
        USE(si_sys);
        break;
#undef USE
    default:
        return;
    }
    if ((uint32_t)si_code < n)
        r->detail = table[si_code];
    if (e->code != LINUX_SIGSYS) {
        r->has_address = 1; /* si_addr: the faulting address, or instruction */
        r->address = e->address;
    }
}

/* ---- macOS and iOS: Mach codes ------------------------------------------------------------ */

#define EXC_BAD_ACCESS 1
#define EXC_BAD_INSTRUCTION 2
#define EXC_ARITHMETIC 3
#define EXC_SOFTWARE 5
#define EXC_BREAKPOINT 6
#define EXC_CRASH 10

/* sys/signal.h on Darwin: numbered like Linux up to SIGTERM but for 7, 10, 12; not after. */
static const char *const darwin_signals[] = {
    NULL,      "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",   "SIGTRAP", "SIGABRT", "SIGEMT",
    "SIGFPE",  "SIGKILL", "SIGBUS",    "SIGSEGV", "SIGSYS",   "SIGPIPE", "SIGALRM", "SIGTERM",
    "SIGURG",  "SIGSTOP", "SIGTSTP",   "SIGCONT", "SIGCHLD",  "SIGTTIN", "SIGTTOU", "SIGIO",
    "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGINFO", "SIGUSR1", "SIGUSR2",
};

/* mach/kern_return.h: what the VM system said of a bad access. */
static const struct sub_name kern_codes[] = {
    {1, "KERN_INVALID_ADDRESS"}, {2, "KERN_PROTECTION_FAILURE"}, {8, "KERN_NO_ACCESS"},
    {9, "KERN_MEMORY_FAILURE"},  {10, "KERN_MEMORY_ERROR"},      {50, "KERN_CODESIGN_ERROR"},
};

/* mach/i386/exception.h and mach/arm/exception.h. */
static const struct sub_name x86_bad_access[] = {{13, "EXC_I386_GPFLT"}};
static const struct sub_name arm_bad_access[] = {
    {0x101, "EXC_ARM_DA_ALIGN"}, {0x102, "EXC_ARM_DA_DEBUG"}, {0x103, "EXC_ARM_SP_ALIGN"},
    {0x104, "EXC_ARM_SWP"},      {0x105, "EXC_ARM_PAC_FAIL"},
};
static const struct sub_name x86_instruction[] = {
    {1, "EXC_I386_INVOP"},   {10, "EXC_I386_INVTSSFLT"}, {11, "EXC_I386_SEGNPFLT"},
    {12, "EXC_I386_STKFLT"}, {13, "EXC_I386_GPFLT"},     {17, "EXC_I386_ALIGNFLT"},
};
static const struct sub_name arm_instruction[] = {{1, "EXC_ARM_UNDEFINED"}};
static const struct sub_name x86_arithmetic[] = {
    {1, "EXC_I386_DIV"},    {2, "EXC_I386_INTO"},  {3, "EXC_I386_NOEXT"}, {4, "EXC_I386_EXTOVR"},
    {5, "EXC_I386_EXTERR"}, {6, "EXC_I386_EMERR"}, {7, "EXC_I386_BOUND"}, {8, "EXC_I386_SSEEXTERR"},
};
static const struct sub_name arm_arithmetic[] = {
    {1, "EXC_ARM_FP_IO"}, {2, "EXC_ARM_FP_DZ"}, {3, "EXC_ARM_FP_OF"},
    {4, "EXC_ARM_FP_UF"}, {5, "EXC_ARM_FP_IX"}, {6, "EXC_ARM_FP_ID"},
};
static const struct sub_name software_codes[] = {
    {0x10000, "EXC_UNIX_BAD_SYSCALL"},
    {0x10001, "EXC_UNIX_BAD_PIPE"},
    {0x10002, "EXC_UNIX_ABORT"},
    {0x10003, "EXC_SOFT_SIGNAL"},
};
static const struct sub_name x86_breakpoint[] = {{1, "EXC_I386_SGL"}, {2, "EXC_I386_BPT"}};
static const struct sub_name arm_breakpoint[] = {{1, "EXC_ARM_BREAKPOINT"}};

static const char *mach_detail(uint32_t type, uint32_t code, bool arm)
{
    const struct sub_name *table = NULL;
    size_t n = 0;
#define USE(t) (table = (t), n = LEN(t))
    switch (type) {
    case EXC_BAD_ACCESS: {
        const char *const kern = find_sub(kern_codes, LEN(kern_codes), code);
        if (kern)
            return kern;
        if (arm)
            USE(arm_bad_access);
        else
            USE(x86_bad_access);
        break;
    }
    case EXC_BAD_INSTRUCTION:
        if (arm)
            USE(arm_instruction);
        else
            USE(x86_instruction);
        break;
    case EXC_ARITHMETIC:
        if (arm)
            USE(arm_arithmetic);
        else
            USE(x86_arithmetic);
        break;
    case EXC_SOFTWARE:
        USE(software_codes);
        break;
    case EXC_BREAKPOINT:
        if (arm)
            USE(arm_breakpoint);
        else
            USE(x86_breakpoint);
        break;
    default:
        return NULL;
    }
#undef USE
    return find_sub(table, n, code);
}

static void set_signal(dmp_exception_reason *r, uint64_t packed)
{
    r->has_signal = 1;
    r->signal = (uint32_t)(packed >> 24) & 0xff;
    r->signal_name = r->signal < LEN(darwin_signals) ? darwin_signals[r->signal] : NULL;
}

static void mach_reason(const dmp_exception *e, bool arm, dmp_exception_reason *r)
{
    r->has_subcode = 1;
    r->subcode = e->flags;
    if (e->code == EXC_CRASH) {
        /* Breakpad: still wrapped; name the original exception's code. */
        set_signal(r, e->flags);
        r->detail = mach_detail((e->flags >> 20) & 0xf, e->flags & 0xfffff, arm);
        return;
    }
    if (e->code == 0 && e->param_count >= 2 && e->params[0] == EXC_CRASH) {
        /* Crashpad: a signal without a Mach cause. */
        set_signal(r, e->params[1]);
        r->name = r->signal_name;
        r->has_subcode = 0;
        r->subcode = 0;
        return;
    }
    r->detail = mach_detail(e->code, e->flags, arm);
    /* EXC_BAD_ACCESS's code[1] is the address; Breakpad writes it as the exception address. */
    if (e->code == EXC_BAD_ACCESS) {
        r->has_address = 1;
        r->address = e->address;
    }
    /* Crashpad records an EXC_CRASH it unwrapped as parameter 0. */
    if (e->param_count >= 2 && e->params[0] == EXC_CRASH)
        set_signal(r, e->params[1]);
}

dmp_status dmp_exception_reason_get(const dmp_file *f, size_t i, dmp_exception_reason *out)
{
    if (!f || !out)
        return DMP_E_INVALID_ARG;
    dmp_exception e;
    if (dmp_exception_get(f, i, &e) != DMP_OK)
        return DMP_E_NOT_FOUND;
    dmp_system_info si;
    const bool known = dmp_get_system_info(f, &si) == DMP_OK;
    dmp_exception_reason r;
    memset(&r, 0, sizeof r);
    r.name = dmp_exception_name(f, e.code);
    switch (known ? si.platform : UINT32_MAX) {
    case DMP_PLATFORM_LINUX:
    case DMP_PLATFORM_ANDROID:
        linux_reason(&e, &r);
        break;
    case DMP_PLATFORM_MACOS:
    case DMP_PLATFORM_IOS: {
        const bool arm = si.arch == DMP_ARCH_ARM || si.arch == DMP_ARCH_ARM64 ||
                         si.arch == DMP_ARCH_ARM64_BREAKPAD;
        mach_reason(&e, arm, &r);
        break;
    }
    case DMP_PLATFORM_SOLARIS:
    case DMP_PLATFORM_FUCHSIA:
        break; /* no sub-codes decoded */
    default:
        windows_reason(&e, &r);
        break;
    }
    *out = r;
    return DMP_OK;
}
