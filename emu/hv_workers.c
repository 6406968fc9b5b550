/* Worker threads, one hypervisor each (hv_workers.h). A worker's loop: poll its source, run
 * its scheduler for a bounded number of instructions, repeat until the source is finished and
 * nothing is queued. No locks: workers share nothing while they run. */
#define _GNU_SOURCE /* pthread_attr_setaffinity_np, CPU_* */
#include "hv_workers.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Worker {
    SlHvWorkers *pool;
    uint32_t index;
    void *user;
    SlHv *hv;
    void *mem;
    pthread_t thread;
} Worker;

struct SlHvWorkers {
    SlHvWorkersConfig cfg;
    Worker w[SL_HVW_MAX_WORKERS];
};

int sl_hvw_create(const SlHvWorkersConfig *cfg, SlHvWorkers **out, char *err, size_t errcap)
{
    *out = NULL;
    if (!cfg->workers || cfg->workers > SL_HVW_MAX_WORKERS || !cfg->poll) {
        snprintf(err, errcap, "workers: 1..%d threads and a poll function needed", SL_HVW_MAX_WORKERS);
        return -SL_EARG;
    }
    size_t need = sl_hv_footprint(&cfg->hv);
    if (!need) {
        snprintf(err, errcap, "workers: hypervisor config invalid");
        return -SL_EARG;
    }
    SlHvWorkers *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errcap, "workers: out of memory");
        return -SL_ENOMEM;
    }
    p->cfg = *cfg;
    if (!p->cfg.run_budget)
        p->cfg.run_budget = 1u << 16;
    for (uint32_t i = 0; i < cfg->workers; i++) {
        Worker *w = &p->w[i];
        SlHvConfig hc = cfg->hv;
        w->pool = p;
        w->index = i;
        w->user = cfg->users ? cfg->users[i] : cfg->hv.ops.user;
        hc.ops.user = w->user;
        w->mem = aligned_alloc(64, (need + 63) & ~(size_t)63); /* each worker's own lines */
        int rc = w->mem ? sl_hv_create(w->mem, need, &hc, &w->hv, err, errcap) : -SL_ENOMEM;
        if (rc < 0) {
            if (rc == -SL_ENOMEM)
                snprintf(err, errcap, "workers: out of memory");
            sl_hvw_destroy(p);
            return rc;
        }
    }
    *out = p;
    return 0;
}

SlHv *sl_hvw_hv(SlHvWorkers *p, uint32_t worker)
{
    return worker < p->cfg.workers ? p->w[worker].hv : NULL;
}

uint32_t sl_hvw_count(const SlHvWorkers *p) { return p->cfg.workers; }

static void *worker_main(void *arg)
{
    Worker *w = arg;
    const SlHvWorkersConfig *cfg = &w->pool->cfg;
    int done = 0;
    for (;;) {
        if (!done && cfg->poll(w->user, w->index, w->hv) < 0)
            done = 1;
        if (sl_hv_busy(w->hv))
            sl_hv_run(w->hv, cfg->run_budget);
        else if (done)
            break;
    }
    return NULL;
}

/* Sets attr to run on the k-th CPU of allowed (a worker per core, as data planes do: a worker
 * that migrates takes its cache with it, and two workers sharing a core halve each other). */
static void pin_attr(pthread_attr_t *attr, const cpu_set_t *allowed, int k)
{
    for (int c = 0; c < CPU_SETSIZE; c++) {
        if (CPU_ISSET(c, allowed) && k-- == 0) {
            cpu_set_t one;
            CPU_ZERO(&one);
            CPU_SET(c, &one);
            pthread_attr_setaffinity_np(attr, sizeof one, &one);
            return;
        }
    }
}

int sl_hvw_run(SlHvWorkers *p, char *err, size_t errcap)
{
    uint32_t started = 0;
    int rc = 0;
    cpu_set_t allowed;
    int ncpu = p->cfg.pin && !sched_getaffinity(0, sizeof allowed, &allowed) ? CPU_COUNT(&allowed) : 0;
    for (; started < p->cfg.workers; started++) {
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        if (ncpu > 0)
            pin_attr(&attr, &allowed, (int)(started % (uint32_t)ncpu));
        int e = pthread_create(&p->w[started].thread, &attr, worker_main, &p->w[started]);
        pthread_attr_destroy(&attr);
        if (e) {
            snprintf(err, errcap, "workers: cannot start thread %u: %s", started, strerror(e));
            rc = -SL_EIO;
            break;
        }
    }
    for (uint32_t i = 0; i < started; i++)
        pthread_join(p->w[i].thread, NULL);
    return rc;
}

void sl_hvw_destroy(SlHvWorkers *p)
{
    if (!p)
        return;
    for (uint32_t i = 0; i < SL_HVW_MAX_WORKERS; i++)
        free(p->w[i].mem);
    free(p);
}

static uint32_t be16(const uint8_t *b) { return (uint32_t)b[0] << 8 | b[1]; }

/* Order-independent mix of two byte strings of n bytes: the smaller first, so A->B and B->A
 * give the same value. */
static uint64_t mix_pair(uint64_t h, const uint8_t *a, const uint8_t *b, uint32_t n)
{
    if (memcmp(a, b, n) > 0) {
        const uint8_t *t = a;
        a = b;
        b = t;
    }
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ a[i]) * 0x100000001b3ull;
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

uint32_t sl_hvw_steer(const uint8_t *f, uint32_t len, uint32_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    if (n <= 1 || len < 14)
        return 0;
    uint32_t off = 12, et = be16(f + 12);
    for (int tags = 0; tags < 2 && (et == 0x8100 || et == 0x88a8) && len >= off + 6; tags++) {
        off += 4;
        et = be16(f + off);
    }
    off += 2;
    uint32_t l4 = 0, proto = 256;
    if (et == 0x0800 && len >= off + 20 && (f[off] >> 4) == 4 && (f[off] & 15) >= 5) {
        h = mix_pair(h, f + off + 12, f + off + 16, 4);
        proto = f[off + 9];
        if (!(be16(f + off + 6) & 0x1fff)) /* later fragments have no ports */
            l4 = off + (uint32_t)(f[off] & 15) * 4;
    } else if (et == 0x86dd && len >= off + 40) {
        h = mix_pair(h, f + off + 8, f + off + 24, 16);
        proto = f[off + 6];
        l4 = off + 40;
    } else {
        h = mix_pair(h, f, f + 6, 6);
    }
    if ((proto == 6 || proto == 17 || proto == 132) && l4 && len >= l4 + 4)
        h = mix_pair(h ^ proto, f + l4, f + l4 + 2, 2);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return (uint32_t)(h % n);
}
