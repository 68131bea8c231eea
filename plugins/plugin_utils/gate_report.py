# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# FOR INTERNAL COLLECTION USE ONLY: the interfaces of this file serve the apsaramq.rocketmq collection
# and may change in any release; modules, plugins and roles are the public interface.

"""The gate's reports: the JSON summary, the lines of the CI log, and the JUnit XML.

Every text rendered here escapes control characters, so that a string from the API cannot drive
the terminal or forge a line of the report.
"""

import datetime
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.validation import number_text
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_backends import generation
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_model import (
    FAILED,
    GATE_SUITE,
    INCONCLUSIVE,
    NOT_APPLICABLE,
    PASSED,
    RUN_CHECK,
    STATUSES,
    STOPPED,
    clean,
    fail,
    plain,
    plural,
    render,
    several_instances,
    short,
    subject_name,
)
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_values import listing, mapping, text

# How many offenders a text line names before "and N more"; the JSON report keeps them all.
MAX_LISTED = 8
# Characters XML 1.0 cannot carry, even escaped.
_XML_INVALID = re.compile('[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]')


def _listing(items):
    items = list(items)
    shown = ', '.join(items[:MAX_LISTED])
    if len(items) > MAX_LISTED:
        shown += ' and %d more' % (len(items) - MAX_LISTED)
    return shown


def _check_verdicts(verdicts):
    checked = []
    for index, verdict in enumerate(listing(verdicts, 'verdicts', 'verdicts')):
        mapping(verdict, 'verdicts[%d]' % index, 'a verdict')
        missing = [key for key in ('suite', 'subject', 'check', 'status') if key not in verdict]
        if missing or verdict['status'] not in STATUSES:
            fail('verdicts[%d]' % index, 'not a verdict of the gate filters: %s' % short(verdict))
        checked.append(plain(verdict))
    return checked


def _strings(value, where):
    return [text(item, '%s[%d]' % (where, index), 'a line of text')
            for index, item in enumerate(listing(value or [], where, 'lines of text'))]


def gate_report(verdicts, name='deployment_gate', runs=None, started=None, finished=None, notes=None):
    """Return the gate's JSON summary: the outcome, counts, the failure lines and every verdict."""
    verdicts = _check_verdicts(verdicts)
    counts = {'checks': len(verdicts), PASSED: 0, FAILED: 0, INCONCLUSIVE: 0, NOT_APPLICABLE: 0, 'blocking': 0}
    for verdict in verdicts:
        counts[verdict['status']] += 1
        counts['blocking'] += 1 if verdict.get('blocking') else 0
    evaluated = counts['checks'] - counts[NOT_APPLICABLE]
    report = {
        'gate': str(name),
        'result': PASSED if evaluated and not counts['blocking'] else FAILED,
        'started': started,
        'finished': finished,
        'counts': counts,
        'runs': plain(runs or []),
        'notes': _strings(notes, 'notes'),
        'failures': [],
        'checks': verdicts,
    }
    report['failures'] = _failure_lines(report)
    return report


def _verdict_line(verdict, with_instance):
    subject = subject_name(verdict, with_instance)
    status = verdict['status'].upper()
    if verdict['status'] == INCONCLUSIVE and not verdict.get('blocking'):
        status += ' (allowed)'
    if verdict['check'] == RUN_CHECK and verdict.get('observed') == STOPPED and verdict.get('reason'):
        # A run that stopped: what stopped it is the whole line.
        line = '%s %s %s: %s' % (subject, verdict['check'], status, verdict['reason'])
    else:
        line = '%s %s %s: expected %s, observed %s' % (
            subject, verdict['check'], status, render(verdict.get('expected')), render(verdict.get('observed')))
        if verdict.get('reason'):
            line += '; %s' % verdict['reason']
    if verdict.get('offenders'):
        line += '; offenders: %s' % _listing(verdict['offenders'])
    return clean(line)


# The request ID an error's text ends with: each call has its own, so it does not tell causes apart.
_REQUEST_ID = re.compile(r' \(request id [^)]*\)')


def _cause_line(verdicts, with_instance):
    """One line for the blocking verdicts of one cause of the run (apis.Cause): what it is, the fix, what it left untold.

    The error is told in the words of the verdict that says it most shortly (a selection adds what
    it left unchecked).
    """
    first = min(verdicts, key=lambda verdict: len(verdict['reason']))
    subjects = []
    for verdict in verdicts:
        name = subject_name(verdict, with_instance)
        if name not in subjects:
            subjects.append(name)
    return clean('%s INCONCLUSIVE: %s; %s (%s of %s could not be told)' % (
        first['cause']['kind'], first['reason'], first['cause']['fix'], plural(len(verdicts), 'check'), _listing(subjects)))


