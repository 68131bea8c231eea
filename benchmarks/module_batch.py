#!/usr/bin/env python
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How long a gate waits for the connections of many groups: one batched task against a loop.

Starts the emulator with GROUPS consumer groups and LATENCY seconds added to every answer (as a
distant region would), then through Ansible (the real module, the real action group) runs
``ons_consumer_connection_info`` once with ``group_ids`` and once per group in a loop. Prints the
wall time of each, the bounds set by latency and by ``rate_limit``, and how many calls the
emulator throttled (the client's limit should keep that at zero). Run from the repository root:

    .venv/bin/python benchmarks/module_batch.py [--groups 20] [--latency 0.2] [--rate-limit 10]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEY_ID = 'LTAI5tBenchmarkKey01'
SECRET = 'BenchmarkSecretNotForProduction01'
INSTANCE = 'MQ_INST_1234567890_BENCH'


def scenario(groups, latency):
    return {
        'description': 'Many groups behind a slow API, for the batch benchmark.',
        'keys': [{'access_key_id': KEY_ID, 'access_key_secret': SECRET}],
        'faults': [{'kind': 'latency', 'latency': latency}] if latency else [],
        'instances': [{
            'instance_id': INSTANCE,
            'topics': [{'topic': 'orders', 'max_offset': 10}],
            'groups': [{'group_id': 'GID_bench_%03d' % n, 'clients': [
                {'client_addr': '10.0.%d.%d:5000' % (n // 200, n % 200 + c), 'subscriptions': [{'topic': 'orders'}]}
                for c in range(3)]} for n in range(groups)],
        }],
    }


def control(url, path):
    with urllib.request.urlopen(url + '/_emulator/' + path, timeout=10) as response:
        return json.loads(response.read().decode())


def run_playbook(playbook, env):
    started = time.monotonic()
    completed = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), playbook],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    elapsed = time.monotonic() - started
    if completed.returncode:
        sys.exit('the playbook failed:\n' + completed.stdout)
    return elapsed


PLAY = """
- hosts: localhost
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  module_defaults:
    group/apsaramq.rocketmq.ons:
      endpoint: %(url)s
      access_key_id: %(key)s
      access_key_secret: %(secret)s
      rate_limit: %(rate)s
  tasks:
%(task)s
"""

BATCH_TASK = """    - apsaramq.rocketmq.ons_consumer_connection_info:
        instance_id: %(instance)s
        group_ids: %(groups)s
"""

LOOP_TASK = """    - apsaramq.rocketmq.ons_consumer_connection_info:
        instance_id: %(instance)s
        group_id: "{{ item }}"
      loop: %(groups)s
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--groups', type=int, default=20)
    parser.add_argument('--latency', type=float, default=0.2, help='seconds added to every answer')
    parser.add_argument('--rate-limit', type=float, default=10.0, help='the modules\' rate_limit')
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix='ons-batch-bench-')
    collections = os.path.join(work, 'collections', 'ansible_collections', 'apsaramq')
    os.makedirs(collections)
    os.symlink(ROOT, os.path.join(collections, 'rocketmq'))
    scenario_path = os.path.join(work, 'scenario.json')
    with open(scenario_path, 'w') as handle:
        json.dump(scenario(args.groups, args.latency), handle)
    port_file = os.path.join(work, 'url')
    emulator = subprocess.Popen([sys.executable, '-m', 'emulator', '--scenario', scenario_path, '--port', '0',
                                 '--port-file', port_file, '--exit-with-parent'], cwd=ROOT, stdout=subprocess.DEVNULL)
    try:
        while not os.path.exists(port_file):
            if emulator.poll() is not None:
                sys.exit('the emulator did not start')
            time.sleep(0.05)
        with open(port_file) as handle:
            url = handle.read().strip()
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(work, 'collections'),
                   ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false')
        groups = json.dumps(['GID_bench_%03d' % n for n in range(args.groups)])
        figures = {}
        for name, task in (('batch', BATCH_TASK), ('loop', LOOP_TASK)):
            playbook = os.path.join(work, name + '.yml')
            with open(playbook, 'w') as handle:
                handle.write(PLAY % dict(url=url, key=KEY_ID, secret=SECRET, rate=args.rate_limit,
                                         task=task % dict(instance=INSTANCE, groups=groups)))
            urllib.request.urlopen(urllib.request.Request(url + '/_emulator/reset', method='POST'), timeout=10).close()
            elapsed = run_playbook(playbook, env)
            log = control(url, 'requests')
            figures[name] = (elapsed, log['total'], sum(n for code, n in log['by_code'].items() if code.startswith('Throttling')))
    finally:
        emulator.terminate()
        emulator.wait(10)

    print('%d groups, %.0f ms added to every answer, rate_limit %g/s' % (args.groups, args.latency * 1000, args.rate_limit))
    print('  bound by latency alone, one call at a time: %.2f s' % (args.groups * args.latency))
    print('  bound by rate_limit alone:                  %.2f s' % ((args.groups - 1) / args.rate_limit))
    for name, label in (('batch', 'one task with group_ids'), ('loop', 'one task per group (loop)')):
        elapsed, calls, throttled = figures[name]
        print('  %-26s %6.2f s wall, %d API calls, %d throttled' % (label + ':', elapsed, calls, throttled))


if __name__ == '__main__':
    main()
