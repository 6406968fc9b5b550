# tests/repl/types.sla with its header variable's type index out of range: the debug types are
# ignored (with a note at load), the program runs.
send 0 eth(type=0x88b5)/bytes(53 4c 10 03 00 00 01 00 0a 00 00 01)
pkt as tun
print h
quit
