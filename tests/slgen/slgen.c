/* slgen: random well-typed Sluice programs, for testing the compiler against the verifier (and,
 * later, engines against each other). Deterministic: the same seed gives the same program on
 * every host (SplitMix64, no libc randomness).
 *
 *   slgen [--seed N]              print one program (default seed 1)
 *   slgen --check FIRST COUNT [-v] [--fail-dir D]
 *                                 generate programs FIRST..FIRST+COUNT-1, compile each in
 *                                 process, verify and load it, run init and 12 packets on two
 *                                 VMs (unlimited fuel, and slices of 5 instructions) and compare
 *                                 them; a compile error, verifier rejection, run error,
 *                                 MEM_BOUNDS fault or difference is a failure (the program is
 *                                 saved as D/slgen-fail-SEED.sl, D = . by default); run it from
 *                                 the repository root (imports come from ./stdlib)
 *   slgen --check-file FILE [--seed S]
 *                                 the same checks on FILE (a reduced failure); the seed picks
 *                                 the packets, and -g when odd
 *   slgen --lines N [--seed S]    one program of exactly N lines (compile-time benchmark)
 *   slgen --junk N [--seed S]     N bytes of random junk (diagnostics tests)
 *   slgen --long-line N           a program on one line of about N bytes, an error at its end
 *   slgen --deep N                N nested parentheses and N nested blocks
 *
 * What a program has (each part chosen by the seed): 2..4 ports; 1..3 headers of random bit
 * field widths (1..64, total a multiple of 8) and sometimes the stdlib's ethernet/ipv4/udp;
 * constants, an enum, structs; state scalars, arrays, arrays of structs; hash and lpm tables;
 * up to 8 functions whose calls form an acyclic graph (function i calls only j > i), with 0..5
 * scalar parameters, an optional packet parameter and an optional result; an init handler that
 * fills tables, a packet handler and sometimes a timer. Statements: let, assignments and every
 * compound operator, if/else, bounded while and for loops with break/continue, checked extracts
 * (if-let and let-else) with header field reads and writes, table get/put/del, packet reads,
 * writes and resizes, csum, clone, and a verdict at the end of blocks. Expressions mix every
 * operator, widening, casts (truncating, sign-changing, bool to int), min/max/hash, calls, array
 * and struct accesses; divisions by run-time zero, out-of-range indexes and packet accesses past
 * the end are generated on purpose: they must fault, never be rejected.
 *
 * The generator never produces: a constant expression that does not fit its type, a constant
 * zero divisor, a shadowed name, recursion, an unchecked optional. Warnings (unused variables)
 * are allowed. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "slc.h"
#include "vm.h"

/* ---- random numbers and text ------------------------------------------------------------- */

typedef struct Rng {
    uint64_t s;
} Rng;

