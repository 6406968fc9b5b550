/* The assembler: one pass over the lines, then fix-ups.
 *
 * Each line is scanned (asm_lex.c) and parsed on its own: a label, a directive or an
 * instruction. Instructions are matched against the rows of isa.def that share their mnemonic:
 * the operands are parsed into generic shapes first (register, number, memory, @N, name, fN/kN/tN,
 * =value) and the first row whose format takes those shapes wins, so `add r1, r2` is ADD and
 * `add r1, 7` is ADDI without any per-opcode code. Names that may be defined later (labels,
 * functions, tables) are recorded as fix-ups and resolved when every line has been read.
 *
 * Errors do not stop the pass: a bad line reports one error, an instruction line still takes its
 * slot (a placeholder) so that later label positions stay right, and reading stops after
 * SL_ASM_MAX_ERRORS. The program is handed to the image writer only when there was no error. */
#include "asm.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm_lex.h"
#include "dbg_types.h"
#include "image_build.h"
#include "isa.h"
#include "vm.h"

/* ---- names ---------------------------------------------------------------------------- */

typedef struct Entry {
    const char *name; /* in the source text */
    uint32_t len;
    uint32_t value;
    uint32_t line; /* where it was defined */
} Entry;

typedef struct Map {
    Entry *slots;
    uint32_t cap, count;
} Map;

