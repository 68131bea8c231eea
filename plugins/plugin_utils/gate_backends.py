# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# FOR INTERNAL COLLECTION USE ONLY: the interfaces of this file serve the apsaramq.rocketmq collection
# and may change in any release; modules, plugins and roles are the public interface.

"""One backend per API generation: what the gate reads of an instance and how, decided once per instance.

An instance is served by one management API (module_utils/apis.py): ``rmq-...`` by ``RocketMQ``
2022-08-01 (5.x, module_utils/rmq_queries.py), any other by ONS (4.x, module_utils/ons_queries.py).
``backend_for(instance_id)`` gives that API's backend, and the rest of the gate asks it rather
than branching on the generation:

* the plan (gate_spec): ``check_entry`` refuses what a group of the API's instances cannot be;
* the checks (gate_checks): ``not_given(check)`` says why a built-in check has no meaning on the
  API (its verdict is then ``not_applicable``, with that reason), ``rule_facts(status)`` which facts
  the rules of its groups read beside the status;
* the reads (gate_engine.Facts), with the client and the queries the backend was made with:
  ``select`` (the groups a selection lists), ``status`` (a group's status, from the calls its
  checks need), ``status_calls`` (how many calls that is at most, for the deadline of a round of
  reads), ``dead_letters`` (a group's dead letters in a window, ``dead_letter_calls`` calls at
  most) and ``trace`` (a message's). Each returns ``(what, function)``: the module whose facts it
  reads, named when it fails, and the call that reads them.

The built-in checks read a group's status as ``ons_consumer_status_info`` gives it, and a message's
trace as ``ons_trace_info`` does; the 5.x backend builds both from the facts of the ``rmq_*``
modules (``status_from_rmq``, ``trace_from_rmq``), so that every check has one meaning on both
generations:

* lag is ``readyCount + inflightCount``, per topic and in total (as the console shows it);
* delay is ``deliveryDuration`` (seconds, given here in milliseconds as ONS gives ``DelayTime``);
* progress is ``lastConsumeTimestamp``;
* the subscriptions agree when the API says every topic's subscription is ``consistency: true``;
* the message model is the one the clients report; a 5.x group has no rebalance flag;
* the 5.x API gives no per-client consume figures (what each client consumed, failed and took), so
  the failure and canary checks have no meaning there; the dead letters stand in for them, read
  from the group's dead-letter topic (``consumeRetryPolicy.deadLetterTargetTopic``).

A rule of a 5.x group reads the facts of the ``rmq_*`` modules themselves: ``connections``,
``lag`` and ``subscriptions``, beside ``status`` (the view above), ``summary`` and ``samples``.

This file imports no other part of the gate but gate_model, so that the plan, the checks and the
report can all ask it.
"""

from collections.abc import Mapping

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.apis import ONS, RMQ, api_or_ons
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_model import LAG, RULES, SAMPLES, fail, figure

# Consume statuses of a 5.x trace that mean the group consumed the message: SUCCESS is the word of the
# API's published examples, the others inferred. The API does not enumerate them, so any other value
# is not taken for consumed (see gate_checks: unknown).
CONSUMED_STATUSES = ('SUCCESS', 'CONSUME_SUCCESS', 'CONSUMED')
# Statuses that say the group failed to consume it: FAILED is the published word, CONSUME_FAILED
# inferred. They fail the check, naming the group and the word.
FAILED_STATUSES = ('FAILED', 'CONSUME_FAILED')
# Statuses that say the group has not consumed it (inferred, as the emulator gives them): they fail
# the check like ONS's NOT_CONSUME_YET. Any other value (CONSUMING, ...) leaves it inconclusive.
NOT_CONSUMED_STATUSES = ('NOT_CONSUMED',) + FAILED_STATUSES
DEAD_LETTER = 'DEAD_LETTER'
# The key of a 5.x status that holds the rmq_* facts its rules read (RmqBackend.rule_facts).
RMQ_FACTS = 'rmq'


