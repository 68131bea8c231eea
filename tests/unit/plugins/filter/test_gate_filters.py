# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The gate's filters: the checks of the playbooks' variables, the options of the gate task, report names,
a gate that stopped, and the report filters as the playbooks call them."""

import glob
import os
import xml.etree.ElementTree as ET

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.apsaramq.rocketmq.plugins.action.gate import ARGUMENT_SPEC, connection_option
from ansible_collections.apsaramq.rocketmq.plugins.filter.gate import (
    FilterModule,
    gate_connection,
    gate_file_name,
    gate_stopped,
    gate_variables,
)
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_model import GateInputError
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_spec import gate_plan
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_variables import GATE_VARIABLES

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
MSG = '0A00010500002A9F0000000000000010'
FILTERS = FilterModule().filters()
# What deployment_gate.yml passes as the gate task's input_names.
PLAYBOOK_NAMES = {'groups': 'consumer_health_groups', 'group_defaults': 'consumer_health_',
                  'messages': 'message_delivery_messages', 'message_defaults': 'message_delivery_', 'name': 'gate_report_name'}


def plan_of(options):
    """The gate's plan of the options gate_suites returns, as the deployment_gate playbook passes them."""
    return gate_plan(groups=options['groups'], messages=options['messages'], group_defaults=options['group_defaults'],
                     message_defaults=options['message_defaults'], wait_timeout=options['wait_timeout'],
                     poll_interval=options['poll_interval'], observe_seconds=options['observe_seconds'], names=PLAYBOOK_NAMES)


def test_every_filter_is_registered_under_its_documented_name():
    assert sorted(FILTERS) == ['gate_connection', 'gate_failures', 'gate_file_name', 'gate_junit', 'gate_report', 'gate_stopped',
                               'gate_suites', 'gate_summary', 'gate_variable_error', 'gate_variables']
    for name in FILTERS:
        assert os.path.exists(os.path.join(COLLECTION_ROOT, 'plugins', 'filter', name + '.yml')), name


def test_every_input_error_of_a_filter_is_an_ansible_filter_error():
    assert issubclass(GateInputError, ValueError) and not issubclass(GateInputError, AnsibleFilterError)
    with pytest.raises(AnsibleFilterError, match=r'^verdicts\[0\]: not a verdict'):
        FILTERS['gate_report']([{'status': 'ok'}])
    with pytest.raises(AnsibleFilterError, match=r'^gate_report_name: '):
        FILTERS['gate_file_name']('../x')


@pytest.mark.parametrize('report', [None, [], {'checks': []}, 'passed'])
def test_the_report_filters_refuse_what_gate_report_did_not_make(report):
    for name in ('gate_failures', 'gate_summary', 'gate_junit'):
        with pytest.raises(AnsibleFilterError, match=r'^gate report: '):
            FILTERS[name](report)


def test_the_report_filters_render_a_report_of_verdicts_made_elsewhere():
    verdict = {'suite': 'consumer_health', 'kind': 'group', 'subject': 'GID_a', 'instance_id': 'MQ_INST_1', 'check': 'min_consumers',
               'status': 'failed', 'blocking': True, 'expected': '>= 2', 'observed': 1, 'offenders': [], 'reason': '1 client online'}
    report = FILTERS['gate_report']([verdict], name='release')
    assert FILTERS['gate_failures'](report) == ['GID_a min_consumers FAILED: expected >= 2, observed 1; 1 client online']
    assert FILTERS['gate_summary'](report, subjects=True)[1:3] == ['  1 group on MQ_INST_1 (4.x)', '  FAIL  GID_a: min_consumers failed']
    assert ET.fromstring(FILTERS['gate_junit'](report)).find('testsuite').get('failures') == '1'


# ---------------------------------------------------------------------------------------------
# The gate's variables


def test_a_misspelt_variable_is_named_with_the_closest_known_name():
    with pytest.raises(AnsibleFilterError, match=r"unknown variable consumer_heath_groups \(did you mean consumer_health_groups\?\)"):
        FILTERS['gate_variables'](['consumer_heath_groups', 'message_delivery_messages'])
    with pytest.raises(AnsibleFilterError, match=r"unknown variables consumer_health_wait_timout \(did you mean consumer_health_wait_timeout\?\); "
                                                 r"gate_reports_dir \(did you mean gate_report_dir\?\); ons_regoin \(did you mean ons_region\?\)"):
        FILTERS['gate_variables'](['consumer_health_wait_timout', 'gate_reports_dir', 'ons_regoin'])
    with pytest.raises(AnsibleFilterError, match=r"unknown variable consumer_health_require_progres \(did you mean "
                                                 r"consumer_health_require_progress\?\)"):
        FILTERS['gate_variables'](['consumer_health_require_progres'])


