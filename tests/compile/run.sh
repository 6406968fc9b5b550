#!/bin/sh
# Programs compiled and run on the interpreter with expected outputs (tests/compile/README.md):
# every tests/compile/run/*.sl through sl_runner, unlimited fuel and sliced.
set -u
runner="${BUILD:-build}/tests/compile/sl_runner"
[ -x "$runner" ] || { echo "compile-run: $runner not built"; exit 1; }
"$runner" tests/compile/run/*.sl
