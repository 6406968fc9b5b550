/* Expressions for print, break ... if, condition and set: a small C-like language over what a
 * stopped program has.
 *
 *   expr    := or ; precedence climbing over || && | ^ & == != < <= > >= << >> + - * / %
 *   unary   := ('-' | '!' | '~') unary | postfix
 *   primary := NUMBER | MAC | IPV4 | IPV6 | '(' expr ')' | NAME | NAME '[' expr [':' expr] ']'
 *
 * Values are unsigned 64-bit integers, or byte strings (packet slices, addresses, wide state
 * variables) that also read as big-endian integers when at most 8 bytes long; arithmetic
 * wraps, division by zero is an error. Names, first match wins: r0..r15, pc, len, port, a
 * field of a header variable in scope (h.field, repl_types.c), a variable of the current
 * function (debug info, SL_SYM_VAR: a register or state), a state symbol, a header field of
 * the current packet (ip.ttl, eth.src; repl_dissect.c), and the
 * accessors pkt[i] (a byte), pkt[a:b] (bytes), mem[a:b] (state bytes), mem8/16/32/64[a]
 * (state, little-endian as ldm reads it).
 *
 * Errors (bad syntax, unknown names, no packet, out of range) come back as text; nesting is
 * limited so that no input can exhaust the stack. */
#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "repl.h"

enum { MAX_DEPTH = 64 };

typedef struct Parser {
    ReplCtx *c;
    const char *p;
    char *err;
    size_t errcap;
    int failed;
    int depth;
} Parser;

static int fail(Parser *ps, const char *fmt, const char *arg)
{
    if (!ps->failed) {
        snprintf(ps->err, ps->errcap, fmt, arg);
        ps->failed = 1;
    }
    return -1;
}

static void skip_ws(Parser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\t')
        ps->p++;
}

static ReplValue int_value(uint64_t x)
{
    ReplValue v;
    memset(&v, 0, sizeof v);
    v.v = x;
    return v;
}

static ReplValue bytes_value(const uint8_t *p, uint32_t n, int hint)
{
    ReplValue v;
    memset(&v, 0, sizeof v);
    v.is_bytes = 1;
    v.len = n;
    v.hint = hint;
    v.bits = n * 8;
    memcpy(v.bytes, p, n);
    for (uint32_t i = 0; i < n && n <= 8; i++)
        v.v = v.v << 8 | p[i];
    return v;
}

/* Literal forms at s (MAC, IPv4, IPv6, number): consumed length, 0 if none. */
static size_t scan_literal(const char *s, ReplValue *out)
{
    size_t run = strspn(s, "0123456789abcdefABCDEFxX:.");
    char buf[64];
    if (run >= sizeof buf)
        run = sizeof buf - 1;
    memcpy(buf, s, run);
    buf[run] = '\0';
    /* MAC: six groups of two hex digits */
    if (run >= 17) {
        unsigned m[6];
        char tail;
        if (strlen(buf) >= 17 && sscanf(buf, "%2x:%2x:%2x:%2x:%2x:%2x%c", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5],
                                        &tail) == 6 &&
            buf[2] == ':' && buf[5] == ':' && buf[8] == ':' && buf[11] == ':' && buf[14] == ':' && run == 17) {
            uint8_t b[6];
            for (int i = 0; i < 6; i++)
                b[i] = (uint8_t)m[i];
            *out = bytes_value(b, 6, HINT_MAC);
            return 17;
        }
    }
    uint8_t addr[16];
    if (strchr(buf, '.') && !strchr(buf, ':') && inet_pton(AF_INET, buf, addr) == 1) {
        *out = bytes_value(addr, 4, HINT_IPV4);
        return run;
    }
    if (strchr(buf, ':') && (strstr(buf, "::") || strchr(strchr(buf, ':') + 1, ':')) &&
        inet_pton(AF_INET6, buf, addr) == 1) {
        *out = bytes_value(addr, 16, HINT_IPV6);
        return run;
    }
    if (!isdigit((unsigned char)s[0]))
        return 0;
    char *end;
    unsigned long long x = strtoull(s, &end, 0);
    if (end == s)
        return 0;
    if (isalnum((unsigned char)*end) || *end == '_')
        return 0; /* 12abc */
    *out = int_value(x);
    return (size_t)(end - s);
}

