# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fidelity of the 5.x API: the official SDK (alibabacloud_rocketmq20220801) calls every emulated
operation; each answer parses into the SDK's models without losing a field, and every field has
the type the models declare."""

import inspect
import json
import re

import pytest

from emulator_testlib import INSTANCE, INSTANCE_5X, KEY_ID, SECRET, scenario_5x

sdk_client = pytest.importorskip('alibabacloud_rocketmq20220801.client')
sdk_models = pytest.importorskip('alibabacloud_rocketmq20220801.models')
openapi_models = pytest.importorskip('alibabacloud_tea_openapi.models')
openapi_exceptions = pytest.importorskip('alibabacloud_tea_openapi.exceptions')

ODD_GROUP = 'GID_a%b c/d~e*'
DENIED_KEY = 'LTAI5tLagOnlyKey0001'
SCALARS = {'str': str, 'int': int, 'bool': bool, 'float': float}
# 2030-01-01 00:00:00 UTC: GID_mixed's twelve dead letters are stored one second apart from it.
T5 = 1893456000000
DEAD = ['RMQ_DLQ_%02d' % i for i in range(12)]

# The SDK's own timestamp helper uses datetime.utcnow(); that is its business, not ours.
pytestmark = pytest.mark.filterwarnings('ignore:datetime.datetime.utcnow:DeprecationWarning')


def _rich_scenario():
    data = scenario_5x()
    inst = data['instances'][1]
    inst.update({'release_time': 4102444800000, 'remark': 'emulated', 'endpoints': {'tcp_endpoint': 'rmq-x-vpc.example.internal:8080'}})
    inst['groups'].append({'group_id': ODD_GROUP, 'offsets': {'orders': 990}, 'clients': [{'client_addr': '10.0.9.5:5000'}]})
    letters = [{'msg_id': msg_id, 'store_timestamp': T5 + 1000 * i, 'tag': 'created'} for i, msg_id in enumerate(DEAD)]
    # one sent from the FIFO topic, which gives its rows a messageGroup
    letters[1].update({'topic': 'payments', 'keys': 'pay-1 refund-1', 'properties': {'MESSAGE_GROUP': 'customer-1', 'CUSTOM': 'yes'}})
    inst['groups'][2]['dead_letters'] = letters
    # a LITE_SELECTIVE group with the fields only GetConsumerGroup gives, and -1 where the SDK types a plain integer
    inst['groups'].append({'group_id': 'GID_lite', 'message_model': 'LITE_SELECTIVE', 'topic_name': 'orders', 'exclusive': True,
                           'max_receive_tps': -1, 'last_consume_timestamp': -1, 'offsets': {'orders': 1000}})
    # a scheduled message not yet due, and a released instance
    inst['messages'].append({'msg_id': 'RMQ_LATER', 'topic': 'orders', 'tag': 'created', 'offset': 990, 'deliver_in': 3600})
    data['instances'].append({'instance_id': 'rmq-cn-gone0000001', 'status': 'RELEASED', 'release_time': 4102444800000})
    data['keys'].append({'access_key_id': DENIED_KEY, 'access_key_secret': SECRET, 'actions': ['rocketmq:GetConsumerGroupLag']})
    data['faults'] = [{'kind': 'throttle', 'params': {'consumerGroupId': 'GID_throttled'}, 'retry_after': 1200}]
    return data


@pytest.fixture(scope='module')
def server():
    from emulator.server import start
    handle = start(_rich_scenario(), port=0, rate_limit=0)
    yield handle
    handle.stop()


def _sdk(port, secret=SECRET, key_id=KEY_ID):
    config = openapi_models.Config(access_key_id=key_id, access_key_secret=secret, endpoint='127.0.0.1:%d' % port, protocol='http',
                                   region_id='cn-hangzhou')
    client = sdk_client.Client(config)
    raw = []
    call_api = client.call_api

    def recording_call_api(params, request, runtime):
        result = call_api(params, request, runtime)
        raw.append(result)
        return result

    # Observe what the SDK parsed from the wire before it builds its models.
    client.call_api = recording_call_api
    return client, raw


M = sdk_models
# case -> (operation, SDK method, positional arguments, values that must be among the answer's leaves)
CASES = {
    'ListInstances': ('ListInstances', 'list_instances', lambda: (M.ListInstancesRequest(
        page_number=1, page_size=10, series_codes=['ultimate', 'standard'], tags=json.dumps([{'key': 'env', 'value': 'test'}])),),
        [INSTANCE_5X, 'test-5x', 'ultimate', 'env', 'RUNNING', True, 1, 10]),
    'ListInstances with a released instance': ('ListInstances', 'list_instances', lambda: (M.ListInstancesRequest(
        page_number=1, page_size=10, filter='gone'),), ['rmq-cn-gone0000001', 'RELEASED', '2100-01-01 00:00:00']),
    'GetInstance': ('GetInstance', 'get_instance', lambda: (INSTANCE_5X,),
                    ['TCP_VPC', 'rmq-x-vpc.example.internal:8080', 'TOPIC_COUNT', 50.0, 'emulated', '2100-01-01 00:00:00']),
    'ListConsumerGroups': ('ListConsumerGroups', 'list_consumer_groups',
                           lambda: (INSTANCE_5X, M.ListConsumerGroupsRequest(page_number=1, page_size=10, filter='GID_')),
                           ['GID_orders', 'GID_mixed', 'CLUSTERING', 'GID_lite', 'LITE_SELECTIVE', -1, 5]),
    'GetConsumerGroup': ('GetConsumerGroup', 'get_consumer_group', lambda: (INSTANCE_5X, 'GID_mixed'),
                         ['Orderly', 'FixedRetryPolicy', 'DLQ_mixed', 16, 10, False]),
    'GetConsumerGroup of a LITE_SELECTIVE group': ('GetConsumerGroup', 'get_consumer_group', lambda: (INSTANCE_5X, 'GID_lite'),
                                                   ['LITE_SELECTIVE', 'orders', True, -1]),
    'ListConsumerConnections': ('ListConsumerConnections', 'list_consumer_connections',
                                lambda: (INSTANCE_5X, 'GID_orders', M.ListConsumerConnectionsRequest(topic_name='orders')),
                                ['orders-abc-1', '47.96.1.5', 'java', '5.0.7', 'golang', '5.0.5']),
    'GetConsumerGroupLag': ('GetConsumerGroupLag', 'get_consumer_group_lag',
                            lambda: (INSTANCE_5X, 'GID_orders', M.GetConsumerGroupLagRequest(topic_name='orders')), [60, 40, 10, 'orders']),
    'GetConsumerGroupLag with a timestamp of -1': ('GetConsumerGroupLag', 'get_consumer_group_lag',
                                                   lambda: (INSTANCE_5X, 'GID_lite', M.GetConsumerGroupLagRequest()), [-1]),
    'GetConsumerGroupLag of a group with reserved characters': (
        'GetConsumerGroupLag', 'get_consumer_group_lag', lambda: (INSTANCE_5X, ODD_GROUP, M.GetConsumerGroupLagRequest()), [ODD_GROUP]),
    'ListConsumerGroupSubscriptions': ('ListConsumerGroupSubscriptions', 'list_consumer_group_subscriptions',
                                       lambda: (INSTANCE_5X, 'GID_mixed', M.ListConsumerGroupSubscriptionsRequest()),
                                       ['orders', 'payments', 'created', False, 'ONLINE', 'TAG']),
    'ListConsumerGroupSubscriptions of an offline group': (
        'ListConsumerGroupSubscriptions', 'list_consumer_group_subscriptions',
        lambda: (INSTANCE_5X, 'GID_idle', M.ListConsumerGroupSubscriptionsRequest(topic_name='payments')), ['OFFLINE', True]),
    'GetConsumerGroupSubscription': ('GetConsumerGroupSubscription', 'get_consumer_group_subscription',
                                     lambda: (INSTANCE_5X, 'GID_mixed', 'orders'), ['created', '*', 'ONLINE', 'CLUSTERING']),
    'GetTrace of a dead letter': ('GetTrace', 'get_trace', lambda: (INSTANCE_5X, 'orders', 'RMQ_DEAD', M.GetTraceRequest()),
                                  ['FAILED', 'SUCCESS', '%DLQ%GID_orders', 'ToDLQ', 'Receive', 30000, 'CONSOLE']),
    'GetTrace of a scheduled message not yet due': ('GetTrace', 'get_trace', lambda: (INSTANCE_5X, 'orders', 'RMQ_LATER', M.GetTraceRequest(
        start_time='2020-01-01 00:00:00', end_time='2099-01-01 00:00:00')), ['WAITING', 'ADD']),
    'GetTrace of a FIFO message': ('GetTrace', 'get_trace', lambda: (INSTANCE_5X, 'payments', 'RMQ_PAYMENT', M.GetTraceRequest(
        start_time='2020-01-01 00:00:00', end_time='2099-01-01 00:00:00')), ['customer-9', 'FIFO', 'paid']),
    'GetTrace with keys and an unknown status': ('GetTrace', 'get_trace', lambda: (INSTANCE_5X, 'orders', 'RMQ_ODD', M.GetTraceRequest()),
                                                 ['SOMETHING_NEW']),
    'ListTopics': ('ListTopics', 'list_topics', lambda: (INSTANCE_5X, M.ListTopicsRequest(page_number=1, page_size=10, message_types=['FIFO'])),
                   ['payments', 'FIFO', 1]),
    'GetTopic': ('GetTopic', 'get_topic', lambda: (INSTANCE_5X, 'orders'), ['orders', 'NORMAL']),
    'ListMessages of a dead-letter topic': ('ListMessages', 'list_messages', lambda: (INSTANCE_5X, 'DLQ_mixed', M.ListMessagesRequest(
        start_time='2030-01-01 00:00:00', end_time='2030-01-01 00:00:05', page_number=1, page_size=10)),
        ['RMQ_DLQ_00', 'RMQ_DLQ_05', 'DLQ_mixed', 'FIFO', 'customer-1', 'refund-1', 'yes', '2030-01-01 00:00:01', 406, 6, 10]),
    'ListMessages of a topic by key': ('ListMessages', 'list_messages', lambda: (INSTANCE_5X, 'orders', M.ListMessagesRequest(
        message_key='order-2', page_number=1, page_size=10)), ['RMQ_CONSUMED', 'order-1', 'created', 'NORMAL', 1]),
}


def _values(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from _values(value)
    elif isinstance(node, list):
        for value in node:
            yield from _values(value)
    else:
        yield node


def _fields(model):
    """{lowercase wire key without separators: (attribute, declared type)} of an SDK model."""
    params = inspect.signature(type(model).__init__).parameters
    return dict((name.replace('_', '').lower(), (name, str(p.annotation))) for name, p in params.items() if name != 'self')


def _type_problems(model, wire, path='body'):
    """Every wire field the model does not know, and every value not of the declared type."""
    problems = []
    fields = _fields(model)
    for key, value in wire.items():
        if key.lower() not in fields:
            problems.append('%s.%s: unknown to %s' % (path, key, type(model).__name__))
            continue
        name, annotation = fields[key.lower()]
        problems.extend(_value_problems(getattr(model, name), value, annotation, '%s.%s' % (path, key)))
    return problems


def _value_problems(parsed, value, annotation, path):
    if value is None:
        return ['%s: null, declared %s' % (path, annotation)]
    container = re.match(r'^(List|Dict)\[(?:str, )?(.*)\]$', annotation)
    if container:
        kind = list if container.group(1) == 'List' else dict
        if not isinstance(value, kind):
            return ['%s: %s, declared %s' % (path, type(value).__name__, annotation)]
        keys = range(len(value)) if kind is list else list(value)
        problems = []
        for k in keys:
            problems.extend(_value_problems(parsed[k], value[k], container.group(2), '%s[%r]' % (path, k)))
        return problems
    if annotation.startswith('main_models.'):
        if not isinstance(value, dict):
            return ['%s: %s, declared %s' % (path, type(value).__name__, annotation)]
        return _type_problems(parsed, value, path)
    expected = SCALARS[annotation]
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        return ['%s: %s %r, declared %s' % (path, type(value).__name__, value, annotation)]
    return []


def test_every_emulated_operation_is_covered():
    from emulator.rocketmq5 import OPERATIONS
    assert sorted(set(case[0] for case in CASES.values())) == sorted(OPERATIONS)


@pytest.mark.parametrize('case', sorted(CASES))
def test_sdk_parses_every_field_with_its_declared_type(server, case):
    operation, method, args, expected = CASES[case]
    client, raw = _sdk(server.port)
    response = getattr(client, method)(*args())
    assert response.status_code == 200
    wire = raw[-1]['body']
    # nothing the emulator sent is lost (or invented) by the SDK's models
    assert response.body.to_map() == wire, json.dumps(wire)[:3000]
    assert _type_problems(response.body, wire) == []
    assert (response.body.success, response.body.code, response.body.http_status_code) == (True, 'Success', 200)
    leaves = list(_values(wire['data']))
    for value in expected:
        assert value in leaves, '%r missing from %s' % (value, case)
    last = server.state.log.snapshot(1)['requests'][0]
    assert (last['product'], last['action'], last['signature'], last['status']) == ('RocketMQ', operation, 'v3', 200)


def test_the_type_check_catches_a_mistyped_field():
    body = sdk_models.GetConsumerGroupLagResponseBody()
    wire = {'success': 'true', 'data': {'totalLag': {'readyCount': '5'}, 'topicLagMap': {'t': {'inflightCount': 1.5}}, 'surplus': 1}}
    body.from_map(wire)
    assert sorted(_type_problems(body, wire)) == [
        "body.data.surplus: unknown to GetConsumerGroupLagResponseBodyData",
        "body.data.topicLagMap['t'].inflightCount: float 1.5, declared int",
        "body.data.totalLag.readyCount: str '5', declared int",
        "body.success: str 'true', declared bool",
    ]


def test_sdk_follows_the_pages_of_a_list(server):
    client, _raw = _sdk(server.port)
    seen, number = [], 1
    while True:
        page = client.list_consumer_groups(INSTANCE_5X, sdk_models.ListConsumerGroupsRequest(page_number=number, page_size=10)).body.data
        seen.extend(row.consumer_group_id for row in page.list)
        if number * page.page_size >= page.total_count:
            break
        number += 1
    assert seen == ['GID_orders', 'GID_idle', 'GID_mixed', ODD_GROUP, 'GID_lite']


def test_sdk_pages_messages_with_the_scroll_id_of_the_first_page(server):
    client, raw = _sdk(server.port)
    first = client.list_messages(INSTANCE_5X, 'DLQ_mixed', sdk_models.ListMessagesRequest(page_number=1, page_size=10)).body.data
    response = client.list_messages(INSTANCE_5X, 'DLQ_mixed', sdk_models.ListMessagesRequest(page_number=2, page_size=10,
                                                                                             scroll_id=first.scroll_id))
    wire = raw[-1]['body']
    assert response.body.to_map() == wire and _type_problems(response.body, wire) == []
    second = response.body.data
    assert (second.scroll_id, second.page_number, second.total_count) == (first.scroll_id, 2, 12)
    assert [m.message_id for m in first.list + second.list] == DEAD
    assert (first.list[1].message_group, first.list[1].message_keys, first.list[1].user_properties['CUSTOM']) == (
        'customer-1', ['pay-1', 'refund-1'], 'yes')
    with pytest.raises(openapi_exceptions.ClientException) as info:
        client.list_messages(INSTANCE_5X, 'DLQ_mixed', sdk_models.ListMessagesRequest(
            page_number=2, page_size=10, scroll_id='B13D0B07-F24B-4790-88D8-D47A38063D00'))
    assert (info.value.code, info.value.status_code) == ('InvalidParameter', 400)


def test_sdk_sees_business_errors_with_their_codes_and_dynamic_fields(server):
    client, _raw = _sdk(server.port)
    with pytest.raises(openapi_exceptions.ClientException) as info:
        client.get_instance(INSTANCE)
    assert (info.value.code, info.value.status_code) == ('Instance.NotFound', 404)
    assert (info.value.data['dynamicCode'], info.value.data['success']) == ('instanceId', False)
    with pytest.raises(openapi_exceptions.ClientException) as info:
        client.get_consumer_group_lag(INSTANCE_5X, 'GID_nope', sdk_models.GetConsumerGroupLagRequest())
    assert (info.value.code, info.value.status_code) == ('ConsumerGroup.NotFound', 404)
    with pytest.raises(openapi_exceptions.ClientException) as info:
        client.list_instances(sdk_models.ListInstancesRequest(page_size=10))
    assert (info.value.code, info.value.status_code) == ('MissingPageNumber', 400)


def test_sdk_with_a_wrong_secret_gets_signature_does_not_match(server):
    client, _raw = _sdk(server.port, secret='NotTheRightSecret')
    with pytest.raises(openapi_exceptions.ClientException) as info:
        client.get_instance(INSTANCE_5X)
    assert (info.value.code, info.value.status_code) == ('SignatureDoesNotMatch', 400)
    assert 'NotTheRightSecret' not in str(info.value) and SECRET not in str(info.value)


def test_sdk_reads_a_ram_denial_with_its_access_denied_detail(server):
    client, _raw = _sdk(server.port, key_id=DENIED_KEY)
    assert client.get_consumer_group_lag(INSTANCE_5X, 'GID_orders', sdk_models.GetConsumerGroupLagRequest()).status_code == 200
    with pytest.raises(openapi_exceptions.ClientException) as info:
        client.list_consumer_connections(INSTANCE_5X, 'GID_orders', sdk_models.ListConsumerConnectionsRequest())
    assert (info.value.code, info.value.status_code) == ('Forbidden.RAM', 403)
    detail = info.value.access_denied_detail
    assert (detail['AuthAction'], detail['NoPermissionType']) == ('rocketmq:ListConsumerConnections', 'ImplicitDeny')


def test_sdk_reads_the_retry_after_of_a_throttled_answer(server):
    client, _raw = _sdk(server.port)
    with pytest.raises(openapi_exceptions.ThrottlingException) as info:
        client.get_consumer_group_lag(INSTANCE_5X, 'GID_throttled', sdk_models.GetConsumerGroupLagRequest())
    assert (info.value.code, info.value.status_code, info.value.retry_after) == ('Throttling.User', 400, 1200)


def test_sdk_parses_the_legacy_trace_words():
    from emulator.server import start
    data = _rich_scenario()
    data['trace_vocabulary'] = 'legacy'
    handle = start(data, port=0, rate_limit=0)
    try:
        client, raw = _sdk(handle.port)
        response = client.get_trace(INSTANCE_5X, 'orders', 'RMQ_DEAD', sdk_models.GetTraceRequest())
        wire = raw[-1]['body']
        assert response.body.to_map() == wire and _type_problems(response.body, wire) == []
        data = response.body.data
        statuses = dict((info.consumer_group_id, info.consume_status) for info in data.consumer_infos)
        assert (statuses['GID_orders'], statuses['GID_mixed']) == ('CONSUME_FAILED', 'CONSUME_SUCCESS')
        assert (data.producer_info.records[0].produce_status, data.producer_info.records[0].message_source) == ('SEND_SUCCESS', 'NORMAL')
    finally:
        handle.stop()
