# Copyright: apsaramq.rocketmq maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Offline stand-in for the get-pip.py script that ansible-test downloads.

ansible-test bootstraps pip in every virtual environment it creates by running
``~/.ansible/test/cache/get_pip_<version>.py`` and downloads that file from a host
which is not reachable from our build machines. ``make`` copies this file to that
path (under the build's own HOME), so the bootstrap uses the interpreter's bundled
``ensurepip`` instead and then lets pip itself install the requested packages from
the package index.

It is run as ``__main__`` with the arguments get-pip.py would get, for example
``--disable-pip-version-check pip==25.2 --no-setuptools --no-wheel``.
This file must stay compatible with every Python that ansible-test may bootstrap (3.9+).
"""

import os
import subprocess
import sys

# Options only get-pip.py understands; `pip install` would reject them.
GET_PIP_ONLY_OPTIONS = ('--no-setuptools', '--no-wheel')


def pip_environment():
    """Return the environment for the pip processes.

    ensurepip points PIP_CONFIG_FILE at os.devnull so that pip ignores the configuration
    files; the later install must read /etc/pip.conf again (it may carry the CA bundle).
    """
    env = dict(os.environ)
    env.pop('PIP_CONFIG_FILE', None)
    return env


def main(argv):
    """Bootstrap pip with ensurepip, then pip-install the requested packages."""
    ensure = subprocess.run([sys.executable, '-m', 'ensurepip', '--upgrade', '--default-pip'], env=pip_environment(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    if ensure.returncode != 0:
        # Only show ensurepip's chatter when it failed.
        sys.stdout.write(ensure.stdout.decode('utf-8', 'replace'))
        return ensure.returncode
    args = [arg for arg in argv if arg not in GET_PIP_ONLY_OPTIONS]
    if not [arg for arg in args if not arg.startswith('-')]:
        # Nothing to install beyond the bundled pip.
        return 0
    return subprocess.call([sys.executable, '-m', 'pip', 'install', '--quiet'] + args, env=pip_environment())


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
