# Helpers for the hypervisor tests (sourced): a scratch directory, the generated captures, and
# a check on one field of slemu's --stats json for one VM. Needs BUILD and BIN.
: "${BUILD:?}" "${BIN:?}"
SLEMU=$BIN/slemu
T=$BUILD/tests/hv/$(basename "$0" .sh)
rm -rf "$T"
mkdir -p "$T"
"$BUILD/tests/hv/gen" "$T" 400 || { echo "FAIL: gen" >&2; exit 1; }

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# vm_field JSON VM FIELD: the number FIELD of VM named VM in a --stats json line.
vm_field() {
    sed -e 's/.*"vms":\[//' -e 's/\],"ports".*//' -e 's/},{"name"/}\n{"name"/g' "$1" |
        grep "^{\"name\":\"$2\"" | sed -e "s/.*\"$3\":\([0-9]*\).*/\1/"
}

# same A B: byte-identical files.
same() {
    cmp "$1" "$2" >/dev/null || fail "$1 and $2 differ"
}
