# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scenario validation, and every bundled scenario: it loads and shows what it says."""

import copy
import glob
import http.client
import os
import re
import time

import pytest
import yaml

from emulator_testlib import BASE, INSTANCE, KEY_ID, ROOT, SCENARIOS, SECRET, freeze_rate_clock, scenario, scenario_5x
from emulator.scenario import ScenarioError, load, parse_text

BUNDLED = sorted(os.path.basename(p) for p in glob.glob(os.path.join(SCENARIOS, '*.yml')))
EXPECTED = ['broadcasting.yml', 'canary_failing.yml', 'dead_letters.yml', 'duplicate_client_id.yml', 'healthy.yml', 'lagging.yml',
            'messages.yml', 'migration.yml', 'no_consumers.yml', 'rocketmq5.yml', 'rollout_completes.yml', 'rollout_half_done.yml',
            'server_errors.yml', 'subscription_mismatch.yml', 'throttling.yml']
# The 5.x demo instance, which the scenarios about the RocketMQ 5.x API serve.
INSTANCE_5X = 'rmq-cn-demo0000001'


def _broken(path, value):
    """The base scenario with the value at a dotted/indexed path replaced (or a key added)."""
    data = copy.deepcopy(BASE)
    node = data
    parts = re.findall(r'[^.\[\]]+', path)
    for part in parts[:-1]:
        node = node[int(part)] if part.isdigit() else node[part]
    last = parts[-1]
    if last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value
    return data


