/* Register allocation: linear scan over live intervals, with the call convention as fixed
 * ranges of physical registers.
 *
 * Positions: instruction i reads its operands at 2i and writes its result at 2i+1, so a value
 * whose last use is an instruction can share a register with that instruction's result
 * (`mov t, x; add t, y` becomes `add rX, rY` when x dies there).
 *
 * 1. Basic blocks and liveness (backward dataflow over bit sets) give each virtual register one
 *    interval [first position, last position] in the linear code: conservative across loops.
 * 2. Physical registers named in the IR (arguments r1..r5 around a call, r0 for results, the
 *    registers a call clobbers) become fixed ranges; an interval cannot take a register whose
 *    fixed ranges it overlaps. So values live across a call land in r6..r15, which the VM
 *    preserves, and argument moves stay short.
 * 3. Intervals are taken in order of start; each gets, in this preference order, the register
 *    of the value it is copied from, the register it is copied to, or the first free one.
 *    With -g, two named variables never share a register, so that the debugger can give each
 *    variable one location for the whole function.
 * 4. When no register is free, the interval ending last is spilled to a static slot in state
 *    memory; uses and definitions of a spilled register go through short temporaries, and the
 *    whole allocation runs again (a few rounds at most: temporaries are never spilled). */
#include <stdlib.h>
#include <string.h>

#include "backend.h"

typedef struct Range {
    int s, e;
} Range;

typedef struct Fixed {
    Range *r;
    int n, cap;
} Fixed;

typedef struct RA {
    Backend *be;
    IrFunc *f;
    int nv;             /* vregs */
    int *start, *end;
    int *hint;          /* vreg copied from/to, or physical register, or -1 */
    Fixed fixed[SL_NREGS];
    int *order;
} RA;

static int is_vreg(int r) { return r >= IR_FIRST_VREG; }

/* The registers an instruction reads and writes (vregs and physical alike). */
static int ins_uses(const Backend *be, const IrIns *in, int *out)
{
    int n = 0;
    if (in->op >= SL_OP_COUNT)
        return 0;
    const SlOpInfo *oi = &sl_op_info[in->op];
    if ((oi->regs & SL_R_RA) && in->a != IR_NONE)
        out[n++] = in->a;
    if ((oi->regs & SL_R_RB) && in->b != IR_NONE)
        out[n++] = in->b;
    if ((oi->regs & SL_R_RC) && in->c != IR_NONE)
        out[n++] = in->c;
    if (in->op == SL_OP_CALL) {
        int na = be->func_nargs[in->imm];
        for (int i = 1; i <= na; i++)
            out[n++] = i;
    }
    if (in->op == SL_OP_RET)
        out[n++] = 0;
    return n;
}

static int ins_def(const IrIns *in)
{
    if (in->op >= SL_OP_COUNT)
        return IR_NONE;
    if ((sl_op_info[in->op].regs & SL_R_WA) && in->a != IR_NONE)
        return in->a;
    return IR_NONE;
}

static int is_term(int op)
{
    return op == SL_OP_JA || op == SL_OP_RET || op == SL_OP_EXIT || op == SL_OP_SEND || op == SL_OP_DROP ||
           op == SL_OP_PUNT || op == SL_OP_TRAP;
}

static int is_branch(int op) { return op < SL_OP_COUNT && sl_op_info[op].cls == SL_C_BRANCH; }

static void fixed_add(Fixed *fx, int s, int e)
{
    if (fx->n && fx->r[fx->n - 1].s == s) {
        if (e > fx->r[fx->n - 1].e)
            fx->r[fx->n - 1].e = e;
        return;
    }
    if (fx->n == fx->cap) {
        fx->cap = fx->cap ? fx->cap * 2 : 16;
        fx->r = realloc(fx->r, (size_t)fx->cap * sizeof *fx->r);
        if (!fx->r)
            abort();
    }
    fx->r[fx->n].s = s;
    fx->r[fx->n].e = e;
    fx->n++;
}

