#!/bin/sh
# A short differential fuzzing run (interpreter vs AOT vs mixed engines) for make test; longer
# runs: make difftest N=10000. Run from the repository root with BUILD set.
set -u
bin="${BUILD:-build}/tests/aot/difftest"
[ -x "$bin" ] || { echo "difftest: $bin not built"; exit 1; }
"$bin" -n "${DIFFTEST_N:-200}" -s "${DIFFTEST_SEED:-1}" -k "${BUILD:-build}"
