#!/bin/sh
# The hypervisor benchmark's quick run as a test (no timing is asserted), so it cannot rot:
# - it completes: hv_bench itself dies if a worker loses a packet or the router does not
#   forward every frame;
# - it reports every figure the issue asks for: vm_switch for 1 to 1024 VMs, the preemptive
#   switch, swapcontext and a thread ping-pong, the idle VM's memory and the workers' speedup;
# - an idle VM costs under 4 KiB beyond its state (a size, not a time: it is the same on every run).
# Runs from the repository root.
set -eu
out=$("${BUILD:-build}/bench/hv_bench" --rounds 1)
echo "$out"
for n in 1 2 4 8 16 32 64 128 256 512 1024; do
    echo "$out" | grep -Eq "^bench: vm_switch [0-9.]+ ns vms=$n " || { echo "FAIL: no vm_switch line for vms=$n"; exit 1; }
done
for line in 'vm_preempt_switch [0-9.-]+ ns' 'swapcontext [0-9.]+ ns' 'thread_pingpong [0-9.]+ ns' \
            'hv_workers_pps [0-9]+ packets/s threads=1' 'hv_workers_pps [0-9]+ packets/s threads=2' \
            'hv_workers_speedup [0-9.]+ ratio'; do
    echo "$out" | grep -Eq "^bench: $line" || { echo "FAIL: missing: $line"; exit 1; }
done
idle=$(echo "$out" | sed -n 's/^bench: vm_idle_bytes \([0-9]*\) bytes.*/\1/p')
[ -n "$idle" ] && [ "$idle" -lt 4096 ] || { echo "FAIL: vm_idle_bytes '$idle' is not under 4096"; exit 1; }
echo "PASS: hv_bench reports every figure; an idle VM takes $idle bytes"
