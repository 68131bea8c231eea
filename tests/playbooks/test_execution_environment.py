# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An execution environment with the collection: what ansible-builder makes of its definitions.

``ansible-builder create`` turns the AWX guide's definition (``docs/awx/execution-environment.yml``)
into a build context; the context's own introspection script, which the image build runs once the
collection is installed, is then run on the collection installed from a freshly built artifact, as
the build's builder stage runs it. No image is built: that needs a container engine and a
registry. What the build would install is checked instead: ansible-core and ansible-runner as
tested here, the collection, the Python packages of its ``meta/execution-environment.yml``
(``requirements.txt``), and no system package.

ansible-builder needs Python 3.11 or later: `make cores` runs this file with the pinned core's
venv only.
"""

import os
import re
import subprocess
import sys

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from ansible_builder.ee_schema import validate_schema

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFINITION = os.path.join(ROOT, 'docs', 'awx', 'execution-environment.yml')
BIN = os.path.dirname(sys.executable)


def run(*command, **kwargs):
    """The output of ``command``, which must succeed."""
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                          timeout=300, check=False, **kwargs)
    assert done.returncode == 0, '%s: exit status %d\n%s%s' % (' '.join(command), done.returncode, done.stdout, done.stderr)
    return done.stdout


def load(path):
    with open(path) as stream:
        return yaml.safe_load(stream)


def pins(path):
    """The name and version of each pinned requirement of a requirements file that applies to this Python."""
    found = {}
    with open(path) as stream:
        for line in stream:
            line = line.split('#', 1)[0].strip()
            if line:
                requirement = Requirement(line)
                if requirement.marker is None or requirement.marker.evaluate():
                    found[requirement.name.lower()] = str(requirement.specifier)
    return found


def test_the_collections_own_definition_names_its_python_requirements_relative_to_its_root():
    # What ansible-builder reads of an installed collection: dependencies only, paths from the collection's root.
    own = load(os.path.join(ROOT, 'meta', 'execution-environment.yml'))
    validate_schema(own)
    assert own['dependencies'] == {'python': 'requirements.txt'}
    names = {Requirement(line).name for line in open(os.path.join(ROOT, own['dependencies']['python'])).read().splitlines()
             if line.strip() and not line.startswith('#')}
    assert names == {'requests', 'jmespath'}


def test_ansible_builder_creates_the_context_and_the_build_would_install_the_collection_and_its_python_packages(tmp_path):
    definition = load(DEFINITION)
    validate_schema(definition)
    context = tmp_path / 'context'
    run(os.path.join(BIN, 'ansible-builder'), 'create', '-f', DEFINITION, '-c', str(context), '--output-filename', 'Containerfile')
    containerfile = (context / 'Containerfile').read_text()
    assert 'ARG EE_BASE_IMAGE="%s"' % definition['images']['base_image']['name'] in containerfile

    # ansible-core and ansible-runner as the collection is tested with them, on a Python that core supports.
    tested = pins(os.path.join(ROOT, 'requirements-dev.txt'))
    assert 'ARG ANSIBLE_INSTALL_REFS="ansible-core%s ansible-runner%s"' % (tested['ansible-core'], tested['ansible-runner']) in containerfile
    interpreter = definition['dependencies']['python_interpreter']
    assert re.match(r'^python3\.1[2-9]$', interpreter['package_system']) and interpreter['python_path'].endswith(interpreter['package_system'])

    # The collection, from Galaxy, in a range that holds this release; nothing else of the user's.
    with open(os.path.join(ROOT, 'galaxy.yml')) as stream:
        release = yaml.safe_load(stream)['version']
    galaxy = load(str(context / '_build' / 'requirements.yml'))
    assert [entry['name'] for entry in galaxy['collections']] == ['apsaramq.rocketmq']
    assert release in SpecifierSet(galaxy['collections'][0]['version'])
    assert sorted(os.listdir(str(context / '_build'))) == ['requirements.yml', 'scripts']

    # The galaxy stage installs the collection; the builder stage then introspects it. Here: the
    # collection installed from an artifact built now, and the context's own introspection script.
    # (--force: where the tests import the checkout as a collection, ansible-galaxy takes it for installed already.)
    run(os.path.join(BIN, 'ansible-galaxy'), 'collection', 'build', '--output-path', str(tmp_path / 'dist'), ROOT, cwd=str(tmp_path))
    artifact = str(tmp_path / 'dist' / ('apsaramq-rocketmq-%s.tar.gz' % release))
    installed = run(os.path.join(BIN, 'ansible-galaxy'), 'collection', 'install', '--offline', '--force', '-p', str(tmp_path / 'collections'),
                    artifact, cwd=str(tmp_path))
    assert os.path.isfile(str(tmp_path / 'collections' / 'ansible_collections' / 'apsaramq' / 'rocketmq' / 'MANIFEST.json')), installed
    out = tmp_path / 'out'
    found = yaml.safe_load(run(sys.executable, str(context / '_build' / 'scripts' / 'introspect.py'), 'introspect',
                               '--write-pip', str(out / 'requirements.txt'), '--write-bindep', str(out / 'bindep.txt'),
                               str(tmp_path / 'collections')))
    with open(os.path.join(ROOT, 'requirements.txt')) as stream:
        wanted = [line.strip() for line in stream if line.strip() and not line.startswith('#')]
    assert found == {'python': ['%s  # from collection apsaramq.rocketmq' % line for line in wanted], 'system': []}
    assert {Requirement(line).name for line in wanted} == {'requests', 'jmespath'}
    assert (out / 'requirements.txt').read_text().splitlines() == found['python']
    # No system package: the build writes no bindep file, and installs none.
    assert not (out / 'bindep.txt').exists()
