/* Emission: allocated IR to the assembly text that slas reads (and that slc -S prints), plus
 * the program-wide parts: state size and initial bytes, tables, ports, handlers and, with -g,
 * files, line rows and symbols (functions, state, tables, and every local variable as a
 * `var` symbol: value = 0x80000000 | register, or its state address), the header types
 * (`.type`/`.field`) and the header variables with the instructions of their scope (`.hdr`).
 *
 * backend_run() is the back end's pipeline: order the functions (handlers and what they call;
 * everything when there is no handler, so library modules compile on their own), lower each,
 * allocate its registers, emit. */
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "dbg_types.h"
#include "image.h"

uint32_t backend_alloc_mem(Backend *be, uint32_t size)
{
    uint32_t a = be->mem_top;
    if ((uint64_t)be->mem_top + size > SL_MAX_STATE) {
        if (!be->c->errors)
            diag_plain_error(be->c, "the program needs more than %d bytes of state memory", SL_MAX_STATE);
        return 0;
    }
    be->mem_top += size;
    return a;
}

static void put_quoted(Buf *o, const char *s)
{
    buf_put(o, "\"", 1);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            buf_printf(o, "\\%c", ch);
        else if (ch < 0x20 || ch >= 0x7f)
            buf_printf(o, "\\x%02x", ch);
        else
            buf_put(o, (const char *)&ch, 1);
    }
    buf_put(o, "\"", 1);
}

static int reg(const IrFunc *f, int v) { return v < IR_FIRST_VREG ? v : f->assign[v]; }

/* Whether IR instruction i of f becomes an instruction of the image: emit_function leaves out
 * labels, positions, no-ops, moves to the same register and jumps to the next instruction. */
static int ir_emitted(const IrFunc *f, uint32_t i)
{
    const IrIns *in = &f->code[i];
    if (in->op >= SL_OP_COUNT)
        return 0;
    if (in->op == SL_OP_MOV && (in->a == IR_NONE ? 0 : reg(f, in->a)) == (in->b == IR_NONE ? 0 : reg(f, in->b)))
        return 0;
    if (in->op == SL_OP_JA) { /* a jump to the next instruction */
        for (uint32_t k = i + 1; k < f->n && f->code[k].op >= SL_OP_COUNT; k++)
            if (f->code[k].op == IR_LABEL && f->code[k].imm == in->label)
                return 0;
    }
    return 1;
}

static void emit_function(Backend *be, IrFunc *f, Buf *o)
{
    Ctx *c = be->c;
    int debug = c->opt->debug_info;
    buf_printf(o, "\n.func - %d\n", f->nargs);
    (void)debug;
    int have_loc = 0;
    IrIns pending = {0};
    for (uint32_t i = 0; i < f->n; i++) {
        const IrIns *in = &f->code[i];
        if (in->op == IR_LABEL) {
            buf_printf(o, "L%u_%lld:\n", f->index, (long long)in->imm);
            continue;
        }
        if (in->op == IR_LOC) {
            pending = *in;
            have_loc = 1;
            continue;
        }
        if (!ir_emitted(f, i))
            continue;
        SlInsn x = {0};
        x.op = (uint8_t)in->op;
        int a = in->a == IR_NONE ? 0 : reg(f, in->a);
        int b = in->b == IR_NONE ? 0 : reg(f, in->b);
        int cc = in->c == IR_NONE ? 0 : reg(f, in->c);
        if (have_loc) {
            buf_printf(o, ".loc %d %d %d\n", pending.a, pending.b, pending.c);
            have_loc = 0;
        }
        const SlOpInfo *oi = &sl_op_info[in->op];
        const char *mn = oi->mnemonic;
        switch ((SlFormat)oi->format) {
        case SL_FMT_N: buf_printf(o, "    %s\n", mn); break;
        case SL_FMT_A: buf_printf(o, "    %s r%d\n", mn, a); break;
        case SL_FMT_AB: buf_printf(o, "    %s r%d, r%d\n", mn, a, b); break;
        case SL_FMT_AI:
            if (in->op == SL_OP_MOVI && (in->imm < INT32_MIN || in->imm > INT32_MAX))
                buf_printf(o, "    ldk r%d, =%llu\n", a, (unsigned long long)in->imm);
            else
                buf_printf(o, "    %s r%d, %lld\n", mn, a, (long long)in->imm);
            break;
        case SL_FMT_AK: buf_printf(o, "    %s r%d, =%llu\n", mn, a, (unsigned long long)in->imm); break;
        case SL_FMT_LD: buf_printf(o, "    %s r%d, [r%d%+d]\n", mn, a, b, in->off); break;
        case SL_FMT_ST: buf_printf(o, "    %s [r%d%+d], r%d\n", mn, a, in->off, b); break;
        case SL_FMT_J: buf_printf(o, "    %s L%u_%d\n", mn, f->index, in->label); break;
        case SL_FMT_JAB: buf_printf(o, "    %s r%d, r%d, L%u_%d\n", mn, a, b, f->index, in->label); break;
        case SL_FMT_JAI:
            buf_printf(o, "    %s r%d, %lld, L%u_%d\n", mn, a, (long long)in->imm, f->index, in->label);
            break;
        case SL_FMT_CALL: buf_printf(o, "    %s f%lld\n", mn, (long long)in->imm); break;
        case SL_FMT_I: buf_printf(o, "    %s %lld\n", mn, (long long)in->imm); break;
        case SL_FMT_ABC: buf_printf(o, "    %s r%d, r%d, r%d\n", mn, a, b, cc); break;
        case SL_FMT_ABCT: buf_printf(o, "    %s r%d, r%d, r%d, t%lld\n", mn, a, b, cc, (long long)in->imm); break;
        case SL_FMT_ABT: buf_printf(o, "    %s r%d, r%d, t%lld\n", mn, a, b, (long long)in->imm); break;
        case SL_FMT_ABI: buf_printf(o, "    %s r%d, r%d, %lld\n", mn, a, b, (long long)in->imm); break;
        }
        (void)x;
    }
}