static int parse_expr(Parser *ps, ReplValue *out);

static int read_state(Parser *ps, uint64_t addr, uint64_t n, const char *what, ReplValue *out, int little)
{
    if (!ps->c->v)
        return fail(ps, "%s: no program loaded", what);
    uint32_t size;
    const uint8_t *st = sl_vm_state(ps->c->v->vm, &size);
    if (addr > size || n > size - addr || n == 0 || n > REPL_MAX_BYTES)
        return fail(ps, "%s: outside the state memory (or more than 64 bytes)", what);
    if (little) {
        uint64_t x = 0;
        for (uint64_t i = n; i-- > 0;)
            x = x << 8 | st[addr + i];
        *out = int_value(x);
        out->bits = (uint32_t)n * 8;
        return 0;
    }
    *out = bytes_value(st + addr, (uint32_t)n, HINT_NONE);
    return 0;
}

static int need_packet(Parser *ps, const char *what)
{
    if (!ps->c->pkt)
        return fail(ps, "%s: no packet (run or send one first)", what);
    return 0;
}

/* NAME '[' a [':' b] ']' accessors. */
static int parse_index(Parser *ps, const char *name, ReplValue *out)
{
    ReplValue a, b;
    int slice = 0;
    ps->p++; /* '[' */
    if (parse_expr(ps, &a) < 0)
        return -1;
    skip_ws(ps);
    if (*ps->p == ':') {
        ps->p++;
        if (parse_expr(ps, &b) < 0)
            return -1;
        slice = 1;
        skip_ws(ps);
    }
    if (*ps->p != ']')
        return fail(ps, "syntax error: ']' expected after %s[...", name);
    ps->p++;
    if (strcmp(name, "pkt") == 0) {
        if (need_packet(ps, "pkt") < 0)
            return -1;
        const SlPacket *pk = ps->c->pkt;
        uint64_t lo = a.v, hi = slice ? b.v : a.v + 1;
        if (hi <= lo || hi > pk->len || hi - lo > REPL_MAX_BYTES) {
            char n[16];
            snprintf(n, sizeof n, "%u", pk->len);
            return fail(ps, "pkt[...]: outside the packet (it has %s bytes), empty, or more than 64 bytes", n);
        }
        *out = bytes_value(pk->buf + pk->head + lo, (uint32_t)(hi - lo), HINT_NONE);
        if (!slice)
            out->is_bytes = 0;
        return 0;
    }
    if (strcmp(name, "mem") == 0) {
        if (!slice)
            return read_state(ps, a.v, 1, "mem[...]", out, 1);
        if (b.v <= a.v)
            return fail(ps, "%s: empty slice", "mem[a:b]");
        return read_state(ps, a.v, b.v - a.v, "mem[a:b]", out, 0);
    }
    unsigned width = strcmp(name, "mem8") == 0 ? 1 : strcmp(name, "mem16") == 0 ? 2 : strcmp(name, "mem32") == 0 ? 4
                     : strcmp(name, "mem64") == 0                                  ? 8 : 0;
    if (width && !slice)
        return read_state(ps, a.v, width, name, out, 1);
    return fail(ps, "%s[...]: only pkt[a], pkt[a:b], mem[a:b] and mem8/16/32/64[a] take an index", name);
}

