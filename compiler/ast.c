/* The tree's memory (an arena per compilation), growable text, and the node constructors the
 * parser's actions call. Constructors compute each node's nesting depth and stop the
 * compilation with one error past AST_MAX_DEPTH, so every later recursive pass is shallow. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"

struct ArenaBlock {
    ArenaBlock *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
};

void *arena_alloc(Arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    ArenaBlock *b = a->head;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        b = malloc(sizeof *b + cap);
        if (!b) {
            fputs("slc: out of memory\n", stderr);
            abort();
        }
        b->next = a->head;
        b->used = 0;
        b->cap = cap;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

char *arena_strndup(Arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void arena_free(Arena *a)
{
    ArenaBlock *b = a->head;
    while (b) {
        ArenaBlock *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
}

void buf_put(Buf *b, const char *s, size_t n)
{
    if (b->cap - b->len < n + 1) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap - b->len < n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            fputs("slc: out of memory\n", stderr);
            abort();
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void buf_vprintf(Buf *b, const char *fmt, va_list ap)
{
    char small[512];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    if (n < 0) {
        va_end(ap2);
        return;
    }
    if ((size_t)n < sizeof small) {
        buf_put(b, small, (size_t)n);
    } else {
        char *big = malloc((size_t)n + 1);
        if (!big)
            abort();
        vsnprintf(big, (size_t)n + 1, fmt, ap2);
        buf_put(b, big, (size_t)n);
        free(big);
    }
    va_end(ap2);
}

void buf_printf(Buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void vec_push(Arena *a, Vec *v, void *item)
{
    if (v->len == v->cap) {
        uint32_t cap = v->cap ? v->cap * 2 : 4;
        void **items = arena_alloc(a, cap * sizeof *items);
        if (v->len)
            memcpy(items, v->items, v->len * sizeof *items);
        v->items = items;
        v->cap = cap;
    }
    v->items[v->len++] = item;
}

const char *op_text(Op op)
{
    static const char *const t[] = {"?", "+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", "==", "!=", "<",
                                    "<=", ">", ">=", "&&", "||", "-", "!", "~"};
    return (unsigned)op < sizeof t / sizeof t[0] ? t[op] : "?";
}

/* ---- constructors -------------------------------------------------------------------- */

static uint16_t deeper(Ctx *c, Loc loc, unsigned d)
{
    if (d > AST_MAX_DEPTH) {
        if (!c->stop)
            diag_error(c, loc, "expression or statement nested too deeply (the limit is %d)", AST_MAX_DEPTH);
        c->stop = 1;
        return AST_MAX_DEPTH;
    }
    return (uint16_t)d;
}

static unsigned edepth(const Expr *e) { return e ? e->depth : 0; }
static unsigned max2(unsigned a, unsigned b) { return a > b ? a : b; }

Expr *ast_new_expr(Ctx *c, ExprKind k, Loc loc)
{
    Expr *e = arena_alloc(&c->arena, sizeof *e);
    e->kind = k;
    e->loc = loc;
    e->depth = 1;
    return e;
}

Expr *ast_new_int(Ctx *c, Loc loc, uint64_t v, int lit_kind)
{
    Expr *e = ast_new_expr(c, E_INT, loc);
    e->ival = v;
    e->lit_kind = (uint8_t)lit_kind;
    return e;
}

Expr *ast_new_bool(Ctx *c, Loc loc, int v)
{
    Expr *e = ast_new_expr(c, E_BOOL, loc);
    e->ival = (uint64_t)v;
    return e;
}

Expr *ast_new_name(Ctx *c, Loc loc, const char *name)
{
    Expr *e = ast_new_expr(c, E_NAME, loc);
    e->name = name;
    return e;
}

Expr *ast_new_unary(Ctx *c, Loc loc, Op op, Expr *a)
{
    Expr *e = ast_new_expr(c, E_UNARY, loc);
    e->op = op;
    e->a = a;
    e->depth = deeper(c, loc, edepth(a) + 1);
    return e;
}

