/* The ISA conformance runner: one .sla file per behaviour, its input and expected result in
 * structured comments (format in tests/isa/README.md).
 *
 *   isa_runner [--engine NAME] [--coverage] [-v] FILE...   run conformance tests
 *   isa_runner [--engine NAME] --reject [-v] FILE...         verifier rejection table
 *   isa_runner --containers [-v]                             malformed containers built here
 *
 * Every test runs three ways on a fresh VM each time: unlimited fuel, slices of 1 instruction and
 * slices of 3 (resuming after every SL_RUN_YIELD). Each way must match the expectations, and all
 * three must leave the same packet, state, clones and instruction count, so a bug in saving or
 * restoring a yielded run shows up even where a test does not check everything.
 *
 * The engine sits behind a small table of function pointers (Engine) so that AOT engines can be
 * added as one more row. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm.h"
#include "file.h"
#include "image.h"
#include "isa.h"
#include "vm.h"

/* ---- Engines ---------------------------------------------------------------------------- */

typedef struct Engine {
    const char *name;
    size_t (*footprint)(const SlImage *img);
    int (*create)(void *mem, size_t size, const SlImage *img, const SlVmConfig *cfg, SlVm **out,
                  char *err, size_t errcap);
    int (*run)(SlVm *vm, uint32_t handler, SlPacket *pkt, const SlEnv *env, uint64_t fuel,
               SlResult *res);
    int (*resume)(SlVm *vm, SlPacket *pkt, const SlEnv *env, uint64_t fuel, SlResult *res);
    uint8_t *(*state)(SlVm *vm, uint32_t *size);
    const SlInsn *(*code)(const SlVm *vm, uint32_t *count);
} Engine;

static const Engine engines[] = {
    {
        .name = "interp",
        .footprint = sl_vm_footprint,
        .create = sl_vm_create,
        .run = sl_vm_run,
        .resume = sl_vm_resume,
        .state = sl_vm_state,
        .code = sl_vm_code,
    },
#ifdef ISA_RUNNER_MORE_ENGINES /* rows of engines built elsewhere (tests/aot/isa_aot.c) */
    ISA_RUNNER_MORE_ENGINES
#endif
};

/* ---- Small helpers ---------------------------------------------------------------------- */

typedef struct Buf {
    uint8_t *p;
    size_t len, cap;
} Buf;

