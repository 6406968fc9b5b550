/* The Sluice hypervisor: many isolated VMs on one core, scheduled at packet boundaries.
 *
 * A hypervisor (SlHv) has phys_ports physical ports and up to max_vms VMs. Each VM runs one
 * verified image with its own state arena, an input queue of packet descriptors and quotas. A
 * connection table maps traffic: (physical port [, VLAN id] [, EtherType] [, tunnel id]) -> (VM,
 * virtual port)
 * on the way in, (VM, virtual port) -> physical port on the way out. sl_hv_input() classifies a
 * packet and queues its descriptor (no copy); sl_hv_run() schedules the VMs with deficit round
 * robin weighted by their quotas. Switching VMs between packets costs a pointer; a VM whose
 * packet outlasts its slice is preempted (sl_vm_resume later) and, if it keeps doing so,
 * penalised and then stopped. A fault drops the packet and is counted on that VM only.
 *
 * Ownership and memory: freestanding, no malloc. The embedder gives
 *   - the hypervisor one block of sl_hv_footprint(cfg) bytes (sl_hv_create),
 *   - each VM one block of sl_hv_vm_footprint(img, quotas) bytes (sl_hv_vm_add): the VM's
 *     record, its queue, its out-port map and the SlVm (code, state, tables),
 *   - each replacement image one block of sl_hv_image_footprint(img) bytes (sl_hv_vm_replace).
 * All blocks 8-byte aligned; they, the images and their bytes must outlive their use (a VM's add
 * block until the hypervisor is discarded; a replaced image's block until sl_hv_vm_pending()
 * reads 0 for that VM and a later replace has completed, i.e. once it is no longer current).
 *
 * Packet buffers (zero-copy contract): sl_hv_input() *lends* the descriptor and its buffer to
 * the hypervisor. If it returns 1 the hypervisor owns the packet until it hands it back, exactly
 * once, through ops.release(user, pkt, fate, vm), after any ops.output() for it. If it returns 0
 * (no map matched, queue full, VM stopped) the packet was not taken: release() has already been
 * called with the reason (so the embedder has exactly one place to recycle buffers). Until
 * release the embedder must not touch the buffer or the descriptor; the hypervisor rewrites
 * pkt->in_port to the VM's virtual port and the VM may edit the bytes in place (within the
 * buffer window vm.h describes: the buffer must cover [head - SL_PKT_HEADROOM, head +
 * max(len, SL_PKT_MAX)) or the packet is released with fate SL_HV_ERROR).
 *
 * Outputs: a SEND verdict on virtual port v calls ops.output(user, phys, data, len, t) with the
 * packet's current bytes, phys from the out map (no mapping: dropped, fate SL_HV_UNROUTED); a
 * clone does the same with the clone's bytes. Punted packets are released with SL_HV_PUNTED
 * (the embedder passes them to its control plane, then recycles them).
 *
 * Determinism: single thread, no clocks (a run's `now` is the packet's tstamp_ns), no mutable
 * globals: the same calls in the same order give the same outputs, releases and counters.
 * Not thread-safe: one hypervisor per thread (N workers = N hypervisors).
 *
 * Library status: 0 or -SL_E<NAME> (errors.def) with text in a caller buffer; faults are counts. */
#ifndef SLUICE_HV_H
#define SLUICE_HV_H

#include <stddef.h>
#include <stdint.h>

#include "image.h"
#include "vm.h"

enum {
    SL_HV_ANY = 0xffffffffu,    /* in a port map: match any VLAN / EtherType / tunnel id */
    SL_HV_NO_VLAN = 0xfffffffeu, /* in a port map: match untagged frames only */
    SL_HV_NO_PORT = 0xffffffffu, /* in_port of events (init/timer runs) */
    SL_HV_TUNNEL_ETHERTYPE = 0x88b5, /* Sluice tunnel: 24-bit id, 1 reserved byte, then the frame */
    SL_HV_VXLAN_PORT = 4789,         /* UDP destination port of VXLAN (RFC 7348) */
};

