/* triage.c - decodes the streams a triage tool asks for at open, and the directory lookups
 * they share.
 * SPDX-License-Identifier: MIT
 *
 * Each stream family has its own parser file; this one runs them in a fixed order (threads
 * after system info, whose architecture breaks context-layout ties) and owns what they
 * allocate. A parser never fails the open: what it cannot use becomes a diagnostic.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

dmp_status dmpi_first_usable(dmp_file *f, uint32_t type, const char *ignored,
                             dmp_status (*decode)(dmp_file *f, uint32_t index, bool *used))
{
    bool used = false;
    for (size_t i = 0; i < f->stream_count; i++) {
        const struct dmpi_stream *const s = &f->streams[i];
        if (s->type != type)
            continue;
        const uint32_t index = (uint32_t)i; /* the directory's count is a u32 */
        const dmp_status st =
            used ? dmpi_malformed(f, index, s->rva, UINT64_MAX, ignored) : decode(f, index, &used);
        if (st != DMP_OK)
            return st;
    }
    return DMP_OK;
}

dmp_status dmpi_malformed(dmp_file *f, uint32_t stream, uint64_t offset, uint64_t entry,
                          const char *detail)
{
    /* The directory already reported a stream lying past the end of the file as unusable;
     * a parser finding it empty says nothing new. */
    if (stream < f->stream_count && (f->streams[stream].flags & DMP_STREAM_PAST_EOF))
        return DMP_OK;
    const dmp_diag d = {
        .kind = DMP_DIAG_MALFORMED,
        .stream_index = stream,
        .stream_type = stream < f->stream_count ? f->streams[stream].type : 0,
        .offset = offset,
        .descriptor = entry == UINT64_MAX ? 0 : entry,
        .count = entry == UINT64_MAX ? 0 : 1,
        .detail = detail,
    };
    return dmpi_diag_push(&f->diags, &d);
}

dmp_status dmpi_triage_parse(dmp_file *f)
{
    struct dmpi_triage *const t = &f->triage;
    dmpi_strings_init(f); /* every string the parsers decode draws on it */
    t->system_status = DMP_E_ABSENT;
    t->misc_status = DMP_E_ABSENT;
    t->vm_status = DMP_E_ABSENT;
    t->sysmem_status = DMP_E_ABSENT;
    t->comment_status = DMP_E_ABSENT;
    t->breakpad_status = DMP_E_ABSENT;
    t->crashpad_status = DMP_E_ABSENT;
    t->assertion_status = DMP_E_ABSENT;
    t->linux_debug_status = DMP_E_ABSENT;
    static const struct {
        dmp_status (*parse)(dmp_file *);
        const char *part; /* what a DMP_DIAG_BUDGET diagnostic names */
    } parsers[] = {
        {dmpi_parse_system_info, "system info"},
        {dmpi_parse_misc_info, "misc info"},
        {dmpi_parse_vm_counters, "VM counters"},
        {dmpi_parse_system_memory, "system memory info"},
        {dmpi_parse_threads, "threads"},
        {dmpi_parse_modules, "modules"},
        {dmpi_parse_exceptions, "exceptions"},
        {dmpi_parse_memory_info, "memory info"},
        {dmpi_parse_handles, "handles"},
        {dmpi_parse_extras, "comments, Breakpad and Linux lists"},
        {dmpi_parse_crashpad, "Crashpad info"},
        {dmpi_parse_assertion, "assertion"},
        {dmpi_parse_linux, "Linux text streams"},
    };
    for (size_t i = 0; i < sizeof parsers / sizeof parsers[0]; i++) {
        /* What a parser builds lives in the arena until close; when the budget refuses it
         * part of the way, its part goes back to what it was before it ran, and the other
         * parts still run. */
        const struct dmpi_triage before = *t;
        (void)dmpi_budget_hit(&f->budget); /* a refusal before this one is not this part's */
        bool left_out;
        const dmp_status st =
            dmpi_budget_refused(f, parsers[i].parse(f), parsers[i].part, &left_out);
        if (left_out)
            *t = before;
        if (st != DMP_OK)
            return st;
    }
    return DMP_OK;
}

void dmpi_triage_free(struct dmpi_triage *t)
{
    /* Every array a parser builds is in the dump's arena, freed with it. */
    memset(t, 0, sizeof *t);
}

dmp_status dmp_stream_find(const dmp_file *f, uint32_t type, size_t from, size_t *index)
{
    if (!f || !index)
        return DMP_E_INVALID_ARG;
    for (size_t i = from; i < f->stream_count; i++) {
        if (f->streams[i].type == type) {
            *index = i;
            return DMP_OK;
        }
    }
    return DMP_E_ABSENT;
}

dmp_status dmp_stream_data(const dmp_file *f, size_t i, const void **data, size_t *len)
{
    if (!f || !data || !len)
        return DMP_E_INVALID_ARG;
    if (i >= f->stream_count)
        return DMP_E_NOT_FOUND;
    const struct view *const v = &f->streams[i].bytes;
    *data = v->data;
    *len = (size_t)v->len; /* inside the mapping: fits size_t */
    return DMP_OK;
}
