# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# FOR INTERNAL COLLECTION USE ONLY: the interfaces of this file serve the apsaramq.rocketmq collection
# and may change in any release; modules, plugins and roles are the public interface.

"""The questions the collection asks the ONS API, and the entries it makes of the answers.

Each function takes an OnsClient (anything with ``call(action, params)``) and plain values, so that
the info modules and the controller-side gate ask the same questions and read the answers the same
way. Nothing here needs an AnsibleModule: bad input raises ValueError, a failed call ApiError.
"""

import json

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.apis import ONS
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.errors import ApiError, InvalidAnswerError
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.response import (
    get_list,
    get_object,
    get_scalar,
    get_strings,
    get_tags,
    get_topic_details,
)
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.time_windows import check_window

STATUS_ACTION = "OnsConsumerStatus"
ACCUMULATE_ACTION = "OnsConsumerAccumulate"
CONNECTION_ACTION = "OnsConsumerGetConnection"
SUBSCRIPTION_ACTION = "OnsGroupSubDetail"
GROUP_LIST_ACTION = "OnsGroupList"
MESSAGE_ACTION = "OnsMessageGetByMsgId"
TRACE_ACTION = "OnsMessageTrace"
INSTANCE_LIST_ACTION = "OnsInstanceInServiceList"
INSTANCE_BASE_INFO_ACTION = "OnsInstanceBaseInfo"
DLQ_ACTION = "OnsDLQMessagePageQueryByGroupId"

# Codes with which the API says "nothing to show" rather than "failed" (see call_or_absent).
NOT_ONLINE = "BIZ_CONSUMER_NOT_ONLINE"
NO_MESSAGE = "BIZ_NO_MESSAGE"

# The rules of names are the API's (apis.ONS.names).
NAME_RULES = ONS.names
# Resource tags as the API accepts them in Tag.N.Key / Tag.N.Value.
MAX_TAGS = 20
MAX_TAG_LENGTH = 128
TAG_RESERVED_PREFIXES = ("acs:", "aliyun")

# The protocols a listing of every group asks for, in the order their groups are returned.
GROUP_TYPES = ("tcp", "http")
# The API documents PUSH/PULL; Apache RocketMQ (and so some brokers) answer CONSUME_PASSIVELY/CONSUME_ACTIVELY.
# One spelling for both, so that a check written against one holds against the other.
CONSUME_TYPES = {"PUSH": "CONSUME_PASSIVELY", "CONSUME_PASSIVELY": "CONSUME_PASSIVELY",
                 "PULL": "CONSUME_ACTIVELY", "CONSUME_ACTIVELY": "CONSUME_ACTIVELY"}
# Key of an instance entry's endpoints -> field of InstanceBaseInfo.Endpoints.
INSTANCE_ENDPOINTS = (
    ("tcp_endpoint", "TcpEndpoint"),
    ("tcp_internet_endpoint", "TcpInternetEndpoint"),
    ("http_internal_endpoint", "HttpInternalEndpoint"),
    ("http_internet_endpoint", "HttpInternetEndpoint"),
    ("http_internet_secure_endpoint", "HttpInternetSecureEndpoint"),
)
# OnsDLQMessagePageQueryByGroupId: the API takes 5 to 50 dead letters a page, and pages 1 to 50.
DLQ_PAGE_SIZE = 50
DLQ_MAX_PAGES = 50


# ---------------------------------------------------------------------------------------------
# Input checks and calling


def check_name(what, value, kind):
    """Return ``value`` if it is a valid 4.x name of ``kind`` (apis.ONS.check_name); else raise ValueError naming ``what``."""
    return ONS.check_name(kind, value, what)


def _check_tag_text(what, text, allow_empty):
    if text is None:
        raise ValueError("%s is null: use a string (\"\" for an empty value)" % what)
    if not isinstance(text, str):
        raise ValueError("%s is a %s (%r): use a string" % (what, type(text).__name__, text))
    if not text and not allow_empty:
        raise ValueError("%s is empty: use 1 to %d characters" % (what, MAX_TAG_LENGTH))
    if len(text) > MAX_TAG_LENGTH or text.startswith(TAG_RESERVED_PREFIXES) or "http://" in text or "https://" in text:
        raise ValueError("%s %r is not valid: use at most %d characters, not starting with acs: or aliyun, "
                         "without http:// or https://" % (what, text, MAX_TAG_LENGTH))


