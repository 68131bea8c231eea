# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The operations and the values derived from a scenario's clients, subscriptions and offsets."""

import copy
import re
import time

import pytest

from emulator_testlib import BASE, INSTANCE, control, scenario


def _with_group(**changes):
    """The base scenario with GID_orders changed."""
    data = copy.deepcopy(BASE)
    data['instances'][0]['groups'][0].update(copy.deepcopy(changes))
    return data


@pytest.fixture
def call(emulator, client_for):
    """call(action, params, data=None) -> Response, against an emulator on ``data``."""
    started = {}

    def _call(action, params, data=None):
        key = id(data)
        if key not in started:
            started[key] = client_for(emulator(data if data is not None else scenario()).url)
        return started[key].request(action, params)

    return _call


def _ok(resp):
    assert resp.status == 200, resp.body
    return resp.json()


# -- OnsConsumerGetConnection ----------------------------------------------------------------

def test_get_connection_lists_every_client_with_its_fields(call):
    data = _ok(call('OnsConsumerGetConnection', {'GroupId': 'GID_orders', 'InstanceId': INSTANCE}))['Data']
    conns = data['ConnectionList']['ConnectionDo']
    assert data['MessageModel'] == 'CLUSTERING'
    assert conns[0] == {'ClientId': '10.0.1.5@2231#1839465112#-1257238912#1730000000000', 'ClientAddr': '10.0.1.5:53012',
                        'Language': 'JAVA', 'Version': 'V4_9_4'}
    assert (conns[1]['ClientAddr'], conns[1]['Language'], conns[1]['Version']) == ('10.0.1.6:53020', 'GO', 'V5_1_0')
    assert conns[1]['ClientId'].startswith('10.0.1.6@')


def test_get_connection_without_instance_id_finds_the_group(call):
    assert len(_ok(call('OnsConsumerGetConnection', {'GroupId': 'GID_orders'}))['Data']['ConnectionList']['ConnectionDo']) == 2


def test_get_connection_on_offline_group_answers_consumer_not_online_by_default(call):
    resp = call('OnsConsumerGetConnection', {'GroupId': 'GID_idle', 'InstanceId': INSTANCE})
    assert (resp.status, resp.code) == (400, 'BIZ_CONSUMER_NOT_ONLINE')


def test_get_connection_offline_variant_empty_list(call):
    data = _with_group(clients=[], offline_connections='empty_list')
    assert _ok(call('OnsConsumerGetConnection', {'GroupId': 'GID_orders'}, data))['Data']['ConnectionList'] == {'ConnectionDo': []}


def test_get_connection_offline_variant_missing_list(call):
    data = _with_group(clients=[], offline_connections='missing_list')
    assert 'ConnectionList' not in _ok(call('OnsConsumerGetConnection', {'GroupId': 'GID_orders'}, data))['Data']


def test_get_connection_single_client_as_an_object(call):
    data = _with_group(clients=[{'client_addr': '10.9.9.9:1234'}], single_connection_as_object=True)
    conn = _ok(call('OnsConsumerGetConnection', {'GroupId': 'GID_orders'}, data))['Data']['ConnectionList']['ConnectionDo']
    assert isinstance(conn, dict) and conn['ClientAddr'] == '10.9.9.9:1234'


def test_unknown_group_is_subscription_not_found(call):
    resp = call('OnsConsumerGetConnection', {'GroupId': 'GID_nope', 'InstanceId': INSTANCE})
    assert (resp.status, resp.code) == (400, 'BIZ_SUBSCRIPTION_NOT_FOUND')


def test_unknown_instance_is_instance_not_found(call):
    resp = call('OnsConsumerGetConnection', {'GroupId': 'GID_orders', 'InstanceId': 'MQ_INST_0_NOPE'})
    assert (resp.status, resp.code) == (400, 'INSTANCE_NOT_FOUND')


# -- OnsMessageTrace ------------------------------------------------------------------------

