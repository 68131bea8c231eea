#!/usr/bin/env bash
# Print the absolute path of the Python interpreter to build the development venv with.
#
#   scripts/find_python.sh            newest working Python 3.12+, else the system python3
#   scripts/find_python.sh --all      every working CPython 3.6+ found, one "VERSION PATH" a line
#   scripts/find_python.sh --between 10 12
#                                     newest working Python 3.10 to 3.12 (the controllers the
#                                     oldest supported ansible-core runs on), or nothing and exit 1
#
# Candidates come from PATH (python3.14, python3.13, python3.12, ...) and from pyenv's
# versions folder. Each one is run before it is trusted: pyenv shims exist on PATH even when
# the version behind them is not selected, and then fail with "command not found".
set -euo pipefail

# Newest first. The older ones matter to ansible-test, which runs some sanity tests on every
# version the modules support (3.8 for ansible-core 2.19) that it finds on PATH.
MINORS="15 14 13 12 11 10 9 8 7 6"

candidates() {
    local minor root="" dir
    if command -v pyenv >/dev/null 2>&1; then
        root="$(pyenv root 2>/dev/null || true)"
    fi
    if [ -z "$root" ] && [ -d "${HOME:-/nonexistent}/.pyenv" ]; then
        root="$HOME/.pyenv"
    fi
    for minor in $MINORS; do
        if command -v "python3.${minor}" >/dev/null 2>&1; then
            command -v "python3.${minor}"
        fi
        if [ -n "$root" ] && [ -d "$root/versions" ]; then
            for dir in "$root"/versions/*/bin; do
                if [ -x "$dir/python3.${minor}" ]; then
                    printf '%s\n' "$dir/python3.${minor}"
                fi
            done
        fi
    done
}

# Prints "MAJOR.MINOR REALPATH" when the interpreter runs and has venv + ensurepip
# (ansible-test and `make venv` both create virtual environments with it).
probe() {
    "$1" -c 'import sys, os, venv, ensurepip; print("%d.%d %s" % (sys.version_info[0], sys.version_info[1], os.path.realpath(sys.executable)))' 2>/dev/null
}

all_working() {
    local cand line seen=" "
    while IFS= read -r cand; do
        line="$(probe "$cand" || true)"
        [ -n "$line" ] || continue
        case "$seen" in
            *" ${line%% *} "*) continue ;;
        esac
        seen="${seen}${line%% *} "
        printf '%s\n' "$line"
    done < <(candidates)
}

if [ "${1:-}" = "--all" ]; then
    all_working
    exit 0
fi

if [ "${1:-}" = "--between" ]; then
    low="${2:?--between needs two minor versions}"
    high="${3:?--between needs two minor versions}"
    found="$(all_working | awk -v low="$low" -v high="$high" \
        '{ split($1, v, "."); if (v[1] == 3 && v[2] >= low && v[2] <= high) { print $2; exit } }')"
    if [ -z "$found" ]; then
        echo "find_python.sh: no working Python 3.$low to 3.$high found" >&2
        exit 1
    fi
    printf '%s\n' "$found"
    exit 0
fi

best="$(all_working | awk '{ split($1, v, "."); if (v[1] == 3 && v[2] >= 12) { print $2; exit } }')"
if [ -z "$best" ]; then
    best="$(command -v python3)"
fi
if [ -z "$best" ]; then
    echo "find_python.sh: no working python3 found" >&2
    exit 1
fi
printf '%s\n' "$best"
