#!/usr/bin/env bash
# Run ansible-test on a fresh copy of the collection, offline-safe and isolated from ~/.
#
#   scripts/ansible_test.sh sanity --venv --python 3.12
#   STAGE=no STAGE_ROOT=DIR scripts/ansible_test.sh integration ...   (reuse the copy staged in DIR)
#
# - the copy lives in .build/stage/<command>/ansible_collections/<namespace>/<name> (see
#   stage_collection.sh), one per ansible-test command, so that sanity and units can run side by
#   side; with STAGE=no, in STAGE_ROOT (default the same folder);
# - HOME is home/ next to the copy, so ansible-test's caches and virtual environments stay in the
#   build, and runs side by side share nothing (ansible-test creates its SSH key and virtual
#   environments in HOME without locking);
# - ansible-test's pip bootstrap script, normally downloaded from a host we cannot reach, is
#   replaced by scripts/get_pip_standin.py (ensurepip, then pip install);
# - bin/ next to the copy holds python3.X launchers for each working interpreter found, ahead of
#   PATH, because ansible-test looks interpreters up by name and pyenv shims may fail when run.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/.build}"
venv="${VENV:-$root/.venv}"

if [ ! -x "$venv/bin/ansible-test" ]; then
    echo "ansible_test.sh: $venv/bin/ansible-test not found; run 'make venv' first" >&2
    exit 1
fi

# The copy of each ansible-test command (sanity, units, ...) has a folder of its own.
command_name=ansible-test
case "${1:-}" in
    [a-z]*) command_name="$1" ;;
esac
if [ "${STAGE:-yes}" = "no" ]; then
    stage_root="${STAGE_ROOT:-$build/stage/$command_name}"
    dest="$(find "$stage_root/ansible_collections" -mindepth 2 -maxdepth 2 -type d 2>/dev/null | head -n 1)"
    if [ -z "$dest" ]; then
        echo "ansible_test.sh: nothing staged under $stage_root/ansible_collections" >&2
        exit 1
    fi
else
    stage_root="$build/stage/$command_name"
    # shellcheck source=scripts/lock_build.sh
    . "$root/scripts/lock_build.sh"
    dest="$(STAGE_ROOT="$stage_root" "$root/scripts/stage_collection.sh")"
fi

# Interpreter launchers, rebuilt each run so they follow what is installed now.
bin="$stage_root/bin"
rm -rf "${bin:?}"
mkdir -p "$bin"
while read -r version path; do
    printf '#!/bin/sh\nexec %q "$@"\n' "$path" > "$bin/python$version"
    chmod +x "$bin/python$version"
done < <("$root/scripts/find_python.sh" --all)
# The shellcheck sanity test needs the binary that requirements-dev.txt installs in the venv.
if [ -x "$venv/bin/shellcheck" ]; then
    ln -s "$venv/bin/shellcheck" "$bin/shellcheck"
fi

# The pip bootstrap stand-in, under every name this ansible-test may look for.
home="$stage_root/home"
cache="$home/.ansible/test/cache"
mkdir -p "$cache"
pip_versions="$("$venv/bin/python" - 2>/dev/null <<'EOF' || true
import types
from ansible_test._internal.python_requirements import get_venv_packages
versions = ('3.9', '3.10', '3.11', '3.12', '3.13', '3.14', '3.15')
print(' '.join(sorted({get_venv_packages(types.SimpleNamespace(version=v))['pip'] for v in versions})))
EOF
)"
if [ -z "$pip_versions" ]; then
    # Internal API changed: read the pinned pip version(s) from ansible-test's source instead.
    source_dir="$("$venv/bin/python" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')"
    pip_versions="$(grep -ho "pip='[0-9.]*'" "$source_dir/_internal/python_requirements.py" | sed "s/pip='\(.*\)'/\1/" | sort -u)"
fi
for pip_version in $pip_versions; do
    cp "$root/scripts/get_pip_standin.py" "$cache/get_pip_${pip_version//./_}.py"
done

export HOME="$home"
export PATH="$bin:$PATH"
# Without this, ansible-test walks up to the enclosing git checkout (which ignores .build)
# and would see no files at all in the copy.
export ANSIBLE_TEST_CONTENT_ROOT="$dest"
cd "$dest"
exec "$venv/bin/ansible-test" "$@"