@pytest.mark.parametrize('path, value, message', [
    ('instances.0.groups.0.clients.0.versoin', 'V4', 'instances[0].groups[0].clients[0].versoin: unknown key'),
    ('instances.0.groups.0.message_model', 'CLUSTER', 'instances[0].groups[0].message_model: \'CLUSTER\' is not one of CLUSTERING, BROADCASTING'),
    ('instances.0.topics.0.max_offset', 'many', 'instances[0].topics[0].max_offset: expected an integer, got str'),
    ('instances.0.topics.0.max_offset', -1, 'instances[0].topics[0].max_offset: -1 is below the minimum 0'),
    ('instances.0.groups.0.offsets', {'orders': 'x'}, 'instances[0].groups[0].offsets.orders: expected a non-negative integer'),
    ('instances.0.groups.0.offsets', {'nope': 1}, 'instances[0].groups[0].offsets.nope: not a topic of instance'),
    ('instances.0.groups.0.clients.0.subscriptions', [{'topic': 'nope'}], 'instances[0].groups[0].clients[0].subscriptions[0].topic: \'nope\' is not a topic'),
    ('instances.0.groups.0.clients.0.subscriptions', [{'expression': '*'}],
     'instances[0].groups[0].clients[0].subscriptions[0].topic: required key is missing'),
    ('instances.0.messages.0.topic', 'nope', 'instances[0].messages[0].topic: \'nope\' is not a topic'),
    ('instances.0.messages.0.tracks', {'GID_orders': 'DONE'}, 'instances[0].messages[0].tracks: \'DONE\' is not one of'),
    ('instances.0.groups.1.group_id', 'GID_orders', 'instances[0].groups[1].group_id: duplicate group id'),
    ('keys.0.expires', 'next tuesday', 'keys[0].expires: \'next tuesday\' is not an ISO 8601 time'),
    ('keys', [], 'keys: at least one access key is required'),
    ('limits', {'rate': -1}, 'limits.rate: -1 is below the minimum 0'),
    ('faults', [{'kind': 'drop', 'rate': 1.5}], 'faults[0].rate: 1.5 is above the maximum 1'),
    ('faults', [{'kind': 'latency', 'latency': 'slow'}], 'faults[0].latency: expected seconds'),
    ('faults', [{'kind': 'boom'}], 'faults[0].kind: \'boom\' is not one of'),
    ('timeline', [{'groups': {}}], 'timeline[0].at: required key is missing'),
    ('timeline', [{'at': 1, 'groups': {'GID_nope': {'clients': []}}}], 'timeline[0].groups.GID_nope: no group id \'GID_nope\''),
    ('timeline', [{'at': 1, 'groups': {'GID_orders': {'group_id': 'x'}}}], 'timeline[0].groups.GID_orders.group_id: unknown key'),
    ('timeline', [{'at': 2}, {'at': 1}], 'timeline[1].at: 1 is earlier than the previous entry'),
    ('timeline', [{'at': 1, 'instance_id': 'MQ_X'}], 'timeline[0].instance_id: no instance \'MQ_X\''),
    ('timeline', [{'at': 1, 'groups': {'GID_orders': {'offsets': {'nope': 3}}}}], 'offsets.nope: not a topic of instance'),
    ('regoin', 'cn-hangzhou', 'regoin: unknown key'),
    ('instances.0.groups.0.clients.0.consume_type', 'PUSHED',
     "instances[0].groups[0].clients[0].consume_type: 'PUSHED' is not one of CONSUME_PASSIVELY, CONSUME_ACTIVELY, PUSH, PULL"),
    ('instances.0.groups.1.stalled_for', -5, 'instances[0].groups[1].stalled_for: -5 is below the minimum 0'),
    ('keys.0.account', 1234, 'keys[0].account: expected a string, got int'),
    ('faults', [{'kind': 'throttle', 'retry_after': 0}], 'faults[0].retry_after: 0 is below the minimum 1'),
    ('instances.0.series_code', 'gold', "instances[0].series_code: 'gold' is not one of standard, professional, ultimate"),
    ('instances.0.topics.0.message_type', 'normal', "instances[0].topics[0].message_type: 'normal' is not one of NORMAL, FIFO"),
    ('instances.0.groups.0.inflight', {'nope': 3}, 'instances[0].groups[0].inflight.nope: not a topic of instance'),
    ('instances.0.groups.0.delivery_order_type', 'orderly', "instances[0].groups[0].delivery_order_type: 'orderly' is not one of"),
    ('instances.0.messages.0.dead_letters', ['GID_nope'], "instances[0].messages[0].dead_letters: 'GID_nope' is not a group of instance"),
    ('instances.0.groups.0.dead_letters', [{'topic': 'orders'}], 'instances[0].groups[0].dead_letters[0].msg_id: required key is missing'),
    ('instances.0.groups.0.dead_letters', [{'msg_id': 'A', 'stored_at': 5}], 'instances[0].groups[0].dead_letters[0].stored_at: unknown key'),
    ('instances.0.groups.0.dead_letters', [{'msg_id': 'A', 'stored_ago': -1}], 'instances[0].groups[0].dead_letters[0].stored_ago: -1 is below'),
    ('instances.0.groups.0.dead_letters', [{'msg_id': 'A', 'stored_ago': 60, 'store_timestamp': 1760000000000}],
     'instances[0].groups[0].dead_letters[0]: give store_timestamp or stored_ago, not both'),
    ('instances.0.groups.0.dead_letters', [{'msg_id': 'A', 'topic': 'nope'}],
     "instances[0].groups[0].dead_letters[0].topic: 'nope' is not a topic of instance"),
    ('instances.0.groups.0.dead_letters', [{'msg_id': 'A'}, {'msg_id': 'A'}], "instances[0].groups[0].dead_letters[1].msg_id: duplicate dead letter id"),
    ('instances.0.groups.0.dead_letters', [{'msg_id': 'A', 'store_timestamp': 'yesterday'}],
     "instances[0].groups[0].dead_letters[0].store_timestamp: 'yesterday' is not an ISO 8601 time"),
    ('timeline', [{'at': 1, 'groups': {'GID_orders': {'dead_letters': [{'msg_id': 'A', 'topic': 'nope'}]}}}],
     "dead_letters[0].topic: 'nope' is not a topic of instance MQ_INST_1234567890_DEMO (after applying timeline[0])"),
])
def test_validation_errors_name_the_path(path, value, message):
    with pytest.raises(ScenarioError) as info:
        load(_broken(path, value))
    assert message in str(info.value)


