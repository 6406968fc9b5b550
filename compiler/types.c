/* Types: integers are interned per (signedness, width) so that type identity is pointer
 * identity for scalars; arrays are structural (compare with type_equal in sema). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"

Type *type_int(Ctx *c, int is_signed, int bits)
{
    Type **slot = &c->t_int[is_signed ? 1 : 0][bits];
    if (!*slot) {
        Type *t = arena_alloc(&c->arena, sizeof *t);
        t->kind = TY_INT;
        t->bits = bits;
        t->is_signed = is_signed;
        t->size = (uint32_t)(bits + 7) / 8;
        *slot = t;
    }
    return *slot;
}

int type_is_scalar(const Type *t)
{
    return t->kind == TY_INT || t->kind == TY_BOOL || t->kind == TY_UNTYPED;
}

int type_is_aggregate(const Type *t) { return t->kind == TY_ARRAY || t->kind == TY_STRUCT; }

const char *type_name(Ctx *c, const Type *t)
{
    char buf[64];
    switch (t->kind) {
    case TY_ERROR: return "<error>";
    case TY_VOID: return "void";
    case TY_BOOL: return "bool";
    case TY_UNTYPED: return "integer constant";
    case TY_PACKET: return "packet";
    case TY_INT:
        snprintf(buf, sizeof buf, "%c%d", t->is_signed ? 'i' : 'u', t->bits);
        return arena_strndup(&c->arena, buf, strlen(buf));
    case TY_STRUCT:
    case TY_HEADER: return t->name;
    case TY_ARRAY: {
        const char *e = type_name(c, t->elem);
        Buf b = {0};
        buf_printf(&b, "[%u]%s", t->n, e);
        char *s = arena_strndup(&c->arena, b.p, b.len);
        free(b.p);
        return s;
    }
    case TY_OPT: {
        const char *e = type_name(c, t->elem);
        size_t n = strlen(e);
        char *s = arena_alloc(&c->arena, n + 2);
        memcpy(s, e, n);
        s[n] = '?';
        return s;
    }
    }
    return "?";
}

const Field *type_field(const Type *t, const char *name)
{
    for (uint32_t i = 0; i < t->nfields; i++)
        if (strcmp(t->fields[i].name, name) == 0)
            return &t->fields[i];
    return NULL;
}
