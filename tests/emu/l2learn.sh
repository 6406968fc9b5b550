#!/bin/sh
# The l2learn sample end to end: the demo's outputs equal the committed expected captures, runs
# are byte-identical, tshark reads the outputs and sees the frames a learning switch must send,
# and the committed inputs are still what samples/l2learn/gen.c writes.
. tests/emu/lib.sh
S=samples/l2learn

# The committed inputs are the generator's output.
"$BUILD/samples/l2learn/gen" "$T" || fail "gen"
for p in 0 1 2 3; do
    cmp "$T/in$p.pcap" "$S/in$p.pcap" || fail "$S/in$p.pcap differs from what gen.c writes"
done

# Two runs through the demo script: equal to the expected files and to each other.
expect_status 0 sh "$S/run.sh" "$SLEMU" "$T/a" --stats json
cp "$T/out" "$T/a.json"
expect_err "31 packets in, 41 out, 4 dropped, 0 punted"
expect_status 0 sh "$S/run.sh" "$SLEMU" "$T/b"
for p in 0 1 2 3; do
    cmp "$T/a/port$p.pcap" "$S/expected/port$p.pcap" || fail "port$p.pcap differs from expected"
    cmp "$T/a/port$p.pcap" "$T/b/port$p.pcap" || fail "two runs differ on port $p"
done

# The JSON summary.
for kv in '"packets_in":31' '"packets_out":41' '"dropped":4' '"punted":0' '"unbound":0' \
    '"port":0,"name":"p0","in":8,"out":11,"dropped":2' '"port":1,"name":"p1","in":8,"out":14,"dropped":0' \
    '"port":2,"name":"p2","in":8,"out":6,"dropped":0' '"port":3,"name":"p3","in":7,"out":10,"dropped":2' \
    '"PKT_BOUNDS":0' '"ok":true'; do
    grep -q "$kv" "$T/a.json" || { cat "$T/a.json" >&2; fail "JSON summary lacks $kv"; }
done

