#!/usr/bin/env bash
# Run the deployment gate (playbooks/deployment_gate.yml with the vars file
# playbooks/vars/demo_gate.yml) against the bundled emulator of the ONS and RocketMQ 5.x APIs.
#
#   scripts/demo.sh [SCENARIO] [ansible-playbook option...]
#
# SCENARIO names a file in emulator/scenarios/ (default: healthy; also from $SCENARIO). When
# playbooks/vars/demo/SCENARIO.yml exists, it is loaded after demo_gate.yml and replaces the
# variables it sets, so that the gate shows what that scenario is about.
# The collection is used straight from this checkout: ANSIBLE_COLLECTIONS_PATH points at a
# folder where ansible_collections/<namespace>/<name> is a symlink to the repository root.
# Exits with the playbook's status.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/.build}"
venv="${VENV:-$root/.venv}"

scenario="${SCENARIO:-healthy}"
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
    scenario="$1"
    shift
fi
scenario_file="$root/emulator/scenarios/${scenario%.yml}.yml"
if [ ! -f "$scenario_file" ]; then
    echo "demo.sh: no scenario '$scenario'; the bundled ones are:" >&2
    for file in "$root"/emulator/scenarios/*.yml; do
        echo "    $(basename "$file" .yml)" >&2
    done
    exit 2
fi

galaxy_value() {
    sed -n "s/^$1:[[:space:]]*\\([A-Za-z0-9_]*\\).*/\\1/p" "$root/galaxy.yml" | head -n 1
}
collections="$build/demo-collections"
link="$collections/ansible_collections/$(galaxy_value namespace)/$(galaxy_value name)"
mkdir -p "$(dirname "$link")"
# Demos run side by side (demo_scenarios.py): a link already right is left alone, never replaced
# while another demo reads it.
if [ "$(readlink "$link" 2>/dev/null || true)" != "$root" ]; then
    ln -sfn "$root" "$link"
fi

playbook_bin="$venv/bin/ansible-playbook"
if [ ! -x "$playbook_bin" ]; then
    playbook_bin="$(command -v ansible-playbook || true)"
fi
if [ -z "$playbook_bin" ]; then
    echo "demo.sh: ansible-playbook not found; run 'make venv' first" >&2
    exit 1
fi

export ANSIBLE_COLLECTIONS_PATH="$collections"
# Only this checkout's copy of the collection, not one installed elsewhere.
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
# The demo runs on the implicit localhost on purpose; no need to warn about the missing inventory.
export ANSIBLE_LOCALHOST_WARNING=false
export ANSIBLE_INVENTORY_UNPARSED_WARNING=false
vars_files=(playbooks/vars/demo_gate.yml)
if [ -f "$root/playbooks/vars/demo/$(basename "$scenario_file")" ]; then
    vars_files+=("playbooks/vars/demo/$(basename "$scenario_file")")
fi
vars_args=()
for file in "${vars_files[@]}"; do
    vars_args+=(-e "@$file")
done
echo "demo.sh: scenario $(basename "$scenario_file" .yml), vars files: ${vars_files[*]}" >&2

cd "$root"
exec "$root/scripts/with_emulator.sh" "$scenario_file" -- "$playbook_bin" playbooks/deployment_gate.yml \
    "${vars_args[@]}" "$@"
