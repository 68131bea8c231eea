# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# FOR INTERNAL COLLECTION USE ONLY: the interfaces of this file serve the apsaramq.rocketmq collection
# and may change in any release; modules, plugins and roles are the public interface.

"""The ONS API client: endpoints, transport, signing of each call, retries and errors.

ApiClient is the transport every API client shares (this module's OnsClient, rmq_client's
RmqClient and sts's StsClient): credentials checks, one keep-alive session, the rate limit,
retries with backoff, one deadline per call, reading the answer within it, and errors without
secrets. The errors are the ApiError family for every API, so that callers handle them alike.
RpcClient signs and reads the calls of an RPC-style API (ONS, STS).

A client signs each call with the credentials its provider (credentials.CredentialProvider) has
at that moment: temporary credentials are renewed before they expire, during a long wait too.
"""

import http.client
import json
import os
import re
import time
import traceback
import uuid
from datetime import datetime, timezone

from ansible_collections.apsaramq.rocketmq.plugins.module_utils import signer
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.apis import ONS
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.credentials import (
    ECS_METADATA_ENDPOINT_ENV,
    ECS_METADATA_URL,
    CredentialError,
    CredentialProvider,
    StaticSource,
    build_provider,
    fetch_ecs_role_credentials,
    resolve_region,
    resolve_source,
    shared_provider,
)
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.errors import (
    ApiError,
    AnswerError,
    ConfigurationError,
    CredentialRefreshError,
    DeadlineError,
    InvalidAnswerError,
    TransportError,
)
# The errors' names of the first release, importable from here as they were.
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.errors import (  # noqa: F401 pylint: disable=unused-import
    OnsApiError,
    OnsConfigurationError,
    OnsDeadlineError,
    OnsError,
    OnsResponseError,
    OnsTransportError,
)
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.retry import (
    OperationLimiters,
    RetryPolicy,
    retry_after_seconds,
)
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.safe_text import make_safe, safe_string, scrub
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.validation import (
    check_ca_bundle,
    check_rate_limit,
    check_region,
    check_retries,
    check_timeout,
    credential_problem,
    parse_endpoint,
)

try:
    import requests
    import urllib3
    from requests.adapters import HTTPAdapter
except ImportError:
    requests = None
    urllib3 = None
    HTTPAdapter = object
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    REQUESTS_IMPORT_ERROR = None

API_VERSION = ONS.version
USER_AGENT = "apsaramq.rocketmq/0.2.0"
SIGNATURE_VERSIONS = ONS.signature_versions
NETWORKS = ("public", "vpc")
# How much of an answer that is not the API's JSON to quote in an error (cut after masking the secrets).
SNIPPET_LENGTH = 160
# A body longer than this is not quoted at all: masking it whole would take long, and masking only
# its start would let through a secret cut at that mark.
QUOTE_MAX_BYTES = 1024 * 1024
# How much of an underlying error to quote (cut after masking the secrets).
CAUSE_LENGTH = 300
# How a host name that does not resolve reads in the errors of requests, urllib3 and the resolver.
UNRESOLVED = re.compile(r"NameResolutionError|Failed to resolve|Name or service not known|nodename nor servname|"
                        r"getaddrinfo failed|No address associated with hostname|Temporary failure in name resolution")
# No answer of the API comes near this; a body that does is not one.
MAX_BODY_BYTES = 64 * 1024 * 1024
# No answer of the API nests deeper than about ten levels.
MAX_JSON_DEPTH = 64
# Codes some Alibaba Cloud APIs put in successful answers.
SUCCESS_CODES = frozenset(["success", "200", "ok", "0", "true"])
# Connections a client's pool keeps: one for each thread of a module's batched queries.
POOL_SIZE = 8
# Seconds the ECS metadata service may take to answer.
ECS_METADATA_TIMEOUT = 5.0


