/* elf_cfi_sample.c - a freestanding program whose functions give compilers reasons for varied
 * call frame information: a leaf, a large frame, alloca (a frame pointer), varargs, several
 * callee-saved registers. elf_cfi_diff.sh builds it for each CPU and flag set it can.
 * SPDX-License-Identifier: MIT */
#include <stdarg.h>

typedef unsigned long ul;
volatile ul sink;

void _start(void);

__attribute__((noinline)) static ul leaf(ul a)
{
    return a * 3 + sink;
}

__attribute__((noinline)) static ul big(ul n)
{
    volatile char buf[5000];
    for (ul i = 0; i < n && i < sizeof buf; i++)
        buf[i] = (char)i;
    return leaf((ul)buf[n % 5000]);
}

__attribute__((noinline)) static ul dyn(ul n)
{
    char *p = __builtin_alloca(n + 16);
    p[0] = (char)n;
    sink = (ul)p;
    return big(n) + (ul)p[0];
}

__attribute__((noinline)) static ul var(int n, ...)
{
    va_list ap;
    va_start(ap, n);
    ul s = 0;
    for (int i = 0; i < n; i++)
        s += va_arg(ap, ul);
    va_end(ap);
    return s + dyn(s);
}

__attribute__((noinline)) static ul saves(ul a, ul b, ul c)
{
    const ul x = leaf(a), y = leaf(b), z = leaf(c);
    const ul w = leaf(x + y);
    return x * y + z * w + leaf(z);
}

void _start(void)
{
    sink = var(3, 1ul, 2ul, 3ul) + saves(1, 2, 3);
    for (;;)
        ;
}
