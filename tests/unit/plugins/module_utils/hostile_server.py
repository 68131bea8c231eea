# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An HTTP server on loopback that answers in broken ways, to prove the client fails closed on each.

Standard library only. Each request is answered by the next entry of a script; the last entry
answers every further request, so ``["truncated", "good"]`` breaks once and then answers well, and
``["truncated"]`` never answers well. An entry is an answer's name (see ANSWERS), or a tuple
``(name, {header: value})`` to add headers (``x-acs-retry-after``, ``Retry-After`` ...).

Bounded: a stall lasts ``stall`` seconds at most and ends as soon as the server stops; the server
stops itself after ``lifetime`` seconds even if a test forgets to; every socket has a timeout.

    with HostileServer(["html_503", "good"]) as server:
        OnsClient(credentials, server.url).call("OnsConsumerGetConnection", {...})
        assert server.served == ["html_503", "good"]
"""

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# The good answer: OnsConsumerGetConnection with one client.
GOOD = {"RequestId": "hostile-good", "Data": {"MessageModel": "CLUSTERING", "ConnectionList": {"ConnectionDo": [
    {"ClientId": "10.0.0.1@1#1#1#1", "ClientAddr": "10.0.0.1:1000", "Language": "JAVA", "Version": "V4_9_4"}]}}}
# An OnsConsumerStatus answer, whole but for its negative lag.
NEGATIVE_TOTAL_DIFF = {"RequestId": "hostile-negative", "Data": {
    "Online": True, "TotalDiff": -5, "DelayTime": 0, "ConsumeTps": 1.0, "LastTimestamp": 1767225600000,
    "RebalanceOK": True, "SubscriptionSame": True, "ConsumeModel": "CLUSTERING", "InstanceId": "MQ_INST_1234567890_UNIT"}}
# JSON text, because json.dumps would escape the characters these answers exist to carry.
SURROGATE = '{"RequestId": "hostile-surrogate", "Data": {"ConnectionList": {"ConnectionDo": [{"ClientId": "a\\ud800b"}]}}}'
CONTROLS = ('{"RequestId": "hostile-controls", "Data": {"ConnectionList": {"ConnectionDo": [{"ClientId": '
            '"esc\\u001b[31m bel\\u0007 nul\\u0000 csi\\u009b tab\\t nl\\n end"}]}}}')
DEEP = 100000
HTML = b"<html><head><title>%d</title></head><body><h1>%d</h1><p>Please slow down.</p></body></html>"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # How long a request may take to arrive.
    timeout = 5

    def log_message(self, *args):  # keep test output clean
        pass

    def do_GET(self):
        self._answer()

    def do_POST(self):
        self._answer()

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(min(length, 1 << 20))
        name, extra = self.server.hostile.next_answer()
        self.close_connection = name != "good"
        ANSWERS[name](self, extra)

    # -- writing ----------------------------------------------------------------------------

    def head(self, status, content_type, headers=None, length=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length is not None:
            self.send_header("Content-Length", str(length))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()

    def whole(self, status, content_type, body, headers=None):
        body = body if isinstance(body, bytes) else body.encode("utf-8")
        self.head(status, content_type, headers, len(body))
        self.wfile.write(body)
        self.wfile.flush()


def _good(handler, extra):
    handler.whole(200, "application/json", json.dumps(GOOD), extra)


def _truncated(handler, extra):
    body = json.dumps(GOOD).encode("utf-8")
    handler.head(200, "application/json", extra, len(body) + 100)
    handler.wfile.write(body[:20])
    handler.wfile.flush()


def _broken_chunked(handler, extra):
    handler.head(200, "application/json", dict(extra, **{"Transfer-Encoding": "chunked"}))
    handler.wfile.write(b"10\r\n{\"RequestId\": \"x\r\nnot-a-chunk-size\r\n")
    handler.wfile.flush()


def _stall(handler, extra):
    body = json.dumps(GOOD).encode("utf-8")
    handler.head(200, "application/json", extra, len(body))
    handler.wfile.flush()
    handler.server.hostile.stopping.wait(handler.server.hostile.stall)


def _redirect(handler, extra):
    location = handler.server.hostile.redirect_to or "http://127.0.0.1:9/"
    handler.whole(302, "application/json", json.dumps({"RequestId": "hostile-redirect"}), dict(extra, Location=location))


def _bad_gzip(handler, extra):
    handler.whole(200, "application/json", b"this body is not gzip at all", dict(extra, **{"Content-Encoding": "gzip"}))


def _deep_json(handler, extra):
    handler.whole(200, "application/json", "[" * DEEP + "]" * DEEP, extra)


def _text(status):
    return lambda handler, extra: handler.whole(status, "text/plain", "Too Many Requests" if status == 429 else
                                                "Service Unavailable", extra)


def _html(status):
    return lambda handler, extra: handler.whole(status, "text/html", HTML % (status, status), extra)


# Where "token_at_cut" puts the token: so many characters into the body that the client's cut at
# 160 falls inside it (84 of the 109 characters of the tests' token before the mark).
TOKEN_AT = 76


def _echoed_token(handler):
    # The answers below echo the token the request carried (header of a V3 call), as servers quoting
    # what they received do: the test never hands the secret to the server itself.
    return handler.headers.get("x-acs-security-token") or ""


def _token_at_cut(handler, extra):
    # A proxy's error page quoting the request it could not pass on.
    filler = "Service Unavailable;upstream=ons;received=" + "-" * TOKEN_AT
    body = filler[:TOKEN_AT] + _echoed_token(handler) + ";requestId=hostile-cut"
    handler.whole(503, "text/plain", body, extra)


def _json_escape(text, every=False):
    # "\/" for "/" and "\u002b" for "+", as JSON encoders that escape HTML-sensitive characters
    # write them; ``every`` escapes every character, in upper-case hex.
    if every:
        return "".join("\\u%04X" % ord(char) for char in text)
    return text.replace("/", "\\/").replace("+", "\\u002b")


def _token_json_escaped(every):
    def answer(handler, extra):
        escaped = _json_escape(_echoed_token(handler), every)
        # A gateway's HTML page quoting the request as JSON: not the API's JSON, so quoted from its start.
        body = '<pre>{"SecurityToken":"%s","Action":"OnsConsumerGetConnection"}</pre>' % escaped
        handler.whole(502, "text/html", body, extra)
    return answer


def _token_in_json_message(handler, extra):
    # The API's JSON error whose message holds a JSON document: the token escaped inside it.
    quoted = '{"SecurityToken":"%s"}' % _json_escape(_echoed_token(handler))
    handler.whole(400, "application/json", json.dumps({"RequestId": "hostile-json-message", "Code": "InvalidParameter",
                                                       "Message": "The request %s is not valid." % quoted}), extra)


def _token_in_base64(offset, urlsafe):
    def answer(handler, extra):
        text = "sign: "[:offset] + _echoed_token(handler) + "&Timestamp=2026-01-01T00%3A00%3A00Z"
        encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
        diagnostic = encode(text.encode("utf-8")).decode("ascii")
        handler.whole(403, "application/json", json.dumps({
            "RequestId": "hostile-base64", "Code": "IncompleteSignature",
            "Message": "The request signature does not conform. EncodedDiagnosticMessage: %s" % diagnostic}), extra)
    return answer


def _json(status, body):
    return lambda handler, extra: handler.whole(status, "application/json", body if isinstance(body, str) else json.dumps(body), extra)


# Every way of answering, by name.
ANSWERS = {
    "good": _good,
    "truncated": _truncated,             # Content-Length longer than the body, then the connection closes
    "broken_chunked": _broken_chunked,   # a chunk size line that is not hexadecimal
    "stall": _stall,                     # headers, then nothing for `stall` seconds
    "redirect": _redirect,               # 302 to redirect_to, with a JSON body that looks like an answer
    "bad_gzip": _bad_gzip,               # Content-Encoding: gzip over a body that is not
    "deep_json": _deep_json,             # an array nested DEEP levels deep
    "surrogate": _json(200, SURROGATE),  # a lone surrogate in a string: valid JSON, not valid UTF-8
    "control_chars": _json(200, CONTROLS),
    "text_429": _text(429),
    "html_429": _html(429),
    "text_503": _text(503),
    "html_503": _html(503),
    "code_in_200": _json(200, {"RequestId": "hostile-code", "Code": "BIZ_SUBSCRIPTION_NOT_FOUND",
                               "Message": "The subscription of the group does not exist."}),
    "flow_control_in_200": _json(200, {"RequestId": "hostile-flow", "Code": "ONS_SYSTEM_FLOW_CONTROL",
                                       "Message": "The system is busy."}),
    "negative_total_diff": _json(200, NEGATIVE_TOTAL_DIFF),
    # Answers that echo the request's security token (x-acs-security-token) in some form:
    "token_at_cut": _token_at_cut,                          # text/plain 503, the token across the 160th character
    "token_json_escaped": _token_json_escaped(False),       # HTML 502 quoting it in JSON, "\/" and "\u002b"
    "token_json_every_char": _token_json_escaped(True),     # the same, every character "\uXXXX"
    "token_in_json_message": _token_in_json_message,        # the API's JSON error, a JSON text in its message
}
# The API's JSON error with the token Base64-encoded at byte offset 0 to 5 of a longer text, in the
# standard or URL-safe alphabet: "token_in_base64_1", "token_in_base64url_2" ...
for _offset in range(6):
    ANSWERS["token_in_base64_%d" % _offset] = _token_in_base64(_offset, False)
    ANSWERS["token_in_base64url_%d" % _offset] = _token_in_base64(_offset, True)


class HostileServer:
    """The server: start it with ``with``; ``url`` to call, ``served`` the answers given, ``arrivals`` their times."""

    def __init__(self, script, stall=30.0, lifetime=120.0):
        entries = []
        for entry in script:
            name, extra = (entry, {}) if isinstance(entry, str) else entry
            if name not in ANSWERS:
                raise ValueError("unknown answer %r: use one of %s" % (name, ", ".join(sorted(ANSWERS))))
            entries.append((name, dict(extra)))
        if not entries:
            raise ValueError("the script needs at least one answer")
        self.script = entries
        self.stall = stall
        self.lifetime = lifetime
        self.served = []
        self.arrivals = []
        # Where the "redirect" answer points.
        self.redirect_to = None
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._httpd = None
        self._threads = []
        self.url = None

    def next_answer(self):
        """The answer for the request that just arrived, recorded."""
        with self._lock:
            name, extra = self.script[min(len(self.served), len(self.script) - 1)]
            self.served.append(name)
            self.arrivals.append(time.monotonic())
        return name, extra

    def start(self):
        """Listen on a free loopback port and serve in the background until stop() or the lifetime ends."""
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.hostile = self
        self.url = "http://127.0.0.1:%d" % self._httpd.server_address[1]
        serving = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        serving.start()
        timer = threading.Timer(self.lifetime, self.stop)
        timer.daemon = True
        timer.start()
        self._threads = [serving, timer]
        return self

    def stop(self):
        """Stop serving and end every stall; safe to call more than once."""
        with self._lock:
            if self.stopping.is_set():
                return
            self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._threads[1].cancel()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
