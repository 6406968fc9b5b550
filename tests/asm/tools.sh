#!/bin/sh
# The slas and sldis command lines: options, default output names, stdin, messages and exit
# statuses. Run from the repository root with BIN set (default build/bin).
set -u
BIN=${BIN:-build/bin}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

# expect STATUS CMD...: runs CMD with stdout/stderr in $tmp/out and $tmp/err.
expect() {
    want=$1; shift
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    [ $got -eq "$want" ] || { fail "'$*' exited $got, expected $want"; sed 's/^/    /' "$tmp/err"; }
}
has() { grep -qF -- "$2" "$tmp/$1" || { fail "$1 lacks '$2'"; sed 's/^/    /' "$tmp/$1"; }; }

for t in slas sldis; do
    expect 0 "$BIN/$t" --help; has out "usage: $t"
    expect 0 "$BIN/$t" --version; has out "$t (sluice)"
    expect 1 "$BIN/$t" --bogus; has err "unknown option '--bogus'"
    expect 1 "$BIN/$t"; has err "usage: $t"
    expect 1 "$BIN/$t" "$tmp/missing"; has err "$tmp/missing: error: No such file or directory"
done

# Default output name: IN.sla -> IN.slb; stdin -> stdout.
cp tests/asm/forward.sla "$tmp/prog.sla"
expect 0 "$BIN/slas" "$tmp/prog.sla"
[ -f "$tmp/prog.slb" ] || fail "slas did not write prog.slb next to prog.sla"
expect 0 sh -c "'$BIN/slas' - < '$tmp/prog.sla' > '$tmp/stdin.slb'"
cmp -s "$tmp/prog.slb" "$tmp/stdin.slb" || fail "slas - (stdin to stdout) differs from slas FILE"
expect 0 "$BIN/slas" -s -o "$tmp/strip.slb" "$tmp/prog.sla"
[ "$(wc -c <"$tmp/strip.slb")" -lt "$(wc -c <"$tmp/prog.slb")" ] || fail "slas -s did not make a smaller image"
expect 0 "$BIN/slas" --strip -o "$tmp/strip2.slb" "$tmp/prog.sla"
cmp -s "$tmp/strip.slb" "$tmp/strip2.slb" || fail "--strip and -s differ"

# Errors: file:line:col, the source line, a caret; exit 1; several errors in one run.
printf '.func main\n    add r1, 99999999999\n    bogus r1\n    ja nowhere\n' >"$tmp/bad.sla"
expect 1 "$BIN/slas" "$tmp/bad.sla"
has err "$tmp/bad.sla:2:13: error: immediate '99999999999' out of range"
has err "$tmp/bad.sla:3:5: error: unknown instruction 'bogus'"
has err "$tmp/bad.sla:4:8: error: undefined label 'nowhere'"
has err "            ^"
[ ! -f "$tmp/bad.slb" ] || fail "slas wrote an image despite errors"

# Binary junk never crashes the assembler.
printf '\000\377\001.func\000\n\377\376 r1, [r2+\n' >"$tmp/junk.sla"
expect 1 "$BIN/slas" "$tmp/junk.sla"; has err "junk.sla:1:1: error: unexpected character '\\x00'"

# sldis: a good image; hash mismatch; junk; the verifier's view.
expect 0 "$BIN/sldis" "$tmp/prog.slb"; has out ".func on_packet"; has out "ldp16 r2, [r9+12]"
expect 0 "$BIN/sldis" --verified "$tmp/prog.slb"; has out "ldp16.nc r2, [r9+12]"
cp "$tmp/prog.slb" "$tmp/tampered.slb"
printf '\377' | dd of="$tmp/tampered.slb" bs=1 seek=20 conv=notrunc 2>/dev/null
expect 1 "$BIN/sldis" "$tmp/tampered.slb"; has err "tampered.slb: error: hash mismatch"
expect 0 "$BIN/sldis" --force "$tmp/tampered.slb"; has err "warning: hash mismatch"
printf 'definitely not an image' >"$tmp/junk.slb"
expect 1 "$BIN/sldis" "$tmp/junk.slb"; has err "junk.slb: error: offset 0: image shorter than its 44-byte header"
printf '.handler packet main\n.func main\n    mov r0, r1\n    ret\n' >"$tmp/unverified.sla"
expect 0 "$BIN/slas" "$tmp/unverified.sla"
expect 0 "$BIN/sldis" "$tmp/unverified.slb"
expect 1 "$BIN/sldis" --verified "$tmp/unverified.slb"; has err "unverified.slb: error: insn 0 (mov r0, r1)"
expect 0 sh -c "'$BIN/sldis' - < '$tmp/prog.slb'"; has out ".handler packet on_packet"

echo "tools: $failed failures"
[ $failed -eq 0 ]
