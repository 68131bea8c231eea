# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures: emulators started on loopback port 0 and signed clients."""

import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from emulator.client import Client  # noqa: E402  pylint: disable=wrong-import-position
from emulator.server import start  # noqa: E402  pylint: disable=wrong-import-position
from emulator_testlib import KEY_ID, SECRET, scenario  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture
def emulator():
    """Factory: start an emulator (Python API, loopback, port 0); all are stopped afterwards."""
    handles = []

    def _start(data=None, **kwargs):
        handle = start(data if data is not None else scenario(), host='127.0.0.1', port=0, **kwargs)
        handles.append(handle)
        return handle

    yield _start
    for handle in handles:
        handle.stop()


@pytest.fixture
def client_for():
    """Factory: a signed keep-alive client for an emulator URL; closed afterwards."""
    clients = []

    def _client(url, signature='v3', key_id=KEY_ID, secret=SECRET, token=None):
        cli = Client(url, key_id, secret, security_token=token, signature=signature)
        clients.append(cli)
        return cli

    yield _client
    for cli in clients:
        cli.close()
