/* test_reason.c - dmp_exception_reason_get on dumps built for each platform (Windows, Linux,
 * macOS on x86 and arm64, none), over every sub-code table; Breakpad's assertion stream,
 * whole, short and repeated; the shared dumps that carry a fast fail and an assertion.
 * SPDX-License-Identifier: MIT */
#include "suite.h"

#include <stdio.h>
#include <string.h>

#define EXC_SIZE 168

struct exc {
    uint32_t code;
    uint32_t flags;
    uint64_t address;
    uint32_t nparams;
    uint64_t params[3];
};

/* A dump with SystemInfo for `platform` and `arch` (none when platform is UINT32_MAX) and
 * one MINIDUMP_EXCEPTION_STREAM. */
static struct mkdump *build(uint32_t platform, uint16_t arch, const struct exc *e)
{
    struct mkdump *b = mkd_new(4);
    if (platform != UINT32_MAX)
        mkd_add_system_info(b, platform, arch);
    uint8_t buf[EXC_SIZE] = {0};
    mkd_store_u32(buf, 1234);
    mkd_store_u32(buf + 8, e->code);
    mkd_store_u32(buf + 12, e->flags);
    mkd_store_u64(buf + 24, e->address);
    mkd_store_u32(buf + 32, e->nparams);
    for (size_t i = 0; i < 3; i++)
        mkd_store_u64(buf + 40 + 8 * i, e->params[i]);
    mkd_add_stream_data(b, DMP_STREAM_EXCEPTION, buf, sizeof buf);
    return b;
}

static dmp_exception_reason reason_of(uint32_t platform, uint16_t arch, const struct exc *e)
{
    struct mkdump *b = build(platform, arch, e);
    dmp_file *f = open_built(b);
    dmp_exception_reason r;
    memset(&r, 0xa5, sizeof r); /* every member must be written */
    ck_assert_int_eq(dmp_exception_reason_get(f, 0, &r), DMP_OK);
    dmp_close(f);
    mkd_free(b);
    return r;
}

static void expect_str(const char *got, const char *want, const char *what, size_t i)
{
    if (!want)
        ck_assert_msg(got == NULL, "case %zu: %s is %s, want NULL", i, what, got);
    else
        ck_assert_msg(got && strcmp(got, want) == 0, "case %zu: %s is %s, want %s", i, what,
                      got ? got : "NULL", want);
}

/* ---- Windows ---------------------------------------------------------------------------- */

START_TEST(windows_memory_faults)
{
    const struct {
        struct exc e;
        const char *detail, *access;
        int has_address, has_status;
        uint32_t status;
    } cases[] = {
        {{0xc0000005, 0, 0x401000, 2, {0, 0x41414141, 0}},
         "EXCEPTION_ACCESS_VIOLATION_READ",
         "read",
         1,
         0,
         0},
        {{0xc0000005, 0, 0x401000, 2, {1, 0x45, 0}},
         "EXCEPTION_ACCESS_VIOLATION_WRITE",
         "write",
         1,
         0,
         0},
        {{0xc0000005, 0, 0x3df944, 2, {8, 0x3df944, 0}},
         "EXCEPTION_ACCESS_VIOLATION_EXEC",
         "execute",
         1,
         0,
         0},
        {{0xc0000005, 0, 0x401000, 2, {2, 0x10, 0}}, NULL, NULL, 1, 0, 0}, /* unknown kind */
        {{0xc0000005, 0, 0x401000, 1, {0, 0x10, 0}}, NULL, NULL, 0, 0, 0}, /* too few */
        {{0xc0000006, 0, 0x401000, 3, {0, 0x7ff0000, 0xc000009c}},
         "EXCEPTION_IN_PAGE_ERROR_READ",
         "read",
         1,
         1,
         0xc000009c},
        {{0xc0000006, 0, 0x401000, 3, {1, 0x7ff0000, 0xc000000e}},
         "EXCEPTION_IN_PAGE_ERROR_WRITE",
         "write",
         1,
         1,
         0xc000000e},
        {{0xc0000006, 0, 0x401000, 2, {8, 0x7ff0000, 0}},
         "EXCEPTION_IN_PAGE_ERROR_EXEC",
         "execute",
         1,
         0,
         0}, /* no status parameter */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const dmp_exception_reason r = reason_of(DMP_PLATFORM_WINNT, DMP_ARCH_AMD64, &cases[i].e);
        expect_str(r.detail, cases[i].detail, "detail", i);
        expect_str(r.access, cases[i].access, "access", i);
        ck_assert_int_eq(r.has_address, cases[i].has_address);
        if (r.has_address)
            ck_assert_uint_eq(r.address, cases[i].e.params[1]);
        ck_assert_int_eq(r.has_subcode, cases[i].has_address);
        if (r.has_subcode)
            ck_assert_uint_eq(r.subcode, cases[i].e.params[0]);
        ck_assert_int_eq(r.has_status, cases[i].has_status);
        ck_assert_uint_eq(r.status, cases[i].status);
        ck_assert_int_eq(r.has_signal, 0);
        ck_assert_ptr_null(r.signal_name);
    }
}
END_TEST

