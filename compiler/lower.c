/* Lowering: a checked function body to IR, instructions of the ISA over virtual registers.
 *
 * - Scalar locals live in one virtual register each for the whole function (named vregs, so
 *   the debugger can name them); aggregates (arrays, structs, table values bound by if-let)
 *   live in static frame memory in the state area (no recursion: frames need no stack).
 * - Every value in a register is kept normalised to its type's width; a Val carries an upper
 *   bound on its significant bits so that zero-extensions are only emitted when an operation
 *   may really have carried past the width (`ldp16 + 14` in a u32 needs none).
 * - Conditions are lowered to branches (lower_branch), never to 0/1 values first.
 * - Packet accesses at constant offsets use a register holding 0 set in the same basic block
 *   and the offset in the instruction, so the verifier sees a known base and turns them into
 *   unchecked loads after a `plen; jlt` check; p.extract(H, const) emits that check.
 * - Unreachable statements (after return, send...) are not lowered. */
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "image.h"

typedef struct Val {
    int r;     /* register */
    int owned; /* a fresh temporary the consumer may modify */
    int bits;  /* the value, as an unsigned 64-bit number, is below 2^bits */
} Val;

typedef struct Place {
    int base;    /* register holding a base, or -1 for absolute */
    int64_t off; /* byte offset (state address or packet offset) */
} Place;

typedef struct Lower {
    Backend *be;
    Ctx *c;
    IrFunc *f;
    Decl *fn;
    int zero;          /* register known to hold 0 in the current basic block, or -1 */
    uint32_t zero_at;  /* nreal when it was set */
    uint32_t nreal;    /* instructions emitted (not labels or line markers: -g must not change the code) */
    int *brk, *cont;   /* loop labels */
    int nloops, loop_cap;
    int trap_label;    /* shared 'trap 1' for array indexes out of range, -1 until needed */
    int inl_result[8], inl_end[8]; /* functions being inlined: result register, end label */
    int ninl;
    int inl_budget;    /* tree nodes that may still be inlined into this function */
    uint32_t stamp;    /* this lowering round */
    Vec touched;       /* locals stored into during this round */
    int grew;          /* a local held wider values than assumed: lower again */
} Lower;

static Val lower_expr(Lower *L, Expr *e);
static void lower_stmt(Lower *L, Stmt *s);
static int const_of(const Expr *e, int64_t *k);
static Val arith(Lower *L, Op op, Type *t, Val a, Expr *be, Val *bv);
static void lower_branch(Lower *L, Expr *e, int label, int jump_if);
static void assign_agg(Lower *L, Place dst, Type *t, Expr *src);

/* ---- IR building --------------------------------------------------------------------- */

int ir_new_vreg(IrFunc *f)
{
    if ((uint32_t)f->nvregs + 1 > f->vcap) {
        uint32_t cap = f->vcap ? f->vcap * 2 : 256;
        Local **vl = realloc(f->vlocal, cap * sizeof *vl);
        uint8_t *ns = realloc(f->nospill, cap);
        if (!vl || !ns)
            abort();
        memset(vl + f->vcap, 0, (cap - f->vcap) * sizeof *vl);
        memset(ns + f->vcap, 0, cap - f->vcap);
        f->vlocal = vl;
        f->nospill = ns;
        f->vcap = cap;
    }
    return f->nvregs++;
}

static IrIns *emit(Lower *L, int op)
{
    IrFunc *f = L->f;
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 256;
        IrIns *p = realloc(f->code, f->cap * sizeof *p);
        if (!p)
            abort();
        f->code = p;
    }
    IrIns *in = &f->code[f->n++];
    if (op < SL_OP_COUNT)
        L->nreal++;
    in->op = (uint16_t)op;
    in->a = in->b = in->c = IR_NONE;
    in->off = 0;
    in->label = -1;
    in->imm = 0;
    return in;
}

static int vreg(Lower *L) { return ir_new_vreg(L->f); }
static int new_label(Lower *L) { return L->f->nlabels++; }

static void label(Lower *L, int id)
{
    emit(L, IR_LABEL)->imm = id;
    L->zero = -1;
}

static void op_ab(Lower *L, int op, int a, int b)
{
    IrIns *in = emit(L, op);
    in->a = a;
    in->b = b;
}

static void op_ai(Lower *L, int op, int a, int64_t imm)
{
    IrIns *in = emit(L, op);
    in->a = a;
    in->imm = imm;
}

static void op_a(Lower *L, int op, int a) { emit(L, op)->a = a; }

static void jump(Lower *L, int lab) { emit(L, SL_OP_JA)->label = lab; }

static int fits32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

static int mov_imm(Lower *L, int64_t v)
{
    int r = vreg(L);
    op_ai(L, SL_OP_MOVI, r, v); /* emit.c uses ldk for values beyond 32 bits */
    return r;
}

/* A register holding 0, valid in the current basic block. The verifier looks for the `mov`
 * at most 64 instructions back, so it is renewed well before that. */
static int zero_reg(Lower *L)
{
    if (L->zero < 0 || L->nreal - L->zero_at > 40) {
        L->zero = mov_imm(L, 0);
        L->zero_at = L->nreal;
    }
    return L->zero;
}

static int bitlen(uint64_t v)
{
    int n = 0;
    while (v) {
        n++;
        v >>= 1;
    }
    return n;
}

static int type_bits(const Type *t)
{
    if (t->kind == TY_BOOL)
        return 1;
    if (t->kind == TY_INT && !t->is_signed)
        return t->bits;
    return 64;
}

/* Notes that a value of `bits` significant bits is stored into local l. */
static void record(Lower *L, Local *l, int bits)
{
    if (l->stamp != L->stamp) {
        l->stamp = L->stamp;
        l->seen_bits = 0;
        vec_push(&L->c->arena, &L->touched, l);
    }
    if (bits > l->seen_bits)
        l->seen_bits = bits;
    if (bits > l->assumed_bits)
        L->grew = 1;
}

/* What a read of local l may hold: its type's width, narrowed by the fixpoint. */
static int local_bits(const Local *l)
{
    int tb = type_bits(l->type);
    return l->assumed_bits < tb ? l->assumed_bits : tb;
}

static Val val(int r, int owned, int bits)
{
    Val v = {r, owned, bits};
    return v;
}

static Val own(Lower *L, Val v)
{
    if (v.owned)
        return v;
    int r = vreg(L);
    op_ab(L, SL_OP_MOV, r, v.r);
    return val(r, 1, v.bits);
}

/* Brings v to t's width: zero- or sign-extends from t's bits unless the bound says it is
 * already there. */
static Val normalize(Lower *L, Val v, const Type *t)
{
    if (t->kind != TY_INT || t->bits == 64)
        return v;
    int n = t->bits;
    if (!t->is_signed) {
        if (v.bits <= n)
            return v;
        v = own(L, v);
        if (n == 8 || n == 16 || n == 32) {
            op_ab(L, n == 8 ? SL_OP_ZEXT8 : n == 16 ? SL_OP_ZEXT16 : SL_OP_ZEXT32, v.r, v.r);
        } else if (n < 31) {
            op_ai(L, SL_OP_ANDI, v.r, (int64_t)((1u << n) - 1));
        } else {
            op_ai(L, SL_OP_SHLI, v.r, 64 - n);
            op_ai(L, SL_OP_SHRI, v.r, 64 - n);
        }
        v.bits = n;
        return v;
    }
    if (v.bits < n)
        return v;
    v = own(L, v);
    if (n == 8 || n == 16 || n == 32) {
        op_ab(L, n == 8 ? SL_OP_SEXT8 : n == 16 ? SL_OP_SEXT16 : SL_OP_SEXT32, v.r, v.r);
    } else {
        op_ai(L, SL_OP_SHLI, v.r, 64 - n);
        op_ai(L, SL_OP_SARI, v.r, 64 - n);
    }
    v.bits = 64;
    return v;
}

static void loc(Lower *L, Loc l)
{
    if (!L->c->opt->debug_info)
        return;
    IrIns *in = emit(L, IR_LOC);
    in->a = (int32_t)l.file;
    in->b = (int32_t)l.line;
    in->c = (int32_t)l.col;
}

/* ---- memory ---------------------------------------------------------------------------- */

