# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The derived view of one scenario state: defaults that depend on context, and the values
a consumer-health gate reads (online, lag, delays, subscription consistency, tracks).

Everything here is computed from the state, so the operations always agree with each
other: a group with clients is online everywhere, its lag is the same in
OnsConsumerStatus and OnsConsumerAccumulate, and message tracks follow its offsets.
The 5.x figures (ready and inflight counts, delivery duration, per-topic subscription
consistency, trace consume statuses) are derived from the same offsets and clients.
"""

import datetime
import zlib

from emulator.scenario import DEFAULT_STORED_AGO, PULL_TYPES, group_topics, is_v5

# The states of a 5.x message for a group, as the emulator derives them; TRACE_WORDS says how a
# trace names each (the API does not enumerate its words).
CONSUMED, FAILED, CONSUMING, NOT_CONSUMED = 'consumed', 'failed', 'consuming', 'not_consumed'
# The words of 5.x traces, per scenario trace_vocabulary. ``published``: the words of the SDK's
# examples (consumeStatus SUCCESS and FAILED, produceStatus SUCCESS, messageSource CONSOLE,
# delayStatus SUCCESS, operateType ADD); ``legacy``: the emulator's earlier words. CONSUMING,
# NOT_CONSUMED and a scheduled message's WAITING are the emulator's in both (nothing is published).
TRACE_WORDS = {
    'published': {CONSUMED: 'SUCCESS', FAILED: 'FAILED', CONSUMING: 'CONSUMING', NOT_CONSUMED: 'NOT_CONSUMED',
                  'produced': 'SUCCESS', 'source': 'CONSOLE', 'scheduled': 'ADD', 'delivered': 'SUCCESS', 'waiting': 'WAITING'},
    'legacy': {CONSUMED: 'CONSUME_SUCCESS', FAILED: 'CONSUME_FAILED', CONSUMING: 'CONSUMING', NOT_CONSUMED: 'NOT_CONSUMED',
               'produced': 'SEND_SUCCESS', 'source': 'NORMAL', 'scheduled': 'ADD', 'delivered': 'SUCCESS', 'waiting': 'WAITING'},
}
# How long after its creation an instance's version was last updated, when the scenario does not say (ms).
VERSION_AFTER_MS = 30 * 24 * 3600 * 1000
# How long a received 5.x message stays invisible to other consumers (ms), as the SDK defaults it.
INVISIBLE_MS = 30000


def entity_time(ms):
    """Epoch ms as the 5.x API writes entity times: ``YYYY-MM-DD HH:mm:ss`` (UTC)."""
    when = datetime.datetime.fromtimestamp(ms / 1000.0, datetime.timezone.utc)
    return when.strftime('%Y-%m-%d %H:%M:%S')


def crc(*parts):
    """A stable 32-bit number derived from ``parts`` (for deterministic defaults)."""
    return zlib.crc32('|'.join(str(p) for p in parts).encode('utf-8'))


def stable_hex(kind, *parts):
    """32 upper-case hex digits derived from ``kind`` and ``parts``: an id the same query always gets (task and scroll ids)."""
    return ''.join('%08X' % crc(kind, part, *parts) for part in range(4))


def _signed32(value):
    return value - (1 << 32) if value >= (1 << 31) else value


def _host_stem(group_id):
    # GID_orders -> orders: what a deployment of that consumer would be called
    stem = group_id[4:] if group_id.upper().startswith(('GID_', 'GID-', 'CID_', 'CID-')) else group_id
    return ''.join(c if c.isalnum() else '-' for c in stem.lower()).strip('-') or 'consumer'


def tag_matches(expression, tag):
    """RocketMQ tag filtering: ``*`` (or empty) matches everything, else ``a || b`` lists tags."""
    expression = (expression or '').strip()
    if expression in ('', '*'):
        return True
    return tag in [t.strip() for t in expression.split('||')]


def is_stalled(group_data):
    """A group consumes nothing while it has no client, or when its consume_tps is set to 0."""
    return not group_data['clients'] or group_data.get('consume_tps') == 0


def stall_ready_ms(history, instance_id, group_id, topic, started_ms):
    """When the oldest message a stalled group has not consumed became ready (timeline ms).

    ``history`` is the list of (at, state) of the timeline up to the current step. Walking
    back from the current step, the stall began at the earliest step in which the group was
    already stalled at the same consumed offset with something unconsumed; the oldest
    unconsumed message was then ``diff / produce_tps`` seconds old (plus the group's
    ``stalled_for``). None when the group is not stalled or nothing is unconsumed.
    """
    anchor = None
    consumed_now = None
    for at, state in reversed(history):
        inst = next((i for i in state['instances'] if i['instance_id'] == instance_id), None)
        group = next((g for g in (inst or {}).get('groups', []) if g['group_id'] == group_id), None)
        top = next((t for t in (inst or {}).get('topics', []) if t['topic'] == topic), None)
        if group is None or top is None or not is_stalled(group):
            break
        consumed = group['offsets'].get(topic, top['max_offset'])
        if consumed_now is None:
            consumed_now = consumed
        elif consumed != consumed_now:
            break
        diff = max(0, top['max_offset'] - consumed)
        if diff == 0:
            break
        anchor = (at, diff, top['produce_tps'], group.get('stalled_for') or 0.0)
    if anchor is None:
        return None
    at, diff, tps, stalled_for = anchor
    return started_ms + int(round((at - stalled_for) * 1000.0 - diff * 1000.0 / tps))


def expression_tags(expression):
    """The tag set of a subscription expression (empty for ``*``)."""
    expression = (expression or '').strip()
    if expression in ('', '*'):
        return []
    return [t.strip() for t in expression.split('||') if t.strip()]


class Client(object):
    """A consumer client with its context-dependent defaults filled in."""

    def __init__(self, data, group, index, started_ms):
        self.data = data
        addr = data.get('client_addr')
        cid = data.get('client_id')
        if addr:
            ip = addr.rsplit(':', 1)[0]
        elif cid and '@' in cid:
            ip = cid.split('@', 1)[0]
        else:
            ip = '10.0.%d.%d' % (group.index + 1, index + 11)
        self.ip = ip
        self.client_addr = addr or '%s:%d' % (ip, 50000 + (crc(group.group_id, index) % 15000))
        self.client_id = cid or '%s@%d#%d#%d#%d' % (
            ip, 1000 + crc('pid', group.group_id, index) % 30000, _signed32(crc('a', group.group_id, index)),
            _signed32(crc('b', group.group_id, index)), 1730000000000000 + crc('c', group.group_id, index) % 10 ** 9)
        v5 = group.instance.v5
        self.language = data.get('language') or ('java' if v5 else 'JAVA')
        self.version = data.get('version') or ('5.0.7' if v5 else 'V4_9_4')
        self.egress_ip = data.get('egress_ip') or ip
        self.hostname = data.get('hostname') or '%s-%07x' % (_host_stem(group.group_id), crc('host', group.group_id, index) % (1 << 28))
        if data.get('subscriptions') is not None:
            self.subscriptions = data['subscriptions']
        else:
            self.subscriptions = group.default_subscriptions
        self.thread_count = data['thread_count']
        self.consume_type = data['consume_type']
        self.start_time = data['start_time'] if data.get('start_time') is not None else started_ms - 3600 * 1000

    def subscription_key(self):
        """What must be identical across a group's clients: topics and expressions, in order."""
        return tuple((s['topic'], s['expression'].strip()) for s in self.subscriptions)


