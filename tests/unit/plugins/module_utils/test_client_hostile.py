# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The client against a server that answers in every broken way: it retries to success or ends in a clear OnsError, in time."""

import base64
import hashlib
import json
import time

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.client import (
    CAUSE_LENGTH,
    QUOTE_MAX_BYTES,
    SNIPPET_LENGTH,
    OnsApiError,
    OnsClient,
    OnsConfigurationError,
    OnsError,
    OnsResponseError,
    OnsTransportError,
    _cause,
    quote_body,
)
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.credentials import Credentials
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.safe_text import REDACTED
from ansible_collections.apsaramq.rocketmq.tests.unit.plugins.module_utils.hostile_server import TOKEN_AT, HostileServer

GROUP = {"GroupId": "GID_orders", "InstanceId": "MQ_INST_1234567890_UNIT"}
TIMEOUT = 3.0
# Time a test may take beyond the call's timeout: thread start-up and the server's answer.
SLACK = 1.0


# An STS token as long as a short real one, with the characters encoders change ("+", "/", "="); six
# "~" and six "?" put a "+" and a "/" into its Base64 whatever the alignment.
TOKEN = "CAIS%s~~~~~~??????==" % base64.b64encode(hashlib.sha512(b"apsaramq unit sts token").digest() +
                                                  hashlib.sha512(b"apsaramq unit sts token 2").digest()).decode("ascii")[:91]


def client(server, token=None, **kwargs):
    kwargs.setdefault("retries", 3)
    kwargs.setdefault("rate_limit", 1000)
    kwargs.setdefault("timeout", TIMEOUT)
    made = OnsClient(Credentials("LTAI5tUnitKey01", "UnitSecretNotForProduction01", token), server.url, **kwargs)
    # Quick backoff: the waits' shape is covered in test_retry.
    made.policy.base = 0.01
    return made


def timed_call(made):
    started = time.monotonic()
    try:
        return made.call("OnsConsumerGetConnection", GROUP), time.monotonic() - started
    finally:
        made.close()


@pytest.mark.parametrize("broken", ["truncated", "broken_chunked", "bad_gzip", "deep_json", "text_429", "html_429",
                                    "text_503", "html_503", "flow_control_in_200"])
def test_a_broken_answer_is_retried_until_a_good_one(broken):
    with HostileServer([broken, "good"]) as server:
        answer, elapsed = timed_call(client(server))
    assert answer["Data"]["ConnectionList"]["ConnectionDo"][0]["ClientId"] == "10.0.0.1@1#1#1#1"
    assert server.served == [broken, "good"]
    assert elapsed < TIMEOUT


@pytest.mark.parametrize("broken, error, code, cause", [
    ("truncated", OnsTransportError, "TransportError", "IncompleteRead"),
    ("broken_chunked", OnsTransportError, "TransportError", "broke off while being read: Connection broken"),
    ("bad_gzip", OnsResponseError, "InvalidResponse", "Content-Encoding gzip"),
    ("deep_json", OnsResponseError, "InvalidResponse", "nested too deeply"),
    ("text_429", OnsApiError, "HTTP429", "text/plain body that is not the API's JSON: Too Many Requests"),
    ("html_429", OnsApiError, "HTTP429", "text/html body"),
    ("text_503", OnsApiError, "HTTP503", "Service Unavailable"),
    ("html_503", OnsApiError, "HTTP503", "text/html body"),
])
def test_a_broken_answer_that_lasts_ends_in_an_error_naming_the_cause(broken, error, code, cause):
    with HostileServer([broken]) as server:
        with pytest.raises(OnsError) as caught:
            timed_call(client(server, retries=2))
    assert isinstance(caught.value, error)
    assert caught.value.code == code and cause in str(caught.value)
    # Neither an urllib3 nor a requests exception rides along in the chain.
    assert caught.value.__cause__ is None and caught.value.__context__ is None
    assert server.served == [broken] * 3


def test_a_stall_after_the_headers_ends_at_the_timeout():
    with HostileServer(["stall"], stall=10) as server:
        started = time.monotonic()
        with pytest.raises(OnsTransportError, match="no complete answer within the timeout of 1.0s"):
            timed_call(client(server, timeout=1.0))
    elapsed = time.monotonic() - started
    assert 0.9 < elapsed < 1.0 + SLACK
    assert server.served[0] == "stall"


def test_text_is_made_safe_once_for_every_module():
    with HostileServer(["surrogate", "control_chars"]) as server:
        made = client(server)
        first = made.call("OnsConsumerGetConnection", GROUP)
        second = made.call("OnsConsumerGetConnection", GROUP)
        made.close()
    surrogate = first["Data"]["ConnectionList"]["ConnectionDo"][0]["ClientId"]
    assert surrogate == "a\ufffdb"
    controls = second["Data"]["ConnectionList"]["ConnectionDo"][0]["ClientId"]
    assert controls == "esc\\x1b[31m bel\\x07 nul\\x00 csi\\x9b tab\t nl\n end"
    # What a module returns must be UTF-8 the controller accepts.
    json.dumps([first, second], ensure_ascii=False).encode("utf-8")


