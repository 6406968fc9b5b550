/* The router benchmark's C baseline: the logic of bench/router.sla in plain C.
 *
 * Both must give the same verdict, port, packet bytes and counters for every frame; the
 * harness checks it before timing anything. */
#ifndef SLUICE_BENCH_ROUTER_NATIVE_H
#define SLUICE_BENCH_ROUTER_NATIVE_H

#include <stdint.h>

/* Outcome counters, in the order router.sla keeps them in state memory (u64 each from
 * ROUTER_COUNTERS_ADDR). */
enum {
    ROUTER_CTR_FORWARD,
    ROUTER_CTR_PUNT_NONIP,
    ROUTER_CTR_PUNT_TTL,
    ROUTER_CTR_DROP_MALFORMED,
    ROUTER_CTR_DROP_NOROUTE,
    ROUTER_CTR_DROP_ACL,
    ROUTER_NCOUNTERS,
    ROUTER_COUNTERS_ADDR = 0x100,
};

/* Verdicts, numbered as SlVerdict. */
enum {
    ROUTER_DROP = 0,
    ROUTER_SEND = 1,
    ROUTER_PUNT = 2,
};

typedef struct RouterNative {
    uint64_t counters[ROUTER_NCOUNTERS];
} RouterNative;

void router_native_init(RouterNative *r);
/* Routes the frame pkt[0..len) in place; returns ROUTER_* and, for SEND, the port in *port. */
int router_native_route(RouterNative *r, uint8_t *pkt, uint32_t len, uint32_t *port);

#endif
