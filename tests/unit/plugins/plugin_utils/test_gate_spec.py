# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The gate's input, checked before its first API call: the plan, and the errors naming where the input is wrong."""

import copy
import re

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.validation import number_text
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_model import GateInputError
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_spec import gate_plan, group_plan, message_plan
from ansible_collections.apsaramq.rocketmq.tests.unit.plugins.plugin_utils.gate_builders import (
    INSTANCE,
    MSG,
    MSG2,
    OTHER_INSTANCE,
    ROLE_NAMES,
)


def plan(groups, names=None, **defaults):
    defaults.setdefault('instance_id', INSTANCE)
    return group_plan(groups, defaults, names=names)


# ---------------------------------------------------------------------------------------------
# Groups and their checks


def test_defaults_apply_to_every_group_and_a_group_overrides_them():
    first, second = plan([{'group_id': 'GID_a'}, {'group_id': 'GID_b', 'min_consumers': 3, 'uniform_version': False}],
                         min_consumers=2, uniform_version=True, max_lag=100)
    assert first['checks']['min_consumers'] == 2 and first['checks']['uniform_version'] is True
    assert second['checks']['min_consumers'] == 3 and second['checks']['uniform_version'] is False
    assert first['checks']['max_lag'] == second['checks']['max_lag'] == 100
    assert first['instance_id'] == INSTANCE
    assert (first['key'], second['key']) == ('groups[0]', 'groups[1]')


def test_by_default_a_group_must_have_one_consumer_unique_ids_consistent_subscriptions_and_few_failures():
    checks = plan([{'group_id': 'GID_a'}])[0]['checks']
    assert sorted(name for name, value in checks.items() if value not in (None, False)) == [
        'max_failed_percent', 'min_consumers', 'subscription_consistent', 'unique_client_ids']
    assert checks['max_failed_percent'] == 10
    assert checks['min_consumers'] == 1


def test_null_on_a_group_turns_a_default_check_off_for_that_group_only():
    entries = plan([{'group_id': 'GID_a', 'min_version': None}, {'group_id': 'GID_b'}], min_version='V4_9_4')
    assert entries[0]['checks']['min_version'] is None
    assert entries[1]['checks']['min_version'] == 'V4_9_4'


def test_numbers_and_booleans_given_as_strings_from_the_command_line_are_accepted():
    checks = plan([{'group_id': 'GID_a', 'max_lag': '500', 'uniform_version': 'yes', 'lag_trend': 'true'}],
                  min_consumers='2', max_delay_seconds='1.5')[0]['checks']
    assert checks['max_lag'] == 500 and checks['min_consumers'] == 2
    assert checks['uniform_version'] is True and checks['max_delay_seconds'] == 1.5 and checks['lag_trend'] is True


def test_a_misspelt_check_is_refused_instead_of_silently_skipped_naming_what_was_meant():
    with pytest.raises(GateInputError, match=r"^consumer_health_groups\[1\]: unknown key min_consumer \(did you mean min_consumers\?\) "
                                             r"\(accepted: group_id"):
        plan([{'group_id': 'GID_a'}, {'group_id': 'GID_b', 'min_consumer': 2}], names=ROLE_NAMES)


@pytest.mark.parametrize('entry, message', [
    ({'group_id': 'GID_a', 'min_version': 'V4'}, r"groups\[0\]\.min_version: 'V4' is not a RocketMQ client version name"),
    ({'group_id': 'GID_a', 'message_model': 'PUSH'},
     r"groups\[0\]\.message_model: 'PUSH' is not a message model \(accepted: CLUSTERING, BROADCASTING\)"),
    ({'group_id': 'GID_a', 'min_consumers': -1}, r"groups\[0\]\.min_consumers: -1 is not a whole number from 0 to 100000 clients"),
    ({'group_id': 'GID_a', 'max_lag': 'lots'}, r"groups\[0\]\.max_lag: 'lots' is not a whole number from 0 to 1000000000 messages"),
    ({'group_id': 'GID_a', 'max_lag': True}, r"groups\[0\]\.max_lag: True is not a whole number"),
    ({'group_id': 'GID_a', 'max_delay_seconds': -2}, r"groups\[0\]\.max_delay_seconds: -2 is not a number from 0 to 31536000 seconds"),
    ({'group_id': 'GID_a', 'allowed_languages': []}, r"groups\[0\]\.allowed_languages: lists no language; use null to turn the check off"),
    ({'group_id': 'GID_a', 'allowed_languages': 'JAVA'},
     r"groups\[0\]\.allowed_languages: expected a list of client languages, got str 'JAVA'"),
    ({'group_id': 'GID_a', 'uniform_version': 'maybe'}, r"groups\[0\]\.uniform_version: 'maybe' is not a boolean"),
    ({'group_id': 'GID_a', 'require_progress': 'maybe'}, r"groups\[0\]\.require_progress: 'maybe' is not a boolean"),
    ({'select': {'group_type': 'udp'}}, r"groups\[0\]\.select\.group_type: 'udp' is not a group type \(accepted: tcp, http\)"),
    ({'select': {'tags': {'app': True}}}, r"groups\[0\]\.select\.tags\.app: True is not a tag value"),
    ({'select': {'tag': {'app': 'x'}}}, r"groups\[0\]\.select: unknown key tag \(did you mean tags\?\) \(accepted: group_id, group_type, tags"),
    ({'group_id': 'GID_a', 'select': {}}, r"groups\[0\]: give exactly one of group_id .* and select"),
    ({'min_consumers': 2}, r"groups\[0\]: give exactly one of group_id"),
    ({'group_id': ''}, r"groups\[0\]\.group_id: expected a group ID, got ''"),
    ('GID_a', r"groups\[0\]: expected a dict with group_id or select, and the checks that apply, got str 'GID_a'"),
    ({'group_id': 'GID_a', 'min_consumers': 3, 'max_consumers': 2}, r"groups\[0\]: min_consumers 3 is above max_consumers 2"),
])
def test_bad_input_is_refused_naming_the_entry_the_key_and_what_is_accepted(entry, message):
    with pytest.raises(GateInputError, match='^' + message):
        plan([entry])


