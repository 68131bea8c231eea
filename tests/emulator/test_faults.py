# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault injection: every kind, matching, times, rates and seeds."""

import http.client
import json
import time

import pytest
import yaml

from emulator_testlib import control, scenario
from emulator.faults import parse_fault_spec
from emulator.scenario import ScenarioError

GROUP = {'GroupId': 'GID_orders'}


def _with_faults(faults, seed=0):
    return scenario(faults=faults, seed=seed)


@pytest.mark.parametrize('kind, status, code', [
    ('internal_error', 500, 'InternalError'),
    ('service_unavailable', 503, 'ServiceUnavailable'),
    ('throttle', 400, 'Throttling.User'),
    ('flow_control', 400, 'ONS_SYSTEM_FLOW_CONTROL'),
])
def test_error_faults_answer_the_error_envelope(emulator, client_for, kind, status, code):
    resp = client_for(emulator(_with_faults([{'kind': kind}])).url).request('OnsConsumerGetConnection', GROUP)
    assert (resp.status, resp.code) == (status, code)
    assert sorted(resp.json()) == ['Code', 'HostId', 'Message', 'Recommend', 'RequestId']


def test_error_fault_status_code_and_message_can_be_overridden(emulator, client_for):
    fault = {'kind': 'internal_error', 'status': 504, 'code': 'ONS_SYSTEM_ERROR', 'message': 'backend timed out'}
    resp = client_for(emulator(_with_faults([fault])).url).request('OnsConsumerGetConnection', GROUP)
    assert (resp.status, resp.code, resp.json()['Message']) == (504, 'ONS_SYSTEM_ERROR', 'backend timed out')


def test_times_limits_a_fault_to_the_first_matching_requests(emulator, client_for):
    cli = client_for(emulator(_with_faults([{'kind': 'throttle', 'times': 3}])).url)
    codes = [cli.request('OnsConsumerGetConnection', GROUP).code for _attempt in range(5)]
    assert codes == ['Throttling.User'] * 3 + [None] * 2


def test_fault_matches_by_action_and_parameters(emulator, client_for):
    fault = {'kind': 'service_unavailable', 'action': ['OnsConsumerGetConnection'], 'params': {'GroupId': 'GID_ord*'}}
    cli = client_for(emulator(_with_faults([fault])).url)
    assert cli.request('OnsConsumerGetConnection', GROUP).code == 'ServiceUnavailable'
    assert cli.request('OnsConsumerStatus', GROUP).status == 200
    assert cli.request('OnsConsumerGetConnection', {'GroupId': 'GID_idle'}).code == 'BIZ_CONSUMER_NOT_ONLINE'


def test_fault_matches_by_access_key(emulator, client_for):
    cli = client_for(emulator(_with_faults([{'kind': 'throttle', 'access_key_id': 'LTAI5tSomeoneElse'}])).url)
    assert cli.request('OnsConsumerGetConnection', GROUP).status == 200


def test_badly_signed_requests_do_not_use_up_a_fault(emulator, client_for):
    handle = emulator(_with_faults([{'kind': 'throttle', 'times': 1}]))
    assert client_for(handle.url, secret='wrong').request('OnsConsumerGetConnection', GROUP).code == 'SignatureDoesNotMatch'
    assert client_for(handle.url).request('OnsConsumerGetConnection', GROUP).code == 'Throttling.User'


def _pattern(handle, client_for, count=40):
    cli = client_for(handle.url)
    return [cli.request('OnsConsumerGetConnection', GROUP).code for _attempt in range(count)]


def test_rate_with_a_seed_is_deterministic(emulator, client_for):
    faults = [{'kind': 'internal_error', 'rate': 0.5}]
    first = _pattern(emulator(_with_faults(faults, seed=42)), client_for)
    second = _pattern(emulator(_with_faults(faults, seed=42)), client_for)
    other = _pattern(emulator(_with_faults(faults, seed=43)), client_for)
    assert first == second
    assert first != other
    assert 5 < first.count('InternalError') < 35


def test_reset_restarts_the_fault_sequence(emulator, client_for):
    handle = emulator(_with_faults([{'kind': 'internal_error', 'rate': 0.5}], seed=5))
    first = _pattern(handle, client_for, 20)
    control(handle.url, 'POST', '/_emulator/reset')
    assert _pattern(handle, client_for, 20) == first


def test_seed_option_overrides_the_scenario_seed(emulator, client_for):
    faults = [{'kind': 'internal_error', 'rate': 0.5}]
    assert _pattern(emulator(_with_faults(faults, seed=1), seed=42), client_for) == _pattern(emulator(_with_faults(faults, seed=42)), client_for)


def test_zero_rate_never_fires(emulator, client_for):
    assert set(_pattern(emulator(_with_faults([{'kind': 'drop', 'rate': 0}])), client_for, 10)) == {None}


