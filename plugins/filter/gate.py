# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters of the deployment gate: its reports, and the checks of the variables the playbooks take.

The gate itself is the action apsaramq.rocketmq.gate (plugins/action/gate.py, its engine in
plugins/plugin_utils/). These filters serve the role gate_report, which writes the reports of
verdicts made anywhere, and the playbooks, which check their variables before the gate starts.
The documentation of each filter lives in the sidecar file ``<filter name>.yml`` next to this file.
Every filter is pure: it reads its arguments and returns new data.
"""

import functools
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils import gate_report as reports
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_model import GATE_SUITE, GateInputError, short as _short, stopped
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_spec import text as _text
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.gate_variables import (
    gate_connection,
    gate_file_name,
    gate_suites,
    gate_variable_error,
    gate_variables,
)


def _failed_message(result):
    """The message of a failed task result; for a loop, that of its first failed item."""
    if not isinstance(result, Mapping):
        return 'the task gave no result that can be read'
    for item in result.get('results') or []:
        if isinstance(item, Mapping) and item.get('failed') and item.get('msg'):
            return str(item['msg'])
    for key in ('msg', 'message', 'reason'):
        if result.get(key):
            return str(result[key])
    return 'the task failed without a message: %s' % _short(dict(result))


def gate_stopped(result, task=None, suite=GATE_SUITE, subject=None):
    """Return the verdict that says a suite stopped before it could finish, with the real cause.

    ``result`` is the failed task's result (``ansible_failed_result``), ``task`` its name. The
    verdict is inconclusive and always blocking: a gate that did not finish never passes.
    """
    suite = _text(suite, 'gate_stopped: suite', 'a suite name')
    where = 'the task "%s"' % task if isinstance(task, str) and task else 'a task'
    reason = '%s failed: %s' % (where, _failed_message(result))
    return [stopped(reason, suite, subject if isinstance(subject, str) and subject else suite)]


def _guarded(function):
    """The filter ``function``, its input errors raised as Ansible filter errors."""
    @functools.wraps(function)
    def guarded(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except GateInputError as exc:
            raise AnsibleFilterError(str(exc)) from exc
    return guarded


class FilterModule:
    """Deployment gate filters: reports and variable checks."""

    def filters(self):
        """Return the filters this file provides, by name."""
        return {name: _guarded(function) for name, function in (
            ('gate_report', reports.gate_report),
            ('gate_failures', reports.gate_failures),
            ('gate_summary', reports.gate_summary),
            ('gate_junit', reports.gate_junit),
            ('gate_variables', gate_variables),
            ('gate_variable_error', gate_variable_error),
            ('gate_connection', gate_connection),
            ('gate_suites', gate_suites),
            ('gate_file_name', gate_file_name),
            ('gate_stopped', gate_stopped),
        )}
