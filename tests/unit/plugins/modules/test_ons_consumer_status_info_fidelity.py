# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ons_consumer_status_info against the official SDK's model of OnsConsumerStatus, and the shapes a real answer may take."""

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.client import OnsResponseError
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.ons_queries import shape_status, status_entry

KEY_ID = "LTAI5tUnitKey01"
SECRET = "UnitSecretNotForProduction01"
INSTANCE = "MQ_INST_1234567890_UNIT"
GROUP = "GID_orders"
# SDK field -> key of the entry. A wrapped list is (field of the list inside the wrapper, key, fields of
# an item, or None for a list of strings).
FIELDS = {
    "InstanceId": "instance_id",
    "Online": "online",
    "TotalDiff": "total_diff",
    "DelayTime": "delay_time",
    "ConsumeTps": "consume_tps",
    "LastTimestamp": "last_timestamp",
    "RebalanceOK": "rebalance_ok",
    "SubscriptionSame": "subscription_same",
    "ConsumeModel": "consume_model",
    "ConnectionSet": ("ConnectionDo", "connections", {
        "ClientId": "client_id", "ClientAddr": "client_addr", "Language": "language", "Version": "version",
        "RemoteIP": "remote_ip", "Diff": "diff"}),
    "DetailInTopicList": ("DetailInTopicDo", "topics", {
        "Topic": "topic", "TotalDiff": "total_diff", "DelayTime": "delay_time", "LastTimestamp": "last_timestamp"}),
    "ConsumerConnectionInfoList": ("ConsumerConnectionInfoDo", "clients", {
        "ClientId": "client_id",
        "Connection": "connection",
        "ConsumeModel": "consume_model",
        "ConsumeType": "consume_type",
        "Language": "language",
        "Version": "version",
        "ThreadCount": "thread_count",
        "StartTimeStamp": "start_timestamp",
        "LastTimeStamp": "last_timestamp",
        "SubscriptionSet": ("SubscriptionData", "subscriptions", {
            "Topic": "topic", "SubString": "sub_string", "SubVersion": "sub_version", "TagsSet": ("Tag", "tags", None)}),
        "RunningDataList": ("ConsumerRunningDataDo", "running_data", {
            "Topic": "topic", "OkTps": "ok_tps", "FailedTps": "failed_tps", "FailedCountPerHour": "failed_count_per_hour",
            "Rt": "rt"}),
        "Jstack": ("ThreadTrackDo", "jstack", {"Thread": "thread", "TrackList": ("Track", "track", None)}),
    }),
}
SCENARIO = {
    "description": "A lagging group with every field of OnsConsumerStatus set, for the fidelity of ons_consumer_status_info.",
    "keys": [{"access_key_id": KEY_ID, "access_key_secret": SECRET}],
    "limits": {"rate": 0},
    "instances": [{
        "instance_id": INSTANCE,
        "topics": [{"topic": "orders", "max_offset": 1000, "produce_tps": 10},
                   {"topic": "payments", "max_offset": 300, "produce_tps": 4}],
        "groups": [{
            "group_id": GROUP,
            "offsets": {"orders": 900, "payments": 296},
            "clients": [
                {"client_id": "10.0.9.1@901#1#2#3", "client_addr": "10.0.9.1:40901", "language": "JAVA", "version": "V4_9_4",
                 "thread_count": 32, "start_time": 1767225600000, "ok_tps": 4.5, "failed_tps": 0.25, "failed_count_per_hour": 9,
                 "rt": 31.5, "subscriptions": [{"topic": "orders", "expression": "created || paid"}, {"topic": "payments"}],
                 "jstack": [{"thread": "ConsumeMessageThread_1", "track": ["java.lang.Thread.State: RUNNABLE", "at Foo.bar(Foo.java:1)"]},
                            {"thread": "ConsumeMessageThread_2", "track": ["java.lang.Thread.State: WAITING (parking)"]}]},
                {"client_id": "10.0.9.2@902#1#2#3", "client_addr": "10.0.9.2:40902", "language": "GO", "version": "V5_1_0",
                 "consume_type": "CONSUME_ACTIVELY", "subscriptions": [{"topic": "orders", "expression": "created"}],
                 "jstack": [{"thread": "PullMessageService", "track": ["at PullMessageService.run(PullMessageService.java:1)"]}]},
            ],
        }],
    }],
}


