/* The hypervisor's contract: isolation between VMs, preemption that does not change results,
 * replace without loss or duplicates, weighted shares, queue limits, the connection table and
 * the buffer-ownership contract (every lent packet comes back exactly once). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "asm.h"
#include "hv.h"

/* ---- an embedder: packet pool, output log, release accounting ---- */

enum { POOL = 512, BUFSZ = SL_PKT_HEADROOM + SL_PKT_MAX, LOG_MAX = 1 << 20, MAX_VMS = 8 };

typedef struct Host {
    SlPacket pkt[POOL];
    uint8_t *bufs;
    int lent[POOL];
    uint32_t released[SL_HV_FATE_COUNT];
    uint32_t double_release;
    /* outputs, per physical port: [len byte][bytes]... */
    uint8_t *log[4];
    size_t log_len[4];
    uint32_t outs[4];
    SlHv *hv;
    void *hv_mem;
    void *vm_mem[MAX_VMS];
    uint8_t *images[MAX_VMS * 2];
    int nimages;
} Host;

static Host H;

static void on_output(void *user, uint32_t phys, const uint8_t *data, uint32_t len, uint64_t tstamp_ns)
{
    Host *h = user;
    assert_true(tstamp_ns >= 1000); /* the sending packet's time (frame() stamps 1000 + seq) */
    assert_true(phys < 4);
    assert_true(h->log_len[phys] + 2 + len <= LOG_MAX);
    h->log[phys][h->log_len[phys]++] = (uint8_t)(len >> 8);
    h->log[phys][h->log_len[phys]++] = (uint8_t)len;
    memcpy(h->log[phys] + h->log_len[phys], data, len);
    h->log_len[phys] += len;
    h->outs[phys]++;
}

static void on_release(void *user, SlPacket *pkt, SlHvFate fate, uint32_t vm)
{
    Host *h = user;
    (void)vm;
    size_t i = (size_t)(pkt - h->pkt);
    assert_true(i < POOL);
    if (!h->lent[i])
        h->double_release++;
    h->lent[i] = 0;
    h->released[fate]++;
}

static void host_reset(void)
{
    for (int i = 0; i < MAX_VMS; i++)
        free(H.vm_mem[i]);
    for (int i = 0; i < H.nimages; i++)
        free(H.images[i]);
    free(H.hv_mem);
    if (!H.bufs)
        H.bufs = malloc((size_t)POOL * BUFSZ);
    for (int p = 0; p < 4; p++) {
        if (!H.log[p])
            H.log[p] = malloc(LOG_MAX);
    }
    uint8_t *bufs = H.bufs;
    uint8_t *logs[4];
    memcpy(logs, H.log, sizeof logs);
    memset(&H, 0, sizeof H);
    H.bufs = bufs;
    memcpy(H.log, logs, sizeof logs);
}

static void hv_new(uint32_t ports, uint64_t quantum)
{
    host_reset();
    SlHvConfig cfg = {.phys_ports = ports, .max_vms = MAX_VMS, .max_maps = 16, .quantum = quantum, .seed = 7,
                      .ops = {.user = &H, .output = on_output, .release = on_release}};
    size_t need = sl_hv_footprint(&cfg);
    assert_true(need > 0);
    H.hv_mem = aligned_alloc(8, (need + 7) & ~(size_t)7);
    char err[256];
    assert_int_equal(sl_hv_create(H.hv_mem, need, &cfg, &H.hv, err, sizeof err), 0);
}

static SlImage image(const char *src)
{
    uint8_t *bytes;
    size_t len;
    char err[1024];
    int rc = sl_asm_assemble(src, strlen(src), "test.sla", 0, &bytes, &len, err, sizeof err);
    if (rc)
        fprintf(stderr, "%s\n", err);
    assert_int_equal(rc, 0);
    H.images[H.nimages++] = bytes;
    SlImage img;
    assert_int_equal(sl_image_parse(bytes, len, &img, err, sizeof err), 0);
    return img;
}

static uint32_t vm_add(const SlImage *img, const SlHvQuotas *q)
{
    size_t need = sl_hv_vm_footprint(img, q);
    assert_true(need > 0);
    char err[256];
    uint32_t id;
    void *mem = aligned_alloc(8, (need + 7) & ~(size_t)7);
    int rc = sl_hv_vm_add(H.hv, mem, need, img, q, &id, err, sizeof err);
    if (rc)
        fprintf(stderr, "%s\n", err);
    assert_int_equal(rc, 0);
    H.vm_mem[id] = mem;
    return id;
}

static void *image_mem(const SlImage *img, size_t *size)
{
    *size = sl_hv_image_footprint(img);
    void *mem = aligned_alloc(8, (*size + 7) & ~(size_t)7);
    H.images[H.nimages++] = mem; /* freed with the images */
    return mem;
}

