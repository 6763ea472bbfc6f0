/* jsoncheck.c - a strict RFC 8259 validator for the CLI tests: exits 1 on anything invalid.
 * SPDX-License-Identifier: MIT
 *
 * usage: jsoncheck [--dmpread] [FILE...]     (no FILE, or "-": standard input)
 *
 * Accepts exactly one JSON text: one value, whitespace (space, tab, LF, CR) around it, no
 * byte order mark. Strings must be well-formed UTF-8 (no overlong forms, no surrogates
 * encoded in UTF-8, nothing past U+10FFFF), hold no raw control characters, and use only
 * the escapes the RFC lists, with \u surrogates in pairs. Numbers follow the RFC grammar
 * (no leading zeros, no "+", no bare "." or "1."). Objects must not repeat a key (the RFC's
 * SHOULD, which our writer keeps). Nesting is limited to 512 levels.
 *
 * --dmpread also checks the envelope docs/json.md promises: the value is an object whose
 * first member is "dmpread_json": 2, with a string "command" and, as its last member, an
 * array "diagnostics".
 *
 * Written apart from cli/json.c and sharing nothing with it, so it checks the writer rather
 * than agreeing with it. Iterative, so no input can exhaust the C stack.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 512

struct key {
    char *text;
    size_t len;
};

struct frame {
    bool object;
    struct key *keys; /* objects: the keys seen, for duplicates */
    size_t nkeys, cap;
};

struct parser {
    const unsigned char *s;
    size_t len, pos;
    const char *error;
    size_t error_pos;
    struct frame stack[MAX_DEPTH];
    size_t depth;
    /* --dmpread: what the top-level object holds. */
    size_t top_members;
    bool first_is_version, has_command, last_is_diagnostics;
    char top_key[32];
};

static bool fail_at(struct parser *p, const char *msg)
{
    if (!p->error) {
        p->error = msg;
        p->error_pos = p->pos;
    }
    return false;
}

static void skip_ws(struct parser *p)
{
    while (p->pos < p->len) {
        const unsigned char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        p->pos++;
    }
}

static int peek(const struct parser *p)
{
    return p->pos < p->len ? p->s[p->pos] : -1;
}

static int hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Four hex digits after \u. */
static bool read_u16(struct parser *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        const int d = hex_value(peek(p));
        if (d < 0)
            return fail_at(p, "\\u needs four hex digits");
        v = v << 4 | (unsigned)d;
        p->pos++;
    }
    *out = v;
    return true;
}

/* Appends a code point as UTF-8 to buf (a key being collected), when buf is not NULL. */
static void put_utf8(char *buf, size_t *n, uint32_t cp)
{
    if (!buf)
        return;
    if (cp < 0x80) {
        buf[(*n)++] = (char)cp;
    } else if (cp < 0x800) {
        buf[(*n)++] = (char)(0xc0 | cp >> 6);
        buf[(*n)++] = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        buf[(*n)++] = (char)(0xe0 | cp >> 12);
        buf[(*n)++] = (char)(0x80 | (cp >> 6 & 0x3f));
        buf[(*n)++] = (char)(0x80 | (cp & 0x3f));
    } else {
        buf[(*n)++] = (char)(0xf0 | cp >> 18);
        buf[(*n)++] = (char)(0x80 | (cp >> 12 & 0x3f));
        buf[(*n)++] = (char)(0x80 | (cp >> 6 & 0x3f));
        buf[(*n)++] = (char)(0x80 | (cp & 0x3f));
    }
}