/* Makes the place usable as [base+off] for accesses up to span bytes. */
static Place fix_place(Lower *L, Place p, int span, int packet)
{
    if (p.off >= 0 && p.off + span <= 32767) {
        if (p.base < 0)
            p.base = packet ? zero_reg(L) : zero_reg(L);
        return p;
    }
    int r = mov_imm(L, p.off);
    if (p.base >= 0)
        op_ab(L, SL_OP_ADD, r, p.base);
    p.base = r;
    p.off = 0;
    return p;
}

static const int ldm_op[9] = {0, SL_OP_LDM8, SL_OP_LDM16, 0, SL_OP_LDM32, 0, 0, 0, SL_OP_LDM64};
static const int stm_op[9] = {0, SL_OP_STM8, SL_OP_STM16, 0, SL_OP_STM32, 0, 0, 0, SL_OP_STM64};
static const int ldp_op[9] = {0, SL_OP_LDP8, SL_OP_LDP16, 0, SL_OP_LDP32, 0, 0, 0, SL_OP_LDP64};
static const int stp_op[9] = {0, SL_OP_STP8, SL_OP_STP16, 0, SL_OP_STP32, 0, 0, 0, SL_OP_STP64};

static int piece(uint32_t left)
{
    return left >= 8 ? 8 : left >= 4 ? 4 : left >= 2 ? 2 : 1;
}

/* Loads `size` bytes little-endian from state memory. */
static int load_bytes(Lower *L, Place p, uint32_t size)
{
    p = fix_place(L, p, (int)size, 0);
    int r = -1;
    uint32_t done = 0;
    while (done < size) {
        int k = piece(size - done);
        int t = vreg(L);
        IrIns *in = emit(L, ldm_op[k]);
        in->a = t;
        in->b = p.base;
        in->off = (int32_t)(p.off + done);
        if (r < 0) {
            r = t;
        } else {
            op_ai(L, SL_OP_SHLI, t, 8 * done);
            op_ab(L, SL_OP_OR, r, t);
        }
        done += (uint32_t)k;
    }
    return r;
}

static Val mem_load(Lower *L, Place p, Type *t)
{
    int r = load_bytes(L, p, t->size);
    Val v = val(r, 1, t->size >= 8 ? 64 : (int)t->size * 8);
    if (t->kind == TY_INT && t->is_signed)
        v = normalize(L, val(r, 1, 64), t);
    return v;
}

static void store_bytes(Lower *L, Place p, uint32_t size, int r)
{
    p = fix_place(L, p, (int)size, 0);
    uint32_t done = 0;
    int cur = r;
    while (done < size) {
        int k = piece(size - done);
        IrIns *in = emit(L, stm_op[k]);
        in->a = p.base;
        in->b = cur;
        in->off = (int32_t)(p.off + done);
        done += (uint32_t)k;
        if (done < size) {
            int t = vreg(L);
            op_ab(L, SL_OP_MOV, t, r);
            op_ai(L, SL_OP_SHRI, t, 8 * done);
            cur = t;
        }
    }
}

static void mem_store(Lower *L, Place p, Type *t, Val v) { store_bytes(L, p, t->size, v.r); }

/* Copies size bytes of state memory. Large copies loop 8 bytes at a time. */
static void mem_copy(Lower *L, Place dst, Place src, uint32_t size)
{
    if (size > 128) {
        uint32_t words = size / 8;
        int s = mov_imm(L, src.off), d = mov_imm(L, dst.off), n = mov_imm(L, words);
        if (src.base >= 0)
            op_ab(L, SL_OP_ADD, s, src.base);
        if (dst.base >= 0)
            op_ab(L, SL_OP_ADD, d, dst.base);
        int top = new_label(L);
        label(L, top);
        int t = vreg(L);
        IrIns *in = emit(L, SL_OP_LDM64);
        in->a = t;
        in->b = s;
        in = emit(L, SL_OP_STM64);
        in->a = d;
        in->b = t;
        op_ai(L, SL_OP_ADDI, s, 8);
        op_ai(L, SL_OP_ADDI, d, 8);
        op_ai(L, SL_OP_SUBI, n, 1);
        in = emit(L, SL_OP_JNEI);
        in->a = n;
        in->imm = 0;
        in->label = top;
        uint32_t rest = size - words * 8;
        if (rest) {
            Place ps = {s, 0}, pd = {d, 0};
            int r = load_bytes(L, ps, rest);
            store_bytes(L, pd, rest, r);
        }
        return;
    }
    uint32_t done = 0;
    while (done < size) {
        uint32_t k = (uint32_t)piece(size - done);
        Place ps = {src.base, src.off + done}, pd = {dst.base, dst.off + done};
        int r = load_bytes(L, ps, k);
        store_bytes(L, pd, k, r);
        done += k;
    }
}

static void mem_zero(Lower *L, Place dst, uint32_t size)
{
    int z = mov_imm(L, 0);
    if (size > 128) {
        uint32_t words = size / 8;
        int d = mov_imm(L, dst.off), n = mov_imm(L, words);
        if (dst.base >= 0)
            op_ab(L, SL_OP_ADD, d, dst.base);
        int top = new_label(L);
        label(L, top);
        IrIns *in = emit(L, SL_OP_STM64);
        in->a = d;
        in->b = z;
        op_ai(L, SL_OP_ADDI, d, 8);
        op_ai(L, SL_OP_SUBI, n, 1);
        in = emit(L, SL_OP_JNEI);
        in->a = n;
        in->label = top;
        if (size % 8) {
            Place pd = {d, 0};
            store_bytes(L, pd, size % 8, z);
        }
        return;
    }
    uint32_t done = 0;
    while (done < size) {
        uint32_t k = (uint32_t)piece(size - done);
        Place pd = {dst.base, dst.off + done};
        store_bytes(L, pd, k, z);
        done += k;
    }
}

static int trap_label(Lower *L)
{
    if (L->trap_label < 0)
        L->trap_label = new_label(L);
    return L->trap_label;
}

/* The memory place of an lvalue or aggregate expression in state memory. */
static Place place_of(Lower *L, Expr *e)
{
    Place p = {-1, 0};
    switch ((int)e->kind) {
    case E_NAME:
        if (e->ref == REF_STATE)
            p.off = e->decl->addr;
        else if (e->ref == REF_LOCAL)
            p.off = e->local->frame_off;
        return p;
    case E_FIELD:
        p = place_of(L, e->a);
        p.off += e->field->off;
        return p;
    case E_INDEX: {
        p = place_of(L, e->a);
        Type *at = e->a->type;
        uint32_t es = at->elem->size;
        if (e->b->is_const) {
            p.off += (int64_t)e->b->cval * es;
            return p;
        }
        Val i = lower_expr(L, e->b);
        IrIns *in = emit(L, SL_OP_JGEI);
        in->a = i.r;
        in->imm = at->n;
        in->label = trap_label(L);
        Val t = own(L, i);
        if (es && !(es & (es - 1))) {
            if (es > 1)
                op_ai(L, SL_OP_SHLI, t.r, bitlen(es) - 1);
        } else {
            op_ai(L, SL_OP_MULI, t.r, es);
        }
        if (p.base >= 0)
            op_ab(L, SL_OP_ADD, t.r, p.base);
        p.base = t.r;
        return p;
    }
    }
    return p;
}

/* ---- header fields --------------------------------------------------------------------- */

static Place header_place(Local *h)
{
    Place p = {h->vreg, h->vreg >= 0 ? 0 : h->hdr_off};
    return p;
}

/* Reads nbytes big-endian packet bytes at p (within the header) into one register. */
static int pkt_read(Lower *L, Place p, uint32_t byte0, uint32_t nbytes, uint32_t hsize, uint32_t *width)
{
    for (uint32_t w = 1; w <= 8; w *= 2)
        if (w >= nbytes && byte0 + w <= hsize) {
            Place q = fix_place(L, p, (int)(byte0 + w), 1);
            int r = vreg(L);
            IrIns *in = emit(L, ldp_op[w]);
            in->a = r;
            in->b = q.base;
            in->off = (int32_t)(q.off + byte0);
            *width = w;
            return r;
        }
    Place q = fix_place(L, p, (int)(byte0 + nbytes), 1);
    int r = -1;
    uint32_t done = 0;
    while (done < nbytes) {
        uint32_t left = nbytes - done, k = left >= 4 ? 4 : left >= 2 ? 2 : 1;
        int t = vreg(L);
        IrIns *in = emit(L, ldp_op[k]);
        in->a = t;
        in->b = q.base;
        in->off = (int32_t)(q.off + byte0 + done);
        if (r < 0) {
            r = t;
        } else {
            op_ai(L, SL_OP_SHLI, r, 8 * k);
            op_ab(L, SL_OP_OR, r, t);
        }
        done += k;
    }
    *width = nbytes;
    return r;
}