/* Does [s, e] overlap a fixed range of register p? Ranges are sorted and disjoint. */
static int fixed_conflict(const Fixed *fx, int s, int e)
{
    int lo = 0, hi = fx->n;
    while (lo < hi) { /* first range with end >= s */
        int mid = (lo + hi) / 2;
        if (fx->r[mid].e < s)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < fx->n && fx->r[lo].s <= e;
}

static void build_fixed(RA *ra)
{
    IrFunc *f = ra->f;
    int open[SL_NREGS];
    for (int p = 0; p < SL_NREGS; p++) {
        ra->fixed[p].n = 0;
        open[p] = -1;
    }
    for (int p = 1; p <= f->nargs; p++) {
        open[p] = 0;
        fixed_add(&ra->fixed[p], 0, 0);
    }
    int uses[8];
    for (uint32_t i = 0; i < f->n; i++) {
        const IrIns *in = &f->code[i];
        int n = ins_uses(ra->be, in, uses);
        for (int k = 0; k < n; k++) {
            int p = uses[k];
            if (is_vreg(p) || open[p] < 0)
                continue;
            fixed_add(&ra->fixed[p], open[p], 2 * (int)i);
        }
        int d = ins_def(in);
        if (d != IR_NONE && !is_vreg(d)) {
            open[d] = 2 * (int)i + 1;
            fixed_add(&ra->fixed[d], open[d], open[d]);
        }
        if (in->op == SL_OP_CALL)
            for (int p = 0; p <= 5; p++) {
                open[p] = 2 * (int)i + 1;
                fixed_add(&ra->fixed[p], open[p], open[p]);
            }
    }
}

/* Liveness over basic blocks, then one interval per vreg. */
static void build_intervals(RA *ra)
{
    IrFunc *f = ra->f;
    uint32_t n = f->n;
    int nv = ra->nv;
    for (int v = 0; v < nv; v++) {
        ra->start[v] = INT32_MAX;
        ra->end[v] = -1;
    }
    /* blocks */
    uint32_t *bstart = malloc((n + 2) * sizeof *bstart);
    int *label_block = malloc(((size_t)f->nlabels + 1) * sizeof *label_block);
    int *block_of = malloc((n + 1) * sizeof *block_of);
    if (!bstart || !label_block || !block_of)
        abort();
    uint32_t nb = 0;
    for (uint32_t i = 0; i < n; i++) {
        int leader = i == 0 || f->code[i].op == IR_LABEL ||
                     (i > 0 && (is_term(f->code[i - 1].op) || is_branch(f->code[i - 1].op)));
        if (leader && !(i > 0 && f->code[i].op == IR_LABEL && f->code[i - 1].op == IR_LABEL && nb &&
                         bstart[nb - 1] == i - 1))
            bstart[nb++] = i;
        block_of[i] = (int)nb - 1;
        if (f->code[i].op == IR_LABEL)
            label_block[f->code[i].imm] = (int)nb - 1;
    }
    bstart[nb] = n;
    size_t words = ((size_t)nv + 63) / 64;
    uint64_t *use = calloc(nb * words + 1, 8), *def = calloc(nb * words + 1, 8);
    uint64_t *in = calloc(nb * words + 1, 8), *out = calloc(nb * words + 1, 8);
    int *succ = malloc((nb * 2 + 1) * sizeof *succ);
    if (!use || !def || !in || !out || !succ)
        abort();
    int regs[8];
    for (uint32_t b = 0; b < nb; b++) {
        uint64_t *u = use + b * words, *d = def + b * words;
        for (uint32_t i = bstart[b]; i < bstart[b + 1]; i++) {
            const IrIns *x = &f->code[i];
            int k = ins_uses(ra->be, x, regs);
            for (int j = 0; j < k; j++) {
                int v = regs[j];
                if (is_vreg(v) && !(d[v / 64] >> (v % 64) & 1))
                    u[v / 64] |= 1ull << (v % 64);
            }
            int dv = ins_def(x);
            if (is_vreg(dv))
                d[dv / 64] |= 1ull << (dv % 64);
        }
        succ[2 * b] = succ[2 * b + 1] = -1;
        uint32_t last = bstart[b + 1];
        int op = -1;
        const IrIns *lx = NULL;
        while (last > bstart[b]) {
            lx = &f->code[--last];
            if (lx->op != IR_LOC && lx->op != IR_NOP && lx->op != IR_LABEL)
                break;
            lx = NULL;
        }
        if (lx)
            op = lx->op;
        if (lx && (op == SL_OP_JA || is_branch(op)))
            succ[2 * b] = label_block[lx->label];
        if (!lx || !is_term(op))
            succ[2 * b + 1] = b + 1 < nb ? (int)b + 1 : -1;
    }
    int changed = 1;
    while (changed) {
        changed = 0;
        for (uint32_t b = nb; b-- > 0;) {
            uint64_t *o = out + b * words, *iv = in + b * words;
            for (int k = 0; k < 2; k++) {
                int s = succ[2 * b + k];
                if (s < 0)
                    continue;
                uint64_t *si = in + (size_t)s * words;
                for (size_t w = 0; w < words; w++)
                    o[w] |= si[w];
            }
            const uint64_t *u = use + b * words, *d = def + b * words;
            for (size_t w = 0; w < words; w++) {
                uint64_t nvw = u[w] | (o[w] & ~d[w]);
                if (nvw != iv[w]) {
                    iv[w] = nvw;
                    changed = 1;
                }
            }
        }
    }
    for (uint32_t b = 0; b < nb; b++) {
        int bs = 2 * (int)bstart[b], be = 2 * (int)bstart[b + 1] - 1;
        const uint64_t *iv = in + b * words, *o = out + b * words;
        for (size_t w = 0; w < words; w++) {
            uint64_t x = iv[w] | o[w];
            while (x) {
                int bit = __builtin_ctzll(x);
                x &= x - 1;
                int v = (int)(w * 64) + bit;
                if (iv[w] >> bit & 1 && bs < ra->start[v])
                    ra->start[v] = bs;
                if (o[w] >> bit & 1 && be > ra->end[v])
                    ra->end[v] = be;
            }
        }
        for (uint32_t i = bstart[b]; i < bstart[b + 1]; i++) {
            const IrIns *x = &f->code[i];
            int k = ins_uses(ra->be, x, regs);
            for (int j = 0; j < k; j++) {
                int v = regs[j];
                if (!is_vreg(v))
                    continue;
                if (2 * (int)i > ra->end[v])
                    ra->end[v] = 2 * (int)i;
                if (2 * (int)i < ra->start[v])
                    ra->start[v] = 2 * (int)i;
            }
            int dv = ins_def(x);
            if (is_vreg(dv)) {
                if (2 * (int)i + 1 < ra->start[dv])
                    ra->start[dv] = 2 * (int)i + 1;
                if (2 * (int)i + 1 > ra->end[dv])
                    ra->end[dv] = 2 * (int)i + 1;
            }
        }
    }
    free(bstart);
    free(label_block);
    free(block_of);
    free(use);
    free(def);
    free(in);
    free(out);
    free(succ);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Orders vregs by (start, number). */
static void sort_by_start(RA *ra, int *order, int n)
{
    uint64_t *keys = malloc(((size_t)n + 1) * sizeof *keys);
    if (!keys)
        abort();
    for (int i = 0; i < n; i++)
        keys[i] = (uint64_t)(uint32_t)ra->start[order[i]] << 32 | (uint32_t)order[i];
    qsort(keys, (size_t)n, sizeof *keys, cmp_u64);
    for (int i = 0; i < n; i++)
        order[i] = (int)(uint32_t)keys[i];
    free(keys);
}

/* One round of linear scan. Returns the number of vregs newly spilled. */
static int scan(RA *ra, int debug)
{
    IrFunc *f = ra->f;
    int nv = ra->nv, n = 0;
    for (int v = IR_FIRST_VREG; v < nv; v++) {
        if (ra->end[v] >= 0 && f->assign[v] != -2)
            ra->order[n++] = v;
        if (f->assign[v] != -2)
            f->assign[v] = -3; /* unassigned */
    }
    sort_by_start(ra, ra->order, n);
    int active[SL_NREGS];
    int nactive = 0, spills = 0;
    unsigned named_mask = 0;
    static const int pref[SL_NREGS] = {1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    for (int k = 0; k < n; k++) {
        int v = ra->order[k], s = ra->start[v], e = ra->end[v];
        int j = 0;
        for (int i = 0; i < nactive; i++)
            if (ra->end[active[i]] >= s)
                active[j++] = active[i];
        nactive = j;
        unsigned busy = 0;
        for (int i = 0; i < nactive; i++)
            busy |= 1u << f->assign[active[i]];
        int named = debug && f->vlocal[v];
        int choice = -1;
        int h = ra->hint[v];
        int cand[3] = {-1, -1, -1};
        if (h >= 0)
            cand[0] = is_vreg(h) ? (f->assign[h] >= 0 ? f->assign[h] : -1) : h;
        for (int ci = 0; ci < 1 && choice < 0; ci++) {
            int p = cand[ci];
            if (p >= 0 && !(busy >> p & 1) && !fixed_conflict(&ra->fixed[p], s, e) && !(named && named_mask >> p & 1))
                choice = p;
        }
        for (int i = 0; i < SL_NREGS && choice < 0; i++) {
            int p = pref[i];
            if (!(busy >> p & 1) && !fixed_conflict(&ra->fixed[p], s, e) && !(named && named_mask >> p & 1))
                choice = p;
        }
        if (choice < 0) {
            /* spill the active interval ending last whose register would do, or this one */
            int victim = -1;
            for (int i = 0; i < nactive; i++) {
                int a = active[i], p = f->assign[a];
                if (f->nospill[a] || ra->end[a] <= e || fixed_conflict(&ra->fixed[p], s, e) ||
                    (named && named_mask >> p & 1))
                    continue;
                if (victim < 0 || ra->end[a] > ra->end[victim])
                    victim = a;
            }
            if (victim >= 0) {
                choice = f->assign[victim];
                f->assign[victim] = -1;
                spills++;
                for (int i = 0; i < nactive; i++)
                    if (active[i] == victim)
                        active[i] = active[--nactive];
            } else {
                if (f->nospill[v])
                    return -1000000;
                f->assign[v] = -1;
                spills++;
                continue;
            }
        }
        f->assign[v] = choice;
        if (named)
            named_mask |= 1u << choice;
        active[nactive++] = v;
    }
    return spills;
}

/* Rewrites every spilled vreg through temporaries and a static 8-byte slot. */
static void rewrite_spills(RA *ra)
{
    IrFunc *f = ra->f;
    Backend *be = ra->be;
    for (int v = IR_FIRST_VREG; v < ra->nv; v++)
        if (f->assign[v] == -1 && !f->slot[v])
            f->slot[v] = backend_alloc_mem(be, 8);
    IrIns *old = f->code;
    uint32_t oldn = f->n;
    f->code = NULL;
    f->n = f->cap = 0;
    for (uint32_t i = 0; i < oldn; i++) {
        IrIns x = old[i];
        int *ops[3] = {&x.a, &x.b, &x.c};
        int tmp_of[3] = {-1, -1, -1};
        int orig[3] = {x.a, x.b, x.c};
        const SlOpInfo *oi = x.op < SL_OP_COUNT ? &sl_op_info[x.op] : NULL;
        int store_v = -1, store_t = -1;
        for (int k = 0; k < 3; k++) {
            int v = orig[k];
            if (!oi || !is_vreg(v) || f->assign[v] != -1)
                continue;
            int t = -1;
            for (int j = 0; j < k; j++)
                if (orig[j] == v)
                    t = tmp_of[j];
            if (t < 0) { /* first operand naming v: one temporary for all of them */
                int reads = 0, writes = 0;
                for (int j = k; j < 3; j++) {
                    if (orig[j] != v)
                        continue;
                    reads |= j == 0 ? (oi->regs & SL_R_RA) != 0 : j == 1 ? (oi->regs & SL_R_RB) != 0
                                                                         : (oi->regs & SL_R_RC) != 0;
                    writes |= j == 0 && (oi->regs & SL_R_WA);
                }
                t = ir_new_vreg(f);
                f->nospill[t] = 1;
                if (reads) {
                    IrIns l1 = {SL_OP_MOVI, t, IR_NONE, IR_NONE, 0, -1, f->slot[v]};
                    IrIns l2 = {SL_OP_LDM64, t, t, IR_NONE, 0, -1, 0};
                    if (f->n + 3 > f->cap) {
                        f->cap = f->cap ? f->cap * 2 : 256;
                        f->code = realloc(f->code, f->cap * sizeof *f->code);
                        if (!f->code)
                            abort();
                    }
                    f->code[f->n++] = l1;
                    f->code[f->n++] = l2;
                }
                if (writes) {
                    store_v = v;
                    store_t = t;
                }
            }
            tmp_of[k] = t;
            *ops[k] = t;
        }
        if (f->n + 4 > f->cap) {
            f->cap = f->cap ? f->cap * 2 : 256;
            f->code = realloc(f->code, f->cap * sizeof *f->code);
            if (!f->code)
                abort();
        }
        f->code[f->n++] = x;
        if (store_v >= 0) {
            int b = ir_new_vreg(f);
            f->nospill[b] = 1;
            IrIns s1 = {SL_OP_MOVI, b, IR_NONE, IR_NONE, 0, -1, f->slot[store_v]};
            IrIns s2 = {SL_OP_STM64, b, store_t, IR_NONE, 0, -1, 0};
            f->code[f->n++] = s1;
            f->code[f->n++] = s2;
        }
    }
    free(old);
    /* spilled vregs no longer appear; mark them so scan() leaves them spilled */
    for (int v = IR_FIRST_VREG; v < ra->nv; v++)
        if (f->assign[v] == -1)
            f->assign[v] = -2;
}

int regalloc_function(Backend *be, IrFunc *f)
{
    RA ra = {0};
    ra.be = be;
    ra.f = f;
    int debug = 1; /* the same code with and without -g: variables never share registers */
    size_t prev_nv = 0;
    for (int round = 0; round < 12; round++) {
        ra.nv = f->nvregs;
        size_t nv = (size_t)ra.nv + 1;
        ra.start = realloc(ra.start, nv * sizeof(int));
        ra.end = realloc(ra.end, nv * sizeof(int));
        ra.hint = realloc(ra.hint, nv * sizeof(int));
        ra.order = realloc(ra.order, nv * sizeof(int));
        int *as = realloc(f->assign, nv * sizeof(int));
        uint32_t *sl = realloc(f->slot, nv * sizeof(uint32_t));
        if (!ra.start || !ra.end || !ra.hint || !ra.order || !as || !sl)
            abort();
        for (size_t v = prev_nv; v < nv; v++) { /* new vregs: all at first, then temporaries */
            as[v] = v < IR_FIRST_VREG ? (int)v : -3;
            sl[v] = 0;
        }
        prev_nv = nv;
        f->assign = as;
        f->slot = sl;
        for (size_t v = 0; v < nv; v++)
            ra.hint[v] = -1;
        for (uint32_t i = 0; i < f->n; i++) {
            const IrIns *x = &f->code[i];
            if (x->op != SL_OP_MOV)
                continue;
            if (is_vreg(x->a) && ra.hint[x->a] < 0)
                ra.hint[x->a] = x->b;
            else if (!is_vreg(x->a) && is_vreg(x->b) && ra.hint[x->b] < 0)
                ra.hint[x->b] = x->a;
        }
        build_fixed(&ra);
        build_intervals(&ra);
        int spills = scan(&ra, debug);
        if (spills < 0) {
            diag_plain_error(be->c, "internal error: register allocation failed in '%s'", f->name);
            break;
        }
        if (spills == 0) {
            free(ra.start);
            free(ra.end);
            free(ra.hint);
            free(ra.order);
            for (int p = 0; p < SL_NREGS; p++)
                free(ra.fixed[p].r);
            return 0;
        }
        /* vregs spilled this round: assign == -1 */
        rewrite_spills(&ra);
    }
    if (!be->c->errors)
        diag_plain_error(be->c, "internal error: register allocation did not converge in '%s'", f->name);
    free(ra.start);
    free(ra.end);
    free(ra.hint);
    free(ra.order);
    for (int p = 0; p < SL_NREGS; p++)
        free(ra.fixed[p].r);
    return -1;
}
