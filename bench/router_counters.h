/* Where the router benchmark's outcome counters live in a program's state memory: the
 * hand-written bench/router.sla keeps them at ROUTER_COUNTERS_ADDR; bench/router.sl, compiled
 * with debug info, wherever slc put its state variables of these names. */
#ifndef SLUICE_BENCH_ROUTER_COUNTERS_H
#define SLUICE_BENCH_ROUTER_COUNTERS_H

#include <stdint.h>

#include "image.h"
#include "router_native.h"

/* The compiled program's counter variables, in router_native.h's order. */
extern const char *const router_counter_names[ROUTER_NCOUNTERS];

/* Fills addr: by the image's 8-byte state symbols when by_symbol, else the fixed addresses.
 * NULL, or the name of a counter the image has no symbol for. */
const char *router_counters_find(const SlImage *img, int by_symbol, uint32_t addr[ROUTER_NCOUNTERS]);

#endif
