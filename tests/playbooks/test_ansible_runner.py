# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The deployment gate as AWX and Automation Platform run it: through ansible-runner.

Each case runs the AWX guide's project playbooks (``docs/awx/project/``) with ansible-runner's
Python API, as AWX runs a job: a private data directory whose ``project/`` holds them, the survey
answers and the workflow's artifacts as extra variables, and the credential as the environment
that the guide's credential type (``docs/awx/credential_type_access_key.yml``) injects, rendered
from that file as AWX renders it. The emulator serves a 4.x instance whose rollout is stuck halfway
(the gate fails) or finished (it passes). What a job keeps is checked: its exit status, the job
events (the gate's summary lines, the task's result, the stats with their artifacts), and where
the reports go.

`make cores` runs this file with each supported core's ansible-runner and ansible-playbook.
"""

import glob
import json
import os
import re
import shutil
import stat
import sys
import tempfile

import pytest
import requests
import yaml
from jinja2 import meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

import ansible_runner

# ansible-runner starts ansible-playbook in a pty, as in AWX, forking this process, which has threads
# (the emulator's, pytest-xdist's): the child only execs, which the warning of Python 3.12 and later
# about forking a process with threads does not concern.
pytestmark = pytest.mark.filterwarnings('ignore:This process .* is multi-threaded, use of forkpty:DeprecationWarning')

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from emulator.server import start  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_variables import GATE_VARIABLES  # noqa: E402  pylint: disable=wrong-import-position

AWX = os.path.join(ROOT, 'docs', 'awx')
KEY_ID = 'LTAI5tEmulatorDemoKey01'
SECRET = 'EmulatorDemoSecretNotForProduction01'
INSTANCE = 'MQ_INST_1234567890_DEMO'
GATE_VARIABLE_NAMES = set(name for names in GATE_VARIABLES.values() for name in names)
# What AWX takes in a credential type (awx/main/fields.py: CredentialInputField, CredentialTypeInjectorField).
FIELD_KEYS = {'id', 'label', 'type', 'secret', 'multiline', 'help_text', 'default', 'choices', 'format', 'ask_at_runtime'}
INJECTOR_SECTIONS = {'env', 'extra_vars', 'file'}
FILE_KEY = re.compile(r'^template(\.[a-zA-Z_]+[a-zA-Z0-9_]*)?$')


class Namespace:
    """AWX's ``tower`` namespace of a credential's injectors: ``tower.filename`` names the file injector's file."""


def credential_type(name):
    with open(os.path.join(AWX, name)) as stream:
        return yaml.safe_load(stream)


def inject(kind, inputs, private_data_dir):
    """The environment and extra variables that AWX gives a job for a credential of ``kind`` with ``inputs``.

    As AWX's CredentialType.inject_credential does: every template rendered in a sandbox with the
    inputs (a blank optional input renders empty), each file template written to a file of the
    private data's ``env/`` that ``tower.filename`` names.
    """
    sandbox = ImmutableSandboxedEnvironment()
    tower = Namespace()
    namespace = dict(inputs, tower=tower)
    injectors = kind['injectors']
    for label, template in sorted(injectors.get('file', {}).items()):
        handle, path = tempfile.mkstemp(dir=os.path.join(private_data_dir, 'env'))
        with os.fdopen(handle, 'w') as stream:
            stream.write(sandbox.from_string(template).render(**namespace))
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        if '.' in label:
            if not isinstance(getattr(tower, 'filename', None), Namespace):
                tower.filename = Namespace()
            setattr(tower.filename, label.split('.', 1)[1], path)
        else:
            tower.filename = path
    env = {name: sandbox.from_string(template).render(**namespace) for name, template in injectors.get('env', {}).items()}
    extra_vars = {name: sandbox.from_string(template).render(**namespace) for name, template in injectors.get('extra_vars', {}).items()}
    return env, extra_vars