static Val header_read(Lower *L, Local *h, const Field *f)
{
    uint32_t bo = f->off, w = (uint32_t)f->type->bits;
    uint32_t byte0 = bo / 8, last = (bo + w - 1) / 8, nbytes = last - byte0 + 1;
    uint32_t width;
    int r = pkt_read(L, header_place(h), byte0, nbytes, h->type->size, &width);
    uint32_t shift = width * 8 - (bo % 8) - w;
    int bits = (int)width * 8;
    if (shift) {
        op_ai(L, SL_OP_SHRI, r, shift);
        bits -= (int)shift;
    }
    return normalize(L, val(r, 1, bits), f->type);
}

static void header_write(Lower *L, Local *h, const Field *f, Val v)
{
    uint32_t bo = f->off, w = (uint32_t)f->type->bits, hsize = h->type->size;
    uint32_t byte0 = bo / 8, last = (bo + w - 1) / 8, nbytes = last - byte0 + 1;
    Place p = fix_place(L, header_place(h), (int)(last + 1), 1);
    if (bo % 8 == 0 && w % 8 == 0) {
        uint32_t done = 0;
        while (done < nbytes) {
            uint32_t left = nbytes - done, k = (uint32_t)piece(left);
            int r = v.r;
            if (left - k) {
                r = vreg(L);
                op_ab(L, SL_OP_MOV, r, v.r);
                op_ai(L, SL_OP_SHRI, r, 8 * (left - k));
            }
            IrIns *in = emit(L, stp_op[k]);
            in->a = p.base;
            in->b = r;
            in->off = (int32_t)(p.off + byte0 + done);
            done += k;
        }
        return;
    }
    /* Read-modify-write of the bytes holding the field, one byte at a time when no single
     * load of 1, 2, 4 or 8 bytes fits inside the header. */
    uint32_t width = 0;
    for (uint32_t k = 1; k <= 8; k *= 2)
        if (k >= nbytes && byte0 + k <= hsize) {
            width = k;
            break;
        }
    if (width) {
        int old = vreg(L);
        IrIns *in = emit(L, ldp_op[width]);
        in->a = old;
        in->b = p.base;
        in->off = (int32_t)(p.off + byte0);
        uint32_t shift = width * 8 - (bo % 8) - w;
        uint64_t mask = (w == 64 ? ~0ull : ((1ull << w) - 1)) << shift;
        int m = mov_imm(L, (int64_t)~mask);
        op_ab(L, SL_OP_AND, old, m);
        int nv = vreg(L);
        op_ab(L, SL_OP_MOV, nv, v.r);
        if (shift)
            op_ai(L, SL_OP_SHLI, nv, shift);
        op_ab(L, SL_OP_OR, old, nv);
        in = emit(L, stp_op[width]);
        in->a = p.base;
        in->b = old;
        in->off = (int32_t)(p.off + byte0);
        return;
    }
    for (uint32_t b = byte0; b <= last; b++) {
        /* bits of the field in this byte: field bit i (from its MSB) is header bit bo + i */
        uint32_t lo_bit = b * 8, hi_bit = b * 8 + 8; /* header bits [lo_bit, hi_bit) */
        uint32_t fs = bo > lo_bit ? bo : lo_bit, fe = bo + w < hi_bit ? bo + w : hi_bit;
        uint32_t cnt = fe - fs;
        uint32_t byte_shift = hi_bit - fe;         /* position inside the byte */
        uint32_t val_shift = (bo + w) - fe;        /* field bits below this chunk */
        int old = vreg(L);
        IrIns *in = emit(L, SL_OP_LDP8);
        in->a = old;
        in->b = p.base;
        in->off = (int32_t)(p.off + b);
        uint32_t mask = ((1u << cnt) - 1) << byte_shift;
        op_ai(L, SL_OP_ANDI, old, (int64_t)(~mask & 0xff));
        int nv = vreg(L);
        op_ab(L, SL_OP_MOV, nv, v.r);
        if (val_shift)
            op_ai(L, SL_OP_SHRI, nv, val_shift);
        op_ai(L, SL_OP_ANDI, nv, (int64_t)((1u << cnt) - 1));
        if (byte_shift)
            op_ai(L, SL_OP_SHLI, nv, byte_shift);
        op_ab(L, SL_OP_OR, old, nv);
        in = emit(L, SL_OP_STP8);
        in->a = p.base;
        in->b = old;
        in->off = (int32_t)(p.off + b);
    }
}

/* A whole-byte header field set from an unsigned integer of the same width in state memory
 * (`eth.dst = nexthops[i].dmac`): the bytes go across in pieces of 4, 2, 1, each loaded
 * little-endian and stored big-endian, instead of assembling the value in a register and
 * taking it apart again. Returns 0 (nothing emitted) when src is not such a value. */
static int header_copy(Lower *L, Local *h, const Field *f, Expr *src)
{
    uint32_t bo = f->off, w = (uint32_t)f->type->bits;
    Type *st = src->type;
    if (bo % 8 || w % 8 || w > 64 || src->is_const || st->kind != TY_INT || st->is_signed ||
        (uint32_t)st->bits != w || f->type->kind != TY_INT || f->type->is_signed)
        return 0;
    int mem = src->kind == E_INDEX || (src->kind == E_NAME && src->ref == REF_STATE) ||
              (src->kind == E_FIELD && !(src->a->ref == REF_LOCAL && src->a->type->kind == TY_HEADER));
    if (!mem)
        return 0;
    uint32_t nbytes = w / 8, byte0 = bo / 8;
    Place m = place_of(L, src);
    Place p = fix_place(L, header_place(h), (int)(byte0 + nbytes), 1);
    m = fix_place(L, m, (int)nbytes, 0);
    uint32_t done = 0;
    while (done < nbytes) {
        uint32_t k = (uint32_t)piece(nbytes - done);
        /* packet bytes [done, done + k) from the most significant are memory bytes
         * [nbytes - done - k, nbytes - done) from the least significant */
        int t = vreg(L);
        IrIns *in = emit(L, ldm_op[k]);
        in->a = t;
        in->b = m.base;
        in->off = (int32_t)(m.off + nbytes - done - k);
        in = emit(L, stp_op[k]);
        in->a = p.base;
        in->b = t;
        in->off = (int32_t)(p.off + byte0 + done);
        done += k;
    }
    return 1;
}

/* ---- tables ---------------------------------------------------------------------------- */

static uint32_t key_buf(Lower *L, Decl *t)
{
    Backend *be = L->be;
    if (!be->tbl_key[t->index]) /* addresses + 1: 0 means not yet */
        be->tbl_key[t->index] = backend_alloc_mem(be, t->ktype->size + 1) + 1;
    return be->tbl_key[t->index] - 1;
}

static uint32_t val_buf(Lower *L, Decl *t)
{
    Backend *be = L->be;
    if (!be->tbl_val[t->index])
        be->tbl_val[t->index] = backend_alloc_mem(be, t->vtype->size ? t->vtype->size : 1) + 1;
    return be->tbl_val[t->index] - 1;
}

/* Puts a scalar or aggregate value of type t at p (state memory). */
static void store_value(Lower *L, Place p, Type *t, Expr *e)
{
    if (type_is_aggregate(t)) {
        assign_agg(L, p, t, e);
        return;
    }
    mem_store(L, p, t, lower_expr(L, e));
}

/* Writes the key: little-endian like all state, but LPM keys big-endian (prefixes count
 * from the top bit). */
static void store_key(Lower *L, Decl *t, Expr *k, Expr *plen)
{
    uint32_t kb = key_buf(L, t);
    Place p = {-1, kb};
    Type *kt = t->ktype;
    if (t->table_lpm && kt->kind == TY_INT) {
        Val v = own(L, lower_expr(L, k));
        Place q = fix_place(L, p, (int)kt->size + 1, 0);
        for (uint32_t i = kt->size; i-- > 0;) { /* least significant byte last in memory */
            IrIns *in = emit(L, SL_OP_STM8);
            in->a = q.base;
            in->b = v.r;
            in->off = (int32_t)(q.off + i);
            if (i)
                op_ai(L, SL_OP_SHRI, v.r, 8);
        }
    } else {
        store_value(L, p, kt, k);
    }
    if (plen) {
        Place q = {-1, kb + kt->size};
        mem_store(L, q, type_int(L->c, 0, 8), lower_expr(L, plen));
    }
}

