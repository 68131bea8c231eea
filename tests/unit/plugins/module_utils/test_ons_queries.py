# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The queries the info modules and the gate share: what each asks the API, and the entry it makes of the answer."""

import os
import re
import subprocess
import sys
import threading
import time

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.module_utils import ons_queries, time_windows
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.client import OnsApiError, OnsResponseError, OnsTransportError
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.ons_queries import (
    accumulate_entry,
    call_or_absent,
    check_name,
    connection_entry,
    consume_type,
    describe_instances,
    in_order,
    instance_entry,
    list_groups,
    list_instances,
    message_entry,
    outcome_of,
    query_accumulate,
    query_connections,
    query_message,
    query_status,
    query_subscription,
    query_trace,
    status_entry,
    subscription_entry,
    trace_entry,
)

INSTANCE = "MQ_INST_1234567890_UNIT"
GROUP = "GID_orders"
TOPIC = "orders"
MSG_ID = "0A0001050000217A000000000000A1B2"


class FakeClient:
    """Answers each action from ``answers``: a body, an exception to raise, or a function of the params."""

    def __init__(self, answers):
        self.answers = answers
        self.calls = []
        self._lock = threading.Lock()

    def call(self, action, params):
        with self._lock:
            self.calls.append((action, dict(params)))
        answer = self.answers[action]
        if callable(answer):
            answer = answer(params)
        if isinstance(answer, Exception):
            raise answer
        return answer


def api_error(code, request_id="r-err"):
    return OnsApiError(code, "message of %s" % code, http_status=400, request_id=request_id)


def groups_body(request_id, *items):
    return {"RequestId": request_id, "Data": {"SubscribeInfoDo": list(items)}}


# --- names, tags and calls ---------------------------------------------------------------------

@pytest.mark.parametrize("what, value, kind, message", [
    ("instance_id", "bad id", "instance",
     "instance_id 'bad id' is not a valid instance ID: use 1 to 64 letters, digits, hyphens and underscores"),
    ("group_ids", "GID_a\n", "group",
     "group_ids 'GID_a\\n' is not a valid group ID: use 1 to 128 letters, digits, hyphens, underscores and %"),
    ("topic", 5, "topic", "topic 5 is not a valid topic ID: use 1 to 128 letters, digits, hyphens, underscores and %"),
    ("msg_id", "xyz!", "message",
     "msg_id 'xyz!' is not a valid message ID: use 1 to 128 letters and digits (a message ID is hexadecimal)"),
])
def test_a_bad_name_raises_the_message_the_modules_fail_with(what, value, kind, message):
    with pytest.raises(ValueError) as info:
        check_name(what, value, kind)
    assert str(info.value) == message


def test_a_good_name_is_returned_as_given():
    assert check_name("group_id", INSTANCE + "%" + GROUP, "group") == INSTANCE + "%" + GROUP


def test_the_absent_code_gives_its_request_id_and_any_other_error_raises():
    client = FakeClient({"A": api_error("BIZ_NO_MESSAGE", "r-absent"), "B": api_error("InternalError"), "C": {"RequestId": "r-c"}})
    assert call_or_absent(client, "A", {}, ons_queries.NO_MESSAGE) == (None, "r-absent")
    assert call_or_absent(client, "C", {}, ons_queries.NO_MESSAGE) == ({"RequestId": "r-c"}, None)
    with pytest.raises(OnsApiError, match="InternalError"):
        call_or_absent(client, "B", {}, ons_queries.NO_MESSAGE)


def test_outcomes_hold_an_ons_error_but_let_a_bug_through():
    error = OnsTransportError("refused")

    def func(item):
        if item == "fails":
            raise error
        if item == "bug":
            raise KeyError(item)
        return item.upper()

    assert in_order(func, ["a", "fails", "b"]) == [("A", None), (None, error), ("B", None)]
    assert outcome_of(func, "fails") == (None, error)
    with pytest.raises(KeyError):
        in_order(func, ["a", "bug"])


def test_the_queries_load_without_ansible_module():
    # The gate imports them on the controller, where no module runs.
    code = ("import sys; import ansible_collections.apsaramq.rocketmq.plugins.module_utils.ons_queries; "
            "print('ansible.module_utils.basic' in sys.modules)")
    output = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)),
                            capture_output=True, text=True, check=True).stdout
    assert output.strip() == "False"


# --- consumer groups -----------------------------------------------------------------------------