START_TEST(windows_fast_fail)
{
    const struct {
        uint64_t code;
        const char *name;
    } cases[] = {
        {0, "FAST_FAIL_LEGACY_GS_VIOLATION"},
        {2, "FAST_FAIL_STACK_COOKIE_CHECK_FAILURE"},
        {3, "FAST_FAIL_CORRUPT_LIST_ENTRY"},
        {5, "FAST_FAIL_INVALID_ARG"},
        {7, "FAST_FAIL_FATAL_APP_EXIT"},
        {10, "FAST_FAIL_GUARD_ICALL_CHECK_FAILURE"},
        {14, "FAST_FAIL_INVALID_REFERENCE_COUNT"},
        {15, NULL}, /* 15..17 are not assigned */
        {17, NULL},
        {18, "FAST_FAIL_INVALID_JUMP_BUFFER"},
        {37, "FAST_FAIL_GUARD_JUMPTABLE"},
        {44, "FAST_FAIL_GUARD_SS_FAILURE"},
        {50, "FAST_FAIL_HEAP_METADATA_CORRUPTION"},
        {70, "FAST_FAIL_INVALID_FLS_DATA"},
        {71, NULL},
        {0xffffffff, "FAST_FAIL_INVALID_FAST_FAIL_CODE"},
        {0x100000007, NULL}, /* only the 32-bit value is a code */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct exc e = {0xc0000409, 1, 0x7ff75355af42, 1, {cases[i].code, 0, 0}};
        const dmp_exception_reason r = reason_of(DMP_PLATFORM_WINNT, DMP_ARCH_AMD64, &e);
        expect_str(r.name, "STATUS_STACK_BUFFER_OVERRUN", "name", i);
        expect_str(r.detail, cases[i].name, "detail", i);
        ck_assert_int_eq(r.has_subcode, 1);
        ck_assert_uint_eq(r.subcode, cases[i].code);
        ck_assert_int_eq(r.has_address, 0);
        ck_assert_ptr_null(r.access);
    }
    /* Without parameter 0 there is no code to name. */
    const struct exc bare = {0xc0000409, 1, 0x1000, 0, {7, 0, 0}};
    const dmp_exception_reason r = reason_of(DMP_PLATFORM_WINNT, DMP_ARCH_AMD64, &bare);
    ck_assert_int_eq(r.has_subcode, 0);
    ck_assert_ptr_null(r.detail);
}
END_TEST

