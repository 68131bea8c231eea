# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulated RocketMQ 5.x management API (product ``RocketMQ``, version ``2022-08-01``).

ROA style: the operation is named by the method and the resource path (``GET
/instances/{instanceId}/consumerGroups/{consumerGroupId}/lag``), parameters are in the query
string, answers are camelCase JSON. Field names and nesting follow the models of the official
``alibabacloud_rocketmq20220801`` SDK. Only instances whose id starts with ``rmq-`` exist here;
the ONS operations (:mod:`emulator.operations`) serve the others.
"""

import datetime
import json
import re
from urllib.parse import unquote

from emulator.errors import ApiError, invalid
from emulator.security import v5_resource
from emulator.world import crc, entity_time, stable_hex

PRODUCT = 'RocketMQ'
API_VERSION = '2022-08-01'
SUCCESS = {'success': True, 'code': 'Success', 'message': 'operation success.', 'httpStatusCode': 200}
# Published page size ranges (the SDK's request models; ListMessages' is not published); out-of-range
# values are clamped.
PAGE_SIZES = {'ListInstances': (10, 200), 'ListConsumerGroups': (10, 100), 'ListTopics': (10, 100), 'ListMessages': (10, 100)}
# ListMessages documents its paging parameters as optional; these are what the emulator assumes then.
PAGE_DEFAULTS = {'ListMessages': {'pageNumber': 1, 'pageSize': 10}}
MAX_PAGE_NUMBER = 100000000
TIME_FORMAT_RE = re.compile(r'^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$')


class BusinessError(ApiError):
    """An error of the service itself, answered in the camelCase envelope.

    ``dynamic_code`` names the parameter the message is about; ``dynamic_message`` is the
    message with the offending value filled in.
    """

    def __init__(self, code, message, status=400, dynamic_code=None, dynamic_message=None):
        super().__init__(code, message, status)
        self.dynamic_code = dynamic_code or ''
        self.dynamic_message = dynamic_message or message

    def envelope(self, request_id):
        """The answer's body."""
        return {'requestId': request_id, 'success': False, 'code': self.code, 'message': self.message, 'httpStatusCode': self.status,
                'dynamicCode': self.dynamic_code, 'dynamicMessage': self.dynamic_message}


def mandatory(name):
    """``Missing<Name>`` for an absent parameter, worded as the API's documentation shows it."""
    message = 'Parameter %s is mandatory for this action .' % name
    return BusinessError('Missing%s%s' % (name[0].upper(), name[1:]), message, 400, name, message)


def _not_found(code, what, name, value):
    return BusinessError(code, 'The %s cannot be found.' % what, 404, name, 'The %s %s cannot be found.' % (what, value))


# -- lookups ---------------------------------------------------------------------------------

def _instance(world, params):
    iid = params.get('instanceId')
    if not iid:
        raise mandatory('instanceId')
    inst = world.v5_by_id.get(iid)
    if inst is None:
        raise _not_found('Instance.NotFound', 'instance', 'instanceId', iid)
    return inst


def _group(world, params):
    inst = _instance(world, params)
    gid = params.get('consumerGroupId')
    if not gid:
        raise mandatory('consumerGroupId')
    group = inst.groups.get(gid)
    if group is None:
        raise _not_found('ConsumerGroup.NotFound', 'consumer group', 'consumerGroupId', gid)
    return group


def _topic(inst, params, required=True):
    name = params.get('topicName')
    if not name:
        if required:
            raise mandatory('topicName')
        return None
    if name not in inst.topics:
        raise _not_found('Topic.NotFound', 'topic', 'topicName', name)
    return name


def _int(params, name, default=None):
    value = params.get(name)
    if value is None or value == '':
        if default is not None:
            return default
        raise mandatory(name)
    try:
        return int(value)
    except ValueError:
        raise invalid(name, '%r is not an integer' % value[:40])


def _page(params, rows, action):
    """One page of ``rows`` and the paging fields, as every list operation answers."""
    defaults = PAGE_DEFAULTS.get(action, {})
    number = min(MAX_PAGE_NUMBER, max(1, _int(params, 'pageNumber', defaults.get('pageNumber'))))
    low, high = PAGE_SIZES[action]
    size = min(high, max(low, _int(params, 'pageSize', defaults.get('pageSize'))))
    start = (number - 1) * size
    return {'pageNumber': number, 'pageSize': size, 'totalCount': len(rows), 'list': rows[start:start + size]}


