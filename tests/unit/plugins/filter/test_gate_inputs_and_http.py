# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Tests of the deployment gate filters: HTTP groups, the gate's variables and their bounds,
answers the gate cannot read, a gate that stopped, and text that must not drive a terminal.

Module results have the shapes the info modules return, registered the way Ansible registers a
loop task: ``{"results": [{"item": ..., <module result>}, ...]}``.
"""

import os
import xml.etree.ElementTree as ET

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.apsaramq.rocketmq.plugins.filter.gate import (
    GATE_VARIABLES,
    gate_connection,
    gate_delivery_plan,
    gate_delivery_verdicts,
    gate_failures,
    gate_file_name,
    gate_health_plan,
    gate_health_targets,
    gate_health_verdicts,
    gate_junit,
    gate_report,
    gate_stopped,
    gate_suites,
    gate_summary,
    gate_variables,
)

INSTANCE = 'MQ_INST_1234567890_TEST'
MSG = '0A00010500002A9F0000000000000010'
HTTP_REASON = 'HTTP consumers hold no long-lived connection, so the API lists no clients to check for an HTTP group'
CONNECTION_CHECKS = ['min_consumers', 'unique_client_ids', 'subscription_consistent']
COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))


def registered(*results):
    return {'results': list(results), 'changed': False, 'msg': 'All items completed'}


def answered(item, key, entries):
    return {'item': item, key: entries, 'changed': False, 'failed': False, 'ansible_loop_var': 'item'}


def listed(group_id, group_type='tcp'):
    """A group entry of ons_group_info."""
    return {'group_id': group_id, 'group_type': group_type, 'instance_id': INSTANCE, 'tags': {}}


def status_entry(group_id, connections=None, **overrides):
    connections = connections if connections is not None else [
        {'client_id': '10.0.1.5@1#1#2#3', 'client_addr': '10.0.1.5:53012', 'language': 'JAVA', 'version': 'V4_9_4'}]
    entry = {'group_id': group_id, 'instance_id': INSTANCE, 'online': bool(connections), 'rebalance_ok': True,
             'subscription_same': True, 'consume_model': 'CLUSTERING', 'connections': connections, 'clients': [],
             'topics': [], 'error': None}
    entry.update(overrides)
    return entry


def accumulate_entry(group_id, total_diff=0, delay_time=0, **overrides):
    entry = {'group_id': group_id, 'instance_id': INSTANCE, 'online': False, 'total_diff': total_diff,
             'delay_time': delay_time, 'topics': [], 'error': None}
    entry.update(overrides)
    return entry


def run_health(groups, listing=None, statuses=None, accumulates=None, **defaults):
    """Plan, select, read and evaluate the way the role does; returns (verdicts, status queries)."""
    defaults.setdefault('instance_id', INSTANCE)
    plan = gate_health_plan(groups, name='consumer_health_groups', prefix='consumer_health_', **defaults)
    selected = registered(*[answered(dict(selector), 'groups', listing or []) for selector in plan['selectors']])
    queries = gate_health_targets(plan, selected)
    status = registered(*[answered(query, 'groups', [(statuses or {})[group] for group in query['group_ids']])
                          for query in queries])
    lag_queries = gate_health_targets(plan, selected, lag=True)
    accumulate = registered(*[answered(query, 'groups', [(accumulates or {})[group] for group in query['group_ids']])
                              for query in lag_queries])
    return gate_health_verdicts(plan, selected, status, accumulate), queries


def by_check(verdicts, subject):
    return {verdict['check']: verdict for verdict in verdicts if verdict['subject'] == subject}


def track(group, kind):
    return {'consumer_group': group, 'track_type': kind, 'instance_id': INSTANCE}


def run_delivery(messages, entry):
    plan = gate_delivery_plan(messages, instance_id=INSTANCE, name='message_delivery_messages')
    return gate_delivery_verdicts(plan, registered(*[answered(query, 'messages', [entry]) for query in plan['queries']]))


# ---------------------------------------------------------------------------------------------
# HTTP groups


def test_a_selection_without_type_checks_an_http_group_it_lists_by_its_lag_and_reports_its_client_checks():
    verdicts, queries = run_health([{'select': {}}], listing=[listed('GID_tcp'), listed('GID_web', 'http')],
                                   statuses={'GID_tcp': status_entry('GID_tcp')},
                                   accumulates={'GID_tcp': accumulate_entry('GID_tcp'),
                                                'GID_web': accumulate_entry('GID_web', total_diff=90000)},
                                   max_lag=1000)
    web = by_check(verdicts, 'GID_web')
    assert [name for name, verdict in web.items() if verdict['status'] == 'not_applicable'] == CONNECTION_CHECKS
    assert {web[name]['reason'] for name in CONNECTION_CHECKS} == {HTTP_REASON}
    assert not any(web[name]['blocking'] for name in CONNECTION_CHECKS)
    assert web['max_lag']['status'] == 'failed' and web['max_lag']['observed'] == 90000
    assert {verdict['group_type'] for verdict in web.values()} == {'http'}
    assert by_check(verdicts, 'GID_tcp')['min_consumers']['group_type'] == 'tcp'
    # An HTTP group's status is not read: no rule needs it.
    assert queries == [{'instance_id': INSTANCE, 'group_ids': ['GID_tcp']}]


def test_a_selection_passes_its_group_type_through_and_its_type_wins():
    plan = gate_health_plan([{'select': {'group_type': 'http'}}, {'select': {'group_type': 'TCP', 'tags': {'a': 'b'}}}],
                            instance_id=INSTANCE)
    assert [selector['group_type'] for selector in plan['selectors']] == ['http', 'tcp']
    verdicts, _queries = run_health([{'select': {'group_type': 'http'}}], listing=[{'group_id': 'GID_web'}],
                                    accumulates={'GID_web': accumulate_entry('GID_web')}, max_delay_seconds=60)
    assert by_check(verdicts, 'GID_web')['min_consumers']['status'] == 'not_applicable'


def test_a_listed_group_whose_type_is_not_said_is_a_tcp_group():
    verdicts, _queries = run_health([{'select': {}}], listing=[{'group_id': 'GID_old'}],
                                    statuses={'GID_old': status_entry('GID_old', connections=[])})
    assert by_check(verdicts, 'GID_old')['min_consumers']['status'] == 'failed'


def test_a_named_group_declares_its_type_tcp_by_default():
    plan = gate_health_plan([{'group_id': 'GID_a'}, {'group_id': 'GID_b', 'group_type': 'HTTP'}], instance_id=INSTANCE)
    assert [entry['group_type'] for entry in plan['entries']] == ['tcp', 'http']
    with pytest.raises(AnsibleFilterError, match=r"consumer_health_groups\[0\]\.group_type: 'udp' is not a group type \(accepted: tcp, http\)"):
        gate_health_plan([{'group_id': 'GID_a', 'group_type': 'udp'}], instance_id=INSTANCE, name='consumer_health_groups')
    with pytest.raises(AnsibleFilterError, match=r"groups\[0\]\.group_type: applies to a group named with group_id; narrow a selection"):
        gate_health_plan([{'select': {}, 'group_type': 'http'}], instance_id=INSTANCE)


def test_an_http_group_with_no_applicable_check_fails_closed_telling_what_to_set():
    verdicts, queries = run_health([{'group_id': 'GID_web', 'group_type': 'http'}])
    web = by_check(verdicts, 'GID_web')
    assert queries == []
    verdict = web['applicable_checks']
    assert verdict['status'] == 'inconclusive' and verdict['blocking']
    assert 'set max_lag, max_delay_seconds or a rule for this group' in verdict['reason']
    report = gate_report(verdicts)
    assert report['result'] == 'failed'
    assert report['failures'] == [next(line for line in report['failures'] if line.startswith('GID_web applicable_checks INCONCLUSIVE'))]


def test_rules_apply_to_an_http_group_and_read_its_status_when_they_name_it():
    rules = [{'name': 'no_clients', 'query': 'summary.count == `0`'}]
    verdicts, queries = run_health([{'group_id': 'GID_web', 'group_type': 'http', 'rules': rules}],
                                   statuses={'GID_web': status_entry('GID_web', connections=[])})
    assert queries == [{'instance_id': INSTANCE, 'group_ids': ['GID_web']}]
    web = by_check(verdicts, 'GID_web')
    assert web['no_clients']['status'] == 'passed'
    assert 'applicable_checks' not in web


def test_not_applicable_checks_are_counted_skipped_in_junit_and_summarised_but_never_pass_a_gate_alone():
    verdicts, _queries = run_health([{'group_id': 'GID_web', 'group_type': 'http', 'max_delay_seconds': 60}],
                                    accumulates={'GID_web': accumulate_entry('GID_web', delay_time=1000)})
    report = gate_report(verdicts, name='web')
    assert report['result'] == 'passed'
    assert report['counts'] == {'checks': 4, 'passed': 1, 'failed': 0, 'inconclusive': 0, 'not_applicable': 3, 'blocking': 0}
    root = ET.fromstring(gate_junit(report))
    suite = root.find('testsuite')
    assert (suite.get('tests'), suite.get('skipped'), suite.get('failures'), suite.get('errors')) == ('4', '3', '0', '0')
    skipped = root.findall('.//skipped')
    assert all('NOT_APPLICABLE' in item.get('message') and HTTP_REASON in item.get('message') for item in skipped)
    summary = gate_summary(report)
    assert summary[0] == 'web PASSED: 4 checks, 1 passed, 0 failed, 0 inconclusive, 3 not applicable'
    assert '  ok    GID_web: 1 check passed, 3 not applicable (HTTP group: no clients to check)' in summary
    only_not_applicable = [verdict for verdict in verdicts if verdict['status'] == 'not_applicable']
    alone = gate_report(only_not_applicable)
    assert alone['result'] == 'failed' and alone['failures'][0].startswith('no check was evaluated')
    assert ET.fromstring(gate_junit(alone)).find("testsuite[@name='gate']").get('failures') == '1'


# ---------------------------------------------------------------------------------------------
# Answers the gate cannot read


def test_a_track_without_group_makes_the_message_inconclusive_naming_the_track():
    for group in ('', None):
        verdict = run_delivery([{'topic': 'orders', 'msg_id': MSG}],
                               {'msg_id': MSG, 'found': True, 'error': None,
                                'tracks': [track('GID_a', 'CONSUMED'), track(group, 'NOT_CONSUME_YET')]})[0]
        assert verdict['status'] == 'inconclusive' and verdict['blocking']
        assert verdict['offenders'] == ['track 2 (NOT_CONSUME_YET) names no consumer group']


def test_a_trace_whose_every_track_lacks_a_group_is_inconclusive_not_unsubscribed():
    verdict = run_delivery([{'topic': 'orders', 'msg_id': MSG}],
                           {'msg_id': MSG, 'found': True, 'error': None, 'tracks': [track('', 'CONSUMED'), track(None, 'CONSUMED')]})[0]
    assert verdict['status'] == 'inconclusive'
    assert 'nothing subscribes' not in verdict['reason']
    assert verdict['reason'].startswith('no track of the trace names its consumer group')


def test_an_expected_group_not_consumed_still_fails_beside_a_track_without_group():
    verdict = run_delivery([{'topic': 'orders', 'msg_id': MSG, 'expect_consumed_by': ['GID_a']}],
                           {'msg_id': MSG, 'found': True, 'error': None,
                            'tracks': [track('GID_a', 'NOT_ONLINE'), track('', 'CONSUMED')]})[0]
    assert verdict['status'] == 'failed'
    assert verdict['offenders'] == ['GID_a: NOT_ONLINE', 'track 2 (CONSUMED) names no consumer group']


@pytest.mark.parametrize('error, cause', [
    ({'code': 'InvalidResponse', 'message': 'Failed to trace: the API gave a negative figure (TotalDiff -3)'},
     'InvalidResponse: Failed to trace: the API gave a negative figure (TotalDiff -3)'),
    ({'code': 'ONS_SYSTEM_ERROR', 'message': 'Failed to trace: ONS_SYSTEM_ERROR: busy (request id R1)'},
     'Failed to trace: ONS_SYSTEM_ERROR: busy (request id R1)'),
    ({'code': 'ONS_SYSTEM_ERROR'}, 'ONS_SYSTEM_ERROR'),
])
def test_an_item_error_is_inconclusive_with_its_real_cause(error, cause):
    verdict = run_delivery([{'topic': 'orders', 'msg_id': MSG}], {'msg_id': MSG, 'found': False, 'tracks': [], 'error': error})[0]
    assert verdict['status'] == 'inconclusive' and verdict['reason'] == 'ons_trace_info failed: ' + cause


@pytest.mark.parametrize('figures', [{'total_diff': -5}, {'total_diff': 0, 'topics': [{'topic': 'orders', 'total_diff': -5}]}])
def test_a_negative_lag_is_inconclusive_never_caught_up(figures):
    verdicts, _queries = run_health([{'group_id': 'GID_a', 'max_lag': 10}], statuses={'GID_a': status_entry('GID_a')},
                                    accumulates={'GID_a': accumulate_entry('GID_a', **figures)})
    verdict = by_check(verdicts, 'GID_a')['max_lag']
    assert verdict['status'] == 'inconclusive' and 'negative' in verdict['reason']


def test_a_selection_that_lists_a_group_without_readable_id_is_inconclusive():
    verdicts, _queries = run_health([{'select': {}}], listing=[listed('GID_a'), {'group_id': None}, 'junk'],
                                    statuses={'GID_a': status_entry('GID_a')})
    select = by_check(verdicts, 'consumer_health_groups[0]')['select']
    assert select['status'] == 'inconclusive' and select['blocking']
    assert len(select['offenders']) == 2


def test_a_module_result_of_the_wrong_shape_makes_checks_inconclusive_rather_than_failing_the_task():
    plan = gate_health_plan([{'group_id': 'GID_a'}], instance_id=INSTANCE)
    status = registered({'item': {'instance_id': INSTANCE, 'group_ids': ['GID_a']}, 'groups': [{'group_id': ['GID_a']}, 7]},
                        {'item': 'junk'}, {'item': {'instance_id': ['x']}})
    verdicts = gate_health_verdicts(plan, None, status, None)
    assert {verdict['status'] for verdict in verdicts} == {'inconclusive'}


# ---------------------------------------------------------------------------------------------
# The gate's variables


def test_a_misspelt_variable_is_named_with_the_closest_known_name():
    with pytest.raises(AnsibleFilterError, match=r"unknown variable consumer_heath_groups \(did you mean consumer_health_groups\?\)"):
        gate_variables(['consumer_heath_groups', 'message_delivery_messages'])
    with pytest.raises(AnsibleFilterError, match=r"unknown variables consumer_health_wait_timout \(did you mean consumer_health_wait_timeout\?\); "
                                                 r"gate_reports_dir \(did you mean gate_report_dir\?\); ons_regoin \(did you mean ons_region\?\)"):
        gate_variables(['consumer_health_wait_timout', 'gate_reports_dir', 'ons_regoin'])


def test_other_variables_and_private_ones_are_left_alone():
    names = ['ansible_python_interpreter', 'gate_outcome', 'gate_message', 'aws_region', 'report_dir', 'consumer_groups_extra',
             '__consumer_health_plan', 'consumer_health_groups', 'ons_endpoint', 'gate_report_result']
    assert gate_variables(names) == ['consumer_health_groups', 'gate_report_result', 'ons_endpoint']


def test_a_role_looks_only_at_its_namespaces():
    assert gate_variables(['message_delivery_mesages', 'consumer_health_groups'], ['consumer_health']) == ['consumer_health_groups']
    with pytest.raises(AnsibleFilterError, match=r"gate_variables: namespaces\[0\]: 'nope' is not a namespace"):
        gate_variables([], ['nope'])


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
    with open(os.path.join(COLLECTION_ROOT, 'playbooks', 'deployment_gate.yml')) as handle:
        playbook = handle.read()
    assert all('"{{ %s | default(omit' % name in playbook for name in GATE_VARIABLES['ons'])


def test_role_internal_variables_do_not_use_the_public_prefixes():
    for role in ('consumer_health', 'message_delivery', 'gate_report'):
        for folder in ('tasks', 'vars'):
            if not os.path.isdir(os.path.join(COLLECTION_ROOT, 'roles', role, folder)):
                continue
            for name in os.listdir(os.path.join(COLLECTION_ROOT, 'roles', role, folder)):
                with open(os.path.join(COLLECTION_ROOT, 'roles', role, folder, name)) as handle:
                    tasks = yaml.safe_load(handle) or []
                set_names = set()
                for task in tasks if isinstance(tasks, list) else [tasks]:
                    set_names.update((task.get('ansible.builtin.set_fact') or {}).keys())
                    set_names.update([task['register']] if 'register' in task else [])
                    set_names.update([(task.get('loop_control') or {}).get('loop_var')] if 'loop_control' in task else [])
                    for inner in (task.get('block') or []) + (task.get('rescue') or []):
                        set_names.update((inner.get('ansible.builtin.set_fact') or {}).keys())
                        set_names.update([(inner.get('loop_control') or {}).get('loop_var')] if 'loop_control' in inner else [])
                    if folder == 'vars':
                        set_names.update(task)
                set_names.discard(None)
                assert gate_variables(sorted(set_names)) is not None, (role, name)


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
])
def test_connection_settings_the_modules_would_refuse_fail_first(settings, message):
    with pytest.raises(AnsibleFilterError, match=message):
        gate_connection(settings)


def test_a_bad_secret_is_refused_without_showing_it():
    with pytest.raises(AnsibleFilterError) as caught:
        gate_connection({'ons_access_key_secret': ' TopSecretValue '})
    assert 'TopSecretValue' not in str(caught.value) and 'ons_access_key_secret' in str(caught.value)
    assert gate_connection({'ons_region': 'cn-hangzhou', 'ons_endpoint': '', 'ons_retries': '3', 'ons_profile': None}) == [
        'ons_endpoint', 'ons_profile', 'ons_region', 'ons_retries']


def test_deployment_gate_runs_the_suites_that_are_set_and_refuses_empty_ones():
    assert gate_suites({'message_delivery_messages': [{'topic': 'a'}]}) == {
        'consumer_health': False, 'message_delivery': True, 'notes': ['consumer_health did not run: consumer_health_groups is not set']}
    both = gate_suites({'consumer_health_groups': [{}], 'message_delivery_messages': [{}]})
    assert both['consumer_health'] and both['message_delivery'] and both['notes'] == []
    with pytest.raises(AnsibleFilterError, match=r"^consumer_health_groups: is empty: list the groups to check"):
        gate_suites({'consumer_health_groups': [], 'message_delivery_messages': [{}]})
    with pytest.raises(AnsibleFilterError, match=r"^message_delivery_messages: is null"):
        gate_suites({'consumer_health_groups': [{}], 'message_delivery_messages': None})
    with pytest.raises(AnsibleFilterError, match=r"neither consumer_health_groups nor message_delivery_messages is set"):
        gate_suites({})


# ---------------------------------------------------------------------------------------------
# Bounds and names


@pytest.mark.parametrize('option, value, message', [
    ('wait_timeout', float('inf'), r"^consumer_health_wait_timeout: inf is not a number from 0 to 86400 seconds"),
    ('wait_timeout', float('nan'), r"^consumer_health_wait_timeout: nan is not a number from 0 to 86400 seconds"),
    ('wait_timeout', '1e12', r"^consumer_health_wait_timeout: '1e12' is not a number from 0 to 86400 seconds"),
    ('wait_timeout', -1, r"^consumer_health_wait_timeout: -1 is not a number from 0 to 86400 seconds"),
    ('poll_interval', 0.5, r"^consumer_health_poll_interval: 0.5 is not a number from 1 to 3600 seconds"),
    ('poll_interval', 3601, r"^consumer_health_poll_interval: 3601 is not a number from 1 to 3600 seconds"),
    ('min_consumers', 100001, r"^consumer_health_min_consumers: 100001 is not a whole number from 0 to 100000 clients"),
    ('max_consumers', True, r"^consumer_health_max_consumers: True is not a whole number"),
    ('max_lag', 1e12, r"^consumer_health_max_lag: 1000000000000.0 is not a whole number from 0 to 1000000000 messages"),
    ('max_delay_seconds', float('inf'), r"^consumer_health_max_delay_seconds: inf is not a number from 0 to 31536000 seconds"),
])
def test_numbers_are_bounded_and_named_as_the_users_variables(option, value, message):
    with pytest.raises(AnsibleFilterError, match=message):
        gate_health_plan([{'group_id': 'GID_a'}], instance_id=INSTANCE, prefix='consumer_health_', **{option: value})


def test_the_plans_carry_the_bounded_waiting_options():
    plan = gate_health_plan([{'group_id': 'GID_a'}], instance_id=INSTANCE, wait_timeout='86400', poll_interval=3600)
    assert (plan['wait_timeout'], plan['poll_interval']) == (86400, 3600)
    with pytest.raises(AnsibleFilterError, match=r"^message_delivery_wait_timeout: 86401 is not a number from 0 to 86400 seconds"):
        gate_delivery_plan([{'topic': 'orders', 'msg_id': MSG}], instance_id=INSTANCE, prefix='message_delivery_', wait_timeout=86401)
    with pytest.raises(AnsibleFilterError, match=r"^message_delivery_expect_consumed_by\[0\]: 'GID_a\\n' is not a group ID"):
        gate_delivery_plan([{'topic': 'orders', 'msg_id': MSG}], instance_id=INSTANCE, prefix='message_delivery_',
                           expect_consumed_by=['GID_a\n'])


@pytest.mark.parametrize('entry, message', [
    ({'group_id': 'GID_orders\n'}, r"groups\[0\]\.group_id: 'GID_orders\\n' is not a group ID: use 1 to 128 letters"),
    ({'group_id': ' GID_orders'}, r"groups\[0\]\.group_id: ' GID_orders' is not a group ID"),
    ({'group_id': 'GID_a', 'instance_id': 'MQ_INST_1\n'}, r"groups\[0\]\.instance_id: 'MQ_INST_1\\n' is not an instance ID"),
    ({'select': {'exclude': ['GID_a\n']}}, r"groups\[0\]\.select\.exclude\[0\]: 'GID_a\\n' is not a group ID"),
    ({'group_id': 'GID_a', 'rules': [{'name': 'r\n', 'query': 'true'}]}, r"rules\[0\]\.name: 'r\\n' is not a rule name"),
])
def test_names_are_matched_to_their_very_end(entry, message):
    with pytest.raises(AnsibleFilterError, match=message):
        gate_health_plan([entry], instance_id=INSTANCE)


def test_a_message_id_with_a_final_newline_is_refused():
    with pytest.raises(AnsibleFilterError, match=r"messages\[0\]\.msg_id: '0A00010500002A9F0000000000000010\\n' is not a message ID"):
        gate_delivery_plan([{'topic': 'orders', 'msg_id': MSG + '\n'}], instance_id=INSTANCE)


def test_a_rule_query_nested_too_deeply_is_an_error_naming_the_rule():
    with pytest.raises(AnsibleFilterError, match=r"^consumer_health_rules\[0\]\.query: the query of rule 'deep' nests too deeply"):
        gate_health_plan([{'group_id': 'GID_a'}], instance_id=INSTANCE, prefix='consumer_health_',
                         rules=[{'name': 'deep', 'query': '(' * 5000 + 'status' + ')' * 5000}])


@pytest.mark.parametrize('name', ['', '.hidden', '../x', 'a/b', 'a..b', 'x\n', 'a b', None, 'x' * 101])
def test_a_report_name_must_be_a_plain_file_name(name):
    with pytest.raises(AnsibleFilterError, match=r"^gate_report_name: "):
        gate_file_name(name)


def test_a_plain_report_name_is_accepted_and_an_empty_directory_is_not():
    assert gate_file_name('release_42.v1-a') == 'release_42.v1-a'
    with pytest.raises(AnsibleFilterError, match=r"^consumer_health_report_name: "):
        gate_file_name('a/b', 'consumer_health_report_name')
    with pytest.raises(AnsibleFilterError, match=r"^gate_report_dir: expected a directory"):
        gate_file_name('ok', directory=' ')


# ---------------------------------------------------------------------------------------------
# A gate that stopped, and text from the API


def test_a_stopped_run_is_a_blocking_inconclusive_verdict_with_the_real_cause():
    verdict = gate_stopped({'failed': True, 'msg': 'All items completed',
                            'results': [{'failed': False}, {'failed': True, 'msg': 'integer division or modulo by zero'}]},
                           'Check the groups', suite='consumer_health')[0]
    assert (verdict['suite'], verdict['check'], verdict['status'], verdict['blocking']) == ('consumer_health', 'run', 'inconclusive', True)
    assert verdict['reason'] == 'the task "Check the groups" failed: integer division or modulo by zero'
    report = gate_report([verdict])
    assert report['result'] == 'failed'
    assert ET.fromstring(gate_junit(report)).find('testsuite').get('errors') == '1'
    assert gate_stopped(None)[0]['reason'] == 'a task failed: the task gave no result that can be read'


def test_control_characters_from_the_api_are_escaped_in_every_line_and_report():
    hostile = 'GID_a\x1b]0;owned\x07\x00\x9b31m\nGID_b consumed PASSED'
    verdicts, _queries = run_health([{'group_id': 'GID_a', 'min_version': 'V5_0_0'}],
                                    statuses={'GID_a': status_entry('GID_a', connections=[
                                        {'client_id': hostile, 'client_addr': hostile, 'language': 'JAVA', 'version': 'V4_9_4'}])})
    report = gate_report(verdicts, name='hostile')
    text = '\n'.join(gate_failures(report) + gate_summary(report))
    junit = gate_junit(report)
    for raw in ('\x1b', '\x07', '\x00', '\x9b'):
        assert raw not in text and raw not in junit
    assert '\\x1b]0;owned\\x07\\x00\\x9b31m\\x0aGID_b consumed PASSED' in gate_failures(report)[0]
    # A newline from the API never starts a line of its own.
    assert len(gate_failures(report)) == 1
    assert not any(line.startswith('GID_b') for line in junit.split('\n'))