static uint64_t rnd(Rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint32_t below(Rng *r, uint32_t n) /* 0..n-1, n > 0 */
{
    return (uint32_t)(rnd(r) % n);
}

static bool chance(Rng *r, uint32_t percent)
{
    return below(r, 100) < percent;
}

typedef struct Text {
    char *p;
    size_t len, cap;
    uint32_t lines;
} Text;

static void put(Text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(Text *t, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = t->cap - t->len;
        int n = vsnprintf(t->p ? t->p + t->len : NULL, t->p ? room : 0, fmt, ap);
        va_end(ap);
        if (n < 0)
            abort();
        if ((size_t)n < room) {
            for (int i = 0; i < n; i++)
                t->lines += t->p[t->len + (size_t)i] == '\n';
            t->len += (size_t)n;
            return;
        }
        size_t cap = t->cap ? t->cap * 2 : 4096;
        while (cap < t->len + (size_t)n + 1)
            cap *= 2;
        t->p = realloc(t->p, cap);
        if (!t->p) {
            perror("slgen");
            exit(2);
        }
        t->cap = cap;
    }
}

/* ---- the program model ------------------------------------------------------------------- */

enum { MAX_TYPES = 12, MAX_FIELDS = 16, MAX_HEADERS = 6, MAX_STRUCTS = 3, MAX_STATES = 16,
       MAX_TABLES = 4, MAX_FUNCS = 9, MAX_VARS = 96, MAX_CONSTS = 6 };

/* A scalar type: width 1..64, signed or not; width 0 = bool. */
typedef struct Ty {
    uint8_t bits;
    bool sign;
} Ty;

static const Ty T_BOOL = {0, false};

static bool ty_eq(Ty a, Ty b)
{
    return a.bits == b.bits && a.sign == b.sign;
}

/* a widens implicitly to b (or is b) */
static bool widens(Ty a, Ty b)
{
    if (ty_eq(a, b))
        return true;
    if (!a.bits || !b.bits)
        return false;
    if (a.sign == b.sign)
        return b.bits > a.bits;
    return !a.sign && b.sign && b.bits > a.bits;
}

static void put_ty(Text *t, Ty ty)
{
    if (!ty.bits)
        put(t, "bool");
    else
        put(t, "%c%u", ty.sign ? 'i' : 'u', ty.bits);
}

typedef struct Field {
    char name[16];
    Ty ty;
} Field;

typedef struct Header {
    char name[24];
    uint32_t nfields, size;
    Field f[MAX_FIELDS];
} Header;

typedef struct Struct {
    char name[16];
    uint32_t nfields;
    Field f[MAX_FIELDS];
} Struct;

typedef enum VarKind { V_SCALAR, V_ARRAY, V_STRUCT_ARRAY, V_HEADER, V_STRUCT } VarKind;

typedef struct Var {
    char name[24];
    VarKind kind;
    Ty ty;          /* scalar or element type */
    uint32_t n;     /* array length */
    int sub;        /* header or struct index */
    bool mut;       /* assignable (loop variables are not) */
} Var;

typedef struct Table {
    char name[16];
    bool lpm;
    Ty key;
    int vstruct;    /* value: struct index, or -1 for the scalar vty */
    Ty vty;
} Table;

typedef struct Func {
    char name[16];
    uint32_t nparams;
    Ty params[5];
    bool has_pkt;
    bool has_ret;
    Ty ret;
} Func;

typedef struct Gen {
    Rng r;
    Text *out;
    uint32_t nports;
    bool std_net;   /* imports std/ether, std/ipv4, std/udp */
    uint32_t nheaders, nstructs, ntables, nfuncs, nconsts;
    Header hdr[MAX_HEADERS];
    Struct st[MAX_STRUCTS];
    Table tab[MAX_TABLES];
    Func fn[MAX_FUNCS];
    Var consts[MAX_CONSTS];
    /* variables in scope: globals first (states), then locals as a stack */
    Var vars[MAX_VARS];
    uint32_t nvars, nglobals;
    uint32_t uniq;  /* fresh local names */
    int cur_fn;     /* function being generated, -1 for handlers */
    bool has_pkt;   /* a packet `p` is in scope */
    bool in_init;
    bool ret_void;  /* the current function or handler returns nothing */
    Ty ret;
    uint32_t loop_depth, block_depth;
    uint32_t budget; /* statements left in this function (keeps sizes bounded) */
    bool widen;     /* the next gen_expr may give a narrower type that widens to the one asked */
} Gen;

static const Ty common_types[] = {
    {8, false}, {16, false}, {32, false}, {64, false}, {8, true},  {16, true}, {32, true},
    {64, true}, {1, false},  {4, false},  {13, false}, {48, false}, {5, true}, {24, false},
};

static Ty rand_ty(Gen *g)
{
    if (chance(&g->r, 70))
        return common_types[below(&g->r, 8)];
    if (chance(&g->r, 70))
        return common_types[below(&g->r, sizeof common_types / sizeof common_types[0])];
    Ty t = {(uint8_t)(1 + below(&g->r, 64)), chance(&g->r, 40)};
    if (t.sign && t.bits < 2)
        t.bits = 2;
    return t;
}

static Ty rand_ty_or_bool(Gen *g)
{
    return chance(&g->r, 12) ? T_BOOL : rand_ty(g);
}

static uint64_t mask_of(uint32_t bits)
{
    return bits >= 64 ? ~0ull : (1ull << bits) - 1;
}

/* ---- expressions ------------------------------------------------------------------------- */

static void gen_expr(Gen *g, Ty ty, uint32_t depth, bool *is_const);
static void gen_value(Gen *g, Ty ty, uint32_t depth, bool *is_const);

/* A literal of type ty (fits it): decimal, hex, binary, separators, MAC and IPv4 forms. */
static void gen_literal(Gen *g, Ty ty, bool nonzero)
{
    Text *t = g->out;
    if (!ty.bits) {
        put(t, chance(&g->r, 50) ? "true" : "false");
        return;
    }
    uint64_t v;
    switch (below(&g->r, 4)) {
    case 0: v = below(&g->r, 10); break;
    case 1: v = rnd(&g->r) & 0xff; break;
    default: v = rnd(&g->r); break;
    }
    bool neg = false;
    if (ty.sign) {
        uint64_t maxpos = mask_of(ty.bits - 1u);
        neg = chance(&g->r, 40);
        v &= maxpos;
        if (neg && chance(&g->r, 10))
            v = maxpos + 1; /* MIN */
    } else {
        v &= mask_of(ty.bits);
    }
    if (nonzero && v == 0)
        v = 1;
    if (neg) {
        put(t, "-%" PRIu64, v);
        return;
    }
    if (ty.bits == 48 && !ty.sign && chance(&g->r, 30)) {
        put(t, "%02x:%02x:%02x:%02x:%02x:%02x", (unsigned)(v >> 40 & 255), (unsigned)(v >> 32 & 255),
            (unsigned)(v >> 24 & 255), (unsigned)(v >> 16 & 255), (unsigned)(v >> 8 & 255),
            (unsigned)(v & 255));
        return;
    }
    if (ty.bits == 32 && !ty.sign && chance(&g->r, 30)) {
        put(t, "%u.%u.%u.%u", (unsigned)(v >> 24 & 255), (unsigned)(v >> 16 & 255),
            (unsigned)(v >> 8 & 255), (unsigned)(v & 255));
        return;
    }
    switch (below(&g->r, 5)) {
    case 0: put(t, "0x%" PRIx64, v); break;
    case 1:
        if (v < 256) {
            put(t, "0b");
            int top = 63;
            while (top > 0 && !(v >> top & 1))
                top--;
            for (int b = top; b >= 0; b--)
                put(t, "%c", (char)('0' + (v >> b & 1)));
            break;
        }
        /* fall through */
    case 2:
        if (v >= 1000) {
            char d[32];
            snprintf(d, sizeof d, "%" PRIu64, v);
            size_t n = strlen(d);
            for (size_t i = 0; i < n; i++) {
                put(t, "%c", d[i]);
                if (i + 1 < n && (n - 1 - i) % 3 == 0)
                    put(t, "_");
            }
            break;
        }
        /* fall through */
    default: put(t, "%" PRIu64, v); break;
    }
}

/* Variables in scope of a given scalar type (kind V_SCALAR) or element type. */
static int pick_var(Gen *g, Ty ty, VarKind kind, bool need_mut)
{
    int cand[MAX_VARS], n = 0;
    for (uint32_t i = 0; i < g->nvars; i++) {
        Var *v = &g->vars[i];
        if (v->kind != kind || (need_mut && !v->mut))
            continue;
        if (kind == V_SCALAR || kind == V_ARRAY) {
            if (!ty_eq(v->ty, ty))
                continue;
        }
        cand[n++] = (int)i;
    }
    return n ? cand[below(&g->r, (uint32_t)n)] : -1;
}

static int pick_any_scalar(Gen *g)
{
    int cand[MAX_VARS], n = 0;
    for (uint32_t i = 0; i < g->nvars; i++)
        if (g->vars[i].kind == V_SCALAR)
            cand[n++] = (int)i;
    return n ? cand[below(&g->r, (uint32_t)n)] : -1;
}

/* An index expression for an array of n elements: mostly in range, sometimes not. */
static void gen_index(Gen *g, uint32_t n, uint32_t depth)
{
    bool c;
    if (chance(&g->r, 30)) {
        put(g->out, "%u", below(&g->r, n));
        return;
    }
    Ty it = chance(&g->r, 60) ? (Ty){32, false} : (Ty){8, false};
    put(g->out, "(");
    gen_expr(g, it, depth + 1, &c);
    if (chance(&g->r, 92) || c)
        put(g->out, " %% %u", n);
    put(g->out, ")");
}

/* A packet offset: small constant or a small computed value. */
static void gen_offset(Gen *g, uint32_t depth)
{
    if (chance(&g->r, 65)) {
        put(g->out, "%u", below(&g->r, 64));
        return;
    }
    bool c;
    put(g->out, "(");
    gen_expr(g, (Ty){8, false}, depth + 1, &c);
    put(g->out, " %% 80)");
}

/* A non-constant leaf of exactly type ty. */
static void gen_leaf(Gen *g, Ty ty, uint32_t depth)
{
    Text *t = g->out;
    for (int tries = 0; tries < 4; tries++) {
        switch (below(&g->r, 9)) {
        case 0:
        case 1:
        case 2: {
            int v = pick_var(g, ty, V_SCALAR, false);
            if (v >= 0) {
                put(t, "%s", g->vars[v].name);
                return;
            }
            break;
        }
        case 3: {
            int v = pick_var(g, ty, V_ARRAY, false);
            if (v >= 0) {
                put(t, "%s[", g->vars[v].name);
                gen_index(g, g->vars[v].n, depth);
                put(t, "]");
                return;
            }
            break;
        }
        case 4: { /* struct field, array of structs or a struct local */
            for (uint32_t i = 0; i < g->nvars; i++) {
                Var *v = &g->vars[(i + below(&g->r, g->nvars)) % g->nvars];
                if (v->kind != V_STRUCT_ARRAY && v->kind != V_STRUCT)
                    continue;
                Struct *s = &g->st[v->sub];
                for (uint32_t f = 0; f < s->nfields; f++)
                    if (ty_eq(s->f[f].ty, ty)) {
                        put(t, "%s", v->name);
                        if (v->kind == V_STRUCT_ARRAY) {
                            put(t, "[");
                            gen_index(g, v->n, depth);
                            put(t, "]");
                        }
                        put(t, ".%s", s->f[f].name);
                        return;
                    }
            }
            break;
        }
        case 5: /* header field of a bound header */
            for (uint32_t i = 0; i < g->nvars; i++) {
                Var *v = &g->vars[(i + below(&g->r, g->nvars)) % g->nvars];
                if (v->kind != V_HEADER)
                    continue;
                Header *h = &g->hdr[v->sub];
                uint32_t f = below(&g->r, h->nfields);
                if (ty_eq(h->f[f].ty, ty)) {
                    put(t, "%s.%s", v->name, h->f[f].name);
                    return;
                }
                if (!ty.sign && ty.bits == 32 && chance(&g->r, 30)) {
                    put(t, "%s.offset()", v->name);
                    return;
                }
            }
            break;
        case 6: /* packet reads and metadata */
            if (g->has_pkt && ty.bits) {
                static const char *rd[] = {"u8", "u16", "u32", "u64"};
                static const uint8_t rb[] = {8, 16, 32, 64};
                uint32_t k = below(&g->r, 7);
                if (k < 4) {
                    put(t, "(p.%s(", rd[k]);
                    gen_offset(g, depth);
                    put(t, ")");
                    if (!(rb[k] == ty.bits && !ty.sign)) {
                        put(t, " as ");
                        put_ty(t, ty);
                    }
                    put(t, ")");
                } else if (k == 4) {
                    put(t, "(p.len() as ");
                    put_ty(t, ty);
                    put(t, ")");
                } else if (k == 5) {
                    put(t, "(p.csum(");
                    bool c;
                    gen_expr(g, (Ty){16, false}, depth + 1, &c);
                    put(t, ", ");
                    gen_offset(g, depth);
                    put(t, ", %u) as ", below(&g->r, 24));
                    put_ty(t, ty);
                    put(t, ")");
                } else {
                    put(t, "(p.in_port() as ");
                    put_ty(t, ty);
                    put(t, ")");
                }
                return;
            }
            break;
        case 7: /* a call of a later function with a result */
            if (g->cur_fn + 1 < (int)g->nfuncs && depth < 3) {
                int cand[MAX_FUNCS], n = 0;
                for (uint32_t j = (uint32_t)(g->cur_fn + 1); j < g->nfuncs; j++)
                    if (g->fn[j].has_ret && (!g->fn[j].has_pkt || g->has_pkt))
                        cand[n++] = (int)j;
                if (n) {
                    Func *f = &g->fn[cand[below(&g->r, (uint32_t)n)]];
                    bool cast = !ty_eq(f->ret, ty);
                    if (cast && !ty.bits && f->ret.bits) {
                        /* int result to bool: compare it */
                        put(t, "(%s(", f->name);
                    } else {
                        put(t, cast ? "(%s(" : "%s(", f->name);
                    }
                    bool first = true;
                    if (f->has_pkt) {
                        put(t, "p");
                        first = false;
                    }
                    for (uint32_t a = 0; a < f->nparams; a++) {
                        bool c;
                        put(t, first ? "" : ", ");
                        first = false;
                        gen_value(g, f->params[a], depth + 1, &c);
                    }
                    put(t, ")");
                    if (cast && !ty.bits && f->ret.bits)
                        put(t, " != 0)");
                    else if (cast && !ty.bits)
                        put(t, ")");
                    else if (cast) {
                        put(t, " as ");
                        put_ty(t, ty);
                        put(t, ")");
                    }
                    return;
                }
            }
            break;
        default: /* a cast of any scalar in scope */
            if (ty.bits) {
                int v = pick_any_scalar(g);
                if (v >= 0) {
                    put(t, "(%s as ", g->vars[v].name);
                    put_ty(t, ty);
                    put(t, ")");
                    return;
                }
            }
            break;
        }
    }
    /* Fallback: state scalars always exist: s0 is u64, s1 i32, s2 u8, s3 bool. */
    if (!ty.bits) {
        put(t, "(s2 > 7)");
    } else {
        put(t, "(s0 as ");
        put_ty(t, ty);
        put(t, ")");
    }
}

static Ty narrower_or_same(Gen *g, Ty ty)
{
    /* a type that widens to ty */
    if (!ty.bits || ty.bits < 2 || chance(&g->r, 60))
        return ty;
    Ty n = {(uint8_t)(1 + below(&g->r, ty.bits - 1u)), ty.sign};
    if (ty.sign && chance(&g->r, 50))
        n.sign = false; /* unsigned narrower widens to signed */
    if (n.sign && n.bits < 2)
        n.bits = 2;
    if (!widens(n, ty))
        return ty;
    return n;
}

/* An expression of exactly type ty (see gen_value); *is_const says whether it is a constant
 * expression (then it is a literal of ty, so it always fits). */
static void gen_expr(Gen *g, Ty ty, uint32_t depth, bool *is_const)
{
    Text *t = g->out;
    bool widen = g->widen;
    g->widen = false;
    *is_const = false;
    uint32_t k = depth >= 4 ? below(&g->r, 3) : below(&g->r, 16);
    bool c1, c2;
    if (!ty.bits) { /* bool */
        switch (k % 8) {
        case 0:
            gen_literal(g, ty, false);
            *is_const = true;
            return;
        case 1:
        case 2:
            gen_leaf(g, ty, depth);
            return;
        case 3:
        case 4: {
            static const char *cmp[] = {"==", "!=", "<", "<=", ">", ">="};
            Ty ot = rand_ty(g);
            put(t, "(");
            gen_expr(g, ot, depth + 1, &c1);
            put(t, " %s ", cmp[below(&g->r, 6)]);
            /* a constant left takes the right's type: it must be ot */
            Ty rt = c1 ? ot : narrower_or_same(g, ot);
            if (c1)
                gen_leaf(g, rt, depth + 1);
            else
                gen_expr(g, rt, depth + 1, &c2);
            put(t, ")");
            return;
        }
        case 5:
            put(t, "!");
            gen_expr(g, ty, depth + 1, &c1);
            return;
        default:
            put(t, "(");
            gen_expr(g, ty, depth + 1, &c1);
            put(t, chance(&g->r, 50) ? " && " : " || ");
            gen_expr(g, ty, depth + 1, &c2);
            put(t, ")");
            return;
        }
    }
    switch (k) {
    case 0:
        gen_literal(g, ty, false);
        *is_const = true;
        return;
    case 1:
    case 2:
    case 3:
        gen_leaf(g, ty, depth);
        return;
    case 4:
    case 5:
    case 6:
    case 7: { /* arithmetic and bitwise: left of ty, right of ty or narrower, not both constant */
        static const char *ops[] = {"+", "-", "*", "&", "|", "^", "/", "%"};
        uint32_t op = below(&g->r, 8);
        put(t, "(");
        gen_expr(g, ty, depth + 1, &c1);
        put(t, " %s ", ops[op]);
        Ty rt = c1 ? ty : narrower_or_same(g, ty);
        if (op >= 6) { /* divisor: a run-time value or a non-zero literal (not both constant) */
            if (!c1 && chance(&g->r, 30))
                gen_literal(g, rt, true);
            else
                gen_leaf(g, rt, depth + 1);
        } else if (c1) {
            gen_leaf(g, rt, depth + 1);
        } else {
            gen_expr(g, rt, depth + 1, &c2);
        }
        put(t, ")");
        return;
    }
    case 8:
    case 9: { /* shifts: result of the left's type, any count */
        put(t, "(");
        gen_leaf(g, ty, depth + 1);
        put(t, chance(&g->r, 50) ? " << " : " >> ");
        if (chance(&g->r, 60))
            put(t, "%u", below(&g->r, 70));
        else
            gen_expr(g, chance(&g->r, 50) ? (Ty){8, false} : (Ty){32, false}, depth + 1, &c2);
        put(t, ")");
        return;
    }
    case 10: /* unary */
        if (ty.sign) {
            put(t, "-");
            gen_leaf(g, ty, depth + 1);
        } else {
            put(t, "~");
            gen_leaf(g, ty, depth + 1);
        }
        return;
    case 11: { /* cast from another type, including bool */
        Ty from = rand_ty_or_bool(g);
        put(t, "((");
        gen_expr(g, from, depth + 1, &c1);
        if (c1 && from.bits) { /* a bare literal has no type of its own: give it one */
            put(t, " + (s2 as ");
            put_ty(t, from);
            put(t, ")");
        }
        put(t, ") as ");
        put_ty(t, ty);
        put(t, ")");
        return;
    }
    case 12: /* implicit widening of a narrower value, where the context fixes the type */
    {
        Ty n = widen ? narrower_or_same(g, ty) : ty;
        gen_leaf(g, n, depth + 1);
        return;
    }
    case 13: { /* min / max */
        put(t, chance(&g->r, 50) ? "min(" : "max(");
        gen_leaf(g, ty, depth + 1);
        put(t, ", ");
        gen_expr(g, ty, depth + 1, &c2);
        put(t, ")");
        return;
    }
    case 14: { /* hash of a scalar or an aggregate, truncated */
        put(t, "(hash(");
        int v = -1;
        for (uint32_t i = 0; i < g->nvars && v < 0; i++) {
            Var *x = &g->vars[(i + below(&g->r, g->nvars)) % g->nvars];
            if (x->kind == V_ARRAY || x->kind == V_STRUCT || x->kind == V_SCALAR)
                v = (int)(x - g->vars);
        }
        if (v >= 0)
            put(t, "%s", g->vars[v].name);
        else
            put(t, "s0");
        put(t, ") as ");
        put_ty(t, ty);
        put(t, ")");
        return;
    }
    default:
        if (g->has_pkt && chance(&g->r, 50)) {
            put(t, "(rand() as ");
            put_ty(t, ty);
            put(t, ")");
        } else {
            put(t, "(now() as ");
            put_ty(t, ty);
            put(t, ")");
        }
        return;
    }
}

/* An expression for a context with a fixed type (initialiser, argument, assignment, return):
 * it may also be of a narrower type that widens implicitly. */
static void gen_value(Gen *g, Ty ty, uint32_t depth, bool *is_const)
{
    g->widen = true;
    gen_expr(g, ty, depth, is_const);
}

/* ---- statements -------------------------------------------------------------------------- */

static void indent(Gen *g)
{
    for (uint32_t i = 0; i < g->block_depth; i++)
        put(g->out, "    ");
}

static void gen_block(Gen *g, uint32_t nstmts, bool allow_verdict);

static Var *push_var(Gen *g, const char *prefix, VarKind kind, Ty ty)
{
    if (g->nvars == MAX_VARS)
        return NULL;
    Var *v = &g->vars[g->nvars++];
    memset(v, 0, sizeof *v);
    snprintf(v->name, sizeof v->name, "%s%u", prefix, g->uniq++);
    v->kind = kind;
    v->ty = ty;
    v->mut = true;
    return v;
}

/* Something assignable of a scalar type, printed; returns its type. */
static bool gen_lvalue(Gen *g, Ty *ty)
{
    Text *t = g->out;
    for (int tries = 0; tries < 6; tries++) {
        uint32_t k = below(&g->r, 5);
        Var *v = &g->vars[below(&g->r, g->nvars)];
        if (!v->mut)
            continue;
        if (k <= 1 && v->kind == V_SCALAR) {
            put(t, "%s", v->name);
            *ty = v->ty;
            return true;
        }
        if (k == 2 && v->kind == V_ARRAY) {
            put(t, "%s[", v->name);
            gen_index(g, v->n, 2);
            put(t, "]");
            *ty = v->ty;
            return true;
        }
        if (k == 3 && (v->kind == V_STRUCT_ARRAY || v->kind == V_STRUCT)) {
            Struct *s = &g->st[v->sub];
            Field *f = &s->f[below(&g->r, s->nfields)];
            put(t, "%s", v->name);
            if (v->kind == V_STRUCT_ARRAY) {
                put(t, "[");
                gen_index(g, v->n, 2);
                put(t, "]");
            }
            put(t, ".%s", f->name);
            *ty = f->ty;
            return true;
        }
        if (k == 4 && v->kind == V_HEADER) {
            Header *h = &g->hdr[v->sub];
            Field *f = &h->f[below(&g->r, h->nfields)];
            put(t, "%s.%s", v->name, f->name);
            *ty = f->ty;
            return true;
        }
    }
    return false;
}

static void gen_table_key(Gen *g, Table *tb)
{
    bool c;
    gen_value(g, tb->key, 2, &c);
}

static void gen_table_value(Gen *g, Table *tb)
{
    bool c;
    Text *t = g->out;
    if (tb->vstruct < 0) {
        gen_value(g, tb->vty, 2, &c);
        return;
    }
    Struct *s = &g->st[tb->vstruct];
    put(t, "%s { ", s->name);
    for (uint32_t f = 0; f < s->nfields; f++) {
        put(t, "%s%s: ", f ? ", " : "", s->f[f].name);
        gen_value(g, s->f[f].ty, 3, &c);
    }
    put(t, " }");
}

/* A verdict statement (ends the handler). */
static void gen_verdict(Gen *g)
{
    indent(g);
    uint32_t k = below(&g->r, 10);
    if (k < 5)
        put(g->out, "send(%s);\n", k < 3 ? "p0" : "p1");
    else if (k < 6) {
        bool c;
        put(g->out, "send(");
        gen_expr(g, (Ty){32, false}, 3, &c); /* may be a port not declared: BAD_PORT */
        put(g->out, " %% %u);\n", g->nports + 1);
    } else if (k < 8)
        put(g->out, "drop();\n");
    else
        put(g->out, "punt();\n");
}

/* Ends a block that may not complete (let-else's else). */
static void gen_exit(Gen *g)
{
    indent(g);
    if (g->loop_depth && chance(&g->r, 30)) {
        put(g->out, chance(&g->r, 50) ? "break;\n" : "continue;\n");
        return;
    }
    if (g->has_pkt && chance(&g->r, 40)) {
        put(g->out, chance(&g->r, 50) ? "drop();\n" : "punt();\n");
        return;
    }
    if (g->ret_void) {
        put(g->out, "return;\n");
    } else {
        bool c;
        put(g->out, "return ");
        gen_value(g, g->ret, 2, &c);
        put(g->out, ";\n");
    }
}

static void gen_stmt(Gen *g)
{
    Text *t = g->out;
    bool c;
    uint32_t saved = g->nvars;
    if (g->budget)
        g->budget--;
    bool nest = g->block_depth < 5 && g->budget > 0;
    uint32_t k = below(&g->r, 24);
    switch (k) {
    case 0:
    case 1:
    case 2: { /* let */
        Ty ty = rand_ty_or_bool(g);
        indent(g);
        char name[24];
        snprintf(name, sizeof name, "l%u", g->uniq);
        uint32_t form = below(&g->r, 4);
        if (form == 0 && ty.bits) {
            put(t, "let %s: ", name);
            put_ty(t, ty);
            put(t, ";\n");
        } else if (form == 1 && ty.bits && ty.bits != 64) {
            /* untyped initialiser with no context is u64 / i64: give the type */
            put(t, "let %s: ", name);
            put_ty(t, ty);
            put(t, " = ");
            gen_value(g, ty, 0, &c);
            put(t, ";\n");
        } else {
            put(t, "let %s: ", name);
            put_ty(t, ty);
            put(t, " = ");
            gen_value(g, ty, 0, &c);
            put(t, ";\n");
        }
        Var *v = push_var(g, "l", V_SCALAR, ty);
        if (v)
            snprintf(v->name, sizeof v->name, "%s", name);
        return; /* stays in scope */
    }
    case 3: { /* local array or struct */
        indent(g);
        if (g->nstructs && chance(&g->r, 40)) {
            int si = (int)below(&g->r, g->nstructs);
            Struct *st = &g->st[si];
            put(t, "let ls%u: %s", g->uniq, st->name);
            if (chance(&g->r, 40)) { /* a struct literal, fields in a shuffled order */
                uint32_t start = below(&g->r, st->nfields);
                put(t, " = %s { ", st->name);
                for (uint32_t j = 0; j < st->nfields; j++) {
                    Field *f = &st->f[(start + j) % st->nfields];
                    put(t, "%s%s: ", j ? ", " : "", f->name);
                    gen_value(g, f->ty, 2, &c);
                }
                put(t, " }");
            }
            put(t, ";\n");
            Var *v = push_var(g, "ls", V_STRUCT, T_BOOL);
            if (v)
                v->sub = si;
        } else {
            Ty ty = rand_ty(g);
            uint32_t n = 1 + below(&g->r, 6);
            put(t, "let la%u: [%u]", g->uniq, n);
            put_ty(t, ty);
            if (chance(&g->r, 40)) { /* an array literal */
                put(t, " = [");
                for (uint32_t j = 0; j < n; j++) {
                    put(t, j ? ", " : "");
                    gen_value(g, ty, 2, &c);
                }
                put(t, "]");
            }
            put(t, ";\n");
            Var *v = push_var(g, "la", V_ARRAY, ty);
            if (v)
                v->n = n;
        }
        return;
    }
    case 4:
    case 5:
    case 6:
    case 7: { /* assignment, plain or compound */
        Ty ty;
        indent(g);
        if (!gen_lvalue(g, &ty)) {
            put(t, "s0 += 1;\n");
            return;
        }
        if (!ty.bits) {
            put(t, " = ");
            gen_value(g, ty, 0, &c);
        } else {
            static const char *ops[] = {"=", "=", "=", "+=", "-=", "*=", "/=", "%=", "&=", "|=",
                                        "^=", "<<=", ">>="};
            uint32_t op = below(&g->r, 13);
            put(t, " %s ", ops[op]);
            if (op == 6 || op == 7) {
                if (chance(&g->r, 40))
                    gen_literal(g, ty, true);
                else
                    gen_leaf(g, ty, 1);
            } else if (op >= 11) {
                put(t, "%u", below(&g->r, 66));
            } else {
                gen_value(g, narrower_or_same(g, ty), 0, &c);
            }
        }
        put(t, ";\n");
        return;
    }
    case 8:
    case 9: /* if / else if / else */
        if (!nest)
            break;
        indent(g);
        put(t, "if ");
        gen_expr(g, T_BOOL, 1, &c);
        put(t, " ");
        gen_block(g, 1 + below(&g->r, 3), true);
        if (chance(&g->r, 30)) {
            put(t, " else if ");
            gen_expr(g, T_BOOL, 1, &c);
            put(t, " ");
            gen_block(g, 1 + below(&g->r, 2), true);
        }
        if (chance(&g->r, 50)) {
            put(t, " else ");
            gen_block(g, 1 + below(&g->r, 3), true);
        }
        put(t, "\n");
        return;
    case 10: { /* bounded while */
        if (!nest || g->loop_depth >= 3)
            break;
        uint32_t id = g->uniq++;
        indent(g);
        put(t, "let w%u: u32 = 0;\n", id);
        indent(g);
        put(t, "while w%u < %u {\n", id, 1 + below(&g->r, 6));
        g->block_depth++;
        indent(g);
        put(t, "w%u += 1;\n", id);
        g->loop_depth++;
        uint32_t inner = g->nvars;
        uint32_t n = 1 + below(&g->r, 3);
        for (uint32_t i = 0; i < n; i++)
            gen_stmt(g);
        if (chance(&g->r, 20)) {
            indent(g);
            put(t, "if ");
            gen_expr(g, T_BOOL, 2, &c);
            put(t, " { %s; }\n", chance(&g->r, 50) ? "break" : "continue");
        }
        g->nvars = inner;
        g->loop_depth--;
        g->block_depth--;
        indent(g);
        put(t, "}\n");
        /* w<id> stays in scope (a local of the enclosing block) */
        Var *v = push_var(g, "w", V_SCALAR, (Ty){32, false});
        if (v) {
            snprintf(v->name, sizeof v->name, "w%u", id);
            v->mut = false; /* keep it simple: never assigned again */
        }
        g->uniq++;
        return;
    }
    case 11: { /* for */
        if (!nest || g->loop_depth >= 3)
            break;
        Ty it = chance(&g->r, 50) ? (Ty){32, false} : (Ty){8, false};
        uint32_t lo = below(&g->r, 3), hi = lo + below(&g->r, 6);
        indent(g);
        char name[24];
        snprintf(name, sizeof name, "i%u", g->uniq);
        put(t, "for %s in %u..", name, lo);
        if (chance(&g->r, 50)) {
            put(t, "(%u as ", hi);
            put_ty(t, it);
            put(t, ")");
        } else {
            int v = pick_var(g, it, V_SCALAR, false);
            if (v >= 0)
                put(t, "min(%s, %u)", g->vars[v].name, hi);
            else {
                put(t, "(%u as ", hi);
                put_ty(t, it);
                put(t, ")");
            }
        }
        put(t, " ");
        Var *v = push_var(g, "i", V_SCALAR, it);
        if (v)
            v->mut = false, snprintf(v->name, sizeof v->name, "%s", name);
        g->loop_depth++;
        gen_block(g, 1 + below(&g->r, 3), true);
        g->loop_depth--;
        put(t, "\n");
        g->nvars = saved;
        return;
    }
    case 12:
    case 13: { /* extract */
        if (!g->has_pkt || !g->nheaders || !nest)
            break;
        int hi = (int)below(&g->r, g->nheaders);
        indent(g);
        char name[24];
        snprintf(name, sizeof name, "h%u", g->uniq);
        bool iflet = chance(&g->r, 60);
        if (iflet) {
            put(t, "if let %s = p.extract(%s, ", name, g->hdr[hi].name);
            gen_offset(g, 1);
            put(t, ") ");
            Var *v = push_var(g, "h", V_HEADER, T_BOOL);
            if (v)
                v->sub = hi, v->mut = true, snprintf(v->name, sizeof v->name, "%s", name);
            gen_block(g, 1 + below(&g->r, 4), true);
            g->nvars = saved;
            if (chance(&g->r, 40)) {
                put(t, " else ");
                gen_block(g, 1 + below(&g->r, 2), true);
            }
            put(t, "\n");
            return;
        }
        put(t, "let %s = p.extract(%s, ", name, g->hdr[hi].name);
        gen_offset(g, 1);
        put(t, ") else {\n");
        g->block_depth++;
        if (chance(&g->r, 30))
            gen_stmt(g);
        g->nvars = saved;
        gen_exit(g);
        g->block_depth--;
        indent(g);
        put(t, "};\n");
        Var *v = push_var(g, "h", V_HEADER, T_BOOL);
        if (v)
            v->sub = hi, snprintf(v->name, sizeof v->name, "%s", name);
        return;
    }
    case 14:
    case 15: { /* tables */
        if (!g->ntables)
            break;
        Table *tb = &g->tab[below(&g->r, g->ntables)];
        uint32_t op = below(&g->r, 4);
        indent(g);
        if (op == 0 && nest) {
            char name[24];
            snprintf(name, sizeof name, "v%u", g->uniq);
            put(t, "if let %s = %s.get(", name, tb->name);
            gen_table_key(g, tb);
            put(t, ") ");
            Var *v = push_var(g, "v", tb->vstruct < 0 ? V_SCALAR : V_STRUCT, tb->vty);
            if (v && tb->vstruct >= 0)
                v->sub = tb->vstruct;
            if (v)
                snprintf(v->name, sizeof v->name, "%s", name);
            gen_block(g, 1 + below(&g->r, 3), true);
            g->nvars = saved;
            put(t, "\n");
            return;
        }
        if (op <= 1) {
            put(t, "%s.put(", tb->name);
            gen_table_key(g, tb);
            if (tb->lpm)
                put(t, ", %u", below(&g->r, 36)); /* > 32: BAD_PREFIX */
            put(t, ", ");
            gen_table_value(g, tb);
            put(t, ");\n");
            return;
        }
        if (op == 2) {
            put(t, "%s.del(", tb->name);
            gen_table_key(g, tb);
            if (tb->lpm)
                put(t, ", %u", below(&g->r, 33));
            put(t, ");\n");
            return;
        }
        /* a result used */
        int v = pick_var(g, T_BOOL, V_SCALAR, true);
        put(t, "%s = %s.%s(", v >= 0 ? g->vars[v].name : "s3", tb->name, op == 3 && v >= 0 ? "del" : "put");
        gen_table_key(g, tb);
        if (v >= 0) {
            if (tb->lpm)
                put(t, ", %u", below(&g->r, 33));
        } else {
            if (tb->lpm)
                put(t, ", %u", below(&g->r, 33));
            put(t, ", ");
            gen_table_value(g, tb);
        }
        put(t, ");\n");
        return;
    }
    case 16:
    case 17: { /* packet writes and resizes */
        if (!g->has_pkt)
            break;
        indent(g);
        uint32_t op = below(&g->r, 12);
        if (op < 8) {
            static const char *w[] = {"set_u8", "set_u16", "set_u32", "set_u64"};
            static const uint8_t wb[] = {8, 16, 32, 64};
            uint32_t i = op % 4;
            put(t, "p.%s(", w[i]);
            gen_offset(g, 1);
            put(t, ", ");
            gen_value(g, (Ty){wb[i], false}, 1, &c);
            put(t, ");\n");
        } else if (op == 8) {
            put(t, "p.%s(%u);\n", chance(&g->r, 50) ? "grow_head" : "grow_tail", below(&g->r, 40));
        } else if (op == 9) {
            put(t, "p.%s(%u);\n", chance(&g->r, 50) ? "shrink_head" : "shrink_tail", below(&g->r, 20));
        } else if (op == 10) {
            put(t, "p.reset(%u);\n", below(&g->r, 100));
        } else {
            put(t, "clone(");
            if (chance(&g->r, 85))
                put(t, "p%u", below(&g->r, g->nports));
            else {
                gen_expr(g, (Ty){32, false}, 2, &c);
                put(t, " %% %u", g->nports + 1);
            }
            put(t, ");\n");
        }
        return;
    }
    case 18: { /* call as a statement */
        if (g->cur_fn + 1 >= (int)g->nfuncs && g->cur_fn != -1)
            break;
        int cand[MAX_FUNCS], n = 0;
        for (uint32_t j = (uint32_t)(g->cur_fn + 1); j < g->nfuncs; j++)
            if (!g->fn[j].has_pkt || g->has_pkt)
                cand[n++] = (int)j;
        if (!n)
            break;
        Func *f = &g->fn[cand[below(&g->r, (uint32_t)n)]];
        indent(g);
        put(t, "%s(", f->name);
        bool first = true;
        if (f->has_pkt) {
            put(t, "p");
            first = false;
        }
        for (uint32_t a = 0; a < f->nparams; a++) {
            put(t, first ? "" : ", ");
            first = false;
            gen_value(g, f->params[a], 1, &c);
        }
        put(t, ");\n");
        return;
    }
    case 19: /* assert or trap behind a condition */
        indent(g);
        if (chance(&g->r, 50)) {
            put(t, "assert(");
            gen_expr(g, T_BOOL, 2, &c);
            put(t, " || true);\n");
        } else {
            put(t, "if ");
            gen_expr(g, T_BOOL, 2, &c);
            put(t, " && (s2 == 0xfe) { trap(%u); }\n", 256 + below(&g->r, 1000));
        }
        return;
    case 20: /* nested plain block */
        if (!nest)
            break;
        indent(g);
        gen_block(g, 1 + below(&g->r, 2), false);
        put(t, "\n");
        return;
    default:
        break;
    }
    /* default: a state update */
    indent(g);
    put(t, "s0 += ");
    gen_value(g, (Ty){64, false}, 1, &c);
    put(t, ";\n");
}

/* { stmts } with locals popped at the end; a verdict may end it. */
static void gen_block(Gen *g, uint32_t nstmts, bool allow_verdict)
{
    uint32_t saved = g->nvars;
    put(g->out, "{\n");
    g->block_depth++;
    for (uint32_t i = 0; i < nstmts; i++)
        gen_stmt(g);
    if (allow_verdict && g->has_pkt && !g->in_init && chance(&g->r, 12))
        gen_verdict(g);
    else if (allow_verdict && g->loop_depth && chance(&g->r, 8))
        gen_exit(g);
    g->block_depth--;
    g->nvars = saved;
    indent(g);
    put(g->out, "}");
}

/* ---- declarations ------------------------------------------------------------------------ */

static void gen_header(Gen *g, Header *h, uint32_t idx)
{
    snprintf(h->name, sizeof h->name, "H%u", idx);
    uint32_t bits = 0;
    h->nfields = 0;
    uint32_t want = 1 + below(&g->r, MAX_FIELDS - 2);
    while (h->nfields < want) {
        uint32_t w;
        switch (below(&g->r, 4)) {
        case 0: w = 8u << below(&g->r, 4); break;
        case 1: w = 1 + below(&g->r, 16); break;
        default: w = 1 + below(&g->r, 64); break;
        }
        Field *f = &h->f[h->nfields];
        snprintf(f->name, sizeof f->name, "f%u", h->nfields);
        f->ty = (Ty){(uint8_t)w, false};
        h->nfields++;
        bits += w;
    }
    if (bits % 8) {
        Field *f = &h->f[h->nfields];
        snprintf(f->name, sizeof f->name, "f%u", h->nfields);
        f->ty = (Ty){(uint8_t)(8 - bits % 8), false};
        h->nfields++;
        bits += 8 - bits % 8;
    }
    h->size = bits / 8;
    put(g->out, "header %s {\n", h->name);
    for (uint32_t i = 0; i < h->nfields; i++) {
        put(g->out, "    %s: ", h->f[i].name);
        put_ty(g->out, h->f[i].ty);
        put(g->out, ";\n");
    }
    put(g->out, "}\n\n");
}

static void add_std_header(Gen *g, const char *name, const char *const *fields, const uint8_t *bits,
                           uint32_t n)
{
    Header *h = &g->hdr[g->nheaders++];
    snprintf(h->name, sizeof h->name, "%s", name);
    h->nfields = n;
    uint32_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        snprintf(h->f[i].name, sizeof h->f[i].name, "%s", fields[i]);
        h->f[i].ty = (Ty){bits[i], false};
        total += bits[i];
    }
    h->size = total / 8;
}