/* ---- calls and built-ins --------------------------------------------------------------- */

static int expr_size(const Expr *e)
{
    if (!e)
        return 0;
    int n = 1 + expr_size(e->a) + expr_size(e->b);
    for (uint32_t i = 0; i < e->args.len; i++)
        n += expr_size(e->args.items[i]);
    return n;
}

static int stmt_size(const Stmt *s)
{
    if (!s)
        return 0;
    int n = 1 + expr_size(s->init) + expr_size(s->cond) + expr_size(s->hi) + expr_size(s->lhs) +
            expr_size(s->rhs) + stmt_size(s->then) + stmt_size(s->els) + stmt_size(s->body);
    for (uint32_t i = 0; i < s->stmts.len; i++)
        n += stmt_size(s->stmts.items[i]);
    return n;
}

enum { INLINE_MAX_SIZE = 48, INLINE_BUDGET = 600, INLINE_MAX_DEPTH = 8 };

/* Small functions are inlined: packet code calls many tiny helpers (checksum folding, field
 * updates) whose call overhead and argument moves would cost more than their bodies. Without
 * -g only: with -g every function keeps its frame so that the debugger sees its variables. */
static int should_inline(Lower *L, Decl *d)
{
    if (L->ninl >= INLINE_MAX_DEPTH)
        return 0;
    if (!d->inline_size)
        d->inline_size = stmt_size(d->body);
    return d->inline_size <= INLINE_MAX_SIZE && d->inline_size <= L->inl_budget;
}

static Val inline_call(Lower *L, Expr *e, Val *args)
{
    Decl *d = e->decl;
    uint32_t nl = d->locals.len;
    int *saved_vreg = malloc((nl + 1) * sizeof *saved_vreg);
    int64_t *saved_off = malloc((nl + 1) * sizeof *saved_off);
    uint32_t *saved_frame = malloc((nl + 1) * sizeof *saved_frame);
    int *saved_k = malloc((nl + 1) * sizeof *saved_k);
    int64_t *saved_kv = malloc((nl + 1) * sizeof *saved_kv);
    if (!saved_vreg || !saved_off || !saved_frame || !saved_k || !saved_kv)
        abort();
    for (uint32_t i = 0; i < nl; i++) {
        Local *l = d->locals.items[i];
        saved_vreg[i] = l->vreg;
        saved_off[i] = l->hdr_off;
        saved_frame[i] = l->frame_off;
        saved_k[i] = l->is_k;
        saved_kv[i] = l->k;
    }
    L->inl_budget -= d->inline_size;
    int n = 0;
    for (uint32_t i = 0; i < e->args.len; i++) {
        Param *p = d->fields.items[i];
        if (p->local->type->kind == TY_PACKET)
            continue;
        Val a = args[n++];
        Expr *ae = e->args.items[i];
        p->local->is_k = 0;
        if (ae->is_const && !p->local->assigned) {
            p->local->is_k = 1;
            p->local->k = (int64_t)ae->cval;
            continue;
        }
        record(L, p->local, a.bits);
        if (a.owned && !p->local->assigned) {
            p->local->vreg = a.r;
        } else {
            int r = vreg(L);
            op_ab(L, SL_OP_MOV, r, a.r);
            p->local->vreg = r;
        }
    }
    int has_result = d->type && d->type->kind != TY_VOID;
    int result = has_result ? vreg(L) : -1, end = new_label(L);
    L->inl_result[L->ninl] = result;
    L->inl_end[L->ninl] = end;
    L->ninl++;
    lower_stmt(L, d->body);
    L->ninl--;
    label(L, end);
    for (uint32_t i = 0; i < nl; i++) {
        Local *l = d->locals.items[i];
        l->vreg = saved_vreg[i];
        l->hdr_off = saved_off[i];
        l->frame_off = saved_frame[i];
        l->is_k = saved_k[i];
        l->k = saved_kv[i];
    }
    free(saved_k);
    free(saved_kv);
    free(saved_vreg);
    free(saved_off);
    free(saved_frame);
    return has_result ? val(result, 1, type_bits(d->type)) : val(-1, 0, 0);
}

static Val call_user(Lower *L, Expr *e)
{
    Decl *d = e->decl;
    if (should_inline(L, d)) {
        Val args[SL_MAX_ARGS + 1];
        int n = 0;
        for (uint32_t i = 0; i < e->args.len; i++) {
            Param *p = d->fields.items[i];
            if (p->local->type->kind == TY_PACKET)
                continue;
            Expr *ae = e->args.items[i];
            args[n++] = ae->is_const && !p->local->assigned ? val(-1, 0, 0) : lower_expr(L, ae);
        }
        return inline_call(L, e, args);
    }
    int regs[SL_MAX_ARGS];
    int n = 0;
    for (uint32_t i = 0; i < e->args.len; i++) {
        Param *p = d->fields.items[i];
        if (p->local->type->kind == TY_PACKET)
            continue;
        Val v = lower_expr(L, e->args.items[i]);
        regs[n++] = v.r;
    }
    for (int i = 0; i < n; i++)
        op_ab(L, SL_OP_MOV, 1 + i, regs[i]);
    emit(L, SL_OP_CALL)->imm = d->index;
    if (!d->type || d->type->kind == TY_VOID)
        return val(-1, 0, 64);
    int r = vreg(L);
    op_ab(L, SL_OP_MOV, r, 0);
    return val(r, 1, type_bits(d->type));
}

static int reg_of(Lower *L, Expr *e) { return lower_expr(L, e).r; }

static Val builtin_call(Lower *L, Expr *e)
{
    Ctx *c = L->c;
    Expr *a0 = e->args.len > 0 ? e->args.items[0] : NULL;
    switch ((int)e->builtin) {
    case B_SEND: op_a(L, SL_OP_SEND, reg_of(L, a0)); return val(-1, 0, 0);
    case B_CLONE: op_a(L, SL_OP_CLONE, reg_of(L, a0)); return val(-1, 0, 0);
    case B_DROP: emit(L, SL_OP_DROP); return val(-1, 0, 0);
    case B_PUNT: emit(L, SL_OP_PUNT); return val(-1, 0, 0);
    case B_TRAP: emit(L, SL_OP_TRAP)->imm = (int64_t)a0->cval; return val(-1, 0, 0);
    case B_ASSERT: {
        int ok = new_label(L);
        lower_branch(L, a0, ok, 1);
        emit(L, SL_OP_TRAP)->imm = 2;
        label(L, ok);
        return val(-1, 0, 0);
    }
    case B_NOW:
    case B_RAND: {
        int r = vreg(L);
        op_a(L, e->builtin == B_NOW ? SL_OP_NOW : SL_OP_RAND, r);
        return val(r, 1, 64);
    }
    case B_HASH: {
        Type *t = a0->type;
        int b, r = vreg(L);
        if (type_is_aggregate(t)) {
            Place p = place_of(L, a0);
            b = mov_imm(L, p.off);
            if (p.base >= 0)
                op_ab(L, SL_OP_ADD, b, p.base);
        } else {
            Val v = lower_expr(L, a0);
            if (!L->be->hash_buf)
                L->be->hash_buf = backend_alloc_mem(L->be, 8) + 1;
            Place p = {-1, L->be->hash_buf - 1};
            mem_store(L, p, t, v);
            b = mov_imm(L, L->be->hash_buf - 1);
        }
        IrIns *in = emit(L, SL_OP_HASH);
        in->a = r;
        in->b = b;
        in->imm = t->size;
        return val(r, 1, 64);
    }
    case B_MIN:
    case B_MAX: {
        Expr *a1 = e->args.items[1];
        Val x = lower_expr(L, a0), y = lower_expr(L, a1);
        Val t = own(L, x);
        int keep = new_label(L);
        int sgn = e->type->kind == TY_INT && e->type->is_signed;
        IrIns *in = emit(L, e->builtin == B_MIN ? (sgn ? SL_OP_JSLE : SL_OP_JLE) : (sgn ? SL_OP_JSGE : SL_OP_JGE));
        in->a = t.r;
        in->b = y.r;
        in->label = keep;
        op_ab(L, SL_OP_MOV, t.r, y.r);
        label(L, keep);
        t.bits = x.bits > y.bits ? x.bits : y.bits;
        return t;
    }
    case B_SIZEOF: return val(mov_imm(L, (int64_t)e->cval), 1, 64);
    }
    (void)c;
    return val(-1, 0, 0);
}

