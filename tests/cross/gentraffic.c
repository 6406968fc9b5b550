/* gentraffic: the router benchmark's traffic (bench/traffic.c) as a frame file, for slrun.
 *
 *   gentraffic COUNT SEED OUT.slf
 *
 * Frame i arrives on its traffic port at i microseconds. Same count and seed, same bytes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"
#include "traffic.h"

int main(int argc, char **argv)
{
    if (argc != 4) {
        fputs("usage: gentraffic COUNT SEED OUT.slf\n", stderr);
        return 2;
    }
    char *e1, *e2;
    unsigned long count = strtoul(argv[1], &e1, 0);
    unsigned long long seed = strtoull(argv[2], &e2, 0);
    if (*e1 || *e2 || !count || count > 10000000) {
        fputs("gentraffic: bad COUNT or SEED\n", stderr);
        return 2;
    }
    Traffic t;
    if (traffic_generate(&t, (uint32_t)count, seed) < 0) {
        fputs("gentraffic: out of memory\n", stderr);
        return 1;
    }
    FILE *f = fopen(argv[3], "wb");
    int ok = f != NULL;
    uint8_t hdr[SL_FRAMES_HEADER_SIZE];
    sl_frames_header(hdr);
    ok = ok && fwrite(hdr, 1, sizeof hdr, f) == sizeof hdr;
    for (uint32_t i = 0; ok && i < t.count; i++) {
        uint8_t rec[SL_FRAMES_RECORD_SIZE];
        sl_frames_record(rec, (uint64_t)i * 1000u, t.in_port[i], t.len[i]);
        ok = fwrite(rec, 1, sizeof rec, f) == sizeof rec &&
             fwrite(t.bytes + t.offset[i], 1, t.len[i], f) == t.len[i];
    }
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok)
        fprintf(stderr, "gentraffic: %s: %s\n", argv[3], strerror(errno));
    traffic_free(&t);
    return ok ? 0 : 1;
}
