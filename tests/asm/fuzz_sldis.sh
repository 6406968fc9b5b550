#!/bin/sh
# Feeds 300 deterministic byte strings to sldis: pseudo-random ones, random ones behind a valid
# header, and valid images with bytes changed, cut or appended. sldis may accept (0) or reject
# (1) each, in plain, --force and --verified --force modes, but never crash (status >= 128) or
# return anything else. POSIX sh, od and awk only. Run from the repository root, BIN set.
set -u
BIN=${BIN:-build/bin}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
LC_ALL=C
export LC_ALL

# Valid images to mutate.
n=0
for f in tests/asm/*.sla tests/isa/alu_add.sla tests/isa/tbl_lpm.sla; do
    [ -f "$f" ] || continue
    "$BIN/slas" -o "$tmp/seed$n.slb" "$f" 2>/dev/null || continue
    "$BIN/slas" -s -o "$tmp/seed$((n + 1)).slb" "$f" 2>/dev/null || continue
    n=$((n + 2))
done
[ $n -gt 0 ] || { echo "FAIL: no seed image assembled"; exit 1; }

# gen CASE SEEDFILE: writes the case's bytes as printf octal escapes on stdout.
gen() {
    if [ -n "$2" ]; then od -An -v -tu1 "$2"; fi | awk -v k="$1" '
    function rnd(n) { x = (x * 69069 + 1) % 4294967296; return int(x / 65536) % n }
    function out(b) { printf "\\%03o", b }
    { for (i = 1; i <= NF; i++) seed[ns++] = $i }
    END {
        x = k * 7919 + 17
        for (i = 0; i < 5; i++) rnd(2)
        mode = k % 4
        if (mode == 0) {                      # pure noise, 0..399 bytes
            len = rnd(400)
            for (i = 0; i < len; i++) out(rnd(256))
        } else if (mode == 1) {               # valid magic and version, then noise
            out(127); out(83); out(76); out(66); out(1); out(0); out(0); out(0)
            for (i = 0; i < 32; i++) out(rnd(256))
            out(rnd(12)); out(0); out(0); out(0)
            len = rnd(300)
            for (i = 0; i < len; i++) out(rnd(4) ? rnd(16) : rnd(256))
        } else {                               # a valid image, changed
            flips = 1 + rnd(mode == 2 ? 3 : 12)
            for (i = 0; i < flips; i++) {
                p = rnd(ns)
                if (rnd(2)) seed[p] = rnd(256); else seed[p] = (seed[p] + 1 + rnd(3)) % 256
            }
            len = ns
            if (rnd(4) == 0) len = rnd(ns + 1)
            for (i = 0; i < len; i++) out(seed[i])
            if (rnd(6) == 0) { extra = rnd(40); for (i = 0; i < extra; i++) out(rnd(256)) }
        }
    }'
}

bad=0
accepted=0
i=0
while [ $i -lt 300 ]; do
    seed=""
    if [ $((i % 4)) -ge 2 ]; then seed="$tmp/seed$((i % n)).slb"; fi
    printf "$(gen $i "$seed")" >"$tmp/case.slb"
    for mode in "" "--force" "--verified --force"; do
        "$BIN/sldis" $mode -o "$tmp/out.sla" "$tmp/case.slb" >/dev/null 2>"$tmp/err"
        rc=$?
        if grep -q "Sanitizer\|runtime error" "$tmp/err"; then
            echo "FAIL case $i (sldis $mode): sanitizer report"; sed 's/^/    /' "$tmp/err" | head -20
            bad=$((bad + 1))
        elif [ $rc -eq 0 ]; then
            accepted=$((accepted + 1))
        elif [ $rc -ne 1 ]; then
            echo "FAIL case $i (sldis $mode): exit status $rc"
            cp "$tmp/case.slb" "fuzz-sldis-case$i.slb" 2>/dev/null && echo "    saved as fuzz-sldis-case$i.slb"
            bad=$((bad + 1))
        elif ! grep -q "error" "$tmp/err"; then
            echo "FAIL case $i (sldis $mode): exit 1 without an error message"
            bad=$((bad + 1))
        fi
    done
    i=$((i + 1))
done
echo "fuzz_sldis: 300 inputs x 3 modes, $accepted runs accepted, $bad failures"
[ $bad -eq 0 ]
