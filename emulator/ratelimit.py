# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Token buckets per (account, operation): ``rate`` tokens per second, capacity ``rate``
(at least one token, so that rates below 1 per second still let requests through).

The API counts requests per Alibaba Cloud account: every RAM user and access key of one
account draws from the same bucket of an operation.
"""

import math
import threading
import time

# The published limits per account ("API rate limits" of ApsaraMQ for RocketMQ 4.x); every
# other operation (the consumer and trace operations among them) gets the default rate, 10/s.
PUBLISHED_RATES = {
    'OnsInstanceBaseInfo': 50.0,
    'OnsInstanceInServiceList': 50.0,
}


class RateLimiter(object):
    """Grants or refuses requests; a rate of 0 means unlimited.

    A rate is looked up in ``per_action``, then ``published``, then ``default_rate``.
    """

    def __init__(self, default_rate=10.0, per_action=None, clock=time.monotonic, published=None):
        self.default_rate = float(default_rate)
        self.per_action = dict(per_action or {})
        self.published = dict(published or {})
        self.clock = clock
        self._buckets = {}
        self._lock = threading.Lock()

    def rate_for(self, action):
        """Requests per second allowed for ``action``."""
        if action in self.per_action:
            return float(self.per_action[action])
        return float(self.published.get(action, self.default_rate))

    def take(self, bucket, action):
        """Take a token for (bucket, action): None if granted, else the seconds until one is free."""
        rate = self.rate_for(action)
        if rate <= 0:
            return None
        now = self.clock()
        capacity = max(1.0, rate)
        with self._lock:
            tokens, last = self._buckets.get((bucket, action), (capacity, now))
            tokens = min(capacity, tokens + (now - last) * rate)
            if tokens < 1.0:
                self._buckets[(bucket, action)] = (tokens, now)
                return (1.0 - tokens) / rate
            self._buckets[(bucket, action)] = (tokens - 1.0, now)
            return None

    def allow(self, bucket, action):
        """Take a token for (bucket, action); False when the bucket is empty."""
        return self.take(bucket, action) is None

    def reset(self):
        """Refill every bucket."""
        with self._lock:
            self._buckets.clear()


def retry_after_ms(seconds):
    """An ``x-acs-retry-after`` value: whole milliseconds, at least 1."""
    return str(max(1, int(math.ceil(seconds * 1000))))
