/* Running a setup (setup.h): one hypervisor, the VMs and maps of the file, the captures of its
 * physical ports.
 *
 * Determinism (the deterministic single-thread mode of vm/hv.h): input frames are merged by
 * timestamp (ties: lower physical port first) and lent to the hypervisor in that order; after
 * every `batch` frames, and at the end, the scheduler runs until no work is left. Each VM's queue
 * thus only ever holds frames of the current batch, so what a VM does depends on its own inputs
 * alone, never on its neighbours (the isolation test checks it byte for byte). Init runs at the
 * first frame's time, timers before the first frame past their due time, as in single-image
 * mode (emu/README.md); a replace happens before the at_packet-th frame is read. Outputs are
 * written when the VM sends, stamped with the time of the run that sent them. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm.h"
#include "file.h"
#include "aot.h"
#include "image_hash.h"
#include "native.h"
#include "ports.h"
#include "setup.h"

enum { ERRCAP = 8192, BUF_ROOM = SL_PKT_HEADROOM + SL_PKT_MAX };

typedef struct Buf {
    SlPacket pkt; /* first: release() gives the SlPacket back */
    struct Buf *next_free;
} Buf;

typedef struct Timer {
    uint32_t vm, handler;
    uint64_t period_ns, due;
    int off;
} Timer;

typedef struct Loaded {
    uint8_t *bytes;   /* image bytes, alive as long as the VM */
    SlImage img;
    void *mem;
    SlAotJit *jit;    /* --engine aot: the image's native code */
} Loaded;

typedef struct Run {
    SlSetup *s;
    const SlPortIo *io;
    SlHv *hv;
    void *hv_mem;
    Loaded *vm, *repl;   /* per VM: its image and memory; its replacement's */
    uint32_t *id;        /* per VM: hypervisor id */
    SlPortFile **src, **sink;
    const char **src_path, **sink_path;
    SlPortFrame *next;
    int *live;
    uint64_t *unbound;   /* per port: sends with no output file */
    Timer *timers;
    uint32_t ntimers;
    Buf **all;
    uint32_t nall;
    Buf *free_list;
    uint64_t frames;
    int failed;
    int aot;
} Run;

static Buf *buf_get(Run *r, uint32_t len)
{
    Buf *b = r->free_list;
    if (b && b->pkt.cap >= (uint64_t)SL_PKT_HEADROOM + (len > SL_PKT_MAX ? len : SL_PKT_MAX)) {
        r->free_list = b->next_free;
    } else {
        uint64_t cap = (uint64_t)SL_PKT_HEADROOM + (len > SL_PKT_MAX ? len : SL_PKT_MAX);
        Buf **all = realloc(r->all, (r->nall + 1) * sizeof *all);
        if (!all)
            return NULL;
        r->all = all;
        b = calloc(1, sizeof *b);
        uint8_t *mem = b ? malloc(cap) : NULL;
        if (!mem) {
            free(b);
            return NULL;
        }
        b->pkt.buf = mem;
        b->pkt.cap = (uint32_t)cap;
        r->all[r->nall++] = b;
    }
    b->pkt.head = SL_PKT_HEADROOM;
    b->pkt.len = len;
    return b;
}

static void on_release(void *user, SlPacket *pkt, SlHvFate fate, uint32_t vm)
{
    (void)fate;
    (void)vm;
    Run *r = user;
    Buf *b = (Buf *)(void *)pkt; /* pkt is the first member of a Buf */
    b->next_free = r->free_list;
    r->free_list = b;
}

static void on_output(void *user, uint32_t phys, const uint8_t *data, uint32_t len, uint64_t t)
{
    Run *r = user;
    char err[512];
    if (!r->sink[phys]) {
        r->unbound[phys]++;
        return;
    }
    if (r->failed)
        return;
    if (r->io->write(r->sink[phys], t, data, len, err, sizeof err) < 0) {
        fprintf(stderr, "slemu: %s: %s\n", r->sink_path[phys], err);
        r->failed = 1;
    }
}

