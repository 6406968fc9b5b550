#!/bin/sh
# The AOT runtime (aot/native_rt.c) is freestanding like the core (tests/freestanding/check.sh):
# it compiles with no C library headers and no floating point, and needs nothing from outside
# but the core (sl_*) and memcpy/memmove/memset/memcmp; the same for big-endian Octeon with soft
# float when the MIPS cross compiler is installed. Runs from the repository root.
set -u
out=${BUILD:-build}/freestanding-aot
mkdir -p "$out"
fail=0
check() { # NAME CC EXTRA
    name=$1 cc=$2 extra=$3
    command -v "$cc" >/dev/null 2>&1 || { echo "aot freestanding: $cc not installed, $name skipped"; return; }
    inc=$($cc -print-file-name=include)
    # shellcheck disable=SC2086
    if ! $cc -std=c11 -O2 -ffreestanding -fno-builtin -fno-stack-protector -nostdinc -isystem "$inc" \
        -Ivm -Iaot -Werror -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        $extra -c aot/native_rt.c -o "$out/native_rt_$name.o" 2>"$out/$name.log"; then
        echo "FAIL: [$name] aot/native_rt.c does not compile freestanding:"; sed 's/^/    /' "$out/$name.log"
        fail=1
        return
    fi
    nmtool=nm objdump=objdump
    case "$cc" in mips64-linux-gnuabi64-*) nmtool=mips64-linux-gnuabi64-nm objdump=mips64-linux-gnuabi64-objdump ;; esac
    bad=$($nmtool -u "$out/native_rt_$name.o" | awk '{print $NF}' | grep -v -E '^(sl_|memcpy$|memmove$|memset$|memcmp$)')
    if [ -n "$bad" ]; then
        echo "FAIL: [$name] aot/native_rt.c needs: $bad"
        fail=1
    fi
    # Objects in .data, .sdata, .bss or .sbss are writable; .data.rel.ro (a const table of
    # function pointers, read-only once relocated) is not.
    if $objdump -t "$out/native_rt_$name.o" | awk 'NF >= 4 && / O / { print $(NF-2) }' | grep -v 'rel\.ro' |
        grep -q -E '^\.(s?data|s?bss)($|\.)'; then
        echo "FAIL: [$name] aot/native_rt.c has writable data"
        fail=1
    fi
}
check gcc "${CC:-gcc}" "-mgeneral-regs-only"
check octeon mips64-linux-gnuabi64-gcc "-march=octeon -mabi=64 -msoft-float -mno-abicalls -fno-pic -G0"
[ $fail -eq 0 ] && echo "aot freestanding: aot/native_rt.c ok"
exit $fail
