#!/bin/sh
# The router sample end to end (samples/router/README.md): compiled by slc, run by slemu twice
# (byte-identical, equal to expected/), every output frame decoded by tshark with checksums
# verified, and each frame where the script in gen.c says it must go, as it must look.
. tests/samples/lib.sh
S=samples/router
check_inputs router lan.pcap dmz.pcap wan.pcap
run_sample router lan.pcap dmz.pcap wan.pcap
grep -q "24 packets in, 14 out, 5 dropped, 5 punted" "$T/a.err" || { cat "$T/a.err" >&2; fail "summary"; }
json_has '"packets_in":24' '"packets_out":14' '"faults":{"DIV_ZERO":0' '"TRAP":0' \
    '"port":0,"name":"lan","in":17,"out":8,"dropped":3,"punted":4' \
    '"port":1,"name":"dmz","in":3,"out":3,"dropped":1,"punted":1' \
    '"port":2,"name":"wan","in":4,"out":3,"dropped":1,"punted":0'

for f in lan dmz wan; do
    checksums_ok "$T/a/$f.pcap"
done

# time (ms of the row), MACs, ARP opcode and sender address, IP addresses, TTL, total length
# (outer, then quoted for ICMP errors), ICMP type and code, UDP or TCP source port.
show() {
    fields "$1" frame.time_epoch eth.src eth.dst arp.opcode arp.src.proto_ipv4 ip.src ip.dst ip.ttl \
        ip.len icmp.type icmp.code udp.srcport tcp.srcport | sed 's/^1700000000\.0\(..\)000000/\1/' | tr '\t' ' '
}
show "$T/a/lan.pcap" >"$T/got.lan" || exit 1
cat >"$T/want.lan" <<'X'
00 02:aa:00:00:00:00 02:00:00:00:00:0a 2 10.0.0.1        
02 02:aa:00:00:00:00 02:00:00:00:00:0a   10.0.0.1 10.0.0.10 64 60 0 0  
06 02:aa:00:00:00:00 02:00:00:00:00:fe   10.0.0.10 10.1.9.9 63 60   30006 
07 02:aa:00:00:00:00 02:00:00:00:00:0a   10.0.0.1,10.0.0.10 10.0.0.10,198.51.100.7 64,1 56,128 11 0 30007 
13 02:aa:00:00:00:00 02:00:00:00:00:0a   10.0.0.1,10.0.0.10 10.0.0.10,8.8.8.8 64,1 56,52 11,8 0,0  
15 02:aa:00:00:00:00 02:00:00:00:00:0a   192.168.1.20 10.0.0.10 63 76   30015 
18 02:aa:00:00:00:00 02:00:00:00:00:0a   8.8.8.8 10.0.0.10 56 40    53
22 02:aa:00:00:00:00 02:00:00:00:00:0a   10.0.0.1,10.0.0.10 10.0.0.10,172.16.9.9 64,64 56,60 3 0 30022 
X
same "$T/got.lan" "$T/want.lan"
show "$T/a/dmz.pcap" >"$T/got.dmz" || exit 1
cat >"$T/want.dmz" <<'X'
03 02:aa:00:00:00:01 02:00:00:01:00:14   10.0.0.10 192.168.1.20 63 60   30003 
05 02:aa:00:00:00:01 02:00:00:01:00:fe   10.0.0.10 10.1.2.5 63 60   30005 
08 02:aa:00:00:00:01 02:00:00:01:00:fe   10.0.0.10 198.51.100.7 1 104    40008
X
same "$T/got.dmz" "$T/want.dmz"
show "$T/a/wan.pcap" >"$T/got.wan" || exit 1
cat >"$T/want.wan" <<'X'
04 02:aa:00:00:00:02 02:00:00:02:00:fe   10.0.0.10 8.8.8.8 63 40    40004
19 02:aa:00:00:00:02 02:00:00:02:00:fe   203.0.113.1,8.8.8.8 8.8.8.8,10.0.0.10 64,1 56,128 11 0 30019 
20 02:aa:00:00:00:02 02:00:00:02:00:fe   203.0.113.1,8.8.8.8 8.8.8.8,10.0.0.10 64,0 60,72 11 0 30020 
X
same "$T/got.wan" "$T/want.wan"

# The ARP reply answers the asker: target = A's MAC and address.
fields "$T/a/lan.pcap" arp.dst.hw_mac arp.dst.proto_ipv4 arp.src.hw_mac | head -1 >"$T/arp"
[ "$(tr '\t' ' ' <"$T/arp")" = "02:00:00:00:00:0a 10.0.0.10 02:aa:00:00:00:00" ] || fail "ARP reply: $(cat "$T/arp")"
# An ICMP error quotes the original header and 8 bytes: the quoted IPv4 header's checksum is
# still valid (status 1), the ICMP checksum too, and the quote with options keeps them.
fields "$T/a/wan.pcap" ip.checksum.status icmp.checksum.status ip.hdr_len | tail -1 >"$T/quote"
[ "$(tr '\t' ' ' <"$T/quote")" = "1,1 1 20,24" ] || fail "ICMP error quoting a header with options: $(cat "$T/quote")"
# A forwarded datagram changes only in the MACs, the TTL and the checksum: its payload is intact.
tshark -r "$S/lan.pcap" -Y 'tcp.srcport == 40008' -T fields -e tcp.payload 2>/dev/null >"$T/in8"
fields "$T/a/dmz.pcap" tcp.payload | tail -1 >"$T/out8"
[ -s "$T/in8" ] && cmp "$T/in8" "$T/out8" || fail "row 8's payload changed on the way"
# slemu compiles an .sl itself: same outputs; a program that does not compile is refused with
# the compiler's diagnostics.
expect_status 0 "$BIN/slemu" -q -i lan="$S/lan.pcap" -i dmz="$S/dmz.pcap" -i wan="$S/wan.pcap" \
    -o lan="$T/sl-lan.pcap" -o dmz="$T/sl-dmz.pcap" -o wan="$T/sl-wan.pcap" "$S/router.sl"
for f in lan dmz wan; do
    cmp "$T/sl-$f.pcap" "$S/expected/$f.pcap" || fail "slemu router.sl: $f.pcap differs"
done
printf 'port a;\non packet { let x: u8 = 300; send(a); }\n' >"$T/bad.sl"
expect_status 1 "$BIN/slemu" -i "$S/lan.pcap" "$T/bad.sl"
expect_err "bad.sl:2:25: error: constant 300 does not fit in u8"
expect_err "slemu: $T/bad.sl: not compiled"
echo "router: ok"
