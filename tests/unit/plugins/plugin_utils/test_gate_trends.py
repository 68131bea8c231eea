# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The trend checks over the lag samples the gate takes while it waits: require_progress (STALLED) and lag_trend (FALLING BEHIND).

The samples are made by hand, one status entry per attempt ten seconds apart, and taken the way the
engine takes them (gate_engine.lag_sample); the last status is the one the checks judge.
"""

import pytest

from ansible_collections.apsaramq.rocketmq.tests.unit.plugins.plugin_utils.gate_builders import (
    LAST_CONSUMED_MS,
    by_check,
    judge,
    samples_of,
    status_entry,
    topic,
)


def lagging(lag, last_ms=LAST_CONSUMED_MS, topics=None):
    """The status of GID_orders with ``lag`` messages waiting in topic orders, last consumed at ``last_ms``."""
    if topics is None:
        topics = [topic('orders', lag, 1000 if lag else 0, last_ms)]
    return status_entry(total_diff=lag, delay_time=1000 if lag else 0, last_timestamp=last_ms, topics=topics)


def trend(check, statuses, now_ms=None, **settings):
    """The verdict of trend ``check`` over ``statuses`` (one per attempt), judged at ``now_ms``."""
    if now_ms is None:
        now_ms = LAST_CONSUMED_MS + 10000 * len(statuses)
    verdicts = judge([dict({'group_id': 'GID_orders', check: True}, **settings)], {'GID_orders': statuses[-1]},
                     samples=samples_of(*statuses), now_ms=now_ms)
    return by_check(verdicts)[check]


# ---------------------------------------------------------------------------------------------
# require_progress


def test_a_group_with_messages_waiting_whose_last_consume_time_never_moves_is_stalled():
    verdict = trend('require_progress', [lagging(500), lagging(500), lagging(500)], now_ms=LAST_CONSUMED_MS + 320000)
    assert (verdict['status'], verdict['blocking'], verdict['observed']) == ('failed', True, 'stalled')
    assert verdict['offenders'] == ['topic orders: 500 messages behind, last consumed 320 s ago, no consumption in the 20 s observed']
    assert verdict['reason'] == 'STALLED: 1 topic with messages waiting and a last consume time that did not move in 20 s'
    assert verdict['expected'] == 'consuming while messages wait'


def test_a_stalled_group_that_never_consumed_says_so():
    verdict = trend('require_progress', [lagging(500, last_ms=0), lagging(500, last_ms=0)])
    assert verdict['status'] == 'failed'
    assert verdict['offenders'] == ['topic orders: 500 messages behind, never consumed, no consumption in the 10 s observed']


def test_a_group_whose_last_consume_time_moves_while_messages_wait_passes():
    verdict = trend('require_progress', [lagging(500, LAST_CONSUMED_MS), lagging(800, LAST_CONSUMED_MS + 9000)])
    assert (verdict['status'], verdict['observed']) == ('passed', 'moving')
    assert verdict['reason'] == 'the last consume time moved while messages waited'


def test_a_stalled_topic_fails_the_group_even_while_another_topic_moves_and_only_it_is_named():
    def status(attempt):
        return lagging(700, topics=[topic('orders', 500, 1000, LAST_CONSUMED_MS + attempt * 5000),
                                    topic('refunds', 200, 1000, LAST_CONSUMED_MS)])

    verdict = trend('require_progress', [status(0), status(1)])
    assert verdict['status'] == 'failed'
    assert [offender.split(':')[0] for offender in verdict['offenders']] == ['topic refunds']


def test_one_sample_with_messages_waiting_is_inconclusive_asking_for_another():
    verdict = trend('require_progress', [lagging(500)])
    assert (verdict['status'], verdict['blocking'], verdict['observed']) == ('inconclusive', True, 'one sample')
    assert verdict['offenders'] == ['topic orders: 500 messages behind']
    assert 'needs a second attempt' in verdict['reason']


@pytest.mark.parametrize('lags', [[0], [500, 0], [0, 0, 0]])
def test_a_group_caught_up_passes(lags):
    verdict = trend('require_progress', [lagging(lag) for lag in lags])
    assert (verdict['status'], verdict['observed']) == ('passed', 'caught up')


def test_a_group_that_caught_up_in_between_is_moving():
    verdict = trend('require_progress', [lagging(500), lagging(0), lagging(20)])
    assert verdict['status'] == 'passed'


def test_progress_cannot_be_told_without_the_number_of_messages_waiting():
    verdict = trend('require_progress', [lagging(500), status_entry(total_diff=None)])
    assert verdict['status'] == 'inconclusive'


def test_a_group_without_samples_is_inconclusive():
    verdicts = judge([{'group_id': 'GID_orders', 'require_progress': True, 'lag_trend': True}], {'GID_orders': lagging(500)})
    checks = by_check(verdicts)
    assert {checks[name]['status'] for name in ('require_progress', 'lag_trend')} == {'inconclusive'}
    assert checks['lag_trend']['reason'] == 'no sample of the lag was taken'


# ---------------------------------------------------------------------------------------------
# lag_trend


def test_a_lag_growing_at_every_sample_is_falling_behind_even_under_max_lag():
    verdicts = judge([{'group_id': 'GID_orders', 'lag_trend': True, 'max_lag': 1000}], {'GID_orders': lagging(300)},
                     samples=samples_of(lagging(100), lagging(200), lagging(300)))
    checks = by_check(verdicts)
    assert checks['max_lag']['status'] == 'passed'
    verdict = checks['lag_trend']
    assert (verdict['status'], verdict['blocking'], verdict['observed']) == ('failed', True, [100, 200, 300])
    assert verdict['reason'] == 'FALLING BEHIND: the lag grew at each of 3 samples in 20 s (100 -> 200 -> 300)'
    assert verdict['offenders'] == ['topic orders']


def test_only_the_topics_that_grew_at_every_sample_are_named():
    def status(orders, refunds):
        return lagging(orders + refunds, topics=[topic('orders', orders), topic('refunds', refunds)])

    verdict = trend('lag_trend', [status(100, 50), status(200, 40), status(300, 60)])
    assert verdict['status'] == 'failed'
    assert verdict['offenders'] == ['topic orders']


def test_a_lag_growing_over_two_samples_is_inconclusive_asking_for_a_third():
    verdict = trend('lag_trend', [lagging(100), lagging(200)])
    assert (verdict['status'], verdict['blocking']) == ('inconclusive', True)
    assert 'it needs three' in verdict['reason']


@pytest.mark.parametrize('lags', [[100, 50, 300], [100, 100, 300], [100, 200, 150], [300, 200, 100], [100, 200, 0]])
def test_a_lag_that_fell_or_held_once_passes(lags):
    assert trend('lag_trend', [lagging(lag) for lag in lags])['status'] == 'passed'


def test_a_lag_of_zero_passes_from_the_first_sample():
    verdict = trend('lag_trend', [lagging(0)])
    assert (verdict['status'], verdict['reason']) == ('passed', 'one sample')


def test_a_trend_cannot_be_told_without_the_lag_of_every_sample():
    verdict = trend('lag_trend', [lagging(100), status_entry(total_diff=None), lagging(300)])
    assert verdict['status'] == 'inconclusive'
