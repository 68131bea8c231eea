# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The RocketMQ 5.x API (2022-08-01, ROA) beside ONS: routing, signatures, envelopes, the
operations and the figures they derive, paging, RAM, limits, faults and timelines."""

import copy
import http.client
import json
import os
import re
import time
from urllib.parse import urlsplit

import pytest

from emulator_testlib import (INSTANCE, INSTANCE_5X, KEY_ID, ROOT, SECRET, control, freeze_rate_clock, group_path, scenario,
                              scenario_5x)
from emulator import signing
from emulator.client import roa_path
from emulator.rocketmq5 import OPERATIONS

ARN_PREFIX = 'acs:rocketmq:cn-hangzhou:1234567890123456:'
GATEWAY_FIELDS = ['Code', 'HostId', 'Message', 'Recommend', 'RequestId']
BUSINESS_FIELDS = ['code', 'dynamicCode', 'dynamicMessage', 'httpStatusCode', 'message', 'requestId', 'success']
PAGE = {'pageNumber': 1, 'pageSize': 10}


@pytest.fixture
def v5(emulator, client_for):
    """v5(data=None, **start options) -> (handle, client) on the 5.x test scenario."""
    def _open(data=None, **options):
        options.setdefault('rate_limit', 0)
        handle = emulator(data if data is not None else scenario_5x(), **options)
        return handle, client_for(handle.url)
    return _open


def _ok(resp):
    assert resp.status == 200, resp.body
    body = resp.json()
    assert (body['success'], body['code'], body['httpStatusCode']) == (True, 'Success', 200)
    return body['data']


def _business_error(resp, status, code):
    body = resp.json()
    assert (resp.status, body['code'], body['httpStatusCode'], body['success']) == (status, code, status, False), resp.body
    assert sorted(body) == BUSINESS_FIELDS
    return body


def _gateway_error(resp, status, code):
    body = resp.json()
    assert (resp.status, body.get('Code')) == (status, code), resp.body
    assert sorted(k for k in body if k != 'AccessDeniedDetail') == GATEWAY_FIELDS
    assert body['HostId'] == 'rocketmq.cn-hangzhou.aliyuncs.com'
    return body


def _raw(url, method, path, headers):
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request(method, path, headers=headers)
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read().decode('utf-8'))
    finally:
        conn.close()


def _lag(cli, group='GID_orders', **query):
    return _ok(cli.roa('GetConsumerGroupLag', group_path(group, '/lag'), query))


# -- routing and envelopes --------------------------------------------------------------------

def test_success_envelope_is_camel_case_with_the_request_id_header(v5):
    _handle, cli = v5()
    resp = cli.roa('GetInstance', '/instances/%s' % INSTANCE_5X)
    body = resp.json()
    assert sorted(body) == ['code', 'data', 'httpStatusCode', 'message', 'requestId', 'success']
    assert (body['code'], body['message']) == ('Success', 'operation success.')
    assert resp.headers['x-acs-request-id'] == body['requestId']


@pytest.mark.parametrize('action, path', [
    ('GetConsumerGroupLag', '/instances/%s' % INSTANCE_5X),
    ('GetInstance', group_path('GID_orders', '/lag')),
    ('OnsConsumerStatus', group_path('GID_orders')),
])
def test_action_must_name_the_operation_of_the_path(v5, action, path):
    _handle, cli = v5()
    body = _gateway_error(cli.roa(action, path), 404, 'InvalidApi.NotFound')
    assert action in body['Message']


@pytest.mark.parametrize('method, path', [
    ('GET', '/instances/%s/brokers' % INSTANCE_5X),
    ('GET', group_path('GID_orders', '/lag/more')),
    ('POST', '/instances'),
    ('DELETE', '/instances/%s' % INSTANCE_5X),
])
def test_a_path_or_method_no_operation_has_is_not_found(v5, method, path):
    _handle, cli = v5()
    _gateway_error(cli.roa('GetInstance', path, method=method), 404, 'InvalidApi.NotFound')


def test_a_path_with_the_ons_version_is_an_ons_request(v5):
    _handle, cli = v5()
    resp = cli.roa('GetInstance', '/instances/%s' % INSTANCE_5X, version='2019-02-14')
    assert (resp.status, resp.code, resp.json()['HostId']) == (404, 'InvalidApi.NotFound', 'ons.cn-hangzhou.aliyuncs.com')


def test_an_unsigned_5x_request_is_incomplete(v5):
    handle, _cli = v5()
    status, body = _raw(handle.url, 'GET', '/instances?pageNumber=1&pageSize=10', {'x-acs-version': '2022-08-01', 'x-acs-action': 'ListInstances'})
    assert (status, body['Code'], body['HostId']) == (400, 'IncompleteSignature', 'rocketmq.cn-hangzhou.aliyuncs.com')


def test_each_api_serves_only_its_own_instances(v5):
    _handle, cli = v5()
    body = _business_error(cli.roa('GetInstance', '/instances/%s' % INSTANCE), 404, 'Instance.NotFound')
    assert (body['dynamicCode'], body['dynamicMessage']) == ('instanceId', 'The instance %s cannot be found.' % INSTANCE)
    _business_error(cli.roa('GetConsumerGroupLag', group_path('GID_orders', '/lag', INSTANCE)), 404, 'Instance.NotFound')
    assert [r['instanceId'] for r in _ok(cli.roa('ListInstances', '/instances', PAGE))['list']] == [INSTANCE_5X]
    assert cli.request('OnsInstanceBaseInfo', {'InstanceId': INSTANCE_5X}).code == 'INSTANCE_NOT_FOUND'
    assert cli.request('OnsConsumerStatus', {'GroupId': 'GID_orders', 'InstanceId': INSTANCE_5X}).code == 'INSTANCE_NOT_FOUND'
    assert cli.request('OnsConsumerGetConnection', {'GroupId': 'GID_mixed'}).code == 'BIZ_SUBSCRIPTION_NOT_FOUND'
    # GID_orders exists in both: without InstanceId, ONS finds its own
    assert cli.request('OnsConsumerStatus', {'GroupId': 'GID_orders'}).json()['Data']['InstanceId'] == INSTANCE
    instances = cli.request('OnsInstanceInServiceList', {}).json()['Data']['InstanceVO']
    assert [i['InstanceId'] for i in instances] == [INSTANCE]


def test_requests_are_logged_with_product_operation_and_path_parameters(v5):
    handle, cli = v5()
    _lag(cli, topicName='orders')
    cli.request('OnsConsumerStatus', {'GroupId': 'GID_orders'})
    first, second = handle.state.log.snapshot(2)['requests']
    assert (first['product'], first['action'], first['signature']) == ('RocketMQ', 'GetConsumerGroupLag', 'v3')
    assert first['params'] == {'instanceId': INSTANCE_5X, 'consumerGroupId': 'GID_orders', 'topicName': 'orders'}
    assert (second['product'], second['action']) == ('Ons', 'OnsConsumerStatus')


# -- signatures -------------------------------------------------------------------------------

def test_wrong_secret_does_not_match_and_hides_both_secrets(v5, client_for):
    handle, _cli = v5()
    resp = client_for(handle.url, secret='WrongSecretValue123').roa('GetInstance', '/instances/%s' % INSTANCE_5X)
    body = _gateway_error(resp, 400, 'SignatureDoesNotMatch')
    assert SECRET not in resp.body.decode() and 'WrongSecretValue123' not in resp.body.decode()
    # the server's string to sign covers the canonical URI, so the path is part of what is signed
    assert 'string to sign' in body['Message']


def test_a_path_changed_after_signing_does_not_match(v5):
    handle, _cli = v5()
    netloc = urlsplit(handle.url).netloc
    headers = signing.sign_v3('GET', netloc, group_path('GID_orders', '/lag'), {}, 'GetConsumerGroupLag', '2022-08-01', KEY_ID, SECRET)
    status, body = _raw(handle.url, 'GET', group_path('GID_idle', '/lag'), headers)
    assert (status, body['Code']) == (400, 'SignatureDoesNotMatch')


def _odd_group_scenario():
    data = scenario_5x()
    data['instances'][1]['groups'].append({'group_id': 'GID_a%b c/d~e*', 'offsets': {'orders': 990}})
    return data


def test_names_with_reserved_characters_travel_percent_encoded_per_segment(v5):
    _handle, cli = v5(_odd_group_scenario())
    path = roa_path('instances', INSTANCE_5X, 'consumerGroups', 'GID_a%b c/d~e*', 'lag')
    assert path.endswith('/GID_a%25b%20c%2Fd~e%2A/lag')
    assert _ok(cli.roa('GetConsumerGroupLag', path))['consumerGroupId'] == 'GID_a%b c/d~e*'


def test_a_path_signed_plain_verifies_when_sent_encoded(v5):
    handle, _cli = v5()
    netloc = urlsplit(handle.url).netloc
    headers = signing.sign_v3('GET', netloc, group_path('GID_orders', '/lag'), {}, 'GetConsumerGroupLag', '2022-08-01', KEY_ID, SECRET)
    status, body = _raw(handle.url, 'GET', group_path('GID%5Forders', '/lag'), headers)
    assert (status, body['data']['consumerGroupId']) == (200, 'GID_orders')


@pytest.mark.parametrize('space', ['+', '%20'])
def test_query_spaces_verify_as_plus_and_as_percent_20(v5, space):
    _handle, cli = v5()
    data = _ok(cli.roa('ListConsumerGroups', '/instances/%s/consumerGroups' % INSTANCE_5X, dict(PAGE, filter='no such/group'), space=space))
    assert data['totalCount'] == 0


def _vector_scenario():
    """The reference vector's key, instance, group and topic, and a clock skew that lets its 2024 date pass."""
    data = scenario(keys=[{'access_key_id': 'YourAccessKeyId', 'access_key_secret': 'YourAccessKeySecret'}],
                    signature={'max_skew_seconds': 10 ** 10})
    data['instances'] = [{'instance_id': 'rmq-cn-2r42vrvde0j', 'topics': [{'topic': 'normal topic/1', 'max_offset': 10}],
                          'groups': [{'group_id': 'GID_test', 'offsets': {'normal topic/1': 4}}]}]
    return data


