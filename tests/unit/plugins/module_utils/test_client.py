# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The client against the emulator over loopback: signing, errors, retries, faults and timeouts."""

import time

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.client import (
    OnsApiError,
    OnsClient,
    OnsResponseError,
    OnsTransportError,
)
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.apis import ONS
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.credentials import Credentials
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.retry import OperationLimiters

KEY_ID = "LTAI5tUnitKey01"
SECRET = "UnitSecretNotForProduction01"
STS_ID = "STS.UnitKey02"
STS_SECRET = "UnitStsSecret02"
STS_TOKEN = "UnitStsToken02"
INSTANCE = "MQ_INST_1234567890_UNIT"
GROUP = {"GroupId": "GID_orders", "InstanceId": INSTANCE}


def scenario(faults=None, rate=100):
    return {
        "description": "One healthy group, for client tests.",
        "keys": [
            {"access_key_id": KEY_ID, "access_key_secret": SECRET},
            {"access_key_id": STS_ID, "access_key_secret": STS_SECRET, "security_token": STS_TOKEN},
        ],
        "limits": {"rate": rate},
        "faults": faults or [],
        "instances": [{
            "instance_id": INSTANCE,
            "topics": [{"topic": "orders", "max_offset": 10}],
            "groups": [{"group_id": "GID_orders", "clients": [
                {"client_id": "10.0.0.1@1#1#1#1", "client_addr": "10.0.0.1:1000",
                 "subscriptions": [{"topic": "orders"}]}]}],
        }],
    }


def fault(kind, times=None, **extra):
    entry = {"kind": kind, "action": ["OnsConsumerGetConnection"]}
    if times is not None:
        entry["times"] = times
    entry.update(extra)
    return entry


def client(emulator, secret=SECRET, key_id=KEY_ID, token=None, **kwargs):
    kwargs.setdefault("retries", 3)
    kwargs.setdefault("rate_limit", 100)
    kwargs.setdefault("timeout", 5)
    made = OnsClient(Credentials(key_id, secret, token), emulator.url, **kwargs)
    # Keep the tests quick: the backoff shape is covered in test_retry.
    made.policy.base = 0.01
    return made


def connections(answer):
    return answer["Data"]["ConnectionList"]["ConnectionDo"]


@pytest.mark.parametrize("version", ["v3", "v1"])
def test_a_signed_call_is_accepted_in_both_signature_versions(emulator, version):
    emulator.load(scenario())
    answer = client(emulator, signature_version=version).call("OnsConsumerGetConnection", GROUP)
    assert connections(answer)[0]["ClientId"] == "10.0.0.1@1#1#1#1"
    assert [entry["signature"] for entry in emulator.requests()] == [version]


@pytest.mark.parametrize("version", ["v3", "v1"])
def test_sts_credentials_send_their_token(emulator, version):
    emulator.load(scenario())
    answer = client(emulator, key_id=STS_ID, secret=STS_SECRET, token=STS_TOKEN,
                    signature_version=version).call("OnsConsumerGetConnection", GROUP)
    assert answer["RequestId"]


def test_parameters_that_need_encoding_are_signed_correctly(emulator):
    emulator.load(scenario())
    with pytest.raises(OnsApiError) as caught:
        client(emulator).call("OnsConsumerGetConnection", {"GroupId": "GID with spaces*and~/é", "InstanceId": INSTANCE})
    # The signature held; the group simply does not exist.
    assert caught.value.code == "BIZ_SUBSCRIPTION_NOT_FOUND"


def test_a_wrong_secret_is_not_retried_and_never_echoed(emulator):
    emulator.load(scenario())
    with pytest.raises(OnsApiError) as caught:
        client(emulator, secret="WrongSecretValue123").call("OnsConsumerGetConnection", GROUP)
    assert caught.value.code == "SignatureDoesNotMatch" and not caught.value.retryable
    assert "WrongSecretValue123" not in str(caught.value) and caught.value.request_id
    assert len(emulator.requests()) == 1


def test_an_unknown_key_is_not_retried(emulator):
    emulator.load(scenario())
    with pytest.raises(OnsApiError) as caught:
        client(emulator, key_id="LTAI5tNobody").call("OnsConsumerGetConnection", GROUP)
    assert caught.value.code == "InvalidAccessKeyId.NotFound"
    assert len(emulator.requests()) == 1