def test_the_error_of_misspelt_variables_is_returned_for_a_task_to_fail_with():
    error = FILTERS['gate_variable_error'](['consumer_heath_groups', 'ons_regoin', 'consumer_health_groups'])
    with pytest.raises(AnsibleFilterError) as raised:
        FILTERS['gate_variables'](['consumer_heath_groups', 'ons_regoin', 'consumer_health_groups'])
    assert error == str(raised.value)
    assert error.startswith('unknown variables consumer_heath_groups (did you mean consumer_health_groups?); '
                            'ons_regoin (did you mean ons_region?): ')
    assert FILTERS['gate_variable_error'](['consumer_health_groups', 'rmq_endpoint', 'aws_region']) == ''
    assert FILTERS['gate_variable_error'](['message_delivery_mesages'], ['consumer_health']) == ''
    with pytest.raises(AnsibleFilterError, match=r"gate_variable_error: namespaces\[0\]: 'nope' is not a namespace"):
        FILTERS['gate_variable_error']([], ['nope'])


def test_other_variables_and_private_ones_are_left_alone():
    names = ['ansible_python_interpreter', 'gate_outcome', 'gate_message', 'aws_region', 'report_dir', 'consumer_groups_extra',
             '__consumer_health_plan', 'consumer_health_groups', 'ons_endpoint', 'gate_report_result']
    assert gate_variables(names) == ['consumer_health_groups', 'gate_report_result', 'ons_endpoint']


def test_a_role_looks_only_at_its_namespaces():
    assert gate_variables(['message_delivery_mesages', 'consumer_health_groups'], ['consumer_health']) == ['consumer_health_groups']
    with pytest.raises(AnsibleFilterError, match=r"gate_variables: namespaces\[0\]: 'nope' is not a namespace"):
        FILTERS['gate_variables']([], ['nope'])


def test_the_known_variables_are_exactly_those_the_roles_and_playbooks_document():
    documented = {}
    for role in ('consumer_health', 'message_delivery', 'gate_report'):
        with open(os.path.join(COLLECTION_ROOT, 'roles', role, 'meta', 'argument_specs.yml')) as handle:
            documented[role] = set(yaml.safe_load(handle)['argument_specs']['main']['options'])
    outputs = {'consumer_health': {'consumer_health_verdicts', 'consumer_health_run'},
               'message_delivery': {'message_delivery_verdicts', 'message_delivery_run'},
               'gate_report': {'gate_report_result'}}
    for role, names in documented.items():
        assert set(GATE_VARIABLES[role]) == names | outputs[role]
    # Every connection variable the deployment gate takes sets an option of the gate task.
    assert all(connection_option(name) in ARGUMENT_SPEC for name in GATE_VARIABLES['ons'] + GATE_VARIABLES['rmq'])


def test_role_internal_variables_do_not_use_the_public_prefixes():
    for role in ('consumer_health', 'message_delivery', 'gate_report'):
        for path in sorted(glob.glob(os.path.join(COLLECTION_ROOT, 'roles', role, 'tasks', '*.yml'))):
            with open(path) as handle:
                tasks = yaml.safe_load(handle) or []
            set_names = set()
            for task in tasks:
                for inner in [task] + (task.get('block') or []) + (task.get('rescue') or []) + (task.get('always') or []):
                    set_names.update((inner.get('ansible.builtin.set_fact') or {}).keys())
                    set_names.update([inner['register']] if 'register' in inner else [])
                    set_names.update([(inner.get('loop_control') or {}).get('loop_var')] if 'loop_control' in inner else [])
                    set_names.update(inner.get('vars') or {})
            set_names.discard(None)
            # Every name is either private (__<role>_...) or a documented output: none fails the check.
            assert gate_variables(sorted(set_names)) is not None, path


