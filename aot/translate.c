/* Verified bytecode to LLVM IR: one function per image that mirrors the interpreter.
 *
 * The function NAME_entry(ctx) is the interpreter unrolled over the image's code:
 *
 * - Each VM register is an alloca (mem2reg makes them SSA values, so machine registers). They are
 *   loaded from ctx->regs where a run resumes (only those that can be live there) and stored
 *   back when it yields (exit_block).
 * - Each basic block of the bytecode (a "leader": function entry, branch target, the instruction
 *   after a transfer) is one LLVM block. Calls and returns are jumps: a call pushes the
 *   interpreter's frame (return pc, caller's r6..r15) onto ctx->frames and jumps to the callee; a
 *   return pops it and switches on the saved return pc over the return sites of that function's
 *   callers. The verifier forbids recursion, so depth stays bounded as in the interpreter.
 * - Entry switches on ctx->pc over every place a run can start or resume: function entries and
 *   targets of backward branches (the only check points, docs/isa.md). So a yield stores the pc,
 *   registers, depth and count and returns, and a later call (or the interpreter) goes on.
 * - Instruction counting matches the interpreter's: a pending count per straight run is added
 *   to the count before anything that can leave the run (a branch, a check that may fault, an
 *   end); the faulting or ending instruction counts, as in the interpreter. Check points compare
 *   the count with min(budget, slice end) once, and only then tell FUEL from a yield.
 * - Every check the interpreter makes at run time is here, in the same order, against the same
 *   bounds (the state size and port count are constants of the image); the verifier's .nc forms
 *   go unchecked. Tables, csum, resizes and clone call the runtime (native.h), which makes the
 *   interpreter's checks itself and returns minus a fault code.
 *
 * Byte order: packet fields are big-endian and state fields little-endian on every host, so a
 * field is one unaligned load plus a byte swap when the target's order differs. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aot_int.h"
#include "vm.h"

/* Field numbers of SlNativeCtx, in native.h order. */
enum {
    CX_REGS, CX_FRAMES, CX_STATE, CX_PKT, CX_RT, CX_PKT_LEN, CX_INSNS, CX_LIMIT, CX_BUDGET,
    CX_IN_PORT, CX_TSTAMP, CX_NOW, CX_RNG, CX_PC, CX_DEPTH, CX_STATUS, CX_VERDICT, CX_FAULT,
    CX_PORT, CX_TRAP, CX_RESERVED, CX_COUNT
};

enum { STATUS_BAD_PC = 0xff }; /* resume pc not a resume point: the runtime returns -SL_ESTATE */

typedef struct Gen {
    LLVMContextRef cx;
    LLVMModuleRef mod;
    LLVMBuilderRef b;
    LLVMTypeRef void_t, i1, i8, i16, i32, i64, p8, ctx_t, ctx_p, frame_t, frame_p, p64;
    LLVMTypeRef fn_t;
    LLVMValueRef fn, ctx;

    /* allocas */
    LLVMValueRef reg[SL_NREGS];
    LLVMValueRef insns, depth, pd, plen, fcode, fpc, ftrap, verdict, port, ypc;
    /* loaded once on entry */
    LLVMValueRef regs_p, frames_p, state_p, limit, budget;

    LLVMBasicBlockRef *blk; /* block of each leader, else NULL */
    LLVMBasicBlockRef done_bb, fault_bb, yield_bb, bad_bb;
    uint32_t *func_of;      /* function index of each instruction */

    /* runtime helpers */
    LLVMTypeRef t_tget, t_tdel, t_csum, t_resize, t_clone, t_hash, t_bswap16, t_bswap32, t_bswap64;
    LLVMValueRef h_tget, h_tput, h_tdel, h_csum, h_resize, h_clone, h_hash;
    LLVMValueRef bswap16, bswap32, bswap64;

    const SlImage *img;
    const SlInsn *code;
    uint32_t n;
    bool big_endian;
    uint32_t pending; /* instructions of the current straight run not yet added to insns */
    uint32_t pc;      /* instruction being translated */
} Gen;

/* ---- Small builders --------------------------------------------------------------------- */

static LLVMValueRef k64(Gen *g, uint64_t v) { return LLVMConstInt(g->i64, v, 0); }
static LLVMValueRef k32(Gen *g, uint64_t v) { return LLVMConstInt(g->i32, v, 0); }

static LLVMValueRef load(Gen *g, LLVMTypeRef t, LLVMValueRef p)
{
    return LLVMBuildLoad2(g->b, t, p, "");
}

static LLVMValueRef field_ptr(Gen *g, unsigned f)
{
    return LLVMBuildStructGEP2(g->b, g->ctx_t, g->ctx, f, "");
}

static LLVMValueRef ctx_load(Gen *g, unsigned f, LLVMTypeRef t)
{
    return load(g, t, field_ptr(g, f));
}

static void ctx_store(Gen *g, unsigned f, LLVMValueRef v) { LLVMBuildStore(g->b, v, field_ptr(g, f)); }

static LLVMValueRef R(Gen *g, unsigned r) { return load(g, g->i64, g->reg[r]); }
static void W(Gen *g, unsigned r, LLVMValueRef v) { LLVMBuildStore(g->b, v, g->reg[r]); }

static LLVMBasicBlockRef new_block(Gen *g, const char *name)
{
    return LLVMAppendBasicBlockInContext(g->cx, g->fn, name);
}

static void flush(Gen *g)
{
    if (!g->pending)
        return;
    LLVMValueRef v = LLVMBuildAdd(g->b, load(g, g->i64, g->insns), k64(g, g->pending), "");
    LLVMBuildStore(g->b, v, g->insns);
    g->pending = 0;
}

/* A block that ends the run with a fault at the current instruction. code may be a constant or
 * a run-time value (minus a helper's return). */
static LLVMBasicBlockRef fault_block(Gen *g, LLVMValueRef code32)
{
    LLVMBasicBlockRef here = LLVMGetInsertBlock(g->b);
    LLVMBasicBlockRef bb = new_block(g, "fault");
    LLVMPositionBuilderAtEnd(g->b, bb);
    LLVMBuildStore(g->b, code32, g->fcode);
    LLVMBuildStore(g->b, k32(g, g->pc), g->fpc);
    LLVMBuildBr(g->b, g->fault_bb);
    LLVMPositionBuilderAtEnd(g->b, here);
    return bb;
}

