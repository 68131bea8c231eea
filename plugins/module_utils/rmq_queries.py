# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# FOR INTERNAL COLLECTION USE ONLY: the interfaces of this file serve the apsaramq.rocketmq collection
# and may change in any release; modules, plugins and roles are the public interface.

"""The questions the collection asks the RocketMQ 5.x API (``RocketMQ`` 2022-08-01), and the entries it makes of the answers.

Each function takes an RmqClient (anything with ``get`` and ``get_pages``) and plain values, so that
the ``rmq_*`` info modules and the controller-side gate ask the same questions and read the
answers the same way. Entries are snake_case dicts; a value the API leaves out is None. Nothing
here needs an AnsibleModule: a failed call raises ApiError (the ONS client's errors, shared), an
answer that cannot be read InvalidAnswerError.

Which API serves an instance is told by its ID: ``rmq-...`` is a 5.x instance, served only by this
API; ``MQ_INST_...`` a 4.x one, served by ONS (see wrong_generation).
"""

import time
from datetime import datetime, timedelta, timezone

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.errors import ApiError, InvalidAnswerError
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.apis import GENERATION_4, GENERATION_5, RMQ, api_of
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.response import (
    DEFAULT_LATEST_MS,
    EARLIEST_MS,
    get_list,
    get_object,
    get_scalar,
    get_strings,
)
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.rmq_client import request_id_of
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.time_windows import (
    EASTMOST_OFFSET,
    EPOCH,
    WESTMOST_OFFSET,
    check_window,
    parse_time_zone,
)

LIST_INSTANCES = "ListInstances"
GET_INSTANCE = "GetInstance"
LIST_CONSUMER_GROUPS = "ListConsumerGroups"
GET_CONSUMER_GROUP = "GetConsumerGroup"
LIST_CONNECTIONS = "ListConsumerConnections"
GET_LAG = "GetConsumerGroupLag"
LIST_SUBSCRIPTIONS = "ListConsumerGroupSubscriptions"
GET_SUBSCRIPTION = "GetConsumerGroupSubscription"
GET_TRACE = "GetTrace"
LIST_MESSAGES = "ListMessages"

# Page sizes: ListInstances takes 10 to 200, ListConsumerGroups 10 to 100. ListMessages publishes
# no range; its documented example answers pages of 50.
INSTANCE_PAGE_SIZE = 100
GROUP_PAGE_SIZE = 100
MESSAGE_PAGE_SIZE = 50
# The API's times, such as ListMessages' startTime and storeTime: a wall clock without a zone, and
# the zone is not published. Unknown, it is one of the zones in use, from UTC-12:00 to UTC+14:00.
API_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_MINUTE_MS = 60 * 1000
_SECOND_MS = 1000

# The module of the other API that answers what a module answers, for a user who gave an instance
# of the other generation; the first one named is the one to use.
COUNTERPARTS = {
    "ons_consumer_connection_info": ("rmq_consumer_connection_info",),
    "ons_consumer_accumulate_info": ("rmq_consumer_lag_info",),
    "ons_consumer_status_info": ("rmq_consumer_lag_info", "rmq_consumer_connection_info", "rmq_consumer_subscription_info"),
    "ons_group_info": ("rmq_consumer_group_info",),
    "ons_group_subscription_info": ("rmq_consumer_subscription_info",),
    "ons_instance_info": ("rmq_instance_info",),
    "ons_message_info": ("rmq_trace_info",),
    "ons_trace_info": ("rmq_trace_info",),
    "rmq_consumer_connection_info": ("ons_consumer_connection_info",),
    "rmq_consumer_lag_info": ("ons_consumer_accumulate_info", "ons_consumer_status_info"),
    "rmq_consumer_subscription_info": ("ons_group_subscription_info",),
    "rmq_consumer_group_info": ("ons_group_info",),
    "rmq_instance_info": ("ons_instance_info",),
    "rmq_trace_info": ("ons_trace_info",),
    "ons_dead_letter_info": ("rmq_dead_letter_info",),
    "rmq_dead_letter_info": ("ons_dead_letter_info",),
}
# The rules of names are the API's (apis.RMQ.names).
NAME_RULES = RMQ.names
# Subjects of a not-found code with which GetTrace says the message does not exist (rather than
# the instance or the topic): Message.NotFound, Trace.NotExisted ...
MISSING_MESSAGE_SUBJECTS = frozenset(["Message", "Msg", "Trace", "MessageTrace"])


# ---------------------------------------------------------------------------------------------
# Which API, and the client


