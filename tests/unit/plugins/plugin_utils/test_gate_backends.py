# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One backend per API generation: picked once by the instance ID, asked by the plan, the checks and the engine."""

from types import SimpleNamespace

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.apis import APIS, ONS, RMQ
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_backends import (
    BACKENDS,
    OnsBackend,
    RmqBackend,
    backend_for,
    needed_apis,
    not_due,
    trace_from_rmq,
)
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_checks import CHECKS, group_verdicts, wanted
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_engine import Facts
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_spec import group_plan

ONS_INSTANCE = 'MQ_INST_1234567890_TEST'
RMQ_INSTANCE = 'rmq-cn-test0000001'


class Calls:
    """Stand-ins of module_utils.ons_queries and rmq_queries: each function records its call and answers it."""

    def __init__(self, failing=()):
        self.made = []
        self.failing = failing

    def recorder(self, name, answer):
        def function(client, *args, **kwargs):
            self.made.append((name, client) + args + tuple(sorted(kwargs.items())))
            if name in self.failing:
                raise RuntimeError('%s refused' % name)
            return answer
        return function

    def ons(self):
        return SimpleNamespace(
            list_groups=self.recorder('list_groups', {'groups': [{'group_id': 'GID_orders'}]}),
            query_status=self.recorder('query_status', {'group_id': 'GID_orders', 'connections': []}),
            query_trace=self.recorder('query_trace', {'found': True, 'tracks': []}))

    def rmq(self):
        return SimpleNamespace(
            list_consumer_groups=self.recorder('list_consumer_groups', {'groups': [{'group_id': 'GID_orders'}]}),
            list_connections=self.recorder('list_connections', {'connections': [], 'online': False}),
            get_lag=self.recorder('get_lag', {'total_lag': {'ready_count': 0, 'inflight_count': 0}, 'topics': []}),
            list_subscriptions=self.recorder('list_subscriptions', {'subscriptions': []}),
            get_trace=self.recorder('get_trace', {'found': True, 'consumers': [{'group_id': 'GID_orders',
                                                                                'consume_status': 'SUCCESS'}]}))


def in_order(function, items):
    return [(function(item), None) for item in items]


def facts_over(calls):
    return Facts('ons-client', calls.ons(), in_order, rmq_client='rmq-client', rmq_queries=calls.rmq())


def entry(instance_id, **settings):
    return group_plan([dict({'group_id': 'GID_orders'}, **settings)], {'instance_id': instance_id})[0]


def names(calls):
    return [call[0] for call in calls.made]


@pytest.mark.parametrize('instance_id, backend', [
    (ONS_INSTANCE, OnsBackend),
    (RMQ_INSTANCE, RmqBackend),
    # An ID of neither form goes to ONS, which refuses it by name.
    ('MQ_INST', OnsBackend),
    ('cn-hangzhou-1', OnsBackend),
])
def test_the_backend_of_an_instance_is_picked_by_its_id(instance_id, backend):
    assert isinstance(backend_for(instance_id), backend)


def test_every_api_has_exactly_one_backend():
    assert [backend.api for backend in BACKENDS] == list(APIS)
    assert (OnsBackend.api, RmqBackend.api) == (ONS, RMQ)
    assert (backend_for(ONS_INSTANCE).generation, backend_for(RMQ_INSTANCE).generation) == ('4.x', '5.x')


@pytest.mark.parametrize('instances, expected', [
    ([ONS_INSTANCE], [ONS]),
    ([RMQ_INSTANCE, RMQ_INSTANCE], [RMQ]),
    # Each API once, in the order of apis.APIS, whatever the order of the plan.
    ([RMQ_INSTANCE, ONS_INSTANCE, 'MQ_INST_2'], [ONS, RMQ]),
])
def test_a_gate_connects_only_to_the_apis_its_instances_need(instances, expected):
    assert needed_apis(iter(instances)) == expected