/* With -g: one `var` symbol per local, named function.variable (#2, #3... for repeats). */
static void emit_var_syms(Backend *be, IrFunc *f, Buf *o)
{
    Ctx *c = be->c;
    Decl *d = f->decl;
    for (uint32_t i = 0; i < d->locals.len; i++) {
        Local *l = d->locals.items[i];
        if (l->type->kind == TY_PACKET || l->type->kind == TY_OPT || l->type->kind == TY_ERROR)
            continue;
        uint32_t value, size;
        if (l->type->kind == TY_HEADER) {
            if (l->vreg < 0)
                continue; /* constant offset: nothing lives anywhere */
            size = 4;
        } else {
            size = l->type->size;
        }
        if (type_is_aggregate(l->type)) {
            if (!l->frame_off && l->vreg < 0)
                continue;
            value = l->frame_off;
        } else {
            if (l->vreg < 0 || (uint32_t)l->vreg >= (uint32_t)f->nvregs)
                continue;
            int a = f->assign[l->vreg];
            if (a >= 0)
                value = 0x80000000u | (uint32_t)a;
            else if (a == -2)
                value = f->slot[l->vreg];
            else
                continue; /* never materialised (unused) */
        }
        int dup = 1;
        for (uint32_t j = 0; j < i; j++)
            dup += strcmp(((Local *)d->locals.items[j])->name, l->name) == 0;
        Buf name = {0};
        buf_printf(&name, "%s.%s", f->name, l->name);
        if (dup > 1)
            buf_printf(&name, "#%d", dup);
        buf_printf(o, ".sym var ");
        put_quoted(o, name.p);
        buf_printf(o, " %u %u\n", value, size);
        free(name.p);
    }
    (void)c;
}

/* ---- -g: header types and header variables (DBG_TYPES, asm/dbg_types.h) ---------------- */

/* Every header type as `.type NAME SIZE` and its fields as `.field NAME BIT_OFFSET BITS`, in
 * declaration order (imports first): `.hdr` lines name them by that position. */
static void emit_header_types(Ctx *c, Buf *o)
{
    for (uint32_t i = 0; i < c->decls.len; i++) {
        Decl *d = c->decls.items[i];
        if (d->kind != D_HEADER || !d->type || d->type->kind != TY_HEADER)
            continue;
        const Type *t = d->type;
        buf_printf(o, ".type ");
        put_quoted(o, d->name);
        buf_printf(o, " %u\n", t->size);
        for (uint32_t k = 0; k < t->nfields; k++) {
            const Field *f = &t->fields[k];
            if (!f->type || f->type->kind != TY_INT)
                continue;
            buf_printf(o, ".field ");
            put_quoted(o, f->name);
            buf_printf(o, " %u %d\n", f->off, f->type->bits);
        }
    }
}

static int header_type_index(const Ctx *c, const Type *t)
{
    int n = 0;
    for (uint32_t i = 0; i < c->decls.len; i++) {
        const Decl *d = c->decls.items[i];
        if (d->kind != D_HEADER || !d->type || d->type->kind != TY_HEADER)
            continue;
        if (d->type == t)
            return n;
        n++;
    }
    return -1;
}