static bool read_escape(struct parser *p, uint32_t *cp)
{
    static const char names[] = "\"\\/bfnrt";
    static const char values[] = "\"\\/\b\f\n\r\t";
    const int c = peek(p);
    const char *const simple = c > 0 ? strchr(names, c) : NULL;
    if (simple) {
        p->pos++;
        *cp = (uint32_t)values[simple - names];
        return true;
    }
    if (c != 'u')
        return fail_at(p, "invalid escape");
    p->pos++;
    unsigned hi, lo;
    if (!read_u16(p, &hi))
        return false;
    if (hi >= 0xdc00 && hi <= 0xdfff)
        return fail_at(p, "\\u low surrogate without a high one");
    if (hi < 0xd800 || hi > 0xdbff) {
        *cp = hi;
        return true;
    }
    if (peek(p) != '\\' || p->pos + 1 >= p->len || p->s[p->pos + 1] != 'u')
        return fail_at(p, "\\u high surrogate not followed by a low one");
    p->pos += 2;
    if (!read_u16(p, &lo))
        return false;
    if (lo < 0xdc00 || lo > 0xdfff)
        return fail_at(p, "\\u high surrogate not followed by a low one");
    *cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
    return true;
}

/* A raw UTF-8 sequence of two to four bytes, checked strictly. */
static bool read_utf8(struct parser *p, uint32_t *cp)
{
    const unsigned char c = p->s[p->pos];
    size_t n;
    uint32_t v, min;
    if (c >= 0xc0 && c < 0xe0) {
        n = 2, v = c & 0x1fu, min = 0x80;
    } else if (c >= 0xe0 && c < 0xf0) {
        n = 3, v = c & 0x0fu, min = 0x800;
    } else if (c >= 0xf0 && c < 0xf8) {
        n = 4, v = c & 0x07u, min = 0x10000;
    } else {
        return fail_at(p, "invalid UTF-8 lead byte");
    }
    if (p->len - p->pos < n)
        return fail_at(p, "UTF-8 sequence cut short");
    for (size_t i = 1; i < n; i++) {
        const unsigned char b = p->s[p->pos + i];
        if ((b & 0xc0) != 0x80)
            return fail_at(p, "UTF-8 sequence cut short");
        v = v << 6 | (b & 0x3fu);
    }
    if (v < min)
        return fail_at(p, "overlong UTF-8");
    if (v >= 0xd800 && v <= 0xdfff)
        return fail_at(p, "surrogate encoded in UTF-8");
    if (v > 0x10ffff)
        return fail_at(p, "UTF-8 past U+10FFFF");
    p->pos += n;
    *cp = v;
    return true;
}

/* The characters of a string from p->pos up to its closing quote (consumed), decoded into
 * buf when it is not NULL. */
static bool scan_string(struct parser *p, char *buf, size_t *n)
{
    for (;;) {
        const int c = peek(p);
        uint32_t cp;
        if (c < 0)
            return fail_at(p, "unterminated string");
        if (c == '"')
            break;
        if (c < 0x20)
            return fail_at(p, "raw control character in string");
        if (c == '\\') {
            p->pos++;
            if (!read_escape(p, &cp))
                return false;
        } else if (c >= 0x80) {
            if (!read_utf8(p, &cp))
                return false;
        } else {
            cp = (uint32_t)c;
            p->pos++;
        }
        put_utf8(buf, n, cp);
    }
    p->pos++;
    return true;
}

/* A string at p->pos (the opening quote). When `out` is set it receives the decoded text
 * (malloc'd) and its length: checked first, then decoded in a second pass into a buffer as
 * long as its source, which no decoding outgrows. */
static bool read_string(struct parser *p, char **out, size_t *out_len)
{
    const size_t start = ++p->pos;
    size_t n = 0;
    if (!scan_string(p, NULL, &n))
        return false;
    if (!out)
        return true;
    const size_t end = p->pos;
    char *const buf = malloc(end - start);
    if (!buf)
        return fail_at(p, "out of memory");
    p->pos = start;
    scan_string(p, buf, &n);
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
    return true;
}

static bool read_digits(struct parser *p)
{
    const size_t start = p->pos;
    while (peek(p) >= '0' && peek(p) <= '9')
        p->pos++;
    return p->pos > start;
}

