#!/usr/bin/env bash
# A gate over both legs of a 4.x to 5.x migration, in one vars file: each instance's API is chosen by
# its ID (MQ_INST_... through ONS at ons_endpoint, rmq-... through the 2022-08-01 API at
# rmq_endpoint). It passes when both legs are healthy and fails naming the leg and the check.
set -euo pipefail

config="${ONS_INTEGRATION_CONFIG:-../../integration_config.yml}"
config="$(cd "$(dirname "$config")" && pwd)/$(basename "$config")"
url="$(sed -n 's/^ons_emulator_url:[[:space:]]*//p' "$config")"
export ANSIBLE_ROLES_PATH=..
reports="$(mktemp -d)"
trap 'rm -rf "$reports"' EXIT

gate() {
    # gate GATE_VARS [ansible-playbook option...]
    ansible-playbook apsaramq.rocketmq.deployment_gate -e "ons_endpoint=$url" -e "rmq_endpoint=$url" \
        -e @gates/connection.yml -e "@gates/$1.yml" -e "gate_report_dir=$reports" "${@:2}"
}

ansible-playbook load.yml -e "@$config" "$@"

echo "== both legs healthy: the gate passes, rebalance_ok not applicable on the 5.x leg"
gate pass "$@" | tee "$reports/pass.log"
python - "$reports/migration_pass.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
assert report['result'] == 'passed', report['failures']
legs = {(check['instance_id'], check['check']): check for check in report['checks']}
assert legs[('rmq-cn-test0000001', 'rebalance_ok')]['status'] == 'not_applicable'
assert legs[('MQ_INST_1234567890_TEST', 'rebalance_ok')]['status'] == 'passed'
assert legs[('rmq-cn-test0000001', 'max_lag')]['observed'] == 100, legs[('rmq-cn-test0000001', 'max_lag')]
assert [check['status'] for check in report['checks'] if check['check'] == 'consumed'] == ['passed', 'passed']
PY

echo "== both legs of an unhealthy group: the gate fails naming each leg and check"
status=0
gate fail "$@" >"$reports/fail.log" 2>&1 || status=$?
if [ "$status" -ne 2 ]; then
    cat "$reports/fail.log"
    echo "runme.sh: the failing migration gate exited with $status, expected 2" >&2
    exit 1
fi
for reason in \
    'GID_old (MQ_INST_1234567890_TEST) min_version FAILED: expected >= 5.0.7, observed V4_3_6' \
    'GID_old (rmq-cn-test0000001) min_version FAILED: expected >= 5.0.7, observed 5.0.5' \
    'GID_old (rmq-cn-test0000001) max_lag FAILED: expected <= 100, observed 1000'; do
    if ! grep -qF -- "$reason" "$reports/fail.log"; then
        cat "$reports/fail.log"
        echo "runme.sh: the failing migration gate does not say: $reason" >&2
        exit 1
    fi
done
if grep -q 'IntegrationSecretNotForProduction01' "$reports/pass.log" "$reports/fail.log"; then
    echo "runme.sh: the secret appears in the output" >&2
    exit 1
fi
