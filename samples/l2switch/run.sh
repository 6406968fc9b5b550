#!/bin/sh
# Runs the l2switch sample: compiles l2switch.sl with slc, then runs it in slemu over
# in0.pcap .. in3.pcap (ports 0..3), writing what it sends out of port N to OUTDIR/portN.pcap.
#   usage: sh samples/l2switch/run.sh BINDIR OUTDIR [more slemu options]
set -eu
[ $# -ge 2 ] || { echo "usage: sh $0 BINDIR OUTDIR [slemu options]" >&2; exit 2; }
bin=$1
out=$2
shift 2
dir=$(dirname "$0")
mkdir -p "$out"
"$bin/slc" -g -o "$out/l2switch.slb" "$dir/l2switch.sl"
"$bin/slemu" "$@" -i 0="$dir/in0.pcap" -i 1="$dir/in1.pcap" -i 2="$dir/in2.pcap" -i 3="$dir/in3.pcap" \
    -o 0="$out/port0.pcap" -o 1="$out/port1.pcap" -o 2="$out/port2.pcap" -o 3="$out/port3.pcap" \
    "$out/l2switch.slb"
echo "l2switch: outputs in $out/port0.pcap .. port3.pcap"
