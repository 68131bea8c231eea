"""Turn the RAM policies the documentation gives into emulator keys, and load them.

    python policy.py COLLECTION_ROOT SCENARIO INTEGRATION_CONFIG OUT_JSON [SUPERSEDED]

Reads the JSON policy blocks marked ``<!-- ram-policy: NAME -->`` in README.md (and checks that
docs/gate.md, and the gate guide docs/docsite/rst/gate_guide.rst with its ``.. ram-policy: NAME``
comments, give the same gate policies: ``gate`` for 4.x instances, ``rmq-gate`` for 5.x ones),
adds to SCENARIO one key holding each policy and one key per action taken away from it, loads that
scenario into the emulator named by INTEGRATION_CONFIG, and writes to OUT_JSON, per policy, the key
holding it and the keys without each action. A policy of several statements becomes a key of as
many statements, each allowing its own actions on its own resources.

SUPERSEDED (a JSON file, {name: policy}) holds policies the documentation gave before and no longer
does, because Alibaba Cloud refuses them something; each gets a key too, under ``superseded``, so
that the tests can show the refusal.
"""

import json
import re
import sys
import urllib.request

import yaml

MARKER = re.compile(r"<!-- ram-policy: ([a-z-]+) -->\s*```json\n(.*?)\n```", re.S)
# The same in RST: the comment, then an indented json code block (ending at the first unindented line).
RST_MARKER = re.compile(r"^\.\. ram-policy: ([a-z-]+)\n\n\.\. code-block:: json\n\n((?:(?:    .*)?\n)+)", re.M)
# The policies of the gate, which every page that documents the gate gives alike.
GATE_POLICIES = ("gate", "rmq-gate")
# The two spellings of the 4.x instance action: the policies grant both, so taking one away changes
# nothing; they are taken away together. The 5.x policies have no instance action.
INSTANCE_ACTIONS = ("mq:OnsInstanceBaseInfo", "mq:QueryInstanceBaseInfo")
SECRET = "LeastPrivilegeSecretNotForProduction"


def policies(path):
    marker = RST_MARKER if path.endswith(".rst") else MARKER
    with open(path) as handle:
        found = {name: json.loads(text) for name, text in marker.findall(handle.read())}
    if not found:
        sys.exit("policy.py: no ram-policy block in %s" % path)
    return found


def grants(policy):
    """[(actions, resources)] of the Allow statements of a policy (every statement must allow)."""
    statements = policy["Statement"]
    if not statements or any(statement["Effect"] != "Allow" for statement in statements):
        sys.exit("policy.py: expected Allow statements only, got %r" % statements)
    return [(list(statement["Action"]), list(statement["Resource"])) for statement in statements]


def key(key_id, statements):
    """An emulator key holding ``statements`` ([(actions, resources)]); a statement left without actions is dropped."""
    kept = [(actions, resources) for actions, resources in statements if actions]
    if len(kept) == 1:
        return {"access_key_id": key_id, "access_key_secret": SECRET, "actions": kept[0][0], "resources": kept[0][1]}
    return {"access_key_id": key_id, "access_key_secret": SECRET,
            "statements": [{"actions": actions, "resources": resources} for actions, resources in kept]}


def main(root, scenario_path, config_path, out_path, superseded_path=None):
    documented = policies(root + "/README.md")
    for name in GATE_POLICIES:
        if name not in documented:
            sys.exit("policy.py: README.md has no %s policy" % name)
    for page in ("docs/gate.md", "docs/docsite/rst/gate_guide.rst"):
        given = policies(root + "/" + page)
        for name in GATE_POLICIES:
            if given.get(name) != documented[name]:
                sys.exit("policy.py: %s and README.md give different %s policies" % (page, name))
    with open(scenario_path) as handle:
        scenario = yaml.safe_load(handle)
    keys = {}
    for name, policy in sorted(documented.items()):
        statements = grants(policy)
        actions = [action for statement_actions, _resources in statements for action in statement_actions]
        removals = [[action] for action in actions if action not in INSTANCE_ACTIONS]
        instance_actions = [action for action in actions if action in INSTANCE_ACTIONS]
        if instance_actions:
            removals.append(instance_actions)
        entry = {"full": "LTAI5tPolicy%sFull" % name.title().replace("-", ""), "without": []}
        scenario["keys"].append(key(entry["full"], statements))
        for index, removed in enumerate(removals):
            key_id = "LTAI5tPolicy%sWithout%02d" % (name.title().replace("-", ""), index)
            scenario["keys"].append(key(key_id, [([a for a in statement_actions if a not in removed], resources)
                                                 for statement_actions, resources in statements]))
            entry["without"].append({"key": key_id, "removed": removed})
        keys[name] = entry
    superseded = {}
    if superseded_path:
        with open(superseded_path) as handle:
            for name, policy in sorted(json.load(handle).items()):
                if documented.get(name) == policy:
                    sys.exit("policy.py: README.md still gives the superseded %s policy" % name)
                superseded[name] = "LTAI5tPolicy%sSuperseded" % name.title().replace("-", "")
                scenario["keys"].append(key(superseded[name], grants(policy)))
    with open(config_path) as handle:
        url = yaml.safe_load(handle)["ons_emulator_url"]
    request = urllib.request.Request(url + "/_emulator/state", data=yaml.safe_dump(scenario).encode("utf-8"),
                                     method="PUT", headers={"Content-Type": "application/yaml"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        if answer.status != 200:
            sys.exit("policy.py: the emulator refused the scenario: HTTP %s" % answer.status)
    with open(out_path, "w") as handle:
        json.dump({"secret": SECRET, "policies": keys, "superseded": superseded}, handle, indent=2)


if __name__ == "__main__":
    main(*sys.argv[1:])
