#!/usr/bin/env bash
# Run make targets one after the other, timing each; stop at the first that fails.
#
#   scripts/run_steps.sh venv sanity units ...
#
# Prints a banner before each step, its duration after it, and a summary at the end. A failed
# step ends the run at once with a banner that names it, so the cause is the last thing above.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
make_cmd="${MAKE:-make}"

names=()
times=()
results=()
started_all=$SECONDS

summary() {
    local i
    echo
    echo "==================== summary ===================="
    for i in "${!names[@]}"; do
        printf '  %-16s %-8s %5ss\n' "${names[$i]}" "${results[$i]}" "${times[$i]}"
    done
    printf '  %-16s %-8s %5ss\n' "total" "" "$((SECONDS - started_all))"
}

passed=0
for step in "$@"; do
    echo
    echo "==================== $step ===================="
    started=$SECONDS
    status=0
    "$make_cmd" --no-print-directory -C "$root" "$step" || status=$?
    elapsed=$((SECONDS - started))
    names+=("$step")
    times+=("$elapsed")
    if [ "$status" -ne 0 ]; then
        results+=("FAILED")
        summary
        echo
        echo "!!!!!!!!!!!!!!!!!!!! FAILED: make $step (exit $status, after ${elapsed}s) !!!!!!!!!!!!!!!!!!!!"
        echo "Steps not run: $(printf '%s\n' "$@" | sed -n "$(( ${#names[@]} + 1 )),\$p" | tr '\n' ' ')"
        echo "steps: $passed passed, 1 failed"
        exit "$status"
    fi
    results+=("ok")
    passed=$((passed + 1))
    echo "==================== $step: ok in ${elapsed}s ===================="
done

summary
echo "steps: $passed passed, 0 failed"