@pytest.mark.parametrize("detail, need_jstack, flags", [(False, False, ("false", "false")), (True, True, ("true", "true")),
                                                        (True, False, ("true", "false"))])
def test_query_status_asks_for_what_it_reads(detail, need_jstack, flags):
    client = FakeClient({"OnsConsumerStatus": {"RequestId": "r-1", "Data": {"Online": True, "TotalDiff": 3}}})
    entry = query_status(client, INSTANCE, GROUP, detail=detail, need_jstack=need_jstack)
    assert client.calls == [("OnsConsumerStatus", {"GroupId": GROUP, "InstanceId": INSTANCE, "Detail": flags[0],
                                                   "NeedJstack": flags[1]})]
    assert (entry["online"], entry["total_diff"], entry["request_id"]) == (True, 3, "r-1")


def test_query_status_of_a_group_without_clients_is_its_unknown_entry():
    client = FakeClient({"OnsConsumerStatus": api_error("BIZ_CONSUMER_NOT_ONLINE", "r-off")})
    assert query_status(client, INSTANCE, GROUP) == status_entry(INSTANCE, GROUP, "r-off")
    assert status_entry(INSTANCE, GROUP)["total_diff"] is None


def test_query_status_raises_any_other_error():
    client = FakeClient({"OnsConsumerStatus": api_error("BIZ_SUBSCRIPTION_NOT_FOUND")})
    with pytest.raises(OnsApiError, match="BIZ_SUBSCRIPTION_NOT_FOUND"):
        query_status(client, INSTANCE, GROUP)


@pytest.mark.parametrize("reported, expected", [("PUSH", "CONSUME_PASSIVELY"), (" pull ", "CONSUME_ACTIVELY"),
                                                ("CONSUME_ACTIVELY", "CONSUME_ACTIVELY"), ("OTHER", "OTHER"), ("", None)])
def test_consume_type_has_one_spelling_for_both_vocabularies(reported, expected):
    assert consume_type(reported) == expected


def test_query_accumulate_asks_for_the_topics_by_default_and_reads_them():
    topics = {"DetailInTopicDo": [{"Topic": TOPIC, "TotalDiff": 7, "DelayTime": 2, "LastTimestamp": 0}]}
    client = FakeClient({"OnsConsumerAccumulate": {"RequestId": "r-1", "Data": {"Online": True, "TotalDiff": 7,
                                                                                "DetailInTopicList": topics}}})
    entry = query_accumulate(client, INSTANCE, GROUP)
    assert client.calls[0][1]["Detail"] == "true"
    assert entry["topics"][0]["topic"] == TOPIC and entry["total_diff"] == 7
    assert query_accumulate(client, INSTANCE, GROUP, detail=False)["topics"] == []
    assert client.calls[1][1]["Detail"] == "false"


def test_query_accumulate_of_a_group_without_clients_is_its_unknown_entry():
    client = FakeClient({"OnsConsumerAccumulate": api_error("BIZ_CONSUMER_NOT_ONLINE", "r-off")})
    assert query_accumulate(client, INSTANCE, GROUP) == accumulate_entry(INSTANCE, GROUP, "r-off")


def test_query_connections_is_online_only_with_a_connection():
    connections = {"ConnectionDo": [{"ClientId": "c1", "ClientAddr": "10.0.0.1:1", "Language": "JAVA", "Version": "V4"}]}
    client = FakeClient({"OnsConsumerGetConnection": lambda params: {
        "RequestId": "r-" + params["GroupId"],
        "Data": {"MessageModel": "", "ConnectionList": connections if params["GroupId"] == GROUP else {}}}})
    entry = query_connections(client, INSTANCE, GROUP)
    assert entry == dict(connection_entry(INSTANCE, GROUP, "r-" + GROUP), online=True, connections=[
        {"client_id": "c1", "client_addr": "10.0.0.1:1", "language": "JAVA", "version": "V4"}])
    assert query_connections(client, INSTANCE, "GID_empty") == connection_entry(INSTANCE, "GID_empty", "r-GID_empty")
    assert client.calls[0] == ("OnsConsumerGetConnection", {"GroupId": GROUP, "InstanceId": INSTANCE})


def test_query_connections_of_a_group_without_clients_is_its_empty_entry():
    client = FakeClient({"OnsConsumerGetConnection": api_error("BIZ_CONSUMER_NOT_ONLINE", "r-off")})
    assert query_connections(client, INSTANCE, GROUP) == connection_entry(INSTANCE, GROUP, "r-off")


