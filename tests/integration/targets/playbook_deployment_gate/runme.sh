#!/usr/bin/env bash
# The playbooks users run, against the emulator: deployment_gate exits 0 when the gate passes and
# non-zero when it fails, naming the reasons; consumer_health and message_delivery run one role
# each; every run writes its reports, which verify.yml parses.
set -euo pipefail

config="${ONS_INTEGRATION_CONFIG:-../../integration_config.yml}"
config="$(cd "$(dirname "$config")" && pwd)/$(basename "$config")"
# load.yml includes the role setup_ons_emulator, a sibling target.
export ANSIBLE_ROLES_PATH=..
reports="$(mktemp -d)"
trap 'rm -rf "$reports"' EXIT

gate() {
    # gate PLAYBOOK GATE_VARS REPORT_DIR [ansible-playbook option...]
    ansible-playbook "apsaramq.rocketmq.$1" -e "@$config" -e @gates/connection.yml -e "@gates/$2.yml" \
        -e "gate_report_dir=$reports/$3" "${@:4}"
}

ansible-playbook load.yml -e "@$config" "$@"

echo "== a gate that passes exits 0"
gate deployment_gate pass pass "$@"

echo "== a gate that fails exits 2 and names each reason"
status=0
gate deployment_gate fail fail "$@" >"$reports/fail.log" 2>&1 || status=$?
if [ "$status" -ne 2 ]; then
    cat "$reports/fail.log"
    echo "runme.sh: the failing gate exited with $status, expected 2" >&2
    exit 1
fi
for reason in \
    'release_r43 failed: 3 of ' \
    'GID_rolling uniform_version FAILED: expected one version, observed V4_9_4: 1, V5_1_0: 1' \
    'GID_rolling max_lag FAILED: expected <= 10, observed 50' \
    'orders/0A00010500002A9F0000000000000060 consumed FAILED' \
    'release_r43 FAILED: '; do
    if ! grep -qF "$reason" "$reports/fail.log"; then
        cat "$reports/fail.log"
        echo "runme.sh: the output of the failing gate does not say: $reason" >&2
        exit 1
    fi
done
if grep -q 'IntegrationSecretNotForProduction01' "$reports/fail.log"; then
    echo "runme.sh: the secret appears in the output" >&2
    exit 1
fi

echo "== the single-role playbooks take the same vars file"
gate consumer_health pass groups "$@"
gate message_delivery pass messages "$@"

echo "== the reports parse"
ansible-playbook verify.yml -e "report_root=$reports" "$@"