def answers(**given):
    """The extra variables of the guide's survey (docs/awx/survey_deployment_gate.json) answered with ``given``.

    As AWX sends them: text, as typed; an optional question left blank as an empty text.
    """
    with open(os.path.join(AWX, 'survey_deployment_gate.json')) as stream:
        spec = json.load(stream)['spec']
    asked = [question['variable'] for question in spec]
    assert set(given) <= set(asked), 'not in the survey: %s' % sorted(set(given) - set(asked))
    missing = [question['variable'] for question in spec if question['required'] and question['variable'] not in given]
    assert not missing, 'required answers missing: %s' % missing
    return {variable: given.get(variable, '') for variable in asked}


@pytest.fixture
def emulator(request):
    handle = start(os.path.join(ROOT, 'emulator', 'scenarios', '%s.yml' % request.param), host='127.0.0.1', port=0)
    yield handle
    handle.stop()


class Job:
    """One ansible-runner run of a playbook of the AWX project, as AWX runs a job template."""

    def __init__(self, tmp_path, collections, name):
        self.private_data_dir = str(tmp_path / name)
        self.tmp_path = tmp_path
        self.collections = collections
        os.makedirs(os.path.join(self.private_data_dir, 'env'))
        shutil.copytree(os.path.join(AWX, 'project'), os.path.join(self.private_data_dir, 'project'))
        self.env = {}
        self.runner = None

    def credential(self, kind, inputs):
        env, extra_vars = inject(credential_type(kind), inputs, self.private_data_dir)
        self.env.update(env)
        return extra_vars

    def run(self, playbook, extravars):
        envvars = dict(self.env, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get('PATH', ''),
                       ANSIBLE_COLLECTIONS_PATH=self.collections, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false',
                       ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false',
                       ANSIBLE_HOME=str(self.tmp_path / 'ansible-home'), ANSIBLE_LOCAL_TEMP=str(self.tmp_path / 'ansible-tmp'))
        self.runner = ansible_runner.run(private_data_dir=self.private_data_dir, playbook=playbook, extravars=extravars,
                                         envvars=envvars, process_isolation=False, quiet=True, timeout=300)
        return self.runner

    @property
    def events(self):
        return list(self.runner.events)

    def lines(self):
        """The job's output, line by line, as AWX shows it."""
        return [line for event in self.events for line in (event.get('stdout') or '').splitlines()]

    def stats_event(self):
        found = [event for event in self.events if event['event'] == 'playbook_on_stats']
        assert len(found) == 1, [event['event'] for event in self.events]
        return found[0]['event_data']

    def kept(self):
        """Everything of the job that AWX keeps: its events (with their stdout) and its output."""
        texts = [json.dumps(event) for event in self.events]
        for path in glob.glob(os.path.join(self.private_data_dir, 'artifacts', '*', 'stdout')):
            with open(path) as stream:
                texts.append(stream.read())
        return '\n'.join(texts)


def access_key(job, **more):
    """The guide's AccessKey credential type with the emulator's demo key pair; the STS token left blank."""
    return job.credential('credential_type_access_key.yml', dict({'access_key_id': KEY_ID, 'access_key_secret': SECRET,
                                                                 'region': 'cn-hangzhou'}, **more))


def gate_settings(endpoint, **settings):
    return dict({'ons_endpoint': endpoint, 'ons_retries': 0, 'consumer_health_instance_id': INSTANCE,
                 'consumer_health_groups': [{'group_id': 'GID_orders', 'min_consumers': 2}],
                 'consumer_health_uniform_version': True}, **settings)


