# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""RAM actions and resources per access key."""

import pytest

from emulator_testlib import INSTANCE, KEY_ID, SECRET, scenario
from emulator.operations import OPERATIONS

LIMITED = 'LTAI5tLimitedKey0001'


def _keys(actions=None, resources=None):
    limited = {'access_key_id': LIMITED, 'access_key_secret': 'LimitedSecret0001'}
    if actions is not None:
        limited['actions'] = actions
    if resources is not None:
        limited['resources'] = resources
    return scenario(keys=[{'access_key_id': KEY_ID, 'access_key_secret': SECRET}, limited])


@pytest.fixture
def limited(emulator, client_for):
    """limited(actions, resources) -> a client signed with a key restricted that way."""
    def _make(actions=None, resources=None, sig='v3'):
        handle = emulator(_keys(actions, resources))
        return client_for(handle.url, sig, key_id=LIMITED, secret='LimitedSecret0001')
    return _make


REQUESTS = {
    'OnsConsumerGetConnection': {'GroupId': 'GID_orders'},
    'OnsMessageTrace': {'Topic': 'orders', 'MsgId': 'MSG_CONSUMED'},
    'OnsConsumerStatus': {'GroupId': 'GID_orders'},
    'OnsConsumerAccumulate': {'GroupId': 'GID_orders'},
    'OnsGroupSubDetail': {'GroupId': 'GID_orders'},
    'OnsGroupList': {},
    'OnsInstanceInServiceList': {},
    'OnsInstanceBaseInfo': {'InstanceId': INSTANCE},
    'OnsMessageGetByMsgId': {'Topic': 'orders', 'MsgId': 'MSG_CONSUMED'},
}


@pytest.mark.parametrize('action', sorted(OPERATIONS))
@pytest.mark.parametrize('sig', ['v3', 'v1'])
def test_key_without_the_ram_action_is_forbidden_and_told_which(limited, action, sig):
    own = set((OPERATIONS[action].ram_action,) + OPERATIONS[action].aliases)
    others = sorted(set(op.ram_action for op in OPERATIONS.values()) - own)
    resp = limited(actions=others, sig=sig).request(action, REQUESTS[action])
    assert (resp.status, resp.code) == (403, 'Forbidden.RAM')
    assert OPERATIONS[action].ram_action in resp.json()['Message']


@pytest.mark.parametrize('action', sorted(OPERATIONS))
def test_key_with_exactly_the_ram_action_is_allowed(limited, action):
    resp = limited(actions=[OPERATIONS[action].ram_action]).request(action, REQUESTS[action])
    assert resp.status == 200, resp.body


def test_action_patterns_use_wildcards(limited):
    cli = limited(actions=['mq:QueryConsumer*'])
    assert cli.request('OnsConsumerStatus', {'GroupId': 'GID_orders'}).status == 200
    assert cli.request('OnsMessageTrace', REQUESTS['OnsMessageTrace']).code == 'Forbidden.RAM'


def test_legacy_action_name_is_accepted_as_alias(limited):
    assert limited(actions=['mq:QueryInstanceBaseInfo']).request('OnsInstanceBaseInfo', {'InstanceId': INSTANCE}).status == 200


@pytest.mark.parametrize('resources, allowed', [
    (['GID_orders'], True),
    (['GID_*'], True),
    ([INSTANCE], True),
    (['%s%%GID_orders' % INSTANCE], True),
    (['acs:mq:*:*:%s%%GID_orders' % INSTANCE], True),
    (['GID_idle'], False),
    (['MQ_INST_other'], False),
])
def test_group_operations_check_the_group_resource(limited, resources, allowed):
    resp = limited(resources=resources).request('OnsConsumerGetConnection', {'GroupId': 'GID_orders', 'InstanceId': INSTANCE})
    if allowed:
        assert resp.status == 200, resp.body
    else:
        assert (resp.status, resp.code) == (403, 'Forbidden.RAM')
        assert '%s%%GID_orders' % INSTANCE in resp.json()['Message']


def test_topic_operations_check_the_topic_resource(limited):
    assert limited(resources=['orders']).request('OnsMessageTrace', REQUESTS['OnsMessageTrace']).status == 200
    assert limited(resources=['payments']).request('OnsMessageTrace', REQUESTS['OnsMessageTrace']).code == 'Forbidden.RAM'


def test_list_operations_only_show_permitted_rows(limited):
    rows = limited(resources=['GID_idle']).request('OnsGroupList', {}).json()['Data']['SubscribeInfoDo']
    assert [r['GroupId'] for r in rows] == ['GID_idle']
    assert limited(resources=['MQ_INST_other']).request('OnsInstanceInServiceList', {}).json()['Data']['InstanceVO'] == []
