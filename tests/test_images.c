/* test_images.c - module images through the public API: a dump that holds a module's image in
 * its memory (as a full-memory dump does) walks from the image's unwind data and names its
 * frames from the exports; the same module found in a folder by name, case-blind name and a
 * symbol server's layout; files that are not the module's image are passed over and named.
 * SPDX-License-Identifier: MIT */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */

#include "mkpe.h"
#include "suite.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STACK 0x7000ull
#define STACK_SIZE 0x1000u
#define S (STACK + 0x200) /* frame 0's RSP */
#define P (S + 0x100)     /* F2's frame after its prolog */

enum { RBX = 3, RSI = 4, RBP = 6, RSP = 7, RIP = 16 };

static uint8_t pe_file[MKPE_FILE_SIZE], pe_mem[MKPE_IMAGE_SIZE];

static void le64(uint8_t *p, uint64_t v)
{
    mkd_store_u64(p, v);
}

/* The stack of a thread stopped in F1's body (0x1020), called from F2's body (0x1060), whose
 * own return address is 0: the thread's first frame. */
static void build_stack(uint8_t *stack)
{
    memset(stack, 0, STACK_SIZE);
    uint8_t *const s = stack + (S - STACK);
    le64(s + 0x28, 0xb0b0);   /* F1 saved rbx */
    le64(s + 0x30, P + 0x10); /* F1 saved rbp: F2's frame register */
    le64(s + 0x38, MKPE_BASE + 0x1060);
    uint8_t *const p = stack + (P - STACK);
    le64(p + 0x18, 0x5151); /* F2 saved rsi */
    le64(p + 0x20, 0);      /* F2 saved rbp */
    le64(p + 0x28, 0);      /* F2's return address: none */
}

/* A Windows amd64 dump with one module `name` (UTF-16 from ASCII) at MKPE_BASE of `size`
 * bytes, and a Memory64List holding the stack and, with `with_image`, the loaded image. */
static struct mkdump *build_dump(const char *name, uint32_t size, bool with_image)
{
    struct mkdump *const b = mkd_new(0);
    uint8_t si[56] = {0};
    mkd_store_u16(si, 9);      /* AMD64 */
    mkd_store_u32(si + 20, 2); /* Win32NT */
    mkd_add_stream_data(b, DMP_STREAM_SYSTEM_INFO, si, sizeof si);
    uint8_t str[4 + 2 * 64 + 2] = {0};
    const size_t n = strlen(name);
    ck_assert_uint_le(n, 64);
    mkd_store_u32(str, (uint32_t)(2 * n));
    for (size_t i = 0; i < n; i++)
        str[4 + 2 * i] = (uint8_t)name[i];
    const uint32_t name_rva = (uint32_t)mkd_append(b, str, 4 + 2 * n + 2);
    uint8_t list[4 + 108] = {1};
    uint8_t *const m = list + 4;
    mkd_store_u64(m, MKPE_BASE);
    mkd_store_u32(m + 8, size);
    mkd_store_u32(m + 16, MKPE_STAMP);
    mkd_store_u32(m + 20, name_rva);
    mkd_add_stream_data(b, DMP_STREAM_MODULE_LIST, list, sizeof list);
    /* Memory64: the descriptors, then the bytes back to back from BaseRva. */
    uint8_t stack[STACK_SIZE];
    build_stack(stack);
    mkpe_build(pe_file, pe_mem);
    const unsigned count = with_image ? 2 : 1;
    uint8_t desc[16 + 2 * 16] = {0};
    mkd_store_u64(desc, count);
    mkd_store_u64(desc + 16, STACK);
    mkd_store_u64(desc + 24, STACK_SIZE);
    if (with_image) {
        mkd_store_u64(desc + 32, MKPE_BASE);
        mkd_store_u64(desc + 40, MKPE_IMAGE_SIZE);
    }
    const size_t desc_len = 16 + 16 * (size_t)count;
    const uint32_t list_rva = (uint32_t)mkd_append(b, desc, desc_len);
    const uint64_t data_rva = mkd_append(b, stack, sizeof stack);
    if (with_image)
        mkd_append(b, pe_mem, sizeof pe_mem);
    mkd_add_stream(b, DMP_STREAM_MEMORY64_LIST, list_rva, (uint32_t)desc_len);
    size_t len;
    mkd_finish(b, &len);
    mkd_poke_u64(b, list_rva + 8, data_rva);
    return b;
}

static dmp_file *open_dump(struct mkdump *b)
{
    size_t len;
    const uint8_t *const data = mkd_data(b, &len);
    dmp_file *f = NULL;
    ck_assert_int_eq(dmp_open_mem(data, len, &f), DMP_OK);
    return f;
}

