# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the deployment gate prints, counted: -v adds a line per subject, and a mistake of the run is said once.

The four mistakes a newcomer makes first (a wrong AccessKey ID, a wrong secret, an endpoint that
cannot be reached, a misspelt variable) each end the log with one line naming the cause and its fix.

Each case runs ``playbooks/deployment_gate.yml`` with ansible-playbook against the emulator's
``healthy`` scenario (two groups, a selection and a message on one 4.x instance), as a CI job
runs it, and counts the lines of its output.
"""

import json
import os
import re
import subprocess
import sys

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from emulator.server import start  # noqa: E402  pylint: disable=wrong-import-position

KEY_ID = 'LTAI5tEmulatorDemoKey01'
SECRET = 'EmulatorDemoSecretNotForProduction01'
GATE_VARS = {
    'ons_region': 'cn-hangzhou',
    'ons_retries': 0,
    'consumer_health_instance_id': 'MQ_INST_1234567890_DEMO',
    'consumer_health_groups': [{'group_id': 'GID_orders'}, {'select': {}}],
    'consumer_health_max_lag': 1000,
    'message_delivery_instance_id': 'MQ_INST_1234567890_DEMO',
    'message_delivery_messages': [{'topic': 'orders', 'msg_id': '0A0001050000217A000000000000A1B2'}],
}
# A selection, two groups and a message: what -v may add a line for.
SUBJECTS = 4


@pytest.fixture
def emulator():
    handle = start(os.path.join(ROOT, 'emulator', 'scenarios', 'healthy.yml'), host='127.0.0.1', port=0)
    yield handle
    handle.stop()


def run_gate(tmp_path, collections, settings, key_id=KEY_ID, secret=SECRET, verbosity=None, playbook='deployment_gate'):
    """Run the gate's ``playbook`` with ``settings``; return its exit status, its output's lines and its JSON report."""
    report_dir = str(tmp_path / 'reports')
    vars_file = tmp_path / 'gate.yml'
    vars_file.write_text(yaml.safe_dump(dict(GATE_VARS, gate_report_dir=report_dir, **settings)))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false',
               ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false', ANSIBLE_NOCOLOR='1',
               ANSIBLE_LOCAL_TEMP=str(tmp_path / 'tmp'), ANSIBLE_HOME=str(tmp_path / 'home'),
               ALIBABA_CLOUD_ACCESS_KEY_ID=key_id, ALIBABA_CLOUD_ACCESS_KEY_SECRET=secret)
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'),
               os.path.join(ROOT, 'playbooks', playbook + '.yml'), '-e', '@%s' % vars_file] + ([verbosity] if verbosity else [])
    done = subprocess.run(command, env=env, cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=300, check=False)
    report = None
    report_file = os.path.join(report_dir, playbook + '.json')
    if os.path.exists(report_file):
        with open(report_file) as stream:
            report = json.load(stream)
    return done.returncode, done.stdout.splitlines(), report


def test_a_passing_gate_at_v_prints_at_most_one_line_more_per_selection_group_and_message(tmp_path, collections, emulator):
    status, quiet, _report = run_gate(tmp_path, collections, {'ons_endpoint': emulator.url})
    assert status == 0, '\n'.join(quiet)
    status, verbose, _report = run_gate(tmp_path, collections, {'ons_endpoint': emulator.url}, verbosity='-v')
    assert status == 0, '\n'.join(verbose)
    # Not the gate task's whole result, thousands of characters on one line: the lines of the summary.
    assert not any('"report": ' in line or '"checks": ' in line for line in verbose), '\n'.join(verbose)
    # ansible-playbook's own line at -v says which configuration file it read: not the gate's.
    verbose = [line for line in verbose
               if not line.startswith('No config file found') and not (line.startswith('Using ') and line.endswith(' as config file'))]
    added = len(verbose) - len(quiet)
    assert 0 < added <= SUBJECTS, '\n'.join(verbose)


@pytest.mark.parametrize('mistake, says, token', [
    ('key_id', r'credentials INCONCLUSIVE: ons_\w+_info failed: InvalidAccessKeyId.NotFound: .*; check the AccessKey ID', 'InvalidAccessKeyId'),
    ('secret', r'credentials INCONCLUSIVE: ons_\w+_info failed: SignatureDoesNotMatch: .*; check the AccessKey secret', 'SignatureDoesNotMatch'),
    ('endpoint', r'endpoint INCONCLUSIVE: ons_\w+_info failed: TransportError: .*; check the endpoint', 'TransportError'),
    ('variable', r'gate run INCONCLUSIVE: the gate did not start: unknown variable consumer_health_max_lagg '
                 r'\(did you mean consumer_health_max_lag\?\): .*; rename it', 'consumer_health_max_lagg'),
])
def test_a_mistake_of_the_run_fails_no_check_and_is_said_once_with_its_fix(tmp_path, collections, emulator, mistake, says, token):
    settings = {'ons_endpoint': emulator.url}
    key_id, secret = KEY_ID, SECRET
    if mistake == 'key_id':
        key_id = 'LTAI5tNoSuchKeyAnywhere01'
    elif mistake == 'secret':
        secret = 'NotTheSecretOfThisKeyAtAll01'
    elif mistake == 'variable':
        settings['consumer_health_max_lagg'] = 1000
    else:
        # A port nothing listens on: the endpoint cannot be reached.
        settings = {'ons_endpoint': 'http://127.0.0.1:9', 'ons_timeout': 2}
    status, lines, report = run_gate(tmp_path, collections, settings, key_id, secret)
    assert status == 2, '\n'.join(lines)
    assert report['counts']['failed'] == 0 and report['counts']['inconclusive'] == report['counts']['checks']
    # One line for the cause, with its fix, in the report and once in the log.
    assert len(report['failures']) == 1 and re.match(says, report['failures'][0]), report['failures']
    naming = [index for index, line in enumerate(lines) if token in line]
    assert len(naming) == 1 and re.search(says, lines[naming[0]]), '\n'.join(lines)
    # The log ends with it: after it, only how ansible-core says a task failed (the outcome, no cause) and the recap.
    after = lines[naming[0] + 1:]
    assert not any(line.startswith('TASK [') for line in after), '\n'.join(lines)
    assert sum(1 for line in lines if line.startswith('TASK [')) == 1, '\n'.join(lines)
    assert any(line.startswith('fatal: [localhost]: FAILED!') and 'did not pass' in line for line in after), '\n'.join(lines)
    # No check reads as failed: the consumers were not seen at all.
    assert not any(re.search(r' [a-z_]+ FAILED: ', line) for line in lines), '\n'.join(lines)


@pytest.mark.parametrize('playbook', ['consumer_health', 'message_delivery'])
def test_a_misspelt_variable_stops_a_role_playbook_before_its_first_call_and_is_said_by_one_task(
        tmp_path, collections, emulator, playbook):
    settings = {'ons_endpoint': emulator.url, 'consumer_health_max_lagg': 1000}
    status, lines, report = run_gate(tmp_path, collections, settings, playbook=playbook)
    assert status == 2 and report is None, '\n'.join(lines)
    assert emulator.state.log.total == 0
    # One task says it: no chain of templating errors around it, nothing after it but the recap. From
    # ansible-core 2.19 on, a failed task's message is printed twice (the error, then the result).
    says = ('unknown variable consumer_health_max_lagg (did you mean consumer_health_max_lag?): '
            'the gate has no such setting')
    assert 1 <= sum(1 for line in lines if says in line) <= 2, '\n'.join(lines)
    assert not any('caused by' in line or 'lagg' in line and says not in line for line in lines), '\n'.join(lines)
    tasks = [line for line in lines if line.startswith('TASK [')]
    assert len(tasks) == 1 and tasks[0].startswith('TASK [Check that every variable of the gate set is one it knows]'), '\n'.join(lines)
