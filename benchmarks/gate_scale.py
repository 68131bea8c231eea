#!/usr/bin/env python
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the deployment gate's wall time grows with the number of groups, against its floor, on 4.x, 5.x and a migration.

Starts the emulator once with a 4.x instance and a 5.x instance of 100 healthy consumer groups
each (2-3 clients each, subscribed to one topic, no lag), LATENCY seconds added to every answer
and a limit of API_LIMIT calls per second per account and operation, as the APIs count (checked
with a burst before measuring). The gate checks lag (``max_lag``) besides the default checks.
Then, for each kind and count of groups, measures (median of REPEAT runs):

- ``ping``: ansible-playbook with one ``ansible.builtin.ping`` task on localhost, Ansible's own
  start-up;
- ``floor``: the calls of the busiest operation divided by API_LIMIT. A 4.x group costs one
  OnsConsumerStatus with detail (which also gives lag and delay); a 5.x group one
  ListConsumerConnections, one GetConsumerGroupLag and one ListConsumerGroupSubscriptions, three
  operations that the API limits each on its own; a migration is half the groups on each;
- ``gate``: ``playbooks/deployment_gate.yml`` of this checkout on the first N groups; it must pass.

The kind ``dead letters`` is a migration with ``max_dead_letters: 0`` besides: each 4.x group also
costs one OnsDLQMessagePageQueryByGroupId, each 5.x group one ListMessages on its dead-letter topic
and, once per gate, one GetConsumerGroup; each operation is limited on its own, so the floor is the
migration's.

