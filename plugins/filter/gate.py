# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters that turn the facts of the info modules into deployment gate verdicts and reports.

The roles ``consumer_health``, ``message_delivery`` and ``gate_report`` call them; the documentation
of each filter lives in the sidecar file ``<filter name>.yml`` next to this file.

Every filter is pure: it reads its arguments and returns new data, never calls the API, the clock
or the file system. A verdict is one check of one consumer group or message::

    {suite, kind, subject, instance_id, check, status, blocking, expected, observed, offenders, reason}

``status`` is ``passed``, ``failed``, ``inconclusive`` (the facts needed were not available or
not readable) or ``not_applicable`` (the check cannot apply to the subject, such as a client check
of an HTTP group, whose consumers hold no connection). A verdict is ``blocking`` when it failed,
or when it is inconclusive and the user did not allow that check to be inconclusive. The gate
passes when no verdict is blocking and at least one check was evaluated (passed, failed or
inconclusive): a gate that could not tell never passes.

Every text these filters render (failure lines, summaries, JUnit) escapes control characters, so
that a string from the API cannot drive the terminal or forge a line of the report.
"""

import datetime
import difflib
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.validation import check_type_bool, check_type_float, check_type_int

from ansible_collections.apsaramq.rocketmq.plugins.filter.rocketmq import connection_summary, version_key
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.validation import (
    check_rate_limit,
    check_region,
    check_retries,
    check_timeout,
    parse_endpoint,
)

try:
    import jmespath
    from jmespath.exceptions import JMESPathError
except ImportError:  # pragma: no cover - jmespath is a runtime requirement; say so when a rule needs it
    jmespath = None
    JMESPathError = Exception

PASSED = 'passed'
FAILED = 'failed'
INCONCLUSIVE = 'inconclusive'
NOT_APPLICABLE = 'not_applicable'
STATUSES = (PASSED, FAILED, INCONCLUSIVE, NOT_APPLICABLE)

HEALTH_SUITE = 'consumer_health'
DELIVERY_SUITE = 'message_delivery'
# The suite of the verdict that says the gate itself stopped before it could finish.
GATE_SUITE = 'gate'
RUN_CHECK = 'run'

# The built-in checks of a consumer group, in the order they are evaluated and reported, with the
# kind of value each takes and its default (None or False: the check is off).
HEALTH_CHECKS = (
    ('min_consumers', 'count', 1),
    ('max_consumers', 'count', None),
    ('min_version', 'version', None),
    ('uniform_version', 'flag', False),
    ('allowed_languages', 'languages', None),
    ('message_model', 'model', None),
    ('unique_client_ids', 'flag', True),
    ('subscription_consistent', 'flag', True),
    ('rebalance_ok', 'flag', False),
    ('max_lag', 'lag', None),
    ('max_delay_seconds', 'seconds', None),
)
HEALTH_CHECK_NAMES = tuple(name for name, _kind, _default in HEALTH_CHECKS)
LAG_CHECKS = ('max_lag', 'max_delay_seconds')
# The checks that read the clients of a group: an HTTP group has none to read.
CONNECTION_CHECKS = tuple(name for name in HEALTH_CHECK_NAMES if name not in LAG_CHECKS)
HTTP_REASON = ('HTTP consumers hold no long-lived connection, so the API lists no clients to check '
               'for an HTTP group')
# The verdict of an HTTP group that no check applies to: it fails closed.
APPLICABLE_CHECK = 'applicable_checks'
SELECT_CHECK = 'select'
DELIVERY_CHECK = 'consumed'
MESSAGE_MODELS = ('CLUSTERING', 'BROADCASTING')
GROUP_TYPES = ('tcp', 'http')
# OnsGroupList's own default: a group whose type nobody says is a TCP group.
DEFAULT_GROUP_TYPE = 'tcp'
ENTRY_KEYS = ('group_id', 'group_type', 'instance_id', 'select', 'rules', 'allow_inconclusive') + HEALTH_CHECK_NAMES
SELECT_KEYS = ('group_id', 'group_type', 'tags', 'exclude')
RULE_KEYS = ('name', 'query', 'expect', 'allow_inconclusive')
MESSAGE_KEYS = ('topic', 'msg_id', 'instance_id', 'expect_consumed_by', 'allow_filtered', 'allow_inconclusive')

# Names as the API and the file system accept them. fullmatch: "$" would also accept a final newline.
NAMES = {
    'instance': (re.compile(r'[A-Za-z0-9_-]{1,64}'), 'an instance ID', '1 to 64 letters, digits, "_" or "-"'),
    'group': (re.compile(r'[A-Za-z0-9_%-]{1,128}'), 'a group ID', '1 to 128 letters, digits, "_", "-" or "%"'),
    'topic': (re.compile(r'[A-Za-z0-9_%-]{1,128}'), 'a topic', '1 to 128 letters, digits, "_", "-" or "%"'),
    'message': (re.compile(r'[A-Za-z0-9]{1,128}'), 'a message ID', '1 to 128 letters and digits'),
    'rule': (re.compile(r'[A-Za-z0-9_.-]{1,64}'), 'a rule name', '1 to 64 letters, digits, ".", "_" or "-"'),
    'report': (re.compile(r'(?!\.)(?!.*\.\.)[A-Za-z0-9_.-]{1,100}'), 'a report name',
               '1 to 100 letters, digits, ".", "_" or "-", not starting with "." and without ".."'),
    'region': (re.compile(r'[a-z]{2,}(-[a-z0-9]+)+'), 'a region ID', 'a region ID such as cn-hangzhou'),
}

# Bounds of the numbers the roles take: finite, and far beyond any sane setting.
LIMITS = {
    'count': (0, 100000, 'clients'),
    'lag': (0, 1000000000, 'messages'),
    'seconds': (0, 31536000, 'seconds'),
    'wait_timeout': (0, 86400, 'seconds'),
    'poll_interval': (1, 3600, 'seconds'),
}
# Facts a rule can read that cost an extra API call per attempt: gathered only when a rule names them.
OPTIONAL_FACTS = ('accumulate',)
# Facts a rule can read that come from the status of the group.
STATUS_FACTS = ('status', 'summary')

# Message tracks: what counts as consumed, what certainly is not, and everything else is unknown.
TRACK_CONSUMED = 'CONSUMED'
TRACK_FILTERED = 'CONSUMED_BUT_FILTERED'
TRACKS_NOT_CONSUMED = ('NOT_CONSUME_YET', 'NOT_ONLINE')
NO_TRACK = 'NO_TRACK'
# Error codes that answer the question definitively: the group, instance, topic or message does not
# exist. A check that meets one fails; it is not merely inconclusive.
NOT_FOUND_CODES = ('BIZ_SUBSCRIPTION_NOT_FOUND', 'INSTANCE_NOT_FOUND', 'BIZ_TOPIC_NOT_FOUND', 'BIZ_NO_MESSAGE')

# How many offenders a text line names before "and N more"; the JSON report keeps them all.
MAX_LISTED = 8
# Control characters (C0 and C1, DEL) a terminal or a line-oriented report must not receive raw.
_CONTROL = re.compile('[\x00-\x08\x0a-\x1f\x7f-\x9f]')
# Characters XML 1.0 cannot carry, even escaped.
_XML_INVALID = re.compile('[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]')


# ---------------------------------------------------------------------------------------------
# Input handling


def _plain(value):
    """Return ``value`` as plain Python types, so that JMESPath and JSON see ordinary values.

    Templated values may be subclasses of str, int, dict and list; JMESPath's functions look at
    the exact type name and would reject them.
    """
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


def _short(value):
    text = _clean(repr(value))
    return text if len(text) <= 80 else text[:77] + '...'


def _clean(text):
    """Escape control characters (but tab) so that a string cannot drive a terminal or break a line."""
    return _CONTROL.sub(lambda match: '\\x%02x' % ord(match.group()), text)


def _fail(where, problem):
    raise AnsibleFilterError('%s: %s' % (where, problem))


def _mapping(value, where, what):
    if not isinstance(value, Mapping):
        _fail(where, 'expected %s, got %s' % (what, 'null' if value is None else '%s %s' % (type(value).__name__, _short(value))))
    return value


def _list(value, where, what):
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (list, tuple)):
        _fail(where, 'expected a list of %s, got %s' % (what, 'null' if value is None else '%s %s' % (type(value).__name__, _short(value))))
    return list(value)


def _unknown_keys(value, allowed, where):
    unknown = sorted(_clean(str(key)) for key in value if key not in allowed)
    if unknown:
        _fail(where, 'unknown key%s %s (accepted: %s)' % ('s' if len(unknown) > 1 else '', ', '.join(unknown), ', '.join(allowed)))


def _text(value, where, what='a non-empty string'):
    if not isinstance(value, str) or not value.strip():
        _fail(where, 'expected %s, got %s' % (what, _short(value)))
    return str(value).strip()


def _name(value, where, kind):
    """Return ``value`` when it is a name of ``kind`` (see NAMES), matched to its very end."""
    pattern, what, accepted = NAMES[kind]
    if not isinstance(value, str) or not value:
        _fail(where, 'expected %s, got %s' % (what, _short(value)))
    if not pattern.fullmatch(value):
        _fail(where, '%s is not %s: use %s' % (_short(value), what, accepted))
    return str(value)


def _flag(value, where):
    try:
        return check_type_bool(value)
    except TypeError:
        _fail(where, '%s is not a boolean' % _short(value))


def _bounded(value, where, convert, what, limit):
    """Return ``convert(value)`` when it is a finite number within ``LIMITS[limit]``; anything else (booleans too) fails."""
    low, high, unit = LIMITS[limit]
    number = None
    if not isinstance(value, bool):
        try:
            number = convert(value)
        except (TypeError, ValueError, OverflowError):
            pass
    if number is None or math.isnan(number) or math.isinf(number) or not low <= number <= high:
        _fail(where, '%s is not %s from %d to %d %s' % (_short(value), what, low, high, unit))
    return number


def _count(value, where, limit='count'):
    return _bounded(value, where, check_type_int, 'a whole number', limit)


def _seconds(value, where, limit='seconds'):
    number = _bounded(value, where, check_type_float, 'a number', limit)
    return int(number) if number == int(number) else number


def _check_value(name, kind, value, where):
    """Return the normalised setting of built-in check ``name``; None or False turns the check off."""
    if value is None:
        return None if kind != 'flag' else False
    if kind == 'flag':
        return _flag(value, where)
    if kind in ('count', 'lag'):
        return _count(value, where, kind)
    if kind == 'seconds':
        return _seconds(value, where)
    if kind == 'version':
        text = _text(value, where, 'a RocketMQ client version name')
        version_key(text, where)
        return text
    if kind == 'model':
        text = _text(value, where, 'CLUSTERING or BROADCASTING').upper()
        if text not in MESSAGE_MODELS:
            _fail(where, '%s is not a message model (accepted: %s)' % (_short(value), ', '.join(MESSAGE_MODELS)))
        return text
    # languages
    languages = [_text(item, '%s[%d]' % (where, index), 'a client language such as JAVA').upper()
                 for index, item in enumerate(_list(value, where, 'client languages'))]
    if not languages:
        _fail(where, 'lists no language; use null to turn the check off')
    return languages


def _compile(query, where, rule=None):
    if jmespath is None:
        _fail(where, 'the Python library jmespath is required for rules; install it on the controller')
    try:
        compiled = jmespath.compile(query)
        return compiled, _fields(compiled.parsed, set())
    except RecursionError:
        _fail(where, 'the query%s nests too deeply to be evaluated; write it with fewer nested levels'
              % (' of rule %s' % _short(rule) if rule else ''))
    except JMESPathError as exc:
        _fail(where, '%s is not a valid JMESPath expression: %s' % (_short(query), _clean(str(exc))))


def _fields(node, found):
    """Collect the field names a parsed JMESPath expression reads."""
    if isinstance(node, Mapping):
        if node.get('type') == 'field':
            found.add(node.get('value'))
        for child in node.get('children') or ():
            _fields(child, found)
        for key in ('value',):
            if isinstance(node.get(key), Mapping):
                _fields(node[key], found)
    elif isinstance(node, (list, tuple)):
        for child in node:
            _fields(child, found)
    return found


def _rules(value, where, reserved, seen):
    """Validate the rules at ``where``; ``seen`` maps each rule name taken so far to where it was defined."""
    rules = []
    for index, rule in enumerate(_list(value, where, 'rules')):
        at = '%s[%d]' % (where, index)
        _mapping(rule, at, 'a rule {name, query, expect}')
        _unknown_keys(rule, RULE_KEYS, at)
        name = _name(rule.get('name'), at + '.name', 'rule')
        if name in reserved:
            _fail(at + '.name', '%s is the name of a built-in check; name the rule differently' % _short(name))
        if name in seen:
            _fail(at + '.name', '%s is also the name of the rule %s: every rule needs a name of its own' % (_short(name), seen[name]))
        seen[name] = at
        query = _text(rule.get('query'), at + '.query', 'a JMESPath expression')
        _compiled, fields = _compile(query, at + '.query', name)
        rules.append({
            'name': name,
            'query': query,
            'expect': _plain(rule.get('expect', True)),
            'allow_inconclusive': _flag(rule.get('allow_inconclusive', False), at + '.allow_inconclusive'),
            'reads': sorted(fields & set(OPTIONAL_FACTS + STATUS_FACTS)),
        })
    return rules


def _allowed(value, where):
    return [_text(item, '%s[%d]' % (where, index), 'a check name')
            for index, item in enumerate(_list(value, where, 'check names'))]


def _check_allowed(names, entry, where):
    known = set(HEALTH_CHECK_NAMES) | {SELECT_CHECK} | {rule['name'] for rule in entry['rules']}
    for name in names:
        if name not in known:
            _fail(where, '%s is not a check of this group (accepted: %s)' % (_short(name), ', '.join(sorted(known))))


def _tags(value, where):
    tags = {}
    for key, item in _mapping(value, where, 'a dict of tag keys and values').items():
        if isinstance(item, bool) or item is None or isinstance(item, (Mapping, list, tuple)):
            _fail('%s.%s' % (where, _clean(str(key))), '%s is not a tag value: use a string' % _short(item))
        tags[str(key)] = str(item)
    return tags


def _group_type(value, where):
    group_type = _text(value, where, 'tcp or http').lower()
    if group_type not in GROUP_TYPES:
        _fail(where, '%s is not a group type (accepted: tcp, http)' % _short(value))
    return group_type


def _selector(value, where):
    _mapping(value, where, 'a dict of ons_group_info filters (group_id, group_type, tags, exclude)')
    _unknown_keys(value, SELECT_KEYS, where)
    selector = {'group_id': None, 'group_type': None, 'tags': None, 'exclude': []}
    if value.get('group_id') is not None:
        selector['group_id'] = _name(value['group_id'], where + '.group_id', 'group')
    if value.get('group_type') is not None:
        selector['group_type'] = _group_type(value['group_type'], where + '.group_type')
    if value.get('tags') is not None:
        selector['tags'] = _tags(value['tags'], where + '.tags')
    if value.get('exclude') is not None:
        selector['exclude'] = [_name(item, '%s.exclude[%d]' % (where, index), 'group')
                               for index, item in enumerate(_list(value['exclude'], where + '.exclude', 'group IDs'))]
    return selector


def _describe_selector(selector):
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


def _option(prefix, filter_name, option):
    """Name a role-wide option in a message: the user's variable when the role gives its prefix."""
    return prefix + option if prefix else '%s: %s' % (filter_name, option)