def wrong_generation(module_name, option, instance_id):
    """Return why module ``module_name`` (``ons_...`` or ``rmq_...``) cannot query ``instance_id``, or None when it can.

    An ``ons_*`` module serves 4.x instances only and an ``rmq_*`` module 5.x ones only; the
    message names the option, the instance's generation and the module to use instead.
    """
    api = api_of(instance_id)
    generation = api.generation if api else None
    if module_name.startswith("ons_") and generation == GENERATION_5:
        api = "an ApsaraMQ for RocketMQ 5.x instance, which the ONS API (4.x instances, MQ_INST_...) does not serve"
    elif module_name.startswith("rmq_") and generation == GENERATION_4:
        api = "an ApsaraMQ for RocketMQ 4.x instance, which the RocketMQ 5.x API (rmq-... instances) does not serve"
    else:
        return None
    others = ["apsaramq.rocketmq.%s" % name for name in COUNTERPARTS.get(module_name, ())]
    if not others:
        advice = "no module of this collection reads it"
    elif len(others) == 1:
        advice = "use %s instead" % others[0]
    else:
        advice = "use %s instead (%s for the rest of what %s tells)" % (others[0], " and ".join(others[1:]), module_name)
    return "%s %r is %s: %s" % (option, instance_id, api, advice)


def check_name(what, value, kind):
    """Return ``value`` if it is a valid 5.x name of ``kind`` (apis.RMQ.check_name); else raise ValueError naming ``what``."""
    return RMQ.check_name(kind, value, what)


# ---------------------------------------------------------------------------------------------
# Reading fields


def _text(item, key, request_id):
    return get_scalar(item, key, str, request_id=request_id)


def _flag(item, key, request_id):
    return get_scalar(item, key, bool, request_id=request_id)


def _count(item, key, request_id):
    """An int field that counts or measures (messages, seconds, groups): never negative."""
    value = get_scalar(item, key, int, request_id=request_id)
    if value is not None and value < 0:
        raise InvalidAnswerError("%s is %r: it counts or measures something and cannot be negative" % (key, value),
                                 request_id=request_id)
    return value


def _epoch_ms(item, key, request_id):
    """An epoch time in milliseconds: 0 (never) or a plausible date; a negative value (such as -1) is None.

    The SDK types these times as plain integers: a negative one, which the API may send for "none",
    is no time, and never makes the answer unreadable.
    """
    value = get_scalar(item, key, int, request_id=request_id)
    if value is not None and value < 0:
        return None
    if value is not None and value != 0 and not EARLIEST_MS <= value < DEFAULT_LATEST_MS:
        raise InvalidAnswerError("%s is %r, not a plausible time in epoch milliseconds (0, or from %d to %d)" % (
            key, value, EARLIEST_MS, DEFAULT_LATEST_MS), request_id=request_id)
    return value


def _integer(item, key, request_id):
    """An int field the SDK types as a plain integer, taken as it comes: -1 (which may mean none or no limit) included."""
    return get_scalar(item, key, int, request_id=request_id)


def _tags(item, request_id):
    """``tags[] {key, value}`` as a dict; missing gives ``{}``."""
    tags = {}
    for tag in get_list(item, "tags", request_id=request_id):
        key = _text(tag, "key", request_id)
        if not key:
            raise InvalidAnswerError("tags holds a tag without a key", request_id=request_id)
        tags[key] = _text(tag, "value", request_id)
    return tags


def _data(body, request_id):
    return get_object(body, "data", required=True, request_id=request_id)


def _group_path(instance_id, group_id, *rest):
    return ["instances", instance_id, "consumerGroups", group_id] + list(rest)


# ---------------------------------------------------------------------------------------------
# ListConsumerConnections (rmq_consumer_connection_info)


def connection_entry(instance_id, group_id, request_id=None):
    """Return the connections entry of a group without clients online, or whose query failed."""
    return {"group_id": group_id, "instance_id": instance_id, "online": False, "connections": [], "request_id": request_id}


def _shape_client(item, request_id):
    return {
        "client_id": _text(item, "clientId", request_id),
        "hostname": _text(item, "hostname", request_id),
        "egress_ip": _text(item, "egressIp", request_id),
        "language": _text(item, "language", request_id),
        "version": _text(item, "version", request_id),
        "message_model": _text(item, "messageModel", request_id),
    }


def list_connections(client, instance_id, group_id):
    """Ask ListConsumerConnections which clients of a group are online.

    Returns ``{group_id, instance_id, online, connections: [{client_id, hostname, egress_ip,
    language, version, message_model}], request_id}``; ``online`` says whether any client is
    listed (a group without clients is not an error). Raises ApiError when the call fails or the
    answer cannot be read (an unknown group: ``ConsumerGroup.NotFound``).
    """
    body = client.get(LIST_CONNECTIONS, _group_path(instance_id, group_id, "connections"))
    request_id = request_id_of(body)
    data = _data(body, request_id)
    entry = connection_entry(instance_id, group_id, request_id)
    entry["connections"] = [_shape_client(item, request_id)
                            for item in get_list(data, "connections", request_id=request_id)]
    entry["online"] = bool(entry["connections"])
    return entry


