/* Semantic analysis: names, types, constants, control flow and the call graph.
 *
 * 1. Every top-level name goes into one global table (a name declared twice is an error).
 * 2. Declarations are resolved on demand (resolve_decl), so they may come in any order; a
 *    declaration met again while it is being resolved is a cycle ("recursive type/constant").
 * 3. Ports, tables and state variables get their indexes and addresses in declaration order
 *    (imported files first, as the driver lists them); state initialisers are evaluated to bytes.
 * 4. Each function and handler body is checked with a scope stack of locals. Expressions get a
 *    type and, when known at compile time, a value (cval, computed exactly in 128 bits).
 *    Integer constants stay "untyped" until a context gives them a type they must fit.
 *    Statements get `completes` (can control reach their end?), which gives the unreachable
 *    code warning, the missing return error and the let-else rule.
 * 5. The call graph: no cycle (recursive call: a -> b -> a) and at most SL_MAX_CALL_DEPTH
 *    frames from any handler down. */
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "image.h"

typedef struct Sema {
    Ctx *c;
    Decl *fn;          /* function or handler being checked; NULL for constant contexts */
    Type *ret;         /* its return type */
    Local **scope;     /* visible locals, innermost last */
    uint32_t nscope, scope_cap;
    int loops;         /* enclosing loops */
    int *loop_break;   /* per enclosing loop: saw a break */
    int loop_cap;
} Sema;

static Type *check_expr(Sema *s, Expr *e, Type *hint);
static void check_stmt(Sema *s, Stmt *st);
static Type *resolve_texpr(Sema *s, TypeExpr *te, int allow_special);
static void resolve_decl(Sema *s, Decl *d);

/* ---- helpers ------------------------------------------------------------------------- */

i128 sema_wrap(i128 v, const Type *t)
{
    if (t->kind == TY_BOOL)
        return v != 0;
    if (t->kind != TY_INT)
        return v;
    unsigned __int128 u = (unsigned __int128)v;
    unsigned __int128 mask = ((unsigned __int128)1 << t->bits) - 1;
    u &= mask;
    if (t->is_signed && ((u >> (t->bits - 1)) & 1))
        return (i128)u - ((i128)1 << t->bits);
    return (i128)u;
}