def _waiting(prefix, filter_name, wait_timeout, poll_interval):
    return {
        'wait_timeout': _seconds(wait_timeout, _option(prefix, filter_name, 'wait_timeout'), 'wait_timeout'),
        'poll_interval': _seconds(poll_interval, _option(prefix, filter_name, 'poll_interval'), 'poll_interval'),
    }


# ---------------------------------------------------------------------------------------------
# Plans


def gate_health_plan(groups, instance_id=None, name='groups', prefix=None, wait_timeout=0, poll_interval=10, **defaults):
    """Validate the groups to check and their checks, apply the role-wide defaults, and return the plan.

    ``defaults`` takes the role-wide value of each built-in check, ``rules`` and
    ``allow_inconclusive``. ``prefix`` (such as ``consumer_health_``) names them in messages as the
    user's variables. Raises AnsibleFilterError naming the entry and key of any bad input.
    """
    accepted = set(HEALTH_CHECK_NAMES) | {'rules', 'allow_inconclusive'}
    unknown = sorted(key for key in defaults if key not in accepted)
    if unknown:
        _fail('gate_health_plan', 'unknown option%s %s (accepted: instance_id, name, prefix, wait_timeout, poll_interval, %s)'
              % ('s' if len(unknown) > 1 else '', ', '.join(unknown), ', '.join(sorted(accepted))))
    if prefix is not None:
        prefix = _text(prefix, 'gate_health_plan: prefix', 'a variable prefix')

    def option(key):
        return _option(prefix, 'gate_health_plan', key)

    base = {}
    for check, kind, default in HEALTH_CHECKS:
        base[check] = _check_value(check, kind, defaults.get(check, default), option(check))
    if base['min_consumers'] is not None and base['max_consumers'] is not None and base['min_consumers'] > base['max_consumers']:
        _fail(option('min_consumers'), '%d is above %s %d' % (base['min_consumers'], option('max_consumers'), base['max_consumers']))
    rule_names = {}
    reserved = HEALTH_CHECK_NAMES + (SELECT_CHECK, APPLICABLE_CHECK, RUN_CHECK)
    base_rules = _rules(defaults.get('rules') or [], option('rules'), reserved, rule_names)
    base_allowed = _allowed(defaults.get('allow_inconclusive') or [], option('allow_inconclusive'))
    default_instance = None
    if instance_id is not None and instance_id != '':
        default_instance = _name(instance_id, option('instance_id'), 'instance')
    waiting = _waiting(prefix, 'gate_health_plan', wait_timeout, poll_interval)

    entries = []
    selectors = []
    explicit = set()
    for index, raw in enumerate(_list(groups, name, 'groups to check')):
        where = '%s[%d]' % (name, index)
        _mapping(raw, where, 'a dict with group_id or select, and the checks that apply')
        _unknown_keys(raw, ENTRY_KEYS, where)
        if (raw.get('group_id') is None) == (raw.get('select') is None):
            _fail(where, 'give exactly one of group_id (one group) and select (groups chosen with ons_group_info filters)')
        entry = {'key': where, 'group_id': None, 'select': None, 'group_type': None}
        entry['instance_id'] = (_name(raw['instance_id'], where + '.instance_id', 'instance')
                                if raw.get('instance_id') is not None else default_instance)
        if entry['instance_id'] is None:
            _fail(where, 'no instance_id: set it on the entry or role-wide (%s)' % option('instance_id'))
        if raw.get('group_id') is not None:
            entry['group_id'] = _name(raw['group_id'], where + '.group_id', 'group')
            if (entry['instance_id'], entry['group_id']) in explicit:
                _fail(where, 'group %s of instance %s is listed twice' % (entry['group_id'], entry['instance_id']))
            explicit.add((entry['instance_id'], entry['group_id']))
            entry['group_type'] = (_group_type(raw['group_type'], where + '.group_type')
                                   if raw.get('group_type') is not None else DEFAULT_GROUP_TYPE)
        else:
            if raw.get('group_type') is not None:
                _fail(where + '.group_type', 'applies to a group named with group_id; narrow a selection with select.group_type')
            entry['select'] = _selector(raw['select'], where + '.select')
        checks = {}
        for check, kind, _default in HEALTH_CHECKS:
            # An absent key takes the role-wide value; a key set to null turns the check off.
            checks[check] = _check_value(check, kind, raw[check], '%s.%s' % (where, check)) if check in raw else base[check]
        if checks['min_consumers'] is not None and checks['max_consumers'] is not None \
                and checks['min_consumers'] > checks['max_consumers']:
            _fail(where, 'min_consumers %d is above max_consumers %d' % (checks['min_consumers'], checks['max_consumers']))
        entry['checks'] = checks
        own_rules = _rules(raw.get('rules') or [], where + '.rules', reserved, dict(rule_names))
        entry['rules'] = base_rules + own_rules
        allowed = _allowed(raw['allow_inconclusive'], where + '.allow_inconclusive') \
            if raw.get('allow_inconclusive') is not None else base_allowed
        _check_allowed(allowed, entry, where + '.allow_inconclusive' if raw.get('allow_inconclusive') is not None
                       else option('allow_inconclusive'))
        entry['allow_inconclusive'] = allowed
        entry['needs_accumulate'] = (any(checks[check] is not None for check in LAG_CHECKS)
                                     or any('accumulate' in rule['reads'] for rule in entry['rules']))
        entries.append(entry)
        if entry['select'] is not None:
            selectors.append(dict(entry['select'], key=where, instance_id=entry['instance_id']))
    if not entries:
        _fail(name, 'lists no group: a gate that checks nothing cannot pass')
    return dict(waiting, entries=entries, selectors=selectors)


