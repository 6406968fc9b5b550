#!/bin/sh
# Regenerates the opcode table of docs/isa.md (between <!-- BEGIN OPCODES --> and
# <!-- END OPCODES -->) from vm/isa.def, so the document cannot drift from the instruction set.
#
#   sh scripts/gen-isa-doc.sh            rewrite docs/isa.md in place
#   sh scripts/gen-isa-doc.sh --stdout   print the regenerated document, change nothing
#   sh scripts/gen-isa-doc.sh --table    print only the generated region (markers excluded)
#
# ISA_DEF and ISA_DOC override the input and the document (tests use copies).
# POSIX sh and awk only. Fails on a row it cannot parse or a format it has no syntax for, so a
# change to isa.def's shape is noticed here rather than producing a wrong table.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
def=${ISA_DEF:-$root/vm/isa.def}
doc=${ISA_DOC:-$root/docs/isa.md}
mode=inplace
case "${1:-}" in
    "") ;;
    --stdout) mode=stdout ;;
    --table) mode=table ;;
    *) echo "usage: gen-isa-doc.sh [--stdout | --table]" >&2; exit 2 ;;
esac

[ -r "$def" ] || { echo "gen-isa-doc: cannot read $def" >&2; exit 1; }

# The table: one row per X(...) line of isa.def, in order; the opcode is the row's position.
table() {
    awk '
    function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
    function die(msg) { printf "gen-isa-doc: %s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"; bad = 1; exit 1 }
    # Operand syntax of each format, as sl_insn_format() prints it (vm/isa.c).
    BEGIN {
        syn["SL_FMT_N"] = "";                 syn["SL_FMT_A"] = "rA"
        syn["SL_FMT_AB"] = "rA, rB";          syn["SL_FMT_AI"] = "rA, imm"
        syn["SL_FMT_AK"] = "rA, kN";          syn["SL_FMT_LD"] = "rA, [rB+off]"
        syn["SL_FMT_ST"] = "[rA+off], rB";    syn["SL_FMT_J"] = "target"
        syn["SL_FMT_JAB"] = "rA, rB, target"; syn["SL_FMT_JAI"] = "rA, imm, target"
        syn["SL_FMT_CALL"] = "fN";            syn["SL_FMT_I"] = "imm"
        syn["SL_FMT_ABC"] = "rA, rB, rC";     syn["SL_FMT_ABCT"] = "rA, rB, rC, tN"
        syn["SL_FMT_ABT"] = "rA, rB, tN";     syn["SL_FMT_ABI"] = "rA, rB, imm"
        op = 0
        print "| op | NAME | assembly | format | class | meaning |"
        print "| --- | --- | --- | --- | --- | --- |"
    }
    /^[ \t]*X\(/ {
        line = $0
        sub(/^[ \t]*X\(/, "", line)
        if (line !~ /\)[ \t]*$/) die("row does not end with \")\" on its line")
        sub(/\)[ \t]*$/, "", line)
        # NAME, "mnemonic", FORMAT, REGS, CLASS, "meaning": the meaning may hold commas, so take
        # the five leading fields one comma at a time and the rest as the quoted meaning.
        for (i = 1; i <= 5; i++) {
            c = index(line, ",")
            if (c == 0) die("fewer than six fields")
            f[i] = trim(substr(line, 1, c - 1))
            line = substr(line, c + 1)
        }
        meaning = trim(line)
        if (f[1] !~ /^[A-Z][A-Z0-9_]*$/) die("bad NAME \"" f[1] "\"")
        if (f[2] !~ /^"[^"]+"$/) die("mnemonic is not a quoted string")
        if (meaning !~ /^".*"$/) die("meaning is not a quoted string")
        if (!(f[3] in syn)) die("format " f[3] " has no syntax in gen-isa-doc.sh")
        if (f[5] !~ /^SL_C_[A-Z]+$/) die("bad class \"" f[5] "\"")
        mn = substr(f[2], 2, length(f[2]) - 2)
        meaning = substr(meaning, 2, length(meaning) - 2)
        gsub(/\|/, "\\|", meaning)
        asm = syn[f[3]] == "" ? mn : mn " " syn[f[3]]
        fmt = f[3]; sub(/^SL_FMT_/, "", fmt)
        cls = f[5]; sub(/^SL_C_/, "", cls)
        printf "| %d (0x%02x) | `%s` | `%s` | %s | %s | %s |\n", op, op, f[1], asm, fmt, cls, meaning
        op++
    }
    END {
        if (bad) exit 1
        if (op == 0) { print "gen-isa-doc: no X(...) rows in " FILENAME > "/dev/stderr"; exit 1 }
        if (op > 256) { print "gen-isa-doc: more than 256 opcodes" > "/dev/stderr"; exit 1 }
        print ""
        printf "%d opcodes. Rows of class INTERNAL never appear in images: the verifier substitutes them.\n", op
    }' "$def"
}

if [ "$mode" = table ]; then
    table
    exit 0
fi

[ -r "$doc" ] || { echo "gen-isa-doc: cannot read $doc" >&2; exit 1; }
begin=$(grep -c '^<!-- BEGIN OPCODES -->$' "$doc" || true)
end=$(grep -c '^<!-- END OPCODES -->$' "$doc" || true)
if [ "$begin" != 1 ] || [ "$end" != 1 ]; then
    echo "gen-isa-doc: $doc needs exactly one '<!-- BEGIN OPCODES -->' and one '<!-- END OPCODES -->' line" >&2
    exit 1
fi

tmp=$(mktemp)
out=$(mktemp)
trap 'rm -f "$tmp" "$out"' EXIT
table >"$tmp"

# Keep everything outside the markers; replace what is between them.
awk -v tablefile="$tmp" '
    /^<!-- BEGIN OPCODES -->$/ {
        print
        while ((getline l < tablefile) > 0) print l
        skip = 1
        next
    }
    /^<!-- END OPCODES -->$/ { if (!skip) { print "gen-isa-doc: END before BEGIN" > "/dev/stderr"; exit 1 } skip = 0 }
    !skip { print }
' "$doc" >"$out"

if [ "$mode" = stdout ]; then
    cat "$out"
else
    cat "$out" >"$doc"
fi