def _shared_line(verdicts, with_instance):
    """One line for the blocking verdicts of one subject that share a reason and have nothing else to say."""
    first = verdicts[0]
    status = first['status'].upper()
    return clean('%s %s %s: %s' % (subject_name(first, with_instance), ', '.join(verdict['check'] for verdict in verdicts),
                                   status, first['reason']))


def _failure_lines(report):
    """The lines of the blocking verdicts, each cause said once.

    A cause of the run (a verdict's ``cause``: credentials, clock, permission, throttling, the
    endpoint) is one line for every check it left untold, first. The checks of one subject that
    share a status and a reason and say nothing else (the facts were missing for them all, such
    as a group that does not exist) are one line. Every other check has a line of its own.
    """
    verdicts = report['checks']
    several = several_instances(verdicts)
    groups = {}
    for verdict in verdicts:
        if not verdict.get('blocking'):
            continue
        reason = _REQUEST_ID.sub('', verdict.get('reason') or '')
        if verdict.get('cause'):
            key = ('cause', verdict['cause']['kind'], verdict['cause'].get('code'))
        elif verdict.get('observed') is None and not verdict.get('offenders') and reason:
            key = ('subject', verdict['suite'], verdict['subject'], verdict.get('instance_id'), verdict['status'], reason)
        else:
            key = ('check', id(verdict))
        groups.setdefault(key, []).append(verdict)
    lines = [_cause_line(group, several) for key, group in groups.items() if key[0] == 'cause']
    lines += [_verdict_line(group[0], several) if len(group) == 1 else _shared_line(group, several)
              for key, group in groups.items() if key[0] != 'cause']
    if not verdicts:
        lines.append('no check was evaluated: the gate lists no group and no message, so it cannot pass')
    elif not lines and report['result'] != PASSED:
        lines.append('no check was evaluated: every check of the gate is not applicable, so it cannot pass')
    return lines


def _report(report):
    report = mapping(report, 'gate report', 'the report returned by gate_report')
    if 'checks' not in report or 'result' not in report:
        fail('gate report', 'not a report of gate_report: %s' % short(report))
    return report


def gate_failures(report):
    """Return one line per blocking verdict (failed, or inconclusive and not allowed) of a report."""
    return [clean(str(line)) for line in _report(report).get('failures') or []]


def _number(value):
    """Show 12.0 as 12 and 3.25 as 3.25; anything else as it is (a number too long to print shortened)."""
    # Below 1e15 a float holds every whole number exactly; a larger one is shown as Python shows it (1e+308).
    if isinstance(value, float) and math.isfinite(value) and abs(value) < 1e15 and value == int(value):
        return str(int(value))
    return number_text(value)


def _run_line(run, suites=None):
    attempts = run.get('attempts')
    line = '%s: %s attempt%s in %s s' % (' and '.join(suites or [str(run.get('suite'))]), _number(attempts), '' if attempts == 1 else 's',
                                         _number(run.get('elapsed_seconds')))
    if run.get('stopped'):
        line += ', stopped before it could finish'
    elif run.get('timed_out'):
        line += ', still failing when wait_timeout (%s s) ran out' % _number(run.get('wait_timeout'))
    elif run.get('wait_timeout') or run.get('observe_seconds'):
        line += ' (wait_timeout %s s, poll_interval %s s%s)' % (
            _number(run.get('wait_timeout')), _number(run.get('poll_interval')),
            ', observed for at least %s s' % _number(run['observe_seconds']) if run.get('observe_seconds') else '')
    return line


def _run_lines(runs):
    """One line per run; suites that ran together (one gate task, the same attempts) share a line."""
    runs = [run for run in runs or [] if isinstance(run, Mapping)]
    together = {}
    order = []
    for run in runs:
        key = _run_key(run)
        if key not in together:
            order.append(key)
            together[key] = (run, [])
        together[key][1].append(str(run.get('suite')))
    return [_run_line(*together[key]) for key in order]


