# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rmq_* modules through their real code path against the emulator's RocketMQ 5.x API, and the generation check of every module."""

import json

import pytest

KEY_ID = "LTAI5tUnitRmqKey01"
SECRET = "UnitRmqSecretNotForProduction01"
LIMITED_ID = "LTAI5tUnitRmqLimited02"
LIMITED_SECRET = "UnitRmqLimitedSecret02"
INSTANCE = "rmq-cn-unit0000003"
OTHER_INSTANCE = "rmq-cn-unit0000004"
LEGACY = "MQ_INST_1234567890_UNIT"
MSG = "0100163E0EC1F1965C04C7906700000A1B2"
DEAD = "0100163E0EC1F1965C04C7906700000A1B3"


def client(number, topic="orders", expression="*", **extra):
    entry = {"client_addr": "10.0.9.%d:5500%d" % (number, number), "hostname": "orders-%d" % number, "version": "5.0.7",
             "subscriptions": [{"topic": topic, "expression": expression}]}
    entry.update(extra)
    return entry


INSTANCE_5X = {
    "instance_id": INSTANCE, "instance_name": "unit-5x", "series_code": "professional", "tags": {"env": "prod"},
    "topics": [{"topic": "orders", "max_offset": 1000, "produce_tps": 10}, {"topic": "payments", "max_offset": 50}],
    "groups": [
        {"group_id": "GID_orders", "offsets": {"orders": 1000}, "clients": [client(1), client(2)],
         "dead_letter_topic": "DLQ_orders", "max_retry_times": 5},
        {"group_id": "GID_lagging", "offsets": {"orders": 880, "payments": 50}, "inflight": {"orders": 20},
         "clients": [client(3), client(4, topic="payments")]},
        {"group_id": "GID_mismatch", "offsets": {"orders": 1000},
         "clients": [client(5, expression="paid"), client(6, expression="refunded")]},
        {"group_id": "GID_idle"},
    ],
    "messages": [{"msg_id": MSG, "topic": "orders", "tag": "created", "offset": 998},
                 {"msg_id": DEAD, "topic": "orders", "tag": "created", "offset": 999, "dead_letters": ["GID_orders"]}],
}
SCENARIO = {
    "description": "Two 5.x instances and a 4.x one, for the rmq_* modules.",
    "keys": [{"access_key_id": KEY_ID, "access_key_secret": SECRET},
             {"access_key_id": LIMITED_ID, "access_key_secret": LIMITED_SECRET,
              "actions": ["rocketmq:ListConsumerConnections"]}],
    "limits": {"rate": 0},
    "instances": [
        INSTANCE_5X,
        {"instance_id": OTHER_INSTANCE, "instance_name": "unit-5x-test", "series_code": "standard", "tags": {"env": "test"},
         "topics": [{"topic": "orders"}], "groups": []},
        {"instance_id": LEGACY, "topics": [{"topic": "orders"}],
         "groups": [{"group_id": "GID_orders", "clients": [{"subscriptions": [{"topic": "orders"}]}]}]},
    ],
}


def args(emulator, **changes):
    options = dict(access_key_id=KEY_ID, access_key_secret=SECRET, endpoint=emulator.url, retries=0)
    options.update(changes)
    return options


@pytest.fixture
def loaded(emulator):
    emulator.load(SCENARIO)
    return emulator


def actions(emulator):
    return [(entry.get("product"), entry["action"]) for entry in emulator.requests()]


# --- rmq_consumer_connection_info ----------------------------------------------------------------

def test_the_clients_of_one_group_also_at_the_top_level(loaded, run_module):
    result = run_module("rmq_consumer_connection_info", args(loaded, instance_id=INSTANCE, group_id="GID_orders")).result
    assert result["changed"] is False and result["online"] is True and result["error"] is None
    assert [c["hostname"] for c in result["connections"]] == ["orders-1", "orders-2"]
    assert result["connections"][0] == {"client_id": result["connections"][0]["client_id"], "hostname": "orders-1",
                                        "egress_ip": "10.0.9.1", "language": "java", "version": "5.0.7",
                                        "message_model": "CLUSTERING"}
    assert result["groups"][0]["request_id"] == result["request_id"]
    assert actions(loaded) == [("RocketMQ", "ListConsumerConnections")]


