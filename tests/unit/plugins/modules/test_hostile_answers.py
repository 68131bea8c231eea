# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Modules against a server that answers badly: an answer the gate cannot read is an error, and what comes out is safe text."""

import re

from ansible_collections.apsaramq.rocketmq.tests.unit.plugins.module_utils.hostile_server import HostileServer

ARGS = {"access_key_id": "LTAI5tUnitKey01", "access_key_secret": "UnitSecretNotForProduction01",
        "instance_id": "MQ_INST_1234567890_UNIT", "group_id": "GID_orders", "retries": 1, "timeout": 5}
# What a terminal would act on: C0 controls but tab and newline, DEL, C1 controls.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def test_a_negative_lag_fails_the_module_naming_the_field(run_module):
    with HostileServer(["negative_total_diff"]) as server:
        run = run_module("ons_consumer_status_info", dict(ARGS, endpoint=server.url))
    assert run.result["failed"] is True
    assert "TotalDiff is -5" in run.result["msg"] and run.result["error"]["code"] == "InvalidResponse"
    assert "total_diff" not in run.result


def test_an_error_code_in_a_200_answer_fails_the_module_with_that_code(run_module):
    with HostileServer(["code_in_200"]) as server:
        run = run_module("ons_consumer_connection_info", dict(ARGS, endpoint=server.url))
    assert run.result["failed"] is True
    assert run.result["error"]["code"] == "BIZ_SUBSCRIPTION_NOT_FOUND"
    assert "has no Data" not in run.result["msg"]


def test_control_characters_and_lone_surrogates_leave_the_module_as_safe_text(run_module):
    with HostileServer(["control_chars"]) as server:
        controls = run_module("ons_consumer_connection_info", dict(ARGS, endpoint=server.url))
    with HostileServer(["surrogate"]) as server:
        surrogate = run_module("ons_consumer_connection_info", dict(ARGS, endpoint=server.url))
    assert controls.result["connections"][0]["client_id"] == "esc\\x1b[31m bel\\x07 nul\\x00 csi\\x9b tab\t nl\n end"
    assert surrogate.result["connections"][0]["client_id"] == "a\ufffdb"
    for run in (controls, surrogate):
        # What the controller reads: UTF-8 without a lone surrogate, nothing a terminal acts on.
        run.output.encode("utf-8")
        assert not CONTROL.search(run.output)
        for escaped in ("\\u001b", "\\u0007", "\\u0000", "\\u009b", "\\ud800"):
            assert escaped not in run.output
