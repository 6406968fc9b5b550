/* slframes: the host side of the frame file (frames.h) and of slrun's outputs (report.h).
 *
 *   slframes pcap2frames -i PORT=FILE... -o OUT.slf    pcap/pcapng captures to one frame file
 *   slframes frames2pcap IN.slf -o PORT=FILE... [-o FILE]
 *   slframes dump FILE.slf                            the frames as text
 *   slframes counters FILE                            a counters record as text
 *   slframes log FILE                                 a run log as text
 *
 * pcap2frames merges its inputs as slemu does (emu/README.md): by timestamp, ties to the lower
 * port, each file's own order kept; Ethernet captures only; a frame cut by the snapshot length
 * keeps its captured bytes. frames2pcap writes what slemu writes: pcap, LINKTYPE_ETHERNET,
 * nanosecond timestamps, snapshot length 262144 (longer frames cut to it, their length kept),
 * so a sample's outputs compare byte for byte with slemu's. Frames on a port with no -o PORT=
 * go to the -o FILE without a port, or are counted as dropped.
 *
 * Exit status: 0, 1 for a file that cannot be read, parsed or written, 2 for bad arguments. */
#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "frames.h"
#include "report.h"
#include "vm.h"

enum {
    MAX_PORTS = 4096,
    PCAP_SNAPLEN = 262144,
    EXIT_FAIL = 1,
    EXIT_USAGE = 2,
};

static const char USAGE[] =
    "usage: slframes pcap2frames [--image IMAGE.slb] -i PORT=FILE [-i PORT=FILE]... -o OUT.slf\n"
    "       slframes frames2pcap [--image IMAGE.slb] IN.slf -o PORT=FILE [-o PORT=FILE]... [-o FILE]\n"
    "       (PORT: a number, or with --image a port name the image declares)\n"
    "       slframes dump FILE.slf\n"
    "       slframes counters FILE\n"
    "       slframes log FILE\n";

static _Noreturn void usage(const char *msg, const char *arg)
{
    if (msg)
        fprintf(stderr, "slframes: %s%s\n", msg, arg ? arg : "");
    fputs(USAGE, stderr);
    exit(EXIT_USAGE);
}

/* The image whose port names -i/-o may use (--image). */
typedef struct Names {
    uint8_t *bytes;
    SlImage img;
} Names;

/* Finds --image FILE among args and loads it; exits on a bad image. */
static void names_load(int argc, char **argv, Names *n)
{
    memset(n, 0, sizeof *n);
    for (int i = 0; i + 1 < argc; i++) {
        if (strcmp(argv[i], "--image") != 0)
            continue;
        size_t len;
        char err[256];
        n->bytes = (uint8_t *)sl_file_read(argv[i + 1], &len);
        if (!n->bytes) {
            fprintf(stderr, "slframes: %s: %s\n", argv[i + 1], strerror(errno));
            exit(EXIT_FAIL);
        }
        if (sl_image_parse(n->bytes, len, &n->img, err, sizeof err) < 0) {
            fprintf(stderr, "slframes: %s: %s\n", argv[i + 1], err);
            exit(EXIT_FAIL);
        }
        return;
    }
}

/* The port named name[0..len) in the image, or -1. */
static long names_find(const Names *n, const char *name, size_t len)
{
    for (uint32_t i = 0; n->bytes && i < n->img.port_count; i++) {
        uint32_t plen;
        const char *p = sl_image_port_name(&n->img, i, &plen);
        if (plen == len && memcmp(p, name, len) == 0)
            return (long)i;
    }
    return -1;
}

