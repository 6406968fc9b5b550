/* The AOT benchmark: the router workload (bench/router.sla, or --program FILE) through JIT'd
 * x86-64 native code, beside the same logic in plain C (router_native.c, gcc -O2) and the
 * interpreter, in the same run.
 *
 *   aot_bench [--packets N] [--rounds R] [--seed S] [--program FILE.sla|FILE.slb|FILE.sl] [-O N]
 *             [--suffix S]
 *
 * A Sluice program (bench/router.sl) is compiled with debug info and its outcome counters found
 * by their state symbols; an assembly or image program keeps them at ROUTER_COUNTERS_ADDR.
 * --suffix is appended to the reported names (bench: aot_router_sl ...).
 *
 * 1. Translates the image: JIT time (verify + translate + optimise + machine code) and the time
 *    to make an object for each slaot target, medians of 5.
 * 2. Runs every frame through the three engines and checks that verdicts, ports, bytes and the
 *    outcome counters agree; any difference: a report and exit 1.
 * 3. Times R rounds, interleaved, over all frames and over a cache-resident subset, and prints
 *    medians as "bench: <name> <value> <unit> [key=value ...]". */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aot.h"
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
    void *mem;
    SlVm *vm;
    const SlNative *native; /* NULL: the interpreter */
} Engine;

/* Where the six outcome counters live in state memory (router_native.h's order). */
static uint32_t counter_addr[ROUTER_NCOUNTERS];