def test_query_subscription_reads_the_answer_or_gives_the_empty_entry():
    client = FakeClient({"OnsGroupSubDetail": {"RequestId": "r-1", "Data": {
        "Online": True, "MessageModel": "CLUSTERING",
        "SubscriptionDataList": {"SubscriptionDataList": [{"Topic": TOPIC, "SubString": "*"}]}}}})
    entry = query_subscription(client, INSTANCE, GROUP)
    assert entry["subscriptions"] == [{"topic": TOPIC, "sub_string": "*"}] and entry["online"] is True
    client.answers["OnsGroupSubDetail"] = api_error("BIZ_CONSUMER_NOT_ONLINE", "r-off")
    assert query_subscription(client, INSTANCE, GROUP) == subscription_entry(INSTANCE, GROUP, "r-off")


# --- the group list ------------------------------------------------------------------------------

def by_type(params):
    if params["GroupType"] == "tcp":
        return groups_body("r-tcp", {"GroupId": "GID_a", "GroupType": "tcp"}, {"GroupId": "GID_both", "Remark": "tcp"})
    return groups_body("r-http", {"GroupId": "GID_both", "Remark": "http"}, {"GroupId": "GID_h"})


def test_every_group_is_listed_tcp_first_and_a_group_of_both_types_once():
    client = FakeClient({"OnsGroupList": by_type})
    result = list_groups(client, INSTANCE)
    assert [params["GroupType"] for dummy, params in client.calls] == ["tcp", "http"]
    assert result["group_ids"] == ["GID_a", "GID_both", "GID_h"]
    assert [group["group_type"] for group in result["groups"]] == ["tcp", "tcp", "http"]
    assert result["groups"][1]["remark"] == "tcp"
    assert (result["request_id"], result["request_ids"]) == ("r-tcp", ["r-tcp", "r-http"])
    assert list(result) == ["groups", "group_ids", "request_id", "request_ids"]


def test_one_type_is_one_call_narrowed_by_group_and_tags():
    client = FakeClient({"OnsGroupList": by_type})
    result = list_groups(client, INSTANCE, group_id="GID_h", group_type="http", tags={"app": "orders", "tier": 1})
    assert client.calls == [("OnsGroupList", {"InstanceId": INSTANCE, "GroupId": "GID_h", "Tag.1.Key": "app",
                                              "Tag.1.Value": "orders", "Tag.2.Key": "tier", "Tag.2.Value": "1",
                                              "GroupType": "http"})]
    assert result["request_ids"] == ["r-http"]


@pytest.mark.parametrize("kwargs, message", [
    (dict(tags={"app": "aliyun-x"}), "value of key 'app' 'aliyun-x' is not valid"),
    (dict(tags={"acs:app": "x"}), "key 'acs:app' is not valid"),
    (dict(group_type="mqtt"), "group_type 'mqtt' is not valid: use one of all, tcp, http"),
])
def test_a_bad_tag_or_type_raises_before_any_call(kwargs, message):
    client = FakeClient({"OnsGroupList": by_type})
    with pytest.raises(ValueError, match=message):
        list_groups(client, INSTANCE, **kwargs)
    assert client.calls == []


def test_a_failed_listing_raises_its_error_naming_its_type_rather_than_a_partial_list():
    error = api_error("InternalError")
    client = FakeClient({"OnsGroupList": lambda params: error if params["GroupType"] == "http" else by_type(params)})
    with pytest.raises(OnsApiError) as info:
        list_groups(client, INSTANCE)
    assert info.value is error and info.value.group_type == "http"


def test_when_both_listings_fail_the_tcp_error_is_raised():
    client = FakeClient({"OnsGroupList": lambda params: api_error("Error" + params["GroupType"])})
    with pytest.raises(OnsApiError) as info:
        list_groups(client, INSTANCE)
    assert (info.value.code, info.value.group_type) == ("Errortcp", "tcp")


def test_the_caller_chooses_how_the_listings_run():
    seen = []

    def concurrently(func, items):
        seen.append(list(items))
        return [outcome_of(func, item) for item in reversed(items)][::-1]

    result = list_groups(FakeClient({"OnsGroupList": by_type}), INSTANCE, concurrently=concurrently)
    assert seen == [["tcp", "http"]] and result["request_ids"] == ["r-tcp", "r-http"]


