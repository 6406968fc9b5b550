/* slemu: runs a Sluice image over packet captures, one capture per port, and writes what the
 * program sends to one capture per port.
 *
 * Time is the captures' time, so a run is a pure function of the image, the inputs and the seed:
 * - The inputs are merged by timestamp; equal timestamps go in port order (lower port first),
 *   and each file keeps its own order.
 * - `init` runs once, at the first packet's time. Timer i is first due one period after that.
 *   Before each packet, every timer due at or before the packet's time runs, earliest first
 *   (ties by handler order), stamped with its due time. When capture time jumps more than
 *   TIMER_CATCHUP periods past a timer, the runs in between are skipped (counted) and the timer
 *   runs once at its last due time before the packet, so an odd timestamp cannot stall the run.
 * - A packet run sees tstamp = now = its capture time; init and timer runs get an empty packet
 *   with in_port NO_PORT and tstamp = now = their time.
 * - Whatever a run sends or clones is written at once, stamped with the run's time; output
 *   order is the order of emission.
 * Live mode (inputs are network interfaces, ports.h): the same loop on the wall clock, frames
 * as they arrive (run_live); it ends on SIGINT/SIGTERM, --count or --duration.
 *
 * Exit status: 0 when every input was read to its end, 1 when something failed at run time (an
 * image the loader rejects, an input that cannot be opened, is not Ethernet, or is corrupt or
 * cut off; a write error), 2 for bad arguments. On 1 the outputs keep what was written so far. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aot.h"
#include "asm.h"
#include "file.h"
#include "image_hash.h"
#include "live.h"
#include "ports.h"
#include "progress.h"
#include "repl.h"
#include "setup.h"
#include "slc.h"
#include "vm.h"

#define NO_PORT UINT32_MAX /* in_port of init and timer runs: no port */

enum {
    EXIT_RUN = 1,
    EXIT_USAGE = 2,
    SLICE = 1 << 20,       /* fuel per slice; a run that yields is resumed at once */
    TIMER_CATCHUP = 1000,  /* periods a timer may fall behind before runs are skipped */
    MAX_BINDINGS = SL_MAX_PORTS + 1,
    ERRCAP = 512,          /* bytes of a backend's message */
};

/* "-i PORT=FILE" / "-o PORT=FILE" / "-o FILE" as given; ports are resolved once the image
 * (and its port names) is loaded. */
typedef struct Binding {
    const char *port; /* NULL: every port (outputs) */
    size_t port_len;
    const char *path;
} Binding;

typedef struct Options {
    const char *image;
    const char *setup; /* --setup FILE: several VMs on the hypervisor (setup.h) */
    Binding in[MAX_BINDINGS], out[MAX_BINDINGS];
    int nin, nout;
    SlVmConfig cfg;
    int json, quiet;
    uint64_t count, duration_ns; /* --count, --duration; 0: no limit */
    int no_progress;
    int aot; /* --engine aot: the image through JIT'd native code (docs/aot.md) */
} Options;

typedef struct Input {
    uint32_t port;
    const char *path;
    SlPortFile *file;
    SlPortFrame next; /* the frame to run next, when live */
    int live;
} Input;

typedef struct Sink {
    const char *path;
    SlPortFile *file;
} Sink;

typedef struct PortStats {
    uint64_t in, out, dropped, punted;
} PortStats;

typedef struct Timer {
    uint32_t handler;
    uint64_t period_ns;
    uint64_t due;
    int off; /* due time past the end of representable time */
} Timer;

typedef struct Emu {
    const SlPortIo *io;
    const char *image_path;
    SlImage img;
    SlVm *vm;
    uint32_t nports;
    Input *inputs; /* sorted by port */
    int ninputs;
    Sink *sinks;
    int nsinks;
    int *sink_of; /* per port: index into sinks, -1 when the port has no output */
    PortStats *ports;
    Timer *timers;
    uint32_t ntimers;
    uint32_t packet_handler; /* handler index, or UINT32_MAX: packets then fault NO_HANDLER */
    SlPacket pkt;            /* the one packet buffer, reused by every run */
    uint64_t event_time;     /* time of the run in progress: stamps what it emits */
    uint64_t faults[SL_FAULT_COUNT];
    uint64_t packets, unbound, insns, packet_insns, timer_runs, timer_skipped;
    uint64_t handler_insns[SL_MAX_HANDLERS], handler_runs[SL_MAX_HANDLERS]; /* by handler index */
    int failed; /* the run must stop: a write failed or the VM refused to run (reported already) */
    int quiet;
    uint64_t snapped;            /* frames whose capture was cut short (caplen < len) */
    uint64_t count, end_ns;      /* stop after count packets / at wall-clock end_ns; 0: never */
    int live, stopped;           /* inputs are interfaces; a signal or a limit ended the run */
    SlProgress progress;
    const SlNative *native; /* --engine aot: the image's native code, else NULL */
} Emu;