static void buf_put(Buf *b, const uint8_t *data, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        while (cap < b->len + n)
            cap *= 2;
        b->p = realloc(b->p, cap);
        if (!b->p) {
            fprintf(stderr, "isa_runner: out of memory\n");
            exit(2);
        }
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void buf_byte(Buf *b, uint8_t v) { buf_put(b, &v, 1); }

static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* Parses a signed or unsigned integer (decimal, 0x hex, optional '-'); 64-bit patterns. */
static bool parse_int(const char **sp, uint64_t *out)
{
    const char *s = skip_ws(*sp);
    bool neg = false;
    if (*s == '-') {
        neg = true;
        s++;
    }
    if (!(*s >= '0' && *s <= '9'))
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s)
        return false;
    *out = neg ? 0 - (uint64_t)v : (uint64_t)v;
    *sp = end;
    return true;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Appends hex bytes: groups of hex digit pairs separated by blanks; '(' starts a comment. */
static bool parse_hex(const char *s, Buf *out)
{
    for (;;) {
        s = skip_ws(s);
        if (!*s || *s == '(')
            return true;
        int hi = hexval(s[0]);
        int lo = hi < 0 ? -1 : hexval(s[1]);
        if (hi < 0 || lo < 0)
            return false;
        buf_byte(out, (uint8_t)(hi << 4 | lo));
        s += 2;
        if (*s && *s != ' ' && *s != '\t' && hexval(*s) < 0)
            return false;
    }
}

static bool at_end(const char *s)
{
    s = skip_ws(s);
    return !*s || *s == '(';
}

/* Byte-string equality; empty buffers may be NULL. */
static bool same_bytes(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    return an == bn && (an == 0 || memcmp(a, b, an) == 0);
}

static void print_hex(FILE *f, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s%02x", i ? " " : "", p[i]);
}

/* ---- Test files ------------------------------------------------------------------------- */

typedef struct StateCheck {
    uint32_t offset;
    Buf bytes;
    int line;
} StateCheck;

typedef struct Clone {
    uint32_t port;
    Buf bytes;
} Clone;

enum { EXP_NONE, EXP_SEND, EXP_DROP, EXP_PUNT, EXP_FAULT };

typedef struct Test {
    const char *path;
    char *src;
    size_t src_len;
    char title[256];
    Buf in;
    uint32_t inport;
    uint64_t seed, now, tstamp, budget;
    int expect; /* EXP_* */
    uint32_t exp_port;
    unsigned exp_fault;
    bool exp_pc_set;
    uint32_t exp_pc;
    char exp_pc_label[64]; /* resolved through the image's label symbols */
    bool exp_trap_set;
    int32_t exp_trap;
    bool out_set;
    Buf out;
    bool outlen_set;
    uint32_t outlen;
    StateCheck *states;
    size_t nstates;
    Clone *clones;
    size_t nclones;
    bool insns_set;
    uint64_t insns;
    int verified_ops[16];
    size_t nverified;
    char reject[512];
    int stage; /* for --reject: where the rejection must happen */
} Test;

enum { STAGE_ASM, STAGE_PARSE, STAGE_VERIFY };

static void test_free(Test *t)
{
    free(t->src);
    free(t->in.p);
    free(t->out.p);
    for (size_t i = 0; i < t->nstates; i++)
        free(t->states[i].bytes.p);
    free(t->states);
    for (size_t i = 0; i < t->nclones; i++)
        free(t->clones[i].bytes.p);
    free(t->clones);
}

static unsigned fault_by_name(const char *name, size_t len)
{
    for (unsigned f = 1; f < SL_FAULT_COUNT; f++) {
        const char *n = sl_fault_name(f);
        if (strlen(n) == len && memcmp(n, name, len) == 0)
            return f;
    }
    return 0;
}

/* Any opcode by its isa.def mnemonic, internal forms included; -1 if none. */
static int op_by_mnemonic(const char *name, size_t len)
{
    for (int op = 0; op < SL_OP_COUNT; op++) {
        const char *m = sl_op_info[op].mnemonic;
        if (strlen(m) == len && memcmp(m, name, len) == 0)
            return op;
    }
    return -1;
}

static bool parse_expect(Test *t, const char *s)
{
    s = skip_ws(s);
    size_t n = strcspn(s, " \t(");
    if (n == 4 && !memcmp(s, "send", 4)) {
        uint64_t port;
        s += 4;
        if (!parse_int(&s, &port))
            return false;
        t->expect = EXP_SEND;
        t->exp_port = (uint32_t)port;
        return at_end(s);
    }
    if (n == 4 && !memcmp(s, "drop", 4)) {
        t->expect = EXP_DROP;
        return at_end(s + 4);
    }
    if (n == 4 && !memcmp(s, "punt", 4)) {
        t->expect = EXP_PUNT;
        return at_end(s + 4);
    }
    if (n != 5 || memcmp(s, "fault", 5))
        return false;
    s = skip_ws(s + 5);
    n = strcspn(s, " \t(");
    t->exp_fault = fault_by_name(s, n);
    if (!t->exp_fault)
        return false;
    t->expect = EXP_FAULT;
    s = skip_ws(s + n);
    if (*s == '@') {
        s++;
        uint64_t pc;
        if (*s >= '0' && *s <= '9') {
            if (!parse_int(&s, &pc))
                return false;
            t->exp_pc = (uint32_t)pc;
        } else {
            n = strcspn(s, " \t(");
            if (n == 0 || n >= sizeof t->exp_pc_label)
                return false;
            memcpy(t->exp_pc_label, s, n);
            t->exp_pc_label[n] = 0;
            s += n;
        }
        t->exp_pc_set = true;
    }
    s = skip_ws(s);
    if (!strncmp(s, "trap=", 5)) {
        uint64_t v;
        s += 5;
        if (!parse_int(&s, &v))
            return false;
        t->exp_trap_set = true;
        t->exp_trap = (int32_t)v;
    }
    return at_end(s);
}

/* Reads the structured comments. Returns false (with a message on stderr) on a malformed one;
 * a comment whose first word looks like a directive but is not one is an error, so that a typo
 * cannot silently drop an expectation. */
static bool parse_test(Test *t)
{
    const char *p = t->src;
    int line = 0;
    bool ok = true;
    while (*p) {
        line++;
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        char text[4096];
        if (len >= sizeof text) {
            fprintf(stderr, "%s:%d: line too long\n", t->path, line);
            return false;
        }
        memcpy(text, p, len);
        text[len] = 0;
        if (len && text[len - 1] == '\r')
            text[len - 1] = 0;
        p = eol ? eol + 1 : p + len;

        const char *s = skip_ws(text);
        if (*s != ';')
            continue;
        s = skip_ws(s + 1);
        size_t kl = 0; /* a directive: a lowercase word (letters, digits, '-') and ':' */
        if (s[0] >= 'a' && s[0] <= 'z')
            while ((s[kl] >= 'a' && s[kl] <= 'z') || s[kl] == '-' || (s[kl] >= '0' && s[kl] <= '9'))
                kl++;
        if (kl == 0 || s[kl] != ':')
            continue;
        char key[32];
        if (kl >= sizeof key)
            continue;
        memcpy(key, s, kl);
        key[kl] = 0;
        const char *v = skip_ws(s + kl + 1);
        bool good = true;
        uint64_t n;
        if (!strcmp(key, "test")) {
            snprintf(t->title, sizeof t->title, "%s", v);
        } else if (!strcmp(key, "in")) {
            good = parse_hex(v, &t->in);
        } else if (!strcmp(key, "in-zeros")) {
            good = parse_int(&v, &n) && at_end(v) && n <= 1u << 20;
            for (uint64_t i = 0; good && i < n; i++)
                buf_byte(&t->in, 0);
        } else if (!strcmp(key, "inport")) {
            good = parse_int(&v, &n) && at_end(v);
            t->inport = (uint32_t)n;
        } else if (!strcmp(key, "seed")) {
            good = parse_int(&v, &t->seed) && at_end(v);
        } else if (!strcmp(key, "now")) {
            good = parse_int(&v, &t->now) && at_end(v);
        } else if (!strcmp(key, "tstamp")) {
            good = parse_int(&v, &t->tstamp) && at_end(v);
        } else if (!strcmp(key, "budget")) {
            good = parse_int(&v, &t->budget) && at_end(v);
        } else if (!strcmp(key, "expect")) {
            good = t->expect == EXP_NONE && parse_expect(t, v);
        } else if (!strcmp(key, "out")) {
            t->out_set = true;
            good = parse_hex(v, &t->out);
        } else if (!strcmp(key, "outlen")) {
            good = parse_int(&v, &n) && at_end(v);
            t->outlen_set = true;
            t->outlen = (uint32_t)n;
        } else if (!strcmp(key, "state") || !strcmp(key, "mem64")) {
            StateCheck sc = {.line = line};
            good = parse_int(&v, &n);
            sc.offset = (uint32_t)n;
            if (good && key[0] == 's') {
                good = parse_hex(v, &sc.bytes);
            } else {
                uint64_t w;
                while (good && !at_end(v)) {
                    good = parse_int(&v, &w);
                    for (int i = 0; good && i < 8; i++)
                        buf_byte(&sc.bytes, (uint8_t)(w >> (8 * i)));
                }
            }
            t->states = realloc(t->states, (t->nstates + 1) * sizeof *t->states);
            t->states[t->nstates++] = sc;
        } else if (!strcmp(key, "clone")) {
            Clone c = {0};
            good = parse_int(&v, &n) && parse_hex(v, &c.bytes);
            c.port = (uint32_t)n;
            t->clones = realloc(t->clones, (t->nclones + 1) * sizeof *t->clones);
            t->clones[t->nclones++] = c;
        } else if (!strcmp(key, "insns")) {
            good = parse_int(&v, &t->insns) && at_end(v);
            t->insns_set = true;
        } else if (!strcmp(key, "verified")) {
            while (good && !at_end(v)) {
                size_t w = strcspn(v, " \t(");
                int op = op_by_mnemonic(v, w);
                good = op >= 0 && t->nverified < 16;
                if (good)
                    t->verified_ops[t->nverified++] = op;
                v = skip_ws(v + w);
            }
        } else if (!strcmp(key, "reject")) {
            size_t rl = strlen(v);
            while (rl && (v[rl - 1] == ' ' || v[rl - 1] == '\t'))
                rl--;
            good = rl > 0 && rl < sizeof t->reject;
            if (good) {
                memcpy(t->reject, v, rl);
                t->reject[rl] = 0;
            }
        } else if (!strcmp(key, "stage")) {
            if (!strncmp(v, "asm", 3) && at_end(v + 3))
                t->stage = STAGE_ASM;
            else if (!strncmp(v, "parse", 5) && at_end(v + 5))
                t->stage = STAGE_PARSE;
            else if (!strncmp(v, "verify", 6) && at_end(v + 6))
                t->stage = STAGE_VERIFY;
            else
                good = false;
        } else {
            fprintf(stderr, "%s:%d: unknown directive '%s'\n", t->path, line, key);
            ok = false;
            continue;
        }
        if (!good) {
            fprintf(stderr, "%s:%d: malformed '%s' directive\n", t->path, line, key);
            ok = false;
        }
    }
    if (!t->title[0]) {
        fprintf(stderr, "%s: missing '; test:' line\n", t->path);
        ok = false;
    }
    return ok;
}

/* ---- Running ---------------------------------------------------------------------------- */

typedef struct Outcome {
    bool error; /* an API error, not a program result */
    char errmsg[1024];
    SlResult res;
    Buf out;
    Buf state;
    Clone *clones;
    size_t nclones;
    uint64_t resumes;
} Outcome;

static void outcome_free(Outcome *o)
{
    free(o->out.p);
    free(o->state.p);
    for (size_t i = 0; i < o->nclones; i++)
        free(o->clones[i].bytes.p);
    free(o->clones);
    memset(o, 0, sizeof *o);
}

static void on_clone(void *user, uint32_t port, const uint8_t *data, uint32_t len)
{
    Outcome *o = user;
    o->clones = realloc(o->clones, (o->nclones + 1) * sizeof *o->clones);
    Clone c = {.port = port};
    buf_put(&c.bytes, data, len);
    o->clones[o->nclones++] = c;
}

enum { MAX_RESUMES = 50000000 };

/* One handler run to its end, in slices of `slice` instructions (0: unlimited). */
static int run_sliced(const Engine *e, SlVm *vm, uint32_t handler, SlPacket *pkt, const SlEnv *env,
                      uint64_t slice, SlResult *res, uint64_t *resumes)
{
    uint64_t fuel = slice ? slice : UINT64_MAX;
    int rc = e->run(vm, handler, pkt, env, fuel, res);
    while (rc == 0 && res->status == SL_RUN_YIELD) {
        if (++*resumes > MAX_RESUMES)
            return -SL_ESTATE;
        rc = e->resume(vm, pkt, env, fuel, res);
    }
    return rc;
}

/* A buffer laid out as the VM wants: the headroom, the bytes, room for SL_PKT_MAX after. The
 * space around the packet is filled with a pattern so that growth that fails to zero new bytes
 * is seen. */
static void packet_init(SlPacket *pkt, uint8_t **mem, const uint8_t *data, size_t len, uint32_t port,
                        uint64_t tstamp)
{
    size_t after = len > SL_PKT_MAX ? len : SL_PKT_MAX;
    size_t cap = SL_PKT_HEADROOM + after;
    *mem = malloc(cap);
    if (!*mem) {
        fprintf(stderr, "isa_runner: out of memory\n");
        exit(2);
    }
    memset(*mem, 0xa5, cap);
    if (len)
        memcpy(*mem + SL_PKT_HEADROOM, data, len);
    pkt->buf = *mem;
    pkt->cap = (uint32_t)cap;
    pkt->head = SL_PKT_HEADROOM;
    pkt->len = (uint32_t)len;
    pkt->in_port = port;
    pkt->tstamp_ns = tstamp;
}

static void run_one_way(const Engine *e, const Test *t, const SlImage *img, uint64_t slice, Outcome *o)
{
    memset(o, 0, sizeof *o);
    size_t size = e->footprint(img);
    void *mem = size ? malloc(size) : NULL;
    if (!mem) {
        o->error = true;
        snprintf(o->errmsg, sizeof o->errmsg, "footprint %zu: cannot allocate", size);
        return;
    }
    SlVmConfig cfg = {.seed = t->seed, .packet_budget = t->budget};
    SlVm *vm = NULL;
    char err[512] = "";
    int rc = e->create(mem, size, img, &cfg, &vm, err, sizeof err);
    if (rc) {
        o->error = true;
        snprintf(o->errmsg, sizeof o->errmsg, "create: %s: %s", sl_error_text(rc), err);
        free(mem);
        return;
    }
    SlEnv env = {.user = o, .clone = on_clone, .now_ns = t->now};
    SlPacket pkt;
    uint8_t *pmem;

    int init = sl_image_find_handler(img, SL_HANDLER_INIT, 0);
    if (init >= 0) {
        packet_init(&pkt, &pmem, NULL, 0, 0, t->tstamp);
        rc = run_sliced(e, vm, (uint32_t)init, &pkt, &env, slice, &o->res, &o->resumes);
        free(pmem);
        if (rc || o->res.status != SL_RUN_DONE) {
            o->error = true;
            snprintf(o->errmsg, sizeof o->errmsg, "init handler: %s",
                     rc ? sl_error_text(rc) : sl_fault_name(o->res.fault));
            free(mem);
            return;
        }
        /* Clones made by init are not part of the packet's result. */
        for (size_t i = 0; i < o->nclones; i++)
            free(o->clones[i].bytes.p);
        o->nclones = 0;
    }

    int ph = sl_image_find_handler(img, SL_HANDLER_PACKET, 0);
    if (ph < 0) {
        o->error = true;
        snprintf(o->errmsg, sizeof o->errmsg, "the image has no packet handler");
        free(mem);
        return;
    }
    packet_init(&pkt, &pmem, t->in.p, t->in.len, t->inport, t->tstamp);
    memset(&o->res, 0, sizeof o->res);
    o->resumes = 0;
    rc = run_sliced(e, vm, (uint32_t)ph, &pkt, &env, slice, &o->res, &o->resumes);
    if (rc) {
        o->error = true;
        snprintf(o->errmsg, sizeof o->errmsg, "run: %s", sl_error_text(rc));
    } else if (pkt.head > pkt.cap || pkt.len > pkt.cap - pkt.head) {
        o->error = true;
        snprintf(o->errmsg, sizeof o->errmsg, "packet outside its buffer: head %u len %u cap %u",
                 pkt.head, pkt.len, pkt.cap);
    } else {
        buf_put(&o->out, pkt.buf + pkt.head, pkt.len);
    }
    uint32_t ssize = 0;
    uint8_t *st = e->state(vm, &ssize);
    buf_put(&o->state, st, ssize);
    free(pmem);
    free(mem);
}

static const char *way_name(uint64_t slice)
{
    switch (slice) {
    case 0: return "unlimited fuel";
    case 1: return "slices of 1";
    default: return "slices of 3";
    }
}

static void describe_result(char *buf, size_t cap, const SlResult *r)
{
    switch ((SlRunStatus)r->status) {
    case SL_RUN_DONE:
        switch ((SlVerdict)r->verdict) {
        case SL_VERDICT_SEND: snprintf(buf, cap, "send %u", r->port); return;
        case SL_VERDICT_DROP: snprintf(buf, cap, "drop"); return;
        case SL_VERDICT_PUNT: snprintf(buf, cap, "punt"); return;
        }
        snprintf(buf, cap, "verdict %u?", r->verdict);
        return;
    case SL_RUN_FAULT:
        if (r->fault == SL_FAULT_TRAP)
            snprintf(buf, cap, "fault %s @%u trap=%d", sl_fault_name(r->fault), r->pc, r->trap);
        else
            snprintf(buf, cap, "fault %s @%u", sl_fault_name(r->fault), r->pc);
        return;
    case SL_RUN_YIELD: snprintf(buf, cap, "yield @%u", r->pc); return;
    }
    snprintf(buf, cap, "status %u?", r->status);
}

static void describe_expect(char *buf, size_t cap, const Test *t, uint32_t pc)
{
    switch (t->expect) {
    case EXP_SEND: snprintf(buf, cap, "send %u", t->exp_port); return;
    case EXP_DROP: snprintf(buf, cap, "drop"); return;
    case EXP_PUNT: snprintf(buf, cap, "punt"); return;
    default: break;
    }
    char at[96] = "", tr[32] = "";
    if (t->exp_pc_set && t->exp_pc_label[0])
        snprintf(at, sizeof at, " @%u (%s)", pc, t->exp_pc_label);
    else if (t->exp_pc_set)
        snprintf(at, sizeof at, " @%u", pc);
    if (t->exp_trap_set)
        snprintf(tr, sizeof tr, " trap=%d", t->exp_trap);
    snprintf(buf, cap, "fault %s%s%s", sl_fault_name(t->exp_fault), at, tr);
}

/* Prints a byte diff: both sides, the first differing index, and a caret line. */
static void diff_bytes(const char *what, const uint8_t *want, size_t wn, const uint8_t *got, size_t gn)
{
    size_t i = 0;
    while (i < wn && i < gn && want[i] == got[i])
        i++;
    fprintf(stderr, "    %s differs at byte %zu (expected %zu bytes, got %zu)\n", what, i, wn, gn);
    size_t from = i > 8 ? i - 8 : 0;
    size_t wto = wn < from + 32 ? wn : from + 32, gto = gn < from + 32 ? gn : from + 32;
    fprintf(stderr, "      expected [%zu..]: ", from);
    print_hex(stderr, want + (from < wn ? from : wn), wto > from ? wto - from : 0);
    fprintf(stderr, "\n      actual   [%zu..]: ", from);
    print_hex(stderr, got + (from < gn ? from : gn), gto > from ? gto - from : 0);
    fprintf(stderr, "\n");
}

/* Compares one way's outcome with the expectations; prints every mismatch. */
static bool check_outcome(const Test *t, uint32_t exp_pc, uint64_t slice, const Outcome *o)
{
    const char *way = way_name(slice);
    if (o->error) {
        fprintf(stderr, "FAIL %s [%s]: %s\n", t->path, way, o->errmsg);
        return false;
    }
    bool ok = true;
    const SlResult *r = &o->res;
    bool match = false;
    switch (t->expect) {
    case EXP_SEND:
        match = r->status == SL_RUN_DONE && r->verdict == SL_VERDICT_SEND && r->port == t->exp_port;
        break;
    case EXP_DROP: match = r->status == SL_RUN_DONE && r->verdict == SL_VERDICT_DROP; break;
    case EXP_PUNT: match = r->status == SL_RUN_DONE && r->verdict == SL_VERDICT_PUNT; break;
    case EXP_FAULT:
        match = r->status == SL_RUN_FAULT && r->fault == t->exp_fault &&
                (!t->exp_pc_set || r->pc == exp_pc) && (!t->exp_trap_set || r->trap == t->exp_trap);
        break;
    default: break;
    }
    char want[160], got[160];
    if (!match) {
        describe_expect(want, sizeof want, t, exp_pc);
        describe_result(got, sizeof got, r);
        fprintf(stderr, "FAIL %s [%s]: expected %s, got %s\n", t->path, way, want, got);
        ok = false;
    }
    if (t->insns_set && r->insns != t->insns) {
        fprintf(stderr, "FAIL %s [%s]: expected %" PRIu64 " instructions, got %" PRIu64 "\n", t->path,
                way, t->insns, r->insns);
        ok = false;
    }
    if (t->out_set && !same_bytes(t->out.p, t->out.len, o->out.p, o->out.len)) {
        fprintf(stderr, "FAIL %s [%s]: output packet\n", t->path, way);
        diff_bytes("packet", t->out.p, t->out.len, o->out.p, o->out.len);
        ok = false;
    }
    if (t->outlen_set && o->out.len != t->outlen) {
        fprintf(stderr, "FAIL %s [%s]: expected a packet of %u bytes, got %zu\n", t->path, way,
                t->outlen, o->out.len);
        ok = false;
    }
    for (size_t i = 0; i < t->nstates; i++) {
        const StateCheck *sc = &t->states[i];
        if (sc->offset > o->state.len || sc->bytes.len > o->state.len - sc->offset) {
            fprintf(stderr, "FAIL %s:%d [%s]: state check [%u, +%zu) is past the state size %zu\n",
                    t->path, sc->line, way, sc->offset, sc->bytes.len, o->state.len);
            ok = false;
        } else if (!same_bytes(o->state.p + sc->offset, sc->bytes.len, sc->bytes.p, sc->bytes.len)) {
            fprintf(stderr, "FAIL %s:%d [%s]: state memory at %u\n", t->path, sc->line, way, sc->offset);
            diff_bytes("state", sc->bytes.p, sc->bytes.len, o->state.p + sc->offset, sc->bytes.len);
            ok = false;
        }
    }
    if (o->nclones != t->nclones) {
        fprintf(stderr, "FAIL %s [%s]: expected %zu clones, got %zu\n", t->path, way, t->nclones,
                o->nclones);
        for (size_t i = 0; i < o->nclones; i++) {
            fprintf(stderr, "      clone %zu: port %u: ", i, o->clones[i].port);
            print_hex(stderr, o->clones[i].bytes.p, o->clones[i].bytes.len);
            fprintf(stderr, "\n");
        }
        ok = false;
    } else {
        for (size_t i = 0; i < o->nclones; i++) {
            const Clone *w = &t->clones[i], *g = &o->clones[i];
            if (w->port != g->port) {
                fprintf(stderr, "FAIL %s [%s]: clone %zu: expected port %u, got %u\n", t->path, way, i,
                        w->port, g->port);
                ok = false;
            }
            if (!same_bytes(w->bytes.p, w->bytes.len, g->bytes.p, g->bytes.len)) {
                fprintf(stderr, "FAIL %s [%s]: clone %zu bytes\n", t->path, way, i);
                diff_bytes("clone", w->bytes.p, w->bytes.len, g->bytes.p, g->bytes.len);
                ok = false;
            }
        }
    }
    return ok;
}

/* The sliced runs must agree with the unlimited one on everything, checked or not. */
static bool check_same(const Test *t, uint64_t slice, const Outcome *base, const Outcome *o)
{
    if (base->error || o->error)
        return true; /* already reported */
    bool ok = true;
    const char *way = way_name(slice);
    const SlResult *a = &base->res, *b = &o->res;
    if (a->status != b->status || a->verdict != b->verdict || a->fault != b->fault ||
        a->port != b->port || (a->status == SL_RUN_FAULT && (a->pc != b->pc || a->trap != b->trap)) ||
        a->insns != b->insns) {
        char x[160], y[160];
        describe_result(x, sizeof x, a);
        describe_result(y, sizeof y, b);
        fprintf(stderr,
                "FAIL %s [%s]: differs from unlimited fuel: %s (%" PRIu64 " insns) vs %s (%" PRIu64
                " insns)\n",
                t->path, way, x, a->insns, y, b->insns);
        ok = false;
    }
    if (!same_bytes(base->out.p, base->out.len, o->out.p, o->out.len)) {
        fprintf(stderr, "FAIL %s [%s]: packet differs from unlimited fuel\n", t->path, way);
        diff_bytes("packet", base->out.p, base->out.len, o->out.p, o->out.len);
        ok = false;
    }
    if (!same_bytes(base->state.p, base->state.len, o->state.p, o->state.len)) {
        fprintf(stderr, "FAIL %s [%s]: state differs from unlimited fuel\n", t->path, way);
        diff_bytes("state", base->state.p, base->state.len, o->state.p, o->state.len);
        ok = false;
    }
    if (base->nclones != o->nclones) {
        fprintf(stderr, "FAIL %s [%s]: %zu clones vs %zu with unlimited fuel\n", t->path, way,
                o->nclones, base->nclones);
        ok = false;
    }
    return ok;
}

/* Resolves "@label" through the image's debug symbols. */
static bool resolve_label(const SlImage *img, const char *name, uint32_t *pc)
{
    size_t n = strlen(name);
    for (uint32_t i = 0; i < img->dbg_sym_count; i++) {
        SlSym s = sl_image_dbg_sym(img, i);
        if (s.kind == SL_SYM_LABEL && s.name_len == n && !memcmp(s.name, name, n)) {
            *pc = s.value;
            return true;
        }
    }
    return false;
}

static const char *const op_names[SL_OP_COUNT] = {
#define X(name, mn, fmt, regs, cls, doc) #name,
#include "isa.def"
#undef X
};

typedef struct Coverage {
    unsigned used[SL_OP_COUNT];
} Coverage;

static bool load_image(const Test *t, uint8_t **image, size_t *image_len, SlImage *img, char *err,
                       size_t errcap, int *stage_failed, int *code)
{
    *code = sl_asm_assemble(t->src, t->src_len, t->path, 0, image, image_len, err, errcap);
    if (*code) {
        *stage_failed = STAGE_ASM;
        return false;
    }
    *code = sl_image_parse(*image, *image_len, img, err, errcap);
    if (*code) {
        *stage_failed = STAGE_PARSE;
        return false;
    }
    return true;
}

static bool run_test(const Engine *e, Test *t, Coverage *cov, bool verbose)
{
    uint8_t *image = NULL;
    size_t image_len = 0;
    SlImage img;
    char err[2048] = "";
    int stage, code;
    if (!load_image(t, &image, &image_len, &img, err, sizeof err, &stage, &code)) {
        fprintf(stderr, "FAIL %s: %s: %s\n", t->path, stage == STAGE_ASM ? "assembly" : "image parse",
                err);
        free(image);
        return false;
    }
    bool ok = true;
    if (t->expect == EXP_NONE) {
        fprintf(stderr, "FAIL %s: no '; expect:' line\n", t->path);
        ok = false;
    }
    uint32_t exp_pc = t->exp_pc;
    if (t->exp_pc_label[0] && !resolve_label(&img, t->exp_pc_label, &exp_pc)) {
        fprintf(stderr, "FAIL %s: no label '%s' for the fault's position\n", t->path, t->exp_pc_label);
        ok = false;
    }
    for (uint32_t i = 0; i < img.code_count; i++) {
        unsigned op = img.code[(size_t)i * SL_INSN_SIZE];
        if (op < SL_OP_COUNT)
            cov->used[op]++;
    }

    static const uint64_t slices[] = {0, 1, 3};
    Outcome outs[3];
    for (int w = 0; w < 3; w++) {
        run_one_way(e, t, &img, slices[w], &outs[w]);
        if (!check_outcome(t, exp_pc, slices[w], &outs[w]))
            ok = false;
        if (w > 0 && !check_same(t, slices[w], &outs[0], &outs[w]))
            ok = false;
    }

    /* The verified code: .nc coverage and `; verified:` expectations. */
    size_t size = e->footprint(&img);
    void *mem = size ? malloc(size) : NULL;
    SlVm *vm = NULL;
    SlVmConfig cfg = {.seed = t->seed, .packet_budget = t->budget};
    if (mem && e->create(mem, size, &img, &cfg, &vm, err, sizeof err) == 0) {
        uint32_t count = 0;
        const SlInsn *vcode = e->code(vm, &count);
        bool seen[SL_OP_COUNT] = {false};
        for (uint32_t i = 0; i < count; i++)
            if (vcode[i].op < SL_OP_COUNT)
                seen[vcode[i].op] = true;
        for (int op = 0; op < SL_OP_COUNT; op++)
            if (seen[op] && sl_op_info[op].cls == SL_C_INTERNAL)
                cov->used[op]++;
        for (size_t i = 0; i < t->nverified; i++) {
            if (!seen[t->verified_ops[i]]) {
                fprintf(stderr, "FAIL %s: the verified code has no %s\n", t->path,
                        sl_op_info[t->verified_ops[i]].mnemonic);
                ok = false;
            }
        }
        if (!ok || verbose) {
            fprintf(stderr, "    verified code of %s:\n", t->path);
            for (uint32_t i = 0; i < count; i++) {
                char text[128];
                sl_insn_format(text, sizeof text, &vcode[i], i);
                fprintf(stderr, "      %4u  %s\n", i, text);
            }
        }
    }
    free(mem);
    if (verbose && !outs[0].error) {
        char got[160];
        describe_result(got, sizeof got, &outs[0].res);
        fprintf(stderr, "    result: %s, %" PRIu64 " insns, packet:", got, outs[0].res.insns);
        print_hex(stderr, outs[0].out.p, outs[0].out.len < 64 ? outs[0].out.len : 64);
        fprintf(stderr, "\n    yields: %" PRIu64 " in slices of 1, %" PRIu64 " in slices of 3",
                outs[1].resumes, outs[2].resumes);
        fprintf(stderr, "\n    state[0..64):");
        print_hex(stderr, outs[0].state.p, outs[0].state.len < 64 ? outs[0].state.len : 64);
        fprintf(stderr, "\n");
    }
    for (int w = 0; w < 3; w++)
        outcome_free(&outs[w]);
    free(image);
    return ok;
}

/* --reject: the file must fail at its stage (default: the verifier) with the expected text. */
static bool run_reject(const Engine *e, Test *t, bool verbose)
{
    uint8_t *image = NULL;
    size_t image_len = 0;
    SlImage img;
    char err[2048] = "";
    int stage = STAGE_VERIFY, code = 0;
    bool ok = true;
    if (!t->reject[0]) {
        fprintf(stderr, "FAIL %s: no '; reject:' line\n", t->path);
        return false;
    }
    if (load_image(t, &image, &image_len, &img, err, sizeof err, &stage, &code)) {
        size_t size = e->footprint(&img);
        void *mem = size ? malloc(size) : NULL;
        SlVm *vm = NULL;
        SlVmConfig cfg = {0};
        if (!mem) {
            snprintf(err, sizeof err, "footprint %zu: cannot allocate", size);
            code = -SL_ENOMEM;
        } else {
            code = e->create(mem, size, &img, &cfg, &vm, err, sizeof err);
        }
        free(mem);
        if (code == 0) {
            fprintf(stderr, "FAIL %s: accepted; expected rejection: %s\n", t->path, t->reject);
            free(image);
            return false;
        }
        stage = STAGE_VERIFY;
    }
    static const char *const stages[] = {"assembler", "image parser", "verifier"};
    if (stage != t->stage) {
        fprintf(stderr, "FAIL %s: rejected by the %s, expected the %s: %s\n", t->path, stages[stage],
                stages[t->stage], err);
        ok = false;
    } else if (stage == STAGE_VERIFY && code != -SL_EVERIFY) {
        fprintf(stderr, "FAIL %s: sl_vm_create returned %s, expected %s: %s\n", t->path,
                sl_error_text(code), sl_error_text(SL_EVERIFY), err);
        ok = false;
    }
    if (!strstr(err, t->reject)) {
        fprintf(stderr, "FAIL %s: message differs\n    expected: %s\n    actual:   %s\n", t->path,
                t->reject, err);
        ok = false;
    }
    if (verbose)
        fprintf(stderr, "    %s: %s: %s\n", t->path, stages[stage], err);
    free(image);
    return ok;
}

/* ---- Malformed containers --------------------------------------------------------------- */

/* Builds a small valid image: one function (drop), one packet handler; sections in order. */
typedef struct Section {
    uint8_t id;
    Buf body;
} Section;

static void put_le32(Buf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    buf_put(b, x, 4);
}

static void build_image(Buf *out, const Section *secs, size_t n, uint32_t count_field)
{
    static const uint8_t magic[] = {0x7f, 'S', 'L', 'B', 1, 0, 0, 0};
    buf_put(out, magic, sizeof magic);
    for (int i = 0; i < SL_IMAGE_HASH_SIZE; i++)
        buf_byte(out, 0);
    put_le32(out, count_field);
    for (size_t i = 0; i < n; i++) {
        uint8_t hdr[4] = {secs[i].id, 0, 0, 0};
        buf_put(out, hdr, 4);
        put_le32(out, (uint32_t)secs[i].body.len);
        buf_put(out, secs[i].body.p, secs[i].body.len);
    }
}

enum { SEC_CODE, SEC_FUNCS, SEC_HANDLERS, NSECS };

static void base_sections(Section s[NSECS])
{
    memset(s, 0, NSECS * sizeof *s);
    s[SEC_CODE].id = SL_SEC_CODE;
    SlInsn drop = {.op = SL_OP_DROP};
    uint8_t enc[SL_INSN_SIZE];
    sl_insn_encode(&drop, enc);
    buf_put(&s[SEC_CODE].body, enc, sizeof enc);
    s[SEC_FUNCS].id = SL_SEC_FUNCS;
    put_le32(&s[SEC_FUNCS].body, 1);
    put_le32(&s[SEC_FUNCS].body, 0); /* entry */
    put_le32(&s[SEC_FUNCS].body, 0); /* nargs, zero[3] */
    s[SEC_HANDLERS].id = SL_SEC_HANDLERS;
    put_le32(&s[SEC_HANDLERS].body, 1);
    put_le32(&s[SEC_HANDLERS].body, SL_HANDLER_PACKET);
    put_le32(&s[SEC_HANDLERS].body, 0); /* func */
    put_le32(&s[SEC_HANDLERS].body, 0); /* period */
}

static void free_sections(Section *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(s[i].body.p);
}

typedef struct ContainerCase {
    const char *name;
    int code;           /* expected -SL_E* (0: must parse and verify) */
    const char *substr; /* expected in the message */
} ContainerCase;

/* Each case builds its bytes; returns them in out. */
static void container_bytes(int which, Buf *out)
{
    Section s[NSECS + 1];
    base_sections(s);
    switch (which) {
    case 0: /* valid */
        build_image(out, s, NSECS, NSECS);
        break;
    case 1: /* bad magic */
        build_image(out, s, NSECS, NSECS);
        out->p[1] = 'X';
        break;
    case 2: /* truncated inside the header */
        build_image(out, s, NSECS, NSECS);
        out->len = 20;
        break;
    case 3: /* truncated inside the last section */
        build_image(out, s, NSECS, NSECS);
        out->len -= 3;
        break;
    case 4: /* a section length past the end */
        build_image(out, s, NSECS, NSECS);
        /* the last section's length field: its body is 16 bytes (count + one entry) */
        out->p[out->len - 16 - 4] = 0xff;
        break;
    case 5: /* unknown non-debug section id */
        s[NSECS].id = 0x08;
        memset(&s[NSECS].body, 0, sizeof s[NSECS].body);
        put_le32(&s[NSECS].body, 0);
        build_image(out, s, NSECS + 1, NSECS + 1);
        free(s[NSECS].body.p);
        break;
    case 6: /* duplicate section */
        s[NSECS].id = SL_SEC_HANDLERS;
        memset(&s[NSECS].body, 0, sizeof s[NSECS].body);
        buf_put(&s[NSECS].body, s[SEC_HANDLERS].body.p, s[SEC_HANDLERS].body.len);
        build_image(out, s, NSECS + 1, NSECS + 1);
        free(s[NSECS].body.p);
        break;
    case 7: { /* sections out of order */
        Section r[NSECS] = {s[SEC_FUNCS], s[SEC_CODE], s[SEC_HANDLERS]};
        build_image(out, r, NSECS, NSECS);
        break;
    }
    case 8: /* unsupported major version */
        build_image(out, s, NSECS, NSECS);
        out->p[4] = 2;
        break;
    case 9: /* unknown debug section: skipped */
        s[NSECS].id = 0x9f;
        memset(&s[NSECS].body, 0, sizeof s[NSECS].body);
        buf_put(&s[NSECS].body, (const uint8_t *)"junk", 4);
        build_image(out, s, NSECS + 1, NSECS + 1);
        free(s[NSECS].body.p);
        break;
    case 10: /* more sections counted than present */
        build_image(out, s, NSECS, NSECS + 1);
        break;
    case 11: /* code length not a multiple of 8 */
        buf_byte(&s[SEC_CODE].body, 0);
        build_image(out, s, NSECS, NSECS);
        break;
    case 12: /* non-zero padding in a section header */
        build_image(out, s, NSECS, NSECS);
        out->p[SL_IMAGE_HEADER_SIZE + 1] = 1;
        break;
    case 13: /* function count larger than its section */
        s[SEC_FUNCS].body.p[0] = 9;
        build_image(out, s, NSECS, NSECS);
        break;
    default: break;
    }
    free_sections(s, NSECS);
}

static const ContainerCase container_cases[] = {
    {"valid image", 0, ""},
    {"bad magic", -SL_EMAGIC, "offset 0: not a Sluice image (bad magic)"},
    {"truncated header", -SL_ETRUNCATED, "image shorter than its 44-byte header"},
    {"truncated section", -SL_ETRUNCATED, "section body runs past the end of the image"},
    {"section length past the end", -SL_ETRUNCATED, "section body runs past the end of the image"},
    {"unknown section id 0x08", -SL_ESECTION, "unknown section id"},
    {"duplicate section", -SL_ESECTION, "section ids not strictly ascending"},
    {"sections out of order", -SL_ESECTION, "section ids not strictly ascending"},
    {"version 2", -SL_EVERSION, "unsupported image version"},
    {"unknown debug section", 0, ""},
    {"section count past the end", -SL_ETRUNCATED, "section header truncated"},
    {"code length not a multiple of 8", -SL_ESECTION, "code: length is not a positive multiple of 8"},
    {"non-zero section padding", -SL_ESECTION, "section header reserved bytes not zero"},
    {"function count past its section", -SL_ESECTION, "functions: 9 entries do not fill the section"},
};

static int run_containers(const Engine *e, bool verbose)
{
    int failed = 0, n = (int)(sizeof container_cases / sizeof container_cases[0]);
    for (int i = 0; i < n; i++) {
        const ContainerCase *c = &container_cases[i];
        Buf b = {0};
        container_bytes(i, &b);
        SlImage img;
        char err[512] = "";
        int rc = sl_image_parse(b.p, b.len, &img, err, sizeof err);
        if (rc == 0) {
            size_t size = e->footprint(&img);
            void *mem = size ? malloc(size) : NULL;
            SlVm *vm = NULL;
            SlVmConfig cfg = {0};
            rc = mem ? e->create(mem, size, &img, &cfg, &vm, err, sizeof err) : -SL_ENOMEM;
            free(mem);
        }
        bool ok = rc == c->code && strstr(err, c->substr);
        if (!ok) {
            fprintf(stderr, "FAIL container '%s': expected %s (\"%s\"), got %s: %s\n", c->name,
                    c->code ? sl_error_text(c->code) : "success", c->substr,
                    rc ? sl_error_text(rc) : "success", err);
            failed++;
        } else if (verbose) {
            fprintf(stderr, "ok   container '%s': %s\n", c->name, err);
        }
        free(b.p);
    }
    printf("containers: %d passed, %d failed\n", n - failed, failed);
    return failed ? 1 : 0;
}

/* ---- Main ------------------------------------------------------------------------------- */

static void usage(void)
{
    fprintf(stderr, "usage: isa_runner [--engine NAME] [--coverage] [-v] FILE...\n"
                    "       isa_runner [--engine NAME] --reject [-v] FILE...\n"
                    "       isa_runner [--engine NAME] --containers [-v]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const Engine *e = &engines[0];
    bool coverage = false, reject = false, containers = false, verbose = false;
    int first = 1;
    for (; first < argc && argv[first][0] == '-'; first++) {
        const char *a = argv[first];
        if (!strcmp(a, "--coverage")) {
            coverage = true;
        } else if (!strcmp(a, "--reject")) {
            reject = true;
        } else if (!strcmp(a, "--containers")) {
            containers = true;
        } else if (!strcmp(a, "-v")) {
            verbose = true;
        } else if (!strcmp(a, "--engine") && first + 1 < argc) {
            const char *name = argv[++first];
            e = NULL;
            for (size_t i = 0; i < sizeof engines / sizeof engines[0]; i++)
                if (!strcmp(engines[i].name, name))
                    e = &engines[i];
            if (!e) {
                fprintf(stderr, "isa_runner: unknown engine '%s'\n", name);
                return 2;
            }
        } else {
            usage();
        }
    }
    if (containers)
        return run_containers(e, verbose);
    if (first >= argc)
        usage();

    static Coverage cov;
    int passed = 0, failed = 0;
    for (int i = first; i < argc; i++) {
        Test t = {.path = argv[i], .stage = STAGE_VERIFY};
        t.src = sl_file_read(argv[i], &t.src_len);
        bool ok;
        if (!t.src) {
            fprintf(stderr, "FAIL %s: cannot read: %s\n", argv[i], strerror(errno));
            ok = false;
        } else if (!parse_test(&t)) {
            fprintf(stderr, "FAIL %s: malformed test file\n", argv[i]);
            ok = false;
        } else {
            ok = reject ? run_reject(e, &t, verbose) : run_test(e, &t, &cov, verbose);
        }
        if (ok) {
            passed++;
            if (verbose)
                fprintf(stderr, "ok   %s: %s\n", t.path, t.title);
        } else {
            failed++;
        }
        test_free(&t);
    }
    int rc = failed ? 1 : 0;
    if (coverage) {
        int missing = 0;
        for (int op = 0; op < SL_OP_COUNT; op++) {
            if (cov.used[op])
                continue;
            bool internal = sl_op_info[op].cls == SL_C_INTERNAL;
            printf("coverage: %s (%s, opcode %d%s) used by no test\n", op_names[op],
                   sl_op_info[op].mnemonic, op, internal ? ", internal" : "");
            if (!internal)
                missing++;
        }
        if (missing) {
            printf("coverage: %d opcodes without a test\n", missing);
            rc = 1;
        } else {
            printf("coverage: every opcode of isa.def is used\n");
        }
    }
    printf("%s (%s): %d passed, %d failed\n", reject ? "verify" : "isa", e->name, passed, failed);
    return rc;
}
