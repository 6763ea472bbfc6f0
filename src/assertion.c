/* assertion.c - Breakpad's assertion stream: what an invalid-parameter or pure-virtual-call
 * handler knew when it asked for the dump.
 * SPDX-License-Identifier: MIT
 *
 * MDRawAssertionInfo (0x47670002) is a fixed record: expression, function and file as
 * UTF-16LE arrays of 128 units each (NUL-terminated when shorter), then line and type as
 * u32, 776 bytes in all. Breakpad's Windows handler fills it in from _invalid_parameter's
 * arguments, which release CRTs pass as NULL, so empty strings are normal. The first sound
 * stream is used; later ones are reported and ignored.
 */
#include "internal.h"

#define ASSERTION_TEXT_UNITS 128
#define ASSERTION_TEXT_SIZE (2 * ASSERTION_TEXT_UNITS)
#define ASSERTION_LINE_OFF (3 * ASSERTION_TEXT_SIZE)
#define ASSERTION_SIZE (ASSERTION_LINE_OFF + 8) /* 776 */

static dmp_status decode_assertion(dmp_file *f, uint32_t index, bool *used)
{
    const struct dmpi_stream *const s = &f->streams[index];
    struct dmpi_triage *const t = &f->triage;
    if (s->bytes.len < ASSERTION_SIZE) {
        t->assertion_status = DMP_E_MALFORMED;
        return dmpi_malformed(f, index, s->rva, UINT64_MAX,
                              "assertion stream is shorter than MDRawAssertionInfo (776 bytes)");
    }
    const uint8_t *const p = s->bytes.data;
    const char **const text[] = {&t->assertion.expression, &t->assertion.function,
                                 &t->assertion.file};
    for (size_t i = 0; i < 3; i++) {
        *text[i] =
            dmpi_utf16_dup(&f->arena, p + i * ASSERTION_TEXT_SIZE, ASSERTION_TEXT_SIZE, true);
        if (!*text[i])
            return DMP_E_NOMEM;
    }
    t->assertion.line = load_u32le(p + ASSERTION_LINE_OFF);
    t->assertion.type = load_u32le(p + ASSERTION_LINE_OFF + 4);
    t->assertion_status = DMP_OK;
    *used = true;
    return DMP_OK;
}

dmp_status dmpi_parse_assertion(dmp_file *f)
{
    return dmpi_first_usable(f, DMP_STREAM_BREAKPAD_ASSERTION_INFO,
                             "a stream of this type came earlier; this one is ignored",
                             decode_assertion);
}

const char *dmp_assertion_type_name(uint32_t type)
{
    switch (type) {
    case 1:
        return "invalid parameter";
    case 2:
        return "pure virtual call";
    default:
        return NULL;
    }
}

dmp_status dmp_get_assertion(const dmp_file *f, dmp_assertion *out)
{
    if (!f || !out)
        return DMP_E_INVALID_ARG;
    if (f->triage.assertion_status == DMP_OK)
        *out = f->triage.assertion;
    return f->triage.assertion_status;
}