@pytest.mark.parametrize('msg_id, topic, expected', [
    ('MSG_CONSUMED', 'orders', [('GID_orders', 'CONSUMED')]),
    ('MSG_FILTERED', 'orders', [('GID_orders', 'CONSUMED_BUT_FILTERED')]),
    ('MSG_PENDING', 'orders', [('GID_orders', 'NOT_CONSUME_YET')]),
    ('MSG_PAYMENT', 'payments', [('GID_idle', 'NOT_ONLINE')]),
])
def test_message_tracks_follow_offsets_subscriptions_and_clients(call, msg_id, topic, expected):
    tracks = _ok(call('OnsMessageTrace', {'Topic': topic, 'MsgId': msg_id, 'InstanceId': INSTANCE}))['Data']['MessageTrack']
    assert [(t['ConsumerGroup'], t['TrackType']) for t in tracks] == expected
    assert all(t['InstanceId'] == INSTANCE for t in tracks)


def test_message_track_of_a_broadcasting_group(call):
    data = _with_group(message_model='BROADCASTING')
    tracks = _ok(call('OnsMessageTrace', {'Topic': 'orders', 'MsgId': 'MSG_PENDING'}, data))['Data']['MessageTrack']
    assert tracks[0]['TrackType'] == 'CONSUME_BROADCASTING'


@pytest.mark.parametrize('consume_type', ['CONSUME_ACTIVELY', 'PULL'])
def test_message_track_of_a_pull_consumer(call, consume_type):
    data = _with_group(clients=[{'consume_type': consume_type, 'subscriptions': [{'topic': 'orders'}]}])
    tracks = _ok(call('OnsMessageTrace', {'Topic': 'orders', 'MsgId': 'MSG_CONSUMED'}, data))['Data']['MessageTrack']
    assert tracks[0]['TrackType'] == 'PULL'


def test_push_clients_are_not_pull_consumers(call):
    data = _with_group(clients=[{'consume_type': 'PUSH', 'subscriptions': [{'topic': 'orders', 'expression': 'created'}]}])
    tracks = _ok(call('OnsMessageTrace', {'Topic': 'orders', 'MsgId': 'MSG_CONSUMED'}, data))['Data']['MessageTrack']
    assert tracks[0]['TrackType'] == 'CONSUMED'


def test_consume_type_is_answered_as_each_client_spells_it(call):
    spellings = ['CONSUME_PASSIVELY', 'PUSH', 'CONSUME_ACTIVELY', 'PULL']
    data = _with_group(clients=[{'consume_type': c, 'subscriptions': [{'topic': 'orders'}]} for c in spellings] + [{}])
    infos = _ok(call('OnsConsumerStatus', {'GroupId': 'GID_orders', 'Detail': 'true'}, data))['Data']['ConsumerConnectionInfoList']
    assert [i['ConsumeType'] for i in infos['ConsumerConnectionInfoDo']] == spellings + ['CONSUME_PASSIVELY']


def test_forced_track_overrides_the_derived_one(call):
    data = copy.deepcopy(BASE)
    data['instances'][0]['messages'][0]['tracks'] = {'GID_orders': 'UNKNOWN'}
    tracks = _ok(call('OnsMessageTrace', {'Topic': 'orders', 'MsgId': 'MSG_CONSUMED'}, data))['Data']['MessageTrack']
    assert tracks[0]['TrackType'] == 'UNKNOWN'


def test_filtered_tag_not_yet_reached_is_not_consumed_yet(call):
    data = _with_group(offsets={'orders': 855})
    tracks = _ok(call('OnsMessageTrace', {'Topic': 'orders', 'MsgId': 'MSG_FILTERED'}, data))['Data']['MessageTrack']
    assert tracks[0]['TrackType'] == 'NOT_CONSUME_YET'


def test_trace_of_unknown_topic_and_message(call):
    resp = call('OnsMessageTrace', {'Topic': 'nope', 'MsgId': 'MSG_CONSUMED', 'InstanceId': INSTANCE})
    assert (resp.status, resp.code) == (400, 'BIZ_TOPIC_NOT_FOUND')
    resp = call('OnsMessageTrace', {'Topic': 'orders', 'MsgId': 'MSG_NOPE', 'InstanceId': INSTANCE})
    assert (resp.status, resp.code) == (400, 'BIZ_NO_MESSAGE')


def test_trace_without_topic_is_missing_parameter(call):
    resp = call('OnsMessageTrace', {'MsgId': 'MSG_CONSUMED'})
    assert resp.code == 'MissingParameter' and '"Topic"' in resp.json()['Message']