Prints a markdown table with the calls the gate made (from the emulator's request log), the ratio
gate / (ping + floor) and the calls the emulator throttled. Exits non-zero after the table if the
ratio of a kind's largest count exceeds TARGET_100, that of its smallest exceeds TARGET_1, or any
call was throttled. Run from the repository root:

    .venv/bin/python benchmarks/gate_scale.py [--kinds '4.x,5.x,migration,dead letters'] [--groups 1,10,100] [--repeat 1]
        [--latency 0.05] [--api-limit 10] [--target-100 1.2] [--target-1 1.5]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from emulator.client import Client  # noqa: E402  pylint: disable=wrong-import-position

KEY_ID = 'LTAI5tBenchmarkKey01'
SECRET = 'BenchmarkSecretNotForProduction01'
INSTANCE = 'MQ_INST_1234567890_BENCH'
RMQ_INSTANCE = 'rmq-cn-bench0000001'
# The operations of a 5.x group's facts, each limited on its own by the API.
RMQ_OPERATIONS = ('ListConsumerConnections', 'GetConsumerGroupLag', 'ListConsumerGroupSubscriptions')
# What max_dead_letters adds: a group's dead letters, on each generation.
DEAD_LETTER_OPERATIONS = {'ons': ('OnsDLQMessagePageQueryByGroupId',), 'rmq': ('GetConsumerGroup', 'ListMessages')}
DEAD_LETTERS = 'dead letters'
KINDS = ('4.x', '5.x', 'migration', DEAD_LETTERS)
TOPIC = 'orders'
SCENARIO_GROUPS = 100
# The operations the API limits to 10 calls per second per account (emulator/ratelimit.py keeps
# the published 50/s of OnsInstanceBaseInfo and OnsInstanceInServiceList).
LIMITED_OPERATIONS = ('OnsConsumerStatus', 'OnsConsumerAccumulate', 'OnsConsumerGetConnection', 'OnsGroupSubDetail',
                      'OnsGroupList', 'OnsMessageTrace', 'OnsMessageGetByMsgId') + DEAD_LETTER_OPERATIONS['ons']


def group_id(n):
    return 'GID_gate_%03d' % n


def instance(instance_id, groups, version):
    return {
        'instance_id': instance_id,
        'topics': [{'topic': TOPIC, 'max_offset': 1000, 'produce_tps': 10}],
        # No offsets: every group has consumed its topic up to max_offset (no lag, no delay).
        'groups': [dict({'group_id': group_id(n), 'tags': {'app': 'bench'}, 'clients': [
            {'client_addr': '10.1.%d.%d:5000' % (n, c + 1), 'version': version, 'subscriptions': [{'topic': TOPIC}]}
            for c in range(2 + n % 2)]}, **({'dead_letter_topic': 'DLQ_%03d' % n} if instance_id == RMQ_INSTANCE else {}))
            for n in range(groups)],
    }


def scenario(groups, latency, api_limit):
    return {
        'description': '%d healthy groups on a 4.x and a 5.x instance behind a slow, rate-limited API, for the gate '
                       'scale benchmark.' % groups,
        'keys': [{'access_key_id': KEY_ID, 'access_key_secret': SECRET}],
        'limits': {'rate': api_limit, 'actions': dict((name, api_limit) for name in LIMITED_OPERATIONS + RMQ_OPERATIONS
                                                      + DEAD_LETTER_OPERATIONS['rmq'])},
        'faults': [{'kind': 'latency', 'latency': latency}] if latency else [],
        'instances': [instance(INSTANCE, groups, 'V4_9_4'), instance(RMQ_INSTANCE, groups, '5.0.7')],
    }


def legs(kind, count):
    """The groups of one gate: (instance, number of groups) of each leg; a migration (and dead letters) has half on each."""
    if kind == '4.x':
        return [(INSTANCE, count)]
    if kind == '5.x':
        return [(RMQ_INSTANCE, count)]
    return [(INSTANCE, (count + 1) // 2), (RMQ_INSTANCE, count // 2)]


def needed_calls(kind, count):
    """The calls the gate must make, and those of its busiest operation (every operation has the same limit)."""
    per_operation = {}
    for instance_id, groups in legs(kind, count):
        operations = RMQ_OPERATIONS if instance_id == RMQ_INSTANCE else ('OnsConsumerStatus',)
        if kind == DEAD_LETTERS:
            operations += DEAD_LETTER_OPERATIONS['rmq' if instance_id == RMQ_INSTANCE else 'ons']
        for operation in operations:
            per_operation[operation] = per_operation.get(operation, 0) + groups
    return sum(per_operation.values()), max(per_operation.values())


def control(url, path):
    with urllib.request.urlopen(url + '/_emulator/' + path, timeout=30) as response:
        return json.loads(response.read().decode())


def is_throttled(entry):
    code = entry.get('code') or ''
    return code.startswith('Throttling') or code == 'ONS_SYSTEM_FLOW_CONTROL' or entry.get('status') == 429


def calls_since(url, before):
    """The API calls the emulator logged since the snapshot ``before`` (its ``total``)."""
    count = control(url, 'requests?last=0')['total'] - before
    entries = control(url, 'requests?last=%d' % count)['requests'] if count else []
    if len(entries) != count:
        sys.exit('the emulator\'s request log kept %d of %d calls: raise --log-size' % (len(entries), count))
    return entries


def check_limit(url, api_limit):
    """Send a burst of OnsConsumerStatus calls at once; the emulator must throttle those over the limit."""
    before = control(url, 'requests?last=0')['total']
    burst = int(api_limit) * 2 + 2
    start = threading.Event()

    def call(n):
        client = Client(url, KEY_ID, SECRET)
        start.wait()
        try:
            client.request('OnsConsumerStatus', {'GroupId': group_id(n % SCENARIO_GROUPS), 'InstanceId': INSTANCE})
        finally:
            client.close()

    threads = [threading.Thread(target=call, args=(n,)) for n in range(burst)]
    for thread in threads:
        thread.start()
    start.set()
    for thread in threads:
        thread.join()
    entries = calls_since(url, before)
    throttled = sum(1 for entry in entries if is_throttled(entry))
    if not throttled:
        sys.exit('the emulator let a burst of %d OnsConsumerStatus calls through: its limit of %g/s is not enforced'
                 % (burst, api_limit))
    # Let the buckets fill up again before measuring.
    time.sleep(max(1.0, 1.0 + 1.0 / api_limit))
    return burst, throttled


def run_playbook(args, env, cwd):
    """Wall time of one ansible-playbook run; exits with its output if it fails."""
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')] + args
    started = time.monotonic()
    completed = subprocess.run(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               universal_newlines=True, check=False)
    elapsed = time.monotonic() - started
    if completed.returncode:
        sys.exit('%s exited with %d:\n%s' % (' '.join(command), completed.returncode, completed.stdout))
    return elapsed


PING = """- name: Ansible's own start-up
  hosts: localhost
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Ping
      ansible.builtin.ping:
"""


def kinds(text):
    values = [value.strip() for value in text.split(',') if value.strip()]
    if not values or any(value not in KINDS for value in values):
        raise argparse.ArgumentTypeError('kinds are %s, comma-separated' % ', '.join(KINDS))
    return [kind for kind in KINDS if kind in values]


def counts(text):
    try:
        values = [int(value) for value in text.split(',') if value.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError('%s is not a comma-separated list of numbers' % text)
    if not values or any(not 1 <= value <= SCENARIO_GROUPS for value in values):
        raise argparse.ArgumentTypeError('group counts must be between 1 and %d' % SCENARIO_GROUPS)
    return sorted(set(values))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--kinds', type=kinds, default=list(KINDS),
                        help='kinds of gate, comma-separated (default 4.x,5.x,migration,dead letters)')
    parser.add_argument('--groups', type=counts, default=[1, 10, 100], help='counts of groups, comma-separated (default 1,10,100)')
    parser.add_argument('--repeat', type=int, default=1, help='runs of each measurement; the median is printed (default 1)')
    parser.add_argument('--latency', type=float, default=0.05, help='seconds added to every answer (default 0.05)')
    parser.add_argument('--api-limit', type=float, default=10.0, help='calls per second per account and operation (default 10)')
    parser.add_argument('--target-100', type=float, default=1.2, help='highest ratio allowed for the largest count (default 1.2)')
    parser.add_argument('--target-1', type=float, default=1.5, help='highest ratio allowed for the smallest count (default 1.5)')
    args = parser.parse_args()
    if args.repeat < 1 or args.api_limit <= 0 or args.latency < 0:
        parser.error('--repeat and --api-limit must be positive, --latency not negative')

    work = tempfile.mkdtemp(prefix='ons-gate-scale-')
    collections = os.path.join(work, 'collections', 'ansible_collections', 'apsaramq')
    os.makedirs(collections)
    os.symlink(ROOT, os.path.join(collections, 'rocketmq'))
    scenario_path = os.path.join(work, 'scenario.json')
    with open(scenario_path, 'w') as handle:
        json.dump(scenario(SCENARIO_GROUPS, args.latency, args.api_limit), handle)
    ping_path = os.path.join(work, 'ping.yml')
    with open(ping_path, 'w') as handle:
        handle.write(PING)
    port_file = os.path.join(work, 'url')
    emulator = subprocess.Popen([sys.executable, '-m', 'emulator', '--scenario', scenario_path, '--port', '0',
                                 '--port-file', port_file, '--log-size', '100000', '--exit-with-parent'],
                                cwd=ROOT, stdout=subprocess.DEVNULL)
    rows = []
    try:
        deadline = time.monotonic() + 30
        while not os.path.exists(port_file):
            if emulator.poll() is not None or time.monotonic() > deadline:
                sys.exit('the emulator did not start')
            time.sleep(0.05)
        with open(port_file) as handle:
            url = handle.read().strip()
        burst, refused = check_limit(url, args.api_limit)
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(work, 'collections'),
                   ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false')
        for kind in args.kinds:
            for count in args.groups:
                vars_path = os.path.join(work, 'gate-%s-%d.json' % (kind, count))
                groups = [{'group_id': group_id(n), 'instance_id': instance_id}
                          for instance_id, number in legs(kind, count) for n in range(number)]
                with open(vars_path, 'w') as handle:
                    # JSON is YAML: ansible-playbook reads it with -e @FILE.
                    json.dump({
                        'ons_endpoint': url,
                        'rmq_endpoint': url,
                        'ons_access_key_id': KEY_ID,
                        'ons_access_key_secret': SECRET,
                        'consumer_health_groups': groups,
                        'consumer_health_max_lag': 1000,
                        'consumer_health_max_dead_letters': 0 if kind == DEAD_LETTERS else None,
                        'gate_report_dir': os.path.join(work, 'reports-%s-%d' % (kind, count)),
                    }, handle, indent=2)
                pings, gates, made, throttled = [], [], [], 0
                for _attempt in range(args.repeat):
                    pings.append(run_playbook([ping_path], env, work))
                    before = control(url, 'requests?last=0')['total']
                    gates.append(run_playbook([os.path.join(ROOT, 'playbooks', 'deployment_gate.yml'), '-e', '@' + vars_path],
                                              env, work))
                    entries = calls_since(url, before)
                    made.append(len(entries))
                    throttled += sum(1 for entry in entries if is_throttled(entry))
                needed, busiest = needed_calls(kind, count)
                floor = busiest / args.api_limit
                ping, gate = statistics.median(pings), statistics.median(gates)
                rows.append((kind, count, ping, needed, int(statistics.median(made)), floor, gate, gate / (ping + floor),
                             throttled))
    finally:
        emulator.terminate()
        emulator.wait(10)
        shutil.rmtree(work, ignore_errors=True)

    print('| gate | groups | ping s | calls needed | calls made | floor s | gate s | ratio | throttled |')
    print('|---|---:|---:|---:|---:|---:|---:|---:|---:|')
    for row in rows:
        print('| %s | %d | %.2f | %d | %d | %.2f | %.2f | %.2f | %d |' % row)
    print()
    print('emulator: %d groups of 2-3 clients on a 4.x and a 5.x instance, %.0f ms added to every answer, %g calls/s per '
          'account and operation (a burst of %d OnsConsumerStatus calls met %d throttled); median of %d run(s) each'
          % (SCENARIO_GROUPS, args.latency * 1000, args.api_limit, burst, refused, args.repeat))

    problems = []
    smallest, largest = min(args.groups), max(args.groups)
    for kind, count, ratio, throttled in ((row[0], row[1], row[7], row[8]) for row in rows):
        target = args.target_100 if count == largest else args.target_1 if count == smallest else None
        if target is not None and ratio > target:
            problems.append('%s, %d groups: ratio %.2f above its target %.2f' % (kind, count, ratio, target))
        if throttled:
            problems.append('%s, %d groups: %d call(s) throttled' % (kind, count, throttled))
    for problem in problems:
        print('FAIL: ' + problem)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