@pytest.mark.parametrize('emulator', ['rollout_half_done'], indirect=True)
def test_a_failing_gate_fails_the_job_with_exit_status_2_and_its_summary_in_the_job_events(tmp_path, collections, emulator):
    job = Job(tmp_path, collections, 'gate')
    extra_vars = access_key(job)
    runner = job.run('deployment_gate.yml', dict(extra_vars, **gate_settings(emulator.url)))
    lines = job.lines()
    assert (runner.status, runner.rc) == ('failed', 2), '\n'.join(lines)
    # The summary and the line of the failed check, each once, as the job's output shows them.
    summary = [line for line in lines if line.startswith('deployment_gate FAILED: ')]
    assert summary == ['deployment_gate FAILED: 5 checks, 4 passed, 1 failed, 0 inconclusive'], '\n'.join(lines)
    failed = [line for line in lines if 'uniform_version FAILED' in line]
    assert len(failed) == 1 and failed[0].startswith('  - GID_orders uniform_version FAILED: expected one version, observed V4_9_4: 2, V5_1_0: 2')
    # The gate's task is the one that failed, with the outcome as its message.
    results = [event for event in job.events if event['event'].startswith('runner_on_') and event['event'] != 'runner_on_start']
    assert [(event['event'], event['event_data']['task']) for event in results] == [('runner_on_failed', 'Gate the deployment')]
    assert results[0]['event_data']['res']['msg'] == 'deployment_gate failed: 1 of 5 checks did not pass'
    # ansible-core records no custom stats of a failed task: the job has no artifacts.
    stats = job.stats_event()
    assert stats['failures'] == {'localhost': 1} and stats['artifact_data'] == {}
    assert runner.stats['failures'] == {'localhost': 1}
    # Without gate_report_dir, the reports are in the job's working directory: its project folder,
    # which AWX throws away with the job.
    reports = os.path.join(job.private_data_dir, 'project', 'reports')
    assert sorted(os.listdir(reports)) == ['deployment_gate-junit.xml', 'deployment_gate.json']
    assert '  JSON report: %s' % os.path.join(reports, 'deployment_gate.json') in lines
    # The secret the credential injected is in nothing that AWX keeps of the job.
    assert SECRET not in job.kept()


@pytest.mark.parametrize('emulator', ['rollout_half_done'], indirect=True)
def test_with_gate_report_fail_false_the_job_passes_publishes_the_verdict_and_the_workflow_branches_on_it(tmp_path, collections, emulator):
    job = Job(tmp_path, collections, 'gate')
    # A folder of its own for each job, named by the job's ID, which AWX gives every job as awx_job_id.
    mounted = str(tmp_path / 'mounted' / 'gate-reports')
    runner = job.run('deployment_gate.yml', dict(access_key(job), awx_job_id=42, **gate_settings(
        emulator.url, gate_report_fail=False, gate_report_dir=mounted + '/job-{{ awx_job_id }}')))
    mounted = os.path.join(mounted, 'job-42')
    lines = job.lines()
    assert (runner.status, runner.rc) == ('successful', 0), '\n'.join(lines)
    assert 'deployment_gate FAILED: 5 checks, 4 passed, 1 failed, 0 inconclusive' in lines
    results = [event for event in job.events if event['event'] == 'runner_on_ok']
    assert [event['event_data']['task'] for event in results] == ['Gate the deployment']
    assert results[0]['event_data']['res']['passed'] is False
    # The verdict, as the job's artifacts: what AWX keeps and passes to the workflow's next nodes.
    artifacts = job.stats_event()['artifact_data']
    outcome = artifacts['apsaramq_rocketmq_gate']['deployment_gate']
    assert (outcome['result'], outcome['passed']) == ('failed', False)
    assert outcome['counts'] == {'checks': 5, 'passed': 4, 'failed': 1, 'inconclusive': 0, 'not_applicable': 0, 'blocking': 1}
    assert len(outcome['failures']) == 1 and outcome['failures'][0].startswith('GID_orders uniform_version FAILED: ')
    assert re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$', outcome['finished'])
    # The reports, where gate_report_dir sends them: a folder the execution environment mounts.
    assert outcome['report_files'] == {'JSON': os.path.join(mounted, 'deployment_gate.json'),
                                       'JUnit': os.path.join(mounted, 'deployment_gate-junit.xml')}
    with open(outcome['report_files']['JSON']) as stream:
        assert json.load(stream)['failures'] == outcome['failures']
    assert not os.path.exists(os.path.join(job.private_data_dir, 'project', 'reports'))
    assert SECRET not in job.kept()

    # The workflow's next node gets the artifacts as extra variables: the outcome job fails, naming why.
    decision = Job(tmp_path, collections, 'outcome')
    runner = decision.run('gate_outcome.yml', artifacts)
    lines = decision.lines()
    assert (runner.status, runner.rc) == ('failed', 2), '\n'.join(lines)
    failed = [event for event in decision.events if event['event'] == 'runner_on_failed']
    assert [event['event_data']['task'] for event in failed] == ['Require the gate to have passed']
    assert failed[0]['event_data']['res']['msg'].split('\n') == ['deployment_gate did not pass: 1 failed, 0 inconclusive'] + outcome['failures']


