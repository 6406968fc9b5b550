/* The ahead-of-time translator: a verified image to native code through LLVM (docs/aot.md).
 *
 * Hosted (links libLLVM). The code it makes follows the ABI of native.h and runs through the
 * freestanding runtime (aot/native_rt.c, sl_native_run). Library rules: 0 or -SL_E* with a
 * message in a caller buffer, never prints, no globals except LLVM's own one-time target
 * registration. */
#ifndef SLUICE_AOT_H
#define SLUICE_AOT_H

#include <stddef.h>
#include <stdint.h>

#include "image.h"
#include "native.h"

/* A code generation target: one row of the const table in aot/target.c. */
typedef struct SlAotTarget {
    const char *name;     /* -t NAME */
    const char *triple;   /* LLVM target triple */
    const char *cpu;      /* LLVM CPU */
    const char *features; /* LLVM feature string */
    int pic;              /* position-independent code (else static, no abicalls on MIPS) */
    int big_endian;
    const char *about;    /* one line for --help */
} SlAotTarget;

/* Finds a target by name (x86_64, octeon, octeon-tx); NULL if unknown. */
const SlAotTarget *sl_aot_target_find(const char *name);
/* The i-th target, NULL past the end. */
const SlAotTarget *sl_aot_target_at(size_t i);

typedef enum SlAotOutput {
    SL_AOT_OBJECT = 0, /* ELF relocatable object */
    SL_AOT_LLVM_IR = 1, /* readable LLVM IR (after optimisation) */
    SL_AOT_ASM = 2,    /* target assembly */
} SlAotOutput;

typedef struct SlAotOptions {
    const SlAotTarget *target; /* NULL: x86_64 */
    int opt_level;             /* 0..3 */
    const char *name;          /* symbol prefix, a C identifier; NULL: "sl_aot" */
    SlAotOutput output;
} SlAotOptions;

/* Verifies img and translates it. On success *out (malloc'd, the caller frees) holds the object,
 * IR or assembly text, *out_len its size. 0, -SL_EVERIFY (verifier message in err), -SL_EARG or
 * -SL_EIO (LLVM failed; its message in err). */
int sl_aot_compile(const SlImage *img, const SlAotOptions *opt, uint8_t **out, size_t *out_len,
                   char *err, size_t errcap);

/* In-process native code for the host (x86-64 tests, slemu, benchmarks) through LLVM's MCJIT:
 * the same translation as sl_aot_compile, loaded into executable memory. */
typedef struct SlAotJit SlAotJit;

int sl_aot_jit_create(const SlImage *img, int opt_level, SlAotJit **out, char *err, size_t errcap);
/* The descriptor to pass to sl_native_run; valid until sl_aot_jit_destroy. */
const SlNative *sl_aot_jit_native(const SlAotJit *jit);
void sl_aot_jit_destroy(SlAotJit *jit);

/* The LLVM version the translator was built with ("19.1.7"). */
const char *sl_aot_llvm_version(void);

#endif