Expr *ast_new_binary(Ctx *c, Loc loc, Op op, Expr *a, Expr *b)
{
    Expr *e = ast_new_expr(c, E_BINARY, loc);
    e->op = op;
    e->a = a;
    e->b = b;
    e->depth = deeper(c, loc, max2(edepth(a), edepth(b)) + 1);
    return e;
}

Expr *ast_new_cast(Ctx *c, Loc loc, Expr *a, TypeExpr *t)
{
    Expr *e = ast_new_expr(c, E_CAST, loc);
    e->a = a;
    e->texpr = t;
    e->depth = deeper(c, loc, edepth(a) + 1);
    return e;
}

static unsigned args_depth(const Vec *v)
{
    unsigned d = 0;
    for (uint32_t i = 0; i < v->len; i++)
        d = max2(d, edepth(v->items[i]));
    return d;
}

Expr *ast_new_call(Ctx *c, Loc loc, const char *name, Vec args)
{
    Expr *e = ast_new_expr(c, E_CALL, loc);
    e->name = name;
    e->args = args;
    e->depth = deeper(c, loc, args_depth(&args) + 1);
    return e;
}

Expr *ast_new_method(Ctx *c, Loc loc, Expr *recv, const char *name, Vec args)
{
    Expr *e = ast_new_expr(c, E_METHOD, loc);
    e->a = recv;
    e->name = name;
    e->args = args;
    e->depth = deeper(c, loc, max2(args_depth(&args), edepth(recv)) + 1);
    return e;
}

Expr *ast_new_field(Ctx *c, Loc loc, Expr *a, const char *name)
{
    Expr *e = ast_new_expr(c, E_FIELD, loc);
    e->a = a;
    e->name = name;
    e->depth = deeper(c, loc, edepth(a) + 1);
    return e;
}

Expr *ast_new_index(Ctx *c, Loc loc, Expr *a, Expr *i)
{
    Expr *e = ast_new_expr(c, E_INDEX, loc);
    e->a = a;
    e->b = i;
    e->depth = deeper(c, loc, max2(edepth(a), edepth(i)) + 1);
    return e;
}

Expr *ast_new_array(Ctx *c, Loc loc, Vec elems)
{
    Expr *e = ast_new_expr(c, E_ARRAY, loc);
    e->args = elems;
    e->depth = deeper(c, loc, args_depth(&elems) + 1);
    return e;
}

Expr *ast_new_struct(Ctx *c, Loc loc, const char *name, Vec fnames, Vec flocs, Vec vals)
{
    Expr *e = ast_new_expr(c, E_STRUCT, loc);
    e->name = name;
    e->fnames = fnames;
    e->floc = flocs;
    e->args = vals;
    e->depth = deeper(c, loc, args_depth(&vals) + 1);
    return e;
}

TypeExpr *ast_new_tname(Ctx *c, Loc loc, const char *name)
{
    TypeExpr *t = arena_alloc(&c->arena, sizeof *t);
    t->kind = TE_NAME;
    t->loc = loc;
    t->name = name;
    return t;
}

TypeExpr *ast_new_tarray(Ctx *c, Loc loc, Expr *len, TypeExpr *elem)
{
    TypeExpr *t = arena_alloc(&c->arena, sizeof *t);
    t->kind = TE_ARRAY;
    t->loc = loc;
    t->len = len;
    t->elem = elem;
    return t;
}

Stmt *ast_new_stmt(Ctx *c, StmtKind k, Loc loc)
{
    Stmt *s = arena_alloc(&c->arena, sizeof *s);
    s->kind = k;
    s->loc = loc;
    s->depth = 1;
    return s;
}

Stmt *ast_new_block(Ctx *c, Loc loc, Vec stmts)
{
    Stmt *s = ast_new_stmt(c, S_BLOCK, loc);
    s->stmts = stmts;
    return s;
}

