#!/bin/sh
# slemu --engine aot: the l2learn sample and the emulator's timer test program through JIT'd
# native code give the same captures and the same JSON summary as the interpreter; bad engine
# names are refused. Runs from the repository root with BUILD and BIN set.
set -u
BIN=${BIN:-${BUILD:-build}/bin}
out=${BUILD:-build}/tests/aot/slemu
rm -rf "$out"
mkdir -p "$out/interp" "$out/aot"
fail=0
for e in interp aot; do
    sh samples/l2learn/run.sh "$BIN/slemu" "$out/$e" --engine "$e" --stats json -q \
        >"$out/$e/stats.json" 2>"$out/$e/stderr" || { echo "FAIL: slemu --engine $e failed"; fail=1; }
done
for f in port0.pcap port1.pcap port2.pcap port3.pcap; do
    cmp -s "$out/interp/$f" "$out/aot/$f" || { echo "FAIL: slemu --engine aot: $f differs"; fail=1; }
done
# the summaries differ only in the output paths, which name the engine
for e in interp aot; do sed "s|$out/$e/|OUT/|g" "$out/$e/stats.json" >"$out/$e.json"; done
cmp -s "$out/interp.json" "$out/aot.json" || { echo "FAIL: slemu --engine aot: the summaries differ"; fail=1; }
for f in port0.pcap port1.pcap port2.pcap port3.pcap; do
    cmp -s "$out/aot/$f" "samples/l2learn/expected/$f" || { echo "FAIL: aot $f differs from the sample's expected output"; fail=1; }
done
grep -q '"packets_in":31' "$out/aot/stats.json" || { echo "FAIL: no JSON summary from --engine aot"; fail=1; }
msg=$("$BIN/slemu" --engine jit -i samples/l2learn/in0.pcap samples/l2learn/l2learn.sla 2>&1) &&
    { echo "FAIL: --engine jit accepted"; fail=1; }
echo "$msg" | grep -q "expected interp or aot" || { echo "FAIL: --engine message: $msg"; fail=1; }
[ $fail -eq 0 ] && echo "slemu --engine aot: l2learn identical to the interpreter"
exit $fail
