#!/bin/sh
# The router benchmark's quick mode as a test (no timing is asserted):
# - the interpreter equals the C baseline on every packet (verdicts, ports, bytes, counters);
# - the digest of every verdict, port and output byte is the known one: the generator and both
#   routers give the same result on every host (update it only with a deliberate change to
#   bench/traffic.c, bench/router.sla or bench/router_native.c);
# - the outcome mix is the reference workload's (83% forwarded, 5% punted, 12% dropped) within
#   a point.
set -eu
out=$("${BUILD:-build}/bench/bench_router" --program bench/router.sla --packets 20000 --rounds 1)
echo "$out"
echo "$out" | grep -q '^router: interpreter equals native on all 20000 packets .* digest 8e88333a62afc4e1$' ||
    { echo "FAIL: no equality line with the expected digest"; exit 1; }
for line in 'bench: router_native ' 'bench: router_interp ' 'bench: router_interp_ratio ' \
            'bench: router_interp_insns ' 'bench: router_forwarded '; do
    echo "$out" | grep -q "^$line" || { echo "FAIL: missing: $line"; exit 1; }
done
echo "$out" | awk '/^bench: router_forwarded / {
    split($5, p, "="); split($6, d, "=");
    if ($3 < 82 || $3 > 84 || p[2] < 4 || p[2] > 6 || d[2] < 11 || d[2] > 13) {
        print "FAIL: outcome mix off the reference: " $0; exit 1 }
    found = 1 }
    END { if (!found) exit 1 }'
