/* The hypervisor's switch costs (make bench):
 *
 *   bench: vm_switch X ns vms=N      packet-boundary switch, N = 1..1024 VMs with one packet each
 *                                    per round, less the per-packet cost of one VM running the same
 *                                    number of packets in one turn (same code, no switch)
 *   bench: vm_preempt_switch X ns    two VMs in long packets preempted every slice, less the same
 *                                    instructions run without preemption, per preemption
 *   bench: swapcontext X ns          one ucontext switch, for scale
 *   bench: thread_pingpong X ns      one hand-off between two spinning threads, for scale
 *   bench: vm_idle_bytes N bytes     a VM's memory beyond its state (record, queue, out map, SlVm)
 *   bench: hv_workers_speedup X ratio threads=2
 *                                    packets/s of bench/router.sla on 2 worker threads (emu/
 *                                    hv_workers.h, flows steered by hash, one router replica per
 *                                    worker) over the same on 1, medians of --rounds runs each
 *
 * vm_switch is the median over max(--rounds, 9) rounds of the difference between a switching
 * run and a one-VM run timed back to back (q1 and q3 give the spread); the other switch
 * figures are the best of --rounds runs (default 5), the runs interleaved so that a change in
 * the machine's speed hits both. Hosted: the core it measures
 * is not. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>

#include "asm.h"
#include "file.h"
#include "hv.h"
#include "hv_workers.h"

enum { MAX_VMS = 1024, BUFSZ = SL_PKT_HEADROOM + SL_PKT_MAX };

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void die(const char *what, const char *err)
{
    fprintf(stderr, "hv_bench: %s: %s\n", what, err);
    exit(1);
}

static void *xalloc(size_t n)
{
    void *p = aligned_alloc(64, (n + 63) & ~(size_t)63);
    if (!p)
        die("out of memory", "");
    return p;
}

static SlImage assemble(const char *src, uint8_t **owned)
{
    uint8_t *bytes;
    size_t len;
    char err[1024];
    if (sl_asm_assemble(src, strlen(src), "bench.sla", 0, &bytes, &len, err, sizeof err))
        die("assemble", err);
    SlImage img;
    if (sl_image_parse(bytes, len, &img, err, sizeof err))
        die("parse", err);
    *owned = bytes; /* the caller frees them after the last use of img */
    return img;
}

typedef struct Bed {
    SlHv *hv;
    void *hv_mem;
    uint8_t *vm_mem; /* every VM's block, one after another */
    uint32_t nvms;
    uint64_t released;
} Bed;

static void on_release(void *user, SlPacket *pkt, SlHvFate fate, uint32_t vm)
{
    (void)pkt;
    (void)fate;
    (void)vm;
    ((Bed *)user)->released++;
}

static void bed_open(Bed *b, uint32_t nvms, const SlImage *img, const SlHvQuotas *q, uint64_t quantum)
{
    memset(b, 0, sizeof *b);
    SlHvConfig cfg = {.phys_ports = 1, .max_vms = nvms, .max_maps = 1, .quantum = quantum, .seed = 1,
                      .ops = {.user = b, .release = on_release}};
    size_t need = sl_hv_footprint(&cfg);
    b->hv_mem = xalloc(need);
    char err[256];
    if (sl_hv_create(b->hv_mem, need, &cfg, &b->hv, err, sizeof err))
        die("hv", err);
    /* The VMs' blocks are carved from one region, as the device runner carves them from its
     * arena: a heap fragmented by the runs at smaller sizes would scatter them, and the figure
     * would be the heap's. */
    size_t vneed = (sl_hv_vm_footprint(img, q) + 63) & ~(size_t)63;
    b->vm_mem = xalloc(nvms * vneed);
    for (uint32_t i = 0; i < nvms; i++) {
        uint32_t id;
        if (sl_hv_vm_add(b->hv, b->vm_mem + i * vneed, vneed, img, q, &id, err, sizeof err))
            die("vm", err);
    }
    b->nvms = nvms;
}

