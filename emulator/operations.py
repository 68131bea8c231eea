# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulated ONS operations: parameters in, response body (without RequestId) out.

Field names and nesting follow the models of the official ``alibabacloud_ons20190214`` SDK.
Each entry of :data:`OPERATIONS` also names the RAM action the operation needs and the
kind of resource it is authorised on (see the README's RAM table).
"""

import collections
import re
import threading

from emulator.errors import ApiError, invalid, missing
from emulator.world import crc, expression_tags, stable_hex


def _text(params, name, required=False):
    value = params.get(name)
    if value is None or value == '':
        if required:
            raise missing(name)
        return None
    return value


def _integer(params, name, minimum=0, maximum=None, default=None):
    """An integer parameter within [minimum, maximum]; required unless it has a default."""
    value = _text(params, name, required=default is None)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise invalid(name, '%r is not an integer' % value[:40])
    if number < minimum or (maximum is not None and number > maximum):
        accepted = 'from %d to %d' % (minimum, maximum) if maximum is not None else 'at least %d' % minimum
        raise invalid(name, '%d is out of range (accepted: %s)' % (number, accepted))
    return number


def _bool(params, name):
    value = params.get(name)
    if value is None or value == '':
        return False
    lowered = value.strip().lower()
    if lowered not in ('true', 'false'):
        raise invalid(name, '%r is not a boolean (expected true or false)' % value[:40])
    return lowered == 'true'


GROUP_TYPES = ('tcp', 'http', 'all')
_TAG_RE = re.compile(r'^Tag\.(\d+)\.(Key|Value)$')


def _tags(params):
    """Tag.N.Key / Tag.N.Value pairs as a list of (key, value-or-None)."""
    found = {}
    for name, value in params.items():
        match = _TAG_RE.match(name)
        if match:
            index = int(match.group(1))
            if not 1 <= index <= 20:
                raise invalid(name, 'N must be between 1 and 20')
            found.setdefault(index, {})[match.group(2)] = value
    tags = []
    for index in sorted(found):
        entry = found[index]
        if not entry.get('Key'):
            raise missing('Tag.%d.Key' % index)
        tags.append((entry['Key'], entry.get('Value')))
    return tags


def _tags_match(item_tags, wanted):
    for key, value in wanted:
        if key not in item_tags:
            return False
        if value is not None and item_tags[key] != value:
            return False
    return True


def _tag_list(tags):
    return {'Tag': [{'Key': k, 'Value': v} for k, v in tags.items()]}


def _instance(world, params, required=False):
    iid = _text(params, 'InstanceId', required)
    if iid is None:
        return None
    inst = world.by_id.get(iid)
    if inst is None:
        raise ApiError('INSTANCE_NOT_FOUND', 'The instance %s does not exist.' % iid)
    return inst


def find_group(world, params):
    """Resolve GroupId (and InstanceId if given) to a group, or raise the API's errors."""
    gid = _text(params, 'GroupId', True)
    inst = _instance(world, params)
    candidates = [inst] if inst is not None else world.instances
    for candidate in candidates:
        if gid in candidate.groups:
            return candidate.groups[gid]
    raise ApiError('BIZ_SUBSCRIPTION_NOT_FOUND', 'The group %s does not exist.' % gid)


def find_message(world, params):
    """Resolve Topic + MsgId (and InstanceId if given) to (instance, message)."""
    topic = _text(params, 'Topic', True)
    msg_id = _text(params, 'MsgId', True)
    inst = _instance(world, params)
    candidates = [inst] if inst is not None else world.instances
    with_topic = [c for c in candidates if topic in c.topics]
    if not with_topic:
        raise ApiError('BIZ_TOPIC_NOT_FOUND', 'The topic %s does not exist.' % topic)
    for candidate in with_topic:
        msg = candidate.messages.get((topic, msg_id))
        if msg is not None:
            return candidate, msg
    raise ApiError('BIZ_NO_MESSAGE', 'The message %s does not exist in topic %s.' % (msg_id, topic))


def consumer_get_connection(world, params, ctx):
    """OnsConsumerGetConnection: the group's online clients."""
    group = find_group(world, params)
    if not group.online:
        variant = group.data['offline_connections']
        if variant == 'error':
            raise ApiError('BIZ_CONSUMER_NOT_ONLINE', 'The client of the group %s is offline.' % group.group_id)
        if variant == 'missing_list':
            return {'Data': {'MessageModel': ''}}
        return {'Data': {'MessageModel': '', 'ConnectionList': {'ConnectionDo': []}}}
    conns = [{'ClientId': c.client_id, 'ClientAddr': c.client_addr, 'Language': c.language, 'Version': c.version} for c in group.clients]
    if len(conns) == 1 and group.data['single_connection_as_object']:
        listing = {'ConnectionDo': conns[0]}
    else:
        listing = {'ConnectionDo': conns}
    return {'Data': {'MessageModel': group.message_model, 'ConnectionList': listing}}


def message_trace(world, params, ctx):
    """OnsMessageTrace: one track per group that subscribes to the message's topic."""
    inst, msg = find_message(world, params)
    return {'Data': {'MessageTrack': inst.tracks(msg)}}


def _jstack(client):
    if client.data.get('jstack'):
        return [{'Thread': t['thread'], 'TrackList': {'Track': list(t['track'])}} for t in client.data['jstack']]
    return [{'Thread': 'ConsumeMessageThread_%d' % (i + 1), 'TrackList': {'Track': [
        'java.lang.Thread.State: WAITING (parking)',
        'at sun.misc.Unsafe.park(Native Method)',
        'at java.util.concurrent.LinkedBlockingQueue.take(LinkedBlockingQueue.java:442)']}} for i in range(min(2, client.thread_count))]


def consumer_status(world, params, ctx):
    """OnsConsumerStatus: online, lag, consistency and (with Detail) per-client details."""
    group = find_group(world, params)
    detail = _bool(params, 'Detail')
    need_jstack = _bool(params, 'NeedJstack')
    now = ctx['now_ms']
    total, delay, last, rows = group.totals(now)
    diffs = group.client_diffs(total)
    data = {
        'Online': group.online,
        'TotalDiff': total,
        'ConsumeTps': group.consume_tps,
        'DelayTime': delay,
        'LastTimestamp': last,
        'RebalanceOK': group.rebalance_ok,
        'SubscriptionSame': group.subscription_same,
        'ConsumeModel': group.message_model,
        'InstanceId': group.instance.instance_id,
        'ConnectionSet': {'ConnectionDo': [
            {'ClientAddr': c.client_addr, 'ClientId': c.client_id, 'Language': c.language, 'Version': c.version, 'RemoteIP': c.ip, 'Diff': d}
            for c, d in zip(group.clients, diffs)]},
        'DetailInTopicList': {'DetailInTopicDo': rows if detail else []},
        'ConsumerConnectionInfoList': {'ConsumerConnectionInfoDo': []},
    }
    if detail:
        infos = []
        n = max(1, len(group.clients))
        for client in group.clients:
            running = []
            for sub in client.subscriptions:
                ok = client.data.get('ok_tps')
                if ok is None:
                    ok = round(group.consume_tps / n / max(1, len(client.subscriptions)), 3)
                running.append({'Topic': sub['topic'], 'OkTps': float(ok), 'FailedTps': float(client.data['failed_tps']),
                                'FailedCountPerHour': client.data['failed_count_per_hour'], 'Rt': float(client.data['rt'])})
            info = {
                'ClientId': client.client_id,
                'Connection': client.client_addr,
                'ConsumeModel': group.message_model,
                'ConsumeType': client.consume_type,
                'Language': client.language,
                'Version': client.version,
                'ThreadCount': client.thread_count,
                'StartTimeStamp': client.start_time,
                'LastTimeStamp': now,
                'SubscriptionSet': {'SubscriptionData': [
                    {'Topic': s['topic'], 'SubString': s['expression'], 'SubVersion': client.start_time, 'TagsSet': {'Tag': expression_tags(s['expression'])}}
                    for s in client.subscriptions]},
                'RunningDataList': {'ConsumerRunningDataDo': running},
            }
            if need_jstack:
                info['Jstack'] = {'ThreadTrackDo': _jstack(client)}
            infos.append(info)
        data['ConsumerConnectionInfoList'] = {'ConsumerConnectionInfoDo': infos}
    return {'Data': data}


def consumer_accumulate(world, params, ctx):
    """OnsConsumerAccumulate: the group's lag, in total and (with Detail) per topic."""
    group = find_group(world, params)
    detail = _bool(params, 'Detail')
    total, delay, last, rows = group.totals(ctx['now_ms'])
    return {'Data': {
        'Online': group.online,
        'TotalDiff': total,
        'ConsumeTps': group.consume_tps,
        'DelayTime': delay,
        'LastTimestamp': last,
        'DetailInTopicList': {'DetailInTopicDo': rows if detail else []},
    }}


def group_sub_detail(world, params, ctx):
    """OnsGroupSubDetail: topics the online clients subscribe to; fails while the group is offline."""
    _text(params, 'GroupId', True)
    _text(params, 'InstanceId', True)
    group = find_group(world, params)
    if not group.online:
        # The reference: the call fails while the group's consumers are offline.
        raise ApiError('BIZ_CONSUMER_NOT_ONLINE', 'The client of the group %s is offline.' % group.group_id)
    topics = []
    for client in group.clients:
        for sub in client.subscriptions:
            if sub['topic'] not in topics:
                topics.append(sub['topic'])
    subs = [{'Topic': t, 'SubString': group.expression_for(t)} for t in topics]
    return {'Data': {'GroupId': group.group_id, 'MessageModel': group.message_model, 'Online': group.online,
                     'SubscriptionDataList': {'SubscriptionDataList': subs}}}


def group_list(world, params, ctx):
    """OnsGroupList: groups of an instance (or all), fuzzy GroupId, GroupType and tag filters.

    Without GroupType the API lists TCP groups only; ``all`` (what Alibaba's Terraform
    provider sends) lists both protocols.
    """
    inst = _instance(world, params)
    fuzzy = _text(params, 'GroupId')
    group_type = _text(params, 'GroupType') or 'tcp'
    if group_type not in GROUP_TYPES:
        raise invalid('GroupType', '%r is not one of %s' % (group_type[:40], ', '.join(GROUP_TYPES)))
    wanted = _tags(params)
    rows = []
    for candidate in ([inst] if inst is not None else world.instances):
        for group in candidate.group_order:
            if fuzzy and fuzzy not in group.group_id:
                continue
            if group_type != 'all' and group.data['group_type'] != group_type:
                continue
            if not _tags_match(group.data['tags'], wanted):
                continue
            if not ctx['allowed'](candidate.instance_id, group.group_id):
                continue
            rows.append({
                'GroupId': group.group_id,
                'GroupType': group.data['group_type'],
                'InstanceId': candidate.instance_id,
                'IndependentNaming': candidate.data['independent_naming'],
                'Owner': group.data['owner'],
                'Remark': group.data['remark'],
                'CreateTime': group.create_time,
                'UpdateTime': group.update_time,
                'Tags': _tag_list(group.data['tags']),
            })
    return {'Data': {'SubscribeInfoDo': rows}}


def instance_in_service_list(world, params, ctx):
    """OnsInstanceInServiceList: instances, optionally with group/topic counts, tag filters."""
    need_counts = _bool(params, 'NeedResourceInfo')
    wanted = _tags(params)
    rows = []
    for inst in world.instances:
        if not _tags_match(inst.data['tags'], wanted) or not ctx['allowed'](inst.instance_id, None):
            continue
        row = {
            'InstanceId': inst.instance_id,
            'InstanceName': inst.name,
            'InstanceStatus': inst.data['instance_status'],
            'InstanceType': inst.data['instance_type'],
            'IndependentNaming': inst.data['independent_naming'],
            'CreateTime': inst.create_time,
            'Tags': _tag_list(inst.data['tags']),
        }
        if inst.data.get('release_time') is not None:
            row['ReleaseTime'] = inst.data['release_time']
        if need_counts:
            row['GroupCount'] = len(inst.group_order)
            row['TopicCount'] = len(inst.topic_order)
        rows.append(row)
    return {'Data': {'InstanceVO': rows}}


def instance_base_info(world, params, ctx):
    """OnsInstanceBaseInfo: answered under a top-level ``InstanceBaseInfo``, not ``Data``."""
    inst = _instance(world, params, required=True)
    info = {
        'InstanceId': inst.instance_id,
        'InstanceName': inst.name,
        'InstanceStatus': inst.data['instance_status'],
        'InstanceType': inst.data['instance_type'],
        'IndependentNaming': inst.data['independent_naming'],
        'MaxTps': inst.data['max_tps'],
        'TopicCapacity': inst.data['topic_capacity'],
        'Remark': inst.data['remark'],
        'CreateTime': str(inst.create_time),
        'Endpoints': inst.endpoints(),
    }
    if inst.data.get('release_time') is not None:
        info['ReleaseTime'] = inst.data['release_time']
    return {'InstanceBaseInfo': info}


def message_get_by_msg_id(world, params, ctx):
    """OnsMessageGetByMsgId: a message's storage facts and properties."""
    inst, msg = find_message(world, params)
    born, store = inst.message_timestamps(msg, ctx['now_ms'])
    return {'Data': _stored_message(world, inst, msg, born, store)}


def _stored_message(world, inst, msg, born, store):
    """A message (or dead letter) as the API describes a stored one: hosts, times, size, properties."""
    props = {}
    if msg['tag']:
        props['TAGS'] = msg['tag']
    if msg['keys']:
        props['KEYS'] = msg['keys']
    props['UNIQ_KEY'] = msg['msg_id']
    props['MSG_REGION'] = world.region
    props['TRACE_ON'] = 'true'
    props['INSTANCE_ID'] = inst.instance_id
    props.update(msg['properties'])
    body_crc = msg.get('body_crc')
    if body_crc is None:
        body_crc = crc('body', msg['msg_id']) % (1 << 31)
    return {
        'MsgId': msg['msg_id'],
        'Topic': msg['topic'],
        'InstanceId': inst.instance_id,
        'BornHost': msg['born_host'],
        'BornTimestamp': born,
        'StoreHost': msg['store_host'],
        'StoreTimestamp': store,
        'StoreSize': msg['store_size'],
        'ReconsumeTimes': msg['reconsume_times'],
        'BodyCRC': body_crc,
        'PropertyList': {'MessageProperty': [{'Name': k, 'Value': v} for k, v in props.items()]},
    }


# OnsDLQMessagePageQueryByGroupId's PageSize (and its default) and CurrentPage, as documented.
DLQ_PAGE_SIZES = (5, 50)
DLQ_DEFAULT_PAGE_SIZE = 20
DLQ_MAX_PAGE = 50


class QueryTasks(object):
    """The query tasks of OnsDLQMessagePageQueryByGroupId, kept in the server's memory.

    The first page of a query creates a task holding its group, window and page size; later
    pages name it by TaskId and get those back. An id is derived from what it holds, so the
    same query always gets the same id and tests are reproducible. Beyond ``capacity`` tasks
    the oldest are forgotten (their ids then answer as unknown).
    """

    def __init__(self, capacity=10000):
        self.capacity = capacity
        self._tasks = collections.OrderedDict()
        self._lock = threading.Lock()

    def create(self, instance_id, group_id, begin, end, size):
        """Remember a task; return its id (32 hex digits, as the API's look)."""
        task = (instance_id, group_id, begin, end, size)
        task_id = stable_hex('task', *task)
        with self._lock:
            self._tasks.pop(task_id, None)
            self._tasks[task_id] = task
            while len(self._tasks) > self.capacity:
                self._tasks.popitem(last=False)
        return task_id

    def get(self, task_id):
        """(instance id, group id, begin, end, page size) of a task, or None if unknown."""
        with self._lock:
            return self._tasks.get(task_id)


def dlq_message_page_query_by_group_id(world, params, ctx):
    """OnsDLQMessagePageQueryByGroupId: one page of a group's dead letters stored within a window.

    The first request (without TaskId) creates a query task; later pages send its TaskId, and
    then the task's BeginTime, EndTime and PageSize apply, whatever the request sends, as the
    reference documents. Dead letters are listed by store time, both ends of the window included.
    """
    group = find_group(world, params)
    page = _integer(params, 'CurrentPage', 1, DLQ_MAX_PAGE)
    inst = group.instance
    task_id = _text(params, 'TaskId')
    if task_id is None:
        begin = _integer(params, 'BeginTime')
        end = _integer(params, 'EndTime')
        if begin > end:
            raise invalid('EndTime', '%d is before BeginTime %d (the window must not end before it begins)' % (end, begin))
        size = _integer(params, 'PageSize', DLQ_PAGE_SIZES[0], DLQ_PAGE_SIZES[1], default=DLQ_DEFAULT_PAGE_SIZE)
        task_id = ctx['query_tasks'].create(inst.instance_id, group.group_id, begin, end, size)
    else:
        task = ctx['query_tasks'].get(task_id)
        if task is None or task[:2] != (inst.instance_id, group.group_id):
            raise ApiError('BIZ_FIELD_CHECK_INVALID', 'The specified parameter "TaskId" is not valid: %r is no query task of group %s '
                           '(omit TaskId to start a query).' % (task_id[:64], group.group_id))
        begin, end, size = task[2:]
    letters = sorted((d for d in group.dead_letters if begin <= d['store_timestamp'] <= end), key=lambda d: d['store_timestamp'])
    pages = (len(letters) + size - 1) // size
    if page > max(1, pages):
        raise invalid('CurrentPage', '%d is beyond the last page of this query (%d)' % (page, pages))
    rows = [_stored_message(world, inst, d, d['born_timestamp'], d['store_timestamp']) for d in letters[(page - 1) * size:page * size]]
    return {'MsgFoundDo': {'TaskId': task_id, 'MaxPageCount': pages, 'CurrentPage': page, 'MsgFoundList': {'OnsRestMessageDo': rows}}}


class Operation(object):
    """An emulated operation: its handler, the RAM actions it needs, its resource kind.

    A key needs ``ram_action`` (or one of its ``aliases``) and, when ``associated`` is set,
    one of the ``associated`` names too (the reference lists them as the associated action).
    """

    def __init__(self, handler, ram_action, resource, aliases=(), associated=()):
        self.handler = handler
        self.ram_action = ram_action
        self.resource = resource
        self.aliases = tuple(aliases)
        self.associated = tuple(associated)

    @property
    def required_actions(self):
        """One tuple of equivalent names per action the key needs, its own action first."""
        needed = [(self.ram_action,) + self.aliases]
        if self.associated and not set(self.associated) & set(needed[0]):
            needed.append(self.associated)
        return needed


# The instance action, under its current name and the older one: both mean the same grant.
INSTANCE_INFO = ('mq:OnsInstanceBaseInfo', 'mq:QueryInstanceBaseInfo')

# resource kinds: 'group' and 'topic' are authorised on the group/topic (and its instance),
# 'instance' on the instance, 'list' filters its rows by the key's resources.
OPERATIONS = {
    'OnsConsumerGetConnection': Operation(consumer_get_connection, 'mq:QueryConsumerConnection', 'group', associated=INSTANCE_INFO),
    'OnsMessageTrace': Operation(message_trace, 'mq:QueryMessageTrace', 'topic', associated=INSTANCE_INFO),
    'OnsConsumerStatus': Operation(consumer_status, 'mq:QueryConsumerStatus', 'group', associated=INSTANCE_INFO),
    'OnsConsumerAccumulate': Operation(consumer_accumulate, 'mq:QueryConsumerAccumulate', 'group', associated=INSTANCE_INFO),
    'OnsGroupSubDetail': Operation(group_sub_detail, 'mq:QueryGroupSubDetail', 'group', associated=INSTANCE_INFO),
    # The current reference lists mq:QueryInstanceBaseInfo as OnsGroupList's dependent action.
    'OnsGroupList': Operation(group_list, 'mq:ListGroup', 'list', associated=INSTANCE_INFO),
    'OnsInstanceInServiceList': Operation(instance_in_service_list, 'mq:QueryInstanceBaseInfo', 'list', aliases=('mq:OnsInstanceBaseInfo',)),
    'OnsInstanceBaseInfo': Operation(instance_base_info, 'mq:QueryInstanceBaseInfo', 'instance', aliases=('mq:OnsInstanceBaseInfo',)),
    'OnsMessageGetByMsgId': Operation(message_get_by_msg_id, 'mq:QueryMessage', 'topic', associated=INSTANCE_INFO),
    'OnsDLQMessagePageQueryByGroupId': Operation(dlq_message_page_query_by_group_id, 'mq:QueryDLQMessage', 'group', associated=INSTANCE_INFO),
}


def resources_of(operation, world, params):
    """The (instance id, group-or-topic name) a request touches, for RAM resource checks.

    Returns None for list operations (they filter rows instead). Lookups that fail here
    are left to the operation, which answers the proper not-found error.
    """
    if operation.resource == 'list':
        return None
    iid = params.get('InstanceId') or None
    if operation.resource == 'instance':
        return iid, None
    if operation.resource == 'group':
        name = params.get('GroupId') or None
        if iid is None and name:
            for inst in world.instances:
                if name in inst.groups:
                    iid = inst.instance_id
                    break
        return iid, name
    name = params.get('Topic') or None
    if iid is None and name:
        for inst in world.instances:
            if name in inst.topics:
                iid = inst.instance_id
                break
    return iid, name