def test_an_unreadable_listing_raises_instead_of_listing_nothing():
    client = FakeClient({"OnsGroupList": {"RequestId": "r-1", "Data": "nothing"}})
    with pytest.raises(OnsResponseError):
        list_groups(client, INSTANCE, group_type="tcp")


# --- messages ------------------------------------------------------------------------------------

def test_query_message_reads_a_found_message_and_gives_an_unknown_one_its_request_id():
    client = FakeClient({"OnsMessageGetByMsgId": {"RequestId": "r-1", "Data": {
        "Topic": TOPIC, "BornHost": "10.0.0.1:1", "StoreSize": 406,
        "PropertyList": {"MessageProperty": [{"Name": "TAGS", "Value": "created"}]}}}})
    entry = query_message(client, INSTANCE, TOPIC, MSG_ID)
    assert client.calls == [("OnsMessageGetByMsgId", {"InstanceId": INSTANCE, "Topic": TOPIC, "MsgId": MSG_ID})]
    assert (entry["found"], entry["store_size"], entry["properties"], entry["instance_id"]) == (True, 406, {"TAGS": "created"}, INSTANCE)
    client.answers["OnsMessageGetByMsgId"] = api_error("BIZ_NO_MESSAGE", "r-none")
    assert query_message(client, INSTANCE, TOPIC, MSG_ID) == message_entry(INSTANCE, TOPIC, MSG_ID, "r-none")


def test_query_trace_reads_the_tracks_and_gives_an_unknown_message_its_request_id():
    client = FakeClient({"OnsMessageTrace": {"RequestId": "r-1", "Data": {"MessageTrack": [
        {"ConsumerGroup": GROUP, "TrackType": "CONSUMED", "InstanceId": INSTANCE}]}}})
    assert query_trace(client, INSTANCE, TOPIC, MSG_ID) == dict(trace_entry(TOPIC, MSG_ID, "r-1"), found=True, tracks=[
        {"consumer_group": GROUP, "track_type": "CONSUMED", "instance_id": INSTANCE}])
    client.answers["OnsMessageTrace"] = api_error("BIZ_NO_MESSAGE", "r-none")
    assert query_trace(client, INSTANCE, TOPIC, MSG_ID) == trace_entry(TOPIC, MSG_ID, "r-none")
    with pytest.raises(OnsApiError):
        client.answers["OnsMessageTrace"] = api_error("BIZ_TOPIC_NOT_FOUND")
        query_trace(client, INSTANCE, TOPIC, MSG_ID)


# --- instances -----------------------------------------------------------------------------------

def test_list_instances_asks_with_the_tags_and_the_resource_info_wanted():
    client = FakeClient({"OnsInstanceInServiceList": {"RequestId": "r-1", "Data": {"InstanceVO": [
        {"InstanceId": INSTANCE, "GroupCount": 2}]}}})
    result = list_instances(client, tags={"env": "unit"}, need_resource_info=True)
    assert client.calls == [("OnsInstanceInServiceList", {"Tag.1.Key": "env", "Tag.1.Value": "unit", "NeedResourceInfo": "true"})]
    assert result["request_id"] == "r-1" and result["instances"][0]["group_count"] == 2
    assert "error" not in result["instances"][0]
    list_instances(client)
    assert client.calls[1] == ("OnsInstanceInServiceList", {})


def test_list_instances_refuses_a_bad_tag_before_calling():
    client = FakeClient({})
    with pytest.raises(ValueError, match="has 21 tags"):
        list_instances(client, tags=dict(("k%d" % n, "v") for n in range(21)))
    assert client.calls == []


def test_describe_instances_gives_one_outcome_per_instance_in_order():
    def base_info(params):
        if params["InstanceId"] == "MQ_INST_missing":
            return api_error("INSTANCE_NOT_FOUND")
        if params["InstanceId"] == "MQ_INST_other":
            return {"RequestId": "r-o", "InstanceBaseInfo": {"InstanceId": INSTANCE}}
        return {"RequestId": "r-" + params["InstanceId"], "InstanceBaseInfo": {"MaxTps": 5000}}

    outcomes = describe_instances(FakeClient({"OnsInstanceBaseInfo": base_info}), [INSTANCE, "MQ_INST_missing", "MQ_INST_other"])
    entry, error = outcomes[0]
    assert error is None and (entry["instance_id"], entry["max_tps"], entry["request_id"]) == (INSTANCE, 5000, "r-" + INSTANCE)
    assert outcomes[1][0] is None and outcomes[1][1].code == "INSTANCE_NOT_FOUND"
    # An answer about another instance is never taken for the one asked about.
    assert outcomes[2][0] is None and isinstance(outcomes[2][1], OnsResponseError)
    assert set(instance_entry("x")) == set(entry)


