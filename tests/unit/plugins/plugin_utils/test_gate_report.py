# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The gate's reports: the JSON report, its failure lines, the CI summary and the JUnit XML."""

import copy
import json
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_model import GateInputError, problem
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_report import gate_failures, gate_junit, gate_report, gate_summary
from ansible_collections.apsaramq.rocketmq.tests.unit.plugins.plugin_utils.gate_builders import (
    INSTANCE,
    MSG,
    OTHER_INSTANCE,
    client,
    deliver,
    judge,
    status_entry,
    trace_entry,
    track,
)

HTTP_REASON = 'HTTP consumers hold no long-lived connection, so the API lists no clients to check for an HTTP group'
RUNS = [{'suite': 'consumer_health', 'attempts': 3, 'elapsed_seconds': 12.5, 'wait_timeout': 10.0, 'poll_interval': 2.0, 'timed_out': True},
        {'suite': 'message_delivery', 'attempts': 1, 'elapsed_seconds': 0.8, 'wait_timeout': 0.0, 'poll_interval': 10.0, 'timed_out': False}]
UNIFORM_FAILURE = ('GID_orders uniform_version FAILED: expected one version, observed V4_9_4: 1, V5_1_0: 2; 2 versions in use; '
                   '1 client not on V5_1_0; offenders: 10.0.1.5:53012 on V4_9_4 (client id 10.0.1.5@53012#1#2#3)')
DELIVERY_FAILURE = ('orders/%s consumed FAILED: expected GID_audit, GID_orders, observed GID_orders: CONSUMED, GID_audit: NOT_CONSUME_YET; '
                    '1 of 2 groups did not consume the message; offenders: GID_audit: NOT_CONSUME_YET' % MSG)


def sample_verdicts():
    """GID_orders fails uniform_version; GID_payments's max_lag is inconclusive, allowed; a message was not consumed."""
    mixed = status_entry(connections=[client('10.0.1.5:53012', 'V4_9_4'), client('10.0.1.6:53020', 'V5_1_0'),
                                      client('10.0.1.7:53031', 'V5_1_0')])
    health = judge([{'group_id': 'GID_orders'}, {'group_id': 'GID_payments', 'max_lag': 5, 'allow_inconclusive': ['max_lag']}],
                   {'GID_orders': mixed, 'GID_payments': status_entry('GID_payments', total_diff=None)}, uniform_version=True)
    delivery = deliver([{'topic': 'orders', 'msg_id': MSG}],
                       {MSG: trace_entry(tracks=[track('GID_orders', 'CONSUMED'), track('GID_audit', 'NOT_CONSUME_YET')])})
    return health + delivery


def status_failed_verdicts():
    return judge([{'group_id': 'GID_orders'}], {'GID_orders': problem('ons_consumer_status_info failed: InternalError: boom')})


# ---------------------------------------------------------------------------------------------
# The JSON report and its failure lines


def test_the_report_counts_every_verdict_and_fails_on_blocking_ones():
    report = gate_report(sample_verdicts(), name='release', runs=RUNS, started='2030-01-01T00:00:00Z', finished='2030-01-01T00:00:13Z',
                         notes=['release 42'])
    assert report['result'] == 'failed'
    assert report['counts'] == {'checks': 12, 'passed': 9, 'failed': 2, 'inconclusive': 1, 'not_applicable': 0, 'blocking': 2}
    assert (report['gate'], report['started'], report['finished'], report['notes']) == (
        'release', '2030-01-01T00:00:00Z', '2030-01-01T00:00:13Z', ['release 42'])
    assert report['runs'] == RUNS
    assert report['checks'] == sample_verdicts()
    assert json.loads(json.dumps(report)) == report


def test_the_report_passes_when_nothing_blocks_and_fails_when_nothing_was_checked():
    passing = [verdict for verdict in sample_verdicts() if not verdict['blocking']]
    assert gate_report(passing)['result'] == 'passed'
    assert gate_report(passing)['failures'] == []
    empty = gate_report([])
    assert empty['result'] == 'failed'
    assert empty['failures'] == ['no check was evaluated: the gate lists no group and no message, so it cannot pass']


