# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ons_consumer_accumulate_info against the official SDK's model of OnsConsumerAccumulate, and the shapes a real answer may take."""

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.client import OnsResponseError
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.ons_queries import accumulate_entry, shape_accumulate

KEY_ID = "LTAI5tUnitKey01"
SECRET = "UnitSecretNotForProduction01"
INSTANCE = "MQ_INST_1234567890_UNIT"
GROUP = "GID_orders"
# SDK field of Data -> key of the entry (DetailInTopicList is compared on its own).
FIELDS = {
    "Online": "online",
    "TotalDiff": "total_diff",
    "ConsumeTps": "consume_tps",
    "DelayTime": "delay_time",
    "LastTimestamp": "last_timestamp",
}
TOPIC_FIELDS = {"Topic": "topic", "TotalDiff": "total_diff", "DelayTime": "delay_time", "LastTimestamp": "last_timestamp"}
SCENARIO = {
    "description": "A group behind in two topics, for the fidelity of ons_consumer_accumulate_info.",
    "keys": [{"access_key_id": KEY_ID, "access_key_secret": SECRET}],
    "limits": {"rate": 0},
    "instances": [{
        "instance_id": INSTANCE,
        "topics": [{"topic": "orders", "max_offset": 1000, "produce_tps": 10},
                   {"topic": "payments", "max_offset": 300, "produce_tps": 4}],
        "groups": [{
            "group_id": GROUP,
            "offsets": {"orders": 900, "payments": 296},
            "consume_tps": 12.5,
            "clients": [{"client_addr": "10.0.9.1:40901", "subscriptions": [{"topic": "orders"}, {"topic": "payments"}]}],
        }],
    }],
}


def compare(row, entry, fields):
    # A field the model knows that has no place in the entry would be lost: fail on it.
    assert set(row) == set(fields)
    for field, value in row.items():
        assert entry[fields[field]] == value, field


def test_every_field_the_sdk_model_reads_comes_out_in_the_entry(emulator):
    models = pytest.importorskip("alibabacloud_ons20190214.models")
    emulator.load(SCENARIO)
    answer = emulator.call("OnsConsumerAccumulate", {"GroupId": GROUP, "InstanceId": INSTANCE, "Detail": "true"}, KEY_ID, SECRET)
    model = models.OnsConsumerAccumulateResponseBody().from_map(answer).to_map()
    entry = shape_accumulate(answer, GROUP, INSTANCE)

    assert entry["request_id"] == model["RequestId"]
    assert (entry["group_id"], entry["instance_id"]) == (GROUP, INSTANCE)
    data = dict(model["Data"])
    rows = data.pop("DetailInTopicList")["DetailInTopicDo"]
    compare(data, entry, FIELDS)
    assert len(rows) == len(entry["topics"]) == 2
    for row, topic in zip(rows, entry["topics"]):
        compare(row, topic, TOPIC_FIELDS)
    # The figures themselves, so that a wrong mapping of two numbers to each other cannot pass.
    assert (entry["total_diff"], entry["delay_time"], entry["consume_tps"]) == (104, 10000, 12.5)
    assert [(t["topic"], t["total_diff"], t["delay_time"]) for t in entry["topics"]] == [("orders", 100, 10000), ("payments", 4, 1000)]


def test_without_detail_the_entry_has_the_totals_and_no_topics(emulator):
    emulator.load(SCENARIO)
    answer = emulator.call("OnsConsumerAccumulate", {"GroupId": GROUP, "InstanceId": INSTANCE, "Detail": "false"}, KEY_ID, SECRET)
    entry = shape_accumulate(answer, GROUP, INSTANCE, detail=False)

    assert entry["topics"] == []
    assert entry["total_diff"] == 104


def answer_with(**data):
    return {"RequestId": "r-1", "Data": data}


def test_a_single_object_where_the_topic_list_belongs_is_one_topic():
    entry = shape_accumulate(answer_with(DetailInTopicList={"DetailInTopicDo": {"Topic": "orders", "TotalDiff": "7"}}), GROUP, None)

    assert entry["topics"] == [{"topic": "orders", "total_diff": 7, "delay_time": None, "last_timestamp": None}]


def test_values_the_answer_leaves_out_are_null_not_zero():
    assert shape_accumulate(answer_with(), GROUP, INSTANCE) == dict(accumulate_entry(INSTANCE, GROUP, "r-1"), online=None)


def test_topics_not_asked_for_are_left_out_even_when_the_api_sends_them():
    answer = answer_with(DetailInTopicList={"DetailInTopicDo": [{"Topic": "orders", "TotalDiff": 1}]})

    assert shape_accumulate(answer, GROUP, None, detail=False)["topics"] == []


@pytest.mark.parametrize("data", [
    {"TotalDiff": "lots"},
    {"Online": 1},
    {"ConsumeTps": [1.0]},
    {"DetailInTopicList": {"DetailInTopicDo": ["orders"]}},
    {"DetailInTopicList": {"DetailInTopicDo": [{"DelayTime": True}]}},
])
def test_a_value_of_another_type_fails_rather_than_reading_as_caught_up(data):
    with pytest.raises(OnsResponseError) as caught:
        shape_accumulate(answer_with(**data), GROUP, None)
    assert caught.value.request_id == "r-1"


def test_an_answer_without_data_is_unreadable():
    with pytest.raises(OnsResponseError, match="the answer has no Data"):
        shape_accumulate({"RequestId": "r-1", "Data": None}, GROUP, None)
