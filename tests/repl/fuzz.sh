#!/bin/sh
# A fuzzed command stream (tests/repl/fuzzgen.c) through slemu --repl on the l2learn sample, and
# another (half as long, seed + 1) on the custom sample's decap.sl compiled with header types and
# header variables (DBG_TYPES): each session must end normally (exit 0 or 1: some commands fail, as they should) and, in a
# sanitizer build, with no sanitizer report. REPL_FUZZ_N commands (2000 by default; the
# acceptance run uses 10000), seed REPL_FUZZ_SEED (1).
set -eu
BUILD=${BUILD:-build}
BIN=${BIN:-$BUILD/bin}
N=${REPL_FUZZ_N:-2000}
SEED=${REPL_FUZZ_SEED:-1}
dir=$BUILD/tests/repl/fuzz
rm -rf "$dir"
mkdir -p "$dir"
"$BUILD/tests/repl/fuzzgen" "$SEED" "$N" > "$dir/cmds.txt"
s=samples/l2learn
status=0
"$BIN/slemu" --repl -x "$dir/cmds.txt" -i 0=$s/in0.pcap -i 1=$s/in1.pcap -i 2=$s/in2.pcap -i 3=$s/in3.pcap \
    -o 1="$dir/out1.pcap" $s/l2learn.sla > "$dir/out.txt" 2>&1 || status=$?
check() { # OUTPUT STATUS SEED N
    if [ "$2" -gt 1 ]; then
        echo "repl fuzz: slemu exited with $2 (seed $3, $4 commands); last lines:" >&2
        tail -20 "$1" >&2
        exit 1
    fi
    if grep -q -e 'AddressSanitizer' -e 'runtime error' -e 'LeakSanitizer' "$1"; then
        echo "repl fuzz: sanitizer report (seed $3):" >&2
        grep -m5 -A10 -e 'AddressSanitizer' -e 'runtime error' -e 'LeakSanitizer' "$1" >&2
        exit 1
    fi
    errors=$(grep -c '^error: ' "$1" || true)
    echo "repl fuzz: $4 commands (seed $3): no crash, $errors error messages"
}
check "$dir/out.txt" "$status" "$SEED" "$N"

N2=$((N / 2))
SEED2=$((SEED + 1))
"$BUILD/tests/repl/fuzzgen" "$SEED2" "$N2" > "$dir/cmds2.txt"
status=0
"$BIN/slemu" --repl -x "$dir/cmds2.txt" -i 0=samples/custom/bad.pcap -o 1="$dir/custom1.pcap" \
    samples/custom/decap.sl > "$dir/out2.txt" 2>&1 || status=$?
check "$dir/out2.txt" "$status" "$SEED2" "$N2"