/* A 64-byte frame from the pool: EtherType et (0x8100-tagged with vlan when vlan <= 0xfff),
 * byte 14 = b0, bytes 15.. = seq. */
static SlPacket *frame(uint32_t seq, uint32_t vlan, uint32_t et, uint8_t b0)
{
    uint32_t i = 0;
    while (i < POOL && H.lent[i])
        i++;
    assert_true(i < POOL);
    uint8_t *b = H.bufs + (size_t)i * BUFSZ;
    memset(b, 0, BUFSZ);
    uint8_t *p = b + SL_PKT_HEADROOM;
    uint32_t off = 12;
    for (int k = 0; k < 12; k++)
        p[k] = (uint8_t)(0x10 + k);
    if (vlan <= 0xfff) {
        p[12] = 0x81;
        p[13] = 0x00;
        p[14] = (uint8_t)(vlan >> 8);
        p[15] = (uint8_t)vlan;
        off = 16;
    }
    p[off] = (uint8_t)(et >> 8);
    p[off + 1] = (uint8_t)et;
    p[32] = b0;
    p[33] = 0;
    p[34] = (uint8_t)(seq >> 8);
    p[35] = (uint8_t)seq;
    H.pkt[i] = (SlPacket){.buf = b, .cap = BUFSZ, .head = SL_PKT_HEADROOM, .len = 64, .tstamp_ns = 1000 + seq};
    H.lent[i] = 1;
    return &H.pkt[i];
}

static int input(uint32_t phys, SlPacket *p)
{
    int rc = sl_hv_input(H.hv, phys, p);
    assert_true(rc >= 0);
    return rc;
}

static uint32_t total_released(void)
{
    uint32_t n = 0;
    for (int f = 0; f < SL_HV_FATE_COUNT; f++)
        n += H.released[f];
    return n;
}

static void assert_all_back(uint32_t lent)
{
    assert_int_equal(total_released(), lent);
    assert_int_equal(H.double_release, 0);
    for (int i = 0; i < POOL; i++)
        assert_int_equal(H.lent[i], 0);
}

/* ---- programs ---- */

/* Counts packets in state, spins `spin` times, writes the count into byte 0 and mark into byte
 * 1, sends on port 0. */
static SlImage forwarder(int spin, int mark)
{
    static char src[1024];
    snprintf(src, sizeof src,
             ".state 8\n.port out\n.handler packet main\n.func main\n"
             "    mov r9, 0\n    ldm64 r3, [r9+0]\n    add r3, 1\n    stm64 [r9+0], r3\n"
             "    mov r2, 0\nspin:\n    add r2, 1\n    jlt r2, %d, spin\n"
             "    stp8 [r9+0], r3\n    mov r4, %d\n    stp8 [r9+1], r4\n    send r9\n",
             spin, mark);
    return image(src);
}

/* Work that depends on the packet: 400 + 8*byte32 rounds of a multiplicative hash of the frame's
 * sequence bytes, written into bytes 0..7; sends on port 0. */
static SlImage heavy(void)
{
    return image(".state 8\n.port out\n.handler packet main\n.func main\n"
                 "    mov r9, 0\n    ldp16 r1, [r9+34]\n    ldp8 r5, [r9+32]\n    shl r5, 3\n"
                 "    add r5, 400\n    mov r2, 0\nloop:\n    mul r1, 31\n    add r1, r2\n"
                 "    add r2, 1\n    jlt r2, r5, loop\n    stp64 [r9+0], r1\n    send r9\n");
}

/* Byte 32 selects: 1 divide by zero, 2 read out of bounds, 3 loop forever, else drop. */
static SlImage hostile(void)
{
    return image(".state 8\n.handler packet main\n.func main\n"
                 "    mov r9, 0\n    ldp8 r1, [r9+32]\n    jeq r1, 1, divz\n    jeq r1, 2, oob\n"
                 "    jeq r1, 3, forever\n    drop\n"
                 "divz:\n    ldp8 r2, [r9+33]\n    mov r3, 5\n    div r3, r2\n    drop\n"
                 "oob:\n    ldp16 r2, [r9+34]\n    add r2, 60000\n    ldp8 r3, [r2+0]\n    drop\n"
                 "forever:\n    ja forever\n");
}

/* Sends every packet back out of the virtual port it came in on. */
static SlImage echo(void)
{
    return image(".port a\n.port b\n.handler packet main\n.func main\n    inport r1\n    send r1\n");
}

/* ---- tests ---- */

