# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Authentication and request validation: every error path, in both signature versions."""

import datetime
import http.client
import json
from urllib.parse import urlencode, urlsplit

import pytest

from emulator_testlib import INSTANCE, KEY_ID, SECRET, control, scenario
from emulator import signing

GROUP = {'GroupId': 'GID_orders', 'InstanceId': INSTANCE}
BOTH = pytest.mark.parametrize('sig', ['v3', 'v1'])


def _stamp(delta_seconds):
    return signing.utc_timestamp(datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=delta_seconds))


def _raw(url, method, path, body=b'', headers=None):
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request(method, path, body=body or None, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, dict((k.lower(), v) for k, v in resp.getheaders()), json.loads(resp.read().decode('utf-8'))
    finally:
        conn.close()


def _signed_v3(url, params, signed_names=None, body=b'', send_body=None, action='OnsConsumerGetConnection', secret=SECRET, extra=None):
    """Sign by hand so that tests can choose the signed headers and the body actually sent."""
    netloc = urlsplit(url).netloc
    headers = {'host': netloc, 'x-acs-action': action, 'x-acs-version': '2019-02-14', 'x-acs-date': signing.utc_timestamp(),
               'x-acs-signature-nonce': signing.new_nonce(), 'x-acs-content-sha256': signing.sha256_hex(body)}
    headers.update(extra or {})
    names = sorted(signed_names if signed_names is not None else headers)
    canonical = signing.v3_canonical_request('POST', '/', list(params.items()), dict((k, [v]) for k, v in headers.items()), names,
                                             headers['x-acs-content-sha256'])
    sig = signing.v3_signature(secret, signing.v3_string_to_sign(canonical))
    headers['Authorization'] = 'ACS3-HMAC-SHA256 Credential=%s,SignedHeaders=%s,Signature=%s' % (KEY_ID, ';'.join(names), sig)
    return _raw(url, 'POST', '/?' + urlencode(params), body=send_body if send_body is not None else body, headers=headers)


@BOTH
def test_signed_request_succeeds_and_carries_request_id_header(emulator, client_for, sig):
    handle = emulator()
    resp = client_for(handle.url, sig).request('OnsConsumerGetConnection', GROUP)
    assert resp.status == 200
    assert resp.headers['x-acs-request-id'] == resp.json()['RequestId']


@BOTH
def test_parameters_in_a_form_body_are_accepted(emulator, client_for, sig):
    handle = emulator()
    resp = client_for(handle.url, sig).request('OnsConsumerGetConnection', GROUP, in_body=True)
    assert resp.status == 200, resp.body
    assert len(resp.json()['Data']['ConnectionList']['ConnectionDo']) == 2


@BOTH
def test_get_requests_are_accepted(emulator, client_for, sig):
    handle = emulator()
    assert client_for(handle.url, sig).request('OnsConsumerGetConnection', GROUP, method='GET').status == 200


@BOTH
def test_error_envelope_has_the_real_fields(emulator, client_for, sig):
    handle = emulator()
    resp = client_for(handle.url, sig, key_id='LTAI5tNobody').request('OnsConsumerGetConnection', GROUP)
    body = resp.json()
    assert sorted(body) == ['Code', 'HostId', 'Message', 'Recommend', 'RequestId']
    assert body['HostId'] == 'ons.cn-hangzhou.aliyuncs.com'
    assert resp.headers['x-acs-request-id'] == body['RequestId']


@BOTH
def test_unknown_access_key_is_not_found(emulator, client_for, sig):
    handle = emulator()
    resp = client_for(handle.url, sig, key_id='LTAI5tNobody').request('OnsConsumerGetConnection', GROUP)
    assert (resp.status, resp.code) == (404, 'InvalidAccessKeyId.NotFound')


@BOTH
def test_disabled_key_is_inactive(emulator, client_for, sig):
    handle = emulator(scenario(keys=[{'access_key_id': KEY_ID, 'access_key_secret': SECRET, 'enabled': False}]))
    resp = client_for(handle.url, sig).request('OnsConsumerGetConnection', GROUP)
    assert (resp.status, resp.code) == (400, 'InvalidAccessKeyId.Inactive')


@BOTH
def test_wrong_secret_does_not_match_and_the_message_hides_both_secrets(emulator, client_for, sig):
    handle = emulator()
    resp = client_for(handle.url, sig, secret='WrongSecretValue123').request('OnsConsumerGetConnection', GROUP)
    assert (resp.status, resp.code) == (400, 'SignatureDoesNotMatch')
    assert SECRET not in resp.body.decode() and 'WrongSecretValue123' not in resp.body.decode()
    assert 'string to sign' in resp.json()['Message']


def test_v3_parameter_changed_after_signing_does_not_match(emulator):
    handle = emulator()
    netloc = urlsplit(handle.url).netloc
    headers = signing.sign_v3('POST', netloc, '/', GROUP, 'OnsConsumerGetConnection', '2019-02-14', KEY_ID, SECRET)
    tampered = dict(GROUP, GroupId='GID_idle')
    status, _headers, body = _raw(handle.url, 'POST', '/?' + urlencode(tampered), headers=headers)
    assert (status, body['Code']) == (400, 'SignatureDoesNotMatch')


def test_v1_parameter_changed_after_signing_does_not_match(emulator):
    handle = emulator()
    params = signing.sign_v1('POST', dict(GROUP, Action='OnsConsumerGetConnection', Version='2019-02-14'), KEY_ID, SECRET)
    params['GroupId'] = 'GID_idle'
    status, _headers, body = _raw(handle.url, 'POST', '/?' + urlencode(params))
    assert (status, body['Code']) == (400, 'SignatureDoesNotMatch')


def test_v3_body_not_matching_content_sha256_is_rejected(emulator):
    handle = emulator()
    status, _headers, body = _signed_v3(handle.url, {}, body=b'GroupId=GID_orders', send_body=b'GroupId=GID_idle',
                                        extra={'content-type': 'application/x-www-form-urlencoded'})
    assert (status, body['Code']) == (400, 'SignatureDoesNotMatch')
    assert 'x-acs-content-sha256' in body['Message']


def test_v3_body_matching_content_sha256_is_accepted(emulator):
    handle = emulator()
    status, _headers, body = _signed_v3(handle.url, {}, body=b'GroupId=GID_orders&InstanceId=' + INSTANCE.encode(),
                                        extra={'content-type': 'application/x-www-form-urlencoded'})
    assert status == 200, body


def test_unsigned_request_is_incomplete(emulator):
    handle = emulator()
    status, _headers, body = _raw(handle.url, 'POST', '/?' + urlencode(dict(GROUP, Action='OnsConsumerGetConnection', Version='2019-02-14')))
    assert (status, body['Code']) == (400, 'IncompleteSignature')


@pytest.mark.parametrize('auth', ['ACS3-HMAC-SHA256', 'ACS3-HMAC-SHA256 Credential=%s,SignedHeaders=host' % KEY_ID, 'Bearer abc'])
def test_malformed_authorization_header_is_incomplete(emulator, auth):
    handle = emulator()
    status, _headers, body = _raw(handle.url, 'POST', '/?' + urlencode(GROUP), headers={'Authorization': auth, 'x-acs-action': 'OnsConsumerGetConnection'})
    assert (status, body['Code']) == (400, 'IncompleteSignature')


def test_v3_without_signing_the_date_is_incomplete(emulator):
    handle = emulator()
    names = ['host', 'x-acs-action', 'x-acs-version', 'x-acs-signature-nonce', 'x-acs-content-sha256']
    status, _headers, body = _signed_v3(handle.url, GROUP, signed_names=names)
    assert (status, body['Code']) == (400, 'IncompleteSignature')
    assert 'x-acs-date' in body['Message']


def test_v3_unsigned_security_token_header_is_incomplete(emulator):
    handle = emulator()
    names = ['host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256']
    status, _headers, body = _signed_v3(handle.url, GROUP, signed_names=names, extra={'x-acs-security-token': 'tok'})
    assert (status, body['Code']) == (400, 'IncompleteSignature')
    assert 'x-acs-security-token' in body['Message']


def test_v3_extra_signed_headers_are_verified_too(emulator):
    handle = emulator()
    status, _headers, body = _signed_v3(handle.url, GROUP, extra={'user-agent': 'AlibabaCloud (Linux) Python/3', 'accept': 'application/json'})
    assert status == 200, body


@pytest.mark.parametrize('dropped', ['SignatureNonce', 'Timestamp', 'Signature'])
def test_v1_missing_signing_parameter_is_incomplete(emulator, dropped):
    handle = emulator()
    params = signing.sign_v1('POST', dict(GROUP, Action='OnsConsumerGetConnection', Version='2019-02-14'), KEY_ID, SECRET)
    del params[dropped]
    status, _headers, body = _raw(handle.url, 'POST', '/?' + urlencode(params))
    assert (status, body['Code']) == (400, 'IncompleteSignature')
    assert dropped in body['Message']


def test_v1_other_signature_method_is_incomplete(emulator, client_for):
    handle = emulator()
    resp = client_for(handle.url, 'v1').request('OnsConsumerGetConnection', GROUP, sign_overrides={'SignatureMethod': 'HMAC-SHA256'})
    assert (resp.status, resp.code) == (400, 'IncompleteSignature')


@BOTH
@pytest.mark.parametrize('skew', [-16 * 60, 16 * 60])
def test_timestamp_more_than_15_minutes_off_is_expired(emulator, client_for, sig, skew):
    handle = emulator()
    name = 'x-acs-date' if sig == 'v3' else 'Timestamp'
    resp = client_for(handle.url, sig).request('OnsConsumerGetConnection', GROUP, sign_overrides={name: _stamp(skew)})
    assert (resp.status, resp.code) == (400, 'InvalidTimeStamp.Expired')


@BOTH
def test_timestamp_14_minutes_off_is_accepted(emulator, client_for, sig):
    handle = emulator()
    name = 'x-acs-date' if sig == 'v3' else 'Timestamp'
    resp = client_for(handle.url, sig).request('OnsConsumerGetConnection', GROUP, sign_overrides={name: _stamp(-14 * 60)})
    assert resp.status == 200, resp.body


@BOTH
def test_malformed_timestamp_is_rejected(emulator, client_for, sig):
    handle = emulator()
    name = 'x-acs-date' if sig == 'v3' else 'Timestamp'
    resp = client_for(handle.url, sig).request('OnsConsumerGetConnection', GROUP, sign_overrides={name: '2024-01-02 03:04:05'})
    assert (resp.status, resp.code) == (400, 'InvalidTimeStamp.Format')


@BOTH
def test_reused_nonce_is_rejected(emulator, client_for, sig):
    handle = emulator()
    name = 'x-acs-signature-nonce' if sig == 'v3' else 'SignatureNonce'
    cli = client_for(handle.url, sig)
    assert cli.request('OnsConsumerGetConnection', GROUP, sign_overrides={name: 'nonce-1'}).status == 200
    resp = cli.request('OnsConsumerGetConnection', GROUP, sign_overrides={name: 'nonce-1'})
    assert (resp.status, resp.code) == (400, 'SignatureNonceUsed')


def test_nonce_of_a_rejected_signature_is_not_burned(emulator, client_for):
    handle = emulator()
    bad = client_for(handle.url, 'v3', secret='wrong').request('OnsConsumerGetConnection', GROUP, sign_overrides={'x-acs-signature-nonce': 'n-2'})
    assert bad.code == 'SignatureDoesNotMatch'
    good = client_for(handle.url, 'v3').request('OnsConsumerGetConnection', GROUP, sign_overrides={'x-acs-signature-nonce': 'n-2'})
    assert good.status == 200


def test_nonce_memory_is_bounded_by_max_nonces(emulator, client_for):
    handle = emulator(scenario(signature={'max_nonces': 3}))
    cli = client_for(handle.url)
    for i in range(10):
        assert cli.request('OnsConsumerGetConnection', GROUP, sign_overrides={'x-acs-signature-nonce': 'n%d' % i}).status == 200
    assert len(handle.state.nonces) == 3
    # the most recent nonces are still remembered
    assert cli.request('OnsConsumerGetConnection', GROUP, sign_overrides={'x-acs-signature-nonce': 'n9'}).code == 'SignatureNonceUsed'


def test_nonce_store_forgets_nonces_after_the_window():
    from emulator.security import NonceStore
    store = NonceStore(window_seconds=10, capacity=100)
    assert store.use('k', 'n', now=0)
    assert not store.use('k', 'n', now=5)
    assert store.use('other-key', 'n', now=5)
    assert store.use('k', 'n', now=11)


@BOTH
def test_missing_required_parameter_is_named(emulator, client_for, sig):
    handle = emulator()
    resp = client_for(handle.url, sig).request('OnsConsumerGetConnection', {'InstanceId': INSTANCE})
    assert (resp.status, resp.code) == (400, 'MissingParameter')
    assert '"GroupId"' in resp.json()['Message']


@BOTH
def test_malformed_boolean_parameter_is_invalid(emulator, client_for, sig):
    handle = emulator()
    resp = client_for(handle.url, sig).request('OnsConsumerStatus', dict(GROUP, Detail='yes'))
    assert (resp.status, resp.code) == (400, 'InvalidParameter')
    assert '"Detail"' in resp.json()['Message']


@BOTH
def test_unknown_action_is_not_found(emulator, client_for, sig):
    handle = emulator()
    resp = client_for(handle.url, sig).request('OnsTopicDelete', GROUP)
    assert (resp.status, resp.code) == (404, 'InvalidApi.NotFound')


@BOTH
def test_wrong_version_is_invalid(emulator, client_for, sig):
    handle = emulator()
    resp = client_for(handle.url, sig).request('OnsConsumerGetConnection', GROUP, version='2018-01-01')
    assert (resp.status, resp.code) == (400, 'InvalidVersion')


def test_other_paths_and_methods_are_refused(emulator):
    handle = emulator()
    status, _headers, body = _raw(handle.url, 'POST', '/v1/things')
    assert (status, body['Code']) == (404, 'InvalidApi.NotFound')
    status, _headers, body = _raw(handle.url, 'PUT', '/')
    assert (status, body['Code']) == (400, 'UnsupportedHTTPMethod')


def _sts_scenario(expires='2099-01-01T00:00:00Z'):
    return scenario(keys=[{'access_key_id': 'STS.NTemporaryKey01', 'access_key_secret': 'TemporarySecret01',
                           'security_token': 'CAIS-token-value-0001', 'expires': expires}])


@BOTH
def test_sts_key_with_its_token_is_accepted(emulator, client_for, sig):
    handle = emulator(_sts_scenario())
    resp = client_for(handle.url, sig, key_id='STS.NTemporaryKey01', secret='TemporarySecret01', token='CAIS-token-value-0001').request(
        'OnsConsumerGetConnection', GROUP)
    assert resp.status == 200, resp.body


@BOTH
def test_sts_key_without_token_is_refused(emulator, client_for, sig):
    handle = emulator(_sts_scenario())
    resp = client_for(handle.url, sig, key_id='STS.NTemporaryKey01', secret='TemporarySecret01').request('OnsConsumerGetConnection', GROUP)
    assert (resp.status, resp.code) == (400, 'MissingSecurityToken')


@BOTH
def test_sts_key_with_another_token_is_refused_without_echoing_tokens(emulator, client_for, sig):
    handle = emulator(_sts_scenario())
    resp = client_for(handle.url, sig, key_id='STS.NTemporaryKey01', secret='TemporarySecret01', token='CAIS-forged').request(
        'OnsConsumerGetConnection', GROUP)
    assert (resp.status, resp.code) == (400, 'InvalidSecurityToken.MismatchWithAccessKey')
    assert 'CAIS-' not in resp.body.decode()


@BOTH
def test_expired_sts_key_is_refused(emulator, client_for, sig):
    handle = emulator(_sts_scenario(expires='2020-01-01T00:00:00Z'))
    resp = client_for(handle.url, sig, key_id='STS.NTemporaryKey01', secret='TemporarySecret01', token='CAIS-token-value-0001').request(
        'OnsConsumerGetConnection', GROUP)
    assert (resp.status, resp.code) == (400, 'InvalidSecurityToken.Expired')


def test_request_log_never_holds_signatures_tokens_or_secrets(emulator, client_for):
    handle = emulator(_sts_scenario())
    for sig in ('v3', 'v1'):
        client_for(handle.url, sig, key_id='STS.NTemporaryKey01', secret='TemporarySecret01', token='CAIS-token-value-0001').request(
            'OnsConsumerGetConnection', GROUP)
    _status, log = control(handle.url, 'GET', '/_emulator/requests')
    text = json.dumps(log)
    assert 'CAIS-token-value-0001' not in text and 'TemporarySecret01' not in text and 'Signature"' not in text
    assert [r['signature'] for r in log['requests']] == ['v3', 'v1']
    assert log['requests'][1]['params'] == GROUP


def test_chunked_form_body_is_read(emulator):
    handle = emulator()
    params = signing.sign_v1('POST', dict(GROUP, Action='OnsConsumerGetConnection', Version='2019-02-14'), KEY_ID, SECRET)
    body = urlencode(params).encode('utf-8')
    chunked = b''.join(b'%x\r\n%s\r\n' % (len(body[i:i + 50]), body[i:i + 50]) for i in range(0, len(body), 50)) + b'0\r\n\r\n'
    status, _headers, answer = _raw(handle.url, 'POST', '/', body=chunked,
                                    headers={'Transfer-Encoding': 'chunked', 'Content-Type': 'application/x-www-form-urlencoded'})
    assert status == 200, answer


def test_oversized_body_is_refused(emulator):
    handle = emulator()
    # announce a body beyond the limit without sending it: the server must refuse before reading
    status, _headers, answer = _raw(handle.url, 'POST', '/', headers={'Content-Length': str(1024 * 1024 + 1)})
    assert (status, answer['Code']) == (400, 'InvalidParameter')
