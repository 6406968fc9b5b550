/* Writes the hypervisor tests' inputs into DIR: merged.pcap (everything, in time order) and one
 * capture per tenant with its frames only (router.pcap: VLAN 10, fw.pcap: VLAN 20,
 * hostile.pcap: VLAN 30), so each tenant can also run alone. All frames are 802.1Q-tagged
 * IPv4; timestamps strictly increase (1 us apart), so merging never meets a tie.
 *   gen DIR [FRAMES] */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { LEN = 64 };

static void ipv4(uint8_t *f, uint32_t vlan, uint8_t proto, const uint8_t dst[4], uint32_t sport, uint32_t dport,
                 uint64_t x)
{
    memset(f, 0, LEN);
    for (int k = 0; k < 12; k++)
        f[k] = (uint8_t)(2 + k);
    f[12] = 0x81;
    f[14] = (uint8_t)(vlan >> 8);
    f[15] = (uint8_t)vlan;
    f[16] = 0x08;
    uint8_t *ip = f + 18;
    ip[0] = 0x45;
    ip[3] = LEN - 18;
    ip[8] = (uint8_t)(x % 5 == 0 ? 1 : 64); /* some TTL expiries: punted by the router */
    ip[9] = proto;
    ip[12] = 10;
    ip[13] = (uint8_t)(x >> 8);
    ip[14] = (uint8_t)(x >> 16);
    ip[15] = (uint8_t)(x >> 24);
    memcpy(ip + 16, dst, 4);
    uint32_t sum = 0;
    for (int k = 0; k < 20; k += 2)
        sum += (uint32_t)ip[k] << 8 | ip[k + 1];
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    ip[10] = (uint8_t)(~sum >> 8);
    ip[11] = (uint8_t)~sum;
    ip[20] = (uint8_t)(sport >> 8);
    ip[21] = (uint8_t)sport;
    ip[22] = (uint8_t)(dport >> 8);
    ip[23] = (uint8_t)dport;
    ip[30] = (uint8_t)(x >> 32); /* payload */
}

static pcap_dumper_t *open_out(pcap_t *p, const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    pcap_dumper_t *d = pcap_dump_open(p, path);
    if (!d) {
        fprintf(stderr, "gen: %s\n", pcap_geterr(p));
        exit(1);
    }
    return d;
}

int main(int argc, char **argv)
{
    static const uint8_t dst[][4] = {{10, 1, 2, 9}, {192, 168, 1, 200}, {8, 8, 8, 8}, {172, 16, 5, 1},
                                     {10, 1, 77, 3}, {198, 18, 0, 9}, {100, 64, 3, 3}, {9, 9, 9, 9}};
    static const uint32_t fw_ports[] = {80, 443, 22, 23, 53, 8080};
    if (argc < 2) {
        fprintf(stderr, "usage: gen DIR [FRAMES]\n");
        return 2;
    }
    int n = argc > 2 ? atoi(argv[2]) : 400;
    pcap_t *p = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_NANO);
    pcap_dumper_t *all = open_out(p, argv[1], "merged.pcap"), *each[3] = {
        open_out(p, argv[1], "router.pcap"), open_out(p, argv[1], "fw.pcap"), open_out(p, argv[1], "hostile.pcap")};
    uint64_t x = 7;
    for (int i = 0; i < n; i++) {
        uint8_t f[LEN];
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        int who = i % 4 == 3 ? 2 : i % 4 == 2 ? 1 : 0;
        if (who == 0)
            ipv4(f, 10, 17, dst[(x >> 40) & 7], (uint32_t)(x >> 20) & 0xffff, 5000, x);
        else if (who == 1)
            ipv4(f, 20, (x >> 50) & 1 ? 6 : 17, dst[2], 40000, fw_ports[(x >> 33) % 6], x);
        else /* payload byte 30 of the IPv4 header region: 0 normal, 1 divide, 2 out of bounds, 3 loop */
            ipv4(f, 30, 17, dst[0], 1, 1, (x & ~(0xffull << 32)) | (uint64_t)(i / 4 % 4) << 32);
        struct pcap_pkthdr h = {.caplen = LEN, .len = LEN};
        h.ts.tv_sec = 1700000000;
        h.ts.tv_usec = (suseconds_t)(i * 1000 + 1000); /* nanoseconds in this precision */
        pcap_dump((u_char *)all, &h, f);
        pcap_dump((u_char *)each[who], &h, f);
    }
    pcap_dump_close(all);
    for (int k = 0; k < 3; k++)
        pcap_dump_close(each[k]);
    pcap_close(p);
    return 0;
}
