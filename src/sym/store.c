/* store.c - symbol folders in Breakpad's layout, opened lazily and remembered per module.
 * SPDX-License-Identifier: MIT
 *
 * A module's file is <dir>/<debug file>/<debug id>/<debug file less .pdb>.sym, as Breakpad's
 * SimpleSymbolSupplier lays it out, else the same with the code file and code id. Names come
 * from a dump, which is hostile input: only the last component of a path is used, and a name
 * or id that is empty, "." or "..", or holds a path separator, is never looked up.
 */
#include "sym.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct store_entry {
    char *key; /* debug file, id, code file, code id, joined by '\n' */
    dmp_sym_state state;
    dmp_symfile *file;
    char *path;
};

struct dmp_symstore {
    pthread_mutex_t lock;
    char **dirs;
    size_t dir_count;
    struct store_entry *entries;
    size_t entry_count;
    size_t entry_cap;
};

dmp_status dmp_symstore_new(dmp_symstore **out)
{
    if (!out)
        return DMP_E_INVALID_ARG;
    dmp_symstore *const st = calloc(1, sizeof *st);
    if (!st)
        return DMP_E_NOMEM;
    if (pthread_mutex_init(&st->lock, NULL) != 0) {
        free(st);
        return DMP_E_NOMEM;
    }
    *out = st;
    return DMP_OK;
}

static char *dup_str(const char *s)
{
    const size_t n = strlen(s) + 1;
    char *const d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

dmp_status dmp_symstore_add_dir(dmp_symstore *st, const char *dir)
{
    if (!st || !dir || !*dir)
        return DMP_E_INVALID_ARG;
    char *const copy = dup_str(dir);
    if (!copy)
        return DMP_E_NOMEM;
    pthread_mutex_lock(&st->lock);
    char **const dirs = realloc(st->dirs, (st->dir_count + 1) * sizeof *dirs);
    if (dirs) {
        dirs[st->dir_count++] = copy;
        st->dirs = dirs;
    }
    pthread_mutex_unlock(&st->lock);
    if (!dirs) {
        free(copy);
        return DMP_E_NOMEM;
    }
    return DMP_OK;
}

void dmp_symstore_free(dmp_symstore *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->entry_count; i++) {
        dmp_sym_close(st->entries[i].file);
        free(st->entries[i].key);
        free(st->entries[i].path);
    }
    for (size_t i = 0; i < st->dir_count; i++)
        free(st->dirs[i]);
    free(st->entries);
    free(st->dirs);
    pthread_mutex_destroy(&st->lock);
    free(st);
}

/* The last component of a Windows or POSIX path. */
static const char *base_name(const char *path)
{
    const char *b = path;
    for (const char *p = path; *p; p++)
        if (*p == '/' || *p == '\\')
            b = p + 1;
    return b;
}

