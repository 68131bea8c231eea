# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The RocketMQ 5.x client over loopback: the signed path as sent, both envelopes, not-found, throttling, pages, deadlines.

RmqServer, a loopback HTTP server that answers like the API from a script per resource path and
checks each request's signature against the path and query as they arrived, serves the tests of
rmq_queries and of the rmq_* modules too.
"""

import json
import random
import re
import string
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.module_utils import rmq_client, signer
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.client import (
    OnsApiError,
    OnsConfigurationError,
    OnsDeadlineError,
    OnsError,
    OnsResponseError,
    OnsTransportError,
)
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.credentials import Credentials
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.rmq_client import RmqClient, resolve_rmq_endpoint
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.safe_text import REDACTED

KEY_ID = "LTAI5tUnitRmqKey01"
SECRET = "UnitRmqSecretNotForProduction01"
INSTANCE = "rmq-cn-unit0000001"
GROUP_PATH = "/instances/%s/consumerGroups/GID_orders/connections" % INSTANCE
CONNECTIONS = {"consumerGroupId": "GID_orders", "instanceId": INSTANCE, "connections": [
    {"clientId": "10.0.0.1@1#1#1#1", "hostname": "orders-1", "egressIp": "10.0.0.1", "language": "java",
     "version": "5.0.7", "messageModel": "CLUSTERING"}]}


def ok(data, request_id="rmq-unit-ok"):
    """A successful answer of the API: the camelCase envelope."""
    return 200, {"requestId": request_id, "success": True, "code": "Success", "message": "ok", "httpStatusCode": 200,
                 "data": data}, {}


def business_error(status, code, message, request_id="rmq-unit-error", **extra):
    """A business error of the API: the camelCase envelope with success false."""
    body = {"requestId": request_id, "success": False, "code": code, "message": message, "httpStatusCode": status}
    body.update(extra)
    return status, body, {}


def gateway_error(status, code, message, request_id="RMQ-UNIT-GATEWAY", headers=None):
    """An error of the gateway (signature, key, RAM, throttling): PascalCase."""
    return status, {"RequestId": request_id, "HostId": "rocketmq.cn-hangzhou.aliyuncs.com", "Code": code,
                    "Message": message, "Recommend": "https://api.aliyun.com/troubleshoot"}, dict(headers or {})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 5

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.rmq.answer(self)

    def do_POST(self):
        self.server.rmq.answer(self)


class RmqServer:
    """A loopback stand-in of the RocketMQ 5.x API.

    ``routes`` maps a resource path as the API names it (``/instances/{id}/consumerGroups``, unencoded)
    to a list of answers ``(status, body, headers)``, given in turn, the last one to every further
    request; an answer may also be a function of the request's parameters that returns one (a
    listing that computes its pages). A path matched by no route gets ``Instance.NotFound``-like 404 ``InvalidPath``. A
    request whose signature does not match the path and query as they arrived gets the gateway's
    ``SignatureDoesNotMatch``. ``requests`` records each request: method, raw path and query,
    decoded path and parameters, headers, and whether its signature matched.
    """

    def __init__(self, routes, secret=SECRET, stall=0.0):
        self.routes = dict((path, list(answers)) for path, answers in routes.items())
        self.secret = secret
        self.stall = stall
        self.requests = []
        self._served = {}
        self._lock = threading.Lock()
        self._httpd = None
        self.url = None

    def answer(self, handler):
        raw_path, dummy, raw_query = handler.path.partition("?")
        headers = dict((name.lower(), value) for name, value in handler.headers.items())
        decoded = "/".join(unquote(part) for part in raw_path.split("/"))
        params = dict(parse_qsl(raw_query, keep_blank_values=True))
        signature_ok = self._signature_ok(handler.command, raw_path, params, headers)
        record = {"method": handler.command, "raw_path": raw_path, "raw_query": raw_query, "path": decoded,
                  "params": params, "headers": headers, "signature_ok": signature_ok}
        with self._lock:
            self.requests.append(record)
            answers = self.routes.get(decoded)
            if answers is not None:
                count = self._served.get(decoded, 0)
                self._served[decoded] = count + 1
                answer = answers[min(count, len(answers) - 1)]
                status, body, extra = answer(params) if callable(answer) else answer
            else:
                status, body, extra = business_error(404, "InvalidPath", "no route for %s" % decoded)
        if not record["signature_ok"]:
            status, body, extra = gateway_error(400, "SignatureDoesNotMatch", "The request signature does not conform.")
        if self.stall:
            time.sleep(self.stall)
        payload = body if isinstance(body, bytes) else (body if isinstance(body, str) else json.dumps(body)).encode("utf-8")
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json" if isinstance(body, dict) else "text/html")
        handler.send_header("Content-Length", str(len(payload)))
        for name, value in extra.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(payload)

    def _signature_ok(self, method, raw_path, params, headers):
        match = re.match(r"ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]+)$",
                         headers.get("authorization", ""))
        if not match:
            return False
        signed = dict((name, headers.get(name, "")) for name in match.group(2).split(";"))
        signature, dummy, dummy = signer.v3_sign(self.secret, method, raw_path, params, signed,
                                                 headers.get("x-acs-content-sha256", ""))
        return signature == match.group(3)

    def start(self):
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.rmq = self
        self.url = "http://127.0.0.1:%d" % self._httpd.server_address[1]
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self):
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()


def make_client(server, **kwargs):
    kwargs.setdefault("retries", 3)
    kwargs.setdefault("rate_limit", 1000)
    kwargs.setdefault("timeout", 5)
    made = RmqClient(Credentials(KEY_ID, SECRET), server.url, **kwargs)
    # Quick backoff: the waits' shape is covered in test_retry.
    made.policy.base = 0.01
    return made


# --- the signature over the encoded path -------------------------------------------------------

def test_the_roa_signature_reproduces_the_self_checked_vector():
    path = signer.encode_path(["instances", "rmq-cn-2r42vrvde0j", "consumerGroups", "GID_test", "lag"])
    headers = {
        "host": "rocketmq.cn-hangzhou.aliyuncs.com",
        "x-acs-action": "GetConsumerGroupLag",
        "x-acs-version": "2022-08-01",
        "x-acs-date": "2024-01-02T03:04:05Z",
        "x-acs-signature-nonce": "0123456789abcdef0123456789abcdef",
        "x-acs-content-sha256": signer.EMPTY_BODY_SHA256,
    }
    query = {"topicName": "normal topic/1"}
    assert signer.canonical_query_string(query) == "topicName=normal%20topic%2F1"
    signature, signed_headers, hashed = signer.v3_sign("YourAccessKeySecret", "GET", path, query, headers,
                                                       signer.EMPTY_BODY_SHA256)
    assert hashed == "649f44a6c8ca0fc5ab5694ddda6c5f779a00d5ac5df4c2383da1f6afd9bbd228"
    assert signature == "65b78fde5cb22433e0b08750426bd4662cce133b7423dbb9e08c0321b416b6b0"
    assert signed_headers == "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version"
    sent = signer.v3_headers("YourAccessKeyId", "YourAccessKeySecret", headers["host"], "GetConsumerGroupLag", "2022-08-01",
                             query, headers["x-acs-date"], headers["x-acs-signature-nonce"], method="GET", path=path)
    assert sent["Authorization"].endswith("Signature=" + signature)


def test_the_rpc_signature_still_reproduces_the_published_ons_v3_vector():
    query = {"ImageId": "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd", "RegionId": "cn-shanghai"}
    headers = signer.v3_headers("YourAccessKeyId", "YourAccessKeySecret", "ecs.cn-shanghai.aliyuncs.com", "RunInstances",
                                "2014-05-26", query, "2023-10-26T10:22:32Z", "3156853299f313e23d1673dc12e1703d")
    assert headers["Authorization"].endswith("Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0")


@pytest.mark.parametrize("segments, path", [
    (["instances", "rmq-cn-1", "consumerGroups", "GID%orders"], "/instances/rmq-cn-1/consumerGroups/GID%25orders"),
    (["topics", "a/b", "traces", "a b"], "/topics/a%2Fb/traces/a%20b"),
    (["x", "é+~"], "/x/%C3%A9%2B~"),
    (["x", "..."], "/x/..."),
])
def test_each_path_segment_is_percent_encoded(segments, path):
    assert signer.encode_path(segments) == path


@pytest.mark.parametrize("segment", ["", ".", ".."])
def test_a_segment_a_library_would_collapse_is_refused(segment):
    with pytest.raises(ValueError, match="cannot be a segment of a resource path"):
        signer.encode_path(["instances", segment, "consumerGroups"])


def test_the_roa_signature_matches_the_official_util_on_random_paths():
    openapi_util = pytest.importorskip("alibabacloud_openapi_util.client")
    rng = random.Random(20220801)
    alphabet = string.ascii_letters + string.digits + " -_.~%/+*é中"

    class Request:
        def __init__(self, pathname, query, headers):
            self.method, self.pathname, self.query, self.headers = "GET", pathname, query, headers

    for dummy in range(200):
        segments = ["instances", "rmq-cn-%d" % rng.randint(0, 99), "consumerGroups",
                    "".join(rng.choice(alphabet) for dummy in range(rng.randint(3, 20))), "lag"]
        # The SDK builds the path with get_encode_param on each value, as signer.encode_path does.
        official_path = "/instances/%s/consumerGroups/%s/lag" % (
            openapi_util.Client.get_encode_param(segments[1]), openapi_util.Client.get_encode_param(segments[3]))
        path = signer.encode_path(segments)
        assert path == official_path
        query = {"topicName": "".join(rng.choice(alphabet) for dummy in range(rng.randint(0, 12)))}
        headers = signer.v3_headers(KEY_ID, SECRET, "rocketmq.cn-hangzhou.aliyuncs.com", "GetConsumerGroupLag",
                                    "2022-08-01", query, "2026-11-21T10:00:00Z", "%032x" % rng.getrandbits(128),
                                    method="GET", path=path)
        ours = headers.pop("Authorization")
        assert ours == openapi_util.Client.get_authorization(Request(path, query, headers), "ACS3-HMAC-SHA256",
                                                             headers["x-acs-content-sha256"], KEY_ID, SECRET)


# --- on the wire -------------------------------------------------------------------------------

def test_the_path_and_query_are_sent_as_signed_with_a_space_as_percent_20():
    group = "GID%x/y z"
    path = "/instances/%s/consumerGroups/%s/lag" % (INSTANCE, group)
    with RmqServer({path: [ok({"totalLag": {}})]}) as server:
        made = make_client(server)
        made.get("GetConsumerGroupLag", ["instances", INSTANCE, "consumerGroups", group, "lag"], {"topicName": "normal topic/1"})
        made.close()
    [request] = server.requests
    assert request["signature_ok"] and request["method"] == "GET"
    assert request["raw_path"] == "/instances/%s/consumerGroups/GID%%25x%%2Fy%%20z/lag" % INSTANCE
    assert request["raw_query"] == "topicName=normal%20topic%2F1"
    assert request["headers"]["x-acs-action"] == "GetConsumerGroupLag"
    assert request["headers"]["x-acs-version"] == "2022-08-01"
    assert request["headers"]["x-acs-content-sha256"] == signer.EMPTY_BODY_SHA256


def test_a_security_token_is_sent_and_signed():
    with RmqServer({GROUP_PATH: [ok(CONNECTIONS)]}) as server:
        made = RmqClient(Credentials(KEY_ID, SECRET, "UnitRmqToken01"), server.url, retries=0)
        made.get("ListConsumerConnections", ["instances", INSTANCE, "consumerGroups", "GID_orders", "connections"])
        made.close()
    [request] = server.requests
    assert request["signature_ok"] and request["headers"]["x-acs-security-token"] == "UnitRmqToken01"
    assert "x-acs-security-token" in request["headers"]["authorization"]


def test_booleans_go_as_lower_case_and_none_values_are_left_out():
    with RmqServer({GROUP_PATH: [ok(CONNECTIONS)]}) as server:
        made = make_client(server)
        made.get("ListConsumerConnections", ["instances", INSTANCE, "consumerGroups", "GID_orders", "connections"],
                 {"a": True, "b": False, "c": None, "d": 7})
        made.close()
    assert server.requests[0]["params"] == {"a": "true", "b": "false", "d": "7"}


def test_a_path_segment_that_cannot_be_sent_fails_at_once_as_configuration():
    with RmqServer({}) as server:
        made = make_client(server)
        with pytest.raises(OnsConfigurationError, match="GetInstance: '..' cannot be a segment"):
            made.get("GetInstance", ["instances", ".."])
        made.close()
    assert server.requests == []


# --- answers and errors ------------------------------------------------------------------------

def call_connections(server, **kwargs):
    made = make_client(server, **kwargs)
    try:
        return made.get("ListConsumerConnections", ["instances", INSTANCE, "consumerGroups", "GID_orders", "connections"])
    finally:
        made.close()


def test_a_successful_answer_is_returned_whole():
    with RmqServer({GROUP_PATH: [ok(CONNECTIONS, "rid-1")]}) as server:
        body = call_connections(server)
    assert body["data"] == CONNECTIONS and rmq_client.request_id_of(body) == "rid-1"


@pytest.mark.parametrize("answer, code, status, request_id, message", [
    (business_error(400, "InvalidParameter", "The parameter is invalid.", dynamicCode="pageSize"),
     "InvalidParameter", 400, "rmq-unit-error", "The parameter is invalid. (pageSize)"),
    (business_error(400, "InvalidParameter", "The parameter %s is invalid.", dynamicCode="pageSize",
                    dynamicMessage="The parameter pageSize is invalid."),
     "InvalidParameter", 400, "rmq-unit-error", "The parameter pageSize is invalid."),
    (gateway_error(403, "Forbidden.RAM", "User not authorized to operate on the specified resource."),
     "Forbidden.RAM", 403, "RMQ-UNIT-GATEWAY", "User not authorized"),
    ((200, {"requestId": "rid-200", "success": False, "code": "ConsumerGroup.Offline", "message": "offline"}, {}),
     "ConsumerGroup.Offline", 200, "rid-200", "offline"),
    ((200, {"requestId": "rid-status", "code": "InvalidParameter", "message": "bad", "httpStatusCode": 400,
            "data": None}, {}), "InvalidParameter", 400, "rid-status", "bad"),
    ((200, {"RequestId": "rid-code", "Code": "InstanceNotReady", "Message": "not ready"}, {}),
     "InstanceNotReady", 200, "rid-code", "not ready"),
])
def test_an_error_of_either_casing_names_its_code_message_and_request(answer, code, status, request_id, message):
    with RmqServer({GROUP_PATH: [answer]}) as server:
        with pytest.raises(OnsApiError) as caught:
            call_connections(server, retries=0)
    error = caught.value
    assert (error.code, error.http_status, error.request_id) == (code, status, request_id)
    assert message in error.message and str(error).startswith("%s: " % code)
    assert error.to_dict()["code"] == code


@pytest.mark.parametrize("code, status", [("ConsumerGroup.NotFound", 404), ("Instance.NotFound", 400),
                                          ("Topic.NotExisted", 500), ("Instance.NotFound", 503)])
def test_a_not_found_code_is_definitive_whatever_its_status(code, status):
    with RmqServer({GROUP_PATH: [business_error(status, code, "The resource does not exist.")]}) as server:
        with pytest.raises(OnsApiError) as caught:
            call_connections(server, retries=3)
    assert caught.value.not_found is True and caught.value.retryable is False
    assert len(server.requests) == 1


def test_an_error_that_is_no_not_found_says_so():
    with RmqServer({GROUP_PATH: [business_error(400, "InvalidParameter", "bad")]}) as server:
        with pytest.raises(OnsApiError) as caught:
            call_connections(server, retries=3)
    assert caught.value.not_found is False and len(server.requests) == 1


@pytest.mark.parametrize("throttled", [
    gateway_error(400, "Throttling.User", "Request was denied due to user flow control."),
    gateway_error(400, "Rejected.Throttling", "Request was denied due to throttling."),
    business_error(429, "Throttling", "Too many requests."),
    gateway_error(503, "ServiceUnavailable", "The service is unavailable."),
])
def test_throttling_and_unavailability_are_retried(throttled):
    with RmqServer({GROUP_PATH: [throttled, ok(CONNECTIONS)]}) as server:
        body = call_connections(server)
    assert body["data"] == CONNECTIONS and len(server.requests) == 2


def test_x_acs_retry_after_is_waited_for():
    throttled = gateway_error(400, "Throttling.User", "flow control", headers={"x-acs-retry-after": "400"})
    with RmqServer({GROUP_PATH: [throttled, ok(CONNECTIONS)]}) as server:
        started = time.monotonic()
        call_connections(server)
        elapsed = time.monotonic() - started
    assert len(server.requests) == 2 and elapsed >= 0.4


def test_the_whole_call_is_bounded_by_the_timeout():
    unavailable = gateway_error(503, "ServiceUnavailable", "unavailable", headers={"x-acs-retry-after": "300"})
    with RmqServer({GROUP_PATH: [unavailable]}) as server:
        started = time.monotonic()
        with pytest.raises(OnsApiError, match="the timeout of 1.0s for the whole call was reached after"):
            call_connections(server, retries=20, timeout=1.0)
        elapsed = time.monotonic() - started
    assert elapsed < 2.0 and 2 <= len(server.requests) <= 4


def test_a_slow_answer_ends_at_the_timeout_as_a_transport_error():
    with RmqServer({GROUP_PATH: [ok(CONNECTIONS)]}, stall=3.0) as server:
        started = time.monotonic()
        with pytest.raises(OnsError, match="TransportError: ListConsumerConnections: no answer from .* within the timeout of 0.5s"):
            call_connections(server, retries=0, timeout=0.5)
    assert time.monotonic() - started < 2.5


def test_an_answer_that_is_not_json_is_never_taken_for_one():
    with RmqServer({GROUP_PATH: [(200, "<html>gateway</html>", {})]}) as server:
        with pytest.raises(OnsResponseError, match="HTTP 200 with a text/html body that is not the API's JSON"):
            call_connections(server, retries=0)


def test_a_200_without_data_but_with_an_error_code_is_an_error():
    with RmqServer({GROUP_PATH: [(200, {"requestId": "r", "code": "ConsumerGroup.NotFound", "message": "gone"}, {})]}) as server:
        with pytest.raises(OnsApiError) as caught:
            call_connections(server, retries=3)
    assert caught.value.code == "ConsumerGroup.NotFound" and caught.value.not_found and len(server.requests) == 1


def test_a_request_signed_with_another_secret_is_refused_by_the_server():
    with RmqServer({GROUP_PATH: [ok(CONNECTIONS)]}, secret="AnotherSecret") as server:
        with pytest.raises(OnsApiError) as caught:
            call_connections(server, retries=0)
    assert caught.value.code == "SignatureDoesNotMatch" and server.requests[0]["signature_ok"] is False


def test_an_echoed_secret_is_never_quoted():
    echo = gateway_error(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation. "
                                                       "server string to sign is: %s" % SECRET)
    with RmqServer({GROUP_PATH: [echo]}) as server:
        with pytest.raises(OnsApiError) as caught:
            call_connections(server, retries=0)
    assert SECRET not in str(caught.value) and REDACTED in caught.value.message
    assert caught.value.__cause__ is None and caught.value.__context__ is None


# --- pages -------------------------------------------------------------------------------------

LISTING = "/instances/%s/consumerGroups" % INSTANCE


def page(items, total, number=1, request_id=None):
    return ok({"pageNumber": number, "pageSize": len(items), "totalCount": total, "list": items},
              request_id or "page-%d" % number)


def list_groups(server, page_size=2, bound=None):
    """get_pages of the groups of INSTANCE as rmq_queries asks for them; ``bound`` is bound_by's arguments."""
    made = make_client(server)
    if bound:
        made.bound_by(*bound)
    try:
        return made.get_pages("ListConsumerGroups", ["instances", INSTANCE, "consumerGroups"], {"filter": "GID"},
                              page_size=page_size, key="consumerGroupId", noun="group")
    finally:
        made.close()