def tag_parameters(tags):
    """Return the API parameters ``Tag.N.Key`` and ``Tag.N.Value`` for the dict ``tags``, in its order.

    Numbers are taken as their text. Raises ValueError, naming the tag, for anything the API refuses.
    """
    if len(tags) > MAX_TAGS:
        raise ValueError("has %d tags: use at most %d" % (len(tags), MAX_TAGS))
    params = {}
    for index, (key, value) in enumerate(tags.items(), 1):
        _check_tag_text("key", key, allow_empty=False)
        # YAML reads env: 1 as a number; tag values are text. A boolean is more likely a mistake.
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        _check_tag_text("value of key %r" % key, value, allow_empty=True)
        params["Tag.%d.Key" % index] = key
        params["Tag.%d.Value" % index] = value
    return params


def call_or_absent(client, action, params, absent_code):
    """Call ``action``; return ``(answer, None)``, or ``(None, request_id)`` when the API answers ``absent_code``.

    ``absent_code`` is the code with which the API says "nothing to show" rather than "failed", such
    as ``BIZ_CONSUMER_NOT_ONLINE`` for a group without clients or ``BIZ_NO_MESSAGE``. Other errors raise.
    """
    try:
        return client.call(action, params), None
    except ApiError as exc:
        if exc.code != absent_code:
            raise
        return None, exc.request_id


def outcome_of(func, item):
    """Return ``(func(item), None)``, or ``(None, error)`` when it raises an ApiError."""
    try:
        return func(item), None
    except ApiError as exc:
        return None, exc


def in_order(func, items):
    """Return the outcomes (see outcome_of) of ``func`` on each of ``items``, called one after another.

    It has the signature of ons_module.query_concurrently, so that a caller chooses how the calls run.
    """
    return [outcome_of(func, item) for item in items]


def _flag(value):
    return "true" if value else "false"


def _count(number, noun):
    return "%d %s%s" % (number, noun, "" if number == 1 else "s")


def check_deadline(client, action, undone):
    """Raise DeadlineError when the deadline ``client`` is bound by (ApiClient.bound_by) has passed; ``undone`` says what is then not done.

    A client without such a deadline (one that has only ``call``) has none to pass.
    """
    check = getattr(client, "check_run_deadline", None)
    if check is not None:
        check(action, undone)


# ---------------------------------------------------------------------------------------------
# OnsConsumerStatus (ons_consumer_status_info)


def status_entry(instance_id, group_id, request_id=None):
    """Return the status entry of a group whose figures are unknown (not 0): no client online, or a failed query."""
    return {"group_id": group_id, "instance_id": instance_id, "online": False, "total_diff": None,
            "delay_time": None, "consume_tps": None, "last_timestamp": None, "rebalance_ok": None,
            "subscription_same": None, "consume_model": None, "connections": [], "topics": [], "clients": [],
            "request_id": request_id}


def consume_type(value):
    """Return the ConsumeType ``value`` in Apache RocketMQ's names (PUSH and PULL mapped); another value as given."""
    if not value:
        return None
    return CONSUME_TYPES.get(value.strip().upper(), value)


def _shape_client(item, need_jstack, request_id):
    def read(container, key, kind=str):
        return get_scalar(container, key, kind, request_id=request_id)

    jstack = []
    if need_jstack:
        jstack = [{"thread": read(thread, "Thread"),
                   "track": get_strings(thread, "TrackList", "Track", request_id=request_id)}
                  for thread in get_list(item, "Jstack", "ThreadTrackDo", request_id=request_id)]
    return {
        "client_id": read(item, "ClientId"),
        "connection": read(item, "Connection"),
        "consume_model": read(item, "ConsumeModel") or None,
        "consume_type": consume_type(read(item, "ConsumeType")),
        "language": read(item, "Language"),
        "version": read(item, "Version"),
        "thread_count": read(item, "ThreadCount", int),
        "start_timestamp": read(item, "StartTimeStamp", int),
        "last_timestamp": read(item, "LastTimeStamp", int),
        "subscriptions": [{
            "topic": read(sub, "Topic"),
            "sub_string": read(sub, "SubString"),
            "sub_version": read(sub, "SubVersion", int),
            "tags": get_strings(sub, "TagsSet", "Tag", request_id=request_id),
        } for sub in get_list(item, "SubscriptionSet", "SubscriptionData", request_id=request_id)],
        "running_data": [{
            "topic": read(row, "Topic"),
            "ok_tps": read(row, "OkTps", float),
            "failed_tps": read(row, "FailedTps", float),
            "failed_count_per_hour": read(row, "FailedCountPerHour", int),
            "rt": read(row, "Rt", float),
        } for row in get_list(item, "RunningDataList", "ConsumerRunningDataDo", request_id=request_id)],
        "jstack": jstack,
    }