static void gen_struct(Gen *g, Struct *s, uint32_t idx)
{
    snprintf(s->name, sizeof s->name, "S%u", idx);
    s->nfields = 1 + below(&g->r, 4);
    put(g->out, "struct %s {", s->name);
    for (uint32_t i = 0; i < s->nfields; i++) {
        snprintf(s->f[i].name, sizeof s->f[i].name, "m%u", i);
        s->f[i].ty = rand_ty_or_bool(g);
        put(g->out, "%s %s: ", i ? "," : "", s->f[i].name);
        put_ty(g->out, s->f[i].ty);
    }
    put(g->out, "%s }\n", chance(&g->r, 30) ? "," : "");
}

static void declare_state(Gen *g, const char *name, VarKind kind, Ty ty, uint32_t n, int sub)
{
    Var *v = &g->vars[g->nvars++];
    memset(v, 0, sizeof *v);
    snprintf(v->name, sizeof v->name, "%s", name);
    v->kind = kind;
    v->ty = ty;
    v->n = n;
    v->sub = sub;
    v->mut = true;
}

static void gen_func_body(Gen *g, uint32_t nstmts)
{
    uint32_t saved = g->nvars;
    g->block_depth = 1;
    g->loop_depth = 0;
    g->budget = nstmts * 3;
    for (uint32_t i = 0; i < nstmts; i++)
        gen_stmt(g);
    if (!g->ret_void) {
        bool c;
        put(g->out, "    return ");
        gen_value(g, g->ret, 0, &c);
        put(g->out, ";\n");
    } else if (g->has_pkt && !g->in_init && g->cur_fn == -1 && chance(&g->r, 60)) {
        gen_verdict(g);
    }
    g->nvars = saved;
    g->block_depth = 0;
}

