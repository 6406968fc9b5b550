/* The IR optimiser: runs on each function's IR after lowering and before register allocation
 * (backend_run in emit.c; `slc -d opt` dumps its result next to `-d ir`'s input).
 *
 * Lowering is deliberately simple: every expression gets fresh temporaries, the ISA's
 * two-address forms come out as `mov t, x; op t, y`, an inlined function's `return` writes a
 * result register and jumps to the end, a bool used as a condition is a 0/1 value tested by
 * `jeq v, 0`. The allocator coalesces some of the copies, not all. This pass cleans up what the
 * lowering leaves with cheap rewrites, steps 1-4 run in rounds until none applies (six at most):
 *
 * 1. Forward pass over each extended block (code from a label to the next label: entered only
 *    at its top, left by branches). Copies are propagated into later read-only operands while
 *    neither register changes: after `mov t, x` reads of t read x (so `mov t, x; zext16 t, t`
 *    becomes `zext16 t, x` and the move dies), after `mov v, t` into a named variable v reads
 *    of the temporary t read v (so t dies at the copy and step 2 computes into v). In code
 *    without loops a temporary written once by a copy of a register written once is replaced
 *    everywhere. A repeated `mov u, x; shl u, 4` whose result t still holds becomes `mov u, t`.
 *    A conditional branch identical to one already fallen through (same operands, none
 *    redefined) cannot be taken and goes; its negation becomes a `ja`. Packet access bases are
 *    left alone: the verifier proves constant-offset accesses by finding the base's `mov r, 0`
 *    in the same extended block, at most 64 instructions back.
 * 2. Coalescing, per basic block: a temporary computed and then copied, `def t; ...; mov x, t`
 *    with t dead after the copy and x untouched in between, is computed in x directly. A
 *    zero-extension `zextN t, t` whose only reader is a store of at most N bytes (maybe after
 *    in-place arithmetic whose low bits depend only on low bits) is dropped.
 * 3. Dead code: pure register arithmetic whose result is not live is removed (liveness is the
 *    usual backward data flow over basic blocks, on virtual registers).
 * 4. Jump threading. A branch whose operands are constants known in its extended block is
 *    decided. Along each jump edge, and each fall-through into a join point, the target is
 *    simulated with what is known at the source (registers set by `mov r, imm`, or copies of
 *    them, earlier in the source's extended block): moves and conditional branches whose
 *    operands are then known are followed, through `ja`s, to the first instruction that cannot
 *    be decided. When every register written on the way is dead there, the edge goes straight
 *    to it (a fall-through gets a `ja`). So an inlined `return a && b;` tested by the caller
 *    becomes branches to the caller's two outcomes. Then blocks nothing reaches are removed,
 *    labels nothing names are dropped, and `jcc L1; ja L2; L1:` becomes `jncc L2; L1:`.
 * 5. Once, at the end: lowering sets a register to 0 in each block that addresses state
 *    memory at a constant address; where another register written only by `mov z, 0` is set
 *    on every path (its block dominates: Cooper, Harvey and Kennedy's iterative algorithm),
 *    state accesses use that one and their own zero dies. Packet accesses keep theirs for the
 *    verifier, and nothing happens in functions where many registers are live at once, so that
 *    the longer-lived zero does not cause a spill.
 *
 * Named variables (those the debugger shows) are never renamed away or deleted, nor is a block
 * that writes one (reached or not), so -g still names every variable it named before. Nothing
 * here looks at -g or counts line markers (IR_LOC), so the code is the same with and without
 * debug info. Physical registers (call arguments and results) are left as they are. The only
 * instructions deleted are pure arithmetic and moves, never loads, stores or anything that can
 * fault, so run-time faults stay where they were. */
#include <stdlib.h>
#include <string.h>

#include "backend.h"

enum { OPT_ROUNDS = 6, SIM_STEPS = 24, SIM_REGS = 16, CSE_MAX = 64, BR_MAX = 32 };

typedef struct Opt {
    Backend *be;
    IrFunc *f;
    int nv;
    int *label_pos;    /* label id -> index of its IR_LABEL, or -1 */
    int nlabels;       /* labels label_pos knows (thread() makes new ones as it goes) */
    uint32_t *bstart;  /* basic block starts, nb + 1 entries */
    int *block_of;     /* instruction -> block */
    int *succ;         /* two per block, -1 = none */
    uint32_t nb;
    size_t words;      /* bit set words per block */
    uint64_t *live_in, *live_out;
    uint64_t *tmp;     /* one bit set */
} Opt;

static int is_vreg(int r) { return r >= IR_FIRST_VREG; }
static int is_real(int op) { return op < SL_OP_COUNT; }
static int is_branch(int op) { return is_real(op) && sl_op_info[op].cls == SL_C_BRANCH; }

static int is_term(int op)
{
    return op == SL_OP_JA || op == SL_OP_RET || op == SL_OP_EXIT || op == SL_OP_SEND || op == SL_OP_DROP ||
           op == SL_OP_PUNT || op == SL_OP_TRAP;
}

static int reads_a(const IrIns *in)
{
    return is_real(in->op) && (sl_op_info[in->op].regs & SL_R_RA) && in->a != IR_NONE;
}

static int reads_b(const IrIns *in)
{
    return is_real(in->op) && (sl_op_info[in->op].regs & SL_R_RB) && in->b != IR_NONE;
}

static int reads_c(const IrIns *in)
{
    return is_real(in->op) && (sl_op_info[in->op].regs & SL_R_RC) && in->c != IR_NONE;
}

static int def_of(const IrIns *in)
{
    if (is_real(in->op) && (sl_op_info[in->op].regs & SL_R_WA) && in->a != IR_NONE)
        return in->a;
    return IR_NONE;
}

static int reads(const IrIns *in, int v)
{
    return (reads_a(in) && in->a == v) || (reads_b(in) && in->b == v) || (reads_c(in) && in->c == v);
}

static int mentions(const IrIns *in, int v)
{
    return is_real(in->op) && (in->a == v || in->b == v || in->c == v);
}