def gate_delivery_plan(messages, instance_id=None, expect_consumed_by=None, allow_filtered=True,
                       allow_inconclusive=False, name='messages', prefix=None, wait_timeout=0, poll_interval=10):
    """Validate the messages to check, apply the role-wide defaults, and return the plan.

    The plan's ``queries`` has one entry per instance and topic, with the message IDs to trace.
    """
    if prefix is not None:
        prefix = _text(prefix, 'gate_delivery_plan: prefix', 'a variable prefix')

    def option(key):
        return _option(prefix, 'gate_delivery_plan', key)

    default_instance = None
    if instance_id is not None and instance_id != '':
        default_instance = _name(instance_id, option('instance_id'), 'instance')
    default_groups = None
    if expect_consumed_by is not None:
        default_groups = [_name(item, '%s[%d]' % (option('expect_consumed_by'), index), 'group')
                          for index, item in enumerate(_list(expect_consumed_by, option('expect_consumed_by'), 'group IDs'))]
        if not default_groups:
            _fail(option('expect_consumed_by'), 'lists no group; use null to expect every group that tracks each message')
    default_filtered = _flag(allow_filtered, option('allow_filtered'))
    default_allowed = _flag(allow_inconclusive, option('allow_inconclusive'))
    waiting = _waiting(prefix, 'gate_delivery_plan', wait_timeout, poll_interval)
    planned = []
    queries = []
    seen = set()
    for index, raw in enumerate(_list(messages, name, 'messages to check')):
        where = '%s[%d]' % (name, index)
        _mapping(raw, where, 'a dict with topic and msg_id')
        _unknown_keys(raw, MESSAGE_KEYS, where)
        message = {
            'key': where,
            'topic': _name(raw.get('topic'), where + '.topic', 'topic'),
            'msg_id': _name(raw.get('msg_id'), where + '.msg_id', 'message'),
            'instance_id': (_name(raw['instance_id'], where + '.instance_id', 'instance')
                            if raw.get('instance_id') is not None else default_instance),
        }
        if message['instance_id'] is None:
            _fail(where, 'no instance_id: set it on the message or role-wide (%s)' % option('instance_id'))
        if raw.get('expect_consumed_by') is not None:
            groups = [_name(item, '%s.expect_consumed_by[%d]' % (where, number), 'group')
                      for number, item in enumerate(_list(raw['expect_consumed_by'], where + '.expect_consumed_by', 'group IDs'))]
            if not groups:
                _fail(where + '.expect_consumed_by', 'lists no group; leave it out to expect every group that tracks the message')
            message['expect_consumed_by'] = groups
        else:
            message['expect_consumed_by'] = default_groups
        message['allow_filtered'] = (_flag(raw['allow_filtered'], where + '.allow_filtered')
                                     if raw.get('allow_filtered') is not None else default_filtered)
        message['allow_inconclusive'] = (_flag(raw['allow_inconclusive'], where + '.allow_inconclusive')
                                         if raw.get('allow_inconclusive') is not None else default_allowed)
        identity = (message['instance_id'], message['topic'], message['msg_id'])
        if identity in seen:
            _fail(where, 'message %s of topic %s is listed twice' % (message['msg_id'], message['topic']))
        seen.add(identity)
        planned.append(message)
        for query in queries:
            if (query['instance_id'], query['topic']) == identity[:2]:
                query['msg_ids'].append(message['msg_id'])
                break
        else:
            queries.append({'instance_id': message['instance_id'], 'topic': message['topic'], 'msg_ids': [message['msg_id']]})
    if not planned:
        _fail(name, 'lists no message: a gate that checks nothing cannot pass')
    return dict(waiting, messages=planned, queries=queries)


# ---------------------------------------------------------------------------------------------
# Registered task results


def _results(registered):
    """Return the per-item results of a registered loop task (or a list of them)."""
    if registered is None:
        return []
    if isinstance(registered, Mapping):
        registered = registered.get('results', [])
    if not isinstance(registered, (list, tuple)):
        return []
    return [result for result in registered if isinstance(result, Mapping)]


class _Problem(str):
    """Why the facts of a check are missing; ``definitive`` when the API said the thing does not exist."""

    definitive = False


def _problem(text, error=None):
    problem = _Problem(text)
    if isinstance(error, Mapping) and error.get('code') in NOT_FOUND_CODES:
        problem.definitive = True
    return problem


def _task_error(result, what):
    """Return why a registered module result carries no usable answer, or None when it does."""
    if result.get('skipped'):
        return _problem('%s was skipped' % what)
    if result.get('failed') or not isinstance(result.get(_RESULT_KEYS[what]), list):
        message = result.get('msg')
        if isinstance(message, str) and message:
            return _problem('%s failed: %s' % (what, message), result.get('error'))
        return _problem('%s returned no answer that can be read' % what)
    return None


_RESULT_KEYS = {
    'ons_group_info': 'groups',
    'ons_consumer_status_info': 'groups',
    'ons_consumer_accumulate_info': 'groups',
    'ons_trace_info': 'messages',
}


def _error_text(error):
    """The real cause of a module's item error: its code and message (the code once)."""
    if isinstance(error, Mapping):
        code = error.get('code') if isinstance(error.get('code'), str) else None
        message = error.get('message') if isinstance(error.get('message'), str) else None
        if message and code and code not in message:
            return '%s: %s' % (code, message)
        return message or code or 'an error without code or message: %s' % _short(dict(error))
    return str(error)


def _entry_error(entry, what):
    """Return why one entry of a batched module's answer cannot be used, or None."""
    if not isinstance(entry, Mapping):
        return _problem('%s gave an entry that is not a dict: %s' % (what, _short(entry)))
    error = entry.get('error')
    if error:
        return _problem('%s failed: %s' % (what, _error_text(error)), error)
    return None


def _index_groups(registered, what):
    """Map (instance_id, group_id) to a module's group entry, or to the text of why there is none."""
    index = {}
    for result in _results(registered):
        item = result.get('item')
        if not isinstance(item, Mapping) or not isinstance(item.get('instance_id'), str):
            continue
        instance_id = item['instance_id']
        problem = _task_error(result, what)
        if problem is not None:
            for group_id in item.get('group_ids') or []:
                if isinstance(group_id, str):
                    index[(instance_id, group_id)] = problem
            continue
        for entry in result[_RESULT_KEYS[what]]:
            group_id = entry.get('group_id') if isinstance(entry, Mapping) else None
            if not isinstance(group_id, str):
                continue
            problem = _entry_error(entry, what)
            index[(instance_id, group_id)] = problem if problem is not None else _plain(entry)
    return index


# ---------------------------------------------------------------------------------------------
# Verdicts


def _verdict(suite, kind, subject, instance_id, check, status, expected, observed, offenders=None, reason='', allowed=False):
    return {
        'suite': suite,
        'kind': kind,
        'subject': subject,
        'instance_id': instance_id,
        'check': check,
        'status': status,
        'blocking': status == FAILED or (status == INCONCLUSIVE and not allowed),
        'expected': _plain(expected),
        'observed': _plain(observed),
        'offenders': [str(item) for item in (offenders or [])],
        'reason': str(reason),
    }


