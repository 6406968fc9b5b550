#!/bin/sh
# Replace: the router replaced (same image, state kept) before the 101st of 200 frames, while
# frames 65 to 100 wait in its queue (batch 64), to run on the new image: the outputs equal the router's alone, so
# no frame was lost or sent twice; the replace is counted and the state was kept. (The router's
# packets have no loop, so they are never preempted; a replace while a packet is in flight is
# tests/unit/vm/hv_test.c's test_replace_mid_stream.)
. tests/hv/lib.sh
"$SLEMU" --setup tests/hv/replace.yaml --stats json -i 0="$T/router.pcap" -o 1="$T/r0.pcap" -o 2="$T/r1.pcap" \
    -o 3="$T/r2.pcap" -o 4="$T/r3.pcap" >"$T/stats.json" || fail "slemu --setup"
"$SLEMU" -q -i 0="$T/router.pcap" -o 0="$T/a0.pcap" -o 1="$T/a1.pcap" -o 2="$T/a2.pcap" -o 3="$T/a3.pcap" \
    bench/router.sla || fail "router alone"
for p in 0 1 2 3; do same "$T/r$p.pcap" "$T/a$p.pcap"; done
[ "$(vm_field "$T/stats.json" router replaces)" = 1 ] || { cat "$T/stats.json" >&2; fail "replaces"; }
grep -q '"kept_state":true' "$T/stats.json" || fail "state not kept"
[ "$(vm_field "$T/stats.json" router in)" = 201 ] || fail "in (200 frames and the init event)"
[ "$(vm_field "$T/stats.json" router queue_drops)" = 0 ] || fail "queue drops"
# On native code (--engine aot; the replacement gets its own): the same frames and counts.
"$SLEMU" --setup tests/hv/replace.yaml --engine aot --stats json -i 0="$T/router.pcap" -o 1="$T/n0.pcap" \
    -o 2="$T/n1.pcap" -o 3="$T/n2.pcap" -o 4="$T/n3.pcap" >"$T/aot.json" || fail "slemu --setup --engine aot"
for p in 0 1 2 3; do same "$T/n$p.pcap" "$T/a$p.pcap"; done
for f in replaces in instructions preemptions sent; do
    [ "$(vm_field "$T/stats.json" router $f)" = "$(vm_field "$T/aot.json" router $f)" ] ||
        fail "native code: router $f differs from the interpreter's"
done
