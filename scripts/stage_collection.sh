#!/usr/bin/env bash
# Copy the collection to STAGE_ROOT/ansible_collections/<namespace>/<name> and print that path.
#
#   STAGE_ROOT=.build/stage/sanity scripts/stage_collection.sh
#
# STAGE_ROOT defaults to the build folder. Each script that stages gives its own, under
# .build/stage/ (sanity, units, integration-1, docs-lint, build, ...), and holds that folder's
# lock (lock_build.sh) while it uses the copy: different checks can run side by side, each on
# its own copy, and two runs of the same check take turns.
#
# ansible-test only works inside an ansible_collections/<namespace>/<name> tree and resolves
# symlinks, so it gets a real copy: the files git tracks plus untracked files that are not
# ignored (what a fresh clone plus work in progress would hold), in a freshly emptied folder.
# ansible-test's own virtual environments under tests/output/.tmp/delegation are kept across
# copies, because rebuilding them costs a download and install on every run.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/.build}"
stage_root="${STAGE_ROOT:-$build}"

galaxy_value() {
    sed -n "s/^$1:[[:space:]]*\\([A-Za-z0-9_]*\\).*/\\1/p" "$root/galaxy.yml" | head -n 1
}

namespace="$(galaxy_value namespace)"
name="$(galaxy_value name)"
if [ -z "$namespace" ] || [ -z "$name" ]; then
    echo "stage_collection.sh: cannot read namespace/name from $root/galaxy.yml" >&2
    exit 1
fi

dest="$stage_root/ansible_collections/$namespace/$name"
keep="$stage_root/cache/delegation"

if [ -d "$dest/tests/output/.tmp/delegation" ]; then
    rm -rf "$keep"
    mkdir -p "$(dirname "$keep")"
    mv "$dest/tests/output/.tmp/delegation" "$keep"
fi
rm -rf "$dest"
mkdir -p "$dest"

cd "$root"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # -z keeps odd file names intact; files deleted in the work tree are skipped.
    git ls-files -z -co --exclude-standard \
        | while IFS= read -r -d '' file; do
            if [ -e "$file" ] || [ -L "$file" ]; then
                printf '%s\0' "$file"
            fi
        done \
        | tar --null --no-recursion -T - -cf - \
        | tar -xf - -C "$dest"
else
    # Not a git checkout (e.g. an unpacked archive): copy all but build and tool folders.
    tar --exclude=./.git --exclude=./.venv --exclude=./.venv-oldest --exclude=./.build --exclude=./tests/output \
        --exclude='__pycache__' --exclude='*.pyc' -cf - . \
        | tar -xf - -C "$dest"
fi

if [ -d "$keep" ]; then
    mkdir -p "$dest/tests/output/.tmp"
    mv "$keep" "$dest/tests/output/.tmp/delegation"
fi

printf '%s\n' "$dest"
