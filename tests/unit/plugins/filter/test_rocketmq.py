# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Tests of the RocketMQ version and connection filters."""

import json
import os
import random
import subprocess
import sys
import textwrap

import ansible
import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.apsaramq.rocketmq.plugins.filter import rocketmq
from ansible_collections.apsaramq.rocketmq.plugins.filter.rocketmq import (
    FilterModule,
    connection_summary,
    version_at_least,
    version_compare,
    version_max,
    version_min,
    version_sort,
)
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.versions import MAX_VERSION_LENGTH

# Excerpts of Apache RocketMQ's MQVersion.Version enum, in the enum's (release) order: the 3.0.0
# pre-release run, the joins between patch, minor and major lines, and the top of the list.
ENUM_ORDER = [
    'V3_0_0_SNAPSHOT', 'V3_0_0_ALPHA1', 'V3_0_0_BETA1', 'V3_0_0_BETA2', 'V3_0_0_BETA3', 'V3_0_0_BETA4',
    'V3_0_0_BETA5', 'V3_0_0_BETA6_SNAPSHOT', 'V3_0_0_BETA6', 'V3_0_0_BETA7_SNAPSHOT', 'V3_0_0_BETA7',
    'V3_0_0_BETA8_SNAPSHOT', 'V3_0_0_BETA8', 'V3_0_0_BETA9_SNAPSHOT', 'V3_0_0_BETA9', 'V3_0_0_FINAL',
    'V3_0_1_SNAPSHOT', 'V3_0_1', 'V3_0_9_SNAPSHOT', 'V3_0_9', 'V3_0_10_SNAPSHOT', 'V3_0_10',
    'V3_0_15_SNAPSHOT', 'V3_0_15', 'V3_1_0_SNAPSHOT', 'V3_1_0', 'V3_2_9', 'V3_3_1_SNAPSHOT', 'V3_3_1',
    'V3_9_9', 'V4_0_0_SNAPSHOT', 'V4_0_0', 'V4_3_6_SNAPSHOT', 'V4_3_6', 'V4_9_4_SNAPSHOT', 'V4_9_4',
    'V4_9_9', 'V5_0_0_SNAPSHOT', 'V5_0_0', 'V5_1_0', 'V5_3_3', 'V5_9_9_SNAPSHOT', 'V5_9_9',
    'HIGHER_VERSION',
]

REJECTED = [
    ('V4_9', "'V4_9' is not a RocketMQ client version name"),
    ('V4_9_4_RC1', "'V4_9_4_RC1' is not a RocketMQ client version name"),
    ('V4_9_4_', "'V4_9_4_' is not a RocketMQ client version name"),
    ('V3_0_0_BETA', "'V3_0_0_BETA' is not a RocketMQ client version name"),
    (' V4_9_4', "' V4_9_4' is not a RocketMQ client version name"),
    ('4.9', "'4.9' is not a RocketMQ client version name"),
    ('4.9.4.1', "'4.9.4.1' is not a RocketMQ client version name"),
    ('latest', "'latest' is not a RocketMQ client version name"),
    ('', "'' is not a RocketMQ client version name"),
    (None, 'null is not a string'),
    (394, 'int 394 is not a string'),
]


def test_enum_excerpt_sorts_back_into_enum_order_from_any_shuffle():
    for seed in range(20):
        shuffled = list(ENUM_ORDER)
        random.Random(seed).shuffle(shuffled)
        assert version_sort(shuffled) == ENUM_ORDER


def test_each_enum_neighbour_compares_below_the_next_and_above_the_previous():
    for lower, higher in zip(ENUM_ORDER, ENUM_ORDER[1:]):
        assert version_compare(lower, higher) == -1, (lower, higher)
        assert version_compare(higher, lower) == 1, (higher, lower)


def test_every_enum_name_compares_equal_to_itself():
    for name in ENUM_ORDER:
        assert version_compare(name, name) == 0