def test_failure_lines_name_subject_check_expected_observed_and_offenders_one_per_blocking_check():
    assert gate_failures(gate_report(sample_verdicts())) == [UNIFORM_FAILURE, DELIVERY_FAILURE]


def test_failure_lines_name_the_instance_when_the_gate_spans_several():
    verdicts = judge([{'group_id': 'GID_orders'}, {'group_id': 'GID_orders', 'instance_id': OTHER_INSTANCE}],
                     {'GID_orders': status_entry(connections=[])})
    assert [line.split(':')[0] for line in gate_failures(gate_report(verdicts))] == [
        'GID_orders (%s) min_consumers FAILED' % INSTANCE, 'GID_orders (%s) min_consumers FAILED' % OTHER_INSTANCE]


def test_long_offender_lists_are_shortened_in_lines_but_complete_in_the_report():
    status = status_entry(connections=[client('10.0.2.%d:5000' % n, 'V4_0_0') for n in range(12)])
    report = gate_report(judge([{'group_id': 'GID_orders'}], {'GID_orders': status}, min_version='V4_9_4'))
    assert len(report['checks'][1]['offenders']) == 12
    assert report['failures'][0].endswith('and 4 more')


@pytest.mark.parametrize('report', [None, [], {'checks': []}, 'passed'])
def test_the_renderers_refuse_what_gate_report_did_not_make(report):
    for render in (gate_failures, gate_summary, gate_junit):
        with pytest.raises(GateInputError, match=r'^gate report: '):
            render(report)


@pytest.mark.parametrize('verdicts, message', [
    ([{'status': 'ok'}], r'^verdicts\[0\]: not a verdict'),
    ([{'suite': 's', 'subject': 'x', 'check': 'c', 'status': 'ok'}], r'^verdicts\[0\]: not a verdict'),
    (['x'], r'^verdicts\[0\]: expected a verdict'),
    ('x', r'^verdicts: expected a list of verdicts'),
])
def test_gate_report_refuses_what_is_not_a_verdict(verdicts, message):
    with pytest.raises(GateInputError, match=message):
        gate_report(verdicts)


def test_reporting_does_not_change_the_verdicts():
    verdicts = sample_verdicts()
    before = copy.deepcopy(verdicts)
    report = gate_report(verdicts, runs=RUNS)
    gate_summary(report, subjects=True)
    gate_junit(report)
    assert verdicts == before


# ---------------------------------------------------------------------------------------------
# The summary


def test_the_summary_gives_the_outcome_the_runs_the_notes_the_report_paths_and_last_each_failure():
    report = gate_report(sample_verdicts(), name='release', runs=RUNS, notes=['release 42'])
    assert gate_summary(report, {'JSON': '/r/release.json', 'JUnit': '/r/release-junit.xml'}) == [
        'release FAILED: 12 checks, 9 passed, 2 failed, 1 inconclusive',
        '  2 groups and 1 message on MQ_INST_1234567890_TEST (4.x)',
        '  consumer_health: 3 attempts in 12.5 s, still failing when wait_timeout (10 s) ran out',
        '  message_delivery: 1 attempt in 0.8 s',
        '  note: release 42',
        '  JSON report: /r/release.json',
        '  JUnit report: /r/release-junit.xml',
        '  - ' + UNIFORM_FAILURE,
        '  - ' + DELIVERY_FAILURE,
    ]


def test_the_summary_with_subjects_has_one_line_per_group_and_message_before_the_failures():
    lines = gate_summary(gate_report(sample_verdicts(), name='release', runs=RUNS), {'JSON': '/r/release.json'}, subjects=True)
    assert lines[4:] == [
        '  FAIL  GID_orders: uniform_version failed',
        '  ok    GID_payments: 5 passed, max_lag inconclusive (allowed)',
        '  FAIL  orders/%s: consumed failed' % MSG,
        '  JSON report: /r/release.json',
        '  - ' + UNIFORM_FAILURE,
        '  - ' + DELIVERY_FAILURE,
    ]


