# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The control endpoint (/_emulator/...) and scenario timelines."""

import json
import os
import time

import pytest
import yaml

import emulator.server as emulator_server
from emulator_testlib import SCENARIOS, SECRET, control, freeze_rate_clock, scenario

GROUP = {'GroupId': 'GID_orders'}


def _versions(cli):
    conns = cli.request('OnsConsumerGetConnection', GROUP).json()['Data']['ConnectionList']['ConnectionDo']
    return sorted(c['Version'] for c in conns)


def _lag(cli):
    return cli.request('OnsConsumerAccumulate', GROUP).json()['Data']['TotalDiff']


# -- control endpoint -------------------------------------------------------------------------

def test_state_describes_the_scenario_with_secrets_masked(emulator):
    data = scenario(keys=[{'access_key_id': 'STS.Key', 'access_key_secret': 'TopSecret01', 'security_token': 'CAIS-tok'}])
    handle = emulator(data)
    status, state = control(handle.url, 'GET', '/_emulator/state')
    assert status == 200
    assert state['description'] == data['description'] and state['timeline_step'] == 0
    text = json.dumps(state)
    assert 'TopSecret01' not in text and 'CAIS-tok' not in text
    assert state['scenario']['keys'][0]['access_key_id'] == 'STS.Key'


def test_put_state_replaces_the_scenario_and_resets_counters(emulator, client_for):
    handle = emulator()
    cli = client_for(handle.url)
    assert cli.request('OnsConsumerGetConnection', {'GroupId': 'GID_new'}).code == 'BIZ_SUBSCRIPTION_NOT_FOUND'
    replacement = scenario(description='Replaced.')
    replacement['instances'][0]['groups'].append({'group_id': 'GID_new', 'clients': [{'client_addr': '10.1.1.1:1'}]})
    status, answer = control(handle.url, 'PUT', '/_emulator/state', yaml.safe_dump(replacement))
    assert (status, answer['ok'], answer['description']) == (200, True, 'Replaced.')
    assert control(handle.url, 'GET', '/_emulator/requests')[1]['total'] == 0
    assert cli.request('OnsConsumerGetConnection', {'GroupId': 'GID_new'}).status == 200


def test_put_state_accepts_json(emulator, client_for):
    handle = emulator()
    status, _answer = control(handle.url, 'PUT', '/_emulator/state', json.dumps(scenario(description='As JSON.')))
    assert status == 200
    assert control(handle.url, 'GET', '/_emulator/state')[1]['description'] == 'As JSON.'


def test_put_state_can_keep_counters(emulator, client_for):
    handle = emulator()
    cli = client_for(handle.url)
    cli.request('OnsConsumerGetConnection', GROUP, sign_overrides={'x-acs-signature-nonce': 'kept'})
    control(handle.url, 'PUT', '/_emulator/state?keep_counters=true', yaml.safe_dump(scenario()))
    assert control(handle.url, 'GET', '/_emulator/requests')[1]['total'] == 1
    assert cli.request('OnsConsumerGetConnection', GROUP, sign_overrides={'x-acs-signature-nonce': 'kept'}).code == 'SignatureNonceUsed'


def test_invalid_put_state_names_the_path_and_keeps_the_old_scenario(emulator):
    handle = emulator()
    bad = scenario()
    bad['instances'][0]['groups'][0]['clients'][0]['versoin'] = 'V4'
    status, answer = control(handle.url, 'PUT', '/_emulator/state', yaml.safe_dump(bad))
    assert status == 400
    assert 'instances[0].groups[0].clients[0].versoin: unknown key' in answer['error']
    assert control(handle.url, 'GET', '/_emulator/state')[1]['description'] == scenario()['description']
    status, answer = control(handle.url, 'PUT', '/_emulator/state', 'description: [unclosed')
    assert status == 400 and 'not valid YAML' in answer['error']