# ---------------------------------------------------------------------------------------------
# GetConsumerGroupLag (rmq_consumer_lag_info)


def lag_figures(row=None, request_id=None):
    """Return ``{ready_count, inflight_count, delivery_duration, last_consume_timestamp}`` of a lag object (all None without one)."""
    row = row or {}
    return {
        "ready_count": _count(row, "readyCount", request_id),
        "inflight_count": _count(row, "inflightCount", request_id),
        "delivery_duration": _count(row, "deliveryDuration", request_id),
        "last_consume_timestamp": _epoch_ms(row, "lastConsumeTimestamp", request_id),
    }


def lag_entry(instance_id, group_id, request_id=None):
    """Return the lag entry of a group whose figures are unknown (its query failed): every figure None, not 0."""
    return {"group_id": group_id, "instance_id": instance_id, "total_lag": lag_figures(), "topics": [],
            "request_id": request_id}


def get_lag(client, instance_id, group_id, topic=None):
    """Ask GetConsumerGroupLag how far behind a group is, in total and per topic (only ``topic`` when given).

    Returns ``{group_id, instance_id, total_lag: {ready_count, inflight_count, delivery_duration,
    last_consume_timestamp}, topics: [{topic, ...the same figures}], request_id}``, topics sorted
    by name. The lag the console shows is ``ready_count + inflight_count``; ``delivery_duration``
    is in seconds, ``last_consume_timestamp`` in epoch milliseconds. Raises ApiError when the call
    fails or the answer cannot be read.
    """
    body = client.get(GET_LAG, _group_path(instance_id, group_id, "lag"), {"topicName": topic})
    request_id = request_id_of(body)
    data = _data(body, request_id)
    entry = lag_entry(instance_id, group_id, request_id)
    entry["total_lag"] = lag_figures(get_object(data, "totalLag", request_id=request_id), request_id)
    per_topic = get_object(data, "topicLagMap", request_id=request_id) or {}
    topics = []
    for name in sorted(per_topic):
        row = per_topic[name]
        if row is not None and not isinstance(row, dict):
            raise InvalidAnswerError("topicLagMap.%s is a %s, not an object" % (name, type(row).__name__),
                                     request_id=request_id)
        topics.append(dict(topic=name, **lag_figures(row, request_id)))
    entry["topics"] = topics
    return entry


# ---------------------------------------------------------------------------------------------
# ListConsumerGroupSubscriptions and GetConsumerGroupSubscription (rmq_consumer_subscription_info)


def subscription_entry(instance_id, group_id, request_id=None):
    """Return the subscriptions entry of a group with nothing known of it (its query failed)."""
    return {"group_id": group_id, "instance_id": instance_id, "subscriptions": [], "request_id": request_id}


def list_subscriptions(client, instance_id, group_id):
    """Ask ListConsumerGroupSubscriptions what a group subscribes to, topic by topic.

    Returns ``{group_id, instance_id, subscriptions: [{topic, filter_expression,
    filter_expression_type, message_model, subscription_status, topic_created, consistency}],
    request_id}``; ``consistency`` is the server's word on whether every client subscribes to the
    topic alike. Raises ApiError when the call fails or the answer cannot be read.
    """
    body = client.get(LIST_SUBSCRIPTIONS, _group_path(instance_id, group_id, "subscriptions"))
    request_id = request_id_of(body)
    entry = subscription_entry(instance_id, group_id, request_id)
    entry["subscriptions"] = [{
        "topic": _text(item, "topicName", request_id),
        "filter_expression": _text(item, "filterExpression", request_id),
        "filter_expression_type": _text(item, "filterExpressionType", request_id),
        "message_model": _text(item, "messageModel", request_id),
        "subscription_status": _text(item, "subscriptionStatus", request_id),
        "topic_created": _flag(item, "topicCreated", request_id),
        "consistency": _flag(item, "consistency", request_id),
    } for item in get_list(body, "data", request_id=request_id)]
    return entry


def get_subscription_detail(client, instance_id, group_id, topic):
    """Ask GetConsumerGroupSubscription how each client of a group subscribes to ``topic``.

    Returns one entry per client: ``[{client_id, hostname, egress_ip, language, version,
    message_model, filter_expression, filter_expression_type, subscription_status}]``. Raises
    ApiError when the call fails or the answer cannot be read.
    """
    body = client.get(GET_SUBSCRIPTION, _group_path(instance_id, group_id, "subscriptions", topic))
    request_id = request_id_of(body)
    clients = []
    for item in get_list(body, "data", request_id=request_id):
        connection = get_object(item, "connectionDTO", request_id=request_id) or {}
        subscription = get_object(item, "subscriptionDTO", request_id=request_id) or {}
        entry = _shape_client(connection, request_id)
        if entry["message_model"] is None:
            entry["message_model"] = _text(subscription, "messageModel", request_id)
        entry.update({
            "filter_expression": _text(subscription, "filterExpression", request_id),
            "filter_expression_type": _text(subscription, "filterExpressionType", request_id),
            "subscription_status": _text(subscription, "subscriptionStatus", request_id),
        })
        clients.append(entry)
    return clients


