#!/bin/sh
# The opcode table in docs/isa.md must be exactly what scripts/gen-isa-doc.sh generates from
# vm/isa.def, and every opcode of isa.def must be named in the document.
# Fix a failure with: sh scripts/gen-isa-doc.sh
# Runs from the repository root.
set -u
gen=scripts/gen-isa-doc.sh
def=vm/isa.def
doc=docs/isa.md
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Prints the NAMEs of isa.def's rows.
names() { sed -n 's/^[[:space:]]*X(\([A-Z][A-Z0-9_]*\),.*/\1/p' "$1"; }

# Names of $1 missing from document $2 (as `NAME` in the table); prints them, fails if any.
missing() {
    m=""
    for n in $(names "$1"); do
        grep -q "\`$n\`" "$2" || m="$m $n"
    done
    [ -z "$m" ] || { echo "$m"; return 1; }
}

# 1. The region is current.
if ! sh "$gen" --stdout >"$tmp/want.md"; then
    echo "FAIL: $gen failed"
    exit 1
fi
if ! cmp -s "$tmp/want.md" "$doc"; then
    echo "FAIL: the opcode table in $doc is not what $gen generates; run: sh $gen"
    diff -u "$doc" "$tmp/want.md" | head -40
    fail=1
fi

# 2. Every opcode is documented, and the table has one row per opcode, numbered in order.
nrows=$(names "$def" | wc -l)
[ "$nrows" -gt 0 ] || { echo "FAIL: no rows found in $def"; exit 1; }
if ! m=$(missing "$def" "$doc"); then
    echo "FAIL: opcodes of $def missing from $doc:$m"
    fail=1
fi
last=$((nrows - 1))
hex=$(printf '%02x' "$last")
grep -q "^| $last (0x$hex) | \`$(names "$def" | tail -1)\` |" "$doc" ||
    { echo "FAIL: $doc has no row $last for the last opcode"; fail=1; }
sed -n '/^<!-- BEGIN OPCODES -->$/,/^<!-- END OPCODES -->$/p' "$doc" | grep -c '^| [0-9]' >"$tmp/n"
[ "$(cat "$tmp/n")" -eq "$nrows" ] ||
    { echo "FAIL: $doc's opcode table has $(cat "$tmp/n") rows, $def has $nrows"; fail=1; }

# 3. The checks above notice change (else this test would pass vacuously): a new row in a copy of
#    isa.def must change the generated document and be reported missing from the current one.
cp "$def" "$tmp/isa.def"
echo 'X(ZZTEST, "zztest", SL_FMT_A, SL_R_WA, SL_C_META, "a = x | y, for the test")' >>"$tmp/isa.def"
ISA_DEF="$tmp/isa.def" sh "$gen" --stdout >"$tmp/new.md" || { echo "FAIL: generator rejects a valid new row"; fail=1; }
cmp -s "$tmp/new.md" "$doc" && { echo "FAIL: a new opcode does not change the generated table"; fail=1; }
grep -qF "| $nrows (0x$(printf '%02x' "$nrows")) | \`ZZTEST\` | \`zztest rA\` | A | META | a = x \\| y, for the test |" "$tmp/new.md" ||
    { echo "FAIL: the new row is not rendered as expected"; grep ZZTEST "$tmp/new.md"; fail=1; }
m=$(missing "$tmp/isa.def" "$doc") && { echo "FAIL: missing-opcode check does not see ZZTEST"; fail=1; }
[ "$m" = " ZZTEST" ] || { echo "FAIL: missing-opcode check reports '$m', expected ' ZZTEST'"; fail=1; }

#    An edited row in a copy of the document must be noticed.
sed 's/^| 0 (0x00) | `MOV` |.*/| 0 (0x00) | `MOV` | edited |/' "$doc" >"$tmp/edited.md"
cmp -s "$tmp/edited.md" "$doc" && { echo "FAIL: could not edit a copy of the table"; fail=1; }
ISA_DOC="$tmp/edited.md" sh "$gen" --stdout | cmp -s - "$tmp/edited.md" &&
    { echo "FAIL: an edited table row is not noticed"; fail=1; }

# 4. The generator refuses what it cannot render instead of writing a wrong table.
printf 'X(BAD, "bad", SL_FMT_NOPE, 0, SL_C_ALU, "x")\n' >"$tmp/bad1.def"
printf 'X(BAD, "bad", SL_FMT_A, 0,\n  SL_C_ALU, "split row")\n' >"$tmp/bad2.def"
for b in bad1 bad2; do
    if ISA_DEF="$tmp/$b.def" sh "$gen" --table >/dev/null 2>"$tmp/$b.err"; then
        echo "FAIL: generator accepted $b.def"
        fail=1
    fi
done
grep -q 'bad1.def:1: format SL_FMT_NOPE has no syntax' "$tmp/bad1.err" ||
    { echo "FAIL: unknown format not reported with its line"; cat "$tmp/bad1.err"; fail=1; }
grep -q 'bad2.def:1: row does not end' "$tmp/bad2.err" ||
    { echo "FAIL: split row not reported"; cat "$tmp/bad2.err"; fail=1; }

#    Markers missing: refused, document untouched.
grep -v 'OPCODES -->' "$doc" >"$tmp/nomark.md"
if ISA_DOC="$tmp/nomark.md" sh "$gen" 2>/dev/null; then
    echo "FAIL: generator accepted a document without markers"
    fail=1
fi

[ $fail -eq 0 ] && echo "isa_doc: $nrows opcodes, table current"
exit $fail