def resolve_endpoint(region=None, network="public", endpoint=None, api=ONS):
    """Return the base URL (``scheme://host[:port]``) of ``api`` (an apis.Api; the ONS API by default).

    ``endpoint`` (a host name, ``host:port``, or an ``http(s)://`` URL) wins over ``region`` and
    ``network``; else ``https://`` and the API's host for them (apis.Api.host). Raises ValueError
    with a message that names the parameter at fault.
    """
    if endpoint:
        scheme, host, port = parse_endpoint(endpoint)
        return "%s://%s%s" % (scheme, host, ":%d" % port if port is not None else "")
    if not region:
        raise ValueError("no region: set the option region (or ALIBABA_CLOUD_REGION_ID, ALICLOUD_REGION, "
                         "or region_id in the aliyun CLI profile), or the option endpoint")
    check_region(region)
    if network not in NETWORKS:
        raise ValueError("network %r is not valid: use one of %s" % (network, ", ".join(NETWORKS)))
    return "https://%s" % api.host(region, network)


def metadata_transport(timeout):
    """Return ``(get, put)`` functions for the ECS metadata service: ``f(url, headers) -> (status, text)``."""
    def get(url, headers):
        response = requests.get(url, headers=headers, timeout=timeout)
        return response.status_code, response.text

    def put(url, headers):
        response = requests.put(url, headers=headers, timeout=timeout)
        return response.status_code, response.text

    return get, put


def metadata_url(environ=None):
    """The base URL of the ECS metadata service: ALIBABA_CLOUD_IMDS_ENDPOINT when set (an emulator), else 100.100.100.200."""
    environ = os.environ if environ is None else environ
    given = environ.get(ECS_METADATA_ENDPOINT_ENV)
    if not given:
        return ECS_METADATA_URL
    try:
        return resolve_endpoint(endpoint=given)
    except ValueError as exc:
        raise CredentialError("%s: %s" % (ECS_METADATA_ENDPOINT_ENV, exc))


def fetch_ecs_credentials(role_name):
    """Return the Credentials of the ECS RAM role ``role_name`` from the instance metadata service."""
    get, put = metadata_transport(ECS_METADATA_TIMEOUT)
    return fetch_ecs_role_credentials(role_name, get, put, metadata_url())


def open_client(params, make_client, ecs_fetch=None):
    """Return ``(client, secrets)``: ``make_client(credentials, region)`` with the credentials of ``params``.

    ``params`` holds the connection options (see ons_module.ONS_ARGUMENT_SPEC). Credentials come
    from the chain of credentials.resolve_source, ``ecs_fetch(role_name)`` giving those of an ECS
    RAM role (default fetch_ecs_credentials) and sts.StsCaller assuming roles; ``region`` is the
    option, else the environment's, else the profile's (may be None). ``credentials`` is a
    credentials.CredentialProvider, shared by the clients of one process that are given the same
    settings (the gate's two clients renew one STS session), whose first credentials are fetched
    here. ``secrets`` are the values that must never appear in output: a list that grows when a
    temporary token is renewed, so keep the reference.

    Raises CredentialError when no credentials can be found (or a role cannot be assumed),
    ValueError (never quoting a secret) for a setting the client cannot take.
    """
    # Imported here: sts builds on this module's clients.
    from ansible_collections.apsaramq.rocketmq.plugins.module_utils.sts import StsCaller

    source, profile_region = resolve_source(params)
    region = resolve_region(params, profile_region)
    if isinstance(source, StaticSource):
        provider = build_provider(source, None)
    elif ecs_fetch is not None and ecs_fetch is not fetch_ecs_credentials:
        # A caller's own way to the ECS role (a test's) never shares a provider with another.
        provider = build_provider(source, ecs_fetch, StsCaller(params, region))
    else:
        sts = StsCaller(params, region)
        provider = shared_provider(source, (sts.key(), os.environ.get(ECS_METADATA_ENDPOINT_ENV)),
                                   lambda: build_provider(source, fetch_ecs_credentials, sts))
    secrets = provider.secrets
    credentials = provider.get()
    try:
        client = make_client(provider if not isinstance(source, StaticSource) else credentials, region)
    except ValueError as exc:
        # The caller learns the secrets only from our return value: no message may hold one.
        message = scrub(str(exc), secrets)
        if message != str(exc):
            raise ValueError(message) from None
        raise
    return client, secrets