def test_every_group_needs_an_instance():
    with pytest.raises(GateInputError, match=r"^groups\[0\]: no instance_id: set it on the entry or for every group "
                                             r"\(group_defaults\.instance_id\)"):
        plan([{'group_id': 'GID_a'}], instance_id=None)
    with pytest.raises(GateInputError, match=r"^consumer_health_groups\[0\]: no instance_id: .* \(consumer_health_instance_id\)"):
        plan([{'group_id': 'GID_a'}], instance_id=None, names=ROLE_NAMES)
    assert plan([{'group_id': 'GID_a', 'instance_id': OTHER_INSTANCE}], instance_id=None)[0]['instance_id'] == OTHER_INSTANCE
    assert group_plan([{'group_id': 'GID_a'}], None, instance_id=OTHER_INSTANCE)[0]['instance_id'] == OTHER_INSTANCE
    assert group_plan([{'group_id': 'GID_a'}], {'instance_id': INSTANCE}, instance_id=OTHER_INSTANCE)[0]['instance_id'] == INSTANCE


def test_a_group_listed_twice_and_an_empty_or_missing_list_are_refused():
    with pytest.raises(GateInputError, match=r"^groups\[1\]: group GID_a of instance .* is listed twice"):
        plan([{'group_id': 'GID_a'}, {'group_id': 'GID_a'}])
    with pytest.raises(GateInputError, match=r"^groups: lists no group: a gate that checks nothing cannot pass"):
        plan([])
    with pytest.raises(GateInputError, match=r"^groups: expected a list of groups to check, got null"):
        plan(None)
    # The same group in two instances is two groups.
    assert len(plan([{'group_id': 'GID_a'}, {'group_id': 'GID_a', 'instance_id': OTHER_INSTANCE}])) == 2


def test_an_unknown_default_is_refused_by_its_own_name():
    with pytest.raises(GateInputError, match=r"^group_defaults.max_lags: unknown setting \(did you mean group_defaults.max_lag\?\) "
                                             r"\(accepted: instance_id, rules"):
        plan([{'group_id': 'GID_a'}], max_lags=3)
    # Passed through by a role, it is named as the role's variable would be.
    with pytest.raises(GateInputError, match=r"^consumer_health_max_lags: unknown setting \(did you mean consumer_health_max_lag\?\) "
                                             r"\(accepted: "):
        plan([{'group_id': 'GID_a'}], names=ROLE_NAMES, max_lags=3)


def test_defaults_are_named_as_the_variables_of_the_role_that_passes_them():
    with pytest.raises(GateInputError, match=r"^consumer_health_max_lag: 'lots' is not a whole number"):
        plan([{'group_id': 'GID_a'}], names=ROLE_NAMES, max_lag='lots')
    with pytest.raises(GateInputError, match=r"^consumer_health_min_consumers: 3 is above consumer_health_max_consumers 2"):
        plan([{'group_id': 'GID_a'}], names=ROLE_NAMES, min_consumers=3, max_consumers=2)
    with pytest.raises(GateInputError, match=r"^group_defaults\.max_lag: 'lots' is not a whole number"):
        plan([{'group_id': 'GID_a'}], max_lag='lots')