/* Generates a whole program. stmt_scale multiplies body sizes (the big-program mode). */
static void gen_program(uint64_t seed, Text *out, uint32_t nfuncs_min, uint32_t stmt_scale)
{
    Gen *g = calloc(1, sizeof *g);
    if (!g)
        abort();
    g->r.s = seed * 0x2545f4914f6cdd1dull + 1;
    g->out = out;
    Text *t = out;
    put(t, "// slgen seed %" PRIu64 "\n", seed);
    g->std_net = chance(&g->r, 35);
    if (g->std_net) {
        put(t, "import \"std/ether\";\nimport \"std/ipv4\";\nimport \"std/udp\";\n\n");
        static const char *ef[] = {"dst", "src", "ethertype"};
        static const uint8_t eb[] = {48, 48, 16};
        add_std_header(g, "ethernet", ef, eb, 3);
        static const char *ipf[] = {"version", "ihl", "dscp", "ecn", "total_len", "id", "flags",
                                    "frag_off", "ttl", "protocol", "checksum", "src", "dst"};
        static const uint8_t ipb[] = {4, 4, 6, 2, 16, 16, 3, 13, 8, 8, 16, 32, 32};
        add_std_header(g, "ipv4", ipf, ipb, 13);
        static const char *uf[] = {"sport", "dport", "len", "checksum"};
        static const uint8_t ub[] = {16, 16, 16, 16};
        add_std_header(g, "udp", uf, ub, 4);
    }
    g->nports = 2 + below(&g->r, 3);
    put(t, "port");
    for (uint32_t i = 0; i < g->nports; i++)
        put(t, "%s p%u", i ? "," : "", i);
    put(t, ";\n\n");

    uint32_t nh = 1 + below(&g->r, 3);
    for (uint32_t i = 0; i < nh; i++)
        gen_header(g, &g->hdr[g->nheaders++], i);

    g->nstructs = below(&g->r, MAX_STRUCTS + 1);
    for (uint32_t i = 0; i < g->nstructs; i++)
        gen_struct(g, &g->st[i], i);
    put(t, "\n");

    /* constants: typed and untyped, used as expressions through the variable table */
    put(t, "const K0 = %u;\nconst K1: u16 = 0x%x;\nconst K2 = (1 << 12) - 1;\n", below(&g->r, 200),
        below(&g->r, 65536));
    put(t, "enum E0: u8 { A = %u, B, C = 200 }\n\n", below(&g->r, 100));

    /* state: the fallback scalars s0..s3 first (gen_leaf relies on them) */
    put(t, "state s0: u64;\nstate s1: i32 = -5;\nstate s2: u8 = 7;\nstate s3: bool;\n");
    declare_state(g, "s0", V_SCALAR, (Ty){64, false}, 0, 0);
    declare_state(g, "s1", V_SCALAR, (Ty){32, true}, 0, 0);
    declare_state(g, "s2", V_SCALAR, (Ty){8, false}, 0, 0);
    declare_state(g, "s3", V_SCALAR, T_BOOL, 0, 0);
    uint32_t ns = 2 + below(&g->r, 6);
    for (uint32_t i = 0; i < ns; i++) {
        char name[16];
        snprintf(name, sizeof name, "s%u", 4 + i);
        uint32_t k = below(&g->r, 3);
        if (k == 0) {
            Ty ty = rand_ty_or_bool(g);
            put(t, "state %s: ", name);
            put_ty(t, ty);
            if (chance(&g->r, 40)) {
                put(t, " = ");
                gen_literal(g, ty, false);
            }
            put(t, ";\n");
            declare_state(g, name, V_SCALAR, ty, 0, 0);
        } else if (k == 1 || !g->nstructs) {
            Ty ty = rand_ty(g);
            uint32_t n = 1 + below(&g->r, 16);
            put(t, "state %s: [%u]", name, n);
            put_ty(t, ty);
            if (n <= 4 && chance(&g->r, 50)) {
                put(t, " = [");
                for (uint32_t e = 0; e < n; e++) {
                    put(t, e ? ", " : "");
                    gen_literal(g, ty, false);
                }
                put(t, "]");
            }
            put(t, ";\n");
            declare_state(g, name, V_ARRAY, ty, n, 0);
        } else {
            int si = (int)below(&g->r, g->nstructs);
            uint32_t n = 1 + below(&g->r, 4);
            put(t, "state %s: [%u]%s;\n", name, n, g->st[si].name);
            declare_state(g, name, V_STRUCT_ARRAY, T_BOOL, n, si);
        }
    }
    g->nglobals = g->nvars;

    g->ntables = below(&g->r, MAX_TABLES + 1);
    for (uint32_t i = 0; i < g->ntables; i++) {
        Table *tb = &g->tab[i];
        snprintf(tb->name, sizeof tb->name, "t%u", i);
        tb->lpm = chance(&g->r, 30);
        tb->key = tb->lpm ? (Ty){32, false} : rand_ty(g);
        tb->vstruct = g->nstructs && chance(&g->r, 40) ? (int)below(&g->r, g->nstructs) : -1;
        tb->vty = rand_ty_or_bool(g);
        put(t, "table %s: %s<", tb->name, tb->lpm ? "lpm" : "hash");
        put_ty(t, tb->key);
        put(t, ", ");
        if (tb->vstruct >= 0)
            put(t, "%s", g->st[tb->vstruct].name);
        else
            put_ty(t, tb->vty);
        put(t, ">[%u];\n", 1 + below(&g->r, 64));
    }
    put(t, "\n");

    g->nfuncs = nfuncs_min + below(&g->r, MAX_FUNCS - nfuncs_min);
    for (uint32_t i = 0; i < g->nfuncs; i++) {
        Func *f = &g->fn[i];
        snprintf(f->name, sizeof f->name, "fn%u", i);
        f->nparams = below(&g->r, 6);
        for (uint32_t a = 0; a < f->nparams; a++)
            f->params[a] = rand_ty_or_bool(g);
        f->has_pkt = chance(&g->r, 60);
        f->has_ret = chance(&g->r, 65);
        f->ret = rand_ty_or_bool(g);
    }
    /* bodies: function i may call j > i only, so the call graph has no cycle */
    for (uint32_t i = 0; i < g->nfuncs; i++) {
        Func *f = &g->fn[i];
        put(t, "fn %s(", f->name);
        uint32_t saved = g->nvars;
        bool first = true;
        if (f->has_pkt) {
            put(t, "p: packet");
            first = false;
        }
        for (uint32_t a = 0; a < f->nparams; a++) {
            put(t, "%sa%u: ", first ? "" : ", ", a);
            first = false;
            put_ty(t, f->params[a]);
            Var *v = &g->vars[g->nvars++];
            memset(v, 0, sizeof *v);
            snprintf(v->name, sizeof v->name, "a%u", a);
            v->kind = V_SCALAR;
            v->ty = f->params[a];
            v->mut = true;
        }
        put(t, ")");
        if (f->has_ret) {
            put(t, " -> ");
            put_ty(t, f->ret);
        }
        put(t, " {\n");
        g->cur_fn = (int)i;
        g->has_pkt = f->has_pkt;
        g->in_init = false;
        g->ret_void = !f->has_ret;
        g->ret = f->ret;
        gen_func_body(g, (1 + below(&g->r, 5)) * stmt_scale);
        g->nvars = saved;
        put(t, "}\n\n");
    }

    /* init: fill the tables */
    g->cur_fn = (int)g->nfuncs; /* calls nothing */
    g->has_pkt = false;
    g->in_init = true;
    g->ret_void = true;
    put(t, "on init {\n");
    for (uint32_t i = 0; i < g->ntables; i++) {
        Table *tb = &g->tab[i];
        uint32_t n = below(&g->r, 4);
        for (uint32_t k = 0; k < n; k++) {
            put(t, "    %s.put(", tb->name);
            gen_literal(g, tb->key, false);
            if (tb->lpm)
                put(t, ", %u", below(&g->r, 33));
            put(t, ", ");
            gen_table_value(g, tb);
            put(t, ");\n");
        }
    }
    put(t, "    s1 = -1;\n}\n\n");

    /* the packet handler */
    g->cur_fn = -1;
    g->has_pkt = true;
    g->in_init = false;
    g->ret_void = true;
    uint32_t saved = g->nvars;
    put(t, "on packet(p: packet, inp: u32) {\n");
    declare_state(g, "inp", V_SCALAR, (Ty){32, false}, 0, 0);
    g->vars[g->nvars - 1].mut = false;
    gen_func_body(g, (3 + below(&g->r, 8)) * stmt_scale);
    put(t, "}\n");
    g->nvars = saved;

    if (chance(&g->r, 30)) {
        put(t, "\non timer every %u (p: packet) {\n", 1 + below(&g->r, 1000));
        gen_func_body(g, 1 + below(&g->r, 4));
        put(t, "}\n");
    }
    free(g);
}