/* "PORT=FILE" (or "FILE" when bare_ok: port -1); PORT a number or a port name of the image. */
static void parse_binding(const Names *names, const char *arg, int bare_ok, long *port, const char **path)
{
    const char *eq = strchr(arg, '=');
    if (!eq) {
        if (!bare_ok)
            usage("expected PORT=FILE, got ", arg);
        *port = -1;
        *path = arg;
        return;
    }
    char *end;
    errno = 0;
    long p = strtol(arg, &end, 10);
    if (end != eq || end == arg || errno) {
        p = names_find(names, arg, (size_t)(eq - arg));
        if (p < 0)
            usage(names->bytes ? "no such port number or name in the image: " : "bad port (a name needs --image) in ",
                  arg);
    }
    if (p < 0 || p >= MAX_PORTS)
        usage("bad port in ", arg);
    *port = p;
    *path = eq + 1;
}

/* ---- pcap2frames ----------------------------------------------------------------------- */

typedef struct Input {
    long port;
    const char *path;
    pcap_t *pcap;
    struct pcap_pkthdr *h;
    const u_char *data;
    int live;
} Input;

static int input_next(Input *in)
{
    int rc = pcap_next_ex(in->pcap, &in->h, &in->data);
    if (rc == PCAP_ERROR_BREAK) {
        in->live = 0;
        return 0;
    }
    if (rc != 1) {
        fprintf(stderr, "slframes: %s: %s\n", in->path, pcap_geterr(in->pcap));
        return -1;
    }
    in->live = 1;
    return 1;
}

static uint64_t tstamp_ns(const struct pcap_pkthdr *h)
{
    /* Nanosecond mode: tv_usec holds nanoseconds. Wrapping arithmetic as slemu. */
    return (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;
}

static int by_port(const void *a, const void *b)
{
    const Input *x = a, *y = b;
    return (x->port > y->port) - (x->port < y->port);
}

static int write_all(FILE *f, const void *p, size_t n) { return n == 0 || fwrite(p, 1, n, f) == n ? 0 : -1; }

static int cmd_pcap2frames(int argc, char **argv)
{
    Input *ins = calloc((size_t)argc, sizeof *ins);
    int nin = 0;
    const char *out = NULL;
    if (!ins)
        return EXIT_FAIL;
    Names names;
    names_load(argc, argv, &names);
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--image") && i + 1 < argc) {
            i++;
        } else if (!strcmp(argv[i], "-i") && i + 1 < argc) {
            parse_binding(&names, argv[++i], 0, &ins[nin].port, &ins[nin].path);
            for (int j = 0; j < nin; j++) {
                if (ins[j].port == ins[nin].port)
                    usage("two inputs for one port: ", argv[i]);
            }
            nin++;
        } else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
            out = argv[++i];
        } else {
            usage("pcap2frames: unexpected ", argv[i]);
        }
    }
    if (!nin || !out)
        usage("pcap2frames needs -i PORT=FILE and -o OUT.slf", NULL);
    qsort(ins, (size_t)nin, sizeof *ins, by_port);
    int rc = 0;
    for (int i = 0; i < nin && !rc; i++) {
        char perr[PCAP_ERRBUF_SIZE] = "";
        ins[i].pcap = pcap_open_offline_with_tstamp_precision(ins[i].path, PCAP_TSTAMP_PRECISION_NANO, perr);
        if (!ins[i].pcap) {
            fprintf(stderr, "slframes: %s: %s\n", ins[i].path, perr);
            rc = EXIT_FAIL;
        } else if (pcap_datalink(ins[i].pcap) != DLT_EN10MB) {
            int dlt = pcap_datalink(ins[i].pcap);
            const char *name = pcap_datalink_val_to_name(dlt);
            fprintf(stderr,
                    "slframes: %s: link type %d (%s) is not Ethernet; frame files hold Ethernet frames\n",
                    ins[i].path, dlt, name ? name : "unknown");
            rc = EXIT_FAIL;
        } else if (input_next(&ins[i]) < 0) {
            rc = EXIT_FAIL;
        }
    }
    FILE *f = rc ? NULL : fopen(out, "wb");
    if (!rc && !f) {
        fprintf(stderr, "slframes: %s: %s\n", out, strerror(errno));
        rc = EXIT_FAIL;
    }
    uint64_t n = 0;
    if (f) {
        uint8_t hdr[SL_FRAMES_HEADER_SIZE];
        sl_frames_header(hdr);
        if (write_all(f, hdr, sizeof hdr) < 0)
            rc = EXIT_FAIL;
    }
    while (f && !rc) {
        Input *best = NULL;
        for (int i = 0; i < nin; i++) {
            if (ins[i].live && (!best || tstamp_ns(ins[i].h) < tstamp_ns(best->h)))
                best = &ins[i];
        }
        if (!best)
            break;
        uint8_t rec[SL_FRAMES_RECORD_SIZE];
        sl_frames_record(rec, tstamp_ns(best->h), (uint32_t)best->port, best->h->caplen);
        if (write_all(f, rec, sizeof rec) < 0 || write_all(f, best->data, best->h->caplen) < 0)
            rc = EXIT_FAIL;
        n++;
        if (input_next(best) < 0)
            rc = EXIT_FAIL;
    }
    if (f && (fclose(f) != 0 || rc)) {
        if (!rc)
            fprintf(stderr, "slframes: %s: write error: %s\n", out, strerror(errno));
        rc = EXIT_FAIL;
    }
    for (int i = 0; i < nin; i++) {
        if (ins[i].pcap)
            pcap_close(ins[i].pcap);
    }
    free(ins);
    free(names.bytes);
    if (!rc)
        fprintf(stderr, "slframes: %" PRIu64 " frames to %s\n", n, out);
    return rc;
}