@pytest.mark.parametrize('query', ['topicName=normal+topic%2F1', 'topicName=normal%20topic%2F1'])
def test_the_reference_vector_verifies_end_to_end(v5, query):
    handle, _cli = v5(_vector_scenario())
    headers = {
        'host': 'rocketmq.cn-hangzhou.aliyuncs.com', 'x-acs-action': 'GetConsumerGroupLag', 'x-acs-version': '2022-08-01',
        'x-acs-date': '2024-01-02T03:04:05Z', 'x-acs-signature-nonce': '0123456789abcdef0123456789abcdef',
        'x-acs-content-sha256': signing.EMPTY_SHA256,
        'Authorization': 'ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;'
                         'x-acs-signature-nonce;x-acs-version,Signature=65b78fde5cb22433e0b08750426bd4662cce133b7423dbb9e08c0321b416b6b0',
    }
    path = '/instances/rmq-cn-2r42vrvde0j/consumerGroups/GID_test/lag?' + query
    status, body = _raw(handle.url, 'GET', path, headers)
    assert status == 200, body
    assert body['data']['topicLagMap']['normal topic/1']['readyCount'] + body['data']['topicLagMap']['normal topic/1']['inflightCount'] == 6
    # the same signed request again: its nonce is used
    status, body = _raw(handle.url, 'GET', path, headers)
    assert (status, body['Code']) == (400, 'SignatureNonceUsed')


# -- paging -----------------------------------------------------------------------------------

def _many_instances(count):
    data = scenario()
    data['instances'] = [{'instance_id': 'rmq-cn-page%07d' % i, 'series_code': 'standard' if i % 2 else 'ultimate',
                          'tags': {'team': 'a' if i % 3 else 'b'}} for i in range(count)]
    return data


def _all_pages(cli, action, path, size, **query):
    rows, number = [], 1
    while True:
        data = _ok(cli.roa(action, path, dict(query, pageNumber=number, pageSize=size)))
        rows.extend(data['list'])
        if number * data['pageSize'] >= data['totalCount']:
            return rows, data['totalCount']
        number += 1


def test_list_instances_pages_and_a_client_must_follow_the_pages(v5):
    _handle, cli = v5(_many_instances(25))
    first = _ok(cli.roa('ListInstances', '/instances', {'pageNumber': 1, 'pageSize': 10}))
    assert (first['pageNumber'], first['pageSize'], first['totalCount'], len(first['list'])) == (1, 10, 25, 10)
    third = _ok(cli.roa('ListInstances', '/instances', {'pageNumber': 3, 'pageSize': 10}))
    assert [r['instanceId'] for r in third['list']] == ['rmq-cn-page%07d' % i for i in range(20, 25)]
    rows, total = _all_pages(cli, 'ListInstances', '/instances', 10)
    assert total == 25 and [r['instanceId'] for r in rows] == ['rmq-cn-page%07d' % i for i in range(25)]
    assert _ok(cli.roa('ListInstances', '/instances', {'pageNumber': 4, 'pageSize': 10}))['list'] == []


@pytest.mark.parametrize('number, size, expected', [(0, 10, (1, 10)), (1, 5, (1, 10)), (1, 500, (1, 200)), (-3, 20, (1, 20))])
def test_out_of_range_page_numbers_and_sizes_are_clamped(v5, number, size, expected):
    _handle, cli = v5(_many_instances(25))
    data = _ok(cli.roa('ListInstances', '/instances', {'pageNumber': number, 'pageSize': size}))
    assert (data['pageNumber'], data['pageSize']) == expected
    assert len(data['list']) == min(25, expected[1])


def test_list_consumer_groups_pages_at_most_one_hundred(v5):
    data = scenario_5x()
    data['instances'][1]['groups'] = [{'group_id': 'GID_%03d' % i} for i in range(130)]
    data['instances'][1]['messages'] = []
    _handle, cli = v5(data)
    path = '/instances/%s/consumerGroups' % INSTANCE_5X
    page = _ok(cli.roa('ListConsumerGroups', path, {'pageNumber': 1, 'pageSize': 1000}))
    assert (page['pageSize'], page['totalCount'], len(page['list'])) == (100, 130, 100)
    rows, total = _all_pages(cli, 'ListConsumerGroups', path, 25)
    assert total == 130 and len(set(r['consumerGroupId'] for r in rows)) == 130
    assert _ok(cli.roa('ListConsumerGroups', path, dict(PAGE, filter='GID_12')))['totalCount'] == 10


@pytest.mark.parametrize('action, path', [('ListInstances', '/instances'), ('ListConsumerGroups', '/instances/%s/consumerGroups' % INSTANCE_5X),
                                          ('ListTopics', '/instances/%s/topics' % INSTANCE_5X)])
def test_list_operations_need_page_number_and_size(v5, action, path):
    _handle, cli = v5()
    body = _business_error(cli.roa(action, path, {'pageSize': 10}), 400, 'MissingPageNumber')
    assert (body['message'], body['dynamicCode']) == ('Parameter pageNumber is mandatory for this action .', 'pageNumber')
    _business_error(cli.roa(action, path, {'pageNumber': 1}), 400, 'MissingPageSize')
    _gateway_error(cli.roa(action, path, {'pageNumber': 'one', 'pageSize': 10}), 400, 'InvalidParameter')


