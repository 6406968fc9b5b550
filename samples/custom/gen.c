/* Writes the custom sample's inputs: DIR/lan.pcap, the IPv4 traffic that encap.sl carries into
 * the tunnel, and DIR/bad.pcap, tunnel frames crafted to test decap.sl's checks (README.md has
 * both scripts). The same bytes every time: the committed files are this program's output. */
#include <stdio.h>

#include "../genlib/genlib.h"

#include "bytes.h"

#define HOST 0x020000010010ull   /* 10.1.0.16, the sender on the encapsulator's lan */
#define ENCAP 0x025c00000001ull  /* encap.sl's MAC */
#define DECAP 0x025c00000002ull  /* decap.sl's MAC */

static unsigned row;

/* A UDP datagram from the lan host to dst with n payload bytes (IPv4 id 0x100 + row). */
static void udp(GenFrame *f, uint32_t dst, unsigned n)
{
    gen_eth(f, ENCAP, HOST, 0x0800);
    unsigned ip = gen_ipv4(f, gen_ip(10, 1, 0, 16), dst, 17, 64, (uint16_t)(0x100 + row));
    gen_udp(f, ip, (uint16_t)(41000 + row), 9, n);
}

/* A tunnel frame of sltun.sl's format carrying a UDP datagram, with the checks' fields given. */
static void tunnel(GenFrame *f, uint16_t magic, unsigned version, unsigned channel, uint32_t seq)
{
    GenFrame in;
    udp(&in, gen_ip(10, 2, 0, 20), 32);
    unsigned len = in.len - 14;
    gen_eth(f, DECAP, ENCAP, 0x88b5);
    uint8_t h[12];
    sl_put_be16(h, magic);
    h[2] = (uint8_t)(version << 4);
    h[3] = (uint8_t)channel;
    sl_put_be32(h + 4, seq);
    sl_put_be16(h + 8, len);
    sl_put_be16(h + 10, 0);
    sl_put_be16(h + 10, gen_csum(h, 12, 0));
    gen_bytes(f, h, sizeof h);
    gen_bytes(f, in.b + 14, len);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen DIR   (writes DIR/lan.pcap, DIR/bad.pcap)\n");
        return 2;
    }
    FILE *lan = gen_pcap_open(argv[1], "lan.pcap");
    if (!lan)
        return 1;
    GenFrame f;
    udp(&f, gen_ip(10, 2, 0, 20), 64); /* 0: channel 1, seq 0 */
    gen_pcap_put(lan, gen_ms(row++), &f);
    gen_eth(&f, ENCAP, HOST, 0x0800); /* 1: TCP to 10.3.0.30: channel 2, seq 0 */
    gen_tcp(&f, gen_ipv4(&f, gen_ip(10, 1, 0, 16), gen_ip(10, 3, 0, 30), 6, 64, (uint16_t)(0x100 + row)),
            40001, 80, 1, 0, GEN_SYN, 0);
    gen_pad(&f);
    gen_pcap_put(lan, gen_ms(row++), &f);
    gen_eth(&f, ENCAP, HOST, 0x0800); /* 2: a small ping, padded to 60 bytes: channel 1, seq 1 */
    gen_icmp_echo(&f, gen_ipv4(&f, gen_ip(10, 1, 0, 16), gen_ip(10, 2, 0, 20), 1, 64, (uint16_t)(0x100 + row)),
                  8, 1, 1, 4);
    gen_pad(&f);
    gen_pcap_put(lan, gen_ms(row++), &f);
    udp(&f, gen_ip(10, 9, 9, 9), 32); /* 3: no channel: dropped */
    gen_pcap_put(lan, gen_ms(row++), &f);
    gen_eth(&f, 0xffffffffffffull, HOST, 0x0806); /* 4: ARP is not carried */
    gen_arp(&f, 1, HOST, gen_ip(10, 1, 0, 16), 0, gen_ip(10, 1, 0, 1));
    gen_pad(&f);
    gen_pcap_put(lan, gen_ms(row++), &f);
    udp(&f, gen_ip(10, 2, 0, 21), 1000); /* 5: 1000 bytes to 10.2.0.21: channel 1, seq 2 */
    gen_pcap_put(lan, gen_ms(row++), &f);
    udp(&f, gen_ip(10, 2, 0, 20), 32); /* 6: a broken IPv4 header checksum: dropped */
    f.b[25] ^= 0xff;
    gen_pcap_put(lan, gen_ms(row++), &f);
    udp(&f, gen_ip(10, 3, 0, 99), 32); /* 7: channel 2, seq 1, to a host decap does not know */
    gen_pcap_put(lan, gen_ms(row++), &f);
    int bad = gen_pcap_close(lan) < 0;

    FILE *b = gen_pcap_open(argv[1], "bad.pcap");
    if (!b)
        return 1;
    row = 0x10;
    tunnel(&f, 0x534c, 1, 1, 0); /* 0: good: seq 0 */
    gen_pcap_put(b, gen_ms(row++), &f);
    tunnel(&f, 0x534c, 1, 1, 0); /* 1: seq 0 again: a replay, dropped */
    gen_pcap_put(b, gen_ms(row++), &f);
    tunnel(&f, 0x534c, 1, 1, 3); /* 2: seq 3: good, 2 frames lost */
    gen_pcap_put(b, gen_ms(row++), &f);
    tunnel(&f, 0x534c, 1, 1, 4); /* 3: a broken header checksum */
    f.b[24] ^= 1;
    gen_pcap_put(b, gen_ms(row++), &f);
    tunnel(&f, 0x4c53, 1, 1, 5); /* 4: a wrong magic */
    gen_pcap_put(b, gen_ms(row++), &f);
    tunnel(&f, 0x534c, 2, 1, 6); /* 5: version 2 */
    gen_pcap_put(b, gen_ms(row++), &f);
    tunnel(&f, 0x534c, 1, 9, 7); /* 6: channel 9 */
    gen_pcap_put(b, gen_ms(row++), &f);
    tunnel(&f, 0x534c, 1, 1, 8); /* 7: cut short: length says more than the frame has */
    f.len -= 5;
    gen_pcap_put(b, gen_ms(row++), &f);
    tunnel(&f, 0x534c, 1, 1, 9); /* 8: the inner IPv4 header's checksum broken */
    f.b[26 + 10] ^= 0x10;
    gen_pcap_put(b, gen_ms(row++), &f);
    bad |= gen_pcap_close(b) < 0;
    return bad;
}
