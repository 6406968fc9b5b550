#!/bin/sh
# The l2switch sample end to end (samples/l2switch/README.md): two runs byte-identical and equal
# to expected/, and per output port the frames a VLAN-aware learning switch with ageing must
# send: tagged on the trunk (port 3), untagged on access ports, flooding only within the VLAN,
# learning per VLAN, unknown again after ageing, following a host that moves.
. tests/samples/lib.sh
check_inputs l2switch in0.pcap in1.pcap in2.pcap in3.pcap
run_sample l2switch port0.pcap port1.pcap port2.pcap port3.pcap
json_has '"packets_in":21' '"packets_out":20' '"dropped":10' '"faults":{"DIV_ZERO":0' '"TRAP":0' \
    '"timer_runs":5'
# ms of the row, VLAN id, MACs, UDP source port (40000 + row) or ARP opcode, frame length.
show() {
    fields "$1" frame.time_epoch vlan.id eth.src eth.dst udp.srcport arp.opcode frame.len |
        awk -F'\t' -v OFS=' ' '{ $1 = sprintf("%d", ($1 - 1700000000) * 1000 + 0.5); print }'
}
cat >"$T/want0" <<'X'
1  02:00:00:00:00:01 02:00:00:00:00:0a  2 60
6  02:00:00:00:00:0b 02:00:00:00:00:0a 40006  74
12  02:00:00:00:00:1a 02:00:00:00:00:0a 40012  74
15  02:00:00:00:00:0b 01:00:5e:00:00:01 40015  74
5001  02:00:00:00:00:0b 02:00:00:00:00:0a 40017  74
5004  02:00:00:00:00:1a 02:00:00:00:00:0b 40020  74
X
cat >"$T/want1" <<'X'
0  02:00:00:00:00:0a ff:ff:ff:ff:ff:ff  1 60
7  02:00:00:00:00:0a 02:00:00:00:00:0b 40007  74
8  02:00:00:00:00:0a 02:00:00:00:00:0c 40008  74
5000  02:00:00:00:00:0a 02:00:00:00:00:0b 40016  74
5002  02:00:00:00:00:0a 02:00:00:00:00:0b 40018  74
X
cat >"$T/want2" <<'X'
4  02:00:00:00:00:01 02:00:00:00:00:0c 40004  74
X
cat >"$T/want3" <<'X'
0 10 02:00:00:00:00:0a ff:ff:ff:ff:ff:ff  1 64
2 10 02:00:00:00:00:0a 02:00:00:00:00:01 40002  78
3 20 02:00:00:00:00:0c 02:00:00:00:00:01 40003  78
5 20 02:00:00:00:00:0c 02:00:00:00:00:01 40005  78
8 10 02:00:00:00:00:0a 02:00:00:00:00:0c 40008  78
13 10 02:00:00:00:00:0a 02:00:00:00:00:1a 40013  78
15 10 02:00:00:00:00:0b 01:00:5e:00:00:01 40015  78
5000 10 02:00:00:00:00:0a 02:00:00:00:00:0b 40016  78
X
for p in 0 1 2 3; do
    checksums_ok "$T/a/port$p.pcap"
    show "$T/a/port$p.pcap" >"$T/got$p" || exit 1
    same "$T/got$p" "$T/want$p"
done
# Tagging and untagging keep the rest of the frame: row 2's IPv4 datagram is the same bytes.
tshark -r samples/l2switch/in0.pcap -Y 'udp.srcport == 40002' -T fields -e ip.checksum -e udp.checksum -e udp.payload 2>/dev/null >"$T/in2"
fields "$T/a/port3.pcap" ip.checksum udp.checksum udp.payload | sed -n 2p >"$T/out2"
[ -s "$T/in2" ] && cmp "$T/in2" "$T/out2" || fail "row 2's datagram changed on the way"
echo "l2switch: ok"
