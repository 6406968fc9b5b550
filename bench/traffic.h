/* The router benchmark's traffic: a deterministic set of Ethernet frames held in memory.
 *
 * The mix follows the shared reference workload (bench-workload.md): frame lengths 55% 64 B,
 * 10% 65..1499, 25% 594, 10% 1500; 10% with an 802.1Q tag; ARP and IPv6 (punted); malformed
 * IPv4, TTL expiry, fragments, IP options; 60/35/5 TCP/UDP/ICMP; destinations that hit and
 * miss the router's 16 routes; a few packets the ACL drops. The same count and seed give the
 * same bytes on every host: only integer arithmetic and a private SplitMix64 generator. */
#ifndef SLUICE_BENCH_TRAFFIC_H
#define SLUICE_BENCH_TRAFFIC_H

#include <stddef.h>
#include <stdint.h>

enum {
    TRAFFIC_MAX_FRAME = 1518, /* 1500 bytes plus a VLAN tag would still fit */
    TRAFFIC_PORTS = 4,        /* in_port values 0..3 */
};

typedef struct Traffic {
    uint8_t *bytes;    /* every frame back to back */
    uint64_t *offset;  /* frame i starts at bytes + offset[i] */
    uint16_t *len;     /* frame i's length */
    uint8_t *in_port;  /* the port frame i arrives on */
    uint32_t count;
    uint64_t total_bytes;
} Traffic;

/* Builds count frames from seed into *t (owned by t; traffic_free releases them).
 * Returns 0, or -1 when memory runs out (t is then empty). */
int traffic_generate(Traffic *t, uint32_t count, uint64_t seed);
void traffic_free(Traffic *t);

#endif
