/* touch.c - calls every accessor of an opened dump once, cheaply, checking only what the API
 * promises of each call by itself. Shared by fuzz_open_fast, fuzz_gzip and the
 * ThreadSanitizer test (tests/tsan_threads.c), which runs it from several threads at once.
 * SPDX-License-Identifier: MIT
 *
 * No oracle and no cross-checks between calls beyond "an index below the count is found and
 * the count itself is not": fuzz_open does the expensive checking. Lists are visited up to
 * TOUCH_MAX entries each, so a hostile count cannot make one input slow.
 */
#include "touch.h"

#include "harness.h"

#include <string.h>

#define TOUCH_MAX 4096  /* entries visited per list */
#define READ_PROBES 8   /* memory ranges read, from the index and from the seed */
#define READ_LEN 4096   /* longest read */
#define DIAG_FORMATS 64 /* diagnostics formatted */
#define FORMAT_ROOM 128 /* buffer given to the formatters */

static size_t cap(size_t n)
{
    return n < TOUCH_MAX ? n : TOUCH_MAX;
}

static void touch_string(const char *s, const char *what)
{
    CHECK(s != NULL, "%s is NULL", what);
    (void)strlen(s); /* ASan sees a string that is not NUL-terminated inside its owner */
}

static void touch_span(const void *p, size_t n)
{
    volatile uint8_t sink = 0;
    if (p && n)
        sink ^= ((const uint8_t *)p)[0] ^ ((const uint8_t *)p)[n - 1];
    (void)sink;
}

static void touch_streams(const dmp_file *f)
{
    dmp_header h;
    dmp_get_header(f, &h);
    CHECK(h.signature == 0x504d444du, "signature %#x", h.signature);
    const size_t n = dmp_stream_count(f);
    dmp_stream s;
    for (size_t i = 0; i < cap(n); i++) {
        CHECK(dmp_stream_get(f, i, &s) == DMP_OK, "stream %zu of %zu", i, n);
        touch_span(s.data, (size_t)s.size);
        const void *data;
        size_t len;
        if (dmp_stream_data(f, i, &data, &len) == DMP_OK)
            touch_span(data, len);
        (void)dmp_stream_type_name(s.type);
    }
    CHECK(dmp_stream_get(f, n, &s) == DMP_E_NOT_FOUND, "stream past the count");
    size_t at;
    (void)dmp_stream_find(f, DMP_STREAM_MEMORY_LIST, 0, &at);
    const size_t nd = dmp_diag_count(f);
    dmp_diag d;
    char text[FORMAT_ROOM];
    for (size_t i = 0; i < cap(nd); i++) {
        CHECK(dmp_diag_get(f, i, &d) == DMP_OK, "diag %zu of %zu", i, nd);
        if (i < DIAG_FORMATS)
            (void)dmp_diag_format(&d, text, sizeof text);
        touch_string(dmp_diag_kind_name(d.kind), "diag kind name");
    }
    CHECK(dmp_diag_get(f, nd, &d) == DMP_E_NOT_FOUND, "diag past the count");
}

/* Reads a few ranges: the first bytes of some index entries, and seeded addresses. */
static void touch_memory(const dmp_file *f, uint64_t seed)
{
    uint8_t buf[READ_LEN]; /* on the stack: threads share this code */
    const size_t n = dmp_range_count(f);
    dmp_range g;
    for (size_t k = 0; k < READ_PROBES && n > 0; k++) {
        const size_t i = (size_t)(fuzz_rand(&seed) % n);
        CHECK(dmp_range_get(f, i, &g) == DMP_OK, "range %zu of %zu", i, n);
        const size_t len = (size_t)(g.size < READ_LEN ? g.size : READ_LEN);
        size_t got = 0;
        CHECK(dmp_read_memory(f, g.addr, buf, len, &got) == DMP_OK && got == len,
              "range %zu: its first %zu bytes do not read", i, len);
        size_t at;
        CHECK(dmp_range_find(f, g.addr, &at) == DMP_OK && at == i, "range %zu not found", i);
        (void)dmp_range_next(f, g.addr, &at);
        CHECK(dmp_readable_len(f, g.addr) >= g.size, "range %zu: readable_len short", i);
    }
    CHECK(dmp_range_get(f, n, &g) == DMP_E_NOT_FOUND, "range past the count");
    for (size_t k = 0; k < READ_PROBES; k++) {
        const uint64_t addr = fuzz_rand(&seed);
        const size_t len = (size_t)(fuzz_rand(&seed) % READ_LEN);
        uint64_t missing;
        (void)dmp_read_memory(f, addr, buf, len, NULL);
        (void)dmp_find_uncovered(f, addr, len, &missing);
        (void)dmp_readable_len(f, addr);
    }
}

