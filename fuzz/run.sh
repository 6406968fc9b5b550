#!/bin/sh
# Runs libFuzzer targets for a fixed time each, at most JOBS at once, and fails when any of them
# finds a crash, a leak, a timeout or runs out of memory.
#
#   sh fuzz/run.sh DIR SECONDS JOBS TARGET...
#
# DIR/TARGET is the binary, DIR/corpus/TARGET its corpus (grown in place), DIR/asm.dict and
# DIR/setup.dict the dictionaries of the assembler and of setup files. Crashing inputs go to DIR/artifacts/TARGET-*, logs to DIR/logs/TARGET.log.
# A target stops at its first finding; with FUZZ_KEEP_GOING=1 in the environment it runs its whole
# time in libFuzzer's fork mode, saving every crashing input, so one known bug does not hide others.
# Either way a target fails when it exits non-zero or leaves a new file in DIR/artifacts.
set -u
[ $# -ge 4 ] || { echo "usage: run.sh DIR SECONDS JOBS TARGET..." >&2; exit 2; }
dir=$1 secs=$2 jobs=$3
shift 3
mkdir -p "$dir/artifacts" "$dir/logs"

start() {
    t=$1
    opts="-max_total_time=$secs -timeout=10 -rss_limit_mb=2048 -print_final_stats=1"
    opts="$opts -artifact_prefix=$dir/artifacts/$t-"
    case "$t" in
        fuzz_asm) opts="$opts -max_len=8192 -dict=$dir/asm.dict" ;;
        fuzz_setup) opts="$opts -max_len=8192 -dict=$dir/setup.dict" ;;
        *) opts="$opts -max_len=16384" ;;
    esac
    [ "${FUZZ_KEEP_GOING:-0}" = 1 ] && opts="$opts -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1"
    ls "$dir/artifacts" | grep "^$t-" >"$dir/logs/$t.before" || true
    mkdir -p "$dir/corpus/$t"
    echo "fuzz: $t for ${secs}s (corpus $(ls "$dir/corpus/$t" | wc -l) files)"
    # shellcheck disable=SC2086
    "$dir/$t" $opts "$dir/corpus/$t" >"$dir/logs/$t.log" 2>&1 &
    pids="$pids $!:$t"
}

# Waits for the oldest running target and reports it.
finish() {
    first=${pids# }
    first=${first%% *}
    pids=${pids#* "$first"}
    pid=${first%%:*} t=${first#*:}
    wait "$pid"
    rc=$?
    new=$(ls "$dir/artifacts" | grep "^$t-" | grep -vxF -f "$dir/logs/$t.before")
    [ -n "$new" ] && [ $rc -eq 0 ] && rc=1
    # Fork mode's progress lines count what it ignored: "oom/timeout/crash: 0/0/0".
    forkline=$(grep -E '^#[0-9]+: cov: .*oom/timeout/crash: ' "$dir/logs/$t.log" | tail -1)
    case "$forkline" in
        "" | *"oom/timeout/crash: 0/0/0 "*) ;;
        *) [ $rc -eq 0 ] && rc=1 ;;
    esac
    stats=$(grep -E '^stat::(number_of_executed_units|new_units_added):' "$dir/logs/$t.log" |
        sed 's/^stat:://; s/  */ /g' | tr '\n' ' ')
    [ -n "$stats" ] || stats=$(echo "$forkline" | sed 's/ dft_time.*//')
    if [ $rc -eq 0 ]; then
        echo "fuzz: $t ok: $stats"
    else
        failed="$failed $t"
        echo "fuzz: $t FAILED (exit $rc); log $dir/logs/$t.log"
        grep -E 'ERROR: |SUMMARY: |runtime error|^ +#[0-9]+ ' "$dir/logs/$t.log" | head -30 | sed 's/^/    /'
        grep -E 'Test unit written to' "$dir/logs/$t.log" | sed 's/^/    /' | head -5
        [ -z "$new" ] || echo "$new" | sed "s|^|    new finding: $dir/artifacts/|"
    fi
}

pids=""
failed=""
running=0
for target in "$@"; do
    [ -x "$dir/$target" ] || { echo "fuzz: $dir/$target is not built" >&2; exit 2; }
done
# (start and finish use the global t: the loop has its own variable.)
for target in "$@"; do
    if [ $running -ge "$jobs" ]; then
        finish
        running=$((running - 1))
    fi
    start "$target"
    running=$((running + 1))
done
while [ $running -gt 0 ]; do
    finish
    running=$((running - 1))
done

if [ -n "$failed" ]; then
    echo "fuzz: failed:$failed"
    exit 1
fi
echo "fuzz: all targets ran ${secs}s without a finding"
