#!/bin/sh
# The nat sample end to end (samples/nat/README.md): two runs byte-identical and equal to
# expected/; tshark verifies every IPv4, TCP and UDP checksum of the translated frames (patched
# incrementally by the program) and sees the addresses and ports a NAPT must produce: pool ports
# 20000.. in allocation order, answers back to the right inside host, expired bindings gone.
. tests/samples/lib.sh
S=samples/nat
check_inputs nat inside.pcap outside.pcap
run_sample nat inside.pcap outside.pcap
json_has '"packets_in":19' '"packets_out":12' '"dropped":7' '"faults":{"DIV_ZERO":0' '"TRAP":0' \
    '"port":0,"name":"inside","in":10,"out":4,"dropped":2' '"port":1,"name":"outside","in":9,"out":8,"dropped":5'
for f in inside outside; do
    checksums_ok "$T/a/$f.pcap"
done
# row (IPv4 id), addresses, ports, and the checksum statuses (1: verified good; UDP 3: none).
show() {
    fields "$1" ip.id ip.src ip.dst tcp.srcport tcp.dstport udp.srcport udp.dstport ip.checksum.status \
        tcp.checksum.status udp.checksum.status | tr '\t' ' '
}
show "$T/a/inside.pcap" >"$T/got.in" || exit 1
cat >"$T/want.in" <<'X'
0x0101 198.51.100.7 10.0.0.10 80 40000   1 1 
0x0104 198.51.100.7 10.0.0.11 80 40000   1 1 
0x0106 192.0.2.9 10.0.0.10   7000 41000 1  1
0x010f 198.51.100.7 10.0.0.10 80 40000   1 1 
X
same "$T/got.in" "$T/want.in"
show "$T/a/outside.pcap" >"$T/got.out" || exit 1
cat >"$T/want.out" <<'X'
0x0100 203.0.113.1 198.51.100.7 20000 80   1 1 
0x0102 203.0.113.1 198.51.100.7 20000 80   1 1 
0x0103 203.0.113.1 198.51.100.7 20001 80   1 1 
0x0105 203.0.113.1 192.0.2.9   20002 7000 1  1
0x0107 203.0.113.1 192.0.2.9   20003 7000 1  3
0x010d 203.0.113.1 198.51.100.7 20000 80   1 1 
0x010e 203.0.113.1 192.0.2.9   20004 7000 1  1
0x0111 203.0.113.1 198.51.100.7 20005 443   1 1 
X
same "$T/got.out" "$T/want.out"
# Only addresses, ports and checksums change: row 2's TCP payload is intact.
tshark -r "$S/inside.pcap" -Y 'ip.id == 0x0102' -T fields -e tcp.payload 2>/dev/null >"$T/in2"
fields "$T/a/outside.pcap" tcp.payload | sed -n 2p >"$T/out2"
[ -s "$T/in2" ] && cmp "$T/in2" "$T/out2" || fail "row 2's payload changed on the way"
echo "nat: ok"
