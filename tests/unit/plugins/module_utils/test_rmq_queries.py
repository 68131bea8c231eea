# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""rmq_queries over loopback: the snake_case entries made of each answer, answers that cannot be read, which API serves an instance."""

import re
import time

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.module_utils import rmq_client, rmq_queries, time_windows
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.client import OnsApiError, OnsResponseError, OnsTransportError
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.credentials import CredentialError, Credentials
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.rmq_client import RmqClient
from ansible_collections.apsaramq.rocketmq.tests.unit.plugins.module_utils.test_rmq_client import (
    KEY_ID,
    SECRET,
    RmqServer,
    business_error,
    make_client,
    ok,
)

INSTANCE = "rmq-cn-unit0000002"
GROUP = "/instances/%s/consumerGroups/GID_orders" % INSTANCE
CLIENT = {"clientId": "10.0.0.1@1#1#1#1", "hostname": "orders-1", "egressIp": "10.0.0.1", "language": "java",
          "version": "5.0.7", "messageModel": "CLUSTERING"}
CLIENT_ENTRY = {"client_id": "10.0.0.1@1#1#1#1", "hostname": "orders-1", "egress_ip": "10.0.0.1", "language": "java",
                "version": "5.0.7", "message_model": "CLUSTERING"}


def ask(routes, function, *args):
    """``function(client, *args)`` against a server of ``routes``; returns (result, server)."""
    with RmqServer(routes) as server:
        client = make_client(server, retries=0)
        try:
            return function(client, *args), server
        finally:
            client.close()


# --- ListConsumerConnections -------------------------------------------------------------------

def test_connections_are_snake_case_and_online_says_whether_any_is_listed():
    entry, server = ask({GROUP + "/connections": [ok({"consumerGroupId": "GID_orders", "connections": [CLIENT]}, "r1")]},
                        rmq_queries.list_connections, INSTANCE, "GID_orders")
    assert entry == {"group_id": "GID_orders", "instance_id": INSTANCE, "online": True, "connections": [CLIENT_ENTRY],
                     "request_id": "r1"}
    assert server.requests[0]["headers"]["x-acs-action"] == "ListConsumerConnections"


@pytest.mark.parametrize("data", [{"connections": []}, {"consumerGroupId": "GID_orders"}])
def test_a_group_without_clients_is_offline_not_an_error(data):
    entry, dummy = ask({GROUP + "/connections": [ok(data)]}, rmq_queries.list_connections, INSTANCE, "GID_orders")
    assert entry["online"] is False and entry["connections"] == []


def test_an_unknown_group_raises_its_not_found_error():
    with pytest.raises(OnsApiError) as caught:
        ask({GROUP + "/connections": [business_error(404, "ConsumerGroup.NotFound", "no such group")]},
            rmq_queries.list_connections, INSTANCE, "GID_orders")
    assert caught.value.code == "ConsumerGroup.NotFound" and caught.value.not_found


# --- GetConsumerGroupLag -----------------------------------------------------------------------

LAG = {"readyCount": 100, "inflightCount": 20, "deliveryDuration": 12, "lastConsumeTimestamp": 1767225600000}


def test_the_lag_in_total_and_per_topic_sorted_by_topic():
    data = {"totalLag": LAG, "topicLagMap": {
        "payments": {"readyCount": 0, "inflightCount": 0, "deliveryDuration": 0, "lastConsumeTimestamp": 0},
        "orders": LAG}}
    entry, server = ask({GROUP + "/lag": [ok(data, "r2")]}, rmq_queries.get_lag, INSTANCE, "GID_orders")
    figures = {"ready_count": 100, "inflight_count": 20, "delivery_duration": 12, "last_consume_timestamp": 1767225600000}
    assert entry["total_lag"] == figures and entry["request_id"] == "r2"
    assert [row["topic"] for row in entry["topics"]] == ["orders", "payments"]
    assert entry["topics"][0] == dict(topic="orders", **figures)
    assert entry["topics"][1]["last_consume_timestamp"] == 0
    assert "topicName" not in server.requests[0]["params"]


def test_the_lag_of_one_topic_is_asked_by_name():
    dummy, server = ask({GROUP + "/lag": [ok({"totalLag": LAG, "topicLagMap": {"orders": LAG}})]},
                        rmq_queries.get_lag, INSTANCE, "GID_orders", "orders")
    assert server.requests[0]["params"] == {"topicName": "orders"}


def test_a_missing_figure_is_none_never_zero():
    entry, dummy = ask({GROUP + "/lag": [ok({"totalLag": {"readyCount": 3}})]}, rmq_queries.get_lag, INSTANCE, "GID_orders")
    assert entry["total_lag"] == {"ready_count": 3, "inflight_count": None, "delivery_duration": None,
                                  "last_consume_timestamp": None}
    assert entry["topics"] == []
    assert rmq_queries.lag_entry(INSTANCE, "GID_orders")["total_lag"]["ready_count"] is None


@pytest.mark.parametrize("data, problem", [
    ({"totalLag": dict(LAG, readyCount=-1)}, "readyCount is -1: it counts or measures something"),
    ({"totalLag": dict(LAG, inflightCount="many")}, "inflightCount is 'many', not a int"),
    ({"totalLag": dict(LAG, lastConsumeTimestamp=12)}, "lastConsumeTimestamp is 12, not a plausible time"),
    ({"totalLag": LAG, "topicLagMap": {"orders": 5}}, "topicLagMap.orders is a int, not an object"),
    ({"totalLag": [LAG]}, "totalLag is a list, not an object"),
])
def test_a_lag_that_cannot_be_trusted_is_an_error_not_a_figure(data, problem):
    with pytest.raises(OnsResponseError, match=problem):
        ask({GROUP + "/lag": [ok(data)]}, rmq_queries.get_lag, INSTANCE, "GID_orders")


