#!/usr/bin/env bash
# Run one quality gate, keep its full output in build/logs/NAME.log, and record a one-line summary.
# Usage: tools/step.sh NAME KIND -- command [args...]
#   KIND: sanity  -> "N passed, 0 failed" from ansible-test's "Running sanity test" lines
#         pytest  -> pytest's own closing line ("=== N passed in Xs ==="); exit code 5 (no tests collected) fails,
#                    unless STEP_ALLOW_EMPTY is set (the Makefile sets it when PYTEST_ARGS narrows a run)
#         plain   -> "ok"
# The summary line goes to stdout and is appended to build/summary.txt, or for test runners (sanity, pytest) to
# build/summary-tests.txt; `make test` prints both at the end, test runners last.
set -uo pipefail

name=$1; kind=$2; shift 3
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$root/build/logs"
log="$root/build/logs/$name.log"

echo "==> $name: $*"
start=$(date +%s)
"$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
secs=$(( $(date +%s) - start ))

case $kind in
    sanity)
        ran=$(grep -c '^Running sanity test "' "$log" || true)
        skipped=$(grep -c 'Skipping sanity test "' "$log" || true)
        failed=$(grep -A200 "^FATAL: The [0-9]* sanity test(s) listed below" "$log" | sed -n '2,$p' | grep -cE "^[a-z0-9-]+$" || true)
        line="$(( ran - failed )) passed, $failed failed, $skipped skipped"
        ;;
    pytest)
        line=$(grep -E "^=+ .*(passed|failed|error|errors|skipped|no tests ran|deselected).* in [0-9.]+s.* =+$" "$log" | tail -n 1)
        [ -z "$line" ] && line=$(grep -E "(passed|failed|no tests ran)" "$log" | tail -n 1)
        if [ "$rc" -eq 5 ]; then
            # Every suite of the project has tests: collecting none means a broken path, marker or tree, never a pass;
            # only a run narrowed by the caller (PYTEST_ARGS=-k ..., which sets STEP_ALLOW_EMPTY) may select nothing.
            echo "$name: pytest collected no tests (exit 5)"
            line="${line:-no tests ran} (nothing collected)"
            [ -n "${STEP_ALLOW_EMPTY:-}" ] && rc=0
        fi
        ;;
    *)
        line=$([ "$rc" -eq 0 ] && echo ok || echo "failed (rc=$rc)")
        ;;
esac
echo "==> $name took ${secs}s (rc=$rc, full log: build/logs/$name.log)"
summary="$name: $line"
[ "$rc" -ne 0 ] && summary="$summary -- FAILED rc=$rc, see build/logs/$name.log"
case $kind in sanity|pytest) file=summary-tests.txt ;; *) file=summary.txt ;; esac
echo "$summary" | tee -a "$root/build/$file"
exit "$rc"