/* ---- modes ------------------------------------------------------------------------------- */

static void write_all(const char *p, size_t n)
{
    if (fwrite(p, 1, n, stdout) != n) {
        perror("slgen");
        exit(2);
    }
}

/* A program of exactly `lines` lines: functions until close, then comment padding. */
static void gen_lines(uint64_t seed, uint32_t lines)
{
    Text t = {0};
    put(&t, "// slgen --lines %u --seed %" PRIu64 "\nport p0, p1;\nstate s0: u64;\nstate s1: i32;\n"
            "state s2: u8;\nstate s3: bool;\nstate arr: [64]u32;\ntable tb: hash<u32, u64>[4096];\n",
        lines, seed);
    Rng r = {seed};
    uint32_t nf = 0;
    /* chains of small functions: each calls the previous one (acyclic) */
    while (t.lines + 40 < lines) {
        uint32_t body = 3 + below(&r, 10);
        put(&t, "fn f%u(a: u32, b: u64) -> u32 {\n", nf);
        put(&t, "    let x: u32 = a * %u + (b as u32);\n", below(&r, 1000));
        for (uint32_t i = 0; i < body && t.lines + 30 < lines; i++) {
            switch (below(&r, 6)) {
            case 0: put(&t, "    x = x ^ (x << %u) + %u;\n", 1 + below(&r, 30), below(&r, 100000)); break;
            case 1: put(&t, "    if x > %u {\n        x -= %u;\n    } else {\n        x += 1;\n    }\n",
                        below(&r, 100000), below(&r, 1000)); break;
            case 2: put(&t, "    for i%u in 0..%u {\n        x += arr[(x + i%u) %% 64];\n    }\n", i,
                        1 + below(&r, 8), i); break;
            case 3: put(&t, "    arr[x %% 64] = x;\n"); break;
            case 4: put(&t, "    if let v%u = tb.get(x) {\n        x += v%u as u32;\n    }\n", i, i); break;
            default: put(&t, "    s0 += (x as u64) * %u;\n", below(&r, 1000)); break;
            }
        }
        if (nf && nf % 16)
            put(&t, "    return f%u(x, b + 1);\n}\n\n", nf - 1);
        else
            put(&t, "    return x;\n}\n\n");
        nf++;
    }
    put(&t, "on packet(p: packet, inp: u32) {\n    let r: u32 = 0;\n");
    for (uint32_t i = nf; i > 0 && t.lines + 4 < lines; i -= i > 16 ? 16 : i)
        put(&t, "    r += f%u(inp, p.len() as u64);\n", i - 1);
    put(&t, "    tb.put(r, s0);\n    send(p0);\n}\n");
    while (t.lines < lines)
        put(&t, "// padding\n");
    write_all(t.p, t.len);
    free(t.p);
}

