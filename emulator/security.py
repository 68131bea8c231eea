# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Authentication (V3 and V1 signatures, timestamps, nonces, STS tokens) and RAM checks.

No message built here contains an access key secret or a security token.
"""

import base64
import collections
import datetime
import fnmatch
import hmac
import json
import threading
import time
import zlib

from emulator import signing
from emulator.errors import ApiError


class NonceStore(object):
    """Remembers (key id, nonce) pairs for a time window, bounded in size.

    When full, the oldest nonce is forgotten first; a bound on memory matters more for a
    long-running emulator than rejecting a replay older than the newest ``capacity`` nonces.
    """

    def __init__(self, window_seconds=900, capacity=100000):
        self.window = window_seconds
        self.capacity = capacity
        self._seen = collections.OrderedDict()
        self._lock = threading.Lock()

    def use(self, key_id, nonce, now=None):
        """Record a nonce; return False if it was already used within the window."""
        now = time.monotonic() if now is None else now
        item = (key_id, nonce)
        with self._lock:
            while self._seen:
                oldest, expiry = next(iter(self._seen.items()))
                if expiry > now and len(self._seen) < self.capacity:
                    break
                del self._seen[oldest]
            if item in self._seen:
                return False
            self._seen[item] = now + self.window
            return True

    def __len__(self):
        return len(self._seen)

    def clear(self):
        """Forget every nonce."""
        with self._lock:
            self._seen.clear()


class Request(object):
    """What authentication needs from an HTTP request."""

    def __init__(self, method, path, query_pairs, body, headers):
        self.method = method
        self.path = path
        self.query_pairs = query_pairs
        self.body = body
        # lowercase name -> list of values, as the canonical request wants them
        self.headers = headers

    def header(self, name):
        """First value of a header, or None."""
        values = self.headers.get(name.lower())
        return values[0] if values else None


def _check_timestamp(value, label, max_skew):
    try:
        when = signing.parse_timestamp(value)
    except ValueError:
        raise ApiError('InvalidTimeStamp.Format', 'Specified %s %r is not well formatted (expected YYYY-MM-DDThh:mm:ssZ in UTC).' % (label, value[:40]))
    skew = abs((datetime.datetime.now(datetime.timezone.utc) - when).total_seconds())
    if skew > max_skew:
        raise ApiError('InvalidTimeStamp.Expired', 'Specified %s %s is expired: it differs from the server time by %d seconds (at most %d allowed).'
                       % (label, value, skew, max_skew))


def _check_key(key, key_id, token):
    if key is None:
        raise ApiError('InvalidAccessKeyId.NotFound', 'Specified access key %s is not found.' % key_id[:64])
    if not key['enabled']:
        raise ApiError('InvalidAccessKeyId.Inactive', 'Specified access key %s is disabled.' % key_id)
    expected = key.get('security_token')
    if expected:
        if not token:
            raise ApiError('MissingSecurityToken', 'Access key %s is an STS key: send its security token (x-acs-security-token or SecurityToken).' % key_id)
        if not hmac.compare_digest(token.encode('utf-8'), expected.encode('utf-8')):
            raise ApiError('InvalidSecurityToken.MismatchWithAccessKey', 'Specified security token does not belong to access key %s.' % key_id)
        expires = key.get('expires')
        if expires is not None and time.time() * 1000 >= expires:
            raise ApiError('InvalidSecurityToken.Expired', 'Specified security token of access key %s is expired.' % key_id)


def authenticate_v3(req, params, keys, nonces, settings):
    """Verify a V3 request; return (key, action, version)."""
    try:
        _algorithm, key_id, signed, signature = signing.parse_authorization(req.header('authorization'))
    except ValueError as exc:
        raise ApiError('IncompleteSignature', 'The request signature does not conform to Aliyun standards: %s.' % exc)
    absent = [h for h in signing.V3_REQUIRED_SIGNED if h not in signed]
    if req.header('x-acs-security-token') is not None and 'x-acs-security-token' not in signed:
        absent.append('x-acs-security-token')
    if absent:
        raise ApiError('IncompleteSignature', 'The request signature does not conform to Aliyun standards: SignedHeaders lacks %s.' % ', '.join(absent))
    for name in ('x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256'):
        if not req.header(name):
            raise ApiError('MissingParameter', 'The input header "%s" that is mandatory for processing this request is not supplied.' % name)
    key = keys.get(key_id)
    _check_key(key, key_id, req.header('x-acs-security-token'))
    payload_hash = signing.sha256_hex(req.body)
    if req.header('x-acs-content-sha256').strip().lower() != payload_hash:
        raise ApiError('SignatureDoesNotMatch', 'Specified x-acs-content-sha256 does not match the SHA-256 of the request body.')
    canonical = signing.v3_canonical_request(req.method, req.path, req.query_pairs, req.headers, signed, req.header('x-acs-content-sha256').strip())
    string_to_sign = signing.v3_string_to_sign(canonical)
    expected = signing.v3_signature(key['access_key_secret'], string_to_sign)
    if not hmac.compare_digest(expected, signature.lower()):
        raise ApiError('SignatureDoesNotMatch', 'Specified signature is not matched with our calculation. server string to sign is:%s' % string_to_sign)
    _check_timestamp(req.header('x-acs-date'), 'x-acs-date', settings['max_skew_seconds'])
    if not nonces.use(key_id, req.header('x-acs-signature-nonce')):
        raise ApiError('SignatureNonceUsed', 'Specified signature nonce was used already.')
    action = req.header('x-acs-action') or params.get('Action')
    version = req.header('x-acs-version') or params.get('Version')
    return key, action, version


def authenticate_v1(req, pairs, params, keys, nonces, settings):
    """Verify a V1 (HMAC-SHA1, parameters) request; return (key, action, version)."""
    absent = [n for n in ('AccessKeyId', 'Signature', 'SignatureNonce', 'Timestamp') if not params.get(n)]
    if absent:
        raise ApiError('IncompleteSignature', 'The request signature does not conform to Aliyun standards: missing %s.' % ', '.join(absent))
    if params.get('SignatureMethod', 'HMAC-SHA1') != 'HMAC-SHA1':
        raise ApiError('IncompleteSignature', 'SignatureMethod %r is not supported (use HMAC-SHA1).' % params['SignatureMethod'][:40])
    if params.get('SignatureVersion', '1.0') != '1.0':
        raise ApiError('IncompleteSignature', 'SignatureVersion %r is not supported (use 1.0).' % params['SignatureVersion'][:40])
    key_id = params['AccessKeyId']
    key = keys.get(key_id)
    _check_key(key, key_id, params.get('SecurityToken'))
    string_to_sign = signing.v1_string_to_sign(req.method, pairs)
    expected = signing.v1_signature(key['access_key_secret'], string_to_sign)
    if not hmac.compare_digest(expected.encode('ascii'), params['Signature'].encode('utf-8')):
        raise ApiError('SignatureDoesNotMatch', 'Specified signature is not matched with our calculation. server string to sign is:%s' % string_to_sign)
    _check_timestamp(params['Timestamp'], 'Timestamp', settings['max_skew_seconds'])
    if not nonces.use(key_id, params['SignatureNonce']):
        raise ApiError('SignatureNonceUsed', 'Specified signature nonce was used already.')
    return key, params.get('Action') or req.header('x-acs-action'), params.get('Version') or req.header('x-acs-version')


# The RAM service name in the ARNs of each API's resources.
ONS_SERVICE = 'mq'
V5_SERVICE = 'rocketmq'


def _strip_arn(pattern, service=ONS_SERVICE):
    """``acs:<service>:<region>:<account>:<resource>`` -> ``<resource>``; None for another service's ARN."""
    if pattern.startswith('acs:'):
        parts = pattern.split(':', 4)
        if len(parts) != 5:
            return pattern
        return parts[4] if fnmatch.fnmatchcase(service, parts[1]) else None
    return pattern


