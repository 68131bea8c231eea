# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTTP server: ONS RPC requests on ``/``, RocketMQ 5.x ROA requests on resource paths
(``x-acs-version: 2022-08-01``), the control endpoint under ``/_emulator/``.

Use :func:`start` from Python (tests) or ``python -m emulator`` from a shell.
"""

import collections
import copy
import ipaddress
import json
import socket
import sys
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from emulator import API_VERSION, PRODUCT, rocketmq5, sts
from emulator.errors import ApiError, missing
from emulator.faults import ERROR_KINDS, FaultInjector
from emulator.operations import OPERATIONS, QueryTasks, resources_of
from emulator.ratelimit import PUBLISHED_RATES, RateLimiter, retry_after_ms
from emulator.scenario import ScenarioError, load, parse_text
from emulator.security import (NonceStore, Request, access_denied, authenticate_v1, authenticate_v3, covers_ons, covers_v5,
                               missing_actions, missing_on_resource, resource_allowed, resource_label, v5_resource_label)
from emulator.world import World

# Parameters never written to the request log: they are credentials or derived from them.
HIDDEN_PARAMS = frozenset(('signature', 'securitytoken', 'accesskeysecret', 'bearertoken', 'oidctoken'))
# Common parameters of V1 signing: logged elsewhere (action, key id) or pure noise.
COMMON_PARAMS = frozenset(('action', 'version', 'format', 'accesskeyid', 'signaturemethod', 'signatureversion', 'signaturenonce',
                           'timestamp', 'signaturetype', 'regionid'))
HTML_502 = (b'<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n'
            b'<hr><center>Tengine</center>\r\n</body>\r\n</html>\r\n')
MAX_BODY = 1024 * 1024


def is_loopback(address):
    """True if ``address`` (an IP string, IPv4-mapped IPv6 included) is a loopback address."""
    try:
        ip = ipaddress.ip_address(address.split('%', 1)[0])
    except ValueError:
        return False
    mapped = getattr(ip, 'ipv4_mapped', None)
    return (mapped or ip).is_loopback


def mask_secrets(data):
    """A copy of scenario data with access key secrets and security tokens masked."""
    data = copy.deepcopy(data)
    for key in data.get('keys') or []:
        if isinstance(key, dict):
            for name in ('access_key_secret', 'security_token'):
                if key.get(name):
                    key[name] = '***'
    for provider in (data.get('sts') or {}).get('oidc_providers') or []:
        if isinstance(provider, dict) and provider.get('signing_key'):
            provider['signing_key'] = '***'
    return data


class RequestLog(object):
    """Counts per action, key and code, and the last N requests (without credentials)."""

    def __init__(self, size=200):
        self.size = size
        self._lock = threading.Lock()
        self.clear()

    def clear(self):
        """Forget everything."""
        with self._lock:
            self.total = 0
            self.by_action = collections.Counter()
            self.by_key = collections.Counter()
            self.by_code = collections.Counter()
            self.entries = collections.deque(maxlen=self.size)

    def add(self, entry):
        """Record one request."""
        with self._lock:
            self.total += 1
            self.by_action[entry['action'] or '-'] += 1
            self.by_key[entry['access_key_id'] or '-'] += 1
            self.by_code[entry['code'] or 'OK'] += 1
            self.entries.append(entry)

    def snapshot(self, last=None):
        """The counters and the last ``last`` entries, as JSON-ready data."""
        with self._lock:
            entries = list(self.entries)
            if last is not None:
                entries = entries[-last:] if last > 0 else []
            return {'total': self.total, 'by_action': dict(self.by_action), 'by_access_key_id': dict(self.by_key),
                    'by_code': dict(self.by_code), 'requests': entries}


class EmulatorState(object):
    """Everything a running emulator holds: the scenario, its clock, limits, faults and logs."""

    def __init__(self, scenario, rate_limit=None, cli_faults=(), seed=None, log_size=200):
        self.rate_limit_override = rate_limit
        self.cli_faults = list(cli_faults)
        self.seed_override = seed
        self.log = RequestLog(log_size)
        # The request limiter's clock; tests may replace it to count tokens without racing time.
        self.rate_clock = time.monotonic
        self._lock = threading.RLock()
        self.set_scenario(load(scenario), reset_counters=True)

    def set_scenario(self, scenario, reset_counters=True):
        """Replace the scenario and restart its timeline clock."""
        with self._lock:
            self.scenario = scenario
            self.started = time.monotonic()
            self.started_ms = int(time.time() * 1000)
            self.advanced = 0.0
            self._worlds = {}
            self._injectors = {}
            self._step_injector = {}
            # A new scenario is a new server: the DLQ queries' tasks of the old one are gone.
            self.query_tasks = QueryTasks()
            # STS: its roles and providers, and the credentials it issued (kept with the counters).
            old_sts = getattr(self, 'sts', None)
            self.sts = sts.StsState(scenario.data['sts'])
            if old_sts is not None and not reset_counters:
                self.sts.issued = old_sts.issued
            sig = scenario.data['signature']
            old_nonces = getattr(self, 'nonces', None)
            self.nonces = NonceStore(sig['nonce_window_seconds'], sig['max_nonces'])
            limits = scenario.data['limits']
            rate = self.rate_limit_override if self.rate_limit_override is not None else limits['rate']
            # The published per-operation limits apply unless one rate is set for all operations.
            explicit = self.rate_limit_override is not None or 'rate' in ((scenario.raw or {}).get('limits') or {})
            old_limiter = getattr(self, 'limiter', None)
            self.limiter = RateLimiter(rate, limits['actions'], clock=self._rate_now,
                                       published=None if explicit else PUBLISHED_RATES)
            seed = self.seed_override if self.seed_override is not None else scenario.data['seed']
            old_cli = getattr(self, 'cli_injector', None)
            self.cli_injector = FaultInjector(self.cli_faults, seed)
            if not reset_counters:
                # Keep what clients already used: their nonces, buckets and fault counts.
                if old_nonces is not None:
                    self.nonces._seen = old_nonces._seen
                if old_limiter is not None:
                    self.limiter._buckets = old_limiter._buckets
                if old_cli is not None:
                    self.cli_injector = old_cli
            else:
                self.log.clear()

    def _rate_now(self):
        return self.rate_clock()

    def reset(self):
        """Clear the request log, nonces, rate buckets and fault counters."""
        with self._lock:
            self.log.clear()
            self.nonces.clear()
            self.limiter.reset()
            self.cli_injector.reset()
            for injector in self._injectors.values():
                injector.reset()

    def advance(self, seconds):
        """Move the timeline clock forward (tests use this instead of sleeping)."""
        with self._lock:
            self.advanced += seconds

    def elapsed(self):
        """Seconds since the scenario started, including any advance."""
        return time.monotonic() - self.started + self.advanced

    def now_ms(self):
        """The emulated clock in epoch ms: the wall clock when the scenario started, plus elapsed."""
        return self.started_ms + int(self.elapsed() * 1000)

    def current(self):
        """(step index, World, scenario fault injector) in force now."""
        with self._lock:
            index = self.scenario.step_at(self.elapsed())
            world = self._worlds.get(index)
            if world is None:
                state = self.scenario.steps[index][2]
                history = [(at, step_state) for at, _desc, step_state in self.scenario.steps[:index + 1]]
                world = self._worlds[index] = World(state, self.started_ms, history)
                # Steps that leave the faults alone share one injector, so `times` spans them.
                faults_key = json.dumps(state['faults'], sort_keys=True)
                if faults_key not in self._injectors:
                    seed = self.seed_override if self.seed_override is not None else self.scenario.data['seed']
                    self._injectors[faults_key] = FaultInjector(state['faults'], seed)
                self._step_injector[index] = self._injectors[faults_key]
            return index, world, self._step_injector[index]

    def describe(self):
        """JSON-ready description of the scenario and where its timeline is (secrets masked)."""
        with self._lock:
            index, _world, injector = self.current()
            return {
                'description': self.scenario.description,
                'source': self.scenario.source,
                'elapsed_seconds': round(self.elapsed(), 3),
                'timeline_step': index,
                'timeline': [{'at': at, 'description': desc} for at, desc, _s in self.scenario.steps],
                'faults': injector.counters() + self.cli_injector.counters(),
                'rate_limit': self.limiter.default_rate,
                'scenario': mask_secrets(self.scenario.raw),
            }


def _request_id():
    return str(uuid.uuid4()).upper()


class Handler(BaseHTTPRequestHandler):
    """One connection; HTTP/1.1 keep-alive."""

    protocol_version = 'HTTP/1.1'
    server_version = 'ONS-Emulator'
    sys_version = ''
    disable_nagle_algorithm = True
    # Buffered writes: headers and body leave in one segment (flushed after each request).
    wbufsize = 64 * 1024
    timeout = 300

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if self.server.verbose:
            sys.stderr.write('%s - %s\n' % (self.address_string(), format % args))

    # -- plumbing ------------------------------------------------------------------------

    def _read_chunked(self):
        body = b''
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b';', 1)[0].strip() or b'x', 16)
            except ValueError:
                self.close_connection = True
                raise ApiError('InvalidParameter', 'Malformed chunked request body.')
            if size == 0:
                # trailer section, up to the empty line
                while self.rfile.readline(1024) not in (b'\r\n', b'\n', b''):
                    pass
                return body
            if len(body) + size > MAX_BODY:
                self.close_connection = True
                raise ApiError('InvalidParameter', 'Request body too large (at most %d bytes).' % MAX_BODY)
            body += self.rfile.read(size)
            self.rfile.readline(8)

    def _read_body(self):
        if 'chunked' in (self.headers.get('Transfer-Encoding') or '').lower():
            return self._read_chunked()
        length = self.headers.get('Content-Length')
        if not length:
            return b''
        try:
            length = int(length)
        except ValueError:
            self.close_connection = True
            raise ApiError('InvalidParameter', 'Content-Length %r is not a number.' % length[:20])
        if length < 0 or length > MAX_BODY:
            # the unread body would corrupt the next request on this connection
            self.close_connection = True
            raise ApiError('InvalidParameter', 'Request body too large (at most %d bytes).' % MAX_BODY)
        return self.rfile.read(length)

    def _send(self, status, body, content_type='application/json;charset=utf-8', request_id=None, extra=None, close=False):
        if close:
            self.close_connection = True
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(body)))
        if request_id:
            self.send_header('x-acs-request-id', request_id)
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            # Say so whenever this connection ends after the answer, so that a keep-alive
            # client opens a new one for its next call instead of failing on a dead socket.
            self.send_header('Connection', 'close')
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(body)

    def _send_json(self, status, data, request_id=None):
        # default=str: scenario data loaded from YAML may hold datetime values
        self._send(status, json.dumps(data, ensure_ascii=False, default=str).encode('utf-8'), request_id=request_id)

    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_PUT(self):
        self._dispatch()

    def do_DELETE(self):
        self._dispatch()

    def _dispatch(self):
        parts = urlsplit(self.path)
        if parts.path.startswith('/_emulator/') or parts.path == '/_emulator':
            self._control(parts)
        elif parts.path.startswith('/latest/'):
            self._metadata(parts)
        else:
            self._api(parts)

    # -- control endpoint ----------------------------------------------------------------

    def _control(self, parts):
        state = self.server.state
        if not is_loopback(self.client_address[0]):
            self.close_connection = True
            self._send_json(403, {'error': 'the control endpoint answers loopback clients only'})
            return
        query = dict(parse_qsl(parts.query))
        route = (self.command, parts.path.rstrip('/'))
        try:
            body = self._read_body()
            if route == ('GET', '/_emulator/state'):
                self._send_json(200, state.describe())
            elif route == ('PUT', '/_emulator/state'):
                keep = query.get('keep_counters', 'false').lower() in ('1', 'true', 'yes')
                scenario = parse_text(body.decode('utf-8'), 'PUT /_emulator/state')
                state.set_scenario(scenario, reset_counters=not keep)
                self._send_json(200, {'ok': True, 'description': scenario.description, 'counters_kept': keep})
            elif route == ('GET', '/_emulator/requests'):
                last = int(query['last']) if query.get('last') else None
                self._send_json(200, state.log.snapshot(last))
            elif route == ('POST', '/_emulator/reset'):
                state.reset()
                self._send_json(200, {'ok': True})
            elif route == ('POST', '/_emulator/advance'):
                seconds = float(query.get('seconds', '0'))
                if seconds < 0:
                    raise ValueError('seconds must not be negative')
                state.advance(seconds)
                self._send_json(200, {'ok': True, 'elapsed_seconds': round(state.elapsed(), 3)})
            elif route == ('POST', '/_emulator/oidc-token'):
                token = state.sts.mint_oidc_token(query.get('provider'), subject=query.get('subject') or 'repo:example/app:ref:refs/heads/main',
                                                  lifetime=int(query.get('lifetime') or 600), audience=query.get('audience'),
                                                  issuer=query.get('issuer'))
                self._send_json(200, {'token': token})
            elif route == ('GET', '/_emulator/health'):
                self._send_json(200, {'ok': True})
            else:
                self._send_json(404, {'error': 'no control route %s %s' % route})
        except ApiError as exc:
            self._send_json(400, {'error': exc.message})
        except (ScenarioError, ValueError, UnicodeDecodeError) as exc:
            self._send_json(400, {'error': str(exc)})

    # -- the ECS metadata service (emulator/sts.py) ---------------------------------------

    def _metadata(self, parts):
        try:
            self._read_body()
        except ApiError:
            pass
        headers = dict((name.lower(), value) for name, value in self.headers.items())
        status, content_type, text = self.server.state.sts.metadata(self.command, parts.path, headers)
        self._send(status, text.encode('utf-8'), content_type=content_type)

    # -- the API -------------------------------------------------------------------------

    def _api(self, parts):
        started = time.monotonic()
        request_id = _request_id()
        state = self.server.state
        entry = {'time': round(time.time(), 3), 'method': self.command, 'product': None, 'action': None, 'access_key_id': None,
                 'signature': None, 'params': {}, 'status': None, 'code': None, 'fault': None}
        answer = None
        try:
            answer = self._api_inner(parts, state, entry, request_id)
        except OSError:
            # the client went away before its request was read; nothing left to tell it
            entry['code'] = entry['code'] or 'ClientGone'
            self.close_connection = True
        except Exception as exc:  # pylint: disable=broad-except
            if not isinstance(exc, ApiError):
                # A defect of the emulator, not a simulated failure: say so, loudly.
                traceback.print_exc()
                exc = ApiError('InternalError', 'Emulator defect (not a simulated fault): %s: %s' % (type(exc).__name__, exc))
            entry['status'], entry['code'] = exc.status, exc.code
            answer = self._error_answer(exc, state.scenario.data['region'], request_id, entry['product'] or PRODUCT)
        entry['duration_ms'] = round((time.monotonic() - started) * 1000, 2)
        # Logged before the answer leaves (or the connection is cut): a client that retries at
        # once must find the first attempt in the log, ahead of the retry.
        state.log.add(entry)
        if answer is None:
            return
        try:
            answer()
        except OSError:
            # the client went away mid-answer
            self.close_connection = True

    def _error_answer(self, exc, region, request_id, product=PRODUCT):
        if isinstance(exc, rocketmq5.BusinessError):
            # the 5.x service's own errors: camelCase, as its successes
            envelope = exc.envelope(request_id)
        else:
            # the gateway's errors (signature, key, RAM, throttling, faults): PascalCase for both APIs
            envelope = {
                'RequestId': request_id,
                'HostId': 'sts.aliyuncs.com' if product == sts.PRODUCT else '%s.%s.aliyuncs.com' % (
                    'rocketmq' if product == rocketmq5.PRODUCT else 'ons', region),
                'Code': exc.code,
                'Message': exc.message,
                'Recommend': 'https://api.aliyun.com/troubleshoot?q=%s&product=%s&requestId=%s' % (exc.code, product, request_id),
            }
            envelope.update(exc.fields)
        body = json.dumps(envelope, ensure_ascii=False, default=str).encode('utf-8')
        return lambda: self._send(exc.status, body, request_id=request_id, extra=exc.headers)

    def _api_inner(self, parts, state, entry, request_id):
        """Check and answer one RPC request; return the callable that sends the answer."""
        body = self._read_body()
        if parts.path not in ('', '/') and self.headers.get('x-acs-version') == rocketmq5.API_VERSION:
            return self._api_v5(parts, body, state, entry, request_id)
        entry['product'] = PRODUCT
        if self.command not in ('GET', 'POST'):
            raise ApiError('UnsupportedHTTPMethod', 'HTTP method %s is not supported; RPC operations use POST or GET.' % self.command)
        if parts.path not in ('', '/'):
            raise ApiError('InvalidApi.NotFound', 'Specified api is not found: RPC operations are served on "/", not %r.' % parts.path[:80])
        query_pairs = parse_qsl(parts.query, keep_blank_values=True)
        body_pairs = []
        ctype = (self.headers.get('Content-Type') or '').split(';')[0].strip().lower()
        if body and ctype == 'application/x-www-form-urlencoded':
            try:
                body_pairs = parse_qsl(body.decode('utf-8'), keep_blank_values=True)
            except UnicodeDecodeError:
                raise ApiError('InvalidParameter', 'The form body is not UTF-8.')
        params = dict(query_pairs + body_pairs)
        entry['params'] = dict((k, v) for k, v in params.items() if k.lower() not in HIDDEN_PARAMS and k.lower() not in COMMON_PARAMS)
        headers = {}
        for name, value in self.headers.items():
            headers.setdefault(name.lower(), []).append(value)
        req = Request(self.command, parts.path or '/', query_pairs, body, headers)
        _index, world, injector = state.current()
        settings = state.scenario.data['signature']
        keys = state.sts.keyring(world.keys)
        if sts.is_sts_request(req, params):
            key, action = sts.authenticate(req, query_pairs + body_pairs, params, keys, state.nonces, settings, entry)
            return self._serve(state, injector, sts.caller(key, params), action, params, entry, request_id,
                               sts.operation(state.sts, key, action, params, request_id))
        auth = req.header('authorization')
        if auth:
            entry['signature'] = 'v3'
            entry['access_key_id'] = _credential_of(auth)
            key, action, version = authenticate_v3(req, params, keys, state.nonces, settings)
        elif 'Signature' in params or 'AccessKeyId' in params:
            entry['signature'] = 'v1'
            entry['access_key_id'] = params.get('AccessKeyId')
            key, action, version = authenticate_v1(req, query_pairs + body_pairs, params, keys, state.nonces, settings)
        else:
            raise ApiError('IncompleteSignature', 'The request is not signed: send an ACS3-HMAC-SHA256 Authorization header or V1 Signature parameters.')
        entry['action'] = action
        if not action:
            raise missing('Action')
        if version != API_VERSION:
            raise ApiError('InvalidVersion', 'Specified parameter Version %r is not valid: this API is version %s.' % ((version or '')[:40], API_VERSION))
        operation = OPERATIONS.get(action)
        if operation is None:
            raise ApiError('InvalidApi.NotFound', 'Specified api %s is not found in version %s.' % (action[:80], API_VERSION))
        region = world.region
        touched = resources_of(operation, world, params)
        lacking = missing_actions(key, operation)
        if lacking is not None:
            raise access_denied(key, lacking, resource_label(region, *(touched or (None, None))))
        if touched is not None:
            lacking = missing_on_resource(key, operation, lambda resources: covers_ons(resources, *touched))
            if lacking is not None:
                raise access_denied(key, lacking, resource_label(region, *touched))

        def produce():
            # A listing shows the rows on which the key holds every action the operation needs.
            ctx = {'now_ms': state.now_ms(), 'allowed': lambda iid, name: resource_allowed(key, iid, name, operation),
                   'query_tasks': state.query_tasks}
            payload = {'RequestId': request_id}
            payload.update(operation.handler(world, params, ctx))
            return payload

        return self._serve(state, injector, key, action, params, entry, request_id, produce)

    def _api_v5(self, parts, body, state, entry, request_id):
        """Check and answer one RocketMQ 5.x (ROA) request; return the callable that sends the answer.

        The path and method name the operation; ``x-acs-action`` must name the same one.
        """
        entry['product'] = rocketmq5.PRODUCT
        query_pairs = parse_qsl(parts.query, keep_blank_values=True)
        found = rocketmq5.route(self.command, parts.path)
        params = dict(query_pairs)
        if found is not None:
            params.update(found[1])
        entry['params'] = dict((k, v) for k, v in params.items() if k.lower() not in HIDDEN_PARAMS)
        headers = {}
        for name, value in self.headers.items():
            headers.setdefault(name.lower(), []).append(value)
        req = Request(self.command, parts.path, query_pairs, body, headers)
        _index, world, injector = state.current()
        auth = req.header('authorization')
        if not auth:
            raise ApiError('IncompleteSignature', 'The request is not signed: ROA requests need an ACS3-HMAC-SHA256 Authorization header.')
        entry['signature'] = 'v3'
        entry['access_key_id'] = _credential_of(auth)
        key, action, _version = authenticate_v3(req, {}, state.sts.keyring(world.keys), state.nonces, state.scenario.data['signature'])
        entry['action'] = action
        if found is None:
            raise ApiError('InvalidApi.NotFound', 'Specified api is not found, please check your url and method: version %s has no %s %s.'
                           % (rocketmq5.API_VERSION, self.command, parts.path[:120]))
        name = found[0]
        if action != name:
            raise ApiError('InvalidApi.NotFound', 'Specified api is not found, please check your url and method: %s %s is %s, not %s.'
                           % (self.command, parts.path[:120], name, (action or '')[:80]))
        operation = rocketmq5.OPERATIONS[name]
        label = v5_resource_label(world.region, key['account'], rocketmq5.resource_name(operation, params))
        lacking = missing_actions(key, operation)
        if lacking is not None:
            raise access_denied(key, lacking, label)
        touched = rocketmq5.resource_of(operation, params)
        lacking = missing_on_resource(key, operation, lambda resources: covers_v5(resources, *touched))
        if lacking is not None:
            raise access_denied(key, lacking, label)

        def produce():
            ctx = {'now_ms': state.now_ms()}
            return rocketmq5.success(request_id, operation.handler(world, params, ctx))

        # Throttling is the gateway's, as for ONS: 400 Throttling.User (ons-api.md, "Errors").
        return self._serve(state, injector, key, name, params, entry, request_id, produce)

    def _serve(self, state, injector, key, action, params, entry, request_id, produce):
        """Faults, then the request limit, then the operation (``produce`` builds the payload)."""
        latency, fault = injector.decide(action, key['access_key_id'], params)
        cli_latency, cli_fault = state.cli_injector.decide(action, key['access_key_id'], params)
        latency += cli_latency
        fault = fault or cli_fault
        if latency > 0:
            time.sleep(latency)
        if fault is not None:
            entry['fault'] = fault['kind']
            answer = self._pre_fault(fault, entry, request_id, state, action)
            if answer is not None:
                return answer
        wait = state.limiter.take(key['account'], action)
        if wait is not None:
            raise ApiError('Throttling.User', 'Request was denied due to user flow control: more than %g requests per second for %s '
                           'by account %s.' % (state.limiter.rate_for(action), action, key['account']), 400,
                           headers={'x-acs-retry-after': retry_after_ms(wait)})
        data = json.dumps(produce(), ensure_ascii=False).encode('utf-8')
        entry['status'] = 200
        if fault is not None and fault['kind'] == 'truncate':
            # A broken answer: the client's next call must not reuse this connection.
            return lambda: self._send(200, data[:max(1, len(data) // 2)], request_id=request_id, close=True)
        if fault is not None and fault['kind'] == 'slow_body':
            return lambda: self._send_slowly(fault, data, request_id)
        return lambda: self._send(200, data, request_id=request_id)

    def _pre_fault(self, fault, entry, request_id, state, action):
        """The answer of a fault that replaces the response; None for faults that alter it later."""
        kind = fault['kind']
        if kind in ERROR_KINDS:
            status, code = ERROR_KINDS[kind]
            code = fault.get('code') or code
            headers = {}
            if kind == 'throttle' and code.startswith('Throttling'):
                # The official SDK turns any error with this header into a ThrottlingException,
                # so only throttling codes carry it.
                rate = state.limiter.rate_for(action)
                wait = fault['retry_after'] / 1000.0 if fault.get('retry_after') else (1.0 / rate if rate > 0 else 0.1)
                headers['x-acs-retry-after'] = retry_after_ms(wait)
            raise ApiError(code, fault.get('message'), fault.get('status') or status, headers=headers)
        if kind == 'drop':
            entry['status'] = 0
            entry['code'] = 'ConnectionDropped'
            self.close_connection = True
            return self._drop
        if kind == 'html_502':
            status = fault.get('status') or 502
            entry['status'], entry['code'] = status, 'HtmlErrorPage'
            return lambda: self._send(status, HTML_502, content_type='text/html', request_id=None, close=True)
        if kind == 'non_json':
            status = fault.get('status') or 200
            entry['status'], entry['code'] = status, 'NonJsonBody'
            text = (fault.get('message') or 'upstream connect error or disconnect/reset before headers').encode('utf-8')
            return lambda: self._send(status, text, content_type='text/plain', request_id=request_id, close=True)
        return None

    def _drop(self):
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _send_slowly(self, fault, data, request_id):
        # The answer is whole and valid, only slow: the connection stays usable.
        self.send_response(200)
        self.send_header('Content-Type', 'application/json;charset=utf-8')
        self.send_header('Content-Length', str(len(data)))
        self.send_header('x-acs-request-id', request_id)
        if self.close_connection:
            self.send_header('Connection', 'close')
        self.end_headers()
        self.wfile.flush()
        size = fault['chunk_size']
        for offset in range(0, len(data), size):
            self.wfile.write(data[offset:offset + size])
            self.wfile.flush()
            if offset + size < len(data):
                time.sleep(fault['chunk_delay'])


def _credential_of(auth):
    for part in auth.split(' ', 1)[-1].split(','):
        name, _sep, value = part.strip().partition('=')
        if name == 'Credential':
            return value[:128]
    return None


class EmulatorServer(ThreadingHTTPServer):
    """A threading HTTP server that does not wait for idle keep-alive connections on close."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, state, verbose=False):
        self.state = state
        self.verbose = verbose
        self._connections = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, Handler)

    def process_request(self, request, client_address):
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self):
        """Cut every open keep-alive connection (their threads then end)."""
        with self._connections_lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class EmulatorHandle(object):
    """A running emulator: ``url``, ``state`` (scenario, logs) and ``stop()``."""

    def __init__(self, server, thread):
        self.server = server
        self.thread = thread
        self.state = server.state
        host, port = server.server_address[:2]
        self.host = host
        self.port = port
        self.url = 'http://%s:%d' % ('[%s]' % host if ':' in host else host, port)

    def stop(self):
        """Stop accepting requests and close the listening socket."""
        self.server.shutdown()
        self.server.server_close()
        self.server.close_connections()
        self.thread.join(5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def start(scenario, host='127.0.0.1', port=0, rate_limit=None, faults=(), seed=None, log_size=200, verbose=False):
    """Start an emulator in a background thread and return its :class:`EmulatorHandle`.

    ``scenario`` is a path, a mapping, or a loaded :class:`emulator.scenario.Scenario`;
    ``faults`` are extra fault mappings (as in a scenario) that survive scenario replacement.
    """
    from emulator.scenario import FAULT, validate_object
    cli_faults = [validate_object(f, FAULT, 'faults[%d]' % i) for i, f in enumerate(faults)]
    state = EmulatorState(scenario, rate_limit=rate_limit, cli_faults=cli_faults, seed=seed, log_size=log_size)
    family = socket.AF_INET6 if ':' in host else socket.AF_INET
    server_class = type('EmulatorServerFamily', (EmulatorServer,), {'address_family': family})
    server = server_class((host, port), state, verbose)
    thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.05}, name='ons-emulator', daemon=True)
    thread.start()
    return EmulatorHandle(server, thread)
