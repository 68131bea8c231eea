# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""STS on the emulator: AssumeRole, AssumeRoleWithOIDC and the ECS metadata service, over loopback HTTP.

The official credential providers (alibabacloud-credentials, a test-only dependency) are the oracle
of what a client sends: the emulator accepts their requests, and the collection's STS calls send
the same parameters.
"""

import importlib
import json
import os
import subprocess
import sys
import tempfile
import time

import pytest
import requests

from emulator.client import Client
from emulator_testlib import INSTANCE, KEY_ID, ROOT, SECRET, scenario_5x

# The official providers' timestamp helper uses datetime.utcnow(); that is their business, not ours.
pytestmark = pytest.mark.filterwarnings('ignore:datetime.datetime.utcnow:DeprecationWarning')
STS_VERSION = '2015-04-01'
ACCOUNT = '1234567890123456'
ROLE = 'acs:ram::%s:role/gate-reader' % ACCOUNT
CHAINED_ROLE = 'acs:ram::%s:role/deployer' % ACCOUNT
EXTERNAL_ROLE = 'acs:ram::%s:role/partner' % ACCOUNT
NARROW_ROLE = 'acs:ram::%s:role/lister' % ACCOUNT
PROVIDER = 'acs:ram::%s:oidc-provider/ci' % ACCOUNT
OTHER_PROVIDER = 'acs:ram::%s:oidc-provider/other' % ACCOUNT
USER_KEY = 'LTAI5tStsUser01'
USER_SECRET = 'StsUserSecretNotForProduction01'
NO_STS_KEY = 'LTAI5tNoSts01'
SIGNING_KEY = 'OidcSigningKeyOfTheTests0000000001'

STS = {
    'roles': [
        {'arn': ROLE, 'trust': [USER_KEY, NO_STS_KEY, PROVIDER, 'ecs.aliyuncs.com'], 'actions': ['mq:*', 'rocketmq:*', 'sts:AssumeRole'],
         'max_session_duration': 7200},
        {'arn': CHAINED_ROLE, 'trust': [ROLE], 'actions': ['mq:QueryConsumerStatus', 'mq:OnsInstanceBaseInfo']},
        {'arn': EXTERNAL_ROLE, 'trust': ['acs:ram::%s:root' % ACCOUNT], 'external_id': 'partner-4711'},
        {'arn': NARROW_ROLE, 'trust': [USER_KEY, PROVIDER], 'actions': ['mq:ListGroup'],
         'oidc_subjects': ['repo:example/app:ref:refs/heads/*']},
    ],
    'oidc_providers': [
        {'arn': PROVIDER, 'issuer': 'https://token.actions.githubusercontent.com', 'client_ids': ['sts.aliyuncs.com'],
         'signing_key': SIGNING_KEY},
        {'arn': OTHER_PROVIDER, 'issuer': 'https://gitlab.example.com', 'signing_key': 'AnotherSigningKey00000000001'},
    ],
}
KEYS = [{'access_key_id': KEY_ID, 'access_key_secret': SECRET},
        {'access_key_id': USER_KEY, 'access_key_secret': USER_SECRET, 'actions': ['sts:AssumeRole']},
        {'access_key_id': NO_STS_KEY, 'access_key_secret': USER_SECRET, 'actions': ['mq:*']}]


def sts_scenario(**sts):
    return scenario_5x(keys=KEYS, sts=dict(STS, **sts))


def assume(url, signature='v3', key_id=USER_KEY, secret=USER_SECRET, token=None, **params):
    client = Client(url, key_id, secret, security_token=token, signature=signature)
    try:
        return client.request('AssumeRole', dict({'RoleArn': ROLE, 'RoleSessionName': 'test-session'}, **params), version=STS_VERSION)
    finally:
        client.close()


def oidc(url, token, method='POST', **params):
    """AssumeRoleWithOIDC as the official provider sends it: V1 common parameters, no signature."""
    query = dict({'Action': 'AssumeRoleWithOIDC', 'Format': 'JSON', 'Version': STS_VERSION, 'RoleArn': ROLE,
                  'OIDCProviderArn': PROVIDER, 'OIDCToken': token, 'RoleSessionName': 'ci-run-1', 'DurationSeconds': '3600',
                  'Timestamp': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}, **params)
    return requests.request(method, url + '/', params=query, timeout=10)


def ons_status(url, creds, signature='v3'):
    client = Client(url, creds['AccessKeyId'], creds['AccessKeySecret'], security_token=creds['SecurityToken'], signature=signature)
    try:
        return client.request('OnsConsumerStatus', {'InstanceId': INSTANCE, 'GroupId': 'GID_orders'})
    finally:
        client.close()


# --- AssumeRole ---------------------------------------------------------------------------------------

@pytest.mark.parametrize('signature', ['v3', 'v1'])
def test_a_trusted_key_assumes_the_role_and_its_credentials_work_on_ons_with_the_roles_policy(emulator, signature):
    handle = emulator(sts_scenario())
    answer = assume(handle.url, signature, DurationSeconds='1800')
    assert answer.status == 200, answer.body
    body = answer.json()
    creds = body['Credentials']
    assert creds['AccessKeyId'].startswith('STS.') and creds['SecurityToken']
    assert body['AssumedRoleUser']['Arn'] == 'acs:ram::%s:assumed-role/gate-reader/test-session' % ACCOUNT
    expires = time.mktime(time.strptime(creds['Expiration'], '%Y-%m-%dT%H:%M:%SZ')) - time.timezone
    assert 1790 <= expires - time.time() <= 1800
    assert ons_status(handle.url, creds, signature).status == 200
    narrow = assume(handle.url, signature, RoleArn=NARROW_ROLE).json()['Credentials']
    denied = ons_status(handle.url, narrow)
    assert (denied.status, denied.code) == (403, 'Forbidden.RAM')


def test_issued_credentials_work_on_the_5x_api_too(emulator):
    handle = emulator(sts_scenario())
    creds = assume(handle.url).json()['Credentials']
    client = Client(handle.url, creds['AccessKeyId'], creds['AccessKeySecret'], security_token=creds['SecurityToken'])
    try:
        answer = client.roa('ListConsumerConnections', '/instances/rmq-cn-test0000001/consumerGroups/GID_orders/connections')
    finally:
        client.close()
    assert answer.status == 200, answer.body


def test_issued_credentials_expire_and_are_refused_with_the_real_code_on_both_apis(emulator):
    handle = emulator(sts_scenario(credential_lifetime=1))
    creds = assume(handle.url).json()['Credentials']
    time.sleep(1.2)
    refused = ons_status(handle.url, creds)
    assert (refused.status, refused.code) == (400, 'InvalidSecurityToken.Expired')
    client = Client(handle.url, creds['AccessKeyId'], creds['AccessKeySecret'], security_token=creds['SecurityToken'])
    try:
        refused = client.roa('ListConsumerConnections', '/instances/rmq-cn-test0000001/consumerGroups/GID_orders/connections')
    finally:
        client.close()
    assert refused.code == 'InvalidSecurityToken.Expired'


def test_an_assumed_role_assumes_a_role_that_trusts_it(emulator):
    handle = emulator(sts_scenario())
    first = assume(handle.url).json()['Credentials']
    second = assume(handle.url, key_id=first['AccessKeyId'], secret=first['AccessKeySecret'], token=first['SecurityToken'],
                    RoleArn=CHAINED_ROLE)
    assert second.status == 200, second.body
    # The user that assumed the first role is not trusted by the second; a role without
    # sts:AssumeRole in its policy may not assume another.
    assert assume(handle.url, RoleArn=CHAINED_ROLE).code == 'NoPermission'
    narrow = assume(handle.url, RoleArn=NARROW_ROLE).json()['Credentials']
    assert assume(handle.url, key_id=narrow['AccessKeyId'], secret=narrow['AccessKeySecret'], token=narrow['SecurityToken'],
                  RoleArn=CHAINED_ROLE).code == 'NoPermission'


@pytest.mark.parametrize('params, key, status, code', [
    ({'RoleArn': 'acs:ram::%s:role/absent' % ACCOUNT}, USER_KEY, 404, 'EntityNotExist.Role'),
    ({'RoleArn': 'gate-reader'}, USER_KEY, 400, 'InvalidParameter.RoleArn'),
    ({'RoleSessionName': 'a'}, USER_KEY, 400, 'InvalidParameter.RoleSessionName'),
    ({'RoleSessionName': ''}, USER_KEY, 400, 'MissingParameter'),
    ({'DurationSeconds': '600'}, USER_KEY, 400, 'InvalidParameter.DurationSeconds'),
    ({'DurationSeconds': '7201'}, USER_KEY, 400, 'InvalidParameter.DurationSeconds'),
    ({'Policy': '{"Version": "1"}'}, USER_KEY, 400, 'InvalidParameter.PolicyGrammar'),
    ({}, NO_STS_KEY, 403, 'NoPermission'),
    ({}, KEY_ID, 403, 'NoPermission'),
    ({'RoleArn': EXTERNAL_ROLE}, USER_KEY, 403, 'NoPermission'),
    ({'RoleArn': EXTERNAL_ROLE, 'ExternalId': 'wrong'}, USER_KEY, 403, 'NoPermission'),
])
def test_assume_role_refuses_with_the_codes_of_sts(emulator, params, key, status, code):
    handle = emulator(sts_scenario())
    answer = assume(handle.url, key_id=key, secret=SECRET if key == KEY_ID else USER_SECRET, **params)
    assert (answer.status, answer.code) == (status, code), answer.body
    assert answer.json()['HostId'] == 'sts.aliyuncs.com'


def test_the_external_id_the_role_requires_lets_it_be_assumed(emulator):
    handle = emulator(sts_scenario())
    assert assume(handle.url, RoleArn=EXTERNAL_ROLE, ExternalId='partner-4711').status == 200


def test_assume_role_must_be_signed(emulator):
    handle = emulator(sts_scenario())
    answer = requests.post(handle.url + '/', params={'Action': 'AssumeRole', 'Version': STS_VERSION, 'RoleArn': ROLE,
                                                     'RoleSessionName': 'x1'}, timeout=10)
    assert (answer.status_code, answer.json()['Code']) == (400, 'IncompleteSignature')


def test_a_signature_with_a_wrong_secret_is_refused_before_anything_is_issued(emulator):
    handle = emulator(sts_scenario())
    assert assume(handle.url, secret='NotTheSecret000000001').code == 'SignatureDoesNotMatch'
    assert not handle.state.sts.issued


# --- AssumeRoleWithOIDC ---------------------------------------------------------------------------------

def mint(handle, **kwargs):
    return handle.state.sts.mint_oidc_token(kwargs.pop('provider', PROVIDER), **kwargs)


@pytest.mark.parametrize('method', ['POST', 'GET'])
def test_an_oidc_token_is_exchanged_without_any_signature(emulator, method):
    handle = emulator(sts_scenario())
    answer = oidc(handle.url, mint(handle), method)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body['OIDCTokenInfo']['Issuer'] == 'https://token.actions.githubusercontent.com'
    assert body['AssumedRoleUser']['Arn'].endswith(':assumed-role/gate-reader/ci-run-1')
    assert ons_status(handle.url, body['Credentials']).status == 200


def test_the_control_endpoint_and_the_command_line_mint_tokens_the_emulator_accepts(emulator, tmp_path):
    handle = emulator(sts_scenario())
    token = requests.post(handle.url + '/_emulator/oidc-token', params={'provider': PROVIDER, 'lifetime': '60'}, timeout=10).json()['token']
    assert oidc(handle.url, token).status_code == 200
    path = tmp_path / 'scenario.json'
    path.write_text(json.dumps(sts_scenario()))
    printed = subprocess.run([sys.executable, os.path.join(ROOT, 'emulator'), '--scenario', str(path), '--mint-oidc-token', PROVIDER],
                             capture_output=True, text=True, timeout=60, check=True).stdout.strip()
    assert oidc(handle.url, printed).status_code == 200


@pytest.mark.parametrize('change, code', [
    ({'token': 'not-a-jwt'}, 'AuthenticationFail.OIDCToken.Invalid'),
    ({'token': 'a.b.c'}, 'AuthenticationFail.OIDCToken.Invalid'),
    ({'token': ''}, 'AuthenticationFail.OIDCToken.Invalid'),
    ({'mint': {'lifetime': -5}}, 'AuthenticationFail.OIDCToken.Expired'),
    ({'mint': {'audience': 'someone-else'}}, 'AuthenticationFail.OIDCToken.AudienceNotMatch'),
    ({'mint': {'issuer': 'https://evil.example.com'}}, 'AuthenticationFail.OIDCToken.IssuerNotMatch'),
    ({'mint': {'provider': OTHER_PROVIDER}}, 'AuthenticationFail.OIDCToken.InvalidSignature'),
    ({'params': {'OIDCProviderArn': 'acs:ram::%s:oidc-provider/unknown' % ACCOUNT}}, 'AuthenticationFail.NoPermission'),
    ({'mint': {'provider': OTHER_PROVIDER}, 'params': {'OIDCProviderArn': OTHER_PROVIDER}}, 'AuthenticationFail.NoPermission'),
    ({'mint': {'subject': 'repo:example/app:pull_request'}, 'params': {'RoleArn': NARROW_ROLE}}, 'AuthenticationFail.NoPermission'),
    ({'params': {'RoleArn': 'acs:ram::%s:role/absent' % ACCOUNT}}, 'EntityNotExist.Role'),
    ({'params': {'DurationSeconds': '100'}}, 'InvalidParameter.DurationSeconds'),
])
def test_assume_role_with_oidc_refuses_with_the_codes_of_sts(emulator, change, code):
    handle = emulator(sts_scenario())
    token = change['token'] if 'token' in change else mint(handle, **change.get('mint', {}))
    answer = oidc(handle.url, token, **change.get('params', {}))
    assert answer.json()['Code'] == code, answer.text
    assert answer.status_code in (400, 401, 404)
    assert token not in answer.text or not token


def test_a_subject_the_role_allows_is_accepted(emulator):
    handle = emulator(sts_scenario())
    answer = oidc(handle.url, mint(handle, subject='repo:example/app:ref:refs/heads/release'), RoleArn=NARROW_ROLE)
    assert answer.status_code == 200, answer.text


def test_only_assume_role_with_oidc_may_be_anonymous(emulator):
    handle = emulator(sts_scenario())
    answer = oidc(handle.url, mint(handle), Action='AssumeRole')
    assert answer.json()['Code'] == 'IncompleteSignature'


def test_neither_the_token_nor_the_issued_secrets_reach_the_request_log_or_the_state(emulator):
    handle = emulator(sts_scenario())
    token = mint(handle)
    creds = oidc(handle.url, token).json()['Credentials']
    text = json.dumps(handle.state.log.snapshot()) + json.dumps(handle.state.describe())
    for secret in (token, creds['AccessKeySecret'], creds['SecurityToken'], SIGNING_KEY):
        assert secret not in text


# --- the ECS metadata service -----------------------------------------------------------------------------

def test_the_ecs_metadata_service_gives_the_credentials_of_the_roles_ecs_may_assume(emulator):
    handle = emulator(sts_scenario())
    token = requests.put(handle.url + '/latest/api/token', headers={'X-aliyun-ecs-metadata-token-ttl-seconds': '21600'}, timeout=10)
    assert token.status_code == 200
    headers = {'X-aliyun-ecs-metadata-token': token.text}
    listing = requests.get(handle.url + '/latest/meta-data/ram/security-credentials/', headers=headers, timeout=10)
    assert listing.text.split('\n') == ['gate-reader']
    answer = requests.get(handle.url + '/latest/meta-data/ram/security-credentials/gate-reader', headers=headers, timeout=10).json()
    assert answer['Code'] == 'Success' and answer['Expiration']
    assert ons_status(handle.url, answer).status == 200
    # IMDSv1 (no token) is served too; a wrong token is not; a role ECS may not assume is not found.
    again = requests.get(handle.url + '/latest/meta-data/ram/security-credentials/gate-reader', timeout=10).json()
    assert again['AccessKeyId'] == answer['AccessKeyId']
    assert requests.get(handle.url + '/latest/meta-data/ram/security-credentials/gate-reader',
                        headers={'X-aliyun-ecs-metadata-token': 'forged'}, timeout=10).status_code == 401
    assert requests.get(handle.url + '/latest/meta-data/ram/security-credentials/deployer', timeout=10).status_code == 404


# --- the official credential providers: the oracle of what a client sends ---------------------------------

credentials_providers = pytest.importorskip('alibabacloud_credentials.provider')
tea_core = pytest.importorskip('Tea.core')


@pytest.fixture
def official_over_http(monkeypatch):
    """The official providers send to https:// only; the emulator serves http: only the scheme is changed."""
    do_action = tea_core.TeaCore.do_action

    def over_http(request, runtime_option=None):
        request.protocol = 'http'
        return do_action(request, runtime_option)

    monkeypatch.setattr(tea_core.TeaCore, 'do_action', staticmethod(over_http))