static void usage(FILE *f)
{
    fputs("usage: slemu [options] IMAGE.slb|IMAGE.sla|PROGRAM.sl\n"
          "       slemu --setup FILE.yaml [-i PORT=FILE] [-o PORT=FILE] [--engine E] [--stats json] [-q]\n"
          "Runs a Sluice image over pcap/pcapng captures (Ethernet only), one per port.\n"
          "  -i PORT=FILE    input capture for PORT (a number or a port name; -i FILE is port 0);\n"
          "                  several inputs are merged by timestamp, ties in port order\n"
          "  -o PORT=FILE    output capture for PORT (pcap, Ethernet, nanosecond timestamps)\n"
          "  -o FILE         one output for every port without its own\n"
          "  --seed N        seed of rand and of table hashing (default 0)\n"
          "  --budget N      instructions one handler run may take (default 2^32)\n"
          "  --stats json    print a machine-readable summary on stdout\n"
          "  --engine E      interp (default) or aot: the image as native code (docs/aot.md)\n"
          "  --setup FILE    several VMs on one hypervisor, as the YAML file describes (VMs,\n"
          "                  images, quotas, port maps, captures); -i/-o then name physical\n"
          "                  ports and override the file's captures (emu/README.md)\n"
          "  --repl          the interactive debugger (slemu --repl --help; docs/debugger.md)\n"
          "  --count N       stop after N input packets\n"
          "  --duration S    stop after S seconds of wall-clock time\n"
          "  --no-progress   no progress bar (it shows on a terminal once a run takes 1 s)\n"
          "  -q, --quiet     no summary or fault notes on stderr\n"
          "  -h, --help      this text\n"
          "An .sla is assembled first, an .sl compiled (imports: its directory, then $SLC_STDLIB\n"
          "or the build's stdlib). Time is capture time: init runs at the first packet, timers\n"
          "before the packet that passes their due time. Frames cut short by the capture's snapshot\n"
          "length reach the program with their captured bytes only. Captures of other link types\n"
          "are refused. Packets sent to a port with no output count as dropped.\n"
          "Live interfaces: FILE may name a network interface (if:NAME always does; text with\n"
          "a '/' is always a file): frames are captured and injected through libpcap, time is\n"
          "the wall clock, and the run ends on SIGINT/SIGTERM, --count or --duration (exit 0).\n"
          "Exit status: 0 done; 1 run-time failure (bad image, unreadable, foreign or corrupt\n"
          "capture, write error; outputs keep what was written); 2 bad arguments.\n"
          "Details: emu/README.md in the Sluice sources.\n",
          f);
}

static int parse_u64(const char *s, uint64_t *v)
{
    char *end;
    if (!*s || *s == '-' || *s == '+')
        return -1;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 0);
    if (errno || *end)
        return -1;
    *v = x;
    return 0;
}

/* Splits "PORT=FILE"; with no '=' the whole text is the file. */
static Binding parse_binding(const char *arg)
{
    Binding b = {0};
    const char *eq = strchr(arg, '=');
    if (eq) {
        b.port = arg;
        b.port_len = (size_t)(eq - arg);
        b.path = eq + 1;
    } else {
        b.path = arg;
    }
    return b;
}

