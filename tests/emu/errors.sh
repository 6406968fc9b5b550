#!/bin/sh
# slemu's failure modes: corrupt, cut-off and foreign captures stop the run with a message and
# exit 1, keeping what was already written; bad images exit 1; bad arguments exit 2.
. tests/emu/lib.sh
S=samples/l2learn
E=tests/emu/echo.sla

# A capture cut in the middle of its last record (in1.pcap: 8 frames): 7 frames are run and
# written, then a message and exit 1; the output is a complete, readable pcap.
size=$(wc -c <"$S/in1.pcap")
head -c $((size - 20)) "$S/in1.pcap" >"$T/cut.pcap"
expect_status 1 "$SLEMU" -i 0="$T/cut.pcap" -o "$T/cut-out.pcap" "$E"
expect_err "cut.pcap: truncated"
expect_err "stopped after 7 packets"
expect_err "7 packets in, 7 out"
n=$(frames "$T/cut-out.pcap") || exit 1
[ "$n" = 7 ] || fail "cut capture: $n frames written, expected 7"

# A record whose captured length is absurd: one good frame, then the error.
{ pcap_header 1; pcap_record 1700000000 0 60; le32 1700000001; le32 0; le32 $((0xffffff)); le32 $((0xffffff)); \
  head -c 100 /dev/zero; } >"$T/corrupt.pcap"
expect_status 1 "$SLEMU" -i 0="$T/corrupt.pcap" -o "$T/corrupt-out.pcap" "$E"
expect_err "corrupt.pcap: invalid packet capture length"
n=$(frames "$T/corrupt-out.pcap") || exit 1
[ "$n" = 1 ] || fail "corrupt capture: $n frames written, expected 1"

# Cut inside the file header, or not a capture at all.
head -c 10 "$S/in1.pcap" >"$T/short.pcap"
expect_status 1 "$SLEMU" -i 0="$T/short.pcap" -o "$T/short-out.pcap" "$E"
expect_err "short.pcap: truncated dump file"
echo "not a capture" >"$T/text.pcap"
expect_status 1 "$SLEMU" -i 0="$T/text.pcap" -o "$T/text-out.pcap" "$E"
expect_err "text.pcap: unknown file format"
expect_status 1 "$SLEMU" -i 0="$T/missing.pcap" "$E"
expect_err "missing.pcap"

# A second input failing stops the whole run: the cut one fails reading its 8th record, after
# its 7th frame (at 23 ms) and the 6 frames of in0.pcap up to then.
expect_status 1 "$SLEMU" -i 0="$S/in0.pcap" -i 1="$T/cut.pcap" -o "$T/two.pcap" "$E"
expect_err "stopped after 13 packets"
n=$(frames "$T/two.pcap") || exit 1
[ "$n" = 13 ] || fail "two inputs, one cut: $n frames written, expected 13"

# A capture of another link type (LINKTYPE_RAW): a clear message, exit 1, no output created.
{ pcap_header 101; pcap_record 1700000000 0 40 69; } >"$T/raw.pcap"
expect_status 1 "$SLEMU" -i 0="$T/raw.pcap" -o "$T/raw-out.pcap" "$E"
expect_err "raw.pcap: link type 12 (RAW) is not Ethernet; slemu reads Ethernet captures only"
[ ! -e "$T/raw-out.pcap" ] || fail "an output was created for a foreign capture"

# A full disk: exit 1 with the reason.
if [ -w /dev/full ]; then
    expect_status 1 "$SLEMU" -i 0="$S/in1.pcap" -o /dev/full "$E"
    expect_err "/dev/full: write error: No space left on device"
fi