def test_an_error_code_in_a_200_answer_is_that_error_and_not_retried():
    with HostileServer(["code_in_200", "good"]) as server:
        with pytest.raises(OnsApiError) as caught:
            timed_call(client(server))
    assert caught.value.code == "BIZ_SUBSCRIPTION_NOT_FOUND" and caught.value.http_status == 200
    assert caught.value.request_id == "hostile-code" and "does not exist" in caught.value.message
    assert server.served == ["code_in_200"]


@pytest.mark.parametrize("headers, least", [
    ({"x-acs-retry-after": "400"}, 0.4),
    ({"Retry-After": "1"}, 1.0),
])
def test_a_throttled_answer_waits_as_long_as_the_server_asks(headers, least):
    with HostileServer([("text_429", headers), "good"]) as server:
        answer, elapsed = timed_call(client(server))
    assert answer["RequestId"] == "hostile-good"
    gap = server.arrivals[1] - server.arrivals[0]
    # The backoff alone would wait 10 ms at most.
    assert least <= gap < least + SLACK


def test_a_wait_that_would_pass_the_deadline_fails_at_once_saying_so():
    with HostileServer([("html_503", {"x-acs-retry-after": "60000"}), "good"]) as server:
        started = time.monotonic()
        with pytest.raises(OnsApiError, match="the timeout of 3.0s for the whole call was reached after 1 attempt") as caught:
            timed_call(client(server))
    assert time.monotonic() - started < 1.0
    assert caught.value.code == "HTTP503" and server.served == ["html_503"]


def test_the_timeout_bounds_the_retries_and_their_waits():
    with HostileServer(["text_503"]) as server:
        made = client(server, retries=20, timeout=1.5)
        made.policy.base = 0.25
        started = time.monotonic()
        with pytest.raises(OnsApiError, match="for the whole call was reached") as caught:
            timed_call(made)
    assert time.monotonic() - started < 1.5 + SLACK
    assert caught.value.code == "HTTP503" and 1 < len(server.served) < 21


def test_a_rate_limit_turn_after_the_deadline_fails_at_once():
    with HostileServer(["good"]) as server:
        made = client(server, rate_limit=0.1, timeout=1.0)
        made.call("OnsConsumerGetConnection", GROUP)
        started = time.monotonic()
        with pytest.raises(OnsTransportError, match="no turn within the rate limit of 0.1 calls per second"):
            made.call("OnsConsumerGetConnection", GROUP)
        made.close()
    assert time.monotonic() - started < 0.5
    assert server.served == ["good"]


def test_a_header_value_that_cannot_be_sent_is_a_configuration_error_not_retried():
    with HostileServer(["good"]) as server:
        made = client(server)
        # The constructor refuses such a key (see test_hostile_options); a value changed later
        # must still fail at once, before anything is sent.
        made.credentials.access_key_id = "LTAI5t\nInjected: 1"
        with pytest.raises(OnsConfigurationError, match="access_key_id") as caught:
            timed_call(made)
    assert not caught.value.retryable
    assert server.served == []


def test_a_key_id_with_a_newline_is_refused_when_the_client_is_built():
    with pytest.raises(OnsConfigurationError, match="access_key_id .* holds a newline or other control character"):
        OnsClient(Credentials("LTAI5t\n", "secret"), "http://127.0.0.1:9")


def test_a_refused_connection_names_its_cause():
    # A port nothing listens on: connection refused, retried, then a clear transport error.
    with HostileServer(["good"]) as server:
        url = server.url
    made = OnsClient(Credentials("LTAI5tUnitKey01", "secret"), url, retries=1, timeout=TIMEOUT)
    made.policy.base = 0.01
    with pytest.raises(OnsTransportError, match="connection to .* failed: .*(refused|Connection)"):
        made.call("OnsConsumerGetConnection", GROUP)


def test_a_redirect_is_not_followed_and_never_an_answer():
    with HostileServer(["redirect"]) as server:
        with pytest.raises(OnsResponseError, match="HTTP 302: a redirect, which the API never answers") as caught:
            timed_call(client(server, retries=0))
    assert caught.value.http_status == 302 and server.served == ["redirect"]


def error_texts(error):
    """Every text of an error a module or a log can show."""
    return [str(error), repr(error), error.message, json.dumps(error.to_dict())] + [str(arg) for arg in error.args]


def assert_no_run_of_the_token(error, run=8):
    """No run of ``run`` characters of TOKEN in any text of ``error``: no piece of it long enough to matter."""
    assert len(TOKEN) == 109 and "+" in TOKEN and "/" in TOKEN
    pieces = set(TOKEN[start:start + run] for start in range(len(TOKEN) - run + 1))
    for text in error_texts(error):
        shown = [piece for piece in pieces if piece in text]
        assert not shown, (shown, text)


