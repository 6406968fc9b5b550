/* The image writer: collects the parts of a program and writes them as the .slb container that
 * vm/image.h documents. Hosted (uses malloc); the assembler and compilers use it.
 *
 * Ownership: the builder owns copies of everything handed to it (names are copied); the caller
 * owns the builder and frees it with sl_build_free(). sl_build_write() hands back a malloc'd
 * buffer the caller frees.
 *
 * The builder checks what the image parser checks (limits, name lengths and characters, line
 * rows ascending), so whatever it writes passes sl_image_parse(). It does not check what the
 * verifier checks (opcodes, function entries, table kinds...): tests build invalid programs
 * with it on purpose. */
#ifndef SLUICE_IMAGE_BUILD_H
#define SLUICE_IMAGE_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "image.h"
#include "isa.h"

typedef struct SlBuild SlBuild;

enum {
    SL_BUILD_STRIP = 1, /* sl_build_write: leave out the debug sections */
};

/* A new, empty builder; NULL when out of memory. */
SlBuild *sl_build_new(void);
void sl_build_free(SlBuild *b);

/* Each adder returns the new entry's index (>= 0) or -SL_ELIMIT / -SL_EARG / -SL_ENOMEM. */
int sl_build_insn(SlBuild *b, const SlInsn *in);
int sl_build_const(SlBuild *b, uint64_t value);
int sl_build_table(SlBuild *b, const SlTableDecl *t);
int sl_build_func(SlBuild *b, const SlFuncDecl *f);
int sl_build_handler(SlBuild *b, const SlHandlerDecl *h);
/* Port names: 1..SL_MAX_PORT_NAME characters of [A-Za-z0-9_.-]. */
int sl_build_port(SlBuild *b, const char *name, size_t len);
int sl_build_file(SlBuild *b, const char *name, size_t len); /* debug: source file names */
/* Debug line rows must come with insn ascending (equal is fine). */
int sl_build_line(SlBuild *b, const SlLine *row);
int sl_build_sym(SlBuild *b, uint8_t kind, uint32_t value, uint32_t size, const char *name, size_t len);
/* DBG_TYPES (asm/dbg_types.h): a header type of size bytes, then its fields (each added to the
 * last type; bit_off + bits within the type, bits 1..64: -SL_EARG otherwise), and header
 * bindings (type: an index already added; start <= end; loc as sl_dbg_loc_valid() allows).
 * Written in the order added. */
int sl_build_type(SlBuild *b, const char *name, size_t len, uint32_t size);
int sl_build_field(SlBuild *b, const char *name, size_t len, uint32_t bit_off, uint32_t bits);
int sl_build_hdr(SlBuild *b, const char *name, size_t len, uint32_t type, uint32_t loc, uint32_t start,
                 uint32_t end);
uint32_t sl_build_type_count(const SlBuild *b);

/* State memory: size in bytes (<= SL_MAX_STATE), then initial bytes appended in order. The
 * initial bytes must not exceed the size by the time the image is written. 0 or -SL_E*. */
int sl_build_state(SlBuild *b, uint32_t size);
int sl_build_data(SlBuild *b, const uint8_t *bytes, size_t n);

/* The index of a constant equal to value, or -1. */
int sl_build_const_find(const SlBuild *b, uint64_t value);

/* Access to what was added, for back-patching (jumps, calls). i must be below the count. */
uint32_t sl_build_insn_count(const SlBuild *b);
SlInsn *sl_build_insn_at(SlBuild *b, uint32_t i);
uint32_t sl_build_func_count(const SlBuild *b);
uint32_t sl_build_table_count(const SlBuild *b);
uint32_t sl_build_file_count(const SlBuild *b);

/* Writes the image: header, then sections in ascending id; CODE and FUNCS always, the others
 * only when they have something in them; debug sections only when there is debug info and
 * flags lacks SL_BUILD_STRIP. Symbols are written sorted (kind, value, size, name) so that
 * the output does not depend on the order they were added in. The content hash is BLAKE2b-256
 * over header bytes 0..8 and every non-debug section record. Deterministic. On success *out
 * is a malloc'd buffer of *out_len bytes. -SL_EARG when there is no code or no function, or
 * the initial state bytes exceed the state size; -SL_ENOMEM. */
int sl_build_write(const SlBuild *b, int flags, uint8_t **out, size_t *out_len);

#endif