static int parse_name(Parser *ps, ReplValue *out)
{
    char name[128];
    size_t n = 0;
    while ((isalnum((unsigned char)*ps->p) || *ps->p == '_' || *ps->p == '.') && n + 1 < sizeof name)
        name[n++] = *ps->p++;
    name[n] = '\0';
    skip_ws(ps);
    if (*ps->p == '[')
        return parse_index(ps, name, out);
    ReplCtx *c = ps->c;
    if (name[0] == 'r' && isdigit((unsigned char)name[1])) {
        char *end;
        unsigned long k = strtoul(name + 1, &end, 10);
        if (!*end && k < SL_NREGS) {
            if (!c->v || !c->have_regs)
                return fail(ps, "%s: no run yet: registers unknown", name);
            *out = int_value(sl_vm_regs(c->v->vm)[k]);
            return 0;
        }
    }
    if (strcmp(name, "pc") == 0) {
        if (!c->have_regs)
            return fail(ps, "%s: no run yet", name);
        *out = int_value(c->pc);
        return 0;
    }
    if (strcmp(name, "len") == 0 || strcmp(name, "port") == 0) {
        if (need_packet(ps, name) < 0)
            return -1;
        *out = int_value(name[0] == 'l' ? c->pkt->len : c->pkt->in_port);
        return 0;
    }
    if (c->v && strchr(name, '.')) { /* h.field of a header variable (DBG_TYPES) */
        char err[256];
        int hr = repl_hdr_field_get(c, name, out, err, sizeof err);
        if (hr > 0)
            return 0;
        if (hr < 0) { /* out of scope or past the end: a standard field of that name, if any */
            if (c->pkt && repl_field_get(c->pkt->buf + c->pkt->head, c->pkt->len, name, out) == 1) {
                c->absent = 0;
                return 0;
            }
            return fail(ps, "%s", err);
        }
    }
    if (c->v) {
        const ReplSym *s = repl_var_find(c->v, c->pc, name);
        if (s) {
            if (s->value & 0x80000000u) {
                if (!c->have_regs)
                    return fail(ps, "%s: no run yet: registers unknown", name);
                uint64_t x = sl_vm_regs(c->v->vm)[s->value & 15];
                if (s->size && s->size < 8)
                    x &= (1ull << (8 * s->size)) - 1;
                *out = int_value(x);
                out->bits = s->size * 8;
                return 0;
            }
            return read_state(ps, s->value, s->size ? s->size : 8, name, out, s->size <= 8);
        }
        s = repl_sym_find(&c->v->dbg, SL_SYM_STATE, name);
        if (s)
            return read_state(ps, s->value, s->size ? s->size : 8, name, out, s->size <= 8);
    }
    int rc = 0;
    if (strchr(name, '.')) {
        if (!c->pkt) {
            /* a field name is fine in a condition set before any packet: only say so */
            ReplValue tmp;
            static const uint8_t none[1];
            if (repl_field_get(none, 0, name, &tmp) < 0)
                return fail(ps, "%s: no such variable, state symbol or header field", name);
            c->absent = 1;
            return fail(ps, "%s: no packet", name);
        }
        rc = repl_field_get(c->pkt->buf + c->pkt->head, c->pkt->len, name, out);
        if (rc == 1)
            return 0;
        if (rc == 0) {
            c->absent = 1;
            return fail(ps, "%s: the packet has no such header", name);
        }
    }
    return fail(ps, "%s: no such register, variable, state symbol or header field", name);
}

static int parse_primary(Parser *ps, ReplValue *out)
{
    skip_ws(ps);
    if (++ps->depth > MAX_DEPTH)
        return fail(ps, "%s", "expression nested too deeply");
    int rc;
    if (*ps->p == '(') {
        ps->p++;
        rc = parse_expr(ps, out);
        skip_ws(ps);
        if (rc == 0 && *ps->p != ')')
            rc = fail(ps, "syntax error: %s", "')' expected");
        else if (rc == 0)
            ps->p++;
    } else if (*ps->p == '-' || *ps->p == '!' || *ps->p == '~') {
        char op = *ps->p++;
        rc = parse_primary(ps, out);
        if (rc == 0) {
            uint64_t x = out->v;
            *out = int_value(op == '-' ? 0 - x : op == '!' ? !x : ~x);
        }
    } else {
        size_t n = isxdigit((unsigned char)*ps->p) ? scan_literal(ps->p, out) : 0;
        if (n) {
            ps->p += n;
            rc = 0;
        } else if (isalpha((unsigned char)*ps->p) || *ps->p == '_') {
            rc = parse_name(ps, out);
        } else if (!*ps->p) {
            rc = fail(ps, "syntax error: %s", "value expected at the end");
        } else {
            char tok[8];
            snprintf(tok, sizeof tok, "%.5s", ps->p);
            rc = fail(ps, "syntax error at '%s'", tok);
        }
    }
    ps->depth--;
    return rc;
}

typedef struct Op {
    const char *text;
    int prec;
} Op;

static const Op ops[] = {
    {"||", 1}, {"&&", 2}, {"==", 6}, {"!=", 6}, {"<=", 7}, {">=", 7}, {"<<", 8}, {">>", 8},
    {"|", 3},  {"^", 4},  {"&", 5},  {"<", 7},  {">", 7},  {"+", 9},  {"-", 9},  {"*", 10},
    {"/", 10}, {"%", 10},
};

