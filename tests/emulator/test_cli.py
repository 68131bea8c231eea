# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``python -m emulator`` as scripts use it: one line on stdout, port file, clean stop."""

import http.client
import os
import signal
import subprocess
import sys
import time

import pytest

from emulator_testlib import ROOT, SCENARIOS, control
from emulator.client import Client

HEALTHY = os.path.join(SCENARIOS, 'healthy.yml')
KEY = ('LTAI5tEmulatorDemoKey01', 'EmulatorDemoSecretNotForProduction01')


def _spawn(*args):
    return subprocess.Popen([sys.executable, '-m', 'emulator'] + list(args), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True)


@pytest.fixture
def running():
    """running(*args) -> (process, url); the process is stopped afterwards if still alive."""
    procs = []

    def _run(*args):
        proc = _spawn(*args)
        procs.append(proc)
        line = proc.stdout.readline()
        assert line.startswith('ApsaraMQ for RocketMQ emulator (ONS 2019-02-14, RocketMQ 2022-08-01) listening on http://127.0.0.1:'), line + proc.stderr.read()
        return proc, line.split(' on ', 1)[1].strip()

    yield _run
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        proc.stdout.close()
        proc.stderr.close()


@pytest.mark.parametrize('sig', [signal.SIGTERM, signal.SIGINT])
def test_prints_one_line_serves_and_stops_cleanly_on_signal(running, sig):
    proc, url = running('--scenario', HEALTHY, '--port', '0')
    assert Client(url, *KEY).request('OnsConsumerGetConnection', {'GroupId': 'GID_orders'}).status == 200
    proc.send_signal(sig)
    assert proc.wait(10) == 0
    assert proc.stdout.read() == ''
    assert proc.stderr.read() == ''


def test_port_file_holds_the_url_once_listening(running, tmp_path):
    port_file = tmp_path / 'url'
    _proc, url = running('--scenario', HEALTHY, '--port', '0', '--port-file', str(port_file))
    assert port_file.read_text() == url + '\n'
    assert control(url, 'GET', '/_emulator/health') == (200, {'ok': True})
    assert [p.name for p in tmp_path.iterdir()] == ['url']


def test_fault_and_rate_flags_apply(running):
    _proc, url = running('--scenario', HEALTHY, '--fault', 'kind=throttle,times=2,action=OnsConsumerGetConnection,GroupId=GID_orders',
                         '--rate-limit', '0', '--seed', '3')
    cli = Client(url, *KEY)
    codes = [cli.request('OnsConsumerGetConnection', {'GroupId': 'GID_orders'}).code for _attempt in range(14)]
    assert codes == ['Throttling.User'] * 2 + [None] * 12
    assert cli.request('OnsConsumerGetConnection', {'GroupId': 'GID_payments'}).status == 200


def test_shortcut_fault_flags(running):
    _proc, url = running('--scenario', HEALTHY, '--error-rate', '1')
    assert Client(url, *KEY).request('OnsConsumerStatus', {'GroupId': 'GID_orders'}).code == 'InternalError'


def test_invalid_scenario_exits_2_naming_the_problem(tmp_path):
    bad = tmp_path / 'bad.yml'
    bad.write_text('description: broken\nkeys: [{access_key_id: a, access_key_secret: b}]\ninstances: [{instance_id: X, grups: []}]\n')
    proc = subprocess.run([sys.executable, '-m', 'emulator', '--scenario', str(bad)], cwd=ROOT, capture_output=True, text=True, timeout=30, check=False)
    assert proc.returncode == 2
    assert 'instances[0].grups: unknown key' in proc.stderr
    assert proc.stdout == ''


def test_bad_flag_values_are_refused():
    proc = subprocess.run([sys.executable, '-m', 'emulator', '--scenario', HEALTHY, '--drop-rate', '3'], cwd=ROOT, capture_output=True,
                          text=True, timeout=30, check=False)
    assert proc.returncode == 2 and 'between 0 and 1' in proc.stderr


def test_busy_port_is_reported(running):
    _proc, url = running('--scenario', HEALTHY)
    port = url.rsplit(':', 1)[1]
    proc = subprocess.run([sys.executable, '-m', 'emulator', '--scenario', HEALTHY, '--port', port], cwd=ROOT, capture_output=True,
                          text=True, timeout=30, check=False)
    assert proc.returncode == 2 and 'cannot listen' in proc.stderr


def test_stop_also_ends_open_keep_alive_connections(emulator):
    handle = emulator()
    cli = Client(handle.url, *KEY)
    assert cli.request('OnsConsumerGetConnection', {'GroupId': 'GID_orders'}).status == 200
    handle.stop()
    with pytest.raises((OSError, http.client.HTTPException)):
        cli.request('OnsConsumerGetConnection', {'GroupId': 'GID_orders'})


def _alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    # A zombie still answers kill(0); read its state (it may be gone by now).
    try:
        with open('/proc/%d/stat' % pid) as handle:
            return handle.read().split(') ', 1)[1][0] != 'Z'
    except OSError:
        return False


@pytest.mark.skipif(not os.path.isdir('/proc'), reason='reads process states from /proc')
def test_exit_with_parent_stops_when_its_parent_dies(tmp_path):
    # An intermediate process starts the emulator and dies without stopping it, as a killed test runner would.
    port_file = tmp_path / 'url'
    starter = ('import subprocess, sys, time, os\n'
               'p = subprocess.Popen([sys.executable, "-m", "emulator", "--scenario", %r, "--port", "0", '
               '"--port-file", %r, "--exit-with-parent"], stdout=subprocess.DEVNULL)\n'
               'while not os.path.exists(%r): time.sleep(0.05)\n'
               'print(p.pid, flush=True)\n'
               'os._exit(0)\n') % (HEALTHY, str(port_file), str(port_file))
    out = subprocess.run([sys.executable, '-c', starter], cwd=ROOT, stdout=subprocess.PIPE, universal_newlines=True,
                         timeout=30, check=True).stdout
    pid = int(out.strip())
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid)
