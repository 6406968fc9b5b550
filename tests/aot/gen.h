/* A random generator of valid Sluice programs (assembly text) for differential testing: loops
 * with bounded counters, calls without recursion, tables, packet reads, writes and resizes
 * (with and without verifier-proven bounds), checksums, hashes, clones and every way a handler
 * ends or faults. The same seed gives the same text. */
#ifndef SLUICE_TESTS_AOT_GEN_H
#define SLUICE_TESTS_AOT_GEN_H

#include <stddef.h>
#include <stdint.h>

/* A malloc'd, NUL-terminated program for seed; *len its length. NULL when out of memory. */
char *aotgen_program(uint64_t seed, size_t *len);

/* The generator's random numbers (xorshift64*), shared with the driver for packets. */
typedef struct AotRng {
    uint64_t s;
} AotRng;
void aotgen_seed(AotRng *r, uint64_t seed);
uint64_t aotgen_next(AotRng *r);
/* Uniform in [0, n), n > 0. */
uint32_t aotgen_below(AotRng *r, uint32_t n);

#endif
