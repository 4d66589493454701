#!/usr/bin/env bash
# Lint, type-check the pure cores, then run the whole test suite.
# pytest's exit status passes through unchanged: 5 (no tests collected) fails like any other.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
$BIN/ruff check .
$BIN/ruff format --check .
$BIN/mypy
exec $BIN/pytest "$@"
