/* platform.c - the `linux` command (Breakpad's Linux streams as text or JSON), info's Linux
 * summary, and the maps fallback of memory-info.
 * SPDX-License-Identifier: MIT
 *
 * The streams are copies of /proc files, so their bytes are untrusted text: every byte that is
 * not printable ASCII is shown as \xNN (and a backslash as \\), so a line of output is one
 * line of the stream and a terminal never receives control characters. Tabs are kept in
 * running text (/proc/PID/status separates its columns with them), escaped in table cells.
 */
#include "budget.h"
#include "cli.h"
#include "table.h"
#include "text.h"

#include <inttypes.h>
#include <string.h>

#define LABEL "%-13s"

/* ---- Text helpers ---------------------------------------------------------------------- */

static bool byte_plain(unsigned char c)
{
    return c >= 0x20 && c < 0x7f && c != '\\';
}

/* The bytes with \xNN escapes, as described at the top. */
void print_text_escaped(FILE *out, const char *s, size_t n)
{
    const size_t keep = budget_charge(n);
    for (size_t i = 0; i < keep; i++) {
        const unsigned char c = (unsigned char)s[i];
        if (byte_plain(c) || c == '\t')
            fputc(c, out);
        else if (c == '\\')
            fputs("\\\\", out);
        else
            fprintf(out, "\\x%02x", c);
    }
    if (keep < n) {
        char marker[BUDGET_MARKER];
        budget_marker(n, keep, marker, sizeof marker);
        fputs(marker, out);
    }
}

/* The same into buf, cut (ending in "...") when it does not fit. */
static void escape_into(const char *s, size_t n, char *buf, size_t cap)
{
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        char one[8];
        const unsigned char c = (unsigned char)s[i];
        const int w = byte_plain(c) ? snprintf(one, sizeof one, "%c", c)
                      : c == '\\'   ? snprintf(one, sizeof one, "\\\\")
                                    : snprintf(one, sizeof one, "\\x%02x", c);
        if (at + (size_t)w + 4 > cap) {
            snprintf(buf + at, cap - at, "...");
            return;
        }
        memcpy(buf + at, one, (size_t)w + 1);
        at += (size_t)w;
    }
    buf[at] = '\0';
}

/* One argument as a POSIX shell word: bare when it is safe, else '...' (with ' as '\''), or
 * bash's $'...' when it holds bytes a terminal should not get. */