@pytest.mark.parametrize('settings, message', [
    ({'ons_region': 'cn-hangzhou\n'}, r"ons_region: region 'cn-hangzhou\\n' is not valid: it holds spaces, control"),
    ({'ons_network': 'private'}, r"ons_network: 'private' is not a network"),
    ({'ons_retries': 21}, r"ons_retries: retries is 21: use a whole number from 0 to 20"),
    ({'ons_retries': 'three'}, r"ons_retries: 'three' is not a whole number"),
    ({'ons_rate_limit': 5000}, r"ons_rate_limit: rate_limit is 5000: use a number of requests per second from 0.1 to 1000"),
    ({'ons_endpoint': 'http://127.0.0.1:99999'}, r"ons_endpoint: endpoint 'http://127.0.0.1:99999' is not valid: the port"),
    ({'ons_rate_limit': float('nan')}, r"ons_rate_limit: rate_limit is nan: use a number of requests per second"),
    ({'ons_timeout': 0}, r"ons_timeout: timeout is 0: use a number of seconds above 0"),
    ({'ons_profile': 'ci\x1b[2J'}, r"ons_profile: 'ci\\x1b\[2J' is not valid"),
    ({'ons_regoin': 'cn-hangzhou'}, r"unknown variable ons_regoin \(did you mean ons_region\?\)"),
    ({'rmq_time_zone': 'Asia/Shanghai'}, r"rmq_time_zone: time_zone 'Asia/Shanghai' is not a zone: use an offset from UTC"),
    ({'rmq_time_zne': '+08:00'}, r"unknown variable rmq_time_zne \(did you mean rmq_time_zone\?\)"),
])
def test_connection_settings_the_modules_would_refuse_fail_first(settings, message):
    with pytest.raises(AnsibleFilterError, match=message):
        FILTERS['gate_connection'](settings)


def test_a_bad_secret_is_refused_without_showing_it():
    with pytest.raises(AnsibleFilterError) as caught:
        FILTERS['gate_connection']({'ons_access_key_secret': ' TopSecretValue '})
    assert 'TopSecretValue' not in str(caught.value) and 'ons_access_key_secret' in str(caught.value)
    assert gate_connection({'ons_region': 'cn-hangzhou', 'ons_endpoint': '', 'ons_retries': '3', 'ons_profile': None}) == [
        'ons_endpoint', 'ons_profile', 'ons_region', 'ons_retries']


# ---------------------------------------------------------------------------------------------
# gate_suites: the variables of deployment_gate become the options of one gate task


def suites(settings):
    return FILTERS['gate_suites'](settings)


def test_the_suites_that_are_set_run_and_the_other_is_noted():
    assert suites({'message_delivery_messages': [{'topic': 'a'}]}) == {
        'consumer_health': False, 'message_delivery': True, 'notes': ['consumer_health did not run: consumer_health_groups is not set'],
        'groups': None, 'messages': [{'topic': 'a'}], 'group_defaults': {}, 'message_defaults': {},
        'wait_timeout': 0, 'poll_interval': 10, 'observe_seconds': 0}
    both = suites({'consumer_health_groups': [{}], 'message_delivery_messages': [{}]})
    assert both['consumer_health'] and both['message_delivery'] and both['notes'] == []
    assert (both['groups'], both['messages']) == ([{}], [{}])


def test_a_suite_set_to_an_empty_list_or_null_is_refused_and_so_is_a_gate_of_nothing():
    with pytest.raises(AnsibleFilterError, match=r"^consumer_health_groups: is empty: list the groups to check"):
        suites({'consumer_health_groups': [], 'message_delivery_messages': [{}]})
    with pytest.raises(AnsibleFilterError, match=r"^message_delivery_messages: is null"):
        suites({'consumer_health_groups': [{}], 'message_delivery_messages': None})
    with pytest.raises(AnsibleFilterError, match=r"^consumer_health_groups: is text that gives str, not a list: give a list, or its JSON or YAML text"):
        suites({'consumer_health_groups': 'GID_a'})
    with pytest.raises(AnsibleFilterError, match=r"neither consumer_health_groups nor message_delivery_messages is set"):
        suites({'gate_report_dir': 'reports'})
    with pytest.raises(AnsibleFilterError, match=r"^gate_suites: expected a dict of the variables of deployment_gate"):
        suites(['consumer_health_groups'])


def test_each_suites_settings_become_the_defaults_of_its_groups_or_messages():
    options = suites({
        'consumer_health_groups': [{'group_id': 'GID_a'}], 'consumer_health_instance_id': 'MQ_INST_1', 'consumer_health_max_lag': 10,
        'consumer_health_require_progress': True, 'consumer_health_rules': [], 'consumer_health_allow_inconclusive': ['max_lag'],
        'consumer_health_report': False, 'consumer_health_report_name': 'health',
        'message_delivery_messages': [{'topic': 'orders', 'msg_id': MSG}], 'message_delivery_instance_id': 'MQ_INST_2',
        'message_delivery_allow_filtered': False, 'message_delivery_report_name': 'delivery',
        'gate_report_dir': 'reports', 'ons_region': 'cn-hangzhou'})
    assert options['group_defaults'] == {'instance_id': 'MQ_INST_1', 'max_lag': 10, 'require_progress': True, 'rules': [],
                                         'allow_inconclusive': ['max_lag']}
    assert options['message_defaults'] == {'instance_id': 'MQ_INST_2', 'allow_filtered': False}
    planned = plan_of(options)
    assert planned['groups'][0]['instance_id'] == 'MQ_INST_1' and planned['messages'][0]['instance_id'] == 'MQ_INST_2'
    assert planned['groups'][0]['checks']['max_lag'] == 10 and planned['messages'][0]['allow_filtered'] is False