static int named(const Opt *o, int v) { return is_vreg(v) && o->f->vlocal[v] != NULL; }

/* Side-effect free and cannot fault: may be deleted when its result is dead. */
static int is_pure(int op) { return is_real(op) && (sl_op_info[op].cls == SL_C_ALU || op == SL_OP_PLEN); }

static void nop(IrIns *in)
{
    in->op = IR_NOP;
    in->a = in->b = in->c = IR_NONE;
    in->label = -1;
}

static int negate_branch(int op)
{
    switch (op) { /* an int switch: only branches matter */
    case SL_OP_JEQ: return SL_OP_JNE;
    case SL_OP_JNE: return SL_OP_JEQ;
    case SL_OP_JEQI: return SL_OP_JNEI;
    case SL_OP_JNEI: return SL_OP_JEQI;
    case SL_OP_JLT: return SL_OP_JGE;
    case SL_OP_JGE: return SL_OP_JLT;
    case SL_OP_JLTI: return SL_OP_JGEI;
    case SL_OP_JGEI: return SL_OP_JLTI;
    case SL_OP_JLE: return SL_OP_JGT;
    case SL_OP_JGT: return SL_OP_JLE;
    case SL_OP_JLEI: return SL_OP_JGTI;
    case SL_OP_JGTI: return SL_OP_JLEI;
    case SL_OP_JSLT: return SL_OP_JSGE;
    case SL_OP_JSGE: return SL_OP_JSLT;
    case SL_OP_JSLTI: return SL_OP_JSGEI;
    case SL_OP_JSGEI: return SL_OP_JSLTI;
    case SL_OP_JSLE: return SL_OP_JSGT;
    case SL_OP_JSGT: return SL_OP_JSLE;
    case SL_OP_JSLEI: return SL_OP_JSGTI;
    case SL_OP_JSGTI: return SL_OP_JSLEI;
    default: return -1;
    }
}

/* The outcome of branch op on known operand values. */
static int branch_taken(int op, uint64_t a, uint64_t b)
{
    int64_t sa = (int64_t)a, sb = (int64_t)b;
    switch (op) {
    case SL_OP_JEQ: case SL_OP_JEQI: return a == b;
    case SL_OP_JNE: case SL_OP_JNEI: return a != b;
    case SL_OP_JLT: case SL_OP_JLTI: return a < b;
    case SL_OP_JLE: case SL_OP_JLEI: return a <= b;
    case SL_OP_JGT: case SL_OP_JGTI: return a > b;
    case SL_OP_JGE: case SL_OP_JGEI: return a >= b;
    case SL_OP_JSLT: case SL_OP_JSLTI: return sa < sb;
    case SL_OP_JSLE: case SL_OP_JSLEI: return sa <= sb;
    case SL_OP_JSGT: case SL_OP_JSGTI: return sa > sb;
    case SL_OP_JSGE: case SL_OP_JSGEI: return sa >= sb;
    case SL_OP_JSET: case SL_OP_JSETI: return (a & b) != 0;
    default: return -1;
    }
}

static int imm_form(int op) { return sl_op_info[op].format == SL_FMT_JAI; }

/* ---- control flow and liveness -------------------------------------------------------- */

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        abort();
    return p;
}

/* Basic blocks (a new one at each label and after each jump or end), their successors, and
 * live virtual registers at their entries and exits. */
static void analyse(Opt *o)
{
    IrFunc *f = o->f;
    uint32_t n = f->n;
    o->nv = f->nvregs;
    o->label_pos = xrealloc(o->label_pos, ((size_t)f->nlabels + 1) * sizeof *o->label_pos);
    for (int l = 0; l < f->nlabels; l++)
        o->label_pos[l] = -1;
    o->nlabels = f->nlabels;
    o->bstart = xrealloc(o->bstart, ((size_t)n + 2) * sizeof *o->bstart);
    o->block_of = xrealloc(o->block_of, ((size_t)n + 1) * sizeof *o->block_of);
    uint32_t nb = 0;
    int cut = 1; /* the next instruction starts a block */
    for (uint32_t i = 0; i < n; i++) {
        const IrIns *in = &f->code[i];
        if (in->op == IR_LABEL) {
            o->label_pos[in->imm] = (int)i;
            if (!(i > 0 && f->code[i - 1].op == IR_LABEL))
                cut = 1;
        }
        if (cut)
            o->bstart[nb++] = i;
        cut = 0;
        o->block_of[i] = (int)nb - 1;
        if (is_real(in->op) && (is_term(in->op) || is_branch(in->op)))
            cut = 1;
    }
    o->bstart[nb] = n;
    o->nb = nb;
    o->succ = xrealloc(o->succ, ((size_t)nb * 2 + 1) * sizeof *o->succ);
    for (uint32_t b = 0; b < nb; b++) {
        o->succ[2 * b] = o->succ[2 * b + 1] = -1;
        const IrIns *last = NULL;
        for (uint32_t i = o->bstart[b + 1]; i-- > o->bstart[b];)
            if (is_real(f->code[i].op)) {
                last = &f->code[i];
                break;
            }
        if (last && (last->op == SL_OP_JA || is_branch(last->op)) && o->label_pos[last->label] >= 0)
            o->succ[2 * b] = o->block_of[o->label_pos[last->label]];
        if ((!last || !is_term(last->op)) && b + 1 < nb)
            o->succ[2 * b + 1] = (int)b + 1;
    }
    size_t words = ((size_t)o->nv + 63) / 64;
    o->words = words;
    size_t sz = ((size_t)nb + 1) * words * sizeof(uint64_t);
    o->live_in = xrealloc(o->live_in, sz);
    o->live_out = xrealloc(o->live_out, sz);
    o->tmp = xrealloc(o->tmp, (words + 1) * sizeof(uint64_t));
    uint64_t *use = calloc((size_t)nb * words + 1, 8), *def = calloc((size_t)nb * words + 1, 8);
    if (!use || !def)
        abort();
    memset(o->live_in, 0, sz);
    memset(o->live_out, 0, sz);
    for (uint32_t b = 0; b < nb; b++) {
        uint64_t *u = use + b * words, *d = def + b * words;
        for (uint32_t i = o->bstart[b]; i < o->bstart[b + 1]; i++) {
            const IrIns *in = &f->code[i];
            int r[3] = {reads_a(in) ? in->a : -1, reads_b(in) ? in->b : -1, reads_c(in) ? in->c : -1};
            for (int k = 0; k < 3; k++)
                if (is_vreg(r[k]) && !(d[r[k] / 64] >> (r[k] % 64) & 1))
                    u[r[k] / 64] |= 1ull << (r[k] % 64);
            int dv = def_of(in);
            if (is_vreg(dv))
                d[dv / 64] |= 1ull << (dv % 64);
        }
    }
    int changed = 1;
    while (changed) {
        changed = 0;
        for (uint32_t b = nb; b-- > 0;) {
            uint64_t *out = o->live_out + b * words, *in = o->live_in + b * words;
            for (int k = 0; k < 2; k++) {
                int s = o->succ[2 * b + k];
                if (s < 0)
                    continue;
                const uint64_t *si = o->live_in + (size_t)s * words;
                for (size_t w = 0; w < words; w++)
                    out[w] |= si[w];
            }
            const uint64_t *u = use + b * words, *d = def + b * words;
            for (size_t w = 0; w < words; w++) {
                uint64_t x = u[w] | (out[w] & ~d[w]);
                if (x != in[w]) {
                    in[w] = x;
                    changed = 1;
                }
            }
        }
    }
    free(use);
    free(def);
}

