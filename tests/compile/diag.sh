#!/bin/sh
# Golden diagnostics: each tests/compile/diag/NAME.sl is compiled with slc and its stderr must be
# exactly NAME.err; the exit status must be 1 when NAME.err has an error line, else 0. A first
# line "// args: ..." gives extra slc options. Three inputs are generated (slgen) rather than
# committed: 4 KB of binary junk, a 1 MB line and 10,000-deep nesting; their expectations are
# gen_junk.err, gen_long_line.err, gen_deep.err (compiled as junk.sl, long_line.sl, deep.sl).
#
#   sh tests/compile/diag.sh            check (BUILD and BIN from the environment)
#   sh tests/compile/diag.sh --update   rewrite every .err from what slc prints now (review the diff!)
set -u
bin="${BIN:-build/bin}"
gen="${BUILD:-build}/tests/slgen/slgen"
tmp="${BUILD:-build}/tests/compile/diag"
update=0
[ "${1:-}" = --update ] && update=1
[ -x "$bin/slc" ] || { echo "diag: $bin/slc not built"; exit 1; }
mkdir -p "$tmp"
root=$(pwd)
fail=0
n=0

# check NAME DIR FILE [ARGS...]: compile DIR/FILE from DIR, compare with diag/NAME.err
check() {
    name=$1 dir=$2 file=$3
    shift 3
    exp="$root/tests/compile/diag/$name.err"
    (cd "$dir" && "$root/$bin/slc" "$@" -o "$root/$tmp/out.slb" "$file" >"$root/$tmp/stdout" 2>"$root/$tmp/stderr")
    rc=$?
    n=$((n + 1))
    if [ $update = 1 ]; then
        cp "$tmp/stderr" "$exp"
        return
    fi
    want=0
    grep -q ': error: ' "$exp" 2>/dev/null && want=1
    if [ ! -f "$exp" ]; then
        echo "FAIL: $name: no $exp"; fail=1
    elif ! cmp -s "$tmp/stderr" "$exp"; then
        echo "FAIL: $name: diagnostics differ (expected, actual):"
        diff "$exp" "$tmp/stderr" | head -40 | cut -c1-300
        fail=1
    elif [ $rc != $want ]; then
        echo "FAIL: $name: exit status $rc, expected $want"; fail=1
    elif [ -s "$tmp/stdout" ]; then
        echo "FAIL: $name: slc printed on stdout"; fail=1
    fi
}

for src in tests/compile/diag/*.sl; do
    name=$(basename "$src" .sl)
    args=$(sed -n '1s|^// args: ||p' "$src")
    # shellcheck disable=SC2086
    check "$name" . "$src" $args
done

if [ -x "$gen" ]; then
    "$gen" --junk 4096 --seed 7 >"$tmp/junk.sl"
    "$gen" --long-line 1048576 >"$tmp/long_line.sl"
    "$gen" --deep 10000 >"$tmp/deep.sl"
    check gen_junk "$tmp" junk.sl
    check gen_long_line "$tmp" long_line.sl
    check gen_deep "$tmp" deep.sl
else
    echo "FAIL: $gen not built (generated inputs)"; fail=1
fi

[ $update = 1 ] && { echo "diag: rewrote $n expectations"; exit 0; }
[ $fail = 0 ] && echo "diag: $n golden diagnostics ok"
exit $fail
