/* The verifier: every image passes here before it runs, so the interpreter and native code can
 * trust what they execute.
 *
 * Passes, each rule in one check_* function:
 *   1. check_funcs, check_handlers, check_tables: the declarations.
 *   2. check_fields: each instruction alone (opcode, unused fields zero, indexes in range).
 *   3. check_flow: branch targets inside their function; no falling off a function's end.
 *   4. check_calls: the call graph has no cycle and no chain deeper than SL_MAX_CALL_DEPTH
 *      (iterative depth-first search: the verifier must not itself recurse on hostile input).
 *   5. check_registers: per function, a forward data-flow analysis to a fixed point over the
 *      state {registers written, registers holding the packet length, a lower bound on the
 *      packet length}. Meet is intersection / minimum; the lattice is finite and transfer
 *      functions monotone, so the worklist terminates. A read of a register not written on
 *      every path is rejected.
 *   6. prove_packet_access: with the fixed point, an ldp/stp whose base register holds a
 *      constant (found by scanning back inside its basic block) and whose bytes lie below the
 *      proven length becomes its .nc form. Everything else keeps its run-time check.
 * Messages name the instruction, its disassembly and the reason, and the source line when the
 * image has a line table: "insn 7 (ldp16 r3, [r9+14]): r9 is read before it is written". */
#include "mem.h"
#include "vm_int.h"

typedef struct InsnState {
    uint16_t def;    /* registers written on every path here */
    uint16_t plen;   /* registers that hold the current packet length */
    uint32_t minlen; /* the packet is at least this long */
    uint8_t seen;    /* reached by the analysis */
    uint8_t queued;
    uint8_t leader;  /* a branch target or function entry */
    uint8_t pad;
} InsnState;

typedef struct Verifier {
    const SlImage *img;
    SlInsn *code;
    uint32_t n;
    InsnState *st;
    uint32_t *work;
    uint32_t *depth;  /* per function: frames it needs, itself included; 0 = not done */
    uint8_t *color;   /* per function: 0 new, 1 on the search stack, 2 done */
    uint32_t *stack_f, *stack_pos;
    char *err;
    size_t errcap;
} Verifier;

static size_t align8(size_t n) { return (n + 7) & ~(size_t)7; }

size_t sl_verify_scratch_size(const SlImage *img)
{
    size_t n = img->code_count, f = img->func_count;
    return align8(n * sizeof(InsnState)) + align8(n * 4) + align8(f * 4) * 3 + align8(f);
}

/* "insn N (text): reason (file:line)". Returns -SL_EVERIFY. */
static int reject(Verifier *v, uint32_t i, const char *reason)
{
    char text[80];
    sl_insn_format(text, sizeof text, &v->code[i], i);
    size_t len = sl_fmt(v->err, v->errcap, "insn %u (%s): %s", i, text, reason);
    SlLine line;
    if (sl_image_line_for(v->img, i, &line) && line.file < v->img->dbg_file_count && len < v->errcap) {
        uint32_t flen;
        const char *fname = sl_image_dbg_file(v->img, line.file, &flen);
        char name[64];
        uint32_t k = flen < sizeof name - 1 ? flen : (uint32_t)sizeof name - 1;
        memcpy(name, fname, k);
        name[k] = '\0';
        sl_fmt(v->err + len, v->errcap - len, " (%s:%u)", name, line.line);
    }
    return -SL_EVERIFY;
}

static int reject_decl(Verifier *v, const char *what, uint32_t index, const char *reason)
{
    sl_fmt(v->err, v->errcap, "%s %u: %s", what, index, reason);
    return -SL_EVERIFY;
}

static uint32_t func_end(const Verifier *v, uint32_t f)
{
    return f + 1 < v->img->func_count ? sl_image_func(v->img, f + 1).entry : v->n;
}

static int check_funcs(Verifier *v)
{
    for (uint32_t f = 0; f < v->img->func_count; f++) {
        SlFuncDecl d = sl_image_func(v->img, f);
        if (f == 0 && d.entry != 0)
            return reject_decl(v, "function", f, "the first function must start at instruction 0");
        if (f > 0 && d.entry <= sl_image_func(v->img, f - 1).entry)
            return reject_decl(v, "function", f, "entry is not after the previous function's");
        if (d.entry >= v->n)
            return reject_decl(v, "function", f, "entry is past the end of the code");
        if (d.nargs > SL_MAX_ARGS)
            return reject_decl(v, "function", f, "more than 5 arguments");
    }
    return 0;
}

