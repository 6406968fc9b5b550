/* slrun: the device runner. Runs an image over a frame file with no operating system services
 * but five system calls (sys.h) and no C library: the core (vm/) gets its memory from a static
 * arena, frames are read from and written to flat files (frames.h), and the counters go to a
 * fixed-layout record (report.h), so that the outputs of two hosts compare byte for byte.
 *
 *   slrun [options] IMAGE.slb IN.slf OUT.slf
 *     -m hv|vm     through the hypervisor (default: one VM, physical port i = virtual port i)
 *                  or through one VM directly
 *     -e interp|aot the interpreter (default) or native code from slaot linked into this runner
 *                  (natives.h; found by the image's content hash; either mode)
 *     -c FILE      counters record          -l FILE   run log (vm mode)
 *     --state      put the state memory in the counters record
 *     --seed N     --budget N     --slice N     --now N (vm mode: what `now` returns)
 *     -q           no summary on stderr
 *
 * Time is the frames' time: init runs at the first frame's time, timers as in slemu (emu/README.md:
 * due one period after init, run before each frame that is at or after their due time, skipped
 * when more than 1000 periods behind). Every frame is run to its end (through every preemption)
 * before the next is read: the run is deterministic.
 *
 * The image is parsed and verified before anything runs. Its content hash is not recomputed here:
 * a device has no hashing library, and the content hash is the host tools' job (libsodium); AOT
 * code is matched to the image by the hash the image carries.
 *
 * Exit status: 0 done, 1 run-time failure (unreadable, corrupt or invalid image or frame file,
 * write error, arena too small), 2 bad arguments. Faults in the program are counted, not failures.
 * docs/device.md has the file formats and the build for each target. */
#include <stddef.h>
#include <stdint.h>

#include "frames.h"
#include "hv.h"
#include "image.h"
#include "mem.h"
#include "natives.h"
#include "report.h"
#include "sys.h"
#include "vm.h"
#ifdef SLRUN_AOT
#include "native.h"
#endif

/* All the memory the runner has: the input files, the hypervisor, the VM, the packet buffer and
 * the output buffers come out of it. .bss, so it costs nothing in the executable. */
#ifndef SLRUN_ARENA_SIZE
#define SLRUN_ARENA_SIZE (256u << 20)
#endif

enum {
    MAX_FRAME = 262144,    /* the largest input frame slrun runs (pcap's usual snapshot length) */
    WRITE_BUF = 64 << 10,  /* bytes buffered per output file */
    READ_CHUNK = 1 << 20,  /* bytes asked of read() at once */
    TIMER_CATCHUP = 1000,  /* periods a timer may fall behind before runs are skipped */
    ERRCAP = 512,
    EXIT_FAIL = 1,
    EXIT_USAGE = 2,
};

static uint8_t arena_bytes[SLRUN_ARENA_SIZE] __attribute__((aligned(64)));

/* ---- Output to the console ------------------------------------------------------------- */