static int bit(const uint64_t *s, int v) { return (int)(s[v / 64] >> (v % 64) & 1); }

/* Is v live just after instruction i (same block scan, then the block's exit)? */
static int live_after(const Opt *o, uint32_t i, int v)
{
    const IrFunc *f = o->f;
    uint32_t b = (uint32_t)o->block_of[i];
    for (uint32_t k = i + 1; k < o->bstart[b + 1]; k++) {
        const IrIns *in = &f->code[k];
        if (reads(in, v))
            return 1;
        if (def_of(in) == v)
            return 0;
    }
    return bit(o->live_out + (size_t)b * o->words, v);
}

/* Is v live just before instruction i? */
static int live_before(const Opt *o, uint32_t i, int v)
{
    const IrIns *in = &o->f->code[i];
    if (reads(in, v))
        return 1;
    if (def_of(in) == v)
        return 0;
    return live_after(o, i, v);
}

/* ---- 1. copies, repeated computations, repeated branches ------------------------------- */

typedef struct Cse {
    int src, src_ver, op, dst, dst_ver;
    int64_t imm;
} Cse;

typedef struct Br {
    int op, a, a_ver, b, b_ver;
    int64_t imm;
} Br;

static int next_real(const IrFunc *f, uint32_t i)
{
    for (uint32_t k = i + 1; k < f->n; k++) {
        int op = f->code[k].op;
        if (op == IR_LOC || op == IR_NOP)
            continue;
        return op == IR_LABEL ? -1 : (int)k;
    }
    return -1;
}

static int is_alu_imm(int op)
{
    return op == SL_OP_ADDI || op == SL_OP_SUBI || op == SL_OP_MULI || op == SL_OP_ANDI || op == SL_OP_ORI ||
           op == SL_OP_XORI || op == SL_OP_SHLI || op == SL_OP_SHRI || op == SL_OP_SARI;
}

/* Global copies: in code without loops, a temporary written once, by `mov t, x` from a
 * register itself written once, equals x wherever it is read. */
static int *global_copies(const IrFunc *f)
{
    int nv = f->nvregs;
    int *gsrc = malloc(((size_t)nv + 1) * sizeof *gsrc);
    int *ndef = calloc((size_t)nv + 1, sizeof *ndef);
    int *lpos = malloc(((size_t)f->nlabels + 1) * sizeof *lpos);
    if (!gsrc || !ndef || !lpos)
        abort();
    for (int v = 0; v < nv; v++)
        gsrc[v] = -1;
    for (int l = 0; l < f->nlabels; l++)
        lpos[l] = -1;
    int loops = 0;
    for (uint32_t i = 0; i < f->n; i++) {
        const IrIns *in = &f->code[i];
        if (in->op == IR_LABEL)
            lpos[in->imm] = (int)i;
        int d = def_of(in);
        if (is_vreg(d))
            ndef[d]++;
    }
    for (uint32_t i = 0; i < f->n; i++) {
        const IrIns *in = &f->code[i];
        if ((in->op == SL_OP_JA || is_branch(in->op)) && lpos[in->label] <= (int)i)
            loops = 1;
    }
    for (uint32_t i = 0; i < f->n && !loops; i++) {
        const IrIns *in = &f->code[i];
        if (in->op == SL_OP_MOV && is_vreg(in->a) && is_vreg(in->b) && in->a != in->b && ndef[in->a] == 1 &&
            ndef[in->b] == 1 && !f->vlocal[in->a])
            gsrc[in->a] = in->b;
    }
    free(ndef);
    free(lpos);
    return gsrc;
}

static int forward(Opt *o)
{
    IrFunc *f = o->f;
    int nv = f->nvregs, changed = 0;
    int *ver = calloc((size_t)nv + 1, sizeof *ver);
    int *csrc = malloc(((size_t)nv + 1) * sizeof *csrc);
    int *cver = malloc(((size_t)nv + 1) * 3 * sizeof *cver); /* epoch, own version, source version */
    int *rdst = malloc(((size_t)nv + 1) * sizeof *rdst);
    int *rver = malloc(((size_t)nv + 1) * 3 * sizeof *rver);
    int *gsrc = global_copies(f);
    if (!ver || !csrc || !cver || !rdst || !rver)
        abort();
    for (int v = 0; v < nv; v++)
        cver[3 * v] = rver[3 * v] = -1;
    int epoch = 0, stamp = 0;
    Cse cse[CSE_MAX];
    Br br[BR_MAX];
    int ncse = 0, nbr = 0;
    /* t = copy source (mov t, src); t's value also in rdst (mov rdst, t, a named variable) */
#define COPY_OK(t) (is_vreg(t) && cver[3 * (t)] == epoch && cver[3 * (t) + 1] == ver[t] && \
                    cver[3 * (t) + 2] == ver[csrc[t]])