def _contains(text, fragment):
    return not fragment or fragment.lower() in text.lower()


def _query_time(params, name):
    """``startTime`` / ``endTime`` (``YYYY-MM-DD HH:mm:ss``, read as UTC as entity times are
    written) in epoch seconds; None when not sent."""
    value = params.get(name)
    if not value:
        return None
    problem = '%r is not a time in the format YYYY-MM-DD HH:mm:ss' % value[:40]
    if not TIME_FORMAT_RE.match(value):
        raise invalid(name, problem)
    try:
        when = datetime.datetime.strptime(value, '%Y-%m-%d %H:%M:%S')
    except ValueError:
        raise invalid(name, problem)
    return int(when.replace(tzinfo=datetime.timezone.utc).timestamp())


# -- shapes ----------------------------------------------------------------------------------

def _tags(tags):
    return [{'key': k, 'value': v} for k, v in tags.items()]


def _instance_row(inst):
    row = {
        'regionId': inst.region,
        'instanceId': inst.instance_id,
        'instanceName': inst.name,
        'serviceCode': 'rmq',
        'seriesCode': inst.data['series_code'],
        'subSeriesCode': inst.data['sub_series_code'],
        'paymentType': 'PayAsYouGo',
        'commodityCode': 'ons_rmqpost_public_cn',
        'status': inst.data['status'],
        'remark': inst.data['remark'],
        'topicCount': len(inst.topic_order),
        'groupCount': len(inst.group_order),
        'productInfo': {'traceOn': True, 'capacityType': 'provisioned'},
        'tags': _tags(inst.data['tags']),
        # ListInstances' createTime is when the instance's version was last updated, its startTime
        # when it was created (the SDK's model documentation); GetInstance's createTime is the creation.
        'createTime': entity_time(inst.version_time),
        'startTime': entity_time(inst.create_time),
        'updateTime': entity_time(inst.version_time),
    }
    if inst.data.get('release_time') is not None:
        row['releaseTime'] = entity_time(inst.data['release_time'])
    return row


def _endpoints(inst):
    # the scenario's tcp_endpoint / tcp_internet_endpoint win over the derived ones
    given = inst.data['endpoints']
    vpc = '%s-vpc.%s.rmq.aliyuncs.com:8080' % (inst.instance_id, inst.region)
    internet = '%s.%s.rmq.aliyuncs.com:8080' % (inst.instance_id, inst.region)
    return [{'endpointType': 'TCP_VPC', 'endpointUrl': given.get('tcp_endpoint') or vpc},
            {'endpointType': 'TCP_INTERNET', 'endpointUrl': given.get('tcp_internet_endpoint') or internet}]


def _group_row(group):
    row = {
        'regionId': group.instance.region,
        'instanceId': group.instance.instance_id,
        'consumerGroupId': group.group_id,
        'status': 'RUNNING',
        'messageModel': group.group_model,
        'remark': group.data['remark'],
        'createTime': entity_time(group.create_time),
        'updateTime': entity_time(group.update_time),
    }
    if group.data['topic_name'] is not None:
        row['topicName'] = group.data['topic_name']
    if group.data['max_receive_tps'] is not None:
        row['maxReceiveTps'] = group.data['max_receive_tps']
    return row


def _topic_row(inst, name):
    topic = inst.topics[name]
    created = 1700000000000 + crc(inst.instance_id, name) % 10 ** 9
    return {
        'regionId': inst.region,
        'instanceId': inst.instance_id,
        'topicName': name,
        'messageType': topic['message_type'],
        'status': 'RUNNING',
        'remark': topic['remark'],
        'createTime': entity_time(created),
        'updateTime': entity_time(created),
    }


def _message_info(inst, topic, message_type, msg, born, store):
    """A message (or dead letter) as the 5.x API describes one: GetTrace's messageInfo, a row of ListMessages."""
    info = {
        'regionId': inst.region,
        'instanceId': inst.instance_id,
        'topicName': topic,
        'messageId': msg['msg_id'],
        'messageType': message_type,
        'messageTag': msg['tag'],
        'messageKeys': msg['keys'].split(),
        'bornHost': msg['born_host'].rsplit(':', 1)[0],
        'bornTime': entity_time(born),
        'storeHost': msg['store_host'].rsplit(':', 1)[0],
        'storeTime': entity_time(store),
        'body': '',
        'userProperties': dict(msg['properties']),
    }
    if message_type == 'FIFO':
        info['messageGroup'] = msg['properties'].get('MESSAGE_GROUP', msg['keys'] or 'default')
    return info


