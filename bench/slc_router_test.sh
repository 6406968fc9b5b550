#!/bin/sh
# The compiled router (bench/router.sl) gives the same verdict, port, bytes and counters as the
# hand-written bench/router.sla on 20,000 packets of the benchmark's traffic (no timing asserted).
set -eu
out=$("${BUILD:-build}/bench/bench_slc" --packets 20000 --rounds 1)
echo "$out"
echo "$out" | grep -q '^router_sl: .* equals .* on all 20000 packets' ||
    { echo "FAIL: no equality line"; exit 1; }
echo "$out" | grep -q '^bench: router_sl_vs_sla ' || { echo "FAIL: no ratio line"; exit 1; }
