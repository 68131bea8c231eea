# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# FOR INTERNAL COLLECTION USE ONLY: the interfaces of this file serve the apsaramq.rocketmq collection
# and may change in any release; modules, plugins and roles are the public interface.

"""The input of the deployment gate, checked once before its first API call, and the plan made of it.

Every error raises GateInputError naming the input where it is, as the user wrote it: the gate
module's options (``groups[2].min_version``) or, when a role passes its variables through, the
role's variables (``consumer_health_groups[2].min_version``, ``consumer_health_max_lag``).
"""

import re
from collections.abc import Mapping

from ansible.errors import AnsibleError

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.apis import api_or_ons
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.time_windows import TRACE_LOOKBACK
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.validation import SHOWN_DIGITS, decimal_number, number_text
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils import gate_conditions
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_backends import backend_for
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_checks import APPLICABLE_CHECK, CHECKS, SELECT_CHECK
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_model import (
    FIGURE_LIMIT,
    RUN_CHECK,
    GateInputError,
    clean,
    fail,
    plain,
    query_error,
    short,
)
# The shapes of values are checked in gate_values; these names are also this module's, for the filters.
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_values import close_match, flag, listing, mapping, text, unknown_keys
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.versions import version_key

try:
    import jmespath
    from jmespath.exceptions import JMESPathError
except ImportError:  # pragma: no cover - jmespath is a runtime requirement; say so when a rule needs it
    jmespath = None
    JMESPathError = Exception

MESSAGE_MODELS = ('CLUSTERING', 'BROADCASTING')
GROUP_TYPES = ('tcp', 'http')
# OnsGroupList's own default: a group whose type nobody says is a TCP group.
DEFAULT_GROUP_TYPE = 'tcp'
CHECK_NAMES = tuple(CHECKS)
ENTRY_KEYS = ('group_id', 'group_type', 'instance_id', 'select', 'rules', 'allow_inconclusive', 'dead_letter_lookback') + CHECK_NAMES
GROUP_DEFAULT_KEYS = ('instance_id', 'rules', 'allow_inconclusive', 'dead_letter_lookback') + CHECK_NAMES
# How far before the gate started max_dead_letters counts a group's dead letters, in seconds.
DEFAULT_DEAD_LETTER_LOOKBACK = 3600
SELECT_KEYS = ('group_id', 'group_type', 'tags', 'exclude')
RULE_KEYS = ('name', 'query', 'expect', 'that', 'fail_msg', 'success_msg', 'allow_inconclusive')
MESSAGE_KEYS = ('topic', 'msg_id', 'instance_id', 'expect_consumed_by', 'allow_filtered', 'allow_inconclusive', 'trace_lookback')
MESSAGE_DEFAULT_KEYS = ('instance_id', 'expect_consumed_by', 'allow_filtered', 'allow_inconclusive', 'trace_lookback')
# How far before the gate started a 5.x message is looked for (GetTrace's window), in seconds: a week
# (rmq_trace_info's default lookback).
DEFAULT_TRACE_LOOKBACK = TRACE_LOOKBACK
# Names a rule cannot take: the built-in checks and the gate's own verdicts.
RESERVED = CHECK_NAMES + (SELECT_CHECK, APPLICABLE_CHECK, RUN_CHECK)

# Names as the API and the file system accept them. fullmatch: "$" would also accept a final newline.
# The gate's own names; the names of instances, groups, topics and messages are each API's
# (module_utils/apis.py), by the instance they belong to.
NAMES = {
    'rule': (re.compile(r'[A-Za-z0-9_.-]{1,64}'), 'a rule name', '1 to 64 letters, digits, ".", "_" or "-"'),
    'report': (re.compile(r'(?!\.)(?!.*\.\.)[A-Za-z0-9_.-]{1,100}'), 'a report name',
               '1 to 100 letters, digits, ".", "_" or "-", not starting with "." and without ".."'),
    'region': (re.compile(r'[a-z]{2,}(-[a-z0-9]+)+'), 'a region ID', 'a region ID such as cn-hangzhou'),
}

