# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Request limits: token buckets per access key and operation."""

from emulator_testlib import KEY_ID, SECRET, scenario
from emulator.ratelimit import RateLimiter

GROUP = {'GroupId': 'GID_orders'}


def _codes(cli, action, count, params=None):
    return [cli.request(action, params or GROUP).code for _attempt in range(count)]


def test_default_limit_is_ten_per_second_per_operation(emulator, client_for):
    data = scenario()
    del data['limits']
    cli = client_for(emulator(data).url)
    codes = _codes(cli, 'OnsConsumerGetConnection', 13)
    assert codes[:10] == [None] * 10
    # the bucket refills at 10/s while the requests run, so allow one late token
    assert codes[10:].count('Throttling.User') >= 2
    # another operation has its own bucket
    assert cli.request('OnsConsumerStatus', GROUP).status == 200


def test_throttled_answer_is_http_400(emulator, client_for):
    cli = client_for(emulator(scenario(limits={'rate': 1})).url)
    cli.request('OnsConsumerGetConnection', GROUP)
    resp = cli.request('OnsConsumerGetConnection', GROUP)
    assert (resp.status, resp.code) == (400, 'Throttling.User')


def test_each_key_has_its_own_bucket(emulator, client_for):
    data = scenario(limits={'rate': 1}, keys=[{'access_key_id': KEY_ID, 'access_key_secret': SECRET},
                                              {'access_key_id': 'LTAI5tSecondKey00001', 'access_key_secret': 'Second0001'}])
    handle = emulator(data)
    first = client_for(handle.url)
    second = client_for(handle.url, key_id='LTAI5tSecondKey00001', secret='Second0001')
    assert _codes(first, 'OnsConsumerGetConnection', 2) == [None, 'Throttling.User']
    assert second.request('OnsConsumerGetConnection', GROUP).status == 200


def test_rate_limit_option_overrides_the_scenario(emulator, client_for):
    cli = client_for(emulator(scenario(limits={'rate': 100}), rate_limit=2).url)
    assert _codes(cli, 'OnsConsumerGetConnection', 3) == [None, None, 'Throttling.User']


def test_per_action_limits(emulator, client_for):
    cli = client_for(emulator(scenario(limits={'rate': 0, 'actions': {'OnsMessageTrace': 1}})).url)
    trace = {'Topic': 'orders', 'MsgId': 'MSG_CONSUMED'}
    assert _codes(cli, 'OnsMessageTrace', 2, trace) == [None, 'Throttling.User']
    assert _codes(cli, 'OnsConsumerGetConnection', 20) == [None] * 20


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
