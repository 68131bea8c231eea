#!/usr/bin/env bash
# The least-privilege RAM policies that README.md and docs/gate.md give, against the emulator: a key
# holding exactly the gate policy passes the gate, one holding the all-modules policy runs every
# module, and a key without any one of their actions makes the gate inconclusive (or the module
# fail) with a message naming that action.
set -euo pipefail

config="${ONS_INTEGRATION_CONFIG:-../../integration_config.yml}"
config="$(cd "$(dirname "$config")" && pwd)/$(basename "$config")"
root="$(ansible-galaxy collection list apsaramq.rocketmq --format json \
    | python -c 'import json, sys; print(next(iter(json.load(sys.stdin))).rsplit("/ansible_collections", 1)[0] + "/ansible_collections/apsaramq/rocketmq")')"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python files/policy.py "$root" files/scenario.yml "$config" "$work/keys.json"
url="$(python -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["ons_emulator_url"])' "$config")"
secret="$(python -c 'import json, sys; print(json.load(open(sys.argv[1]))["secret"])' "$work/keys.json")"

gate() {
    # gate KEY REPORT_DIR [ansible-playbook option...]
    ansible-playbook apsaramq.rocketmq.deployment_gate -e @files/gate.yml -e "ons_endpoint=$url" \
        -e "ons_access_key_id=$1" -e "ons_access_key_secret=$secret" -e "gate_report_dir=$work/$2" "${@:3}"
}

echo "== the gate policy is enough for the gate"
full="$(python -c 'import json, sys; print(json.load(open(sys.argv[1]))["policies"]["gate"]["full"])' "$work/keys.json")"
gate "$full" full "$@"

echo "== without any one of its actions the gate is inconclusive, naming the action"
python -c '
import json, sys
for entry in json.load(open(sys.argv[1]))["policies"]["gate"]["without"]:
    print(entry["key"], " ".join(entry["removed"]))' "$work/keys.json" | while read -r key removed; do
    echo "-- without $removed"
    status=0
    gate "$key" "$key" "$@" >"$work/$key.log" 2>&1 </dev/null || status=$?
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

echo "== the all-modules policy is enough for every module, and each action is needed"
ansible-playbook modules.yml -e "@$config" -e "@$work/keys.json" "$@"
