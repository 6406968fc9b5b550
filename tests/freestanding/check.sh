#!/bin/sh
# Proves the core in vm/ is freestanding: every file of VM_SRCS compiles with no C library headers
# and no floating point, and the linked core needs nothing from outside but memcpy, memmove,
# memset and memcmp (which every C environment has, and which compilers emit calls to anyway).
#
#   - vm/*.c and vm/*.h include no system header but stdint.h stddef.h stdbool.h stdarg.h, and
#     every quoted include names a file in vm/;
#   - each compiler (CC, default gcc; clang-14 when installed) compiles each file with
#     -ffreestanding -nostdlib -fno-builtin, the system include path replaced by the compiler's
#     own headers (-nostdinc), and on x86-64 -mgeneral-regs-only, which rejects any floating point;
#   - the objects link into one relocatable object (ld -r) whose undefined symbols (nm -u) are
#     among the four above, and which has no writable data (.data/.bss): no mutable globals;
#   - with mips64-linux-gnuabi64-gcc installed, the same for big-endian Octeon with soft float
#     (a float operation would show up as an undefined __*df3/__*sf3 helper).
#
# VM_SRCS from the environment, else read from vm/module.mk. Objects go to $BUILD/freestanding.
# Runs from the repository root.
set -u
BUILD=${BUILD:-build}
out=$BUILD/freestanding
fail=0

if [ -z "${VM_SRCS:-}" ]; then
    VM_SRCS=$(sed -n 's/^[[:space:]]*VM_SRCS[[:space:]]*[+:]*=//p' vm/module.mk | tr '\n' ' ')
fi
set -f
# shellcheck disable=SC2086
set -- $VM_SRCS
set +f
[ $# -gt 0 ] || { echo "FAIL: no VM_SRCS"; exit 1; }
for f in "$@"; do
    case "$f" in
        vm/*.c) [ -f "$f" ] || { echo "FAIL: $f is in VM_SRCS but does not exist"; fail=1; } ;;
        *) echo "FAIL: $f in VM_SRCS is not a vm/*.c file"; fail=1 ;;
    esac
done
[ $fail -eq 0 ] || exit 1

# 1. Includes.
allowed="stdint.h stddef.h stdbool.h stdarg.h"
for f in vm/*.c vm/*.h; do
    for h in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*<\([^>]*\)>.*/\1/p' "$f"); do
        case " $allowed " in
            *" $h "*) ;;
            *) echo "FAIL: $f includes <$h>: the core may use only: $allowed"; fail=1 ;;
        esac
    done
    for h in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
        case "$h" in
            */*) echo "FAIL: $f includes \"$h\" from outside vm/"; fail=1 ;;
            *) [ -f "vm/$h" ] || { echo "FAIL: $f includes \"$h\", which is not in vm/"; fail=1; } ;;
        esac
    done
done

# 2-3. Compile, link, inspect, with one toolchain.
#   check NAME CC LD NM OBJDUMP EXTRA_FLAGS
check() {
    name=$1 cc=$2 ld=$3 nm=$4 objdump=$5 extra=$6
    dir=$out/$name
    rm -rf "$dir"
    mkdir -p "$dir"
    inc=$($cc -print-file-name=include)
    # clang: -nostdlib is a link option, unused when compiling.
    case "$($cc --version 2>/dev/null | head -1)" in
        *clang*) extra="$extra -Wno-unused-command-line-argument" ;;
    esac
    objs=""
    bad=0
    for src in $srcs; do
        o=$dir/$(basename "$src" .c).o
        # shellcheck disable=SC2086
        if ! $cc -std=c11 -O2 -ffreestanding -nostdlib -fno-builtin -fno-stack-protector \
            -nostdinc -isystem "$inc" -Ivm \
            -Werror -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            $extra -c "$src" -o "$o" 2>"$dir/log"; then
            echo "FAIL: [$name] $src does not compile freestanding:"
            sed 's/^/    /' "$dir/log" | head -30
            bad=1
            continue
        fi
        objs="$objs $o"
    done
    [ $bad -eq 0 ] || { fail=1; return; }
    # shellcheck disable=SC2086
    if ! $ld -r -o "$dir/core.o" $objs 2>"$dir/log"; then
        echo "FAIL: [$name] ld -r failed:"
        sed 's/^/    /' "$dir/log"
        fail=1
        return
    fi
    undef=$($nm -u "$dir/core.o" | awk '{print $NF}' | sort -u | tr '\n' ' ')
    for s in $undef; do
        case "$s" in
            memcpy|memmove|memset|memcmp) ;;
            *) echo "FAIL: [$name] the core needs '$s' from outside (only memcpy memmove memset memcmp allowed)"; bad=1 ;;
        esac
    done
    # Writable data: sections .data, .bss, .sdata, .sbss (and their .* subsections) with a
    # non-zero size, or common symbols. .data.rel.ro is read-only after relocation: allowed.
    $objdump -h "$dir/core.o" | awk '
        $2 ~ /^\.(s?data|s?bss)(\..*)?$/ && $2 !~ /^\.data\.rel\.ro/ && $3 !~ /^0+$/ {
            printf "FAIL: ['"$name"'] writable section %s of 0x%s bytes: a mutable global in the core\n", $2, $3; bad = 1
        }
        END { exit bad }' || bad=1
    if $nm "$dir/core.o" | awk '$2 == "C" { print; found = 1 } END { exit !found }' >"$dir/common"; then
        echo "FAIL: [$name] common (mutable global) symbols: $(cat "$dir/common")"
        bad=1
    fi
    [ $bad -eq 0 ] || { fail=1; return; }
    # shellcheck disable=SC2086
    nobj=$(echo $objs | wc -w)
    echo "ok [$name] $nobj files, undefined: ${undef:-none}"
}

srcs="$*"
arch_flags=""
case "$(uname -m)" in
    x86_64) arch_flags="-mgeneral-regs-only" ;;
esac
check gcc "${CC:-gcc}" ld nm objdump "$arch_flags"
if command -v clang-14 >/dev/null 2>&1; then
    check clang clang-14 ld nm objdump "$arch_flags"
else
    echo "note: clang-14 not installed, clang build skipped"
fi
x=mips64-linux-gnuabi64
if command -v $x-gcc >/dev/null 2>&1; then
    check octeon $x-gcc $x-ld $x-nm $x-objdump "-march=octeon -mabi=64 -EB -msoft-float"
else
    echo "note: $x-gcc not installed: big-endian Octeon soft-float build skipped"
fi

[ $fail -eq 0 ] && echo "freestanding: core is freestanding"
exit $fail
