#!/bin/sh
# Whatever slc accepts, the verifier accepts: 200 random programs from tests/slgen/slgen.c are
# compiled in process, verified, loaded and run (unlimited and sliced, compared). Any compile
# error, rejection, run error or difference fails; the program is left in $BUILD/tests/slgen.
# Also: the generator is deterministic (the same seed prints the same bytes twice) and slc
# itself (the tool) compiles and verifies a few of them through sldis --verified.
set -u
gen="${BUILD:-build}/tests/slgen/slgen"
bin="${BIN:-build/bin}"
[ -x "$gen" ] || { echo "slgen: $gen not built"; exit 1; }
dir="${BUILD:-build}/tests/slgen"
mkdir -p "$dir"
fail=0
"$gen" --check 1 200 --fail-dir "$dir" >"$dir/check.log" 2>&1 || fail=1
cat "$dir/check.log"
for s in 3 17 99; do
    "$gen" --seed $s >"$dir/a.sl"
    "$gen" --seed $s >"$dir/b.sl"
    cmp -s "$dir/a.sl" "$dir/b.sl" || { echo "FAIL: seed $s is not deterministic"; fail=1; }
    if ! "$bin/slc" -o "$dir/a.slb" "$dir/a.sl" 2>"$dir/a.err"; then
        echo "FAIL: slc rejects seed $s:"; cat "$dir/a.err"; fail=1
    elif ! "$bin/sldis" --verified "$dir/a.slb" >/dev/null 2>"$dir/a.err"; then
        echo "FAIL: sldis --verified rejects seed $s:"; cat "$dir/a.err"; fail=1
    fi
done
[ $fail = 0 ] && echo "slgen: ok"
exit $fail