def groups(*names):
    return [{"consumerGroupId": name} for name in names]


def endless(total=None):
    """A listing whose every page is full of groups never listed before, promising ``total`` (or nothing)."""
    def answer(params):
        number, size = int(params["pageNumber"]), int(params["pageSize"])
        rows = groups(*["GID_%06d" % index for index in range((number - 1) * size, number * size)])
        data = {"pageNumber": number, "pageSize": size, "list": rows}
        if total is not None:
            data["totalCount"] = total
        return ok(data, "endless-%d" % number)
    return answer


def test_every_page_is_followed_until_the_total_is_read():
    items = [{"consumerGroupId": "GID_%d" % index} for index in range(5)]
    answers = [page(items[0:2], 5, 1), page(items[2:4], 5, 2), page(items[4:5], 5, 3)]
    with RmqServer({LISTING: answers}) as server:
        listing = list_groups(server)
    assert listing["items"] == items and listing["total_count"] == 5
    assert listing["request_id"] == "page-1" and listing["request_ids"] == ["page-1", "page-2", "page-3"]
    assert [(r["params"]["pageNumber"], r["params"]["pageSize"], r["params"]["filter"]) for r in server.requests] == [
        ("1", "2", "GID"), ("2", "2", "GID"), ("3", "2", "GID")]