def _subject_line(label, group):
    bad = [verdict for verdict in group if verdict['status'] not in (PASSED, NOT_APPLICABLE)]
    passed = len([verdict for verdict in group if verdict['status'] == PASSED])
    not_applicable = len(group) - passed - len(bad)
    extra = ''
    if not_applicable:
        http = group[0].get('group_type') == 'http'
        extra = ', %d not applicable%s' % (not_applicable, ' (HTTP group: no clients to check)' if http else '')
    if any(verdict.get('blocking') for verdict in bad):
        return '  FAIL  %s: %s%s' % (label, ', '.join('%s %s' % (verdict['check'], verdict['status']) for verdict in bad), extra)
    if bad:
        allowed = ', '.join('%s %s (allowed)' % (verdict['check'], verdict['status']) for verdict in bad)
        return '  ok    %s: %d passed, %s%s' % (label, passed, allowed, extra)
    if group[0].get('kind') == 'selection':
        return '  ok    %s (%s): %s' % (label, group[0]['expected'], render(group[0]['observed']))
    return '  ok    %s: %d check%s passed%s' % (label, passed, '' if passed == 1 else 's', extra)


def _scope_line(verdicts):
    """What the gate checked, in one line: how many groups and messages, on which instances of which generation."""
    groups = {(verdict.get('instance_id'), verdict['subject']) for verdict in verdicts if verdict.get('kind') == 'group'}
    messages = {(verdict.get('instance_id'), verdict['subject']) for verdict in verdicts if verdict.get('kind') == 'message'}
    instances = sorted({instance for instance, _subject in groups | messages if isinstance(instance, str)})
    if not instances:
        return ''
    parts = [plural(len(groups), 'group')] if groups else []
    if messages:
        parts.append(plural(len(messages), 'message'))
    return '%s on %s' % (' and '.join(parts), ', '.join('%s (%s)' % (instance, generation(instance)) for instance in instances))


def gate_summary(report, paths=None, subjects=False):
    """Return the short human summary of a report, for the CI log.

    The outcome and counts, how the run went, the notes and where the reports are; with
    ``subjects``, one line per group or message; last, one line per check that did not pass.
    """
    report = _report(report)
    counts = report['counts']
    header = '%s %s: %s, %d passed, %d failed, %d inconclusive' % (
        report['gate'], report['result'].upper(), plural(counts['checks'], 'check'), counts[PASSED], counts[FAILED],
        counts[INCONCLUSIVE])
    if counts.get(NOT_APPLICABLE):
        header += ', %d not applicable' % counts[NOT_APPLICABLE]
    lines = [header]
    scope = _scope_line(report['checks'])
    if scope:
        lines.append('  ' + scope)
    lines.extend('  ' + line for line in _run_lines(report.get('runs')))
    lines.extend('  note: %s' % note for note in report.get('notes') or [])
    if subjects:
        order = []
        by_subject = {}
        for verdict in report['checks']:
            key = (verdict['suite'], verdict.get('instance_id'), verdict['subject'])
            if key not in by_subject:
                order.append(key)
                by_subject[key] = []
            by_subject[key].append(verdict)
        with_instance = several_instances(report['checks'])
        for key in order:
            lines.append(_subject_line(subject_name(by_subject[key][0], with_instance), by_subject[key]))
    for label, path in (paths or {}).items():
        lines.append('  %s report: %s' % (label, path))
    for line in report.get('failures') or []:
        lines.append('  - ' + str(line))
    return [clean(line) for line in lines]


def _xml_text(value):
    """Return text XML 1.0 can carry: control characters escaped, others it forbids even escaped dropped."""
    return _XML_INVALID.sub('', clean(value if isinstance(value, str) else render(value)))


def _classname(verdict):
    parts = [verdict['suite']]
    if verdict.get('instance_id'):
        parts.append(verdict['instance_id'])
    parts.append(str(verdict['subject']).replace('/', '.'))
    return '.'.join(parts)


def _case_text(verdict):
    lines = ['subject: %s' % verdict['subject']]
    if verdict.get('instance_id'):
        lines.append('instance: %s' % verdict['instance_id'])
    if verdict.get('group_type'):
        lines.append('group type: %s' % verdict['group_type'])
    lines.extend([
        'check: %s' % verdict['check'],
        'status: %s' % verdict['status'],
        'expected: %s' % render(verdict.get('expected')),
        'observed: %s' % render(verdict.get('observed')),
    ])
    if verdict.get('reason'):
        lines.append('reason: %s' % verdict['reason'])
    for offender in verdict.get('offenders') or []:
        lines.append('offender: %s' % offender)
    # Each line escaped on its own: a newline inside a value must not start a line of its own.
    return '\n'.join(_xml_text(line) for line in lines)