def shape_status(body, group_id, instance_id, detail=False, need_jstack=False):
    """Turn an answer of OnsConsumerStatus into the entry of one group.

    ``clients`` is read only with ``detail`` and each client's ``jstack`` only with ``need_jstack``, so
    that the result says the same whatever the API adds unasked. Raises InvalidAnswerError for an
    answer that cannot be read.
    """
    request_id = body.get("RequestId")
    data = get_object(body, "Data", required=True, request_id=request_id)

    def read(key, kind=str):
        return get_scalar(data, key, kind, request_id=request_id)

    clients = []
    if detail:
        clients = [_shape_client(item, need_jstack, request_id)
                   for item in get_list(data, "ConsumerConnectionInfoList", "ConsumerConnectionInfoDo", request_id=request_id)]
    return {
        "group_id": group_id,
        "instance_id": read("InstanceId") or instance_id,
        "online": read("Online", bool),
        "total_diff": read("TotalDiff", int),
        "delay_time": read("DelayTime", int),
        "consume_tps": read("ConsumeTps", float),
        "last_timestamp": read("LastTimestamp", int),
        "rebalance_ok": read("RebalanceOK", bool),
        "subscription_same": read("SubscriptionSame", bool),
        "consume_model": read("ConsumeModel") or None,
        "connections": [{
            "client_id": get_scalar(item, "ClientId", request_id=request_id),
            "client_addr": get_scalar(item, "ClientAddr", request_id=request_id),
            "language": get_scalar(item, "Language", request_id=request_id),
            "version": get_scalar(item, "Version", request_id=request_id),
            "remote_ip": get_scalar(item, "RemoteIP", request_id=request_id),
            "diff": get_scalar(item, "Diff", int, request_id=request_id),
        } for item in get_list(data, "ConnectionSet", "ConnectionDo", request_id=request_id)],
        "topics": get_topic_details(data, request_id=request_id),
        "clients": clients,
        "request_id": request_id,
    }


def query_status(client, instance_id, group_id, detail=False, need_jstack=False):
    """Ask OnsConsumerStatus about one group and return its entry (status_entry when no client is online).

    Raises ApiError when the call fails or the answer cannot be read.
    """
    params = {"GroupId": group_id, "InstanceId": instance_id, "Detail": _flag(detail), "NeedJstack": _flag(need_jstack)}
    body, absent_request_id = call_or_absent(client, STATUS_ACTION, params, NOT_ONLINE)
    if body is None:
        return status_entry(instance_id, group_id, absent_request_id)
    return shape_status(body, group_id, instance_id, detail, need_jstack)


# ---------------------------------------------------------------------------------------------
# OnsConsumerAccumulate (ons_consumer_accumulate_info)


def accumulate_entry(instance_id, group_id, request_id=None):
    """Return the backlog entry of a group whose figures are unknown (not 0): no client online, or a failed query."""
    return {"group_id": group_id, "instance_id": instance_id, "online": False, "total_diff": None,
            "consume_tps": None, "delay_time": None, "last_timestamp": None, "topics": [], "request_id": request_id}


def shape_accumulate(body, group_id, instance_id, detail=True):
    """Turn an answer of OnsConsumerAccumulate into the entry of one group (InvalidAnswerError if unreadable).

    ``topics`` is read only with ``detail``, so that the result says the same whatever the API adds unasked.
    """
    request_id = body.get("RequestId")
    data = get_object(body, "Data", required=True, request_id=request_id)
    return {
        "group_id": group_id,
        "instance_id": instance_id,
        "online": get_scalar(data, "Online", bool, request_id=request_id),
        "total_diff": get_scalar(data, "TotalDiff", int, request_id=request_id),
        "consume_tps": get_scalar(data, "ConsumeTps", float, request_id=request_id),
        "delay_time": get_scalar(data, "DelayTime", int, request_id=request_id),
        "last_timestamp": get_scalar(data, "LastTimestamp", int, request_id=request_id),
        "topics": get_topic_details(data, request_id=request_id) if detail else [],
        "request_id": request_id,
    }


def query_accumulate(client, instance_id, group_id, detail=True):
    """Ask OnsConsumerAccumulate about one group and return its entry (accumulate_entry when no client is online).

    Raises ApiError when the call fails or the answer cannot be read.
    """
    params = {"GroupId": group_id, "InstanceId": instance_id, "Detail": _flag(detail)}
    body, absent_request_id = call_or_absent(client, ACCUMULATE_ACTION, params, NOT_ONLINE)
    if body is None:
        return accumulate_entry(instance_id, group_id, absent_request_id)
    return shape_accumulate(body, group_id, instance_id, detail)


# ---------------------------------------------------------------------------------------------
# OnsConsumerGetConnection (ons_consumer_connection_info)


def connection_entry(instance_id, group_id, request_id=None):
    """Return the connections entry of a group without clients: none online, or a failed query."""
    return {"group_id": group_id, "instance_id": instance_id, "online": False, "message_model": None,
            "connections": [], "request_id": request_id}