/* Reads (assembling an .sla), parses and hash-checks an image. */
static int load_image(const SlSetup *s, const char *path, SlSetupLoc at, Loaded *l)
{
    static char err[ERRCAP];
    size_t size;
    uint8_t *bytes = (uint8_t *)sl_file_read(path, &size);
    if (!bytes) {
        fprintf(stderr, "%s:%u:%u: error: %s: %s\n", s->path, at.line, at.col, path, strerror(errno));
        return -1;
    }
    size_t n = strlen(path);
    if (n > 4 && !strcmp(path + n - 4, ".sla")) {
        uint8_t *img;
        size_t len;
        int rc = sl_asm_assemble((const char *)bytes, size, path, 0, &img, &len, err, sizeof err);
        free(bytes);
        if (rc < 0) {
            fprintf(stderr, "%s\n", err);
            return -1;
        }
        bytes = img;
        size = len;
    }
    l->bytes = bytes;
    if (sl_image_parse(bytes, size, &l->img, err, sizeof err) < 0) {
        fprintf(stderr, "%s:%u:%u: error: %s: %s\n", s->path, at.line, at.col, path, err);
        return -1;
    }
    if (sl_image_hash_check(&l->img) < 0) {
        fprintf(stderr, "%s:%u:%u: error: %s: %s\n", s->path, at.line, at.col, path, sl_error_text(SL_EHASH));
        return -1;
    }
    return 0;
}

/* --engine aot: translates l's image (l->jit). */
static int jit_image(const SlSetup *s, const SlSetupVm *v, SlSetupLoc at, Loaded *l)
{
    static char err[ERRCAP];
    if (sl_aot_jit_create(&l->img, 2, &l->jit, err, sizeof err) < 0) {
        fprintf(stderr, "%s:%u:%u: error: VM '%s': native code: %s\n", s->path, at.line, at.col, v->name, err);
        return -1;
    }
    return 0;
}

/* A virtual port of an image: a number below its port count or a declared name. */
static int vport_of(const SlSetup *s, const SlSetupVm *v, const SlImage *img, const char *text, SlSetupLoc at,
                    uint32_t *out)
{
    char *end;
    unsigned long n = strtoul(text, &end, 10);
    if (text[0] >= '0' && text[0] <= '9' && !*end && n < img->port_count) {
        *out = (uint32_t)n;
        return 0;
    }
    for (uint32_t i = 0; i < img->port_count; i++) {
        uint32_t len;
        const char *name = sl_image_port_name(img, i, &len);
        if (strlen(text) == len && !memcmp(name, text, len)) {
            *out = i;
            return 0;
        }
    }
    fprintf(stderr, "%s:%u:%u: error: VM '%s': %s has no port '%s' (it declares %u)\n", s->path, at.line, at.col,
            v->name, v->image, text, img->port_count);
    return -1;
}

