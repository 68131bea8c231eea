#!/usr/bin/env bash
# The same verdicts on every supported ansible-core: run what depends on the core's templating on
# the pinned core ($VENV) and on the oldest supported one ($OLDEST_VENV, requirements-oldest.txt).
#
#   scripts/cores.sh
#
# On both: the gate's conditions and rules (tests/unit/plugins/plugin_utils), the action
# (tests/unit/plugins/action) and the whole-playbook tests (tests/playbooks), which run the
# deployment gate playbook with that core's ansible-playbook, also through ansible-runner as AWX
# runs it; on the pinned core only, the execution environment test (ansible-builder needs Python
# 3.11+ and does not depend on the core). On the oldest core also: the
# integration target whose rules are Jinja (role_consumer_health), and the demos of the bundled
# scenarios whose rules are Jinja (rocketmq5, migration). The pinned core runs those in
# `make integration` and `make demo-scenarios`.
#
# CORES_PINNED_UNITS=no leaves out, on the pinned core only, tests/unit/plugins/plugin_utils and
# tests/unit/plugins/action: `make test` sets it because its `units` step runs those same tests
# on the same core and Python (ansible-test units, the pinned venv's Python).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/.build}"
venv="${VENV:-$root/.venv}"
oldest="${OLDEST_VENV:-$root/.venv-oldest}"

core_of() {
    "$1/bin/python" -c 'import ansible; print(ansible.__version__)'
}

# The tests import the collection as ansible_collections.apsaramq.rocketmq: run them from a link
# laid out that way.
link_root="$build/cores-collections"
mkdir -p "$link_root/ansible_collections/apsaramq"
ln -sfn "$root" "$link_root/ansible_collections/apsaramq/rocketmq"

for env in "$venv" "$oldest"; do
    tests=(tests/unit/plugins/plugin_utils tests/unit/plugins/action tests/playbooks)
    if [ "$env" = "$venv" ] && [ "${CORES_PINNED_UNITS:-yes}" = "no" ]; then
        tests=(tests/playbooks)
        echo "cores.sh: ansible-core $(core_of "$env") ($env): tests/playbooks (the unit tests run in \`make units\`)"
    else
        echo "cores.sh: ansible-core $(core_of "$env") ($env)"
    fi
    if [ "$env" = "$oldest" ]; then
        # ansible-builder needs Python 3.11+, and what it makes of the collection does not depend on the core.
        tests+=(--ignore=tests/playbooks/test_execution_environment.py)
    fi
    (cd "$link_root/ansible_collections/apsaramq/rocketmq" &&
        PYTHONPATH="$link_root" "$env/bin/python" -m pytest -q -n 2 -p no:cacheprovider "${tests[@]}")
done

echo "cores.sh: integration and demos on ansible-core $(core_of "$oldest")"
VENV="$oldest" BUILD_DIR="$build/oldest-core" "$root/scripts/integration.sh" role_consumer_health
VENV="$oldest" BUILD_DIR="$build/oldest-core" "$oldest/bin/python" "$root/scripts/demo_scenarios.py" rocketmq5 migration