static void die(const char *fmt, const char *arg)
{
    fprintf(stderr, "aot_bench: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(1);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, uint32_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int run(Engine *e, uint32_t h, SlPacket *pkt, SlResult *res)
{
    static const SlEnv env = {0};
    return e->native ? sl_native_run(e->vm, e->native, h, pkt, &env, RUN_FUEL, res)
                     : sl_vm_run(e->vm, h, pkt, &env, RUN_FUEL, res);
}

static void engine_open(Engine *e, const SlImage *img, const SlNative *native)
{
    size_t size = sl_vm_footprint(img);
    char err[4096];
    e->mem = aligned_alloc(8, (size + 7) / 8 * 8);
    if (!e->mem)
        die("%s", "out of memory");
    SlVmConfig cfg = {0};
    if (sl_vm_create(e->mem, size, img, &cfg, &e->vm, err, sizeof err) != 0)
        die("verifier: %s", err);
    e->native = native;
    int hi = sl_image_find_handler(img, SL_HANDLER_INIT, 0);
    if (hi >= 0) {
        uint8_t *buf = calloc(1, BUF_SIZE);
        SlPacket pkt = {.buf = buf, .cap = BUF_SIZE, .head = SL_PKT_HEADROOM};
        SlResult res;
        if (!buf || run(e, (uint32_t)hi, &pkt, &res) != 0 || res.status != SL_RUN_DONE)
            die("%s", "init handler failed");
        free(buf);
    }
}

static uint64_t counter(Engine *e, int i)
{
    uint32_t size;
    const uint8_t *p = sl_vm_state(e->vm, &size) + counter_addr[i];
    uint64_t v = 0;
    for (int k = 7; k >= 0; k--)
        v = v << 8 | p[k];
    return v;
}

/* Every frame through C, interpreter and AOT; exits on the first difference. */
static void check_equal(const Traffic *t, Engine *interp, Engine *aot, uint32_t h)
{
    RouterNative nat;
    router_native_init(&nat);
    uint8_t *nb = calloc(1, BUF_SIZE), *ib = calloc(1, BUF_SIZE), *ab = calloc(1, BUF_SIZE);
    if (!nb || !ib || !ab)
        die("%s", "out of memory");
    for (uint32_t i = 0; i < t->count; i++) {
        const uint8_t *frame = t->bytes + t->offset[i];
        uint32_t len = t->len[i], nport = 0;
        memcpy(nb + SL_PKT_HEADROOM, frame, len);
        int nv = router_native_route(&nat, nb + SL_PKT_HEADROOM, len, &nport);
        SlResult ri, ra;
        memcpy(ib + SL_PKT_HEADROOM, frame, len);
        memcpy(ab + SL_PKT_HEADROOM, frame, len);
        SlPacket pi = {.buf = ib, .cap = BUF_SIZE, .head = SL_PKT_HEADROOM, .len = len, .in_port = t->in_port[i]};
        SlPacket pa = pi;
        pa.buf = ab;
        const char *why = NULL;
        if (run(interp, h, &pi, &ri) != 0 || run(aot, h, &pa, &ra) != 0)
            why = "run failed";
        else if (memcmp(&ri, &ra, sizeof ri) != 0)
            why = "interpreter and AOT results differ";
        else if (ri.status != SL_RUN_DONE || ri.verdict != nv || (nv == ROUTER_SEND && ri.port != nport))
            why = "verdicts or ports differ from C";
        else if (pi.len != len || pa.len != len || pi.head != pa.head ||
                 memcmp(ib + SL_PKT_HEADROOM, nb + SL_PKT_HEADROOM, len) ||
                 memcmp(ab + SL_PKT_HEADROOM, nb + SL_PKT_HEADROOM, len))
            why = "output bytes differ";
        for (int k = 0; !why && k < ROUTER_NCOUNTERS; k++)
            if (counter(interp, k) != nat.counters[k] || counter(aot, k) != nat.counters[k])
                why = "counters differ";
        if (why) {
            fprintf(stderr, "aot_bench: packet %" PRIu32 ": %s\n", i, why);
            exit(1);
        }
    }
    free(nb);
    free(ib);
    free(ab);
}

static double time_native(const Traffic *t, RouterNative *nat, uint8_t *buf, uint64_t *sink)
{
    uint64_t acc = 0, t0 = now_ns();
    for (uint32_t i = 0; i < t->count; i++) {
        uint32_t len = t->len[i], port = 0;
        memcpy(buf + SL_PKT_HEADROOM, t->bytes + t->offset[i], len);
        acc += (uint64_t)router_native_route(nat, buf + SL_PKT_HEADROOM, len, &port) + port;
    }
    double ns = (double)(now_ns() - t0) / t->count;
    *sink += acc;
    return ns;
}

static double time_vm(const Traffic *t, Engine *e, uint32_t h, uint8_t *buf, uint64_t *sink)
{
    uint64_t acc = 0, t0 = now_ns();
    for (uint32_t i = 0; i < t->count; i++) {
        uint32_t len = t->len[i];
        memcpy(buf + SL_PKT_HEADROOM, t->bytes + t->offset[i], len);
        SlPacket pkt = {.buf = buf, .cap = BUF_SIZE, .head = SL_PKT_HEADROOM, .len = len,
                        .in_port = t->in_port[i]};
        SlResult res;
        if (run(e, h, &pkt, &res) != 0 || res.status != SL_RUN_DONE)
            die("%s", "run failed while timing");
        acc += (uint64_t)res.verdict + res.port;
    }
    double ns = (double)(now_ns() - t0) / t->count;
    *sink += acc;
    return ns;
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

int main(int argc, char **argv)
{
    uint32_t packets = 1000000, rounds = 5, level = 2;
    uint64_t seed = 0x5eed5eed;
    const char *program = "bench/router.sla";
    const char *sfx = "";
    int from_source = 0;
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc)
            die("usage: aot_bench [--packets N] [--rounds R] [--seed S] [--program FILE] [-O N] [--suffix S] (at %s)", argv[i]);
        if (!strcmp(argv[i], "--packets"))
            packets = parse_u32(argv[++i], "packet count");
        else if (!strcmp(argv[i], "--rounds"))
            rounds = parse_u32(argv[++i], "round count");
        else if (!strcmp(argv[i], "--seed"))
            seed = parse_u32(argv[++i], "seed");
        else if (!strcmp(argv[i], "--program"))
            program = argv[++i];
        else if (!strcmp(argv[i], "--suffix"))
            sfx = argv[++i];
        else if (!strcmp(argv[i], "-O"))
            level = parse_u32(argv[++i], "optimisation level");
        else
            die("unknown option %s", argv[i]);
    }
    if (rounds < 1 || rounds > MAX_ROUNDS || !packets || level > 3)
        die("%s", "bad --rounds, --packets or -O");

    size_t src_len, img_len;
    char *src = sl_file_read(program, &src_len);
    static char err[8192];
    uint8_t *image;
    if (!src)
        die("cannot read %s", program);
    size_t plen = strlen(program);
    if (plen > 4 && !strcmp(program + plen - 4, ".slb")) {
        image = (uint8_t *)src;
        img_len = src_len;
    } else if (plen > 3 && !strcmp(program + plen - 3, ".sl")) {
        SlcOptions opt = {.stdlib_dir = "stdlib", .debug_info = 1};
        SlcResult res;
        memset(&res, 0, sizeof res);
        if (sl_compile(&opt, program, src, src_len, &res) != 0 || !res.image)
            die("compiling failed:\n%s", res.diags ? res.diags : "");
        image = malloc(res.image_len);
        if (!image)
            die("%s", "out of memory");
        memcpy(image, res.image, res.image_len);
        img_len = res.image_len;
        sl_compile_result_free(&res);
        free(src);
        from_source = 1;
    } else {
        if (sl_asm_assemble(src, src_len, program, 0, &image, &img_len, err, sizeof err) != 0)
            die("assembling failed:\n%s", err);
        free(src);
    }
    SlImage img;
    if (sl_image_parse(image, img_len, &img, err, sizeof err) != 0)
        die("image: %s", err);
    const char *missing = router_counters_find(&img, from_source, counter_addr);
    if (missing)
        die("no 8-byte state symbol '%s' in the compiled image", missing);
    int ph = sl_image_find_handler(&img, SL_HANDLER_PACKET, 0);
    if (ph < 0)
        die("%s has no packet handler", program);

    /* Translation times. */
    double jit_ms[5];
    SlAotJit *jit = NULL;
    for (int k = 0; k < 5; k++) {
        if (jit)
            sl_aot_jit_destroy(jit);
        uint64_t t0 = now_ns();
        if (sl_aot_jit_create(&img, (int)level, &jit, err, sizeof err) != 0)
            die("JIT: %s", err);
        jit_ms[k] = (double)(now_ns() - t0) / 1e6;
    }
    printf("bench: aot_compile%s %.2f ms/image engine=jit insns=%" PRIu32 " llvm=%s O%u\n",
           sfx, median(jit_ms, 5), img.code_count, sl_aot_llvm_version(), level);
    for (size_t ti = 0; sl_aot_target_at(ti); ti++) {
        SlAotOptions opt = {.target = sl_aot_target_at(ti), .opt_level = (int)level};
        double ms[5];
        size_t bytes = 0;
        for (int k = 0; k < 5; k++) {
            uint8_t *obj;
            uint64_t t0 = now_ns();
            if (sl_aot_compile(&img, &opt, &obj, &bytes, err, sizeof err) != 0)
                die("slaot: %s", err);
            ms[k] = (double)(now_ns() - t0) / 1e6;
            free(obj);
        }
        printf("bench: aot_compile_%s%s %.2f ms/image object_bytes=%zu\n", opt.target->name, sfx,
               median(ms, 5), bytes);
    }

    Traffic t;
    if (traffic_generate(&t, packets, seed) != 0)
        die("%s", "out of memory generating traffic");
    Engine interp, aot;
    engine_open(&interp, &img, NULL);
    engine_open(&aot, &img, sl_aot_jit_native(jit));
    check_equal(&t, &interp, &aot, (uint32_t)ph);
    printf("aot: C, interpreter and AOT agree on all %" PRIu32 " packets (verdicts, ports, bytes, counters)\n",
           t.count);

    RouterNative nat;
    router_native_init(&nat);
    uint8_t *buf = calloc(1, BUF_SIZE);
    if (!buf)
        die("%s", "out of memory");
    Traffic hot = t;
    hot.count = t.count < HOT_PACKETS ? t.count : HOT_PACKETS;
    uint32_t reps = (t.count + hot.count - 1) / hot.count;
    double nv[MAX_ROUNDS], iv[MAX_ROUNDS], av[MAX_ROUNDS], hn[MAX_ROUNDS], hi[MAX_ROUNDS], ha[MAX_ROUNDS];
    uint64_t sink = 0;
    for (uint32_t r = 0; r < rounds; r++) {
        nv[r] = time_native(&t, &nat, buf, &sink);
        av[r] = time_vm(&t, &aot, (uint32_t)ph, buf, &sink);
        iv[r] = time_vm(&t, &interp, (uint32_t)ph, buf, &sink);
        hn[r] = hi[r] = ha[r] = 0;
        for (uint32_t k = 0; k < reps; k++) {
            hn[r] += time_native(&hot, &nat, buf, &sink) / reps;
            ha[r] += time_vm(&hot, &aot, (uint32_t)ph, buf, &sink) / reps;
            hi[r] += time_vm(&hot, &interp, (uint32_t)ph, buf, &sink) / reps;
        }
    }
    double n = median(nv, rounds), i = median(iv, rounds), a = median(av, rounds);
    double n2 = median(hn, rounds), i2 = median(hi, rounds), a2 = median(ha, rounds);
    printf("bench: aot_router%s %.1f ns/pkt rounds=%" PRIu32 " packets=%" PRIu32 " native=%.1f interp=%.1f"
           " program=%s\n", sfx, a, rounds, t.count, n, i, program);
    printf("bench: aot_vs_native%s %.2f ratio aot=%.1f native=%.1f goal=1.05\n", sfx, a / n, a, n);
    printf("bench: aot_vs_interp%s %.2f ratio speedup=%.2f\n", sfx, a / i, i / a);
    printf("bench: aot_router_hot%s %.1f ns/pkt native=%.1f interp=%.1f\n", sfx, a2, n2, i2);
    printf("bench: aot_vs_native_hot%s %.2f ratio\n", sfx, a2 / n2);
    printf("bench: aot_vs_interp_hot%s %.2f ratio speedup=%.2f\n", sfx, a2 / i2, i2 / a2);
    if (sink == 42)
        printf("(sink)\n");
    sl_aot_jit_destroy(jit);
    free(aot.mem);
    free(interp.mem);
    free(buf);
    free(image);
    traffic_free(&t);
    return 0;
}