def _listed_type(group, selector):
    """The type of a group a selection listed: the selection's, else the listing's, else TCP."""
    if selector['group_type']:
        return selector['group_type']
    listed = group.get('group_type')
    if isinstance(listed, str) and listed.lower() in GROUP_TYPES:
        return listed.lower()
    return DEFAULT_GROUP_TYPE


def _resolve(plan, selections):
    """Return the groups to check, [(instance_id, group_id, entry, group_type)], and the verdicts of the selections."""
    plan = _mapping(plan, 'plan', 'the plan returned by gate_health_plan')
    entries = _list(plan.get('entries'), 'plan.entries', 'entries')
    by_key = {}
    for result in _results(selections):
        item = result.get('item')
        if isinstance(item, Mapping) and isinstance(item.get('key'), str):
            by_key[item['key']] = result
    targets = []
    seen = set()
    for entry in entries:
        if entry['group_id'] is not None:
            targets.append((entry['instance_id'], entry['group_id'], entry, entry.get('group_type') or DEFAULT_GROUP_TYPE))
            seen.add((entry['instance_id'], entry['group_id']))
    verdicts = []
    for entry in entries:
        selector = entry['select']
        if selector is None:
            continue
        subject = entry['key']
        allowed = SELECT_CHECK in entry['allow_inconclusive']
        expected = _describe_selector(selector)
        result = by_key.get(entry['key'])
        problem = _problem('the selection was not run') if result is None else _task_error(result, 'ons_group_info')
        if problem is not None:
            verdicts.append(_verdict(HEALTH_SUITE, 'selection', subject, entry['instance_id'], SELECT_CHECK, _outcome_of(problem),
                                     expected, None, reason=problem + '; the groups it selects were not checked', allowed=allowed))
            continue
        chosen = []
        unreadable = []
        for position, group in enumerate(result['groups']):
            group_id = group.get('group_id') if isinstance(group, Mapping) else None
            if not isinstance(group_id, str) or not group_id:
                # A listed group the gate cannot name is a group it would silently not check.
                unreadable.append('entry %d: %s' % (position, _short(group)))
                continue
            if group_id in selector['exclude'] or group_id in chosen:
                continue
            chosen.append(group_id)
            if (entry['instance_id'], group_id) not in seen:
                seen.add((entry['instance_id'], group_id))
                targets.append((entry['instance_id'], group_id, entry, _listed_type(group, selector)))
        if unreadable:
            verdicts.append(_verdict(HEALTH_SUITE, 'selection', subject, entry['instance_id'], SELECT_CHECK, INCONCLUSIVE,
                                     expected, chosen, offenders=unreadable, allowed=allowed,
                                     reason='ons_group_info listed %d group%s without a readable group ID' % (
                                         len(unreadable), '' if len(unreadable) == 1 else 's')))
        elif chosen:
            verdicts.append(_verdict(HEALTH_SUITE, 'selection', subject, entry['instance_id'], SELECT_CHECK, PASSED,
                                     expected, chosen, reason='selected %d group%s' % (len(chosen), '' if len(chosen) == 1 else 's')))
        else:
            verdicts.append(_verdict(HEALTH_SUITE, 'selection', subject, entry['instance_id'], SELECT_CHECK, FAILED,
                                     expected, [], reason='no group of instance %s matches' % entry['instance_id']))
    return targets, verdicts


def _needs_status(entry, group_type):
    """A TCP group's status is always read; an HTTP group's only for the rules that read it."""
    return group_type != 'http' or any(set(rule['reads']) & set(STATUS_FACTS) for rule in entry['rules'])


def gate_health_targets(plan, selections=None, lag=False):
    """Return the queries of one attempt: per instance, the groups to read.

    Without ``lag``, the groups whose status is needed; with it, only the groups whose lag a check
    or rule needs, and only the instances that have any.
    """
    targets, _verdicts = _resolve(plan, selections)
    lag = _flag(lag, 'gate_health_targets: lag')
    queries = []
    for instance_id, group_id, entry, group_type in targets:
        if (lag and not entry['needs_accumulate']) or (not lag and not _needs_status(entry, group_type)):
            continue
        for query in queries:
            if query['instance_id'] == instance_id:
                break
        else:
            query = {'instance_id': instance_id, 'group_ids': []}
            queries.append(query)
        query['group_ids'].append(group_id)
    return queries


def _client_name(connection, detail=''):
    """Name a client for an offender line: its address, what is wrong with it, then its client ID."""
    address = connection.get('client_addr')
    client_id = connection.get('client_id')
    text = str(address or client_id or 'a client without address or ID')
    if detail:
        text += ' ' + detail
    if address and client_id:
        text += ' (client id %s)' % client_id
    return text


def _connections(status):
    """Return the status entry's connections as dicts, or None when they cannot be read."""
    connections = status.get('connections')
    if not isinstance(connections, list) or not all(isinstance(item, Mapping) for item in connections):
        return None
    return connections


def _versions_observed(summary):
    return summary['versions'] if summary['versions'] else {}


def _check_count(limit, count, at_least):
    if at_least:
        ok = count >= limit
        reason = '' if ok else '%d client%s online, %d needed' % (count, '' if count == 1 else 's', limit)
        return (PASSED if ok else FAILED), '>= %d' % limit, count, [], reason
    ok = count <= limit
    reason = '' if ok else '%d clients online, at most %d allowed' % (count, limit)
    return (PASSED if ok else FAILED), '<= %d' % limit, count, [], reason


def _check_min_version(minimum, connections, summary):
    expected = '>= %s' % minimum
    floor = version_key(minimum)
    below, unknown = [], []
    for connection in connections:
        version = connection.get('version')
        try:
            key = version_key(version)
        except AnsibleFilterError:
            unknown.append(_client_name(connection, 'on %s' % (version if version else 'no version')))
            continue
        if key < floor:
            below.append(_client_name(connection, 'on %s' % version))
    observed = summary['min_version'] if not summary['unknown_version_count'] else _versions_observed(summary)
    if not connections:
        return PASSED, expected, None, [], 'no client online'
    if below:
        return FAILED, expected, observed, below + unknown, '%d client%s below %s' % (len(below), '' if len(below) == 1 else 's', minimum)
    if unknown:
        return INCONCLUSIVE, expected, observed, unknown, 'the version of %d client%s is not a RocketMQ version name' % (
            len(unknown), '' if len(unknown) == 1 else 's')
    return PASSED, expected, observed, [], ''


def _version_identity(version):
    try:
        return version_key(version)
    except AnsibleFilterError:
        return ('unrecognised', version)


def _check_uniform(connections, summary):
    observed = _versions_observed(summary)
    if not connections:
        return PASSED, 'one version', observed, [], 'no client online'
    identities = {}
    for connection in connections:
        identities.setdefault(_version_identity(connection.get('version')), []).append(connection)
    if len(identities) == 1:
        return PASSED, 'one version', observed, [], ''
    # The rollout target is the highest recognised version; clients on anything else lag behind.
    recognised = [key for key in identities if key[0] != 'unrecognised']
    target = max(recognised) if recognised else max(identities, key=lambda key: len(identities[key]))
    offenders = [_client_name(connection, 'on %s' % (connection.get('version') or 'no version'))
                 for key, members in identities.items() if key != target for connection in members]
    return FAILED, 'one version', observed, offenders, '%d versions in use; %d client%s not on %s' % (
        len(identities), len(offenders), '' if len(offenders) == 1 else 's', identities[target][0].get('version'))


def _check_languages(allowed, connections, summary):
    expected = allowed
    observed = summary['languages']
    wrong, unknown = [], []
    for connection in connections:
        language = connection.get('language')
        if not isinstance(language, str) or not language:
            unknown.append(_client_name(connection, 'in no reported language'))
        elif language.upper() not in allowed:
            wrong.append(_client_name(connection, 'in %s' % language))
    if wrong:
        return FAILED, expected, observed, wrong + unknown, '%d client%s in a language not allowed' % (len(wrong), '' if len(wrong) == 1 else 's')
    if unknown:
        return INCONCLUSIVE, expected, observed, unknown, 'the API does not give the language of %d client%s' % (
            len(unknown), '' if len(unknown) == 1 else 's')
    return PASSED, expected, observed, [], 'no client online' if not connections else ''


def _check_model(model, status):
    observed = status.get('consume_model')
    if not isinstance(observed, str) or not observed:
        return INCONCLUSIVE, model, None, [], 'the API does not give the message model of the group'
    if observed.upper() != model:
        return FAILED, model, observed, [], 'the group consumes in %s mode' % observed
    return PASSED, model, observed, [], ''


def _check_unique_ids(connections):
    by_id = {}
    missing = []
    for connection in connections:
        client_id = connection.get('client_id')
        if not isinstance(client_id, str) or not client_id:
            missing.append(_client_name(connection))
        else:
            by_id.setdefault(client_id, []).append(connection)
    shared = {client_id: members for client_id, members in by_id.items() if len(members) > 1}
    observed = sorted(shared)
    if shared:
        offenders = [_client_name(member) for client_id in sorted(shared) for member in shared[client_id]]
        return FAILED, 'no client ID shared', observed, offenders, '%d client ID%s used by more than one client' % (
            len(shared), '' if len(shared) == 1 else 's')
    if missing:
        return INCONCLUSIVE, 'no client ID shared', observed, missing, 'the API does not give the ID of %d client%s' % (
            len(missing), '' if len(missing) == 1 else 's')
    return PASSED, 'no client ID shared', observed, [], 'no client online' if not connections else ''


