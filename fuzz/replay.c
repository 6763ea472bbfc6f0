/* replay.c - runs the fuzz harness over files and folders without libFuzzer, so that ctest
 * replays the corpus on every build, with any compiler.
 * SPDX-License-Identifier: MIT
 *
 * usage: fuzz_<harness>_replay PATH...
 * Folders are walked recursively, entries in name order. Each input is read into a buffer of
 * exactly its size (so ASan sees any overread) and its path printed before it runs, so a
 * crash names its input. Messages carry the program's own name (fuzz_open_replay,
 * fuzz_walk_replay, ...). Exits 1 when a path cannot be read or no input was found.
 */
#define _POSIX_C_SOURCE 200809L /* opendir, stat, strdup: this program only, not the library */

#include "harness.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The program's name, for messages: argv[0] less its folders. */
static const char *prog = "replay";

/* Paths still to visit, used as a stack: no recursion however deep the folders. */
struct todo {
    char **paths;
    size_t len;
    size_t cap;
};

static bool push(struct todo *t, char *path)
{
    if (!path)
        return false;
    if (t->len == t->cap) {
        const size_t cap = t->cap ? 2 * t->cap : 64;
        char **const paths = realloc(t->paths, cap * sizeof *paths);
        if (!paths) {
            free(path);
            return false;
        }
        t->paths = paths;
        t->cap = cap;
    }
    t->paths[t->len++] = path;
    return true;
}

static char *join(const char *dir, const char *name)
{
    const size_t a = strlen(dir), b = strlen(name);
    char *const path = malloc(a + b + 2);
    if (path) {
        memcpy(path, dir, a);
        path[a] = '/';
        memcpy(path + a + 1, name, b + 1);
    }
    return path;
}

/* Descending, so that popping the stack yields names in ascending order. */
static int compare_desc(const void *a, const void *b)
{
    return strcmp(*(char *const *)b, *(char *const *)a);
}

static bool push_folder(struct todo *t, const char *dir)
{
    DIR *const d = opendir(dir);
    if (!d) {
        fprintf(stderr, "%s: %s: %s\n", prog, dir, strerror(errno));
        return false;
    }
    const size_t first = t->len;
    bool ok = true;
    for (const struct dirent *e; ok && (e = readdir(d)) != NULL;)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            ok = push(t, join(dir, e->d_name));
    closedir(d);
    qsort(t->paths + first, t->len - first, sizeof *t->paths, compare_desc);
    return ok;
}

static bool run_file(const char *path, size_t size)
{
    FILE *const fp = fopen(path, "rb");
    uint8_t *const data = malloc(size ? size : 1);
    const bool ok = fp && data && fread(data, 1, size, fp) == size;
    if (fp)
        fclose(fp);
    if (ok) {
        printf("%s\n", path);
        fflush(stdout);
        LLVMFuzzerTestOneInput(data, size);
    } else {
        fprintf(stderr, "%s: cannot read %s\n", prog, path);
    }
    free(data);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc > 0 && argv[0] && *argv[0]) {
        const char *const slash = strrchr(argv[0], '/');
        prog = slash ? slash + 1 : argv[0];
    }
    struct todo t = {NULL, 0, 0};
    bool ok = true;
    for (int i = argc - 1; i >= 1 && ok; i--)
        ok = push(&t, strdup(argv[i]));
    size_t ran = 0;
    while (t.len > 0) {
        char *const path = t.paths[--t.len];
        struct stat st;
        if (stat(path, &st) != 0) {
            fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
            ok = false;
        } else if (S_ISDIR(st.st_mode)) {
            ok = push_folder(&t, path) && ok;
        } else if (S_ISREG(st.st_mode)) {
            const bool read = run_file(path, (size_t)st.st_size);
            ok = read && ok;
            ran += read;
        }
        free(path);
    }
    free(t.paths);
    printf("%s: ran %zu inputs\n", prog, ran);
    if (ran == 0)
        fprintf(stderr, "%s: no inputs found\n", prog);
    return ok && ran > 0 ? 0 : 1;
}
