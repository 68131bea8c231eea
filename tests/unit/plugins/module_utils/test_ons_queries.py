# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The queries the info modules and the gate share: what each asks the API, and the entry it makes of the answer."""

import os
import subprocess
import sys
import threading

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.module_utils import ons_queries
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