static bool read_number(struct parser *p)
{
    if (peek(p) == '-')
        p->pos++;
    if (peek(p) == '0') {
        p->pos++;
        if (peek(p) >= '0' && peek(p) <= '9')
            return fail_at(p, "leading zero in number");
    } else if (!read_digits(p)) {
        return fail_at(p, "number needs digits");
    }
    if (peek(p) == '.') {
        p->pos++;
        if (!read_digits(p))
            return fail_at(p, "fraction needs digits");
    }
    if (peek(p) == 'e' || peek(p) == 'E') {
        p->pos++;
        if (peek(p) == '+' || peek(p) == '-')
            p->pos++;
        if (!read_digits(p))
            return fail_at(p, "exponent needs digits");
    }
    return true;
}

static bool read_literal(struct parser *p, const char *word)
{
    const size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
        return fail_at(p, "unexpected character");
    p->pos += n;
    return true;
}

/* Records a key in the innermost object; false when it is there already. */
static bool add_key(struct parser *p, char *text, size_t len)
{
    struct frame *const f = &p->stack[p->depth - 1];
    for (size_t i = 0; i < f->nkeys; i++) {
        if (f->keys[i].len == len && memcmp(f->keys[i].text, text, len) == 0) {
            free(text);
            return fail_at(p, "duplicate key in object");
        }
    }
    if (f->nkeys == f->cap) {
        const size_t cap = f->cap ? 2 * f->cap : 8;
        struct key *const grown = realloc(f->keys, cap * sizeof *grown);
        if (!grown) {
            free(text);
            return fail_at(p, "out of memory");
        }
        f->keys = grown;
        f->cap = cap;
    }
    f->keys[f->nkeys++] = (struct key){text, len};
    if (p->depth == 1) {
        p->top_members++;
        snprintf(p->top_key, sizeof p->top_key, "%s", len < sizeof p->top_key ? text : "");
    }
    return true;
}

static void pop(struct parser *p)
{
    struct frame *const f = &p->stack[--p->depth];
    for (size_t i = 0; i < f->nkeys; i++)
        free(f->keys[i].text);
    free(f->keys);
    memset(f, 0, sizeof *f);
}

/* --dmpread: what a member of the top-level object holds, seen as its value starts. */
static void note_top_value(struct parser *p, int c)
{
    if (p->depth != 1 || !p->stack[0].object)
        return;
    const char *const key = p->top_key;
    if (p->top_members == 1)
        p->first_is_version = strcmp(key, "dmpread_json") == 0 && c == '2' && p->pos + 1 < p->len &&
                              strchr(",\n\r\t }", p->s[p->pos + 1]);
    if (strcmp(key, "command") == 0 && c == '"')
        p->has_command = true;
    p->last_is_diagnostics = strcmp(key, "diagnostics") == 0 && c == '[';
}

/* After '{' or ',' in an object: a key and its colon. */
static bool read_member_key(struct parser *p)
{
    skip_ws(p);
    if (peek(p) != '"')
        return fail_at(p, "object member needs a string key");
    char *key;
    size_t len;
    if (!read_string(p, &key, &len) || !add_key(p, key, len))
        return false;
    skip_ws(p);
    if (peek(p) != ':')
        return fail_at(p, "expected ':' after key");
    p->pos++;
    return true;
}

/* Starts a value: a scalar is read whole (true: the value is complete); a container is
 * pushed (*opened set). */
static bool read_value_start(struct parser *p, bool *opened)
{
    skip_ws(p);
    const int c = peek(p);
    note_top_value(p, c);
    *opened = false;
    if (c == '{' || c == '[') {
        if (p->depth == MAX_DEPTH)
            return fail_at(p, "nesting too deep");
        p->stack[p->depth++].object = c == '{';
        p->pos++;
        *opened = true;
        return true;
    }
    if (c == '"')
        return read_string(p, NULL, NULL);
    if (c == '-' || (c >= '0' && c <= '9'))
        return read_number(p);
    if (c == 't')
        return read_literal(p, "true");
    if (c == 'f')
        return read_literal(p, "false");
    if (c == 'n')
        return read_literal(p, "null");
    return fail_at(p, c < 0 ? "expected a value, found the end" : "unexpected character");
}

