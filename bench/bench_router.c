/* The router benchmark: bench/router.sla on the interpreter beside the same logic in C.
 *
 *   bench_router [--packets N] [--rounds R] [--seed S] [--program FILE.sla|FILE.slb]
 *
 * 1. Generates N frames (traffic.c) and assembles FILE in process.
 * 2. Runs every frame through both engines, each on its own copy, and checks that verdicts,
 *    ports, output bytes and the outcome counters agree after every packet; forwarded headers
 *    are re-verified (checksum valid, TTL one lower). Any difference: a report and exit 1.
 * 3. Times R rounds of each engine over all frames (interleaved, so drift hits both alike) and
 *    prints the medians as "bench: <name> <value> <unit> [key=value ...]" lines.
 *
 * Then the same over a cache-resident subset (router_*_hot): compute-bound figures.
 *
 * Both engines pay the same per-packet copy of the frame into a reused buffer (SL_PKT_HEADROOM
 * before it, SL_PKT_MAX after it, as sl_vm_run requires); router_copy reports that copy alone. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "asm.h"
#include "file.h"
#include "router_native.h"
#include "traffic.h"
#include "vm.h"

enum {
    BUF_SIZE = SL_PKT_HEADROOM + SL_PKT_MAX,
    MAX_ROUNDS = 101,
    HOT_PACKETS = 8192,
};

static const uint64_t RUN_FUEL = (uint64_t)1 << 40; /* never yield: one slice per packet */

typedef struct Options {
    uint32_t packets;
    uint32_t rounds;
    uint64_t seed;
    const char *program;
} Options;

typedef struct Interp {
    uint8_t *image;     /* assembled bytes; img points into them */
    SlImage img;
    void *mem;          /* the VM's memory block */
    SlVm *vm;
    uint32_t packet_handler;
    SlEnv env;
} Interp;

static void die(const char *fmt, const char *arg)
{
    fprintf(stderr, "bench_router: ");
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

static void parse_options(int argc, char **argv, Options *o)
{
    o->packets = 1000000;
    o->rounds = 5;
    o->seed = 0x5eed5eed;
    o->program = "bench/router.sla";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc)
            die("usage: bench_router [--packets N] [--rounds R] [--seed S] [--program FILE] (at %s)", a);
        if (strcmp(a, "--packets") == 0)
            o->packets = parse_u32(argv[++i], "--packets");
        else if (strcmp(a, "--rounds") == 0)
            o->rounds = parse_u32(argv[++i], "--rounds");
        else if (strcmp(a, "--seed") == 0)
            o->seed = parse_u32(argv[++i], "--seed");
        else if (strcmp(a, "--program") == 0)
            o->program = argv[++i];
        else
            die("unknown option %s", a);
    }
    if (o->packets == 0 || o->rounds == 0 || o->rounds > MAX_ROUNDS)
        die("%s", "--packets must be > 0 and --rounds 1..101");
}

/* Assembles the program (or reads an .slb image), builds the VM (seed 0) and runs its init handler. */
static void interp_open(Interp *in, const char *path)
{
    size_t src_len, img_len;
    char *src = sl_file_read(path, &src_len);
    char err[4096];
    size_t n = strlen(path);
    if (n > 4 && strcmp(path + n - 4, ".slb") == 0) { /* an image slas built */
        in->image = (uint8_t *)src;
        img_len = src_len;
    } else {
        if (sl_asm_assemble(src, src_len, path, 0, &in->image, &img_len, err, sizeof err) != 0)
            die("assembling failed:\n%s", err);
        free(src);
    }
    if (sl_image_parse(in->image, img_len, &in->img, err, sizeof err) != 0)
        die("image: %s", err);
    size_t size = sl_vm_footprint(&in->img);
    if (size == 0)
        die("%s", "image too large");
    in->mem = aligned_alloc(8, (size + 7) / 8 * 8);
    if (!in->mem)
        die("%s", "out of memory");
    SlVmConfig cfg = {.seed = 0, .packet_budget = 0};
    if (sl_vm_create(in->mem, size, &in->img, &cfg, &in->vm, err, sizeof err) != 0)
        die("verifier: %s", err);
    int h = sl_image_find_handler(&in->img, SL_HANDLER_PACKET, 0);
    if (h < 0)
        die("%s has no packet handler", path);
    in->packet_handler = (uint32_t)h;
    memset(&in->env, 0, sizeof in->env);

    int hi = sl_image_find_handler(&in->img, SL_HANDLER_INIT, 0);
    if (hi >= 0) {
        uint8_t *buf = calloc(1, BUF_SIZE);
        if (!buf)
            die("%s", "out of memory");
        SlPacket pkt = {.buf = buf, .cap = BUF_SIZE, .head = SL_PKT_HEADROOM, .len = 0};
        SlResult res;
        int rc = sl_vm_run(in->vm, (uint32_t)hi, &pkt, &in->env, RUN_FUEL, &res);
        if (rc != 0 || res.status != SL_RUN_DONE)
            die("init handler failed: %s", rc ? sl_error_text(rc) : sl_fault_text(res.fault));
        free(buf);
    }
}