def _subscription_text(subscriptions):
    return '; '.join('%s: %s' % (topic, expression) for topic, expression in subscriptions) or 'nothing'


def _subscription_sets(status):
    """Return [(client, ((topic, expression), ...))] from the clients of a detailed status, or None."""
    clients = status.get('clients')
    if not isinstance(clients, list) or not clients:
        return None
    sets = []
    for client in clients:
        if not isinstance(client, Mapping) or not isinstance(client.get('subscriptions'), list):
            return None
        pairs = []
        for item in client['subscriptions']:
            if not isinstance(item, Mapping):
                return None
            pairs.append((str(item.get('topic')), str(item.get('sub_string'))))
        name = {'client_addr': client.get('connection'), 'client_id': client.get('client_id')}
        sets.append((name, tuple(sorted(pairs))))
    return sets


def _check_subscriptions(status, connections):
    same = status.get('subscription_same')
    sets = _subscription_sets(status)
    differing = []
    distinct = []
    if sets:
        counts = {}
        for _client, subscriptions in sets:
            counts[subscriptions] = counts.get(subscriptions, 0) + 1
        # Most common first; the sort is stable, so ties keep the order the clients came in.
        distinct = sorted(counts, key=lambda item: -counts[item])
        if len(distinct) > 1:
            common = distinct[0]
            differing = [_client_name(client, 'subscribes %s (most clients: %s)' % (_subscription_text(subscriptions), _subscription_text(common)))
                         for client, subscriptions in sets if subscriptions != common]
    observed = [_subscription_text(item) for item in distinct] if distinct else same
    if same is False or differing:
        return FAILED, 'the same subscriptions on every client', observed, differing, (
            'the clients subscribe differently; messages are lost or consumed twice until they agree')
    if same is True:
        return PASSED, 'the same subscriptions on every client', observed, [], ''
    if not connections and status.get('online') is False:
        return PASSED, 'the same subscriptions on every client', observed, [], 'no client online'
    if sets is not None and len(distinct) == 1:
        return PASSED, 'the same subscriptions on every client', observed, [], ''
    return INCONCLUSIVE, 'the same subscriptions on every client', observed, [], 'the API does not say whether the subscriptions agree'


def _check_rebalance(status):
    value = status.get('rebalance_ok')
    if value is True:
        return PASSED, True, True, [], ''
    if value is False:
        return FAILED, True, False, [], 'the broker reports that the queues are not balanced across the clients'
    return INCONCLUSIVE, True, None, [], 'the API does not say whether the queues are balanced'


def _figure(value):
    """A figure of the API: a number that is not a boolean."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not math.isnan(value)


def _topic_offenders(accumulate, key, render):
    topics = accumulate.get('topics')
    if not isinstance(topics, list):
        return []
    rows = [topic for topic in topics if isinstance(topic, Mapping) and _figure(topic.get(key)) and topic.get(key) > 0]
    rows.sort(key=lambda topic: -topic[key])
    return [render(topic) for topic in rows]


def _negative_topics(accumulate, key):
    topics = accumulate.get('topics')
    if not isinstance(topics, list):
        return []
    return ['topic %s: %s' % (topic.get('topic'), topic.get(key)) for topic in topics
            if isinstance(topic, Mapping) and _figure(topic.get(key)) and topic.get(key) < 0]


def _check_lag(limit, accumulate):
    value = accumulate.get('total_diff')
    expected = '<= %d' % limit
    if isinstance(value, bool) or not isinstance(value, int):
        return INCONCLUSIVE, expected, value, [], 'the API does not give the number of messages not consumed'
    negative = _negative_topics(accumulate, 'total_diff')
    if value < 0 or negative:
        # A count below zero is not a count: never read it as "caught up".
        return INCONCLUSIVE, expected, value, negative, 'the API gave a negative number of messages not consumed'
    offenders = _topic_offenders(accumulate, 'total_diff', lambda topic: 'topic %s: %d messages behind' % (topic.get('topic'), topic['total_diff']))
    if value > limit:
        return FAILED, expected, value, offenders, '%d messages not consumed yet, at most %d allowed' % (value, limit)
    return PASSED, expected, value, [], ''


def _check_delay(limit, accumulate):
    value = accumulate.get('delay_time')
    expected = '<= %s s' % limit
    if not _figure(value) or math.isinf(value):
        return INCONCLUSIVE, expected, value, [], 'the API does not give how late the group is'
    negative = _negative_topics(accumulate, 'delay_time')
    if value < 0 or negative:
        return INCONCLUSIVE, expected, value, negative, 'the API gave a negative delay'
    seconds = round(value / 1000.0, 3)
    offenders = _topic_offenders(accumulate, 'delay_time', lambda topic: 'topic %s: %s s behind' % (topic.get('topic'), round(topic['delay_time'] / 1000.0, 3)))
    if seconds > limit:
        return FAILED, expected, '%s s' % seconds, offenders, 'the group is %s s behind, at most %s s allowed' % (seconds, limit)
    return PASSED, expected, '%s s' % seconds, [], ''


def _same(left, right):
    """Compare a rule's result with its expectation: booleans only equal booleans, numbers by value."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(_same(a, b) for a, b in zip(left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_same(left[key], right[key]) for key in left)
    return type(left) is type(right) and left == right


def _rule_verdict(rule, facts, problems, instance_id, subject):
    allowed = rule['allow_inconclusive']
    if problems:
        status = FAILED if any(problem.definitive for problem in problems) else INCONCLUSIVE
        return _verdict(HEALTH_SUITE, 'group', subject, instance_id, rule['name'], status, rule['expect'], None,
                        reason='; '.join(problems), allowed=allowed)
    try:
        observed = _plain(jmespath.search(rule['query'], facts))
    except RecursionError:
        return _verdict(HEALTH_SUITE, 'group', subject, instance_id, rule['name'], INCONCLUSIVE, rule['expect'], None,
                        reason='the query of rule %s nests too deeply to be evaluated' % rule['name'], allowed=allowed)
    except JMESPathError as exc:
        return _verdict(HEALTH_SUITE, 'group', subject, instance_id, rule['name'], INCONCLUSIVE, rule['expect'], None,
                        reason='the query %s cannot be evaluated: %s' % (rule['query'], str(exc)), allowed=allowed)
    if _same(observed, rule['expect']):
        return _verdict(HEALTH_SUITE, 'group', subject, instance_id, rule['name'], PASSED, rule['expect'], observed,
                        reason='query %s' % rule['query'])
    # A query that lists what is wrong, expected to be empty, names the offenders itself.
    offenders = observed if isinstance(observed, list) and rule['expect'] == [] else []
    return _verdict(HEALTH_SUITE, 'group', subject, instance_id, rule['name'], FAILED, rule['expect'], observed,
                    offenders=[_render(item) for item in offenders], reason='query %s' % rule['query'])


