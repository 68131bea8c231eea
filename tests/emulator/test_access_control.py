# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""RAM actions and resources per access key, and the 403 answer Alibaba Cloud sends."""

import base64
import json
import os
import re

import pytest

from emulator_testlib import INSTANCE, KEY_ID, ROOT, SECRET, scenario
from emulator.operations import INSTANCE_INFO, OPERATIONS

LIMITED = 'LTAI5tLimitedKey0001'
LIMITED_SECRET = 'LimitedSecret0001'
# The operations whose reference lists mq:OnsInstanceBaseInfo (OnsGroupList: mq:QueryInstanceBaseInfo)
# as their associated action.
WITH_INSTANCE_ACTION = ['OnsConsumerAccumulate', 'OnsConsumerGetConnection', 'OnsConsumerStatus', 'OnsDLQMessagePageQueryByGroupId',
                        'OnsGroupList', 'OnsGroupSubDetail', 'OnsMessageGetByMsgId', 'OnsMessageTrace']


def _keys(actions=None, resources=None, **extra):
    limited = {'access_key_id': LIMITED, 'access_key_secret': LIMITED_SECRET}
    if actions is not None:
        limited['actions'] = actions
    if resources is not None:
        limited['resources'] = resources
    limited.update(extra)
    return scenario(keys=[{'access_key_id': KEY_ID, 'access_key_secret': SECRET}, limited])


@pytest.fixture
def limited(emulator, client_for):
    """limited(actions, resources, sig, **key fields) -> a client signed with a key restricted that way."""
    def _make(actions=None, resources=None, sig='v3', **extra):
        handle = emulator(_keys(actions, resources, **extra))
        return client_for(handle.url, sig, key_id=LIMITED, secret=LIMITED_SECRET, token=extra.get('security_token'))
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
    'OnsDLQMessagePageQueryByGroupId': {'GroupId': 'GID_orders', 'BeginTime': '0', 'EndTime': '4102444800000', 'CurrentPage': '1'},
}


REQUESTS['OnsGroupSubDetail'] = {'GroupId': 'GID_orders', 'InstanceId': INSTANCE}


def _denied(resp, action):
    """Assert a 403 Forbidden.RAM naming ``action``; return its AccessDeniedDetail."""
    assert (resp.status, resp.code) == (403, 'Forbidden.RAM'), resp.body
    body = resp.json()
    assert 'Missing action: %s' % action in body['Message']
    assert body['AccessDeniedDetail']['AuthAction'] == action
    return body['AccessDeniedDetail']


@pytest.mark.parametrize('action', sorted(OPERATIONS))
@pytest.mark.parametrize('sig', ['v3', 'v1'])
def test_key_without_the_ram_action_is_forbidden_and_told_which(limited, action, sig):
    own = set((OPERATIONS[action].ram_action,) + OPERATIONS[action].aliases)
    # every other action the emulator knows, the instance action included
    others = sorted((set(op.ram_action for op in OPERATIONS.values()) | set(INSTANCE_INFO)) - own)
    _denied(limited(actions=others, sig=sig).request(action, REQUESTS[action]), OPERATIONS[action].ram_action)


@pytest.mark.parametrize('action', WITH_INSTANCE_ACTION)
def test_consumer_and_message_operations_also_need_the_instance_action(limited, action):
    resp = limited(actions=[OPERATIONS[action].ram_action]).request(action, REQUESTS[action])
    _denied(resp, 'mq:OnsInstanceBaseInfo')
    # the older spelling is named as an equivalent grant
    assert 'mq:QueryInstanceBaseInfo' in resp.json()['Message']


def test_the_own_action_is_reported_before_the_instance_action(limited):
    _denied(limited(actions=['mq:ListGroup']).request('OnsConsumerStatus', {'GroupId': 'GID_orders'}), 'mq:QueryConsumerStatus')