def _connection(client, group):
    # a client's model: BROADCASTING appears here and on subscriptions, never on the group itself
    return {'clientId': client.client_id, 'hostname': client.hostname, 'egressIp': client.egress_ip, 'language': client.language,
            'version': client.version, 'messageModel': group.message_model}


# -- operations ------------------------------------------------------------------------------

def list_instances(world, params, ctx):
    """ListInstances: 5.x instances, paged; filter (id or name), seriesCodes, tags.

    Authorised on ``instance/*`` as a whole: a key that may list lists every instance (the rows
    are not filtered by the instances its policy names). Released instances are listed too, with
    ``status`` ``RELEASED``, as the API's status list allows.
    """
    fragment = params.get('filter') or ''
    series = [s.strip() for s in (params.get('seriesCodes') or '').split(',') if s.strip()]
    wanted = _wanted_tags(params.get('tags'))
    rows = []
    for inst in world.v5_instances:
        if not (_contains(inst.instance_id, fragment) or _contains(inst.name, fragment)):
            continue
        if series and inst.data['series_code'] not in series:
            continue
        if not _tags_match(inst.data['tags'], wanted):
            continue
        rows.append(_instance_row(inst))
    return _page(params, rows, 'ListInstances')


def _tags_match(tags, wanted):
    """Every wanted tag is set, with the wanted value when one is given."""
    return all((key in tags) if value is None else tags.get(key) == value for key, value in wanted)


def _wanted_tags(text):
    """``tags`` as the SDK sends it: a JSON list of ``{"key": ..., "value": ...}``."""
    if not text:
        return []
    try:
        items = json.loads(text)
    except ValueError:
        items = None
    if not isinstance(items, list) or not all(isinstance(i, dict) and isinstance(i.get('key'), str) and i['key'] for i in items):
        raise invalid('tags', 'expected a JSON list of {"key": ..., "value": ...} objects, got %r' % text[:80])
    return [(i['key'], None if i.get('value') is None else str(i['value'])) for i in items]


def get_instance(world, params, ctx):
    """GetInstance: the list fields plus endpoints, product details, software and quotas."""
    inst = _instance(world, params)
    data = _instance_row(inst)
    # GetInstance's createTime is the creation (ListInstances' is the last version update).
    data['createTime'] = entity_time(inst.create_time)
    data['productInfo'] = {'traceOn': True, 'capacityType': 'provisioned', 'msgProcessSpec': 'rmq.p2.4xlarge', 'messageRetentionTime': 72,
                           'sendReceiveRatio': 0.5, 'autoScaling': False, 'supportAutoScaling': True, 'storageEncryption': False}
    data['networkInfo'] = {'endpoints': _endpoints(inst)}
    data['software'] = {'softwareVersion': '5.0-rmq-20240611-1', 'upgradeMethod': 'auto', 'maintainTime': '02:00-06:00'}
    topics, groups = float(len(inst.topic_order)), float(len(inst.group_order))
    capacity = float(inst.data['topic_capacity'])
    data['instanceQuotas'] = [
        {'quotaName': 'TOPIC_COUNT', 'totalCount': capacity, 'usedCount': topics, 'freeCount': max(0.0, capacity - topics)},
        {'quotaName': 'GROUP_COUNT', 'totalCount': capacity * 10, 'usedCount': groups, 'freeCount': max(0.0, capacity * 10 - groups)},
    ]
    return data


def list_consumer_groups(world, params, ctx):
    """ListConsumerGroups: the instance's groups, paged; ``filter`` is a substring of the id."""
    inst = _instance(world, params)
    fragment = params.get('filter') or ''
    rows = [_group_row(g) for g in inst.group_order if _contains(g.group_id, fragment)]
    return _page(params, rows, 'ListConsumerGroups')