def _number(value):
    """``value`` without a trailing ``.0``: 10, 0.5."""
    return int(value) if value == int(value) else value


def _utc_timestamp():
    return datetime.now(timezone.utc).strftime(signer.TIMESTAMP_FORMAT)


def _cause(exc, secrets):
    """A short text of what went wrong underneath ``exc``, without URLs' query strings (a V1 query holds the signature).

    ``secrets`` are masked (safe_text.scrub) before the text is cut at CAUSE_LENGTH: an exception
    may quote a header, the token's among them, and a token cut first would match no form of it.
    """
    reason = exc
    for dummy in range(5):
        inner = getattr(reason, "reason", None)
        if not isinstance(inner, BaseException):
            args = getattr(reason, "args", ())
            inner = args[0] if args and isinstance(args[0], BaseException) else None
        if inner is None or inner is reason:
            break
        reason = inner
    args = getattr(reason, "args", ())
    text = args[0] if args and isinstance(args[0], str) else str(reason)
    text = scrub(text, secrets)
    text = re.sub(r"<[^<>]* object at 0x[0-9a-fA-F]+>:?\s*", "", text)
    text = re.sub(r"\?[^\s'\")]*", "?...", text)
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > CAUSE_LENGTH:
        text = text[:CAUSE_LENGTH] + "..."
    name = type(reason).__name__
    return "%s (%s)" % (text, name) if text and text != name else name


def _reject_constant(name):
    # json accepts NaN and Infinity, which no API sends and which no figure may be.
    raise ValueError("%s is not a JSON number" % name)


