/* triage.c - drives every triage accessor of an opened dump and checks what it returns.
 * SPDX-License-Identifier: MIT
 *
 * No oracle here: the checks are the API's own promises. Indices below the count succeed and
 * the count itself is DMP_E_NOT_FOUND; strings are never NULL (a thread's name may be) and
 * are valid UTF-8; lookups return what they were asked for; a module found for an address
 * holds it, and one not found means no module holds it; spans lie inside the dump's bytes.
 */
#include "harness.h"

#include <dmpread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRIAGE_CHECK(cond, ...)                                                                    \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_open: triage.c:%d: ", __LINE__);                                 \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#define MAX_BRUTE 512 /* modules checked by brute force per lookup */

static bool valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = *p < 0x80             ? 1
                   : (*p & 0xe0) == 0xc0 ? 2
                   : (*p & 0xf0) == 0xe0 ? 3
                   : (*p & 0xf8) == 0xf0 ? 4
                                         : 0;
        if (n == 0 || (n == 2 && *p < 0xc2))
            return false;
        for (size_t i = 1; i < n; i++)
            if ((p[i] & 0xc0) != 0x80)
                return false;
        p += n;
    }
    return true;
}

static void check_string(const char *s, const char *what)
{
    TRIAGE_CHECK(s != NULL, "%s is NULL", what);
    TRIAGE_CHECK(valid_utf8(s), "%s is not UTF-8", what);
}

static void check_span(const void *p, size_t n, const uint8_t *lo, uint64_t len, const char *what)
{
    if (!p || !lo)
        return;
    const uint8_t *const b = p;
    TRIAGE_CHECK(b >= lo && (uint64_t)(b - lo) <= len && n <= len - (uint64_t)(b - lo),
                 "%s lies outside the dump", what);
}

static void check_context(const dmp_file *f, const void *ctx, size_t size)
{
    if (!ctx)
        return;
    dmp_context c;
    if (dmp_context_decode(f, ctx, size, &c) != DMP_OK)
        return;
    TRIAGE_CHECK(c.cpu != DMP_CPU_UNKNOWN && c.reg_count <= DMP_MAX_REGS, "context decoded badly");
    for (size_t i = 0; i < c.reg_count; i++)
        TRIAGE_CHECK(c.regs[i].name != NULL, "register %zu has no name", i);
    check_string(dmp_cpu_name(c.cpu), "cpu name");
}

static void check_threads(const dmp_file *f, const uint8_t *base, uint64_t len)
{
    const size_t n = dmp_thread_count(f);
    dmp_thread t;
    for (size_t i = 0; i < n; i++) {
        TRIAGE_CHECK(dmp_thread_get(f, i, &t) == DMP_OK, "thread %zu", i);
        if (t.name)
            check_string(t.name, "thread name");
        check_span(t.context, t.context_size, base, len, "thread context");
        check_context(f, t.context, t.context_size);
        size_t at;
        TRIAGE_CHECK(dmp_thread_find(f, t.id, &at) == DMP_OK, "thread id %u not found", t.id);
        TRIAGE_CHECK(dmp_thread_get(f, at, &t) == DMP_OK, "thread_find gave %zu", at);
    }
    TRIAGE_CHECK(dmp_thread_get(f, n, &t) == DMP_E_NOT_FOUND, "thread past the count");
}

/* Whether any of the first MAX_BRUTE modules holds addr. */
static bool some_module_holds(const dmp_file *f, uint64_t addr)
{
    const size_t n = dmp_module_count(f);
    dmp_module m;
    for (size_t i = 0; i < n && i < MAX_BRUTE; i++)
        if (dmp_module_get(f, i, &m) == DMP_OK && addr - m.base < m.size)
            return true;
    return false;
}

