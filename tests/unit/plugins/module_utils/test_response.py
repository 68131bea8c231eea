# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.client import OnsResponseError
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.response import (
    get_list,
    get_object,
    get_scalar,
    get_strings,
    get_tags,
    get_topic_details,
)

ONE = {"ClientId": "a"}


@pytest.mark.parametrize("data, expected", [
    ({"ConnectionList": {"ConnectionDo": [ONE, ONE]}}, [ONE, ONE]),
    ({"ConnectionList": {"ConnectionDo": ONE}}, [ONE]),
    ({"ConnectionList": {"ConnectionDo": []}}, []),
    ({"ConnectionList": {}}, []),
    ({"ConnectionList": None}, []),
    ({}, []),
    ({"ConnectionList": {"ConnectionDo": ""}}, []),
])
def test_lists_accept_every_real_variant(data, expected):
    assert get_list(data, "ConnectionList", "ConnectionDo") == expected


@pytest.mark.parametrize("data", [
    {"ConnectionList": {"ConnectionDo": "garbage"}},
    {"ConnectionList": {"ConnectionDo": [1, 2]}},
    {"ConnectionList": ["not", "an", "object"]},
])
def test_lists_of_another_type_are_unreadable_answers(data):
    with pytest.raises(OnsResponseError):
        get_list(data, "ConnectionList", "ConnectionDo", request_id="r-1")


def test_a_required_object_that_is_missing_is_an_unreadable_answer():
    with pytest.raises(OnsResponseError, match="the answer has no Data") as caught:
        get_object({"RequestId": "r"}, "Data", required=True, request_id="r")
    assert caught.value.code == "InvalidResponse" and caught.value.request_id == "r"


def test_an_object_that_is_a_string_is_an_unreadable_answer():
    with pytest.raises(OnsResponseError, match="Data is a str"):
        get_object({"Data": "oops"}, "Data")


@pytest.mark.parametrize("value, kind, expected", [
    ("V4_9_4", str, "V4_9_4"), (12, str, "12"), ("12", int, 12), (3, float, 3.0), (None, str, None), (True, bool, True),
])
def test_scalars_are_read_or_converted_when_lossless(value, kind, expected):
    assert get_scalar({"k": value}, "k", kind) == expected


@pytest.mark.parametrize("value, kind", [({"x": 1}, str), ("many", int), (True, int), ([1], str)])
def test_scalars_of_the_wrong_type_are_unreadable_answers(value, kind):
    with pytest.raises(OnsResponseError):
        get_scalar({"k": value}, "k", kind)


@pytest.mark.parametrize("data, expected", [
    ({"TagsSet": {"Tag": ["TagA", "TagB"]}}, ["TagA", "TagB"]),
    ({"TagsSet": {"Tag": "TagA"}}, ["TagA"]),
    ({"TagsSet": {"Tag": ""}}, []),
    ({"TagsSet": {}}, []),
    ({}, []),
])
def test_string_lists_accept_every_real_variant(data, expected):
    assert get_strings(data, "TagsSet", "Tag") == expected


@pytest.mark.parametrize("data", [{"TagsSet": {"Tag": [1]}}, {"TagsSet": {"Tag": {"a": 1}}}, {"TagsSet": "x"}])
def test_string_lists_of_another_type_are_unreadable_answers(data):
    with pytest.raises(OnsResponseError):
        get_strings(data, "TagsSet", "Tag")


def test_tags_become_a_dict():
    data = {"Tags": {"Tag": [{"Key": "app", "Value": "orders"}, {"Key": "tier", "Value": 1}, {"Key": "bare"}]}}
    assert get_tags(data, "Tags", "Tag") == {"app": "orders", "tier": "1", "bare": None}
    assert get_tags({}, "Tags", "Tag") == {}


def test_a_tag_without_a_key_is_an_unreadable_answer():
    with pytest.raises(OnsResponseError, match="without a Key"):
        get_tags({"Tags": {"Tag": [{"Value": "x"}]}}, "Tags", "Tag")


def test_topic_details_keep_the_api_units():
    data = {"DetailInTopicList": {"DetailInTopicDo": {"Topic": "orders", "TotalDiff": "12", "DelayTime": 3000}}}
    assert get_topic_details(data) == [{"topic": "orders", "total_diff": 12, "delay_time": 3000, "last_timestamp": None}]