def query_subscriptions(client, instance_id, group_id, detail=False):
    """Return list_subscriptions of a group, each subscription with the key ``clients``.

    With ``detail``, ``clients`` is get_subscription_detail of the subscription's topic (one more
    call per topic, one after another); without, it is empty. Raises ApiError when a call fails.
    """
    entry = list_subscriptions(client, instance_id, group_id)
    for subscription in entry["subscriptions"]:
        topic = subscription["topic"]
        subscription["clients"] = get_subscription_detail(client, instance_id, group_id, topic) if detail and topic else []
    return entry


# ---------------------------------------------------------------------------------------------
# ListConsumerGroups and GetConsumerGroup (rmq_consumer_group_info)


def group_entry(instance_id, group_id=None, request_id=None):
    """Return the entry of a group with nothing known of it (its query failed)."""
    return {"group_id": group_id, "instance_id": instance_id, "status": None, "message_model": None,
            "delivery_order_type": None, "max_receive_tps": None, "topic_name": None, "exclusive": None, "remark": None,
            "create_time": None, "update_time": None, "consume_retry_policy": None, "dead_letter_topic": None,
            "request_id": request_id}


def _group_facts(entry, item, request_id):
    entry.update({
        "group_id": _text(item, "consumerGroupId", request_id) or entry["group_id"],
        "instance_id": _text(item, "instanceId", request_id) or entry["instance_id"],
        "status": _text(item, "status", request_id),
        "message_model": _text(item, "messageModel", request_id),
        # -1 (no limit, as the API may send it) is kept as it comes: it must not fail the group's query.
        "max_receive_tps": _integer(item, "maxReceiveTps", request_id),
        "topic_name": _text(item, "topicName", request_id),
        "remark": _text(item, "remark", request_id),
        "create_time": _text(item, "createTime", request_id),
        "update_time": _text(item, "updateTime", request_id),
        "request_id": request_id,
    })
    return entry


def list_consumer_groups(client, instance_id, filter=None):  # pylint: disable=redefined-builtin
    """List every consumer group of an instance with ListConsumerGroups, following every page.

    ``filter`` narrows the list to the groups whose ID holds it (the API's ``filter``). Returns
    ``{instance_id, groups: [{group_id, instance_id, status, message_model, ...}], group_ids,
    total_count, request_id, request_ids}``, a group listed twice (the list moved between pages)
    kept once. The list is whole or not given: pages whose distinct groups do not reach the
    listing's ``totalCount``, a page that repeats an earlier one, or more than
    rmq_client.MAX_PAGES pages raise InvalidAnswerError naming the figures (see
    RmqClient.get_pages). Raises ApiError when a call fails or an answer cannot be read.
    """
    listing = client.get_pages(LIST_CONSUMER_GROUPS, ["instances", instance_id, "consumerGroups"], {"filter": filter},
                               page_size=GROUP_PAGE_SIZE, key="consumerGroupId", noun="group")
    groups, seen = [], set()
    for item in listing["items"]:
        group = _group_facts(group_entry(instance_id), item, listing["request_id"])
        if group["group_id"] in seen:
            continue
        seen.add(group["group_id"])
        groups.append(group)
    return {"instance_id": instance_id, "groups": groups, "group_ids": [group["group_id"] for group in groups],
            "total_count": listing["total_count"], "request_id": listing["request_id"],
            "request_ids": listing["request_ids"]}


def get_consumer_group(client, instance_id, group_id):
    """Ask GetConsumerGroup about one group: its settings, retry policy and dead-letter topic.

    Returns the group's entry (see group_entry) with ``delivery_order_type`` (``Concurrently``,
    ``Orderly``), ``exclusive``, ``consume_retry_policy`` ``{retry_policy, max_retry_times,
    fixed_interval_retry_time, dead_letter_target_topic}`` (None when the API gives none) and
    ``dead_letter_topic`` (that policy's dead-letter topic). Raises ApiError when the call fails
    (an unknown group: ``ConsumerGroup.NotFound``) or the answer cannot be read.
    """
    body = client.get(GET_CONSUMER_GROUP, _group_path(instance_id, group_id))
    request_id = request_id_of(body)
    data = _data(body, request_id)
    entry = _group_facts(group_entry(instance_id, group_id), data, request_id)
    entry["delivery_order_type"] = _text(data, "deliveryOrderType", request_id)
    entry["exclusive"] = _flag(data, "exclusive", request_id)
    policy = get_object(data, "consumeRetryPolicy", request_id=request_id)
    if policy is not None:
        entry["consume_retry_policy"] = {
            "retry_policy": _text(policy, "retryPolicy", request_id),
            "max_retry_times": _count(policy, "maxRetryTimes", request_id),
            "fixed_interval_retry_time": _count(policy, "fixedIntervalRetryTime", request_id),
            "dead_letter_target_topic": _text(policy, "deadLetterTargetTopic", request_id) or None,
        }
        entry["dead_letter_topic"] = entry["consume_retry_policy"]["dead_letter_target_topic"]
    return entry