static const Op *peek_op(Parser *ps)
{
    skip_ws(ps);
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strncmp(ps->p, ops[i].text, strlen(ops[i].text)) == 0)
            return &ops[i];
    return NULL;
}

static int equal_values(const ReplValue *a, const ReplValue *b)
{
    if ((a->is_bytes && a->len > 8) || (b->is_bytes && b->len > 8))
        return a->is_bytes && b->is_bytes && a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
    return a->v == b->v;
}

static int apply(Parser *ps, const Op *op, ReplValue *l, const ReplValue *rv)
{
    uint64_t a = l->v, b = rv->v, x = 0;
    const char *t = op->text;
    if (strcmp(t, "==") == 0 || strcmp(t, "!=") == 0) {
        int eq = equal_values(l, rv);
        *l = int_value(t[0] == '=' ? eq : !eq);
        return 0;
    }
    if ((l->is_bytes && l->len > 8) || (rv->is_bytes && rv->len > 8))
        return fail(ps, "'%s' on a value wider than 64 bits (only == and != compare those)", t);
    if (strcmp(t, "||") == 0) x = a || b;
    else if (strcmp(t, "&&") == 0) x = a && b;
    else if (strcmp(t, "<=") == 0) x = a <= b;
    else if (strcmp(t, ">=") == 0) x = a >= b;
    else if (strcmp(t, "<<") == 0) x = a << (b & 63);
    else if (strcmp(t, ">>") == 0) x = a >> (b & 63);
    else if (t[0] == '|') x = a | b;
    else if (t[0] == '^') x = a ^ b;
    else if (t[0] == '&') x = a & b;
    else if (t[0] == '<') x = a < b;
    else if (t[0] == '>') x = a > b;
    else if (t[0] == '+') x = a + b;
    else if (t[0] == '-') x = a - b;
    else if (t[0] == '*') x = a * b;
    else if (t[0] == '/' || t[0] == '%') {
        if (!b)
            return fail(ps, "%s", "division by zero");
        x = t[0] == '/' ? a / b : a % b;
    }
    *l = int_value(x);
    return 0;
}

/* Precedence climbing: operands of at least min_prec. */
static int parse_binary(Parser *ps, int min_prec, ReplValue *out)
{
    if (parse_primary(ps, out) < 0)
        return -1;
    for (;;) {
        const Op *op = peek_op(ps);
        if (!op || op->prec < min_prec)
            return 0;
        ps->p += strlen(op->text);
        ReplValue rhs;
        if (++ps->depth > MAX_DEPTH)
            return fail(ps, "%s", "expression nested too deeply");
        int rc = parse_binary(ps, op->prec + 1, &rhs);
        ps->depth--;
        if (rc < 0 || apply(ps, op, out, &rhs) < 0)
            return -1;
    }
}

static int parse_expr(Parser *ps, ReplValue *out)
{
    return parse_binary(ps, 1, out);
}

void repl_ctx(Repl *r, ReplCtx *c)
{
    memset(c, 0, sizeof *c);
    c->r = r;
    c->v = repl_cur(r);
    if (r->run.have_packet && c->v && r->run.vm == r->cur) {
        c->pkt = &r->run.pkt;
        c->pc = r->run.pc;
        c->have_regs = 1;
    }
}

int repl_eval(ReplCtx *c, const char *text, ReplValue *out, char *err, size_t errcap)
{
    Parser ps = {.c = c, .p = text, .err = err, .errcap = errcap};
    c->absent = 0;
    err[0] = '\0';
    if (parse_expr(&ps, out) < 0)
        return -1;
    skip_ws(&ps);
    if (*ps.p) {
        char tok[16];
        snprintf(tok, sizeof tok, "%.10s", ps.p);
        snprintf(err, errcap, "syntax error at '%s'", tok);
        return -1;
    }
    return 0;
}