static int build(Run *r)
{
    static char err[ERRCAP];
    SlSetup *s = r->s;
    uint32_t maps = 0;
    for (uint32_t i = 0; i < s->nvms; i++)
        maps += s->vms[i].nin;
    SlHvConfig cfg = {.phys_ports = s->nports, .max_vms = s->nvms, .max_maps = maps, .quantum = s->quantum,
                      .seed = s->seed, .ops = {.user = r, .output = on_output, .release = on_release}};
    size_t need = sl_hv_footprint(&cfg);
    r->hv_mem = need ? aligned_alloc(64, (need + 63) & ~(size_t)63) : NULL;
    if (!r->hv_mem || sl_hv_create(r->hv_mem, need, &cfg, &r->hv, err, sizeof err) < 0) {
        fprintf(stderr, "%s: error: %s\n", s->path, r->hv_mem ? err : "out of memory");
        return -1;
    }
    for (uint32_t i = 0; i < s->nvms; i++) {
        SlSetupVm *v = &s->vms[i];
        Loaded *l = &r->vm[i];
        if (load_image(s, v->image_path, v->image_loc, l) < 0)
            return -1;
        size_t vneed = sl_hv_vm_footprint(&l->img, &v->quotas);
        if (!vneed) {
            fprintf(stderr, "%s:%u:%u: error: VM '%s': quotas invalid for %s (vports %u at least)\n", s->path,
                    v->loc.line, v->loc.col, v->name, v->image, l->img.port_count);
            return -1;
        }
        l->mem = aligned_alloc(64, (vneed + 63) & ~(size_t)63);
        if (!l->mem || sl_hv_vm_add(r->hv, l->mem, vneed, &l->img, &v->quotas, &r->id[i], err, sizeof err) < 0) {
            fprintf(stderr, "%s:%u:%u: error: VM '%s': %s: %s\n", s->path, v->image_loc.line, v->image_loc.col,
                    v->name, v->image, l->mem ? err : "out of memory");
            return -1;
        }
        if (r->aot && (jit_image(s, v, v->image_loc, l) < 0 ||
                       sl_hv_vm_set_engine(r->hv, r->id[i], &sl_native_hv_engine, sl_aot_jit_native(l->jit)) < 0))
            return -1;
        for (uint32_t j = 0; j < v->nin; j++) {
            uint32_t vp;
            if (vport_of(s, v, &l->img, v->in[j].vport, v->in[j].loc, &vp) < 0)
                return -1;
            if (sl_hv_map_in_match(r->hv, &v->in[j].match, r->id[i], vp) < 0) {
                fprintf(stderr, "%s:%u:%u: error: VM '%s': bad input map\n", s->path, v->in[j].loc.line,
                        v->in[j].loc.col, v->name);
                return -1;
            }
        }
        for (uint32_t j = 0; j < v->nout; j++) {
            uint32_t vp;
            if (vport_of(s, v, &l->img, v->out[j].vport, v->out[j].loc, &vp) < 0)
                return -1;
            sl_hv_map_out(r->hv, r->id[i], vp, v->out[j].phys);
        }
        int h;
        for (uint32_t n = 0; (h = sl_image_find_handler(&l->img, SL_HANDLER_TIMER, n)) >= 0; n++) {
            Timer *t = realloc(r->timers, (r->ntimers + 1) * sizeof *t);
            if (!t)
                return -1;
            r->timers = t;
            t[r->ntimers++] = (Timer){.vm = i, .handler = (uint32_t)h,
                                      .period_ns = (uint64_t)sl_image_handler(&l->img, (uint32_t)h).period_ms * 1000000u};
        }
        if (v->replace_path) {
            /* checked now, so a bad replacement stops the run before it starts */
            if (load_image(s, v->replace_path, v->replace_loc, &r->repl[i]) < 0)
                return -1;
            if (r->aot && jit_image(s, v, v->replace_loc, &r->repl[i]) < 0)
                return -1;
        }
    }
    return 0;
}

static int open_files(Run *r, const SlSetupOptions *o)
{
    char err[512];
    SlSetup *s = r->s;
    for (uint32_t p = 0; p < s->nports; p++) {
        r->src_path[p] = s->ports[p].in;
        r->sink_path[p] = s->ports[p].out;
    }
    for (uint32_t i = 0; i < o->nin; i++)
        r->src_path[o->in_port[i]] = o->in_path[i];
    for (uint32_t i = 0; i < o->nout; i++)
        r->sink_path[o->out_port[i]] = o->out_path[i];
    int any = 0;
    for (uint32_t p = 0; p < s->nports; p++) {
        if (!r->src_path[p])
            continue;
        any = 1;
        if (r->io->open(r->src_path[p], SL_PORT_READ, &r->src[p], err, sizeof err) < 0) {
            fprintf(stderr, "slemu: %s\n", err);
            return -1;
        }
    }
    if (!any) {
        fprintf(stderr, "slemu: %s: no input capture (ports: {port: N, in: FILE} or -i N=FILE)\n", s->path);
        return -1;
    }
    for (uint32_t p = 0; p < s->nports; p++)
        if (r->sink_path[p] && r->io->open(r->sink_path[p], SL_PORT_WRITE, &r->sink[p], err, sizeof err) < 0) {
            fprintf(stderr, "slemu: %s\n", err);
            return -1;
        }
    for (uint32_t p = 0; p < s->nports; p++) {
        if (!r->src[p])
            continue;
        int rc = r->io->read(r->src[p], &r->next[p], err, sizeof err);
        if (rc < 0) {
            fprintf(stderr, "slemu: %s: %s\n", r->src_path[p], err);
            return -1;
        }
        r->live[p] = rc;
    }
    return 0;
}

static int close_files(Run *r)
{
    char err[512];
    int rc = 0;
    for (uint32_t p = 0; p < r->s->nports; p++) {
        if (r->src[p])
            r->io->close(r->src[p], err, sizeof err);
        if (r->sink[p] && r->io->close(r->sink[p], err, sizeof err) < 0) {
            fprintf(stderr, "slemu: %s: %s\n", r->sink_path[p], err);
            rc = -1;
        }
    }
    return rc;
}