def test_requests_log_counts_and_lists_recent_requests(emulator, client_for):
    handle = emulator()
    cli = client_for(handle.url)
    cli.request('OnsConsumerGetConnection', GROUP)
    cli.request('OnsConsumerStatus', GROUP)
    cli.request('OnsConsumerStatus', {'GroupId': 'GID_none'})
    client_for(handle.url, key_id='LTAI5tNobody').request('OnsConsumerStatus', GROUP)
    _status, log = control(handle.url, 'GET', '/_emulator/requests?last=2')
    assert log['total'] == 4
    assert log['by_action'] == {'OnsConsumerGetConnection': 1, 'OnsConsumerStatus': 2, '-': 1}
    assert log['by_access_key_id'] == {'LTAI5tEmulatorDemoKey01': 3, 'LTAI5tNobody': 1}
    assert log['by_code']['BIZ_SUBSCRIPTION_NOT_FOUND'] == 1 and log['by_code']['OK'] == 2
    assert [(r['action'], r['status'], r['code']) for r in log['requests']] == [
        ('OnsConsumerStatus', 400, 'BIZ_SUBSCRIPTION_NOT_FOUND'), (None, 404, 'InvalidAccessKeyId.NotFound')]
    assert log['requests'][0]['params'] == {'GroupId': 'GID_none'}


def test_reset_clears_log_nonces_buckets_and_fault_counters(emulator, client_for):
    handle = emulator(scenario(limits={'rate': 1}, faults=[{'kind': 'throttle', 'times': 1, 'action': 'OnsConsumerStatus'}]))
    freeze_rate_clock(handle)
    cli = client_for(handle.url)
    assert cli.request('OnsConsumerGetConnection', GROUP, sign_overrides={'x-acs-signature-nonce': 'once'}).status == 200
    assert cli.request('OnsConsumerGetConnection', GROUP).code == 'Throttling.User'
    assert cli.request('OnsConsumerStatus', GROUP).code == 'Throttling.User'
    assert control(handle.url, 'POST', '/_emulator/reset') == (200, {'ok': True})
    assert control(handle.url, 'GET', '/_emulator/requests')[1]['total'] == 0
    assert cli.request('OnsConsumerGetConnection', GROUP, sign_overrides={'x-acs-signature-nonce': 'once'}).status == 200
    assert cli.request('OnsConsumerStatus', GROUP).code == 'Throttling.User'


def test_control_endpoint_needs_no_signature_and_rejects_unknown_routes(emulator):
    handle = emulator()
    assert control(handle.url, 'GET', '/_emulator/health') == (200, {'ok': True})
    assert control(handle.url, 'GET', '/_emulator/nothing')[0] == 404
    assert control(handle.url, 'DELETE', '/_emulator/state')[0] == 404


@pytest.mark.parametrize('address, expected', [
    ('127.0.0.1', True), ('127.10.0.3', True), ('::1', True), ('::ffff:127.0.0.1', True),
    ('10.0.0.1', False), ('192.168.1.20', False), ('::ffff:10.0.0.1', False), ('fe80::1%eth0', False), ('not-an-ip', False),
])
def test_is_loopback(address, expected):
    assert emulator_server.is_loopback(address) is expected


def test_control_endpoint_refuses_non_loopback_clients(emulator, monkeypatch):
    handle = emulator()
    # The emulator only listens on loopback here, so stand in for a remote peer.
    monkeypatch.setattr(emulator_server, 'is_loopback', lambda address: False)
    status, answer = control(handle.url, 'GET', '/_emulator/state')
    assert status == 403 and 'loopback' in answer['error']
    assert SECRET not in json.dumps(answer)


# -- timeline ---------------------------------------------------------------------------------

