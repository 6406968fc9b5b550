/* The back end: AST (checked by sema) -> IR over virtual registers (lower.c) -> the same IR,
 * optimised (opt.c) -> registers (regalloc.c) -> assembly text for sl_asm_assemble (emit.c). */
#ifndef SLUICE_BACKEND_H
#define SLUICE_BACKEND_H

#include "ast.h"
#include "isa.h"

/* IR pseudo-instructions, numbered after the ISA's opcodes. */
enum {
    IR_LABEL = SL_OP_COUNT, /* imm = label id */
    IR_LOC,                 /* a = file, b = line, c = column: source position of what follows */
    IR_NOP,
};

enum { IR_NONE = -1, IR_FIRST_VREG = 16 }; /* registers below 16 are physical */

/* One instruction: an ISA opcode over registers that may be virtual. Branches keep their
 * target label in `label`, their immediate (JxxI) in imm. */
typedef struct IrIns {
    uint16_t op;
    int32_t a, b, c;
    int32_t off;
    int32_t label;
    int64_t imm;
} IrIns;

typedef struct IrFunc {
    Decl *decl;
    const char *name;
    int nargs;
    IrIns *code;
    uint32_t n, cap;
    int nvregs;          /* next virtual register number */
    int nlabels;
    Local **vlocal;      /* per vreg: the named variable it holds, or NULL */
    uint8_t *nospill;    /* per vreg: spill temporaries must get a register */
    uint32_t vcap;
    int *assign;         /* after allocation: per vreg, physical register or -1 (spilled) */
    uint32_t *slot;      /* per vreg: spill slot address when spilled */
    uint32_t index;      /* function index in the image */
    int is_handler;
} IrFunc;

typedef struct Backend {
    Ctx *c;
    IrFunc **funcs;
    uint32_t nfuncs;
    uint32_t mem_top;    /* state bytes used so far: user state, then compiler areas */
    uint32_t *tbl_key, *tbl_val; /* per table: key / value buffer address (0 = none yet) */
    uint32_t hash_buf;   /* scratch for hashing scalars */
    int *func_nargs;     /* per function index: scalar arguments */
    Decl **func_decl;    /* per function index: its declaration */
    uint32_t stamp;      /* lowering rounds so far (lower.c's value-range fixpoint) */
} Backend;

int backend_run(Ctx *c, Buf *out);

/* lower.c */
IrFunc *lower_function(Backend *be, Decl *d);
int ir_new_vreg(IrFunc *f);
void ir_dump(Ctx *c, const IrFunc *f, Buf *out);
/* opt.c: copy propagation, coalescing, dead code, jump threading (before allocation) */
void opt_function(Backend *be, IrFunc *f);
/* regalloc.c: assigns registers, inserting spill code; 0 or -1 (internal error reported). */
int regalloc_function(Backend *be, IrFunc *f);
/* emit.c */
void emit_program(Backend *be, Buf *out);
uint32_t backend_alloc_mem(Backend *be, uint32_t size);

#endif