int repl_parse_literal(const char *text, ReplValue *out)
{
    while (*text == ' ')
        text++;
    if (*text == '{') { /* hex bytes */
        uint8_t b[REPL_MAX_BYTES];
        uint32_t n = 0;
        const char *p = text + 1;
        for (;;) {
            while (*p == ' ' || *p == ',')
                p++;
            if (*p == '}')
                break;
            if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]) || n == REPL_MAX_BYTES)
                return -1;
            char h[3] = {p[0], p[1], 0};
            b[n++] = (uint8_t)strtoul(h, NULL, 16);
            p += 2;
        }
        if (p[1 + strspn(p + 1, " ")] || n == 0)
            return -1;
        *out = bytes_value(b, n, HINT_NONE);
        return 0;
    }
    size_t n = scan_literal(text, out);
    if (!n)
        return -1;
    text += n;
    if (*text == '/' && out->is_bytes && (out->hint == HINT_IPV4 || out->hint == HINT_IPV6)) {
        char *end;
        unsigned long plen = strtoul(text + 1, &end, 10);
        if (end == text + 1 || plen > out->len * 8u)
            return -1;
        out->bytes[out->len++] = (uint8_t)plen;
        out->v = 0;
        text = end;
    }
    return *text ? -1 : 0;
}

int repl_value_bytes(const ReplValue *v, uint32_t size, uint8_t *out)
{
    if (v->is_bytes) {
        if (v->len != size)
            return -1;
        memcpy(out, v->bytes, size);
        return 0;
    }
    if (size < 8 && (v->v >> (8 * size)) != 0)
        return -1;
    memset(out, 0, size);
    for (uint32_t i = 0; i < size && i < 8; i++)
        out[i] = (uint8_t)(v->v >> (8 * i));
    return 0;
}

static void hex_bytes(const uint8_t *p, uint32_t n, char *buf, size_t cap)
{
    size_t k = 0;
    buf[0] = '\0';
    for (uint32_t i = 0; i < n && k + 4 < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, "%s%02x", i ? " " : "", p[i]);
}

void repl_value_format(const ReplValue *v, int fmt, char *buf, size_t cap)
{
    int wide = v->is_bytes && v->len > 8;
    unsigned digits = v->bits ? (v->bits + 3) / 4 : 1;
    if (fmt == 0) {
        if (v->hint == HINT_MAC)
            fmt = 'm';
        else if (v->hint == HINT_IPV4 || v->hint == HINT_IPV6)
            fmt = 'i';
        else if (wide)
            fmt = 'b';
    }
    switch (fmt) {
    case 'x':
        if (wide)
            hex_bytes(v->bytes, v->len, buf, cap);
        else
            snprintf(buf, cap, "0x%0*" PRIx64, (int)digits, v->v);
        return;
    case 'd':
        if (wide)
            hex_bytes(v->bytes, v->len, buf, cap);
        else
            snprintf(buf, cap, "%" PRIu64, v->v);
        return;
    case 'b': {
        uint8_t tmp[8];
        if (v->is_bytes) {
            hex_bytes(v->bytes, v->len, buf, cap);
            return;
        }
        uint32_t n = v->bits ? v->bits / 8 : 8;
        for (uint32_t i = 0; i < n; i++)
            tmp[i] = (uint8_t)(v->v >> (8 * (n - 1 - i)));
        hex_bytes(tmp, n, buf, cap);
        return;
    }
    case 'm':
        if (wide || v->v >> 48) {
            snprintf(buf, cap, "(not a MAC address: wider than 48 bits)");
            return;
        }
        snprintf(buf, cap, "%02x:%02x:%02x:%02x:%02x:%02x", (unsigned)(v->v >> 40 & 255), (unsigned)(v->v >> 32 & 255),
                 (unsigned)(v->v >> 24 & 255), (unsigned)(v->v >> 16 & 255), (unsigned)(v->v >> 8 & 255),
                 (unsigned)(v->v & 255));
        return;
    case 'i':
        if (v->is_bytes && v->len == 16) {
            char t[64];
            inet_ntop(AF_INET6, v->bytes, t, sizeof t);
            snprintf(buf, cap, "%s", t);
        } else if (!wide && !(v->v >> 32)) {
            snprintf(buf, cap, "%u.%u.%u.%u", (unsigned)(v->v >> 24 & 255), (unsigned)(v->v >> 16 & 255),
                     (unsigned)(v->v >> 8 & 255), (unsigned)(v->v & 255));
        } else {
            snprintf(buf, cap, "(not an IP address: neither 32 bits nor 16 bytes)");
        }
        return;
    default:
        snprintf(buf, cap, "%" PRIu64 " (0x%0*" PRIx64 ")", v->v, (int)digits, v->v);
        return;
    }
}
