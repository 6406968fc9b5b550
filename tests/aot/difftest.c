/* The differential fuzzer: random valid programs (gen.c) and random packets, each run on the
 * interpreter, on AOT native code (JIT'd x86-64) and on a VM that switches engine at every
 * yield; any difference in results, packet buffers (whole, window included), state, tables or
 * clones is a failure. (Registers after a run has ended are nobody's business: docs/aot.md.)
 *
 *   difftest [-n N] [-s FIRST_SEED] [-k DIR] [-v]
 *
 * Program i uses seed FIRST_SEED + i, so a failure is replayed with -n 1 -s SEED. On a failure
 * the program is written to DIR/difftest-SEED.sla (DIR defaults to .) and the run stops. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aot.h"
#include "asm.h"
#include "gen.h"
#include "vm.h"

enum { NVM = 3, MAX_CLONES = 64, BUF = SL_PKT_HEADROOM + SL_PKT_MAX + 64, MAX_PACKETS = 4 };
enum { ENGINE_INTERP, ENGINE_AOT, ENGINE_MIXED };
static const char *const engine_names[NVM] = {"interp", "aot", "mixed"};

typedef struct Clone {
    uint32_t port, len;
    uint64_t sum; /* FNV-1a of the bytes */
} Clone;

typedef struct Vm {
    void *mem;
    SlVm *vm;
    Clone clones[MAX_CLONES];
    uint32_t nclones;
    uint8_t *buf;
    SlPacket pkt;
    SlResult res;
    int rc;
} Vm;

static void on_clone(void *user, uint32_t port, const uint8_t *data, uint32_t len)
{
    Vm *v = user;
    uint64_t h = 0xcbf29ce484222325ull;
    for (uint32_t i = 0; i < len; i++)
        h = (h ^ data[i]) * 0x100000001b3ull;
    if (v->nclones < MAX_CLONES)
        v->clones[v->nclones] = (Clone){port, len, h};
    v->nclones++;
}

/* One handler run to its end, slicing the fuel at random (the same choices for every VM would
 * hide nothing: each VM draws its own). */
static int run(Vm *v, int engine, const SlNative *n, uint32_t handler, const SlEnv *env, AotRng *r)
{
    static const uint64_t fuels[] = {1, 2, 3, 7, 50};
    uint64_t fuel = aotgen_below(r, 3) == 0 ? ~0ull : fuels[aotgen_below(r, 5)];
    int rc = engine == ENGINE_INTERP ? sl_vm_run(v->vm, handler, &v->pkt, env, fuel, &v->res)
             : engine == ENGINE_AOT  ? sl_native_run(v->vm, n, handler, &v->pkt, env, fuel, &v->res)
             : aotgen_below(r, 2) ? sl_vm_run(v->vm, handler, &v->pkt, env, fuel, &v->res)
                                  : sl_native_run(v->vm, n, handler, &v->pkt, env, fuel, &v->res);
    for (int guard = 0; rc == 0 && v->res.status == SL_RUN_YIELD; guard++) {
        if (guard > 1000000)
            return -SL_ESTATE;
        int native = engine == ENGINE_AOT || (engine == ENGINE_MIXED && aotgen_below(r, 2));
        rc = native ? sl_native_resume(v->vm, n, &v->pkt, env, fuel, &v->res)
                    : sl_vm_resume(v->vm, &v->pkt, env, fuel, &v->res);
    }
    return rc;
}

typedef struct Walk {
    uint64_t sum;
    uint32_t count;
} Walk;

static int walk_fn(void *user, const uint8_t *key, const uint8_t *value)
{
    Walk *w = user;
    w->sum = (w->sum ^ (uint64_t)(uintptr_t)key) * 0x100000001b3ull; /* slot order and position */
    w->sum = (w->sum ^ key[0]) * 0x100000001b3ull;
    w->sum = (w->sum ^ (uint64_t)(uintptr_t)value) * 0x100000001b3ull;
    w->count++;
    return 0;
}

