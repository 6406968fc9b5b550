/* The hypervisor: connection table, per-VM queues and a weighted deficit-round-robin scheduler.
 *
 * Scheduling. VMs with work sit in a FIFO "active" list. A turn pops the head, credits it
 * quantum * weight instructions (less when penalised) and runs its packets one after another,
 * each run or resume given one slice of fuel, while the credit is positive. The instructions a
 * run used are charged after it returns, so a VM may end a turn in debt; it pays the debt in later
 * rounds, which keeps shares exact over time without knowing a packet's cost in advance. A VM
 * that leaves the list (queue empty) forfeits its credit, as in classic DRR.
 *
 * Switches. Going from one packet to the next of another VM only changes the VM pointer the loop
 * works on: the VM's registers are dead at a packet boundary. A run that yields (its slice is
 * used up inside one packet) keeps its registers and frames in its SlVm; the VM goes to the back
 * of the list and sl_vm_resume() goes on at its next turn: the preemptive switch.
 *
 * Replace. A new image is verified into its own memory at once; the VM pointer is swapped at the
 * first packet boundary (at once when no packet is in flight), so the packet in flight ends on
 * the old image and the queue, which holds only descriptors, drains into the new one. */
#include "hv.h"

#include "mem.h"
#include "vm_int.h"

/* A queue slot: a descriptor and the handler to run on it (< SL_MAX_HANDLERS) or PACKET_HANDLER,
 * the current image's packet handler. Its size is a power of two and the ring is aligned to it,
 * so taking a packet off the queue touches one cache line. */
#define PACKET_HANDLER 0xffu
typedef struct HvSlot {
    SlPacket *pkt;
    uint32_t handler;
} HvSlot;

typedef struct HvVm HvVm;
/* Field order matters: a packet-boundary switch touches the first two lines (scheduler, queue,
 * the front packet, the packet in flight and the hot counters) and nothing else of a VM's record,
 * so that a thousand VMs' working set stays in a core's L2 (docs/hypervisor.md, "Memory and cache
 * lines"). The queue's first packet lives in the record, the others in a ring after it: a VM that
 * gets one packet per turn, the case where switches are most of the cost, never touches the
 * ring. A VM is in the active list when it has a successor there or is its tail. */
struct HvVm {
    /* line 0: the scheduler, the queue and the run in flight */
    HvVm *next;            /* active list */
    SlVm *vm;
    const SlHvEngine *eng; /* NULL: the interpreter (the queue is at a fixed offset: queue()) */
    const void *eng_code;  /* eng's handle for the image (read when eng is set) */
    SlPacket *cur;         /* packet in flight (yielded), NULL at a boundary */
    uint16_t qhead, qcount; /* qcount: queued in all, the front one included */
    uint16_t qdepth;       /* q.queue_depth */
    int8_t packet_handler; /* of the current image, or -1 */
    uint8_t state;         /* SlHvVmState */
    uint8_t cur_preempted; /* the run in flight was preempted at least once */
    uint8_t replacing;     /* next_vm is set: swap at the next packet boundary */
    uint8_t scored;        /* st.overrun_score != 0 */
    uint8_t front_handler; /* the front packet's handler (see front) */
    uint32_t id;
    int64_t deficit;
    /* line 1: the front packet, credit, slice and the counters every packet touches */
    uint64_t quantum;      /* credit per turn: cfg.quantum * weight, less while penalised */
    uint64_t slice;        /* q.slice */
    SlPacket *front;       /* the packet that came into an empty queue, until taken; the rest
                            * are in the ring */
    uint64_t insns, runs, switches, sent, dropped;
    /* cold */
    uint64_t cur_insns;    /* insns of the run in flight before its last yield */
    uint64_t flushed;      /* queued or in flight when the VM was stopped (in is worked out) */
    SlHvVmStats st;        /* the other counters (the fields above are not kept here) */
    SlVm *next_vm;         /* replacement waiting for the packet in flight */
    const SlHvEngine *next_eng; /* and the engine it will run on (NULL: the interpreter) */
    const void *next_eng_code;
    int next_keep;
    int kept;
    SlHvQuotas q;
    uint32_t *outmap;      /* vport -> phys or SL_HV_NO_PORT */
};

/* The ring of qdepth slots follows the record. */
static size_t ring_offset(void) { return (sizeof(HvVm) + sizeof(HvSlot) - 1) & ~(sizeof(HvSlot) - 1); }
static HvSlot *queue(const HvVm *v) { return (HvSlot *)(void *)((uint8_t *)(uintptr_t)v + ring_offset()); }

typedef struct HvMap {
    uint32_t used, phys, vlan, ethertype, tunnel, vm, vport;
} HvMap;

