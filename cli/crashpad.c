/* crashpad.c - `dmpread info`'s Crashpad section: report and client ids, the process's
 * annotations and each module's.
 * SPDX-License-Identifier: MIT */
#include "budget.h"
#include "cli.h"
#include "text.h"

#include <inttypes.h>
#include <string.h>

#define LABEL "%-13s"
#define TEXT_CELL 1024
#define HEX_SHOWN 32 /* bytes of a binary annotation value shown in text */

/* A Crashpad UUID as Crashpad prints it: its first three fields are little-endian integers. */
static void format_uuid(const uint8_t u[16], char *buf, size_t cap)
{
    snprintf(buf, cap, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[3],
             u[2], u[1], u[0], u[5], u[4], u[7], u[6], u[8], u[9], u[10], u[11], u[12], u[13],
             u[14], u[15]);
}

/* The module a link names: the last component of its path, or "module #N". */
static void module_label(const dmp_file *f, uint32_t index, char *buf, size_t cap)
{
    dmp_module m;
    if (dmp_module_get(f, index, &m) == DMP_OK && *m.name)
        text_printable(path_base_name(m.name), buf, cap);
    else
        snprintf(buf, cap, "module #%" PRIu32, index);
}

static const char *annotation_type_name(uint16_t type)
{
    if (type == DMP_CRASHPAD_ANNOTATION_STRING)
        return "string";
    if (type >= DMP_CRASHPAD_ANNOTATION_USER_DEFINED)
        return "user-defined";
    return type == DMP_CRASHPAD_ANNOTATION_INVALID ? "invalid" : NULL;
}

/* ---- Text ---------------------------------------------------------------------------- */

static void print_pair(const char *prefix, const char *key, const char *value)
{
    char k[TEXT_CELL], v[TEXT_CELL];
    printf("  %s%s = %s\n", prefix, text_printable(key, k, sizeof k),
           text_printable(value, v, sizeof v));
}

/* A typed annotation: a string's text (up to a NUL it may hold), else the type and bytes. */
static void print_object(const char *prefix, const dmp_crashpad_annotation *a)
{
    char name[TEXT_CELL];
    text_printable(a->name, name, sizeof name);
    const uint8_t *const bytes = a->value;
    if (a->type == DMP_CRASHPAD_ANNOTATION_STRING) {
        char raw[TEXT_CELL], value[TEXT_CELL];
        const size_t n = a->value_len < sizeof raw - 1 ? a->value_len : sizeof raw - 1;
        if (n)
            memcpy(raw, bytes, n);
        raw[n] = '\0';
        printf("  %s%s = %s\n", prefix, name, text_printable(raw, value, sizeof value));
        return;
    }
    printf("  %s%s (type 0x%x, %zu bytes) =", prefix, name, (unsigned)a->type, a->value_len);
    for (size_t i = 0; i < a->value_len && i < HEX_SHOWN; i++)
        printf(" %02x", bytes[i]);
    printf("%s\n", a->value_len > HEX_SHOWN ? " ..." : "");
}

static void print_module_annotations(const dmp_file *f, size_t i, const dmp_crashpad_module *m)
{
    char label[TEXT_CELL], prefix[TEXT_CELL + 2];
    module_label(f, m->module_index, label, sizeof label);
    snprintf(prefix, sizeof prefix, "%s: ", label);
    const char *key, *value;
    for (size_t k = 0; dmp_crashpad_module_list_annotation_get(f, i, k, &value) == DMP_OK; k++) {
        char v[TEXT_CELL];
        printf("  %s%s\n", prefix, text_printable(value, v, sizeof v));
    }
    for (size_t k = 0; dmp_crashpad_module_simple_annotation_get(f, i, k, &key, &value) == DMP_OK;
         k++)
        print_pair(prefix, key, value);
    dmp_crashpad_annotation a;
    for (size_t k = 0; dmp_crashpad_module_annotation_object_get(f, i, k, &a) == DMP_OK; k++)
        print_object(prefix, &a);
}