# Frames cut by the snapshot length reach the program with their captured bytes only.
{ pcap_header 1; le32 1700000000; le32 5; le32 20; le32 100; head -c 20 /dev/zero; } >"$T/snap.pcap"
expect_status 0 "$SLEMU" -i 0="$T/snap.pcap" -o "$T/snap-out.pcap" "$E"
fields "$T/snap-out.pcap" frame.len frame.cap_len frame.time_epoch >"$T/snap.txt" || exit 1
[ "$(cat "$T/snap.txt")" = "$(printf '20\t20\t1700000000.000000005')" ] || fail "snapped frame: $(cat "$T/snap.txt")"

# Faults are counted by kind and drop the packet; the first of a kind is described.
expect_status 0 "$SLEMU" --stats json -i 0="$S/in0.pcap" -o "$T/fault.pcap" tests/emu/fault.sla
expect_err "fault PKT_BOUNDS (packet access out of bounds) at insn 1 (ldp8 r1, \[r2+0\])"
expect_err "faults: PKT_BOUNDS 8"
grep -q '"PKT_BOUNDS":8,' "$T/out" || fail "JSON fault count"
grep -q '"dropped":8,' "$T/out" || fail "faulted packets are dropped"

# Long runs yield and resume (2000002 instructions each); --budget turns them into FUEL faults.
expect_status 0 "$SLEMU" --stats json -i 0="$S/in3.pcap" tests/emu/spin.sla
grep -q '"packet_instructions":14000014,' "$T/out" || { cat "$T/out" >&2; fail "instruction count"; }
expect_err "2000002.0 per packet"
expect_status 0 "$SLEMU" --stats json --budget 1000 -i 0="$S/in3.pcap" tests/emu/spin.sla
grep -q '"FUEL":7,' "$T/out" || { cat "$T/out" >&2; fail "--budget"; }

# Images the loader refuses: exit 1 with the assembler's or the verifier's message.
expect_status 1 "$SLEMU" -i 0="$S/in0.pcap" tests/emu/bad_syntax.sla
expect_err "tests/emu/bad_syntax.sla:4:"
expect_status 1 "$SLEMU" -i 0="$S/in0.pcap" tests/emu/bad_verify.sla
expect_err "insn 0 (ldp8 r1, \[r2+0\])"
printf '\177SLB garbage' >"$T/bad.slb"
expect_status 1 "$SLEMU" -i 0="$S/in0.pcap" "$T/bad.slb"
expect_err "bad.slb"

# Bad arguments: exit 2.
expect_status 2 "$SLEMU"
expect_status 2 "$SLEMU" "$E"
expect_err "no input capture"
expect_status 2 "$SLEMU" -i 0="$S/in0.pcap" "$E" "$E"
expect_status 2 "$SLEMU" --frob -i 0="$S/in0.pcap" "$E"
expect_status 2 "$SLEMU" -i 2="$S/in0.pcap" "$E"
expect_err "no such port"
expect_status 2 "$SLEMU" -i nosuch="$S/in0.pcap" "$E"
expect_status 2 "$SLEMU" -i 0="$S/in0.pcap" -i a="$S/in1.pcap" "$E"
expect_err "port 0 has two inputs"
expect_status 2 "$SLEMU" -i 0="$S/in0.pcap" -o 1="$T/x.pcap" -o b="$T/y.pcap" "$E"
expect_status 2 "$SLEMU" -i 0="$S/in0.pcap" -o "$T/x.pcap" -o "$T/y.pcap" "$E"
expect_status 2 "$SLEMU" -i 0="$S/in0.pcap" -o "$S/in0.pcap" "$E"
expect_err "both an input and an output"
expect_status 2 "$SLEMU" --seed abc -i 0="$S/in0.pcap" "$E"
expect_status 2 "$SLEMU" --budget -1 -i 0="$S/in0.pcap" "$E"
expect_status 2 "$SLEMU" --stats xml -i 0="$S/in0.pcap" "$E"
expect_status 2 "$SLEMU" -i =x.pcap "$E"
expect_status 0 "$SLEMU" --help
grep -q "usage: slemu" "$T/out" || fail "--help"
echo "errors: ok"