/* Goes on in a new block when ok, else faults with code. */
static void check(Gen *g, LLVMValueRef ok, unsigned code)
{
    LLVMBasicBlockRef bad = fault_block(g, k32(g, code));
    LLVMBasicBlockRef next = new_block(g, "ok");
    LLVMBuildCondBr(g->b, ok, next, bad);
    LLVMPositionBuilderAtEnd(g->b, next);
}

/* A helper's int64 result: negative means fault -rc; returns rc. */
static LLVMValueRef check_rc(Gen *g, LLVMValueRef rc)
{
    LLVMValueRef neg = LLVMBuildICmp(g->b, LLVMIntSLT, rc, k64(g, 0), "");
    LLVMValueRef code = LLVMBuildTrunc(g->b, LLVMBuildNeg(g->b, rc, ""), g->i32, "");
    LLVMBasicBlockRef bad = fault_block(g, code);
    LLVMBasicBlockRef next = new_block(g, "ok");
    LLVMBuildCondBr(g->b, neg, bad, next);
    LLVMPositionBuilderAtEnd(g->b, next);
    return rc;
}

/* [o, o+n) inside [0, size), size a run-time value: o <= size && n <= size - o. */
static LLVMValueRef in_range(Gen *g, LLVMValueRef o, LLVMValueRef n, LLVMValueRef size)
{
    LLVMValueRef a = LLVMBuildICmp(g->b, LLVMIntULE, o, size, "");
    LLVMValueRef b = LLVMBuildICmp(g->b, LLVMIntULE, n, LLVMBuildSub(g->b, size, o, ""), "");
    return LLVMBuildAnd(g->b, a, b, "");
}

/* The same against the state size, a constant: o <= size - n when n <= size, else never. */
static LLVMValueRef in_state(Gen *g, LLVMValueRef o, uint64_t n)
{
    uint64_t size = g->img->state_size;
    if (n > size)
        return LLVMConstInt(g->i1, 0, 0);
    return LLVMBuildICmp(g->b, LLVMIntULE, o, k64(g, size - n), "");
}

static LLVMValueRef byte_ptr(Gen *g, LLVMValueRef base, LLVMValueRef off)
{
    return LLVMBuildGEP2(g->b, g->i8, base, &off, 1, "");
}

static LLVMTypeRef int_type(Gen *g, unsigned bytes)
{
    return bytes == 1 ? g->i8 : bytes == 2 ? g->i16 : bytes == 4 ? g->i32 : g->i64;
}

static LLVMValueRef swap(Gen *g, LLVMValueRef v, unsigned bytes)
{
    LLVMValueRef f = bytes == 2 ? g->bswap16 : bytes == 4 ? g->bswap32 : g->bswap64;
    LLVMTypeRef t = bytes == 2 ? g->t_bswap16 : bytes == 4 ? g->t_bswap32 : g->t_bswap64;
    return LLVMBuildCall2(g->b, t, f, &v, 1, "");
}

/* Loads a bytes-wide field at p in the given byte order, zero-extended to 64 bits. */
static LLVMValueRef load_field(Gen *g, LLVMValueRef p, unsigned bytes, bool big)
{
    LLVMTypeRef t = int_type(g, bytes);
    LLVMValueRef tp = LLVMBuildBitCast(g->b, p, LLVMPointerType(t, 0), "");
    LLVMValueRef v = load(g, t, tp);
    LLVMSetAlignment(v, 1);
    if (bytes > 1 && big != g->big_endian)
        v = swap(g, v, bytes);
    return bytes == 8 ? v : LLVMBuildZExt(g->b, v, g->i64, "");
}

static void store_field(Gen *g, LLVMValueRef p, LLVMValueRef v64, unsigned bytes, bool big)
{
    LLVMTypeRef t = int_type(g, bytes);
    LLVMValueRef tp = LLVMBuildBitCast(g->b, p, LLVMPointerType(t, 0), "");
    LLVMValueRef v = bytes == 8 ? v64 : LLVMBuildTrunc(g->b, v64, t, "");
    if (bytes > 1 && big != g->big_endian)
        v = swap(g, v, bytes);
    LLVMValueRef st = LLVMBuildStore(g->b, v, tp);
    LLVMSetAlignment(st, 1);
}

/* ---- Control transfers -------------------------------------------------------------------- */

/* A check point before going to target: FUEL at the current instruction when the packet's
 * budget is used up, a yield resuming at target when the slice is. Count already flushed. */
static void checkpoint_to(Gen *g, uint32_t target)
{
    LLVMValueRef n = load(g, g->i64, g->insns);
    LLVMBasicBlockRef slow = new_block(g, "cp_slow");
    LLVMBuildCondBr(g->b, LLVMBuildICmp(g->b, LLVMIntUGE, n, g->limit, ""), slow, g->blk[target]);
    LLVMPositionBuilderAtEnd(g->b, slow);
    LLVMBasicBlockRef fuel = fault_block(g, k32(g, SL_FAULT_FUEL));
    LLVMBasicBlockRef yield = new_block(g, "yield");
    LLVMBuildCondBr(g->b, LLVMBuildICmp(g->b, LLVMIntUGE, n, g->budget, ""), fuel, yield);
    LLVMPositionBuilderAtEnd(g->b, yield);
    LLVMBuildStore(g->b, k32(g, target), g->ypc);
    LLVMBuildBr(g->b, g->yield_bb);
}

/* Unconditional transfer to target from the current instruction (count flushed). */
static void jump_to(Gen *g, uint32_t target)
{
    if (target <= g->pc)
        checkpoint_to(g, target);
    else
        LLVMBuildBr(g->b, g->blk[target]);
}