def test_describe_instances_runs_through_the_callers_runner():
    calls = []

    def concurrently(func, items):
        calls.append(list(items))
        return in_order(func, items)

    client = FakeClient({"OnsInstanceBaseInfo": {"RequestId": "r-1", "InstanceBaseInfo": {}}})
    assert describe_instances(client, [INSTANCE], concurrently=concurrently)[0][0]["instance_id"] == INSTANCE
    assert calls == [[INSTANCE]]


# --- time windows --------------------------------------------------------------------------------

NOW_MS = 1796637600000  # 2026-12-07T10:00:00Z


@pytest.mark.parametrize("value, ms", [
    (NOW_MS, NOW_MS), (str(NOW_MS), NOW_MS), ("2026-12-07T10:00:00Z", NOW_MS), ("2026-12-07T18:00:00+08:00", NOW_MS),
    ("2026-12-07 04:30:00.250-05:30", NOW_MS + 250),
])
def test_a_time_is_epoch_milliseconds_or_iso_8601_with_a_zone(value, ms):
    assert time_windows.parse_time("begin_time", value) == ms


@pytest.mark.parametrize("value, message", [
    ("2026-12-07T10:00:00", "begin_time '2026-12-07T10:00:00' has no zone, so it names no one moment: add Z (UTC) or an offset"),
    ("yesterday", "begin_time 'yesterday' is not a time: use epoch milliseconds or an ISO 8601 time with a zone"),
    (True, "begin_time True is not a time"),
    (1.5e12, "begin_time 1500000000000.0 is not a time"),
    (1796637600, "begin_time 1796637600 is not a plausible time: use one from 2000-01-01 to 2100-01-01 (epoch milliseconds, not seconds)"),
    ("4102444800000", "begin_time '4102444800000' is not a plausible time"),
])
def test_a_time_that_names_no_moment_is_refused_naming_the_option(value, message):
    with pytest.raises(ValueError) as caught:
        time_windows.parse_time("begin_time", value)
    assert str(caught.value).startswith(message)


def test_the_window_is_the_lookback_before_the_end_which_is_now_by_default():
    assert time_windows.time_window(now_ms=NOW_MS) == (NOW_MS - 3600 * 1000, NOW_MS)
    assert time_windows.time_window(end_time="2026-12-07T10:00:00Z", lookback=60, now_ms=0) == (NOW_MS - 60000, NOW_MS)
    # begin_time given, lookback is not read.
    assert time_windows.time_window(begin_time=NOW_MS - 5, lookback=None, now_ms=NOW_MS) == (NOW_MS - 5, NOW_MS)


@pytest.mark.parametrize("options, message", [
    (dict(begin_time=NOW_MS + 1), "begin_time 2026-12-07T10:00:00.001Z is after the end, now (2026-12-07T10:00:00.000Z): use a "
                                  "begin_time before the end"),
    (dict(begin_time=NOW_MS, end_time=NOW_MS - 1000), "begin_time 2026-12-07T10:00:00.000Z is after end_time 2026-12-07T09:59:59.000Z"),
    (dict(lookback=0), "lookback 0 is not valid: use whole seconds from 1 to 2592000 (30 days)"),
    (dict(lookback=2592001), "lookback 2592001 is not valid"),
    (dict(begin_time="2026-10-01T00:00:00Z"), "the window from begin_time 2026-10-01T00:00:00.000Z to the end, now "
                                              "(2026-12-07T10:00:00.000Z) is longer than 2592000 seconds (30 days): narrow it"),
    (dict(end_time="noon"), "end_time 'noon' is not a time"),
])
def test_a_window_that_cannot_be_read_is_refused_naming_the_option(options, message):
    with pytest.raises(ValueError) as caught:
        time_windows.time_window(now_ms=NOW_MS, **options)
    assert str(caught.value).startswith(message)


# --- OnsDLQMessagePageQueryByGroupId -------------------------------------------------------------

