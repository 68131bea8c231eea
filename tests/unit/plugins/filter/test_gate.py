# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Tests of the deployment gate filters: plans, verdicts and reports.

The module results below have the shapes the info modules return (see their RETURN docs), wrapped
the way Ansible registers a loop task: ``{"results": [{"item": ..., <module result>}, ...]}``.
"""

import copy
import json
import os
import xml.etree.ElementTree as ET

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.apsaramq.rocketmq.plugins.filter.gate import (
    FilterModule,
    gate_delivery_plan,
    gate_delivery_verdicts,
    gate_failures,
    gate_health_plan,
    gate_health_targets,
    gate_health_verdicts,
    gate_junit,
    gate_report,
    gate_summary,
)

INSTANCE = 'MQ_INST_1234567890_TEST'
OTHER_INSTANCE = 'MQ_INST_9999999999_TEST'


def client(address, version='V4_9_4', language='JAVA', client_id=None):
    """A connection as ons_consumer_status_info returns it."""
    ip = address.split(':')[0]
    return {'client_id': client_id or '%s@%s#1#2#3' % (ip, address.split(':')[1]), 'client_addr': address,
            'language': language, 'version': version, 'remote_ip': ip, 'diff': 0}


def detail(address, subscriptions, client_id=None):
    """A client detail (``clients[]``) as ons_consumer_status_info with detail=true returns it."""
    return {'client_id': client_id or '%s@1#1#2#3' % address.split(':')[0], 'connection': address,
            'consume_model': 'CLUSTERING', 'consume_type': 'CONSUME_PASSIVELY', 'language': 'JAVA',
            'version': 'V4_9_4', 'thread_count': 20, 'start_timestamp': 1, 'last_timestamp': 2,
            'subscriptions': [{'topic': topic, 'sub_string': expression, 'sub_version': 1, 'tags': []}
                              for topic, expression in subscriptions],
            'running_data': [], 'jstack': []}


def status_entry(group_id='GID_orders', connections=None, **overrides):
    """A healthy group entry of ons_consumer_status_info (detail=true), changed by ``overrides``."""
    if connections is None:
        connections = [client('10.0.1.5:53012'), client('10.0.1.6:53020')]
    entry = {
        'group_id': group_id, 'instance_id': INSTANCE, 'online': bool(connections), 'total_diff': 0,
        'delay_time': 0, 'consume_tps': 10.0, 'last_timestamp': 1767225600000, 'rebalance_ok': True,
        'subscription_same': True, 'consume_model': 'CLUSTERING', 'connections': connections,
        'topics': [], 'clients': [detail(item['client_addr'], [('orders', '*')], item['client_id']) for item in connections],
        'request_id': 'REQ-%s' % group_id, 'error': None,
    }
    entry.update(overrides)
    return entry


def accumulate_entry(group_id='GID_orders', total_diff=0, delay_time=0, topics=None, **overrides):
    entry = {'group_id': group_id, 'instance_id': INSTANCE, 'online': True, 'total_diff': total_diff,
             'consume_tps': 10.0, 'delay_time': delay_time, 'last_timestamp': 1767225600000,
             'topics': topics or [], 'request_id': 'REQ-A-%s' % group_id, 'error': None}
    entry.update(overrides)
    return entry


def error_entry(group_id, code='InternalError', http_status=500):
    """The entry a batched module gives a group whose query failed, with fail_on_error=false."""
    return {'group_id': group_id, 'instance_id': INSTANCE, 'online': False, 'connections': [], 'request_id': None,
            'error': {'code': code, 'message': 'Failed to read the status of group %s: %s: boom (request id R1)' % (group_id, code),
                      'http_status': http_status, 'request_id': 'R1'}}


def registered(*results):
    return {'results': list(results), 'changed': False, 'msg': 'All items completed'}


def answered(item, key, entries):
    return {'item': item, key: entries, 'changed': False, 'failed': False, 'ansible_loop_var': 'item'}


def task_failed(item, message='Failed to read the status of group GID_orders: InternalError: boom', code='InternalError'):
    """A module run that failed as a whole, registered with failed_when: false."""
    return {'item': item, 'changed': False, 'failed': False, 'failed_when_result': False, 'msg': message,
            'error': {'code': code, 'message': 'boom', 'http_status': 500, 'request_id': 'R9'}}


def run_health(groups, statuses, accumulates=None, selections=None, **defaults):
    """Plan, then evaluate with the given module entries, the way the role does it."""
    defaults.setdefault('instance_id', INSTANCE)
    plan = gate_health_plan(groups, name='consumer_health_groups', **defaults)
    selected = registered(*(selections or []))
    queries = gate_health_targets(plan, selected)
    status = registered(*[answered(query, 'groups', [statuses[group] for group in query['group_ids']]) for query in queries])
    lag_queries = gate_health_targets(plan, selected, lag=True)
    accumulate = registered(*[answered(query, 'groups', [(accumulates or {})[group] for group in query['group_ids']])
                              for query in lag_queries])
    return gate_health_verdicts(plan, selected, status, accumulate)


def by_check(verdicts, subject='GID_orders'):
    return {verdict['check']: verdict for verdict in verdicts if verdict['subject'] == subject}


# ---------------------------------------------------------------------------------------------
# gate_health_plan


def test_plan_applies_role_wide_checks_and_lets_a_group_override_them():
    plan = gate_health_plan([{'group_id': 'GID_a'}, {'group_id': 'GID_b', 'min_consumers': 3, 'uniform_version': False}],
                            instance_id=INSTANCE, min_consumers=2, uniform_version=True, max_lag=100)
    first, second = plan['entries']
    assert first['checks']['min_consumers'] == 2 and first['checks']['uniform_version'] is True
    assert second['checks']['min_consumers'] == 3 and second['checks']['uniform_version'] is False
    assert first['checks']['max_lag'] == second['checks']['max_lag'] == 100
    assert first['instance_id'] == INSTANCE
    assert plan['selectors'] == []


def test_plan_defaults_check_one_consumer_unique_ids_and_consistent_subscriptions_only():
    checks = gate_health_plan([{'group_id': 'GID_a'}], instance_id=INSTANCE)['entries'][0]['checks']
    enabled = sorted(name for name, value in checks.items() if value not in (None, False))
    assert enabled == ['min_consumers', 'subscription_consistent', 'unique_client_ids']
    assert checks['min_consumers'] == 1


def test_plan_null_on_a_group_turns_a_role_wide_check_off_for_that_group_only():
    plan = gate_health_plan([{'group_id': 'GID_a', 'min_version': None}, {'group_id': 'GID_b'}],
                            instance_id=INSTANCE, min_version='V4_9_4')
    assert plan['entries'][0]['checks']['min_version'] is None
    assert plan['entries'][1]['checks']['min_version'] == 'V4_9_4'


def test_plan_accepts_numbers_and_booleans_given_as_strings_from_the_command_line():
    checks = gate_health_plan([{'group_id': 'GID_a', 'max_lag': '500', 'uniform_version': 'yes'}],
                              instance_id=INSTANCE, min_consumers='2', max_delay_seconds='1.5')['entries'][0]['checks']
    assert checks['max_lag'] == 500 and checks['min_consumers'] == 2
    assert checks['uniform_version'] is True and checks['max_delay_seconds'] == 1.5


def test_plan_rejects_a_misspelt_check_instead_of_silently_skipping_it():
    with pytest.raises(AnsibleFilterError, match=r"consumer_health_groups\[1\]: unknown key min_consumer \(accepted: group_id"):
        gate_health_plan([{'group_id': 'GID_a'}, {'group_id': 'GID_b', 'min_consumer': 2}], instance_id=INSTANCE,
                         name='consumer_health_groups')


@pytest.mark.parametrize('entry, message', [
    ({'group_id': 'GID_a', 'min_version': 'V4'}, r"groups\[0\]\.min_version: 'V4' is not a RocketMQ client version name"),
    ({'group_id': 'GID_a', 'message_model': 'PUSH'}, r"groups\[0\]\.message_model: 'PUSH' is not a message model \(accepted: CLUSTERING, BROADCASTING\)"),
    ({'group_id': 'GID_a', 'min_consumers': -1}, r"groups\[0\]\.min_consumers: -1 is not a whole number from 0 to 100000 clients"),
    ({'group_id': 'GID_a', 'max_lag': 'lots'}, r"groups\[0\]\.max_lag: 'lots' is not a whole number from 0 to 1000000000 messages"),
    ({'group_id': 'GID_a', 'max_lag': True}, r"groups\[0\]\.max_lag: True is not a whole number"),
    ({'group_id': 'GID_a', 'max_delay_seconds': -2}, r"groups\[0\]\.max_delay_seconds: -2 is not a number from 0 to 31536000 seconds"),
    ({'group_id': 'GID_a', 'allowed_languages': []}, r"groups\[0\]\.allowed_languages: lists no language; use null to turn the check off"),
    ({'group_id': 'GID_a', 'allowed_languages': 'JAVA'}, r"groups\[0\]\.allowed_languages: expected a list of client languages, got str 'JAVA'"),
    ({'group_id': 'GID_a', 'uniform_version': 'maybe'}, r"groups\[0\]\.uniform_version: 'maybe' is not a boolean"),
    ({'select': {'group_type': 'udp'}}, r"groups\[0\]\.select\.group_type: 'udp' is not a group type \(accepted: tcp, http\)"),
    ({'select': {'tags': {'app': True}}}, r"groups\[0\]\.select\.tags\.app: True is not a tag value"),
    ({'select': {'tag': {'app': 'x'}}}, r"groups\[0\]\.select: unknown key tag \(accepted: group_id, group_type, tags, exclude\)"),
    ({'group_id': 'GID_a', 'select': {}}, r"groups\[0\]: give exactly one of group_id .* and select"),
    ({'min_consumers': 2}, r"groups\[0\]: give exactly one of group_id"),
    ({'group_id': ''}, r"groups\[0\]\.group_id: expected a group ID, got ''"),
    ('GID_a', r"groups\[0\]: expected a dict with group_id or select, and the checks that apply, got str 'GID_a'"),
    ({'group_id': 'GID_a', 'min_consumers': 3, 'max_consumers': 2}, r"groups\[0\]: min_consumers 3 is above max_consumers 2"),
])
def test_plan_rejects_bad_input_naming_the_entry_the_key_and_what_is_accepted(entry, message):
    with pytest.raises(AnsibleFilterError, match=message):
        gate_health_plan([entry], instance_id=INSTANCE)


def test_plan_requires_an_instance_for_every_group():
    with pytest.raises(AnsibleFilterError, match=r"groups\[0\]: no instance_id: set it on the entry or role-wide"):
        gate_health_plan([{'group_id': 'GID_a'}])
    plan = gate_health_plan([{'group_id': 'GID_a', 'instance_id': OTHER_INSTANCE}])
    assert plan['entries'][0]['instance_id'] == OTHER_INSTANCE


def test_plan_rejects_a_group_listed_twice_and_an_empty_list():
    with pytest.raises(AnsibleFilterError, match=r"groups\[1\]: group GID_a of instance .* is listed twice"):
        gate_health_plan([{'group_id': 'GID_a'}, {'group_id': 'GID_a'}], instance_id=INSTANCE)
    with pytest.raises(AnsibleFilterError, match=r"groups: lists no group: a gate that checks nothing cannot pass"):
        gate_health_plan([], instance_id=INSTANCE)
    with pytest.raises(AnsibleFilterError, match=r"groups: expected a list of groups to check, got null"):
        gate_health_plan(None, instance_id=INSTANCE)


def test_plan_rejects_an_unknown_role_wide_option():
    with pytest.raises(AnsibleFilterError, match=r"gate_health_plan: unknown option max_lags"):
        gate_health_plan([{'group_id': 'GID_a'}], instance_id=INSTANCE, max_lags=3)


def test_plan_compiles_rule_queries_so_a_typo_fails_before_any_api_call():
    with pytest.raises(AnsibleFilterError, match=r"rules\[0\]\.query: 'status\.connections\[\?' is not a valid JMESPath expression"):
        gate_health_plan([{'group_id': 'GID_a', 'rules': [{'name': 'broken', 'query': 'status.connections[?'}]}], instance_id=INSTANCE)


@pytest.mark.parametrize('rules, message', [
    ([{'name': 'min_version', 'query': 'true'}], r"'min_version' is the name of a built-in check"),
    ([{'name': 'has space', 'query': 'true'}], r"'has space' is not a rule name: use 1 to 64 letters"),
    ([{'query': 'true'}], r"rules\[0\]\.name: expected a rule name, got None"),
    ([{'name': 'r', 'query': 'true', 'expected': 1}], r"rules\[0\]: unknown key expected"),
    ([{'name': 'r', 'query': 'true'}, {'name': 'r', 'query': 'false'}],
     r"rules\[1\]\.name: 'r' is also the name of the rule groups\[0\]\.rules\[0\]: every rule needs a name of its own"),
])
def test_plan_rejects_bad_rules(rules, message):
    with pytest.raises(AnsibleFilterError, match=message):
        gate_health_plan([{'group_id': 'GID_a', 'rules': rules}], instance_id=INSTANCE)


def test_plan_refuses_a_group_rule_with_the_name_of_a_role_wide_rule():
    with pytest.raises(AnsibleFilterError, match=r"consumer_health_groups\[0\]\.rules\[0\]\.name: 'java' is also the name of "
                                                 r"the rule consumer_health_rules\[0\]"):
        gate_health_plan([{'group_id': 'GID_a', 'rules': [{'name': 'java', 'query': 'summary.count', 'expect': 3}]}],
                         instance_id=INSTANCE, name='consumer_health_groups', prefix='consumer_health_',
                         rules=[{'name': 'java', 'query': 'summary.count'}])


def test_plan_refuses_two_role_wide_rules_of_one_name_naming_the_users_variable():
    with pytest.raises(AnsibleFilterError, match=r"^consumer_health_rules\[1\]\.name: 'r' is also the name of the rule "
                                                 r"consumer_health_rules\[0\]"):
        gate_health_plan([{'group_id': 'GID_a'}], instance_id=INSTANCE, prefix='consumer_health_',
                         rules=[{'name': 'r', 'query': 'true'}, {'name': 'r', 'query': 'false'}])


def test_plan_lets_two_groups_each_have_a_rule_of_one_name():
    plan = gate_health_plan([{'group_id': 'GID_a', 'rules': [{'name': 'mine', 'query': 'true'}]},
                             {'group_id': 'GID_b', 'rules': [{'name': 'mine', 'query': 'false', 'expect': False}]}],
                            instance_id=INSTANCE, rules=[{'name': 'other', 'query': 'true'}])
    first, second = plan['entries']
    assert [(rule['name'], rule['expect']) for rule in first['rules']] == [('other', True), ('mine', True)]
    assert [(rule['name'], rule['expect']) for rule in second['rules']] == [('other', True), ('mine', False)]


def test_plan_rejects_allowing_inconclusive_for_a_check_the_group_does_not_have():
    with pytest.raises(AnsibleFilterError, match=r"allow_inconclusive: 'max_lagg' is not a check of this group"):
        gate_health_plan([{'group_id': 'GID_a', 'allow_inconclusive': ['max_lagg']}], instance_id=INSTANCE)
    plan = gate_health_plan([{'group_id': 'GID_a', 'rules': [{'name': 'mine', 'query': 'true'}]}], instance_id=INSTANCE,
                            allow_inconclusive=['mine', 'max_lag', 'select'])
    assert plan['entries'][0]['allow_inconclusive'] == ['mine', 'max_lag', 'select']


def test_plan_reads_the_lag_only_for_lag_checks_or_rules_that_name_accumulate():
    plan = gate_health_plan([
        {'group_id': 'GID_plain'},
        {'group_id': 'GID_lag', 'max_lag': 5},
        {'group_id': 'GID_delay', 'max_delay_seconds': 0},
        {'group_id': 'GID_rule', 'rules': [{'name': 'r', 'query': "length(accumulate.topics[?total_diff > `0`]) == `0`"}]},
        {'group_id': 'GID_status_rule', 'rules': [{'name': 'r', 'query': 'status.online'}]},
    ], instance_id=INSTANCE)
    needs = {entry['group_id']: entry['needs_accumulate'] for entry in plan['entries']}
    assert needs == {'GID_plain': False, 'GID_lag': True, 'GID_delay': True, 'GID_rule': True, 'GID_status_rule': False}


# ---------------------------------------------------------------------------------------------
# gate_health_targets


def test_targets_list_named_groups_first_then_each_selected_group_once_per_instance():
    plan = gate_health_plan([
        {'group_id': 'GID_named'},
        {'select': {'tags': {'app': 'x'}, 'exclude': ['GID_excluded']}},
        {'group_id': 'GID_elsewhere', 'instance_id': OTHER_INSTANCE, 'max_lag': 1},
        {'select': {}},
    ], instance_id=INSTANCE)
    selections = registered(
        answered(plan['selectors'][0], 'groups', [{'group_id': 'GID_x1'}, {'group_id': 'GID_excluded'}, {'group_id': 'GID_named'}]),
        answered(plan['selectors'][1], 'groups', [{'group_id': 'GID_x1'}, {'group_id': 'GID_x2'}]),
    )
    assert gate_health_targets(plan, selections) == [
        {'instance_id': INSTANCE, 'group_ids': ['GID_named', 'GID_x1', 'GID_x2']},
        {'instance_id': OTHER_INSTANCE, 'group_ids': ['GID_elsewhere']},
    ]
    assert gate_health_targets(plan, selections, lag=True) == [{'instance_id': OTHER_INSTANCE, 'group_ids': ['GID_elsewhere']}]


def test_a_selected_group_is_checked_with_the_settings_of_its_named_entry():
    verdicts = run_health([{'group_id': 'GID_orders', 'min_consumers': 5}, {'select': {}}],
                          {'GID_orders': status_entry()},
                          selections=[answered({'key': 'consumer_health_groups[1]', 'instance_id': INSTANCE}, 'groups',
                                               [{'group_id': 'GID_orders'}])])
    assert [verdict['expected'] for verdict in verdicts if verdict['check'] == 'min_consumers'] == ['>= 5']


# ---------------------------------------------------------------------------------------------
# gate_health_verdicts: each check passing and failing

ALL_CHECKS = dict(min_consumers=2, max_consumers=4, min_version='V4_9_4', uniform_version=True, allowed_languages=['java'],
                  message_model='CLUSTERING', unique_client_ids=True, subscription_consistent=True, rebalance_ok=True,
                  max_lag=100, max_delay_seconds=60)


def test_a_healthy_group_passes_every_built_in_check():
    verdicts = run_health([{'group_id': 'GID_orders'}], {'GID_orders': status_entry()},
                          {'GID_orders': accumulate_entry(total_diff=3, delay_time=1500)}, **ALL_CHECKS)
    checks = by_check(verdicts)
    assert sorted(checks) == sorted(ALL_CHECKS)
    assert {check: verdict['status'] for check, verdict in checks.items()} == {check: 'passed' for check in ALL_CHECKS}
    assert not any(verdict['blocking'] for verdict in verdicts)
    assert checks['min_consumers']['observed'] == 2
    assert checks['uniform_version']['observed'] == {'V4_9_4': 2}
    assert checks['max_delay_seconds']['observed'] == '1.5 s'


def failing_case(check):
    """A status (and accumulate) entry on which exactly ``check`` fails, and the offenders it must name."""
    status = status_entry()
    lag = accumulate_entry()
    offenders = []
    if check == 'min_consumers':
        status = status_entry(connections=[client('10.0.1.5:53012')])
    elif check == 'max_consumers':
        status = status_entry(connections=[client('10.0.1.%d:5301%d' % (n, n)) for n in range(5, 10)])
    elif check == 'min_version':
        # A snapshot is below its release; both clients run it, so the version is still uniform.
        status = status_entry(connections=[client('10.0.1.5:53012', 'V4_9_4_SNAPSHOT'), client('10.0.1.6:53020', 'V4_9_4_SNAPSHOT')])
        offenders = ['10.0.1.5:53012 on V4_9_4_SNAPSHOT (client id 10.0.1.5@53012#1#2#3)',
                     '10.0.1.6:53020 on V4_9_4_SNAPSHOT (client id 10.0.1.6@53020#1#2#3)']
    elif check == 'uniform_version':
        status = status_entry(connections=[client('10.0.1.5:53012', 'V4_9_4'), client('10.0.1.6:53020', 'V5_1_0'),
                                           client('10.0.1.7:53031', 'V5_1_0')])
        offenders = ['10.0.1.5:53012 on V4_9_4 (client id 10.0.1.5@53012#1#2#3)']
    elif check == 'allowed_languages':
        status = status_entry(connections=[client('10.0.1.5:53012'), client('10.0.1.6:53020', language='GO')])
        offenders = ['10.0.1.6:53020 in GO (client id 10.0.1.6@53020#1#2#3)']
    elif check == 'message_model':
        status = status_entry(consume_model='BROADCASTING')
    elif check == 'unique_client_ids':
        status = status_entry(connections=[client('172.17.0.2:53012', client_id='172.17.0.2@1#same'),
                                           client('172.17.0.2:53013', client_id='172.17.0.2@1#same'),
                                           client('10.0.1.7:53031')])
        offenders = ['172.17.0.2:53012 (client id 172.17.0.2@1#same)', '172.17.0.2:53013 (client id 172.17.0.2@1#same)']
    elif check == 'subscription_consistent':
        status = status_entry(connections=[client('10.0.1.5:53012'), client('10.0.1.6:53020'), client('10.0.1.21:53101')],
                              subscription_same=False)
        status['clients'][2]['subscriptions'][0]['sub_string'] = 'created'
        offenders = ['10.0.1.21:53101 subscribes orders: created (most clients: orders: *) (client id 10.0.1.21@53101#1#2#3)']
    elif check == 'rebalance_ok':
        status = status_entry(rebalance_ok=False)
    elif check == 'max_lag':
        lag = accumulate_entry(total_diff=600, topics=[
            {'topic': 'refunds', 'total_diff': 100, 'delay_time': 1000, 'last_timestamp': 1},
            {'topic': 'orders', 'total_diff': 500, 'delay_time': 9000, 'last_timestamp': 1},
            {'topic': 'quiet', 'total_diff': 0, 'delay_time': 0, 'last_timestamp': 1}])
        offenders = ['topic orders: 500 messages behind', 'topic refunds: 100 messages behind']
    elif check == 'max_delay_seconds':
        lag = accumulate_entry(delay_time=90500, topics=[{'topic': 'orders', 'total_diff': 50, 'delay_time': 90500, 'last_timestamp': 1}])
        offenders = ['topic orders: 90.5 s behind']
    return status, lag, offenders


@pytest.mark.parametrize('check', sorted(ALL_CHECKS))
def test_each_built_in_check_fails_alone_and_names_its_offenders(check):
    status, lag, offenders = failing_case(check)
    verdicts = run_health([{'group_id': 'GID_orders'}], {'GID_orders': status}, {'GID_orders': lag}, **ALL_CHECKS)
    checks = by_check(verdicts)
    failed = sorted(name for name, verdict in checks.items() if verdict['status'] != 'passed')
    assert failed == [check]
    assert checks[check]['status'] == 'failed' and checks[check]['blocking']
    assert checks[check]['offenders'] == offenders
    assert checks[check]['reason']


def test_every_check_is_evaluated_even_after_one_fails():
    status = status_entry(connections=[client('172.17.0.2:53012', 'V4_3_6', 'GO', '172.17.0.2@1#same'),
                                       client('172.17.0.2:53013', 'V5_1_0', 'JAVA', '172.17.0.2@1#same')],
                          rebalance_ok=False, consume_model='BROADCASTING', subscription_same=False)
    checks = dict(ALL_CHECKS)
    checks['min_consumers'] = 3
    verdicts = run_health([{'group_id': 'GID_orders'}], {'GID_orders': status},
                          {'GID_orders': accumulate_entry(total_diff=1000, delay_time=120000)}, **checks)
    assert {check: verdict['status'] for check, verdict in by_check(verdicts).items()} == {
        'min_consumers': 'failed', 'max_consumers': 'passed', 'min_version': 'failed', 'uniform_version': 'failed',
        'allowed_languages': 'failed', 'message_model': 'failed', 'unique_client_ids': 'failed',
        'subscription_consistent': 'failed', 'rebalance_ok': 'failed', 'max_lag': 'failed', 'max_delay_seconds': 'failed'}


def test_every_group_is_evaluated_in_plan_order():
    verdicts = run_health([{'group_id': 'GID_a'}, {'group_id': 'GID_b'}],
                          {'GID_a': status_entry('GID_a', connections=[]), 'GID_b': status_entry('GID_b')})
    assert [(verdict['subject'], verdict['check'], verdict['status']) for verdict in verdicts] == [
        ('GID_a', 'min_consumers', 'failed'), ('GID_a', 'unique_client_ids', 'passed'), ('GID_a', 'subscription_consistent', 'passed'),
        ('GID_b', 'min_consumers', 'passed'), ('GID_b', 'unique_client_ids', 'passed'), ('GID_b', 'subscription_consistent', 'passed')]


def test_a_group_without_clients_fails_min_consumers_and_has_nothing_wrong_otherwise():
    offline = status_entry(connections=[], online=False, subscription_same=None, rebalance_ok=None, clients=[])
    checks = by_check(run_health([{'group_id': 'GID_orders'}], {'GID_orders': offline}, min_version='V4_9_4', uniform_version=True,
                                 allowed_languages=['JAVA']))
    assert checks['min_consumers']['status'] == 'failed'
    assert checks['min_consumers']['reason'] == '0 clients online, 1 needed'
    for name in ('min_version', 'uniform_version', 'allowed_languages', 'unique_client_ids', 'subscription_consistent'):
        assert checks[name]['status'] == 'passed', name
        assert checks[name]['reason'] == 'no client online', name
    allowed_offline = by_check(run_health([{'group_id': 'GID_orders', 'min_consumers': 0}], {'GID_orders': offline}))
    assert allowed_offline['min_consumers']['status'] == 'passed'


# ---------------------------------------------------------------------------------------------
# gate_health_verdicts: what cannot be told is inconclusive, never passed


def test_a_group_whose_query_failed_is_inconclusive_on_every_check_and_blocks():
    verdicts = run_health([{'group_id': 'GID_orders'}, {'group_id': 'GID_payments'}],
                          {'GID_orders': error_entry('GID_orders'), 'GID_payments': status_entry('GID_payments')},
                          {'GID_orders': error_entry('GID_orders'), 'GID_payments': accumulate_entry('GID_payments')}, **ALL_CHECKS)
    orders = by_check(verdicts, 'GID_orders')
    assert {verdict['status'] for verdict in orders.values()} == {'inconclusive'}
    assert all(verdict['blocking'] for verdict in orders.values())
    assert 'InternalError: boom (request id R1)' in orders['min_consumers']['reason']
    assert orders['min_consumers']['observed'] is None
    # The failure of one group hides nothing about the other.
    assert {verdict['status'] for verdict in by_check(verdicts, 'GID_payments').values()} == {'passed'}


def test_a_failed_task_makes_every_group_it_asked_for_inconclusive():
    plan = gate_health_plan([{'group_id': 'GID_a'}, {'group_id': 'GID_b'}], instance_id=INSTANCE)
    query = gate_health_targets(plan)[0]
    verdicts = gate_health_verdicts(plan, None, registered(task_failed(query, 'Failed to read the status of group GID_a: '
                                                                              'ServiceUnavailable: try later (request id R2)')))
    assert {(verdict['subject'], verdict['status']) for verdict in verdicts} == {('GID_a', 'inconclusive'), ('GID_b', 'inconclusive')}
    assert verdicts[0]['reason'].startswith('ons_consumer_status_info failed: Failed to read the status of group GID_a: ServiceUnavailable')


def test_no_answer_at_all_is_inconclusive():
    plan = gate_health_plan([{'group_id': 'GID_a', 'max_lag': 1}], instance_id=INSTANCE)
    verdicts = gate_health_verdicts(plan, None, None, None)
    assert [(verdict['check'], verdict['status']) for verdict in verdicts] == [
        ('min_consumers', 'inconclusive'), ('unique_client_ids', 'inconclusive'), ('subscription_consistent', 'inconclusive'),
        ('max_lag', 'inconclusive')]
    assert verdicts[0]['reason'] == 'ons_consumer_status_info gave no answer for the group'


def test_a_group_that_does_not_exist_fails_instead_of_being_inconclusive():
    verdicts = run_health([{'group_id': 'GID_gone', 'allow_inconclusive': ['min_consumers']}],
                          {'GID_gone': error_entry('GID_gone', 'BIZ_SUBSCRIPTION_NOT_FOUND', 400)})
    assert {verdict['status'] for verdict in verdicts} == {'failed'}
    assert all(verdict['blocking'] for verdict in verdicts)


def test_allowing_a_check_to_be_inconclusive_keeps_its_verdict_but_does_not_block():
    verdicts = run_health([{'group_id': 'GID_orders', 'max_lag': 10, 'allow_inconclusive': ['max_lag']}],
                          {'GID_orders': status_entry()}, {'GID_orders': error_entry('GID_orders')})
    lag = by_check(verdicts)['max_lag']
    assert lag['status'] == 'inconclusive' and not lag['blocking']
    assert gate_report(verdicts)['result'] == 'passed'
    blocked = run_health([{'group_id': 'GID_orders', 'max_lag': 10}], {'GID_orders': status_entry()}, {'GID_orders': error_entry('GID_orders')})
    assert by_check(blocked)['max_lag']['blocking']
    assert gate_report(blocked)['result'] == 'failed'


@pytest.mark.parametrize('connections', ['not a list', [{'client_addr': 'x'}, 'y'], None])
def test_connections_that_cannot_be_read_make_the_client_checks_inconclusive(connections):
    status = status_entry()
    status['connections'] = connections
    verdicts = run_health([{'group_id': 'GID_orders'}], {'GID_orders': status})
    assert {verdict['status'] for verdict in verdicts} == {'inconclusive'}
    assert 'cannot be read' in verdicts[0]['reason']


def test_a_version_that_is_no_version_name_is_inconclusive_unless_another_client_is_below_the_minimum():
    odd = status_entry(connections=[client('10.0.1.5:53012', 'V4_9_4'), client('10.0.1.6:53020', 'CUSTOM_BUILD')])
    check = by_check(run_health([{'group_id': 'GID_orders'}], {'GID_orders': odd}, min_version='V4_9_4'))['min_version']
    assert check['status'] == 'inconclusive'
    assert check['offenders'] == ['10.0.1.6:53020 on CUSTOM_BUILD (client id 10.0.1.6@53020#1#2#3)']
    odd['connections'][0]['version'] = 'V4_3_6'
    check = by_check(run_health([{'group_id': 'GID_orders'}], {'GID_orders': odd}, min_version='V4_9_4'))['min_version']
    assert check['status'] == 'failed'
    assert [offender.split(' ')[2] for offender in check['offenders']] == ['V4_3_6', 'CUSTOM_BUILD']


def test_uniform_version_treats_spellings_of_one_version_as_one():
    same = status_entry(connections=[client('10.0.1.5:53012', 'V4_9_4'), client('10.0.1.6:53020', '4.9.4')])
    assert by_check(run_health([{'group_id': 'GID_orders'}], {'GID_orders': same}, uniform_version=True))['uniform_version']['status'] == 'passed'


def test_a_client_without_language_or_id_makes_those_checks_inconclusive():
    status = status_entry(connections=[client('10.0.1.5:53012'), client('10.0.1.6:53020', language=None)])
    status['connections'][1]['client_id'] = None
    checks = by_check(run_health([{'group_id': 'GID_orders'}], {'GID_orders': status}, allowed_languages=['JAVA']))
    assert checks['allowed_languages']['status'] == 'inconclusive'
    assert checks['unique_client_ids']['status'] == 'inconclusive'


def test_subscriptions_fail_when_the_clients_differ_even_if_the_api_flag_says_they_agree():
    status = status_entry(connections=[client('10.0.1.5:53012'), client('10.0.1.6:53020'), client('10.0.1.7:53031')])
    status['clients'][0]['subscriptions'].append({'topic': 'refunds', 'sub_string': '*', 'sub_version': 1, 'tags': []})
    check = by_check(run_health([{'group_id': 'GID_orders'}], {'GID_orders': status}))['subscription_consistent']
    assert check['status'] == 'failed'
    assert check['observed'] == ['orders: *', 'orders: *; refunds: *']
    assert check['offenders'][0].startswith('10.0.1.5:53012 subscribes orders: *; refunds: * (most clients: orders: *)')


def test_subscriptions_the_api_does_not_describe_are_inconclusive():
    status = status_entry(subscription_same=None, clients=[])
    check = by_check(run_health([{'group_id': 'GID_orders'}], {'GID_orders': status}))['subscription_consistent']
    assert check['status'] == 'inconclusive'


@pytest.mark.parametrize('field, value', [('rebalance_ok', None), ('consume_model', None), ('consume_model', '')])
def test_a_flag_the_api_leaves_out_is_inconclusive(field, value):
    checks = by_check(run_health([{'group_id': 'GID_orders'}], {'GID_orders': status_entry(**{field: value})},
                                 rebalance_ok=True, message_model='CLUSTERING'))
    name = 'rebalance_ok' if field == 'rebalance_ok' else 'message_model'
    assert checks[name]['status'] == 'inconclusive'


@pytest.mark.parametrize('total_diff, delay_time', [(None, None), ('12', '3000'), (True, False)])
def test_lag_figures_that_are_missing_or_of_the_wrong_type_are_inconclusive(total_diff, delay_time):
    checks = by_check(run_health([{'group_id': 'GID_orders'}], {'GID_orders': status_entry()},
                                 {'GID_orders': accumulate_entry(total_diff=total_diff, delay_time=delay_time)},
                                 max_lag=10, max_delay_seconds=10))
    assert checks['max_lag']['status'] == 'inconclusive'
    assert checks['max_delay_seconds']['status'] == 'inconclusive'


def test_lag_at_the_limit_passes_and_one_more_fails():
    def lag_status(total):
        return by_check(run_health([{'group_id': 'GID_orders'}], {'GID_orders': status_entry()},
                                   {'GID_orders': accumulate_entry(total_diff=total)}, max_lag=100))['max_lag']['status']
    assert (lag_status(100), lag_status(101)) == ('passed', 'failed')


# ---------------------------------------------------------------------------------------------
# Rules


def rule_verdict(rule, status=None, lag=None, **defaults):
    verdicts = run_health([{'group_id': 'GID_orders', 'rules': [rule]}], {'GID_orders': status or status_entry()},
                          {'GID_orders': lag or accumulate_entry()}, **defaults)
    return by_check(verdicts)[rule['name']]


def test_a_rule_passes_when_the_query_returns_the_expected_value():
    assert rule_verdict({'name': 'two', 'query': 'summary.count', 'expect': 2})['status'] == 'passed'
    assert rule_verdict({'name': 'online', 'query': 'status.online'})['status'] == 'passed'
    assert rule_verdict({'name': 'three', 'query': 'summary.count', 'expect': 3})['status'] == 'failed'


def test_a_rule_does_not_take_a_number_for_a_boolean():
    assert rule_verdict({'name': 'count', 'query': 'summary.count', 'expect': True},
                        status_entry(connections=[client('10.0.1.5:53012')]))['status'] == 'failed'


def test_a_rule_listing_what_is_wrong_with_expect_empty_names_the_offenders():
    status = status_entry(connections=[client('10.0.1.5:53012'), client('10.0.1.6:53020', language='GO')])
    verdict = rule_verdict({'name': 'java', 'query': "status.connections[?language != 'JAVA'].client_addr", 'expect': []}, status)
    assert verdict['status'] == 'failed'
    assert verdict['offenders'] == ['10.0.1.6:53020']
    assert verdict['observed'] == ['10.0.1.6:53020']


def test_a_rule_that_cannot_be_evaluated_is_inconclusive():
    verdict = rule_verdict({'name': 'typed', 'query': 'length(status.total_diff)'})
    assert verdict['status'] == 'inconclusive'
    assert 'cannot be evaluated' in verdict['reason']
    allowed = rule_verdict({'name': 'typed', 'query': 'length(status.total_diff)', 'allow_inconclusive': True})
    assert allowed['status'] == 'inconclusive' and not allowed['blocking']


def test_a_rule_reading_the_lag_is_inconclusive_when_the_lag_could_not_be_read():
    verdict = rule_verdict({'name': 'lag', 'query': 'accumulate.total_diff', 'expect': 0}, lag=error_entry('GID_orders'))
    assert verdict['status'] == 'inconclusive'
    assert rule_verdict({'name': 'lag', 'query': 'accumulate.total_diff', 'expect': 0})['status'] == 'passed'


def test_a_rule_sees_plain_values_even_when_templating_hands_over_string_subclasses():
    class TaggedStr(str):
        pass

    status = status_entry(connections=[client(TaggedStr('10.0.1.5:53012'), language=TaggedStr('JAVA'))])
    verdict = rule_verdict({'name': 'lengths', 'query': 'length(status.connections[0].language)', 'expect': 4}, status)
    assert verdict['status'] == 'passed'


# ---------------------------------------------------------------------------------------------
# Selections


def select_plan(**select):
    return gate_health_plan([{'select': select}], instance_id=INSTANCE, name='consumer_health_groups')


def test_a_selection_that_matches_no_group_fails_the_gate():
    plan = select_plan(tags={'app': 'nothing'})
    verdicts = gate_health_verdicts(plan, registered(answered(plan['selectors'][0], 'groups', [])), registered())
    assert [(verdict['kind'], verdict['check'], verdict['status']) for verdict in verdicts] == [('selection', 'select', 'failed')]
    assert verdicts[0]['expected'] == 'every group with tag app=nothing'
    assert gate_report(verdicts)['result'] == 'failed'


def test_a_failed_selection_is_inconclusive_and_a_missing_instance_fails():
    plan = select_plan()
    failed = gate_health_verdicts(plan, registered(task_failed(plan['selectors'][0], 'Failed to list the groups: Throttling.User')))
    assert failed[0]['status'] == 'inconclusive'
    assert 'the groups it selects were not checked' in failed[0]['reason']
    gone = gate_health_verdicts(plan, registered(task_failed(plan['selectors'][0], 'Failed to list the groups: INSTANCE_NOT_FOUND',
                                                             code='INSTANCE_NOT_FOUND')))
    assert gone[0]['status'] == 'failed'


def test_a_selection_reports_the_groups_it_chose_and_they_are_all_checked():
    plan = select_plan(group_id='GID_', exclude=['GID_b'])
    selected = registered(answered(plan['selectors'][0], 'groups', [{'group_id': 'GID_a'}, {'group_id': 'GID_b'}, {'group_id': 'GID_c'}]))
    query = gate_health_targets(plan, selected)[0]
    status = registered(answered(query, 'groups', [status_entry('GID_a'), status_entry('GID_c')]))
    verdicts = gate_health_verdicts(plan, selected, status)
    assert verdicts[0]['status'] == 'passed' and verdicts[0]['observed'] == ['GID_a', 'GID_c']
    assert sorted({verdict['subject'] for verdict in verdicts[1:]}) == ['GID_a', 'GID_c']


# ---------------------------------------------------------------------------------------------
# Message delivery

MSG = '0A0001050000217A000000000000A1B2'
MSG2 = '0A0001050000217A000000000000A1B3'


def track(group, kind):
    return {'consumer_group': group, 'track_type': kind, 'instance_id': INSTANCE}


def trace_entry(msg_id=MSG, tracks=None, found=True, topic='orders', error=None):
    return {'msg_id': msg_id, 'topic': topic, 'found': found, 'tracks': tracks if tracks is not None else [],
            'request_id': 'REQ-T', 'error': error}


def run_delivery(messages, entries, **defaults):
    defaults.setdefault('instance_id', INSTANCE)
    plan = gate_delivery_plan(messages, name='message_delivery_messages', **defaults)
    results = []
    for query in plan['queries']:
        results.append(answered(query, 'messages', [entries[msg_id] for msg_id in query['msg_ids']]))
    return gate_delivery_verdicts(plan, registered(*results))


def test_delivery_plan_groups_the_traces_by_instance_and_topic():
    plan = gate_delivery_plan([{'topic': 'orders', 'msg_id': MSG}, {'topic': 'payments', 'msg_id': MSG2},
                               {'topic': 'orders', 'msg_id': MSG2}, {'topic': 'orders', 'msg_id': MSG, 'instance_id': OTHER_INSTANCE}],
                              instance_id=INSTANCE)
    assert plan['queries'] == [{'instance_id': INSTANCE, 'topic': 'orders', 'msg_ids': [MSG, MSG2]},
                               {'instance_id': INSTANCE, 'topic': 'payments', 'msg_ids': [MSG2]},
                               {'instance_id': OTHER_INSTANCE, 'topic': 'orders', 'msg_ids': [MSG]}]
    assert plan['messages'][0]['allow_filtered'] is True and plan['messages'][0]['expect_consumed_by'] is None


@pytest.mark.parametrize('message, message_error', [
    ({'topic': 'orders'}, r"messages\[0\]\.msg_id: expected a message ID, got None"),
    ({'topic': 'orders', 'msg_id': MSG, 'groups': ['x']}, r"messages\[0\]: unknown key groups"),
    ({'topic': 'orders', 'msg_id': MSG, 'expect_consumed_by': []}, r"expect_consumed_by: lists no group"),
    ({'topic': 'orders', 'msg_id': MSG, 'allow_filtered': 'sometimes'}, r"allow_filtered: 'sometimes' is not a boolean"),
])
def test_delivery_plan_rejects_bad_input_naming_the_message_and_key(message, message_error):
    with pytest.raises(AnsibleFilterError, match=message_error):
        gate_delivery_plan([message], instance_id=INSTANCE)


def test_delivery_plan_rejects_a_message_listed_twice_and_one_without_instance():
    with pytest.raises(AnsibleFilterError, match=r"messages\[1\]: message .* of topic orders is listed twice"):
        gate_delivery_plan([{'topic': 'orders', 'msg_id': MSG}] * 2, instance_id=INSTANCE)
    with pytest.raises(AnsibleFilterError, match=r"messages\[0\]: no instance_id"):
        gate_delivery_plan([{'topic': 'orders', 'msg_id': MSG}])


def test_a_message_consumed_by_every_tracking_group_passes():
    verdict = run_delivery([{'topic': 'orders', 'msg_id': MSG}],
                           {MSG: trace_entry(tracks=[track('GID_a', 'CONSUMED'), track('GID_b', 'CONSUMED_BUT_FILTERED')])})[0]
    assert (verdict['suite'], verdict['subject'], verdict['check'], verdict['status']) == (
        'message_delivery', 'orders/%s' % MSG, 'consumed', 'passed')
    assert verdict['expected'] == ['GID_a', 'GID_b']
    assert verdict['observed'] == {'GID_a': 'CONSUMED', 'GID_b': 'CONSUMED_BUT_FILTERED'}


@pytest.mark.parametrize('kind', ['NOT_CONSUME_YET', 'NOT_ONLINE'])
def test_a_message_a_group_has_not_consumed_fails_naming_the_group(kind):
    verdict = run_delivery([{'topic': 'orders', 'msg_id': MSG}],
                           {MSG: trace_entry(tracks=[track('GID_a', 'CONSUMED'), track('GID_b', kind)])})[0]
    assert verdict['status'] == 'failed' and verdict['blocking']
    assert verdict['offenders'] == ['GID_b: %s' % kind]


def test_a_filtered_message_fails_when_filtered_ones_do_not_count():
    entries = {MSG: trace_entry(tracks=[track('GID_a', 'CONSUMED_BUT_FILTERED')])}
    assert run_delivery([{'topic': 'orders', 'msg_id': MSG, 'allow_filtered': False}], entries)[0]['status'] == 'failed'
    assert run_delivery([{'topic': 'orders', 'msg_id': MSG}], entries, allow_filtered=False)[0]['status'] == 'failed'
    assert run_delivery([{'topic': 'orders', 'msg_id': MSG}], entries)[0]['status'] == 'passed'


def test_an_expected_group_without_a_track_fails_and_other_groups_do_not_matter():
    verdict = run_delivery([{'topic': 'orders', 'msg_id': MSG, 'expect_consumed_by': ['GID_a', 'GID_new']}],
                           {MSG: trace_entry(tracks=[track('GID_a', 'CONSUMED'), track('GID_other', 'NOT_ONLINE')])})[0]
    assert verdict['status'] == 'failed'
    assert verdict['offenders'] == ['GID_new: NO_TRACK']
    assert verdict['expected'] == ['GID_a', 'GID_new']


@pytest.mark.parametrize('kind', ['UNKNOWN', 'PULL', 'CONSUME_BROADCASTING', 'SOMETHING_NEW'])
def test_a_track_that_does_not_tell_is_inconclusive(kind):
    verdict = run_delivery([{'topic': 'orders', 'msg_id': MSG}], {MSG: trace_entry(tracks=[track('GID_a', kind)])})[0]
    assert verdict['status'] == 'inconclusive' and verdict['blocking']
    allowed = run_delivery([{'topic': 'orders', 'msg_id': MSG, 'allow_inconclusive': True}],
                           {MSG: trace_entry(tracks=[track('GID_a', kind)])})[0]
    assert allowed['status'] == 'inconclusive' and not allowed['blocking']


def test_a_missing_message_fails_and_a_failed_trace_is_inconclusive():
    missing = run_delivery([{'topic': 'orders', 'msg_id': MSG}], {MSG: trace_entry(found=False)})[0]
    assert missing['status'] == 'failed' and missing['observed'] == 'not found'
    failed = run_delivery([{'topic': 'orders', 'msg_id': MSG}],
                          {MSG: trace_entry(found=False, error={'code': 'InternalError', 'message': 'Failed to trace: boom'})})[0]
    assert failed['status'] == 'inconclusive' and failed['reason'] == 'ons_trace_info failed: InternalError: Failed to trace: boom'
    no_topic = run_delivery([{'topic': 'orders', 'msg_id': MSG}],
                            {MSG: trace_entry(found=False, error={'code': 'BIZ_TOPIC_NOT_FOUND', 'message': 'no topic'})})[0]
    assert no_topic['status'] == 'failed'


def test_a_message_no_group_tracks_fails():
    verdict = run_delivery([{'topic': 'orders', 'msg_id': MSG}], {MSG: trace_entry(tracks=[])})[0]
    assert verdict['status'] == 'failed'
    assert 'no consumer group tracks the message' in verdict['reason']


def test_group_names_with_the_instance_prefix_match_plain_group_ids():
    verdict = run_delivery([{'topic': 'orders', 'msg_id': MSG, 'expect_consumed_by': ['GID_a']}],
                           {MSG: trace_entry(tracks=[track(INSTANCE + '%GID_a', 'CONSUMED')])})[0]
    assert verdict['status'] == 'passed'


def test_a_failed_trace_task_makes_its_messages_inconclusive():
    plan = gate_delivery_plan([{'topic': 'orders', 'msg_id': MSG}, {'topic': 'orders', 'msg_id': MSG2}], instance_id=INSTANCE)
    verdicts = gate_delivery_verdicts(plan, registered(task_failed(plan['queries'][0], 'Failed to trace message: Throttling.User')))
    assert [verdict['status'] for verdict in verdicts] == ['inconclusive', 'inconclusive']


# ---------------------------------------------------------------------------------------------
# Reports


def sample_verdicts():
    status, lag, _offenders = failing_case('uniform_version')
    health = run_health([{'group_id': 'GID_orders'}, {'group_id': 'GID_payments', 'max_lag': 5, 'allow_inconclusive': ['max_lag']}],
                        {'GID_orders': status, 'GID_payments': status_entry('GID_payments')},
                        {'GID_payments': error_entry('GID_payments')}, uniform_version=True)
    delivery = run_delivery([{'topic': 'orders', 'msg_id': MSG}],
                            {MSG: trace_entry(tracks=[track('GID_orders', 'CONSUMED'), track('GID_audit', 'NOT_CONSUME_YET')])})
    return health + delivery


RUNS = [{'suite': 'consumer_health', 'attempts': 3, 'elapsed_seconds': 12.5, 'wait_timeout': 10.0, 'poll_interval': 2.0, 'timed_out': True},
        {'suite': 'message_delivery', 'attempts': 1, 'elapsed_seconds': 0.8, 'wait_timeout': 0.0, 'poll_interval': 10.0, 'timed_out': False}]


def test_the_report_counts_every_verdict_and_fails_on_blocking_ones():
    report = gate_report(sample_verdicts(), name='release', runs=RUNS, started='2030-01-01T00:00:00Z', finished='2030-01-01T00:00:13Z')
    assert report['result'] == 'failed'
    assert report['counts'] == {'checks': 10, 'passed': 7, 'failed': 2, 'inconclusive': 1, 'not_applicable': 0, 'blocking': 2}
    assert (report['gate'], report['started'], report['finished']) == ('release', '2030-01-01T00:00:00Z', '2030-01-01T00:00:13Z')
    assert report['runs'] == RUNS
    assert json.loads(json.dumps(report)) == report


def test_the_report_passes_when_nothing_blocks_and_fails_when_nothing_was_checked():
    passing = [verdict for verdict in sample_verdicts() if not verdict['blocking']]
    assert gate_report(passing)['result'] == 'passed'
    assert gate_report(passing)['failures'] == []
    empty = gate_report([])
    assert empty['result'] == 'failed'
    assert empty['failures'] == ['no check was evaluated: the gate lists no group and no message, so it cannot pass']


def test_failure_lines_name_subject_check_expected_observed_and_offenders_one_per_blocking_check():
    lines = gate_failures(gate_report(sample_verdicts()))
    assert lines == [
        'GID_orders uniform_version FAILED: expected one version, observed V4_9_4: 1, V5_1_0: 2; 2 versions in use; '
        '1 client not on V5_1_0; offenders: 10.0.1.5:53012 on V4_9_4 (client id 10.0.1.5@53012#1#2#3)',
        'orders/%s consumed FAILED: expected GID_audit, GID_orders, observed GID_orders: CONSUMED, GID_audit: NOT_CONSUME_YET; '
        '1 of 2 groups did not consume the message; offenders: GID_audit: NOT_CONSUME_YET' % MSG,
    ]


def test_failure_lines_name_the_instance_when_the_gate_spans_several():
    verdicts = run_health([{'group_id': 'GID_orders'}, {'group_id': 'GID_orders', 'instance_id': OTHER_INSTANCE}],
                          {'GID_orders': status_entry(connections=[])})
    lines = gate_failures(gate_report(verdicts))
    assert [line.split(':')[0] for line in lines] == [
        'GID_orders (%s) min_consumers FAILED' % INSTANCE, 'GID_orders (%s) min_consumers FAILED' % OTHER_INSTANCE]


def test_long_offender_lists_are_shortened_in_lines_but_complete_in_the_report():
    status = status_entry(connections=[client('10.0.2.%d:5000' % n, 'V4_0_0') for n in range(12)])
    report = gate_report(run_health([{'group_id': 'GID_orders'}], {'GID_orders': status}, min_version='V4_9_4'))
    assert len(report['checks'][1]['offenders']) == 12
    assert report['failures'][0].endswith('and 4 more')


def test_the_summary_gives_the_outcome_each_run_each_subject_each_failure_and_the_report_paths():
    lines = gate_summary(gate_report(sample_verdicts(), name='release', runs=RUNS), {'JSON': '/r/release.json'})
    assert lines[:7] == [
        'release FAILED: 10 checks, 7 passed, 2 failed, 1 inconclusive',
        '  consumer_health: 3 attempts in 12.5 s, still failing when wait_timeout (10 s) ran out',
        '  message_delivery: 1 attempt in 0.8 s',
        '  FAIL  GID_orders: uniform_version failed',
        '  ok    GID_payments: 4 passed, max_lag inconclusive (allowed)',
        '  FAIL  orders/%s: consumed failed' % MSG,
        '  - GID_orders uniform_version FAILED: expected one version, observed V4_9_4: 1, V5_1_0: 2; 2 versions in use; '
        '1 client not on V5_1_0; offenders: 10.0.1.5:53012 on V4_9_4 (client id 10.0.1.5@53012#1#2#3)',
    ]
    assert lines[-1] == '  JSON report: /r/release.json'


def test_junit_has_one_suite_per_role_and_one_case_per_subject_and_check():
    root = ET.fromstring(gate_junit(gate_report(sample_verdicts(), name='release', runs=RUNS, finished='2030-01-01T00:00:13Z')))
    suites = root.findall('testsuite')
    assert root.tag == 'testsuites' and {suite.get('package') for suite in suites} == {'release'}
    assert {key: sum(int(suite.get(key)) for suite in suites) for key in ('tests', 'failures', 'errors', 'skipped')} == {
        'tests': 10, 'failures': 2, 'errors': 0, 'skipped': 1}
    assert [(suite.get('name'), suite.get('tests'), suite.get('failures'), suite.get('time')) for suite in suites] == [
        ('consumer_health', '9', '1', '12.500'), ('message_delivery', '1', '1', '0.800')]
    cases = [(case.get('classname'), case.get('name')) for case in root.iter('testcase')]
    assert len(cases) == len(set(cases)) == 10
    assert ('consumer_health.%s.GID_orders' % INSTANCE, 'uniform_version') in cases
    assert ('message_delivery.%s.orders.%s' % (INSTANCE, MSG), 'consumed') in cases
    failure = root.find(".//testcase[@name='uniform_version']/failure")
    assert failure.get('type') == 'failed'
    assert 'offender: 10.0.1.5:53012 on V4_9_4' in failure.text
    assert root.find(".//testcase[@name='max_lag']/skipped") is not None
    assert list(root.find(".//testcase[@name='min_consumers']")) == []
    assert 'GID_orders min_consumers PASSED' in suites[0].find('system-out').text


def test_junit_reports_a_blocking_inconclusive_check_as_an_error():
    verdicts = run_health([{'group_id': 'GID_orders'}], {'GID_orders': error_entry('GID_orders')})
    root = ET.fromstring(gate_junit(gate_report(verdicts)))
    assert (root.find('testsuite').get('errors'), root.find('testsuite').get('failures')) == ('3', '0')
    assert root.find('.//error').get('type') == 'inconclusive'


def test_junit_escapes_markup_and_drops_characters_xml_cannot_carry():
    verdicts = run_health([{'group_id': 'GID_orders'}], {'GID_orders': error_entry('GID_orders')})
    for verdict in verdicts:
        verdict['reason'] = 'answer <html>&"quoted"</html>\x00\x1b[31m \ud800 end'
    text = gate_junit(gate_report(verdicts))
    root = ET.fromstring(text.encode('utf-8'))
    error = root.find('.//error')
    assert 'answer <html>&"quoted"</html>\\x00\\x1b[31m  end' in error.text
    assert '\x00' not in text and '\x1b' not in text


def test_junit_of_an_empty_gate_has_one_failing_case():
    root = ET.fromstring(gate_junit(gate_report([])))
    assert (root.find('testsuite').get('tests'), root.find('testsuite').get('failures')) == ('1', '1')


@pytest.mark.parametrize('report', [None, [], {'checks': []}, 'passed'])
def test_report_renderers_reject_what_gate_report_did_not_make(report):
    for render in (gate_failures, gate_summary, gate_junit):
        with pytest.raises(AnsibleFilterError):
            render(report)


def test_gate_report_rejects_something_that_is_not_a_verdict():
    with pytest.raises(AnsibleFilterError, match=r'verdicts\[0\]: not a verdict'):
        gate_report([{'status': 'ok'}])


def test_the_filters_do_not_change_their_inputs():
    groups = [{'group_id': 'GID_orders', 'rules': [{'name': 'r', 'query': 'summary.count', 'expect': 2}]}]
    before = copy.deepcopy(groups)
    plan = gate_health_plan(groups, instance_id=INSTANCE)
    plan_before = copy.deepcopy(plan)
    status = registered(answered(gate_health_targets(plan)[0], 'groups', [status_entry()]))
    status_before = copy.deepcopy(status)
    verdicts = gate_health_verdicts(plan, None, status)
    verdicts_before = copy.deepcopy(verdicts)
    gate_junit(gate_report(verdicts))
    assert (groups, plan, status, verdicts) == (before, plan_before, status_before, verdicts_before)


def test_every_filter_is_registered_under_its_documented_name():
    assert sorted(FilterModule().filters()) == [
        'gate_connection', 'gate_delivery_plan', 'gate_delivery_verdicts', 'gate_failures', 'gate_file_name',
        'gate_health_plan', 'gate_health_targets', 'gate_health_verdicts', 'gate_junit', 'gate_report', 'gate_stopped',
        'gate_suites', 'gate_summary', 'gate_variables']


# ---------------------------------------------------------------------------------------------
# The vars files shipped next to the playbooks


COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
ROLE_WIDE_CHECKS = ('min_consumers', 'max_consumers', 'min_version', 'uniform_version', 'allowed_languages', 'message_model',
                    'unique_client_ids', 'subscription_consistent', 'rebalance_ok', 'max_lag', 'max_delay_seconds', 'rules',
                    'allow_inconclusive')
CONNECTION_VARS = ('ons_region', 'ons_endpoint', 'ons_profile', 'ons_access_key_id', 'ons_access_key_secret', 'ons_security_token',
                   'ons_ecs_role_name', 'ons_network', 'ons_rate_limit', 'ons_retries', 'ons_timeout')


def role_options():
    """Every variable the roles document in their argument specs."""
    import yaml

    options = set()
    for role in ('consumer_health', 'message_delivery', 'gate_report'):
        with open(os.path.join(COLLECTION_ROOT, 'roles', role, 'meta', 'argument_specs.yml')) as handle:
            options.update(yaml.safe_load(handle)['argument_specs']['main']['options'])
    return options


@pytest.mark.parametrize('name', ['demo_gate.yml', 'gate.example.yml'])
def test_the_shipped_gate_vars_files_set_only_documented_variables_and_make_valid_plans(name):
    import yaml

    with open(os.path.join(COLLECTION_ROOT, 'playbooks', 'vars', name)) as handle:
        gate = yaml.safe_load(handle)
    assert sorted(set(gate) - role_options() - set(CONNECTION_VARS)) == []
    role_wide = {check: gate['consumer_health_' + check] for check in ROLE_WIDE_CHECKS if 'consumer_health_' + check in gate}
    plan = gate_health_plan(gate['consumer_health_groups'], instance_id=gate.get('consumer_health_instance_id'),
                            name='consumer_health_groups', **role_wide)
    assert plan['entries']
    # Message IDs may come from the environment in a template; any valid ID stands in for it.
    messages = [dict(message, msg_id=MSG if '{{' in message['msg_id'] else message['msg_id'])
                for message in gate['message_delivery_messages']]
    assert gate_delivery_plan(messages, instance_id=gate.get('message_delivery_instance_id'))['queries']