# -- OnsConsumerStatus / OnsConsumerAccumulate ----------------------------------------------

def test_consumer_status_derives_online_lag_and_consistency(call):
    data = _ok(call('OnsConsumerStatus', {'GroupId': 'GID_orders', 'InstanceId': INSTANCE}))['Data']
    assert (data['Online'], data['TotalDiff'], data['DelayTime']) == (True, 100, 10000)
    assert (data['SubscriptionSame'], data['RebalanceOK'], data['ConsumeModel'], data['InstanceId']) == (True, True, 'CLUSTERING', INSTANCE)
    assert data['ConsumeTps'] == 10.0
    assert [c['Diff'] for c in data['ConnectionSet']['ConnectionDo']] == [50, 50]
    assert data['ConnectionSet']['ConnectionDo'][0]['RemoteIP'] == '10.0.1.5'
    assert data['DetailInTopicList']['DetailInTopicDo'] == []
    assert data['ConsumerConnectionInfoList']['ConsumerConnectionInfoDo'] == []


def test_consumer_status_detail_and_jstack(call):
    data = _ok(call('OnsConsumerStatus', {'GroupId': 'GID_orders', 'Detail': 'True', 'NeedJstack': 'true'}))['Data']
    rows = data['DetailInTopicList']['DetailInTopicDo']
    assert [(r['Topic'], r['TotalDiff'], r['DelayTime']) for r in rows] == [('orders', 100, 10000)]
    infos = data['ConsumerConnectionInfoList']['ConsumerConnectionInfoDo']
    assert [i['Version'] for i in infos] == ['V4_9_4', 'V5_1_0']
    sub = infos[0]['SubscriptionSet']['SubscriptionData'][0]
    assert (sub['Topic'], sub['SubString'], sub['TagsSet']['Tag']) == ('orders', 'created || paid', ['created', 'paid'])
    assert infos[0]['RunningDataList']['ConsumerRunningDataDo'][0]['Topic'] == 'orders'
    assert infos[0]['Jstack']['ThreadTrackDo'][0]['TrackList']['Track']


def test_consumer_status_without_jstack_has_no_jstack(call):
    data = _ok(call('OnsConsumerStatus', {'GroupId': 'GID_orders', 'Detail': 'true'}))['Data']
    assert all('Jstack' not in i for i in data['ConsumerConnectionInfoList']['ConsumerConnectionInfoDo'])


def test_consumer_status_of_offline_group(call):
    data = _ok(call('OnsConsumerStatus', {'GroupId': 'GID_idle'}))['Data']
    assert (data['Online'], data['TotalDiff'], data['RebalanceOK'], data['ConsumeTps']) == (False, 100, False, 0.0)
    # 100 messages at 5/s waited 20 s when the scenario started, and keep waiting
    assert 20000 <= data['DelayTime'] < 30000
    assert data['ConnectionSet']['ConnectionDo'] == []


# -- DelayTime: now minus the ready time of the oldest unconsumed message --------------------

@pytest.fixture
def clocked(emulator, client_for):
    """clocked(data) -> (delay(group, detail=False), advance(seconds)) against an emulator on ``data``."""
    def _open(data):
        handle = emulator(data)
        cli = client_for(handle.url)

        def delay(group, action='OnsConsumerAccumulate'):
            return _ok(cli.request(action, {'GroupId': group, 'Detail': 'true'}))['Data']

        def advance(seconds):
            assert control(handle.url, 'POST', '/_emulator/advance?seconds=%s' % seconds)[0] == 200
        return delay, advance
    return _open


@pytest.mark.parametrize('action', ['OnsConsumerAccumulate', 'OnsConsumerStatus'])
def test_delay_of_an_offline_group_grows_with_the_clock(clocked, action):
    delay, advance = clocked(scenario())
    before = delay('GID_idle', action)
    advance(60)
    after = delay('GID_idle', action)
    assert 60000 <= after['DelayTime'] - before['DelayTime'] < 65000
    assert [r['DelayTime'] for r in after['DetailInTopicList']['DetailInTopicDo']] == [after['DelayTime']]
    # the last consumed message does not move while nothing is consumed, nor does the backlog
    assert after['LastTimestamp'] == before['LastTimestamp']
    assert after['TotalDiff'] == before['TotalDiff'] == 100