static void branch(Gen *g, LLVMIntPredicate pred, LLVMValueRef a, LLVMValueRef b, bool set)
{
    const SlInsn *in = &g->code[g->pc];
    uint32_t target = (uint32_t)((int64_t)g->pc + 1 + in->off);
    flush(g);
    LLVMValueRef cond = set ? LLVMBuildICmp(g->b, LLVMIntNE, LLVMBuildAnd(g->b, a, b, ""), k64(g, 0), "")
                            : LLVMBuildICmp(g->b, pred, a, b, "");
    if (target > g->pc) {
        LLVMBuildCondBr(g->b, cond, g->blk[target], g->blk[g->pc + 1]);
        return;
    }
    LLVMBasicBlockRef taken = new_block(g, "back");
    LLVMBuildCondBr(g->b, cond, taken, g->blk[g->pc + 1]);
    LLVMPositionBuilderAtEnd(g->b, taken);
    checkpoint_to(g, target);
}

static void end_run(Gen *g, unsigned verdict, LLVMValueRef port32)
{
    flush(g);
    LLVMBuildStore(g->b, k32(g, verdict), g->verdict);
    LLVMBuildStore(g->b, port32 ? port32 : k32(g, 0), g->port);
    LLVMBuildBr(g->b, g->done_bb);
}

static void emit_call(Gen *g, uint32_t func)
{
    flush(g);
    LLVMValueRef d = load(g, g->i32, g->depth);
    LLVMValueRef idx = LLVMBuildZExt(g->b, d, g->i64, "");
    LLVMValueRef f = LLVMBuildGEP2(g->b, g->frame_t, g->frames_p, &idx, 1, "");
    LLVMBuildStore(g->b, k32(g, g->pc + 1), LLVMBuildStructGEP2(g->b, g->frame_t, f, 0, ""));
    LLVMValueRef saved = LLVMBuildStructGEP2(g->b, g->frame_t, f, 1, "");
    for (unsigned r = 6; r < SL_NREGS; r++) {
        LLVMValueRef ix[2] = {k32(g, 0), k32(g, r - 6)};
        LLVMValueRef p = LLVMBuildGEP2(g->b, LLVMArrayType(g->i64, SL_NATIVE_FRAME_SAVED), saved, ix, 2, "");
        LLVMBuildStore(g->b, R(g, r), p);
    }
    LLVMBuildStore(g->b, LLVMBuildAdd(g->b, d, k32(g, 1), ""), g->depth);
    checkpoint_to(g, sl_image_func(g->img, func).entry);
}

static void emit_ret(Gen *g)
{
    flush(g);
    LLVMValueRef d = load(g, g->i32, g->depth);
    LLVMBasicBlockRef pop = new_block(g, "ret_pop");
    LLVMBasicBlockRef end = new_block(g, "ret_end");
    LLVMBuildCondBr(g->b, LLVMBuildICmp(g->b, LLVMIntEQ, d, k32(g, 0), ""), end, pop);
    LLVMPositionBuilderAtEnd(g->b, end);
    end_run(g, SL_VERDICT_DROP, NULL);

    LLVMPositionBuilderAtEnd(g->b, pop);
    LLVMValueRef nd = LLVMBuildSub(g->b, d, k32(g, 1), "");
    LLVMBuildStore(g->b, nd, g->depth);
    LLVMValueRef idx = LLVMBuildZExt(g->b, nd, g->i64, "");
    LLVMValueRef f = LLVMBuildGEP2(g->b, g->frame_t, g->frames_p, &idx, 1, "");
    LLVMValueRef saved = LLVMBuildStructGEP2(g->b, g->frame_t, f, 1, "");
    for (unsigned r = 6; r < SL_NREGS; r++) {
        LLVMValueRef ix[2] = {k32(g, 0), k32(g, r - 6)};
        LLVMValueRef p = LLVMBuildGEP2(g->b, LLVMArrayType(g->i64, SL_NATIVE_FRAME_SAVED), saved, ix, 2, "");
        W(g, r, load(g, g->i64, p));
    }
    LLVMValueRef rpc = load(g, g->i32, LLVMBuildStructGEP2(g->b, g->frame_t, f, 0, ""));
    /* Return sites: the instruction after each call of this function. */
    uint32_t fn = g->func_of[g->pc];
    unsigned sites = 0;
    for (uint32_t i = 0; i < g->n; i++)
        sites += g->code[i].op == SL_OP_CALL && (uint32_t)g->code[i].imm == fn;
    LLVMValueRef sw = LLVMBuildSwitch(g->b, rpc, g->bad_bb, sites);
    for (uint32_t i = 0; i < g->n; i++)
        if (g->code[i].op == SL_OP_CALL && (uint32_t)g->code[i].imm == fn)
            LLVMAddCase(sw, k32(g, i + 1), g->blk[i + 1]);
}

/* ---- One instruction ---------------------------------------------------------------------- */

