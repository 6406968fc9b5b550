/* The router benchmark's traffic generator.
 *
 * Each frame is drawn in two steps: an outcome class aimed at the reference mix (per 100,000:
 * 3,980 non-IP, 2,000 malformed IPv4, 1,000 TTL expiry, 900 ACL hits, 9,200 without a route,
 * the rest routable), then the shape: length, VLAN tag, protocol, options, fragments. The
 * classes only aim: the routers decide what happens to each frame, and the harness reports
 * the mix it actually got. Everything comes from one SplitMix64 sequence and integer
 * arithmetic, so the bytes are the same on every host. */
#include "traffic.h"

#include <stdlib.h>
#include <string.h>

#include "router_tables.h"

typedef struct Rng {
    uint64_t s;
} Rng;

static uint64_t next64(Rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n) by multiply-shift: no modulo bias worth mentioning, no division. */
static uint32_t below(Rng *r, uint32_t n)
{
    return (uint32_t)(((next64(r) >> 32) * (uint64_t)n) >> 32);
}

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}

static void put_mac(uint8_t *p, uint64_t mac)
{
    for (int i = 0; i < 6; i++)
        p[i] = (uint8_t)(mac >> (40 - 8 * i));
}

static void fill_random(Rng *r, uint8_t *p, uint32_t n)
{
    while (n >= 8) {
        uint64_t v = next64(r);
        for (int i = 0; i < 8; i++)
            p[i] = (uint8_t)(v >> (8 * i));
        p += 8;
        n -= 8;
    }
    uint64_t v = next64(r);
    for (uint32_t i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint16_t ipv4_checksum(const uint8_t *h, uint32_t n)
{
    uint32_t sum = 0;
    for (uint32_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(h[i] << 8 | h[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

enum Class {
    CLASS_FORWARD,
    CLASS_NONIP,
    CLASS_MALFORMED,
    CLASS_TTL,
    CLASS_ACL,
    CLASS_NOROUTE,
};

static enum Class draw_class(Rng *r)
{
    uint32_t x = below(r, 100000);
    if (x < 3980)
        return CLASS_NONIP;
    x -= 3980;
    if (x < 2000)
        return CLASS_MALFORMED;
    x -= 2000;
    if (x < 1000)
        return CLASS_TTL;
    x -= 1000;
    if (x < 900)
        return CLASS_ACL;
    x -= 900;
    if (x < 9200)
        return CLASS_NOROUTE;
    return CLASS_FORWARD;
}

static uint32_t draw_length(Rng *r)
{
    uint32_t x = below(r, 100);
    if (x < 55)
        return 64;
    if (x < 65)
        return 65 + below(r, 1499 - 65 + 1);
    if (x < 90)
        return 594;
    return 1500;
}

/* An address inside one of the routes (any of them, uniformly). */
static uint32_t routed_address(Rng *r)
{
    const RouterRoute *rt = &router_routes[below(r, ROUTER_ROUTES)];
    uint32_t host = rt->plen == 32 ? 0 : (uint32_t)next64(r) & (0xffffffffu >> rt->plen);
    return rt->prefix | host;
}

/* An address no route covers: far from every prefix, or just beside one. */
static uint32_t unrouted_address(Rng *r)
{
    static const uint8_t far_octets[] = {30, 40, 50, 130, 140, 150, 180, 185, 200, 210};
    uint32_t low = (uint32_t)next64(r);
    switch (below(r, 8)) {
    case 0: return 0xcb007100u | (8 + below(r, 248)); /* 203.0.113.8-255: beside the /32 */
    case 1: return 0xc6336500u | (low & 0xff);       /* 198.51.101.0/24 */
    case 2: return 0x08080900u | (low & 0xff);       /* 8.8.9.0/24 */
    case 3: return 0xac200000u | (low & 0xfffff);    /* 172.32.0.0/12 */
    case 4: return 0xc6140000u | (low & 0xffff);     /* 198.20.0.0/16 */
    default: return (uint32_t)far_octets[below(r, sizeof far_octets)] << 24 | (low & 0xffffff);
    }
}

static uint32_t normal_dport(Rng *r)
{
    static const uint16_t common[] = {80, 443, 443, 443, 53, 22, 8080, 123, 3306, 25};
    if (below(r, 4) != 0)
        return common[below(r, sizeof common / sizeof common[0])];
    for (;;) { /* a random high port, never one the ACL names */
        uint32_t p = 1024 + below(r, 65536 - 1024);
        if (p != 1900 && (p < 6660 || p > 6669))
            return p;
    }
}

static uint32_t acl_dport(Rng *r, uint8_t proto)
{
    if (below(r, 2) == 0)
        return 6660 + below(r, 10);
    return proto == 6 ? 23 : 1900;
}

static void build_arp(Rng *r, uint8_t *l3)
{
    static const uint8_t head[8] = {0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01};
    memcpy(l3, head, sizeof head);
    fill_random(r, l3 + 8, 20); /* sender MAC/IP, target MAC/IP */
}

static void build_ipv6(Rng *r, uint8_t *l3, uint32_t room)
{
    fill_random(r, l3, room);
    l3[0] = 0x60;
    put16(l3 + 4, room - 40);
    l3[6] = below(r, 2) ? 6 : 17;
    l3[7] = 64;
}

/* An IPv4 packet of the given class in room bytes at l3 (room >= 46, so the largest header
 * and a UDP header fit). */
static void build_ipv4(Rng *r, uint8_t *l3, uint32_t room, enum Class cls)
{
    uint32_t x = below(r, 100);
    uint8_t proto = x < 60 ? 6 : x < 95 ? 17 : 1;
    if (cls == CLASS_ACL && proto == 1)
        proto = below(r, 2) ? 6 : 17;
    uint32_t malformed_kind = cls == CLASS_MALFORMED ? below(r, 6) : 0;
    if (cls == CLASS_MALFORMED && malformed_kind == 5 && proto == 1)
        proto = 17;

    uint32_t ihl = 20;
    if (below(r, 50) == 0 && room >= 36 + 8) /* 2% carry options: 4..16 bytes */
        ihl = 24 + 4 * below(r, 4);

    uint32_t frag = below(r, 2) ? 0x4000 : 0; /* DF */
    int first_fragment = 1;
    int fragmentable = cls != CLASS_ACL && !(cls == CLASS_MALFORMED && malformed_kind == 5);
    if (fragmentable && below(r, 100) < 3) {
        if (below(r, 2)) {
            frag = 0x2000; /* first fragment: MF, offset 0 */
        } else {
            frag = (below(r, 2) ? 0x2000 : 0) | (1 + below(r, 1000));
            first_fragment = 0;
        }
    }

    uint32_t l4len = proto == 6 ? 20 : 8;
    uint32_t tot = room;
    if (room <= 50 && below(r, 10) < 3 && ihl + l4len + 3 <= room) /* a short packet, padded */
        tot = ihl + l4len + below(r, 4);

    uint32_t ttl;
    if (cls == CLASS_TTL) {
        ttl = below(r, 2);
    } else {
        static const uint8_t ttls[] = {64, 64, 128, 255, 63, 127};
        ttl = below(r, 4) ? ttls[below(r, sizeof ttls)] : 2 + below(r, 254);
    }

    uint32_t src = below(r, 2) ? (0x0a000000u | ((uint32_t)next64(r) & 0xffffff)) : (uint32_t)next64(r);
    uint32_t dst = cls == CLASS_NOROUTE ? unrouted_address(r) : routed_address(r);

    fill_random(r, l3, room); /* payload, and the bytes of a non-first fragment */
    l3[0] = (uint8_t)(0x40 | ihl / 4);
    l3[1] = 0;
    put16(l3 + 2, tot);
    put16(l3 + 4, below(r, 65536));
    put16(l3 + 6, frag);
    l3[8] = (uint8_t)ttl;
    l3[9] = proto;
    put16(l3 + 10, 0);
    put32(l3 + 12, src);
    put32(l3 + 16, dst);
    if (ihl > 20) { /* router alert, then NOPs */
        l3[20] = 0x94;
        l3[21] = 4;
        l3[22] = 0;
        l3[23] = 0;
        memset(l3 + 24, 1, ihl - 24);
    }

    uint8_t *l4 = l3 + ihl;
    if (first_fragment) {
        uint32_t sport = 1024 + below(r, 65536 - 1024);
        uint32_t dport = cls == CLASS_ACL ? acl_dport(r, proto) : normal_dport(r);
        if (proto == 6) {
            put16(l4, sport);
            put16(l4 + 2, dport);
            if (ihl + 14 <= room) { /* a 64-byte tagged frame with options cuts the header short */
                l4[12] = 0x50;
                l4[13] = 0x18;
            }
        } else if (proto == 17) {
            put16(l4, sport);
            put16(l4 + 2, dport);
            put16(l4 + 4, tot - ihl);
            put16(l4 + 6, 0);
        } else {
            l4[0] = 8;
            l4[1] = 0;
        }
    }

    if (cls == CLASS_MALFORMED) {
        switch (malformed_kind) {
        case 1: l3[0] = (uint8_t)((below(r, 2) ? 0x50 : 0x60) | ihl / 4); break; /* version */
        case 2: l3[0] = (uint8_t)(0x40 | below(r, 5)); break;                   /* IHL < 5 */
        case 3: put16(l3 + 2, room + 1 + below(r, 100)); break;                 /* longer than frame */
        case 4: put16(l3 + 2, below(r, ihl)); break;                            /* shorter than header */
        case 5: put16(l3 + 2, ihl + below(r, 4)); break;                        /* no room for ports */
        default: break;                                                         /* 0: checksum below */
        }
    }
    put16(l3 + 10, ipv4_checksum(l3, ihl));
    if (cls == CLASS_MALFORMED && malformed_kind == 0)
        put16(l3 + 10, (uint32_t)(l3[10] << 8 | l3[11]) ^ (1 + below(r, 0xfffe)));
}

static void build_frame(Rng *r, uint8_t *f, uint32_t len, uint8_t in_port)
{
    enum Class cls = draw_class(r);
    put_mac(f, 0x02aa00000000ull | in_port);
    put_mac(f + 6, 0x021122000000ull | (next64(r) & 0xffffff));
    uint32_t l3 = 14;
    if (below(r, 10) == 0) {
        put16(f + 12, 0x8100);
        put16(f + 14, 1 + below(r, 4094));
        l3 = 18;
    }
    uint8_t *p = f + l3;
    uint32_t room = len - l3;
    if (cls == CLASS_NONIP) {
        if (below(r, 2)) {
            put16(p - 2, 0x0806);
            memset(p, 0, room);
            build_arp(r, p);
        } else {
            put16(p - 2, 0x86dd);
            build_ipv6(r, p, room);
        }
        return;
    }
    put16(p - 2, 0x0800);
    build_ipv4(r, p, room, cls);
}

int traffic_generate(Traffic *t, uint32_t count, uint64_t seed)
{
    memset(t, 0, sizeof *t);
    Rng r = {seed};
    /* Reserve the worst case; untouched pages cost nothing on a demand-paged host. */
    t->bytes = malloc((size_t)count * TRAFFIC_MAX_FRAME + 1);
    t->offset = malloc((size_t)count * sizeof *t->offset + 1);
    t->len = malloc((size_t)count * sizeof *t->len + 1);
    t->in_port = malloc((size_t)count + 1);
    if (!t->bytes || !t->offset || !t->len || !t->in_port) {
        traffic_free(t);
        return -1;
    }
    uint64_t at = 0;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t len = draw_length(&r);
        uint8_t port = (uint8_t)below(&r, TRAFFIC_PORTS);
        build_frame(&r, t->bytes + at, len, port);
        t->offset[i] = at;
        t->len[i] = (uint16_t)len;
        t->in_port[i] = port;
        at += len;
    }
    t->count = count;
    t->total_bytes = at;
    return 0;
}

void traffic_free(Traffic *t)
{
    free(t->bytes);
    free(t->offset);
    free(t->len);
    free(t->in_port);
    memset(t, 0, sizeof *t);
}
