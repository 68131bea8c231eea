# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The options the gate action takes are the options its documentation-only module documents.

ansible-doc shows plugins/modules/gate.py while the action validates its own argument spec, and
sanity's validate-modules cannot compare the two for an action: this test does.
"""

import pytest
import yaml

from ansible_collections.apsaramq.rocketmq.plugins.action.gate import ARGUMENT_SPEC, GATE_ARGUMENT_SPEC
from ansible_collections.apsaramq.rocketmq.plugins.doc_fragments.credentials import ModuleDocFragment as CredentialsFragment
from ansible_collections.apsaramq.rocketmq.plugins.doc_fragments.ons import ModuleDocFragment
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.ons_module import ONS_ARGUMENT_SPEC
from ansible_collections.apsaramq.rocketmq.plugins.modules import gate as gate_module

# Options the action takes as they come (type raw) and validates itself, so that an error names the
# caller's variable (input_names); the documentation gives the type a user writes.
SELF_VALIDATED = {'wait_timeout': 'float', 'poll_interval': 'float', 'observe_seconds': 'float'}


def documentation():
    try:
        return yaml.safe_load(gate_module.DOCUMENTATION)
    except yaml.YAMLError as exc:
        pytest.fail('DOCUMENTATION of plugins/modules/gate.py is not valid YAML: %s' % exc)


def test_the_gate_documents_exactly_the_options_its_action_takes():
    doc = documentation()
    assert sorted(doc['options']) == sorted(GATE_ARGUMENT_SPEC)
    assert 'apsaramq.rocketmq.ons' in doc['extends_documentation_fragment']
    assert set(ARGUMENT_SPEC) == set(GATE_ARGUMENT_SPEC) | set(ONS_ARGUMENT_SPEC)


@pytest.mark.parametrize('name', sorted(GATE_ARGUMENT_SPEC))
def test_each_option_has_the_documented_type_elements_and_default(name):
    spec = GATE_ARGUMENT_SPEC[name]
    option = documentation()['options'][name]
    assert option.get('description')
    assert option['type'] == (SELF_VALIDATED[name] if spec['type'] == 'raw' and name in SELF_VALIDATED else spec['type'])
    assert option.get('elements') == spec.get('elements')
    assert option.get('default') == spec.get('default')


def test_the_connection_options_are_those_of_the_shared_fragments():
    documented = dict(yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options'])
    documented.update(yaml.safe_load(CredentialsFragment.DOCUMENTATION)['options'])
    assert sorted(documented) == sorted(ONS_ARGUMENT_SPEC)
