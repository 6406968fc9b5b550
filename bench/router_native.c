/* The router in plain C, as an XDP-style program would be written: checks in the same order
 * as bench/router.sla, fields read with big-endian 16/32-bit loads, the routes scanned
 * longest prefix first (16 entries: a linear scan is what a C programmer would write). */
#include "router_native.h"

#include <string.h>

#include "router_tables.h"

static inline uint32_t be16(const uint8_t *p) { return (uint32_t)(p[0] << 8 | p[1]); }
static inline uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}
static inline void put_be16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline void put_be32(uint8_t *p, uint32_t v)
{
    put_be16(p, v >> 16);
    put_be16(p + 2, v);
}

void router_native_init(RouterNative *r)
{
    memset(r, 0, sizeof *r);
}

/* The ones' complement sum of n bytes (n even), folded, not inverted: what csum gives. */
static uint32_t ones_sum(const uint8_t *p, uint32_t n)
{
    uint32_t sum = 0;
    for (uint32_t i = 0; i < n; i += 2)
        sum += be16(p + i);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return sum;
}

static const RouterRoute *lookup(uint32_t dst)
{
    for (int i = 0; i < ROUTER_ROUTES; i++) {
        const RouterRoute *rt = &router_routes[i];
        uint32_t mask = rt->plen ? 0xffffffffu << (32 - rt->plen) : 0;
        if (((dst ^ rt->prefix) & mask) == 0)
            return rt;
    }
    return NULL;
}

static int count(RouterNative *r, int ctr, int verdict)
{
    r->counters[ctr]++;
    return verdict;
}

int router_native_route(RouterNative *r, uint8_t *pkt, uint32_t len, uint32_t *port)
{
    if (len < 14)
        return count(r, ROUTER_CTR_DROP_MALFORMED, ROUTER_DROP);
    uint32_t type = be16(pkt + 12);
    uint32_t l3 = 14;
    if (type == 0x8100) {
        if (len < 18)
            return count(r, ROUTER_CTR_DROP_MALFORMED, ROUTER_DROP);
        type = be16(pkt + 16);
        l3 = 18;
    }
    if (type != 0x0800)
        return count(r, ROUTER_CTR_PUNT_NONIP, ROUTER_PUNT);
    if (l3 + 20 > len)
        return count(r, ROUTER_CTR_DROP_MALFORMED, ROUTER_DROP);
    uint8_t *ip = pkt + l3;
    if (ip[0] >> 4 != 4 || (ip[0] & 15) < 5)
        return count(r, ROUTER_CTR_DROP_MALFORMED, ROUTER_DROP);
    uint32_t ihl = (ip[0] & 15u) * 4;
    uint32_t tot = be16(ip + 2);
    if (tot < ihl || l3 + tot > len)
        return count(r, ROUTER_CTR_DROP_MALFORMED, ROUTER_DROP);
    if (ones_sum(ip, ihl) != 0xffff)
        return count(r, ROUTER_CTR_DROP_MALFORMED, ROUTER_DROP);
    uint32_t ttl_proto = be16(ip + 8);
    if (ttl_proto < 0x200) /* TTL <= 1 */
        return count(r, ROUTER_CTR_PUNT_TTL, ROUTER_PUNT);
    uint32_t proto = ttl_proto & 0xff;

    uint32_t ports = 0; /* sport << 16 | dport, first fragments of TCP and UDP only */
    if ((proto == 6 || proto == 17) && (be16(ip + 6) & 0x1fff) == 0) {
        if (ihl + 4 > tot)
            return count(r, ROUTER_CTR_DROP_MALFORMED, ROUTER_DROP);
        ports = be32(ip + ihl);
        uint32_t dport = ports & 0xffff;
        if ((proto == 6 && dport == 23) || (proto == 17 && dport == 1900) || dport - 6660 < 10)
            return count(r, ROUTER_CTR_DROP_ACL, ROUTER_DROP);
    }

    uint32_t dst = be32(ip + 16);
    const RouterRoute *rt = lookup(dst);
    if (!rt)
        return count(r, ROUTER_CTR_DROP_NOROUTE, ROUTER_DROP);
    uint32_t nh = rt->nh_base;
    if (rt->nh_count > 1) {
        uint32_t h = be32(ip + 12) ^ dst ^ ports ^ proto;
        h *= 0x9e3779b1u;
        h ^= h >> 16;
        nh += h % rt->nh_count;
    }

    /* TTL - 1 with the RFC 1624 update: HC' = ~(~HC + ~m + m'). */
    uint32_t m2 = ttl_proto - 0x100;
    put_be16(ip + 8, m2);
    uint32_t sum = (be16(ip + 10) ^ 0xffff) + (ttl_proto ^ 0xffff) + m2;
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    put_be16(ip + 10, sum ^ 0xffff);

    const RouterNextHop *hop = &router_nexthops[nh];
    put_be32(pkt, (uint32_t)(hop->dmac >> 16));
    put_be16(pkt + 4, (uint32_t)hop->dmac);
    put_be32(pkt + 6, (uint32_t)(hop->smac >> 16));
    put_be16(pkt + 10, (uint32_t)hop->smac);
    r->counters[ROUTER_CTR_FORWARD]++;
    *port = hop->port;
    return ROUTER_SEND;
}
