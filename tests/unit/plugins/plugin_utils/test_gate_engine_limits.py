# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the API gives that no check can order stops no run: a run over the emulator whose clients report absurd versions.

A client version of 5000 digits (Python refuses to convert a number that long) or one that is a
number of 401 digits: the checks that order versions are inconclusive for that group,
naming the client, and every other check, of that group and of the others, is judged as ever.
"""

import json

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.module_utils import ons_queries
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.client import OnsClient
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.credentials import Credentials
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.module_base import query_concurrently
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils import gate_conditions
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_engine import Facts, Run
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_report import gate_junit, gate_report
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_spec import gate_plan
from ansible_collections.apsaramq.rocketmq.tests.unit.plugins.plugin_utils.test_gate_engine import (
    INSTANCE,
    KEY_ID,
    KEY_SECRET,
    EmulatorClock,
    client_data,
    group_data,
    scenario,
)

LONG_VERSION = 'V' + '9' * 5000 + '_0_0'


@pytest.fixture
def run_gate(emulator):
    """Run the gate over a scenario with the gate options ``options``; return its outcome."""
    clients = []

    def run(loaded, **options):
        emulator.load(loaded)
        client = OnsClient(Credentials(KEY_ID, KEY_SECRET), emulator.url, retries=0, rate_limit=1000)
        clients.append(client)
        plan = gate_plan(instance_id=INSTANCE, **options)
        return Run(plan, Facts(client, ons_queries, query_concurrently), clock=EmulatorClock(emulator.url),
                   evaluate_condition=gate_conditions.evaluate).run()

    yield run
    for client in clients:
        client.close()


def test_clients_whose_versions_cannot_be_ordered_make_only_the_version_checks_inconclusive_for_their_group(run_gate):
    odd = group_data('GID_orders', clients=0)
    odd['clients'] = [client_data('10.0.1.5:53012', 'V5_1_0'), client_data('10.0.1.6:53020', LONG_VERSION),
                      client_data('10.0.1.7:53031', str(10 ** 400))]
    outcome = run_gate(scenario(odd, group_data('GID_payments')),
                       groups=[{'group_id': 'GID_orders'}, {'group_id': 'GID_payments'}],
                       group_defaults={'min_version': 'V4_9_4', 'uniform_version': True, 'max_lag': 0, 'min_consumers': 2})
    verdicts = outcome['verdicts']
    assert 'run' not in [verdict['check'] for verdict in verdicts]
    orders = {verdict['check']: verdict for verdict in verdicts if verdict['subject'] == 'GID_orders'}
    payments = {verdict['check']: verdict for verdict in verdicts if verdict['subject'] == 'GID_payments'}
    assert orders['min_version']['status'] == 'inconclusive'
    assert [offender.split(' (client id')[0] for offender in orders['min_version']['offenders']] == [
        '10.0.1.6:53020 on V999999999999999\u2026(5005 characters)', '10.0.1.7:53031 on 1000000000000000\u2026(401 characters)']
    assert orders['min_version']['reason'] == 'the version of 2 clients is not a RocketMQ version name'
    assert orders['uniform_version']['status'] == 'failed'
    assert {name: verdict['status'] for name, verdict in orders.items() if name not in ('min_version', 'uniform_version')} == {
        'min_consumers': 'passed', 'unique_client_ids': 'passed', 'subscription_consistent': 'passed', 'max_lag': 'passed',
        'max_failed_percent': 'passed'}
    assert {verdict['status'] for verdict in payments.values()} == {'passed'}
    # The reports of the run are written as ever, short.
    report = gate_report(verdicts, runs=outcome['runs'])
    assert len(json.dumps(report)) < 20000
    assert '(5005 characters)' in gate_junit(report)
