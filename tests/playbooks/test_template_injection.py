# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the API answers is data: Jinja in it is never rendered, by the gate or by the playbook around it.

Every string the gate's facts carry that a consumer or the account's owner writes (client IDs,
addresses, host names, languages, versions, subscription expressions, thread stacks, instance
names, tags, message keys and tags, hosts, properties) holds Jinja that would append to a marker
file if it were ever rendered. The deployment gate playbook checks a 4.x and a 5.x instance with
Jinja (``that``) and JMESPath (``query``) rules over those facts, traces messages on both, and
the test asserts that nothing ran and that the strings reach the JSON report unchanged.

`make cores` runs this file with each supported core's ansible-playbook: the one of the Python
that runs pytest.
"""

import json
import os
import subprocess
import sys

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from emulator.server import start  # noqa: E402  pylint: disable=wrong-import-position
# None before ansible-core 2.19, which has no template trust.
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_conditions import (  # noqa: E402  pylint: disable=wrong-import-position
    trust_as_template,
)

KEY_ID = 'LTAI5tInjectionTestKey01'
SECRET = 'InjectionTestSecretNotForProduction01'
INSTANCE_4 = 'MQ_INST_1234567890_INJECT'
INSTANCE_5 = 'rmq-cn-inject000001'
MSG_4 = '0A0001050000217A000000000000B001'
MSG_5 = '0100163E0EC1F1965C04C7906700000B002'


def payloads(marker):
    """Jinja in every form a template engine acts on: expressions, blocks, lookups, queries."""
    return {
        'expression': "{{ lookup('ansible.builtin.pipe', 'echo expression >> %s') }}" % marker,
        'block': "{%% set x = lookup('ansible.builtin.pipe', 'echo block >> %s') %%}{{ x }}" % marker,
        'query': "{{ query('ansible.builtin.pipe', 'echo query >> %s') | first }}" % marker,
        'comment': "{# #}{{ lookup('ansible.builtin.pipe', 'echo comment >> %s') }}" % marker,
    }


def hostile_client(text, number, version, expression):
    return {
        'client_id': '%s-%d' % (text, number),
        'client_addr': '10.0.1.%d:5301%d' % (number, number),
        'hostname': '%s-host' % text,
        'egress_ip': text,
        'language': 'JAVA',
        'version': version,
        # One expression for every client: the group's subscriptions agree.
        'subscriptions': [{'topic': 'orders', 'expression': expression}],
        'jstack': [{'thread': text, 'track': [text, 'at %s' % text]}],
    }


def instance(instance_id, texts, version, msg_id):
    clients = [hostile_client(text, number, version, texts['block']) for number, text in enumerate(texts.values(), start=1)]
    return {
        'instance_id': instance_id,
        'instance_name': texts['expression'],
        'remark': texts['block'],
        'tags': {'env': texts['query']},
        'topics': [{'topic': 'orders', 'max_offset': 1000, 'remark': texts['comment']}],
        'groups': [{'group_id': 'GID_orders', 'offsets': {'orders': 1000}, 'remark': texts['block'],
                    'tags': {'owner': texts['expression']}, 'clients': clients}],
        'messages': [{'msg_id': msg_id, 'topic': 'orders', 'offset': 998, 'tag': texts['expression'],
                      'keys': texts['block'], 'born_host': texts['query'], 'store_host': texts['comment'],
                      'properties': {'TRACE': texts['expression']}}],
    }


def scenario(texts):
    return {
        'description': 'Jinja in every string the API answers',
        'region': 'cn-hangzhou',
        'keys': [{'access_key_id': KEY_ID, 'access_key_secret': SECRET}],
        'instances': [instance(INSTANCE_4, texts, 'V4_9_4', MSG_4), instance(INSTANCE_5, texts, '5.0.7', MSG_5)],
    }


# Rules over the hostile facts: Jinja conditions (also through the vars lookup, which renders
# what it reads unless it is marked as data) and JMESPath queries whose results are reported.
RULES = [
    {'name': 'ids_seen', 'that': ['connections | length == 4',
                                  'connections | map(attribute="client_id") | select("search", "lookup|query") | list | length == 4',
                                  'connections | map(attribute="language") | unique | list == ["JAVA"]']},
    {'name': 'ids_through_vars', 'that': ["lookup('ansible.builtin.vars', 'connections') | length == 4",
                                          "lookup('ansible.builtin.vars', 'connections')[0].client_id is string"]},
    {'name': 'client_ids', 'query': 'length(connections[].client_id)', 'expect': 4},
    {'name': 'hostile_ids', 'query': 'connections[].client_id', 'expect': 'every client ID, reported as data'},
]


class Unsafe(str):
    """A string written ``!unsafe`` in YAML: Ansible leaves it as it is, for the gate to render over the facts."""


class Dumper(yaml.SafeDumper):  # pylint: disable=too-many-ancestors
    """yaml.SafeDumper that writes Unsafe strings with their tag."""


Dumper.add_representer(Unsafe, lambda dumper, data: dumper.represent_scalar('!unsafe', str(data)))
# A rule whose fail_msg renders the hostile facts: it fails (four clients, not five), and its message
# carries every client ID as written, through filters and attribute and item access alike.
RULES.append({'name': 'ids_in_message', 'that': ['connections | length == 5'],
              'fail_msg': Unsafe("ids: {{ connections | map(attribute='client_id') | sort | join(' ') }}; "
                                 "first: {{ connections[0]['client_id'] }}")})


def gate_vars(url, report_dir):
    groups = [{'group_id': 'GID_orders', 'min_consumers': 4, 'uniform_version': True,
               'unique_client_ids': True, 'subscription_consistent': True},
              {'group_id': 'GID_orders', 'instance_id': INSTANCE_5, 'min_consumers': 4, 'uniform_version': True,
               'subscription_consistent': True}]
    return {
        'ons_endpoint': url, 'rmq_endpoint': url, 'ons_region': 'cn-hangzhou',
        'consumer_health_instance_id': INSTANCE_4,
        'consumer_health_groups': groups,
        'consumer_health_rules': RULES,
        'consumer_health_wait_timeout': 0,
        'message_delivery_instance_id': INSTANCE_4,
        'message_delivery_messages': [{'topic': 'orders', 'msg_id': MSG_4},
                                      {'topic': 'orders', 'msg_id': MSG_5, 'instance_id': INSTANCE_5}],
        'message_delivery_wait_timeout': 0,
        'gate_report_dir': report_dir,
        'gate_report_name': 'injection',
    }


def task_playbook(url, report_dir):
    """A play of its own that calls the gate action with the rules written in the task, as trusted as Jinja gets."""
    settings = gate_vars(url, report_dir)
    gate = {
        'groups': settings['consumer_health_groups'],
        'group_defaults': {'instance_id': INSTANCE_4, 'rules': RULES},
        'messages': settings['message_delivery_messages'],
        'message_defaults': {'instance_id': INSTANCE_4},
        'wait_timeout': 0,
        'rmq_endpoint': url,
        'endpoint': url,
        'region': 'cn-hangzhou',
        'report_json': os.path.join(report_dir, 'injection.json'),
        'fail': False,
    }
    return [{'name': 'The gate as a task', 'hosts': 'localhost', 'connection': 'local', 'gather_facts': False,
             'vars': {'ansible_python_interpreter': '{{ ansible_playbook_python }}'},
             'tasks': [{'name': 'Gate', 'apsaramq.rocketmq.gate': gate, 'register': 'result'},
                       {'name': 'Show the verdict line', 'ansible.builtin.debug': {'msg': '{{ result.msg }}'}},
                       {'name': 'Fail as the playbook does', 'ansible.builtin.fail': {'msg': '{{ result.msg }}'},
                        'when': 'not result.passed'}]}]


def roles_playbook(url):
    """The roles one after the other, their verdicts reported together by gate_report: set_fact, filters and copy over the facts."""
    return [{'name': 'The roles and gate_report', 'hosts': 'localhost', 'connection': 'local', 'gather_facts': False,
             'vars': {'ansible_python_interpreter': '{{ ansible_playbook_python }}'},
             'module_defaults': {'group/apsaramq.rocketmq.ons': {'endpoint': url, 'region': 'cn-hangzhou'},
                                 'apsaramq.rocketmq.gate': {'rmq_endpoint': url}},
             'tasks': [
                 {'name': 'Consumers', 'ansible.builtin.include_role': {'name': 'apsaramq.rocketmq.consumer_health'},
                  'vars': {'consumer_health_report': False}},
                 {'name': 'Messages', 'ansible.builtin.include_role': {'name': 'apsaramq.rocketmq.message_delivery'},
                  'vars': {'message_delivery_report': False}},
                 {'name': 'Report both', 'ansible.builtin.include_role': {'name': 'apsaramq.rocketmq.gate_report'},
                  'vars': {'gate_report_verdicts': '{{ consumer_health_verdicts + message_delivery_verdicts }}'}}]}]


def play(tmp_path, collections, playbook_file, vars_file, verbosity=None):
    """Run ``playbook_file`` with the variables of ``vars_file``, as a CI job runs it; return the finished process."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false',
               ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false',
               ANSIBLE_NOCOLOR='1', ANSIBLE_LOCAL_TEMP=str(tmp_path / 'tmp'), ANSIBLE_HOME=str(tmp_path / 'home'),
               ALIBABA_CLOUD_ACCESS_KEY_ID=KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET=SECRET)
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), playbook_file, '-e', '@%s' % vars_file]
    if verbosity:
        command.append(verbosity)
    return subprocess.run(command, env=env, cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=300, check=False)


