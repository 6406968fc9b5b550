#!/bin/sh
# The custom sample end to end (samples/custom/README.md): encap.sl then decap.sl, twice,
# byte-identical and equal to expected/. The tunnel frames have the custom format (EtherType
# 0x88b5, magic, version, channel, per-channel sequence, length, a valid header checksum) and
# carry the datagrams unchanged; decap gives back exactly the datagrams that went in, and
# rejects the crafted bad frames.
. tests/samples/lib.sh
S=samples/custom
check_inputs custom lan.pcap bad.pcap
run_sample custom tunnel.pcap lan.pcap checked.pcap
grep -q "8 packets in, 5 out, 3 dropped, 0 punted" "$T/a.err" || { cat "$T/a.err" >&2; fail "encap summary"; }
grep -q "5 packets in, 4 out, 0 dropped, 1 punted" "$T/a.err" || { cat "$T/a.err" >&2; fail "decap summary"; }
grep -q "9 packets in, 2 out, 7 dropped, 0 punted" "$T/a.err" || { cat "$T/a.err" >&2; fail "decap of bad.pcap"; }
for f in tunnel lan checked; do
    checksums_ok "$T/a/$f.pcap"
done

# The tunnel header, field by field, and its checksum (the 16-bit ones' complement sum of its
# 12 bytes must be 0xffff).
fields "$T/a/tunnel.pcap" eth.type data.data >"$T/tun" || exit 1
[ "$(wc -l <"$T/tun")" -eq 5 ] || fail "tunnel.pcap: $(wc -l <"$T/tun") frames, expected 5"
while IFS="$(printf '\t')" read -r type data; do
    [ "$type" = 0x88b5 ] || fail "tunnel frame with EtherType $type"
    h=$(echo "$data" | cut -c1-24)
    s=0
    for i in 1 5 9 13 17 21; do
        s=$((s + 0x$(echo "$h" | cut -c$i-$((i + 3)))))
    done
    while [ $s -gt 65535 ]; do s=$(((s & 65535) + (s >> 16))); done
    [ $s -eq 65535 ] || fail "tunnel header $h: bad checksum"
    echo "$h" | cut -c1-20
done <"$T/tun" >"$T/got.tun"
# magic 534c, version 1 flags 0, channel, seq, length (IPv4 total length)
cat >"$T/want.tun" <<'X'
534c100100000000005c
534c1002000000000028
534c1001000000010020
534c1001000000020404
534c100200000001003c
X
same "$T/got.tun" "$T/want.tun"
# The payload after the 12-byte header is the datagram as it went in (its IPv4 header first).
fields "$S/lan.pcap" ip.id ip.checksum >"$T/ids" || exit 1
grep -q "^0x0100	0x256b$" "$T/ids" || fail "lan.pcap's first datagram"
cut -f2 "$T/tun" | head -1 | cut -c25-64 >"$T/inner0"
[ "$(cat "$T/inner0")" = "4500005c010040004011256b0a0100100a020014" ] || fail "first inner header: $(cat "$T/inner0")"

# decap(encap(x)) == x but for the MAC addresses: same lengths, checksums and payloads.
view() { fields "$1" ip.id ip.len ip.checksum udp.checksum tcp.checksum icmp.checksum udp.payload frame.len; }
tshark -r "$S/lan.pcap" -Y 'ip.id in {0x100,0x101,0x102,0x105}' $TSHARK_CHECKS -T fields -e ip.id -e ip.len \
    -e ip.checksum -e udp.checksum -e tcp.checksum -e icmp.checksum -e udp.payload -e frame.len >"$T/want.lan" 2>/dev/null
view "$T/a/lan.pcap" >"$T/got.lan" || exit 1
[ -s "$T/want.lan" ] || fail "no reference datagrams"
same "$T/got.lan" "$T/want.lan"
fields "$T/a/lan.pcap" eth.src eth.dst | tr '\t' ' ' >"$T/macs"
cat >"$T/want.macs" <<'X'
02:5c:00:00:00:02 02:00:00:02:00:14
02:5c:00:00:00:02 02:00:00:03:00:1e
02:5c:00:00:00:02 02:00:00:02:00:14
02:5c:00:00:00:02 02:00:00:02:00:15
X
same "$T/macs" "$T/want.macs"
# Of the crafted frames, only seq 0 and seq 3 pass (a replay, bad checksums, magic, version,
# channel, length and inner header are dropped).
fields "$T/a/checked.pcap" ip.id >"$T/checked" || exit 1
[ "$(tr '\n' ' ' <"$T/checked")" = "0x0110 0x0112 " ] || fail "decap over bad.pcap passed: $(cat "$T/checked")"
echo "custom: ok"
