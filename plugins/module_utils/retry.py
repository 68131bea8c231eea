# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# FOR INTERNAL COLLECTION USE ONLY: the interfaces of this file serve the apsaramq.rocketmq collection
# and may change in any release; modules, plugins and roles are the public interface.

"""When to retry a call, how long to wait, and how fast calls may be sent.

Which error codes are worth another try is each API's to say (apis.Api.is_retryable).
"""

import math
import random
import threading
import time
from email.utils import parsedate_to_datetime

BASE_DELAY = 0.25
MAX_DELAY = 8.0


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


class OperationLimiters:
    """One RateLimiter per operation of an API, as the API counts its request limits (per account and operation).

    Every thread of a module or gate run draws from the same limiters (one client, one set), so
    calls of different operations go side by side while each operation keeps to its own limit:
    ``min(rate, limit_of(operation))`` calls per second, where ``limit_of`` is the API's
    (apis.Api.limit) and ``rate`` the option ``rate_limit``, which caps each operation.
    """

    def __init__(self, rate, limit_of=None, clock=time.monotonic, sleep=time.sleep):
        self.rate = rate
        self._limit_of = limit_of
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._limiters = {}

    def rate_of(self, operation):
        """Calls per second ``operation`` may be sent at."""
        limit = self._limit_of(operation) if self._limit_of is not None else None
        return min(self.rate, limit) if limit else self.rate

    def get(self, operation):
        """The RateLimiter of ``operation``, made at its first call."""
        with self._lock:
            limiter = self._limiters.get(operation)
            if limiter is None:
                limiter = self._limiters[operation] = RateLimiter(self.rate_of(operation), clock=self._clock, sleep=self._sleep)
            return limiter

    @property
    def interval(self):
        """The spacing of the slowest operation: ``1 / rate`` at the most (what a caller plans a turn with)."""
        return 1.0 / self.rate if self.rate and self.rate > 0 else 0.0
