# decap.sl compiled with --strip: no line table, symbols or header types; the debugger works at
# instruction level and says what it lacks.
break packet
run 1
stepi 3
print pkt[12:14]
print eth.type == 0x88b5
pkt
pkt as sltun
print t
print t.seq
x pkt 14 12
continue
quit
