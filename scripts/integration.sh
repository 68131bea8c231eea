#!/usr/bin/env bash
# Run `ansible-test integration` on a fresh copy of the collection against the emulator of both APIs.
#
#   scripts/integration.sh [TARGET...] [ansible-test option...]
#
# The emulator starts on tests/integration/emulator_base.yml; the targets replace its state with
# their own scenario through <url>/_emulator/state. Its URL reaches them as `ons_emulator_url` in
# tests/integration/integration_config.yml of the copy. ansible-test runs on the origin host with
# the dev venv's Python (which has requests and jmespath), so nothing is installed here.
#
# The targets are shared out among INTEGRATION_JOBS runs side by side (default 2), each with its
# own copy (.build/stage/integration-N), its own emulator and its own ansible-test: the longest
# targets first, each to the run with the least work so far, by how long each target took last
# time (.build/integration-times.txt, which each run updates) or, for a target never timed, by
# its size. A target runs exactly as it would alone: ansible-test adds the targets it needs
# (setup_ons_emulator), and no two runs share an emulator. Each run's output goes to
# .build/integration-N.log, a line per target as it starts, and the whole log once all have
# ended; any failed run fails the whole, named. INTEGRATION_JOBS=1 runs everything in one.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/.build}"
venv="${VENV:-$root/.venv}"

if [ "${1:-}" = "--with-emulator" ]; then
    # Second stage, run by with_emulator.sh once ONS_EMULATOR_URL is known.
    shift
    dest="$1"
    shift
    printf -- '---\n# Written by scripts/integration.sh for this run only.\nons_emulator_url: %s\n' \
        "$ONS_EMULATOR_URL" >"$dest/tests/integration/integration_config.yml"
    python_version="$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    STAGE=no STAGE_ROOT="$(dirname "$(dirname "$(dirname "$dest")")")" exec "$root/scripts/ansible_test.sh" integration \
        --controller "origin:python=${python_version}@${venv}/bin/python" \
        --color "${ANSIBLE_TEST_COLOR:-auto}" "$@"
fi

scenario="${INTEGRATION_SCENARIO:-$root/tests/integration/emulator_base.yml}"
if [ ! -f "$scenario" ]; then
    echo "integration.sh: $scenario is missing" >&2
    exit 1
fi

# The leading words are targets, the rest options for ansible-test (the Makefile passes
# $(TARGETS) $(ANSIBLE_TEST_ARGS)).
targets=()
while [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; do
    targets+=("$1")
    shift
done
jobs="${INTEGRATION_JOBS:-2}"
case "$jobs" in
    '' | *[!0-9]* | 0) echo "integration.sh: INTEGRATION_JOBS must be a positive whole number, not '$jobs'" >&2; exit 2 ;;
esac

stage_root() {
    printf '%s/stage/integration-%s\n' "$build" "$1"
}

# Stage the copy of run $1 (holding its lock until this script ends) and print its path.
stage() {
    local dir
    dir="$(stage_root "$1")"
    mkdir -p "$dir"
    exec {lock_fd}>"$dir/.lock"
    if command -v flock >/dev/null 2>&1 && ! flock -n "$lock_fd"; then
        echo "integration.sh: waiting for another run that uses $dir ..." >&2
        flock "$lock_fd"
    fi
    dest="$(STAGE_ROOT="$dir" "$root/scripts/stage_collection.sh")"
    mkdir -p "$dest/tests/integration"
    printf '%s\n' "$dest"
}

# One run of ansible-test over the targets given (all when none), against an emulator of its own.
# $1: run number; the rest: targets and options.
run_one() {
    local number="$1" dest
    shift
    dest="$(find "$(stage_root "$number")/ansible_collections" -mindepth 2 -maxdepth 2 -type d | head -n 1)"
    if [ "$jobs" -gt 1 ]; then
        # Each run's emulator logs to a file of its own.
        EMULATOR_LOG="$build/emulator-integration-$number.log" \
            "$root/scripts/with_emulator.sh" "$scenario" -- "$0" --with-emulator "$dest" "$@"
    else
        "$root/scripts/with_emulator.sh" "$scenario" -- "$0" --with-emulator "$dest" "$@"
    fi
}

