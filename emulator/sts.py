# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""STS on the emulator (product ``Sts``, version ``2015-04-01``, RPC on ``/``) and the ECS metadata service.

* ``AssumeRole``, signed (V3 or V1) by a key of the scenario or by credentials the emulator issued:
  the caller needs ``sts:AssumeRole``, the role's ``trust`` must name it, and its ``external_id``
  (if any) must be sent.
* ``AssumeRoleWithOIDC``, anonymous: the token must be a JWT of a provider of the scenario, signed
  with its ``signing_key`` (HS256), of its issuer, for one of its client IDs, not expired; the role
  must trust the provider (and the token's ``sub`` match its ``oidc_subjects``, if any).
* The ECS metadata service (``PUT /latest/api/token``, ``GET
  /latest/meta-data/ram/security-credentials/<role>``) gives the credentials of the roles that
  trust ``ecs.aliyuncs.com``.

Issued credentials are keys like the scenario's, with the role's actions and resources and an
``expires``: they work on ONS and 5.x requests until then, and are refused after with
``InvalidSecurityToken.Expired`` (security._check_key). Times are the wall clock's, as for every
STS key of a scenario. ``mint_oidc_token`` makes the tokens the providers accept (the command line's
``--mint-oidc-token``, the control endpoint's ``POST /_emulator/oidc-token``). See README.md, "STS".
"""

import base64
import binascii
import calendar
import fnmatch
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
import uuid

from emulator.errors import ApiError, missing
from emulator.scenario import OIDC_PROVIDER_ARN, ROLE_ARN
from emulator.security import authenticate_v1, authenticate_v3

PRODUCT = 'Sts'
API_VERSION = '2015-04-01'
ECS_SERVICE = 'ecs.aliyuncs.com'
ANONYMOUS_ACTIONS = ('AssumeRoleWithOIDC',)
SESSION_NAME = re.compile(r'[A-Za-z0-9._@-]{2,64}')
DURATION_MIN = 900
EXPIRATION_FORMAT = '%Y-%m-%dT%H:%M:%SZ'
# Issued keys are forgotten this long after they expire (a bound on memory, not a behaviour).
FORGET_AFTER_SECONDS = 3600
IMDS_TOKEN_TTL_MAX = 21600


def is_sts_request(req, params):
    """Whether an RPC request names the STS version (``x-acs-version`` or ``Version``)."""
    return (req.header('x-acs-version') or params.get('Version')) == API_VERSION


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode('ascii')


def _unb64url(text):
    return base64.urlsafe_b64decode(text + '=' * (-len(text) % 4))


def _utc(epoch_seconds):
    return time.strftime(EXPIRATION_FORMAT, time.gmtime(epoch_seconds))


def _name_of(arn):
    return arn.rsplit('/', 1)[-1]


def _account_of(arn):
    return arn.split(':')[3]


def _allows(key, action):
    """Whether a key's policy allows ``action`` (one statement of actions, or the key's statements)."""
    statements = key.get('statements') or [{'actions': key.get('actions') or []}]
    return any(fnmatch.fnmatchcase(action, pattern) for statement in statements for pattern in statement['actions'])


def _principals(key):
    """The names a role's trust may give the caller by: its key, account root, user, or the role it assumed."""
    names = {key['access_key_id'], 'acs:ram::%s:root' % key['account']}
    if key.get('role_arn'):
        names.add(key['role_arn'].lower())
    elif key.get('display_name'):
        names.add('acs:ram::%s:user/%s' % (key['account'], key['display_name']))
    return names


class KeyRing(object):
    """The scenario's keys and the ones STS issued, looked up as one mapping by access key ID."""

    def __init__(self, keys, issued):
        self._keys = keys
        self._issued = issued

    def get(self, key_id, default=None):
        found = self._keys.get(key_id)
        if found is None:
            found = self._issued.get(key_id)
        return default if found is None else found


class StsState(object):
    """The roles, providers and issued credentials of one scenario."""

    def __init__(self, config, clock=time.time):
        self.config = config
        self.clock = clock
        self.roles = dict((role['arn'].lower(), role) for role in config['roles'])
        self.providers = dict((provider['arn'], provider) for provider in config['oidc_providers'])
        self.issued = {}
        self._imds_tokens = {}
        self._ecs = {}
        self._lock = threading.Lock()

    def keyring(self, keys):
        """The keys of a world plus the issued ones, for authentication."""
        return KeyRing(keys, self.issued)

    def _lifetime(self, asked):
        return self.config['credential_lifetime'] or asked

    def issue(self, role, session_name, lifetime):
        """Issue credentials of ``role`` for ``lifetime`` seconds; return the ``Credentials`` and ``AssumedRoleUser`` of an answer."""
        now = self.clock()
        expires = now + lifetime
        key_id = 'STS.NT' + ''.join(secrets.choice('ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789') for _i in range(22))
        secret = _b64url(secrets.token_bytes(33))
        token = 'CAIS' + base64.b64encode(secrets.token_bytes(180)).decode('ascii')
        key = {'access_key_id': key_id, 'access_key_secret': secret, 'security_token': token, 'expires': int(expires * 1000),
               'enabled': True, 'account': _account_of(role['arn']), 'display_name': '%s:%s' % (_name_of(role['arn']), session_name),
               'actions': list(role['actions']), 'resources': list(role['resources']), 'role_arn': role['arn']}
        with self._lock:
            for old in [k for k, v in self.issued.items() if v['expires'] / 1000.0 + FORGET_AFTER_SECONDS < now]:
                del self.issued[old]
            self.issued[key_id] = key
        role_id = '3%017d' % (int(hashlib.sha256(role['arn'].lower().encode('utf-8')).hexdigest(), 16) % 10 ** 17)
        credentials = {'AccessKeyId': key_id, 'AccessKeySecret': secret, 'SecurityToken': token,
                       'Expiration': _utc(int(expires))}
        user = {'AssumedRoleId': '%s:%s' % (role_id, session_name),
                'Arn': 'acs:ram::%s:assumed-role/%s/%s' % (_account_of(role['arn']), _name_of(role['arn']), session_name)}
        return credentials, user

    # -- the operations ------------------------------------------------------------------------

    def _role(self, arn):
        if not arn:
            raise missing('RoleArn')
        if not ROLE_ARN.fullmatch(arn):
            raise ApiError('InvalidParameter.RoleArn', 'The parameter RoleArn is wrongly formed.', 400)
        role = self.roles.get(arn.lower())
        if role is None:
            raise ApiError('EntityNotExist.Role', 'The role not exists: %s.' % arn, 404)
        return role

    @staticmethod
    def _session(params, required):
        name = params.get('RoleSessionName')
        if not name:
            if required:
                raise missing('RoleSessionName')
            return None
        if not SESSION_NAME.fullmatch(name):
            raise ApiError('InvalidParameter.RoleSessionName', 'The parameter RoleSessionName is wrongly formed.', 400)
        return name

    @staticmethod
    def _duration(params, role):
        text = params.get('DurationSeconds') or '3600'
        limit = role['max_session_duration']
        try:
            duration = int(text)
        except ValueError:
            duration = -1
        if not DURATION_MIN <= duration <= limit:
            raise ApiError('InvalidParameter.DurationSeconds', 'The Min/Max value of DurationSeconds is 15min/%dhr.' % (limit // 3600),
                           400)
        return duration

    @staticmethod
    def _policy(params):
        text = params.get('Policy')
        if text is None or text == '':
            return
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        if not isinstance(document, dict) or not isinstance(document.get('Statement'), list):
            raise ApiError('InvalidParameter.PolicyGrammar', 'The parameter Policy has not passed grammar check.', 400)

    def assume_role(self, key, params):
        """The answer of AssumeRole for the caller ``key``."""
        role = self._role(params.get('RoleArn'))
        session = self._session(params, required=True)
        duration = self._duration(params, role)
        self._policy(params)
        if not _allows(key, 'sts:AssumeRole'):
            raise ApiError('NoPermission', 'You are not authorized to do this action. You should be authorized by RAM.', 403)
        trusted = set(principal.lower() if principal.startswith('acs:') else principal for principal in role['trust'])
        wanted = role.get('external_id')
        if not trusted & set(_principals(key)) or (wanted and params.get('ExternalId') != wanted):
            raise ApiError('NoPermission', "No permission perform sts:AssumeRole on this Role. Maybe you should check the role's "
                                           'trust policy (its principals and its sts:ExternalId condition).', 403)
        credentials, user = self.issue(role, session, self._lifetime(duration))
        return {'Credentials': credentials, 'AssumedRoleUser': user}

    def assume_role_with_oidc(self, params):
        """The answer of AssumeRoleWithOIDC (anonymous)."""
        provider_arn = params.get('OIDCProviderArn')
        if not provider_arn:
            raise missing('OIDCProviderArn')
        role = self._role(params.get('RoleArn'))
        session = self._session(params, required=False)
        duration = self._duration(params, role)
        self._policy(params)
        token = params.get('OIDCToken')
        if not token:
            raise ApiError('AuthenticationFail.OIDCToken.Invalid', 'The OIDCToken can not empty.', 401)
        provider = self.providers.get(provider_arn)
        if provider is None:
            raise ApiError('AuthenticationFail.NoPermission', 'No such OIDC Provider registered.', 401)
        claims = self.verify_token(provider, token)
        subjects = role.get('oidc_subjects')
        if provider_arn not in role['trust'] or (subjects and not any(fnmatch.fnmatchcase(str(claims.get('sub')), p) for p in subjects)):
            raise ApiError('AuthenticationFail.NoPermission', 'There is no permission', 401)
        session = session or str(claims.get('sub') or 'oidc')[:64]
        credentials, user = self.issue(role, session, self._lifetime(duration))
        audience = claims.get('aud')
        info = {'Subject': claims.get('sub'), 'Issuer': claims.get('iss'),
                'ClientIds': ','.join(audience) if isinstance(audience, list) else audience,
                'ExpirationTime': _utc(claims['exp']), 'IssuanceTime': _utc(claims.get('iat') or claims['exp'])}
        return {'Credentials': credentials, 'AssumedRoleUser': user, 'OIDCTokenInfo': info}

    def verify_token(self, provider, token):
        """The claims of ``token`` if ``provider`` issued it and it holds; else the error STS answers."""
        parts = token.split('.')
        if len(parts) != 3:
            raise ApiError('AuthenticationFail.OIDCToken.Invalid', "The number of Jwt field should be divided into 3 parts with '.' .", 401)
        try:
            header = json.loads(_unb64url(parts[0]).decode('utf-8'))
            claims = json.loads(_unb64url(parts[1]).decode('utf-8'))
            signature = _unb64url(parts[2])
        except (ValueError, UnicodeDecodeError, binascii.Error):
            raise ApiError('AuthenticationFail.OIDCToken.Invalid', 'Cannot decode base64 encoded response(format invalided).', 401)
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise ApiError('AuthenticationFail.OIDCToken.Invalid', 'The Jwt content is invalid that cannot be recognized.', 401)
        if header.get('alg') != 'HS256':
            raise ApiError('AuthenticationFail.OIDCToken.Invalid', 'The algorithm %s that be specified in Jwt header is unknown.'
                           % str(header.get('alg'))[:20], 401)
        expected = hmac.new(provider['signing_key'].encode('utf-8'), ('%s.%s' % (parts[0], parts[1])).encode('ascii'),
                            hashlib.sha256).digest()
        if not hmac.compare_digest(expected, signature):
            raise ApiError('AuthenticationFail.OIDCToken.InvalidSignature', 'OIDC token validate failed: invalid signature.', 401)
        if claims.get('iss') != provider['issuer']:
            raise ApiError('AuthenticationFail.OIDCToken.IssuerNotMatch', 'Invalid issuer.', 401)
        audience = claims.get('aud')
        audiences = audience if isinstance(audience, list) else [audience]
        if not any(a in provider['client_ids'] for a in audiences):
            raise ApiError('AuthenticationFail.OIDCToken.AudienceNotMatch', 'Invalid audience.', 401)
        expires = claims.get('exp')
        if isinstance(expires, bool) or not isinstance(expires, (int, float)) or expires <= self.clock():
            raise ApiError('AuthenticationFail.OIDCToken.Expired', 'This JsonWebToken is expired.', 401)
        return claims

    def mint_oidc_token(self, provider_arn, subject='repo:example/app:ref:refs/heads/main', lifetime=600, audience=None,
                        issuer=None):
        """A token that ``provider_arn`` (a provider of the scenario) issued now, valid ``lifetime`` seconds (negative: expired)."""
        provider = self.providers.get(provider_arn)
        if provider is None:
            raise ValueError('no OIDC provider %r in the scenario (providers: %s)' % (provider_arn, ', '.join(sorted(self.providers)) or 'none'))
        now = int(self.clock())
        header = {'alg': 'HS256', 'typ': 'JWT', 'kid': _name_of(provider_arn)}
        claims = {'iss': issuer or provider['issuer'], 'aud': audience or provider['client_ids'][0], 'sub': subject,
                  'iat': now, 'nbf': now, 'exp': now + int(lifetime), 'jti': uuid.uuid4().hex}
        head = '%s.%s' % (_b64url(json.dumps(header, separators=(',', ':')).encode('utf-8')),
                          _b64url(json.dumps(claims, separators=(',', ':')).encode('utf-8')))
        signature = hmac.new(provider['signing_key'].encode('utf-8'), head.encode('ascii'), hashlib.sha256).digest()
        return '%s.%s' % (head, _b64url(signature))

    # -- the ECS metadata service ----------------------------------------------------------------

    def ecs_roles(self):
        """The names of the roles an ECS instance of the scenario has: those trusting ecs.aliyuncs.com."""
        return [_name_of(role['arn']) for role in self.config['roles'] if ECS_SERVICE in role['trust']]

    def metadata(self, method, path, headers):
        """``(status, content type, body)`` of a request to the ECS metadata service."""
        now = self.clock()
        if path == '/latest/api/token':
            if method != 'PUT':
                return 405, 'text/plain', 'Method Not Allowed'
            try:
                ttl = int(headers.get('x-aliyun-ecs-metadata-token-ttl-seconds') or '')
            except ValueError:
                ttl = 0
            if not 1 <= ttl <= IMDS_TOKEN_TTL_MAX:
                return 400, 'text/plain', 'X-aliyun-ecs-metadata-token-ttl-seconds must be 1 to %d' % IMDS_TOKEN_TTL_MAX
            token = _b64url(secrets.token_bytes(24))
            with self._lock:
                self._imds_tokens[token] = now + ttl
            return 200, 'text/plain', token
        if method != 'GET':
            return 405, 'text/plain', 'Method Not Allowed'
        token = headers.get('x-aliyun-ecs-metadata-token')
        if token is not None and self._imds_tokens.get(token, 0) <= now:
            return 401, 'text/plain', 'Unauthorized'
        base = '/latest/meta-data/ram/security-credentials/'
        if path in (base, base[:-1]):
            return 200, 'text/plain', '\n'.join(self.ecs_roles())
        if not path.startswith(base):
            return 404, 'text/plain', 'Not Found'
        name = path[len(base):]
        role = next((r for r in self.config['roles'] if ECS_SERVICE in r['trust'] and _name_of(r['arn']).lower() == name.lower()), None)
        if role is None:
            return 404, 'text/plain', 'Not Found'
        lifetime = self.config['credential_lifetime'] or self.config['ecs_credential_lifetime']
        with self._lock:
            cached = self._ecs.get(name.lower())
        # The service hands out the same credentials until half their life is gone.
        if cached is None or calendar.timegm(time.strptime(cached['Expiration'], EXPIRATION_FORMAT)) - now < lifetime / 2.0:
            credentials, _user = self.issue(role, 'ecs-instance', lifetime)
            cached = dict(credentials, Code='Success', LastUpdated=_utc(int(now)))
            with self._lock:
                self._ecs[name.lower()] = cached
        return 200, 'application/json', json.dumps(cached)


def authenticate(req, pairs, params, keyring, nonces, settings, entry):
    """``(key, action)`` of an STS request: signed as any RPC request, or anonymous for AssumeRoleWithOIDC (key None)."""
    entry['product'] = PRODUCT
    auth = req.header('authorization')
    if auth:
        entry['signature'] = 'v3'
        key, action, _version = authenticate_v3(req, params, keyring, nonces, settings)
        entry['access_key_id'] = key['access_key_id']
    elif 'Signature' in params or 'AccessKeyId' in params:
        entry['signature'] = 'v1'
        entry['access_key_id'] = params.get('AccessKeyId')
        key, action, _version = authenticate_v1(req, pairs, params, keyring, nonces, settings)
    else:
        key, action = None, req.header('x-acs-action') or params.get('Action')
        entry['signature'] = 'anonymous'
        if action not in ANONYMOUS_ACTIONS:
            raise ApiError('IncompleteSignature', 'The request is not signed: only AssumeRoleWithOIDC may be sent without a signature.')
    entry['action'] = action
    if not action:
        raise missing('Action')
    if action not in ('AssumeRole',) + ANONYMOUS_ACTIONS:
        raise ApiError('InvalidApi.NotFound', 'Specified api %s is not found in version %s.' % (action[:80], API_VERSION))
    return key, action


def operation(state, key, action, params, request_id):
    """The function that produces the answer of ``action`` (run after faults and the request limit)."""
    def produce():
        answer = state.assume_role(key, params) if action == 'AssumeRole' else state.assume_role_with_oidc(params)
        return dict(answer, RequestId=request_id)
    return produce


def caller(key, params):
    """The key a request counts against (request limits, faults): the caller's, or for an anonymous call one of the provider's account."""
    if key is not None:
        return key
    arn = params.get('OIDCProviderArn') or ''
    match = OIDC_PROVIDER_ARN.fullmatch(arn)
    return {'access_key_id': None, 'account': match.group(1) if match else '-'}