static size_t str_len(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

static int str_eq(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

static void say(const char *s) { sys_write(2, s, str_len(s)); }

static _Noreturn void usage_error(const char *what, const char *arg)
{
    char m[ERRCAP];
    sl_fmt(m, sizeof m,
           "slrun: %s%s\nusage: slrun [-m hv|vm] [-e interp|aot] [-c COUNTERS] [-l RUNLOG] [--state]\n"
           "             [--seed N] [--budget N] [--slice N] [--now N] [-q] IMAGE IN.slf OUT.slf\n",
           what, arg);
    say(m);
    sys_exit(EXIT_USAGE);
}

/* ---- Memory ---------------------------------------------------------------------------- */

typedef struct Arena {
    uint8_t *base;
    size_t size, used;
} Arena;

/* n bytes aligned to 64 (a cache line: the hypervisor lays out its records by lines). */
static void *take(Arena *a, size_t n)
{
    size_t at = (a->used + 63) & ~(size_t)63;
    if (at > a->size || a->size - at < n)
        return NULL;
    a->used = at + n;
    return a->base + at;
}

/* ---- Files ----------------------------------------------------------------------------- */

/* Reads a whole file into the arena. 0, or -1 with a message printed. */
static int read_file(Arena *a, const char *path, const uint8_t **data, size_t *size)
{
    char m[ERRCAP];
    long fd = sys_open(path, 0);
    if (fd < 0) {
        sl_fmt(m, sizeof m, "slrun: %s: cannot open (errno %d)\n", path, (int)-fd);
        say(m);
        return -1;
    }
    size_t start = (a->used + 63) & ~(size_t)63, len = 0;
    for (;;) {
        if (start > a->size || a->size - start - len == 0) {
            sl_fmt(m, sizeof m, "slrun: %s: larger than the arena (%zu bytes)\n", path, a->size);
            say(m);
            sys_close((int)fd);
            return -1;
        }
        size_t room = a->size - start - len;
        long got = sys_read((int)fd, a->base + start + len, room < READ_CHUNK ? room : READ_CHUNK);
        if (got == -4) /* EINTR */
            continue;
        if (got < 0) {
            sl_fmt(m, sizeof m, "slrun: %s: read error (errno %d)\n", path, (int)-got);
            say(m);
            sys_close((int)fd);
            return -1;
        }
        if (got == 0)
            break;
        len += (size_t)got;
    }
    sys_close((int)fd);
    a->used = start + len;
    *data = a->base + start;
    *size = len;
    return 0;
}

/* A buffered output file. Errors are remembered and reported once, at flush. */
typedef struct Writer {
    const char *path;
    long fd; /* < 0: not open */
    uint8_t *buf;
    size_t len;
    long err; /* first failing write's -errno */
} Writer;

static int writer_open(Writer *w, Arena *a, const char *path)
{
    w->path = path;
    w->len = 0;
    w->err = 0;
    w->buf = take(a, WRITE_BUF);
    w->fd = w->buf ? sys_open(path, 1) : -12;
    if (w->fd < 0) {
        char m[ERRCAP];
        sl_fmt(m, sizeof m, "slrun: %s: cannot create (errno %d)\n", path, (int)-w->fd);
        say(m);
        return -1;
    }
    return 0;
}

static void writer_drain(Writer *w)
{
    size_t done = 0;
    while (done < w->len && !w->err) {
        long n = sys_write((int)w->fd, w->buf + done, w->len - done);
        if (n == -4)
            continue;
        if (n <= 0)
            w->err = n ? n : -5; /* EIO for a write that wrote nothing */
        else
            done += (size_t)n;
    }
    w->len = 0;
}

static void writer_put(Writer *w, const void *data, size_t n)
{
    const uint8_t *p = data;
    if (w->fd < 0)
        return;
    while (n) {
        size_t room = WRITE_BUF - w->len, k = n < room ? n : room;
        memcpy(w->buf + w->len, p, k);
        w->len += k;
        p += k;
        n -= k;
        if (w->len == WRITE_BUF)
            writer_drain(w);
    }
}

/* Flushes and closes. 0, or -1 with a message printed. */
static int writer_close(Writer *w)
{
    if (w->fd < 0)
        return 0;
    writer_drain(w);
    long rc = sys_close((int)w->fd);
    w->fd = -1;
    if (!w->err && rc < 0)
        w->err = rc;
    if (w->err) {
        char m[ERRCAP];
        sl_fmt(m, sizeof m, "slrun: %s: write error (errno %d)\n", w->path, (int)-w->err);
        say(m);
        return -1;
    }
    return 0;
}

/* ---- Arguments ------------------------------------------------------------------------- */

typedef struct Options {
    const char *image, *in, *out, *counters, *log;
    int vm_mode;
    int aot;
    int state;
    int quiet;
    int now_set;
    uint64_t seed, budget, slice, now;
} Options;

/* Decimal or 0x hexadecimal, the whole string, no overflow. */
static int parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0, base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s)
        return -1;
    for (; *s; s++) {
        uint64_t d;
        if (*s >= '0' && *s <= '9')
            d = (uint64_t)(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            d = (uint64_t)(*s - 'a' + 10);
        else if (base == 16 && *s >= 'A' && *s <= 'F')
            d = (uint64_t)(*s - 'A' + 10);
        else
            return -1;
        if (v > (UINT64_MAX - d) / base)
            return -1;
        v = v * base + d;
    }
    *out = v;
    return 0;
}

static void parse_args(int argc, char **argv, Options *o)
{
    const char *pos[3];
    int npos = 0;
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t *num = NULL;
        if (str_eq(a, "-m")) {
            if (!val || (!str_eq(val, "hv") && !str_eq(val, "vm")))
                usage_error("-m takes hv or vm", "");
            o->vm_mode = str_eq(val, "vm");
            i++;
        } else if (str_eq(a, "-e")) {
            if (!val || (!str_eq(val, "interp") && !str_eq(val, "aot")))
                usage_error("-e takes interp or aot", "");
            o->aot = str_eq(val, "aot");
            i++;
        } else if (str_eq(a, "-c") || str_eq(a, "-l")) {
            if (!val)
                usage_error("missing file after ", a);
            *(a[1] == 'c' ? &o->counters : &o->log) = val;
            i++;
        } else if (str_eq(a, "--state")) {
            o->state = 1;
        } else if (str_eq(a, "-q")) {
            o->quiet = 1;
        } else if (str_eq(a, "--seed")) {
            num = &o->seed;
        } else if (str_eq(a, "--budget")) {
            num = &o->budget;
        } else if (str_eq(a, "--slice")) {
            num = &o->slice;
        } else if (str_eq(a, "--now")) {
            num = &o->now;
            o->now_set = 1;
        } else if (a[0] == '-' && a[1]) {
            usage_error("unknown option ", a);
        } else if (npos < 3) {
            pos[npos++] = a;
        } else {
            usage_error("too many arguments at ", a);
        }
        if (num) {
            if (!val || parse_u64(val, num) < 0)
                usage_error("expected a number after ", a);
            i++;
        }
    }
    if (npos != 3)
        usage_error("expected IMAGE IN.slf OUT.slf", "");
    if (o->log && !o->vm_mode)
        usage_error("-l needs -m vm", "");
    if (o->now_set && !o->vm_mode)
        usage_error("--now needs -m vm (through the hypervisor `now` is the frame's time)", "");
    o->image = pos[0];
    o->in = pos[1];
    o->out = pos[2];
}