def test_a_named_group_is_a_tcp_group_unless_it_says_otherwise():
    entries = plan([{'group_id': 'GID_a'}, {'group_id': 'GID_b', 'group_type': 'HTTP'}])
    assert [entry['group_type'] for entry in entries] == ['tcp', 'http']
    with pytest.raises(GateInputError, match=r"^consumer_health_groups\[0\]\.group_type: 'udp' is not a group type \(accepted: tcp, http\)"):
        plan([{'group_id': 'GID_a', 'group_type': 'udp'}], names=ROLE_NAMES)
    with pytest.raises(GateInputError, match=r"^groups\[0\]\.group_type: applies to a group named with group_id; narrow a selection"):
        plan([{'select': {}, 'group_type': 'http'}])


def test_a_selection_keeps_its_filters_and_its_group_type_in_lower_case():
    entries = plan([{'select': {'group_type': 'http'}}, {'select': {'group_type': 'TCP', 'tags': {'a': 1}, 'exclude': ['GID_x']}}])
    assert [entry['select'] for entry in entries] == [
        {'group_id': None, 'group_type': 'http', 'tags': None, 'exclude': []},
        {'group_id': None, 'group_type': 'tcp', 'tags': {'a': '1'}, 'exclude': ['GID_x']}]
    assert [entry['group_id'] for entry in entries] == [None, None]


@pytest.mark.parametrize('entry, message', [
    ({'group_id': 'GID_orders\n'}, r"groups\[0\]\.group_id: 'GID_orders\\n' is not a group ID: use 1 to 128 letters"),
    ({'group_id': ' GID_orders'}, r"groups\[0\]\.group_id: ' GID_orders' is not a group ID"),
    ({'group_id': 'GID_a', 'instance_id': 'MQ_INST_1\n'}, r"groups\[0\]\.instance_id: 'MQ_INST_1\\n' is not an instance ID"),
    ({'select': {'exclude': ['GID_a\n']}}, r"groups\[0\]\.select\.exclude\[0\]: 'GID_a\\n' is not a group ID"),
    ({'group_id': 'GID_a', 'rules': [{'name': 'r\n', 'query': 'true'}]}, r"groups\[0\]\.rules\[0\]\.name: 'r\\n' is not a rule name"),
])
def test_names_are_matched_to_their_very_end(entry, message):
    with pytest.raises(GateInputError, match='^' + message):
        plan([entry])


@pytest.mark.parametrize('option, value, message', [
    ('min_consumers', 100001, r"^consumer_health_min_consumers: 100001 is not a whole number from 0 to 100000 clients"),
    ('max_consumers', True, r"^consumer_health_max_consumers: True is not a whole number"),
    ('max_lag', 1e12, r"^consumer_health_max_lag: 1000000000000.0 is not a whole number from 0 to 1000000000 messages"),
    ('max_delay_seconds', float('inf'), r"^consumer_health_max_delay_seconds: inf is not a number from 0 to 31536000 seconds"),
    ('max_delay_seconds', float('nan'), r"^consumer_health_max_delay_seconds: nan is not a number from 0 to 31536000 seconds"),
])
def test_the_numbers_of_checks_are_bounded(option, value, message):
    with pytest.raises(GateInputError, match=message):
        plan([{'group_id': 'GID_a'}], names=ROLE_NAMES, **{option: value})


# ---------------------------------------------------------------------------------------------
# Rules


def test_a_query_rule_is_compiled_so_that_a_typo_fails_before_any_api_call():
    with pytest.raises(GateInputError, match=r"^groups\[0\]\.rules\[0\]\.query: 'status\.connections\[\?' is not a valid JMESPath expression"):
        plan([{'group_id': 'GID_a', 'rules': [{'name': 'broken', 'query': 'status.connections[?'}]}])


def test_a_condition_with_a_syntax_error_is_refused_naming_where_it_is():
    with pytest.raises(GateInputError, match=r"^groups\[0\]\.rules\[0\]\.that\[0\]: 'status\.consume_tps >' is not a valid "
                                             r"condition: .*[Ss]yntax"):
        gate_plan(groups=[{'group_id': 'GID_a', 'rules': [{'name': 'tps', 'that': ['status.consume_tps >']}]}], instance_id=INSTANCE)
    with pytest.raises(GateInputError, match=r"^consumer_health_rules\[0\]\.that\[1\]: 'summary\.count ==' is not a valid condition"):
        plan([{'group_id': 'GID_a'}], names=ROLE_NAMES,
             rules=[{'name': 'count', 'that': ['summary.count > 0', 'summary.count ==']}])
    # One condition may be given as a string; the error then names the key itself.
    with pytest.raises(GateInputError, match=r"^groups\[0\]\.rules\[0\]\.that: '\{\{ x' is not a valid condition"):
        plan([{'group_id': 'GID_a', 'rules': [{'name': 'x', 'that': '{{ x'}]}])


