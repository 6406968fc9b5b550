/* fuzz_frames: arbitrary frames from the network through the hypervisor's way in.
 *
 * The input is a configuration byte then frames, each [port byte][length, 2 bytes LE][bytes].
 * Every frame is classified (sl_hv_classify) and steered to a worker (sl_hvw_steer) from an
 * exactly-sized heap copy, so that ASan sees any read past its end; the results must be in
 * range. Then every frame is lent to a hypervisor whose connection table narrows by VLAN,
 * EtherType and tunnel id, with VMs that read and rewrite headers at offsets the frame chooses
 * (faults are expected and must be contained). Checked after each input: every lent packet came
 * back exactly once, the port counters add up to the inputs, and the hypervisor is idle. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "asm.h"
#include "fuzz.h"
#include "hv.h"
#include "hv_workers.h"

enum { POOL = 64, BUFSZ = SL_PKT_HEADROOM + SL_PKT_MAX, PORTS = 3, MAX_VMS = 3 };

/* A: IPv4 with a TTL: decrement it and send the UDP destination port (found through the IHL the
 * frame gives) in state; other EtherTypes are punted. B: echoes on the virtual port the frame
 * arrived on, after reading a 16-bit offset from byte 14 and loading there. */
static const char PROG_A[] = ".state 16\n.port out\n.handler packet main\n.func main\n"
                             "    mov r9, 0\n    ldp16 r1, [r9+12]\n    jne r1, 0x0800, other\n"
                             "    ldp8 r2, [r9+22]\n    jeq r2, 0, gone\n    sub r2, 1\n    stp8 [r9+22], r2\n"
                             "    ldp8 r3, [r9+14]\n    and r3, 15\n    shl r3, 2\n    add r3, 14\n"
                             "    ldp16 r4, [r3+2]\n    stm64 [r9+0], r4\n    send r9\n"
                             "other:\n    ldm64 r5, [r9+8]\n    add r5, 1\n    stm64 [r9+8], r5\n    punt\n"
                             "gone:\n    drop\n";
static const char PROG_B[] = ".state 8\n.port a\n.port b\n.handler packet main\n.func main\n"
                             "    mov r9, 0\n    ldp16 r1, [r9+14]\n    ldp8 r2, [r1+0]\n    stm8 [r9+0], r2\n"
                             "    inport r3\n    send r3\n";

typedef struct Host {
    SlPacket pkt[POOL];
    int lent[POOL];
    uint8_t *bufs;
    uint64_t released, outputs;
} Host;

static Host host;
static SlImage img_a, img_b;

static void on_output(void *user, uint32_t phys, const uint8_t *data, uint32_t len, uint64_t t)
{
    (void)data;
    (void)t;
    CHECK(phys < PORTS);
    CHECK(len <= SL_PKT_MAX + SL_PKT_HEADROOM);
    ((Host *)user)->outputs++;
}

static void on_release(void *user, SlPacket *pkt, SlHvFate fate, uint32_t vm)
{
    Host *h = user;
    size_t i = (size_t)(pkt - h->pkt);
    CHECK(i < POOL && h->lent[i]); /* ours, and not back already */
    CHECK(fate < SL_HV_FATE_COUNT);
    CHECK(vm < MAX_VMS || vm == SL_HV_NO_PORT);
    h->lent[i] = 0;
    h->released++;
}

/* The first buffer not lent out, or POOL. */
static uint32_t free_slot(void)
{
    uint32_t i = 0;
    while (i < POOL && host.lent[i])
        i++;
    return i;
}

static SlImage assemble(const char *src)
{
    uint8_t *bytes;
    size_t len;
    char err[512];
    SlImage img;
    CHECK(sl_asm_assemble(src, strlen(src), "fuzz.sla", 0, &bytes, &len, err, sizeof err) == 0);
    CHECK(sl_image_parse(bytes, len, &img, err, sizeof err) == 0); /* bytes live as long as the process */
    return img;
}