def test_delay_of_a_consuming_group_keeps_pace(clocked):
    delay, advance = clocked(scenario())
    assert delay('GID_orders')['DelayTime'] == 10000
    advance(60)
    assert delay('GID_orders')['DelayTime'] == 10000


def test_delay_of_an_online_group_that_consumes_nothing_grows(clocked):
    delay, advance = clocked(_with_group(consume_tps=0))
    first = delay('GID_orders')['DelayTime']
    advance(30)
    assert 10000 <= first < 15000
    assert 30000 <= delay('GID_orders')['DelayTime'] - first < 35000


def test_delay_of_a_stalled_group_without_backlog_stays_zero(clocked):
    data = scenario()
    data['instances'][0]['groups'][1]['offsets'] = {}
    delay, advance = clocked(data)
    advance(120)
    acc = delay('GID_idle')
    assert (acc['TotalDiff'], acc['DelayTime']) == (0, 0)


def test_stalled_for_dates_the_stall_back(clocked):
    data = scenario()
    data['instances'][0]['groups'][1]['stalled_for'] = 3600
    delay, _advance = clocked(data)
    assert 3620000 <= delay('GID_idle')['DelayTime'] < 3625000


def test_delay_grows_from_the_timeline_step_that_stops_the_group(clocked):
    delay, advance = clocked(scenario(timeline=[{'at': 10, 'groups': {'GID_orders': {'clients': []}}},
                                                {'at': 20, 'topics': {'orders': {'max_offset': 1200}}}]))
    assert delay('GID_orders')['DelayTime'] == 10000
    advance(10)
    # stopped at 10 s with 100 messages (10 s) waiting: the oldest became ready at 0 s
    assert 10000 <= delay('GID_orders')['DelayTime'] < 15000
    advance(30)
    # new messages at 20 s leave the oldest unconsumed one where it was
    acc = delay('GID_orders')
    assert acc['TotalDiff'] == 300 and 40000 <= acc['DelayTime'] < 45000


def test_delay_is_zero_again_once_the_group_catches_up(clocked):
    delay, advance = clocked(scenario(timeline=[{'at': 10, 'groups': {'GID_idle': {'offsets': {'payments': 500}}}}]))
    advance(9)
    assert delay('GID_idle')['DelayTime'] >= 29000
    advance(1)
    assert delay('GID_idle')['DelayTime'] == 0


@pytest.mark.parametrize('subs_a, subs_b', [
    ([{'topic': 'orders', 'expression': 'created'}], [{'topic': 'orders', 'expression': 'created || paid'}]),
    ([{'topic': 'orders'}, {'topic': 'payments'}], [{'topic': 'payments'}, {'topic': 'orders'}]),
    ([{'topic': 'orders'}], [{'topic': 'orders'}, {'topic': 'payments'}]),
])
def test_subscription_same_is_false_when_clients_differ(call, subs_a, subs_b):
    data = _with_group(clients=[{'subscriptions': subs_a}, {'subscriptions': subs_b}])
    status = _ok(call('OnsConsumerStatus', {'GroupId': 'GID_orders'}, data))['Data']
    assert (status['SubscriptionSame'], status['RebalanceOK']) == (False, False)


def test_duplicate_client_ids_break_rebalance(call):
    data = _with_group(clients=[{'client_id': '1.1.1.1@1#1#1#1'}, {'client_id': '1.1.1.1@1#1#1#1'}])
    status = _ok(call('OnsConsumerStatus', {'GroupId': 'GID_orders'}, data))['Data']
    assert (status['SubscriptionSame'], status['RebalanceOK']) == (True, False)


def test_rebalance_ok_can_be_set(call):
    data = _with_group(rebalance_ok=False)
    assert _ok(call('OnsConsumerStatus', {'GroupId': 'GID_orders'}, data))['Data']['RebalanceOK'] is False