static void test_footprints_and_args(void **state)
{
    (void)state;
    SlHvConfig bad = {0};
    assert_int_equal(sl_hv_footprint(&bad), 0);
    hv_new(2, 0);
    SlImage img = echo();
    SlHvQuotas q = {.queue_depth = 70000};
    assert_int_equal(sl_hv_vm_footprint(&img, &q), 0);
    q = (SlHvQuotas){.queue_depth = 65536}; /* the ring's indexes are 16-bit */
    assert_int_equal(sl_hv_vm_footprint(&img, &q), 0);
    q = (SlHvQuotas){.queue_depth = 65535};
    assert_true(sl_hv_vm_footprint(&img, &q) > 65535u * sizeof(void *));
    q = (SlHvQuotas){.vports = 1}; /* fewer than the image declares */
    assert_int_equal(sl_hv_vm_footprint(&img, &q), 0);
    char err[256];
    uint32_t id;
    static uint64_t small[8];
    assert_int_equal(sl_hv_vm_add(H.hv, small, sizeof small, &img, NULL, &id, err, sizeof err), -SL_ENOMEM);
    assert_true(strstr(err, "too small") != NULL);
    id = vm_add(&img, NULL);
    assert_int_equal(sl_hv_map_in(H.hv, 2, SL_HV_ANY, SL_HV_ANY, id, 0), -SL_EARG);
    assert_int_equal(sl_hv_map_in(H.hv, 0, SL_HV_ANY, SL_HV_ANY, 5, 0), -SL_EARG);
    assert_int_equal(sl_hv_map_out(H.hv, id, 2, 0), -SL_EARG);
    assert_int_equal(sl_hv_input(H.hv, 9, frame(0, SL_HV_ANY, 0x800, 0)), -SL_EARG);
    H.lent[0] = 0; /* not taken */
    assert_int_equal(sl_hv_step(H.hv), 0);
}

/* Runs the forwarder on 200 packets on port 0 (with a hostile VM on port 1 when with_hostile)
 * and returns the port 2 log. */
static void isolation_run(int with_hostile, uint8_t **log, size_t *len, uint32_t *hostile_id)
{
    hv_new(3, 256);
    SlImage fw = forwarder(20, 1);
    SlHvQuotas qf = {.slice = 1000, .queue_depth = 16};
    uint32_t f = vm_add(&fw, &qf);
    assert_int_equal(sl_hv_map_in(H.hv, 0, SL_HV_ANY, SL_HV_ANY, f, 0), 0);
    assert_int_equal(sl_hv_map_out(H.hv, f, 0, 2), 0);
    uint32_t h = 0;
    if (with_hostile) {
        SlImage ho = hostile();
        SlHvQuotas qh = {.slice = 500, .queue_depth = 16, .penalty_after = 2, .stop_after = 6};
        h = vm_add(&ho, &qh);
        assert_int_equal(sl_hv_map_in(H.hv, 1, SL_HV_ANY, SL_HV_ANY, h, 0), 0);
    }
    uint32_t lent = 0;
    for (uint32_t i = 0; i < 200; i++) {
        input(0, frame(i, SL_HV_ANY, 0x0800, 0));
        lent++;
        if (with_hostile) {
            /* divide by zero, out of bounds, then (from packet 40 on) loops forever */
            uint8_t kind = i < 40 ? (uint8_t)(1 + i % 2) : 3;
            input(1, frame(i, SL_HV_ANY, 0x0800, kind));
            lent++;
        }
        if (i % 8 == 7)
            sl_hv_run(H.hv, 0);
    }
    sl_hv_run(H.hv, 0);
    assert_false(sl_hv_busy(H.hv));
    assert_all_back(lent);
    *log = malloc(H.log_len[2]);
    memcpy(*log, H.log[2], H.log_len[2]);
    *len = H.log_len[2];
    *hostile_id = h;
}

static void test_isolation(void **state)
{
    (void)state;
    uint8_t *alone, *shared;
    size_t alone_len, shared_len;
    uint32_t h;
    isolation_run(0, &alone, &alone_len, &h);
    isolation_run(1, &shared, &shared_len, &h);
    assert_int_equal(H.outs[2], 200);
    assert_int_equal(alone_len, shared_len);
    assert_memory_equal(alone, shared, alone_len);
    free(alone);
    free(shared);

    SlHvVmStats st;
    assert_int_equal(sl_hv_vm_stats(H.hv, h, &st), 0);
    assert_int_equal(st.fault[SL_FAULT_DIV_ZERO], 20);
    assert_int_equal(st.fault[SL_FAULT_PKT_BOUNDS], 20);
    assert_int_equal(st.faults, 40);
    assert_int_equal(st.preemptions, 6); /* score rises by one per preemption: stopped at 6 */
    assert_true(st.penalties > 0);
    assert_int_equal(sl_hv_vm_state(H.hv, h), SL_HV_VM_STOPPED);
    assert_int_equal(st.stop_drops, 160); /* the looping packet and all after it */
    assert_int_equal(H.released[SL_HV_FAULTED], 40);
    assert_int_equal(H.released[SL_HV_STOPPED], 160);
    assert_int_equal(H.released[SL_HV_SENT], 200);

    SlHvVmStats fs;
    assert_int_equal(sl_hv_vm_stats(H.hv, 0, &fs), 0);
    assert_int_equal(fs.faults, 0);
    assert_int_equal(fs.preemptions, 0);
    assert_int_equal(fs.sent, 200);
    SlHvStats hs;
    sl_hv_stats(H.hv, &hs);
    assert_true(hs.switches > 0);
    assert_true(hs.preemptions > 0);

    /* restarted, it takes traffic again */
    assert_int_equal(sl_hv_vm_start(H.hv, h), 0);
    input(1, frame(1, SL_HV_ANY, 0x0800, 0));
    sl_hv_run(H.hv, 0);
    assert_int_equal(H.released[SL_HV_DROPPED], 1);
}