@pytest.mark.parametrize('emulator', ['healthy'], indirect=True)
def test_survey_answers_pass_the_gate_and_the_workflow_goes_on(tmp_path, collections, emulator):
    # A textarea answer is text (JSON here, YAML below); the optional numbers left blank are empty texts.
    survey = answers(consumer_health_instance_id=INSTANCE,
                     consumer_health_groups='[{"group_id": "GID_orders", "min_consumers": 2}]',
                     consumer_health_uniform_version='true',
                     message_delivery_instance_id=INSTANCE,
                     message_delivery_messages='- topic: orders\n  msg_id: 0A0001050000217A000000000000A1B2\n')
    assert survey['consumer_health_max_lag'] == '' and survey['consumer_health_wait_timeout'] == ''
    job = Job(tmp_path, collections, 'gate')
    # The job template's extra variables: the emulator's URL, and the outcome published whatever it is.
    runner = job.run('deployment_gate.yml', dict(access_key(job), ons_endpoint=emulator.url, gate_report_fail=False, **survey))
    lines = job.lines()
    assert (runner.status, runner.rc) == ('successful', 0), '\n'.join(lines)
    assert any(re.match(r'^deployment_gate PASSED: \d+ checks, \d+ passed, 0 failed, 0 inconclusive', line) for line in lines), '\n'.join(lines)
    artifacts = job.stats_event()['artifact_data']
    outcome = artifacts['apsaramq_rocketmq_gate']['deployment_gate']
    assert (outcome['result'], outcome['passed'], outcome['failures']) == ('passed', True, [])
    # Both suites ran: the groups of the JSON answer and the message of the YAML one.
    with open(outcome['report_files']['JSON']) as stream:
        checks = json.load(stream)['checks']
    assert {(check['suite'], check['subject']) for check in checks} == {
        ('consumer_health', 'GID_orders'), ('message_delivery', 'orders/0A0001050000217A000000000000A1B2')}
    assert SECRET not in job.kept()

    decision = Job(tmp_path, collections, 'outcome')
    runner = decision.run('gate_outcome.yml', artifacts)
    assert (runner.status, runner.rc) == ('successful', 0), '\n'.join(decision.lines())
    passed = [event for event in decision.events if event['event'] == 'runner_on_ok']
    assert passed[-1]['event_data']['res']['msg'] == 'deployment_gate passed: %d checks' % outcome['counts']['checks']


def test_the_outcome_job_without_the_gates_artifacts_fails_saying_what_it_needs(tmp_path, collections):
    decision = Job(tmp_path, collections, 'outcome')
    runner = decision.run('gate_outcome.yml', {})
    assert (runner.status, runner.rc) == ('failed', 2), '\n'.join(decision.lines())
    failed = [event for event in decision.events if event['event'] == 'runner_on_failed']
    assert [event['event_data']['task'] for event in failed] == ['Require the outcome of the gate']
    assert failed[0]['event_data']['res']['msg'].startswith('no outcome of the gate deployment_gate (the artifact apsaramq_rocketmq_gate)')


@pytest.mark.parametrize('emulator', ['healthy'], indirect=True)
def test_a_job_with_the_role_credential_type_assumes_the_role_with_its_oidc_token_and_no_key(tmp_path, collections, emulator):
    provider = 'acs:ram::1234567890123456:oidc-provider/ci'
    minted = requests.post(emulator.url + '/_emulator/oidc-token', params={'provider': provider}, timeout=10)
    token = minted.json()['token']
    job = Job(tmp_path, collections, 'gate')
    extra_vars = job.credential('credential_type_role.yml', {'role_arn': 'acs:ram::1234567890123456:role/gate-reader',
                                                             'oidc_provider_arn': provider, 'oidc_token': token,
                                                             'role_session_name': '', 'region': 'cn-hangzhou'})
    # No AccessKey anywhere: STS is the emulator's, as a private STS endpoint would be.
    job.env['ALIBABA_CLOUD_STS_ENDPOINT'] = emulator.url
    assert not any(name.endswith(('ACCESS_KEY_ID', 'ACCESS_KEY_SECRET')) for name in job.env)
    runner = job.run('deployment_gate.yml', dict(extra_vars, **gate_settings(emulator.url)))
    lines = job.lines()
    assert (runner.status, runner.rc) == ('successful', 0), '\n'.join(lines)
    assert any(line.startswith('deployment_gate PASSED: ') for line in lines), '\n'.join(lines)
    # The OIDC token, and the STS token it was exchanged for, are in nothing AWX keeps of the job.
    kept = job.kept()
    assert token not in kept and token[-20:] not in kept
    assert 'SecurityToken' not in kept