class Backend:
    """What the gate reads of the instances of one API (``api``), and how; see the module docstring.

    Made without a client, a backend answers for the plan and the checks; made with the API's
    client and its queries module, it reads too.
    """

    api = None
    # The calls of a group's status at most, and of its dead letters, a listing's further pages aside.
    status_calls = 1
    dead_letter_calls = 1

    def __init__(self, client=None, queries=None, time_zone=None):
        """``time_zone``: the zone of the API's times, for an API whose times carry none (gate option ``rmq_time_zone``)."""
        self.client = client
        self.queries = queries
        self.time_zone = time_zone

    def __repr__(self):
        return '<%s %s>' % (type(self).__name__, 'reading' if self.client is not None else 'not reading')

    @property
    def generation(self):
        """The RocketMQ generation of the API's instances, as the gate names it (``4.x``, ``5.x``)."""
        return self.api.generation

    def check_entry(self, entry, where):
        """Refuse (GateInputError naming ``where``) a group entry of the plan that no group of this API can be."""

    def not_given(self, check_name):
        """Why the built-in check ``check_name`` has no meaning on this API, or None when it has."""
        del check_name

    def rule_facts(self, status):
        """The facts a rule of a group reads beside its ``status``, taken out of that status dict."""
        del status
        return {}

    def select(self, instance_id, selector):
        """``(what, function)``: the groups of ``instance_id`` that ``selector`` (gate_spec) lists, as ``{'groups': [...]}``."""
        raise NotImplementedError

    def status(self, instance_id, group_id, wanted):
        """``(what, function)``: the status of a group, with what ``wanted`` (gate_checks.wanted) says its checks and rules read."""
        raise NotImplementedError

    def dead_letters(self, instance_id, group_id, begin_ms, end_ms, enough):
        """``(what, function)``: the group's dead letters stored from ``begin_ms`` to ``end_ms``, reading no further than ``enough`` of them."""
        raise NotImplementedError

    def trace(self, instance_id, topic, msg_id, begin_ms=None, end_ms=None):
        """``(what, function)``: the trace of a message as the message check reads it (``found`` and ``tracks``).

        ``begin_ms`` and ``end_ms`` are the window the message was stored in, for an API that asks for one.
        """
        raise NotImplementedError


class OnsBackend(Backend):
    """RocketMQ 4.x instances, through ONS: the facts are those of the ``ons_*`` modules as they are."""

    api = ONS

    def select(self, instance_id, selector):
        return 'ons_group_info', lambda: self.queries.list_groups(
            self.client, instance_id, group_id=selector['group_id'], group_type=selector['group_type'] or 'all',
            tags=selector['tags'])

    def status(self, instance_id, group_id, wanted):
        # OnsConsumerStatus with Detail gives the clients, their subscriptions and the lag per topic:
        # one call, whatever the checks read (so OnsConsumerAccumulate is never asked).
        del wanted
        return 'ons_consumer_status_info', lambda: self.queries.query_status(self.client, instance_id, group_id, detail=True)

    def dead_letters(self, instance_id, group_id, begin_ms, end_ms, enough):
        # OnsDLQMessagePageQueryByGroupId, a page at a time (TaskId) until enough are found.
        return 'ons_dead_letter_info', lambda: self.queries.list_dead_letters(
            self.client, instance_id, group_id, begin_ms, end_ms, enough=enough)

    def trace(self, instance_id, topic, msg_id, begin_ms=None, end_ms=None):
        # OnsMessageTrace takes no window.
        return 'ons_trace_info', lambda: self.queries.query_trace(self.client, instance_id, topic, msg_id)


