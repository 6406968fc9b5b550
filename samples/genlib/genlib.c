/* Frame and capture writers for the samples' input generators (genlib.h). */
#include "genlib.h"

#include <string.h>

#include "bytes.h"

uint64_t gen_ms(uint64_t ms)
{
    return 1700000000ull * 1000000000u + ms * 1000000u;
}

uint32_t gen_ip(unsigned a, unsigned b, unsigned c, unsigned d)
{
    return (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | (uint32_t)d;
}

static void put_mac(uint8_t *p, uint64_t m)
{
    for (int i = 0; i < 6; i++)
        p[i] = (uint8_t)(m >> (40 - 8 * i));
}

void gen_bytes(GenFrame *f, const void *p, unsigned n)
{
    if (f->len + n > GEN_MAX_FRAME)
        n = GEN_MAX_FRAME - f->len; /* generators stay far below; never overflow */
    memcpy(f->b + f->len, p, n);
    f->len += n;
}

void gen_pattern(GenFrame *f, unsigned n)
{
    static const char text[] = "sluice sample payload ";
    for (unsigned i = 0; i < n && f->len < GEN_MAX_FRAME; i++)
        f->b[f->len++] = (uint8_t)text[i % (sizeof text - 1)];
}

void gen_pad(GenFrame *f)
{
    while (f->len < 60)
        f->b[f->len++] = 0;
}

void gen_eth(GenFrame *f, uint64_t dst, uint64_t src, uint16_t type)
{
    memset(f->b, 0, sizeof f->b);
    put_mac(f->b, dst);
    put_mac(f->b + 6, src);
    sl_put_be16(f->b + 12, type);
    f->len = 14;
}

void gen_vlan(GenFrame *f, uint16_t vid)
{
    memmove(f->b + 16, f->b + 12, f->len - 12);
    sl_put_be16(f->b + 12, 0x8100);
    sl_put_be16(f->b + 14, vid & 0xfff);
    f->len += 4;
}

void gen_arp(GenFrame *f, uint16_t op, uint64_t sha, uint32_t spa, uint64_t tha, uint32_t tpa)
{
    uint8_t a[28];
    sl_put_be16(a, 1);
    sl_put_be16(a + 2, 0x0800);
    a[4] = 6;
    a[5] = 4;
    sl_put_be16(a + 6, op);
    put_mac(a + 8, sha);
    sl_put_be32(a + 14, spa);
    put_mac(a + 18, tha);
    sl_put_be32(a + 24, tpa);
    gen_bytes(f, a, sizeof a);
}

uint16_t gen_csum(const uint8_t *p, unsigned n, uint32_t acc)
{
    uint64_t sum = acc;
    for (unsigned i = 0; i + 1 < n; i += 2)
        sum += sl_be16(p + i);
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

unsigned gen_ipv4(GenFrame *f, uint32_t src, uint32_t dst, uint8_t proto, uint8_t ttl, uint16_t id)
{
    uint8_t h[20] = {0x45};
    sl_put_be16(h + 4, id);
    sl_put_be16(h + 6, 0x4000);
    h[8] = ttl;
    h[9] = proto;
    sl_put_be32(h + 12, src);
    sl_put_be32(h + 16, dst);
    unsigned off = f->len;
    gen_bytes(f, h, sizeof h);
    return off;
}

void gen_ipv4_end(GenFrame *f, unsigned ip)
{
    uint8_t *h = f->b + ip;
    sl_put_be16(h + 2, f->len - ip);
    sl_put_be16(h + 10, 0);
    sl_put_be16(h + 10, gen_csum(h, (h[0] & 15) * 4u, 0));
}

/* The pseudo-header's sum for a segment of len bytes after the IPv4 header at ip. */
static uint32_t pseudo(const GenFrame *f, unsigned ip, unsigned len)
{
    const uint8_t *h = f->b + ip;
    return (uint32_t)sl_be16(h + 12) + sl_be16(h + 14) + sl_be16(h + 16) + sl_be16(h + 18) + h[9] + len;
}

/* Closes the UDP datagram at u (its payload appended): lengths and checksums. */
static void udp_end(GenFrame *f, unsigned ip, unsigned u)
{
    unsigned n = f->len - u;
    sl_put_be16(f->b + u + 4, n);
    gen_ipv4_end(f, ip);
    uint16_t c = gen_csum(f->b + u, n, pseudo(f, ip, n));
    sl_put_be16(f->b + u + 6, c ? c : 0xffff);
}

static unsigned udp_start(GenFrame *f, uint16_t sport, uint16_t dport)
{
    unsigned u = f->len;
    uint8_t h[8] = {0};
    sl_put_be16(h, sport);
    sl_put_be16(h + 2, dport);
    gen_bytes(f, h, sizeof h);
    return u;
}

void gen_udp(GenFrame *f, unsigned ip, uint16_t sport, uint16_t dport, unsigned n)
{
    unsigned u = udp_start(f, sport, dport);
    gen_pattern(f, n);
    udp_end(f, ip, u);
}

void gen_udp_data(GenFrame *f, unsigned ip, uint16_t sport, uint16_t dport, const void *data, unsigned n)
{
    unsigned u = udp_start(f, sport, dport);
    gen_bytes(f, data, n);
    udp_end(f, ip, u);
}

void gen_tcp(GenFrame *f, unsigned ip, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
             uint8_t flags, unsigned n)
{
    unsigned t = f->len;
    uint8_t h[20] = {0};
    sl_put_be16(h, sport);
    sl_put_be16(h + 2, dport);
    sl_put_be32(h + 4, seq);
    sl_put_be32(h + 8, ack);
    h[12] = 5 << 4;
    h[13] = flags;
    sl_put_be16(h + 14, 64240);
    gen_bytes(f, h, sizeof h);
    gen_pattern(f, n);
    gen_ipv4_end(f, ip);
    sl_put_be16(f->b + t + 16, gen_csum(f->b + t, 20 + n, pseudo(f, ip, 20 + n)));
}

void gen_icmp_echo(GenFrame *f, unsigned ip, uint8_t type, uint16_t id, uint16_t seq, unsigned n)
{
    unsigned c = f->len;
    uint8_t h[8] = {type};
    sl_put_be16(h + 4, id);
    sl_put_be16(h + 6, seq);
    gen_bytes(f, h, sizeof h);
    gen_pattern(f, n);
    gen_ipv4_end(f, ip);
    sl_put_be16(f->b + c + 2, gen_csum(f->b + c, 8 + n, 0));
}

FILE *gen_pcap_open(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *out = fopen(path, "wb");
    if (!out) {
        perror(path);
        return NULL;
    }
    uint8_t h[24];
    sl_put_le32(h, 0xa1b23c4d); /* nanosecond pcap */
    sl_put_le16(h + 4, 2);
    sl_put_le16(h + 6, 4);
    sl_put_le32(h + 8, 0);
    sl_put_le32(h + 12, 0);
    sl_put_le32(h + 16, 65535);
    sl_put_le32(h + 20, 1); /* LINKTYPE_ETHERNET */
    fwrite(h, 1, sizeof h, out);
    return out;
}

void gen_pcap_put(FILE *out, uint64_t ns, const GenFrame *f)
{
    uint8_t h[16];
    sl_put_le32(h, ns / 1000000000u);
    sl_put_le32(h + 4, ns % 1000000000u);
    sl_put_le32(h + 8, f->len);
    sl_put_le32(h + 12, f->len);
    fwrite(h, 1, sizeof h, out);
    fwrite(f->b, 1, f->len, out);
}

int gen_pcap_close(FILE *out)
{
    int bad = ferror(out);
    bad |= fclose(out) != 0;
    if (bad)
        fprintf(stderr, "gen: write error\n");
    return bad ? -1 : 0;
}
