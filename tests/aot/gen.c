/* The random program generator (gen.h).
 *
 * Validity by construction, so that every program passes the verifier:
 * - every register is written before anything else happens in a function (r0..r15 in handlers,
 *   r0 and r<nargs+1>..r15 in callees), and r1..r5 again after every call, so no read is of an
 *   undefined register;
 * - a function calls only functions after it: no recursion, bounded depth;
 * - control flow is structured: forward branches skip over a nested block, loops run a counter
 *   (r13, r14, r15 by nesting depth, which nothing else writes) down to zero, so every loop ends
 *   unless the counter starts at zero, and the driver's small packet budget bounds even those
 *   (they end in a FUEL fault);
 * - every function ends in a terminator; callees return with r0 written.
 * Faults come from data: division by a register that may be zero, addresses and offsets a
 * little outside the state or packet, resizes past the window, bad ports, full tables, prefix
 * lengths past the key, traps. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

void aotgen_seed(AotRng *r, uint64_t seed) { r->s = seed * 0x9e3779b97f4a7c15ull + 0x2545f4914f6cdd1dull; }

uint64_t aotgen_next(AotRng *r)
{
    uint64_t x = r->s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->s = x;
    return x * 0x2545f4914f6cdd1dull;
}

uint32_t aotgen_below(AotRng *r, uint32_t n) { return (uint32_t)((aotgen_next(r) >> 32) % n); }

typedef struct Text {
    char *p;
    size_t len, cap;
    int oom;
} Text;

static void emit(Text *t, const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0 || t->oom)
        return;
    if (t->len + (size_t)n + 2 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 4096;
        while (cap < t->len + (size_t)n + 2)
            cap *= 2;
        char *p = realloc(t->p, cap);
        if (!p) {
            t->oom = 1;
            return;
        }
        t->p = p;
        t->cap = cap;
    }
    memcpy(t->p + t->len, line, (size_t)n);
    t->len += (size_t)n;
    t->p[t->len++] = '\n';
    t->p[t->len] = '\0';
}

enum { MAX_FUNCS = 5, MAX_TABLES = 3, WRITABLE = 13 /* r0..r12; r13..r15 are loop counters */ };

typedef struct Gen {
    AotRng r;
    Text t;
    uint32_t state;           /* state bytes */
    uint32_t nports;
    uint32_t ntables;
    int lpm[MAX_TABLES];      /* table kind */
    uint32_t key[MAX_TABLES], value[MAX_TABLES];
    uint32_t nfuncs;          /* f0 = main .. */
    uint32_t nargs[MAX_FUNCS];
    uint32_t func;            /* being generated */
    uint32_t labels;
    uint32_t budget;          /* items left in this function */
} Gen;

static uint32_t below(Gen *g, uint32_t n) { return aotgen_below(&g->r, n); }
static int chance(Gen *g, uint32_t pct) { return below(g, 100) < pct; }
static unsigned wreg(Gen *g) { return below(g, WRITABLE); }
static unsigned rreg(Gen *g) { return below(g, 16); }

static int64_t imm32(Gen *g)
{
    static const int64_t special[] = {0, 1, -1, 2, 7, 8, 63, 64, 255, 65535, 0x7fffffff,
                                      -0x7fffffff - 1, -2, 100, 1500};
    if (chance(g, 40))
        return special[below(g, sizeof special / sizeof special[0])];
    if (chance(g, 50))
        return (int64_t)below(g, 200) - 50;
    return (int32_t)(uint32_t)aotgen_next(&g->r);
}

static int64_t nonzero_imm(Gen *g)
{
    int64_t v;
    do
        v = imm32(g);
    while (v == 0);
    return v;
}

/* A state address: usually inside, sometimes just past or far away. */
static int64_t state_addr(Gen *g, uint32_t size)
{
    if (chance(g, 97))
        return g->state > size ? below(g, g->state - size + 1) : 0;
    if (chance(g, 50))
        return (int64_t)g->state - (int64_t)below(g, 8);
    return imm32(g);
}

/* r = v, with mov when v fits the 32-bit immediate, else through the constant pool. */
static void set_reg(Gen *g, unsigned r, int64_t v)
{
    if (v >= -0x7fffffffll - 1 && v <= 0x7fffffffll)
        emit(&g->t, "    mov r%u, %lld", r, (long long)v);
    else
        emit(&g->t, "    ldk r%u, =0x%llx", r, (unsigned long long)v);
}

static void def_regs(Gen *g, unsigned from, unsigned to)
{
    for (unsigned i = from; i <= to; i++) {
        if (chance(g, 15))
            emit(&g->t, "    ldk r%u, =0x%llx", i, (unsigned long long)aotgen_next(&g->r));
        else
            emit(&g->t, "    mov r%u, %lld", i, (long long)imm32(g));
    }
}