#define RCOPY_OK(t) (is_vreg(t) && rver[3 * (t)] == epoch && rver[3 * (t) + 1] == ver[t] && \
                     rver[3 * (t) + 2] == ver[rdst[t]])
#define SUBST(r) (is_vreg(r) && gsrc[r] >= 0 ? gsrc[r] : COPY_OK(r) ? csrc[r] : RCOPY_OK(r) ? rdst[r] : (r))
    for (uint32_t i = 0; i < f->n; i++) {
        IrIns *in = &f->code[i];
        if (in->op == IR_LABEL) {
            epoch++;
            ncse = nbr = 0;
            continue;
        }
        if (!is_real(in->op))
            continue;
        int cls = sl_op_info[in->op].cls;
        int pkt_base_a = cls == SL_C_STP, pkt_base_b = cls == SL_C_LDP;
        /* propagate copies into read-only operands */
        for (int round = 0; round < 4; round++) {
            int any = 0;
            if (reads_b(in) && !pkt_base_b && SUBST(in->b) != in->b) {
                in->b = SUBST(in->b);
                any = 1;
            }
            if (reads_c(in) && SUBST(in->c) != in->c) {
                in->c = SUBST(in->c);
                any = 1;
            }
            if (reads_a(in) && !(sl_op_info[in->op].regs & SL_R_WA) && !pkt_base_a && SUBST(in->a) != in->a) {
                in->a = SUBST(in->a);
                any = 1;
            }
            changed |= any;
            if (!any)
                break;
        }
        if (in->op == SL_OP_MOV && in->a == in->b) {
            nop(in);
            changed = 1;
            continue;
        }
        /* mov u, x; opi u, k computed before into a t that still holds it */
        if (in->op == SL_OP_MOV && is_vreg(in->a) && is_vreg(in->b)) {
            int j = next_real(f, i);
            IrIns *nx = j >= 0 ? &f->code[j] : NULL;
            if (nx && is_alu_imm(nx->op) && nx->a == in->a) {
                int found = -1;
                for (int k = 0; k < ncse && found < 0; k++)
                    if (cse[k].src == in->b && cse[k].src_ver == ver[in->b] && cse[k].op == nx->op &&
                        cse[k].imm == nx->imm && ver[cse[k].dst] == cse[k].dst_ver && cse[k].dst != in->a)
                        found = cse[k].dst;
                if (found >= 0) {
                    in->b = found;
                    nop(nx);
                    changed = 1;
                } else if (ncse < CSE_MAX && in->b != in->a) {
                    cse[ncse].src = in->b;
                    cse[ncse].src_ver = ver[in->b];
                    cse[ncse].op = nx->op;
                    cse[ncse].imm = nx->imm;
                    cse[ncse].dst = in->a;
                    cse[ncse].dst_ver = stamp + 2; /* u's version after the mov and the opi */
                    ncse++;
                }
            }
        }
        /* a branch that repeats one already fallen through */
        if (is_branch(in->op)) {
            int a = in->a, b = reads_b(in) ? in->b : IR_NONE;
            int av = is_vreg(a) ? ver[a] : -1, bv = is_vreg(b) ? ver[b] : -1;
            int known = is_vreg(a) && (b == IR_NONE || is_vreg(b));
            int decided = 0;
            for (int k = 0; k < nbr && known && !decided; k++) {
                if (br[k].a != a || br[k].a_ver != av || br[k].b != b || br[k].b_ver != bv || br[k].imm != in->imm)
                    continue;
                if (br[k].op == in->op) { /* was not taken, is not taken now */
                    nop(in);
                    decided = 1;
                } else if (br[k].op == negate_branch(in->op)) { /* was not taken: this one is */
                    int lab = in->label;
                    nop(in);
                    in->op = SL_OP_JA;
                    in->label = lab;
                    decided = 1;
                }
            }
            if (decided) {
                changed = 1;
                if (in->op == SL_OP_JA) {
                    epoch++;
                    ncse = nbr = 0;
                }
                continue;
            }
            if (known && nbr < BR_MAX) {
                br[nbr].op = in->op;
                br[nbr].a = a;
                br[nbr].a_ver = av;
                br[nbr].b = b;
                br[nbr].b_ver = bv;
                br[nbr].imm = in->imm;
                nbr++;
            }
        }
        int d = def_of(in);
        if (is_vreg(d))
            ver[d] = ++stamp;
        if (in->op == SL_OP_MOV && is_vreg(in->a) && is_vreg(in->b) && in->a != in->b) {
            int x = in->a, t = in->b;
            if (named(o, x) && !named(o, t)) { /* later reads of t read x: t may then die */
                rdst[t] = x;
                rver[3 * t] = epoch;
                rver[3 * t + 1] = ver[t];
                rver[3 * t + 2] = ver[x];
            } else {
                csrc[x] = t;
                cver[3 * x] = epoch;
                cver[3 * x + 1] = ver[x];
                cver[3 * x + 2] = ver[t];
            }
        }
        if (is_term(in->op)) {
            epoch++;
            ncse = nbr = 0;
        }
    }
#undef COPY_OK
#undef RCOPY_OK
#undef SUBST
    free(ver);
    free(rdst);
    free(rver);
    free(gsrc);
    free(csrc);
    free(cver);
    return changed;
}

/* ---- 2. computing into the copy's destination; zero-extensions only stores read ---------- */

static int store_width(int op)
{
    switch (op) {
    case SL_OP_STM8: case SL_OP_STP8: return 1;
    case SL_OP_STM16: case SL_OP_STP16: return 2;
    case SL_OP_STM32: case SL_OP_STP32: return 4;
    case SL_OP_STM64: case SL_OP_STP64: return 8;
    default: return 0;
    }
}