# --- subscriptions -----------------------------------------------------------------------------

SUBSCRIPTION = {"consumerGroupId": "GID_orders", "topicName": "orders", "filterExpression": "paid || refunded",
                "filterExpressionType": "TAG", "messageModel": "CLUSTERING", "subscriptionStatus": "ONLINE",
                "topicCreated": True, "consistency": False}


def test_the_subscriptions_with_the_servers_consistency():
    entry, dummy = ask({GROUP + "/subscriptions": [ok([SUBSCRIPTION], "r3")]}, rmq_queries.list_subscriptions,
                       INSTANCE, "GID_orders")
    assert entry == {"group_id": "GID_orders", "instance_id": INSTANCE, "request_id": "r3", "subscriptions": [{
        "topic": "orders", "filter_expression": "paid || refunded", "filter_expression_type": "TAG",
        "message_model": "CLUSTERING", "subscription_status": "ONLINE", "topic_created": True, "consistency": False}]}


def test_each_clients_subscription_of_a_topic():
    detail = [{"connectionDTO": CLIENT, "subscriptionDTO": {"filterExpression": "*", "filterExpressionType": "TAG",
                                                            "subscriptionStatus": "ONLINE", "messageModel": "CLUSTERING"}},
              {"connectionDTO": dict(CLIENT, clientId="c2", messageModel=None), "subscriptionDTO": SUBSCRIPTION}]
    clients, server = ask({GROUP + "/subscriptions/orders events": [ok(detail)]}, rmq_queries.get_subscription_detail,
                          INSTANCE, "GID_orders", "orders events")
    assert clients[0] == dict(CLIENT_ENTRY, filter_expression="*", filter_expression_type="TAG", subscription_status="ONLINE")
    assert clients[1]["client_id"] == "c2" and clients[1]["filter_expression"] == "paid || refunded"
    # The client's model missing, the subscription's stands in.
    assert clients[1]["message_model"] == "CLUSTERING"
    assert server.requests[0]["raw_path"].endswith("/subscriptions/orders%20events")


def test_detail_adds_each_topics_clients_and_none_without_it():
    routes = {GROUP + "/subscriptions": [ok([SUBSCRIPTION, dict(SUBSCRIPTION, topicName="payments")])],
              GROUP + "/subscriptions/orders": [ok([{"connectionDTO": CLIENT, "subscriptionDTO": SUBSCRIPTION}])],
              GROUP + "/subscriptions/payments": [ok([])]}
    entry, server = ask(routes, rmq_queries.query_subscriptions, INSTANCE, "GID_orders", True)
    assert [len(row["clients"]) for row in entry["subscriptions"]] == [1, 0]
    assert [r["headers"]["x-acs-action"] for r in server.requests] == [
        "ListConsumerGroupSubscriptions", "GetConsumerGroupSubscription", "GetConsumerGroupSubscription"]
    entry, server = ask(routes, rmq_queries.query_subscriptions, INSTANCE, "GID_orders", False)
    assert [row["clients"] for row in entry["subscriptions"]] == [[], []] and len(server.requests) == 1


def test_subscriptions_that_are_not_a_list_cannot_be_read():
    with pytest.raises(OnsResponseError, match="data is not a list of objects"):
        ask({GROUP + "/subscriptions": [ok(["orders"])]}, rmq_queries.list_subscriptions, INSTANCE, "GID_orders")


# --- groups ------------------------------------------------------------------------------------

def group_row(group_id, **extra):
    row = {"consumerGroupId": group_id, "instanceId": INSTANCE, "status": "RUNNING", "messageModel": "CLUSTERING",
           "remark": "", "createTime": "2026-01-05 10:12:00", "updateTime": "2026-01-05 10:12:00"}
    row.update(extra)
    return row


GROUPS = "/instances/%s/consumerGroups" % INSTANCE


def test_every_group_of_every_page_once_in_order():
    rows = [group_row("GID_%03d" % index) for index in range(150)]
    # The list moved between pages: the first row of page 2 repeats the last of page 1, and the
    # distinct groups still reach the total.
    pages = [ok({"totalCount": 150, "list": rows[:100]}, "p1"), ok({"totalCount": 150, "list": rows[99:]}, "p2")]
    result, server = ask({GROUPS: pages}, rmq_queries.list_consumer_groups, INSTANCE, "GID")
    assert result["group_ids"] == [row["consumerGroupId"] for row in rows]
    assert result["total_count"] == 150 and result["request_ids"] == ["p1", "p2"]
    assert result["groups"][0]["create_time"] == "2026-01-05 10:12:00" and result["groups"][0]["consume_retry_policy"] is None
    assert [r["params"] for r in server.requests] == [{"filter": "GID", "pageNumber": "1", "pageSize": "100"},
                                                      {"filter": "GID", "pageNumber": "2", "pageSize": "100"}]


def test_groups_that_do_not_add_up_to_the_total_are_an_error_never_a_shorter_list():
    # Page 1 holds one group and says there are five; page 2 is empty.
    pages = [ok({"totalCount": 5, "list": [group_row("GID_a")]}, "p1"), ok({"totalCount": 5, "list": []}, "p2")]
    with pytest.raises(OnsResponseError) as caught:
        ask({GROUPS: pages}, rmq_queries.list_consumer_groups, INSTANCE, "GID")
    assert caught.value.code == "InvalidResponse"
    assert caught.value.message.startswith("ListConsumerGroups said totalCount 5 but its pages held 1 distinct group ")