static void check_lookup(const dmp_file *f, uint64_t addr)
{
    size_t i;
    uint64_t off;
    dmp_module m;
    if (dmp_module_find(f, addr, &i, &off) == DMP_OK) {
        TRIAGE_CHECK(
            dmp_module_get(f, i, &m) == DMP_OK && addr - m.base < m.size && off == addr - m.base,
            "module_find(0x%llx) gave a module that does not hold it", (unsigned long long)addr);
    } else if (dmp_module_count(f) <= MAX_BRUTE) {
        TRIAGE_CHECK(!some_module_holds(f, addr), "module_find(0x%llx) missed a module",
                     (unsigned long long)addr);
    }
}

static void check_modules(const dmp_file *f, const uint8_t *base, uint64_t len)
{
    const size_t n = dmp_module_count(f);
    dmp_module m;
    for (size_t i = 0; i < n; i++) {
        TRIAGE_CHECK(dmp_module_get(f, i, &m) == DMP_OK, "module %zu", i);
        check_string(m.name, "module name");
        check_string(m.pdb_name, "pdb name");
        check_string(m.debug_id, "debug id");
        check_string(m.code_id, "code id");
        check_span(m.cv_record, m.cv_size, base, len, "CodeView record");
        check_span(m.misc_record, m.misc_size, base, len, "misc record");
        check_span(m.build_id, m.build_id_len, base, len, "build id");
        if (i < MAX_BRUTE) {
            check_lookup(f, m.base);
            check_lookup(f, m.base - 1);
            check_lookup(f, m.base + m.size);
            check_lookup(f, m.base + m.size / 2);
        }
    }
    TRIAGE_CHECK(dmp_module_get(f, n, &m) == DMP_E_NOT_FOUND, "module past the count");
    dmp_unloaded_module u;
    const size_t nu = dmp_unloaded_module_count(f);
    for (size_t i = 0; i < nu; i++) {
        TRIAGE_CHECK(dmp_unloaded_module_get(f, i, &u) == DMP_OK, "unloaded module %zu", i);
        check_string(u.name, "unloaded module name");
    }
    TRIAGE_CHECK(dmp_unloaded_module_get(f, nu, &u) == DMP_E_NOT_FOUND, "unloaded past count");
}

/* The sub-code decoder: its strings are UTF-8 names, and what it reports comes from the
 * exception's own fields. */
static void check_reason(const dmp_file *f, size_t i, const dmp_exception *e)
{
    dmp_exception_reason r;
    TRIAGE_CHECK(dmp_exception_reason_get(f, i, &r) == DMP_OK, "reason %zu", i);
    const char *const names[] = {r.name, r.detail, r.access, r.signal_name};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (names[k])
            check_string(names[k], "exception reason name");
    TRIAGE_CHECK(!r.detail || r.has_subcode || r.has_signal, "a detail without a sub-code");
    TRIAGE_CHECK(!r.access || (r.has_address && e->param_count >= 2), "access without address");
    TRIAGE_CHECK(!r.has_address || r.address == e->address || r.address == e->params[1],
                 "reason address from nowhere");
    TRIAGE_CHECK(!r.has_signal || r.signal <= 0xff, "signal wider than its byte");
}

static void check_exceptions(const dmp_file *f, const uint8_t *base, uint64_t len,
                             uint32_t platform)
{
    const size_t n = dmp_exception_count(f);
    dmp_exception e;
    for (size_t i = 0; i < n; i++) {
        TRIAGE_CHECK(dmp_exception_get(f, i, &e) == DMP_OK, "exception %zu", i);
        check_span(e.context, e.context_size, base, len, "exception context");
        check_context(f, e.context, e.context_size);
        const char *name = dmp_exception_code_name(e.code, platform);
        if (name)
            check_string(name, "exception code name");
        check_lookup(f, e.address);
        check_reason(f, i, &e);
    }
    TRIAGE_CHECK(dmp_exception_get(f, n, &e) == DMP_E_NOT_FOUND, "exception past the count");
    dmp_exception_reason r;
    TRIAGE_CHECK(dmp_exception_reason_get(f, n, &r) == DMP_E_NOT_FOUND, "reason past the count");
}

