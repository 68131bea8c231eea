# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Did the release work: the failure check, the canary comparison and the dead letters.

The figures are those OnsConsumerStatus with Detail gives per client and topic (OkTps, FailedTps,
Rt of the last minute), and the entries the dead-letter queries return (gate_builders).
"""

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_backends import backend_for
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_checks import group_verdicts, needs_dead_letters, needs_status
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_model import GateInputError, problem
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_spec import group_plan
from ansible_collections.apsaramq.rocketmq.tests.unit.plugins.plugin_utils.gate_builders import (
    INSTANCE,
    LAST_CONSUMED_MS,
    by_check,
    client,
    detail,
    judge,
    letters,
    running,
    status_entry,
)

RELEASE_CHECKS = ('max_failed_percent', 'canary_max_rt_ratio', 'canary_min_tps_ratio')


def consumers(*clients):
    """A status entry whose clients are ``(address, version, ok_tps, failed_tps, rt)``, each on topic orders."""
    connections = [client(address, version) for address, version, _ok, _failed, _rt in clients]
    details = [detail(address, [('orders', '*')], connection['client_id'], version, [running('orders', ok, failed, rt)])
               for connection, (address, version, ok, failed, rt) in zip(connections, clients)]
    return status_entry(connections=connections, clients=details)


def canary(new_ok=2.0, new_failed=18.0, new_rt=48.0, old_ok=20.0, old_rt=12.0, new=2, old=2):
    """``new`` clients on V4_9_7 beside ``old`` clients on V4_9_4."""
    return consumers(*([('10.0.2.%d:53000' % n, 'V4_9_7', new_ok, new_failed, new_rt) for n in range(1, new + 1)]
                       + [('10.0.1.%d:53000' % n, 'V4_9_4', old_ok, 0.0, old_rt) for n in range(1, old + 1)]))


def release(status, **settings):
    """The verdicts of GID_orders by check, with only the release checks of ``settings`` (and max_failed_percent's default)."""
    settings.setdefault('min_consumers', None)
    settings.setdefault('unique_client_ids', False)
    settings.setdefault('subscription_consistent', False)
    return by_check(judge([{'group_id': 'GID_orders'}], {'GID_orders': status}, **settings))


# ---------------------------------------------------------------------------------------------
# max_failed_percent


def test_a_group_whose_clients_fail_most_of_their_messages_fails_by_default_naming_the_figures():
    checks = release(consumers(('10.0.1.5:53012', 'V4_9_4', 0.4, 35.0, 30.0), ('10.0.1.6:53020', 'V4_9_4', 0.4, 35.0, 30.0),
                               ('10.0.1.7:53031', 'V4_9_4', 0.4, 35.0, 30.0)))
    verdict = checks['max_failed_percent']
    assert (verdict['status'], verdict['blocking'], verdict['expected']) == ('failed', True, '<= 10% failed')
    assert verdict['observed'] == '98.9% failed'
    assert verdict['reason'] == 'V4_9_4: 98.9% failed on 3 clients'
    assert verdict['offenders'][0] == '10.0.1.5:53012 on V4_9_4: 35/s failed, 0.4/s consumed (client id 10.0.1.5@53012#1#2#3)'
    assert len(verdict['offenders']) == 3


def test_a_canary_version_failing_is_caught_even_when_the_old_clients_hide_it_in_the_total():
    checks = release(canary(new_ok=0.2, new_failed=1.8, new=1, old=4))
    verdict = checks['max_failed_percent']
    # 1.8 of 82 messages a second failed: 2.2%, under the limit; the new version alone failed 90%.
    assert verdict['observed'] == '2.2% failed'
    assert verdict['status'] == 'failed'
    assert verdict['reason'] == 'V4_9_7: 90% failed on 1 client; V4_9_4: 0% on 4'
    assert verdict['offenders'] == ['10.0.2.1:53000 on V4_9_7: 1.8/s failed, 0.2/s consumed (client id 10.0.2.1@53000#1#2#3)']


def test_a_busy_group_failing_a_handful_of_messages_an_hour_passes():
    checks = release(consumers(('10.0.1.5:53012', 'V4_9_4', 50.0, 0.001, 12.0), ('10.0.1.6:53020', 'V4_9_4', 50.0, 0.0, 12.0)))
    verdict = checks['max_failed_percent']
    assert (verdict['status'], verdict['observed']) == ('passed', '0.001% failed')
    assert verdict['reason'] == 'V4_9_4: 0.001% failed on 2 clients'


def test_the_limit_is_a_share_that_may_be_reached_but_not_passed():
    status = consumers(('10.0.1.5:53012', 'V4_9_4', 9.0, 1.0, 12.0))
    assert release(status, max_failed_percent=10)['max_failed_percent']['status'] == 'passed'
    assert release(status, max_failed_percent=9.9)['max_failed_percent']['status'] == 'failed'


def test_a_group_with_no_traffic_is_not_a_pass_on_nothing():
    verdict = release(consumers(('10.0.1.5:53012', 'V4_9_4', 0.0, 0.0, 0.0)))['max_failed_percent']
    assert (verdict['status'], verdict['blocking']) == ('not_applicable', False)
    assert 'no client consumed or failed a message in the last minute' in verdict['reason']


def test_a_group_without_clients_is_not_applicable_and_min_consumers_fails_it():
    checks = release(status_entry(connections=[]), min_consumers=1)
    assert checks['max_failed_percent']['status'] == 'not_applicable'
    assert checks['max_failed_percent']['reason'] == 'no client online: nothing was consumed'
    assert checks['min_consumers']['status'] == 'failed'


@pytest.mark.parametrize('rows', [
    [running('orders', None, 0.0, failed_count_per_hour=0)],
    [running('orders', 5.0, 'many', failed_count_per_hour=0)],
    [running('orders', 5.0, -1.0, failed_count_per_hour=0)],
    [running('orders', 5.0, 1.0, rt=None)],
    [],
    None,
])
def test_a_client_whose_figures_cannot_be_read_makes_the_check_inconclusive_naming_it(rows):
    status = consumers(('10.0.1.5:53012', 'V4_9_4', 5.0, 0.0, 12.0), ('10.0.1.6:53020', 'V4_9_4', 5.0, 0.0, 12.0))
    status['clients'][1]['running_data'] = rows
    verdict = release(status)['max_failed_percent']
    assert (verdict['status'], verdict['blocking']) == ('inconclusive', True)
    assert verdict['offenders'] == ['10.0.1.6:53020 on V4_9_4 without readable figures (client id 10.0.1.6@53020#1#2#3)']
    assert verdict['reason'].startswith('the API does not give what 1 client consumed and failed')


def test_an_unreadable_client_does_not_hide_a_version_that_fails():
    status = canary(new=1, old=2)
    status['clients'][2]['running_data'] = None
    verdict = release(status)['max_failed_percent']
    assert verdict['status'] == 'failed'
    assert verdict['offenders'][-1].startswith('10.0.1.2:53000 on V4_9_4 without readable figures')


def test_a_status_without_per_client_figures_is_inconclusive():
    verdict = release(status_entry(clients=[]))['max_failed_percent']
    assert (verdict['status'], verdict['reason']) == ('inconclusive', 'the API gives no per-client consume figures for the group')


def test_the_failure_check_is_on_by_default_and_null_turns_it_off_per_group_or_for_all():
    status = consumers(('10.0.1.5:53012', 'V4_9_4', 0.0, 35.0, 30.0))
    assert release(status)['max_failed_percent']['status'] == 'failed'
    assert 'max_failed_percent' not in release(status, max_failed_percent=None)
    turned_off = by_check(judge([{'group_id': 'GID_orders', 'max_failed_percent': None}], {'GID_orders': status}))
    assert 'max_failed_percent' not in turned_off


def test_an_http_group_has_no_clients_to_judge():
    checks = by_check(judge([{'group_id': 'GID_orders', 'group_type': 'http'}], {'GID_orders': status_entry()}, max_lag=10))
    assert checks['max_failed_percent']['status'] == 'not_applicable'


@pytest.mark.parametrize('check', RELEASE_CHECKS)
def test_a_5x_group_has_no_per_client_figures_and_says_what_stands_in(check):
    reason = backend_for('rmq-cn-demo0000001').not_given(check)
    assert reason.startswith('the RocketMQ 5.x API gives no per-client')
    assert backend_for(INSTANCE).not_given(check) is None
    if check == 'max_failed_percent':
        assert 'max_dead_letters' in reason and 'max_delay_seconds' in reason and 'traces' in reason


# ---------------------------------------------------------------------------------------------
# The canary comparison


def test_a_canary_taking_four_times_as_long_per_message_fails():
    verdict = release(canary(new_failed=0.0, new_ok=20.0), canary_max_rt_ratio=1.5)['canary_max_rt_ratio']
    assert (verdict['status'], verdict['observed']) == ('failed', 4.0)
    assert verdict['reason'] == 'V4_9_7: 48 ms per message on 2 clients, 4.0\u00d7 the 12 ms of V4_9_4 on 2 clients'
    assert release(canary(new_failed=0.0, new_ok=20.0), canary_max_rt_ratio=4)['canary_max_rt_ratio']['status'] == 'passed'


def test_consume_time_is_weighted_by_what_each_client_processed():
    status = consumers(('10.0.2.1:53000', 'V4_9_7', 9.0, 0.0, 10.0), ('10.0.2.2:53000', 'V4_9_7', 1.0, 0.0, 110.0),
                       ('10.0.1.1:53000', 'V4_9_4', 10.0, 0.0, 10.0))
    # (9 * 10 + 1 * 110) / 10 = 20 ms, twice the old 10 ms.
    assert release(status, canary_max_rt_ratio=1.5)['canary_max_rt_ratio']['observed'] == 2.0


def test_a_canary_consuming_a_tenth_of_the_old_clients_per_client_fails():
    verdict = release(canary(), canary_min_tps_ratio=0.5)['canary_min_tps_ratio']
    assert (verdict['status'], verdict['observed']) == ('failed', 0.1)
    assert verdict['reason'] == 'V4_9_7: 2/s consumed per client on 2 clients, 0.1\u00d7 the 20/s of V4_9_4 on 2 clients'


def test_the_newest_version_is_compared_with_every_other_version_together():
    status = consumers(('10.0.3.1:53000', 'V5_1_0', 10.0, 0.0, 12.0), ('10.0.2.1:53000', 'V4_9_7', 10.0, 0.0, 12.0),
                       ('10.0.1.1:53000', 'V4_9_4', 30.0, 0.0, 12.0))
    verdict = release(status, canary_min_tps_ratio=0.5)['canary_min_tps_ratio']
    assert verdict['reason'].startswith('V5_1_0: 10/s consumed per client on 1 client, 0.5\u00d7 the 20/s of V4_9_7, V4_9_4 on 2 clients')
    assert verdict['status'] == 'passed'


@pytest.mark.parametrize('check', ['canary_max_rt_ratio', 'canary_min_tps_ratio'])
def test_a_group_on_one_version_has_no_canary(check):
    verdict = release(consumers(('10.0.1.5:53012', 'V4_9_4', 5.0, 0.0, 12.0)), **{check: 1.5})[check]
    assert (verdict['status'], verdict['reason']) == ('not_applicable', 'every client runs V4_9_4: there is no canary to compare')


def test_an_idle_side_has_nothing_to_compare():
    idle_canary = canary(new_ok=0.0, new_failed=0.0)
    verdict = release(idle_canary, canary_max_rt_ratio=1.5)['canary_max_rt_ratio']
    assert (verdict['status'], verdict['reason']) == ('not_applicable', 'V4_9_7 consumed nothing in the last minute: no consume time to compare')
    # An idle canary beside busy old clients consumes nothing per client: that is a failed throughput.
    assert release(idle_canary, canary_min_tps_ratio=0.5)['canary_min_tps_ratio']['status'] == 'failed'
    idle_old = canary(old_ok=0.0)
    assert release(idle_old, canary_min_tps_ratio=0.5)['canary_min_tps_ratio']['status'] == 'not_applicable'


def test_versions_that_cannot_be_ordered_leave_the_canary_unknown():
    status = consumers(('10.0.2.1:53000', 'nightly', 5.0, 0.0, 12.0), ('10.0.1.1:53000', 'latest', 5.0, 0.0, 12.0))
    verdict = release(status, canary_max_rt_ratio=1.5)['canary_max_rt_ratio']
    assert verdict['status'] == 'inconclusive'
    assert verdict['reason'] == 'no version of the group is a RocketMQ version name, so none is known to be the newest'


def test_the_canary_checks_are_off_by_default():
    checks = release(canary())
    assert not set(checks) & {'canary_max_rt_ratio', 'canary_min_tps_ratio', 'max_dead_letters'}


# ---------------------------------------------------------------------------------------------
# Dead letters


def dead(entry, limit=0):
    """The verdicts of a healthy GID_orders by check, with ``max_dead_letters: limit`` and its dead-letter entry ``entry``."""
    return by_check(judge([{'group_id': 'GID_orders'}], {'GID_orders': status_entry()}, dead_letters={'GID_orders': entry},
                          max_dead_letters=limit))


def test_a_dead_letter_in_the_window_fails_max_dead_letters_zero_naming_it():
    verdict = dead(letters(LAST_CONSUMED_MS - 60000))['max_dead_letters']
    assert (verdict['status'], verdict['observed'], verdict['expected']) == ('failed', 1, '<= 0 dead letters')
    assert verdict['reason'] == '1 dead letter stored since 2025-12-31 23:00:00 UTC: messages the consumers gave up on'
    assert verdict['offenders'] == ['message 0A00010500002A9F0000000000000000 of topic orders, stored 2025-12-31 23:59:00 UTC '
                                    'after 16 delivery attempts']


def test_dead_letters_up_to_the_limit_pass():
    verdict = dead(letters(LAST_CONSUMED_MS - 60000, LAST_CONSUMED_MS - 30000), limit=2)['max_dead_letters']
    assert (verdict['status'], verdict['observed']) == ('passed', 2)
    assert dead(letters(), limit=0)['max_dead_letters']['status'] == 'passed'


def test_a_partial_count_beyond_the_limit_fails_as_at_least_and_within_it_is_inconclusive():
    beyond = dead(letters(1, 2, complete=False), limit=1)['max_dead_letters']
    assert (beyond['status'], beyond['observed']) == ('failed', 'at least 2')
    assert dead(letters(1, complete=False), limit=1)['max_dead_letters']['status'] == 'inconclusive'


def test_at_most_ten_letters_are_named():
    verdict = dead(letters(*range(1, 13)))['max_dead_letters']
    assert len(verdict['offenders']) == 11 and verdict['offenders'][-1] == 'and 2 more'


def test_a_5x_letter_without_a_zone_is_shown_as_the_api_wrote_it():
    entry = letters(dead_letter_topic='DLQ_orders')
    entry['messages'] = [{'message_id': '01AB', 'topic': 'DLQ_orders', 'store_time': '2026-01-01 07:59:00', 'store_timestamp': None}]
    entry['count'] = 1
    verdict = dead(entry)['max_dead_letters']
    assert verdict['offenders'] == ['message 01AB of topic DLQ_orders, stored 2026-01-01 07:59:00 (the API gives no zone)']
    assert 'in topic DLQ_orders' in verdict['reason']


def test_a_5x_group_without_a_dead_letter_topic_is_not_applicable():
    verdict = dead(letters(dead_letter_topic=None, count=None))['max_dead_letters']
    assert verdict['status'] == 'not_applicable'
    assert 'no dead-letter topic' in verdict['reason']


def test_dead_letters_that_could_not_be_read_are_inconclusive_and_a_missing_group_fails():
    failed_read = problem('ons_dead_letter_info failed: InternalError: boom', {'code': 'InternalError'})
    assert dead(failed_read)['max_dead_letters']['status'] == 'inconclusive'
    missing = problem('ons_dead_letter_info failed: BIZ_SUBSCRIPTION_NOT_FOUND', {'code': 'BIZ_SUBSCRIPTION_NOT_FOUND'})
    assert dead(missing)['max_dead_letters']['status'] == 'failed'
    assert dead({'count': 'x'})['max_dead_letters']['status'] == 'inconclusive'


def test_the_dead_letters_are_judged_even_when_the_status_could_not_be_read():
    status_failed = problem('ons_consumer_status_info failed: InternalError: boom', {'code': 'InternalError'})
    checks = by_check(judge([{'group_id': 'GID_orders'}], {'GID_orders': status_failed},
                            dead_letters={'GID_orders': letters(LAST_CONSUMED_MS)}, max_dead_letters=0))
    assert checks['max_dead_letters']['status'] == 'failed'
    assert checks['min_consumers']['status'] == 'inconclusive'


def test_dead_letters_are_read_only_when_a_check_counts_them_and_do_not_make_an_http_group_read_its_status():
    plan = group_plan([{'group_id': 'GID_orders', 'group_type': 'http', 'max_dead_letters': 0}], {'instance_id': INSTANCE})
    assert needs_dead_letters(plan[0]) and not needs_status(plan[0], 'http')
    assert not needs_dead_letters(group_plan([{'group_id': 'GID_orders'}], {'instance_id': INSTANCE})[0])
    verdicts = group_verdicts(INSTANCE, 'GID_orders', plan[0], 'http', None, dead_letters=letters())
    assert by_check(verdicts)['max_dead_letters']['status'] == 'passed'


def test_the_look_back_is_an_hour_by_default_and_each_group_may_set_its_own():
    plan = group_plan([{'group_id': 'GID_a'}, {'group_id': 'GID_b', 'dead_letter_lookback': 600}],
                      {'instance_id': INSTANCE, 'max_dead_letters': 0})
    assert [entry['dead_letter_lookback'] for entry in plan] == [3600, 600]
    plan = group_plan([{'group_id': 'GID_a'}], {'instance_id': INSTANCE, 'dead_letter_lookback': '86400'})
    assert plan[0]['dead_letter_lookback'] == 86400


@pytest.mark.parametrize('settings, message', [
    ({'max_failed_percent': 101}, 'consumer_health_max_failed_percent: 101 is not a number from 0 to 100 percent'),
    ({'max_failed_percent': 'most'}, "consumer_health_max_failed_percent: 'most' is not a number from 0 to 100 percent"),
    ({'canary_max_rt_ratio': -1}, 'consumer_health_canary_max_rt_ratio: -1 is not a number from 0 to 1000 times'),
    ({'max_dead_letters': 2001}, 'consumer_health_max_dead_letters: 2001 is not a whole number from 0 to 2000 dead letters'),
    ({'max_dead_letters': 0.5}, 'consumer_health_max_dead_letters: 0.5 is not a whole number from 0 to 2000 dead letters'),
    ({'dead_letter_lookback': 2592001},
     'consumer_health_dead_letter_lookback: 2592001 is not a number from 0 to 2592000 seconds'),
])
def test_bad_settings_are_refused_naming_the_variable_and_what_is_accepted(settings, message):
    with pytest.raises(GateInputError) as caught:
        group_plan([{'group_id': 'GID_orders'}], dict(settings, instance_id=INSTANCE), names={'group_defaults': 'consumer_health_'})
    assert str(caught.value) == message