/* In-place operations (a = a op b) whose result's low bits depend only on the low bits of a. */
static int low_bits_op(int op)
{
    switch (op) {
    case SL_OP_ADD: case SL_OP_ADDI: case SL_OP_SUB: case SL_OP_SUBI: case SL_OP_MUL: case SL_OP_MULI:
    case SL_OP_AND: case SL_OP_ANDI: case SL_OP_OR: case SL_OP_ORI: case SL_OP_XOR: case SL_OP_XORI:
    case SL_OP_SHLI: case SL_OP_NEG: case SL_OP_NOT:
        return 1;
    default:
        return 0;
    }
}

static int coalesce(Opt *o)
{
    IrFunc *f = o->f;
    int changed = 0;
    for (uint32_t b = 0; b < o->nb; b++) {
        uint32_t lo = o->bstart[b], hi = o->bstart[b + 1];
        for (uint32_t m = lo; m < hi; m++) {
            IrIns *mv = &f->code[m];
            int zw = mv->op == SL_OP_ZEXT8 ? 1 : mv->op == SL_OP_ZEXT16 ? 2 : mv->op == SL_OP_ZEXT32 ? 4 : 0;
            if (zw && mv->a == mv->b && is_vreg(mv->a) && !named(o, mv->a)) {
                /* zextN t, t whose only reader is a store of at most N bytes, maybe after
                 * in-place operations whose low N bits depend only on t's low N bits */
                int t = mv->a;
                for (uint32_t k = m + 1; k < hi; k++) {
                    const IrIns *x = &f->code[k];
                    if (!reads(x, t)) {
                        if (def_of(x) == t)
                            break;
                        continue;
                    }
                    if (x->a == t && low_bits_op(x->op)) /* b, when read, is t or untouched */
                        continue;
                    int w = store_width(x->op);
                    if (w && w <= zw && x->b == t && x->a != t && !live_after(o, k, t)) {
                        nop(mv);
                        changed = 1;
                    }
                    break;
                }
                continue;
            }
            if (mv->op != SL_OP_MOV || !is_vreg(mv->a) || !is_vreg(mv->b) || mv->a == mv->b)
                continue;
            int x = mv->a, t = mv->b;
            if (named(o, t) || live_after(o, m, t))
                continue;
            /* back to t's defining write, x untouched on the way */
            int s = -1;
            for (uint32_t k = m; k-- > lo;) {
                const IrIns *in = &f->code[k];
                if (def_of(in) == t && !reads(in, t)) { /* it may read x: before writing */
                    s = (int)k;
                    break;
                }
                if (mentions(in, x))
                    break;
            }
            if (s < 0)
                continue;
            for (uint32_t k = (uint32_t)s; k < m; k++) {
                IrIns *in = &f->code[k];
                if (!is_real(in->op))
                    continue;
                if (in->a == t)
                    in->a = x;
                if (in->b == t)
                    in->b = x;
                if (in->c == t)
                    in->c = x;
            }
            nop(mv);
            changed = 1;
        }
    }
    return changed;
}

/* ---- 3. dead code ------------------------------------------------------------------------ */

static int dce(Opt *o)
{
    IrFunc *f = o->f;
    int changed = 0;
    uint64_t *live = o->tmp;
    for (uint32_t b = 0; b < o->nb; b++) {
        memcpy(live, o->live_out + (size_t)b * o->words, o->words * sizeof *live);
        for (uint32_t i = o->bstart[b + 1]; i-- > o->bstart[b];) {
            IrIns *in = &f->code[i];
            if (!is_real(in->op))
                continue;
            int d = def_of(in);
            if (is_vreg(d) && !named(o, d) && is_pure(in->op) && !bit(live, d)) {
                nop(in);
                changed = 1;
                continue;
            }
            if (is_vreg(d))
                live[d / 64] &= ~(1ull << (d % 64));
            int r[3] = {reads_a(in) ? in->a : -1, reads_b(in) ? in->b : -1, reads_c(in) ? in->c : -1};
            for (int k = 0; k < 3; k++)
                if (is_vreg(r[k]))
                    live[r[k] / 64] |= 1ull << (r[k] % 64);
        }
    }
    return changed;
}

/* ---- 4. jump threading ------------------------------------------------------------------- */

/* The constant v holds just after instruction i, from i's extended block. */
static int const_at(const IrFunc *f, int i, int v, int depth, int64_t *k)
{
    if (!is_vreg(v) || depth > 4)
        return 0;
    for (int j = i, steps = 0; j >= 0 && steps < 256; j--) { /* bounded: compile time stays linear */
        const IrIns *in = &f->code[j];
        if (in->op == IR_LABEL)
            return 0;
        steps += is_real(in->op);
        if (def_of(in) != v)
            continue;
        if (in->op == SL_OP_MOVI) {
            *k = in->imm;
            return 1;
        }
        if (in->op == SL_OP_MOV)
            return const_at(f, j - 1, in->b, depth + 1, k);
        return 0;
    }
    return 0;
}

typedef struct Sim {
    int n;
    int reg[SIM_REGS];
    int known[SIM_REGS];
    int64_t val[SIM_REGS];
} Sim;

static int sim_find(const Sim *s, int v)
{
    for (int k = 0; k < s->n; k++)
        if (s->reg[k] == v)
            return k;
    return -1;
}

static int sim_value(const Sim *s, const IrFunc *f, int src, int v, int64_t *k)
{
    int x = sim_find(s, v);
    if (x >= 0) {
        *k = s->val[x];
        return s->known[x];
    }
    return src >= 0 && const_at(f, src, v, 0, k);
}

/* Follows control from position p (the target of an edge leaving src) as far as known values
 * decide it. Returns the position reached, or -1 when nothing was decided (no conditional
 * branch, with need_branch) or what was written on the way is live there. */