struct SlHv {
    HvVm *head, *tail;     /* active list */
    HvVm *last;            /* the VM that ran last */
    int last_preempted;    /* and it was preempted */
    HvVm *running;         /* for the clone callback */
    SlEnv env;             /* what runs see of the host: set once, now_ns (the tstamp of the
                            * run in progress) per run */
    SlHvStats st;
    SlHvConfig cfg;
    HvVm **vms;
    HvMap *maps;
    uint32_t tunnel_maps;  /* entries with a tunnel id: classification looks for one only then */
    SlHvPortStats *ports;
};

static size_t align8(size_t n) { return (n + 7) & ~(size_t)7; }
static void on_clone(void *user, uint32_t port, const uint8_t *data, uint32_t len);

/* ---- memory ---- */

size_t sl_hv_footprint(const SlHvConfig *cfg)
{
    if (!cfg || !cfg->phys_ports || !cfg->max_vms || cfg->phys_ports > (1u << 20) ||
        cfg->max_vms > (1u << 20) || cfg->max_maps > (1u << 20))
        return 0;
    return align8(sizeof(SlHv)) + align8((size_t)cfg->max_vms * sizeof(HvVm *)) +
           align8((size_t)cfg->max_maps * sizeof(HvMap)) +
           align8((size_t)cfg->phys_ports * sizeof(SlHvPortStats));
}

int sl_hv_create(void *mem, size_t size, const SlHvConfig *cfg, SlHv **out, char *err, size_t errcap)
{
    if (errcap)
        err[0] = '\0';
    *out = 0;
    size_t need = sl_hv_footprint(cfg);
    if (!need) {
        sl_fmt(err, errcap, "hypervisor config invalid (ports, VMs 1..2^20, maps 0..2^20)");
        return -SL_EARG;
    }
    if (!mem || ((uintptr_t)mem & 7)) {
        sl_fmt(err, errcap, "hypervisor memory missing or not 8-byte aligned");
        return -SL_EARG;
    }
    if (size < need) {
        sl_fmt(err, errcap, "hypervisor memory too small: %zu bytes given, %zu needed", size, need);
        return -SL_ENOMEM;
    }
    memset(mem, 0, need);
    uint8_t *p = mem;
    SlHv *hv = (SlHv *)mem;
    p += align8(sizeof(SlHv));
    hv->cfg = *cfg;
    hv->env = (SlEnv){.user = hv, .clone = on_clone};
    if (!hv->cfg.quantum)
        hv->cfg.quantum = 1024;
    hv->vms = (HvVm **)(void *)p;
    p += align8((size_t)cfg->max_vms * sizeof(HvVm *));
    hv->maps = (HvMap *)(void *)p;
    p += align8((size_t)cfg->max_maps * sizeof(HvMap));
    hv->ports = (SlHvPortStats *)(void *)p;
    *out = hv;
    return 0;
}

static int quotas_norm(const SlImage *img, const SlHvQuotas *in, SlHvQuotas *q)
{
    if (in)
        *q = *in;
    else
        memset(q, 0, sizeof *q);
    if (!q->slice)
        q->slice = 4096;
    if (!q->packet_budget)
        q->packet_budget = 1ull << 32;
    if (!q->queue_depth)
        q->queue_depth = 64;
    if (!q->weight)
        q->weight = 1;
    if (!q->vports)
        q->vports = img->port_count;
    return q->queue_depth <= 65535 && q->weight <= 65536 && q->vports <= SL_MAX_PORTS &&
           q->vports >= img->port_count;
}

/* A VM's block: up to LINE - 8 bytes of slack, so that the record and the SlVm start on cache
 * lines whatever the embedder's 8-byte alignment; record | queue | out map | padding to a line |
 * SlVm. */
enum { LINE = 64 };

static size_t align_line(size_t n) { return (n + LINE - 1) & ~(size_t)(LINE - 1); }

static size_t record_bytes(const SlHvQuotas *q)
{
    return align_line(ring_offset() + (size_t)q->queue_depth * sizeof(HvSlot) +
                      align8((size_t)q->vports * sizeof(uint32_t)));
}

size_t sl_hv_vm_footprint(const SlImage *img, const SlHvQuotas *quotas)
{
    SlHvQuotas q;
    size_t vm = sl_vm_footprint(img);
    if (!vm || !quotas_norm(img, quotas, &q))
        return 0;
    return LINE - 8 + record_bytes(&q) + vm;
}

size_t sl_hv_image_footprint(const SlImage *img) { return sl_vm_footprint(img); }

static HvVm *get(const SlHv *hv, uint32_t id) { return id < hv->cfg.max_vms ? hv->vms[id] : 0; }