def test_accumulate_agrees_with_status(call):
    status = _ok(call('OnsConsumerStatus', {'GroupId': 'GID_orders', 'Detail': 'true'}))['Data']
    acc = _ok(call('OnsConsumerAccumulate', {'GroupId': 'GID_orders', 'Detail': 'true'}))['Data']
    for name in ('Online', 'TotalDiff', 'DelayTime', 'ConsumeTps'):
        assert acc[name] == status[name]
    assert [r['Topic'] for r in acc['DetailInTopicList']['DetailInTopicDo']] == ['orders']
    assert abs(acc['LastTimestamp'] - (time.time() * 1000 - 10000 - 100)) < 5000


def test_accumulate_without_detail_has_no_topic_rows(call):
    assert _ok(call('OnsConsumerAccumulate', {'GroupId': 'GID_orders'}))['Data']['DetailInTopicList'] == {'DetailInTopicDo': []}


def test_caught_up_group_has_no_lag(call):
    data = _with_group(offsets={})
    acc = _ok(call('OnsConsumerAccumulate', {'GroupId': 'GID_orders'}, data))['Data']
    assert (acc['TotalDiff'], acc['DelayTime']) == (0, 0)


# -- OnsGroupSubDetail ----------------------------------------------------------------------

def test_group_sub_detail_lists_subscribed_topics(call):
    data = _ok(call('OnsGroupSubDetail', {'GroupId': 'GID_orders', 'InstanceId': INSTANCE}))['Data']
    assert (data['GroupId'], data['MessageModel'], data['Online']) == ('GID_orders', 'CLUSTERING', True)
    assert data['SubscriptionDataList']['SubscriptionDataList'] == [{'Topic': 'orders', 'SubString': 'created || paid'}]


def test_group_sub_detail_requires_the_instance_id(call):
    resp = call('OnsGroupSubDetail', {'GroupId': 'GID_orders'})
    assert (resp.status, resp.code) == (400, 'MissingParameter')
    assert '"InstanceId"' in resp.json()['Message']


def test_group_sub_detail_of_offline_group_fails_with_consumer_not_online(call):
    resp = call('OnsGroupSubDetail', {'GroupId': 'GID_idle', 'InstanceId': INSTANCE})
    assert (resp.status, resp.code) == (400, 'BIZ_CONSUMER_NOT_ONLINE')
    assert 'GID_idle' in resp.json()['Message']


# -- OnsGroupList ---------------------------------------------------------------------------

@pytest.mark.parametrize('params, expected', [
    # without GroupType the API lists TCP groups only (GID_idle is an HTTP group)
    ({'InstanceId': INSTANCE}, ['GID_orders']),
    ({}, ['GID_orders']),
    ({'GroupType': 'tcp'}, ['GID_orders']),
    ({'GroupType': 'http'}, ['GID_idle']),
    ({'GroupType': 'all'}, ['GID_orders', 'GID_idle']),
    ({'InstanceId': INSTANCE, 'GroupType': 'all'}, ['GID_orders', 'GID_idle']),
    ({'GroupId': 'ord', 'GroupType': 'all'}, ['GID_orders']),
    ({'GroupId': 'idle'}, []),
    ({'Tag.1.Key': 'app', 'Tag.1.Value': 'idle'}, []),
    ({'Tag.1.Key': 'app', 'Tag.1.Value': 'idle', 'GroupType': 'all'}, ['GID_idle']),
    ({'Tag.1.Key': 'app', 'GroupType': 'all'}, ['GID_orders', 'GID_idle']),
    ({'Tag.1.Key': 'team', 'GroupType': 'all'}, []),
    ({'GroupId': 'GID', 'GroupType': 'tcp', 'Tag.1.Key': 'app', 'Tag.1.Value': 'orders'}, ['GID_orders']),
])
def test_group_list_filters(call, params, expected):
    rows = _ok(call('OnsGroupList', params))['Data']['SubscribeInfoDo']
    assert [r['GroupId'] for r in rows] == expected


def test_group_list_row_fields(call):
    row = _ok(call('OnsGroupList', {'GroupId': 'GID_orders'}))['Data']['SubscribeInfoDo'][0]
    assert (row['GroupType'], row['InstanceId'], row['IndependentNaming']) == ('tcp', INSTANCE, True)
    assert row['Tags'] == {'Tag': [{'Key': 'app', 'Value': 'orders'}]}
    assert isinstance(row['CreateTime'], int) and row['UpdateTime'] >= row['CreateTime']