static int parse_args(int argc, char **argv, Options *o)
{
    static const struct option longopts[] = {
        {"seed", required_argument, 0, 'S'},   {"budget", required_argument, 0, 'B'},
        {"stats", required_argument, 0, 'J'},  {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},         {"count", required_argument, 0, 'C'},
        {"duration", required_argument, 0, 'D'}, {"no-progress", no_argument, 0, 'P'},
        {"setup", required_argument, 0, 'Y'},  {"engine", required_argument, 0, 'E'},
        {0, 0, 0, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "i:o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'i':
        case 'o': {
            Binding *list = c == 'i' ? o->in : o->out;
            int *n = c == 'i' ? &o->nin : &o->nout;
            if (*n == MAX_BINDINGS) {
                fprintf(stderr, "slemu: too many -%c options\n", c);
                return -1;
            }
            list[(*n)++] = parse_binding(optarg);
            if (!*list[*n - 1].path || (list[*n - 1].port && !list[*n - 1].port_len)) {
                fprintf(stderr, "slemu: -%c %s: expected PORT=FILE or FILE\n", c, optarg);
                return -1;
            }
            break;
        }
        case 'S':
        case 'B':
            if (parse_u64(optarg, c == 'S' ? &o->cfg.seed : &o->cfg.packet_budget) < 0) {
                fprintf(stderr, "slemu: --%s %s: not a number\n", c == 'S' ? "seed" : "budget", optarg);
                return -1;
            }
            break;
        case 'J':
            if (strcmp(optarg, "json") != 0) {
                fprintf(stderr, "slemu: --stats %s: only 'json' is known\n", optarg);
                return -1;
            }
            o->json = 1;
            break;
        case 'C':
        case 'D': {
            uint64_t v;
            if (parse_u64(optarg, &v) < 0 || v == 0 || (c == 'D' && v > UINT64_MAX / 1000000000u)) {
                fprintf(stderr, "slemu: --%s %s: not a positive number\n", c == 'C' ? "count" : "duration", optarg);
                return -1;
            }
            *(c == 'C' ? &o->count : &o->duration_ns) = c == 'C' ? v : v * 1000000000u;
            break;
        }
        case 'P': o->no_progress = 1; break;
        case 'q': o->quiet = 1; break;
        case 'Y': o->setup = optarg; break;
        case 'E':
            if (strcmp(optarg, "interp") != 0 && strcmp(optarg, "aot") != 0) {
                fprintf(stderr, "slemu: --engine %s: expected interp or aot\n", optarg);
                return -1;
            }
            o->aot = optarg[0] == 'a';
            break;
        case 'h': usage(stdout); exit(0);
        default: return -1; /* getopt said why */
        }
    }
    if (o->setup) {
        if (optind != argc) {
            fprintf(stderr, "slemu: --setup takes its images from the setup file, not the command line\n");
            return -1;
        }
        return 0;
    }
    if (optind != argc - 1) {
        fprintf(stderr, "slemu: %s\n", optind >= argc ? "no image given" : "more than one image given");
        return -1;
    }
    o->image = argv[optind];
    if (o->nin == 0) {
        fprintf(stderr, "slemu: no input capture (-i PORT=FILE)\n");
        return -1;
    }
    return 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

#ifndef SLC_DEFAULT_STDLIB
#define SLC_DEFAULT_STDLIB "stdlib"
#endif

/* Compiles a .sl source in memory (with debug information, for fault notes and the
 * debugger); the standard library is $SLC_STDLIB or the build's default. Diagnostics go to
 * stderr (warnings too, unless quiet). Returns the image (malloc'd) or NULL. */
static uint8_t *compile_source(const char *path, const char *text, size_t len, int quiet, size_t *size)
{
    const char *stdlib_dir = getenv("SLC_STDLIB");
    SlcOptions so = {.stdlib_dir = stdlib_dir ? stdlib_dir : SLC_DEFAULT_STDLIB, .debug_info = 1,
                     .warnings = !quiet};
    SlcResult res;
    memset(&res, 0, sizeof res);
    int rc = sl_compile(&so, path, text, len, &res);
    if (res.diags && res.diags[0] && (rc < 0 || !quiet))
        fputs(res.diags, stderr);
    uint8_t *img = NULL;
    if (rc < 0 || !res.image)
        fprintf(stderr, "slemu: %s: not compiled\n", path);
    else if ((img = malloc(res.image_len)) != NULL) {
        memcpy(img, res.image, res.image_len);
        *size = res.image_len;
    } else
        fprintf(stderr, "slemu: %s: out of memory\n", path);
    sl_compile_result_free(&res);
    return img;
}

/* Reads (and for .sla, assembles; for .sl, compiles) the image, parses it and builds the VM. The bytes stay
 * allocated for the VM's life (the process's). */
static int load(Emu *e, const Options *o)
{
    static char err[8192];
    uint8_t *bytes;
    size_t size;
    if (!(bytes = (uint8_t *)sl_file_read(o->image, &size))) {
        fprintf(stderr, "slemu: %s: %s\n", o->image, strerror(errno));
        return -1;
    }
    if (ends_with(o->image, ".sla")) {
        uint8_t *img;
        size_t img_len;
        int rc = sl_asm_assemble((const char *)bytes, size, o->image, 0, &img, &img_len, err, sizeof err);
        free(bytes);
        if (rc < 0) {
            fprintf(stderr, "%s\n", err);
            return -1;
        }
        bytes = img;
        size = img_len;
    } else if (ends_with(o->image, ".sl")) {
        uint8_t *img = compile_source(o->image, (const char *)bytes, size, o->quiet, &size);
        free(bytes);
        if (!img)
            return -1;
        bytes = img;
    }
    if (sl_image_parse(bytes, size, &e->img, err, sizeof err) < 0) {
        fprintf(stderr, "slemu: %s: %s\n", o->image, err);
        return -1;
    }
    if (sl_image_hash_check(&e->img) < 0) {
        fprintf(stderr, "slemu: %s: %s\n", o->image, sl_error_text(SL_EHASH));
        return -1;
    }
    size_t footprint = sl_vm_footprint(&e->img);
    void *mem = footprint ? malloc(footprint) : NULL;
    if (!mem) {
        fprintf(stderr, "slemu: %s: cannot allocate %zu bytes for the VM\n", o->image, footprint);
        return -1;
    }
    if (sl_vm_create(mem, footprint, &e->img, &o->cfg, &e->vm, err, sizeof err) < 0) {
        fprintf(stderr, "slemu: %s: %s\n", o->image, err);
        return -1;
    }
    if (o->aot) { /* the JIT lives as long as the process, like the VM */
        SlAotJit *jit;
        if (sl_aot_jit_create(&e->img, 2, &jit, err, sizeof err) < 0) {
            fprintf(stderr, "slemu: %s: AOT: %s\n", o->image, err);
            return -1;
        }
        e->native = sl_aot_jit_native(jit);
    }
    e->nports = e->img.port_count;
    int h = sl_image_find_handler(&e->img, SL_HANDLER_PACKET, 0);
    e->packet_handler = h < 0 ? UINT32_MAX : (uint32_t)h;
    while ((h = sl_image_find_handler(&e->img, SL_HANDLER_TIMER, e->ntimers)) >= 0) {
        Timer *t = realloc(e->timers, (e->ntimers + 1) * sizeof *t);
        if (!t)
            return -1;
        e->timers = t;
        t[e->ntimers].handler = (uint32_t)h;
        t[e->ntimers].period_ns = (uint64_t)sl_image_handler(&e->img, (uint32_t)h).period_ms * 1000000u;
        t[e->ntimers].due = 0;
        t[e->ntimers].off = 0;
        e->ntimers++;
    }
    return 0;
}

/* A binding's port: a number below the image's port count, or a declared port name. */
static int resolve_port(const Emu *e, const Binding *b, char opt, uint32_t *port)
{
    char *end;
    unsigned long n = strtoul(b->port, &end, 10);
    if (b->port[0] >= '0' && b->port[0] <= '9' && end == b->port + b->port_len) {
        if (n < e->nports) {
            *port = (uint32_t)n;
            return 0;
        }
    } else {
        for (uint32_t i = 0; i < e->nports; i++) {
            uint32_t len;
            const char *name = sl_image_port_name(&e->img, i, &len);
            if (len == b->port_len && memcmp(name, b->port, len) == 0) {
                *port = i;
                return 0;
            }
        }
    }
    fprintf(stderr, "slemu: -%c %.*s=%s: the image has no such port (it declares %" PRIu32 ")\n", opt,
            (int)b->port_len, b->port, b->path, e->nports);
    return -1;
}

static int is_interface(const char *spec)
{
    const char *name;
    char err[ERRCAP];
    return sl_portio_classify(spec, &name, err, sizeof err) == SL_PORT_INTERFACE;
}

static int cmp_input(const void *a, const void *b)
{
    uint32_t x = ((const Input *)a)->port, y = ((const Input *)b)->port;
    return x < y ? -1 : x > y;
}

/* Resolves the bindings to ports: one input per port at most, one output per port at most,
 * no file both read and written. Exit status 2 on a mistake. */
static int bind_ports(Emu *e, const Options *o)
{
    e->inputs = calloc((size_t)o->nin, sizeof *e->inputs);
    e->sinks = calloc((size_t)o->nout + 1, sizeof *e->sinks);
    e->sink_of = malloc((e->nports + 1) * sizeof *e->sink_of);
    e->ports = calloc(e->nports + 1, sizeof *e->ports);
    if (!e->inputs || !e->sinks || !e->sink_of || !e->ports)
        return -1;
    for (int i = 0; i < o->nin; i++) {
        Binding b = o->in[i];
        if (!b.port) {
            b.port = "0";
            b.port_len = 1;
        }
        Input *in = &e->inputs[i];
        if (resolve_port(e, &b, 'i', &in->port) < 0)
            return -1;
        in->path = b.path;
        for (int j = 0; j < i; j++)
            if (e->inputs[j].port == in->port) {
                fprintf(stderr, "slemu: port %" PRIu32 " has two inputs (%s, %s)\n", in->port,
                        e->inputs[j].path, in->path);
                return -1;
            }
    }
    e->ninputs = o->nin;
    qsort(e->inputs, (size_t)e->ninputs, sizeof *e->inputs, cmp_input);
    for (int i = 0; i < e->ninputs; i++)
        e->live += is_interface(e->inputs[i].path);
    if (e->live && e->live < e->ninputs) {
        fprintf(stderr, "slemu: inputs mix network interfaces and capture files (one time base per run)\n");
        return -1;
    }

    int all = -1; /* sink of "-o FILE" */
    for (uint32_t p = 0; p < e->nports; p++)
        e->sink_of[p] = -1;
    for (int i = 0; i < o->nout; i++) {
        const Binding *b = &o->out[i];
        for (int j = 0; j < o->nin; j++)
            if (strcmp(o->in[j].path, b->path) == 0 && !is_interface(b->path)) {
                fprintf(stderr, "slemu: %s is both an input and an output\n", b->path);
                return -1;
            }
        int s = 0;
        while (s < e->nsinks && strcmp(e->sinks[s].path, b->path) != 0)
            s++;
        if (s == e->nsinks)
            e->sinks[e->nsinks++].path = b->path;
        if (!b->port) {
            if (all >= 0) {
                fprintf(stderr, "slemu: more than one -o FILE for every port\n");
                return -1;
            }
            all = s;
            continue;
        }
        uint32_t port;
        if (resolve_port(e, b, 'o', &port) < 0)
            return -1;
        if (e->sink_of[port] >= 0) {
            fprintf(stderr, "slemu: port %" PRIu32 " has two outputs\n", port);
            return -1;
        }
        e->sink_of[port] = s;
    }
    for (uint32_t p = 0; p < e->nports; p++)
        if (e->sink_of[p] < 0)
            e->sink_of[p] = all;
    return 0;
}

/* Opens inputs first (so a capture of the wrong link type stops us before any output file is
 * created), reads each one's first frame, then creates the outputs. */
static int open_files(Emu *e)
{
    char err[ERRCAP];
    for (int i = 0; i < e->ninputs; i++) {
        Input *in = &e->inputs[i];
        int rc = e->io->open(in->path, SL_PORT_READ, &in->file, err, sizeof err);
        if (rc < 0) {
            fprintf(stderr, "slemu: %s\n", err);
            return -1;
        }
    }
    for (int s = 0; s < e->nsinks; s++) {
        if (e->io->open(e->sinks[s].path, SL_PORT_WRITE, &e->sinks[s].file, err, sizeof err) < 0) {
            fprintf(stderr, "slemu: %s\n", err);
            return -1;
        }
    }
    for (int i = 0; i < e->ninputs; i++) {
        Input *in = &e->inputs[i];
        int rc = e->io->read(in->file, &in->next, err, sizeof err);
        if (rc < 0) {
            fprintf(stderr, "slemu: %s: %s\n", in->path, err);
            return -1;
        }
        in->live = rc;
    }
    return 0;
}

static int close_files(Emu *e)
{
    char err[ERRCAP];
    int rc = 0;
    for (int i = 0; i < e->ninputs; i++)
        if (e->inputs[i].file)
            e->io->close(e->inputs[i].file, err, sizeof err);
    for (int s = 0; s < e->nsinks; s++)
        if (e->sinks[s].file && e->io->close(e->sinks[s].file, err, sizeof err) < 0) {
            fprintf(stderr, "slemu: %s: %s\n", e->sinks[s].path, err);
            rc = -1;
        }
    return rc;
}

/* Writes a frame the program sent or cloned out of port; with no output it is dropped. */
static void emit(Emu *e, uint32_t port, const uint8_t *data, uint32_t len)
{
    char err[ERRCAP];
    if (port >= e->nports) /* the VM faults BAD_PORT first; kept for safety */
        return;
    int s = e->sink_of[port];
    if (s < 0) {
        e->ports[port].dropped++;
        e->unbound++;
        return;
    }
    if (e->failed)
        return;
    if (e->io->write(e->sinks[s].file, e->event_time, data, len, err, sizeof err) < 0) {
        fprintf(stderr, "slemu: %s: %s\n", e->sinks[s].path, err);
        e->failed = 1;
        return;
    }
    e->ports[port].out++;
}

static void on_clone(void *user, uint32_t port, const uint8_t *data, uint32_t len)
{
    emit(user, port, data, len);
}

/* Makes the buffer hold a packet of len bytes at SL_PKT_HEADROOM with the window the VM asks
 * for after it. */
static int reserve(Emu *e, uint32_t len)
{
    uint64_t need = (uint64_t)SL_PKT_HEADROOM + (len > SL_PKT_MAX ? len : SL_PKT_MAX);
    if (need > UINT32_MAX)
        return -1;
    if (need > e->pkt.cap) {
        uint8_t *buf = realloc(e->pkt.buf, (size_t)need);
        if (!buf)
            return -1;
        e->pkt.buf = buf;
        e->pkt.cap = (uint32_t)need;
    }
    e->pkt.head = SL_PKT_HEADROOM;
    e->pkt.len = len;
    return 0;
}

static void note_fault(Emu *e, const SlResult *r, const char *what)
{
    if (e->faults[r->fault]++ || e->quiet)
        return;
    char text[128] = "";
    uint32_t count;
    const SlInsn *code = sl_vm_code(e->vm, &count);
    if (r->pc < count)
        sl_insn_format(text, sizeof text, &code[r->pc], r->pc);
    fprintf(stderr, "slemu: %s: fault %s (%s) at insn %" PRIu32 " (%s)", what, sl_fault_name(r->fault),
            sl_fault_text(r->fault), r->pc, text);
    if (r->fault == SL_FAULT_TRAP)
        fprintf(stderr, ", trap %" PRId32, r->trap);
    fputs("; further faults of this kind are only counted\n", stderr);
}

/* Runs handler h on e->pkt at time t to its end, resuming after every slice. */
static int run(Emu *e, uint32_t h, uint64_t t, SlResult *res)
{
    SlEnv env = {.user = e, .clone = on_clone, .now_ns = t};
    e->event_time = t;
    e->pkt.tstamp_ns = t;
    int rc = e->native ? sl_native_run(e->vm, e->native, h, &e->pkt, &env, SLICE, res)
                       : sl_vm_run(e->vm, h, &e->pkt, &env, SLICE, res);
    while (rc == 0 && res->status == SL_RUN_YIELD)
        rc = e->native ? sl_native_resume(e->vm, e->native, &e->pkt, &env, SLICE, res)
                       : sl_vm_resume(e->vm, &e->pkt, &env, SLICE, res);
    if (rc < 0) {
        fprintf(stderr, "slemu: internal error: the VM refused to run: %s\n", sl_error_text(rc));
        e->failed = 1;
        return -1;
    }
    e->insns += res->insns;
    if (h < SL_MAX_HANDLERS) {
        e->handler_insns[h] += res->insns;
        e->handler_runs[h]++;
    }
    return 0;
}

/* An init or timer run: an empty packet that the program may build (pnew) and send. */
static void run_event(Emu *e, uint32_t h, uint64_t t, const char *what)
{
    SlResult res;
    if (reserve(e, 0) < 0) {
        fprintf(stderr, "slemu: out of memory\n");
        e->failed = 1;
        return;
    }
    e->pkt.in_port = NO_PORT;
    if (run(e, h, t, &res) < 0)
        return;
    if (res.status == SL_RUN_FAULT)
        note_fault(e, &res, what);
    else if (res.verdict == SL_VERDICT_SEND)
        emit(e, res.port, e->pkt.buf + e->pkt.head, e->pkt.len);
}

static void run_timers(Emu *e, uint64_t now)
{
    for (;;) {
        Timer *next = NULL;
        for (uint32_t i = 0; i < e->ntimers; i++) {
            Timer *t = &e->timers[i];
            if (!t->off && t->due <= now && (!next || t->due < next->due))
                next = t;
        }
        if (!next || e->failed)
            return;
        uint64_t behind = (now - next->due) / next->period_ns;
        if (behind > TIMER_CATCHUP) {
            e->timer_skipped += behind;
            next->due += behind * next->period_ns;
        }
        run_event(e, next->handler, next->due, "timer");
        e->timer_runs++;
        if (next->due > UINT64_MAX - next->period_ns)
            next->off = 1;
        else
            next->due += next->period_ns;
    }
}

static void start(Emu *e, uint64_t t0)
{
    for (uint32_t i = 0; i < e->ntimers; i++) {
        Timer *t = &e->timers[i];
        t->off = t0 > UINT64_MAX - t->period_ns;
        t->due = t->off ? 0 : t0 + t->period_ns;
    }
    int h = sl_image_find_handler(&e->img, SL_HANDLER_INIT, 0);
    if (h >= 0)
        run_event(e, (uint32_t)h, t0, "init");
}

static void run_packet(Emu *e, const Input *in)
{
    SlResult res;
    const SlPortFrame *f = &in->next;
    PortStats *ps = &e->ports[in->port];
    if (reserve(e, f->caplen) < 0) {
        fprintf(stderr, "slemu: %s: frame of %" PRIu32 " bytes is too large\n", in->path, f->caplen);
        e->failed = 1;
        return;
    }
    memcpy(e->pkt.buf + e->pkt.head, f->data, f->caplen);
    e->pkt.in_port = in->port;
    e->packets++;
    ps->in++;
    if (run(e, e->packet_handler, f->tstamp_ns, &res) < 0)
        return;
    e->packet_insns += res.insns;
    e->snapped += f->caplen < f->len;
    if (res.status == SL_RUN_FAULT) {
        char what[64];
        snprintf(what, sizeof what, "packet %" PRIu64 " (port %" PRIu32 ")", e->packets, in->port);
        note_fault(e, &res, what);
        ps->dropped++;
        return;
    }
    switch ((SlVerdict)res.verdict) {
    case SL_VERDICT_SEND: emit(e, res.port, e->pkt.buf + e->pkt.head, e->pkt.len); break;
    case SL_VERDICT_PUNT: ps->punted++; break;
    case SL_VERDICT_DROP: ps->dropped++; break;
    }
}

/* The input whose next frame is earliest; ties go to the lower port (inputs are sorted). */
static Input *next_input(Emu *e)
{
    Input *best = NULL;
    for (int i = 0; i < e->ninputs; i++) {
        Input *in = &e->inputs[i];
        if (in->live && (!best || in->next.tstamp_ns < best->next.tstamp_ns))
            best = in;
    }
    return best;
}

/* Whether the run must end before the next packet: a signal, --count or --duration (the clock
 * read every 256 packets in file mode). */
static int should_stop(Emu *e)
{
    if (sl_live_stop_signal() || (e->count && e->packets >= e->count) ||
        (e->end_ns && (e->live || (e->packets & 255) == 0) && sl_live_now_ns() >= e->end_ns))
        e->stopped = 1;
    return e->stopped;
}

static void show_progress(Emu *e)
{
    uint64_t done = 0, total = 0, d, t;
    for (int i = 0; i < e->ninputs; i++) {
        if (!e->io->progress || e->io->progress(e->inputs[i].file, &d, &t) < 0) {
            done = total = 0;
            break;
        }
        done += d;
        total += t;
    }
    sl_progress_update(&e->progress, done, total, e->packets);
}

/* Live mode: the inputs are interfaces. Frames run as they arrive, the earliest capture first
 * when several wait, each stamped with its capture time (wall clock) or the previous run's
 * time if that is later, so time never goes back; timers run on the wall clock. Ends on a
 * signal, --count or --duration (0), or a failed interface (-1). */
static int run_live(Emu *e)
{
    char err[ERRCAP];
    int fds[MAX_BINDINGS];
    for (int i = 0; i < e->ninputs; i++)
        fds[i] = e->io->poll_fd(e->inputs[i].file);
    uint64_t last = sl_live_now_ns();
    if (!e->quiet) /* also tells scripts that capture has begun */
        fprintf(stderr, "slemu: live on %d interface%s; stop with SIGINT (Ctrl-C) or SIGTERM\n", e->ninputs,
                e->ninputs > 1 ? "s" : "");
    start(e, last);
    while (!e->failed && !should_stop(e)) {
        for (int i = 0; i < e->ninputs; i++) {
            Input *in = &e->inputs[i];
            int rc = in->live ? 1 : e->io->read(in->file, &in->next, err, sizeof err);
            if (rc < 0) {
                fprintf(stderr, "slemu: %s (stopped after %" PRIu64 " packets)\n", err, e->packets);
                return -1;
            }
            in->live = rc;
        }
        Input *in = next_input(e);
        uint64_t now = in ? in->next.tstamp_ns : sl_live_now_ns();
        last = now > last ? now : last;
        run_timers(e, last);
        if (in) {
            in->next.tstamp_ns = last;
            if (!e->failed)
                run_packet(e, in);
            in->live = 0;
            continue;
        }
        uint64_t deadline = e->end_ns ? e->end_ns : UINT64_MAX;
        for (uint32_t i = 0; i < e->ntimers; i++)
            if (!e->timers[i].off && e->timers[i].due < deadline)
                deadline = e->timers[i].due;
        if (sl_live_wait(fds, e->ninputs, deadline) < 0) {
            fprintf(stderr, "slemu: waiting for frames: %s\n", strerror(errno));
            return -1;
        }
    }
    return e->failed ? -1 : 0;
}

/* The main loop. 0 when every input was read to its end (or --count, --duration stopped it);
 * -1 after a read or write failure or a signal. */
static int run_all(Emu *e)
{
    char err[ERRCAP];
    int started = 0;
    Input *in;
    if (e->live)
        return run_live(e);
    while (!e->failed && !should_stop(e) && (in = next_input(e)) != NULL) {
        uint64_t t = in->next.tstamp_ns;
        if (!started) {
            start(e, t);
            started = 1;
        }
        run_timers(e, t);
        if (e->failed)
            break;
        run_packet(e, in);
        int rc = e->io->read(in->file, &in->next, err, sizeof err);
        if (rc < 0) {
            fprintf(stderr, "slemu: %s: %s (stopped after %" PRIu64 " packets)\n", in->path, err,
                    e->packets);
            sl_progress_end(&e->progress);
            return -1;
        }
        in->live = rc;
        if ((e->packets & 1023) == 0)
            show_progress(e);
    }
    sl_progress_end(&e->progress);
    if (sl_live_stop_signal() && !e->failed) {
        fprintf(stderr, "slemu: stopped by signal %d after %" PRIu64 " packets\n", sl_live_stop_signal(), e->packets);
        return -1;
    }
    return e->failed ? -1 : 0;
}

static PortStats totals(const Emu *e)
{
    PortStats t = {0};
    for (uint32_t p = 0; p < e->nports; p++) {
        t.in += e->ports[p].in;
        t.out += e->ports[p].out;
        t.dropped += e->ports[p].dropped;
        t.punted += e->ports[p].punted;
    }
    return t;
}

/* "packet", "init" or "timer 100ms": how the summary names handler h. */
static void handler_name(const SlImage *img, uint32_t h, char *out, size_t cap)
{
    SlHandlerDecl d = sl_image_handler(img, h);
    if (d.kind == SL_HANDLER_TIMER)
        snprintf(out, cap, "timer %" PRIu32 "ms", d.period_ms);
    else
        snprintf(out, cap, "%s", d.kind == SL_HANDLER_INIT ? "init" : d.kind == SL_HANDLER_PACKET ? "packet" : "?");
}

static void print_summary(const Emu *e)
{
    uint64_t mean10 = e->packets ? e->packet_insns * 10 / e->packets : 0;
    PortStats t = totals(e);
    fprintf(stderr, "slemu: %s: %" PRIu64 " packets in, %" PRIu64 " out, %" PRIu64 " dropped, %" PRIu64
            " punted\n", e->image_path, e->packets, t.out, t.dropped, t.punted);
    fprintf(stderr, "  %-5s %-12s %10s %10s %10s %10s  %s\n", "port", "name", "in", "out", "dropped",
            "punted", "output");
    for (uint32_t p = 0; p < e->nports; p++) {
        uint32_t len;
        const char *name = sl_image_port_name(&e->img, p, &len);
        const PortStats *ps = &e->ports[p];
        fprintf(stderr, "  %-5" PRIu32 " %-12.*s %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64 "  %s\n",
                p, (int)len, name, ps->in, ps->out, ps->dropped, ps->punted,
                e->sink_of[p] >= 0 ? e->sinks[e->sink_of[p]].path : "(none: dropped)");
    }
    if (e->unbound)
        fprintf(stderr, "  %" PRIu64 " packets sent to ports with no output (counted as dropped)\n", e->unbound);
    if (e->snapped)
        fprintf(stderr, "  %" PRIu64 " frames cut short by the capture (run with their captured bytes only)\n",
                e->snapped);
    fprintf(stderr, "  faults:");
    int any = 0;
    for (unsigned f = 1; f < SL_FAULT_COUNT; f++)
        if (e->faults[f]) {
            fprintf(stderr, " %s %" PRIu64, sl_fault_name(f), e->faults[f]);
            any = 1;
        }
    fprintf(stderr, "%s\n", any ? "" : " none");
    fprintf(stderr, "  instructions: %" PRIu64 " in all, %" PRIu64 ".%" PRIu64 " per packet\n", e->insns,
            mean10 / 10, mean10 % 10);
    for (uint32_t h = 0; h < e->img.handler_count && h < SL_MAX_HANDLERS; h++) {
        char name[48];
        handler_name(&e->img, h, name, sizeof name);
        fprintf(stderr, "    %-14s %10" PRIu64 " instructions in %" PRIu64 " run%s\n", name, e->handler_insns[h],
                e->handler_runs[h], e->handler_runs[h] == 1 ? "" : "s");
    }
    if (e->ntimers)
        fprintf(stderr, "  timer runs: %" PRIu64 " (%" PRIu64 " skipped by time jumps)\n", e->timer_runs,
                e->timer_skipped);
}

static void json_string(const char *s, size_t n)
{
    putchar('"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static void print_json(const Emu *e, int ok)
{
    PortStats t = totals(e);
    printf("{\"image\":");
    json_string(e->image_path, strlen(e->image_path));
    printf(",\"ok\":%s,\"packets_in\":%" PRIu64 ",\"packets_out\":%" PRIu64 ",\"dropped\":%" PRIu64
           ",\"punted\":%" PRIu64 ",\"unbound\":%" PRIu64 ",\"snapped\":%" PRIu64 ",\"instructions\":%" PRIu64
           ",\"packet_instructions\":%" PRIu64 ",\"timer_runs\":%" PRIu64 ",\"timer_runs_skipped\":%" PRIu64,
           ok ? "true" : "false", e->packets, t.out, t.dropped, t.punted, e->unbound, e->snapped, e->insns,
           e->packet_insns, e->timer_runs, e->timer_skipped);
    printf(",\"faults\":{");
    for (unsigned f = 1; f < SL_FAULT_COUNT; f++)
        printf("%s\"%s\":%" PRIu64, f > 1 ? "," : "", sl_fault_name(f), e->faults[f]);
    printf("},\"handlers\":[");
    for (uint32_t h = 0; h < e->img.handler_count && h < SL_MAX_HANDLERS; h++) {
        char name[48];
        handler_name(&e->img, h, name, sizeof name);
        printf("%s{\"handler\":\"%s\",\"instructions\":%" PRIu64 ",\"runs\":%" PRIu64 "}", h ? "," : "", name,
               e->handler_insns[h], e->handler_runs[h]);
    }
    printf("],\"ports\":[");
    for (uint32_t p = 0; p < e->nports; p++) {
        uint32_t len;
        const char *name = sl_image_port_name(&e->img, p, &len);
        const PortStats *ps = &e->ports[p];
        printf("%s{\"port\":%" PRIu32 ",\"name\":", p ? "," : "", p);
        json_string(name, len);
        printf(",\"in\":%" PRIu64 ",\"out\":%" PRIu64 ",\"dropped\":%" PRIu64 ",\"punted\":%" PRIu64
               ",\"output\":", ps->in, ps->out, ps->dropped, ps->punted);
        if (e->sink_of[p] >= 0) {
            const char *path = e->sinks[e->sink_of[p]].path;
            json_string(path, strlen(path));
        } else {
            printf("null");
        }
        putchar('}');
    }
    printf("]}\n");
}

/* --setup: -i/-o name physical ports by number; the rest is in the file (setup.h). */
static int setup_main(const Options *o)
{
    static SlSetupOptions so;
    static char err[1024];
    SlSetup s;
    if (sl_setup_load(o->setup, &s, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        sl_setup_free(&s);
        return EXIT_RUN;
    }
    so.json = o->json;
    so.quiet = o->quiet;
    so.aot = o->aot;
    for (int k = 0; k < 2; k++) {
        const Binding *list = k ? o->out : o->in;
        int n = k ? o->nout : o->nin;
        for (int i = 0; i < n; i++) {
            char *end = NULL;
            unsigned long port = list[i].port ? strtoul(list[i].port, &end, 10) : 0;
            if (!list[i].port || end != list[i].port + list[i].port_len || list[i].port[0] < '0' ||
                list[i].port[0] > '9' || port >= s.nports) {
                fprintf(stderr, "slemu: -%c %s: expected PORT=FILE with a physical port 0..%u\n", k ? 'o' : 'i',
                        list[i].path, s.nports - 1);
                sl_setup_free(&s);
                return EXIT_USAGE;
            }
            if (k) {
                so.out_port[so.nout] = (uint32_t)port;
                so.out_path[so.nout++] = list[i].path;
            } else {
                so.in_port[so.nin] = (uint32_t)port;
                so.in_path[so.nin++] = list[i].path;
            }
        }
    }
    int rc = sl_setup_run(&s, &so);
    sl_setup_free(&s);
    return rc;
}

int main(int argc, char **argv)
{
    static Options opts;
    static Emu emu;
    Emu *e = &emu;
    if (sl_repl_wanted(argc, argv)) /* --repl, or no arguments on a terminal: the debugger */
        return sl_repl_main(argc, argv);
    if (parse_args(argc, argv, &opts) < 0) {
        fputs("Try 'slemu --help'.\n", stderr);
        return EXIT_USAGE;
    }
    if (opts.setup)
        return setup_main(&opts);
    e->io = &sl_portio_emu;
    e->image_path = opts.image;
    e->quiet = opts.quiet;
    e->count = opts.count;
    sl_live_catch_signals();
    sl_progress_init(&e->progress, stderr, opts.quiet || opts.no_progress);
    if (load(e, &opts) < 0)
        return EXIT_RUN;
    if (bind_ports(e, &opts) < 0)
        return EXIT_USAGE;
    int opened = open_files(e) == 0;
    e->end_ns = opts.duration_ns ? sl_live_now_ns() + opts.duration_ns : 0;
    int ok = opened && run_all(e) == 0;
    ok &= close_files(e) == 0;
    if (opened && !opts.quiet)
        print_summary(e);
    if (opts.json)
        print_json(e, ok);
    return ok ? 0 : EXIT_RUN;
}