/* What became of a packet handed back through release(). */
typedef enum SlHvFate {
    SL_HV_SENT = 0,      /* sent (output() was called for it) */
    SL_HV_DROPPED = 1,   /* the program dropped it (drop/exit/ret without verdict) */
    SL_HV_PUNTED = 2,    /* the program punted it to the control plane */
    SL_HV_FAULTED = 3,   /* the run faulted (counted per fault kind) */
    SL_HV_UNROUTED = 4,  /* sent to a virtual port with no physical port mapped */
    SL_HV_NO_MATCH = 5,  /* input: no port map entry matched */
    SL_HV_QUEUE_FULL = 6,/* input: the VM's queue was full */
    SL_HV_STOPPED = 7,   /* the VM is or was stopped: queued packets are flushed */
    SL_HV_ERROR = 8,     /* the packet descriptor broke the window contract (vm.h) */
    SL_HV_FATE_COUNT
} SlHvFate;

typedef enum SlHvVmState {
    SL_HV_VM_FREE = 0,
    SL_HV_VM_RUNNING = 1,
    SL_HV_VM_STOPPED = 2,
} SlHvVmState;

typedef struct SlHvOps {
    void *user;
    /* A packet (or clone) leaves on physical port phys. data is valid during the call only.
     * tstamp_ns is the time of the run that sent it (the packet's or event's tstamp_ns). */
    void (*output)(void *user, uint32_t phys, const uint8_t *data, uint32_t len, uint64_t tstamp_ns);
    /* The packet comes back to the embedder; called exactly once per lent packet. vm is the VM
     * that had it (SL_HV_NO_PORT when no VM was found). May be NULL. */
    void (*release)(void *user, SlPacket *pkt, SlHvFate fate, uint32_t vm);
} SlHvOps;

typedef struct SlHvConfig {
    uint32_t phys_ports; /* physical ports 0..phys_ports-1, at least 1 */
    uint32_t max_vms;    /* VM ids 0..max_vms-1 */
    uint32_t max_maps;   /* input port-map entries */
    uint64_t quantum;    /* instructions one unit of weight earns per DRR round (0 = 1024) */
    uint64_t seed;       /* each VM's SlVmConfig.seed = mix(seed, vm id) */
    SlHvOps ops;
} SlHvConfig;

typedef struct SlHvQuotas {
    uint64_t slice;         /* instructions per time unit: a run using more is preempted (0 = 4096) */
    uint64_t packet_budget; /* instructions per packet in all; beyond, fault FUEL (0 = 1<<32) */
    uint32_t queue_depth;   /* packets queued at most, 1..65535 (0 = 64) */
    uint32_t weight;        /* DRR share: quantum * weight per round, 1..65536 (0 = 1) */
    uint32_t vports;        /* out-map size: at least the image's port count; replacement images
                               must fit (0 = the image's port count) */
    /* Overrun policy. Every preemption adds one to the VM's overrun score, every packet that
     * ends within one slice takes one off. From penalty_after on, the VM's DRR quantum is
     * halved for each point at or above it (at least 1 instruction: it runs again only once the
     * debt of its overrunning slices is paid off); at stop_after the VM is stopped.
     * 0 disables each. */
    uint32_t penalty_after;
    uint32_t stop_after;
} SlHvQuotas;

/* Per-VM counters; packet counts are by final fate. */
typedef struct SlHvVmStats {
    /* the counters every packet touches come first (one cache line) */
    uint64_t in;          /* packets and events queued */
    uint64_t sent;        /* SEND verdicts delivered to a physical port */
    uint64_t dropped;     /* DROP verdicts */
    uint64_t punted;
    uint64_t insns;       /* instructions executed */
    uint64_t runs;        /* handler runs finished (DONE or FAULT) */
    uint64_t switches;    /* times the scheduler switched to this VM */
    uint64_t preemptions; /* times it was preempted inside a packet */
    uint64_t unrouted;    /* sends and clones on virtual ports with no mapping */
    uint64_t queue_drops; /* refused: queue full */
    uint64_t stop_drops;  /* flushed or refused because the VM was stopped */
    uint64_t errors;      /* descriptor broke the window contract */
    uint64_t faults;      /* all faults */
    uint64_t fault[SL_FAULT_COUNT]; /* by SlFault */
    uint64_t clones;      /* clones delivered */
    uint64_t penalties;   /* preemptions that found the score at or above penalty_after */
    uint64_t replaces;    /* image replacements completed */
    uint32_t overrun_score;
    uint32_t queued;      /* packets waiting now (not counting one in flight) */
} SlHvVmStats;

typedef struct SlHvPortStats {
    uint64_t in, in_bytes;   /* sl_hv_input() calls on this port */
    uint64_t out, out_bytes; /* output() calls on this port (sends and clones) */
    uint64_t no_match;       /* inputs no map entry took */
    uint64_t queue_drops;    /* inputs refused by a full queue */
} SlHvPortStats;