def test_dead_letters_of_a_group_reading_no_topic_must_name_their_topic():
    data = _broken('instances.0.groups.1.offsets', {})
    data['instances'][0]['groups'][1]['dead_letters'] = [{'msg_id': 'A'}]
    with pytest.raises(ScenarioError, match=re.escape('instances[0].groups[1].dead_letters[0].topic: required, since group GID_idle reads no topic')):
        load(data)
    data['instances'][0]['groups'][1]['dead_letters'] = [{'msg_id': 'A', 'topic': 'payments'}]
    load(data)


def test_dead_letters_of_a_5x_group_need_a_dead_letter_topic_to_be_read_from():
    data = scenario_5x()
    data['instances'][1]['groups'][0]['dead_letters'] = [{'msg_id': 'A'}]
    with pytest.raises(ScenarioError, match=re.escape('instances[1].groups[0].dead_letters: group GID_orders has no dead_letter_topic')):
        load(data)
    data['instances'][1]['groups'][0]['dead_letter_topic'] = 'DLQ_orders'
    load(data)


def test_dead_letters_keep_their_order_and_get_defaults():
    letters = [{'msg_id': 'NEW', 'stored_ago': 5}, {'msg_id': 'OLD', 'store_timestamp': '2030-01-01T00:00:00Z'}, {'msg_id': 'PLAIN'}]
    group = load(_broken('instances.0.groups.0.dead_letters', letters)).steps[0][2]['instances'][0]['groups'][0]
    assert [d['msg_id'] for d in group['dead_letters']] == ['NEW', 'OLD', 'PLAIN']
    plain = group['dead_letters'][2]
    assert (plain['topic'], plain['stored_ago'], plain['store_timestamp'], plain['reconsume_times'], plain['store_size']) == (None, None, None, 16, 406)
    assert (plain['born_host'], plain['store_host'], plain['tag'], plain['keys'], plain['properties']) == (
        '10.0.1.5:53012', '11.193.10.12:10911', '', '', {})
    assert group['dead_letters'][1]['store_timestamp'] == 1893456000000


def test_missing_description_is_an_error():
    data = scenario()
    del data['description']
    with pytest.raises(ScenarioError, match='description: required key is missing'):
        load(data)


def test_document_must_be_a_mapping():
    with pytest.raises(ScenarioError, match='expected a mapping'):
        parse_text('- just\n- a list\n')


def test_errors_from_a_file_name_the_file(tmp_path):
    path = tmp_path / 'bad.yml'
    path.write_text('description: x\nkeys: []\n')
    with pytest.raises(ScenarioError, match='bad.yml'):
        load(str(path))


def test_minimal_scenario_gets_defaults():
    loaded = load({'description': 'Minimal.', 'keys': [{'access_key_id': 'a', 'access_key_secret': 'b'}],
                   'instances': [{'instance_id': 'MQ_INST_1', 'groups': [{'group_id': 'GID_a'}]}]})
    state = loaded.steps[0][2]
    assert state['region'] == 'cn-hangzhou' and state['limits']['rate'] == 10
    assert state['keys'][0]['actions'] == ['*'] and state['signature']['max_skew_seconds'] == 900
    assert state['keys'][0]['account'] == '1234567890123456'
    assert state['instances'][0]['groups'][0]['stalled_for'] == 0
    group = state['instances'][0]['groups'][0]
    assert (group['group_type'], group['message_model'], group['offline_connections'], group['clients']) == ('tcp', 'CLUSTERING', 'error', [])


def test_yaml_scalars_in_tag_maps_become_strings():
    data = scenario()
    data['instances'][0]['tags'] = {'build': 42, 'canary': True}
    assert load(data).steps[0][2]['instances'][0]['tags'] == {'build': '42', 'canary': 'true'}


