#!/usr/bin/env bash
# Quick start command 2: set up .venv (tools/setup_env.sh), then run the test suite.
# Extra arguments go to pytest, e.g. `bash tools/run_tests.sh -k entropy`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/tools/setup_env.sh"
cd "$ROOT"
# One pytest worker per CPU core (pytest-xdist): the suite (2600+ tests, many of
# them training tiny models) takes about half the time on 2 cores. Set
# PYTEST_WORKERS=0 to run in this process (e.g. to debug with pdb).
exec "$ROOT/.venv/bin/python" -m pytest -n "${PYTEST_WORKERS:-auto}" "$@"