@pytest.mark.parametrize('value', ['udp', 'TCP', 'both', ' all'])
def test_group_list_refuses_other_group_types_naming_the_accepted_ones(call, value):
    resp = call('OnsGroupList', {'GroupType': value})
    assert (resp.status, resp.code) == (400, 'InvalidParameter')
    message = resp.json()['Message']
    assert '"GroupType"' in message and 'tcp, http, all' in message


@pytest.mark.parametrize('params, code', [
    ({'GroupType': 'udp'}, 'InvalidParameter'),
    ({'Tag.1.Value': 'x'}, 'MissingParameter'),
    ({'Tag.21.Key': 'x'}, 'InvalidParameter'),
    ({'InstanceId': 'MQ_INST_0_NOPE'}, 'INSTANCE_NOT_FOUND'),
])
def test_group_list_rejects_bad_parameters(call, params, code):
    assert call('OnsGroupList', params).code == code


# -- instances ------------------------------------------------------------------------------

def test_instance_in_service_list_with_resource_info(call):
    row = _ok(call('OnsInstanceInServiceList', {'NeedResourceInfo': 'true'}))['Data']['InstanceVO'][0]
    assert (row['InstanceId'], row['InstanceName'], row['GroupCount'], row['TopicCount']) == (INSTANCE, 'demo', 2, 2)
    assert row['Tags'] == {'Tag': [{'Key': 'env', 'Value': 'demo'}]}


def test_instance_in_service_list_without_resource_info_and_tag_filter(call):
    row = _ok(call('OnsInstanceInServiceList', {}))['Data']['InstanceVO'][0]
    assert 'GroupCount' not in row
    assert _ok(call('OnsInstanceInServiceList', {'Tag.1.Key': 'env', 'Tag.1.Value': 'prod'}))['Data']['InstanceVO'] == []


def test_instance_base_info_is_top_level_with_endpoints(call):
    body = _ok(call('OnsInstanceBaseInfo', {'InstanceId': INSTANCE}))
    assert 'Data' not in body
    info = body['InstanceBaseInfo']
    assert (info['InstanceId'], info['InstanceName'], info['InstanceType'], info['InstanceStatus']) == (INSTANCE, 'demo', 2, 5)
    assert info['Endpoints']['TcpEndpoint'] == 'http://%s.cn-hangzhou.mq-internal.aliyuncs.com:8080' % INSTANCE


def test_instance_base_info_errors(call):
    assert call('OnsInstanceBaseInfo', {}).code == 'MissingParameter'
    assert call('OnsInstanceBaseInfo', {'InstanceId': 'MQ_INST_0_NOPE'}).code == 'INSTANCE_NOT_FOUND'


# -- OnsMessageGetByMsgId -------------------------------------------------------------------

def test_message_get_by_id_answers_properties_and_derived_timestamps(call):
    data = _ok(call('OnsMessageGetByMsgId', {'MsgId': 'MSG_PAYMENT', 'Topic': 'payments', 'InstanceId': INSTANCE}))['Data']
    props = dict((p['Name'], p['Value']) for p in data['PropertyList']['MessageProperty'])
    assert (props['TAGS'], props['KEYS'], props['CUSTOM'], props['UNIQ_KEY']) == ('paid', 'pay-1', 'yes', 'MSG_PAYMENT')
    assert (data['MsgId'], data['Topic'], data['InstanceId']) == ('MSG_PAYMENT', 'payments', INSTANCE)
    # 200 messages behind the newest at 5 messages/s: stored 40 s ago
    assert abs(data['StoreTimestamp'] - (time.time() * 1000 - 40000)) < 5000
    assert data['BornTimestamp'] <= data['StoreTimestamp']


def test_message_get_by_id_errors(call):
    assert call('OnsMessageGetByMsgId', {'MsgId': 'MSG_PAYMENT'}).code == 'MissingParameter'
    assert call('OnsMessageGetByMsgId', {'MsgId': 'MSG_PAYMENT', 'Topic': 'orders'}).code == 'BIZ_NO_MESSAGE'
    assert call('OnsMessageGetByMsgId', {'MsgId': 'MSG_PAYMENT', 'Topic': 'nope'}).code == 'BIZ_TOPIC_NOT_FOUND'