@pytest.mark.parametrize('instance_action', INSTANCE_INFO)
@pytest.mark.parametrize('action', sorted(OPERATIONS))
def test_key_with_the_action_and_either_instance_action_name_is_allowed(limited, action, instance_action):
    resp = limited(actions=[OPERATIONS[action].ram_action, instance_action]).request(action, REQUESTS[action])
    assert resp.status == 200, resp.body


@pytest.mark.parametrize('action', WITH_INSTANCE_ACTION)
def test_the_instance_action_alone_allows_no_consumer_operation(limited, action):
    _denied(limited(actions=list(INSTANCE_INFO)).request(action, REQUESTS[action]), OPERATIONS[action].ram_action)


def test_group_list_needs_list_group_and_the_instance_action_its_reference_lists(limited):
    _denied(limited(actions=['mq:ListGroup']).request('OnsGroupList', {}), 'mq:OnsInstanceBaseInfo')
    assert limited(actions=['mq:ListGroup', 'mq:QueryInstanceBaseInfo']).request('OnsGroupList', {}).status == 200
    _denied(limited(actions=list(INSTANCE_INFO)).request('OnsGroupList', {}), 'mq:ListGroup')


@pytest.mark.parametrize('action', ['OnsInstanceBaseInfo', 'OnsInstanceInServiceList'])
@pytest.mark.parametrize('name', INSTANCE_INFO)
def test_instance_operations_accept_both_instance_action_names(limited, action, name):
    assert limited(actions=[name]).request(action, REQUESTS[action]).status == 200
    _denied(limited(actions=['mq:ListGroup']).request(action, REQUESTS[action]), 'mq:QueryInstanceBaseInfo')


def test_access_denied_detail_has_alibabas_shape(limited):
    resp = limited(actions=['mq:QueryConsumerStatus'], account='5550001112223334').request('OnsConsumerStatus', {'GroupId': 'GID_orders'})
    detail = _denied(resp, 'mq:OnsInstanceBaseInfo')
    assert sorted(detail) == ['AuthAction', 'AuthPrincipalDisplayName', 'AuthPrincipalOwnerId', 'AuthPrincipalType',
                              'EncodedDiagnosticMessage', 'NoPermissionType', 'PolicyType']
    assert (detail['AuthPrincipalType'], detail['NoPermissionType'], detail['PolicyType']) == (
        'SubUser', 'ImplicitDeny', 'AccountLevelIdentityBasedPolicy')
    assert detail['AuthPrincipalOwnerId'] == '5550001112223334'
    assert re.match(r'^\d{18}$', detail['AuthPrincipalDisplayName'])
    diagnostic = json.loads(base64.b64decode(detail['EncodedDiagnosticMessage']))
    assert diagnostic['AuthAction'] == 'mq:OnsInstanceBaseInfo'
    assert diagnostic['AuthResource'] == 'acs:mq:cn-hangzhou:*:%s%%GID_orders' % INSTANCE
    assert LIMITED_SECRET not in resp.body.decode('utf-8')


def test_access_denied_detail_of_an_sts_key_names_an_assumed_role(limited):
    cli = limited(actions=[], security_token='StsTokenOfTheRole01', display_name='ons-reader:session-1')
    detail = _denied(cli.request('OnsGroupList', {}), 'mq:ListGroup')
    assert (detail['AuthPrincipalType'], detail['AuthPrincipalDisplayName']) == ('AssumedRoleUser', 'ons-reader:session-1')
    assert 'StsTokenOfTheRole01' not in json.dumps(detail) + base64.b64decode(detail['EncodedDiagnosticMessage']).decode('utf-8')


def test_action_patterns_use_wildcards(limited):
    cli = limited(actions=['mq:QueryConsumer*', 'mq:OnsInstance*'])
    assert cli.request('OnsConsumerStatus', {'GroupId': 'GID_orders'}).status == 200
    assert cli.request('OnsMessageTrace', REQUESTS['OnsMessageTrace']).code == 'Forbidden.RAM'