def test_all_expected_scenarios_are_bundled():
    assert BUNDLED == EXPECTED


def test_readme_lists_every_bundled_scenario():
    with open(os.path.join(ROOT, 'emulator', 'README.md'), encoding='utf-8') as handle:
        readme = handle.read()
    for name in BUNDLED:
        assert '`%s`' % name in readme


@pytest.mark.parametrize('name', EXPECTED)
def test_bundled_scenario_loads_with_demo_key_instance_and_region(name):
    loaded = load(os.path.join(SCENARIOS, name))
    assert loaded.description and '\n' not in loaded.description
    state = loaded.steps[0][2]
    assert state['region'] == 'cn-hangzhou'
    assert {'access_key_id': KEY_ID, 'access_key_secret': SECRET} in [
        dict((k, key[k]) for k in ('access_key_id', 'access_key_secret')) for key in state['keys']]
    assert set([INSTANCE, INSTANCE_5X]) & set(i['instance_id'] for i in state['instances'])
    with open(os.path.join(SCENARIOS, name), encoding='utf-8') as handle:
        assert yaml.safe_load(handle)['description'] == loaded.description


# -- each bundled scenario shows what its description says -----------------------------------

@pytest.fixture
def bundled(emulator, client_for):
    """bundled(name, **start_options) -> a client against that bundled scenario."""
    def _open(name, **options):
        options.setdefault('rate_limit', 0)
        handle = emulator(os.path.join(SCENARIOS, name), **options)
        freeze_rate_clock(handle)
        return client_for(handle.url)
    return _open


def _data(resp):
    assert resp.status == 200, resp.body
    return resp.json()['Data']


def _tracks(cli, msg_id, topic='orders'):
    return dict((t['ConsumerGroup'], t['TrackType']) for t in _data(cli.request('OnsMessageTrace', {'Topic': topic, 'MsgId': msg_id}))['MessageTrack'])


def test_healthy_scenario_is_healthy(bundled):
    cli = bundled('healthy.yml')
    for group in ('GID_orders', 'GID_payments'):
        status = _data(cli.request('OnsConsumerStatus', {'GroupId': group, 'InstanceId': INSTANCE}))
        assert (status['Online'], status['SubscriptionSame'], status['RebalanceOK'], status['TotalDiff']) == (True, True, True, 0)
        conns = _data(cli.request('OnsConsumerGetConnection', {'GroupId': group}))['ConnectionList']['ConnectionDo']
        assert len(conns) == 3 and set(c['Version'] for c in conns) == {'V4_9_4'}
    assert _tracks(cli, '0A0001050000217A000000000000A1B2') == {'GID_orders': 'CONSUMED'}
    assert _tracks(cli, '0A0001050000217A000000000000A1B3', 'payments') == {'GID_payments': 'CONSUMED'}


def test_no_consumers_scenario_has_no_consumers(bundled):
    cli = bundled('no_consumers.yml')
    assert cli.request('OnsConsumerGetConnection', {'GroupId': 'GID_orders'}).code == 'BIZ_CONSUMER_NOT_ONLINE'
    assert _data(cli.request('OnsConsumerStatus', {'GroupId': 'GID_orders'}))['Online'] is False
    assert _tracks(cli, '0A0001050000217A000000000000A1B2') == {'GID_orders': 'NOT_ONLINE'}


def test_rollout_half_done_scenario_mixes_versions(bundled):
    conns = _data(bundled('rollout_half_done.yml').request('OnsConsumerGetConnection', {'GroupId': 'GID_orders'}))['ConnectionList']['ConnectionDo']
    assert sorted(c['Version'] for c in conns) == ['V4_9_4', 'V4_9_4', 'V5_1_0', 'V5_1_0']


