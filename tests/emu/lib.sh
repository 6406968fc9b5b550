# Helpers for the emulator's tests (sourced): crafting small pcap files byte by byte, and
# checking a command's status and messages. Needs BUILD and BIN from the environment.
: "${BUILD:?}" "${BIN:?}"
SLEMU=$BIN/slemu
T=$BUILD/tests/emu/$(basename "$0" .sh)
rm -rf "$T"
mkdir -p "$T"

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# Bytes of little-endian integers, through printf octal escapes (POSIX sh).
byte() { printf "\\$(printf %03o $(($1 & 255)))"; }
le16() { byte "$1"; byte $(($1 >> 8)); }
le32() { le16 $(($1 & 65535)); le16 $(($1 >> 16 & 65535)); }

# pcap_header LINKTYPE: a nanosecond pcap file header.
pcap_header() { le32 $((0xa1b23c4d)); le16 2; le16 4; le32 0; le32 0; le32 65535; le32 "$1"; }
# pcap_record SEC NSEC LEN [BYTE]: a record of LEN bytes, all BYTE (default 0x11).
pcap_record() {
    le32 "$1"; le32 "$2"; le32 "$3"; le32 "$3"
    head -c "$3" /dev/zero | tr '\000' "\\$(printf %03o "${4:-17}")"
}

# expect_status WANT CMD...: runs CMD with stderr in $T/err, fails unless it exits WANT.
expect_status() {
    want=$1
    shift
    "$@" >"$T/out" 2>"$T/err"
    rc=$?
    [ "$rc" -eq "$want" ] || { cat "$T/err" >&2; fail "exit $rc, expected $want: $*"; }
}

# expect_err TEXT: the last command's stderr mentions TEXT.
expect_err() {
    grep -q -- "$1" "$T/err" || { cat "$T/err" >&2; fail "stderr lacks '$1'"; }
}

# frames FILE: the number of frames tshark reads in FILE; fails when tshark cannot read it
# (call as n=$(frames F) || exit 1).
frames() {
    tshark -r "$1" -T fields -e frame.number >"$T/frames" 2>"$T/tshark.err" ||
        { cat "$T/tshark.err" >&2; fail "tshark cannot read $1"; }
    wc -l <"$T/frames" | tr -d ' '
}

# fields FILE FIELD...: tshark's tab-separated fields, one line per frame.
fields() {
    f=$1
    shift
    args=""
    for x in "$@"; do args="$args -e $x"; done
    # shellcheck disable=SC2086
    tshark -r "$f" -T fields $args 2>"$T/tshark.err" || { cat "$T/tshark.err" >&2; fail "tshark cannot read $f"; }
}
