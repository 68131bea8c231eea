# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The client of the ApsaraMQ for RocketMQ 5.x management API (product ``RocketMQ``, version ``2022-08-01``).

The API is ROA style: ``GET`` on a resource path such as
``/instances/{instanceId}/consumerGroups/{consumerGroupId}/connections``, the parameters in the
query string, each path segment percent-encoded and signed as sent (signer.encode_path). Its
answers are a camelCase envelope ``{requestId, success, code, message, data}``; the gateway's own
errors (signature, access key, RAM, throttling) use PascalCase ``{RequestId, Code, Message}``.
Both are read here.

The transport (credentials, rate limit, retries, one deadline per call, secret scrubbing) is
client.ApiClient, shared with the ONS client, and the errors are the same OnsError family, so that
a caller handles a failed call of either API alike.
"""

from ansible_collections.apsaramq.rocketmq.plugins.module_utils import signer
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.client import (
    NETWORKS,
    ApiClient,
    OnsApiError,
    OnsConfigurationError,
    OnsResponseError,
    is_success_code,
    read_json_answer,
)
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.generations import is_not_found
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.response import get_list, get_object, get_scalar
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.validation import check_region, parse_endpoint

API_VERSION = "2022-08-01"
# A code ending so says the resource asked for does not exist: a definitive answer, never retried.
# Throttling codes of this API's gateway and service; the ``Throttling*`` ones are retried by
# retry.is_retryable already, ``Rejected.Throttling`` is added here.
THROTTLING_CODES = frozenset(["Throttling", "Throttling.User", "Throttling.Api", "Rejected.Throttling"])
# No listing of a region or an instance has this many pages of 100: an answer that keeps
# promising more is not one to follow for ever.
MAX_PAGES = 1000
DEFAULT_PAGE_SIZE = 100


def resolve_rmq_endpoint(region=None, network="public", endpoint=None):
    """Return the base URL (``scheme://host[:port]``) of the RocketMQ 5.x API.

    ``endpoint`` (a host name, ``host:port``, or an ``http(s)://`` URL) wins over ``region`` and
    ``network``; else ``https://rocketmq.<region>.aliyuncs.com``, or with ``network='vpc'``
    ``https://rocketmq-vpc.<region>.aliyuncs.com`` (the SDK's generic VPC rule: not confirmed by a
    published endpoint list). Raises ValueError with a message that names the parameter at fault.
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
    prefix = "rocketmq-vpc" if network == "vpc" else "rocketmq"
    return "https://%s.%s.aliyuncs.com" % (prefix, region)


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
    """Return the OnsApiError of an error answer of this API, classified.

    Its attribute ``not_found`` says whether the code is a not-found one (is_not_found): such an
    error is definitive and never retried, whatever its HTTP status. THROTTLING_CODES are retried.
    """
    error = OnsApiError(code, message, http_status, request_id, retry_after)
    error.not_found = is_not_found(error.code)
    if error.not_found:
        error.retryable = False
    elif error.code in THROTTLING_CODES:
        error.retryable = True
    return error


def _message(body):
    # dynamicMessage is the message with the name the plain one leaves out filled in.
    message = _text(body, "dynamicMessage") or _text(body, "message", "Message")
    dynamic_code = _text(body, "dynamicCode")
    if dynamic_code and (not message or dynamic_code not in message):
        message = "%s (%s)" % (message, dynamic_code) if message else dynamic_code
    return message


def parse_answer(response, raw):
    """Return the JSON envelope of an answer of this API; raise the OnsError it amounts to.

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


class RmqClient(ApiClient):
    """Signed ``GET`` calls to the RocketMQ 5.x API over one keep-alive session (see client.ApiClient).

    Signed with ACS3-HMAC-SHA256 only: the API takes no other signature.
    """

    def __init__(self, credentials, base_url, timeout=10.0, retries=5, rate_limit=10.0, validate_certs=True,
                 ca_bundle=None, pool_size=10, api_version=API_VERSION):
        super(RmqClient, self).__init__(credentials, base_url, timeout=timeout, retries=retries, rate_limit=rate_limit,
                                        validate_certs=validate_certs, ca_bundle=ca_bundle, pool_size=pool_size)
        self.api_version = api_version

    def get(self, action, segments, params=None):
        """``GET`` the resource at the path of ``segments`` as operation ``action``; return the answer's JSON envelope.

        ``segments`` are the path's parts unencoded (``["instances", instance_id, "consumerGroups",
        group_id]``); ``params`` the query (None values left out, booleans as ``true``/``false``).
        Every string of the answer is made safe to show. Raises OnsApiError for an error answer
        (its ``not_found`` set, see api_error) or one that cannot be read, OnsTransportError when
        no answer came, after the retries the error and the timeout allow; OnsConfigurationError at
        once when the request cannot be built. No error's text holds a secret.
        """
        try:
            path = signer.encode_path(segments)
        except ValueError as exc:
            raise OnsConfigurationError("%s: %s" % (action, exc))
        query = {}
        for key, value in (params or {}).items():
            if value is not None:
                query[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
        return self._run(lambda deadline: self._send(action, path, query, deadline))

    def get_pages(self, action, segments, params=None, page_size=DEFAULT_PAGE_SIZE):
        """``GET`` every page of a listing (``pageNumber``/``pageSize``, ``data.list``, ``data.totalCount``).

        Pages are asked for from 1 until as many items as ``totalCount`` are read, a page comes
        back empty, or (without ``totalCount``) a page holds fewer than ``page_size`` items.
        Returns ``{"items", "total_count", "request_id", "request_ids"}``: the items of every page
        in order, the last ``totalCount`` (None if never given), the first page's request ID and
        every page's. A failed page raises its OnsError: a partial list would hide resources.
        """
        items, request_ids, total = [], [], None
        page = 1
        while True:
            body = self.get(action, segments, dict(params or {}, pageNumber=page, pageSize=page_size))
            request_id = request_id_of(body)
            request_ids.append(request_id)
            data = get_object(body, "data", required=True, request_id=request_id)
            rows = get_list(data, "list", request_id=request_id)
            total = get_scalar(data, "totalCount", int, request_id=request_id)
            if total is not None and total < 0:
                raise OnsResponseError("totalCount is %d: it counts items and cannot be negative" % total,
                                       request_id=request_id)
            items.extend(rows)
            if not rows or (len(items) >= total if total is not None else len(rows) < page_size):
                break
            if page >= MAX_PAGES:
                raise OnsResponseError("the listing %s still promises more items after %d pages (totalCount %s)" % (
                    action, page, total), request_id=request_id)
            page += 1
        return {"items": items, "total_count": total, "request_id": request_ids[0], "request_ids": request_ids}

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