def test_a_condition_over_facts_the_plan_does_not_know_is_accepted():
    # Whether a fact is defined is for the group's real facts to say, not the plan.
    rule = plan([{'group_id': 'GID_a', 'rules': [{'name': 'tps', 'that': 'status.consume_tps > 0', 'fail_msg': 'idle'}]}])[0]['rules'][0]
    assert rule == {'name': 'tps', 'allow_inconclusive': False, 'that': ['status.consume_tps > 0'], 'fail_msg': 'idle'}


@pytest.mark.parametrize('rules, message', [
    ([{'name': 'min_version', 'query': 'true'}], r"groups\[0\]\.rules\[0\]\.name: 'min_version' is the name of a built-in check"),
    ([{'name': 'lag_trend', 'that': 'true'}], r"groups\[0\]\.rules\[0\]\.name: 'lag_trend' is the name of a built-in check"),
    ([{'name': 'select', 'query': 'true'}], r"groups\[0\]\.rules\[0\]\.name: 'select' is the name of a built-in check"),
    ([{'name': 'has space', 'query': 'true'}], r"groups\[0\]\.rules\[0\]\.name: 'has space' is not a rule name: use 1 to 64 letters"),
    ([{'query': 'true'}], r"groups\[0\]\.rules\[0\]\.name: expected a rule name, got None"),
    ([{'name': 'r', 'query': 'true', 'expected': 1}], r"groups\[0\]\.rules\[0\]: unknown key expected"),
    ([{'name': 'r', 'query': 'true'}, {'name': 'r', 'query': 'false'}],
     r"groups\[0\]\.rules\[1\]\.name: 'r' is also the name of the rule groups\[0\]\.rules\[0\]: every rule needs a name of its own"),
    ([{'name': 'r'}], r"groups\[0\]\.rules\[0\]: give exactly one of query .* and that"),
    ([{'name': 'r', 'query': 'true', 'that': 'true'}], r"groups\[0\]\.rules\[0\]: give exactly one of query"),
    ([{'name': 'r', 'query': 'true', 'fail_msg': 'no'}], r"groups\[0\]\.rules\[0\]: fail_msg and success_msg go with that"),
    ([{'name': 'r', 'that': 'true', 'expect': True}], r"groups\[0\]\.rules\[0\]\.expect: goes with query"),
    ([{'name': 'r', 'that': []}], r"groups\[0\]\.rules\[0\]\.that: lists no condition"),
    ([{'name': 'r', 'that': ['true', '']}], r"groups\[0\]\.rules\[0\]\.that\[1\]: expected a Jinja condition"),
    ([{'name': 'r', 'that': 'true', 'fail_msg': ''}], r"groups\[0\]\.rules\[0\]\.fail_msg: expected a message, got ''"),
    ([{'name': 'r', 'that': 'true', 'fail_msg': 'lag {{ status.total_diff '}],
     r"groups\[0\]\.rules\[0\]\.fail_msg: 'lag \{\{ status.total_diff': Syntax error"),
    ([{'name': 'r', 'that': 'true', 'success_msg': '{% if %}'}], r"groups\[0\]\.rules\[0\]\.success_msg: '\{% if %\}': .*"),
])
def test_bad_rules_are_refused(rules, message):
    with pytest.raises(GateInputError, match='^' + message):
        plan([{'group_id': 'GID_a', 'rules': rules}])


def test_a_group_rule_may_not_take_the_name_of_a_rule_for_every_group():
    with pytest.raises(GateInputError, match=r"^consumer_health_groups\[0\]\.rules\[0\]\.name: 'java' is also the name of "
                                             r"the rule consumer_health_rules\[0\]"):
        plan([{'group_id': 'GID_a', 'rules': [{'name': 'java', 'query': 'summary.count', 'expect': 3}]}], names=ROLE_NAMES,
             rules=[{'name': 'java', 'query': 'summary.count'}])


def test_two_rules_for_every_group_of_one_name_are_refused_naming_the_users_variable():
    with pytest.raises(GateInputError, match=r"^consumer_health_rules\[1\]\.name: 'r' is also the name of the rule "
                                             r"consumer_health_rules\[0\]"):
        plan([{'group_id': 'GID_a'}], names=ROLE_NAMES, rules=[{'name': 'r', 'query': 'true'}, {'name': 'r', 'that': 'false'}])


def test_two_groups_may_each_have_a_rule_of_one_name():
    first, second = plan([{'group_id': 'GID_a', 'rules': [{'name': 'mine', 'query': 'true'}]},
                          {'group_id': 'GID_b', 'rules': [{'name': 'mine', 'query': 'false', 'expect': False}]}],
                         rules=[{'name': 'other', 'query': 'true'}])
    assert [(rule['name'], rule['expect']) for rule in first['rules']] == [('other', True), ('mine', True)]
    assert [(rule['name'], rule['expect']) for rule in second['rules']] == [('other', True), ('mine', False)]