/* Two heavy VMs with small slices against unlimited slices: the same bytes out. */
static void preempt_run(uint64_t slice, uint8_t **log, size_t *len, SlHvVmStats *st)
{
    hv_new(2, 300);
    SlImage a = heavy(), b = heavy();
    SlHvQuotas q = {.slice = slice, .queue_depth = 128, .weight = 1};
    uint32_t va = vm_add(&a, &q), vb = vm_add(&b, &q);
    assert_int_equal(sl_hv_map_in(H.hv, 0, SL_HV_ANY, SL_HV_ANY, va, 0), 0);
    assert_int_equal(sl_hv_map_in(H.hv, 1, SL_HV_ANY, SL_HV_ANY, vb, 0), 0);
    assert_int_equal(sl_hv_map_out(H.hv, va, 0, 0), 0);
    assert_int_equal(sl_hv_map_out(H.hv, vb, 0, 1), 0);
    for (uint32_t i = 0; i < 100; i++) {
        assert_int_equal(input(0, frame(i, SL_HV_ANY, 0x0800, (uint8_t)(i * 7))), 1);
        assert_int_equal(input(1, frame(i + 1000, SL_HV_ANY, 0x0800, (uint8_t)(i * 3))), 1);
        if (i % 16 == 15)
            sl_hv_run(H.hv, 5000);
    }
    sl_hv_run(H.hv, 0);
    assert_all_back(200);
    *len = H.log_len[0] + H.log_len[1];
    *log = malloc(*len);
    memcpy(*log, H.log[0], H.log_len[0]);
    memcpy(*log + H.log_len[0], H.log[1], H.log_len[1]);
    sl_hv_vm_stats(H.hv, va, st);
}

static void test_preemption_same_output(void **state)
{
    (void)state;
    uint8_t *slow, *fast;
    size_t slow_len, fast_len;
    SlHvVmStats s1, s2;
    preempt_run(1ull << 40, &fast, &fast_len, &s1);
    preempt_run(97, &slow, &slow_len, &s2);
    assert_int_equal(s1.preemptions, 0);
    assert_true(s2.preemptions > 100);
    assert_int_equal(s1.sent, 100);
    assert_int_equal(s2.sent, 100);
    assert_int_equal(s1.insns, s2.insns);
    assert_int_equal(fast_len, slow_len);
    assert_memory_equal(fast, slow, fast_len);
    free(fast);
    free(slow);
}

/* The forwarder (mark 1) replaced by mark 2 while a packet is in flight: every sequence number
 * comes out once, the in-flight packet with mark 1, all later ones with mark 2. */
static void test_replace_mid_stream(void **state)
{
    (void)state;
    hv_new(2, 64);
    SlImage v1 = forwarder(100, 1), v2 = forwarder(100, 2);
    SlHvQuotas q = {.slice = 50, .queue_depth = 64};
    uint32_t id = vm_add(&v1, &q);
    assert_int_equal(sl_hv_map_in(H.hv, 0, SL_HV_ANY, SL_HV_ANY, id, 0), 0);
    assert_int_equal(sl_hv_map_out(H.hv, id, 0, 1), 0);
    for (uint32_t i = 0; i < 40; i++)
        input(0, frame(i, SL_HV_ANY, 0x0800, 0));
    /* run until packet 10 is in flight */
    while (H.outs[1] < 10)
        sl_hv_step(H.hv);
    sl_hv_step(H.hv); /* 64 instructions: packet 10 starts and is preempted */
    assert_int_equal(H.outs[1], 10);
    size_t size;
    void *mem = image_mem(&v2, &size);
    char err[256];
    assert_int_equal(sl_hv_vm_replace(H.hv, id, mem, size, &v2, 1, err, sizeof err), 0);
    assert_int_equal(sl_hv_vm_pending(H.hv, id), 1);
    assert_int_equal(sl_hv_vm_replace(H.hv, id, mem, size, &v2, 1, err, sizeof err), -SL_ESTATE);
    for (uint32_t i = 40; i < 60; i++)
        input(0, frame(i, SL_HV_ANY, 0x0800, 0));
    sl_hv_run(H.hv, 0);
    assert_int_equal(sl_hv_vm_pending(H.hv, id), 0);
    assert_int_equal(sl_hv_vm_kept_state(H.hv, id), 1);
    assert_all_back(60);
    assert_int_equal(H.outs[1], 60);
    const uint8_t *p = H.log[1];
    for (uint32_t i = 0; i < 60; i++) {
        assert_int_equal((p[0] << 8) | p[1], 64);
        p += 2;
        assert_int_equal(p[0], (uint8_t)(i + 1));        /* count carried across the replace */
        assert_int_equal(p[1], i <= 10 ? 1 : 2);         /* 0..10 on the old image */
        assert_int_equal((p[34] << 8) | p[35], i);       /* in order, none lost or twice */
        p += 64;
    }
    SlHvVmStats st;
    sl_hv_vm_stats(H.hv, id, &st);
    assert_int_equal(st.replaces, 1);

    /* a different state layout resets the state */
    SlImage other = image(".state 16\n.port out\n.handler packet main\n.func main\n"
                          "    mov r9, 0\n    ldm64 r3, [r9+0]\n    add r3, 1\n    stm64 [r9+0], r3\n"
                          "    stp8 [r9+0], r3\n    send r9\n");
    mem = image_mem(&other, &size);
    assert_int_equal(sl_hv_vm_replace(H.hv, id, mem, size, &other, 1, err, sizeof err), 0);
    assert_int_equal(sl_hv_vm_pending(H.hv, id), 0);
    assert_int_equal(sl_hv_vm_kept_state(H.hv, id), 0);
    input(0, frame(60, SL_HV_ANY, 0x0800, 0));
    sl_hv_run(H.hv, 0);
    assert_int_equal(H.log[1][H.log_len[1] - 64], 1);
}

