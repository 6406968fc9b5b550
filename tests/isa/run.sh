#!/bin/sh
# Runs every ISA conformance file (three ways each: unlimited fuel, slices of 1 and of 3) and
# checks that every opcode of vm/isa.def is used by some test. Run from the repository root.
set -u
runner="${BUILD:-build}/tests/isa/isa_runner"
[ -x "$runner" ] || { echo "isa: $runner not built"; exit 1; }
"$runner" --coverage ${ISA_ENGINE:+--engine "$ISA_ENGINE"} tests/isa/*.sla