static void bed_close(Bed *b)
{
    free(b->vm_mem);
    free(b->hv_mem);
}

/* ns per packet: rounds of `per_vm` packets posted to each VM, then run to idle. */
static double per_packet(Bed *b, SlPacket *pkts, uint32_t per_vm, uint64_t total)
{
    uint64_t done = 0;
    double t0 = now_ns();
    while (done < total) {
        for (uint32_t v = 0; v < b->nvms; v++)
            for (uint32_t k = 0; k < per_vm; k++)
                sl_hv_vm_post(b->hv, v, 0, &pkts[v * per_vm + k]);
        sl_hv_run(b->hv, 0);
        done += (uint64_t)b->nvms * per_vm;
    }
    return (now_ns() - t0) / (double)done;
}

static double best_of(int rounds, double (*fn)(void *), void *arg)
{
    double best = 1e300;
    for (int r = 0; r < rounds; r++) {
        double t = fn(arg);
        if (t < best)
            best = t;
    }
    return best;
}

/* ---- packet-boundary switch ---- */

typedef struct SwitchArg {
    const SlImage *img;
    uint32_t nvms;
    int switching;
    SlPacket *pkts;
} SwitchArg;

static double switch_once(void *p)
{
    SwitchArg *a = p;
    Bed b;
    uint64_t total = 1u << 20;
    if (a->switching) {
        SlHvQuotas q = {.queue_depth = 1};
        bed_open(&b, a->nvms, a->img, &q, 1024);
        per_packet(&b, a->pkts, 1, 1u << 14); /* warm */
        double t = per_packet(&b, a->pkts, 1, total);
        bed_close(&b);
        return t;
    }
    SlHvQuotas q = {.queue_depth = a->nvms};
    bed_open(&b, 1, a->img, &q, 1ull << 40);
    per_packet(&b, a->pkts, a->nvms, 1u << 14);
    double t = per_packet(&b, a->pkts, a->nvms, total);
    bed_close(&b);
    return t;
}

/* ---- preemptive switch ---- */

typedef struct PreemptArg {
    const SlImage *img;
    uint64_t slice;
    SlPacket *pkts;
    uint64_t preemptions;
} PreemptArg;

static double preempt_once(void *p)
{
    PreemptArg *a = p;
    Bed b;
    SlHvQuotas q = {.queue_depth = 4, .slice = a->slice, .packet_budget = 1u << 22};
    bed_open(&b, 2, a->img, &q, a->slice);
    double t0 = now_ns();
    for (int r = 0; r < 4; r++) {
        sl_hv_vm_post(b.hv, 0, 0, &a->pkts[0]);
        sl_hv_vm_post(b.hv, 1, 0, &a->pkts[1]);
        sl_hv_run(b.hv, 0);
    }
    double t = now_ns() - t0;
    SlHvStats st;
    sl_hv_stats(b.hv, &st);
    a->preemptions = st.preemptions;
    bed_close(&b);
    return t;
}

/* ---- swapcontext and threads, for scale ---- */

enum { SWAPS = 1000000 };
static ucontext_t main_ctx, co_ctx; /* bench harness, not library code */

static void co_body(void)
{
    for (;;)
        swapcontext(&co_ctx, &main_ctx);
}

static double swap_once(void *p)
{
    (void)p;
    static char stack[64 * 1024];
    getcontext(&co_ctx);
    co_ctx.uc_stack.ss_sp = stack;
    co_ctx.uc_stack.ss_size = sizeof stack;
    co_ctx.uc_link = 0;
    makecontext(&co_ctx, co_body, 0);
    double t0 = now_ns();
    for (int i = 0; i < SWAPS; i++)
        swapcontext(&main_ctx, &co_ctx);
    return (now_ns() - t0) / (2.0 * SWAPS); /* two switches per iteration */
}

enum { PINGS = 200000 };
static _Atomic uint64_t ball;