/* A packet offset as base + constant: `x + K` folds K into the instruction when x is known
 * narrow enough that the sum cannot wrap in the expression's type. */
static Place pkt_offset(Lower *L, Expr *e)
{
    Place p = {-1, 0};
    int64_t k;
    if (const_of(e, &k)) {
        p.off = k;
        return p;
    }
    if (e->kind == E_BINARY && e->op == OP_ADD && const_of(e->b, &k) && k >= 0 && k < 16384) {
        Val a = lower_expr(L, e->a);
        int tb = type_bits(e->type);
        if (a.bits < 62 && bitlen((((uint64_t)1 << a.bits) - 1) + (uint64_t)k) <= tb) {
            p.base = a.r;
            p.off = k;
            return p;
        }
        Val sum = arith(L, OP_ADD, e->type, a, e->b, NULL);
        p.base = sum.r;
        return p;
    }
    p.base = reg_of(L, e);
    return p;
}

static Val packet_method(Lower *L, Expr *e)
{
    Expr *a0 = e->args.len > 0 ? e->args.items[0] : NULL;
    Expr *a1 = e->args.len > 1 ? e->args.items[1] : NULL;
    int r;
    switch ((int)e->builtin) {
    case B_P_LEN: r = vreg(L); op_a(L, SL_OP_PLEN, r); return val(r, 1, 32);
    case B_P_IN_PORT: r = vreg(L); op_a(L, SL_OP_INPORT, r); return val(r, 1, 32);
    case B_P_TIMESTAMP: r = vreg(L); op_a(L, SL_OP_TSTAMP, r); return val(r, 1, 64);
    case B_P_LOAD: {
        Place p = pkt_offset(L, a0);
        p = fix_place(L, p, e->width, 1);
        r = vreg(L);
        IrIns *in = emit(L, ldp_op[e->width]);
        in->a = r;
        in->b = p.base;
        in->off = (int32_t)p.off;
        return val(r, 1, e->width * 8);
    }
    case B_P_STORE: {
        Val v = lower_expr(L, a1);
        Place p = pkt_offset(L, a0);
        p = fix_place(L, p, e->width, 1);
        IrIns *in = emit(L, stp_op[e->width]);
        in->a = p.base;
        in->b = v.r;
        in->off = (int32_t)p.off;
        return val(-1, 0, 0);
    }
    case B_P_GROW_HEAD:
    case B_P_GROW_TAIL:
    case B_P_RESET:
        op_a(L, e->builtin == B_P_GROW_HEAD ? SL_OP_PADJH : e->builtin == B_P_GROW_TAIL ? SL_OP_PADJT : SL_OP_PNEW,
             reg_of(L, a0));
        return val(-1, 0, 0);
    case B_P_SHRINK_HEAD:
    case B_P_SHRINK_TAIL: {
        Val v = own(L, lower_expr(L, a0));
        op_a(L, SL_OP_NEG, v.r);
        op_a(L, e->builtin == B_P_SHRINK_HEAD ? SL_OP_PADJH : SL_OP_PADJT, v.r);
        return val(-1, 0, 0);
    }
    case B_P_CSUM: {
        Val acc = own(L, lower_expr(L, a0));
        int off = reg_of(L, a1), len = reg_of(L, e->args.items[2]);
        IrIns *in = emit(L, SL_OP_CSUM);
        in->a = acc.r;
        in->b = off;
        in->c = len;
        return val(acc.r, 1, 16);
    }
    case B_P_EXTRACT: {
        /* the optional itself, unused: nothing to compute */
        return val(-1, 0, 0);
    }
    }
    return val(-1, 0, 0);
}

static Val table_method(Lower *L, Expr *e)
{
    Decl *t = e->decl;
    Expr *a0 = e->args.items[0];
    int r = vreg(L);
    switch ((int)e->builtin) {
    case B_T_GET: {
        store_key(L, t, a0, NULL);
        int kb = mov_imm(L, key_buf(L, t)), vb = mov_imm(L, val_buf(L, t));
        IrIns *in = emit(L, SL_OP_TGET);
        in->a = r;
        in->b = kb;
        in->c = vb;
        in->imm = t->index;
        return val(r, 1, 1);
    }
    case B_T_PUT: {
        Expr *v = e->args.items[t->table_lpm ? 2 : 1];
        store_key(L, t, a0, t->table_lpm ? e->args.items[1] : NULL);
        Place vp = {-1, val_buf(L, t)};
        store_value(L, vp, t->vtype, v);
        int kb = mov_imm(L, key_buf(L, t)), vb = mov_imm(L, val_buf(L, t));
        IrIns *in = emit(L, SL_OP_TPUT);
        in->a = r;
        in->b = kb;
        in->c = vb;
        in->imm = t->index;
        return val(r, 1, 1);
    }
    case B_T_DEL: {
        store_key(L, t, a0, t->table_lpm ? e->args.items[1] : NULL);
        int kb = mov_imm(L, key_buf(L, t));
        IrIns *in = emit(L, SL_OP_TDEL);
        in->a = r;
        in->b = kb;
        in->imm = t->index;
        return val(r, 1, 1);
    }
    }
    return val(-1, 0, 0);
}

/* ---- expressions ----------------------------------------------------------------------- */

static int alu_op(Op op, int is_signed, int imm)
{
    int base;
    switch ((int)op) {
    case OP_ADD: base = SL_OP_ADD; break;
    case OP_SUB: base = SL_OP_SUB; break;
    case OP_MUL: base = SL_OP_MUL; break;
    case OP_DIV: base = is_signed ? SL_OP_SDIV : SL_OP_DIV; break;
    case OP_MOD: base = is_signed ? SL_OP_SMOD : SL_OP_MOD; break;
    case OP_AND: base = SL_OP_AND; break;
    case OP_OR: base = SL_OP_OR; break;
    case OP_XOR: base = SL_OP_XOR; break;
    case OP_SHL: base = SL_OP_SHL; break;
    default: base = is_signed ? SL_OP_SAR : SL_OP_SHR; break;
    }
    return base + (imm ? 1 : 0); /* isa.def: the immediate form follows the register form */
}

/* A value known at compile time: a constant expression, or a variable that holds one. */
static int const_of(const Expr *e, int64_t *k)
{
    if (!e)
        return 0;
    if (e->is_const && (e->type->kind == TY_INT || e->type->kind == TY_BOOL || e->type->kind == TY_UNTYPED)) {
        *k = (int64_t)e->cval;
        return 1;
    }
    if (e->kind == E_NAME && e->ref == REF_LOCAL && e->local->is_k) {
        *k = e->local->k;
        return 1;
    }
    return 0;
}

/* a op b into a fresh register, typed t (the operation's type). */
static Val arith(Lower *L, Op op, Type *t, Val a, Expr *be, Val *bv)
{
    int sgn = t->kind == TY_INT && t->is_signed;
    int64_t kv = 0;
    int use_imm = be && const_of(be, &kv) && fits32(kv);
    if (use_imm && kv == 0 && (op == OP_DIV || op == OP_MOD))
        use_imm = 0; /* a divisor known only here to be 0 faults DIV_ZERO at run time */
    int64_t k = use_imm ? kv : 0;
    if (use_imm && (op == OP_SHL || op == OP_SHR))
        k &= 63;
    Val b = {-1, 0, 64};
    int mask32 = !use_imm && op == OP_AND && be && be->is_const && (uint64_t)be->cval == 0xffffffffu;
    if (!use_imm && !mask32)
        b = bv ? *bv : lower_expr(L, be);
    a = own(L, a);
    if (!use_imm && op == OP_AND && be && be->is_const && (uint64_t)be->cval == 0xffffffffu) {
        op_ab(L, SL_OP_ZEXT32, a.r, a.r);
        a.bits = a.bits < 32 ? a.bits : 32;
        return normalize(L, a, t);
    }
    if (use_imm && op == OP_AND && (k == 0xff || k == 0xffff)) {
        op_ab(L, k == 0xff ? SL_OP_ZEXT8 : SL_OP_ZEXT16, a.r, a.r);
        int kb = k == 0xff ? 8 : 16;
        a.bits = a.bits < kb ? a.bits : kb;
        return normalize(L, a, t);
    }
    if (use_imm)
        op_ai(L, alu_op(op, sgn, 1), a.r, k);
    else
        op_ab(L, alu_op(op, sgn, 0), a.r, b.r);
    int bb = use_imm ? (k < 0 ? 64 : bitlen((uint64_t)k)) : b.bits;
    int r;
    switch ((int)op) {
    case OP_ADD: r = (a.bits > bb ? a.bits : bb) + 1; break;
    case OP_MUL: r = a.bits + bb; break;
    case OP_DIV: r = sgn ? 64 : a.bits; break;
    case OP_MOD: r = sgn ? 64 : (a.bits < bb ? a.bits : bb); break;
    case OP_AND: r = a.bits < bb ? a.bits : bb; break;
    case OP_OR:
    case OP_XOR: r = a.bits > bb ? a.bits : bb; break;
    case OP_SHL: r = use_imm ? a.bits + (int)k : 64; break;
    case OP_SHR: r = sgn ? 64 : use_imm ? (a.bits - (int)k > 0 ? a.bits - (int)k : 0) : a.bits; break;
    default: r = 64; break;
    }
    a.bits = r > 64 ? 64 : r;
    return normalize(L, a, t);
}

