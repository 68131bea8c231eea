# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Request limits: token buckets per Alibaba Cloud account and operation.

The HTTP tests stop the limiter's clock (freeze_rate_clock) so that buckets do not refill
while they run: every count is exact however slow the machine is.
"""

import pytest

from emulator_testlib import INSTANCE, KEY_ID, SECRET, freeze_rate_clock, scenario
from emulator.ratelimit import PUBLISHED_RATES, RateLimiter

GROUP = {'GroupId': 'GID_orders'}
SECOND = {'access_key_id': 'LTAI5tSecondKey00001', 'access_key_secret': 'Second0001'}


def _codes(cli, action, count, params=None):
    return [cli.request(action, params or GROUP).code for _attempt in range(count)]


@pytest.fixture
def frozen(emulator, client_for):
    """frozen(data, **start options) -> (handle, client) with the limiter's clock stopped."""
    def _open(data, **options):
        handle = emulator(data, **options)
        freeze_rate_clock(handle)
        return handle, client_for(handle.url)
    return _open


def _unlimited_by_scenario():
    data = scenario()
    del data['limits']
    return data


def test_default_limit_is_ten_per_second_per_operation(frozen):
    _handle, cli = frozen(_unlimited_by_scenario())
    assert _codes(cli, 'OnsConsumerGetConnection', 12) == [None] * 10 + ['Throttling.User'] * 2
    # another operation has its own bucket
    assert cli.request('OnsConsumerStatus', GROUP).status == 200


@pytest.mark.parametrize('action, params', [('OnsInstanceBaseInfo', {'InstanceId': INSTANCE}), ('OnsInstanceInServiceList', {})])
def test_instance_operations_have_the_published_fifty_per_second(frozen, action, params):
    _handle, cli = frozen(_unlimited_by_scenario())
    assert _codes(cli, action, 52, params) == [None] * 50 + ['Throttling.User'] * 2


@pytest.mark.parametrize('action, params', [
    ('OnsConsumerGetConnection', GROUP), ('OnsConsumerStatus', GROUP), ('OnsConsumerAccumulate', GROUP),
    ('OnsMessageTrace', {'Topic': 'orders', 'MsgId': 'MSG_CONSUMED'}),
    ('OnsDLQMessagePageQueryByGroupId', {'GroupId': 'GID_orders', 'BeginTime': '0', 'EndTime': '1', 'CurrentPage': '1'}),
])
def test_consumer_and_trace_operations_have_ten_per_second(frozen, action, params):
    _handle, cli = frozen(_unlimited_by_scenario())
    assert _codes(cli, action, 11, params) == [None] * 10 + ['Throttling.User']


def test_throttled_answer_is_http_400_with_retry_after_in_milliseconds(frozen):
    _handle, cli = frozen(scenario(limits={'rate': 4}))
    _codes(cli, 'OnsConsumerGetConnection', 4)
    resp = cli.request('OnsConsumerGetConnection', GROUP)
    assert (resp.status, resp.code) == (400, 'Throttling.User')
    # an empty bucket refills one token in 1/4 s
    assert resp.headers['x-acs-retry-after'] == '250'
    assert 'account' in resp.json()['Message']


def test_answers_that_are_not_throttled_carry_no_retry_after(frozen):
    _handle, cli = frozen(scenario(limits={'rate': 4}))
    assert 'x-acs-retry-after' not in cli.request('OnsConsumerGetConnection', GROUP).headers
    assert 'x-acs-retry-after' not in cli.request('OnsConsumerGetConnection', {'GroupId': 'GID_nope'}).headers


def test_keys_of_one_account_share_the_limit(frozen, client_for):
    handle, first = frozen(scenario(limits={'rate': 2}, keys=[{'access_key_id': KEY_ID, 'access_key_secret': SECRET}, SECOND]))
    second = client_for(handle.url, key_id=SECOND['access_key_id'], secret=SECOND['access_key_secret'])
    assert _codes(first, 'OnsConsumerGetConnection', 1) == [None]
    assert _codes(second, 'OnsConsumerGetConnection', 2) == [None, 'Throttling.User']
    assert _codes(first, 'OnsConsumerGetConnection', 1) == ['Throttling.User']


