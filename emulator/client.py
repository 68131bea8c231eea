# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small signed client (standard library, keep-alive) for the emulator's tests and benchmark:
ONS RPC requests with :meth:`Client.request`, RocketMQ 5.x ROA requests with :meth:`Client.roa`.

It signs every request for real (V3 or V1), so it exercises the emulator the way the
collection and the official SDKs do. It is not the collection's client.
"""

import http.client
import json
from urllib.parse import quote, urlencode, urlsplit

from emulator import API_VERSION, signing
from emulator.rocketmq5 import API_VERSION as V5_API_VERSION


def roa_path(*segments):
    """A ROA path from plain segments, each percent-encoded: ``roa_path('instances', 'rmq-x')``."""
    return '/' + '/'.join(signing.percent_encode(s) for s in segments)


class Response(object):
    """Status, headers and body of one answer."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        """The body parsed as JSON."""
        return json.loads(self.body.decode('utf-8'))

    @property
    def code(self):
        """The error code of an error envelope (None on success); either casing."""
        try:
            body = self.json()
        except ValueError:
            return None
        if not isinstance(body, dict) or body.get('success') is True:
            return None
        return body.get('Code') or body.get('code')


class Client(object):
    """Signs and sends RPC requests over one keep-alive connection."""

    def __init__(self, url, access_key_id, access_key_secret, security_token=None, signature='v3', timeout=10.0):
        parts = urlsplit(url)
        self.host = parts.hostname
        self.port = parts.port or 80
        self.netloc = parts.netloc
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.security_token = security_token
        self.signature = signature
        self.timeout = timeout
        self._conn = None

    def _connection(self):
        if self._conn is None:
            self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self._conn

    def close(self):
        """Close the connection."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def request(self, action, params=None, version=API_VERSION, method='POST', in_body=False, sign_overrides=None):
        """Send one signed request and return a :class:`Response`.

        ``in_body`` sends the parameters as a form body instead of the query string.
        ``sign_overrides`` (V3: headers; V1: parameters) replace signed values, for error tests.
        """
        params = dict(params or {})
        overrides = dict(sign_overrides or {})
        body = b''
        headers = {}
        if self.signature == 'v3':
            content_type = None
            query = params
            if in_body:
                body = urlencode(params).encode('utf-8')
                content_type = 'application/x-www-form-urlencoded'
                query = {}
            headers = signing.sign_v3(method, self.netloc, '/', query, action, version, self.access_key_id, self.access_key_secret,
                                      self.security_token, body=body, content_type=content_type,
                                      date=overrides.pop('x-acs-date', None), nonce=overrides.pop('x-acs-signature-nonce', None))
            headers.update(overrides)
            path = '/?' + urlencode(query) if query else '/'
        else:
            params.update({'Action': action, 'Version': version})
            signed = signing.sign_v1(method, params, self.access_key_id, self.access_key_secret, self.security_token,
                                     timestamp=overrides.pop('Timestamp', None), nonce=overrides.pop('SignatureNonce', None))
            signed.update(overrides)
            if in_body:
                body = urlencode(signed).encode('utf-8')
                headers['content-type'] = 'application/x-www-form-urlencoded'
                path = '/'
            else:
                path = '/?' + urlencode(signed)
        return self._send(method, path, body, headers)

    def roa(self, action, path, query=None, method='GET', version=V5_API_VERSION, sign_overrides=None, space='+'):
        """Send one signed ROA request (RocketMQ 5.x) and return a :class:`Response`.

        ``path`` is percent-encoded segment by segment (see :func:`roa_path`); ``query`` goes in
        the query string, a space written as ``+`` (what the official SDK sends) or ``%20``.
        ``sign_overrides`` are headers that replace signed values, for error tests.
        """
        query = dict((k, str(v)) for k, v in (query or {}).items())
        overrides = dict(sign_overrides or {})
        headers = signing.sign_v3(method, self.netloc, path, query, action, version, self.access_key_id, self.access_key_secret,
                                  self.security_token, date=overrides.pop('x-acs-date', None), nonce=overrides.pop('x-acs-signature-nonce', None))
        headers.update(overrides)
        if query:
            path += '?' + (urlencode(query) if space == '+' else urlencode(query, quote_via=quote, safe='~'))
        return self._send(method, path, b'', headers)

    def _send(self, method, path, body, headers):
        conn = self._connection()
        try:
            conn.request(method, path, body=body or None, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
        except (http.client.HTTPException, OSError):
            self.close()
            raise
        if resp.getheader('Connection', '').lower() == 'close':
            self.close()
        return Response(resp.status, dict((k.lower(), v) for k, v in resp.getheaders()), data)