static Val lower_expr(Lower *L, Expr *e)
{
    Ctx *c = L->c;
    if (e->is_const && type_is_scalar(e->type)) {
        int64_t v = (int64_t)e->cval;
        return val(mov_imm(L, v), 1, bitlen((uint64_t)v));
    }
    switch ((int)e->kind) {
    case E_NAME:
        if (e->ref == REF_LOCAL) {
            if (e->local->is_k)
                return val(mov_imm(L, e->local->k), 1, bitlen((uint64_t)e->local->k));
            return val(e->local->vreg, 0, local_bits(e->local));
        }
        if (e->ref == REF_STATE) {
            Place p = {-1, e->decl->addr};
            return mem_load(L, p, e->type);
        }
        break;
    case E_FIELD:
        if (e->a->ref == REF_LOCAL && e->a->type->kind == TY_HEADER)
            return header_read(L, e->a->local, e->field);
        return mem_load(L, place_of(L, e), e->type);
    case E_INDEX: return mem_load(L, place_of(L, e), e->type);
    case E_UNARY: {
        Val v = own(L, lower_expr(L, e->a));
        if (e->op == OP_NOT) {
            op_ai(L, SL_OP_XORI, v.r, 1);
            return v;
        }
        Type *t = e->type;
        if (e->op != OP_NEG && t->kind == TY_INT && !t->is_signed && t->bits < 32 && v.bits <= t->bits) {
            /* ~x of an unsigned value below 2^n: x ^ (2^n - 1), already normalised */
            op_ai(L, SL_OP_XORI, v.r, (int64_t)((1u << t->bits) - 1));
            v.bits = t->bits;
            return v;
        }
        op_a(L, e->op == OP_NEG ? SL_OP_NEG : SL_OP_NOT, v.r);
        v.bits = 64;
        return normalize(L, v, e->type);
    }
    case E_BINARY: {
        Op op = e->op;
        if (op >= OP_EQ) { /* comparisons and && || as values */
            int r = mov_imm(L, 1), done = new_label(L);
            lower_branch(L, e, done, 1);
            op_ai(L, SL_OP_MOVI, r, 0);
            label(L, done);
            return val(r, 1, 1);
        }
        Type *t = e->type;
        if (op == OP_SHL || op == OP_SHR)
            t = e->a->type;
        Val a = lower_expr(L, e->a);
        return arith(L, op, t, a, e->b, NULL);
    }
    case E_CAST: {
        Type *from = e->a->type, *to = e->type;
        Val v = lower_expr(L, e->a);
        if (from->kind == TY_BOOL || to->kind == TY_BOOL)
            return v;
        if (from->kind == TY_INT && from->is_signed)
            v.bits = 64;
        return normalize(L, v, to);
    }
    case E_CALL:
        if (e->ref == REF_FUNC)
            return call_user(L, e);
        return builtin_call(L, e);
    case E_METHOD:
        if (e->builtin == B_H_OFFSET) {
            Local *h = e->a->local;
            if (h->vreg >= 0)
                return val(h->vreg, 0, 32);
            return val(mov_imm(L, h->hdr_off), 1, 32);
        }
        if (e->builtin >= B_T_GET)
            return table_method(L, e);
        return packet_method(L, e);
    }
    (void)c;
    return val(mov_imm(L, 0), 1, 0);
}

/* ---- conditions ------------------------------------------------------------------------ */

static int cmp_op(Op op, int sgn, int negate, int imm)
{
    if (negate) {
        switch ((int)op) {
        case OP_EQ: op = OP_NE; break;
        case OP_NE: op = OP_EQ; break;
        case OP_LT: op = OP_GE; break;
        case OP_LE: op = OP_GT; break;
        case OP_GT: op = OP_LE; break;
        default: op = OP_LT; break;
        }
    }
    int base;
    switch ((int)op) {
    case OP_EQ: base = SL_OP_JEQ; break;
    case OP_NE: base = SL_OP_JNE; break;
    case OP_LT: base = sgn ? SL_OP_JSLT : SL_OP_JLT; break;
    case OP_LE: base = sgn ? SL_OP_JSLE : SL_OP_JLE; break;
    case OP_GT: base = sgn ? SL_OP_JSGT : SL_OP_JGT; break;
    default: base = sgn ? SL_OP_JSGE : SL_OP_JGE; break;
    }
    return base + (imm ? 1 : 0);
}

static Op mirror(Op op)
{
    switch ((int)op) {
    case OP_LT: return OP_GT;
    case OP_LE: return OP_GE;
    case OP_GT: return OP_LT;
    case OP_GE: return OP_LE;
    default: return op;
    }
}

/* Jumps to label when e (a bool) equals jump_if, falls through otherwise. */
static void lower_branch(Lower *L, Expr *e, int lab, int jump_if)
{
    if (e->is_const) {
        if ((e->cval != 0) == jump_if)
            jump(L, lab);
        return;
    }
    if (e->kind == E_UNARY && e->op == OP_NOT) {
        lower_branch(L, e->a, lab, !jump_if);
        return;
    }
    if (e->kind == E_BINARY && (e->op == OP_LAND || e->op == OP_LOR)) {
        int is_and = e->op == OP_LAND;
        if (is_and != jump_if) { /* and-false or or-true: either operand decides */
            lower_branch(L, e->a, lab, jump_if);
            lower_branch(L, e->b, lab, jump_if);
        } else {
            int skip = new_label(L);
            lower_branch(L, e->a, skip, !jump_if);
            lower_branch(L, e->b, lab, jump_if);
            label(L, skip);
        }
        return;
    }
    if (e->kind == E_BINARY && e->op >= OP_EQ && e->op <= OP_GE) {
        Type *t = e->a->type;
        int sgn = t->kind == TY_INT && t->is_signed;
        Expr *x = e->a, *y = e->b;
        Op op = e->op;
        int64_t kx, ky;
        if (const_of(x, &kx) && !const_of(y, &ky)) {
            Expr *tmp = x;
            x = y;
            y = tmp;
            op = mirror(op);
        }
        Val a = lower_expr(L, x);
        IrIns *in;
        if (const_of(y, &ky) && fits32(ky)) {
            in = emit(L, cmp_op(op, sgn, !jump_if, 1));
            in->imm = ky;
        } else {
            Val b = lower_expr(L, y);
            in = emit(L, cmp_op(op, sgn, !jump_if, 0));
            in->b = b.r;
        }
        in->a = a.r;
        in->label = lab;
        return;
    }
    Val v = lower_expr(L, e);
    IrIns *in = emit(L, jump_if ? SL_OP_JNEI : SL_OP_JEQI);
    in->a = v.r;
    in->imm = 0;
    in->label = lab;
}

/* ---- optionals ------------------------------------------------------------------------- */

/* Branches to lab when the optional produced by init is present (on_present) or absent, and
 * prepares the binding (offset register or constant). Values of table lookups are loaded by
 * bind_value() on the present path. */
