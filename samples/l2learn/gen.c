/* Writes the l2learn sample's inputs: DIR/in0.pcap .. DIR/in3.pcap, the frames arriving on
 * switch ports 0..3 (pcap, Ethernet, nanosecond timestamps). The same bytes every time: the
 * committed files are this program's output.
 *
 * Hosts A..F have MAC 02:00:00:00:00:0a..0f and IPv4 10.0.0.10..15. The script below (one row
 * per frame) and the switch's expected behaviour are described in README.md. */
#include <stdio.h>
#include <string.h>

#include "bytes.h"

enum { A = 0x0a, B, C, D, E, F };
enum {
    BCAST = 0xff,     /* ff:ff:ff:ff:ff:ff, 255.255.255.255 */
    MCAST = 0xe0,     /* 01:00:5e:00:00:01, 224.0.0.1 */
    GROUP_SRC = 0x93, /* 03:00:00:00:00:93: a group address used as a source (never learned) */
    NOBODY = 0x99,    /* 02:00:00:00:00:99: unicast to a host that never speaks */
};
enum { ARP_REQ, ARP_REP, UDP, RUNT };

typedef struct Row {
    unsigned ms;   /* ms after the first frame */
    unsigned port; /* the switch port it arrives on */
    int kind;
    int src, dst;     /* hosts; for ARP requests dst is the host asked for */
    unsigned payload; /* UDP payload bytes */
} Row;

static const Row script[] = {
    {0, 0, ARP_REQ, A, B, 0},     {1, 1, ARP_REP, B, A, 0},     {2, 0, UDP, A, B, 32},
    {3, 1, UDP, B, A, 32},        {4, 2, UDP, C, D, 32},        {5, 3, ARP_REQ, D, C, 0},
    {6, 2, ARP_REP, C, D, 0},     {7, 2, UDP, C, D, 64},        {8, 3, UDP, D, C, 64},
    {9, 0, UDP, E, A, 32},        {10, 0, UDP, A, E, 32},       {11, 1, UDP, B, E, 32},
    {12, 3, RUNT, D, A, 0},       {13, 2, UDP, C, MCAST, 32},   {14, 1, UDP, F, A, 32},
    {14, 2, UDP, C, F, 32},       {15, 3, UDP, A, D, 32},       {16, 1, UDP, B, A, 32},
    {17, 0, UDP, GROUP_SRC, B, 32}, {18, 2, UDP, C, NOBODY, 32}, {19, 3, UDP, D, BCAST, 32},
    {20, 1, UDP, B, C, 1000},     {21, 2, UDP, C, B, 1000},     {22, 0, UDP, E, B, 32},
    {23, 1, UDP, B, E, 32},       {24, 3, UDP, D, F, 32},       {25, 1, UDP, F, D, 32},
    {26, 3, UDP, A, B, 32},       {27, 0, UDP, E, D, 32},       {28, 2, ARP_REQ, C, E, 0},
    {29, 0, ARP_REP, E, C, 0},
};