typedef struct Run {
    SlVm *vm;
    void *mem;
    uint8_t *buf;
} Run;

enum { RUN_BUF = SL_PKT_HEADROOM + 2 * SL_PKT_MAX };

static int run_open(Run *r, const SlImage *img, char *err, size_t errcap)
{
    size_t size = sl_vm_footprint(img);
    r->mem = aligned_alloc(8, (size + 7) / 8 * 8 + 8);
    r->buf = malloc(RUN_BUF);
    if (!r->mem || !r->buf)
        return -1;
    SlVmConfig cfg = {.seed = 7, .packet_budget = 200000};
    return sl_vm_create(r->mem, size, img, &cfg, &r->vm, err, errcap);
}

static void run_close(Run *r)
{
    free(r->mem);
    free(r->buf);
}

/* Runs handler h on the given packet; returns the run status code (0 or -SL_E*). */
static int run_one(Run *r, uint32_t h, const uint8_t *pkt, uint32_t len, uint64_t slice, SlResult *res,
                   uint32_t *out_len)
{
    memset(r->buf, 0, RUN_BUF);
    memcpy(r->buf + SL_PKT_HEADROOM, pkt, len);
    SlPacket p = {.buf = r->buf, .cap = RUN_BUF, .head = SL_PKT_HEADROOM, .len = len, .in_port = 1,
                  .tstamp_ns = 1000};
    SlEnv env = {.now_ns = 12345};
    uint64_t fuel = slice ? slice : (uint64_t)1 << 40;
    int rc = sl_vm_run(r->vm, h, &p, &env, fuel, res);
    while (rc == 0 && res->status == SL_RUN_YIELD)
        rc = sl_vm_resume(r->vm, &p, &env, fuel, res);
    memmove(r->buf, r->buf + p.head, p.len);
    *out_len = p.len;
    return rc;
}