@pytest.mark.parametrize('lower, higher', [
    ('V3_0_9', 'V3_0_10'),
    ('V4_9_4', 'V4_10_0'),
    ('V9_9_9', 'V10_0_0'),
    ('V4_3_10_SNAPSHOT', 'V4_3_10'),
    ('V3_0_0_BETA9', 'V3_0_0_BETA10'),
    ('V3_0_0_BETA9_SNAPSHOT', 'V3_0_0_BETA10_SNAPSHOT'),
])
def test_numbers_compare_as_numbers_not_text(lower, higher):
    assert version_compare(lower, higher) == -1
    assert version_sort([higher, lower]) == [lower, higher]


@pytest.mark.parametrize('ordered', [
    ['V3_0_0_SNAPSHOT', 'V3_0_0_ALPHA1_SNAPSHOT', 'V3_0_0_ALPHA1', 'V3_0_0_ALPHA2', 'V3_0_0_BETA1_SNAPSHOT', 'V3_0_0_BETA1', 'V3_0_0'],
    ['V5_0_0_SNAPSHOT', 'V5_0_0_ALPHA1', 'V5_0_0_BETA1', 'V5_0_0_FINAL', 'V5_0_1_SNAPSHOT'],
])
def test_stages_order_snapshot_alpha_beta_release_within_one_patch(ordered):
    assert version_sort(list(reversed(ordered))) == ordered


def test_final_is_the_same_release_as_the_plain_name():
    assert version_compare('V3_0_0_FINAL', 'V3_0_0') == 0
    assert version_compare('V3_0_0_FINAL', 'V3_0_0_BETA9') == 1
    assert version_compare('V3_0_0_FINAL', 'V3_0_1_SNAPSHOT') == -1
    assert version_at_least('V3_0_0_FINAL', 'V3_0_0')
    assert version_at_least('V3_0_0', 'V3_0_0_FINAL')


def test_higher_version_is_above_every_named_version_and_equal_to_itself():
    assert version_compare('HIGHER_VERSION', 'V99_99_99') == 1
    assert version_compare('V99_99_99', 'HIGHER_VERSION') == -1
    assert version_compare('HIGHER_VERSION', 'HIGHER_VERSION') == 0
    assert version_max(['V5_9_9', 'HIGHER_VERSION', 'V99_0_0']) == 'HIGHER_VERSION'


@pytest.mark.parametrize('alias, name', [
    ('4.9.4', 'V4_9_4'),
    ('v4.9.4', 'V4_9_4'),
    ('5.0.0-SNAPSHOT', 'V5_0_0_SNAPSHOT'),
    ('5.0.0-snapshot', 'V5_0_0_SNAPSHOT'),
    ('v4_3_6', 'V4_3_6'),
    ('v3_0_0_beta6_snapshot', 'V3_0_0_BETA6_SNAPSHOT'),
    ('higher_version', 'HIGHER_VERSION'),
])
def test_dotted_and_lower_case_spellings_equal_the_enum_name(alias, name):
    assert version_compare(alias, name) == 0


@pytest.mark.parametrize('value, problem', REJECTED)
def test_version_compare_rejects_a_non_version_naming_the_parameter_value_and_accepted_forms(value, problem):
    with pytest.raises(AnsibleFilterError) as first:
        version_compare(value, 'V4_9_4')
    with pytest.raises(AnsibleFilterError) as second:
        version_compare('V4_9_4', value)
    assert str(first.value).startswith('version_compare: version: %s; accepted: V<major>_<minor>_<patch>' % problem)
    assert str(second.value).startswith('version_compare: other: %s; accepted: V<major>_<minor>_<patch>' % problem)
    assert 'HIGHER_VERSION' in str(first.value)


@pytest.mark.parametrize('value, problem', REJECTED)
def test_version_at_least_rejects_a_non_version_in_either_parameter(value, problem):
    with pytest.raises(AnsibleFilterError, match='^version_at_least: version: %s' % problem.replace('.', r'\.')):
        version_at_least(value, 'V4_9_4')
    with pytest.raises(AnsibleFilterError, match='^version_at_least: minimum: %s' % problem.replace('.', r'\.')):
        version_at_least('V4_9_4', value)