Stmt *ast_new_if(Ctx *c, Loc loc, Expr *cond, Stmt *then, Stmt *els)
{
    Stmt *s = ast_new_stmt(c, S_IF, loc);
    s->cond = cond;
    s->then = then;
    s->els = els;
    s->depth = deeper(c, loc, (els ? els->depth : 0) + 1u);
    return s;
}

Stmt *ast_new_iflet(Ctx *c, Loc loc, const char *name, Loc nloc, Expr *init, Stmt *then, Stmt *els)
{
    Stmt *s = ast_new_if(c, loc, NULL, then, els);
    s->is_let = 1;
    s->name = name;
    s->name_loc = nloc;
    s->init = init;
    return s;
}

Decl *ast_new_decl(Ctx *c, DeclKind k, Loc loc, const char *name)
{
    Decl *d = arena_alloc(&c->arena, sizeof *d);
    d->kind = k;
    d->loc = loc;
    d->name = name;
    return d;
}

/* ---- dump (slc -d ast) --------------------------------------------------------------- */

static void dump_type(Buf *o, const TypeExpr *t);
static void dump_expr(Ctx *c, Buf *o, const Expr *e);

static void dump_args(Ctx *c, Buf *o, const Vec *v)
{
    for (uint32_t i = 0; i < v->len; i++) {
        if (i)
            buf_put(o, ", ", 2);
        dump_expr(c, o, v->items[i]);
    }
}

static void dump_expr(Ctx *c, Buf *o, const Expr *e)
{
    if (!e) {
        buf_printf(o, "<none>");
        return;
    }
    switch (e->kind) {
    case E_ERROR: buf_printf(o, "<error>"); break;
    case E_INT: buf_printf(o, "%llu", (unsigned long long)e->ival); break;
    case E_BOOL: buf_printf(o, e->ival ? "true" : "false"); break;
    case E_NAME: buf_printf(o, "%s", e->name); break;
    case E_UNARY:
        buf_printf(o, "(%s", op_text(e->op));
        dump_expr(c, o, e->a);
        buf_printf(o, ")");
        break;
    case E_BINARY:
        buf_printf(o, "(");
        dump_expr(c, o, e->a);
        buf_printf(o, " %s ", op_text(e->op));
        dump_expr(c, o, e->b);
        buf_printf(o, ")");
        break;
    case E_CAST:
        buf_printf(o, "(");
        dump_expr(c, o, e->a);
        buf_printf(o, " as ");
        dump_type(o, e->texpr);
        buf_printf(o, ")");
        break;
    case E_CALL:
        buf_printf(o, "%s(", e->name);
        dump_args(c, o, &e->args);
        buf_printf(o, ")");
        break;
    case E_METHOD:
        dump_expr(c, o, e->a);
        buf_printf(o, ".%s(", e->name);
        dump_args(c, o, &e->args);
        buf_printf(o, ")");
        break;
    case E_FIELD:
        dump_expr(c, o, e->a);
        buf_printf(o, ".%s", e->name);
        break;
    case E_INDEX:
        dump_expr(c, o, e->a);
        buf_printf(o, "[");
        dump_expr(c, o, e->b);
        buf_printf(o, "]");
        break;
    case E_STRUCT:
        buf_printf(o, "%s { ", e->name);
        for (uint32_t i = 0; i < e->args.len; i++) {
            buf_printf(o, "%s%s: ", i ? ", " : "", (const char *)e->fnames.items[i]);
            dump_expr(c, o, e->args.items[i]);
        }
        buf_printf(o, " }");
        break;
    case E_ARRAY:
        buf_printf(o, "[");
        dump_args(c, o, &e->args);
        buf_printf(o, "]");
        break;
    }
    if (e->type && e->type->kind != TY_ERROR) {
        buf_printf(o, ":%s", type_name(c, e->type));
        if (e->is_const)
            buf_printf(o, "=%lld", (long long)e->cval);
    }
}