def _decode(raw):
    """Return ``(body, problem)``: the answer's JSON made safe (see safe_text.make_safe), or None and why not."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, "a body that is not UTF-8"
    try:
        body = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        return None, "a JSON body nested too deeply to read"
    except ValueError:
        return None, None
    try:
        return make_safe(body, MAX_JSON_DEPTH), None
    except ValueError as exc:
        return None, "a JSON body %s" % exc


def is_success_code(code):
    """Tell whether ``code`` is one of the codes some Alibaba Cloud APIs put in successful answers (SUCCESS_CODES)."""
    return str(code).strip().lower() in SUCCESS_CODES


def _require_requests():
    if requests is None:
        raise RuntimeError("the Python library requests is required")


def quote_body(raw, secrets):
    """Return the start of the answer body ``raw`` (bytes) to quote in an error, ``secrets`` masked.

    Masks first (safe_text.scrub over the whole body), then collapses whitespace, makes the text
    safe (safe_text.safe_string) and cuts it at SNIPPET_LENGTH characters: cut first, a secret
    straddling the mark would be left in part, and a part matches no form of it. This is the only
    cut of a body, and it takes the secrets. A body over QUOTE_MAX_BYTES is not quoted.
    """
    if not raw:
        return ""
    if len(raw) > QUOTE_MAX_BYTES:
        return "(%d bytes, too long to quote)" % len(raw)
    text = scrub(raw.decode("utf-8", "replace"), secrets)
    text = safe_string(re.sub(r"\s+", " ", text).strip())
    return text if len(text) <= SNIPPET_LENGTH else text[:SNIPPET_LENGTH] + "..."


def read_json_answer(response, raw):
    """Return ``(body, header_request_id, retry_after)`` of an answer whose body must be a JSON object.

    ``body`` is made safe to show (see safe_text.make_safe). A body that is not a JSON object raises
    AnswerError (``HTTP<status>``, retried as its status allows) for an HTTP error status, else
    InvalidAnswerError. That error carries the body as ``body_to_quote``, not yet quoted: ApiClient
    quotes its start (quote_body) once it has masked its secrets in it.
    """
    status = response.status_code
    header_request_id = response.headers.get("x-acs-request-id")
    header_request_id = safe_string(header_request_id) if header_request_id else None
    retry_after = retry_after_seconds(response.headers)
    body, problem = _decode(raw)
    if not isinstance(body, dict):
        kind = problem or ("no body" if not raw else "a %s body that is not the API's JSON" % (
            safe_string(response.headers.get("Content-Type") or "untyped")))
        message = "HTTP %s with %s" % (status, kind)
        if status >= 400:
            error = AnswerError("HTTP%s" % status, message, status, header_request_id, retry_after)
        else:
            error = InvalidAnswerError(message, status, header_request_id)
        if raw:
            error.body_to_quote, error.quote_after = raw, message
        raise error
    return body, header_request_id, retry_after


class ApiClient:
    """Signed calls over one keep-alive session: what OnsClient and rmq_client.RmqClient share.

    ``API`` is the apis.Api the subclass calls. Each of its operations keeps to its own request
    limit (apis.Api.limit), capped by ``rate_limit`` (calls per second), across every thread using
    this client (retry.OperationLimiters); retries use jittered exponential backoff and only for
    errors that may pass (apis.Api.is_retryable, through the errors' ``retryable``).
    ``timeout`` bounds each call as a whole: connecting, reading, waiting for the rate limit, the
    retries and the waits between them. Raises ValueError (naming the option) for a bad setting.

    A subclass signs its requests and reads its answers: it calls ``_run`` with one attempt of a
    call, and the attempt calls ``_exchange`` with a function that builds the signed request.

    A caller that makes many calls under one deadline of its own (the gate) sets it with
    ``bound_by``: from then on no call starts after it, and each call gets at most the time left
    before it (within ``timeout``).
    """

    # No deadline but each call's own: (deadline, clock, what) once bound_by sets one.
    _run_bound = None
    # What to tell when the endpoint's host does not resolve (an endpoint that is inferred: see connect_rmq).
    unresolved_advice = None
    # The API the subclass calls (apis.Api); without one, rate_limit alone spaces every operation.
    API = None

    def __init__(self, credentials, base_url, timeout=10.0, retries=5, rate_limit=10.0, validate_certs=True,
                 ca_bundle=None, pool_size=10, secrets=None):
        """``credentials`` are Credentials, a credentials.CredentialProvider (renewed as they near their expiry), or None
        for a client of anonymous calls; ``secrets`` (default: the provider's) are masked in every error."""
        _require_requests()
        if credentials is None or isinstance(credentials, CredentialProvider):
            self._provider = credentials
        else:
            fixed = credentials
            self._provider = CredentialProvider(StaticSource(fixed), lambda: fixed, fixed.secrets())
        self._secrets = secrets if secrets is not None else (self._provider.secrets if self._provider else [])
        self._check_credentials()
        self.base_url = resolve_endpoint(endpoint=base_url)
        self.host = self.base_url.split("://", 1)[1]
        self.timeout = check_timeout(timeout)
        self.policy = RetryPolicy(check_retries(retries))
        # One limiter per operation, as the API counts (apis.Api.limit), each capped by rate_limit.
        self.limiter = OperationLimiters(check_rate_limit(rate_limit), self.API.limit if self.API else None)
        if validate_certs and ca_bundle:
            check_ca_bundle(ca_bundle)
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=max(1, pool_size))
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.verify = ca_bundle if (validate_certs and ca_bundle) else bool(validate_certs)
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})

    @property
    def credentials(self):
        """The credentials the next call is signed with (renewed first when they near their expiry); None when anonymous.

        Raises CredentialRefreshError when they expired and could not be renewed.
        """
        if self._provider is None:
            return None
        try:
            return self._provider.get()
        except CredentialError as exc:
            raise CredentialRefreshError(scrub(str(exc), self._secrets))

    def secrets(self):
        """Every secret this client was ever given (the list grows as temporary tokens are renewed)."""
        return self._secrets

    def _check_credentials(self, creds=None):
        creds = self.credentials if creds is None else creds
        if creds is None:
            return
        for name, value, header in (("access_key_id", creds.access_key_id, True),
                                    ("access_key_secret", creds.access_key_secret, False),
                                    ("security_token", creds.security_token, True)):
            if value is None and name == "security_token":
                continue
            problem = credential_problem(value, header)
            if problem:
                raise ConfigurationError("the %s (from %s) %s: it must be the value exactly as issued" % (
                    name, creds.source or "the caller", problem))

    def close(self):
        """Close the keep-alive connections."""
        self.session.close()

    def bound_by(self, deadline, clock=time.monotonic, what="the run's deadline"):
        """Bound every later call (and every page of a listing) by ``deadline``, a ``clock()`` time; None unbinds.

        ``clock`` is the caller's clock in seconds (the gate's injectable one), so that a test can
        move it; ``what`` names the deadline in errors. A call is not started once ``deadline`` has
        passed (DeadlineError), and a call started before gets at most the time left.
        """
        self._run_bound = None if deadline is None else (deadline, clock, what)

    def run_time_left(self):
        """Return the seconds left before the deadline set by bound_by (negative once passed), or None without one."""
        bound = self._run_bound
        if bound is None:
            return None
        deadline, clock, dummy = bound
        return deadline - clock()

    def check_run_deadline(self, action, undone):
        """Raise DeadlineError if the deadline set by bound_by has passed; ``undone`` says what is then not done."""
        bound = self._run_bound
        if bound is None:
            return
        deadline, clock, what = bound
        late = clock() - deadline
        if late >= 0:
            raise DeadlineError("%s: %s passed %.1f s ago: %s" % (action or "the call", what, late, undone))

    def _run(self, attempt, action=None):
        """Return ``attempt(deadline)``, retried as the error and the timeout allow; errors cleaned of secrets.

        ``attempt`` raises an ApiError for a failed attempt; one whose ``retry_after`` is set is
        retried no sooner than the server asked. The call is bounded by ``timeout`` and by the
        deadline set with bound_by, whichever comes first; after that deadline it is not started
        (DeadlineError). ``action`` names the call in that error.
        """
        self.check_run_deadline(action, "the call was not made")
        bound = self._run_bound
        left = None if bound is None else bound[0] - bound[1]()
        # The run's deadline, when nearer than the timeout, bounds the call: its retries, its waits
        # for a turn and its reading, so that a slow or looping answer cannot outlast the run.
        budget = self.timeout if left is None else min(self.timeout, left)
        # Worth saying in an error only when the call had noticeably less than its timeout (a
        # deadline set one timeout after an attempt began leaves its first call a hair less).
        cut = budget < self.timeout - 0.05
        deadline = time.monotonic() + budget

        def retryable(exc):
            if not exc.retryable:
                return False
            return getattr(exc, "retry_after", None) or True

        try:
            body, dummy = self.policy.run(lambda: attempt(deadline), (ApiError,), retryable, deadline=deadline)
        except ApiError as exc:
            if cut and (getattr(exc, "deadline_reached", False) or isinstance(exc, TransportError)):
                exc.message = "%s; the call had %.1f s, not the timeout of %ss: %s came first (after %d attempt(s))" % (
                    exc.message, budget, self.timeout, bound[2], getattr(exc, "attempts", 1))
            elif getattr(exc, "deadline_reached", False):
                exc.message = "%s; the timeout of %ss for the whole call was reached after %d attempt(s)" % (
                    exc.message, self.timeout, getattr(exc, "attempts", 1))
            self._clean_error(exc)
            raise
        return body

    def _clean_error(self, exc):
        """Scrub the secrets from every text of ``exc``, quote its body (quote_body), drop the exceptions chained to it."""
        secrets = self._secrets
        if exc.body_to_quote:
            quoted = quote_body(exc.body_to_quote, secrets)
            # The quote follows the text it illustrates, before anything added since (the timeout).
            head = exc.quote_after if exc.quote_after and exc.message.startswith(exc.quote_after) else exc.message
            exc.message = "%s: %s%s" % (head, quoted, exc.message[len(head):])
        # The body may hold a secret: it leaves with the error only as quoted.
        exc.body_to_quote = exc.quote_after = None
        exc.message = safe_string(scrub(exc.message, secrets))
        if exc.request_id is not None:
            exc.request_id = safe_string(scrub(str(exc.request_id), secrets))
        exc.args = (str(exc),)
        # The chained exceptions quote URLs and headers that may hold the token.
        exc.__cause__ = None
        exc.__context__ = None
        exc.__suppress_context__ = True

    def _signing_inputs(self):
        """Return ``(credentials, nonce, timestamp)`` for one request, the credentials checked again.

        Checked for each call: a value that cannot go into a header must fail here, named. The
        credentials are the provider's of this moment: renewed first when they near their expiry.
        """
        creds = self.credentials
        self._check_credentials(creds)
        return creds, uuid.uuid4().hex, _utc_timestamp()

    def _exchange(self, action, method, prepare, deadline):
        """Send one request within the rate limit and the deadline; return ``(response, raw_body)``.

        ``prepare()`` returns the ``(url, headers)`` to send, signed just before sending. Every
        failure becomes an ApiError: a redirect (never an answer of these APIs), a transport
        failure, a body that cannot be read in time.
        """
        if not self.limiter.get(action).acquire(deadline):
            raise TransportError("%s: no turn within the rate limit of %s calls per second before the timeout of %ss" % (
                action, _number(self.limiter.rate_of(action)), self.timeout))
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TransportError("%s: the timeout of %ss was reached before the call could be sent" % (action, self.timeout))
        url, headers = prepare()
        try:
            response = self.session.request(method, url, headers=headers, timeout=(remaining, remaining), stream=True,
                                            allow_redirects=False)
        except requests.exceptions.Timeout:
            raise TransportError("%s: no answer from %s within the timeout of %ss" % (action, self.base_url, self.timeout))
        except requests.exceptions.SSLError as exc:
            raise TransportError("%s: TLS error talking to %s: %s" % (action, self.base_url, self._cause(exc)))
        except (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema, requests.exceptions.MissingSchema,
                requests.exceptions.InvalidHeader, urllib3.exceptions.LocationValueError) as exc:
            raise self._configuration_error(action, exc)
        except requests.exceptions.RequestException as exc:
            raise TransportError("%s: connection to %s failed: %s%s" % (action, self.base_url, self._cause(exc), self._advice(exc)))
        except ValueError as exc:
            # http.client refuses a header value with a newline; a codec cannot encode a host or header.
            raise self._configuration_error(action, exc)
        except (urllib3.exceptions.HTTPError, http.client.HTTPException, OSError) as exc:
            raise TransportError("%s: connection to %s failed: %s%s" % (action, self.base_url, self._cause(exc), self._advice(exc)))
        if 300 <= response.status_code < 400:
            # The API never redirects; a redirect is a proxy or a wrong endpoint, not an answer.
            response.close()
            raise InvalidAnswerError("HTTP %s: a redirect, which the API never answers; check the option endpoint" % (
                response.status_code), response.status_code)
        try:
            raw = self._read_body(response, deadline, action)
        finally:
            response.close()
        return response, raw

    def _cause(self, exc):
        """_cause of ``exc`` with this client's secrets masked before the text is cut."""
        return _cause(exc, self._secrets)

    def _advice(self, exc):
        """``; <unresolved_advice>`` when ``exc`` says the endpoint's host does not resolve and the client has advice for that; else ""."""
        if self.unresolved_advice and UNRESOLVED.search("%s %r" % (exc, exc)):
            return "; " + self.unresolved_advice
        return ""

    def _configuration_error(self, action, exc):
        return ConfigurationError("%s: the request to %s cannot be built from the options endpoint, access_key_id "
                                  "and security_token: %s" % (action, self.base_url, self._cause(exc)))

    def _read_body(self, response, deadline, action):
        """Read the body within the deadline; every failure while reading becomes an ApiError."""
        # The read timeout covers one socket read; a body trickled slowly must not hold us past the
        # deadline, so each read gets only the time left, and the clock is checked between reads.
        raw_stream = response.raw
        sock = getattr(getattr(raw_stream, "_connection", None), "sock", None)
        if hasattr(raw_stream, "read1"):
            def read():
                return raw_stream.read1(65536, decode_content=True)
        else:  # urllib3 1.x has no read1
            def read():
                return raw_stream.read(512, decode_content=True)
        body = []
        size = 0
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TransportError("%s: no complete answer within the timeout of %ss" % (action, self.timeout))
                if sock is not None:
                    try:
                        sock.settimeout(left)
                    except OSError:
                        sock = None
                chunk = read()
                if not chunk:
                    break
                body.append(chunk)
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise InvalidAnswerError("HTTP %s with a body of more than %d bytes, which no answer of the API has" % (
                        response.status_code, MAX_BODY_BYTES), response.status_code)
        except (urllib3.exceptions.ReadTimeoutError, TimeoutError):
            raise TransportError("%s: no complete answer within the timeout of %ss" % (action, self.timeout))
        except urllib3.exceptions.DecodeError as exc:
            raise InvalidAnswerError("HTTP %s with a body that cannot be decoded as its Content-Encoding %s says: %s" % (
                response.status_code, safe_string(response.headers.get("Content-Encoding") or "(none)"), self._cause(exc)),
                response.status_code)
        except (urllib3.exceptions.HTTPError, requests.exceptions.RequestException, http.client.HTTPException,
                OSError, ValueError) as exc:
            # IncompleteRead, broken chunking, a reset connection: the answer broke off; try again.
            raise TransportError("%s: the answer from %s broke off while being read: %s" % (
                action, self.base_url, self._cause(exc)))
        return b"".join(body)