def get_consumer_group(world, params, ctx):
    """GetConsumerGroup: the group's settings and retry policy."""
    group = _group(world, params)
    data = _group_row(group)
    orderly = group.data['delivery_order_type'] == 'Orderly'
    policy = {'retryPolicy': 'FixedRetryPolicy' if orderly else 'DefaultRetryPolicy', 'maxRetryTimes': group.data['max_retry_times']}
    if orderly:
        policy['fixedIntervalRetryTime'] = 10
    if group.data.get('dead_letter_topic'):
        policy['deadLetterTargetTopic'] = group.data['dead_letter_topic']
    data.update({'deliveryOrderType': group.data['delivery_order_type'], 'consumeRetryPolicy': policy,
                 'exclusive': group.data['exclusive']})
    return data


def list_consumer_connections(world, params, ctx):
    """ListConsumerConnections: the group's clients (of one topic with ``topicName``); none is no error."""
    group = _group(world, params)
    topic = _topic(group.instance, params, required=False)
    clients = [c for c in group.clients if topic is None or any(s['topic'] == topic for s in c.subscriptions)]
    return {'regionId': group.instance.region, 'instanceId': group.instance.instance_id, 'consumerGroupId': group.group_id,
            'connections': [_connection(c, group) for c in clients]}


def get_consumer_group_lag(world, params, ctx):
    """GetConsumerGroupLag: ready + inflight per topic and in total (of one topic with ``topicName``)."""
    group = _group(world, params)
    topic = _topic(group.instance, params, required=False)
    topics = [topic] if topic is not None else group.topics
    per_topic = dict((t, group.lag_v5(t, ctx['now_ms'])) for t in topics)
    forced = group.data['last_consume_timestamp']
    if forced is not None:
        for row in per_topic.values():
            row['lastConsumeTimestamp'] = forced
    rows = list(per_topic.values())
    total = {
        'readyCount': sum(r['readyCount'] for r in rows),
        'inflightCount': sum(r['inflightCount'] for r in rows),
        'deliveryDuration': max([r['deliveryDuration'] for r in rows] or [0]),
        'lastConsumeTimestamp': forced if forced is not None else max([r['lastConsumeTimestamp'] for r in rows] or [0]),
    }
    data = {'regionId': group.instance.region, 'instanceId': group.instance.instance_id, 'consumerGroupId': group.group_id,
            'totalLag': total, 'topicLagMap': per_topic, 'liteTopicLagMap': {}}
    if topic is not None:
        data['topicName'] = topic
    return data


def list_consumer_group_subscriptions(world, params, ctx):
    """ListConsumerGroupSubscriptions: one row per topic, with the server's consistency verdict."""
    group = _group(world, params)
    topic = _topic(group.instance, params, required=False)
    rows = []
    for name in group.topics:
        if topic is not None and name != topic:
            continue
        rows.append({
            'consumerGroupId': group.group_id,
            'topicName': name,
            'filterExpression': group.expression_for(name),
            'filterExpressionType': 'TAG',
            'messageModel': group.message_model,
            'subscriptionStatus': 'ONLINE' if group.subscribers(name) else 'OFFLINE',
            'topicCreated': name in group.instance.topics,
            'consistency': group.topic_consistent(name),
        })
    return rows


def get_consumer_group_subscription(world, params, ctx):
    """GetConsumerGroupSubscription: one entry per online client that subscribes to the topic."""
    group = _group(world, params)
    topic = _topic(group.instance, params)
    return [{
        'connectionDTO': _connection(client, group),
        'subscriptionDTO': {'consumerGroupId': group.group_id, 'topicName': topic, 'filterExpression': sub['expression'],
                            'filterExpressionType': 'TAG', 'messageModel': group.message_model, 'subscriptionStatus': 'ONLINE'},
    } for client, sub in group.subscribers(topic)]


def list_topics(world, params, ctx):
    """ListTopics: the instance's topics, paged; ``filter`` (substring), ``messageTypes`` (comma list)."""
    inst = _instance(world, params)
    fragment = params.get('filter') or ''
    types = [t.strip() for t in (params.get('messageTypes') or '').split(',') if t.strip()]
    rows = [_topic_row(inst, name) for name in inst.topic_order
            if _contains(name, fragment) and (not types or inst.topics[name]['message_type'] in types)]
    return _page(params, rows, 'ListTopics')


def get_topic(world, params, ctx):
    """GetTopic: one topic."""
    inst = _instance(world, params)
    return _topic_row(inst, _topic(inst, params))


