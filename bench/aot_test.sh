#!/bin/sh
# make test: the AOT benchmark's equality check (C, interpreter and AOT agree on every packet) on
# a small run, so the benchmark cannot rot. Runs from the repository root.
set -eu
"${BUILD:-build}/bench/aot_bench" --program bench/router.sla --packets 20000 --rounds 1 >/dev/null
"${BUILD:-build}/bench/aot_bench" --program bench/router.sl --suffix _sl --packets 20000 --rounds 1 >/dev/null
