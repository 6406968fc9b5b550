#!/bin/sh
# Round trip: every tests/isa/*.sla and tests/asm/*.sla, with and without -s, must give the same
# image bytes when assembled, disassembled and assembled again; stripping must keep the content
# hash. Run from the repository root with BIN set (default build/bin).
set -u
BIN=${BIN:-build/bin}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
count=0
for f in tests/isa/*.sla tests/asm/*.sla; do
    [ -f "$f" ] || continue
    for strip in "" -s; do
        count=$((count + 1))
        if ! "$BIN/slas" $strip -o "$tmp/a.slb" "$f" 2>"$tmp/err"; then
            echo "FAIL $f $strip: does not assemble"; sed 's/^/    /' "$tmp/err"; failed=$((failed + 1)); continue
        fi
        if ! "$BIN/sldis" -o "$tmp/a.sla" "$tmp/a.slb" 2>"$tmp/err"; then
            echo "FAIL $f $strip: sldis failed"; sed 's/^/    /' "$tmp/err"; failed=$((failed + 1)); continue
        fi
        if ! "$BIN/slas" $strip -o "$tmp/b.slb" "$tmp/a.sla" 2>"$tmp/err"; then
            echo "FAIL $f $strip: the disassembly does not assemble"; sed 's/^/    /' "$tmp/err"
            failed=$((failed + 1)); continue
        fi
        if ! cmp -s "$tmp/a.slb" "$tmp/b.slb"; then
            echo "FAIL $f $strip: reassembled image differs"; failed=$((failed + 1)); continue
        fi
    done
    # Stripping leaves the content hash (bytes 8..39) alone.
    "$BIN/slas" -o "$tmp/full.slb" "$f" 2>/dev/null && "$BIN/slas" -s -o "$tmp/strip.slb" "$f" 2>/dev/null || continue
    h1=$(od -An -v -tx1 -j8 -N32 "$tmp/full.slb")
    h2=$(od -An -v -tx1 -j8 -N32 "$tmp/strip.slb")
    if [ "$h1" != "$h2" ]; then
        echo "FAIL $f: stripping changed the content hash"; failed=$((failed + 1))
    fi
done
[ $count -gt 0 ] || { echo "FAIL: no .sla files found (run from the repository root)"; exit 1; }
echo "roundtrip: $count assemblies checked, $failed failed"
[ $failed -eq 0 ]
