# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile option values, through each module's real code path: a clear error naming the option, at once, never a traceback or a hang."""

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.safe_text import secret_forms

INSTANCE = "MQ_INST_1234567890_UNIT"
GROUPS = {"instance_id": INSTANCE, "group_id": "GID_orders"}
MESSAGES = {"instance_id": INSTANCE, "topic": "orders", "msg_id": "0A0001050000"}
MODULES = {
    "ons_consumer_accumulate_info": GROUPS,
    "ons_consumer_connection_info": GROUPS,
    "ons_consumer_status_info": GROUPS,
    "ons_group_subscription_info": GROUPS,
    "ons_group_info": {"instance_id": INSTANCE},
    "ons_instance_info": {},
    "ons_message_info": MESSAGES,
    "ons_trace_info": MESSAGES,
}
KEY_ID = "LTAI5tUnitKey01"
SECRET = "UnitSecretNotForProduction01"
# Nothing listens here: a value that slipped through the checks fails with an error that names no option.
DEAD = "http://127.0.0.1:9"
# What each option's error says is accepted.
ACCEPTED = {
    "timeout": "use a number of seconds above 0 and at most 600",
    "rate_limit": "use a number of requests per second from 0.1 to 1000",
    "retries": "use a whole number from 0 to 20",
    "region": "use a region ID such as cn-hangzhou",
    "endpoint": "give a host name (ons.cn-hangzhou.aliyuncs.com), host:port",
    "ca_bundle": "give the path of a readable PEM file of CA certificates",
    "ecs_role_name": "is not a valid RAM role name: use 1 to 64 letters, digits, periods, hyphens and underscores",
}
CONNECTION_CASES = [
    ("timeout", "inf"), ("timeout", "-inf"), ("timeout", "nan"), ("timeout", "1e308"), ("timeout", 2 ** 64),
    ("timeout", 0), ("timeout", -1), ("timeout", 600.5), ("timeout", "1e-400"),
    ("rate_limit", "1e-300"), ("rate_limit", "1e-6"), ("rate_limit", 0), ("rate_limit", -1), ("rate_limit", "inf"),
    ("rate_limit", "nan"), ("rate_limit", 1000.5), ("rate_limit", 2 ** 64),
    ("retries", -1), ("retries", 21), ("retries", 2 ** 64),
    ("region", "a" * 256), ("region", "cn-" + "a" * 61), ("region", "cn-hangzhou\n"), ("region", "CN-Hangzhou"),
    ("region", "cn-hangzhou.evil.com"), ("region", "cn-\u676d\u5dde"), ("region", "cn-hangzhou\r\nX-Injected: 1"),
    ("region", "cn hangzhou"), ("region", "cn-hangzhou/../x"),
    ("endpoint", "a" * 256), ("endpoint", "http://" + "a" * 256), ("endpoint", ".".join(["a" * 63] * 4) + ".com"),
    ("endpoint", "ons.\u4f8b\u3048.jp"), ("endpoint", "ons.\u00e9xample.com"), ("endpoint", "ons.example.com\r\nX-Injected: 1"),
    ("endpoint", "http://127.0.0.1:8080\n"), ("endpoint", "http://127.0.0.1:0"), ("endpoint", "http://127.0.0.1:65536"),
    ("endpoint", "http://127.0.0.1:" + "9" * 30), ("endpoint", "http://127.0.0.1:80:80"), ("endpoint", "http://[::1"),
    ("endpoint", "https://[zz::1]:443"), ("endpoint", "https://[::1%eth0]"), ("endpoint", "http://user@127.0.0.1"),
    ("endpoint", "http://127.0.0.1/path"), ("endpoint", "http://127.0.0.1/?x=1"), ("endpoint", "http://127.0.0.1#frag"),
    ("endpoint", "ftp://127.0.0.1"), ("endpoint", "javascript:alert(1)"), ("endpoint", "-ons.example.com"),
    ("endpoint", "ons..example.com"), ("endpoint", "1.2.3.999"), ("endpoint", " "), ("endpoint", "\x1b[31m"),
    ("endpoint", "ons.example.com\t"), ("endpoint", "ons_example.com"),
    ("ecs_role_name", "role\nX-Injected: 1"), ("ecs_role_name", "../../latest/user-data"), ("ecs_role_name", "r" * 65),
]
CA_BUNDLES = {
    "missing": None,
    "directory": None,
    "empty": b"",
    "text": b"not a certificate\n",
    "fake_pem": b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
}


def module_args(name, **changes):
    args = dict(MODULES[name], access_key_id=KEY_ID, access_key_secret=SECRET, endpoint=DEAD, retries=0)
    args.update(changes)
    return args


def assert_refused(run, option, accepted):
    result = run.result
    assert result.get("failed") is True, result
    assert result["msg"].startswith(option) or " %s " % option in result["msg"], result["msg"]
    assert accepted in result["msg"], result["msg"]
    assert "Traceback" not in run.output and "exception" not in result
    # The checks come before anything is sent: well within any timeout.
    assert run.seconds < 2.0


