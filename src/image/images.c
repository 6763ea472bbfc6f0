/* images.c - a dump's module images: found in the dump's memory or in folders of module files,
 * checked against the module's id, and remembered per module.
 * SPDX-License-Identifier: MIT
 *
 * Names come from the dump, which is hostile input: only the last component of a module's
 * path is used, and a name or code id that is empty, "." or "..", or holds a separator, is
 * never joined to a folder. A file is used only when its id is the module's (PE: TimeDateStamp
 * and SizeOfImage; ELF: the build id); every file rejected on the way is named in `why`.
 */
#define _DEFAULT_SOURCE /* strcasecmp, opendir */
#include "elf.h"
#include "image.h"

#include <dirent.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define WHY_MAX 512

struct entry {
    bool searched;
    struct dmpi_modimage img;
    struct dmpi_source file; /* the mapped file, for DMP_IMAGE_FILE */
    char *path;
    const char *format;
    char why[WHY_MAX];
};

struct dmp_images {
    const dmp_file *f;
    dmp_memory mem;
    bool use_dump;
    char **dirs;
    size_t dir_count;
    pthread_mutex_t lock;
    struct entry *mods;
    size_t mod_count;
};

dmp_status dmp_images_new(const dmp_file *f, dmp_images **out)
{
    if (!f || !out)
        return DMP_E_INVALID_ARG;
    dmp_images *const im = calloc(1, sizeof *im);
    if (!im)
        return DMP_E_NOMEM;
    im->f = f;
    im->mem = dmp_memory_of(f);
    im->use_dump = true;
    im->mod_count = dmp_module_count(f);
    im->mods = calloc(im->mod_count ? im->mod_count : 1, sizeof *im->mods);
    if (!im->mods || pthread_mutex_init(&im->lock, NULL) != 0) {
        free(im->mods);
        free(im);
        return DMP_E_NOMEM;
    }
    *out = im;
    return DMP_OK;
}

dmp_status dmp_images_add_dir(dmp_images *im, const char *dir)
{
    if (!im || !dir || !*dir)
        return DMP_E_INVALID_ARG;
    const size_t n = strlen(dir) + 1;
    char *const copy = malloc(n);
    char **const dirs = copy ? realloc(im->dirs, (im->dir_count + 1) * sizeof *dirs) : NULL;
    if (!dirs) {
        free(copy);
        return DMP_E_NOMEM;
    }
    memcpy(copy, dir, n);
    im->dirs = dirs;
    im->dirs[im->dir_count++] = copy;
    return DMP_OK;
}

void dmp_images_use_dump(dmp_images *im, int on)
{
    if (im)
        im->use_dump = on != 0;
}

void dmp_images_set_memory(dmp_images *im, dmp_memory mem)
{
    if (im && mem.read)
        im->mem = mem;
}

static void entry_free(struct entry *e)
{
    if (e->img.is_pe)
        dmpi_pe_close(&e->img.pe);
    dmpi_elf_free(e->img.elf);
    dmpi_source_close(&e->file);
    free(e->path);
}

void dmp_images_free(dmp_images *im)
{
    if (!im)
        return;
    for (size_t i = 0; i < im->mod_count; i++)
        entry_free(&im->mods[i]);
    for (size_t i = 0; i < im->dir_count; i++)
        free(im->dirs[i]);
    free(im->dirs);
    free(im->mods);
    pthread_mutex_destroy(&im->lock);
    free(im);
}