static void *vm_add(SlHv *hv, const SlImage *img, uint32_t *id)
{
    SlHvQuotas q = {.queue_depth = 8, .slice = 16, .packet_budget = 4096};
    size_t need = sl_hv_vm_footprint(img, &q);
    void *mem = aligned_alloc(64, (need + 63) & ~(size_t)63);
    char err[256];
    CHECK(mem && sl_hv_vm_add(hv, mem, need, img, &q, id, err, sizeof err) == 0);
    return mem;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!host.bufs) {
        host.bufs = malloc((size_t)POOL * BUFSZ);
        CHECK(host.bufs);
        img_a = assemble(PROG_A);
        img_b = assemble(PROG_B);
    }
    if (size < 1)
        return 0;
    uint8_t conf = data[0];
    data++, size--;

    SlHvConfig cfg = {.phys_ports = PORTS, .max_vms = MAX_VMS, .max_maps = 8, .quantum = 1u + (conf & 7u) * 20u,
                      .seed = conf, .ops = {.user = &host, .output = on_output, .release = on_release}};
    size_t need = sl_hv_footprint(&cfg);
    void *hv_mem = aligned_alloc(64, (need + 63) & ~(size_t)63);
    SlHv *hv;
    char err[256];
    CHECK(hv_mem && sl_hv_create(hv_mem, need, &cfg, &hv, err, sizeof err) == 0);
    uint32_t a, b, c;
    void *mem_a = vm_add(hv, &img_a, &a), *mem_b = vm_add(hv, &img_b, &b), *mem_c = vm_add(hv, &img_b, &c);
    /* Port 0: anything -> A; VLAN 5 -> B; IPv6 -> B port 1; tunnel 0x123456 -> C. Port 1:
     * untagged ARP -> C. Port 2: nothing (every frame there is unmatched). */
    CHECK(sl_hv_map_in(hv, 0, SL_HV_ANY, SL_HV_ANY, a, 0) == 0);
    CHECK(sl_hv_map_in(hv, 0, 5, SL_HV_ANY, b, 0) == 0);
    CHECK(sl_hv_map_in(hv, 0, SL_HV_ANY, 0x86dd, b, 1) == 0);
    SlHvMatch m = {.phys = 0, .vlan = SL_HV_ANY, .ethertype = SL_HV_ANY, .tunnel = 0x123456};
    CHECK(sl_hv_map_in_match(hv, &m, c, 0) == 0);
    CHECK(sl_hv_map_in(hv, 1, SL_HV_NO_VLAN, 0x0806, c, 1) == 0);
    CHECK(sl_hv_map_out(hv, a, 0, 1) == 0);
    CHECK(sl_hv_map_out(hv, b, 0, 0) == 0);
    CHECK(sl_hv_map_out(hv, b, 1, 2) == 0); /* c's ports stay unmapped: its sends are unrouted */

    memset(&host.lent, 0, sizeof host.lent);
    host.released = host.outputs = 0;
    uint64_t lent = 0, per_port[PORTS] = {0}, port_bytes[PORTS] = {0};
    const uint32_t workers = 1u + (conf >> 3 & 7u); /* for steering */
    while (size >= 3) {
        uint32_t phys = data[0] % PORTS;
        uint32_t len = (uint32_t)data[1] | (uint32_t)data[2] << 8;
        data += 3, size -= 3;
        if (len > size)
            len = (uint32_t)size;
        if (len > SL_PKT_MAX)
            len = SL_PKT_MAX;

        uint8_t *exact = malloc(len ? len : 1);
        CHECK(exact);
        memcpy(exact, data, len);
        uint32_t vlan, et, tun;
        sl_hv_classify(exact, len, &vlan, &et, &tun);
        CHECK(vlan <= 0xfff || vlan == SL_HV_NO_VLAN);
        CHECK(et <= 0xffff || et == SL_HV_ANY);
        CHECK(tun <= 0xffffff || tun == SL_HV_ANY);
        CHECK(sl_hvw_steer(exact, len, workers) < workers);
        free(exact);

        uint32_t i = free_slot();
        if (i == POOL) { /* every buffer is out: let the VMs finish some */
            sl_hv_run(hv, 0);
            i = free_slot();
            CHECK(i < POOL);
        }
        uint8_t *buf = host.bufs + (size_t)i * BUFSZ;
        memset(buf, 0xa5, BUFSZ);
        memcpy(buf + SL_PKT_HEADROOM, data, len);
        host.pkt[i] = (SlPacket){.buf = buf, .cap = BUFSZ, .head = SL_PKT_HEADROOM, .len = len, .tstamp_ns = lent};
        host.lent[i] = 1;
        lent++;
        per_port[phys]++;
        port_bytes[phys] += len;
        int rc = sl_hv_input(hv, phys, &host.pkt[i]);
        CHECK(rc == 0 || rc == 1);
        data += len, size -= len;
        if (conf & 0x40)
            sl_hv_step(hv); /* interleave runs with arrivals */
    }
    sl_hv_run(hv, 0);
    CHECK(!sl_hv_busy(hv));
    CHECK(host.released == lent);
    for (uint32_t i = 0; i < POOL; i++)
        CHECK(!host.lent[i]);
    uint64_t outs = 0;
    for (uint32_t p = 0; p < PORTS; p++) {
        SlHvPortStats ps;
        CHECK(sl_hv_port_stats(hv, p, &ps) == 0);
        CHECK(ps.in == per_port[p] && ps.in_bytes == port_bytes[p]);
        CHECK(p != 2 || ps.no_match == per_port[p]); /* port 2 has no map */
        outs += ps.out;
    }
    CHECK(outs == host.outputs);
    free(mem_a);
    free(mem_b);
    free(mem_c);
    free(hv_mem);
    return 0;
}
