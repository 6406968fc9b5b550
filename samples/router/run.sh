#!/bin/sh
# Runs the router sample: compiles router.sl with slc, then runs it in slemu over lan.pcap,
# dmz.pcap and wan.pcap (ports 0, 1, 2), writing what it sends out of each port to
# OUTDIR/lan.pcap, OUTDIR/dmz.pcap and OUTDIR/wan.pcap.
#   usage: sh samples/router/run.sh BINDIR OUTDIR [more slemu options]
set -eu
[ $# -ge 2 ] || { echo "usage: sh $0 BINDIR OUTDIR [slemu options]" >&2; exit 2; }
bin=$1
out=$2
shift 2
dir=$(dirname "$0")
mkdir -p "$out"
echo "router: $bin/slc -g -o $out/router.slb $dir/router.sl"
"$bin/slc" -g -o "$out/router.slb" "$dir/router.sl"
echo "router: slemu over $dir/lan.pcap, dmz.pcap, wan.pcap (ports 0, 1, 2)"
"$bin/slemu" "$@" -i lan="$dir/lan.pcap" -i dmz="$dir/dmz.pcap" -i wan="$dir/wan.pcap" \
    -o lan="$out/lan.pcap" -o dmz="$out/dmz.pcap" -o wan="$out/wan.pcap" "$out/router.slb"
echo "router: outputs in $out/lan.pcap, dmz.pcap, wan.pcap (try: tshark -r $out/lan.pcap)"