static void *ponger(void *p)
{
    (void)p;
    for (uint64_t i = 1; i < 2 * PINGS; i += 2) {
        while (atomic_load_explicit(&ball, memory_order_acquire) != i) {
        }
        atomic_store_explicit(&ball, i + 1, memory_order_release);
    }
    return 0;
}

static double pingpong_once(void *p)
{
    (void)p;
    atomic_store(&ball, 0);
    pthread_t th;
    if (pthread_create(&th, 0, ponger, 0))
        die("pthread_create", "failed");
    double t0 = now_ns();
    for (uint64_t i = 0; i < 2 * PINGS; i += 2) {
        while (atomic_load_explicit(&ball, memory_order_acquire) != i) {
        }
        atomic_store_explicit(&ball, i + 1, memory_order_release);
    }
    while (atomic_load_explicit(&ball, memory_order_acquire) != 2 * PINGS) {
    }
    double t = (now_ns() - t0) / (2.0 * PINGS);
    pthread_join(th, 0);
    return t;
}

/* ---- worker threads: the router on 1 and on 2 threads ---- */

enum { WB_FRAMES = 1 << 14, WB_POOL = 256, WB_BURST = 32, WB_LEN = 64 };

/* One per thread, each on its own cache lines (alignment makes the size a multiple of a line):
 * one worker's counters next to another's would bounce a line between the cores per packet. */
typedef struct WbWorker {
    _Alignas(64) const uint8_t *frames; /* WB_FRAMES x WB_LEN, shared read-only */
    const uint32_t *mine;  /* indexes of the frames steered here */
    uint32_t nmine;
    uint64_t todo, fed, sent, released;
    SlPacket pkt[WB_POOL];
    SlPacket *free_list[WB_POOL];
    uint32_t nfree;
    uint8_t *bufs;
} WbWorker;

static void wb_release(void *user, SlPacket *pkt, SlHvFate fate, uint32_t vm)
{
    (void)fate;
    (void)vm;
    WbWorker *w = user;
    w->free_list[w->nfree++] = pkt;
    w->released++;
}

static void wb_output(void *user, uint32_t phys, const uint8_t *data, uint32_t len, uint64_t t)
{
    (void)phys;
    (void)data;
    (void)len;
    (void)t;
    ((WbWorker *)user)->sent++;
}

/* The worker's RSS queue: copies its next frames into free buffers and lends them. */
static int wb_poll(void *user, uint32_t worker, SlHv *hv)
{
    (void)worker;
    WbWorker *w = user;
    if (w->fed == w->todo)
        return -1;
    int n = 0;
    while (n < WB_BURST && w->nfree && w->fed < w->todo) {
        SlPacket *p = w->free_list[--w->nfree];
        const uint8_t *f = w->frames + (size_t)w->mine[w->fed % w->nmine] * WB_LEN;
        memcpy(p->buf + SL_PKT_HEADROOM, f, WB_LEN);
        p->head = SL_PKT_HEADROOM;
        p->len = WB_LEN;
        p->tstamp_ns = w->fed;
        w->fed++;
        sl_hv_input(hv, 0, p);
        n++;
    }
    return n;
}

/* 64-byte IPv4/UDP frames to the router's routes, varied sources and ports: every frame is
 * forwarded after the full checks, LPM lookup and checksum update. */
