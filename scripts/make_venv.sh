#!/usr/bin/env bash
# Create a virtual environment (unless one works there already) and install a requirements file.
#
#   scripts/make_venv.sh VENV REQUIREMENTS PYTHON
#
# PYTHON is the interpreter to create it with; `make venv` finds it with find_python.sh.
set -euo pipefail

venv="$1"
requirements="$2"
python="$3"
if ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
    echo "Creating $venv with $python ($("$python" -V 2>&1))"
    rm -rf "$venv"
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --disable-pip-version-check -q -r "$requirements"
