# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared constants and helpers of the emulator tests (fixtures live in conftest.py)."""

import copy
import http.client
import json
import os
from urllib.parse import urlsplit

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCENARIOS = os.path.join(ROOT, 'emulator', 'scenarios')
KEY_ID = 'LTAI5tEmulatorDemoKey01'
SECRET = 'EmulatorDemoSecretNotForProduction01'
INSTANCE = 'MQ_INST_1234567890_DEMO'

BASE = {
    'description': 'Test scenario: one instance, one online group, one offline group.',
    'region': 'cn-hangzhou',
    'keys': [{'access_key_id': KEY_ID, 'access_key_secret': SECRET}],
    'limits': {'rate': 0},
    'instances': [{
        'instance_id': INSTANCE,
        'instance_name': 'demo',
        'tags': {'env': 'demo'},
        'topics': [{'topic': 'orders', 'max_offset': 1000}, {'topic': 'payments', 'max_offset': 500, 'produce_tps': 5}],
        'groups': [
            {'group_id': 'GID_orders', 'tags': {'app': 'orders'}, 'offsets': {'orders': 900},
             'clients': [
                 {'client_id': '10.0.1.5@2231#1839465112#-1257238912#1730000000000', 'client_addr': '10.0.1.5:53012', 'version': 'V4_9_4',
                  'subscriptions': [{'topic': 'orders', 'expression': 'created || paid'}]},
                 {'client_addr': '10.0.1.6:53020', 'version': 'V5_1_0', 'language': 'GO',
                  'subscriptions': [{'topic': 'orders', 'expression': 'created || paid'}]},
            ]},
            {'group_id': 'GID_idle', 'group_type': 'http', 'tags': {'app': 'idle'}, 'offsets': {'payments': 400}, 'clients': []},
        ],
        'messages': [
            {'msg_id': 'MSG_CONSUMED', 'topic': 'orders', 'tag': 'created', 'offset': 850},
            {'msg_id': 'MSG_FILTERED', 'topic': 'orders', 'tag': 'cancelled', 'offset': 860},
            {'msg_id': 'MSG_PENDING', 'topic': 'orders', 'tag': 'paid', 'offset': 950},
            {'msg_id': 'MSG_PAYMENT', 'topic': 'payments', 'tag': 'paid', 'offset': 300, 'keys': 'pay-1',
             'properties': {'CUSTOM': 'yes'}},
        ],
    }],
}


def scenario(**changes):
    """A deep copy of the base test scenario with top-level keys replaced."""
    data = copy.deepcopy(BASE)
    data.update(copy.deepcopy(changes))
    return data


def freeze_rate_clock(handle):
    """Stop the request limiter's clock: buckets no longer refill, so counts are exact."""
    handle.state.rate_clock = lambda: 1000.0


def control(url, method, path, body=None):
    """Call the control endpoint; return (status, parsed JSON)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        data = body.encode('utf-8') if isinstance(body, str) else body
        conn.request(method, path, body=data)
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read().decode('utf-8'))
    finally:
        conn.close()


# -- RocketMQ 5.x -----------------------------------------------------------------------------

INSTANCE_5X = 'rmq-cn-test0000001'

BASE_5X_INSTANCE = {
    'instance_id': INSTANCE_5X,
    'instance_name': 'test-5x',
    'series_code': 'ultimate',
    'tags': {'env': 'test'},
    'topics': [{'topic': 'orders', 'max_offset': 1000}, {'topic': 'payments', 'max_offset': 500, 'produce_tps': 5, 'message_type': 'FIFO'}],
    'groups': [
        # online, 100 behind; two clients with 20 consume threads each: 40 inflight, 60 ready
        {'group_id': 'GID_orders', 'offsets': {'orders': 900}, 'clients': [
            {'client_id': '10.0.7.5@3301#1#2#1730000000000', 'client_addr': '10.0.7.5:53012', 'hostname': 'orders-abc-1',
             'egress_ip': '47.96.1.5', 'subscriptions': [{'topic': 'orders', 'expression': 'created || paid'}]},
            {'client_addr': '10.0.7.6:53020', 'version': '5.0.5', 'language': 'golang',
             'subscriptions': [{'topic': 'orders', 'expression': 'created || paid'}]}]},
        # no client: offline and stalled, 100 behind on payments
        {'group_id': 'GID_idle', 'offsets': {'payments': 400}, 'clients': []},
        # clients that disagree: different expressions on orders, only one subscribes to payments
        {'group_id': 'GID_mixed', 'delivery_order_type': 'Orderly', 'dead_letter_topic': 'DLQ_mixed', 'clients': [
            {'client_addr': '10.0.8.5:53012', 'subscriptions': [{'topic': 'orders', 'expression': '*'}, {'topic': 'payments', 'expression': '*'}]},
            {'client_addr': '10.0.8.6:53012', 'subscriptions': [{'topic': 'orders', 'expression': 'created'}]}]},
    ],
    'messages': [
        {'msg_id': 'RMQ_CONSUMED', 'topic': 'orders', 'tag': 'created', 'offset': 850, 'keys': 'order-1 order-2'},
        {'msg_id': 'RMQ_FILTERED', 'topic': 'orders', 'tag': 'cancelled', 'offset': 860},
        {'msg_id': 'RMQ_INFLIGHT', 'topic': 'orders', 'tag': 'paid', 'offset': 910},
        {'msg_id': 'RMQ_PENDING', 'topic': 'orders', 'tag': 'paid', 'offset': 950},
        {'msg_id': 'RMQ_DEAD', 'topic': 'orders', 'tag': 'created', 'offset': 870, 'dead_letters': ['GID_orders']},
        {'msg_id': 'RMQ_ODD', 'topic': 'orders', 'tag': 'created', 'offset': 880, 'consume_status': {'GID_orders': 'SOMETHING_NEW'}},
        {'msg_id': 'RMQ_PAYMENT', 'topic': 'payments', 'tag': 'paid', 'offset': 300, 'properties': {'MESSAGE_GROUP': 'customer-9'}},
    ],
}


def scenario_5x(**changes):
    """The base test scenario (its 4.x instance) plus a 5.x instance, top-level keys replaced."""
    data = copy.deepcopy(BASE)
    data['instances'].append(copy.deepcopy(BASE_5X_INSTANCE))
    data.update(copy.deepcopy(changes))
    return data


def group_path(group, suffix='', instance=INSTANCE_5X):
    """The 5.x path of a group of the test instance, e.g. group_path('GID_orders', '/lag')."""
    return '/instances/%s/consumerGroups/%s%s' % (instance, group, suffix)
