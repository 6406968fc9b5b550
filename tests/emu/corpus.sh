#!/bin/sh
# Every capture of the corpus (tests/corpus/pcap, real captures from tcpdump's tests) through the
# l2learn switch, on ports 0 and 2 at once: slemu must end with 0, or 1 and a message (foreign
# link types say so and are skipped); never a crash or a sanitizer report.
. tests/emu/lib.sh
C=tests/corpus/pcap
[ -d "$C" ] || fail "no pcap corpus at $C"
# A sanitizer report must not look like an ordinary exit 1.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=86"
ran=0 skipped=0 failed=0
for f in "$C"/*.pcap "$C"/*.pcapng; do
    [ -e "$f" ] || continue
    "$SLEMU" -q -i 0="$f" -i 2="$f" -o "$T/out.pcap" samples/l2learn/l2learn.sla >/dev/null 2>"$T/err"
    rc=$?
    if grep -q -e "Sanitizer" -e "runtime error" "$T/err"; then
        cat "$T/err" >&2
        fail "$f: sanitizer report"
    fi
    case $rc in
    0)
        ran=$((ran + 1))
        # What was written must read back (tcpdump: tshark starts too slowly for 180 files).
        tcpdump -n -r "$T/out.pcap" >/dev/null 2>"$T/tcpdump.err" ||
            { cat "$T/tcpdump.err" >&2; fail "$f: unreadable output"; }
        ;;
    1)
        if grep -q "is not Ethernet; slemu reads Ethernet captures only" "$T/err"; then
            skipped=$((skipped + 1))
        else
            grep -q "^slemu: " "$T/err" || { cat "$T/err" >&2; fail "$f: exit 1 without a message"; }
            echo "note: $f: $(head -1 "$T/err")"
            failed=$((failed + 1))
        fi
        ;;
    *)
        cat "$T/err" >&2
        fail "$f: exit $rc"
        ;;
    esac
done
echo "corpus: $ran ran, $skipped skipped (not Ethernet), $failed stopped with a message"
[ "$ran" -gt 100 ] || fail "only $ran captures ran"