static int8_t find_packet_handler(const SlVm *vm)
{
    return (int8_t)sl_image_find_handler(sl_vm_image(vm), SL_HANDLER_PACKET, 0); /* < SL_MAX_HANDLERS */
}

int sl_hv_vm_add(SlHv *hv, void *mem, size_t size, const SlImage *img, const SlHvQuotas *quotas,
                 uint32_t *id, char *err, size_t errcap)
{
    if (errcap)
        err[0] = '\0';
    SlHvQuotas q;
    if (!quotas_norm(img, quotas, &q)) {
        sl_fmt(err, errcap, "quotas invalid (queue depth <= 65535, weight <= 65536; vports %u..%u)",
               img->port_count, (unsigned)SL_MAX_PORTS);
        return -SL_EARG;
    }
    if (!mem || ((uintptr_t)mem & 7)) {
        sl_fmt(err, errcap, "VM memory missing or not 8-byte aligned");
        return -SL_EARG;
    }
    size_t need = sl_hv_vm_footprint(img, &q);
    if (!need || size < need) {
        sl_fmt(err, errcap, "VM memory too small: %zu bytes given, %zu needed", size, need);
        return -SL_ENOMEM;
    }
    uint32_t slot = 0;
    while (slot < hv->cfg.max_vms && hv->vms[slot])
        slot++;
    if (slot == hv->cfg.max_vms) {
        sl_fmt(err, errcap, "hypervisor full: %u VMs", hv->cfg.max_vms);
        return -SL_EFULL;
    }
    size_t skip = (size_t)(-(uintptr_t)mem & (LINE - 1)); /* to the next line boundary */
    size_t rec = skip + record_bytes(&q);
    uint8_t *p = (uint8_t *)mem + skip;
    HvVm *v = (HvVm *)(void *)p;
    memset(v, 0, sizeof *v);
    SlVmConfig vc = {.seed = sl_mix64(hv->cfg.seed + slot), .packet_budget = q.packet_budget};
    int rc = sl_vm_create((uint8_t *)mem + rec, size - rec, img, &vc, &v->vm, err, errcap);
    if (rc < 0)
        return rc;
    v->outmap = (uint32_t *)(void *)(p + ring_offset() + (size_t)q.queue_depth * sizeof(HvSlot));
    for (uint32_t i = 0; i < q.vports; i++)
        v->outmap[i] = SL_HV_NO_PORT;
    v->q = q;
    v->qdepth = (uint16_t)q.queue_depth;
    v->slice = q.slice;
    v->id = slot;
    v->state = SL_HV_VM_RUNNING;
    v->packet_handler = find_packet_handler(v->vm);
    hv->vms[slot] = v;
    v->quantum = hv->cfg.quantum * q.weight;
    *id = slot;
    return 0;
}

/* ---- packets ---- */

static void release(SlHv *hv, SlPacket *pkt, SlHvFate fate, uint32_t vm)
{
    if (hv->cfg.ops.release)
        hv->cfg.ops.release(hv->cfg.ops.user, pkt, fate, vm);
}

static void output(SlHv *hv, HvVm *v, uint32_t vport, const uint8_t *data, uint32_t len, int clone)
{
    uint32_t phys = vport < v->q.vports ? v->outmap[vport] : SL_HV_NO_PORT;
    if (phys == SL_HV_NO_PORT) {
        v->st.unrouted++;
        return;
    }
    if (clone)
        v->st.clones++;
    else
        v->sent++;
    hv->ports[phys].out++;
    hv->ports[phys].out_bytes += len;
    if (hv->cfg.ops.output)
        hv->cfg.ops.output(hv->cfg.ops.user, phys, data, len, hv->env.now_ns);
}

static void on_clone(void *user, uint32_t port, const uint8_t *data, uint32_t len)
{
    SlHv *hv = user;
    output(hv, hv->running, port, data, len, 1);
}

static int is_active(const SlHv *hv, const HvVm *v) { return v->next || hv->tail == v; }

static void activate(SlHv *hv, HvVm *v)
{
    if (is_active(hv, v))
        return;
    if (hv->tail)
        hv->tail->next = v;
    else
        hv->head = v;
    hv->tail = v;
}

static void unlink_active(SlHv *hv, HvVm *v)
{
    if (!is_active(hv, v))
        return;
    HvVm **pp = &hv->head, *prev = 0;
    while (*pp && *pp != v) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    if (*pp)
        *pp = v->next;
    if (hv->tail == v)
        hv->tail = prev;
    v->next = 0;
    v->deficit = 0;
}