/* Compiles, loads and runs one program (seed's, or the text given); 0 when all is well. */
static int check_one(uint64_t seed, const Text *given, bool verbose, const char *fail_dir,
                     unsigned long *faults)
{
    Text t = {0};
    if (given)
        put(&t, "%.*s", (int)given->len, given->p);
    else
        gen_program(seed, &t, 1, 1);
    SlcOptions opt = {.stdlib_dir = "stdlib", .debug_info = (int)(seed & 1), .warnings = 1};
    SlcResult res;
    memset(&res, 0, sizeof res);
    int rc = sl_compile(&opt, "gen.sl", t.p, t.len, &res);
    char why[2048] = "";
    if (rc != 0 || !res.image) {
        /* the first error and its source lines, not the warnings */
        const char *d = res.diags ? res.diags : "", *e = strstr(d, ": error: ");
        if (!e)
            e = strstr(d, "internal error");
        while (e && e > d && e[-1] != '\n')
            e--;
        snprintf(why, sizeof why, "does not compile:\n%.600s", e ? e : d);
    } else {
        SlImage img;
        char err[1024];
        Run a = {0}, b = {0};
        if (sl_image_parse(res.image, res.image_len, &img, err, sizeof err) != 0) {
            snprintf(why, sizeof why, "image: %s", err);
        } else if (run_open(&a, &img, err, sizeof err) != 0 || run_open(&b, &img, err, sizeof err) != 0) {
            snprintf(why, sizeof why, "verifier or load: %s", err);
        } else {
            Rng r = {seed ^ 0xabcdef};
            int hi = sl_image_find_handler(&img, SL_HANDLER_INIT, 0);
            int hp = sl_image_find_handler(&img, SL_HANDLER_PACKET, 0);
            int ht = sl_image_find_handler(&img, SL_HANDLER_TIMER, 0);
            uint8_t pkt[200];
            for (int i = -1; i < 13 && !why[0]; i++) {
                int h = i < 0 ? hi : i == 6 && ht >= 0 ? ht : hp;
                if (h < 0)
                    continue;
                uint32_t len = i < 0 ? 0 : below(&r, 4) == 0 ? below(&r, 20) : 20 + below(&r, 180);
                for (uint32_t k = 0; k < len; k++)
                    pkt[k] = (uint8_t)rnd(&r);
                if (len >= 34 && below(&r, 2)) { /* an Ethernet + IPv4 start */
                    static const uint8_t eth_ip[] = {0x08, 0x00, 0x45, 0x00};
                    memcpy(pkt + 12, eth_ip, sizeof eth_ip);
                }
                SlResult ra, rb;
                uint32_t la, lb;
                int rca = run_one(&a, (uint32_t)h, pkt, len, 0, &ra, &la);
                int rcb = run_one(&b, (uint32_t)h, pkt, len, 5, &rb, &lb);
                if (rca || rcb)
                    snprintf(why, sizeof why, "run error on packet %d: %s", i, sl_error_text(rca ? rca : rcb));
                else if (ra.status != rb.status || ra.verdict != rb.verdict || ra.fault != rb.fault ||
                         ra.port != rb.port || ra.insns != rb.insns || la != lb ||
                         memcmp(a.buf, b.buf, la) != 0)
                    snprintf(why, sizeof why, "sliced run differs on packet %d", i);
                else if (ra.status == SL_RUN_FAULT && ra.fault == SL_FAULT_MEM_BOUNDS)
                    /* programs never address state memory: the compiler does, in range */
                    snprintf(why, sizeof why, "MEM_BOUNDS fault at insn %u on packet %d", ra.pc, i);
                else if (ra.status == SL_RUN_FAULT)
                    faults[ra.fault]++;
                else
                    faults[0]++;
            }
            uint32_t sa, sb;
            const uint8_t *ma = sl_vm_state(a.vm, &sa), *mb = sl_vm_state(b.vm, &sb);
            if (!why[0] && (sa != sb || memcmp(ma, mb, sa) != 0))
                snprintf(why, sizeof why, "sliced run leaves different state");
        }
        run_close(&a);
        run_close(&b);
    }
    if (why[0] && given) {
        printf("slgen: %s\n", why);
    } else if (why[0]) {
        char name[1024];
        snprintf(name, sizeof name, "%s/slgen-fail-%" PRIu64 ".sl", fail_dir, seed);
        FILE *f = fopen(name, "w");
        if (f) {
            fwrite(t.p, 1, t.len, f);
            fclose(f);
        }
        printf("slgen: seed %" PRIu64 ": %s\n  (program saved as %s)\n", seed, why, name);
    } else if (verbose) {
        printf("slgen: seed %" PRIu64 " ok (%u lines, %u warnings)\n", seed, t.lines, res.warnings);
    }
    sl_compile_result_free(&res);
    free(t.p);
    return why[0] ? -1 : 0;
}