/* ---- The run --------------------------------------------------------------------------- */

typedef struct Timer {
    uint32_t handler;
    uint64_t period_ns, due;
    int off; /* due time past 2^64: never again */
} Timer;

typedef struct Run {
    Options o;
    Arena arena;
    SlImage img;
    const uint8_t *frames;
    size_t frames_size;
    Writer out, log;
    SlReport rep;
    uint8_t *pbuf; /* the one packet buffer: SL_PKT_HEADROOM + MAX_FRAME bytes */
    SlPacket pkt;
    uint64_t t; /* time of the run in progress */
    Timer timers[SL_MAX_HANDLERS];
    uint32_t ntimers;
    int32_t packet_handler;
    SlHv *hv; /* hypervisor mode */
    SlVm *vm; /* direct mode: the VM; hypervisor mode: the hypervisor's VM (state) */
    const struct SlNative *native; /* -e aot: the native code for the image */
    int failed;
} Run;

static void emit(Run *r, uint32_t port, const uint8_t *data, uint32_t len)
{
    uint8_t rec[SL_FRAMES_RECORD_SIZE];
    sl_frames_record(rec, r->t, port, len);
    writer_put(&r->out, rec, sizeof rec);
    writer_put(&r->out, data, len);
    r->rep.total[SL_REPORT_FRAMES_OUT]++;
    r->rep.total[SL_REPORT_BYTES_OUT] += len;
    if (port < r->rep.nports) {
        r->rep.ports[port].out++;
        r->rep.ports[port].out_bytes += len;
    }
}

/* Lays a frame out as the VM wants it: SL_PKT_HEADROOM bytes before, room up to
 * max(len, SL_PKT_MAX) after. The window is zeroed first, so nothing of an earlier frame can
 * reach the output on any host. */
static void packet_load(Run *r, const uint8_t *data, uint32_t len, uint32_t port, uint64_t t)
{
    uint32_t window = SL_PKT_HEADROOM + (len > SL_PKT_MAX ? len : SL_PKT_MAX);
    memset(r->pbuf, 0, window);
    if (len)
        memcpy(r->pbuf + SL_PKT_HEADROOM, data, len);
    r->pkt.buf = r->pbuf;
    r->pkt.cap = window;
    r->pkt.head = SL_PKT_HEADROOM;
    r->pkt.len = len;
    r->pkt.in_port = port;
    r->pkt.tstamp_ns = t;
    r->t = t;
}

static void count_verdict(Run *r, const SlResult *res)
{
    if (res->status == SL_RUN_FAULT) {
        r->rep.total[SL_REPORT_FAULTED]++;
        r->rep.fault[res->fault < SL_FAULT_COUNT ? res->fault : 0]++;
    } else if (res->verdict == SL_VERDICT_SEND) {
        r->rep.total[SL_REPORT_SENT]++;
    } else if (res->verdict == SL_VERDICT_PUNT) {
        r->rep.total[SL_REPORT_PUNTED]++;
    } else {
        r->rep.total[SL_REPORT_DROPPED]++;
    }
}