def _logged(handle, action):
    return [entry for entry in handle.state.log.snapshot()['requests'] if entry['action'] == action]


def collection_module(name):
    """A module of this checkout as ``ansible_collections.apsaramq.rocketmq.<name>``, from a link laid out that way if need be."""
    try:
        importlib.import_module('ansible_collections.apsaramq.rocketmq')
    except ImportError:
        top = tempfile.mkdtemp(prefix='sts-collections.')
        os.makedirs(os.path.join(top, 'ansible_collections', 'apsaramq'))
        os.symlink(ROOT, os.path.join(top, 'ansible_collections', 'apsaramq', 'rocketmq'))
        sys.path.insert(0, top)
        importlib.invalidate_caches()
    return importlib.import_module('ansible_collections.apsaramq.rocketmq.' + name)


def _collection_call(handle, method, *args):
    """The collection's STS caller (plugins/module_utils/sts.py) against the emulator."""
    chain = collection_module('plugins.module_utils.credentials')
    caller = collection_module('plugins.module_utils.sts').StsCaller({'signature_version': 'v3'})
    settings = chain.RoleSettings(args[0], 'oracle-session', external_id=args[1], policy=args[2], duration_seconds=1800,
                                  sts=chain.StsSettings(endpoint=handle.url))
    if method == 'assume_role':
        fixed = chain.Credentials(USER_KEY, USER_SECRET)
        return caller.assume_role(chain.CredentialProvider(chain.StaticSource(fixed), lambda: fixed, []), settings, [])
    return caller.assume_role_with_oidc(args[3], PROVIDER, settings, [])