def _shape_connection(item, request_id):
    return {
        "client_id": get_scalar(item, "ClientId", request_id=request_id),
        "client_addr": get_scalar(item, "ClientAddr", request_id=request_id),
        "language": get_scalar(item, "Language", request_id=request_id),
        "version": get_scalar(item, "Version", request_id=request_id),
    }


def shape_connections(body, group_id, instance_id):
    """Turn an answer of OnsConsumerGetConnection into the entry of one group (InvalidAnswerError if unreadable).

    ``online`` says whether any connection is listed.
    """
    request_id = body.get("RequestId")
    data = get_object(body, "Data", required=True, request_id=request_id)
    entry = connection_entry(instance_id, group_id, request_id)
    entry["message_model"] = get_scalar(data, "MessageModel", request_id=request_id) or None
    entry["connections"] = [_shape_connection(item, request_id)
                            for item in get_list(data, "ConnectionList", "ConnectionDo", request_id=request_id)]
    entry["online"] = bool(entry["connections"])
    return entry


def query_connections(client, instance_id, group_id):
    """Ask OnsConsumerGetConnection about one group and return its entry (connection_entry when no client is online).

    Raises ApiError when the call fails or the answer cannot be read.
    """
    params = {"GroupId": group_id, "InstanceId": instance_id}
    body, absent_request_id = call_or_absent(client, CONNECTION_ACTION, params, NOT_ONLINE)
    if body is None:
        return connection_entry(instance_id, group_id, absent_request_id)
    return shape_connections(body, group_id, instance_id)


# ---------------------------------------------------------------------------------------------
# OnsGroupSubDetail (ons_group_subscription_info)


def subscription_entry(instance_id, group_id, request_id=None):
    """Return the subscriptions entry of a group with nothing known of it: no client online, or a failed query."""
    return {"group_id": group_id, "instance_id": instance_id, "message_model": None, "online": False,
            "subscriptions": [], "request_id": request_id}


def shape_subscription(body, group_id, instance_id):
    """Turn an answer of OnsGroupSubDetail into the entry of one group (InvalidAnswerError if unreadable).

    ``group_id`` is the requested ID rather than the answer's ``GroupId``, so that entries match what
    was asked however the API spells the ID of a group of a namespaced instance.
    """
    request_id = body.get("RequestId")
    data = get_object(body, "Data", required=True, request_id=request_id)
    return {
        "group_id": group_id,
        "instance_id": instance_id,
        "message_model": get_scalar(data, "MessageModel", request_id=request_id) or None,
        "online": get_scalar(data, "Online", bool, request_id=request_id),
        "subscriptions": [{
            "topic": get_scalar(item, "Topic", request_id=request_id),
            "sub_string": get_scalar(item, "SubString", request_id=request_id),
        } for item in get_list(data, "SubscriptionDataList", "SubscriptionDataList", request_id=request_id)],
        "request_id": request_id,
    }


def query_subscription(client, instance_id, group_id):
    """Ask OnsGroupSubDetail about one group and return its entry (subscription_entry when no client is online).

    Raises ApiError when the call fails or the answer cannot be read.
    """
    params = {"GroupId": group_id, "InstanceId": instance_id}
    body, absent_request_id = call_or_absent(client, SUBSCRIPTION_ACTION, params, NOT_ONLINE)
    if body is None:
        return subscription_entry(instance_id, group_id, absent_request_id)
    return shape_subscription(body, group_id, instance_id)


# ---------------------------------------------------------------------------------------------
# OnsGroupList (ons_group_info)


def _shape_group(item, request_id, group_type=None):
    return {
        "group_id": get_scalar(item, "GroupId", request_id=request_id),
        "group_type": get_scalar(item, "GroupType", request_id=request_id) or group_type,
        "instance_id": get_scalar(item, "InstanceId", request_id=request_id),
        "independent_naming": get_scalar(item, "IndependentNaming", bool, request_id=request_id),
        "owner": get_scalar(item, "Owner", request_id=request_id),
        "remark": get_scalar(item, "Remark", request_id=request_id),
        "create_time": get_scalar(item, "CreateTime", int, request_id=request_id),
        "update_time": get_scalar(item, "UpdateTime", int, request_id=request_id),
        "tags": get_tags(item, "Tags", "Tag", request_id=request_id),
    }


def shape_group_answer(body, group_type=None):
    """Turn one answer of OnsGroupList into ``{"groups", "group_ids", "request_id"}`` (InvalidAnswerError if unreadable).

    ``group_type`` is the protocol the listing asked for: the type of a group whose entry does not say.
    """
    request_id = body.get("RequestId")
    data = get_object(body, "Data", required=True, request_id=request_id)
    groups = [_shape_group(item, request_id, group_type) for item in get_list(data, "SubscribeInfoDo", request_id=request_id)]
    return {"groups": groups, "group_ids": [group["group_id"] for group in groups], "request_id": request_id}


