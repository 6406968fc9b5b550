/* The only library functions the freestanding core uses; every C environment provides them
 * (the compiler may call them itself). Declared here so the core needs no libc headers. */
#ifndef SLUICE_MEM_H
#define SLUICE_MEM_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* -ffreestanding makes these plain calls, even a 24-byte memset or an 8-byte key compare; the
 * builtins inline what they can and call the functions above otherwise. Not in the file that
 * defines them (runner/rt.c). */
#if defined(__GNUC__) && !defined(SL_MEM_DEFINE)
#define memcpy(d, s, n) __builtin_memcpy(d, s, n)
#define memmove(d, s, n) __builtin_memmove(d, s, n)
#define memset(d, c, n) __builtin_memset(d, c, n)
#define memcmp(a, b, n) __builtin_memcmp(a, b, n)
#endif

#endif
