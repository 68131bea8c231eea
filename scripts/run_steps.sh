#!/usr/bin/env bash
# Run make targets, timing each, up to JOBS at a time; stop at the first that fails.
#
#   scripts/run_steps.sh [-j JOBS] venv :: integration sanity units ...
#
# Steps start in the order given, each as soon as fewer than JOBS run (default $TEST_JOBS, else
# 1). `::` waits: every step before it has passed before any step after it starts (the venv that
# the others use, say). Steps that run side by side share no files: each check stages its own
# copy of the collection (see scripts/stage_collection.sh).
#
# With one job a step's output streams as it runs, between a banner with its name and one with
# its duration. With more, each step writes to $BUILD_DIR/steps/STEP.log and its whole output is
# printed between the same banners when it ends, so that the output of steps that ran side by
# side never interleaves; a line every minute says what is still running. A failed step ends the
# run: the steps still running are stopped (their logs stay), the failed step's output is printed
# last, and a banner names it. The summary gives each step's wall time and CPU time (user +
# system, all its processes): CPU time near the wall time is one core kept busy.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/.build}"
make_cmd="${MAKE:-make}"
jobs="${TEST_JOBS:-1}"
if [ "${1:-}" = "-j" ]; then
    jobs="${2:-}"
    shift 2 || shift $#
fi
case "$jobs" in
    '' | *[!0-9]* | 0) echo "run_steps.sh: the number of jobs must be a positive whole number, not '$jobs'" >&2; exit 2 ;;
esac

steps=()
for step in "$@"; do
    [ "$step" = "::" ] || steps+=("$step")
done
logs="$build/steps"
mkdir -p "$logs"
# Each step in a process group of its own, so that stopping it stops all it started.
group=()
if command -v setsid >/dev/null 2>&1; then
    group=(setsid)
fi

declare -A result=() wall=() cpu=() pid_of=() started_at=()
running=()
started_all=$SECONDS
failed_step=""
failed_status=0
last_note=$SECONDS

# CPU seconds (user + system) of a step's processes, from the `times` its shell wrote.
cpu_of() {
    if [ ! -s "$1" ]; then
        echo "?"
        return
    fi
    sed -n 2p "$1" | awk '{
        total = 0
        for (i = 1; i <= 2; i++) { split($i, part, "m"); sub("s", "", part[2]); total += part[1] * 60 + part[2] }
        printf "%d\n", total + 0.5 }'
}

start_step() {
    local step="$1"
    # shellcheck disable=SC2016  # expanded by the inner shell
    local command=(${group[@]+"${group[@]}"} bash -c
        'status=0; "$0" --no-print-directory -C "$1" "$2" || status=$?; times >"$3"; exit "$status"'
        "$make_cmd" "$root" "$step" "$logs/.$step.times")
    if [ "$jobs" -gt 1 ]; then
        echo "==================== $step: started (output in ${logs#"$root"/}/$step.log) ===================="
        "${command[@]}" >"$logs/$step.log" 2>&1 </dev/null &
    else
        echo
        echo "==================== $step ===================="
        "${command[@]}" 2>&1 </dev/null &
    fi
    pid_of[$step]=$!
    started_at[$step]=$SECONDS
    running+=("$step")
}

# Collect the steps that have ended; with more than one job, print the output of each that passed.
reap() {
    local step status still=()
    for step in "${running[@]}"; do
        if kill -0 "${pid_of[$step]}" 2>/dev/null; then
            still+=("$step")
            continue
        fi
        status=0
        wait "${pid_of[$step]}" || status=$?
        wall[$step]=$((SECONDS - started_at[$step]))
        cpu[$step]="$(cpu_of "$logs/.$step.times")"
        rm -f "$logs/.$step.times"
        if [ "$status" -eq 0 ]; then
            result[$step]="ok"
            if [ "$jobs" -gt 1 ]; then
                echo
                echo "==================== $step ===================="
                cat "$logs/$step.log"
            fi
            echo "==================== $step: ok in ${wall[$step]}s (cpu ${cpu[$step]}s) ===================="
        else
            result[$step]="FAILED"
            if [ -z "$failed_step" ]; then
                failed_step="$step"
                failed_status="$status"
            fi
        fi
    done
    running=("${still[@]+"${still[@]}"}")
}

