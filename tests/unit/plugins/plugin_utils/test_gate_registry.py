# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The registry of built-in checks: every check is validated, reported and documented wherever users set it.

Adding a check to gate_checks.CHECKS without its documentation in the gate module and the
consumer_health role fails here; its variable consumer_health_<check> comes from the registry.
"""

import os

import pytest
import yaml

from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_variables import GATE_VARIABLES, consumer_health_variables, gate_variables
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils import gate_checks
from ansible_collections.apsaramq.rocketmq.plugins.modules import gate as gate_module
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_checks import CHECKS, expected_text
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_model import GateInputError
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_spec import GROUP_DEFAULT_KEYS, group_plan
from ansible_collections.apsaramq.rocketmq.tests.unit.plugins.plugin_utils.gate_builders import INSTANCE

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
# A setting gate_spec accepts for each kind of check; a new kind needs one here.
SETTINGS = {'flag': True, 'count': 2, 'lag': 10, 'seconds': 1.5, 'version': 'V4_9_4', 'model': 'CLUSTERING', 'languages': ['JAVA'],
            'percent': 5, 'ratio': 1.5, 'letters': 3}
# The type each kind is documented with.
DOC_TYPES = {'flag': 'bool', 'count': 'int', 'lag': 'int', 'seconds': 'float', 'version': 'str', 'model': 'str', 'languages': 'list',
             'percent': 'float', 'ratio': 'float', 'letters': 'int'}


def load(*parts):
    with open(os.path.join(COLLECTION_ROOT, *parts)) as handle:
        return yaml.safe_load(handle)


def module_options():
    try:
        documentation = yaml.safe_load(gate_module.DOCUMENTATION)
    except yaml.YAMLError as exc:
        pytest.fail('DOCUMENTATION of plugins/modules/gate.py is not valid YAML: %s' % exc)
    return documentation['options']['group_defaults']['suboptions']


def role_options():
    return load('roles', 'consumer_health', 'meta', 'argument_specs.yml')['argument_specs']['main']['options']


def role_gate_task():
    tasks = load('roles', 'consumer_health', 'tasks', 'main.yml')
    return next(task['apsaramq.rocketmq.gate'] for task in tasks if 'apsaramq.rocketmq.gate' in task)


def test_the_checks_are_the_ones_users_know_in_their_order():
    assert list(CHECKS) == ['min_consumers', 'max_consumers', 'min_version', 'uniform_version', 'allowed_languages',
                            'message_model', 'unique_client_ids', 'subscription_consistent', 'rebalance_ok', 'max_lag',
                            'max_delay_seconds', 'require_progress', 'lag_trend', 'max_failed_percent', 'canary_max_rt_ratio',
                            'canary_min_tps_ratio', 'max_dead_letters']


@pytest.mark.parametrize('name', sorted(CHECKS))
def test_every_check_takes_a_kind_of_setting_the_plan_validates(name):
    kind = CHECKS[name].kind
    assert kind in SETTINGS, 'give the kind %s of check %s a setting in this test' % (kind, name)
    entry = group_plan([{'group_id': 'GID_a', name: SETTINGS[kind]}], {'instance_id': INSTANCE})[0]
    assert entry['checks'][name] not in (None, False)
    with pytest.raises(GateInputError, match=r'^groups\[0\]\.%s: ' % name):
        group_plan([{'group_id': 'GID_a', name: {'not': 'a setting'}}], {'instance_id': INSTANCE})
    assert name in GROUP_DEFAULT_KEYS


@pytest.mark.parametrize('name', sorted(CHECKS))
def test_every_check_has_an_expected_text_for_the_report(name):
    text = expected_text(name, SETTINGS[CHECKS[name].kind])
    assert text not in (None, '', [], {})
    assert CHECKS[name].reads in ('connections', 'lag', 'samples', 'dead_letters')


@pytest.mark.parametrize('name', sorted(CHECKS))
def test_every_check_is_documented_in_the_gate_module_with_its_type_and_default(name):
    options = module_options()
    assert name in options, 'document %s under group_defaults in plugins/modules/gate.py' % name
    option = options[name]
    assert option.get('description')
    assert option['type'] == DOC_TYPES[CHECKS[name].kind]
    assert option.get('default') == CHECKS[name].default


@pytest.mark.parametrize('name', sorted(CHECKS))
def test_every_check_is_a_variable_of_the_consumer_health_role_passed_to_the_gate(name):
    variable = 'consumer_health_' + name
    option = role_options().get(variable)
    assert option is not None, 'document %s in roles/consumer_health/meta/argument_specs.yml' % variable
    assert option.get('description')
    assert option['type'] == DOC_TYPES[CHECKS[name].kind]
    assert option.get('default') == CHECKS[name].default
    assert load('roles', 'consumer_health', 'defaults', 'main.yml')[variable] == CHECKS[name].default
    assert role_gate_task()['group_defaults'][name] == '{{ %s }}' % variable
    assert gate_variables([variable], ['consumer_health']) == [variable]


def test_a_check_added_to_the_registry_is_a_variable_of_the_role_without_listing_it(monkeypatch):
    registry = dict(CHECKS)
    monkeypatch.setattr(gate_checks, 'CHECKS', registry)
    gate_checks.check('max_rebalances', 'count', None, 'connections', lambda setting: '<= %d' % setting)(lambda *args: None)
    names = consumer_health_variables(gate_checks.CHECKS)
    # After the other checks' variables, before the role's own settings that follow them.
    assert names.index('consumer_health_max_rebalances') == names.index('consumer_health_max_dead_letters') + 1
    assert names.index('consumer_health_max_rebalances') == names.index('consumer_health_dead_letter_lookback') - 1
    assert set(names) - set(consumer_health_variables(CHECKS)) == {'consumer_health_max_rebalances'}


def test_the_variables_of_the_role_are_those_of_the_registry_of_checks():
    assert GATE_VARIABLES['consumer_health'] == consumer_health_variables(CHECKS)
    assert [name for name in CHECKS if 'consumer_health_' + name not in GATE_VARIABLES['consumer_health']] == []


def test_the_module_documents_no_check_the_registry_does_not_have():
    documented = set(module_options()) - {'instance_id', 'rules', 'allow_inconclusive', 'dead_letter_lookback'}
    assert sorted(documented - set(CHECKS)) == []
