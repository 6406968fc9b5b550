#!/bin/sh
# Runs the pktgen sample: compiles pktgen.sl with slc, then runs it in slemu with ctl.pcap (the
# PC's commands) on port ctl, writing the generated frames to OUTDIR/out.pcap.
#   usage: sh samples/pktgen/run.sh BINDIR OUTDIR [more slemu options]
set -eu
[ $# -ge 2 ] || { echo "usage: sh $0 BINDIR OUTDIR [slemu options]" >&2; exit 2; }
bin=$1
out=$2
shift 2
dir=$(dirname "$0")
mkdir -p "$out"
"$bin/slc" -g -o "$out/pktgen.slb" "$dir/pktgen.sl"
"$bin/slemu" "$@" -i ctl="$dir/ctl.pcap" -o out="$out/out.pcap" "$out/pktgen.slb"
echo "pktgen: generated frames in $out/out.pcap"
