#!/bin/sh
# The real prompt in a terminal: tmux runs `slemu --repl` on the l2learn sample, keys are typed
# with send-keys (tab completion included) and the screen is read with capture-pane, through a
# breakpoint-step-print-continue session, then completion of the custom sample's header types
# and variables. Skipped cleanly when tmux is missing.
set -eu
BUILD=${BUILD:-build}
BIN=${BIN:-$BUILD/bin}
if ! command -v tmux > /dev/null 2>&1; then
    echo "repl tty: tmux not installed: skipped"
    exit 0
fi
dir=$BUILD/tests/repl/tty
rm -rf "$dir"
mkdir -p "$dir"
sock="$dir/tmux.sock"
session=repl$$
s=samples/l2learn
tm() { tmux -S "$sock" "$@"; }
# Types text literally (tmux would read "delete" as the Delete key), then the keys after it.
type_keys() {
    text=$1
    shift
    [ -n "$text" ] && tm send-keys -t "$session" -l "$text"
    tm send-keys -t "$session" "$@"
}
cleanup() { tm kill-server > /dev/null 2>&1 || true; }
trap cleanup EXIT INT TERM

# Wait until the screen shows TEXT (at most ~10 s), else fail with the screen.
wait_for() {
    i=0
    while [ $i -lt 100 ]; do
        if tm capture-pane -p -t "$session" -S -200 > "$dir/screen.txt" 2>/dev/null && grep -qF -- "$1" "$dir/screen.txt"; then
            return 0
        fi
        i=$((i + 1))
        sleep 0.1
    done
    echo "repl tty: timed out waiting for: $1" >&2
    cat "$dir/screen.txt" >&2
    exit 1
}

SLEMU_HISTORY="$dir/history" tm -f /dev/null new-session -d -s "$session" -x 120 -y 50 \
    "env SLEMU_HISTORY=$dir/history $BIN/slemu --repl -i 0=$s/in0.pcap -i 1=$s/in1.pcap $s/l2learn.sla; echo SESSION-ENDED; sleep 30"
wait_for "(slemu)"
type_keys "break mac_" Tab Enter   # completion of a function name
wait_for "Breakpoint 1 at insn 54 <mac_key>"
type_keys "run" Enter
wait_for "Breakpoint 1, packet 1 (port 0, 60 bytes)"
type_keys "stepi" Enter
wait_for "=> 55 <mac_key+1>: ldp8 r2, [r1+0]"
type_keys "" Enter                   # an empty line repeats stepi
wait_for "=> 56 <mac_key+2>: stm8 [r0+0], r2"
type_keys "print/mac eth.s" Tab Enter
wait_for "eth.src = 02:00:00:00:00:0a"
type_keys "print r2" Enter
wait_for "r2 = 2 (0x2)"
type_keys "bogus" Enter
wait_for "error: bogus: no such command"
type_keys "delete" Enter
wait_for "(slemu) delete"
type_keys "continue" Enter
wait_for "packets run: "
type_keys "quit" Enter
wait_for "SESSION-ENDED"
tm capture-pane -p -t "$session" -S -200 > "$dir/screen.txt"
for want in "(slemu) break mac_key" "(slemu) print/mac eth.src" "No more packets"; do
    if ! grep -qF -- "$want" "$dir/screen.txt"; then
        echo "repl tty: the screen lacks: $want" >&2
        cat "$dir/screen.txt" >&2
        exit 1
    fi
done
if ! grep -qx "print r2" "$dir/history"; then
    echo "repl tty: the history file lacks the commands" >&2
    cat "$dir/history" >&2
    exit 1
fi

# The program's header types and variables (the custom sample's decap.sl, compiled with -g):
# completion of a type after `pkt as` and of a header variable's field.
# The new session starts before the old one is killed: a server left with no session exits, and
# a client that reaches it while it does fails ("server exited unexpectedly").
old_session=$session
session=repl2$$
tm -f /dev/null new-session -d -s "$session" -x 120 -y 50 \
    "env SLEMU_HISTORY=$dir/history2 $BIN/slemu --repl -i 0=samples/custom/bad.pcap samples/custom/decap.sl; echo SESSION-ENDED; sleep 30"
tm kill-session -t "$old_session" > /dev/null 2>&1 || true
wait_for "(slemu)"
type_keys "break 45" Enter
wait_for "Breakpoint 1 at insn"
type_keys "run 1" Enter
wait_for "Breakpoint 1, packet 1 (port 0, 86 bytes)"
type_keys "pkt as slt" Tab Enter
wait_for "sltun at 14, 12 bytes"
type_keys "print t.se" Tab Enter
wait_for "t.seq = 0 (0x00000000)"
type_keys "quit" Enter
wait_for "SESSION-ENDED"
echo "repl tty: breakpoint, step, print, continue at the real prompt, header types completed: ok"