static void check_memory_info(const dmp_file *f)
{
    const size_t n = dmp_memory_info_count(f);
    dmp_memory_info m;
    for (size_t i = 0; i < n; i++) {
        TRIAGE_CHECK(dmp_memory_info_get(f, i, &m) == DMP_OK, "memory info %zu", i);
        char big[512], small[8];
        const size_t need = dmp_mem_protect_format(m.protect, big, sizeof big);
        TRIAGE_CHECK(need < sizeof big && strlen(big) == need, "protect format length");
        TRIAGE_CHECK(dmp_mem_protect_format(m.protect, small, sizeof small) == need &&
                         strncmp(small, big, sizeof small - 1) == 0,
                     "protect format truncation");
    }
    TRIAGE_CHECK(dmp_memory_info_get(f, n, &m) == DMP_E_NOT_FOUND, "memory info past count");
    const size_t nh = dmp_handle_count(f);
    dmp_handle h;
    for (size_t i = 0; i < nh; i++) {
        TRIAGE_CHECK(dmp_handle_get(f, i, &h) == DMP_OK, "handle %zu", i);
        check_string(h.type_name, "handle type name");
        check_string(h.object_name, "handle object name");
    }
    TRIAGE_CHECK(dmp_handle_get(f, nh, &h) == DMP_E_NOT_FOUND, "handle past the count");
}

static void check_extras(const dmp_file *f)
{
    const char *s;
    if (dmp_get_comment(f, &s) == DMP_OK)
        check_string(s, "comment");
    dmp_breakpad_info b;
    dmp_get_breakpad_info(f, &b);
    dmp_assertion as;
    const dmp_status ast = dmp_get_assertion(f, &as);
    TRIAGE_CHECK(ast == DMP_OK || ast == DMP_E_ABSENT || ast == DMP_E_MALFORMED, "assertion");
    if (ast == DMP_OK) {
        check_string(as.expression, "assertion expression");
        check_string(as.function, "assertion function");
        check_string(as.file, "assertion file");
        const char *const type = dmp_assertion_type_name(as.type);
        if (type)
            check_string(type, "assertion type");
    }
    uint64_t type, value;
    const size_t na = dmp_auxv_count(f);
    for (size_t i = 0; i < na; i++)
        TRIAGE_CHECK(dmp_auxv_get(f, i, &type, &value) == DMP_OK, "auxv %zu", i);
    TRIAGE_CHECK(dmp_auxv_get(f, na, &type, &value) == DMP_E_NOT_FOUND, "auxv past the count");
    dmp_linux_dso d;
    const size_t nd = dmp_linux_dso_count(f);
    for (size_t i = 0; i < nd; i++) {
        TRIAGE_CHECK(dmp_linux_dso_get(f, i, &d) == DMP_OK, "dso %zu", i);
        check_string(d.name, "dso name");
    }
    dmp_crashpad_info c;
    if (dmp_get_crashpad_info(f, &c) == DMP_OK) {
        const char *k, *v;
        for (size_t i = 0; i < c.annotation_count; i++) {
            TRIAGE_CHECK(dmp_crashpad_annotation_get(f, i, &k, &v) == DMP_OK, "annotation");
            check_string(k, "annotation key");
            check_string(v, "annotation value");
        }
        TRIAGE_CHECK(dmp_crashpad_annotation_get(f, c.annotation_count, &k, &v) == DMP_E_NOT_FOUND,
                     "annotation past the count");
    }
}

