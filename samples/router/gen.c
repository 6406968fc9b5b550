/* Writes the router sample's inputs: DIR/lan.pcap, DIR/dmz.pcap and DIR/wan.pcap, what
 * arrives on the router's ports 0, 1 and 2 (README.md has the script and what the router does
 * with each frame). The same bytes every time: the committed files are this program's output. */
#include <stdio.h>

#include "../genlib/genlib.h"

#define ROUTER(port) (0x02aa00000000ull + (port)) /* the router's MAC on each port */
#define HOST_A 0x02000000000aull                  /* 10.0.0.10 on lan */
#define HOST_D 0x020000010014ull                  /* 192.168.1.20 on dmz */
#define GW_WAN 0x0200000200feull                  /* 203.0.113.254, the upstream router */

enum { LAN, DMZ, WAN };

static FILE *out[3];
static unsigned row;

static void put(unsigned port, const GenFrame *f)
{
    gen_pcap_put(out[port], gen_ms(row), f);
    row++;
}

/* A UDP datagram from src to dst with n bytes of payload, TTL ttl, sport 30000 + row. */
static void udp(unsigned port, uint64_t dmac, uint64_t smac, uint32_t src, uint32_t dst, uint8_t ttl,
                unsigned n)
{
    GenFrame f;
    gen_eth(&f, dmac, smac, 0x0800);
    unsigned ip = gen_ipv4(&f, src, dst, 17, ttl, (uint16_t)(0x100 + row));
    gen_udp(&f, ip, (uint16_t)(30000 + row), 7, n);
    put(port, &f);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen DIR   (writes DIR/lan.pcap, DIR/dmz.pcap, DIR/wan.pcap)\n");
        return 2;
    }
    static const char *const names[3] = {"lan.pcap", "dmz.pcap", "wan.pcap"};
    for (int i = 0; i < 3; i++)
        if (!(out[i] = gen_pcap_open(argv[1], names[i])))
            return 1;
    uint32_t a = gen_ip(10, 0, 0, 10), d = gen_ip(192, 168, 1, 20), dns = gen_ip(8, 8, 8, 8);
    uint32_t far = gen_ip(198, 51, 100, 7);
    GenFrame f;
    unsigned ip;

    /* 0: ARP who-has 10.0.0.1 (the router's lan address) from A */
    gen_eth(&f, 0xffffffffffffull, HOST_A, 0x0806);
    gen_arp(&f, 1, HOST_A, a, 0, gen_ip(10, 0, 0, 1));
    gen_pad(&f);
    put(LAN, &f);
    /* 1: ARP who-has 10.0.0.99 (someone else) */
    gen_eth(&f, 0xffffffffffffull, HOST_A, 0x0806);
    gen_arp(&f, 1, HOST_A, a, 0, gen_ip(10, 0, 0, 99));
    gen_pad(&f);
    put(LAN, &f);
    /* 2: ping 10.0.0.1 */
    gen_eth(&f, ROUTER(LAN), HOST_A, 0x0800);
    ip = gen_ipv4(&f, a, gen_ip(10, 0, 0, 1), 1, 64, 0x200);
    gen_icmp_echo(&f, ip, 8, 0x4242, 1, 32);
    put(LAN, &f);
    /* 3: UDP A -> D (directly connected on dmz) */
    udp(LAN, ROUTER(LAN), HOST_A, a, d, 64, 32);
    /* 4: TCP SYN A -> 8.8.8.8 (8.0.0.0/8 via the wan gateway) */
    gen_eth(&f, ROUTER(LAN), HOST_A, 0x0800);
    ip = gen_ipv4(&f, a, dns, 6, 64, 0x204);
    gen_tcp(&f, ip, 40004, 53, 1000, 0, GEN_SYN, 0);
    gen_pad(&f);
    put(LAN, &f);
    /* 5: UDP A -> 10.1.2.5 (10.1.2.0/24 via 192.168.1.254 beats 10.1.0.0/16) */
    udp(LAN, ROUTER(LAN), HOST_A, a, gen_ip(10, 1, 2, 5), 64, 32);
    /* 6: UDP A -> 10.1.9.9 (10.1.0.0/16 via 10.0.0.254, back out of lan) */
    udp(LAN, ROUTER(LAN), HOST_A, a, gen_ip(10, 1, 9, 9), 64, 32);
    /* 7: UDP A -> 198.51.100.7 with TTL 1: time exceeded */
    udp(LAN, ROUTER(LAN), HOST_A, a, far, 1, 100);
    /* 8: TCP A -> 198.51.100.7 with TTL 2: forwarded with TTL 1 */
    gen_eth(&f, ROUTER(LAN), HOST_A, 0x0800);
    ip = gen_ipv4(&f, a, far, 6, 2, 0x208);
    gen_tcp(&f, ip, 40008, 80, 5000, 7000, GEN_ACK | GEN_PSH, 64);
    put(LAN, &f);
    /* 9: UDP A -> 10.0.0.11: on the link, but not in the ARP cache: punted */
    udp(LAN, ROUTER(LAN), HOST_A, a, gen_ip(10, 0, 0, 11), 64, 32);
    /* 10: UDP with a broken header checksum: dropped */
    gen_eth(&f, ROUTER(LAN), HOST_A, 0x0800);
    ip = gen_ipv4(&f, a, d, 17, 64, 0x20a);
    gen_udp(&f, ip, 30010, 7, 32);
    f.b[ip + 11] ^= 0x55;
    put(LAN, &f);
    /* 11: UDP to another MAC: not for the router, dropped */
    udp(LAN, 0x0200000000bbull, HOST_A, a, d, 64, 32);
    /* 12: an IPv6 frame: punted */
    gen_eth(&f, ROUTER(LAN), HOST_A, 0x86dd);
    gen_pattern(&f, 60);
    put(LAN, &f);
    /* 13: ping 8.8.8.8 with TTL 1: time exceeded (an echo request is no error) */
    gen_eth(&f, ROUTER(LAN), HOST_A, 0x0800);
    ip = gen_ipv4(&f, a, dns, 1, 1, 0x20d);
    gen_icmp_echo(&f, ip, 8, 0x4242, 2, 24);
    put(LAN, &f);
    /* 14: UDP to 224.0.0.251 (multicast MAC): punted */
    udp(LAN, 0x01005e0000fbull, HOST_A, a, gen_ip(224, 0, 0, 251), 255, 32);
    /* 15: UDP D -> A, from dmz */
    udp(DMZ, ROUTER(DMZ), HOST_D, d, a, 64, 48);
    /* 16: an ICMP time exceeded from D with TTL 1: no error about an error, dropped */
    gen_eth(&f, ROUTER(DMZ), HOST_D, 0x0800);
    ip = gen_ipv4(&f, d, far, 1, 1, 0x210);
    {
        uint8_t quote[36] = {11, 0, 0, 0, 0, 0, 0, 0, 0x45};
        gen_bytes(&f, quote, sizeof quote);
        gen_ipv4_end(&f, ip);
        f.b[ip + 22] = 0;
        f.b[ip + 23] = 0;
        uint16_t c = gen_csum(f.b + ip + 20, sizeof quote, 0);
        f.b[ip + 22] = (uint8_t)(c >> 8);
        f.b[ip + 23] = (uint8_t)c;
    }
    put(DMZ, &f);
    /* 17: ARP who-has 10.0.0.1 arriving on dmz: not the interface's address, punted */
    gen_eth(&f, 0xffffffffffffull, HOST_D, 0x0806);
    gen_arp(&f, 1, HOST_D, d, 0, gen_ip(10, 0, 0, 1));
    gen_pad(&f);
    put(DMZ, &f);
    /* 18: TCP 8.8.8.8 -> A, from wan */
    gen_eth(&f, ROUTER(WAN), GW_WAN, 0x0800);
    ip = gen_ipv4(&f, dns, a, 6, 57, 0x212);
    gen_tcp(&f, ip, 53, 40004, 9000, 1001, GEN_SYN | GEN_ACK, 0);
    gen_pad(&f);
    put(WAN, &f);
    /* 19: UDP 8.8.8.8 -> A with TTL 1 and 100 bytes: time exceeded back to the gateway */
    udp(WAN, ROUTER(WAN), GW_WAN, dns, a, 1, 100);
    /* 20: UDP with a 4-byte IP option and TTL 0: time exceeded quoting 24 + 8 bytes */
    gen_eth(&f, ROUTER(WAN), GW_WAN, 0x0800);
    ip = gen_ipv4(&f, dns, a, 17, 0, 0x214);
    {
        static const uint8_t nops[4] = {1, 1, 1, 0};
        f.b[ip] = 0x46;
        gen_bytes(&f, nops, sizeof nops);
    }
    gen_udp(&f, ip, 30020, 7, 40);
    put(WAN, &f);
    /* 21: UDP whose IHL says 4 (checksum correct over those 16 bytes): malformed, dropped */
    gen_eth(&f, ROUTER(WAN), GW_WAN, 0x0800);
    ip = gen_ipv4(&f, dns, a, 17, 64, 0x215);
    gen_udp(&f, ip, 30021, 7, 32);
    f.b[ip] = 0x44;
    f.b[ip + 10] = f.b[ip + 11] = 0;
    {
        uint16_t c = gen_csum(f.b + ip, 16, 0);
        f.b[ip + 10] = (uint8_t)(c >> 8);
        f.b[ip + 11] = (uint8_t)c;
    }
    put(WAN, &f);
    /* 22: UDP A -> 172.16.9.9: no route, ICMP net unreachable */
    udp(LAN, ROUTER(LAN), HOST_A, a, gen_ip(172, 16, 9, 9), 64, 32);
    /* 23: a 10-byte runt: dropped */
    gen_eth(&f, ROUTER(LAN), HOST_A, 0x0800);
    f.len = 10;
    put(LAN, &f);
    int bad = 0;
    for (int i = 0; i < 3; i++)
        bad |= gen_pcap_close(out[i]) < 0;
    return bad;
}