def test_without_a_total_a_short_page_is_the_last():
    first = ok({"list": [{"consumerGroupId": "GID_a"}, {"consumerGroupId": "GID_b"}]}, "p1")
    second = ok({"list": [{"consumerGroupId": "GID_c"}]}, "p2")
    with RmqServer({LISTING: [first, second]}) as server:
        listing = list_groups(server)
    assert [item["consumerGroupId"] for item in listing["items"]] == ["GID_a", "GID_b", "GID_c"]
    assert listing["total_count"] is None and len(server.requests) == 2


def test_a_total_the_pages_do_not_reach_is_an_error_not_a_shorter_list():
    # Page 1 holds one group and promises five; page 2 is empty.
    answers = [page(groups("GID_a"), 5, 1), page([], 5, 2)]
    with RmqServer({LISTING: answers}) as server:
        with pytest.raises(OnsResponseError) as caught:
            list_groups(server)
    assert caught.value.code == "InvalidResponse" and caught.value.request_id == "page-2"
    assert caught.value.message == ("ListConsumerGroups said totalCount 5 but its pages held 1 distinct group "
                                    "(1 row in 2 pages), the last one empty: the listing is incomplete")
    assert len(server.requests) == 2


def test_a_listing_that_shrank_while_read_names_both_totals():
    answers = [page(groups("GID_a", "GID_b"), 9, 1), page([], 8, 2)]
    with RmqServer({LISTING: answers}) as server:
        with pytest.raises(OnsResponseError, match=re.escape(
                "said totalCount 9 but its pages held 2 distinct groups (2 rows in 2 pages), the last one empty; "
                "totalCount went from 9 to 8 while listing")):
            list_groups(server)


