# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# FOR INTERNAL COLLECTION USE ONLY: the interfaces of this file serve the apsaramq.rocketmq collection
# and may change in any release; modules, plugins and roles are the public interface.

"""The order of RocketMQ client version names: the one place it is defined.

The version filters (plugins/filter/rocketmq.py) and the gate's version checks both read it.

* ``HIGHER_VERSION`` is above every named version. A broker reports it for a client newer than
  the broker's own list of names, so nothing more precise is known about it.
* Named versions, ``V<major>_<minor>_<patch>[_<stage>]``, order by major, minor and patch as
  numbers, then by stage: ``SNAPSHOT`` < ``ALPHA<n>`` < ``BETA<n>`` < release. ``FINAL`` is the
  release (Apache RocketMQ named its 3.0.0 release ``V3_0_0_FINAL`` and has no plain ``V3_0_0``),
  so ``V3_0_0`` and ``V3_0_0_FINAL`` compare equal. A snapshot of a pre-release sits just below it:
  ``V3_0_0_BETA5`` < ``V3_0_0_BETA6_SNAPSHOT`` < ``V3_0_0_BETA6``.
* The dotted Maven form ``<major>.<minor>.<patch>[-SNAPSHOT]`` (optionally with a leading ``v``)
  is accepted as the same version as its ``V..._...`` name, so ``4.9.4`` equals ``V4_9_4``.
* Names are matched without regard to case. Anything else raises an error that names the value;
  nothing is ordered by guess. So does a value longer than MAX_VERSION_LENGTH characters: no
  version name is that long, and the numbers of one could be too long to convert at all.

The errors are AnsibleFilterError (an AnsibleError), as the filters raise them.
"""

import re
from collections.abc import Iterable, Mapping

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.validation import number_text
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_model import type_name

HIGHER_VERSION = 'HIGHER_VERSION'
# The longest version name read. Real ones are about 20 characters (V4_9_4_BETA12_SNAPSHOT); a
# longer value is no version name, and Python refuses to convert a number of more than 4300 digits.
MAX_VERSION_LENGTH = 100

# Stages inside one major.minor.patch, lowest first.
_STAGE_SNAPSHOT = 0
_STAGE_ALPHA = 1
_STAGE_BETA = 2
_STAGE_RELEASE = 3

_ENUM_FORM = re.compile(
    r'V([0-9]+)_([0-9]+)_([0-9]+)(?:_(?:(SNAPSHOT)|FINAL|(ALPHA|BETA)([0-9]+)(_SNAPSHOT)?))?',
    re.IGNORECASE,
)
_DOTTED_FORM = re.compile(r'V?([0-9]+)\.([0-9]+)\.([0-9]+)(-SNAPSHOT)?', re.IGNORECASE)

ACCEPTED_FORMS = (
    'V<major>_<minor>_<patch> optionally followed by _SNAPSHOT, _ALPHA<n>, _BETA<n>, '
    '_ALPHA<n>_SNAPSHOT, _BETA<n>_SNAPSHOT or _FINAL (for example V4_9_4, V5_1_0_SNAPSHOT, '
    'V3_0_0_BETA6), <major>.<minor>.<patch>[-SNAPSHOT] (for example 4.9.4), or HIGHER_VERSION'
)


def _short(value):
    """Return the repr of a value, cut to a length that keeps error messages readable."""
    try:
        text = repr(value) if isinstance(value, str) or not isinstance(value, int) else number_text(value)
    except Exception:  # pylint: disable=broad-except
        # Such as a list holding an int of more than 4300 digits, which Python refuses to print.
        text = 'a %s that cannot be shown' % type(value).__name__
    return text if len(text) <= 80 else text[:77] + '...'


def describe(value):
    """Return the type and short repr of a value, for error messages."""
    if value is None:
        return 'null'
    return '%s %s' % (type_name(value), _short(value))


