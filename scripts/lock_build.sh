# shellcheck shell=bash
# Sourced by the scripts that stage a copy into the build folder and run on it: holds an
# exclusive lock on "$build/.lock" until the sourcing script exits, so that two runs sharing
# one build folder (say, `make sanity` in two terminals) take turns instead of deleting each
# other's copy. Needs $build set; does nothing where flock(1) is missing.
mkdir -p "${build:?lock_build.sh: set build first}"
if command -v flock >/dev/null 2>&1; then
    exec 9>"$build/.lock"
    if ! flock -n 9; then
        echo "$(basename "$0"): waiting for another run that uses $build ..." >&2
        flock 9
    fi
fi