# ---------------------------------------------------------------------------------------------
# ListInstances and GetInstance (rmq_instance_info)


# The status of an instance that is gone: Alibaba's Terraform provider treats it as deleted.
RELEASED = "RELEASED"


def instance_entry(instance_id=None, request_id=None):
    """Return the entry of an instance with nothing known of it (its query failed)."""
    return {"instance_id": instance_id, "instance_name": None, "status": None, "released": None, "series_code": None,
            "sub_series_code": None, "region_id": None, "payment_type": None, "group_count": None, "topic_count": None,
            "trace_on": None, "tags": None, "remark": None, "create_time": None, "version_update_time": None,
            "expire_time": None, "release_time": None, "software_version": None, "endpoints": None,
            "request_id": request_id}


def _instance_facts(entry, item, request_id, listed=False):
    """The facts of an instance, of a row of ListInstances (``listed``) or of GetInstance.

    The two give ``createTime`` different meanings: in ListInstances it is when the instance's
    version was last updated and ``startTime`` is its creation; in GetInstance ``createTime`` is
    the creation (the SDK's model documentation). ``create_time`` is the creation in both.
    """
    product = get_object(item, "productInfo", request_id=request_id) or {}
    entry.update({
        "instance_id": _text(item, "instanceId", request_id) or entry["instance_id"],
        "instance_name": _text(item, "instanceName", request_id),
        "status": _text(item, "status", request_id),
        "series_code": _text(item, "seriesCode", request_id),
        "sub_series_code": _text(item, "subSeriesCode", request_id),
        "region_id": _text(item, "regionId", request_id),
        "payment_type": _text(item, "paymentType", request_id),
        "group_count": _count(item, "groupCount", request_id),
        "topic_count": _count(item, "topicCount", request_id),
        "trace_on": _flag(product, "traceOn", request_id),
        "tags": _tags(item, request_id),
        "remark": _text(item, "remark", request_id),
        "create_time": _text(item, "startTime" if listed else "createTime", request_id),
        "version_update_time": _text(item, "createTime", request_id) if listed else None,
        "expire_time": _text(item, "expireTime", request_id),
        "release_time": _text(item, "releaseTime", request_id),
        "request_id": request_id,
    })
    entry["released"] = entry["status"] == RELEASED
    return entry


def _comma_list(what, values):
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    for value in values:
        if not isinstance(value, str) or not value or "," in value:
            raise ValueError("%s %r is not valid: use names without commas" % (what, value))
    return ",".join(values) or None


def list_instances(client, filter=None, series_codes=None, tags=None):  # pylint: disable=redefined-builtin
    """List the 5.x instances of the client's region with ListInstances, following every page.

    ``filter`` is the API's filter (a part of the instance's ID or name); ``series_codes`` a list of
    series (``standard``, ``professional``, ``ultimate`` ...); ``tags`` a dict: only the instances
    carrying every one of these tags with these values are kept (compared here, on the tags each
    listed instance carries). A released instance (``status`` RELEASED) is gone, as Terraform
    treats it: it is left out of ``instances`` and named in ``released_instance_ids``. Returns
    ``{instances, instance_ids, released_instance_ids, total_count, request_id, request_ids}``. The
    list is whole or not given, as list_consumer_groups says (the instances counted by
    ``instanceId`` before ``tags`` are compared and released ones left out). Raises ValueError for
    a series code the API cannot take, ApiError when a call fails or an answer cannot be read.
    """
    params = {"filter": filter, "seriesCodes": _comma_list("series_codes", series_codes)}
    listing = client.get_pages(LIST_INSTANCES, ["instances"], params, page_size=INSTANCE_PAGE_SIZE, key="instanceId",
                               noun="instance")
    wanted = dict((key, None if value is None else str(value)) for key, value in (tags or {}).items())
    instances, released, seen = [], [], set()
    for item in listing["items"]:
        entry = _instance_facts(instance_entry(), item, listing["request_id"], listed=True)
        if entry["instance_id"] in seen:
            continue
        seen.add(entry["instance_id"])
        if not all(key in entry["tags"] and entry["tags"][key] == value for key, value in wanted.items()):
            continue
        if entry["released"]:
            released.append(entry["instance_id"])
        else:
            instances.append(entry)
    return {"instances": instances, "instance_ids": [entry["instance_id"] for entry in instances],
            "released_instance_ids": released, "total_count": listing["total_count"], "request_id": listing["request_id"],
            "request_ids": listing["request_ids"]}