def test_a_group_listed_again_is_kept_once_when_the_distinct_groups_still_reach_the_total():
    # The list moved between pages: GID_b comes again at the top of page 2, and GID_c is still read.
    # The pages are shorter than asked (a server may give fewer): the total, not a page's length, ends the listing.
    answers = [page(groups("GID_a", "GID_b"), 3, 1), page(groups("GID_b", "GID_c"), 3, 2)]
    with RmqServer({LISTING: answers}) as server:
        listing = list_groups(server, page_size=10)
    assert [item["consumerGroupId"] for item in listing["items"]] == ["GID_a", "GID_b", "GID_c"]
    assert listing["total_count"] == 3 and len(server.requests) == 2


def test_duplicates_across_pages_that_leave_the_total_unreached_are_an_error():
    answers = [page(groups("GID_a", "GID_b"), 4, 1), page(groups("GID_b", "GID_c"), 4, 2), page([], 4, 3)]
    with RmqServer({LISTING: answers}) as server:
        with pytest.raises(OnsResponseError, match=re.escape(
                "ListConsumerGroups said totalCount 4 but its pages held 3 distinct groups (4 rows in 3 pages)")):
            list_groups(server)
    assert len(server.requests) == 3


@pytest.mark.parametrize("total", [5, None])
def test_a_server_that_ignores_the_page_number_is_caught_at_the_second_page(total):
    first = page(groups("GID_a", "GID_b"), total) if total else ok({"list": groups("GID_a", "GID_b")}, "page-1")
    with RmqServer({LISTING: [first]}) as server:
        with pytest.raises(OnsResponseError) as caught:
            list_groups(server)
    assert "ListConsumerGroups page 2 is page 1 again (the same 2 groups): the server does not follow pageNumber" in (
        caught.value.message)
    assert "2 distinct groups (4 rows in 2 pages" in caught.value.message
    assert len(server.requests) == 2


