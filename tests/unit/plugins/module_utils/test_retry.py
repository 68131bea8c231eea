# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import random
import threading

import pytest

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.apis import ONS, RMQ
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.retry import OperationLimiters, RateLimiter, RetryPolicy, retry_after_seconds


class Flaky(Exception):
    def __init__(self, retryable):
        super(Flaky, self).__init__("flaky")
        self.retryable = retryable


def _policy(retries, sleeps):
    return RetryPolicy(retries, base=1.0, cap=4.0, rng=random.Random(1), sleep=sleeps.append)


def test_backoff_is_jittered_below_an_exponential_ceiling():
    sleeps = []
    failures = [Flaky(True)] * 5

    def attempt():
        if failures:
            raise failures.pop()
        return "ok"

    result, attempts = _policy(5, sleeps).run(attempt, (Flaky,), lambda exc: exc.retryable)
    assert (result, attempts) == ("ok", 6)
    ceilings = [1.0, 2.0, 4.0, 4.0, 4.0]
    assert all(0 <= slept <= ceiling for slept, ceiling in zip(sleeps, ceilings))
    assert len(set(sleeps)) == len(sleeps), "jitter gives distinct waits"


def test_retries_stop_after_the_configured_count():
    sleeps = []
    calls = []

    def attempt():
        calls.append(1)
        raise Flaky(True)

    with pytest.raises(Flaky):
        _policy(2, sleeps).run(attempt, (Flaky,), lambda exc: exc.retryable)
    assert len(calls) == 3 and len(sleeps) == 2


def test_a_non_retryable_error_fails_at_once():
    sleeps = []
    calls = []

    def attempt():
        calls.append(1)
        raise Flaky(False)

    with pytest.raises(Flaky):
        _policy(5, sleeps).run(attempt, (Flaky,), lambda exc: exc.retryable)
    assert len(calls) == 1 and sleeps == []


def test_retry_after_from_the_server_is_honoured_up_to_the_cap():
    policy = RetryPolicy(3, base=0.1, cap=4.0, rng=random.Random(2))
    assert policy.delay(1, retry_after=2.5) == 2.5
    assert policy.delay(1, retry_after=60) == 4.0


class FakeClock:
    """A clock that only moves when the limiter sleeps."""

    def __init__(self):
        self.now = 100.0
        self.lock = threading.Lock()

    def time(self):
        return self.now

    def sleep(self, seconds):
        with self.lock:
            self.now += seconds


def test_rate_limiter_spaces_calls_by_the_interval():
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock.time, sleep=clock.sleep)
    stamps = []
    for dummy in range(5):
        limiter.acquire()
        stamps.append(clock.now)
    gaps = [round(b - a, 6) for a, b in zip(stamps, stamps[1:])]
    assert gaps == [0.1, 0.1, 0.1, 0.1]


