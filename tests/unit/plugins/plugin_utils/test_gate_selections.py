# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which groups the gate checks: named groups, and the groups a selection's listing chose (gate_engine.resolve)."""

from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_engine import resolve
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_model import problem
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_report import gate_report
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_spec import group_plan
from ansible_collections.apsaramq.rocketmq.tests.unit.plugins.plugin_utils.gate_builders import (
    INSTANCE,
    OTHER_INSTANCE,
    ROLE_NAMES,
    by_check,
    judge,
    listed,
    listing,
    status_entry,
)


def plan(groups, **defaults):
    return group_plan(groups, dict(defaults, instance_id=INSTANCE), names=ROLE_NAMES)


def test_named_groups_come_first_then_each_selected_group_once_per_instance():
    entries = plan([
        {'group_id': 'GID_named'},
        {'select': {'tags': {'app': 'x'}, 'exclude': ['GID_excluded']}},
        {'group_id': 'GID_elsewhere', 'instance_id': OTHER_INSTANCE, 'max_lag': 1},
        {'select': {}},
    ])
    listings = {('select', 'consumer_health_groups[1]'): listing(listed('GID_x1'), listed('GID_excluded'), listed('GID_named')),
                ('select', 'consumer_health_groups[3]'): listing(listed('GID_x1'), listed('GID_x2', 'http'))}
    targets, verdicts = resolve(entries, listings)
    assert [(instance_id, group_id, entry['key'], group_type) for instance_id, group_id, entry, group_type in targets] == [
        (INSTANCE, 'GID_named', 'consumer_health_groups[0]', 'tcp'),
        (OTHER_INSTANCE, 'GID_elsewhere', 'consumer_health_groups[2]', 'tcp'),
        (INSTANCE, 'GID_x1', 'consumer_health_groups[1]', 'tcp'),
        (INSTANCE, 'GID_x2', 'consumer_health_groups[3]', 'http'),
    ]
    assert [(verdict['subject'], verdict['status'], verdict['observed']) for verdict in verdicts] == [
        ('consumer_health_groups[1]', 'passed', ['GID_x1', 'GID_named']),
        ('consumer_health_groups[3]', 'passed', ['GID_x1', 'GID_x2'])]


def test_a_selected_group_that_is_also_named_is_checked_with_the_settings_of_its_named_entry():
    verdicts = judge([{'group_id': 'GID_orders', 'min_consumers': 5}, {'select': {}}], {'GID_orders': status_entry()},
                     listings={1: listing(listed('GID_orders'))})
    assert [verdict['expected'] for verdict in verdicts if verdict['check'] == 'min_consumers'] == ['>= 5']


def test_a_selection_that_matches_no_group_fails_the_gate():
    verdicts = judge([{'select': {'tags': {'app': 'nothing'}}}], listings={0: listing()}, names=ROLE_NAMES)
    assert [(verdict['kind'], verdict['check'], verdict['status']) for verdict in verdicts] == [('selection', 'select', 'failed')]
    assert verdicts[0]['expected'] == 'every group with tag app=nothing'
    assert verdicts[0]['reason'] == 'no group of instance %s matches' % INSTANCE
    assert gate_report(verdicts)['result'] == 'failed'


def test_a_failed_selection_is_inconclusive_and_a_missing_instance_fails():
    failed = judge([{'select': {}}], listings={0: problem('ons_group_info failed: Throttling.User: slow down', {'code': 'Throttling.User'})})
    assert failed[0]['status'] == 'inconclusive' and failed[0]['blocking']
    assert failed[0]['reason'] == 'ons_group_info failed: Throttling.User: slow down; the groups it selects were not checked'
    allowed = judge([{'select': {}, 'allow_inconclusive': ['select']}], listings={0: problem('ons_group_info failed: boom')})
    assert allowed[0]['status'] == 'inconclusive' and not allowed[0]['blocking']
    gone = judge([{'select': {}}], listings={0: problem('ons_group_info failed: no instance', {'code': 'INSTANCE_NOT_FOUND'})})
    assert gone[0]['status'] == 'failed'


def test_a_selection_that_was_not_run_or_gave_no_readable_answer_is_inconclusive():
    for answer in (None, {}, {'groups': 'GID_a'}):
        verdicts = judge([{'select': {}}], listings={0: answer} if answer is not None else {})
        assert [(verdict['check'], verdict['status']) for verdict in verdicts] == [('select', 'inconclusive')]


def test_a_selection_reports_the_groups_it_chose_and_they_are_all_checked():
    verdicts = judge([{'select': {'group_id': 'GID_', 'exclude': ['GID_b']}}], {'GID_a': status_entry('GID_a'), 'GID_c': status_entry('GID_c')},
                     listings={0: listing(listed('GID_a'), listed('GID_b'), listed('GID_c'))})
    assert verdicts[0]['status'] == 'passed' and verdicts[0]['observed'] == ['GID_a', 'GID_c']
    assert verdicts[0]['expected'] == 'every group with group_id contains GID_, except GID_b'
    assert sorted({verdict['subject'] for verdict in verdicts[1:]}) == ['GID_a', 'GID_c']


def test_a_selection_that_lists_a_group_without_readable_id_is_inconclusive():
    verdicts = judge([{'select': {}}], {'GID_a': status_entry('GID_a')}, listings={0: listing(listed('GID_a'), {'group_id': None}, 'junk')},
                     names=ROLE_NAMES)
    select = by_check(verdicts, 'consumer_health_groups[0]')['select']
    assert select['status'] == 'inconclusive' and select['blocking']
    assert len(select['offenders']) == 2
    # The groups it could read are still checked.
    assert by_check(verdicts, 'GID_a')['min_consumers']['status'] == 'passed'


def test_the_type_of_a_selected_group_is_the_selections_else_the_listings_else_tcp():
    def group_type(selector, group):
        targets, _verdicts = resolve(plan([{'select': selector}]), {('select', 'consumer_health_groups[0]'): listing(group)})
        return targets[0][3]

    assert group_type({'group_type': 'http'}, {'group_id': 'GID_web'}) == 'http'
    assert group_type({'group_type': 'tcp'}, listed('GID_web', 'http')) == 'tcp'
    assert group_type({}, listed('GID_web', 'HTTP')) == 'http'
    assert group_type({}, {'group_id': 'GID_old'}) == 'tcp'
    assert group_type({}, listed('GID_odd', 'udp')) == 'tcp'


def test_a_listed_group_whose_type_is_not_said_is_checked_as_a_tcp_group():
    verdicts = judge([{'select': {}}], {'GID_old': status_entry('GID_old', connections=[])}, listings={0: listing({'group_id': 'GID_old'})})
    assert by_check(verdicts, 'GID_old')['min_consumers']['status'] == 'failed'


def test_a_selection_limited_to_http_groups_reports_their_client_checks_not_applicable():
    verdicts = judge([{'select': {'group_type': 'http'}}], {'GID_web': status_entry('GID_web', connections=[])},
                     listings={0: listing({'group_id': 'GID_web'})}, max_delay_seconds=60)
    web = by_check(verdicts, 'GID_web')
    assert web['min_consumers']['status'] == 'not_applicable'
    assert web['max_delay_seconds']['status'] == 'passed'
