# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bundled emulator, started once per test session on loopback, for tests that need the real HTTP path."""

import importlib
import json
import os
import subprocess
import sys
import tempfile
import time

import pytest

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BASE_SCENARIO = os.path.join(COLLECTION_ROOT, "emulator", "scenarios", "healthy.yml")


class Emulator:
    """A running emulator: its URL, and its control endpoint."""

    def __init__(self, url):
        self.url = url

    def _control(self, method, path, body=None):
        import requests

        response = requests.request(method, self.url + "/_emulator/" + path,
                                    data=json.dumps(body) if body is not None else None,
                                    headers={"Content-Type": "application/json"}, timeout=10)
        response.raise_for_status()
        return response.json() if response.content else None

    def load(self, scenario):
        """Replace the emulator's state with ``scenario`` (a dict) and clear its counters."""
        self._control("PUT", "state", scenario)

    def requests(self):
        """The emulator's request log."""
        return self._control("GET", "requests")["requests"]

    def call(self, action, params, access_key_id, access_key_secret):
        """Call ``action`` once (no retries) with the collection's own client; return the answer."""
        from ansible_collections.apsaramq.rocketmq.plugins.module_utils.client import OnsClient
        from ansible_collections.apsaramq.rocketmq.plugins.module_utils.credentials import Credentials

        client = OnsClient(Credentials(access_key_id, access_key_secret), self.url, retries=0)
        try:
            return client.call(action, params)
        finally:
            client.close()

    def settle(self, count, timeout=10.0):
        """Wait until the emulator has logged ``count`` requests, so none is still being answered.

        A client that gave up on a slow answer leaves the emulator still sending it; the next
        test must not see that request land in its log.
        """
        deadline = time.monotonic() + timeout
        while len(self.requests()) < count:
            if time.monotonic() > deadline:
                raise AssertionError("the emulator did not finish %d request(s) in %ss" % (count, timeout))
            time.sleep(0.05)


def _start():
    workdir = tempfile.mkdtemp(prefix="ons-emulator-")
    port_file = os.path.join(workdir, "url")
    log_path = os.path.join(workdir, "log")
    with open(log_path, "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "emulator", "--scenario", BASE_SCENARIO, "--port", "0",
                                    "--port-file", port_file, "--exit-with-parent"], cwd=COLLECTION_ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while not os.path.exists(port_file):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            with open(log_path) as handle:
                raise RuntimeError("the emulator did not start: %s" % handle.read())
        time.sleep(0.05)
    with open(port_file) as handle:
        return process, handle.read().strip()


_RUNNING = {}


def pytest_configure(config):
    # ansible-test runs each unit test in a forked child, where session fixtures never tear down:
    # one emulator per pytest process, started before any fork and stopped at the end.
    process, url = _start()
    _RUNNING["process"] = process
    _RUNNING["url"] = url


def pytest_unconfigure(config):
    process = _RUNNING.pop("process", None)
    if process is not None:
        process.terminate()
        process.wait(10)


@pytest.fixture
def emulator():
    """The emulator of this pytest process; each test loads the scenario it needs."""
    return Emulator(_RUNNING["url"])


class ModuleRun:
    """What one run of a module gave: its parsed result, the raw text it printed, and how long it took."""

    def __init__(self, result, output, seconds):
        self.result = result
        self.output = output
        self.seconds = seconds


@pytest.fixture
def run_module(capsys):
    """Run a module of this collection in-process, the real code path from its main(), with ``args``.

    ``run_module("ons_consumer_status_info", {...})`` returns a ModuleRun. The module's output is
    what the controller would read: the JSON it prints before it exits.
    """
    from ansible.module_utils.testing import patch_module_args

    def run(name, args):
        module = importlib.import_module("ansible_collections.apsaramq.rocketmq.plugins.modules.%s" % name)
        capsys.readouterr()
        started = time.monotonic()
        with patch_module_args(args):
            with pytest.raises(SystemExit):
                module.main()
        seconds = time.monotonic() - started
        output = capsys.readouterr().out
        return ModuleRun(json.loads(output), output, seconds)

    return run