/* Describes the first difference between VM 0 and VM i into msg; 0 if none. */
static int compare(Vm *v, int i, const SlImage *img, char *msg, size_t cap)
{
    Vm *a = &v[0], *b = &v[i];
    if (a->rc != b->rc)
        return snprintf(msg, cap, "status code %d vs %d", a->rc, b->rc), 1;
    if (memcmp(&a->res, &b->res, sizeof a->res)) {
        snprintf(msg, cap,
                 "result: status %u/%u verdict %u/%u fault %s/%s pc %u/%u port %u/%u trap %d/%d "
                 "insns %" PRIu64 "/%" PRIu64,
                 a->res.status, b->res.status, a->res.verdict, b->res.verdict,
                 sl_fault_name(a->res.fault), sl_fault_name(b->res.fault), a->res.pc, b->res.pc,
                 a->res.port, b->res.port, a->res.trap, b->res.trap, a->res.insns, b->res.insns);
        return 1;
    }
    if (a->pkt.head != b->pkt.head || a->pkt.len != b->pkt.len)
        return snprintf(msg, cap, "packet head/len %u/%u vs %u/%u", a->pkt.head, a->pkt.len,
                        b->pkt.head, b->pkt.len), 1;
    for (uint32_t k = 0; k < BUF; k++)
        if (a->buf[k] != b->buf[k])
            return snprintf(msg, cap, "packet buffer byte %u: %02x vs %02x", k, a->buf[k], b->buf[k]), 1;
    uint32_t sa, sb;
    uint8_t *pa = sl_vm_state(a->vm, &sa), *pb = sl_vm_state(b->vm, &sb);
    for (uint32_t k = 0; k < sa; k++)
        if (pa[k] != pb[k])
            return snprintf(msg, cap, "state byte %u: %02x vs %02x", k, pa[k], pb[k]), 1;
    if (a->nclones != b->nclones)
        return snprintf(msg, cap, "%u clones vs %u", a->nclones, b->nclones), 1;
    for (uint32_t k = 0; k < a->nclones && k < MAX_CLONES; k++)
        if (memcmp(&a->clones[k], &b->clones[k], sizeof(Clone)))
            return snprintf(msg, cap, "clone %u differs (port %u/%u, len %u/%u)", k,
                            a->clones[k].port, b->clones[k].port, a->clones[k].len, b->clones[k].len), 1;
    for (uint32_t t = 0; t < img->table_count; t++) {
        Walk wa = {0}, wb = {0};
        sl_vm_table_walk(a->vm, t, walk_fn, &wa);
        sl_vm_table_walk(b->vm, t, walk_fn, &wb);
        /* positions are addresses in different VMs: compare counts and relative layout */
        if (wa.count != wb.count || sl_vm_table_count(a->vm, t) != sl_vm_table_count(b->vm, t))
            return snprintf(msg, cap, "table %u: %u entries vs %u", t, wa.count, wb.count), 1;
    }
    return 0;
}

static void packet_fill(Vm *v, const uint8_t *bytes, uint32_t len, uint32_t port, uint64_t ts)
{
    memset(v->buf, 0xa5, BUF);
    memcpy(v->buf + SL_PKT_HEADROOM, bytes, len);
    v->pkt = (SlPacket){.buf = v->buf, .cap = BUF, .head = SL_PKT_HEADROOM, .len = len,
                        .in_port = port, .tstamp_ns = ts};
    v->nclones = 0;
    memset(&v->res, 0, sizeof v->res);
}

static void save(const char *dir, uint64_t seed, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/difftest-%" PRIu64 ".sla", dir, seed);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
        fprintf(stderr, "difftest: program written to %s\n", path);
    }
}

/* 0 when every engine agrees on the program of this seed; 1 on a difference; 2 on a harness
 * or generator failure. */
