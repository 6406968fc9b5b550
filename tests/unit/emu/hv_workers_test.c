/* Worker threads (emu/hv_workers.h): flow steering keeps both directions of a flow on one
 * worker and spreads flows; N workers lose and duplicate nothing, and each worker's output is
 * what one hypervisor alone makes of the same packets (determinism per worker). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "asm.h"
#include "hv_workers.h"

enum { FRAME_LEN = 64, FLOWS = 256, FRAMES = 3000, POOL = 48, BURST = 8, LOG_MAX = FRAMES * (FRAME_LEN + 2) };
enum { BUFSZ = SL_PKT_HEADROOM + SL_PKT_MAX };

/* ---- frames ---- */

/* An IPv4 (or IPv6) UDP frame of flow f, from the client (reply = 0) or back (reply = 1),
 * optionally VLAN-tagged; bytes past the headers hold seq. */
static void make_frame(uint8_t *p, uint32_t f, int reply, int ipv6, int vlan, uint32_t seq)
{
    memset(p, 0, FRAME_LEN);
    for (int k = 0; k < 12; k++)
        p[k] = (uint8_t)(reply ? (k < 6 ? 0x20 + k : 0x10 + k - 6) : (k < 6 ? 0x10 + k : 0x20 + k - 6));
    uint32_t off = 12;
    if (vlan) {
        p[12] = 0x81;
        p[14] = 0x00;
        p[15] = 42;
        off = 16;
    }
    uint8_t client[16] = {10, 0, (uint8_t)(f >> 8), (uint8_t)f}, server[16] = {192, 168, 7, (uint8_t)(f % 3)};
    uint8_t cport[2] = {(uint8_t)(0x80 | f >> 8), (uint8_t)f}, sport[2] = {0, 53};
    const uint8_t *src = reply ? server : client, *dst = reply ? client : server;
    const uint8_t *sp = reply ? sport : cport, *dp = reply ? cport : sport;
    uint8_t *ip = p + off + 2;
    uint32_t l4;
    if (ipv6) {
        p[off] = 0x86;
        p[off + 1] = 0xdd;
        ip[0] = 0x60;
        ip[6] = 17;
        ip[7] = 64;
        memcpy(ip + 8, src, 16);
        memcpy(ip + 24, dst, 16);
        l4 = 40;
    } else {
        p[off] = 0x08;
        p[off + 1] = 0x00;
        ip[0] = 0x45;
        ip[8] = 64;
        ip[9] = 17;
        memcpy(ip + 12, src, 4);
        memcpy(ip + 16, dst, 4);
        l4 = 20;
    }
    uint8_t *udp = ip + l4;
    if (udp + 4 <= p + FRAME_LEN) {
        memcpy(udp, sp, 2);
        memcpy(udp + 2, dp, 2);
    }
    p[FRAME_LEN - 2] = (uint8_t)(seq >> 8);
    p[FRAME_LEN - 1] = (uint8_t)seq;
}

static void test_steer_keeps_flows_together(void **state)
{
    (void)state;
    uint8_t a[FRAME_LEN], b[FRAME_LEN];
    for (uint32_t n = 2; n <= 8; n++) {
        for (uint32_t f = 0; f < FLOWS; f++) {
            for (int v6 = 0; v6 < 2; v6++) {
                make_frame(a, f, 0, v6, 0, 1);
                uint32_t w = sl_hvw_steer(a, FRAME_LEN, n);
                assert_true(w < n);
                make_frame(b, f, 1, v6, 0, 2); /* the reply */
                assert_int_equal(sl_hvw_steer(b, FRAME_LEN, n), w);
                make_frame(b, f, 1, v6, 1, 3); /* the reply, VLAN-tagged */
                assert_int_equal(sl_hvw_steer(b, FRAME_LEN, n), w);
            }
        }
    }
    /* Not IP: the MAC pair, both ways alike. */
    make_frame(a, 1, 0, 0, 0, 0);
    a[12] = 0x88;
    a[13] = 0xb5;
    memcpy(b, a, FRAME_LEN);
    memcpy(b, a + 6, 6);
    memcpy(b + 6, a, 6);
    assert_int_equal(sl_hvw_steer(a, FRAME_LEN, 5), sl_hvw_steer(b, FRAME_LEN, 5));
}