def get_instance(client, instance_id):
    """Ask GetInstance about one instance: the list's facts, its software version and its endpoints.

    ``endpoints`` is ``[{endpoint_type, endpoint_url}]`` (``networkInfo.endpoints``); a released
    instance (``status`` RELEASED) is given as the API describes it, with ``released`` true. Raises
    InvalidAnswerError for an answer about another instance, ApiError when the call fails (an
    unknown instance: ``Instance.NotFound``) or the answer cannot be read.
    """
    body = client.get(GET_INSTANCE, ["instances", instance_id])
    request_id = request_id_of(body)
    data = _data(body, request_id)
    entry = _instance_facts(instance_entry(instance_id), data, request_id)
    if entry["instance_id"] != instance_id:
        raise InvalidAnswerError("the answer is about instance %s, not %s" % (entry["instance_id"], instance_id),
                                 request_id=request_id)
    software = get_object(data, "software", request_id=request_id) or {}
    entry["software_version"] = _text(software, "softwareVersion", request_id)
    network = get_object(data, "networkInfo", request_id=request_id) or {}
    entry["endpoints"] = [{
        "endpoint_type": _text(item, "endpointType", request_id),
        "endpoint_url": _text(item, "endpointUrl", request_id),
    } for item in get_list(network, "endpoints", request_id=request_id)]
    return entry


# ---------------------------------------------------------------------------------------------
# GetTrace (rmq_trace_info)


def trace_entry(topic, msg_id, request_id=None, begin_ms=None, end_ms=None, time_zone=None):
    """Return the trace entry of a message that was not found (in the window ``begin_ms`` to ``end_ms``), or whose query failed."""
    return {"msg_id": msg_id, "topic": topic, "found": False, "consumers": [], "begin_time": begin_ms, "end_time": end_ms,
            "time_zone": time_zone, "scheduled": None, "delay_status": None, "preset_delay_time": None,
            "preset_delay_timestamp": None, "due": None, "request_id": request_id}


def _due(preset_delay_time, offset, now_ms):
    """``(due, timestamp)`` of a scheduled message whose delivery time the API gives as ``preset_delay_time``.

    ``due`` tells whether that time has come by ``now_ms``; with the zone ``offset`` unknown (None),
    True or False only when every reading of it from UTC-12:00 to UTC+14:00 agrees, else None.
    ``timestamp`` is the time in epoch ms when the zone is known, else None.
    """
    wall_ms = read_api_time(preset_delay_time)
    if wall_ms is None:
        return None, None
    if offset is not None:
        moment = wall_ms - offset * _MINUTE_MS
        return moment <= now_ms, moment
    if wall_ms - WESTMOST_OFFSET * _MINUTE_MS <= now_ms:
        return True, None
    if wall_ms - EASTMOST_OFFSET * _MINUTE_MS > now_ms:
        return False, None
    return None, None


def _missing_message(error):
    """Tell whether ``error`` says the message (not the instance or the topic) does not exist."""
    if not getattr(error, "not_found", False):
        return False
    return error.code.rsplit(".", 1)[0] in MISSING_MESSAGE_SUBJECTS


def _shape_consumer(item, request_id):
    dead_letter = get_object(item, "deadLetterInfo", request_id=request_id)
    return {
        "group_id": _text(item, "consumerGroupId", request_id),
        "consume_status": _text(item, "consumeStatus", request_id),
        "dead_message": _flag(item, "deadMessage", request_id),
        "dead_letter": None if not dead_letter else {
            "msg_id": _text(dead_letter, "messageId", request_id),
            "topic": _text(dead_letter, "topicName", request_id),
            "to_dlq_time": _text(dead_letter, "toDlqTime", request_id),
        },
        "records": [{
            "client_host": _text(record, "clientHost", request_id),
            "consume_status": _text(record, "consumeStatus", request_id),
            "operations": [{
                "operate_type": _text(operation, "operateType", request_id),
                "operate_time": _text(operation, "operateTime", request_id),
            } for operation in get_list(record, "operations", request_id=request_id)],
        } for record in get_list(item, "records", request_id=request_id)],
    }


