# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scenario files: loading, validation (with paths in every message) and timelines.

A scenario is plain data. :func:`load` validates it against :data:`SCHEMA`, fills the
simple defaults, and returns a :class:`Scenario` holding the base state plus one state per
timeline entry (each entry patches the previous state). Derived values (lag, delays,
tracks, default client ids) are computed later from a state by :mod:`emulator.world`.
"""

import copy
import datetime
import os
import re

import yaml

TRACK_TYPES = ('CONSUMED', 'CONSUMED_BUT_FILTERED', 'NOT_CONSUME_YET', 'NOT_ONLINE', 'UNKNOWN', 'PULL', 'CONSUME_BROADCASTING')
FAULT_KINDS = ('latency', 'internal_error', 'service_unavailable', 'throttle', 'flow_control', 'drop', 'truncate', 'non_json', 'html_502', 'slow_body')
OFFLINE_CONNECTIONS = ('error', 'empty_list', 'missing_list')
# Apache RocketMQ's names and the API documentation's (PUSH/PULL); a client answers with its own.
CONSUME_TYPES = ('CONSUME_PASSIVELY', 'CONSUME_ACTIVELY', 'PUSH', 'PULL')
PULL_TYPES = ('CONSUME_ACTIVELY', 'PULL')
# The account of keys that name none: all of a scenario's keys share one account by default.
DEFAULT_ACCOUNT = '1234567890123456'
# What only 5.x instances (ids starting with rmq-) use: the values the 2022-08-01 SDK and reference name.
SERIES_CODES = ('standard', 'professional', 'ultimate')
SUB_SERIES_CODES = ('cluster_ha', 'single_node', 'serverless')
INSTANCE_STATUSES = ('RUNNING', 'STOPPED', 'CHANGING', 'CREATING', 'RELEASED')
# A group's message model: BROADCASTING is a model of 4.x groups and of 5.x clients (connections,
# subscriptions); a 5.x group itself is CLUSTERING or LITE_SELECTIVE (the SDK's GetConsumerGroup).
MESSAGE_MODELS = ('CLUSTERING', 'BROADCASTING', 'LITE_SELECTIVE')
# The words of 5.x traces: the published ones (the SDK's examples: SUCCESS, FAILED, ADD, CONSOLE) or
# the emulator's earlier ones (CONSUME_SUCCESS, CONSUME_FAILED, SEND_SUCCESS, NORMAL).
TRACE_VOCABULARIES = ('published', 'legacy')
MESSAGE_TYPES = ('NORMAL', 'FIFO', 'DELAY', 'TRANSACTION', 'LITE')
DELIVERY_ORDER_TYPES = ('Concurrently', 'Orderly')
# 5.x instances (served by the RocketMQ 2022-08-01 API only) are told apart by their id.
V5_PREFIX = 'rmq-'
# How long before the emulator started a dead letter was stored when the scenario does not say (s).
DEFAULT_STORED_AGO = 60


class ScenarioError(ValueError):
    """A scenario is invalid; the message names the path of the offending key."""


class F(object):
    """One field of the schema: its kind, whether it is required, its default, and constraints."""

    def __init__(self, kind, required=False, default=None, item=None, choices=None, minimum=None, maximum=None, doc=''):
        self.kind = kind
        self.required = required
        self.default = default
        self.item = item
        self.choices = choices
        self.minimum = minimum
        self.maximum = maximum
        self.doc = doc


SUBSCRIPTION = {
    'topic': F('str', required=True),
    'expression': F('str', default='*'),
}

CLIENT = {
    'client_id': F('str'),
    'client_addr': F('str'),
    # Defaults depend on the instance: JAVA / V4_9_4 on 4.x, java / 5.0.7 on 5.x (see world.Client).
    'language': F('str'),
    'version': F('str'),
    'hostname': F('str'),
    'egress_ip': F('str'),
    'subscriptions': F('list', item=SUBSCRIPTION),
    'thread_count': F('int', default=20, minimum=0),
    'consume_type': F('str', default='CONSUME_PASSIVELY', choices=CONSUME_TYPES),
    'start_time': F('time'),
    'diff': F('int', minimum=0),
    'ok_tps': F('num', minimum=0),
    'failed_tps': F('num', default=0.0, minimum=0),
    'failed_count_per_hour': F('int', default=0, minimum=0),
    'rt': F('num', default=12.5, minimum=0),
    'jstack': F('list', item={'thread': F('str', required=True), 'track': F('strlist', default=[])}),
}

# A message that reached the group's dead-letter queue. Times: store_timestamp (absolute) or
# stored_ago (seconds before the emulator started), not both; neither is DEFAULT_STORED_AGO.
DEAD_LETTER = {
    'msg_id': F('str', required=True),
    'topic': F('str'),
    'tag': F('str', default=''),
    'keys': F('str', default=''),
    'born_host': F('str', default='10.0.1.5:53012'),
    'store_host': F('str', default='11.193.10.12:10911'),
    'store_timestamp': F('time'),
    'stored_ago': F('num', minimum=0),
    'reconsume_times': F('int', default=16, minimum=0),
    'store_size': F('int', default=406, minimum=0),
    'body_crc': F('int'),
    'properties': F('strmap', default={}),
}

GROUP = {
    'group_id': F('str', required=True),
    'group_type': F('str', default='tcp', choices=('tcp', 'http')),
    'message_model': F('str', default='CLUSTERING', choices=MESSAGE_MODELS),
    'tags': F('strmap', default={}),
    'remark': F('str', default=''),
    'owner': F('str', default='1234567890123456'),
    'create_time': F('time'),
    'update_time': F('time'),
    'offsets': F('intmap', default={}),
    'subscriptions': F('list', item=SUBSCRIPTION),
    'consume_tps': F('num', minimum=0),
    'stalled_for': F('num', default=0.0, minimum=0),
    'rebalance_ok': F('bool'),
    'offline_connections': F('str', default='error', choices=OFFLINE_CONNECTIONS),
    'single_connection_as_object': F('bool', default=False),
    'clients': F('list', item=CLIENT, default=[]),
    'dead_letters': F('list', item=DEAD_LETTER, default=[]),
    # 5.x only
    'inflight': F('intmap', default={}),
    'delivery_order_type': F('str', default='Concurrently', choices=DELIVERY_ORDER_TYPES),
    'max_retry_times': F('int', default=16, minimum=0),
    'dead_letter_topic': F('str'),
    # the lite topic of a LITE_SELECTIVE group, whether it consumes exclusively, and its receive
    # limit (-1: what the API may send for none; the SDK types it as a plain integer)
    'topic_name': F('str'),
    'exclusive': F('bool', default=False),
    'max_receive_tps': F('int', minimum=-1),
    # forces lastConsumeTimestamp (ms) of every topic and of the total; -1 as the API may send it
    'last_consume_timestamp': F('int', minimum=-1),
}

TOPIC = {
    'topic': F('str', required=True),
    'max_offset': F('int', default=0, minimum=0),
    'produce_tps': F('num', default=10.0, minimum=0.001),
    'remark': F('str', default=''),
    'message_type': F('str', default='NORMAL', choices=MESSAGE_TYPES),
}

MESSAGE = {
    'msg_id': F('str', required=True),
    'topic': F('str', required=True),
    'offset': F('int', required=True, minimum=0),
    'tag': F('str', default=''),
    'keys': F('str', default=''),
    'born_host': F('str', default='10.0.1.5:53012'),
    'store_host': F('str', default='11.193.10.12:10911'),
    'born_timestamp': F('time'),
    'store_timestamp': F('time'),
    'store_size': F('int', default=406, minimum=0),
    'reconsume_times': F('int', default=0, minimum=0),
    'body_crc': F('int'),
    'properties': F('strmap', default={}),
    'tracks': F('strmap', default={}),
    # 5.x only: forced consumeStatus per group ('*': every group), and the groups that sent it
    # to their dead-letter topic
    'consume_status': F('strmap', default={}),
    'dead_letters': F('strlist', default=[]),
    # 5.x only: a scheduled (delay) message, delivered at deliver_at (absolute) or deliver_in seconds
    # after the emulator started (negative: before), not both; delay_status forces brokerInfo.delayStatus
    'deliver_at': F('time'),
    'deliver_in': F('num'),
    'delay_status': F('str'),
}

ENDPOINTS = {
    'tcp_endpoint': F('str'),
    'tcp_internet_endpoint': F('str'),
    'http_internal_endpoint': F('str'),
    'http_internet_endpoint': F('str'),
    'http_internet_secure_endpoint': F('str'),
}

INSTANCE = {
    'instance_id': F('str', required=True),
    'instance_name': F('str'),
    'instance_type': F('int', default=2, choices=(1, 2)),
    'instance_status': F('int', default=5),
    'independent_naming': F('bool', default=True),
    'max_tps': F('int', default=5000, minimum=0),
    'topic_capacity': F('int', default=50, minimum=0),
    'remark': F('str', default=''),
    'create_time': F('time'),
    'release_time': F('time'),
    # 5.x only: when the instance's version was last updated (ListInstances' createTime)
    'version_time': F('time'),
    'tags': F('strmap', default={}),
    'endpoints': F('obj', item=ENDPOINTS, default={}),
    'topics': F('list', item=TOPIC, default=[]),
    'groups': F('list', item=GROUP, default=[]),
    'messages': F('list', item=MESSAGE, default=[]),
    # 5.x only
    'series_code': F('str', default='professional', choices=SERIES_CODES),
    'sub_series_code': F('str', default='cluster_ha', choices=SUB_SERIES_CODES),
    'status': F('str', default='RUNNING', choices=INSTANCE_STATUSES),
}

# One statement of a RAM policy: the actions it allows on the resources it names.
STATEMENT = {
    'actions': F('strlist', required=True),
    'resources': F('strlist', default=['*']),
}

KEY = {
    'access_key_id': F('str', required=True),
    'access_key_secret': F('str', required=True),
    'security_token': F('str'),
    'expires': F('time'),
    'enabled': F('bool', default=True),
    'account': F('str', default=DEFAULT_ACCOUNT),
    'display_name': F('str'),
    'actions': F('strlist', default=['*']),
    'resources': F('strlist', default=['*']),
    # A policy of several statements, each allowing its actions on its resources only (instead of
    # actions and resources, which allow every action on every resource).
    'statements': F('list', item=STATEMENT),
}

# STS (emulator/sts.py): the RAM roles that AssumeRole, AssumeRoleWithOIDC and the ECS metadata
# service hand out credentials of, and the OIDC providers whose tokens are exchanged for them.
ROLE = {
    'arn': F('str', required=True),
    'max_session_duration': F('int', default=3600, minimum=3600, maximum=43200),
    # Who may assume the role: access key IDs, acs:ram::<account>:root, acs:ram::<account>:user/<name>,
    # role ARNs (an assumed role), OIDC provider ARNs, and ecs.aliyuncs.com (an ECS instance role).
    'trust': F('strlist', default=[]),
    'external_id': F('str'),
    'oidc_subjects': F('strlist'),
    'actions': F('strlist', default=['*']),
    'resources': F('strlist', default=['*']),
}

OIDC_PROVIDER = {
    'arn': F('str', required=True),
    'issuer': F('str', required=True),
    'client_ids': F('strlist', default=['sts.aliyuncs.com']),
    'signing_key': F('str', required=True),
}

STS = {
    'roles': F('list', item=ROLE, default=[]),
    'oidc_providers': F('list', item=OIDC_PROVIDER, default=[]),
    # Seconds every credential the emulator issues lives, whatever DurationSeconds asks: short lives
    # let a test see a client renew them.
    'credential_lifetime': F('int', minimum=1),
    'ecs_credential_lifetime': F('int', default=21600, minimum=1),
}

FAULT = {
    'kind': F('str', required=True, choices=FAULT_KINDS),
    'rate': F('num', default=1.0, minimum=0, maximum=1),
    'times': F('int', minimum=0),
    'action': F('strlist'),
    'params': F('strmap', default={}),
    'access_key_id': F('str'),
    'latency': F('range'),
    'status': F('int', minimum=100, maximum=599),
    'code': F('str'),
    'message': F('str'),
    'chunk_size': F('int', default=16, minimum=1),
    'chunk_delay': F('num', default=0.2, minimum=0),
    'retry_after': F('int', minimum=1),
}

LIMITS = {
    'rate': F('num', default=10, minimum=0),
    'actions': F('nummap', default={}),
}

SIGNATURE = {
    'max_skew_seconds': F('int', default=900, minimum=1),
    'nonce_window_seconds': F('int', default=900, minimum=1),
    'max_nonces': F('int', default=100000, minimum=1),
}

GROUP_PATCH = dict((k, v) for k, v in GROUP.items() if k != 'group_id')
TOPIC_PATCH = dict((k, v) for k, v in TOPIC.items() if k != 'topic')

TIMELINE_ENTRY = {
    'at': F('num', required=True, minimum=0),
    'description': F('str', default=''),
    'instance_id': F('str'),
    'groups': F('patchmap', item=GROUP_PATCH, default={}),
    'topics': F('patchmap', item=TOPIC_PATCH, default={}),
    'messages': F('list', item=MESSAGE),
    'faults': F('list', item=FAULT),
}

SCHEMA = {
    'description': F('str', required=True),
    'region': F('str', default='cn-hangzhou'),
    'seed': F('int', default=0),
    'trace_vocabulary': F('str', default='published', choices=TRACE_VOCABULARIES),
    'keys': F('list', item=KEY, required=True),
    'limits': F('obj', item=LIMITS, default={}),
    'signature': F('obj', item=SIGNATURE, default={}),
    'instances': F('list', item=INSTANCE, default=[]),
    'faults': F('list', item=FAULT, default=[]),
    'timeline': F('list', item=TIMELINE_ENTRY, default=[]),
    'sts': F('obj', item=STS, default={}),
}


def _type_name(value):
    return type(value).__name__ if value is not None else 'null'


def _parse_time(value, path):
    """Epoch milliseconds from an int (ms) or an ISO 8601 string / YAML timestamp."""
    if isinstance(value, bool):
        raise ScenarioError('%s: expected an ISO 8601 time or epoch milliseconds, got %s' % (path, _type_name(value)))
    if isinstance(value, int):
        return value
    if isinstance(value, datetime.datetime):
        when = value
    elif isinstance(value, datetime.date):
        when = datetime.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip().replace('Z', '+00:00')
        try:
            when = datetime.datetime.fromisoformat(text)
        except ValueError:
            raise ScenarioError('%s: %r is not an ISO 8601 time (e.g. 2030-01-01T00:00:00Z)' % (path, value))
    else:
        raise ScenarioError('%s: expected an ISO 8601 time or epoch milliseconds, got %s' % (path, _type_name(value)))
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return int(when.timestamp() * 1000)


def _check_bounds(value, field, path):
    if field.choices is not None and value not in field.choices:
        raise ScenarioError('%s: %r is not one of %s' % (path, value, ', '.join(str(c) for c in field.choices)))
    if field.minimum is not None and value < field.minimum:
        raise ScenarioError('%s: %r is below the minimum %s' % (path, value, field.minimum))
    if field.maximum is not None and value > field.maximum:
        raise ScenarioError('%s: %r is above the maximum %s' % (path, value, field.maximum))
    return value


def _scalar_str(value, path):
    # YAML turns bare 1, true or 2030-01-01 into other types; tag values and ids are strings.
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (int, float, str)):
        return str(value)
    raise ScenarioError('%s: expected a string, got %s' % (path, _type_name(value)))


def _validate_value(value, field, path):
    kind = field.kind
    if kind == 'str':
        if not isinstance(value, str):
            raise ScenarioError('%s: expected a string, got %s' % (path, _type_name(value)))
        return _check_bounds(value, field, path)
    if kind == 'int':
        if isinstance(value, bool) or not isinstance(value, int):
            raise ScenarioError('%s: expected an integer, got %s' % (path, _type_name(value)))
        return _check_bounds(value, field, path)
    if kind == 'num':
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ScenarioError('%s: expected a number, got %s' % (path, _type_name(value)))
        return _check_bounds(value, field, path)
    if kind == 'bool':
        if not isinstance(value, bool):
            raise ScenarioError('%s: expected true or false, got %s' % (path, _type_name(value)))
        return value
    if kind == 'time':
        return _parse_time(value, path)
    if kind == 'range':
        return _validate_range(value, path)
    if kind == 'strlist':
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise ScenarioError('%s: expected a list of strings, got %s' % (path, _type_name(value)))
        return [_scalar_str(v, '%s[%d]' % (path, i)) for i, v in enumerate(value)]
    if kind in ('strmap', 'intmap', 'nummap'):
        return _validate_map(value, kind, path)
    if kind == 'obj':
        return validate_object(value, field.item, path)
    if kind == 'list':
        if not isinstance(value, list):
            raise ScenarioError('%s: expected a list, got %s' % (path, _type_name(value)))
        return [validate_object(v, field.item, '%s[%d]' % (path, i)) for i, v in enumerate(value)]
    if kind == 'patchmap':
        if not isinstance(value, dict):
            raise ScenarioError('%s: expected a mapping of names to changes, got %s' % (path, _type_name(value)))
        return dict((str(k), validate_object(v, field.item, '%s.%s' % (path, k), fill_defaults=False)) for k, v in value.items())
    raise AssertionError('unknown field kind %s' % kind)


def _validate_range(value, path):
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return [float(value), float(value)]
    if isinstance(value, str) and '-' in value:
        value = value.split('-', 1)
    if isinstance(value, list) and len(value) == 2:
        try:
            low, high = float(value[0]), float(value[1])
        except (TypeError, ValueError):
            low = high = -1.0
        if 0 <= low <= high:
            return [low, high]
    raise ScenarioError('%s: expected seconds (0.5) or a range [min, max] with 0 <= min <= max, got %r' % (path, value))


def _validate_map(value, kind, path):
    if not isinstance(value, dict):
        raise ScenarioError('%s: expected a mapping, got %s' % (path, _type_name(value)))
    out = {}
    for key, val in value.items():
        sub = '%s.%s' % (path, key)
        if kind == 'strmap':
            out[str(key)] = _scalar_str(val, sub)
        elif kind == 'intmap':
            if isinstance(val, bool) or not isinstance(val, int) or val < 0:
                raise ScenarioError('%s: expected a non-negative integer, got %r' % (sub, val))
            out[str(key)] = val
        else:
            if isinstance(val, bool) or not isinstance(val, (int, float)) or val < 0:
                raise ScenarioError('%s: expected a non-negative number, got %r' % (sub, val))
            out[str(key)] = val
    return out


def validate_object(value, schema, path, fill_defaults=True):
    """Validate a mapping against ``schema``; return a copy with defaults filled in."""
    if value is None and not any(f.required for f in schema.values()):
        value = {}
    if not isinstance(value, dict):
        raise ScenarioError('%s: expected a mapping, got %s' % (path or 'scenario', _type_name(value)))
    prefix = path + '.' if path else ''
    unknown = [str(k) for k in value if k not in schema]
    if unknown:
        raise ScenarioError('%s%s: unknown key (allowed here: %s)' % (prefix, unknown[0], ', '.join(sorted(schema))))
    out = {}
    for name, field in schema.items():
        if name in value and value[name] is not None:
            out[name] = _validate_value(value[name], field, prefix + name)
        elif field.required and fill_defaults:
            raise ScenarioError('%s%s: required key is missing' % (prefix, name))
        elif fill_defaults and field.kind == 'obj':
            out[name] = validate_object({}, field.item, prefix + name)
        elif fill_defaults:
            out[name] = copy.deepcopy(field.default)
    return out


def _check_unique(items, key, path, what):
    seen = set()
    for i, item in enumerate(items):
        if item[key] in seen:
            raise ScenarioError('%s[%d].%s: duplicate %s %r' % (path, i, key, what, item[key]))
        seen.add(item[key])


def is_v5(instance_id):
    """True for a 5.x instance id (``rmq-...``), which only the 2022-08-01 API serves."""
    return instance_id.startswith(V5_PREFIX)


def group_topics(group):
    """The topics a group reads, first seen first: its subscriptions (or, without them, the topics
    of its offsets), its clients' subscriptions, then its offsets."""
    if group['subscriptions'] is not None:
        names = [s['topic'] for s in group['subscriptions']]
    else:
        names = list(group['offsets'])
    for client in group['clients']:
        names.extend(s['topic'] for s in client['subscriptions'] or [])
    names.extend(group['offsets'])
    return list(dict.fromkeys(names))


