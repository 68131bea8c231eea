# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The verdicts of the gate's checks: each built-in check, rules, HTTP groups, what cannot be told, and messages.

The facts are the status entries and trace entries the engine hands to group_verdicts and
message_verdict (see gate_builders), or the Problem that stands for an answer the API did not give.
"""

import copy
import json

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils import gate_conditions
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_checks import HTTP_REASON, group_verdicts, needs_status
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_model import problem
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_report import gate_report
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_spec import group_plan
from ansible_collections.apsaramq.rocketmq.tests.unit.plugins.plugin_utils.gate_builders import (
    INSTANCE,
    MSG,
    MSG2,
    by_check,
    client,
    deliver,
    judge,
    samples_of,
    status_entry,
    topic,
    trace_entry,
    running,
    track,
)

ALL_CHECKS = dict(min_consumers=2, max_consumers=4, min_version='V4_9_4', uniform_version=True, allowed_languages=['java'],
                  message_model='CLUSTERING', unique_client_ids=True, subscription_consistent=True, rebalance_ok=True,
                  max_lag=100, max_delay_seconds=60, max_failed_percent=10)
CONNECTION_CHECKS = ['min_consumers', 'unique_client_ids', 'subscription_consistent', 'max_failed_percent']
STATUS_FAILED = problem('ons_consumer_status_info failed: InternalError: boom (request id R1)', {'code': 'InternalError'})


def orders(status, **defaults):
    """The verdicts of GID_orders, by check, with ``status`` and the checks ``defaults``."""
    return by_check(judge([{'group_id': 'GID_orders'}], {'GID_orders': status}, **defaults))


# ---------------------------------------------------------------------------------------------
# Each built-in check passing and failing


def test_a_healthy_group_passes_every_built_in_check():
    checks = orders(status_entry(total_diff=3, delay_time=1500), **ALL_CHECKS)
    assert sorted(checks) == sorted(ALL_CHECKS)
    assert {check: verdict['status'] for check, verdict in checks.items()} == {check: 'passed' for check in ALL_CHECKS}
    assert not any(verdict['blocking'] for verdict in checks.values())
    assert checks['min_consumers']['observed'] == 2
    assert checks['uniform_version']['observed'] == {'V4_9_4': 2}
    assert checks['max_lag']['observed'] == 3
    assert checks['max_delay_seconds']['observed'] == '1.5 s'


def failing_case(check):
    """A status entry on which exactly ``check`` of ALL_CHECKS fails, and the offenders it must name."""
    status = status_entry()
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
        status = status_entry(total_diff=600, topics=[topic('refunds', 100, 1000), topic('orders', 500, 9000), topic('quiet', 0)])
        offenders = ['topic orders: 500 messages behind', 'topic refunds: 100 messages behind']
    elif check == 'max_delay_seconds':
        status = status_entry(delay_time=90500, topics=[topic('orders', 50, 90500)])
        offenders = ['topic orders: 90.5 s behind']
    elif check == 'max_failed_percent':
        status['clients'][1]['running_data'] = [running('orders', 1.0, 4.0)]
        offenders = ['10.0.1.6:53020 on V4_9_4: 4/s failed, 1/s consumed (client id 10.0.1.6@53020#1#2#3)']
    return status, offenders


@pytest.mark.parametrize('check', sorted(ALL_CHECKS))
def test_each_built_in_check_fails_alone_and_names_its_offenders(check):
    status, offenders = failing_case(check)
    checks = orders(status, **ALL_CHECKS)
    assert sorted(name for name, verdict in checks.items() if verdict['status'] != 'passed') == [check]
    assert checks[check]['status'] == 'failed' and checks[check]['blocking']
    assert checks[check]['offenders'] == offenders
    assert checks[check]['reason']


def test_every_check_is_evaluated_even_after_one_fails():
    status = status_entry(connections=[client('172.17.0.2:53012', 'V4_3_6', 'GO', '172.17.0.2@1#same'),
                                       client('172.17.0.2:53013', 'V5_1_0', 'JAVA', '172.17.0.2@1#same')],
                          rebalance_ok=False, consume_model='BROADCASTING', subscription_same=False, total_diff=1000,
                          delay_time=120000)
    settings = dict(ALL_CHECKS)
    settings['min_consumers'] = 3
    checks = orders(status, **settings)  # pylint: disable=repeated-keyword
    assert {check: verdict['status'] for check, verdict in checks.items()} == {
        'min_consumers': 'failed', 'max_consumers': 'passed', 'min_version': 'failed', 'uniform_version': 'failed',
        'allowed_languages': 'failed', 'message_model': 'failed', 'unique_client_ids': 'failed',
        'subscription_consistent': 'failed', 'rebalance_ok': 'failed', 'max_lag': 'failed', 'max_delay_seconds': 'failed',
        'max_failed_percent': 'passed'}


def test_every_group_is_judged_in_plan_order_with_its_checks_in_registry_order():
    verdicts = judge([{'group_id': 'GID_a'}, {'group_id': 'GID_b'}],
                     {'GID_a': status_entry('GID_a', connections=[]), 'GID_b': status_entry('GID_b')})
    assert [(verdict['subject'], verdict['check'], verdict['status']) for verdict in verdicts] == [
        ('GID_a', 'min_consumers', 'failed'), ('GID_a', 'unique_client_ids', 'passed'), ('GID_a', 'subscription_consistent', 'passed'),
        ('GID_a', 'max_failed_percent', 'not_applicable'),
        ('GID_b', 'min_consumers', 'passed'), ('GID_b', 'unique_client_ids', 'passed'), ('GID_b', 'subscription_consistent', 'passed'),
        ('GID_b', 'max_failed_percent', 'passed')]
    assert {(verdict['suite'], verdict['kind'], verdict['instance_id'], verdict['group_type']) for verdict in verdicts} == {
        ('consumer_health', 'group', INSTANCE, 'tcp')}


def test_a_group_without_clients_fails_min_consumers_and_has_nothing_wrong_otherwise():
    offline = status_entry(connections=[], online=False, subscription_same=None, rebalance_ok=None, clients=[])
    checks = orders(offline, min_version='V4_9_4', uniform_version=True, allowed_languages=['JAVA'])
    assert checks['min_consumers']['status'] == 'failed'
    assert checks['min_consumers']['reason'] == '0 clients online, 1 needed'
    for name in ('min_version', 'uniform_version', 'allowed_languages', 'unique_client_ids', 'subscription_consistent'):
        assert checks[name]['status'] == 'passed', name
        assert checks[name]['reason'] == 'no client online', name
    assert orders(offline, min_consumers=0)['min_consumers']['status'] == 'passed'


def test_lag_at_the_limit_passes_and_one_more_fails():
    assert [orders(status_entry(total_diff=total), max_lag=100)['max_lag']['status'] for total in (100, 101)] == ['passed', 'failed']
    assert [orders(status_entry(delay_time=delay), max_delay_seconds=60)['max_delay_seconds']['status']
            for delay in (60000, 60001)] == ['passed', 'failed']


# ---------------------------------------------------------------------------------------------
# What cannot be told is inconclusive, never passed


def test_a_group_whose_status_could_not_be_read_is_inconclusive_on_every_check_and_blocks():
    verdicts = judge([{'group_id': 'GID_orders'}, {'group_id': 'GID_payments'}],
                     {'GID_orders': STATUS_FAILED, 'GID_payments': status_entry('GID_payments')}, **ALL_CHECKS)
    failed = by_check(verdicts, 'GID_orders')
    assert sorted(failed) == sorted(ALL_CHECKS)
    assert {verdict['status'] for verdict in failed.values()} == {'inconclusive'}
    assert all(verdict['blocking'] for verdict in failed.values())
    assert {verdict['reason'] for verdict in failed.values()} == {STATUS_FAILED}
    assert failed['min_consumers']['observed'] is None
    # The failure of one group hides nothing about the other.
    assert {verdict['status'] for verdict in by_check(verdicts, 'GID_payments').values()} == {'passed'}


def test_no_answer_at_all_is_inconclusive():
    verdicts = judge([{'group_id': 'GID_orders', 'max_lag': 1}], {})
    assert [(verdict['check'], verdict['status']) for verdict in verdicts] == [
        ('min_consumers', 'inconclusive'), ('unique_client_ids', 'inconclusive'), ('subscription_consistent', 'inconclusive'),
        ('max_lag', 'inconclusive'), ('max_failed_percent', 'inconclusive')]
    assert verdicts[0]['reason'] == 'ons_consumer_status_info gave no answer for the group'


def test_a_group_the_api_says_does_not_exist_fails_even_where_inconclusive_is_allowed():
    gone = problem('ons_consumer_status_info failed: BIZ_SUBSCRIPTION_NOT_FOUND: no such group', {'code': 'BIZ_SUBSCRIPTION_NOT_FOUND'})
    verdicts = judge([{'group_id': 'GID_gone', 'allow_inconclusive': ['min_consumers']}], {'GID_gone': gone})
    assert {verdict['status'] for verdict in verdicts} == {'failed'}
    assert all(verdict['blocking'] for verdict in verdicts)


def test_allowing_a_check_to_be_inconclusive_keeps_its_verdict_but_does_not_block():
    unknown_lag = status_entry(total_diff=None)
    allowed = judge([{'group_id': 'GID_orders', 'max_lag': 10, 'allow_inconclusive': ['max_lag']}], {'GID_orders': unknown_lag})
    lag = by_check(allowed)['max_lag']
    assert lag['status'] == 'inconclusive' and not lag['blocking']
    assert gate_report(allowed)['result'] == 'passed'
    blocked = judge([{'group_id': 'GID_orders', 'max_lag': 10}], {'GID_orders': unknown_lag})
    assert by_check(blocked)['max_lag']['blocking']
    assert gate_report(blocked)['result'] == 'failed'


@pytest.mark.parametrize('connections', ['not a list', [{'client_addr': 'x'}, 'y'], None])
def test_connections_that_cannot_be_read_make_every_check_inconclusive(connections):
    status = status_entry()
    status['connections'] = connections
    verdicts = judge([{'group_id': 'GID_orders', 'rules': [{'name': 'r', 'query': 'status.online'}]}], {'GID_orders': status})
    assert {verdict['status'] for verdict in verdicts} == {'inconclusive'}
    assert 'cannot be read' in verdicts[0]['reason']


@pytest.mark.parametrize('status', [7, 'junk', ['GID_orders'], {'group_id': ['GID_orders']}])
def test_a_status_of_the_wrong_shape_makes_the_checks_inconclusive(status):
    verdicts = judge([{'group_id': 'GID_orders'}], {'GID_orders': status})
    assert {verdict['status'] for verdict in verdicts} == {'inconclusive'}


def test_a_version_that_is_no_version_name_is_inconclusive_unless_another_client_is_below_the_minimum():
    odd = status_entry(connections=[client('10.0.1.5:53012', 'V4_9_4'), client('10.0.1.6:53020', 'CUSTOM_BUILD')])
    check = orders(odd, min_version='V4_9_4')['min_version']
    assert check['status'] == 'inconclusive'
    assert check['offenders'] == ['10.0.1.6:53020 on CUSTOM_BUILD (client id 10.0.1.6@53020#1#2#3)']
    odd['connections'][0]['version'] = 'V4_3_6'
    check = orders(odd, min_version='V4_9_4')['min_version']
    assert check['status'] == 'failed'
    assert [offender.split(' ')[2] for offender in check['offenders']] == ['V4_3_6', 'CUSTOM_BUILD']


def test_uniform_version_treats_spellings_of_one_version_as_one():
    same = status_entry(connections=[client('10.0.1.5:53012', 'V4_9_4'), client('10.0.1.6:53020', '4.9.4')])
    assert orders(same, uniform_version=True)['uniform_version']['status'] == 'passed'


# A version of 5000 digits, as an API may give it: Python refuses to convert a number that long.
LONG_VERSION = 'V' + '9' * 5000 + '_0_0'


def test_a_version_too_long_to_order_makes_only_min_version_inconclusive_naming_the_client_and_every_other_check_is_judged():
    status = status_entry(connections=[client('10.0.1.5:53012', 'V4_9_4'), client('10.0.1.6:53020', LONG_VERSION)],
                          total_diff=500, topics=[topic('orders', 500)])
    checks = orders(status, **ALL_CHECKS)
    assert sorted(checks) == sorted(ALL_CHECKS)
    assert checks['min_version']['status'] == 'inconclusive' and checks['min_version']['blocking']
    assert checks['min_version']['offenders'] == [
        '10.0.1.6:53020 on V999999999999999\u2026(5005 characters) (client id 10.0.1.6@53020#1#2#3)']
    assert checks['min_version']['observed'] == {'V4_9_4': 1, 'V999999999999999\u2026(5005 characters)': 1}
    # The other checks judge the same facts as ever: the names differ, so the versions are not one.
    assert checks['uniform_version']['status'] == 'failed'
    assert checks['uniform_version']['offenders'] == [
        '10.0.1.6:53020 on V999999999999999\u2026(5005 characters) (client id 10.0.1.6@53020#1#2#3)']
    assert checks['max_lag']['status'] == 'failed' and checks['max_lag']['offenders'] == ['topic orders: 500 messages behind']
    assert {name: verdict['status'] for name, verdict in checks.items()
            if name not in ('min_version', 'uniform_version', 'max_lag')} == {
        name: 'passed' for name in ALL_CHECKS if name not in ('min_version', 'uniform_version', 'max_lag')}
    # And the report of it is written: every figure and name in it can be printed.
    report = gate_report(list(checks.values()))
    assert len(json.dumps(report)) < 10000


def test_a_client_below_the_minimum_still_fails_min_version_beside_one_whose_version_cannot_be_ordered():
    status = status_entry(connections=[client('10.0.1.5:53012', 'V4_3_6'), client('10.0.1.6:53020', 10 ** 5000)])
    check = orders(status, min_version='V4_9_4')['min_version']
    assert check['status'] == 'failed'
    assert check['offenders'] == ['10.0.1.5:53012 on V4_3_6 (client id 10.0.1.5@53012#1#2#3)',
                                  '10.0.1.6:53020 on 1000\u2026(5001 digits) (client id 10.0.1.6@53020#1#2#3)']


@pytest.mark.parametrize('figure', [10 ** 400, 2 ** 63, -10 ** 5000], ids=['401 digits', '2**63', '-5001 digits'])
def test_a_lag_figure_beyond_a_64_bit_number_is_inconclusive_not_an_overflow(figure):
    status = status_entry(total_diff=figure, delay_time=figure, topics=[topic('orders', figure, figure)])
    checks = orders(status, max_lag=10, max_delay_seconds=10)
    assert checks['max_lag']['status'] == 'inconclusive'
    assert checks['max_delay_seconds']['status'] == 'inconclusive'
    assert checks['min_consumers']['status'] == 'passed'
    json.dumps(gate_report(list(checks.values())))


def test_a_client_without_language_or_id_makes_those_checks_inconclusive():
    status = status_entry(connections=[client('10.0.1.5:53012'), client('10.0.1.6:53020', language=None)])
    status['connections'][1]['client_id'] = None
    checks = orders(status, allowed_languages=['JAVA'])
    assert checks['allowed_languages']['status'] == 'inconclusive'
    assert checks['unique_client_ids']['status'] == 'inconclusive'


def test_subscriptions_fail_when_the_clients_differ_even_if_the_api_flag_says_they_agree():
    status = status_entry(connections=[client('10.0.1.5:53012'), client('10.0.1.6:53020'), client('10.0.1.7:53031')])
    status['clients'][0]['subscriptions'].append({'topic': 'refunds', 'sub_string': '*', 'sub_version': 1, 'tags': []})
    check = orders(status)['subscription_consistent']
    assert check['status'] == 'failed'
    assert check['observed'] == ['orders: *', 'orders: *; refunds: *']
    assert check['offenders'][0].startswith('10.0.1.5:53012 subscribes orders: *; refunds: * (most clients: orders: *)')


def test_subscriptions_the_api_does_not_describe_are_inconclusive():
    assert orders(status_entry(subscription_same=None, clients=[]))['subscription_consistent']['status'] == 'inconclusive'


@pytest.mark.parametrize('field, value', [('rebalance_ok', None), ('consume_model', None), ('consume_model', '')])
def test_a_flag_the_api_leaves_out_is_inconclusive(field, value):
    checks = orders(status_entry(**{field: value}), rebalance_ok=True, message_model='CLUSTERING')
    assert checks['rebalance_ok' if field == 'rebalance_ok' else 'message_model']['status'] == 'inconclusive'


@pytest.mark.parametrize('total_diff, delay_time', [(None, None), ('12', '3000'), (True, False), (float('nan'), float('inf'))])
def test_lag_figures_that_are_missing_or_of_the_wrong_type_are_inconclusive(total_diff, delay_time):
    checks = orders(status_entry(total_diff=total_diff, delay_time=delay_time), max_lag=10, max_delay_seconds=10)
    assert checks['max_lag']['status'] == 'inconclusive'
    assert checks['max_delay_seconds']['status'] == 'inconclusive'


@pytest.mark.parametrize('figures', [{'total_diff': -5}, {'total_diff': 0, 'topics': [topic('orders', -5)]}])
def test_a_negative_lag_is_inconclusive_never_caught_up(figures):
    verdict = orders(status_entry(**figures), max_lag=10)['max_lag']
    assert verdict['status'] == 'inconclusive' and 'negative' in verdict['reason']


def test_a_negative_delay_is_inconclusive():
    verdict = orders(status_entry(delay_time=-1000), max_delay_seconds=10)['max_delay_seconds']
    assert verdict['status'] == 'inconclusive' and verdict['reason'] == 'the API gave a negative delay'


# ---------------------------------------------------------------------------------------------
# HTTP groups


def test_an_http_group_is_judged_by_its_lag_and_its_client_checks_are_reported_not_applicable():
    verdicts = judge([{'group_id': 'GID_web', 'group_type': 'http'}, {'group_id': 'GID_tcp'}],
                     {'GID_web': status_entry('GID_web', connections=[], online=False, total_diff=90000),
                      'GID_tcp': status_entry('GID_tcp')}, max_lag=1000)
    web = by_check(verdicts, 'GID_web')
    assert [name for name, verdict in web.items() if verdict['status'] == 'not_applicable'] == CONNECTION_CHECKS
    assert {web[name]['reason'] for name in CONNECTION_CHECKS} == {HTTP_REASON}
    assert not any(web[name]['blocking'] for name in CONNECTION_CHECKS)
    assert web['max_lag']['status'] == 'failed' and web['max_lag']['observed'] == 90000
    assert {verdict['group_type'] for verdict in web.values()} == {'http'}
    assert by_check(verdicts, 'GID_tcp')['min_consumers']['group_type'] == 'tcp'


def test_an_http_groups_status_is_read_only_for_a_check_or_rule_that_applies_to_it():
    def needs(group, **defaults):
        entry = group_plan([dict(group, group_id='GID_web')], dict(defaults, instance_id=INSTANCE))[0]
        return needs_status(entry, entry['group_type'])

    assert not needs({'group_type': 'http'}, min_version='V4_9_4', uniform_version=True, rebalance_ok=True)
    assert [needs({'group_type': 'http'}, **{check: value}) for check, value in (
        ('max_lag', 1), ('max_delay_seconds', 0), ('require_progress', True), ('lag_trend', True))] == [True] * 4
    assert needs({'group_type': 'http', 'rules': [{'name': 'r', 'that': 'true'}]})
    # A TCP group's status is always read: its clients are in it.
    assert needs({'group_type': 'tcp'}, min_consumers=None, unique_client_ids=False, subscription_consistent=False)


def test_a_limit_of_zero_is_a_check_that_is_on_for_an_http_group_too():
    web = by_check(judge([{'group_id': 'GID_web', 'group_type': 'http', 'max_lag': 0, 'max_delay_seconds': 0}],
                         {'GID_web': status_entry('GID_web', connections=[], total_diff=0, delay_time=0)}), 'GID_web')
    assert (web['max_lag']['status'], web['max_delay_seconds']['status']) == ('passed', 'passed')
    behind = by_check(judge([{'group_id': 'GID_web', 'group_type': 'http', 'max_lag': 0}],
                            {'GID_web': status_entry('GID_web', connections=[], total_diff=1)}), 'GID_web')
    assert behind['max_lag']['status'] == 'failed' and 'applicable_checks' not in behind


def test_an_http_group_with_no_check_that_applies_fails_closed_telling_what_to_set():
    verdict = by_check(judge([{'group_id': 'GID_web', 'group_type': 'http'}]), 'GID_web')['applicable_checks']
    assert verdict['status'] == 'inconclusive' and verdict['blocking']
    assert verdict['reason'].endswith('set max_lag, max_delay_seconds, a trend check or a rule for this group')
    report = gate_report(judge([{'group_id': 'GID_web', 'group_type': 'http'}]))
    assert report['result'] == 'failed'
    assert len(report['failures']) == 1 and report['failures'][0].startswith('GID_web applicable_checks INCONCLUSIVE')


def test_rules_apply_to_an_http_group_and_read_its_status():
    web = by_check(judge([{'group_id': 'GID_web', 'group_type': 'http', 'rules': [{'name': 'no_clients', 'query': 'summary.count == `0`'}]}],
                         {'GID_web': status_entry('GID_web', connections=[])}), 'GID_web')
    assert web['no_clients']['status'] == 'passed'
    assert 'applicable_checks' not in web


# ---------------------------------------------------------------------------------------------
# Query rules


def rule_verdict(rule, status=None, **defaults):
    verdicts = judge([{'group_id': 'GID_orders', 'rules': [rule]}], {'GID_orders': status if status is not None else status_entry()},
                     **defaults)
    return by_check(verdicts)[rule['name']]


def test_a_query_rule_passes_when_the_query_returns_the_expected_value():
    assert rule_verdict({'name': 'two', 'query': 'summary.count', 'expect': 2})['status'] == 'passed'
    assert rule_verdict({'name': 'online', 'query': 'status.online'})['status'] == 'passed'
    failed = rule_verdict({'name': 'three', 'query': 'summary.count', 'expect': 3})
    assert (failed['status'], failed['expected'], failed['observed'], failed['reason']) == ('failed', 3, 2, 'query summary.count')


def test_a_query_rule_does_not_take_a_number_for_a_boolean():
    assert rule_verdict({'name': 'count', 'query': 'summary.count', 'expect': True},
                        status_entry(connections=[client('10.0.1.5:53012')]))['status'] == 'failed'


def test_a_query_rule_listing_what_is_wrong_with_expect_empty_names_the_offenders():
    status = status_entry(connections=[client('10.0.1.5:53012'), client('10.0.1.6:53020', language='GO')])
    verdict = rule_verdict({'name': 'java', 'query': "status.connections[?language != 'JAVA'].client_addr", 'expect': []}, status)
    assert verdict['status'] == 'failed'
    assert verdict['offenders'] == ['10.0.1.6:53020']
    assert verdict['observed'] == ['10.0.1.6:53020']


def test_a_query_rule_that_cannot_be_evaluated_is_inconclusive():
    verdict = rule_verdict({'name': 'typed', 'query': 'length(status.total_diff)'})
    assert verdict['status'] == 'inconclusive' and verdict['blocking']
    assert 'cannot be evaluated' in verdict['reason']
    allowed = rule_verdict({'name': 'typed', 'query': 'length(status.total_diff)', 'allow_inconclusive': True})
    assert allowed['status'] == 'inconclusive' and not allowed['blocking']


def test_accumulate_holds_the_lag_figures_of_the_status_keyed_as_the_accumulate_module_returns_them():
    status = status_entry(total_diff=7, delay_time=2500, topics=[topic('orders', 7, 2500)])
    verdict = rule_verdict({'name': 'lag', 'query': 'accumulate', 'expect': {}}, status)
    assert verdict['observed'] == {
        'group_id': 'GID_orders', 'instance_id': INSTANCE, 'online': True, 'total_diff': 7, 'consume_tps': 10.0,
        'delay_time': 2500, 'last_timestamp': status['last_timestamp'], 'topics': [topic('orders', 7, 2500)],
        'request_id': 'REQ-GID_orders'}
    assert rule_verdict({'name': 'lag', 'query': 'accumulate.total_diff', 'expect': 0})['status'] == 'passed'
    assert rule_verdict({'name': 'lag', 'query': 'accumulate.total_diff', 'expect': 0}, status)['status'] == 'failed'


def test_a_rule_is_inconclusive_when_the_status_could_not_be_read():
    verdict = rule_verdict({'name': 'lag', 'query': 'accumulate.total_diff', 'expect': 0}, STATUS_FAILED)
    assert verdict['status'] == 'inconclusive' and verdict['reason'] == STATUS_FAILED
    verdict = rule_verdict({'name': 'tps', 'that': 'status.consume_tps > 0'}, STATUS_FAILED)
    assert verdict['status'] == 'inconclusive' and verdict['expected'] == ['status.consume_tps > 0']


def test_a_rule_sees_plain_values_even_when_templating_hands_over_string_subclasses():
    class TaggedStr(str):
        pass

    status = status_entry(connections=[client(TaggedStr('10.0.1.5:53012'), language=TaggedStr('JAVA'))])
    assert rule_verdict({'name': 'lengths', 'query': 'length(status.connections[0].language)', 'expect': 4}, status)['status'] == 'passed'


# ---------------------------------------------------------------------------------------------
# Condition rules (``that``), evaluated as ansible.builtin.assert evaluates its conditions


def test_a_condition_rule_passes_when_every_condition_holds():
    verdict = rule_verdict({'name': 'busy', 'that': ['status.consume_tps > 0', 'summary.count == 2'], 'success_msg': 'consuming'})
    assert (verdict['status'], verdict['observed'], verdict['reason']) == ('passed', 'true', 'consuming')
    assert verdict['expected'] == ['status.consume_tps > 0', 'summary.count == 2']


def test_a_condition_rule_fails_with_its_fail_msg_naming_the_first_condition_that_does_not_hold():
    verdict = rule_verdict({'name': 'busy', 'that': ['summary.count == 2', 'status.consume_tps > 100', 'summary.count > 5'],
                            'fail_msg': 'the consumers are idle'})
    assert (verdict['status'], verdict['blocking']) == ('failed', True)
    assert verdict['observed'] == 'false: status.consume_tps > 100'
    assert verdict['reason'] == 'the consumers are idle'
    plain = rule_verdict({'name': 'busy', 'that': 'status.consume_tps > 100'})
    assert plain['reason'] == 'the condition status.consume_tps > 100 is false'


@pytest.mark.parametrize('condition, cause', [
    ('status.no_such_figure > 0', 'no_such_figure'),
    ('missing_fact.count > 0', "'missing_fact' is undefined"),
])
def test_a_condition_over_an_undefined_fact_is_inconclusive_naming_it(condition, cause):
    verdict = rule_verdict({'name': 'odd', 'that': ['summary.count == 2', condition], 'fail_msg': 'never shown'})
    assert (verdict['status'], verdict['blocking'], verdict['observed']) == ('inconclusive', True, None)
    assert verdict['reason'].startswith('the condition %s cannot be evaluated: ' % condition)
    assert cause in verdict['reason']
    allowed = rule_verdict({'name': 'odd', 'that': condition, 'allow_inconclusive': True})
    assert allowed['status'] == 'inconclusive' and not allowed['blocking']


@pytest.mark.parametrize('condition', ['status.consume_tps', 'status.group_id', 'connections'])
def test_a_condition_that_is_not_true_or_false_is_inconclusive(condition):
    verdict = rule_verdict({'name': 'vague', 'that': condition})
    assert verdict['status'] == 'inconclusive'
    assert verdict['reason'].startswith('the condition %s cannot be evaluated: ' % condition)


@pytest.mark.parametrize('holds, does_not_hold', [
    ('status.group_id == "GID_orders"', 'status.group_id == "GID_other"'),
    ('connections | length == 2', 'connections | length == 3'),
    ('connections | map(attribute="version") | unique | list == ["V4_9_4"]', 'connections[0].version == "V5_1_0"'),
    ('summary.count == 2 and summary.versions["V4_9_4"] == 2', 'summary.count != 2'),
    ('accumulate.total_diff == 40 and accumulate.topics[0].topic == "orders"', 'accumulate.total_diff < 40'),
    ('samples | length == 2 and samples[-1].total_diff == 40', 'samples[0].total_diff >= samples[-1].total_diff'),
    ('group_id == "GID_orders" and group_type == "tcp" and instance_id is match("MQ_INST_")', 'group_type == "http"'),
])
def test_conditions_see_every_fact_of_the_group(holds, does_not_hold):
    status = status_entry(total_diff=40, topics=[topic('orders', 40)])
    samples = samples_of(status_entry(total_diff=30, topics=[topic('orders', 30)]), status)
    rule = {'name': 'facts', 'that': [holds]}
    assert rule_verdict(rule, status, samples=samples)['status'] == 'passed'
    assert rule_verdict(dict(rule, that=[does_not_hold]), status, samples=samples)['status'] == 'failed'


def test_a_condition_rule_without_an_evaluator_is_inconclusive_not_passed():
    entry = group_plan([{'group_id': 'GID_orders', 'rules': [{'name': 'r', 'that': 'true'}]}], {'instance_id': INSTANCE})[0]
    verdict = group_verdicts(INSTANCE, 'GID_orders', entry, 'tcp', status_entry(), evaluate_condition=None)[-1]
    assert verdict['check'] == 'r' and verdict['status'] == 'inconclusive'
    verdict = group_verdicts(INSTANCE, 'GID_orders', entry, 'tcp', status_entry(), evaluate_condition=gate_conditions.evaluate)[-1]
    assert verdict['status'] == 'passed'


def test_judging_does_not_change_the_facts_it_is_given():
    status = status_entry(total_diff=40, topics=[topic('orders', 40)])
    samples = samples_of(status, status)
    before = copy.deepcopy((status, samples))
    judge([{'group_id': 'GID_orders', 'max_lag': 1, 'require_progress': True, 'lag_trend': True,
            'rules': [{'name': 'q', 'query': 'status.connections[0].version', 'expect': 'x'},
                      {'name': 't', 'that': 'connections | length > 5'}]}], {'GID_orders': status}, samples=samples)
    assert (status, samples) == before


# ---------------------------------------------------------------------------------------------
# Messages


def test_a_message_consumed_by_every_tracking_group_passes():
    verdict = deliver([{'topic': 'orders', 'msg_id': MSG}],
                      {MSG: trace_entry(tracks=[track('GID_a', 'CONSUMED'), track('GID_b', 'CONSUMED_BUT_FILTERED')])})[0]
    assert (verdict['suite'], verdict['kind'], verdict['subject'], verdict['check'], verdict['status']) == (
        'message_delivery', 'message', 'orders/%s' % MSG, 'consumed', 'passed')
    assert verdict['expected'] == ['GID_a', 'GID_b']
    assert verdict['observed'] == {'GID_a': 'CONSUMED', 'GID_b': 'CONSUMED_BUT_FILTERED'}


@pytest.mark.parametrize('kind', ['NOT_CONSUME_YET', 'NOT_ONLINE'])
def test_a_message_a_group_has_not_consumed_fails_naming_the_group(kind):
    verdict = deliver([{'topic': 'orders', 'msg_id': MSG}], {MSG: trace_entry(tracks=[track('GID_a', 'CONSUMED'), track('GID_b', kind)])})[0]
    assert verdict['status'] == 'failed' and verdict['blocking']
    assert verdict['offenders'] == ['GID_b: %s' % kind]


def test_a_filtered_message_fails_when_filtered_ones_do_not_count():
    answers = {MSG: trace_entry(tracks=[track('GID_a', 'CONSUMED_BUT_FILTERED')])}
    assert deliver([{'topic': 'orders', 'msg_id': MSG, 'allow_filtered': False}], answers)[0]['status'] == 'failed'
    assert deliver([{'topic': 'orders', 'msg_id': MSG}], answers, allow_filtered=False)[0]['status'] == 'failed'
    assert deliver([{'topic': 'orders', 'msg_id': MSG}], answers)[0]['status'] == 'passed'


def test_an_expected_group_without_a_track_fails_and_other_groups_do_not_matter():
    verdict = deliver([{'topic': 'orders', 'msg_id': MSG, 'expect_consumed_by': ['GID_a', 'GID_new']}],
                      {MSG: trace_entry(tracks=[track('GID_a', 'CONSUMED'), track('GID_other', 'NOT_ONLINE')])})[0]
    assert verdict['status'] == 'failed'
    assert verdict['offenders'] == ['GID_new: NO_TRACK']
    assert verdict['expected'] == ['GID_a', 'GID_new']


@pytest.mark.parametrize('kind', ['UNKNOWN', 'PULL', 'CONSUME_BROADCASTING', 'SOMETHING_NEW'])
def test_a_track_that_does_not_tell_is_inconclusive(kind):
    answers = {MSG: trace_entry(tracks=[track('GID_a', kind)])}
    verdict = deliver([{'topic': 'orders', 'msg_id': MSG}], answers)[0]
    assert verdict['status'] == 'inconclusive' and verdict['blocking']
    allowed = deliver([{'topic': 'orders', 'msg_id': MSG, 'allow_inconclusive': True}], answers)[0]
    assert allowed['status'] == 'inconclusive' and not allowed['blocking']


def test_a_missing_message_fails_a_failed_trace_is_inconclusive_and_a_missing_topic_fails():
    missing = deliver([{'topic': 'orders', 'msg_id': MSG}], {MSG: trace_entry(found=False)})[0]
    assert missing['status'] == 'failed' and missing['observed'] == 'not found'
    cause = 'ons_trace_info failed: InternalError: Failed to trace: boom'
    failed = deliver([{'topic': 'orders', 'msg_id': MSG}], {MSG: problem(cause, {'code': 'InternalError'})})[0]
    assert failed['status'] == 'inconclusive' and failed['reason'] == cause
    no_topic = deliver([{'topic': 'orders', 'msg_id': MSG}], {MSG: problem('ons_trace_info failed: no topic', {'code': 'BIZ_TOPIC_NOT_FOUND'})})[0]
    assert no_topic['status'] == 'failed'


@pytest.mark.parametrize('answer', [None, 7, {'found': 'yes', 'tracks': []}, {'found': True, 'tracks': 'x'},
                                    {'found': True, 'tracks': [track('GID_a', 'CONSUMED'), 'junk']}])
def test_a_trace_that_cannot_be_read_is_inconclusive(answer):
    verdicts = deliver([{'topic': 'orders', 'msg_id': MSG}, {'topic': 'orders', 'msg_id': MSG2}], {MSG: answer, MSG2: answer})
    assert [verdict['status'] for verdict in verdicts] == ['inconclusive', 'inconclusive']


def test_a_message_no_group_tracks_fails():
    verdict = deliver([{'topic': 'orders', 'msg_id': MSG}], {MSG: trace_entry(tracks=[])})[0]
    assert verdict['status'] == 'failed'
    assert 'no consumer group tracks the message' in verdict['reason']


def test_group_names_with_the_instance_prefix_match_plain_group_ids():
    verdict = deliver([{'topic': 'orders', 'msg_id': MSG, 'expect_consumed_by': ['GID_a']}],
                      {MSG: trace_entry(tracks=[track(INSTANCE + '%GID_a', 'CONSUMED')])})[0]
    assert verdict['status'] == 'passed'


def test_with_two_tracks_for_one_group_the_one_further_from_consumed_decides():
    verdict = deliver([{'topic': 'orders', 'msg_id': MSG}],
                      {MSG: trace_entry(tracks=[track('GID_a', 'CONSUMED'), track('GID_a', 'NOT_CONSUME_YET')])})[0]
    assert verdict['status'] == 'failed' and verdict['observed'] == {'GID_a': 'NOT_CONSUME_YET'}


def test_a_track_without_group_makes_the_message_inconclusive_naming_the_track():
    for group in ('', None):
        verdict = deliver([{'topic': 'orders', 'msg_id': MSG}],
                          {MSG: trace_entry(tracks=[track('GID_a', 'CONSUMED'), track(group, 'NOT_CONSUME_YET')])})[0]
        assert verdict['status'] == 'inconclusive' and verdict['blocking']
        assert verdict['offenders'] == ['track 2 (NOT_CONSUME_YET) names no consumer group']


def test_a_trace_whose_every_track_lacks_a_group_is_inconclusive_not_unsubscribed():
    verdict = deliver([{'topic': 'orders', 'msg_id': MSG}], {MSG: trace_entry(tracks=[track('', 'CONSUMED'), track(None, 'CONSUMED')])})[0]
    assert verdict['status'] == 'inconclusive'
    assert 'nothing subscribes' not in verdict['reason']
    assert verdict['reason'].startswith('no track of the trace names its consumer group')


def test_an_expected_group_not_consumed_still_fails_beside_a_track_without_group():
    verdict = deliver([{'topic': 'orders', 'msg_id': MSG, 'expect_consumed_by': ['GID_a']}],
                      {MSG: trace_entry(tracks=[track('GID_a', 'NOT_ONLINE'), track('', 'CONSUMED')])})[0]
    assert verdict['status'] == 'failed'
    assert verdict['offenders'] == ['GID_a: NOT_ONLINE', 'track 2 (CONSUMED) names no consumer group']


def test_a_condition_rules_messages_render_the_facts_and_one_that_cannot_says_why():
    failing = rule_verdict({'name': 'busy', 'that': 'status.consume_tps > 100',
                            'fail_msg': '{{ group_id }} has {{ summary.count }} clients'})
    assert failing['status'] == 'failed' and failing['reason'] == 'GID_orders has 2 clients'
    passing = rule_verdict({'name': 'busy', 'that': 'status.consume_tps > 0', 'success_msg': '{{ summary.count }} clients'})
    assert passing['reason'] == '2 clients'
    broken = rule_verdict({'name': 'busy', 'that': 'status.consume_tps > 100', 'fail_msg': 'lag {{ no_such_fact.count }}'})
    assert broken['status'] == 'failed'
    assert broken['reason'].startswith('lag {{ no_such_fact.count }} (its fail_msg cannot be rendered: ') and 'no_such_fact' in broken['reason']