static int check_handlers(Verifier *v)
{
    int have_init = 0, have_packet = 0;
    for (uint32_t h = 0; h < v->img->handler_count; h++) {
        SlHandlerDecl d = sl_image_handler(v->img, h);
        if (d.func >= v->img->func_count)
            return reject_decl(v, "handler", h, "names a function that does not exist");
        if (sl_image_func(v->img, d.func).nargs)
            return reject_decl(v, "handler", h, "its function takes arguments");
        switch (d.kind) {
        case SL_HANDLER_INIT:
        case SL_HANDLER_PACKET: {
            int *have = d.kind == SL_HANDLER_INIT ? &have_init : &have_packet;
            if ((*have)++)
                return reject_decl(v, "handler", h, d.kind == SL_HANDLER_INIT ? "a second init handler"
                                                                               : "a second packet handler");
            if (d.period_ms)
                return reject_decl(v, "handler", h, "only timers have a period");
            break;
        }
        case SL_HANDLER_TIMER:
            if (!d.period_ms)
                return reject_decl(v, "handler", h, "timer with period 0");
            break;
        default: return reject_decl(v, "handler", h, "unknown handler kind");
        }
    }
    return 0;
}

static int check_tables(Verifier *v)
{
    for (uint32_t t = 0; t < v->img->table_count; t++) {
        SlTableDecl d = sl_image_table(v->img, t);
        if (d.kind != SL_TABLE_HASH && d.kind != SL_TABLE_LPM)
            return reject_decl(v, "table", t, "unknown table kind");
        if (d.key_size == 0 || d.key_size > SL_MAX_KEY)
            return reject_decl(v, "table", t, "key size not 1..64 bytes");
        if (d.kind == SL_TABLE_LPM && d.key_size > 16)
            return reject_decl(v, "table", t, "LPM key size above 16 bytes");
        if (d.value_size > SL_MAX_VALUE)
            return reject_decl(v, "table", t, "value size above 4096 bytes");
        if (d.capacity == 0 || d.capacity > SL_MAX_CAPACITY)
            return reject_decl(v, "table", t, "capacity not 1..4194304");
    }
    return 0;
}

/* Which fields a format leaves unused (they must be zero: one encoding per program). */
static int check_fields(Verifier *v, uint32_t i)
{
    const SlInsn *in = &v->code[i];
    if (!sl_op_valid_in_image(in->op))
        return reject(v, i, "unknown opcode");
    const SlOpInfo *oi = &sl_op_info[in->op];
    int use_a = 0, use_b = 0, use_off = 0, use_imm = 0;
    switch ((SlFormat)oi->format) {
    case SL_FMT_N: break;
    case SL_FMT_A: use_a = 1; break;
    case SL_FMT_AB: use_a = use_b = 1; break;
    case SL_FMT_AI:
    case SL_FMT_AK: use_a = use_imm = 1; break;
    case SL_FMT_LD:
    case SL_FMT_ST: use_a = use_b = use_off = 1; break;
    case SL_FMT_J: use_off = 1; break;
    case SL_FMT_JAB: use_a = use_b = use_off = 1; break;
    case SL_FMT_JAI: use_a = use_imm = use_off = 1; break;
    case SL_FMT_CALL:
    case SL_FMT_I: use_imm = 1; break;
    case SL_FMT_ABC:
    case SL_FMT_ABCT:
        use_a = use_b = 1;
        use_imm = oi->format == SL_FMT_ABCT;
        if ((uint16_t)in->off >> 4)
            return reject(v, i, "bits 4-15 of the offset field must be zero");
        use_off = 1;
        break;
    case SL_FMT_ABT:
    case SL_FMT_ABI: use_a = use_b = use_imm = 1; break;
    }
    if ((!use_a && in->a) || (!use_b && in->b) || (!use_off && in->off) || (!use_imm && in->imm))
        return reject(v, i, "a field this instruction does not use is not zero");
    switch ((SlFormat)oi->format) {
    case SL_FMT_AK:
        if (in->imm < 0 || (uint32_t)in->imm >= v->img->const_count)
            return reject(v, i, "constant index out of range");
        break;
    case SL_FMT_CALL:
        if (in->imm < 0 || (uint32_t)in->imm >= v->img->func_count)
            return reject(v, i, "call to a function that does not exist");
        break;
    case SL_FMT_ABCT:
    case SL_FMT_ABT:
        if (in->imm < 0 || (uint32_t)in->imm >= v->img->table_count)
            return reject(v, i, "table index out of range");
        break;
    case SL_FMT_ABI:
        if (in->imm < 0 || in->imm > SL_MAX_VALUE)
            return reject(v, i, "hash length not 0..4096");
        break;
    case SL_FMT_N:
    case SL_FMT_A:
    case SL_FMT_AB:
    case SL_FMT_AI:
    case SL_FMT_LD:
    case SL_FMT_ST:
    case SL_FMT_J:
    case SL_FMT_JAB:
    case SL_FMT_JAI:
    case SL_FMT_I:
    case SL_FMT_ABC: break;
    }
    if (oi->cls == SL_C_DIV && oi->format == SL_FMT_AI && in->imm == 0)
        return reject(v, i, "division by an immediate zero");
    return 0;
}