static void gen_block(Gen *g, unsigned depth, unsigned items);

static const char *const alu_rr[] = {"add", "sub", "mul", "and", "or", "xor", "shl", "shr", "sar"};
static const char *const alu_div[] = {"div", "sdiv", "mod", "smod"};
static const char *const unary[] = {"neg", "not"};
static const char *const exts[] = {"zext8", "zext16", "zext32", "sext8", "sext16", "sext32", "mov"};
static const char *const conds[] = {"jeq", "jne", "jlt", "jle", "jgt", "jge", "jslt", "jsle",
                                    "jsgt", "jsge", "jset"};
static const unsigned sizes[] = {8, 16, 32, 64};

static void gen_alu(Gen *g)
{
    unsigned a = wreg(g), b = rreg(g);
    switch (below(g, 8)) {
    case 0: emit(&g->t, "    %s r%u, r%u", alu_rr[below(g, 9)], a, b); break;
    case 1: emit(&g->t, "    %s r%u, %lld", alu_rr[below(g, 9)], a, (long long)imm32(g)); break;
    case 2: emit(&g->t, "    %s r%u, r%u", alu_div[below(g, 4)], a, b); break;
    case 3: emit(&g->t, "    %s r%u, %lld", alu_div[below(g, 4)], a, (long long)nonzero_imm(g)); break;
    case 4: emit(&g->t, "    %s r%u", unary[below(g, 2)], a); break;
    case 5: emit(&g->t, "    %s r%u, r%u", exts[below(g, 7)], a, b); break;
    case 6: emit(&g->t, "    mov r%u, %lld", a, (long long)imm32(g)); break;
    default: emit(&g->t, "    ldk r%u, =0x%llx", a, (unsigned long long)aotgen_next(&g->r)); break;
    }
}

static void gen_mem(Gen *g)
{
    unsigned bits = sizes[below(g, 4)], n = bits / 8, base = wreg(g), v = rreg(g);
    int64_t addr = state_addr(g, n);
    int off = chance(g, 70) ? 0 : (int)below(g, 17) - 8;
    set_reg(g, base, addr - off);
    if (chance(g, 50))
        emit(&g->t, "    ldm%u r%u, [r%u%+d]", bits, wreg(g), base, off);
    else
        emit(&g->t, "    stm%u [r%u%+d], r%u", bits, base, off, v);
}

static void gen_pkt(Gen *g)
{
    unsigned bits = sizes[below(g, 4)], n = bits / 8, base = wreg(g);
    if (chance(g, 35)) { /* proven: plen, a guard, then constant offsets in one block */
        unsigned lr = wreg(g);
        uint32_t k = below(g, 64) + n;
        uint32_t l = g->labels++;
        emit(&g->t, "    plen r%u", lr);
        emit(&g->t, "    jlt r%u, %u, L%u", lr, k, l);
        unsigned b2 = base == lr ? (base + 1) % WRITABLE : base;
        for (unsigned i = 0, m = 1 + below(g, 4); i < m; i++) {
            unsigned bb = sizes[below(g, 4)], nn = bb / 8;
            if (nn > k)
                continue;
            uint32_t c = below(g, k - nn + 1);
            uint32_t split = below(g, c + 1);
            emit(&g->t, "    mov r%u, %u", b2, split);
            if (chance(g, 50))
                emit(&g->t, "    ldp%u r%u, [r%u+%u]", bb, wreg(g), b2, c - split);
            else
                emit(&g->t, "    stp%u [r%u+%u], r%u", bb, b2, c - split, rreg(g));
        }
        emit(&g->t, "L%u:", l);
        return;
    }
    int64_t addr = chance(g, 97) ? (int64_t)below(g, 40) : imm32(g);
    int off = chance(g, 60) ? 0 : (int)below(g, 33) - 16;
    set_reg(g, base, addr - off);
    if (chance(g, 50))
        emit(&g->t, "    ldp%u r%u, [r%u%+d]", bits, wreg(g), base, off);
    else
        emit(&g->t, "    stp%u [r%u%+d], r%u", bits, base, off, rreg(g));
}

static void gen_meta(Gen *g)
{
    static const char *const ops[] = {"plen", "inport", "tstamp", "now", "rand"};
    emit(&g->t, "    %s r%u", ops[below(g, 5)], wreg(g));
}

