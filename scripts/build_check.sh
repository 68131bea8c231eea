#!/usr/bin/env bash
# Build the collection artifact, install it, and check the installed copy works.
#
# 1. `ansible-galaxy collection build` of a fresh copy (see stage_collection.sh) into .build/dist,
#    whose top-level entries must all be on an allow-list (no build or test tools);
# 2. `ansible-galaxy collection install` of that artifact into .build/installed;
# 3. `ansible-doc` renders every module, filter and role (with argument specs) of the installed
#    collection, with no warning;
# 4. scripts/build_check.yml runs a module of the installed collection against the emulator
#    that the artifact itself ships (emulator/ and emulator/scenarios/healthy.yml).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/.build}"
venv="${VENV:-$root/.venv}"
dist="$build/dist"
installed="$build/installed"

if [ ! -x "$venv/bin/ansible-galaxy" ]; then
    echo "build_check.sh: $venv/bin/ansible-galaxy not found; run 'make venv' first" >&2
    exit 1
fi

stage_root="$build/stage/build"
# shellcheck source=scripts/lock_build.sh
. "$root/scripts/lock_build.sh"
dest="$(STAGE_ROOT="$stage_root" "$root/scripts/stage_collection.sh")"
rm -rf "$dist" "$installed"
mkdir -p "$dist" "$installed"

(cd "$dest" && "$venv/bin/ansible-galaxy" collection build --force --output-path "$dist")
artifact="$(find "$dist" -maxdepth 1 -name '*.tar.gz' | head -n 1)"
if [ -z "$artifact" ]; then
    echo "build_check.sh: no artifact in $dist" >&2
    exit 1
fi
echo "build_check.sh: built $(basename "$artifact") ($(du -k "$artifact" | cut -f1) KiB, $(tar -tzf "$artifact" | wc -l) entries)"
junk="$(tar -tzf "$artifact" | grep -E '(^|/)(__pycache__|\.venv|\.build|\.git|\.pytest_cache)(/|$)|\.pyc$|^tests/output/' || true)"
if [ -n "$junk" ]; then
    echo "build_check.sh: the artifact holds files it should not:" >&2
    echo "$junk" >&2
    exit 1
fi

# What users install, by top-level entry: the content, its docs and licence, tests/ (Galaxy
# convention) and the emulator. The tools that build and test the collection (Makefile, scripts/,
# requirements-dev.txt, benchmarks/, .ansible-lint, ...) are left out by build_ignore in galaxy.yml;
# anything not listed here fails the build, named, so that a new file is shipped only on purpose.
allowed_entries=(CHANGELOG.rst COPYING FILES.json MANIFEST.json README.md changelogs docs emulator meta
    playbooks plugins requirements.txt roles tests)
required_entries=(COPYING FILES.json MANIFEST.json README.md docs emulator meta plugins roles)
entries="$(tar -tzf "$artifact" | sed -e 's|^\./||' -e 's|/.*||' | grep -v '^$' | sort -u)"
unexpected="$(grep -vxF -f <(printf '%s\n' "${allowed_entries[@]}") <<<"$entries" | tr '\n' ' ' || true)"
missing="$(printf '%s\n' "${required_entries[@]}" | grep -vxF -f <(printf '%s\n' "$entries") | tr '\n' ' ' || true)"
if [ -n "$unexpected" ] || [ -n "$missing" ]; then
    [ -z "$unexpected" ] || echo "build_check.sh: the artifact holds top-level entries that are not on its allow-list: $unexpected" >&2
    [ -z "$missing" ] || echo "build_check.sh: the artifact lacks: $missing" >&2
    echo "build_check.sh: leave tools out with build_ignore in galaxy.yml, or add what users need to allowed_entries in $0" >&2
    exit 1
fi
echo "build_check.sh: top-level entries: $(tr '\n' ' ' <<<"$entries")"

export ANSIBLE_COLLECTIONS_PATH="$installed"
"$venv/bin/ansible-galaxy" collection install --offline --force -p "$installed" "$artifact"

namespace="$(basename "$(dirname "$dest")")"
name="$(basename "$dest")"
collection="$installed/ansible_collections/$namespace/$name"

# Only the installed artifact counts, not a copy found on sys.path or in ~/.ansible.
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
export ANSIBLE_LOCALHOST_WARNING=false
export ANSIBLE_INVENTORY_UNPARSED_WARNING=false

check_doc() {
    # $1: plugin type, $2: fully qualified name. ansible-doc exits 0 on some broken docs, with
    # a warning only, so any warning fails the check too.
    local out err
    out="$(mktemp)"
    err="$(mktemp)"
    # (ansible-core's own internal collection has no version; ansible-doc -t role warns about it.)
    if ! "$venv/bin/ansible-doc" -t "$1" "$2" >"$out" 2>"$err" \
        || grep -v "ansible_collections/ansible/_protomatter' does not have a MANIFEST.json" "$err" | grep -q 'WARNING\|ERROR' \
        || [ ! -s "$out" ]; then
        echo "build_check.sh: ansible-doc -t $1 $2 failed:" >&2
        cat "$err" "$out" >&2
        rm -f "$out" "$err"
        return 1
    fi
    echo "build_check.sh: ansible-doc -t $1 $2: $(wc -l <"$out") lines"
    rm -f "$out" "$err"
}

# Check every plugin before failing, so one run names all the broken docs.
doc_failures=0
modules=0
for file in "$collection"/plugins/modules/*.py; do
    [ -e "$file" ] || continue
    module="$(basename "$file" .py)"
    [ "$module" = "__init__" ] && continue
    check_doc module "$namespace.$name.$module" || doc_failures=$((doc_failures + 1))
    modules=$((modules + 1))
done
if [ "$modules" -eq 0 ]; then
    echo "build_check.sh: the installed collection has no module" >&2
    exit 1
fi

filters="$("$venv/bin/ansible-doc" -t filter -l "$namespace.$name" 2>/dev/null | awk '{ print $1 }')"
for filter in $filters; do
    check_doc filter "$filter" || doc_failures=$((doc_failures + 1))
done
roles=0
for spec in "$collection"/roles/*/meta/argument_specs.yml; do
    [ -e "$spec" ] || continue
    check_doc role "$namespace.$name.$(basename "$(dirname "$(dirname "$spec")")")" || doc_failures=$((doc_failures + 1))
    roles=$((roles + 1))
done
if [ "$doc_failures" -ne 0 ]; then
    echo "build_check.sh: ansible-doc failed for $doc_failures plugin(s), see above" >&2
    exit 1
fi

EMULATOR_DIR="$collection" "$root/scripts/with_emulator.sh" "$collection/emulator/scenarios/healthy.yml" -- \
    "$venv/bin/ansible-playbook" "$root/scripts/build_check.yml"
echo "build_check.sh: the installed collection works ($modules modules, $(echo "$filters" | wc -w) filters, $roles roles documented)"
