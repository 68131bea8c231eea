# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Alibaba Cloud request signatures: V3 ``ACS3-HMAC-SHA256`` and V1 RPC ``HMAC-SHA1``.

Both directions live here: the emulator verifies with the same primitives that its test
client and benchmark sign with, and the tests pin those primitives to the published vectors.
"""

import base64
import datetime
import hashlib
import hmac
import uuid
from urllib.parse import quote, unquote

V3_ALGORITHM = 'ACS3-HMAC-SHA256'
EMPTY_SHA256 = hashlib.sha256(b'').hexdigest()
TIMESTAMP_FORMAT = '%Y-%m-%dT%H:%M:%SZ'

# Headers every V3 request must sign; without them a signature could be replayed
# against another action or with another nonce.
V3_REQUIRED_SIGNED = ('host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256')


def percent_encode(value):
    """RFC 3986 encoding as Alibaba signs it: only ``A-Za-z0-9-_.~`` stay literal, space is %20."""
    return quote(str(value), safe='~')


def canonical_uri(path):
    """The canonical URI of a V3 request: each segment of ``path`` percent-encoded RFC 3986 style.

    RPC requests use ``/``. ROA paths carry names in their segments (a group ID with ``%`` or
    ``/`` in it); each segment is decoded first, so that a path sent already encoded (as the
    official SDK sends it) and the same path in plain text give the same canonical URI, as long
    as no plain segment holds ``%`` or ``/`` (those must travel encoded).
    """
    if not path or path == '/':
        return '/'
    return '/'.join(percent_encode(unquote(segment)) for segment in path.split('/'))


def canonical_query(pairs):
    """Sorted ``k=v`` pairs, keys and values percent-encoded, joined by ``&``."""
    encoded = sorted((percent_encode(k), percent_encode(v)) for k, v in pairs)
    return '&'.join('%s=%s' % kv for kv in encoded)


def sha256_hex(data):
    """Hex SHA-256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def v3_canonical_request(method, path, query_pairs, headers, signed_headers, payload_hash):
    """Build the V3 canonical request.

    ``path`` is the request path (see :func:`canonical_uri`); ``headers`` maps lowercase
    names to a list of values; ``signed_headers`` is the ordered list of lowercase names
    taken from the Authorization header.
    """
    lines = []
    for name in signed_headers:
        values = sorted(str(v).strip() for v in headers.get(name, []))
        lines.append('%s:%s\n' % (name, ','.join(values)))
    return '\n'.join([method.upper(), canonical_uri(path), canonical_query(query_pairs), ''.join(lines), ';'.join(signed_headers), payload_hash])


def v3_string_to_sign(canonical_request):
    """``ACS3-HMAC-SHA256\\n`` + hex SHA-256 of the canonical request."""
    return '%s\n%s' % (V3_ALGORITHM, sha256_hex(canonical_request.encode('utf-8')))


def v3_signature(secret, string_to_sign):
    """Hex HMAC-SHA256 of the string to sign with the access key secret."""
    return hmac.new(secret.encode('utf-8'), string_to_sign.encode('utf-8'), hashlib.sha256).hexdigest()


def parse_authorization(value):
    """Split a V3 Authorization header into (algorithm, key id, signed header names, signature).

    Raises ValueError naming what is missing or malformed.
    """
    value = (value or '').strip()
    algorithm, _sep, rest = value.partition(' ')
    if algorithm != V3_ALGORITHM:
        raise ValueError('unsupported signature algorithm %r (expected %s)' % (algorithm[:40], V3_ALGORITHM))
    fields = {}
    for part in rest.split(','):
        name, sep, val = part.strip().partition('=')
        if sep:
            fields[name.strip()] = val.strip()
    missing = [n for n in ('Credential', 'SignedHeaders', 'Signature') if not fields.get(n)]
    if missing:
        raise ValueError('Authorization header lacks %s' % ', '.join(missing))
    signed = fields['SignedHeaders'].split(';')
    if any(not h or h != h.lower() for h in signed):
        raise ValueError('SignedHeaders must be lowercase names separated by ";"')
    return algorithm, fields['Credential'], signed, fields['Signature']