def test_one_gate_task_waits_for_the_later_deadline_polling_as_often_as_the_more_frequent_suite():
    options = suites({'consumer_health_groups': [{}], 'consumer_health_wait_timeout': 30, 'consumer_health_poll_interval': '15',
                      'consumer_health_observe_seconds': 45, 'message_delivery_messages': [{}], 'message_delivery_wait_timeout': 120,
                      'message_delivery_poll_interval': 5})
    assert (options['wait_timeout'], options['poll_interval'], options['observe_seconds']) == (120, 5, 45)
    unset = suites({'consumer_health_groups': [{}], 'consumer_health_wait_timeout': None, 'consumer_health_poll_interval': None})
    assert (unset['wait_timeout'], unset['poll_interval'], unset['observe_seconds']) == (0, 10, 0)


@pytest.mark.parametrize('settings, message', [
    ({'consumer_health_poll_interval': 0.5}, r"^consumer_health_poll_interval: 0.5 is not a number from 1 to 3600 seconds"),
    ({'consumer_health_wait_timeout': float('inf')}, r"^consumer_health_wait_timeout: inf is not a number from 0 to 86400 seconds"),
    ({'message_delivery_wait_timeout': 86401}, r"^message_delivery_wait_timeout: 86401 is not a number from 0 to 86400 seconds"),
    ({'consumer_health_observe_seconds': 'soon'}, r"^consumer_health_observe_seconds: 'soon' is not a number"),
    ({'ons_region': 'cn hangzhou'}, r"^ons_region: region 'cn hangzhou' is not valid"),
])
def test_the_waiting_and_connection_variables_are_checked_naming_them(settings, message):
    with pytest.raises(AnsibleFilterError, match=message):
        suites(dict({'consumer_health_groups': [{}], 'message_delivery_messages': [{}]}, **settings))


def test_the_plan_of_the_options_names_the_users_variables():
    options = suites({'consumer_health_groups': [{'group_id': 'GID_a'}], 'consumer_health_instance_id': 'MQ_INST_1',
                      'consumer_health_max_lag': 'lots'})
    with pytest.raises(GateInputError, match=r"^consumer_health_max_lag: 'lots' is not a whole number"):
        plan_of(options)
    options = suites({'message_delivery_messages': [{'topic': 'orders'}], 'message_delivery_instance_id': 'MQ_INST_1'})
    with pytest.raises(GateInputError, match=r"^message_delivery_messages\[0\]\.msg_id: expected a message ID"):
        plan_of(options)


def vars_files():
    """The vars files shipped beside the playbooks, as each is loaded: demo/<scenario>.yml on top of demo_gate.yml."""
    files = {'gate.example.yml': ['gate.example.yml'], 'demo_gate.yml': ['demo_gate.yml']}
    for path in sorted(glob.glob(os.path.join(COLLECTION_ROOT, 'playbooks', 'vars', 'demo', '*.yml'))):
        files['demo/' + os.path.basename(path)] = ['demo_gate.yml', 'demo/' + os.path.basename(path)]
    return files


@pytest.mark.parametrize('name', sorted(vars_files()))
def test_the_shipped_gate_vars_files_set_only_known_variables_and_make_valid_plans(name):
    gate = {}
    for part in vars_files()[name]:
        with open(os.path.join(COLLECTION_ROOT, 'playbooks', 'vars', part)) as handle:
            gate.update(yaml.safe_load(handle))
    assert gate_variables(sorted(gate)) == sorted(gate)
    # Values templated from the environment stand for any valid value.
    stand_ins = {'ons_endpoint': 'http://127.0.0.1:8080', 'rmq_endpoint': 'http://127.0.0.1:8080'}
    gate = {key: stand_ins.get(key, value) if isinstance(value, str) and '{{' in value else value for key, value in gate.items()}
    for message in gate.get('message_delivery_messages') or []:
        if '{{' in message['msg_id']:
            message['msg_id'] = MSG
    planned = plan_of(suites(gate))
    assert planned['groups'] and planned['messages']


# ---------------------------------------------------------------------------------------------
# Report names, and a gate that stopped