def letter(number, store_timestamp=NOW_MS - 60000, **extra):
    item = {"MsgId": "0A00010500002A9F%016X" % number, "Topic": TOPIC, "InstanceId": INSTANCE, "BornHost": "10.0.0.1:1",
            "BornTimestamp": store_timestamp, "StoreHost": "11.0.0.1:10911", "StoreTimestamp": store_timestamp,
            "StoreSize": 406, "ReconsumeTimes": 16, "BodyCRC": 7,
            "PropertyList": {"MessageProperty": [{"Name": "TAGS", "Value": "created"}]}}
    item.update(extra)
    return item


def dlq_page(page, pages, letters, task="T1", request_id=None):
    return {"RequestId": request_id or "r-%d" % page, "MsgFoundDo": {
        "TaskId": task, "MaxPageCount": pages, "CurrentPage": page, "MsgFoundList": {"OnsRestMessageDo": letters}}}


def dlq_client(*pages):
    """A FakeClient answering page N of the dead-letter query with ``pages[N - 1]``."""
    return FakeClient({ons_queries.DLQ_ACTION: lambda params: pages[int(params["CurrentPage"]) - 1]})


def dead_letters(client, enough=None, begin=NOW_MS - 3600000, end=NOW_MS):
    return ons_queries.list_dead_letters(client, INSTANCE, GROUP, begin, end, enough=enough)


def test_the_first_page_starts_a_task_the_next_pages_are_read_from():
    full = [letter(n) for n in range(50)]
    client = dlq_client(dlq_page(1, 3, full[:50]), dlq_page(2, 3, [letter(n) for n in range(50, 100)]),
                        dlq_page(3, 3, [letter(100)]))
    entry = dead_letters(client)
    window = {"InstanceId": INSTANCE, "GroupId": GROUP, "BeginTime": str(NOW_MS - 3600000), "EndTime": str(NOW_MS),
              "PageSize": "50"}
    assert client.calls == [(ons_queries.DLQ_ACTION, dict(window, CurrentPage="1")),
                            (ons_queries.DLQ_ACTION, dict(window, CurrentPage="2", TaskId="T1")),
                            (ons_queries.DLQ_ACTION, dict(window, CurrentPage="3", TaskId="T1"))]
    assert (entry["count"], entry["complete"], entry["request_id"], entry["request_ids"]) == (101, True, "r-1", ["r-1", "r-2", "r-3"])
    assert entry["messages"][0] == {
        "msg_id": "0A00010500002A9F0000000000000000", "topic": TOPIC, "instance_id": INSTANCE, "born_host": "10.0.0.1:1",
        "born_timestamp": NOW_MS - 60000, "store_host": "11.0.0.1:10911", "store_timestamp": NOW_MS - 60000,
        "store_size": 406, "reconsume_times": 16, "body_crc": 7, "properties": {"TAGS": "created"}}
    assert set(entry) == set(ons_queries.dead_letter_entry(INSTANCE, GROUP, 0, 0))


def test_only_the_letters_stored_in_the_window_count_and_one_of_unknown_time_is_kept():
    letters = [letter(1, NOW_MS - 3600000), letter(2, NOW_MS), letter(3, NOW_MS + 1), letter(4, NOW_MS - 3600001),
               letter(5, StoreTimestamp=None), letter(6, StoreTimestamp="soon"), letter(7, StoreTimestamp=12)]
    entry = dead_letters(dlq_client(dlq_page(1, 1, letters)))
    assert [item["msg_id"][-1] for item in entry["messages"]] == ["1", "2", "5", "6", "7"]
    assert [item["store_timestamp"] for item in entry["messages"]][2:] == [None, None, None]
    assert entry["count"] == 5 and entry["complete"] is True


@pytest.mark.parametrize("answer", [dlq_page(1, 0, []), {"RequestId": "r-1", "MsgFoundDo": {"TaskId": "T1"}}])
def test_a_window_without_letters_counts_none_and_is_complete(answer):
    entry = dead_letters(dlq_client(answer))
    assert (entry["count"], entry["complete"], entry["messages"], entry["request_ids"]) == (0, True, [], ["r-1"])


