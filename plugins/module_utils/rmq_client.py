# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# FOR INTERNAL COLLECTION USE ONLY: the interfaces of this file serve the apsaramq.rocketmq collection
# and may change in any release; modules, plugins and roles are the public interface.

"""The client of the ApsaraMQ for RocketMQ 5.x management API (product ``RocketMQ``, version ``2022-08-01``).

The API is ROA style: ``GET`` on a resource path such as
``/instances/{instanceId}/consumerGroups/{consumerGroupId}/connections``, the parameters in the
query string, each path segment percent-encoded and signed as sent (signer.encode_path). Its
answers are a camelCase envelope ``{requestId, success, code, message, data}``; the gateway's own
errors (signature, access key, RAM, throttling) use PascalCase ``{RequestId, Code, Message}``.
Both are read here.

The transport (credentials, rate limit, retries, one deadline per call, secret scrubbing) is
client.ApiClient, shared with the ONS client, and the errors are the same ApiError family, so that
a caller handles a failed call of either API alike.
"""

import json

from ansible_collections.apsaramq.rocketmq.plugins.module_utils import signer
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.client import (
    POOL_SIZE,
    ApiClient,
    is_success_code,
    open_client,
    resolve_endpoint,
    read_json_answer,
)
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.apis import RMQ
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.errors import AnswerError, ConfigurationError, InvalidAnswerError
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.response import get_list, get_object, get_scalar

API_VERSION = RMQ.version
# The most pages a listing is followed for: 100 pages of 100 rows are 10,000 groups or instances,
# ten times the 1,000 groups an instance may have by default. A listing that promises more, or
# keeps giving new rows past it, is refused (InvalidAnswerError) rather than followed for minutes:
# at 10 calls per second, 100 pages already take 10 s.
MAX_PAGES = 100
DEFAULT_PAGE_SIZE = 100
# How many row IDs an error about a listing quotes.
QUOTED_ROWS = 3


def resolve_rmq_endpoint(region=None, network="public", endpoint=None):
    """Return the base URL of the RocketMQ 5.x API: client.resolve_endpoint for apis.RMQ."""
    return resolve_endpoint(region, network, endpoint, api=RMQ)


def vpc_endpoint_advice(host):
    """What to tell when ``host``, the VPC endpoint of the 5.x API that ``network: vpc`` derives, does not resolve.

    Alibaba Cloud publishes no VPC endpoint of the 5.x API: the name follows its rule for VPC
    endpoints (apis.RMQ), an inference that may be wrong in a region.
    """
    return ("the host %s does not resolve: it is the name network vpc infers for the RocketMQ 5.x API (Alibaba Cloud "
            "publishes no VPC endpoint for it); set the option endpoint (rmq_endpoint for the gate) to the 5.x API's "
            "endpoint you can reach, or use network public" % host)


def _text(body, *keys):
    """The first of ``keys`` that ``body`` has with a value other than None or "", as text; else None."""
    for key in keys:
        value = body.get(key)
        if value is not None and value != "":
            return value if isinstance(value, str) else str(value)
    return None


def request_id_of(body):
    """Return the request ID of an answer of either casing (``requestId``, ``RequestId``), or None."""
    return _text(body, "requestId", "RequestId")


def api_error(code, message, http_status=None, request_id=None, retry_after=None):
    """Return the AnswerError of an error answer of this API, classified by apis.RMQ.

    Its attribute ``not_found`` says whether the code is a not-found one: such an error is
    definitive and never retried, whatever its HTTP status; throttling codes are retried.
    """
    return AnswerError(code, message, http_status, request_id, retry_after, api=RMQ)


def _message(body):
    # dynamicMessage is the message with the name the plain one leaves out filled in.
    message = _text(body, "dynamicMessage") or _text(body, "message", "Message")
    dynamic_code = _text(body, "dynamicCode")
    if dynamic_code and (not message or dynamic_code not in message):
        message = "%s (%s)" % (message, dynamic_code) if message else dynamic_code
    return message