/* ---- Reading frame files --------------------------------------------------------------- */

/* Reads and checks a frame file. NULL after a message. */
static uint8_t *load_frames(const char *path, size_t *size)
{
    uint8_t *buf = (uint8_t *)sl_file_read(path, size);
    if (!buf) {
        fprintf(stderr, "slframes: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    int rc = sl_frames_check(buf, *size);
    if (rc < 0) {
        fprintf(stderr, "slframes: %s: %s\n", path, sl_frames_error(rc));
        free(buf);
        return NULL;
    }
    return buf;
}

/* ---- frames2pcap ----------------------------------------------------------------------- */

typedef struct Sink {
    const char *path;
    pcap_t *pcap;
    pcap_dumper_t *dumper;
} Sink;

static int sink_open(Sink *s)
{
    s->pcap = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, PCAP_SNAPLEN, PCAP_TSTAMP_PRECISION_NANO);
    if (!s->pcap) {
        fprintf(stderr, "slframes: %s: cannot set up a pcap writer\n", s->path);
        return -1;
    }
    s->dumper = pcap_dump_open(s->pcap, s->path);
    if (!s->dumper) {
        fprintf(stderr, "slframes: %s\n", pcap_geterr(s->pcap));
        return -1;
    }
    return 0;
}

static int sink_close(Sink *s)
{
    int rc = 0;
    if (s->dumper) {
        errno = 0;
        if (pcap_dump_flush(s->dumper) != 0 || ferror(pcap_dump_file(s->dumper))) {
            fprintf(stderr, "slframes: %s: write error: %s\n", s->path, strerror(errno));
            rc = -1;
        }
        pcap_dump_close(s->dumper);
    }
    if (s->pcap)
        pcap_close(s->pcap);
    return rc;
}

static int cmd_frames2pcap(int argc, char **argv)
{
    const char *in = NULL;
    Sink *sinks = calloc(MAX_PORTS + 1, sizeof *sinks); /* [MAX_PORTS]: every other port */
    if (!sinks)
        return EXIT_FAIL;
    Names names;
    names_load(argc, argv, &names);
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--image") && i + 1 < argc) {
            i++;
        } else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
            long port;
            const char *path;
            parse_binding(&names, argv[++i], 1, &port, &path);
            Sink *s = &sinks[port < 0 ? MAX_PORTS : port];
            if (s->path)
                usage("two outputs for one port: ", argv[i]);
            s->path = path;
        } else if (!in && argv[i][0] != '-') {
            in = argv[i];
        } else {
            usage("frames2pcap: unexpected ", argv[i]);
        }
    }
    if (!in)
        usage("frames2pcap needs IN.slf", NULL);
    size_t size;
    uint8_t *buf = load_frames(in, &size);
    int rc = buf ? 0 : EXIT_FAIL;
    for (int p = 0; p <= MAX_PORTS && !rc; p++) {
        if (sinks[p].path && sink_open(&sinks[p]) < 0)
            rc = EXIT_FAIL;
    }
    size_t off = SL_FRAMES_HEADER_SIZE;
    SlFrame f;
    uint64_t n = 0, dropped = 0;
    int more;
    while (!rc && (more = sl_frames_next(buf, size, &off, &f)) != 0) {
        if (more < 0) {
            fprintf(stderr, "slframes: %s: record %" PRIu64 ": %s\n", in, n + dropped, sl_frames_error(more));
            rc = EXIT_FAIL;
            break;
        }
        Sink *s = f.port < MAX_PORTS && sinks[f.port].dumper ? &sinks[f.port] : &sinks[MAX_PORTS];
        if (!s->dumper) {
            dropped++;
            continue;
        }
        struct pcap_pkthdr h;
        h.ts.tv_sec = (time_t)(f.tstamp_ns / 1000000000u);
        h.ts.tv_usec = (suseconds_t)(f.tstamp_ns % 1000000000u);
        h.caplen = f.len < PCAP_SNAPLEN ? f.len : PCAP_SNAPLEN;
        h.len = f.len;
        pcap_dump((u_char *)s->dumper, &h, f.data);
        n++;
    }
    for (int p = 0; p <= MAX_PORTS; p++) {
        if (sink_close(&sinks[p]) < 0)
            rc = EXIT_FAIL;
    }
    if (!rc)
        fprintf(stderr, "slframes: %" PRIu64 " frames written, %" PRIu64 " on ports with no output\n", n,
                dropped);
    free(sinks);
    free(names.bytes);
    free(buf);
    return rc;
}

