#!/bin/sh
# Preemption: packets of over 3000 instructions under a slice of 97 give the same output as with
# an unlimited slice, and the same as single-image mode; the preemptions are counted.
. tests/hv/lib.sh
"$SLEMU" --setup tests/hv/preempt.yaml --stats json -i 0="$T/router.pcap" -i 2="$T/merged.pcap" -o 1="$T/small.pcap" \
    -o 3="$T/small3.pcap" >"$T/small.json" ||
    fail "small slice"
sed 's/slice: 97/slice: 100000000/' tests/hv/preempt.yaml | sed 's/slice: 500/slice: 100000000/' |
    sed 's#image: heavy.sla#image: '"$(pwd)"'/tests/hv/heavy.sla#' >"$T/unlimited.yaml"
"$SLEMU" --setup "$T/unlimited.yaml" --stats json -i 0="$T/router.pcap" -i 2="$T/merged.pcap" -o 1="$T/big.pcap" \
    -o 3="$T/big3.pcap" >"$T/big.json" ||
    fail "unlimited slice"
"$SLEMU" -q -i 0="$T/router.pcap" -o 0="$T/alone.pcap" tests/hv/heavy.sla || fail "alone"
same "$T/small.pcap" "$T/big.pcap"
same "$T/small3.pcap" "$T/big3.pcap"
same "$T/small.pcap" "$T/alone.pcap"
[ "$(vm_field "$T/small.json" heavy preemptions)" -gt 6000 ] || { cat "$T/small.json" >&2; fail "too few preemptions"; }
[ "$(vm_field "$T/big.json" heavy preemptions)" = 0 ] || fail "preempted with an unlimited slice"
[ "$(vm_field "$T/small.json" heavy instructions)" = "$(vm_field "$T/big.json" heavy instructions)" ] ||
    fail "instruction counts differ"
[ "$(vm_field "$T/small.json" heavy sent)" = 200 ] || fail "not every packet sent"
[ "$(vm_field "$T/small.json" neighbour preemptions)" -gt 2000 ] || fail "the neighbour was not preempted"
grep -q '"preempt_switches":[1-9]' "$T/small.json" || fail "no switch after a preemption"
# The same run on native code (--engine aot): the same frames, instructions and preemptions.
"$SLEMU" --setup tests/hv/preempt.yaml --engine aot --stats json -i 0="$T/router.pcap" -i 2="$T/merged.pcap" \
    -o 1="$T/aot.pcap" -o 3="$T/aot3.pcap" >"$T/aot.json" || fail "small slice, native code"
same "$T/small.pcap" "$T/aot.pcap"
same "$T/small3.pcap" "$T/aot3.pcap"
for vm in heavy neighbour; do
    for f in instructions preemptions sent; do
        [ "$(vm_field "$T/small.json" $vm $f)" = "$(vm_field "$T/aot.json" $vm $f)" ] ||
            fail "native code: $vm $f differs from the interpreter's"
    done
done