def _group_verdicts(instance_id, group_id, entry, status, accumulate, group_type=DEFAULT_GROUP_TYPE):
    """Return the verdicts of one group, every check evaluated."""
    checks = entry['checks']
    allowed = set(entry['allow_inconclusive'])
    http = group_type == 'http'
    verdicts = []

    status_problem = status if isinstance(status, _Problem) else None
    connections = None
    summary = None
    if http and not _needs_status(entry, group_type):
        status = None
    elif status_problem is None and not isinstance(status, Mapping):
        status_problem = _problem('ons_consumer_status_info gave no answer for the group')
    if status_problem is None and isinstance(status, Mapping):
        connections = _connections(status)
        if connections is None:
            status_problem = _problem('ons_consumer_status_info gave connections that cannot be read: %s' % _short(status.get('connections')))
        else:
            try:
                summary = connection_summary(connections)
            except AnsibleFilterError as exc:
                status_problem = _problem('ons_consumer_status_info gave connections that cannot be read: %s' % exc)
    accumulate_problem = None
    if entry['needs_accumulate']:
        if isinstance(accumulate, _Problem):
            accumulate_problem = accumulate
        elif not isinstance(accumulate, Mapping):
            accumulate_problem = _problem('ons_consumer_accumulate_info gave no answer for the group')

    def add(check, outcome, problem):
        if http and check in CONNECTION_CHECKS:
            # Reported, never skipped in silence and never passed: the check cannot apply.
            verdicts.append(_verdict(HEALTH_SUITE, 'group', group_id, instance_id, check, NOT_APPLICABLE,
                                     _expected_text(check, checks[check]), None, reason=HTTP_REASON))
        elif problem is not None:
            verdicts.append(_verdict(HEALTH_SUITE, 'group', group_id, instance_id, check, _outcome_of(problem),
                                     _expected_text(check, checks[check]), None, reason=problem, allowed=check in allowed))
        else:
            status_value, expected, observed, offenders, reason = outcome()
            verdicts.append(_verdict(HEALTH_SUITE, 'group', group_id, instance_id, check, status_value, expected, observed,
                                     offenders, reason, allowed=check in allowed))

    if checks['min_consumers'] is not None:
        add('min_consumers', lambda: _check_count(checks['min_consumers'], len(connections), True), status_problem)
    if checks['max_consumers'] is not None:
        add('max_consumers', lambda: _check_count(checks['max_consumers'], len(connections), False), status_problem)
    if checks['min_version'] is not None:
        add('min_version', lambda: _check_min_version(checks['min_version'], connections, summary), status_problem)
    if checks['uniform_version']:
        add('uniform_version', lambda: _check_uniform(connections, summary), status_problem)
    if checks['allowed_languages'] is not None:
        add('allowed_languages', lambda: _check_languages(checks['allowed_languages'], connections, summary), status_problem)
    if checks['message_model'] is not None:
        add('message_model', lambda: _check_model(checks['message_model'], status), status_problem)
    if checks['unique_client_ids']:
        add('unique_client_ids', lambda: _check_unique_ids(connections), status_problem)
    if checks['subscription_consistent']:
        add('subscription_consistent', lambda: _check_subscriptions(status, connections), status_problem)
    if checks['rebalance_ok']:
        add('rebalance_ok', lambda: _check_rebalance(status), status_problem)
    if checks['max_lag'] is not None:
        add('max_lag', lambda: _check_lag(checks['max_lag'], accumulate), accumulate_problem)
    if checks['max_delay_seconds'] is not None:
        add('max_delay_seconds', lambda: _check_delay(checks['max_delay_seconds'], accumulate), accumulate_problem)

    if entry['rules']:
        facts = {
            'group_id': group_id,
            'group_type': group_type,
            'instance_id': instance_id,
            'status': status if status_problem is None else None,
            'summary': summary,
            'accumulate': accumulate if entry['needs_accumulate'] and accumulate_problem is None else None,
        }
        for rule in entry['rules']:
            problems = [status_problem] if status_problem and set(rule['reads']) & set(STATUS_FACTS) else []
            if not http and status_problem and not problems:
                # A TCP group's rule may read any fact; an unreadable status leaves it unsure.
                problems = [status_problem]
            if 'accumulate' in rule['reads'] and accumulate_problem:
                problems.append(accumulate_problem)
            verdicts.append(_rule_verdict(rule, facts, problems, instance_id, group_id))

    if http and not any(verdict['status'] != NOT_APPLICABLE for verdict in verdicts):
        # An HTTP group whose every check is a client check would pass with nothing checked.
        verdicts.append(_verdict(HEALTH_SUITE, 'group', group_id, instance_id, APPLICABLE_CHECK, INCONCLUSIVE,
                                 'at least one check that applies to an HTTP group', 'none',
                                 reason='%s; set max_lag, max_delay_seconds or a rule for this group' % HTTP_REASON))
    for verdict in verdicts:
        verdict['group_type'] = group_type
    return verdicts


def _outcome_of(problem):
    return FAILED if problem.definitive else INCONCLUSIVE


def _expected_text(check, setting):
    if check == 'min_consumers':
        return '>= %d' % setting
    if check in ('max_consumers', 'max_lag'):
        return '<= %d' % setting
    if check == 'min_version':
        return '>= %s' % setting
    if check == 'max_delay_seconds':
        return '<= %s s' % setting
    if check == 'uniform_version':
        return 'one version'
    if check == 'unique_client_ids':
        return 'no client ID shared'
    if check == 'subscription_consistent':
        return 'the same subscriptions on every client'
    return setting


def gate_health_verdicts(plan, selections=None, status=None, accumulate=None):
    """Return the verdicts of every check of every group of the plan, from the registered module results."""
    targets, verdicts = _resolve(plan, selections)
    statuses = _index_groups(status, 'ons_consumer_status_info')
    lags = _index_groups(accumulate, 'ons_consumer_accumulate_info')
    for instance_id, group_id, entry, group_type in targets:
        verdicts.extend(_group_verdicts(instance_id, group_id, entry, statuses.get((instance_id, group_id)),
                                        lags.get((instance_id, group_id)), group_type))
    return verdicts


def _group_name(name, instance_id):
    """Drop the instance prefix that namespaced instances put on group names (INSTANCE%GID)."""
    if isinstance(name, str) and instance_id and name.startswith(instance_id + '%'):
        return name[len(instance_id) + 1:]
    return name


def _message_verdict(message, answer):
    subject = '%s/%s' % (message['topic'], message['msg_id'])
    instance_id = message['instance_id']
    allowed = message['allow_inconclusive']
    expected = message['expect_consumed_by'] or 'every group that tracks the message'
    if isinstance(answer, _Problem):
        return _verdict(DELIVERY_SUITE, 'message', subject, instance_id, DELIVERY_CHECK, _outcome_of(answer), expected, None,
                        reason=answer, allowed=allowed)
    if not isinstance(answer, Mapping):
        return _verdict(DELIVERY_SUITE, 'message', subject, instance_id, DELIVERY_CHECK, INCONCLUSIVE, expected, None,
                        reason='ons_trace_info gave no answer for the message', allowed=allowed)
    if answer.get('found') is False:
        return _verdict(DELIVERY_SUITE, 'message', subject, instance_id, DELIVERY_CHECK, FAILED, expected, 'not found',
                        reason='the API has no message %s in topic %s' % (message['msg_id'], message['topic']))
    tracks = answer.get('tracks')
    if answer.get('found') is not True or not isinstance(tracks, list) or not all(isinstance(track, Mapping) for track in tracks):
        return _verdict(DELIVERY_SUITE, 'message', subject, instance_id, DELIVERY_CHECK, INCONCLUSIVE, expected, None,
                        reason='ons_trace_info gave an answer that cannot be read: %s' % _short(answer), allowed=allowed)
    observed = {}
    nameless = []
    for position, track in enumerate(tracks):
        group = _group_name(track.get('consumer_group'), instance_id)
        kind = track.get('track_type') if isinstance(track.get('track_type'), str) else 'UNKNOWN'
        if not isinstance(group, str) or not group:
            # A track the gate cannot attribute may be the very group that did not consume: never skip it.
            nameless.append('track %d (%s) names no consumer group' % (position + 1, kind))
            continue
        # With two tracks for one group, the one further from consumed decides.
        if group not in observed or _track_rank(kind, True) < _track_rank(observed[group], True):
            observed[group] = kind
    groups = [_group_name(group, instance_id) for group in message['expect_consumed_by']] if message['expect_consumed_by'] \
        else sorted(observed)
    if not groups and nameless:
        return _verdict(DELIVERY_SUITE, 'message', subject, instance_id, DELIVERY_CHECK, INCONCLUSIVE, expected, observed,
                        nameless, reason='no track of the trace names its consumer group, so it does not tell which groups '
                                         'consumed the message', allowed=allowed)
    if not groups:
        return _verdict(DELIVERY_SUITE, 'message', subject, instance_id, DELIVERY_CHECK, FAILED, expected, observed,
                        reason='no consumer group tracks the message: nothing subscribes to topic %s' % message['topic'])
    missing, unknown = [], []
    for group in groups:
        kind = observed.get(group, NO_TRACK)
        rank = _track_rank(kind, message['allow_filtered'])
        if rank == 0:
            missing.append('%s: %s' % (group, kind))
        elif rank == 1:
            unknown.append('%s: %s' % (group, kind))
    for group in groups:
        observed.setdefault(group, NO_TRACK)
    expected = groups
    reason_filtered = '' if message['allow_filtered'] else '; CONSUMED_BUT_FILTERED does not count as consumed'
    if missing:
        return _verdict(DELIVERY_SUITE, 'message', subject, instance_id, DELIVERY_CHECK, FAILED, expected, observed,
                        missing + unknown + nameless, reason='%d of %d group%s did not consume the message%s' % (
                            len(missing), len(groups), '' if len(groups) == 1 else 's', reason_filtered))
    if unknown or nameless:
        reasons = []
        if unknown:
            reasons.append('the trace does not tell whether %d group%s consumed the message' % (
                len(unknown), '' if len(unknown) == 1 else 's'))
        if nameless:
            reasons.append('%d track%s of the trace name%s no consumer group' % (
                len(nameless), '' if len(nameless) == 1 else 's', 's' if len(nameless) == 1 else ''))
        return _verdict(DELIVERY_SUITE, 'message', subject, instance_id, DELIVERY_CHECK, INCONCLUSIVE, expected, observed,
                        unknown + nameless, reason='; '.join(reasons), allowed=allowed)
    return _verdict(DELIVERY_SUITE, 'message', subject, instance_id, DELIVERY_CHECK, PASSED, expected, observed,
                    reason='consumed by every expected group' + ('' if message['allow_filtered'] else reason_filtered))


def _track_rank(kind, allow_filtered):
    """0: certainly not consumed, 1: unknown, 2: consumed."""
    if kind == TRACK_CONSUMED or (kind == TRACK_FILTERED and allow_filtered):
        return 2
    if kind in TRACKS_NOT_CONSUMED or kind == NO_TRACK or kind == TRACK_FILTERED:
        return 0
    return 1


def gate_delivery_verdicts(plan, traces=None):
    """Return one verdict per message of the plan, from the registered results of ons_trace_info."""
    plan = _mapping(plan, 'plan', 'the plan returned by gate_delivery_plan')
    answers = {}
    for result in _results(traces):
        item = result.get('item')
        if not isinstance(item, Mapping):
            continue
        key = (item.get('instance_id'), item.get('topic'))
        if not all(isinstance(part, str) for part in key):
            continue
        problem = _task_error(result, 'ons_trace_info')
        if problem is not None:
            for msg_id in item.get('msg_ids') or []:
                if isinstance(msg_id, str):
                    answers[key + (msg_id,)] = problem
            continue
        for entry in result['messages']:
            msg_id = entry.get('msg_id') if isinstance(entry, Mapping) else None
            if not isinstance(msg_id, str):
                continue
            problem = _entry_error(entry, 'ons_trace_info')
            answers[key + (msg_id,)] = problem if problem is not None else _plain(entry)
    return [_message_verdict(message, answers.get((message['instance_id'], message['topic'], message['msg_id'])))
            for message in _list(plan.get('messages'), 'plan.messages', 'messages')]


