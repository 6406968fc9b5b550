/* Compile-and-run tests for the Sluice compiler: each .sl file of tests/compile/run/ is a program
 * with its inputs and expected results in structured comments (format in
 * tests/compile/README.md). The runner compiles it in process (sl_compile, -g, the repository's
 * stdlib), builds a VM (which verifies the image: a rejection is a compiler bug), runs `init`,
 * then each case in order on the same VM, so state and tables carry over between cases.
 *
 *   sl_runner [-v] FILE...
 *
 * Every file runs twice on a fresh VM: with unlimited fuel and in slices of 3 instructions
 * (resuming after every yield); both must meet every expectation. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "image.h"
#include "slc.h"
#include "vm.h"

enum { BUF_SIZE = SL_PKT_HEADROOM + 2 * SL_PKT_MAX + 4096, MAX_CASES = 64, MAX_CLONES = 16,
       MAX_STATE_CHECKS = 16 };

typedef struct Bytes {
    uint8_t *p;
    size_t len, cap;
} Bytes;

typedef struct StateCheck {
    char name[64];
    Bytes bytes;
} StateCheck;

typedef struct Case {
    Bytes in;
    uint32_t inport;
    uint64_t tstamp, now;
    bool timer;            /* run the first timer handler instead of the packet handler */
    bool has_expect;
    unsigned verdict;      /* SlVerdict, when !fault */
    uint32_t port;
    unsigned fault;        /* SlFault, 0 = none expected */
    bool check_trap;
    int32_t trap;
    bool check_out;
    Bytes out;
    bool check_outlen;
    uint32_t outlen;
    bool check_clones;
    uint32_t nclones;
    uint32_t clone_port[MAX_CLONES];
    Bytes clone_bytes[MAX_CLONES];
    uint32_t nstate;
    StateCheck state[MAX_STATE_CHECKS];
    unsigned line;         /* of its expect directive, for messages */
} Case;

typedef struct Test {
    const char *path;
    char *title;
    uint64_t seed, budget;
    uint32_t ncases;
    Case cases[MAX_CASES];
} Test;

typedef struct Clones {
    uint32_t n;
    uint32_t port[MAX_CLONES];
    Bytes bytes[MAX_CLONES];
    uint32_t overflow;
} Clones;

static bool verbose;

static void bytes_put(Bytes *b, const uint8_t *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        while (cap < b->len + n)
            cap *= 2;
        b->p = realloc(b->p, cap);
        if (!b->p) {
            perror("sl_runner");
            exit(2);
        }
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
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

/* Hex byte pairs separated by blanks; '(' starts a comment. */
static bool parse_hex(const char *s, Bytes *out)
{
    for (;;) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s || *s == '(')
            return true;
        int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);
        if (lo < 0)
            return false;
        uint8_t v = (uint8_t)(hi << 4 | lo);
        bytes_put(out, &v, 1);
        s += 2;
        if (*s && *s != ' ' && *s != '\t' && *s != '(' && hexval(*s) < 0)
            return false;
    }
}

static bool parse_u64(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    int neg = *s == '-';
    unsigned long long x = strtoull(s + neg, &end, 0);
    while (*end == ' ' || *end == '\t')
        end++;
    if (errno || end == s + neg || (*end && *end != '('))
        return false;
    *v = neg ? (uint64_t)0 - x : x;
    return true;
}

static unsigned fault_by_name(const char *s, size_t n)
{
    for (unsigned f = 1; f < SL_FAULT_COUNT; f++) {
        const char *name = sl_fault_name(f);
        if (strlen(name) == n && strncmp(name, s, n) == 0)
            return f;
    }
    return 0;
}

/* expect: send N | drop | punt | fault NAME [trap=N] */
static bool parse_expect(const char *v, Case *c)
{
    uint64_t x;
    c->has_expect = true;
    if (strncmp(v, "send ", 5) == 0 && parse_u64(v + 5, &x) && x <= UINT32_MAX) {
        c->verdict = SL_VERDICT_SEND;
        c->port = (uint32_t)x;
        return true;
    }
    if (strcmp(v, "drop") == 0 || strcmp(v, "punt") == 0) {
        c->verdict = v[0] == 'd' ? SL_VERDICT_DROP : SL_VERDICT_PUNT;
        return true;
    }
    if (strncmp(v, "fault ", 6) == 0) {
        const char *name = v + 6, *end = name;
        while (*end && *end != ' ')
            end++;
        c->fault = fault_by_name(name, (size_t)(end - name));
        if (!c->fault)
            return false;
        while (*end == ' ')
            end++;
        if (strncmp(end, "trap=", 5) == 0) {
            if (!parse_u64(end + 5, &x))
                return false;
            c->check_trap = true;
            c->trap = (int32_t)x;
        } else if (*end) {
            return false;
        }
        return true;
    }
    return false;
}

