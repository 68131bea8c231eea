# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# FOR INTERNAL COLLECTION USE ONLY: the interfaces of this file serve the apsaramq.rocketmq collection
# and may change in any release; modules, plugins and roles are the public interface.

"""The variables of the deployment gate: their names, and how they become the options of one gate task.

The playbook deployment_gate hands its variables to the gate action (option ``variables``), which
turns them into its options here; the filters gate_variables, gate_connection, gate_suites and
gate_file_name (plugins/filter/gate.py) serve the same checks to roles and playbooks of their own.
Every error is a GateInputError naming the variable.
"""

import difflib

import yaml

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.credentials import role_option_problem
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.time_windows import parse_time_zone
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.validation import (
    check_rate_limit,
    check_region,
    check_retries,
    check_timeout,
    parse_endpoint,
    whole_number,
)
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_checks import CHECKS
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_model import GateInputError, clean, fail, has_control, short, type_name
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_spec import GROUP_DEFAULT_KEYS, MESSAGE_DEFAULT_KEYS, seconds
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_spec import name as checked_name
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_values import flag, listing, mapping


def consumer_health_variables(checks):
    """Return the variables of the role consumer_health for the registry of checks ``checks``.

    One ``consumer_health_<check>`` for each check, in the registry's order (gate_checks.CHECKS),
    between the role's own settings and its outputs.
    """
    return (('consumer_health_groups', 'consumer_health_instance_id')
            + tuple('consumer_health_%s' % check for check in checks)
            + ('consumer_health_dead_letter_lookback', 'consumer_health_rules', 'consumer_health_allow_inconclusive',
               'consumer_health_wait_timeout',
               'consumer_health_poll_interval', 'consumer_health_observe_seconds', 'consumer_health_report',
               'consumer_health_report_name',
               # Outputs.
               'consumer_health_verdicts', 'consumer_health_run'))


# Every variable a user may set (or read, for the outputs) in each namespace of the gate. The
# checks' variables come from the registry of checks; the roles' meta/argument_specs.yml document
# the same names, and a unit test keeps those in step.
GATE_VARIABLES = {
    'consumer_health': consumer_health_variables(CHECKS),
    'message_delivery': (
        'message_delivery_messages', 'message_delivery_instance_id', 'message_delivery_expect_consumed_by',
        'message_delivery_allow_filtered', 'message_delivery_allow_inconclusive', 'message_delivery_wait_timeout',
        'message_delivery_poll_interval', 'message_delivery_report', 'message_delivery_report_name',
        # Outputs.
        'message_delivery_verdicts', 'message_delivery_run',
    ),
    'gate_report': (
        'gate_report_verdicts', 'gate_report_name', 'gate_report_dir', 'gate_report_json', 'gate_report_junit',
        'gate_report_runs', 'gate_report_started', 'gate_report_notes', 'gate_report_fail',
        # Output.
        'gate_report_result',
    ),
    'ons': (
        'ons_region', 'ons_endpoint', 'ons_profile', 'ons_access_key_id', 'ons_access_key_secret',
        'ons_security_token', 'ons_ecs_role_name', 'ons_network', 'ons_rate_limit', 'ons_retries', 'ons_timeout',
        'ons_validate_certs', 'ons_ca_bundle', 'ons_signature_version',
        # An assumed RAM role, or an OIDC token exchanged for one (the credentials doc fragment says how).
        'ons_role_arn', 'ons_role_session_name', 'ons_external_id', 'ons_policy', 'ons_duration_seconds',
        'ons_oidc_provider_arn', 'ons_oidc_token_file', 'ons_sts_endpoint',
    ),
    # The endpoint, region and time zone of the RocketMQ 5.x API (instances rmq-...); the rest is shared with ons_*.
    'rmq': ('rmq_endpoint', 'rmq_region', 'rmq_time_zone'),
}
# How close a name must be to a namespace, or to a name of the gate, to be taken for a misspelling of it.
_CLOSE = 0.85
_VERY_CLOSE = 0.9
SECRET_VARIABLES = ('ons_access_key_secret', 'ons_security_token')
# The settings of an assumed role, checked as the options they set are (credentials.role_option_problem).
ROLE_VARIABLES = ('ons_role_arn', 'ons_role_session_name', 'ons_external_id', 'ons_policy', 'ons_duration_seconds',
                  'ons_oidc_provider_arn', 'ons_oidc_token_file')