static void emit_insn(Gen *g, const SlInsn *in)
{
    LLVMBuilderRef b = g->b;
    const unsigned A = in->a, B = in->b;
    const LLVMValueRef imm = k64(g, (uint64_t)(int64_t)in->imm);
    const LLVMValueRef off = k64(g, (uint64_t)(int64_t)in->off);
    LLVMValueRef v, o;

#define ALU(op, rhs) W(g, A, op(b, R(g, A), (rhs), ""))
#define SHIFT(op, rhs) W(g, A, op(b, R(g, A), LLVMBuildAnd(b, (rhs), k64(g, 63), ""), ""))
    switch ((SlOpcode)in->op) {
    case SL_OP_MOV: W(g, A, R(g, B)); break;
    case SL_OP_MOVI: W(g, A, imm); break;
    case SL_OP_LDK: W(g, A, k64(g, sl_image_const(g->img, (uint32_t)in->imm))); break;
    case SL_OP_ADD: ALU(LLVMBuildAdd, R(g, B)); break;
    case SL_OP_ADDI: ALU(LLVMBuildAdd, imm); break;
    case SL_OP_SUB: ALU(LLVMBuildSub, R(g, B)); break;
    case SL_OP_SUBI: ALU(LLVMBuildSub, imm); break;
    case SL_OP_MUL: ALU(LLVMBuildMul, R(g, B)); break;
    case SL_OP_MULI: ALU(LLVMBuildMul, imm); break;
    case SL_OP_DIV:
    case SL_OP_MOD:
        flush(g);
        v = R(g, B);
        check(g, LLVMBuildICmp(b, LLVMIntNE, v, k64(g, 0), ""), SL_FAULT_DIV_ZERO);
        W(g, A, in->op == SL_OP_DIV ? LLVMBuildUDiv(b, R(g, A), v, "") : LLVMBuildURem(b, R(g, A), v, ""));
        break;
    case SL_OP_DIVI: ALU(LLVMBuildUDiv, imm); break; /* the verifier rejects a zero immediate */
    case SL_OP_MODI: ALU(LLVMBuildURem, imm); break;
    case SL_OP_SDIV:
    case SL_OP_SMOD: {
        flush(g);
        v = R(g, B);
        check(g, LLVMBuildICmp(b, LLVMIntNE, v, k64(g, 0), ""), SL_FAULT_DIV_ZERO);
        /* x / -1 = -x and x % -1 = 0, wrapping: divide by 1 instead, never by -1 (UB in IR) */
        LLVMValueRef m1 = LLVMBuildICmp(b, LLVMIntEQ, v, k64(g, ~0ull), "");
        LLVMValueRef d = LLVMBuildSelect(b, m1, k64(g, 1), v, "");
        LLVMValueRef a = R(g, A);
        if (in->op == SL_OP_SDIV)
            W(g, A, LLVMBuildSelect(b, m1, LLVMBuildNeg(b, a, ""), LLVMBuildSDiv(b, a, d, ""), ""));
        else
            W(g, A, LLVMBuildSRem(b, a, d, ""));
        break;
    }
    case SL_OP_SDIVI:
        W(g, A, in->imm == -1 ? LLVMBuildNeg(b, R(g, A), "") : LLVMBuildSDiv(b, R(g, A), imm, ""));
        break;
    case SL_OP_SMODI:
        W(g, A, in->imm == -1 ? k64(g, 0) : LLVMBuildSRem(b, R(g, A), imm, ""));
        break;
    case SL_OP_AND: ALU(LLVMBuildAnd, R(g, B)); break;
    case SL_OP_ANDI: ALU(LLVMBuildAnd, imm); break;
    case SL_OP_OR: ALU(LLVMBuildOr, R(g, B)); break;
    case SL_OP_ORI: ALU(LLVMBuildOr, imm); break;
    case SL_OP_XOR: ALU(LLVMBuildXor, R(g, B)); break;
    case SL_OP_XORI: ALU(LLVMBuildXor, imm); break;
    case SL_OP_SHL: SHIFT(LLVMBuildShl, R(g, B)); break;
    case SL_OP_SHLI: SHIFT(LLVMBuildShl, imm); break;
    case SL_OP_SHR: SHIFT(LLVMBuildLShr, R(g, B)); break;
    case SL_OP_SHRI: SHIFT(LLVMBuildLShr, imm); break;
    case SL_OP_SAR: SHIFT(LLVMBuildAShr, R(g, B)); break;
    case SL_OP_SARI: SHIFT(LLVMBuildAShr, imm); break;
    case SL_OP_NEG: W(g, A, LLVMBuildNeg(b, R(g, A), "")); break;
    case SL_OP_NOT: W(g, A, LLVMBuildNot(b, R(g, A), "")); break;
    case SL_OP_ZEXT8: W(g, A, LLVMBuildAnd(b, R(g, B), k64(g, 0xff), "")); break;
    case SL_OP_ZEXT16: W(g, A, LLVMBuildAnd(b, R(g, B), k64(g, 0xffff), "")); break;
    case SL_OP_ZEXT32: W(g, A, LLVMBuildAnd(b, R(g, B), k64(g, 0xffffffffull), "")); break;
    case SL_OP_SEXT8: W(g, A, LLVMBuildSExt(b, LLVMBuildTrunc(b, R(g, B), g->i8, ""), g->i64, "")); break;
    case SL_OP_SEXT16: W(g, A, LLVMBuildSExt(b, LLVMBuildTrunc(b, R(g, B), g->i16, ""), g->i64, "")); break;
    case SL_OP_SEXT32: W(g, A, LLVMBuildSExt(b, LLVMBuildTrunc(b, R(g, B), g->i32, ""), g->i64, "")); break;

    case SL_OP_JA:
        flush(g);
        jump_to(g, (uint32_t)((int64_t)g->pc + 1 + in->off));
        break;
    case SL_OP_JEQ: branch(g, LLVMIntEQ, R(g, A), R(g, B), false); break;
    case SL_OP_JEQI: branch(g, LLVMIntEQ, R(g, A), imm, false); break;
    case SL_OP_JNE: branch(g, LLVMIntNE, R(g, A), R(g, B), false); break;
    case SL_OP_JNEI: branch(g, LLVMIntNE, R(g, A), imm, false); break;
    case SL_OP_JLT: branch(g, LLVMIntULT, R(g, A), R(g, B), false); break;
    case SL_OP_JLTI: branch(g, LLVMIntULT, R(g, A), imm, false); break;
    case SL_OP_JLE: branch(g, LLVMIntULE, R(g, A), R(g, B), false); break;
    case SL_OP_JLEI: branch(g, LLVMIntULE, R(g, A), imm, false); break;
    case SL_OP_JGT: branch(g, LLVMIntUGT, R(g, A), R(g, B), false); break;
    case SL_OP_JGTI: branch(g, LLVMIntUGT, R(g, A), imm, false); break;
    case SL_OP_JGE: branch(g, LLVMIntUGE, R(g, A), R(g, B), false); break;
    case SL_OP_JGEI: branch(g, LLVMIntUGE, R(g, A), imm, false); break;
    case SL_OP_JSLT: branch(g, LLVMIntSLT, R(g, A), R(g, B), false); break;
    case SL_OP_JSLTI: branch(g, LLVMIntSLT, R(g, A), imm, false); break;
    case SL_OP_JSLE: branch(g, LLVMIntSLE, R(g, A), R(g, B), false); break;
    case SL_OP_JSLEI: branch(g, LLVMIntSLE, R(g, A), imm, false); break;
    case SL_OP_JSGT: branch(g, LLVMIntSGT, R(g, A), R(g, B), false); break;
    case SL_OP_JSGTI: branch(g, LLVMIntSGT, R(g, A), imm, false); break;
    case SL_OP_JSGE: branch(g, LLVMIntSGE, R(g, A), R(g, B), false); break;
    case SL_OP_JSGEI: branch(g, LLVMIntSGE, R(g, A), imm, false); break;
    case SL_OP_JSET: branch(g, LLVMIntNE, R(g, A), R(g, B), true); break;
    case SL_OP_JSETI: branch(g, LLVMIntNE, R(g, A), imm, true); break;
    case SL_OP_CALL: emit_call(g, (uint32_t)in->imm); break;
    case SL_OP_RET: emit_ret(g); break;
    case SL_OP_EXIT: end_run(g, SL_VERDICT_DROP, NULL); break;
    case SL_OP_TRAP: {
        flush(g);
        LLVMBuildStore(b, k32(g, (uint32_t)in->imm), g->ftrap);
        LLVMBasicBlockRef bad = fault_block(g, k32(g, SL_FAULT_TRAP));
        LLVMBuildBr(b, bad);
        break;
    }

    case SL_OP_LDM8: case SL_OP_LDM16: case SL_OP_LDM32: case SL_OP_LDM64: {
        unsigned n = 1u << (in->op - SL_OP_LDM8);
        flush(g);
        o = LLVMBuildAdd(b, R(g, B), off, "");
        check(g, in_state(g, o, n), SL_FAULT_MEM_BOUNDS);
        W(g, A, load_field(g, byte_ptr(g, g->state_p, o), n, false));
        break;
    }
    case SL_OP_STM8: case SL_OP_STM16: case SL_OP_STM32: case SL_OP_STM64: {
        unsigned n = 1u << (in->op - SL_OP_STM8);
        flush(g);
        o = LLVMBuildAdd(b, R(g, A), off, "");
        check(g, in_state(g, o, n), SL_FAULT_MEM_BOUNDS);
        store_field(g, byte_ptr(g, g->state_p, o), R(g, B), n, false);
        break;
    }
    case SL_OP_LDP8: case SL_OP_LDP16: case SL_OP_LDP32: case SL_OP_LDP64: {
        unsigned n = 1u << (in->op - SL_OP_LDP8);
        flush(g);
        o = LLVMBuildAdd(b, R(g, B), off, "");
        check(g, in_range(g, o, k64(g, n), load(g, g->i64, g->plen)), SL_FAULT_PKT_BOUNDS);
        W(g, A, load_field(g, byte_ptr(g, load(g, g->p8, g->pd), o), n, true));
        break;
    }
    case SL_OP_STP8: case SL_OP_STP16: case SL_OP_STP32: case SL_OP_STP64: {
        unsigned n = 1u << (in->op - SL_OP_STP8);
        flush(g);
        o = LLVMBuildAdd(b, R(g, A), off, "");
        check(g, in_range(g, o, k64(g, n), load(g, g->i64, g->plen)), SL_FAULT_PKT_BOUNDS);
        store_field(g, byte_ptr(g, load(g, g->p8, g->pd), o), R(g, B), n, true);
        break;
    }
    case SL_OP_LDP8_NC: case SL_OP_LDP16_NC: case SL_OP_LDP32_NC: case SL_OP_LDP64_NC: {
        unsigned n = 1u << (in->op - SL_OP_LDP8_NC);
        o = LLVMBuildAdd(b, R(g, B), off, "");
        W(g, A, load_field(g, byte_ptr(g, load(g, g->p8, g->pd), o), n, true));
        break;
    }
    case SL_OP_STP8_NC: case SL_OP_STP16_NC: case SL_OP_STP32_NC: case SL_OP_STP64_NC: {
        unsigned n = 1u << (in->op - SL_OP_STP8_NC);
        o = LLVMBuildAdd(b, R(g, A), off, "");
        store_field(g, byte_ptr(g, load(g, g->p8, g->pd), o), R(g, B), n, true);
        break;
    }

    case SL_OP_PLEN: W(g, A, load(g, g->i64, g->plen)); break;
    case SL_OP_INPORT: W(g, A, ctx_load(g, CX_IN_PORT, g->i64)); break;
    case SL_OP_TSTAMP: W(g, A, ctx_load(g, CX_TSTAMP, g->i64)); break;
    case SL_OP_NOW: W(g, A, ctx_load(g, CX_NOW, g->i64)); break;
    case SL_OP_PADJH: case SL_OP_PADJT: case SL_OP_PNEW: {
        flush(g);
        LLVMValueRef args[3] = {g->ctx, k32(g, (uint32_t)(in->op - SL_OP_PADJH)), R(g, A)};
        check_rc(g, LLVMBuildCall2(b, g->t_resize, g->h_resize, args, 3, ""));
        LLVMBuildStore(b, ctx_load(g, CX_PKT, g->p8), g->pd);
        LLVMBuildStore(b, ctx_load(g, CX_PKT_LEN, g->i64), g->plen);
        break;
    }
    case SL_OP_SEND: {
        flush(g);
        v = R(g, A);
        check(g, LLVMBuildICmp(b, LLVMIntULT, v, k64(g, g->img->port_count), ""), SL_FAULT_BAD_PORT);
        end_run(g, SL_VERDICT_SEND, LLVMBuildTrunc(b, v, g->i32, ""));
        break;
    }
    case SL_OP_CLONE: {
        flush(g);
        v = R(g, A);
        check(g, LLVMBuildICmp(b, LLVMIntULT, v, k64(g, g->img->port_count), ""), SL_FAULT_BAD_PORT);
        LLVMValueRef args[2] = {g->ctx, LLVMBuildTrunc(b, v, g->i32, "")};
        LLVMBuildCall2(b, g->t_clone, g->h_clone, args, 2, "");
        break;
    }
    case SL_OP_DROP: end_run(g, SL_VERDICT_DROP, NULL); break;
    case SL_OP_PUNT: end_run(g, SL_VERDICT_PUNT, NULL); break;

    case SL_OP_TGET: case SL_OP_TPUT: {
        flush(g);
        LLVMValueRef args[4] = {g->ctx, k32(g, (uint32_t)in->imm), R(g, B), R(g, sl_insn_c(in))};
        LLVMValueRef h = in->op == SL_OP_TGET ? g->h_tget : g->h_tput;
        W(g, A, check_rc(g, LLVMBuildCall2(b, g->t_tget, h, args, 4, "")));
        break;
    }
    case SL_OP_TDEL: {
        flush(g);
        LLVMValueRef args[3] = {g->ctx, k32(g, (uint32_t)in->imm), R(g, B)};
        W(g, A, check_rc(g, LLVMBuildCall2(b, g->t_tdel, g->h_tdel, args, 3, "")));
        break;
    }
    case SL_OP_CSUM: {
        flush(g);
        LLVMValueRef args[4] = {g->ctx, R(g, A), R(g, B), R(g, sl_insn_c(in))};
        W(g, A, check_rc(g, LLVMBuildCall2(b, g->t_csum, g->h_csum, args, 4, "")));
        break;
    }
    case SL_OP_HASH: {
        flush(g);
        uint64_t n = (uint64_t)(int64_t)in->imm;
        v = R(g, B);
        check(g, in_state(g, v, n), SL_FAULT_MEM_BOUNDS);
        LLVMValueRef args[2] = {byte_ptr(g, g->state_p, v), k64(g, n)};
        W(g, A, LLVMBuildCall2(b, g->t_hash, g->h_hash, args, 2, ""));
        break;
    }
    case SL_OP_RAND: {
        /* SplitMix64: state += golden gamma; the result is the finaliser of the new state */
        LLVMValueRef s = LLVMBuildAdd(b, ctx_load(g, CX_RNG, g->i64), k64(g, 0x9e3779b97f4a7c15ull), "");
        ctx_store(g, CX_RNG, s);
        LLVMValueRef x = s;
        x = LLVMBuildXor(b, x, LLVMBuildLShr(b, x, k64(g, 30), ""), "");
        x = LLVMBuildMul(b, x, k64(g, 0xbf58476d1ce4e5b9ull), "");
        x = LLVMBuildXor(b, x, LLVMBuildLShr(b, x, k64(g, 27), ""), "");
        x = LLVMBuildMul(b, x, k64(g, 0x94d049bb133111ebull), "");
        x = LLVMBuildXor(b, x, LLVMBuildLShr(b, x, k64(g, 31), ""), "");
        W(g, A, x);
        break;
    }
    case SL_OP_COUNT: break;
    }
#undef ALU
#undef SHIFT
}

