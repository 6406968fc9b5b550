/* The four memory functions the core and the compiler may call, for a runner with no libc. Plain
 * byte loops: correct on every target and alignment; the runner's time goes to the VM, not here.
 * Built with -fno-builtin-style protection (-fno-tree-loop-distribute-patterns) so the compiler
 * does not turn these loops back into calls to themselves. */
#include <stddef.h>

#define SL_MEM_DEFINE 1 /* the definitions below, not the builtins */
#include "mem.h"

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d < s) {
        while (n--)
            *d++ = *s++;
    } else if (d > s) {
        while (n--)
            d[n] = s[n];
    }
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++) {
        if (*x != *y)
            return *x < *y ? -1 : 1;
    }
    return 0;
}
