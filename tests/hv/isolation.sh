#!/bin/sh
# Isolation: a router, a firewall and a hostile VM (divides by zero, reads out of bounds, loops
# forever) on one hypervisor over one merged capture, steered by VLAN. The router's and the
# firewall's outputs are byte-identical to each running alone in single-image mode, and the
# hostile VM's faults are counted and stay its own.
. tests/hv/lib.sh
expect() { [ "$(vm_field "$T/stats.json" "$1" "$2")" = "$3" ] || { cat "$T/stats.json" >&2; fail "$1 $2 != $3"; }; }

"$SLEMU" --setup tests/hv/net.yaml --stats json -i 0="$T/merged.pcap" -o 1="$T/r0.pcap" -o 2="$T/r1.pcap" \
    -o 3="$T/r2.pcap" -o 4="$T/r3.pcap" -o 5="$T/fw.pcap" -o 6="$T/h.pcap" >"$T/stats.json" 2>"$T/err" ||
    { cat "$T/err" >&2; fail "slemu --setup"; }
"$SLEMU" -q -i 0="$T/router.pcap" -o 0="$T/a0.pcap" -o 1="$T/a1.pcap" -o 2="$T/a2.pcap" -o 3="$T/a3.pcap" \
    bench/router.sla || fail "router alone"
"$SLEMU" -q -i 0="$T/fw.pcap" -o 1="$T/fa.pcap" tests/hv/firewall.sla || fail "firewall alone"
for p in 0 1 2 3; do same "$T/r$p.pcap" "$T/a$p.pcap"; done
same "$T/fw.pcap" "$T/fa.pcap"

# 400 frames: 200 router, 100 firewall, 100 hostile (25 each of quiet, divide, out of bounds,
# loop); the router's "in" counts its init event too
expect router in 201
expect router faults_total 0
expect firewall in 100
expect firewall faults_total 0
expect hostile in 100
expect hostile DIV_ZERO 25
expect hostile PKT_BOUNDS 25
expect hostile FUEL 25
expect hostile dropped 25
[ "$(vm_field "$T/stats.json" hostile preemptions)" -ge 25 ] || fail "hostile loops were not preempted"
[ "$(vm_field "$T/stats.json" router sent)" -gt 100 ] || fail "router sent too little"
[ "$(vm_field "$T/stats.json" firewall sent)" -gt 10 ] || fail "firewall passed too little"
grep -q '"ok":true' "$T/stats.json" || fail "not ok"
grep -q "slemu: tests/hv/net.yaml: 400 packets in, 3 VMs" "$T/err" || { cat "$T/err" >&2; fail "summary"; }