def _namespaces(value, filter_name):
    if value is None:
        return tuple(GATE_VARIABLES)
    chosen = listing(value, '%s: namespaces' % filter_name, 'namespaces')
    for index, item in enumerate(chosen):
        if item not in GATE_VARIABLES:
            fail('%s: namespaces[%d]' % (filter_name, index), '%s is not a namespace of the gate (accepted: %s)'
                 % (short(item), ', '.join(GATE_VARIABLES)))
    return tuple(chosen)


def _looks_like(name, namespace, known):
    """Whether ``name`` belongs to ``namespace`` or is a misspelling of it or of one of its names."""
    prefix = namespace + '_'
    if name.startswith(prefix):
        return True
    if len(prefix) >= 8:
        for length in range(len(prefix) - 2, len(prefix) + 3):
            if difflib.SequenceMatcher(None, name[:length], prefix).ratio() >= _CLOSE:
                return True
    return bool(difflib.get_close_matches(name, known, n=1, cutoff=_VERY_CLOSE))


def gate_variables(names, namespaces=None):
    """Return the variables of the gate's namespaces among ``names``; fail naming each unknown one."""
    found, error = _sorted_out(names, namespaces, 'gate_variables')
    if error:
        raise GateInputError(error)
    return found


def gate_variable_error(names, namespaces=None):
    """Return the error that names each unknown variable among ``names``, as gate_variables fails with it; or ''."""
    return _sorted_out(names, namespaces, 'gate_variable_error')[1]


def _sorted_out(names, namespaces, filter_name):
    """The variables of the gate's namespaces among ``names``, sorted, and the error naming each unknown one ('' if none).

    A name that starts with a namespace (``consumer_health_`` ...), or nearly does, or nearly is a
    name of the gate, must be a name of the gate: otherwise it is a misspelling that would leave a
    setting silently unused. Names that start with ``_`` are private and not looked at.
    """
    chosen = _namespaces(namespaces, filter_name)
    every = set(name for names_of in GATE_VARIABLES.values() for name in names_of)
    found, unknown = [], []
    for index, name in enumerate(listing(names, filter_name, 'variable names')):
        if not isinstance(name, str):
            fail('%s[%d]' % (filter_name, index), 'expected a variable name, got %s' % short(name))
        if name.startswith('_'):
            continue
        if name in every:
            if any(name in GATE_VARIABLES[namespace] for namespace in chosen):
                found.append(name)
            continue
        for namespace in chosen:
            if _looks_like(name, namespace, GATE_VARIABLES[namespace]):
                closest = difflib.get_close_matches(name, list(GATE_VARIABLES[namespace]), n=1, cutoff=0)
                unknown.append('%s (did you mean %s?)' % (clean(name), closest[0]) if closest else clean(name))
                break
    error = ''
    if unknown:
        error = ('unknown variable%s %s: the gate has no such setting, so it would not check what you meant; '
                 'rename %s (the README of each role lists its variables)'
                 % ('s' if len(unknown) > 1 else '', '; '.join(unknown), 'them' if len(unknown) > 1 else 'it'))
    return sorted(found), error


def _connection_setting(name, check, value):
    """Check a connection variable with the check the modules apply to its option, naming the variable."""
    try:
        check(value)
    except ValueError as exc:
        fail(name, str(exc))


def _whole_number(value):
    # Not Ansible's int: it would build a number of a billion digits from "1e999999999" first.
    number = whole_number(value)
    if isinstance(number, bool) or not isinstance(number, int):
        raise ValueError('%s is not a whole number' % short(value))
    return number