def list_groups(client, instance_id, group_id=None, group_type="all", tags=None, concurrently=None):
    """List the groups of an instance with OnsGroupList, as ``{"groups", "group_ids", "request_id", "request_ids"}``.

    ``group_type`` is ``tcp``, ``http`` or ``all``: one call per type of GROUP_TYPES, TCP groups
    first, a group listed under both kept once with its first entry. ``group_id`` and the dict
    ``tags`` narrow the listing. ``request_id`` is the first call's, ``request_ids`` every call's.

    ``concurrently(func, items)`` runs the calls and returns their outcomes, like
    ons_module.query_concurrently; by default they run one after another.

    Raises ValueError for a bad tag or group type. A failed call raises its ApiError (that of the
    first type in order), with the attribute ``group_type`` set: a partial list would hide groups.
    """
    if group_type != "all" and group_type not in GROUP_TYPES:
        raise ValueError("group_type %r is not valid: use one of %s" % (group_type, ", ".join(("all",) + GROUP_TYPES)))
    params = {"InstanceId": instance_id}
    if group_id is not None:
        params["GroupId"] = group_id
    params.update(tag_parameters(tags or {}))
    group_types = GROUP_TYPES if group_type == "all" else (group_type,)

    def list_type(one_type):
        return shape_group_answer(client.call(GROUP_LIST_ACTION, dict(params, GroupType=one_type)), one_type)

    listings = []
    for one_type, (listing, error) in zip(group_types, (concurrently or in_order)(list_type, group_types)):
        if error is not None:
            error.group_type = one_type
            raise error
        listings.append(listing)
    groups, seen = [], set()
    for listing in listings:
        for group in listing["groups"]:
            # A group the API lists under both protocols is one group: keep its first entry.
            if group["group_id"] not in seen:
                seen.add(group["group_id"])
                groups.append(group)
    request_ids = [listing["request_id"] for listing in listings]
    return {"groups": groups, "group_ids": [group["group_id"] for group in groups], "request_id": request_ids[0],
            "request_ids": request_ids}


# ---------------------------------------------------------------------------------------------
# OnsMessageGetByMsgId (ons_message_info)


def message_entry(instance_id, topic, msg_id, request_id=None):
    """Return the entry of a message that was not found, or whose query failed."""
    return {"msg_id": msg_id, "topic": topic, "instance_id": instance_id, "found": False, "born_host": None,
            "born_timestamp": None, "store_host": None, "store_timestamp": None, "store_size": None,
            "reconsume_times": None, "body_crc": None, "properties": {}, "request_id": request_id}


def _shape_properties(data, request_id):
    properties = {}
    for item in get_list(data, "PropertyList", "MessageProperty", request_id=request_id):
        name = get_scalar(item, "Name", request_id=request_id)
        if not name:
            raise InvalidAnswerError("PropertyList.MessageProperty holds a property without a Name", request_id=request_id)
        properties[name] = get_scalar(item, "Value", request_id=request_id)
    return properties


def _message_facts(data, request_id):
    """What the API says of a stored message (OnsMessageGetByMsgId's ``Data``, an ``OnsRestMessageDo``), its ID aside."""
    return {
        "topic": get_scalar(data, "Topic", request_id=request_id),
        "instance_id": get_scalar(data, "InstanceId", request_id=request_id),
        "born_host": get_scalar(data, "BornHost", request_id=request_id),
        "born_timestamp": get_scalar(data, "BornTimestamp", int, request_id=request_id),
        "store_host": get_scalar(data, "StoreHost", request_id=request_id),
        "store_timestamp": get_scalar(data, "StoreTimestamp", int, request_id=request_id),
        "store_size": get_scalar(data, "StoreSize", int, request_id=request_id),
        "reconsume_times": get_scalar(data, "ReconsumeTimes", int, request_id=request_id),
        "body_crc": get_scalar(data, "BodyCRC", int, request_id=request_id),
        "properties": _shape_properties(data, request_id),
    }


def shape_message_answer(body, instance_id, topic, msg_id):
    """Turn an answer of OnsMessageGetByMsgId about ``msg_id`` into its message entry (InvalidAnswerError if unreadable)."""
    request_id = body.get("RequestId")
    data = get_object(body, "Data", required=True, request_id=request_id)
    entry = message_entry(instance_id, topic, msg_id)
    entry.update(_message_facts(data, request_id))
    entry.update({
        # The topic and instance asked for, when the answer does not say.
        "topic": entry["topic"] or topic,
        "instance_id": entry["instance_id"] or instance_id,
        "found": True,
        "request_id": request_id,
    })
    return entry