static void opt_check(Lower *L, Expr *init, Local *bind, int lab, int on_present)
{
    if (init->builtin == B_P_EXTRACT) {
        Expr *off = init->args.items[1];
        uint32_t size = init->tyarg->size;
        int len = vreg(L);
        op_a(L, SL_OP_PLEN, len);
        IrIns *in;
        if (off->is_const) {
            int64_t need = (int64_t)off->cval + size;
            bind->vreg = -1;
            bind->hdr_off = (int64_t)off->cval;
            if (need > INT32_MAX) {
                if (!on_present)
                    jump(L, lab);
                return;
            }
            in = emit(L, on_present ? SL_OP_JGEI : SL_OP_JLTI);
            in->a = len;
            in->imm = need;
        } else {
            Val o = lower_expr(L, off);
            int b = vreg(L);
            if (!L->ninl)
                L->f->vlocal[b] = bind;
            op_ab(L, SL_OP_MOV, b, o.r);
            bind->vreg = b;
            int end = vreg(L);
            op_ab(L, SL_OP_MOV, end, b);
            op_ai(L, SL_OP_ADDI, end, size);
            in = emit(L, on_present ? SL_OP_JLE : SL_OP_JGT);
            in->a = end;
            in->b = len;
        }
        in->label = lab;
        return;
    }
    /* t.get(k) */
    Decl *t = init->decl;
    store_key(L, t, init->args.items[0], NULL);
    uint32_t vaddr;
    if (type_is_aggregate(t->vtype)) {
        bind->frame_off = backend_alloc_mem(L->be, t->vtype->size);
        vaddr = bind->frame_off;
    } else {
        vaddr = val_buf(L, t);
    }
    int kb = mov_imm(L, key_buf(L, t)), vb = mov_imm(L, vaddr), r = vreg(L);
    IrIns *in = emit(L, SL_OP_TGET);
    in->a = r;
    in->b = kb;
    in->c = vb;
    in->imm = t->index;
    in = emit(L, on_present ? SL_OP_JNEI : SL_OP_JEQI);
    in->a = r;
    in->imm = 0;
    in->label = lab;
}

static void bind_value(Lower *L, Expr *init, Local *bind)
{
    if (init->builtin != B_T_GET || type_is_aggregate(bind->type))
        return;
    Place p = {-1, val_buf(L, init->decl)};
    Val v = mem_load(L, p, bind->type);
    record(L, bind, v.bits);
    int r = vreg(L);
    if (!L->ninl)
        L->f->vlocal[r] = bind;
    bind->vreg = r;
    op_ab(L, SL_OP_MOV, r, v.r);
}

/* ---- statements ------------------------------------------------------------------------ */

/* A register for variable l; named (for the debugger and the allocator's one-location rule)
 * unless l belongs to a function being inlined, whose variables the debugger cannot see. */
static int named_vreg(Lower *L, Local *l)
{
    int r = vreg(L);
    if (!L->ninl)
        L->f->vlocal[r] = l;
    l->vreg = r;
    return r;
}

/* Stores an aggregate-typed expression into dst. */
static void assign_agg(Lower *L, Place dst, Type *t, Expr *src)
{
    if (src->kind == E_STRUCT) {
        for (uint32_t i = 0; i < src->args.len; i++) {
            const Field *f = type_field(t, src->fnames.items[i]);
            Place p = {dst.base, dst.off + f->off};
            store_value(L, p, f->type, src->args.items[i]);
        }
        return;
    }
    if (src->kind == E_ARRAY) {
        for (uint32_t i = 0; i < src->args.len; i++) {
            Place p = {dst.base, dst.off + (int64_t)i * t->elem->size};
            store_value(L, p, t->elem, src->args.items[i]);
        }
        return;
    }
    Place s = place_of(L, src);
    mem_copy(L, dst, s, t->size);
}

static void lower_assign(Lower *L, Stmt *s)
{
    Expr *lhs = s->lhs;
    Type *t = lhs->type;
    if (type_is_aggregate(t)) {
        Place dst = place_of(L, lhs);
        if (dst.base >= 0 && (s->rhs->kind != E_STRUCT && s->rhs->kind != E_ARRAY)) {
            /* keep the computed base in its own register across the source's evaluation */
            int b = vreg(L);
            op_ab(L, SL_OP_MOV, b, dst.base);
            dst.base = b;
        }
        assign_agg(L, dst, t, s->rhs);
        return;
    }
    if (lhs->kind == E_NAME && lhs->ref == REF_LOCAL) {
        int r = lhs->local->vreg;
        if (s->op == OP_NONE) {
            Val v = lower_expr(L, s->rhs);
            record(L, lhs->local, v.bits);
            op_ab(L, SL_OP_MOV, r, v.r);
            return;
        }
        Val cur = val(r, 1, local_bits(lhs->local)); /* in place: the variable is being replaced */
        Val v = arith(L, s->op, t, cur, s->rhs, NULL);
        record(L, lhs->local, v.bits);
        op_ab(L, SL_OP_MOV, r, v.r);
        return;
    }
    if (lhs->kind == E_FIELD && lhs->a->ref == REF_LOCAL && lhs->a->type->kind == TY_HEADER) {
        Local *h = lhs->a->local;
        if (s->op == OP_NONE && header_copy(L, h, lhs->field, s->rhs))
            return;
        Val v;
        if (s->op == OP_NONE)
            v = lower_expr(L, s->rhs);
        else
            v = arith(L, s->op, t, header_read(L, h, lhs->field), s->rhs, NULL);
        header_write(L, h, lhs->field, v);
        return;
    }
    Place p = place_of(L, lhs);
    if (p.base >= 0) {
        int b = vreg(L);
        op_ab(L, SL_OP_MOV, b, p.base);
        p.base = b;
    }
    Val v;
    if (s->op == OP_NONE)
        v = lower_expr(L, s->rhs);
    else
        v = arith(L, s->op, t, mem_load(L, p, t), s->rhs, NULL);
    mem_store(L, p, t, v);
}

static void lower_block(Lower *L, Stmt *s)
{
    for (uint32_t i = 0; i < s->stmts.len; i++) {
        Stmt *x = s->stmts.items[i];
        lower_stmt(L, x);
        if (!x->completes)
            break;
    }
}

static void push_loop(Lower *L, int brk, int cont)
{
    if (L->nloops == L->loop_cap) {
        L->loop_cap = L->loop_cap ? L->loop_cap * 2 : 16;
        L->brk = realloc(L->brk, (size_t)L->loop_cap * sizeof *L->brk);
        L->cont = realloc(L->cont, (size_t)L->loop_cap * sizeof *L->cont);
        if (!L->brk || !L->cont)
            abort();
    }
    L->brk[L->nloops] = brk;
    L->cont[L->nloops] = cont;
    L->nloops++;
}

static void lower_let(Lower *L, Stmt *s)
{
    Local *l = s->local;
    Type *t = l->type;
    if (s->is_let) { /* let x = opt else { ... } */
        int ok = new_label(L);
        opt_check(L, s->init, l, ok, 1);
        lower_stmt(L, s->els);
        label(L, ok);
        bind_value(L, s->init, l);
        return;
    }
    if (t->kind == TY_OPT || t->kind == TY_ERROR)
        return;
    if (type_is_aggregate(t)) {
        l->frame_off = backend_alloc_mem(L->be, t->size);
        Place p = {-1, l->frame_off};
        if (s->init)
            assign_agg(L, p, t, s->init);
        else
            mem_zero(L, p, t->size);
        return;
    }
    if (!l->assigned && (!s->init || s->init->is_const)) { /* a constant in all but name */
        l->is_k = 1;
        l->k = s->init ? (int64_t)s->init->cval : 0;
        return;
    }
    Val v = s->init ? lower_expr(L, s->init) : val(mov_imm(L, 0), 1, 0);
    record(L, l, v.bits);
    if (v.owned && !L->f->vlocal[v.r]) { /* the fresh temporary becomes the variable */
        if (!L->ninl)
            L->f->vlocal[v.r] = l;
        l->vreg = v.r;
        return;
    }
    int r = named_vreg(L, l);
    op_ab(L, SL_OP_MOV, r, v.r);
}