/* Direct mode: clones leave on the program's port. */
static void vm_clone(void *user, uint32_t port, const uint8_t *data, uint32_t len)
{
    Run *r = user;
    r->rep.total[SL_REPORT_CLONES]++;
    emit(r, port, data, len);
}

static int engine_run(Run *r, uint32_t h, const SlEnv *env, uint64_t fuel, SlResult *res)
{
#ifdef SLRUN_AOT
    if (r->native)
        return sl_native_run(r->vm, r->native, h, &r->pkt, env, fuel, res);
#endif
    return sl_vm_run(r->vm, h, &r->pkt, env, fuel, res);
}

static int engine_resume(Run *r, const SlEnv *env, uint64_t fuel, SlResult *res)
{
#ifdef SLRUN_AOT
    if (r->native)
        return sl_native_resume(r->vm, r->native, &r->pkt, env, fuel, res);
#endif
    return sl_vm_resume(r->vm, &r->pkt, env, fuel, res);
}

/* -e aot: the linked native code made for this image (its hash, size and ABI match). */
static int find_native(Run *r, char *err)
{
#ifdef SLRUN_AOT
    for (uint32_t i = 0; i < sl_slrun_native_count; i++) {
        if (sl_native_check(sl_slrun_natives[i], r->vm) == 0) {
            r->native = sl_slrun_natives[i];
            return 0;
        }
    }
    sl_fmt(err, ERRCAP, "none of the %u native code objects linked into this runner is for this image",
           (unsigned)sl_slrun_native_count);
#else
    sl_fmt(err, ERRCAP, "this runner was built without the native-code runtime (aot/native_rt.c)");
#endif
    return -SL_EHASH;
}

/* Direct mode: runs handler h on r->pkt to its end, in slices of --slice instructions. */
static void vm_run(Run *r, uint32_t h, uint32_t frame)
{
    SlEnv env = {.user = r, .clone = vm_clone, .now_ns = r->o.now_set ? r->o.now : r->t};
    uint64_t fuel = r->o.slice ? r->o.slice : UINT64_MAX;
    SlResult res;
    int rc = engine_run(r, h, &env, fuel, &res);
    while (rc == 0 && res.status == SL_RUN_YIELD) {
        r->rep.total[SL_REPORT_PREEMPTIONS]++;
        rc = engine_resume(r, &env, fuel, &res);
    }
    if (rc < 0) {
        char m[ERRCAP];
        sl_fmt(m, sizeof m, "slrun: internal error: the VM refused to run: %s\n", sl_error_text(rc));
        say(m);
        r->failed = 1;
        return;
    }
    r->rep.total[SL_REPORT_RUNS]++;
    r->rep.total[SL_REPORT_INSNS] += res.insns;
    count_verdict(r, &res);
    if (res.status == SL_RUN_DONE && res.verdict == SL_VERDICT_SEND)
        emit(r, res.port, r->pkt.buf + r->pkt.head, r->pkt.len);
    if (r->o.log) {
        uint8_t rec[SL_RUNLOG_RECORD_SIZE];
        sl_runlog_record(rec, frame, h, &res, r->pkt.len);
        writer_put(&r->log, rec, sizeof rec);
        writer_put(&r->log, r->pkt.buf + r->pkt.head, r->pkt.len);
    }
}

/* Hypervisor mode: outputs and the packet's fate. */
static void hv_output(void *user, uint32_t phys, const uint8_t *data, uint32_t len, uint64_t t)
{
    Run *r = user;
    r->t = t;
    emit(r, phys, data, len);
}

static void hv_release(void *user, SlPacket *pkt, SlHvFate fate, uint32_t vm)
{
    Run *r = user;
    (void)pkt;
    (void)vm;
    switch (fate) {
    case SL_HV_SENT: r->rep.total[SL_REPORT_SENT]++; break;
    case SL_HV_DROPPED: r->rep.total[SL_REPORT_DROPPED]++; break;
    case SL_HV_PUNTED: r->rep.total[SL_REPORT_PUNTED]++; break;
    case SL_HV_FAULTED: r->rep.total[SL_REPORT_FAULTED]++; break;
    case SL_HV_UNROUTED: r->rep.total[SL_REPORT_UNROUTED]++; break;
    case SL_HV_NO_MATCH:
    case SL_HV_QUEUE_FULL:
    case SL_HV_STOPPED:
    case SL_HV_ERROR:
    case SL_HV_FATE_COUNT: r->rep.total[SL_REPORT_REFUSED]++; break;
    }
}