def test_the_summary_of_a_selection_says_what_it_chose():
    verdicts = judge([{'select': {'tags': {'app': 'x'}}}], {'GID_a': status_entry('GID_a')},
                     listings={0: {'groups': [{'group_id': 'GID_a'}]}})
    lines = gate_summary(gate_report(verdicts), subjects=True)
    assert '  ok    groups[0] (every group with tag app=x): GID_a' in lines
    assert '  ok    GID_a: 4 checks passed' in lines


def test_the_summary_says_what_was_checked_on_which_instance_of_which_generation():
    verdicts = [dict(item, instance_id='rmq-cn-test0000001') if item['subject'] == 'GID_payments' else item
                for item in sample_verdicts()]
    lines = gate_summary(gate_report(verdicts))
    assert lines[1] == '  2 groups and 1 message on MQ_INST_1234567890_TEST (4.x), rmq-cn-test0000001 (5.x)'


def test_suites_that_ran_together_share_one_line_and_say_how_they_waited():
    together = {'attempts': 3, 'elapsed_seconds': 20.0, 'wait_timeout': 60.0, 'poll_interval': 10.0, 'observe_seconds': 20.0,
                'timed_out': False, 'stopped': False}
    runs = [dict(together, suite='consumer_health'), dict(together, suite='message_delivery')]
    lines = gate_summary(gate_report(sample_verdicts(), runs=runs))
    assert lines[1:4] == [
        '  2 groups and 1 message on MQ_INST_1234567890_TEST (4.x)',
        '  consumer_health and message_delivery: 3 attempts in 20 s (wait_timeout 60 s, poll_interval 10 s, observed for at least 20 s)',
        '  - ' + UNIFORM_FAILURE]
    stopped = gate_summary(gate_report(sample_verdicts(), runs=[dict(together, suite='consumer_health', stopped=True)]))
    assert stopped[2] == '  consumer_health: 3 attempts in 20 s, stopped before it could finish'


# ---------------------------------------------------------------------------------------------
# HTTP groups in the reports


def http_verdicts():
    return judge([{'group_id': 'GID_web', 'group_type': 'http', 'max_delay_seconds': 60}],
                 {'GID_web': status_entry('GID_web', connections=[], delay_time=1000)})


def test_not_applicable_checks_are_counted_skipped_in_junit_and_summarised():
    report = gate_report(http_verdicts(), name='web')
    assert report['result'] == 'passed'
    assert report['counts'] == {'checks': 5, 'passed': 1, 'failed': 0, 'inconclusive': 0, 'not_applicable': 4, 'blocking': 0}
    suite = ET.fromstring(gate_junit(report)).find('testsuite')
    assert (suite.get('tests'), suite.get('skipped'), suite.get('failures'), suite.get('errors')) == ('5', '4', '0', '0')
    skipped = suite.findall('.//skipped')
    assert len(skipped) == 4
    assert all('NOT_APPLICABLE' in item.get('message') and HTTP_REASON in item.get('message') for item in skipped)
    assert 'group type: http' in skipped[0].text
    summary = gate_summary(report, subjects=True)
    assert summary[0] == 'web PASSED: 5 checks, 1 passed, 0 failed, 0 inconclusive, 4 not applicable'
    assert '  ok    GID_web: 1 check passed, 4 not applicable (HTTP group: no clients to check)' in summary


def test_not_applicable_checks_alone_never_pass_a_gate():
    alone = gate_report([verdict for verdict in http_verdicts() if verdict['status'] == 'not_applicable'])
    assert alone['result'] == 'failed' and alone['failures'][0].startswith('no check was evaluated')
    assert ET.fromstring(gate_junit(alone)).find("testsuite[@name='gate']").get('failures') == '1'


# ---------------------------------------------------------------------------------------------
# JUnit