static void mac_of(int h, uint8_t *p)
{
    static const uint8_t mcast[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
    if (h == BCAST)
        memset(p, 0xff, 6);
    else if (h == MCAST)
        memcpy(p, mcast, 6);
    else {
        memset(p, 0, 6);
        p[0] = h == GROUP_SRC ? 0x03 : 0x02;
        p[5] = (uint8_t)h;
    }
}

static void ip_of(int h, uint8_t *p)
{
    if (h == BCAST)
        memset(p, 0xff, 4);
    else if (h == MCAST) {
        p[0] = 224, p[1] = 0, p[2] = 0, p[3] = 1;
    } else {
        p[0] = 10, p[1] = 0, p[2] = 0, p[3] = (uint8_t)h;
    }
}

static unsigned ipv4_checksum(const uint8_t *p, unsigned n)
{
    uint32_t sum = 0;
    for (unsigned i = 0; i < n; i += 2)
        sum += sl_be16(p + i);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return ~sum & 0xffff;
}

/* Builds row i's frame into f; returns its length (60 bytes at least, but for the runt). */
static unsigned build(const Row *r, unsigned i, uint8_t *f)
{
    memset(f, 0, 1600);
    mac_of(r->kind == ARP_REQ ? BCAST : r->dst, f);
    mac_of(r->src, f + 6);
    if (r->kind == RUNT)
        return 10;
    if (r->kind != UDP) {
        sl_put_be16(f + 12, 0x0806);
        uint8_t *a = f + 14;
        sl_put_be16(a, 1);      /* Ethernet */
        sl_put_be16(a + 2, 0x0800);
        a[4] = 6;
        a[5] = 4;
        sl_put_be16(a + 6, r->kind == ARP_REQ ? 1 : 2);
        mac_of(r->src, a + 8);
        ip_of(r->src, a + 14);
        if (r->kind == ARP_REP)
            mac_of(r->dst, a + 18);
        ip_of(r->dst, a + 24);
        return 60;
    }
    sl_put_be16(f + 12, 0x0800);
    uint8_t *ip = f + 14, *udp = ip + 20, *data = udp + 8;
    unsigned udp_len = 8 + r->payload;
    ip[0] = 0x45;
    sl_put_be16(ip + 2, 20 + udp_len);
    sl_put_be16(ip + 4, 0x1000 + i); /* identification */
    sl_put_be16(ip + 6, 0x4000);     /* don't fragment */
    ip[8] = r->dst == MCAST ? 1 : 64;
    ip[9] = 17;
    ip_of(r->src, ip + 12);
    ip_of(r->dst, ip + 16);
    sl_put_be16(ip + 10, ipv4_checksum(ip, 20));
    sl_put_be16(udp, 40000 + i);
    sl_put_be16(udp + 2, 9); /* discard */
    sl_put_be16(udp + 4, udp_len);
    for (unsigned k = 0; k < r->payload; k++)
        data[k] = (uint8_t)"sluice l2learn sample "[k % 22];
    unsigned len = 14 + 20 + udp_len;
    return len < 60 ? 60 : len;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen DIR   (writes DIR/in0.pcap .. DIR/in3.pcap)\n");
        return 2;
    }
    FILE *out[4];
    for (int p = 0; p < 4; p++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/in%d.pcap", argv[1], p);
        out[p] = fopen(path, "wb");
        if (!out[p]) {
            perror(path);
            return 1;
        }
        uint8_t h[24];
        sl_put_le32(h, 0xa1b23c4d); /* nanosecond pcap */
        sl_put_le16(h + 4, 2);
        sl_put_le16(h + 6, 4);
        sl_put_le32(h + 8, 0);
        sl_put_le32(h + 12, 0);
        sl_put_le32(h + 16, 65535);
        sl_put_le32(h + 20, 1); /* LINKTYPE_ETHERNET */
        fwrite(h, 1, sizeof h, out[p]);
    }
    static uint8_t frame[1600];
    for (unsigned i = 0; i < sizeof script / sizeof script[0]; i++) {
        const Row *r = &script[i];
        unsigned len = build(r, i, frame);
        uint64_t ns = 123 + (uint64_t)r->ms * 1000000u;
        uint8_t h[16];
        sl_put_le32(h, 1700000000u + ns / 1000000000u);
        sl_put_le32(h + 4, ns % 1000000000u);
        sl_put_le32(h + 8, len);
        sl_put_le32(h + 12, len);
        fwrite(h, 1, sizeof h, out[r->port]);
        fwrite(frame, 1, len, out[r->port]);
    }
    int bad = 0;
    for (int p = 0; p < 4; p++) {
        bad |= ferror(out[p]);
        bad |= fclose(out[p]) != 0;
    }
    if (bad)
        fprintf(stderr, "gen: write error\n");
    return bad ? 1 : 0;
}