def run_gate(tmp_path, collections, url, verbosity=None, how='deployment_gate'):
    report_dir = str(tmp_path / 'reports')
    vars_file = tmp_path / 'gate.yml'
    vars_file.write_text(yaml.dump(gate_vars(url, report_dir), Dumper=Dumper))
    playbook_file = os.path.join(ROOT, 'playbooks', 'deployment_gate.yml')
    if how == 'task':
        playbook_file = str(tmp_path / 'task.yml')
        with open(playbook_file, 'w') as stream:
            yaml.dump(task_playbook(url, report_dir), stream, Dumper=Dumper)
    elif how == 'roles':
        playbook_file = str(tmp_path / 'roles.yml')
        with open(playbook_file, 'w') as stream:
            yaml.dump(roles_playbook(url), stream, Dumper=Dumper)
    done = play(tmp_path, collections, playbook_file, vars_file, verbosity)
    report_file = os.path.join(report_dir, 'injection.json')
    report = None
    if os.path.exists(report_file):
        with open(report_file) as stream:
            report = json.load(stream)
    return done, report


@pytest.mark.parametrize('how, verbosity', [('deployment_gate', None), ('deployment_gate', '-vvvv'), ('task', None), ('roles', None)])
def test_jinja_in_every_answer_never_runs_and_reaches_the_report_unchanged(tmp_path, collections, how, verbosity):
    marker = str(tmp_path / 'ran')
    texts = payloads(marker)
    emulator = start(scenario(texts), host='127.0.0.1', port=0)
    try:
        done, report = run_gate(tmp_path, collections, emulator.url, verbosity, how)
    finally:
        emulator.stop()
    assert not os.path.exists(marker), 'the API data was rendered: %s\n%s' % (open(marker).read(), done.stdout[-4000:])
    assert report is not None, done.stdout[-4000:]
    checks = dict(((c['instance_id'], c['subject'], c['check']), c) for c in report['checks'])
    # Every check and rule ran over the hostile facts of both instances and judged them as data.
    judged_as_data = ('ids_seen', 'ids_through_vars', 'client_ids', 'min_consumers', 'uniform_version',
                      'subscription_consistent')
    for instance_id in (INSTANCE_4, INSTANCE_5):
        for check in judged_as_data:
            verdict = checks[(instance_id, 'GID_orders', check)]
            assert verdict['status'] == 'passed', verdict
    assert checks[(INSTANCE_4, 'GID_orders', 'unique_client_ids')]['status'] == 'passed'
    # The query's result is in the report exactly as the API sent it.
    hostile = [c for (instance_id, subject, check), c in checks.items() if check == 'hostile_ids']
    assert len(hostile) == 2
    expected_ids = sorted('%s-%d' % (text, number) for number, text in enumerate(texts.values(), start=1))
    for verdict in hostile:
        assert verdict['status'] == 'failed'
        assert sorted(verdict['observed']) == expected_ids
    # A fail_msg over the facts renders them as data: every client ID as written, nothing run.
    for instance_id in (INSTANCE_4, INSTANCE_5):
        verdict = checks[(instance_id, 'GID_orders', 'ids_in_message')]
        assert verdict['status'] == 'failed', verdict
        assert verdict['reason'].startswith('ids: %s; first: ' % ' '.join(expected_ids)), verdict
        assert verdict['reason'][len('ids: %s; first: ' % ' '.join(expected_ids)):] in expected_ids, verdict
    # The log says the same and the play ends as a failed gate, not an error.
    assert done.returncode == 2, done.stdout[-4000:]
    assert texts['expression'] + '-1' in json.dumps(report)