/* A header binding's scope in source lines: the statements after `let h = p.extract(..) else`
 * in its block, or the block of `if let h = p.extract(..)`. */
typedef struct HdrScope {
    const Local *l;
    uint32_t file, lo, hi;
} HdrScope;

typedef struct Span {
    uint32_t file, lo, hi;
    int any;
} Span;

static void span_loc(Span *sp, Loc loc)
{
    if (loc.line == 0 || loc.file != sp->file)
        return;
    if (!sp->any || loc.line < sp->lo)
        sp->lo = loc.line;
    if (!sp->any || loc.line > sp->hi)
        sp->hi = loc.line;
    sp->any = 1;
}

static void span_expr(Span *sp, const Expr *e)
{
    if (!e)
        return;
    span_loc(sp, e->loc);
    span_expr(sp, e->a);
    span_expr(sp, e->b);
    for (uint32_t i = 0; i < e->args.len; i++)
        span_expr(sp, e->args.items[i]);
}

static void span_stmt(Span *sp, const Stmt *s)
{
    if (!s)
        return;
    span_loc(sp, s->loc);
    span_expr(sp, s->init);
    span_expr(sp, s->cond);
    span_expr(sp, s->hi);
    span_expr(sp, s->lhs);
    span_expr(sp, s->rhs);
    span_stmt(sp, s->then);
    span_stmt(sp, s->els);
    span_stmt(sp, s->body);
    for (uint32_t i = 0; i < s->stmts.len; i++)
        span_stmt(sp, s->stmts.items[i]);
}

static int is_header_binding(const Stmt *s)
{
    return s->local && s->local->type && s->local->type->kind == TY_HEADER &&
           ((s->kind == S_LET && s->is_let) || (s->kind == S_IF && s->is_let));
}

static void find_scopes(const Stmt *s, HdrScope *out, uint32_t *n, uint32_t cap)
{
    if (!s)
        return;
    if (s->kind == S_IF && is_header_binding(s) && *n < cap) {
        Span sp = {s->loc.file, 0, 0, 0};
        span_stmt(&sp, s->then);
        if (sp.any)
            out[(*n)++] = (HdrScope){s->local, sp.file, sp.lo, sp.hi};
    }
    for (uint32_t i = 0; i < s->stmts.len; i++) {
        const Stmt *k = s->stmts.items[i];
        if (k->kind == S_LET && is_header_binding(k) && *n < cap) {
            Span sp = {k->loc.file, 0, 0, 0};
            for (uint32_t j = i + 1; j < s->stmts.len; j++)
                span_stmt(&sp, s->stmts.items[j]);
            if (sp.any)
                out[(*n)++] = (HdrScope){k->local, sp.file, sp.lo, sp.hi};
        }
        find_scopes(k, out, n, cap);
    }
    find_scopes(s->then, out, n, cap);
    find_scopes(s->els, out, n, cap);
    find_scopes(s->body, out, n, cap);
}

/* With -g: one `.hdr` line per header binding of f whose scope has code: its name (as var
 * symbols name it), type index, where its offset is (register, spill slot or constant) and the
 * instructions [start, end) of its scope, f's code starting at instruction base. Returns the
 * number of instructions f has in the image. */
static uint32_t emit_hdr_vars(Backend *be, IrFunc *f, uint32_t base, Buf *o)
{
    Ctx *c = be->c;
    Decl *d = f->decl;
    uint32_t cap = d->locals.len + 1, n = 0;
    HdrScope *sc = calloc(cap, sizeof *sc);
    uint32_t *lo = calloc(cap, sizeof *lo), *hi = calloc(cap, sizeof *hi);
    if (!sc || !lo || !hi)
        abort();
    find_scopes(d->body, sc, &n, cap);
    uint32_t count = 0, file = 0, line = 0;
    for (uint32_t i = 0; i < f->n; i++) {
        const IrIns *in = &f->code[i];
        if (in->op == IR_LOC) {
            file = (uint32_t)in->a;
            line = (uint32_t)in->b;
            continue;
        }
        if (!ir_emitted(f, i))
            continue;
        for (uint32_t k = 0; k < n; k++)
            if (file == sc[k].file && line >= sc[k].lo && line <= sc[k].hi) {
                if (!hi[k])
                    lo[k] = count;
                hi[k] = count + 1;
            }
        count++;
    }
    for (uint32_t k = 0; k < n; k++) {
        const Local *l = sc[k].l;
        int ti = header_type_index(c, l->type);
        uint32_t loc;
        if (!hi[k] || ti < 0)
            continue;
        if (l->vreg >= IR_FIRST_VREG && l->vreg < f->nvregs) {
            int a = f->assign[l->vreg];
            if (a >= 0)
                loc = SL_DBG_LOC_REG | (uint32_t)a;
            else if (a == -2)
                loc = f->slot[l->vreg];
            else
                continue;
        } else if (l->vreg < 0 && l->hdr_off >= 0 && l->hdr_off < (int64_t)SL_DBG_LOC_CONST) {
            loc = SL_DBG_LOC_CONST | (uint32_t)l->hdr_off;
        } else {
            continue;
        }
        int dup = 1;
        for (uint32_t j = 0; j < d->locals.len && d->locals.items[j] != l; j++)
            dup += strcmp(((Local *)d->locals.items[j])->name, l->name) == 0;
        Buf name = {0};
        buf_printf(&name, "%s.%s", f->name, l->name);
        if (dup > 1)
            buf_printf(&name, "#%d", dup);
        buf_printf(o, ".hdr ");
        put_quoted(o, name.p);
        buf_printf(o, " %d %u %u %u\n", ti, loc, base + lo[k], base + hi[k]);
        free(name.p);
    }
    free(sc);
    free(lo);
    free(hi);
    return count;
}