static bool usable_component(const char *s)
{
    if (!s || !*s || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return false;
    return strpbrk(s, "/\\") == NULL;
}

/* "<file less .pdb>.sym": the .pdb suffix in any case, as symbol stores hold both. */
static size_t stem_len(const char *file)
{
    const size_t n = strlen(file);
    if (n > 4 && file[n - 4] == '.' && (file[n - 3] | 0x20) == 'p' && (file[n - 2] | 0x20) == 'd' &&
        (file[n - 1] | 0x20) == 'b')
        return n - 4;
    return n;
}

/* Tries every folder for one (file, id) pair; the first that opens wins. */
static dmp_sym_state search(dmp_symstore *st, const char *file, const char *id,
                            struct store_entry *e)
{
    dmp_sym_state state = DMP_SYM_MISSING;
    if (!usable_component(file) || !usable_component(id))
        return state;
    for (size_t i = 0; i < st->dir_count; i++) {
        const int need = snprintf(NULL, 0, "%s/%s/%s/%.*s.sym", st->dirs[i], file, id,
                                  (int)stem_len(file), file);
        if (need < 0)
            continue;
        char *const path = malloc((size_t)need + 1);
        if (!path)
            return DMP_SYM_CORRUPT;
        snprintf(path, (size_t)need + 1, "%s/%s/%s/%.*s.sym", st->dirs[i], file, id,
                 (int)stem_len(file), file);
        dmp_symfile *s;
        const dmp_status rc = dmp_sym_open(path, &s, NULL);
        if (rc == DMP_OK) {
            e->file = s;
            e->path = path;
            return DMP_SYM_FOUND;
        }
        if (rc != DMP_E_IO) /* it is there but unreadable: remember, look further */
            state = DMP_SYM_CORRUPT;
        free(path);
    }
    return state;
}

static char *make_key(const char *const parts[4])
{
    size_t n = 4;
    for (int i = 0; i < 4; i++)
        n += strlen(parts[i]);
    char *const key = malloc(n);
    if (!key)
        return NULL;
    char *p = key;
    for (int i = 0; i < 4; i++) {
        const size_t len = strlen(parts[i]);
        memcpy(p, parts[i], len);
        p += len;
        *p++ = i < 3 ? '\n' : '\0';
    }
    return key;
}

static struct store_entry *find_entry(dmp_symstore *st, const char *key)
{
    for (size_t i = 0; i < st->entry_count; i++)
        if (strcmp(st->entries[i].key, key) == 0)
            return &st->entries[i];
    return NULL;
}

/* Looks the module up and remembers the answer; the lock is held. */
static dmp_status resolve_locked(dmp_symstore *st, const char *const parts[4],
                                 struct store_entry **out)
{
    char *const key = make_key(parts);
    if (!key)
        return DMP_E_NOMEM;
    struct store_entry *e = find_entry(st, key);
    if (e) {
        free(key);
        *out = e;
        return DMP_OK;
    }
    if (st->entry_count == st->entry_cap) {
        const size_t cap = st->entry_cap ? st->entry_cap * 2 : 16;
        struct store_entry *const grown = realloc(st->entries, cap * sizeof *grown);
        if (!grown) {
            free(key);
            return DMP_E_NOMEM;
        }
        st->entries = grown;
        st->entry_cap = cap;
    }
    e = &st->entries[st->entry_count++];
    *e = (struct store_entry){key, DMP_SYM_NO_ID, NULL, NULL};
    const bool by_debug = *parts[0] && *parts[1];
    const bool by_code = *parts[2] && *parts[3];
    if (by_debug || by_code)
        e->state = DMP_SYM_MISSING;
    if (by_debug)
        e->state = search(st, parts[0], parts[1], e);
    if (e->state != DMP_SYM_FOUND && by_code) {
        const dmp_sym_state s2 = search(st, parts[2], parts[3], e);
        if (s2 == DMP_SYM_FOUND || e->state == DMP_SYM_MISSING)
            e->state = s2;
    }
    *out = e;
    return DMP_OK;
}

dmp_status dmp_symstore_get(dmp_symstore *st, const char *debug_file, const char *debug_id,
                            const char *code_file, const char *code_id, const dmp_symfile **out,
                            const char **path, dmp_sym_state *state)
{
    if (!st || !out)
        return DMP_E_INVALID_ARG;
    const char *const parts[4] = {debug_file ? base_name(debug_file) : "", debug_id ? debug_id : "",
                                  code_file ? base_name(code_file) : "", code_id ? code_id : ""};
    pthread_mutex_lock(&st->lock);
    struct store_entry *e = NULL;
    const dmp_status rc = resolve_locked(st, parts, &e);
    dmp_sym_state s = DMP_SYM_MISSING;
    const dmp_symfile *file = NULL;
    const char *where = NULL;
    if (rc == DMP_OK) {
        s = e->state;
        file = e->file;
        where = e->path;
    }
    pthread_mutex_unlock(&st->lock);
    if (rc != DMP_OK)
        return rc;
    if (state)
        *state = s;
    if (s != DMP_SYM_FOUND)
        return DMP_E_NOT_FOUND;
    *out = file;
    if (path)
        *path = where;
    return DMP_OK;
}

dmp_status dmp_symstore_get_module(dmp_symstore *st, const dmp_module *m, const dmp_symfile **out,
                                   const char **path, dmp_sym_state *state)
{
    if (!st || !m || !out)
        return DMP_E_INVALID_ARG;
    /* ELF modules have no PDB name: Breakpad names their symbols after the module file. */
    const char *const debug_file = m->pdb_name && *m->pdb_name ? m->pdb_name : m->name;
    return dmp_symstore_get(st, debug_file, m->debug_id, m->name, m->code_id, out, path, state);
}

const char *dmp_sym_state_name(dmp_sym_state state)
{
    switch (state) {
    case DMP_SYM_FOUND:
        return "found";
    case DMP_SYM_MISSING:
        return "missing";
    case DMP_SYM_CORRUPT:
        return "corrupt";
    case DMP_SYM_NO_ID:
        return "no-id";
    }
    return "unknown";
}