def _check_dead_letters(group, gpath, inst, topics):
    """A group's dead letters: unique ids, one way of dating each, an original topic that exists,
    and on 5.x a dead-letter topic to read them from."""
    letters = group['dead_letters']
    _check_unique(letters, 'msg_id', gpath + '.dead_letters', 'dead letter id')
    if letters and is_v5(inst['instance_id']) and not group['dead_letter_topic']:
        raise ScenarioError('%s.dead_letters: group %s has no dead_letter_topic, so its dead letters could never be read; '
                            'set dead_letter_topic' % (gpath, group['group_id']))
    for k, letter in enumerate(letters):
        lpath = '%s.dead_letters[%d]' % (gpath, k)
        if letter['store_timestamp'] is not None and letter['stored_ago'] is not None:
            raise ScenarioError('%s: give store_timestamp or stored_ago, not both' % lpath)
        if letter['topic'] is None and not group_topics(group):
            raise ScenarioError('%s.topic: required, since group %s reads no topic to default to' % (lpath, group['group_id']))
        if letter['topic'] is not None and letter['topic'] not in topics:
            raise ScenarioError('%s.topic: %r is not a topic of instance %s' % (lpath, letter['topic'], inst['instance_id']))


def _check_state(state):
    """Cross-field checks: unique ids, references to topics that exist."""
    _check_unique(state['keys'], 'access_key_id', 'keys', 'access key id')
    _check_unique(state['instances'], 'instance_id', 'instances', 'instance id')
    for i, inst in enumerate(state['instances']):
        ipath = 'instances[%d]' % i
        _check_unique(inst['topics'], 'topic', ipath + '.topics', 'topic')
        _check_unique(inst['groups'], 'group_id', ipath + '.groups', 'group id')
        _check_unique(inst['messages'], 'msg_id', ipath + '.messages', 'message id')
        topics = set(t['topic'] for t in inst['topics'])
        for j, msg in enumerate(inst['messages']):
            if msg['deliver_at'] is not None and msg['deliver_in'] is not None:
                raise ScenarioError('%s.messages[%d]: give deliver_at or deliver_in, not both' % (ipath, j))
            if msg['topic'] not in topics:
                raise ScenarioError('%s.messages[%d].topic: %r is not a topic of instance %s' % (ipath, j, msg['topic'], inst['instance_id']))
            for track in msg['tracks'].values():
                if track not in TRACK_TYPES:
                    raise ScenarioError('%s.messages[%d].tracks: %r is not one of %s' % (ipath, j, track, ', '.join(TRACK_TYPES)))
        group_ids = set(g['group_id'] for g in inst['groups'])
        for j, msg in enumerate(inst['messages']):
            for gid in msg['dead_letters']:
                if gid not in group_ids:
                    raise ScenarioError('%s.messages[%d].dead_letters: %r is not a group of instance %s' % (ipath, j, gid, inst['instance_id']))
        for j, group in enumerate(inst['groups']):
            gpath = '%s.groups[%d]' % (ipath, j)
            if group['message_model'] == 'LITE_SELECTIVE' and not is_v5(inst['instance_id']):
                raise ScenarioError('%s.message_model: LITE_SELECTIVE is a model of 5.x groups; instance %s is a 4.x instance'
                                    % (gpath, inst['instance_id']))
            for key in ('offsets', 'inflight'):
                for topic in group[key]:
                    if topic not in topics:
                        raise ScenarioError('%s.%s.%s: not a topic of instance %s' % (gpath, key, topic, inst['instance_id']))
            subs = [('%s.subscriptions[%d]' % (gpath, k), s) for k, s in enumerate(group['subscriptions'] or [])]
            for k, client in enumerate(group['clients']):
                subs.extend(('%s.clients[%d].subscriptions[%d]' % (gpath, k, n), s) for n, s in enumerate(client['subscriptions'] or []))
            for spath, sub in subs:
                if sub['topic'] not in topics:
                    raise ScenarioError('%s.topic: %r is not a topic of instance %s' % (spath, sub['topic'], inst['instance_id']))
            _check_dead_letters(group, gpath, inst, topics)