static int enqueue(SlHv *hv, HvVm *v, uint32_t handler, uint32_t in_port, SlPacket *pkt)
{
    if (v->state != SL_HV_VM_RUNNING) {
        v->st.stop_drops++;
        release(hv, pkt, SL_HV_STOPPED, v->id);
        return 0;
    }
    if (v->qcount == v->qdepth) {
        v->st.queue_drops++;
        release(hv, pkt, SL_HV_QUEUE_FULL, v->id);
        return -1;
    }
    pkt->in_port = in_port;
    if (!v->qcount) {
        v->front = pkt;
        v->front_handler = (uint8_t)handler;
    } else {
        uint32_t at = v->qhead + v->qcount - (v->front != 0);
        if (at >= v->qdepth)
            at -= v->qdepth;
        queue(v)[at] = (HvSlot){pkt, handler};
    }
    v->qcount++;
    activate(hv, v);
    return 1;
}

/* Takes the queue's first packet (qcount > 0): the front one while there is one (it came into
 * an empty queue, so before all in the ring), else the ring's first. */
static inline SlPacket *dequeue(HvVm *v, uint32_t *handler)
{
    SlPacket *p = v->front;
    v->qcount--;
    if (p) {
        *handler = v->front_handler;
        v->front = 0;
        return p;
    }
    const HvSlot *slot = &queue(v)[v->qhead];
    v->qhead = v->qhead + 1 == v->qdepth ? 0 : v->qhead + 1;
    *handler = slot->handler;
    return slot->pkt;
}

static uint32_t be16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }

/* The tunnel id of the payload at b[off..len) whose EtherType is et, or SL_HV_ANY. Every read is
 * checked against len first. */
static uint32_t tunnel_id(const uint8_t *b, uint32_t len, uint32_t off, uint32_t et)
{
    if (et == SL_HV_TUNNEL_ETHERTYPE) {
        if (len - off < 4)
            return SL_HV_ANY;
        return (uint32_t)b[off] << 16 | (uint32_t)b[off + 1] << 8 | b[off + 2];
    }
    if (et != 0x0800 || len - off < 20)
        return SL_HV_ANY;
    const uint8_t *ip = b + off;
    uint32_t ihl = (uint32_t)(ip[0] & 15) * 4;
    if (ip[0] >> 4 != 4 || ihl < 20 || len - off < ihl || ip[9] != 17 || (be16(ip + 6) & 0x1fff))
        return SL_HV_ANY;
    off += ihl; /* UDP header, then VXLAN's 8 bytes */
    if (len - off < 16 || be16(b + off + 2) != SL_HV_VXLAN_PORT || !(b[off + 8] & 0x08))
        return SL_HV_ANY;
    return (uint32_t)b[off + 12] << 16 | (uint32_t)b[off + 13] << 8 | b[off + 14];
}

/* VLAN id, EtherType after the tags and (when want_tunnel) tunnel id of a frame. */
static void classify(const uint8_t *b, uint32_t len, int want_tunnel, uint32_t *vlan, uint32_t *et,
                     uint32_t *tunnel)
{
    uint32_t off = 12;
    *vlan = SL_HV_NO_VLAN;
    *et = SL_HV_ANY;
    *tunnel = SL_HV_ANY;
    if (len < 14)
        return;
    uint32_t t = be16(b + off);
    while ((t == 0x8100 || t == 0x88a8) && len >= off + 6) {
        if (*vlan == SL_HV_NO_VLAN)
            *vlan = be16(b + off + 2) & 0xfff;
        off += 4;
        t = be16(b + off);
    }
    if (t == 0x8100 || t == 0x88a8)
        return; /* tag cut short */
    *et = t;
    if (want_tunnel)
        *tunnel = tunnel_id(b, len, off + 2, t);
}

void sl_hv_classify(const uint8_t *frame, uint32_t len, uint32_t *vlan, uint32_t *ethertype, uint32_t *tunnel)
{
    classify(frame, len, 1, vlan, ethertype, tunnel);
}

