#!/bin/sh
# When init and timers run: init at the first packet's time; timers before the packet that
# passes their due time, stamped with it; a jump in capture time skips runs (counted) instead
# of running millions of them. Also: --seed drives rand, and runs are reproducible.
. tests/emu/lib.sh
P=tests/emu/timers.sla

# Frames at 0, 0.25 s, 1 s and 1e6 s after 1700000000 s (70 bytes each).
{ pcap_header 1; pcap_record 1700000000 0 70; pcap_record 1700000000 250000000 70
  pcap_record 1700000001 0 70; pcap_record 1701000000 0 70; } >"$T/in.pcap"
expect_status 0 "$SLEMU" --stats json --seed 1 -i 0="$T/in.pcap" -o "$T/out1.pcap" "$P"
cp "$T/out" "$T/stats.json"
grep -q '"timer_runs":11,"timer_runs_skipped":9999989' "$T/stats.json" || { cat "$T/stats.json" >&2; fail "timer counts"; }
expect_err "timer runs: 11 (9999989 skipped by time jumps)"
# Instructions per handler: echo takes 4 a packet, start 4, tick 10 a run.
grep -q '"handlers":\[{"handler":"packet","instructions":16,"runs":4},{"handler":"init","instructions":4,"runs":1},{"handler":"timer 100ms","instructions":110,"runs":11}\]' "$T/stats.json" ||
    { cat "$T/stats.json" >&2; fail "per-handler counts"; }
expect_err "    init                    4 instructions in 1 run"
expect_err "    timer 100ms           110 instructions in 11 runs"
fields "$T/out1.pcap" frame.time_epoch frame.len >"$T/got" || exit 1
cat >"$T/want" <<'X'
1700000000.000000000	64
1700000000.000000000	70
1700000000.100000000	60
1700000000.200000000	60
1700000000.250000000	70
1700000000.300000000	60
1700000000.400000000	60
1700000000.500000000	60
1700000000.600000000	60
1700000000.700000000	60
1700000000.800000000	60
1700000000.900000000	60
1700000001.000000000	60
1700000001.000000000	70
1701000000.000000000	60
1701000000.000000000	70
X
diff "$T/want" "$T/got" >&2 || fail "init and timer times"

# Timer frames carry their run number: the 11th run is the last.
fields "$T/out1.pcap" eth.type data.data | awk -F'\t' '$1 == "0x88b5" { print substr($2, 1, 16) }' | tail -1 >"$T/last"
[ "$(cat "$T/last")" = 000000000000000b ] || fail "last timer run number: $(cat "$T/last")"

# Same seed, same bytes; another seed, other random numbers.
expect_status 0 "$SLEMU" --seed 1 -i 0="$T/in.pcap" -o "$T/out2.pcap" "$P"
cmp "$T/out1.pcap" "$T/out2.pcap" || fail "two runs with the same seed differ"
expect_status 0 "$SLEMU" --seed 2 -i 0="$T/in.pcap" -o "$T/out3.pcap" "$P"
if cmp -s "$T/out1.pcap" "$T/out3.pcap"; then fail "--seed has no effect"; fi
echo "timers: ok"