# Bounds of the numbers the gate takes: finite, and far beyond any sane setting.
LIMITS = {
    'count': (0, 100000, 'clients'),
    'lag': (0, 1000000000, 'messages'),
    # The share of the messages processed that failed.
    'percent': (0, 100, 'percent'),
    # How many times the figure of the newest version may be the others'.
    'ratio': (0, 1000, 'times'),
    # At most 2000: ONS lists 2500 dead letters of a window at most, and the gate reads one more than the limit.
    'letters': (0, 2000, 'dead letters'),
    'dead_letter_lookback': (0, 2592000, 'seconds'),
    'trace_lookback': (1, 2592000, 'seconds'),
    'seconds': (0, 31536000, 'seconds'),
    'wait_timeout': (0, 86400, 'seconds'),
    'observe_seconds': (0, 86400, 'seconds'),
    'poll_interval': (1, 3600, 'seconds'),
}


# ---------------------------------------------------------------------------------------------
# Values


def name(value, where, kind, instance_id=None):
    """Return ``value`` when it is a name of ``kind``, matched to its very end.

    ``kind`` is one of NAMES, or a kind of name of an API (``instance``, ``group``, ``topic``,
    ``message``), checked by the rules of the API that serves ``instance_id`` (apis.api_or_ons).
    """
    if kind in NAMES:
        pattern, what, accepted = NAMES[kind]
    else:
        pattern, what, accepted = api_or_ons(instance_id).names[kind]
    if not isinstance(value, str) or not value:
        fail(where, 'expected %s, got %s' % (what, short(value)))
    if not pattern.fullmatch(value):
        fail(where, '%s is not %s: use %s' % (short(value), what, accepted))
    return str(value)


def _bounded(value, where, whole, limit):
    """``value`` as a number (an int when ``whole``) when it is finite and within ``LIMITS[limit]``; anything else fails.

    An int, a float or the text of a number, of any length; booleans are no numbers. The bounds are
    checked on the exact decimal before anything converts it, as int() refuses text of more than
    4300 digits and float() overflows on an int beyond its range.
    """
    low, high, unit = LIMITS[limit]
    what = 'a whole number' if whole else 'a number'
    number = decimal_number(value)
    # A number is shown as a number whether it came as one or as its text: ansible-core before 2.19
    # hands every templated value over as text, and the message must read the same on every core.
    shown = short(value) if number is None else clean(number_text(value))
    if number is not None and number.is_finite() and number.adjusted() >= SHOWN_DIGITS:
        # Digits beyond any figure: say so plainly, with the number shortened.
        if number > high:
            fail(where, '%s is too large; at most %d %s' % (shown, high, unit))
        if number < low:
            fail(where, '%s is too small; at least %d %s' % (shown, low, unit))
    if number is None or not number.is_finite() or not low <= number <= high or (whole and number != number.to_integral_value()):
        fail(where, '%s is not %s from %d to %d %s' % (shown, what, low, high, unit))
    return int(number) if whole else float(number)


def count(value, where, limit='count'):
    """A whole number within ``LIMITS[limit]``."""
    return _bounded(value, where, True, limit)


def number(value, where, limit):
    """A number within ``LIMITS[limit]``; whole numbers as int."""
    found = _bounded(value, where, False, limit)
    return int(found) if found == int(found) else found


def seconds(value, where, limit='seconds'):
    """A number of seconds within ``LIMITS[limit]``; whole numbers as int."""
    return number(value, where, limit)


