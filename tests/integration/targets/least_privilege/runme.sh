#!/usr/bin/env bash
# The least-privilege RAM policies that README.md and docs/gate.md give, against the emulator: a key
# holding exactly the gate policy passes the gate on a 4.x instance, one holding the rmq-gate policy
# passes it on a 5.x instance, ones holding the all-modules and rmq-all-modules policies run every
# ons_* and rmq_* module, and a key without any one of their actions makes the gate inconclusive (or
# the module fail) with a message naming that action. The policies README.md gave before and no
# longer does (files/superseded.json) are refused what they lack: ListInstances on instance/*.
set -euo pipefail

config="${ONS_INTEGRATION_CONFIG:-../../integration_config.yml}"
config="$(cd "$(dirname "$config")" && pwd)/$(basename "$config")"
root="$(ansible-galaxy collection list apsaramq.rocketmq --format json \
    | python -c 'import json, sys; print(next(iter(json.load(sys.stdin))).rsplit("/ansible_collections", 1)[0] + "/ansible_collections/apsaramq/rocketmq")')"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python files/policy.py "$root" files/scenario.yml "$config" "$work/keys.json" files/superseded.json
url="$(python -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["ons_emulator_url"])' "$config")"
secret="$(python -c 'import json, sys; print(json.load(open(sys.argv[1]))["secret"])' "$work/keys.json")"

gate() {
    # gate VARS_FILE KEY REPORT_DIR [ansible-playbook option...]
    ansible-playbook apsaramq.rocketmq.deployment_gate -e "@files/$1" -e "ons_endpoint=$url" -e "rmq_endpoint=$url" \
        -e "ons_access_key_id=$2" -e "ons_access_key_secret=$secret" -e "gate_report_dir=$work/$3" "${@:4}"
}

prove_gate_policy() {
    # prove_gate_policy POLICY VARS_FILE [ansible-playbook option...]: the key holding POLICY passes the
    # gate of VARS_FILE; a key without any one of its actions makes it fail (exit 2) with only
    # inconclusive checks, the output naming the action.
    local policy="$1" vars="$2"
    shift 2
    echo "== the $policy policy is enough for the gate ($vars)"
    local full
    full="$(python -c 'import json, sys; print(json.load(open(sys.argv[1]))["policies"][sys.argv[2]]["full"])' "$work/keys.json" "$policy")"
    gate "$vars" "$full" "$full" "$@"

    echo "== without any one of the actions of $policy the gate is inconclusive, naming the action"
    python -c '
import json, sys
for entry in json.load(open(sys.argv[1]))["policies"][sys.argv[2]]["without"]:
    print(entry["key"], " ".join(entry["removed"]))' "$work/keys.json" "$policy" | while read -r key removed; do
        echo "-- without $removed"
        status=0
        gate "$vars" "$key" "$key" "$@" >"$work/$key.log" 2>&1 </dev/null || status=$?
        if [ "$status" -ne 2 ]; then
            cat "$work/$key.log"
            echo "runme.sh: the gate without $removed exited with $status, expected 2" >&2
            exit 1
        fi
        # shellcheck disable=SC2086 # one argument per removed action
        python files/check_report.py "$work/$key/least_privilege.json" $removed
        if ! grep -qE "$(echo "$removed" | tr ' ' '|')" "$work/$key.log"; then
            cat "$work/$key.log"
            echo "runme.sh: the output of the gate without $removed does not name it" >&2
            exit 1
        fi
        if grep -qF "$secret" "$work/$key.log"; then
            echo "runme.sh: the secret appears in the output" >&2
            exit 1
        fi
    done
}

# 4.x (MQ_INST_...): the gate policy; 5.x (rmq-...): the rmq-gate policy.
prove_gate_policy gate gate.yml "$@"
prove_gate_policy rmq-gate rmq_gate.yml "$@"

echo "== the all-modules and rmq-all-modules policies are enough for every module, and each action is needed"
ansible-playbook modules.yml -e "@$config" -e "@$work/keys.json" "$@"
