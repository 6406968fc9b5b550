/* Writes the l2switch sample's inputs: DIR/in0.pcap .. DIR/in3.pcap, what arrives on switch
 * ports 0..3 (ports 0, 1: access VLAN 10; port 2: access VLAN 20; port 3: trunk). README.md
 * has the script and where each frame must go. The same bytes every time: the committed files
 * are this program's output. UDP frames carry the row number in their source port (40000 +
 * row) and in the IPv4 identification. */
#include <stdio.h>

#include "../genlib/genlib.h"

/* Hosts: A, B on VLAN 10 access ports, C on VLAN 20, R a router on the trunk in both VLANs,
 * T a host behind the trunk in VLAN 10. */
enum { A = 0x0a, B = 0x0b, C = 0x0c, R = 0x01, T = 0x1a };
#define MAC(h) (0x020000000000ull + (h))
#define BCAST 0xffffffffffffull
#define MCAST 0x01005e000001ull

static FILE *out[4];
static unsigned row;

/* A UDP frame from host s to MAC dst arriving on port at ms; vid != 0 tags it. */
static void udp(unsigned port, uint64_t ms, unsigned s, uint64_t dst, uint16_t vid)
{
    GenFrame f;
    gen_eth(&f, dst, MAC(s), 0x0800);
    unsigned ip = gen_ipv4(&f, gen_ip(10, 0, 0, s), gen_ip(10, 0, 0, (unsigned)(dst & 0xff)), 17, 64,
                           (uint16_t)(0x100 + row));
    gen_udp(&f, ip, (uint16_t)(40000 + row), 9, 32);
    if (vid)
        gen_vlan(&f, vid);
    gen_pcap_put(out[port], gen_ms(ms), &f);
    row++;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen DIR   (writes DIR/in0.pcap .. DIR/in3.pcap)\n");
        return 2;
    }
    static const char *const names[4] = {"in0.pcap", "in1.pcap", "in2.pcap", "in3.pcap"};
    for (int i = 0; i < 4; i++)
        if (!(out[i] = gen_pcap_open(argv[1], names[i])))
            return 1;
    GenFrame f;
    /* 0: A asks who has 10.0.0.1 (R): flooded in VLAN 10 */
    gen_eth(&f, BCAST, MAC(A), 0x0806);
    gen_arp(&f, 1, MAC(A), gen_ip(10, 0, 0, A), 0, gen_ip(10, 0, 0, 1));
    gen_pad(&f);
    gen_pcap_put(out[0], gen_ms(0), &f);
    row++;
    /* 1: R answers on the trunk, tagged 10 */
    gen_eth(&f, MAC(A), MAC(R), 0x0806);
    gen_arp(&f, 2, MAC(R), gen_ip(10, 0, 0, 1), MAC(A), gen_ip(10, 0, 0, A));
    gen_pad(&f);
    gen_vlan(&f, 10);
    gen_pcap_put(out[3], gen_ms(1), &f);
    row++;
    udp(0, 2, A, MAC(R), 0);     /* 2: A -> R: known in VLAN 10 */
    udp(2, 3, C, MAC(R), 0);     /* 3: C -> R: R is unknown in VLAN 20, flooded there */
    udp(3, 4, R, MAC(C), 20);    /* 4: R -> C, tagged 20 */
    udp(2, 5, C, MAC(R), 0);     /* 5: C -> R: known in VLAN 20 now */
    udp(1, 6, B, MAC(A), 0);     /* 6: B -> A */
    udp(0, 7, A, MAC(B), 0);     /* 7: A -> B */
    udp(0, 8, A, MAC(C), 0);     /* 8: A -> C: C is only known in VLAN 20, flooded in 10 */
    udp(1, 9, B, MAC(A), 10);    /* 9: a tagged frame on an access port: dropped */
    udp(3, 10, R, MAC(A), 0);    /* 10: an untagged frame on the trunk: dropped */
    udp(3, 11, R, MAC(A), 30);   /* 11: VLAN 30 is not configured: dropped */
    udp(3, 12, T, MAC(A), 10);   /* 12: T -> A from the trunk */
    udp(0, 13, A, MAC(T), 0);    /* 13: A -> T */
    gen_eth(&f, MAC(A), MAC(B), 0x0800); /* 14: a 10-byte runt: dropped */
    f.len = 10;
    gen_pcap_put(out[1], gen_ms(14), &f);
    row++;
    udp(1, 15, B, MCAST, 0);     /* 15: multicast from B: flooded in VLAN 10 */
    udp(0, 5000, A, MAC(B), 0);  /* 16: 5 s later B has aged out: flooded */
    udp(1, 5001, B, MAC(A), 0);  /* 17: B -> A (A learned again by 16) */
    udp(0, 5002, A, MAC(B), 0);  /* 18: A -> B: known again */
    udp(0, 5003, B, MAC(A), 0);  /* 19: B moves to port 0; A is there too: dropped */
    udp(3, 5004, T, MAC(B), 10); /* 20: T -> B: to B's new port */
    int bad = 0;
    for (int i = 0; i < 4; i++)
        bad |= gen_pcap_close(out[i]) < 0;
    return bad;
}