static void lower_stmt(Lower *L, Stmt *s)
{
    if (!s)
        return;
    if (s->kind != S_BLOCK)
        loc(L, s->kind == S_ASSIGN ? s->lhs->loc : s->loc);
    switch (s->kind) {
    case S_LET: lower_let(L, s); return;
    case S_ASSIGN: lower_assign(L, s); return;
    case S_EXPR: lower_expr(L, s->init); return;
    case S_IF: {
        int els = new_label(L), end = new_label(L);
        if (s->is_let) {
            opt_check(L, s->init, s->local, els, 0);
            bind_value(L, s->init, s->local);
            lower_stmt(L, s->then);
        } else if (s->cond->is_const) {
            lower_stmt(L, s->cond->cval ? s->then : s->els);
            return;
        } else {
            lower_branch(L, s->cond, els, 0);
            lower_stmt(L, s->then);
        }
        if (s->els) {
            if (s->then->completes)
                jump(L, end);
            label(L, els);
            lower_stmt(L, s->els);
            label(L, end);
        } else {
            label(L, els);
        }
        return;
    }
    case S_WHILE: {
        int top = new_label(L), cont = new_label(L), end = new_label(L);
        lower_branch(L, s->cond, end, 0);
        label(L, top);
        push_loop(L, end, cont);
        lower_stmt(L, s->body);
        L->nloops--;
        label(L, cont);
        loc(L, s->cond->loc);
        lower_branch(L, s->cond, top, 1);
        label(L, end);
        return;
    }
    case S_FOR: {
        Local *l = s->local;
        Type *t = l->type;
        int sgn = t->kind == TY_INT && t->is_signed;
        Val lo = lower_expr(L, s->init);
        int hb = s->hi->is_const ? bitlen((uint64_t)s->hi->cval) : type_bits(s->hi->type);
        record(L, l, sgn ? 64 : (lo.bits > hb ? lo.bits : hb));
        int i = named_vreg(L, l);
        op_ab(L, SL_OP_MOV, i, lo.r);
        int hi_imm = s->hi->is_const && fits32((int64_t)s->hi->cval);
        int hi = -1;
        if (!hi_imm) {
            Val h = lower_expr(L, s->hi);
            hi = vreg(L);
            op_ab(L, SL_OP_MOV, hi, h.r);
        }
        int top = new_label(L), cont = new_label(L), end = new_label(L);
        IrIns *in = emit(L, sgn ? (hi_imm ? SL_OP_JSGEI : SL_OP_JSGE) : (hi_imm ? SL_OP_JGEI : SL_OP_JGE));
        in->a = i;
        in->b = hi;
        in->imm = hi_imm ? (int64_t)s->hi->cval : 0;
        in->label = end;
        if (hi >= 0)
            in->b = hi;
        else
            in->b = IR_NONE;
        label(L, top);
        push_loop(L, end, cont);
        lower_stmt(L, s->body);
        L->nloops--;
        label(L, cont);
        op_ai(L, SL_OP_ADDI, i, 1);
        in = emit(L, sgn ? (hi_imm ? SL_OP_JSLTI : SL_OP_JSLT) : (hi_imm ? SL_OP_JLTI : SL_OP_JLT));
        in->a = i;
        in->b = hi_imm ? IR_NONE : hi;
        in->imm = hi_imm ? (int64_t)s->hi->cval : 0;
        in->label = top;
        label(L, end);
        return;
    }
    case S_BREAK: jump(L, L->brk[L->nloops - 1]); return;
    case S_CONTINUE: jump(L, L->cont[L->nloops - 1]); return;
    case S_RETURN:
        if (L->ninl) {
            if (s->init) {
                Val v = lower_expr(L, s->init);
                op_ab(L, SL_OP_MOV, L->inl_result[L->ninl - 1], v.r);
            }
            jump(L, L->inl_end[L->ninl - 1]);
            return;
        }
        if (L->f->is_handler) {
            emit(L, SL_OP_EXIT);
            return;
        }
        if (s->init) {
            Val v = lower_expr(L, s->init);
            op_ab(L, SL_OP_MOV, 0, v.r);
        } else {
            op_ai(L, SL_OP_MOVI, 0, 0);
        }
        emit(L, SL_OP_RET);
        return;
    case S_BLOCK: lower_block(L, s); return;
    }
}

/* Does the code end without falling off (last real instruction cannot fall through)? */
static int ends_closed(const IrFunc *f)
{
    for (uint32_t i = f->n; i-- > 0;) {
        int op = f->code[i].op;
        if (op == IR_LOC || op == IR_NOP)
            continue;
        if (op == IR_LABEL)
            return 0;
        return op == SL_OP_JA || op == SL_OP_RET || op == SL_OP_EXIT || op == SL_OP_SEND || op == SL_OP_DROP ||
               op == SL_OP_PUNT || op == SL_OP_TRAP;
    }
    return 0;
}

/* One lowering of d into f (f reset first). */
static void lower_round(Lower *L, Decl *d, uint32_t mem_top)
{
    IrFunc *f = L->f;
    Backend *be = L->be;
    f->n = 0;
    f->nvregs = IR_FIRST_VREG;
    f->nlabels = 0;
    memset(f->vlocal, 0, f->vcap * sizeof *f->vlocal);
    memset(f->nospill, 0, f->vcap);
    be->mem_top = mem_top;
    L->zero = -1;
    L->trap_label = -1;
    L->inl_budget = INLINE_BUDGET;
    L->ninl = 0;
    L->nloops = 0;
    L->grew = 0;
    L->touched = (Vec){0};
    L->stamp = ++be->stamp;
    loc(L, d->loc);
    int argn = 1;
    for (uint32_t i = 0; i < d->fields.len; i++) {
        Param *p = d->fields.items[i];
        Local *l = p->local;
        if (l->type->kind == TY_PACKET)
            continue;
        int r = named_vreg(L, l);
        record(L, l, f->is_handler ? 32 : type_bits(l->type));
        if (f->is_handler)
            op_a(L, SL_OP_INPORT, r); /* on packet(p, port): the input port */
        else
            op_ab(L, SL_OP_MOV, r, argn++);
    }
    lower_stmt(L, d->body);
    if (!ends_closed(f)) {
        if (f->is_handler) {
            emit(L, SL_OP_EXIT);
        } else {
            op_ai(L, SL_OP_MOVI, 0, 0);
            emit(L, SL_OP_RET);
        }
    }
    if (L->trap_label >= 0) {
        label(L, L->trap_label);
        emit(L, SL_OP_TRAP)->imm = 1;
    }
}

/* Lowers a function. Value ranges of variables are a fixpoint: each variable starts assumed to
 * hold only zero; every store records the width of what it stores; while some variable got
 * wider values than assumed, the assumption grows and the function is lowered again. The
 * last round's assumptions bound every value stored, so the zero-extensions it left out are
 * not needed. */
IrFunc *lower_function(Backend *be, Decl *d)
{
    IrFunc *f = calloc(1, sizeof *f);
    if (!f)
        abort();
    f->decl = d;
    f->name = d->name;
    f->nvregs = IR_FIRST_VREG;
    f->is_handler = d->kind == D_ON;
    f->nargs = d->kind == D_ON ? 0 : d->nscalar;
    ir_new_vreg(f); /* allocate the tables */
    Lower L = {0};
    L.be = be;
    L.c = be->c;
    L.f = f;
    L.fn = d;
    uint32_t mem_top = be->mem_top;
    for (int round = 0;; round++) {
        lower_round(&L, d, mem_top);
        if (!L.grew)
            break;
        for (uint32_t i = 0; i < L.touched.len; i++) {
            Local *l = L.touched.items[i];
            if (l->seen_bits > l->assumed_bits) /* still growing after a few rounds: give up on it */
                l->assumed_bits = round >= 4 ? 64 : l->seen_bits;
        }
    }
    free(L.brk);
    free(L.cont);
    return f;
}

void ir_dump(Ctx *c, const IrFunc *f, Buf *o)
{
    (void)c;
    buf_printf(o, "function %s (%d args)\n", f->name, f->nargs);
    for (uint32_t i = 0; i < f->n; i++) {
        const IrIns *in = &f->code[i];
        if (in->op == IR_LABEL) {
            buf_printf(o, "L%lld:\n", (long long)in->imm);
            continue;
        }
        if (in->op == IR_LOC) {
            buf_printf(o, "    ; line %d:%d\n", in->b, in->c);
            continue;
        }
        if (in->op == IR_NOP)
            continue;
        buf_printf(o, "    %s", sl_op_info[in->op].mnemonic);
        const char *sep = " ";
        if (in->a != IR_NONE) {
            buf_printf(o, "%s%c%d", sep, in->a < IR_FIRST_VREG ? 'r' : 'v', in->a);
            sep = ", ";
        }
        if (in->b != IR_NONE) {
            buf_printf(o, "%s%c%d", sep, in->b < IR_FIRST_VREG ? 'r' : 'v', in->b);
            sep = ", ";
        }
        if (in->c != IR_NONE) {
            buf_printf(o, "%s%c%d", sep, in->c < IR_FIRST_VREG ? 'r' : 'v', in->c);
            sep = ", ";
        }
        if (in->off)
            buf_printf(o, "%soff %d", sep, in->off);
        if (in->imm)
            buf_printf(o, "%s#%lld", sep, (long long)in->imm);
        if (in->label >= 0)
            buf_printf(o, "%sL%d", sep, in->label);
        buf_printf(o, "\n");
    }
}