def test_rate_limiter_holds_its_pace_across_threads():
    clock = FakeClock()
    limiter = RateLimiter(50, clock=clock.time, sleep=clock.sleep)
    turns = []
    lock = threading.Lock()

    def worker():
        for dummy in range(5):
            limiter.acquire()
            with lock:
                turns.append(limiter._next)  # pylint: disable=protected-access

    threads = [threading.Thread(target=worker) for dummy in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 20 turns at 50 per second, each its own: 0.02 s apart, none shared by two threads.
    turns.sort()
    assert len(turns) == 20 and len(set(round(turn, 6) for turn in turns)) == 20
    assert round(turns[-1] - turns[0], 6) == round(19 / 50.0, 6)


def _turns(limiters, operations):
    """The clock time at which each call of ``operations`` (in order) got its turn."""
    return [(operation, limiters.get(operation).acquire() and round(limiters._clock() - 100.0, 6))  # pylint: disable=protected-access
            for operation in operations]


def test_different_operations_go_side_by_side_each_at_its_own_limit():
    clock = FakeClock()
    limiters = OperationLimiters(10, RMQ.limit, clock=clock.time, sleep=clock.sleep)
    # A 5.x group's status is three operations: none waits for another's turn.
    assert _turns(limiters, ["ListConsumerConnections", "GetConsumerGroupLag", "ListConsumerGroupSubscriptions"]) == [
        ("ListConsumerConnections", 0.0), ("GetConsumerGroupLag", 0.0), ("ListConsumerGroupSubscriptions", 0.0)]
    # The same operation again waits one interval of its own limit.
    assert _turns(limiters, ["ListConsumerConnections"]) == [("ListConsumerConnections", 0.1)]


def test_an_operations_limit_is_the_apis_capped_by_rate_limit():
    clock = FakeClock()
    fast = OperationLimiters(1000, ONS.limit, clock=clock.time, sleep=clock.sleep)
    assert fast.rate_of("OnsConsumerStatus") == 10.0 and fast.rate_of("OnsInstanceBaseInfo") == 50.0
    assert fast.get("OnsInstanceBaseInfo").interval == 0.02
    slow = OperationLimiters(5, ONS.limit, clock=clock.time, sleep=clock.sleep)
    assert slow.rate_of("OnsConsumerStatus") == 5 and slow.rate_of("OnsInstanceBaseInfo") == 5
    assert slow.interval == 0.2
    assert OperationLimiters(7).rate_of("AnyOperation") == 7


def test_every_thread_draws_from_the_same_limiter_of_an_operation():
    limiters = OperationLimiters(10, RMQ.limit)
    found = []
    threads = [threading.Thread(target=lambda: found.append(limiters.get("GetTrace"))) for dummy in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(id(limiter) for limiter in found)) == 1


def test_rate_limit_of_zero_or_less_means_no_spacing():
    assert RateLimiter(0).interval == 0.0


class Headers(dict):
    """Headers as a response has them: names looked up without regard to case."""

    def get(self, name, default=None):
        for key, value in self.items():
            if key.lower() == name.lower():
                return value
        return default


NOW = 1767225600.0  # 2026-01-01T00:00:00Z


@pytest.mark.parametrize("headers, seconds", [
    ({"x-acs-retry-after": "1500"}, 1.5),
    ({"X-Acs-Retry-After": "0"}, 0.0),
    ({"Retry-After": "3"}, 3.0),
    ({"Retry-After": "Thu, 01 Jan 2026 00:00:05 GMT"}, 5.0),
    ({"Retry-After": "Wed, 31 Dec 2025 23:00:00 GMT"}, 0.0),
    ({"x-acs-retry-after": "2000", "Retry-After": "1"}, 2.0),
    ({"x-acs-retry-after": "500", "Retry-After": "1"}, 1.0),
    ({"x-acs-retry-after": "soon"}, None),
    ({"x-acs-retry-after": "-100"}, None),
    ({"x-acs-retry-after": "inf", "Retry-After": "nan"}, None),
    ({"Retry-After": "Thu, 01 Jan 2026 00:00:05"}, None),
    ({"Retry-After": "tomorrow"}, None),
    ({}, None),
])
def test_retry_after_is_read_from_either_header(headers, seconds):
    assert retry_after_seconds(Headers(headers), now=NOW) == seconds


def test_a_wait_that_would_pass_the_deadline_is_never_started():
    sleeps = []
    calls = []

    def attempt():
        calls.append(1)
        raise Flaky(True)

    policy = RetryPolicy(5, base=1.0, cap=4.0, rng=random.Random(1), sleep=sleeps.append)
    with pytest.raises(Flaky) as caught:
        # 10 s left, the server asks for 30 s: capped at 4 s, and the clock is stopped at 7 s.
        policy.run(attempt, (Flaky,), lambda exc: 30.0, deadline=10.0, clock=lambda: 7.0)
    assert caught.value.deadline_reached and caught.value.attempts == 1
    assert sleeps == [] and len(calls) == 1


def test_a_retry_the_deadline_cut_short_reports_the_error_before_it():
    now = [0.0]
    answered = Flaky(True)
    cut = Flaky(True)

    def attempt():
        if now[0] == 0.0:
            raise answered
        # The retry runs past the deadline, as a request cut by the whole call's timeout does.
        now[0] = 10.5
        raise cut

    policy = RetryPolicy(5, base=1.0, cap=1.0, rng=random.Random(1), sleep=lambda seconds: now.__setitem__(0, now[0] + seconds))
    with pytest.raises(Flaky) as caught:
        policy.run(attempt, (Flaky,), lambda exc: True, deadline=10.0, clock=lambda: now[0])
    assert caught.value is answered
    assert caught.value.deadline_reached and caught.value.attempts == 2


def test_waits_within_the_deadline_are_taken():
    sleeps = []
    failures = [Flaky(True)] * 2

    def attempt():
        if failures:
            raise failures.pop()
        return "ok"

    policy = RetryPolicy(5, base=1.0, cap=4.0, rng=random.Random(1), sleep=sleeps.append)
    assert policy.run(attempt, (Flaky,), lambda exc: 0.5, deadline=100.0, clock=lambda: 0.0) == ("ok", 3)
    assert len(sleeps) == 2 and all(0.5 <= slept <= 2.0 for slept in sleeps)


def test_rate_limiter_takes_no_turn_it_cannot_use_before_the_deadline():
    clock = FakeClock()
    limiter = RateLimiter(1, clock=clock.time, sleep=clock.sleep)
    assert limiter.acquire(deadline=clock.now + 5)
    # The next turn is 1 s away: too late for a deadline in 0.5 s, and no turn is taken.
    assert limiter.acquire(deadline=clock.now + 0.5) is False
    assert limiter.acquire(deadline=clock.now + 5) and clock.now == 101.0