# What tshark sees: time, source, destination, and the UDP source port (40000 + row of gen.c's
# script) or the ARP opcode. Worked out by hand from the script in gen.c (README.md).
show() {
    fields "$1" frame.time_epoch eth.src eth.dst udp.srcport arp.opcode |
        awk -F'\t' '{ print $1, $2, $3, ($4 != "" ? "udp " $4 : "arp " $5) }'
}
cat >"$T/want0" <<'X'
1700000000.001000123 02:00:00:00:00:0b 02:00:00:00:00:0a arp 2
1700000000.003000123 02:00:00:00:00:0b 02:00:00:00:00:0a udp 40003
1700000000.004000123 02:00:00:00:00:0c 02:00:00:00:00:0d udp 40004
1700000000.005000123 02:00:00:00:00:0d ff:ff:ff:ff:ff:ff arp 1
1700000000.011000123 02:00:00:00:00:0b 02:00:00:00:00:0e udp 40011
1700000000.013000123 02:00:00:00:00:0c 01:00:5e:00:00:01 udp 40013
1700000000.014000123 02:00:00:00:00:0f 02:00:00:00:00:0a udp 40014
1700000000.018000123 02:00:00:00:00:0c 02:00:00:00:00:99 udp 40019
1700000000.019000123 02:00:00:00:00:0d ff:ff:ff:ff:ff:ff udp 40020
1700000000.023000123 02:00:00:00:00:0b 02:00:00:00:00:0e udp 40024
1700000000.028000123 02:00:00:00:00:0c ff:ff:ff:ff:ff:ff arp 1
X
cat >"$T/want1" <<'X'
1700000000.000000123 02:00:00:00:00:0a ff:ff:ff:ff:ff:ff arp 1
1700000000.002000123 02:00:00:00:00:0a 02:00:00:00:00:0b udp 40002
1700000000.004000123 02:00:00:00:00:0c 02:00:00:00:00:0d udp 40004
1700000000.005000123 02:00:00:00:00:0d ff:ff:ff:ff:ff:ff arp 1
1700000000.013000123 02:00:00:00:00:0c 01:00:5e:00:00:01 udp 40013
1700000000.014000123 02:00:00:00:00:0c 02:00:00:00:00:0f udp 40015
1700000000.017000123 03:00:00:00:00:93 02:00:00:00:00:0b udp 40018
1700000000.018000123 02:00:00:00:00:0c 02:00:00:00:00:99 udp 40019
1700000000.019000123 02:00:00:00:00:0d ff:ff:ff:ff:ff:ff udp 40020
1700000000.021000123 02:00:00:00:00:0c 02:00:00:00:00:0b udp 40022
1700000000.022000123 02:00:00:00:00:0e 02:00:00:00:00:0b udp 40023
1700000000.024000123 02:00:00:00:00:0d 02:00:00:00:00:0f udp 40025
1700000000.026000123 02:00:00:00:00:0a 02:00:00:00:00:0b udp 40027
1700000000.028000123 02:00:00:00:00:0c ff:ff:ff:ff:ff:ff arp 1
X
cat >"$T/want2" <<'X'
1700000000.000000123 02:00:00:00:00:0a ff:ff:ff:ff:ff:ff arp 1
1700000000.005000123 02:00:00:00:00:0d ff:ff:ff:ff:ff:ff arp 1
1700000000.008000123 02:00:00:00:00:0d 02:00:00:00:00:0c udp 40008
1700000000.019000123 02:00:00:00:00:0d ff:ff:ff:ff:ff:ff udp 40020
1700000000.020000123 02:00:00:00:00:0b 02:00:00:00:00:0c udp 40021
1700000000.029000123 02:00:00:00:00:0e 02:00:00:00:00:0c arp 2
X
cat >"$T/want3" <<'X'
1700000000.000000123 02:00:00:00:00:0a ff:ff:ff:ff:ff:ff arp 1
1700000000.004000123 02:00:00:00:00:0c 02:00:00:00:00:0d udp 40004
1700000000.006000123 02:00:00:00:00:0c 02:00:00:00:00:0d arp 2
1700000000.007000123 02:00:00:00:00:0c 02:00:00:00:00:0d udp 40007
1700000000.013000123 02:00:00:00:00:0c 01:00:5e:00:00:01 udp 40013
1700000000.016000123 02:00:00:00:00:0b 02:00:00:00:00:0a udp 40017
1700000000.018000123 02:00:00:00:00:0c 02:00:00:00:00:99 udp 40019
1700000000.025000123 02:00:00:00:00:0f 02:00:00:00:00:0d udp 40026
1700000000.027000123 02:00:00:00:00:0e 02:00:00:00:00:0d udp 40028
1700000000.028000123 02:00:00:00:00:0c ff:ff:ff:ff:ff:ff arp 1
X
for p in 0 1 2 3; do
    show "$T/a/port$p.pcap" >"$T/got$p" || exit 1
    diff "$T/want$p" "$T/got$p" >&2 || fail "tshark's view of port $p"
done

# Frames keep their bytes: the unicast frame of row 21 (B to C, 1000-byte payload) comes out of
# port 2 exactly as it went in on port 1.
tshark -r "$S/in1.pcap" -Y 'udp.srcport == 40021' -x 2>/dev/null >"$T/in21" || fail "tshark in1"
tshark -r "$T/a/port2.pcap" -Y 'udp.srcport == 40021' -x 2>/dev/null >"$T/out21" || fail "tshark port2"
[ -s "$T/in21" ] && cmp "$T/in21" "$T/out21" || fail "row 21's bytes changed on the way"

# One output for every port: all 41 frames, in the order they were sent.
expect_status 0 "$SLEMU" -q -i 0="$S/in0.pcap" -i 1="$S/in1.pcap" -i 2="$S/in2.pcap" -i 3="$S/in3.pcap" \
    -o "$T/all.pcap" "$S/l2learn.sla"
n=$(frames "$T/all.pcap") || exit 1
[ "$n" = 41 ] || fail "one output for every port: $n frames, expected 41"
[ ! -s "$T/err" ] || fail "-q still printed: $(cat "$T/err")"

# Ports with no output count what is sent to them as dropped; port names work as well as numbers.
expect_status 0 "$SLEMU" --stats json -i p0="$S/in0.pcap" -i p1="$S/in1.pcap" -i 2="$S/in2.pcap" \
    -i 3="$S/in3.pcap" -o p1="$T/only1.pcap" "$S/l2learn.sla"
grep -q '"packets_out":14,"dropped":31,' "$T/out" || { cat "$T/out" >&2; fail "unbound ports"; }
grep -q '"unbound":27' "$T/out" || { cat "$T/out" >&2; fail "unbound count"; }
cmp "$T/only1.pcap" "$S/expected/port1.pcap" || fail "port 1 alone differs"
expect_err "(none: dropped)"
echo "l2learn: ok"