def get_trace(client, instance_id, topic, msg_id, begin_ms=None, end_ms=None, time_zone=None, now_ms=None):
    """Ask GetTrace what each consumer group did with a message stored from ``begin_ms`` to ``end_ms`` (epoch ms).

    The window is sent as ``startTime``/``endTime``, as message_window says (``time_zone``: text for
    parse_time_zone, or None when the API's zone is not known); without ``begin_ms`` and ``end_ms``
    none is sent, and the API's own default window, which is not published, applies.

    Returns ``{msg_id, topic, found, consumers: [{group_id, consume_status, dead_message,
    dead_letter: {msg_id, topic, to_dlq_time} or None, records: [{client_host, consume_status,
    operations: [{operate_type, operate_time}]}]}], begin_time, end_time, time_zone, scheduled,
    delay_status, preset_delay_time, preset_delay_timestamp, due, request_id}``. ``found`` is
    false, and the call no error, when the API says the message does not exist (a not-found code
    about the message or its trace, or an answer without data). The values of
    ``consume_status`` are not enumerated by the API: a caller must not count an unknown one as
    consumed. ``scheduled`` says whether the message is a scheduled one (``brokerInfo`` gives its
    ``presetDelayTime``), and ``due`` whether its time has come by ``now_ms`` (default: now),
    None when the unknown zone leaves it open (see _due); a message that is not scheduled is due.
    Raises ValueError for a bad window or zone, ApiError for any other failure (an unknown topic
    or instance among them).
    """
    offset = parse_time_zone(time_zone) if time_zone is not None else None
    query = {}
    if begin_ms is not None or end_ms is not None:
        check_window(begin_ms, end_ms)
        query["startTime"], query["endTime"] = message_window(begin_ms, end_ms, offset)
    try:
        body = client.get(GET_TRACE, ["instances", instance_id, "topics", topic, "traces", msg_id], query)
    except ApiError as exc:
        if not _missing_message(exc):
            raise
        return trace_entry(topic, msg_id, exc.request_id, begin_ms, end_ms, time_zone)
    request_id = request_id_of(body)
    entry = trace_entry(topic, msg_id, request_id, begin_ms, end_ms, time_zone)
    data = get_object(body, "data", request_id=request_id)
    if not data:
        return entry
    entry["found"] = True
    entry["consumers"] = [_shape_consumer(item, request_id)
                          for item in get_list(data, "consumerInfos", request_id=request_id)]
    broker = get_object(data, "brokerInfo", request_id=request_id) or {}
    entry["delay_status"] = _text(broker, "delayStatus", request_id)
    entry["preset_delay_time"] = _text(broker, "presetDelayTime", request_id) or None
    entry["scheduled"] = entry["preset_delay_time"] is not None
    if entry["scheduled"]:
        now_ms = int(time.time() * 1000) if now_ms is None else now_ms
        entry["due"], entry["preset_delay_timestamp"] = _due(entry["preset_delay_time"], offset, now_ms)
    else:
        entry["due"] = True
    return entry


# ---------------------------------------------------------------------------------------------
# The API's times, which carry no zone (rmq_dead_letter_info)


