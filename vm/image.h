/* The portable image (.slb): a read-only, zero-copy view of a validated image.
 *
 * Layout (docs/image-format.md); every integer little-endian whatever the host:
 *
 *   0   4  magic  7f 'S' 'L' 'B'
 *   4   2  version major (1)     6  2  version minor (0)
 *   8  32  content hash: BLAKE2b-256 over bytes 0..8 and every non-debug section record
 *  40   4  section count
 *  44      sections: { u8 id; u8 zero[3]; u32 length; u8 body[length] }, ids strictly ascending
 *
 * sl_image_parse() treats every byte as hostile: it checks every length and count against the
 * bytes that are there and against the limits below, and keeps pointers into the caller's buffer,
 * which must outlive the SlImage. It does not check code (that is the verifier's job) nor the hash
 * (hosted tools check it with libsodium: asm/image_hash.h).
 *
 * Freestanding: no libc. */
#ifndef SLUICE_IMAGE_H
#define SLUICE_IMAGE_H

#include <stddef.h>
#include <stdint.h>

enum {
    SL_IMAGE_VERSION_MAJOR = 1,
    SL_IMAGE_VERSION_MINOR = 0,
    SL_IMAGE_HEADER_SIZE = 44,
    SL_IMAGE_HASH_SIZE = 32,

    /* Section ids. Ids >= SL_SEC_DEBUG_FIRST are debug info: outside the hash, strippable,
     * and unknown ones are skipped; an unknown id below it is an error. */
    SL_SEC_CODE = 0x01,     /* instructions, 8 bytes each */
    SL_SEC_CONST = 0x02,    /* u64 constants */
    SL_SEC_STATE = 0x03,    /* u32 size; initial bytes (at most size) */
    SL_SEC_TABLES = 0x04,   /* u32 count; count x { u8 kind; u8 key_size; u16 value_size; u32 capacity; u32 zero } */
    SL_SEC_FUNCS = 0x05,    /* u32 count; count x { u32 entry; u8 nargs; u8 zero[3] } */
    SL_SEC_HANDLERS = 0x06, /* u32 count; count x { u8 kind; u8 zero[3]; u32 func; u32 period_ms } */
    SL_SEC_PORTS = 0x07,    /* u32 count; count x { u8 len; char name[len] } */
    SL_SEC_DEBUG_FIRST = 0x80,
    SL_SEC_DBG_FILES = 0x80, /* u32 count; count x { u16 len; char name[len] } */
    SL_SEC_DBG_LINES = 0x81, /* u32 count; count x { u32 insn; u32 file; u32 line; u32 col }, insn ascending */
    SL_SEC_DBG_SYMS = 0x82,  /* u32 count; count x { u8 kind; u8 zero; u16 len; u32 value; u32 size; char name[len] } */
    SL_SEC_DBG_TYPES = 0x83, /* header types and header bindings: kept as a view here, parsed by the
                                hosted tools (asm/dbg_types.h); docs/image-format.md */

    SL_TABLE_HASH = 1,
    SL_TABLE_LPM = 2,

    SL_HANDLER_INIT = 1,
    SL_HANDLER_PACKET = 2,
    SL_HANDLER_TIMER = 3,

    SL_SYM_FUNC = 1,  /* value = function index */
    SL_SYM_STATE = 2, /* value = state address, size = bytes */
    SL_SYM_TABLE = 3, /* value = table index */
    SL_SYM_LABEL = 4, /* value = instruction index */
    SL_SYM_CONST = 5, /* value = constant index */
    SL_SYM_VAR = 6,   /* a source variable: value = 0x80000000 | register (bits 0-3), or its state
                         address when bit 31 is clear; size = bytes; name "function.variable" */

    /* Limits: what a loader must be ready to hold. */
    SL_MAX_CODE = 1 << 20,          /* instructions */
    SL_MAX_CONSTS = 1 << 16,
    SL_MAX_STATE = 64 << 20,        /* bytes of state memory */
    SL_MAX_TABLES = 256,
    SL_MAX_KEY = 64,                /* bytes */
    SL_MAX_VALUE = 4096,            /* bytes */
    SL_MAX_CAPACITY = 1 << 22,      /* entries per table */
    SL_MAX_FUNCS = 1 << 16,
    SL_MAX_ARGS = 5,
    SL_MAX_HANDLERS = 64,
    SL_MAX_PORTS = 256,
    SL_MAX_PORT_NAME = 32,
    SL_MAX_CALL_DEPTH = 32,         /* frames, handler included */
};