class RmqBackend(Backend):
    """RocketMQ 5.x instances (``rmq-...``), through the 2022-08-01 API: its facts translated to those the checks read."""

    api = RMQ
    # ListConsumerConnections, GetConsumerGroupLag and ListConsumerGroupSubscriptions (``status``);
    # GetConsumerGroup (its dead-letter topic, once per gate) and ListMessages (``dead_letters``).
    status_calls = 3
    dead_letter_calls = 2
    # Built-in checks whose facts the 5.x API does not give, and why.
    NOT_GIVEN = {
        'rebalance_ok': 'the RocketMQ 5.x API does not say whether the queues are balanced',
        'max_failed_percent': ('the RocketMQ 5.x API gives no per-client consume or failure figures; max_dead_letters, '
                               'max_delay_seconds and the traces of messages stand in for them'),
        'canary_max_rt_ratio': 'the RocketMQ 5.x API gives no per-client consume times to compare versions by',
        'canary_min_tps_ratio': 'the RocketMQ 5.x API gives no per-client throughput to compare versions by',
    }

    def __init__(self, client=None, queries=None, time_zone=None):
        super().__init__(client, queries, time_zone)
        # The dead-letter topic of each group read so far: it does not change during a gate.
        self.dead_letter_topics = {}
    # What needs each call beyond the connections: a check of these reads, or of these names.
    NEEDS_LAG = (LAG, SAMPLES, RULES)
    NEEDS_SUBSCRIPTIONS = ('subscription_consistent', RULES)

    def check_entry(self, entry, where):
        """Refuse what a group of a 5.x instance cannot be: 5.x has no HTTP consumers, and lists groups without tags."""
        if entry['group_type'] == 'http':
            fail(where + '.group_type', 'RocketMQ 5.x has no HTTP consumer groups; instance %s is a 5.x instance' % entry['instance_id'])
        if entry['select'] is not None:
            if entry['select']['tags']:
                fail(where + '.select.tags', 'the RocketMQ 5.x API lists consumer groups without their tags: select them by group_id')
            if entry['select']['group_type'] == 'http':
                fail(where + '.select.group_type', 'RocketMQ 5.x has no HTTP consumer groups; instance %s is a 5.x instance'
                     % entry['instance_id'])

    def not_given(self, check_name):
        return self.NOT_GIVEN.get(check_name)

    def rule_facts(self, status):
        found = status.pop(RMQ_FACTS, None)
        if not isinstance(found, Mapping):
            return {}
        return {'lag': found.get('lag'), 'subscriptions': found.get('subscriptions')}

    def select(self, instance_id, selector):
        return 'rmq_consumer_group_info', lambda: self._groups(instance_id, selector['group_id'])

    def _groups(self, instance_id, group_id):
        listing = self.queries.list_consumer_groups(self.client, instance_id, filter=group_id)
        # Every 5.x consumer group is a TCP group (gRPC or remoting clients).
        return {'groups': [dict(group, group_type='tcp') for group in listing['groups']]}

    def status(self, instance_id, group_id, wanted):
        return 'rmq_consumer_connection_info', lambda: self._status(instance_id, group_id, wanted)

    def _status(self, instance_id, group_id, wanted):
        """A 5.x group's status (status_from_rmq), from the calls its checks and rules need."""
        def call(what, function):
            try:
                return function(self.client, instance_id, group_id)
            except Exception as exc:
                # The job reads three modules' facts: its error names the one that failed (Facts.gather).
                exc.gate_what = what
                raise

        connections = call('rmq_consumer_connection_info', self.queries.list_connections)
        lag = subscriptions = None
        if any(item in wanted for item in self.NEEDS_LAG):
            lag = call('rmq_consumer_lag_info', self.queries.get_lag)
        if any(item in wanted for item in self.NEEDS_SUBSCRIPTIONS):
            subscriptions = call('rmq_consumer_subscription_info', self.queries.list_subscriptions)
        status = status_from_rmq(instance_id, group_id, connections, lag, subscriptions)
        status[RMQ_FACTS] = {'lag': lag, 'subscriptions': subscriptions}
        return status

    def dead_letters(self, instance_id, group_id, begin_ms, end_ms, enough):
        return 'rmq_dead_letter_info', lambda: self._dead_letters(instance_id, group_id, begin_ms, end_ms, enough)

    def _dead_letters(self, instance_id, group_id, begin_ms, end_ms, enough):
        """The group's dead letters; its dead-letter topic is asked once (GetConsumerGroup), then read from memory."""
        key = (instance_id, group_id)
        if key in self.dead_letter_topics and self.dead_letter_topics[key] is None:
            # No dead-letter topic: nothing to read (the check is not applicable).
            entry = self.queries.dead_letter_entry(instance_id, group_id, begin_ms, end_ms)
            entry.update(complete=True, time_zone=self.time_zone)
            return entry
        found = self.queries.list_dead_letters(self.client, instance_id, group_id, begin_ms, end_ms, enough=enough,
                                               topic=self.dead_letter_topics.get(key), time_zone=self.time_zone)
        self.dead_letter_topics[key] = found['dead_letter_topic']
        return found

    def trace(self, instance_id, topic, msg_id, begin_ms=None, end_ms=None):
        # The window ends at the attempt, the gate's now: whether a scheduled message is due is judged then.
        return 'rmq_trace_info', lambda: trace_from_rmq(self.queries.get_trace(
            self.client, instance_id, topic, msg_id, begin_ms, end_ms, time_zone=self.time_zone, now_ms=end_ms))


