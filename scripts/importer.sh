#!/usr/bin/env bash
# Run galaxy-importer, the checks Ansible Galaxy runs on an upload, on a fresh artifact; any
# warning or error fails.
#
# galaxy-importer pins its own ansible-core and ansible-lint, so it gets its own virtual
# environment, .build/importer-venv, from requirements-importer.txt (made again only when that
# file changes). scripts/galaxy-importer.cfg (GALAXY_IMPORTER_CONFIG) keeps it offline: no
# ansible-test, no docker; ansible-doc and an offline ansible-lint run. The artifact is built from
# a fresh copy (see stage_collection.sh) into .build/importer-dist, so it is never a stale one.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/.build}"
venv="${VENV:-$root/.venv}"
importer_venv="$build/importer-venv"
dist="$build/importer-dist"
work="$build/importer"
stamp="$importer_venv/.requirements-importer.stamp"

if [ ! -x "$venv/bin/ansible-galaxy" ]; then
    echo "importer.sh: $venv/bin/ansible-galaxy not found; run 'make venv' first" >&2
    exit 1
fi

if [ ! -f "$stamp" ] || [ "$root/requirements-importer.txt" -nt "$stamp" ]; then
    rm -rf "$importer_venv"
    "$venv/bin/python" -m venv "$importer_venv"
    "$importer_venv/bin/python" -m pip install --disable-pip-version-check -q -r "$root/requirements-importer.txt"
    touch "$stamp"
fi

stage_root="$build/stage/importer"
# shellcheck source=scripts/lock_build.sh
. "$root/scripts/lock_build.sh"
dest="$(STAGE_ROOT="$stage_root" "$root/scripts/stage_collection.sh")"
rm -rf "$dist" "$work"
mkdir -p "$dist" "$work/tmp" "$work/home"
(cd "$dest" && "$venv/bin/ansible-galaxy" collection build --force --output-path "$dist" >/dev/null)
artifact="$(find "$dist" -maxdepth 1 -name '*.tar.gz' | head -n 1)"
if [ -z "$artifact" ]; then
    echo "importer.sh: no artifact in $dist" >&2
    exit 1
fi

# The importer's own ansible-doc and ansible-lint come first on PATH; HOME and the temporary
# folders stay in the build folder.
log="$work/importer.log"
status=0
(
    cd "$work"
    export PATH="$importer_venv/bin:$PATH" HOME="$work/home" TMPDIR="$work/tmp"
    export GALAXY_IMPORTER_CONFIG="$root/scripts/galaxy-importer.cfg"
    export GALAXY_IMPORTER_TMP_ROOT_DIR="$work/tmp" GALAXY_IMPORTER_ANSIBLE_LOCAL_TMP="$work/home/.ansible/tmp"
    "$importer_venv/bin/python" -m galaxy_importer.main "$artifact"
) >"$log" 2>&1 || status=$?
cat "$log"
if [ "$status" -ne 0 ]; then
    echo "importer.sh: galaxy-importer failed (exit $status) on $(basename "$artifact")" >&2
    exit 1
fi
# It exits 0 with warnings: those would show on Galaxy, so they fail here.
if grep -E '^(WARNING|ERROR|CRITICAL)' "$log" >/dev/null; then
    echo "importer.sh: galaxy-importer reported the warnings or errors above for $(basename "$artifact")" >&2
    exit 1
fi
echo "importer.sh: galaxy-importer accepted $(basename "$artifact") with no warning"
