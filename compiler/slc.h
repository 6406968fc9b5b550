/* The Sluice compiler as a library: source text (.sl) to an image (.slb), in process.
 *
 * sl_compile() runs the whole pipeline (compiler/driver.c): scan and parse every file
 * (imports included), semantic analysis, lowering to IR, register allocation, assembly text,
 * sl_asm_assemble(), then the verifier on the result. It never prints and never crashes on any
 * input bytes: everything it has to say is in the result's diagnostics text.
 *
 * Ownership: the caller owns opt and src; the result's buffers are malloc'd and freed by
 * sl_compile_result_free(). Hosted (malloc, stdio for formatting, file reading for imports). */
#ifndef SLUICE_SLC_H
#define SLUICE_SLC_H

#include <stddef.h>
#include <stdint.h>

typedef struct SlcOptions {
    const char *const *include_dirs; /* -I dirs, searched in order for imports, then stdlib_dir */
    size_t n_include_dirs;
    const char *stdlib_dir; /* import "std/x" -> <dir>/std/x.sl; NULL = none */
    int debug_info;         /* -g: line table, symbols for functions, state, tables, locals */
    int warnings;           /* 1 = warnings on (default), 0 = -w */
    int werror;             /* -Werror: warnings count as errors */
    unsigned max_errors;    /* stop after this many errors (0 = 20) */
    /* Optional file reader for imports (fuzzing has no file system); NULL = read from disk.
     * Returns 0 and a malloc'd buffer, or -1. */
    int (*read_file)(void *user, const char *path, char **data, size_t *len);
    void *read_file_user;
    unsigned dump;          /* SLC_DUMP_* flags: text appended to dump_text */
} SlcOptions;

enum {
    SLC_DUMP_AST = 1, /* the parsed and checked program */
    SLC_DUMP_IR = 2,  /* each function's IR as lowered (before the optimiser and allocation) */
    SLC_DUMP_ASM = 4, /* the assembly text (same as asm_text) */
    SLC_DUMP_OPT = 8, /* each function's IR after the optimiser (compiler/opt.c), before allocation */
};

typedef struct SlcResult {
    uint8_t *image;  size_t image_len; /* NULL unless compiled without errors */
    char *asm_text;  size_t asm_len;   /* the assembly given to sl_asm_assemble (what -S prints) */
    char *diags;     size_t diags_len; /* all diagnostics, formatted as printed, NUL-terminated */
    unsigned errors, warnings;
    char *dump_text; size_t dump_len;  /* what opt->dump asked for, NULL if nothing */
} SlcResult;

/* Compiles src[0..len) named filename. Returns 0 on success, -SL_ESYNTAX (or another -SL_E*)
 * on error; never crashes on any input bytes, never prints. */
int sl_compile(const SlcOptions *opt, const char *filename, const char *src, size_t len, SlcResult *res);
void sl_compile_result_free(SlcResult *res);

#endif
