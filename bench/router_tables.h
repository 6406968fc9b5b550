/* The router benchmark's configuration, shared by the C baseline and the traffic generator.
 * bench/router.sla carries the same routes and next hops in its .data; the harness checks that
 * both routers give the same verdicts and bytes, so the two copies cannot drift apart unseen. */
#ifndef SLUICE_BENCH_ROUTER_TABLES_H
#define SLUICE_BENCH_ROUTER_TABLES_H

#include <stdint.h>

enum {
    ROUTER_ROUTES = 16,
    ROUTER_NEXTHOPS = 8,
    ROUTER_PORTS = 4,
};

typedef struct RouterRoute {
    uint32_t prefix;  /* host order: 10.0.0.0 is 0x0a000000 */
    uint8_t plen;     /* prefix length, 0..32 */
    uint8_t nh_base;  /* first next hop */
    uint8_t nh_count; /* ECMP group size: next hops nh_base .. nh_base+nh_count-1 */
} RouterRoute;

typedef struct RouterNextHop {
    uint64_t dmac; /* 48-bit MAC, first byte in bits 47..40 */
    uint64_t smac; /* the router's own MAC on the outgoing port */
    uint8_t port;
} RouterNextHop;

/* Sorted longest prefix first, so the first match is the longest (what the C baseline scans). */
static const RouterRoute router_routes[ROUTER_ROUTES] = {
    {0xcb007107u, 32, 3, 1}, /* 203.0.113.7/32 */
    {0xc0a80180u, 25, 6, 1}, /* 192.168.1.128/25 */
    {0x0a010200u, 24, 0, 1}, /* 10.1.2.0/24 */
    {0xac100500u, 24, 4, 1}, /* 172.16.5.0/24 */
    {0xc0a80100u, 24, 7, 1}, /* 192.168.1.0/24 */
    {0x08080800u, 24, 5, 1}, /* 8.8.8.0/24 */
    {0xc6336400u, 24, 7, 1}, /* 198.51.100.0/24 */
    {0x0a010000u, 16, 1, 1}, /* 10.1.0.0/16 */
    {0xc0a80000u, 16, 0, 2}, /* 192.168.0.0/16, ECMP over 0-1 */
    {0xc6120000u, 15, 4, 4}, /* 198.18.0.0/15, ECMP over 4-7 */
    {0xac100000u, 12, 5, 1}, /* 172.16.0.0/12 */
    {0x64400000u, 10, 2, 1}, /* 100.64.0.0/10 */
    {0x0a000000u, 8, 2, 2},  /* 10.0.0.0/8, ECMP over 2-3 */
    {0x01000000u, 8, 6, 1},  /* 1.0.0.0/8 */
    {0x14000000u, 6, 1, 2},  /* 20.0.0.0/6, ECMP over 1-2 */
    {0x60000000u, 3, 3, 1},  /* 96.0.0.0/3 */
};

static const RouterNextHop router_nexthops[ROUTER_NEXTHOPS] = {
    {0x020000a10001ull, 0x02aa00000000ull, 0},
    {0x020000b20102ull, 0x02aa00000001ull, 1},
    {0x020000c30203ull, 0x02aa00000002ull, 2},
    {0x020000d40304ull, 0x02aa00000003ull, 3},
    {0x020000e50405ull, 0x02aa00000000ull, 0},
    {0x020000f60506ull, 0x02aa00000001ull, 1},
    {0x02000a070607ull, 0x02aa00000002ull, 2},
    {0x02000b080708ull, 0x02aa00000003ull, 3},
};

#endif