/* Runs whatever the hypervisor has queued to its end. */
static void hv_drain(Run *r)
{
    while (sl_hv_busy(r->hv))
        sl_hv_run(r->hv, 0);
}

/* An init or timer run at time t: an empty packet the program may build and send. */
static void run_event(Run *r, uint32_t h, uint64_t t)
{
    packet_load(r, NULL, 0, SL_HV_NO_PORT, t);
    r->rep.total[SL_REPORT_EVENTS]++;
    if (r->hv) {
        if (sl_hv_vm_post(r->hv, 0, h, &r->pkt) < 0) {
            say("slrun: internal error: the hypervisor refused an event\n");
            r->failed = 1;
            return;
        }
        hv_drain(r);
    } else {
        vm_run(r, h, (uint32_t)SL_RUNLOG_NO_FRAME);
    }
}

static void run_frame(Run *r, const SlFrame *f, uint32_t index)
{
    r->rep.total[SL_REPORT_FRAMES_IN]++;
    r->rep.total[SL_REPORT_BYTES_IN] += f->len;
    if (f->port < r->rep.nports) {
        r->rep.ports[f->port].in++;
        r->rep.ports[f->port].in_bytes += f->len;
    }
    packet_load(r, f->data, f->len, f->port, f->tstamp_ns);
    if (!r->hv) {
        vm_run(r, (uint32_t)r->packet_handler, index);
        return;
    }
    if (sl_hv_input(r->hv, f->port, &r->pkt) < 0) /* a port the hypervisor does not have */
        r->rep.total[SL_REPORT_REFUSED]++;
    hv_drain(r);
}

static void start_timers(Run *r, uint64_t t0)
{
    int h;
    r->ntimers = 0;
    while ((h = sl_image_find_handler(&r->img, SL_HANDLER_TIMER, r->ntimers)) >= 0 &&
           r->ntimers < SL_MAX_HANDLERS) {
        Timer *t = &r->timers[r->ntimers++];
        t->handler = (uint32_t)h;
        t->period_ns = (uint64_t)sl_image_handler(&r->img, (uint32_t)h).period_ms * 1000000u;
        t->off = t0 > UINT64_MAX - t->period_ns;
        t->due = t->off ? 0 : t0 + t->period_ns;
    }
    h = sl_image_find_handler(&r->img, SL_HANDLER_INIT, 0);
    if (h >= 0)
        run_event(r, (uint32_t)h, t0);
}

/* Every timer due at or before now, earliest first (ties in handler order). */
static void run_timers(Run *r, uint64_t now)
{
    while (!r->failed) {
        Timer *next = NULL;
        for (uint32_t i = 0; i < r->ntimers; i++) {
            Timer *t = &r->timers[i];
            if (!t->off && t->due <= now && (!next || t->due < next->due))
                next = t;
        }
        if (!next)
            return;
        uint64_t behind = (now - next->due) / next->period_ns;
        if (behind > TIMER_CATCHUP) {
            r->rep.total[SL_REPORT_TIMER_SKIPPED] += behind;
            next->due += behind * next->period_ns;
        }
        run_event(r, next->handler, next->due);
        if (next->due > UINT64_MAX - next->period_ns)
            next->off = 1;
        else
            next->due += next->period_ns;
    }
}

/* Checks every record before anything runs, so a bad file produces no partial output. Returns
 * the number of frames, or -1 with a message printed. */
static long check_frames(Run *r)
{
    char m[ERRCAP];
    int rc = sl_frames_check(r->frames, r->frames_size);
    if (rc < 0) {
        sl_fmt(m, sizeof m, "slrun: %s: %s\n", r->o.in, sl_frames_error(rc));
        say(m);
        return -1;
    }
    size_t off = SL_FRAMES_HEADER_SIZE;
    SlFrame f;
    long n = 0;
    while ((rc = sl_frames_next(r->frames, r->frames_size, &off, &f)) > 0) {
        if (f.len > MAX_FRAME) {
            sl_fmt(m, sizeof m, "slrun: %s: frame %ld has %u bytes; slrun runs at most %u\n", r->o.in,
                   n, f.len, (unsigned)MAX_FRAME);
            say(m);
            return -1;
        }
        n++;
    }
    if (rc < 0) {
        sl_fmt(m, sizeof m, "slrun: %s: record %ld: %s\n", r->o.in, n, sl_frames_error(rc));
        say(m);
        return -1;
    }
    return n;
}