@pytest.mark.parametrize("module", sorted(MODULES))
@pytest.mark.parametrize("option, value", CONNECTION_CASES)
def test_a_hostile_connection_option_is_refused_naming_it(run_module, module, option, value):
    assert_refused(run_module(module, module_args(module, **{option: value})), option, ACCEPTED[option])


def test_a_nul_in_any_option_ends_cleanly_before_the_module_starts(run_module):
    # ansible-core refuses it while logging the invocation, before this collection's code runs.
    run = run_module("ons_instance_info", module_args("ons_instance_info", endpoint="ons.example.com\x00"))
    assert run.result["failed"] is True and "embedded null character" in run.result["msg"]
    assert "Traceback" not in run.output and run.seconds < 2.0


@pytest.mark.parametrize("module", sorted(MODULES))
@pytest.mark.parametrize("kind", sorted(CA_BUNDLES))
def test_a_ca_bundle_that_is_no_pem_certificate_file_is_refused_naming_it(run_module, tmp_path, module, kind):
    path = tmp_path / "ca.pem"
    if kind == "directory":
        path.mkdir()
    elif CA_BUNDLES[kind] is not None:
        path.write_bytes(CA_BUNDLES[kind])
    run = run_module(module, module_args(module, ca_bundle=str(path)))
    assert_refused(run, "ca_bundle", ACCEPTED["ca_bundle"])


def test_a_real_ca_bundle_is_accepted(run_module):
    certifi = pytest.importorskip("certifi")
    run = run_module("ons_instance_info", module_args("ons_instance_info", ca_bundle=certifi.where(), timeout=1))
    # Past the checks: the call itself fails, at the dead endpoint.
    assert run.result["failed"] and "TransportError" in run.result["msg"]


# Options naming API resources, by module; "$" in a pattern would let a trailing newline through.
NAME_OPTIONS = dict(
    [(name, ["group_id", "group_ids", "instance_id"]) for name in MODULES if MODULES[name] is GROUPS]
    + [(name, ["instance_id", "topic", "msg_id", "msg_ids"]) for name in MODULES if MODULES[name] is MESSAGES]
    + [("ons_group_info", ["instance_id"]), ("ons_instance_info", ["instance_id", "instance_ids"])])
NAME_VALUES = {
    "group_id": (["GID_orders\n", "GID_orders\r", "GID_\u00f6rders", "G" * 129], "group"),
    "group_ids": ([["GID_a", "GID_b\n"]], "group"),
    "instance_id": ([INSTANCE + "\n", ""], "instance"),
    "instance_ids": ([[INSTANCE, INSTANCE + "\n"]], "instance"),
    "topic": (["orders\n", "orders\x1b"], "topic"),
    "msg_id": (["0A0001050000\n"], "message"),
    "msg_ids": ([["0A01", "0A02\n"]], "message"),
}
# One of two mutually exclusive options replaces the other.
SINGULAR = {"group_ids": "group_id", "msg_ids": "msg_id", "instance_ids": "instance_id"}
NAME_CASES = [(module, option, value, NAME_VALUES[option][1])
              for module in sorted(NAME_OPTIONS) for option in NAME_OPTIONS[module] for value in NAME_VALUES[option][0]]


@pytest.mark.parametrize("module, option, value, kind", NAME_CASES)
def test_a_name_with_a_trailing_newline_or_foreign_character_is_refused(run_module, module, option, value, kind):
    args = module_args(module)
    args.pop(SINGULAR.get(option, option), None)
    args[option] = value
    assert_refused(run_module(module, args), option, "is not a valid %s ID: use" % kind)


CREDENTIAL_CASES = [
    ("access_key_id", "LTAI5tUnitKey01\n", "control character"),
    ("access_key_id", "LTAI5t\r\nInjected: 1", "control character"),
    ("access_key_id", "LTAI5t\u00e9Key", "non-ASCII"),
    ("access_key_id", "LTAI5t Key", "spaces"),
    ("access_key_secret", "UnitSecretValue\n", "control character"),
    ("access_key_secret", "UnitSecret\x1bValue", "control character"),
    ("security_token", "UnitTokenValue\r\n", "control character"),
    ("security_token", "UnitToken\x00Value", "control character"),
]


@pytest.mark.parametrize("module", sorted(MODULES))
@pytest.mark.parametrize("option, value, problem", CREDENTIAL_CASES)
def test_a_credential_that_cannot_be_sent_is_refused_naming_the_option_not_the_value(run_module, module, option, value, problem):
    run = run_module(module, module_args(module, **{option: value}))
    assert_refused(run, option, problem)
    assert "(module options)" in run.result["msg"]
    if option != "access_key_id":
        for form in secret_forms([value]):
            assert form not in run.output


def test_a_credential_from_the_environment_is_refused_naming_the_variable(run_module, monkeypatch):
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "EnvSecretValue\n")
    args = module_args("ons_instance_info")
    del args["access_key_id"], args["access_key_secret"]
    run = run_module("ons_instance_info", args)
    assert_refused(run, "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "holds a newline or other control character")
    assert "EnvSecretValue" not in run.output