static int one(uint64_t seed, const char *dir, int verbose, uint64_t *insns)
{
    size_t len;
    char *text = aotgen_program(seed, &len);
    if (!text)
        return 2;
    static char err[8192];
    uint8_t *image = NULL;
    size_t ilen;
    int status = 0;
    SlAotJit *jit = NULL;
    Vm v[NVM];
    memset(v, 0, sizeof v);
    SlImage img;
    if (sl_asm_assemble(text, len, "gen.sla", 0, &image, &ilen, err, sizeof err) < 0 ||
        sl_image_parse(image, ilen, &img, err, sizeof err) < 0) {
        fprintf(stderr, "difftest: seed %" PRIu64 ": generator bug: %s\n", seed, err);
        status = 2;
        goto out;
    }
    AotRng r;
    aotgen_seed(&r, seed ^ 0xd1ff7e57ull);
    static const uint64_t budgets[] = {60, 400, 3000, 30000};
    SlVmConfig cfg = {.seed = aotgen_next(&r), .packet_budget = budgets[aotgen_below(&r, 4)]};
    size_t size = sl_vm_footprint(&img);
    for (int i = 0; i < NVM; i++) {
        v[i].mem = malloc(size);
        v[i].buf = malloc(BUF);
        if (!v[i].mem || !v[i].buf ||
            sl_vm_create(v[i].mem, size, &img, &cfg, &v[i].vm, err, sizeof err) < 0) {
            fprintf(stderr, "difftest: seed %" PRIu64 ": generator bug: %s\n", seed, err);
            status = 2;
            goto out;
        }
    }
    if (sl_aot_jit_create(&img, (int)(seed % 4), &jit, err, sizeof err) < 0) { /* every -O */
        fprintf(stderr, "difftest: seed %" PRIu64 ": AOT failed: %s\n", seed, err);
        status = 1;
        goto out;
    }
    const SlNative *n = sl_aot_jit_native(jit);
    uint64_t now = aotgen_next(&r);
    int init = sl_image_find_handler(&img, SL_HANDLER_INIT, 0);
    int ph = sl_image_find_handler(&img, SL_HANDLER_PACKET, 0);
    uint32_t npk = 1 + aotgen_below(&r, MAX_PACKETS);
    for (int p = init >= 0 ? -1 : 0; p < (int)npk; p++) {
        uint8_t bytes[2048];
        uint32_t blen = p < 0                       ? 0
                        : aotgen_below(&r, 8) == 0  ? aotgen_below(&r, 2048)
                        : aotgen_below(&r, 8) == 0  ? aotgen_below(&r, 64)
                                                    : 64 + aotgen_below(&r, 128);
        for (uint32_t k = 0; k < blen; k++)
            bytes[k] = (uint8_t)aotgen_next(&r);
        uint32_t port = aotgen_below(&r, 6);
        uint64_t ts = aotgen_next(&r);
        for (int i = 0; i < NVM; i++) {
            SlEnv env = {.user = &v[i], .clone = on_clone, .now_ns = now + (uint64_t)p};
            packet_fill(&v[i], bytes, blen, port, ts);
            v[i].rc = run(&v[i], i, n, (uint32_t)(p < 0 ? init : ph), &env, &r);
        }
        *insns += v[0].res.insns;
        for (int i = 1; i < NVM; i++) {
            char msg[512];
            if (compare(v, i, &img, msg, sizeof msg)) {
                fprintf(stderr, "difftest: seed %" PRIu64 ": %s, packet %d: interp vs %s: %s\n", seed,
                        p < 0 ? "init" : "packet", p, engine_names[i], msg);
                save(dir, seed, text);
                status = 1;
                goto out;
            }
        }
        if (verbose)
            fprintf(stderr, "  seed %" PRIu64 " packet %d: status %u verdict %u fault %s, %" PRIu64
                            " insns\n", seed, p, v[0].res.status, v[0].res.verdict,
                    sl_fault_name(v[0].res.fault), v[0].res.insns);
    }
out:
    for (int i = 0; i < NVM; i++) {
        free(v[i].mem);
        free(v[i].buf);
    }
    sl_aot_jit_destroy(jit);
    free(image);
    free(text);
    return status;
}

int main(int argc, char **argv)
{
    uint64_t n = 100, first = 1;
    const char *dir = ".";
    int verbose = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc)
            n = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "-s") && i + 1 < argc)
            first = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "-k") && i + 1 < argc)
            dir = argv[++i];
        else if (!strcmp(argv[i], "-v"))
            verbose = 1;
        else if (!strcmp(argv[i], "--print") && i + 1 < argc) { /* the program of one seed */
            size_t len;
            char *text = aotgen_program(strtoull(argv[++i], NULL, 0), &len);
            fputs(text ? text : "", stdout);
            free(text);
            return text ? 0 : 2;
        } else {
            fprintf(stderr, "usage: difftest [-n N] [-s FIRST_SEED] [-k DIR] [-v] | --print SEED\n");
            return 2;
        }
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint64_t insns = 0;
    for (uint64_t i = 0; i < n; i++) {
        int rc = one(first + i, dir, verbose, &insns);
        if (rc) {
            printf("difftest: FAIL at seed %" PRIu64 " after %" PRIu64 " programs\n", first + i, i);
            return rc;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("difftest: %" PRIu64 " programs (seeds %" PRIu64 "..%" PRIu64 "), %" PRIu64
           " interpreter instructions, no difference, %.1f s\n", n, first, first + n - 1, insns, s);
    return 0;
}
