# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Facts for the gate's unit tests, in the shapes the engine hands to the checks.

A status entry is what module_utils.ons_queries.query_status returns with ``detail=True`` (the same
entry ons_consumer_status_info returns); a trace entry is what query_trace returns; a listing is what
list_groups returns. ``judge`` plans and judges groups the way one attempt of the engine does.
"""

from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils import gate_conditions
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_checks import group_verdicts, message_verdict, needs_status
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_engine import lag_sample, resolve
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_spec import group_plan, message_plan

INSTANCE = 'MQ_INST_1234567890_TEST'
OTHER_INSTANCE = 'MQ_INST_9999999999_TEST'
MSG = '0A0001050000217A000000000000A1B2'
MSG2 = '0A0001050000217A000000000000A1B3'
# 2026-01-01T00:00:00Z, in epoch milliseconds.
LAST_CONSUMED_MS = 1767225600000
ROLE_NAMES = {'groups': 'consumer_health_groups', 'group_defaults': 'consumer_health_',
              'messages': 'message_delivery_messages', 'message_defaults': 'message_delivery_'}


def client(address, version='V4_9_4', language='JAVA', client_id=None):
    """A connection of a status entry."""
    ip = address.split(':')[0]
    return {'client_id': client_id or '%s@%s#1#2#3' % (ip, address.split(':')[1]), 'client_addr': address,
            'language': language, 'version': version, 'remote_ip': ip, 'diff': 0}


def running(topic_name='orders', ok_tps=5.0, failed_tps=0.0, rt=12.0, failed_count_per_hour=None):
    """A row of a client's ``running_data``: what it consumed of one topic in the last minute."""
    per_hour = int(failed_tps * 3600) if failed_count_per_hour is None else failed_count_per_hour
    return {'topic': topic_name, 'ok_tps': ok_tps, 'failed_tps': failed_tps, 'failed_count_per_hour': per_hour, 'rt': rt}


def detail(address, subscriptions, client_id=None, version='V4_9_4', running_data=None):
    """A client of a status entry's ``clients`` (OnsConsumerStatus with Detail), consuming its topics without failures."""
    return {'client_id': client_id or '%s@1#1#2#3' % address.split(':')[0], 'connection': address,
            'consume_model': 'CLUSTERING', 'consume_type': 'CONSUME_PASSIVELY', 'language': 'JAVA',
            'version': version, 'thread_count': 20, 'start_timestamp': 1, 'last_timestamp': 2,
            'subscriptions': [{'topic': topic, 'sub_string': expression, 'sub_version': 1, 'tags': []}
                              for topic, expression in subscriptions],
            'running_data': running_data if running_data is not None else [running(topic) for topic, _expression in subscriptions],
            'jstack': []}


def topic(name, total_diff, delay_time=0, last_timestamp=LAST_CONSUMED_MS):
    """A topic of a status entry's ``topics``."""
    return {'topic': name, 'total_diff': total_diff, 'delay_time': delay_time, 'last_timestamp': last_timestamp}


def status_entry(group_id='GID_orders', connections=None, **overrides):
    """A healthy, caught-up group's status entry, changed by ``overrides``."""
    if connections is None:
        connections = [client('10.0.1.5:53012'), client('10.0.1.6:53020')]
    entry = {
        'group_id': group_id, 'instance_id': INSTANCE, 'online': bool(connections), 'total_diff': 0,
        'delay_time': 0, 'consume_tps': 10.0, 'last_timestamp': LAST_CONSUMED_MS, 'rebalance_ok': True,
        'subscription_same': True, 'consume_model': 'CLUSTERING', 'connections': connections, 'topics': [],
        'clients': [detail(item['client_addr'], [('orders', '*')], item['client_id'], item['version']) for item in connections],
        'request_id': 'REQ-%s' % group_id,
    }
    entry.update(overrides)
    return entry


def listed(group_id, group_type='tcp'):
    """A group of a listing (list_groups, as ons_group_info returns it)."""
    return {'group_id': group_id, 'group_type': group_type, 'instance_id': INSTANCE, 'tags': {}}


def listing(*groups):
    """The answer of list_groups listing ``groups``."""
    return {'groups': list(groups), 'group_ids': [group.get('group_id') if isinstance(group, dict) else None for group in groups],
            'request_id': 'REQ-L'}


def judge(groups, statuses=None, listings=None, samples=None, now_ms=LAST_CONSUMED_MS, names=None, dead_letters=None, **defaults):
    """Plan ``groups`` with ``defaults`` and judge them as one attempt of the engine does.

    ``statuses`` maps a group ID to its status entry (or a Problem); ``listings`` maps the index of a
    ``select`` entry to its listing (or a Problem); ``dead_letters`` a group ID to its dead-letter
    entry (or a Problem). Returns the selections' verdicts, then each group's.
    """
    defaults.setdefault('instance_id', INSTANCE)
    entries = group_plan(groups, defaults, names=names)
    answers = {('select', entries[index]['key']): answer for index, answer in (listings or {}).items()}
    targets, verdicts = resolve(entries, answers)
    verdicts = list(verdicts)
    for instance_id, group_id, entry, group_type in targets:
        status = (statuses or {}).get(group_id) if needs_status(entry, group_type) else None
        verdicts.extend(group_verdicts(instance_id, group_id, entry, group_type, status, samples, now_ms,
                                       gate_conditions.evaluate, (dead_letters or {}).get(group_id)))
    return verdicts


def letters(*stored_ms, begin_ms=LAST_CONSUMED_MS - 3600000, end_ms=LAST_CONSUMED_MS, complete=True, **extra):
    """A dead-letter entry as ons_queries.list_dead_letters returns it, with a letter stored at each of ``stored_ms``."""
    messages = [{'msg_id': '0A00010500002A9F%016X' % index, 'topic': 'orders', 'instance_id': INSTANCE, 'store_timestamp': stored,
                 'reconsume_times': 16} for index, stored in enumerate(stored_ms)]
    entry = {'group_id': 'GID_orders', 'instance_id': INSTANCE, 'begin_time': begin_ms, 'end_time': end_ms,
             'count': len(messages), 'complete': complete, 'messages': messages, 'request_id': 'REQ-D'}
    entry.update(extra)
    return entry


def by_check(verdicts, subject='GID_orders'):
    return {verdict['check']: verdict for verdict in verdicts if verdict['subject'] == subject}


def samples_of(*statuses, every=10):
    """The lag samples the engine takes of ``statuses``, one attempt ``every`` seconds apart."""
    return [lag_sample(status, index * every) for index, status in enumerate(statuses)]


def track(group, kind):
    """A track of a trace entry."""
    return {'consumer_group': group, 'track_type': kind, 'instance_id': INSTANCE}


def trace_entry(msg_id=MSG, tracks=None, found=True, topic_name='orders'):
    """A trace entry as query_trace returns it; ``found`` false for a message the API does not have."""
    return {'msg_id': msg_id, 'topic': topic_name, 'found': found, 'tracks': tracks if tracks is not None else [],
            'request_id': 'REQ-T'}


def deliver(messages, answers, **defaults):
    """Plan ``messages`` and judge each with its answer (``answers`` by msg_id: a trace entry or a Problem)."""
    defaults.setdefault('instance_id', INSTANCE)
    planned = message_plan(messages, defaults, names={'messages': 'message_delivery_messages'})
    return [message_verdict(message, answers.get(message['msg_id'])) for message in planned]