class RpcClient(ApiClient):
    """Signed calls to an RPC-style API (``POST /``, the parameters in the query string) over one keep-alive session (see ApiClient).

    ``API`` is the apis.Api the subclass calls; ``signature_version`` is ``v3`` (ACS3-HMAC-SHA256)
    or ``v1`` (HMAC-SHA1). A client without credentials sends its calls unsigned (the anonymous
    calls of an API, such as STS AssumeRoleWithOIDC): the V1 common parameters without
    ``AccessKeyId`` and ``Signature``, as the official credential providers send them.
    """

    API = ONS

    def __init__(self, credentials, base_url, signature_version="v3", timeout=10.0, retries=5,
                 rate_limit=10.0, validate_certs=True, ca_bundle=None, pool_size=10, api_version=None, secrets=None):
        _require_requests()
        if signature_version not in self.API.signature_versions:
            raise ValueError("signature_version %r is not valid: use one of %s" % (
                signature_version, ", ".join(self.API.signature_versions)))
        super(RpcClient, self).__init__(credentials, base_url, timeout=timeout, retries=retries, rate_limit=rate_limit,
                                        validate_certs=validate_certs, ca_bundle=ca_bundle, pool_size=pool_size,
                                        secrets=secrets)
        self.signature_version = signature_version
        self.api_version = api_version or self.API.version

    def call(self, action, params):
        """Call ``action`` with ``params`` (a dict of strings); return the answer's JSON object.

        Every string of the answer is made safe to show (see safe_text.safe_string). Raises
        AnswerError for an error answer or one that cannot be read, TransportError when no
        answer came, after the retries the error and the timeout allow; ConfigurationError at
        once when the request cannot be built. No error's text holds a secret.
        """
        params = dict((k, v) for k, v in params.items() if v is not None)
        return self._run(lambda deadline: self._send(action, params, deadline), action)

    def _prepare(self, action, params):
        creds, nonce, timestamp = self._signing_inputs()
        if creds is None:
            query = dict(params, Action=action, Version=self.api_version, Format="JSON", Timestamp=timestamp)
            return "%s/?%s" % (self.base_url, signer.canonical_query_string(query)), {}
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

    def _send(self, action, params, deadline):
        response, raw = self._exchange(action, "POST", lambda: self._prepare(action, params), deadline)
        return self._parse(response, raw)

    def _parse(self, response, raw):
        status = response.status_code
        body, header_request_id, retry_after = read_json_answer(response, raw)
        request_id = body.get("RequestId") or header_request_id
        request_id = str(request_id) if request_id is not None else None
        code = body.get("Code")
        code = str(code) if code is not None and code != "" else None
        message = body.get("Message")
        message = str(message) if message is not None else None
        if status >= 400 or body.get("Success") is False:
            raise AnswerError(code, message, status, request_id, retry_after, api=self.API)
        # An error code in a 200 answer without Data is an error, whatever the status says.
        if code is not None and not is_success_code(code) and body.get("Success") is not True and body.get("Data") is None:
            raise AnswerError(code, message or "the answer has status %s but carries this error code and no Data" % status,
                              status, request_id, retry_after, api=self.API)
        return body