# -- OnsDLQMessagePageQueryByGroupId ----------------------------------------------------------

# Twelve dead letters of GID_orders stored one second apart from T0, listed newest first: the
# answers must come by store time whatever the scenario's order.
T0 = 1760000000000
LETTERS = ['DLQ_%02d' % i for i in range(12)]


def _with_dead_letters():
    letters = [{'msg_id': msg_id, 'store_timestamp': T0 + 1000 * i, 'tag': 'created', 'keys': 'order-%d' % i}
               for i, msg_id in enumerate(LETTERS)]
    letters[3].update({'topic': 'payments', 'reconsume_times': 3, 'properties': {'CUSTOM': 'yes'}, 'body_crc': 42})
    return _with_group(dead_letters=list(reversed(letters)))


def _dlq(call, data, **params):
    params.setdefault('GroupId', 'GID_orders')
    return call('OnsDLQMessagePageQueryByGroupId', dict((k, str(v)) for k, v in params.items()), data)


def _found(resp):
    return _ok(resp)['MsgFoundDo']


def _ids(found):
    return [row['MsgId'] for row in found['MsgFoundList']['OnsRestMessageDo']]


def test_dlq_query_lists_the_windows_dead_letters_by_store_time_with_their_fields(call):
    found = _found(_dlq(call, _with_dead_letters(), InstanceId=INSTANCE, BeginTime=T0, EndTime=T0 + 60000, CurrentPage=1))
    assert (found['MaxPageCount'], found['CurrentPage']) == (1, 1)
    assert re.match(r'^[0-9A-F]{32}$', found['TaskId'])
    assert _ids(found) == LETTERS
    rows = found['MsgFoundList']['OnsRestMessageDo']
    # defaults: the group's first topic, RocketMQ's 16 retries, born 3 ms before it was stored
    assert (rows[0]['Topic'], rows[0]['InstanceId'], rows[0]['ReconsumeTimes'], rows[0]['StoreSize']) == ('orders', INSTANCE, 16, 406)
    assert (rows[0]['StoreTimestamp'], rows[0]['BornTimestamp'], rows[0]['StoreHost']) == (T0, T0 - 3, '11.193.10.12:10911')
    assert (rows[3]['Topic'], rows[3]['ReconsumeTimes'], rows[3]['BodyCRC']) == ('payments', 3, 42)
    props = dict((p['Name'], p['Value']) for p in rows[3]['PropertyList']['MessageProperty'])
    assert (props['TAGS'], props['KEYS'], props['UNIQ_KEY'], props['CUSTOM']) == ('created', 'order-3', 'DLQ_03', 'yes')


def test_dlq_task_pages_with_its_own_window_and_page_size(call):
    data = _with_dead_letters()
    first = _found(_dlq(call, data, BeginTime=T0, EndTime=T0 + 60000, PageSize=5, CurrentPage=1))
    assert (first['MaxPageCount'], _ids(first)) == (3, LETTERS[:5])
    task = first['TaskId']
    # once TaskId is given, the window and page size sent are ignored: the task's apply
    second = _found(_dlq(call, data, TaskId=task, BeginTime=0, EndTime=1, PageSize=50, CurrentPage=2))
    third = _found(_dlq(call, data, TaskId=task, CurrentPage=3))
    assert (second['TaskId'], second['CurrentPage'], second['MaxPageCount'], _ids(second)) == (task, 2, 3, LETTERS[5:10])
    assert (third['CurrentPage'], _ids(third)) == (3, LETTERS[10:])
    # the same query gets the same task: ids are derived from it, so tests can rely on them
    assert _found(_dlq(call, data, BeginTime=T0, EndTime=T0 + 60000, PageSize=5, CurrentPage=1))['TaskId'] == task
    assert _found(_dlq(call, data, BeginTime=T0, EndTime=T0 + 60000, PageSize=6, CurrentPage=1))['TaskId'] != task