static void gen_resize(Gen *g)
{
    unsigned a = wreg(g);
    int64_t v;
    switch (below(g, 20)) {
    case 0: v = (int64_t)below(g, 300); break;
    case 1: v = -(int64_t)below(g, 2000); break;
    case 2: v = imm32(g); break;
    default: v = (int64_t)below(g, 41) - 16; break;
    }
    static const char *const ops[] = {"padjh", "padjt", "pnew"};
    const char *op = ops[below(g, 3)];
    if (!strcmp(op, "pnew") && v < 0 && chance(g, 80))
        v = -v;
    set_reg(g, a, v);
    emit(&g->t, "    %s r%u", op, a);
}

static void gen_csum_hash(Gen *g)
{
    unsigned a = wreg(g), b = wreg(g), c = wreg(g);
    if (b == c)
        c = (c + 1) % WRITABLE;
    if (chance(g, 50)) {
        emit(&g->t, "    mov r%u, %u", b, chance(g, 97) ? below(g, 40) : below(g, 3000));
        emit(&g->t, "    mov r%u, %u", c, below(g, 30));
        emit(&g->t, "    csum r%u, r%u, r%u", a, b, c);
    } else {
        uint32_t n = below(g, 24);
        set_reg(g, b, state_addr(g, n));
        emit(&g->t, "    hash r%u, r%u, %u", a, b, n);
    }
}

static void gen_table(Gen *g)
{
    if (!g->ntables)
        return gen_alu(g);
    uint32_t t = below(g, g->ntables);
    /* key and value addresses in r0..r8; r11, r12 set an LPM key's prefix length */
    unsigned a = wreg(g), b = below(g, 9), c = (b + 1 + below(g, 8)) % 9;
    uint32_t klen = g->key[t] + (uint32_t)g->lpm[t];
    int64_t ka = state_addr(g, klen), va = state_addr(g, g->value[t]);
    if (g->lpm[t] && chance(g, 70) && ka >= 0 && ka + klen <= g->state) {
        emit(&g->t, "    mov r11, %u", chance(g, 95) ? below(g, 8 * g->key[t] + 1) : 200);
        emit(&g->t, "    mov r12, %lld", (long long)ka);
        emit(&g->t, "    stm8 [r12+%u], r11", g->key[t]);
    }
    set_reg(g, b, ka);
    switch (below(g, 3)) {
    case 0:
        set_reg(g, c, va);
        emit(&g->t, "    tget r%u, r%u, r%u, tb%u", a, b, c, t);
        break;
    case 1:
        set_reg(g, c, va);
        emit(&g->t, "    tput r%u, r%u, r%u, tb%u", a, b, c, t);
        break;
    default: emit(&g->t, "    tdel r%u, r%u, tb%u", a, b, t); break;
    }
}

static void gen_clone(Gen *g)
{
    unsigned a = wreg(g);
    emit(&g->t, "    mov r%u, %u", a, chance(g, 97) && g->nports ? below(g, g->nports) : below(g, 300));
    emit(&g->t, "    clone r%u", a);
}

static void gen_call(Gen *g)
{
    if (g->func + 1 >= g->nfuncs)
        return gen_alu(g);
    uint32_t f = g->func + 1 + below(g, g->nfuncs - g->func - 1);
    emit(&g->t, "    call fn%u", f);
    def_regs(g, 1, 5); /* r1..r5 are undefined after a call */
}

/* A terminator: ends the handler (or returns from a callee). */
static void gen_end(Gen *g)
{
    unsigned a = wreg(g);
    switch (below(g, 7)) {
    case 0:
        emit(&g->t, "    mov r%u, %u", a, chance(g, 90) && g->nports ? below(g, g->nports) : below(g, 1000));
        emit(&g->t, "    send r%u", a);
        break;
    case 1: emit(&g->t, "    drop"); break;
    case 2: emit(&g->t, "    punt"); break;
    case 3: emit(&g->t, "    exit"); break;
    case 4: emit(&g->t, "    trap %lld", (long long)imm32(g)); break;
    default: emit(&g->t, "    ret"); break;
    }
}

static void gen_if(Gen *g, unsigned depth)
{
    uint32_t l = g->labels++;
    const char *c = conds[below(g, 11)];
    if (chance(g, 50))
        emit(&g->t, "    %s r%u, r%u, L%u", c, rreg(g), rreg(g), l);
    else
        emit(&g->t, "    %s r%u, %lld, L%u", c, rreg(g), (long long)imm32(g), l);
    gen_block(g, depth + 1, 1 + below(g, 5));
    if (chance(g, 20))
        gen_end(g);
    emit(&g->t, "L%u:", l);
}