@pytest.mark.parametrize('name', ['credential_type_access_key.yml', 'credential_type_role.yml'])
def test_a_credential_type_is_what_awx_accepts_and_injects_only_alibaba_cloud_variables(name):
    kind = credential_type(name)
    assert set(kind) == {'name', 'description', 'kind', 'inputs', 'injectors'} and kind['kind'] == 'cloud'
    fields = kind['inputs']['fields']
    ids = [field['id'] for field in fields]
    assert len(ids) == len(set(ids)) and set(kind['inputs']['required']) <= set(ids)
    for field in fields:
        assert set(field) <= FIELD_KEYS and field['type'] == 'string' and field['label'], field
        # A secret input is one AWX encrypts and hides: every key, secret and token.
        assert field.get('secret', False) == bool(re.search(r'secret|token', field['id'])), field
    assert set(kind['injectors']) <= INJECTOR_SECTIONS
    assert all(FILE_KEY.match(label) for label in kind['injectors'].get('file', {}))
    templates = [template for section in kind['injectors'].values() for template in section.values()]
    sandbox = ImmutableSandboxedEnvironment()
    for template in templates:
        assert meta.find_undeclared_variables(sandbox.parse(template)) <= set(ids) | {'tower'}, template
    assert all(name.startswith('ALIBABA_CLOUD_') for name in kind['injectors']['env'])
    # Every input reaches the job.
    assert set(ids) == set().union(*(meta.find_undeclared_variables(sandbox.parse(template)) for template in templates)) - {'tower'}


def test_the_role_credential_type_gives_the_variables_of_the_official_chain_and_the_token_as_a_file(tmp_path):
    (tmp_path / 'env').mkdir()
    token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFwc2FyYW1xL3JvY2tldG1xIn0.c2lnbmF0dXJl'
    env, extra_vars = inject(credential_type('credential_type_role.yml'), {
        'role_arn': 'acs:ram::1234567890123456:role/deployment-gate',
        'oidc_provider_arn': 'acs:ram::1234567890123456:oidc-provider/ci', 'oidc_token': token}, str(tmp_path))
    token_file = env.pop('ALIBABA_CLOUD_OIDC_TOKEN_FILE')
    assert os.path.dirname(token_file) == str(tmp_path / 'env') and stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
    with open(token_file) as stream:
        assert stream.read() == token
    # The blank optional inputs are empty, which the credential chain reads as unset.
    assert env == {'ALIBABA_CLOUD_ROLE_ARN': 'acs:ram::1234567890123456:role/deployment-gate',
                   'ALIBABA_CLOUD_OIDC_PROVIDER_ARN': 'acs:ram::1234567890123456:oidc-provider/ci',
                   'ALIBABA_CLOUD_ROLE_SESSION_NAME': '', 'ALIBABA_CLOUD_REGION_ID': ''}
    assert extra_vars == {}


def test_the_surveys_questions_are_variables_of_the_gate_and_its_lists_are_textareas():
    with open(os.path.join(AWX, 'survey_deployment_gate.json')) as stream:
        spec = json.load(stream)['spec']
    for question in spec:
        assert question['variable'] in GATE_VARIABLE_NAMES, question['variable']
        if question['variable'] in ('consumer_health_groups', 'message_delivery_messages'):
            assert question['type'] == 'textarea'
            # Its default, if any, is a list given as text, as the gate reads it.
            assert question['default'] == '' or isinstance(yaml.safe_load(question['default']), list)
        # An optional question may be left blank: the gate reads the empty answer as unset.
        assert question['required'] or question['default'] in ('', 'true', 'false'), question
