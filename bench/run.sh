#!/bin/sh
# make bench: the router benchmark at full size (1,000,000 packets, 5 rounds, medians).
# Extra arguments go to the harness (e.g. --rounds 7). Runs from the repository root.
set -eu
"${BUILD:-build}/bench/bench_router" --program bench/router.sla --packets 1000000 --rounds 5 "$@"
"${BUILD:-build}/bench/hv_bench"