def test_a_page_of_only_groups_already_listed_is_an_error():
    answers = [page(groups("GID_a", "GID_b"), 6, 1), page(groups("GID_b", "GID_a"), 6, 2)]
    with RmqServer({LISTING: answers}) as server:
        with pytest.raises(OnsResponseError, match=re.escape(
                "ListConsumerGroups page 2 holds only groups already listed (GID_b, GID_a): the listing repeats "
                "itself; after 2 distinct groups (4 rows in 2 pages, totalCount 6) it is incomplete")):
            list_groups(server)


def test_rows_without_their_id_are_told_apart_by_their_content():
    same = [{"status": "RUNNING"}, {"status": "RUNNING"}]
    with RmqServer({LISTING: [ok({"list": same}, "p1")]}) as server:
        listing = list_groups(server, page_size=3)
    # Two rows alike without an ID are one row; the listing (short of a full page) ends.
    assert listing["items"] == [{"status": "RUNNING"}] and len(server.requests) == 1


def test_full_pages_of_new_groups_without_end_stop_at_the_page_cap():
    assert rmq_client.MAX_PAGES == 100
    with RmqServer({LISTING: [endless()]}) as server:
        with pytest.raises(OnsResponseError) as caught:
            list_groups(server, page_size=2)
    assert caught.value.message == (
        "ListConsumerGroups still promises more groups after 100 pages (MAX_PAGES), which held 200 distinct groups "
        "(200 rows in 100 pages): the listing is cut off")
    assert len(server.requests) == rmq_client.MAX_PAGES


