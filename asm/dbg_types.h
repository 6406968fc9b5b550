/* The DBG_TYPES debug section (0x83): the program's header types and its header bindings
 * (header variables), for debuggers. docs/image-format.md has the format byte by byte.
 *
 * The freestanding image reader (vm/image.c) keeps only a view of the section's body
 * (SlImage.dbg_types, dbg_types_len) and never looks inside: engines do not need it. Hosted
 * tools parse it here, as hostile bytes: every read is bounds-checked, counts are matched
 * against the bytes before anything is allocated, reserved bytes must be zero, references
 * (a binding's type) must be in range and the body must be consumed exactly.
 *
 * Hosted (malloc). Names point into the section's bytes (not terminated), which must outlive
 * the SlDbgTypes. */
#ifndef SLUICE_DBG_TYPES_H
#define SLUICE_DBG_TYPES_H

#include <stddef.h>
#include <stdint.h>

enum {
    SL_DBG_LOC_REG = 0x80000000u,   /* location: a register, in bits 0-3 */
    SL_DBG_LOC_CONST = 0x40000000u, /* location: a constant offset, in bits 0-29 */
    SL_DBG_MAX_FIELD_BITS = 64,
};

typedef struct SlDbgField {
    const char *name;
    uint32_t name_len;
    uint32_t bit_off; /* from the header's first byte, most significant bit first */
    uint32_t bits;    /* 1..64 */
} SlDbgField;

typedef struct SlDbgType {
    const char *name;
    uint32_t name_len;
    uint32_t size;            /* bytes */
    const SlDbgField *fields; /* into SlDbgTypes.fields */
    uint32_t nfields;
} SlDbgType;

/* A header variable: where its packet offset is (location, as SL_SYM_VAR values, plus
 * SL_DBG_LOC_CONST) while instructions [start, end) run. */
typedef struct SlDbgHdr {
    const char *name; /* "function.variable" as var symbols name them */
    uint32_t name_len;
    uint32_t type;    /* index into types */
    uint32_t loc;
    uint32_t start, end;
} SlDbgHdr;

typedef struct SlDbgTypes {
    SlDbgType *types;
    uint32_t ntypes;
    SlDbgField *fields; /* every type's fields, in order */
    uint32_t nfields;
    SlDbgHdr *hdrs;
    uint32_t nhdrs;
} SlDbgTypes;

/* Parses a DBG_TYPES body (len bytes; body may be NULL when len is 0: no types). 0, or -SL_E*
 * with "offset N in DBG_TYPES: reason" in err (N from the start of the body);
 * *out is then empty. */
int sl_dbg_types_parse(const uint8_t *body, size_t len, SlDbgTypes *out, char *err, size_t errcap);
void sl_dbg_types_free(SlDbgTypes *t);

/* A location as text: "r6", "=14" (constant offset) or "@1234" (state address). */
void sl_dbg_loc_format(uint32_t loc, char *buf, size_t cap);
/* Whether a location value is well-formed (what the parser and the assembler accept). */
int sl_dbg_loc_valid(uint32_t loc);

#endif