/* After a complete value inside containers: closes what ends, and says whether another
 * value follows (false with no error: the text's value is complete). */
static bool next_value(struct parser *p, bool *more)
{
    *more = false;
    while (p->depth > 0) {
        skip_ws(p);
        const bool object = p->stack[p->depth - 1].object;
        const int c = peek(p);
        if (c == ',') {
            p->pos++;
            *more = true;
            return !object || read_member_key(p);
        }
        if (c != (object ? '}' : ']'))
            return fail_at(p, object ? "expected ',' or '}'" : "expected ',' or ']'");
        p->pos++;
        pop(p);
    }
    return true;
}

static bool parse(struct parser *p)
{
    for (;;) {
        bool opened;
        if (!read_value_start(p, &opened))
            return false;
        if (opened) {
            skip_ws(p);
            const bool object = p->stack[p->depth - 1].object;
            if (peek(p) != (object ? '}' : ']')) {
                if (object && !read_member_key(p))
                    return false;
                continue;
            }
            /* An empty container: complete at once. */
        }
        bool more;
        if (opened) {
            p->pos++;
            pop(p);
        }
        if (!next_value(p, &more))
            return false;
        if (!more)
            break;
    }
    skip_ws(p);
    if (p->pos != p->len)
        return fail_at(p, "text after the value");
    return true;
}

static unsigned char *read_all(FILE *fp, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, fp);
        if (n < cap)
            break;
        unsigned char *const grown = realloc(buf, cap *= 2);
        if (!grown)
            free(buf);
        buf = grown;
    }
    if (buf && ferror(fp)) {
        free(buf);
        buf = NULL;
    }
    *len = n;
    return buf;
}

/* Line and column (1-based, bytes) of an offset, for the message. */
static void position(const unsigned char *s, size_t pos, size_t *line, size_t *col)
{
    *line = 1;
    size_t start = 0;
    for (size_t i = 0; i < pos; i++)
        if (s[i] == '\n')
            (*line)++, start = i + 1;
    *col = pos - start + 1;
}

static int check(const char *name, FILE *fp, bool dmpread)
{
    size_t len;
    unsigned char *const s = read_all(fp, &len);
    if (!s) {
        fprintf(stderr, "jsoncheck: %s: cannot read\n", name);
        return 2;
    }
    struct parser *const p = calloc(1, sizeof *p);
    if (!p) {
        free(s);
        return 2;
    }
    p->s = s;
    p->len = len;
    bool ok = parse(p);
    if (ok && dmpread) {
        p->pos = 0;
        if (!p->first_is_version)
            ok = fail_at(p, "--dmpread: the first member is not \"dmpread_json\": 2");
        else if (!p->has_command)
            ok = fail_at(p, "--dmpread: no string member \"command\"");
        else if (!p->last_is_diagnostics)
            ok = fail_at(p, "--dmpread: the last member is not the array \"diagnostics\"");
    }
    if (!ok) {
        size_t line, col;
        position(s, p->error_pos, &line, &col);
        fprintf(stderr, "jsoncheck: %s:%zu:%zu: %s\n", name, line, col, p->error);
    }
    while (p->depth > 0)
        pop(p);
    free(p);
    free(s);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    bool dmpread = false;
    int first = 1;
    if (argc > 1 && strcmp(argv[1], "--dmpread") == 0) {
        dmpread = true;
        first = 2;
    }
    if (first == argc)
        return check("<stdin>", stdin, dmpread);
    int rc = 0;
    for (int i = first; i < argc; i++) {
        const bool std_in = strcmp(argv[i], "-") == 0;
        FILE *const fp = std_in ? stdin : fopen(argv[i], "rb");
        if (!fp) {
            perror(argv[i]);
            rc = 2;
            continue;
        }
        const int r = check(argv[i], fp, dmpread);
        if (!std_in)
            fclose(fp);
        if (r > rc)
            rc = r;
    }
    return rc;
}
