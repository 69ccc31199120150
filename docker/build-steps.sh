#!/bin/sh
# The image's install steps, in one place: the Dockerfile RUNs this script and
# tests/test_docker_recipe.py runs it in a fresh venv, so what the test checks is what the image does.
#
#   PYTHON=/path/to/python [EXTRAS=meaning] sh docker/build-steps.sh
#
# Installs the project (not editable) with the dependencies from its own pyproject.toml, then checks
# that the installed package works outside the source tree. The knowledge base is NOT built here:
# the bot builds it from $STAFFBOT_SEEDS on its first start, when $STAFFBOT_DB is empty (post_init).
set -eu
APP=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-python3}

# EXTRAS: optional parts, comma-separated (e.g. meaning: matching by meaning, ~95 MB)
SPEC="$APP"
if [ -n "${EXTRAS:-}" ]; then SPEC="$APP[$EXTRAS]"; fi
"$PYTHON" -m pip install --no-cache-dir "$SPEC"
# the installed package, not the source tree: run from another directory
cd /
"$PYTHON" -c "import bot.app, knowledge.kb"
# the optional compiled BM25 loops (setup.py; built when a C compiler was there): say which path
"$PYTHON" -c "import importlib.util as u; print('compiled search loops:', 'yes' if u.find_spec('knowledge._bm25') else 'no (numpy path, same results)')"
BIN=$("$PYTHON" -c "import os, sys; print(os.path.dirname(sys.executable))")
"$BIN/staffbot" --help >/dev/null