def test_allowing_inconclusive_needs_a_check_the_group_has():
    with pytest.raises(GateInputError, match=r"^groups\[0\]\.allow_inconclusive: 'max_lagg' is not a check of this group"):
        plan([{'group_id': 'GID_a', 'allow_inconclusive': ['max_lagg']}])
    with pytest.raises(GateInputError, match=r"^consumer_health_allow_inconclusive: 'nope' is not a check of this group"):
        plan([{'group_id': 'GID_a'}], names=ROLE_NAMES, allow_inconclusive=['nope'])
    entry = plan([{'group_id': 'GID_a', 'rules': [{'name': 'mine', 'query': 'true'}]}],
                 allow_inconclusive=['mine', 'max_lag', 'select', 'require_progress'])[0]
    assert entry['allow_inconclusive'] == ['mine', 'max_lag', 'select', 'require_progress']


def test_a_query_nested_too_deeply_is_refused_naming_the_rule():
    with pytest.raises(GateInputError, match=r"^consumer_health_rules\[0\]\.query: the query of rule 'deep' nests too deeply"):
        plan([{'group_id': 'GID_a'}], names=ROLE_NAMES, rules=[{'name': 'deep', 'query': '(' * 5000 + 'status' + ')' * 5000}])


# ---------------------------------------------------------------------------------------------
# Messages


def messages(items, names=None, **defaults):
    defaults.setdefault('instance_id', INSTANCE)
    return message_plan(items, defaults, names=names)


def test_each_message_takes_the_defaults_it_does_not_override():
    items = [{'topic': 'orders', 'msg_id': MSG},
             {'topic': 'payments', 'msg_id': MSG2, 'allow_filtered': False, 'expect_consumed_by': ['GID_b']},
             {'topic': 'orders', 'msg_id': MSG, 'instance_id': OTHER_INSTANCE, 'allow_inconclusive': 'yes'}]
    planned = messages(items, expect_consumed_by=['GID_a'])
    assert [(message['key'], message['instance_id'], message['topic'], message['expect_consumed_by'], message['allow_filtered'],
             message['allow_inconclusive']) for message in planned] == [
        ('messages[0]', INSTANCE, 'orders', ['GID_a'], True, False),
        ('messages[1]', INSTANCE, 'payments', ['GID_b'], False, False),
        ('messages[2]', OTHER_INSTANCE, 'orders', ['GID_a'], True, True)]
    assert messages([{'topic': 'orders', 'msg_id': MSG}])[0]['expect_consumed_by'] is None


@pytest.mark.parametrize('message, error', [
    ({'topic': 'orders'}, r"message_delivery_messages\[0\]\.msg_id: expected a message ID, got None"),
    ({'topic': 'orders', 'msg_id': MSG, 'groups': ['x']}, r"message_delivery_messages\[0\]: unknown key groups"),
    ({'topic': 'orders', 'msg_id': MSG, 'expect_consumed_by': []}, r"message_delivery_messages\[0\]\.expect_consumed_by: lists no group"),
    ({'topic': 'orders', 'msg_id': MSG, 'allow_filtered': 'sometimes'},
     r"message_delivery_messages\[0\]\.allow_filtered: 'sometimes' is not a boolean"),
    ({'topic': 'orders', 'msg_id': MSG + '\n'}, r"message_delivery_messages\[0\]\.msg_id: '%s\\n' is not a message ID" % MSG),
])
def test_bad_messages_are_refused_naming_the_message_and_key(message, error):
    with pytest.raises(GateInputError, match='^' + error):
        messages([message], names=ROLE_NAMES)


def test_a_message_listed_twice_one_without_instance_and_an_empty_list_are_refused():
    with pytest.raises(GateInputError, match=r"^messages\[1\]: message .* of topic orders is listed twice"):
        messages([{'topic': 'orders', 'msg_id': MSG}] * 2)
    with pytest.raises(GateInputError, match=r"^messages\[0\]: no instance_id: set it on the message or for every message "
                                             r"\(message_defaults\.instance_id\)"):
        messages([{'topic': 'orders', 'msg_id': MSG}], instance_id=None)
    with pytest.raises(GateInputError, match=r"^message_delivery_messages: lists no message"):
        messages([], names=ROLE_NAMES)


def test_a_message_is_looked_for_a_week_back_unless_trace_lookback_says_otherwise():
    planned = messages([{'topic': 'orders', 'msg_id': MSG}, {'topic': 'orders', 'msg_id': MSG2, 'trace_lookback': 60}],
                       trace_lookback=3600)
    assert [message['trace_lookback'] for message in planned] == [3600, 60]
    assert messages([{'topic': 'orders', 'msg_id': MSG}])[0]['trace_lookback'] == 7 * 24 * 3600
    with pytest.raises(GateInputError, match=r"^messages\[0\]\.trace_lookback: "):
        messages([{'topic': 'orders', 'msg_id': MSG, 'trace_lookback': 0}])
    with pytest.raises(GateInputError, match=r"^message_defaults\.trace_lookback: "):
        messages([{'topic': 'orders', 'msg_id': MSG}], trace_lookback=2592001)


