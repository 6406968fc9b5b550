# The custom sample's decapsulator (samples/custom/decap.sl) at source level, with the program's
# own header types: its tunnel format is no standard the dissector knows.
break 45
run 1
print t
print t.seq
print/x t.magic
print t.seq + 1
print on_packet.t.channel
print ip
print ip.total_len
pkt
pkt as sltun
pkt as ipv4 26
pkt as ipv4 14 + 12
pkt as sltun 80
pkt as nosuch
pkt as
pkt is
delete
break 64
continue
print ip
print/x ip.src
print ip.dst == 10.2.0.20
pkt
delete
break drop if t.magic != 0x534c
continue
print t
print t.magic
condition 3 t.seq > 100
continue
quit