/* Weights 1 and 3, both queues always full: instructions split 1:3. */
static void test_drr_weights(void **state)
{
    (void)state;
    hv_new(2, 200);
    SlImage a = forwarder(30, 1), b = forwarder(30, 2);
    SlHvQuotas qa = {.slice = 1000, .queue_depth = 256, .weight = 1};
    SlHvQuotas qb = {.slice = 1000, .queue_depth = 256, .weight = 3};
    uint32_t va = vm_add(&a, &qa), vb = vm_add(&b, &qb);
    assert_int_equal(sl_hv_map_in(H.hv, 0, SL_HV_ANY, SL_HV_ANY, va, 0), 0);
    assert_int_equal(sl_hv_map_in(H.hv, 1, SL_HV_ANY, SL_HV_ANY, vb, 0), 0);
    for (uint32_t i = 0; i < 240; i++) {
        input(0, frame(i, SL_HV_ANY, 0x0800, 0));
        input(1, frame(i, SL_HV_ANY, 0x0800, 0));
    }
    for (int k = 0; k < 40; k++)
        sl_hv_step(H.hv);
    SlHvVmStats sa, sb;
    sl_hv_vm_stats(H.hv, va, &sa);
    sl_hv_vm_stats(H.hv, vb, &sb);
    assert_true(sa.queued > 0 && sb.queued > 0);
    /* 20 turns each: A earns 4000, B 12000 instructions, each within one packet's cost */
    assert_true(sa.insns >= 4000 && sa.insns < 4000 + 80);
    assert_true(sb.insns >= 12000 && sb.insns < 12000 + 80);
    assert_int_equal(sa.switches, 20);
    assert_int_equal(sb.switches, 20);
    sl_hv_run(H.hv, 0);
    assert_all_back(480);
    assert_int_equal(H.released[SL_HV_UNROUTED], 480); /* no out map */
}

/* A forwarder VM with a queue of depth, fed by port 0 and sending on port 1. */
static uint32_t queued_forwarder(uint64_t quantum, uint32_t depth)
{
    hv_new(2, quantum);
    SlImage fw = forwarder(1, 1);
    SlHvQuotas q = {.queue_depth = depth};
    uint32_t id = vm_add(&fw, &q);
    assert_int_equal(sl_hv_map_in(H.hv, 0, SL_HV_ANY, SL_HV_ANY, id, 0), 0);
    assert_int_equal(sl_hv_map_out(H.hv, id, 0, 1), 0);
    return id;
}

static void test_queue_full_drops(void **state)
{
    (void)state;
    uint32_t id = queued_forwarder(0, 4);
    int taken = 0;
    for (uint32_t i = 0; i < 10; i++)
        taken += input(0, frame(i, SL_HV_ANY, 0x0800, 0));
    assert_int_equal(taken, 4);
    assert_int_equal(H.released[SL_HV_QUEUE_FULL], 6);
    SlHvPortStats ps;
    assert_int_equal(sl_hv_port_stats(H.hv, 0, &ps), 0);
    assert_int_equal(ps.in, 10);
    assert_int_equal(ps.queue_drops, 6);
    SlHvVmStats st;
    sl_hv_vm_stats(H.hv, id, &st);
    assert_int_equal(st.queue_drops, 6);
    assert_int_equal(st.queued, 4);
    sl_hv_run(H.hv, 0);
    assert_int_equal(H.outs[1], 4);
    assert_int_equal(sl_hv_port_stats(H.hv, 1, &ps), 0);
    assert_int_equal(ps.out, 4);
    assert_int_equal(ps.out_bytes, 4 * 64);
    assert_all_back(10);
}

