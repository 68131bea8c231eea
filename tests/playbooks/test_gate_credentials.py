# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The gate authenticates every way the credential chain knows, and no secret or token reaches its output.

Each case runs a small playbook with the task apsaramq.rocketmq.gate (ansible-playbook -vvv, which
prints the task's whole result) against the emulator, which plays ONS, STS and the ECS metadata
service: an AccessKey, an STS token, an ECS RAM role, an assumed role (AssumeRole), an OIDC token
file (AssumeRoleWithOIDC), and an aliyun CLI profile of each of those modes. The emulator's request
log says which credentials signed the gate's calls; the output and the reports are searched for
every secret involved (the AccessKey secrets, the STS tokens the emulator issued, the OIDC token),
raw and encoded.
"""

import base64
import json
import os
import subprocess
import sys
from urllib.parse import quote, quote_plus

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from emulator.server import start  # noqa: E402  pylint: disable=wrong-import-position

KEY_ID = 'LTAI5tEmulatorDemoKey01'
SECRET = 'EmulatorDemoSecretNotForProduction01'
STS_KEY_ID = 'STS.StaticDemoKey0001'
STS_SECRET = 'StaticStsSecretNotForProduction01'
STS_TOKEN = 'CAISStaticDemoTokenNotForProduction0123456789abcdef'
ACCOUNT = '1234567890123456'
ROLE = 'acs:ram::%s:role/gate-reader' % ACCOUNT
PROVIDER = 'acs:ram::%s:oidc-provider/ci' % ACCOUNT
INSTANCE = 'MQ_INST_1234567890_DEMO'


def scenario(**sts):
    """The healthy scenario (its STS: the role gate-reader, trusting the demo key, the CI provider and ECS), with a static STS key."""
    with open(os.path.join(ROOT, 'emulator', 'scenarios', 'healthy.yml')) as stream:
        data = yaml.safe_load(stream)
    data['keys'].append({'access_key_id': STS_KEY_ID, 'access_key_secret': STS_SECRET, 'security_token': STS_TOKEN})
    data['sts'].update(sts)
    return data


@pytest.fixture
def emulator():
    handles = []

    def _start(data=None):
        handle = start(data or scenario(), host='127.0.0.1', port=0)
        handles.append(handle)
        return handle

    yield _start
    for handle in handles:
        handle.stop()


def write_profiles(home, handle, token_file):
    """An aliyun CLI configuration of one profile per mode, as the CLI writes its fields."""
    profiles = [
        {'name': 'ak', 'mode': 'AK', 'access_key_id': KEY_ID, 'access_key_secret': SECRET, 'region_id': 'cn-hangzhou'},
        {'name': 'sts', 'mode': 'StsToken', 'access_key_id': STS_KEY_ID, 'access_key_secret': STS_SECRET, 'sts_token': STS_TOKEN},
        {'name': 'ecs', 'mode': 'EcsRamRole', 'ram_role_name': 'gate-reader'},
        {'name': 'arn', 'mode': 'RamRoleArn', 'access_key_id': KEY_ID, 'access_key_secret': SECRET, 'ram_role_arn': ROLE,
         'ram_session_name': 'profile-session', 'expired_seconds': 900},
        {'name': 'oidc', 'mode': 'OIDC', 'ram_role_arn': ROLE, 'oidc_provider_arn': PROVIDER, 'oidc_token_file': token_file,
         'ram_session_name': 'profile-oidc'},
    ]
    folder = home / '.aliyun'
    folder.mkdir(parents=True, exist_ok=True)
    (folder / 'config.json').write_text(json.dumps({'current': 'ak', 'profiles': profiles}))


def run_gate(tmp_path, collections, handle, options, environ, min_consumers=3, wait_timeout=0):
    """Run a playbook with one gate task; return its exit status and everything it printed and wrote."""
    task = dict({'endpoint': handle.url, 'region': 'cn-hangzhou', 'instance_id': INSTANCE,
                 'groups': [{'group_id': 'GID_orders', 'min_consumers': min_consumers}],
                 'wait_timeout': wait_timeout, 'poll_interval': 1, 'retries': 1, 'report_dir': str(tmp_path / 'reports')}, **options)
    playbook = tmp_path / 'gate.yml'
    playbook.write_text(yaml.safe_dump([{'name': 'Gate', 'hosts': 'localhost', 'gather_facts': False,
                                         'tasks': [{'name': 'Gate on the consumers', 'apsaramq.rocketmq.gate': task}]}]))
    env = dict((name, value) for name, value in os.environ.items()
               if not name.startswith(('ALIBABA_CLOUD_', 'ALICLOUD_', 'ANSIBLE_')))
    env.update(ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false', ANSIBLE_LOCALHOST_WARNING='false',
               ANSIBLE_INVENTORY_UNPARSED_WARNING='false', ANSIBLE_NOCOLOR='1', ANSIBLE_LOCAL_TEMP=str(tmp_path / 'tmp'),
               ANSIBLE_HOME=str(tmp_path / 'ansible-home'), HOME=str(tmp_path / 'home'), **environ)
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), str(playbook), '-vvv']
    done = subprocess.run(command, env=env, cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=300, check=False)
    written = ''
    for name in sorted(os.listdir(str(tmp_path / 'reports'))) if (tmp_path / 'reports').exists() else []:
        with open(str(tmp_path / 'reports' / name)) as stream:
            written += stream.read()
    return done.returncode, done.stdout, written


def forms(secret):
    """The forms a secret may take in text: raw, JSON-escaped, percent-encoded, Base64."""
    raw = secret.encode('utf-8')
    found = {secret, json.dumps(secret)[1:-1], quote(secret, safe=''), quote_plus(secret)}
    for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
        text = encoded.decode('ascii')
        found.update((text, text.rstrip('=')))
    return found


def assert_no_secret(handle, text, extra=()):
    issued = [value for key in handle.state.sts.issued.values() for value in (key['access_key_secret'], key['security_token'])]
    secrets = [SECRET, STS_SECRET, STS_TOKEN] + issued + list(extra)
    for secret in secrets:
        for form in forms(secret):
            assert form not in text, 'a secret (%s...) is in the output' % secret[:4]


def signers(handle, action='OnsConsumerStatus'):
    """The key IDs that signed the gate's calls of ``action``, and the codes they got."""
    entries = [entry for entry in handle.state.log.snapshot()['requests'] if entry['action'] == action]
    return [entry['access_key_id'] for entry in entries], [entry['code'] for entry in entries]


def _mint(handle, tmp_path):
    token = handle.state.sts.mint_oidc_token(PROVIDER, lifetime=600)
    token_file = tmp_path / 'oidc-token'
    token_file.write_text(token + '\n')
    return token, str(token_file)


# Each case: the task's options and the environment, from the emulator's URL, the OIDC token file,
# and what signs the gate's calls: the demo key, the static STS key, or credentials STS issued.
CASES = {
    'access key (environment)': (lambda url, token_file: ({}, {'ALIBABA_CLOUD_ACCESS_KEY_ID': KEY_ID,
                                                               'ALIBABA_CLOUD_ACCESS_KEY_SECRET': SECRET}), KEY_ID),
    'sts token (options)': (lambda url, token_file: ({'access_key_id': STS_KEY_ID, 'access_key_secret': STS_SECRET,
                                                      'security_token': STS_TOKEN}, {}), STS_KEY_ID),
    'ecs role (option)': (lambda url, token_file: ({'ecs_role_name': 'gate-reader'}, {'ALIBABA_CLOUD_IMDS_ENDPOINT': url}), 'STS.'),
    'ram role arn (options)': (lambda url, token_file: ({'access_key_id': KEY_ID, 'access_key_secret': SECRET, 'role_arn': ROLE,
                                                         'role_session_name': 'gate-ci', 'duration_seconds': 900,
                                                         'sts_endpoint': url}, {}), 'STS.'),
    'ram role arn (environment)': (lambda url, token_file: ({}, {'ALIBABA_CLOUD_ACCESS_KEY_ID': KEY_ID,
                                                                 'ALIBABA_CLOUD_ACCESS_KEY_SECRET': SECRET,
                                                                 'ALIBABA_CLOUD_ROLE_ARN': ROLE, 'ALIBABA_CLOUD_STS_ENDPOINT': url}),
                                   'STS.'),
    'oidc token file (environment)': (lambda url, token_file: ({}, {'ALIBABA_CLOUD_ROLE_ARN': ROLE,
                                                                    'ALIBABA_CLOUD_OIDC_PROVIDER_ARN': PROVIDER,
                                                                    'ALIBABA_CLOUD_OIDC_TOKEN_FILE': token_file,
                                                                    'ALIBABA_CLOUD_STS_ENDPOINT': url}), 'STS.'),
    'oidc token file (options)': (lambda url, token_file: ({'role_arn': ROLE, 'oidc_provider_arn': PROVIDER,
                                                            'oidc_token_file': token_file, 'sts_endpoint': url}, {}), 'STS.'),
    'profile AK (current)': (lambda url, token_file: ({}, {}), KEY_ID),
    'profile StsToken': (lambda url, token_file: ({'profile': 'sts'}, {}), STS_KEY_ID),
    'profile EcsRamRole': (lambda url, token_file: ({'profile': 'ecs'}, {'ALIBABA_CLOUD_IMDS_ENDPOINT': url}), 'STS.'),
    'profile RamRoleArn': (lambda url, token_file: ({}, {'ALIBABA_CLOUD_PROFILE': 'arn', 'ALIBABA_CLOUD_STS_ENDPOINT': url}), 'STS.'),
    'profile OIDC': (lambda url, token_file: ({'profile': 'oidc', 'sts_endpoint': url}, {}), 'STS.'),
}


@pytest.mark.parametrize('case', sorted(CASES))
def test_the_gate_authenticates_and_no_secret_or_token_is_in_its_output(tmp_path, collections, emulator, case):
    handle = emulator()
    token, token_file = _mint(handle, tmp_path)
    write_profiles(tmp_path / 'home', handle, token_file)
    make, signer = CASES[case]
    options, environ = make(handle.url, token_file)
    status, output, written = run_gate(tmp_path, collections, handle, options, environ)
    assert status == 0, output
    assert 'Gate passed: 1 check' in output or 'deployment_gate passed' in output, output
    keys, codes = signers(handle)
    assert keys and all(key.startswith(signer) for key in keys) and set(codes) == {None}, (keys, codes)
    if signer == 'STS.':
        assert handle.state.sts.issued, 'the credentials came from the emulator\'s STS'
    assert_no_secret(handle, output + written, [token])


def test_a_gate_that_waits_longer_than_its_sts_token_lives_renews_it_and_never_signs_with_an_expired_one(tmp_path, collections, emulator):
    # Credentials that live 3 seconds, and a fourth client of GID_orders that comes 16 seconds after
    # the emulator started (ansible-playbook takes a few of them to start).
    data = scenario(credential_lifetime=3)
    with open(os.path.join(ROOT, 'emulator', 'scenarios', 'healthy.yml')) as stream:
        clients = yaml.safe_load(stream)['instances'][0]['groups'][0]['clients']
    data['timeline'] = [{'at': 16, 'description': 'a fourth client', 'groups': {
        'GID_orders': {'clients': clients + [dict(clients[0], client_id='10.0.1.8@1#1#1#1', client_addr='10.0.1.8:53040')]}}}]
    handle = emulator(data)
    token, token_file = _mint(handle, tmp_path)
    environ = {'ALIBABA_CLOUD_ROLE_ARN': ROLE, 'ALIBABA_CLOUD_OIDC_PROVIDER_ARN': PROVIDER, 'ALIBABA_CLOUD_OIDC_TOKEN_FILE': token_file,
               'ALIBABA_CLOUD_STS_ENDPOINT': handle.url}
    status, output, written = run_gate(tmp_path, collections, handle, {}, environ, min_consumers=4, wait_timeout=60)
    assert status == 0, output
    keys, codes = signers(handle)
    exchanges, dummy = signers(handle, 'AssumeRoleWithOIDC')
    # The gate waited about 10 seconds on tokens of 3, asking every second: it renewed them (at the
    # start, then about every 2.4 seconds), signed with several, and was never refused.
    assert len(exchanges) >= 3 and len(set(keys)) >= 3, (exchanges, keys)
    assert set(codes) == {None}, codes
    assert_no_secret(handle, output + written, [token])


def test_a_role_that_cannot_be_assumed_stops_the_gate_naming_the_sts_error_without_a_secret(tmp_path, collections, emulator):
    handle = emulator()
    options = {'access_key_id': KEY_ID, 'access_key_secret': SECRET, 'role_arn': 'acs:ram::%s:role/absent' % ACCOUNT,
               'sts_endpoint': handle.url}
    status, output, written = run_gate(tmp_path, collections, handle, options, {})
    assert status == 2, output
    assert 'Failed to find credentials: STS AssumeRole at %s for RAM role acs:ram::%s:role/absent failed: EntityNotExist.Role' % (
        handle.url, ACCOUNT) in written, written
    assert_no_secret(handle, output + written)
