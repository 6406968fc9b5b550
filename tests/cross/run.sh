#!/bin/sh
# The device runner on every target, against the x86-64 interpreter, byte for byte.
#
# Cases (built into $BUILD/cross-test/cases):
#   - every ISA conformance file (tests/isa/*.sla, converted by isa2frames): one VM directly
#     (-m vm), state memory in the counters record, the run log (verdict, fault and instruction
#     index, instruction count, the packet as left), unlimited fuel and slices of 3 instructions;
#   - every sample (samples/NAME/ with expected/; NAME.sla or NAME.sl) over its captures, and
#     bench/router.sla over 2,000 generated frames, each through the hypervisor (-m hv; the
#     router also with slices of 7 instructions) and through one VM (-m vm).
# The reference is slrun built for this host (x86-64) with the interpreter. Every other leg must
# write the same output frames, counters record and run log, compared with cmp:
#   - slrun for big-endian MIPS64 Octeon under qemu-mips64-static -cpu Octeon68XX (no FPU: only
#     a freestanding soft-float program runs there) and for AArch64 under qemu-aarch64-static;
#   - when $BIN/slaot exists: every case with native code from slaot (-t x86_64 on the host,
#     -t octeon under qemu's Octeon, -t octeon-tx under qemu-aarch64), linked into a runner of its
#     own (libslrun.a + a generated table of the objects; slrun -e aot), directly and through the
#     hypervisor (whose preemption of the router every 7 instructions then runs on native code).
# Host-only checks first: each sample's outputs through frames2pcap equal slemu's expected captures,
# pcap <-> frame file round trips, and slrun's and slframes' failure modes.
#
# CROSS_REQUIRED=1 (make cross-test) turns a missing cross compiler, qemu or slaot into a failure;
# otherwise (make test) those legs are skipped with a note. Run from the repository root with BUILD
# and BIN set.
set -u
BUILD=${BUILD:-build}
BIN=${BIN:-$BUILD/bin}
required=${CROSS_REQUIRED:-0}
work=$BUILD/cross-test
cases=$work/cases
slrun=$BIN/slrun
slframes=$BIN/slframes
fail=0
start=$(date +%s)

note() { echo "cross: $*"; }
bad() { echo "FAIL: cross: $*"; fail=1; }
# A leg that cannot run: a failure for make cross-test, a note for make test.
missing() {
    if [ "$required" = 1 ]; then bad "$*"; else note "skipped: $*"; fi
}

for f in "$slrun" "$slframes" "$BUILD/tests/cross/isa2frames" "$BUILD/tests/cross/gentraffic"; do
    [ -x "$f" ] || { echo "FAIL: cross: $f not built"; exit 1; }
done
rm -rf "$work"
mkdir -p "$cases" "$work/ref"