def gate_junit(report):
    """Return the JUnit XML of a report: one test suite per role, one test case per subject and check.

    The document is valid against both the Jenkins JUnit schema and the Ant JUnit schema, so that
    every CI server reads it: ``testsuites`` carries no attribute (the Ant schema allows none);
    each ``testsuite`` holds ``properties``, its test cases, ``system-out`` and ``system-err`` in
    that order, with the attributes both schemas require; a test case holds at most one of
    ``failure``, ``error`` and ``skipped``.
    """
    report = _report(report)
    runs = {}
    for run in report.get('runs') or []:
        if isinstance(run, Mapping) and run.get('suite') not in runs:
            runs[run.get('suite')] = run
    suites = []
    by_suite = {}
    for verdict in report['checks']:
        if verdict['suite'] not in by_suite:
            suites.append(verdict['suite'])
            by_suite[verdict['suite']] = []
        by_suite[verdict['suite']].append(verdict)
    if report.get('result') != PASSED and not any(
            verdict['status'] == FAILED or (verdict['status'] == INCONCLUSIVE and verdict.get('blocking'))
            for verdict in report['checks']):
        # A gate that evaluated nothing is a failure; say so where CI shows test results.
        suites.append(None)
    starts = _junit_suite_starts(report, suites, runs)
    root = ET.Element('testsuites')
    for index, suite in enumerate(suites):
        if suite is None:
            _junit_empty_gate(root, report, index, starts[index])
            continue
        run = runs.get(suite) or {}
        element = _junit_suite(root, report, suite, index, starts[index], run)
        verdicts = by_suite[suite]
        counts = {'tests': len(verdicts), 'failures': 0, 'errors': 0, 'skipped': 0}
        passed = []
        for verdict, millis in zip(verdicts, _junit_case_times(verdicts, run)):
            case = ET.SubElement(element, 'testcase', {'classname': _xml_text(_classname(verdict)),
                                                       'name': _xml_text(verdict['check']), 'time': _junit_time(millis)})
            details = _case_text(verdict)
            message = _xml_text(_verdict_line(verdict, False))
            if verdict['status'] == FAILED:
                counts['failures'] += 1
                ET.SubElement(case, 'failure', {'message': message, 'type': FAILED}).text = details
            elif verdict['status'] == INCONCLUSIVE and verdict.get('blocking'):
                counts['errors'] += 1
                ET.SubElement(case, 'error', {'message': message, 'type': INCONCLUSIVE}).text = details
            elif verdict['status'] in (INCONCLUSIVE, NOT_APPLICABLE):
                counts['skipped'] += 1
                ET.SubElement(case, 'skipped', {'message': message}).text = details
            else:
                # The Ant schema allows no output inside a test case: a passed check's line goes to
                # the suite's system-out.
                passed.append(message)
        ET.SubElement(element, 'system-out').text = '\n'.join(passed)
        ET.SubElement(element, 'system-err')
        _junit_counts(element, counts)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding='unicode') + '\n'


# The longest time a test case or suite is given, in seconds (ten years): a longer one is no time a
# gate ran, and would overflow the timestamps computed from it.
_JUNIT_SECONDS_MAX = 10 * 366 * 86400
# The Ant schema requires a host; the gate evaluates its checks on the controller.
_JUNIT_HOST = 'localhost'
# The Ant schema requires a timestamp; this one says the report carried no time at all.
_JUNIT_NO_TIME = '1970-01-01T00:00:00'
_JUNIT_TIME_FORMAT = '%Y-%m-%dT%H:%M:%S'
_TIMESTAMP = re.compile(r'(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})')