def test_a_group_listed_again_that_hides_a_missed_one_is_an_error():
    rows = [group_row("GID_%03d" % index) for index in range(150)]
    # A group created before page 2 was read shifted the list: GID_099 comes again and the new group
    # (now among the first hundred) was never read, so 150 distinct groups fall short of 151.
    pages = [ok({"totalCount": 150, "list": rows[:100]}, "p1"), ok({"totalCount": 151, "list": rows[99:]}, "p2"),
             ok({"totalCount": 151, "list": []}, "p3")]
    with pytest.raises(OnsResponseError, match="said totalCount 151 but its pages held 150 distinct groups "
                                               r"\(151 rows in 3 pages\), the last one empty; totalCount went from 150 to 151"):
        ask({GROUPS: pages}, rmq_queries.list_consumer_groups, INSTANCE, "GID")


def test_one_group_with_its_retry_policy_and_dead_letter_topic():
    data = group_row("GID_orders", deliveryOrderType="Orderly", maxReceiveTps=500, consumeRetryPolicy={
        "retryPolicy": "FixedRetryPolicy", "maxRetryTimes": 16, "fixedIntervalRetryTime": 10,
        "deadLetterTargetTopic": "DLQ_orders"})
    entry, dummy = ask({GROUP: [ok(data, "r4")]}, rmq_queries.get_consumer_group, INSTANCE, "GID_orders")
    assert entry["consume_retry_policy"] == {"retry_policy": "FixedRetryPolicy", "max_retry_times": 16,
                                             "fixed_interval_retry_time": 10, "dead_letter_target_topic": "DLQ_orders"}
    assert entry["dead_letter_topic"] == "DLQ_orders" and entry["delivery_order_type"] == "Orderly"
    assert entry["max_receive_tps"] == 500 and entry["request_id"] == "r4" and entry["status"] == "RUNNING"


def test_a_lite_selective_group_with_its_topic_and_a_receive_limit_of_minus_one():
    data = group_row("GID_lite", messageModel="LITE_SELECTIVE", topicName="orders", exclusive=True, maxReceiveTps=-1)
    entry, dummy = ask({"/instances/%s/consumerGroups/GID_lite" % INSTANCE: [ok(data, "r9")]}, rmq_queries.get_consumer_group,
                       INSTANCE, "GID_lite")
    # -1 is taken as it comes: one such value never fails the group's query
    assert (entry["message_model"], entry["topic_name"], entry["exclusive"], entry["max_receive_tps"]) == ("LITE_SELECTIVE", "orders", True, -1)
    listed, dummy = ask({GROUPS: [ok({"totalCount": 1, "list": [data]}, "r10")]}, rmq_queries.list_consumer_groups, INSTANCE)
    assert (listed["groups"][0]["max_receive_tps"], listed["groups"][0]["exclusive"]) == (-1, None)


def test_a_last_consume_timestamp_of_minus_one_is_no_time_and_no_error():
    lag = {"totalLag": {"readyCount": 1, "inflightCount": 0, "deliveryDuration": 0, "lastConsumeTimestamp": -1},
           "topicLagMap": {"orders": {"readyCount": 1, "inflightCount": 0, "deliveryDuration": 0, "lastConsumeTimestamp": -1}}}
    entry, dummy = ask({GROUP + "/lag": [ok(lag)]}, rmq_queries.get_lag, INSTANCE, "GID_orders")
    assert entry["total_lag"]["last_consume_timestamp"] is None and entry["topics"][0]["last_consume_timestamp"] is None
    assert entry["total_lag"]["ready_count"] == 1


def test_a_group_without_a_dead_letter_topic_says_none():
    data = group_row("GID_orders", consumeRetryPolicy={"retryPolicy": "DefaultRetryPolicy", "maxRetryTimes": 16,
                                                       "deadLetterTargetTopic": ""})
    entry, dummy = ask({GROUP: [ok(data)]}, rmq_queries.get_consumer_group, INSTANCE, "GID_orders")
    assert entry["dead_letter_topic"] is None and entry["consume_retry_policy"]["dead_letter_target_topic"] is None


# --- instances ---------------------------------------------------------------------------------

def instance_row(instance_id, tags=None, **extra):
    row = {"instanceId": instance_id, "instanceName": instance_id + "-name", "status": "RUNNING",
           "seriesCode": "professional", "subSeriesCode": "cluster_ha", "regionId": "cn-hangzhou",
           "paymentType": "Subscription", "groupCount": 2, "topicCount": 3, "productInfo": {"traceOn": True},
           "tags": [{"key": k, "value": v} for k, v in (tags or {}).items()], "createTime": "2025-06-01 09:00:00"}
    row.update(extra)
    return row


def test_instances_are_listed_by_series_and_kept_by_tags():
    rows = [instance_row("rmq-cn-a", {"env": "prod", "team": "orders"}), instance_row("rmq-cn-b", {"env": "test"}),
            instance_row("rmq-cn-c")]
    result, server = ask({"/instances": [ok({"totalCount": 3, "list": rows}, "r5")]}, rmq_queries.list_instances,
                         "rmq", ["professional", "ultimate"], {"env": "prod"})
    assert result["instance_ids"] == ["rmq-cn-a"] and result["total_count"] == 3
    assert result["instances"][0]["tags"] == {"env": "prod", "team": "orders"}
    assert result["instances"][0]["trace_on"] is True and result["instances"][0]["endpoints"] is None
    assert server.requests[0]["params"] == {"filter": "rmq", "seriesCodes": "professional,ultimate", "pageNumber": "1",
                                            "pageSize": "100"}


def test_instances_are_counted_by_id_against_the_total_before_the_tags_are_compared():
    rows = [instance_row("rmq-cn-a", {"env": "prod"}), instance_row("rmq-cn-b")]
    # The same two instances again on page 2: a server that does not follow pageNumber.
    with pytest.raises(OnsResponseError, match=r"ListInstances page 2 is page 1 again \(the same 2 instances\)"):
        ask({"/instances": [ok({"totalCount": 3, "list": rows}, "r1")]}, rmq_queries.list_instances, None, None,
            {"env": "prod"})