def test_long_bad_values_are_shortened_in_the_error():
    with pytest.raises(AnsibleFilterError) as error:
        version_compare('X' * 500, 'V4_9_4')
    assert 'X' * 100 not in str(error.value)
    assert "'XXX" in str(error.value)


@pytest.mark.parametrize('version, minimum, expected', [
    ('V4_3_6', 'V4_9_4', False),
    ('V4_9_4', 'V4_9_4', True),
    ('V5_1_0', 'V4_9_4', True),
    ('V4_9_4_SNAPSHOT', 'V4_9_4', False),
    ('V4_9_4', '4.9.4', True),
    ('HIGHER_VERSION', 'V99_0_0', True),
    ('V5_9_9', 'HIGHER_VERSION', False),
])
def test_version_at_least_is_true_only_at_or_above_the_minimum(version, minimum, expected):
    assert version_at_least(version, minimum) is expected


def test_version_sort_reverse_puts_the_highest_first():
    assert version_sort(['V4_3_6', 'HIGHER_VERSION', 'V5_1_0', 'V4_9_4_SNAPSHOT'], reverse=True) == [
        'HIGHER_VERSION', 'V5_1_0', 'V4_9_4_SNAPSHOT', 'V4_3_6']


def test_version_sort_accepts_yes_no_strings_for_reverse_and_rejects_other_values():
    assert version_sort(['V4_3_6', 'V5_1_0'], reverse='yes') == ['V5_1_0', 'V4_3_6']
    with pytest.raises(AnsibleFilterError) as error:
        version_sort(['V4_3_6'], reverse='sideways')
    assert str(error.value).startswith('version_sort: reverse must be a boolean')
    assert "'sideways'" in str(error.value)


def test_version_sort_keeps_duplicates():
    assert version_sort(['V4_9_4', 'V4_3_6', 'V4_9_4']) == ['V4_3_6', 'V4_9_4', 'V4_9_4']


def test_equal_versions_spelled_differently_sort_by_name_whatever_the_input_order():
    spellings = ['V4_9_4', '4.9.4', 'V3_0_0_FINAL', 'V3_0_0', 'v4_9_4']
    expected = ['V3_0_0', 'V3_0_0_FINAL', '4.9.4', 'V4_9_4', 'v4_9_4']
    for seed in range(10):
        shuffled = list(spellings)
        random.Random(seed).shuffle(shuffled)
        assert version_sort(shuffled) == expected
        assert version_min(shuffled) == 'V3_0_0'
        assert version_max(shuffled) == 'v4_9_4'


def test_version_sort_accepts_any_iterable_such_as_a_generator():
    assert version_sort(name for name in ['V5_1_0', 'V4_3_6']) == ['V4_3_6', 'V5_1_0']


@pytest.mark.parametrize('function', [version_sort, version_max, version_min])
@pytest.mark.parametrize('value, described', [
    ('V4_9_4', "str 'V4_9_4'"),
    ({'version': 'V4_9_4'}, "dict {'version': 'V4_9_4'}"),
    (None, 'null'),
    (7, 'int 7'),
])
def test_list_filters_reject_a_value_that_is_not_a_list(function, value, described):
    with pytest.raises(AnsibleFilterError) as error:
        function(value)
    assert str(error.value) == '%s: expected a list of RocketMQ client version names, got %s' % (function.__name__, described)


@pytest.mark.parametrize('function', [version_sort, version_max, version_min])
def test_list_filters_name_the_position_of_a_bad_item(function):
    with pytest.raises(AnsibleFilterError, match="^%s: item 2: 'V4_9' is not a RocketMQ client version name; accepted: " % function.__name__):
        function(['V4_3_6', 'V5_1_0', 'V4_9'])