def _check_value(kind, value, where):
    """Return the normalised setting of a built-in check of ``kind``; None or False turns the check off."""
    if value is None:
        return None if kind != 'flag' else False
    if kind == 'flag':
        return flag(value, where)
    if kind in ('count', 'lag', 'letters'):
        return count(value, where, kind)
    if kind in ('seconds', 'percent', 'ratio'):
        return number(value, where, kind)
    if kind == 'version':
        version = text(value, where, 'a RocketMQ client version name')
        try:
            version_key(version, where)
        except AnsibleError as exc:
            # The version filters' own error, which names ``where``, as the gate's input error.
            raise GateInputError(str(getattr(exc, 'message', exc))) from None
        return version
    if kind == 'model':
        model = text(value, where, 'CLUSTERING or BROADCASTING').upper()
        if model not in MESSAGE_MODELS:
            fail(where, '%s is not a message model (accepted: %s)' % (short(value), ', '.join(MESSAGE_MODELS)))
        return model
    # languages
    languages = [text(item, '%s[%d]' % (where, index), 'a client language such as JAVA').upper()
                 for index, item in enumerate(listing(value, where, 'client languages'))]
    if not languages:
        fail(where, 'lists no language; use null to turn the check off')
    return languages


# ---------------------------------------------------------------------------------------------
# Rules


def _compile(query, where, rule):
    if jmespath is None:
        fail(where, 'the Python library jmespath is required for rules with a query; install it on the controller')
    try:
        jmespath.compile(query)
    except RecursionError:
        fail(where, 'the query of rule %s nests too deeply to be evaluated; write it with fewer nested levels' % short(rule))
    except JMESPathError as exc:
        fail(where, '%s is not a valid JMESPath expression: %s' % (short(query), clean(query_error(exc))))


def _conditions(value, where, trusted=None):
    """The conditions of a rule's ``that``; ``trusted``, when given, says whether Ansible trusts a text as a template."""
    conditions = [value] if isinstance(value, str) else listing(value, where, 'Jinja conditions')
    if not conditions:
        fail(where, 'lists no condition')
    checked = []
    for index, condition in enumerate(conditions):
        at = where if isinstance(value, str) else '%s[%d]' % (where, index)
        if trusted is not None and isinstance(condition, str) and not trusted(condition):
            # As ansible.builtin.assert refuses such a condition: it is code, and this text is data.
            fail(at, '%s is not a condition the gate may run: it comes from a source Ansible does not trust as a template '
                     '(marked !unsafe, such as an answer at launch, or read from data); write the rule in the playbook, '
                     'a role or a vars file' % short(condition))
        condition = text(condition, at, 'a Jinja condition such as "status.consume_tps > 0"')
        problem = gate_conditions.syntax_error(condition)
        if problem:
            fail(at, '%s is not a valid condition: %s' % (short(condition), clean(problem)))
        checked.append(condition)
    return checked


def _expectation(value, where):
    """``value``, the ``expect`` of a query rule, when every whole number in it is within a figure of the API.

    The API's figures are 64-bit; a longer number can never be equal to one, and the report could
    not print it (Python refuses to print an int of more than 4300 digits).
    """
    if isinstance(value, Mapping):
        for key, item in value.items():
            _expectation(item, '%s.%s' % (where, clean(str(key))))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _expectation(item, '%s[%d]' % (where, index))
    elif isinstance(value, int) and not isinstance(value, bool) and not -FIGURE_LIMIT <= value < FIGURE_LIMIT:
        fail(where, '%s is out of range; the figures of the API are whole numbers from %d to %d' % (
            short(value), -FIGURE_LIMIT, FIGURE_LIMIT - 1))
    return value