static uint64_t arg_u64(const char *s)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end || !*s) {
        fprintf(stderr, "slgen: bad number '%s'\n", s);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    uint64_t seed = 1;
    bool verbose = false;
    const char *fail_dir = ".";
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = arg_u64(argv[i + 1]);
        else if (strcmp(argv[i], "--fail-dir") == 0 && i + 1 < argc)
            fail_dir = argv[i + 1];
        else if (strcmp(argv[i], "-v") == 0)
            verbose = true;
    if (argc >= 4 && strcmp(argv[1], "--check") == 0) {
        uint64_t first = arg_u64(argv[2]), count = arg_u64(argv[3]);
        unsigned long faults[SL_FAULT_COUNT + 1] = {0};
        uint64_t bad = 0;
        for (uint64_t s = first; s < first + count; s++)
            bad += check_one(s, NULL, verbose, fail_dir, faults) != 0;
        printf("slgen: %" PRIu64 " of %" PRIu64 " programs compiled, verified and ran the same sliced"
               " (seeds %" PRIu64 "..%" PRIu64 ")\n", count - bad, count, first, first + count - 1);
        printf("slgen: runs ended normally %lu,", faults[0]);
        for (unsigned f = 1; f < SL_FAULT_COUNT; f++)
            if (faults[f])
                printf(" %s %lu", sl_fault_name(f), faults[f]);
        printf("\n");
        return bad ? 1 : 0;
    }
    if (argc >= 3 && strcmp(argv[1], "--check-file") == 0) {
        /* the same checks on a program from a file (a reduced failure, a regression) */
        size_t len;
        FILE *f = fopen(argv[2], "rb");
        Text t = {0};
        char buf[4096];
        if (!f) {
            perror(argv[2]);
            return 2;
        }
        while ((len = fread(buf, 1, sizeof buf, f)) > 0)
            put(&t, "%.*s", (int)len, buf);
        fclose(f);
        unsigned long faults[SL_FAULT_COUNT + 1] = {0};
        int rc = check_one(seed, &t, verbose, ".", faults);
        free(t.p);
        if (rc == 0)
            printf("slgen: %s ok\n", argv[2]);
        return rc ? 1 : 0;
    }
    if (argc >= 3 && strcmp(argv[1], "--lines") == 0) {
        gen_lines(seed, (uint32_t)arg_u64(argv[2]));
        return 0;
    }
    if (argc >= 3 && strcmp(argv[1], "--junk") == 0) {
        uint64_t n = arg_u64(argv[2]);
        Rng r = {seed};
        for (uint64_t i = 0; i < n; i++)
            putchar((int)(rnd(&r) & 0xff));
        return 0;
    }
    if (argc >= 3 && strcmp(argv[1], "--long-line") == 0) {
        uint64_t n = arg_u64(argv[2]);
        /* one line of about n bytes: a handler of many statements, with one error at its end
         * (so the caret has to point a megabyte into the line) */
        static const char head[] = "port out; state s: u64; on packet { s = 0;";
        static const char tail[] = " s += missing; send(out); }";
        fputs(head, stdout);
        for (uint64_t i = sizeof head + sizeof tail; i + 8 <= n; i += 8)
            fputs(" s += 1;", stdout);
        fputs(tail, stdout);
        return 0;
    }
    if (argc >= 3 && strcmp(argv[1], "--deep") == 0) {
        uint64_t n = arg_u64(argv[2]);
        fputs("state x: u64;\non packet(p: packet) {\n    x = ", stdout);
        for (uint64_t i = 0; i < n; i++)
            putchar('(');
        putchar('1');
        for (uint64_t i = 0; i < n; i++)
            putchar(')');
        fputs(";\n    ", stdout);
        for (uint64_t i = 0; i < n; i++)
            putchar('{');
        fputs(" x += 1; ", stdout);
        for (uint64_t i = 0; i < n; i++)
            putchar('}');
        fputs("\n}\n", stdout);
        return 0;
    }
    Text t = {0};
    gen_program(seed, &t, 1, 1);
    write_all(t.p, t.len);
    free(t.p);
    return 0;
}
