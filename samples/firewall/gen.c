/* Writes the firewall sample's inputs: DIR/inside.pcap and DIR/outside.pcap, what arrives on
 * ports 0 (inside) and 1 (outside). README.md has the script and the firewall's verdicts. The
 * same bytes every time: the committed files are this program's output. */
#include <stdio.h>

#include "../genlib/genlib.h"

#define MAC_A 0x02000000000aull  /* 10.0.0.10, an inside host */
#define MAC_S 0x020000000050ull  /* 10.0.0.80, the inside web server */
#define MAC_GW 0x020000000101ull /* the outside router: every outside address is behind it */

enum { IN, OUT };

static FILE *out[2];
static unsigned row;

/* A TCP segment; its source port and sequence numbers come from the caller. Rows are numbered
 * in the IPv4 identification (0x100 + row) to find them in the outputs. */
static void tcp(unsigned port, uint64_t ms, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                uint8_t flags, unsigned n)
{
    GenFrame f;
    int from_in = port == IN;
    gen_eth(&f, from_in ? MAC_GW : (dst == gen_ip(10, 0, 0, 80) ? MAC_S : MAC_A),
            from_in ? (src == gen_ip(10, 0, 0, 80) ? MAC_S : MAC_A) : MAC_GW, 0x0800);
    unsigned ip = gen_ipv4(&f, src, dst, 6, 64, (uint16_t)(0x100 + row));
    gen_tcp(&f, ip, sport, dport, 1000 + row * 100, flags & GEN_ACK ? 2000 + row * 100 : 0, flags, n);
    gen_pad(&f);
    gen_pcap_put(out[port], gen_ms(ms), &f);
    row++;
}

/* A DNS query for example.com (type A), or its answer: UDP payloads tshark decodes cleanly
 * (NTP gets one too: tshark decodes port 123 as NTP, 48 bytes). */
static const uint8_t dns_query[29] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 7, 'e', 'x', 'a',
                                      'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1};
static const uint8_t dns_answer[45] = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 7, 'e', 'x',
                                       'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1,
                                       0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 93, 184, 216, 34};
static const uint8_t ntp_query[48] = {0x23};

static void udp(unsigned port, uint64_t ms, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
    GenFrame f;
    gen_eth(&f, port == IN ? MAC_GW : MAC_A, port == IN ? MAC_A : MAC_GW, 0x0800);
    unsigned ip = gen_ipv4(&f, src, dst, 17, 64, (uint16_t)(0x100 + row));
    if (dport == 123)
        gen_udp_data(&f, ip, sport, dport, ntp_query, sizeof ntp_query);
    else if (dport == 53)
        gen_udp_data(&f, ip, sport, dport, dns_query, sizeof dns_query);
    else
        gen_udp_data(&f, ip, sport, dport, dns_answer, sizeof dns_answer);
    gen_pcap_put(out[port], gen_ms(ms), &f);
    row++;
}