/* One module's Crashpad annotations: every index below each count, and the count itself. */
static void check_crashpad_module(const dmp_file *f, size_t i, const uint8_t *base, uint64_t len)
{
    dmp_crashpad_module m;
    TRIAGE_CHECK(dmp_crashpad_module_get(f, i, &m) == DMP_OK, "crashpad module %zu", i);
    const char *k, *v;
    for (size_t a = 0; a < m.list_annotation_count; a++) {
        TRIAGE_CHECK(dmp_crashpad_module_list_annotation_get(f, i, a, &v) == DMP_OK, "list");
        check_string(v, "list annotation");
    }
    TRIAGE_CHECK(dmp_crashpad_module_list_annotation_get(f, i, m.list_annotation_count, &v) ==
                     DMP_E_NOT_FOUND,
                 "list annotation past the count");
    for (size_t a = 0; a < m.simple_annotation_count; a++) {
        TRIAGE_CHECK(dmp_crashpad_module_simple_annotation_get(f, i, a, &k, &v) == DMP_OK,
                     "simple");
        check_string(k, "simple annotation key");
        check_string(v, "simple annotation value");
    }
    TRIAGE_CHECK(dmp_crashpad_module_simple_annotation_get(f, i, m.simple_annotation_count, &k,
                                                           &v) == DMP_E_NOT_FOUND,
                 "simple annotation past the count");
    dmp_crashpad_annotation o;
    for (size_t a = 0; a < m.annotation_object_count; a++) {
        TRIAGE_CHECK(dmp_crashpad_module_annotation_object_get(f, i, a, &o) == DMP_OK, "object");
        check_string(o.name, "annotation object name");
        TRIAGE_CHECK((o.value == NULL) == (o.value_len == 0), "annotation value and length");
        check_span(o.value, o.value_len, base, len, "annotation value");
    }
    TRIAGE_CHECK(dmp_crashpad_module_annotation_object_get(f, i, m.annotation_object_count, &o) ==
                     DMP_E_NOT_FOUND,
                 "annotation object past the count");
}

static void check_crashpad_modules(const dmp_file *f, const uint8_t *base, uint64_t len)
{
    const size_t n = dmp_crashpad_module_count(f);
    dmp_crashpad_info c;
    TRIAGE_CHECK(n == 0 || dmp_get_crashpad_info(f, &c) == DMP_OK, "module info without stream");
    for (size_t i = 0; i < n; i++)
        check_crashpad_module(f, i, base, len);
    dmp_crashpad_module m;
    const char *v;
    TRIAGE_CHECK(dmp_crashpad_module_get(f, n, &m) == DMP_E_NOT_FOUND, "crashpad module past");
    TRIAGE_CHECK(dmp_crashpad_module_list_annotation_get(f, n, 0, &v) == DMP_E_NOT_FOUND,
                 "list annotation of a module past the count");
}

static uint32_t check_system(const dmp_file *f)
{
    dmp_system_info si;
    uint32_t platform = 0;
    const dmp_status st = dmp_get_system_info(f, &si);
    TRIAGE_CHECK(st == DMP_OK || st == DMP_E_ABSENT || st == DMP_E_MALFORMED, "system info %d", st);
    if (st == DMP_OK) {
        check_string(si.csd_version, "CSD version");
        TRIAGE_CHECK(memchr(si.cpu_vendor, '\0', sizeof si.cpu_vendor), "vendor unterminated");
        platform = si.platform;
    }
    dmp_misc_info mi;
    if (dmp_get_misc_info(f, &mi) == DMP_OK) {
        check_string(mi.tz_standard_name, "time zone name");
        check_string(mi.tz_daylight_name, "time zone name");
        check_string(mi.build_string, "build string");
        check_string(mi.dbg_build_string, "dbg build string");
    }
    dmp_vm_counters vm;
    const dmp_status vs = dmp_get_vm_counters(f, &vm);
    TRIAGE_CHECK(vs == DMP_OK || vs == DMP_E_ABSENT || vs == DMP_E_MALFORMED, "vm counters %d", vs);
    TRIAGE_CHECK(vs != DMP_OK || vm.revision != 0, "vm counters of revision 0");
    dmp_system_memory_info sm;
    const dmp_status ss = dmp_get_system_memory_info(f, &sm);
    TRIAGE_CHECK(ss == DMP_OK || ss == DMP_E_ABSENT || ss == DMP_E_MALFORMED, "system memory %d",
                 ss);
    TRIAGE_CHECK(ss != DMP_OK || sm.revision != 0, "system memory of revision 0");
    return platform;
}