def gate_connection(settings):
    """Validate the connection variables (``ons_*``, and ``rmq_*`` for 5.x instances) the playbooks pass; return their names.

    A value is never shown for the secret variables. ``null`` leaves a setting to the module's default.
    """
    settings = mapping(settings, 'gate_connection', 'a dict of ons_* and rmq_* variables and their values')
    known = GATE_VARIABLES['ons'] + GATE_VARIABLES['rmq']
    for name, value in settings.items():
        if name not in known:
            gate_variables([name], ['ons', 'rmq'])
            fail(name, 'not a connection variable (accepted: %s)' % ', '.join(known))
        if value is None:
            continue
        if name in SECRET_VARIABLES:
            if not isinstance(value, str) or not value or has_control(value) or value != value.strip():
                # Never echo a secret, not even a wrong one.
                fail(name, 'is not a usable secret: use a non-empty string without spaces or control characters '
                           '(the value is not shown)')
        elif name in ('ons_region', 'rmq_region'):
            _connection_setting(name, check_region, value)
        elif name == 'rmq_time_zone':
            _connection_setting(name, parse_time_zone, value)
        elif name == 'ons_network':
            if value not in ('public', 'vpc'):
                fail(name, '%s is not a network (accepted: public, vpc)' % short(value))
        elif name == 'ons_signature_version':
            if value not in ('v3', 'v1'):
                fail(name, '%s is not a signature version (accepted: v3, v1)' % short(value))
        elif name == 'ons_validate_certs':
            flag(value, name)
        # The same bounds as the modules' options, from the same checks.
        elif name == 'ons_rate_limit':
            _connection_setting(name, check_rate_limit, value)
        elif name == 'ons_timeout':
            _connection_setting(name, check_timeout, value)
        elif name == 'ons_retries':
            _connection_setting(name, lambda number: check_retries(_whole_number(number)), value)
        elif name in ('ons_endpoint', 'rmq_endpoint', 'ons_sts_endpoint') and value:
            _connection_setting(name, parse_endpoint, value)
        elif name in ('ons_endpoint', 'rmq_endpoint', 'ons_sts_endpoint') and value == '':
            continue  # the playbooks treat an empty endpoint as unset
        elif name in ROLE_VARIABLES:
            problem = role_option_problem(name[len('ons_'):], value)
            if problem:
                fail(name, problem)
        elif not isinstance(value, str) or not value or has_control(value) or value != value.strip() or ' ' in value:
            fail(name, '%s is not valid: use a non-empty string without spaces or control characters' % short(value))
    return sorted(settings)


SUITE_VARIABLES = (('consumer_health', 'consumer_health_groups', 'groups'),
                   ('message_delivery', 'message_delivery_messages', 'messages'))
# The settings of each suite that become the gate's defaults for every group or message.
SUITE_DEFAULTS = {
    'consumer_health': ('group_defaults', GROUP_DEFAULT_KEYS),
    'message_delivery': ('message_defaults', MESSAGE_DEFAULT_KEYS),
}
WAITING = ('wait_timeout', 'poll_interval', 'observe_seconds')


# The list variables of the deployment gate: a survey or a form can only give them as text.
LIST_VARIABLES = ('consumer_health_groups', 'consumer_health_rules', 'consumer_health_allowed_languages',
                  'consumer_health_allow_inconclusive', 'message_delivery_messages', 'message_delivery_expect_consumed_by',
                  'gate_report_notes')
# Those whose items are plain words, which a text may also give one per line or separated by commas.
WORD_LISTS = ('consumer_health_allowed_languages', 'consumer_health_allow_inconclusive', 'message_delivery_expect_consumed_by',
              'gate_report_notes')
# A rule's conditions and messages are code that runs on the controller; a text read here is data.
RULES_REFUSED = ('a rule runs its conditions and renders its messages on the controller, so rules are not read from '
                 'text such as a survey answer: write them in the playbook, the job template\'s variables or a vars file')


def answered(settings):
    """``settings`` without the variables set to an empty or blank text: an optional survey answer left blank is unset."""
    return {key: value for key, value in settings.items() if not (isinstance(value, str) and not value.strip())}