int sl_hv_input(SlHv *hv, uint32_t phys, SlPacket *pkt)
{
    if (phys >= hv->cfg.phys_ports || !pkt || !pkt->buf)
        return -SL_EARG;
    SlHvPortStats *ps = &hv->ports[phys];
    ps->in++;
    ps->in_bytes += pkt->len;
    uint32_t vlan, et, tun;
    classify(pkt->buf + pkt->head, pkt->len, hv->tunnel_maps != 0, &vlan, &et, &tun);
    const HvMap *best = 0;
    int best_rank = -1;
    for (uint32_t i = 0; i < hv->cfg.max_maps; i++) {
        const HvMap *m = &hv->maps[i];
        if (!m->used || m->phys != phys)
            continue;
        if (m->vlan != SL_HV_ANY && m->vlan != vlan)
            continue;
        if (m->ethertype != SL_HV_ANY && m->ethertype != et)
            continue;
        if (m->tunnel != SL_HV_ANY && m->tunnel != tun)
            continue;
        int rank = (m->tunnel != SL_HV_ANY) * 4 + (m->vlan != SL_HV_ANY) * 2 + (m->ethertype != SL_HV_ANY);
        if (rank > best_rank) {
            best = m;
            best_rank = rank;
        }
    }
    HvVm *v = best ? get(hv, best->vm) : 0;
    if (!v) {
        ps->no_match++;
        release(hv, pkt, SL_HV_NO_MATCH, SL_HV_NO_PORT);
        return 0;
    }
    int rc = enqueue(hv, v, PACKET_HANDLER, best->vport, pkt);
    if (rc < 0)
        ps->queue_drops++;
    return rc > 0;
}

int sl_hv_vm_post(SlHv *hv, uint32_t id, uint32_t handler, SlPacket *pkt)
{
    HvVm *v = get(hv, id);
    if (!v || !pkt || !pkt->buf || handler >= SL_MAX_HANDLERS)
        return -SL_EARG;
    return enqueue(hv, v, handler, pkt->in_port, pkt) > 0;
}

/* ---- connection table ---- */

static int same_key(const HvMap *m, const SlHvMatch *k)
{
    return m->used && m->phys == k->phys && m->vlan == k->vlan && m->ethertype == k->ethertype &&
           m->tunnel == k->tunnel;
}

int sl_hv_map_in_match(SlHv *hv, const SlHvMatch *k, uint32_t vm, uint32_t vport)
{
    if (!k || k->phys >= hv->cfg.phys_ports || !get(hv, vm) ||
        (k->vlan != SL_HV_ANY && k->vlan != SL_HV_NO_VLAN && k->vlan > 0xfff) ||
        (k->ethertype != SL_HV_ANY && k->ethertype > 0xffff) || (k->tunnel != SL_HV_ANY && k->tunnel > 0xffffff))
        return -SL_EARG;
    HvMap *free_slot = 0;
    for (uint32_t i = 0; i < hv->cfg.max_maps; i++) {
        HvMap *m = &hv->maps[i];
        if (same_key(m, k)) {
            m->vm = vm;
            m->vport = vport;
            return 0;
        }
        if (!m->used && !free_slot)
            free_slot = m;
    }
    if (!free_slot)
        return -SL_EFULL;
    *free_slot = (HvMap){.used = 1, .phys = k->phys, .vlan = k->vlan, .ethertype = k->ethertype,
                         .tunnel = k->tunnel, .vm = vm, .vport = vport};
    hv->tunnel_maps += k->tunnel != SL_HV_ANY;
    return 0;
}

int sl_hv_unmap_in_match(SlHv *hv, const SlHvMatch *k)
{
    for (uint32_t i = 0; k && i < hv->cfg.max_maps; i++) {
        HvMap *m = &hv->maps[i];
        if (same_key(m, k)) {
            m->used = 0;
            hv->tunnel_maps -= k->tunnel != SL_HV_ANY;
            return 0;
        }
    }
    return -SL_EARG;
}

int sl_hv_map_in(SlHv *hv, uint32_t phys, uint32_t vlan, uint32_t ethertype, uint32_t vm, uint32_t vport)
{
    SlHvMatch k = {.phys = phys, .vlan = vlan, .ethertype = ethertype, .tunnel = SL_HV_ANY};
    return sl_hv_map_in_match(hv, &k, vm, vport);
}

int sl_hv_unmap_in(SlHv *hv, uint32_t phys, uint32_t vlan, uint32_t ethertype)
{
    SlHvMatch k = {.phys = phys, .vlan = vlan, .ethertype = ethertype, .tunnel = SL_HV_ANY};
    return sl_hv_unmap_in_match(hv, &k);
}

int sl_hv_map_out(SlHv *hv, uint32_t vm, uint32_t vport, uint32_t phys)
{
    HvVm *v = get(hv, vm);
    if (!v || vport >= v->q.vports || (phys != SL_HV_NO_PORT && phys >= hv->cfg.phys_ports))
        return -SL_EARG;
    v->outmap[vport] = phys;
    return 0;
}

/* ---- replace, stop, start ---- */

static int same_layout(const SlVm *a, const SlVm *b)
{
    if (a->state_size != b->state_size || a->table_count != b->table_count)
        return 0;
    for (uint32_t t = 0; t < a->table_count; t++) {
        const SlTableDecl *x = &a->tables[t].decl, *y = &b->tables[t].decl;
        if (x->kind != y->kind || x->key_size != y->key_size || x->value_size != y->value_size ||
            x->capacity != y->capacity)
            return 0;
    }
    return 1;
}