static void check_stream_spans(const dmp_file *f, const uint8_t *base, uint64_t len)
{
    for (size_t i = 0; i < dmp_stream_count(f); i++) {
        const void *p;
        size_t n;
        TRIAGE_CHECK(dmp_stream_data(f, i, &p, &n) == DMP_OK, "stream data %zu", i);
        check_span(p, n, base, len, "stream data");
        dmp_stream s;
        size_t at;
        if (dmp_stream_get(f, i, &s) == DMP_OK)
            TRIAGE_CHECK(dmp_stream_find(f, s.type, i, &at) == DMP_OK && at == i, "stream_find");
    }
    for (size_t i = 0; i < dmp_diag_count(f); i++) {
        dmp_diag d;
        if (dmp_diag_get(f, i, &d) == DMP_OK && d.kind == DMP_DIAG_MALFORMED)
            check_string(d.detail, "diagnostic detail");
    }
}

/* src/crash.c: the crash, its context and name, the CPU; consistent with the accessors. */
static void check_crash(const dmp_file *f)
{
    dmp_arch_info a;
    const dmp_status ar = dmp_get_arch(f, &a);
    TRIAGE_CHECK(ar == DMP_OK || ar == DMP_E_NOT_FOUND, "get_arch = %d", (int)ar);
    if (ar == DMP_OK)
        TRIAGE_CHECK(a.pointer_size == 4 || a.pointer_size == 8, "pointer size %u", a.pointer_size);
    dmp_crash *const c = malloc(sizeof *c);
    dmp_context *const ctx = malloc(sizeof *ctx);
    if (!c || !ctx) {
        free(c);
        free(ctx);
        return;
    }
    const dmp_status cr = dmp_get_crash(f, c);
    TRIAGE_CHECK(cr == DMP_OK || cr == DMP_E_ABSENT || cr == DMP_E_MALFORMED, "get_crash = %d",
                 (int)cr);
    TRIAGE_CHECK((cr == DMP_OK) == (dmp_exception_count(f) > 0),
                 "get_crash = %d with %zu exceptions", (int)cr, dmp_exception_count(f));
    if (cr == DMP_OK) {
        dmp_thread t;
        TRIAGE_CHECK(c->exception_index < dmp_exception_count(f), "crash exception %zu",
                     c->exception_index);
        TRIAGE_CHECK(!c->has_thread || (dmp_thread_get(f, c->thread_index, &t) == DMP_OK &&
                                        t.id == c->exception.thread_id),
                     "crash thread %zu", c->thread_index);
        (void)dmp_context_source_name(c->context_source);
        (void)dmp_exception_name(f, c->exception.code);
    }
    for (size_t i = 0; i <= dmp_exception_count(f) && i < 64; i++) {
        dmp_context_source src = DMP_CONTEXT_NONE;
        const dmp_status er = dmp_exception_context(f, i, ctx, &src);
        TRIAGE_CHECK(er != DMP_OK || src != DMP_CONTEXT_NONE, "exception_context %zu: no source",
                     i);
        TRIAGE_CHECK(er == DMP_OK || er == DMP_E_NOT_FOUND, "exception_context = %d", (int)er);
    }
    free(c);
    free(ctx);
}

