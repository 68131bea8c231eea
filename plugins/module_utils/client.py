# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ONS API client: endpoints, transport, signing of each call, retries and errors."""

import json
import re
import time
import traceback
import uuid
from datetime import datetime, timezone
from urllib.parse import urlsplit

from ansible_collections.apsaramq.rocketmq.plugins.module_utils import signer
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.retry import RateLimiter, RetryPolicy, is_retryable

try:
    import requests
    from requests.adapters import HTTPAdapter
except ImportError:
    requests = None
    HTTPAdapter = object
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    REQUESTS_IMPORT_ERROR = None

API_VERSION = "2019-02-14"
USER_AGENT = "apsaramq.rocketmq/0.1.0"
SIGNATURE_VERSIONS = ("v3", "v1")
NETWORKS = ("public", "vpc")
REGION_PATTERN = re.compile(r"^[a-z]{2,}(-[a-z0-9]+)+$")
HOST_PATTERN = re.compile(r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")
REDACTED = "********"
# How much of an answer that is not the API's JSON to quote in an error.
SNIPPET_LENGTH = 160


class OnsError(Exception):
    """Base of every error this client raises."""

    code = "Error"
    http_status = None
    request_id = None
    retryable = False

    def to_dict(self):
        """Return the error as a dict for a module's result."""
        return {"code": self.code, "message": str(self.message), "http_status": self.http_status,
                "request_id": self.request_id}


class OnsApiError(OnsError):
    """The API answered with an error (or with something that is not a valid answer)."""

    def __init__(self, code, message, http_status=None, request_id=None, retry_after=None):
        self.code = code or "UnknownError"
        self.message = message or ""
        self.http_status = http_status
        self.request_id = request_id
        self.retry_after = retry_after
        self.retryable = is_retryable(self.code, http_status)
        super(OnsApiError, self).__init__(str(self))

    def __str__(self):
        text = "%s: %s" % (self.code, self.message) if self.message else self.code
        if self.request_id:
            text += " (request id %s)" % self.request_id
        elif self.http_status:
            text += " (HTTP %s)" % self.http_status
        return text


class OnsResponseError(OnsApiError):
    """The answer could not be read as the API's JSON: never taken for a healthy answer."""

    def __init__(self, message, http_status=None, request_id=None):
        super(OnsResponseError, self).__init__("InvalidResponse", message, http_status, request_id)
        # A garbled body is usually a proxy or a connection that broke mid-answer: try again.
        self.retryable = True


class OnsTransportError(OnsError):
    """The call did not get an answer: connection refused or dropped, timeout, TLS failure."""

    code = "TransportError"
    retryable = True

    def __init__(self, message):
        self.message = message
        super(OnsTransportError, self).__init__(message)

    def __str__(self):
        return "%s: %s" % (self.code, self.message)


def scrub(text, secrets):
    """Replace every secret in ``text`` with a fixed mask."""
    text = str(text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def resolve_endpoint(region=None, network="public", endpoint=None):
    """Return the base URL (``scheme://host[:port]``) of the ONS API.

    ``endpoint`` (a host name, ``host:port``, or an ``http(s)://`` URL) wins over ``region`` and
    ``network``. Raises ValueError with a message that names the parameter at fault.
    """
    if endpoint:
        endpoint = endpoint.strip()
        if "://" in endpoint:
            parts = urlsplit(endpoint)
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/") \
                    or parts.query or parts.fragment or "@" in parts.netloc:
                raise ValueError("endpoint %r is not valid: give a host name (ons.cn-hangzhou.aliyuncs.com), "
                                 "host:port, or a URL http(s)://host[:port] without path or query" % endpoint)
            return "%s://%s" % (parts.scheme, parts.netloc)
        if not HOST_PATTERN.match(endpoint):
            raise ValueError("endpoint %r is not valid: give a host name (ons.cn-hangzhou.aliyuncs.com), "
                             "host:port, or a URL http(s)://host[:port]" % endpoint)
        return "https://%s" % endpoint
    if not region:
        raise ValueError("no region: set the option region (or ALIBABA_CLOUD_REGION_ID, ALICLOUD_REGION, "
                         "or region_id in the aliyun CLI profile), or the option endpoint")
    if not REGION_PATTERN.match(region):
        raise ValueError("region %r is not a region ID: use one such as cn-hangzhou or ap-southeast-1" % region)
    if network not in NETWORKS:
        raise ValueError("network %r is not valid: use one of %s" % (network, ", ".join(NETWORKS)))
    prefix = "ons-vpc" if network == "vpc" else "ons"
    return "https://%s.%s.aliyuncs.com" % (prefix, region)


def metadata_transport(timeout):
    """Return ``(get, put)`` functions for the ECS metadata service: ``f(url, headers) -> (status, text)``."""
    def get(url, headers):
        response = requests.get(url, headers=headers, timeout=timeout)
        return response.status_code, response.text

    def put(url, headers):
        response = requests.put(url, headers=headers, timeout=timeout)
        return response.status_code, response.text

    return get, put


def _utc_timestamp():
    return datetime.now(timezone.utc).strftime(signer.TIMESTAMP_FORMAT)


def _retry_after(response):
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class OnsClient:
    """Signed calls to the ONS API over one keep-alive session.

    ``rate_limit`` (calls per second) is shared by every thread using this client; retries use
    jittered exponential backoff and only for errors that may pass (see retry.is_retryable).
    """

    def __init__(self, credentials, base_url, signature_version="v3", timeout=10.0, retries=5,
                 rate_limit=10.0, validate_certs=True, ca_bundle=None, pool_size=10, api_version=API_VERSION):
        if requests is None:
            raise RuntimeError("the Python library requests is required")
        self.credentials = credentials
        self.base_url = base_url.rstrip("/")
        self.host = urlsplit(self.base_url).netloc
        self.signature_version = signature_version
        self.timeout = float(timeout)
        self.api_version = api_version
        self.policy = RetryPolicy(retries)
        self.limiter = RateLimiter(rate_limit)
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=max(1, pool_size))
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.verify = ca_bundle if (validate_certs and ca_bundle) else bool(validate_certs)
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})

    def close(self):
        """Close the keep-alive connections."""
        self.session.close()

    def call(self, action, params):
        """Call ``action`` with ``params`` (a dict of strings); return the answer's JSON object.

        Raises OnsApiError for an error answer or one that cannot be read, OnsTransportError
        when no answer came; in both cases after the retries the error allows.
        """
        params = dict((k, v) for k, v in params.items() if v is not None)

        def retryable(exc):
            if not exc.retryable:
                return False
            return getattr(exc, "retry_after", None) or True

        try:
            body, dummy = self.policy.run(lambda: self._send(action, params), (OnsApiError, OnsTransportError), retryable)
        except OnsError as exc:
            exc.message = scrub(exc.message, self.credentials.secrets())
            raise
        return body

    def _prepare(self, action, params):
        nonce = uuid.uuid4().hex
        timestamp = _utc_timestamp()
        creds = self.credentials
        if self.signature_version == "v1":
            query = signer.v1_params(creds.access_key_id, creds.access_key_secret, action, self.api_version, params,
                                     timestamp, nonce, creds.security_token)
            headers = {}
        else:
            query = params
            headers = signer.v3_headers(creds.access_key_id, creds.access_key_secret, self.host, action,
                                        self.api_version, query, timestamp, nonce, creds.security_token)
        url = "%s/?%s" % (self.base_url, signer.canonical_query_string(query)) if query else self.base_url + "/"
        return url, headers

    def _send(self, action, params):
        url, headers = self._prepare(action, params)
        self.limiter.acquire()
        deadline = time.monotonic() + self.timeout
        try:
            response = self.session.post(url, headers=headers, timeout=self.timeout, stream=True)
            try:
                raw = self._read_body(response, deadline, action)
            finally:
                response.close()
        except requests.exceptions.Timeout:
            raise OnsTransportError("%s: no answer from %s within the timeout of %ss" % (action, self.base_url, self.timeout))
        except requests.exceptions.SSLError as exc:
            raise OnsTransportError("%s: TLS error talking to %s: %s" % (action, self.base_url, exc))
        except requests.exceptions.RequestException as exc:
            raise OnsTransportError("%s: connection to %s failed: %s" % (action, self.base_url, type(exc).__name__))
        return self._parse(response, raw)

    def _read_body(self, response, deadline, action):
        # The read timeout covers one socket read; a body trickled slowly must not hold us past the
        # deadline, so read what has arrived (read1) and check the clock between reads. urllib3 1.x
        # has no read1: small chunks there.
        raw_stream = response.raw
        if hasattr(raw_stream, "read1"):
            chunks = iter(lambda: raw_stream.read1(65536, decode_content=True), b"")
        else:
            chunks = response.iter_content(chunk_size=512)
        body = []
        for chunk in chunks:
            body.append(chunk)
            if time.monotonic() > deadline:
                raise OnsTransportError("%s: no complete answer within the timeout of %ss" % (action, self.timeout))
        return b"".join(body)

    @staticmethod
    def _parse(response, raw):
        status = response.status_code
        header_request_id = response.headers.get("x-acs-request-id")
        try:
            body = json.loads(raw.decode("utf-8"))
        except ValueError:
            body = None
        if not isinstance(body, dict):
            snippet = re.sub(r"\s+", " ", raw[:SNIPPET_LENGTH].decode("utf-8", "replace")).strip()
            kind = "no body" if not raw else "a %s body that is not the API's JSON" % (
                response.headers.get("Content-Type") or "untyped")
            if status >= 400:
                raise OnsApiError("HTTP%s" % status, "HTTP %s with %s: %s" % (status, kind, snippet),
                                  status, header_request_id, _retry_after(response))
            raise OnsResponseError("HTTP %s with %s: %s" % (status, kind, snippet), status, header_request_id)
        request_id = body.get("RequestId") or header_request_id
        if status >= 400 or body.get("Success") is False:
            raise OnsApiError(body.get("Code"), body.get("Message"), status, request_id, _retry_after(response))
        return body
