# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault injection: which faults fire for a request, deterministically from a seed.

A fault matches a request by action, access key id and parameters (values may use ``*``
wildcards). A matching fault fires with probability ``rate``, at most ``times`` times in
total. Latency faults add up; of the other kinds, the first that fires decides the answer.
"""

import fnmatch
import random
import threading

from emulator.scenario import FAULT, FAULT_KINDS, ScenarioError, validate_object

RESPONSE_KINDS = tuple(k for k in FAULT_KINDS if k != 'latency')

# kind -> (HTTP status, code) of the error envelope it answers with
ERROR_KINDS = {
    'internal_error': (500, 'InternalError'),
    'service_unavailable': (503, 'ServiceUnavailable'),
    'throttle': (400, 'Throttling.User'),
    'flow_control': (400, 'ONS_SYSTEM_FLOW_CONTROL'),
}


class FaultInjector(object):
    """Decides, per request, the added latency and the fault (if any) that answers it."""

    def __init__(self, faults, seed=0):
        self.faults = list(faults)
        self.seed = seed
        self._lock = threading.Lock()
        self.reset()

    def reset(self):
        """Restart the random sequence and forget how often each fault fired."""
        with self._lock:
            self._random = random.Random(self.seed)
            self.fired = [0] * len(self.faults)
            self.matched = [0] * len(self.faults)

    @staticmethod
    def _matches(fault, action, key_id, params):
        if fault.get('action') and not any(fnmatch.fnmatchcase(action or '', a) for a in fault['action']):
            return False
        if fault.get('access_key_id') and fault['access_key_id'] != key_id:
            return False
        for name, pattern in fault['params'].items():
            value = params.get(name)
            if value is None or not fnmatch.fnmatchcase(value, pattern):
                return False
        return True

    def decide(self, action, key_id, params):
        """Return (latency seconds, fault dict or None) for one request."""
        latency = 0.0
        chosen = None
        with self._lock:
            for i, fault in enumerate(self.faults):
                if fault['kind'] != 'latency' and chosen is not None:
                    continue
                if not self._matches(fault, action, key_id, params):
                    continue
                self.matched[i] += 1
                if fault.get('times') is not None and self.fired[i] >= fault['times']:
                    continue
                # Draw for every match so the sequence depends only on the requests seen.
                draw = self._random.random()
                if fault['rate'] < 1.0 and draw >= fault['rate']:
                    continue
                self.fired[i] += 1
                if fault['kind'] == 'latency':
                    low, high = fault.get('latency') or [0.0, 0.0]
                    latency += low if high <= low else self._random.uniform(low, high)
                else:
                    chosen = fault
        return latency, chosen

    def counters(self):
        """How often each fault matched and fired."""
        with self._lock:
            return [{'kind': f['kind'], 'matched': m, 'fired': n} for f, m, n in zip(self.faults, self.matched, self.fired)]


def parse_fault_spec(spec):
    """Parse a ``--fault`` value: ``kind=throttle,rate=0.5,times=3,action=X,GroupId=GID_x``.

    Keys that are not fault options match request parameters. ``latency`` accepts
    ``0.2`` or ``0.1-0.5``; several actions are separated by ``|``.
    """
    fault = {'params': {}}
    for part in spec.split(','):
        part = part.strip()
        if not part:
            continue
        name, sep, value = part.partition('=')
        if not sep:
            if name in FAULT_KINDS and 'kind' not in fault:
                fault['kind'] = name
                continue
            raise ScenarioError('--fault %s: %r is not name=value' % (spec, part))
        name = name.strip()
        value = value.strip()
        if name in ('rate', 'chunk_delay'):
            fault[name] = _number(value, spec, name)
        elif name in ('times', 'status', 'chunk_size', 'retry_after'):
            fault[name] = int(_number(value, spec, name))
        elif name == 'latency':
            fault[name] = value
        elif name == 'action':
            fault[name] = value.split('|')
        elif name in FAULT:
            fault[name] = value
        else:
            fault['params'][name] = value
    return validate_object(fault, FAULT, '--fault %s' % spec)


def _number(value, spec, name):
    try:
        return float(value)
    except ValueError:
        raise ScenarioError('--fault %s: %s=%r is not a number' % (spec, name, value))