def test_a_total_beyond_the_page_cap_is_refused_at_the_first_page():
    with RmqServer({LISTING: [endless(total=10 ** 9)]}) as server:
        with pytest.raises(OnsResponseError, match=re.escape(
                "ListConsumerGroups said totalCount 1000000000: more than the 100 pages of 100 groups this "
                "collection follows (MAX_PAGES)")):
            list_groups(server, page_size=100)
    assert len(server.requests) == 1


def test_the_run_deadline_stops_a_listing_between_pages():
    # The caller's clock moves one second per request the server received: no wall-clock time is measured.
    with RmqServer({LISTING: [endless()]}) as server:
        def clock():
            return 1000.0 + len(server.requests)

        with pytest.raises(OnsDeadlineError) as caught:
            list_groups(server, bound=(1005.0, clock, "the test's deadline"))
    assert caught.value.code == "DeadlineReached" and not caught.value.retryable
    assert str(caught.value) == (
        "DeadlineReached: ListConsumerGroups: the test's deadline passed 0.0 s ago: page 6 was not asked for, "
        "after 10 distinct groups (10 rows in 5 pages): the listing is incomplete")
    assert len(server.requests) == 5


def test_no_call_starts_after_the_run_deadline_and_unbinding_lifts_it():
    with RmqServer({GROUP_PATH: [ok(CONNECTIONS)]}) as server:
        made = make_client(server)
        try:
            made.bound_by(10.0, lambda: 12.5, "the gate's deadline")
            with pytest.raises(OnsDeadlineError, match=re.escape(
                    "ListConsumerConnections: the gate's deadline passed 2.5 s ago: the call was not made")):
                made.get("ListConsumerConnections", ["instances", INSTANCE, "consumerGroups", "GID_orders", "connections"])
            assert server.requests == []
            made.bound_by(None)
            made.get("ListConsumerConnections", ["instances", INSTANCE, "consumerGroups", "GID_orders", "connections"])
        finally:
            made.close()
    assert len(server.requests) == 1


