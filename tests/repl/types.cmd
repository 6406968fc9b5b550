# Header types and a header variable written by hand in assembly (tests/repl/types.sla).
break *1
send 0 eth(type=0x88b5)/bytes(53 4c 10 03 00 00 01 00 0a 00 00 01)
print h
print h.seq
pkt as tun
stepi
print h
print/x h
print h.seq + 1
print h.peer_ip == 10.0.0.1
pkt
stepi 3
print h
pkt as tun 20
quit
