/* The compiled router against the hand-written one: bench/router.sl (compiled by slc in process)
 * and bench/router.sla (assembled) on the same traffic.
 *
 *   bench_slc [--packets N] [--rounds R] [--seed S] [--sl FILE.sl] [--sla FILE.sla]
 *
 * 1. Generates N frames (traffic.c), compiles and assembles the two programs, builds a VM each.
 * 2. Runs every frame through both, each on its own copy, and checks verdicts, ports, output
 *    bytes and the six outcome counters after every packet (the assembly keeps them at
 *    ROUTER_COUNTERS_ADDR, the compiled program wherever slc put its state variables: found by
 *    their debug symbols). Any difference: a report and exit 1.
 * 3. Times R rounds of each over the cache-resident first 8192 frames (interleaved, so drift
 *    hits both alike) and prints the median of the per-round ratios (and the ratio of the best
 *    rounds, which a busy machine disturbs least):
 *      bench: router_sl_vs_sla X.XX ratio goal=1.3 sl=.. sla=.. best=..
 *      bench: router_sl_insns X insns/pkt sla=Y */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "asm.h"
#include "file.h"
#include "router_counters.h"
#include "router_native.h"
#include "slc.h"
#include "traffic.h"
#include "vm.h"

enum { BUF_SIZE = SL_PKT_HEADROOM + SL_PKT_MAX, MAX_ROUNDS = 101, HOT_PACKETS = 8192 };

static const uint64_t RUN_FUEL = (uint64_t)1 << 40;

typedef struct Engine {
    const char *name;
    uint8_t *image;
    SlImage img;
    void *mem;
    SlVm *vm;
    uint32_t packet_handler;
    uint32_t counter_addr[ROUTER_NCOUNTERS];
    SlEnv env;
} Engine;

static void die(const char *fmt, const char *arg)
{
    fprintf(stderr, "bench_slc: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(1);
}

static uint32_t parse_u32(const char *s, const char *what)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 0);
    if (errno || *end || !*s || v > 0xffffffffu)
        die("bad %s", what);
    return (uint32_t)v;
}

/* Builds the VM (seed 0) over e->image and runs the init handler. */
static void engine_start(Engine *e, size_t img_len)
{
    char err[4096];
    if (sl_image_parse(e->image, img_len, &e->img, err, sizeof err) != 0)
        die("image: %s", err);
    size_t size = sl_vm_footprint(&e->img);
    e->mem = aligned_alloc(8, (size + 7) / 8 * 8);
    if (!e->mem)
        die("%s", "out of memory");
    SlVmConfig cfg = {.seed = 0, .packet_budget = 0};
    if (sl_vm_create(e->mem, size, &e->img, &cfg, &e->vm, err, sizeof err) != 0)
        die("verifier: %s", err);
    int h = sl_image_find_handler(&e->img, SL_HANDLER_PACKET, 0);
    if (h < 0)
        die("%s has no packet handler", e->name);
    e->packet_handler = (uint32_t)h;
    memset(&e->env, 0, sizeof e->env);
    int hi = sl_image_find_handler(&e->img, SL_HANDLER_INIT, 0);
    if (hi >= 0) {
        uint8_t *buf = calloc(1, BUF_SIZE);
        if (!buf)
            die("%s", "out of memory");
        SlPacket pkt = {.buf = buf, .cap = BUF_SIZE, .head = SL_PKT_HEADROOM, .len = 0};
        SlResult res;
        int rc = sl_vm_run(e->vm, (uint32_t)hi, &pkt, &e->env, RUN_FUEL, &res);
        if (rc != 0 || res.status != SL_RUN_DONE)
            die("init handler failed: %s", rc ? sl_error_text(rc) : sl_fault_text(res.fault));
        free(buf);
    }
}

static void open_sla(Engine *e, const char *path)
{
    size_t len, img_len;
    char *src = sl_file_read(path, &len);
    char err[4096];
    if (!src)
        die("cannot read %s", path);
    if (sl_asm_assemble(src, len, path, 0, &e->image, &img_len, err, sizeof err) != 0)
        die("assembling failed:\n%s", err);
    free(src);
    e->name = path;
    engine_start(e, img_len);
    router_counters_find(&e->img, 0, e->counter_addr);
}

