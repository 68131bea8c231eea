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
