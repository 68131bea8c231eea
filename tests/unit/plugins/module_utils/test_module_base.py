# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a controller-side plugin takes from module_base and the client without an AnsibleModule: option checks, the client, concurrent queries."""

import threading
import time

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.client import OnsApiError, OnsClient
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.credentials import CredentialError, Credentials
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.client import connect
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.module_base import (
    MAX_WORKERS,
    ONS_ARGUMENT_SPEC,
    check_connection_options,
    query_concurrently,
)
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.safe_text import REDACTED

KEY_ID = "LTAI5tUnitKey01"
SECRET = "UnitSecretNotForProduction01"
TOKEN = "CAIS+Unit/Sts=Token~01"
ENV_NAMES = ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
             "ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALICLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_PROFILE",
             "ALICLOUD_PROFILE", "ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION")


def options(**changes):
    """The options of ONS_ARGUMENT_SPEC with their defaults, as a module has them, plus ``changes``."""
    params = dict((name, spec.get("default")) for name, spec in ONS_ARGUMENT_SPEC.items())
    params.update(changes)
    return params


@pytest.fixture
def clean_environment(monkeypatch, tmp_path):
    # No credentials, region or aliyun CLI profile from the machine running the tests.
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))


# --- check_connection_options --------------------------------------------------------------------

def test_the_defaults_pass():
    assert check_connection_options(options()) is None


@pytest.mark.parametrize("changes, message", [
    (dict(timeout=0), "timeout is 0: use a number of seconds above 0 and at most 600"),
    (dict(retries=21), "retries is 21: use a whole number from 0 to 20"),
    (dict(rate_limit="nan"), "rate_limit is nan: use a number of requests per second from 0.1 to 1000"),
    (dict(region="CN-Hangzhou"), "region 'CN-Hangzhou' is not a region ID"),
    (dict(endpoint="http://127.0.0.1/path"), "endpoint"),
    (dict(ca_bundle="/nonexistent/ca.pem"), "ca_bundle"),
    (dict(ecs_role_name="../../latest/user-data"),
     "ecs_role_name '../../latest/user-data' is not a valid RAM role name: use 1 to 64 letters, digits, periods, hyphens and underscores"),
])
def test_a_bad_connection_option_raises_naming_it(changes, message):
    with pytest.raises(ValueError) as info:
        check_connection_options(options(**changes))
    assert str(info.value).startswith(message)


def test_a_ca_bundle_is_not_read_when_certificates_are_not_validated():
    assert check_connection_options(options(ca_bundle="/nonexistent/ca.pem", validate_certs=False)) is None


# --- connect -------------------------------------------------------------------------------------

def test_connect_builds_the_client_from_the_options_and_returns_its_secrets(clean_environment):
    client, secrets = connect(options(access_key_id=KEY_ID, access_key_secret=SECRET, security_token=TOKEN,
                                      endpoint="http://127.0.0.1:8080", signature_version="v1", timeout=3.0,
                                      retries=2, rate_limit=4.0))
    try:
        assert isinstance(client, OnsClient)
        assert (client.base_url, client.signature_version, client.timeout) == ("http://127.0.0.1:8080", "v1", 3.0)
        assert client.credentials.access_key_id == KEY_ID
        assert secrets == [SECRET, TOKEN]
    finally:
        client.close()


def test_connect_takes_the_endpoint_of_the_region_and_network(clean_environment):
    client, dummy = connect(options(access_key_id=KEY_ID, access_key_secret=SECRET, region="cn-shanghai", network="vpc"))
    client.close()
    assert client.base_url == "https://ons-vpc.cn-shanghai.aliyuncs.com"


def test_connect_without_credentials_raises_credential_error(clean_environment):
    with pytest.raises(CredentialError, match="provide credentials"):
        connect(options(region="cn-hangzhou"))


def test_connect_without_region_or_endpoint_raises_value_error(clean_environment):
    with pytest.raises(ValueError, match="no region: set the option region"):
        connect(options(access_key_id=KEY_ID, access_key_secret=SECRET))


def test_connect_asks_the_ecs_fetch_for_the_role_named(clean_environment):
    asked = []

    def ecs_fetch(role_name):
        asked.append(role_name)
        return Credentials("STS.RoleKey", "RoleSecret", "RoleToken", source="the ECS RAM role %s" % role_name)

    client, secrets = connect(options(ecs_role_name="mq-reader", endpoint="http://127.0.0.1:8080"), ecs_fetch=ecs_fetch)
    client.close()
    assert asked == ["mq-reader"]
    assert client.credentials.access_key_id == "STS.RoleKey" and secrets == ["RoleSecret", "RoleToken"]


def test_a_connection_error_never_quotes_a_secret_even_when_an_option_holds_it(clean_environment):
    # A secret pasted into the wrong option: the region's error quotes the option's value.
    with pytest.raises(ValueError) as info:
        connect(options(access_key_id=KEY_ID, access_key_secret="cn-Secret-Value", region="cn-Secret-Value"))
    assert "Secret" not in str(info.value) and REDACTED in str(info.value)


# --- query_concurrently --------------------------------------------------------------------------

def test_outcomes_come_in_the_order_of_the_items_whatever_order_the_calls_end_in():
    def func(item):
        time.sleep(0.01 * (5 - item))
        if item == 2:
            raise OnsApiError("InternalError", "no", request_id="r-2")
        return item * 10

    outcomes = query_concurrently(func, [0, 1, 2, 3, 4])
    assert [entry for entry, dummy in outcomes] == [0, 10, None, 30, 40]
    assert [error.code if error else None for dummy, error in outcomes] == [None, None, "InternalError", None, None]


def test_several_items_are_queried_at_the_same_time():
    # Each call waits for the others: only calls that run together get past the barrier.
    barrier = threading.Barrier(3, timeout=5)

    def func(item):
        barrier.wait()
        return item

    outcomes = query_concurrently(func, ["a", "b", "c"])
    assert outcomes == [("a", None), ("b", None), ("c", None)]


def test_at_most_max_workers_calls_run_at_once():
    running, peak, lock = [0], [0], threading.Lock()

    def func(item):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.02)
        with lock:
            running[0] -= 1
        return item

    assert [entry for entry, dummy in query_concurrently(func, list(range(6)), max_workers=2)] == list(range(6))
    assert peak[0] <= 2
    assert MAX_WORKERS == 8


def test_one_item_is_queried_in_the_calling_thread():
    caller = threading.current_thread()
    assert query_concurrently(lambda item: threading.current_thread() is caller, ["x"]) == [(True, None)]
    assert query_concurrently(lambda item: item, []) == []


def test_an_error_that_is_no_ons_error_is_not_taken_for_a_failed_query():
    with pytest.raises(ZeroDivisionError):
        query_concurrently(lambda item: 1 / item, [1, 0])