/* Does control never fall through to the next instruction? */
static bool ends_block(unsigned op)
{
    unsigned cls = sl_op_info[op].cls;
    return cls == SL_C_JUMP || cls == SL_C_RET || cls == SL_C_END;
}

static bool transfers(unsigned op)
{
    unsigned cls = sl_op_info[op].cls;
    return ends_block(op) || cls == SL_C_BRANCH || cls == SL_C_CALL;
}

/* ---- The function --------------------------------------------------------------------------- */

static void declare_types(Gen *g)
{
    LLVMContextRef cx = g->cx;
    g->void_t = LLVMVoidTypeInContext(cx);
    g->i1 = LLVMInt1TypeInContext(cx);
    g->i8 = LLVMInt8TypeInContext(cx);
    g->i16 = LLVMInt16TypeInContext(cx);
    g->i32 = LLVMInt32TypeInContext(cx);
    g->i64 = LLVMInt64TypeInContext(cx);
    g->p8 = LLVMPointerType(g->i8, 0);
    g->p64 = LLVMPointerType(g->i64, 0);
    LLVMTypeRef fr[2] = {g->i32, LLVMArrayType(g->i64, SL_NATIVE_FRAME_SAVED)};
    g->frame_t = LLVMStructCreateNamed(cx, "SlNativeFrame");
    LLVMStructSetBody(g->frame_t, fr, 2, 0);
    g->frame_p = LLVMPointerType(g->frame_t, 0);
    g->ctx_t = LLVMStructCreateNamed(cx, "SlNativeCtx");
    LLVMTypeRef f[CX_COUNT];
    f[CX_REGS] = g->p64;
    f[CX_FRAMES] = g->frame_p;
    f[CX_STATE] = g->p8;
    f[CX_PKT] = g->p8;
    f[CX_RT] = g->p8;
    for (unsigned i = CX_PKT_LEN; i <= CX_RNG; i++)
        f[i] = g->i64;
    for (unsigned i = CX_PC; i < CX_COUNT; i++)
        f[i] = g->i32;
    LLVMStructSetBody(g->ctx_t, f, CX_COUNT, 0);
    g->ctx_p = LLVMPointerType(g->ctx_t, 0);
    LLVMTypeRef ent[1] = {g->ctx_p};
    g->fn_t = LLVMFunctionType(g->void_t, ent, 1, 0);
}