typedef struct SlTableDecl {
    uint8_t kind;        /* SL_TABLE_* */
    uint8_t key_size;    /* bytes, 1..SL_MAX_KEY; LPM: the address, at most 16 */
    uint16_t value_size; /* bytes, 0..SL_MAX_VALUE */
    uint32_t capacity;   /* entries, 1..SL_MAX_CAPACITY */
} SlTableDecl;

typedef struct SlFuncDecl {
    uint32_t entry; /* first instruction; entries strictly ascending, the first is 0 */
    uint8_t nargs;  /* registers r1..r<nargs> defined at entry, 0..SL_MAX_ARGS */
} SlFuncDecl;

typedef struct SlHandlerDecl {
    uint8_t kind;       /* SL_HANDLER_* */
    uint32_t func;      /* function index; must take no arguments */
    uint32_t period_ms; /* timers: > 0; others: 0 */
} SlHandlerDecl;

typedef struct SlLine {
    uint32_t insn, file, line, col;
} SlLine;

typedef struct SlSym {
    uint8_t kind; /* SL_SYM_* */
    uint32_t value, size;
    const char *name; /* not terminated */
    uint32_t name_len;
} SlSym;

/* Section views; all pointers point into the caller's bytes. */
typedef struct SlImage {
    const uint8_t *bytes;
    size_t size;
    uint16_t version_major, version_minor;
    const uint8_t *hash; /* SL_IMAGE_HASH_SIZE bytes */

    const uint8_t *code;
    uint32_t code_count;
    const uint8_t *consts;
    uint32_t const_count;
    uint32_t state_size;
    const uint8_t *state_init;
    uint32_t state_init_len;
    const uint8_t *tables;
    uint32_t table_count;
    const uint8_t *funcs;
    uint32_t func_count;
    const uint8_t *handlers;
    uint32_t handler_count;
    const uint8_t *ports; /* first entry */
    uint32_t port_count;

    const uint8_t *dbg_files;
    uint32_t dbg_file_count;
    const uint8_t *dbg_lines;
    uint32_t dbg_line_count;
    const uint8_t *dbg_syms;
    uint32_t dbg_sym_count;
    const uint8_t *dbg_types; /* DBG_TYPES body, unparsed (hosted tools parse it), or NULL */
    uint32_t dbg_types_len;
    int has_debug;
} SlImage;

/* Validates the container and fills *img. 0 or -SL_E*; on error, a message in err. */
int sl_image_parse(const uint8_t *bytes, size_t size, SlImage *img, char *err, size_t errcap);

/* Indexed accessors; the index must be below the matching count. */
SlTableDecl sl_image_table(const SlImage *img, uint32_t i);
SlFuncDecl sl_image_func(const SlImage *img, uint32_t i);
SlHandlerDecl sl_image_handler(const SlImage *img, uint32_t i);
uint64_t sl_image_const(const SlImage *img, uint32_t i);
/* Port i's name (not terminated) and its length. Walks the section: O(i). */
const char *sl_image_port_name(const SlImage *img, uint32_t i, uint32_t *len);
/* Debug info; files/syms walk their sections. */
const char *sl_image_dbg_file(const SlImage *img, uint32_t i, uint32_t *len);
SlLine sl_image_dbg_line(const SlImage *img, uint32_t i);
SlSym sl_image_dbg_sym(const SlImage *img, uint32_t i);
/* The line-table row covering instruction insn (the last row with row.insn <= insn), 0 if none. */
int sl_image_line_for(const SlImage *img, uint32_t insn, SlLine *out);

/* The first handler of a kind (and for timers, the n-th), or -1. */
int sl_image_find_handler(const SlImage *img, unsigned kind, unsigned n);

/* Writes the image without its debug sections (what --strip leaves) to out; returns the size
 * it needs. Writes nothing when cap is smaller. The content hash stays valid. */
size_t sl_image_strip(const SlImage *img, uint8_t *out, size_t cap);

#endif
