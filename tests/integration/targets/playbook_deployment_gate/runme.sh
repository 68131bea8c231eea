#!/usr/bin/env bash
# The playbooks users run, against the emulator: deployment_gate exits 0 when the gate passes and
# non-zero when it fails, naming the reasons; consumer_health and message_delivery run one role
# each; every run writes its reports, which verify.yml parses. Bad variables (numbers of any length
# too) fail before any API call; a gate stopped by a failed task still writes its reports, and one
# whose reports cannot be written does not start, naming their paths.
set -euo pipefail

config="${ONS_INTEGRATION_CONFIG:-../../integration_config.yml}"
config="$(cd "$(dirname "$config")" && pwd)/$(basename "$config")"
# The gate refuses variables of its namespaces it does not know, such as the runner's
# ons_emulator_url: the gates get the URL as ons_endpoint instead.
url="$(sed -n 's/^ons_emulator_url:[[:space:]]*//p' "$config")"
# load.yml includes the role setup_ons_emulator, a sibling target.
export ANSIBLE_ROLES_PATH=..
reports="$(mktemp -d)"
trap 'rm -rf "$reports"' EXIT

gate() {
    # gate PLAYBOOK GATE_VARS REPORT_DIR [ansible-playbook option...]
    ansible-playbook "apsaramq.rocketmq.$1" -e "ons_endpoint=$url" -e @gates/connection.yml -e "@gates/$2.yml" \
        -e "gate_report_dir=$reports/$3" "${@:4}"
}

fails() {
    # fails GATE_VARS REASON... : the gate exits 2 and its output says every REASON.
    local vars="$1" status=0
    shift
    gate deployment_gate "$vars" "$vars" "${extra[@]}" >"$reports/$vars.log" 2>&1 || status=$?
    if [ "$status" -ne 2 ]; then
        cat "$reports/$vars.log"
        echo "runme.sh: the gate $vars exited with $status, expected 2" >&2
        exit 1
    fi
    for reason in "$@"; do
        if ! grep -qF -- "$reason" "$reports/$vars.log"; then
            cat "$reports/$vars.log"
            echo "runme.sh: the output of the gate $vars does not say: $reason" >&2
            exit 1
        fi
    done
    if grep -q 'IntegrationSecretNotForProduction01' "$reports/$vars.log"; then
        echo "runme.sh: the secret appears in the output of the gate $vars" >&2
        exit 1
    fi
}

ansible-playbook load.yml -e "@$config" "$@"

echo "== bad variables fail before any API call, naming the variable"
extra=("$@")
fails typo 'unknown variable consumer_heath_groups (did you mean consumer_health_groups?)'
fails empty_groups 'consumer_health_groups: is empty: list the groups to check'
fails nothing 'neither consumer_health_groups nor message_delivery_messages is set'
fails bounds "consumer_health_wait_timeout: inf is not a number from 0 to 86400 seconds"
fails duplicate_rules "consumer_health_groups[0].rules[0].name: 'two_clients' is also the name of the rule consumer_health_rules[0]"
fails report_name "gate_report_name: '../escaped' is not a report name"
fails huge 'consumer_health_max_lag: 1000…(401 digits) is too large; at most 1000000000 messages'
# A file where the report directory should be: the gate does not start, and says where and why.
touch "$reports/unwritable"
fails unwritable \
    'report_json: the JSON report cannot be written to ' '/unwritable/unwritable.json: Not a directory: ' \
    'report_junit: the JUnit report cannot be written to ' '/unwritable/unwritable-junit.xml: Not a directory: '
if [ ! -f "$reports/unwritable" ] || find "$reports" -name 'unwritable*.*' ! -name '*.log' | grep -q .; then
    echo "runme.sh: the gate with an unwritable report directory changed it or wrote a report" >&2
    exit 1
fi
if find "$reports" -name 'escaped*' | grep -q .; then
    echo "runme.sh: a report was written outside its directory" >&2
    exit 1
fi
ansible-playbook requests.yml -e "@$config" -e expected_requests=0 "$@"

echo "== a gate that passes exits 0"
gate deployment_gate pass pass "$@"

echo "== a gate that fails exits 2 and names each reason"
fails fail \
    'release_r43 failed: 3 of ' \
    'GID_rolling uniform_version FAILED: expected one version, observed V4_9_4: 1, V5_1_0: 1' \
    'GID_rolling max_lag FAILED: expected <= 10, observed 50' \
    'orders/0A00010500002A9F0000000000000060 consumed FAILED' \
    'release_r43 FAILED: '

echo "== an HTTP group is selected without a group type, and lags"
fails http \
    'http failed: 1 of ' \
    'GID_http max_lag FAILED: expected <= 1000, observed 99900' \
    ', 4 not applicable'

echo "== only the message suite runs when only messages are listed, and the reports say so"
gate deployment_gate messages_only messages_only "$@"

echo "== a gate that cannot start still leaves the reports, and fails naming the cause"
# A key without its secret: the gate's input is valid, but no credentials can be built from it.
extra=("$@" -e '{"ons_access_key_secret": null}')
fails stopped \
    'stopped failed: 1 of 1 checks did not pass' \
    'gate run INCONCLUSIVE: the gate did not start: Failed to find credentials: access_key_id is set but access_key_secret is not'

echo "== the single-role playbooks take the same vars file"
gate consumer_health pass groups "$@"
gate message_delivery pass messages "$@"

echo "== the reports parse"
ansible-playbook verify.yml -e "report_root=$reports" "$@"