/* Appends "; " and a formatted reason to e->why (cut short when full). */
static void add_why(struct entry *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add_why(struct entry *e, const char *fmt, ...)
{
    size_t n = strlen(e->why);
    if (n && n + 2 < sizeof e->why) {
        memcpy(e->why + n, "; ", 3);
        n += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->why + n, sizeof e->why - n, fmt, ap);
    va_end(ap);
}

static bool useful_pe(const struct dmpi_pe *pe)
{
    return pe->pdata_size >= 12 || pe->export_count > 0;
}

/* The module's image in the dump's memory: its headers there, naming the module's size, and
 * its exception directory readable. */
static bool try_dump(dmp_images *im, const dmp_module *m, struct entry *e)
{
    char why[160];
    struct dmpi_pe pe;
    if (dmpi_pe_open_dump(&pe, im->mem, m->base, why, sizeof why) != DMP_OK) {
        if (strncmp(why, "no DOS header", 13) == 0)
            add_why(e, "not in the dump's memory");
        else
            add_why(e, "dump memory: %s", why);
        return false;
    }
    uint8_t probe[12];
    const char *bad = NULL;
    if (pe.image_size != m->size || (m->timestamp && pe.timestamp != m->timestamp))
        bad = "its headers name another image";
    else if (pe.pdata_size >= 12 && !dmpi_pe_read(&pe, pe.pdata_rva, probe, sizeof probe))
        bad = "the exception directory is not captured";
    else if (!useful_pe(&pe))
        bad = "no unwind data or exports";
    if (bad) {
        add_why(e, "dump memory: %s", bad);
        dmpi_pe_close(&pe);
        return false;
    }
    e->img.source = DMP_IMAGE_DUMP;
    e->img.is_pe = true;
    e->img.pe = pe;
    e->format = pe.pe32plus ? "PE32+" : "PE32";
    return true;
}

static void hex(char *out, size_t cap, const uint8_t *b, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 3 <= cap; i++, k += 2)
        snprintf(out + k, 3, "%02x", b[i]);
    if (cap)
        out[k < cap ? k : cap - 1] = '\0';
}

/* A file that may be the module's image: used when its id is the module's. */
static bool try_file(const dmp_module *m, const char *path, struct entry *e)
{
    dmp_error err;
    struct dmpi_source src;
    if (dmpi_source_open_path(&src, path, (uint64_t)1 << 30, NULL, NULL, &err) != DMP_OK)
        return false; /* not there: nothing to report */
    const uint8_t *const d = src.bytes.data;
    const size_t len = (size_t)src.bytes.len;
    char why[160];
    if (len >= 2 && d[0] == 'M' && d[1] == 'Z') {
        struct dmpi_pe pe;
        if (dmpi_pe_open_file(&pe, d, len, m->base, why, sizeof why) != DMP_OK) {
            add_why(e, "%s: %s", path, why);
        } else if (pe.image_size != m->size || (m->timestamp && pe.timestamp != m->timestamp)) {
            add_why(e, "%s: TimeDateStamp and SizeOfImage %08x %x are not the module's %08x %llx",
                    path, (unsigned)pe.timestamp, (unsigned)pe.image_size, (unsigned)m->timestamp,
                    (unsigned long long)m->size);
            dmpi_pe_close(&pe);
        } else {
            e->img = (struct dmpi_modimage){.source = DMP_IMAGE_FILE, .is_pe = true, .pe = pe};
            e->format = pe.pe32plus ? "PE32+" : "PE32";
            goto used;
        }
    } else if (len >= 4 && memcmp(d, "\177ELF", 4) == 0) {
        struct dmpi_elf *elf = NULL;
        const uint8_t *id;
        size_t id_len;
        if (dmpi_elf_open(d, len, &elf, why, sizeof why) != DMP_OK) {
            add_why(e, "%s: %s", path, why);
        } else if (m->build_id_len &&
                   (!dmpi_elf_build_id(elf, &id, &id_len) || id_len != m->build_id_len ||
                    memcmp(id, m->build_id, id_len) != 0)) {
            char want[65], got[65] = "none";
            hex(want, sizeof want, m->build_id, m->build_id_len);
            if (dmpi_elf_build_id(elf, &id, &id_len))
                hex(got, sizeof got, id, id_len);
            add_why(e, "%s: build id %s is not the module's %s", path, got, want);
            dmpi_elf_free(elf);
        } else {
            if (!m->build_id_len)
                add_why(e, "%s: used unchecked, the dump gives the module no build id", path);
            e->img = (struct dmpi_modimage){
                .source = DMP_IMAGE_FILE, .elf = elf, .bias = m->base - dmpi_elf_load_vaddr(elf)};
            e->format = elf->is64 ? "ELF64" : "ELF32";
            goto used;
        }
    } else {
        add_why(e, "%s: neither a PE nor an ELF file", path);
    }
    dmpi_source_close(&src);
    return false;
used:
    e->file = src;
    const size_t n = strlen(path) + 1;
    e->path = malloc(n);
    if (e->path)
        memcpy(e->path, path, n);
    return true;
}

/* The last component of a module's path, when it is safe to join to a folder. */
static bool safe_name(const char *s, const char **name)
{
    const char *p = s;
    for (const char *q = s; *q; q++)
        if (*q == '/' || *q == '\\')
            p = q + 1;
    if (!*p || strcmp(p, ".") == 0 || strcmp(p, "..") == 0)
        return false;
    *name = p;
    return true;
}