/* The queue keeps its first packet in the VM's record and the rest in a ring: packets come out
 * in arrival order while the ring wraps, and `in` (worked out from where packets ended) counts
 * what was taken, flushed by a stop included, refused not. */
static void test_queue_order_and_counts(void **state)
{
    (void)state;
    uint32_t id = queued_forwarder(1, 3); /* credit 1 a turn: a packet, then turns paying its debt */
    uint32_t seq = 0;
    for (; seq < 3; seq++)
        assert_int_equal(input(0, frame(seq, SL_HV_ANY, 0x0800, 0)), 1);
    assert_int_equal(input(0, frame(99, SL_HV_ANY, 0x0800, 0)), 0); /* full */
    for (uint32_t sent = 1; sent <= 4; sent++, seq++) { /* one out, one in: the ring wraps */
        while (H.outs[1] < sent)
            assert_int_equal(sl_hv_step(H.hv), 1);
        assert_int_equal(input(0, frame(seq, SL_HV_ANY, 0x0800, 0)), 1);
    }
    sl_hv_run(H.hv, 0);
    assert_int_equal(H.outs[1], seq);
    for (uint32_t i = 0, at = 0; i < seq; i++) { /* [len][frame]..., the sequence at bytes 34..35 */
        assert_int_equal(H.log[1][at + 2 + 35], i);
        at += 2 + 64;
    }
    SlHvVmStats st;
    sl_hv_vm_stats(H.hv, id, &st);
    assert_int_equal(st.in, seq);
    assert_int_equal(st.sent, seq);
    assert_int_equal(st.queued, 0);
    assert_int_equal(st.queue_drops, 1);

    for (uint32_t k = 0; k < 3; k++)
        assert_int_equal(input(0, frame(seq + k, SL_HV_ANY, 0x0800, 0)), 1);
    assert_int_equal(sl_hv_vm_stop(H.hv, id), 0);
    assert_int_equal(input(0, frame(seq + 3, SL_HV_ANY, 0x0800, 0)), 0); /* refused */
    sl_hv_vm_stats(H.hv, id, &st);
    assert_int_equal(st.in, seq + 3);
    assert_int_equal(st.stop_drops, 4);
    assert_int_equal(st.queued, 0);
    assert_all_back(seq + 5);
}

/* Port 0: untagged -> VM a; VLAN 10 -> VM b port 0; VLAN 10 + IPv6 -> VM b port 1; ARP on any
 * VLAN -> VM c (VLAN matches rank above EtherType ones, so untagged ARP goes to a). Port 1 has no map. */
static void test_port_map_narrowing(void **state)
{
    (void)state;
    hv_new(4, 0);
    SlImage img = echo();
    uint32_t a = vm_add(&img, NULL), b = vm_add(&img, NULL), c = vm_add(&img, NULL);
    assert_int_equal(sl_hv_map_in(H.hv, 0, SL_HV_NO_VLAN, SL_HV_ANY, a, 0), 0);
    assert_int_equal(sl_hv_map_in(H.hv, 0, 10, SL_HV_ANY, b, 0), 0);
    assert_int_equal(sl_hv_map_in(H.hv, 0, 10, 0x86dd, b, 1), 0);
    assert_int_equal(sl_hv_map_in(H.hv, 0, SL_HV_ANY, 0x0806, c, 1), 0);
    assert_int_equal(sl_hv_map_out(H.hv, a, 0, 1), 0);
    assert_int_equal(sl_hv_map_out(H.hv, b, 0, 2), 0);
    assert_int_equal(sl_hv_map_out(H.hv, b, 1, 3), 0);
    assert_int_equal(sl_hv_map_out(H.hv, c, 1, 3), 0);

    assert_int_equal(input(0, frame(1, SL_HV_ANY, 0x0800, 0)), 1);  /* a, out 1 */
    assert_int_equal(input(0, frame(2, 10, 0x0800, 0)), 1);         /* b:0, out 2 */
    assert_int_equal(input(0, frame(3, 10, 0x86dd, 0)), 1);         /* b:1, out 3 */
    assert_int_equal(input(0, frame(4, 10, 0x0806, 0)), 1);         /* VLAN 10 beats ARP: b:0 */
    assert_int_equal(input(0, frame(5, 30, 0x0806, 0)), 1);         /* ARP on VLAN 30: c */
    assert_int_equal(input(0, frame(6, 20, 0x0800, 0)), 0);         /* VLAN 20: nothing */
    assert_int_equal(input(1, frame(7, SL_HV_ANY, 0x0800, 0)), 0);  /* port 1: nothing */
    assert_int_equal(H.released[SL_HV_NO_MATCH], 2);
    sl_hv_run(H.hv, 0);
    assert_int_equal(H.outs[1], 1);
    assert_int_equal(H.outs[2], 2);
    assert_int_equal(H.outs[3], 2);
    SlHvVmStats st;
    sl_hv_vm_stats(H.hv, b, &st);
    assert_int_equal(st.in, 3);
    sl_hv_vm_stats(H.hv, c, &st);
    assert_int_equal(st.in, 1);
    SlHvPortStats ps;
    sl_hv_port_stats(H.hv, 0, &ps);
    assert_int_equal(ps.no_match, 1);
    assert_int_equal(sl_hv_unmap_in(H.hv, 0, SL_HV_ANY, 0x0806), 0);
    assert_int_equal(input(0, frame(8, 30, 0x0806, 0)), 0);        /* no longer mapped */
    assert_int_equal(input(0, frame(9, SL_HV_ANY, 0x0806, 0)), 1); /* untagged ARP: a */
    sl_hv_run(H.hv, 0);
    assert_int_equal(H.outs[1], 2);
    assert_int_equal(H.released[SL_HV_NO_MATCH], 3);
    assert_all_back(9);
}

