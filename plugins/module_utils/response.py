# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# FOR INTERNAL COLLECTION USE ONLY: the interfaces of this file serve the apsaramq.rocketmq collection
# and may change in any release; modules, plugins and roles are the public interface.

"""Reading the ONS API's answers defensively.

The API wraps lists as ``{"ConnectionList": {"ConnectionDo": [...]}}``; a real answer may leave the
wrapper out, give an empty list, or give one object where a list is expected. Anything of another
type is an answer we cannot read, and raises InvalidAnswerError so that it never passes for healthy.

Figures are checked by name as well as by type: a count, a lag or a rate below zero, or an epoch
time that is no plausible date, is an answer we cannot trust, never a value to judge health by.
"""

import math

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.errors import InvalidAnswerError

# Counts, lags, sizes and rates: never negative.
NON_NEGATIVE_FIELDS = frozenset([
    "TotalDiff", "Diff", "DelayTime", "ConsumeTps", "OkTps", "FailedTps", "FailedCountPerHour", "Rt",
    "ThreadCount", "GroupCount", "TopicCount", "MaxTps", "TopicCapacity", "StoreSize", "ReconsumeTimes",
])
# Epoch milliseconds. 0 is what the API gives for "never" (a group that has not consumed yet).
TIMESTAMP_FIELDS = frozenset([
    "LastTimestamp", "StartTimeStamp", "LastTimeStamp", "SubVersion", "BornTimestamp", "StoreTimestamp",
    "CreateTime", "UpdateTime", "ReleaseTime",
])
# 2000-01-01 and 2100-01-01 UTC; a release time may stand far in the future for "never" (year 10000).
EARLIEST_MS = 946684800000
LATEST_MS = {"ReleaseTime": 253402300800000}
DEFAULT_LATEST_MS = 4102444800000
# The largest figure a Java long holds: anything above is not a figure the API computed.
MAX_FIGURE = 2 ** 63 - 1


def _describe(path):
    return ".".join(path)


def get_object(container, *path, **kwargs):
    """Return the object at ``path`` inside ``container``.

    A missing key gives ``None``, or raises when ``required=True``. A value that is not an object
    raises InvalidAnswerError.
    """
    required = kwargs.get("required", False)
    request_id = kwargs.get("request_id")
    value = container
    walked = []
    for key in path:
        walked.append(key)
        if value is None:
            break
        if not isinstance(value, dict):
            raise InvalidAnswerError("%s is a %s, not an object" % (_describe(walked[:-1]) or "the answer", type(value).__name__),
                                     request_id=request_id)
        value = value.get(key)
    if value is None:
        if required:
            raise InvalidAnswerError("the answer has no %s" % _describe(path), request_id=request_id)
        return None
    if not isinstance(value, dict):
        raise InvalidAnswerError("%s is a %s, not an object" % (_describe(path), type(value).__name__), request_id=request_id)
    return value


def _last(container, path, request_id):
    """Return the value at ``path`` whatever its type, or None when a step is missing."""
    parent = get_object(container, *path[:-1], request_id=request_id) if len(path) > 1 else container
    if parent is None:
        return None
    if not isinstance(parent, dict):
        raise InvalidAnswerError("the answer is not an object", request_id=request_id)
    return parent.get(path[-1])


def get_list(container, *path, **kwargs):
    """Return the list of objects at ``path``: missing or empty gives ``[]``, one object gives ``[object]``."""
    request_id = kwargs.get("request_id")
    value = _last(container, path, request_id)
    if value is None or value == "":
        return []
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise InvalidAnswerError("%s is not a list of objects" % _describe(path), request_id=request_id)
    return value


def get_scalar(item, key, kind=str, request_id=None):
    """Return ``item[key]`` if it is of ``kind`` (or None when missing); anything else raises.

    Numbers given as text are converted when lossless. A number is also checked against what its
    field can mean (see NON_NEGATIVE_FIELDS and TIMESTAMP_FIELDS); InvalidAnswerError names the field.
    """
    value = item.get(key)
    if value is None:
        return None
    if kind is str and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if kind in (int, float) and isinstance(value, str):
        try:
            value = kind(value)
        except ValueError:
            pass
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise InvalidAnswerError("%s is %r, not a %s" % (key, value, kind.__name__), request_id=request_id)
    if kind in (int, float):
        _check_figure(key, value, request_id)
    return value


def _check_figure(key, value, request_id):
    """Raise InvalidAnswerError when the number ``value`` of field ``key`` is not a figure the API can mean."""
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidAnswerError("%s is %r, not a finite number" % (key, value), request_id=request_id)
    if key in TIMESTAMP_FIELDS:
        latest = LATEST_MS.get(key, DEFAULT_LATEST_MS)
        if value != 0 and not EARLIEST_MS <= value < latest:
            raise InvalidAnswerError("%s is %r, not a plausible time in epoch milliseconds (0, or from %d to %d)" % (
                key, value, EARLIEST_MS, latest), request_id=request_id)
    elif key in NON_NEGATIVE_FIELDS and value < 0:
        raise InvalidAnswerError("%s is %r: it counts or measures something and cannot be negative" % (key, value),
                                 request_id=request_id)
    if abs(value) > MAX_FIGURE:
        raise InvalidAnswerError("%s is %r, larger than any figure the API gives" % (key, value), request_id=request_id)


def get_strings(container, *path, **kwargs):
    """Return the list of strings at ``path`` (such as ``TagsSet.Tag``): missing or empty gives ``[]``, one string ``[string]``.

    A value of another type, or a list holding anything but strings, raises InvalidAnswerError.
    """
    request_id = kwargs.get("request_id")
    value = _last(container, path, request_id)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidAnswerError("%s is not a list of strings" % _describe(path), request_id=request_id)
    return value


def get_topic_details(data, request_id=None):
    """Return ``DetailInTopicList.DetailInTopicDo[]`` of ``data`` as ``[{topic, total_diff, delay_time, last_timestamp}]``.

    OnsConsumerStatus and OnsConsumerAccumulate both answer the lag of each topic this way; times
    stay in the API's epoch milliseconds and a value the API leaves out is None.
    """
    return [{
        "topic": get_scalar(item, "Topic", request_id=request_id),
        "total_diff": get_scalar(item, "TotalDiff", int, request_id=request_id),
        "delay_time": get_scalar(item, "DelayTime", int, request_id=request_id),
        "last_timestamp": get_scalar(item, "LastTimestamp", int, request_id=request_id),
    } for item in get_list(data, "DetailInTopicList", "DetailInTopicDo", request_id=request_id)]


def get_tags(container, *path, **kwargs):
    """Return the resource tags at ``path`` (such as ``Tags.Tag``, a list of ``{Key, Value}``) as a dict.

    Missing or empty gives ``{}``. A tag without a key, or a key or value that is neither a string
    nor a number, raises InvalidAnswerError; a tag without a value maps its key to ``None``.
    """
    request_id = kwargs.get("request_id")
    tags = {}
    for item in get_list(container, *path, request_id=request_id):
        key = get_scalar(item, "Key", request_id=request_id)
        if not key:
            raise InvalidAnswerError("%s holds a tag without a Key" % _describe(path), request_id=request_id)
        tags[key] = get_scalar(item, "Value", request_id=request_id)
    return tags
