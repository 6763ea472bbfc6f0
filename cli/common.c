/* common.c - the output document every command writes, and the formatting helpers.
 * SPDX-License-Identifier: MIT */
#include "cli.h"

#include "budget.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("dmpread: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return EXIT_ERROR;
}

void doc_begin(struct run *r)
{
    budget_begin(dmp_file_size(r->f));
    if (!r->a->json)
        return;
    struct json *const j = &r->j;
    json_init(j, stdout);
    /* Several FILEs: JSON Lines, one document a line, so `jq` and line tools take each. */
    j->compact[0] = r->a->many;
    json_object_begin(j, NULL);
    json_uint(j, "dmpread_json", DMPREAD_JSON_VERSION);
    json_string(j, "command", r->a->command_name);
    json_object_begin(j, "file");
    json_string(j, "path", r->path);
    json_uint(j, "size", dmp_file_size(r->f));
    json_bool(j, "compressed", dmp_was_compressed(r->f) != 0);
    json_object_end(j);
}

static void json_diag(struct json *j, const dmp_diag *d)
{
    char line[512];
    dmp_diag_format(d, line, sizeof line);
    json_object_begin_compact(j, NULL);
    json_string(j, "kind", dmp_diag_kind_name(d->kind));
    if (d->stream_index == DMP_DIAG_NO_STREAM) {
        json_null(j, "stream_index");
        json_null(j, "stream_type");
    } else {
        json_uint(j, "stream_index", d->stream_index);
        json_uint(j, "stream_type", d->stream_type);
    }
    json_uint(j, "offset", d->offset);
    json_string(j, "message", line);
    json_string(j, "detail", d->detail);
    json_uint(j, "data_offset", d->data_offset);
    json_uint(j, "descriptor", d->descriptor);
    json_uint(j, "count", d->count);
    json_hex(j, "addr", d->addr);
    json_uint(j, "size", d->size);
    json_uint(j, "kept", d->kept);
    json_object_end(j);
}

void note_cuts(const struct run *r, uint64_t cuts)
{
    if (cuts == 0)
        return;
    fflush(stdout);
    fprintf(stderr,
            "dmpread: %s: %" PRIu64 " string%s cut short: the output reached its budget, %d"
            " times the dump's size plus 1 MiB of strings (docs/json.md)\n",
            r->path, cuts, cuts == 1 ? "" : "s", BUDGET_FACTOR);
}

int doc_end(struct run *r, int rc, bool text_diagnostics)
{
    dmp_diag d;
    /* The diagnostics are bounded already (the library keeps 1,000 of each kind). */
    const uint64_t cuts = budget_end();
    note_cuts(r, cuts);
    if (r->a->json) {
        if (cuts)
            json_uint(&r->j, "strings_cut", cuts);
        json_array_begin(&r->j, "diagnostics");
        for (size_t i = 0; dmp_diag_get(r->f, i, &d) == DMP_OK; i++)
            json_diag(&r->j, &d);
        json_array_end(&r->j);
        json_object_end(&r->j);
        json_finish(&r->j);
    } else if (text_diagnostics && r->a->quiet) {
        size_t n = 0;
        while (dmp_diag_get(r->f, n, &d) == DMP_OK)
            n++;
        if (r->hidden)
            *r->hidden += n;
    } else if (text_diagnostics) {
        fflush(stdout); /* with several FILEs, keep each dump's lines after its output */
        char line[512];
        for (size_t i = 0; dmp_diag_get(r->f, i, &d) == DMP_OK; i++) {
            dmp_diag_format(&d, line, sizeof line);
            fprintf(stderr, "dmpread: %s: %s\n", r->path, line);
        }
    }
    return rc;
}

/* A stable name for an open failure's status, for JSON consumers to match on. */
static const char *status_key(dmp_status status)
{
    switch (status) {
    case DMP_E_IO:
        return "io";
    case DMP_E_NOMEM:
        return "no-memory";
    case DMP_E_TOO_SHORT:
        return "too-short";
    case DMP_E_BAD_SIGNATURE:
        return "bad-signature";
    case DMP_E_INFLATE:
        return "inflate";
    case DMP_E_TOO_LARGE:
        return "too-large";
    default:
        return "other";
    }
}