def test_a_token_straddling_the_cut_of_a_non_json_body_is_masked_before_the_cut():
    # The body quotes the token from character 76: the quote's cut at 160 falls 84 characters into
    # it. Cut first, those 84 characters would match no form of the token and show.
    with HostileServer(["token_at_cut"]) as server:
        with pytest.raises(OnsApiError) as caught:
            timed_call(client(server, token=TOKEN, retries=0))
    assert server.served == ["token_at_cut"] and TOKEN_AT + 84 == 160
    assert caught.value.code == "HTTP503"
    assert_no_run_of_the_token(caught.value)
    # The quote is still there, the token masked where it stood, and what follows the mask kept.
    assert "text/plain body that is not the API's JSON: Service Unavailable;upstream=ons;received=-" in caught.value.message
    assert REDACTED + ";requestId=hostile-cut" in caught.value.message


def test_the_quote_of_a_body_comes_before_the_timeout_note():
    with HostileServer([("token_at_cut", {"x-acs-retry-after": "60000"})]) as server:
        with pytest.raises(OnsApiError) as caught:
            timed_call(client(server, token=TOKEN))
    assert_no_run_of_the_token(caught.value)
    assert caught.value.message.index(REDACTED) < caught.value.message.index("the timeout of 3.0s for the whole call")


@pytest.mark.parametrize("answer", ["token_json_escaped", "token_json_every_char"])
def test_a_token_echoed_json_escaped_in_a_non_json_body_is_masked(answer):
    with HostileServer([answer]) as server:
        with pytest.raises(OnsApiError) as caught:
            timed_call(client(server, token=TOKEN, retries=0))
    assert caught.value.code == "HTTP502"
    assert_no_run_of_the_token(caught.value)
    assert '{"SecurityToken":"%s' % REDACTED in caught.value.message
    # Nor a run of the escaped form: "\u0043\u0041..." of "CA" is no secret, but of the token it is.
    escaped = "".join("\\u%04X" % ord(char) for char in TOKEN)
    assert escaped[:48] not in caught.value.message and "\\/" not in caught.value.message


def test_a_token_json_escaped_inside_the_message_of_a_json_error_is_masked():
    with HostileServer(["token_in_json_message"]) as server:
        with pytest.raises(OnsApiError) as caught:
            timed_call(client(server, token=TOKEN, retries=0))
    assert caught.value.code == "InvalidParameter"
    assert_no_run_of_the_token(caught.value)
    assert caught.value.message == 'The request {"SecurityToken":"%s"} is not valid.' % REDACTED


@pytest.mark.parametrize("alphabet", ["base64", "base64url"])
@pytest.mark.parametrize("offset", range(6))
def test_a_token_inside_a_longer_base64_blob_is_masked_at_every_offset(offset, alphabet):
    with HostileServer(["token_in_%s_%d" % (alphabet, offset)]) as server:
        with pytest.raises(OnsApiError) as caught:
            timed_call(client(server, token=TOKEN, retries=0))
    assert caught.value.code == "IncompleteSignature"
    blob = caught.value.message.rsplit("EncodedDiagnosticMessage: ", 1)[1]
    assert REDACTED in blob
    assert_no_run_of_the_token(caught.value)
    # What stays of the blob decodes to the text around the token, never to a run of the token.
    encode = base64.urlsafe_b64encode if alphabet == "base64url" else base64.b64encode
    whole = encode(("sign: "[:offset] + TOKEN + "&Timestamp=2026-01-01T00%3A00%3A00Z").encode("ascii")).decode("ascii")
    before, after = blob.split(REDACTED)
    assert whole.startswith(before) and whole.endswith(after)
    # At most one character at each end mixes bits of the token with bits of its neighbours.
    assert len(whole) - len(before) - len(after) >= len(encode(TOKEN.encode("ascii")).rstrip(b"=")) - 2


@pytest.mark.parametrize("start", [0, SNIPPET_LENGTH - 100, SNIPPET_LENGTH - 8, SNIPPET_LENGTH - 1])
def test_a_quote_is_cut_only_after_masking_wherever_the_token_stands(start):
    body = ("." * start + TOKEN.replace("/", "\\/") + " and more " * 30).encode("ascii")
    quoted = quote_body(body, [TOKEN])
    assert quoted.startswith("." * start + REDACTED[:SNIPPET_LENGTH - start]) and quoted.endswith("...")
    assert len(quoted) == SNIPPET_LENGTH + 3


def test_a_body_too_long_to_mask_quickly_is_not_quoted_at_all():
    body = b"x" * QUOTE_MAX_BYTES + TOKEN.encode("ascii")
    assert quote_body(body, [TOKEN]) == "(%d bytes, too long to quote)" % len(body)


def test_the_cause_of_a_failure_is_masked_before_it_is_cut():
    # An exception that quotes a header (the token's) far into its text: cut at CAUSE_LENGTH
    # first, the piece of the token before the mark would show.
    inner = ValueError("Invalid header value for x-acs-security-token: " + "-" * (CAUSE_LENGTH - 90) + TOKEN)
    text = _cause(OSError(inner), [TOKEN])
    assert REDACTED in text and not [TOKEN[i:i + 8] for i in range(len(TOKEN) - 7) if TOKEN[i:i + 8] in text]
