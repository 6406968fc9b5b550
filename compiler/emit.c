/* Emission: allocated IR to the assembly text that slas reads (and that slc -S prints), plus
 * the program-wide parts: state size and initial bytes, tables, ports, handlers and, with -g,
 * files, line rows and symbols (functions, state, tables, and every local variable as a
 * `var` symbol: value = 0x80000000 | register, or its state address).
 *
 * backend_run() is the back end's pipeline: order the functions (handlers and what they call;
 * everything when there is no handler, so library modules compile on their own), lower each,
 * allocate its registers, emit. */
#include <stdlib.h>
#include <string.h>

#include "backend.h"
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
        if (in->op == IR_NOP)
            continue;
        SlInsn x = {0};
        x.op = (uint8_t)in->op;
        int a = in->a == IR_NONE ? 0 : reg(f, in->a);
        int b = in->b == IR_NONE ? 0 : reg(f, in->b);
        int cc = in->c == IR_NONE ? 0 : reg(f, in->c);
        if (in->op == SL_OP_MOV && a == b)
            continue;
        if (in->op == SL_OP_JA) { /* a jump to the next instruction */
            uint32_t k = i + 1;
            int next = 0;
            for (; k < f->n && f->code[k].op >= SL_OP_COUNT; k++)
                if (f->code[k].op == IR_LABEL && f->code[k].imm == in->label)
                    next = 1;
            if (next)
                continue;
        }
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
            for (uint32_t i = 0; i < nf; i++) {
                if (remap[i] == UINT32_MAX)
                    continue;
                buf_printf(o, ".sym func ");
                put_quoted(o, be.funcs[i]->name);
                buf_printf(o, " %u\n", remap[i]);
                emit_var_syms(&be, be.funcs[i], o);
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
