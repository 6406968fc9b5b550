# The instruction-level session on samples/l2learn (no line table): every command once.
help break
vms
ports
ports out 0 @OUT@/port0.pcap
ports out 1 @OUT@/port1.pcap
ports out 3 @OUT@/port3.pcap
info handlers
info symbols
break mac_key
break flood if r6 == 2
break *8
info breakpoints
run 1
bt
print r7
print/x r7
print len
print port
pkt
x pkt 0 20
continue
bt
info frame
finish
stepi
stepi 3
nexti
next
step
delete 3
disable 1
info breakpoints
continue
print r6
print r6 == 2 && eth.type == 0x0800
print/mac eth.dst
print/ip ip.dst
print ip.ttl - 1
print pkt[12:14]
print/b pkt[0:6]
print udp.dport
print mem32[12]
print learned
print/x rx
x rx
enable 1
condition 1 eth.type == 0x0806
delete 2
continue
print arp.op
delete
watch learned
watch macs[02:00:00:00:00:0f]
info breakpoints
continue
continue
delete
finish
table
table dump macs
table insert macs 02:00:00:00:00:99 3
table get macs 02:00:00:00:00:99
table insert macs {02 00 00 00 00 98} 0x2
table dump macs
table delete macs 02:00:00:00:00:99
table get macs 02:00:00:00:00:99
break send 1
send 0 eth(dst=02:00:00:00:00:0b,src=02:00:00:00:00:77)/ipv4(src=192.0.2.1,dst=192.0.2.2,ttl=9)/udp(sport=5000,dport=53)/bytes(68 65 6c 6c 6f)
print eth.src
print ip.ttl
set pkt[22] = 8
print ip.ttl
continue
delete
break drop
send 3 eth(dst=02:00:00:00:00:0d,src=02:00:00:00:00:0d,type=0x88b5)/bytes(01 02 03)
bt
stop
delete
send 3 eth()/vlan(id=10,pcp=5)/ipv6(src=2001:db8::1,dst=2001:db8::2)/tcp(sport=1234,dport=80,flags=0x18)/bytes(47 45 54)
pkt
send 3 eth()/ipv4(src=10.9.9.9,dst=10.9.9.10)/icmp(type=8,id=1,seq=2)/bytes(70 69 6e 67)
send 3 eth()/arp(op=1,sha=02:00:00:00:00:33,spa=10.0.0.33,tpa=10.0.0.1)
send 3 eth(type=0x88b5)/bytes(00 00 07 00)/pad(60)
pkt
run
stats
ports
disas bump
disas *0 4
reset
stats
run 2
quit
