#!/bin/sh
# slemu over captures of every shape it may be given (beyond errors.sh): pcapng, microsecond and
# big-endian pcap, empty captures, empty frames, frames cut by the snapshot length (counted),
# pcapng files mixing link types or of a foreign one, and long inputs cut off in the middle,
# where every frame before the cut must be in the outputs.
. tests/emu/lib.sh
S=samples/l2learn
E=tests/emu/echo.sla
command -v editcap >/dev/null && command -v mergecap >/dev/null || { echo "SKIP: captures.sh: no editcap/mergecap"; exit 0; }

# count FILE: frames in FILE as tcpdump reads it (tshark takes a second to start; tcpdump fails
# on a capture that is not complete). Call as n=$(count F) || exit 1.
count() {
    tcpdump -r "$1" -nn -t >"$T/td.out" 2>"$T/td.err" || { cat "$T/td.err" >&2; fail "tcpdump cannot read $1"; }
    grep -vc '^[[:space:]]' "$T/td.out" || true
}

# The reference: in1.pcap (8 frames) echoed.
expect_status 0 "$SLEMU" -i 0="$S/in1.pcap" -o "$T/ref.pcap" "$E"

# pcapng: the same output as from the pcap it was made from, byte for byte.
editcap -F pcapng "$S/in1.pcap" "$T/in1.pcapng" || fail "editcap pcapng"
expect_status 0 "$SLEMU" -i 0="$T/in1.pcapng" -o "$T/in1.pcapng.out" "$E"
expect_err "8 packets in, 8 out"
cmp -s "$T/ref.pcap" "$T/in1.pcapng.out" || fail "pcapng: output differs from the pcap input's"
# Microsecond pcap: times become nanoseconds.
{ le32 $((0xa1b2c3d4)); le16 2; le16 4; le32 0; le32 0; le32 65535; le32 1; pcap_record 1700000000 123456 60; } \
    >"$T/usec.pcap"
expect_status 0 "$SLEMU" -i 0="$T/usec.pcap" -o "$T/usec.out" "$E"
fields "$T/usec.out" frame.time_epoch >"$T/usec.txt" || exit 1
[ "$(cat "$T/usec.txt")" = "1700000000.123456000" ] || fail "microsecond pcap: $(cat "$T/usec.txt")"
# Big-endian (swapped) pcap: header and record fields byte-swapped, frame bytes as they are.
be32() { byte $(($1 >> 24)); byte $(($1 >> 16)); byte $(($1 >> 8)); byte "$1"; }
{ be32 $((0xa1b23c4d)); byte 0; byte 2; byte 0; byte 4; be32 0; be32 0; be32 65535; be32 1;
  be32 1700000000; be32 7; be32 60; be32 60; head -c 60 /dev/zero | tr '\000' '\042'; } >"$T/be.pcap"
expect_status 0 "$SLEMU" -i 0="$T/be.pcap" -o "$T/be.out" "$E"
fields "$T/be.out" frame.len frame.time_epoch eth.type >"$T/be.txt" || exit 1
[ "$(cat "$T/be.txt")" = "$(printf '60\t1700000000.000000007\t0x2222')" ] || fail "big-endian pcap: $(cat "$T/be.txt")"

# An empty capture: nothing runs (not even init), exit 0, a valid empty output.
pcap_header 1 >"$T/empty.pcap"
expect_status 0 "$SLEMU" --stats json -i 0="$T/empty.pcap" -o "$T/empty.out" "$E"
grep -q '"ok":true,"packets_in":0,"packets_out":0,' "$T/out" || fail "empty capture: $(cat "$T/out")"
n=$(count "$T/empty.out") || exit 1
[ "$n" = 0 ] || fail "empty capture: $n frames out"

# Empty frames (caplen 0) reach the program as empty packets: echo sends them back empty.
{ pcap_header 1; pcap_record 1700000000 0 0; pcap_record 1700000000 1 0; } >"$T/zero.pcap"
expect_status 0 "$SLEMU" -i 0="$T/zero.pcap" -o "$T/zero.out" "$E"
expect_err "2 packets in, 2 out"
fields "$T/zero.out" frame.len >"$T/zero.txt" || exit 1
[ "$(cat "$T/zero.txt")" = "$(printf '0\n0')" ] || fail "empty frames: $(cat "$T/zero.txt")"

# Frames cut by the snapshot length: run with their captured bytes, counted as "snapped".
{ pcap_header 1; le32 1700000000; le32 0; le32 40; le32 1514; head -c 40 /dev/zero;
  pcap_record 1700000000 1 60; le32 1700000000; le32 2; le32 14; le32 60; head -c 14 /dev/zero; } >"$T/snap.pcap"