@pytest.mark.parametrize("kind, code", [
    ("throttle", "Throttling.User"),
    ("flow_control", "ONS_SYSTEM_FLOW_CONTROL"),
    ("internal_error", "InternalError"),
    ("service_unavailable", "ServiceUnavailable"),
    ("html_502", "HTTP502"),
    ("non_json", "InvalidResponse"),
    ("truncate", None),
    ("drop", None),
])
def test_transient_faults_are_retried_until_the_answer_comes(emulator, kind, code):
    emulator.load(scenario([fault(kind, times=2)]))
    answer = client(emulator).call("OnsConsumerGetConnection", GROUP)
    assert connections(answer)
    # A dropped or truncated answer is logged as the emulator closes the socket, possibly after the
    # client moved on: wait for the log before counting.
    emulator.settle(3)
    assert len(emulator.requests()) == 3


@pytest.mark.parametrize("kind, error, code", [
    ("service_unavailable", OnsApiError, "ServiceUnavailable"),
    ("html_502", OnsApiError, "HTTP502"),
    ("non_json", OnsResponseError, "InvalidResponse"),
    ("drop", OnsTransportError, "TransportError"),
])
def test_a_fault_that_outlasts_the_retries_fails_closed(emulator, kind, error, code):
    emulator.load(scenario([fault(kind)]))
    with pytest.raises(error) as caught:
        client(emulator, retries=2).call("OnsConsumerGetConnection", GROUP)
    assert caught.value.code == code
    # A dropped or truncated answer is logged as the emulator closes the socket, possibly after the
    # client moved on: wait for the log before counting.
    emulator.settle(3)
    assert len(emulator.requests()) == 3


def test_an_html_error_page_is_reported_with_a_snippet(emulator):
    emulator.load(scenario([fault("html_502")]))
    with pytest.raises(OnsApiError) as caught:
        client(emulator, retries=0).call("OnsConsumerGetConnection", GROUP)
    assert caught.value.http_status == 502
    assert "not the API's JSON" in caught.value.message


def test_a_slow_answer_times_out(emulator):
    emulator.load(scenario([fault("latency", latency=2.0)]))
    started = time.monotonic()
    with pytest.raises(OnsTransportError, match="within the timeout"):
        client(emulator, retries=0, timeout=0.5).call("OnsConsumerGetConnection", GROUP)
    assert time.monotonic() - started < 1.9
    emulator.settle(1)


def test_a_trickled_body_is_cut_off_at_the_timeout(emulator):
    emulator.load(scenario([fault("slow_body", chunk_size=8, chunk_delay=0.2)]))
    started = time.monotonic()
    with pytest.raises(OnsTransportError, match="within the timeout"):
        client(emulator, retries=0, timeout=0.6).call("OnsConsumerGetConnection", GROUP)
    assert time.monotonic() - started < 3
    emulator.settle(1)


def test_the_rate_limit_spaces_calls_of_an_operation_and_not_across_operations(emulator):
    emulator.load(scenario())
    limited = client(emulator, rate_limit=20)
    assert limited.limiter.rate_of("OnsConsumerGetConnection") == 10
    # The client's own limiters, on a clock that moves only when a call waits for its turn.
    waits = []
    limited.limiter = OperationLimiters(20, ONS.limit, clock=lambda: 100.0 + sum(waits), sleep=waits.append)
    for dummy in range(6):
        limited.call("OnsConsumerGetConnection", GROUP)
    # rate_limit 20 is above the operation's limit of 10 per second: the API's limit holds.
    assert round(sum(waits), 6) == round(5 * 0.1, 6)
    # Another operation does not wait for the first one's turns.
    before = len(waits)
    limited.call("OnsConsumerStatus", GROUP)
    assert len(waits) == before
    assert len(emulator.requests()) == 7


def test_the_default_rate_limit_stays_under_the_api_limit(emulator):
    emulator.load(scenario(rate=10))
    limited = client(emulator, rate_limit=10, retries=0)
    for dummy in range(15):
        limited.call("OnsConsumerGetConnection", GROUP)
    assert [(entry["code"], entry["fault"]) for entry in emulator.requests() if entry["code"]] == []


def test_one_session_keeps_the_connection_alive(emulator):
    emulator.load(scenario())
    kept = client(emulator)
    for dummy in range(3):
        kept.call("OnsConsumerGetConnection", GROUP)
    pool = kept.session.get_adapter(emulator.url).poolmanager
    assert sum(p.num_connections for p in pool.pools._container.values()) == 1
