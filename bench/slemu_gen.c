/* Writes the router benchmark's traffic (traffic.c) as a pcap file, for the end-to-end slemu
 * benchmark (bench/slemu_bench.sh):
 *
 *   slemu_gen [--packets N] [--seed S] OUT.pcap
 *
 * LINKTYPE_ETHERNET, nanosecond timestamps one microsecond apart from 2026-01-01. Frames keep
 * the generator's order; their in_port is not recorded (slemu reads the whole file on one port).
 * Same N and S give the same bytes on every host. */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "traffic.h"

static const uint64_t T0_NS = 1767225600ull * 1000000000u; /* 2026-01-01T00:00:00Z */

static int parse_u64(const char *s, uint64_t *v)
{
    char *end;
    if (!*s || *s == '-')
        return -1;
    *v = strtoull(s, &end, 0);
    return *end ? -1 : 0;
}

int main(int argc, char **argv)
{
    uint64_t packets = 1000000, seed = 1;
    const char *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--packets") == 0) {
            if (parse_u64(argv[++i], &packets) < 0 || packets == 0 || packets > UINT32_MAX)
                goto usage;
        } else if (i + 1 < argc && strcmp(argv[i], "--seed") == 0) {
            if (parse_u64(argv[++i], &seed) < 0)
                goto usage;
        } else if (!out && argv[i][0] != '-') {
            out = argv[i];
        } else {
            goto usage;
        }
    }
    if (!out)
        goto usage;

    Traffic t;
    if (traffic_generate(&t, (uint32_t)packets, seed) < 0) {
        fprintf(stderr, "slemu_gen: out of memory\n");
        return 1;
    }
    pcap_t *dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_NANO);
    pcap_dumper_t *d = dead ? pcap_dump_open(dead, out) : NULL;
    if (!d) {
        fprintf(stderr, "slemu_gen: %s: %s\n", out, dead ? pcap_geterr(dead) : "cannot set up a writer");
        return 1;
    }
    for (uint32_t i = 0; i < t.count; i++) {
        uint64_t ns = T0_NS + (uint64_t)i * 1000u;
        struct pcap_pkthdr h;
        h.ts.tv_sec = (time_t)(ns / 1000000000u);
        h.ts.tv_usec = (suseconds_t)(ns % 1000000000u); /* nanoseconds in a nano-precision file */
        h.caplen = h.len = t.len[i];
        pcap_dump((u_char *)d, &h, t.bytes + t.offset[i]);
    }
    int bad = pcap_dump_flush(d) != 0 || ferror(pcap_dump_file(d));
    pcap_dump_close(d);
    pcap_close(dead);
    traffic_free(&t);
    if (bad) {
        fprintf(stderr, "slemu_gen: %s: write error\n", out);
        return 1;
    }
    return 0;

usage:
    fprintf(stderr, "usage: slemu_gen [--packets N] [--seed S] OUT.pcap\n");
    return 2;
}