def test_check_mode_reads_the_same(loaded, run_module):
    normal = run_module("rmq_consumer_connection_info", args(loaded, instance_id=INSTANCE, group_id="GID_orders")).result
    checked = run_module("rmq_consumer_connection_info", args(loaded, instance_id=INSTANCE, group_id="GID_orders",
                                                              _ansible_check_mode=True)).result
    assert checked["connections"] == normal["connections"] and checked["changed"] is False


def test_a_batch_keeps_its_order_and_an_idle_group_is_offline(loaded, run_module):
    result = run_module("rmq_consumer_connection_info", args(loaded, instance_id=INSTANCE,
                                                             group_ids=["GID_idle", "GID_orders", "GID_idle"])).result
    assert [(g["group_id"], g["online"], len(g["connections"])) for g in result["groups"]] == [
        ("GID_idle", False, 0), ("GID_orders", True, 2)]
    assert "online" not in result


def test_an_unknown_group_fails_the_batch_unless_told_to_keep_going(loaded, run_module):
    failed = run_module("rmq_consumer_connection_info", args(loaded, instance_id=INSTANCE,
                                                             group_ids=["GID_orders", "GID_nobody"])).result
    assert failed["failed"] is True
    assert failed["msg"].startswith("Failed to get the connections of group GID_nobody: ConsumerGroup.NotFound: ")
    assert failed["error"]["code"] == "ConsumerGroup.NotFound" and failed["error"]["http_status"] == 404
    kept = run_module("rmq_consumer_connection_info", args(loaded, instance_id=INSTANCE, fail_on_error=False,
                                                           group_ids=["GID_nobody", "GID_orders"])).result
    nobody, orders = kept["groups"]
    assert nobody["error"]["code"] == "ConsumerGroup.NotFound" and nobody["online"] is False and nobody["connections"] == []
    assert nobody["error"]["message"].startswith("Failed to get the connections of group GID_nobody: ")
    assert orders["error"] is None and orders["online"] is True


def test_a_permission_failure_names_the_action_and_never_the_secret(loaded, run_module):
    run = run_module("rmq_consumer_lag_info", args(loaded, instance_id=INSTANCE, group_id="GID_orders",
                                                   access_key_id=LIMITED_ID, access_key_secret=LIMITED_SECRET))
    assert run.result["failed"] is True and run.result["error"]["code"] == "Forbidden.RAM"
    assert "rocketmq:GetConsumerGroupLag" in run.result["msg"] and LIMITED_SECRET not in run.output


# --- rmq_consumer_lag_info -------------------------------------------------------------------------

def test_the_lag_in_total_and_per_topic(loaded, run_module):
    result = run_module("rmq_consumer_lag_info", args(loaded, instance_id=INSTANCE, group_id="GID_lagging")).result
    total = result["total_lag"]
    assert total["ready_count"] + total["inflight_count"] == 120 and total["inflight_count"] == 20
    assert total["delivery_duration"] == 12 and total["last_consume_timestamp"] > 1767225600000
    assert [(t["topic"], t["ready_count"] + t["inflight_count"]) for t in result["topics"]] == [("orders", 120), ("payments", 0)]
    one = run_module("rmq_consumer_lag_info", args(loaded, instance_id=INSTANCE, group_id="GID_lagging", topic="payments")).result
    assert [t["topic"] for t in one["topics"]] == ["payments"]
    assert loaded.requests()[-1]["params"]["topicName"] == "payments"


def test_a_bad_topic_name_fails_naming_the_option_before_any_request(loaded, run_module):
    result = run_module("rmq_consumer_lag_info", args(loaded, instance_id=INSTANCE, group_id="GID_orders", topic="a b")).result
    assert result["msg"].startswith("topic 'a b' is not a valid topic ID: use 1 to 128 letters")
    assert loaded.requests() == []