typedef struct SlHvStats {
    uint64_t switches;    /* all switches from one VM to another (both kinds) */
    uint64_t preemptions; /* of which: the previous VM was preempted mid-packet */
    uint64_t rounds;      /* scheduler turns (sl_hv_step calls that ran a VM) */
    uint64_t insns;
} SlHvStats;

typedef struct SlHv SlHv;

/* Bytes sl_hv_create() needs for cfg; 0 if cfg is invalid or too large. */
size_t sl_hv_footprint(const SlHvConfig *cfg);
int sl_hv_create(void *mem, size_t size, const SlHvConfig *cfg, SlHv **out, char *err, size_t errcap);

/* Bytes sl_hv_vm_add() needs for img under quotas (0 if invalid); sl_hv_image_footprint() what a
 * replacement image needs (the SlVm alone). */
size_t sl_hv_vm_footprint(const SlImage *img, const SlHvQuotas *quotas);
size_t sl_hv_image_footprint(const SlImage *img);

/* Verifies img and builds a VM in mem, RUNNING, with the lowest free id. The init handler is not
 * run: post it with sl_hv_vm_post() if the image has one. 0 or -SL_E* (verifier text in err). */
int sl_hv_vm_add(SlHv *hv, void *mem, size_t size, const SlImage *img, const SlHvQuotas *quotas,
                 uint32_t *id, char *err, size_t errcap);

/* Stops a VM: a packet in flight is abandoned, it and the queued ones are released with
 * SL_HV_STOPPED; inputs mapped to it are refused the same way. Start clears the overrun score
 * and the penalty. State and counters are kept. 0 or -SL_EARG. */
int sl_hv_vm_stop(SlHv *hv, uint32_t id);
int sl_hv_vm_start(SlHv *hv, uint32_t id);
SlHvVmState sl_hv_vm_state(const SlHv *hv, uint32_t id);

/* Replaces the VM's image at the next packet boundary: a packet in flight (preempted) finishes on
 * the old image, every packet not yet started runs on the new one; none is lost or run twice.
 * keep_state: the state memory, tables and random state carry over when the layouts are equal
 * (same state size and table declarations), else the new image starts from its initial state.
 * *kept (may be NULL) says which happened once the swap is done (it is written at once when no
 * packet is in flight). mem: sl_hv_image_footprint(img) bytes. 0 or -SL_E*. A second replace
 * while one is pending: -SL_ESTATE. */
int sl_hv_vm_replace(SlHv *hv, uint32_t id, void *mem, size_t size, const SlImage *img,
                     int keep_state, char *err, size_t errcap);
/* 1 while a replace waits for the packet in flight, else 0. */
int sl_hv_vm_pending(const SlHv *hv, uint32_t id);
/* 1 when the last completed replace kept the state, 0 when it reset it. */
int sl_hv_vm_kept_state(const SlHv *hv, uint32_t id);

/* Another engine for a VM's code than the interpreter: AOT native code (aot/native.h gives
 * sl_native_hv_engine). run and resume keep sl_vm_run's and sl_vm_resume's contract (vm.h) for
 * the VM's current image; code is the engine's handle for that image's translation (for AOT, an
 * SlNative, whose hash the engine checks on every run: a mismatch releases the packet with fate
 * SL_HV_ERROR). A packet preempted on one engine resumes on the same one. */
typedef struct SlHvEngine {
    int (*run)(SlVm *vm, const void *code, uint32_t handler, SlPacket *pkt, const SlEnv *env, uint64_t fuel,
               SlResult *res);
    int (*resume)(SlVm *vm, const void *code, SlPacket *pkt, const SlEnv *env, uint64_t fuel, SlResult *res);
} SlHvEngine;
/* Runs VM id's packets on engine (with code), or on the interpreter when engine is NULL, from
 * its next packet on. Only at a packet boundary (-SL_ESTATE while a packet is in flight). A
 * completed replace puts the VM on the engine given for the replacement with
 * sl_hv_vm_replace_engine (the interpreter if none): the old code was for the old image. The
 * engine and code must outlive their use. 0 or -SL_E*. */
int sl_hv_vm_set_engine(SlHv *hv, uint32_t id, const SlHvEngine *engine, const void *code);
/* The engine (and its code) the image of VM id's next sl_hv_vm_replace will run on; call it
 * before that replace. 0 or -SL_E*. */