/* Queues an init or timer run for VM i at time t: an empty packet it may build and send. */
static int post_event(Run *r, uint32_t i, uint32_t handler, uint64_t t)
{
    Buf *b = buf_get(r, 0);
    if (!b)
        return -1;
    b->pkt.in_port = SL_HV_NO_PORT;
    b->pkt.tstamp_ns = t;
    sl_hv_vm_post(r->hv, r->id[i], handler, &b->pkt);
    return 0;
}

static int post_timers(Run *r, uint64_t now)
{
    for (;;) {
        Timer *next = NULL;
        for (uint32_t i = 0; i < r->ntimers; i++) {
            Timer *t = &r->timers[i];
            if (!t->off && t->due <= now && (!next || t->due < next->due))
                next = t;
        }
        if (!next)
            return 0;
        uint64_t behind = (now - next->due) / next->period_ns;
        if (behind > 1000)
            next->due += behind * next->period_ns;
        if (post_event(r, next->vm, next->handler, next->due) < 0)
            return -1;
        if (next->due > UINT64_MAX - next->period_ns)
            next->off = 1;
        else
            next->due += next->period_ns;
    }
}

static void replace(Run *r, uint32_t i)
{
    static char err[ERRCAP];
    SlSetupVm *v = &r->s->vms[i];
    Loaded *l = &r->repl[i];
    size_t need = sl_hv_image_footprint(&l->img);
    l->mem = need ? aligned_alloc(64, (need + 63) & ~(size_t)63) : NULL;
    if (l->jit)
        sl_hv_vm_replace_engine(r->hv, r->id[i], &sl_native_hv_engine, sl_aot_jit_native(l->jit));
    if (!l->mem || sl_hv_vm_replace(r->hv, r->id[i], l->mem, need, &l->img, v->replace_keep, err, sizeof err) < 0) {
        fprintf(stderr, "%s:%u:%u: error: VM '%s': replace by %s: %s\n", r->s->path, v->replace_loc.line,
                v->replace_loc.col, v->name, v->replace_image, l->mem ? err : "out of memory");
        r->failed = 1;
    }
}

static int run_all(Run *r)
{
    char err[512];
    SlSetup *s = r->s;
    int started = 0;
    uint32_t in_batch = 0;
    for (;;) {
        int best = -1;
        for (uint32_t p = 0; p < s->nports; p++)
            if (r->live[p] && (best < 0 || r->next[p].tstamp_ns < r->next[best].tstamp_ns))
                best = (int)p;
        if (best < 0 || r->failed)
            break;
        SlPortFrame *f = &r->next[best];
        uint64_t t = f->tstamp_ns;
        if (!started) {
            started = 1;
            for (uint32_t i = 0; i < r->ntimers; i++) {
                Timer *tm = &r->timers[i];
                tm->off = t > UINT64_MAX - tm->period_ns;
                tm->due = tm->off ? 0 : t + tm->period_ns;
            }
            for (uint32_t i = 0; i < s->nvms; i++) {
                int h = sl_image_find_handler(&r->vm[i].img, SL_HANDLER_INIT, 0);
                if (h >= 0 && post_event(r, i, (uint32_t)h, t) < 0)
                    goto oom;
            }
        }
        if (post_timers(r, t) < 0)
            goto oom;
        r->frames++;
        for (uint32_t i = 0; i < s->nvms; i++)
            if (s->vms[i].replace_at == r->frames)
                replace(r, i);
        Buf *b = buf_get(r, f->caplen);
        if (!b)
            goto oom;
        memcpy(b->pkt.buf + b->pkt.head, f->data, f->caplen);
        b->pkt.tstamp_ns = t;
        b->pkt.in_port = (uint32_t)best;
        sl_hv_input(r->hv, (uint32_t)best, &b->pkt);
        if (++in_batch == s->batch) {
            sl_hv_run(r->hv, 0);
            in_batch = 0;
        }
        int rc = r->io->read(r->src[best], f, err, sizeof err);
        if (rc < 0) {
            sl_hv_run(r->hv, 0);
            fprintf(stderr, "slemu: %s: %s (stopped after %" PRIu64 " packets)\n", r->src_path[best], err, r->frames);
            return -1;
        }
        r->live[best] = rc;
    }
    sl_hv_run(r->hv, 0);
    return r->failed ? -1 : 0;
oom:
    fprintf(stderr, "slemu: out of memory\n");
    return -1;
}