def _rules(value, where, seen, trusted=None):
    """Validate the rules at ``where``; ``seen`` maps each rule name taken so far to where it was defined; ``trusted`` as in _conditions."""
    rules = []
    for index, raw in enumerate(listing(value, where, 'rules')):
        at = '%s[%d]' % (where, index)
        mapping(raw, at, 'a rule {name, query, expect} or {name, that}')
        unknown_keys(raw, RULE_KEYS, at)
        rule_name = name(raw.get('name'), at + '.name', 'rule')
        if rule_name in RESERVED:
            fail(at + '.name', '%s is the name of a built-in check; name the rule differently' % short(rule_name))
        if rule_name in seen:
            fail(at + '.name', '%s is also the name of the rule %s: every rule needs a name of its own' % (short(rule_name), seen[rule_name]))
        seen[rule_name] = at
        if (raw.get('query') is None) == (raw.get('that') is None):
            fail(at, 'give exactly one of query (a JMESPath expression compared with expect) and that (Jinja conditions)')
        rule = {'name': rule_name, 'allow_inconclusive': flag(raw.get('allow_inconclusive', False), at + '.allow_inconclusive')}
        if raw.get('query') is not None:
            if 'fail_msg' in raw or 'success_msg' in raw:
                fail(at, 'fail_msg and success_msg go with that; a query rule reports its query and result')
            rule['query'] = text(raw['query'], at + '.query', 'a JMESPath expression')
            _compile(rule['query'], at + '.query', rule_name)
            rule['expect'] = _expectation(plain(raw.get('expect', True)), at + '.expect')
        else:
            if 'expect' in raw:
                fail(at + '.expect', 'goes with query; conditions in that must all be true')
            rule['that'] = _conditions(raw['that'], at + '.that', trusted)
            for key in ('fail_msg', 'success_msg'):
                if raw.get(key) is not None:
                    rule[key] = text(raw[key], '%s.%s' % (at, key), 'a message')
                    error = gate_conditions.message_syntax_error(rule[key])
                    if error:
                        fail('%s.%s' % (at, key), '%s: %s' % (short(rule[key]), error))
        rules.append(rule)
    return rules


# ---------------------------------------------------------------------------------------------
# Groups


def _allowed(value, where):
    return [text(item, '%s[%d]' % (where, index), 'a check name') for index, item in enumerate(listing(value, where, 'check names'))]


def _check_allowed(names, entry, where):
    known = set(CHECK_NAMES) | {SELECT_CHECK} | {rule['name'] for rule in entry['rules']}
    for item in names:
        if item not in known:
            fail(where, '%s is not a check of this group (accepted: %s)' % (short(item), ', '.join(sorted(known))))


def _tags(value, where):
    tags = {}
    for key, item in mapping(value, where, 'a dict of tag keys and values').items():
        if isinstance(item, bool) or item is None or isinstance(item, (Mapping, list, tuple)):
            fail('%s.%s' % (where, clean(str(key))), '%s is not a tag value: use a string' % short(item))
        tags[str(key)] = str(item)
    return tags


def _group_type(value, where):
    group_type = text(value, where, 'tcp or http').lower()
    if group_type not in GROUP_TYPES:
        fail(where, '%s is not a group type (accepted: tcp, http)' % short(value))
    return group_type


def _selector(value, where, instance_id):
    mapping(value, where, 'a dict of ons_group_info filters (group_id, group_type, tags, exclude)')
    unknown_keys(value, SELECT_KEYS, where)
    selector = {'group_id': None, 'group_type': None, 'tags': None, 'exclude': []}
    if value.get('group_id') is not None:
        selector['group_id'] = name(value['group_id'], where + '.group_id', 'group', instance_id)
    if value.get('group_type') is not None:
        selector['group_type'] = _group_type(value['group_type'], where + '.group_type')
    if value.get('tags') is not None:
        selector['tags'] = _tags(value['tags'], where + '.tags')
    if value.get('exclude') is not None:
        selector['exclude'] = [name(item, '%s.exclude[%d]' % (where, index), 'group', instance_id)
                               for index, item in enumerate(listing(value['exclude'], where + '.exclude', 'group IDs'))]
    return selector


