#!/bin/sh
# The pktgen sample end to end (samples/pktgen/README.md): two runs byte-identical and equal to
# expected/; the frames built by the timer are the streams the commands asked for (count, size,
# burst per tick, destination, clamped sizes and bursts, stop), in the sample's own format,
# field by field: magic, stream, sequence, tx_time equal to the frame's own time stamp, payload
# length and the 0, 1, 2 ... payload.
. tests/samples/lib.sh
check_inputs pktgen ctl.pcap
run_sample pktgen out.pcap
json_has '"packets_in":6' '"packets_out":15' '"faults":{"DIV_ZERO":0' '"TRAP":0' '"timer_runs":20' \
    '"port":1,"name":"out","in":0,"out":15'
checksums_ok "$T/a/out.pcap"
fields "$T/a/out.pcap" frame.time_epoch eth.src eth.dst eth.type frame.len data.data >"$T/frames" || exit 1
while IFS="$(printf '\t')" read -r time src dst type len data; do
    [ "$src" = 02:50:47:00:00:01 ] && [ "$type" = 0x88b6 ] || fail "frame at $time: $src $type"
    magic=$(echo "$data" | cut -c1-8)
    [ "$magic" = 534c5047 ] || fail "frame at $time: magic $magic"
    stream=$((0x$(echo "$data" | cut -c9-10)))
    flags=$(echo "$data" | cut -c11-12)
    seq=$((0x$(echo "$data" | cut -c13-20)))
    tx=$((0x$(echo "$data" | cut -c21-36)))
    plen=$((0x$(echo "$data" | cut -c37-40)))
    [ "$flags" = 00 ] || fail "frame at $time: flags $flags"
    [ "$tx" = "$(echo "$time" | tr -d .)" ] || fail "frame at $time: tx_time $tx"
    [ "$plen" -eq $((len - 34)) ] || fail "frame at $time: payload_len $plen in $len bytes"
    [ ${#data} -eq $((2 * (len - 14))) ] || fail "frame at $time: ${#data} hex digits of data"
    # payload byte i is i mod 256: check the first 16 and the last one
    [ "$(echo "$data" | cut -c41-72)" = 000102030405060708090a0b0c0d0e0f ] || fail "frame at $time: payload start"
    last=$(echo "$data" | cut -c$((${#data} - 1))-)
    [ "$last" = "$(printf %02x $(((plen - 1) % 256)))" ] || fail "frame at $time: last payload byte $last"
    echo "$(($(echo "$time" | tr -d .) / 1000000 - 1700000000000)) $dst $len $stream $seq"
done <"$T/frames" >"$T/got" || exit 1
# ms, destination, length, stream, sequence: stream 1 two per tick from 10 ms until stream 2
# replaces it at 45 ms (8 of its 10 sent), stream 2 one per tick, stream 3 all 3 at once (burst
# clamped to 32) of 1514 bytes (size clamped), nothing after the stop.
cat >"$T/want" <<'X'
10 02:00:00:00:00:77 80 1 0
10 02:00:00:00:00:77 80 1 1
20 02:00:00:00:00:77 80 1 2
20 02:00:00:00:00:77 80 1 3
30 02:00:00:00:00:77 80 1 4
30 02:00:00:00:00:77 80 1 5
40 02:00:00:00:00:77 80 1 6
40 02:00:00:00:00:77 80 1 7
50 ff:ff:ff:ff:ff:ff 200 2 0
60 ff:ff:ff:ff:ff:ff 200 2 1
70 ff:ff:ff:ff:ff:ff 200 2 2
80 ff:ff:ff:ff:ff:ff 200 2 3
140 02:00:00:00:00:77 1514 3 0
140 02:00:00:00:00:77 1514 3 1
140 02:00:00:00:00:77 1514 3 2
X
same "$T/got" "$T/want"
echo "pktgen: ok"