/* linux.c: items and fields are spans of the dump; maps lines hold their range. */
static void check_linux_text(const dmp_file *f, uint32_t type, const uint8_t *base, uint64_t len)
{
    const size_t n = dmp_linux_item_count(f, type);
    const bool fields = type == DMP_STREAM_LINUX_PROC_STATUS || type == DMP_STREAM_LINUX_CPU_INFO ||
                        type == DMP_STREAM_LINUX_LSB_RELEASE;
    dmp_text t, k, v;
    for (size_t i = 0; i < n; i++) {
        TRIAGE_CHECK(dmp_linux_item_get(f, type, i, &t) == DMP_OK, "linux item %zu", i);
        check_span(t.data, t.len, base, len, "linux item");
        TRIAGE_CHECK(
            memchr(t.data,
                   type == DMP_STREAM_LINUX_CMD_LINE || type == DMP_STREAM_LINUX_ENVIRON ? 0 : '\n',
                   t.len) == NULL,
            "linux item %zu holds its separator", i);
        if (!fields)
            continue;
        const dmp_status st = dmp_linux_field_get(f, type, i, &k, &v);
        TRIAGE_CHECK(st == DMP_OK || st == DMP_E_NOT_FOUND, "linux field %zu", i);
        if (st == DMP_OK) {
            check_span(k.data, k.len, (const uint8_t *)t.data, t.len, "linux field key");
            check_span(v.data, v.len, (const uint8_t *)t.data, t.len, "linux field value");
        }
    }
    TRIAGE_CHECK(dmp_linux_item_get(f, type, n, &t) == DMP_E_NOT_FOUND, "linux item past count");
    if (fields && n > 0 && dmp_linux_field_get(f, type, 0, &k, &v) == DMP_OK) {
        char key[64];
        const size_t kl = k.len < sizeof key - 1 ? k.len : sizeof key - 1;
        memcpy(key, k.data, kl);
        key[kl] = '\0';
        if (memchr(key, 0, kl) == NULL)
            TRIAGE_CHECK(dmp_linux_field_find(f, type, key, &v) == DMP_OK || kl < k.len,
                         "linux field key not found again");
    }
}

static void check_linux(const dmp_file *f, const uint8_t *base, uint64_t len)
{
    static const uint32_t types[] = {
        DMP_STREAM_LINUX_CPU_INFO, DMP_STREAM_LINUX_PROC_STATUS, DMP_STREAM_LINUX_LSB_RELEASE,
        DMP_STREAM_LINUX_CMD_LINE, DMP_STREAM_LINUX_ENVIRON,     DMP_STREAM_LINUX_MAPS,
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        check_linux_text(f, types[i], base, len);
    const size_t n = dmp_linux_map_count(f);
    TRIAGE_CHECK(n <= dmp_linux_item_count(f, DMP_STREAM_LINUX_MAPS), "more maps than lines");
    dmp_linux_map m;
    for (size_t i = 0; i < n; i++) {
        TRIAGE_CHECK(dmp_linux_map_get(f, i, &m) == DMP_OK, "map %zu", i);
        TRIAGE_CHECK(m.base + m.size >= m.base, "map %zu wraps", i);
        TRIAGE_CHECK(strlen(m.perms) == 4, "map %zu perms", i);
        check_span(m.path.data, m.path.len, base, len, "map path");
    }
    TRIAGE_CHECK(dmp_linux_map_get(f, n, &m) == DMP_E_NOT_FOUND, "map past the count");
    dmp_linux_debug d;
    const dmp_status st = dmp_get_linux_debug(f, &d);
    TRIAGE_CHECK(st == DMP_OK || st == DMP_E_ABSENT || st == DMP_E_MALFORMED, "r_debug status");
    for (uint64_t t = 0; t < 64; t++) {
        const char *const name = dmp_auxv_type_name(t);
        if (name)
            check_string(name, "auxv name");
    }
}

void fuzz_triage(const dmp_file *f, const uint8_t *base, uint64_t len)
{
    const uint32_t platform = check_system(f);
    check_stream_spans(f, base, len);
    check_threads(f, base, len);
    check_modules(f, base, len);
    check_exceptions(f, base, len, platform);
    check_memory_info(f);
    check_extras(f);
    check_linux(f, base, len);
    check_crashpad_modules(f, base, len);
    check_crash(f);
}