int backend_run(Ctx *c, Buf *out)
{
    Backend be = {0};
    be.c = c;
    be.mem_top = c->state_size;
    uint32_t nt = c->tables.len;
    be.tbl_key = calloc(nt + 1, sizeof *be.tbl_key);
    be.tbl_val = calloc(nt + 1, sizeof *be.tbl_val);
    if (!be.tbl_key || !be.tbl_val)
        abort();
    /* table buffers first: lowering runs several rounds per function and resets the frame
     * allocator between them (addresses + 1: 0 means none, see lower.c) */
    for (uint32_t i = 0; i < nt; i++) {
        Decl *t = c->tables.items[i];
        be.tbl_key[i] = backend_alloc_mem(&be, t->ktype->size + 1) + 1;
        be.tbl_val[i] = backend_alloc_mem(&be, t->vtype->size ? t->vtype->size : 1) + 1;
    }
    be.hash_buf = backend_alloc_mem(&be, 8) + 1;
    /* function order: handlers and user functions in declaration order; without handlers every
     * function, with handlers only those reachable from one */
    uint32_t nd = c->decls.len;
    Decl **order = calloc(nd + 1, sizeof *order);
    uint32_t nf = 0;
    int have_handlers = c->handlers.len > 0;
    for (uint32_t i = 0; i < nd; i++) {
        Decl *d = c->decls.items[i];
        if (d->kind == D_ON || (d->kind == D_FN && (!have_handlers || d->reachable)))
            order[nf++] = d;
    }
    be.func_nargs = calloc(nf + 1, sizeof *be.func_nargs);
    be.func_decl = calloc(nf + 1, sizeof *be.func_decl);
    be.funcs = calloc(nf + 1, sizeof *be.funcs);
    if (!be.tbl_key || !be.tbl_val || !order || !be.func_nargs || !be.func_decl || !be.funcs)
        abort();
    for (uint32_t i = 0; i < nf; i++) {
        order[i]->index = i;
        be.func_nargs[i] = order[i]->kind == D_ON ? 0 : order[i]->nscalar;
        be.func_decl[i] = order[i];
    }
    int rc = 0;
    Buf code = {0};
    int timers = 0;
    /* lower everything, then keep what handlers still call once small functions are inlined */
    for (uint32_t i = 0; i < nf && !c->errors; i++) {
        IrFunc *f = lower_function(&be, order[i]);
        f->index = i;
        if (order[i]->kind == D_ON) {
            Buf nm = {0};
            if (order[i]->handler == SL_HANDLER_TIMER && timers++)
                buf_printf(&nm, "on_timer_%d", timers);
            else
                buf_printf(&nm, "on_%s", order[i]->name);
            f->name = arena_strndup(&c->arena, nm.p, nm.len);
            free(nm.p);
        }
        be.funcs[i] = f;
        be.nfuncs = i + 1;
    }
    uint32_t *remap = malloc((nf + 1) * sizeof *remap);
    uint32_t *stack = malloc((nf + 1) * sizeof *stack);
    if (!remap || !stack)
        abort();
    uint32_t nused = 0;
    if (!c->errors) {
        uint8_t *used = calloc(nf + 1, 1);
        uint32_t sp = 0;
        for (uint32_t i = 0; i < nf; i++)
            if (!have_handlers || order[i]->kind == D_ON) {
                used[i] = 1;
                stack[sp++] = i;
            }
        while (sp) {
            IrFunc *f = be.funcs[stack[--sp]];
            for (uint32_t k = 0; k < f->n; k++)
                if (f->code[k].op == SL_OP_CALL && !used[f->code[k].imm]) {
                    used[f->code[k].imm] = 1;
                    stack[sp++] = (uint32_t)f->code[k].imm;
                }
        }
        for (uint32_t i = 0; i < nf; i++)
            remap[i] = used[i] ? nused++ : UINT32_MAX;
        for (uint32_t i = 0; i < nf; i++) {
            if (!used[i])
                continue;
            IrFunc *f = be.funcs[i];
            if (c->opt->dump & SLC_DUMP_IR)
                ir_dump(c, f, &c->dump);
            opt_function(&be, f);
            if (c->opt->dump & SLC_DUMP_OPT)
                ir_dump(c, f, &c->dump);
            if (regalloc_function(&be, f) < 0) {
                rc = -1;
                break;
            }
            for (uint32_t k = 0; k < f->n; k++)
                if (f->code[k].op == SL_OP_CALL)
                    f->code[k].imm = remap[f->code[k].imm];
            f->index = remap[i];
            emit_function(&be, f, &code);
        }
        free(used);
    }
    free(stack);
    if (!c->errors) {
        Buf *o = out;
        buf_printf(o, "; generated by slc from %s\n", c->nfiles ? c->files[0].name : "?");
        if (be.mem_top)
            buf_printf(o, ".state %u\n", be.mem_top);
        for (uint32_t i = 0; i < c->state_init_len; i += 16) {
            buf_printf(o, ".data");
            for (uint32_t j = i; j < i + 16 && j < c->state_init_len; j++)
                buf_printf(o, " %02x", c->state_init[j]);
            buf_printf(o, "\n");
        }
        for (uint32_t i = 0; i < nt; i++) {
            Decl *t = c->tables.items[i];
            buf_printf(o, ".table - %s %u %u %u\n", t->table_lpm ? "lpm" : "hash", t->ktype->size,
                       t->vtype->size, t->capacity);
        }
        for (uint32_t i = 0; i < c->ports.len; i++)
            buf_printf(o, ".port %s\n", ((Decl *)c->ports.items[i])->name);
        if (c->opt->debug_info) {
            for (uint32_t i = 0; i < c->nfiles; i++) {
                buf_printf(o, ".file ");
                put_quoted(o, c->files[i].name);
                buf_printf(o, "\n");
            }
            for (uint32_t i = 0; i < c->states.len; i++) {
                Decl *d = c->states.items[i];
                buf_printf(o, ".sym state ");
                put_quoted(o, d->name);
                buf_printf(o, " %u %u\n", d->addr, d->type->size);
            }
            for (uint32_t i = 0; i < nt; i++) {
                buf_printf(o, ".sym table ");
                put_quoted(o, ((Decl *)c->tables.items[i])->name);
                buf_printf(o, " %u\n", i);
            }
            emit_header_types(c, o);
            uint32_t base = 0; /* functions are emitted in this order: their code is contiguous */
            for (uint32_t i = 0; i < nf; i++) {
                if (remap[i] == UINT32_MAX)
                    continue;
                buf_printf(o, ".sym func ");
                put_quoted(o, be.funcs[i]->name);
                buf_printf(o, " %u\n", remap[i]);
                emit_var_syms(&be, be.funcs[i], o);
                if (rc == 0)
                    base += emit_hdr_vars(&be, be.funcs[i], base, o);
            }
        }
        if (nused == 0)
            buf_printf(o, "\n.func - 0\n    exit\n");
        else
            buf_put(o, code.p, code.len);
        buf_printf(o, "\n");
        for (uint32_t i = 0; i < nf; i++) {
            Decl *d = order[i];
            if (d->kind != D_ON)
                continue;
            if (d->handler == SL_HANDLER_TIMER)
                buf_printf(o, ".handler timer f%u %llu\n", remap[i], (unsigned long long)d->period);
            else
                buf_printf(o, ".handler %s f%u\n", d->handler == SL_HANDLER_INIT ? "init" : "packet", remap[i]);
        }
    }
    free(code.p);
    free(remap);
    for (uint32_t i = 0; i < be.nfuncs; i++) {
        IrFunc *f = be.funcs[i];
        free(f->code);
        free(f->vlocal);
        free(f->nospill);
        free(f->assign);
        free(f->slot);
        free(f);
    }
    free(be.funcs);
    free(be.func_nargs);
    free(be.func_decl);
    free(be.tbl_key);
    free(be.tbl_val);
    free(order);
    return rc < 0 || c->errors ? -1 : 0;
}