def test_latency_delays_the_answer(emulator, client_for):
    cli = client_for(emulator(_with_faults([{'kind': 'latency', 'latency': 0.3}])).url)
    started = time.monotonic()
    assert cli.request('OnsConsumerGetConnection', GROUP).status == 200
    assert time.monotonic() - started >= 0.3


def test_latency_combines_with_an_error_fault(emulator, client_for):
    cli = client_for(emulator(_with_faults([{'kind': 'latency', 'latency': [0.2, 0.25]}, {'kind': 'service_unavailable'}])).url)
    started = time.monotonic()
    assert cli.request('OnsConsumerGetConnection', GROUP).code == 'ServiceUnavailable'
    assert time.monotonic() - started >= 0.2


def test_drop_closes_the_connection_without_an_answer(emulator, client_for):
    handle = emulator(_with_faults([{'kind': 'drop', 'times': 1}]))
    cli = client_for(handle.url)
    with pytest.raises((http.client.HTTPException, ConnectionError)):
        cli.request('OnsConsumerGetConnection', GROUP)
    assert cli.request('OnsConsumerGetConnection', GROUP).status == 200
    _status, log = control(handle.url, 'GET', '/_emulator/requests')
    assert [r['fault'] for r in log['requests']] == ['drop', None]


def test_truncate_sends_half_a_json_body(emulator, client_for):
    cli = client_for(emulator(_with_faults([{'kind': 'truncate', 'times': 1}])).url)
    broken = cli.request('OnsConsumerGetConnection', GROUP)
    whole = cli.request('OnsConsumerGetConnection', GROUP)
    assert broken.status == 200
    with pytest.raises(ValueError):
        json.loads(broken.body)
    assert whole.json()['Data']
    assert 0 < len(broken.body) < len(whole.body)
    assert broken.body.startswith(b'{"RequestId": "')


def test_non_json_body(emulator, client_for):
    resp = client_for(emulator(_with_faults([{'kind': 'non_json'}])).url).request('OnsConsumerGetConnection', GROUP)
    assert resp.status == 200 and resp.headers['content-type'] == 'text/plain'
    with pytest.raises(ValueError):
        resp.json()


def test_html_502_page_as_a_proxy_sends_it(emulator, client_for):
    resp = client_for(emulator(_with_faults([{'kind': 'html_502'}])).url).request('OnsConsumerGetConnection', GROUP)
    assert (resp.status, resp.headers['content-type']) == (502, 'text/html')
    assert b'502 Bad Gateway' in resp.body


def test_slow_body_trickles_a_complete_answer(emulator, client_for):
    fault = {'kind': 'slow_body', 'chunk_size': 100, 'chunk_delay': 0.05}
    cli = client_for(emulator(_with_faults([fault])).url)
    started = time.monotonic()
    resp = cli.request('OnsConsumerGetConnection', GROUP)
    elapsed = time.monotonic() - started
    chunks = -(-len(resp.body) // 100)
    assert resp.json()['Data']['ConnectionList']
    assert chunks >= 3 and elapsed >= 0.05 * (chunks - 1)


def test_extra_faults_from_the_command_line_survive_a_scenario_change(emulator, client_for):
    handle = emulator(faults=[{'kind': 'throttle', 'action': 'OnsConsumerStatus'}])
    control(handle.url, 'PUT', '/_emulator/state', yaml.safe_dump(scenario(description='replaced')))
    cli = client_for(handle.url)
    assert cli.request('OnsConsumerStatus', GROUP).code == 'Throttling.User'
    assert cli.request('OnsConsumerGetConnection', GROUP).status == 200


def test_fault_spec_parsing():
    fault = parse_fault_spec('kind=throttle,rate=0.5,times=3,action=OnsConsumerGetConnection|OnsConsumerStatus,GroupId=GID_x')
    assert (fault['kind'], fault['rate'], fault['times']) == ('throttle', 0.5, 3)
    assert fault['action'] == ['OnsConsumerGetConnection', 'OnsConsumerStatus']
    assert fault['params'] == {'GroupId': 'GID_x'}
    assert parse_fault_spec('kind=latency,latency=0.1-0.3')['latency'] == [0.1, 0.3]
    assert parse_fault_spec('drop')['kind'] == 'drop'


@pytest.mark.parametrize('spec, problem', [
    ('kind=explode', 'not one of'),
    ('rate=0.5', 'kind: required'),
    ('kind=drop,rate=2', 'above the maximum'),
    ('kind=drop,rate=x', 'not a number'),
    ('kind=latency,latency=3-1', 'range'),
])
def test_bad_fault_specs_are_refused(spec, problem):
    with pytest.raises(ScenarioError, match=problem):
        parse_fault_spec(spec)