def test_the_facts_of_each_instance_are_read_through_the_backend_of_its_api():
    calls = Calls()
    facts = facts_over(calls)
    selector = {'group_id': 'GID', 'group_type': None, 'tags': None, 'exclude': []}
    jobs = [
        facts.select_job({'key': 'groups[0]', 'instance_id': ONS_INSTANCE, 'select': selector}),
        facts.select_job({'key': 'groups[1]', 'instance_id': RMQ_INSTANCE, 'select': selector}),
        facts.status_job(ONS_INSTANCE, 'GID_orders', entry(ONS_INSTANCE, subscription_consistent=False)),
        facts.status_job(RMQ_INSTANCE, 'GID_orders', entry(RMQ_INSTANCE, subscription_consistent=False)),
        facts.trace_job({'instance_id': ONS_INSTANCE, 'topic': 'orders', 'msg_id': 'A1'}),
        facts.trace_job({'instance_id': RMQ_INSTANCE, 'topic': 'orders', 'msg_id': 'B2'}, 1000, 2000),
    ]
    assert [(job.what, job.calls) for job in jobs] == [
        ('ons_group_info', 1), ('rmq_consumer_group_info', 1),
        ('ons_consumer_status_info', 1), ('rmq_consumer_connection_info', 3),
        ('ons_trace_info', 1), ('rmq_trace_info', 1)]
    answers = facts.gather(jobs)
    assert calls.made == [
        ('list_groups', 'ons-client', ONS_INSTANCE, ('group_id', 'GID'), ('group_type', 'all'), ('tags', None)),
        ('list_consumer_groups', 'rmq-client', RMQ_INSTANCE, ('filter', 'GID')),
        ('query_status', 'ons-client', ONS_INSTANCE, 'GID_orders', ('detail', True)),
        ('list_connections', 'rmq-client', RMQ_INSTANCE, 'GID_orders'),
        ('query_trace', 'ons-client', ONS_INSTANCE, 'orders', 'A1'),
        # a 5.x message is looked for in the window given; the zone of the API's times is the gate's (None: unknown)
        ('get_trace', 'rmq-client', RMQ_INSTANCE, 'orders', 'B2', 1000, 2000, ('now_ms', 2000), ('time_zone', None)),
    ]
    # The 5.x answers come as the checks read the 4.x ones.
    assert answers[('select', 'groups[1]')] == {'groups': [{'group_id': 'GID_orders', 'group_type': 'tcp'}]}
    assert answers[('status', RMQ_INSTANCE, 'GID_orders')]['total_diff'] is None
    assert answers[('trace', RMQ_INSTANCE, 'orders', 'B2')]['tracks'] == [{'consumer_group': 'GID_orders', 'track_type': 'CONSUMED'}]
    assert facts.clients() == []  # neither stand-in client can be bound to a deadline


@pytest.mark.parametrize('settings, expected', [
    ({'subscription_consistent': False}, ['list_connections']),
    # The defaults: the client checks, and the subscriptions that subscription_consistent reads.
    ({}, ['list_connections', 'list_subscriptions']),
    ({'subscription_consistent': False, 'max_lag': 0}, ['list_connections', 'get_lag']),
    ({'subscription_consistent': False, 'lag_trend': True}, ['list_connections', 'get_lag']),
    ({'subscription_consistent': False, 'rules': [{'name': 'tps', 'query': 'status.online'}]},
     ['list_connections', 'get_lag', 'list_subscriptions']),
])
def test_a_5x_status_makes_only_the_calls_its_checks_and_rules_read(settings, expected):
    calls = Calls()
    what, function = RmqBackend('rmq-client', calls.rmq()).status(RMQ_INSTANCE, 'GID_orders', wanted(entry(RMQ_INSTANCE, **settings)))
    status = function()
    assert what == 'rmq_consumer_connection_info' and names(calls) == expected
    # The rules read the rmq_* facts beside the status; a fact not read is None.
    assert set(status['rmq']) == {'lag', 'subscriptions'}
    assert (status['rmq']['lag'] is None) == ('get_lag' not in expected)


def test_a_4x_status_is_one_call_whatever_its_checks_read():
    calls = Calls()
    backend = OnsBackend('ons-client', calls.ons())
    _what, function = backend.status(ONS_INSTANCE, 'GID_orders', wanted(entry(ONS_INSTANCE, max_lag=0, lag_trend=True)))
    function()
    assert names(calls) == ['query_status'] and backend.status_calls == 1


def test_the_call_of_a_5x_status_that_failed_is_named_in_the_problem():
    calls = Calls(failing=('get_lag',))
    facts = facts_over(calls)
    answers = facts.gather([facts.status_job(RMQ_INSTANCE, 'GID_orders', entry(RMQ_INSTANCE, max_lag=10))])
    assert str(answers[('status', RMQ_INSTANCE, 'GID_orders')]) == 'rmq_consumer_lag_info failed: get_lag refused'


