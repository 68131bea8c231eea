# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fidelity: the official SDK (alibabacloud_ons20190214) calls every emulated operation in both
signing modes, and each answer parses into the SDK's models without losing a field."""

import copy
import json

import pytest

from emulator_testlib import BASE, INSTANCE, KEY_ID, SECRET

sdk_client = pytest.importorskip('alibabacloud_ons20190214.client')
sdk_models = pytest.importorskip('alibabacloud_ons20190214.models')
openapi_models = pytest.importorskip('alibabacloud_tea_openapi.models')
openapi_exceptions = pytest.importorskip('alibabacloud_tea_openapi.exceptions')

# signature_algorithm 'v2' makes tea-openapi take its RPC path (V1 HMAC-SHA1 parameters);
# the default (None) is V3 ACS3-HMAC-SHA256 headers.
MODES = {'v3': None, 'v1': 'v2'}
NO_INSTANCE_ACTION_KEY = 'LTAI5tNoInstanceAction01'
# Seven dead letters of GID_orders, one second apart from T0: two pages of five.
T0 = 1760000000000

# The SDK's own timestamp helper uses datetime.utcnow(); that is its business, not ours.
pytestmark = pytest.mark.filterwarnings('ignore:datetime.datetime.utcnow:DeprecationWarning')


def _rich_scenario():
    data = copy.deepcopy(BASE)
    inst = data['instances'][0]
    inst.update({'release_time': 4102444800000, 'remark': 'emulated', 'max_tps': 7000,
                 'endpoints': {'tcp_endpoint': 'http://tcp.example.internal:8080'}})
    inst['groups'][0]['clients'][0]['jstack'] = [{'thread': 'ConsumeMessageThread_7', 'track': ['at Foo.bar(Foo.java:1)']}]
    inst['groups'][0]['clients'][0]['failed_tps'] = 0.5
    inst['groups'][0]['dead_letters'] = [{'msg_id': 'DLQ_%d' % i, 'store_timestamp': T0 + 1000 * i} for i in range(7)]
    inst['groups'][0]['dead_letters'][0].update({'tag': 'created', 'keys': 'order-7', 'properties': {'CUSTOM_DLQ': 'dead'}})
    # the documented spelling of a push consumer, beside RocketMQ's CONSUME_PASSIVELY default
    inst['groups'][0]['clients'][1]['consume_type'] = 'PUSH'
    # a RAM user with the operation's own action but not the associated instance action
    data['keys'].append({'access_key_id': NO_INSTANCE_ACTION_KEY, 'access_key_secret': SECRET, 'actions': ['mq:QueryConsumerConnection']})
    data['faults'] = [{'kind': 'throttle', 'params': {'GroupId': 'GID_throttled'}, 'retry_after': 1200}]
    return data


def _sdk(url_port, mode, secret=SECRET, key_id=KEY_ID):
    config = openapi_models.Config(access_key_id=key_id, access_key_secret=secret, endpoint='127.0.0.1:%d' % url_port, protocol='http',
                                   region_id='cn-hangzhou')
    if MODES[mode]:
        config.signature_algorithm = MODES[mode]
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