ROLE_ARN = re.compile(r'acs:ram::([0-9]+):role/([A-Za-z0-9._@-]{1,64})')
OIDC_PROVIDER_ARN = re.compile(r'acs:ram::([0-9]+):oidc-provider/([A-Za-z0-9._-]{1,128})')


def _check_sts(sts):
    """The STS section: ARNs of the published forms, each once; trust naming providers that exist."""
    for kind, items, pattern in (('roles', sts['roles'], ROLE_ARN), ('oidc_providers', sts['oidc_providers'], OIDC_PROVIDER_ARN)):
        seen = set()
        for i, item in enumerate(items):
            if not pattern.fullmatch(item['arn']):
                raise ScenarioError('sts.%s[%d].arn: %r is not of the form %s' % (
                    kind, i, item['arn'], 'acs:ram::<account>:role/<name>' if kind == 'roles' else
                    'acs:ram::<account>:oidc-provider/<name>'))
            if item['arn'].lower() in seen:
                raise ScenarioError('sts.%s[%d].arn: duplicate %s' % (kind, i, item['arn']))
            seen.add(item['arn'].lower())
    providers = set(p['arn'] for p in sts['oidc_providers'])
    for i, role in enumerate(sts['roles']):
        for j, principal in enumerate(role['trust']):
            if ':oidc-provider/' in principal and principal not in providers:
                raise ScenarioError('sts.roles[%d].trust[%d]: no OIDC provider %r in sts.oidc_providers' % (i, j, principal))