/* Tunnel ids: VXLAN (IPv4/UDP 4789, I flag) and the Sluice tunnel EtherType, bounds-checked;
 * a tunnel entry ranks above VLAN and EtherType entries. */
static uint32_t vxlan(uint8_t *f, uint32_t vni, uint32_t dport, uint8_t flags)
{
    memset(f, 0, 128);
    f[12] = 0x08;
    uint8_t *ip = f + 14;
    ip[0] = 0x45;
    ip[9] = 17;
    ip[22] = (uint8_t)(dport >> 8);
    ip[23] = (uint8_t)dport;
    ip[28] = flags;
    ip[32] = (uint8_t)(vni >> 16);
    ip[33] = (uint8_t)(vni >> 8);
    ip[34] = (uint8_t)vni;
    return 14 + 20 + 8 + 8;
}

static void test_tunnel_ids(void **state)
{
    (void)state;
    uint8_t f[128];
    uint32_t vlan, et, tun;
    uint32_t len = vxlan(f, 0xabcdef, 4789, 0x08);
    sl_hv_classify(f, len, &vlan, &et, &tun);
    assert_int_equal(vlan, SL_HV_NO_VLAN);
    assert_int_equal(et, 0x0800);
    assert_int_equal(tun, 0xabcdef);
    for (uint32_t cut = 0; cut < len; cut++) { /* every shorter frame: no id, no overread */
        sl_hv_classify(f, cut, &vlan, &et, &tun);
        assert_int_equal(tun, SL_HV_ANY);
    }
    vxlan(f, 7, 4790, 0x08);
    sl_hv_classify(f, len, &vlan, &et, &tun);
    assert_int_equal(tun, SL_HV_ANY); /* not the VXLAN port */
    vxlan(f, 7, 4789, 0x00);
    sl_hv_classify(f, len, &vlan, &et, &tun);
    assert_int_equal(tun, SL_HV_ANY); /* I flag clear */
    vxlan(f, 7, 4789, 0x08);
    f[14 + 7] = 5; /* a later fragment carries no UDP header */
    sl_hv_classify(f, len, &vlan, &et, &tun);
    assert_int_equal(tun, SL_HV_ANY);
    vxlan(f, 7, 4789, 0x08);
    f[14] = 0x46; /* IHL 6: the UDP header moves 4 bytes on */
    sl_hv_classify(f, len, &vlan, &et, &tun);
    assert_int_equal(tun, SL_HV_ANY); /* the 4789 is now read as the source port */

    /* Sluice tunnel after a VLAN tag: id 0x123456 */
    uint8_t g[64] = {0};
    g[12] = 0x81, g[14] = 0x00, g[15] = 5, g[16] = 0x88, g[17] = 0xb5, g[18] = 0x12, g[19] = 0x34, g[20] = 0x56;
    sl_hv_classify(g, 22, &vlan, &et, &tun);
    assert_int_equal(vlan, 5);
    assert_int_equal(et, SL_HV_TUNNEL_ETHERTYPE);
    assert_int_equal(tun, 0x123456);
    sl_hv_classify(g, 21, &vlan, &et, &tun);
    assert_int_equal(tun, SL_HV_ANY);

    /* mapping: tunnel 0x123456 -> b, VLAN 5 -> a; tunnel id out of range refused */
    hv_new(3, 0);
    SlImage img = echo();
    uint32_t a = vm_add(&img, NULL), b = vm_add(&img, NULL);
    SlHvMatch m = {.phys = 0, .vlan = 5, .ethertype = SL_HV_ANY, .tunnel = SL_HV_ANY};
    assert_int_equal(sl_hv_map_in_match(H.hv, &m, a, 0), 0);
    m = (SlHvMatch){.phys = 0, .vlan = SL_HV_ANY, .ethertype = SL_HV_ANY, .tunnel = 0x123456};
    assert_int_equal(sl_hv_map_in_match(H.hv, &m, b, 0), 0);
    m.tunnel = 0x1000000;
    assert_int_equal(sl_hv_map_in_match(H.hv, &m, b, 0), -SL_EARG);
    assert_int_equal(sl_hv_map_out(H.hv, a, 0, 1), 0);
    assert_int_equal(sl_hv_map_out(H.hv, b, 0, 2), 0);
    SlPacket *p = frame(1, 5, SL_HV_TUNNEL_ETHERTYPE, 0);
    memcpy(p->buf + p->head, g, 22);
    assert_int_equal(input(0, p), 1);
    p = frame(2, 5, 0x0800, 0);
    assert_int_equal(input(0, p), 1);
    sl_hv_run(H.hv, 0);
    assert_int_equal(H.outs[2], 1); /* the tunnel frame: b */
    assert_int_equal(H.outs[1], 1); /* plain VLAN 5: a */
    m.tunnel = 0x123456;
    assert_int_equal(sl_hv_unmap_in_match(H.hv, &m), 0);
    assert_int_equal(sl_hv_unmap_in_match(H.hv, &m), -SL_EARG);
    assert_all_back(2);
}