def test_the_listing_gives_the_creation_as_create_time_and_leaves_released_instances_out():
    rows = [instance_row("rmq-cn-a", startTime="2024-01-02 03:04:05", createTime="2025-06-07 08:09:10"),
            instance_row("rmq-cn-gone", status="RELEASED", releaseTime="2025-01-01 00:00:00")]
    result, dummy = ask({"/instances": [ok({"totalCount": 2, "list": rows}, "r5")]}, rmq_queries.list_instances)
    assert (result["instance_ids"], result["released_instance_ids"], result["total_count"]) == (["rmq-cn-a"], ["rmq-cn-gone"], 2)
    listed = result["instances"][0]
    # ListInstances' createTime is the last version update, its startTime the creation
    assert (listed["create_time"], listed["version_update_time"], listed["released"]) == ("2024-01-02 03:04:05", "2025-06-07 08:09:10", False)


def test_one_released_instance_is_given_as_released():
    data = instance_row(INSTANCE, status="RELEASED", startTime="2024-01-02 03:04:05", releaseTime="2025-01-01 00:00:00")
    entry, dummy = ask({"/instances/" + INSTANCE: [ok(data, "r6")]}, rmq_queries.get_instance, INSTANCE)
    # GetInstance's createTime is the creation
    assert (entry["released"], entry["release_time"], entry["create_time"], entry["version_update_time"]) == (
        True, "2025-01-01 00:00:00", "2025-06-01 09:00:00", None)


def test_a_series_code_with_a_comma_is_refused():
    with pytest.raises(ValueError, match="series_codes 'a,b' is not valid"):
        rmq_queries.list_instances(None, series_codes=["a,b"])


def test_one_instance_with_its_endpoints_and_version():
    data = instance_row(INSTANCE, {"env": "prod"}, software={"softwareVersion": "5.0-rmq-1"}, networkInfo={"endpoints": [
        {"endpointType": "TCP_VPC", "endpointUrl": "rmq-vpc:8080"}]})
    entry, dummy = ask({"/instances/" + INSTANCE: [ok(data, "r6")]}, rmq_queries.get_instance, INSTANCE)
    assert entry["software_version"] == "5.0-rmq-1" and entry["request_id"] == "r6"
    assert entry["endpoints"] == [{"endpoint_type": "TCP_VPC", "endpoint_url": "rmq-vpc:8080"}]
    assert entry["series_code"] == "professional" and entry["group_count"] == 2


def test_an_answer_about_another_instance_is_refused():
    with pytest.raises(OnsResponseError, match="the answer is about instance rmq-cn-other, not %s" % INSTANCE):
        ask({"/instances/" + INSTANCE: [ok(instance_row("rmq-cn-other"))]}, rmq_queries.get_instance, INSTANCE)


# --- GetTrace ----------------------------------------------------------------------------------

TRACE = "/instances/%s/topics/orders/traces/0A01" % INSTANCE


def test_a_trace_names_each_group_its_deliveries_and_its_dead_letter():
    data = {"messageInfo": {"messageId": "0A01"}, "consumerInfos": [
        {"consumerGroupId": "GID_orders", "consumeStatus": "CONSUME_SUCCESS", "deadMessage": False,
         "records": [{"clientHost": "orders-1", "consumeStatus": "CONSUME_SUCCESS", "operations": [
             {"operateType": "Receive", "operateTime": "2026-01-05 10:12:00"},
             {"operateType": "Ack", "operateTime": "2026-01-05 10:12:01"}]}]},
        {"consumerGroupId": "GID_billing", "consumeStatus": "CONSUME_FAILED", "deadMessage": True,
         "deadLetterInfo": {"messageId": "0A99", "topicName": "%DLQ%GID_billing", "toDlqTime": "2026-01-05 10:20:00"}}]}
    entry, dummy = ask({TRACE: [ok(data, "r7")]}, rmq_queries.get_trace, INSTANCE, "orders", "0A01")
    assert entry["found"] is True and entry["request_id"] == "r7" and entry["msg_id"] == "0A01"
    orders, billing = entry["consumers"]
    assert orders == {"group_id": "GID_orders", "consume_status": "CONSUME_SUCCESS", "dead_message": False,
                      "dead_letter": None, "records": [{"client_host": "orders-1", "consume_status": "CONSUME_SUCCESS",
                                                        "operations": [{"operate_type": "Receive", "operate_time": "2026-01-05 10:12:00"},
                                                                       {"operate_type": "Ack", "operate_time": "2026-01-05 10:12:01"}]}]}
    assert billing["dead_letter"] == {"msg_id": "0A99", "topic": "%DLQ%GID_billing", "to_dlq_time": "2026-01-05 10:20:00"}
    assert billing["records"] == []


# 2030-01-01 00:00:00 UTC, and an hour either side
T2030 = 1893456000000
HOUR = 3600 * 1000


@pytest.mark.parametrize("zone, window", [
    ("+08:00", ("2030-01-01 07:00:00", "2030-01-01 09:00:00")),
    # unknown zone: widened by the widest offsets, 12 hours before and 14 after
    (None, ("2029-12-31 11:00:00", "2030-01-01 15:00:00")),
])
def test_a_trace_is_asked_for_in_the_window_read_in_the_zone(zone, window):
    entry, server = ask({TRACE: [ok({"consumerInfos": []}, "r8")]}, rmq_queries.get_trace, INSTANCE, "orders", "0A01",
                        T2030 - HOUR, T2030 + HOUR, zone)
    assert (server.requests[0]["params"]["startTime"], server.requests[0]["params"]["endTime"]) == window
    assert (entry["begin_time"], entry["end_time"], entry["time_zone"]) == (T2030 - HOUR, T2030 + HOUR, zone)
    assert (entry["scheduled"], entry["due"]) == (False, True)


def test_a_window_that_ends_before_it_begins_is_refused():
    with pytest.raises(ValueError, match="begin_ms 2 is after end_ms 1"):
        rmq_queries.get_trace(None, INSTANCE, "orders", "0A01", 2, 1)