def test_subscription_mismatch_scenario_is_inconsistent(bundled):
    cli = bundled('subscription_mismatch.yml')
    status = _data(cli.request('OnsConsumerStatus', {'GroupId': 'GID_orders'}))
    assert (status['Online'], status['SubscriptionSame'], status['RebalanceOK']) == (True, False, False)
    assert _tracks(cli, '0A0001050000217A000000000000A1C7') == {'GID_orders': 'CONSUMED_BUT_FILTERED'}


def test_duplicate_client_id_scenario_shares_an_id(bundled):
    cli = bundled('duplicate_client_id.yml')
    conns = _data(cli.request('OnsConsumerGetConnection', {'GroupId': 'GID_orders'}))['ConnectionList']['ConnectionDo']
    ids = [c['ClientId'] for c in conns]
    assert len(ids) == 3 and len(set(ids)) == 2
    assert _data(cli.request('OnsConsumerStatus', {'GroupId': 'GID_orders'}))['RebalanceOK'] is False


def test_lagging_scenario_lags(bundled):
    cli = bundled('lagging.yml')
    acc = _data(cli.request('OnsConsumerAccumulate', {'GroupId': 'GID_orders'}))
    # online and consuming: the delay keeps pace instead of growing
    assert (acc['Online'], acc['TotalDiff'], acc['DelayTime']) == (True, 60000, 1200000)
    assert _tracks(cli, '0A0001050000217A00000000000186A0') == {'GID_orders': 'CONSUMED'}
    assert _tracks(cli, '0A0001050000217A000000000003A980') == {'GID_orders': 'NOT_CONSUME_YET'}


def test_broadcasting_scenario_broadcasts(bundled):
    cli = bundled('broadcasting.yml')
    conn = _data(cli.request('OnsConsumerGetConnection', {'GroupId': 'GID_config'}))
    assert conn['MessageModel'] == 'BROADCASTING' and len(conn['ConnectionList']['ConnectionDo']) == 3
    assert _tracks(cli, '0A0003050000217A000000000000B001', 'config-changes') == {'GID_config': 'CONSUME_BROADCASTING'}


def test_messages_scenario_has_every_kind_of_track(bundled):
    cli = bundled('messages.yml')
    assert _tracks(cli, '0A0001050000217A000000000000A1B2') == {'GID_orders': 'CONSUMED', 'GID_audit': 'CONSUMED'}
    assert _tracks(cli, '0A0001050000217A000000000000A3F0') == {'GID_orders': 'NOT_CONSUME_YET', 'GID_audit': 'NOT_CONSUME_YET'}
    assert _tracks(cli, '0A0001050000217A000000000000A2C4') == {'GID_orders': 'CONSUMED', 'GID_audit': 'CONSUMED_BUT_FILTERED'}
    assert _tracks(cli, '0A0001050000217A000000000000A5D1') == {'GID_orders': 'UNKNOWN', 'GID_audit': 'UNKNOWN'}


def test_throttling_scenario_throttles(bundled):
    cli = bundled('throttling.yml', rate_limit=None)
    codes = [cli.request('OnsConsumerGetConnection', {'GroupId': 'GID_orders'}).code for _attempt in range(8)]
    assert codes[:2] == ['Throttling.User'] * 2
    # faults come before the limit (2 per second): seeded flow control, then the bucket runs dry
    assert codes[2:].count(None) == 2
    assert set(codes[2:]) == {None, 'Throttling.User', 'ONS_SYSTEM_FLOW_CONTROL'}


def test_server_errors_scenario_storms(bundled):
    cli = bundled('server_errors.yml')
    outcomes = []
    for _attempt in range(20):
        try:
            resp = cli.request('OnsConsumerGetConnection', {'GroupId': 'GID_orders'})
            outcomes.append(resp.status)
        except (OSError, http.client.HTTPException):
            cli.close()
            outcomes.append('dropped')
    assert outcomes[:2] == [503, 503]
    assert 500 in outcomes and 200 in outcomes


def _v5_data(cli, action, path, query=None):
    resp = cli.roa(action, path, query)
    assert resp.status == 200, resp.body
    return resp.json()['data']