def test_version_max_and_min_pick_the_extremes_in_release_order_not_text_order():
    versions = ['V4_10_0', 'V4_9_4', 'V3_0_0_BETA9', 'V3_0_0_ALPHA1', 'V4_9_4_SNAPSHOT']
    assert version_max(versions) == 'V4_10_0'
    assert version_min(versions) == 'V3_0_0_ALPHA1'


def test_version_max_and_min_of_an_empty_list_are_none():
    assert version_max([]) is None
    assert version_min([]) is None


def _connection(client_id, version, language='JAVA', address=None):
    return {'client_id': client_id, 'client_addr': address or client_id.split('@')[0] + ':10911', 'language': language, 'version': version}


def test_summary_counts_versions_in_release_order_and_finds_duplicate_client_ids():
    connections = [
        _connection('10.0.0.3@7#1', 'V5_1_0', address='10.0.0.3:50001'),
        _connection('10.0.0.1@7#1', 'V4_10_0', address='10.0.0.1:50001'),
        _connection('10.0.0.2@9#1', 'V4_9_4', language='GO', address='10.0.0.2:50001'),
        _connection('10.0.0.1@7#1', 'V4_9_4_SNAPSHOT', address='10.0.0.1:50002'),
        _connection('10.0.0.4@1#1', 'V5_1_0', address='10.0.0.4:50001'),
        _connection('10.0.0.3@7#1', 'V5_1_0', address='10.0.0.3:50001'),
        _connection('10.0.0.5@1#1', 'V4_9_4', language='GO', address='10.0.0.5:50001'),
    ]
    summary = connection_summary(connections)
    assert summary == {
        'count': 7,
        'versions': {'V4_9_4_SNAPSHOT': 1, 'V4_9_4': 2, 'V4_10_0': 1, 'V5_1_0': 3},
        'unknown_version_count': 0,
        'min_version': 'V4_9_4_SNAPSHOT',
        'max_version': 'V5_1_0',
        'uniform_version': False,
        'languages': {'GO': 2, 'JAVA': 5},
        'duplicate_client_ids': ['10.0.0.1@7#1', '10.0.0.3@7#1'],
        'addresses': ['10.0.0.1:50001', '10.0.0.1:50002', '10.0.0.2:50001', '10.0.0.3:50001', '10.0.0.4:50001', '10.0.0.5:50001'],
    }
    assert list(summary['versions']) == ['V4_9_4_SNAPSHOT', 'V4_9_4', 'V4_10_0', 'V5_1_0']
    assert list(summary['languages']) == ['GO', 'JAVA']


def test_summary_of_one_version_across_all_clients_is_uniform():
    summary = connection_summary([_connection('10.0.0.%d@1#1' % number, 'V4_9_4') for number in range(3)])
    assert summary['uniform_version'] is True
    assert summary['min_version'] == summary['max_version'] == 'V4_9_4'
    assert summary['versions'] == {'V4_9_4': 3}
    assert summary['duplicate_client_ids'] == []


def test_summary_of_no_connections_is_empty_and_not_uniform():
    assert connection_summary([]) == {
        'count': 0,
        'versions': {},
        'unknown_version_count': 0,
        'min_version': None,
        'max_version': None,
        'uniform_version': False,
        'languages': {},
        'duplicate_client_ids': [],
        'addresses': [],
    }


