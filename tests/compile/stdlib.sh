#!/bin/sh
# Every stdlib module and every sample compiles with no warning under -Werror: each module on
# its own and imported by a small program (so its declarations meet a user's), all modules
# together, and samples/*/*.sl as they are.
set -u
slc="${BIN:-build/bin}/slc"
tmp="${BUILD:-build}/tests/compile/stdlib"
[ -x "$slc" ] || { echo "stdlib: $slc not built"; exit 1; }
mkdir -p "$tmp"
fail=0
n=0
compile() { # FILE
    n=$((n + 1))
    if ! "$slc" -Werror -o "$tmp/out.slb" "$1" >"$tmp/err" 2>&1 || [ -s "$tmp/err" ]; then
        echo "FAIL: $1 does not compile cleanly:"; cat "$tmp/err"; fail=1
    fi
}
all=""
for f in stdlib/std/*.sl; do
    m=$(basename "$f" .sl)
    compile "$f"
    printf 'import "std/%s";\nport out;\non packet {\n    send(out);\n}\n' "$m" >"$tmp/use_$m.sl"
    compile "$tmp/use_$m.sl"
    all="${all}import \"std/$m\";
"
done
printf '%sport out;\non packet {\n    send(out);\n}\n' "$all" >"$tmp/use_all.sl"
compile "$tmp/use_all.sl"
for f in samples/*/*.sl bench/*.sl; do
    [ -f "$f" ] && compile "$f"
done
[ $fail = 0 ] && echo "stdlib: $n programs compile without warnings"
exit $fail
