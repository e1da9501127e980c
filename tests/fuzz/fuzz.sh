#!/bin/sh
# A bounded libFuzzer run of tests/fuzz/domainfuzz (parse, plan, format,
# parse again and build the command line), seeded from every golden input
# and output, the regressions and the bad-input corpus. A crash is copied
# to tests/fuzz/regressions/, which the fuzzreplay test replays in every
# run of the suite, and the script fails. docs/testing.md has the details.
#
# usage: tests/fuzz/fuzz.sh BUILDDIR [SECONDS]
#   BUILDDIR configured with CC=clang -Dfuzzing=true (CI adds
#   -Db_sanitize=address,undefined); SECONDS defaults to 180.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$1
secs=${2:-180}
fuzzer="$build/tests/fuzz/domainfuzz"
if [ ! -x "$fuzzer" ]; then
    echo "fuzz.sh: no $fuzzer: configure $build with CC=clang and -Dfuzzing=true" >&2
    exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/ppfuzz-XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus" "$work/seeds" "$work/crashes"
for d in qemuxml2argvdata qemuxml2xmloutdata fuzz/regressions badinput; do
    for f in "$top/tests/$d"/*.xml; do
        [ -e "$f" ] && cp "$f" "$work/seeds/$(echo "$d" | tr / -)-$(basename "$f")"
    done
done

status=0
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
"$fuzzer" -max_total_time="$secs" -max_len=65536 -timeout=25 -rss_limit_mb=2048 \
    -print_final_stats=1 -dict="$top/tests/fuzz/domain.dict" \
    -artifact_prefix="$work/crashes/" "$work/corpus" "$work/seeds" \
    >"$work/log" 2>&1 || status=$?

# The summary: instrumented counters, the coverage reached, the stats.
grep -E '^INFO: Loaded|INITED|DONE|^Done|^stat::' "$work/log" || true
for crash in "$work/crashes"/*; do
    [ -e "$crash" ] || continue
    name=$(basename "$crash")
    cp "$crash" "$top/tests/fuzz/regressions/$name.xml"
    echo "fuzz.sh: $name copied to tests/fuzz/regressions/$name.xml: commit it with the fix" >&2
    status=1
done
if [ "$status" != 0 ]; then
    tail -n 60 "$work/log" >&2
    exit 1
fi