def test_a_call_gets_only_the_time_left_before_the_run_deadline():
    # The server stalls 3 s before every answer; the timeout is 5 s, but the run has 0.5 s left.
    with RmqServer({GROUP_PATH: [ok(CONNECTIONS)]}, stall=3.0) as server:
        made = make_client(server, retries=0)
        try:
            made.bound_by(time.monotonic() + 0.5, time.monotonic, "the gate's deadline")
            with pytest.raises(OnsTransportError) as caught:
                made.get("ListConsumerConnections", ["instances", INSTANCE, "consumerGroups", "GID_orders", "connections"])
        finally:
            made.close()
    assert caught.value.message.endswith(
        "; the call had 0.5 s, not the timeout of 5.0s: the gate's deadline came first (after 1 attempt(s))")


def test_a_failed_page_fails_the_listing():
    answers = [page([{"consumerGroupId": "GID_a"}, {"consumerGroupId": "GID_b"}], 4, 1),
               business_error(400, "InvalidParameter", "bad page")]
    with RmqServer({LISTING: answers}) as server:
        with pytest.raises(OnsApiError, match="InvalidParameter"):
            list_groups(server)


@pytest.mark.parametrize("data, problem", [
    ({"list": {"consumerGroupId": "GID_a"}, "totalCount": -1}, "totalCount is -1"),
    ({"list": "nope", "totalCount": 1}, "list is not a list of objects"),
    (None, "the answer has no data"),
])
def test_a_page_that_cannot_be_read_fails_the_listing(data, problem):
    with RmqServer({LISTING: [ok(data)]}) as server:
        with pytest.raises(OnsResponseError, match=problem):
            list_groups(server)


# --- pages followed by scrollId, and read until enough -------------------------------------------

MESSAGES = "/instances/%s/topics/DLQ_orders/messages" % INSTANCE


def letters(*numbers, **fields):
    return [dict({"messageId": "MSG%03d" % number, "storeTime": "2026-12-07 10:00:%02d" % number}, **fields)
            for number in numbers]


def list_messages(server, page_size=2, **kwargs):
    """get_pages of the messages of a topic, as rmq_queries asks for a dead-letter topic's."""
    made = make_client(server)
    try:
        return made.get_pages("ListMessages", ["instances", INSTANCE, "topics", "DLQ_orders", "messages"],
                              {"startTime": "2026-12-07 10:00:00", "endTime": "2026-12-07 11:00:00"}, page_size=page_size,
                              key=("messageId", "storeTime"), noun="message", **kwargs)
    finally:
        made.close()


def scrolled(rows, total, number, scroll):
    return ok({"pageNumber": number, "pageSize": len(rows), "totalCount": total, "scrollId": scroll, "list": rows},
              "scroll-%d" % number)