def test_readme_ram_table_matches_the_operations():
    with open(os.path.join(ROOT, 'emulator', 'README.md'), encoding='utf-8') as handle:
        rows = dict((m.group(1), m.group(2)) for m in re.finditer(r'^\| (Ons\w+) \| ([^|]*`mq:[^|]*) \|', handle.read(), re.M))
    for name, operation in OPERATIONS.items():
        names = re.findall(r'`(mq:\w+)`', rows[name])
        expected = [operation.ram_action] + list(operation.aliases)
        if len(operation.required_actions) > 1:
            expected += list(operation.associated)
        assert sorted(set(names)) == sorted(set(expected)), name


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
        _denied(resp, 'mq:QueryConsumerConnection')
        assert '%s%%GID_orders' % INSTANCE in resp.json()['Message']


def test_dead_letters_need_query_dlq_message_on_the_group(limited):
    query = REQUESTS['OnsDLQMessagePageQueryByGroupId']
    resp = limited(actions=['mq:QueryConsumerStatus', 'mq:QueryMessage'] + list(INSTANCE_INFO)).request('OnsDLQMessagePageQueryByGroupId', query)
    _denied(resp, 'mq:QueryDLQMessage')
    assert '%s%%GID_orders' % INSTANCE in resp.json()['Message']
    allowed = limited(actions=['mq:QueryDLQMessage', 'mq:OnsInstanceBaseInfo'], resources=['%s%%GID_orders' % INSTANCE])
    assert allowed.request('OnsDLQMessagePageQueryByGroupId', query).status == 200
    _denied(limited(resources=['GID_idle']).request('OnsDLQMessagePageQueryByGroupId', query), 'mq:QueryDLQMessage')


def test_topic_operations_check_the_topic_resource(limited):
    assert limited(resources=['orders']).request('OnsMessageTrace', REQUESTS['OnsMessageTrace']).status == 200
    assert limited(resources=['payments']).request('OnsMessageTrace', REQUESTS['OnsMessageTrace']).code == 'Forbidden.RAM'


def test_statements_allow_each_their_own_actions_on_their_own_resources(limited):
    cli = limited(statements=[
        {'actions': ['mq:QueryConsumerStatus'] + list(INSTANCE_INFO), 'resources': ['%s%%GID_orders' % INSTANCE]},
        {'actions': ['mq:QueryMessageTrace'] + list(INSTANCE_INFO), 'resources': ['%s%%orders' % INSTANCE]},
    ])
    assert cli.request('OnsConsumerStatus', {'GroupId': 'GID_orders', 'InstanceId': INSTANCE}).status == 200
    assert cli.request('OnsMessageTrace', REQUESTS['OnsMessageTrace']).status == 200
    # each action only on the resources of its own statement
    _denied(cli.request('OnsConsumerStatus', {'GroupId': 'GID_idle', 'InstanceId': INSTANCE}), 'mq:QueryConsumerStatus')
    _denied(cli.request('OnsConsumerGetConnection', {'GroupId': 'GID_orders', 'InstanceId': INSTANCE}), 'mq:QueryConsumerConnection')


def test_statements_and_actions_are_not_both_given(emulator):
    from emulator.scenario import ScenarioError
    with pytest.raises(ScenarioError, match=r'keys\[1\]: give actions or statements, not both'):
        emulator(_keys(actions=['mq:*'], statements=[{'actions': ['mq:*']}]))


def test_list_operations_only_show_permitted_rows(limited):
    rows = limited(resources=['GID_idle']).request('OnsGroupList', {'GroupType': 'all'}).json()['Data']['SubscribeInfoDo']
    assert [r['GroupId'] for r in rows] == ['GID_idle']
    assert limited(resources=['MQ_INST_other']).request('OnsInstanceInServiceList', {}).json()['Data']['InstanceVO'] == []