static int simulate(const Opt *o, int src, int p, int need_branch)
{
    const IrFunc *f = o->f;
    Sim s = {0};
    int steps = 0, decided = 0;
    int at = -1, nset = 0; /* where the last decision led, registers written before it */
    while (p >= 0 && (uint32_t)p < f->n && steps < SIM_STEPS) {
        const IrIns *in = &f->code[p];
        if (!is_real(in->op)) {
            p++;
            continue;
        }
        steps++;
        if ((in->op == SL_OP_MOVI || in->op == SL_OP_MOV) && is_vreg(in->a) && !named(o, in->a)) {
            int64_t k = 0;
            int kn = in->op == SL_OP_MOVI ? (k = in->imm, 1) : sim_value(&s, f, src, in->b, &k);
            int x = sim_find(&s, in->a);
            if (x < 0) {
                if (s.n == SIM_REGS)
                    break;
                x = s.n++;
                s.reg[x] = in->a;
            }
            s.known[x] = kn;
            s.val[x] = k;
            p++;
            continue;
        }
        if ((in->op == SL_OP_JA || is_branch(in->op)) && in->label >= o->nlabels)
            break; /* retargeted in this pass to a label not placed yet */
        if (in->op == SL_OP_JA) {
            p = o->label_pos[in->label];
            decided = decided ? decided : 1;
        } else if (is_branch(in->op)) {
            int64_t a, b;
            if (!sim_value(&s, f, src, in->a, &a))
                break;
            if (imm_form(in->op))
                b = in->imm;
            else if (!sim_value(&s, f, src, in->b, &b))
                break;
            int t = branch_taken(in->op, (uint64_t)a, (uint64_t)b);
            if (t < 0)
                break;
            p = t ? o->label_pos[in->label] : p + 1;
            decided = 2;
        } else {
            break;
        }
        if (p < 0)
            return -1;
        at = p;
        nset = s.n;
    }
    if (!decided || (need_branch && decided < 2) || at < 0)
        return -1;
    int q = at;
    while ((uint32_t)q < f->n && !is_real(f->code[q].op))
        q++;
    if ((uint32_t)q >= f->n)
        return -1;
    for (int k = 0; k < nset; k++)
        if (live_before(o, (uint32_t)q, s.reg[k]))
            return -1;
    return q;
}

typedef struct Insert {
    uint32_t pos;  /* before this instruction */
    int label;     /* a new label, or -1 */
    int ja;        /* a new `ja ja` after pos - 1 when >= 0 */
} Insert;

static int cmp_insert(const void *x, const void *y)
{
    const Insert *a = x, *b = y;
    if (a->pos != b->pos)
        return a->pos < b->pos ? -1 : 1;
    return (a->ja < 0) - (b->ja < 0); /* at one position: the jump (end of the block before), then the label */
}

/* The label to jump to for position q: an existing one right before it, or a new one. */
static int label_for(Opt *o, uint32_t q, int *lab_at, Insert **ins, uint32_t *nins, uint32_t *cap)
{
    IrFunc *f = o->f;
    for (uint32_t k = q; k-- > 0;) {
        int op = f->code[k].op;
        if (op == IR_LABEL)
            return (int)f->code[k].imm;
        if (op != IR_LOC && op != IR_NOP)
            break;
    }
    if (lab_at[q] >= 0)
        return lab_at[q];
    int l = f->nlabels++;
    lab_at[q] = l;
    if (*nins == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *ins = xrealloc(*ins, *cap * sizeof **ins);
    }
    (*ins)[(*nins)++] = (Insert){q, l, -1};
    return l;
}

static void apply_inserts(IrFunc *f, Insert *ins, uint32_t nins)
{
    if (!nins)
        return;
    qsort(ins, nins, sizeof *ins, cmp_insert);
    IrIns *old = f->code;
    uint32_t n = f->n;
    f->cap = n + nins + 1;
    f->code = xrealloc(NULL, f->cap * sizeof *f->code);
    f->n = 0;
    uint32_t k = 0;
    for (uint32_t i = 0; i <= n; i++) {
        for (; k < nins && ins[k].pos == i; k++) {
            IrIns x = {IR_LABEL, IR_NONE, IR_NONE, IR_NONE, 0, -1, 0};
            if (ins[k].ja >= 0) {
                x.op = SL_OP_JA;
                x.label = ins[k].ja;
            } else {
                x.imm = ins[k].label;
            }
            f->code[f->n++] = x;
        }
        if (i < n)
            f->code[f->n++] = old[i];
    }
    free(old);
}

static int thread(Opt *o)
{
    IrFunc *f = o->f;
    uint32_t n = f->n;
    int *lab_at = malloc(((size_t)n + 1) * sizeof *lab_at);
    if (!lab_at)
        abort();
    for (uint32_t i = 0; i <= n; i++)
        lab_at[i] = -1;
    Insert *ins = NULL;
    uint32_t nins = 0, cap = 0;
    int changed = 0;
    for (uint32_t i = 0; i < n; i++) {
        IrIns *in = &f->code[i];
        if (!is_real(in->op))
            continue;
        if (is_branch(in->op)) { /* operands known here: the branch is decided */
            int64_t a, b = in->imm;
            if (const_at(f, (int)i - 1, in->a, 0, &a) && (imm_form(in->op) || const_at(f, (int)i - 1, in->b, 0, &b))) {
                int t = branch_taken(in->op, (uint64_t)a, (uint64_t)b);
                if (t == 1) {
                    int lab = in->label;
                    nop(in);
                    in->op = SL_OP_JA;
                    in->label = lab;
                    changed = 1;
                } else if (t == 0) {
                    nop(in);
                    changed = 1;
                    continue;
                }
            }
        }
        if (in->op == SL_OP_JA || is_branch(in->op)) {
            int t = o->label_pos[in->label];
            if (t < 0)
                continue;
            int q = simulate(o, (int)i - 1, t, 0);
            if (q < 0)
                continue;
            int l = label_for(o, (uint32_t)q, lab_at, &ins, &nins, &cap);
            if (l != in->label) {
                in->label = l;
                changed = 1;
            }
            continue;
        }
        if (is_term(in->op))
            continue;
        /* falls through into a join point? */
        uint32_t k = i + 1;
        while (k < n && (f->code[k].op == IR_LOC || f->code[k].op == IR_NOP))
            k++;
        if (k >= n || f->code[k].op != IR_LABEL)
            continue;
        int q = simulate(o, (int)i, (int)k, 1);
        if (q < 0)
            continue;
        int l = label_for(o, (uint32_t)q, lab_at, &ins, &nins, &cap);
        if (nins == cap) {
            cap = cap ? cap * 2 : 16;
            ins = xrealloc(ins, cap * sizeof *ins);
        }
        ins[nins++] = (Insert){i + 1, -1, l};
        changed = 1;
    }
    apply_inserts(f, ins, nins);
    free(ins);
    free(lab_at);
    return changed;
}