static void dump_type(Buf *o, const TypeExpr *t)
{
    if (!t)
        return;
    if (t->kind == TE_NAME) {
        buf_printf(o, "%s", t->name);
        return;
    }
    buf_printf(o, "[...]");
    dump_type(o, t->elem);
}

static void indent(Buf *o, int n)
{
    for (int i = 0; i < n; i++)
        buf_put(o, "  ", 2);
}

static void dump_stmt(Ctx *c, Buf *o, const Stmt *s, int ind)
{
    if (!s)
        return;
    indent(o, ind);
    switch (s->kind) {
    case S_LET:
        buf_printf(o, "let %s", s->name);
        if (s->texpr) {
            buf_printf(o, ": ");
            dump_type(o, s->texpr);
        }
        if (s->init) {
            buf_printf(o, " = ");
            dump_expr(c, o, s->init);
        }
        buf_printf(o, "\n");
        if (s->els) {
            indent(o, ind);
            buf_printf(o, "else\n");
            dump_stmt(c, o, s->els, ind + 1);
        }
        return;
    case S_ASSIGN:
        dump_expr(c, o, s->lhs);
        buf_printf(o, " %s= ", s->op ? op_text(s->op) : "");
        dump_expr(c, o, s->rhs);
        buf_printf(o, "\n");
        return;
    case S_EXPR:
        dump_expr(c, o, s->init);
        buf_printf(o, "\n");
        return;
    case S_IF:
        if (s->is_let) {
            buf_printf(o, "if let %s = ", s->name);
            dump_expr(c, o, s->init);
        } else {
            buf_printf(o, "if ");
            dump_expr(c, o, s->cond);
        }
        buf_printf(o, "\n");
        dump_stmt(c, o, s->then, ind + 1);
        if (s->els) {
            indent(o, ind);
            buf_printf(o, "else\n");
            dump_stmt(c, o, s->els, ind + 1);
        }
        return;
    case S_WHILE:
        buf_printf(o, "while ");
        dump_expr(c, o, s->cond);
        buf_printf(o, "\n");
        dump_stmt(c, o, s->body, ind + 1);
        return;
    case S_FOR:
        buf_printf(o, "for %s in ", s->name);
        dump_expr(c, o, s->init);
        buf_printf(o, " .. ");
        dump_expr(c, o, s->hi);
        buf_printf(o, "\n");
        dump_stmt(c, o, s->body, ind + 1);
        return;
    case S_BREAK: buf_printf(o, "break\n"); return;
    case S_CONTINUE: buf_printf(o, "continue\n"); return;
    case S_RETURN:
        buf_printf(o, "return ");
        if (s->init)
            dump_expr(c, o, s->init);
        buf_printf(o, "\n");
        return;
    case S_BLOCK:
        buf_printf(o, "{\n");
        for (uint32_t i = 0; i < s->stmts.len; i++)
            dump_stmt(c, o, s->stmts.items[i], ind + 1);
        indent(o, ind);
        buf_printf(o, "}\n");
        return;
    }
}

void ast_dump(Ctx *c, Buf *o)
{
    static const char *const kinds[] = {"import", "const", "type", "enum", "struct", "header", "port",
                                        "state", "table", "fn", "on", "item"};
    for (uint32_t i = 0; i < c->decls.len; i++) {
        const Decl *d = c->decls.items[i];
        buf_printf(o, "%s %s", kinds[d->kind], d->name ? d->name : "");
        if (d->type && d->kind != D_FN && d->kind != D_ON)
            buf_printf(o, ": %s", type_name(c, d->type));
        if (d->kind == D_CONST || d->kind == D_PORT)
            buf_printf(o, " = %lld", (long long)d->cval);
        if (d->kind == D_STATE)
            buf_printf(o, " @%u", d->addr);
        buf_printf(o, "\n");
        if (d->body)
            dump_stmt(c, o, d->body, 1);
    }
}
