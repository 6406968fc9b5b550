#!/bin/sh
# slemu on live interfaces, in a private network namespace with two veth pairs:
#
#   pcap_inject -> vA ==veth== vRA -> slemu forward.sla -> vRB ==veth== vB -> tcpdump
#
# 1. 20 frames sent by an independent sender (pcap_inject.c) arrive on vB unchanged, and slemu
#    stops by itself after --count 20 with its summary.
# 2. Live in, file out, slemu itself as the sender (file in, interface out); SIGINT ends the
#    capturing run cleanly: exit 0, the summary, a complete output file stamped with the wall
#    clock.
# 3. --duration ends a run with no traffic; errors: an unknown interface, mixed inputs.
# Skipped (exit 0 with a note, as the suite does for missing tools) when not root or when
# namespaces or veth devices are not available. Takes about 2 s.
. tests/emu/lib.sh
skip() {
    echo "SKIP: live.sh: $*"
    exit 0
}
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
command -v ip >/dev/null || skip "no ip command (iproute2)"
command -v tcpdump >/dev/null || skip "no tcpdump"
INJECT=$BUILD/tests/emu/pcap_inject
FWD=tests/emu/forward.sla
ns=slemu-live-$$
ip netns add "$ns" 2>/dev/null || skip "cannot create a network namespace"
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' INT TERM
in_ns() { ip netns exec "$ns" "$@"; }
# No IPv6 on the new links: the kernel would send router solicitations of its own.
in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 ||
    skip "cannot configure the namespace"
in_ns ip link add vA type veth peer name vRA 2>/dev/null || skip "no veth devices"
in_ns ip link add vB type veth peer name vRB || fail "second veth pair"
for l in lo vA vRA vB vRB; do in_ns ip link set "$l" up || fail "link $l up"; done

# frame SEQ: a 60-byte broadcast frame of EtherType 0x88b5 whose payload is SEQ repeated.
frame() {
    le32 1700000000; le32 $(($1 * 1000)); le32 60; le32 60
    printf '\377\377\377\377\377\377\002\000\000\000\000\001\210\265'
    head -c 46 /dev/zero | tr '\000' "\\$(printf %03o "$1")"
}
{ pcap_header 1; i=1; while [ $i -le 20 ]; do frame $i; i=$((i + 1)); done; } >"$T/frames.pcap"
{ pcap_header 1; i=1; while [ $i -le 5 ]; do frame $((i + 100)); i=$((i + 1)); done; } >"$T/five.pcap"

# wait_for FILE TEXT: up to 5 s for TEXT to appear in FILE.
wait_for() {
    n=0
    until grep -q -- "$2" "$1" 2>/dev/null; do
        n=$((n + 1))
        [ $n -le 100 ] || { cat "$1" >&2; fail "timed out waiting for '$2' in $1"; }
        sleep 0.05
    done
}

# 1. Forwarding, interface to interface; --count ends the run.
# (Background commands run ip netns exec directly, not through in_ns: ip execs the command, so
# $! is its pid, where a function would put a subshell in between.)
ip netns exec "$ns" tcpdump -i vB -n -U -c 20 -w "$T/got.pcap" 'ether proto 0x88b5' 2>"$T/tcpdump.err" &
tcpdump_pid=$!
pids="$pids $tcpdump_pid"
ip netns exec "$ns" "$SLEMU" --count 20 --duration 8 --stats json -i 0=vRA -o 1=if:vRB "$FWD" >"$T/fwd.json" 2>"$T/fwd.err" &
slemu_pid=$!
pids="$pids $slemu_pid"
wait_for "$T/fwd.err" "slemu: live on 1 interface"
wait_for "$T/tcpdump.err" "listening on vB"
in_ns "$INJECT" vA "$T/frames.pcap" >"$T/inject.out" || fail "pcap_inject"
wait "$slemu_pid" || { cat "$T/fwd.err" >&2; fail "slemu (forwarding) exited $?"; }
wait "$tcpdump_pid" || { cat "$T/tcpdump.err" >&2; fail "tcpdump did not see 20 frames"; }
grep -q "20 packets in, 20 out, 0 dropped" "$T/fwd.err" || { cat "$T/fwd.err" >&2; fail "forwarding summary"; }
grep -q '"ok":true,"packets_in":20,"packets_out":20,' "$T/fwd.json" || fail "forwarding JSON: $(cat "$T/fwd.json")"
# Every byte of every frame, in order (tcpdump -xx: hex of whole frames, no times; it starts
# faster than tshark).
hexdump_frames() { tcpdump -r "$1" -t -nn -xx 2>/dev/null || fail "tcpdump cannot read $1"; }
hexdump_frames "$T/frames.pcap" >"$T/sent.txt"
hexdump_frames "$T/got.pcap" >"$T/got.txt"
[ "$(grep -c 0x88b5 "$T/got.txt")" -eq 20 ] || fail "received $(grep -c 0x88b5 "$T/got.txt") frames"
cmp -s "$T/sent.txt" "$T/got.txt" || { diff "$T/sent.txt" "$T/got.txt" >&2; fail "frames changed on the way"; }

# 2. Interface to file; slemu as the sender; SIGINT stops the capture cleanly.
before=$(date +%s)
ip netns exec "$ns" "$SLEMU" -i 0=vRA -o 1="$T/cap.pcap" "$FWD" 2>"$T/cap.err" &
slemu_pid=$!
pids="$pids $slemu_pid"
wait_for "$T/cap.err" "slemu: live on 1 interface"
expect_status 0 in_ns "$SLEMU" -i 0="$T/five.pcap" -o 0=vA tests/emu/echo.sla
expect_err "5 packets in, 5 out"
sleep 0.5 # the frames cross a veth pair: microseconds; slemu runs them as they come
kill -INT "$slemu_pid"
wait "$slemu_pid" || { cat "$T/cap.err" >&2; fail "slemu stopped by SIGINT exited $?"; }
grep -q "5 packets in, 5 out" "$T/cap.err" || { cat "$T/cap.err" >&2; fail "capture summary"; }
hexdump_frames "$T/cap.pcap" >"$T/cap.txt"
hexdump_frames "$T/five.pcap" >"$T/five.txt"
cmp -s "$T/five.txt" "$T/cap.txt" || { diff "$T/five.txt" "$T/cap.txt" >&2; fail "captured frames differ from the sent ones"; }
tcpdump -r "$T/cap.pcap" -tt -nn 2>/dev/null | grep 'length 60' >"$T/cap.times"
[ "$(wc -l <"$T/cap.times")" -eq 5 ] || fail "captured $(wc -l <"$T/cap.times") frames, expected 5"
awk -v t0="$before" -v t1="$(date +%s)" '{ if ($1 < t0 || $1 > t1 + 1) { print "FAIL: timestamp " $1 " not wall clock"; exit 1 } }' \
    "$T/cap.times" || exit 1

# 3. --duration with no traffic; failures.
expect_status 0 in_ns "$SLEMU" --duration 1 -i 0=vRA -o 1="$T/none.pcap" "$FWD"
expect_err "0 packets in, 0 out"
[ "$(hexdump_frames "$T/none.pcap" | wc -l)" -eq 0 ] || fail "frames in an idle capture"
expect_status 1 in_ns "$SLEMU" -i 0=if:nosuch0 "$FWD"
expect_err "interface nosuch0: "
expect_status 2 in_ns "$SLEMU" -i 0=vRA -i 1="$T/five.pcap" "$FWD"
expect_err "inputs mix network interfaces and capture files"
echo "live: ok"