static bool safe_component(const char *s)
{
    return *s && strcmp(s, ".") != 0 && strcmp(s, "..") != 0 && !strchr(s, '/') && !strchr(s, '\\');
}

static bool try_path(const dmp_module *m, struct entry *e, const char *a, const char *b,
                     const char *c, const char *d)
{
    char path[4096];
    const int n = d ? snprintf(path, sizeof path, "%s/%s/%s/%s", a, b, c, d)
                    : snprintf(path, sizeof path, "%s/%s", a, b);
    return n > 0 && (size_t)n < sizeof path && try_file(m, path, e);
}

static void search(dmp_images *im, size_t i, struct entry *e)
{
    dmp_module m;
    e->searched = true;
    e->img.source = DMP_IMAGE_NONE;
    e->format = "";
    if (dmp_module_get(im->f, i, &m) != DMP_OK) {
        add_why(e, "the module cannot be read");
        return;
    }
    if (im->use_dump && try_dump(im, &m, e))
        return;
    const char *name;
    if (!safe_name(m.name ? m.name : "", &name)) {
        add_why(e, "the module's name gives no file name");
        return;
    }
    const bool id_ok = m.code_id && safe_component(m.code_id);
    for (size_t k = 0; k < im->dir_count; k++) {
        const char *const dir = im->dirs[k];
        if (try_path(&m, e, dir, name, NULL, NULL) ||
            (id_ok && try_path(&m, e, dir, name, m.code_id, name)))
            return;
        /* Windows names are case-blind: kernel32.dll for KERNEL32.DLL. */
        DIR *const dh = opendir(dir);
        if (!dh)
            continue;
        bool found = false;
        for (struct dirent *de; !found && (de = readdir(dh));)
            found = strcasecmp(de->d_name, name) == 0 && strcmp(de->d_name, name) != 0 &&
                    try_path(&m, e, dir, de->d_name, NULL, NULL);
        closedir(dh);
        if (found)
            return;
    }
    if (im->dir_count)
        add_why(e, "no usable %s in the image folders", name);
}

const struct dmpi_modimage *dmpi_images_get(dmp_images *im, size_t module)
{
    if (!im || module >= im->mod_count)
        return NULL;
    struct entry *const e = &im->mods[module];
    pthread_mutex_lock(&im->lock);
    if (!e->searched)
        search(im, module, e);
    pthread_mutex_unlock(&im->lock);
    return e->img.source == DMP_IMAGE_DUMP || e->img.source == DMP_IMAGE_FILE ? &e->img : NULL;
}

dmp_status dmp_images_module(dmp_images *im, size_t module_index, int search_now,
                             dmp_image_info *out)
{
    if (!im || !out)
        return DMP_E_INVALID_ARG;
    if (module_index >= im->mod_count)
        return DMP_E_NOT_FOUND;
    struct entry *const e = &im->mods[module_index];
    pthread_mutex_lock(&im->lock);
    if (!e->searched && search_now)
        search(im, module_index, e);
    const struct dmpi_modimage *const g = &e->img;
    *out = (dmp_image_info){.source = e->searched ? g->source : DMP_IMAGE_UNSEARCHED,
                            .path = e->path ? e->path : "",
                            .format = e->format ? e->format : "",
                            .why = e->why};
    if (g->source == DMP_IMAGE_DUMP || g->source == DMP_IMAGE_FILE) {
        if (g->is_pe) {
            out->has_unwind = g->pe.pdata_size >= 12;
            out->has_names = g->pe.export_count > 0;
        } else if (g->elf) {
            out->has_unwind = dmpi_elf_has_cfi(g->elf);
            out->has_names = g->elf->symtab.count > 0 || g->elf->dynsym.count > 0;
        }
    }
    pthread_mutex_unlock(&im->lock);
    return DMP_OK;
}

const char *dmp_image_source_name(dmp_image_source source)
{
    switch (source) {
    case DMP_IMAGE_UNSEARCHED:
        return "unsearched";
    case DMP_IMAGE_NONE:
        return "none";
    case DMP_IMAGE_DUMP:
        return "dump";
    case DMP_IMAGE_FILE:
        return "file";
    }
    return "unknown";
}