# One backend per API of module_utils/apis.py, in the order of apis.APIS.
BACKENDS = (OnsBackend, RmqBackend)
# The backends that read nothing: they answer for the plan, the checks and the report.
_UNBOUND = dict((backend.api.key, backend()) for backend in BACKENDS)


def backend_for(instance_id, backends=None):
    """The backend of the API that serves ``instance_id``, from ``backends`` (as ``bind`` returns them) or one that reads nothing.

    The API is apis.api_or_ons's: ONS for an ID of neither form, which ONS then refuses by name.
    """
    return (backends or _UNBOUND)[api_or_ons(instance_id).key]


def bind(readers):
    """The backend of every API, by its key; each reads with the ``(client, queries[, time_zone])`` of ``readers`` under that key, if any."""
    return dict((backend.api.key, backend(*readers.get(backend.api.key, (None, None)))) for backend in BACKENDS)


def needed_apis(instance_ids):
    """The APIs that serve ``instance_ids``, each once, in the order of apis.APIS: the clients a gate needs."""
    keys = {api_or_ons(instance_id).key for instance_id in instance_ids}
    return [backend.api for backend in BACKENDS if backend.api.key in keys]


def generation(instance_id):
    """The generation of ``instance_id`` (``5.x`` for ``rmq-...``, else ``4.x``), for what the gate says of it.

    What the gate does with an instance is its backend's to answer (backend_for): never branch on this.
    """
    return backend_for(instance_id).generation


# ---------------------------------------------------------------------------------------------
# 5.x facts as the checks read them


def _lag(row):
    """``readyCount + inflightCount`` of a lag row, or None when either is not a figure."""
    if not isinstance(row, Mapping):
        return None
    ready, inflight = row.get('ready_count'), row.get('inflight_count')
    if not figure(ready) or not figure(inflight):
        return None
    return int(ready) + int(inflight)


def _delay_ms(row):
    seconds = row.get('delivery_duration') if isinstance(row, Mapping) else None
    return int(round(seconds * 1000)) if figure(seconds) else None