/* Other codes have no sub-code; a dump without SystemInfo reads as Windows. */
START_TEST(windows_plain_and_no_system_info)
{
    const struct exc bp = {0x80000003, 0, 0x1000, 3, {1, 2, 3}};
    dmp_exception_reason r = reason_of(DMP_PLATFORM_WINNT, DMP_ARCH_X86, &bp);
    expect_str(r.name, "EXCEPTION_BREAKPOINT", "name", 0);
    ck_assert_ptr_null(r.detail);
    ck_assert_int_eq(r.has_subcode | r.has_address | r.has_status | r.has_signal, 0);
    const struct exc av = {0xc0000005, 0, 0x1000, 2, {1, 0x20, 0}};
    r = reason_of(UINT32_MAX, 0, &av);
    expect_str(r.detail, "EXCEPTION_ACCESS_VIOLATION_WRITE", "detail", 1);
    ck_assert_uint_eq(r.address, 0x20);
}
END_TEST

/* ---- Linux and Android ----------------------------------------------------------------- */

START_TEST(linux_si_codes)
{
    const struct {
        uint32_t signal, si_code;
        const char *name, *detail;
        int has_address;
    } cases[] = {
        {11, 1, "SIGSEGV", "SEGV_MAPERR", 1},
        {11, 2, "SIGSEGV", "SEGV_ACCERR", 1},
        {11, 3, "SIGSEGV", "SEGV_BNDERR", 1},
        {11, 4, "SIGSEGV", "SEGV_PKUERR", 1},
        {11, 9, "SIGSEGV", "SEGV_MTESERR", 1},
        {11, 10, "SIGSEGV", "SEGV_CPERR", 1},
        {11, 11, "SIGSEGV", NULL, 1},
        {7, 1, "SIGBUS", "BUS_ADRALN", 1},
        {7, 2, "SIGBUS", "BUS_ADRERR", 1},
        {7, 3, "SIGBUS", "BUS_OBJERR", 1},
        {7, 4, "SIGBUS", "BUS_MCEERR_AR", 1},
        {7, 5, "SIGBUS", "BUS_MCEERR_AO", 1},
        {8, 1, "SIGFPE", "FPE_INTDIV", 1},
        {8, 2, "SIGFPE", "FPE_INTOVF", 1},
        {8, 3, "SIGFPE", "FPE_FLTDIV", 1},
        {8, 7, "SIGFPE", "FPE_FLTINV", 1},
        {8, 8, "SIGFPE", "FPE_FLTSUB", 1},
        {8, 9, "SIGFPE", NULL, 1},
        {8, 14, "SIGFPE", "FPE_FLTUNK", 1},
        {8, 15, "SIGFPE", "FPE_CONDTRAP", 1},
        {4, 1, "SIGILL", "ILL_ILLOPC", 1},
        {4, 2, "SIGILL", "ILL_ILLOPN", 1},
        {4, 5, "SIGILL", "ILL_PRVOPC", 1},
        {4, 8, "SIGILL", "ILL_BADSTK", 1},
        {4, 9, "SIGILL", "ILL_BADIADDR", 1},
        {5, 1, "SIGTRAP", "TRAP_BRKPT", 1},
        {5, 2, "SIGTRAP", "TRAP_TRACE", 1},
        {5, 4, "SIGTRAP", "TRAP_HWBKPT", 1},
        {31, 1, "SIGSYS", "SYS_SECCOMP", 0},
        {31, 2, "SIGSYS", "SYS_USER_DISPATCH", 0},
        /* The codes any signal may carry: sent, so no address. */
        {6, 0, "SIGABRT", "SI_USER", 0},
        /* ... except 0 on a fault signal: old Breakpad writers leave 0 for every signal. */
        {11, 0, "SIGSEGV", NULL, 0},
        {7, 0, "SIGBUS", NULL, 0},
        {11, 0x80, "SIGSEGV", "SI_KERNEL", 0},
        {6, (uint32_t)-6, "SIGABRT", "SI_TKILL", 0},
        {6, (uint32_t)-1, "SIGABRT", "SI_QUEUE", 0},
        {6, (uint32_t)-2, "SIGABRT", "SI_TIMER", 0},
        {6, (uint32_t)-3, "SIGABRT", "SI_MESGQ", 0},
        {6, (uint32_t)-4, "SIGABRT", "SI_ASYNCIO", 0},
        {6, (uint32_t)-5, "SIGABRT", "SI_SIGIO", 0},
        {6, (uint32_t)-7, "SIGABRT", "SI_DETHREAD", 0},
        {6, (uint32_t)-60, "SIGABRT", "SI_ASYNCNL", 0},
        {6, (uint32_t)-8, "SIGABRT", NULL, 0},
        /* A positive code means nothing for a signal without its own table. */
        {6, 1, "SIGABRT", NULL, 0},
        {0xffffffff, 0, "DUMP_REQUESTED", "SI_USER", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct exc e = {cases[i].signal, cases[i].si_code, 0xdead0045, 0, {0}};
        const uint32_t platform = i % 2 ? DMP_PLATFORM_ANDROID : DMP_PLATFORM_LINUX;
        const dmp_exception_reason r = reason_of(platform, DMP_ARCH_AMD64, &e);
        expect_str(r.name, cases[i].name, "name", i);
        expect_str(r.detail, cases[i].detail, "detail", i);
        ck_assert_int_eq(r.has_subcode, 1);
        ck_assert_uint_eq(r.subcode, cases[i].si_code);
        ck_assert_msg(r.has_address == cases[i].has_address, "case %zu: has_address", i);
        if (r.has_address)
            ck_assert_uint_eq(r.address, 0xdead0045);
        ck_assert_ptr_null(r.access);
        ck_assert_int_eq(r.has_signal, 0);
    }
}
END_TEST

/* ---- macOS and iOS ------------------------------------------------------------------------ */

START_TEST(mach_codes)
{
    const struct {
        uint16_t arch;
        uint32_t type, code;
        const char *name, *detail;
    } cases[] = {
        {DMP_ARCH_AMD64, 1, 1, "EXC_BAD_ACCESS", "KERN_INVALID_ADDRESS"},
        {DMP_ARCH_ARM64, 1, 2, "EXC_BAD_ACCESS", "KERN_PROTECTION_FAILURE"},
        {DMP_ARCH_AMD64, 1, 8, "EXC_BAD_ACCESS", "KERN_NO_ACCESS"},
        {DMP_ARCH_AMD64, 1, 9, "EXC_BAD_ACCESS", "KERN_MEMORY_FAILURE"},
        {DMP_ARCH_AMD64, 1, 10, "EXC_BAD_ACCESS", "KERN_MEMORY_ERROR"},
        {DMP_ARCH_ARM64, 1, 50, "EXC_BAD_ACCESS", "KERN_CODESIGN_ERROR"},
        {DMP_ARCH_AMD64, 1, 13, "EXC_BAD_ACCESS", "EXC_I386_GPFLT"},
        {DMP_ARCH_ARM64, 1, 13, "EXC_BAD_ACCESS", NULL},
        {DMP_ARCH_ARM64, 1, 0x101, "EXC_BAD_ACCESS", "EXC_ARM_DA_ALIGN"},
        {DMP_ARCH_ARM64_BREAKPAD, 1, 0x102, "EXC_BAD_ACCESS", "EXC_ARM_DA_DEBUG"},
        {DMP_ARCH_ARM64, 1, 0x105, "EXC_BAD_ACCESS", "EXC_ARM_PAC_FAIL"},
        {DMP_ARCH_AMD64, 1, 0x101, "EXC_BAD_ACCESS", NULL},
        {DMP_ARCH_AMD64, 2, 1, "EXC_BAD_INSTRUCTION", "EXC_I386_INVOP"},
        {DMP_ARCH_X86, 2, 13, "EXC_BAD_INSTRUCTION", "EXC_I386_GPFLT"},
        {DMP_ARCH_AMD64, 2, 17, "EXC_BAD_INSTRUCTION", "EXC_I386_ALIGNFLT"},
        {DMP_ARCH_ARM64, 2, 1, "EXC_BAD_INSTRUCTION", "EXC_ARM_UNDEFINED"},
        {DMP_ARCH_ARM, 2, 1, "EXC_BAD_INSTRUCTION", "EXC_ARM_UNDEFINED"},
        {DMP_ARCH_AMD64, 3, 1, "EXC_ARITHMETIC", "EXC_I386_DIV"},
        {DMP_ARCH_AMD64, 3, 8, "EXC_ARITHMETIC", "EXC_I386_SSEEXTERR"},
        {DMP_ARCH_ARM64, 3, 2, "EXC_ARITHMETIC", "EXC_ARM_FP_DZ"},
        {DMP_ARCH_ARM64, 3, 6, "EXC_ARITHMETIC", "EXC_ARM_FP_ID"},
        {DMP_ARCH_AMD64, 5, 0x10003, "EXC_SOFTWARE", "EXC_SOFT_SIGNAL"},
        {DMP_ARCH_ARM64, 5, 0x10002, "EXC_SOFTWARE", "EXC_UNIX_ABORT"},
        {DMP_ARCH_AMD64, 6, 2, "EXC_BREAKPOINT", "EXC_I386_BPT"},
        {DMP_ARCH_AMD64, 6, 1, "EXC_BREAKPOINT", "EXC_I386_SGL"},
        {DMP_ARCH_ARM64, 6, 1, "EXC_BREAKPOINT", "EXC_ARM_BREAKPOINT"},
        {DMP_ARCH_AMD64, 12, 1, "EXC_GUARD", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct exc e = {cases[i].type, cases[i].code, 0x45, 0, {0}};
        const uint32_t platform = i % 2 ? DMP_PLATFORM_IOS : DMP_PLATFORM_MACOS;
        const dmp_exception_reason r = reason_of(platform, cases[i].arch, &e);
        expect_str(r.name, cases[i].name, "name", i);
        expect_str(r.detail, cases[i].detail, "detail", i);
        ck_assert_int_eq(r.has_subcode, 1);
        ck_assert_uint_eq(r.subcode, cases[i].code);
        ck_assert_int_eq(r.has_address, cases[i].type == 1);
        if (r.has_address)
            ck_assert_uint_eq(r.address, 0x45);
        ck_assert_int_eq(r.has_signal, 0);
    }
}
END_TEST

/* EXC_CRASH's code packs signal << 24 | original type << 20 | original code. */
START_TEST(mach_wrapped_signals)
{
    /* Breakpad: code EXC_CRASH, the packed word as the flags. */
    const struct exc breakpad = {10, 0x0b100001, 0, 0, {0}};
    dmp_exception_reason r = reason_of(DMP_PLATFORM_MACOS, DMP_ARCH_AMD64, &breakpad);
    expect_str(r.name, "EXC_CRASH", "name", 0);
    expect_str(r.detail, "KERN_INVALID_ADDRESS", "detail", 0);
    ck_assert_int_eq(r.has_signal, 1);
    ck_assert_uint_eq(r.signal, 11);
    expect_str(r.signal_name, "SIGSEGV", "signal", 0);
    /* Crashpad, a signal without a Mach cause: code 0, parameters EXC_CRASH and the word. */
    const struct exc abort_ = {0, 0, 0x7fff0000, 3, {10, 0x06000000, 0}};
    r = reason_of(DMP_PLATFORM_MACOS, DMP_ARCH_AMD64, &abort_);
    expect_str(r.name, "SIGABRT", "name", 1);
    ck_assert_ptr_null(r.detail);
    ck_assert_int_eq(r.has_subcode, 0);
    ck_assert_uint_eq(r.signal, 6);
    const struct exc segv = {0, 0, 0, 2, {10, 0x0b000000, 0}};
    r = reason_of(DMP_PLATFORM_IOS, DMP_ARCH_ARM64, &segv);
    expect_str(r.name, "SIGSEGV", "name", 2);
    /* Crashpad, unwrapped: the original exception, with the EXC_CRASH kept as parameters. */
    const struct exc ill = {2, 1, 0x1000, 3, {10, 0x04200001, 0}};
    r = reason_of(DMP_PLATFORM_MACOS, DMP_ARCH_AMD64, &ill);
    expect_str(r.name, "EXC_BAD_INSTRUCTION", "name", 3);
    expect_str(r.detail, "EXC_I386_INVOP", "detail", 3);
    ck_assert_uint_eq(r.signal, 4);
    expect_str(r.signal_name, "SIGILL", "signal", 3);
    /* Darwin's numbering, not Linux's: 10 is SIGBUS, 30 SIGUSR1; 32 and up unnamed. */
    const struct exc bus = {0, 0, 0, 2, {10, 0x0a000000, 0}};
    r = reason_of(DMP_PLATFORM_MACOS, DMP_ARCH_ARM64, &bus);
    expect_str(r.signal_name, "SIGBUS", "signal", 4);
    const struct exc usr = {0, 0, 0, 2, {10, 0x1e000000, 0}};
    r = reason_of(DMP_PLATFORM_MACOS, DMP_ARCH_ARM64, &usr);
    expect_str(r.signal_name, "SIGUSR1", "signal", 5);
    const struct exc high = {0, 0, 0, 2, {10, 0xff000000, 0}};
    r = reason_of(DMP_PLATFORM_MACOS, DMP_ARCH_ARM64, &high);
    ck_assert_int_eq(r.has_signal, 1);
    ck_assert_uint_eq(r.signal, 0xff);
    ck_assert_ptr_null(r.signal_name);
    ck_assert_ptr_null(r.name);
    /* Code 0 without the EXC_CRASH parameters is nothing we know. */
    const struct exc zero = {0, 0, 0, 2, {9, 0x0b000000, 0}};
    r = reason_of(DMP_PLATFORM_MACOS, DMP_ARCH_ARM64, &zero);
    ck_assert_int_eq(r.has_signal, 0);
    ck_assert_ptr_null(r.name);
    ck_assert_ptr_null(r.detail);
}
END_TEST

START_TEST(reason_arguments)
{
    const struct exc e = {0xc0000005, 0, 0, 2, {0, 0, 0}};
    struct mkdump *b = build(DMP_PLATFORM_WINNT, DMP_ARCH_AMD64, &e);
    dmp_file *f = open_built(b);
    dmp_exception_reason r;
    ck_assert_int_eq(dmp_exception_reason_get(NULL, 0, &r), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_exception_reason_get(f, 0, NULL), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_exception_reason_get(f, 1, &r), DMP_E_NOT_FOUND);
    ck_assert_int_eq(dmp_exception_reason_get(f, SIZE_MAX, &r), DMP_E_NOT_FOUND);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* ---- Breakpad's assertion stream ------------------------------------------------------- */

START_TEST(assertion_decoded)
{
    struct mkdump *b = mkd_new(4);
    mkd_add_assertion(b, "format != nullptr", "common_vfprintf", "output.cpp", 32, 1);
    dmp_file *f = open_built(b);
    dmp_assertion a;
    ck_assert_int_eq(dmp_get_assertion(f, &a), DMP_OK);
    ck_assert_str_eq(a.expression, "format != nullptr");
    ck_assert_str_eq(a.function, "common_vfprintf");
    ck_assert_str_eq(a.file, "output.cpp");
    ck_assert_uint_eq(a.line, 32);
    ck_assert_uint_eq(a.type, 1);
    ck_assert_uint_eq(count_diags(f, DMP_DIAG_MALFORMED, NULL), 0);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* 128 units with no NUL: all of them; a surrogate pair; an empty field. */
START_TEST(assertion_full_fields)
{
    char expr[200];
    memset(expr, 'x', sizeof expr);
    expr[sizeof expr - 1] = '\0';
    struct mkdump *b = mkd_new(4);
    const uint32_t s = mkd_add_assertion(b, expr, "", "f.c", 7, 2);
    size_t len;
    mkd_finish(b, &len);
    const uint64_t rva = mkd_stream_rva(b, s);
    mkd_poke_u32(b, rva + 2 * 126, 0x0078u | (0x0078u << 16)); /* units 126, 127: "xx" */
    mkd_poke_u32(b, rva + 256, 0xde00d83du);                   /* U+1F600 */
    dmp_file *f = open_prefix(b, len);
    dmp_assertion a;
    ck_assert_int_eq(dmp_get_assertion(f, &a), DMP_OK);
    ck_assert_uint_eq(strlen(a.expression), 128);
    ck_assert_str_eq(a.function, "\xf0\x9f\x98\x80");
    ck_assert_str_eq(a.file, "f.c");
    ck_assert_uint_eq(a.type, 2);
    ck_assert_str_eq(dmp_assertion_type_name(a.type), "pure virtual call");
    ck_assert_str_eq(dmp_assertion_type_name(1), "invalid parameter");
    ck_assert_ptr_null(dmp_assertion_type_name(0));
    ck_assert_ptr_null(dmp_assertion_type_name(3));
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* The malformed diagnostics of f: how many, each of the assertion stream, at its offset,
 * and the detail of the one for stream `index` holds `phrase`. */
static size_t assertion_diags(const dmp_file *f, const struct mkdump *b, uint32_t index,
                              const char *phrase)
{
    size_t n = 0;
    for (size_t i = 0; i < dmp_diag_count(f); i++) {
        dmp_diag d;
        ck_assert_int_eq(dmp_diag_get(f, i, &d), DMP_OK);
        if (d.kind != DMP_DIAG_MALFORMED)
            continue;
        n++;
        ck_assert_uint_eq(d.stream_type, DMP_STREAM_BREAKPAD_ASSERTION_INFO);
        ck_assert_uint_eq(d.offset, mkd_stream_rva(b, d.stream_index));
        if (d.stream_index == index)
            ck_assert_msg(strstr(d.detail, phrase) != NULL, "'%s' lacks '%s'", d.detail, phrase);
    }
    return n;
}

/* A stream one byte short: DMP_E_MALFORMED and a diagnostic at its offset. */
START_TEST(assertion_short)
{
    uint8_t rec[775] = {0};
    struct mkdump *b = mkd_new(4);
    const uint32_t s = mkd_add_stream_data(b, DMP_STREAM_BREAKPAD_ASSERTION_INFO, rec, sizeof rec);
    dmp_file *f = open_built(b);
    dmp_assertion a;
    memset(&a, 0, sizeof a);
    ck_assert_int_eq(dmp_get_assertion(f, &a), DMP_E_MALFORMED);
    ck_assert_ptr_null(a.expression); /* untouched */
    ck_assert_uint_eq(assertion_diags(f, b, s, "776"), 1);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* The first usable stream is used: a short one before it is reported, a sound one after it
 * is reported and ignored. */
START_TEST(assertion_repeated)
{
    uint8_t rec[100] = {0};
    struct mkdump *b = mkd_new(4);
    const uint32_t s = mkd_add_stream_data(b, DMP_STREAM_BREAKPAD_ASSERTION_INFO, rec, sizeof rec);
    mkd_add_assertion(b, "used", "f", "g", 1, 1);
    const uint32_t later = mkd_add_assertion(b, "ignored", "f", "g", 2, 2);
    dmp_file *f = open_built(b);
    dmp_assertion a;
    ck_assert_int_eq(dmp_get_assertion(f, &a), DMP_OK);
    ck_assert_str_eq(a.expression, "used");
    ck_assert_uint_eq(a.line, 1);
    ck_assert_uint_eq(assertion_diags(f, b, s, "shorter"), 2);
    ck_assert_uint_eq(assertion_diags(f, b, later, "ignored"), 2);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(assertion_absent_and_arguments)
{
    struct mkdump *b = mkd_new(4);
    mkd_add_system_info(b, DMP_PLATFORM_WINNT, DMP_ARCH_AMD64);
    dmp_file *f = open_built(b);
    dmp_assertion a;
    ck_assert_int_eq(dmp_get_assertion(f, &a), DMP_E_ABSENT);
    ck_assert_int_eq(dmp_get_assertion(NULL, &a), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_get_assertion(f, NULL), DMP_E_INVALID_ARG);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* ---- The shared dumps ------------------------------------------------------------------ */

static dmp_file *open_shared(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", DMPREAD_SHARED_DUMPS, name);
    dmp_file *f = NULL;
    ck_assert_msg(dmp_open(path, &f) == DMP_OK, "cannot open %s", path);
    return f;
}

/* Breakpad's tiny-exe-fastfail.dmp: __fastfail(7), as its test expects. */
START_TEST(shared_fast_fail)
{
    dmp_file *f = open_shared("breakpad/tiny-exe-fastfail.dmp");
    dmp_exception_reason r;
    ck_assert_int_eq(dmp_exception_reason_get(f, 0, &r), DMP_OK);
    ck_assert_str_eq(r.name, "STATUS_STACK_BUFFER_OVERRUN");
    ck_assert_str_eq(r.detail, "FAST_FAIL_FATAL_APP_EXIT");
    dmp_close(f);
}
END_TEST

/* rust-minidump's invalid-parameter.dmp: printf(NULL) caught by the UCRT. */
START_TEST(shared_assertion)
{
    dmp_file *f = open_shared("rust-minidump/invalid-parameter.dmp");
    dmp_assertion a;
    ck_assert_int_eq(dmp_get_assertion(f, &a), DMP_OK);
    ck_assert_str_eq(a.expression, "format != nullptr");
    ck_assert_str_eq(a.function, "common_vfprintf");
    ck_assert_ptr_nonnull(strstr(a.file, "output.cpp"));
    ck_assert_uint_eq(a.type, 1);
    dmp_close(f);
}
END_TEST

/* Crashpad on macOS, abort(): code 0 carrying SIGABRT. */
START_TEST(shared_crashpad_signal)
{
    dmp_file *f = open_shared("rust-minidump/simple-crashpad.dmp");
    dmp_exception_reason r;
    ck_assert_int_eq(dmp_exception_reason_get(f, 0, &r), DMP_OK);
    ck_assert_int_eq(r.has_signal, 1);
    ck_assert_str_eq(r.signal_name, "SIGABRT");
    dmp_close(f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("reason");
    TCase *tc = tcase_create("built");
    tcase_add_test(tc, windows_memory_faults);
    tcase_add_test(tc, windows_fast_fail);
    tcase_add_test(tc, windows_plain_and_no_system_info);
    tcase_add_test(tc, linux_si_codes);
    tcase_add_test(tc, mach_codes);
    tcase_add_test(tc, mach_wrapped_signals);
    tcase_add_test(tc, reason_arguments);
    tcase_add_test(tc, assertion_decoded);
    tcase_add_test(tc, assertion_full_fields);
    tcase_add_test(tc, assertion_short);
    tcase_add_test(tc, assertion_repeated);
    tcase_add_test(tc, assertion_absent_and_arguments);
    suite_add_tcase(s, tc);
    FILE *probe = fopen(DMPREAD_SHARED_DUMPS "/rust-minidump/invalid-parameter.dmp", "rb");
    if (probe) {
        fclose(probe);
        TCase *shared = tcase_create("shared-dumps");
        tcase_add_test(shared, shared_fast_fail);
        tcase_add_test(shared, shared_assertion);
        tcase_add_test(shared, shared_crashpad_signal);
        suite_add_tcase(s, shared);
    } else {
        printf("test_reason: shared dumps absent (%s): those cases skipped\n",
               DMPREAD_SHARED_DUMPS);
    }
    return run_suite(s);
}
