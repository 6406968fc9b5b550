# Helpers for the samples' end-to-end tests (sourced; run from the repository root with BUILD
# and BIN). Each test regenerates its sample's inputs and compares them with the committed ones,
# runs the sample twice (the outputs must be byte-identical to each other and to expected/),
# then asserts on what tshark decodes, with every checksum verified.
: "${BUILD:?}" "${BIN:?}"
T=$BUILD/tests/samples/$(basename "$0" .sh)
rm -rf "$T"
mkdir -p "$T"

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# expect_status WANT CMD...: runs CMD with stdout in $T/out and stderr in $T/err.
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

# check_inputs SAMPLE FILE...: the committed inputs are what samples/SAMPLE/gen.c writes.
check_inputs() {
    s=$1
    shift
    mkdir -p "$T/gen"
    "$BUILD/samples/$s/gen" "$T/gen" || fail "samples/$s/gen"
    for f in "$@"; do
        cmp "$T/gen/$f" "samples/$s/$f" || fail "samples/$s/$f differs from what gen.c writes"
    done
}

# run_sample SAMPLE FILE...: runs samples/SAMPLE/run.sh into $T/a (with --stats json: the
# summary is left in $T/a.json) and $T/b; the output FILEs must be equal run to run and to
# samples/SAMPLE/expected/FILE.
run_sample() {
    s=$1
    shift
    expect_status 0 sh "samples/$s/run.sh" "$BIN" "$T/a" --stats json
    cp "$T/out" "$T/a.json"
    cp "$T/err" "$T/a.err"
    expect_status 0 sh "samples/$s/run.sh" "$BIN" "$T/b"
    for f in "$@"; do
        cmp "$T/a/$f" "$T/b/$f" || fail "$s: two runs differ on $f"
        cmp "$T/a/$f" "samples/$s/expected/$f" || fail "$s: $f differs from samples/$s/expected/$f"
    done
}

# json_has KEY_VALUE...: the JSON summary of run_sample contains each text.
json_has() {
    for kv in "$@"; do
        grep -q -- "$kv" "$T/a.json" || { cat "$T/a.json" >&2; fail "JSON summary lacks $kv"; }
    done
}

# TSHARK: tshark with every checksum it knows verified.
TSHARK_CHECKS="-o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE"

# fields FILE FIELD...: tshark's tab-separated fields, one line per frame (checksums verified).
fields() {
    f=$1
    shift
    args=""
    for x in "$@"; do args="$args -e $x"; done
    # shellcheck disable=SC2086
    tshark -r "$f" $TSHARK_CHECKS -T fields $args 2>"$T/tshark.err" ||
        { cat "$T/tshark.err" >&2; fail "tshark cannot read $f"; }
}

# checksums_ok FILE: tshark finds no bad IPv4, ICMP, UDP or TCP checksum and no malformed
# frame in FILE. (Status 0 is "bad"; 1 good, 2 unverified, e.g. a quoted UDP header.)
checksums_ok() {
    fields "$1" frame.number ip.checksum.status icmp.checksum.status udp.checksum.status \
        tcp.checksum.status _ws.expert.message _ws.malformed >"$T/csum" || exit 1
    awk -F'\t' '{ for (i = 2; i <= 5; i++) { n = split($i, v, ","); for (j = 1; j <= n; j++)
        if (v[j] == "0") { print "frame " $1 ": bad checksum (field " i ")"; bad = 1 } }
        if ($6 ~ /[Cc]hecksum|[Mm]alformed/ || $7 != "") { print "frame " $1 ": " $6 $7; bad = 1 } }
        END { exit bad }' "$T/csum" >&2 || fail "$1: tshark reports bad checksums or malformed frames"
}

# same FILE WANTFILE: tshark's view (lines produced by the caller) equals the wanted lines.
same() {
    diff "$2" "$1" >&2 || fail "tshark's view differs from what the sample must do (< wanted, > got)"
}