static int is_jump(const SlInsn *in)
{
    unsigned cls = sl_op_info[in->op].cls;
    return cls == SL_C_JUMP || cls == SL_C_BRANCH;
}

static int falls_through(const SlInsn *in)
{
    unsigned cls = sl_op_info[in->op].cls;
    return cls != SL_C_JUMP && cls != SL_C_RET && cls != SL_C_END;
}

static int check_flow(Verifier *v, uint32_t f)
{
    uint32_t lo = sl_image_func(v->img, f).entry, hi = func_end(v, f);
    v->st[lo].leader = 1;
    for (uint32_t i = lo; i < hi; i++) {
        const SlInsn *in = &v->code[i];
        if (is_jump(in)) {
            int64_t t = (int64_t)i + 1 + in->off;
            if (t < lo || t >= hi)
                return reject(v, i, "jump target outside the function");
            v->st[t].leader = 1;
        }
    }
    if (falls_through(&v->code[hi - 1]))
        return reject(v, hi - 1, "the function's last instruction falls through its end");
    return 0;
}

/* Depth-first over the call graph without recursion. */
static int check_calls(Verifier *v)
{
    uint32_t nf = v->img->func_count;
    for (uint32_t root = 0; root < nf; root++) {
        if (v->color[root])
            continue;
        uint32_t sp = 0;
        v->stack_f[sp] = root;
        v->stack_pos[sp] = sl_image_func(v->img, root).entry;
        v->color[root] = 1;
        v->depth[root] = 1;
        sp++;
        while (sp) {
            uint32_t f = v->stack_f[sp - 1], end = func_end(v, f);
            uint32_t i = v->stack_pos[sp - 1];
            while (i < end && v->code[i].op != SL_OP_CALL)
                i++;
            if (i == end) {
                v->color[f] = 2;
                sp--;
                if (sp) { /* the caller's call instruction is at its saved position */
                    uint32_t caller = v->stack_f[sp - 1], at = v->stack_pos[sp - 1];
                    if (v->depth[f] + 1 > v->depth[caller])
                        v->depth[caller] = v->depth[f] + 1;
                    if (v->depth[caller] > SL_MAX_CALL_DEPTH)
                        return reject(v, at, "call chain deeper than 32 frames");
                    v->stack_pos[sp - 1] = at + 1;
                }
                continue;
            }
            uint32_t callee = (uint32_t)v->code[i].imm;
            v->stack_pos[sp - 1] = i;
            if (v->color[callee] == 1)
                return reject(v, i, "recursive call (the call graph has a cycle)");
            if (v->color[callee] == 2) {
                if (v->depth[callee] + 1 > v->depth[f])
                    v->depth[f] = v->depth[callee] + 1;
                if (v->depth[f] > SL_MAX_CALL_DEPTH)
                    return reject(v, i, "call chain deeper than 32 frames");
                v->stack_pos[sp - 1] = i + 1;
                continue;
            }
            v->color[callee] = 1;
            v->depth[callee] = 1;
            v->stack_f[sp] = callee;
            v->stack_pos[sp] = sl_image_func(v->img, callee).entry;
            sp++;
        }
    }
    return 0;
}