def query_message(client, instance_id, topic, msg_id):
    """Ask OnsMessageGetByMsgId about one message and return its entry (``found`` false when there is none).

    Raises ApiError when the call fails or the answer cannot be read.
    """
    params = {"InstanceId": instance_id, "Topic": topic, "MsgId": msg_id}
    body, absent_request_id = call_or_absent(client, MESSAGE_ACTION, params, NO_MESSAGE)
    if body is None:
        return message_entry(instance_id, topic, msg_id, absent_request_id)
    return shape_message_answer(body, instance_id, topic, msg_id)


# ---------------------------------------------------------------------------------------------
# OnsDLQMessagePageQueryByGroupId (ons_dead_letter_info)


def dead_letter_entry(instance_id, group_id, begin_ms, end_ms, request_id=None):
    """Return the dead-letter entry of a group whose letters are unknown (not none): its query failed, or was not made."""
    return {"group_id": group_id, "instance_id": instance_id, "begin_time": begin_ms, "end_time": end_ms, "count": None,
            "complete": False, "messages": [], "request_id": request_id,
            "request_ids": [] if request_id is None else [request_id]}


def _dead_letter(item, instance_id, request_id):
    letter = {"msg_id": get_scalar(item, "MsgId", request_id=request_id)}
    letter.update(_message_facts(dict(item, StoreTimestamp=None), request_id))
    try:
        letter["store_timestamp"] = get_scalar(item, "StoreTimestamp", int, request_id=request_id) or None
    except InvalidAnswerError:
        # Unknown rather than an error: the letter is kept, as a count must never lose one to its time.
        letter["store_timestamp"] = None
    letter["instance_id"] = letter["instance_id"] or instance_id
    return letter


def stored_within(store_timestamp, begin_ms, end_ms):
    """Tell whether a letter stored at ``store_timestamp`` counts in the window: in it, or unknown (None)."""
    return store_timestamp is None or begin_ms <= store_timestamp <= end_ms