def statements(key):
    """``(actions, resources)`` of each statement of the key's policy.

    A key holds one statement (its ``actions`` on its ``resources``), or several (``statements``),
    each allowing its own actions on its own resources only, as a RAM policy's statements do.
    """
    if key.get('statements'):
        return [(statement['actions'], statement['resources']) for statement in key['statements']]
    return [(key['actions'], key['resources'])]


def _allows(actions, names):
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in actions for name in names)


def _granted(key, names):
    return any(_allows(actions, names) for actions, _resources in statements(key))


def missing_actions(key, operation):
    """The names (first the one to report) of the first RAM action the key lacks on any resource, or None.

    The operation's own action is checked first, then its associated instance action.
    """
    for names in operation.required_actions:
        if not _granted(key, names):
            return names
    return None


def missing_on_resource(key, operation, covers):
    """The names of the first RAM action of ``operation`` that no statement of the key allows on the resource, or None.

    ``covers(resources)`` tells whether a statement's resource patterns cover the resource the
    request touches: each action the operation needs must be allowed by a statement that covers it.
    """
    for names in operation.required_actions:
        if not any(_allows(actions, names) and covers(resources) for actions, resources in statements(key)):
            return names
    return None


def action_allowed(key, operation):
    """True if the key's action patterns cover every RAM action the operation needs."""
    return missing_actions(key, operation) is None


def principal_name(key):
    """The display name a denial shows for the key's principal (a RAM user id by default)."""
    if key.get('display_name'):
        return key['display_name']
    return '2%017d' % (zlib.crc32(key['access_key_id'].encode('utf-8')) * 7919 % 10 ** 17)