def test_junit_has_one_suite_per_role_and_one_case_per_subject_and_check():
    root = ET.fromstring(gate_junit(gate_report(sample_verdicts(), name='release', runs=RUNS, finished='2030-01-01T00:00:13Z')))
    suites = root.findall('testsuite')
    assert root.tag == 'testsuites' and {suite.get('package') for suite in suites} == {'release'}
    assert {key: sum(int(suite.get(key)) for suite in suites) for key in ('tests', 'failures', 'errors', 'skipped')} == {
        'tests': 12, 'failures': 2, 'errors': 0, 'skipped': 1}
    assert [(suite.get('name'), suite.get('tests'), suite.get('failures'), suite.get('time')) for suite in suites] == [
        ('consumer_health', '11', '1', '12.500'), ('message_delivery', '1', '1', '0.800')]
    cases = [(case.get('classname'), case.get('name')) for case in root.iter('testcase')]
    assert len(cases) == len(set(cases)) == 12
    assert ('consumer_health.%s.GID_orders' % INSTANCE, 'uniform_version') in cases
    assert ('message_delivery.%s.orders.%s' % (INSTANCE, MSG), 'consumed') in cases
    failure = root.find(".//testcase[@name='uniform_version']/failure")
    assert failure.get('type') == 'failed'
    assert 'offender: 10.0.1.5:53012 on V4_9_4' in failure.text
    assert root.find(".//testcase[@name='max_lag']/skipped") is not None
    assert list(root.find(".//testcase[@name='min_consumers']")) == []
    assert 'GID_orders min_consumers PASSED' in suites[0].find('system-out').text


def test_the_case_times_add_up_to_the_suites_each_case_its_share_by_when_it_was_reached():
    verdicts = sample_verdicts()[:3]
    for verdict, seconds in zip(verdicts, (0.0, 10.25, 20.5)):
        verdict['seconds'] = seconds
    runs = [{'suite': 'consumer_health', 'attempts': 3, 'elapsed_seconds': 30.0}]
    suite = ET.fromstring(gate_junit(gate_report(verdicts, runs=runs))).find('testsuite')
    # Tools that add the times of the cases (GitLab) show the suite's 30 s, not 0 + 10.25 + 20.5.
    assert [case.get('time') for case in suite.iter('testcase')] == ['0.000', '10.000', '20.000']
    assert suite.get('time') == '30.000'
    # Verdicts without their time (made elsewhere) share the suite's time equally.
    del verdicts[1]['seconds']
    suite = ET.fromstring(gate_junit(gate_report(verdicts, runs=runs))).find('testsuite')
    assert [case.get('time') for case in suite.iter('testcase')] == ['10.000', '10.000', '10.000']
    # Every verdict reached at the first attempt: equal shares, the odd millisecond to the first.
    for verdict in verdicts:
        verdict['seconds'] = 0.4
    runs = [{'suite': 'consumer_health', 'attempts': 1, 'elapsed_seconds': 0.401}]
    suite = ET.fromstring(gate_junit(gate_report(verdicts, runs=runs))).find('testsuite')
    assert [case.get('time') for case in suite.iter('testcase')] == ['0.134', '0.134', '0.133']


def test_junit_reports_a_blocking_inconclusive_check_as_an_error():
    root = ET.fromstring(gate_junit(gate_report(status_failed_verdicts())))
    assert (root.find('testsuite').get('errors'), root.find('testsuite').get('failures')) == ('4', '0')
    assert root.find('.//error').get('type') == 'inconclusive'


def test_junit_escapes_markup_and_drops_characters_xml_cannot_carry():
    verdicts = status_failed_verdicts()
    for verdict in verdicts:
        verdict['reason'] = 'answer <html>&"quoted"</html>\x00\x1b[31m \ud800 end'
    text = gate_junit(gate_report(verdicts))
    error = ET.fromstring(text.encode('utf-8')).find('.//error')
    assert 'answer <html>&"quoted"</html>\\x00\\x1b[31m  end' in error.text
    assert '\x00' not in text and '\x1b' not in text


def test_junit_of_an_empty_gate_has_one_failing_case():
    root = ET.fromstring(gate_junit(gate_report([])))
    assert (root.find('testsuite').get('tests'), root.find('testsuite').get('failures')) == ('1', '1')


# ---------------------------------------------------------------------------------------------
# Text from the API