static int reads_undefined(Verifier *v, uint32_t i, const InsnState *s)
{
    static const char *const msg[SL_NREGS] = {
        "r0 is read before it is written",  "r1 is read before it is written",
        "r2 is read before it is written",  "r3 is read before it is written",
        "r4 is read before it is written",  "r5 is read before it is written",
        "r6 is read before it is written",  "r7 is read before it is written",
        "r8 is read before it is written",  "r9 is read before it is written",
        "r10 is read before it is written", "r11 is read before it is written",
        "r12 is read before it is written", "r13 is read before it is written",
        "r14 is read before it is written", "r15 is read before it is written",
    };
    const SlInsn *in = &v->code[i];
    unsigned regs = sl_op_info[in->op].regs;
    uint16_t need = 0;
    if (regs & SL_R_RA)
        need |= (uint16_t)(1u << in->a);
    if (regs & SL_R_RB)
        need |= (uint16_t)(1u << in->b);
    if (regs & SL_R_RC)
        need |= (uint16_t)(1u << sl_insn_c(in));
    if (in->op == SL_OP_RET)
        need |= 1;
    if (in->op == SL_OP_CALL) {
        unsigned nargs = sl_image_func(v->img, (uint32_t)in->imm).nargs;
        uint16_t args = (uint16_t)(((1u << nargs) - 1) << 1);
        if (args & ~s->def)
            return reject(v, i, "an argument register of the callee is read before it is written");
    }
    uint16_t missing = need & (uint16_t)~s->def;
    if (!missing)
        return 0;
    unsigned r = 0;
    while (!(missing & (1u << r)))
        r++;
    return reject(v, i, msg[r]);
}

/* The state after instruction i on its fall-through edge. */
static InsnState transfer(const Verifier *v, uint32_t i, InsnState s)
{
    const SlInsn *in = &v->code[i];
    const SlOpInfo *oi = &sl_op_info[in->op];
    if (oi->regs & SL_R_WA) {
        s.def |= (uint16_t)(1u << in->a);
        s.plen &= (uint16_t)~(1u << in->a);
        if (in->op == SL_OP_PLEN)
            s.plen |= (uint16_t)(1u << in->a);
    }
    if (oi->cls == SL_C_CALL) { /* r0 is the result, r1..r5 are gone; the callee may resize */
        s.def = (uint16_t)((s.def & ~0x3fu) | 1u);
        s.plen = 0;
        s.minlen = 0;
    }
    if (oi->cls == SL_C_RESIZE) {
        s.plen = 0;
        s.minlen = 0;
    }
    return s;
}

/* What a comparison of a packet-length register against an immediate proves on each edge. */
static void refine_branch(const SlInsn *in, const InsnState *s, uint32_t *taken_min, uint32_t *fall_min)
{
    *taken_min = *fall_min = s->minlen;
    if (!(s->plen & (1u << in->a)) || sl_op_info[in->op].format != SL_FMT_JAI || in->imm < 0)
        return;
    uint32_t k = (uint32_t)in->imm;
    uint32_t k1 = k + 1; /* k < 2^31, no overflow */
    uint32_t *edge = 0, bound = 0;
    switch (in->op) { /* an int switch: only these opcodes matter */
    case SL_OP_JLTI: edge = fall_min; bound = k; break;   /* !(len < k) */
    case SL_OP_JGEI: edge = taken_min; bound = k; break;
    case SL_OP_JLEI: edge = fall_min; bound = k1; break;  /* !(len <= k) */
    case SL_OP_JGTI: edge = taken_min; bound = k1; break;
    case SL_OP_JEQI: edge = taken_min; bound = k; break;
    case SL_OP_JNEI: edge = fall_min; bound = k; break;
    default: return;
    }
    if (bound > *edge)
        *edge = bound;
}

static void merge(Verifier *v, uint32_t t, InsnState s, uint32_t *nwork)
{
    InsnState *d = &v->st[t];
    int changed;
    if (!d->seen) {
        d->def = s.def;
        d->plen = s.plen;
        d->minlen = s.minlen;
        d->seen = 1;
        changed = 1;
    } else {
        uint16_t def = d->def & s.def, plen = d->plen & s.plen;
        uint32_t minlen = d->minlen < s.minlen ? d->minlen : s.minlen;
        changed = def != d->def || plen != d->plen || minlen != d->minlen;
        d->def = def;
        d->plen = plen;
        d->minlen = minlen;
    }
    if (changed && !d->queued) {
        d->queued = 1;
        v->work[(*nwork)++] = t;
    }
}

