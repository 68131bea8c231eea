# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reading the ONS API's answers defensively.

The API wraps lists as ``{"ConnectionList": {"ConnectionDo": [...]}}``; a real answer may leave the
wrapper out, give an empty list, or give one object where a list is expected. Anything of another
type is an answer we cannot read, and raises OnsResponseError so that it never passes for healthy.
"""

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.client import OnsResponseError


def _describe(path):
    return ".".join(path)


def get_object(container, *path, **kwargs):
    """Return the object at ``path`` inside ``container``.

    A missing key gives ``None``, or raises when ``required=True``. A value that is not an object
    raises OnsResponseError.
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
            raise OnsResponseError("%s is a %s, not an object" % (_describe(walked[:-1]) or "the answer", type(value).__name__),
                                   request_id=request_id)
        value = value.get(key)
    if value is None:
        if required:
            raise OnsResponseError("the answer has no %s" % _describe(path), request_id=request_id)
        return None
    if not isinstance(value, dict):
        raise OnsResponseError("%s is a %s, not an object" % (_describe(path), type(value).__name__), request_id=request_id)
    return value


def _last(container, path, request_id):
    """Return the value at ``path`` whatever its type, or None when a step is missing."""
    parent = get_object(container, *path[:-1], request_id=request_id) if len(path) > 1 else container
    if parent is None:
        return None
    if not isinstance(parent, dict):
        raise OnsResponseError("the answer is not an object", request_id=request_id)
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
        raise OnsResponseError("%s is not a list of objects" % _describe(path), request_id=request_id)
    return value


def get_scalar(item, key, kind=str, request_id=None):
    """Return ``item[key]`` if it is of ``kind`` (or None when missing); anything else raises."""
    value = item.get(key)
    if value is None:
        return None
    if kind is str and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if kind in (int, float) and isinstance(value, str):
        try:
            return kind(value)
        except ValueError:
            pass
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise OnsResponseError("%s is %r, not a %s" % (key, value, kind.__name__), request_id=request_id)
    return value


def get_strings(container, *path, **kwargs):
    """Return the list of strings at ``path`` (such as ``TagsSet.Tag``): missing or empty gives ``[]``, one string ``[string]``.

    A value of another type, or a list holding anything but strings, raises OnsResponseError.
    """
    request_id = kwargs.get("request_id")
    value = _last(container, path, request_id)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise OnsResponseError("%s is not a list of strings" % _describe(path), request_id=request_id)
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
    nor a number, raises OnsResponseError; a tag without a value maps its key to ``None``.
    """
    request_id = kwargs.get("request_id")
    tags = {}
    for item in get_list(container, *path, request_id=request_id):
        key = get_scalar(item, "Key", request_id=request_id)
        if not key:
            raise OnsResponseError("%s holds a tag without a Key" % _describe(path), request_id=request_id)
        tags[key] = get_scalar(item, "Value", request_id=request_id)
    return tags
