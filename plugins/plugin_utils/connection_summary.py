# -*- coding: utf-8 -*-
# Copyright: (c) apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# FOR INTERNAL COLLECTION USE ONLY: the interfaces of this file serve the apsaramq.rocketmq collection
# and may change in any release; modules, plugins and roles are the public interface.

"""The summary of a consumer group's clients: the filter ``connection_summary`` and the gate's facts ``summary``.

Its documentation is the filter's sidecar, plugins/filter/connection_summary.yml.
"""

from collections.abc import Iterable, Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.apsaramq.rocketmq.plugins.module_utils.validation import number_text
from ansible_collections.apsaramq.rocketmq.plugins.plugin_utils.versions import describe, parse_version

UNKNOWN = 'UNKNOWN'

# The info modules return snake_case keys; the raw ONS API uses CamelCase and the 5.x API camelCase.
_CONNECTION_KEYS = {
    'client_id': ('client_id', 'ClientId', 'clientId'),
    'client_addr': ('client_addr', 'ClientAddr', 'clientAddr'),
    'language': ('language', 'Language'),
    'version': ('version', 'Version'),
}


def _field(connection, name):
    """Return a connection's field under any of its accepted spellings; None, '' and absent are all None."""
    for key in _CONNECTION_KEYS[name]:
        value = connection.get(key)
        if value is not None and value != '':
            return value if isinstance(value, str) else _text(value)
    return None


def _text(value):
    """``str(value)``; an int Python refuses to print (more than 4300 digits) shortened, as no field is that long."""
    try:
        return str(value)
    except ValueError:
        return number_text(value)


def _count(counter, key):
    counter[key] = counter.get(key, 0) + 1


def connection_summary(connections):
    """Summarise the clients of a consumer group for assertions.

    See ``connection_summary.yml`` for the returned keys and how missing fields are counted.
    """
    if isinstance(connections, (str, bytes, Mapping)) or not isinstance(connections, Iterable):
        raise AnsibleFilterError('connection_summary: expected a list of connection dictionaries, got %s'
                                 % describe(connections))
    count = 0
    ordered = {}      # version name -> [sort key, count]
    unordered = {}    # unrecognised or missing version -> count
    languages = {}
    client_ids = {}
    addresses = set()
    for index, connection in enumerate(connections):
        if not isinstance(connection, Mapping):
            raise AnsibleFilterError('connection_summary: item %d: expected a connection dictionary with client_id, client_addr, '
                                     'language and version, got %s' % (index, describe(connection)))
        count += 1
        version = _field(connection, 'version')
        key = None if version is None else parse_version(version)
        if key is None:
            # Counted and listed under its own name (or UNKNOWN when absent), but kept out of min/max.
            _count(unordered, UNKNOWN if version is None else version)
        elif version in ordered:
            ordered[version][1] += 1
        else:
            ordered[version] = [key, 1]
        _count(languages, _field(connection, 'language') or UNKNOWN)
        client_id = _field(connection, 'client_id')
        if client_id is not None:
            _count(client_ids, client_id)
        address = _field(connection, 'client_addr')
        if address is not None:
            addresses.add(address)

    by_release = sorted(ordered, key=lambda name: (ordered[name][0], name))
    versions = {name: ordered[name][1] for name in by_release}
    for name in sorted(unordered, key=lambda name: (name == UNKNOWN, name)):
        versions[name] = unordered[name]
    return {
        'count': count,
        'versions': versions,
        'unknown_version_count': sum(unordered.values()),
        'min_version': by_release[0] if by_release else None,
        'max_version': by_release[-1] if by_release else None,
        # One recognised name and nothing unrecognised; an empty group has no version to be uniform on.
        'uniform_version': not unordered and len(ordered) == 1,
        'languages': {name: languages[name] for name in sorted(languages)},
        'duplicate_client_ids': sorted(name for name, seen in client_ids.items() if seen > 1),
        'addresses': sorted(addresses),
    }