def test_summary_counts_missing_and_unrecognised_versions_as_unknown_and_lists_them():
    connections = [
        {'client_id': 'a@1', 'client_addr': '10.0.0.1:1', 'language': 'JAVA', 'version': 'V4_9_4'},
        {'client_id': 'b@1', 'client_addr': '10.0.0.2:1', 'language': 'JAVA'},
        {'client_id': 'c@1', 'client_addr': '10.0.0.3:1', 'language': 'JAVA', 'version': None},
        {'client_id': 'd@1', 'client_addr': '10.0.0.4:1', 'language': 'JAVA', 'version': ''},
        {'client_id': 'e@1', 'client_addr': '10.0.0.5:1', 'language': 'CPP', 'version': 'V6_0_0_RC1'},
        {'client_id': 'f@1', 'client_addr': '10.0.0.6:1', 'language': 'CPP', 'version': 415},
        {'client_id': 'g@1', 'client_addr': '10.0.0.7:1', 'language': 'CPP', 'version': 'V3_0_0_FINAL'},
    ]
    summary = connection_summary(connections)
    assert summary['count'] == 7
    assert summary['versions'] == {'V3_0_0_FINAL': 1, 'V4_9_4': 1, '415': 1, 'V6_0_0_RC1': 1, 'UNKNOWN': 3}
    assert list(summary['versions']) == ['V3_0_0_FINAL', 'V4_9_4', '415', 'V6_0_0_RC1', 'UNKNOWN']
    assert summary['unknown_version_count'] == 5
    assert summary['min_version'] == 'V3_0_0_FINAL'
    assert summary['max_version'] == 'V4_9_4'
    assert summary['uniform_version'] is False


def test_summary_with_one_known_version_and_one_missing_version_is_not_uniform():
    summary = connection_summary([_connection('a@1', 'V4_9_4'), {'client_id': 'b@1'}])
    assert summary['uniform_version'] is False
    assert summary['versions'] == {'V4_9_4': 1, 'UNKNOWN': 1}


def test_summary_tolerates_connections_missing_every_key():
    summary = connection_summary([{}, {'client_id': ''}, {'language': None}])
    assert summary == {
        'count': 3,
        'versions': {'UNKNOWN': 3},
        'unknown_version_count': 3,
        'min_version': None,
        'max_version': None,
        'uniform_version': False,
        'languages': {'UNKNOWN': 3},
        'duplicate_client_ids': [],
        'addresses': [],
    }


def test_summary_accepts_the_ons_api_camel_case_keys():
    api_rows = [
        {'ClientId': '30.5.121.1@24813#-1999745829#-1737591554#453111174894656', 'ClientAddr': '30.5.121.1:56218',
         'Language': 'JAVA', 'Version': 'V4_3_6'},
        {'ClientId': '30.5.121.1@24813#-1999745829#-1737591554#453111174894656', 'ClientAddr': '30.5.121.1:56219',
         'Language': 'JAVA', 'Version': 'V4_3_6'},
    ]
    summary = connection_summary(api_rows)
    assert summary['versions'] == {'V4_3_6': 2}
    assert summary['uniform_version'] is True
    assert summary['duplicate_client_ids'] == ['30.5.121.1@24813#-1999745829#-1737591554#453111174894656']
    assert summary['addresses'] == ['30.5.121.1:56218', '30.5.121.1:56219']


def test_summary_distinct_spellings_of_one_release_are_listed_separately_and_not_uniform():
    summary = connection_summary([_connection('a@1', 'V3_0_0_FINAL'), _connection('b@1', 'V3_0_0'), _connection('c@1', 'V3_0_0_FINAL')])
    assert summary['versions'] == {'V3_0_0': 1, 'V3_0_0_FINAL': 2}
    assert list(summary['versions']) == ['V3_0_0', 'V3_0_0_FINAL']
    assert summary['uniform_version'] is False


@pytest.mark.parametrize('value, described', [
    ({'client_id': 'a@1'}, "dict {'client_id': 'a@1'}"),
    ('a@1', "str 'a@1'"),
    (None, 'null'),
])
def test_summary_rejects_a_value_that_is_not_a_list(value, described):
    with pytest.raises(AnsibleFilterError) as error:
        connection_summary(value)
    assert str(error.value) == 'connection_summary: expected a list of connection dictionaries, got %s' % described


def test_summary_names_the_position_of_an_item_that_is_not_a_dictionary():
    with pytest.raises(AnsibleFilterError, match="^connection_summary: item 1: expected a connection dictionary .* got str 'V4_9_4'$"):
        connection_summary([_connection('a@1', 'V4_9_4'), 'V4_9_4'])


