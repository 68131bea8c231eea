#!/usr/bin/env bash
# Lint the collection's documentation as docs.ansible.com and Ansible Galaxy render it.
#
# 1. scripts/docs_check.py: the CI examples in the guides equal docs/ci/, every guide is listed,
#    no machine path and no relative link an installed copy lacks;
# 2. `antsibull-docs lint-collection-docs --plugin-docs --check-extra-docs-refs` on a fresh copy
#    laid out as ansible_collections/<namespace>/<name> (see stage_collection.sh): docs/docsite/
#    (links.yml, extra-docs.yml, the RST guides and their references) and every plugin's and
#    role's documentation, rendered to RST and checked with rstcheck.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/.build}"
venv="${VENV:-$root/.venv}"

if [ ! -x "$venv/bin/antsibull-docs" ]; then
    echo "docs_lint.sh: $venv/bin/antsibull-docs not found; run 'make venv' (it needs Python 3.12+)" >&2
    exit 1
fi

"$venv/bin/python" "$root/scripts/docs_check.py" "$root"

stage_root="$build/stage/docs-lint"
# shellcheck source=scripts/lock_build.sh
. "$root/scripts/lock_build.sh"
dest="$(STAGE_ROOT="$stage_root" "$root/scripts/stage_collection.sh")"

# antsibull-docs runs ansible-doc from PATH. It copies the collection with `git ls-files` when the
# path is inside a git work tree, and the build folder is git-ignored, so the copy would be empty:
# the ceiling keeps git from finding the checkout around the build folder.
cd "$dest"
PATH="$venv/bin:$PATH" GIT_CEILING_DIRECTORIES="$(cd "$build" && pwd -P)" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false \
    "$venv/bin/antsibull-docs" lint-collection-docs --plugin-docs --check-extra-docs-refs .
echo "docs_lint.sh: antsibull-docs found nothing to fix in the docs of $(basename "$(dirname "$dest")").$(basename "$dest")"
