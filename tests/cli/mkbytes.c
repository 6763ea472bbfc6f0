/* mkbytes.c - writes the memory bytes a fixture holds, computed from tests/mkdump's pattern.
 * SPDX-License-Identifier: MIT
 *
 * usage: mkbytes TAG:ADDR:LEN...
 *
 * Writes mkd_byte(TAG, ADDR + i) for i in [0, LEN), for each piece in turn, to stdout: the
 * bytes testdata/ fixtures hold at ADDR when the descriptor that owns them has TAG (see
 * tests/mkfixtures.c). tests/cli/run.sh compares `dmpread --raw` against this, so raw reads
 * are checked against bytes that never went through the library. Numbers as strtoull base 0.
 */
#include "mkdump.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses one number ending at `end_char`; advances *s past it. */
static bool parse_num(const char **s, char end_char, uint64_t *out)
{
    char *end;
    errno = 0;
    const unsigned long long v = strtoull(*s, &end, 0);
    if (end == *s || *end != end_char || errno != 0 || **s == '-')
        return false;
    *out = v;
    *s = end + (end_char != '\0');
    return true;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: mkbytes TAG:ADDR:LEN...\n", stderr);
        return EXIT_FAILURE;
    }
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        uint64_t tag, addr, len;
        if (!parse_num(&s, ':', &tag) || tag > 0xff || !parse_num(&s, ':', &addr) ||
            !parse_num(&s, '\0', &len)) {
            fprintf(stderr, "mkbytes: '%s' is not TAG:ADDR:LEN\n", argv[i]);
            return EXIT_FAILURE;
        }
        for (uint64_t j = 0; j < len; j++)
            if (putchar(mkd_byte((uint8_t)tag, addr + j)) == EOF)
                return EXIT_FAILURE;
    }
    return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
