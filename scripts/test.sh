#!/usr/bin/env bash
# Lint, type-check every package (the pure cores strictly), check the import contracts, then
# measure the review guidance on real reviews, then run the whole test suite.
# pytest's exit status passes through unchanged: 5 (no tests collected) fails like any other.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
$BIN/ruff check .
$BIN/ruff format --check .
$BIN/mypy
$BIN/lint-imports
# The review guidance, cross-validated on real annotated reviews: fails below its floors.
$BIN/python -m reviews.guidance.evaluate --substanreview data/substanreview/train.jsonl
exec $BIN/pytest "$@"