def api_time(ms, offset, round_up=False):
    """Epoch milliseconds ``ms`` as the API writes a time: the wall clock ``offset`` minutes east of UTC, to the second.

    The second is rounded down, or up with ``round_up``, so that a window sent this way holds the
    one asked for.
    """
    seconds = -(-ms // _SECOND_MS) if round_up else ms // _SECOND_MS
    return (EPOCH + timedelta(seconds=seconds, minutes=offset)).strftime(API_TIME_FORMAT)


def read_api_time(text):
    """Return the wall clock ``text`` (``YYYY-MM-DD HH:mm:ss``, or with milliseconds) as epoch ms read in UTC; None if it is not one."""
    if not isinstance(text, str):
        return None
    for form in (API_TIME_FORMAT, API_TIME_FORMAT + ".%f"):
        try:
            when = datetime.strptime(text.strip(), form)
        except ValueError:
            continue
        return (when.replace(tzinfo=timezone.utc) - EPOCH) // timedelta(milliseconds=1)
    return None


def message_window(begin_ms, end_ms, offset=None):
    """Return ``(startTime, endTime)`` to ask ListMessages for the messages stored from ``begin_ms`` to ``end_ms``.

    In the zone ``offset`` minutes east of UTC when known; when None, in UTC widened by the widest
    offsets (12 hours before, 14 after), so that whatever zone the server reads them in, the
    window asked for holds the one wanted.
    """
    if offset is not None:
        return api_time(begin_ms, offset), api_time(end_ms, offset, round_up=True)
    return api_time(begin_ms + WESTMOST_OFFSET * _MINUTE_MS, 0), api_time(end_ms + EASTMOST_OFFSET * _MINUTE_MS, 0, True)


def store_timestamp_of(store_time, begin_ms, end_ms, offset=None):
    """Return ``(kept, store_timestamp)`` of a message stored at the API's time ``store_time``.

    ``offset`` known, ``store_timestamp`` is the epoch milliseconds of that wall clock in that zone
    and the message is kept when the second it names overlaps the window. ``offset`` None, the
    time is unknown (``store_timestamp`` None) and the message is kept when any reading of it
    from UTC-12:00 to UTC+14:00 could fall in the window. A time that cannot be read is kept, as
    a count of dead letters must never lose one.
    """
    wall_ms = read_api_time(store_time)
    if wall_ms is None:
        return True, None
    # A time to the second stands for any millisecond of it.
    spread = 0 if "." in store_time else _SECOND_MS - 1
    if offset is not None:
        stored = wall_ms - offset * _MINUTE_MS
        return stored <= end_ms and stored + spread >= begin_ms, stored
    earliest = wall_ms - EASTMOST_OFFSET * _MINUTE_MS
    latest = wall_ms + spread - WESTMOST_OFFSET * _MINUTE_MS
    return earliest <= end_ms and latest >= begin_ms, None


# ---------------------------------------------------------------------------------------------
# ListMessages of the dead-letter topic (rmq_dead_letter_info)


def dead_letter_entry(instance_id, group_id, begin_ms, end_ms, request_id=None):
    """Return the dead-letter entry of a group whose letters are unknown (not none): its query failed, or was not made."""
    return {"group_id": group_id, "instance_id": instance_id, "dead_letter_topic": None, "begin_time": begin_ms,
            "end_time": end_ms, "time_zone": None, "count": None, "complete": False, "messages": [],
            "request_id": request_id, "request_ids": [] if request_id is None else [request_id]}


def _user_properties(item, request_id):
    properties = get_object(item, "userProperties", request_id=request_id) or {}
    return dict((name, _text(properties, name, request_id)) for name in properties)


def _shape_letter(item, store_timestamp, request_id):
    return {
        "message_id": _text(item, "messageId", request_id),
        "topic": _text(item, "topicName", request_id),
        "message_tag": _text(item, "messageTag", request_id),
        "message_keys": get_strings(item, "messageKeys", request_id=request_id),
        "message_type": _text(item, "messageType", request_id),
        "born_host": _text(item, "bornHost", request_id),
        "born_time": _text(item, "bornTime", request_id),
        "store_host": _text(item, "storeHost", request_id),
        "store_time": _text(item, "storeTime", request_id),
        "store_timestamp": store_timestamp,
        "body_size": _count(item, "bodySize", request_id),
        "user_properties": _user_properties(item, request_id),
    }


def list_dead_letters(client, instance_id, group_id, begin_ms, end_ms, enough=None, topic=None, time_zone=None):
    """List the dead letters of a group stored from ``begin_ms`` to ``end_ms`` (epoch ms): ListMessages of its dead-letter topic.

    The topic is ``topic``, else the group's (GetConsumerGroup, ``deadLetterTargetTopic``); a group
    without one gives dead_letter_entry with ``complete`` true and ``count`` None: nothing to count.
    The API's times carry no zone, and its zone is not published: with ``time_zone`` (text for
    parse_time_zone) the window is sent and each ``storeTime`` read in that zone; without, the
    window is widened by the widest offsets and a letter is kept when its time could be in the
    window (see message_window and store_timestamp_of), its ``store_timestamp`` None.

    Returns dead_letter_entry with ``dead_letter_topic``, ``time_zone`` (as given), ``messages``
    (``[{message_id, topic, message_tag, message_keys, message_type, born_host, born_time,
    store_host, store_time, store_timestamp, body_size, user_properties}]``, never the body),
    ``count``, ``complete``, ``request_id`` (the first call's) and ``request_ids`` (every call's).
    ``enough`` stops the listing as ons_queries.list_dead_letters does. The listing is whole or an
    error, as RmqClient.get_pages says. Raises ValueError for a bad window or zone, ApiError when a
    call fails (an unknown group: ``ConsumerGroup.NotFound``).
    """
    check_window(begin_ms, end_ms, enough)
    offset = parse_time_zone(time_zone) if time_zone is not None else None
    entry = dead_letter_entry(instance_id, group_id, begin_ms, end_ms)
    entry["time_zone"] = time_zone
    request_ids = []
    if topic is None:
        group = get_consumer_group(client, instance_id, group_id)
        request_ids.append(group["request_id"])
        topic = group["dead_letter_topic"]
        if topic is None:
            entry.update(complete=True, request_id=request_ids[0], request_ids=request_ids)
            return entry
    start, end = message_window(begin_ms, end_ms, offset)
    listing = client.get_pages(
        LIST_MESSAGES, ["instances", instance_id, "topics", topic, "messages"], {"startTime": start, "endTime": end},
        page_size=MESSAGE_PAGE_SIZE, key=("messageId", "storeTime"), noun="message", enough=enough,
        counts=lambda row: store_timestamp_of(row.get("storeTime"), begin_ms, end_ms, offset)[0])
    letters = []
    for item in listing["items"]:
        kept, store_timestamp = store_timestamp_of(_text(item, "storeTime", listing["request_id"]), begin_ms, end_ms,
                                                   offset)
        if kept:
            letters.append(_shape_letter(item, store_timestamp, listing["request_id"]))
    request_ids.extend(listing["request_ids"])
    entry.update(dead_letter_topic=topic, messages=letters, count=len(letters), complete=listing["complete"],
                 request_id=request_ids[0], request_ids=request_ids)
    return entry