/* Makes the waiting image current; called at a packet boundary. Both VMs have the same seed, so
 * equal table declarations mean identical slot layouts and the slots copy byte for byte. */
static void swap_image(HvVm *v)
{
    SlVm *old = v->vm, *nv = v->next_vm;
    v->kept = 0;
    if (v->next_keep && same_layout(old, nv)) {
        memcpy(nv->state, old->state, old->state_size);
        for (uint32_t t = 0; t < old->table_count; t++) {
            SlTable *src = &old->tables[t], *dst = &nv->tables[t];
            uint32_t nslots;
            size_t bytes = sl_table_bytes(&src->decl, &nslots);
            uint8_t *from = src->plen_count ? (uint8_t *)src->plen_count : src->slots;
            uint8_t *to = dst->plen_count ? (uint8_t *)dst->plen_count : dst->slots;
            memcpy(to, from, bytes);
            dst->count = src->count;
            memcpy(dst->plen_bits, src->plen_bits, sizeof dst->plen_bits);
            memcpy(dst->lpm_order, src->lpm_order, sizeof dst->lpm_order);
        }
        nv->rng = old->rng;
        v->kept = 1;
    }
    v->vm = nv;
    v->next_vm = 0;
    v->replacing = 0;
    v->eng = v->next_eng; /* native code is made for one image */
    v->eng_code = v->next_eng_code;
    v->next_eng = 0;
    v->next_eng_code = 0;
    v->packet_handler = find_packet_handler(nv);
    v->st.replaces++;
}

int sl_hv_vm_replace(SlHv *hv, uint32_t id, void *mem, size_t size, const SlImage *img, int keep_state,
                     char *err, size_t errcap)
{
    if (errcap)
        err[0] = '\0';
    HvVm *v = get(hv, id);
    if (!v) {
        sl_fmt(err, errcap, "no VM %u", id);
        return -SL_EARG;
    }
    if (v->next_vm) {
        sl_fmt(err, errcap, "VM %u: a replace is already pending", id);
        return -SL_ESTATE;
    }
    if (img->port_count > v->q.vports) {
        sl_fmt(err, errcap, "VM %u: image declares %u ports, the VM has %u virtual ports", id,
               img->port_count, v->q.vports);
        return -SL_EARG;
    }
    SlVm *nv;
    int rc = sl_vm_create(mem, size, img, &v->vm->cfg, &nv, err, errcap);
    if (rc < 0)
        return rc;
    v->next_vm = nv;
    v->replacing = 1;
    v->next_keep = keep_state;
    if (!v->cur)
        swap_image(v);
    return 0;
}

int sl_hv_vm_set_engine(SlHv *hv, uint32_t id, const SlHvEngine *engine, const void *code)
{
    HvVm *v = get(hv, id);
    if (!v || (engine && (!engine->run || !engine->resume)))
        return -SL_EARG;
    if (v->cur)
        return -SL_ESTATE;
    v->eng = engine;
    v->eng_code = engine ? code : 0;
    return 0;
}

int sl_hv_vm_replace_engine(SlHv *hv, uint32_t id, const SlHvEngine *engine, const void *code)
{
    HvVm *v = get(hv, id);
    if (!v || (engine && (!engine->run || !engine->resume)))
        return -SL_EARG;
    if (v->next_vm)
        return -SL_ESTATE; /* the replace is already under way */
    v->next_eng = engine;
    v->next_eng_code = engine ? code : 0;
    return 0;
}

int sl_hv_vm_pending(const SlHv *hv, uint32_t id)
{
    const HvVm *v = get(hv, id);
    return v && v->next_vm;
}

int sl_hv_vm_kept_state(const SlHv *hv, uint32_t id)
{
    const HvVm *v = get(hv, id);
    return v && v->kept;
}

static void stop(SlHv *hv, HvVm *v)
{
    v->state = SL_HV_VM_STOPPED;
    unlink_active(hv, v);
    if (v->cur) {
        sl_vm_abort(v->vm);
        SlPacket *p = v->cur;
        v->cur = 0;
        v->st.stop_drops++;
        v->flushed++;
        release(hv, p, SL_HV_STOPPED, v->id);
    }
    if (v->next_vm)
        swap_image(v);
    while (v->qcount) {
        uint32_t h;
        SlPacket *p = dequeue(v, &h);
        v->st.stop_drops++;
        v->flushed++;
        release(hv, p, SL_HV_STOPPED, v->id);
    }
    v->qhead = 0;
}