static void interp_close(Interp *in)
{
    free(in->mem);
    free(in->image);
}

static uint64_t state_counter(Interp *in, int i)
{
    uint32_t size;
    const uint8_t *p = sl_vm_state(in->vm, &size) + ROUTER_COUNTERS_ADDR + 8 * i;
    uint64_t v = 0;
    for (int k = 7; k >= 0; k--)
        v = v << 8 | p[k];
    return v;
}

typedef struct Digest {
    uint64_t h;
} Digest;

static void digest_bytes(Digest *d, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        d->h = (d->h ^ p[i]) * 0x100000001b3ull;
}

static void digest_u32(Digest *d, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    digest_bytes(d, b, 4);
}

static const char *verdict_name(unsigned v)
{
    return v == ROUTER_SEND ? "send" : v == ROUTER_PUNT ? "punt" : "drop";
}

static void dump(const char *what, const uint8_t *p, uint32_t n)
{
    fprintf(stderr, "  %s:", what);
    for (uint32_t i = 0; i < n && i < 64; i++)
        fprintf(stderr, "%s%02x", i % 16 ? " " : "\n    ", p[i]);
    fputc('\n', stderr);
}

static uint32_t ones_sum(const uint8_t *p, uint32_t n)
{
    uint32_t sum = 0;
    for (uint32_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return sum;
}

/* A forwarded header must still be valid: checksum right, TTL one lower than it came in. */
static const char *check_forwarded(const uint8_t *in, const uint8_t *out, uint32_t len)
{
    uint32_t l3 = (in[12] << 8 | in[13]) == 0x8100 ? 18 : 14;
    uint32_t ihl = (out[l3] & 15u) * 4;
    if (l3 + ihl > len)
        return "header past the frame";
    if (ones_sum(out + l3, ihl) != 0xffff)
        return "checksum invalid after forwarding";
    if (out[l3 + 8] + 1 != in[l3 + 8])
        return "TTL not one lower";
    return NULL;
}

typedef struct CheckStats {
    uint64_t digest;
    uint64_t insns;
    uint64_t counters[ROUTER_NCOUNTERS];
} CheckStats;

/* Every packet through both engines; exits on the first difference. */
static void check_equal(const Traffic *t, Interp *in, CheckStats *st)
{
    RouterNative nat;
    router_native_init(&nat);
    uint8_t *nbuf = calloc(1, BUF_SIZE), *ibuf = calloc(1, BUF_SIZE);
    if (!nbuf || !ibuf)
        die("%s", "out of memory");
    Digest d = {0xcbf29ce484222325ull};
    uint64_t insns = 0;
    for (uint32_t i = 0; i < t->count; i++) {
        const uint8_t *frame = t->bytes + t->offset[i];
        uint32_t len = t->len[i];
        memcpy(nbuf + SL_PKT_HEADROOM, frame, len);
        uint32_t nport = 0;
        int nv = router_native_route(&nat, nbuf + SL_PKT_HEADROOM, len, &nport);

        memcpy(ibuf + SL_PKT_HEADROOM, frame, len);
        SlPacket pkt = {.buf = ibuf, .cap = BUF_SIZE, .head = SL_PKT_HEADROOM, .len = len,
                        .in_port = t->in_port[i]};
        SlResult res;
        int rc = sl_vm_run(in->vm, in->packet_handler, &pkt, &in->env, RUN_FUEL, &res);
        const char *why = NULL;
        if (rc != 0)
            why = sl_error_text(rc);
        else if (res.status != SL_RUN_DONE)
            why = res.status == SL_RUN_FAULT ? sl_fault_text(res.fault) : "run yielded";
        else if (res.verdict != nv)
            why = "verdicts differ";
        else if (nv == ROUTER_SEND && res.port != nport)
            why = "ports differ";
        else if (pkt.head != SL_PKT_HEADROOM || pkt.len != len)
            why = "packet resized";
        else if (memcmp(ibuf + SL_PKT_HEADROOM, nbuf + SL_PKT_HEADROOM, len) != 0)
            why = "output bytes differ";
        for (int k = 0; !why && k < ROUTER_NCOUNTERS; k++)
            if (state_counter(in, k) != nat.counters[k])
                why = "counters differ";
        if (!why && nv == ROUTER_SEND)
            why = check_forwarded(frame, nbuf + SL_PKT_HEADROOM, len);
        if (why) {
            fprintf(stderr, "bench_router: packet %" PRIu32 " (%" PRIu32 " bytes): %s\n", i, len, why);
            fprintf(stderr, "  native: %s port %" PRIu32 "; interpreter: status %u %s port %" PRIu32
                            " fault %s at insn %" PRIu32 "\n",
                    verdict_name((unsigned)nv), nport, res.status, verdict_name(res.verdict), res.port,
                    res.fault ? sl_fault_name(res.fault) : "none", res.pc);
            for (int k = 0; k < ROUTER_NCOUNTERS; k++)
                fprintf(stderr, "  counter %d: native %" PRIu64 " interpreter %" PRIu64 "\n", k,
                        nat.counters[k], state_counter(in, k));
            dump("input", frame, len);
            dump("native output", nbuf + SL_PKT_HEADROOM, len);
            dump("interpreter output", ibuf + SL_PKT_HEADROOM, len);
            exit(1);
        }
        uint8_t verdict = (uint8_t)nv;
        digest_bytes(&d, &verdict, 1);
        digest_u32(&d, nv == ROUTER_SEND ? nport : 0);
        digest_u32(&d, len);
        digest_bytes(&d, nbuf + SL_PKT_HEADROOM, len);
        insns += res.insns;
    }
    for (int k = 0; k < ROUTER_NCOUNTERS; k++) {
        digest_u32(&d, (uint32_t)nat.counters[k]);
        st->counters[k] = nat.counters[k];
    }
    st->digest = d.h;
    st->insns = insns;
    free(nbuf);
    free(ibuf);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Keeps the compiler from dropping stores nobody reads. */
static void clobber(void *p)
{
    __asm__ __volatile__("" : : "r"(p) : "memory");
}

static double time_copy(const Traffic *t, uint8_t *buf)
{
    uint64_t t0 = now_ns();
    for (uint32_t i = 0; i < t->count; i++) {
        memcpy(buf + SL_PKT_HEADROOM, t->bytes + t->offset[i], t->len[i]);
        clobber(buf);
    }
    return (double)(now_ns() - t0) / t->count;
}

static double time_native(const Traffic *t, RouterNative *nat, uint8_t *buf, uint64_t *sink)
{
    uint64_t acc = 0;
    uint64_t t0 = now_ns();
    for (uint32_t i = 0; i < t->count; i++) {
        uint32_t len = t->len[i], port = 0;
        memcpy(buf + SL_PKT_HEADROOM, t->bytes + t->offset[i], len);
        acc += (uint64_t)router_native_route(nat, buf + SL_PKT_HEADROOM, len, &port) + port;
    }
    double ns = (double)(now_ns() - t0) / t->count;
    *sink += acc;
    return ns;
}

static double time_interp(const Traffic *t, Interp *in, uint8_t *buf, uint64_t *sink)
{
    uint64_t acc = 0;
    uint64_t t0 = now_ns();
    for (uint32_t i = 0; i < t->count; i++) {
        uint32_t len = t->len[i];
        memcpy(buf + SL_PKT_HEADROOM, t->bytes + t->offset[i], len);
        SlPacket pkt = {.buf = buf, .cap = BUF_SIZE, .head = SL_PKT_HEADROOM, .len = len,
                        .in_port = t->in_port[i]};
        SlResult res;
        if (sl_vm_run(in->vm, in->packet_handler, &pkt, &in->env, RUN_FUEL, &res) != 0 ||
            res.status != SL_RUN_DONE)
            die("%s", "interpreter run failed while timing");
        acc += (uint64_t)res.verdict + res.port;
    }
    double ns = (double)(now_ns() - t0) / t->count;
    *sink += acc;
    return ns;
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

int main(int argc, char **argv)
{
    Options o;
    parse_options(argc, argv, &o);

    Traffic t;
    if (traffic_generate(&t, o.packets, o.seed) != 0)
        die("%s", "out of memory generating traffic");
    printf("router: %" PRIu32 " packets, %.1f MB of frames, mean %.1f B\n", t.count,
           (double)t.total_bytes / 1e6, (double)t.total_bytes / t.count);

    Interp in;
    interp_open(&in, o.program);

    CheckStats st;
    check_equal(&t, &in, &st);
    printf("router: interpreter equals native on all %" PRIu32 " packets (verdicts, ports, bytes, "
           "counters); digest %016" PRIx64 "\n",
           t.count, st.digest);

    double pct[ROUTER_NCOUNTERS];
    for (int k = 0; k < ROUTER_NCOUNTERS; k++)
        pct[k] = 100.0 * (double)st.counters[k] / t.count;
    printf("bench: router_forwarded %.2f %% punted=%.2f dropped=%.2f punt_nonip=%.2f punt_ttl=%.2f "
           "drop_noroute=%.2f drop_malformed=%.2f drop_acl=%.2f\n",
           pct[ROUTER_CTR_FORWARD], pct[ROUTER_CTR_PUNT_NONIP] + pct[ROUTER_CTR_PUNT_TTL],
           pct[ROUTER_CTR_DROP_NOROUTE] + pct[ROUTER_CTR_DROP_MALFORMED] + pct[ROUTER_CTR_DROP_ACL],
           pct[ROUTER_CTR_PUNT_NONIP], pct[ROUTER_CTR_PUNT_TTL], pct[ROUTER_CTR_DROP_NOROUTE],
           pct[ROUTER_CTR_DROP_MALFORMED], pct[ROUTER_CTR_DROP_ACL]);
    printf("bench: router_interp_insns %.1f insns/pkt\n", (double)st.insns / t.count);

    RouterNative nat;
    router_native_init(&nat);
    for (int k = 0; k < ROUTER_NCOUNTERS; k++) /* carry on from the check pass, as the VM does */
        nat.counters[k] = st.counters[k];
    uint8_t *buf = calloc(1, BUF_SIZE);
    if (!buf)
        die("%s", "out of memory");
    /* Hot: the first HOT_PACKETS frames (about 3 MB, cache-resident) over and over, as many
     * packets in all as the full set: compute-bound figures, beside the full set's, which
     * stream every frame from memory. */
    Traffic hot = t;
    hot.count = t.count < HOT_PACKETS ? t.count : HOT_PACKETS;
    uint32_t reps = (t.count + hot.count - 1) / hot.count;
    double copy[MAX_ROUNDS], native[MAX_ROUNDS], interp[MAX_ROUNDS];
    double hot_native[MAX_ROUNDS], hot_interp[MAX_ROUNDS];
    uint64_t sink = 0; /* results feed it so no run is dead code */
    for (uint32_t r = 0; r < o.rounds; r++) {
        copy[r] = time_copy(&t, buf);
        native[r] = time_native(&t, &nat, buf, &sink);
        interp[r] = time_interp(&t, &in, buf, &sink);
        hot_native[r] = hot_interp[r] = 0;
        for (uint32_t k = 0; k < reps; k++) {
            hot_native[r] += time_native(&hot, &nat, buf, &sink) / reps;
            hot_interp[r] += time_interp(&hot, &in, buf, &sink) / reps;
        }
    }
    for (int k = 0; k < ROUTER_NCOUNTERS; k++)
        if (state_counter(&in, k) != nat.counters[k])
            die("%s", "counters differ after the timed rounds");

    double c = median(copy, o.rounds), n = median(native, o.rounds), i = median(interp, o.rounds);
    printf("bench: router_copy %.1f ns/pkt rounds=%" PRIu32 "\n", c, o.rounds);
    printf("bench: router_native %.1f ns/pkt rounds=%" PRIu32 " packets=%" PRIu32 " mpps=%.2f\n", n,
           o.rounds, t.count, 1e3 / n);
    printf("bench: router_interp %.1f ns/pkt rounds=%" PRIu32 " packets=%" PRIu32 " mpps=%.2f\n", i,
           o.rounds, t.count, 1e3 / i);
    printf("bench: router_interp_ratio %.2f x goal=10 without_copy=%.2f\n", i / n,
           n > c ? (i - c) / (n - c) : 0.0);
    double hn = median(hot_native, o.rounds), hi = median(hot_interp, o.rounds);
    printf("bench: router_native_hot %.1f ns/pkt packets=%" PRIu32 " reps=%" PRIu32 "\n", hn, hot.count,
           reps);
    printf("bench: router_interp_hot %.1f ns/pkt packets=%" PRIu32 " reps=%" PRIu32 "\n", hi, hot.count,
           reps);
    printf("bench: router_interp_hot_ratio %.2f x\n", hi / hn);
    clobber(&sink);

    free(buf);
    interp_close(&in);
    traffic_free(&t);
    return 0;
}