class OnsClient(RpcClient):
    """Signed calls to the ONS API (RPC style, ``POST /``) over one keep-alive session (see RpcClient and ApiClient).

    ``signature_version`` is ``v3`` (ACS3-HMAC-SHA256) or ``v1`` (HMAC-SHA1).
    """

    API = ONS

    def __init__(self, credentials, base_url, signature_version="v3", timeout=10.0, retries=5,
                 rate_limit=10.0, validate_certs=True, ca_bundle=None, pool_size=10, api_version=API_VERSION):
        super(OnsClient, self).__init__(credentials, base_url, signature_version=signature_version, timeout=timeout,
                                        retries=retries, rate_limit=rate_limit, validate_certs=validate_certs,
                                        ca_bundle=ca_bundle, pool_size=pool_size, api_version=api_version)


def connect(params, ecs_fetch=None):
    """Return ``(client, secrets)``: an OnsClient built from ``params`` and the secrets it holds.

    ``params`` is a dict of ons_module.ONS_ARGUMENT_SPEC's option names with their defaults filled in, best
    passed through check_connection_options first. Credentials come from the chain of
    credentials.resolve_credentials; ``ecs_fetch(role_name)`` gets those of an ECS RAM role (default
    fetch_ecs_credentials). ``secrets`` are the values that must never appear in output: scrub them
    (see safe_text) from whatever is shown, and close the client when done.

    Raises CredentialError when no credentials can be found or loaded (shown as ``Failed to find
    credentials: <message>``), ValueError naming the option for a setting the client cannot take,
    RuntimeError when the Python library requests is missing (see client.REQUESTS_IMPORT_ERROR).
    """
    def make(credentials, region):
        return OnsClient(credentials, resolve_endpoint(region, params["network"], params["endpoint"]),
                         signature_version=params["signature_version"], timeout=params["timeout"],
                         retries=params["retries"], rate_limit=params["rate_limit"],
                         validate_certs=params["validate_certs"], ca_bundle=params["ca_bundle"], pool_size=POOL_SIZE)

    return open_client(params, make, ecs_fetch)