def access_denied(key, names, resource):
    """403 Forbidden.RAM naming the missing action, with Alibaba's ``AccessDeniedDetail``."""
    action = names[0]
    also = ' (or %s)' % ', '.join(names[1:]) if len(names) > 1 else ''
    principal_type = 'AssumedRoleUser' if key.get('security_token') else 'SubUser'
    detail = {
        'AuthAction': action,
        'AuthPrincipalType': principal_type,
        'AuthPrincipalOwnerId': key['account'],
        'AuthPrincipalDisplayName': principal_name(key),
        'NoPermissionType': 'ImplicitDeny',
        'PolicyType': 'AccountLevelIdentityBasedPolicy',
    }
    # Real denials carry an encrypted blob; this one is readable base64 JSON with the same facts.
    diagnostic = dict(detail, AuthResource=resource)
    detail['EncodedDiagnosticMessage'] = base64.b64encode(json.dumps(diagnostic, sort_keys=True).encode('utf-8')).decode('ascii')
    message = ('User not authorized to operate on the specified resource. Missing action: %s%s on %s. No identity-based policy '
               'allows the %s action.' % (action, also, resource, action))
    return ApiError('Forbidden.RAM', message, fields={'AccessDeniedDetail': detail})


def resource_allowed(key, instance_id, name, operation=None):
    """True if the key's resource patterns cover an instance, or a group/topic in it.

    A pattern may name the instance (covers everything in it), the group or topic, or
    ``instance%name`` as in RAM ARNs; ``*`` wildcards work; ``acs:mq:*:*:`` prefixes are ignored.
    With ``operation``, only statements that allow its actions count (missing_on_resource).
    """
    if operation is not None:
        return missing_on_resource(key, operation, lambda resources: covers_ons(resources, instance_id, name)) is None
    return any(covers_ons(resources, instance_id, name) for _actions, resources in statements(key))


def covers_ons(resources, instance_id, name):
    """True if the resource patterns ``resources`` cover a 4.x instance, or a group/topic in it (see resource_allowed)."""
    candidates = []
    if instance_id:
        candidates.append(instance_id)
    if name:
        candidates.append(name)
        if instance_id:
            candidates.append('%s%%%s' % (instance_id, name))
    if not candidates:
        candidates.append('')
    for pattern in resources:
        pattern = _strip_arn(pattern)
        if pattern is not None and any(fnmatch.fnmatchcase(c, pattern) for c in candidates):
            return True
    return False


def v5_resource(instance_id, kind=None, name=None):
    """The resource part of a 5.x ARN: ``instance/<id>`` or ``instance/<id>/<kind>/<name>``.

    ``kind`` is ``consumergroup`` or ``topic``; ``name`` may be ``*`` (the list operations).
    """
    resource = 'instance/%s' % (instance_id or '*')
    if kind:
        resource += '/%s/%s' % (kind, name or '*')
    return resource


def resource_allowed_v5(key, instance_id, kind=None, name=None, operation=None):
    """True if the key's resource patterns cover a 5.x resource.

    An ARN pattern (``acs:rocketmq:*:*:instance/rmq-x/consumergroup/GID_*``) is matched against
    the resource part of the request's ARN (region and account are not checked, as for 4.x);
    ARNs of another service never match. A plain pattern may also name the instance (covering
    everything in it) or the group or topic, as for 4.x. Without an instance the resource is
    ``instance/*`` (ListInstances): only a pattern that matches that very text covers it, such as
    ``acs:rocketmq:*:*:instance/*`` or ``*``, never one naming an instance. With ``operation``,
    only statements that allow its actions count (missing_on_resource).
    """
    if operation is not None:
        return missing_on_resource(key, operation, lambda resources: covers_v5(resources, instance_id, kind, name)) is None
    return any(covers_v5(resources, instance_id, kind, name) for _actions, resources in statements(key))


def covers_v5(resources, instance_id, kind=None, name=None):
    """True if the resource patterns ``resources`` cover a 5.x resource (see resource_allowed_v5)."""
    resource = v5_resource(instance_id, kind, name)
    candidates = [resource]
    if instance_id:
        candidates.append(instance_id)
    if kind and name and name != '*':
        candidates.append(name)
    for pattern in resources:
        if pattern.startswith('acs:'):
            stripped = _strip_arn(pattern, V5_SERVICE)
            if stripped is not None and stripped != pattern and fnmatch.fnmatchcase(resource, stripped):
                return True
        elif any(fnmatch.fnmatchcase(c, pattern) for c in candidates):
            return True
    return False


def v5_resource_label(region, account, resource):
    """The ARN a 5.x Forbidden.RAM message names."""
    return 'acs:%s:%s:%s:%s' % (V5_SERVICE, region, account, resource)


def resource_label(region, instance_id, name):
    """The ARN a Forbidden.RAM message names."""
    if instance_id and name:
        resource = '%s%%%s' % (instance_id, name)
    else:
        resource = instance_id or name or '*'
    return 'acs:mq:%s:*:%s' % (region, resource)
