# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# FOR INTERNAL COLLECTION USE ONLY: the interfaces of this file serve the apsaramq.rocketmq collection
# and may change in any release; modules, plugins and roles are the public interface.

"""What every part of the deployment gate shares: the statuses, the verdict, and safe text.

A verdict is one check of one consumer group or message::

    {suite, kind, subject, instance_id, check, status, blocking, expected, observed, offenders, reason, cause}

``cause`` is None, or ``{kind, code, fix}`` when the check could not be told for a reason that says
nothing of the subject (credentials, clock, permission, throttling, endpoint: apis.Cause).

``status`` is ``passed``, ``failed``, ``inconclusive`` (the facts needed were not available or
not readable) or ``not_applicable`` (the check cannot apply to the subject, such as a client check
of an HTTP group, whose consumers hold no connection). A verdict is ``blocking`` when it failed,
or when it is inconclusive and the user did not allow that check to be inconclusive. The gate
passes when no verdict is blocking and at least one check was evaluated: a gate that could not
tell never passes.
"""

import math
import re
from collections.abc import Mapping

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.apis import APIS
from ansible_collections.apsaramq.rocketmq.plugins.module_utils.validation import is_long_number, number_text

PASSED = 'passed'
FAILED = 'failed'
INCONCLUSIVE = 'inconclusive'
NOT_APPLICABLE = 'not_applicable'
STATUSES = (PASSED, FAILED, INCONCLUSIVE, NOT_APPLICABLE)

HEALTH_SUITE = 'consumer_health'
DELIVERY_SUITE = 'message_delivery'
# The suite of the verdict that says the gate itself stopped before it could finish.
GATE_SUITE = 'gate'
RUN_CHECK = 'run'
# What a run that stopped before every check was evaluated observed.
STOPPED = 'stopped'

# What a built-in check reads (gate_checks), so that a backend (gate_backends) reads no more than
# the checks of a group need. CONNECTIONS: the clients of the group, which an HTTP group does not
# have. LAG: the lag figures of the group's status. SAMPLES: the lag of every attempt so far.
# DEAD_LETTERS: the group's dead letters, which a read of their own gives (not the status).
# RULES: the group has rules, which may read any fact.
CONNECTIONS = 'connections'
LAG = 'lag'
SAMPLES = 'samples'
DEAD_LETTERS = 'dead_letters'
RULES = 'rules'

# The largest figure the API gives is a Java long: a number beyond it is no figure the API can mean,
# and float arithmetic on it (a delay in seconds) would overflow.
FIGURE_LIMIT = 2 ** 63

# Control characters (C0 and C1, DEL) a terminal or a line-oriented report must not receive raw.
_CONTROL = re.compile('[\x00-\x08\x0a-\x1f\x7f-\x9f]')


class GateInputError(ValueError):
    """Input the gate cannot take; the message starts with where it is (``groups[2].min_version: ...``)."""


def fail(where, what):
    """Raise GateInputError for the input at ``where``, saying ``what`` is wrong with it."""
    raise GateInputError('%s: %s' % (where, what))


def plain(value):
    """Return ``value`` as plain Python types, so that JMESPath and JSON see ordinary values.

    Templated values may be subclasses of str, int, dict and list; JMESPath's functions look at
    the exact type name and would reject them.
    """
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


def clean(text):
    """Escape control characters (but tab) so that a string cannot drive a terminal or break a line."""
    return _CONTROL.sub(lambda match: '\\x%02x' % ord(match.group()), text)


def query_error(exc):
    """A JMESPath error on one line: the caret drawn under the expression becomes ``at column N``.

    The library draws the expression and a caret below it; clean() would show those line breaks as
    ``\\x0a``. Other errors are their text.
    """
    text = str(exc)
    position = getattr(exc, 'lex_position', None)
    if '\n' not in text or not isinstance(position, int):
        return text
    first = text.split('\n', 1)[0].rstrip(':').strip()
    if first.endswith(', for expression'):
        first = first[:-len(', for expression')]
    return first if 'column' in first else '%s at column %d' % (first, position)


# The plain types a value is named by in an error: the cores tag and wrap values in subclasses of
# these, whose names (_AnsibleTaggedStr ...) mean nothing to the person who wrote the value.
_TYPE_NAMES = ((bool, 'bool'), (int, 'int'), (float, 'float'), (str, 'str'), (bytes, 'bytes'), (dict, 'dict'),
               (list, 'list'), (tuple, 'list'), (set, 'set'), (type(None), 'null'))


def type_name(value):
    """Return the plain name of ``value``'s type (``str``, ``int``, ``list``, ...), never a core-internal class."""
    for kind, name in _TYPE_NAMES:
        if isinstance(value, kind):
            return name
    return type(value).__name__.lstrip('_')


def has_control(text):
    """Whether ``text`` holds a control character that clean() would escape."""
    return bool(_CONTROL.search(text))


def short(value):
    """``repr(value)``, made safe and cut to 80 characters, for an error message.

    A number too long to read is shortened (``1000\u2026(401 digits)``, ``'9999\u2026(5000 digits)'`` for
    its text): Python refuses to print an int of more than 4300 digits, and the message must not fail.
    """
    if is_long_number(value):
        text = number_text(value)
        text = "'%s'" % text if isinstance(value, str) else text
    else:
        try:
            text = repr(value)
        except Exception:  # pylint: disable=broad-except
            # A list holding such a number, a structure nested too deeply to print.
            text = 'a %s that cannot be shown' % type(value).__name__
    text = clean(text)
    return text if len(text) <= 80 else text[:77] + '...'