def parse_version(value):
    """Return the sort key of a version name, or None when ``value`` is not one (version_key says why)."""
    if not isinstance(value, str) or len(value) > MAX_VERSION_LENGTH:
        return None
    if value.upper() == HIGHER_VERSION:
        return (1,)
    match = _ENUM_FORM.fullmatch(value)
    if match:
        major, minor, patch, snapshot, pre, pre_number, pre_snapshot = match.groups()
        if snapshot:
            stage = (_STAGE_SNAPSHOT, 0, 0)
        elif pre:
            # A snapshot of ALPHA<n>/BETA<n> comes before that pre-release itself.
            stage = (_STAGE_ALPHA if pre.upper() == 'ALPHA' else _STAGE_BETA, int(pre_number), 0 if pre_snapshot else 1)
        else:
            # A plain release and _FINAL are the same release.
            stage = (_STAGE_RELEASE, 0, 1)
        return (0, int(major), int(minor), int(patch)) + stage
    match = _DOTTED_FORM.fullmatch(value)
    if match:
        major, minor, patch, snapshot = match.groups()
        stage = (_STAGE_SNAPSHOT, 0, 0) if snapshot else (_STAGE_RELEASE, 0, 1)
        return (0, int(major), int(minor), int(patch)) + stage
    return None


def version_key(value, where='version'):
    """Return a sort key for a RocketMQ client version name.

    Keys of two versions compare like the versions in release order. ``where`` names the filter
    and parameter in the AnsibleFilterError raised when ``value`` is not a version name.
    """
    key = parse_version(value)
    if key is None:
        if isinstance(value, str) and len(value) > MAX_VERSION_LENGTH:
            problem = '%s is not a RocketMQ client version name: it has %d characters, at most %d' % (
                _short(value), len(value), MAX_VERSION_LENGTH)
        elif isinstance(value, str):
            problem = '%s is not a RocketMQ client version name' % _short(value)
        else:
            problem = '%s is not a string' % describe(value)
        raise AnsibleFilterError('%s: %s; accepted: %s' % (where, problem, ACCEPTED_FORMS))
    return key


def _sequence(values, where):
    """Return ``values`` as a list, refusing strings and mappings that Jinja would iterate."""
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
        raise AnsibleFilterError('%s: expected a list of RocketMQ client version names, got %s'
                                 % (where, describe(values)))
    return list(values)


def _keyed(values, where):
    """Pair each version with its key; equal keys are broken by name so results never depend on input order."""
    return [((version_key(value, '%s: item %d' % (where, index)), value), value)
            for index, value in enumerate(_sequence(values, where))]


def version_compare(version, other):
    """Return -1, 0 or 1 as ``version`` is below, equal to or above ``other`` in release order."""
    left = version_key(version, 'version_compare: version')
    right = version_key(other, 'version_compare: other')
    return (left > right) - (left < right)


def version_sort(versions, reverse=False):
    """Return the version names in release order (highest first when ``reverse``)."""
    try:
        reverse = boolean(reverse, strict=True)
    except TypeError as exc:
        raise AnsibleFilterError('version_sort: reverse must be a boolean') from exc
    return [value for _key, value in sorted(_keyed(versions, 'version_sort'), key=lambda pair: pair[0], reverse=reverse)]


def version_max(versions):
    """Return the highest version name of a list, or None for an empty list."""
    keyed = _keyed(versions, 'version_max')
    return max(keyed, key=lambda pair: pair[0])[1] if keyed else None


def version_min(versions):
    """Return the lowest version name of a list, or None for an empty list."""
    keyed = _keyed(versions, 'version_min')
    return min(keyed, key=lambda pair: pair[0])[1] if keyed else None


def version_at_least(version, minimum):
    """Return True when ``version`` is ``minimum`` or a later release."""
    return version_key(version, 'version_at_least: version') >= version_key(minimum, 'version_at_least: minimum')