def _find_instance(state, instance_id, path):
    if instance_id is None:
        return None
    for inst in state['instances']:
        if inst['instance_id'] == instance_id:
            return inst
    raise ScenarioError('%s.instance_id: no instance %r in the scenario' % (path, instance_id))


def _locate(state, inst, name, collection, key, path):
    candidates = [inst] if inst is not None else state['instances']
    found = [(i, item) for i in candidates for item in i[collection] if item[key] == name]
    if not found:
        raise ScenarioError('%s: no %s %r in the scenario' % (path, key.replace('_', ' '), name))
    if len(found) > 1:
        raise ScenarioError('%s: %s %r exists in several instances; add instance_id to the entry' % (path, key.replace('_', ' '), name))
    return found[0][1]


def _apply_entry(state, entry, path):
    """Return a new state: ``state`` with one timeline entry's changes applied."""
    new = copy.deepcopy(state)
    inst = _find_instance(new, entry.get('instance_id'), path)
    for name, changes in entry['groups'].items():
        group = _locate(new, inst, name, 'groups', 'group_id', '%s.groups.%s' % (path, name))
        group.update(copy.deepcopy(changes))
    for name, changes in entry['topics'].items():
        topic = _locate(new, inst, name, 'topics', 'topic', '%s.topics.%s' % (path, name))
        topic.update(copy.deepcopy(changes))
    if entry.get('messages') is not None:
        target = inst if inst is not None else (new['instances'][0] if len(new['instances']) == 1 else None)
        if target is None:
            raise ScenarioError('%s.messages: several instances; add instance_id to the entry' % path)
        target['messages'] = copy.deepcopy(entry['messages'])
    if entry.get('faults') is not None:
        new['faults'] = copy.deepcopy(entry['faults'])
    return new