POLICY = '{"Version":"1","Statement":[{"Effect":"Allow","Action":["mq:QueryConsumerStatus"],"Resource":["*"]}]}'


def test_the_official_ram_role_arn_provider_is_served_and_the_collection_sends_the_same_parameters(emulator, official_over_http):
    handle = emulator(sts_scenario())
    provider = credentials_providers.RamRoleArnCredentialsProvider(
        access_key_id=USER_KEY, access_key_secret=USER_SECRET, role_arn=EXTERNAL_ROLE, role_session_name='oracle-session',
        duration_seconds=1800, policy=POLICY, external_id='partner-4711', sts_endpoint='127.0.0.1:%d' % handle.port)
    official = provider.get_credentials()
    assert official.get_access_key_id().startswith('STS.') and official.get_security_token()
    ours = _collection_call(handle, 'assume_role', EXTERNAL_ROLE, 'partner-4711', POLICY)
    assert ours.access_key_id.startswith('STS.') and ours.expiration > time.time() + 1700
    sent = _logged(handle, 'AssumeRole')
    assert [entry['signature'] for entry in sent] == ['v1', 'v3']
    assert sent[0]['params'] == sent[1]['params'] == {'RoleArn': EXTERNAL_ROLE, 'RoleSessionName': 'oracle-session',
                                                      'DurationSeconds': '1800', 'Policy': POLICY, 'ExternalId': 'partner-4711'}


