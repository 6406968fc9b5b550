#!/bin/sh
# A fuzzed command stream (tests/repl/fuzzgen.c) through slemu --repl on the l2learn sample: the
# session must end normally (exit 0 or 1: some commands fail, as they should) and, in a
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
if [ "$status" -gt 1 ]; then
    echo "repl fuzz: slemu exited with $status (seed $SEED, $N commands); last lines:" >&2
    tail -20 "$dir/out.txt" >&2
    exit 1
fi
if grep -q -e 'AddressSanitizer' -e 'runtime error' -e 'LeakSanitizer' "$dir/out.txt"; then
    echo "repl fuzz: sanitizer report (seed $SEED):" >&2
    grep -m5 -A10 -e 'AddressSanitizer' -e 'runtime error' -e 'LeakSanitizer' "$dir/out.txt" >&2
    exit 1
fi
errors=$(grep -c '^error: ' "$dir/out.txt" || true)
echo "repl fuzz: $N commands (seed $SEED): no crash, $errors error messages"
