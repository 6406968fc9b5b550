#!/bin/sh
# The progress bar: drawn on a terminal (a pseudo-terminal from script(1)) once the run has
# lasted SLEMU_PROGRESS_DELAY_MS (0 here, so a short run shows it), then erased before the
# summary; never drawn with --no-progress, -q, or when stderr is not a terminal.
. tests/emu/lib.sh
S=samples/l2learn
E=tests/emu/echo.sla
command -v script >/dev/null || { echo "SKIP: progress.sh: no script(1)"; exit 0; }

# 2400 frames: the bar is looked at every 1024 packets.
tail -c +25 "$S/in1.pcap" >"$T/body"
{ head -c 24 "$S/in1.pcap"; i=0; while [ $i -lt 300 ]; do cat "$T/body"; i=$((i + 1)); done; } >"$T/long.pcap"

# on_tty ARGS...: slemu ARGS with stdin, stdout and stderr on a pseudo-terminal; what it showed
# goes to $T/tty.
on_tty() {
    SLEMU_PROGRESS_DELAY_MS=0 script -qec "$SLEMU $*" /dev/null >"$T/tty" 2>&1 </dev/null ||
        { cat "$T/tty" >&2; fail "slemu on a terminal: $*"; }
}
on_tty -i 0="$T/long.pcap" -o "$T/out1.pcap" "$E"
grep -q 'slemu: \[#*\.*\] *[0-9]*%  .* of .*  [0-9]* packets' "$T/tty" || { cat -v "$T/tty" >&2; fail "no progress bar on a terminal"; }
grep -q "2400 packets in, 2400 out" "$T/tty" || fail "no summary after the bar"
# The bar is erased (carriage return, clear to end of line) before the summary starts.
tr '\r' '\n' <"$T/tty" | grep -q "^$(printf '\033')\[Kslemu: $E: 2400 packets in" || { cat -v "$T/tty" >&2; fail "bar not erased"; }

on_tty --no-progress -i 0="$T/long.pcap" -o "$T/out2.pcap" "$E"
! grep -q 'slemu: \[' "$T/tty" || fail "a bar despite --no-progress"
grep -q "2400 packets in" "$T/tty" || fail "no summary with --no-progress"
on_tty -q -i 0="$T/long.pcap" -o "$T/out3.pcap" "$E"
[ ! -s "$T/tty" ] || { cat -v "$T/tty" >&2; fail "output despite -q"; }

# stderr a file: no bar, no control characters.
SLEMU_PROGRESS_DELAY_MS=0 expect_status 0 "$SLEMU" -i 0="$T/long.pcap" -o "$T/out4.pcap" "$E"
! grep -q "$(printf '\r')" "$T/err" || fail "a bar on a non-terminal"
expect_err "2400 packets in, 2400 out"
cmp -s "$T/out1.pcap" "$T/out4.pcap" || fail "the bar changed the output"
echo "progress: ok"