static int fail(const Test *t, unsigned line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%u: ", t->path, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return -1;
}

/* A directive is a line "// name: value" (or "// name:") starting at column 1. */
static int parse_directives(Test *t, char *src)
{
    unsigned lineno = 0;
    Case *c = &t->cases[0];
    t->ncases = 1;
    for (char *line = src; line; ) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        lineno++;
        char *p = line;
        if (strncmp(p, "// ", 3) == 0) {
            p += 3;
            char *name = p;
            while ((*p >= 'a' && *p <= 'z') || *p == '-')
                p++;
            if (p > name && *p == ':') {
                size_t nlen = (size_t)(p - name);
                char *v = p + 1;
                while (*v == ' ' || *v == '\t')
                    v++;
                size_t vl = strlen(v);
                while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\r'))
                    v[--vl] = 0;
                uint64_t x;
                bool good = true;
#define IS(s) (nlen == strlen(s) && strncmp(name, s, nlen) == 0)
                if (IS("test"))
                    t->title = strdup(v);
                else if (IS("next")) {
                    if (t->ncases == MAX_CASES)
                        return fail(t, lineno, "too many cases");
                    c = &t->cases[t->ncases++];
                } else if (IS("in"))
                    good = parse_hex(v, &c->in);
                else if (IS("in-zeros")) {
                    good = parse_u64(v, &x) && x <= 100000;
                    for (uint64_t i = 0; good && i < x; i++)
                        bytes_put(&c->in, (const uint8_t *)"", 1);
                } else if (IS("inport"))
                    good = parse_u64(v, &x) && x <= UINT32_MAX, c->inport = (uint32_t)x;
                else if (IS("tstamp"))
                    good = parse_u64(v, &c->tstamp);
                else if (IS("now"))
                    good = parse_u64(v, &c->now);
                else if (IS("seed"))
                    good = parse_u64(v, &t->seed);
                else if (IS("budget"))
                    good = parse_u64(v, &t->budget);
                else if (IS("handler"))
                    good = strcmp(v, "timer") == 0 || strcmp(v, "packet") == 0, c->timer = v[0] == 't';
                else if (IS("expect"))
                    good = parse_expect(v, c), c->line = lineno;
                else if (IS("out"))
                    c->check_out = true, good = parse_hex(v, &c->out);
                else if (IS("outlen"))
                    c->check_outlen = true, good = parse_u64(v, &x) && x <= UINT32_MAX,
                    c->outlen = (uint32_t)x;
                else if (IS("clone")) {
                    char *end;
                    c->check_clones = true;
                    unsigned long port = strtoul(v, &end, 0);
                    good = end != v && c->nclones < MAX_CLONES;
                    if (good) {
                        c->clone_port[c->nclones] = (uint32_t)port;
                        good = parse_hex(end, &c->clone_bytes[c->nclones]);
                        c->nclones++;
                    }
                } else if (IS("no-clones"))
                    c->check_clones = true;
                else if (IS("state")) {
                    char *sp = strchr(v, ' ');
                    good = sp && c->nstate < MAX_STATE_CHECKS && (size_t)(sp - v) < 64;
                    if (good) {
                        StateCheck *s = &c->state[c->nstate++];
                        memcpy(s->name, v, (size_t)(sp - v));
                        s->name[sp - v] = 0;
                        good = parse_hex(sp, &s->bytes);
                    }
                } else
                    return fail(t, lineno, "unknown directive '%.*s'", (int)nlen, name);
#undef IS
                if (!good)
                    return fail(t, lineno, "bad value for '%.*s': %s", (int)nlen, name, v);
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    if (!t->title)
        return fail(t, 1, "no '// test:' line");
    for (uint32_t i = 0; i < t->ncases; i++)
        if (!t->cases[i].has_expect)
            return fail(t, 1, "case %u has no '// expect:' line", i + 1);
    return 0;
}

static void on_clone(void *user, uint32_t port, const uint8_t *data, uint32_t len)
{
    Clones *c = user;
    if (c->n == MAX_CLONES) {
        c->overflow++;
        return;
    }
    c->port[c->n] = port;
    c->bytes[c->n].len = 0;
    bytes_put(&c->bytes[c->n], data, len);
    c->n++;
}

static void print_hex(const char *what, const uint8_t *p, size_t n)
{
    fprintf(stderr, "    %s (%zu bytes):", what, n);
    for (size_t i = 0; i < n && i < 96; i++)
        fprintf(stderr, " %02x", p[i]);
    fprintf(stderr, n > 96 ? " ...\n" : "\n");
}

static bool find_state(const SlImage *img, const char *name, uint32_t *addr, uint32_t *size)
{
    for (uint32_t i = 0; i < img->dbg_sym_count; i++) {
        SlSym s = sl_image_dbg_sym(img, i);
        if (s.kind == SL_SYM_STATE && s.name_len == strlen(name) && memcmp(s.name, name, s.name_len) == 0) {
            *addr = s.value;
            *size = s.size;
            return true;
        }
    }
    return false;
}

/* Runs handler h to the end, in slices of `slice` instructions (0 = unlimited). */
static int run_handler(SlVm *vm, uint32_t h, SlPacket *pkt, const SlEnv *env, uint64_t slice,
                       SlResult *res)
{
    uint64_t fuel = slice ? slice : (uint64_t)1 << 40;
    int rc = sl_vm_run(vm, h, pkt, env, fuel, res);
    while (rc == 0 && res->status == SL_RUN_YIELD)
        rc = sl_vm_resume(vm, pkt, env, fuel, res);
    return rc;
}

/* One complete pass over the test's cases on a fresh VM; 0 when every expectation held. */
static int run_pass(Test *t, const SlImage *img, uint64_t slice)
{
    char err[1024];
    int bad = 0;
    size_t size = sl_vm_footprint(img);
    void *mem = aligned_alloc(8, (size + 7) / 8 * 8 + 8);
    uint8_t *buf = malloc(BUF_SIZE);
    if (!mem || !buf) {
        perror("sl_runner");
        exit(2);
    }
    SlVmConfig cfg = {.seed = t->seed, .packet_budget = t->budget};
    SlVm *vm;
    if (sl_vm_create(mem, size, img, &cfg, &vm, err, sizeof err) != 0) {
        fail(t, 1, "the verifier rejects the compiled image: %s", err);
        free(mem);
        free(buf);
        return -1;
    }
    Clones clones = {0};
    SlEnv env = {.user = &clones, .clone = on_clone};
    int hi = sl_image_find_handler(img, SL_HANDLER_INIT, 0);
    if (hi >= 0) {
        memset(buf, 0, BUF_SIZE);
        SlPacket pkt = {.buf = buf, .cap = BUF_SIZE, .head = SL_PKT_HEADROOM, .len = 0};
        SlResult res;
        int rc = run_handler(vm, (uint32_t)hi, &pkt, &env, slice, &res);
        if (rc != 0 || res.status != SL_RUN_DONE) {
            fail(t, 1, "init handler failed: %s", rc ? sl_error_text(rc) : sl_fault_name(res.fault));
            bad = 1;
        }
    }
    for (uint32_t i = 0; i < t->ncases && !bad; i++) {
        Case *c = &t->cases[i];
        int h = sl_image_find_handler(img, c->timer ? SL_HANDLER_TIMER : SL_HANDLER_PACKET, 0);
        if (h < 0) {
            bad = fail(t, c->line, "no %s handler", c->timer ? "timer" : "packet");
            break;
        }
        memset(buf, 0xa5, BUF_SIZE); /* growth that forgets to zero shows up */
        if (c->in.len)
            memcpy(buf + SL_PKT_HEADROOM, c->in.p, c->in.len);
        SlPacket pkt = {.buf = buf, .cap = BUF_SIZE, .head = SL_PKT_HEADROOM,
                        .len = (uint32_t)c->in.len, .in_port = c->inport, .tstamp_ns = c->tstamp};
        clones.n = clones.overflow = 0;
        env.now_ns = c->now;
        SlResult res;
        int rc = run_handler(vm, (uint32_t)h, &pkt, &env, slice, &res);
        const char *how = slice ? " (sliced run)" : "";
        if (rc != 0) {
            bad = fail(t, c->line, "case %u: run error %s%s", i + 1, sl_error_text(rc), how);
            break;
        }
        if (c->fault) {
            if (res.status != SL_RUN_FAULT || res.fault != c->fault)
                bad = fail(t, c->line, "case %u: expected fault %s, got %s%s", i + 1,
                           sl_fault_name(c->fault),
                           res.status == SL_RUN_FAULT ? sl_fault_name(res.fault) : "no fault", how);
            else if (c->check_trap && res.trap != c->trap)
                bad = fail(t, c->line, "case %u: expected trap %d, got %d%s", i + 1, c->trap, res.trap, how);
        } else if (res.status != SL_RUN_DONE) {
            bad = fail(t, c->line, "case %u: unexpected fault %s at insn %u (trap %d)%s", i + 1,
                       sl_fault_name(res.fault), res.pc, res.trap, how);
        } else if (res.verdict != c->verdict || (c->verdict == SL_VERDICT_SEND && res.port != c->port)) {
            static const char *names[] = {"drop", "send", "punt"};
            bad = fail(t, c->line, "case %u: expected %s %u, got %s %u%s", i + 1, names[c->verdict],
                       c->port, names[res.verdict % 3], res.port, how);
        }
        const uint8_t *data = buf + pkt.head;
        if (c->check_out && (pkt.len != c->out.len || memcmp(data, c->out.p, pkt.len) != 0)) {
            bad = fail(t, c->line, "case %u: output packet differs%s", i + 1, how);
            print_hex("expected", c->out.p, c->out.len);
            print_hex("actual", data, pkt.len);
        }
        if (c->check_outlen && pkt.len != c->outlen)
            bad = fail(t, c->line, "case %u: output length %u, expected %u%s", i + 1, pkt.len, c->outlen, how);
        if (c->check_clones) {
            if (clones.n != c->nclones || clones.overflow)
                bad = fail(t, c->line, "case %u: %u clones, expected %u%s", i + 1,
                           clones.n + clones.overflow, c->nclones, how);
            for (uint32_t k = 0; k < clones.n && k < c->nclones; k++) {
                Bytes *b = &clones.bytes[k];
                if (clones.port[k] != c->clone_port[k] || b->len != c->clone_bytes[k].len ||
                    memcmp(b->p, c->clone_bytes[k].p, b->len) != 0) {
                    bad = fail(t, c->line, "case %u: clone %u differs (port %u, expected %u)%s", i + 1,
                               k + 1, clones.port[k], c->clone_port[k], how);
                    print_hex("expected", c->clone_bytes[k].p, c->clone_bytes[k].len);
                    print_hex("actual", b->p, b->len);
                }
            }
        }
        for (uint32_t k = 0; k < c->nstate; k++) {
            StateCheck *s = &c->state[k];
            uint32_t addr, ssize, msize;
            const uint8_t *mem8 = sl_vm_state(vm, &msize);
            if (!find_state(img, s->name, &addr, &ssize)) {
                bad = fail(t, c->line, "case %u: no state symbol '%s'", i + 1, s->name);
                continue;
            }
            if (s->bytes.len > ssize || addr + s->bytes.len > msize) {
                bad = fail(t, c->line, "case %u: state '%s' has %u bytes, test checks %zu", i + 1,
                           s->name, ssize, s->bytes.len);
                continue;
            }
            if (memcmp(mem8 + addr, s->bytes.p, s->bytes.len) != 0) {
                bad = fail(t, c->line, "case %u: state '%s' differs%s", i + 1, s->name, how);
                print_hex("expected", s->bytes.p, s->bytes.len);
                print_hex("actual", mem8 + addr, s->bytes.len);
            }
        }
    }
    for (uint32_t k = 0; k < MAX_CLONES; k++)
        free(clones.bytes[k].p);
    free(mem);
    free(buf);
    return bad ? -1 : 0;
}

static int run_file(const char *path)
{
    static Test t;
    for (uint32_t i = 0; i < t.ncases; i++) {
        Case *c = &t.cases[i];
        free(c->in.p);
        free(c->out.p);
        for (uint32_t k = 0; k < c->nclones; k++)
            free(c->clone_bytes[k].p);
        for (uint32_t k = 0; k < c->nstate; k++)
            free(c->state[k].bytes.p);
    }
    free(t.title);
    memset(&t, 0, sizeof t);
    t.path = path;
    size_t len;
    char *src = sl_file_read(path, &len);
    if (!src) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    char *copy = malloc(len + 1);
    if (!copy) {
        perror("sl_runner");
        exit(2);
    }
    memcpy(copy, src, len + 1);
    if (parse_directives(&t, copy) != 0) {
        free(copy);
        free(src);
        return -1;
    }
    free(copy);

    const char *stdlib_dir = "stdlib";
    SlcOptions opt = {.stdlib_dir = stdlib_dir, .debug_info = 1, .warnings = 1};
    SlcResult res;
    memset(&res, 0, sizeof res);
    int rc = sl_compile(&opt, path, src, len, &res);
    int out = 0;
    if (rc != 0 || !res.image) {
        out = fail(&t, 1, "does not compile:\n%s", res.diags ? res.diags : "(no diagnostics)");
    } else {
        if (res.warnings)
            fprintf(stderr, "%s: warnings:\n%s", path, res.diags);
        SlImage img;
        char err[512];
        if (sl_image_parse(res.image, res.image_len, &img, err, sizeof err) != 0)
            out = fail(&t, 1, "image: %s", err);
        else if (run_pass(&t, &img, 0) != 0 || run_pass(&t, &img, 3) != 0)
            out = -1;
    }
    if (verbose || out)
        printf("%s %s: %s (%u cases)\n", out ? "FAIL" : "ok", path, t.title ? t.title : "", t.ncases);
    sl_compile_result_free(&res);
    free(src);
    return out;
}

int main(int argc, char **argv)
{
    int failed = 0, total = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0) {
            verbose = true;
            continue;
        }
        total++;
        if (run_file(argv[i]) != 0)
            failed++;
    }
    printf("sl_runner: %d of %d programs passed\n", total - failed, total);
    return failed ? 1 : 0;
}