static void touch_context(const dmp_file *f, const void *ctx, size_t size)
{
    dmp_context c;
    if (ctx && dmp_context_decode(f, ctx, size, &c) == DMP_OK) {
        dmp_regs regs;
        (void)dmp_regs_from_context(&c, &regs);
        touch_string(dmp_cpu_name(c.cpu), "cpu name");
    }
}

static void touch_threads(const dmp_file *f)
{
    const size_t n = dmp_thread_count(f);
    dmp_thread t;
    for (size_t i = 0; i < cap(n); i++) {
        CHECK(dmp_thread_get(f, i, &t) == DMP_OK, "thread %zu of %zu", i, n);
        if (t.name)
            touch_string(t.name, "thread name");
        touch_context(f, t.context, t.context_size);
        size_t at;
        CHECK(dmp_thread_find(f, t.id, &at) == DMP_OK, "thread id %u not found", t.id);
    }
    CHECK(dmp_thread_get(f, n, &t) == DMP_E_NOT_FOUND, "thread past the count");
}

static void touch_modules(const dmp_file *f)
{
    const size_t n = dmp_module_count(f);
    dmp_module m;
    for (size_t i = 0; i < cap(n); i++) {
        CHECK(dmp_module_get(f, i, &m) == DMP_OK, "module %zu of %zu", i, n);
        touch_string(m.name, "module name");
        touch_string(m.pdb_name, "pdb name");
        touch_string(m.debug_id, "debug id");
        touch_string(m.code_id, "code id");
        touch_span(m.cv_record, m.cv_size);
        touch_span(m.misc_record, m.misc_size);
        touch_span(m.build_id, m.build_id_len);
        size_t at;
        uint64_t off;
        (void)dmp_module_find(f, m.base, &at, &off);
        (void)dmp_module_find(f, m.base + m.size, &at, &off);
    }
    CHECK(dmp_module_get(f, n, &m) == DMP_E_NOT_FOUND, "module past the count");
    const size_t nu = dmp_unloaded_module_count(f);
    dmp_unloaded_module u;
    for (size_t i = 0; i < cap(nu); i++) {
        CHECK(dmp_unloaded_module_get(f, i, &u) == DMP_OK, "unloaded module %zu", i);
        touch_string(u.name, "unloaded module name");
        size_t at;
        (void)dmp_unloaded_module_find(f, u.base, &at);
    }
    CHECK(dmp_unloaded_module_get(f, nu, &u) == DMP_E_NOT_FOUND, "unloaded past the count");
}

static void touch_exceptions(const dmp_file *f)
{
    const size_t n = dmp_exception_count(f);
    dmp_exception e;
    for (size_t i = 0; i < cap(n); i++) {
        CHECK(dmp_exception_get(f, i, &e) == DMP_OK, "exception %zu of %zu", i, n);
        touch_context(f, e.context, e.context_size);
        dmp_context c;
        dmp_context_source source;
        if (dmp_exception_context(f, i, &c, &source) == DMP_OK)
            touch_string(dmp_context_source_name(source), "context source name");
        (void)dmp_exception_name(f, e.code);
    }
    CHECK(dmp_exception_get(f, n, &e) == DMP_E_NOT_FOUND, "exception past the count");
    dmp_crash crash;
    if (dmp_get_crash(f, &crash) == DMP_OK && crash.has_thread) {
        dmp_thread t;
        CHECK(dmp_thread_get(f, crash.thread_index, &t) == DMP_OK, "crash thread %zu",
              crash.thread_index);
    }
    dmp_arch_info arch;
    if (dmp_get_arch(f, &arch) == DMP_OK)
        CHECK(arch.pointer_size == 4 || arch.pointer_size == 8, "pointer size %u",
              arch.pointer_size);
}