int sl_hv_vm_replace_engine(SlHv *hv, uint32_t id, const SlHvEngine *engine, const void *code);

/* The VM itself (control plane: tables, state). Do not run it directly. NULL for a free id. */
SlVm *sl_hv_vm(SlHv *hv, uint32_t id);

/* Connection table, input side: what a frame arriving on a physical port must look like.
 *   vlan:      the first tag's VLAN id (0x8100 or 0x88a8), 0..4095; SL_HV_NO_VLAN: untagged only
 *   ethertype: the EtherType after all tags, 0..0xffff
 *   tunnel:    the frame's tunnel id, 0..0xffffff. A frame has one when, after the tags, it is
 *              - a Sluice tunnel frame: EtherType SL_HV_TUNNEL_ETHERTYPE (0x88b5) then a 4-byte
 *                header, the id in its first 3 bytes (big-endian), the 4th reserved; or
 *              - VXLAN: IPv4 (version 4, IHL >= 5, the whole header captured, not a later
 *                fragment), UDP, destination port SL_HV_VXLAN_PORT (4789), and an 8-byte VXLAN
 *                header with the I flag (0x08 in its first byte) set: the id is the VNI.
 *              Every byte is bounds-checked against the packet's length; a frame cut short has
 *              no tunnel id (and matches only entries with tunnel SL_HV_ANY).
 * SL_HV_ANY in a field matches anything. */
typedef struct SlHvMatch {
    uint32_t phys;
    uint32_t vlan;
    uint32_t ethertype;
    uint32_t tunnel;
} SlHvMatch;

/* Frames matching m go to VM vm's virtual port vport. The most specific entry wins: an entry
 * with a tunnel id ranks above one with a VLAN id, which ranks above one with an EtherType
 * (rank = 4*tunnel + 2*VLAN + 1*EtherType given); equal ranks cannot both match but for the
 * same key, and an exact duplicate replaces the old entry. 0, -SL_EARG, -SL_EFULL. */
int sl_hv_map_in_match(SlHv *hv, const SlHvMatch *m, uint32_t vm, uint32_t vport);
int sl_hv_unmap_in_match(SlHv *hv, const SlHvMatch *m);
/* The same with tunnel SL_HV_ANY. */
int sl_hv_map_in(SlHv *hv, uint32_t phys, uint32_t vlan, uint32_t ethertype, uint32_t vm,
                 uint32_t vport);
int sl_hv_unmap_in(SlHv *hv, uint32_t phys, uint32_t vlan, uint32_t ethertype);
/* Output side: VM vm's virtual port vport sends on phys (SL_HV_NO_PORT removes it). 0 or -SL_E*. */
int sl_hv_map_out(SlHv *hv, uint32_t vm, uint32_t vport, uint32_t phys);
/* What classification sees in a frame: its VLAN id (SL_HV_NO_VLAN), EtherType (SL_HV_ANY when
 * cut short) and tunnel id (SL_HV_ANY when none). For tests and tools; the rules are above. */
void sl_hv_classify(const uint8_t *frame, uint32_t len, uint32_t *vlan, uint32_t *ethertype,
                    uint32_t *tunnel);

/* Classifies and queues a packet that arrived on phys. 1 taken, 0 refused (already released,
 * see above), -SL_EARG for a bad port or NULL packet (not taken, not released). */
int sl_hv_input(SlHv *hv, uint32_t phys, SlPacket *pkt);
/* Queues an event for VM id: handler index (e.g. from sl_image_find_handler for init or a timer)
 * on pkt, usually an empty packet with in_port SL_HV_NO_PORT; same contract as sl_hv_input. */
int sl_hv_vm_post(SlHv *hv, uint32_t id, uint32_t handler, SlPacket *pkt);

/* One scheduler turn: the next VM with work runs until its deficit is spent, its queue is empty
 * or it is preempted. 1 if a VM ran, 0 if there was no work. */
int sl_hv_step(SlHv *hv);
/* Turns until no work is left or at least budget instructions ran (0 = until idle). Returns the
 * instructions executed. */
uint64_t sl_hv_run(SlHv *hv, uint64_t budget);
/* 1 when some VM has queued or preempted work. */
int sl_hv_busy(const SlHv *hv);

int sl_hv_vm_stats(const SlHv *hv, uint32_t id, SlHvVmStats *out);
int sl_hv_port_stats(const SlHv *hv, uint32_t phys, SlHvPortStats *out);
void sl_hv_stats(const SlHv *hv, SlHvStats *out);

#endif
