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


@pytest.mark.parametrize("key, value, kind", [
    ("TotalDiff", -1, int), ("Diff", "-3", int), ("DelayTime", -1000, int), ("ConsumeTps", -0.5, float),
    ("ThreadCount", -1, int), ("FailedCountPerHour", -2, int), ("Rt", -1.0, float), ("GroupCount", -1, int),
    ("ReconsumeTimes", -1, int), ("StoreSize", -10, int),
])
def test_a_negative_figure_is_an_unreadable_answer_naming_the_field(key, value, kind):
    with pytest.raises(OnsResponseError, match="^InvalidResponse: %s is .*cannot be negative" % key) as caught:
        get_scalar({key: value}, key, kind, request_id="r-1")
    assert caught.value.request_id == "r-1"


@pytest.mark.parametrize("key, value", [
    ("LastTimestamp", 1767225600),        # seconds, not milliseconds: January 1970
    ("LastTimestamp", -1),
    ("StartTimeStamp", 4102444800000),    # 2100
    ("SubVersion", 10 ** 18),
    ("CreateTime", "123"),
    ("BornTimestamp", 946684799999),
    ("ReleaseTime", 253402300800000),
])
def test_an_implausible_time_is_an_unreadable_answer_naming_the_field(key, value):
    with pytest.raises(OnsResponseError, match="^InvalidResponse: %s is .*not a plausible time in epoch milliseconds" % key):
        get_scalar({key: value}, key, int)


@pytest.mark.parametrize("key, value", [
    ("LastTimestamp", 0), ("LastTimestamp", 1767225600000), ("CreateTime", "1500000000000"),
    ("ReleaseTime", 1893456000000), ("ReleaseTime", 253402214400000), ("BornTimestamp", 946684800000),
])
def test_plausible_times_and_never_are_read(key, value):
    assert get_scalar({key: value}, key, int) == int(value)


@pytest.mark.parametrize("key, value, kind", [
    ("ConsumeTps", float("inf"), float), ("OkTps", "nan", float), ("TotalDiff", 2 ** 63, int),
])
def test_an_absurd_figure_is_an_unreadable_answer(key, value, kind):
    with pytest.raises(OnsResponseError, match="^InvalidResponse: %s is " % key):
        get_scalar({key: value}, key, kind)


def test_figures_the_api_may_give_are_read():
    assert get_scalar({"TotalDiff": 0}, "TotalDiff", int) == 0
    assert get_scalar({"ConsumeTps": 12}, "ConsumeTps", float) == 12.0
    assert get_scalar({"BodyCRC": -123456}, "BodyCRC", int) == -123456


def test_a_negative_lag_of_a_topic_is_an_unreadable_answer():
    data = {"DetailInTopicList": {"DetailInTopicDo": [{"Topic": "orders", "TotalDiff": -7}]}}
    with pytest.raises(OnsResponseError, match="TotalDiff is -7"):
        get_topic_details(data)