def status_from_rmq(instance_id, group_id, connections, lag=None, subscriptions=None):
    """The status the checks read, from a group's entries of list_connections, get_lag and list_subscriptions.

    ``lag`` and ``subscriptions`` are None when no check needs them (their figures are then None).
    Each connection keeps every field of ``rmq_consumer_connection_info`` and gains ``client_addr``
    (its egress IP, else its host name), by which offender lines name a client.
    """
    clients = [dict(item, client_addr=item.get('egress_ip') or item.get('hostname'))
               for item in connections.get('connections') or [] if isinstance(item, Mapping)]
    total = (lag or {}).get('total_lag') or {}
    topics = [{'topic': row.get('topic'), 'total_diff': _lag(row), 'delay_time': _delay_ms(row),
               'last_timestamp': row.get('last_consume_timestamp')}
              for row in (lag or {}).get('topics') or [] if isinstance(row, Mapping)]
    same, inconsistent = None, []
    if subscriptions is not None:
        rows = [row for row in subscriptions.get('subscriptions') or [] if isinstance(row, Mapping)]
        inconsistent = sorted(str(row.get('topic')) for row in rows if row.get('consistency') is False)
        if inconsistent:
            same = False
        elif rows and all(row.get('consistency') is True for row in rows):
            same = True
    models = sorted({str(item['message_model']).upper() for item in clients if item.get('message_model')})
    return {
        'group_id': group_id,
        'instance_id': instance_id,
        'online': bool(clients) if connections.get('online') is None else connections.get('online'),
        'total_diff': _lag(total),
        'delay_time': _delay_ms(total),
        'consume_tps': None,
        'last_timestamp': total.get('last_consume_timestamp'),
        'rebalance_ok': None,
        'subscription_same': same,
        'inconsistent_topics': inconsistent,
        'consume_model': models[0] if len(models) == 1 else None,
        'connections': clients,
        'topics': topics,
        'clients': [],
        'request_id': connections.get('request_id'),
    }


def not_due(trace):
    """What the message check says of a scheduled 5.x message that no group can have consumed yet, or None.

    A message whose delivery time (``preset_delay_time``) has not come has no consumer record:
    ``scheduled for <time>, not due``, or ``perhaps not due`` when the zone of the API's times is
    not known and leaves it open (rmq_queries.get_trace: ``due`` None). None once it is due, or
    once any group has a record of it.
    """
    consumers = [consumer for consumer in trace.get('consumers') or [] if isinstance(consumer, Mapping)]
    if not trace.get('scheduled') or trace.get('due') is True or any(consumer.get('records') for consumer in consumers):
        return None
    if trace.get('due') is False:
        return 'scheduled for %s, not due' % trace.get('preset_delay_time')
    return ('scheduled for %s, perhaps not due (the zone of the API\'s times is not known: set rmq_time_zone)'
            % trace.get('preset_delay_time'))


def trace_from_rmq(trace):
    """The entry of a 5.x message as the message check reads ``ons_trace_info``'s: ``found``, ``tracks`` and ``not_due``.

    A group's consume status becomes its track: a consumed one CONSUMED, a failed one (FAILED,
    CONSUME_FAILED) itself, NOT_CONSUMED the ONS NOT_CONSUME_YET, a dead message DEAD_LETTER, and
    any other word ``UNKNOWN:<word>``, which the check does not know (inconclusive, naming the word),
    even a word that is one of the ONS tracks: it means nothing the 5.x API is known to say.
    ``not_due`` is not_due's text; ``begin_time`` and ``end_time`` the window it was looked for in.
    """
    tracks = []
    for consumer in trace.get('consumers') or []:
        if not isinstance(consumer, Mapping):
            tracks.append({'consumer_group': None, 'track_type': 'UNKNOWN'})
            continue
        status = str(consumer.get('consume_status') or '').upper()
        if consumer.get('dead_message'):
            kind = DEAD_LETTER
        elif status in CONSUMED_STATUSES:
            kind = 'CONSUMED'
        elif status in NOT_CONSUMED_STATUSES:
            kind = 'NOT_CONSUME_YET' if status == 'NOT_CONSUMED' else status
        else:
            kind = 'UNKNOWN:%s' % status if status else 'UNKNOWN'
        tracks.append({'consumer_group': consumer.get('group_id'), 'track_type': kind})
    return {'msg_id': trace.get('msg_id'), 'topic': trace.get('topic'), 'found': trace.get('found'), 'tracks': tracks,
            'not_due': not_due(trace), 'begin_time': trace.get('begin_time'), 'end_time': trace.get('end_time'),
            'request_id': trace.get('request_id')}