def test_the_official_oidc_provider_is_served_and_the_collection_sends_the_same_parameters(emulator, official_over_http, tmp_path):
    handle = emulator(sts_scenario())
    token = mint(handle)
    token_file = tmp_path / 'token'
    token_file.write_text(token)
    provider = credentials_providers.OIDCRoleArnCredentialsProvider(
        role_arn=ROLE, oidc_provider_arn=PROVIDER, oidc_token_file_path=str(token_file), role_session_name='oracle-session',
        duration_seconds=1800, policy=POLICY, sts_endpoint='127.0.0.1:%d' % handle.port)
    assert provider.get_credentials().get_access_key_id().startswith('STS.')
    assert _collection_call(handle, 'assume_role_with_oidc', ROLE, None, POLICY, token).access_key_id.startswith('STS.')
    sent = _logged(handle, 'AssumeRoleWithOIDC')
    assert [entry['signature'] for entry in sent] == ['anonymous', 'anonymous']
    # The token is never logged; every other parameter is, and both clients sent the same.
    assert sent[0]['params'] == sent[1]['params'] == {'RoleArn': ROLE, 'OIDCProviderArn': PROVIDER, 'RoleSessionName': 'oracle-session',
                                                      'DurationSeconds': '1800', 'Policy': POLICY}


@pytest.mark.parametrize('method', ['assume_role', 'assume_role_with_oidc'])
def test_an_answer_cut_short_is_refused_without_quoting_the_credentials_it_began_to_give(emulator, method):
    # The first half of the answer holds the AccessKeySecret and the start of the SecurityToken
    # just issued, which no secrets list knows yet: the error must quote none of the body.
    action = 'AssumeRole' if method == 'assume_role' else 'AssumeRoleWithOIDC'
    handle = emulator(scenario_5x(keys=KEYS, sts=STS, faults=[{'kind': 'truncate', 'action': action}]))
    args = (ROLE, None, None, mint(handle)) if method == 'assume_role_with_oidc' else (ROLE, None, None)
    chain = collection_module('plugins.module_utils.credentials')
    with pytest.raises(chain.CredentialError) as caught:
        _collection_call(handle, method, *args)
    message = str(caught.value)
    assert "STS %s at %s" % (action, handle.url) in message and "not the API's JSON" in message
    issued = list(handle.state.sts.issued.values())
    assert issued
    for key in issued:
        for value in (key['access_key_id'], key['access_key_secret'], key['security_token'][:16]):
            assert value not in message