/* ---- Text views ------------------------------------------------------------------------ */

static void print_hex(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("%s%02x", i % 16 ? " " : (i ? "\n    " : "    "), p[i]);
    if (n)
        putchar('\n');
}

static int cmd_dump(int argc, char **argv)
{
    if (argc != 1)
        usage("dump takes one file", NULL);
    size_t size;
    uint8_t *buf = load_frames(argv[0], &size);
    if (!buf)
        return EXIT_FAIL;
    size_t off = SL_FRAMES_HEADER_SIZE;
    SlFrame f;
    int rc;
    uint64_t i = 0;
    while ((rc = sl_frames_next(buf, size, &off, &f)) > 0) {
        printf("frame %" PRIu64 " t=%" PRIu64 " port=%" PRIu32 " len=%" PRIu32 "\n", i++, f.tstamp_ns, f.port,
               f.len);
        print_hex(f.data, f.len);
    }
    free(buf);
    if (rc < 0) {
        fprintf(stderr, "slframes: %s: record %" PRIu64 ": %s\n", argv[0], i, sl_frames_error(rc));
        return EXIT_FAIL;
    }
    return 0;
}

static int cmd_counters(int argc, char **argv)
{
    if (argc != 1)
        usage("counters takes one file", NULL);
    size_t size;
    uint8_t *buf = (uint8_t *)sl_file_read(argv[0], &size);
    if (!buf) {
        fprintf(stderr, "slframes: %s: %s\n", argv[0], strerror(errno));
        return EXIT_FAIL;
    }
    SlReport r;
    SlReportPort *ports = calloc(SL_MAX_PORTS, sizeof *ports);
    int rc = ports ? sl_report_decode(buf, size, &r, ports, SL_MAX_PORTS) : -SL_ENOMEM;
    if (rc < 0) {
        fprintf(stderr, "slframes: %s: not a counters record: %s\n", argv[0], sl_error_text(rc));
        free(ports);
        free(buf);
        return EXIT_FAIL;
    }
    printf("mode %s\n", r.mode == SL_REPORT_MODE_VM ? "vm" : "hv");
    for (unsigned i = 0; i < SL_REPORT_TOTALS; i++)
        printf("%s %" PRIu64 "\n", sl_report_total_name(i), r.total[i]);
    for (uint32_t p = 0; p < r.nports; p++)
        printf("port %" PRIu32 " in %" PRIu64 " in_bytes %" PRIu64 " out %" PRIu64 " out_bytes %" PRIu64 "\n",
               p,
               ports[p].in, ports[p].in_bytes, ports[p].out, ports[p].out_bytes);
    for (unsigned k = 1; k < SL_FAULT_COUNT; k++)
        printf("fault %s %" PRIu64 "\n", sl_fault_name(k), r.fault[k]);
    if (r.state_size) {
        printf("state %" PRIu32 " bytes\n", r.state_size);
        print_hex(r.state, r.state_size);
    }
    free(ports);
    free(buf);
    return 0;
}

