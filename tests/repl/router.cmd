# The router sample (samples/router/router.sl) with its header variables: standard headers
# through the program's own bindings (eth, ip, ic), next to the built-in dissector.
break 183
run
print ip
print ip.ttl
print ip.ihl
print eth.dst
print eth.type
print ip.dst == 10.0.0.1
print ic
info locals
pkt
delete
break 192
continue
print ic
print/x ic.checksum
print ic.msg_type == 8 && ip.protocol == 1
pkt as icmp 34
pkt as ipv4 14
pkt as icmp
finish
print ip
quit