static LLVMValueRef declare_fn(Gen *g, const char *name, LLVMTypeRef t)
{
    LLVMValueRef f = LLVMAddFunction(g->mod, name, t);
    LLVMSetLinkage(f, LLVMExternalLinkage);
    return f;
}

static void declare_helpers(Gen *g)
{
    LLVMTypeRef tget[4] = {g->ctx_p, g->i32, g->i64, g->i64};
    g->t_tget = LLVMFunctionType(g->i64, tget, 4, 0);
    g->t_tdel = LLVMFunctionType(g->i64, tget, 3, 0);
    LLVMTypeRef csum[4] = {g->ctx_p, g->i64, g->i64, g->i64};
    g->t_csum = LLVMFunctionType(g->i64, csum, 4, 0);
    LLVMTypeRef rs[3] = {g->ctx_p, g->i32, g->i64};
    g->t_resize = LLVMFunctionType(g->i64, rs, 3, 0);
    LLVMTypeRef cl[2] = {g->ctx_p, g->i32};
    g->t_clone = LLVMFunctionType(g->void_t, cl, 2, 0);
    LLVMTypeRef hs[2] = {g->p8, g->i64};
    g->t_hash = LLVMFunctionType(g->i64, hs, 2, 0);
    g->h_tget = declare_fn(g, "sl_native_rt_tget", g->t_tget);
    g->h_tput = declare_fn(g, "sl_native_rt_tput", g->t_tget);
    g->h_tdel = declare_fn(g, "sl_native_rt_tdel", g->t_tdel);
    g->h_csum = declare_fn(g, "sl_native_rt_csum", g->t_csum);
    g->h_resize = declare_fn(g, "sl_native_rt_resize", g->t_resize);
    g->h_clone = declare_fn(g, "sl_native_rt_clone", g->t_clone);
    g->h_hash = declare_fn(g, "sl_native_rt_hash", g->t_hash);
    g->t_bswap16 = LLVMFunctionType(g->i16, &g->i16, 1, 0);
    g->t_bswap32 = LLVMFunctionType(g->i32, &g->i32, 1, 0);
    g->t_bswap64 = LLVMFunctionType(g->i64, &g->i64, 1, 0);
    g->bswap16 = LLVMAddFunction(g->mod, "llvm.bswap.i16", g->t_bswap16);
    g->bswap32 = LLVMAddFunction(g->mod, "llvm.bswap.i32", g->t_bswap32);
    g->bswap64 = LLVMAddFunction(g->mod, "llvm.bswap.i64", g->t_bswap64);
}

