# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator as an installed collection starts it: ``python PATH/emulator --scenario NAME``."""

import os
import shutil
import subprocess
import sys

import pytest

from emulator_testlib import KEY_ID, ROOT, SECRET, control
from emulator.client import Client


def _copy_package(tmp_path):
    """The emulator package alone, in a folder named like an installed collection's."""
    collection = tmp_path / 'ansible_collections' / 'apsaramq' / 'rocketmq'
    shutil.copytree(os.path.join(ROOT, 'emulator'), str(collection / 'emulator'),
                    ignore=shutil.ignore_patterns('__pycache__', '*.pyc'))
    return collection / 'emulator'


def _serve(args, cwd):
    """Start the emulator, read its one line, ask it one question, stop it; return its exit status."""
    env = dict(os.environ)
    env.pop('PYTHONPATH', None)  # the package must be found without help
    proc = subprocess.Popen([sys.executable] + args + ['--port', '0'], cwd=str(cwd), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith('ApsaraMQ for RocketMQ emulator (ONS 2019-02-14, RocketMQ 2022-08-01) listening on http://127.0.0.1:'), line + proc.stderr.read()
        answer = Client(line.split(' on ', 1)[1].strip(), KEY_ID, SECRET).request('OnsConsumerGetConnection', {'GroupId': 'GID_orders'})
        assert answer.status == 200
        proc.terminate()
        return proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        proc.stdout.close()
        proc.stderr.close()


@pytest.mark.parametrize('entry', ['folder', '__main__.py'])
def test_runs_from_its_folder_outside_the_checkout_with_a_bundled_scenario_name(tmp_path, entry):
    package = _copy_package(tmp_path)
    target = package if entry == 'folder' else package / '__main__.py'
    elsewhere = tmp_path / 'elsewhere'
    elsewhere.mkdir()
    assert _serve([str(target), '--scenario', 'healthy'], elsewhere) == 0


def test_module_form_takes_a_bundled_scenario_name_too():
    assert _serve(['-m', 'emulator', '--scenario', 'rollout_half_done'], ROOT) == 0


def test_a_file_path_still_wins_over_a_bundled_name(tmp_path):
    # A file named like a bundled scenario, in the current folder, is the one loaded.
    with open(os.path.join(ROOT, 'emulator', 'scenarios', 'healthy.yml'), encoding='utf-8') as handle:
        text = handle.read()
    (tmp_path / 'lagging').write_text(text.replace('Healthy - ', 'Local copy - '))
    proc = subprocess.Popen([sys.executable, os.path.join(ROOT, 'emulator'), '--scenario', 'lagging', '--port', '0'],
                            cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith('ApsaraMQ for RocketMQ emulator (ONS 2019-02-14, RocketMQ 2022-08-01) listening on '), line + proc.stderr.read()
        status, state = control(line.split(' on ', 1)[1].strip(), 'GET', '/_emulator/state')
        assert status == 200
        assert state['description'].startswith('Local copy - ')
    finally:
        proc.kill()
        proc.wait(10)
        proc.stdout.close()
        proc.stderr.close()


def test_an_unknown_name_is_refused_listing_the_bundled_ones(tmp_path):
    proc = subprocess.run([sys.executable, os.path.join(ROOT, 'emulator'), '--scenario', 'helthy'], cwd=str(tmp_path),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=60, check=False)
    assert proc.returncode == 2
    assert proc.stdout == ''
    assert 'helthy: no such file, nor a bundled scenario (bundled: broadcasting, canary_failing, dead_letters, duplicate_client_id, healthy,' in proc.stderr
