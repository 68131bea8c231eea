# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Jinja conditions over a group's facts, evaluated as ``ansible.builtin.assert`` evaluates ``that``.

A condition is an expression without ``{{ }}``, such as ``status.consume_tps > 0`` or
``connections | length >= 2``; the facts of the group are its variables. Every filter and test
Ansible knows is available, the collection's own included.
"""

from ansible.errors import AnsibleError
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core before 2.19 has no template trust: every template is trusted
    def trust_as_template(value):
        return value

try:
    from ansible.errors import AnsibleTemplateSyntaxError
except ImportError:  # ansible-core before 2.19
    from jinja2.exceptions import TemplateSyntaxError as AnsibleTemplateSyntaxError

_LOADER = []


def _loader():
    if not _LOADER:
        _LOADER.append(DataLoader())
    return _LOADER[0]


def evaluate(condition, facts):
    """Return whether ``condition`` holds for ``facts``; raise AnsibleError when it cannot be evaluated.

    The condition is the user's own, written in the task or vars file like ``assert``'s ``that``,
    so it is trusted as a template; the facts are data and never templated.
    """
    templar = Templar(loader=_loader(), variables=facts)
    condition = trust_as_template(str(condition))
    if hasattr(templar, 'evaluate_conditional'):
        result = templar.evaluate_conditional(condition)
    else:  # pragma: no cover - ansible-core before 2.19
        from ansible.playbook.conditional import Conditional

        conditional = Conditional(loader=_loader())
        conditional.when = [condition]
        result = conditional.evaluate_conditional(templar, facts)
    if not isinstance(result, bool):
        raise AnsibleError('the condition gave %r, not true or false' % (result,))
    return result


def syntax_error(condition):
    """Return the syntax error of ``condition`` as text, or None when it parses."""
    try:
        evaluate(condition, {})
    except AnsibleTemplateSyntaxError as exc:
        return str(exc).splitlines()[0]
    except AnsibleError:
        # Undefined facts and the like: the condition parses; the real facts decide.
        return None
    return None
