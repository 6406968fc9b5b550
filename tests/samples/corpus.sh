#!/bin/sh
# Every capture of the corpus (tests/corpus/pcap, real captures from tcpdump's tests) through the
# router and the firewall samples, compiled by slc; the capture feeds two ports at once (router:
# lan, readdressed to the router's MAC by to_router.sl, and wan as it is; firewall: inside and
# outside). slemu must end with 0, or with 1 and its message for a capture it refuses (foreign
# link types are counted as skipped); never a crash, never a sanitizer report (under
# `make check` the tools are built with ASan and UBSan), and no fault in the programs (they
# check lengths before reading). Two workers share the captures.
. tests/samples/lib.sh
C=tests/corpus/pcap
[ -d "$C" ] || fail "no pcap corpus at $C"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=86"
"$BIN/slc" -o "$T/to_router.slb" tests/samples/to_router.sl || fail "slc to_router.sl"
"$BIN/slc" -o "$T/router.slb" samples/router/router.sl || fail "slc router.sl"
"$BIN/slc" -o "$T/firewall.slb" samples/firewall/firewall.sl || fail "slc firewall.sl"

# run PROG CAPTURE DIR: one run; appends "PROG ran N", "PROG skipped" or "PROG stopped" to
# DIR/results, or prints why and returns 1.
run() {
    prog=$1 f=$2 d=$3
    if [ "$prog" = router ]; then
        "$BIN/slemu" -q -i "$f" -o "$d/lan.pcap" "$T/to_router.slb" 2>"$d/err" &&
            "$BIN/slemu" --stats json -i lan="$d/lan.pcap" -i wan="$f" -o "$d/out.pcap" "$T/router.slb" \
                >"$d/json" 2>"$d/err"
    else
        "$BIN/slemu" --stats json -i inside="$f" -i outside="$f" -o "$d/out.pcap" "$T/firewall.slb" \
            >"$d/json" 2>"$d/err"
    fi
    rc=$?
    if grep -q -e "Sanitizer" -e "runtime error" "$d/err"; then
        cat "$d/err"
        echo "FAIL: $prog: $f: sanitizer report"
        return 1
    fi
    case $rc in
    0)
        # What was written must read back (tcpdump: tshark starts too slowly for 180 files).
        tcpdump -n -r "$d/out.pcap" >/dev/null 2>"$d/tcpdump.err" ||
            { cat "$d/tcpdump.err"; echo "FAIL: $prog: $f: unreadable output"; return 1; }
        # The samples check every length before they read: no input makes them fault.
        if grep -o '"faults":{[^}]*}' "$d/json" | grep -q ':[1-9]'; then
            echo "FAIL: $prog: $f: faults: $(grep -o '"faults":{[^}]*}' "$d/json")"
            return 1
        fi
        echo "$prog ran $(sed -n 's/.*"packets_out":\([0-9]*\).*/\1/p' "$d/json")" >>"$d/results"
        ;;
    1)
        if grep -q "is not Ethernet; slemu reads Ethernet captures only" "$d/err"; then
            echo "$prog skipped" >>"$d/results"
        else
            grep -q "^slemu: " "$d/err" || { cat "$d/err"; echo "FAIL: $prog: $f: exit 1 without a message"; return 1; }
            echo "note: $prog: $f: $(head -1 "$d/err")"
            echo "$prog stopped" >>"$d/results"
        fi
        ;;
    *)
        cat "$d/err"
        echo "FAIL: $prog: $f: exit $rc"
        return 1
        ;;
    esac
}

# worker K: the captures whose rank is K modulo 2, through both programs.
worker() {
    d=$T/w$1
    mkdir -p "$d"
    : >"$d/results"
    i=0
    for f in "$C"/*.pcap "$C"/*.pcapng; do
        [ -e "$f" ] || continue
        i=$((i + 1))
        [ $((i % 2)) -eq "$1" ] || continue
        run router "$f" "$d" && run firewall "$f" "$d" || return 1
    done
}
worker 0 >"$T/log0" 2>&1 &
pid0=$!
worker 1 >"$T/log1" 2>&1 &
pid1=$!
ok=1
wait $pid0 || ok=0
wait $pid1 || ok=0
cat "$T/log0" "$T/log1"
[ $ok = 1 ] || fail "corpus run failed (above)"
for prog in router firewall; do
    cat "$T/w0/results" "$T/w1/results" | awk -v p=$prog '
        $1 == p && $2 == "ran" { ran++; out += $3 } $1 == p && $2 == "skipped" { sk++ }
        $1 == p && $2 == "stopped" { st++ }
        END { printf "corpus through %s: %d ran (%d frames sent), %d skipped (not Ethernet), %d stopped with a message\n", p, ran, out, sk, st
              exit ran > 100 ? 0 : 1 }' || fail "$prog: too few captures ran"
done
