#!/bin/sh
# Runs the nat sample: compiles nat.sl with slc, then runs it in slemu over
# inside.pcap and outside.pcap (ports 0 and 1), writing what it translates to OUTDIR/inside.pcap and
# OUTDIR/outside.pcap (what leaves by each port).
#   usage: sh samples/nat/run.sh BINDIR OUTDIR [more slemu options]
set -eu
[ $# -ge 2 ] || { echo "usage: sh $0 BINDIR OUTDIR [slemu options]" >&2; exit 2; }
bin=$1
out=$2
shift 2
dir=$(dirname "$0")
mkdir -p "$out"
"$bin/slc" -g -o "$out/nat.slb" "$dir/nat.sl"
"$bin/slemu" "$@" -i inside="$dir/inside.pcap" -i outside="$dir/outside.pcap" \
    -o inside="$out/inside.pcap" -o outside="$out/outside.pcap" "$out/nat.slb"
echo "nat: outputs in $out/inside.pcap and $out/outside.pcap"