/* Stores what an exit writes back: count, depth, status, and for a yield the registers. A run
 * that ended leaves registers nobody can read (the verifier makes every handler write before
 * reading, and sl_vm_regs shows yielded runs only); not storing them keeps each register live
 * only as long as the program uses it, which is most of the speed and compile time. */
static void exit_block(Gen *g, LLVMBasicBlockRef bb, unsigned status)
{
    LLVMPositionBuilderAtEnd(g->b, bb);
    for (unsigned r = 0; status == SL_RUN_YIELD && r < SL_NREGS; r++) {
        LLVMValueRef ix = k64(g, r);
        LLVMBuildStore(g->b, R(g, r), LLVMBuildGEP2(g->b, g->i64, g->regs_p, &ix, 1, ""));
    }
    ctx_store(g, CX_INSNS, load(g, g->i64, g->insns));
    ctx_store(g, CX_DEPTH, load(g, g->i32, g->depth));
    ctx_store(g, CX_STATUS, k32(g, status));
    switch (status) {
    case SL_RUN_DONE:
        ctx_store(g, CX_VERDICT, load(g, g->i32, g->verdict));
        ctx_store(g, CX_PORT, load(g, g->i32, g->port));
        break;
    case SL_RUN_FAULT:
        ctx_store(g, CX_FAULT, load(g, g->i32, g->fcode));
        ctx_store(g, CX_PC, load(g, g->i32, g->fpc));
        ctx_store(g, CX_TRAP, load(g, g->i32, g->ftrap));
        break;
    case SL_RUN_YIELD: ctx_store(g, CX_PC, load(g, g->i32, g->ypc)); break;
    default: break;
    }
    LLVMBuildRetVoid(g->b);
}