def test_keys_of_different_accounts_have_their_own_limits(frozen, client_for):
    other = dict(SECOND, account='9990001112223334')
    handle, first = frozen(scenario(limits={'rate': 1}, keys=[{'access_key_id': KEY_ID, 'access_key_secret': SECRET}, other]))
    second = client_for(handle.url, key_id=SECOND['access_key_id'], secret=SECOND['access_key_secret'])
    assert _codes(first, 'OnsConsumerGetConnection', 2) == [None, 'Throttling.User']
    assert _codes(second, 'OnsConsumerGetConnection', 2) == [None, 'Throttling.User']


def test_a_named_account_equal_to_the_default_shares_its_limit(frozen, client_for):
    from emulator.scenario import DEFAULT_ACCOUNT
    same = dict(SECOND, account=DEFAULT_ACCOUNT)
    handle, first = frozen(scenario(limits={'rate': 1}, keys=[{'access_key_id': KEY_ID, 'access_key_secret': SECRET}, same]))
    second = client_for(handle.url, key_id=SECOND['access_key_id'], secret=SECOND['access_key_secret'])
    assert _codes(first, 'OnsConsumerGetConnection', 1) == [None]
    assert _codes(second, 'OnsConsumerGetConnection', 1) == ['Throttling.User']


def test_rate_limit_option_overrides_the_scenario_and_the_published_rates(frozen):
    _handle, cli = frozen(scenario(limits={'rate': 100}), rate_limit=2)
    assert _codes(cli, 'OnsConsumerGetConnection', 3) == [None, None, 'Throttling.User']
    assert _codes(cli, 'OnsInstanceBaseInfo', 3, {'InstanceId': INSTANCE}) == [None, None, 'Throttling.User']


def test_a_scenario_rate_applies_to_every_operation(frozen):
    _handle, cli = frozen(scenario(limits={'rate': 3}))
    assert _codes(cli, 'OnsInstanceBaseInfo', 4, {'InstanceId': INSTANCE}) == [None] * 3 + ['Throttling.User']


def test_per_action_limits(frozen):
    _handle, cli = frozen(scenario(limits={'rate': 0, 'actions': {'OnsMessageTrace': 1}}))
    trace = {'Topic': 'orders', 'MsgId': 'MSG_CONSUMED'}
    assert _codes(cli, 'OnsMessageTrace', 2, trace) == [None, 'Throttling.User']
    assert _codes(cli, 'OnsConsumerGetConnection', 20) == [None] * 20


def test_per_action_limits_win_over_the_published_rates(frozen):
    data = _unlimited_by_scenario()
    data['limits'] = {'actions': {'OnsInstanceBaseInfo': 2}}
    _handle, cli = frozen(data)
    assert _codes(cli, 'OnsInstanceBaseInfo', 3, {'InstanceId': INSTANCE}) == [None, None, 'Throttling.User']
    assert _codes(cli, 'OnsInstanceInServiceList', 50, {}) == [None] * 50


def test_bucket_refills_at_the_rate():
    now = [0.0]
    limiter = RateLimiter(10, clock=lambda: now[0])
    assert all(limiter.allow('k', 'A') for _attempt in range(10))
    assert not limiter.allow('k', 'A')
    now[0] += 0.1
    assert limiter.allow('k', 'A')
    assert not limiter.allow('k', 'A')
    now[0] += 10
    assert sum(limiter.allow('k', 'A') for _attempt in range(20)) == 10


def test_take_tells_how_long_until_the_next_token():
    now = [0.0]
    limiter = RateLimiter(10, clock=lambda: now[0])
    assert all(limiter.take('k', 'A') is None for _attempt in range(10))
    assert limiter.take('k', 'A') == pytest.approx(0.1)
    now[0] += 0.05
    assert limiter.take('k', 'A') == pytest.approx(0.05)


def test_published_rates_apply_below_per_action_rates():
    limiter = RateLimiter(10, {'OnsInstanceBaseInfo': 7}, published=PUBLISHED_RATES)
    assert (limiter.rate_for('OnsInstanceBaseInfo'), limiter.rate_for('OnsInstanceInServiceList'), limiter.rate_for('OnsConsumerStatus')) == (7, 50, 10)


def test_rate_below_one_still_lets_a_request_through_now_and_then():
    now = [0.0]
    limiter = RateLimiter(0.5, clock=lambda: now[0])
    assert limiter.allow('k', 'A')
    assert not limiter.allow('k', 'A')
    now[0] += 2
    assert limiter.allow('k', 'A')


def test_zero_rate_is_unlimited():
    limiter = RateLimiter(0)
    assert all(limiter.allow('k', 'A') for _attempt in range(1000))
