#!/usr/bin/env bash
# Quick start command 1 (the main job): set up .venv (tools/setup_env.sh), then
# train and test Fusion and MER-DG over 5 seeds on the calibrated vector benchmark.
# Writes work_dirs/quickstart/summary.json. Extra arguments go to tools/quickstart.py.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/tools/setup_env.sh"
cd "$ROOT"
exec "$ROOT/.venv/bin/python" "$ROOT/tools/quickstart.py" "$@"
