# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# FOR INTERNAL COLLECTION USE ONLY: the interfaces of this file serve the apsaramq.rocketmq collection
# and may change in any release; modules, plugins and roles are the public interface.

"""Request signing for Alibaba Cloud APIs.

Two schemes are supported:

* ``ACS3-HMAC-SHA256`` (signature V3), what current official SDKs send by default, for RPC-style
  APIs (ONS: ``POST /``) and ROA-style ones (RocketMQ 5.x: a method on a resource path, whose
  canonical URI is the path with each segment percent-encoded, see encode_path).
* ``HMAC-SHA1`` RPC signature (signature V1), used by older SDKs and the aliyun CLI.

The functions here are pure: they take every input (time, nonce) as an argument so that the
published test vectors can be reproduced exactly.
"""

import base64
import hashlib
import hmac

from urllib.parse import quote

V3_ALGORITHM = "ACS3-HMAC-SHA256"
V1_METHOD = "HMAC-SHA1"
V1_VERSION = "1.0"
EMPTY_BODY_SHA256 = hashlib.sha256(b"").hexdigest()
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def percent_encode(value):
    """Percent-encode ``value`` the way Alibaba Cloud signatures require (RFC 3986).

    Only ``A-Z a-z 0-9 - _ . ~`` stay literal; a space becomes ``%20`` and hex digits are upper case.
    """
    if not isinstance(value, str):
        value = str(value)
    return quote(value.encode("utf-8"), safe="-_.~")


def encode_path(segments):
    """Return the ROA resource path of ``segments``: ``/`` and each segment percent-encoded (see percent_encode).

    This is both the path sent and the canonical URI signed, so that what is signed is what the
    server reads: a ``%`` in a group ID travels as ``%25``, a ``/`` inside a segment as ``%2F``, a
    space as ``%20``. An empty segment, ``.`` or ``..`` raises ValueError: an HTTP library would
    collapse it, and the request would reach another resource than the one signed.
    """
    encoded = []
    for segment in segments:
        text = segment if isinstance(segment, str) else str(segment)
        if text in ("", ".", ".."):
            raise ValueError("%r cannot be a segment of a resource path" % text)
        encoded.append(percent_encode(text))
    return "/" + "/".join(encoded)


def canonical_query_string(params):
    """Return the sorted, encoded ``k=v&...`` form of ``params`` (a mapping)."""
    pairs = sorted((percent_encode(k), percent_encode(v)) for k, v in params.items())
    return "&".join("%s=%s" % pair for pair in pairs)


def _hex_sha256(data):
    return hashlib.sha256(data).hexdigest()


def v3_canonical_request(method, path, query, headers, body_sha256):
    """Build the V3 canonical request.

    ``headers`` maps header names to values; every header given here is signed, so pass exactly
    the ``host``, ``x-acs-*`` and (when sent) ``content-type`` headers.
    Returns ``(canonical_request, signed_header_names)``.
    """
    lowered = {}
    for name, value in headers.items():
        lowered[name.strip().lower()] = str(value).strip()
    names = sorted(lowered)
    canonical_headers = "".join("%s:%s\n" % (name, lowered[name]) for name in names)
    signed_headers = ";".join(names)
    canonical = "\n".join([
        method.upper(),
        path or "/",
        canonical_query_string(query),
        canonical_headers,
        signed_headers,
        body_sha256,
    ])
    return canonical, signed_headers


def v3_sign(secret, method, path, query, headers, body_sha256):
    """Return ``(signature_hex, signed_header_names, hashed_canonical_request)`` for a V3 request."""
    canonical, signed_headers = v3_canonical_request(method, path, query, headers, body_sha256)
    hashed = _hex_sha256(canonical.encode("utf-8"))
    string_to_sign = "%s\n%s" % (V3_ALGORITHM, hashed)
    signature = hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    return signature, signed_headers, hashed


def v3_headers(access_key_id, secret, host, action, version, query, date, nonce, security_token=None, body=b"",
               method="POST", path="/"):
    """Return the complete header set, ``Authorization`` included, for a V3-signed call.

    ``date`` is a ``TIMESTAMP_FORMAT`` string in UTC; ``nonce`` must be unique per request. An RPC
    call is ``POST /`` (the defaults); a ROA call gives its ``method`` and its ``path`` as sent,
    already encoded by encode_path.
    """
    headers = {
        "host": host,
        "x-acs-action": action,
        "x-acs-version": version,
        "x-acs-date": date,
        "x-acs-signature-nonce": nonce,
        "x-acs-content-sha256": _hex_sha256(body) if body else EMPTY_BODY_SHA256,
    }
    if security_token:
        headers["x-acs-security-token"] = security_token
    signature, signed_headers, dummy = v3_sign(secret, method, path, query, headers, headers["x-acs-content-sha256"])
    headers["Authorization"] = "%s Credential=%s,SignedHeaders=%s,Signature=%s" % (
        V3_ALGORITHM, access_key_id, signed_headers, signature)
    return headers


def v1_string_to_sign(method, params):
    """Return the V1 StringToSign for ``params`` (every parameter except ``Signature``)."""
    query = canonical_query_string(dict((k, v) for k, v in params.items() if k != "Signature"))
    return "%s&%s&%s" % (method.upper(), percent_encode("/"), percent_encode(query))


def v1_sign(secret, method, params):
    """Return the Base64 HMAC-SHA1 V1 signature of ``params``."""
    string_to_sign = v1_string_to_sign(method, params)
    digest = hmac.new((secret + "&").encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def v1_params(access_key_id, secret, action, version, params, timestamp, nonce, security_token=None, method="POST"):
    """Return ``params`` with the V1 common parameters and the ``Signature`` added."""
    signed = dict(params)
    signed.update({
        "Action": action,
        "Version": version,
        "Format": "JSON",
        "AccessKeyId": access_key_id,
        "SignatureMethod": V1_METHOD,
        "SignatureVersion": V1_VERSION,
        "SignatureNonce": nonce,
        "Timestamp": timestamp,
    })
    if security_token:
        signed["SecurityToken"] = security_token
    signed["Signature"] = v1_sign(secret, method, signed)
    return signed
