#!/usr/bin/env bash
# Run a command against a freshly started emulator (ONS and RocketMQ 5.x APIs), then stop the emulator.
#
#   scripts/with_emulator.sh SCENARIO -- COMMAND [ARG...]
#
# The emulator (python -m emulator) listens on a free loopback port. While COMMAND runs:
#   ONS_EMULATOR_URL                  the emulator's URL, e.g. http://127.0.0.1:40123
#   ALIBABA_CLOUD_ACCESS_KEY_ID       the demo key pair every bundled scenario accepts
#   ALIBABA_CLOUD_ACCESS_KEY_SECRET
# (ALIBABA_CLOUD_SECURITY_TOKEN is unset: a token of real credentials would not match.)
# The script exits with COMMAND's status; the emulator is stopped whatever happens.
#
# Environment:
#   EMULATOR_PYTHON  interpreter with PyYAML (default: .venv/bin/python, else python3)
#   EMULATOR_DIR     folder holding the emulator package (default: the repository root)
#   EMULATOR_ARGS    extra emulator flags, e.g. "--verbose --latency 0.2"
#   EMULATOR_LOG     where the emulator's output goes (default: .build/emulator-<scenario>.log)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/.build}"

usage() {
    echo "usage: $0 SCENARIO -- COMMAND [ARG...]" >&2
    exit 2
}

[ $# -ge 3 ] || usage
scenario="$1"
shift
[ "$1" = "--" ] || usage
shift

if [ ! -f "$scenario" ]; then
    echo "with_emulator.sh: scenario file not found: $scenario" >&2
    exit 2
fi
scenario="$(cd "$(dirname "$scenario")" && pwd)/$(basename "$scenario")"

python="${EMULATOR_PYTHON:-}"
if [ -z "$python" ]; then
    if [ -x "$root/.venv/bin/python" ]; then
        python="$root/.venv/bin/python"
    else
        python="$(command -v python3)"
    fi
fi
emulator_dir="${EMULATOR_DIR:-$root}"

mkdir -p "$build"
run_dir="$(mktemp -d "$build/emulator.XXXXXX")"
port_file="$run_dir/url"
log="${EMULATOR_LOG:-$build/emulator-$(basename "$scenario" .yml).log}"
emulator_pid=""

# shellcheck disable=SC2329  # run by the EXIT trap
stop_emulator() {
    if [ -n "$emulator_pid" ] && kill -0 "$emulator_pid" 2>/dev/null; then
        kill -TERM "$emulator_pid" 2>/dev/null || true
        # SIGTERM stops it cleanly within a moment; do not wait forever for a stuck one.
        for _ in $(seq 1 50); do
            kill -0 "$emulator_pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$emulator_pid" 2>/dev/null; then
            echo "with_emulator.sh: emulator did not stop on SIGTERM; killing it" >&2
            kill -KILL "$emulator_pid" 2>/dev/null || true
        fi
        wait "$emulator_pid" 2>/dev/null || true
    fi
    emulator_pid=""
    rm -rf "$run_dir"
}
trap stop_emulator EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# shellcheck disable=SC2086  # EMULATOR_ARGS is a list of flags on purpose
(cd "$emulator_dir" && exec "$python" -m emulator --scenario "$scenario" --host 127.0.0.1 --port 0 \
    --port-file "$port_file" ${EMULATOR_ARGS:-}) >"$log" 2>&1 &
emulator_pid=$!

# The port file appears once the socket listens; give a slow machine 30 s.
for _ in $(seq 1 300); do
    if [ -s "$port_file" ]; then
        break
    fi
    if ! kill -0 "$emulator_pid" 2>/dev/null; then
        break
    fi
    sleep 0.1
done
if [ ! -s "$port_file" ]; then
    echo "with_emulator.sh: the emulator did not start (scenario $scenario); its output:" >&2
    sed 's/^/    /' "$log" >&2 || true
    exit 1
fi

ONS_EMULATOR_URL="$(tr -d '[:space:]' <"$port_file")"
export ONS_EMULATOR_URL
export ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI5tEmulatorDemoKey01
export ALIBABA_CLOUD_ACCESS_KEY_SECRET=EmulatorDemoSecretNotForProduction01
unset ALIBABA_CLOUD_SECURITY_TOKEN
echo "with_emulator.sh: emulator on $ONS_EMULATOR_URL (scenario $(basename "$scenario"), log $log)" >&2

status=0
"$@" || status=$?
if [ "$status" -ne 0 ]; then
    echo "with_emulator.sh: command exited with status $status; emulator log: $log" >&2
fi
exit "$status"