void print_crashpad(const dmp_file *f)
{
    dmp_crashpad_info ci;
    const dmp_status st = dmp_get_crashpad_info(f, &ci);
    if (st == DMP_E_ABSENT)
        return;
    if (st != DMP_OK) {
        printf(LABEL "unknown: its CrashpadInfoStream is unusable (see the diagnostics)\n",
               "crashpad:");
        return;
    }
    char report[40], client[40];
    format_uuid(ci.report_id, report, sizeof report);
    format_uuid(ci.client_id, client, sizeof client);
    printf(LABEL "report %s, client %s\n", "crashpad:", report, client);
    const char *key, *value;
    for (size_t i = 0; dmp_crashpad_annotation_get(f, i, &key, &value) == DMP_OK; i++)
        print_pair("", key, value);
    dmp_crashpad_module m;
    for (size_t i = 0; dmp_crashpad_module_get(f, i, &m) == DMP_OK; i++)
        print_module_annotations(f, i, &m);
}

/* ---- JSON ---------------------------------------------------------------------------- */

static void json_pair(struct json *j, const char *key, const char *value)
{
    json_object_begin_compact(j, NULL);
    json_string(j, "key", key);
    json_string(j, "value", value);
    json_object_end(j);
}

static void json_object_annotation(struct json *j, const dmp_crashpad_annotation *a)
{
    static const char digits[] = "0123456789abcdef";
    const uint8_t *const bytes = a->value;
    json_object_begin_compact(j, NULL);
    json_string(j, "name", a->name);
    json_uint(j, "type", a->type);
    json_string(j, "type_name", annotation_type_name(a->type));
    if (a->type == DMP_CRASHPAD_ANNOTATION_STRING)
        json_string_n(j, "value", a->value_len ? (const char *)bytes : "", a->value_len);
    else
        json_null(j, "value");
    json_uint(j, "value_size", a->value_len);
    /* Charged as the hex it writes, two digits a byte. */
    const size_t digits_len = 2 * a->value_len;
    const size_t keep = budget_charge(digits_len);
    const size_t shown = keep == digits_len ? a->value_len : keep / 2;
    json_string_begin(j, "value_hex");
    for (size_t i = 0; i < shown; i++) {
        const char pair[2] = {digits[bytes[i] >> 4], digits[bytes[i] & 0xf]};
        json_string_chunk(j, pair, 2);
    }
    if (shown < a->value_len) {
        char marker[BUDGET_MARKER];
        budget_marker(digits_len, 2 * shown, marker, sizeof marker);
        json_string_chunk(j, marker, strlen(marker));
    }
    json_string_end(j);
    json_object_end(j);
}

static void json_module_annotations(struct json *j, const dmp_file *f, size_t i,
                                    const dmp_crashpad_module *m)
{
    dmp_module mod;
    const bool known = dmp_module_get(f, m->module_index, &mod) == DMP_OK;
    json_object_begin(j, NULL);
    json_uint(j, "module_index", m->module_index);
    json_string(j, "module_name", known ? mod.name : NULL);
    json_uint(j, "version", m->version);
    const char *key, *value;
    json_array_begin_compact(j, "list_annotations");
    for (size_t k = 0; dmp_crashpad_module_list_annotation_get(f, i, k, &value) == DMP_OK; k++)
        json_string(j, NULL, value);
    json_array_end(j);
    json_array_begin(j, "simple_annotations");
    for (size_t k = 0; dmp_crashpad_module_simple_annotation_get(f, i, k, &key, &value) == DMP_OK;
         k++)
        json_pair(j, key, value);
    json_array_end(j);
    json_array_begin(j, "annotation_objects");
    dmp_crashpad_annotation a;
    for (size_t k = 0; dmp_crashpad_module_annotation_object_get(f, i, k, &a) == DMP_OK; k++)
        json_object_annotation(j, &a);
    json_array_end(j);
    json_object_end(j);
}

void json_crashpad(struct json *j, const dmp_file *f)
{
    dmp_crashpad_info ci;
    if (dmp_get_crashpad_info(f, &ci) != DMP_OK) {
        json_null(j, "crashpad");
        return;
    }
    char uuid[40];
    json_object_begin(j, "crashpad");
    format_uuid(ci.report_id, uuid, sizeof uuid);
    json_string(j, "report_id", uuid);
    format_uuid(ci.client_id, uuid, sizeof uuid);
    json_string(j, "client_id", uuid);
    json_array_begin(j, "annotations");
    const char *key, *value;
    for (size_t i = 0; dmp_crashpad_annotation_get(f, i, &key, &value) == DMP_OK; i++)
        json_pair(j, key, value);
    json_array_end(j);
    json_array_begin(j, "modules");
    dmp_crashpad_module m;
    for (size_t i = 0; dmp_crashpad_module_get(f, i, &m) == DMP_OK; i++)
        json_module_annotations(j, f, i, &m);
    json_array_end(j);
    json_object_end(j);
}