def test_message_defaults_are_named_as_the_variables_of_the_role():
    with pytest.raises(GateInputError, match=r"^message_delivery_expect_consumed_by\[0\]: 'GID_a\\n' is not a group ID"):
        messages([{'topic': 'orders', 'msg_id': MSG}], names=ROLE_NAMES, expect_consumed_by=['GID_a\n'])
    with pytest.raises(GateInputError, match=r"^message_defaults.expect: unknown setting \(accepted: instance_id, expect_consumed_by"):
        messages([{'topic': 'orders', 'msg_id': MSG}], expect=['GID_a'])


# ---------------------------------------------------------------------------------------------
# The whole gate


def test_a_gate_checks_groups_messages_or_both_and_never_nothing():
    both = gate_plan(groups=[{'group_id': 'GID_a'}], messages=[{'topic': 'orders', 'msg_id': MSG}], instance_id=INSTANCE)
    assert (len(both['groups']), len(both['messages'])) == (1, 1)
    assert gate_plan(groups=[{'group_id': 'GID_a'}], instance_id=INSTANCE)['messages'] == []
    assert gate_plan(messages=[{'topic': 'orders', 'msg_id': MSG}], instance_id=INSTANCE)['groups'] == []
    with pytest.raises(GateInputError, match=r"^gate: neither groups nor messages is given: a gate that checks nothing cannot pass"):
        gate_plan(instance_id=INSTANCE)
    with pytest.raises(GateInputError, match=r"^groups: lists no group"):
        gate_plan(groups=[], messages=[{'topic': 'orders', 'msg_id': MSG}], instance_id=INSTANCE)


def test_the_plan_carries_the_bounded_waiting_options():
    planned = gate_plan(groups=[{'group_id': 'GID_a'}], instance_id=INSTANCE, wait_timeout='86400', poll_interval=3600,
                        observe_seconds='1.5')
    assert (planned['wait_timeout'], planned['poll_interval'], planned['observe_seconds']) == (86400, 3600, 1.5)
    defaults = gate_plan(groups=[{'group_id': 'GID_a'}], instance_id=INSTANCE)
    assert (defaults['wait_timeout'], defaults['poll_interval'], defaults['observe_seconds']) == (0, 10, 0)


@pytest.mark.parametrize('option, value, message', [
    ('wait_timeout', float('inf'), r"^consumer_health_wait_timeout: inf is not a number from 0 to 86400 seconds"),
    ('wait_timeout', float('nan'), r"^consumer_health_wait_timeout: nan is not a number from 0 to 86400 seconds"),
    ('wait_timeout', '1e12', r"^consumer_health_wait_timeout: 1e12 is not a number from 0 to 86400 seconds"),
    ('wait_timeout', -1, r"^consumer_health_wait_timeout: -1 is not a number from 0 to 86400 seconds"),
    ('wait_timeout', 86401, r"^consumer_health_wait_timeout: 86401 is not a number from 0 to 86400 seconds"),
    ('poll_interval', 0.5, r"^consumer_health_poll_interval: 0.5 is not a number from 1 to 3600 seconds"),
    ('poll_interval', 3601, r"^consumer_health_poll_interval: 3601 is not a number from 1 to 3600 seconds"),
    ('observe_seconds', True, r"^consumer_health_observe_seconds: True is not a number from 0 to 86400 seconds"),
])
def test_the_waiting_options_are_bounded_and_named_as_the_callers_variables(option, value, message):
    names = {key: 'consumer_health_' + key for key in ('wait_timeout', 'poll_interval', 'observe_seconds')}
    with pytest.raises(GateInputError, match=message):
        gate_plan(groups=[{'group_id': 'GID_a'}], instance_id=INSTANCE, names=names, **{option: value})
    with pytest.raises(GateInputError, match=message.replace('consumer_health_', '')):
        gate_plan(groups=[{'group_id': 'GID_a'}], instance_id=INSTANCE, **{option: value})


def test_planning_does_not_change_its_input():
    groups = [{'group_id': 'GID_orders', 'rules': [{'name': 'r', 'query': 'summary.count', 'expect': 2}],
               'allowed_languages': ['java']}, {'select': {'tags': {'app': 'x'}, 'exclude': ['GID_y']}}]
    defaults = {'rules': [{'name': 'every', 'that': ['summary.count > 0']}], 'allow_inconclusive': ['every']}
    items = [{'topic': 'orders', 'msg_id': MSG, 'expect_consumed_by': ['GID_a']}]
    before = copy.deepcopy((groups, defaults, items))
    gate_plan(groups=groups, messages=items, instance_id=INSTANCE, group_defaults=defaults)
    assert (groups, defaults, items) == before