def test_rollout_completes_moves_through_its_timeline(emulator, client_for):
    handle = emulator(os.path.join(SCENARIOS, 'rollout_completes.yml'), rate_limit=0)
    cli = client_for(handle.url)
    assert _versions(cli) == ['V4_9_4', 'V4_9_4', 'V5_1_0', 'V5_1_0'] and _lag(cli) == 200
    # The scenario's steps are at 10 s and 20 s.
    control(handle.url, 'POST', '/_emulator/advance?seconds=10')
    assert _versions(cli) == ['V4_9_4', 'V5_1_0', 'V5_1_0', 'V5_1_0'] and _lag(cli) == 80
    control(handle.url, 'POST', '/_emulator/advance?seconds=10')
    assert _versions(cli) == ['V5_1_0'] * 4 and _lag(cli) == 0
    assert control(handle.url, 'GET', '/_emulator/state')[1]['timeline_step'] == 2


def test_timeline_follows_the_real_clock(emulator, client_for):
    data = scenario(timeline=[{'at': 0.3, 'groups': {'GID_orders': {'clients': []}}}])
    cli = client_for(emulator(data).url)
    assert cli.request('OnsConsumerGetConnection', GROUP).status == 200
    time.sleep(0.4)
    assert cli.request('OnsConsumerGetConnection', GROUP).code == 'BIZ_CONSUMER_NOT_ONLINE'


def test_put_state_restarts_the_timeline_clock(emulator, client_for):
    data = scenario(timeline=[{'at': 5, 'groups': {'GID_orders': {'clients': []}}}])
    handle = emulator(data)
    cli = client_for(handle.url)
    control(handle.url, 'POST', '/_emulator/advance?seconds=10')
    assert cli.request('OnsConsumerGetConnection', GROUP).code == 'BIZ_CONSUMER_NOT_ONLINE'
    control(handle.url, 'PUT', '/_emulator/state', yaml.safe_dump(data))
    assert cli.request('OnsConsumerGetConnection', GROUP).status == 200


def test_timeline_changes_topics_messages_and_faults(emulator, client_for):
    data = scenario(timeline=[{'at': 1, 'topics': {'orders': {'max_offset': 2000}},
                               'messages': [{'msg_id': 'MSG_LATE', 'topic': 'orders', 'offset': 1999}],
                               'faults': [{'kind': 'service_unavailable', 'action': 'OnsConsumerStatus'}]}])
    handle = emulator(data)
    cli = client_for(handle.url)
    assert _lag(cli) == 100
    control(handle.url, 'POST', '/_emulator/advance?seconds=1')
    assert _lag(cli) == 1100
    assert cli.request('OnsMessageTrace', {'Topic': 'orders', 'MsgId': 'MSG_LATE'}).status == 200
    assert cli.request('OnsMessageTrace', {'Topic': 'orders', 'MsgId': 'MSG_CONSUMED'}).code == 'BIZ_NO_MESSAGE'
    assert cli.request('OnsConsumerStatus', GROUP).code == 'ServiceUnavailable'


def test_negative_advance_is_refused(emulator):
    handle = emulator()
    assert control(handle.url, 'POST', '/_emulator/advance?seconds=-1')[0] == 400


def test_state_with_yaml_timestamps_is_served_as_json(emulator):
    handle = emulator()
    text = yaml.safe_dump(scenario(description='Timestamps.')) + ''
    text = text.replace('keys:\n', 'keys:\n- access_key_id: STS.K\n  access_key_secret: s\n  security_token: t\n  expires: 2099-01-01T00:00:00Z\n', 1)
    assert control(handle.url, 'PUT', '/_emulator/state', text)[0] == 200
    status, state = control(handle.url, 'GET', '/_emulator/state')
    assert status == 200 and '2099-01-01' in str(state['scenario']['keys'][0]['expires'])


def test_fault_times_span_timeline_steps_that_keep_the_faults(emulator, client_for):
    data = scenario(faults=[{'kind': 'throttle', 'times': 1}], timeline=[{'at': 1, 'topics': {'orders': {'max_offset': 1500}}}])
    handle = emulator(data)
    cli = client_for(handle.url)
    assert cli.request('OnsConsumerGetConnection', GROUP).code == 'Throttling.User'
    control(handle.url, 'POST', '/_emulator/advance?seconds=1')
    assert cli.request('OnsConsumerGetConnection', GROUP).status == 200