def _junit_seconds(value):
    """A run's elapsed seconds as whole milliseconds, or 0 when it is not a usable figure."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return 0
    try:
        seconds = float(value)
    except (ValueError, OverflowError):
        # OverflowError: an int beyond a float's range, from a run made elsewhere.
        return 0
    return int(round(seconds * 1000)) if math.isfinite(seconds) and 0 < seconds <= _JUNIT_SECONDS_MAX else 0


def _junit_time(millis):
    return '%d.%03d' % divmod(millis, 1000)


def _junit_case_times(verdicts, run):
    """Each test case's time, in whole milliseconds, adding up to the suite's time (tools that add them show the run's).

    The suite's time is shared in proportion to each verdict's ``seconds``: how long the gate had
    run when it reached that verdict (a check that passed at once took a share of the first
    attempt, one that passed after a wait a share of that wait). Verdicts without it (made
    elsewhere and handed to the gate_report role), or all reached at 0 s, share it equally. The
    milliseconds a division leaves over go to the first cases.
    """
    millis = _junit_seconds(run.get('elapsed_seconds'))
    if not verdicts:
        return []
    weights = [_junit_seconds(verdict.get('seconds')) for verdict in verdicts]
    if not all(weight or verdict.get('seconds') == 0 for weight, verdict in zip(weights, verdicts)) or not sum(weights):
        weights = [1] * len(verdicts)
    total = sum(weights)
    shares = [millis * weight // total for weight in weights]
    rest = millis - sum(shares)
    return [share + (1 if index < rest else 0) for index, share in enumerate(shares)]


def _run_key(run):
    """What identifies a run apart from its suite: suites that one gate task ran together share it."""
    return tuple(sorted((key, number_text(value) if isinstance(value, int) else str(value))
                        for key, value in (run or {}).items() if key != 'suite'))


def _junit_suite_starts(report, suites, runs):
    """When each suite started (UTC, no zone, as the Ant schema takes it).

    Suites that ran together (one gate task: the same run but for its suite) start together; other
    runs follow one another from the report's ``started``, each for its ``elapsed_seconds``;
    without ``started``, they are counted back from ``finished``.
    """
    keys = [_run_key(runs.get(suite)) if runs.get(suite) else ('suite', index) for index, suite in enumerate(suites)]
    distinct = []
    for key, suite in zip(keys, suites):
        if key not in [item[0] for item in distinct]:
            distinct.append((key, _junit_seconds((runs.get(suite) or {}).get('elapsed_seconds'))))
    for field, sign in (('started', 1), ('finished', -1)):
        match = _TIMESTAMP.match(str(report.get(field) or ''))
        if not match:
            continue
        try:
            origin = datetime.datetime.strptime('T'.join(match.groups()), _JUNIT_TIME_FORMAT)
        except ValueError:
            continue
        start_of = {}
        try:
            if sign < 0:
                origin -= datetime.timedelta(milliseconds=sum(millis for _key, millis in distinct))
            for key, millis in distinct:
                start_of[key] = origin.strftime(_JUNIT_TIME_FORMAT)
                origin += datetime.timedelta(milliseconds=millis)
        except OverflowError:
            # Before year 1 or after 9999 (a timestamp at the edge of the calendar): this field cannot place the runs.
            continue
        return [start_of[key] for key in keys]
    return [_JUNIT_NO_TIME] * len(suites)


def _junit_suite(root, report, name, index, start, run):
    element = ET.SubElement(root, 'testsuite', {
        'name': _xml_text(name), 'package': _xml_text(report['gate']), 'id': str(index),
        'hostname': _JUNIT_HOST, 'timestamp': start, 'time': _junit_time(_junit_seconds(run.get('elapsed_seconds'))),
    })
    properties = ET.SubElement(element, 'properties')
    values = [('gate', report['gate']), ('result', report.get('result'))]
    values.extend((key, run[key]) for key in ('attempts', 'wait_timeout', 'poll_interval', 'timed_out', 'stopped')
                  if run.get(key) is not None)
    for key, value in values:
        ET.SubElement(properties, 'property', {'name': key, 'value': _xml_text(value)})
    return element


def _junit_counts(element, counts):
    for key in ('tests', 'failures', 'errors', 'skipped'):
        element.set(key, str(counts[key]))


def _junit_empty_gate(root, report, index, start):
    element = _junit_suite(root, report, GATE_SUITE, index, start, {})
    case = ET.SubElement(element, 'testcase', {'classname': GATE_SUITE, 'name': 'checks', 'time': _junit_time(0)})
    ET.SubElement(case, 'failure', {'message': 'no check was evaluated', 'type': FAILED}).text = _xml_text(
        ' '.join(str(line) for line in report.get('failures') or []) or 'The gate evaluated no check, so it cannot pass.')
    ET.SubElement(element, 'system-out')
    ET.SubElement(element, 'system-err')
    _junit_counts(element, {'tests': 1, 'failures': 1, 'errors': 0, 'skipped': 0})
