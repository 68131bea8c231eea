# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ons_instance_info against the official SDK's models of OnsInstanceInServiceList and OnsInstanceBaseInfo,
and the shapes a real answer may take."""

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.client import OnsResponseError
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.ons_queries import (
    INSTANCE_ENDPOINTS,
    shape_instance_base_info_answer,
    shape_instance_list_answer,
)

KEY_ID = "LTAI5tUnitKey01"
SECRET = "UnitSecretNotForProduction01"
INSTANCE = "MQ_INST_1234567890_UNIT"
# SDK fields -> keys of an instance entry, for each operation (Tags and Endpoints are compared on their own).
COMMON_FIELDS = {
    "InstanceId": "instance_id",
    "InstanceName": "instance_name",
    "InstanceStatus": "instance_status",
    "InstanceType": "instance_type",
    "IndependentNaming": "independent_naming",
    "CreateTime": "create_time",
    "ReleaseTime": "release_time",
}
LIST_FIELDS = dict(COMMON_FIELDS, GroupCount="group_count", TopicCount="topic_count")
BASE_INFO_FIELDS = dict(COMMON_FIELDS, MaxTps="max_tps", TopicCapacity="topic_capacity", Remark="remark")
SCENARIO = {
    "description": "Instances with every field set, for the fidelity of ons_instance_info.",
    "keys": [{"access_key_id": KEY_ID, "access_key_secret": SECRET}],
    "limits": {"rate": 0},
    "instances": [
        {"instance_id": INSTANCE, "instance_name": "unit", "instance_type": 2, "instance_status": 7,
         "independent_naming": True, "max_tps": 20000, "topic_capacity": 300, "remark": "unit tests",
         "create_time": 1690000000000, "release_time": 1893456000000, "tags": {"env": "unit", "team": "mq"},
         "topics": [{"topic": "orders"}], "groups": [{"group_id": "GID_a"}, {"group_id": "GID_b"}]},
        {"instance_id": "MQ_INST_1111111111_STD", "instance_type": 1, "instance_status": 5, "independent_naming": False,
         "release_time": 1893456000000, "tags": {}},
    ],
}


def compare(row, entry, fields, value_of=lambda field, value: value):
    # A field the model knows that has no place in the entry would be lost: fail on it.
    assert set(row) == set(fields)
    for field, value in row.items():
        assert entry[fields[field]] == value_of(field, value), field


def test_every_field_the_list_model_reads_comes_out_in_the_result(emulator):
    models = pytest.importorskip("alibabacloud_ons20190214.models")
    emulator.load(SCENARIO)
    answer = emulator.call("OnsInstanceInServiceList", {"NeedResourceInfo": "true"}, KEY_ID, SECRET)
    model = models.OnsInstanceInServiceListResponseBody().from_map(answer).to_map()
    result = shape_instance_list_answer(answer)

    assert result["request_id"] == model["RequestId"]
    rows = model["Data"]["InstanceVO"]
    assert len(rows) == len(result["instances"]) == 2
    for row, entry in zip(rows, result["instances"]):
        tags = row.pop("Tags")
        assert entry["tags"] == dict((tag["Key"], tag["Value"]) for tag in tags.get("Tag", []))
        compare(row, entry, LIST_FIELDS)
        assert entry["request_id"] == model["RequestId"]
        assert entry["endpoints"] is None and entry["max_tps"] is None
    assert result["instances"][0]["group_count"] == 2 and result["instances"][0]["tags"] == {"env": "unit", "team": "mq"}


def test_every_field_the_base_info_model_reads_comes_out_in_the_entry(emulator):
    models = pytest.importorskip("alibabacloud_ons20190214.models")
    emulator.load(SCENARIO)
    answer = emulator.call("OnsInstanceBaseInfo", {"InstanceId": INSTANCE}, KEY_ID, SECRET)
    model = models.OnsInstanceBaseInfoResponseBody().from_map(answer).to_map()
    entry = shape_instance_base_info_answer(answer, INSTANCE)

    assert entry["request_id"] == model["RequestId"]
    info = model["InstanceBaseInfo"]
    endpoints = info.pop("Endpoints")
    assert set(endpoints) == set(field for dummy, field in INSTANCE_ENDPOINTS)
    assert entry["endpoints"] == dict((key, endpoints[field]) for key, field in INSTANCE_ENDPOINTS)
    # The model types CreateTime as a string of milliseconds; the entry gives the number.
    compare(info, entry, BASE_INFO_FIELDS, lambda field, value: int(value) if field == "CreateTime" else value)
    assert entry["tags"] is None and entry["group_count"] is None
    assert entry["create_time"] == 1690000000000


def list_body(rows):
    return {"RequestId": "r-1", "Data": {"InstanceVO": rows}}


def test_an_instance_the_list_gives_as_one_object_is_one_instance():
    result = shape_instance_list_answer(list_body({"InstanceId": INSTANCE, "Tags": {"Tag": {"Key": "env", "Value": "unit"}}}))
    assert [entry["instance_id"] for entry in result["instances"]] == [INSTANCE]
    assert result["instances"][0]["tags"] == {"env": "unit"}


@pytest.mark.parametrize("data", [{}, {"InstanceVO": []}, {"InstanceVO": None}])
def test_no_instance_is_an_empty_list(data):
    assert shape_instance_list_answer({"RequestId": "r-1", "Data": data}) == {"instances": [], "request_id": "r-1"}


def test_facts_the_list_leaves_out_are_null():
    entry = shape_instance_list_answer(list_body([{"InstanceId": INSTANCE}]))["instances"][0]
    assert entry["group_count"] is None and entry["topic_count"] is None and entry["release_time"] is None
    assert entry["instance_status"] is None and entry["tags"] == {}


def test_endpoints_the_base_info_leaves_out_are_null():
    entry = shape_instance_base_info_answer({"RequestId": "r-1", "InstanceBaseInfo": {"InstanceId": INSTANCE}}, INSTANCE)
    assert entry["endpoints"] == dict((key, None) for key, dummy in INSTANCE_ENDPOINTS)
    assert entry["max_tps"] is None and entry["create_time"] is None


def test_a_base_info_without_an_instance_id_is_about_the_instance_asked_for():
    entry = shape_instance_base_info_answer({"RequestId": "r-1", "InstanceBaseInfo": {"MaxTps": 5000}}, INSTANCE)
    assert entry["instance_id"] == INSTANCE and entry["max_tps"] == 5000


@pytest.mark.parametrize("answer", [
    {"RequestId": "r-1"},
    {"RequestId": "r-1", "Data": {"InstanceBaseInfo": {"InstanceId": INSTANCE}}},
    {"RequestId": "r-1", "InstanceBaseInfo": {"InstanceId": "MQ_INST_9999999999_ELSE"}},
    {"RequestId": "r-1", "InstanceBaseInfo": {"InstanceId": INSTANCE, "Endpoints": "tcp://x"}},
    {"RequestId": "r-1", "InstanceBaseInfo": {"InstanceId": INSTANCE, "InstanceStatus": "running"}},
    {"RequestId": "r-1", "InstanceBaseInfo": {"InstanceId": INSTANCE, "MaxTps": True}},
])
def test_a_base_info_of_another_shape_fails_instead_of_passing_for_healthy(answer):
    with pytest.raises(OnsResponseError):
        shape_instance_base_info_answer(answer, INSTANCE)


@pytest.mark.parametrize("answer", [
    {"RequestId": "r-1"},
    list_body("MQ_INST_1234567890_UNIT"),
    list_body([{"InstanceId": INSTANCE, "GroupCount": "many"}]),
    list_body([{"InstanceId": INSTANCE, "Tags": {"Tag": [{"Key": ""}]}}]),
])
def test_a_list_of_another_shape_fails_instead_of_passing_for_empty(answer):
    with pytest.raises(OnsResponseError):
        shape_instance_list_answer(answer)
