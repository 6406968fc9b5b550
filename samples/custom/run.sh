#!/bin/sh
# Runs the custom sample: compiles encap.sl and decap.sl with slc, runs encap over lan.pcap
# (its port lan) into OUTDIR/tunnel.pcap (frames of the custom format), decap over that
# (its port tunnel) into OUTDIR/lan.pcap (the IPv4 datagrams again), then decap over the
# crafted bad.pcap into OUTDIR/checked.pcap (what survives its checks).
#   usage: sh samples/custom/run.sh BINDIR OUTDIR [more slemu options, for every run]
set -eu
[ $# -ge 2 ] || { echo "usage: sh $0 BINDIR OUTDIR [slemu options]" >&2; exit 2; }
bin=$1
out=$2
shift 2
dir=$(dirname "$0")
mkdir -p "$out"
"$bin/slc" -g -o "$out/encap.slb" "$dir/encap.sl"
"$bin/slc" -g -o "$out/decap.slb" "$dir/decap.sl"
"$bin/slemu" "$@" -i lan="$dir/lan.pcap" -o tunnel="$out/tunnel.pcap" "$out/encap.slb"
"$bin/slemu" "$@" -i tunnel="$out/tunnel.pcap" -o lan="$out/lan.pcap" "$out/decap.slb"
"$bin/slemu" "$@" -i tunnel="$dir/bad.pcap" -o lan="$out/checked.pcap" "$out/decap.slb"
echo "custom: outputs in $out/tunnel.pcap, $out/lan.pcap and $out/checked.pcap"
