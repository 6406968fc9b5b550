#!/bin/sh
# The end-to-end slemu benchmark in quick mode as a test (no timing is asserted): it runs, prints
# its three figures, and slemu accounts for every packet of the generated file.
set -eu
BUILD=${BUILD:-build}
out=$(sh bench/slemu_bench.sh --packets 20000 --rounds 1)
echo "$out"
for line in 'bench: slemu_router_pps ' 'bench: pcap_copy_pps ' 'bench: slemu_vs_pcap_copy '; do
    echo "$out" | grep -q "^$line" || { echo "FAIL: missing: $line"; exit 1; }
done
stats=$BUILD/bench/slemu/stats.json
# The router sends at most one frame per packet: out + dropped + punted = in.
awk -v s="$(cat "$stats")" 'BEGIN {
    n = split(s, kv, /[,{}]/)
    for (i = 1; i <= n; i++) { split(kv[i], p, ":"); if (!(p[1] in v)) v[p[1]] = p[2] }
    if (v["\"packets_in\""] != 20000 || v["\"packets_out\""] + v["\"dropped\""] + v["\"punted\""] != 20000 ||
        v["\"packets_out\""] < 15000) { print "FAIL: counts: " s; exit 1 }
}'
n=$(tshark -r "$BUILD/bench/slemu/out.pcap" -T fields -e frame.number | wc -l)
[ "$n" -eq "$(sed 's/.*"packets_out":\([0-9]*\),.*/\1/' "$stats")" ] || { echo "FAIL: tshark reads $n frames"; exit 1; }