/* Builds the hypervisor with one VM: physical port i <-> virtual port i for every port the
 * image declares. */
static int setup_hv(Run *r, char *err)
{
    SlHvConfig cfg = {
        .phys_ports = r->rep.nports,
        .max_vms = 1,
        .max_maps = r->rep.nports,
        .seed = r->o.seed,
        .ops = {.user = r, .output = hv_output, .release = hv_release},
    };
    SlHvQuotas q = {.slice = r->o.slice, .packet_budget = r->o.budget, .queue_depth = 1};
    size_t hsize = sl_hv_footprint(&cfg), vsize = sl_hv_vm_footprint(&r->img, &q);
    void *hmem = hsize ? take(&r->arena, hsize) : NULL;
    void *vmem = vsize ? take(&r->arena, vsize) : NULL;
    if (!hmem || !vmem) {
        sl_fmt(err, ERRCAP, "the arena (%zu bytes) cannot hold the hypervisor (%zu) and the VM (%zu)",
               r->arena.size, hsize, vsize);
        return -SL_ENOMEM;
    }
    int rc = sl_hv_create(hmem, hsize, &cfg, &r->hv, err, ERRCAP);
    uint32_t id = 0;
    if (!rc)
        rc = sl_hv_vm_add(r->hv, vmem, vsize, &r->img, &q, &id, err, ERRCAP);
    for (uint32_t p = 0; !rc && p < r->img.port_count; p++) {
        rc = sl_hv_map_in(r->hv, p, SL_HV_ANY, SL_HV_ANY, id, p);
        if (!rc)
            rc = sl_hv_map_out(r->hv, id, p, p);
    }
    if (!rc)
        r->vm = sl_hv_vm(r->hv, id);
    if (!rc && r->o.aot)
        rc = find_native(r, err);
#ifdef SLRUN_AOT
    if (!rc && r->o.aot)
        rc = sl_hv_vm_set_engine(r->hv, id, &sl_native_hv_engine, r->native);
#endif
    return rc;
}

static int setup_vm(Run *r, char *err)
{
    SlVmConfig cfg = {.seed = r->o.seed, .packet_budget = r->o.budget};
    size_t size = sl_vm_footprint(&r->img);
    void *mem = size ? take(&r->arena, size) : NULL;
    if (!mem) {
        sl_fmt(err, ERRCAP, "the arena (%zu bytes) cannot hold the VM (%zu)", r->arena.size, size);
        return -SL_ENOMEM;
    }
    int rc = sl_vm_create(mem, size, &r->img, &cfg, &r->vm, err, ERRCAP);
    if (!rc && r->o.aot)
        rc = find_native(r, err);
    return rc;
}

/* Totals the hypervisor keeps itself. */
static void collect_hv(Run *r)
{
    SlHvVmStats st;
    if (sl_hv_vm_stats(r->hv, 0, &st) < 0)
        return;
    r->rep.total[SL_REPORT_RUNS] = st.runs;
    r->rep.total[SL_REPORT_INSNS] = st.insns;
    r->rep.total[SL_REPORT_PREEMPTIONS] = st.preemptions;
    r->rep.total[SL_REPORT_CLONES] = st.clones;
    for (unsigned k = 1; k < SL_FAULT_COUNT; k++)
        r->rep.fault[k] = st.fault[k];
}

static int write_counters(Run *r)
{
    Writer w;
    if (r->o.state)
        r->rep.state = sl_vm_state(r->vm, &r->rep.state_size);
    size_t size = sl_report_size(&r->rep);
    uint8_t *buf = take(&r->arena, size);
    if (!buf) {
        say("slrun: the arena cannot hold the counters record\n");
        return -1;
    }
    sl_report_encode(&r->rep, buf);
    if (writer_open(&w, &r->arena, r->o.counters) < 0)
        return -1;
    writer_put(&w, buf, size);
    return writer_close(&w);
}

