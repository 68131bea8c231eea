# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""How the parts of the collection may import each other, read from their source.

Filters import their logic from plugin_utils, never the reverse (as ansible.utils does); the
report writer does not load the check registry; and only the backends know the generations.
"""

import ast
import os

import pytest

PREFIX = 'ansible_collections.apsaramq.rocketmq.'
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
PLUGIN_UTILS = sorted(name[:-3] for name in os.listdir(os.path.join(ROOT, 'plugins', 'plugin_utils')) if name.endswith('.py'))
GATE_FILES = ['plugins.plugin_utils.%s' % name for name in PLUGIN_UTILS if name.startswith('gate_') and name != 'gate_backends'] + [
    'plugins.action.gate']


def _source(module):
    with open(os.path.join(ROOT, *module.split('.')) + '.py', encoding='utf-8') as stream:
        return ast.parse(stream.read())


def _exists(module):
    return os.path.isfile(os.path.join(ROOT, *module.split('.')) + '.py')


def imports(module):
    """The modules of this collection that ``module`` imports (``plugins.plugin_utils.gate_model``, ...)."""
    found = set()
    for node in ast.walk(_source(module)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PREFIX):
            base = node.module[len(PREFIX):]
            for alias in node.names:
                # ``from ...plugin_utils import gate_conditions`` imports a module; anything else a name of one.
                found.add('%s.%s' % (base, alias.name) if _exists('%s.%s' % (base, alias.name)) else base)
        elif isinstance(node, ast.Import):
            found.update(alias.name[len(PREFIX):] for alias in node.names if alias.name.startswith(PREFIX))
    return found


def loaded(module):
    """Every module of this collection that importing ``module`` loads, itself included."""
    seen, pending = set(), [module]
    while pending:
        current = pending.pop()
        if current not in seen and _exists(current):
            seen.add(current)
            pending.extend(imports(current))
    return seen


@pytest.mark.parametrize('module', PLUGIN_UTILS)
def test_no_engine_module_loads_a_filter_plugin(module):
    assert [name for name in loaded('plugins.plugin_utils.' + module) if name.startswith('plugins.filter.')] == []


def test_the_report_writer_does_not_load_the_check_registry_or_the_plan():
    found = loaded('plugins.plugin_utils.gate_report')
    assert 'plugins.plugin_utils.gate_checks' not in found and 'plugins.plugin_utils.gate_spec' not in found
    assert 'plugins.plugin_utils.gate_values' in found


def test_the_filters_of_versions_and_connections_are_their_plugin_utils_functions():
    assert imports('plugins.filter.rocketmq') == {'plugins.plugin_utils.versions', 'plugins.plugin_utils.connection_summary'}


@pytest.mark.parametrize('module', GATE_FILES)
def test_no_gate_file_but_the_backends_branches_on_the_generation(module):
    tree = _source(module)
    named = [alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names
             if alias.name.startswith('GENERATION_') or alias.name in ('api_of', 'instance_generation')]
    assert named == []

    def generation(node):
        return (isinstance(node, ast.Attribute) and node.attr == 'generation') or (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == 'generation')

    compared = [node.lineno for node in ast.walk(tree)
                if isinstance(node, ast.Compare) and any(generation(item) for item in [node.left] + node.comparators)]
    assert compared == []