@pytest.mark.parametrize("zone, now, due, timestamp", [
    ("Z", T2030 - 1, False, T2030),
    ("Z", T2030, True, T2030),
    ("+08:00", T2030 - 8 * HOUR, True, T2030 - 8 * HOUR),
    # unknown zone: the time may be anywhere from 14 hours before to 12 hours after its wall clock
    (None, T2030 - 14 * HOUR - 1, False, None),
    (None, T2030, None, None),
    (None, T2030 + 12 * HOUR, True, None),
])
def test_a_scheduled_message_is_due_once_its_time_comes_in_the_zone_of_the_api(zone, now, due, timestamp):
    data = {"consumerInfos": [], "brokerInfo": {"delayStatus": "WAITING", "presetDelayTime": "2030-01-01 00:00:00", "operations": []}}
    entry, dummy = ask({TRACE: [ok(data)]}, rmq_queries.get_trace, INSTANCE, "orders", "0A01", None, None, zone, now)
    assert (entry["scheduled"], entry["delay_status"], entry["preset_delay_time"]) == (True, "WAITING", "2030-01-01 00:00:00")
    assert (entry["due"], entry["preset_delay_timestamp"]) == (due, timestamp)


@pytest.mark.parametrize("answer", [
    business_error(404, "Message.NotFound", "The message cannot be found.", request_id="gone-1"),
    business_error(400, "Trace.NotExisted", "No trace.", request_id="gone-1"),
    ok(None, "gone-1"),
])
def test_a_message_the_api_does_not_know_is_not_found_not_an_error(answer):
    entry, dummy = ask({TRACE: [answer]}, rmq_queries.get_trace, INSTANCE, "orders", "0A01")
    assert entry == {"msg_id": "0A01", "topic": "orders", "found": False, "consumers": [], "begin_time": None, "end_time": None,
                     "time_zone": None, "scheduled": None, "delay_status": None, "preset_delay_time": None,
                     "preset_delay_timestamp": None, "due": None, "request_id": "gone-1"}


@pytest.mark.parametrize("code", ["Topic.NotFound", "Instance.NotFound", "InvalidParameter"])
def test_an_unknown_topic_or_instance_is_an_error(code):
    with pytest.raises(OnsApiError, match=code):
        ask({TRACE: [business_error(404, code, "gone")]}, rmq_queries.get_trace, INSTANCE, "orders", "0A01")


# --- which API, names, the client --------------------------------------------------------------

@pytest.mark.parametrize("module, instance_id, says", [
    ("ons_consumer_connection_info", "rmq-cn-x", "use apsaramq.rocketmq.rmq_consumer_connection_info instead"),
    ("ons_consumer_status_info", "rmq-cn-x", "use apsaramq.rocketmq.rmq_consumer_lag_info instead (apsaramq.rocketmq."
                                             "rmq_consumer_connection_info and apsaramq.rocketmq.rmq_consumer_subscription_info"),
    ("ons_trace_info", "rmq-cn-x", "which the ONS API (4.x instances, MQ_INST_...) does not serve"),
    ("rmq_trace_info", "MQ_INST_1_X", "which the RocketMQ 5.x API (rmq-... instances) does not serve: use apsaramq.rocketmq.ons_trace_info"),
    ("rmq_consumer_group_info", "MQ_INST_1_X", "use apsaramq.rocketmq.ons_group_info instead"),
])
def test_an_instance_of_the_other_generation_names_the_module_to_use(module, instance_id, says):
    message = rmq_queries.wrong_generation(module, "instance_id", instance_id)
    assert message.startswith("instance_id %r is an ApsaraMQ for RocketMQ" % instance_id) and says in message


@pytest.mark.parametrize("module, instance_id", [("ons_trace_info", "MQ_INST_1_X"), ("rmq_trace_info", "rmq-cn-x"),
                                                 ("ons_trace_info", "legacy"), ("rmq_trace_info", None)])
def test_an_instance_of_the_modules_own_generation_passes(module, instance_id):
    assert rmq_queries.wrong_generation(module, "instance_id", instance_id) is None


@pytest.mark.parametrize("kind, value", [("group", "GID.a%b-c_d"), ("topic", "..."), ("instance", "rmq-cn-x"),
                                         ("message", "0A01")])
def test_a_5x_name_passes(kind, value):
    assert rmq_queries.check_name("option", value, kind) == value


@pytest.mark.parametrize("kind, value", [("group", ".."), ("group", "."), ("topic", "a b"), ("group", "a/b"),
                                         ("instance", "rmq.x"), ("message", "0A-1"), ("group", None)])
def test_a_name_the_path_cannot_carry_is_refused_naming_the_option(kind, value):
    with pytest.raises(ValueError, match="option %r is not a valid %s ID: use " % (value, kind)):
        rmq_queries.check_name("option", value, kind)


def options(**changes):
    params = dict(access_key_id=KEY_ID, access_key_secret=SECRET, security_token=None, profile=None, ecs_role_name=None,
                  region=None, network="public", endpoint=None, signature_version="v1", timeout=10.0, retries=5,
                  rate_limit=10.0, validate_certs=True, ca_bundle=None)
    params.update(changes)
    return params


@pytest.mark.parametrize("changes, url", [
    (dict(region="cn-shanghai"), "https://rocketmq.cn-shanghai.aliyuncs.com"),
    (dict(region="cn-shanghai", network="vpc"), "https://rocketmq-vpc.cn-shanghai.aliyuncs.com"),
    (dict(region="cn-shanghai", endpoint="http://127.0.0.1:9"), "http://127.0.0.1:9"),
])
def test_connect_rmq_builds_the_5x_endpoint_and_ignores_the_signature_version(changes, url):
    client, secrets = rmq_client.connect_rmq(options(**changes))
    try:
        assert isinstance(client, RmqClient) and client.base_url == url and secrets == [SECRET]
        assert client.timeout == 10.0 and client.policy.retries == 5
    finally:
        client.close()