def list_dead_letters(client, instance_id, group_id, begin_ms, end_ms, enough=None):
    """List the dead letters of a group stored from ``begin_ms`` to ``end_ms`` (epoch ms) with OnsDLQMessagePageQueryByGroupId.

    Returns dead_letter_entry with ``messages`` (``[{msg_id, topic, instance_id, born_host,
    born_timestamp, store_host, store_timestamp, store_size, reconsume_times, body_crc,
    properties}]``, never the body), ``count``, ``complete``, ``request_id`` (the first page's) and
    ``request_ids``. Only letters stored in the window are kept; one whose ``StoreTimestamp``
    cannot be read is kept too, with ``store_timestamp`` None. The first page is asked for with
    the window and DLQ_PAGE_SIZE; the next ones, up to its ``MaxPageCount``, with the query task
    (``TaskId``) it started. ``complete`` is true when every page was read; with ``enough``, the
    listing stops after the page that brings ``count`` to it, ``complete`` false then (``count``
    is "at least").

    Whole or an error: an answer about another page than the one asked for, another task, a page
    that repeats an earlier one, an empty page before the last, a ``MaxPageCount`` below 0, or
    above DLQ_MAX_PAGES (unless ``enough`` letters come first) raise InvalidAnswerError naming the
    figures. Every page after the first is bounded by the client's deadline (check_deadline).
    Raises ValueError for a bad window, ApiError when a call fails (an unknown group:
    ``BIZ_SUBSCRIPTION_NOT_FOUND``).
    """
    check_window(begin_ms, end_ms, enough)
    params = {"InstanceId": instance_id, "GroupId": group_id, "BeginTime": str(begin_ms), "EndTime": str(end_ms),
              "PageSize": str(DLQ_PAGE_SIZE)}
    entry = dead_letter_entry(instance_id, group_id, begin_ms, end_ms)
    letters, seen, pages_seen, request_ids = [], set(), {}, []
    task_id = max_pages = None
    rows_read = page = 0

    def held():
        # What the pages read so far held, for an error: "3 dead letters in the window (4 read in 2 pages)".
        return "%s in the window (%d read in %s)" % (_count(len(letters), "dead letter"), rows_read,
                                                     _count(len(request_ids), "page"))

    def invalid(problem, request_id):
        return InvalidAnswerError("%s %s; after %s the dead letters are not all read" % (DLQ_ACTION, problem, held()),
                                  request_id=request_id)

    while True:
        page += 1
        params["CurrentPage"] = str(page)
        if page == 1:
            # Inferred, not published: "no message" said of the whole window is no dead letter.
            body, absent_request_id = call_or_absent(client, DLQ_ACTION, params, NO_MESSAGE)
            if body is None:
                entry.update(count=0, complete=True, request_id=absent_request_id, request_ids=[absent_request_id])
                return entry
        else:
            check_deadline(client, DLQ_ACTION, "page %d of %s was not asked for, after %s" % (page, max_pages, held()))
            body = client.call(DLQ_ACTION, params)
        request_id = body.get("RequestId")
        request_ids.append(request_id)
        found = get_object(body, "MsgFoundDo", required=True, request_id=request_id)
        answered = get_scalar(found, "CurrentPage", int, request_id=request_id)
        answered_task = get_scalar(found, "TaskId", request_id=request_id) or None
        pages = get_scalar(found, "MaxPageCount", int, request_id=request_id)
        rows = get_list(found, "MsgFoundList", "OnsRestMessageDo", request_id=request_id)
        rows_read += len(rows)
        if answered != page and (answered is not None or rows):
            raise invalid("answered CurrentPage %s to the request for page %d: the server does not follow CurrentPage"
                          % (answered, page), request_id)
        if pages is not None and pages < 0:
            raise invalid("said MaxPageCount %d: it counts pages and cannot be negative" % pages, request_id)
        if page == 1:
            task_id = answered_task
        elif answered_task is not None and answered_task != task_id:
            raise invalid("page %d belongs to query task %s, not to %s, the task of page 1" % (
                page, answered_task, task_id), request_id)
        if pages is not None:
            max_pages = pages if max_pages is None else max(max_pages, pages)
        shaped = [_dead_letter(item, instance_id, request_id) for item in rows]
        keys = tuple(json.dumps(letter, sort_keys=True) for letter in shaped)
        if rows:
            earlier = pages_seen.get(keys)
            if earlier is not None:
                raise invalid("page %d is page %d again (the same %s)" % (page, earlier, _count(len(rows), "letter")),
                              request_id)
            pages_seen[keys] = page
            if all(key in seen for key in keys):
                raise invalid("page %d holds only letters already listed" % page, request_id)
        for key, letter in zip(keys, shaped):
            if key not in seen:
                seen.add(key)
                if stored_within(letter["store_timestamp"], begin_ms, end_ms):
                    letters.append(letter)
        # Without MaxPageCount, a page shorter than asked is the last.
        last = page >= max_pages if max_pages is not None else len(rows) < DLQ_PAGE_SIZE
        if last or (enough is not None and len(letters) >= enough):
            complete = last
            break
        if not rows:
            raise invalid("page %d of %d holds no letter" % (page, max_pages), request_id)
        if page >= DLQ_MAX_PAGES or (enough is None and max_pages is not None and max_pages > DLQ_MAX_PAGES):
            said = "said MaxPageCount %d" % max_pages if max_pages is not None else "gave full pages up to page %d" % page
            raise invalid("%s (pages of %d): more than %d dead letters in the window, and the API gives pages 1 to %d "
                          "only: narrow the window" % (said, DLQ_PAGE_SIZE, DLQ_MAX_PAGES * DLQ_PAGE_SIZE,
                                                       DLQ_MAX_PAGES), request_id)
        if task_id is None:
            raise invalid("gave no TaskId on page 1 to ask for page 2 of %s with" % max_pages, request_id)
        params["TaskId"] = task_id
    entry.update(messages=letters, count=len(letters), complete=complete, request_id=request_ids[0],
                 request_ids=request_ids)
    return entry


# ---------------------------------------------------------------------------------------------
# OnsMessageTrace (ons_trace_info)


def trace_entry(topic, msg_id, request_id=None):
    """Return the trace entry of a message that was not found, or whose query failed."""
    return {"msg_id": msg_id, "topic": topic, "found": False, "tracks": [], "request_id": request_id}


def _shape_track(item, request_id):
    return {
        "consumer_group": get_scalar(item, "ConsumerGroup", request_id=request_id),
        "track_type": get_scalar(item, "TrackType", request_id=request_id),
        "instance_id": get_scalar(item, "InstanceId", request_id=request_id),
    }


def shape_trace(body, topic, msg_id):
    """Turn an answer of OnsMessageTrace about ``msg_id`` into its trace entry (InvalidAnswerError if unreadable)."""
    request_id = body.get("RequestId")
    data = get_object(body, "Data", required=True, request_id=request_id)
    entry = trace_entry(topic, msg_id, request_id)
    entry["found"] = True
    entry["tracks"] = [_shape_track(item, request_id) for item in get_list(data, "MessageTrack", request_id=request_id)]
    return entry


def query_trace(client, instance_id, topic, msg_id):
    """Ask OnsMessageTrace about one message and return its trace entry (``found`` false when there is none).

    Raises ApiError when the call fails or the answer cannot be read.
    """
    params = {"InstanceId": instance_id, "Topic": topic, "MsgId": msg_id}
    body, absent_request_id = call_or_absent(client, TRACE_ACTION, params, NO_MESSAGE)
    if body is None:
        return trace_entry(topic, msg_id, absent_request_id)
    return shape_trace(body, topic, msg_id)