int sl_hv_vm_stop(SlHv *hv, uint32_t id)
{
    HvVm *v = get(hv, id);
    if (!v)
        return -SL_EARG;
    if (v->state == SL_HV_VM_RUNNING)
        stop(hv, v);
    return 0;
}

int sl_hv_vm_start(SlHv *hv, uint32_t id)
{
    HvVm *v = get(hv, id);
    if (!v)
        return -SL_EARG;
    v->state = SL_HV_VM_RUNNING;
    v->st.overrun_score = 0;
    v->scored = 0;
    v->quantum = hv->cfg.quantum * v->q.weight;
    return 0;
}

SlHvVmState sl_hv_vm_state(const SlHv *hv, uint32_t id)
{
    const HvVm *v = get(hv, id);
    return v ? (SlHvVmState)v->state : SL_HV_VM_FREE;
}

SlVm *sl_hv_vm(SlHv *hv, uint32_t id)
{
    HvVm *v = get(hv, id);
    return v ? v->vm : 0;
}

/* ---- the scheduler ---- */

/* The credit a turn earns: quantum * weight, halved for each overrun point at or above
 * penalty_after (at least 1 instruction, so the VM still pays its debt off eventually). Cached in
 * the record and recomputed only when the overrun score changes, as is the hot copy of "score not
 * zero" that every packet's end looks at. */
static void set_quantum(const SlHv *hv, HvVm *v)
{
    v->scored = v->st.overrun_score != 0;
    uint64_t q = hv->cfg.quantum * v->q.weight;
    if (v->q.penalty_after && v->st.overrun_score >= v->q.penalty_after) {
        uint32_t shift = v->st.overrun_score - v->q.penalty_after + 1;
        q = shift >= 63 ? 0 : q >> shift;
        if (!q)
            q = 1;
    }
    v->quantum = q;
}

/* A run ended (DONE or FAULT): account for it and hand the packet back. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline void finish(SlHv *hv, HvVm *v, const SlResult *res)
{
    SlPacket *p = v->cur;
    v->cur = 0;
    v->runs++;
    if (!v->cur_preempted && v->scored) {
        v->st.overrun_score--;
        set_quantum(hv, v);
    }
    SlHvFate fate;
    if (res->status == SL_RUN_FAULT) {
        v->st.faults++;
        v->st.fault[res->fault < SL_FAULT_COUNT ? res->fault : 0]++;
        fate = SL_HV_FAULTED;
    } else if (res->verdict == SL_VERDICT_SEND) {
        uint64_t unrouted = v->st.unrouted;
        output(hv, v, res->port, p->buf + p->head, p->len, 0);
        fate = v->st.unrouted != unrouted ? SL_HV_UNROUTED : SL_HV_SENT;
    } else if (res->verdict == SL_VERDICT_PUNT) {
        v->st.punted++;
        fate = SL_HV_PUNTED;
    } else {
        v->dropped++;
        fate = SL_HV_DROPPED;
    }
    if (v->replacing)
        swap_image(v);
    release(hv, p, fate, v->id);
}

/* Runs v's packets while its credit lasts. Returns 1 when v was preempted mid-packet. Inlined
 * into the scheduler's loop: a call per turn is a good part of what a switch costs. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline int turn(SlHv *hv, HvVm *v)
{
    SlEnv *env = &hv->env;
    const SlHvEngine *eng = v->eng;
    hv->running = v;
    /* on entry: a packet in flight or queued, and credit */
    for (;;) {
        SlResult res;
        int rc;
        if (!v->cur) {
            uint32_t h;
            SlPacket *p = dequeue(v, &h);
            v->cur = p;
            v->cur_preempted = 0;
            env->now_ns = p->tstamp_ns;
            h = h == PACKET_HANDLER ? (uint32_t)(int32_t)v->packet_handler : h;
            rc = eng ? eng->run(v->vm, v->eng_code, h, p, env, v->slice, &res)
                     : sl_vm_run(v->vm, h, p, env, v->slice, &res);
        } else {
            env->now_ns = v->cur->tstamp_ns;
            rc = eng ? eng->resume(v->vm, v->eng_code, v->cur, env, v->slice, &res)
                     : sl_vm_resume(v->vm, v->cur, env, v->slice, &res);
        }
        if (rc < 0) { /* the descriptor broke the window contract */
            SlPacket *p = v->cur;
            v->cur = 0;
            v->st.errors++;
            if (v->replacing)
                swap_image(v);
            release(hv, p, SL_HV_ERROR, v->id);
        } else {
            uint64_t used = v->cur_preempted ? res.insns - v->cur_insns : res.insns;
            v->deficit -= (int64_t)used;
            v->insns += used;
            hv->st.insns += used;
            if (res.status == SL_RUN_YIELD) {
                v->cur_insns = res.insns;
                v->st.preemptions++;
                v->cur_preempted = 1;
                if (v->q.penalty_after && v->st.overrun_score >= v->q.penalty_after)
                    v->st.penalties++;
                v->st.overrun_score++;
                set_quantum(hv, v);
                if (v->q.stop_after && v->st.overrun_score >= v->q.stop_after) {
                    stop(hv, v);
                    return 0;
                }
                return 1;
            }
            finish(hv, v, &res);
            if (v->state != SL_HV_VM_RUNNING)
                return 0;
        }
        if (v->deficit <= 0 || !v->qcount)
            return 0;
    }
}

