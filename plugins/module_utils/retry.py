# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""When to retry a call, how long to wait, and how fast calls may be sent."""

import random
import threading
import time

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

    Throttling codes, 5xx answers and ``ONS_SYSTEM_FLOW_CONTROL`` are; authentication,
    authorization and parameter errors never are.
    """
    if code in RETRYABLE_CODES or (code or "").startswith("Throttling"):
        return True
    return http_status is not None and http_status >= 500


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

    def run(self, attempt_fn, catch, retryable):
        """Call ``attempt_fn()`` until it returns, retrying the ``catch`` exceptions that ``retryable(exc)`` allows.

        ``retryable`` returns False, or True, or a number of seconds the server asked to wait.
        The last exception propagates when the retries are spent. Returns ``(result, attempts)``.
        """
        attempt = 0
        while True:
            attempt += 1
            try:
                return attempt_fn(), attempt
            except catch as exc:
                verdict = retryable(exc)
                if verdict is False or attempt > self.retries:
                    raise
                retry_after = None if verdict is True else verdict
                self._sleep(self.delay(attempt, retry_after))


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

    def acquire(self):
        """Block until the next call may be sent."""
        if not self.interval:
            return
        with self._lock:
            now = self._clock()
            start = now if self._next is None or self._next < now else self._next
            self._next = start + self.interval
        if start > now:
            self._sleep(start - now)
