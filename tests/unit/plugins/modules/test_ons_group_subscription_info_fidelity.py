# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ons_group_subscription_info against the official SDK's model of OnsGroupSubDetail, and the shapes a real answer may take."""

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.client import OnsResponseError
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.ons_queries import shape_subscription, subscription_entry

KEY_ID = "LTAI5tUnitKey01"
SECRET = "UnitSecretNotForProduction01"
INSTANCE = "MQ_INST_1234567890_UNIT"
GROUP = "GID_billing"
# SDK field of Data -> key of the entry (SubscriptionDataList is compared on its own).
FIELDS = {"GroupId": "group_id", "MessageModel": "message_model", "Online": "online"}
SUBSCRIPTION_FIELDS = {"Topic": "topic", "SubString": "sub_string"}
SCENARIO = {
    "description": "A broadcasting group subscribed to two topics, for the fidelity of ons_group_subscription_info.",
    "keys": [{"access_key_id": KEY_ID, "access_key_secret": SECRET}],
    "limits": {"rate": 0},
    "instances": [{
        "instance_id": INSTANCE,
        "topics": [{"topic": "orders"}, {"topic": "payments"}],
        "groups": [{
            "group_id": GROUP,
            "message_model": "BROADCASTING",
            "clients": [{"subscriptions": [{"topic": "orders", "expression": "paid || refunded"}, {"topic": "payments"}]}],
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
    answer = emulator.call("OnsGroupSubDetail", {"GroupId": GROUP, "InstanceId": INSTANCE}, KEY_ID, SECRET)
    model = models.OnsGroupSubDetailResponseBody().from_map(answer).to_map()
    entry = shape_subscription(answer, GROUP, INSTANCE)

    assert entry["request_id"] == model["RequestId"]
    assert entry["instance_id"] == INSTANCE
    data = dict(model["Data"])
    rows = data.pop("SubscriptionDataList")["SubscriptionDataList"]
    compare(data, entry, FIELDS)
    assert len(rows) == len(entry["subscriptions"]) == 2
    for row, subscription in zip(rows, entry["subscriptions"]):
        compare(row, subscription, SUBSCRIPTION_FIELDS)
    assert entry["message_model"] == "BROADCASTING"
    assert entry["subscriptions"][0] == {"topic": "orders", "sub_string": "paid || refunded"}


def answer_with(**data):
    return {"RequestId": "r-1", "Data": data}


def test_the_entry_keeps_the_requested_group_id():
    assert shape_subscription(answer_with(GroupId="GID_billing"), "MQ_INST_1234567890_UNIT%GID_billing", None)["group_id"] == \
        "MQ_INST_1234567890_UNIT%GID_billing"


def test_a_single_object_where_the_subscription_list_belongs_is_one_subscription():
    answer = answer_with(Online=True, SubscriptionDataList={"SubscriptionDataList": {"Topic": "orders", "SubString": "*"}})

    assert shape_subscription(answer, GROUP, None)["subscriptions"] == [{"topic": "orders", "sub_string": "*"}]


def test_values_the_answer_leaves_out_are_null():
    assert shape_subscription(answer_with(MessageModel=""), GROUP, INSTANCE) == dict(subscription_entry(INSTANCE, GROUP, "r-1"), online=None)


@pytest.mark.parametrize("data", [
    {"Online": "true"},
    {"SubscriptionDataList": "orders"},
    {"SubscriptionDataList": {"SubscriptionDataList": [{"Topic": ["orders"]}]}},
])
def test_a_value_of_another_type_fails_rather_than_reading_as_no_subscription(data):
    with pytest.raises(OnsResponseError) as caught:
        shape_subscription(answer_with(**data), GROUP, None)
    assert caught.value.request_id == "r-1"