static dmp_context context(void)
{
    dmp_context c = {
        .cpu = DMP_CPU_AMD64, .ip = MKPE_BASE + 0x1020, .sp = S, .fp = 0x7777, .reg_count = 5};
    c.regs[0] = (dmp_reg){"rip", MKPE_BASE + 0x1020};
    c.regs[1] = (dmp_reg){"rsp", S};
    c.regs[2] = (dmp_reg){"rbp", 0x7777};
    c.regs[3] = (dmp_reg){"rbx", 0x3333};
    c.regs[4] = (dmp_reg){"rsi", 0x4444};
    return c;
}

static dmp_stack *walk(const dmp_file *f, dmp_images *im, int no_images)
{
    const dmp_context c = context();
    dmp_walk_options o = {.images = im, .no_images = no_images};
    dmp_stack *st = NULL;
    ck_assert_int_eq(dmp_walk_context(f, &c, STACK, STACK_SIZE, &o, &st), DMP_OK);
    return st;
}

static dmp_frame frame_of(const dmp_stack *st, size_t i)
{
    dmp_frame fr;
    ck_assert_int_eq(dmp_stack_frame_get(st, i, &fr), DMP_OK);
    return fr;
}

static bool named(const dmp_frame *fr, const char *want)
{
    return fr->has_function && fr->function.len == strlen(want) &&
           memcmp(fr->function.ptr, want, fr->function.len) == 0;
}

/* The two frames the image's unwind data gives, named from its exports. */
static void expect_unwound(const dmp_stack *st)
{
    ck_assert_uint_eq(dmp_stack_frame_count(st), 2);
    const dmp_frame f0 = frame_of(st, 0), f1 = frame_of(st, 1);
    ck_assert(named(&f0, "Alpha"));
    ck_assert_int_eq(f0.function_source, DMP_NAME_EXPORTS);
    ck_assert_uint_eq(f0.function_address, MKPE_BASE + 0x1000);
    ck_assert_int_eq(f1.trust, DMP_TRUST_UNWIND);
    ck_assert_uint_eq(f1.ip, MKPE_BASE + 0x1060);
    ck_assert_uint_eq(f1.sp, S + 0x40);
    ck_assert_uint_eq(f1.regs.value[RBP], P + 0x10);
    ck_assert_uint_eq(f1.regs.value[RBX], 0xb0b0);
    ck_assert_uint_eq(f1.regs.value[RSI], 0x4444); /* kept: F1 does not save it */
    ck_assert(named(&f1, "Beta"));
    /* F2's return address of 0 is the thread's first frame. */
    ck_assert_int_eq(dmp_stack_end(st), DMP_WALK_IP_LOW);
}

START_TEST(image_in_dump)
{
    struct mkdump *const b = build_dump("C:\\app\\app.exe", MKPE_IMAGE_SIZE, true);
    dmp_file *const f = open_dump(b);
    dmp_images *im;
    ck_assert_int_eq(dmp_images_new(f, &im), DMP_OK);
    dmp_image_info info;
    ck_assert_int_eq(dmp_images_module(im, 0, 0, &info), DMP_OK);
    ck_assert_int_eq(info.source, DMP_IMAGE_UNSEARCHED);
    dmp_stack *st = walk(f, im, 0);
    expect_unwound(st);
    dmp_stack_free(st);
    ck_assert_int_eq(dmp_images_module(im, 0, 0, &info), DMP_OK);
    ck_assert_int_eq(info.source, DMP_IMAGE_DUMP);
    ck_assert_str_eq(info.format, "PE32+");
    ck_assert_str_eq(info.path, "");
    ck_assert(info.has_unwind && info.has_names);
    ck_assert_int_eq(dmp_images_module(im, 1, 1, &info), DMP_E_NOT_FOUND);
    dmp_images_free(im);
    /* Without a set the walk makes its own from the dump; names survive it. */
    st = walk(f, NULL, 0);
    expect_unwound(st);
    dmp_stack_free(st);
    /* With no images: no unwind data, so no such frame. */
    st = walk(f, NULL, 1);
    ck_assert(dmp_stack_frame_count(st) < 2 || frame_of(st, 1).trust != DMP_TRUST_UNWIND);
    ck_assert(!frame_of(st, 0).has_function);
    dmp_stack_free(st);
    /* The dump's memory switched off, and no folder: nothing. */
    ck_assert_int_eq(dmp_images_new(f, &im), DMP_OK);
    dmp_images_use_dump(im, 0);
    st = walk(f, im, 0);
    ck_assert(dmp_stack_frame_count(st) < 2 || frame_of(st, 1).trust != DMP_TRUST_UNWIND);
    dmp_stack_free(st);
    ck_assert_int_eq(dmp_images_module(im, 0, 0, &info), DMP_OK);
    ck_assert_int_eq(info.source, DMP_IMAGE_NONE);
    dmp_images_free(im);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* A module whose listed size is not the image's SizeOfImage: the headers in memory are some
 * other image's (or the list is wrong), and are not used. */
START_TEST(image_in_dump_mismatch)
{
    struct mkdump *const b = build_dump("app.exe", MKPE_IMAGE_SIZE + 0x1000, true);
    dmp_file *const f = open_dump(b);
    dmp_images *im;
    ck_assert_int_eq(dmp_images_new(f, &im), DMP_OK);
    dmp_image_info info;
    ck_assert_int_eq(dmp_images_module(im, 0, 1, &info), DMP_OK);
    ck_assert_int_eq(info.source, DMP_IMAGE_NONE);
    ck_assert_ptr_nonnull(strstr(info.why, "another image"));
    dmp_images_free(im);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* ---- Folders ------------------------------------------------------------------------------ */

static char root[256];

static void make_dir(const char *path)
{
    ck_assert_msg(mkdir(path, 0700) == 0, "mkdir %s", path);
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *const fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(data, 1, len, fp), len);
    ck_assert_int_eq(fclose(fp), 0);
}

static void setup(void)
{
    const char *const tmp = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/dmpread-images-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(root));
}