# ---------------------------------------------------------------------------------------------
# Reports


def _render(value):
    """Render a value compactly for one line of text."""
    if value is None:
        return 'nothing'
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, Mapping):
        return ', '.join('%s: %s' % (key, _render(item)) for key, item in value.items()) or 'none'
    if isinstance(value, (list, tuple)):
        return ', '.join(_render(item) for item in value) or 'none'
    return str(value)


def _listing(items):
    items = list(items)
    shown = ', '.join(items[:MAX_LISTED])
    if len(items) > MAX_LISTED:
        shown += ' and %d more' % (len(items) - MAX_LISTED)
    return shown


def _check_verdicts(verdicts):
    checked = []
    for index, verdict in enumerate(_list(verdicts, 'verdicts', 'verdicts')):
        _mapping(verdict, 'verdicts[%d]' % index, 'a verdict')
        missing = [key for key in ('suite', 'subject', 'check', 'status') if key not in verdict]
        if missing or verdict['status'] not in STATUSES:
            _fail('verdicts[%d]' % index, 'not a verdict of the gate filters: %s' % _short(verdict))
        checked.append(_plain(verdict))
    return checked


def _strings(value, where):
    return [_text(item, '%s[%d]' % (where, index), 'a line of text')
            for index, item in enumerate(_list(value or [], where, 'lines of text'))]


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
        'runs': _plain(runs or []),
        'notes': _strings(notes, 'notes'),
        'failures': [],
        'checks': verdicts,
    }
    report['failures'] = _failure_lines(report)
    return report


def _several_instances(verdicts):
    return len({verdict.get('instance_id') for verdict in verdicts}) > 1


def _verdict_line(verdict, with_instance):
    subject = verdict['subject']
    if with_instance and verdict.get('instance_id'):
        subject = '%s (%s)' % (subject, verdict['instance_id'])
    status = verdict['status'].upper()
    if verdict['status'] == INCONCLUSIVE and not verdict.get('blocking'):
        status += ' (allowed)'
    line = '%s %s %s: expected %s, observed %s' % (
        subject, verdict['check'], status, _render(verdict.get('expected')), _render(verdict.get('observed')))
    if verdict.get('reason'):
        line += '; %s' % verdict['reason']
    if verdict.get('offenders'):
        line += '; offenders: %s' % _listing(verdict['offenders'])
    return _clean(line)


def _failure_lines(report):
    verdicts = report['checks']
    lines = [_verdict_line(verdict, _several_instances(verdicts)) for verdict in verdicts if verdict.get('blocking')]
    if not verdicts:
        lines.append('no check was evaluated: the gate lists no group and no message, so it cannot pass')
    elif not lines and report['result'] != PASSED:
        lines.append('no check was evaluated: every check of the gate is not applicable, so it cannot pass')
    return lines


def _report(report):
    report = _mapping(report, 'gate report', 'the report returned by gate_report')
    if 'checks' not in report or 'result' not in report:
        _fail('gate report', 'not a report of gate_report: %s' % _short(report))
    return report


def gate_failures(report):
    """Return one line per blocking verdict (failed, or inconclusive and not allowed) of a report."""
    return [_clean(str(line)) for line in _report(report).get('failures') or []]


def _number(value):
    """Show 12.0 as 12 and 3.25 as 3.25; anything else as it is."""
    if isinstance(value, float) and not isinstance(value, bool) and value == int(value):
        return str(int(value))
    return str(value)


def _run_line(run):
    attempts = run.get('attempts')
    line = '%s: %s attempt%s in %s s' % (run.get('suite'), attempts, '' if attempts == 1 else 's', _number(run.get('elapsed_seconds')))
    if run.get('stopped'):
        line += ', stopped before it could finish'
    elif run.get('timed_out'):
        line += ', still failing when wait_timeout (%s s) ran out' % _number(run.get('wait_timeout'))
    elif run.get('wait_timeout'):
        line += ' (wait_timeout %s s, poll_interval %s s)' % (_number(run.get('wait_timeout')), _number(run.get('poll_interval')))
    return line


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
        return '  ok    %s (%s): %s' % (label, group[0]['expected'], _render(group[0]['observed']))
    return '  ok    %s: %d check%s passed%s' % (label, passed, '' if passed == 1 else 's', extra)


def gate_summary(report, paths=None):
    """Return the short human summary of a report: the outcome, each subject's checks, each problem."""
    report = _report(report)
    counts = report['counts']
    header = '%s %s: %d checks, %d passed, %d failed, %d inconclusive' % (
        report['gate'], report['result'].upper(), counts['checks'], counts[PASSED], counts[FAILED], counts[INCONCLUSIVE])
    if counts.get(NOT_APPLICABLE):
        header += ', %d not applicable' % counts[NOT_APPLICABLE]
    lines = [header]
    lines.extend('  ' + _run_line(run) for run in report.get('runs') or [] if isinstance(run, Mapping))
    lines.extend('  note: %s' % note for note in report.get('notes') or [])
    subjects = []
    by_subject = {}
    for verdict in report['checks']:
        key = (verdict['suite'], verdict.get('instance_id'), verdict['subject'])
        if key not in by_subject:
            subjects.append(key)
            by_subject[key] = []
        by_subject[key].append(verdict)
    with_instance = _several_instances(report['checks'])
    for key in subjects:
        label = key[2] if not with_instance or not key[1] else '%s (%s)' % (key[2], key[1])
        lines.append(_subject_line(label, by_subject[key]))
    for line in report.get('failures') or []:
        lines.append('  - ' + str(line))
    for label, path in (paths or {}).items():
        lines.append('  %s report: %s' % (label, path))
    return [_clean(line) for line in lines]


def _xml_text(value):
    """Return text XML 1.0 can carry: control characters escaped, others it forbids even escaped dropped."""
    return _XML_INVALID.sub('', _clean(value if isinstance(value, str) else _render(value)))


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
        'expected: %s' % _render(verdict.get('expected')),
        'observed: %s' % _render(verdict.get('observed')),
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
        for verdict, millis in zip(verdicts, _junit_shares(_junit_seconds(run.get('elapsed_seconds')), len(verdicts))):
            case = ET.SubElement(element, 'testcase', {'classname': _xml_text(_classname(verdict)),
                                                       'name': _xml_text(verdict['check']), 'time': _junit_time(millis)})
            text = _case_text(verdict)
            message = _xml_text(_verdict_line(verdict, False))
            if verdict['status'] == FAILED:
                counts['failures'] += 1
                ET.SubElement(case, 'failure', {'message': message, 'type': FAILED}).text = text
            elif verdict['status'] == INCONCLUSIVE and verdict.get('blocking'):
                counts['errors'] += 1
                ET.SubElement(case, 'error', {'message': message, 'type': INCONCLUSIVE}).text = text
            elif verdict['status'] in (INCONCLUSIVE, NOT_APPLICABLE):
                counts['skipped'] += 1
                ET.SubElement(case, 'skipped', {'message': message}).text = text
            else:
                # The Ant schema allows no output inside a test case: a passed check's line goes to
                # the suite's system-out.
                passed.append(message)
        ET.SubElement(element, 'system-out').text = '\n'.join(passed)
        ET.SubElement(element, 'system-err')
        _junit_counts(element, counts)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding='unicode') + '\n'


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
    except ValueError:
        return 0
    return int(round(seconds * 1000)) if math.isfinite(seconds) and seconds > 0 else 0


def _junit_time(millis):
    return '%d.%03d' % divmod(millis, 1000)


def _junit_shares(millis, count):
    """Split a suite's time over its test cases, in whole milliseconds that add up to it exactly.

    Every attempt evaluates every check of the suite from the same facts, so each check is given an
    equal share of the time the suite ran; the first ones take the milliseconds left over.
    """
    share, rest = divmod(millis, count) if count else (0, 0)
    return [share + (1 if index < rest else 0) for index in range(count)]


def _junit_suite_starts(report, suites, runs):
    """When each suite started (UTC, no zone, as the Ant schema takes it).

    The suites run one after the other from the report's ``started``, each for its run's
    ``elapsed_seconds``; without ``started``, they are counted back from ``finished``.
    """
    elapsed = [_junit_seconds((runs.get(suite) or {}).get('elapsed_seconds')) for suite in suites]
    for key, sign in (('started', 1), ('finished', -1)):
        match = _TIMESTAMP.match(str(report.get(key) or ''))
        if not match:
            continue
        try:
            origin = datetime.datetime.strptime('T'.join(match.groups()), _JUNIT_TIME_FORMAT)
        except ValueError:
            continue
        if sign < 0:
            origin -= datetime.timedelta(milliseconds=sum(elapsed))
        starts = []
        for millis in elapsed:
            starts.append(origin.strftime(_JUNIT_TIME_FORMAT))
            origin += datetime.timedelta(milliseconds=millis)
        return starts
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


# ---------------------------------------------------------------------------------------------
# The variables of the gate


