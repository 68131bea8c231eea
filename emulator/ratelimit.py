# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Token buckets per (access key, operation): ``rate`` tokens per second, capacity ``rate``
(at least one token, so that rates below 1 per second still let requests through)."""

import threading
import time


class RateLimiter(object):
    """Grants or refuses requests; a rate of 0 means unlimited."""

    def __init__(self, default_rate=10.0, per_action=None, clock=time.monotonic):
        self.default_rate = float(default_rate)
        self.per_action = dict(per_action or {})
        self.clock = clock
        self._buckets = {}
        self._lock = threading.Lock()

    def rate_for(self, action):
        """Requests per second allowed for ``action``."""
        return float(self.per_action.get(action, self.default_rate))

    def allow(self, key_id, action):
        """Take a token for (key, action); False when the bucket is empty."""
        rate = self.rate_for(action)
        if rate <= 0:
            return True
        now = self.clock()
        capacity = max(1.0, rate)
        with self._lock:
            tokens, last = self._buckets.get((key_id, action), (capacity, now))
            tokens = min(capacity, tokens + (now - last) * rate)
            if tokens < 1.0:
                self._buckets[(key_id, action)] = (tokens, now)
                return False
            self._buckets[(key_id, action)] = (tokens - 1.0, now)
            return True

    def reset(self):
        """Refill every bucket."""
        with self._lock:
            self._buckets.clear()
