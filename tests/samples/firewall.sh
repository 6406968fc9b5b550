#!/bin/sh
# The firewall sample end to end (samples/firewall/README.md): two runs byte-identical and equal
# to expected/, frames unchanged and valid for tshark, and exactly the frames the ACL and the TCP
# tracking let through (rows are numbered in the IPv4 identification, 0x100 + row of gen.c).
. tests/samples/lib.sh
S=samples/firewall
check_inputs firewall inside.pcap outside.pcap
run_sample firewall inside.pcap outside.pcap
json_has '"packets_in":30' '"packets_out":20' '"dropped":10' '"faults":{"DIV_ZERO":0' '"TRAP":0' \
    '"timer_runs":13' '"port":0,"name":"inside","in":16,"out":8,"dropped":4' \
    '"port":1,"name":"outside","in":14,"out":12,"dropped":6'
for f in inside outside; do
    checksums_ok "$T/a/$f.pcap"
done
show() {
    fields "$1" ip.id ip.src ip.dst tcp.flags udp.dstport icmp.type arp.opcode | tr '\t' ' '
}
# Into the inside: answers of A's connections, DNS answers, the server's connection, echo reply.
show "$T/a/inside.pcap" >"$T/got.in" || exit 1
cat >"$T/want.in" <<'X'
0x0101 198.51.100.7 10.0.0.10 0x0012   
0x0104 198.51.100.7 10.0.0.10 0x0018   
0x0109 192.0.2.53 10.0.0.10  40002  
0x010b 203.0.113.66 10.0.0.80 0x0002   
0x010d 203.0.113.66 10.0.0.80 0x0010   
0x0110 198.51.100.7 10.0.0.10 0x0011   
0x0117 198.51.100.7 10.0.0.10   0 
0x011d 198.51.100.7 10.0.0.10 0x0012   
X
same "$T/got.in" "$T/want.in"
# Out: A's connections (not telnet), DNS (not NTP), the server's answers, ARP, ping.
show "$T/a/outside.pcap" >"$T/got.out" || exit 1
cat >"$T/want.out" <<'X'
0x0100 10.0.0.10 198.51.100.7 0x0002   
0x0102 10.0.0.10 198.51.100.7 0x0010   
0x0103 10.0.0.10 198.51.100.7 0x0018   
0x0108 10.0.0.10 192.0.2.53  53  
0x010c 10.0.0.80 203.0.113.66 0x0012   
0x010e 10.0.0.80 203.0.113.66 0x0014   
0x0111 10.0.0.10 198.51.100.7 0x0011   
0x0112 10.0.0.10 198.51.100.7 0x0010   
      1
0x0116 10.0.0.10 198.51.100.7   8 
0x011a 10.0.0.10 198.51.100.8 0x0002   
0x011c 10.0.0.10 198.51.100.7 0x0002   
X
same "$T/got.out" "$T/want.out"
# A firewall does not change what it passes: the frames out are the frames in, byte for byte.
tshark -r "$S/inside.pcap" -Y 'ip.id == 0x0103' -x 2>/dev/null | tail -n +2 >"$T/in3"
tshark -r "$T/a/outside.pcap" -Y 'ip.id == 0x0103' -x 2>/dev/null | tail -n +2 >"$T/out3"
[ -s "$T/in3" ] && cmp "$T/in3" "$T/out3" || fail "row 3's bytes changed on the way"
echo "firewall: ok"