# Every variable a user may set (or read, for the outputs) in each namespace of the gate. The
# roles' meta/argument_specs.yml document the same names; a unit test keeps the two in step.
GATE_VARIABLES = {
    'consumer_health': (
        'consumer_health_groups', 'consumer_health_instance_id', 'consumer_health_min_consumers',
        'consumer_health_max_consumers', 'consumer_health_min_version', 'consumer_health_uniform_version',
        'consumer_health_allowed_languages', 'consumer_health_message_model', 'consumer_health_unique_client_ids',
        'consumer_health_subscription_consistent', 'consumer_health_rebalance_ok', 'consumer_health_max_lag',
        'consumer_health_max_delay_seconds', 'consumer_health_rules', 'consumer_health_allow_inconclusive',
        'consumer_health_wait_timeout', 'consumer_health_poll_interval', 'consumer_health_report',
        'consumer_health_report_name',
        # Outputs.
        'consumer_health_verdicts', 'consumer_health_run',
    ),
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
    ),
}
# How close a name must be to a namespace, or to a name of the gate, to be taken for a misspelling of it.
_CLOSE = 0.85
_VERY_CLOSE = 0.9
SECRET_VARIABLES = ('ons_access_key_secret', 'ons_security_token')


def _namespaces(value):
    if value is None:
        return tuple(GATE_VARIABLES)
    chosen = _list(value, 'gate_variables: namespaces', 'namespaces')
    for index, item in enumerate(chosen):
        if item not in GATE_VARIABLES:
            _fail('gate_variables: namespaces[%d]' % index, '%s is not a namespace of the gate (accepted: %s)'
                  % (_short(item), ', '.join(GATE_VARIABLES)))
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
    """Return the variables of the gate's namespaces among ``names``; fail naming each unknown one.

    A name that starts with a namespace (``consumer_health_`` ...), or nearly does, or nearly is a
    name of the gate, must be a name of the gate: otherwise it is a misspelling that would leave a
    setting silently unused. Names that start with ``_`` are private and not looked at.
    """
    chosen = _namespaces(namespaces)
    every = set(name for names_of in GATE_VARIABLES.values() for name in names_of)
    found, unknown = [], []
    for index, name in enumerate(_list(names, 'gate_variables', 'variable names')):
        if not isinstance(name, str):
            _fail('gate_variables[%d]' % index, 'expected a variable name, got %s' % _short(name))
        if name.startswith('_'):
            continue
        if name in every:
            if any(name in GATE_VARIABLES[namespace] for namespace in chosen):
                found.append(name)
            continue
        for namespace in chosen:
            if _looks_like(name, namespace, GATE_VARIABLES[namespace]):
                closest = difflib.get_close_matches(name, list(GATE_VARIABLES[namespace]), n=1, cutoff=0)
                unknown.append('%s (did you mean %s?)' % (_clean(name), closest[0]) if closest else _clean(name))
                break
    if unknown:
        raise AnsibleFilterError(
            'unknown variable%s %s: the gate has no such setting, so it would not check what you meant; '
            'rename %s (the README of each role lists its variables)'
            % ('s' if len(unknown) > 1 else '', '; '.join(unknown), 'them' if len(unknown) > 1 else 'it'))
    return sorted(found)


def _connection_setting(name, check, value):
    """Check a connection variable with the check the modules apply to its option, naming the variable."""
    try:
        check(value)
    except ValueError as exc:
        _fail(name, str(exc))


def _whole_number(value):
    if isinstance(value, bool):
        raise ValueError('%s is not a whole number' % _short(value))
    try:
        return check_type_int(value)
    except TypeError:
        raise ValueError('%s is not a whole number' % _short(value))


def gate_connection(settings):
    """Validate the connection variables (``ons_*``) the playbooks pass to every module; return their names.

    A value is never shown for the secret variables. ``null`` leaves a setting to the module's default.
    """
    settings = _mapping(settings, 'gate_connection', 'a dict of ons_* variables and their values')
    for name, value in settings.items():
        if name not in GATE_VARIABLES['ons']:
            gate_variables([name], ['ons'])
            _fail(name, 'not a connection variable (accepted: %s)' % ', '.join(GATE_VARIABLES['ons']))
        if value is None:
            continue
        if name in SECRET_VARIABLES:
            if not isinstance(value, str) or not value or _CONTROL.search(value) or value != value.strip():
                # Never echo a secret, not even a wrong one.
                _fail(name, 'is not a usable secret: use a non-empty string without spaces or control characters '
                            '(the value is not shown)')
        elif name == 'ons_region':
            _connection_setting(name, check_region, value)
        elif name == 'ons_network':
            if value not in ('public', 'vpc'):
                _fail(name, '%s is not a network (accepted: public, vpc)' % _short(value))
        elif name == 'ons_signature_version':
            if value not in ('v3', 'v1'):
                _fail(name, '%s is not a signature version (accepted: v3, v1)' % _short(value))
        elif name == 'ons_validate_certs':
            _flag(value, name)
        # The same bounds as the modules' options, from the same checks.
        elif name == 'ons_rate_limit':
            _connection_setting(name, check_rate_limit, value)
        elif name == 'ons_timeout':
            _connection_setting(name, check_timeout, value)
        elif name == 'ons_retries':
            _connection_setting(name, lambda number: check_retries(_whole_number(number)), value)
        elif name == 'ons_endpoint' and value:
            _connection_setting(name, parse_endpoint, value)
        elif name == 'ons_endpoint' and value == '':
            continue  # the playbooks treat an empty endpoint as unset
        elif not isinstance(value, str) or not value or _CONTROL.search(value) or value != value.strip() or ' ' in value:
            _fail(name, '%s is not valid: use a non-empty string without spaces or control characters' % _short(value))
    return sorted(settings)


SUITE_VARIABLES = (('consumer_health', 'consumer_health_groups', 'groups'),
                   ('message_delivery', 'message_delivery_messages', 'messages'))


def gate_suites(lists):
    """Decide which suites of deployment_gate run, from the lists that are set (a dict by variable name).

    A suite runs when its list is set; a list that is set but empty or null is an error naming it,
    and a gate with neither list checks nothing, so it fails.
    """
    lists = _mapping(lists, 'gate_suites', 'a dict of consumer_health_groups and message_delivery_messages')
    chosen = {'notes': []}
    for suite, variable, what in SUITE_VARIABLES:
        chosen[suite] = variable in lists
        if not chosen[suite]:
            chosen['notes'].append('%s did not run: %s is not set' % (suite, variable))
            continue
        value = lists[variable]
        if value is None or (isinstance(value, (list, tuple)) and not value):
            _fail(variable, 'is %s: list the %s to check, or leave the variable out to run the %s checks only'
                  % ('null' if value is None else 'empty', what,
                     'message' if suite == 'consumer_health' else 'consumer group'))
        _list(value, variable, what)
    if not chosen['consumer_health'] and not chosen['message_delivery']:
        _fail('deployment_gate', 'neither consumer_health_groups nor message_delivery_messages is set: a gate that '
                                 'checks nothing cannot pass; set one of them or both')
    return chosen


def gate_file_name(name, variable='gate_report_name', directory=None, directory_variable='gate_report_dir'):
    """Return ``name`` when it is a plain file name, which keeps the reports inside their directory."""
    name = _name(name, variable, 'report')
    if directory is not None:
        if not isinstance(directory, str) or not directory.strip() or _CONTROL.search(directory):
            _fail(directory_variable, 'expected a directory, got %s' % _short(directory))
    return name


def _failed_message(result):
    """The message of a failed task result; for a loop, that of its first failed item."""
    if not isinstance(result, Mapping):
        return 'the task gave no result that can be read'
    for item in result.get('results') or []:
        if isinstance(item, Mapping) and item.get('failed') and item.get('msg'):
            return str(item['msg'])
    for key in ('msg', 'message', 'reason'):
        if result.get(key):
            return str(result[key])
    return 'the task failed without a message: %s' % _short(dict(result))


def gate_stopped(result, task=None, suite=GATE_SUITE, subject=None):
    """Return the verdict that says a suite stopped before it could finish, with the real cause.

    ``result`` is the failed task's result (``ansible_failed_result``), ``task`` its name. The
    verdict is inconclusive and always blocking: a gate that did not finish never passes.
    """
    suite = _text(suite, 'gate_stopped: suite', 'a suite name')
    where = 'the task "%s"' % task if isinstance(task, str) and task else 'a task'
    reason = '%s failed: %s' % (where, _failed_message(result))
    return [_verdict(suite, RUN_CHECK, subject if isinstance(subject, str) and subject else suite, None, RUN_CHECK,
                     INCONCLUSIVE, 'every check evaluated', 'stopped', reason=reason)]


class FilterModule:
    """Deployment gate filters: plans, verdicts and reports."""

    def filters(self):
        """Return the filters this file provides, by name."""
        return {
            'gate_health_plan': gate_health_plan,
            'gate_health_targets': gate_health_targets,
            'gate_health_verdicts': gate_health_verdicts,
            'gate_delivery_plan': gate_delivery_plan,
            'gate_delivery_verdicts': gate_delivery_verdicts,
            'gate_report': gate_report,
            'gate_failures': gate_failures,
            'gate_summary': gate_summary,
            'gate_junit': gate_junit,
            'gate_variables': gate_variables,
            'gate_connection': gate_connection,
            'gate_suites': gate_suites,
            'gate_file_name': gate_file_name,
            'gate_stopped': gate_stopped,
        }
