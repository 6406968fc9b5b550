#!/bin/sh
# Programs the verifier must reject (tests/verify/*.sla) and malformed containers built in C.
# Run from the repository root.
set -u
runner="${BUILD:-build}/tests/isa/isa_runner"
[ -x "$runner" ] || { echo "verify: $runner not built"; exit 1; }
rc=0
"$runner" --reject tests/verify/*.sla || rc=1
"$runner" --containers || rc=1
exit $rc