def test_filter_module_exposes_every_filter_under_its_documented_name():
    filters = FilterModule().filters()
    assert filters == {
        'version_compare': version_compare,
        'version_sort': version_sort,
        'version_max': version_max,
        'version_min': version_min,
        'version_at_least': version_at_least,
        'connection_summary': connection_summary,
    }
    filter_dir = os.path.dirname(rocketmq.__file__)
    for name in filters:
        assert os.path.isfile(os.path.join(filter_dir, name + '.yml')), name


# The tests below run the real ansible-playbook and ansible-doc against this collection, to prove the
# filters load by their fully qualified names and their documentation renders.

def _ansible_env(tmp_path):
    collection_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(rocketmq.__file__))))
    collections_path = os.path.dirname(os.path.dirname(os.path.dirname(collection_root)))
    env = dict(os.environ)
    env.update({
        'ANSIBLE_COLLECTIONS_PATH': collections_path,
        'ANSIBLE_COLLECTIONS_SCAN_SYS_PATH': 'false',
        'ANSIBLE_LOCAL_TEMP': str(tmp_path / 'ansible-tmp'),
        'ANSIBLE_HOME': str(tmp_path / 'ansible-home'),
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_DEPRECATION_WARNINGS': 'false',
        'PYTHONUTF8': '1',
        'PYTHONPATH': os.pathsep.join([os.path.dirname(os.path.dirname(ansible.__file__)), env.get('PYTHONPATH', '')]),
    })
    return env


def _run_cli(tmp_path, cli, *args):
    return subprocess.run([sys.executable, '-m', 'ansible.cli.%s' % cli] + list(args), env=_ansible_env(tmp_path), cwd=str(tmp_path),
                          capture_output=True, text=True, timeout=120, check=False)


PLAYBOOK = textwrap.dedent('''\
    - hosts: localhost
      connection: local
      gather_facts: false
      vars:
        connections:
          - {client_id: "10.0.0.1@1#1", client_addr: "10.0.0.1:50001", language: JAVA, version: V4_9_4}
          - {client_id: "10.0.0.1@1#1", client_addr: "10.0.0.1:50002", language: JAVA, version: V4_3_6}
          - {client_id: "10.0.0.2@1#1", client_addr: "10.0.0.2:50001", language: GO}
        summary: "{{ connections | apsaramq.rocketmq.connection_summary }}"
      tasks:
        - name: Filters give release order through Jinja
          ansible.builtin.assert:
            that:
              - "'V4_3_6' | apsaramq.rocketmq.version_compare('V4_9_4') == -1"
              - "['V4_9_4', 'HIGHER_VERSION', 'V3_0_0_FINAL', 'V3_0_0_BETA9'] | apsaramq.rocketmq.version_sort
                 == ['V3_0_0_BETA9', 'V3_0_0_FINAL', 'V4_9_4', 'HIGHER_VERSION']"
              - "['V4_3_6', 'V5_1_0'] | apsaramq.rocketmq.version_sort(reverse=true) == ['V5_1_0', 'V4_3_6']"
              - "connections | map(attribute='version', default='V0_0_0') | apsaramq.rocketmq.version_max == 'V4_9_4'"
              - "['V4_10_0', 'V4_9_4'] | apsaramq.rocketmq.version_min == 'V4_9_4'"
              - "'V5_1_0' | apsaramq.rocketmq.version_at_least('4.9.4')"
              - "not ('V4_9_4_SNAPSHOT' | apsaramq.rocketmq.version_at_least('V4_9_4'))"
              - summary.count == 3
              - "summary.versions == {'V4_3_6': 1, 'V4_9_4': 1, 'UNKNOWN': 1}"
              - summary.unknown_version_count == 1
              - summary.min_version == 'V4_3_6'
              - summary.duplicate_client_ids == ['10.0.0.1@1#1']
              - not summary.uniform_version

        - name: A bad version fails the task with the filter's message
          block:
            - name: Compare with a malformed name
              ansible.builtin.debug:
                msg: "{{ 'V4_9' | apsaramq.rocketmq.version_at_least('V4_9_4') }}"
          rescue:
            - name: The failure names the parameter and the value
              ansible.builtin.assert:
                that:
                  - "'version_at_least: version: ' in ansible_failed_result.msg"
                  - "'V4_9' in ansible_failed_result.msg"
                  - "'is not a RocketMQ client version name' in ansible_failed_result.msg"

        - name: Report success
          ansible.builtin.debug:
            msg: all filter assertions passed
''')