# --- rmq_consumer_subscription_info --------------------------------------------------------------

def test_the_servers_consistency_and_with_detail_each_clients_expression(loaded, run_module):
    plain = run_module("rmq_consumer_subscription_info", args(loaded, instance_id=INSTANCE, group_id="GID_mismatch")).result
    [orders] = plain["subscriptions"]
    assert orders["topic"] == "orders" and orders["consistency"] is False and orders["clients"] == []
    assert orders["subscription_status"] == "ONLINE" and orders["topic_created"] is True
    detail = run_module("rmq_consumer_subscription_info", args(loaded, instance_id=INSTANCE, group_id="GID_mismatch",
                                                               detail=True)).result
    clients = detail["subscriptions"][0]["clients"]
    assert sorted((c["hostname"], c["filter_expression"]) for c in clients) == [("orders-5", "paid"), ("orders-6", "refunded")]
    assert [a for p, a in actions(loaded)][-2:] == ["ListConsumerGroupSubscriptions", "GetConsumerGroupSubscription"]


# --- rmq_consumer_group_info ---------------------------------------------------------------------

def test_the_groups_of_an_instance_are_listed(loaded, run_module):
    result = run_module("rmq_consumer_group_info", args(loaded, instance_id=INSTANCE)).result
    assert result["group_ids"] == ["GID_orders", "GID_lagging", "GID_mismatch", "GID_idle"]
    assert result["total_count"] == 4 and all(group["error"] is None for group in result["groups"])
    assert loaded.requests()[0]["params"]["pageNumber"] == "1"
    narrowed = run_module("rmq_consumer_group_info", args(loaded, instance_id=INSTANCE, filter="lag")).result
    assert narrowed["group_ids"] == ["GID_lagging"]


def test_one_group_with_its_retry_policy_and_dead_letter_topic(loaded, run_module):
    result = run_module("rmq_consumer_group_info", args(loaded, instance_id=INSTANCE, group_id="GID_orders")).result
    assert result["dead_letter_topic"] == "DLQ_orders" and result["consume_retry_policy"]["max_retry_times"] == 5
    assert result["delivery_order_type"] == "Concurrently" and result["groups"][0]["group_id"] == "GID_orders"
    refused = run_module("rmq_consumer_group_info", args(loaded, instance_id=INSTANCE, group_id="GID_orders", filter="x")).result
    assert refused["msg"] == "filter applies only to the list of groups: leave out group_id and group_ids to use it"


# --- rmq_instance_info ---------------------------------------------------------------------------

def test_the_5x_instances_of_the_region_by_series_and_tags(loaded, run_module):
    every = run_module("rmq_instance_info", args(loaded)).result
    assert every["instance_ids"] == [INSTANCE, OTHER_INSTANCE]
    prod = run_module("rmq_instance_info", args(loaded, series_codes=["professional", "ultimate"], tags={"env": "prod"})).result
    assert prod["instance_ids"] == [INSTANCE] and prod["instances"][0]["tags"] == {"env": "prod"}
    assert loaded.requests()[-1]["params"]["seriesCodes"] == "professional,ultimate"
    none = run_module("rmq_instance_info", args(loaded, tags={"env": "prod", "team": "none"})).result
    assert none["instances"] == []


def test_one_instance_with_its_endpoints_and_a_missing_one_kept_as_an_error(loaded, run_module):
    one = run_module("rmq_instance_info", args(loaded, instance_id=INSTANCE)).result
    assert one["status"] == "RUNNING" and one["software_version"] and one["trace_on"] is True
    assert {e["endpoint_type"] for e in one["endpoints"]} >= {"TCP_VPC"}
    many = run_module("rmq_instance_info", args(loaded, instance_ids=["rmq-cn-missing", INSTANCE], fail_on_error=False)).result
    missing, found = many["instances"]
    assert missing["error"]["code"] == "Instance.NotFound" and missing["instance_name"] is None
    assert found["error"] is None and found["instance_id"] == INSTANCE


