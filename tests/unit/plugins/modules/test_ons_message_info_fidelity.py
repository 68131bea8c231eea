# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ons_message_info against the official SDK's model of OnsMessageGetByMsgId, and the shapes a real answer may take."""

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.client import OnsResponseError
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.ons_queries import shape_message_answer

KEY_ID = "LTAI5tUnitKey01"
SECRET = "UnitSecretNotForProduction01"
INSTANCE = "MQ_INST_1234567890_UNIT"
MSG_ID = "0A00010500002A9F0000000000000A01"
# SDK field of Data -> key of a message entry (PropertyList is compared on its own).
FIELDS = {
    "MsgId": "msg_id",
    "Topic": "topic",
    "InstanceId": "instance_id",
    "BornHost": "born_host",
    "BornTimestamp": "born_timestamp",
    "StoreHost": "store_host",
    "StoreTimestamp": "store_timestamp",
    "StoreSize": "store_size",
    "ReconsumeTimes": "reconsume_times",
    "BodyCRC": "body_crc",
}
SCENARIO = {
    "description": "A message with every field set, for the fidelity of ons_message_info.",
    "keys": [{"access_key_id": KEY_ID, "access_key_secret": SECRET}],
    "limits": {"rate": 0},
    "instances": [{
        "instance_id": INSTANCE,
        "topics": [{"topic": "orders", "max_offset": 100}],
        "messages": [{
            "msg_id": MSG_ID, "topic": "orders", "offset": 40, "tag": "created", "keys": "order-1001",
            "born_host": "10.0.7.21:41234", "store_host": "11.193.10.12:10911", "born_timestamp": 1731000000000,
            "store_timestamp": 1731000000004, "store_size": 512, "reconsume_times": 2, "body_crc": 1839465112,
            "properties": {"tenant": "acme"},
        }],
    }],
}


def test_every_field_the_sdk_model_reads_comes_out_in_the_entry(emulator):
    models = pytest.importorskip("alibabacloud_ons20190214.models")
    emulator.load(SCENARIO)
    answer = emulator.call("OnsMessageGetByMsgId", {"InstanceId": INSTANCE, "Topic": "orders", "MsgId": MSG_ID}, KEY_ID, SECRET)
    model = models.OnsMessageGetByMsgIdResponseBody().from_map(answer).to_map()
    entry = shape_message_answer(answer, INSTANCE, "orders", MSG_ID)

    assert entry["request_id"] == model["RequestId"]
    assert entry["found"] is True
    data = model["Data"]
    properties = data.pop("PropertyList")["MessageProperty"]
    assert entry["properties"] == dict((prop["Name"], prop["Value"]) for prop in properties)
    assert entry["properties"]["TAGS"] == "created" and entry["properties"]["tenant"] == "acme"
    # A field the model knows that has no place in the entry would be lost: fail on it.
    assert set(data) == set(FIELDS)
    for field, value in data.items():
        assert entry[FIELDS[field]] == value, field


def body(data):
    return {"RequestId": "r-1", "Data": data}


def test_a_property_the_api_gives_as_one_object_is_one_property():
    entry = shape_message_answer(body({"PropertyList": {"MessageProperty": {"Name": "TAGS", "Value": "created"}}}),
                                 INSTANCE, "orders", MSG_ID)
    assert entry["properties"] == {"TAGS": "created"}


@pytest.mark.parametrize("data", [{}, {"PropertyList": {}}, {"PropertyList": {"MessageProperty": []}}, {"PropertyList": None}])
def test_no_property_is_an_empty_dict_and_facts_left_out_are_null(data):
    entry = shape_message_answer(body(data), INSTANCE, "orders", MSG_ID)
    assert entry["properties"] == {}
    assert entry["found"] is True
    assert (entry["msg_id"], entry["topic"], entry["instance_id"]) == (MSG_ID, "orders", INSTANCE)
    assert entry["store_timestamp"] is None and entry["body_crc"] is None and entry["reconsume_times"] is None


def test_numbers_given_as_text_are_read_as_numbers():
    entry = shape_message_answer(body({"StoreTimestamp": "1731000000004", "StoreSize": "512", "BodyCRC": -17}),
                                 INSTANCE, "orders", MSG_ID)
    assert (entry["store_timestamp"], entry["store_size"], entry["body_crc"]) == (1731000000004, 512, -17)


@pytest.mark.parametrize("answer", [
    {"RequestId": "r-1"},
    {"RequestId": "r-1", "Data": "0A00010500002A9F0000000000000A01"},
    body({"StoreTimestamp": "yesterday"}),
    body({"ReconsumeTimes": False}),
    body({"PropertyList": {"MessageProperty": "TAGS=created"}}),
    body({"PropertyList": {"MessageProperty": [{"Value": "created"}]}}),
    body({"PropertyList": {"MessageProperty": [{"Name": "TAGS", "Value": ["a", "b"]}]}}),
])
def test_an_answer_of_another_shape_fails_instead_of_passing_for_found(answer):
    with pytest.raises(OnsResponseError):
        shape_message_answer(answer, INSTANCE, "orders", MSG_ID)