# ---------------------------------------------------------------------------------------------
# OnsInstanceInServiceList and OnsInstanceBaseInfo (ons_instance_info)


def instance_entry(instance_id=None):
    """Return the entry of an instance with nothing known of it (its query failed)."""
    return {"instance_id": instance_id, "instance_name": None, "instance_status": None, "instance_type": None,
            "independent_naming": None, "group_count": None, "topic_count": None, "create_time": None,
            "release_time": None, "max_tps": None, "topic_capacity": None, "remark": None, "tags": None,
            "endpoints": None, "request_id": None}


def _common_facts(entry, item, request_id):
    entry.update({
        "instance_id": get_scalar(item, "InstanceId", request_id=request_id),
        "instance_name": get_scalar(item, "InstanceName", request_id=request_id),
        "instance_status": get_scalar(item, "InstanceStatus", int, request_id=request_id),
        "instance_type": get_scalar(item, "InstanceType", int, request_id=request_id),
        "independent_naming": get_scalar(item, "IndependentNaming", bool, request_id=request_id),
        # OnsInstanceBaseInfo gives CreateTime as a string of milliseconds, the list as a number.
        "create_time": get_scalar(item, "CreateTime", int, request_id=request_id),
        "release_time": get_scalar(item, "ReleaseTime", int, request_id=request_id),
        "request_id": request_id,
    })
    return entry


def shape_instance_list_answer(body):
    """Turn an answer of OnsInstanceInServiceList into ``{"instances", "request_id"}`` (InvalidAnswerError if unreadable)."""
    request_id = body.get("RequestId")
    data = get_object(body, "Data", required=True, request_id=request_id)
    instances = []
    for item in get_list(data, "InstanceVO", request_id=request_id):
        entry = _common_facts(instance_entry(), item, request_id)
        entry["group_count"] = get_scalar(item, "GroupCount", int, request_id=request_id)
        entry["topic_count"] = get_scalar(item, "TopicCount", int, request_id=request_id)
        entry["tags"] = get_tags(item, "Tags", "Tag", request_id=request_id)
        instances.append(entry)
    return {"instances": instances, "request_id": request_id}


def shape_instance_base_info_answer(body, instance_id):
    """Turn an answer of OnsInstanceBaseInfo about ``instance_id`` into its instance entry.

    Raises InvalidAnswerError for an answer that cannot be read or that is about another instance.
    """
    request_id = body.get("RequestId")
    info = get_object(body, "InstanceBaseInfo", required=True, request_id=request_id)
    entry = _common_facts(instance_entry(instance_id), info, request_id)
    if entry["instance_id"] is None:
        entry["instance_id"] = instance_id
    elif entry["instance_id"] != instance_id:
        raise InvalidAnswerError("the answer is about instance %s, not %s" % (entry["instance_id"], instance_id),
                                 request_id=request_id)
    entry["max_tps"] = get_scalar(info, "MaxTps", int, request_id=request_id)
    entry["topic_capacity"] = get_scalar(info, "TopicCapacity", int, request_id=request_id)
    entry["remark"] = get_scalar(info, "Remark", request_id=request_id)
    endpoints = get_object(info, "Endpoints", request_id=request_id) or {}
    entry["endpoints"] = dict((key, get_scalar(endpoints, field, request_id=request_id)) for key, field in INSTANCE_ENDPOINTS)
    return entry


def list_instances(client, tags=None, need_resource_info=False):
    """List the instances of the client's region with OnsInstanceInServiceList, as ``{"instances", "request_id"}``.

    The dict ``tags`` narrows the list. Raises ValueError for a bad tag, ApiError when the call fails
    or the answer cannot be read.
    """
    params = tag_parameters(tags or {})
    if need_resource_info:
        params["NeedResourceInfo"] = "true"
    return shape_instance_list_answer(client.call(INSTANCE_LIST_ACTION, params))


def describe_instance(client, instance_id):
    """Ask OnsInstanceBaseInfo about one instance and return its entry; ApiError when that fails."""
    return shape_instance_base_info_answer(client.call(INSTANCE_BASE_INFO_ACTION, {"InstanceId": instance_id}),
                                           instance_id)


def describe_instances(client, instance_ids, concurrently=None):
    """Return the outcome of describe_instance for each of ``instance_ids``, in their order.

    An outcome is ``(entry, None)``, or ``(None, error)`` for an instance whose query raised an
    ApiError. ``concurrently(func, items)`` runs the calls, like ons_module.query_concurrently; by
    default they run one after another.
    """
    return (concurrently or in_order)(lambda instance_id: describe_instance(client, instance_id), instance_ids)