static void ping(unsigned port, uint64_t ms, uint32_t src, uint32_t dst, uint8_t type)
{
    GenFrame f;
    gen_eth(&f, port == IN ? MAC_GW : MAC_A, port == IN ? MAC_A : MAC_GW, 0x0800);
    unsigned ip = gen_ipv4(&f, src, dst, 1, 64, (uint16_t)(0x100 + row));
    gen_icmp_echo(&f, ip, type, 7, 1, 32);
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
    uint32_t a = gen_ip(10, 0, 0, 10), s = gen_ip(10, 0, 0, 80), x = gen_ip(198, 51, 100, 7);
    uint32_t x2 = gen_ip(198, 51, 100, 8), r = gen_ip(192, 0, 2, 53), z = gen_ip(203, 0, 113, 66);
    GenFrame f;

    /* 0..4: A opens a connection to X:80, data both ways */
    tcp(IN, 0, a, x, 40000, 80, GEN_SYN, 0);
    tcp(OUT, 1, x, a, 80, 40000, GEN_SYN | GEN_ACK, 0);
    tcp(IN, 2, a, x, 40000, 80, GEN_ACK, 0);
    tcp(IN, 3, a, x, 40000, 80, GEN_PSH | GEN_ACK, 100);
    tcp(OUT, 4, x, a, 80, 40000, GEN_PSH | GEN_ACK, 300);
    /* 5: Z sends an ACK to A for a connection nobody opened: dropped */
    tcp(OUT, 5, z, a, 80, 40000, GEN_ACK, 0);
    /* 6: Z opens a connection to A's SSH port: no rule allows it, dropped */
    tcp(OUT, 6, z, a, 50000, 22, GEN_SYN, 0);
    /* 7: A opens a telnet connection: the first rule denies it */
    tcp(IN, 7, a, x, 40001, 23, GEN_SYN, 0);
    /* 8, 9: DNS to the resolver and its answer */
    udp(IN, 8, a, r, 40002, 53);
    udp(OUT, 9, r, a, 53, 40002);
    /* 10: NTP out: the default rule denies it */
    udp(IN, 10, a, r, 40003, 123);
    /* 11..14: Z connects to the web server S:443; S resets the connection */
    tcp(OUT, 11, z, s, 50001, 443, GEN_SYN, 0);
    tcp(IN, 12, s, z, 443, 50001, GEN_SYN | GEN_ACK, 0);
    tcp(OUT, 13, z, s, 50001, 443, GEN_ACK, 0);
    tcp(IN, 14, s, z, 443, 50001, GEN_RST | GEN_ACK, 0);
    /* 15: Z's ACK after the reset: the connection is gone, dropped */
    tcp(OUT, 15, z, s, 50001, 443, GEN_ACK, 0);
    /* 16..18: X and A close their connection */
    tcp(OUT, 16, x, a, 80, 40000, GEN_FIN | GEN_ACK, 0);
    tcp(IN, 17, a, x, 40000, 80, GEN_FIN | GEN_ACK, 0);
    tcp(IN, 18, a, x, 40000, 80, GEN_ACK, 0);
    /* 19, 20: A asks who has 10.0.0.1 (ARP passes); an IPv6 frame (dropped) */
    gen_eth(&f, 0xffffffffffffull, MAC_A, 0x0806);
    gen_arp(&f, 1, MAC_A, a, 0, gen_ip(10, 0, 0, 1));
    gen_pad(&f);
    gen_pcap_put(out[IN], gen_ms(19), &f);
    row++;
    gen_eth(&f, MAC_GW, MAC_A, 0x86dd);
    gen_pattern(&f, 60);
    gen_pcap_put(out[IN], gen_ms(20), &f);
    row++;
    /* 21: a SYN+ACK from A that starts nothing: dropped */
    tcp(IN, 21, a, x, 40004, 80, GEN_SYN | GEN_ACK, 0);
    /* 22, 23: A pings X, X answers */
    ping(IN, 22, a, x, 8);
    ping(OUT, 23, x, a, 0);
    /* 24: a TCP fragment past the first, from X: dropped */
    gen_eth(&f, MAC_A, MAC_GW, 0x0800);
    {
        unsigned ip = gen_ipv4(&f, x, a, 6, 64, (uint16_t)(0x100 + row));
        gen_pattern(&f, 40);
        f.b[ip + 6] = 0x00;
        f.b[ip + 7] = 0x10; /* offset 128 bytes, DF clear */
        gen_ipv4_end(&f, ip);
    }
    gen_pcap_put(out[OUT], gen_ms(24), &f);
    row++;
    /* 25: 6 s later, a late ACK from X: the closed connection timed out (2 s), dropped */
    tcp(OUT, 6000, x, a, 80, 40000, GEN_ACK, 0);
    /* 26: A sends a SYN to X2:443 that is never answered */
    tcp(IN, 6001, a, x2, 40005, 443, GEN_SYN, 0);
    /* 27: X2's SYN+ACK 7 s later: the half-open connection timed out (5 s), dropped */
    tcp(OUT, 13001, x2, a, 443, 40005, GEN_SYN | GEN_ACK, 0);
    /* 28: meanwhile the server connection is long gone; A's new connection to X:80 works */
    tcp(IN, 13002, a, x, 40006, 80, GEN_SYN, 0);
    tcp(OUT, 13003, x, a, 80, 40006, GEN_SYN | GEN_ACK, 0);
    int bad = gen_pcap_close(out[IN]) < 0;
    bad |= gen_pcap_close(out[OUT]) < 0;
    return bad;
}