static void open_sl(Engine *e, const char *path)
{
    size_t len;
    char *src = sl_file_read(path, &len);
    if (!src)
        die("cannot read %s", path);
    SlcOptions opt = {.stdlib_dir = "stdlib", .debug_info = 1, .warnings = 1};
    SlcResult res;
    memset(&res, 0, sizeof res);
    if (sl_compile(&opt, path, src, len, &res) != 0 || !res.image)
        die("compiling failed:\n%s", res.diags ? res.diags : "");
    if (res.warnings)
        fprintf(stderr, "bench_slc: warnings:\n%s", res.diags);
    e->image = malloc(res.image_len);
    if (!e->image)
        die("%s", "out of memory");
    memcpy(e->image, res.image, res.image_len);
    size_t img_len = res.image_len;
    sl_compile_result_free(&res);
    free(src);
    e->name = path;
    engine_start(e, img_len);
    const char *missing = router_counters_find(&e->img, 1, e->counter_addr);
    if (missing)
        die("no 8-byte state symbol '%s' in the compiled image", missing);
}

static uint64_t counter(Engine *e, int k)
{
    uint32_t size;
    const uint8_t *p = sl_vm_state(e->vm, &size) + e->counter_addr[k];
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void dump(const char *what, const uint8_t *p, uint32_t n)
{
    fprintf(stderr, "  %s:", what);
    for (uint32_t i = 0; i < n && i < 64; i++)
        fprintf(stderr, " %02x", p[i]);
    fprintf(stderr, n > 64 ? " ...\n" : "\n");
}

/* Runs every frame through both; exits on the first difference. Returns insns per engine. */
static void check_equal(const Traffic *t, Engine *a, Engine *b, uint64_t insns[2])
{
    uint8_t *abuf = calloc(1, BUF_SIZE), *bbuf = calloc(1, BUF_SIZE);
    if (!abuf || !bbuf)
        die("%s", "out of memory");
    insns[0] = insns[1] = 0;
    for (uint32_t i = 0; i < t->count; i++) {
        const uint8_t *frame = t->bytes + t->offset[i];
        uint32_t len = t->len[i];
        SlResult r[2];
        SlPacket pk[2];
        Engine *e[2] = {a, b};
        uint8_t *buf[2] = {abuf, bbuf};
        for (int k = 0; k < 2; k++) {
            memcpy(buf[k] + SL_PKT_HEADROOM, frame, len);
            pk[k] = (SlPacket){.buf = buf[k], .cap = BUF_SIZE, .head = SL_PKT_HEADROOM, .len = len,
                               .in_port = t->in_port[i]};
            int rc = sl_vm_run(e[k]->vm, e[k]->packet_handler, &pk[k], &e[k]->env, RUN_FUEL, &r[k]);
            if (rc != 0)
                die("run error: %s", sl_error_text(rc));
            insns[k] += r[k].insns;
        }
        const char *why = NULL;
        if (r[0].status != r[1].status || r[0].fault != r[1].fault)
            why = "status or fault differs";
        else if (r[0].verdict != r[1].verdict)
            why = "verdicts differ";
        else if (r[0].verdict == SL_VERDICT_SEND && r[0].port != r[1].port)
            why = "ports differ";
        else if (pk[0].len != pk[1].len || pk[0].head != pk[1].head ||
                 memcmp(abuf + pk[0].head, bbuf + pk[1].head, pk[0].len) != 0)
            why = "output bytes differ";
        for (int k = 0; !why && k < ROUTER_NCOUNTERS; k++)
            if (counter(a, k) != counter(b, k))
                why = "counters differ";
        if (why) {
            fprintf(stderr, "bench_slc: packet %" PRIu32 " (%" PRIu32 " bytes): %s\n", i, len, why);
            for (int k = 0; k < 2; k++)
                fprintf(stderr, "  %s: status %u verdict %u port %u fault %s at insn %u\n", e[k]->name,
                        r[k].status, r[k].verdict, r[k].port,
                        r[k].fault ? sl_fault_name(r[k].fault) : "none", r[k].pc);
            for (int k = 0; k < ROUTER_NCOUNTERS; k++)
                fprintf(stderr, "  counter %s: %" PRIu64 " vs %" PRIu64 "\n", router_counter_names[k],
                        counter(a, k), counter(b, k));
            dump("input", frame, len);
            dump(a->name, abuf + pk[0].head, pk[0].len);
            dump(b->name, bbuf + pk[1].head, pk[1].len);
            exit(1);
        }
    }
    free(abuf);
    free(bbuf);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double time_engine(const Traffic *t, Engine *e, uint8_t *buf, uint32_t reps, uint64_t *sink)
{
    uint64_t acc = 0;
    uint64_t t0 = now_ns();
    for (uint32_t r = 0; r < reps; r++)
        for (uint32_t i = 0; i < t->count; i++) {
            uint32_t len = t->len[i];
            memcpy(buf + SL_PKT_HEADROOM, t->bytes + t->offset[i], len);
            SlPacket pkt = {.buf = buf, .cap = BUF_SIZE, .head = SL_PKT_HEADROOM, .len = len,
                            .in_port = t->in_port[i]};
            SlResult res;
            if (sl_vm_run(e->vm, e->packet_handler, &pkt, &e->env, RUN_FUEL, &res) != 0 ||
                res.status != SL_RUN_DONE)
                die("%s: run failed while timing", e->name);
            acc += (uint64_t)res.verdict + res.port;
        }
    double ns = (double)(now_ns() - t0) / ((double)t->count * reps);
    *sink += acc;
    return ns;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static double median(double *v, uint32_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    uint32_t packets = 200000, rounds = 7;
    uint64_t seed = 0x5eed5eed;
    const char *sl = "bench/router.sl", *sla = "bench/router.sla";
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (i + 1 >= argc)
            die("usage: bench_slc [--packets N] [--rounds R] [--seed S] [--sl F] [--sla F] (at %s)", o);
        if (strcmp(o, "--packets") == 0)
            packets = parse_u32(argv[++i], "--packets");
        else if (strcmp(o, "--rounds") == 0)
            rounds = parse_u32(argv[++i], "--rounds");
        else if (strcmp(o, "--seed") == 0)
            seed = parse_u32(argv[++i], "--seed");
        else if (strcmp(o, "--sl") == 0)
            sl = argv[++i];
        else if (strcmp(o, "--sla") == 0)
            sla = argv[++i];
        else
            die("unknown option %s", o);
    }
    if (rounds == 0 || rounds > MAX_ROUNDS || packets == 0)
        die("%s", "--rounds must be 1..101 and --packets > 0");

    Traffic t;
    if (traffic_generate(&t, packets, seed) != 0)
        die("%s", "out of memory generating traffic");
    Engine a = {0}, b = {0};
    open_sl(&a, sl);
    open_sla(&b, sla);
    uint64_t insns[2];
    check_equal(&t, &a, &b, insns);
    printf("router_sl: %s equals %s on all %" PRIu32 " packets (verdicts, ports, bytes, counters); "
           "%" PRIu32 " and %" PRIu32 " instructions in the images\n",
           sl, sla, t.count, a.img.code_count, b.img.code_count);
    printf("bench: router_sl_insns %.1f insns/pkt sla=%.1f ratio=%.3f\n", (double)insns[0] / t.count,
           (double)insns[1] / t.count, (double)insns[0] / (double)insns[1]);

    Traffic hot = t;
    hot.count = t.count < HOT_PACKETS ? t.count : HOT_PACKETS;
    uint32_t reps = (t.count + hot.count - 1) / hot.count;
    uint8_t *buf = calloc(1, BUF_SIZE);
    if (!buf)
        die("%s", "out of memory");
    double ta[MAX_ROUNDS], tb[MAX_ROUNDS], ratio[MAX_ROUNDS];
    uint64_t sink = 0;
    for (uint32_t r = 0; r < rounds; r++) {
        /* alternate which goes first */
        if (r % 2) {
            tb[r] = time_engine(&hot, &b, buf, reps, &sink);
            ta[r] = time_engine(&hot, &a, buf, reps, &sink);
        } else {
            ta[r] = time_engine(&hot, &a, buf, reps, &sink);
            tb[r] = time_engine(&hot, &b, buf, reps, &sink);
        }
        ratio[r] = ta[r] / tb[r];
    }
    double ba = ta[0], bb = tb[0]; /* best rounds: least disturbed by other load */
    for (uint32_t r = 1; r < rounds; r++) {
        ba = ta[r] < ba ? ta[r] : ba;
        bb = tb[r] < bb ? tb[r] : bb;
    }
    double ma = median(ta, rounds), mb = median(tb, rounds), mr = median(ratio, rounds);
    printf("bench: router_sl %.1f ns/pkt rounds=%" PRIu32 " packets=%" PRIu32 "\n", ma, rounds,
           hot.count * reps);
    printf("bench: router_sla %.1f ns/pkt rounds=%" PRIu32 " packets=%" PRIu32 "\n", mb, rounds,
           hot.count * reps);
    printf("bench: router_sl_vs_sla %.2f ratio goal=1.3 sl=%.1f sla=%.1f best=%.2f\n", mr, ma, mb, ba / bb);
    if (sink == 42)
        printf("\n");
    free(buf);
    free(a.mem);
    free(a.image);
    free(b.mem);
    free(b.image);
    traffic_free(&t);
    return 0;
}
