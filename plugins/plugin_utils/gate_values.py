# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# FOR INTERNAL COLLECTION USE ONLY: the interfaces of this file serve the apsaramq.rocketmq collection
# and may change in any release; modules, plugins and roles are the public interface.

"""The gate's checks of a value's shape: a dict, a list, a string, a boolean.

Each fails with GateInputError naming the input where it is (gate_model.fail). The plan
(gate_spec), the report writer (gate_report) and the filters read them from here.
"""

import difflib
from collections.abc import Mapping

from ansible.module_utils.common.validation import check_type_bool

from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_model import clean, fail, short, type_name

# How close an unknown name must be to a known one to be offered as what was meant (difflib's ratio).
CLOSE_ENOUGH = 0.75


def mapping(value, where, what):
    """``value`` when it is a dict; otherwise fail naming ``where`` and ``what`` was expected."""
    if not isinstance(value, Mapping):
        fail(where, 'expected %s, got %s' % (what, 'null' if value is None else '%s %s' % (type_name(value), short(value))))
    return value


def listing(value, where, what):
    """``value`` as a list when it is a list (not a string or dict); otherwise fail."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (list, tuple)):
        fail(where, 'expected a list of %s, got %s' % (what, 'null' if value is None else '%s %s' % (type_name(value), short(value))))
    return list(value)


def close_match(name, allowed):
    """The name of ``allowed`` closest to the unknown ``name``, when one is close enough to be what was meant; else None."""
    closest = difflib.get_close_matches(str(name), [str(item) for item in allowed], n=1, cutoff=CLOSE_ENOUGH)
    return closest[0] if closest else None


def suggested(name, allowed):
    """``name`` as an error shows an unknown name: with the closest of ``allowed``, when one is close (``max_lga (did you mean max_lag?)``)."""
    closest = close_match(name, allowed)
    return '%s (did you mean %s?)' % (clean(str(name)), closest) if closest else clean(str(name))


def unknown_keys(value, allowed, where):
    """Fail when the dict ``value`` has a key that is not in ``allowed``, suggesting the closest allowed key."""
    unknown = sorted(str(key) for key in value if key not in allowed)
    if unknown:
        fail(where, 'unknown key%s %s (accepted: %s)' % ('s' if len(unknown) > 1 else '', ', '.join(suggested(key, allowed) for key in unknown),
                                                         ', '.join(allowed)))


def text(value, where, what='a non-empty string'):
    """``value`` stripped, when it is a non-empty string."""
    if not isinstance(value, str) or not value.strip():
        fail(where, 'expected %s, got %s' % (what, short(value)))
    return str(value).strip()


def flag(value, where):
    """``value`` as a boolean, as Ansible reads booleans."""
    try:
        return check_type_bool(value)
    except TypeError:
        fail(where, '%s is not a boolean' % short(value))
