# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run `make demo` (scripts/demo.sh) for every bundled scenario and check that each passes or
fails for the reason the scenario is about.

    .venv/bin/python scripts/demo_scenarios.py [SCENARIO...]      (default: every file in emulator/scenarios/)

For each scenario: the exit status, the exact set of checks that block the gate (read from the
gate's JSON report), and the line the gate prints for each of them. A scenario without an entry
in EXPECTED fails: a new scenario needs a demo story. The reports and the emulator's log go to
$BUILD_DIR/demo-scenarios/<scenario>/.

The demos run DEMO_JOBS at a time (default 3; most of a demo is the gate waiting for its
scenario's timeline, and each demo has an emulator of its own on a port of its own), the ones
that took longest last time first; the results are printed in the order of the scenarios.
"""

import concurrent.futures
import glob
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get('BUILD_DIR') or os.path.join(ROOT, '.build')

# scenario -> exit status, the blocking checks as 'SUBJECT CHECK STATUS', and extra conditions.
EXPECTED = {
    'healthy': {'exit': 0, 'blocking': []},
    'rollout_completes': {'exit': 0, 'blocking': [], 'min_attempts': {'consumer_health': 2}},
    'throttling': {'exit': 0, 'blocking': [], 'refused_calls': True},
    'rollout_half_done': {'exit': 2, 'blocking': ['GID_orders uniform_version FAILED']},
    'lagging': {'exit': 2, 'blocking': [
        'GID_orders max_lag FAILED', 'GID_orders max_delay_seconds FAILED',
        'orders/0A0001050000217A000000000003A980 consumed FAILED']},
    'no_consumers': {'exit': 2, 'blocking': [
        'GID_orders min_consumers FAILED', 'GID_orders rebalance_ok FAILED',
        'orders/0A0001050000217A000000000000A1B2 consumed FAILED']},
    'duplicate_client_id': {'exit': 2, 'blocking': ['GID_orders unique_client_ids FAILED', 'GID_orders rebalance_ok FAILED']},
    'subscription_mismatch': {'exit': 2, 'blocking': [
        'GID_orders subscription_consistent FAILED', 'GID_orders rebalance_ok FAILED']},
    'broadcasting': {'exit': 2, 'blocking': ['GID_config message_model FAILED']},
    'messages': {'exit': 2, 'blocking': ['orders/0A0001050000217A000000000000A3F0 consumed FAILED']},
    # Which calls meet the storm's random faults varies with timing; what must not vary: only
    # inconclusive checks, one of them naming the error of the first (always refused) call.
    'server_errors': {'exit': 2, 'inconclusive_naming': 'ServiceUnavailable'},
    # RocketMQ 5.x: one 5.x instance, and both legs of a migration in one gate.
    'rocketmq5': {'exit': 0, 'blocking': []},
    'migration': {'exit': 0, 'blocking': []},
    # Did the release work: a canary version failing its messages, and a dead letter on both generations.
    'canary_failing': {'exit': 2, 'blocking': [
        'GID_orders max_failed_percent FAILED', 'GID_orders canary_max_rt_ratio FAILED', 'GID_orders canary_min_tps_ratio FAILED']},
    'dead_letters': {'exit': 2, 'blocking': ['GID_orders max_dead_letters FAILED', 'GID_orders max_dead_letters FAILED']},
}


def blocking_checks(report):
    """'SUBJECT CHECK STATUS' of every check that fails the gate, from its JSON report."""
    return sorted('%s %s %s' % (c['subject'], c['check'], c['status'].upper())
                  for c in report['checks'] if c.get('blocking'))


def last_seconds(name):
    """How long the demo of ``name`` took last time (0 when unknown)."""
    try:
        with open(os.path.join(BUILD, 'demo-scenarios', name + '.seconds'), encoding='utf-8') as handle:
            return float(handle.read())
    except (OSError, ValueError):
        return 0.0


def check_scenario(name, expected):
    """Run the demo of one scenario; return (problems, seconds, notes)."""
    out_dir = os.path.join(BUILD, 'demo-scenarios', name)
    os.makedirs(out_dir, exist_ok=True)
    for old in glob.glob(os.path.join(out_dir, '*')):
        os.unlink(old)
    notes = []
    emulator_log = os.path.join(out_dir, 'emulator.log')
    env = dict(os.environ, EMULATOR_ARGS='--verbose', EMULATOR_LOG=emulator_log)
    started = time.monotonic()
    # The reports go next to the log, not into the checkout's reports/.
    proc = subprocess.run([os.path.join(ROOT, 'scripts', 'demo.sh'), name, '-e', 'gate_report_dir=%s' % out_dir],
                          cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                          check=False)
    seconds = time.monotonic() - started
    output = proc.stdout
    with open(os.path.join(out_dir, 'demo.log'), 'w', encoding='utf-8') as handle:
        handle.write(output)
    with open(out_dir + '.seconds', 'w', encoding='utf-8') as handle:
        handle.write('%.1f\n' % seconds)
    problems = []
    if proc.returncode != expected['exit']:
        problems.append('exit status %d, expected %d' % (proc.returncode, expected['exit']))
    try:
        with open(os.path.join(out_dir, 'deployment_gate.json'), encoding='utf-8') as handle:
            report = json.load(handle)
    except (OSError, ValueError) as exc:
        problems.append('no readable JSON report: %s' % exc)
        return problems, seconds, notes

    blocking = blocking_checks(report)
    if 'blocking' in expected and blocking != sorted(expected['blocking']):
        problems.append('checks that fail the gate: %s; expected: %s' % (blocking or 'none', sorted(expected['blocking']) or 'none'))
    for item in expected.get('blocking', []):
        # The line the gate prints for the check, e.g. "GID_orders max_lag FAILED: expected <= 1000, ...",
        # with the instance after the subject when a gate names the subject on two instances.
        subject, check = item.split(' ', 1)
        if not re.search(r'(^|[ "])%s( \([^)]*\))? %s: ' % (re.escape(subject), re.escape(check)), output, re.MULTILINE):
            problems.append('the output has no line "%s: ..."' % item)
    if 'inconclusive_naming' in expected:
        code = expected['inconclusive_naming']
        if not blocking or any(not item.endswith(' INCONCLUSIVE') for item in blocking):
            problems.append('checks that fail the gate: %s; expected only inconclusive ones' % (blocking or 'none'))
        if not re.search(r' INCONCLUSIVE: .*: %s: ' % re.escape(code), output):
            problems.append('no inconclusive check names the API error %s' % code)
    for suite, least in expected.get('min_attempts', {}).items():
        attempts = [run['attempts'] for run in report.get('runs', []) if run.get('suite') == suite]
        if not attempts or attempts[0] < least:
            problems.append('%s made %s attempt(s); expected at least %d (the gate should wait for the rollout)'
                            % (suite, attempts[0] if attempts else 'no', least))
    if expected.get('refused_calls'):
        # Every call of this scenario is well formed: a 400 is Throttling.User or ONS_SYSTEM_FLOW_CONTROL.
        with open(emulator_log, encoding='utf-8') as handle:
            refused = len(re.findall(r'"POST /\S* HTTP/1\.1" 400 ', handle.read()))
        if not refused:
            problems.append('the emulator refused no call: the gate passed without meeting the throttling')
        else:
            notes.append('%d call(s) refused and retried' % refused)
    return problems, seconds, notes


def main(argv):
    """Check the named scenarios (default: all bundled ones); exit 1 if any does not behave."""
    bundled = sorted(os.path.basename(p)[:-len('.yml')] for p in glob.glob(os.path.join(ROOT, 'emulator', 'scenarios', '*.yml')))
    names = argv or bundled
    failed = []
    total = time.monotonic()
    try:
        jobs = max(1, int(os.environ.get('DEMO_JOBS') or 3))
    except ValueError:
        print('demo_scenarios: DEMO_JOBS must be a whole number, not %r' % os.environ['DEMO_JOBS'])
        return 2
    runnable = [name for name in names if name in EXPECTED]
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {name: pool.submit(check_scenario, name, EXPECTED[name])
                   for name in sorted(runnable, key=last_seconds, reverse=True)}
        for name in names:
            if name not in futures:
                print('demo_scenarios: %s: FAILED: no expectation for this scenario; add its demo story to EXPECTED in %s'
                      % (name, os.path.relpath(__file__, ROOT)))
                failed.append(name)
            else:
                report(name, EXPECTED[name], futures[name].result(), failed)
    missing = sorted(set(EXPECTED) - set(bundled))
    if missing and not argv:
        print('demo_scenarios: expectations for scenarios that are not bundled: %s' % ', '.join(missing))
        failed.extend(missing)
    print('demo_scenarios: %d scenario(s) in %.0f s, %d at a time, %d failed%s' % (
        len(names), time.monotonic() - total, jobs, len(failed), (': ' + ', '.join(failed)) if failed else ''))
    return 1 if failed else 0


def report(name, expected, outcome, failed):
    """Print the result of the demo of ``name``; add it to ``failed`` if it did not behave."""
    problems, seconds, notes = outcome
    for note in notes:
        print('demo_scenarios: %s: %s' % (name, note))
    if problems:
        failed.append(name)
        print('demo_scenarios: %s: FAILED after %.0f s (log: %s):' % (
            name, seconds, os.path.relpath(os.path.join(BUILD, 'demo-scenarios', name, 'demo.log'), ROOT)))
        for problem in problems:
            print('    ' + problem)
        return
    verdict = 'passes' if expected['exit'] == 0 else 'fails'
    reason = ', '.join(expected.get('blocking', [])) or (
        'inconclusive, naming %s' % expected['inconclusive_naming'] if 'inconclusive_naming' in expected else 'every check')
    print('demo_scenarios: %s: ok in %.0f s: %s (%s)' % (name, seconds, verdict, reason))


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
