# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""When to retry a call, how long to wait, and how fast calls may be sent."""

import math
import random
import threading
import time
from email.utils import parsedate_to_datetime

# Codes that mean "slow down" or "the service had a transient fault": worth another try.
RETRYABLE_CODES = frozenset([
    "Throttling",
    "Throttling.User",
    "Throttling.Api",
    "Throttling.Tps",
    "ServiceUnavailable",
    "InternalError",
    "ONS_SYSTEM_FLOW_CONTROL",
])

BASE_DELAY = 0.25
MAX_DELAY = 8.0


def is_retryable(code, http_status):
    """Tell whether an API error may succeed when sent again.

    Throttling codes, 429 and 5xx answers and ``ONS_SYSTEM_FLOW_CONTROL`` are; authentication,
    authorization and parameter errors never are.
    """
    if code in RETRYABLE_CODES or (code or "").startswith("Throttling"):
        return True
    return http_status is not None and (http_status == 429 or http_status >= 500)


def _finite(seconds):
    return seconds if seconds is not None and math.isfinite(seconds) and seconds >= 0 else None


def retry_after_seconds(headers, now=None):
    """Return how long a throttling answer asks us to wait, in seconds, or None.

    ``x-acs-retry-after`` (milliseconds, what Alibaba Cloud sends and its SDKs honour) and
    ``Retry-After`` (seconds, or an HTTP date) are both read; when both are readable the longer
    wins. Unreadable, negative or infinite values are ignored. ``headers`` is a case-insensitive
    mapping such as a response's headers; ``now`` is the epoch time (for tests).
    """
    waits = []
    value = headers.get("x-acs-retry-after")
    if value is not None:
        try:
            waits.append(_finite(float(value.strip()) / 1000.0))
        except (ValueError, AttributeError):
            pass
    value = headers.get("Retry-After")
    if value is not None:
        value = value.strip() if isinstance(value, str) else ""
        try:
            waits.append(_finite(float(value)))
        except ValueError:
            try:
                when = parsedate_to_datetime(value)
                current = time.time() if now is None else now
                waits.append(max(0.0, when.timestamp() - current) if when.tzinfo else None)
            except (TypeError, ValueError, IndexError, OverflowError):
                pass
    waits = [wait for wait in waits if wait is not None]
    return max(waits) if waits else None


class RetryPolicy:
    """Jittered exponential backoff ("full jitter") over at most ``retries`` further attempts."""

    def __init__(self, retries, base=BASE_DELAY, cap=MAX_DELAY, rng=None, sleep=time.sleep):
        self.retries = retries
        self.base = base
        self.cap = cap
        self._rng = rng or random.Random()
        self._sleep = sleep

    def delay(self, attempt, retry_after=None):
        """Seconds to wait before retry number ``attempt`` (1-based).

        A server's ``Retry-After`` is honoured when it asks for longer than the backoff would.
        """
        ceiling = min(self.cap, self.base * (2 ** (attempt - 1)))
        wait = self._rng.uniform(0, ceiling)
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.cap))
        return wait

    def run(self, attempt_fn, catch, retryable, deadline=None, clock=time.monotonic):
        """Call ``attempt_fn()`` until it returns, retrying the ``catch`` exceptions that ``retryable(exc)`` allows.

        ``retryable`` returns False, or True, or a number of seconds the server asked to wait.
        The last exception propagates when the retries are spent, with ``attempts`` set on it.
        With ``deadline`` (a ``clock()`` time), a wait that would end at or after it is never
        started: the last exception propagates at once with ``deadline_reached`` set to True. A
        retry that fails once the deadline has passed (cut short by it) propagates the error of the
        attempt before it instead, with ``deadline_reached`` set. Returns ``(result, attempts)``.
        """
        attempt = 0
        failed = []
        while True:
            attempt += 1
            try:
                return attempt_fn(), attempt
            except catch as exc:
                if failed and deadline is not None and clock() >= deadline:
                    # A retry that the deadline cut short says nothing new about the call: the
                    # last error that came back from the other side is the one to report.
                    previous = failed[-1]
                    previous.attempts = attempt
                    previous.deadline_reached = True
                    raise previous from None
                failed.append(exc)
                exc.attempts = attempt
                verdict = retryable(exc)
                if verdict is False or attempt > self.retries:
                    raise
                retry_after = None if verdict is True else verdict
                wait = self.delay(attempt, retry_after)
                if deadline is not None and clock() + wait >= deadline:
                    exc.deadline_reached = True
                    raise
                self._sleep(wait)


class RateLimiter:
    """Space calls at least ``1 / rate`` seconds apart across every thread of one module run.

    A steady spacing, not a burst allowance, keeps us under the API's per-second limit however the
    server counts its window.
    """

    def __init__(self, rate, clock=time.monotonic, sleep=time.sleep):
        self.interval = 1.0 / rate if rate and rate > 0 else 0.0
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next = None

    def acquire(self, deadline=None):
        """Block until the next call may be sent; return True.

        With ``deadline`` (a clock time), return False at once, taking no turn, when the next turn
        comes only after it.
        """
        if not self.interval:
            return True
        with self._lock:
            now = self._clock()
            start = now if self._next is None or self._next < now else self._next
            if deadline is not None and start >= deadline:
                return False
            self._next = start + self.interval
        if start > now:
            self._sleep(start - now)
        return True