# -- instances and topics ---------------------------------------------------------------------

def test_list_instances_filters(v5):
    _handle, cli = v5(_many_instances(12))

    def ids(**query):
        return [r['instanceId'][-2:] for r in _ok(cli.roa('ListInstances', '/instances', dict(PAGE, pageSize=100, **query)))['list']]

    assert ids(filter='page000001') == ['10', '11']
    assert ids(filter='PAGE0000003') == ['03']
    assert ids(seriesCodes='ultimate') == ['00', '02', '04', '06', '08', '10']
    assert ids(seriesCodes='standard,ultimate') == ids()
    assert ids(tags=json.dumps([{'key': 'team', 'value': 'b'}])) == ['00', '03', '06', '09']
    assert ids(tags=json.dumps([{'key': 'team'}])) == ids()
    assert ids(tags=json.dumps([{'key': 'owner'}])) == []
    _gateway_error(cli.roa('ListInstances', '/instances', dict(PAGE, tags='team=b')), 400, 'InvalidParameter')


def test_instance_rows_and_details(v5):
    _handle, cli = v5()
    row = _ok(cli.roa('ListInstances', '/instances', PAGE))['list'][0]
    assert (row['instanceName'], row['seriesCode'], row['subSeriesCode'], row['status']) == ('test-5x', 'ultimate', 'cluster_ha', 'RUNNING')
    assert (row['topicCount'], row['groupCount'], row['tags'], row['productInfo']['traceOn']) == (2, 3, [{'key': 'env', 'value': 'test'}], True)
    assert re.match(r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$', row['createTime'])
    info = _ok(cli.roa('GetInstance', '/instances/%s' % INSTANCE_5X))
    # the listing's createTime is the last version update, its startTime the creation; GetInstance's createTime is the creation
    assert row['startTime'] < row['createTime'] and info['createTime'] == info['startTime'] == row['startTime']
    assert dict((k, info[k]) for k in row if k not in ('productInfo', 'createTime')) == dict(
        (k, row[k]) for k in row if k not in ('productInfo', 'createTime'))
    assert dict((k, info['productInfo'][k]) for k in row['productInfo']) == row['productInfo']
    assert [e['endpointType'] for e in info['networkInfo']['endpoints']] == ['TCP_VPC', 'TCP_INTERNET']
    assert info['networkInfo']['endpoints'][0]['endpointUrl'] == '%s-vpc.cn-hangzhou.rmq.aliyuncs.com:8080' % INSTANCE_5X
    quotas = dict((q['quotaName'], q) for q in info['instanceQuotas'])
    assert (quotas['TOPIC_COUNT']['usedCount'], quotas['TOPIC_COUNT']['totalCount']) == (2.0, 50.0)
    assert info['software']['softwareVersion']


def test_instance_times_come_from_the_scenario_and_released_instances_are_listed_as_released(v5):
    data = scenario_5x()
    data['instances'][1].update({'create_time': '2024-01-02T03:04:05Z', 'version_time': '2025-06-07T08:09:10Z'})
    data['instances'].append({'instance_id': 'rmq-cn-gone0000001', 'status': 'RELEASED', 'release_time': '2025-01-01T00:00:00Z'})
    _handle, cli = v5(data)
    rows = dict((r['instanceId'], r) for r in _ok(cli.roa('ListInstances', '/instances', PAGE))['list'])
    assert (rows[INSTANCE_5X]['startTime'], rows[INSTANCE_5X]['createTime']) == ('2024-01-02 03:04:05', '2025-06-07 08:09:10')
    assert _ok(cli.roa('GetInstance', '/instances/%s' % INSTANCE_5X))['createTime'] == '2024-01-02 03:04:05'
    assert (rows['rmq-cn-gone0000001']['status'], rows['rmq-cn-gone0000001']['releaseTime']) == ('RELEASED', '2025-01-01 00:00:00')


def test_topics_list_and_get(v5):
    _handle, cli = v5()
    path = '/instances/%s/topics' % INSTANCE_5X
    rows = _ok(cli.roa('ListTopics', path, PAGE))['list']
    assert [(r['topicName'], r['messageType']) for r in rows] == [('orders', 'NORMAL'), ('payments', 'FIFO')]
    assert [r['topicName'] for r in _ok(cli.roa('ListTopics', path, dict(PAGE, messageTypes='FIFO,DELAY')))['list']] == ['payments']
    assert _ok(cli.roa('GetTopic', path + '/orders')) == rows[0]
    _business_error(cli.roa('GetTopic', path + '/nope'), 404, 'Topic.NotFound')


# -- groups, connections, subscriptions -------------------------------------------------------

def test_consumer_group_rows_and_retry_policy(v5):
    _handle, cli = v5()
    row = _ok(cli.roa('ListConsumerGroups', '/instances/%s/consumerGroups' % INSTANCE_5X, PAGE))['list'][0]
    assert (row['consumerGroupId'], row['messageModel'], row['status'], row['instanceId']) == ('GID_orders', 'CLUSTERING', 'RUNNING', INSTANCE_5X)
    group = _ok(cli.roa('GetConsumerGroup', group_path('GID_orders')))
    assert (group['deliveryOrderType'], group['consumeRetryPolicy']) == ('Concurrently', {'retryPolicy': 'DefaultRetryPolicy', 'maxRetryTimes': 16})
    mixed = _ok(cli.roa('GetConsumerGroup', group_path('GID_mixed')))
    assert mixed['deliveryOrderType'] == 'Orderly'
    assert mixed['consumeRetryPolicy'] == {'retryPolicy': 'FixedRetryPolicy', 'maxRetryTimes': 16, 'fixedIntervalRetryTime': 10,
                                           'deadLetterTargetTopic': 'DLQ_mixed'}
    body = _business_error(cli.roa('GetConsumerGroup', group_path('GID_nope')), 404, 'ConsumerGroup.NotFound')
    assert (body['dynamicCode'], body['dynamicMessage']) == ('consumerGroupId', 'The consumer group GID_nope cannot be found.')
    assert group['exclusive'] is False and 'maxReceiveTps' not in group and 'topicName' not in group


def test_a_5x_group_is_clustering_or_lite_selective_and_broadcasting_only_on_its_clients(v5):
    data = scenario_5x()
    groups = data['instances'][1]['groups']
    groups[0].update({'message_model': 'BROADCASTING', 'max_receive_tps': -1})
    groups[2].update({'message_model': 'LITE_SELECTIVE', 'topic_name': 'orders', 'exclusive': True, 'max_receive_tps': 500})
    _handle, cli = v5(data)
    rows = dict((r['consumerGroupId'], r) for r in _ok(cli.roa('ListConsumerGroups', '/instances/%s/consumerGroups' % INSTANCE_5X, PAGE))['list'])
    assert dict((gid, row['messageModel']) for gid, row in rows.items()) == {
        'GID_orders': 'CLUSTERING', 'GID_idle': 'CLUSTERING', 'GID_mixed': 'LITE_SELECTIVE'}
    assert (rows['GID_orders']['maxReceiveTps'], rows['GID_mixed']['maxReceiveTps'], rows['GID_mixed']['topicName']) == (-1, 500, 'orders')
    assert 'exclusive' not in rows['GID_mixed']
    lite = _ok(cli.roa('GetConsumerGroup', group_path('GID_mixed')))
    assert (lite['messageModel'], lite['topicName'], lite['exclusive'], lite['maxReceiveTps']) == ('LITE_SELECTIVE', 'orders', True, 500)
    assert _ok(cli.roa('GetConsumerGroup', group_path('GID_orders')))['messageModel'] == 'CLUSTERING'
    # the broadcasting clients say so on their connections and subscriptions
    connections = _ok(cli.roa('ListConsumerConnections', group_path('GID_orders', '/connections')))['connections']
    assert {c['messageModel'] for c in connections} == {'BROADCASTING'}
    assert {s['messageModel'] for s in _ok(cli.roa('ListConsumerGroupSubscriptions', group_path('GID_orders', '/subscriptions')))} == {
        'BROADCASTING'}


def test_lite_selective_is_a_model_of_5x_groups_only(v5):
    from emulator.scenario import ScenarioError
    data = scenario_5x()
    data['instances'][0]['groups'][0]['message_model'] = 'LITE_SELECTIVE'
    with pytest.raises(ScenarioError, match=r'instances\[0\]\.groups\[0\]\.message_model: LITE_SELECTIVE is a model of 5\.x groups'):
        v5(data)


def test_connections_list_every_client_with_5x_fields(v5):
    _handle, cli = v5()
    data = _ok(cli.roa('ListConsumerConnections', group_path('GID_orders', '/connections')))
    assert (data['consumerGroupId'], data['instanceId'], data['regionId']) == ('GID_orders', INSTANCE_5X, 'cn-hangzhou')
    first, second = data['connections']
    assert first == {'clientId': '10.0.7.5@3301#1#2#1730000000000', 'hostname': 'orders-abc-1', 'egressIp': '47.96.1.5', 'language': 'java',
                     'version': '5.0.7', 'messageModel': 'CLUSTERING'}
    assert (second['language'], second['version'], second['egressIp']) == ('golang', '5.0.5', '10.0.7.6')
    assert second['hostname'].startswith('orders-') and second['clientId'].startswith('10.0.7.6@')


def test_connections_of_a_topic_and_of_an_offline_group(v5):
    _handle, cli = v5()
    mixed = group_path('GID_mixed', '/connections')
    assert len(_ok(cli.roa('ListConsumerConnections', mixed, {'topicName': 'payments'}))['connections']) == 1
    # no client online is no error
    assert _ok(cli.roa('ListConsumerConnections', group_path('GID_idle', '/connections')))['connections'] == []
    _business_error(cli.roa('ListConsumerConnections', mixed, {'topicName': 'nope'}), 404, 'Topic.NotFound')


def test_subscriptions_are_judged_per_topic(v5):
    _handle, cli = v5()

    def rows(group, **query):
        return [(r['topicName'], r['filterExpression'], r['subscriptionStatus'], r['consistency'])
                for r in _ok(cli.roa('ListConsumerGroupSubscriptions', group_path(group, '/subscriptions'), query))]

    assert rows('GID_orders') == [('orders', 'created || paid', 'ONLINE', True)]
    # different expressions on orders (the broker keeps the last client's); payments lacks a client
    assert rows('GID_mixed') == [('orders', 'created', 'ONLINE', False), ('payments', '*', 'ONLINE', False)]
    assert rows('GID_mixed', topicName='payments') == [('payments', '*', 'ONLINE', False)]
    # an offline group: OFFLINE, nothing inconsistent, no error
    assert rows('GID_idle') == [('payments', '*', 'OFFLINE', True)]
    row = _ok(cli.roa('ListConsumerGroupSubscriptions', group_path('GID_orders', '/subscriptions')))[0]
    assert (row['filterExpressionType'], row['messageModel'], row['topicCreated'], row['consumerGroupId']) == ('TAG', 'CLUSTERING', True, 'GID_orders')


def test_subscription_of_a_topic_lists_each_client(v5):
    _handle, cli = v5()
    data = _ok(cli.roa('GetConsumerGroupSubscription', group_path('GID_mixed', '/subscriptions/orders')))
    assert [(d['connectionDTO']['clientId'][:8], d['subscriptionDTO']['filterExpression']) for d in data] == [('10.0.8.5', '*'), ('10.0.8.6', 'created')]
    assert data[0]['subscriptionDTO'] == {'consumerGroupId': 'GID_mixed', 'topicName': 'orders', 'filterExpression': '*',
                                          'filterExpressionType': 'TAG', 'messageModel': 'CLUSTERING', 'subscriptionStatus': 'ONLINE'}
    assert _ok(cli.roa('GetConsumerGroupSubscription', group_path('GID_idle', '/subscriptions/payments'))) == []
    _business_error(cli.roa('GetConsumerGroupSubscription', group_path('GID_idle', '/subscriptions/nope')), 404, 'Topic.NotFound')


# -- lag --------------------------------------------------------------------------------------

def test_lag_is_ready_plus_inflight_and_agrees_with_ons(v5):
    data = scenario_5x()
    # the same group and offsets on the 4.x instance: ONS and 5.x must tell the same lag
    data['instances'][0]['groups'][0]['offsets'] = {'orders': 900}
    _handle, cli = v5(data)
    lag = _lag(cli)
    orders = lag['topicLagMap']['orders']
    # two clients with 20 consume threads each hold 40 messages; 60 are ready
    assert (orders['readyCount'], orders['inflightCount'], orders['deliveryDuration']) == (60, 40, 10)
    assert lag['totalLag'] == orders and lag['liteTopicLagMap'] == {} and 'topicName' not in lag
    ons = cli.request('OnsConsumerAccumulate', {'GroupId': 'GID_orders', 'InstanceId': INSTANCE}).json()['Data']
    assert (ons['TotalDiff'], ons['DelayTime'] // 1000) == (orders['readyCount'] + orders['inflightCount'], orders['deliveryDuration'])
    assert abs(ons['LastTimestamp'] - orders['lastConsumeTimestamp']) < 5000


def test_a_forced_last_consume_timestamp_may_be_minus_one(v5):
    data = scenario_5x()
    data['instances'][1]['groups'][0]['last_consume_timestamp'] = -1
    _handle, cli = v5(data)
    lag = _lag(cli)
    assert lag['totalLag']['lastConsumeTimestamp'] == -1 and lag['topicLagMap']['orders']['lastConsumeTimestamp'] == -1


def test_lag_of_one_topic_and_explicit_inflight(v5):
    data = scenario_5x()
    data['instances'][1]['groups'][0]['inflight'] = {'orders': 7}
    _handle, cli = v5(data)
    lag = _lag(cli, topicName='orders')
    assert lag['topicName'] == 'orders' and (lag['totalLag']['readyCount'], lag['totalLag']['inflightCount']) == (93, 7)
    mixed = _lag(cli, 'GID_mixed')
    assert sorted(mixed['topicLagMap']) == ['orders', 'payments'] and mixed['totalLag']['readyCount'] == 0
    _business_error(cli.roa('GetConsumerGroupLag', group_path('GID_orders', '/lag'), {'topicName': 'nope'}), 404, 'Topic.NotFound')


def test_an_offline_group_has_nothing_inflight_and_its_delivery_duration_grows(v5):
    data = scenario_5x()
    data['instances'][1]['groups'][1]['stalled_for'] = 30
    handle, cli = v5(data)
    before = _lag(cli, 'GID_idle')['totalLag']
    # 100 behind at 5 messages/s, stalled for 30 s already: 20 + 30 s
    assert (before['readyCount'], before['inflightCount']) == (100, 0) and before['deliveryDuration'] in (50, 51)
    consuming = _lag(cli)['totalLag']['deliveryDuration']
    control(handle.url, 'POST', '/_emulator/advance?seconds=45')
    after = _lag(cli, 'GID_idle')['totalLag']
    assert after['deliveryDuration'] - before['deliveryDuration'] in (45, 46)
    assert after['lastConsumeTimestamp'] == before['lastConsumeTimestamp']
    # a group that consumes keeps pace
    assert _lag(cli)['totalLag']['deliveryDuration'] == consuming


def test_timeline_stalls_a_group_and_its_figures_follow(v5):
    data = scenario_5x(timeline=[{'at': 5, 'instance_id': INSTANCE_5X, 'groups': {'GID_orders': {'clients': []}}}])
    handle, cli = v5(data)
    assert len(_ok(cli.roa('ListConsumerConnections', group_path('GID_orders', '/connections')))['connections']) == 2
    control(handle.url, 'POST', '/_emulator/advance?seconds=5')
    assert _ok(cli.roa('ListConsumerConnections', group_path('GID_orders', '/connections')))['connections'] == []
    subs = _ok(cli.roa('ListConsumerGroupSubscriptions', group_path('GID_orders', '/subscriptions')))
    assert [(s['topicName'], s['subscriptionStatus']) for s in subs] == [('orders', 'OFFLINE')]
    stalled = _lag(cli)['totalLag']
    assert (stalled['readyCount'], stalled['inflightCount']) == (100, 0)
    control(handle.url, 'POST', '/_emulator/advance?seconds=20')
    assert _lag(cli)['totalLag']['deliveryDuration'] - stalled['deliveryDuration'] in (20, 21)


# -- traces -----------------------------------------------------------------------------------

def _trace(cli, msg_id, topic='orders', **query):
    return _ok(cli.roa('GetTrace', '/instances/%s/topics/%s/traces/%s' % (INSTANCE_5X, topic, msg_id), query))


def _statuses(cli, msg_id, topic='orders'):
    return dict((i['consumerGroupId'], i['consumeStatus']) for i in _trace(cli, msg_id, topic)['consumerInfos'])


@pytest.mark.parametrize('vocabulary, consumed, failed', [('published', 'SUCCESS', 'FAILED'), ('legacy', 'CONSUME_SUCCESS', 'CONSUME_FAILED')])
def test_trace_consume_statuses_follow_offsets_filters_and_dead_letters(v5, vocabulary, consumed, failed):
    _handle, cli = v5(scenario_5x(trace_vocabulary=vocabulary))
    assert _statuses(cli, 'RMQ_CONSUMED') == {'GID_orders': consumed, 'GID_mixed': consumed}
    # both expressions exclude the tag: 5.x filters on the server, no group gets the message
    assert _statuses(cli, 'RMQ_FILTERED') == {}
    assert _statuses(cli, 'RMQ_INFLIGHT') == {'GID_orders': 'CONSUMING'}
    assert _statuses(cli, 'RMQ_PENDING') == {'GID_orders': 'NOT_CONSUMED'}
    assert _statuses(cli, 'RMQ_DEAD') == {'GID_orders': failed, 'GID_mixed': consumed}
    assert _statuses(cli, 'RMQ_ODD') == {'GID_orders': 'SOMETHING_NEW', 'GID_mixed': consumed}
    # consumed before its clients left
    assert _statuses(cli, 'RMQ_PAYMENT', 'payments') == {'GID_idle': consumed, 'GID_mixed': consumed}
    records = _trace(cli, 'RMQ_DEAD')['consumerInfos']
    assert [[r['consumeStatus'] for r in info['records']] for info in records] == [[failed], [consumed]]


@pytest.mark.parametrize('vocabulary, produced, source', [('published', 'SUCCESS', 'CONSOLE'), ('legacy', 'SEND_SUCCESS', 'NORMAL')])
def test_the_producer_record_speaks_the_scenarios_vocabulary(v5, vocabulary, produced, source):
    _handle, cli = v5(scenario_5x(trace_vocabulary=vocabulary))
    record = _trace(cli, 'RMQ_CONSUMED')['producerInfo']['records'][0]
    assert (record['produceStatus'], record['messageSource']) == (produced, source)


def test_a_forced_failed_status_is_a_failed_delivery(v5):
    data = scenario_5x()
    data['instances'][1]['messages'][0]['consume_status'] = {'GID_mixed': 'FAILED'}
    _handle, cli = v5(data)
    infos = dict((i['consumerGroupId'], i) for i in _trace(cli, 'RMQ_CONSUMED')['consumerInfos'])
    assert (infos['GID_orders']['consumeStatus'], infos['GID_mixed']['consumeStatus'], infos['GID_mixed']['deadMessage']) == (
        'SUCCESS', 'FAILED', False)
    assert [o['operateType'] for o in infos['GID_mixed']['records'][0]['operations']] == ['Receive', 'Nack']


def _scheduled(**message):
    data = scenario_5x()
    data['instances'][1]['messages'].append(dict({'msg_id': 'RMQ_LATER', 'topic': 'orders', 'tag': 'created', 'offset': 860}, **message))
    return data


def test_a_scheduled_message_has_no_consumer_until_it_is_due(v5):
    handle, cli = v5(_scheduled(deliver_in=120))
    trace = _trace(cli, 'RMQ_LATER')
    assert trace['consumerInfos'] == []
    broker = trace['brokerInfo']
    assert (broker['delayStatus'], [o['operateType'] for o in broker['operations']]) == ('WAITING', ['ADD'])
    assert re.match(r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$', broker['presetDelayTime'])
    control(handle.url, 'POST', '/_emulator/advance?seconds=121')
    trace = _trace(cli, 'RMQ_LATER')
    assert (trace['brokerInfo']['delayStatus'], _statuses(cli, 'RMQ_LATER')) == ('SUCCESS', {'GID_orders': 'SUCCESS', 'GID_mixed': 'SUCCESS'})
    # delivered after its preset time
    received = trace['consumerInfos'][0]['records'][0]['operations'][0]['operateTime']
    assert received >= broker['presetDelayTime']
    assert 'brokerInfo' not in _trace(cli, 'RMQ_CONSUMED')


def test_a_scheduled_message_takes_its_time_or_its_delay_not_both_and_its_status_may_be_forced(v5):
    from emulator.scenario import ScenarioError
    _handle, cli = v5(_scheduled(deliver_at='2099-01-01T00:00:00Z', delay_status='SOMETHING'))
    broker = _trace(cli, 'RMQ_LATER')['brokerInfo']
    assert (broker['delayStatus'], broker['presetDelayTime']) == ('SOMETHING', '2099-01-01 00:00:00')
    with pytest.raises(ScenarioError, match=r'messages\[7\]: give deliver_at or deliver_in, not both'):
        v5(_scheduled(deliver_at='2099-01-01T00:00:00Z', deliver_in=5))


def test_get_trace_finds_only_a_message_stored_within_its_window(v5):
    data = scenario_5x()
    data['instances'][1]['messages'][0]['store_timestamp'] = '2030-01-01T00:00:00.500Z'
    _handle, cli = v5(data)
    assert _trace(cli, 'RMQ_CONSUMED', startTime='2030-01-01 00:00:00', endTime='2030-01-01 00:00:00')['messageInfo']['storeTime'] == (
        '2030-01-01 00:00:00')
    assert _trace(cli, 'RMQ_CONSUMED', startTime='2029-12-31 00:00:00')['messageInfo']['messageId'] == 'RMQ_CONSUMED'
    path = '/instances/%s/topics/orders/traces/RMQ_CONSUMED' % INSTANCE_5X
    for window in ({'startTime': '2030-01-01 00:00:01'}, {'endTime': '2029-12-31 23:59:59'},
                   {'startTime': '2029-01-01 00:00:00', 'endTime': '2029-12-31 23:59:59'}):
        _business_error(cli.roa('GetTrace', path, window), 404, 'Message.NotFound')
    _gateway_error(cli.roa('GetTrace', path, {'startTime': '2030-01-02 00:00:00', 'endTime': '2030-01-01 00:00:00'}), 400, 'InvalidParameter')


def test_trace_records_and_dead_letter_details(v5):
    _handle, cli = v5()
    consumed = _trace(cli, 'RMQ_CONSUMED')['consumerInfos'][0]
    assert consumed['deadMessage'] is False and 'deadLetterInfo' not in consumed
    record = consumed['records'][0]
    assert record['consumeStatus'] == 'SUCCESS' and record['clientHost'] in ('orders-abc-1',) + tuple(
        c['hostname'] for c in _ok(cli.roa('ListConsumerConnections', group_path('GID_orders', '/connections')))['connections'])
    assert [o['operateType'] for o in record['operations']] == ['Receive', 'Ack']
    dead = _trace(cli, 'RMQ_DEAD')['consumerInfos'][0]
    assert (dead['deadMessage'], dead['deadLetterInfo']['topicName']) == (True, '%DLQ%GID_orders')
    assert dead['records'][0]['operations'][-1] == dict(dead['records'][0]['operations'][-1], operateType='ToDLQ', deadMessage=True)
    assert _trace(cli, 'RMQ_PENDING')['consumerInfos'][0]['records'] == []
    fifo = _trace(cli, 'RMQ_PAYMENT', 'payments')
    assert [i['records'][0]['fifoEnable'] for i in fifo['consumerInfos']] == [False, True]


def test_trace_message_and_producer_info(v5):
    _handle, cli = v5()
    trace = _trace(cli, 'RMQ_CONSUMED', startTime='2020-01-01 00:00:00', endTime='2099-01-01 00:00:00')
    info = trace['messageInfo']
    assert (info['messageId'], info['topicName'], info['messageTag'], info['messageKeys'], info['messageType']) == (
        'RMQ_CONSUMED', 'orders', 'created', ['order-1', 'order-2'], 'NORMAL')
    assert (info['bornHost'], info['storeHost']) == ('10.0.1.5', '11.193.10.12')
    assert trace['producerInfo']['records'][0]['produceStatus'] == 'SUCCESS'
    payment = _trace(cli, 'RMQ_PAYMENT', 'payments')['messageInfo']
    assert (payment['messageGroup'], payment['userProperties']) == ('customer-9', {'MESSAGE_GROUP': 'customer-9'})


def test_trace_errors(v5):
    _handle, cli = v5()
    base = '/instances/%s/topics/' % INSTANCE_5X
    _business_error(cli.roa('GetTrace', base + 'orders/traces/NOPE'), 404, 'Message.NotFound')
    _business_error(cli.roa('GetTrace', base + 'nope/traces/RMQ_CONSUMED'), 404, 'Topic.NotFound')
    _business_error(cli.roa('GetTrace', base + 'payments/traces/RMQ_CONSUMED'), 404, 'Message.NotFound')
    _gateway_error(cli.roa('GetTrace', base + 'orders/traces/RMQ_CONSUMED', {'startTime': '2024-01-01T00:00:00Z'}), 400, 'InvalidParameter')


def test_an_empty_path_segment_is_a_missing_parameter(v5):
    _handle, cli = v5()
    body = _business_error(cli.roa('GetConsumerGroupLag', '/instances//consumerGroups/GID_orders/lag'), 400, 'MissingInstanceId')
    assert body['dynamicCode'] == 'instanceId'


# -- ListMessages -----------------------------------------------------------------------------

# 2030-01-01 00:00:00.500 UTC: twelve dead letters of GID_mixed one second apart from it (listed
# newest first), and one of GID_idle, which shares the dead-letter topic, within second 5.
T5 = 1893456000500
DEAD = ['RMQ_DLQ_%02d' % i for i in range(12)]
DLQ_ORDER = DEAD[:6] + ['RMQ_DLQ_IDLE'] + DEAD[6:]


def _with_dead_letters():
    data = scenario_5x()
    groups = dict((g['group_id'], g) for g in data['instances'][1]['groups'])
    letters = [{'msg_id': msg_id, 'store_timestamp': T5 + 1000 * i} for i, msg_id in enumerate(DEAD)]
    letters[3].update({'topic': 'payments', 'keys': 'pay-3 refund-3', 'properties': {'MESSAGE_GROUP': 'customer-3'}, 'store_size': 512})
    groups['GID_mixed']['dead_letters'] = list(reversed(letters))
    groups['GID_idle'].update({'dead_letter_topic': 'DLQ_mixed', 'dead_letters': [{'msg_id': 'RMQ_DLQ_IDLE', 'store_timestamp': T5 + 5200}]})
    return data


def _messages(cli, topic='DLQ_mixed', **query):
    return _ok(cli.roa('ListMessages', '/instances/%s/topics/%s/messages' % (INSTANCE_5X, topic), query))


def _message_ids(data):
    return [row['messageId'] for row in data['list']]


def test_list_messages_lists_a_topics_messages_by_store_time(v5):
    _handle, cli = v5()
    data = _messages(cli, 'orders', **PAGE)
    # stored in the order of their offsets
    assert _message_ids(data) == ['RMQ_CONSUMED', 'RMQ_FILTERED', 'RMQ_DEAD', 'RMQ_ODD', 'RMQ_INFLIGHT', 'RMQ_PENDING']
    assert (data['pageNumber'], data['pageSize'], data['totalCount']) == (1, 10, 6)
    first = data['list'][0]
    assert (first['topicName'], first['messageType'], first['messageTag'], first['messageKeys']) == ('orders', 'NORMAL', 'created', ['order-1', 'order-2'])
    assert (first['instanceId'], first['regionId'], first['bornHost'], first['storeHost'], first['bodySize']) == (
        INSTANCE_5X, 'cn-hangzhou', '10.0.1.5', '11.193.10.12', 406)
    assert re.match(r'^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$', first['storeTime'])
    payment = _messages(cli, 'payments')['list'][0]
    assert (payment['messageGroup'], payment['userProperties']) == ('customer-9', {'MESSAGE_GROUP': 'customer-9'})


def test_list_messages_of_a_dead_letter_topic_lists_the_dead_letters_of_its_groups(v5):
    _handle, cli = v5(_with_dead_letters())
    data = _messages(cli, pageSize=100)
    assert _message_ids(data) == DLQ_ORDER and data['totalCount'] == 13
    first, moved = data['list'][0], data['list'][3]
    assert (first['topicName'], first['storeTime'], first['bornTime'], first['messageType']) == (
        'DLQ_mixed', '2030-01-01 00:00:00', '2030-01-01 00:00:00', 'NORMAL')
    # a dead letter keeps the type of the topic it was sent to
    assert (moved['topicName'], moved['messageType'], moved['messageGroup'], moved['messageKeys'], moved['bodySize']) == (
        'DLQ_mixed', 'FIFO', 'customer-3', ['pay-3', 'refund-3'], 512)
    # GetConsumerGroup names the topic to read
    assert _ok(cli.roa('GetConsumerGroup', group_path('GID_mixed')))['consumeRetryPolicy']['deadLetterTargetTopic'] == 'DLQ_mixed'


def test_list_messages_pages_with_the_scroll_id_of_the_first_page(v5):
    _handle, cli = v5(_with_dead_letters())
    first = _messages(cli, pageNumber=1, pageSize=10)
    scroll = first['scrollId']
    assert re.match(r'^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$', scroll)
    second = _messages(cli, pageNumber=2, pageSize=10, scrollId=scroll)
    assert (_message_ids(first), _message_ids(second)) == (DLQ_ORDER[:10], DLQ_ORDER[10:])
    assert (second['pageNumber'], second['totalCount'], second['scrollId']) == (2, 13, scroll)
    # a later page without the scrollId is accepted too
    assert _message_ids(_messages(cli, pageNumber=2, pageSize=10)) == DLQ_ORDER[10:]
    path = '/instances/%s/topics/DLQ_mixed/messages' % INSTANCE_5X
    other = _messages(cli, startTime='2030-01-01 00:00:03', **PAGE)['scrollId']
    for wrong in ('B13D0B07-F24B-4790-88D8-D47A38063D00', other):
        body = _gateway_error(cli.roa('ListMessages', path, {'pageNumber': 2, 'pageSize': 10, 'scrollId': wrong}), 400, 'InvalidParameter')
        assert '"scrollId"' in body['Message']


def test_list_messages_pages_by_default_as_the_paging_parameters_are_optional(v5):
    _handle, cli = v5(_with_dead_letters())
    data = _messages(cli)
    assert (data['pageNumber'], data['pageSize'], _message_ids(data)) == (1, 10, DLQ_ORDER[:10])


@pytest.mark.parametrize('window, expected', [
    ({'startTime': '2030-01-01 00:00:00', 'endTime': '2030-01-01 00:00:00'}, DEAD[:1]),
    ({'startTime': '2030-01-01 00:00:02', 'endTime': '2030-01-01 00:00:04'}, DEAD[2:5]),
    ({'startTime': '2030-01-01 00:00:05', 'endTime': '2030-01-01 00:00:05'}, ['RMQ_DLQ_05', 'RMQ_DLQ_IDLE']),
    ({'startTime': '2030-01-01 00:00:11'}, DEAD[11:]),
    ({'endTime': '2030-01-01 00:00:01'}, DEAD[:2]),
    ({'startTime': '2029-12-31 23:59:59', 'endTime': '2029-12-31 23:59:59'}, []),
])
def test_list_messages_window_includes_both_ends_to_the_second(v5, window, expected):
    _handle, cli = v5(_with_dead_letters())
    assert _message_ids(_messages(cli, pageSize=100, **window)) == expected


def test_list_messages_filters_by_message_id_and_key(v5):
    _handle, cli = v5(_with_dead_letters())
    assert _message_ids(_messages(cli, messageId='RMQ_DLQ_07')) == ['RMQ_DLQ_07']
    assert _message_ids(_messages(cli, messageKey='refund-3')) == ['RMQ_DLQ_03']
    assert _message_ids(_messages(cli, 'orders', messageKey='order-2')) == ['RMQ_CONSUMED']
    assert _messages(cli, messageId='NOPE')['list'] == []


def test_list_messages_errors(v5):
    _handle, cli = v5(_with_dead_letters())
    base = '/instances/%s/topics/' % INSTANCE_5X
    for query in ({'startTime': '2030-01-01 00:00:05', 'endTime': '2030-01-01 00:00:04'}, {'startTime': '2030-01-01T00:00:00Z'},
                  {'endTime': '2030-02-30 00:00:00'}):
        body = _gateway_error(cli.roa('ListMessages', base + 'DLQ_mixed/messages', query), 400, 'InvalidParameter')
        assert ('"%s"' % ('endTime' if 'endTime' in query else 'startTime')) in body['Message']
    _business_error(cli.roa('ListMessages', base + 'nope/messages'), 404, 'Topic.NotFound')
    # a group without dead_letter_topic has no dead-letter topic to read
    _business_error(cli.roa('ListMessages', base + '%25DLQ%25GID_orders/messages'), 404, 'Topic.NotFound')
    _business_error(cli.roa('ListMessages', '/instances/rmq-cn-nope/topics/orders/messages'), 404, 'Instance.NotFound')


# -- RAM --------------------------------------------------------------------------------------

LIMITED_KEY = 'LTAI5tLimitedKey0001'


@pytest.fixture
def limited(v5, client_for):
    """limited(actions=..., resources=...) -> a client signed by a key with those RAM grants."""
    def _open(actions=('*',), resources=('*',)):
        data = scenario_5x()
        data['keys'].append({'access_key_id': LIMITED_KEY, 'access_key_secret': SECRET, 'actions': list(actions), 'resources': list(resources)})
        handle, _cli = v5(data)
        return client_for(handle.url, key_id=LIMITED_KEY)
    return _open


def test_a_key_needs_the_operations_rocketmq_action(limited):
    cli = limited(actions=['rocketmq:GetConsumerGroupLag'])
    assert cli.roa('GetConsumerGroupLag', group_path('GID_orders', '/lag')).status == 200
    body = _gateway_error(cli.roa('ListConsumerConnections', group_path('GID_orders', '/connections')), 403, 'Forbidden.RAM')
    arn = ARN_PREFIX + 'instance/%s/consumergroup/GID_orders' % INSTANCE_5X
    assert 'rocketmq:ListConsumerConnections' in body['Message'] and arn in body['Message']
    detail = body['AccessDeniedDetail']
    assert (detail['AuthAction'], detail['NoPermissionType'], detail['AuthPrincipalOwnerId']) == (
        'rocketmq:ListConsumerConnections', 'ImplicitDeny', '1234567890123456')


def test_each_api_needs_its_own_actions(limited):
    ons_only = limited(actions=['mq:*'])
    assert ons_only.request('OnsConsumerStatus', {'GroupId': 'GID_orders'}).status == 200
    _gateway_error(ons_only.roa('GetConsumerGroupLag', group_path('GID_orders', '/lag')), 403, 'Forbidden.RAM')
    v5_only = limited(actions=['rocketmq:Get*', 'rocketmq:List*'])
    assert v5_only.roa('GetConsumerGroupLag', group_path('GID_orders', '/lag')).status == 200
    assert v5_only.request('OnsConsumerStatus', {'GroupId': 'GID_orders'}).code == 'Forbidden.RAM'


@pytest.mark.parametrize('resources, allowed', [
    (['acs:rocketmq:*:*:instance/%s/consumergroup/GID_orders' % INSTANCE_5X], True),
    (['acs:rocketmq:cn-hangzhou:1234567890123456:instance/%s/*' % INSTANCE_5X], True),
    (['acs:*:*:*:instance/*/consumergroup/GID_*'], True),
    ([INSTANCE_5X], True),
    (['GID_orders'], True),
    (['acs:rocketmq:*:*:instance/%s' % INSTANCE_5X], False),
    (['acs:mq:*:*:%s' % INSTANCE_5X, 'acs:mq:*:*:*'], False),
    (['acs:rocketmq:*:*:instance/%s/consumergroup/GID_idle' % INSTANCE_5X], False),
    (['rmq-cn-other'], False),
])
def test_group_operations_check_the_group_arn(limited, resources, allowed):
    resp = limited(resources=resources).roa('GetConsumerGroupLag', group_path('GID_orders', '/lag'))
    assert resp.status == (200 if allowed else 403), resp.body


def test_list_operations_check_the_wildcard_resource_and_filter_instances(limited):
    path = '/instances/%s/consumerGroups' % INSTANCE_5X
    assert limited(resources=['GID_orders']).roa('ListConsumerGroups', path, PAGE).status == 403
    assert limited(resources=['acs:rocketmq:*:*:instance/%s/consumergroup/*' % INSTANCE_5X]).roa('ListConsumerGroups', path, PAGE).status == 200
    topics = limited(resources=['acs:rocketmq:*:*:instance/%s/topic/orders' % INSTANCE_5X])
    assert topics.roa('GetTrace', '/instances/%s/topics/orders/traces/RMQ_CONSUMED' % INSTANCE_5X).status == 200
    assert topics.roa('ListTopics', '/instances/%s/topics' % INSTANCE_5X, PAGE).status == 403


@pytest.mark.parametrize('resources, allowed', [
    (['acs:rocketmq:*:*:instance/*'], True),
    (['acs:rocketmq:cn-hangzhou:1234567890123456:instance/*'], True),
    (['*'], True),
    (['acs:rocketmq:*:*:instance/%s' % INSTANCE_5X], False),
    (['acs:rocketmq:*:*:instance/%s/*' % INSTANCE_5X], False),
    (['acs:rocketmq:*:*:instance/rmq-*'], False),
    ([INSTANCE_5X], False),
])
def test_list_instances_is_authorised_on_every_instance_and_lists_them_all(limited, resources, allowed):
    resp = limited(actions=['rocketmq:ListInstances'], resources=resources).roa('ListInstances', '/instances', PAGE)
    if allowed:
        # the rows are not filtered by the instances the policy names
        assert [row['instanceId'] for row in _ok(resp)['list']] == [INSTANCE_5X]
    else:
        body = _gateway_error(resp, 403, 'Forbidden.RAM')
        assert body['AccessDeniedDetail']['AuthAction'] == 'rocketmq:ListInstances' and ARN_PREFIX + 'instance/*.' in body['Message']


def test_statements_allow_list_instances_on_every_instance_and_the_rest_on_one(v5, client_for):
    data = scenario_5x()
    data['keys'].append({'access_key_id': LIMITED_KEY, 'access_key_secret': SECRET, 'statements': [
        {'actions': ['rocketmq:ListInstances'], 'resources': ['acs:rocketmq:*:*:instance/*']},
        {'actions': ['rocketmq:GetInstance', 'rocketmq:GetConsumerGroupLag'],
         'resources': ['acs:rocketmq:*:*:instance/%s' % INSTANCE_5X, 'acs:rocketmq:*:*:instance/%s/consumergroup/*' % INSTANCE_5X]}]})
    handle, _cli = v5(data)
    cli = client_for(handle.url, key_id=LIMITED_KEY)
    assert [row['instanceId'] for row in _ok(cli.roa('ListInstances', '/instances', PAGE))['list']] == [INSTANCE_5X]
    assert cli.roa('GetInstance', '/instances/%s' % INSTANCE_5X).status == 200
    assert cli.roa('GetConsumerGroupLag', group_path('GID_orders', '/lag')).status == 200
    # GetInstance is not allowed on instance/* by the statement that allows ListInstances there
    body = _gateway_error(cli.roa('GetInstance', '/instances/rmq-cn-other'), 403, 'Forbidden.RAM')
    assert body['AccessDeniedDetail']['AuthAction'] == 'rocketmq:GetInstance'


def test_list_messages_needs_its_action_on_the_topic_it_lists(limited):
    path = '/instances/%s/topics/DLQ_mixed/messages' % INSTANCE_5X
    body = _gateway_error(limited(actions=['rocketmq:GetTrace', 'rocketmq:GetTopic']).roa('ListMessages', path), 403, 'Forbidden.RAM')
    assert body['AccessDeniedDetail']['AuthAction'] == 'rocketmq:ListMessages'
    assert ARN_PREFIX + 'instance/%s/topic/DLQ_mixed' % INSTANCE_5X in body['Message']
    assert limited(actions=['rocketmq:ListMessages'], resources=['acs:rocketmq:*:*:instance/%s/topic/DLQ_*' % INSTANCE_5X]).roa(
        'ListMessages', path).status == 200
    assert limited(resources=['acs:rocketmq:*:*:instance/%s/topic/orders' % INSTANCE_5X]).roa('ListMessages', path).status == 403


def test_readme_5x_ram_table_matches_the_operations():
    with open(os.path.join(ROOT, 'emulator', 'README.md'), encoding='utf-8') as handle:
        rows = dict(re.findall(r'^\| (\w+) \| `(rocketmq:\w+)` \|', handle.read(), re.M))
    assert rows == dict((name, op.ram_action) for name, op in OPERATIONS.items())


# -- limits and faults ------------------------------------------------------------------------

def test_default_limit_is_ten_per_second_per_account_and_operation_with_400_as_on_ons(v5):
    data = scenario_5x()
    del data['limits']
    handle, cli = v5(data, rate_limit=None)
    freeze_rate_clock(handle)
    path = group_path('GID_orders', '/lag')
    resps = [cli.roa('GetConsumerGroupLag', path) for _attempt in range(12)]
    assert [r.status for r in resps] == [200] * 10 + [400] * 2
    body = _gateway_error(resps[-1], 400, 'Throttling.User')
    assert 'GetConsumerGroupLag' in body['Message'] and int(resps[-1].headers['x-acs-retry-after']) >= 1
    # another operation, and ONS, have their own buckets
    assert cli.roa('ListConsumerConnections', group_path('GID_orders', '/connections')).status == 200
    assert cli.request('OnsConsumerStatus', {'GroupId': 'GID_orders'}).status == 200


def test_per_operation_limits_apply_to_5x_operations(v5):
    handle, cli = v5(scenario_5x(limits={'rate': 0, 'actions': {'GetTrace': 2}}), rate_limit=None)
    freeze_rate_clock(handle)
    path = '/instances/%s/topics/orders/traces/RMQ_CONSUMED' % INSTANCE_5X
    assert [cli.roa('GetTrace', path).status for _attempt in range(3)] == [200, 200, 400]
    assert cli.roa('GetConsumerGroupLag', group_path('GID_orders', '/lag')).status == 200


@pytest.mark.parametrize('kind, status, code', [('internal_error', 500, 'InternalError'), ('service_unavailable', 503, 'ServiceUnavailable'),
                                                ('throttle', 400, 'Throttling.User')])
def test_error_faults_answer_the_gateway_envelope(v5, kind, status, code):
    _handle, cli = v5(scenario_5x(faults=[{'kind': kind, 'action': 'GetConsumerGroupLag', 'retry_after': 1500}]))
    resp = cli.roa('GetConsumerGroupLag', group_path('GID_orders', '/lag'))
    _gateway_error(resp, status, code)
    assert resp.headers.get('x-acs-retry-after') == ('1500' if kind == 'throttle' else None)
    assert cli.roa('ListConsumerConnections', group_path('GID_orders', '/connections')).status == 200


def test_faults_match_path_parameters(v5):
    _handle, cli = v5(scenario_5x(faults=[{'kind': 'internal_error', 'params': {'consumerGroupId': 'GID_idle'}}]))
    assert cli.roa('GetConsumerGroupLag', group_path('GID_orders', '/lag')).status == 200
    assert cli.roa('GetConsumerGroupLag', group_path('GID_idle', '/lag')).status == 500


def test_broken_answer_faults_apply_to_5x_requests(v5):
    handle, cli = v5(scenario_5x(faults=[{'kind': 'truncate', 'times': 1, 'action': 'GetInstance'},
                                         {'kind': 'latency', 'latency': 0.3, 'action': 'GetTopic'}]))
    resp = cli.roa('GetInstance', '/instances/%s' % INSTANCE_5X)
    assert resp.status == 200 and resp.headers['connection'] == 'close'
    with pytest.raises(ValueError):
        resp.json()
    assert cli.roa('GetInstance', '/instances/%s' % INSTANCE_5X).status == 200
    started = time.monotonic()
    assert cli.roa('GetTopic', '/instances/%s/topics/orders' % INSTANCE_5X).status == 200
    assert time.monotonic() - started >= 0.3
    assert handle.state.log.snapshot(3)['requests'][0]['fault'] == 'truncate'


def test_a_badly_signed_request_uses_up_no_fault(v5, client_for):
    handle, cli = v5(scenario_5x(faults=[{'kind': 'internal_error', 'times': 1}]))
    assert client_for(handle.url, secret='wrong').roa('GetInstance', '/instances/%s' % INSTANCE_5X).status == 400
    assert cli.roa('GetInstance', '/instances/%s' % INSTANCE_5X).status == 500
    assert cli.roa('GetInstance', '/instances/%s' % INSTANCE_5X).status == 200


def test_put_state_can_switch_a_group_between_instances(v5):
    handle, cli = v5()
    data = copy.deepcopy(scenario_5x())
    data['instances'][1]['groups'][0]['clients'] = []
    assert control(handle.url, 'PUT', '/_emulator/state', json.dumps(data))[0] == 200
    assert _ok(cli.roa('ListConsumerConnections', group_path('GID_orders', '/connections')))['connections'] == []