static void summary(const Run *r)
{
    char m[ERRCAP];
    const uint64_t *t = r->rep.total;
    sl_fmt(m, sizeof m,
           "slrun: %llu frames in, %llu out; sent %llu, dropped %llu, punted %llu, faulted %llu, "
           "refused %llu; %llu instructions\n",
           (unsigned long long)t[SL_REPORT_FRAMES_IN], (unsigned long long)t[SL_REPORT_FRAMES_OUT],
           (unsigned long long)t[SL_REPORT_SENT], (unsigned long long)t[SL_REPORT_DROPPED],
           (unsigned long long)t[SL_REPORT_PUNTED], (unsigned long long)t[SL_REPORT_FAULTED],
           (unsigned long long)t[SL_REPORT_REFUSED], (unsigned long long)t[SL_REPORT_INSNS]);
    say(m);
}

static int run_all(Run *r)
{
    char err[ERRCAP] = "", m[ERRCAP];
    const uint8_t *image;
    size_t image_size;
    if (read_file(&r->arena, r->o.image, &image, &image_size) < 0)
        return -1;
    int rc = sl_image_parse(image, image_size, &r->img, err, sizeof err);
    if (rc < 0) {
        sl_fmt(m, sizeof m, "slrun: %s: %s\n", r->o.image, err);
        say(m);
        return -1;
    }
    if (read_file(&r->arena, r->o.in, &r->frames, &r->frames_size) < 0)
        return -1;
    long nframes = check_frames(r);
    if (nframes < 0)
        return -1;
    r->packet_handler = sl_image_find_handler(&r->img, SL_HANDLER_PACKET, 0);
    r->rep.mode = r->o.vm_mode ? SL_REPORT_MODE_VM : SL_REPORT_MODE_HV;
    r->rep.nports = r->img.port_count ? r->img.port_count : 1;
    r->rep.ports = take(&r->arena, r->rep.nports * sizeof *r->rep.ports);
    r->pbuf = take(&r->arena, SL_PKT_HEADROOM + MAX_FRAME);
    if (!r->rep.ports || !r->pbuf) {
        say("slrun: the arena is too small\n");
        return -1;
    }
    memset(r->rep.ports, 0, r->rep.nports * sizeof *r->rep.ports);
    rc = r->o.vm_mode ? setup_vm(r, err) : setup_hv(r, err);
    if (rc < 0) {
        sl_fmt(m, sizeof m, "slrun: %s: %s: %s\n", r->o.image, sl_error_text(rc), err);
        say(m);
        return -1;
    }
    if (r->o.vm_mode && r->packet_handler < 0 && nframes > 0) {
        sl_fmt(m, sizeof m, "slrun: %s: the image has no packet handler\n", r->o.image);
        say(m);
        return -1;
    }
    if (writer_open(&r->out, &r->arena, r->o.out) < 0)
        return -1;
    uint8_t hdr[SL_FRAMES_HEADER_SIZE];
    sl_frames_header(hdr);
    writer_put(&r->out, hdr, sizeof hdr);
    if (r->o.log) {
        if (writer_open(&r->log, &r->arena, r->o.log) < 0)
            return -1;
        uint8_t lh[SL_RUNLOG_HEADER_SIZE];
        sl_runlog_header(lh);
        writer_put(&r->log, lh, sizeof lh);
    }

    size_t off = SL_FRAMES_HEADER_SIZE;
    SlFrame f;
    for (uint32_t i = 0; !r->failed && sl_frames_next(r->frames, r->frames_size, &off, &f) > 0; i++) {
        if (i == 0)
            start_timers(r, f.tstamp_ns);
        run_timers(r, f.tstamp_ns);
        if (!r->failed)
            run_frame(r, &f, i);
    }
    if (r->hv)
        collect_hv(r);
    int bad = r->failed;
    if (writer_close(&r->out) < 0 || (r->o.log && writer_close(&r->log) < 0))
        bad = 1;
    if (r->o.counters && write_counters(r) < 0)
        bad = 1;
    if (!r->o.quiet)
        summary(r);
    return bad ? -1 : 0;
}

_Noreturn void sl_rt_start(long *sp)
{
    int argc = (int)sp[0];
    char **argv = (char **)(sp + 1);
    Run r;
    memset(&r, 0, sizeof r);
    r.out.fd = r.log.fd = -1;
    parse_args(argc, argv, &r.o);
    r.arena.base = arena_bytes;
    r.arena.size = sizeof arena_bytes;
    sys_exit(run_all(&r) < 0 ? EXIT_FAIL : 0);
}