def test_filters_work_by_fully_qualified_name_in_a_real_playbook(tmp_path):
    playbook = tmp_path / 'filters.yml'
    playbook.write_text(PLAYBOOK)
    result = _run_cli(tmp_path, 'playbook', '-i', 'localhost,', str(playbook))
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'all filter assertions passed' in result.stdout
    assert 'failed=0' in result.stdout
    assert 'rescued=1' in result.stdout


def test_ansible_doc_renders_every_filter_with_examples_and_return(tmp_path):
    names = sorted(FilterModule().filters())
    result = _run_cli(tmp_path, 'doc', '-t', 'filter', '--json', *['apsaramq.rocketmq.' + name for name in names])
    assert result.returncode == 0, result.stdout + result.stderr
    docs = json.loads(result.stdout)
    assert sorted(docs) == ['apsaramq.rocketmq.' + name for name in names]
    for fqcn, doc in docs.items():
        assert doc['doc']['name'] == fqcn.rsplit('.', 1)[1]
        assert doc['doc']['short_description']
        assert 'apsaramq.rocketmq.' in doc['examples']
        assert '_value' in doc['return']


# ---------------------------------------------------------------------------------------------
# Versions of any length: no version name is longer than MAX_VERSION_LENGTH characters, and the
# numbers of a longer one could be beyond what Python converts (4300 digits).

LONG_VERSIONS = ['V' + '9' * 5000 + '_0_0', '9' * 5000 + '.0.0', 'V4_9_' + '4' * 200, 'V4_9_4_BETA' + '1' * 5000]


@pytest.mark.parametrize('value', LONG_VERSIONS, ids=['enum of 5000 digits', 'dotted of 5000 digits', '200 digits', 'beta of 5000'])
def test_a_version_longer_than_any_name_is_refused_naming_its_length(value):
    with pytest.raises(AnsibleFilterError) as error:
        version_compare(value, 'V4_9_4')
    message = str(error.value)
    assert message.startswith("version_compare: version: %s... is not a RocketMQ client version name: it has %d characters, at most 100; "
                              "accepted: " % (repr(value)[:77], len(value)))
    assert len(message) < 1000


def test_the_longest_version_read_is_still_ordered():
    longest = 'V4_9_' + '4' * (MAX_VERSION_LENGTH - 5)
    assert len(longest) == MAX_VERSION_LENGTH
    assert version_compare(longest, 'V4_9_4') == 1


def test_a_number_too_long_to_print_is_described_shortened_in_the_error():
    with pytest.raises(AnsibleFilterError, match=r"^version_at_least: version: int 1000\u2026\(5001 digits\) is not a string"):
        version_at_least(10 ** 5000, 'V4_9_4')


def test_summary_counts_a_version_of_any_length_as_unknown_without_failing():
    connections = [_connection('a@1', 'V4_9_4')] + [_connection('%s@1' % index, value) for index, value in enumerate(LONG_VERSIONS)]
    connections.append({'client_id': 'n@1', 'client_addr': '10.0.0.9:1', 'version': 10 ** 5000})
    summary = connection_summary(connections)
    assert summary['unknown_version_count'] == len(LONG_VERSIONS) + 1
    assert summary['min_version'] == summary['max_version'] == 'V4_9_4'
    assert '1000\u2026(5001 digits)' in summary['versions']