def test_rocketmq5_scenario_is_a_healthy_5x_instance_only_the_5x_api_serves(bundled):
    cli = bundled('rocketmq5.yml')
    for group, topic in (('GID_orders', 'orders'), ('GID_payments', 'payments')):
        base = '/instances/%s/consumerGroups/%s' % (INSTANCE_5X, group)
        conns = _v5_data(cli, 'ListConsumerConnections', base + '/connections')['connections']
        assert len(conns) == 3 and set((c['version'], c['language']) for c in conns) == {('5.0.7', 'java')}
        lag = _v5_data(cli, 'GetConsumerGroupLag', base + '/lag')['totalLag']
        assert (lag['readyCount'], lag['inflightCount'], lag['deliveryDuration']) == (0, 0, 0)
        subs = _v5_data(cli, 'ListConsumerGroupSubscriptions', base + '/subscriptions')
        assert [(s['topicName'], s['consistency'], s['subscriptionStatus']) for s in subs] == [(topic, True, 'ONLINE')]
    for topic, msg_id in (('orders', '0100163E0EC1F1965C04C7906700000A1B2'), ('payments', '0100163E0EC1F1965C04C7906700000A1B3')):
        trace = _v5_data(cli, 'GetTrace', '/instances/%s/topics/%s/traces/%s' % (INSTANCE_5X, topic, msg_id))
        assert [i['consumeStatus'] for i in trace['consumerInfos']] == ['SUCCESS']
    # the ONS API does not know the 5.x instance
    assert cli.request('OnsInstanceBaseInfo', {'InstanceId': INSTANCE_5X}).code == 'INSTANCE_NOT_FOUND'


def test_migration_scenario_reads_one_group_on_both_instances(bundled):
    cli = bundled('migration.yml')
    status = _data(cli.request('OnsConsumerStatus', {'GroupId': 'GID_orders', 'InstanceId': INSTANCE}))
    assert (status['Online'], status['TotalDiff'], status['DelayTime']) == (True, 0, 0)
    assert _tracks(cli, '0A0001050000217A000000000000A1B2') == {'GID_orders': 'CONSUMED'}
    base = '/instances/%s/consumerGroups/GID_orders' % INSTANCE_5X
    lag = _v5_data(cli, 'GetConsumerGroupLag', base + '/lag')['totalLag']
    # a little behind, within the demo gate's max_lag (1000) and max_delay_seconds (60)
    assert (lag['readyCount'], lag['inflightCount'], lag['deliveryDuration']) == (100, 20, 12)
    assert [c['version'] for c in _v5_data(cli, 'ListConsumerConnections', base + '/connections')['connections']] == ['5.0.7', '5.0.7']
    trace = _v5_data(cli, 'GetTrace', '/instances/%s/topics/orders/traces/0A0001050000217A000000000000A1B2' % INSTANCE_5X)
    assert [(i['consumerGroupId'], i['consumeStatus']) for i in trace['consumerInfos']] == [('GID_orders', 'SUCCESS')]


def _running_data(cli, group):
    """({client version: [(OkTps, FailedTps, FailedCountPerHour, Rt) of each client]}, the group's status)."""
    status = _data(cli.request('OnsConsumerStatus', {'GroupId': group, 'InstanceId': INSTANCE, 'Detail': 'true'}))
    figures = {}
    for info in status['ConsumerConnectionInfoList']['ConsumerConnectionInfoDo']:
        row, = info['RunningDataList']['ConsumerRunningDataDo']
        figures.setdefault(info['Version'], []).append((row['OkTps'], row['FailedTps'], row['FailedCountPerHour'], row['Rt']))
    return figures, status