def test_the_inferred_vpc_endpoint_that_does_not_resolve_says_to_set_endpoint():
    client, dummy = rmq_client.connect_rmq(options(region="cn-shanghai", network="vpc", retries=0, timeout=5.0))
    try:
        assert "rocketmq-vpc.cn-shanghai.aliyuncs.com does not resolve" in client.unresolved_advice
        # a host that never resolves (RFC 6761), with the advice the vpc network gives
        client.base_url, client.host = "https://rocketmq-vpc.cn-shanghai.invalid", "rocketmq-vpc.cn-shanghai.invalid"
        client.unresolved_advice = rmq_client.vpc_endpoint_advice(client.host)
        with pytest.raises(OnsTransportError) as caught:
            client.get("GetInstance", ["instances", INSTANCE])
        assert caught.value.message.endswith("the host rocketmq-vpc.cn-shanghai.invalid does not resolve: it is the name network "
                                             "vpc infers for the RocketMQ 5.x API (Alibaba Cloud publishes no VPC endpoint for "
                                             "it); set the option endpoint (rmq_endpoint for the gate) to the 5.x API's endpoint "
                                             "you can reach, or use network public")
    finally:
        client.close()
    # Another network, or an endpoint given, has nothing to advise.
    for changes in (dict(region="cn-shanghai"), dict(region="cn-shanghai", network="vpc", endpoint="http://127.0.0.1:9")):
        client, dummy = rmq_client.connect_rmq(options(**changes))
        assert client.unresolved_advice is None
        client.close()


def test_a_connection_refused_is_no_matter_of_name_resolution():
    client, dummy = rmq_client.connect_rmq(options(region="cn-shanghai", network="vpc", retries=0, timeout=5.0))
    try:
        # nothing listens on port 9 of loopback: refused, not unresolved, so no advice
        client.base_url, client.host = "http://127.0.0.1:9", "127.0.0.1:9"
        with pytest.raises(OnsTransportError) as caught:
            client.get("GetInstance", ["instances", INSTANCE])
        assert "does not resolve" not in caught.value.message
    finally:
        client.close()


def test_connect_rmq_without_credentials_or_region_says_what_is_missing(monkeypatch, tmp_path):
    for name in ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY",
                 "ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE", "ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(CredentialError, match="no credentials found"):
        rmq_client.connect_rmq(options(access_key_id=None, access_key_secret=None))
    with pytest.raises(ValueError, match="no region: set the option region"):
        rmq_client.connect_rmq(options())


# --- the API's times, which carry no zone --------------------------------------------------------

BEGIN = 1796637600000  # 2026-12-07T10:00:00Z
END = BEGIN + 3600 * 1000


@pytest.mark.parametrize("text, minutes", [("+08:00", 480), ("-05:30", -330), ("Z", 0), ("UTC", 0), ("utc", 0),
                                           ("+14:00", 840), ("-12:00", -720), (" +00:00 ", 0)])
def test_a_zone_is_an_offset_from_utc_in_minutes(text, minutes):
    assert time_windows.parse_time_zone(text) == minutes


@pytest.mark.parametrize("text, problem", [
    ("+8", "time_zone '+8' is not a zone: use an offset from UTC such as +08:00 or -05:30 (from -12:00 to +14:00), Z or UTC"),
    ("Asia/Shanghai", "time_zone 'Asia/Shanghai' is not a zone"),
    ("+08:60", "time_zone '+08:60' is not a zone"),
    ("+14:30", "time_zone '+14:30' is no zone in use"),
    ("-12:01", "time_zone '-12:01' is no zone in use"),
    (8, "time_zone 8 is not a zone"),
])
def test_a_zone_that_is_no_offset_is_refused_naming_the_option(text, problem):
    with pytest.raises(ValueError) as caught:
        time_windows.parse_time_zone(text)
    assert str(caught.value).startswith(problem)


def test_a_window_in_a_known_zone_is_sent_in_it_holding_every_millisecond_asked_for():
    assert rmq_queries.message_window(BEGIN, END, 480) == ("2026-12-07 18:00:00", "2026-12-07 19:00:00")
    # A window that does not fall on whole seconds is widened to them, never narrowed.
    assert rmq_queries.message_window(BEGIN + 999, END + 1, -330) == ("2026-12-07 04:30:00", "2026-12-07 05:30:01")


def test_a_window_in_an_unknown_zone_is_widened_by_the_widest_offsets():
    # Read in UTC+14:00, 2026-12-06 22:00:00 is 08:00Z; read in UTC-12:00, 2026-12-08 01:00:00 is 13:00Z: each
    # reading holds 10:00Z to 11:00Z.
    assert rmq_queries.message_window(BEGIN, END) == ("2026-12-06 22:00:00", "2026-12-08 01:00:00")


@pytest.mark.parametrize("store_time, offset, outcome", [
    ("2026-12-07 18:30:00", 480, (True, BEGIN + 1800 * 1000)),
    ("2026-12-07 10:30:00", 480, (False, BEGIN + 1800 * 1000 - 8 * 3600 * 1000)),
    ("2026-12-07 17:59:59", 480, (False, BEGIN - 1000)),
    # Both ends are in the window; a time to the second stands for every millisecond of it.
    ("2026-12-07 10:00:00", 0, (True, BEGIN)),
    ("2026-12-07 09:59:59", 0, (False, BEGIN - 1000)),
    ("2026-12-07 11:00:00", 0, (True, END)),
    ("2026-12-07 11:00:01", 0, (False, END + 1000)),
    ("2026-12-07 11:00:00.001", 0, (False, END + 1)),
    # Unknown zone: kept when any reading from UTC-12:00 to UTC+14:00 falls in the window.
    ("2026-12-08 01:00:00", None, (True, None)),
    ("2026-12-08 01:00:01", None, (False, None)),
    ("2026-12-06 21:59:59", None, (False, None)),
    ("2026-12-06 22:00:00", None, (True, None)),
    # A time that cannot be read is kept: a count must never lose a letter.
    ("soon", 0, (True, None)),
    (None, None, (True, None)),
])
def test_a_letter_counts_when_its_time_is_or_may_be_in_the_window(store_time, offset, outcome):
    assert rmq_queries.store_timestamp_of(store_time, BEGIN, END, offset) == outcome


