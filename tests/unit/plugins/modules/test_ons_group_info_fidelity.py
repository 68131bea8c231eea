# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ons_group_info against the official SDK's model of OnsGroupList, and the shapes a real answer may take."""

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.client import OnsResponseError
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.ons_queries import shape_group_answer

KEY_ID = "LTAI5tUnitKey01"
SECRET = "UnitSecretNotForProduction01"
INSTANCE = "MQ_INST_1234567890_UNIT"
# SDK field of SubscribeInfoDo -> key of a group entry (Tags is compared on its own).
FIELDS = {
    "GroupId": "group_id",
    "GroupType": "group_type",
    "InstanceId": "instance_id",
    "IndependentNaming": "independent_naming",
    "Owner": "owner",
    "Remark": "remark",
    "CreateTime": "create_time",
    "UpdateTime": "update_time",
}
SCENARIO = {
    "description": "Groups with every field set, for the fidelity of ons_group_info.",
    "keys": [{"access_key_id": KEY_ID, "access_key_secret": SECRET}],
    "limits": {"rate": 0},
    "instances": [{
        "instance_id": INSTANCE,
        "independent_naming": False,
        "groups": [
            {"group_id": "GID_orders", "group_type": "tcp", "remark": "orders", "owner": "1234567890123456",
             "create_time": 1700000000000, "update_time": 1700000600000, "tags": {"env": "prod", "team": "payments"}},
            {"group_id": "GID_orders_http", "group_type": "http", "remark": "", "tags": {}},
        ],
    }],
}


def test_every_field_the_sdk_model_reads_comes_out_in_the_result(emulator):
    models = pytest.importorskip("alibabacloud_ons20190214.models")
    emulator.load(SCENARIO)
    # GroupType=all: without it the API lists TCP groups only, and one answer is to hold both kinds.
    answer = emulator.call("OnsGroupList", {"InstanceId": INSTANCE, "GroupType": "all"}, KEY_ID, SECRET)
    model = models.OnsGroupListResponseBody().from_map(answer).to_map()
    result = shape_group_answer(answer)

    assert result["request_id"] == model["RequestId"]
    rows = model["Data"]["SubscribeInfoDo"]
    assert len(rows) == 2
    assert [group["group_id"] for group in result["groups"]] == result["group_ids"] == ["GID_orders", "GID_orders_http"]
    for row, group in zip(rows, result["groups"]):
        tags = row.pop("Tags")
        assert group["tags"] == dict((tag["Key"], tag["Value"]) for tag in tags.get("Tag", []))
        # A field the model knows that has no place in the result would be lost: fail on it.
        assert set(row) == set(FIELDS)
        for field, value in row.items():
            assert group[FIELDS[field]] == value, field
    assert result["groups"][0]["tags"] == {"env": "prod", "team": "payments"}
    assert result["groups"][1]["tags"] == {}


def body(rows):
    return {"RequestId": "r-1", "Data": {"SubscribeInfoDo": rows}}


def test_a_group_the_api_gives_as_one_object_is_one_group():
    result = shape_group_answer(body({"GroupId": "GID_a", "Tags": {"Tag": {"Key": "env", "Value": "prod"}}}))
    assert result["group_ids"] == ["GID_a"]
    assert result["groups"][0]["tags"] == {"env": "prod"}


def test_fields_the_api_leaves_out_are_null_and_missing_tags_are_empty():
    group = shape_group_answer(body([{"GroupId": "GID_a"}]))["groups"][0]
    assert group == {"group_id": "GID_a", "group_type": None, "instance_id": None, "independent_naming": None,
                     "owner": None, "remark": None, "create_time": None, "update_time": None, "tags": {}}


@pytest.mark.parametrize("data", [{}, {"SubscribeInfoDo": []}, {"SubscribeInfoDo": ""}, {"SubscribeInfoDo": None}])
def test_no_group_is_an_empty_list(data):
    assert shape_group_answer({"RequestId": "r-1", "Data": data}) == {"groups": [], "group_ids": [], "request_id": "r-1"}


def test_times_given_as_text_are_read_as_numbers():
    group = shape_group_answer(body([{"GroupId": "GID_a", "CreateTime": "1700000000000", "Owner": 1234567890123456}]))["groups"][0]
    assert group["create_time"] == 1700000000000
    assert group["owner"] == "1234567890123456"


@pytest.mark.parametrize("answer", [
    {"RequestId": "r-1"},
    {"RequestId": "r-1", "Data": ["GID_a"]},
    body("GID_a"),
    body([{"GroupId": "GID_a", "CreateTime": "yesterday"}]),
    body([{"GroupId": "GID_a", "IndependentNaming": "maybe"}]),
    body([{"GroupId": "GID_a", "Tags": {"Tag": [{"Value": "prod"}]}}]),
    body([{"GroupId": "GID_a", "Tags": {"Tag": ["env=prod"]}}]),
])
def test_an_answer_of_another_shape_fails_instead_of_passing_for_empty(answer):
    with pytest.raises(OnsResponseError):
        shape_group_answer(answer)
