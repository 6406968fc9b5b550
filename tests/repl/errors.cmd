# Mistakes give a message and the prompt back.
nosuchcommand
s
print
print 1 +
print (1
print 1/0
print r99
print nosuch
print ip.ttl
print pkt[0]
print/q 1
x nosuch
pkt
bt
finish
stop
continue 0
run -1
break
break nosuch
break *9999
break fault if (
break l2learn.sla:3
watch nosuch
watch mem[5:1]
watch macs[1.2.3]
delete 42
condition 42 1
table dump nosuch
table insert macs 02:00:00:00:00:01
table insert macs 1.2.3.4 1
table get macs
send
send 0
send 0 eth(dst=nothex)
send 0 eth()/nosuch()
send 0 eth()/ipv4(ttl=300)
send 0 eth(
send 0 zz
set
set r1 = 2
set nosuch = 1
info
info nosuch
list
disas nosuch
disas *1 0
vm 9
unload 9
load nosuch.slb
load tests/emu/bad_syntax.sla
load tests/emu/bad_verify.sla
ports in 0 nosuch.pcap
ports sideways 0 x
quit 300
"unterminated
help nosuch
echo still here
vms
quit 0
