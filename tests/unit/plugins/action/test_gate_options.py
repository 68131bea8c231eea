# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The options the gate action takes: the ones its documentation-only module documents, and what it does with any value.

ansible-doc shows plugins/modules/gate.py while the action validates its own argument spec, and
sanity's validate-modules cannot compare the two for an action: this test does. No value of an
option stops the gate without a named error (never a traceback), before its first API call, and
with the reports that can be written.
"""

import errno
import json
import os
import re
from unittest import mock

import pytest
import yaml

from ansible_collections.apsaramq.rocketmq.plugins.action import gate as gate_action
from ansible_collections.apsaramq.rocketmq.plugins.action.gate import ARGUMENT_SPEC, GATE_ARGUMENT_SPEC
from ansible_collections.apsaramq.rocketmq.plugins.doc_fragments.credentials import ModuleDocFragment as CredentialsFragment
from ansible_collections.apsaramq.rocketmq.plugins.doc_fragments.ons import ModuleDocFragment
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.credentials import CredentialError
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.module_base import ONS_ARGUMENT_SPEC
from ansible_collections.apsaramq.rocketmq.plugins.modules import gate as gate_module
# None before ansible-core 2.19, which has no template trust.
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_conditions import trust_as_template

# Options the action takes as they come (type raw) and validates itself, so that an error names the
# caller's variable (input_names); the documentation gives the type a user writes.
SELF_VALIDATED = {'wait_timeout': 'float', 'poll_interval': 'float', 'observe_seconds': 'float'}


def documentation():
    try:
        return yaml.safe_load(gate_module.DOCUMENTATION)
    except yaml.YAMLError as exc:
        pytest.fail('DOCUMENTATION of plugins/modules/gate.py is not valid YAML: %s' % exc)


def test_the_gate_documents_exactly_the_options_its_action_takes():
    doc = documentation()
    assert sorted(doc['options']) == sorted(GATE_ARGUMENT_SPEC)
    assert 'apsaramq.rocketmq.ons' in doc['extends_documentation_fragment']
    assert set(ARGUMENT_SPEC) == set(GATE_ARGUMENT_SPEC) | set(ONS_ARGUMENT_SPEC)


@pytest.mark.parametrize('name', sorted(GATE_ARGUMENT_SPEC))
def test_each_option_has_the_documented_type_elements_and_default(name):
    spec = GATE_ARGUMENT_SPEC[name]
    option = documentation()['options'][name]
    assert option.get('description')
    assert option['type'] == (SELF_VALIDATED[name] if spec['type'] == 'raw' and name in SELF_VALIDATED else spec['type'])
    assert option.get('elements') == spec.get('elements')
    assert option.get('default') == spec.get('default')


def test_the_connection_options_are_those_of_the_shared_fragments():
    documented = dict(yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options'])
    documented.update(yaml.safe_load(CredentialsFragment.DOCUMENTATION)['options'])
    assert sorted(documented) == sorted(ONS_ARGUMENT_SPEC)


# ---------------------------------------------------------------------------------------------
# No input stops the gate without a report: numbers of any length, report paths
#
# The action runs as Ansible runs it, on a task whose arguments are given here. Connecting is
# replaced by a function that records the call and finds no credentials, so that no test reaches an
# API: a refusal "before the first API call" is one that never connected.

INSTANCE = 'MQ_INST_1234567890_TEST'
# What the gate says of a value, before its first API call, for the input it refuses.
HUGE = 10 ** 400
HUGE_TEXT = '1000\u2026(401 digits)'


@pytest.fixture
def connections(monkeypatch):
    """The connections the action tried to make; every one fails to find credentials."""
    made = []

    def refuse(params, *_args, **_kwargs):
        made.append(params)
        raise CredentialError('no credentials in this test')

    monkeypatch.setattr(gate_action, 'connect', refuse)
    monkeypatch.setattr(gate_action, 'connect_rmq', refuse)
    return made


def run_gate(task_vars=None, **args):
    """Run the gate action on a task with ``args`` where ``task_vars`` are defined; return its result."""
    if 'variables' not in args:
        args.setdefault('groups', [{'group_id': 'GID_orders'}])
        args.setdefault('instance_id', INSTANCE)
    task = mock.MagicMock()
    task.args = args
    task.async_val = 0
    task.check_mode = False
    task.action = 'apsaramq.rocketmq.gate'
    connection = mock.MagicMock()
    connection._shell.tmpdir = None
    action = gate_action.ActionModule(task, connection, play_context=mock.MagicMock(), loader=None, templar=None,
                                      shared_loader_obj=None)
    return action.run(task_vars=task_vars or {})


def read_json(path):
    with open(str(path), encoding='utf-8') as handle:
        return json.load(handle)


def printed(capsys, result):
    """What a failed gate task printed: its summary ends with the lines that say why, each once; its message is the outcome alone."""
    out = capsys.readouterr().out
    assert result['failed'] and re.match(r'^\w+ failed: \d+ of \d+ checks did not pass$', result['msg']), result['msg']
    lines = [line for line in out.splitlines() if line.startswith('  - ')]
    assert lines and len(lines) == len(set(lines)), out
    return out


def stopped_reasons(report):
    return [verdict['reason'] for verdict in report['checks'] if verdict['check'] == 'run']


@pytest.mark.parametrize('args, says', [
    (dict(groups=[{'group_id': 'GID_orders', 'max_lag': HUGE}]),
     r"groups\[0\]\.max_lag: 1000\u2026\(401 digits\) is too large; at most 1000000000 messages"),
    (dict(groups=[{'group_id': 'GID_orders', 'max_lag': '1' * 5000}]),
     r"groups\[0\]\.max_lag: 1111\u2026\(5000 digits\) is too large; at most 1000000000 messages"),
    (dict(groups=[{'group_id': 'GID_orders', 'max_lag': 1e308 * 10}]),
     r"groups\[0\]\.max_lag: inf is not a whole number from 0 to 1000000000 messages"),
    (dict(groups=[{'group_id': 'GID_orders', 'max_delay_seconds': 10 ** 5000}]),
     r"groups\[0\]\.max_delay_seconds: 1000\u2026\(5001 digits\) is too large; at most 31536000 seconds"),
    (dict(groups=[{'group_id': 'GID_orders', 'min_consumers': -HUGE}]),
     r"groups\[0\]\.min_consumers: -1000\u2026\(401 digits\) is too small; at least 0 clients"),
    (dict(group_defaults={'max_lag': HUGE}, input_names={'group_defaults': 'consumer_health_'}),
     r"consumer_health_max_lag: 1000\u2026\(401 digits\) is too large; at most 1000000000 messages"),
    (dict(groups=[{'group_id': 'GID_orders', 'min_version': 'V' + '9' * 5000 + '_0_0'}]),
     r"groups\[0\]\.min_version: 'V9999.* is not a RocketMQ client version name: it has 5005 characters, at most 100"),
    (dict(wait_timeout='9' * 5000), r"wait_timeout: 9999\u2026\(5000 digits\) is too large; at most 86400 seconds"),
    (dict(wait_timeout=10 ** 5000, input_names={'wait_timeout': 'consumer_health_wait_timeout'}),
     r"consumer_health_wait_timeout: 1000\u2026\(5001 digits\) is too large; at most 86400 seconds"),
    (dict(poll_interval=1e300), r"poll_interval: 1e\+300 is too large; at most 3600 seconds"),
    (dict(observe_seconds='1e999999999'), r"observe_seconds: 1e999999999 is too large; at most 86400 seconds"),
    (dict(timeout=HUGE), r"timeout is 1000\u2026\(401 digits\): use a number of seconds above 0 and at most 600"),
    (dict(rate_limit='9' * 5000), r"rate_limit is 9999\u2026\(5000 digits\): use a number of requests per second"),
    (dict(retries=10 ** 5000), r"retries is 1000\u2026\(5001 digits\): use a whole number from 0 to 20"),
    # Ansible's own int would build a number of a billion digits from this before any bound is checked.
    (dict(retries='1e999999999'), r"retries is 1e999999999: use a whole number from 0 to 20"),
    (dict(groups=[{'group_id': 'GID_orders', 'max_failed_percent': 150}]),
     r"groups\[0\]\.max_failed_percent: 150 is not a number from 0 to 100 percent"),
    (dict(groups=[{'group_id': 'GID_orders', 'dead_letter_lookback': 10 ** 5000}]),
     r"groups\[0\]\.dead_letter_lookback: 1000\u2026\(5001 digits\) is too large; at most 2592000 seconds"),
    (dict(rmq_time_zone='Asia/Shanghai'), r"rmq_time_zone 'Asia/Shanghai' is not a zone: use an offset from UTC such as \+08:00"),
])
def test_a_number_of_any_length_is_refused_by_name_before_the_first_api_call_and_reported(connections, tmp_path, args, says, capsys):
    result = run_gate(report_json=str(tmp_path / 'gate.json'), report_junit=str(tmp_path / 'gate.xml'), **args)
    assert connections == []
    assert result['failed'] and not result['passed']
    assert re.search('the gate did not start: ' + says, printed(capsys, result)), printed(capsys, result)
    report = read_json(tmp_path / 'gate.json')
    assert report['result'] == 'failed'
    assert any(re.search(says, reason) for reason in stopped_reasons(report))
    assert re.search(says, (tmp_path / 'gate.xml').read_text(encoding='utf-8'))


@pytest.mark.parametrize('args, says', [
    (dict(endpoint='http://127.0.0.1:8080', groups=[{'group_id': 'GID_orders'}, {'group_id': 'GID_orders', 'instance_id': 'rmq-cn-1'}]),
     r"rmq_endpoint \(playbook variable rmq_endpoint\): the gate reads 5.x instances \(rmq-...\) and endpoint \(ons_endpoint\) "
     r"is set, but rmq_endpoint is not: set it too, to https://rocketmq.<region>.aliyuncs.com for the public endpoint"),
    (dict(rmq_endpoint='http://127.0.0.1:8080', region='cn-hangzhou'),
     r"endpoint \(playbook variable ons_endpoint\): the gate reads 4.x instances \(MQ_INST_...\) and rmq_endpoint \(rmq_endpoint\) "
     r"is set, but endpoint is not: set it too, to https://ons.cn-hangzhou.aliyuncs.com"),
])
def test_an_endpoint_set_for_one_api_and_not_the_other_is_refused_before_any_connection(connections, tmp_path, args, says, capsys):
    result = run_gate(report_json=str(tmp_path / 'gate.json'), **args)
    assert connections == []
    assert re.search('the gate did not start: ' + says, printed(capsys, result)), printed(capsys, result)


def test_an_endpoint_of_one_api_is_enough_when_the_gate_reads_only_that_one(connections, tmp_path, capsys):
    result = run_gate(endpoint='http://127.0.0.1:8080', report_json=str(tmp_path / 'gate.json'))
    assert len(connections) == 1 and 'Failed to find credentials' in printed(capsys, result)


def test_numbers_the_gate_can_take_still_reach_the_connection(connections, tmp_path, capsys):
    result = run_gate(timeout='30', retries='3', rate_limit=2, wait_timeout='0', report_json=str(tmp_path / 'gate.json'))
    assert [(made['timeout'], made['retries'], made['rate_limit']) for made in connections] == [(30.0, 3, 2.0)]
    assert 'Failed to find credentials: no credentials in this test' in printed(capsys, result)


@pytest.mark.parametrize('args', [dict(name=10 ** 5000), dict(notes=[10 ** 5000]), dict(fail=10 ** 5000)])
def test_an_option_ansible_cannot_convert_fails_naming_it_without_a_traceback(connections, args):
    result = run_gate(**args)
    assert result['failed'] and connections == []
    assert list(args)[0] in result['msg']


# Report paths


def test_report_dir_holds_both_reports_named_after_the_gate(connections, tmp_path):
    result = run_gate(name='release_r43', report_dir=str(tmp_path / 'reports'), fail=False)
    assert result['report_files'] == {'JSON': str(tmp_path / 'reports' / 'release_r43.json'),
                                      'JUnit': str(tmp_path / 'reports' / 'release_r43-junit.xml')}
    assert read_json(tmp_path / 'reports' / 'release_r43.json')['gate'] == 'release_r43'
    assert 'release_r43' in (tmp_path / 'reports' / 'release_r43-junit.xml').read_text(encoding='utf-8')


@pytest.mark.parametrize('given, kept', [('report_json', 'JUnit'), ('report_junit', 'JSON')])
def test_a_report_file_given_wins_over_report_dir_for_that_report_only(connections, tmp_path, given, kept):
    elsewhere = str(tmp_path / 'elsewhere' / 'mine.out')
    result = run_gate(report_dir=str(tmp_path / 'reports'), fail=False, **{given: elsewhere})
    in_dir = {'JSON': 'deployment_gate.json', 'JUnit': 'deployment_gate-junit.xml'}[kept]
    other = {'JSON': 'JUnit', 'JUnit': 'JSON'}[kept]
    assert result['report_files'] == {kept: str(tmp_path / 'reports' / in_dir), other: elsewhere}
    assert sorted(os.listdir(str(tmp_path / 'reports'))) == [in_dir]


def test_without_report_dir_or_a_report_file_no_report_is_written(connections, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_gate(fail=False)
    assert result['report_files'] == {}
    assert os.listdir(str(tmp_path)) == []


@pytest.mark.parametrize('directory', ['', '  ', 'reports\nsecond'])
def test_a_report_dir_that_is_no_directory_is_refused_by_the_callers_name_before_the_first_api_call(
        connections, tmp_path, monkeypatch, directory):
    monkeypatch.chdir(tmp_path)
    result = run_gate(report_dir=directory, input_names={'report_dir': 'gate_report_dir'})
    assert connections == []
    assert result['failed'] and result['msg'].startswith('gate_report_dir: expected a directory, got ')
    assert os.listdir(str(tmp_path)) == []


def test_one_file_for_both_reports_is_refused_naming_both_options_before_the_first_api_call(connections, tmp_path):
    result = run_gate(report_json=str(tmp_path / 'gate.json'), report_junit=str(tmp_path / 'sub' / '..' / 'gate.json'))
    assert connections == []
    assert result['failed']
    assert result['msg'] == 'report_json and report_junit: both are the file %s: give each report a file of its own' % (
        tmp_path / 'gate.json')
    assert not os.path.exists(str(tmp_path / 'gate.json'))


def test_a_symbolic_link_to_the_other_report_is_the_same_file(connections, tmp_path):
    (tmp_path / 'reports').mkdir()
    (tmp_path / 'link').symlink_to(tmp_path / 'reports')
    result = run_gate(report_json=str(tmp_path / 'reports' / 'gate.json'), report_junit=str(tmp_path / 'link' / 'gate.json'))
    assert connections == []
    assert result['failed'] and 'report_json and report_junit: both are the file %s' % (tmp_path / 'reports' / 'gate.json') in result['msg']


def test_a_hard_link_to_the_other_report_is_the_same_file(connections, tmp_path):
    (tmp_path / 'gate.json').write_text('{}')
    os.link(str(tmp_path / 'gate.json'), str(tmp_path / 'gate.xml'))
    result = run_gate(report_json=str(tmp_path / 'gate.json'), report_junit=str(tmp_path / 'gate.xml'))
    assert connections == []
    assert result['failed'] and result['msg'].startswith('report_json and report_junit: both are the file ')
    assert (tmp_path / 'gate.json').read_text() == '{}'


def test_a_report_that_cannot_be_written_stops_the_gate_before_the_api_and_the_other_report_says_why(connections, tmp_path, capsys):
    # A file where the report's directory should be: refused whoever runs the test (root too).
    (tmp_path / 'taken').write_text('')
    result = run_gate(report_json=str(tmp_path / 'taken' / 'gate.json'), report_junit=str(tmp_path / 'gate.xml'))
    assert connections == []
    assert result['failed'] and not result['passed'] and result['result'] == 'failed'
    says = 'report_json: the JSON report cannot be written to %s: Not a directory: %s' % (
        tmp_path / 'taken' / 'gate.json', tmp_path / 'taken')
    assert 'gate run INCONCLUSIVE: the gate did not start: ' + says in printed(capsys, result)
    assert result['report_files'] == {'JUnit': str(tmp_path / 'gate.xml')}
    assert says in (tmp_path / 'gate.xml').read_text(encoding='utf-8')


def test_when_no_report_can_be_written_the_task_names_each_path(connections, tmp_path):
    (tmp_path / 'gate.json').mkdir()
    (tmp_path / 'taken').write_text('')
    result = run_gate(report_json=str(tmp_path / 'gate.json'), report_junit=str(tmp_path / 'taken' / 'deeper' / 'gate.xml'),
                      fail=False)
    assert connections == []
    assert not result['passed'] and result['report_files'] == {}
    assert 'report_json: the JSON report cannot be written to %s: it is a directory' % (tmp_path / 'gate.json') in result['msg']
    assert 'report_junit: the JUnit report cannot be written to %s: Not a directory: %s' % (
        tmp_path / 'taken' / 'deeper' / 'gate.xml', tmp_path / 'taken') in result['msg']
    assert [verdict['status'] for verdict in result['report']['checks']] == ['inconclusive', 'inconclusive']


@pytest.mark.parametrize('failing, kept', [('JSON', 'JUnit'), ('JUnit', 'JSON')])
def test_a_report_that_fails_to_be_written_at_the_end_makes_the_run_inconclusive_and_the_other_says_so(
        connections, tmp_path, monkeypatch, failing, kept, capsys):
    paths = {'JSON': str(tmp_path / 'gate.json'), 'JUnit': str(tmp_path / 'gate.xml')}
    write = gate_action._write

    def full_disk(path, content):
        if path == paths[failing]:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
        write(path, content)

    monkeypatch.setattr(gate_action, '_write', full_disk)
    result = run_gate(report_json=paths['JSON'], report_junit=paths['JUnit'])
    option = {'JSON': 'report_json', 'JUnit': 'report_junit'}[failing]
    says = '%s: the %s report cannot be written to %s: %s: %s' % (option, failing, paths[failing], os.strerror(errno.ENOSPC),
                                                                  paths[failing])
    assert result['failed'] and 'gate run INCONCLUSIVE: expected every report written, observed not written; ' + says in printed(capsys, result)
    assert result['report_files'] == {kept: paths[kept]}
    assert not os.path.exists(paths[failing])
    text = open(paths[kept], encoding='utf-8').read()
    assert says in text
    if kept == 'JSON':
        # Written again after the JUnit report failed: the JSON report says why that one is missing.
        assert read_json(paths['JSON'])['checks'][-1]['expected'] == 'every report written'


# ---------------------------------------------------------------------------------------------
# The playbook's variables (option variables): one task checks them all and says each mistake once

PLAYBOOK_VARIABLES = {'consumer_health_instance_id': INSTANCE, 'consumer_health_groups': [{'group_id': 'GID_orders'}],
                      'consumer_health_max_lag': '500', 'message_delivery_instance_id': INSTANCE,
                      'message_delivery_messages': [{'topic': 'orders', 'msg_id': '0A0B0C0D00002A9F0000000000000001'}],
                      'message_delivery_wait_timeout': 30, 'ons_timeout': '7', 'ons_region': 'cn-shanghai',
                      'ons_access_key_id': 'LTAI5tVariablesKey01', 'ons_access_key_secret': 'VariablesSecretNotShown01'}


def test_the_variables_set_the_gate_as_the_playbook_documents(connections, tmp_path, capsys):
    variables = dict(PLAYBOOK_VARIABLES, gate_report_dir=str(tmp_path / 'out'), gate_report_name='release_r7',
                     gate_report_notes=['release r7'])
    result = run_gate(variables=variables, task_vars=dict(variables, ansible_check_mode=False, playbook_dir='/x'))
    # The connection options come from the variables: the region, the timeout, the keys.
    assert [(made['region'], made['timeout'], made['access_key_id']) for made in connections] == [('cn-shanghai', 7.0, 'LTAI5tVariablesKey01')]
    assert result['report_files'] == {'JSON': str(tmp_path / 'out' / 'release_r7.json'), 'JUnit': str(tmp_path / 'out' / 'release_r7-junit.xml')}
    report = read_json(tmp_path / 'out' / 'release_r7.json')
    assert report['notes'] == ['release r7']
    assert [run['suite'] for run in report['runs']] == ['consumer_health']
    out = printed(capsys, result)
    assert 'VariablesSecretNotShown01' not in out + json.dumps(result) + json.dumps(report)


def test_gate_report_fail_false_returns_the_verdicts_instead_of_failing(connections, tmp_path):
    variables = dict(PLAYBOOK_VARIABLES, gate_report_dir=str(tmp_path), gate_report_fail='no')
    result = run_gate(variables=variables, task_vars=variables)
    assert not result.get('failed') and not result['passed']
    assert 'Failed to find credentials' in result['msg'] and result['failures']


@pytest.mark.parametrize('misspelt, mistake, says', [
    # A misspelt name is among the play's variables, not among those of the gate's namespaces the playbook hands over.
    (True, {'consumer_health_max_lagg': 1000}, 'unknown variable consumer_health_max_lagg (did you mean consumer_health_max_lag?)'),
    (True, {'consumr_health_min_consumers': 2}, 'unknown variable consumr_health_min_consumers (did you mean consumer_health_min_consumers?)'),
    (False, {'ons_timeout': 'soon'}, 'ons_timeout'),
    (False, {'consumer_health_groups': []}, 'consumer_health_groups: is empty'),
    (False, {'gate_report_fail': 'perhaps'}, "gate_report_fail: 'perhaps' is not a boolean"),
    (False, {'ons_access_key_secret': 'SecretEndingInANewline01\n'}, 'ons_access_key_secret: is not a usable secret'),
])
def test_a_mistake_in_the_variables_is_said_once_by_name_before_the_first_api_call(connections, tmp_path, capsys, misspelt, mistake, says):
    variables = dict(PLAYBOOK_VARIABLES, gate_report_dir=str(tmp_path))
    defined = dict(variables, **mistake)
    result = run_gate(variables=variables if misspelt else defined, task_vars=defined)
    assert connections == []
    out = printed(capsys, result)
    assert out.count(says) == 1, out
    assert 'SecretEndingInANewline01' not in out + json.dumps(result)
    report = read_json(tmp_path / 'deployment_gate.json')
    assert report['counts'] == {'checks': 1, 'passed': 0, 'failed': 0, 'inconclusive': 1, 'not_applicable': 0, 'blocking': 1}
    assert says in report['failures'][0]


@pytest.mark.parametrize('option', ['groups', 'fail', 'report_dir', 'input_names'])
def test_variables_leave_no_option_they_set_to_be_given_beside_them(connections, option):
    result = run_gate(variables=PLAYBOOK_VARIABLES, **{option: {'groups': [], 'fail': False, 'report_dir': 'r', 'input_names': {}}[option]})
    assert result['failed'] and connections == []
    assert 'mutually exclusive' in result['msg'] and option in result['msg']


# ---------------------------------------------------------------------------------------------
# Survey answers: lists as JSON or YAML text, blank answers unset, numbers and booleans as text


def planned(monkeypatch, variables):
    """The plan the gate makes of the playbook's ``variables`` (gate_plan's arguments), without reaching an API."""
    seen = {}

    def plan(**kwargs):
        seen.update(kwargs)
        raise gate_action.GateInputError('planned')

    monkeypatch.setattr(gate_action, 'gate_plan', plan)
    result = run_gate(variables=variables, task_vars=variables)
    return seen, result


@pytest.mark.parametrize('groups', [
    '[{"group_id": "GID_orders", "min_consumers": "2"}]',
    '- group_id: GID_orders\n  min_consumers: 2\n',
])
def test_a_list_given_as_json_or_yaml_text_is_read_as_the_list(connections, tmp_path, monkeypatch, groups):
    variables = dict(PLAYBOOK_VARIABLES, consumer_health_groups=groups, consumer_health_allowed_languages='JAVA, GO',
                     consumer_health_allow_inconclusive='lag_trend\nmax_delay_seconds',
                     message_delivery_expect_consumed_by='GID_orders\nGID_payments', gate_report_dir=str(tmp_path),
                     consumer_health_max_lag='', consumer_health_min_consumers='', gate_report_fail='true')
    seen, _result = planned(monkeypatch, variables)
    assert [dict(group) for group in seen['groups']] in ([{'group_id': 'GID_orders', 'min_consumers': '2'}],
                                                         [{'group_id': 'GID_orders', 'min_consumers': 2}])
    assert seen['group_defaults']['allowed_languages'] == ['JAVA', 'GO']
    assert seen['group_defaults']['allow_inconclusive'] == ['lag_trend', 'max_delay_seconds']
    assert seen['message_defaults']['expect_consumed_by'] == ['GID_orders', 'GID_payments']
    # A blank answer is unset: the gate's default applies.
    assert 'max_lag' not in seen['group_defaults'] and 'min_consumers' not in seen['group_defaults']


@pytest.mark.parametrize('value, says', [
    ('[{"group_id": "GID_orders"', r"consumer_health_groups: is text that is not a JSON or YAML list \(line 1, column \d+\)"),
    ('group_id: GID_orders', r"consumer_health_groups: is text that gives dict, not a list: give a list, or its JSON or YAML text"),
    ('GID_orders', r"consumer_health_groups: is text that gives str, not a list"),
])
def test_a_list_given_as_text_that_is_not_one_is_refused_naming_the_variable(connections, tmp_path, capsys, value, says):
    variables = dict(PLAYBOOK_VARIABLES, consumer_health_groups=value, gate_report_dir=str(tmp_path))
    result = run_gate(variables=variables, task_vars=variables)
    assert connections == []
    out = printed(capsys, result)
    assert re.search(says, out), out
    assert '_Ansible' not in out


@pytest.mark.parametrize('settings, where', [
    ({'consumer_health_rules': '- {name: r, that: "lookup(\'ansible.builtin.pipe\', \'id\') is string"}'}, 'consumer_health_rules'),
    ({'consumer_health_groups': '[{"group_id": "GID_orders", "rules": [{"name": "r", "that": "true", '
                                '"fail_msg": "{{ lookup(\'ansible.builtin.pipe\', \'id\') }}"}]}]'}, r'consumer_health_groups\[0\]\.rules'),
])
def test_rules_given_as_text_are_refused_as_code_from_data_before_anything_runs(connections, tmp_path, capsys, settings, where):
    variables = dict(PLAYBOOK_VARIABLES, gate_report_dir=str(tmp_path), **settings)
    result = run_gate(variables=variables, task_vars=variables)
    assert connections == [] and result['failed']
    out = printed(capsys, result)
    assert re.search(where + r'.*rules are not read from text such as a survey answer', out), out


@pytest.mark.skipif(trust_as_template is None, reason='ansible-core before 2.19 has no template trust')
def test_a_condition_ansible_does_not_trust_is_refused_as_assert_refuses_it(connections, tmp_path, capsys):
    # A rule as it comes from data: its condition not tagged trusted.
    condition = 'status.consume_tps > 0'
    result = run_gate(groups=[{'group_id': 'GID_orders', 'rules': [{'name': 'busy', 'that': [condition]}]}],
                      instance_id='MQ_INST_1', report_dir=str(tmp_path))
    assert connections == [] and result['failed']
    out = printed(capsys, result)
    assert "groups[0].rules[0].that[0]: 'status.consume_tps > 0' is not a condition the gate may run" in out, out
    trusted = trust_as_template('status.consume_tps > 0')
    result = run_gate(groups=[{'group_id': 'GID_orders', 'rules': [{'name': 'busy', 'that': [trusted]}]}],
                      instance_id='MQ_INST_1', report_dir=str(tmp_path))
    out = printed(capsys, result)
    # Past the plan: the gate went on to look for credentials (which these tests never find).
    assert 'is not a condition the gate may run' not in out and 'Failed to find credentials' in out, out


@pytest.mark.parametrize('variable, value', [('gate_report_junit', 5), ('gate_report_json', ['a']), ('gate_report_dir', ['a'])])
def test_a_report_variable_that_is_no_path_is_refused_naming_it(connections, tmp_path, variable, value):
    variables = dict(PLAYBOOK_VARIABLES, **{variable: value})
    result = run_gate(variables=variables, task_vars=variables)
    assert connections == [] and result['failed']
    assert '%s: expected a path, got %r' % (variable, value) in result['msg'], result['msg']


def test_blank_answers_leave_every_optional_setting_unset(connections, tmp_path):
    variables = dict(PLAYBOOK_VARIABLES, gate_report_dir=str(tmp_path), gate_report_name='', gate_report_json=' ',
                     ons_endpoint='', ons_timeout='', ons_validate_certs='', consumer_health_wait_timeout='',
                     message_delivery_expect_consumed_by='')
    result = run_gate(variables=variables, task_vars=variables)
    # The connection is tried with the defaults (no credentials in this test), and the reports have their default names.
    assert [(made['timeout'], made['validate_certs']) for made in connections] == [(ARGUMENT_SPEC['timeout'].get('default'), True)]
    assert result['report_files'] == {'JSON': str(tmp_path / 'deployment_gate.json'), 'JUnit': str(tmp_path / 'deployment_gate-junit.xml')}


def test_the_outcome_is_published_as_custom_stats_by_the_gates_name_unless_the_task_fails(connections, tmp_path):
    kept = run_gate(name='canary', report_json=str(tmp_path / 'gate.json'), fail=False)
    stats = kept['ansible_stats']
    assert (stats['per_host'], stats['aggregate']) == (False, True)
    published = stats['data']['apsaramq_rocketmq_gate']['canary']
    assert (published['result'], published['passed']) == ('failed', False)
    assert published['counts'] == kept['counts'] and published['failures'] == kept['failures']
    assert published['report_files'] == {'JSON': str(tmp_path / 'gate.json')}
    assert 'ansible_stats' not in run_gate(name='canary', fail=False, set_stats=False)
    # ansible-core records no stats of a failed task: a failed gate does not print them in its result either.
    assert 'ansible_stats' not in run_gate(name='canary')


def test_an_assumed_role_given_by_variables_reaches_the_connection_as_its_options(connections, tmp_path):
    variables = dict(PLAYBOOK_VARIABLES, gate_report_dir=str(tmp_path), ons_role_arn='acs:ram::1234567890123456:role/gate-reader',
                     ons_role_session_name='deploy-42', ons_duration_seconds='3600', ons_sts_endpoint='',
                     ons_policy={'Version': '1', 'Statement': [{'Effect': 'Allow', 'Action': 'mq:*', 'Resource': '*'}]})
    run_gate(variables=variables, task_vars=variables)
    made = connections[0]
    assert (made['role_arn'], made['role_session_name'], made['duration_seconds']) == (
        'acs:ram::1234567890123456:role/gate-reader', 'deploy-42', 3600)
    assert made['policy']['Version'] == '1' and made['sts_endpoint'] is None


@pytest.mark.parametrize('mistake, says', [
    ({'ons_role_arn': 'gate-reader'}, "ons_role_arn: 'gate-reader' is not "),
    ({'ons_duration_seconds': 'an hour'}, 'ons_duration_seconds: is not a whole number of seconds'),
    ({'ons_policy': '{"Version": '}, 'ons_policy: '),
    ({'ons_sts_endpoint': 'http://'}, 'ons_sts_endpoint'),
])
def test_a_role_setting_the_gate_cannot_take_is_refused_by_its_variable(connections, tmp_path, capsys, mistake, says):
    variables = dict(PLAYBOOK_VARIABLES, gate_report_dir=str(tmp_path), **mistake)
    result = run_gate(variables=variables, task_vars=variables)
    assert connections == []
    assert says in printed(capsys, result)
