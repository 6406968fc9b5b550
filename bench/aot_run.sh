#!/bin/sh
# make bench: the router workload on AOT x86-64 native code vs plain C vs the interpreter, for the
# hand-written assembly (bench/router.sla) and for the program compiled from Sluice
# (bench/router.sl, names ending in _sl). Extra arguments go to the harness. Runs from the
# repository root.
set -eu
"${BUILD:-build}/bench/aot_bench" --program bench/router.sla --packets 1000000 --rounds 5 "$@"
"${BUILD:-build}/bench/aot_bench" --program bench/router.sl --suffix _sl --packets 1000000 --rounds 5 "$@"
