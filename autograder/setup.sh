#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image.
# It installs Python $PYTHON_VERSION and exactly the packages of requirements.txt (the
# one pinned list, beside this file in the zip) into /opt/bplab, readable by everyone:
# the sandboxed kernel runs as a uid of its own and must be able to run that Python.
set -euo pipefail

PYTHON_VERSION=3.13
UV_VERSION=0.13.9
PREFIX=/opt/bplab
SOURCE=/autograder/source

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# bubblewrap: the sandbox's first choice, where the container allows new namespaces.
apt-get install -y -q --no-install-recommends ca-certificates python3 python3-venv bubblewrap

python3 -m venv "$PREFIX/tools"
"$PREFIX/tools/bin/pip" install --quiet "uv==$UV_VERSION"
UV="$PREFIX/tools/bin/uv"
export UV_PYTHON_INSTALL_DIR="$PREFIX/python"
"$UV" python install "$PYTHON_VERSION"
"$UV" venv --python "$PYTHON_VERSION" --python-preference only-managed "$PREFIX/venv"
"$UV" pip install --python "$PREFIX/venv/bin/python" -r "$SOURCE/requirements.txt"
chmod -R a+rX "$PREFIX"
"$PREFIX/venv/bin/python" -c "import numpy, scipy, sklearn, matplotlib, ipykernel"
