# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault injection: every kind, matching, times, rates and seeds."""

import http.client
import json
import socket
import time
from urllib.parse import urlencode, urlsplit

import pytest
import requests
import yaml

from emulator import API_VERSION, signing
from emulator_testlib import KEY_ID, SECRET, control, scenario
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
    # only throttling tells the client when to come back; the connection stays open
    assert ('x-acs-retry-after' in resp.headers) is (kind == 'throttle')
    assert 'connection' not in resp.headers


def test_throttle_fault_retry_after_follows_the_operation_rate_by_default(emulator, client_for):
    cli = client_for(emulator(scenario(faults=[{'kind': 'throttle'}], limits={'rate': 0, 'actions': {'OnsConsumerStatus': 4}})).url)
    assert cli.request('OnsConsumerStatus', GROUP).headers['x-acs-retry-after'] == '250'
    # unlimited operations: a tenth of a second
    assert cli.request('OnsConsumerGetConnection', GROUP).headers['x-acs-retry-after'] == '100'


def test_throttle_fault_retry_after_can_be_set(emulator, client_for):
    cli = client_for(emulator(_with_faults([{'kind': 'throttle', 'retry_after': 1500}])).url)
    assert cli.request('OnsConsumerGetConnection', GROUP).headers['x-acs-retry-after'] == '1500'


def test_throttle_fault_answering_another_code_has_no_retry_after(emulator, client_for):
    fault = {'kind': 'throttle', 'code': 'BIZ_CONSUMER_NOT_ONLINE'}
    resp = client_for(emulator(_with_faults([fault])).url).request('OnsConsumerGetConnection', GROUP)
    assert resp.code == 'BIZ_CONSUMER_NOT_ONLINE' and 'x-acs-retry-after' not in resp.headers


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


def _raw_exchange(url, action, params):
    """Send one signed request on a fresh socket; return (head of the answer, whether the server then closed)."""
    parts = urlsplit(url)
    headers = signing.sign_v3('POST', parts.netloc, '/', params, action, API_VERSION, KEY_ID, SECRET)
    lines = ['POST /?%s HTTP/1.1' % urlencode(params), 'Content-Length: 0'] + ['%s: %s' % item for item in headers.items()]
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        sock.sendall(('\r\n'.join(lines) + '\r\n\r\n').encode('utf-8'))
        received = b''
        sock.settimeout(1)
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    return received.split(b'\r\n\r\n', 1)[0].decode('latin-1').lower(), True
                received += chunk
        except socket.timeout:
            # still open a second after the answer: a keep-alive connection
            return received.split(b'\r\n\r\n', 1)[0].decode('latin-1').lower(), False


@pytest.mark.parametrize('kind', ['truncate', 'non_json', 'html_502'])
def test_broken_answers_say_connection_close_and_close_it(emulator, kind):
    head, closed = _raw_exchange(emulator(_with_faults([{'kind': kind}])).url, 'OnsConsumerGetConnection', GROUP)
    assert 'connection: close' in head.split('\r\n')
    assert closed


def test_whole_answers_keep_the_connection_open(emulator):
    head, closed = _raw_exchange(emulator(_with_faults([{'kind': 'slow_body', 'chunk_size': 4096}])).url, 'OnsConsumerGetConnection', GROUP)
    assert head.startswith('http/1.1 200') and 'connection: close' not in head
    assert not closed


@pytest.mark.parametrize('kind', ['truncate', 'non_json', 'html_502', 'drop'])
def test_a_keep_alive_session_recovers_from_a_broken_answer(emulator, kind):
    # What the collection's client does: one requests.Session for every call.
    handle = emulator(_with_faults([{'kind': kind, 'times': 1}]))
    parts = urlsplit(handle.url)
    with requests.Session() as session:
        def call():
            headers = signing.sign_v3('POST', parts.netloc, '/', GROUP, 'OnsConsumerGetConnection', API_VERSION, KEY_ID, SECRET)
            return session.post(handle.url + '/?' + urlencode(GROUP), headers=headers, timeout=5)
        try:
            first = call()
            assert first.headers.get('Connection') == 'close'
        except requests.ConnectionError:
            assert kind == 'drop'
        assert call().status_code == 200
    _status, log = control(handle.url, 'GET', '/_emulator/requests')
    assert [r['fault'] for r in log['requests']] == [kind, None]


def test_every_request_is_logged_before_its_answer_arrives(emulator, client_for):
    handle = emulator(_with_faults([{'kind': 'internal_error', 'rate': 0.3}, {'kind': 'drop', 'rate': 0.2}], seed=3))
    cli = client_for(handle.url)
    for sent in range(1, 41):
        try:
            cli.request('OnsConsumerGetConnection', GROUP)
        except (http.client.HTTPException, ConnectionError):
            pass
        # read at once, without waiting: the entry must already be there
        assert handle.state.log.snapshot(0)['total'] == sent


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