static void remove_tree(const char *path)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    ck_assert_int_eq(system(cmd), 0);
}

static void teardown(void)
{
    remove_tree(root);
}

/* Looks for the module of a dump without its image in memory in folder `dir`; returns the
 * report, and the walk through *st when st is not NULL. */
static dmp_image_info search_in(const dmp_file *f, const char *dir, dmp_images **im, dmp_stack **st)
{
    ck_assert_int_eq(dmp_images_new(f, im), DMP_OK);
    ck_assert_int_eq(dmp_images_add_dir(*im, dir), DMP_OK);
    if (st)
        *st = walk(f, *im, 0);
    dmp_image_info info;
    ck_assert_int_eq(dmp_images_module(*im, 0, 1, &info), DMP_OK);
    return info;
}

START_TEST(found_in_folders)
{
    struct mkdump *const b = build_dump("C:\\Program Files\\App\\APP.EXE", MKPE_IMAGE_SIZE, false);
    dmp_file *const f = open_dump(b);
    char dir[512], path[700];
    dmp_images *im;
    dmp_stack *st;
    /* By name, case-blind: app.exe for APP.EXE. */
    snprintf(dir, sizeof dir, "%s/plain", root);
    make_dir(dir);
    snprintf(path, sizeof path, "%s/app.exe", dir);
    write_file(path, pe_file, sizeof pe_file);
    dmp_image_info info = search_in(f, dir, &im, &st);
    ck_assert_int_eq(info.source, DMP_IMAGE_FILE);
    ck_assert_str_eq(info.path, path);
    ck_assert_str_eq(info.format, "PE32+");
    expect_unwound(st);
    dmp_stack_free(st);
    dmp_images_free(im);
    /* A symbol server's layout: APP.EXE/<TimeDateStamp><SizeOfImage>/APP.EXE. */
    dmp_module m;
    ck_assert_int_eq(dmp_module_get(f, 0, &m), DMP_OK);
    ck_assert_str_eq(m.code_id, "5F5E12343000");
    snprintf(dir, sizeof dir, "%s/server", root);
    make_dir(dir);
    snprintf(path, sizeof path, "%s/APP.EXE", dir);
    make_dir(path);
    snprintf(path, sizeof path, "%s/APP.EXE/%s", dir, m.code_id);
    make_dir(path);
    snprintf(path, sizeof path, "%s/APP.EXE/%s/APP.EXE", dir, m.code_id);
    write_file(path, pe_file, sizeof pe_file);
    info = search_in(f, dir, &im, &st);
    ck_assert_int_eq(info.source, DMP_IMAGE_FILE);
    ck_assert_str_eq(info.path, path);
    expect_unwound(st);
    dmp_stack_free(st);
    dmp_images_free(im);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

START_TEST(wrong_files_passed_over)
{
    struct mkdump *const b = build_dump("app.exe", MKPE_IMAGE_SIZE, false);
    dmp_file *const f = open_dump(b);
    char dir[512], path[700];
    dmp_images *im;
    dmp_stack *st;
    /* Another build of the program: its TimeDateStamp differs. */
    uint8_t other[MKPE_FILE_SIZE];
    memcpy(other, pe_file, sizeof other);
    other[0x48] ^= 1;
    snprintf(dir, sizeof dir, "%s/other", root);
    make_dir(dir);
    snprintf(path, sizeof path, "%s/app.exe", dir);
    write_file(path, other, sizeof other);
    dmp_image_info info = search_in(f, dir, &im, &st);
    ck_assert_int_eq(info.source, DMP_IMAGE_NONE);
    ck_assert_ptr_nonnull(strstr(info.why, path));
    ck_assert_ptr_nonnull(strstr(info.why, "TimeDateStamp and SizeOfImage 5f5e1235 3000"));
    ck_assert(dmp_stack_frame_count(st) < 2 || frame_of(st, 1).trust != DMP_TRUST_UNWIND);
    ck_assert(!frame_of(st, 0).has_function); /* no names from the wrong file either */
    dmp_stack_free(st);
    dmp_images_free(im);
    /* Not an image at all. */
    snprintf(dir, sizeof dir, "%s/text", root);
    make_dir(dir);
    snprintf(path, sizeof path, "%s/app.exe", dir);
    write_file(path, "not a program\n", 14);
    info = search_in(f, dir, &im, NULL);
    ck_assert_int_eq(info.source, DMP_IMAGE_NONE);
    ck_assert_ptr_nonnull(strstr(info.why, "neither a PE nor an ELF file"));
    dmp_images_free(im);
    /* Damaged headers: the reason names the offset. */
    uint8_t bad[MKPE_FILE_SIZE];
    memcpy(bad, pe_file, sizeof bad);
    bad[0x40] = 'X';
    snprintf(dir, sizeof dir, "%s/bad", root);
    make_dir(dir);
    snprintf(path, sizeof path, "%s/app.exe", dir);
    write_file(path, bad, sizeof bad);
    info = search_in(f, dir, &im, NULL);
    ck_assert_int_eq(info.source, DMP_IMAGE_NONE);
    ck_assert_ptr_nonnull(strstr(info.why, "no PE signature at 0x40"));
    dmp_images_free(im);
    /* An empty folder: the module was looked for and not found. */
    snprintf(dir, sizeof dir, "%s/empty", root);
    make_dir(dir);
    info = search_in(f, dir, &im, NULL);
    ck_assert_int_eq(info.source, DMP_IMAGE_NONE);
    ck_assert_ptr_nonnull(strstr(info.why, "no usable app.exe"));
    dmp_images_free(im);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

/* Names from a dump are hostile: one that is no file name is never joined to a folder. */
START_TEST(hostile_names)
{
    static const char *const names[] = {"..", "C:\\x\\..", "dir/", ""};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        struct mkdump *const b = build_dump(names[i], MKPE_IMAGE_SIZE, false);
        dmp_file *const f = open_dump(b);
        dmp_images *im;
        const dmp_image_info info = search_in(f, root, &im, NULL);
        ck_assert_int_eq(info.source, DMP_IMAGE_NONE);
        ck_assert_msg(strstr(info.why, "gives no file name"), "'%s': %s", names[i], info.why);
        dmp_images_free(im);
        dmp_close(f);
        mkd_free(b);
    }
}
END_TEST

START_TEST(bad_arguments)
{
    dmp_images *im = NULL;
    ck_assert_int_eq(dmp_images_new(NULL, &im), DMP_E_INVALID_ARG);
    struct mkdump *const b = build_dump("app.exe", MKPE_IMAGE_SIZE, false);
    dmp_file *const f = open_dump(b);
    ck_assert_int_eq(dmp_images_new(f, NULL), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_images_new(f, &im), DMP_OK);
    ck_assert_int_eq(dmp_images_add_dir(im, ""), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_images_add_dir(im, NULL), DMP_E_INVALID_ARG);
    ck_assert_int_eq(dmp_images_module(im, 0, 0, NULL), DMP_E_INVALID_ARG);
    ck_assert_str_eq(dmp_image_source_name(DMP_IMAGE_FILE), "file");
    ck_assert_str_eq(dmp_frame_trust_name(DMP_TRUST_UNWIND), "unwind_info");
    dmp_images_use_dump(NULL, 0);
    dmp_images_free(im);
    dmp_images_free(NULL);
    dmp_close(f);
    mkd_free(b);
}
END_TEST

int main(void)
{
    Suite *const s = suite_create("images");
    TCase *const tc = tcase_create("images");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, image_in_dump);
    tcase_add_test(tc, image_in_dump_mismatch);
    tcase_add_test(tc, found_in_folders);
    tcase_add_test(tc, wrong_files_passed_over);
    tcase_add_test(tc, hostile_names);
    tcase_add_test(tc, bad_arguments);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