def test_control_characters_from_the_api_are_escaped_in_every_line_and_report():
    hostile = 'GID_a\x1b]0;owned\x07\x00\x9b31m\nGID_b consumed PASSED'
    verdicts = judge([{'group_id': 'GID_a', 'min_version': 'V5_0_0'}],
                     {'GID_a': status_entry('GID_a', connections=[{'client_id': hostile, 'client_addr': hostile, 'language': 'JAVA',
                                                                   'version': 'V4_9_4'}])})
    report = gate_report(verdicts, name='hostile')
    text = '\n'.join(gate_failures(report) + gate_summary(report, subjects=True))
    junit = gate_junit(report)
    for raw in ('\x1b', '\x07', '\x00', '\x9b'):
        assert raw not in text and raw not in junit
    assert '\\x1b]0;owned\\x07\\x00\\x9b31m\\x0aGID_b consumed PASSED' in gate_failures(report)[0]
    # A newline from the API never starts a line of its own.
    assert len(gate_failures(report)) == 1
    assert not any(line.startswith('GID_b') for line in junit.split('\n'))


@pytest.mark.parametrize('run', [
    {'attempts': 10 ** 5000, 'elapsed_seconds': 10 ** 400, 'wait_timeout': float('inf'), 'poll_interval': 1e308},
    {'attempts': 1, 'elapsed_seconds': '9' * 5000, 'wait_timeout': 10 ** 400, 'timed_out': True},
    {'attempts': 1, 'elapsed_seconds': 1e300, 'observe_seconds': float('nan')},
], ids=['huge ints', 'text of 5000 digits', 'huge floats'])
@pytest.mark.parametrize('started', ['2026-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '0001-01-01T00:00:00Z'])
def test_runs_with_numbers_of_any_size_from_elsewhere_are_reported_shortened_never_failing(run, started):
    # The gate_report role takes runs made anywhere: a number no run can have still gives reports.
    verdicts = judge([{'group_id': 'GID_orders'}], {'GID_orders': status_entry()})
    for verdict in verdicts:
        verdict.pop('seconds', None)
    report = gate_report(verdicts, runs=[dict(run, suite='consumer_health')], started=started, finished=started)
    lines = gate_summary(report)
    assert all(len(line) < 1000 for line in lines)
    root = ET.fromstring(gate_junit(report))
    suite = root.find('testsuite')
    assert float(suite.get('time')) == 0.0
    assert all(float(case.get('time')) == 0.0 for case in suite.findall('testcase'))
    if run['attempts'] != 1:
        assert lines[2].startswith('  consumer_health: 1000\u2026(5001 digits) attempts in 1000\u2026(401 digits) s')


def test_an_observed_number_too_long_to_print_is_reported_shortened():
    verdicts = judge([{'group_id': 'GID_orders', 'rules': [{'name': 'count', 'query': 'status.total_diff', 'expect': 0}]}],
                     {'GID_orders': status_entry(total_diff=10 ** 5000)})
    report = gate_report(verdicts)
    rule = [verdict for verdict in report['checks'] if verdict['check'] == 'count'][0]
    assert rule['status'] == 'failed' and rule['observed'] == '1000\u2026(5001 digits)'
    json.dumps(report)
    assert 'observed 1000\u2026(5001 digits)' in '\n'.join(gate_summary(report))


def test_a_run_that_would_end_after_the_calendar_starts_where_its_end_says():
    verdicts = judge([{'group_id': 'GID_orders'}], {'GID_orders': status_entry()})
    report = gate_report(verdicts, runs=[{'suite': 'consumer_health', 'attempts': 1, 'elapsed_seconds': 300000000}],
                         started='9999-12-31T23:59:59Z', finished='9999-12-31T23:59:59Z')
    suite = ET.fromstring(gate_junit(report)).find('testsuite')
    # Counted back from finished: 300000000 s (about 9.5 years) before the end of 9999.
    assert suite.get('timestamp').startswith('9990-')


def test_the_summary_counts_one_check_in_the_singular():
    verdicts = deliver([{'topic': 'orders', 'msg_id': MSG}], {MSG: trace_entry(tracks=[track('GID_orders', 'CONSUMED')])})
    assert gate_summary(gate_report(verdicts, name='one'))[0] == 'one PASSED: 1 check, 1 passed, 0 failed, 0 inconclusive'
