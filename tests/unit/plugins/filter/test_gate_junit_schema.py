# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The JUnit report of gate_junit against the schemas CI servers read it with, and its times.

``junit_schemas/`` holds the Jenkins JUnit schema (the xUnit plugin's junit-10) and the Ant JUnit
schema, the strictest common format; every report must be valid against both.
"""

import math
import os
import xml.etree.ElementTree as ET

import pytest
import xmlschema

from ansible_collections.apsaramq.rocketmq.plugins.filter.gate import gate_stopped
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_report import gate_junit, gate_report

SCHEMAS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'junit_schemas')
INSTANCE = 'MQ_INST_1234567890_TEST'
RUNS = [
    {'suite': 'consumer_health', 'attempts': 3, 'elapsed_seconds': 12.5, 'wait_timeout': 10.0, 'poll_interval': 2.0,
     'timed_out': True, 'stopped': False},
    {'suite': 'message_delivery', 'attempts': 1, 'elapsed_seconds': 0.8, 'wait_timeout': 0.0, 'poll_interval': 10.0,
     'timed_out': False, 'stopped': False},
]


@pytest.fixture(scope='module')
def schemas():
    return {name: xmlschema.XMLSchema10(os.path.join(SCHEMAS, name + '-junit.xsd')) for name in ('jenkins', 'ant')}


def verdict(check, status, subject='GID_orders', suite='consumer_health', blocking=None, **extra):
    """A verdict as the gate returns it (without ``seconds``, as verdicts made elsewhere come)."""
    if blocking is None:
        blocking = status == 'failed' or status == 'inconclusive'
    result = {'suite': suite, 'kind': 'group' if suite == 'consumer_health' else 'message', 'subject': subject,
              'instance_id': INSTANCE, 'check': check, 'status': status, 'blocking': blocking,
              'expected': extra.pop('expected', '>= 1'), 'observed': extra.pop('observed', 2),
              'offenders': extra.pop('offenders', []), 'reason': extra.pop('reason', '')}
    result.update(extra)
    return result


def every_outcome():
    return [
        verdict('min_consumers', 'passed'),
        verdict('uniform_version', 'failed', expected='one version', observed={'V4_9_4': 1, 'V5_1_0': 2},
                offenders=['10.0.1.5:53012 on V4_9_4'], reason='2 versions in use'),
        verdict('max_lag', 'inconclusive', subject='GID_payments', reason='Throttling.User: try later'),
        verdict('max_delay_seconds', 'inconclusive', subject='GID_payments', blocking=False, reason='allowed'),
        verdict('min_version', 'not_applicable', subject='GID_http', group_type='http', reason='HTTP group'),
        verdict('consumed', 'failed', subject='orders/0A0001050000217A000000000000A1B2', suite='message_delivery',
                expected=['GID_audit'], observed={'GID_audit': 'NOT_CONSUME_YET'}),
    ]


def reports():
    """Reports of every shape the gate writes, by the name of the case."""
    passing = [verdict('min_consumers', 'passed'), verdict('consumed', 'passed', suite='message_delivery', subject='orders/M1')]
    hostile = [verdict('rule.x', 'failed', subject='GID_<&>"\'', observed='\x1b[31mred\x07\x00\ud800\ufffe\U0001f600',
                       offenders=['line one\nforged: line', ']]> <!-- -->'], reason='\x85\x9b\x7f')]
    stopped = every_outcome()[:2] + gate_stopped({'failed': True, 'msg': 'boom\x1b[2J'}, 'Read the status of the groups',
                                                 suite='consumer_health')
    bad_runs = [{'suite': 'consumer_health', 'elapsed_seconds': value} for value in (None, 'x', True, -1, float('nan'))]
    return {
        'every outcome': gate_report(every_outcome(), name='release', runs=RUNS,
                                     started='2030-01-01T00:00:00Z', finished='2030-01-01T00:00:14Z'),
        'passed': gate_report(passing, runs=RUNS, started='2030-01-01T00:00:00Z', finished='2030-01-01T00:00:14Z'),
        'no check': gate_report([], started='2030-01-01T00:00:00Z', finished='2030-01-01T00:00:00Z'),
        'only not applicable': gate_report([verdict('min_version', 'not_applicable', group_type='http')]),
        'stopped': gate_report(stopped, runs=[dict(RUNS[0], stopped=True)], finished='2030-01-01T00:00:14Z'),
        'hostile text': gate_report(hostile, name='gate.v2', runs=RUNS[:1], started='2030-01-01T00:00:00Z'),
        'no times': gate_report(every_outcome()),
        'unusable run figures': gate_report(every_outcome(), runs=bad_runs, started='not a time', finished='2030-13-40T99:00:00Z'),
    }


@pytest.mark.parametrize('case', sorted(reports()))
@pytest.mark.parametrize('schema', ['jenkins', 'ant'])
def test_every_report_is_valid_against_the_jenkins_and_the_ant_junit_schema(schemas, schema, case):
    text = gate_junit(reports()[case])
    errors = [str(error.reason) + ' at ' + str(error.path) for error in schemas[schema].iter_errors(text)]
    assert errors == []


@pytest.mark.parametrize('schema, document', [
    # Jenkins: <testsuites> carries no skipped count.
    ('jenkins', '<testsuites skipped="0"/>'),
    ('jenkins', '<testsuites><testsuite name="s" tests="1" failures="0" errors="0" time="1s"/></testsuites>'),
    ('jenkins', '<testsuites><testsuite name="s" tests="1" failures="0"/></testsuites>'),
    # Ant: <testsuites> has no attribute at all; test cases hold no output; no time zone.
    ('ant', '<testsuites name="gate"/>'),
    ('ant', '<testsuites><testsuite name="s" package="p" id="0" hostname="h" timestamp="2030-01-01T00:00:00Z" '
            'tests="0" failures="0" errors="0" time="0"><properties/><system-out/><system-err/></testsuite></testsuites>'),
    ('ant', '<testsuites><testsuite name="s" package="p" id="0" hostname="h" timestamp="2030-01-01T00:00:00" '
            'tests="1" failures="0" errors="0" time="0"><properties/><testcase name="c" classname="k" time="0">'
            '<system-out>x</system-out></testcase><system-out/><system-err/></testsuite></testsuites>'),
    ('ant', '<testsuites><testsuite name="s" package="p" id="0" timestamp="2030-01-01T00:00:00" '
            'tests="0" failures="0" errors="0" time="0"><properties/><system-out/><system-err/></testsuite></testsuites>'),
    ('ant', '<testsuites><testsuite name="s" package="p" id="0" hostname="h" timestamp="2030-01-01T00:00:00" '
            'tests="1" failures="1" errors="0" time="0"><properties/><testcase name="c" classname="k" time="0">'
            '<failure type="failed"/><skipped/></testcase><system-out/><system-err/></testsuite></testsuites>'),
])
def test_the_schemas_refuse_what_their_ci_servers_refuse(schemas, schema, document):
    assert not schemas[schema].is_valid(document)


def test_the_root_has_no_attribute_and_each_suite_names_its_gate_run_and_counts():
    root = ET.fromstring(gate_junit(reports()['every outcome']))
    assert root.tag == 'testsuites' and root.attrib == {}
    suites = root.findall('testsuite')
    assert [(suite.get('name'), suite.get('package'), suite.get('id'), suite.get('hostname')) for suite in suites] == [
        ('consumer_health', 'release', '0', 'localhost'), ('message_delivery', 'release', '1', 'localhost')]
    assert [{key: suite.get(key) for key in ('tests', 'failures', 'errors', 'skipped')} for suite in suites] == [
        {'tests': '5', 'failures': '1', 'errors': '1', 'skipped': '2'},
        {'tests': '1', 'failures': '1', 'errors': '0', 'skipped': '0'}]
    assert {prop.get('name'): prop.get('value') for prop in suites[0].find('properties')} == {
        'gate': 'release', 'result': 'failed', 'attempts': '3', 'wait_timeout': '10.0', 'poll_interval': '2.0',
        'timed_out': 'true', 'stopped': 'false'}


def test_a_case_holds_at_most_its_outcome_and_passed_checks_are_told_in_the_suite_output():
    suite = ET.fromstring(gate_junit(reports()['every outcome'])).find('testsuite')
    outcomes = {case.get('name'): [child.tag for child in case] for case in suite.iter('testcase')}
    assert outcomes == {'min_consumers': [], 'uniform_version': ['failure'], 'max_lag': ['error'],
                        'max_delay_seconds': ['skipped'], 'min_version': ['skipped']}
    assert suite.find('system-out').text == 'GID_orders min_consumers PASSED: expected >= 1, observed 2'
    assert [child.tag for child in suite][-2:] == ['system-out', 'system-err']


def test_each_case_gets_an_equal_share_of_its_suites_elapsed_time_adding_up_to_it():
    verdicts = [verdict(check, 'passed') for check in ('min_consumers', 'unique_client_ids', 'rebalance_ok')]
    runs = [{'suite': 'consumer_health', 'attempts': 2, 'elapsed_seconds': 1.0}]
    suite = ET.fromstring(gate_junit(gate_report(verdicts, runs=runs))).find('testsuite')
    times = [case.get('time') for case in suite.iter('testcase')]
    assert (suite.get('time'), times) == ('1.000', ['0.334', '0.333', '0.333'])
    assert math.isclose(sum(float(time) for time in times), float(suite.get('time')))
    report = reports()['every outcome']
    for suite, run in zip(ET.fromstring(gate_junit(report)).findall('testsuite'), RUNS):
        cases = [float(case.get('time')) for case in suite.iter('testcase')]
        assert float(suite.get('time')) == run['elapsed_seconds']
        assert math.isclose(sum(cases), run['elapsed_seconds']) and max(cases) - min(cases) <= 0.001


def test_a_suite_without_a_usable_run_time_takes_zero_seconds():
    for case in ('no times', 'unusable run figures'):
        root = ET.fromstring(gate_junit(reports()[case]))
        assert {element.get('time') for element in root.iter() if element.tag in ('testsuite', 'testcase')} == {'0.000'}


def test_suites_start_one_after_another_from_the_gate_start_in_utc_without_a_zone():
    starts = [suite.get('timestamp') for suite in ET.fromstring(gate_junit(reports()['every outcome'])).findall('testsuite')]
    assert starts == ['2030-01-01T00:00:00', '2030-01-01T00:00:12']


def test_suites_one_gate_task_ran_together_start_together():
    together = {'attempts': 2, 'elapsed_seconds': 12.0, 'wait_timeout': 30.0, 'poll_interval': 10.0, 'observe_seconds': 0.0,
                'timed_out': False, 'stopped': False}
    runs = [dict(together, suite='consumer_health'), dict(together, suite='message_delivery')]
    report = gate_report(every_outcome(), runs=runs, started='2030-01-01T00:00:00Z', finished='2030-01-01T00:00:12Z')
    starts = [suite.get('timestamp') for suite in ET.fromstring(gate_junit(report)).findall('testsuite')]
    assert starts == ['2030-01-01T00:00:00', '2030-01-01T00:00:00']


def test_without_a_start_the_suites_are_counted_back_from_the_finish_and_without_any_time_say_so():
    stopped = ET.fromstring(gate_junit(reports()['stopped'])).findall('testsuite')
    assert [suite.get('timestamp') for suite in stopped] == ['2030-01-01T00:00:01']
    for case in ('no times', 'unusable run figures'):
        suites = ET.fromstring(gate_junit(reports()[case])).findall('testsuite')
        assert {suite.get('timestamp') for suite in suites} == {'1970-01-01T00:00:00'}


def test_a_gate_that_evaluated_nothing_is_one_failed_case_in_a_valid_suite():
    for case in ('no check', 'only not applicable'):
        suites = ET.fromstring(gate_junit(reports()[case])).findall('testsuite')
        gate = suites[-1]
        assert (gate.get('name'), gate.get('tests'), gate.get('failures')) == ('gate', '1', '1')
        assert gate.find('testcase/failure').get('message') == 'no check was evaluated'