# ---- Cases -------------------------------------------------------------------------------
# $work/list: one case a line: NAME IMAGE FRAMES OPTIONS...
"$BUILD/tests/cross/isa2frames" "$cases" tests/isa/*.sla || { echo "FAIL: cross: isa2frames"; exit 1; }
list=$work/list
: >"$list"
for f in tests/isa/*.sla; do
    n=$(basename "$f" .sla)
    opt=$(cat "$cases/$n.opt")
    echo "isa-$n $cases/$n.slb $cases/$n.slf -m vm --state $opt" >>"$list"
    echo "isa3-$n $cases/$n.slb $cases/$n.slf -m vm --state --slice 3 $opt" >>"$list"
done
# Samples: every samples/NAME/ with an expected/ folder, built from NAME.sla (slas) or NAME.sl
# (slc). Inputs: samples/NAME/inN.pcap on port N, samples/NAME/P.pcap on the port named P;
# expected outputs: expected/portN.pcap of port N, expected/P.pcap of the port named P.
samples=""
for d in samples/*/; do
    d=${d%/}
    n=$(basename "$d")
    [ -d "$d/expected" ] || continue
    if [ -f "$d/$n.sla" ]; then
        "$BIN/slas" -o "$cases/$n.slb" "$d/$n.sla" || { bad "slas $d/$n.sla"; continue; }
    elif [ -f "$d/$n.sl" ] && [ -x "$BIN/slc" ]; then
        "$BIN/slc" -o "$cases/$n.slb" "$d/$n.sl" || { bad "slc $d/$n.sl"; continue; }
    else
        note "sample $n: no $n.sla, and no $n.sl or no slc: not run"
        continue
    fi
    ins="" outs=""
    for f in "$d"/*.pcap; do
        [ -f "$f" ] || continue
        p=$(basename "$f" .pcap)
        case "$p" in in[0-9]*) p=${p#in} ;; esac
        ins="$ins -i $p=$f"
    done
    for e in "$d"/expected/*.pcap; do
        p=$(basename "$e" .pcap)
        case "$p" in port[0-9]*) port=${p#port} ;; *) port=$p ;; esac
        outs="$outs -o $port=$work/$n-$p.pcap"
    done
    # shellcheck disable=SC2086
    "$slframes" pcap2frames --image "$cases/$n.slb" $ins -o "$cases/$n.slf" 2>"$work/err.txt" ||
        { bad "pcap2frames for sample $n: $(cat "$work/err.txt")"; continue; }
    echo "$n-hv $cases/$n.slb $cases/$n.slf -m hv --state" >>"$list"
    echo "$n-vm $cases/$n.slb $cases/$n.slf -m vm --state" >>"$list"
    echo "$n $outs" >>"$work/samples"
    samples="$samples $n"
done
"$BUILD/tests/cross/gentraffic" 2000 7 "$cases/bench-router.slf" || bad "gentraffic"
"$BIN/slas" -o "$cases/bench-router.slb" bench/router.sla || bad "slas bench/router.sla"
cat >>"$list" <<EOF
bench-router-hv $cases/bench-router.slb $cases/bench-router.slf -m hv --state
bench-router-hv7 $cases/bench-router.slb $cases/bench-router.slf -m hv --state --slice 7
bench-router-vm $cases/bench-router.slb $cases/bench-router.slf -m vm --state --seed 5
EOF
ncases=$(wc -l <"$list")
: >>"$work/samples"

# run_leg NAME ENGINE RUNNER...: every case of $list into
# $work/NAME/, compared with $work/ref/ (or written there for the leg "ref"). Writes a summary
# line and any failures to $work/NAME.out; returns non-zero on a failure.
run_leg() {
    leg=$1 engine=$2
    shift 2
    out=$work/$leg
    mkdir -p "$out"
    nrun=0 nbad=0
    while read -r name image frames opts; do
        log=""
        case "$opts" in "-m vm"*) log="-l $out/$name.log" ;; esac
        # shellcheck disable=SC2086
        if ! "$@" -q -e "$engine" $opts -c "$out/$name.cnt" $log "$image" "$frames" "$out/$name.slf" \
            2>"$out/$name.err"; then
            echo "FAIL: cross: [$leg] $name: slrun failed: $(head -3 "$out/$name.err")"
            nbad=$((nbad + 1))
            continue
        fi
        nrun=$((nrun + 1))
        [ "$leg" = ref ] && continue
        for x in slf cnt log; do
            [ -f "$work/ref/$name.$x" ] || continue
            if ! cmp -s "$work/ref/$name.$x" "$out/$name.$x"; then
                echo "FAIL: cross: [$leg] $name: $name.$x differs from the x86-64 interpreter's" \
                    "($(cmp "$work/ref/$name.$x" "$out/$name.$x" 2>&1 | head -1))"
                nbad=$((nbad + 1))
            fi
        done
    done <"$list"
    echo "cross: [$leg] $nrun runs, $nbad differences or failures"
    [ "$nbad" -eq 0 ]
}

# ---- The reference: the x86-64 interpreter ----------------------------------------------
run_leg ref interp "$slrun" >"$work/ref.out" || { cat "$work/ref.out"; bad "reference runs failed"; }
cat "$work/ref.out"

# ---- Host-only checks -------------------------------------------------------------------
# Every sample through one VM gives exactly what slemu gives (its expected captures), and so
# does l2learn through the hypervisor.
while read -r n outs; do
    for mode in vm hv; do
        [ $mode = hv ] && [ "$n" != l2learn ] && continue
        # shellcheck disable=SC2086
        "$slframes" frames2pcap --image "$cases/$n.slb" "$work/ref/$n-$mode.slf" $outs 2>/dev/null ||
            bad "frames2pcap on $n's output"
        for e in samples/"$n"/expected/*.pcap; do
            cmp -s "$work/$n-$(basename "$e")" "$e" ||
                bad "sample $n (-m $mode): slrun's $(basename "$e") differs from slemu's ($e)"
        done
    done
done <"$work/samples"
s=samples/l2learn
"$slframes" counters "$work/ref/l2learn-hv.cnt" >"$work/l2learn.txt" || bad "slframes counters"
for want in "frames_in 31" "frames_out 41" "dropped 4" "faulted 0" "insns 2219"; do
    grep -qx "$want" "$work/l2learn.txt" || bad "l2learn counters: no '$want' line"
done

# pcap -> frames -> pcap -> frames is the identity on the frames (Ethernet corpus files).
nrt=0
for f in $s/in0.pcap tests/corpus/pcap/*.pcap; do
    [ -f "$f" ] || continue
    [ $nrt -ge 40 ] && break
    "$slframes" pcap2frames -i 2="$f" -o "$work/rt1.slf" 2>/dev/null || continue # not Ethernet
    "$slframes" frames2pcap "$work/rt1.slf" -o 2="$work/rt.pcap" 2>/dev/null || bad "frames2pcap $f"
    "$slframes" pcap2frames -i 2="$work/rt.pcap" -o "$work/rt2.slf" 2>/dev/null ||
        bad "pcap2frames (again) $f"
    cmp -s "$work/rt1.slf" "$work/rt2.slf" || bad "round trip of $f changes the frames"
    nrt=$((nrt + 1))
done
[ $nrt -gt 0 ] || bad "no capture converted"
note "$nrt captures round-tripped through frames2pcap"

# Failure modes: exit 2 for arguments, 1 for files.
expect_exit() {
    want=$1
    shift
    "$@" >/dev/null 2>"$work/err.txt"
    got=$?
    [ "$got" -eq "$want" ] || bad "exit $got (want $want): $* ($(head -1 "$work/err.txt"))"
}
img=$cases/l2learn.slb in=$cases/l2learn.slf
expect_exit 2 "$slrun"
expect_exit 2 "$slrun" -m xx "$img" "$in" "$work/o.slf"
expect_exit 2 "$slrun" --seed 12z "$img" "$in" "$work/o.slf"
expect_exit 2 "$slrun" -l "$work/l" "$img" "$in" "$work/o.slf"
expect_exit 1 "$slrun" "$work/none.slb" "$in" "$work/o.slf"
expect_exit 1 "$slrun" "$in" "$in" "$work/o.slf"
expect_exit 1 "$slrun" "$img" "$img" "$work/o.slf"
head -c 100 "$in" >"$work/cut.slf"
expect_exit 1 "$slrun" "$img" "$work/cut.slf" "$work/o.slf"
grep -q "cut short" "$work/err.txt" || bad "cut frame file: $(cat "$work/err.txt")"
# An instruction byte changed: the container still parses, the verifier refuses the code.
cp "$img" "$work/corrupt.slb"
printf '\377' | dd of="$work/corrupt.slb" bs=1 seek=60 conv=notrunc 2>/dev/null
expect_exit 1 "$slrun" "$work/corrupt.slb" "$in" "$work/o.slf"
grep -q "insn " "$work/err.txt" || bad "corrupt image: $(cat "$work/err.txt")"
expect_exit 1 "$slrun" -m vm -e aot "$img" "$in" "$work/o.slf"
expect_exit 1 "$slrun" "$img" "$in" "$work/no-such-dir/o.slf"
expect_exit 1 "$slframes" counters "$in"
expect_exit 1 "$slframes" dump "$img"
expect_exit 2 "$slframes" pcap2frames -o "$work/o.slf"
"$slframes" dump "$cases/alu_add.slf" | grep -q "frame 0 t=0 port=0" || bad "slframes dump"

# ---- Cross legs ------------------------------------------------------------------------
# target NAME -> "QEMU CPU-OPTION SLAOT-TARGET"
target_info() {
    case "$1" in
        host) echo "- - x86_64" ;;
        mips64) echo "qemu-mips64-static Octeon68XX octeon" ;;
        aarch64) echo "qemu-aarch64-static - octeon-tx" ;;
    esac
}

# runner_cmd TARGET BINARY: the command line that runs BINARY for TARGET.
runner_cmd() {
    set -- $(target_info "$1") "$2"
    qemu=$1 cpu=$2 bin=$4
    if [ "$qemu" = - ]; then
        echo "$bin"
    elif [ "$cpu" = - ]; then
        echo "$qemu $bin"
    else
        echo "$qemu -cpu $cpu $bin"
    fi
}

# build_aot TARGET: a runner for TARGET with every direct-VM case's image compiled by slaot,
# in $work/aot-TARGET/slrun. Non-zero (after a message) when it cannot be built.
build_aot() {
    t=$1
    set -- $(target_info "$t")
    at=$3
    dir=$work/aot-$t
    env=$BUILD/cross/$t/toolchain.env
    mkdir -p "$dir"
    [ -f "$env" ] || { echo "FAIL: cross: $env missing"; return 1; }
    SLRUN_CC= SLRUN_CFLAGS= SLRUN_LDFLAGS=
    . "./$env"
    k=0
    : >"$dir/natives.c.in"
    for image in $(awk '$4 == "-m" && $5 == "vm" { print $2 }' "$list" | sort -u); do
        if ! "$BIN/slaot" -t "$at" -n "sl_aot_$k" -o "$dir/img$k.o" "$image" 2>"$dir/slaot.err"; then
            echo "FAIL: cross: slaot -t $at $image: $(head -3 "$dir/slaot.err")"
            return 1
        fi
        k=$((k + 1))
    done
    {
        echo '#include "natives.h"'
        echo '#include "native.h"'
        i=0
        while [ $i -lt $k ]; do echo "extern const SlNative sl_aot_$i;"; i=$((i + 1)); done
        echo "const struct SlNative *const sl_slrun_natives[$k] = {"
        i=0
        while [ $i -lt $k ]; do echo "    &sl_aot_$i,"; i=$((i + 1)); done
        echo "};"
        echo "const uint32_t sl_slrun_native_count = $k;"
    } >"$dir/natives.c"
    # shellcheck disable=SC2086
    $SLRUN_CC $SLRUN_CFLAGS -c "$dir/natives.c" -o "$dir/natives.o" &&
        $SLRUN_CC $SLRUN_CFLAGS $SLRUN_LDFLAGS -o "$dir/slrun" "$dir/natives.o" "$dir"/img*.o \
            "$BUILD/cross/$t/libslrun.a" 2>"$dir/link.err" ||
        { echo "FAIL: cross: linking the AOT runner for $t: $(head -5 "$dir/link.err")"; return 1; }
    echo "cross: [aot-$t] $k images compiled with slaot -t $at"
}

# One target's legs (interpreter, then AOT), output in $work/leg-TARGET.out.
target_legs() {
    t=$1
    {
        if [ "$t" != host ]; then
            run_leg "interp-$t" interp $(runner_cmd "$t" "$BUILD/cross/$t/slrun") || echo "leg-failed"
        fi
        if [ "$aot" = yes ]; then
            if build_aot "$t"; then
                run_leg "aot-$t" aot $(runner_cmd "$t" "$work/aot-$t/slrun") || echo "leg-failed"
            else
                echo "leg-failed"
            fi
        fi
    } >"$work/leg-$t.out" 2>&1
}

aot=no
if [ -x "$BIN/slaot" ]; then
    aot=yes
else
    missing "$BIN/slaot not built: the AOT legs (x86_64, octeon, octeon-tx) did not run"
fi
targets=host
for t in mips64 aarch64; do
    set -- $(target_info "$t")
    if [ ! -x "$BUILD/cross/$t/slrun" ]; then
        missing "slrun for $t not built (its cross compiler is not installed)"
    elif ! command -v "$1" >/dev/null 2>&1; then
        missing "$1 not installed: slrun for $t not run"
    else
        targets="$targets $t"
    fi
done

# Two cores: the targets' legs run side by side.
pids=""
for t in $targets; do
    target_legs "$t" &
    pids="$pids $!"
done
for p in $pids; do wait "$p"; done
for t in $targets; do
    grep -v '^leg-failed$' "$work/leg-$t.out"
    grep -q '^leg-failed$\|^FAIL' "$work/leg-$t.out" && fail=1
done

end=$(date +%s)
if [ $fail -eq 0 ]; then
    note "ok: $ncases cases on targets: $targets; AOT legs: $aot; $((end - start)) s"
fi
exit $fail
