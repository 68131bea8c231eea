# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters that order RocketMQ client version names and summarise consumer connections.

The documentation of each filter lives in the sidecar file ``<filter name>.yml`` next to this file.
Their logic lives in plugins/plugin_utils/, which the deployment gate reads too: the ordering rule
in ``versions.py`` (the one place it is defined), the summary in ``connection_summary.py``.
"""

from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.connection_summary import connection_summary
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.versions import (
    version_at_least,
    version_compare,
    version_max,
    version_min,
    version_sort,
)


class FilterModule:
    """RocketMQ client version and connection filters."""

    def filters(self):
        """Return the filters this file provides, by name."""
        return {
            'version_compare': version_compare,
            'version_sort': version_sort,
            'version_max': version_max,
            'version_min': version_min,
            'version_at_least': version_at_least,
            'connection_summary': connection_summary,
        }