static const char *state_name(SlHvVmState st)
{
    return st == SL_HV_VM_RUNNING ? "running" : st == SL_HV_VM_STOPPED ? "stopped" : "free";
}

static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            printf("\\%c", ch);
        else if (ch < 0x20 || ch >= 0x7f)
            printf("\\u%04x", ch);
        else
            putchar(ch);
    }
    putchar('"');
}

static void print_summary(const Run *r)
{
    const SlSetup *s = r->s;
    SlHvStats hs;
    sl_hv_stats(r->hv, &hs);
    fprintf(stderr, "slemu: %s: %" PRIu64 " packets in, %u VMs, %" PRIu64 " switches (%" PRIu64 " after a preemption)\n",
            s->path, r->frames, s->nvms, hs.switches, hs.preemptions);
    fprintf(stderr, "  %-10s %-8s %8s %8s %8s %8s %8s %8s %12s %8s\n", "vm", "state", "in", "sent", "dropped",
            "punted", "other", "faults", "instructions", "preempt");
    for (uint32_t i = 0; i < s->nvms; i++) {
        SlHvVmStats st;
        sl_hv_vm_stats(r->hv, r->id[i], &st);
        fprintf(stderr, "  %-10s %-8s %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64
                " %12" PRIu64 " %8" PRIu64 "\n", s->vms[i].name, state_name(sl_hv_vm_state(r->hv, r->id[i])),
                st.in, st.sent, st.dropped, st.punted, st.unrouted + st.queue_drops + st.stop_drops + st.errors,
                st.faults, st.insns, st.preemptions);
        if (st.faults) {
            fprintf(stderr, "  %-10s faults:", "");
            for (unsigned f = 1; f < SL_FAULT_COUNT; f++)
                if (st.fault[f])
                    fprintf(stderr, " %s %" PRIu64, sl_fault_name(f), st.fault[f]);
            fputc('\n', stderr);
        }
    }
    fprintf(stderr, "  %-5s %8s %8s %8s %8s %8s  %s\n", "port", "in", "out", "nomatch", "qdrops", "unbound", "input -> output");
    for (uint32_t p = 0; p < s->nports; p++) {
        SlHvPortStats ps;
        sl_hv_port_stats(r->hv, p, &ps);
        fprintf(stderr, "  %-5u %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64 "  %s -> %s\n", p, ps.in,
                ps.out, ps.no_match, ps.queue_drops, r->unbound[p], r->src_path[p] ? r->src_path[p] : "-",
                r->sink_path[p] ? r->sink_path[p] : "-");
    }
}