static void test_steer_spreads_and_bounds(void **state)
{
    (void)state;
    uint32_t count[4] = {0};
    uint8_t f[FRAME_LEN];
    for (uint32_t i = 0; i < 1024; i++) {
        make_frame(f, i, (int)(i & 1), 0, 0, 0);
        count[sl_hvw_steer(f, FRAME_LEN, 4)]++;
    }
    for (int w = 0; w < 4; w++) /* 256 expected each */
        assert_true(count[w] > 192 && count[w] < 320);
    /* Every truncation of a frame reads inside it (ASan checks) and stays in range. */
    for (int v6 = 0; v6 < 2; v6++) {
        make_frame(f, 77, 0, v6, 1, 0);
        for (uint32_t len = 0; len <= FRAME_LEN; len++) {
            uint8_t *cut = malloc(len ? len : 1);
            memcpy(cut, f, len);
            assert_true(sl_hvw_steer(cut, len, 3) < 3);
            free(cut);
        }
    }
    make_frame(f, 5, 0, 0, 0, 0);
    assert_int_equal(sl_hvw_steer(f, FRAME_LEN, 1), 0);
    assert_int_equal(sl_hvw_steer(f, 13, 7), 0);
}

/* ---- a worker's embedder: its frames, its pool, its output log ---- */

typedef struct Feed {
    const uint8_t *frames;
    uint32_t order[FRAMES]; /* indexes of the frames this worker is fed, in order */
    uint32_t n, fed;
    SlPacket pkt[POOL];
    SlPacket *free_list[POOL];
    uint32_t nfree;
    int lent[POOL];
    uint8_t *bufs;
    uint8_t log[LOG_MAX]; /* [len hi][len lo][bytes]... */
    size_t log_len;
    uint32_t sent, released, double_release;
} Feed;

static void on_output(void *user, uint32_t phys, const uint8_t *data, uint32_t len, uint64_t t)
{
    Feed *f = user;
    (void)t;
    assert_int_equal(phys, 1);
    assert_true(f->log_len + 2 + len <= LOG_MAX);
    f->log[f->log_len++] = (uint8_t)(len >> 8);
    f->log[f->log_len++] = (uint8_t)len;
    memcpy(f->log + f->log_len, data, len);
    f->log_len += len;
    f->sent++;
}

static void on_release(void *user, SlPacket *pkt, SlHvFate fate, uint32_t vm)
{
    Feed *f = user;
    (void)fate;
    (void)vm;
    size_t i = (size_t)(pkt - f->pkt);
    assert_true(i < POOL);
    if (!f->lent[i])
        f->double_release++;
    f->lent[i] = 0;
    f->free_list[f->nfree++] = pkt;
    f->released++;
}

static int poll_feed(void *user, uint32_t worker, SlHv *hv)
{
    Feed *f = user;
    (void)worker;
    if (f->fed == f->n)
        return -1;
    int n = 0;
    while (n < BURST && f->nfree && f->fed < f->n) {
        SlPacket *p = f->free_list[--f->nfree];
        size_t i = (size_t)(p - f->pkt);
        memcpy(p->buf + SL_PKT_HEADROOM, f->frames + (size_t)f->order[f->fed] * FRAME_LEN, FRAME_LEN);
        p->head = SL_PKT_HEADROOM;
        p->len = FRAME_LEN;
        p->tstamp_ns = 1000 + f->fed++;
        f->lent[i] = 1;
        assert_int_equal(sl_hv_input(hv, 0, p), 1);
        n++;
    }
    return n;
}