/* Removes what no path reaches; `jcc L1; ja L2; L1:` becomes `jncc L2; L1:`. */
static int cleanup(Opt *o)
{
    IrFunc *f = o->f;
    int changed = 0;
    uint8_t *seen = calloc((size_t)o->nb + 1, 1);
    int *stack = malloc(((size_t)o->nb + 1) * sizeof *stack);
    if (!seen || !stack)
        abort();
    int sp = 0;
    if (o->nb) {
        seen[0] = 1;
        stack[sp++] = 0;
    }
    while (sp) {
        int b = stack[--sp];
        for (int k = 0; k < 2; k++) {
            int s = o->succ[2 * b + k];
            if (s >= 0 && !seen[s]) {
                seen[s] = 1;
                stack[sp++] = s;
            }
        }
    }
    int last = -1; /* the block of the last instruction stays: the function must not fall off its end */
    for (uint32_t i = f->n; i-- > 0 && last < 0;)
        if (is_real(f->code[i].op))
            last = o->block_of[i];
    for (uint32_t b = 0; b < o->nb; b++) {
        int keep = seen[b] || (int)b == last;
        for (uint32_t i = o->bstart[b]; i < o->bstart[b + 1] && !keep; i++)
            keep = named(o, def_of(&f->code[i])); /* a variable's only home: -g still names it */
        if (keep)
            continue;
        for (uint32_t i = o->bstart[b]; i < o->bstart[b + 1]; i++)
            if (is_real(f->code[i].op)) {
                nop(&f->code[i]);
                changed = 1;
            }
    }
    free(seen);
    free(stack);
    /* labels no jump names any more */
    uint8_t *used = calloc((size_t)f->nlabels + 1, 1);
    if (!used)
        abort();
    for (uint32_t i = 0; i < f->n; i++)
        if (is_real(f->code[i].op) && f->code[i].label >= 0)
            used[f->code[i].label] = 1;
    for (uint32_t i = 0; i < f->n; i++)
        if (f->code[i].op == IR_LABEL && !used[f->code[i].imm]) {
            nop(&f->code[i]);
            changed = 1;
        }
    free(used);
    for (uint32_t i = 0; i < f->n; i++) {
        IrIns *in = &f->code[i];
        if (!is_branch(in->op) || negate_branch(in->op) < 0)
            continue;
        int j = next_real(f, i);
        if (j < 0 || f->code[j].op != SL_OP_JA)
            continue;
        int hit = 0;
        for (uint32_t k = (uint32_t)j + 1; k < f->n && !is_real(f->code[k].op); k++)
            if (f->code[k].op == IR_LABEL && f->code[k].imm == in->label)
                hit = 1;
        if (!hit)
            continue;
        in->op = (uint16_t)negate_branch(in->op);
        in->label = f->code[j].label;
        nop(&f->code[j]);
        changed = 1;
    }
    return changed;
}

static void compact(IrFunc *f)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < f->n; i++)
        if (f->code[i].op != IR_NOP)
            f->code[n++] = f->code[i];
    f->n = n;
}

/* ---- 5. one zero for state memory ------------------------------------------------------ */

/* Immediate dominators of the blocks (Cooper, Harvey and Kennedy's iteration over reverse
 * postorder); -1 for blocks the entry does not reach. */
static int *dominators(const Opt *o)
{
    uint32_t nb = o->nb;
    int *idom = malloc(((size_t)nb + 1) * sizeof *idom), *po = malloc(((size_t)nb + 1) * sizeof *po);
    int *rpo = malloc(((size_t)nb + 1) * sizeof *rpo), *stack = malloc(((size_t)nb + 1) * 2 * sizeof *stack);
    int *npred = calloc((size_t)nb + 1, sizeof *npred), *pstart = calloc((size_t)nb + 2, sizeof *pstart);
    int *preds = malloc(((size_t)nb + 1) * 2 * sizeof *preds);
    if (!idom || !po || !rpo || !stack || !npred || !pstart || !preds)
        abort();
    for (uint32_t b = 0; b < nb; b++) {
        idom[b] = -1;
        po[b] = -1;
        for (int k = 0; k < 2; k++)
            if (o->succ[2 * b + k] >= 0)
                npred[o->succ[2 * b + k]]++;
    }
    for (uint32_t b = 0; b < nb; b++)
        pstart[b + 1] = pstart[b] + npred[b];
    for (uint32_t b = 0; b < nb; b++)
        npred[b] = 0;
    for (uint32_t b = 0; b < nb; b++)
        for (int k = 0; k < 2; k++) {
            int s = o->succ[2 * b + k];
            if (s >= 0)
                preds[pstart[s] + npred[s]++] = (int)b;
        }
    /* postorder by an explicit stack of (block, next successor) */
    int sp = 0, n = 0;
    uint8_t *seen = calloc((size_t)nb + 1, 1);
    if (!seen)
        abort();
    if (nb) {
        stack[sp++] = 0;
        stack[sp++] = 0;
        seen[0] = 1;
    }
    while (sp) {
        int b = stack[sp - 2], k = stack[sp - 1];
        if (k < 2) {
            stack[sp - 1]++;
            int s = o->succ[2 * b + k];
            if (s >= 0 && !seen[s]) {
                seen[s] = 1;
                stack[sp++] = s;
                stack[sp++] = 0;
            }
            continue;
        }
        po[b] = n;
        rpo[n++] = b;
        sp -= 2;
    }
    if (nb)
        idom[0] = 0;
    int changed = 1;
    while (changed) {
        changed = 0;
        for (int i = n - 1; i >= 0; i--) { /* reverse postorder */
            int b = rpo[i];
            if (b == 0)
                continue;
            int nd = -1;
            for (int k = pstart[b]; k < pstart[b + 1]; k++) {
                int p = preds[k];
                if (idom[p] < 0)
                    continue;
                if (nd < 0) {
                    nd = p;
                    continue;
                }
                int x = p, y = nd;
                while (x != y) {
                    while (po[x] < po[y])
                        x = idom[x];
                    while (po[y] < po[x])
                        y = idom[y];
                }
                nd = x;
            }
            if (nd >= 0 && idom[b] != nd) {
                idom[b] = nd;
                changed = 1;
            }
        }
    }
    free(po);
    free(rpo);
    free(stack);
    free(npred);
    free(pstart);
    free(preds);
    free(seen);
    return idom;
}