static void touch_lists(const dmp_file *f)
{
    char text[FORMAT_ROOM];
    dmp_memory_info mi;
    const size_t nm = dmp_memory_info_count(f);
    for (size_t i = 0; i < cap(nm); i++) {
        CHECK(dmp_memory_info_get(f, i, &mi) == DMP_OK, "memory info %zu of %zu", i, nm);
        (void)dmp_mem_state_name(mi.state);
        (void)dmp_mem_type_name(mi.type);
        (void)dmp_mem_protect_format(mi.protect, text, sizeof text);
    }
    CHECK(dmp_memory_info_get(f, nm, &mi) == DMP_E_NOT_FOUND, "memory info past the count");
    dmp_handle h;
    const size_t nh = dmp_handle_count(f);
    for (size_t i = 0; i < cap(nh); i++) {
        CHECK(dmp_handle_get(f, i, &h) == DMP_OK, "handle %zu of %zu", i, nh);
        touch_string(h.type_name, "handle type");
        touch_string(h.object_name, "handle object");
    }
    CHECK(dmp_handle_get(f, nh, &h) == DMP_E_NOT_FOUND, "handle past the count");
    uint64_t type, value;
    const size_t na = dmp_auxv_count(f);
    for (size_t i = 0; i < cap(na); i++)
        CHECK(dmp_auxv_get(f, i, &type, &value) == DMP_OK, "auxv %zu of %zu", i, na);
    CHECK(dmp_auxv_get(f, na, &type, &value) == DMP_E_NOT_FOUND, "auxv past the count");
    dmp_linux_dso dso;
    const size_t nl = dmp_linux_dso_count(f);
    for (size_t i = 0; i < cap(nl); i++) {
        CHECK(dmp_linux_dso_get(f, i, &dso) == DMP_OK, "dso %zu of %zu", i, nl);
        touch_string(dso.name, "dso name");
    }
    CHECK(dmp_linux_dso_get(f, nl, &dso) == DMP_E_NOT_FOUND, "dso past the count");
}

static void touch_crashpad(const dmp_file *f)
{
    dmp_crashpad_info info;
    const char *key, *value;
    if (dmp_get_crashpad_info(f, &info) == DMP_OK) {
        for (size_t i = 0; i < cap(info.annotation_count); i++) {
            CHECK(dmp_crashpad_annotation_get(f, i, &key, &value) == DMP_OK, "annotation %zu", i);
            touch_string(key, "annotation key");
            touch_string(value, "annotation value");
        }
    }
    const size_t n = dmp_crashpad_module_count(f);
    dmp_crashpad_module m;
    for (size_t i = 0; i < cap(n); i++) {
        CHECK(dmp_crashpad_module_get(f, i, &m) == DMP_OK, "crashpad module %zu of %zu", i, n);
        for (size_t k = 0; k < cap(m.list_annotation_count); k++)
            if (dmp_crashpad_module_list_annotation_get(f, i, k, &value) == DMP_OK)
                touch_string(value, "list annotation");
        for (size_t k = 0; k < cap(m.simple_annotation_count); k++)
            if (dmp_crashpad_module_simple_annotation_get(f, i, k, &key, &value) == DMP_OK)
                touch_string(key, "simple annotation key");
        dmp_crashpad_annotation a;
        for (size_t k = 0; k < cap(m.annotation_object_count); k++)
            if (dmp_crashpad_module_annotation_object_get(f, i, k, &a) == DMP_OK) {
                touch_string(a.name, "annotation object name");
                touch_span(a.value, a.value_len);
            }
    }
    CHECK(dmp_crashpad_module_get(f, n, &m) == DMP_E_NOT_FOUND, "crashpad module past the count");
}

static void touch_singles(const dmp_file *f)
{
    dmp_system_info si;
    if (dmp_get_system_info(f, &si) == DMP_OK) {
        (void)dmp_arch_name(si.arch);
        (void)dmp_platform_name(si.platform);
    }
    dmp_misc_info misc;
    (void)dmp_get_misc_info(f, &misc);
    dmp_vm_counters vm;
    (void)dmp_get_vm_counters(f, &vm);
    dmp_system_memory_info smi;
    (void)dmp_get_system_memory_info(f, &smi);
    const char *comment;
    if (dmp_get_comment(f, &comment) == DMP_OK)
        touch_string(comment, "comment");
    dmp_breakpad_info bp;
    (void)dmp_get_breakpad_info(f, &bp);
}

void fuzz_touch(const dmp_file *f, uint64_t seed)
{
    touch_streams(f);
    touch_memory(f, seed);
    touch_singles(f);
    touch_threads(f);
    touch_modules(f);
    touch_exceptions(f);
    touch_lists(f);
    touch_crashpad(f);
}
