#!/usr/bin/env bash
# The one install recipe: used by the README's Quick start, tools/quickstart.sh,
# tools/run_tests.sh and .ci/run. Creates .venv in the repository root when it
# is missing, reuses it otherwise, and (re)installs only when the requirements
# changed since the last successful install. Source it or run it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
  echo "[setup_env] creating $VENV"
  "$PY" -m venv "$VENV"
fi
STAMP="$VENV/.mmaction_merdg-install"
WANT="$(cat "$ROOT/requirements/runtime.txt" "$ROOT/requirements/tests.txt" "$ROOT/setup.py" | sha256sum | cut -d' ' -f1)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && "$VENV/bin/python" -c "import mmaction_merdg" >/dev/null 2>&1; then
  echo "[setup_env] $VENV is up to date"
else
  echo "[setup_env] installing the pinned stack into $VENV (first time: ~2 GB download, several minutes)"
  "$VENV/bin/python" -m pip install -q --upgrade pip wheel "setuptools<82"
  "$VENV/bin/python" -m pip install -q -r "$ROOT/requirements/runtime.txt" -r "$ROOT/requirements/tests.txt"
  "$VENV/bin/python" -m pip install -q --no-deps --no-build-isolation -e "$ROOT"
  "$VENV/bin/python" -c "import mmaction_merdg, mmaction.models" 2>/dev/null
  echo "$WANT" > "$STAMP"
  echo "[setup_env] done"
fi
