# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# FOR INTERNAL COLLECTION USE ONLY: the interfaces of this file serve the apsaramq.rocketmq collection
# and may change in any release; modules, plugins and roles are the public interface.

"""Jinja conditions over a group's facts, evaluated like ``ansible.builtin.assert``'s ``that``, on every core alike.

A condition is an expression without ``{{ }}``, such as ``status.consume_tps > 0`` or
``connections | length >= 2``; the facts of the group are its variables. Every filter and test
Ansible knows is available, the collection's own included.

A condition is code: like ``assert``, the gate runs only one Ansible trusts as a template, written
in a playbook, a role or a vars file (``trusted``); on ansible-core 2.19 and later, one marked
``!unsafe`` (as AWX marks the answers given at launch) or read from data is refused before the
first call. The facts are what the API answered, written by whoever runs a consumer or owns the
account: they are data, and never rendered, looked up or executed. ansible-core 2.19 and later
never render a value they were not told to trust. The cores before 2.19 render every string
variable a template touches, unless it is marked unsafe; there the facts are marked unsafe, and the
expression is compiled and run by Jinja directly, so that a condition has the same meaning on every
core: its value must be true or false, and anything else is an error naming the value's type.

A rule's ``fail_msg`` and ``success_msg`` are templates over the same facts (``render``):
``"{{ group_id }} lags {{ status.total_diff }}"``. Ansible renders a variable's templates before the
gate sees them, so a message meant for the facts is written ``!unsafe`` in a vars file, which leaves
it to the gate; a message may therefore come from anyone who can set a variable, and is rendered by
Jinja's sandbox with Jinja's own filters and tests and the facts alone: no lookup, no Ansible plugin,
no attribute Jinja's sandbox keeps from templates.
"""

from ansible.errors import AnsibleError
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core before 2.19: no template trust, and the compatibility path below
    trust_as_template = None

try:
    from ansible.errors import AnsibleTemplateSyntaxError
except ImportError:  # ansible-core before 2.19
    from jinja2.exceptions import TemplateSyntaxError as AnsibleTemplateSyntaxError

from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from jinja2.runtime import Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

try:
    from ansible.template import is_trusted_as_template
except ImportError:  # ansible-core before 2.19: no template trust (see trusted)
    is_trusted_as_template = None

from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_model import type_name as plain_type_name

_LOADER = []
# Where messages are rendered: Jinja's sandbox, its own filters and tests, no globals beyond Jinja's.
_MESSAGES = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


def _loader():
    if not _LOADER:
        _LOADER.append(DataLoader())
    return _LOADER[0]


def trusted(text):
    """Return whether Ansible trusts ``text`` as a template, as ``ansible.builtin.assert`` asks of its conditions.

    From 2.19 on, a text written in a playbook, a role or a vars file is tagged trusted, and a text
    marked ``!unsafe`` or read from data is not. Before 2.19 nothing tells: those cores mark unsafe
    whatever a lookup returns, such as the variables the playbook deployment_gate hands the gate, so
    a mark says nothing of where a text was written; every text is trusted there, as it always was.
    """
    if is_trusted_as_template is None:
        return True
    return is_trusted_as_template(text)


def type_name(value):
    """Return the plain name of ``value``'s type (gate_model.type_name), ``undefined`` for an undefined value."""
    return 'undefined' if isinstance(value, Undefined) else plain_type_name(value)


def _as_data(facts):
    """Return ``facts`` as a core before 2.19 must see them: every string marked unsafe, so never rendered."""
    from ansible.utils.unsafe_proxy import wrap_var

    return wrap_var(facts)


class ConditionSyntaxError(AnsibleError):
    """A condition that does not parse: refused before the first call."""


class ConditionTooDeep(ConditionSyntaxError):
    """A condition nested deeper than the Python stack allows: refused before the first call."""


