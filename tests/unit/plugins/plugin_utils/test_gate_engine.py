# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The gate's run against the bundled emulator over HTTP, with a clock that never sleeps.

Each test loads a scenario into the emulator and runs the engine with the collection's own client
and queries (the code the info modules use). The clock's sleep moves the emulator's clock forward
(``POST /_emulator/advance``) and its own by the same seconds, so that a wait of minutes takes
milliseconds and the emulator's timeline, delays and consume times follow the gate's attempts.
"""

import os
import re
import time

import pytest
import requests
import yaml

from ansible_collections.apsaramq.rocketmq.plugins.module_utils import ons_queries
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.client import OnsClient
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.credentials import Credentials
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.module_base import query_concurrently
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils import gate_conditions
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_engine import Facts, Run
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_spec import gate_plan

KEY_ID = 'LTAI5tEmulatorDemoKey01'
KEY_SECRET = 'EmulatorDemoSecretNotForProduction01'
INSTANCE = 'MQ_INST_1234567890_DEMO'
SCENARIOS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..', 'emulator', 'scenarios')
CONSUMED_MSG = '0A0001050000217A0000000000000001'
PENDING_MSG = '0A0001050000217A0000000000000002'


class EmulatorClock:
    """The gate's clock in step with the emulator's: sleeping moves both forward at once, without waiting."""

    def __init__(self, url):
        self.url = url
        self.advanced = 0.0
        self.slept = []

    def now(self):
        return 1000.0 + self.advanced

    def wall(self):
        # The emulator's clock is the wall clock plus every advance.
        return time.time() + self.advanced

    def sleep(self, seconds):
        response = requests.post(self.url + '/_emulator/advance', params={'seconds': repr(seconds)}, timeout=10)
        response.raise_for_status()
        self.advanced += seconds
        self.slept.append(seconds)


class GateRun:
    """What one run of the gate gave, and what it asked the emulator."""

    def __init__(self, outcome, clock, progress, log):
        self.outcome = outcome
        self.clock = clock
        self.progress = progress
        # The emulator's request log: every request of the run, in order.
        self.log = log

    def verdicts(self, subject):
        return {verdict['check']: verdict for verdict in self.outcome['verdicts'] if verdict['subject'] == subject}

    def actions(self):
        """How many times each action was called."""
        counted = {}
        for entry in self.log:
            counted[entry['action']] = counted.get(entry['action'], 0) + 1
        return counted

    def calls(self, action, param):
        """How many times ``action`` was called, by the value of its parameter ``param``."""
        counted = {}
        for entry in self.log:
            if entry['action'] == action:
                counted[entry['params'].get(param)] = counted.get(entry['params'].get(param), 0) + 1
        return counted


def client_data(address, version='V5_1_0'):
    return {'client_addr': address, 'version': version}


def group_data(group_id, consumed=1000, clients=2, **extra):
    data = {'group_id': group_id, 'offsets': {'orders': consumed},
            'clients': [client_data('10.0.%d.%d:530%02d' % (len(group_id), n, n)) for n in range(1, clients + 1)]}
    data.update(extra)
    return data


def scenario(*groups, timeline=None, faults=None, messages=None):
    """A scenario of instance INSTANCE with topic orders at offset 1000 (ten messages a second) and ``groups``."""
    return {
        'description': 'a run of the gate engine',
        'keys': [{'access_key_id': KEY_ID, 'access_key_secret': KEY_SECRET}],
        'limits': {'rate': 0},
        'instances': [{'instance_id': INSTANCE, 'topics': [{'topic': 'orders', 'max_offset': 1000, 'produce_tps': 10}],
                       'groups': list(groups), 'messages': messages or []}],
        'timeline': timeline or [],
        'faults': faults or [],
    }


@pytest.fixture
def gate(emulator):
    """Run the gate over ``scenario`` with the gate options ``options``; returns a GateRun."""
    clients = []

    def run(loaded, **options):
        emulator.load(loaded)
        plan = gate_plan(instance_id=INSTANCE, **options)
        client = OnsClient(Credentials(KEY_ID, KEY_SECRET), emulator.url, retries=0, rate_limit=1000)
        clients.append(client)
        clock = EmulatorClock(emulator.url)
        progress = []
        outcome = Run(plan, Facts(client, ons_queries, query_concurrently), clock=clock, progress=progress.append,
                      evaluate_condition=gate_conditions.evaluate).run()
        return GateRun(outcome, clock, progress, emulator.requests())

    yield run
    for client in clients:
        client.close()


def bundled(name):
    with open(os.path.join(SCENARIOS, name + '.yml')) as handle:
        return yaml.safe_load(handle)


def test_a_rollout_that_completes_while_the_gate_waits_passes_at_the_attempt_after_it(gate):
    # rollout_completes: two of four clients on V4_9_4 and 200 messages behind; at 10 s one client
    # left behind and 80 messages; at 20 s every client on V5_1_0 and the lag drained.
    run = gate(bundled('rollout_completes'), groups=[{'group_id': 'GID_orders', 'uniform_version': True, 'max_lag': 0}],
               wait_timeout=60, poll_interval=10)
    checks = run.verdicts('GID_orders')
    assert {name: verdict['status'] for name, verdict in checks.items()} == {
        'min_consumers': 'passed', 'uniform_version': 'passed', 'unique_client_ids': 'passed',
        'subscription_consistent': 'passed', 'max_lag': 'passed', 'max_failed_percent': 'passed'}
    assert run.outcome['attempts'] == 3
    assert {verdict['attempt'] for verdict in checks.values()} == {3}
    assert run.clock.slept == [10, 10]
    assert run.progress == [
        'attempt 1 at 0 s: 2 of 6 checks not passing: GID_orders uniform_version failed, GID_orders max_lag failed (200); '
        'next attempt in 10 s',
        'attempt 2 at 10 s: 2 of 6 checks not passing: GID_orders uniform_version failed, GID_orders max_lag failed (80); '
        'next attempt in 10 s',
    ]
    assert run.outcome['runs'] == [{'suite': 'consumer_health', 'attempts': 3, 'elapsed_seconds': 20.0, 'wait_timeout': 60.0,
                                    'poll_interval': 10.0, 'observe_seconds': 0.0, 'timed_out': False, 'stopped': False}]


@pytest.mark.parametrize('group, status, observed', [
    # No client consumes: the consume time stood still for 300 s before the gate started.
    (group_data('GID_orders', consumed=900, consume_tps=0, stalled_for=300), 'failed', 'stalled'),
    (group_data('GID_orders', consumed=900), 'passed', 'moving'),
])
def test_require_progress_tells_a_stalled_group_from_a_consuming_one_at_the_second_attempt(gate, group, status, observed):
    run = gate(scenario(group), groups=[{'group_id': 'GID_orders', 'require_progress': True}], wait_timeout=10, poll_interval=10)
    assert run.outcome['attempts'] == 2
    assert run.progress[0].startswith('attempt 1 at 0 s: 1 of 5 checks not passing: GID_orders require_progress inconclusive')
    verdict = run.verdicts('GID_orders')['require_progress']
    assert (verdict['status'], verdict['observed'], verdict['attempt']) == (status, observed, 2)
    samples = run.outcome['samples'][INSTANCE + '/GID_orders']
    assert [(sample['seconds'], sample['total_diff']) for sample in samples] == [(0, 100), (10, 100)]
    if status == 'failed':
        assert verdict['reason'].startswith('STALLED: 1 topic')
        assert len(verdict['offenders']) == 1
        stalled = re.fullmatch(r'topic orders: 100 messages behind, last consumed (\d+) s ago, no consumption in the 10 s observed',
                               verdict['offenders'][0])
        assert stalled and 320 <= int(stalled.group(1)) < 330
        assert samples[0]['last_timestamp'] == samples[1]['last_timestamp']
    else:
        assert samples[1]['last_timestamp'] - samples[0]['last_timestamp'] >= 9000


@pytest.mark.parametrize('wait_timeout, poll_interval, attempts', [(0, 10, 1), (9, 10, 1), (25, 10, 3), (30, 10, 4), (30, 7, 5)])
def test_wait_timeout_bounds_the_attempts_and_none_starts_after_it(gate, wait_timeout, poll_interval, attempts):
    run = gate(scenario(group_data('GID_orders')), groups=[{'group_id': 'GID_orders', 'min_consumers': 5}],
               wait_timeout=wait_timeout, poll_interval=poll_interval)
    assert run.outcome['attempts'] == attempts
    assert run.calls('OnsConsumerStatus', 'GroupId') == {'GID_orders': attempts}
    # The clock moves only while the gate sleeps: attempt N starts after the first N - 1 sleeps.
    assert run.clock.slept == [poll_interval] * (attempts - 1)
    assert sum(run.clock.slept) <= wait_timeout
    assert len(run.progress) == attempts - 1
    assert run.verdicts('GID_orders')['min_consumers']['status'] == 'failed'
    assert run.outcome['runs'][0]['timed_out'] is (wait_timeout > 0)


def test_observe_seconds_reads_every_group_at_every_attempt_while_all_pass(gate):
    run = gate(scenario(group_data('GID_a'), group_data('GID_b')), groups=[{'group_id': 'GID_a'}, {'group_id': 'GID_b'}],
               observe_seconds=20, poll_interval=10)
    assert run.outcome['attempts'] == 3
    assert run.calls('OnsConsumerStatus', 'GroupId') == {'GID_a': 3, 'GID_b': 3}
    assert [[sample['seconds'] for sample in run.outcome['samples'][INSTANCE + '/' + group]] for group in ('GID_a', 'GID_b')] == [
        [0, 10, 20], [0, 10, 20]]
    assert run.progress == ['attempt 1 at 0 s: all 8 checks pass; observing until 20 s, next attempt in 10 s',
                            'attempt 2 at 10 s: all 8 checks pass; observing until 20 s, next attempt in 10 s']
    assert not any(verdict['blocking'] for verdict in run.outcome['verdicts'])


def test_a_group_or_message_that_passed_is_not_read_again(gate):
    messages = [{'msg_id': CONSUMED_MSG, 'topic': 'orders', 'offset': 900}, {'msg_id': PENDING_MSG, 'topic': 'orders', 'offset': 990}]
    run = gate(scenario(group_data('GID_ok', consumed=950), group_data('GID_short', consumed=950), messages=messages),
               groups=[{'group_id': 'GID_ok'}, {'group_id': 'GID_short', 'min_consumers': 3}],
               messages=[{'topic': 'orders', 'msg_id': CONSUMED_MSG}, {'topic': 'orders', 'msg_id': PENDING_MSG}],
               wait_timeout=20, poll_interval=10)
    assert run.outcome['attempts'] == 3
    assert run.calls('OnsConsumerStatus', 'GroupId') == {'GID_ok': 1, 'GID_short': 3}
    assert run.calls('OnsMessageTrace', 'MsgId') == {CONSUMED_MSG: 1, PENDING_MSG: 3}
    # A settled verdict keeps the attempt it was reached at.
    assert {verdict['attempt'] for verdict in run.verdicts('GID_ok').values()} == {1}
    assert run.verdicts('orders/' + PENDING_MSG)['consumed']['status'] == 'failed'
    assert [run['suite'] for run in run.outcome['runs']] == ['consumer_health', 'message_delivery']


def test_the_gate_reads_the_lag_from_the_status_and_never_asks_for_the_accumulation(gate):
    rules = [{'name': 'lag_query', 'query': 'accumulate.total_diff', 'expect': 100},
             {'name': 'lag_condition', 'that': ['accumulate.total_diff == status.total_diff', 'samples[-1].total_diff == 100']}]
    run = gate(scenario(group_data('GID_orders', consumed=900)),
               groups=[{'group_id': 'GID_orders', 'max_lag': 1000, 'max_delay_seconds': 600, 'require_progress': True,
                        'lag_trend': True, 'rules': rules}], observe_seconds=20, poll_interval=10)
    checks = run.verdicts('GID_orders')
    assert {name: checks[name]['status'] for name in ('max_lag', 'max_delay_seconds', 'require_progress', 'lag_trend',
                                                      'lag_query', 'lag_condition')} == dict.fromkeys(
        ('max_lag', 'max_delay_seconds', 'require_progress', 'lag_trend', 'lag_query', 'lag_condition'), 'passed')
    assert checks['max_lag']['observed'] == 100
    assert run.actions() == {'OnsConsumerStatus': 3}
    assert {entry['params'].get('Detail') for entry in run.log} == {'true'}


@pytest.mark.parametrize('fault', [
    {'kind': 'internal_error'}, {'kind': 'service_unavailable'}, {'kind': 'throttle'}, {'kind': 'flow_control'},
    {'kind': 'drop'}, {'kind': 'truncate'}, {'kind': 'non_json'}, {'kind': 'html_502'},
    {'kind': 'internal_error', 'code': 'ONS_SYSTEM_ERROR', 'message': 'busy'},
])
def test_an_api_error_makes_every_check_of_the_group_inconclusive_never_passed(gate, fault):
    fault = dict(fault, action='OnsConsumerStatus', params={'GroupId': 'GID_orders'})
    run = gate(scenario(group_data('GID_orders'), group_data('GID_other'), faults=[fault]),
               groups=[{'group_id': 'GID_orders', 'max_lag': 10, 'require_progress': True,
                        'rules': [{'name': 'busy', 'that': 'status.consume_tps > 0'}, {'name': 'online', 'query': 'status.online'}]},
                       {'group_id': 'GID_other'}], wait_timeout=10, poll_interval=10)
    checks = run.verdicts('GID_orders')
    assert sorted(checks) == ['busy', 'max_failed_percent', 'max_lag', 'min_consumers', 'online', 'require_progress',
                              'subscription_consistent', 'unique_client_ids']
    assert {(verdict['status'], verdict['blocking'], verdict['attempt']) for verdict in checks.values()} == {('inconclusive', True, 2)}
    reasons = {verdict['reason'] for verdict in checks.values()}
    assert len(reasons) == 1
    assert reasons.pop().startswith('ons_consumer_status_info failed: ')
    assert run.calls('OnsConsumerStatus', 'GroupId') == {'GID_orders': 2, 'GID_other': 1}
    assert {verdict['status'] for verdict in run.verdicts('GID_other').values()} == {'passed'}


def test_the_reason_of_an_api_error_names_its_code_and_message(gate):
    faults = [{'kind': 'internal_error', 'code': 'ONS_SYSTEM_ERROR', 'message': 'the broker is busy', 'action': 'OnsConsumerStatus'},
              {'kind': 'service_unavailable', 'message': 'trace store offline', 'action': 'OnsMessageTrace'}]
    run = gate(scenario(group_data('GID_orders'), faults=faults, messages=[{'msg_id': CONSUMED_MSG, 'topic': 'orders', 'offset': 900}]),
               groups=[{'group_id': 'GID_orders'}], messages=[{'topic': 'orders', 'msg_id': CONSUMED_MSG}])
    reason = run.verdicts('GID_orders')['min_consumers']['reason']
    assert reason.startswith('ons_consumer_status_info failed: ')
    assert 'ONS_SYSTEM_ERROR' in reason and 'the broker is busy' in reason
    delivery = run.verdicts('orders/' + CONSUMED_MSG)['consumed']
    assert (delivery['status'], delivery['blocking']) == ('inconclusive', True)
    assert delivery['reason'].startswith('ons_trace_info failed: ')
    assert 'ServiceUnavailable' in delivery['reason'] and 'trace store offline' in delivery['reason']


def test_a_group_whose_status_failed_once_is_read_again_and_passes_on_its_facts(gate):
    fault = {'kind': 'service_unavailable', 'times': 1, 'action': 'OnsConsumerStatus'}
    run = gate(scenario(group_data('GID_orders'), faults=[fault]), groups=[{'group_id': 'GID_orders'}], wait_timeout=30, poll_interval=10)
    assert run.outcome['attempts'] == 2
    assert run.progress[0].startswith('attempt 1 at 0 s: 4 of 4 checks not passing: GID_orders min_consumers inconclusive')
    assert {verdict['status'] for verdict in run.verdicts('GID_orders').values()} == {'passed'}


def test_what_the_api_says_does_not_exist_fails_even_where_inconclusive_is_allowed(gate):
    messages = [{'msg_id': CONSUMED_MSG, 'topic': 'orders', 'offset': 900}]
    run = gate(scenario(group_data('GID_orders'), messages=messages),
               groups=[{'group_id': 'GID_gone', 'allow_inconclusive': ['min_consumers']}],
               messages=[{'topic': 'orders', 'msg_id': PENDING_MSG}, {'topic': 'refunds', 'msg_id': CONSUMED_MSG, 'allow_inconclusive': True}])
    gone = run.verdicts('GID_gone')
    assert {verdict['status'] for verdict in gone.values()} == {'failed'}
    assert 'BIZ_SUBSCRIPTION_NOT_FOUND' in gone['min_consumers']['reason']
    unknown_message = run.verdicts('orders/' + PENDING_MSG)['consumed']
    assert (unknown_message['status'], unknown_message['observed']) == ('failed', 'not found')
    unknown_topic = run.verdicts('refunds/' + CONSUMED_MSG)['consumed']
    assert unknown_topic['status'] == 'failed' and 'BIZ_TOPIC_NOT_FOUND' in unknown_topic['reason']


def test_a_selection_lists_every_type_and_an_http_group_is_read_only_for_a_check_that_applies_to_it(gate):
    run = gate(scenario(group_data('GID_orders', tags={'app': 'shop'}), group_data('GID_web', clients=0, group_type='http', tags={'app': 'shop'}),
                        group_data('GID_hook', clients=0, group_type='http', tags={'app': 'shop'}),
                        group_data('GID_other', tags={'app': 'else'})),
               groups=[{'select': {'tags': {'app': 'shop'}, 'exclude': ['GID_hook']}},
                       {'group_id': 'GID_hook', 'group_type': 'http', 'max_lag': 0}])
    select = run.verdicts('groups[0]')['select']
    assert (select['status'], select['observed']) == ('passed', ['GID_orders', 'GID_web'])
    assert run.calls('OnsGroupList', 'GroupType') == {'tcp': 1, 'http': 1}
    # GID_web has only client checks, none of which applies to an HTTP group: it is not read, and fails closed.
    assert run.calls('OnsConsumerStatus', 'GroupId') == {'GID_hook': 1, 'GID_orders': 1}
    web = run.verdicts('GID_web')
    assert web['applicable_checks']['status'] == 'inconclusive'
    assert {web[name]['status'] for name in ('min_consumers', 'unique_client_ids', 'subscription_consistent')} == {'not_applicable'}
    assert run.verdicts('GID_hook')['max_lag']['status'] == 'passed'


def test_the_reads_of_two_apis_take_turns_so_that_each_goes_at_its_own_limit():
    from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_engine import Job, interleaved

    jobs = [Job(('status', 'MQ_INST_1', 'GID_%d' % n), 'w', None, 1, 'ons') for n in range(3)]
    jobs += [Job(('status', 'rmq-cn-1', 'GID_%d' % n), 'w', None, 3, 'rmq') for n in range(2)]
    order = [(job.api, job.key[2]) for job in interleaved(jobs)]
    assert order == [('ons', 'GID_0'), ('rmq', 'GID_0'), ('ons', 'GID_1'), ('rmq', 'GID_1'), ('ons', 'GID_2')]
    assert interleaved([]) == []


def test_the_dead_letters_of_a_group_are_read_beside_the_statuses_not_after_them():
    from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_engine import Job, interleaved

    # Another operation, limited apart: its reads take turns with the statuses of the same API.
    jobs = [Job((kind, 'MQ_INST_1', 'GID_%d' % n), 'w', None, 1, 'ons') for kind in ('status', 'dead_letters') for n in range(2)]
    order = [(job.key[0], job.key[2]) for job in interleaved(jobs)]
    assert order == [('status', 'GID_0'), ('dead_letters', 'GID_0'), ('status', 'GID_1'), ('dead_letters', 'GID_1')]