def test_the_scroll_id_of_a_page_is_sent_on_the_next_ones():
    answers = [scrolled(letters(1, 2), 5, 1, "S-1"), scrolled(letters(3, 4), 5, 2, "S-2"), scrolled(letters(5), 5, 3, None)]
    with RmqServer({MESSAGES: answers}) as server:
        listing = list_messages(server)
    assert len(listing["items"]) == 5 and listing["complete"] is True
    assert [(r["params"]["pageNumber"], r["params"].get("scrollId")) for r in server.requests] == [
        ("1", None), ("2", "S-1"), ("3", "S-2")]
    assert server.requests[1]["params"]["startTime"] == "2026-12-07 10:00:00"


def test_a_listing_without_a_scroll_id_sends_none():
    with RmqServer({LISTING: [page(groups("GID_a", "GID_b"), 3, 1), page(groups("GID_c"), 3, 2)]}) as server:
        listing = list_groups(server)
    assert listing["complete"] is True and all("scrollId" not in r["params"] for r in server.requests)


def test_the_same_message_stored_twice_is_two_rows_and_listed_again_is_one():
    twice = letters(1) + [{"messageId": "MSG001", "storeTime": "2026-12-07 10:30:00"}]
    answers = [scrolled(twice, 3, 1, "S"), scrolled(letters(1, 2), 3, 2, "S")]
    with RmqServer({MESSAGES: answers}) as server:
        listing = list_messages(server)
    assert [(row["messageId"], row["storeTime"][-5:]) for row in listing["items"]] == [
        ("MSG001", "00:01"), ("MSG001", "30:00"), ("MSG002", "00:02")]


def test_enough_rows_stop_the_listing_and_say_it_is_not_complete():
    answers = [scrolled(letters(1, 2), 6, 1, "S"), scrolled(letters(3, 4), 6, 2, "S"), scrolled(letters(5, 6), 6, 3, "S")]
    with RmqServer({MESSAGES: answers}) as server:
        listing = list_messages(server, enough=3)
    assert len(listing["items"]) == 4 and listing["complete"] is False and len(server.requests) == 2
    assert listing["request_ids"] == ["scroll-1", "scroll-2"]


def test_only_the_rows_that_count_reach_enough():
    answers = [scrolled(letters(2 * number - 1, 2 * number), 8, number, "S") for number in (1, 2, 3, 4)]
    with RmqServer({MESSAGES: answers}) as server:
        listing = list_messages(server, enough=2, counts=lambda row: row["messageId"] in ("MSG001", "MSG005"))
    assert len(listing["items"]) == 6 and listing["complete"] is False and len(server.requests) == 3


def test_enough_reached_on_the_last_page_leaves_the_listing_complete():
    with RmqServer({MESSAGES: [scrolled(letters(1, 2), 2, 1, "S")]}) as server:
        listing = list_messages(server, enough=1)
    assert listing["complete"] is True and len(listing["items"]) == 2


def test_a_total_beyond_the_page_cap_is_read_while_enough_may_still_come():
    with RmqServer({MESSAGES: [scrolled(letters(1, 2), 10 ** 6, 1, "S"), scrolled(letters(3, 4), 10 ** 6, 2, "S")]}) as server:
        listing = list_messages(server, enough=4)
    assert listing["complete"] is False and len(listing["items"]) == 4
    with RmqServer({MESSAGES: [scrolled(letters(1, 2), 10 ** 6, 1, "S")]}) as server:
        with pytest.raises(OnsResponseError, match=re.escape("ListMessages said totalCount 1000000: more than the 100 pages")):
            list_messages(server)


# --- endpoints ---------------------------------------------------------------------------------

@pytest.mark.parametrize("args, url", [
    (dict(region="cn-hangzhou"), "https://rocketmq.cn-hangzhou.aliyuncs.com"),
    (dict(region="ap-southeast-1", network="vpc"), "https://rocketmq-vpc.ap-southeast-1.aliyuncs.com"),
    (dict(region="cn-hangzhou", endpoint="http://127.0.0.1:8080/"), "http://127.0.0.1:8080"),
    (dict(endpoint="rocketmq.cn-guangzhou.aliyuncs.com"), "https://rocketmq.cn-guangzhou.aliyuncs.com"),
])
def test_the_endpoint_comes_from_the_region_or_the_override(args, url):
    assert resolve_rmq_endpoint(**args) == url


@pytest.mark.parametrize("args, message", [
    (dict(), "no region: set the option region"),
    (dict(region="cn-hangzhou\t"), "region"),
    (dict(region="cn-hangzhou", network="internal"), "network 'internal' is not valid: use one of public, vpc"),
    (dict(endpoint="rocketmq.cn-guangzhou.aliyuncs.com\t"), "endpoint"),
])
def test_a_bad_endpoint_setting_names_the_option(args, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        resolve_rmq_endpoint(**args)