# Record in the times file the seconds each target of run $1 took (ansible-test's own figures).
record_times() {
    local data
    data="$(stage_root "$1")/ansible_collections"
    "$venv/bin/python" - "$data" "$build/integration-times.txt" <<'EOF' || true
import glob, json, os, sys
data, path = sys.argv[1], sys.argv[2]
times = {}
if os.path.exists(path):
    with open(path, encoding='utf-8') as handle:
        times.update(line.split()[:2] for line in handle if len(line.split()) >= 2)
for report in glob.glob(os.path.join(data, '*', '*', 'tests', 'output', 'data', 'integration-*.json')):
    with open(report, encoding='utf-8') as handle:
        for name, target in json.load(handle).get('targets', {}).items():
            if isinstance(target.get('run_time_seconds'), int):
                times[name] = str(target['run_time_seconds'])
with open(path + '.new', 'w', encoding='utf-8') as handle:
    handle.write(''.join('%s %s\n' % item for item in sorted(times.items())))
os.replace(path + '.new', path)
EOF
}

stage 1 >/dev/null
if [ "${#targets[@]}" -eq 1 ] && [ -d "$root/tests/integration/targets/${targets[0]}" ]; then
    jobs=1
fi
if [ "$jobs" -gt 1 ]; then
    # The targets ansible-test would run for these arguments (the folders it names, nothing else).
    mapfile -t listed < <(STAGE=no STAGE_ROOT="$(stage_root 1)" "$root/scripts/ansible_test.sh" integration \
        --list-targets "${targets[@]}" "$@" 2>/dev/null | while read -r name; do
            if [ -n "$name" ] && [ -d "$root/tests/integration/targets/$name" ]; then
                printf '%s\n' "$name"
            fi
        done)
    if [ "${#listed[@]}" -eq 0 ]; then
        jobs=1
    elif [ "${#listed[@]}" -lt "$jobs" ]; then
        jobs="${#listed[@]}"
    fi
fi

if [ "$jobs" -le 1 ]; then
    status=0
    run_one 1 "${targets[@]}" "$@" || status=$?
    record_times 1
    exit "$status"
fi

# Share the targets out: weight = last time in seconds, else the size of the target in lines
# (about 0.06 s a line on the 2-core development machine); longest first, each to the least loaded.
declare -A shard_of=()
mapfile -t plan < <(
    for target in "${listed[@]}"; do
        seconds="$(awk -v t="$target" '$1 == t { s = $2 } END { print s }' "$build/integration-times.txt" 2>/dev/null || true)"
        if [ -z "$seconds" ]; then
            lines="$(find "$root/tests/integration/targets/$target" -type f -exec cat {} + 2>/dev/null | wc -l)"
            seconds="$(( lines * 6 / 100 + 1 ))"
        fi
        printf '%s %s\n' "$seconds" "$target"
    done | sort -k1,1nr -k2,2 | awk -v jobs="$jobs" '
        { best = 1; for (i = 2; i <= jobs; i++) if (load[i] < load[best]) best = i; load[best] += $1; print best, $2 }')
for line in "${plan[@]}"; do
    shard_of["${line#* }"]="${line%% *}"
done

for number in $(seq 2 "$jobs"); do
    stage "$number" >/dev/null
done

pids=()
for number in $(seq 1 "$jobs"); do
    shard_targets=()
    for target in "${listed[@]}"; do
        if [ "${shard_of[$target]}" = "$number" ]; then
            shard_targets+=("$target")
        fi
    done
    log="$build/integration-$number.log"
    echo "integration.sh: run $number of $jobs: ${shard_targets[*]} (log $log)"
    (
        set -o pipefail
        run_one "$number" "${shard_targets[@]}" "$@" 2>&1 | tee "$log" \
            | { grep --line-buffered -E '^Running .* integration test' || true; } | sed -u "s/^/integration-$number: /"
    ) &
    pids+=("$!")
done

declare -A status_of=()
for number in $(seq 1 "$jobs"); do
    status=0
    wait "${pids[$((number - 1))]}" || status=$?
    status_of[$number]="$status"
    record_times "$number"
done
# The whole output of each run, the failed ones last (nearest the verdict).
failed=()
for pass in ok failed; do
    for number in $(seq 1 "$jobs"); do
        if [ "$pass" = ok ] && [ "${status_of[$number]}" -ne 0 ]; then
            continue
        fi
        if [ "$pass" = failed ] && [ "${status_of[$number]}" -eq 0 ]; then
            continue
        fi
        log="$build/integration-$number.log"
        echo
        echo "-------------------- integration run $number of $jobs ($pass): $log --------------------"
        cat "$log"
        if [ "$pass" = failed ]; then
            last="$(sed -n 's/^Running \(.*\) integration test .*/\1/p' "$log" | tail -n 1)"
            failed+=("run $number (exit ${status_of[$number]}${last:+, at target $last})")
        fi
    done
done
if [ "${#failed[@]}" -ne 0 ]; then
    echo "integration.sh: FAILED: ${failed[*]}; the output of each run is above, and in $build/integration-N.log" >&2
    exit 1
fi
echo "integration.sh: ${#listed[@]} targets passed in $jobs runs side by side"
