# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""RocketMQ 5.x groups in the gate: the built-in checks read the facts of the rmq_* modules with the meaning they have on 4.x."""

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_backends import generation, status_from_rmq, trace_from_rmq
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_checks import group_verdicts, message_verdict
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_conditions import evaluate
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_engine import lag_sample
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_model import GateInputError, problem
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_spec import group_plan, message_plan

RMQ = 'rmq-cn-test0000001'
NOW_MS = 1767225600000


def connection(ip, version='5.0.7', language='java', client_id=None):
    """A connection as rmq_consumer_connection_info returns it."""
    return {'client_id': client_id or '%s@1234#5' % ip, 'hostname': 'host-%s' % ip.replace('.', '-'), 'egress_ip': ip,
            'language': language, 'version': version, 'message_model': 'CLUSTERING'}


def lag_row(ready, inflight, duration=0, last=NOW_MS, topic=None):
    row = {'ready_count': ready, 'inflight_count': inflight, 'delivery_duration': duration, 'last_consume_timestamp': last}
    if topic:
        row['topic'] = topic
    return row


def rmq_status(connections=None, topics=((0, 0),), consistency=(True,)):
    """The status the gate builds from a 5.x group's connections, lag and subscriptions."""
    connections = [connection('10.1.0.1'), connection('10.1.0.2')] if connections is None else connections
    rows = [lag_row(ready, inflight, topic='orders-%d' % index) for index, (ready, inflight) in enumerate(topics)]
    total = lag_row(sum(row['ready_count'] for row in rows), sum(row['inflight_count'] for row in rows))
    status = status_from_rmq(
        RMQ, 'GID_orders', {'group_id': 'GID_orders', 'instance_id': RMQ, 'online': bool(connections), 'connections': connections,
                            'request_id': 'REQ-C'},
        {'group_id': 'GID_orders', 'instance_id': RMQ, 'total_lag': total, 'topics': rows, 'request_id': 'REQ-L'},
        {'group_id': 'GID_orders', 'instance_id': RMQ, 'request_id': 'REQ-S',
         'subscriptions': [{'topic': 'orders-%d' % index, 'filter_expression': '*', 'filter_expression_type': 'TAG',
                            'message_model': 'CLUSTERING', 'subscription_status': 'ONLINE', 'topic_created': True,
                            'consistency': value} for index, value in enumerate(consistency)]})
    status['rmq'] = {'lag': {'total_lag': total, 'topics': rows}, 'subscriptions': {'subscriptions': []}}
    return status


def verdicts(status, samples=None, **defaults):
    entry = group_plan([{'group_id': 'GID_orders'}], dict(defaults, instance_id=RMQ))[0]
    found = group_verdicts(RMQ, 'GID_orders', entry, 'tcp', status, samples, NOW_MS, evaluate)
    return {item['check']: item for item in found}


def test_an_instance_is_5x_by_its_id():
    assert (generation(RMQ), generation('MQ_INST_1234567890_TEST')) == ('5.x', '4.x')


def test_lag_is_ready_plus_inflight_and_delay_the_delivery_duration_in_milliseconds():
    status = status_from_rmq(RMQ, 'GID_orders', {'connections': [connection('10.1.0.1')]},
                             {'total_lag': lag_row(70, 30, 12.5, 1700000000000),
                              'topics': [lag_row(70, 30, 12.5, 1700000000000, topic='orders')]})
    assert (status['total_diff'], status['delay_time'], status['last_timestamp']) == (100, 12500, 1700000000000)
    assert status['topics'] == [{'topic': 'orders', 'total_diff': 100, 'delay_time': 12500, 'last_timestamp': 1700000000000}]
    # The offender lines name a 5.x client by its egress IP.
    assert status['connections'][0]['client_addr'] == '10.1.0.1'


def test_a_lag_figure_missing_is_unknown_never_zero():
    status = status_from_rmq(RMQ, 'GID_orders', {'connections': []}, {'total_lag': {'ready_count': 5}, 'topics': []})
    assert status['total_diff'] is None
    checks = verdicts(status, max_lag=10, min_consumers=0)
    assert checks['max_lag']['status'] == 'inconclusive'


def test_the_client_checks_order_5x_versions_and_lower_case_languages():
    status = rmq_status([connection('10.1.0.1', '5.0.7'), connection('10.1.0.2', '5.0.5'), connection('10.1.0.3', '5.0.7', 'go')])
    checks = verdicts(status, min_version='5.0.6', uniform_version=True, allowed_languages=['JAVA'], min_consumers=3)
    assert checks['min_consumers']['status'] == 'passed'
    assert checks['min_version']['status'] == 'failed'
    assert checks['min_version']['offenders'][0].startswith('10.1.0.2 on 5.0.5')
    assert checks['uniform_version']['status'] == 'failed'
    assert checks['allowed_languages']['offenders'] == ['10.1.0.3 in go (client id 10.1.0.3@1234#5)']
    # A 4.x name as the minimum orders against 5.x versions too.
    assert verdicts(status, min_version='V4_9_4')['min_version']['status'] == 'passed'


def test_rebalance_has_no_meaning_on_5x_and_is_reported_not_applicable():
    checks = verdicts(rmq_status(), rebalance_ok=True)
    assert checks['rebalance_ok']['status'] == 'not_applicable'
    assert not checks['rebalance_ok']['blocking']
    assert checks['min_consumers']['status'] == 'passed'


def test_a_5x_group_whose_only_check_has_no_meaning_there_fails_closed():
    checks = verdicts(rmq_status(), rebalance_ok=True, min_consumers=None, unique_client_ids=False,
                      subscription_consistent=False)
    assert checks['applicable_checks']['status'] == 'inconclusive'
    assert checks['applicable_checks']['blocking']


