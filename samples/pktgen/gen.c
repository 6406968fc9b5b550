/* Writes the pktgen sample's input: DIR/ctl.pcap, the command frames a PC sends to the
 * generator's ctl port (README.md has the script and the frames that must come out). The same
 * bytes every time: the committed file is this program's output. */
#include <stdio.h>

#include "../genlib/genlib.h"

#include "bytes.h"

#define PC 0x020000000099ull     /* the controlling PC */
#define PKTGEN 0x025047000001ull /* the generator */

/* A command frame: op 1 start (stream, count, size, burst, dst), 2 stop. */
static void command(FILE *out, uint64_t ms, uint8_t op, uint8_t stream, uint32_t count, uint16_t size,
                    uint8_t burst, uint64_t dst)
{
    GenFrame f;
    uint8_t c[19] = {0};
    sl_put_be32(c, 0x534c5043); /* "SLPC" */
    c[4] = op;
    c[5] = stream;
    sl_put_be32(c + 6, count);
    sl_put_be16(c + 10, size);
    c[12] = burst;
    for (int i = 0; i < 6; i++)
        c[13 + i] = (uint8_t)(dst >> (40 - 8 * i));
    gen_eth(&f, PKTGEN, PC, 0x88b6);
    gen_bytes(&f, c, sizeof c);
    gen_pad(&f);
    gen_pcap_put(out, gen_ms(ms), &f);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen DIR   (writes DIR/ctl.pcap)\n");
        return 2;
    }
    FILE *out = gen_pcap_open(argv[1], "ctl.pcap");
    if (!out)
        return 1;
    /* 0 ms: stream 1, 10 frames of 80 bytes, 2 per tick, to 02:00:00:00:00:77 */
    command(out, 0, 1, 1, 10, 80, 2, 0x020000000077ull);
    /* 45 ms: stream 2 replaces it: 4 frames of 200 bytes, 1 per tick, broadcast */
    command(out, 45, 1, 2, 4, 200, 1, 0xffffffffffffull);
    /* 100 ms: stop (nothing is left by then) */
    command(out, 100, 2, 0, 0, 0, 0, 0);
    /* 103 ms: a frame that is no command (ignored); 130 ms: stream 3, 3 frames of 9000 bytes
     * (sizes are clamped to 1514), burst 50 (clamped to 32) */
    GenFrame f;
    gen_eth(&f, PKTGEN, PC, 0x0800);
    gen_pattern(&f, 46);
    gen_pcap_put(out, gen_ms(103), &f);
    command(out, 130, 1, 3, 3, 9000, 50, 0x020000000077ull);
    /* 200 ms: stop; the capture's last frame, which lets the timers run up to it */
    command(out, 200, 2, 0, 0, 0, 0, 0);
    return gen_pcap_close(out) < 0;
}