def describe_selector(selector):
    """The selection in words, as the report's expected value."""
    parts = []
    if selector['group_id']:
        parts.append('group_id contains %s' % selector['group_id'])
    if selector['group_type']:
        parts.append('group_type %s' % selector['group_type'])
    for key, value in sorted((selector['tags'] or {}).items()):
        parts.append('tag %s=%s' % (key, value))
    if selector['exclude']:
        parts.append('except %s' % ', '.join(selector['exclude']))
    return 'every group' + (' with ' + ', '.join(parts) if parts else '')


def _lookback(value, default, where):
    """The seconds before the gate started from which max_dead_letters counts dead letters; None or "" keeps ``default``."""
    if value is None or value == '':
        return default
    return seconds(value, where, 'dead_letter_lookback')


def _trace_lookback(value, default, where):
    """The seconds before the gate started from which a 5.x message is looked for; None or "" keeps ``default``."""
    if value is None or value == '':
        return default
    return seconds(value, where, 'trace_lookback')


def _instance(value, default, where):
    if value is not None and value != '':
        return name(value, where, 'instance')
    return default


def _checks(raw, base, where):
    checks = {}
    for check_name, spec in CHECKS.items():
        # An absent key takes the default; a key set to null turns the check off.
        checks[check_name] = _check_value(spec.kind, raw[check_name], '%s.%s' % (where, check_name)) if check_name in raw \
            else base[check_name]
    if checks['min_consumers'] is not None and checks['max_consumers'] is not None and checks['min_consumers'] > checks['max_consumers']:
        fail(where, 'min_consumers %d is above max_consumers %d' % (checks['min_consumers'], checks['max_consumers']))
    return checks


def _defaults(defaults, prefix, option_name, allowed, what):
    """Check the defaults dict of a suite; return ``(option, defaults)``, ``option(key)`` naming one setting.

    With a ``prefix`` such as ``consumer_health_`` a setting is named as the role's variable
    (``consumer_health_max_lag``); otherwise as a key of the gate's option (``group_defaults.max_lag``).
    """
    def option(key):
        return prefix + key if prefix and prefix.endswith('_') else '%s.%s' % (prefix or option_name, key)

    defaults = mapping(defaults if defaults is not None else {}, prefix or option_name, what)
    unknown = sorted(str(key) for key in defaults if key not in allowed)
    if unknown:
        meant = [option(closest) for closest in (close_match(key, allowed) for key in unknown) if closest]
        fail(', '.join(option(clean(key)) for key in unknown), 'unknown setting%s%s (accepted: %s)' % (
            's' if len(unknown) > 1 else '', ' (did you mean %s?)' % ', '.join(meant) if meant else '', ', '.join(allowed)))
    return option, defaults