void doc_error(const struct args *a, const char *path, dmp_status status, const char *message)
{
    struct json j;
    json_init(&j, stdout);
    j.compact[0] = a->many;
    json_object_begin(&j, NULL);
    json_uint(&j, "dmpread_json", DMPREAD_JSON_VERSION);
    json_string(&j, "command", a->command_name);
    json_object_begin(&j, "file");
    json_string(&j, "path", path);
    json_null(&j, "size");
    json_null(&j, "compressed");
    json_object_end(&j);
    json_object_begin(&j, "error");
    json_string(&j, "status", status_key(status));
    json_string(&j, "message", message);
    json_object_end(&j);
    json_array_begin(&j, "diagnostics");
    json_array_end(&j);
    json_object_end(&j);
    json_finish(&j);
}

/* The proleptic Gregorian date of a day counted from 1970-01-01 (the civil-from-days
 * algorithm: 400-year eras of 146097 days, years starting in March). */
static void civil_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day)
{
    days += 719468; /* from 0000-03-01 */
    const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const unsigned doe = (unsigned)(days - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *day = doy - (153 * mp + 2) / 5 + 1;
    *month = mp < 10 ? mp + 3 : mp - 9;
    *year = (int64_t)yoe + era * 400 + (*month <= 2);
}

void format_unix_time(int64_t secs, bool iso, char *buf, size_t cap)
{
    int64_t days = secs / 86400;
    int64_t rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    int64_t year;
    unsigned month, day;
    civil_from_days(days, &year, &month, &day);
    const unsigned h = (unsigned)(rem / 3600), m = (unsigned)(rem / 60 % 60),
                   s = (unsigned)(rem % 60);
    snprintf(buf, cap,
             iso ? "%04" PRId64 "-%02u-%02uT%02u:%02u:%02uZ"
                 : "%04" PRId64 "-%02u-%02u %02u:%02u:%02u UTC",
             year, month, day, h, m, s);
}

void format_filetime(uint64_t ft, char *buf, size_t cap)
{
    /* 11644473600 s separate 1601-01-01 from 1970-01-01. */
    const int64_t secs = (int64_t)(ft / 10000000) - INT64_C(11644473600);
    char date[48];
    format_unix_time(secs, true, date, sizeof date);
    const size_t n = strlen(date);
    /* Put the fraction before the Z. */
    snprintf(buf, cap, "%.*s.%07" PRIu64 "Z", (int)(n - 1), date, ft % 10000000);
}

void json_unix_time(struct json *j, const char *key, uint64_t secs)
{
    if (secs == 0) {
        json_null(j, key);
        return;
    }
    char buf[48];
    format_unix_time((int64_t)secs, true, buf, sizeof buf);
    json_string(j, key, buf);
}

int addr_digits(uint64_t max)
{
    return max <= UINT32_MAX ? 8 : 16;
}

void format_addr(uint64_t v, int digits, char *buf, size_t cap)
{
    snprintf(buf, cap, "0x%0*" PRIx64, digits, v);
}

void format_end(uint64_t base, uint64_t size, int digits, char *buf, size_t cap)
{
    const uint64_t low = base + size;
    if (low < base) /* carried into bit 64 */
        snprintf(buf, cap, "0x1%016" PRIx64, low);
    else
        format_addr(low, digits, buf, cap);
}

bool has_stream(const dmp_file *f, uint32_t type)
{
    size_t index;
    return dmp_stream_find(f, type, 0, &index) == DMP_OK;
}

void json_header(struct json *j, const dmp_file *f)
{
    dmp_header h;
    dmp_get_header(f, &h);
    json_object_begin(j, "header");
    json_hex(j, "version", h.version);
    json_uint(j, "stream_count", h.stream_count);
    json_uint(j, "directory_offset", h.directory_rva);
    json_hex(j, "checksum", h.checksum);
    json_uint(j, "time_date_stamp", h.time_date_stamp);
    json_unix_time(j, "time", h.time_date_stamp);
    json_hex(j, "flags", h.flags);
    json_object_end(j);
}

void print_header(const dmp_file *f)
{
    dmp_header h;
    dmp_get_header(f, &h);
    char when[48] = "no time recorded";
    if (h.time_date_stamp != 0)
        format_unix_time(h.time_date_stamp, false, when, sizeof when);
    /* The header's count, and how many entries the file holds when that is fewer. */
    char inside[48] = "";
    if (dmp_stream_count(f) != h.stream_count)
        snprintf(inside, sizeof inside, " (%zu inside the file)", dmp_stream_count(f));
    printf("version 0x%" PRIx32 ", %" PRIu32 " stream%s%s, directory at 0x%" PRIx32
           ", flags 0x%" PRIx64 ", written %s\n\n",
           h.version, h.stream_count, h.stream_count == 1 ? "" : "s", inside, h.directory_rva,
           h.flags, when);
}
