#!/bin/sh
# Runs unit test binaries, then test scripts ("--" separates them); prints one line per test
# and a summary; exits non-zero when any fails. Output of a failing test is shown in full.
set -u
failed=0
passed=0
failures=""
log=$(mktemp)
trap 'rm -f "$log"' EXIT
mode=unit
for t in "$@"; do
    if [ "$t" = "--" ]; then mode=script; continue; fi
    if [ "$mode" = unit ]; then
        "$t" >"$log" 2>&1
    else
        sh "$t" >"$log" 2>&1
    fi
    rc=$?
    if [ $rc -eq 0 ]; then
        passed=$((passed + 1))
        echo "PASS $t"
    else
        failed=$((failed + 1))
        failures="$failures $t"
        echo "FAIL $t (exit $rc)"
        sed 's/^/    /' "$log" | tail -60
    fi
done
echo "tests: $passed passed, $failed failed"
[ $failed -eq 0 ] || { echo "failed:$failures"; exit 1; }
