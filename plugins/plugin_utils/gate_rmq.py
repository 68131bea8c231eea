# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""RocketMQ 5.x groups and messages in the gate: which instances they are, and their facts as the checks read them.

An instance whose ID starts with ``rmq-`` is a 5.x instance, served by the API ``RocketMQ``
2022-08-01 (module_utils/rmq_queries.py); any other by ONS. The built-in checks read a group's
status as ``ons_consumer_status_info`` gives it; ``status_from_rmq`` builds that status from the
facts of the ``rmq_*`` modules, so that every check has one meaning on both generations:

* lag is ``readyCount + inflightCount``, per topic and in total (as the console shows it);
* delay is ``deliveryDuration`` (seconds, given here in milliseconds as ONS gives ``DelayTime``);
* progress is ``lastConsumeTimestamp``;
* the subscriptions agree when the API says every topic's subscription is ``consistency: true``;
* the message model is the one the clients report; a 5.x group has no rebalance flag.

A rule of a 5.x group reads the facts of the ``rmq_*`` modules themselves: ``connections``,
``lag`` and ``subscriptions``, beside ``status`` (the view above), ``summary`` and ``samples``.
"""

from collections.abc import Mapping

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.generations import GENERATION_4, GENERATION_5, instance_generation
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_model import figure

# Consume statuses of a 5.x trace that mean the group consumed the message; the API does not
# enumerate them, so any other value is not taken for consumed (see gate_checks: unknown).
CONSUMED_STATUSES = ('CONSUME_SUCCESS', 'SUCCESS', 'CONSUMED')
# Statuses that say the group has not consumed it (inferred, as the emulator gives them): they fail
# the check like ONS's NOT_CONSUME_YET. Any other value (CONSUMING, ...) leaves it inconclusive.
NOT_CONSUMED_STATUSES = ('NOT_CONSUMED', 'CONSUME_FAILED')
DEAD_LETTER = 'DEAD_LETTER'


def generation(instance_id):
    """``5.x`` for an instance ID of the 2022-08-01 API (``rmq-...``), else ``4.x`` (ONS, whose errors say which IDs it knows)."""
    return GENERATION_5 if instance_generation(instance_id) == GENERATION_5 else GENERATION_4


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


def trace_from_rmq(trace):
    """The entry of a 5.x message as the message check reads ``ons_trace_info``'s: ``found`` and ``tracks``."""
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
            kind = status or 'UNKNOWN'
        tracks.append({'consumer_group': consumer.get('group_id'), 'track_type': kind})
    return {'msg_id': trace.get('msg_id'), 'topic': trace.get('topic'), 'found': trace.get('found'), 'tracks': tracks,
            'request_id': trace.get('request_id')}