/* Events: the init handler posted as an event runs before the packets queued after it, in the
 * VM's turn; a bad handler index faults NO_HANDLER and is counted. */
static void test_events(void **state)
{
    (void)state;
    hv_new(2, 0);
    SlImage img = image(".state 8\n.port out\n.handler init setup\n.handler packet main\n"
                        ".func setup\n    mov r9, 0\n    mov r1, 0x5a\n    stm8 [r9+0], r1\n    exit\n"
                        ".func main\n    mov r9, 0\n    ldm8 r1, [r9+0]\n    stp8 [r9+0], r1\n    send r9\n");
    uint32_t id = vm_add(&img, NULL);
    assert_int_equal(sl_hv_map_in(H.hv, 0, SL_HV_ANY, SL_HV_ANY, id, 0), 0);
    assert_int_equal(sl_hv_map_out(H.hv, id, 0, 1), 0);
    int init = sl_image_find_handler(&img, SL_HANDLER_INIT, 0);
    assert_true(init >= 0);
    SlPacket *ev = frame(0, SL_HV_ANY, 0, 0);
    ev->len = 0;
    ev->in_port = SL_HV_NO_PORT;
    assert_int_equal(sl_hv_vm_post(H.hv, id, (uint32_t)init, ev), 1);
    input(0, frame(1, SL_HV_ANY, 0x0800, 0));
    assert_int_equal(sl_hv_vm_post(H.hv, id, 40, frame(2, SL_HV_ANY, 0x0800, 0)), 1);
    assert_int_equal(sl_hv_vm_post(H.hv, id, SL_MAX_HANDLERS, ev), -SL_EARG);
    sl_hv_run(H.hv, 0);
    assert_int_equal(H.outs[1], 1);
    assert_int_equal(H.log[1][2], 0x5a);
    SlHvVmStats st;
    sl_hv_vm_stats(H.hv, id, &st);
    assert_int_equal(st.fault[SL_FAULT_NO_HANDLER], 1);
    assert_int_equal(H.released[SL_HV_DROPPED], 1); /* the init run: exit without a verdict */
    assert_all_back(3);
}

/* Same inputs, same outputs and counters. */
static void test_deterministic(void **state)
{
    (void)state;
    uint8_t *l1, *l2;
    size_t n1, n2;
    SlHvVmStats s1, s2;
    preempt_run(131, &l1, &n1, &s1);
    preempt_run(131, &l2, &n2, &s2);
    assert_int_equal(n1, n2);
    assert_memory_equal(l1, l2, n1);
    assert_memory_equal(&s1, &s2, sizeof s1);
    free(l1);
    free(l2);
}

static int teardown(void **state)
{
    (void)state;
    host_reset();
    free(H.bufs);
    for (int p = 0; p < 4; p++)
        free(H.log[p]);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_footprints_and_args),
        cmocka_unit_test(test_isolation),
        cmocka_unit_test(test_preemption_same_output),
        cmocka_unit_test(test_replace_mid_stream),
        cmocka_unit_test(test_drr_weights),
        cmocka_unit_test(test_queue_full_drops),
        cmocka_unit_test(test_queue_order_and_counts),
        cmocka_unit_test(test_port_map_narrowing),
        cmocka_unit_test(test_tunnel_ids),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_deterministic),
    };
    return cmocka_run_group_tests_name("vm/hv", tests, NULL, teardown);
}
