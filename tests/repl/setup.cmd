# A setup file: VMs, port maps (VLAN 10 to the router, 20 to the firewall) and per-VM commands.
vms
ports
send 0 eth(dst=02:00:00:00:00:01)/vlan(id=20)/ipv4(src=10.0.0.1,dst=10.0.0.2)/udp(sport=1,dport=2)
send 0 eth()/vlan(id=99)/bytes(00)
send 0 eth(dst=02:00:00:00:00:01)/vlan(id=10)/ipv4(src=10.0.0.1,dst=10.1.0.1,ttl=5)/udp()
vm firewall
table
vm hostile
info handlers
unload router
vms
stats
quit
