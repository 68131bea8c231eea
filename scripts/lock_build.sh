# shellcheck shell=bash
# Sourced by the scripts that stage a copy of the collection and run on it: holds an exclusive
# lock on "$stage_root/.lock" (default "$build/.lock") until the sourcing script exits, so that
# two runs sharing one staging folder (say, `make sanity` in two terminals) take turns instead
# of deleting each other's copy; checks that stage into different folders (see
# stage_collection.sh) run side by side. Needs $build or $stage_root set; does nothing where
# flock(1) is missing.
lock_dir="${stage_root:-${build:?lock_build.sh: set build or stage_root first}}"
mkdir -p "$lock_dir"
if command -v flock >/dev/null 2>&1; then
    exec 9>"$lock_dir/.lock"
    if ! flock -n 9; then
        echo "$(basename "$0"): waiting for another run that uses $lock_dir ..." >&2
        flock 9
    fi
fi
