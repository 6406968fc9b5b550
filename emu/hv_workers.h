/* Worker threads for the hypervisor: N threads, each one hypervisor (SlHv) over its own VMs,
 * fed by its own packet source (an RSS queue, a NIC ring, a slice of a capture).
 *
 * The core (vm/hv.h) is single-threaded and deterministic; scaling out is by replication, not
 * by locks: worker w owns hypervisor w, its VMs, their state and its packets, and nothing is
 * shared between workers while they run. Flows are spread with sl_hvw_steer() (a symmetric hash
 * of the 5-tuple), so that every packet of a flow, both ways, meets the same VM replica and its
 * state. With one worker (or by calling sl_hv_run() directly) the run is the deterministic
 * single-thread mode that tests and slemu's file mode use; with N each worker is deterministic
 * on its own inputs.
 *
 * Ownership: sl_hvw_create() allocates each worker's hypervisor (cfg->hv); the caller adds VMs
 * and maps through sl_hvw_hv() before sl_hvw_run() and owns the VM memory and images. Callbacks
 * (hv ops and poll) run on the worker's thread with that worker's user pointer.
 * Status: 0 or -SL_E* with text in a caller buffer; nothing is printed. Hosted (pthreads). */
#ifndef SLUICE_EMU_HV_WORKERS_H
#define SLUICE_EMU_HV_WORKERS_H

#include <stddef.h>
#include <stdint.h>

#include "hv.h"

enum { SL_HVW_MAX_WORKERS = 64 };

typedef struct SlHvWorkers SlHvWorkers;

typedef struct SlHvWorkersConfig {
    uint32_t workers;     /* threads, 1..SL_HVW_MAX_WORKERS */
    SlHvConfig hv;        /* each worker's hypervisor; ops.user is users[w] when users is set */
    void **users;         /* per-worker user pointers for hv.ops and poll (may be NULL) */
    /* The worker's source, called on its thread between scheduler calls: it lends packets to
     * hv (sl_hv_input) and returns how many, 0 when none is ready now, -1 when it is finished.
     * The worker stops once its source is finished and its hypervisor idle. */
    int (*poll)(void *user, uint32_t worker, SlHv *hv);
    uint64_t run_budget;  /* instructions per scheduler call between polls (0 = 1 << 16) */
    int pin;              /* nonzero: worker w runs only on the w-th CPU this process may use
                           * (modulo their count); 0 leaves placement to the kernel */
} SlHvWorkersConfig;

int sl_hvw_create(const SlHvWorkersConfig *cfg, SlHvWorkers **out, char *err, size_t errcap);
/* Worker w's hypervisor, to add VMs and maps before sl_hvw_run (or read counters after). */
SlHv *sl_hvw_hv(SlHvWorkers *w, uint32_t worker);
uint32_t sl_hvw_count(const SlHvWorkers *w);
/* Starts one thread per worker and waits for all to finish. 0 or -SL_EIO (thread creation). */
int sl_hvw_run(SlHvWorkers *w, char *err, size_t errcap);
void sl_hvw_destroy(SlHvWorkers *w);

/* The worker (0..n-1) for a frame: a symmetric hash of IPv4/IPv6 addresses and TCP/UDP/SCTP
 * ports (after up to two VLAN tags), else of the two MAC addresses; every read bounds-checked.
 * Both directions of a flow hash alike. */
uint32_t sl_hvw_steer(const uint8_t *frame, uint32_t len, uint32_t n);

#endif
