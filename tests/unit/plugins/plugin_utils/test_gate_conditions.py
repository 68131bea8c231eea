# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Conditions mean the same on every supported ansible-core, and the facts they read are never templated.

`make cores` runs this file on the oldest supported core (2.17) as well as on the pinned one, so
each table below is one verdict per condition, whatever the core.
"""

import pytest
from ansible.utils.unsafe_proxy import wrap_var

from ansible.errors import AnsibleError

from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils import gate_conditions
# None before ansible-core 2.19, which has no template trust.
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_conditions import trust_as_template

FACTS = {
    'group_id': 'GID_orders',
    'connections': [{'client_id': 'c1', 'language': 'JAVA', 'version': 'V4_9_4'},
                    {'client_id': 'c2', 'language': 'java', 'version': 'V4_9_4'}],
    'status': {'consume_tps': 12.5, 'total_diff': 0, 'online': True, 'topics': []},
    'summary': {'count': 2, 'versions': {'V4_9_4': 2}},
}


@pytest.mark.parametrize('condition, expected', [
    ('connections | length == 2', True),
    ('connections | length > 2', False),
    ('status.online', True),
    ('not status.online', False),
    ('status.consume_tps > 0 and summary.count == 2', True),
    ('connections | map(attribute="language") | map("upper") | unique == ["JAVA"]', True),
    ('group_id is match("GID_")', True),
    ('status.topics is sequence and status.topics | length == 0', True),
    ('summary.versions["V4_9_4"] == 2', True),
    ('connections | length is truthy', True),
    ('"5.0.7" is version("4.9.4", ">=")', True),
])
def test_a_condition_gives_the_same_verdict_on_every_core(condition, expected):
    assert gate_conditions.evaluate(condition, FACTS) is expected


@pytest.mark.parametrize('condition, type_name', [
    ('connections | length', 'int'),
    ('status.consume_tps', 'float'),
    ('group_id', 'str'),
    ('connections', 'list'),
    ('summary', 'dict'),
    ('none', 'null'),
])
def test_a_condition_whose_value_is_not_true_or_false_is_an_error_naming_the_type(condition, type_name):
    with pytest.raises(AnsibleError) as raised:
        gate_conditions.evaluate(condition, FACTS)
    assert str(raised.value).startswith('the condition gave a value of type %s, not true or false' % type_name)
    assert '_Ansible' not in str(raised.value)


@pytest.mark.parametrize('condition, cause', [
    ('missing > 0', "'missing' is undefined"),
    ('missing.count == 1', "'missing' is undefined"),
    ('status.total_diff / 0 > 1', 'division by zero'),
])
def test_a_condition_that_cannot_be_evaluated_is_an_error_naming_why(condition, cause):
    with pytest.raises(AnsibleError, match=cause):
        gate_conditions.evaluate(condition, FACTS)


@pytest.mark.parametrize('condition', ['status.consume_tps >', 'a ==== b', '{{ x', 'connections | length ==', '(a'])
def test_a_condition_that_does_not_parse_is_a_syntax_error_on_every_core(condition):
    problem = gate_conditions.syntax_error(condition)
    assert problem and problem.startswith('Syntax error in expression')


@pytest.mark.parametrize('condition', [
    '(' * 3000 + 'status.online' + ')' * 3000,
    ' and '.join(['status.online'] * 1200),
])
def test_a_condition_too_deep_to_evaluate_is_refused_with_a_named_error(condition):
    assert gate_conditions.syntax_error(condition).startswith('the condition is nested too deeply to evaluate')
    with pytest.raises(gate_conditions.ConditionTooDeep):
        gate_conditions.evaluate(condition, FACTS)


def test_a_condition_that_parses_is_not_a_syntax_error_even_over_facts_it_does_not_have():
    assert gate_conditions.syntax_error('status.consume_tps > 0 and connections | length >= 2') is None


@pytest.mark.parametrize('name, builtin', [('bool', True), ('int', 3), ('float', 1.5), ('str', 'x'), ('list', [1]),
                                           ('list', (1,)), ('dict', {}), ('null', None)])
def test_type_names_are_the_plain_ones(name, builtin):
    class Tagged(type(builtin) if not isinstance(builtin, (bool, type(None))) else object):
        pass

    assert gate_conditions.type_name(builtin) == name
    if not isinstance(builtin, (bool, type(None))):
        assert gate_conditions.type_name(Tagged(builtin)) == name


# Jinja that renders to something else than itself, without any plugin: a rendered fact shows.
# (tests/playbooks/test_template_injection.py runs lookups that would write a file, in a playbook.)
PAYLOADS = ['{{ 6 * 7 }}', '{% if true %}rendered{% endif %}', '{{ "x" ~ "y" }}-1', '{# gone #}kept']


@pytest.mark.parametrize('condition', [
    'connections | length == 4',
    'connections[0].client_id == "{{ 6 * 7 }}"',
    'connections[1].client_id is search("{% if")',
    'status.name is string and status.name != "42"',
    'connections | map(attribute="client_id") | select("search", "[{][{%#]") | list | length == 4',
    'status.expressions["{{ 6 * 7 }}"] == "{{ 6 * 7 }}"',
])
def test_facts_that_hold_jinja_are_data_and_never_rendered(condition):
    facts = {'connections': [{'client_id': text, 'language': text} for text in PAYLOADS],
             'status': {'name': PAYLOADS[0], 'expressions': dict((text, text) for text in PAYLOADS)}}
    assert gate_conditions.evaluate(condition, facts) is True
    assert facts['connections'][1]['client_id'] == PAYLOADS[1]


# ---------------------------------------------------------------------------------------------
# fail_msg and success_msg: templates over the same facts, rendered the same on every core


@pytest.mark.parametrize('message, expected', [
    ('no template at all', 'no template at all'),
    ('{{ group_id }} has {{ summary.count }} clients', 'GID_orders has 2 clients'),
    ("{{ connections | map(attribute='client_id') | join(', ') }}", 'c1, c2'),
    ('{% for c in connections %}{{ c.language | upper }} {% endfor %}', 'JAVA JAVA '),
    ('{{ status.consume_tps }}/s{# a comment #}', '12.5/s'),
])
def test_a_message_renders_the_facts_the_same_on_every_core(message, expected):
    assert gate_conditions.render(message, FACTS) == expected


@pytest.mark.parametrize('message, refused', [
    ("{{ lookup('ansible.builtin.pipe', 'echo ran >> MARKER') }}", "'lookup' is undefined"),
    ("{{ query('ansible.builtin.pipe', 'echo ran >> MARKER') }}", "'query' is undefined"),
    ("{{ 'echo ran >> MARKER' | ansible.builtin.comment }}", 'ansible.builtin.comment'),
    ("{{ ''.__class__.__mro__ }}", 'unsafe'),
    ("{{ (group_id | attr('__class__')) }}", 'unsafe'),
])
def test_a_message_is_rendered_in_the_sandbox_with_the_facts_alone_and_never_reaches_a_plugin(tmp_path, message, refused):
    # A message marked !unsafe may come from anyone who can set a variable: it runs nothing.
    marker = tmp_path / 'ran'
    message = message.replace('MARKER', str(marker))
    # Only a filter Jinja does not have is found before the gate starts; the rest is refused when rendered.
    assert (gate_conditions.message_syntax_error(message) is None) is ('comment' not in message)
    with pytest.raises(AnsibleError, match=refused):
        gate_conditions.render(message, FACTS)
    assert not marker.exists()


def test_checking_a_message_parses_it_and_runs_nothing(tmp_path):
    marker = tmp_path / 'ran'
    assert gate_conditions.message_syntax_error("{{ lookup('ansible.builtin.pipe', 'echo ran >> %s') }}" % marker) is None
    assert not marker.exists()


@pytest.mark.skipif(trust_as_template is None, reason='ansible-core before 2.19 has no template trust')
def test_a_condition_is_trusted_as_ansible_2_19_and_later_trust_it():
    assert gate_conditions.trusted(trust_as_template('status.consume_tps > 0'))
    assert not gate_conditions.trusted('status.consume_tps > 0')


@pytest.mark.skipif(trust_as_template is not None, reason='ansible-core 2.19 and later tell a trusted template')
def test_before_2_19_every_condition_is_trusted_as_it_always_was():
    # Those cores mark unsafe whatever a lookup returns, the deployment gate's variables included.
    assert gate_conditions.trusted('status.consume_tps > 0') and gate_conditions.trusted(wrap_var('status.consume_tps > 0'))


def test_a_message_renders_a_fact_holding_jinja_as_the_text_it_is(tmp_path):
    marker = tmp_path / 'ran'
    hostile = "{{ lookup('ansible.builtin.pipe', 'echo ran >> %s') }}" % marker
    facts = dict(FACTS, group_id=hostile)
    assert gate_conditions.render('group {{ group_id }}', facts) == 'group ' + hostile
    assert gate_conditions.render('{{ [group_id] | join }}{{ group_id | upper | lower }}', facts) == hostile + hostile.lower()
    assert not marker.exists()


def test_a_message_that_cannot_be_rendered_is_an_error_and_one_that_does_not_parse_is_found_before_the_gate_starts():
    with pytest.raises(AnsibleError, match='no_such_fact'):
        gate_conditions.render('{{ no_such_fact.count }}', FACTS)
    assert gate_conditions.message_syntax_error('lag {{ status.total_diff ') is not None
    assert gate_conditions.message_syntax_error('{% if %}') is not None
    assert gate_conditions.message_syntax_error('lag {{ no_such_fact }}') is None
    assert gate_conditions.message_syntax_error('plain words') is None


def test_a_value_is_named_by_its_plain_type_never_a_core_internal_class():
    class _AnsibleTaggedStr(str):
        pass

    class _AnsibleTaggedList(list):
        pass

    assert [gate_conditions.type_name(value) for value in (_AnsibleTaggedStr('x'), _AnsibleTaggedList(), True, 1, None)] == [
        'str', 'list', 'bool', 'int', 'null']