class Group(object):
    """A consumer group, its clients and its derived consumption state."""

    def __init__(self, data, instance, index, started_ms):
        self.data = data
        self.instance = instance
        self.index = index
        self._ready = {}
        self.group_id = data['group_id']
        # the model of the group's clients (connections, subscriptions, 4.x everywhere)
        self.message_model = data['message_model']
        if data.get('subscriptions') is not None:
            self.default_subscriptions = data['subscriptions']
        else:
            self.default_subscriptions = [{'topic': t, 'expression': '*'} for t in data['offsets']]
        self.clients = [Client(c, self, i, started_ms) for i, c in enumerate(data['clients'])]
        self.topics = group_topics(data)
        self.dead_letters = [self._dead_letter(letter, started_ms) for letter in data['dead_letters']]
        create = data['create_time'] if data.get('create_time') is not None else 1700000000000 + crc(self.group_id) % 10 ** 9
        self.create_time = create
        self.update_time = data['update_time'] if data.get('update_time') is not None else create

    def _dead_letter(self, letter, started_ms):
        """A dead letter with its defaults filled in: its original topic (the group's first one),
        its store time (``stored_ago`` seconds before the start) and its born time (3 ms earlier,
        as for messages)."""
        resolved = dict(letter)
        resolved['topic'] = letter['topic'] or self.topics[0]
        store = letter['store_timestamp']
        if store is None:
            ago = letter['stored_ago'] if letter['stored_ago'] is not None else DEFAULT_STORED_AGO
            store = started_ms - int(round(ago * 1000))
        resolved['store_timestamp'] = store
        resolved['born_timestamp'] = store - 3
        return resolved

    @property
    def group_model(self):
        """The model of a 5.x group itself: LITE_SELECTIVE, else CLUSTERING (broadcasting is its clients' choice)."""
        return 'LITE_SELECTIVE' if self.message_model == 'LITE_SELECTIVE' else 'CLUSTERING'

    @property
    def online(self):
        """A group is online when it has at least one client."""
        return bool(self.clients)

    @property
    def subscription_same(self):
        """All clients subscribe to the same topics with the same expressions, in the same order."""
        return len(set(c.subscription_key() for c in self.clients)) <= 1

    @property
    def duplicate_client_ids(self):
        """Client ids used by more than one client of the group."""
        seen, dups = set(), []
        for client in self.clients:
            if client.client_id in seen and client.client_id not in dups:
                dups.append(client.client_id)
            seen.add(client.client_id)
        return dups

    @property
    def rebalance_ok(self):
        """Settable in the scenario; otherwise online, consistent, and no two clients share an id."""
        if self.data.get('rebalance_ok') is not None:
            return self.data['rebalance_ok']
        if not self.online or not self.subscription_same:
            return False
        return self.message_model == 'BROADCASTING' or not self.duplicate_client_ids

    @property
    def consume_type(self):
        """CONSUME_ACTIVELY (pull) if any client pulls (either spelling), else CONSUME_PASSIVELY (push)."""
        if any(c.consume_type in PULL_TYPES for c in self.clients):
            return 'CONSUME_ACTIVELY'
        return 'CONSUME_PASSIVELY'

    def expression_for(self, topic):
        """The expression the broker holds for ``topic``: the last registered client's wins."""
        for client in reversed(self.clients):
            for sub in client.subscriptions:
                if sub['topic'] == topic:
                    return sub['expression']
        for sub in self.default_subscriptions:
            if sub['topic'] == topic:
                return sub['expression']
        return '*'

    def consumed_offset(self, topic):
        """The group's consumed offset in ``topic``; a group without one is caught up."""
        return self.data['offsets'].get(topic, self.instance.topics[topic]['max_offset'])

    def ready_ms(self, topic):
        """Ready time of the oldest unconsumed message of a stalled group (None: not stalled)."""
        if topic not in self._ready:
            world = self.instance.world
            self._ready[topic] = stall_ready_ms(world.history, self.instance.instance_id, self.group_id, topic, world.started_ms)
        return self._ready[topic]

    def topic_detail(self, topic, now_ms):
        """(total diff, delay ms, last timestamp ms) for one topic.

        DelayTime is ``now`` minus the ready time of the oldest unconsumed message. A group
        that consumes keeps pace with its topic, so its oldest unconsumed message is always
        ``diff / produce_tps`` seconds old; a stalled (or offline) group's oldest message
        stays where it is, so its delay grows with the clock.
        """
        top = self.instance.topics[topic]
        consumed = self.consumed_offset(topic)
        diff = max(0, top['max_offset'] - consumed)
        if not diff:
            return 0, 0, (now_ms - int(1000.0 / top['produce_tps']) if consumed > 0 else 0)
        ready = self.ready_ms(topic)
        if ready is None:
            ready = now_ms - int(round(diff * 1000.0 / top['produce_tps']))
        delay = max(0, now_ms - ready)
        last = ready - int(1000.0 / top['produce_tps']) if consumed > 0 else 0
        return diff, delay, last

    def totals(self, now_ms):
        """(total diff, max delay ms, latest last-consumed timestamp ms, per-topic rows)."""
        rows = []
        for topic in self.topics:
            diff, delay, last = self.topic_detail(topic, now_ms)
            rows.append({'Topic': topic, 'TotalDiff': diff, 'DelayTime': delay, 'LastTimestamp': last})
        total = sum(r['TotalDiff'] for r in rows)
        delay = max([r['DelayTime'] for r in rows] or [0])
        last = max([r['LastTimestamp'] for r in rows] or [0])
        return total, delay, last, rows

    @property
    def consume_tps(self):
        """Settable; otherwise an online group consumes as fast as its topics are produced to."""
        if self.data.get('consume_tps') is not None:
            return float(self.data['consume_tps'])
        if not self.online:
            return 0.0
        return float(sum(self.instance.topics[t]['produce_tps'] for t in self.topics))

    def inflight_count(self, topic, diff):
        """5.x: messages of ``topic`` received but not yet acknowledged (part of the lag).

        The scenario's ``inflight`` if set; otherwise nothing while the group is stalled, and
        while it consumes, one message per consume thread of its clients that subscribe.
        Never more than the lag.
        """
        explicit = self.data['inflight'].get(topic)
        if explicit is None:
            if is_stalled(self.data):
                return 0
            explicit = sum(c.thread_count for c in self.clients if any(s['topic'] == topic for s in c.subscriptions))
        return min(diff, explicit)

    def lag_v5(self, topic, now_ms):
        """5.x lag of one topic: ready + inflight = TotalDiff; deliveryDuration = DelayTime in s."""
        diff, delay, last = self.topic_detail(topic, now_ms)
        inflight = self.inflight_count(topic, diff)
        return {'readyCount': diff - inflight, 'inflightCount': inflight, 'deliveryDuration': delay // 1000, 'lastConsumeTimestamp': last}

    def subscribers(self, topic):
        """(client, subscription) of every client that subscribes to ``topic``."""
        return [(c, s) for c in self.clients for s in c.subscriptions if s['topic'] == topic]

    def topic_consistent(self, topic):
        """5.x consistency of one topic: every client subscribes to it with the same expression.

        A group without clients has nothing inconsistent.
        """
        subs = self.subscribers(topic)
        if len(set(id(c) for c, _s in subs)) != len(self.clients):
            return False
        return len(set(s['expression'].strip() for _c, s in subs)) <= 1

    def dead_letter_topic(self):
        """The topic the group's dead letters go to (5.x names it after the group by default)."""
        return self.data.get('dead_letter_topic') or '%%DLQ%%%s' % self.group_id

    def client_diffs(self, total):
        """Split the group's lag across its clients (explicit ``diff`` values win)."""
        diffs = []
        n = len(self.clients)
        for i, client in enumerate(self.clients):
            if client.data.get('diff') is not None:
                diffs.append(client.data['diff'])
            else:
                diffs.append(total // n + (1 if i < total % n else 0))
        return diffs


class Instance(object):
    """An instance with its topics, groups and messages indexed."""

    def __init__(self, data, region, index, started_ms, world=None):
        self.data = data
        self.world = world
        self.region = region
        self.instance_id = data['instance_id']
        self.v5 = is_v5(self.instance_id)
        self.topics = dict((t['topic'], t) for t in data['topics'])
        self.topic_order = [t['topic'] for t in data['topics']]
        self.groups = {}
        self.group_order = []
        for i, g in enumerate(data['groups']):
            group = Group(g, self, i, started_ms)
            self.groups[group.group_id] = group
            self.group_order.append(group)
        self.messages = dict(((m['topic'], m['msg_id']), m) for m in data['messages'])
        self.create_time = data['create_time'] if data.get('create_time') is not None else 1690000000000 + crc(self.instance_id) % 10 ** 9
        self.version_time = data['version_time'] if data.get('version_time') is not None else self.create_time + VERSION_AFTER_MS
        self.index = index

    @property
    def name(self):
        """Instance name (defaults to its id)."""
        return self.data.get('instance_name') or self.instance_id

    def endpoints(self):
        """Endpoints, derived from the instance id and region unless the scenario sets them."""
        iid, region = self.instance_id, self.region
        uid = abs(crc(iid)) % 10 ** 16
        defaults = {
            'TcpEndpoint': 'http://%s.%s.mq-internal.aliyuncs.com:8080' % (iid, region),
            'TcpInternetEndpoint': 'http://%s.mq.%s.aliyuncs.com:80' % (iid, region),
            'HttpInternalEndpoint': 'http://%d.mqrest.%s-internal.aliyuncs.com' % (uid, region),
            'HttpInternetEndpoint': 'http://%d.mqrest.%s.aliyuncs.com' % (uid, region),
            'HttpInternetSecureEndpoint': 'https://%d.mqrest.%s.aliyuncs.com' % (uid, region),
        }
        names = {'tcp_endpoint': 'TcpEndpoint', 'tcp_internet_endpoint': 'TcpInternetEndpoint', 'http_internal_endpoint': 'HttpInternalEndpoint',
                 'http_internet_endpoint': 'HttpInternetEndpoint', 'http_internet_secure_endpoint': 'HttpInternetSecureEndpoint'}
        for key, name in names.items():
            if self.data['endpoints'].get(key):
                defaults[name] = self.data['endpoints'][key]
        return defaults

    def groups_subscribing(self, topic):
        """Groups that subscribe to (or hold an offset in) ``topic``, in scenario order."""
        return [g for g in self.group_order if topic in g.topics]

    def message_timestamps(self, msg, now_ms):
        """(born, store) timestamps: explicit, or derived from the offset and the produce rate."""
        top = self.topics[msg['topic']]
        store = msg.get('store_timestamp')
        if store is None:
            behind = max(0, top['max_offset'] - msg['offset'])
            store = now_ms - int(round(behind * 1000.0 / top['produce_tps']))
        born = msg.get('born_timestamp')
        if born is None:
            born = store - 3
        return born, store

    def track(self, msg, group):
        """The TrackType of ``msg`` for ``group``, mirroring RocketMQ's messageTrackDetail."""
        forced = msg['tracks'].get(group.group_id, msg['tracks'].get('*'))
        if forced:
            return forced
        if not group.online:
            return 'NOT_ONLINE'
        if group.consume_type == 'CONSUME_ACTIVELY':
            return 'PULL'
        if group.message_model == 'BROADCASTING':
            return 'CONSUME_BROADCASTING'
        if group.consumed_offset(msg['topic']) > msg['offset']:
            if not tag_matches(group.expression_for(msg['topic']), msg['tag']):
                return 'CONSUMED_BUT_FILTERED'
            return 'CONSUMED'
        return 'NOT_CONSUME_YET'

    def tracks(self, msg):
        """Tracks of ``msg`` for every group that subscribes to its topic or has one forced."""
        groups = list(self.groups_subscribing(msg['topic']))
        for gid in msg['tracks']:
            if gid in self.groups and self.groups[gid] not in groups:
                groups.append(self.groups[gid])
        return [{'ConsumerGroup': g.group_id, 'TrackType': self.track(msg, g), 'InstanceId': self.instance_id} for g in groups]

    def deliver_ms(self, msg):
        """When a scheduled (delay) message is delivered, in epoch ms; None for a message delivered at once."""
        if msg.get('deliver_at') is not None:
            return msg['deliver_at']
        if msg.get('deliver_in') is not None:
            return self.world.started_ms + int(round(msg['deliver_in'] * 1000))
        return None

    def broker_info(self, msg, now_ms):
        """5.x trace: ``brokerInfo`` of a scheduled message (None for others): its preset time and delay status."""
        due = self.deliver_ms(msg)
        if due is None:
            return None
        words = self.world.trace_words
        _born, store = self.message_timestamps(msg, now_ms)
        status = msg.get('delay_status') or (words['delivered'] if now_ms >= due else words['waiting'])
        return {'delayStatus': status, 'presetDelayTime': entity_time(due),
                'operations': [{'operateType': words['scheduled'], 'operateTime': entity_time(store)}]}

    def consumer_infos(self, msg, now_ms):
        """5.x trace: one entry per group that subscribes to the message's topic and gets it.

        A group whose tag expression excludes the message never receives it (5.x filters on
        the server), so it has no entry, nor has any group while a scheduled message is not due,
        unless the scenario forces its status. The state is the forced ``consume_status`` →
        failed (dead letter) → consumed (offset past the message) → consuming (within the
        inflight messages of an online group) → not consumed; the scenario's trace_vocabulary
        names it (TRACE_WORDS).
        """
        words = self.world.trace_words
        forced_all = msg['consume_status'].get('*')
        groups = list(self.groups_subscribing(msg['topic']))
        for gid in list(msg['consume_status']) + list(msg['dead_letters']):
            if gid in self.groups and self.groups[gid] not in groups:
                groups.append(self.groups[gid])
        _born, store = self.message_timestamps(msg, now_ms)
        due = self.deliver_ms(msg)
        waiting = due is not None and now_ms < due
        infos = []
        for group in groups:
            forced = msg['consume_status'].get(group.group_id, forced_all)
            dead = group.group_id in msg['dead_letters']
            if not forced and (waiting or (not dead and not tag_matches(group.expression_for(msg['topic']), msg['tag']))):
                continue
            consumed = group.consumed_offset(msg['topic'])
            if dead:
                state = FAILED
            elif consumed > msg['offset']:
                state = CONSUMED
            elif group.online and msg['offset'] < consumed + group.inflight_count(msg['topic'], max(0, self.topics[msg['topic']]['max_offset'] - consumed)):
                state = CONSUMING
            else:
                state = NOT_CONSUMED
            if forced:
                # a forced word that names a state has that state's records; any other, one delivery
                state = next((known for known in (CONSUMED, FAILED, NOT_CONSUMED) if words[known] == forced), CONSUMING)
            word = forced or words[state]
            info = {'consumerGroupId': group.group_id, 'consumeStatus': word, 'deadMessage': dead,
                    'records': self._trace_records(msg, group, state, word, dead, store, now_ms)}
            if dead:
                info['deadLetterInfo'] = {'messageId': '%032X' % (crc('dlq', group.group_id, msg['msg_id']) * 7919),
                                          'topicName': group.dead_letter_topic(), 'toDlqTime': entity_time(store + 65000)}
            infos.append(info)
        return infos

    def _trace_records(self, msg, group, state, word, dead, store, now_ms):
        """The receive/ack history of one group, by the client that handled the message.

        The operation types (Receive, Ack, Nack, ToDLQ) are the emulator's: none is published.
        """
        if state == NOT_CONSUMED:
            return []
        if group.clients:
            client = group.clients[crc(msg['msg_id']) % len(group.clients)]
            host, user = client.hostname, client.client_id
        else:
            host, user = '%s-0000000' % _host_stem(group.group_id), ''
        received = store + 20 if state != CONSUMING else now_ms - 1000
        due = self.deliver_ms(msg)
        if due is not None and state != CONSUMING:
            received = max(received, due + 20)

        def op(kind, at, dead_message=False):
            return {'operateType': kind, 'operateTime': entity_time(at), 'invisibleTime': INVISIBLE_MS, 'deadMessage': dead_message}

        if dead:
            # two deliveries that failed, then the move to the dead-letter topic
            operations = [op('Receive', received), op('Nack', received + 15), op('Receive', received + 30000),
                          op('Nack', received + 30015), op('ToDLQ', received + 65000 - 20, True)]
        elif state == CONSUMED:
            operations = [op('Receive', received), op('Ack', received + 12)]
        elif state == FAILED:
            operations = [op('Receive', received), op('Nack', received + 15)]
        else:
            operations = [op('Receive', received)]
        return [{'clientHost': host, 'consumeStatus': word, 'fifoEnable': group.data['delivery_order_type'] == 'Orderly',
                 'userName': user, 'popCk': '%x' % crc('ck', group.group_id, msg['msg_id']), 'operations': operations}]


class World(object):
    """One timeline state, indexed for the operations."""

    def __init__(self, state, started_ms, history=None):
        self.state = state
        self.started_ms = started_ms
        # (at, state) of the timeline up to this state: how long a group has been stalled
        self.history = history if history is not None else [(0.0, state)]
        self.region = state['region']
        # The words of 5.x traces (TRACE_WORDS).
        self.trace_words = TRACE_WORDS[state.get('trace_vocabulary') or 'published']
        # The ONS (4.x) view and the 5.x view: each API sees only its own instances.
        self.instances = []
        self.by_id = {}
        self.v5_instances = []
        self.v5_by_id = {}
        for i, data in enumerate(state['instances']):
            inst = Instance(data, self.region, i, started_ms, self)
            (self.v5_instances if inst.v5 else self.instances).append(inst)
            (self.v5_by_id if inst.v5 else self.by_id)[inst.instance_id] = inst
        self.keys = dict((k['access_key_id'], k) for k in state['keys'])
