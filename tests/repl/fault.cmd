# Faults: break fault stops after the faulting run, with the registers and the packet as the
# fault left them (tests/emu/fault.sla reads past every frame's end).
break fault
info breakpoints
send 0 eth()/bytes(01)
bt
info registers
print r2
x
run
disas
delete
send 0 eth()/bytes(02)
stats
quit
