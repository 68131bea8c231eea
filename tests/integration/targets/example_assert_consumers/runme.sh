#!/usr/bin/env bash
# The example playbook assert_consumers against the emulator: it exits 0 when every assert holds;
# each assert is then made to fail in turn, and the play must exit 2 with that assert's message,
# which names the group, the value observed and the value expected. Bad input fails first, naming
# the variable.
set -euo pipefail

config="${ONS_INTEGRATION_CONFIG:-../../integration_config.yml}"
config="$(cd "$(dirname "$config")" && pwd)/$(basename "$config")"
url="$(sed -n 's/^ons_emulator_url:[[:space:]]*//p' "$config")"
# load.yml includes the role setup_ons_emulator, a sibling target.
export ANSIBLE_ROLES_PATH=..
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
options=("$@")

example() {
    # example NAME STATUS TEXT [ansible-playbook option...]: the example, run with this target's
    # connection and the options given, exits STATUS and its output holds TEXT.
    local name="$1" expected="$2" text="$3" status=0
    shift 3
    echo "== $name: exits $expected, saying: $text"
    ansible-playbook apsaramq.rocketmq.assert_consumers -e "ons_endpoint=$url" -e @vars/connection.yml \
        "$@" "${options[@]}" >"$logs/$name.log" 2>&1 || status=$?
    if [ "$status" -ne "$expected" ]; then
        cat "$logs/$name.log"
        echo "runme.sh: $name exited with $status, expected $expected" >&2
        exit 1
    fi
    if ! grep -qF -- "$text" "$logs/$name.log"; then
        cat "$logs/$name.log"
        echo "runme.sh: the output of $name does not say: $text" >&2
        exit 1
    fi
    if grep -q 'IntegrationSecretNotForProduction01' "$logs/$name.log"; then
        echo "runme.sh: the secret appears in the output of $name" >&2
        exit 1
    fi
}

ansible-playbook load.yml -e "@$config" "${options[@]}"

example pass 0 'GID_orders consumed message 0A00010500002A9F0000000000000060' -e @vars/pass.yml
# Without a minimum version or a message, those checks are skipped, not failed.
example minimal 0 'skipped=4' \
    -e assert_consumers_instance_id=MQ_INST_1234567890_TEST -e assert_consumers_group_id=GID_orders

example offline 2 'GID_idle is offline: observed no client online, expected at least one' \
    -e @vars/pass.yml -e assert_consumers_group_id=GID_idle
example too_few_clients 2 'GID_orders has too few clients online: observed 2, expected at least 3' \
    -e @vars/pass.yml -e assert_consumers_min_clients=3
example old_version 2 'GID_orders: client 10.0.1.6@102#2#2#2 runs V4_9_4, expected V5_1_0 or later' \
    -e @vars/pass.yml -e assert_consumers_min_version=V5_1_0
example shared_client_id 2 'GID_twins has clients sharing an ID: observed 10.0.3.5@301#4#4#4 more than once, expected each ID once' \
    -e @vars/pass.yml -e assert_consumers_group_id=GID_twins
example unknown_message 2 'GID_orders: message 0A00010500002A9F00000000000000FF of topic orders was not found' \
    -e @vars/pass.yml -e assert_consumers_msg_id=0A00010500002A9F00000000000000FF
example not_consumed 2 'GID_lagging has not consumed message 0A00010500002A9F0000000000000060 of topic orders: observed NOT_CONSUME_YET, expected CONSUMED' \
    -e @vars/pass.yml -e assert_consumers_group_id=GID_lagging
example not_subscribed 2 'GID_refunds has not consumed message 0A00010500002A9F0000000000000060 of topic orders: observed no track for the group, expected CONSUMED' \
    -e @vars/pass.yml -e assert_consumers_group_id=GID_refunds

example missing_group 2 'missing required arguments: assert_consumers_group_id' \
    -e assert_consumers_instance_id=MQ_INST_1234567890_TEST
example bad_min_clients 2 "argument 'assert_consumers_min_clients' is of type str" \
    -e @vars/pass.yml -e assert_consumers_min_clients=two
# A topic without a message ID is not ignored: the trace fails, naming the missing variable.
example topic_only 2 "'assert_consumers_msg_id' is undefined" \
    -e assert_consumers_instance_id=MQ_INST_1234567890_TEST -e assert_consumers_group_id=GID_orders \
    -e assert_consumers_topic=orders