static void print_shell_word(FILE *out, const dmp_text *t)
{
    bool bare = t->len > 0, plain = true;
    for (size_t i = 0; i < t->len; i++) {
        const unsigned char c = (unsigned char)t->data[i];
        bare = bare && c < 0x7f &&
               (strchr("@%+=:,./-_", c) || (c >= '0' && c <= '9') ||
                ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'));
        plain = plain && (byte_plain(c) || c == '\\');
    }
    if (bare) {
        fwrite(t->data, 1, t->len, out);
    } else if (plain) {
        fputc('\'', out);
        for (size_t i = 0; i < t->len; i++)
            t->data[i] == '\'' ? fputs("'\\''", out) : fputc(t->data[i], out);
        fputc('\'', out);
    } else {
        fputs("$'", out);
        for (size_t i = 0; i < t->len; i++) {
            const unsigned char c = (unsigned char)t->data[i];
            if (c == '\'')
                fputs("\\'", out);
            else
                print_text_escaped(out, t->data + i, 1);
        }
        fputc('\'', out);
    }
}

static bool text_eq(const dmp_text *t, const char *s)
{
    return t->len == strlen(s) && memcmp(t->data, s, t->len) == 0;
}

/* The command line as shell words on one line. */
static void print_command_line(const dmp_file *f)
{
    const size_t n = dmp_linux_item_count(f, DMP_STREAM_LINUX_CMD_LINE);
    for (size_t i = 0; i < n; i++) {
        dmp_text t;
        if (dmp_linux_item_get(f, DMP_STREAM_LINUX_CMD_LINE, i, &t) != DMP_OK)
            continue;
        if (i > 0)
            fputc(' ', stdout);
        print_shell_word(stdout, &t);
    }
}

/* DISTRIB_DESCRIPTION, else PRETTY_NAME (os-release), else DISTRIB_ID and DISTRIB_RELEASE. */
static bool distribution(const dmp_file *f, dmp_text *out)
{
    const uint32_t lsb = DMP_STREAM_LINUX_LSB_RELEASE;
    return dmp_linux_field_find(f, lsb, "DISTRIB_DESCRIPTION", out) == DMP_OK ||
           dmp_linux_field_find(f, lsb, "PRETTY_NAME", out) == DMP_OK ||
           dmp_linux_field_find(f, lsb, "DISTRIB_ID", out) == DMP_OK;
}

/* The kernel: SystemInfo's CSD string on Linux and Android (Breakpad puts uname there). */
static const char *kernel_of(const dmp_file *f)
{
    dmp_system_info s;
    if (dmp_get_system_info(f, &s) != DMP_OK || !*s.csd_version)
        return NULL;
    return s.platform == DMP_PLATFORM_LINUX || s.platform == DMP_PLATFORM_ANDROID ? s.csd_version
                                                                                  : NULL;
}

/* ---- info's summary -------------------------------------------------------------------- */

void print_linux_summary(const dmp_file *f)
{
    if (has_stream(f, DMP_STREAM_LINUX_CMD_LINE)) {
        printf(LABEL, "cmdline:");
        print_command_line(f);
        printf("\n");
    }
    dmp_text d;
    if (distribution(f, &d)) {
        printf(LABEL, "distro:");
        print_text_escaped(stdout, d.data, d.len);
        printf("\n");
    }
}

static void json_items(struct json *j, const char *key, const dmp_file *f, uint32_t type)
{
    if (!has_stream(f, type)) {
        json_null(j, key);
        return;
    }
    json_array_begin(j, key);
    const size_t n = dmp_linux_item_count(f, type);
    for (size_t i = 0; i < n; i++) {
        dmp_text t;
        if (dmp_linux_item_get(f, type, i, &t) == DMP_OK)
            json_string_n(j, NULL, t.data, t.len);
    }
    json_array_end(j);
}

void json_linux_summary(struct json *j, const dmp_file *f)
{
    dmp_text d;
    json_object_begin(j, "linux");
    json_items(j, "command_line", f, DMP_STREAM_LINUX_CMD_LINE);
    if (distribution(f, &d))
        json_string_n(j, "distribution", d.data, d.len);
    else
        json_null(j, "distribution");
    json_string(j, "kernel", kernel_of(f));
    json_object_end(j);
}

/* ---- The linux command: text ----------------------------------------------------------- */

static bool section(const dmp_file *f, uint32_t type, const char *title)
{
    printf("\n%s (%s):", title, dmp_stream_type_name(type));
    if (!has_stream(f, type)) {
        printf(" not in the dump\n");
        return false;
    }
    printf("\n");
    return true;
}

static void print_items(const dmp_file *f, uint32_t type, const char *title, bool numbered)
{
    if (!section(f, type, title))
        return;
    const size_t n = dmp_linux_item_count(f, type);
    for (size_t i = 0; i < n; i++) {
        dmp_text t;
        if (dmp_linux_item_get(f, type, i, &t) != DMP_OK)
            continue;
        numbered ? printf("  [%zu] ", i) : printf("  ");
        print_text_escaped(stdout, t.data, t.len);
        printf("\n");
    }
}

/* Fields as "key: value"; lines that are not fields as they are. */
static void print_fields(const dmp_file *f, uint32_t type, const char *title)
{
    if (!section(f, type, title))
        return;
    const size_t n = dmp_linux_item_count(f, type);
    for (size_t i = 0; i < n; i++) {
        dmp_text k, v;
        printf("  ");
        if (dmp_linux_field_get(f, type, i, &k, &v) == DMP_OK) {
            print_text_escaped(stdout, k.data, k.len);
            printf(type == DMP_STREAM_LINUX_LSB_RELEASE ? "=" : ": ");
            print_text_escaped(stdout, v.data, v.len);
        } else if (dmp_linux_item_get(f, type, i, &k) == DMP_OK) {
            print_text_escaped(stdout, k.data, k.len);
        }
        printf("\n");
    }
}

struct cpu_summary {
    size_t processors;
    bool has_model;
    dmp_text model;
};

/* x86 says "model name"; ARM kernels "Hardware", "Processor" or "model name" by version. */
static struct cpu_summary cpu_summary(const dmp_file *f)
{
    struct cpu_summary c = {0};
    static const char *const model_keys[] = {"model name", "Hardware", "Processor", "cpu model"};
    const uint32_t type = DMP_STREAM_LINUX_CPU_INFO;
    const size_t n = dmp_linux_item_count(f, type);
    for (size_t i = 0; i < n; i++) {
        dmp_text k, v;
        if (dmp_linux_field_get(f, type, i, &k, &v) == DMP_OK && text_eq(&k, "processor"))
            c.processors++;
    }
    for (size_t m = 0; m < sizeof model_keys / sizeof model_keys[0] && !c.has_model; m++)
        c.has_model = dmp_linux_field_find(f, type, model_keys[m], &c.model) == DMP_OK;
    return c;
}

static void print_cpu_info(const dmp_file *f)
{
    if (!section(f, DMP_STREAM_LINUX_CPU_INFO, "cpu info"))
        return;
    const struct cpu_summary c = cpu_summary(f);
    printf("  processors: %zu\n  model:      ", c.processors);
    if (c.has_model)
        print_text_escaped(stdout, c.model.data, c.model.len);
    else
        printf("(not stated)");
    printf("\n");
}

static void map_row(struct table *tb, const dmp_linux_map *m, int digits)
{
    char base[24], end[24], offset[24], dev[24], inode[24], path[1024];
    format_addr(m->base, digits, base, sizeof base);
    format_end(m->base, m->size, digits, end, sizeof end);
    snprintf(offset, sizeof offset, "0x%" PRIx64, m->offset);
    snprintf(dev, sizeof dev, "%02" PRIx32 ":%02" PRIx32, m->dev_major, m->dev_minor);
    snprintf(inode, sizeof inode, "%" PRIu64, m->inode);
    escape_into(m->path.data, m->path.len, path, sizeof path);
    const char *const cells[] = {base, end, m->perms, offset, dev, inode, path};
    table_add(tb, cells);
}

/* What the maps table's rows are made from. */
struct map_rows {
    const dmp_file *f;
    size_t n;
    int digits;
};

static void map_rows(struct table *tb, const void *ctx)
{
    const struct map_rows *const c = ctx;
    dmp_linux_map m;
    for (size_t i = 0; i < c->n; i++)
        if (dmp_linux_map_get(c->f, i, &m) == DMP_OK)
            map_row(tb, &m, c->digits);
}

/* The maps as a table (used by memory-info too). */
void print_linux_maps(const dmp_file *f, const char *indent)
{
    const size_t n = dmp_linux_map_count(f);
    uint64_t max = 0;
    dmp_linux_map m;
    for (size_t i = 0; i < n; i++)
        if (dmp_linux_map_get(f, i, &m) == DMP_OK)
            max |= m.base + m.size < m.base ? UINT64_MAX : m.base + m.size;
    const int digits = addr_digits(max);
    struct table tb;
    table_init(&tb, "START:l|END:l|PERMS:l|OFFSET:r|DEV:l|INODE:r|PATH:l");
    const struct map_rows rows = {f, n, digits};
    table_print(&tb, stdout, indent, map_rows, &rows);
}

static void print_auxv(const dmp_file *f)
{
    if (!section(f, DMP_STREAM_LINUX_AUXV, "auxv"))
        return;
    const size_t n = dmp_auxv_count(f);
    for (size_t i = 0; i < n; i++) {
        uint64_t type, value;
        if (dmp_auxv_get(f, i, &type, &value) != DMP_OK)
            continue;
        const char *const name = dmp_auxv_type_name(type);
        char num[32];
        snprintf(num, sizeof num, "(type %" PRIu64 ")", type);
        printf("  %-22s 0x%" PRIx64 "\n", name ? name : num, value);
    }
}

static void dso_rows(struct table *tb, const void *ctx)
{
    const dmp_file *const f = ctx;
    for (size_t i = 0; i < dmp_linux_dso_count(f); i++) {
        dmp_linux_dso o;
        if (dmp_linux_dso_get(f, i, &o) != DMP_OK)
            continue;
        char addr[24], ld[24], name[1024];
        format_addr(o.addr, 16, addr, sizeof addr);
        format_addr(o.ld, 16, ld, sizeof ld);
        const char *const cells[] = {addr, ld, text_printable(o.name, name, sizeof name)};
        table_add(tb, cells);
    }
}

static void print_dsos(const dmp_file *f)
{
    if (!section(f, DMP_STREAM_LINUX_DSO_DEBUG, "loaded objects, r_debug"))
        return;
    dmp_linux_debug d;
    if (dmp_get_linux_debug(f, &d) == DMP_OK)
        printf("  r_debug: version %" PRIu32 ", %" PRIu32 " link maps at 0x%" PRIx32
               ", r_brk 0x%" PRIx64 ", r_ldbase 0x%" PRIx64 ", _DYNAMIC 0x%" PRIx64 "\n",
               d.version, d.dso_count, d.map_rva, d.brk, d.ldbase, d.dynamic);
    struct table tb;
    table_init(&tb, "L_ADDR:l|L_LD:l|NAME:l");
    table_print(&tb, stdout, "  ", dso_rows, f);
}

static bool any_linux_stream(const dmp_file *f)
{
    for (uint32_t t = DMP_STREAM_LINUX_CPU_INFO; t <= DMP_STREAM_LINUX_DSO_DEBUG; t++)
        if (has_stream(f, t))
            return true;
    return false;
}

static void print_linux(const dmp_file *f)
{
    const char *const kernel = kernel_of(f);
    print_linux_summary(f);
    if (kernel)
        printf(LABEL "%s\n", "kernel:", kernel);
    print_items(f, DMP_STREAM_LINUX_CMD_LINE, "command line", true);
    print_items(f, DMP_STREAM_LINUX_ENVIRON, "environment", false);
    print_fields(f, DMP_STREAM_LINUX_LSB_RELEASE, "lsb-release");
    print_fields(f, DMP_STREAM_LINUX_PROC_STATUS, "process status");
    print_cpu_info(f);
    if (section(f, DMP_STREAM_LINUX_MAPS, "maps"))
        print_linux_maps(f, "  ");
    print_auxv(f);
    print_dsos(f);
}

/* ---- The linux command: JSON ----------------------------------------------------------- */

static void json_fields(struct json *j, const char *key, const dmp_file *f, uint32_t type)
{
    if (!has_stream(f, type)) {
        json_null(j, key);
        return;
    }
    json_array_begin(j, key);
    for (size_t i = 0; i < dmp_linux_item_count(f, type); i++) {
        dmp_text k, v;
        if (dmp_linux_field_get(f, type, i, &k, &v) != DMP_OK)
            continue;
        json_object_begin_compact(j, NULL);
        json_string_n(j, "key", k.data, k.len);
        json_string_n(j, "value", v.data, v.len);
        json_object_end(j);
    }
    json_array_end(j);
}

static void json_cpu_info(struct json *j, const dmp_file *f)
{
    if (!has_stream(f, DMP_STREAM_LINUX_CPU_INFO)) {
        json_null(j, "cpu_info");
        return;
    }
    const struct cpu_summary c = cpu_summary(f);
    json_object_begin(j, "cpu_info");
    json_uint(j, "processors", c.processors);
    if (c.has_model)
        json_string_n(j, "model_name", c.model.data, c.model.len);
    else
        json_null(j, "model_name");
    json_fields(j, "fields", f, DMP_STREAM_LINUX_CPU_INFO);
    json_object_end(j);
}

void json_linux_maps(struct json *j, const char *key, const dmp_file *f)
{
    if (!has_stream(f, DMP_STREAM_LINUX_MAPS)) {
        json_null(j, key);
        return;
    }
    json_array_begin(j, key);
    dmp_linux_map m;
    for (size_t i = 0; dmp_linux_map_get(f, i, &m) == DMP_OK; i++) {
        char dev[24];
        snprintf(dev, sizeof dev, "%02" PRIx32 ":%02" PRIx32, m.dev_major, m.dev_minor);
        json_object_begin_compact(j, NULL);
        json_hex(j, "base", m.base);
        json_hex_end(j, "end", m.base, m.size);
        json_uint(j, "size", m.size);
        json_string(j, "perms", m.perms);
        json_hex(j, "offset", m.offset);
        json_string(j, "dev", dev);
        json_uint(j, "inode", m.inode);
        json_string_n(j, "path", m.path.data, m.path.len);
        json_object_end(j);
    }
    json_array_end(j);
}

static void json_auxv(struct json *j, const dmp_file *f)
{
    if (!has_stream(f, DMP_STREAM_LINUX_AUXV)) {
        json_null(j, "auxv");
        return;
    }
    json_array_begin(j, "auxv");
    uint64_t type, value;
    for (size_t i = 0; dmp_auxv_get(f, i, &type, &value) == DMP_OK; i++) {
        json_object_begin_compact(j, NULL);
        json_uint(j, "type", type);
        json_string(j, "name", dmp_auxv_type_name(type));
        json_hex(j, "value", value);
        json_object_end(j);
    }
    json_array_end(j);
}

static void json_dso_debug(struct json *j, const dmp_file *f)
{
    dmp_linux_debug d;
    if (dmp_get_linux_debug(f, &d) != DMP_OK) {
        json_null(j, "r_debug");
    } else {
        json_object_begin(j, "r_debug");
        json_uint(j, "version", d.version);
        json_hex(j, "map_rva", d.map_rva);
        json_uint(j, "dso_count", d.dso_count);
        json_hex(j, "brk", d.brk);
        json_hex(j, "ldbase", d.ldbase);
        json_hex(j, "dynamic", d.dynamic);
        json_object_end(j);
    }
    if (!has_stream(f, DMP_STREAM_LINUX_DSO_DEBUG)) {
        json_null(j, "dsos");
        return;
    }
    json_array_begin(j, "dsos");
    dmp_linux_dso o;
    for (size_t i = 0; dmp_linux_dso_get(f, i, &o) == DMP_OK; i++) {
        json_object_begin_compact(j, NULL);
        json_hex(j, "addr", o.addr);
        json_hex(j, "ld", o.ld);
        json_string(j, "name", o.name);
        json_object_end(j);
    }
    json_array_end(j);
}

static void json_linux(struct json *j, const dmp_file *f)
{
    dmp_text d;
    json_items(j, "command_line", f, DMP_STREAM_LINUX_CMD_LINE);
    json_items(j, "environment", f, DMP_STREAM_LINUX_ENVIRON);
    if (distribution(f, &d))
        json_string_n(j, "distribution", d.data, d.len);
    else
        json_null(j, "distribution");
    json_string(j, "kernel", kernel_of(f));
    json_fields(j, "lsb_release", f, DMP_STREAM_LINUX_LSB_RELEASE);
    json_fields(j, "proc_status", f, DMP_STREAM_LINUX_PROC_STATUS);
    json_cpu_info(j, f);
    json_linux_maps(j, "maps", f);
    json_auxv(j, f);
    json_dso_debug(j, f);
}

int cmd_linux(struct run *r)
{
    doc_begin(r);
    if (r->a->json) {
        json_linux(&r->j, r->f);
        return doc_end(r, EXIT_SUCCESS, true);
    }
    if (!any_linux_stream(r->f))
        printf("no Linux streams: the dump has none of Breakpad's LinuxCpuInfo .. "
               "LinuxDsoDebug streams\n");
    else
        print_linux(r->f);
    return doc_end(r, EXIT_SUCCESS, true);
}
