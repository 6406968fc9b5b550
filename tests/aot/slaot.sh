#!/bin/sh
# slaot: objects for every target (ELF class, machine, byte order, Octeon flags, static code for
# the device), the symbols an object defines and needs, -n, --emit-llvm, -S, errors; and the
# PC object linked statically into a program that checks it against the interpreter
# (tests/aot/linked_run.c). Runs from the repository root with BUILD and BIN set.
set -u
BIN=${BIN:-${BUILD:-build}/bin}
out=${BUILD:-build}/tests/aot/slaot
mkdir -p "$out"
fail=0
no() { echo "FAIL: slaot: $*"; fail=1; }

for t in x86_64:X86-64:little octeon:MIPS:big octeon-tx:AArch64:big-no; do
    name=${t%%:*} rest=${t#*:} machine=${rest%%:*} order=${rest#*:}
    o=$out/router_$name.o
    "$BIN/slaot" -t "$name" -o "$o" bench/router.sla || { no "-t $name failed"; continue; }
    h=$(readelf -h "$o")
    echo "$h" | grep -q 'Class:.*ELF64' || no "$name: not ELF64"
    echo "$h" | grep -q 'Type:.*REL' || no "$name: not a relocatable object"
    echo "$h" | grep -q "Machine:.*$machine" || no "$name: machine is not $machine"
    case $order in
        big) echo "$h" | grep -q 'big endian' || no "$name: not big-endian" ;;
        *) echo "$h" | grep -q 'little endian' || no "$name: not little-endian" ;;
    esac
    # the descriptor holds pointers: read-only data, or relocated read-only data in PIC code
    defs=$(nm --defined-only "$o" | awk '$2 ~ /^[A-Z]$/ {print $2, $3}' | sed 's/^D sl_aot$/R sl_aot/' | sort | tr '\n' ' ')
    [ "$defs" = "R sl_aot R sl_aot_hash T sl_aot_entry " ] || no "$name: defines '$defs'"
    undef=$(nm -u "$o" | awk '{print $NF}' | grep -v -E '^(sl_native_rt_(tget|tput|tdel|csum|resize|clone|hash)|memcpy|memset)$')
    [ -z "$undef" ] || no "$name: needs $undef"
done
flags=$(readelf -h "$out/router_octeon.o" | sed -n 's/.*Flags:[[:space:]]*//p')
case "$flags" in *octeon*) ;; *) no "octeon object flags '$flags' do not say octeon" ;; esac
case "$flags" in *pic*) no "octeon object is PIC/abicalls ('$flags'), expected static code" ;; esac
readelf -r "$out/router_octeon.o" | grep -q -i 'GOT' && no "octeon object uses the GOT"

# -n, --emit-llvm, -S, -O0..-O3, .slb input
"$BIN/slaot" -n my_router -o "$out/named.o" bench/router.sla || no "-n failed"
nm "$out/named.o" | grep -q ' T my_router_entry$' || no "-n did not rename the entry"
"$BIN/slaot" --emit-llvm -o "$out/router.ll" bench/router.sla || no "--emit-llvm failed"
grep -q '^define void @sl_aot_entry(' "$out/router.ll" || no "--emit-llvm: no entry function"
grep -q '@sl_aot_hash = .*constant \[32 x i8\]' "$out/router.ll" || no "--emit-llvm: no hash"
"$BIN/slaot" -S -t octeon -o "$out/router.s" bench/router.sla || no "-S failed"
grep -q 'sl_aot_entry:' "$out/router.s" || no "-S: no entry label"
for O in -O0 -O1 -O3; do
    "$BIN/slaot" $O -o "$out/router$O.o" bench/router.sla || no "$O failed"
done
"$BIN/slas" -o "$out/router.slb" bench/router.sla && "$BIN/slaot" -o "$out/from_slb.o" "$out/router.slb" ||
    no "an .slb input failed"
cmp -s "$out/from_slb.o" "$out/router_x86_64.o" || no "the .slb and .sla inputs give different objects"

# errors
msg=$("$BIN/slaot" -t vax bench/router.sla 2>&1) && no "unknown target accepted"
echo "$msg" | grep -q "unknown target 'vax'" || no "unknown target message: $msg"
msg=$("$BIN/slaot" -n 9bad -o "$out/x.o" bench/router.sla 2>&1) && no "bad -n accepted"
echo "$msg" | grep -q "not a C identifier" || no "bad -n message: $msg"
msg=$("$BIN/slaot" -o "$out/x.o" tests/verify/undef_reg.sla 2>&1) && no "an unverifiable image was translated"
echo "$msg" | grep -q "insn " || no "verifier message missing: $msg"
cp "$out/router.slb" "$out/tampered.slb"
printf '\377' | dd of="$out/tampered.slb" bs=1 seek=60 conv=notrunc 2>/dev/null
msg=$("$BIN/slaot" -o "$out/x.o" "$out/tampered.slb" 2>&1) && no "a tampered image was translated"
echo "$msg" | grep -q "hash" || no "tampered image message: $msg"

# the PC object linked statically, run against the interpreter; refused for another image
"${BUILD:-build}/tests/aot/linked_run" bench/router.sla tests/isa/verdict_drop.sla || no "linked_run failed"

[ $fail -eq 0 ] && echo "slaot: objects, symbols, options and errors ok"
exit $fail
