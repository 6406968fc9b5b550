/* The instruction set's types and encoding, generated from isa.def.
 *
 * An instruction is 8 bytes in the image, little-endian fields whatever the host:
 *
 *   byte 0     opcode (row of isa.def)
 *   byte 1     a (bits 0-3) and b (bits 4-7): register numbers r0..r15
 *   bytes 2-3  off: signed 16-bit (branch distance, memory offset, or register c in bits 0-3)
 *   bytes 4-7  imm: signed 32-bit (immediate, constant index, function or table index)
 *
 * Freestanding: no libc. */
#ifndef SLUICE_ISA_H
#define SLUICE_ISA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    SL_NREGS = 16,
    SL_INSN_SIZE = 8,
};

/* Operand formats: the assembler's syntax and the fields that must be zero. */
typedef enum SlFormat {
    SL_FMT_N,    /* (none) */
    SL_FMT_A,    /* rA */
    SL_FMT_AB,   /* rA, rB */
    SL_FMT_AI,   /* rA, imm */
    SL_FMT_AK,   /* rA, kIMM                (constant pool index) */
    SL_FMT_LD,   /* rA, [rB+off] */
    SL_FMT_ST,   /* [rA+off], rB */
    SL_FMT_J,    /* target                  (off) */
    SL_FMT_JAB,  /* rA, rB, target */
    SL_FMT_JAI,  /* rA, imm, target */
    SL_FMT_CALL, /* fIMM                    (function index) */
    SL_FMT_I,    /* imm */
    SL_FMT_ABC,  /* rA, rB, rC              (c = off bits 0-3) */
    SL_FMT_ABCT, /* rA, rB, rC, tIMM        (table index) */
    SL_FMT_ABT,  /* rA, rB, tIMM */
    SL_FMT_ABI,  /* rA, rB, imm */
} SlFormat;

/* Register use flags. */
enum {
    SL_R_RA = 1 << 0,
    SL_R_WA = 1 << 1,
    SL_R_RB = 1 << 2,
    SL_R_RC = 1 << 3,
    SL_R_RWA = SL_R_RA | SL_R_WA,
};

/* Instruction classes. */
typedef enum SlClass {
    SL_C_ALU,      /* register arithmetic, cannot fault */
    SL_C_DIV,      /* division: faults on zero divisor */
    SL_C_JUMP,     /* unconditional jump: no fall-through */
    SL_C_BRANCH,   /* conditional jump */
    SL_C_CALL,
    SL_C_RET,      /* no fall-through */
    SL_C_END,      /* ends the handler: no fall-through */
    SL_C_LDM,
    SL_C_STM,
    SL_C_LDP,
    SL_C_STP,
    SL_C_META,     /* packet metadata, time, random */
    SL_C_RESIZE,   /* changes the packet's length */
    SL_C_ACT,      /* action that goes on (clone) */
    SL_C_TABLE,
    SL_C_CSUM,
    SL_C_HASH,
    SL_C_INTERNAL, /* verifier-substituted forms, never in images */
} SlClass;

typedef enum SlOpcode {
#define X(name, mn, fmt, regs, cls, doc) SL_OP_##name,
#include "isa.def"
#undef X
    SL_OP_COUNT
} SlOpcode;

/* An instruction decoded for execution. Same size as its encoding; fields are host integers. */
typedef struct SlInsn {
    uint8_t op;  /* SlOpcode */
    uint8_t a;   /* register 0..15 */
    uint8_t b;   /* register 0..15 */
    uint8_t aux; /* 0 in decoded images; free for engines */
    int16_t off;
    int32_t imm;
} SlInsn;

typedef struct SlOpInfo {
    const char *mnemonic;
    uint8_t format; /* SlFormat */
    uint8_t regs;   /* SL_R_* */
    uint8_t cls;    /* SlClass */
    const char *doc;
} SlOpInfo;

extern const SlOpInfo sl_op_info[SL_OP_COUNT];

/* Register c of the ABC formats lives in off's low four bits. */
static inline unsigned sl_insn_c(const SlInsn *in) { return (unsigned)in->off & 15u; }

/* Decodes 8 image bytes. Never fails: validity is the verifier's job. */
static inline SlInsn sl_insn_decode(const uint8_t *p)
{
    SlInsn in;
    in.op = p[0];
    in.a = p[1] & 15u;
    in.b = (uint8_t)(p[1] >> 4);
    in.aux = 0;
    in.off = (int16_t)(uint16_t)((unsigned)p[2] | (unsigned)p[3] << 8);
    in.imm = (int32_t)((uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24);
    return in;
}

static inline void sl_insn_encode(const SlInsn *in, uint8_t *p)
{
    uint16_t off = (uint16_t)in->off;
    uint32_t imm = (uint32_t)in->imm;
    p[0] = in->op;
    p[1] = (uint8_t)((in->a & 15u) | (in->b & 15u) << 4);
    p[2] = (uint8_t)off;
    p[3] = (uint8_t)(off >> 8);
    p[4] = (uint8_t)imm;
    p[5] = (uint8_t)(imm >> 8);
    p[6] = (uint8_t)(imm >> 16);
    p[7] = (uint8_t)(imm >> 24);
}

/* Looks a mnemonic up: the first opcode with that spelling, or -1. Rows sharing a mnemonic
 * follow each other in isa.def, so callers scan forward while the mnemonic matches. */
int sl_op_find(const char *mnemonic);

/* True when the opcode may appear in an image. */
static inline bool sl_op_valid_in_image(unsigned op)
{
    return op < SL_OP_COUNT && sl_op_info[op].cls != SL_C_INTERNAL;
}

/* Formats one instruction as assembly text ("ldp16 r3, [r1+14]"); index is the instruction's
 * position, used to print branch targets as absolute "@N". Returns the length written
 * (truncated to cap-1, always terminated when cap > 0). */
size_t sl_insn_format(char *buf, size_t cap, const SlInsn *in, uint32_t index);

#endif
