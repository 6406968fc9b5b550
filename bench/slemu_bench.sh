#!/bin/sh
# make bench: end-to-end slemu throughput, file to file, against the least a libpcap program can
# do with the same file (bench/pcap_copy.c: read every packet, dump it).
#
#   slemu_bench.sh [--packets N] [--rounds R]     (defaults 1000000 and 5)
#
# The input is the router benchmark's traffic (bench/traffic.c) written by slemu_gen into
# $BUILD/bench, one file on port 0, all outputs to one file; the program is bench/router.sla
# assembled by slas. Rounds alternate slemu and pcap_copy so drift hits both alike; the figures
# are medians of wall-clock time over whole runs (start-up, loading, reading, writing):
#   bench: slemu_router_pps N pps / bench: pcap_copy_pps N pps / bench: slemu_vs_pcap_copy X ratio
# and the ratio of CPU times (user + system; the writes' cost to storage left out):
#   bench: slemu_vs_pcap_copy_cpu X ratio
# Runs from the repository root with BUILD and BIN.
set -eu
BUILD=${BUILD:-build}
BIN=${BIN:-$BUILD/bin}
packets=1000000
rounds=5
while [ $# -gt 0 ]; do
    case $1 in
        --packets) packets=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        *) echo "usage: slemu_bench.sh [--packets N] [--rounds R]" >&2; exit 2 ;;
    esac
done
dir=$BUILD/bench/slemu
mkdir -p "$dir"
in=$dir/traffic-$packets.pcap
[ -s "$in" ] || "$BUILD/bench/slemu_gen" --packets "$packets" "$in"
"$BIN/slas" -o "$dir/router.slb" bench/router.sla

now_ns() { date +%s%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# CPU time (user + system) of all finished children so far, in ns: the second line of the
# POSIX `times` builtin ("0m1.230000s 0m0.450000s"). times must run in this shell, not in a
# $(...) subshell, whose children are not ours: hence the file.
cpu_ns() {
    times >"$dir/times"
    awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); sub("s", "", p[2]); t += p[1] * 60 + p[2] }
                   printf "%.0f\n", t * 1e9 }' "$dir/times"
}

# Warm the page cache and check both programs work before timing anything.
"$BUILD/bench/pcap_copy" "$in" "$dir/copy.pcap" 2>/dev/null
"$BIN/slemu" -q --stats json -i 0="$in" -o "$dir/out.pcap" "$dir/router.slb" >"$dir/stats.json"
grep -q "\"ok\":true,\"packets_in\":$packets," "$dir/stats.json" ||
    { echo "slemu_bench: slemu did not read all $packets packets: $(cat "$dir/stats.json")" >&2; exit 1; }

: >"$dir/slemu.ns"
: >"$dir/copy.ns"
: >"$dir/slemu.cpu"
: >"$dir/copy.cpu"
i=0
while [ $i -lt "$rounds" ]; do
    cpu_ns >"$dir/c0"
    t0=$(now_ns)
    "$BIN/slemu" -q -i 0="$in" -o "$dir/out.pcap" "$dir/router.slb"
    t1=$(now_ns)
    cpu_ns >"$dir/c1"
    "$BUILD/bench/pcap_copy" "$in" "$dir/copy.pcap" 2>/dev/null
    t2=$(now_ns)
    cpu_ns >"$dir/c2"
    echo $((t1 - t0)) >>"$dir/slemu.ns"
    echo $((t2 - t1)) >>"$dir/copy.ns"
    echo $(($(cat "$dir/c1") - $(cat "$dir/c0"))) >>"$dir/slemu.cpu"
    echo $(($(cat "$dir/c2") - $(cat "$dir/c1"))) >>"$dir/copy.cpu"
    i=$((i + 1))
done
s=$(median <"$dir/slemu.ns")
c=$(median <"$dir/copy.ns")
sc=$(median <"$dir/slemu.cpu")
cc=$(median <"$dir/copy.cpu")
out=$(sed 's/.*"packets_out":\([0-9]*\),.*/\1/' "$dir/stats.json")
awk -v n="$packets" -v s="$s" -v c="$c" -v r="$rounds" -v o="$out" -v sc="$sc" -v cc="$cc" 'BEGIN {
    printf "bench: slemu_router_pps %.0f pps packets=%d out=%d rounds=%d median_s=%.3f\n", n * 1e9 / s, n, o, r, s / 1e9
    printf "bench: pcap_copy_pps %.0f pps packets=%d rounds=%d median_s=%.3f\n", n * 1e9 / c, n, r, c / 1e9
    printf "bench: slemu_vs_pcap_copy %.2f ratio goal=0.70\n", c / s
    # The same from CPU time (user + system) alone: what the ratio would be with storage that
    # costs nothing, and a figure other load on the machine disturbs less.
    if (sc > 0 && cc > 0)
        printf "bench: slemu_vs_pcap_copy_cpu %.2f ratio slemu_cpu_pps=%.0f pcap_copy_cpu_pps=%.0f\n", cc / sc, n * 1e9 / sc, n * 1e9 / cc
}'