static const char *i128_text(Ctx *c, i128 v)
{
    char buf[48], *p = buf + sizeof buf;
    *--p = '\0';
    int neg = v < 0;
    unsigned __int128 u = neg ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;
    do {
        *--p = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    if (neg)
        *--p = '-';
    return arena_strndup(&c->arena, p, strlen(p));
}

static Type *opt_of(Ctx *c, Type *inner)
{
    Type *t = arena_alloc(&c->arena, sizeof *t);
    t->kind = TY_OPT;
    t->elem = inner;
    return t;
}

static int type_equal(const Type *a, const Type *b)
{
    if (a == b)
        return 1;
    if (a->kind != b->kind)
        return 0;
    switch (a->kind) {
    case TY_INT: return a->bits == b->bits && a->is_signed == b->is_signed;
    case TY_ARRAY: return a->n == b->n && type_equal(a->elem, b->elem);
    case TY_STRUCT:
    case TY_HEADER: return a->decl == b->decl;
    case TY_OPT: return type_equal(a->elem, b->elem);
    case TY_ERROR:
    case TY_VOID:
    case TY_BOOL:
    case TY_UNTYPED:
    case TY_PACKET: return 1;
    }
    return 0;
}

/* Can a value of type from be used where to is expected without 'as'? */
static int widens(const Type *from, const Type *to)
{
    if (from->kind != TY_INT || to->kind != TY_INT)
        return 0;
    if (from->bits == to->bits && from->is_signed == to->is_signed)
        return 1;
    if (to->bits <= from->bits)
        return 0;
    return !from->is_signed || to->is_signed;
}

static int is_err(const Type *t) { return !t || t->kind == TY_ERROR; }

static Decl *global_find(Ctx *c, const char *name)
{
    if (!c->gtab_cap)
        return NULL;
    uint32_t h = 2166136261u;
    for (const char *p = name; *p; p++)
        h = (h ^ (uint8_t)*p) * 16777619u;
    for (Decl *d = c->gtab[h & (c->gtab_cap - 1)]; d; d = d->next_global)
        if (strcmp(d->name, name) == 0)
            return d;
    return NULL;
}

static void global_add(Ctx *c, Decl *d)
{
    uint32_t h = 2166136261u;
    for (const char *p = d->name; *p; p++)
        h = (h ^ (uint8_t)*p) * 16777619u;
    Decl **slot = &c->gtab[h & (c->gtab_cap - 1)];
    d->next_global = *slot;
    *slot = d;
}

/* uN / iN / bool: the built-in scalar type of that name, or NULL. */
static Type *builtin_type(Ctx *c, const char *name)
{
    if (strcmp(name, "bool") == 0)
        return c->t_bool;
    if ((name[0] == 'u' || name[0] == 'i') && name[1] >= '1' && name[1] <= '9') {
        int bits = 0;
        const char *p = name + 1;
        while (*p >= '0' && *p <= '9' && bits <= 64)
            bits = bits * 10 + (*p++ - '0');
        if (!*p && bits >= 1 && bits <= 64)
            return type_int(c, name[0] == 'i', bits);
    }
    return NULL;
}

static const char *const builtin_fns[] = {"send", "clone", "drop", "punt", "trap", "assert", "now",
                                          "rand", "hash", "min", "max", "sizeof"};

static Builtin builtin_fn(const char *name)
{
    for (size_t i = 0; i < sizeof builtin_fns / sizeof builtin_fns[0]; i++)
        if (strcmp(name, builtin_fns[i]) == 0)
            return (Builtin)(B_SEND + i);
    return B_NONE;
}

/* ---- constants and coercion ---------------------------------------------------------- */

/* Gives an untyped constant the type t (it must fit), or checks that e's type widens to t.
 * what names the context for messages. Returns 0 or -1 (reported). */
static int coerce(Sema *s, Expr *e, Type *t)
{
    Ctx *c = s->c;
    Type *f = e->type;
    if (is_err(f) || is_err(t))
        return 0;
    if (f->kind == TY_UNTYPED) {
        if (t->kind != TY_INT) {
            diag_error(c, e->loc, "mismatched types: expected %s, found an integer constant", type_name(c, t));
            return -1;
        }
        if (sema_wrap(e->cval, t) != e->cval) {
            diag_error(c, e->loc, "constant %s does not fit in %s", i128_text(c, e->cval), type_name(c, t));
            return -1;
        }
        e->type = t;
        return 0;
    }
    if (type_equal(f, t) || widens(f, t))
        return 0;
    if (f->kind == TY_INT && t->kind == TY_INT)
        diag_error(c, e->loc, "mismatched types: expected %s, found %s (convert with 'as %s')", type_name(c, t),
                   type_name(c, f), type_name(c, t));
    else
        diag_error(c, e->loc, "mismatched types: expected %s, found %s", type_name(c, t), type_name(c, f));
    return -1;
}

/* An untyped constant with no context: u64 when >= 0, else i64. */
static void default_type(Sema *s, Expr *e)
{
    if (e->type && e->type->kind == TY_UNTYPED)
        e->type = e->cval < 0 ? type_int(s->c, 1, 64) : type_int(s->c, 0, 64);
}

static int untyped_in_range(Sema *s, Expr *e)
{
    if (e->cval < -((i128)1 << 63) || e->cval > (((i128)1 << 64) - 1)) {
        diag_error(s->c, e->loc, "constant expression value %s is outside the 64-bit range", i128_text(s->c, e->cval));
        e->type = s->c->t_error;
        e->is_const = 0;
        return -1;
    }
    return 0;
}

/* Evaluates a constant integer expression (array lengths, capacities, periods...). */
static int const_int(Sema *s, Expr *e, const char *what, i128 *out)
{
    Decl *saved = s->fn;
    s->fn = NULL;
    Type *t = check_expr(s, e, NULL);
    s->fn = saved;
    if (is_err(t))
        return -1;
    if (!e->is_const || (t->kind != TY_INT && t->kind != TY_UNTYPED)) {
        diag_error(s->c, e->loc, "%s must be a constant integer", what);
        return -1;
    }
    *out = e->cval;
    return 0;
}

/* ---- declarations -------------------------------------------------------------------- */

static Type *resolve_name_type(Sema *s, const char *name, Loc loc, int allow_special)
{
    Ctx *c = s->c;
    Type *t = builtin_type(c, name);
    if (t)
        return t;
    if (strcmp(name, "packet") == 0) {
        if (allow_special)
            return c->t_packet;
        diag_error(c, loc, "'packet' is only a parameter type");
        return c->t_error;
    }
    Decl *d = global_find(c, name);
    if (!d) {
        diag_error(c, loc, "unknown type '%s'", name);
        return c->t_error;
    }
    switch (d->kind) {
    case D_TYPE:
    case D_ENUM:
    case D_STRUCT:
        resolve_decl(s, d);
        return d->type ? d->type : c->t_error;
    case D_HEADER:
        resolve_decl(s, d);
        if (!allow_special) {
            diag_error(c, loc, "header '%s' is not a value type (bind it with 'p.extract(%s, offset)')", name, name);
            return c->t_error;
        }
        return d->type ? d->type : c->t_error;
    case D_IMPORT:
    case D_CONST:
    case D_PORT:
    case D_STATE:
    case D_TABLE:
    case D_FN:
    case D_ON:
    case D_ENUM_ITEM: break;
    }
    diag_error(c, loc, "'%s' is not a type", name);
    diag_note(c, d->loc, "'%s' is declared here", name);
    return c->t_error;
}

/* allow_special: header and packet types are allowed (parameters, sizeof, extract). */
static Type *resolve_texpr(Sema *s, TypeExpr *te, int allow_special)
{
    Ctx *c = s->c;
    if (te->kind == TE_NAME)
        return resolve_name_type(s, te->name, te->loc, allow_special);
    Type *elem = resolve_texpr(s, te->elem, 0);
    i128 n;
    if (const_int(s, te->len, "an array length", &n) < 0 || is_err(elem))
        return c->t_error;
    if (n <= 0 || n > SL_MAX_STATE) {
        diag_error(c, te->len->loc, "array length %s is out of range (1..%d)", i128_text(c, n), SL_MAX_STATE);
        return c->t_error;
    }
    if ((i128)elem->size * n > SL_MAX_STATE) {
        diag_error(c, te->loc, "array of %s bytes is larger than state memory can be (%d bytes)",
                   i128_text(c, (i128)elem->size * n), SL_MAX_STATE);
        return c->t_error;
    }
    Type *t = arena_alloc(&c->arena, sizeof *t);
    t->kind = TY_ARRAY;
    t->elem = elem;
    t->n = (uint32_t)n;
    t->size = (uint32_t)(elem->size * (uint64_t)n);
    return t;
}

static void resolve_struct(Sema *s, Decl *d, int header)
{
    Ctx *c = s->c;
    Type *t = arena_alloc(&c->arena, sizeof *t);
    t->kind = header ? TY_HEADER : TY_STRUCT;
    t->decl = d;
    t->name = d->name;
    t->nfields = d->fields.len;
    t->fields = arena_alloc(&c->arena, (d->fields.len + 1) * sizeof(Field));
    d->type = t;
    uint64_t off = 0;
    for (uint32_t i = 0; i < d->fields.len; i++) {
        Decl *fd = d->fields.items[i];
        Field *f = &t->fields[i];
        f->name = fd->name;
        f->loc = fd->loc;
        for (uint32_t j = 0; j < i; j++)
            if (strcmp(t->fields[j].name, f->name) == 0) {
                diag_error(c, fd->loc, "duplicate field '%s' in '%s'", f->name, d->name);
                diag_note(c, t->fields[j].loc, "'%s' is first declared here", f->name);
            }
        Type *ft = resolve_texpr(s, fd->texpr, 0);
        f->type = ft;
        f->off = (uint32_t)off;
        if (is_err(ft))
            continue;
        if (header) {
            if (ft->kind != TY_INT || ft->is_signed) {
                diag_error(c, fd->texpr->loc, "header fields are unsigned integers (u1..u64), not %s",
                           type_name(c, ft));
                f->type = c->t_error;
                continue;
            }
            off += (uint64_t)ft->bits;
        } else {
            if (ft->kind == TY_STRUCT && ft->decl == d) {
                diag_error(c, fd->texpr->loc, "struct '%s' contains itself", d->name);
                f->type = c->t_error;
                continue;
            }
            off += ft->size;
        }
    }
    if (header) {
        if (off % 8 != 0)
            diag_error(c, d->loc, "header '%s' is %llu bits long, not a whole number of bytes", d->name,
                       (unsigned long long)off);
        if (off == 0)
            diag_error(c, d->loc, "header '%s' has no fields", d->name);
        t->size = (uint32_t)(off / 8);
    } else {
        if (off > SL_MAX_STATE)
            diag_error(c, d->loc, "struct '%s' is larger than state memory can be", d->name);
        t->size = (uint32_t)off;
        if (d->fields.len == 0)
            diag_error(c, d->loc, "struct '%s' has no fields", d->name);
    }
}

static void resolve_decl(Sema *s, Decl *d)
{
    Ctx *c = s->c;
    if (d->state == 2)
        return;
    if (d->state == 1) {
        diag_error(c, d->loc, "'%s' is defined in terms of itself", d->name);
        d->type = c->t_error;
        return;
    }
    d->state = 1;
    switch (d->kind) {
    case D_CONST: {
        Type *want = d->texpr ? resolve_texpr(s, d->texpr, 0) : NULL;
        Decl *saved = s->fn;
        s->fn = NULL;
        Type *t = check_expr(s, d->init, want);
        s->fn = saved;
        if (is_err(t) || (want && is_err(want))) {
            d->type = c->t_error;
            break;
        }
        if (!d->init->is_const) {
            diag_error(c, d->init->loc, "the value of constant '%s' is not known at compile time", d->name);
            d->type = c->t_error;
            break;
        }
        if (!type_is_scalar(t)) {
            diag_error(c, d->init->loc, "constants are integers or booleans, not %s", type_name(c, t));
            d->type = c->t_error;
            break;
        }
        if (want && coerce(s, d->init, want) < 0) {
            d->type = c->t_error;
            break;
        }
        d->type = d->init->type;
        d->cval = d->init->cval;
        break;
    }
    case D_TYPE:
        d->type = resolve_texpr(s, d->texpr, 0);
        break;
    case D_ENUM: {
        Type *base = resolve_texpr(s, d->texpr, 0);
        d->type = base;
        if (is_err(base))
            break;
        if (base->kind != TY_INT) {
            diag_error(c, d->texpr->loc, "an enum's type is an integer type, not %s", type_name(c, base));
            d->type = c->t_error;
            break;
        }
        i128 next = 0;
        for (uint32_t i = 0; i < d->fields.len; i++) {
            Decl *it = d->fields.items[i];
            for (uint32_t j = 0; j < i; j++)
                if (strcmp(((Decl *)d->fields.items[j])->name, it->name) == 0)
                    diag_error(c, it->loc, "duplicate enum member '%s'", it->name);
            it->type = base;
            it->enum_decl = d;
            if (it->init) {
                Decl *saved = s->fn;
                s->fn = NULL;
                Type *t = check_expr(s, it->init, base);
                s->fn = saved;
                if (is_err(t))
                    continue;
                if (!it->init->is_const) {
                    diag_error(c, it->init->loc, "enum values must be constants");
                    continue;
                }
                if (coerce(s, it->init, base) < 0)
                    continue;
                next = it->init->cval;
            } else if (sema_wrap(next, base) != next) {
                diag_error(c, it->loc, "enum value %s does not fit in %s", i128_text(c, next), type_name(c, base));
            }
            it->cval = next;
            it->state = 2;
            next++;
        }
        break;
    }
    case D_STRUCT: resolve_struct(s, d, 0); break;
    case D_HEADER: resolve_struct(s, d, 1); break;
    case D_STATE:
        d->type = resolve_texpr(s, d->texpr, 0);
        break;
    case D_TABLE: {
        d->ktype = resolve_texpr(s, d->texpr, 0);
        d->vtype = resolve_texpr(s, d->texpr2, 0);
        i128 cap;
        if (const_int(s, d->init, "a table capacity", &cap) == 0) {
            if (cap < 1 || cap > SL_MAX_CAPACITY)
                diag_error(c, d->init->loc, "table capacity %s is out of range (1..%d)", i128_text(c, cap),
                           SL_MAX_CAPACITY);
            else
                d->capacity = (uint32_t)cap;
        }
        Type *k = d->ktype, *v = d->vtype;
        if (!is_err(k)) {
            if (d->table_lpm) {
                int ok = (k->kind == TY_INT && !k->is_signed && k->bits % 8 == 0) ||
                         (k->kind == TY_ARRAY && k->elem->kind == TY_INT && k->elem->bits == 8 && !k->elem->is_signed);
                if (!ok || k->size > 16)
                    diag_error(c, d->texpr->loc,
                               "an lpm key is an unsigned integer of whole bytes or [N]u8, at most 16 bytes; not %s",
                               type_name(c, k));
            } else if (k->size < 1 || k->size > SL_MAX_KEY) {
                diag_error(c, d->texpr->loc, "a table key is 1..%d bytes; %s is %u", SL_MAX_KEY, type_name(c, k),
                           k->size);
            }
        }
        if (!is_err(v) && v->size > SL_MAX_VALUE)
            diag_error(c, d->texpr2->loc, "a table value is at most %d bytes; %s is %u", SL_MAX_VALUE,
                       type_name(c, v), v->size);
        break;
    }
    case D_IMPORT:
    case D_PORT:
    case D_FN:
    case D_ON:
    case D_ENUM_ITEM: break;
    }
    d->state = 2;
}

/* ---- scopes -------------------------------------------------------------------------- */

static Local *local_find(Sema *s, const char *name)
{
    for (uint32_t i = s->nscope; i-- > 0;)
        if (strcmp(s->scope[i]->name, name) == 0)
            return s->scope[i];
    return NULL;
}

static Local *local_declare(Sema *s, const char *name, Loc loc, Type *t)
{
    Ctx *c = s->c;
    Local *old = local_find(s, name);
    if (old) {
        diag_error(c, loc, "'%s' is already declared in this function (shadowing is not allowed)", name);
        diag_note(c, old->loc, "'%s' is declared here", name);
    }
    Local *l = arena_alloc(&c->arena, sizeof *l);
    l->name = name;
    l->loc = loc;
    l->type = t;
    l->mutable_ = 1;
    l->vreg = -1;
    l->id = (int)s->fn->locals.len;
    vec_push(&c->arena, &s->fn->locals, l);
    if (s->nscope == s->scope_cap) {
        s->scope_cap = s->scope_cap ? s->scope_cap * 2 : 32;
        Local **n = arena_alloc(&c->arena, s->scope_cap * sizeof *n);
        if (s->nscope)
            memcpy(n, s->scope, s->nscope * sizeof *n);
        s->scope = n;
    }
    s->scope[s->nscope++] = l;
    return l;
}

static void warn_unused(Sema *s, Local *l)
{
    if (!l->used && l->name[0] != '_' && !is_err(l->type))
        diag_warning(s->c, l->loc, "unused variable '%s'", l->name);
}

static void scope_pop(Sema *s, uint32_t mark)
{
    for (uint32_t i = mark; i < s->nscope; i++)
        warn_unused(s, s->scope[i]);
    s->nscope = mark;
}

/* ---- expressions --------------------------------------------------------------------- */

static Type *err(Expr *e, Ctx *c)
{
    e->type = c->t_error;
    e->is_const = 0;
    return e->type;
}

static void absent_error(Sema *s, Expr *e, Local *l)
{
    Ctx *c = s->c;
    Type *inner = l->type->elem;
    if (inner->kind == TY_HEADER) {
        diag_error(c, e->loc, "header '%s' may be absent here", inner->name);
        diag_note(c, l->loc, "check it first: 'if let %s = p.extract(%s, %s) { ... }'", l->name, inner->name,
                  "offset");
    } else {
        diag_error(c, e->loc, "'%s' may be absent here (a table lookup can fail)", l->name);
        diag_note(c, l->loc, "check it first: 'if let %s = table.get(key) { ... }'", l->name);
    }
}

/* A packet argument: a name bound to a packet parameter. */
static int is_packet_expr(Sema *s, Expr *e)
{
    if (e->kind != E_NAME)
        return 0;
    Local *l = local_find(s, e->name);
    if (!l || l->type->kind != TY_PACKET)
        return 0;
    l->used = 1;
    e->ref = REF_LOCAL;
    e->local = l;
    e->type = s->c->t_packet;
    return 1;
}

static Type *check_name(Sema *s, Expr *e)
{
    Ctx *c = s->c;
    if (s->fn) {
        Local *l = local_find(s, e->name);
        if (l) {
            l->used = 1;
            e->ref = REF_LOCAL;
            e->local = l;
            if (l->type->kind == TY_OPT) {
                absent_error(s, e, l);
                return err(e, c);
            }
            if (l->type->kind == TY_HEADER) {
                diag_error(c, e->loc, "header binding '%s' is not a value (read its fields: '%s.field')", l->name,
                           l->name);
                return err(e, c);
            }
            if (l->type->kind == TY_PACKET) {
                diag_error(c, e->loc, "packet '%s' is not a value (use its methods: '%s.len()')", l->name, l->name);
                return err(e, c);
            }
            e->type = l->type;
            return e->type;
        }
    }
    Decl *d = global_find(c, e->name);
    if (!d) {
        if (builtin_type(c, e->name))
            diag_error(c, e->loc, "type '%s' is not a value", e->name);
        else if (builtin_fn(e->name))
            diag_error(c, e->loc, "built-in '%s' is not a value (call it)", e->name);
        else
            diag_error(c, e->loc, "unknown name '%s'", e->name);
        return err(e, c);
    }
    e->decl = d;
    switch (d->kind) {
    case D_CONST:
        resolve_decl(s, d);
        if (is_err(d->type))
            return err(e, c);
        e->ref = REF_CONST;
        e->is_const = 1;
        e->cval = d->cval;
        e->type = d->type;
        return e->type;
    case D_PORT:
        e->ref = REF_CONST;
        e->is_const = 1;
        e->cval = d->cval;
        e->type = type_int(c, 0, 32);
        return e->type;
    case D_STATE:
        if (!s->fn) {
            diag_error(c, e->loc, "state variable '%s' is not a constant", e->name);
            return err(e, c);
        }
        resolve_decl(s, d);
        if (is_err(d->type))
            return err(e, c);
        e->ref = REF_STATE;
        e->type = d->type;
        return e->type;
    case D_TABLE:
        diag_error(c, e->loc, "table '%s' is not a value (use '%s.get(key)')", e->name, e->name);
        return err(e, c);
    case D_FN:
        diag_error(c, e->loc, "function '%s' is not a value (call it)", e->name);
        return err(e, c);
    case D_TYPE:
    case D_ENUM:
    case D_STRUCT:
    case D_HEADER:
        diag_error(c, e->loc, "type '%s' is not a value", e->name);
        return err(e, c);
    case D_IMPORT:
    case D_ON:
    case D_ENUM_ITEM: break;
    }
    diag_error(c, e->loc, "unknown name '%s'", e->name);
    return err(e, c);
}

/* Folds a typed binary operation on constants; 0, or -1 on a constant division by zero. */
static int fold_binary(Sema *s, Expr *e, Type *t, i128 a, i128 b, i128 *out)
{
    int untyped = t->kind == TY_UNTYPED;
    switch ((int)e->op) {
    case OP_ADD: *out = a + b; break;
    case OP_SUB: *out = a - b; break;
    case OP_MUL:
        if (untyped && (a > ((i128)1 << 64) || a < -((i128)1 << 64) || b > ((i128)1 << 64) || b < -((i128)1 << 64))) {
            *out = (i128)1 << 100; /* out of range anyway; avoid overflow */
            break;
        }
        *out = (i128)((unsigned __int128)a * (unsigned __int128)b);
        break;
    case OP_DIV:
    case OP_MOD:
        if (b == 0) {
            diag_error(s->c, e->b->loc, "division by zero");
            return -1;
        }
        if (!untyped && !t->is_signed) {
            unsigned __int128 ua = (unsigned __int128)a, ub = (unsigned __int128)b;
            *out = (i128)(e->op == OP_DIV ? ua / ub : ua % ub);
        } else {
            *out = e->op == OP_DIV ? a / b : a % b;
        }
        break;
    case OP_AND: *out = a & b; break;
    case OP_OR: *out = a | b; break;
    case OP_XOR: *out = a ^ b; break;
    case OP_SHL:
    case OP_SHR: {
        unsigned n;
        if (untyped) {
            if (b < 0 || b > 127) {
                *out = (i128)1 << 100;
                break;
            }
            n = (unsigned)b;
        } else {
            n = (unsigned)(b & 63);
        }
        if (e->op == OP_SHL)
            *out = (i128)((unsigned __int128)a << n);
        else
            *out = a >> n; /* typed values are normalised: arithmetic for signed, logical otherwise */
        break;
    }
    default: *out = 0; break;
    }
    if (!untyped)
        *out = sema_wrap(*out, t);
    return 0;
}

static int is_cmp(Op op) { return op >= OP_EQ && op <= OP_GE; }

/* The common type of two operands (one may be untyped: it takes the other's type). */
static Type *common_type(Sema *s, Expr *e, Expr *a, Expr *b)
{
    Ctx *c = s->c;
    Type *ta = a->type, *tb = b->type;
    if (ta->kind == TY_UNTYPED && tb->kind == TY_UNTYPED)
        return ta;
    if (ta->kind == TY_UNTYPED) {
        if (tb->kind != TY_INT)
            goto mismatch;
        return coerce(s, a, tb) < 0 ? c->t_error : tb;
    }
    if (tb->kind == TY_UNTYPED) {
        if (ta->kind != TY_INT)
            goto mismatch;
        return coerce(s, b, ta) < 0 ? c->t_error : ta;
    }
    if (ta->kind == TY_BOOL && tb->kind == TY_BOOL)
        return ta;
    if (widens(ta, tb))
        return tb;
    if (widens(tb, ta))
        return ta;
mismatch:
    diag_error(c, e->loc, "mismatched types %s and %s in '%s'", type_name(c, ta), type_name(c, tb), op_text(e->op));
    return c->t_error;
}

static Type *check_binary(Sema *s, Expr *e, Type *hint)
{
    Ctx *c = s->c;
    Op op = e->op;
    if (op == OP_LAND || op == OP_LOR) {
        Type *ta = check_expr(s, e->a, c->t_bool), *tb = check_expr(s, e->b, c->t_bool);
        if (is_err(ta) || is_err(tb))
            return err(e, c);
        if (ta->kind != TY_BOOL || tb->kind != TY_BOOL) {
            diag_error(c, e->loc, "'%s' needs bool operands, found %s and %s", op_text(op), type_name(c, ta),
                       type_name(c, tb));
            return err(e, c);
        }
        e->type = c->t_bool;
        if (e->a->is_const && e->b->is_const) {
            e->is_const = 1;
            e->cval = op == OP_LAND ? (e->a->cval && e->b->cval) : (e->a->cval || e->b->cval);
        }
        return e->type;
    }
    if (op == OP_SHL || op == OP_SHR) {
        Type *ta = check_expr(s, e->a, hint), *tb = check_expr(s, e->b, NULL);
        if (is_err(ta) || is_err(tb))
            return err(e, c);
        if ((ta->kind != TY_INT && ta->kind != TY_UNTYPED) || (tb->kind != TY_INT && tb->kind != TY_UNTYPED)) {
            diag_error(c, e->loc, "mismatched types %s and %s in '%s'", type_name(c, ta), type_name(c, tb),
                       op_text(op));
            return err(e, c);
        }
        if (tb->kind == TY_UNTYPED) {
            if (e->b->cval < 0) {
                diag_error(c, e->b->loc, "negative shift count %s", i128_text(c, e->b->cval));
                return err(e, c);
            }
            if (ta->kind != TY_UNTYPED)
                default_type(s, e->b);
        }
        if (ta->kind == TY_UNTYPED && !e->b->is_const) {
            if (hint && hint->kind == TY_INT) {
                if (coerce(s, e->a, hint) < 0)
                    return err(e, c);
            } else {
                default_type(s, e->a);
            }
            ta = e->a->type;
        }
        if (tb->kind == TY_UNTYPED && ta->kind == TY_UNTYPED) {
            e->type = ta;
        } else {
            default_type(s, e->b);
            e->type = ta;
        }
        if (e->a->is_const && e->b->is_const) {
            e->is_const = 1;
            fold_binary(s, e, e->type, e->a->cval, e->b->cval, &e->cval);
            if (e->type->kind == TY_UNTYPED && untyped_in_range(s, e) < 0)
                return e->type;
        }
        return e->type;
    }
    Type *ta = check_expr(s, e->a, hint), *tb = check_expr(s, e->b, hint);
    if (is_err(ta) || is_err(tb))
        return err(e, c);
    /* An untyped operand takes its type from the typed one: check that first. */
    if (ta->kind == TY_UNTYPED && tb->kind != TY_UNTYPED)
        ta = check_expr(s, e->a, tb);
    Type *t = common_type(s, e, e->a, e->b);
    if (is_err(t))
        return err(e, c);
    if (is_cmp(op)) {
        if (t->kind == TY_BOOL && op != OP_EQ && op != OP_NE) {
            diag_error(c, e->loc, "'%s' compares integers, not bool", op_text(op));
            return err(e, c);
        }
        if (t->kind != TY_BOOL && t->kind != TY_INT && t->kind != TY_UNTYPED) {
            diag_error(c, e->loc, "'%s' compares integers or bools, not %s", op_text(op), type_name(c, t));
            return err(e, c);
        }
        e->type = c->t_bool;
        if (e->a->is_const && e->b->is_const) {
            i128 a = e->a->cval, b = e->b->cval;
            e->is_const = 1;
            switch ((int)op) {
            case OP_EQ: e->cval = a == b; break;
            case OP_NE: e->cval = a != b; break;
            case OP_LT: e->cval = a < b; break;
            case OP_LE: e->cval = a <= b; break;
            case OP_GT: e->cval = a > b; break;
            default: e->cval = a >= b; break;
            }
        }
        return e->type;
    }
    if (t->kind != TY_INT && t->kind != TY_UNTYPED) {
        diag_error(c, e->loc, "mismatched types %s and %s in '%s'", type_name(c, ta), type_name(c, tb), op_text(op));
        return err(e, c);
    }
    e->type = t;
    if ((op == OP_DIV || op == OP_MOD) && e->b->is_const && e->b->cval == 0) {
        diag_error(c, e->b->loc, "division by zero");
        return err(e, c);
    }
    if (e->a->is_const && e->b->is_const) {
        e->is_const = 1;
        if (fold_binary(s, e, t, e->a->cval, e->b->cval, &e->cval) < 0)
            return err(e, c);
        if (t->kind == TY_UNTYPED)
            untyped_in_range(s, e);
    }
    return e->type;
}

static Type *check_unary(Sema *s, Expr *e, Type *hint)
{
    Ctx *c = s->c;
    Type *t = check_expr(s, e->a, e->op == OP_NOT ? c->t_bool : hint);
    if (is_err(t))
        return err(e, c);
    if (e->op == OP_NOT) {
        if (t->kind != TY_BOOL) {
            diag_error(c, e->loc, "'!' needs a bool, found %s (for integers use '~')", type_name(c, t));
            return err(e, c);
        }
    } else if (t->kind != TY_INT && t->kind != TY_UNTYPED) {
        diag_error(c, e->loc, "'%s' needs an integer, found %s", op_text(e->op), type_name(c, t));
        return err(e, c);
    }
    e->type = t;
    if (e->a->is_const) {
        e->is_const = 1;
        i128 v = e->a->cval;
        v = e->op == OP_NOT ? !v : e->op == OP_NEG ? -v : ~v;
        e->cval = t->kind == TY_UNTYPED ? v : sema_wrap(v, t);
        if (t->kind == TY_UNTYPED)
            untyped_in_range(s, e);
    }
    return e->type;
}

static Type *check_cast(Sema *s, Expr *e)
{
    Ctx *c = s->c;
    Type *to = resolve_texpr(s, e->texpr, 0);
    Type *from = check_expr(s, e->a, NULL);
    if (is_err(to) || is_err(from))
        return err(e, c);
    if (to->kind == TY_BOOL && from->kind != TY_BOOL) {
        diag_error(c, e->loc, "cannot convert %s to bool (compare instead: 'x != 0')", type_name(c, from));
        return err(e, c);
    }
    if (to->kind != TY_INT && to->kind != TY_BOOL) {
        diag_error(c, e->loc, "'as' converts integers and bools, not to %s", type_name(c, to));
        return err(e, c);
    }
    if (from->kind != TY_INT && from->kind != TY_BOOL && from->kind != TY_UNTYPED) {
        diag_error(c, e->loc, "'as' converts integers and bools, not %s", type_name(c, from));
        return err(e, c);
    }
    e->type = to;
    if (e->a->is_const) {
        e->is_const = 1;
        e->cval = sema_wrap(e->a->cval, to);
    }
    if (from->kind == TY_UNTYPED)
        e->a->type = e->a->cval < 0 ? type_int(c, 1, 64) : type_int(c, 0, 64);
    return to;
}

static int check_argc(Sema *s, Expr *e, const char *what, uint32_t lo, uint32_t hi)
{
    if (e->args.len >= lo && e->args.len <= hi)
        return 0;
    if (lo == hi)
        diag_error(s->c, e->loc, "%s takes %u argument%s, not %u", what, lo, lo == 1 ? "" : "s", e->args.len);
    else
        diag_error(s->c, e->loc, "%s takes %u to %u arguments, not %u", what, lo, hi, e->args.len);
    return -1;
}

/* Checks argument i against type t. */
static int arg_as(Sema *s, Expr *e, uint32_t i, Type *t)
{
    Expr *a = e->args.items[i];
    Type *at = check_expr(s, a, t);
    if (is_err(at))
        return -1;
    return coerce(s, a, t);
}

/* sizeof(T) / extract(H, ..): a type given by name. */
static Type *type_arg(Sema *s, Expr *a, int allow_header)
{
    if (a->kind != E_NAME) {
        diag_error(s->c, a->loc, "expected a type name");
        return s->c->t_error;
    }
    if (s->fn && local_find(s, a->name)) {
        diag_error(s->c, a->loc, "expected a type name, found variable '%s'", a->name);
        return s->c->t_error;
    }
    TypeExpr te = {TE_NAME, a->loc, a->name, NULL, NULL};
    return resolve_texpr(s, &te, allow_header);
}

static Type *check_call(Sema *s, Expr *e)
{
    Ctx *c = s->c;
    Type *u32 = type_int(c, 0, 32), *u64 = type_int(c, 0, 64);
    Builtin b = builtin_fn(e->name);
    if (b != B_NONE) {
        e->ref = REF_BUILTIN;
        e->builtin = b;
        if (!s->fn && b != B_SIZEOF && b != B_MIN && b != B_MAX) {
            diag_error(c, e->loc, "'%s' cannot be used in a constant", e->name);
            return err(e, c);
        }
        switch ((int)b) {
        case B_SEND:
        case B_CLONE:
            if (check_argc(s, e, e->name, 1, 1) < 0 || arg_as(s, e, 0, u32) < 0)
                return err(e, c);
            return e->type = c->t_void;
        case B_DROP:
        case B_PUNT:
            if (check_argc(s, e, e->name, 0, 0) < 0)
                return err(e, c);
            return e->type = c->t_void;
        case B_TRAP: {
            if (check_argc(s, e, e->name, 1, 1) < 0)
                return err(e, c);
            Expr *a = e->args.items[0];
            Type *t = check_expr(s, a, u32);
            if (is_err(t))
                return err(e, c);
            if (!a->is_const || a->cval < 256 || a->cval > INT32_MAX) {
                diag_error(c, a->loc, "trap codes are constants from 256 to %d", INT32_MAX);
                return err(e, c);
            }
            default_type(s, a);
            return e->type = c->t_void;
        }
        case B_ASSERT:
            if (check_argc(s, e, e->name, 1, 1) < 0 || arg_as(s, e, 0, c->t_bool) < 0)
                return err(e, c);
            return e->type = c->t_void;
        case B_NOW:
        case B_RAND:
            if (check_argc(s, e, e->name, 0, 0) < 0)
                return err(e, c);
            return e->type = u64;
        case B_HASH: {
            if (check_argc(s, e, e->name, 1, 1) < 0)
                return err(e, c);
            Expr *a = e->args.items[0];
            Type *t = check_expr(s, a, NULL);
            if (is_err(t))
                return err(e, c);
            default_type(s, a);
            t = a->type;
            if (!type_is_scalar(t) && !type_is_aggregate(t)) {
                diag_error(c, a->loc, "hash takes an integer, bool, array or struct, not %s", type_name(c, t));
                return err(e, c);
            }
            if (t->size > 4096) {
                diag_error(c, a->loc, "hash takes at most 4096 bytes; %s is %u", type_name(c, t), t->size);
                return err(e, c);
            }
            return e->type = u64;
        }
        case B_MIN:
        case B_MAX: {
            if (check_argc(s, e, e->name, 2, 2) < 0)
                return err(e, c);
            Expr *a = e->args.items[0], *bb = e->args.items[1];
            Type *ta = check_expr(s, a, NULL), *tb = check_expr(s, bb, NULL);
            if (is_err(ta) || is_err(tb))
                return err(e, c);
            if (ta->kind == TY_UNTYPED && tb->kind != TY_UNTYPED)
                check_expr(s, a, tb);
            Type *t = common_type(s, e, a, bb);
            if (is_err(t))
                return err(e, c);
            if (t->kind != TY_INT && t->kind != TY_UNTYPED) {
                diag_error(c, e->loc, "%s takes integers, not %s", e->name, type_name(c, t));
                return err(e, c);
            }
            e->type = t;
            if (a->is_const && bb->is_const) {
                e->is_const = 1;
                e->cval = (b == B_MIN) == (a->cval < bb->cval) ? a->cval : bb->cval;
            }
            return t;
        }
        case B_SIZEOF: {
            if (check_argc(s, e, e->name, 1, 1) < 0)
                return err(e, c);
            Expr *a = e->args.items[0];
            Type *t;
            if (a->kind == E_NAME && !(s->fn && local_find(s, a->name)) && !global_find(c, a->name) &&
                !builtin_type(c, a->name)) {
                diag_error(c, a->loc, "unknown type '%s'", a->name);
                return err(e, c);
            }
            if (a->kind == E_NAME && !(s->fn && local_find(s, a->name)) &&
                (builtin_type(c, a->name) || (global_find(c, a->name) &&
                                               (global_find(c, a->name)->kind == D_TYPE ||
                                                global_find(c, a->name)->kind == D_ENUM ||
                                                global_find(c, a->name)->kind == D_STRUCT ||
                                                global_find(c, a->name)->kind == D_HEADER))))
                t = type_arg(s, a, 1);
            else
                t = check_expr(s, a, NULL);
            if (is_err(t))
                return err(e, c);
            e->tyarg = t;
            e->type = c->t_untyped;
            e->is_const = 1;
            e->cval = t->size;
            return e->type;
        }
        }
        return err(e, c);
    }
    if (s->fn && local_find(s, e->name)) {
        diag_error(c, e->loc, "'%s' is a variable, not a function", e->name);
        return err(e, c);
    }
    Decl *d = global_find(c, e->name);
    if (!d || d->kind != D_FN) {
        if (d)
            diag_error(c, e->loc, "'%s' is not a function", e->name);
        else
            diag_error(c, e->loc, "unknown function '%s'", e->name);
        return err(e, c);
    }
    if (!s->fn) {
        diag_error(c, e->loc, "function calls are not constants");
        return err(e, c);
    }
    e->ref = REF_FUNC;
    e->decl = d;
    vec_push(&c->arena, &s->fn->callees, d);
    if (e->args.len != d->fields.len) {
        diag_error(c, e->loc, "'%s' takes %u argument%s, not %u", d->name, d->fields.len,
                   d->fields.len == 1 ? "" : "s", e->args.len);
        diag_note(c, d->loc, "'%s' is declared here", d->name);
        for (uint32_t i = 0; i < e->args.len; i++)
            check_expr(s, e->args.items[i], NULL);
        return err(e, c);
    }
    int bad = 0;
    for (uint32_t i = 0; i < e->args.len; i++) {
        Param *p = d->fields.items[i];
        Expr *a = e->args.items[i];
        Type *pt = p->local ? p->local->type : c->t_error;
        if (pt->kind == TY_PACKET) {
            if (!is_packet_expr(s, a)) {
                diag_error(c, a->loc, "argument %u of '%s' is a packet: pass a packet parameter", i + 1, d->name);
                bad = 1;
            }
            continue;
        }
        Type *at = check_expr(s, a, pt);
        if (is_err(at) || coerce(s, a, pt) < 0)
            bad = 1;
    }
    if (bad)
        return err(e, c);
    e->type = d->type ? d->type : c->t_void;
    return e->type;
}

static Type *check_method(Sema *s, Expr *e)
{
    Ctx *c = s->c;
    Type *u8 = type_int(c, 0, 8), *u16 = type_int(c, 0, 16), *u32 = type_int(c, 0, 32), *u64 = type_int(c, 0, 64);
    Expr *r = e->a;
    if (!s->fn) {
        diag_error(c, e->loc, "method calls are not constants");
        return err(e, c);
    }
    Local *l = r->kind == E_NAME ? local_find(s, r->name) : NULL;
    Decl *tbl = r->kind == E_NAME && !l ? global_find(c, r->name) : NULL;
    const char *m = e->name;
    e->ref = REF_BUILTIN;
    if (l && l->type->kind == TY_PACKET) {
        l->used = 1;
        r->ref = REF_LOCAL;
        r->local = l;
        r->type = l->type;
        static const struct {
            const char *name;
            Builtin b;
            int width;
        } pm[] = {{"len", B_P_LEN, 0},          {"in_port", B_P_IN_PORT, 0},   {"timestamp", B_P_TIMESTAMP, 0},
                  {"u8", B_P_LOAD, 1},          {"u16", B_P_LOAD, 2},          {"u32", B_P_LOAD, 4},
                  {"u64", B_P_LOAD, 8},         {"set_u8", B_P_STORE, 1},      {"set_u16", B_P_STORE, 2},
                  {"set_u32", B_P_STORE, 4},    {"set_u64", B_P_STORE, 8},     {"extract", B_P_EXTRACT, 0},
                  {"grow_head", B_P_GROW_HEAD, 0}, {"shrink_head", B_P_SHRINK_HEAD, 0},
                  {"grow_tail", B_P_GROW_TAIL, 0}, {"shrink_tail", B_P_SHRINK_TAIL, 0},
                  {"reset", B_P_RESET, 0},      {"csum", B_P_CSUM, 0}};
        Builtin b = B_NONE;
        for (size_t i = 0; i < sizeof pm / sizeof pm[0]; i++)
            if (strcmp(m, pm[i].name) == 0) {
                b = pm[i].b;
                e->width = pm[i].width;
            }
        e->builtin = b;
        switch ((int)b) {
        case B_P_LEN:
        case B_P_IN_PORT:
            if (check_argc(s, e, m, 0, 0) < 0)
                return err(e, c);
            return e->type = u32;
        case B_P_TIMESTAMP:
            if (check_argc(s, e, m, 0, 0) < 0)
                return err(e, c);
            return e->type = u64;
        case B_P_LOAD:
            if (check_argc(s, e, m, 1, 1) < 0 || arg_as(s, e, 0, u32) < 0)
                return err(e, c);
            return e->type = type_int(c, 0, e->width * 8);
        case B_P_STORE:
            if (check_argc(s, e, m, 2, 2) < 0 || arg_as(s, e, 0, u32) < 0 ||
                arg_as(s, e, 1, type_int(c, 0, e->width * 8)) < 0)
                return err(e, c);
            return e->type = c->t_void;
        case B_P_EXTRACT: {
            if (check_argc(s, e, m, 2, 2) < 0)
                return err(e, c);
            Expr *h = e->args.items[0];
            Type *ht = type_arg(s, h, 1);
            if (is_err(ht))
                return err(e, c);
            if (ht->kind != TY_HEADER) {
                diag_error(c, h->loc, "extract takes a header type, not %s", type_name(c, ht));
                return err(e, c);
            }
            if (arg_as(s, e, 1, u32) < 0)
                return err(e, c);
            e->tyarg = ht;
            return e->type = opt_of(c, ht);
        }
        case B_P_GROW_HEAD:
        case B_P_SHRINK_HEAD:
        case B_P_GROW_TAIL:
        case B_P_SHRINK_TAIL:
        case B_P_RESET:
            if (check_argc(s, e, m, 1, 1) < 0 || arg_as(s, e, 0, u32) < 0)
                return err(e, c);
            return e->type = c->t_void;
        case B_P_CSUM:
            if (check_argc(s, e, m, 3, 3) < 0 || arg_as(s, e, 0, u64) < 0 || arg_as(s, e, 1, u32) < 0 ||
                arg_as(s, e, 2, u32) < 0)
                return err(e, c);
            return e->type = u16;
        }
        diag_error(c, e->loc, "packets have no method '%s'", m);
        return err(e, c);
    }
    if (l && l->type->kind == TY_HEADER) {
        l->used = 1;
        r->ref = REF_LOCAL;
        r->local = l;
        r->type = l->type;
        if (strcmp(m, "offset") == 0) {
            e->builtin = B_H_OFFSET;
            if (check_argc(s, e, m, 0, 0) < 0)
                return err(e, c);
            return e->type = u32;
        }
        if (strcmp(m, "size") == 0) {
            e->builtin = B_H_SIZE;
            if (check_argc(s, e, m, 0, 0) < 0)
                return err(e, c);
            e->is_const = 1;
            e->cval = l->type->size;
            return e->type = c->t_untyped;
        }
        diag_error(c, e->loc, "header bindings have no method '%s' (they have offset() and size())", m);
        return err(e, c);
    }
    if (l && l->type->kind == TY_OPT) {
        l->used = 1;
        absent_error(s, e, l);
        return err(e, c);
    }
    if (tbl && tbl->kind == D_TABLE) {
        resolve_decl(s, tbl);
        r->ref = REF_TABLE;
        r->decl = tbl;
        e->decl = tbl;
        if (is_err(tbl->ktype) || is_err(tbl->vtype)) {
            for (uint32_t i = 0; i < e->args.len; i++)
                check_expr(s, e->args.items[i], NULL);
            return err(e, c);
        }
        int lpm = tbl->table_lpm;
        if (strcmp(m, "get") == 0) {
            e->builtin = B_T_GET;
            if (check_argc(s, e, m, 1, 1) < 0 || arg_as(s, e, 0, tbl->ktype) < 0)
                return err(e, c);
            return e->type = opt_of(c, tbl->vtype);
        }
        if (strcmp(m, "put") == 0) {
            e->builtin = B_T_PUT;
            if (check_argc(s, e, lpm ? "put on an lpm table (key, prefix length, value)" : "put (key, value)",
                           lpm ? 3 : 2, lpm ? 3 : 2) < 0 ||
                arg_as(s, e, 0, tbl->ktype) < 0 || (lpm && arg_as(s, e, 1, u8) < 0) ||
                arg_as(s, e, lpm ? 2 : 1, tbl->vtype) < 0)
                return err(e, c);
            return e->type = c->t_bool;
        }
        if (strcmp(m, "del") == 0) {
            e->builtin = B_T_DEL;
            if (check_argc(s, e, lpm ? "del on an lpm table (key, prefix length)" : "del (key)", lpm ? 2 : 1,
                           lpm ? 2 : 1) < 0 ||
                arg_as(s, e, 0, tbl->ktype) < 0 || (lpm && arg_as(s, e, 1, u8) < 0))
                return err(e, c);
            return e->type = c->t_bool;
        }
        diag_error(c, e->loc, "tables have no method '%s' (they have get, put and del)", m);
        return err(e, c);
    }
    Type *rt = check_expr(s, r, NULL);
    if (!is_err(rt))
        diag_error(c, e->loc, "%s has no method '%s'", type_name(c, rt), m);
    return err(e, c);
}

static Type *check_field(Sema *s, Expr *e)
{
    Ctx *c = s->c;
    Expr *r = e->a;
    if (r->kind == E_NAME && !(s->fn && local_find(s, r->name))) {
        Decl *d = global_find(c, r->name);
        if (d && d->kind == D_ENUM) {
            resolve_decl(s, d);
            if (is_err(d->type))
                return err(e, c);
            for (uint32_t i = 0; i < d->fields.len; i++) {
                Decl *it = d->fields.items[i];
                if (strcmp(it->name, e->name) == 0) {
                    e->ref = REF_CONST;
                    e->is_const = 1;
                    e->cval = it->cval;
                    e->type = d->type;
                    return e->type;
                }
            }
            diag_error(c, e->loc, "enum '%s' has no member '%s'", d->name, e->name);
            return err(e, c);
        }
    }
    if (r->kind == E_NAME && s->fn) {
        Local *l = local_find(s, r->name);
        if (l && l->type->kind == TY_HEADER) {
            l->used = 1;
            r->ref = REF_LOCAL;
            r->local = l;
            r->type = l->type;
            const Field *f = type_field(l->type, e->name);
            if (!f) {
                diag_error(c, e->loc, "header '%s' has no field '%s'", l->type->name, e->name);
                return err(e, c);
            }
            e->field = f;
            return e->type = f->type;
        }
    }
    Type *rt = check_expr(s, r, NULL);
    if (is_err(rt))
        return err(e, c);
    if (rt->kind != TY_STRUCT) {
        diag_error(c, e->loc, "%s has no field '%s'", type_name(c, rt), e->name);
        return err(e, c);
    }
    const Field *f = type_field(rt, e->name);
    if (!f) {
        diag_error(c, e->loc, "struct '%s' has no field '%s'", rt->name, e->name);
        return err(e, c);
    }
    e->field = f;
    return e->type = f->type;
}

static Type *check_index(Sema *s, Expr *e)
{
    Ctx *c = s->c;
    Type *at = check_expr(s, e->a, NULL);
    Type *it = check_expr(s, e->b, NULL);
    if (is_err(at) || is_err(it))
        return err(e, c);
    if (at->kind != TY_ARRAY) {
        diag_error(c, e->loc, "%s is not an array", type_name(c, at));
        return err(e, c);
    }
    if (it->kind != TY_INT && it->kind != TY_UNTYPED) {
        diag_error(c, e->b->loc, "an array index is an integer, not %s", type_name(c, it));
        return err(e, c);
    }
    if (e->b->is_const && (e->b->cval < 0 || e->b->cval >= at->n)) {
        diag_error(c, e->b->loc, "index %s is out of range for %s", i128_text(c, e->b->cval), type_name(c, at));
        return err(e, c);
    }
    default_type(s, e->b);
    return e->type = at->elem;
}

static Type *check_struct_lit(Sema *s, Expr *e)
{
    Ctx *c = s->c;
    TypeExpr te = {TE_NAME, e->loc, e->name, NULL, NULL};
    Type *t = resolve_texpr(s, &te, 0);
    if (is_err(t)) {
        for (uint32_t i = 0; i < e->args.len; i++)
            check_expr(s, e->args.items[i], NULL);
        return err(e, c);
    }
    if (t->kind != TY_STRUCT) {
        diag_error(c, e->loc, "'%s' is not a struct", e->name);
        return err(e, c);
    }
    int bad = 0, all_const = 1;
    for (uint32_t i = 0; i < e->args.len; i++) {
        const char *fname = e->fnames.items[i];
        Loc floc = *(Loc *)e->floc.items[i];
        const Field *f = type_field(t, fname);
        for (uint32_t j = 0; j < i; j++)
            if (strcmp(e->fnames.items[j], fname) == 0) {
                diag_error(c, floc, "field '%s' is given twice", fname);
                bad = 1;
            }
        if (!f) {
            diag_error(c, floc, "struct '%s' has no field '%s'", t->name, fname);
            check_expr(s, e->args.items[i], NULL);
            bad = 1;
            continue;
        }
        Expr *v = e->args.items[i];
        Type *vt = check_expr(s, v, f->type);
        if (is_err(vt) || coerce(s, v, f->type) < 0)
            bad = 1;
        else if (!v->is_const && v->kind != E_STRUCT && v->kind != E_ARRAY)
            all_const = 0;
    }
    if (!bad)
        for (uint32_t i = 0; i < t->nfields; i++) {
            int found = 0;
            for (uint32_t j = 0; j < e->args.len; j++)
                found |= strcmp(e->fnames.items[j], t->fields[i].name) == 0;
            if (!found) {
                diag_error(c, e->loc, "field '%s' of '%s' is missing", t->fields[i].name, t->name);
                bad = 1;
            }
        }
    (void)all_const;
    if (bad)
        return err(e, c);
    return e->type = t;
}

static Type *check_array_lit(Sema *s, Expr *e, Type *hint)
{
    Ctx *c = s->c;
    if (e->args.len == 0) {
        diag_error(c, e->loc, "an array literal needs at least one element");
        return err(e, c);
    }
    Type *elem = hint && hint->kind == TY_ARRAY ? hint->elem : NULL;
    int bad = 0;
    for (uint32_t i = 0; i < e->args.len; i++) {
        Expr *v = e->args.items[i];
        Type *vt = check_expr(s, v, elem);
        if (is_err(vt)) {
            bad = 1;
            continue;
        }
        if (!elem) {
            if (vt->kind == TY_UNTYPED) {
                default_type(s, v);
                vt = v->type;
            }
            elem = vt;
        } else if (coerce(s, v, elem) < 0) {
            bad = 1;
        }
    }
    if (bad)
        return err(e, c);
    Type *t = arena_alloc(&c->arena, sizeof *t);
    t->kind = TY_ARRAY;
    t->elem = elem;
    t->n = e->args.len;
    t->size = elem->size * e->args.len;
    return e->type = t;
}

/* Types e; hint is the type the context wants (it guides untyped constants and array
 * literals, nothing else: the caller still coerces). */
static Type *check_expr(Sema *s, Expr *e, Type *hint)
{
    Ctx *c = s->c;
    if (c->stop)
        return err(e, c);
    switch (e->kind) {
    case E_ERROR: return err(e, c);
    case E_INT:
        e->is_const = 1;
        e->cval = (i128)e->ival;
        if (e->lit_kind == 1)
            e->type = type_int(c, 0, 48);
        else if (e->lit_kind == 2)
            e->type = type_int(c, 0, 32);
        else
            e->type = c->t_untyped;
        return e->type;
    case E_BOOL:
        e->is_const = 1;
        e->cval = (i128)e->ival;
        return e->type = c->t_bool;
    case E_NAME: return check_name(s, e);
    case E_UNARY: return check_unary(s, e, hint);
    case E_BINARY: return check_binary(s, e, hint);
    case E_CAST: return check_cast(s, e);
    case E_CALL: return check_call(s, e);
    case E_METHOD: return check_method(s, e);
    case E_FIELD: return check_field(s, e);
    case E_INDEX: return check_index(s, e);
    case E_STRUCT: return check_struct_lit(s, e);
    case E_ARRAY: return check_array_lit(s, e, hint);
    }
    return err(e, c);
}

/* ---- statements ---------------------------------------------------------------------- */

/* Does the expression statement end the handler (send, drop, punt, trap)? */
static int ends_handler(const Expr *e)
{
    return e->kind == E_CALL && e->ref == REF_BUILTIN &&
           (e->builtin == B_SEND || e->builtin == B_DROP || e->builtin == B_PUNT || e->builtin == B_TRAP);
}

static void check_block(Sema *s, Stmt *st)
{
    uint32_t mark = s->nscope;
    int completes = 1, warned = 0;
    for (uint32_t i = 0; i < st->stmts.len; i++) {
        Stmt *x = st->stmts.items[i];
        if (!completes && !warned) {
            diag_warning(s->c, x->loc, "unreachable code");
            warned = 1;
        }
        check_stmt(s, x);
        if (!x->completes)
            completes = 0;
        if (s->c->stop)
            break;
    }
    scope_pop(s, mark);
    st->completes = completes;
}

/* Is this an lvalue, and is it assignable? Reports and returns -1 otherwise. */
static int check_lvalue(Sema *s, Expr *e)
{
    Ctx *c = s->c;
    switch (e->kind) {
    case E_NAME:
        if (e->ref == REF_LOCAL) {
            if (!e->local->mutable_) {
                diag_error(c, e->loc, "cannot assign to '%s' (a loop counter)", e->name);
                return -1;
            }
            e->local->assigned = 1;
            return 0;
        }
        if (e->ref == REF_STATE)
            return 0;
        diag_error(c, e->loc, "cannot assign to '%s'", e->name);
        return -1;
    case E_FIELD:
        if (e->a->ref == REF_LOCAL && e->a->type && e->a->type->kind == TY_HEADER)
            return 0;
        if (e->ref == REF_CONST) {
            diag_error(c, e->loc, "cannot assign to a constant");
            return -1;
        }
        return check_lvalue(s, e->a);
    case E_INDEX: return check_lvalue(s, e->a);
    case E_ERROR:
    case E_INT:
    case E_BOOL:
    case E_UNARY:
    case E_BINARY:
    case E_CAST:
    case E_CALL:
    case E_METHOD:
    case E_STRUCT:
    case E_ARRAY: break;
    }
    diag_error(c, e->loc, "cannot assign to this expression");
    return -1;
}

/* The first argument of a let/if-let: an expression producing an optional. */
static Type *check_optional_init(Sema *s, Expr *init)
{
    Ctx *c = s->c;
    Type *t = check_expr(s, init, NULL);
    if (is_err(t))
        return t;
    if (t->kind != TY_OPT) {
        diag_error(c, init->loc, "'if let' and 'let ... else' take 'p.extract(H, offset)' or 't.get(key)', not %s",
                   type_name(c, t));
        return c->t_error;
    }
    return t->elem;
}

static void check_let(Sema *s, Stmt *st)
{
    Ctx *c = s->c;
    Type *t = NULL;
    if (st->is_let) { /* let x = opt else { ... } */
        Type *inner = check_optional_init(s, st->init);
        if (st->texpr) {
            Type *want = resolve_texpr(s, st->texpr, 1);
            if (!is_err(want) && !is_err(inner) && !type_equal(want, inner))
                diag_error(c, st->texpr->loc, "mismatched types: expected %s, found %s", type_name(c, want),
                           type_name(c, inner));
        }
        check_stmt(s, st->els);
        if (st->els->completes)
            diag_error(c, st->els->loc,
                       "the else block of 'let ... else' must not fall through (end it with return, drop(), "
                       "send(...), punt(), break or continue)");
        st->local = local_declare(s, st->name, st->name_loc, inner);
        st->local->mutable_ = inner->kind != TY_HEADER;
        st->completes = 1;
        return;
    }
    if (st->texpr)
        t = resolve_texpr(s, st->texpr, 0);
    if (st->init) {
        Type *it = check_expr(s, st->init, t);
        if (t) {
            if (!is_err(it))
                coerce(s, st->init, t);
        } else {
            if (!is_err(it) && it->kind == TY_UNTYPED)
                default_type(s, st->init);
            t = st->init->type;
            if (!is_err(t) && t->kind == TY_VOID) {
                diag_error(c, st->init->loc, "this expression has no value");
                t = c->t_error;
            }
        }
    }
    st->local = local_declare(s, st->name, st->name_loc, t ? t : c->t_error);
    if (t && t->kind == TY_OPT)
        st->local->mutable_ = 0;
    st->completes = 1;
}

static void check_assign(Sema *s, Stmt *st)
{
    Ctx *c = s->c;
    Type *lt = check_expr(s, st->lhs, NULL);
    if (is_err(lt)) {
        check_expr(s, st->rhs, NULL);
        return;
    }
    if (check_lvalue(s, st->lhs) < 0) {
        check_expr(s, st->rhs, NULL);
        return;
    }
    if (st->op == OP_NONE) {
        Type *rt = check_expr(s, st->rhs, lt);
        if (!is_err(rt))
            coerce(s, st->rhs, lt);
        return;
    }
    if (lt->kind != TY_INT) {
        diag_error(c, st->loc, "'%s=' needs an integer on the left, found %s", op_text(st->op), type_name(c, lt));
        check_expr(s, st->rhs, NULL);
        return;
    }
    Type *rt = check_expr(s, st->rhs, lt);
    if (is_err(rt))
        return;
    if (st->op == OP_SHL || st->op == OP_SHR) {
        if (rt->kind == TY_UNTYPED) {
            if (st->rhs->cval < 0)
                diag_error(c, st->rhs->loc, "negative shift count");
            default_type(s, st->rhs);
        } else if (rt->kind != TY_INT) {
            diag_error(c, st->rhs->loc, "a shift count is an integer, not %s", type_name(c, rt));
        }
        return;
    }
    if ((st->op == OP_DIV || st->op == OP_MOD) && st->rhs->is_const && st->rhs->cval == 0) {
        diag_error(c, st->rhs->loc, "division by zero");
        return;
    }
    coerce(s, st->rhs, lt);
}

static void push_loop(Sema *s)
{
    if (s->loops == s->loop_cap) {
        s->loop_cap = s->loop_cap ? s->loop_cap * 2 : 16;
        int *n = arena_alloc(&s->c->arena, (size_t)s->loop_cap * sizeof *n);
        if (s->loops)
            memcpy(n, s->loop_break, (size_t)s->loops * sizeof *n);
        s->loop_break = n;
    }
    s->loop_break[s->loops++] = 0;
}

static void check_stmt(Sema *s, Stmt *st)
{
    Ctx *c = s->c;
    if (c->stop) {
        st->completes = 1;
        return;
    }
    st->completes = 1;
    switch (st->kind) {
    case S_LET: check_let(s, st); return;
    case S_ASSIGN: {
        /* a plain write does not count as a use of a local */
        Local *before = NULL;
        int was_used = 0;
        if (st->lhs->kind == E_NAME && s->fn) {
            before = local_find(s, st->lhs->name);
            if (before)
                was_used = before->used;
        }
        check_assign(s, st);
        if (before && !was_used)
            before->used = 0;
        return;
    }
    case S_EXPR: {
        Type *t = check_expr(s, st->init, NULL);
        if (!is_err(t) && st->init->kind != E_CALL && st->init->kind != E_METHOD)
            diag_warning(c, st->init->loc, "expression result unused");
        st->completes = !ends_handler(st->init);
        return;
    }
    case S_IF: {
        uint32_t mark = s->nscope;
        if (st->is_let) {
            Type *inner = check_optional_init(s, st->init);
            st->local = local_declare(s, st->name, st->name_loc, inner);
            st->local->mutable_ = inner->kind != TY_HEADER;
        } else {
            Type *t = check_expr(s, st->cond, c->t_bool);
            if (!is_err(t) && t->kind != TY_BOOL)
                diag_error(c, st->cond->loc, "a condition is a bool, not %s (compare it: 'x != 0')",
                           type_name(c, t));
        }
        check_stmt(s, st->then);
        scope_pop(s, mark);
        int then_c = st->then->completes, else_c = 1;
        if (st->els) {
            check_stmt(s, st->els);
            else_c = st->els->completes;
        }
        if (!st->is_let && st->cond->is_const && st->cond->type && st->cond->type->kind == TY_BOOL)
            st->completes = st->cond->cval ? then_c : else_c;
        else
            st->completes = then_c || else_c;
        return;
    }
    case S_WHILE: {
        Type *t = check_expr(s, st->cond, c->t_bool);
        if (!is_err(t) && t->kind != TY_BOOL)
            diag_error(c, st->cond->loc, "a condition is a bool, not %s", type_name(c, t));
        push_loop(s);
        check_stmt(s, st->body);
        int brk = s->loop_break[--s->loops];
        st->completes = !(st->cond->is_const && st->cond->cval) || brk;
        return;
    }
    case S_FOR: {
        Type *lo = check_expr(s, st->init, NULL), *hi = check_expr(s, st->hi, NULL);
        Type *t = c->t_error;
        if (!is_err(lo) && !is_err(hi)) {
            if (lo->kind == TY_UNTYPED && hi->kind != TY_UNTYPED)
                check_expr(s, st->init, hi);
            Expr fake = {0};
            fake.op = OP_NONE;
            fake.loc = st->loc;
            fake.op = OP_ADD;
            t = common_type(s, &fake, st->init, st->hi);
            if (!is_err(t) && t->kind == TY_UNTYPED) {
                default_type(s, st->init);
                default_type(s, st->hi);
                if (st->init->type != st->hi->type) {
                    st->init->type = type_int(c, 1, 64);
                    st->hi->type = st->init->type;
                }
                t = st->init->type;
            }
            if (!is_err(t) && t->kind != TY_INT) {
                diag_error(c, st->init->loc, "a for range is over integers, not %s", type_name(c, t));
                t = c->t_error;
            }
        }
        uint32_t mark = s->nscope;
        st->local = local_declare(s, st->name, st->name_loc, t);
        st->local->mutable_ = 0;
        push_loop(s);
        check_stmt(s, st->body);
        s->loops--;
        scope_pop(s, mark);
        st->completes = 1;
        return;
    }
    case S_BREAK:
    case S_CONTINUE:
        if (!s->loops)
            diag_error(c, st->loc, "'%s' outside a loop", st->kind == S_BREAK ? "break" : "continue");
        else if (st->kind == S_BREAK)
            s->loop_break[s->loops - 1] = 1;
        st->completes = 0;
        return;
    case S_RETURN:
        st->completes = 0;
        if (st->init) {
            Type *t = check_expr(s, st->init, s->ret);
            if (is_err(t))
                return;
            if (s->ret->kind == TY_VOID) {
                diag_error(c, st->init->loc, "'%s' returns no value", s->fn->name);
                return;
            }
            coerce(s, st->init, s->ret);
        } else if (s->ret->kind != TY_VOID) {
            diag_error(c, st->loc, "'%s' returns %s: 'return' needs a value", s->fn->name, type_name(c, s->ret));
        }
        return;
    case S_BLOCK: check_block(s, st); return;
    }
}

/* ---- functions and the call graph ---------------------------------------------------- */

static void check_signature(Sema *s, Decl *d)
{
    Ctx *c = s->c;
    s->fn = d;
    d->type = d->texpr ? resolve_texpr(s, d->texpr, 0) : c->t_void;
    if (!is_err(d->type) && d->type->kind != TY_VOID && !type_is_scalar(d->type)) {
        diag_error(c, d->texpr->loc, "functions return an integer or bool, not %s", type_name(c, d->type));
        d->type = c->t_error;
    }
    int scalars = 0, packets = 0;
    for (uint32_t i = 0; i < d->fields.len; i++) {
        Decl *pd = d->fields.items[i];
        Type *t = resolve_texpr(s, pd->texpr, 1);
        if (!is_err(t) && t->kind == TY_HEADER) {
            diag_error(c, pd->texpr->loc, "header '%s' cannot be a parameter (pass its offset instead)", t->name);
            t = c->t_error;
        }
        if (!is_err(t) && type_is_aggregate(t)) {
            diag_error(c, pd->texpr->loc, "%s cannot be a parameter: functions take integers, bools and packets",
                       type_name(c, t));
            t = c->t_error;
        }
        if (t->kind == TY_PACKET)
            packets++;
        else
            scalars++;
        if (d->kind == D_ON) {
            if (t->kind == TY_PACKET ? packets > 1 : (d->handler != SL_HANDLER_PACKET || scalars > 1 ||
                                                      (!is_err(t) && !widens(type_int(c, 0, 32), t)))) {
                diag_error(c, pd->loc, "'on %s' takes %s", d->name,
                           d->handler == SL_HANDLER_PACKET ? "(p: packet, port: u32), both optional"
                                                           : "(p: packet), optional");
                t = c->t_error;
            }
        }
        Param *p = arena_alloc(&c->arena, sizeof *p);
        p->name = pd->name;
        p->loc = pd->loc;
        p->texpr = pd->texpr;
        d->fields.items[i] = p;
        /* declared for real when the body is checked; keep the type */
        Local *l = arena_alloc(&c->arena, sizeof *l);
        l->name = pd->name;
        l->loc = pd->loc;
        l->type = t;
        l->is_param = 1;
        l->mutable_ = 1;
        p->local = l;
    }
    if (scalars > SL_MAX_ARGS)
        diag_error(c, d->loc, "'%s' has %d integer parameters; the limit is %d", d->name, scalars, SL_MAX_ARGS);
    d->nscalar = scalars;
    s->fn = NULL;
}

static void check_body(Sema *s, Decl *d)
{
    Ctx *c = s->c;
    s->fn = d;
    s->ret = d->kind == D_FN && d->type ? d->type : c->t_void;
    s->nscope = 0;
    s->loops = 0;
    for (uint32_t i = 0; i < d->fields.len; i++) {
        Param *p = d->fields.items[i];
        Local *tmpl = p->local;
        Local *l = local_declare(s, p->name, p->loc, tmpl->type);
        l->is_param = 1;
        p->local = l;
    }
    check_block(s, d->body);
    scope_pop(s, 0);
    if (d->kind == D_FN && d->body->completes && !is_err(s->ret) && s->ret->kind != TY_VOID && !c->stop)
        diag_error(c, d->loc, "missing return at the end of '%s' (it returns %s)", d->name, type_name(c, s->ret));
    s->fn = NULL;
}

/* Depth-first walk: cycles are errors; depth = frames from here down. */
static int walk_calls(Sema *s, Decl *d, Decl **path, int n)
{
    Ctx *c = s->c;
    if (d->visit == 2)
        return d->depth;
    if (d->visit == 1) {
        Buf b = {0};
        int start = n - 1;
        while (start > 0 && path[start] != d)
            start--;
        for (int i = start; i < n; i++)
            buf_printf(&b, "%s -> ", path[i]->name);
        buf_printf(&b, "%s", d->name);
        diag_error(c, d->loc, "recursive call: %s", b.p);
        free(b.p);
        return -1;
    }
    d->visit = 1;
    path[n] = d;
    int depth = 1;
    for (uint32_t i = 0; i < d->callees.len; i++) {
        Decl *callee = d->callees.items[i];
        callee->reachable = 1;
        int cd = walk_calls(s, callee, path, n + 1);
        if (cd < 0) {
            d->visit = 2;
            d->depth = -1;
            return -1;
        }
        if (cd + 1 > depth)
            depth = cd + 1;
    }
    d->visit = 2;
    d->depth = depth;
    return depth;
}

static void check_call_graph(Sema *s)
{
    Ctx *c = s->c;
    Decl **path = calloc(c->funcs.len + c->handlers.len + 2, sizeof *path);
    if (!path)
        return;
    for (uint32_t i = 0; i < c->handlers.len; i++) {
        Decl *h = c->handlers.items[i];
        int depth = walk_calls(s, h, path, 0);
        if (depth > SL_MAX_CALL_DEPTH)
            diag_error(c, h->loc, "calls from 'on %s' nest %d deep; the limit is %d frames, the handler's included",
                       h->name, depth, SL_MAX_CALL_DEPTH);
    }
    for (uint32_t i = 0; i < c->funcs.len; i++) {
        Decl *f = c->funcs.items[i];
        int depth = walk_calls(s, f, path, 0);
        if (depth > SL_MAX_CALL_DEPTH)
            diag_error(c, f->loc, "calls from '%s' nest %d deep; the limit is %d frames", f->name, depth,
                       SL_MAX_CALL_DEPTH);
    }
    free(path);
}

/* ---- state initialisers -------------------------------------------------------------- */

/* Writes a constant value of type t at out (little-endian integers). -1 when not constant. */
static int const_bytes(Sema *s, Expr *e, Type *t, uint8_t *out)
{
    if (type_is_scalar(t)) {
        if (!e->is_const)
            return -1;
        uint64_t v = (uint64_t)e->cval;
        for (uint32_t i = 0; i < t->size; i++)
            out[i] = (uint8_t)(v >> (8 * i));
        return 0;
    }
    if (t->kind == TY_ARRAY && e->kind == E_ARRAY) {
        for (uint32_t i = 0; i < e->args.len && i < t->n; i++)
            if (const_bytes(s, e->args.items[i], t->elem, out + (size_t)i * t->elem->size) < 0)
                return -1;
        return 0;
    }
    if (t->kind == TY_STRUCT && e->kind == E_STRUCT) {
        for (uint32_t i = 0; i < e->args.len; i++) {
            const Field *f = type_field(t, e->fnames.items[i]);
            if (!f || const_bytes(s, e->args.items[i], f->type, out + f->off) < 0)
                return -1;
        }
        return 0;
    }
    return -1;
}

static void layout_state(Sema *s)
{
    Ctx *c = s->c;
    uint64_t addr = 0;
    for (uint32_t i = 0; i < c->states.len; i++) {
        Decl *d = c->states.items[i];
        resolve_decl(s, d);
        if (is_err(d->type))
            continue;
        d->addr = (uint32_t)addr;
        addr += d->type->size;
        if (addr > SL_MAX_STATE) {
            diag_error(c, d->loc, "state variables need more than %d bytes", SL_MAX_STATE);
            return;
        }
    }
    c->state_size = (uint32_t)addr;
    c->state_init = arena_alloc(&c->arena, addr + 1);
    for (uint32_t i = 0; i < c->states.len; i++) {
        Decl *d = c->states.items[i];
        if (!d->init || is_err(d->type))
            continue;
        s->fn = NULL;
        Type *t = check_expr(s, d->init, d->type);
        if (is_err(t) || coerce(s, d->init, d->type) < 0)
            continue;
        if (const_bytes(s, d->init, d->type, c->state_init + d->addr) < 0) {
            diag_error(c, d->init->loc, "the initial value of state '%s' must be a constant", d->name);
            continue;
        }
        if (d->addr + d->type->size > c->state_init_len)
            c->state_init_len = d->addr + d->type->size;
    }
}

/* ---- entry ----------------------------------------------------------------------------- */

int sema_check(Ctx *c)
{
    Sema s = {0};
    s.c = c;
    uint32_t n = c->decls.len;
    c->gtab_cap = 64;
    while (c->gtab_cap < n * 2)
        c->gtab_cap *= 2;
    c->gtab = arena_alloc(&c->arena, c->gtab_cap * sizeof *c->gtab);
    for (uint32_t i = 0; i < n; i++) {
        Decl *d = c->decls.items[i];
        if (d->kind == D_IMPORT || d->kind == D_ON)
            continue;
        Decl *old = global_find(c, d->name);
        if (old) {
            diag_error(c, d->loc, "'%s' is already declared", d->name);
            diag_note(c, old->loc, "'%s' is first declared here", d->name);
            continue;
        }
        if (builtin_type(c, d->name) || strcmp(d->name, "packet") == 0) {
            diag_error(c, d->loc, "'%s' is a built-in type name", d->name);
            continue;
        }
        if (builtin_fn(d->name)) {
            diag_error(c, d->loc, "'%s' is a built-in function", d->name);
            continue;
        }
        global_add(c, d);
        switch ((int)d->kind) {
        case D_PORT:
            d->cval = c->ports.len;
            d->index = c->ports.len;
            if (strlen(d->name) > SL_MAX_PORT_NAME)
                diag_error(c, d->loc, "port names are at most %d characters", SL_MAX_PORT_NAME);
            vec_push(&c->arena, &c->ports, d);
            break;
        case D_TABLE:
            d->index = c->tables.len;
            vec_push(&c->arena, &c->tables, d);
            break;
        case D_STATE: vec_push(&c->arena, &c->states, d); break;
        case D_FN: vec_push(&c->arena, &c->funcs, d); break;
        }
    }
    if (c->ports.len > SL_MAX_PORTS)
        diag_error(c, ((Decl *)c->ports.items[SL_MAX_PORTS])->loc, "more than %d ports", SL_MAX_PORTS);
    if (c->tables.len > SL_MAX_TABLES)
        diag_error(c, ((Decl *)c->tables.items[SL_MAX_TABLES])->loc, "more than %d tables", SL_MAX_TABLES);
    int have_init = 0, have_packet = 0;
    for (uint32_t i = 0; i < n && !c->stop; i++) {
        Decl *d = c->decls.items[i];
        if (d->kind == D_ON) {
            vec_push(&c->arena, &c->handlers, d);
            if (d->handler == SL_HANDLER_INIT && have_init++)
                diag_error(c, d->loc, "a program has at most one 'on init' handler");
            if (d->handler == SL_HANDLER_PACKET && have_packet++)
                diag_error(c, d->loc, "a program has at most one 'on packet' handler");
            if (d->handler == SL_HANDLER_TIMER) {
                i128 p;
                if (const_int(&s, d->init, "a timer period", &p) == 0) {
                    if (p < 1 || p > UINT32_MAX)
                        diag_error(c, d->init->loc, "a timer period is 1..%u ms", UINT32_MAX);
                    else
                        d->period = (uint64_t)p;
                }
            }
        }
        if (d->kind != D_IMPORT && d->kind != D_FN && d->kind != D_ON && d->kind != D_PORT)
            resolve_decl(&s, d);
    }
    if (c->handlers.len > SL_MAX_HANDLERS)
        diag_error(c, ((Decl *)c->handlers.items[SL_MAX_HANDLERS])->loc, "more than %d handlers", SL_MAX_HANDLERS);
    if (c->funcs.len + c->handlers.len > SL_MAX_FUNCS)
        diag_error(c, c->funcs.len ? ((Decl *)c->funcs.items[0])->loc : ((Decl *)c->handlers.items[0])->loc,
                   "more than %d functions", SL_MAX_FUNCS);
    layout_state(&s);
    for (uint32_t i = 0; i < n && !c->stop; i++) {
        Decl *d = c->decls.items[i];
        if (d->kind == D_FN || d->kind == D_ON)
            check_signature(&s, d);
    }
    for (uint32_t i = 0; i < n && !c->stop; i++) {
        Decl *d = c->decls.items[i];
        if (d->kind == D_FN || d->kind == D_ON)
            check_body(&s, d);
    }
    if (!c->stop && !c->errors)
        check_call_graph(&s);
    return c->errors ? -1 : 0;
}