def group_plan(groups, defaults=None, instance_id=None, names=None, trusted=None):
    """Validate the groups to check and their checks, apply the defaults, and return the plan's entries.

    ``defaults`` holds the value of each built-in check, ``rules``, ``allow_inconclusive`` and
    ``instance_id`` for every group. ``names`` says how errors name the inputs: ``groups`` (the
    list) and ``group_defaults`` (a prefix such as ``consumer_health_``, or the option's name).
    ``trusted``, when given, refuses a rule's condition it does not trust (gate_conditions.trusted).
    """
    names = names or {}
    list_name = names.get('groups') or 'groups'
    option, defaults = _defaults(defaults, names.get('group_defaults'), 'group_defaults', GROUP_DEFAULT_KEYS, 'a dict of checks')
    base = {}
    for check_name, spec in CHECKS.items():
        base[check_name] = _check_value(spec.kind, defaults.get(check_name, spec.default), option(check_name))
    if base['min_consumers'] is not None and base['max_consumers'] is not None and base['min_consumers'] > base['max_consumers']:
        fail(option('min_consumers'), '%d is above %s %d' % (base['min_consumers'], option('max_consumers'), base['max_consumers']))
    rule_names = {}
    base_rules = _rules(defaults.get('rules') or [], option('rules'), rule_names, trusted)
    base_allowed = _allowed(defaults.get('allow_inconclusive') or [], option('allow_inconclusive'))
    base_lookback = _lookback(defaults.get('dead_letter_lookback'), DEFAULT_DEAD_LETTER_LOOKBACK, option('dead_letter_lookback'))
    default_instance = _instance(defaults.get('instance_id'), _instance(instance_id, None, names.get('instance_id') or 'instance_id'),
                                 option('instance_id'))

    entries = []
    explicit = set()
    for index, raw in enumerate(listing(groups, list_name, 'groups to check')):
        where = '%s[%d]' % (list_name, index)
        mapping(raw, where, 'a dict with group_id or select, and the checks that apply')
        unknown_keys(raw, ENTRY_KEYS, where)
        if (raw.get('group_id') is None) == (raw.get('select') is None):
            fail(where, 'give exactly one of group_id (one group) and select (groups chosen with ons_group_info filters)')
        entry = {'key': where, 'group_id': None, 'select': None, 'group_type': None,
                 'instance_id': _instance(raw.get('instance_id'), default_instance, where + '.instance_id')}
        if entry['instance_id'] is None:
            fail(where, 'no instance_id: set it on the entry or for every group (%s)' % option('instance_id'))
        if raw.get('group_id') is not None:
            entry['group_id'] = name(raw['group_id'], where + '.group_id', 'group', entry['instance_id'])
            if (entry['instance_id'], entry['group_id']) in explicit:
                fail(where, 'group %s of instance %s is listed twice' % (entry['group_id'], entry['instance_id']))
            explicit.add((entry['instance_id'], entry['group_id']))
            entry['group_type'] = _group_type(raw['group_type'], where + '.group_type') if raw.get('group_type') is not None \
                else DEFAULT_GROUP_TYPE
        else:
            if raw.get('group_type') is not None:
                fail(where + '.group_type', 'applies to a group named with group_id; narrow a selection with select.group_type')
            entry['select'] = _selector(raw['select'], where + '.select', entry['instance_id'])
        # What no group of the instance's API can be (a 5.x group of HTTP consumers) is refused now.
        backend_for(entry['instance_id']).check_entry(entry, where)
        entry['checks'] = _checks(raw, base, where)
        entry['dead_letter_lookback'] = _lookback(raw.get('dead_letter_lookback'), base_lookback, where + '.dead_letter_lookback')
        entry['rules'] = base_rules + _rules(raw.get('rules') or [], where + '.rules', dict(rule_names), trusted)
        allowed = _allowed(raw['allow_inconclusive'], where + '.allow_inconclusive') \
            if raw.get('allow_inconclusive') is not None else base_allowed
        _check_allowed(allowed, entry, where + '.allow_inconclusive' if raw.get('allow_inconclusive') is not None
                       else option('allow_inconclusive'))
        entry['allow_inconclusive'] = allowed
        entries.append(entry)
    if not entries:
        fail(list_name, 'lists no group: a gate that checks nothing cannot pass')
    return entries


# ---------------------------------------------------------------------------------------------
# Messages


def _group_ids(value, where, empty, instance_id):
    groups = [name(item, '%s[%d]' % (where, index), 'group', instance_id) for index, item in enumerate(listing(value, where, 'group IDs'))]
    if not groups:
        fail(where, empty)
    return groups