@pytest.mark.parametrize('begin, end, expected', [
    (T0 + 2000, T0 + 4000, LETTERS[2:5]),
    (T0 + 2001, T0 + 3999, LETTERS[3:4]),
    (T0 + 11000, T0 + 11000, LETTERS[11:]),
    (0, T0, LETTERS[:1]),
])
def test_dlq_window_includes_both_ends(call, begin, end, expected):
    assert _ids(_found(_dlq(call, _with_dead_letters(), BeginTime=begin, EndTime=end, CurrentPage=1))) == expected


def test_dlq_query_of_an_empty_window_has_no_page_but_a_task(call):
    found = _found(_dlq(call, _with_dead_letters(), BeginTime=T0 - 60000, EndTime=T0 - 1, CurrentPage=1))
    assert (found['MaxPageCount'], found['CurrentPage'], _ids(found)) == (0, 1, [])
    assert re.match(r'^[0-9A-F]{32}$', found['TaskId'])
    assert _found(_dlq(call, _with_group(), BeginTime=0, EndTime=T0, CurrentPage=1))['MaxPageCount'] == 0


def test_dlq_task_id_must_be_one_the_server_made_for_that_group(call):
    data = _with_dead_letters()
    data['instances'][0]['groups'][1]['dead_letters'] = [{'msg_id': 'DLQ_IDLE', 'store_timestamp': T0}]
    idle_task = _found(_dlq(call, data, GroupId='GID_idle', BeginTime=0, EndTime=T0, CurrentPage=1))['TaskId']
    for task in ('0BC1310300002A9F000021E4D7A48346', idle_task):
        resp = _dlq(call, data, TaskId=task, CurrentPage=1)
        assert (resp.status, resp.code) == (400, 'BIZ_FIELD_CHECK_INVALID'), resp.body
        assert 'TaskId' in resp.json()['Message'] and 'GID_orders' in resp.json()['Message']


@pytest.mark.parametrize('params, code, named', [
    ({'CurrentPage': 0}, 'InvalidParameter', 'CurrentPage'),
    ({'CurrentPage': 51}, 'InvalidParameter', 'CurrentPage'),
    ({'CurrentPage': 'two'}, 'InvalidParameter', 'CurrentPage'),
    ({'CurrentPage': 4, 'PageSize': 5}, 'InvalidParameter', 'CurrentPage'),
    ({'CurrentPage': 1, 'PageSize': 4}, 'InvalidParameter', 'PageSize'),
    ({'CurrentPage': 1, 'PageSize': 51}, 'InvalidParameter', 'PageSize'),
    ({'CurrentPage': 1, 'BeginTime': T0 + 60001}, 'InvalidParameter', 'EndTime'),
    ({'CurrentPage': 1, 'BeginTime': None}, 'MissingParameter', 'BeginTime'),
    ({'CurrentPage': None}, 'MissingParameter', 'CurrentPage'),
])
def test_dlq_query_refuses_parameters_out_of_range_naming_them(call, params, code, named):
    query = {'BeginTime': 0, 'EndTime': T0 + 60000}
    query.update(params)
    resp = _dlq(call, _with_dead_letters(), **dict((k, v) for k, v in query.items() if v is not None))
    assert (resp.status, resp.code) == (400, code), resp.body
    assert '"%s"' % named in resp.json()['Message']


def test_dlq_query_of_an_unknown_group_is_subscription_not_found(call):
    assert _dlq(call, _with_dead_letters(), GroupId='GID_nope', BeginTime=0, EndTime=T0, CurrentPage=1).code == 'BIZ_SUBSCRIPTION_NOT_FOUND'


def test_dead_letters_without_a_time_were_stored_a_minute_before_the_start(emulator, client_for):
    data = _with_group(dead_letters=[{'msg_id': 'DLQ_RECENT'}, {'msg_id': 'DLQ_OLD', 'stored_ago': 259200}])
    handle = emulator(data)
    started = handle.state.started_ms
    resp = client_for(handle.url).request('OnsDLQMessagePageQueryByGroupId', {
        'GroupId': 'GID_orders', 'BeginTime': str(started - 4 * 86400000), 'EndTime': str(started), 'CurrentPage': '1'})
    rows = _found(resp)['MsgFoundList']['OnsRestMessageDo']
    assert [(r['MsgId'], r['StoreTimestamp']) for r in rows] == [('DLQ_OLD', started - 259200000), ('DLQ_RECENT', started - 60000)]
