/* Writes the nat sample's inputs: DIR/inside.pcap and DIR/outside.pcap, what arrives on ports
 * 0 (inside) and 1 (outside). README.md has the script and the translations. The same bytes
 * every time: the committed files are this program's output. Rows are numbered in the IPv4
 * identification (0x100 + row). */
#include <stdio.h>

#include "../genlib/genlib.h"

#define MAC_IN 0x020000000001ull  /* the inside side (hosts' frames carry it as source) */
#define MAC_OUT 0x020000000002ull /* the outside router */

enum { IN, OUT };

static FILE *out[2];
static unsigned row;

static void frame_start(GenFrame *f, unsigned port)
{
    gen_eth(f, port == IN ? MAC_OUT : MAC_IN, port == IN ? MAC_IN : MAC_OUT, 0x0800);
}

static void tcp(unsigned port, uint64_t ms, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
                uint8_t flags)
{
    GenFrame f;
    frame_start(&f, port);
    unsigned ip = gen_ipv4(&f, src, dst, 6, 64, (uint16_t)(0x100 + row));
    gen_tcp(&f, ip, sport, dport, 1000 + row, flags & GEN_ACK ? 5000 + row : 0, flags, flags & GEN_PSH ? 48 : 0);
    gen_pad(&f);
    gen_pcap_put(out[port], gen_ms(ms), &f);
    row++;
}

/* A UDP datagram; nocsum sends it without a checksum. */
static void udp(unsigned port, uint64_t ms, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
                int nocsum)
{
    GenFrame f;
    frame_start(&f, port);
    unsigned ip = gen_ipv4(&f, src, dst, 17, 64, (uint16_t)(0x100 + row));
    gen_udp(&f, ip, sport, dport, 40);
    if (nocsum)
        f.b[ip + 26] = f.b[ip + 27] = 0;
    gen_pcap_put(out[port], gen_ms(ms), &f);
    row++;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen DIR   (writes DIR/inside.pcap, DIR/outside.pcap)\n");
        return 2;
    }
    if (!(out[IN] = gen_pcap_open(argv[1], "inside.pcap")) || !(out[OUT] = gen_pcap_open(argv[1], "outside.pcap")))
        return 1;
    uint32_t a = gen_ip(10, 0, 0, 10), b = gen_ip(10, 0, 0, 11), x = gen_ip(198, 51, 100, 7);
    uint32_t srv = gen_ip(192, 0, 2, 9), pub = gen_ip(203, 0, 113, 1);
    GenFrame f;

    tcp(IN, 0, a, 40000, x, 80, GEN_SYN);                 /* 0: A's connection: port 20000 */
    tcp(OUT, 1, x, 80, pub, 20000, GEN_SYN | GEN_ACK);    /* 1: back to A:40000 */
    tcp(IN, 2, a, 40000, x, 80, GEN_ACK | GEN_PSH);       /* 2: same binding */
    tcp(IN, 3, b, 40000, x, 80, GEN_SYN);                 /* 3: B, same port: 20001 */
    tcp(OUT, 4, x, 80, pub, 20001, GEN_SYN | GEN_ACK);    /* 4: back to B:40000 */
    udp(IN, 5, a, 41000, srv, 7000, 0);                    /* 5: UDP from A: 20002 */
    udp(OUT, 6, srv, 7000, pub, 20002, 0);                /* 6: back to A:41000 */
    udp(IN, 7, b, 6000, srv, 7000, 1);                    /* 7: no checksum: 20003, stays 0 */
    udp(OUT, 8, srv, 7000, pub, 20099, 0);                /* 8: unallocated port: dropped */
    udp(OUT, 9, x, 80, pub, 20000, 0);                    /* 9: 20000 is TCP: dropped */
    udp(OUT, 10, srv, 7000, gen_ip(203, 0, 113, 99), 20002, 0); /* 10: not our address */
    frame_start(&f, IN);                                  /* 11: ICMP is not translated */
    gen_icmp_echo(&f, gen_ipv4(&f, a, x, 1, 64, (uint16_t)(0x100 + row)), 8, 1, 1, 32);
    gen_pcap_put(out[IN], gen_ms(11), &f);
    row++;
    udp(OUT, 4000, srv, 7000, pub, 20002, 0);             /* 12: UDP binding expired (3 s) */
    tcp(IN, 4001, a, 40000, x, 80, GEN_ACK | GEN_PSH);    /* 13: TCP binding alive (10 s) */
    udp(IN, 4002, a, 41000, srv, 7000, 0);                 /* 14: A again: a new port, 20004 */
    tcp(OUT, 4003, x, 80, pub, 20000, GEN_ACK | GEN_PSH); /* 15: back to A:40000 */
    tcp(OUT, 20000, x, 80, pub, 20000, GEN_ACK | GEN_PSH); /* 16: 16 s idle: expired, dropped */
    tcp(IN, 20001, a, 40001, x, 443, GEN_SYN);            /* 17: a new connection: 20005 */
    udp(IN, 20002, gen_ip(192, 168, 7, 7), 1234, srv, 7000, 0); /* 18: not from 10/8: dropped */
    int bad = gen_pcap_close(out[IN]) < 0;
    bad |= gen_pcap_close(out[OUT]) < 0;
    return bad;
}