static uint32_t hash_name(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

static Entry *map_find(const Map *m, const char *name, size_t len)
{
    if (!m->cap)
        return NULL;
    for (uint32_t i = hash_name(name, len) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        Entry *e = &m->slots[i];
        if (!e->name)
            return NULL;
        if (e->len == len && memcmp(e->name, name, len) == 0)
            return e;
    }
}

/* Adds a name; 0, 1 when it was there already (*old set), -SL_ENOMEM. */
static int map_add(Map *m, const char *name, size_t len, uint32_t value, uint32_t line, const Entry **old)
{
    Entry *e = map_find(m, name, len);
    if (e) {
        *old = e;
        return 1;
    }
    if ((m->count + 1) * 2 > m->cap) {
        uint32_t ncap = m->cap ? m->cap * 2 : 64;
        Entry *ns = calloc(ncap, sizeof *ns);
        if (!ns)
            return -SL_ENOMEM;
        for (uint32_t i = 0; i < m->cap; i++) {
            if (!m->slots[i].name)
                continue;
            uint32_t k = hash_name(m->slots[i].name, m->slots[i].len) & (ncap - 1);
            while (ns[k].name)
                k = (k + 1) & (ncap - 1);
            ns[k] = m->slots[i];
        }
        free(m->slots);
        m->slots = ns;
        m->cap = ncap;
    }
    uint32_t k = hash_name(name, len) & (m->cap - 1);
    while (m->slots[k].name)
        k = (k + 1) & (m->cap - 1);
    m->slots[k] = (Entry){name, (uint32_t)len, value, line};
    m->count++;
    return 0;
}

/* ---- assembler state ------------------------------------------------------------------ */

typedef enum FixKind { FIX_LABEL, FIX_FUNC, FIX_TABLE, FIX_HANDLER } FixKind;

typedef struct Fixup {
    FixKind kind;
    const char *name;
    uint32_t len;
    uint32_t line, col;
    uint32_t index; /* instruction, or handler for FIX_HANDLER */
} Fixup;

typedef struct Asm {
    const char *filename;
    SlBuild *b;
    char *err;
    size_t errcap, errlen;
    int nerr;
    int oom;

    uint32_t line; /* current line number */
    Map labels, funcs, tables;
    Fixup *fix;
    uint32_t fix_count, fix_cap;
    SlHandlerDecl *handlers;
    uint32_t handler_count, handler_cap;

    int in_func;              /* a .func has been seen */
    uint32_t func_insns;      /* instructions in the current function */
    uint32_t func_line, func_col;
    Tok func_name;            /* TOK_IDENT when the current function is named */
    int state_seen;
    uint32_t state_size;
    uint64_t data_len;
    uint32_t data_line, data_col; /* the last .data, for the size check */
} Asm;

/* Records one "file:line:col: error: message" line. */
static void error_at(Asm *a, uint32_t line, uint32_t col, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    a->nerr++;
    if (!a->errcap)
        return;
    int n = snprintf(a->err + a->errlen, a->errcap - a->errlen, "%s%s:%u:%u: error: %s",
                     a->errlen ? "\n" : "", a->filename, line, col, msg);
    if (n > 0)
        a->errlen += (size_t)n < a->errcap - a->errlen ? (size_t)n : a->errcap - a->errlen - 1;
}

static void out_of_memory(Asm *a)
{
    if (!a->oom)
        error_at(a, a->line, 1, "out of memory");
    a->oom = 1;
}

/* Reports a builder failure; returns 1 when rc was an error. */
static int build_failed(Asm *a, int rc, const Tok *at, const char *what, unsigned long limit)
{
    if (rc >= 0)
        return 0;
    if (rc == -SL_ENOMEM)
        out_of_memory(a);
    else
        error_at(a, a->line, at->col, "too many %s (the limit is %lu)", what, limit);
    return 1;
}

static void show(const Tok *t, char *buf, size_t cap) { asm_lex_show(t->p, t->len, buf, cap); }

static int add_fixup(Asm *a, FixKind kind, const Tok *name, uint32_t index)
{
    if (a->fix_count == a->fix_cap) {
        uint32_t ncap = a->fix_cap ? a->fix_cap * 2 : 64;
        Fixup *p = realloc(a->fix, (size_t)ncap * sizeof *p);
        if (!p) {
            out_of_memory(a);
            return -1;
        }
        a->fix = p;
        a->fix_cap = ncap;
    }
    a->fix[a->fix_count++] = (Fixup){kind, name->p, (uint32_t)name->len, a->line, name->col, index};
    return 0;
}

/* ---- tokens and names ----------------------------------------------------------------- */

typedef struct Parser {
    Asm *a;
    Lexer lx;
    Tok tok; /* the current token */
} Parser;

static void advance(Parser *ps) { asm_lex(&ps->lx, &ps->tok); }

static int is_punct(const Tok *t, char c) { return t->kind == TOK_PUNCT && t->p[0] == c; }

static int is_word(const Tok *t, const char *w)
{
    size_t n = strlen(w);
    return t->kind == TOK_IDENT && t->len == n && memcmp(t->p, w, n) == 0;
}

/* Reports the current token as unexpected (once per line: callers stop after it). */
static void unexpected(Parser *ps, const char *expected)
{
    char buf[64];
    const Tok *t = &ps->tok;
    if (t->kind == TOK_BAD) {
        show(t, buf, sizeof buf);
        error_at(ps->a, ps->a->line, t->col, "%s '%s'", t->msg, buf);
    } else if (t->kind == TOK_END) {
        error_at(ps->a, ps->a->line, t->col, "expected %s at the end of the line", expected);
    } else {
        show(t, buf, sizeof buf);
        error_at(ps->a, ps->a->line, t->col, "expected %s, found '%s'", expected, buf);
    }
}

/* rN with digits only: a register spelling (valid or not). */
static int register_form(const char *s, size_t len)
{
    if (len < 2 || s[0] != 'r')
        return 0;
    for (size_t i = 1; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* fN, kN, tN with digits only: references by index. */
static int ref_form(const char *s, size_t len)
{
    if (len < 2 || (s[0] != 'f' && s[0] != 'k' && s[0] != 't'))
        return 0;
    for (size_t i = 1; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* Checks that an identifier may name something; reports why not. */
static int check_name(Parser *ps, const Tok *t, const char *what)
{
    char buf[64];
    show(t, buf, sizeof buf);
    if (t->kind != TOK_IDENT) {
        error_at(ps->a, ps->a->line, t->col, "expected %s name, found '%s'", what, buf);
        return -1;
    }
    if (register_form(t->p, t->len)) {
        error_at(ps->a, ps->a->line, t->col, "'%s' is a register name and cannot name %s", buf, what);
        return -1;
    }
    if (ref_form(t->p, t->len)) {
        error_at(ps->a, ps->a->line, t->col, "'%s' is reserved for references by index and cannot name %s",
                 buf, what);
        return -1;
    }
    return 0;
}

/* A number as written: sign, magnitude, base. */
typedef struct Num {
    int neg, hex, big;
    uint64_t mag;
    uint32_t col;
    const char *p; /* source text from the sign on, for messages */
    size_t len;
} Num;

/* [-]NUMBER at the current token. */
static int parse_num(Parser *ps, Num *n, const char *what)
{
    memset(n, 0, sizeof *n);
    n->col = ps->tok.col;
    n->p = ps->tok.p;
    if (is_punct(&ps->tok, '-')) {
        n->neg = 1;
        advance(ps);
    }
    if (ps->tok.kind != TOK_NUM) {
        unexpected(ps, what);
        return -1;
    }
    n->mag = ps->tok.mag;
    n->hex = ps->tok.hex;
    n->big = ps->tok.big;
    n->len = (size_t)(ps->tok.p + ps->tok.len - n->p);
    advance(ps);
    return 0;
}

static void num_text(const Num *n, char *buf, size_t cap) { asm_lex_show(n->p, n->len, buf, cap); }

/* Signed 32-bit immediates; hex 0x80000000..0xffffffff stand for the same bit pattern. */
static int num_imm32(const Num *n, int32_t *out)
{
    if (n->big)
        return -1;
    if (n->neg) {
        if (n->mag > 0x80000000u)
            return -1;
        *out = (int32_t)(0 - (int64_t)n->mag);
        return 0;
    }
    if (n->mag > (n->hex ? 0xffffffffu : 0x7fffffffu))
        return -1;
    *out = (int32_t)(uint32_t)n->mag;
    return 0;
}

static int num_u64(const Num *n, uint64_t *out)
{
    if (n->big || (n->neg && n->mag > 0x8000000000000000u))
        return -1;
    *out = n->neg ? 0 - n->mag : n->mag;
    return 0;
}

static int num_range(const Num *n, int64_t lo, int64_t hi, int64_t *out)
{
    if (n->big || n->mag > (uint64_t)INT64_MAX)
        return -1;
    int64_t v = n->neg ? -(int64_t)n->mag : (int64_t)n->mag;
    if (v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* Parses [-]NUMBER in lo..hi; reports "<what> 'X' out of range (lo..hi)". */
static int parse_ranged(Parser *ps, const char *what, int64_t lo, int64_t hi, int64_t *out)
{
    Num n;
    char buf[64];
    if (parse_num(ps, &n, what) < 0)
        return -1;
    if (num_range(&n, lo, hi, out) < 0) {
        num_text(&n, buf, sizeof buf);
        error_at(ps->a, ps->a->line, n.col, "%s '%s' out of range (%lld..%lld)", what, buf, (long long)lo,
                 (long long)hi);
        return -1;
    }
    return 0;
}

static int parse_imm32(Parser *ps, const char *what, int32_t *out)
{
    Num n;
    char buf[64];
    if (parse_num(ps, &n, what) < 0)
        return -1;
    if (num_imm32(&n, out) < 0) {
        num_text(&n, buf, sizeof buf);
        error_at(ps->a, ps->a->line, n.col, "%s '%s' out of range (-2147483648..2147483647, or 0x0..0xffffffff)",
                 what, buf);
        return -1;
    }
    return 0;
}

static int expect_punct(Parser *ps, char c)
{
    if (!is_punct(&ps->tok, c)) {
        char what[8];
        snprintf(what, sizeof what, "'%c'", c);
        unexpected(ps, what);
        return -1;
    }
    advance(ps);
    return 0;
}

static int expect_end(Parser *ps)
{
    if (ps->tok.kind != TOK_END) {
        unexpected(ps, "the end of the line");
        return -1;
    }
    return 0;
}

/* ---- operands ------------------------------------------------------------------------- */

typedef enum OpdKind {
    OPD_REG,  /* rN */
    OPD_NUM,  /* [-]number */
    OPD_MEM,  /* [rB], [rB+n], [rB-n] */
    OPD_AT,   /* @[-]N */
    OPD_NAME, /* a name */
    OPD_REF,  /* fN, kN, tN (N may be negative, as sl_insn_format prints it) */
    OPD_EQ,   /* =value */
} OpdKind;

typedef struct Opd {
    OpdKind kind;
    uint32_t col;
    uint8_t reg;
    char ref; /* OPD_REF: 'f', 'k' or 't' */
    Num num;  /* NUM, MEM offset, AT, REF, EQ */
    Tok name; /* NAME */
} Opd;

enum { MAX_OPERANDS = 4 };

static int parse_reg(Parser *ps, uint8_t *reg)
{
    char buf[64];
    const Tok *t = &ps->tok;
    if (t->kind != TOK_IDENT || !register_form(t->p, t->len)) {
        unexpected(ps, "a register");
        return -1;
    }
    unsigned v = 0;
    for (size_t i = 1; i < t->len && v < 100; i++)
        v = v * 10 + (unsigned)(t->p[i] - '0');
    if (v >= SL_NREGS) {
        show(t, buf, sizeof buf);
        error_at(ps->a, ps->a->line, t->col, "no register '%s' (registers are r0..r15)", buf);
        return -1;
    }
    *reg = (uint8_t)v;
    advance(ps);
    return 0;
}

static int parse_operand(Parser *ps, Opd *o)
{
    memset(o, 0, sizeof *o);
    o->col = ps->tok.col;
    const Tok t0 = ps->tok; /* advance() overwrites ps->tok */
    const Tok *t = &t0;
    if (t->kind == TOK_IDENT) {
        if (register_form(t->p, t->len)) {
            o->kind = OPD_REG;
            return parse_reg(ps, &o->reg);
        }
        if (ref_form(t->p, t->len)) {
            /* the digits after the letter: reuse the number scanner on them */
            Lexer sub;
            Tok d;
            asm_lex_init(&sub, t->p + 1, t->len - 1);
            asm_lex(&sub, &d);
            o->kind = OPD_REF;
            o->ref = t->p[0];
            o->num = (Num){0, 0, d.big, d.mag, t->col, t->p, t->len};
            advance(ps);
            return 0;
        }
        advance(ps);
        if (t->len == 1 && (t->p[0] == 'f' || t->p[0] == 'k' || t->p[0] == 't') && is_punct(&ps->tok, '-')) {
            /* f-1, as sl_insn_format prints a negative index */
            o->kind = OPD_REF;
            o->ref = t->p[0];
            if (parse_num(ps, &o->num, "an index") < 0)
                return -1;
            o->num.len = (size_t)(o->num.p + o->num.len - t->p);
            o->num.p = t->p;
            o->num.col = t->col;
            return 0;
        }
        o->kind = OPD_NAME;
        o->name = *t;
        return 0;
    }
    if (t->kind == TOK_NUM || is_punct(t, '-')) {
        o->kind = OPD_NUM;
        return parse_num(ps, &o->num, "a number");
    }
    if (is_punct(t, '[')) {
        o->kind = OPD_MEM;
        advance(ps);
        if (parse_reg(ps, &o->reg) < 0)
            return -1;
        if (is_punct(&ps->tok, '+') || is_punct(&ps->tok, '-')) {
            int neg = is_punct(&ps->tok, '-');
            const char *start = ps->tok.p;
            uint32_t col = ps->tok.col;
            advance(ps);
            if (is_punct(&ps->tok, '-')) {
                unexpected(ps, "an offset");
                return -1;
            }
            if (parse_num(ps, &o->num, "an offset") < 0)
                return -1;
            o->num.neg = neg;
            o->num.col = col;
            o->num.len += (size_t)(o->num.p - start);
            o->num.p = start;
        }
        return expect_punct(ps, ']');
    }
    if (is_punct(t, '@')) {
        o->kind = OPD_AT;
        advance(ps);
        return parse_num(ps, &o->num, "an instruction index after '@'");
    }
    if (is_punct(t, '=')) {
        o->kind = OPD_EQ;
        advance(ps);
        return parse_num(ps, &o->num, "a constant value after '='");
    }
    unexpected(ps, "an operand");
    return -1;
}

/* Operand slots of each format: r register, i number, m memory, j target, f function, t table,
 * k constant. The syntax text is for messages. */
static const struct {
    const char *slots;
    const char *syntax;
} format_shape[] = {
    [SL_FMT_N] = {"", "no operands"},
    [SL_FMT_A] = {"r", "rA"},
    [SL_FMT_AB] = {"rr", "rA, rB"},
    [SL_FMT_AI] = {"ri", "rA, imm"},
    [SL_FMT_AK] = {"rk", "rA, kN or rA, =value"},
    [SL_FMT_LD] = {"rm", "rA, [rB+off]"},
    [SL_FMT_ST] = {"mr", "[rA+off], rB"},
    [SL_FMT_J] = {"j", "target"},
    [SL_FMT_JAB] = {"rrj", "rA, rB, target"},
    [SL_FMT_JAI] = {"rij", "rA, imm, target"},
    [SL_FMT_CALL] = {"f", "function"},
    [SL_FMT_I] = {"i", "imm"},
    [SL_FMT_ABC] = {"rrr", "rA, rB, rC"},
    [SL_FMT_ABCT] = {"rrrt", "rA, rB, rC, table"},
    [SL_FMT_ABT] = {"rrt", "rA, rB, table"},
    [SL_FMT_ABI] = {"rri", "rA, rB, imm"},
};

static int slot_takes(char slot, const Opd *o)
{
    switch (slot) {
    case 'r': return o->kind == OPD_REG;
    case 'i': return o->kind == OPD_NUM;
    case 'm': return o->kind == OPD_MEM;
    case 'j': return o->kind == OPD_AT || o->kind == OPD_NAME;
    case 'f': return (o->kind == OPD_REF && o->ref == 'f') || o->kind == OPD_NAME;
    case 't': return (o->kind == OPD_REF && o->ref == 't') || o->kind == OPD_NAME;
    case 'k': return (o->kind == OPD_REF && o->ref == 'k') || o->kind == OPD_EQ;
    default: return 0;
    }
}

/* How many leading operands a format accepts; == n and slots exhausted means a match. */
static size_t shape_match(const char *slots, const Opd *ops, size_t n)
{
    size_t i = 0;
    while (i < n && slots[i] && slot_takes(slots[i], &ops[i]))
        i++;
    return i;
}

/* Fills the instruction's fields from matched operands; reports range errors. */
static int encode_operands(Parser *ps, SlFormat fmt, const Opd *ops, SlInsn *in, uint32_t index)
{
    Asm *a = ps->a;
    const char *slots = format_shape[fmt].slots;
    int nreg = 0;
    char buf[64];
    for (size_t i = 0; slots[i]; i++) {
        const Opd *o = &ops[i];
        switch (slots[i]) {
        case 'r':
            if (nreg == 0)
                in->a = o->reg;
            else if (nreg == 1)
                in->b = o->reg;
            else
                in->off = (int16_t)o->reg;
            nreg++;
            break;
        case 'm': {
            if (nreg == 0) { /* ST: the base is a */
                in->a = o->reg;
                nreg = 1;
            } else {
                in->b = o->reg;
            }
            int64_t off;
            if (num_range(&o->num, INT16_MIN, INT16_MAX, &off) < 0) {
                num_text(&o->num, buf, sizeof buf);
                error_at(a, a->line, o->num.col, "offset '%s' out of range (-32768..32767)", buf);
                return -1;
            }
            in->off = (int16_t)off;
            break;
        }
        case 'i':
            if (num_imm32(&o->num, &in->imm) < 0) {
                num_text(&o->num, buf, sizeof buf);
                error_at(a, a->line, o->col,
                         "immediate '%s' out of range (-2147483648..2147483647, or 0x0..0xffffffff)", buf);
                return -1;
            }
            break;
        case 'j':
            if (o->kind == OPD_NAME) {
                if (add_fixup(a, FIX_LABEL, &o->name, index) < 0)
                    return -1;
            } else {
                int64_t target, rel;
                if (num_range(&o->num, -(INT64_C(1) << 40), INT64_C(1) << 40, &target) < 0 ||
                    (rel = target - (int64_t)index - 1) < INT16_MIN || rel > INT16_MAX) {
                    num_text(&o->num, buf, sizeof buf);
                    error_at(a, a->line, o->col, "branch target @%s is too far from instruction %u (offset must fit 16 bits)",
                             buf, index);
                    return -1;
                }
                in->off = (int16_t)rel;
            }
            break;
        case 'f':
        case 't':
        case 'k':
            if (o->kind == OPD_NAME) {
                if (add_fixup(a, slots[i] == 'f' ? FIX_FUNC : FIX_TABLE, &o->name, index) < 0)
                    return -1;
            } else if (o->kind == OPD_EQ) {
                uint64_t v;
                if (num_u64(&o->num, &v) < 0) {
                    num_text(&o->num, buf, sizeof buf);
                    error_at(a, a->line, o->num.col, "constant '%s' does not fit 64 bits", buf);
                    return -1;
                }
                int k = sl_build_const_find(a->b, v);
                if (k < 0) {
                    k = sl_build_const(a->b, v);
                    if (build_failed(a, k, &ps->tok, "constants", SL_MAX_CONSTS))
                        return -1;
                }
                in->imm = k;
            } else if (num_imm32(&o->num, &in->imm) < 0) {
                num_text(&o->num, buf, sizeof buf);
                error_at(a, a->line, o->col, "index '%s' out of range (-2147483648..2147483647)", buf);
                return -1;
            }
            break;
        default: break;
        }
    }
    return 0;
}

/* mnemonic operand, ...: picks the isa.def row whose format takes the operands. */
static int parse_instruction(Parser *ps, SlInsn *in, uint32_t index)
{
    Asm *a = ps->a;
    Tok mn = ps->tok;
    char name[24], buf[64];
    show(&mn, buf, sizeof buf);
    int first = -1;
    if (mn.len < sizeof name) {
        memcpy(name, mn.p, mn.len);
        name[mn.len] = '\0';
        first = sl_op_find(name);
    }
    if (first < 0) {
        error_at(a, a->line, mn.col, "unknown instruction '%s'", buf);
        return -1;
    }
    if (sl_op_info[first].cls == SL_C_INTERNAL) {
        error_at(a, a->line, mn.col, "'%s' is an internal form that only the verifier produces", buf);
        return -1;
    }
    advance(ps);

    Opd ops[MAX_OPERANDS + 1];
    size_t n = 0;
    if (ps->tok.kind != TOK_END) {
        for (;;) {
            if (parse_operand(ps, &ops[n]) < 0)
                return -1;
            if (++n > MAX_OPERANDS) {
                error_at(a, a->line, ops[n - 1].col, "too many operands for '%s'", buf);
                return -1;
            }
            if (!is_punct(&ps->tok, ','))
                break;
            advance(ps);
        }
        if (expect_end(ps) < 0)
            return -1;
    }

    /* The first row taking these operands; otherwise the row that got furthest, for the message. */
    size_t best = 0;
    char expected[160] = "";
    for (int op = first; op < SL_OP_COUNT && strcmp(sl_op_info[op].mnemonic, sl_op_info[first].mnemonic) == 0;
         op++) {
        SlFormat fmt = (SlFormat)sl_op_info[op].format;
        const char *slots = format_shape[fmt].slots;
        size_t got = shape_match(slots, ops, n);
        if (got == n && slots[n] == '\0') {
            memset(in, 0, sizeof *in);
            in->op = (uint8_t)op;
            return encode_operands(ps, fmt, ops, in, index);
        }
        if (got > best)
            best = got;
        size_t el = strlen(expected);
        snprintf(expected + el, sizeof expected - el, "%s'%s'", el ? " or " : "", format_shape[fmt].syntax);
    }
    uint32_t col = best < n ? ops[best].col : mn.col;
    error_at(a, a->line, col, "invalid operands for '%s' (expected %s)", buf, expected);
    return -1;
}

/* ---- directives ----------------------------------------------------------------------- */

static void end_function(Asm *a)
{
    if (!a->in_func || a->func_insns)
        return;
    char buf[64];
    if (a->func_name.kind == TOK_IDENT)
        show(&a->func_name, buf, sizeof buf);
    else
        snprintf(buf, sizeof buf, "f%u", sl_build_func_count(a->b) - 1);
    error_at(a, a->func_line, a->func_col, "function '%s' has no instructions", buf);
}

/* .func [NAME | -] [NARGS] */
static void dir_func(Parser *ps, const Tok *dir)
{
    Asm *a = ps->a;
    Tok name = {0};
    int64_t nargs = 0;
    advance(ps);
    if (ps->tok.kind == TOK_IDENT) {
        if (check_name(ps, &ps->tok, "a function") < 0)
            return;
        name = ps->tok;
        advance(ps);
    } else if (is_punct(&ps->tok, '-')) {
        advance(ps);
    } else if (ps->tok.kind != TOK_END) {
        unexpected(ps, "a function name or '-'");
        return;
    }
    if (ps->tok.kind != TOK_END && parse_ranged(ps, "argument count", 0, 255, &nargs) < 0)
        return;
    if (expect_end(ps) < 0)
        return;
    end_function(a);
    uint32_t index = sl_build_func_count(a->b);
    SlFuncDecl f = {sl_build_insn_count(a->b), (uint8_t)nargs};
    if (build_failed(a, sl_build_func(a->b, &f), dir, "functions", SL_MAX_FUNCS))
        return;
    a->in_func = 1;
    a->func_insns = 0;
    a->func_line = a->line;
    a->func_col = dir->col;
    a->func_name = name;
    if (name.kind == TOK_IDENT) {
        const Entry *old;
        int rc = map_add(&a->funcs, name.p, name.len, index, a->line, &old);
        char buf[64];
        show(&name, buf, sizeof buf);
        if (rc == 1)
            error_at(a, a->line, name.col, "duplicate function '%s' (first defined on line %u)", buf, old->line);
        else if (rc < 0 || sl_build_sym(a->b, SL_SYM_FUNC, index, 0, name.p, name.len) < 0)
            out_of_memory(a);
    }
}

/* .handler packet|init|timer|N FUNC [PERIOD_MS] */
static void dir_handler(Parser *ps, const Tok *dir)
{
    Asm *a = ps->a;
    SlHandlerDecl h = {0, 0, 0};
    advance(ps);
    if (is_word(&ps->tok, "packet"))
        h.kind = SL_HANDLER_PACKET;
    else if (is_word(&ps->tok, "init"))
        h.kind = SL_HANDLER_INIT;
    else if (is_word(&ps->tok, "timer"))
        h.kind = SL_HANDLER_TIMER;
    int64_t v;
    if (h.kind)
        advance(ps);
    else if (ps->tok.kind == TOK_NUM) {
        if (parse_ranged(ps, "handler kind", 0, 255, &v) < 0)
            return;
        h.kind = (uint8_t)v;
    } else {
        unexpected(ps, "'packet', 'init' or 'timer'");
        return;
    }
    Tok fn = ps->tok;
    int by_name = 0;
    if (fn.kind == TOK_IDENT && ref_form(fn.p, fn.len) && fn.p[0] == 'f') {
        Lexer sub;
        Tok d;
        asm_lex_init(&sub, fn.p + 1, fn.len - 1);
        asm_lex(&sub, &d);
        if (d.big || d.mag > UINT32_MAX) {
            char buf[64];
            show(&fn, buf, sizeof buf);
            error_at(a, a->line, fn.col, "function index '%s' out of range (0..4294967295)", buf);
            return;
        }
        h.func = (uint32_t)d.mag;
    } else if (fn.kind == TOK_IDENT) {
        if (check_name(ps, &fn, "a function") < 0)
            return;
        by_name = 1;
    } else {
        unexpected(ps, "a function name or fN");
        return;
    }
    advance(ps);
    if (ps->tok.kind != TOK_END || h.kind == SL_HANDLER_TIMER) {
        if (parse_ranged(ps, "timer period", 0, UINT32_MAX, &v) < 0)
            return;
        h.period_ms = (uint32_t)v;
    }
    if (expect_end(ps) < 0)
        return;
    if (a->handler_count >= SL_MAX_HANDLERS) {
        error_at(a, a->line, dir->col, "too many handlers (the limit is %d)", SL_MAX_HANDLERS);
        return;
    }
    if (a->handler_count == a->handler_cap) {
        uint32_t ncap = a->handler_cap ? a->handler_cap * 2 : 8;
        SlHandlerDecl *p = realloc(a->handlers, ncap * sizeof *p);
        if (!p) {
            out_of_memory(a);
            return;
        }
        a->handlers = p;
        a->handler_cap = ncap;
    }
    if (by_name)
        add_fixup(a, FIX_HANDLER, &fn, a->handler_count);
    a->handlers[a->handler_count++] = h;
}

/* .state SIZE */
static void dir_state(Parser *ps, const Tok *dir)
{
    Asm *a = ps->a;
    int64_t size;
    advance(ps);
    if (parse_ranged(ps, "state size", 0, SL_MAX_STATE, &size) < 0 || expect_end(ps) < 0)
        return;
    if (a->state_seen) {
        error_at(a, a->line, dir->col, "duplicate .state (the state size is set once)");
        return;
    }
    a->state_seen = 1;
    a->state_size = (uint32_t)size;
    sl_build_state(a->b, (uint32_t)size);
}

static int hex_digit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static uint8_t hex_byte(const char *p)
{
    unsigned v = 0;
    for (int i = 0; i < 2; i++) {
        char c = p[i];
        v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return (uint8_t)v;
}

/* .data XX XX ... */
static void dir_data(Parser *ps, const Tok *dir)
{
    Asm *a = ps->a;
    uint8_t bytes[64];
    size_t n = 0;
    Tok w;
    a->data_line = a->line;
    a->data_col = dir->col;
    for (asm_lex_word(&ps->lx, &w); w.kind == TOK_WORD; asm_lex_word(&ps->lx, &w)) {
        if (w.len != 2 || !hex_digit(w.p[0]) || !hex_digit(w.p[1])) {
            char buf[64];
            show(&w, buf, sizeof buf);
            error_at(a, a->line, w.col, ".data takes bytes as two hex digits, found '%s'", buf);
            return;
        }
        bytes[n++] = hex_byte(w.p);
        a->data_len++;
        if (n == sizeof bytes) {
            if (build_failed(a, sl_build_data(a->b, bytes, n), dir, "bytes of state data", SL_MAX_STATE))
                return;
            n = 0;
        }
    }
    build_failed(a, sl_build_data(a->b, bytes, n), dir, "bytes of state data", SL_MAX_STATE);
}

/* .const VALUE */
static void dir_const(Parser *ps, const Tok *dir)
{
    Asm *a = ps->a;
    Num n;
    uint64_t v;
    advance(ps);
    if (parse_num(ps, &n, "a constant value") < 0 || expect_end(ps) < 0)
        return;
    if (num_u64(&n, &v) < 0) {
        char buf[64];
        num_text(&n, buf, sizeof buf);
        error_at(a, a->line, n.col, "constant '%s' does not fit 64 bits", buf);
        return;
    }
    build_failed(a, sl_build_const(a->b, v), dir, "constants", SL_MAX_CONSTS);
}

/* .table NAME|- hash|lpm|N KEY_SIZE VALUE_SIZE CAPACITY */
static void dir_table(Parser *ps, const Tok *dir)
{
    Asm *a = ps->a;
    Tok name = {0};
    advance(ps);
    if (is_punct(&ps->tok, '-')) {
        advance(ps);
    } else {
        if (check_name(ps, &ps->tok, "a table") < 0)
            return;
        name = ps->tok;
        advance(ps);
    }
    SlTableDecl t = {0, 0, 0, 0};
    int64_t v;
    if (is_word(&ps->tok, "hash")) {
        t.kind = SL_TABLE_HASH;
        advance(ps);
    } else if (is_word(&ps->tok, "lpm")) {
        t.kind = SL_TABLE_LPM;
        advance(ps);
    } else if (ps->tok.kind == TOK_NUM) {
        if (parse_ranged(ps, "table kind", 0, 255, &v) < 0)
            return;
        t.kind = (uint8_t)v;
    } else {
        unexpected(ps, "'hash' or 'lpm'");
        return;
    }
    if (parse_ranged(ps, "key size", 0, 255, &v) < 0)
        return;
    t.key_size = (uint8_t)v;
    if (parse_ranged(ps, "value size", 0, 65535, &v) < 0)
        return;
    t.value_size = (uint16_t)v;
    if (parse_ranged(ps, "capacity", 0, UINT32_MAX, &v) < 0)
        return;
    t.capacity = (uint32_t)v;
    if (expect_end(ps) < 0)
        return;
    int index = sl_build_table(a->b, &t);
    if (build_failed(a, index, dir, "tables", SL_MAX_TABLES))
        return;
    if (name.kind == TOK_IDENT) {
        const Entry *old;
        int rc = map_add(&a->tables, name.p, name.len, (uint32_t)index, a->line, &old);
        char buf[64];
        show(&name, buf, sizeof buf);
        if (rc == 1)
            error_at(a, a->line, name.col, "duplicate table '%s' (first defined on line %u)", buf, old->line);
        else if (rc < 0 || sl_build_sym(a->b, SL_SYM_TABLE, (uint32_t)index, 0, name.p, name.len) < 0)
            out_of_memory(a);
    }
}

/* .port NAME */
static void dir_port(Parser *ps, const Tok *dir)
{
    Asm *a = ps->a;
    Tok w, extra;
    asm_lex_word(&ps->lx, &w);
    if (w.kind != TOK_WORD) {
        error_at(a, a->line, w.col, "expected a port name at the end of the line");
        return;
    }
    asm_lex_word(&ps->lx, &extra);
    if (extra.kind != TOK_END) {
        char buf[64];
        show(&extra, buf, sizeof buf);
        error_at(a, a->line, extra.col, "expected the end of the line, found '%s'", buf);
        return;
    }
    int rc = sl_build_port(a->b, w.p, w.len);
    if (rc == -SL_EARG) {
        char buf[64];
        show(&w, buf, sizeof buf);
        error_at(a, a->line, w.col, "invalid port name '%s' (1..%d characters of A-Z a-z 0-9 _ . -)", buf,
                 SL_MAX_PORT_NAME);
        return;
    }
    build_failed(a, rc, dir, "ports", SL_MAX_PORTS);
}

/* .sym state|func|table|label|const|var|N NAME|"NAME" VALUE [SIZE]   (SIZE required for state) */
static void dir_sym(Parser *ps, const Tok *dir)
{
    static const struct {
        const char *word;
        uint8_t kind;
    } kinds[] = {{"func", SL_SYM_FUNC}, {"state", SL_SYM_STATE}, {"table", SL_SYM_TABLE},
                 {"label", SL_SYM_LABEL}, {"const", SL_SYM_CONST}, {"var", SL_SYM_VAR}};
    Asm *a = ps->a;
    int64_t kind = -1, value, size = 0;
    advance(ps);
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (is_word(&ps->tok, kinds[i].word)) {
            kind = kinds[i].kind;
            advance(ps);
            break;
        }
    if (kind < 0) {
        if (ps->tok.kind != TOK_NUM) {
            unexpected(ps, "a symbol kind (state, func, table, label, const or var)");
            return;
        }
        if (parse_ranged(ps, "symbol kind", 0, 255, &kind) < 0)
            return;
    }
    /* NAME, or "NAME" for any bytes (compilers name variables "f.x#2") */
    Tok name = ps->tok;
    char *text = NULL;
    size_t text_len = 0;
    if (name.kind == TOK_STR) {
        uint32_t bad_col = 0;
        text = malloc(name.len + 1);
        if (!text) {
            out_of_memory(a);
            return;
        }
        long n = asm_lex_string(&name, text, &bad_col);
        if (n < 0 || n > UINT16_MAX) {
            error_at(a, a->line, n < 0 ? bad_col : name.col,
                     n < 0 ? "invalid escape in string (use \\\\, \\\", \\n, \\t, \\r, \\0 or \\xHH)"
                           : "symbol name longer than 65535 bytes");
            free(text);
            return;
        }
        text_len = (size_t)n;
    } else if (check_name(ps, &ps->tok, "a symbol") < 0) {
        return;
    }
    advance(ps);
    if (parse_ranged(ps, "symbol value", 0, UINT32_MAX, &value) < 0 ||
        ((ps->tok.kind != TOK_END || kind == SL_SYM_STATE) &&
         parse_ranged(ps, "symbol size", 0, UINT32_MAX, &size) < 0) ||
        expect_end(ps) < 0) {
        free(text);
        return;
    }
    if (sl_build_sym(a->b, (uint8_t)kind, (uint32_t)value, (uint32_t)size, text ? text : name.p,
                     text ? text_len : name.len) < 0)
        out_of_memory(a);
    free(text);
    (void)dir;
}

/* NAME or "NAME" (any bytes) for debug names: a malloc'd copy in *out (length *len), or -1. */
static int parse_dbg_name(Parser *ps, const char *what, char **out, size_t *len)
{
    Asm *a = ps->a;
    Tok name = ps->tok;
    *out = NULL;
    if (name.kind == TOK_STR) {
        uint32_t bad_col = 0;
        char *text = malloc(name.len + 1);
        if (!text) {
            out_of_memory(a);
            return -1;
        }
        long n = asm_lex_string(&name, text, &bad_col);
        if (n < 0 || n > UINT16_MAX) {
            error_at(a, a->line, n < 0 ? bad_col : name.col,
                     n < 0 ? "invalid escape in string (use \\\\, \\\", \\n, \\t, \\r, \\0 or \\xHH)"
                           : "name longer than 65535 bytes");
            free(text);
            return -1;
        }
        *out = text;
        *len = (size_t)n;
    } else if (name.kind == TOK_IDENT) {
        *out = malloc(name.len + 1);
        if (!*out) {
            out_of_memory(a);
            return -1;
        }
        memcpy(*out, name.p, name.len);
        *len = name.len;
    } else {
        unexpected(ps, what);
        return -1;
    }
    advance(ps);
    return 0;
}

/* .type NAME|"NAME" SIZE: a header type of SIZE bytes (DBG_TYPES); its .field lines follow. */
static void dir_type(Parser *ps, const Tok *dir)
{
    Asm *a = ps->a;
    char *name;
    size_t len;
    int64_t size;
    advance(ps);
    if (parse_dbg_name(ps, "a type name", &name, &len) < 0)
        return;
    if (parse_ranged(ps, "type size", 0, UINT32_MAX, &size) == 0 && expect_end(ps) == 0)
        build_failed(a, sl_build_type(a->b, name, len, (uint32_t)size), dir, "types", UINT32_MAX / 16);
    free(name);
}

/* .field NAME|"NAME" BIT_OFFSET BITS: a field of the last .type, BITS 1..64 inside it. */
static void dir_field(Parser *ps, const Tok *dir)
{
    Asm *a = ps->a;
    char *name;
    size_t len;
    int64_t off, bits;
    advance(ps);
    if (parse_dbg_name(ps, "a field name", &name, &len) < 0)
        return;
    if (parse_ranged(ps, "bit offset", 0, UINT32_MAX, &off) == 0 &&
        parse_ranged(ps, "field width", 1, 64, &bits) == 0 && expect_end(ps) == 0) {
        int rc = sl_build_field(a->b, name, len, (uint32_t)off, (uint32_t)bits);
        if (rc == -SL_EARG)
            error_at(a, a->line, dir->col,
                     sl_build_type_count(a->b) ? "field runs past the end of its type (.type size in bytes)"
                                               : ".field before any .type");
        else
            build_failed(a, rc, dir, "fields", UINT16_MAX);
    }
    free(name);
}

/* .hdr NAME|"NAME" TYPE LOCATION START END: header variable NAME (type index TYPE, declared
 * by a .type before) has its packet offset at LOCATION (as .sym var values: 0x80000000 | register,
 * 0x40000000 | constant offset, or a state address) while instructions START..END-1 run. */
static void dir_hdr(Parser *ps, const Tok *dir)
{
    Asm *a = ps->a;
    char *name;
    size_t len;
    int64_t type, loc, start, end;
    advance(ps);
    if (parse_dbg_name(ps, "a header variable name", &name, &len) < 0)
        return;
    uint32_t type_col = ps->tok.col;
    if (parse_ranged(ps, "type index", 0, UINT32_MAX, &type) == 0 &&
        parse_ranged(ps, "location", 0, UINT32_MAX, &loc) == 0 &&
        parse_ranged(ps, "first instruction", 0, UINT32_MAX, &start) == 0 &&
        parse_ranged(ps, "end instruction", 0, UINT32_MAX, &end) == 0 && expect_end(ps) == 0) {
        if ((uint64_t)type >= sl_build_type_count(a->b))
            error_at(a, a->line, type_col, "type index %lld not declared by a .type before it", (long long)type);
        else if (!sl_dbg_loc_valid((uint32_t)loc))
            error_at(a, a->line, dir->col, "location %lld: a register location (bit 31) has other bits set",
                     (long long)loc);
        else if (start > end)
            error_at(a, a->line, dir->col, "instruction range %lld..%lld ends before it starts", (long long)start,
                     (long long)end);
        else
            build_failed(a, sl_build_hdr(a->b, name, len, (uint32_t)type, (uint32_t)loc, (uint32_t)start,
                                         (uint32_t)end),
                         dir, "header variables", UINT32_MAX / 32);
    }
    free(name);
}

/* .file "NAME" */
static void dir_file(Parser *ps, const Tok *dir)
{
    Asm *a = ps->a;
    advance(ps);
    if (ps->tok.kind != TOK_STR) {
        unexpected(ps, "a quoted file name");
        return;
    }
    Tok s = ps->tok;
    advance(ps);
    if (expect_end(ps) < 0)
        return;
    char *text = malloc(s.len);
    if (!text) {
        out_of_memory(a);
        return;
    }
    uint32_t bad_col = 0;
    long n = asm_lex_string(&s, text, &bad_col);
    if (n < 0)
        error_at(a, a->line, bad_col, "invalid escape in string (use \\\\, \\\", \\n, \\t, \\r, \\0 or \\xHH)");
    else if (n > UINT16_MAX)
        error_at(a, a->line, s.col, "file name longer than 65535 bytes");
    else
        build_failed(a, sl_build_file(a->b, text, (size_t)n), dir, "files", UINT32_MAX / 4);
    free(text);
}

/* .loc FILE_INDEX LINE COL */
static void dir_loc(Parser *ps, const Tok *dir)
{
    Asm *a = ps->a;
    int64_t file, line, col;
    advance(ps);
    uint32_t file_col = ps->tok.col;
    if (parse_ranged(ps, "file index", 0, UINT32_MAX, &file) < 0 ||
        parse_ranged(ps, "line", 0, UINT32_MAX, &line) < 0 || parse_ranged(ps, "column", 0, UINT32_MAX, &col) < 0 ||
        expect_end(ps) < 0)
        return;
    if ((uint64_t)file >= sl_build_file_count(a->b)) {
        error_at(a, a->line, file_col, "file index %lld not declared by a .file before it", (long long)file);
        return;
    }
    SlLine row = {sl_build_insn_count(a->b), (uint32_t)file, (uint32_t)line, (uint32_t)col};
    build_failed(a, sl_build_line(a->b, &row), dir, "line rows", SL_MAX_CODE);
}

/* Adds an instruction to the current function (a placeholder when the line had an error). */
static void emit(Asm *a, const SlInsn *in, uint32_t col)
{
    if (!a->in_func)
        error_at(a, a->line, col, "instruction outside a function (start one with .func)");
    a->func_insns++;
    int rc = sl_build_insn(a->b, in);
    if (rc == -SL_ENOMEM)
        out_of_memory(a);
    else if (rc < 0)
        error_at(a, a->line, col, "too many instructions (the limit is %d)", SL_MAX_CODE);
}

/* .insn OP, A, B, OFF, IMM: any encoding, even one the verifier rejects. */
static void dir_insn(Parser *ps, const Tok *dir)
{
    Asm *a = ps->a;
    int64_t op, ra, rb, off;
    SlInsn in = {0, 0, 0, 0, 0, 0};
    advance(ps);
    int ok = parse_ranged(ps, "opcode", 0, 255, &op) == 0 && expect_punct(ps, ',') == 0 &&
             parse_ranged(ps, "register field", 0, 15, &ra) == 0 && expect_punct(ps, ',') == 0 &&
             parse_ranged(ps, "register field", 0, 15, &rb) == 0 && expect_punct(ps, ',') == 0 &&
             parse_ranged(ps, "offset", INT16_MIN, INT16_MAX, &off) == 0 && expect_punct(ps, ',') == 0 &&
             parse_imm32(ps, "immediate", &in.imm) == 0 && expect_end(ps) == 0;
    if (ok) {
        in.op = (uint8_t)op;
        in.a = (uint8_t)ra;
        in.b = (uint8_t)rb;
        in.off = (int16_t)off;
    }
    emit(a, &in, dir->col);
}

static void parse_directive(Parser *ps)
{
    static const struct {
        const char *name;
        void (*fn)(Parser *, const Tok *);
    } dirs[] = {
        {".func", dir_func},   {".handler", dir_handler}, {".state", dir_state}, {".data", dir_data},
        {".const", dir_const}, {".table", dir_table},     {".port", dir_port},   {".sym", dir_sym},
        {".file", dir_file},   {".loc", dir_loc},         {".insn", dir_insn},   {".type", dir_type},
        {".field", dir_field}, {".hdr", dir_hdr},
    };
    Tok dir = ps->tok;
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
        if (strlen(dirs[i].name) == dir.len && memcmp(dirs[i].name, dir.p, dir.len) == 0) {
            dirs[i].fn(ps, &dir);
            return;
        }
    char buf[64];
    show(&dir, buf, sizeof buf);
    error_at(ps->a, ps->a->line, dir.col, "unknown directive '%s'", buf);
}

/* NAME: */
static int parse_label(Parser *ps, const Tok *name)
{
    Asm *a = ps->a;
    if (check_name(ps, name, "a label") < 0)
        return -1;
    uint32_t at = sl_build_insn_count(a->b);
    const Entry *old;
    int rc = map_add(&a->labels, name->p, name->len, at, a->line, &old);
    if (rc == 1) {
        char buf[64];
        show(name, buf, sizeof buf);
        error_at(a, a->line, name->col, "duplicate label '%s' (first defined on line %u)", buf, old->line);
        return -1;
    }
    if (rc < 0 || sl_build_sym(a->b, SL_SYM_LABEL, at, 0, name->p, name->len) < 0) {
        out_of_memory(a);
        return -1;
    }
    return 0;
}

static void parse_line(Asm *a, const char *line, size_t len)
{
    Parser ps = {.a = a};
    asm_lex_init(&ps.lx, line, len);
    advance(&ps);
    while (ps.tok.kind == TOK_IDENT) { /* labels: NAME: (several may share a line) */
        Tok first = ps.tok;
        Lexer save = ps.lx;
        advance(&ps);
        if (!is_punct(&ps.tok, ':')) {
            ps.lx = save;
            ps.tok = first;
            break;
        }
        if (parse_label(&ps, &first) < 0)
            return;
        advance(&ps);
    }
    switch (ps.tok.kind) {
    case TOK_END: return;
    case TOK_DIR: parse_directive(&ps); return;
    case TOK_IDENT: {
        SlInsn in = {0, 0, 0, 0, 0, 0};
        uint32_t col = ps.tok.col;
        uint32_t index = sl_build_insn_count(a->b);
        if (parse_instruction(&ps, &in, index) < 0)
            memset(&in, 0, sizeof in);
        emit(a, &in, col);
        return;
    }
    case TOK_NUM:
    case TOK_STR:
    case TOK_PUNCT:
    case TOK_WORD:
    case TOK_BAD: unexpected(&ps, "an instruction, a directive or a label"); return;
    }
}

/* ---- after the last line -------------------------------------------------------------- */

static void resolve(Asm *a)
{
    static const char *const what[] = {"label", "function", "table", "function"};
    for (uint32_t i = 0; i < a->fix_count && a->nerr < SL_ASM_MAX_ERRORS; i++) {
        const Fixup *f = &a->fix[i];
        const Map *m = f->kind == FIX_LABEL ? &a->labels : f->kind == FIX_TABLE ? &a->tables : &a->funcs;
        const Entry *e = map_find(m, f->name, f->len);
        char buf[64];
        asm_lex_show(f->name, f->len, buf, sizeof buf);
        if (!e) {
            error_at(a, f->line, f->col, "undefined %s '%s'", what[f->kind], buf);
            continue;
        }
        switch (f->kind) {
        case FIX_LABEL: {
            int64_t rel = (int64_t)e->value - (int64_t)f->index - 1;
            if (rel < INT16_MIN || rel > INT16_MAX) {
                error_at(a, f->line, f->col, "branch to '%s' is too far (offset %lld does not fit 16 bits)", buf,
                         (long long)rel);
                continue;
            }
            sl_build_insn_at(a->b, f->index)->off = (int16_t)rel;
            break;
        }
        case FIX_FUNC:
        case FIX_TABLE: sl_build_insn_at(a->b, f->index)->imm = (int32_t)e->value; break;
        case FIX_HANDLER: a->handlers[f->index].func = e->value; break;
        }
    }
}

static void finish(Asm *a)
{
    end_function(a);
    if (sl_build_func_count(a->b) == 0)
        error_at(a, 1, 1, "no functions (a program needs at least one .func with instructions)");
    resolve(a);
    if (a->data_len > a->state_size)
        error_at(a, a->data_line, a->data_col,
                 "initial state data (%llu bytes) is longer than the state size (%u bytes)",
                 (unsigned long long)a->data_len, a->state_size);
    for (uint32_t i = 0; i < a->handler_count; i++)
        if (sl_build_handler(a->b, &a->handlers[i]) < 0)
            out_of_memory(a);
}

int sl_asm_assemble(const char *src, size_t len, const char *filename, int flags, uint8_t **out,
                    size_t *out_len, char *err, size_t errcap)
{
    Asm a;
    memset(&a, 0, sizeof a);
    a.filename = filename ? filename : "<input>";
    a.err = err;
    a.errcap = errcap;
    if (errcap)
        err[0] = '\0';
    *out = NULL;
    *out_len = 0;
    if (!src && len)
        return -SL_EARG;
    a.b = sl_build_new();
    if (!a.b) {
        a.line = 1;
        out_of_memory(&a);
        return -SL_ENOMEM;
    }

    size_t pos = 0;
    a.line = 0;
    while (pos < len && a.nerr < SL_ASM_MAX_ERRORS && !a.oom) {
        const char *nl = memchr(src + pos, '\n', len - pos);
        size_t line_len = nl ? (size_t)(nl - (src + pos)) : len - pos;
        a.line++;
        parse_line(&a, src + pos, line_len);
        pos += line_len + (nl ? 1 : 0);
    }
    if (a.nerr < SL_ASM_MAX_ERRORS && !a.oom)
        finish(&a);

    int rc = 0;
    if (a.nerr == 0) {
        rc = sl_build_write(a.b, (flags & SL_ASM_STRIP) ? SL_BUILD_STRIP : 0, out, out_len);
        if (rc < 0) {
            error_at(&a, a.line ? a.line : 1, 1, "cannot write the image: %s", sl_error_text(rc));
            rc = rc == -SL_ENOMEM ? rc : -SL_ESYNTAX;
        }
    } else {
        rc = a.oom ? -SL_ENOMEM : -SL_ESYNTAX;
    }
    sl_build_free(a.b);
    free(a.labels.slots);
    free(a.funcs.slots);
    free(a.tables.slots);
    free(a.fix);
    free(a.handlers);
    return rc;
}