def test_no_message_said_of_the_window_is_no_dead_letter_but_an_unknown_group_fails():
    client = FakeClient({ons_queries.DLQ_ACTION: api_error("BIZ_NO_MESSAGE", "r-none")})
    assert dead_letters(client) == dict(ons_queries.dead_letter_entry(INSTANCE, GROUP, NOW_MS - 3600000, NOW_MS, "r-none"),
                                        count=0, complete=True)
    client.answers[ons_queries.DLQ_ACTION] = api_error("BIZ_SUBSCRIPTION_NOT_FOUND")
    with pytest.raises(OnsApiError, match="BIZ_SUBSCRIPTION_NOT_FOUND"):
        dead_letters(client)


def test_enough_stops_after_the_page_that_reaches_it_and_says_the_count_is_a_floor():
    pages = [dlq_page(n, 3, [letter(n * 100 + k) for k in range(50)]) for n in (1, 2, 3)]
    client = dlq_client(*pages)
    entry = dead_letters(client, enough=51)
    assert (entry["count"], entry["complete"], len(client.calls)) == (100, False, 2)
    # Reached on the last page, every page was read: the count is whole.
    entry = dead_letters(dlq_client(dlq_page(1, 1, [letter(1), letter(2)])), enough=1)
    assert (entry["count"], entry["complete"]) == (2, True)


def test_more_pages_than_the_api_gives_are_refused_unless_enough_letters_come_first():
    client = dlq_client(dlq_page(1, 51, [letter(n) for n in range(50)]))
    with pytest.raises(OnsResponseError) as caught:
        dead_letters(client)
    assert caught.value.message == (
        "OnsDLQMessagePageQueryByGroupId said MaxPageCount 51 (pages of 50): more than 2500 dead letters in the window, "
        "and the API gives pages 1 to 50 only: narrow the window; after 50 dead letters in the window (50 read in 1 page) "
        "the dead letters are not all read")
    assert len(client.calls) == 1 and caught.value.request_id == "r-1"
    entry = dead_letters(dlq_client(dlq_page(1, 51, [letter(n) for n in range(50)])), enough=10)
    assert (entry["count"], entry["complete"]) == (50, False)


@pytest.mark.parametrize("pages, problem", [
    ([dlq_page(1, 2, [letter(1)]), dlq_page(1, 2, [letter(2)])],
     "answered CurrentPage 1 to the request for page 2: the server does not follow CurrentPage"),
    ([dlq_page(1, 2, [letter(1)]), dlq_page(2, 2, [letter(2)], task="T2")],
     "page 2 belongs to query task T2, not to T1, the task of page 1"),
    ([dlq_page(1, 3, [letter(1)]), dlq_page(2, 3, [letter(2)]), dlq_page(3, 3, [letter(2)])],
     "page 3 is page 2 again (the same 1 letter)"),
    ([dlq_page(1, 3, [letter(1), letter(2)]), dlq_page(2, 3, [letter(2)])], "page 2 holds only letters already listed"),
    ([dlq_page(1, 3, [letter(1)]), dlq_page(2, 3, []), dlq_page(3, 3, [letter(3)])], "page 2 of 3 holds no letter"),
    ([dlq_page(1, -1, [])], "said MaxPageCount -1: it counts pages and cannot be negative"),
    ([dlq_page(1, 2, [letter(1)], task=None)], "gave no TaskId on page 1 to ask for page 2 of 2 with"),
])
def test_a_listing_that_cannot_be_whole_is_an_error_naming_the_figures(pages, problem):
    with pytest.raises(OnsResponseError) as caught:
        dead_letters(dlq_client(*pages))
    assert caught.value.code == "InvalidResponse"
    assert caught.value.message.startswith("OnsDLQMessagePageQueryByGroupId " + problem + "; after ")


def test_the_deadline_of_the_client_stops_the_listing_between_pages():
    from ansible_collections.apsaramq.rocketmq.plugins.module_utils.errors import DeadlineError

    class BoundClient(FakeClient):
        def check_run_deadline(self, action, undone):
            raise DeadlineError("%s: the test's deadline passed: %s" % (action, undone))

    client = BoundClient({ons_queries.DLQ_ACTION: lambda params: dlq_page(1, 2, [letter(1)])})
    with pytest.raises(DeadlineError, match=re.escape(
            "OnsDLQMessagePageQueryByGroupId: the test's deadline passed: page 2 of 2 was not asked for, after 1 dead "
            "letter in the window (1 read in 1 page)")):
        dead_letters(client)
    assert len(client.calls) == 1