static int check_registers(Verifier *v, uint32_t f)
{
    SlFuncDecl fd = sl_image_func(v->img, f);
    uint32_t nwork = 0;
    InsnState entry = {0};
    entry.def = (uint16_t)(((1u << fd.nargs) - 1) << 1);
    merge(v, fd.entry, entry, &nwork);
    while (nwork) {
        uint32_t i = v->work[--nwork];
        InsnState *s = &v->st[i];
        s->queued = 0;
        int rc = reads_undefined(v, i, s);
        if (rc < 0)
            return rc;
        const SlInsn *in = &v->code[i];
        InsnState out = transfer(v, i, *s);
        if (is_jump(in)) {
            uint32_t taken_min, fall_min;
            refine_branch(in, s, &taken_min, &fall_min);
            InsnState taken = out;
            taken.minlen = taken_min;
            merge(v, (uint32_t)((int64_t)i + 1 + in->off), taken, &nwork);
            out.minlen = fall_min;
        }
        if (falls_through(in))
            merge(v, i + 1, out, &nwork);
    }
    return 0;
}

/* The constant in register r just before instruction i, found inside i's basic block. */
static int block_constant(const Verifier *v, uint32_t lo, uint32_t i, unsigned r, int64_t *value)
{
    for (uint32_t steps = 0; i > lo && !v->st[i].leader && steps < 64; steps++) {
        const SlInsn *in = &v->code[--i];
        const SlOpInfo *oi = &sl_op_info[in->op];
        if (oi->cls == SL_C_CALL && r <= 5)
            return 0;
        if ((oi->regs & SL_R_WA) && in->a == r) {
            if (in->op != SL_OP_MOVI)
                return 0;
            *value = in->imm;
            return 1;
        }
    }
    return 0;
}

static void prove_packet_access(Verifier *v, uint32_t f)
{
    uint32_t lo = sl_image_func(v->img, f).entry, hi = func_end(v, f);
    for (uint32_t i = lo; i < hi; i++) {
        SlInsn *in = &v->code[i];
        unsigned cls = sl_op_info[in->op].cls;
        if ((cls != SL_C_LDP && cls != SL_C_STP) || !v->st[i].seen)
            continue;
        unsigned base = cls == SL_C_LDP ? in->b : in->a;
        int64_t c;
        if (!block_constant(v, lo, i, base, &c))
            continue;
        unsigned size = 1u << ((in->op - (cls == SL_C_LDP ? SL_OP_LDP8 : SL_OP_STP8)) & 3);
        int64_t start = c + in->off;
        if (start >= 0 && start + (int64_t)size <= (int64_t)v->st[i].minlen)
            in->op = (uint8_t)(in->op - SL_OP_LDP8 + SL_OP_LDP8_NC);
    }
}

int sl_verify(const SlImage *img, SlInsn *out, void *scratch, size_t scratch_size, char *err, size_t errcap)
{
    Verifier v = {0};
    v.img = img;
    v.code = out;
    v.n = img->code_count;
    v.err = err;
    v.errcap = errcap;
    if (errcap)
        err[0] = '\0';
    if (scratch_size < sl_verify_scratch_size(img)) {
        sl_fmt(err, errcap, "verifier scratch memory too small");
        return -SL_ENOMEM;
    }
    uint8_t *p = scratch;
    size_t n = v.n, nf = img->func_count;
    v.st = (InsnState *)(void *)p;
    p += align8(n * sizeof(InsnState));
    v.work = (uint32_t *)(void *)p;
    p += align8(n * 4);
    v.depth = (uint32_t *)(void *)p;
    p += align8(nf * 4);
    v.stack_f = (uint32_t *)(void *)p;
    p += align8(nf * 4);
    v.stack_pos = (uint32_t *)(void *)p;
    p += align8(nf * 4);
    v.color = p;
    memset(v.st, 0, n * sizeof(InsnState));
    memset(v.color, 0, nf);

    for (uint32_t i = 0; i < v.n; i++)
        out[i] = sl_insn_decode(img->code + (size_t)i * SL_INSN_SIZE);

    int rc;
    if ((rc = check_funcs(&v)) < 0 || (rc = check_handlers(&v)) < 0 || (rc = check_tables(&v)) < 0)
        return rc;
    for (uint32_t i = 0; i < v.n; i++)
        if ((rc = check_fields(&v, i)) < 0)
            return rc;
    for (uint32_t f = 0; f < nf; f++)
        if ((rc = check_flow(&v, f)) < 0)
            return rc;
    if ((rc = check_calls(&v)) < 0)
        return rc;
    for (uint32_t f = 0; f < nf; f++) {
        if ((rc = check_registers(&v, f)) < 0)
            return rc;
        prove_packet_access(&v, f);
    }
    return 0;
}
