# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ons_group_info and ons_instance_info through their real code path, against the emulator."""

INSTANCE = "MQ_INST_1234567890_UNIT"
KEY_ID = "LTAI5tUnitKey01"
SECRET = "UnitSecretNotForProduction01"
SCENARIO = {
    "description": "TCP and HTTP groups, for the listing modules.",
    "keys": [{"access_key_id": KEY_ID, "access_key_secret": SECRET}],
    "limits": {"rate": 0},
    "instances": [{"instance_id": INSTANCE, "topics": [{"topic": "orders"}],
                   "groups": [{"group_id": "GID_http", "group_type": "http"}, {"group_id": "GID_tcp"}]}],
}
HTTP_LISTING_FAILS = {"kind": "internal_error", "action": "OnsGroupList", "params": {"GroupType": "http"}}


def args(emulator, **changes):
    return dict(access_key_id=KEY_ID, access_key_secret=SECRET, endpoint=emulator.url, retries=0, **changes)


def test_every_group_is_listed_tcp_first_with_each_listings_request_id(emulator, run_module):
    emulator.load(SCENARIO)
    result = run_module("ons_group_info", args(emulator, instance_id=INSTANCE)).result
    assert result["group_ids"] == ["GID_tcp", "GID_http"]
    assert [group["group_type"] for group in result["groups"]] == ["tcp", "http"]
    assert len(result["request_ids"]) == 2 and result["request_id"] == result["request_ids"][0]
    assert result["changed"] is False


def test_a_failed_listing_fails_the_module_naming_the_type_it_asked_for(emulator, run_module):
    emulator.load(dict(SCENARIO, faults=[HTTP_LISTING_FAILS]))
    result = run_module("ons_group_info", args(emulator, instance_id=INSTANCE)).result
    assert result["failed"] is True and "groups" not in result
    assert result["msg"].startswith("Failed to list the http groups of instance %s: InternalError: " % INSTANCE)
    assert result["error"]["code"] == "InternalError"
    # The TCP listing alone still works.
    assert run_module("ons_group_info", args(emulator, instance_id=INSTANCE, group_type="tcp")).result["group_ids"] == ["GID_tcp"]


def test_a_bad_tag_fails_naming_the_option_before_any_request(emulator, run_module):
    emulator.load(SCENARIO)
    result = run_module("ons_group_info", args(emulator, instance_id=INSTANCE, tags={"app": "https://x"})).result
    assert result["msg"].startswith("tags: value of key 'app' 'https://x' is not valid")
    assert result["msg"].endswith("(a dict of tag keys and string values)")
    assert emulator.requests() == []


def test_the_list_of_instances_has_entries_without_error(emulator, run_module):
    emulator.load(SCENARIO)
    result = run_module("ons_instance_info", args(emulator)).result
    assert [(entry["instance_id"], entry["error"]) for entry in result["instances"]] == [(INSTANCE, None)]
    assert "instance_id" not in result


def test_one_instance_is_also_at_the_top_level_and_a_failed_one_keeps_its_error(emulator, run_module):
    emulator.load(SCENARIO)
    one = run_module("ons_instance_info", args(emulator, instance_id=INSTANCE)).result
    assert one["instance_id"] == INSTANCE and one["instances"][0]["request_id"] == one["request_id"]
    many = run_module("ons_instance_info", args(emulator, instance_ids=["MQ_INST_missing", INSTANCE], fail_on_error=False)).result
    missing, found = many["instances"]
    assert missing["instance_id"] == "MQ_INST_missing" and missing["instance_name"] is None
    assert missing["error"]["message"].startswith("Failed to get the base info of instance MQ_INST_missing: ")
    assert found["instance_id"] == INSTANCE and found["error"] is None
    failed = run_module("ons_instance_info", args(emulator, instance_ids=[INSTANCE, "MQ_INST_missing"])).result
    assert failed["failed"] is True and failed["msg"].startswith("Failed to get the base info of instance MQ_INST_missing: ")
