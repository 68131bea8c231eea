#!/usr/bin/env bash
# Run `ansible-test integration` on a fresh copy of the collection against the ONS API emulator.
#
#   scripts/integration.sh [TARGET...] [ansible-test option...]
#
# The emulator starts on tests/integration/emulator_base.yml; the targets replace its state with
# their own scenario through <url>/_emulator/state. Its URL reaches them as `ons_emulator_url` in
# tests/integration/integration_config.yml of the copy. ansible-test runs on the origin host with
# the dev venv's Python (which has requests and jmespath), so nothing is installed here.
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
    STAGE=no exec "$root/scripts/ansible_test.sh" integration \
        --controller "origin:python=${python_version}@${venv}/bin/python" \
        --color "${ANSIBLE_TEST_COLOR:-auto}" "$@"
fi

scenario="${INTEGRATION_SCENARIO:-$root/tests/integration/emulator_base.yml}"
if [ ! -f "$scenario" ]; then
    echo "integration.sh: $scenario is missing" >&2
    exit 1
fi
# shellcheck source=scripts/lock_build.sh
. "$root/scripts/lock_build.sh"
dest="$("$root/scripts/stage_collection.sh")"
mkdir -p "$dest/tests/integration"
exec "$root/scripts/with_emulator.sh" "$scenario" -- "$0" --with-emulator "$dest" "$@"
