#!/bin/sh
# The debugger's scripted end-to-end tests: each tests/repl/NAME.cmd runs through
# `slemu --repl --echo -x` on its program and the transcript must equal NAME.out exactly
# (custom, router: the programs' header variables and types from slc -g; stripped: the same
# program without them; these three compiled programs' transcripts have what the code
# generator decides normalised, see norm below).
# @OUT@ in a script names this test's output directory (outputs written by `ports out`).
# REPL_UPDATE=1 rewrites the .out files (then read the diff before committing it). The frames the
# l2learn script crafts are then checked by tshark: valid checksums and the fields asked for.
set -eu
BUILD=${BUILD:-build}
BIN=${BIN:-$BUILD/bin}
dir=$BUILD/tests/repl/script
rm -rf "$dir"
mkdir -p "$dir"
s=samples/l2learn
fail=0

run() { # NAME ARGS...
    name=$1
    shift
    sed "s|@OUT@|$dir|g" "tests/repl/$name.cmd" > "$dir/$name.cmd"
    status=0
    "$BIN/slemu" --repl --echo -x "$dir/$name.cmd" "$@" > "$dir/$name.raw" 2>&1 || status=$?
    if [ "${norm:-0}" = 1 ]; then
        # Compiled programs: what the code generator decides (instruction numbers and counts,
        # the instruction at a stop, registers, other locals' values) is not what these tests
        # are about, so that compiler work does not churn their transcripts.
        sed -e "s|$dir|@OUT@|g" -e 's/[0-9][0-9]* instructions/N instructions/g' \
            -e 's/insn [0-9][0-9]*/insn N/g' -e 's/<\([A-Za-z0-9_]*\)+[0-9][0-9]*>/<\1+N>/g' \
            -e 's/^=> [0-9][0-9]* \(<[^>]*>\): .*/=> N \1: .../' \
            -e 's/instructions [0-9][0-9]*\.\.[0-9][0-9]*/instructions N..N/g' \
            -e 's/offset in r[0-9][0-9]*/offset in rN/g' \
            -e '/  (in r[0-9]*)$/d' -e '/  (state at [0-9]*)$/d' "$dir/$name.raw" > "$dir/$name.out"
    else
        sed "s|$dir|@OUT@|g" "$dir/$name.raw" > "$dir/$name.out"
    fi
    echo "(exit status $status)" >> "$dir/$name.out"
    if [ "${REPL_UPDATE:-0}" = 1 ]; then
        cp "$dir/$name.out" "tests/repl/$name.out"
    elif ! diff -u "tests/repl/$name.out" "$dir/$name.out" > "$dir/$name.diff"; then
        echo "repl: $name: the transcript differs from tests/repl/$name.out:" >&2
        head -40 "$dir/$name.diff" >&2
        fail=1
    fi
}

run l2learn -i 0=$s/in0.pcap -i 1=$s/in1.pcap -i 2=$s/in2.pcap -i 3=$s/in3.pcap $s/l2learn.sla
run fault tests/emu/fault.sla
run source tests/repl/ttl.sl
run errors -i 0=$s/in0.pcap $s/l2learn.sla
run setup tests/hv/net.yaml
norm=1
run custom -i 0=samples/custom/bad.pcap samples/custom/decap.sl
r=samples/router
run router -i 0=$r/lan.pcap -i 1=$r/dmz.pcap -i 2=$r/wan.pcap $r/router.sl
"$BIN/slc" --strip -o "$dir/decap-stripped.slb" samples/custom/decap.sl
run stripped -i 0=samples/custom/bad.pcap "$dir/decap-stripped.slb"
norm=0
run types tests/repl/types.sla
# The same image with the header variable's type index (22 bytes from the end: the last section
# is DBG_TYPES, ending with that 26-byte entry) out of range.
"$BIN/slas" -o "$dir/badtypes.slb" tests/repl/types.sla
size=$(wc -c < "$dir/badtypes.slb")
printf '\011' | dd of="$dir/badtypes.slb" bs=1 seek=$((size - 22)) conv=notrunc 2> /dev/null
run badtypes "$dir/badtypes.slb"

# The crafted frames, as the switch flooded them out of port 0, read by tshark.
if command -v tshark > /dev/null 2>&1; then
    opts="-o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -o tcp.check_checksum:TRUE"
    bad=$(tshark -r "$dir/port0.pcap" $opts -Y 'ip.checksum.status == 0 || udp.checksum.status == 0 || tcp.checksum.status == 0 || icmp.checksum.status == 0 || icmpv6.checksum.status == 0 || _ws.malformed || _ws.expert.severity >= 8388608' 2>/dev/null | wc -l)
    good=$(tshark -r "$dir/port0.pcap" $opts -Y '(vlan.id == 10 && ipv6.dst == 2001:db8::2 && tcp.flags == 0x018 && tcp.dstport == 80 && tcp.checksum.status == 1) || (icmp.type == 8 && icmp.seq == 2 && icmp.checksum.status == 1 && ip.checksum.status == 1) || (arp.opcode == 1 && arp.src.proto_ipv4 == 10.0.0.33) || (eth.type == 0x88b5 && frame.len == 60)' 2>/dev/null | wc -l)
    if [ "$bad" -ne 0 ] || [ "$good" -ne 4 ]; then
        echo "repl: tshark: $bad bad frames, $good of the 4 crafted ones found in $dir/port0.pcap" >&2
        tshark -r "$dir/port0.pcap" $opts -V 2>&1 | head -80 >&2
        fail=1
    fi
    udp=$(tshark -r "$dir/port1.pcap" $opts -Y 'udp.dstport == 53 && udp.checksum.status == 1 && ip.ttl == 8 && ip.checksum.status == 0' 2>/dev/null | wc -l)
    if [ "$udp" -ne 1 ]; then # set pkt[22] changed the TTL after the checksum: tshark must see a bad IP checksum
        echo "repl: tshark: the edited UDP frame is not in $dir/port1.pcap as expected" >&2
        fail=1
    fi
else
    echo "repl: tshark not found: crafted frames not checked"
fi
[ "$fail" = 0 ] && echo "repl: scripted sessions match their transcripts"
exit "$fail"