@pytest.mark.parametrize('how', ['unsafe condition', 'survey text'])
def test_a_rule_from_data_is_refused_before_anything_runs(tmp_path, collections, how):
    # A rule is code: one marked !unsafe (as AWX marks the answers given at launch) or given in a
    # survey answer's text never runs, and neither does its message. Only the cores from 2.19 on
    # tell a trusted template from data.
    if how == 'unsafe condition' and trust_as_template is None:
        pytest.skip('ansible-core before 2.19 has no template trust')
    marker = str(tmp_path / 'ran')
    rule = {'name': 'r', 'that': [Unsafe("lookup('ansible.builtin.pipe', 'echo that >> %s') is string" % marker)],
            'fail_msg': Unsafe("{{ lookup('ansible.builtin.pipe', 'echo msg >> %s') }}" % marker)}
    settings = {'consumer_health_instance_id': INSTANCE_4, 'ons_region': 'cn-hangzhou', 'ons_endpoint': 'http://127.0.0.1:9',
                'gate_report_dir': str(tmp_path / 'reports'), 'gate_report_name': 'injection'}
    if how == 'survey text':
        settings['consumer_health_groups'] = Unsafe(json.dumps([{'group_id': 'GID_orders', 'rules': [dict(rule, that=[str(rule['that'][0])],
                                                                                                          fail_msg=str(rule['fail_msg']))]}]))
        says = 'consumer_health_groups[0].rules: is in text: a rule runs its conditions'
    else:
        settings['consumer_health_groups'] = [{'group_id': 'GID_orders', 'rules': [rule]}]
        says = 'consumer_health_groups[0].rules[0].that[0]: '
    vars_file = tmp_path / 'gate.yml'
    vars_file.write_text(yaml.dump(settings, Dumper=Dumper))
    done = play(tmp_path, collections, os.path.join(ROOT, 'playbooks', 'deployment_gate.yml'), vars_file)
    assert done.returncode == 2 and not os.path.exists(marker), done.stdout[-4000:]
    with open(str(tmp_path / 'reports' / 'injection.json')) as stream:
        [verdict] = json.load(stream)['checks']
    assert verdict['status'] == 'inconclusive' and says in verdict['reason'], verdict