@pytest.mark.parametrize('name', ['', '.hidden', '../x', 'a/b', 'a..b', 'x\n', 'a b', None, 'x' * 101])
def test_a_report_name_must_be_a_plain_file_name(name):
    with pytest.raises(AnsibleFilterError, match=r"^gate_report_name: "):
        FILTERS['gate_file_name'](name)


def test_a_plain_report_name_is_accepted_and_an_empty_directory_is_not():
    assert gate_file_name('release_42.v1-a') == 'release_42.v1-a'
    with pytest.raises(AnsibleFilterError, match=r"^consumer_health_report_name: "):
        FILTERS['gate_file_name']('a/b', 'consumer_health_report_name')
    with pytest.raises(AnsibleFilterError, match=r"^gate_report_dir: expected a directory"):
        FILTERS['gate_file_name']('ok', directory=' ')


def test_a_stopped_run_is_a_blocking_inconclusive_verdict_with_the_real_cause():
    verdict = gate_stopped({'failed': True, 'msg': 'All items completed',
                            'results': [{'failed': False}, {'failed': True, 'msg': 'integer division or modulo by zero'}]},
                           'Check the groups', suite='consumer_health')[0]
    assert (verdict['suite'], verdict['check'], verdict['status'], verdict['blocking']) == ('consumer_health', 'run', 'inconclusive', True)
    assert verdict['reason'] == 'the task "Check the groups" failed: integer division or modulo by zero'
    report = FILTERS['gate_report']([verdict])
    assert report['result'] == 'failed'
    assert ET.fromstring(FILTERS['gate_junit'](report)).find('testsuite').get('errors') == '1'
    assert gate_stopped(None)[0]['reason'] == 'a task failed: the task gave no result that can be read'
    assert gate_stopped({'failed': True}, subject='deployment_gate')[0]['subject'] == 'deployment_gate'


# ---------------------------------------------------------------------------------------------
# The endpoint and region of the RocketMQ 5.x API


def test_the_5x_endpoint_and_region_are_checked_as_the_ons_ones_naming_the_variable():
    assert FILTERS['gate_connection']({'rmq_endpoint': 'http://127.0.0.1:8080', 'rmq_region': 'cn-hangzhou'}) == [
        'rmq_endpoint', 'rmq_region']
    with pytest.raises(AnsibleFilterError, match=r"^rmq_endpoint: endpoint 'ftp://x' is not valid"):
        FILTERS['gate_connection']({'rmq_endpoint': 'ftp://x'})
    with pytest.raises(AnsibleFilterError, match=r"^rmq_region: "):
        FILTERS['gate_connection']({'rmq_region': 'Hangzhou'})
    with pytest.raises(AnsibleFilterError, match=r"unknown variable rmq_endpoitn \(did you mean rmq_endpoint\?\)"):
        FILTERS['gate_variables'](['rmq_endpoitn'])
    # deployment_gate checks them with the connection variables, before any call.
    with pytest.raises(AnsibleFilterError, match=r"^rmq_region: "):
        FILTERS['gate_suites']({'consumer_health_groups': [{'group_id': 'GID_a'}], 'rmq_region': 'Hangzhou'})


@pytest.mark.parametrize('settings, message', [
    ({'ons_retries': '1e999999999'}, r"^ons_retries: '1e999999999' is not a whole number$"),
    ({'ons_retries': '9' * 5000}, r"^ons_retries: '9999\u2026\(5000 digits\)' is not a whole number$"),
    ({'ons_retries': 10 ** 5000}, r"^ons_retries: retries is 1000\u2026\(5001 digits\): use a whole number from 0 to 20$"),
    ({'ons_timeout': 10 ** 400}, r"^ons_timeout: timeout is 1000\u2026\(401 digits\): use a number of seconds above 0"),
    ({'ons_rate_limit': '9' * 5000}, r"^ons_rate_limit: rate_limit is 9999\u2026\(5000 digits\): use a number of requests"),
    ({'consumer_health_groups': [{}], 'consumer_health_wait_timeout': 10 ** 5000},
     r"^consumer_health_wait_timeout: 1000\u2026\(5001 digits\) is too large; at most 86400 seconds$"),
    ({'message_delivery_messages': [{}], 'message_delivery_poll_interval': '9' * 5000},
     r"^message_delivery_poll_interval: 9999\u2026\(5000 digits\) is too large; at most 3600 seconds$"),
], ids=['1e999999999 retries', '5000 digits of retries', 'int retries', 'timeout', 'rate_limit', 'wait_timeout', 'poll_interval'])
def test_the_playbook_variables_take_numbers_of_any_length_refusing_them_by_name(settings, message):
    # Never Ansible's int: it would first build a number of a billion digits from 1e999999999.
    with pytest.raises(AnsibleFilterError, match=message):
        suites(settings)
