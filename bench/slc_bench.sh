#!/bin/sh
# make bench, the compiler's part: bench/router.sl compiled vs the hand-written bench/router.sla
# (equal on every packet, then timed: router_sl_vs_sla, goal <= 1.3), and the time slc takes on
# a generated program of 50,000 lines (median of 3 runs of the tool; goal under 1 s).
set -eu
build="${BUILD:-build}"
bin="${BIN:-$build/bin}"
"$build/bench/bench_slc" --packets 200000 --rounds 7 "$@"
dir="$build/bench/slc"
mkdir -p "$dir"
"$build/tests/slgen/slgen" --lines 50000 --seed 1 >"$dir/big.sl"
lines=$(wc -l <"$dir/big.sl")
# Wall and CPU seconds of each run (CPU from /usr/bin/time when it is there: on a busy machine
# the wall time mostly measures waiting); the median run by wall time is reported.
runs=""
for _ in 1 2 3; do
    t0=$(date +%s%N)
    if [ -x /usr/bin/time ]; then
        cpu=$(/usr/bin/time -f '%U %S' "$bin/slc" -o "$dir/big.slb" "$dir/big.sl" 2>&1 >/dev/null | tail -1 |
            awk '{ print $1 + $2 }')
    else
        "$bin/slc" -o "$dir/big.slb" "$dir/big.sl"
        cpu=-1
    fi
    t1=$(date +%s%N)
    runs="$runs$((t1 - t0)) $cpu
"
done
echo "$runs" | grep . | sort -n | sed -n 2p |
    awk -v lines="$lines" -v size="$(wc -c <"$dir/big.slb")" \
        '{ printf "bench: slc_compile_50k %.2f s lines=%d cpu=%.2f image=%d goal=1\n", $1 / 1e9, lines, $2, size }'
