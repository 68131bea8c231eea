# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The gate over RocketMQ 5.x instances, and over both legs of a migration, against the emulator over HTTP.

The engine chooses each instance's API by its ID and reads a 5.x group through the functions the
rmq_* modules use; the clock advances the emulator instead of sleeping (see test_gate_engine).
"""

import re
import time

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.module_utils import ons_queries, rmq_queries
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.client import OnsClient
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.credentials import Credentials
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.module_base import query_concurrently
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.rmq_client import RmqClient
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils import gate_conditions
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_engine import Facts, Run
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_spec import gate_plan

from ansible_collections.apsaramq.rocketmq.tests.unit.plugins.module_utils.test_rmq_client import (
    RmqServer,
    endless,
    make_client,
    ok,
)
from ansible_collections.apsaramq.rocketmq.tests.unit.plugins.plugin_utils.test_gate_engine import (
    KEY_ID,
    KEY_SECRET,
    EmulatorClock,
    GateRun,
    bundled,
)

RMQ = 'rmq-cn-demo0000001'
ONS = 'MQ_INST_1234567890_DEMO'
ONE_MSG = '0A0001050000217A000000000000A1B2'
GROUP_LISTING = '/instances/%s/consumerGroups' % RMQ


@pytest.fixture
def gate(emulator):
    """Run the gate over ``loaded`` with ``options``, with a client for each API; returns a GateRun."""
    clients = []

    def run(loaded, time_zone=None, **options):
        emulator.load(loaded)
        plan = gate_plan(**options)
        client = OnsClient(Credentials(KEY_ID, KEY_SECRET), emulator.url, retries=0, rate_limit=1000)
        rmq_client = RmqClient(Credentials(KEY_ID, KEY_SECRET), emulator.url, retries=0, rate_limit=1000)
        clients.extend([client, rmq_client])
        clock = EmulatorClock(emulator.url)
        progress = []
        facts = Facts(client, ons_queries, query_concurrently, rmq_client=rmq_client, rmq_queries=rmq_queries, rmq_time_zone=time_zone)
        outcome = Run(plan, facts, clock=clock, progress=progress.append, evaluate_condition=gate_conditions.evaluate).run()
        return GateRun(outcome, clock, progress, emulator.requests())

    yield run
    for client in clients:
        client.close()


def legs(run, check):
    return {verdict['instance_id']: verdict for verdict in run.outcome['verdicts'] if verdict['check'] == check}


def test_one_gate_checks_both_legs_of_a_migration_each_through_its_own_api(gate):
    run = gate(bundled('migration'),
               groups=[{'group_id': 'GID_orders', 'instance_id': ONS}, {'group_id': 'GID_orders', 'instance_id': RMQ}],
               group_defaults={'min_consumers': 2, 'max_lag': 1000, 'rebalance_ok': True},
               messages=[{'topic': 'orders', 'msg_id': ONE_MSG, 'instance_id': ONS},
                         {'topic': 'orders', 'msg_id': ONE_MSG, 'instance_id': RMQ}])
    assert [verdict for verdict in run.outcome['verdicts'] if verdict['blocking']] == []
    assert legs(run, 'rebalance_ok')[ONS]['status'] == 'passed'
    assert legs(run, 'rebalance_ok')[RMQ]['status'] == 'not_applicable'
    assert legs(run, 'max_lag')[RMQ]['observed'] == 120
    assert {instance: verdict['status'] for instance, verdict in legs(run, 'consumed').items()} == {ONS: 'passed', RMQ: 'passed'}
    # Each leg through its own API, each figure asked once: no OnsConsumerAccumulate beside OnsConsumerStatus.
    assert run.actions() == {'OnsConsumerStatus': 1, 'OnsMessageTrace': 1, 'ListConsumerConnections': 1,
                             'GetConsumerGroupLag': 1, 'ListConsumerGroupSubscriptions': 1, 'GetTrace': 1}


def test_a_5x_group_is_asked_only_what_its_checks_need(gate):
    run = gate(bundled('rocketmq5'), instance_id=RMQ, groups=[{'group_id': 'GID_orders', 'subscription_consistent': False}])
    assert run.actions() == {'ListConsumerConnections': 1}
    assert {name: verdict['status'] for name, verdict in run.verdicts('GID_orders').items()} == {
        'min_consumers': 'passed', 'unique_client_ids': 'passed', 'max_failed_percent': 'not_applicable'}


def test_a_limit_of_zero_is_a_check_that_reads_the_lag_of_a_5x_group(gate):
    run = gate(bundled('rocketmq5'), instance_id=RMQ, groups=[{'group_id': 'GID_orders', 'max_lag': 0}])
    assert run.actions()['GetConsumerGroupLag'] == 1
    assert run.verdicts('GID_orders')['max_lag']['status'] == 'passed'


def test_a_stalled_5x_group_fails_require_progress_at_the_second_attempt(gate):
    loaded = bundled('rocketmq5')
    group = loaded['instances'][0]['groups'][0]
    group['offsets'] = {topic: offset - 50 for topic, offset in group['offsets'].items()}
    group['consume_tps'] = 0
    group['stalled_for'] = 300
    run = gate(loaded, instance_id=RMQ, groups=[{'group_id': group['group_id'], 'require_progress': True}],
               wait_timeout=10, poll_interval=10)
    assert run.outcome['attempts'] == 2
    verdict = run.verdicts(group['group_id'])['require_progress']
    assert (verdict['status'], verdict['attempt']) == ('failed', 2)
    assert verdict['reason'].startswith('STALLED: ')


# --- traces of 5.x messages: the published words, the old ones, scheduled messages, the window ---------

ORDERS_MSG = '0100163E0EC1F1965C04C7906700000A1B2'


def traced(vocabulary=None, **message):
    """The rocketmq5 scenario with GID_audit reading orders too, the orders message changed by ``message``."""
    loaded = bundled('rocketmq5')
    if vocabulary is not None:
        loaded['trace_vocabulary'] = vocabulary
    instance = loaded['instances'][0]
    instance['groups'].append({'group_id': 'GID_audit', 'offsets': {'orders': 1000},
                               'clients': [{'client_addr': '10.0.3.5:55001', 'subscriptions': [{'topic': 'orders'}]}]})
    instance['messages'][0].update(message)
    return loaded


def consumed(run):
    [found] = [verdict for verdict in run.outcome['verdicts'] if verdict['check'] == 'consumed']
    return found


@pytest.mark.parametrize('vocabulary, word', [(None, 'FAILED'), ('legacy', 'CONSUME_FAILED')])
def test_a_5x_message_one_group_consumed_and_another_failed_fails_naming_the_second_group(gate, vocabulary, word):
    run = gate(traced(vocabulary, consume_status={'GID_audit': word}), instance_id=RMQ,
               messages=[{'topic': 'orders', 'msg_id': ORDERS_MSG}])
    verdict = consumed(run)
    assert (verdict['status'], verdict['offenders']) == ('failed', ['GID_audit: %s' % word])
    assert verdict['observed'] == {'GID_orders': 'CONSUMED', 'GID_audit': word}
    assert verdict['reason'] == '1 of 2 groups did not consume the message'


@pytest.mark.parametrize('vocabulary', [None, 'legacy'])
def test_a_5x_message_every_group_consumed_passes_in_either_vocabulary(gate, vocabulary):
    run = gate(traced(vocabulary), instance_id=RMQ, messages=[{'topic': 'orders', 'msg_id': ORDERS_MSG}])
    assert consumed(run)['status'] == 'passed'
    assert consumed(run)['observed'] == {'GID_orders': 'CONSUMED', 'GID_audit': 'CONSUMED'}


def test_a_5x_status_the_gate_does_not_know_is_inconclusive_naming_the_word(gate):
    run = gate(traced(consume_status={'GID_audit': 'PARTLY_DONE'}), instance_id=RMQ, messages=[{'topic': 'orders', 'msg_id': ORDERS_MSG}])
    verdict = consumed(run)
    assert (verdict['status'], verdict['offenders']) == ('inconclusive', ['GID_audit: UNKNOWN:PARTLY_DONE'])


def test_a_scheduled_5x_message_is_not_due_and_is_consumed_once_its_time_came(gate):
    # Delivered 15 s after the start: the first attempt says so, the one after it finds it consumed.
    run = gate(traced(deliver_in=15), time_zone='Z', instance_id=RMQ, messages=[{'topic': 'orders', 'msg_id': ORDERS_MSG}],
               wait_timeout=30, poll_interval=10)
    first = [line for line in run.progress if line.startswith('attempt 1 ')][0]
    assert 'consumed inconclusive' in first
    verdict = consumed(run)
    assert (verdict['status'], verdict['attempt']) == ('passed', 3)


def test_a_scheduled_5x_message_not_due_is_inconclusive_saying_so_not_no_track(gate):
    loaded = traced(deliver_in=3600)
    run = gate(loaded, time_zone='Z', instance_id=RMQ, messages=[{'topic': 'orders', 'msg_id': ORDERS_MSG}])
    verdict = consumed(run)
    assert verdict['status'] == 'inconclusive'
    assert re.match(r'^the message is scheduled for \d{4}-\d\d-\d\d \d\d:\d\d:\d\d, not due: no group can have consumed it yet$',
                    verdict['reason']), verdict['reason']
    # The groups it is expected by are named with it, never as NO_TRACK.
    run = gate(loaded, time_zone='Z', instance_id=RMQ, messages=[{'topic': 'orders', 'msg_id': ORDERS_MSG,
                                                                  'expect_consumed_by': ['GID_orders']}])
    verdict = consumed(run)
    assert verdict['offenders'] == ['GID_orders: NOT_DUE'] and verdict['observed'] == {'GID_orders': 'NOT_DUE'}
    assert re.match(r'^the message is scheduled for \S+ \S+, not due: no group can have consumed it yet$', verdict['reason'])
    # Without the zone of the API's times, an hour ahead may or may not have come.
    run = gate(loaded, instance_id=RMQ, messages=[{'topic': 'orders', 'msg_id': ORDERS_MSG}])
    assert 'perhaps not due' in consumed(run)['reason'] and 'set rmq_time_zone' in consumed(run)['reason']


def test_a_5x_message_is_looked_for_within_trace_lookback(gate):
    # Stored ten days ago: outside the default week (and the 14 hours an unknown zone adds), inside 15 days.
    stored = int((time.time() - 10 * 86400) * 1000)
    loaded = traced(store_timestamp=stored)
    run = gate(loaded, instance_id=RMQ, messages=[{'topic': 'orders', 'msg_id': ORDERS_MSG}])
    verdict = consumed(run)
    assert (verdict['status'], verdict['observed']) == ('failed', 'not found')
    assert re.search(r'stored from \d{4}-\d\d-\d\dT[0-9:.]+Z to \d{4}-\d\d-\d\dT[0-9:.]+Z \(trace_lookback\)$', verdict['reason'])
    [request] = [entry for entry in run.log if entry['action'] == 'GetTrace']
    assert set(request['params']) >= {'startTime', 'endTime'}
    run = gate(loaded, instance_id=RMQ, message_defaults={'trace_lookback': 15 * 86400}, messages=[{'topic': 'orders', 'msg_id': ORDERS_MSG}])
    assert consumed(run)['status'] == 'passed'


# --- dead letters on both generations ------------------------------------------------------------

DEAD_LETTER_GROUPS = [{'group_id': group, 'instance_id': instance} for instance in (ONS, RMQ) for group in ('GID_orders', 'GID_payments')]


def dead_letter_verdicts(run):
    return {(verdict['instance_id'], verdict['subject']): (verdict['status'], verdict['observed'])
            for verdict in run.outcome['verdicts'] if verdict['check'] == 'max_dead_letters'}


def test_a_dead_letter_stored_a_minute_before_the_gate_fails_on_both_generations_and_one_three_days_old_does_not(gate):
    # dead_letters: GID_orders has a letter 60 s old and one three days old, GID_payments only one three days old.
    run = gate(bundled('dead_letters'), groups=DEAD_LETTER_GROUPS, group_defaults={'max_dead_letters': 0},
               wait_timeout=10, poll_interval=10)
    assert dead_letter_verdicts(run) == {(ONS, 'GID_orders'): ('failed', 1), (ONS, 'GID_payments'): ('passed', 0),
                                         (RMQ, 'GID_orders'): ('failed', 1), (RMQ, 'GID_payments'): ('passed', 0)}
    failed = [verdict for verdict in run.outcome['verdicts'] if verdict['status'] == 'failed']
    assert [verdict['offenders'][0].split(',')[0] for verdict in failed] == [
        'message 0A0001050000217A000000000000D001 of topic orders', 'message 0100163E0EC1F1965C04C790670000D001 of topic DLQ_orders']
    # A group on two instances is named with its instance, in the progress line as in the report.
    assert run.progress[0].startswith('attempt 1 at 0 s: 2 of 20 checks not passing: GID_orders (%s) max_dead_letters failed (1), '
                                      'GID_orders (%s) max_dead_letters failed (1)' % (ONS, RMQ))
    # Read beside the status at each attempt while the group does not pass; the 5.x dead-letter topic once per group.
    actions = run.actions()
    assert (run.outcome['attempts'], actions['OnsDLQMessagePageQueryByGroupId'], actions['ListMessages'], actions['GetConsumerGroup']) == (
        2, 3, 3, 2)


def test_the_look_back_decides_what_counts_and_a_known_zone_makes_the_5x_window_exact(gate):
    # A look-back of 30 s leaves out the letter stored 60 s before: exactly on 4.x, whose times are epoch ms.
    run = gate(bundled('dead_letters'), groups=DEAD_LETTER_GROUPS[:1] + DEAD_LETTER_GROUPS[2:3],
               group_defaults={'max_dead_letters': 0, 'dead_letter_lookback': 30})
    # The 5.x API gives its times without a zone: the letter may be in the window, so it counts.
    assert dead_letter_verdicts(run) == {(ONS, 'GID_orders'): ('passed', 0), (RMQ, 'GID_orders'): ('failed', 1)}
    # Told the zone (the emulator's is UTC), the 5.x window is exact too.
    run = gate(bundled('dead_letters'), time_zone='UTC', groups=DEAD_LETTER_GROUPS[2:3],
               group_defaults={'max_dead_letters': 0, 'dead_letter_lookback': 30})
    assert dead_letter_verdicts(run) == {(RMQ, 'GID_orders'): ('passed', 0)}


def test_a_5x_group_without_a_dead_letter_topic_is_not_applicable_and_its_messages_are_not_listed(gate):
    run = gate(bundled('rocketmq5'), instance_id=RMQ, groups=[{'group_id': 'GID_orders', 'max_dead_letters': 0}])
    verdict = run.verdicts('GID_orders')['max_dead_letters']
    assert verdict['status'] == 'not_applicable' and 'no dead-letter topic' in verdict['reason']
    assert 'ListMessages' not in run.actions() and run.actions()['GetConsumerGroup'] == 1


def test_a_5x_group_that_does_not_exist_fails_its_checks(gate):
    run = gate(bundled('rocketmq5'), instance_id=RMQ, groups=[{'group_id': 'GID_nobody'}])
    checks = run.verdicts('GID_nobody')
    # max_failed_percent has no meaning on 5.x, whether the group exists or not.
    assert {name: verdict['status'] for name, verdict in checks.items() if name != 'max_failed_percent'} == {
        'min_consumers': 'failed', 'unique_client_ids': 'failed', 'subscription_consistent': 'failed'}
    assert checks['max_failed_percent']['status'] == 'not_applicable'
    assert 'ConsumerGroup.NotFound' in checks['min_consumers']['reason']


# --- selections over listings that cannot be whole ----------------------------------------------

class RequestClock:
    """The gate's clock moved ``step`` seconds by each request the server received, and by each sleep.

    No wall-clock time is measured: the gate's deadline is judged on what the server was asked.
    """

    def __init__(self, server, step=1.0):
        self.server = server
        self.step = step
        self.slept = 0.0

    def now(self):
        return 1000.0 + len(self.server.requests) * self.step + self.slept

    @staticmethod
    def wall():
        return time.time()

    def sleep(self, seconds):
        self.slept += seconds


def gate_over(routes, step=1.0, client_options=None, bounds=None, **options):
    """Run the gate over a loopback stand-in of the 5.x API answering ``routes``; returns (outcome, server).

    The client (test_rmq_client.make_client: timeout 5 s, 1000 calls per second, unless
    ``client_options`` say otherwise) reads the gate's RequestClock; ``bounds`` (a list) receives
    every deadline the gate binds it to.
    """
    with RmqServer(routes) as server:
        client = make_client(server, **dict({'retries': 0}, **(client_options or {})))
        if bounds is not None:
            bind = client.bound_by

            def recorded(deadline, *args, **kwargs):
                bounds.append(deadline)
                bind(deadline, *args, **kwargs)
            client.bound_by = recorded
        try:
            facts = Facts(None, ons_queries, query_concurrently, rmq_client=client, rmq_queries=rmq_queries)
            outcome = Run(gate_plan(**options), facts, clock=RequestClock(server, step),
                          evaluate_condition=gate_conditions.evaluate).run()
        finally:
            client.close()
        # The gate leaves its clients unbound.
        assert client.run_time_left() is None
    return outcome, server


def selection(outcome):
    [found] = [verdict for verdict in outcome['verdicts'] if verdict['kind'] == 'selection']
    return found


def test_a_5x_selection_whose_listing_falls_short_of_its_total_is_inconclusive_naming_the_shortfall():
    # ListConsumerGroups says five groups and delivers one, then an empty page.
    pages = [ok({'totalCount': 5, 'list': [{'consumerGroupId': 'GID_a', 'instanceId': RMQ}]}, 'p1'),
             ok({'totalCount': 5, 'list': []}, 'p2')]
    outcome, server = gate_over({GROUP_LISTING: pages}, instance_id=RMQ, groups=[{'select': {'group_id': 'GID'}}])
    select = selection(outcome)
    assert (select['status'], select['blocking'], select['observed']) == ('inconclusive', True, None)
    assert select['reason'].startswith('rmq_consumer_group_info failed: InvalidResponse: ListConsumerGroups said '
                                       'totalCount 5 but its pages held 1 distinct group (1 row in 2 pages)')
    assert select['reason'].endswith('; the groups it selects were not checked')
    # GID_a was not taken for the whole selection: nothing but the listing was asked.
    assert [request['path'] for request in server.requests] == [GROUP_LISTING, GROUP_LISTING]
    assert [verdict for verdict in outcome['verdicts'] if verdict['kind'] != 'selection'] == []


@pytest.mark.parametrize('wait_timeout, pages, late, deadline', [
    (0, 3, '1.0', "the gate's deadline for these reads (5 s after it started: the timeout of 5s and a turn at the rate "
                  "limit for 1 call)"),
    (30, 15, '0.0', "the gate's deadline (30 s after it started)"),
])
def test_a_listing_that_never_ends_stops_at_the_gates_deadline_and_its_selection_is_inconclusive(
        wait_timeout, pages, late, deadline):
    # Every page full of new groups; each request moves the gate's clock 2 s. The listing may run
    # until max(wait_timeout, its start + the client's timeout of 5 s + 1 call at 1000 per second):
    # wait_timeout 0 still makes its attempt. No page is asked with less than a second left.
    outcome, server = gate_over({GROUP_LISTING: [endless()]}, step=2.0, instance_id=RMQ,
                                groups=[{'select': {'group_id': 'GID'}}], wait_timeout=wait_timeout)
    assert len(server.requests) == pages and outcome['attempts'] == 1
    select = selection(outcome)
    assert select['status'] == 'inconclusive' and select['blocking']
    assert select['reason'].startswith(
        "rmq_consumer_group_info failed: DeadlineReached: ListConsumerGroups: %s passed %s s ago: page %d was not "
        "asked for, after %d distinct groups (%d rows in %d pages): the listing is incomplete" % (
            deadline, late, pages + 1, pages * 100, pages * 100, pages))


def test_the_one_attempt_of_wait_timeout_0_reads_every_group_at_the_rate_limit_past_one_timeout():
    # 150 groups, one call each at 100 calls per second: 1.5 s of the gate's clock (a step of one
    # turn per request), past the client's timeout of 1 s. The deadline of the attempt's round of
    # reads leaves a turn for each call it may need (3 per 5.x group): all are read, none refused.
    names = ['GID_%03d' % index for index in range(150)]
    routes = {'/instances/%s/consumerGroups/%s/connections' % (RMQ, name): [
        ok({'consumerGroupId': name, 'connections': [{'clientId': '10.0.0.1@1', 'egressIp': '10.0.0.1'}]})]
        for name in names}
    bounds = []
    outcome, server = gate_over(routes, step=0.01, client_options={'rate_limit': 100, 'timeout': 1}, bounds=bounds,
                                instance_id=RMQ, groups=[{'group_id': name, 'subscription_consistent': False}
                                                         for name in names])
    assert len(server.requests) == 150 and outcome['attempts'] == 1
    assert [verdict for verdict in outcome['verdicts'] if verdict['blocking']] == []
    # Bound at the start of the round: 1000 s + the timeout of 1 s + 150 groups x 3 calls x 0.01 s, then unbound.
    assert [round(bound, 3) if bound is not None else None for bound in bounds] == [1005.5, None]