def parse_answer(response, raw):
    """Return the JSON envelope of an answer of this API; raise the ApiError it amounts to.

    An error is an HTTP status of 400 or more, ``success: false`` (also with HTTP 200), an
    ``httpStatusCode`` of 400 or more without ``success: true``, or an error code without ``data``;
    either casing of ``code``, ``message`` and ``requestId`` is read. A body that is not a JSON
    object raises as client.read_json_answer says.
    """
    status = response.status_code
    body, header_request_id, retry_after = read_json_answer(response, raw)
    request_id = request_id_of(body) or header_request_id
    code = _text(body, "code", "Code")
    success = body.get("success", body.get("Success"))
    body_status = body.get("httpStatusCode")
    body_error_status = isinstance(body_status, int) and not isinstance(body_status, bool) and body_status >= 400
    if status >= 400 or success is False or (body_error_status and success is not True):
        return_status = status if status >= 400 else (body_status if body_error_status else status)
        raise api_error(code, _message(body), return_status, request_id, retry_after)
    if code is not None and not is_success_code(code) and success is not True and body.get("data") is None:
        raise api_error(code, _message(body) or "the answer has status %s but carries this error code and no data" % status,
                        status, request_id, retry_after)
    return body


def _count(number, noun):
    return "%d %s%s" % (number, noun, "" if number == 1 else "s")


def _row_key(row, key):
    """What identifies a row of a listing: its ``key`` field (its fields, for a tuple), else (without one) its whole content."""
    names = key if isinstance(key, tuple) else (key,) if key else ()
    values = [row.get(name) for name in names]
    if values and all(isinstance(value, (str, int)) and not isinstance(value, bool) and value != "" for value in values):
        return values[0] if len(values) == 1 else " at ".join(str(value) for value in values)
    return json.dumps(row, sort_keys=True)


def _quote(keys):
    shown = ", ".join(str(item) for item in keys[:QUOTED_ROWS])
    return shown + (" and %d more" % (len(keys) - QUOTED_ROWS) if len(keys) > QUOTED_ROWS else "")