class Scenario(object):
    """A validated scenario: the base state and the states its timeline moves through."""

    def __init__(self, data, source='<scenario>'):
        self.source = source
        self.raw = copy.deepcopy(data)
        self.data = validate_object(data, SCHEMA, '')
        if not self.data['keys']:
            raise ScenarioError('keys: at least one access key is required')
        for i, key in enumerate(data['keys']):
            given = [name for name in ('actions', 'resources') if key.get(name) is not None]
            if key.get('statements') is not None and given:
                raise ScenarioError('keys[%d]: give %s or statements, not both (statements hold their own actions and resources)'
                                    % (i, ' and '.join(given)))
        base = dict((k, v) for k, v in self.data.items() if k != 'timeline')
        _check_sts(self.data['sts'])
        _check_state(base)
        self.steps = [(0.0, 'initial state', base)]
        state = base
        previous_at = 0.0
        for i, entry in enumerate(self.data['timeline']):
            path = 'timeline[%d]' % i
            if entry['at'] < previous_at:
                raise ScenarioError('%s.at: %s is earlier than the previous entry (%s); entries must be in time order' % (path, entry['at'], previous_at))
            previous_at = entry['at']
            state = _apply_entry(state, entry, path)
            try:
                _check_state(state)
            except ScenarioError as exc:
                raise ScenarioError('%s (after applying %s)' % (exc, path))
            self.steps.append((float(entry['at']), entry['description'] or path, state))

    @property
    def description(self):
        """The scenario's one-line description."""
        return self.data['description']

    def step_at(self, elapsed):
        """Index of the timeline state in force ``elapsed`` seconds after the start."""
        index = 0
        for i, (at, _desc, _state) in enumerate(self.steps):
            if at <= elapsed:
                index = i
        return index


def parse_text(text, source='<text>'):
    """Parse YAML (or JSON, which YAML reads too) text into a :class:`Scenario`."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ScenarioError('%s: not valid YAML: %s' % (source, exc))
    return Scenario(data, source)


def load(source):
    """Load a scenario from a path, a mapping, or an existing :class:`Scenario`."""
    if isinstance(source, Scenario):
        return source
    if isinstance(source, dict):
        return Scenario(source)
    path = os.fspath(source)
    with open(path, 'r', encoding='utf-8') as handle:
        text = handle.read()
    try:
        return parse_text(text, path)
    except ScenarioError as exc:
        raise ScenarioError('%s: %s' % (path, exc)) if not str(exc).startswith(path) else exc