static void wb_frames(uint8_t *out)
{
    static const uint8_t dst[][4] = {{10, 1, 2, 9}, {192, 168, 1, 200}, {8, 8, 8, 8}, {172, 16, 5, 1},
                                     {10, 1, 77, 3}, {198, 18, 0, 9}, {100, 64, 3, 3}, {1, 2, 3, 4}};
    uint64_t x = 42;
    for (uint32_t i = 0; i < WB_FRAMES; i++) {
        uint8_t *f = out + (size_t)i * WB_LEN;
        memset(f, 0, WB_LEN);
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        for (int k = 0; k < 12; k++)
            f[k] = (uint8_t)(2 + k);
        f[12] = 0x08;
        uint8_t *ip = f + 14;
        ip[0] = 0x45;
        ip[3] = 50; /* total length: 64 - 14 */
        ip[8] = 64;
        ip[9] = 17;
        ip[12] = 10;
        ip[13] = (uint8_t)(x >> 40);
        ip[14] = (uint8_t)(x >> 48);
        ip[15] = (uint8_t)(x >> 56);
        memcpy(ip + 16, dst[(x >> 20) & 7], 4);
        uint32_t sum = 0;
        for (int k = 0; k < 20; k += 2)
            sum += (uint32_t)ip[k] << 8 | ip[k + 1];
        while (sum >> 16)
            sum = (sum & 0xffff) + (sum >> 16);
        ip[10] = (uint8_t)(~sum >> 8);
        ip[11] = (uint8_t)~sum;
        ip[20] = (uint8_t)(x >> 8); /* source port */
        ip[21] = (uint8_t)(x >> 16);
        ip[22] = 0x30; /* destination port 12345 */
        ip[23] = 0x39;
    }
}