class RmqClient(ApiClient):
    """Signed ``GET`` calls to the RocketMQ 5.x API over one keep-alive session (see client.ApiClient).

    Signed with ACS3-HMAC-SHA256 only: the API takes no other signature.
    """

    API = RMQ

    def __init__(self, credentials, base_url, timeout=10.0, retries=5, rate_limit=10.0, validate_certs=True,
                 ca_bundle=None, pool_size=10, api_version=API_VERSION):
        super(RmqClient, self).__init__(credentials, base_url, timeout=timeout, retries=retries, rate_limit=rate_limit,
                                        validate_certs=validate_certs, ca_bundle=ca_bundle, pool_size=pool_size)
        self.api_version = api_version

    def get(self, action, segments, params=None):
        """``GET`` the resource at the path of ``segments`` as operation ``action``; return the answer's JSON envelope.

        ``segments`` are the path's parts unencoded (``["instances", instance_id, "consumerGroups",
        group_id]``); ``params`` the query (None values left out, booleans as ``true``/``false``).
        Every string of the answer is made safe to show. Raises AnswerError for an error answer
        (its ``not_found`` set, see api_error) or one that cannot be read, TransportError when
        no answer came, after the retries the error and the timeout allow; ConfigurationError at
        once when the request cannot be built. No error's text holds a secret.
        """
        try:
            path = signer.encode_path(segments)
        except ValueError as exc:
            raise ConfigurationError("%s: %s" % (action, exc))
        query = {}
        for key, value in (params or {}).items():
            if value is not None:
                query[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
        return self._run(lambda deadline: self._send(action, path, query, deadline), action)

    def get_pages(self, action, segments, params=None, page_size=DEFAULT_PAGE_SIZE, key=None, noun="row", enough=None,
                  counts=None):
        """``GET`` every page of a listing (``pageNumber``/``pageSize``, ``data.list``, ``data.totalCount``), all or nothing.

        ``key`` is the field that identifies a row (``consumerGroupId``, ``instanceId``), or a tuple
        of fields (``("messageId", "storeTime")``): rows are counted and kept once by it (a row
        without it, by its whole content); ``noun`` names a row in errors. Returns ``{"items",
        "total_count", "complete", "request_id", "request_ids"}``: the distinct rows in the order
        first listed, the last ``totalCount`` given (None if never), whether every page was read,
        the first page's request ID and every page's.

        A page whose ``data`` has a ``scrollId`` (ListMessages) has it sent on the next pages as
        ``scrollId``, beside ``pageNumber``; the last one given is sent.

        With ``enough``, the listing stops after the page that brings the distinct rows for which
        ``counts(row)`` is true (every row without ``counts``) to ``enough``: ``complete`` is false
        then, unless that page was the last anyway. Without it, ``complete`` is always true.

        Pages are asked for from 1 until the distinct rows reach ``totalCount``. A listing that
        cannot be whole raises InvalidAnswerError (``InvalidResponse``) naming the figures, never
        returns a shorter list:

        * an empty page before the distinct rows reach ``totalCount`` (the shortfall);
        * a page the same as an earlier one, or holding only rows already listed (a server that
          ignores ``pageNumber``, or that repeats itself);
        * a ``totalCount`` above MAX_PAGES pages of ``page_size`` (with ``enough``, only once
          MAX_PAGES pages did not bring it), or still more rows after MAX_PAGES pages.

        Without ``totalCount`` a page with fewer than ``page_size`` rows is the last; repetition is
        still an error. Rows may move between pages while the listing is read (a row created or
        deleted in the pages already read shifts the rest): a row listed again is kept once, and
        tolerated as long as each page brings a row not seen before and the distinct rows reach
        the largest ``totalCount`` any page gave. A move that made a row be skipped leaves them
        short of it, which is an error: the caller asks again rather than trusts a list that
        misses one. More distinct rows than ``totalCount`` (a row created while listing) are kept:
        they hide nothing.

        Every page is bounded by the deadline set with bound_by (DeadlineError between pages,
        naming how far the listing got); a failed page raises its ApiError.
        """
        rows_by_key, pages_seen, request_ids = {}, {}, []
        promised = last_total = first_total = scroll_id = None
        rows_read = counted = 0
        page = 0
        complete = True

        def held(with_total=True):
            # What the pages read so far held, for an error: "3 distinct groups (4 rows in 2 pages, totalCount 5)".
            return "%s (%s in %s%s)" % (_count(len(rows_by_key), "distinct " + noun), _count(rows_read, "row"),
                                        _count(len(request_ids), "page"),
                                        ", totalCount %d" % promised if with_total and promised is not None else "")

        while True:
            page += 1
            if page > 1:
                self.check_run_deadline(action, "page %d was not asked for, after %s: the listing is incomplete" % (
                    page, held()))
            body = self.get(action, segments, dict(params or {}, pageNumber=page, pageSize=page_size, scrollId=scroll_id))
            request_id = request_id_of(body)
            request_ids.append(request_id)
            data = get_object(body, "data", required=True, request_id=request_id)
            rows = get_list(data, "list", request_id=request_id)
            total = get_scalar(data, "totalCount", int, request_id=request_id)
            scroll_id = get_scalar(data, "scrollId", str, request_id=request_id) or scroll_id
            if total is not None:
                if total < 0:
                    raise InvalidAnswerError("totalCount is %d: it counts items and cannot be negative" % total,
                                             request_id=request_id)
                first_total = total if first_total is None else first_total
                last_total = total
                promised = total if promised is None else max(promised, total)
                if promised > MAX_PAGES * page_size and enough is None:
                    raise InvalidAnswerError("%s said totalCount %d: more than the %d pages of %d %ss this collection "
                                             "follows (MAX_PAGES); narrow the listing with a filter" % (
                                                 action, promised, MAX_PAGES, page_size, noun), request_id=request_id)
            keys = [_row_key(row, key) for row in rows]
            rows_read += len(rows)
            if rows:
                earlier = pages_seen.get(tuple(keys))
                if earlier is not None:
                    raise InvalidAnswerError("%s page %d is page %d again (the same %s): the server does not follow "
                                             "pageNumber; after %s the listing is incomplete" % (
                                                 action, page, earlier, _count(len(rows), noun), held()),
                                             request_id=request_id)
                pages_seen[tuple(keys)] = page
                if all(item in rows_by_key for item in keys):
                    raise InvalidAnswerError("%s page %d holds only %ss already listed (%s): the listing repeats itself; "
                                             "after %s it is incomplete" % (action, page, noun, _quote(keys), held()),
                                             request_id=request_id)
            for item, row in zip(keys, rows):
                if item not in rows_by_key:
                    rows_by_key[item] = row
                    counted += 1 if counts is None or counts(row) else 0
            if promised is not None:
                if len(rows_by_key) >= promised:
                    break
                if not rows:
                    changed = "" if first_total == last_total else "; totalCount went from %d to %d while listing" % (
                        first_total, last_total)
                    raise InvalidAnswerError("%s said totalCount %d but its pages held %s, the last one empty%s: the "
                                             "listing is incomplete" % (action, promised, held(False), changed),
                                             request_id=request_id)
            elif len(rows) < page_size:
                break
            if enough is not None and counted >= enough:
                complete = False
                break
            if page >= MAX_PAGES:
                raise InvalidAnswerError("%s still promises more %ss after %d pages (MAX_PAGES), which held %s: the "
                                         "listing is cut off" % (action, noun, page, held()), request_id=request_id)
        return {"items": list(rows_by_key.values()), "total_count": last_total, "complete": complete,
                "request_id": request_ids[0], "request_ids": request_ids}

    def _prepare(self, action, path, query):
        creds, nonce, timestamp = self._signing_inputs()
        headers = signer.v3_headers(creds.access_key_id, creds.access_key_secret, self.host, action, self.api_version,
                                    query, timestamp, nonce, creds.security_token, method="GET", path=path)
        # The query is encoded as it is signed: a space is sent as %20, never as +.
        url = "%s%s?%s" % (self.base_url, path, signer.canonical_query_string(query)) if query else self.base_url + path
        return url, headers

    def _send(self, action, path, query, deadline):
        response, raw = self._exchange(action, "GET", lambda: self._prepare(action, path, query), deadline)
        return parse_answer(response, raw)


def connect_rmq(params, ecs_fetch=None):
    """Return ``(client, secrets)``: an RmqClient built from ``params`` and the secrets it holds.

    ``params`` holds the connection options of the ONS modules (ons_module.ONS_ARGUMENT_SPEC's
    names: credentials, ``region``, ``network``, ``endpoint``, ``timeout``, ``retries``,
    ``rate_limit``, ``validate_certs``, ``ca_bundle``); ``signature_version`` is not read, as this
    API takes ACS3-HMAC-SHA256 only. The endpoint is ``endpoint``, else that of ``region`` and
    ``network`` (rmq_client.resolve_rmq_endpoint). Credentials come from the same chain as the
    ONS client's; ``ecs_fetch(role_name)`` gets those of an ECS RAM role.

    Raises CredentialError when no credentials can be found, ValueError naming the option for a
    setting the client cannot take, RuntimeError when the Python library requests is missing.
    """
    def make(credentials, region):
        network = params.get("network") or "public"
        base_url = resolve_rmq_endpoint(region, network, params.get("endpoint"))
        client = RmqClient(credentials, base_url, timeout=params.get("timeout", 10.0), retries=params.get("retries", 5),
                           rate_limit=params.get("rate_limit", 10.0), validate_certs=params.get("validate_certs", True),
                           ca_bundle=params.get("ca_bundle"), pool_size=POOL_SIZE)
        if network == "vpc" and not params.get("endpoint"):
            client.unresolved_advice = vpc_endpoint_advice(client.host)
        return client

    return open_client(params, make, ecs_fetch)