static Feed *feed_new(const uint8_t *frames)
{
    Feed *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->frames = frames;
    f->bufs = malloc((size_t)POOL * BUFSZ);
    assert_non_null(f->bufs);
    for (uint32_t k = 0; k < POOL; k++) {
        f->pkt[k] = (SlPacket){.buf = f->bufs + (size_t)k * BUFSZ, .cap = BUFSZ, .head = SL_PKT_HEADROOM};
        f->free_list[f->nfree++] = &f->pkt[k];
    }
    return f;
}

static void feed_free(Feed *f)
{
    free(f->bufs);
    free(f);
}

/* Counts the packets it sees in state, writes the count into bytes 0..1 (so the output depends
 * on the order and the set of packets the VM saw), sends on its port. */
static const char COUNTER[] = ".state 8\n.port out\n.handler packet main\n.func main\n"
                              "    mov r9, 0\n    ldm64 r3, [r9+0]\n    add r3, 1\n    stm64 [r9+0], r3\n"
                              "    stp16 [r9+0], r3\n    send r9\n";

typedef struct Run {
    SlImage img;
    uint8_t *bytes;
    uint8_t *frames;
} Run;

static void run_setup(Run *r)
{
    size_t len;
    char err[512];
    assert_int_equal(sl_asm_assemble(COUNTER, strlen(COUNTER), "counter.sla", 0, &r->bytes, &len, err, sizeof err), 0);
    assert_int_equal(sl_image_parse(r->bytes, len, &r->img, err, sizeof err), 0);
    r->frames = malloc((size_t)FRAMES * FRAME_LEN);
    assert_non_null(r->frames);
    for (uint32_t i = 0; i < FRAMES; i++) /* flows interleaved, both ways, v4 and v6 */
        make_frame(r->frames + (size_t)i * FRAME_LEN, (i * 7) % FLOWS, (int)(i / 3 & 1), (int)(i % 5 == 0), 0, i);
}

/* Runs `workers` workers, worker w fed feeds[w]; one counter VM per worker, port 0 -> its
 * virtual port 0 -> port 1. Frees the pool, not the feeds. */
static void run_pool(const Run *r, uint32_t workers, Feed **feeds, int pin)
{
    void *users[SL_HVW_MAX_WORKERS];
    for (uint32_t w = 0; w < workers; w++)
        users[w] = feeds[w];
    SlHvWorkersConfig wc = {.workers = workers, .users = users, .poll = poll_feed, .pin = pin, .run_budget = 100,
                            .hv = {.phys_ports = 2, .max_vms = 1, .max_maps = 1, .seed = 3,
                                   .ops = {.output = on_output, .release = on_release}}};
    SlHvWorkers *pool;
    char err[256];
    assert_int_equal(sl_hvw_create(&wc, &pool, err, sizeof err), 0);
    assert_int_equal(sl_hvw_count(pool), workers);
    assert_null(sl_hvw_hv(pool, workers));
    SlHvQuotas q = {.queue_depth = 16};
    size_t need = sl_hv_vm_footprint(&r->img, &q);
    void *mem[SL_HVW_MAX_WORKERS];
    for (uint32_t w = 0; w < workers; w++) {
        SlHv *hv = sl_hvw_hv(pool, w);
        uint32_t id;
        mem[w] = aligned_alloc(64, (need + 63) & ~(size_t)63);
        assert_int_equal(sl_hv_vm_add(hv, mem[w], need, &r->img, &q, &id, err, sizeof err), 0);
        assert_int_equal(sl_hv_map_in(hv, 0, SL_HV_ANY, SL_HV_ANY, id, 0), 0);
        assert_int_equal(sl_hv_map_out(hv, id, 0, 1), 0);
    }
    assert_int_equal(sl_hvw_run(pool, err, sizeof err), 0);
    for (uint32_t w = 0; w < workers; w++) {
        SlHvVmStats st;
        assert_int_equal(sl_hv_vm_stats(sl_hvw_hv(pool, w), 0, &st), 0);
        assert_int_equal(st.in, feeds[w]->n);
        assert_int_equal(st.sent, feeds[w]->n);
        free(mem[w]);
    }
    sl_hvw_destroy(pool);
}

