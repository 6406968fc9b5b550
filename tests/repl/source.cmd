# Source level on a program compiled by slc with debug info (tests/repl/ttl.sl).
info symbols
list
break ttl.sl:23
info breakpoints
send 0 eth()/ipv4()/bytes(00)
info locals
step
info locals
print t
print/x t
print t == 0x800
step
bt
next
disas
send 1 eth(type=0x86dd)/ipv6()
print t
list 20
finish
print seen
watch seen
send 0 eth(type=0x0806)/arp()
continue
delete
stepi
step
step
step
continue
quit
