#!/bin/sh
# Every ```sluice block of lang/SPEC.md is a complete program that compiles with no warning
# (-Werror), so the reference cannot drift from what slc does.
set -u
slc="${BIN:-build/bin}/slc"
tmp="${BUILD:-build}/tests/compile/spec"
[ -x "$slc" ] || { echo "spec: $slc not built"; exit 1; }
rm -rf "$tmp"
mkdir -p "$tmp"
awk -v dir="$tmp" '
    /^```sluice[ \t]*$/ { n++; file = sprintf("%s/example_%02d.sl", dir, n); start = NR; inside = 1;
                         printf "" > file; next }
    /^```/ && inside    { inside = 0; close(file); print n ":" start > (dir "/index"); next }
    inside              { print > file }
' lang/SPEC.md
fail=0
n=0
for f in "$tmp"/example_*.sl; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    k=$(basename "$f" .sl | sed 's/example_0*//')
    line=$(sed -n "s/^$k://p" "$tmp/index")
    if ! "$slc" -Werror -o "$tmp/out.slb" "$f" >"$tmp/err" 2>&1 || [ -s "$tmp/err" ]; then
        echo "FAIL: lang/SPEC.md example $k (the block at line $line):"; cat "$tmp/err"; fail=1
    fi
done
[ $n -ge 10 ] || { echo "FAIL: only $n sluice examples found in lang/SPEC.md"; fail=1; }
[ $fail = 0 ] && echo "spec: $n examples of lang/SPEC.md compile without warnings"
exit $fail