static int cmd_log(int argc, char **argv)
{
    if (argc != 1)
        usage("log takes one file", NULL);
    size_t size;
    uint8_t *buf = (uint8_t *)sl_file_read(argv[0], &size);
    if (!buf) {
        fprintf(stderr, "slframes: %s: %s\n", argv[0], strerror(errno));
        return EXIT_FAIL;
    }
    uint8_t want[SL_RUNLOG_HEADER_SIZE];
    sl_runlog_header(want);
    int rc = 0;
    if (size < sizeof want || memcmp(buf, want, sizeof want) != 0) {
        fprintf(stderr, "slframes: %s: not a run log\n", argv[0]);
        rc = EXIT_FAIL;
    }
    size_t off = SL_RUNLOG_HEADER_SIZE;
    while (!rc && off < size) {
        uint32_t len;
        if (size - off < SL_RUNLOG_RECORD_SIZE ||
            size - off - SL_RUNLOG_RECORD_SIZE < (len = sl_runlog_len(buf + off))) {
            fprintf(stderr, "slframes: %s: record cut short at byte %zu\n", argv[0], off);
            rc = EXIT_FAIL;
            break;
        }
        SlResult res;
        uint32_t frame, handler;
        sl_runlog_decode(buf + off, &frame, &handler, &res);
        if (frame == (uint32_t)SL_RUNLOG_NO_FRAME)
            printf("event");
        else
            printf("frame %" PRIu32, frame);
        printf(" handler %" PRIu32 " ", handler);
        if (res.status == SL_RUN_FAULT)
            printf("fault %s @%" PRIu32 " trap=%" PRId32, sl_fault_name(res.fault), res.pc, res.trap);
        else if (res.verdict == SL_VERDICT_SEND)
            printf("send %" PRIu32, res.port);
        else
            printf("%s", res.verdict == SL_VERDICT_PUNT ? "punt" : "drop");
        printf(" insns %" PRIu64 " len %" PRIu32 "\n", res.insns, len);
        print_hex(buf + off + SL_RUNLOG_RECORD_SIZE, len);
        off += SL_RUNLOG_RECORD_SIZE + len;
    }
    free(buf);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        usage(NULL, NULL);
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
        fputs(USAGE, stdout);
        return 0;
    }
    if (!strcmp(cmd, "pcap2frames"))
        return cmd_pcap2frames(argc - 2, argv + 2);
    if (!strcmp(cmd, "frames2pcap"))
        return cmd_frames2pcap(argc - 2, argv + 2);
    if (!strcmp(cmd, "dump"))
        return cmd_dump(argc - 2, argv + 2);
    if (!strcmp(cmd, "counters"))
        return cmd_counters(argc - 2, argv + 2);
    if (!strcmp(cmd, "log"))
        return cmd_log(argc - 2, argv + 2);
    usage("unknown command ", cmd);
}
