# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the whole-playbook tests share: a collections path that holds this checkout."""

import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def collections(tmp_path):
    """A collections path whose apsaramq.rocketmq is this checkout."""
    path = tmp_path / 'collections'
    (path / 'ansible_collections' / 'apsaramq').mkdir(parents=True)
    os.symlink(ROOT, str(path / 'ansible_collections' / 'apsaramq' / 'rocketmq'))
    return str(path)