@pytest.mark.parametrize("begin, end, enough, message", [
    (NOW_MS, NOW_MS - 1, None, "begin_ms 1796637600000 is after end_ms 1796637599999"),
    ("2026-12-07", NOW_MS, None, "begin_ms '2026-12-07' is not a time in epoch milliseconds"),
    (NOW_MS, NOW_MS, -1, "enough -1 is not valid"),
])
def test_a_bad_window_is_refused_before_any_call(begin, end, enough, message):
    client = FakeClient({})
    with pytest.raises(ValueError, match=re.escape(message)):
        dead_letters(client, enough, begin, end)
    assert client.calls == []


# --- OnsDLQMessagePageQueryByGroupId against the emulator ----------------------------------------

EMULATOR_KEY = ("LTAI5tUnitDlqKey01", "UnitDlqSecretNotForProduction01")


def dlq_scenario(letters):
    return {"description": "Dead letters of one group.", "region": "cn-hangzhou",
            "keys": [{"access_key_id": EMULATOR_KEY[0], "access_key_secret": EMULATOR_KEY[1]}], "limits": {"rate": 0},
            "instances": [{"instance_id": INSTANCE, "topics": [{"topic": TOPIC, "max_offset": 10}],
                           "groups": [{"group_id": GROUP, "offsets": {TOPIC: 10}, "dead_letters": letters},
                                      {"group_id": "GID_clean", "offsets": {TOPIC: 10}}]}]}


def emulator_dead_letters(emulator, group_id, lookback_s, enough=None):
    from ansible_collections.apsaramq.rocketmq.plugins.module_utils.client import OnsClient
    from ansible_collections.apsaramq.rocketmq.plugins.module_utils.credentials import Credentials

    client = OnsClient(Credentials(*EMULATOR_KEY), emulator.url, retries=0, rate_limit=1000)
    now_ms = int(time.time() * 1000)
    try:
        return ons_queries.list_dead_letters(client, INSTANCE, group_id, now_ms - lookback_s * 1000, now_ms + 60000, enough)
    finally:
        client.close()


def test_the_emulators_fresh_letter_is_in_the_window_and_the_old_one_is_not(emulator):
    emulator.load(dlq_scenario([{"msg_id": "0A0001050000217A000000000000D001", "tag": "created", "keys": "order-1042",
                                 "stored_ago": 60},
                                {"msg_id": "0A0001050000217A000000000000D002", "stored_ago": 259200}]))
    entry = emulator_dead_letters(emulator, GROUP, 3600)
    assert (entry["count"], entry["complete"], len(entry["request_ids"])) == (1, True, 1)
    found = entry["messages"][0]
    assert (found["msg_id"], found["topic"], found["instance_id"], found["reconsume_times"]) == (
        "0A0001050000217A000000000000D001", TOPIC, INSTANCE, 16)
    assert found["properties"]["TAGS"] == "created" and found["properties"]["KEYS"] == "order-1042"
    assert entry["begin_time"] <= found["store_timestamp"] <= entry["end_time"]
    assert emulator_dead_letters(emulator, GROUP, 4 * 86400)["count"] == 2
    assert emulator_dead_letters(emulator, "GID_clean", 3600)["count"] == 0


def test_the_emulators_task_serves_every_page_and_enough_stops_early(emulator):
    emulator.load(dlq_scenario([{"msg_id": "0A0001050000217A00000000%08X" % n, "stored_ago": 60 + n} for n in range(120)]))
    entry = emulator_dead_letters(emulator, GROUP, 3600)
    assert (entry["count"], entry["complete"], len(entry["request_ids"])) == (120, True, 3)
    assert len(set(item["msg_id"] for item in entry["messages"])) == 120
    pages = [request["params"] for request in emulator.requests() if request["action"] == ons_queries.DLQ_ACTION]
    assert [page.get("CurrentPage") for page in pages] == ["1", "2", "3"]
    assert "TaskId" not in pages[0] and pages[1]["TaskId"] == pages[2]["TaskId"]
    entry = emulator_dead_letters(emulator, GROUP, 3600, enough=60)
    assert (entry["count"], entry["complete"], len(entry["request_ids"])) == (100, False, 2)


def test_the_emulators_unknown_group_is_an_api_error(emulator):
    emulator.load(dlq_scenario([]))
    with pytest.raises(OnsApiError) as caught:
        emulator_dead_letters(emulator, "GID_nobody", 3600)
    assert caught.value.code == "BIZ_SUBSCRIPTION_NOT_FOUND"