CALLS = {
    'OnsConsumerGetConnection': ('ons_consumer_get_connection', 'OnsConsumerGetConnectionRequest', {'group_id': 'GID_orders', 'instance_id': INSTANCE},
                                 ['10.0.1.5@2231#1839465112#-1257238912#1730000000000', 'V5_1_0', 'GO', 'CLUSTERING']),
    'OnsMessageTrace': ('ons_message_trace', 'OnsMessageTraceRequest', {'topic': 'orders', 'msg_id': 'MSG_FILTERED', 'instance_id': INSTANCE},
                        ['GID_orders', 'CONSUMED_BUT_FILTERED', INSTANCE]),
    'OnsConsumerStatus': ('ons_consumer_status', 'OnsConsumerStatusRequest',
                          {'group_id': 'GID_orders', 'instance_id': INSTANCE, 'detail': True, 'need_jstack': True},
                          ['created || paid', 'ConsumeMessageThread_7', 'at Foo.bar(Foo.java:1)', '10.0.1.6:53020', 'V5_1_0', 0.5,
                           'CONSUME_PASSIVELY', 'PUSH']),
    'OnsConsumerAccumulate': ('ons_consumer_accumulate', 'OnsConsumerAccumulateRequest', {'group_id': 'GID_idle', 'instance_id': INSTANCE, 'detail': True},
                              ['payments', 100, False]),
    'OnsGroupSubDetail': ('ons_group_sub_detail', 'OnsGroupSubDetailRequest', {'group_id': 'GID_orders', 'instance_id': INSTANCE},
                          ['GID_orders', 'created || paid', 'orders']),
    'OnsGroupList': ('ons_group_list', 'OnsGroupListRequest', {'instance_id': INSTANCE, 'group_id': 'GID', 'group_type': 'http'},
                     ['GID_idle', 'http', 'idle']),
    'OnsInstanceInServiceList': ('ons_instance_in_service_list', 'OnsInstanceInServiceListRequest', {'need_resource_info': True},
                                 [INSTANCE, 'demo', 'env', 4102444800000]),
    'OnsInstanceBaseInfo': ('ons_instance_base_info', 'OnsInstanceBaseInfoRequest', {'instance_id': INSTANCE},
                            [INSTANCE, 'http://tcp.example.internal:8080', 7000, 'emulated']),
    'OnsMessageGetByMsgId': ('ons_message_get_by_msg_id', 'OnsMessageGetByMsgIdRequest',
                             {'msg_id': 'MSG_PAYMENT', 'topic': 'payments', 'instance_id': INSTANCE},
                             ['MSG_PAYMENT', 'CUSTOM', 'pay-1', 'paid']),
    'OnsDLQMessagePageQueryByGroupId': ('ons_dlqmessage_page_query_by_group_id', 'OnsDLQMessagePageQueryByGroupIdRequest',
                                        {'group_id': 'GID_orders', 'instance_id': INSTANCE, 'begin_time': T0, 'end_time': T0 + 60000,
                                         'page_size': 5, 'current_page': 1},
                                        ['DLQ_0', 'DLQ_4', 'orders', 'CUSTOM_DLQ', 'dead', 'order-7', 16, 2, T0, T0 - 3]),
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


@pytest.fixture(scope='module')
def server():
    from emulator.server import start
    handle = start(_rich_scenario(), port=0, rate_limit=0)
    yield handle
    handle.stop()


def test_every_emulated_operation_is_covered():
    from emulator.operations import OPERATIONS
    assert sorted(CALLS) == sorted(OPERATIONS)


@pytest.mark.parametrize('mode', sorted(MODES))
@pytest.mark.parametrize('action', sorted(CALLS))
def test_sdk_parses_every_field_of_every_operation(server, mode, action):
    method, request_class, kwargs, expected = CALLS[action]
    client, raw = _sdk(server.port, mode)
    response = getattr(client, method)(getattr(sdk_models, request_class)(**kwargs))
    assert response.status_code == 200
    wire = raw[-1]['body']
    # nothing the emulator sent is lost (or invented) by the SDK's models
    assert response.body.to_map() == wire, json.dumps(wire)[:2000]
    leaves = list(_values(response.body.to_map()))
    for value in expected:
        assert value in leaves, '%r missing from %s' % (value, action)
    last = server.state.log.snapshot(1)['requests'][0]
    assert (last['action'], last['signature'], last['status']) == (action, mode, 200)


@pytest.mark.parametrize('mode', sorted(MODES))
def test_sdk_pages_dead_letters_with_the_task_id_of_the_first_page(server, mode):
    client, raw = _sdk(server.port, mode)
    request = sdk_models.OnsDLQMessagePageQueryByGroupIdRequest
    first = client.ons_dlqmessage_page_query_by_group_id(request(group_id='GID_orders', instance_id=INSTANCE, begin_time=T0,
                                                                 end_time=T0 + 60000, page_size=5, current_page=1)).body.msg_found_do
    assert (first.max_page_count, first.current_page, len(first.msg_found_list.ons_rest_message_do)) == (2, 1, 5)
    # the second page names the task; the window and page size it sends do not count
    response = client.ons_dlqmessage_page_query_by_group_id(request(group_id='GID_orders', instance_id=INSTANCE, task_id=first.task_id,
                                                                    begin_time=0, end_time=1, page_size=50, current_page=2))
    assert response.body.to_map() == raw[-1]['body']
    second = response.body.msg_found_do
    assert (second.task_id, second.max_page_count, second.current_page) == (first.task_id, 2, 2)
    rows = second.msg_found_list.ons_rest_message_do
    assert [(r.msg_id, r.store_timestamp, r.born_timestamp, r.reconsume_times, r.topic) for r in rows] == [
        ('DLQ_5', T0 + 5000, T0 + 4997, 16, 'orders'), ('DLQ_6', T0 + 6000, T0 + 5997, 16, 'orders')]
    assert [p.name for p in rows[0].property_list.message_property][:3] == ['UNIQ_KEY', 'MSG_REGION', 'TRACE_ON']
    with pytest.raises(openapi_exceptions.ClientException) as info:
        client.ons_dlqmessage_page_query_by_group_id(request(group_id='GID_orders', task_id='0BC1310300002A9F000021E4D7A48346', current_page=2))
    assert (info.value.code, info.value.status_code) == ('BIZ_FIELD_CHECK_INVALID', 400)


@pytest.mark.parametrize('mode', sorted(MODES))
def test_sdk_with_a_wrong_secret_gets_signature_does_not_match(server, mode):
    client, _raw = _sdk(server.port, mode, secret='NotTheRightSecret')
    with pytest.raises(openapi_exceptions.ClientException) as info:
        client.ons_consumer_get_connection(sdk_models.OnsConsumerGetConnectionRequest(group_id='GID_orders', instance_id=INSTANCE))
    assert info.value.code == 'SignatureDoesNotMatch'
    assert info.value.status_code == 400
    assert 'NotTheRightSecret' not in str(info.value) and SECRET not in str(info.value)


@pytest.mark.parametrize('mode', sorted(MODES))
def test_sdk_sees_business_errors_with_their_codes(server, mode):
    client, _raw = _sdk(server.port, mode)
    with pytest.raises(openapi_exceptions.ClientException) as info:
        client.ons_consumer_get_connection(sdk_models.OnsConsumerGetConnectionRequest(group_id='GID_idle', instance_id=INSTANCE))
    assert info.value.code == 'BIZ_CONSUMER_NOT_ONLINE'


def _group_ids(client, **kwargs):
    response = client.ons_group_list(sdk_models.OnsGroupListRequest(instance_id=INSTANCE, **kwargs))
    return [row.group_id for row in response.body.data.subscribe_info_do]


@pytest.mark.parametrize('mode', sorted(MODES))
def test_sdk_lists_tcp_groups_by_default_and_all_groups_on_request(server, mode):
    client, _raw = _sdk(server.port, mode)
    assert _group_ids(client) == ['GID_orders']
    assert _group_ids(client, group_type='all') == ['GID_orders', 'GID_idle']


@pytest.mark.parametrize('mode', sorted(MODES))
def test_sdk_reads_a_ram_denial_with_its_access_denied_detail(server, mode):
    client, _raw = _sdk(server.port, mode, key_id=NO_INSTANCE_ACTION_KEY)
    with pytest.raises(openapi_exceptions.ClientException) as info:
        client.ons_consumer_get_connection(sdk_models.OnsConsumerGetConnectionRequest(group_id='GID_orders', instance_id=INSTANCE))
    assert (info.value.code, info.value.status_code) == ('Forbidden.RAM', 403)
    assert 'mq:OnsInstanceBaseInfo' in info.value.message
    detail = info.value.access_denied_detail
    assert (detail['AuthAction'], detail['NoPermissionType'], detail['PolicyType']) == (
        'mq:OnsInstanceBaseInfo', 'ImplicitDeny', 'AccountLevelIdentityBasedPolicy')
    assert SECRET not in str(info.value)


@pytest.mark.parametrize('mode', sorted(MODES))
def test_sdk_reads_the_retry_after_of_a_throttled_answer(server, mode):
    client, _raw = _sdk(server.port, mode)
    with pytest.raises(openapi_exceptions.ThrottlingException) as info:
        client.ons_consumer_status(sdk_models.OnsConsumerStatusRequest(group_id='GID_throttled', instance_id=INSTANCE))
    assert (info.value.code, info.value.status_code, info.value.retry_after) == ('Throttling.User', 400, 1200)


@pytest.mark.parametrize('mode', sorted(MODES))
def test_sdk_sees_group_sub_detail_of_an_offline_group_fail(server, mode):
    client, _raw = _sdk(server.port, mode)
    with pytest.raises(openapi_exceptions.ClientException) as info:
        client.ons_group_sub_detail(sdk_models.OnsGroupSubDetailRequest(group_id='GID_idle', instance_id=INSTANCE))
    assert (info.value.code, info.value.status_code) == ('BIZ_CONSUMER_NOT_ONLINE', 400)