static void check_workers(uint32_t workers, int pin)
{
    Run r;
    run_setup(&r);
    Feed *feeds[SL_HVW_MAX_WORKERS];
    for (uint32_t w = 0; w < workers; w++)
        feeds[w] = feed_new(r.frames);
    for (uint32_t i = 0; i < FRAMES; i++) {
        Feed *f = feeds[sl_hvw_steer(r.frames + (size_t)i * FRAME_LEN, FRAME_LEN, workers)];
        f->order[f->n++] = i;
    }
    run_pool(&r, workers, feeds, pin);

    uint32_t total = 0;
    for (uint32_t w = 0; w < workers; w++) {
        Feed *f = feeds[w];
        assert_true(f->n > 0); /* the flows spread over every worker */
        assert_int_equal(f->released, f->n);
        assert_int_equal(f->sent, f->n);
        assert_int_equal(f->double_release, 0);
        assert_int_equal(f->nfree, POOL);
        total += f->sent;
        /* The same packets through one worker alone: the same bytes out, in the same order. */
        Feed *alone = feed_new(r.frames);
        memcpy(alone->order, f->order, sizeof f->order);
        alone->n = f->n;
        run_pool(&r, 1, &alone, 0);
        assert_int_equal(alone->log_len, f->log_len);
        assert_memory_equal(alone->log, f->log, f->log_len);
        /* and the counter saw this worker's packets, one by one */
        assert_int_equal(f->log[2 + (size_t)(f->n - 1) * (FRAME_LEN + 2) + 1], (uint8_t)f->n);
        feed_free(alone);
        feed_free(f);
    }
    assert_int_equal(total, FRAMES);
    free(r.frames);
    free(r.bytes);
}

static void test_two_workers(void **state)
{
    (void)state;
    check_workers(2, 0);
}

static void test_four_workers_pinned(void **state)
{
    (void)state;
    check_workers(4, 1); /* more workers than this machine's CPUs: pinned modulo their count */
}

static int poll_none(void *user, uint32_t worker, SlHv *hv)
{
    (void)user;
    (void)worker;
    (void)hv;
    return -1;
}

static void test_create_errors(void **state)
{
    (void)state;
    SlHvWorkers *pool = (SlHvWorkers *)&pool;
    char err[256] = "";
    SlHvWorkersConfig wc = {.workers = 0, .poll = poll_none, .hv = {.phys_ports = 1, .max_vms = 1, .max_maps = 1}};
    assert_int_equal(sl_hvw_create(&wc, &pool, err, sizeof err), -SL_EARG);
    assert_null(pool);
    assert_non_null(strstr(err, "threads"));
    wc.workers = SL_HVW_MAX_WORKERS + 1;
    assert_int_equal(sl_hvw_create(&wc, &pool, err, sizeof err), -SL_EARG);
    wc.workers = 2;
    wc.poll = NULL;
    assert_int_equal(sl_hvw_create(&wc, &pool, err, sizeof err), -SL_EARG);
    wc.poll = poll_none;
    wc.hv.phys_ports = 0;
    assert_int_equal(sl_hvw_create(&wc, &pool, err, sizeof err), -SL_EARG);
    assert_non_null(strstr(err, "config"));
    /* An empty pool whose sources are finished at once ends at once. */
    wc.hv.phys_ports = 1;
    assert_int_equal(sl_hvw_create(&wc, &pool, err, sizeof err), 0);
    assert_int_equal(sl_hvw_run(pool, err, sizeof err), 0);
    sl_hvw_destroy(pool);
    sl_hvw_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_steer_keeps_flows_together),
        cmocka_unit_test(test_steer_spreads_and_bounds),
        cmocka_unit_test(test_two_workers),
        cmocka_unit_test(test_four_workers_pinned),
        cmocka_unit_test(test_create_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
