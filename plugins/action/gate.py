# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The action of apsaramq.rocketmq.gate: the deployment gate as one task on the controller.

The documentation is in plugins/modules/gate.py; the engine in plugins/plugin_utils/gate_*.py.
This file only takes the task's options, builds the API client the info modules build, runs the
engine, writes the reports and shapes the task's result. Secrets are scrubbed from everything it
returns, prints or writes.
"""

import datetime
import json
import os
import tempfile

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.apsaramq.rocketmq.plugins.module_utils import ons_queries, rmq_queries
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.apis import ONS, RMQ
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.credentials import CredentialError
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.client import connect
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.module_base import (
    MAX_WORKERS,
    ONS_ARGUMENT_SPEC,
    check_connection_options,
    query_concurrently,
)
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.rmq_client import connect_rmq
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.safe_text import scrub, scrub_all, secret_forms
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.time_windows import parse_time_zone
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.validation import (
    check_rate_limit,
    check_retries,
    check_timeout,
    whole_number,
)
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils import gate_conditions
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_backends import needed_apis
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_engine import Facts, Run
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_model import (
    HEALTH_SUITE,
    PASSED,
    GateInputError,
    clean,
    fail,
    has_control,
    plural,
    short,
    stopped,
    unwritten,
)
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_report import gate_junit, gate_report, gate_summary
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_spec import gate_plan, name
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_values import flag, listing
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_variables import (
    GATE_VARIABLES,
    SECRET_VARIABLES,
    answered,
    gate_suites,
    gate_variables,
    survey_values,
)

display = Display()

GATE_ARGUMENT_SPEC = dict(
    groups=dict(type='list', elements='raw'),
    group_defaults=dict(type='dict'),
    messages=dict(type='list', elements='raw'),
    message_defaults=dict(type='dict'),
    instance_id=dict(type='str'),
    wait_timeout=dict(type='raw', default=0),
    poll_interval=dict(type='raw', default=10),
    observe_seconds=dict(type='raw', default=0),
    name=dict(type='str', default='deployment_gate'),
    report_dir=dict(type='path'),
    report_json=dict(type='path'),
    report_junit=dict(type='path'),
    notes=dict(type='list', elements='str', default=[]),
    fail=dict(type='bool', default=True),
    input_names=dict(type='dict', default={}),
    rmq_endpoint=dict(type='str'),
    rmq_region=dict(type='str'),
    rmq_time_zone=dict(type='str'),
    variables=dict(type='dict'),
    set_stats=dict(type='bool', default=True),
)
# The options that variables (the playbook deployment_gate's variables) sets itself: none may be given beside it.
FROM_VARIABLES = ('groups', 'group_defaults', 'messages', 'message_defaults', 'instance_id', 'wait_timeout', 'poll_interval',
                  'observe_seconds', 'name', 'report_dir', 'report_json', 'report_junit', 'notes', 'fail', 'input_names')
# The numeric connection options are taken as they come and converted by the checks the modules
# apply (module_utils/validation.py): Ansible's own int and float conversions fail on a number of
# any length without naming the option (OverflowError), or build a number of a billion digits from
# "1e999999999". A refused value stops the gate before its first API call, with its reports.
SELF_CONVERTED = ('timeout', 'retries', 'rate_limit', 'duration_seconds')
ARGUMENT_SPEC = dict(ONS_ARGUMENT_SPEC, **GATE_ARGUMENT_SPEC)
ARGUMENT_SPEC.update((name, dict(ONS_ARGUMENT_SPEC[name], type='raw')) for name in SELF_CONVERTED)
# The report options, by the report's label; each report has a file of its own.
REPORT_OPTIONS = (('JSON', 'report_json'), ('JUnit', 'report_junit'))
# The file name of each report in report_dir, from the gate's name: the one place that says it.
REPORT_FILE_NAMES = {'JSON': '%s.json', 'JUnit': '%s-junit.xml'}
TIME_FORMAT = '%Y-%m-%dT%H:%M:%SZ'
# The custom stat the gate publishes its outcome under (option set_stats), by the gate's name.
STATS_KEY = 'apsaramq_rocketmq_gate'
# The verbosity from which the whole result of a task that did not fail is printed (-vvv).
VERBOSE_RESULT = 3


def _connect_ons(args):
    """A client of ONS (4.x instances) and its secrets, from the connection options."""
    return connect(args)


def _connect_rmq(args):
    """A client of RocketMQ 2022-08-01 (5.x instances) and its secrets.

    Credentials, region and transport options serve both APIs; the 5.x API has its own
    ``rmq_endpoint`` and ``rmq_region`` (default ``region``).
    """
    rmq_args = dict(args, endpoint=args['rmq_endpoint'], region=args['rmq_region'] or args['region'])
    check_connection_options(rmq_args)
    return connect_rmq(rmq_args)


# How the action connects to each API, by its key (module_utils/apis.py).
CONNECT = {ONS.key: _connect_ons, RMQ.key: _connect_rmq}
# The option that gives each API's endpoint, and the variable of the playbooks that sets it.
ENDPOINT_OPTIONS = {ONS.key: ('endpoint', 'ons_endpoint'), RMQ.key: ('rmq_endpoint', 'rmq_endpoint')}


def endpoint_omissions(args, apis):
    """Why the gate must not start: an API of ``apis`` has no endpoint of its own while the other's is set.

    An endpoint set for one API (a local emulator, a private endpoint) and left out for the other
    would send the other's calls, with the same keys, to Alibaba Cloud's public endpoint: the gate
    refuses, naming the option to set (to the public endpoint, explicitly, if that is meant).
    """
    given = [key for key, (option, _variable) in ENDPOINT_OPTIONS.items() if args.get(option)]
    if not given:
        return []
    reasons = []
    for api in apis:
        option, variable = ENDPOINT_OPTIONS[api.key]
        if api.key in given:
            continue
        other_option, other_variable = ENDPOINT_OPTIONS[given[0]]
        reasons.append('%s (playbook variable %s): the gate reads %s instances (%s...) and %s (%s) is set, but %s is not: '
                       'set it too, to %s for the public endpoint if that is meant, so that no call goes to the public '
                       'endpoint by omission' % (option, variable, api.generation, api.instance_prefix, other_option, other_variable,
                                                 option, 'https://' + api.host(args.get('region') or '<region>', 'public')))
    return reasons


# How the errors name the inputs of a gate that takes the playbook's variables (option input_names).
VARIABLE_NAMES = {'groups': 'consumer_health_groups', 'group_defaults': 'consumer_health_', 'messages': 'message_delivery_messages',
                  'message_defaults': 'message_delivery_', 'name': 'gate_report_name', 'report_dir': 'gate_report_dir',
                  'report_json': 'gate_report_json', 'report_junit': 'gate_report_junit'}


def connection_option(variable):
    """The option a connection variable sets: ``ons_region`` sets ``region``, ``rmq_endpoint`` itself."""
    return variable[len('ons_'):] if variable.startswith('ons_') else variable


def from_variables(args, variables, defined):
    """``args`` with the options the playbook deployment_gate's ``variables`` give; and why they cannot, or None.

    ``defined`` are the names of every variable where the task runs: one that looks like a name of
    the gate but is none (a misspelling) is refused, as is a value the variable does not take. The
    report's name, directory and files come first, so that the reports say why the gate did not start.
    """
    # A blank answer means unset: the report's name and files too, which are read before the rest.
    variables = answered(variables)
    args = dict(args, input_names=VARIABLE_NAMES, report_json=variables.get('gate_report_json'),
                report_junit=variables.get('gate_report_junit'), name=variables.get('gate_report_name', 'deployment_gate'),
                report_dir=variables.get('gate_report_dir', 'reports'))
    try:
        gate_variables(sorted(set(defined) | set(variables)), list(GATE_VARIABLES))
        variables = survey_values(variables)
        args['fail'] = flag(variables.get('gate_report_fail', True), 'gate_report_fail')
        notes = listing(variables.get('gate_report_notes') or [], 'gate_report_notes', 'lines')
        chosen = gate_suites(variables)
    except GateInputError as exc:
        return args, str(exc)
    args.update((key, chosen[key]) for key in ('groups', 'group_defaults', 'messages', 'message_defaults', 'wait_timeout',
                                               'poll_interval', 'observe_seconds'))
    args['notes'] = chosen['notes'] + [clean(str(note)) for note in notes]
    for variable in GATE_VARIABLES['ons'] + GATE_VARIABLES['rmq']:
        if variables.get(variable) not in (None, ''):
            args[connection_option(variable)] = variables[variable]
    args['validate_certs'] = flag(args['validate_certs'], 'ons_validate_certs')
    if args.get('duration_seconds') is not None:
        # As the option's type would have it (gate_connection has checked the number).
        args['duration_seconds'] = whole_number(args['duration_seconds'])
    return args, None


def _utc_now():
    return datetime.datetime.now(datetime.timezone.utc).strftime(TIME_FORMAT)


def _write(path, content):
    """Write ``content`` to ``path`` at once (a reader never sees half a report), creating its directory."""
    directory = os.path.dirname(path) or '.'
    os.makedirs(directory, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix='.%s.' % os.path.basename(path))
    try:
        with os.fdopen(handle, 'w', encoding='utf-8') as stream:
            stream.write(content)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _os_reason(exc):
    """The system's reason of an OSError, and the file it concerns: ``Not a directory: /builds/reports``."""
    if isinstance(exc, FileExistsError) and exc.filename and not os.path.isdir(exc.filename):
        # os.makedirs() over a file says that it exists; what is wrong is that it is no directory.
        return 'Not a directory: %s' % exc.filename
    reason = exc.strerror or str(exc) or type(exc).__name__
    return '%s: %s' % (reason, exc.filename) if exc.filename else reason