def test_a_list_option_with_an_instance_is_refused(loaded, run_module):
    result = run_module("rmq_instance_info", args(loaded, instance_id=INSTANCE, tags={"env": "prod"})).result
    assert result["msg"].startswith("tags applies only to the list of instances")


# --- rmq_trace_info ------------------------------------------------------------------------------

def test_a_consumed_message_an_unknown_one_and_a_dead_letter(loaded, run_module):
    result = run_module("rmq_trace_info", args(loaded, instance_id=INSTANCE, topic="orders",
                                               msg_ids=[MSG, "0100163E0EC1F1965C04C79067000000000", DEAD])).result
    consumed, unknown, dead = result["messages"]
    statuses = dict((c["group_id"], c["consume_status"]) for c in consumed["consumers"])
    assert consumed["found"] is True and statuses["GID_orders"] == "SUCCESS"
    assert unknown["found"] is False and unknown["consumers"] == [] and unknown["error"] is None
    [dead_orders] = [c for c in dead["consumers"] if c["group_id"] == "GID_orders"]
    assert dead_orders["dead_message"] is True and dead_orders["dead_letter"]["topic"] == "DLQ_orders"


def test_an_unknown_topic_fails(loaded, run_module):
    result = run_module("rmq_trace_info", args(loaded, instance_id=INSTANCE, topic="nosuch", msg_id=MSG)).result
    assert result["failed"] is True and result["error"]["code"] == "Topic.NotFound"
    assert result["msg"].startswith("Failed to trace message %s of topic nosuch: Topic.NotFound" % MSG)


# --- one generation per API ----------------------------------------------------------------------

@pytest.mark.parametrize("module, options, says", [
    ("ons_consumer_connection_info", dict(instance_id=INSTANCE, group_id="GID_orders"),
     "use apsaramq.rocketmq.rmq_consumer_connection_info instead"),
    ("ons_consumer_status_info", dict(instance_id=INSTANCE, group_id="GID_orders"),
     "use apsaramq.rocketmq.rmq_consumer_lag_info instead"),
    ("ons_trace_info", dict(instance_id=INSTANCE, topic="orders", msg_id=MSG), "use apsaramq.rocketmq.rmq_trace_info instead"),
    ("ons_instance_info", dict(instance_ids=[LEGACY, INSTANCE]), "instance_ids %r" % INSTANCE),
    ("rmq_consumer_lag_info", dict(instance_id=LEGACY, group_id="GID_orders"),
     "use apsaramq.rocketmq.ons_consumer_accumulate_info instead"),
    ("rmq_trace_info", dict(instance_id=LEGACY, topic="orders", msg_id=MSG), "use apsaramq.rocketmq.ons_trace_info instead"),
    ("rmq_instance_info", dict(instance_id=LEGACY), "use apsaramq.rocketmq.ons_instance_info instead"),
])
def test_an_instance_of_the_other_generation_fails_before_any_request(loaded, run_module, module, options, says):
    result = run_module(module, args(loaded, **options)).result
    assert result["failed"] is True and says in result["msg"], result["msg"]
    assert loaded.requests() == []


def test_the_ons_modules_still_read_their_own_instances(loaded, run_module):
    result = run_module("ons_consumer_connection_info", args(loaded, instance_id=LEGACY, group_id="GID_orders")).result
    assert result["online"] is True and actions(loaded) == [("Ons", "OnsConsumerGetConnection")]


def test_the_module_name_the_task_gives_is_used_too(loaded, run_module):
    result = run_module("rmq_consumer_connection_info", args(loaded, instance_id=LEGACY, group_id="GID_orders",
                                                             _ansible_module_name="apsaramq.rocketmq.rmq_consumer_connection_info")).result
    assert "use apsaramq.rocketmq.ons_consumer_connection_info instead" in result["msg"]


def test_the_rmq_modules_take_no_signature_version(loaded, run_module):
    result = run_module("rmq_consumer_connection_info", args(loaded, instance_id=INSTANCE, group_id="GID_orders",
                                                             signature_version="v1")).result
    assert result["failed"] is True and "signature_version" in result["msg"]
    assert json.dumps(result).find(SECRET) == -1