# ---------------------------------------------------------------------------------------------
# Numbers of any length, as an int, a float or text: a named error, never an OverflowError or ValueError

HUGE = 10 ** 400


def ident(value):
    """A short test ID: pytest's own would print a huge int, which Python refuses beyond 4300 digits."""
    if isinstance(value, (int, str, list)) and not isinstance(value, bool):
        text = number_text(value)
        return text if len(text) <= 24 else text[:20] + '...'
    return None


@pytest.mark.parametrize('option, value, message', [
    ('max_lag', HUGE, r"^consumer_health_max_lag: 1000\u2026\(401 digits\) is too large; at most 1000000000 messages$"),
    ('max_lag', 10 ** 5000, r"^consumer_health_max_lag: 1000\u2026\(5001 digits\) is too large; at most 1000000000 messages$"),
    ('max_lag', '1' * 5000, r"^consumer_health_max_lag: 1111\u2026\(5000 digits\) is too large; at most 1000000000 messages$"),
    ('max_lag', ' +000' + '7' * 4400 + ' ', r"^consumer_health_max_lag: \+7777\u2026\(4400 digits\) is too large"),
    ('max_lag', '1e999999999', r"^consumer_health_max_lag: 1e999999999 is too large; at most 1000000000 messages$"),
    ('max_lag', 1e300, r"^consumer_health_max_lag: 1e\+300 is too large; at most 1000000000 messages$"),
    ('max_lag', float('inf'), r"^consumer_health_max_lag: inf is not a whole number from 0 to 1000000000 messages$"),
    ('max_lag', '9' * 5000 + '.5', r"^consumer_health_max_lag: \(a value of 5002 characters, too long to quote\) is too large; at most 1000000000 messages$"),
    ('max_lag', '12.5', r"^consumer_health_max_lag: 12.5 is not a whole number from 0 to 1000000000 messages$"),
    ('min_consumers', -HUGE, r"^consumer_health_min_consumers: -1000\u2026\(401 digits\) is too small; at least 0 clients$"),
    ('max_consumers', '-' + '9' * 5000, r"^consumer_health_max_consumers: -9999\u2026\(5000 digits\) is too small; at least 0"),
    ('max_delay_seconds', HUGE, r"^consumer_health_max_delay_seconds: 1000\u2026\(401 digits\) is too large; at most 31536000 seconds$"),
    ('max_delay_seconds', '9' * 5000, r"^consumer_health_max_delay_seconds: 9999\u2026\(5000 digits\) is too large"),
    ('max_delay_seconds', [HUGE * HUGE * HUGE * HUGE * HUGE * HUGE * HUGE * HUGE * HUGE * HUGE * HUGE],
     r"^consumer_health_max_delay_seconds: a list that cannot be shown is not a number from 0 to 31536000 seconds$"),
], ids=ident)
def test_a_number_of_any_length_is_refused_naming_the_variable_and_the_bound(option, value, message):
    with pytest.raises(GateInputError, match=message):
        plan([{'group_id': 'GID_a'}], names=ROLE_NAMES, **{option: value})
    with pytest.raises(GateInputError, match=message.replace('consumer_health_', r'groups\[0\]\.')):
        plan([{'group_id': 'GID_a', option: value}], names=None)


@pytest.mark.parametrize('value, expected', [('000000000000000000000000000000000012', 12), (' 1_000 ', 1000), ('2.0', 2),
                                             (2.0, 2), ('1e3', 1000)])
def test_whole_numbers_in_any_spelling_within_the_bounds_are_taken(value, expected):
    checks = plan([{'group_id': 'GID_a', 'max_lag': value}])[0]['checks']
    # An int, not a float of the same value.
    assert checks['max_lag'] == expected and isinstance(checks['max_lag'], int)


@pytest.mark.parametrize('option, value, message', [
    ('wait_timeout', HUGE, r"^consumer_health_wait_timeout: 1000\u2026\(401 digits\) is too large; at most 86400 seconds$"),
    ('wait_timeout', '9' * 5000, r"^consumer_health_wait_timeout: 9999\u2026\(5000 digits\) is too large; at most 86400 seconds$"),
    ('poll_interval', 10 ** 5000, r"^consumer_health_poll_interval: 1000\u2026\(5001 digits\) is too large; at most 3600 seconds$"),
    ('poll_interval', -HUGE, r"^consumer_health_poll_interval: -1000\u2026\(401 digits\) is too small; at least 1 seconds$"),
    ('observe_seconds', '1e400', r"^consumer_health_observe_seconds: 1e400 is too large; at most 86400 seconds$"),
], ids=ident)
def test_a_waiting_option_of_any_length_is_refused_naming_the_variable(option, value, message):
    names = {key: 'consumer_health_' + key for key in ('wait_timeout', 'poll_interval', 'observe_seconds')}
    with pytest.raises(GateInputError, match=message):
        gate_plan(groups=[{'group_id': 'GID_a'}], instance_id=INSTANCE, names=names, **{option: value})