def render(value):
    """Render a value compactly for one line of text."""
    if value is None:
        return 'nothing'
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, Mapping):
        return ', '.join('%s: %s' % (key, render(item)) for key, item in value.items()) or 'none'
    if isinstance(value, (list, tuple)):
        return ', '.join(render(item) for item in value) or 'none'
    if isinstance(value, int):
        # An int of more than 4300 digits cannot be printed: shortened, as every long number is.
        return number_text(value)
    return str(value)


def figure(value):
    """A figure of the API: a finite number that is not a boolean, within FIGURE_LIMIT either way."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    # An int is compared as it is: math.isfinite() would convert it to a float, which overflows.
    return (isinstance(value, int) or math.isfinite(value)) and -FIGURE_LIMIT <= value < FIGURE_LIMIT


def plural(count, word, suffix='s'):
    """``1 client``, ``2 clients``."""
    return '%d %s%s' % (count, word, '' if count == 1 else suffix)


class Problem(str):
    """Why the facts of a check are missing.

    ``definitive`` when the API said the thing does not exist; ``cause`` (an apis.Cause) when the
    error says nothing of consumers, only that the gate could not ask: credentials, the clock,
    permissions, throttling that outlasted the retries, the endpoint.
    """

    definitive = False
    cause = None
    code = None

    def adding(self, text):
        """This Problem with ``text`` added to what it says, classified as it is."""
        found = Problem(self + text)
        found.definitive, found.cause, found.code = self.definitive, self.cause, self.code
        return found


def problem(text, error=None):
    """A Problem of ``text``, classified by the code of ``error`` (an API error dict) as each API says (module_utils/apis.py).

    A not-found code (exactly one of the API's own) answers the question: the group, instance,
    topic or message does not exist, and a check that meets it fails. A code of the gateway or of
    the client (InvalidAccessKeyId.NotFound, Forbidden.RAM, a transport error) is a cause of the
    run: the checks it touches are inconclusive, never failed.
    """
    found = Problem(text)
    code = error.get('code') if isinstance(error, Mapping) else None
    found.code = code
    for api in APIS:
        cause = api.cause_of(code)
        if cause is not None:
            found.cause = cause
            return found
    if any(api.is_not_found(code) for api in APIS):
        found.definitive = True
    return found


def outcome_of(why):
    """The status of a check whose facts are missing for the Problem ``why``."""
    return FAILED if why.definitive else INCONCLUSIVE


def _reportable(value):
    """``value`` with every int beyond FIGURE_LIMIT as its shortened text: no report could print one of 4300 digits."""
    if isinstance(value, dict):
        return {key: _reportable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_reportable(item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool) and not -FIGURE_LIMIT <= value < FIGURE_LIMIT:
        return number_text(value)
    return value


def verdict(suite, kind, subject, instance_id, check, status, expected, observed, offenders=None, reason='', allowed=False):
    """Return a verdict (see the module docstring)."""
    return {
        'suite': suite,
        'kind': kind,
        'subject': subject,
        'instance_id': instance_id,
        'check': check,
        'status': status,
        'blocking': status == FAILED or (status == INCONCLUSIVE and not allowed),
        'expected': _reportable(plain(expected)),
        'observed': _reportable(plain(observed)),
        'offenders': [str(item) for item in (offenders or [])],
        'reason': str(reason),
        # What the reason says of the run, not of the subject (Problem.cause): the report says it once.
        'cause': _cause(reason),
    }


def _cause(reason):
    cause = getattr(reason, 'cause', None)
    return {'kind': cause.kind, 'code': reason.code, 'fix': cause.fix} if cause is not None else None


def several_instances(verdicts):
    """Whether ``verdicts`` are of subjects on more than one instance: their lines then name each subject's instance."""
    return len({verdict.get('instance_id') for verdict in verdicts}) > 1


def subject_name(verdict, with_instance):
    """The subject of ``verdict`` as a line names it: with its instance (``GID_orders (MQ_INST_...)``) when ``with_instance``."""
    if with_instance and verdict.get('instance_id'):
        return '%s (%s)' % (verdict['subject'], verdict['instance_id'])
    return verdict['subject']


def unwritten(reason):
    """The verdict that says a report could not be written: check ``run`` of the gate, inconclusive and always blocking.

    The run did not finish as it should: what the missing report would have told is lost, so the
    gate cannot pass. ``reason`` names the option, the path and the system's reason.
    """
    return verdict(GATE_SUITE, RUN_CHECK, GATE_SUITE, None, RUN_CHECK, INCONCLUSIVE, 'every report written', 'not written',
                   reason=reason)


def stopped(reason, suite=GATE_SUITE, subject=None):
    """The verdict that says a suite stopped before it could finish: inconclusive and always blocking."""
    return verdict(suite, RUN_CHECK, subject or suite, None, RUN_CHECK, INCONCLUSIVE, 'every check evaluated', STOPPED,
                   reason=reason)