def _evaluate_before_2_19(condition, facts):
    facts = _as_data(facts)
    templar = Templar(loader=_loader(), variables=facts)
    try:
        # Jinja compiles the condition; its variables are the facts themselves, handed to the
        # expression as values: not through the templar's variable lookup, which renders strings.
        expression = templar.environment.compile_expression(condition, undefined_to_none=False)
    except TemplateSyntaxError as exc:
        raise ConditionSyntaxError('Syntax error in expression: %s' % exc)
    # The templar of these cores hands its globals (lookup, query, now ...) to every template
    # through its own variable lookup; an expression gets them with the facts.
    variables = dict(templar.environment.globals)
    variables.update(facts)
    try:
        result = expression(**variables)
        if isinstance(result, Undefined):
            # A name that is not among the facts: an error, as on the cores after 2.19.
            result._fail_with_undefined_error()
    except (AnsibleError, RecursionError):
        raise
    except Exception as exc:  # pylint: disable=broad-except
        # The templar of these cores wraps what a filter or test raises (UndefinedError,
        # TypeError, ZeroDivisionError ...); a bare expression does not: wrap it the same way.
        raise AnsibleError('%s: %s' % (type(exc).__name__, exc))
    return result


def _too_deep(exc):
    """Return whether ``exc`` is, or was caused by, Python's recursion limit (the cores wrap it)."""
    seen = 0
    while exc is not None and seen < 32:
        if isinstance(exc, RecursionError):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def _value(condition, facts):
    condition = str(condition)
    try:
        if trust_as_template is None:
            return _evaluate_before_2_19(condition, facts)
        templar = Templar(loader=_loader(), variables=facts)
        return templar.evaluate_expression(trust_as_template(condition))
    except (AnsibleError, RecursionError) as exc:
        if _too_deep(exc):
            raise ConditionTooDeep('the condition is nested too deeply to evaluate: split it into several '
                                   'conditions (every condition of a rule\'s that must hold)')
        raise


def evaluate(condition, facts):
    """Return whether ``condition`` holds for ``facts``; raise AnsibleError when it cannot be evaluated.

    The value of the condition must be true or false: a number, a string, a list or an undefined
    value is an error naming its type, so that ``connections | length`` never passes by being
    non-zero. The facts are data and never templated (see the module's text).
    """
    result = _value(condition, facts)
    if not isinstance(result, bool):
        raise AnsibleError('the condition gave a value of type %s, not true or false: write a comparison '
                           'or a test, such as "... > 0" or "... is truthy"' % type_name(result))
    return result


def render(message, facts):
    """Return ``message`` with its templates rendered over ``facts`` in Jinja's sandbox (never rendering the facts themselves).

    A message without ``{{``, ``{%`` or ``{#`` is returned as it is. AnsibleError when it cannot be
    rendered (an undefined fact, a filter's error, what the sandbox refuses); ConditionSyntaxError
    when it does not parse.
    """
    message = str(message)
    if not any(marker in message for marker in ('{{', '{%', '{#')):
        return message
    try:
        template = _MESSAGES.from_string(message)
    except TemplateSyntaxError as exc:
        raise ConditionSyntaxError('Syntax error in template: %s' % exc)
    try:
        # The facts are handed to the template as values: Jinja never renders a value.
        return template.render(facts)
    except RecursionError:
        raise
    except (SecurityError, UndefinedError) as exc:
        raise AnsibleError(str(exc))
    except Exception as exc:  # pylint: disable=broad-except
        raise AnsibleError('%s: %s' % (type(exc).__name__, exc))


def message_syntax_error(message):
    """Return the syntax error of the message template ``message`` as text (a filter or test Jinja does not have
    included), or None when it compiles; it is not rendered."""
    try:
        _MESSAGES.from_string(str(message))
    except TemplateSyntaxError as exc:
        return ('Syntax error in template: %s' % exc).splitlines()[0]
    except RecursionError:
        return 'the message is nested too deeply to be rendered'
    return None


def syntax_error(condition):
    """Return the syntax error of ``condition`` as text, or None when it parses."""
    try:
        evaluate(condition, {})
    except (AnsibleTemplateSyntaxError, ConditionSyntaxError) as exc:
        return str(exc).splitlines()[0]
    except AnsibleError:
        # Undefined facts and the like: the condition parses; the real facts decide.
        return None
    return None
