# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What each API is: the instances it serves, its names, endpoints, codes and request limits."""

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.apis import APIS, ONS, RMQ, api_of, api_or_ons
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.client import resolve_endpoint
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.errors import AnswerError, OnsApiError


@pytest.mark.parametrize("instance_id, api", [
    ("MQ_INST_1234567890_DEMO", ONS), ("rmq-cn-demo0000001", RMQ), ("mq_inst_x", None), ("rmq_x", None), (None, None), (7, None),
])
def test_the_instance_id_names_the_api_that_serves_it(instance_id, api):
    assert api_of(instance_id) is api
    assert api_or_ons(instance_id) is (api or ONS)


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("code, status", [
    ("Throttling", 400), ("Throttling.User", 400), ("Throttling.Api", 400), ("ServiceUnavailable", 503),
    ("InternalError", 500), ("HTTP502", 502), ("HTTP429", 429), ("TooManyRequests", 429),
])
def test_transient_errors_are_retried_on_both_apis(api, code, status):
    assert api.is_retryable(code, status)


@pytest.mark.parametrize("api, code, status", [
    (ONS, "ONS_SYSTEM_FLOW_CONTROL", 400), (ONS, "ONS_SYSTEM_ERROR", 500), (RMQ, "Rejected.Throttling", 400),
])
def test_each_apis_own_throttling_and_transient_codes_are_retried(api, code, status):
    assert api.is_retryable(code, status)


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("code, status", [
    ("SignatureDoesNotMatch", 400), ("InvalidAccessKeyId.NotFound", 404), ("Forbidden.RAM", 403),
    ("MissingParameter", 400), ("InvalidParameter", 400), ("InvalidTimeStamp.Expired", 400), ("InvalidApi.NotFound", 404),
])
def test_auth_permission_and_parameter_errors_are_never_retried(api, code, status):
    assert not api.is_retryable(code, status)


@pytest.mark.parametrize("api, code", [
    (ONS, "BIZ_SUBSCRIPTION_NOT_FOUND"), (ONS, "INSTANCE_NOT_FOUND"), (ONS, "BIZ_TOPIC_NOT_FOUND"), (ONS, "BIZ_NO_MESSAGE"),
    (RMQ, "Instance.NotFound"), (RMQ, "ConsumerGroup.NotFound"), (RMQ, "Topic.NotFound"), (RMQ, "Trace.NotExisted"),
])
def test_not_found_codes_are_definitive_even_with_a_server_status(api, code):
    assert api.is_not_found(code)
    assert not api.is_retryable(code, 500)
    error = AnswerError(code, "gone", 500, api=api)
    assert error.not_found and not error.retryable


def test_an_error_of_no_known_api_is_retried_only_for_429_and_5xx():
    assert OnsApiError("Whatever", "x", 503).retryable and not OnsApiError("Whatever", "x", 400).retryable


@pytest.mark.parametrize("api, kind, value", [
    (ONS, "group", "GID_orders"), (ONS, "group", "MQ_INST_1%GID_orders"), (RMQ, "group", "GID.orders"),
    (RMQ, "topic", "orders.v2"), (ONS, "message", "0A0001050000217A000000000000A1B2"), (RMQ, "instance", "rmq-cn-x"),
])
def test_names_each_api_takes(api, kind, value):
    assert api.check_name(kind, value, "option") == value


@pytest.mark.parametrize("api, kind, value, message", [
    (ONS, "group", "GID.orders", "option 'GID.orders' is not a valid group ID: use 1 to 128 letters"),
    (RMQ, "group", "..", "option '..' is not a valid group ID"),
    (RMQ, "group", "GID orders", "is not a valid group ID"),
    (ONS, "message", "0A00-01", "is not a valid message ID"),
])
def test_names_each_api_refuses_name_the_option(api, kind, value, message):
    with pytest.raises(ValueError, match=message):
        api.check_name(kind, value, "option")


@pytest.mark.parametrize("api, network, url", [
    (ONS, "public", "https://ons.cn-hangzhou.aliyuncs.com"), (ONS, "vpc", "https://ons-vpc.cn-hangzhou.aliyuncs.com"),
    (RMQ, "public", "https://rocketmq.cn-hangzhou.aliyuncs.com"), (RMQ, "vpc", "https://rocketmq-vpc.cn-hangzhou.aliyuncs.com"),
])
def test_each_api_has_its_endpoints(api, network, url):
    assert resolve_endpoint("cn-hangzhou", network, None, api=api) == url
    assert resolve_endpoint("cn-hangzhou", network, "http://127.0.0.1:8080", api=api) == "http://127.0.0.1:8080"


@pytest.mark.parametrize("api, operation, limit", [
    (ONS, "OnsConsumerStatus", 10.0), (ONS, "OnsInstanceBaseInfo", 50.0), (ONS, "OnsInstanceInServiceList", 50.0),
    (RMQ, "ListConsumerConnections", 10.0), (RMQ, "GetConsumerGroupLag", 10.0), (ONS, "OnsSomethingNew", 10.0),
])
def test_request_limits_are_per_operation(api, operation, limit):
    assert api.limit(operation) == limit


def test_the_dead_letter_operations_are_listed_with_an_assumed_limit():
    assert ONS.operations["OnsDLQMessagePageQueryByGroupId"] == ("OnsDLQMessagePageQueryByGroupId", 10.0, False)
    assert RMQ.operations["ListMessages"] == ("ListMessages", 10.0, False)
