# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What an API error says: of a subject (it does not exist), or of the run (credentials, permissions, the endpoint).

A cause of the run never fails a check, and the report says it once, with its fix; the checks of one
subject that a missing answer left untold are one line.
"""

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.apis import ONS, RMQ
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_model import problem
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_report import gate_report
from ansible_collections.apsaramq.rocketmq.tests.unit.plugins.plugin_utils.gate_builders import (
    MSG,
    by_check,
    deliver,
    judge,
    status_entry,
)


def failed_call(code, message='it went wrong', request_id='R1', module='ons_consumer_status_info'):
    """The Problem a failed call of ``module`` leaves, as the engine makes it."""
    return problem('%s failed: %s: %s (request id %s)' % (module, code, message, request_id), {'code': code})


@pytest.mark.parametrize('code, kind', [
    ('InvalidAccessKeyId.NotFound', 'credentials'),
    ('InvalidAccessKeyId.Inactive', 'credentials'),
    ('SignatureDoesNotMatch', 'credentials'),
    ('InvalidSecurityToken.Expired', 'credentials'),
    ('InvalidTimeStamp.Expired', 'clock'),
    ('Forbidden.RAM', 'permission'),
    ('Throttling.User', 'throttling'),
    ('ONS_SYSTEM_FLOW_CONTROL', 'throttling'),
    ('TransportError', 'endpoint'),
])
def test_an_error_that_says_nothing_of_consumers_leaves_every_check_inconclusive_with_its_cause(code, kind):
    checks = by_check(judge([{'group_id': 'GID_orders'}], {'GID_orders': failed_call(code)}))
    assert {verdict['status'] for verdict in checks.values()} == {'inconclusive'}
    assert {verdict['cause']['kind'] for verdict in checks.values()} == {kind}
    assert {verdict['cause']['code'] for verdict in checks.values()} == {code}


@pytest.mark.parametrize('code', ['BIZ_SUBSCRIPTION_NOT_FOUND', 'INSTANCE_NOT_FOUND', 'ConsumerGroup.NotFound', 'Instance.NotFound',
                                  'Topic.NotExisted'])
def test_only_the_apis_own_not_found_codes_say_a_subject_does_not_exist(code):
    checks = by_check(judge([{'group_id': 'GID_orders'}], {'GID_orders': failed_call(code)}))
    assert {(verdict['status'], verdict['cause']) for verdict in checks.values()} == {('failed', None)}


@pytest.mark.parametrize('code', ['InvalidAccessKeyId.NotFound', 'InvalidApi.NotFound', 'Something.NotFound', 'Nobody.NotExisted'])
def test_a_code_is_matched_exactly_never_by_its_suffix(code):
    assert not ONS.is_not_found(code) and not RMQ.is_not_found(code)
    checks = by_check(judge([{'group_id': 'GID_orders'}], {'GID_orders': failed_call(code)}))
    assert {verdict['status'] for verdict in checks.values()} == {'inconclusive'}


def test_a_wrong_access_key_id_is_one_line_naming_the_cause_and_the_fix():
    statuses = {group: failed_call('InvalidAccessKeyId.NotFound', 'Specified access key is not found.', request_id='R-%s' % group)
                for group in ('GID_a', 'GID_b', 'GID_c')}
    verdicts = judge([{'group_id': group} for group in statuses], statuses, max_lag=10)
    verdicts += deliver([{'topic': 'orders', 'msg_id': MSG}],
                        {MSG: failed_call('InvalidAccessKeyId.NotFound', 'Specified access key is not found.', module='ons_trace_info')})
    report = gate_report(verdicts)
    assert report['counts']['failed'] == 0 and report['counts']['inconclusive'] == len(verdicts) == 16
    # Told in the shortest words any of them has: here the trace's.
    assert report['failures'] == [
        'credentials INCONCLUSIVE: ons_trace_info failed: InvalidAccessKeyId.NotFound: Specified access key is not '
        'found. (request id R1); check the AccessKey ID the gate uses (access_key_id, ALIBABA_CLOUD_ACCESS_KEY_ID, the '
        'profile): the API does not know it or it is disabled (16 checks of GID_a, GID_b, GID_c, orders/%s could not be told)'
        % MSG]


def test_the_checks_of_a_group_that_does_not_exist_are_one_line():
    gone = failed_call('BIZ_SUBSCRIPTION_NOT_FOUND', 'The group does not exist.')
    report = gate_report(judge([{'group_id': 'GID_gone'}, {'group_id': 'GID_orders'}], {'GID_gone': gone, 'GID_orders': status_entry()},
                               max_lag=10))
    assert report['counts']['failed'] == 5
    assert report['failures'] == [
        'GID_gone min_consumers, unique_client_ids, subscription_consistent, max_lag, max_failed_percent FAILED: '
        'ons_consumer_status_info failed: BIZ_SUBSCRIPTION_NOT_FOUND: The group does not exist. (request id R1)']


def test_checks_that_failed_on_their_own_facts_keep_a_line_each():
    report = gate_report(judge([{'group_id': 'GID_orders'}], {'GID_orders': status_entry(total_diff=500, delay_time=90000)},
                               max_lag=10, max_delay_seconds=60))
    assert [line.split(':')[0] for line in report['failures']] == ['GID_orders max_lag FAILED', 'GID_orders max_delay_seconds FAILED']


def test_a_cause_of_the_run_comes_first_and_the_other_lines_follow_in_order():
    statuses = {'GID_denied': failed_call('Forbidden.RAM', 'Missing action: mq:QueryConsumerStatus'),
                'GID_lagging': status_entry('GID_lagging', total_diff=500)}
    report = gate_report(judge([{'group_id': 'GID_lagging'}, {'group_id': 'GID_denied'}], statuses, max_lag=10))
    assert [line.split(':')[0] for line in report['failures']] == ['permission INCONCLUSIVE', 'GID_lagging max_lag FAILED']
    assert 'grant the RAM action the answer names' in report['failures'][0]
    # JUnit and the JSON checks keep one verdict per check, each with its cause.
    denied = [verdict for verdict in report['checks'] if verdict['subject'] == 'GID_denied']
    assert len(denied) == 5 and all(verdict['cause']['kind'] == 'permission' for verdict in denied)