def test_the_widening_keeps_every_letter_of_the_window_whatever_the_servers_zone():
    for offset in range(-12 * 60, 14 * 60 + 1, 15):
        start, end = rmq_queries.message_window(BEGIN, END)
        # The server reads startTime and endTime in its zone: the window it lists holds the one asked for.
        assert rmq_queries.read_api_time(start) - offset * 60000 <= BEGIN
        assert rmq_queries.read_api_time(end) - offset * 60000 >= END
        for stored in (BEGIN, BEGIN + 1234567, END):
            wall = rmq_queries.api_time(stored, offset)
            assert rmq_queries.store_timestamp_of(wall, BEGIN, END)[0], (offset, wall)


# --- ListMessages of the dead-letter topic -------------------------------------------------------

MESSAGES = "/instances/%s/topics/DLQ_orders/messages" % INSTANCE
ROW = {"messageId": "01F4A1B2C3D4E5F60718293A4B5C6D7E", "topicName": "DLQ_orders", "messageTag": "created",
       "messageKeys": ["order-1001"], "messageType": "NORMAL", "bornHost": "10.0.7.1", "bornTime": "2026-12-07 10:20:00",
       "storeHost": "10.0.9.1", "storeTime": "2026-12-07 10:20:05", "bodySize": 406, "body": "c2VjcmV0",
       "userProperties": {"orderId": "1001"}, "instanceId": INSTANCE, "regionId": "cn-hangzhou"}


def group_with(topic):
    policy = {"retryPolicy": "DefaultRetryPolicy", "maxRetryTimes": 16}
    if topic:
        policy["deadLetterTargetTopic"] = topic
    return ok({"consumerGroupId": "GID_orders", "consumeRetryPolicy": policy}, "r-group")


def messages_page(rows, total=None, number=1, scroll="S-1"):
    return ok({"pageNumber": number, "pageSize": 50, "totalCount": len(rows) if total is None else total,
               "scrollId": scroll, "list": rows}, "r-page-%d" % number)


def test_the_letters_of_the_groups_dead_letter_topic_in_a_known_zone():
    routes = {GROUP: [group_with("DLQ_orders")], MESSAGES: [messages_page([ROW, dict(ROW, storeTime="2026-12-07 09:59:59")])]}
    entry, server = ask(routes, rmq_queries.list_dead_letters, INSTANCE, "GID_orders", BEGIN, END, None, None, "Z")
    assert [r["headers"]["x-acs-action"] for r in server.requests] == ["GetConsumerGroup", "ListMessages"]
    assert server.requests[1]["params"] == {"startTime": "2026-12-07 10:00:00", "endTime": "2026-12-07 11:00:00",
                                            "pageNumber": "1", "pageSize": "50"}
    assert entry == dict(rmq_queries.dead_letter_entry(INSTANCE, "GID_orders", BEGIN, END), dead_letter_topic="DLQ_orders",
                         time_zone="Z", count=1, complete=True, request_id="r-group", request_ids=["r-group", "r-page-1"],
                         messages=[{"message_id": "01F4A1B2C3D4E5F60718293A4B5C6D7E", "topic": "DLQ_orders",
                                    "message_tag": "created", "message_keys": ["order-1001"], "message_type": "NORMAL",
                                    "born_host": "10.0.7.1", "born_time": "2026-12-07 10:20:00", "store_host": "10.0.9.1",
                                    "store_time": "2026-12-07 10:20:05", "store_timestamp": BEGIN + 1205000,
                                    "body_size": 406, "user_properties": {"orderId": "1001"}}])


def test_in_an_unknown_zone_the_query_is_widened_and_a_letter_that_may_be_in_the_window_counts():
    rows = [dict(ROW, messageId="A", storeTime="2026-12-07 23:00:00"), dict(ROW, messageId="B", storeTime="2026-12-08 02:00:00")]
    entry, server = ask({MESSAGES: [messages_page(rows)]}, rmq_queries.list_dead_letters, INSTANCE, "GID_orders", BEGIN, END,
                        None, "DLQ_orders")
    assert [r["headers"]["x-acs-action"] for r in server.requests] == ["ListMessages"]
    params = server.requests[0]["params"]
    assert (params["startTime"], params["endTime"]) == ("2026-12-06 22:00:00", "2026-12-08 01:00:00")
    assert [(item["message_id"], item["store_timestamp"]) for item in entry["messages"]] == [("A", None)]
    assert (entry["count"], entry["time_zone"], entry["request_id"]) == (1, None, "r-page-1")


def test_a_group_without_a_dead_letter_topic_has_nothing_to_count():
    entry, server = ask({GROUP: [group_with(None)]}, rmq_queries.list_dead_letters, INSTANCE, "GID_orders", BEGIN, END)
    assert entry == dict(rmq_queries.dead_letter_entry(INSTANCE, "GID_orders", BEGIN, END, "r-group"), complete=True)
    assert entry["count"] is None and len(server.requests) == 1


