# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The gate over RocketMQ 5.x instances, and over both legs of a migration, against the emulator over HTTP.

The engine chooses each instance's API by its ID and reads a 5.x group through the functions the
rmq_* modules use; the clock advances the emulator instead of sleeping (see test_gate_engine).
"""

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.module_utils import ons_queries, rmq_queries
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.client import OnsClient
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.credentials import Credentials
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.ons_module import query_concurrently
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.rmq_client import RmqClient
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils import gate_conditions
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_engine import Facts, Run
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_spec import gate_plan

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


@pytest.fixture
def gate(emulator):
    """Run the gate over ``loaded`` with ``options``, with a client for each API; returns a GateRun."""
    clients = []

    def run(loaded, **options):
        emulator.load(loaded)
        plan = gate_plan(**options)
        client = OnsClient(Credentials(KEY_ID, KEY_SECRET), emulator.url, retries=0, rate_limit=1000)
        rmq_client = RmqClient(Credentials(KEY_ID, KEY_SECRET), emulator.url, retries=0, rate_limit=1000)
        clients.extend([client, rmq_client])
        clock = EmulatorClock(emulator.url)
        progress = []
        facts = Facts(client, ons_queries, query_concurrently, rmq_client=rmq_client, rmq_queries=rmq_queries)
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
        'min_consumers': 'passed', 'unique_client_ids': 'passed'}


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


def test_a_5x_group_that_does_not_exist_fails_its_checks(gate):
    run = gate(bundled('rocketmq5'), instance_id=RMQ, groups=[{'group_id': 'GID_nobody'}])
    checks = run.verdicts('GID_nobody')
    assert {verdict['status'] for verdict in checks.values()} == {'failed'}
    assert 'ConsumerGroup.NotFound' in checks['min_consumers']['reason']