def compare(row, entry, fields, where):
    """Check that every field of ``row`` (as the SDK model reads it) is in ``entry``; return how many values were compared."""
    # A field the model knows that has no place in the entry would be lost; one the entry expects that the
    # answer lacks would leave part of the mapping untested: both fail.
    assert set(row) == set(fields), where
    compared = 0
    for field, value in row.items():
        spec = fields[field]
        if not isinstance(spec, tuple):
            assert entry[spec] == value, "%s.%s" % (where, field)
            compared += 1
            continue
        inner, key, item_fields = spec
        items = value[inner]
        assert len(entry[key]) == len(items), "%s.%s" % (where, field)
        for index, (item, shaped) in enumerate(zip(items, entry[key])):
            if item_fields is None:
                assert shaped == item, "%s.%s[%d]" % (where, field, index)
                compared += 1
            else:
                compared += compare(item, shaped, item_fields, "%s.%s[%d]" % (where, field, index))
    return compared


def test_every_field_the_sdk_model_reads_comes_out_in_the_entry(emulator):
    models = pytest.importorskip("alibabacloud_ons20190214.models")
    emulator.load(SCENARIO)
    answer = emulator.call("OnsConsumerStatus", {"GroupId": GROUP, "InstanceId": INSTANCE, "Detail": "true", "NeedJstack": "true"}, KEY_ID, SECRET)
    model = models.OnsConsumerStatusResponseBody().from_map(answer).to_map()
    entry = shape_status(answer, GROUP, INSTANCE, detail=True, need_jstack=True)

    assert entry["request_id"] == model["RequestId"]
    assert entry["group_id"] == GROUP
    compared = compare(model["Data"], entry, FIELDS, "Data")
    # 9 group figures, 2 connections x 6, 2 topics x 4, 2 clients x 9, 3 subscriptions x 3 + 3 tags,
    # 3 running data x 5, 3 threads + 4 frames: a shortfall means part of the answer went unchecked.
    assert compared == 9 + 12 + 8 + 18 + 12 + 15 + 7
    # The figures themselves, so that a wrong mapping of two numbers to each other cannot pass.
    assert (entry["total_diff"], entry["delay_time"]) == (104, 10000)
    assert entry["clients"][0]["subscriptions"][0]["tags"] == ["created", "paid"]


def test_without_detail_the_answer_has_no_topics_and_the_entry_no_clients(emulator):
    emulator.load(SCENARIO)
    answer = emulator.call("OnsConsumerStatus", {"GroupId": GROUP, "InstanceId": INSTANCE, "Detail": "false", "NeedJstack": "false"}, KEY_ID, SECRET)
    entry = shape_status(answer, GROUP, INSTANCE)

    assert entry["topics"] == [] and entry["clients"] == []
    assert len(entry["connections"]) == 2
    assert entry["total_diff"] == 104


def answer_with(**data):
    return {"RequestId": "r-1", "Data": data}


def test_a_single_object_where_a_list_belongs_is_one_item():
    answer = answer_with(Online=True, ConnectionSet={"ConnectionDo": {"ClientId": "a", "Diff": 3}},
                         ConsumerConnectionInfoList={"ConsumerConnectionInfoDo": {
                             "ClientId": "a", "SubscriptionSet": {"SubscriptionData": {"Topic": "t", "TagsSet": {"Tag": "x"}}},
                             "Jstack": {"ThreadTrackDo": {"Thread": "main", "TrackList": {"Track": "at a"}}}}})
    entry = shape_status(answer, GROUP, None, detail=True, need_jstack=True)

    assert [c["diff"] for c in entry["connections"]] == [3]
    assert entry["clients"][0]["subscriptions"][0]["tags"] == ["x"]
    assert entry["clients"][0]["jstack"] == [{"thread": "main", "track": ["at a"]}]