static void print_json(const Run *r, int ok)
{
    const SlSetup *s = r->s;
    SlHvStats hs;
    sl_hv_stats(r->hv, &hs);
    printf("{\"setup\":");
    json_str(s->path);
    printf(",\"ok\":%s,\"packets_in\":%" PRIu64 ",\"switches\":%" PRIu64 ",\"preempt_switches\":%" PRIu64
           ",\"instructions\":%" PRIu64 ",\"vms\":[", ok ? "true" : "false", r->frames, hs.switches, hs.preemptions,
           hs.insns);
    for (uint32_t i = 0; i < s->nvms; i++) {
        SlHvVmStats st;
        sl_hv_vm_stats(r->hv, r->id[i], &st);
        printf("%s{\"name\":", i ? "," : "");
        json_str(s->vms[i].name);
        printf(",\"image\":");
        json_str(s->vms[i].image);
        printf(",\"state\":\"%s\",\"in\":%" PRIu64 ",\"sent\":%" PRIu64 ",\"dropped\":%" PRIu64 ",\"punted\":%" PRIu64
               ",\"unrouted\":%" PRIu64 ",\"queue_drops\":%" PRIu64 ",\"stop_drops\":%" PRIu64 ",\"errors\":%" PRIu64
               ",\"clones\":%" PRIu64 ",\"faults_total\":%" PRIu64 ",\"faults\":{",
               state_name(sl_hv_vm_state(r->hv, r->id[i])), st.in, st.sent, st.dropped, st.punted, st.unrouted,
               st.queue_drops, st.stop_drops, st.errors, st.clones, st.faults);
        for (unsigned f = 1; f < SL_FAULT_COUNT; f++)
            printf("%s\"%s\":%" PRIu64, f > 1 ? "," : "", sl_fault_name(f), st.fault[f]);
        printf("},\"instructions\":%" PRIu64 ",\"runs\":%" PRIu64 ",\"switches\":%" PRIu64 ",\"preemptions\":%" PRIu64
               ",\"penalties\":%" PRIu64 ",\"replaces\":%" PRIu64 ",\"kept_state\":%s}",
               st.insns, st.runs, st.switches, st.preemptions, st.penalties, st.replaces,
               sl_hv_vm_kept_state(r->hv, r->id[i]) ? "true" : "false");
    }
    printf("],\"ports\":[");
    for (uint32_t p = 0; p < s->nports; p++) {
        SlHvPortStats ps;
        sl_hv_port_stats(r->hv, p, &ps);
        printf("%s{\"port\":%u,\"in\":%" PRIu64 ",\"in_bytes\":%" PRIu64 ",\"out\":%" PRIu64 ",\"out_bytes\":%" PRIu64
               ",\"no_match\":%" PRIu64 ",\"queue_drops\":%" PRIu64 ",\"unbound\":%" PRIu64 ",\"input\":",
               p ? "," : "", p, ps.in, ps.in_bytes, ps.out, ps.out_bytes, ps.no_match, ps.queue_drops, r->unbound[p]);
        if (r->src_path[p])
            json_str(r->src_path[p]);
        else
            printf("null");
        printf(",\"output\":");
        if (r->sink_path[p])
            json_str(r->sink_path[p]);
        else
            printf("null");
        putchar('}');
    }
    printf("]}\n");
}

int sl_setup_run(SlSetup *s, const SlSetupOptions *o)
{
    Run r = {.s = s, .io = &sl_portio_pcap, .aot = o->aot};
    uint32_t n = s->nports;
    r.vm = calloc(s->nvms, sizeof *r.vm);
    r.repl = calloc(s->nvms, sizeof *r.repl);
    r.id = calloc(s->nvms, sizeof *r.id);
    r.src = calloc(n, sizeof *r.src);
    r.sink = calloc(n, sizeof *r.sink);
    r.src_path = calloc(n, sizeof *r.src_path);
    r.sink_path = calloc(n, sizeof *r.sink_path);
    r.next = calloc(n, sizeof *r.next);
    r.live = calloc(n, sizeof *r.live);
    r.unbound = calloc(n, sizeof *r.unbound);
    int ok = 0, opened = 0;
    if (!r.vm || !r.repl || !r.id || !r.src || !r.sink || !r.src_path || !r.sink_path || !r.next || !r.live ||
        !r.unbound) {
        fprintf(stderr, "slemu: out of memory\n");
    } else if (build(&r) == 0) {
        opened = open_files(&r, o) == 0;
        ok = opened && run_all(&r) == 0;
        ok &= close_files(&r) == 0;
        if (opened && !o->quiet)
            print_summary(&r);
        if (opened && o->json)
            print_json(&r, ok);
    }
    for (uint32_t i = 0; i < s->nvms && r.vm; i++) {
        if (r.vm[i].jit)
            sl_aot_jit_destroy(r.vm[i].jit);
        if (r.repl[i].jit)
            sl_aot_jit_destroy(r.repl[i].jit);
        free(r.vm[i].bytes);
        free(r.vm[i].mem);
        free(r.repl[i].bytes);
        free(r.repl[i].mem);
    }
    for (uint32_t i = 0; i < r.nall; i++) {
        free(r.all[i]->pkt.buf);
        free(r.all[i]);
    }
    free(r.all);
    free(r.timers);
    free(r.hv_mem);
    free(r.vm);
    free(r.repl);
    free(r.id);
    free(r.src);
    free(r.sink);
    free(r.src_path);
    free(r.sink_path);
    free(r.next);
    free(r.live);
    free(r.unbound);
    return ok ? 0 : 1;
}