def message_plan(messages, defaults=None, instance_id=None, names=None):
    """Validate the messages to check, apply the defaults, and return the plan's messages.

    ``defaults`` holds ``instance_id``, ``expect_consumed_by``, ``allow_filtered``,
    ``allow_inconclusive`` and ``trace_lookback`` for every message; ``names`` as for group_plan (``messages``,
    ``message_defaults``).
    """
    names = names or {}
    list_name = names.get('messages') or 'messages'
    option, defaults = _defaults(defaults, names.get('message_defaults'), 'message_defaults', MESSAGE_DEFAULT_KEYS,
                                 'a dict of message settings')
    default_instance = _instance(defaults.get('instance_id'), _instance(instance_id, None, names.get('instance_id') or 'instance_id'),
                                 option('instance_id'))
    default_groups = None
    if defaults.get('expect_consumed_by') is not None:
        default_groups = _group_ids(defaults['expect_consumed_by'], option('expect_consumed_by'),
                                    'lists no group; use null to expect every group that tracks each message', default_instance)
    default_filtered = flag(defaults.get('allow_filtered', True), option('allow_filtered'))
    default_allowed = flag(defaults.get('allow_inconclusive', False), option('allow_inconclusive'))
    default_lookback = _trace_lookback(defaults.get('trace_lookback'), DEFAULT_TRACE_LOOKBACK, option('trace_lookback'))
    planned = []
    seen = set()
    for index, raw in enumerate(listing(messages, list_name, 'messages to check')):
        where = '%s[%d]' % (list_name, index)
        mapping(raw, where, 'a dict with topic and msg_id')
        unknown_keys(raw, MESSAGE_KEYS, where)
        instance = _instance(raw.get('instance_id'), default_instance, where + '.instance_id')
        message = {
            'key': where,
            'topic': name(raw.get('topic'), where + '.topic', 'topic', instance),
            'msg_id': name(raw.get('msg_id'), where + '.msg_id', 'message', instance),
            'instance_id': instance,
        }
        if message['instance_id'] is None:
            fail(where, 'no instance_id: set it on the message or for every message (%s)' % option('instance_id'))
        message['expect_consumed_by'] = default_groups if raw.get('expect_consumed_by') is None else _group_ids(
            raw['expect_consumed_by'], where + '.expect_consumed_by', 'lists no group; leave it out to expect every group that tracks the message',
            instance)
        message['allow_filtered'] = flag(raw['allow_filtered'], where + '.allow_filtered') \
            if raw.get('allow_filtered') is not None else default_filtered
        message['allow_inconclusive'] = flag(raw['allow_inconclusive'], where + '.allow_inconclusive') \
            if raw.get('allow_inconclusive') is not None else default_allowed
        message['trace_lookback'] = _trace_lookback(raw.get('trace_lookback'), default_lookback, where + '.trace_lookback')
        identity = (message['instance_id'], message['topic'], message['msg_id'])
        if identity in seen:
            fail(where, 'message %s of topic %s is listed twice' % (message['msg_id'], message['topic']))
        seen.add(identity)
        planned.append(message)
    if not planned:
        fail(list_name, 'lists no message: a gate that checks nothing cannot pass')
    return planned


# ---------------------------------------------------------------------------------------------
# The gate


def gate_plan(groups=None, messages=None, instance_id=None, group_defaults=None, message_defaults=None,
              wait_timeout=0, poll_interval=10, observe_seconds=0, names=None, trusted=None):
    """Validate everything the gate takes and return its plan: ``groups``, ``messages`` and the waiting.

    A gate needs groups, messages or both; ``None`` leaves a suite out, an empty list is an error.
    ``trusted``: see group_plan.
    """
    names = names or {}
    if groups is None and messages is None:
        fail('gate', 'neither groups nor messages is given: a gate that checks nothing cannot pass')
    plan = {
        'groups': group_plan(groups, group_defaults, instance_id, names, trusted) if groups is not None else [],
        'messages': message_plan(messages, message_defaults, instance_id, names) if messages is not None else [],
        'wait_timeout': seconds(wait_timeout, names.get('wait_timeout') or 'wait_timeout', 'wait_timeout'),
        'poll_interval': seconds(poll_interval, names.get('poll_interval') or 'poll_interval', 'poll_interval'),
        'observe_seconds': seconds(observe_seconds, names.get('observe_seconds') or 'observe_seconds', 'observe_seconds'),
    }
    return plan