expect_status 0 "$SLEMU" --stats json -i 0="$T/snap.pcap" -o "$T/snap.out" "$E"
grep -q '"snapped":2,' "$T/out" || fail "snapped count: $(cat "$T/out")"
expect_err "2 frames cut short by the capture"
fields "$T/snap.out" frame.len frame.cap_len >"$T/snap.txt" || exit 1
[ "$(cat "$T/snap.txt")" = "$(printf '40\t40\n60\t60\n14\t14')" ] || fail "snapped frames: $(cat "$T/snap.txt")"

# Foreign link types, pcap and pcapng: refused before anything runs or any output exists.
{ pcap_header 113; pcap_record 1700000000 0 40; } >"$T/sll.pcap"
expect_status 1 "$SLEMU" -i 0="$T/sll.pcap" -o "$T/sll.out" "$E"
expect_err "sll.pcap: link type 113 (LINUX_SLL) is not Ethernet; slemu reads Ethernet captures only"
[ ! -e "$T/sll.out" ] || fail "an output was created for a foreign capture"
editcap -F pcapng "$T/sll.pcap" "$T/sll.pcapng" || fail "editcap sll"
expect_status 1 "$SLEMU" -i 0="$T/sll.pcapng" -o "$T/sll.out" "$E"
expect_err "sll.pcapng: link type 113 (LINUX_SLL) is not Ethernet"
# A pcapng whose second interface is not Ethernet: libpcap refuses the file at that interface's
# description, here before the first frame; the outputs exist and are empty.
{ pcap_header 101; pcap_record 1800000000 0 40 69; } >"$T/raw.pcap"
mergecap -F pcapng -w "$T/mixed.pcapng" "$S/in1.pcap" "$T/raw.pcap" || fail "mergecap"
expect_status 1 "$SLEMU" -i 0="$T/mixed.pcapng" -o "$T/mixed.out" "$E"
expect_err "mixed.pcapng: an interface has a type 101 different from the type of the first interface"
n=$(count "$T/mixed.out") || exit 1
[ "$n" = 0 ] || fail "mixed link types: $n frames written"

# Long inputs cut off in the middle (800 frames, far more than stdio buffers): every frame
# before the cut is in the output, which is a complete capture; pcap and pcapng alike.
tail -c +25 "$S/in1.pcap" >"$T/body"
{ head -c 24 "$S/in1.pcap"; i=0; while [ $i -lt 100 ]; do cat "$T/body"; i=$((i + 1)); done; } >"$T/long.pcap"
editcap -F pcapng "$T/long.pcap" "$T/long.pcapng" || fail "editcap long"
for f in long.pcap long.pcapng; do
    size=$(wc -c <"$T/$f")
    for cut in 5 30; do # inside the last record's data; inside its header
        head -c $((size - cut)) "$T/$f" >"$T/cut-$f"
        expect_status 1 "$SLEMU" -i 0="$T/cut-$f" -o "$T/cut-$f.out" "$E"
        expect_err "cut-$f: .*(stopped after 799 packets)"
        expect_err "799 packets in, 799 out"
        n=$(count "$T/cut-$f.out") || exit 1
        [ "$n" = 799 ] || fail "$f cut by $cut bytes: $n frames written, expected 799"
    done
done
# --count stops a file run early (exit 0); SIGINT stops it too, but as a failure (exit 1): the
# inputs were not read to their end. Either way the outputs are complete captures.
expect_status 0 "$SLEMU" --count 5 -i 0="$S/in1.pcap" -o "$T/count.out" "$E"
expect_err "5 packets in, 5 out"
n=$(count "$T/count.out") || exit 1
[ "$n" = 5 ] || fail "--count 5: $n frames written"
"$SLEMU" -i 0="$T/long.pcap" -o "$T/int.out" tests/emu/spin.sla 2>"$T/err" & # 2M instructions a packet
pid=$!
sleep 0.3
kill -INT $pid
wait $pid
rc=$?
[ $rc -eq 1 ] || { cat "$T/err" >&2; fail "SIGINT: exit $rc, expected 1"; }
expect_err "stopped by signal 2 after [0-9]* packets"
expect_err "[1-9][0-9]* packets in, 0 out" # spin.sla drops every packet
n=$(count "$T/int.out") || exit 1
[ "$n" = 0 ] || fail "SIGINT: $n frames written"
echo "captures: ok"