static void gen_loop(Gen *g, unsigned depth)
{
    unsigned ctr = 15 - depth;
    uint32_t l = g->labels++;
    emit(&g->t, "    mov r%u, %u", ctr, chance(g, 3) ? 0 : 1 + below(g, 6));
    emit(&g->t, "L%u:", l);
    gen_block(g, depth + 1, 1 + below(g, 6));
    emit(&g->t, "    sub r%u, 1", ctr);
    if (chance(g, 50)) {
        emit(&g->t, "    jne r%u, 0, L%u", ctr, l);
    } else { /* the same loop with the exit test first and a backward ja */
        uint32_t out = g->labels++;
        emit(&g->t, "    jeq r%u, 0, L%u", ctr, out);
        emit(&g->t, "    ja L%u", l);
        emit(&g->t, "L%u:", out);
    }
}

static void gen_block(Gen *g, unsigned depth, unsigned items)
{
    for (unsigned i = 0; i < items && g->budget; i++) {
        g->budget--; /* nested blocks spend it too: check before, never wrap */
        uint32_t k = below(g, 100);
        if (k < 25)
            gen_alu(g);
        else if (k < 35)
            gen_mem(g);
        else if (k < 47)
            gen_pkt(g);
        else if (k < 52)
            gen_meta(g);
        else if (k < 56)
            gen_resize(g);
        else if (k < 61)
            gen_csum_hash(g);
        else if (k < 70)
            gen_table(g);
        else if (k < 73)
            gen_clone(g);
        else if (k < 79)
            gen_call(g);
        else if (k < 90 && depth < 4)
            gen_if(g, depth);
        else if (k < 97 && depth < 3)
            gen_loop(g, depth);
        else
            gen_alu(g);
    }
}

static void gen_func(Gen *g, uint32_t f, const char *name)
{
    g->func = f;
    g->budget = f == 0 ? 20 + below(g, 50) : 5 + below(g, 20);
    emit(&g->t, ".func %s %u", name, g->nargs[f]);
    def_regs(g, 0, 0);
    def_regs(g, g->nargs[f] + 1, 15);
    gen_block(g, 0, 1000);
    if (f == 0)
        gen_end(g);
    else
        emit(&g->t, "    ret");
}

char *aotgen_program(uint64_t seed, size_t *len)
{
    Gen g;
    memset(&g, 0, sizeof g);
    aotgen_seed(&g.r, seed);
    g.state = 16 + below(&g, 240);
    g.nports = chance(&g, 10) ? 0 : 1 + below(&g, 4);
    g.ntables = below(&g, MAX_TABLES + 1);
    g.nfuncs = 1 + below(&g, MAX_FUNCS);
    int init = chance(&g, 30);
    emit(&g.t, "; generated by tests/aot/gen.c, seed %llu", (unsigned long long)seed);
    emit(&g.t, ".state %u", g.state);
    if (chance(&g, 70)) {
        uint32_t n = 1 + below(&g, g.state < 48 ? g.state : 48);
        char line[200];
        size_t at = 0;
        for (uint32_t i = 0; i < n; i++)
            at += (size_t)snprintf(line + at, sizeof line - at, " %02x", (unsigned)below(&g, 256));
        emit(&g.t, ".data%s", line);
    }
    for (uint32_t i = 0; i < g.nports; i++)
        emit(&g.t, ".port p%u", i);
    for (uint32_t t = 0; t < g.ntables; t++) {
        g.lpm[t] = chance(&g, 40);
        g.key[t] = g.lpm[t] ? 1 + below(&g, 4) : 1 + below(&g, 8);
        g.value[t] = below(&g, 9);
        emit(&g.t, ".table tb%u %s %u %u %u", t, g.lpm[t] ? "lpm" : "hash", g.key[t], g.value[t],
             1 + below(&g, 6));
    }
    emit(&g.t, ".handler packet fn0");
    if (init)
        emit(&g.t, ".handler init finit");
    for (uint32_t f = 1; f < g.nfuncs; f++)
        g.nargs[f] = below(&g, 6);
    for (uint32_t f = 0; f < g.nfuncs; f++) {
        char name[16];
        snprintf(name, sizeof name, "fn%u", f);
        gen_func(&g, f, name);
    }
    if (init) { /* after the others: it may call none of them (it is the last function) */
        g.nargs[MAX_FUNCS - 1] = 0;
        g.func = g.nfuncs;
        g.budget = 3 + below(&g, 10);
        emit(&g.t, ".func finit 0");
        def_regs(&g, 0, 15);
        uint32_t nf = g.nfuncs;
        g.nfuncs = 0; /* no calls from init */
        gen_block(&g, 0, 1000);
        g.nfuncs = nf;
        emit(&g.t, "    drop");
    }
    if (g.t.oom) {
        free(g.t.p);
        return NULL;
    }
    *len = g.t.len;
    return g.t.p;
}