def test_canary_failing_scenario_fails_messages_on_the_canary_only(bundled):
    cli = bundled('canary_failing.yml')
    figures, status = _running_data(cli, 'GID_orders')
    assert figures == {'V4_9_4': [(20.0, 0.0, 0, 12.0)] * 2, 'V4_9_7': [(2.0, 18.0, 64800, 48.0)] * 2}
    # nothing else is wrong: the lag is small, subscriptions agree, client ids are unique
    assert (status['Online'], status['TotalDiff'], status['SubscriptionSame'], status['RebalanceOK']) == (True, 40, True, True)
    assert status['DelayTime'] < 1000
    conns = _data(cli.request('OnsConsumerGetConnection', {'GroupId': 'GID_orders'}))['ConnectionList']['ConnectionDo']
    assert len(set(c['ClientId'] for c in conns)) == 4
    figures, status = _running_data(cli, 'GID_payments')
    assert figures == {'V4_9_4': [(50.0, 0.001, 4, 8.0)] * 2}
    assert (status['TotalDiff'], status['RebalanceOK']) == (0, True)
    assert _tracks(cli, '0A0001050000217A000000000000A1B2') == {'GID_orders': 'CONSUMED'}


def _dlq_ids(cli, group, begin, end):
    resp = cli.request('OnsDLQMessagePageQueryByGroupId', {'GroupId': group, 'InstanceId': INSTANCE, 'BeginTime': str(begin), 'EndTime': str(end),
                                                           'CurrentPage': '1'})
    assert resp.status == 200, resp.body
    return [row['MsgId'] for row in resp.json()['MsgFoundDo']['MsgFoundList']['OnsRestMessageDo']]


def _dlq_v5_ids(cli, topic, **window):
    data = _v5_data(cli, 'ListMessages', '/instances/%s/topics/%s/messages' % (INSTANCE_5X, topic), dict(window, pageNumber=1, pageSize=10))
    return [row['messageId'] for row in data['list']]


def test_dead_letters_scenario_has_a_recent_dead_letter_on_orders_only(bundled):
    cli = bundled('dead_letters.yml')
    now = int(time.time() * 1000)
    # the last five minutes: one dead letter of GID_orders, none of GID_payments
    assert _dlq_ids(cli, 'GID_orders', now - 300000, now) == ['0A0001050000217A000000000000D001']
    assert _dlq_ids(cli, 'GID_payments', now - 300000, now) == []
    # the last four days: the old ones too, oldest first
    assert _dlq_ids(cli, 'GID_orders', now - 4 * 86400000, now) == ['0A0001050000217A000000000000D002', '0A0001050000217A000000000000D001']
    assert _dlq_ids(cli, 'GID_payments', now - 4 * 86400000, now) == ['0A0001050000217A000000000000D003']
    for group in ('GID_orders', 'GID_payments'):
        status = _data(cli.request('OnsConsumerStatus', {'GroupId': group, 'InstanceId': INSTANCE}))
        assert (status['Online'], status['TotalDiff'], status['SubscriptionSame'], status['RebalanceOK']) == (True, 0, True, True)
    recent = {'startTime': time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(now / 1000.0 - 300))}
    assert _dlq_v5_ids(cli, 'DLQ_orders', **recent) == ['0100163E0EC1F1965C04C790670000D001']
    assert _dlq_v5_ids(cli, 'DLQ_payments', **recent) == []
    assert _dlq_v5_ids(cli, 'DLQ_orders') == ['0100163E0EC1F1965C04C790670000D002', '0100163E0EC1F1965C04C790670000D001']
    assert _dlq_v5_ids(cli, 'DLQ_payments') == ['0100163E0EC1F1965C04C790670000D003']
    for group, topic in (('GID_orders', 'DLQ_orders'), ('GID_payments', 'DLQ_payments')):
        base = '/instances/%s/consumerGroups/%s' % (INSTANCE_5X, group)
        assert _v5_data(cli, 'GetConsumerGroup', base)['consumeRetryPolicy']['deadLetterTargetTopic'] == topic
        lag = _v5_data(cli, 'GetConsumerGroupLag', base + '/lag')['totalLag']
        assert (lag['readyCount'], lag['inflightCount']) == (0, 0)