def v1_string_to_sign(method, pairs):
    """``METHOD&%2F&`` + percent-encoded canonical query of every parameter but Signature."""
    return '%s&%s&%s' % (method.upper(), percent_encode('/'), percent_encode(canonical_query((k, v) for k, v in pairs if k != 'Signature')))


def v1_signature(secret, string_to_sign):
    """Base64 HMAC-SHA1 keyed with ``secret + '&'``."""
    digest = hmac.new((secret + '&').encode('utf-8'), string_to_sign.encode('utf-8'), hashlib.sha1).digest()
    return base64.b64encode(digest).decode('ascii')


def utc_timestamp(when=None):
    """Format a timestamp the way both signature versions expect (UTC, second precision)."""
    when = when or datetime.datetime.now(datetime.timezone.utc)
    return when.strftime(TIMESTAMP_FORMAT)


def parse_timestamp(value):
    """Parse ``%Y-%m-%dT%H:%M:%SZ`` (fractional seconds tolerated) into an aware datetime.

    Raises ValueError when the value is not in that format.
    """
    text = (value or '').strip()
    for fmt in (TIMESTAMP_FORMAT, '%Y-%m-%dT%H:%M:%S.%fZ'):
        try:
            return datetime.datetime.strptime(text, fmt).replace(tzinfo=datetime.timezone.utc)
        except ValueError:
            continue
    raise ValueError('timestamp %r is not in the format YYYY-MM-DDThh:mm:ssZ' % text[:40])


def new_nonce():
    """A fresh signature nonce."""
    return uuid.uuid4().hex


def sign_v3(method, host, path, params, action, version, access_key_id, secret, security_token=None,
            body=b'', content_type=None, date=None, nonce=None, extra_headers=None):
    """Return the headers (including Authorization) that sign a request with V3.

    ``path`` is ``/`` for RPC requests, the resource path for ROA ones, percent-encoded segment
    by segment as it is sent (see :func:`canonical_uri`); ``params`` go in the query string; ``body`` (bytes) is hashed into
    x-acs-content-sha256.
    """
    headers = {
        'host': host,
        'x-acs-action': action,
        'x-acs-version': version,
        'x-acs-date': date or utc_timestamp(),
        'x-acs-signature-nonce': nonce or new_nonce(),
        'x-acs-content-sha256': sha256_hex(body or b''),
    }
    if content_type:
        headers['content-type'] = content_type
    if security_token:
        headers['x-acs-security-token'] = security_token
    headers.update(extra_headers or {})
    names = sorted(headers)
    canonical = v3_canonical_request(method, path, list(params.items()), {k: [v] for k, v in headers.items()}, names, headers['x-acs-content-sha256'])
    signature = v3_signature(secret, v3_string_to_sign(canonical))
    headers['Authorization'] = '%s Credential=%s,SignedHeaders=%s,Signature=%s' % (V3_ALGORITHM, access_key_id, ';'.join(names), signature)
    return headers


def sign_v1(method, params, access_key_id, secret, security_token=None, timestamp=None, nonce=None):
    """Return ``params`` plus the V1 common parameters and the Signature."""
    signed = dict(params)
    signed.update({
        'AccessKeyId': access_key_id,
        'Format': signed.get('Format', 'JSON'),
        'SignatureMethod': 'HMAC-SHA1',
        'SignatureVersion': '1.0',
        'SignatureNonce': nonce or new_nonce(),
        'Timestamp': timestamp or utc_timestamp(),
    })
    if security_token:
        signed['SecurityToken'] = security_token
    signed['Signature'] = v1_signature(secret, v1_string_to_sign(method, signed.items()))
    return signed