def test_a_min_version_of_absurd_length_is_refused_naming_the_option():
    with pytest.raises(GateInputError, match=r"^consumer_health_min_version: 'V9999\d+\.\.\. is not a RocketMQ client version name: "
                                             r"it has 5005 characters, at most 100; accepted: "):
        plan([{'group_id': 'GID_a'}], names=ROLE_NAMES, min_version='V' + '9' * 5000 + '_0_0')
    with pytest.raises(GateInputError, match=r"^groups\[0\]\.min_version: '9999\d+\.\.\. is not a RocketMQ client version name: "
                                             r"it has 5004 characters"):
        plan([{'group_id': 'GID_a', 'min_version': '9' * 5000 + '.0.0'}])
    with pytest.raises(GateInputError, match=r"^groups\[0\]\.min_version: expected a RocketMQ client version name, "
                                             r"got 1000\u2026\(5001 digits\)$"):
        plan([{'group_id': 'GID_a', 'min_version': 10 ** 5000}])


@pytest.mark.parametrize('expect, where', [(10 ** 5000, 'expect'), ([1, {'n': 2 ** 63}], r'expect\[1\]\.n'), (-2 ** 63 - 1, 'expect')],
                         ids=ident)
def test_a_rule_expecting_a_number_beyond_the_figures_of_the_api_is_refused(expect, where):
    with pytest.raises(GateInputError, match=r"^groups\[0\]\.rules\[0\]\.%s: .* is out of range; the figures of the API are whole "
                                             r"numbers from -9223372036854775808 to 9223372036854775807$" % where):
        plan([{'group_id': 'GID_a', 'rules': [{'name': 'big', 'query': 'summary.count', 'expect': expect}]}])


# ---------------------------------------------------------------------------------------------
# Names, by the API of the instance they belong to (module_utils/apis.py)


@pytest.mark.parametrize('group_id', ['GID.orders', 'orders.v2', 'GID_orders%x'])
def test_a_5x_group_name_the_rmq_modules_read_is_taken_by_the_gate_too(group_id):
    entry = plan([{'group_id': group_id, 'instance_id': 'rmq-cn-test0000001'}])[0]
    assert entry['group_id'] == group_id
    message = message_plan([{'topic': 'orders.v2', 'msg_id': 'ABC123', 'expect_consumed_by': [group_id]}],
                           instance_id='rmq-cn-test0000001')[0]
    assert message['expect_consumed_by'] == [group_id]


def test_a_4x_group_name_keeps_the_4x_rules():
    with pytest.raises(GateInputError, match=r"^groups\[0\]\.group_id: 'GID\.orders' is not a group ID: use 1 to 128 letters"):
        plan([{'group_id': 'GID.orders'}])
    with pytest.raises(GateInputError, match=r"^groups\[0\]\.group_id: '\.\.' is not a group ID"):
        plan([{'group_id': '..', 'instance_id': 'rmq-cn-test0000001'}])


@pytest.mark.parametrize('groups, message', [
    ([{'group_id': 'GID_a', 'rules': [{'name': 'r', 'quary': 'status.online'}]}],
     r"^groups\[0\]\.rules\[0\]: unknown key quary \(did you mean query\?\)"),
    ([{'message': 'x', 'group_id': 'GID_a'}], r"^groups\[0\]: unknown key message \(accepted: "),
])
def test_a_misspelt_key_at_any_level_names_what_was_meant_when_one_is_close(groups, message):
    with pytest.raises(GateInputError, match=message):
        plan(groups)


@pytest.mark.parametrize('query, says', [
    ('foo[?bar ==', r"Invalid jmespath expression: Incomplete expression at column 11$"),
    ('foo..bar', r'got: dot: Parse error at column 4, token "\." \(DOT\)$'),
    ('a[?b > `1]', r"Bad jmespath expression: Unclosed ` delimiter at column 7$"),
])
def test_a_query_that_does_not_parse_is_refused_on_one_line_saying_where(query, says):
    with pytest.raises(GateInputError) as caught:
        plan([{'group_id': 'GID_a', 'rules': [{'name': 'r', 'query': query}]}])
    assert '\\x0a' not in str(caught.value) and '\n' not in str(caught.value)
    assert re.search(says, str(caught.value)), str(caught.value)