def test_pages_are_followed_with_the_scroll_id_until_enough_letters():
    answers = [messages_page([dict(ROW, messageId="M%d" % (page * 50 + n)) for n in range(50)], 150, page + 1, "S")
               for page in range(3)]
    entry, server = ask({MESSAGES: answers}, rmq_queries.list_dead_letters, INSTANCE, "GID_orders", BEGIN, END, 60,
                        "DLQ_orders", "+00:00")
    assert (entry["count"], entry["complete"], entry["request_ids"]) == (100, False, ["r-page-1", "r-page-2"])
    assert server.requests[1]["params"]["scrollId"] == "S"


def test_letters_that_do_not_count_do_not_reach_enough():
    outside = [dict(ROW, messageId="O%d" % n, storeTime="2026-12-07 09:00:00") for n in range(50)]
    answers = [messages_page(outside, 51, 1, "S"), messages_page([ROW], 51, 2, "S")]
    entry, server = ask({MESSAGES: answers}, rmq_queries.list_dead_letters, INSTANCE, "GID_orders", BEGIN, END, 1,
                        "DLQ_orders", "Z")
    assert (entry["count"], entry["complete"], len(server.requests)) == (1, True, 2)


def test_a_listing_short_of_its_total_is_an_error_not_fewer_letters():
    with pytest.raises(OnsResponseError, match="ListMessages said totalCount 3 but its pages held 1 distinct message"):
        ask({MESSAGES: [messages_page([ROW], 3, 1), messages_page([], 3, 2)]}, rmq_queries.list_dead_letters, INSTANCE,
            "GID_orders", BEGIN, END, None, "DLQ_orders")


@pytest.mark.parametrize("args, problem", [
    ((END, BEGIN), "begin_ms 1796641200000 is after end_ms 1796637600000"),
    ((BEGIN, END, None, None, "+25:00"), "time_zone '+25:00' is no zone in use"),
])
def test_a_bad_window_or_zone_is_refused_before_any_call(args, problem):
    with pytest.raises(ValueError, match=re.escape(problem)):
        ask({}, rmq_queries.list_dead_letters, INSTANCE, "GID_orders", *args)


# --- ListMessages against the emulator -----------------------------------------------------------

EMULATOR_INSTANCE = "rmq-cn-unitdlq0001"


def emulator_scenario(letters):
    return {"description": "Dead letters of 5.x groups.", "region": "cn-hangzhou",
            "keys": [{"access_key_id": KEY_ID, "access_key_secret": SECRET}], "limits": {"rate": 0},
            "instances": [{"instance_id": EMULATOR_INSTANCE, "topics": [{"topic": "orders", "max_offset": 10}],
                           "groups": [{"group_id": "GID_orders", "offsets": {"orders": 10}, "dead_letter_topic": "DLQ_orders",
                                       "dead_letters": letters},
                                      {"group_id": "GID_plain", "offsets": {"orders": 10}}]}]}


def emulator_dead_letters(emulator, group_id, lookback_s, **kwargs):
    made = RmqClient(Credentials(KEY_ID, SECRET), emulator.url, retries=0, rate_limit=1000)
    now_ms = int(time.time() * 1000)
    try:
        return rmq_queries.list_dead_letters(made, EMULATOR_INSTANCE, group_id, now_ms - lookback_s * 1000, now_ms + 60000,
                                             **kwargs)
    finally:
        made.close()


@pytest.mark.parametrize("time_zone", [None, "Z"])
def test_the_emulators_fresh_letter_is_in_the_window_and_the_old_one_is_not(emulator, time_zone):
    emulator.load(emulator_scenario([{"msg_id": "0100163E0EC1F1965C04C790670000D001", "tag": "created", "keys": "order-1042",
                                      "stored_ago": 60},
                                     {"msg_id": "0100163E0EC1F1965C04C790670000D002", "stored_ago": 259200}]))
    entry = emulator_dead_letters(emulator, "GID_orders", 3600, time_zone=time_zone)
    assert (entry["dead_letter_topic"], entry["count"], entry["complete"], entry["time_zone"]) == ("DLQ_orders", 1, True, time_zone)
    found = entry["messages"][0]
    assert (found["message_id"], found["message_tag"], found["message_keys"]) == (
        "0100163E0EC1F1965C04C790670000D001", "created", ["order-1042"])
    assert "body" not in found and len(entry["request_ids"]) == 2
    if time_zone is None:
        assert found["store_timestamp"] is None
    else:
        assert entry["begin_time"] <= found["store_timestamp"] + 999 and found["store_timestamp"] <= entry["end_time"]
    assert emulator_dead_letters(emulator, "GID_orders", 4 * 86400, time_zone=time_zone)["count"] == 2


def test_the_emulators_group_without_a_dead_letter_topic_and_unknown_group(emulator):
    emulator.load(emulator_scenario([]))
    entry = emulator_dead_letters(emulator, "GID_plain", 3600)
    assert (entry["dead_letter_topic"], entry["count"], entry["complete"]) == (None, None, True)
    assert emulator_dead_letters(emulator, "GID_orders", 3600)["count"] == 0
    with pytest.raises(OnsApiError) as caught:
        emulator_dead_letters(emulator, "GID_nobody", 3600)
    assert caught.value.code == "ConsumerGroup.NotFound"


def test_the_emulators_pages_are_followed_by_their_scroll_id(emulator):
    emulator.load(emulator_scenario([{"msg_id": "0100163E0EC1F1965C04C7906700%08X" % n, "stored_ago": 60 + n}
                                     for n in range(120)]))
    entry = emulator_dead_letters(emulator, "GID_orders", 3600, time_zone="UTC")
    assert (entry["count"], entry["complete"], len(entry["request_ids"])) == (120, True, 4)
    pages = [r["params"] for r in emulator.requests() if r["action"] == "ListMessages"]
    assert [(p["pageNumber"], "scrollId" in p) for p in pages] == [("1", False), ("2", True), ("3", True)]
    entry = emulator_dead_letters(emulator, "GID_orders", 3600, time_zone="UTC", enough=10)
    assert (entry["count"], entry["complete"]) == (50, False)