def test_values_the_answer_leaves_out_are_null_not_zero():
    entry = shape_status(answer_with(), GROUP, INSTANCE, detail=True, need_jstack=True)

    assert entry == dict(status_entry(INSTANCE, GROUP, "r-1"), online=None)


def test_the_instance_the_api_names_wins_over_none():
    assert shape_status(answer_with(InstanceId=INSTANCE), GROUP, None)["instance_id"] == INSTANCE


def test_details_not_asked_for_are_left_out_even_when_the_api_sends_them():
    answer = answer_with(ConsumerConnectionInfoList={"ConsumerConnectionInfoDo": [
        {"ClientId": "a", "Jstack": {"ThreadTrackDo": [{"Thread": "main", "TrackList": {"Track": ["at a"]}}]}}]})

    assert shape_status(answer, GROUP, None)["clients"] == []
    assert shape_status(answer, GROUP, None, detail=True)["clients"][0]["jstack"] == []


@pytest.mark.parametrize("data", [
    {"TotalDiff": "lots"},
    {"Online": "yes"},
    {"DelayTime": 1.5},
    {"ConnectionSet": {"ConnectionDo": "garbage"}},
    {"DetailInTopicList": [1, 2]},
    {"ConsumerConnectionInfoList": {"ConsumerConnectionInfoDo": [{"SubscriptionSet": {"SubscriptionData": [{"TagsSet": {"Tag": [1]}}]}}]}},
    {"ConsumerConnectionInfoList": {"ConsumerConnectionInfoDo": [{"RunningDataList": {"ConsumerRunningDataDo": [{"OkTps": "fast"}]}}]}},
])
def test_a_value_of_another_type_fails_rather_than_reading_as_healthy(data):
    with pytest.raises(OnsResponseError) as caught:
        shape_status(answer_with(**data), GROUP, None, detail=True)
    assert caught.value.request_id == "r-1"


def test_an_answer_without_data_is_unreadable():
    with pytest.raises(OnsResponseError, match="the answer has no Data"):
        shape_status({"RequestId": "r-1"}, GROUP, None)


@pytest.mark.parametrize("sent, reported", [
    ("CONSUME_PASSIVELY", "CONSUME_PASSIVELY"),
    ("CONSUME_ACTIVELY", "CONSUME_ACTIVELY"),
    ("PUSH", "CONSUME_PASSIVELY"),
    ("PULL", "CONSUME_ACTIVELY"),
    ("pull", "CONSUME_ACTIVELY"),
    ("SOMETHING_NEW", "SOMETHING_NEW"),
    ("", None),
    (None, None),
])
def test_consume_type_reads_the_documented_and_the_apache_names_alike(sent, reported):
    answer = answer_with(ConsumerConnectionInfoList={"ConsumerConnectionInfoDo": [{"ClientId": "a", "ConsumeType": sent}]})
    assert shape_status(answer, GROUP, None, detail=True)["clients"][0]["consume_type"] == reported


def test_a_negative_lag_anywhere_in_the_status_is_an_unreadable_answer():
    for data in ({"TotalDiff": -1}, {"DelayTime": -1}, {"ConnectionSet": {"ConnectionDo": [{"ClientId": "a", "Diff": -2}]}},
                 {"DetailInTopicList": {"DetailInTopicDo": [{"Topic": "t", "TotalDiff": -3}]}}):
        with pytest.raises(OnsResponseError, match="cannot be negative"):
            shape_status(answer_with(**data), GROUP, None)