def get_trace(world, params, ctx):
    """GetTrace: the message, its producer record and what each subscribed group did with it."""
    inst = _instance(world, params)
    topic = _topic(inst, params)
    msg_id = params.get('messageId')
    if not msg_id:
        raise mandatory('messageId')
    start, end = _query_time(params, 'startTime'), _query_time(params, 'endTime')
    if start is not None and end is not None and start > end:
        raise invalid('endTime', '%r is before startTime %r (the window must not end before it begins)' % (params['endTime'], params['startTime']))
    msg = inst.messages.get((topic, msg_id))
    if msg is None:
        raise _not_found('Message.NotFound', 'message', 'messageId', msg_id)
    now = ctx['now_ms']
    born, store = inst.message_timestamps(msg, now)
    # The window is on the store time, both ends included, to the second; a message stored outside
    # it is not found. Without one, nothing is left out (the API's default window is not published).
    if (start is not None and store // 1000 < start) or (end is not None and store // 1000 > end):
        raise _not_found('Message.NotFound', 'message', 'messageId', msg_id)
    words = inst.world.trace_words
    info = _message_info(inst, topic, inst.topics[topic]['message_type'], msg, born, store)
    producer = {'records': [{'clientHost': info['bornHost'], 'produceStatus': words['produced'], 'produceTime': entity_time(born),
                             'arriveTime': entity_time(store), 'produceDuration': max(0, store - born),
                             'messageSource': words['source']}]}
    data = {'regionId': inst.region, 'instanceId': inst.instance_id, 'topicName': topic, 'messageInfo': info,
            'producerInfo': producer, 'consumerInfos': inst.consumer_infos(msg, now)}
    broker = inst.broker_info(msg, now)
    if broker is not None:
        data['brokerInfo'] = broker
    return data


def list_messages(world, params, ctx):
    """ListMessages: the messages of a topic stored within [startTime, endTime], paged.

    The topic may be a group's dead-letter topic (its ``dead_letter_topic``): it then lists that
    group's dead letters (with those of every group sharing the topic, and the topic's own
    messages if it is also a topic of the instance). The window is inclusive at second
    precision; rows come by store time. Every page answers the query's ``scrollId``; a page that
    sends another one is refused.
    """
    inst = _instance(world, params)
    name = params.get('topicName')
    if not name:
        raise mandatory('topicName')
    dead_letter_groups = [g for g in inst.group_order if g.data['dead_letter_topic'] == name]
    if name not in inst.topics and not dead_letter_groups:
        raise _not_found('Topic.NotFound', 'topic', 'topicName', name)
    start, end = _query_time(params, 'startTime'), _query_time(params, 'endTime')
    if start is not None and end is not None and start > end:
        raise invalid('endTime', '%r is before startTime %r (the window must not end before it begins)' % (params['endTime'], params['startTime']))
    found = []
    if name in inst.topics:
        for msg in inst.messages.values():
            if msg['topic'] == name:
                found.append((msg, inst.topics[name]['message_type']) + inst.message_timestamps(msg, ctx['now_ms']))
    for group in dead_letter_groups:
        # a dead letter keeps the type of the topic it was sent to
        found.extend((d, inst.topics[d['topic']]['message_type'], d['born_timestamp'], d['store_timestamp']) for d in group.dead_letters)
    wanted_id, wanted_key = params.get('messageId'), params.get('messageKey')
    rows = []
    for msg, message_type, born, store in sorted(found, key=lambda row: row[3]):
        if (start is not None and store // 1000 < start) or (end is not None and store // 1000 > end):
            continue
        if (wanted_id and msg['msg_id'] != wanted_id) or (wanted_key and wanted_key not in msg['keys'].split()):
            continue
        row = _message_info(inst, name, message_type, msg, born, store)
        row['bodySize'] = msg['store_size']
        rows.append(row)
    query = (inst.instance_id, name, params.get('startTime'), params.get('endTime'), wanted_id, wanted_key)
    digits = stable_hex('scroll', *query)
    scroll_id = '-'.join((digits[:8], digits[8:12], digits[12:16], digits[16:20], digits[20:]))
    sent = params.get('scrollId')
    if sent and sent != scroll_id:
        raise invalid('scrollId', '%r is not the scrollId of this query (send the one its first page answered, or none)' % sent[:80])
    data = _page(params, rows, 'ListMessages')
    data['scrollId'] = scroll_id
    return data


class Operation(object):
    """A 5.x operation: its handler, its RAM action and the kind of resource it is authorised on.

    ``resource``: ``instances`` (ListInstances, authorised on ``instance/*``), ``instance``,
    ``groups`` / ``topics`` (every group or topic of an instance), ``group``, ``topic``.
    """

    def __init__(self, name, handler, resource):
        self.name = name
        self.handler = handler
        self.resource = resource
        self.ram_action = 'rocketmq:%s' % name

    @property
    def required_actions(self):
        """One tuple of equivalent names per RAM action the key needs."""
        return [(self.ram_action,)]


OPERATIONS = dict((op.name, op) for op in (
    Operation('ListInstances', list_instances, 'instances'),
    Operation('GetInstance', get_instance, 'instance'),
    Operation('ListConsumerGroups', list_consumer_groups, 'groups'),
    Operation('GetConsumerGroup', get_consumer_group, 'group'),
    Operation('ListConsumerConnections', list_consumer_connections, 'group'),
    Operation('GetConsumerGroupLag', get_consumer_group_lag, 'group'),
    Operation('ListConsumerGroupSubscriptions', list_consumer_group_subscriptions, 'group'),
    Operation('GetConsumerGroupSubscription', get_consumer_group_subscription, 'group'),
    Operation('ListTopics', list_topics, 'topics'),
    Operation('GetTopic', get_topic, 'topic'),
    Operation('GetTrace', get_trace, 'topic'),
    Operation('ListMessages', list_messages, 'topic'),
))

_GROUP = 'instances/{instanceId}/consumerGroups/{consumerGroupId}'
# (method, path template, operation): the path and method name the operation.
ROUTES = [
    ('GET', 'instances', 'ListInstances'),
    ('GET', 'instances/{instanceId}', 'GetInstance'),
    ('GET', 'instances/{instanceId}/consumerGroups', 'ListConsumerGroups'),
    ('GET', _GROUP, 'GetConsumerGroup'),
    ('GET', _GROUP + '/connections', 'ListConsumerConnections'),
    ('GET', _GROUP + '/lag', 'GetConsumerGroupLag'),
    ('GET', _GROUP + '/subscriptions', 'ListConsumerGroupSubscriptions'),
    ('GET', _GROUP + '/subscriptions/{topicName}', 'GetConsumerGroupSubscription'),
    ('GET', 'instances/{instanceId}/topics', 'ListTopics'),
    ('GET', 'instances/{instanceId}/topics/{topicName}', 'GetTopic'),
    ('GET', 'instances/{instanceId}/topics/{topicName}/traces/{messageId}', 'GetTrace'),
    ('GET', 'instances/{instanceId}/topics/{topicName}/messages', 'ListMessages'),
]


def route(method, path):
    """(operation name, path parameters) for a request, or None when no operation has that path and method.

    ``path`` is the raw request path: each segment is percent-decoded on its own, so a group
    id containing ``/`` (sent as ``%2F``) stays one segment.
    """
    segments = path.strip('/').split('/') if path.strip('/') else []
    for route_method, template, name in ROUTES:
        parts = template.split('/')
        if route_method != method or len(parts) != len(segments):
            continue
        values = {}
        for part, segment in zip(parts, segments):
            if part.startswith('{'):
                values[part[1:-1]] = unquote(segment)
            elif part != segment:
                break
        else:
            return name, values
    return None


def resource_of(operation, params):
    """(instance id, kind, name) of the resource a request is authorised on; no instance (``instance/*``) for ListInstances."""
    iid = params.get('instanceId')
    kind = operation.resource
    if kind == 'instances':
        return None, None, None
    if kind == 'instance':
        return iid, None, None
    if kind in ('groups', 'topics'):
        return iid, 'consumergroup' if kind == 'groups' else 'topic', '*'
    if kind == 'group':
        return iid, 'consumergroup', params.get('consumerGroupId')
    return iid, 'topic', params.get('topicName')


def resource_name(operation, params):
    """The resource part of the ARN a denial names."""
    return v5_resource(*resource_of(operation, params))


def success(request_id, data):
    """The success envelope around ``data``."""
    payload = {'requestId': request_id}
    payload.update(SUCCESS)
    payload['data'] = data
    return payload
