#!/bin/sh
# Runs the l2learn sample: the switch over in0.pcap .. in3.pcap (ports 0..3), writing what it
# sends out of port N to OUTDIR/portN.pcap.
#   usage: sh samples/l2learn/run.sh SLEMU OUTDIR [more slemu options]
set -eu
[ $# -ge 2 ] || { echo "usage: sh $0 SLEMU OUTDIR [slemu options]" >&2; exit 2; }
slemu=$1
out=$2
shift 2
dir=$(dirname "$0")
mkdir -p "$out"
echo "l2learn: $dir/l2learn.sla over $dir/in0.pcap .. in3.pcap (ports 0..3)"
"$slemu" "$@" \
    -i 0="$dir/in0.pcap" -i 1="$dir/in1.pcap" -i 2="$dir/in2.pcap" -i 3="$dir/in3.pcap" \
    -o 0="$out/port0.pcap" -o 1="$out/port1.pcap" -o 2="$out/port2.pcap" -o 3="$out/port3.pcap" \
    "$dir/l2learn.sla"
echo "l2learn: outputs in $out/port0.pcap .. $out/port3.pcap (try: tshark -r $out/port0.pcap)"
