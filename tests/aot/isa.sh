#!/bin/sh
# Every ISA conformance file on the AOT engine (JIT'd x86-64 code), three ways each, and every
# verifier rejection and malformed container through the AOT engine's create. Run from the
# repository root with BUILD set.
set -u
runner="${BUILD:-build}/tests/aot/isa_aot"
[ -x "$runner" ] || { echo "aot isa: $runner not built"; exit 1; }
"$runner" --engine aot --coverage tests/isa/*.sla || exit 1
"$runner" --engine aot --reject tests/verify/*.sla || exit 1
"$runner" --engine aot --containers