def survey_values(settings):
    """``settings`` as a survey or a form gives them, turned into the values the gate takes; GateInputError names a variable.

    A blank text means unset (answered). A list variable given as text is read as JSON or YAML (a
    textarea answer); a list of words may also be given one per line or separated by commas
    (``JAVA, GO``). Numbers and booleans given as text (``"2"``, ``"true"``) are read where they are
    checked, as every value is. Rules are never read from text (RULES_REFUSED).
    """
    settings = answered(settings)
    for variable in LIST_VARIABLES:
        value = settings.get(variable)
        if not isinstance(value, str):
            continue
        if variable == 'consumer_health_rules':
            fail(variable, 'is text: %s' % RULES_REFUSED)
        try:
            parsed = yaml.safe_load(value)
        except yaml.YAMLError as exc:
            mark = getattr(exc, 'problem_mark', None)
            fail(variable, 'is text that is not a JSON or YAML list%s: give a list, or its JSON or YAML text'
                 % (' (line %d, column %d)' % (mark.line + 1, mark.column + 1) if mark is not None else ''))
        if isinstance(parsed, str) and variable in WORD_LISTS:
            # The text as written: YAML folds the lines of a plain text into one.
            parsed = [word.strip() for line in value.splitlines() for word in line.split(',') if word.strip()]
        if not isinstance(parsed, list):
            fail(variable, 'is text that gives %s, not a list: give a list, or its JSON or YAML text (such as %s)'
                 % (type_name(parsed) if parsed is not None else 'nothing',
                    '[{"group_id": "GID_orders"}]' if variable not in WORD_LISTS else '["JAVA", "GO"] or JAVA, GO'))
        for index, item in enumerate(parsed):
            if isinstance(item, dict) and 'rules' in item:
                fail('%s[%d].rules' % (variable, index), 'is in text: %s' % RULES_REFUSED)
        settings[variable] = parsed
    return settings


def gate_suites(settings):
    """Turn the variables of deployment_gate (a dict by variable name) into the options of one gate task.

    A suite runs when its list (``consumer_health_groups``, ``message_delivery_messages``) is set;
    a list that is set but empty or null is an error naming it, and a gate with neither list checks
    nothing, so it fails. The ``ons_*`` variables are checked as gate_connection checks them. One gate
    task waits for both suites: until the later of their ``*_wait_timeout`` (and
    ``consumer_health_observe_seconds``), as often as the shorter of their ``*_poll_interval``.

    Returns ``consumer_health`` and ``message_delivery`` (whether each runs), ``notes``, ``groups``,
    ``messages``, ``group_defaults``, ``message_defaults``, ``wait_timeout``, ``poll_interval`` and
    ``observe_seconds``.
    """
    settings = survey_values(mapping(settings, 'gate_suites', 'a dict of the variables of deployment_gate by name'))
    gate_connection({key: value for key, value in settings.items() if key.startswith(('ons_', 'rmq_'))})
    chosen = {'notes': [], 'groups': None, 'messages': None, 'group_defaults': {}, 'message_defaults': {},
              'wait_timeout': 0, 'poll_interval': None, 'observe_seconds': 0}
    for suite, variable, what in SUITE_VARIABLES:
        chosen[suite] = variable in settings
        if not chosen[suite]:
            chosen['notes'].append('%s did not run: %s is not set' % (suite, variable))
            continue
        value = settings[variable]
        if value is None or (isinstance(value, (list, tuple)) and not value):
            fail(variable, 'is %s: list the %s to check, or leave the variable out to run the %s checks only'
                 % ('null' if value is None else 'empty', what,
                    'message' if suite == 'consumer_health' else 'consumer group'))
        chosen[what] = listing(value, variable, what)
        option, keys = SUITE_DEFAULTS[suite]
        chosen[option] = {key: settings['%s_%s' % (suite, key)] for key in keys if '%s_%s' % (suite, key) in settings}
        for key in WAITING:
            name = '%s_%s' % (suite, key)
            if settings.get(name) is None:
                continue
            number = seconds(settings[name], name, key)
            if key == 'poll_interval':
                chosen[key] = number if chosen[key] is None else min(chosen[key], number)
            else:
                chosen[key] = max(chosen[key], number)
    if not chosen['consumer_health'] and not chosen['message_delivery']:
        fail('deployment_gate', 'neither consumer_health_groups nor message_delivery_messages is set: a gate that '
                                'checks nothing cannot pass; set one of them or both')
    if chosen['poll_interval'] is None:
        chosen['poll_interval'] = 10
    return chosen


def gate_file_name(name, variable='gate_report_name', directory=None, directory_variable='gate_report_dir'):
    """Return ``name`` when it is a plain file name, which keeps the reports inside their directory."""
    name = checked_name(name, variable, 'report')
    if directory is not None:
        if not isinstance(directory, str) or not directory.strip() or has_control(directory):
            fail(directory_variable, 'expected a directory, got %s' % short(directory))
    return name