def test_a_check_the_api_does_not_give_is_named_by_its_backend():
    assert [name for name in CHECKS if OnsBackend().not_given(name)] == []
    assert [name for name in CHECKS if RmqBackend().not_given(name)] == ['rebalance_ok', 'max_failed_percent', 'canary_max_rt_ratio',
                                                                         'canary_min_tps_ratio']
    assert RmqBackend().not_given('rebalance_ok') == 'the RocketMQ 5.x API does not say whether the queues are balanced'


def test_the_checks_ask_the_backend_which_checks_have_no_meaning(monkeypatch):
    # Whatever the backend says has no meaning on its API is reported so, with its reason, and nothing else.
    monkeypatch.setattr(RmqBackend, 'NOT_GIVEN', {'max_lag': 'the RocketMQ 5.x API does not give what this check reads'})
    status = {'group_id': 'GID_orders', 'connections': [{'client_id': 'a@1', 'client_addr': '10.0.0.1', 'version': 'V5_0_7'}],
              'total_diff': 5, 'rebalance_ok': True, 'subscription_same': True}
    found = {item['check']: item for item in group_verdicts(
        RMQ_INSTANCE, 'GID_orders', entry(RMQ_INSTANCE, max_lag=10, rebalance_ok=True), 'tcp', status)}
    assert (found['max_lag']['status'], found['max_lag']['reason']) == (
        'not_applicable', 'the RocketMQ 5.x API does not give what this check reads')
    assert found['rebalance_ok']['status'] == 'passed'


@pytest.mark.parametrize('status, track', [
    ('SUCCESS', 'CONSUMED'), ('CONSUME_SUCCESS', 'CONSUMED'), ('FAILED', 'FAILED'), ('CONSUME_FAILED', 'CONSUME_FAILED'),
    ('NOT_CONSUMED', 'NOT_CONSUME_YET'), ('CONSUMING', 'UNKNOWN:CONSUMING'), ('something_new', 'UNKNOWN:SOMETHING_NEW'), (None, 'UNKNOWN'),
    # A word of the ONS tracks means nothing from the 5.x API: never what ONS means by it.
    ('CONSUMED_BUT_FILTERED', 'UNKNOWN:CONSUMED_BUT_FILTERED'), ('NO_TRACK', 'UNKNOWN:NO_TRACK'),
])
def test_a_5x_consume_status_becomes_the_track_the_check_reads(status, track):
    trace = trace_from_rmq({'found': True, 'consumers': [{'group_id': 'GID_orders', 'consume_status': status}]})
    assert trace['tracks'] == [{'consumer_group': 'GID_orders', 'track_type': track}]


@pytest.mark.parametrize('trace, said', [
    ({'scheduled': True, 'due': False, 'preset_delay_time': '2030-01-01 00:00:00'}, 'scheduled for 2030-01-01 00:00:00, not due'),
    ({'scheduled': True, 'due': None, 'preset_delay_time': '2030-01-01 00:00:00'},
     "scheduled for 2030-01-01 00:00:00, perhaps not due (the zone of the API's times is not known: set rmq_time_zone)"),
    ({'scheduled': True, 'due': True, 'preset_delay_time': '2030-01-01 00:00:00'}, None),
    ({'scheduled': False, 'due': True}, None),
    # a group that had it says it is due, whatever the clock says
    ({'scheduled': True, 'due': False, 'preset_delay_time': '2030-01-01 00:00:00',
      'consumers': [{'group_id': 'GID_orders', 'consume_status': 'SUCCESS', 'records': [{'client_host': 'a'}]}]}, None),
])
def test_a_scheduled_message_is_said_not_due_until_its_time_comes_or_a_group_had_it(trace, said):
    assert not_due(trace) == said
    assert trace_from_rmq(dict(trace, found=True))['not_due'] == said


def test_a_5x_backend_takes_the_facts_of_the_rules_out_of_the_status_and_a_4x_one_has_none():
    status = {'total_diff': 0, 'rmq': {'lag': {'total_lag': {}}, 'subscriptions': {'subscriptions': []}}}
    assert RmqBackend().rule_facts(status) == {'lag': {'total_lag': {}}, 'subscriptions': {'subscriptions': []}}
    assert status == {'total_diff': 0}
    untouched = {'total_diff': 0}
    assert OnsBackend().rule_facts(untouched) == {} and untouched == {'total_diff': 0}