#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

/* A packet-boundary switch costs the cache lines the next VM's turn touches: its record's two
 * lines, its SlVm's first line, its code and its packet. While the current VM runs, the record of
 * the VM two turns ahead is prefetched, and the SlVm line and packet descriptor of the next
 * (found through its record, cached by now). Going further (the code of the next, found through
 * its SlVm) measured slower: the extra pointer chasing costs more than the misses it saves. A
 * prefetch never faults, so a stale guess (the list changing under it) costs a wasted line, never
 * a wrong result. */
static inline void prefetch_record(const HvVm *v)
{
    PREFETCH(v);
    PREFETCH((const uint8_t *)v + 64);
}

static inline void prefetch_vm_and_packet(const HvVm *v)
{
    /* The SlVm's first line, what every run reads; not the registers: a run writes a register
     * before it reads it (the verifier sees to that), and a store that misses does not stall. */
    PREFETCH(v->vm);
    PREFETCH(v->front); /* NULL when the VM's next is in the ring or in flight: harmless */
}

/* Pops the head of the active list and gives it a turn. The switch itself is the pointer v (a
 * run queue, not a scan: only VMs with work are in the list); what it costs beyond the turn is
 * its bookkeeping and cache misses, partly hidden by the prefetches above. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline int step(SlHv *hv)
{
    HvVm *v = hv->head;
    if (!v)
        return 0;
    hv->head = v->next;
    if (!hv->head) {
        hv->tail = 0;
    } else {
        HvVm *n1 = hv->head, *n2 = n1->next;
        prefetch_vm_and_packet(n1);
        if (n2)
            prefetch_record(n2);
    }
    v->next = 0; /* out of the list (is_active) */
    if (hv->last != v) { /* the hypervisor's count is the VMs' summed (sl_hv_stats) */
        hv->st.preemptions += (uint64_t)hv->last_preempted;
        v->switches++;
    }
    v->deficit += (int64_t)v->quantum;
    /* in debt: this round only pays some of it off */
    int preempted = v->deficit > 0 && (v->cur || v->qcount) ? turn(hv, v) : 0;
    hv->st.rounds++;
    hv->last = v;
    hv->last_preempted = preempted;
    if (v->state == SL_HV_VM_RUNNING && (v->cur || v->qcount))
        activate(hv, v); /* keeps its deficit, credit or debt */
    else
        v->deficit = 0;
    return 1;
}

int sl_hv_step(SlHv *hv) { return step(hv); }

uint64_t sl_hv_run(SlHv *hv, uint64_t budget)
{
    uint64_t start = hv->st.insns;
    if (!budget) {
        while (step(hv)) {
        }
    } else {
        while (hv->st.insns - start < budget && step(hv)) {
        }
    }
    return hv->st.insns - start;
}

int sl_hv_busy(const SlHv *hv) { return hv->head != 0; }

/* ---- counters ---- */

int sl_hv_vm_stats(const SlHv *hv, uint32_t id, SlHvVmStats *out)
{
    const HvVm *v = get(hv, id);
    if (!v)
        return -SL_EARG;
    *out = v->st;
    /* every packet taken ends as a run, an error or a flush, or is still queued or in flight */
    out->in = v->runs + v->st.errors + v->flushed + v->qcount + (v->cur != 0);
    out->sent = v->sent;
    out->dropped = v->dropped;
    out->insns = v->insns;
    out->runs = v->runs;
    out->switches = v->switches;
    out->queued = v->qcount;
    return 0;
}

int sl_hv_port_stats(const SlHv *hv, uint32_t phys, SlHvPortStats *out)
{
    if (phys >= hv->cfg.phys_ports)
        return -SL_EARG;
    *out = hv->ports[phys];
    return 0;
}

void sl_hv_stats(const SlHv *hv, SlHvStats *out)
{
    *out = hv->st;
    out->switches = 0;
    for (uint32_t i = 0; i < hv->cfg.max_vms; i++)
        out->switches += hv->vms[i] ? hv->vms[i]->switches : 0;
}