def test_the_subscriptions_disagree_when_the_api_says_a_topic_is_not_consistent():
    checks = verdicts(rmq_status(topics=((0, 0), (0, 0)), consistency=(True, False)))
    assert checks['subscription_consistent']['status'] == 'failed'
    assert checks['subscription_consistent']['offenders'] == ['topic orders-1']
    assert verdicts(rmq_status(consistency=(True,)))['subscription_consistent']['status'] == 'passed'


def test_max_lag_names_the_topics_behind():
    checks = verdicts(rmq_status(topics=((40, 10), (5, 0))), max_lag=20)
    assert (checks['max_lag']['status'], checks['max_lag']['observed']) == ('failed', 55)
    assert checks['max_lag']['offenders'] == ['topic orders-0: 50 messages behind', 'topic orders-1: 5 messages behind']


def test_a_stalled_5x_group_fails_require_progress():
    status = rmq_status(topics=((30, 0),))
    samples = [lag_sample(status, 0), lag_sample(status, 20)]
    checks = verdicts(status, samples=samples, require_progress=True)
    assert checks['require_progress']['status'] == 'failed'
    assert checks['require_progress']['offenders'][0].startswith('topic orders-0: 30 messages behind')


def test_rules_of_a_5x_group_read_the_facts_of_the_rmq_modules():
    entry = group_plan([{'group_id': 'GID_orders', 'rules': [
        {'name': 'two_hosts', 'that': ['connections | map(attribute="hostname") | unique | length >= 2']},
        {'name': 'lag_read', 'that': ['lag.total_lag.ready_count == 0']},
        {'name': 'query_rule', 'query': 'status.total_diff', 'expect': 0}]}], {'instance_id': RMQ})[0]
    found = {item['check']: item['status'] for item in group_verdicts(RMQ, 'GID_orders', entry, 'tcp', rmq_status(), [], NOW_MS, evaluate)}
    assert (found['two_hosts'], found['lag_read'], found['query_rule']) == ('passed', 'passed', 'passed')


def test_a_5x_not_found_code_is_definitive():
    checks = verdicts(problem('rmq_consumer_connection_info failed: ConsumerGroup.NotFound: no such group',
                              {'code': 'ConsumerGroup.NotFound'}))
    assert checks['min_consumers']['status'] == 'failed'


@pytest.mark.parametrize('consumer, expected', [
    # the published words
    ({'group_id': 'GID_orders', 'consume_status': 'SUCCESS', 'dead_message': False}, 'passed'),
    ({'group_id': 'GID_orders', 'consume_status': 'FAILED', 'dead_message': False}, 'failed'),
    # the emulator's earlier words
    ({'group_id': 'GID_orders', 'consume_status': 'CONSUME_SUCCESS', 'dead_message': False}, 'passed'),
    ({'group_id': 'GID_orders', 'consume_status': 'CONSUME_FAILED', 'dead_message': False}, 'failed'),
    ({'group_id': 'GID_orders', 'consume_status': 'NOT_CONSUMED', 'dead_message': False}, 'failed'),
    ({'group_id': 'GID_orders', 'consume_status': 'CONSUMING', 'dead_message': False}, 'inconclusive'),
    ({'group_id': 'GID_orders', 'consume_status': 'CONSUME_FAILED', 'dead_message': True}, 'failed'),
    ({'group_id': 'GID_orders', 'consume_status': None, 'dead_message': False}, 'inconclusive'),
])
def test_a_5x_trace_counts_only_a_known_success_as_consumed(consumer, expected):
    message = message_plan([{'topic': 'orders', 'msg_id': '7F00000100002A9F0000000000000001',
                             'expect_consumed_by': ['GID_orders']}], {'instance_id': RMQ})[0]
    answer = trace_from_rmq({'msg_id': message['msg_id'], 'topic': 'orders', 'found': True, 'consumers': [consumer]})
    assert message_verdict(message, answer)['status'] == expected


def test_a_5x_failed_status_fails_naming_the_group_and_an_unknown_word_stays_inconclusive_naming_it():
    message = message_plan([{'topic': 'orders', 'msg_id': '7F00000100002A9F0000000000000001'}], {'instance_id': RMQ})[0]
    answer = trace_from_rmq({'found': True, 'consumers': [{'group_id': 'GID_orders', 'consume_status': 'SUCCESS'},
                                                          {'group_id': 'GID_billing', 'consume_status': 'FAILED'},
                                                          {'group_id': 'GID_audit', 'consume_status': 'REDELIVERING'}]})
    found = message_verdict(message, answer)
    assert (found['status'], found['offenders']) == ('failed', ['GID_billing: FAILED', 'GID_audit: UNKNOWN:REDELIVERING'])
    answer['tracks'] = [track for track in answer['tracks'] if track['consumer_group'] != 'GID_billing']
    found = message_verdict(message, answer)
    assert (found['status'], found['offenders']) == ('inconclusive', ['GID_audit: UNKNOWN:REDELIVERING'])


def test_what_a_5x_group_cannot_be_is_refused_before_any_call():
    with pytest.raises(GateInputError, match=r"^groups\[0\]\.group_type: RocketMQ 5.x has no HTTP consumer groups"):
        group_plan([{'group_id': 'GID_web', 'group_type': 'http'}], {'instance_id': RMQ})
    with pytest.raises(GateInputError, match=r"^groups\[0\]\.select\.tags: the RocketMQ 5.x API lists consumer groups without"):
        group_plan([{'select': {'tags': {'app': 'orders'}}}], {'instance_id': RMQ})