static int build(Gen *g, const char *name, char *err, size_t errcap)
{
    char sym[256];
    snprintf(sym, sizeof sym, "%s_entry", name);
    g->fn = LLVMAddFunction(g->mod, sym, g->fn_t);
    LLVMSetFunctionCallConv(g->fn, LLVMCCallConv);
    g->ctx = LLVMGetParam(g->fn, 0);
    LLVMSetValueName2(g->ctx, "ctx", 3);

    LLVMBasicBlockRef entry = new_block(g, "entry");
    LLVMPositionBuilderAtEnd(g->b, entry);
    for (unsigned r = 0; r < SL_NREGS; r++) {
        char rn[8];
        snprintf(rn, sizeof rn, "r%u", r);
        g->reg[r] = LLVMBuildAlloca(g->b, g->i64, rn);
    }
    g->insns = LLVMBuildAlloca(g->b, g->i64, "insns");
    g->depth = LLVMBuildAlloca(g->b, g->i32, "depth");
    g->pd = LLVMBuildAlloca(g->b, g->p8, "pd");
    g->plen = LLVMBuildAlloca(g->b, g->i64, "plen");
    g->fcode = LLVMBuildAlloca(g->b, g->i32, "fcode");
    g->fpc = LLVMBuildAlloca(g->b, g->i32, "fpc");
    g->ftrap = LLVMBuildAlloca(g->b, g->i32, "ftrap");
    g->verdict = LLVMBuildAlloca(g->b, g->i32, "verdict");
    g->port = LLVMBuildAlloca(g->b, g->i32, "port");
    g->ypc = LLVMBuildAlloca(g->b, g->i32, "ypc");

    g->regs_p = ctx_load(g, CX_REGS, g->p64);
    g->frames_p = ctx_load(g, CX_FRAMES, g->frame_p);
    g->state_p = ctx_load(g, CX_STATE, g->p8);
    g->limit = ctx_load(g, CX_LIMIT, g->i64);
    g->budget = ctx_load(g, CX_BUDGET, g->i64);
    LLVMBuildStore(g->b, ctx_load(g, CX_INSNS, g->i64), g->insns);
    LLVMBuildStore(g->b, ctx_load(g, CX_DEPTH, g->i32), g->depth);
    LLVMBuildStore(g->b, ctx_load(g, CX_PKT, g->p8), g->pd);
    LLVMBuildStore(g->b, ctx_load(g, CX_PKT_LEN, g->i64), g->plen);
    LLVMBuildStore(g->b, k32(g, 0), g->ftrap);
    LLVMBuildStore(g->b, k32(g, 0), g->fcode);
    LLVMBuildStore(g->b, k32(g, 0), g->fpc);
    LLVMBuildStore(g->b, k32(g, 0), g->ypc);
    LLVMBuildStore(g->b, k32(g, 0), g->verdict);
    LLVMBuildStore(g->b, k32(g, 0), g->port);
    LLVMValueRef pc = ctx_load(g, CX_PC, g->i32);

    g->done_bb = new_block(g, "done");
    g->fault_bb = new_block(g, "faulted");
    g->yield_bb = new_block(g, "yielded");
    g->bad_bb = new_block(g, "bad_pc");

    /* Leaders and resume points. */
    uint32_t n = g->n;
    bool *leader = calloc(n + 1, 1), *resume = calloc(n + 1, 1), *loop_target = calloc(n + 1, 1);
    g->blk = calloc(n + 1, sizeof *g->blk);
    g->func_of = calloc(n + 1, sizeof *g->func_of);
    if (!leader || !resume || !loop_target || !g->blk || !g->func_of) {
        free(leader);
        free(resume);
        free(loop_target);
        snprintf(err, errcap, "out of memory");
        return -SL_ENOMEM;
    }
    for (uint32_t f = 0; f < g->img->func_count; f++) {
        uint32_t e = sl_image_func(g->img, f).entry;
        uint32_t end = f + 1 < g->img->func_count ? sl_image_func(g->img, f + 1).entry : n;
        leader[e] = resume[e] = true;
        for (uint32_t i = e; i < end && i < n; i++)
            g->func_of[i] = f;
    }
    for (uint32_t i = 0; i < n; i++) {
        const SlInsn *in = &g->code[i];
        unsigned cls = sl_op_info[in->op].cls;
        if (transfers(in->op) && i + 1 < n)
            leader[i + 1] = true;
        if (cls == SL_C_JUMP || cls == SL_C_BRANCH) {
            uint32_t t = (uint32_t)((int64_t)i + 1 + in->off);
            leader[t] = true;
            if (t <= i)
                resume[t] = loop_target[t] = true;
        }
    }
    unsigned nresume = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (leader[i]) {
            char bn[24];
            snprintf(bn, sizeof bn, "i%u", i);
            g->blk[i] = new_block(g, bn);
        }
        nresume += resume[i];
    }
    /* Each resume point loads the registers that can be live there: at a loop target any of
     * them; at a function entry only its arguments (the verifier lets a function read nothing
     * else before writing it, and its caller's r6..r15 come back from the frame). A handler's
     * first run loads nothing. */
    LLVMValueRef sw = LLVMBuildSwitch(g->b, pc, g->bad_bb, nresume);
    for (uint32_t i = 0; i < n; i++) {
        if (!resume[i])
            continue;
        LLVMBasicBlockRef land = new_block(g, "resume");
        LLVMAddCase(sw, k32(g, i), land);
        LLVMPositionBuilderAtEnd(g->b, land);
        unsigned lo = 0, hi = SL_NREGS - 1;
        if (!loop_target[i]) {
            lo = 1;
            hi = sl_image_func(g->img, g->func_of[i]).nargs;
        }
        for (unsigned r = lo; r <= hi; r++) {
            LLVMValueRef ix = k64(g, r);
            W(g, r, load(g, g->i64, LLVMBuildGEP2(g->b, g->i64, g->regs_p, &ix, 1, "")));
        }
        LLVMBuildBr(g->b, g->blk[i]);
    }

    /* The code. */
    bool open = false; /* the builder's block still needs a terminator */
    for (uint32_t i = 0; i < n; i++) {
        if (g->blk[i]) {
            if (open) {
                flush(g);
                LLVMBuildBr(g->b, g->blk[i]);
            }
            LLVMPositionBuilderAtEnd(g->b, g->blk[i]);
            g->pending = 0;
            open = true;
        }
        if (!open)
            continue; /* unreachable (cannot happen: every instruction after a transfer leads) */
        g->pc = i;
        g->pending++;
        emit_insn(g, &g->code[i]);
        if (ends_block(g->code[i].op) || sl_op_info[g->code[i].op].cls == SL_C_BRANCH ||
            g->code[i].op == SL_OP_CALL)
            open = false;
    }
    if (open) /* the verifier forbids falling off the end */
        LLVMBuildBr(g->b, g->bad_bb);

    exit_block(g, g->done_bb, SL_RUN_DONE);
    exit_block(g, g->fault_bb, SL_RUN_FAULT);
    exit_block(g, g->yield_bb, SL_RUN_YIELD);
    LLVMPositionBuilderAtEnd(g->b, g->bad_bb);
    ctx_store(g, CX_STATUS, k32(g, STATUS_BAD_PC));
    LLVMBuildRetVoid(g->b);

    free(leader);
    free(resume);
    free(loop_target);
    return 0;
}

/* NAME_hash and the descriptor NAME. */
static void build_data(Gen *g, const char *name)
{
    char sym[256];
    LLVMTypeRef ht = LLVMArrayType(g->i8, SL_IMAGE_HASH_SIZE);
    snprintf(sym, sizeof sym, "%s_hash", name);
    LLVMValueRef hash = LLVMAddGlobal(g->mod, ht, sym);
    LLVMSetInitializer(hash, LLVMConstStringInContext(g->cx, (const char *)g->img->hash,
                                                      SL_IMAGE_HASH_SIZE, 1));
    LLVMSetGlobalConstant(hash, 1);
    LLVMSetAlignment(hash, 8);

    LLVMTypeRef f[4] = {g->i32, g->i32, g->p8, LLVMPointerType(g->fn_t, 0)};
    LLVMTypeRef dt = LLVMStructTypeInContext(g->cx, f, 4, 0);
    LLVMValueRef zero[2] = {k32(g, 0), k32(g, 0)};
    LLVMValueRef v[4] = {k32(g, SL_NATIVE_ABI), k32(g, g->img->code_count),
                         LLVMConstGEP2(ht, hash, zero, 2), g->fn};
    LLVMValueRef desc = LLVMAddGlobal(g->mod, dt, name);
    LLVMSetInitializer(desc, LLVMConstNamedStruct(dt, v, 4));
    LLVMSetGlobalConstant(desc, 1);
    LLVMSetAlignment(desc, 8);
}

int sl_aot_translate(LLVMContextRef cx, const SlImage *img, const SlInsn *code,
                     const SlAotTarget *t, const char *name, LLVMModuleRef *out, char *err,
                     size_t errcap)
{
    Gen g;
    memset(&g, 0, sizeof g);
    g.cx = cx;
    g.img = img;
    g.code = code;
    g.n = img->code_count;
    g.big_endian = t->big_endian != 0;
    g.mod = LLVMModuleCreateWithNameInContext(name, cx);
    g.b = LLVMCreateBuilderInContext(cx);
    declare_types(&g);
    declare_helpers(&g);
    int rc = build(&g, name, err, errcap);
    if (rc == 0)
        build_data(&g, name);
    LLVMDisposeBuilder(g.b);
    free(g.blk);
    free(g.func_of);
    if (rc < 0) {
        LLVMDisposeModule(g.mod);
        return rc;
    }
    *out = g.mod;
    return 0;
}