def _unwritable(path):
    """Why no report can be written at ``path``, or None: its directory is made, a file made in it and removed.

    Asked before the first API call, so that a gate never waits for an outcome it cannot report.
    """
    if os.path.isdir(path):
        return 'it is a directory'
    directory = os.path.dirname(path) or '.'
    try:
        os.makedirs(directory, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix='.%s.' % os.path.basename(path))
        os.close(handle)
        os.unlink(temporary)
    except OSError as exc:
        return _os_reason(exc)
    return None


def _same_file(first, second):
    """Whether two normalised report paths are one file: the same path, or two names (hard links) of one existing file."""
    if first == second:
        return True
    try:
        return os.path.samefile(first, second)
    except OSError:
        # One of them does not exist yet: two different paths are two files.
        return False


class ActionModule(ActionBase):
    """Evaluate the gate's checks, waiting inside the task, and report."""

    _requires_connection = False
    _supports_check_mode = True
    _supports_async = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The secrets of each client, lists that grow as temporary tokens are renewed during the wait,
        # and every form of them (_secrets), scrubbed from all the task returns, prints or writes.
        self._secret_lists = []
        self._forms = ([], 0)

    @property
    def _secrets(self):
        found = [secret for secrets in self._secret_lists for secret in secrets]
        if len(found) != self._forms[1]:
            self._forms = (list(secret_forms(found)), len(found))
        return self._forms[0]

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        try:
            _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC, mutually_exclusive=[
                ('variables', option) for option in FROM_VARIABLES])
        except AnsibleActionFail as exc:
            # The argument spec's own message names the option; a secret's value is never in it.
            result.update(failed=True, msg=str(exc.message if hasattr(exc, 'message') else exc))
            return result
        except Exception as exc:  # pylint: disable=broad-except
            # Ansible's conversions can fail on a value without naming it (an int beyond a float's
            # range): say it is the options, never with a traceback.
            result.update(failed=True, msg='the options of the gate cannot be read: %s: %s' % (type(exc).__name__, clean(str(exc))))
            return result
        started = _utc_now()
        refused = []
        if args['variables'] is not None:
            # The secrets among the variables are scrubbed from all the task says, even a refusal.
            self._secret_lists.append([value for key, value in args['variables'].items()
                                       if key in SECRET_VARIABLES and isinstance(value, str) and value])
            args, refusal = from_variables(args, args['variables'], task_vars or {})
            refused.extend([refusal] if refusal else [])
        try:
            gate_name = name(args['name'], (args['input_names'] or {}).get('name') or 'name', 'report')
            paths = self._report_paths(args, gate_name)
        except GateInputError as exc:
            # Without a usable name, or with one file for both reports, no report can be written as
            # asked: this alone fails without one, before the first API call.
            result.update(failed=True, msg=self._scrub('\n'.join(refused + [str(exc)])))
            return result
        unwritable = {}
        for label, option in REPORT_OPTIONS:
            reason = _unwritable(paths[label]) if label in paths else None
            if reason:
                unwritable[label] = '%s: the %s report cannot be written to %s: %s' % (option, label, clean(paths[label]), clean(reason))
        # The variables that cannot be read leave no plan to make: their reason alone stops the gate.
        outcome = self._evaluate(args, refused + list(unwritable.values()), read_input=not refused)

        def make_report(verdicts):
            return self._scrub(gate_report(verdicts, name=gate_name, runs=outcome['runs'], started=started,
                                           finished=_utc_now(), notes=args['notes']))

        report, written = self._write_reports(outcome['verdicts'], make_report, paths, unwritable)
        passed = report['result'] == PASSED
        # The summary ends with the lines of the checks that did not pass, printed here once, each a
        # line of its own: a failed task prints its message twice from ansible-core 2.19 on, in one
        # JSON string before, so the message of a failing task is the first line alone.
        for line in gate_summary(report, written, subjects=display.verbosity > 0):
            display.display(line)
        counts = report['counts']
        if passed:
            message = '%s passed: %s' % (report['gate'], plural(counts['checks'], 'check'))
        else:
            message = '%s failed: %d of %d checks did not pass' % (report['gate'], counts['blocking'], counts['checks'])
        result.update(changed=False, passed=passed, result=report['result'], counts=counts, report_files=written)
        if args['fail'] and not passed:
            # A failed task prints its whole result: keep it to the outcome, said above line by line.
            result.update(failed=True, msg=message)
        else:
            result.update(msg='\n'.join([message] + report['failures']))
            result.update(failures=report['failures'], report=report, samples=self._scrub(outcome['samples']))
            if args['set_stats']:
                # As ansible.builtin.set_stats publishes them: AWX keeps them as the job's artifacts, and
                # ANSIBLE_SHOW_CUSTOM_STATS prints them. ansible-core records the stats of a task that did
                # not fail only, so that a failed gate publishes none.
                result['ansible_stats'] = {'data': {STATS_KEY: {gate_name: {
                    'result': report['result'], 'passed': passed, 'counts': counts, 'failures': report['failures'],
                    'report_files': written, 'finished': report['finished']}}}, 'per_host': False, 'aggregate': True}
            if display.verbosity < VERBOSE_RESULT:
                # The summary printed above is what -v promises (a line per selection, group and message);
                # the whole result stays in what the task registers, and is printed from -vvv on.
                result['_ansible_verbose_override'] = True
        return result

    @staticmethod
    def _report_paths(args, gate_name):
        """The absolute path of each report asked for, by label; GateInputError when both name one file.

        ``report_json`` and ``report_junit`` win; without them, ``report_dir`` holds both reports,
        named after the gate. Symbolic links are resolved, so that two names of one file are seen
        as one: the report written second would silently replace the first.
        """
        names = args['input_names'] or {}
        for option in ('report_dir',) + tuple(option for _label, option in REPORT_OPTIONS):
            # The options are checked by their type; the variables of deployment_gate come as they were set.
            if args[option] is not None and not isinstance(args[option], str):
                fail(names.get(option) or option, 'expected a path, got %s' % short(args[option]))
        directory = args['report_dir']
        if directory is not None and (not directory.strip() or has_control(directory)):
            fail(names.get('report_dir') or 'report_dir', 'expected a directory, got %s' % short(directory))
        paths = {}
        for label, option in REPORT_OPTIONS:
            path = args[option] or (os.path.join(directory, REPORT_FILE_NAMES[label] % gate_name) if directory else None)
            if path:
                paths[label] = os.path.realpath(os.path.expanduser(path))
        if len(paths) == len(REPORT_OPTIONS) and _same_file(paths['JSON'], paths['JUnit']):
            fail('report_json and report_junit', 'both are the file %s: give each report a file of its own' % clean(paths['JSON']))
        return paths

    def _scrub(self, value):
        return scrub_all(value, self._secrets) if self._secrets else value

    def _evaluate(self, args, refused=(), read_input=True):
        """Run the gate; whatever stops it becomes a blocking ``run`` verdict naming the cause.

        ``refused`` are the reasons found already that the gate cannot start (a report that cannot
        be written, variables that cannot be read); they, the input's error and a connection option's
        are all said at once, and then no API call is made. Without ``read_input``, the groups and
        messages are not read (variables that cannot be read gave none).
        """
        reasons = list(refused)
        plan = None
        try:
            if read_input:
                plan = gate_plan(groups=args['groups'], messages=args['messages'], instance_id=args['instance_id'],
                                 group_defaults=args['group_defaults'], message_defaults=args['message_defaults'],
                                 wait_timeout=args['wait_timeout'], poll_interval=args['poll_interval'],
                                 observe_seconds=args['observe_seconds'], names=args['input_names'] or {},
                                 trusted=gate_conditions.trusted)
        except GateInputError as exc:
            reasons.append(str(exc))
        try:
            args = self._connection_numbers(args)
        except ValueError as exc:
            reasons.append(str(exc))
        time_zone = args['rmq_time_zone'] or None
        if time_zone is not None:
            try:
                parse_time_zone(time_zone, 'rmq_time_zone')
            except ValueError as exc:
                reasons.append(clean(str(exc)))
        apis = needed_apis(item['instance_id'] for item in plan['groups'] + plan['messages']) if plan is not None else []
        reasons.extend(endpoint_omissions(args, apis))
        if reasons:
            return self._stopped(['the gate did not start: %s' % reason for reason in reasons], plan)
        clients = []
        try:
            check_connection_options(args)
            connected = self._connect(args, apis, clients)
        except CredentialError as exc:
            return self._stopped('the gate did not start: Failed to find credentials: %s' % exc, plan)
        except ValueError as exc:
            return self._stopped('the gate did not start: %s' % exc, plan)
        facts = Facts(connected.get(ONS.key), ons_queries, lambda function, items: query_concurrently(function, items, MAX_WORKERS),
                      rmq_client=connected.get(RMQ.key), rmq_queries=rmq_queries, rmq_time_zone=time_zone)
        run = Run(plan, facts, progress=lambda line: display.display('  ' + scrub(line, self._secrets)),
                  evaluate_condition=gate_conditions.evaluate)
        try:
            return run.run()
        except Exception as exc:  # pylint: disable=broad-except
            # A fault of the gate itself: never a pass, and the checks so far are kept.
            outcome = self._stopped('the gate stopped in attempt %d: %s: %s' % (run.attempts, type(exc).__name__, exc), plan)
            outcome['verdicts'] = run.verdicts() + outcome['verdicts']
            return outcome
        finally:
            for item in clients:
                item.close()

    @staticmethod
    def _connection_numbers(args):
        """``args`` with the numeric connection options converted (see SELF_CONVERTED); ValueError names a refused one."""
        return dict(args, timeout=check_timeout(args['timeout']), rate_limit=check_rate_limit(args['rate_limit']),
                    retries=check_retries(whole_number(args['retries'])))

    def _connect(self, args, apis, clients):
        """The client of each API of ``apis`` (those the plan's instances need: gate_backends.needed_apis), by the API's key.

        Every client made is added to ``clients``; their secrets are scrubbed from all the task says.
        """
        connected = {}
        for api in apis:
            client, found = CONNECT[api.key](args)
            clients.append(client)
            # The client's own list, which a renewed STS token joins.
            self._secret_lists.append(found)
            connected[api.key] = client
        return connected

    @staticmethod
    def _stopped(reasons, plan=None):
        """The outcome of a gate stopped before it could finish: one blocking ``run`` verdict per reason."""
        reasons = [reasons] if isinstance(reasons, str) else reasons
        suite = HEALTH_SUITE if plan is None or plan['groups'] else 'message_delivery'
        return {'verdicts': [stopped(reason) for reason in reasons], 'samples': {}, 'facts': {}, 'attempts': 0,
                'runs': [{'suite': suite, 'attempts': 0, 'elapsed_seconds': 0.0, 'stopped': True}]}

    @staticmethod
    def _write_reports(verdicts, make_report, paths, unwritable):
        """Write each report that can be; return the report and the paths written, by label.

        ``unwritable`` maps the label of each report found unwritable before the run to why; it is
        not tried again. A report that fails to be written now adds a blocking verdict naming its
        option, path and the system's reason, and the others are written (again) with it: the
        run is inconclusive, and every report that exists says why the other one does not.
        """
        contents = {'JSON': lambda report: json.dumps(report, indent=2, sort_keys=False, ensure_ascii=False) + '\n',
                    'JUnit': gate_junit}
        options = dict(REPORT_OPTIONS)
        verdicts = list(verdicts)
        failed = set(unwritable)
        while True:
            report = make_report(verdicts)
            written = {}
            for label, path in paths.items():
                if label in failed:
                    continue
                try:
                    _write(path, contents[label](report))
                except OSError as exc:
                    failed.add(label)
                    verdicts.append(unwritten('%s: the %s report cannot be written to %s: %s' % (
                        options[label], label, clean(path), clean(_os_reason(exc)))))
                    break
                written[label] = path
            else:
                return report, written