/* Lowering sets a register to 0 in each block that addresses state memory at a constant
 * address. When another register written only by `mov z, 0` is defined on every path there,
 * state accesses use it instead and their own zero dies. Packet accesses keep theirs (the
 * verifier looks for it in their block). Only when few registers are live anywhere, so that
 * the longer-lived zero does not cost a spill. */
static int share_zeros(Opt *o)
{
    IrFunc *f = o->f;
    int nv = f->nvregs;
    for (uint32_t b = 0; b < o->nb; b++) {
        int live = 0;
        for (size_t w = 0; w < o->words; w++)
            live += __builtin_popcountll(o->live_in[b * o->words + w]);
        if (live > 8)
            return 0;
    }
    int *zdef = malloc(((size_t)nv + 1) * sizeof *zdef); /* single def `mov z, 0`: its index; -1 not; -2 other uses */
    if (!zdef)
        abort();
    for (int v = 0; v < nv; v++)
        zdef[v] = -1;
    int *ndef = calloc((size_t)nv + 1, sizeof *ndef);
    if (!ndef)
        abort();
    for (uint32_t i = 0; i < f->n; i++) {
        const IrIns *in = &f->code[i];
        int d = def_of(in);
        if (!is_vreg(d))
            continue;
        ndef[d]++;
        if (in->op == SL_OP_MOVI && in->imm == 0 && !named(o, d))
            zdef[d] = (int)i;
    }
    uint8_t *state_only = malloc((size_t)nv + 1);
    if (!state_only)
        abort();
    for (int v = 0; v < nv; v++) {
        if (ndef[v] != 1)
            zdef[v] = -1;
        state_only[v] = 1;
    }
    for (uint32_t i = 0; i < f->n; i++) {
        const IrIns *in = &f->code[i];
        int cls = is_real(in->op) ? sl_op_info[in->op].cls : -1;
        int base = cls == SL_C_LDM ? in->b : cls == SL_C_STM ? in->a : IR_NONE;
        int r[3] = {reads_a(in) ? in->a : -1, reads_b(in) ? in->b : -1, reads_c(in) ? in->c : -1};
        for (int k = 0; k < 3; k++)
            if (is_vreg(r[k]) && !(r[k] == base && !(cls == SL_C_STM && in->b == base)))
                state_only[r[k]] = 0;
    }
    int *idom = dominators(o);
    int *repl = malloc(((size_t)nv + 1) * sizeof *repl);
    int *kept = malloc(((size_t)o->nb + 1) * sizeof *kept); /* per block: its first zero kept */
    if (!repl || !kept)
        abort();
    int changed = 0;
    for (int v = 0; v < nv; v++)
        repl[v] = -1;
    for (uint32_t b = 0; b < o->nb; b++)
        kept[b] = -1;
    /* zeros in code order: each state-only one takes the nearest kept zero dominating it (up
     * the dominator tree, a bounded walk) */
    for (uint32_t i = 0; i < f->n; i++) {
        int z = def_of(&f->code[i]);
        if (!is_vreg(z) || zdef[z] != (int)i)
            continue;
        int bz = o->block_of[i];
        if (idom[bz] < 0)
            continue;
        int found = -1;
        for (int b = bz, steps = 0; state_only[z] && found < 0 && steps < 256; steps++) {
            found = kept[b];
            if (b == 0 || idom[b] < 0 || idom[b] == b)
                break;
            b = idom[b];
        }
        if (found >= 0) {
            repl[z] = found;
            changed = 1;
        } else if (kept[bz] < 0) {
            kept[bz] = z;
        }
    }
    for (uint32_t i = 0; i < f->n && changed; i++) {
        IrIns *in = &f->code[i];
        int cls = is_real(in->op) ? sl_op_info[in->op].cls : -1;
        if (cls == SL_C_LDM && is_vreg(in->b) && repl[in->b] >= 0)
            in->b = repl[in->b];
        if (cls == SL_C_STM && is_vreg(in->a) && repl[in->a] >= 0)
            in->a = repl[in->a];
    }
    free(zdef);
    free(ndef);
    free(state_only);
    free(idom);
    free(repl);
    free(kept);
    return changed;
}

void opt_function(Backend *be, IrFunc *f)
{
    Opt o = {0};
    o.be = be;
    o.f = f;
    for (int round = 0; round < OPT_ROUNDS; round++) {
        int changed = forward(&o);
        analyse(&o);
        if (coalesce(&o)) {
            changed = 1;
            analyse(&o);
        }
        if (dce(&o)) {
            changed = 1;
            analyse(&o);
        }
        if (thread(&o)) {
            changed = 1;
            analyse(&o);
        }
        changed |= cleanup(&o);
        compact(f);
        if (!changed)
            break;
    }
    analyse(&o);
    if (share_zeros(&o)) {
        analyse(&o);
        dce(&o);
        compact(f);
    }
    free(o.label_pos);
    free(o.bstart);
    free(o.block_of);
    free(o.succ);
    free(o.live_in);
    free(o.live_out);
    free(o.tmp);
}