# Wait until fewer than $1 steps run, or one has failed (then return 1).
wait_below() {
    local other notes
    while [ "${#running[@]}" -ge "$1" ] && [ -z "$failed_step" ]; do
        sleep 0.5
        reap
        if [ "$jobs" -gt 1 ] && [ "${#running[@]}" -gt 0 ] && [ $((SECONDS - last_note)) -ge 60 ]; then
            last_note=$SECONDS
            notes=()
            for other in "${running[@]}"; do
                notes+=("$other ($((SECONDS - started_at[$other]))s)")
            done
            echo "run_steps.sh: still running: ${notes[*]}"
        fi
    done
    [ -z "$failed_step" ]
}

# The processes below process $1, at any depth.
descendants() {
    ps -eo pid=,ppid= 2>/dev/null | awk -v root="$1" '
        { children[$2] = children[$2] " " $1 }
        END {
            queue = root
            while (queue != "") {
                count = split(queue, parents, " "); queue = ""
                for (i = 1; i <= count; i++) {
                    found = split(children[parents[i]], kids, " ")
                    for (j = 1; j <= found; j++) { print kids[j]; queue = queue " " kids[j] }
                }
            }
        }'
}

# Stop every step still running: TERM to its process group and to every process it started (some
# tools start theirs in sessions of their own), KILL to what is left of the group after 20 s.
stop_running() {
    local step tries
    declare -A below=()
    for step in "${running[@]}"; do
        below[$step]="$(descendants "${pid_of[$step]}" | tr '\n' ' ')"
        kill -TERM -- "-${pid_of[$step]}" 2>/dev/null || kill -TERM "${pid_of[$step]}" 2>/dev/null || true
        # shellcheck disable=SC2086  # a list of process ids
        kill -TERM ${below[$step]} 2>/dev/null || true
    done
    for step in "${running[@]}"; do
        tries=0
        while kill -0 "${pid_of[$step]}" 2>/dev/null && [ "$tries" -lt 200 ]; do
            sleep 0.1
            tries=$((tries + 1))
        done
        kill -KILL -- "-${pid_of[$step]}" 2>/dev/null || true
        wait "${pid_of[$step]}" 2>/dev/null || true
        rm -f "$logs/.$step.times"
        result[$step]="stopped"
        wall[$step]=$((SECONDS - started_at[$step]))
        cpu[$step]="?"
        echo "==================== $step: stopped after ${wall[$step]}s (its output so far: ${logs#"$root"/}/$step.log) ===================="
    done
    running=()
}

summary() {
    local step
    echo
    echo "==================== summary ===================="
    for step in "${steps[@]}"; do
        [ -n "${result[$step]:-}" ] || continue
        printf '  %-16s %-8s %5ss  cpu %5ss\n' "$step" "${result[$step]}" "${wall[$step]}" "${cpu[$step]}"
    done
    printf '  %-16s %-8s %5ss\n' "total" "" "$((SECONDS - started_all))"
}

interrupted() {
    trap - INT TERM
    echo
    echo "run_steps.sh: interrupted; stopping: ${running[*]:-nothing}" >&2
    stop_running
    summary
    exit 130
}
trap interrupted INT TERM

if [ "$jobs" -gt 1 ]; then
    echo "run_steps.sh: ${#steps[@]} steps, up to $jobs at a time; the output of each is printed when it ends"
fi
for step in "$@" "::"; do
    if [ "$step" = "::" ]; then
        wait_below 1 || break
    else
        wait_below "$jobs" || break
        start_step "$step"
    fi
done

if [ -n "$failed_step" ]; then
    stop_running
    if [ "$jobs" -gt 1 ]; then
        echo
        echo "==================== $failed_step (failed) ===================="
        cat "$logs/$failed_step.log"
    fi
    summary
    not_run=()
    for step in "${steps[@]}"; do
        [ -n "${result[$step]:-}" ] || not_run+=("$step")
    done
    passed=0
    failed=()
    for step in "${steps[@]}"; do
        case "${result[$step]:-}" in
            ok) passed=$((passed + 1)) ;;
            FAILED) failed+=("$step") ;;
        esac
    done
    echo
    echo "!!!!!!!!!!!!!!!!!!!! FAILED: make $failed_step (exit $failed_status, after ${wall[$failed_step]}s) !!!!!!!!!!!!!!!!!!!!"
    if [ "${#failed[@]}" -gt 1 ]; then
        echo "Also failed (output in ${logs#"$root"/}/): $(printf '%s\n' "${failed[@]}" | grep -vxF "$failed_step" | tr '\n' ' ')"
    fi
    echo "Steps not run: ${not_run[*]:-none}"
    echo "steps: $passed passed, ${#failed[@]} failed"
    exit "$failed_status"
fi

summary
echo "steps: ${#steps[@]} passed, 0 failed"