/* Packets per second of `threads` workers, each with its own router VM, over total packets. */
static double workers_once(uint32_t threads, const SlImage *img, const uint8_t *frames, uint64_t total,
                           uint64_t *sent_out)
{
    WbWorker *ws = xalloc(threads * sizeof *ws);
    memset(ws, 0, threads * sizeof *ws);
    uint32_t *idx = malloc((size_t)WB_FRAMES * threads * sizeof *idx);
    void *users[SL_HVW_MAX_WORKERS];
    if (!ws || !idx)
        die("out of memory", "");
    for (uint32_t t = 0; t < threads; t++) {
        ws[t].frames = frames;
        ws[t].mine = idx + (size_t)t * WB_FRAMES;
        ws[t].todo = total / threads;
        ws[t].bufs = xalloc((size_t)WB_POOL * BUFSZ);
        for (uint32_t k = 0; k < WB_POOL; k++) {
            ws[t].pkt[k] = (SlPacket){.buf = ws[t].bufs + (size_t)k * BUFSZ, .cap = BUFSZ, .head = SL_PKT_HEADROOM};
            ws[t].free_list[ws[t].nfree++] = &ws[t].pkt[k];
        }
        users[t] = &ws[t];
    }
    for (uint32_t i = 0; i < WB_FRAMES; i++) {
        WbWorker *w = &ws[sl_hvw_steer(frames + (size_t)i * WB_LEN, WB_LEN, threads)];
        ((uint32_t *)w->mine)[w->nmine++] = i;
    }
    SlHvWorkersConfig wc = {.workers = threads, .users = users, .poll = wb_poll, .pin = 1,
                            .hv = {.phys_ports = 4, .max_vms = 1, .max_maps = 1, .seed = 1,
                                   .ops = {.output = wb_output, .release = wb_release}}};
    SlHvWorkers *pool;
    char err[512];
    if (sl_hvw_create(&wc, &pool, err, sizeof err))
        die("workers", err);
    void *vm_mem[SL_HVW_MAX_WORKERS];
    SlHvQuotas q = {.queue_depth = WB_POOL};
    size_t need = sl_hv_vm_footprint(img, &q);
    int init = sl_image_find_handler(img, SL_HANDLER_INIT, 0);
    for (uint32_t t = 0; t < threads; t++) {
        SlHv *hv = sl_hvw_hv(pool, t);
        uint32_t id;
        vm_mem[t] = xalloc(need);
        if (sl_hv_vm_add(hv, vm_mem[t], need, img, &q, &id, err, sizeof err))
            die("vm", err);
        sl_hv_map_in(hv, 0, SL_HV_ANY, SL_HV_ANY, id, 0);
        for (uint32_t p = 0; p < 4; p++)
            sl_hv_map_out(hv, id, p, p);
        SlPacket *ev = ws[t].free_list[--ws[t].nfree];
        ev->len = 0;
        ev->in_port = SL_HV_NO_PORT;
        if (init < 0 || sl_hv_vm_post(hv, id, (uint32_t)init, ev) != 1)
            die("router", "no init handler");
        sl_hv_run(hv, 0);
        ws[t].released = 0;
    }
    double t0 = now_ns();
    if (sl_hvw_run(pool, err, sizeof err))
        die("workers", err);
    double dt = now_ns() - t0;
    uint64_t done = 0, sent = 0;
    for (uint32_t t = 0; t < threads; t++) {
        done += ws[t].released;
        sent += ws[t].sent;
        free(vm_mem[t]);
        free(ws[t].bufs);
    }
    if (done != (total / threads) * threads)
        die("workers", "packets lost");
    *sent_out = sent;
    sl_hvw_destroy(pool);
    free(idx);
    free(ws);
    return (double)done / dt * 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void workers_bench(int rounds)
{
    size_t len;
    uint8_t *src = (uint8_t *)sl_file_read("bench/router.sla", &len);
    if (!src)
        die("bench/router.sla", "cannot read (run from the repository root)");
    uint8_t *bytes;
    size_t blen;
    char err[1024];
    if (sl_asm_assemble((const char *)src, len, "bench/router.sla", 0, &bytes, &blen, err, sizeof err))
        die("assemble", err);
    SlImage img;
    if (sl_image_parse(bytes, blen, &img, err, sizeof err))
        die("parse", err);
    uint8_t *frames = xalloc((size_t)WB_FRAMES * WB_LEN);
    wb_frames(frames);
    enum { R = 15 };
    double one[R], two[R], ratio[R];
    uint64_t total = 1u << 21, s1 = 0, s2 = 0;
    if (rounds > R)
        rounds = R;
    for (int r = 0; r < rounds; r++) {
        one[r] = workers_once(1, &img, frames, total, &s1);
        two[r] = workers_once(2, &img, frames, total, &s2);
        ratio[r] = two[r] / one[r];
    }
    if (s1 != total || s2 != total)
        die("workers", "the router did not forward every frame");
    qsort(one, (size_t)rounds, sizeof *one, cmp_double);
    qsort(two, (size_t)rounds, sizeof *two, cmp_double);
    qsort(ratio, (size_t)rounds, sizeof *ratio, cmp_double);
    double m1 = one[rounds / 2], m2 = two[rounds / 2];
    printf("bench: hv_workers_pps %.0f packets/s threads=1\n", m1);
    printf("bench: hv_workers_pps %.0f packets/s threads=2\n", m2);
    /* Each round's own ratio too: this machine's single core is sometimes faster alone (a host's
     * boost), so the spread of the pairs shows whether a low median is the code or the host. */
    printf("bench: hv_workers_speedup %.2f ratio threads=2 packets=%llu rounds=%d pair_min=%.2f pair_median=%.2f "
           "pair_max=%.2f program=bench/router.sla\n",
           m2 / m1, (unsigned long long)total, rounds, ratio[0], ratio[rounds / 2], ratio[rounds - 1]);
    free(frames);
    free(bytes);
    free(src);
}

int main(int argc, char **argv)
{
    int rounds = 5;
    uint32_t only = 0; /* --vms N: the switch figure at N VMs alone, for profiling */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--vms") && i + 1 < argc)
            only = (uint32_t)atoi(argv[++i]);
        else
            die("usage", "hv_bench [--rounds N] [--vms N]");
    }
    if (only > MAX_VMS)
        die("usage", "--vms: at most 1024");
    if (rounds < 1)
        rounds = 1;

    /* The smallest packet program: one instruction. */
    uint8_t *tiny_bytes, *spin_bytes;
    SlImage tiny = assemble(".state 8\n.handler packet main\n.func main\n    drop\n", &tiny_bytes);
    /* A packet that never ends by itself: stopped by its budget (fault FUEL). */
    SlImage spin = assemble(".state 8\n.handler packet main\n.func main\nl:\n    ja l\n", &spin_bytes);

    SlPacket *pkts = xalloc(MAX_VMS * sizeof *pkts);
    uint8_t *buf = xalloc(BUFSZ);
    memset(buf, 0, BUFSZ);
    for (uint32_t i = 0; i < MAX_VMS; i++)
        pkts[i] = (SlPacket){.buf = buf, .cap = BUFSZ, .head = SL_PKT_HEADROOM, .len = 64,
                             .in_port = SL_HV_NO_PORT};

    /* Each round times the switching run and the one-VM run back to back; the switch cost is the
     * median over rounds of their difference, so a drift in the machine's speed (which moves
     * both) cancels instead of deciding which best-of wins. q1/q3 show the spread. */
    int srounds = rounds < 9 ? 9 : rounds;
    double *d = xalloc((size_t)srounds * sizeof *d);
    for (uint32_t n = only ? only : 1; n <= (only ? only : MAX_VMS); n *= 2) {
        SwitchArg sw = {&tiny, n, 1, pkts}, base = {&tiny, n, 0, pkts};
        double ts = 1e300, tb = 1e300;
        for (int r = 0; r < srounds; r++) {
            double a = switch_once(&sw), b = switch_once(&base);
            ts = a < ts ? a : ts;
            tb = b < tb ? b : tb;
            d[r] = a - b;
        }
        qsort(d, (size_t)srounds, sizeof *d, cmp_double);
        /* with one VM the "switching" run switches to itself: nothing to subtract from */
        double med = n == 1 ? 0.0 : d[srounds / 2];
        printf("bench: vm_switch %.1f ns vms=%u q1=%.1f q3=%.1f per_packet=%.1f one_vm_per_packet=%.1f rounds=%d\n",
               med, n, n == 1 ? 0.0 : d[srounds / 4], n == 1 ? 0.0 : d[3 * srounds / 4], ts, tb, srounds);
        fflush(stdout);
    }
    free(d);
    if (only) {
        free(pkts);
        free(buf);
        free(tiny_bytes);
        free(spin_bytes);
        return 0;
    }

    /* Preemption: the same instructions with a slice of 256 and a slice of 2^20. */
    PreemptArg small = {&spin, 256, pkts, 0}, large = {&spin, 1u << 20, pkts, 0};
    double t_small = 1e300, t_large = 1e300;
    uint64_t pre_small = 0, pre_large = 0;
    for (int r = 0; r < rounds; r++) {
        /* each run: 2 VMs x 4 packets, each packet stopped at its budget (FUEL fault) */
        double a = preempt_once(&small), b = preempt_once(&large);
        if (a < t_small)
            t_small = a;
        if (b < t_large)
            t_large = b;
        pre_small = small.preemptions;
        pre_large = large.preemptions;
    }
    printf("bench: vm_preempt_switch %.1f ns slice=256 preemptions=%llu\n",
           (t_small - t_large) / (double)(pre_small - pre_large), (unsigned long long)pre_small);

    printf("bench: swapcontext %.1f ns\n", best_of(rounds, swap_once, 0));
    printf("bench: thread_pingpong %.1f ns\n", best_of(rounds, pingpong_once, 0));

    SlHvQuotas dq = {0};
    size_t idle = sl_hv_vm_footprint(&tiny, &dq) - tiny.state_size;
    SlHvQuotas q1 = {.queue_depth = 1};
    size_t idle1 = sl_hv_vm_footprint(&tiny, &q1) - tiny.state_size;
    size_t core = sl_hv_image_footprint(&tiny) - tiny.state_size;
    printf("bench: vm_idle_bytes %zu bytes queue_depth=64 hv_record=%zu vm_core=%zu queue_depth1=%zu\n", idle,
           idle - core, core, idle1);
    workers_bench(rounds);
    free(pkts);
    free(buf);
    free(tiny_bytes);
    free(spin_bytes);
    return 0;
}
